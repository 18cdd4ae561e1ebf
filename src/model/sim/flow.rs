//! The flow of parts: parts made and retired, room at a station and
//! blocking, an operation from its start to its completion (setup,
//! processing, completion, routing to the next station), and arrivals and
//! releases into the plant.

use super::*;

impl<'f> Sim<'f> {
    // ----- parts -------------------------------------------------------

    /// A new part of `product`, made for customer order `order` (or NONE).
    #[inline(always)]
    pub(super) fn new_part(&mut self, product: u32, order: u32) -> u32 {
        let now = self.cal.now();
        let due = if order == NONE {
            f64::INFINITY
        } else {
            self.orders[order as usize].due
        };
        let part = Part {
            product,
            op: self.first_op[product as usize],
            released_at: now,
            serial: self.serial,
            order,
            due,
            latent: false,
            reworked: false,
            kit: NONE,
            for_kit: NONE,
        };
        self.serial += 1;
        self.released += 1;
        self.in_process += 1;
        if self.in_process >= self.f.max_parts {
            self.overload();
        }
        self.products[product as usize].released += 1;
        self.wip.add(now, 1.0);
        let id = store(&mut self.parts, &mut self.free_parts, part);
        self.log("release", NONE, NONE, id);
        id
    }

    /// The parts in the system reached `Factory::max_parts`: note where
    /// they are and end the run now (the loops releasing a batch or an
    /// order's units stop too). Called where a part is made, never per
    /// event.
    #[cold]
    #[inline(never)]
    pub(super) fn overload(&mut self) {
        if self.overloaded.is_some() {
            return;
        }
        let (most, at) = self
            .stations
            .iter()
            .enumerate()
            .map(|(i, st)| (st.queue.len() + st.waiters.len(), i))
            .max()
            .unwrap_or((0, 0));
        let now = self.cal.now();
        let station = self.f.stations.get(at).map_or("?", |s| s.name.as_str());
        self.overloaded = Some(format!(
            "work in process is exploding: {} parts in the system at {} ({} waiting at station \"{station}\"), the limit of `simulation.max_parts` ({})",
            u64::from(self.in_process) + self.gate.len() as u64,
            crate::engine::format_duration(now),
            most,
            self.f.max_parts
        ));
        self.cal.schedule_at(now, Event::End);
    }

    pub(super) fn retire_part(&mut self, part: u32) {
        self.in_process -= 1;
        self.wip.add(self.cal.now(), -1.0);
        self.free_parts.push(part);
    }
    // ----- room at a station --------------------------------------------

    /// True if a part arriving at station `s` now could enter it.
    #[inline(always)]
    pub(super) fn has_room(&self, s: u32) -> bool {
        let st = &self.stations[s as usize];
        if st.queue.is_empty() && !st.idle.is_empty() {
            return true;
        }
        (st.queue.len() as u32 + st.reserved) < st.capacity
    }

    /// Puts `part` into station `s`: straight onto an idle machine when the
    /// buffer is empty, else at the back of the buffer. The caller has
    /// checked [`Self::has_room`] or holds a reservation.
    pub(super) fn enter(&mut self, s: u32, part: u32) {
        self.enter_op(s, part, self.parts[part as usize].op);
    }

    /// [`Self::enter`], the part's operation `op` already at hand: the
    /// part's record is neither read nor written.
    pub(super) fn enter_op(&mut self, s: u32, part: u32, op: u32) {
        let now = self.cal.now();
        let st = &mut self.stations[s as usize];
        st.starts += 1;
        if st.queue.is_empty()
            && let Some(m) = st.idle.pop(&self.idle_below)
        {
            self.begin_op(m, part, op);
        } else {
            st.queue.push_back(Queued { part, op, at: now });
            st.queue_len.add(now, 1.0);
            let batch = st.batch;
            self.waiting.add(now, 1.0);
            self.log("enqueue", s, NONE, part);
            if batch != NONE {
                self.batch_arrival(s);
            }
        }
    }

