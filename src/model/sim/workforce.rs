//! The workforce: operators staffing machines from their pools (which
//! pool, how many, for how long), walking away from unattended work,
//! fatigue, absences drawn at day start, and machines queued for
//! operators.

use super::*;

impl<'f> Sim<'f> {
    /// Operators late in their working day work slower and less well.
    #[inline(never)]
    pub(super) fn apply_fatigue(&mut self, m: u32) {
        let now = self.cal.now();
        let p = self.machines[m as usize].crew;
        let Some(fatigue) = self.f.pools[p as usize].fatigue else {
            return;
        };
        if now - self.pools[p as usize].work_start >= fatigue.after {
            let mach = &mut self.machines[m as usize];
            mach.remaining *= fatigue.process_factor;
            mach.fatigue_scrap = fatigue.scrap_add;
        }
    }

    /// Midnight for pool `p`: draws today's absences and starts the
    /// working day of a pool without a calendar.
    pub(super) fn on_day_start(&mut self, p: u32) {
        let now = self.cal.now();
        let absence = self.f.pools[p as usize].absence;
        let has_calendar = self.f.pools[p as usize].calendar.is_some();
        let ps = &mut self.pools[p as usize];
        let mut absent = 0;
        if absence > 0.0 {
            for _ in 0..ps.count {
                if ps.absence_stream.uniform() < absence {
                    absent += 1;
                }
            }
        }
        ps.absent = absent;
        ps.absences += u64::from(absent);
        if !has_calendar {
            ps.work_start = now;
        }
        if ps.on {
            // Paid: the workers present, and any drawn absent while busy
            // until they finish.
            let present = f64::from(ps.present().max(ps.held));
            if ps.overtime_now {
                ps.paid_overtime.set(now, present);
            } else {
                ps.paid_regular.set(now, present);
            }
            ps.free = ps.present().saturating_sub(ps.held);
        }
        self.pool_changed(p);
        if now + DAY < self.f.horizon {
            self.cal.schedule_at(now + DAY, Event::DayStart { pool: p });
        }
        self.dispatch_workers(p);
    }

    /// Finds the operators machine `m` needs for its segment of `op`;
    /// without them the machine waits in the operator queue. Returns whether
    /// the segment may run. Kept out of line: unattended operations never
    /// come here.
    #[inline(never)]
    pub(super) fn staff(&mut self, m: u32, op: &Op<'_>) -> bool {
        let mach = &self.machines[m as usize];
        if (op.need == OperatorNeed::SetupOnly && mach.phase != Phase::Setup)
            || self.acquire_operators(m, op)
        {
            return true;
        }
        let mach = &mut self.machines[m as usize];
        if !mach.paused {
            mach.paused = true;
            let (s, part) = (mach.station, mach.part);
            self.operator_queue.push_back(m);
            self.set_state(m);
            self.log("wait_for_operator", s, m, part);
        }
        false
    }

    /// The fast path of [`Self::staff`] for an operation with one qualified
    /// pool (`op.only_pool`: not setup-only, no "no overrun" rule) that has
    /// the operators free now: takes them at once. This is what
    /// [`Self::pick_pool`] and [`Self::acquire_operators`] would do; anything
    /// else (several pools, people short) is left to them.
    #[inline]
    pub(super) fn try_staff_from(&mut self, m: u32, op: &Op<'_>) -> bool {
        let p = op.only_pool;
        if p == NONE {
            return false;
        }
        let n = op.operators;
        let now = self.cal.now();
        let ps = &mut self.pools[p as usize];
        if !ps.on || ps.free < n {
            return false;
        }
        ps.free -= n;
        ps.held += n;
        ps.busy.add(now, f64::from(n));
        self.pool_changed(p);
        let mach = &mut self.machines[m as usize];
        mach.crew = p;
        mach.held = n;
        mach.crew_since = now;
        mach.crew_gen.bump();
        true
    }

    /// With "load and walk away", schedules the operators' release.
    #[inline]
    pub(super) fn schedule_walk_away(&mut self, m: u32, op: &Op<'_>, duration: f64) {
        // Operators held through the whole operation (the usual case):
        // nothing to schedule, and no need to look at the machine.
        if matches!(op.need, OperatorNeed::Whole) {
            return;
        }
        let mach = &self.machines[m as usize];
        if mach.held == 0 {
            return;
        }
        match op.need {
            OperatorNeed::Whole => {}
            OperatorNeed::SetupOnly => self.release_operators(m),
            OperatorNeed::First(t) => {
                if t < duration {
                    let stamp = mach.crew_gen.current();
                    self.cal
                        .schedule_in(t, Event::OperatorRelease { machine: m, stamp });
                }
            }
        }
    }

