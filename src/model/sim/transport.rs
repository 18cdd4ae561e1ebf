//! Movers: a part finished at a station that names a mover pool asks for
//! a mover once room at its next station is reserved for it (or at once,
//! when it goes back for rework), and waits on its machine — which stays
//! blocked — until a mover has come, empty, from where it stood and
//! loaded it. The mover then travels loaded, unloads the part into the
//! next station and is free there. Requests are served first come first
//! served; a request finding several movers free takes the one with the
//! shortest mean empty trip (the lowest-numbered on a tie).
//!
//! Nothing here runs for a plant without movers: the only cost on the
//! common path is the test of [`Op::mover`] when an operation completes.

use super::*;

/// What a mover is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MoverPhase {
    Idle,
    /// Travelling empty to the part it will fetch.
    ToPickup,
    /// Carrying a part.
    Loaded,
}

/// A part waiting for a mover (or being carried).
#[derive(Clone, Copy, Debug)]
pub(super) struct MoveRequest {
    /// The machine holding the part until it is picked up.
    machine: u32,
    part: u32,
    from: u32,
    to: u32,
    /// Room is reserved at `to` (released when the part is unloaded).
    reserved: bool,
    /// Found no mover free.
    queued: bool,
    since: f64,
}

/// One mover.
pub(super) struct MoverUnit {
    pool: u32,
    /// The station it is at, or last left.
    at: u32,
    phase: MoverPhase,
    /// Fetching or carrying a part (active for bottleneck detection).
    busy: bool,
    request: MoveRequest,
}

/// A mover pool during the run.
pub(super) struct MoverPoolState {
    /// Idle movers.
    free: Vec<u32>,
    /// Requests waiting for a mover, first come first served.
    queue: VecDeque<MoveRequest>,
    queue_len: TimeAverage,
    loaded: TimeAverage,
    empty: TimeAverage,
    stream: Stream,
    moves: u64,
    pickups: u64,
    waited: u64,
    wait_sum: f64,
}

/// The movers and their pools, all idle at their pool's home.
pub(super) fn build(f: &Factory, seed: u64, rep: u64) -> (Vec<MoverUnit>, Vec<MoverPoolState>) {
    let mut units = Vec::new();
    let mut pools = Vec::with_capacity(f.movers.len());
    for (p, def) in f.movers.iter().enumerate() {
        let first = units.len() as u32;
        for _ in 0..def.count {
            units.push(MoverUnit {
                pool: p as u32,
                at: def.home,
                phase: MoverPhase::Idle,
                busy: false,
                request: MoveRequest {
                    machine: NONE,
                    part: NONE,
                    from: NONE,
                    to: NONE,
                    reserved: false,
                    queued: false,
                    since: 0.0,
                },
            });
        }
        pools.push(MoverPoolState {
            // Taken from the back: the lowest-numbered first on a tie.
            free: (first..first + def.count).rev().collect(),
            queue: VecDeque::new(),
            queue_len: TimeAverage::new(0.0),
            loaded: TimeAverage::new(0.0),
            empty: TimeAverage::new(0.0),
            stream: Stream::new(seed, rep, &format!("travel/{}", def.name)),
            moves: 0,
            pickups: 0,
            waited: 0,
            wait_sum: 0.0,
        });
    }
    (units, pools)
}

impl<'f> Sim<'f> {
    /// The resource number of mover pool `p` in the active-period
    /// detector: after the stations and the worker pools.
    #[inline]
    fn mover_resource(&self, p: u32) -> u32 {
        (self.stations.len() + self.pools.len()) as u32 + p
    }

    /// True if a part carried to station `k` can have a place reserved
    /// there: a free place in its buffer, or an idle machine not yet
    /// promised to another part on its way.
    #[inline(never)]
    pub(super) fn room_for_move(&self, k: u32) -> bool {
        let st = &self.stations[k as usize];
        st.capacity == NONE
            || st.queue.len() as u32 + st.reserved < st.capacity
            || (st.queue.is_empty() && st.idle.len() > st.reserved)
    }