    /// Repeats the three moves that room or idleness at station `s` allows,
    /// until none applies.
    pub(super) fn station_changed(&mut self, s: u32) {
        if self.stations[s as usize].batch != NONE {
            return self.batch_station_changed(s);
        }
        loop {
            let st = &mut self.stations[s as usize];
            // 1. An idle machine takes the first queued part.
            if !st.queue.is_empty()
                && let Some(m) = st.idle.pop(&self.idle_below)
            {
                let q = if st.fifo {
                    st.queue.pop_front().expect("queue is not empty")
                } else {
                    self.take_by_rule(s, m)
                };
                let st = &mut self.stations[s as usize];
                let now = self.cal.now();
                let wait = now - q.at;
                if wait > 0.0 {
                    st.waited += 1;
                    st.wait_sum += wait;
                }
                st.queue_len.add(now, -1.0);
                self.waiting.add(now, -1.0);
                self.begin_op(m, q.part, q.op);
                continue;
            }
            // 2. Room lets the first waiter (not under repair) in.
            if !st.waiters.is_empty() && self.has_room(s) {
                let st = &mut self.stations[s as usize];
                let machines = &self.machines;
                let live = |w: &Waiter| match *w {
                    Waiter::AfterService(m)
                    | Waiter::BeforeService(m)
                    | Waiter::BatchAfterService(m)
                    | Waiter::Transport { machine: m, .. } => !machines[m as usize].down,
                    Waiter::Release(_) => true,
                };
                // Usually the first waiter is live: take it without a scan.
                let (w, pos) = if st.waiters.front().is_some_and(live) {
                    (st.waiters.pop_front(), 0)
                } else {
                    match st.waiters.iter().position(live) {
                        Some(pos) => (st.waiters.remove(pos), pos),
                        None => (None, 0),
                    }
                };
                if let Some(w) = w {
                    // A part going on by mover needs a place it can
                    // reserve; without one it keeps its place in line.
                    if matches!(w, Waiter::Transport { .. }) && !self.room_for_move(s) {
                        self.stations[s as usize].waiters.insert(pos, w);
                    } else {
                        self.serve(s, w);
                        continue;
                    }
                }
            }
            // 3. A saturated source feeds an idle machine.
            let st = &mut self.stations[s as usize];
            if st.source && st.queue.is_empty() && !st.idle.is_empty() {
                let product = st.saturated[st.next_saturated];
                st.next_saturated = (st.next_saturated + 1) % st.saturated.len();
                let m = st.idle.pop(&self.idle_below).expect("idle is not empty");
                st.starts += 1;
                let part = self.new_part(product, NONE);
                if self.asm.any() {
                    self.release_kits(part);
                }
                self.begin(m, part);
                continue;
            }
            break;
        }
    }

    /// Lets waiter `w` into station `s`, which has room. Inlined into
    /// [`Self::station_changed`], as it always was (a second caller, the
    /// batch stations' loop, would otherwise keep it out of line).
    #[inline(always)]
    pub(super) fn serve(&mut self, s: u32, w: Waiter) {
        match w {
            Waiter::AfterService(m) => {
                let part = self.machines[m as usize].part;
                self.log("unblock", self.machines[m as usize].station, m, part);
                self.release_machine(m);
                self.enter(s, part);
                let from = self.machines[m as usize].station;
                self.station_changed(from);
            }
            Waiter::BeforeService(m) => {
                self.stations[s as usize].reserved += 1;
                self.machines[m as usize].reserved_at = s;
                self.start_work(m);
            }
            Waiter::Release(part) => {
                self.waiting.add(self.cal.now(), -1.0);
                self.enter(s, part);
            }
            Waiter::BatchAfterService(m) => self.batch_unblocked(m, s),
            Waiter::Transport { machine, pool } => self.serve_transport(s, machine, pool),
        }
    }

