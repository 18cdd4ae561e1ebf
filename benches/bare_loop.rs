//! The full engine against a bare, hand-written event loop of the same
//! model, in the same process (issue #17: the engine should run at least
//! half as fast as the bare loop on both models).
//!
//! The two models of `benches/throughput.rs`, one 4-week replication with
//! no warm-up and always the same seed:
//!
//! * `mm1`: an M/M/1 station at utilisation 0.9 — exponential
//!   inter-arrival times with mean 60/0.9 s, exponential service with mean
//!   60 s, FIFO (`scenarios/mm1.toml`, the inter-arrival mean set to
//!   exactly 60/0.9 s).
//! * `serial_line`: the saturated 5-station serial line, one machine per
//!   station, exponential process times with means 1.0, 1.1, 0.9, 1.2 and
//!   1.0 minutes, buffers of 5 between stations, blocking after service,
//!   breakdowns after an exponential 100 *operating* minutes repaired in an
//!   exponential 5 minutes (`scenarios/serial_line.toml`).
//!
//! The engine runs through the ordinary path, `shopfloor::scenario::parse`
//! then `shopfloor::model::simulate`, as in `benches/throughput.rs`. The
//! bare loop is what one would write by hand for exactly that model and
//! nothing else: a `BinaryHeap` of events ordered by (time, sequence
//! number), exponential draws from the engine's generator
//! (`Xoshiro256PlusPlus` with `rand_distr::Exp1`), fixed arrays and a
//! `VecDeque` for the state. It comes in two kinds:
//!
//! * `bare`: only the statistics its own check needs — finished customers
//!   and the time-average number in system for M/M/1 (plus the mean time
//!   in system, from the FIFO queue of arrival times), finished parts and
//!   busy time per station for the line;
//! * `bare+stats`: the same loop also keeps what the engine reports of
//!   these models, in the engine's own public collectors
//!   (`shopfloor::engine`): each machine's time per state
//!   (`StateTimer`), each station's active periods for the bottleneck
//!   (`ActivePeriods`; busy and down are active), the queue lengths' time
//!   averages (`TimeAverage`) and the cycle times with their quantiles
//!   (`Tally`, whose HDR histogram gives p50/p90/p95). For the line's
//!   cycle times it tracks each part's release time through the buffers.
//!   The engine ÷ `bare+stats` ratio is the cost of the engine's
//!   generality (a scenario file's model, every feature's checks); the
//!   engine ÷ `bare` ratio adds the cost of the statistics.
//!
//! On the line a machine has one pending event at a time: when it starts
//! (or resumes) work it schedules whichever comes first, the end of the
//! operation or its breakdown, the operating clock counting down only while
//! it works.
//!
//! One untimed replication of each first prints them side by side —
//! finished items, events and the model's statistics (for `bare+stats`,
//! the p90 time in system or cycle time and the sole-bottleneck shares
//! beside the engine's) — as a check that the bare loops simulate the same
//! model: the streams differ, so the figures should agree within a few per
//! cent, not exactly (for M/M/1 both near 0.9 customers a minute × 40 320
//! minutes ≈ 36 300, with about 9 in system). Then the three are timed in
//! alternating blocks — K engine runs, K bare runs, K bare+stats runs,
//! again — with K from `BARE_REPEAT` (default 20), until each side has
//! used at least `BARE_MIN_CPU` seconds (default 1) of CPU time of the
//! thread: user + system from `/proc/thread-self/stat`, which leaves out
//! the time spent waiting for a core on a shared machine but comes in
//! 10 ms ticks, hence the floor (20 bare M/M/1 runs take only some 30 ms).
//! Every side always does the same number of runs, printed.
//!
//! Printed per model: finished items (customers or parts) and events per
//! second of CPU for each, and the ratios engine ÷ bare and engine ÷
//! bare+stats in items per second: the share of the bare loop's speed the
//! engine reaches on that model, 1 meaning as fast, 0.5 half as fast (the
//! issue's target is ≥ 0.5). They need not count events alike (what the
//! engine's calendar counts is its own affair), so items per second is the
//! like-for-like figure; events per second are printed for reference.
//!
//! Run with `cargo bench --bench bare_loop`, or on a shared machine build
//! with `nice -n 10 cargo bench --bench bare_loop --no-run` and run the
//! binary it names (`target/release/deps/bare_loop-…`), with e.g.
//! `BARE_MIN_CPU=3` for steadier figures; a first argument that is not a
//! flag selects the models whose name contains it (`mm1` or
//! `serial_line`).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;
use shopfloor::engine::{ActivePeriods, MINUTE, StateTimer, Tally, TimeAverage, WEEK};
use shopfloor::model::{Factory, ReplicationResult, simulate};