    /// The qualified pool, on shift, with `n` free workers, chosen by
    /// `rule`. Under the "no overrun" shift rule a pool is passed over when
    /// the work (`work` seconds) would run past the end of its shift,
    /// unless it is longer than the whole shift.
    /// The pool (among `op`'s) that gives machine `m` its operators now, if
    /// any can.
    pub(super) fn pick_pool(&self, m: u32, op: &Op<'_>) -> Option<u32> {
        let (pools, n, rule) = (op.pools, op.operators, op.rule);
        let now = self.cal.now();
        let mut best: Option<(u32, f64)> = None;
        for p in pools {
            let ps = &self.pools[p.0 as usize];
            if !ps.on || ps.free < n {
                continue;
            }
            // Work longer than a whole stretch can never fit: it starts
            // only at the start of one. Work that ends as the stretch ends
            // fits (see `due_by`).
            if ps.rule == ShiftEnd::NoOverrun {
                let work = self.operator_work(m, op, p.0);
                if !due_by(now + work, ps.shift_end)
                    && (work <= ps.shift_end - ps.shift_start || now > ps.shift_start)
                {
                    continue;
                }
            }
            match rule {
                PoolRule::FirstListed => return Some(p.0),
                PoolRule::LeastBusy => {
                    let busy = f64::from(ps.count - ps.free) / f64::from(ps.count);
                    if best.is_none_or(|(_, b)| busy < b) {
                        best = Some((p.0, busy));
                    }
                }
            }
        }
        best.map(|(p, _)| p)
    }

    /// How long operators of pool `p` are needed for the segment left on
    /// machine `m` (for the "no overrun" rule), processing stretched by the
    /// pool's fatigue when it will apply.
    pub(super) fn operator_work(&self, m: u32, op: &Op<'_>, p: u32) -> f64 {
        let mach = &self.machines[m as usize];
        let (rem, phase) = (mach.remaining, mach.phase);
        // The factor of processing that starts `after` from now.
        let tired = |after: f64| match self.f.pools[p as usize].fatigue {
            Some(f) if self.cal.now() + after - self.pools[p as usize].work_start >= f.after => {
                f.process_factor
            }
            _ => 1.0,
        };
        match op.need {
            // Fatigue stretches a processing segment once, at its start.
            OperatorNeed::First(t) if phase == Phase::Process => {
                t.min(if mach.fresh { rem * tired(0.0) } else { rem })
            }
            OperatorNeed::Whole if phase == Phase::Process && mach.fresh => rem * tired(0.0),
            // Operators held through setup and processing: the processing
            // is not drawn yet, so its mean stands in for it.
            OperatorNeed::Whole if phase == Phase::Setup => rem + op.process.mean() * tired(rem),
            OperatorNeed::First(t) if phase == Phase::Setup => {
                rem + t.min(op.process.mean() * tired(rem))
            }
            _ => rem,
        }
    }

    /// Gives machine `m` the operators `op` needs, if a pool has them free.
    pub(super) fn acquire_operators(&mut self, m: u32, op: &Op<'_>) -> bool {
        let Some(p) = self.pick_pool(m, op) else {
            return false;
        };
        self.take_workers(p, op.operators);
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        mach.crew = p;
        mach.held = op.operators;
        mach.crew_since = now;
        mach.crew_gen.bump();
        true
    }

    pub(super) fn take_workers(&mut self, p: u32, n: u32) {
        let now = self.cal.now();
        let ps = &mut self.pools[p as usize];
        ps.free -= n;
        ps.held += n;
        ps.busy.add(now, f64::from(n));
        self.pool_changed(p);
    }

    /// `n` workers of pool `p` finish: back to the pool when it is on
    /// shift, home otherwise (ending their paid overtime).
    pub(super) fn return_workers(&mut self, p: u32, n: u32) {
        let now = self.cal.now();
        let ps = &mut self.pools[p as usize];
        ps.held -= n;
        ps.busy.add(now, -f64::from(n));
        if ps.on && ps.surplus > 0 {
            let home = self.surplus_home(p, n);
            let ps = &mut self.pools[p as usize];
            ps.free = (ps.free + n - home).min(ps.present().saturating_sub(ps.held));
        } else if ps.on {
            // Back to the pool, unless absences have thinned today's crew
            // (then the worker goes home and is no longer paid).
            ps.free = (ps.free + n).min(ps.present().saturating_sub(ps.held));
            if ps.absent > 0 {
                let paid = f64::from(ps.present().max(ps.held));
                if ps.overtime_now {
                    ps.paid_overtime.set(now, paid);
                } else {
                    ps.paid_regular.set(now, paid);
                }
            }
        } else {
            ps.paid_overtime.add(now, -f64::from(n));
        }
        self.pool_changed(p);
    }

