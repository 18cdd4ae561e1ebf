//! Shifts, breaks and overtime: what happens to machines and their
//! operators when a pool's stretch of work starts or ends (the
//! `shift_end` rules), and overtime authorised by a policy.

use super::*;

impl<'f> Sim<'f> {
    /// Machine `m` stops the segment it is running (its operators' shift
    /// ended under the "pause" rule); it resumes when operators return.
    pub(super) fn pause(&mut self, m: u32) {
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        if !mach.down && !mach.paused && matches!(mach.phase, Phase::Setup | Phase::Process) {
            let elapsed = now - mach.seg_start;
            mach.remaining = (mach.remaining - elapsed).max(0.0);
            mach.generation.bump();
            // A pending operating-clock failure is cancelled (it is drawn
            // again when the segment resumes); a calendar-clock failure
            // (`ttf_left` infinite) stays due.
            if mach.ttf_left.is_finite() {
                mach.ttf_left -= elapsed;
                mach.failure_gen.bump();
            }
        }
        if self.track_sunk && mach.held > 0 {
            self.crew_leaves(m);
        }
        let mach = &mut self.machines[m as usize];
        let was_paused = mach.paused;
        mach.paused = true;
        let (p, n) = (mach.crew, mach.held);
        mach.crew = NONE;
        mach.held = 0;
        if n > 0 {
            self.return_workers(p, n);
        }
        if !was_paused {
            self.operator_queue.push_back(m);
        }
        let (s, part) = (
            self.machines[m as usize].station,
            self.machines[m as usize].part,
        );
        self.set_state(m);
        self.log("pause", s, m, part);
    }

    /// At the end of a stretch under the "pause" rule, before machine `m`
    /// (which holds operators of the pool) is paused: what its crew was due
    /// to finish at this very instant is done, not paused with nothing
    /// left. The segment's end as scheduled (`seg_start + remaining`, the
    /// same sum [`Self::run_segment`] scheduled) and the walk-away time of
    /// load and walk away are compared with now by [`due_by`], never a
    /// remainder after subtraction. A setup that ends now is followed by
    /// its processing, which is then paused in full (or runs on
    /// unattended, with `operator_for = "setup"`); an operation that ends
    /// now is complete; operators due to walk away now walk away and the
    /// operation runs on unattended.
    #[cold]
    pub(super) fn settle_at_stretch_end(&mut self, m: u32) {
        let now = self.cal.now();
        let mach = &self.machines[m as usize];
        let running =
            !mach.down && !mach.paused && matches!(mach.phase, Phase::Setup | Phase::Process);
        // `run_segment` scheduled the segment's end only when no
        // operating-clock failure comes first.
        if running
            && mach.ttf_left >= mach.remaining
            && due_by(mach.seg_start + mach.remaining, now)
        {
            // Handled here: the pending end, due now, becomes stale.
            self.machines[m as usize].generation.bump();
            self.on_segment_end(m);
        }
        let mach = &self.machines[m as usize];
        if mach.held == 0
            || mach.down
            || mach.paused
            || mach.walked_away
            || mach.phase != Phase::Process
        {
            return;
        }
        if let OperatorNeed::First(t) = self.op_on(m).need {
            // `schedule_walk_away` set the release at `seg_start + t` when
            // `t` was shorter than the segment.
            if t < mach.remaining && due_by(mach.seg_start + t, now) {
                self.machines[m as usize].walked_away = true;
                self.release_operators(m);
            }
        }
    }