#[path = "common/cpu.rs"]
mod cpu;
use cpu::thread_cpu_seconds;
#[path = "common/models.rs"]
mod models;
use models::{mm1, serial_line};

const SEED: u64 = 1;
const HORIZON: f64 = 4.0 * WEEK;

// ----- the engine -----------------------------------------------------------------

/// One engine replication.
fn engine(factory: &Factory) -> ReplicationResult {
    simulate(factory, SEED, 0, false).0
}

// ----- the bare loop: events ------------------------------------------------------

/// A pending event: its time (seconds, ≥ 0), a sequence number that breaks
/// ties first-scheduled-first, and what happens (a kind and a station).
#[derive(Clone, Copy)]
struct Event {
    time: f64,
    seq: u64,
    kind: u8,
    station: u8,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest event,
    /// and of equal times the first scheduled.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

/// The event calendar: a binary heap and the next sequence number.
struct Calendar {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl Calendar {
    fn new() -> Calendar {
        Calendar {
            heap: BinaryHeap::with_capacity(16),
            seq: 0,
        }
    }

    #[inline]
    fn schedule(&mut self, time: f64, kind: u8, station: u8) {
        self.heap.push(Event {
            time,
            seq: self.seq,
            kind,
            station,
        });
        self.seq += 1;
    }

    /// The next event at or before `horizon`.
    #[inline]
    fn next(&mut self, horizon: f64) -> Option<Event> {
        match self.heap.pop() {
            Some(e) if e.time <= horizon => Some(e),
            _ => None,
        }
    }
}

/// An exponential draw with the given mean.
#[inline]
fn exp(rng: &mut Xoshiro256PlusPlus, mean: f64) -> f64 {
    let e: f64 = Exp1.sample(rng);
    mean * e
}

// ----- the bare loop: M/M/1 -------------------------------------------------------

/// What one bare M/M/1 replication measured.
struct BareMm1 {
    finished: u64,
    events: u64,
    /// Time-average number in system.
    in_system_avg: f64,
    /// Mean time in system of the finished customers, minutes.
    sojourn_mean_min: f64,
    /// With the engine's statistics (`STATS`): the 90th percentile of the
    /// time in system (minutes), the server's busy share and its share as
    /// the sole bottleneck; NaN without.
    sojourn_p90_min: f64,
    busy_share: f64,
    bottleneck_sole: f64,
}

/// The statistics the engine keeps of a machine, a station and the parts
/// (see `Sim`): the machine's time per state, the station's active periods
/// for bottleneck detection, the queue length's time average, and the
/// cycle times with their quantiles, in the engine's own collectors.
struct Stats<const M: usize> {
    timers: [StateTimer<10>; M],
    active: ActivePeriods,
    queue: [TimeAverage; M],
    cycle: Tally,
}

/// The machine states, by the engine's index (`MachineState`'s order).
const BUSY: usize = 0;
const BLOCKED: usize = 1;
const STARVED: usize = 2;
const DOWN: usize = 3;

impl<const M: usize> Stats<M> {
    fn new() -> Stats<M> {
        Stats {
            timers: std::array::from_fn(|_| StateTimer::new(STARVED, 0.0)),
            active: ActivePeriods::new(M, 0.0),
            queue: std::array::from_fn(|_| TimeAverage::new(0.0)),
            cycle: Tally::new(0.001),
        }
    }