    /// Takes the part off machine `m` and makes the machine idle.
    #[inline(always)]
    pub(super) fn release_machine(&mut self, m: u32) {
        let mach = &mut self.machines[m as usize];
        mach.part = NONE;
        mach.op = NONE;
        mach.phase = Phase::Empty;
        let station = mach.station;
        let down = mach.down;
        if !down && self.pm.is_empty() && self.stations[station as usize].single {
            // The usual case: the state change waits for the end of the
            // event, where it is moot if the machine has taken its next
            // part by then (see `Sim::idle_pending`).
            self.apply_idle_pending();
            self.idle_pending = m;
            self.make_idle(station, m);
            return;
        }
        self.set_state(m);
        if !down && (self.pm.is_empty() || !self.maintenance_after_part(m)) {
            self.make_idle(station, m);
        }
    }

    // ----- operations -----------------------------------------------------

    /// Machine `m` (idle, up) takes `part`: with blocking before service it
    /// first needs room at the next station.
    #[inline]
    pub(super) fn begin(&mut self, m: u32, part: u32) {
        self.begin_op(m, part, self.parts[part as usize].op);
    }

    /// [`Self::begin`], the part's operation `op` already at hand.
    #[inline]
    pub(super) fn begin_op(&mut self, m: u32, part: u32, op: u32) {
        let o = self.op(op);
        let mach = &mut self.machines[m as usize];
        mach.part = part;
        mach.op = op;
        mach.end = o.end;
        mach.reserved_at = NONE;
        mach.defect = NONE;
        let s = mach.station;
        if self.stations[s as usize].blocking == Blocking::BeforeService {
            let next = self.ops[op as usize].end.next;
            if next != NONE && self.ops[next as usize].station != NONE {
                let k = self.ops[next as usize].station;
                if self.has_room(k) {
                    self.stations[k as usize].reserved += 1;
                    self.machines[m as usize].reserved_at = k;
                } else {
                    self.machines[m as usize].phase = Phase::AwaitStart;
                    self.set_state(m);
                    self.stations[k as usize]
                        .waiters
                        .push_back(Waiter::BeforeService(m));
                    self.log("wait_for_room", s, m, part);
                    return;
                }
            }
        }
        self.start_work(m);
    }

    /// Machine `m` starts the operation of its part: takes its raw
    /// materials (or waits for them), then [`Self::start_operation`].
    #[inline]
    pub(super) fn start_work(&mut self, m: u32) {
        let op = self.op_on(m);
        if op.kit && !self.take_kit(m) {
            return;
        }
        if op.takes_materials && !self.take_materials(m) {
            return;
        }
        self.start_operation_of(m, op);
    }

    /// Starts setup (if the product changes and the operation has one) or
    /// processing of the part on machine `m`.
    pub(super) fn start_operation(&mut self, m: u32) {
        let op = self.op_on(m);
        self.start_operation_of(m, op);
    }

    /// [`Self::start_operation`], the part's operation `op` already at hand.
    #[inline(always)]
    pub(super) fn start_operation_of(&mut self, m: u32, op: &'f Op<'f>) {
        let mach = &self.machines[m as usize];
        let s = mach.station as usize;
        // `has_setup` first: `setup` is in the operation's second line.
        let setup = if op.has_setup && mach.last_family != op.family {
            op.setup
        } else {
            None
        };
        let (phase, duration) = match setup {
            Some(setup) => (
                Phase::Setup,
                setup.sample(&mut self.stations[s].setup_stream),
            ),
            _ => (Phase::Process, self.process_time(op, m)),
        };
        let mach = &mut self.machines[m as usize];
        mach.last_family = op.family;
        mach.phase = phase;
        mach.remaining = duration;
        mach.fresh = true;
        mach.walked_away = false;
        self.run_or_wait(m);
    }

    /// A process time for operation `op` on machine `m`: a draw from the
    /// station's process stream, times the machine's factor at a station
    /// with automated machines beside manual ones (every other machine's
    /// factor is 1, and `x * 1.0` is `x`).
    #[inline(always)]
    fn process_time(&mut self, op: &Op<'f>, m: u32) -> f64 {
        let s = self.machines[m as usize].station as usize;
        let st = &mut self.stations[s];
        let d = op.sample_process(&mut st.process_stream);
        if st.mixed {
            d * self.machines[m as usize].factor
        } else {
            d
        }
    }

