//! Batch stations (ovens, coating lines): a machine processes several
//! parts of one product family together.
//!
//! Parts wait in the station's buffer as at any station, but no machine
//! takes one alone: a free machine starts a batch of a family when the
//! [`BatchRule`](crate::model::BatchRule) allows (`max` parts waiting; or
//! `min` waiting and, with `wait_up_to`, the family's oldest part waiting
//! that long). Among the families ready, `fifo` takes the one whose part
//! has waited longest; `min_setup` and `campaign` prefer the family the
//! machine last ran (a campaign up to its limit of parts). The batch's
//! setup (if its family differs from the machine's last) and process time
//! are drawn once, from the operation of its first part, which also
//! decides the operators. At the end every part gets its own quality draw;
//! parts going on leave one by one, in batch order, as room allows
//! downstream — the machine stays blocked holding the rest.
//!
//! A batch station's machines are never in the station's `idle` list, so
//! the flow code of single-part stations never starts them; all the
//! station's bookkeeping runs through [`Sim::batch_station_changed`].

use super::*;
use crate::model::BatchRule;

/// One batch station during the run.
pub(super) struct BatchStation {
    min: u32,
    max: u32,
    /// Longest wait for a full batch (infinite: start with `min`).
    wait_up_to: f64,
    first_machine: u32,
    /// Per machine of the station: the parts of its batch still on it, in
    /// batch order, and how many of them have left.
    loads: Vec<Vec<u32>>,
    left: Vec<u32>,
    /// Scratch, by family: parts waiting and the time the oldest of them
    /// joined the queue; and the families seen, oldest part first.
    counts: Vec<u32>,
    oldest: Vec<f64>,
    seen: Vec<u32>,
    /// Earliest pending [`Event::BatchWake`] (infinite: none).
    wake_at: f64,
    /// [`Sim::batch_station_changed`] is running for this station.
    busy: bool,
    /// Batches started and parts in them (after warm-up).
    batches: u64,
    parts: u64,
}

impl BatchStation {
    pub(super) fn new(
        rule: &BatchRule,
        first_machine: u32,
        machines: u32,
        families: usize,
    ) -> Self {
        BatchStation {
            min: rule.min,
            max: rule.max,
            wait_up_to: rule.wait_up_to.unwrap_or(f64::INFINITY),
            first_machine,
            loads: (0..machines)
                .map(|_| Vec::with_capacity(rule.max.min(1024) as usize))
                .collect(),
            left: vec![0; machines as usize],
            counts: vec![0; families],
            oldest: vec![0.0; families],
            seen: Vec::with_capacity(families),
            wake_at: f64::INFINITY,
            busy: false,
            batches: 0,
            parts: 0,
        }
    }

    pub(super) fn reset_statistics(&mut self) {
        self.batches = 0;
        self.parts = 0;
    }

    /// Family `f` may start a batch now.
    fn ready(&self, f: u32, now: f64) -> bool {
        let n = self.counts[f as usize];
        n >= self.max
            || (n >= self.min && self.oldest[f as usize] + self.wait_up_to <= now)
            || (n >= self.min && self.wait_up_to.is_infinite())
    }
}

impl<'f> Sim<'f> {
    /// Batches started and parts in them at batch station `b` (NONE: not
    /// a batch station).
    pub(super) fn batch_count(&self, b: u32) -> (u64, u64) {
        match self.batches.get(b as usize) {
            Some(bs) => (bs.batches, bs.parts),
            None => (0, 0),
        }
    }

    /// A part joined the queue of batch station `s`. Cold: kept out of
    /// the way of the flow of single-part stations.
    #[cold]
    #[inline(never)]
    pub(super) fn batch_arrival(&mut self, s: u32) {
        // A batch station's `starts` counts parts taken into batches (see
        // `start_batch`), not parts entering, so that its waits and the
        // share that waited are over the same parts.
        self.stations[s as usize].starts -= 1;
        let b = self.stations[s as usize].batch as usize;
        if !self.batches[b].busy {
            self.batch_station_changed(s);
        }
    }

    #[cold]
    #[inline(never)]
    pub(super) fn on_batch_wake(&mut self, s: u32) {
        let b = self.stations[s as usize].batch as usize;
        if self.batches[b].wake_at <= self.cal.now() {
            self.batches[b].wake_at = f64::INFINITY;
        }
        self.station_changed(s);
    }