    /// Machine `i` enters `state` at `now`; its station's active period
    /// starts or ends with it (busy and down are active).
    #[inline]
    fn enter(&mut self, i: usize, now: f64, state: usize) {
        let active = |s: usize| s == BUSY || s == DOWN;
        let old = self.timers[i].state();
        self.timers[i].enter(now, state);
        match (active(old), active(state)) {
            (false, true) => self.active.start(i as u32, now),
            (true, false) => self.active.end(i as u32, now),
            _ => {}
        }
    }
}

/// M/M/1, FIFO, starting empty, over `horizon` seconds; with the engine's
/// statistics when `STATS`.
fn bare_mm1<const STATS: bool>(seed: u64, horizon: f64) -> BareMm1 {
    const ARRIVAL: u8 = 0;
    const DEPARTURE: u8 = 1;
    const INTERARRIVAL: f64 = 60.0 / 0.9;
    const SERVICE: f64 = 60.0;

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut cal = Calendar::new();
    // Arrival times of the customers in the system; the front one is served.
    let mut queue: VecDeque<f64> = VecDeque::with_capacity(64);
    let (mut finished, mut events) = (0u64, 0u64);
    let (mut area, mut last, mut sojourn) = (0.0, 0.0, 0.0);
    let mut stats = STATS.then(Stats::<1>::new);

    cal.schedule(exp(&mut rng, INTERARRIVAL), ARRIVAL, 0);
    while let Some(e) = cal.next(horizon) {
        events += 1;
        let now = e.time;
        area += queue.len() as f64 * (now - last);
        last = now;
        if e.kind == ARRIVAL {
            queue.push_back(now);
            if queue.len() == 1 {
                cal.schedule(now + exp(&mut rng, SERVICE), DEPARTURE, 0);
                if let Some(st) = stats.as_mut() {
                    st.enter(0, now, BUSY);
                }
            } else if let Some(st) = stats.as_mut() {
                st.queue[0].add(now, 1.0);
            }
            cal.schedule(now + exp(&mut rng, INTERARRIVAL), ARRIVAL, 0);
        } else {
            let arrived = queue.pop_front().expect("a customer in service");
            finished += 1;
            sojourn += now - arrived;
            if let Some(st) = stats.as_mut() {
                st.cycle.record(now - arrived);
            }
            if !queue.is_empty() {
                cal.schedule(now + exp(&mut rng, SERVICE), DEPARTURE, 0);
                if let Some(st) = stats.as_mut() {
                    st.queue[0].sub(now, 1.0);
                }
            } else if let Some(st) = stats.as_mut() {
                st.enter(0, now, STARVED);
            }
        }
    }
    area += queue.len() as f64 * (horizon - last);
    let (sojourn_p90_min, busy_share, bottleneck_sole) = match stats {
        Some(st) => {
            let busy = st.timers[0].totals(horizon)[BUSY];
            let queue_avg = st.queue[0].average(horizon);
            let b = st.active.finish(horizon);
            black_box(queue_avg);
            (
                st.cycle.quantile(0.9) / MINUTE,
                busy / horizon,
                b.sole[0] / horizon,
            )
        }
        None => (f64::NAN, f64::NAN, f64::NAN),
    };
    BareMm1 {
        finished,
        events,
        in_system_avg: area / horizon,
        sojourn_mean_min: sojourn / finished as f64 / MINUTE,
        sojourn_p90_min,
        busy_share,
        bottleneck_sole,
    }
}

// ----- the bare loop: the serial line ---------------------------------------------

/// Stations of the line.
const N: usize = 5;
/// Mean process times, seconds.
const PROCESS: [f64; N] = [60.0, 66.0, 54.0, 72.0, 60.0];
/// Parts that may wait in front of stations 2 to 5 (not counting the one
/// on the machine).
const BUFFER: u32 = 5;
/// Mean operating time to failure and mean repair time, seconds.
const TTF: f64 = 100.0 * MINUTE;
const REPAIR: f64 = 5.0 * MINUTE;

/// What a machine is doing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Machine {
    Idle,
    /// Working on a part (the operating clock runs).
    Busy,
    /// Broken down, under repair, the part kept.
    Down,
    /// Holding a finished part the next buffer has no room for.
    Blocked,
}

/// The state of the line; with the engine's statistics when `STATS`.
struct Line<const STATS: bool> {
    rng: Xoshiro256PlusPlus,
    cal: Calendar,
    now: f64,
    state: [Machine; N],
    /// Process time left of the part on the machine.
    work: [f64; N],
    /// Operating time left until the machine's next breakdown.
    ttf: [f64; N],
    /// When the machine's current stretch of work started.
    since: [f64; N],
    /// Parts waiting in front of each station (station 1 has a saturated
    /// source: always a part, never a buffer).
    queue: [u32; N],
    /// Processing time per station.
    busy: [f64; N],
    finished: u64,
    events: u64,
    /// With `STATS`: the engine's statistics, the release times of the
    /// parts waiting in each buffer (first in, first out) and of the part
    /// on each machine, for the cycle times.
    stats: Option<Stats<N>>,
    released: [VecDeque<f64>; N],
    holding: [f64; N],
}

/// What one bare serial-line replication measured.
struct BareLine {
    finished: u64,
    events: u64,
    /// Share of the horizon each machine spent processing.
    utilisation: [f64; N],
    /// With the engine's statistics: each station's share of the time as
    /// the sole bottleneck, and the 90th percentile of the cycle time
    /// (minutes); NaN without.
    bottleneck_sole: [f64; N],
    cycle_p90_min: f64,
}

const DONE: u8 = 0;
const FAIL: u8 = 1;
const REPAIRED: u8 = 2;

impl<const STATS: bool> Line<STATS> {
    /// The statistics (with `STATS` only).
    #[inline]
    fn st(&mut self) -> &mut Stats<N> {
        self.stats.as_mut().expect("statistics are kept")
    }