    /// Machine `m` has a segment (setup or processing) to run: it runs now
    /// if it has the operators it needs, else it waits for them.
    pub(super) fn run_or_wait(&mut self, m: u32) {
        let mach = &self.machines[m as usize];
        let part = mach.part;
        let s = mach.station;
        let op = self.op(mach.op);
        let phase = mach.phase;
        // An automated machine beside manual ones may run unattended.
        let attended = op.operators > 0 && !mach.unattended;
        if attended
            && mach.held == 0
            && !(mach.walked_away && phase == Phase::Process)
            && !self.try_staff_from(m, op)
            && !self.staff(m, op)
        {
            return;
        }
        if self.any_fatigue
            && phase == Phase::Process
            && self.machines[m as usize].held > 0
            && self.machines[m as usize].fresh
        {
            self.apply_fatigue(m);
        }
        let mach = &mut self.machines[m as usize];
        mach.paused = false;
        mach.fresh = false;
        let duration = mach.remaining;
        self.set_state(m);
        if phase == Phase::Setup {
            self.log("setup_start", s, m, part);
        } else {
            self.log("process_start", s, m, part);
            self.schedule_walk_away(m, op, duration);
        }
        self.run_segment(m);
    }

    /// Schedules the end of machine `m`'s current segment, or the breakdown
    /// that will interrupt it first (operating-time failures).
    #[inline]
    pub(super) fn run_segment(&mut self, m: u32) {
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        mach.seg_start = now;
        if mach.ttf_left < mach.remaining {
            // Operating-clock failure strikes before the segment ends.
            let at = now + mach.ttf_left;
            let stamp = mach.failure_gen.current();
            self.cal
                .schedule_at(at, Event::Failure { machine: m, stamp });
        } else {
            let stamp = mach.generation.current();
            self.cal.schedule_at(
                now + mach.remaining,
                Event::SegmentEnd { machine: m, stamp },
            );
        }
    }

    pub(super) fn on_segment_end(&mut self, m: u32) {
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        if mach.ttf_left.is_finite() {
            mach.ttf_left -= now - mach.seg_start;
        }
        mach.remaining = 0.0;
        match mach.phase {
            Phase::Setup => {
                let d = self.process_time(self.op_on(m), m);
                let mach = &mut self.machines[m as usize];
                mach.phase = Phase::Process;
                mach.remaining = d;
                mach.fresh = true;
                self.run_or_wait(m);
            }
            Phase::Process => self.complete(m),
            _ => unreachable!("segment end without work"),
        }
    }

