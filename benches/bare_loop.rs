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
//! `VecDeque` for the state, and only the statistics a result needs —
//! finished customers and the time-average number in system for M/M/1
//! (plus the mean time in system, from the FIFO queue of arrival times),
//! finished parts and busy time per station for the line. On the line a
//! machine has one pending event at a time: when it starts (or resumes)
//! work it schedules whichever comes first, the end of the operation or its
//! breakdown, the operating clock counting down only while it works.
//!
//! One untimed replication of each first prints the two side by side —
//! finished items, events and the model's statistics — as a check that the
//! bare loop simulates the same model: the streams differ, so the counts
//! should agree within a few per cent, not exactly (for M/M/1 both near
//! 0.9 customers a minute × 40 320 minutes ≈ 36 300, with about 9 in
//! system). Then the two are timed in alternating blocks — K engine runs,
//! K bare runs, again — with K from `BARE_REPEAT` (default 20), until each
//! side has used at least `BARE_MIN_CPU` seconds (default 1) of CPU time of
//! the thread: user + system from `/proc/thread-self/stat`, which leaves
//! out the time spent waiting for a core on a shared machine but comes in
//! 10 ms ticks, hence the floor (20 bare M/M/1 runs take only some 30 ms).
//! Both sides always do the same number of runs, printed.
//!
//! Printed per model: finished items (customers or parts) and events per
//! second of CPU for each, and the ratio engine ÷ bare in items per second:
//! the share of the bare loop's speed the engine reaches on that model,
//! 1 meaning as fast, 0.5 half as fast (the target is ≥ 0.5). The
//! two need not count events alike (what the engine's calendar counts is
//! its own affair), so items per second is the like-for-like figure;
//! events per second are printed for reference.
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
use shopfloor::engine::{MINUTE, WEEK};
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
}

/// M/M/1, FIFO, starting empty, over `horizon` seconds.
fn bare_mm1(seed: u64, horizon: f64) -> BareMm1 {
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
            }
            cal.schedule(now + exp(&mut rng, INTERARRIVAL), ARRIVAL, 0);
        } else {
            let arrived = queue.pop_front().expect("a customer in service");
            finished += 1;
            sojourn += now - arrived;
            if !queue.is_empty() {
                cal.schedule(now + exp(&mut rng, SERVICE), DEPARTURE, 0);
            }
        }
    }
    area += queue.len() as f64 * (horizon - last);
    BareMm1 {
        finished,
        events,
        in_system_avg: area / horizon,
        sojourn_mean_min: sojourn / finished as f64 / MINUTE,
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

/// The state of the line.
struct Line {
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
}

/// What one bare serial-line replication measured.
struct BareLine {
    finished: u64,
    events: u64,
    /// Share of the horizon each machine spent processing.
    utilisation: [f64; N],
}

const DONE: u8 = 0;
const FAIL: u8 = 1;
const REPAIRED: u8 = 2;

impl Line {
    /// Starts or resumes work at `i`: schedules whichever comes first, the
    /// end of the operation or the breakdown.
    #[inline]
    fn run(&mut self, i: usize) {
        self.state[i] = Machine::Busy;
        self.since[i] = self.now;
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
            }
            self.work[i] = exp(&mut self.rng, PROCESS[i]);
            self.run(i);
            if i == 0 || self.state[i - 1] != Machine::Blocked {
                return;
            }
            self.queue[i] += 1;
            self.state[i - 1] = Machine::Idle;
            i -= 1;
        }
    }

    /// Machine `i` has finished its operation.
    fn done(&mut self, i: usize) {
        self.busy[i] += self.now - self.since[i];
        self.ttf[i] -= self.work[i];
        if i == N - 1 {
            self.finished += 1;
            self.state[i] = Machine::Idle;
            self.take(i);
        } else if self.queue[i + 1] < BUFFER {
            self.queue[i + 1] += 1;
            self.state[i] = Machine::Idle;
            self.take(i + 1);
            self.take(i);
        } else {
            self.state[i] = Machine::Blocked;
        }
    }

    /// Machine `i` breaks down: the work done so far is kept.
    fn fail(&mut self, i: usize) {
        self.busy[i] += self.now - self.since[i];
        self.work[i] -= self.ttf[i];
        self.state[i] = Machine::Down;
        let repair = exp(&mut self.rng, REPAIR);
        self.cal.schedule(self.now + repair, REPAIRED, i as u8);
    }

    /// Machine `i` is repaired: a new time to failure, and work resumes.
    fn repaired(&mut self, i: usize) {
        self.ttf[i] = exp(&mut self.rng, TTF);
        self.run(i);
    }
}