    /// Starts or resumes work at `i`: schedules whichever comes first, the
    /// end of the operation or the breakdown.
    #[inline]
    fn run(&mut self, i: usize) {
        self.state[i] = Machine::Busy;
        self.since[i] = self.now;
        if STATS {
            let now = self.now;
            self.st().enter(i, now, BUSY);
        }
        if self.ttf[i] < self.work[i] {
            self.cal.schedule(self.now + self.ttf[i], FAIL, i as u8);
        } else {
            self.cal.schedule(self.now + self.work[i], DONE, i as u8);
        }
    }

    /// An idle machine `i` takes its next part if there is one; the place
    /// that frees in its buffer lets a blocked machine upstream pass its
    /// part on and take its own next part, and so on up the line.
    fn take(&mut self, mut i: usize) {
        loop {
            if self.state[i] != Machine::Idle {
                return;
            }
            if i > 0 {
                if self.queue[i] == 0 {
                    return;
                }
                self.queue[i] -= 1;
                if STATS {
                    let now = self.now;
                    self.holding[i] = self.released[i].pop_front().expect("a waiting part");
                    self.st().queue[i].sub(now, 1.0);
                }
            } else if STATS {
                self.holding[0] = self.now;
            }
            self.work[i] = exp(&mut self.rng, PROCESS[i]);
            self.run(i);
            if i == 0 || self.state[i - 1] != Machine::Blocked {
                return;
            }
            self.queue[i] += 1;
            self.state[i - 1] = Machine::Idle;
            if STATS {
                let now = self.now;
                self.released[i].push_back(self.holding[i - 1]);
                self.st().queue[i].add(now, 1.0);
                self.st().enter(i - 1, now, STARVED);
            }
            i -= 1;
        }
    }

    /// Machine `i` has finished its operation.
    fn done(&mut self, i: usize) {
        self.busy[i] += self.now - self.since[i];
        self.ttf[i] -= self.work[i];
        let now = self.now;
        if i == N - 1 {
            self.finished += 1;
            self.state[i] = Machine::Idle;
            if STATS {
                let cycle = now - self.holding[i];
                self.st().cycle.record(cycle);
                self.st().enter(i, now, STARVED);
            }
            self.take(i);
        } else if self.queue[i + 1] < BUFFER {
            self.queue[i + 1] += 1;
            self.state[i] = Machine::Idle;
            if STATS {
                self.released[i + 1].push_back(self.holding[i]);
                self.st().queue[i + 1].add(now, 1.0);
                self.st().enter(i, now, STARVED);
            }
            self.take(i + 1);
            self.take(i);
        } else {
            self.state[i] = Machine::Blocked;
            if STATS {
                self.st().enter(i, now, BLOCKED);
            }
        }
    }

    /// Machine `i` breaks down: the work done so far is kept.
    fn fail(&mut self, i: usize) {
        self.busy[i] += self.now - self.since[i];
        self.work[i] -= self.ttf[i];
        self.state[i] = Machine::Down;
        if STATS {
            let now = self.now;
            self.st().enter(i, now, DOWN);
        }
        let repair = exp(&mut self.rng, REPAIR);
        self.cal.schedule(self.now + repair, REPAIRED, i as u8);
    }