    /// Machine `m` has processed its part: quality draw, then the part
    /// moves on (or the machine blocks).
    pub(super) fn complete(&mut self, m: u32) {
        let now = self.cal.now();
        let s = self.machines[m as usize].station;
        let part = self.machines[m as usize].part;
        let op_index = self.machines[m as usize].op;
        if self.stations[s as usize].batch != NONE {
            return self.complete_batch(m);
        }
        self.log("process_end", s, m, part);
        self.release_operators(m);
        if self.track_sunk {
            self.operation_cost(m, part, op_index);
        }
        // Work done by tired operators is scrapped more often, and so is a
        // part built with a defective raw-material unit. The reservation
        // and the defect are the machine's (of its part's operation), so
        // that a part going on is not read here, and so is what the end of
        // the operation needs of it, so that its line is not read either
        // (issue #17).
        let any_fatigue = self.any_fatigue;
        let mach = &mut self.machines[m as usize];
        let tired_scrap = if any_fatigue {
            std::mem::take(&mut mach.fatigue_scrap)
        } else {
            0.0
        };
        let end = mach.end;
        let defect = std::mem::replace(&mut mach.defect, NONE);
        let reserved_at = std::mem::replace(&mut mach.reserved_at, NONE);
        let mut extra_scrap = tired_scrap;
        if defect != NONE {
            extra_scrap += self.defect_scrap(defect);
        }
        self.stations[s as usize].operations += 1;
        // Scrapped by the draw because of the defective unit, not by the
        // operation's own scrap rate or fatigue.
        let (next_op, scrapped, reworked, by_defect) = self.quality_outcome(
            s,
            part,
            op_index,
            end.next,
            end.quality,
            extra_scrap,
            tired_scrap,
        );
        let defect_hit = defect != NONE && by_defect;
        // A reservation made for the nominal next station is used only if
        // the part goes there.
        let goes_on = !scrapped && !reworked && next_op != NONE;
        if reserved_at != NONE && !goes_on {
            self.stations[reserved_at as usize].reserved -= 1;
        }

        if defect_hit {
            self.defect_scrapped(defect, op_index);
        }
        if scrapped {
            let p = self.parts[part as usize];
            let raw_sunk = self.op(op_index).raw_sunk;
            self.part_scrapped::<true>(part, p, raw_sunk, s, m);
        } else if next_op == NONE {
            let p = self.parts[part as usize];
            self.part_finished::<true>(part, p, s, m, now);
        } else {
            if reworked {
                self.log("rework", s, m, part);
            }
            self.parts[part as usize].op = next_op;
            self.machines[m as usize].op = next_op;
            // The routing's next step is known from this operation's line;
            // a rework's step is read from its own.
            let (k, shared) = if next_op == end.next {
                (end.next_station, end.next_shared)
            } else {
                let next = self.op(next_op);
                (next.station, next.shared)
            };
            if k == NONE {
                // A subcontracted step.
                self.release_machine(m);
                self.send_part_out(part);
            } else if shared && self.sent_out(self.op(next_op)) {
                // Part of a step sent out, and this part drawn for it.
                self.release_machine(m);
                if reserved_at == k {
                    self.stations[k as usize].reserved -= 1;
                }
                self.send_part_out(part);
                if reserved_at == k {
                    self.station_changed(k);
                }
            } else if end.by_mover {
                let mover = self.op(op_index).mover;
                self.leave_by_mover(m, part, k, mover, reworked, reserved_at == k && goes_on);
            } else if reserved_at == k && goes_on {
                self.stations[k as usize].reserved -= 1;
                self.release_machine(m);
                self.enter_op(k, part, next_op);
            } else if reworked || self.has_room(k) {
                // A part sent back for rework is carried to its station's
                // queue even when the buffer is full: otherwise a loop of
                // full buffers would deadlock the line.
                self.release_machine(m);
                self.enter_op(k, part, next_op);
            } else if self.stations[k as usize].overflow != NONE && self.overflow(k, part) {
                self.release_machine(m);
            } else {
                self.machines[m as usize].phase = Phase::Finished;
                self.set_state(m);
                self.stations[k as usize]
                    .waiters
                    .push_back(Waiter::AfterService(m));
                self.log("blocked", s, m, part);
            }
        }
        if reserved_at != NONE && !goes_on {
            self.station_changed(reserved_at);
        }
        self.station_changed(s);
        if self.wip_cap != u32::MAX {
            self.pump_gate();
        }
    }