    /// Part `part`, finished on machine `m`, goes to station `k` by mover
    /// pool `pool`: with room reserved (`reserved`: before service it
    /// already was), or, back for rework, whatever the room; else it
    /// overflows to a contractor or the machine blocks until room
    /// appears.
    #[inline(never)]
    pub(super) fn leave_by_mover(
        &mut self,
        m: u32,
        part: u32,
        k: u32,
        pool: u32,
        reworked: bool,
        reserved: bool,
    ) {
        if reserved || reworked {
            self.call_mover(pool, m, part, k, reserved);
        } else if self.room_for_move(k) {
            self.stations[k as usize].reserved += 1;
            self.call_mover(pool, m, part, k, true);
        } else if self.stations[k as usize].overflow != NONE && self.overflow(k, part) {
            self.release_machine(m);
        } else {
            let s = self.machines[m as usize].station;
            self.machines[m as usize].phase = Phase::Finished;
            self.set_state(m);
            self.stations[k as usize]
                .waiters
                .push_back(Waiter::Transport { machine: m, pool });
            self.log("blocked", s, m, part);
        }
    }

    /// Room appeared at station `k` for the part blocked on machine `m`,
    /// which goes by a mover of `pool`: reserve it and call a mover.
    pub(super) fn serve_transport(&mut self, k: u32, m: u32, pool: u32) {
        let part = self.machines[m as usize].part;
        self.stations[k as usize].reserved += 1;
        self.call_mover(pool, m, part, k, true);
    }

    /// Part `part` on machine `m` asks pool `pool` for a mover to station
    /// `to`; the machine holds it (blocked) until the pickup.
    fn call_mover(&mut self, pool: u32, m: u32, part: u32, to: u32, reserved: bool) {
        let now = self.cal.now();
        let from = self.machines[m as usize].station;
        self.machines[m as usize].phase = Phase::Finished;
        self.set_state(m);
        let mut request = MoveRequest {
            machine: m,
            part,
            from,
            to,
            reserved,
            queued: false,
            since: now,
        };
        self.log("wait_for_mover", from, m, part);
        match self.nearest_free_mover(pool, from) {
            Some(u) => self.dispatch_mover(u, request),
            None => {
                request.queued = true;
                let ps = &mut self.mover_pools[pool as usize];
                ps.queue.push_back(request);
                ps.queue_len.add(now, 1.0);
            }
        }
    }

    /// The idle mover of pool `pool` with the shortest mean trip to
    /// station `to` (the lowest-numbered on a tie), taken off the idle
    /// list.
    fn nearest_free_mover(&mut self, pool: u32, to: u32) -> Option<u32> {
        let legs = &self.f.movers[pool as usize].legs;
        let ps = &mut self.mover_pools[pool as usize];
        let mut best: Option<(usize, f64, u32)> = None;
        for (i, &u) in ps.free.iter().enumerate() {
            let t = legs.mean(self.mover_units[u as usize].at, to);
            match best {
                Some((_, bt, bu)) if bt < t || (bt == t && bu < u) => {}
                _ => best = Some((i, t, u)),
            }
        }
        let (i, _, u) = best?;
        ps.free.remove(i);
        Some(u)
    }

    /// Mover `u` takes `request`: travels empty to the part, or loads it
    /// at once when it is already there.
    fn dispatch_mover(&mut self, u: u32, request: MoveRequest) {
        let now = self.cal.now();
        let f = self.f;
        let unit = &mut self.mover_units[u as usize];
        let pool = unit.pool;
        unit.request = request;
        if !unit.busy {
            unit.busy = true;
            let r = self.mover_resource(pool);
            self.active.unit_changed(r, now, true);
        }
        let unit = &mut self.mover_units[u as usize];
        match f.movers[pool as usize].legs.get(unit.at, request.from) {
            None => self.mover_pickup(u),
            Some(d) => {
                unit.phase = MoverPhase::ToPickup;
                let ps = &mut self.mover_pools[pool as usize];
                ps.empty.add(now, 1.0);
                let t = d.sample(&mut ps.stream);
                self.cal.schedule_in(t, Event::MoverArrival(u));
            }
        }
    }

    /// A mover arrives where it was going.
    pub(super) fn on_mover_arrival(&mut self, u: u32) {
        match self.mover_units[u as usize].phase {
            MoverPhase::ToPickup => self.mover_pickup(u),
            MoverPhase::Loaded => self.mover_unload(u),
            MoverPhase::Idle => {}
        }
    }