    /// Machine `i` is repaired: a new time to failure, and work resumes.
    fn repaired(&mut self, i: usize) {
        self.ttf[i] = exp(&mut self.rng, TTF);
        self.run(i);
    }
}

/// The saturated serial line, starting empty, over `horizon` seconds; with
/// the engine's statistics when `STATS`.
fn bare_line<const STATS: bool>(seed: u64, horizon: f64) -> BareLine {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let ttf = std::array::from_fn(|_| exp(&mut rng, TTF));
    let mut line = Line::<STATS> {
        rng,
        cal: Calendar::new(),
        now: 0.0,
        state: [Machine::Idle; N],
        work: [0.0; N],
        ttf,
        since: [0.0; N],
        queue: [0; N],
        busy: [0.0; N],
        finished: 0,
        events: 0,
        stats: STATS.then(Stats::new),
        released: std::array::from_fn(|_| {
            VecDeque::with_capacity(if STATS { BUFFER as usize + 1 } else { 0 })
        }),
        holding: [0.0; N],
    };
    line.take(0);
    while let Some(e) = line.cal.next(horizon) {
        line.events += 1;
        line.now = e.time;
        let i = usize::from(e.station);
        match e.kind {
            DONE => line.done(i),
            FAIL => line.fail(i),
            _ => line.repaired(i),
        }
    }
    for i in 0..N {
        if line.state[i] == Machine::Busy {
            line.busy[i] += horizon - line.since[i];
        }
    }
    let (bottleneck_sole, cycle_p90_min) = match line.stats.take() {
        Some(st) => {
            let busy: [f64; N] = std::array::from_fn(|i| st.timers[i].totals(horizon)[BUSY]);
            let queue_avg: [f64; N] = std::array::from_fn(|i| st.queue[i].average(horizon));
            black_box((busy, queue_avg));
            let b = st.active.finish(horizon);
            (
                std::array::from_fn(|i| b.sole[i] / horizon),
                st.cycle.quantile(0.9) / MINUTE,
            )
        }
        None => ([f64::NAN; N], f64::NAN),
    };
    BareLine {
        finished: line.finished,
        events: line.events,
        utilisation: line.busy.map(|b| b / horizon),
        bottleneck_sole,
        cycle_p90_min,
    }
}

// ----- timing ---------------------------------------------------------------------

/// Times the `sides` in alternating blocks of `k` runs each (each side in
/// turn, again), until each has used at least `min_cpu` seconds of CPU:
/// returns the runs of each side and the CPU seconds of each.
fn measure(k: u32, min_cpu: f64, sides: &mut [&mut dyn FnMut() -> u64]) -> (u32, Vec<f64>) {
    let mut runs = 0;
    let mut cpu = vec![0.0; sides.len()];
    while runs == 0 || cpu.iter().any(|&c| c < min_cpu) {
        for (side, cpu) in sides.iter_mut().zip(cpu.iter_mut()) {
            let start = thread_cpu_seconds();
            for _ in 0..k {
                black_box(side());
            }
            *cpu += thread_cpu_seconds() - start;
        }
        runs += k;
    }
    (runs, cpu)
}

/// One side of a comparison: who, its items and events per run, and its
/// CPU seconds.
struct Side {
    who: &'static str,
    items: u64,
    events: u64,
    cpu: f64,
}

/// Prints the timing lines of one model: items and events per CPU second
/// of the engine and of each bare loop, and the engine's speed as a share
/// of each bare loop's, in items per second. The first side is the
/// engine.
fn report(model: &str, runs: u32, sides: &[Side]) {
    let per_s = |n: u64, cpu: f64| n as f64 * f64::from(runs) / cpu;
    for s in sides {
        println!(
            "{model:<12} {:<10} {runs} runs in {:6.2} s of CPU: {:8.3} M items/s, {:8.3} M events/s",
            s.who,
            s.cpu,
            per_s(s.items, s.cpu) / 1e6,
            per_s(s.events, s.cpu) / 1e6,
        );
    }
    let engine = per_s(sides[0].items, sides[0].cpu);
    for s in &sides[1..] {
        let ratio = engine / per_s(s.items, s.cpu);
        println!(
            "{model:<12} ratio engine / {} (items/s): {ratio:.3}{}",
            s.who,
            if ratio >= 0.5 {
                ""
            } else {
                "  (below the 0.5 target)"
            }
        );
    }
}

/// `BARE_REPEAT` and `BARE_MIN_CPU` (see the top of the file).
fn settings() -> (u32, f64) {
    let k: u32 = std::env::var("BARE_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&k| k > 0)
        .unwrap_or(20);
    let min_cpu: f64 = std::env::var("BARE_MIN_CPU")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    (k, min_cpu)
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let (k, min_cpu) = settings();
    let minutes = HORIZON / MINUTE;

    if "mm1".contains(filter.as_str()) {
        let factory = mm1(HORIZON);
        let r = engine(&factory);
        let b = bare_mm1::<false>(SEED, HORIZON);
        let bs = bare_mm1::<true>(SEED, HORIZON);
        println!(
            "mm1: {minutes} minutes, expected about {:.0} customers and 9 in system",
            0.9 * minutes
        );
        println!(
            "mm1          engine     {:>7} customers {:>8} events, {:.2} in system on average",
            r.good, r.events, r.wip_avg
        );
        println!(
            "mm1          bare       {:>7} customers {:>8} events, {:.2} in system on average, {:.2} min in system",
            b.finished, b.events, b.in_system_avg, b.sojourn_mean_min
        );
        println!(
            "mm1          engine     p90 time in system {:.2} min, busy {:.3}, sole bottleneck {:.3}",
            r.cycle_time_p90_min, r.stations[0].utilisation, r.stations[0].bottleneck_sole
        );
        println!(
            "mm1          bare+stats p90 time in system {:.2} min, busy {:.3}, sole bottleneck {:.3}",
            bs.sojourn_p90_min, bs.busy_share, bs.bottleneck_sole
        );
        let (runs, cpu) = measure(
            k,
            min_cpu,
            &mut [
                &mut || engine(black_box(&factory)).good,
                &mut || bare_mm1::<false>(black_box(SEED), black_box(HORIZON)).finished,
                &mut || bare_mm1::<true>(black_box(SEED), black_box(HORIZON)).finished,
            ],
        );
        report(
            "mm1",
            runs,
            &[
                Side {
                    who: "engine",
                    items: r.good,
                    events: r.events,
                    cpu: cpu[0],
                },
                Side {
                    who: "bare",
                    items: b.finished,
                    events: b.events,
                    cpu: cpu[1],
                },
                Side {
                    who: "bare+stats",
                    items: bs.finished,
                    events: bs.events,
                    cpu: cpu[2],
                },
            ],
        );
    }

    if "serial_line".contains(filter.as_str()) {
        let factory = serial_line(HORIZON);
        let r = engine(&factory);
        let b = bare_line::<false>(SEED, HORIZON);
        let bs = bare_line::<true>(SEED, HORIZON);
        let shares = |u: &mut dyn Iterator<Item = f64>| {
            u.map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(" ")
        };
        println!("serial_line: {minutes} minutes");
        println!(
            "serial_line  engine     {:>7} parts     {:>8} events, utilisation {}",
            r.good,
            r.events,
            shares(&mut r.stations.iter().map(|s| s.utilisation))
        );
        println!(
            "serial_line  bare       {:>7} parts     {:>8} events, utilisation {}",
            b.finished,
            b.events,
            shares(&mut b.utilisation.iter().copied())
        );
        println!(
            "serial_line  bare / engine parts: {:.3}",
            b.finished as f64 / r.good as f64
        );
        println!(
            "serial_line  engine     p90 cycle time {:.2} min, sole bottleneck {}",
            r.cycle_time_p90_min,
            shares(&mut r.stations.iter().map(|s| s.bottleneck_sole))
        );
        println!(
            "serial_line  bare+stats p90 cycle time {:.2} min, sole bottleneck {}",
            bs.cycle_p90_min,
            shares(&mut bs.bottleneck_sole.iter().copied())
        );
        let (runs, cpu) = measure(
            k,
            min_cpu,
            &mut [
                &mut || engine(black_box(&factory)).good,
                &mut || bare_line::<false>(black_box(SEED), black_box(HORIZON)).finished,
                &mut || bare_line::<true>(black_box(SEED), black_box(HORIZON)).finished,
            ],
        );
        report(
            "serial_line",
            runs,
            &[
                Side {
                    who: "engine",
                    items: r.good,
                    events: r.events,
                    cpu: cpu[0],
                },
                Side {
                    who: "bare",
                    items: b.finished,
                    events: b.events,
                    cpu: cpu[1],
                },
                Side {
                    who: "bare+stats",
                    items: bs.finished,
                    events: bs.events,
                    cpu: cpu[2],
                },
            ],
        );
    }
}