/// The saturated serial line, starting empty, over `horizon` seconds.
fn bare_line(seed: u64, horizon: f64) -> BareLine {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let ttf = std::array::from_fn(|_| exp(&mut rng, TTF));
    let mut line = Line {
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
    BareLine {
        finished: line.finished,
        events: line.events,
        utilisation: line.busy.map(|b| b / horizon),
    }
}

// ----- timing ---------------------------------------------------------------------

/// Times `engine` and `bare` in alternating blocks of `k` runs each, until
/// each side has used at least `min_cpu` seconds of CPU: returns the runs
/// of each side and the CPU seconds of the engine's and of the bare loop's.
fn measure<A, B>(
    k: u32,
    min_cpu: f64,
    mut engine: impl FnMut() -> A,
    mut bare: impl FnMut() -> B,
) -> (u32, f64, f64) {
    let (mut runs, mut engine_cpu, mut bare_cpu) = (0, 0.0, 0.0);
    while runs == 0 || engine_cpu < min_cpu || bare_cpu < min_cpu {
        let start = thread_cpu_seconds();
        for _ in 0..k {
            black_box(engine());
        }
        let middle = thread_cpu_seconds();
        for _ in 0..k {
            black_box(bare());
        }
        engine_cpu += middle - start;
        bare_cpu += thread_cpu_seconds() - middle;
        runs += k;
    }
    (runs, engine_cpu, bare_cpu)
}

/// Prints the timing lines of one model: items and events per CPU second
/// of the engine and of the bare loop, and the ratio in items per second.
fn report(
    model: &str,
    runs: u32,
    (engine_items, engine_events, engine_cpu): (u64, u64, f64),
    (bare_items, bare_events, bare_cpu): (u64, u64, f64),
) {
    let per_s = |n: u64, cpu: f64| n as f64 * f64::from(runs) / cpu;
    let (ei, bi) = (per_s(engine_items, engine_cpu), per_s(bare_items, bare_cpu));
    for (who, items, events, cpu) in [
        ("engine", engine_items, engine_events, engine_cpu),
        ("bare", bare_items, bare_events, bare_cpu),
    ] {
        println!(
            "{model:<12} {who:<6} {runs} runs in {cpu:6.2} s of CPU: {:8.3} M items/s, {:8.3} M events/s",
            per_s(items, cpu) / 1e6,
            per_s(events, cpu) / 1e6,
        );
    }
    println!(
        "{model:<12} ratio engine / bare (items/s): {:.3}{}",
        ei / bi,
        if ei / bi >= 0.5 {
            ""
        } else {
            "  (below the 0.5 target)"
        }
    );
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let k: u32 = std::env::var("BARE_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&k| k > 0)
        .unwrap_or(20);
    let min_cpu: f64 = std::env::var("BARE_MIN_CPU")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let minutes = HORIZON / MINUTE;

    if "mm1".contains(filter.as_str()) {
        let factory = mm1(HORIZON);
        let r = engine(&factory);
        let b = bare_mm1(SEED, HORIZON);
        println!(
            "mm1: {minutes} minutes, expected about {:.0} customers and 9 in system",
            0.9 * minutes
        );
        println!(
            "mm1          engine {:>7} customers {:>8} events, {:.2} in system on average",
            r.good, r.events, r.wip_avg
        );
        println!(
            "mm1          bare   {:>7} customers {:>8} events, {:.2} in system on average, {:.2} min in system",
            b.finished, b.events, b.in_system_avg, b.sojourn_mean_min
        );
        let (runs, engine_cpu, bare_cpu) = measure(
            k,
            min_cpu,
            || engine(black_box(&factory)).good,
            || bare_mm1(black_box(SEED), black_box(HORIZON)).finished,
        );
        report(
            "mm1",
            runs,
            (r.good, r.events, engine_cpu),
            (b.finished, b.events, bare_cpu),
        );
    }

    if "serial_line".contains(filter.as_str()) {
        let factory = serial_line(HORIZON);
        let r = engine(&factory);
        let b = bare_line(SEED, HORIZON);
        let shares = |u: &mut dyn Iterator<Item = f64>| {
            u.map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(" ")
        };
        println!("serial_line: {minutes} minutes");
        println!(
            "serial_line  engine {:>7} parts     {:>8} events, utilisation {}",
            r.good,
            r.events,
            shares(&mut r.stations.iter().map(|s| s.utilisation))
        );
        println!(
            "serial_line  bare   {:>7} parts     {:>8} events, utilisation {}",
            b.finished,
            b.events,
            shares(&mut b.utilisation.iter().copied())
        );
        println!(
            "serial_line  bare / engine parts: {:.3}",
            b.finished as f64 / r.good as f64
        );
        let (runs, engine_cpu, bare_cpu) = measure(
            k,
            min_cpu,
            || engine(black_box(&factory)).good,
            || bare_line(black_box(SEED), black_box(HORIZON)).finished,
        );
        report(
            "serial_line",
            runs,
            (r.good, r.events, engine_cpu),
            (b.finished, b.events, bare_cpu),
        );
    }
}