    /// Machine `m` lets its operators go; waiting machines may take them.
    #[inline]
    pub(super) fn release_operators(&mut self, m: u32) {
        if self.machines[m as usize].held > 0 {
            self.release_held_operators(m);
        }
    }

    /// The usual case inline: the pool is on shift with nobody absent, no
    /// repair or machine waits for people, and no cost of poor quality is
    /// kept — the operators simply go back to the pool (what
    /// [`Self::release_held_operators_generally`] does then). Out of line,
    /// so that unattended models do not carry it in their hot path.
    #[inline(never)]
    pub(super) fn release_held_operators(&mut self, m: u32) {
        let now = self.cal.now();
        let p = self.machines[m as usize].crew;
        let ps = &self.pools[p as usize];
        if self.track_sunk
            || !ps.on
            || (ps.absent | ps.surplus) != 0
            || !ps.repairs.is_empty()
            || !self.operator_queue.is_empty()
        {
            self.release_held_operators_generally(m);
            return;
        }
        let mach = &mut self.machines[m as usize];
        let n = mach.held;
        mach.crew = NONE;
        mach.held = 0;
        let ps = &mut self.pools[p as usize];
        ps.held -= n;
        ps.busy.sub(now, f64::from(n));
        // On shift with nobody absent, free + held never exceeds the count
        // (see `return_workers`): the workers simply go back.
        debug_assert!(ps.free + n <= ps.count - ps.held);
        ps.free += n;
        self.pool_changed(p);
    }

    #[inline(never)]
    pub(super) fn release_held_operators_generally(&mut self, m: u32) {
        if self.track_sunk {
            self.crew_leaves(m);
        }
        let mach = &mut self.machines[m as usize];
        let (p, n) = (mach.crew, mach.held);
        mach.crew = NONE;
        mach.held = 0;
        let now = self.cal.now();
        let ps = &mut self.pools[p as usize];
        if ps.on && (ps.absent | ps.surplus) == 0 {
            // The usual case, what `return_workers` does for it: back to
            // the pool, with nobody absent whose pay would change.
            ps.held -= n;
            ps.busy.add(now, -f64::from(n));
            ps.free = (ps.free + n).min(ps.count.saturating_sub(ps.held));
            self.pool_changed(p);
        } else {
            self.return_workers(p, n);
        }
        // Nothing waits for them (the usual case): no dispatching to do.
        if !self.pools[p as usize].repairs.is_empty() || !self.operator_queue.is_empty() {
            self.dispatch_workers(p);
        }
    }

    /// Free workers of pool `p` go to queued repairs first, then to
    /// machines waiting for operators (first come, first served among
    /// those whose needs can now be met).
    pub(super) fn dispatch_workers(&mut self, p: u32) {
        while self.pools[p as usize].on && self.pools[p as usize].free > 0 {
            let Some(m) = self.pools[p as usize].repairs.pop_front() else {
                break;
            };
            self.start_repair(m, p);
        }
        if !self.operator_queue.is_empty() {
            self.dispatch_operator_queue();
        }
    }

    /// Machines waiting for operators whose needs can now be met resume,
    /// first come, first served.
    pub(super) fn dispatch_operator_queue(&mut self) {
        let mut i = 0;
        while i < self.operator_queue.len() {
            let m = self.operator_queue[i];
            let mach = &self.machines[m as usize];
            if mach.down || !mach.paused {
                i += 1;
                continue;
            }
            let op = self.op(self.parts[mach.part as usize].op);
            if self.pick_pool(m, op).is_some() {
                self.operator_queue.remove(i);
                self.run_or_wait(m);
                // Starting may have released workers and re-entered this
                // function; scan again from the front.
                i = 0;
            } else {
                i += 1;
            }
        }
    }

    /// Pool `p`'s workers changed (taken, returned, on or off shift,
    /// absent): its active period for bottleneck detection runs while every
    /// worker present is busy, like a station's while all its machines are.
    #[inline]
    pub(super) fn pool_changed(&mut self, p: u32) {
        let ps = &mut self.pools[p as usize];
        let active = ps.tracked && ps.on && ps.held > 0 && ps.free == 0;
        if active != ps.bn_active {
            ps.bn_active = active;
            let r = self.stations.len() as u32 + p;
            let now = self.cal.now();
            if active {
                self.active.start(r, now);
            } else {
                self.active.end(r, now);
            }
        }
    }
}