    /// Start (`on`) or end of working interval `index` of pool `p`.
    pub(super) fn on_shift(&mut self, p: u32, index: u32, on: bool, extended: bool) {
        let now = self.cal.now();
        if !on && !extended && self.authorise_overtime(p, index) {
            return;
        }
        let iv = self.pools[p as usize].intervals[index as usize];
        if on && !self.f.pools[p as usize].count_by_shift.is_empty() {
            self.change_crew(p, iv);
        }
        let ps = &mut self.pools[p as usize];
        if on {
            ps.on = true;
            ps.overtime_now = iv.overtime;
            ps.shift_start = iv.start;
            ps.shift_end = iv.end;
            ps.free = ps.present().saturating_sub(ps.held);
            // A new working day (for fatigue) begins after at least 4 hours
            // off; breaks and back-to-back shifts continue the same day.
            if ps.work_day < 0 || now - ps.last_off >= 4.0 * HOUR {
                ps.work_day = (now / DAY).floor() as i64;
                ps.work_start = now;
            }
            // Workers still finishing from the last shift are now on it.
            let finishing = ps.paid_overtime.level();
            let present = f64::from(ps.present());
            // (Those beyond a smaller crew stay on overtime.)
            let surplus = f64::from(ps.surplus);
            if iv.overtime {
                ps.paid_overtime.add(now, present + surplus - finishing);
            } else {
                ps.paid_overtime.add(now, surplus - finishing);
                ps.paid_regular.set(now, present);
            }
            self.pool_changed(p);
            self.cal.schedule_at(
                iv.end,
                Event::Shift {
                    pool: p,
                    index,
                    on: false,
                    extended: false,
                },
            );
            self.log("shift_start", NONE, NONE, NONE);
            self.refresh_waiting_states();
            self.dispatch_workers(p);
        } else {
            ps.on = false;
            ps.free = 0;
            ps.last_off = now;
            ps.paid_regular.set(now, 0.0);
            // Under "finish", busy workers stay (paid as overtime) until
            // their operation or repair ends.
            // (Under "pause", operators are sent home just below.)
            ps.paid_overtime.set(now, f64::from(ps.held));
            if let Some(next) = ps.intervals.get(index as usize + 1) {
                self.cal.schedule_at(
                    next.start,
                    Event::Shift {
                        pool: p,
                        index: index + 1,
                        on: true,
                        extended: false,
                    },
                );
            }
            self.pool_changed(p);
            self.log("shift_end", NONE, NONE, NONE);
            if self.pools[p as usize].rule == ShiftEnd::Pause {
                for m in 0..self.machines.len() as u32 {
                    if self.machines[m as usize].crew == p && self.machines[m as usize].held > 0 {
                        self.settle_at_stretch_end(m);
                    }
                    if self.machines[m as usize].crew == p && self.machines[m as usize].held > 0 {
                        self.pause(m);
                    }
                }
            }
            self.refresh_waiting_states();
        }
    }

    /// At the end of interval `index` of pool `p`: if its overtime policy's
    /// trigger holds and the caps allow, the pool stays on (as overtime)
    /// and true is returned.
    pub(super) fn authorise_overtime(&mut self, p: u32, index: u32) -> bool {
        let Some(policy) = self.f.pools[p as usize]
            .calendar
            .as_ref()
            .and_then(|c| c.overtime_policy)
        else {
            return false;
        };
        let ps = &self.pools[p as usize];
        let iv = ps.intervals[index as usize];
        if iv.overtime || !iv.ends_shift {
            return false; // scheduled overtime and breaks are not extended
        }
        let now = self.cal.now();
        let holds = match policy.trigger {
            OvertimeTrigger::WipAbove(x) => self.wip.level() > x,
            OvertimeTrigger::QueueAbove(s, x) => self.stations[s.0 as usize].queue.len() as f64 > x,
            OvertimeTrigger::BacklogAbove(x) => self.backlog.level() > x,
        };
        if !holds {
            return false;
        }
        let day = (now / DAY).floor() as i64;
        let week = (now / WEEK).floor() as i64;
        let ps = &mut self.pools[p as usize];
        if ps.ot_day != day {
            ps.ot_day = day;
            ps.ot_day_used = 0.0;
        }
        if ps.ot_week != week {
            ps.ot_week = week;
            ps.ot_week_used = 0.0;
        }
        let mut hours = policy
            .extend_by
            .min(policy.max_per_day - ps.ot_day_used)
            .min(policy.max_per_week - ps.ot_week_used);
        if let Some(next) = ps.intervals.get(index as usize + 1) {
            hours = hours.min(next.start - now);
        }
        if hours <= 0.0 {
            return false;
        }
        ps.ot_day_used += hours;
        ps.ot_week_used += hours;
        ps.overtime_authorised += 1;
        ps.overtime_now = true;
        ps.shift_end = now + hours;
        let on_duty = f64::from(ps.present());
        ps.paid_regular.set(now, 0.0);
        ps.paid_overtime.set(now, on_duty);
        self.cal.schedule_at(
            now + hours,
            Event::Shift {
                pool: p,
                index,
                on: false,
                extended: true,
            },
        );
        self.log("overtime_start", NONE, NONE, NONE);
        true
    }

    /// Machines waiting for operators switch between "waiting for
    /// operator" and "off shift" as pools come and go.
    pub(super) fn refresh_waiting_states(&mut self) {
        for i in 0..self.operator_queue.len() {
            let m = self.operator_queue[i];
            if self.machines[m as usize].paused {
                self.set_state(m);
            }
        }
    }
}