    /// The outcome of operation `op_index` on `part` at station `s`: one
    /// uniform draw splits scrap (at the operation's rate plus
    /// `extra_scrap`) / rework / pass, then an inspection may find a
    /// hidden defect; a reworked part is marked and, with cost tracking,
    /// starts a rework visit. Returns the part's next operation, whether it
    /// was scrapped or reworked, and whether the draw scrapped it beyond
    /// the operation's rate plus `own_extra` (of `extra_scrap`, the part
    /// not due to a defective raw-material unit). `next` and `quality` are
    /// the operation's (its `next` and `quality`), so that the usual pass
    /// without a draw does not read its line.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn quality_outcome(
        &mut self,
        s: u32,
        part: u32,
        op_index: u32,
        next: u32,
        quality: bool,
        extra_scrap: f64,
        own_extra: f64,
    ) -> (u32, bool, bool, bool) {
        let mut next_op = next;
        let (mut scrapped, mut reworked, mut beyond) = (false, false, false);
        if quality || extra_scrap > 0.0 {
            let op = self.op(op_index);
            let st = &mut self.stations[s as usize];
            let u = st.quality_stream.uniform();
            if u < op.scrap + extra_scrap {
                scrapped = true;
                st.scrapped += 1;
                beyond = u >= op.scrap + own_extra;
            } else if u < op.scrap + extra_scrap + op.rework {
                // Always back to this operation or an earlier one.
                next_op = op.rework_to;
                reworked = true;
                st.reworked += 1;
                self.reworked += 1;
            }
            if !scrapped && !reworked && (op.defect_rate > 0.0 || op.inspect > 0.0) {
                (scrapped, reworked) = self.inspect(s, part, op);
                if reworked {
                    next_op = op.rework_to;
                }
            }
        }
        if reworked {
            self.parts[part as usize].reworked = true;
            if self.track_sunk {
                self.rework_visit(part, op_index);
            }
        }
        (next_op, scrapped, reworked, beyond)
    }

    /// Part `part` (`p` as it was at the end of its operation) is scrapped
    /// after its operation on machine `m` of station `s`: counted, its
    /// sunk cost booked, logged, retired and, for an order, replaced.
    /// `RELEASE`: the machine lets it go (a batch machine hands its parts
    /// on itself).
    #[inline(always)]
    pub(super) fn part_scrapped<const RELEASE: bool>(
        &mut self,
        part: u32,
        p: Part,
        raw_sunk: f64,
        s: u32,
        m: u32,
    ) {
        self.scrapped += 1;
        self.scrap_sunk(part, raw_sunk);
        self.log("scrap", s, m, part);
        if RELEASE {
            self.release_machine(m);
        }
        self.retire_part(part);
        self.products[p.product as usize].scrapped += 1;
        if p.kit != NONE {
            self.leave_kits(p);
        }
        if p.for_kit != NONE {
            self.component_scrapped(p);
        } else if self.f.products[p.product as usize].release_is_orders() {
            self.replace_scrapped(p.product, p.order);
        }
    }

    /// Part `part` finished its last operation, on machine `m` of station
    /// `s`, good: counted, its cycle time recorded, retired and delivered.
    /// `RELEASE` as for [`Self::part_scrapped`].
    #[inline(always)]
    pub(super) fn part_finished<const RELEASE: bool>(
        &mut self,
        part: u32,
        p: Part,
        s: u32,
        m: u32,
        now: f64,
    ) {
        if p.for_kit != NONE {
            self.good_per_product[p.product as usize] += 1;
            self.finished_quality(part);
            self.log("made_for_kit", s, m, part);
            if RELEASE {
                self.release_machine(m);
            }
            return self.component_done(part, p);
        }
        self.good += 1;
        self.good_per_product[p.product as usize] += 1;
        self.cycle.record(now - p.released_at);
        self.finished_quality(part);
        self.log("finish", s, m, part);
        if RELEASE {
            self.release_machine(m);
        }
        self.retire_part(part);
        if self.products[p.product as usize].plain {
            self.products[p.product as usize].delivered += 1;
        } else {
            self.unit_done(p.product, p.order, 1);
        }
    }

    // ----- arrivals -------------------------------------------------------

    /// A release of `product`'s Poisson (or other renewal) process: the
    /// next one scheduled, and its parts made. Out of line, so that the
    /// event loop of a plant without arrivals does not carry it.
    #[inline(never)]
    pub(super) fn on_arrival(&mut self, product: u32) {
        let f = self.f;
        let a = &mut self.arrivals[product as usize];
        let gap = match a.fast.draw(a.param, &mut a.stream) {
            Some(gap) => gap,
            None => {
                let Release::Arrivals { interarrival, .. } = &f.products[product as usize].release
                else {
                    unreachable!("arrival of a saturated product")
                };
                interarrival.sample(&mut a.stream)
            }
        };
        let batch = a.batch;
        self.cal.schedule_in(gap, Event::Arrival(product));
        for _ in 0..batch {
            if self.overloaded.is_some() {
                break;
            }
            self.release_unit(product, NONE);
        }
    }

    /// Releases one part of `product` (for `order`, or NONE) — at once, or
    /// through the CONWIP gate.
    #[inline]
    pub(super) fn release_unit(&mut self, product: u32, order: u32) {
        if self.wip_cap == u32::MAX {
            self.place_new_part(product, order);
        } else {
            self.gate.push_back((product, order));
            if self.gate.len() >= self.f.max_parts as usize {
                self.overload();
            }
            self.pump_gate();
        }
    }

    /// Creates a part and puts it into its first station: into the buffer
    /// if there is room, to the station's overflow contractor if not, else
    /// held at release until room appears.
    #[inline]
    pub(super) fn place_new_part(&mut self, product: u32, order: u32) {
        let part = self.new_part(product, order);
        if self.asm.any() {
            self.release_kits(part);
        }
        self.route(part);
    }

    /// Moves `part` to the station of its current operation: into the
    /// buffer if there is room, to the station's overflow contractor if
    /// not, else held until room appears; or out to the contractor of a
    /// subcontracted step.
    #[inline(always)]
    pub(super) fn route(&mut self, part: u32) {
        let op = self.op(self.parts[part as usize].op);
        let s = op.station;
        if s == NONE || (op.shared && self.sent_out(op)) {
            self.send_part_out(part);
        } else if self.has_room(s) && self.stations[s as usize].waiters.is_empty() {
            self.enter(s, part);
        } else if self.stations[s as usize].overflow == NONE || !self.overflow(s, part) {
            self.waiting.add(self.cal.now(), 1.0);
            self.stations[s as usize]
                .waiters
                .push_back(Waiter::Release(part));
            self.log("held_at_release", s, NONE, part);
        }
    }

    /// Releases parts through the CONWIP gate while the plant holds fewer
    /// than the cap: first units of orders waiting, then saturated
    /// products.
    pub(super) fn pump_gate(&mut self) {
        while self.in_process < self.wip_cap {
            if let Some((product, order)) = self.gate.pop_front() {
                if order != NONE {
                    self.orders[order as usize].released_any = true;
                }
                self.place_new_part(product, order);
            } else if !self.gate_saturated.is_empty() {
                let i = self.next_gate_saturated;
                self.next_gate_saturated = (i + 1) % self.gate_saturated.len();
                self.place_new_part(self.gate_saturated[i], NONE);
            } else {
                break;
            }
        }
    }

    /// The part freed machine `m` at station `s` takes under a dispatching
    /// rule other than FIFO: the best key, the earliest queued on a tie.
    #[inline(never)]
    pub(super) fn take_by_rule(&mut self, s: u32, m: u32) -> Queued {
        if self.stations[s as usize].dispatch.setup_aware() {
            return self.take_setup_aware(s, m);
        }
        let st = &self.stations[s as usize];
        let key = |part: u32| -> f64 {
            let p = &self.parts[part as usize];
            match st.dispatch {
                Dispatch::Fifo => 0.0,
                Dispatch::EarliestDue => p.due,
                Dispatch::ShortestProcessing => self.ops[p.op as usize].mean_process,
                Dispatch::Priority => -(self.f.products[p.product as usize].priority as f64),
                Dispatch::MinSetup | Dispatch::Campaign { .. } => 0.0,
            }
        };
        let mut best = 0;
        let mut best_key = f64::INFINITY;
        for (i, q) in st.queue.iter().enumerate() {
            let k = key(q.part);
            if k < best_key || i == 0 {
                best = i;
                best_key = k;
            }
        }
        self.stations[s as usize]
            .queue
            .remove(best)
            .expect("the queue is not empty")
    }
}