    /// [`Sim::station_changed`] for batch station `s`: room lets waiters
    /// in, free machines start batches, until neither applies.
    pub(super) fn batch_station_changed(&mut self, s: u32) {
        let b = self.stations[s as usize].batch as usize;
        if self.batches[b].busy {
            return;
        }
        self.batches[b].busy = true;
        loop {
            let st = &mut self.stations[s as usize];
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
                let pos = st.waiters.iter().position(live);
                if let Some(w) = pos.and_then(|pos| st.waiters.remove(pos)) {
                    self.serve(s, w);
                    continue;
                }
            }
            if self.try_start_batch(s) {
                continue;
            }
            break;
        }
        self.batches[b].busy = false;
    }

    /// Starts a batch on a free machine of batch station `s` if its rule
    /// lets a family start; else makes sure the station wakes when the
    /// oldest part of a family with enough parts has waited `wait_up_to`.
    fn try_start_batch(&mut self, s: u32) -> bool {
        let now = self.cal.now();
        let b = self.stations[s as usize].batch as usize;
        if self.stations[s as usize].queue.is_empty() {
            return false;
        }
        let bs = &self.batches[b];
        let first = bs.first_machine;
        let Some(m) = (first..first + bs.loads.len() as u32).find(|&m| {
            let mach = &self.machines[m as usize];
            mach.phase == Phase::Empty && !mach.down
        }) else {
            return false;
        };
        // Parts waiting per family, families by their oldest part.
        let ops = self.ops;
        let bs = &mut self.batches[b];
        for q in &self.stations[s as usize].queue {
            let f = ops[q.op as usize].family;
            if bs.counts[f as usize] == 0 {
                bs.seen.push(f);
                bs.oldest[f as usize] = q.at;
            }
            bs.counts[f as usize] += 1;
        }
        let mach = &self.machines[m as usize];
        let last = mach.last_family;
        let bs = &self.batches[b];
        let last_ready = last != NONE && bs.counts[last as usize] > 0 && bs.ready(last, now);
        let first_ready = |skip: u32| {
            bs.seen
                .iter()
                .copied()
                .find(|&f| f != skip && bs.ready(f, now))
        };
        let pick = match self.stations[s as usize].dispatch {
            Dispatch::MinSetup if last_ready => Some(last),
            Dispatch::Campaign { limit } => {
                let run = self.campaigns[m as usize].run_of(last);
                if last_ready && run < limit {
                    Some(last)
                } else {
                    first_ready(last).or(last_ready.then_some(last))
                }
            }
            _ => first_ready(NONE),
        };
        // The next time a family's oldest part will have waited long enough.
        let wake = match pick {
            Some(_) => f64::INFINITY,
            None => bs
                .seen
                .iter()
                .filter(|&&f| bs.counts[f as usize] >= bs.min)
                .map(|&f| bs.oldest[f as usize] + bs.wait_up_to)
                .fold(f64::INFINITY, f64::min),
        };
        let bs = &mut self.batches[b];
        for &f in &bs.seen {
            bs.counts[f as usize] = 0;
        }
        bs.seen.clear();
        let Some(family) = pick else {
            if wake.is_finite() && wake < bs.wake_at {
                bs.wake_at = wake;
                self.cal.schedule_at(wake, Event::BatchWake(s));
            }
            return false;
        };
        self.start_batch(s, m, family);
        true
    }

    /// Machine `m` of batch station `s` takes up to `max` waiting parts of
    /// `family`, in queue order, and starts on them.
    fn start_batch(&mut self, s: u32, m: u32, family: u32) {
        let now = self.cal.now();
        let b = self.stations[s as usize].batch as usize;
        let slot = (m - self.batches[b].first_machine) as usize;
        let ops = self.ops;
        let bs = &mut self.batches[b];
        let st = &mut self.stations[s as usize];
        let max = bs.max as usize;
        let load = &mut bs.loads[slot];
        load.clear();
        let (waited, wait_sum) = (&mut st.waited, &mut st.wait_sum);
        st.queue.retain(|q| {
            if load.len() < max && ops[q.op as usize].family == family {
                load.push(q.part);
                let wait = now - q.at;
                if wait > 0.0 {
                    *waited += 1;
                    *wait_sum += wait;
                }
                false
            } else {
                true
            }
        });
        bs.left[slot] = 0;
        let n = load.len();
        bs.batches += 1;
        bs.parts += n as u64;
        for i in 0..n {
            let part = self.batches[b].loads[slot][i];
            self.log("batch_load", s, m, part);
        }
        let st = &mut self.stations[s as usize];
        st.starts += n as u64;
        st.queue_len.add(now, -(n as f64));
        self.waiting.add(now, -(n as f64));
        if let Dispatch::Campaign { .. } = st.dispatch {
            self.count_campaign(m, family, n as u32);
        }
        let lead = self.batches[b].loads[slot][0];
        let op = self.parts[lead as usize].op;
        let mach = &mut self.machines[m as usize];
        mach.part = lead;
        mach.op = op;
        self.start_operation(m);
    }

    /// Machine `m` of a batch station has processed its batch: a quality
    /// draw per part; scrapped and finished parts leave the plant, parts
    /// sent back for rework or out to a contractor go at once, the others
    /// leave one by one as room allows.
    #[cold]
    #[inline(never)]
    pub(super) fn complete_batch(&mut self, m: u32) {
        let now = self.cal.now();
        let s = self.machines[m as usize].station;
        let b = self.stations[s as usize].batch as usize;
        let slot = (m - self.batches[b].first_machine) as usize;
        let lead = self.machines[m as usize].part;
        self.log("batch_end", s, m, lead);
        self.release_operators(m);
        if self.track_sunk {
            // The batch's machine and labour cost, shared equally by its
            // parts.
            let (labour, machine, time) = self.batch_cost(m, lead);
            let n = self.batches[b].loads[slot].len() as f64;
            for i in 0..self.batches[b].loads[slot].len() {
                let part = self.batches[b].loads[slot][i];
                let op = self.parts[part as usize].op;
                self.charge_share(part, op, labour / n, machine / n, time / n);
            }
        }
        let tired_scrap = std::mem::take(&mut self.machines[m as usize].fatigue_scrap);
        // Not free for a new batch while its parts are handed on.
        self.machines[m as usize].phase = Phase::Finished;
        let n = self.batches[b].loads[slot].len();
        self.stations[s as usize].operations += n as u64;
        let mut kept = 0;
        for i in 0..n {
            let part = self.batches[b].loads[slot][i];
            let p = self.parts[part as usize];
            let op = self.op(p.op);
            self.log("process_end", s, m, part);
            let (next_op, scrapped, reworked, _) = self.quality_outcome(
                s,
                part,
                p.op,
                op.end.next,
                op.end.quality,
                tired_scrap,
                tired_scrap,
            );
            if scrapped {
                self.part_scrapped::<false>(part, p, op.raw_sunk, s, m);
            } else if next_op == NONE {
                self.part_finished::<false>(part, p, s, m, now);
            } else {
                self.parts[part as usize].op = next_op;
                if self.machines[m as usize].part == part {
                    self.machines[m as usize].op = next_op;
                }
                let k = self.ops[next_op as usize].station;
                if k == NONE {
                    self.send_part_out(part);
                } else if reworked {
                    // Carried back even to a full buffer, as at any station.
                    self.log("rework", s, m, part);
                    self.enter(k, part);
                } else {
                    self.batches[b].loads[slot][kept] = part;
                    kept += 1;
                }
            }
        }
        self.batches[b].loads[slot].truncate(kept);
        self.batches[b].left[slot] = 0;
        self.unload(m);
        self.station_changed(s);
        if self.wip_cap != u32::MAX {
            self.pump_gate();
        }
    }

    /// Hands the processed parts still on batch machine `m` on, in batch
    /// order, while their next stations have room; blocks on the first
    /// that has none, or frees the machine once all have left.
    fn unload(&mut self, m: u32) {
        let s = self.machines[m as usize].station;
        let b = self.stations[s as usize].batch as usize;
        let slot = (m - self.batches[b].first_machine) as usize;
        loop {
            let i = self.batches[b].left[slot] as usize;
            let Some(&part) = self.batches[b].loads[slot].get(i) else {
                break;
            };
            let k = self.station_of(part);
            if self.has_room(k) && self.stations[k as usize].waiters.is_empty() {
                self.batches[b].left[slot] += 1;
                self.enter(k, part);
            } else if self.stations[k as usize].overflow != NONE && self.overflow(k, part) {
                self.batches[b].left[slot] += 1;
            } else {
                let op = self.parts[part as usize].op;
                let mach = &mut self.machines[m as usize];
                mach.part = part;
                mach.op = op;
                mach.phase = Phase::Finished;
                self.set_state(m);
                self.stations[k as usize]
                    .waiters
                    .push_back(Waiter::BatchAfterService(m));
                self.log("blocked", s, m, part);
                return;
            }
        }
        self.batches[b].loads[slot].clear();
        self.batches[b].left[slot] = 0;
        let mach = &mut self.machines[m as usize];
        mach.part = NONE;
        mach.op = NONE;
        mach.phase = Phase::Empty;
        self.set_state(m);
        // Maintenance due goes in before the next batch (`every_parts`
        // counts batches here).
        if !self.pm.is_empty() {
            self.maintenance_after_part(m);
        }
    }

    /// Station `k` has room for the part batch machine `m` is blocked on:
    /// it goes in, and the rest of the batch follows as room allows.
    #[inline(never)]
    pub(super) fn batch_unblocked(&mut self, m: u32, k: u32) {
        let s = self.machines[m as usize].station;
        let b = self.stations[s as usize].batch as usize;
        let slot = (m - self.batches[b].first_machine) as usize;
        let part = self.machines[m as usize].part;
        self.log("unblock", s, m, part);
        self.batches[b].left[slot] += 1;
        self.enter(k, part);
        self.unload(m);
        self.station_changed(s);
    }
}