    /// Mover `u`, at its request's station, loads the part: the machine
    /// is free; the mover travels loaded to the next station.
    fn mover_pickup(&mut self, u: u32) {
        let now = self.cal.now();
        let f = self.f;
        let unit = &mut self.mover_units[u as usize];
        let (pool, req) = (unit.pool, unit.request);
        let ps = &mut self.mover_pools[pool as usize];
        if unit.phase == MoverPhase::ToPickup {
            ps.empty.add(now, -1.0);
        }
        unit.phase = MoverPhase::Loaded;
        unit.at = req.from;
        ps.loaded.add(now, 1.0);
        ps.pickups += 1;
        ps.waited += u64::from(req.queued);
        ps.wait_sum += now - req.since;
        self.log("pickup", req.from, req.machine, req.part);
        self.release_machine(req.machine);
        match f.movers[pool as usize].legs.get(req.from, req.to) {
            None => self.mover_unload(u),
            Some(d) => {
                let t = d.sample(&mut self.mover_pools[pool as usize].stream);
                self.cal.schedule_in(t, Event::MoverArrival(u));
            }
        }
        self.station_changed(req.from);
    }

    /// Mover `u` unloads its part into the next station, then takes the
    /// first waiting request or becomes idle there.
    fn mover_unload(&mut self, u: u32) {
        let now = self.cal.now();
        let unit = &mut self.mover_units[u as usize];
        let (pool, req) = (unit.pool, unit.request);
        unit.at = req.to;
        unit.phase = MoverPhase::Idle;
        let ps = &mut self.mover_pools[pool as usize];
        ps.loaded.add(now, -1.0);
        ps.moves += 1;
        if req.reserved {
            self.stations[req.to as usize].reserved -= 1;
        }
        self.log("dropoff", req.to, NONE, req.part);
        self.enter(req.to, req.part);
        let ps = &mut self.mover_pools[pool as usize];
        match ps.queue.pop_front() {
            Some(next) => {
                ps.queue_len.add(now, -1.0);
                self.dispatch_mover(u, next);
            }
            None => {
                ps.free.push(u);
                self.mover_units[u as usize].busy = false;
                let r = self.mover_resource(pool);
                self.active.unit_changed(r, now, false);
            }
        }
        self.station_changed(req.to);
    }

    /// Statistics restart after the warm-up.
    pub(super) fn reset_mover_statistics(&mut self, now: f64) {
        for ps in &mut self.mover_pools {
            ps.queue_len.reset(now);
            ps.loaded.reset(now);
            ps.empty.reset(now);
            ps.moves = 0;
            ps.pickups = 0;
            ps.waited = 0;
            ps.wait_sum = 0.0;
        }
    }

    /// Per mover pool results, and their cost over `hours` observed;
    /// `bottleneck` holds every resource's sole and shifting times.
    pub(super) fn mover_results(
        &self,
        now: f64,
        hours: f64,
        share: &dyn Fn(f64) -> f64,
        bottleneck: &crate::engine::BottleneckTimes,
    ) -> Vec<MoverResult> {
        self.mover_pools
            .iter()
            .zip(&self.f.movers)
            .enumerate()
            .map(|(p, (ps, def))| {
                let count = f64::from(def.count);
                let loaded = ps.loaded.average(now) / count;
                let empty = ps.empty.average(now) / count;
                let r = self.mover_resource(p as u32) as usize;
                MoverResult {
                    mover: def.name.clone(),
                    movers: def.count,
                    loaded,
                    empty,
                    idle: 1.0 - loaded - empty,
                    moves: ps.moves,
                    pickups: ps.pickups,
                    wait_mean_min: ratio_f(ps.wait_sum / MINUTE, ps.pickups),
                    waited_share: ratio(ps.waited, ps.pickups),
                    queue_avg: ps.queue_len.average(now),
                    in_transport_avg: ps.loaded.average(now),
                    cost: count * def.cost_per_hour * hours,
                    bottleneck_sole: share(bottleneck.sole[r]),
                    bottleneck_shifting: share(bottleneck.shifting[r]),
                }
            })
            .collect()
    }
}
