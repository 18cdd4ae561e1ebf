//! Single-thread simulation throughput on the two benchmark models.
//!
//! * `mm1`: an M/M/1 station at utilisation 0.9 — exponential inter-arrival
//!   times with mean 1/0.9 minute, exponential service with mean 1 minute
//!   (`scenarios/mm1.toml`, with the inter-arrival mean set to exactly
//!   60/0.9 s).
//! * `serial_line`: a saturated 5-station serial line, one machine per
//!   station, exponential process times with means 1.0, 1.1, 0.9, 1.2 and
//!   1.0 minutes, buffers of 5, blocking after service, breakdowns after an
//!   exponential 100 operating minutes repaired in an exponential 5 minutes
//!   (`scenarios/serial_line.toml`).
//!
//! One benchmark iteration is one replication over a 4-week horizon (no
//! warm-up, so every finished part counts), always with the same seed, so
//! every iteration does exactly the same work. Each model is measured twice:
//! `parts` reports finished parts (customers) per second and `events` reports
//! calendar events per second — the same replication, only the element count
//! differs.
//!
//! Every benchmark runs under two clocks: the groups `mm1` and `serial_line`
//! use criterion's usual wall-clock time; `cpu/mm1` and `cpu/serial_line` use
//! the CPU time of the benchmark thread (Linux only), which leaves out the
//! time the thread spends preempted — on a machine shared with other work
//! it is the steadier figure of what one core does.
//!
//! Before the timings, a memory check runs each model at horizons H, 4H and
//! 16H under a counting global allocator and prints the peak of live heap
//! bytes and the number of allocations per replication: both should stay
//! flat while the number of events grows with the horizon (memory is bounded
//! by work in process, and nothing is allocated per event). The one output
//! that grows with the run, the per-period time series, is bounded too: the
//! default reporting period keeps it between 40 and 280 points.
//!
//! A third model, `staffed_line`, is the serial line with every operation
//! needing one of five operators on a three-shift, seven-day calendar: the
//! cost of the workforce machinery when people are never short.
//!
//! A fourth, `decision`, is the baseline of `scenarios/decision.toml`: a
//! staffed two-shift plant with breakdowns and a repair crew, random
//! customer orders (make-to-order with an earliest-due-date station, and
//! make-to-stock with impatient customers) and the full cost model. It
//! reports events per second and simulated weeks per second.
//!
//! A fifth, `supply`, is the baseline of `scenarios/supply.toml`: the same
//! kind of order-driven plant whose operations take raw materials from two
//! stores — steel under an (R, Q) policy split between two mills (lead-time
//! and lateness draws, defective lots, incoming inspection, scrap traced
//! to the mill), bolts under (s, S) — so material requests, lots,
//! replenishment orders and deliveries are on the hot path. Events and
//! simulated weeks per second, as for `decision`.
//!
//! A sixth, `coating_line`, is a powder-coating line and curing oven
//! ([`COATING_LINE`]): two colour families (three products) dispatched in
//! campaigns at the coating booth, then a batch oven (10 to 30 parts of one
//! colour, waiting up to 30 minutes for a full batch, a setup when the
//! colour changes): the cost of batch forming and setup-aware dispatching.
//! Parts and events per second, as for `mm1`.
//!
//! A seventh, `metal_parts`, is the baseline of `scenarios/metal_parts.toml`:
//! laser and press brakes with preventive maintenance and forklifts
//! between them, welding tables with a robot beside them and a fifth of
//! the step outsourced, two shifts with different crews, a campaign
//! coating booth, a batch oven, assembly with a bought kit and inspection
//! with rework. Events and simulated weeks per second, as for `decision`.
//!
//! Run with `cargo bench --bench throughput`.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput};
use shopfloor::engine::WEEK;
use shopfloor::model::{Factory, simulate};

// The counting allocator (peak live bytes, allocations).
#[path = "common/alloc.rs"]
mod alloc;
use alloc::{ALLOCS, LIVE, PEAK};
#[path = "common/models.rs"]
mod models;
use models::{load, mm1, serial_line};

// ----- the models ---------------------------------------------------------------

const SEED: u64 = 1;
const HORIZON: f64 = 4.0 * WEEK;

/// The serial line staffed around the clock: every operation needs one of
/// five operators, whose pool follows a three-shift calendar seven days a
/// week — a pool and a calendar present, with people never short, so the
/// difference from `serial_line` is the cost of the workforce machinery.
fn staffed_line(horizon: f64) -> Factory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/serial_line.toml");
    let text = std::fs::read_to_string(&path).expect("benchmark scenario is readable");
    let mut staffed: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("{ station =") {
                l.replacen(" } },", " }, operators = 1 },", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    staffed.push_str(
        r#"
[calendars.three_shifts]
shifts = [{ start = "06:00", end = "14:00" }, { start = "14:00", end = "22:00" }, { start = "22:00", end = "06:00" }]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[workers.operators]
count = 5
stations = ["s1", "s2", "s3", "s4", "s5"]
calendar = "three_shifts"
"#,
    );
    let mut factory = shopfloor::scenario::parse(&path, &staffed)
        .unwrap_or_else(|e| panic!("staffed line: {e}"))
        .factory;
    assert!(
        factory.products[0]
            .routing
            .iter()
            .all(|op| op.operators == 1)
    );
    factory.horizon = horizon;
    factory.warmup = 0.0;
    factory.period = shopfloor::scenario::default_period(horizon);
    factory
}

/// The baseline of the decision study (orders, stock, costs, people).
fn decision(horizon: f64) -> Factory {
    load("decision", horizon)
}

/// The baseline of the supply study (materials, stores, suppliers).
fn supply(horizon: f64) -> Factory {
    load("supply", horizon)
}

/// The baseline of `scenarios/metal_parts.toml`: every concept of issue
/// #15 at once (movers, preventive maintenance, a mixed station with part
/// of its step outsourced, crews per shift, campaigns and a batch oven).
fn metal_parts(horizon: f64) -> Factory {
    load("metal_parts", horizon)
}

/// A powder-coating line and curing oven: two colour families, campaign
/// dispatching at the booth, a batch oven.
const COATING_LINE: &str = r#"
[simulation]
name = "coating_line"
horizon = "4w"
seed = 1

[stations.coat]
buffer = 200
dispatch = "campaign"
campaign_limit = 50

[stations.oven]
buffer = 400
batch = { min = 10, max = 30, wait_up_to = "30m", by = "family" }
dispatch = "min_setup"

[stations.unload]

[products.panel_red]
family = "red"
release = { interarrival = { dist = "exponential", mean = "4m" } }
routing = [
  { station = "coat", process = { dist = "lognormal", mean = "1.2m", cv = 0.2 }, setup = "15m" },
  { station = "oven", process = "30m", setup = "10m" },
  { station = "unload", process = "30s" },
]

[products.frame_red]
family = "red"
release = { interarrival = { dist = "exponential", mean = "8m" } }
routing = [
  { station = "coat", process = { dist = "lognormal", mean = "1.2m", cv = 0.2 }, setup = "15m" },
  { station = "oven", process = "30m", setup = "10m" },
  { station = "unload", process = "30s" },
]

[products.panel_blue]
family = "blue"
release = { interarrival = { dist = "exponential", mean = "6m" } }
routing = [
  { station = "coat", process = { dist = "lognormal", mean = "1.2m", cv = 0.2 }, setup = "15m" },
  { station = "oven", process = "30m", setup = "10m" },
  { station = "unload", process = "30s" },
]
"#;

/// The coating line and batch oven of [`COATING_LINE`].
fn coating_line(horizon: f64) -> Factory {
    let path = Path::new("coating_line.toml");
    let mut factory = shopfloor::scenario::parse(path, COATING_LINE)
        .unwrap_or_else(|e| panic!("coating line: {e}"))
        .factory;
    factory.horizon = horizon;
    factory.warmup = 0.0;
    factory.period = shopfloor::scenario::default_period(horizon);
    factory
}

/// Benchmarks the decision plant: events and simulated weeks per second.
fn bench_decision<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    bench_plant(c, group, decision);
}

/// Benchmarks the plant `build(HORIZON)`: events and simulated weeks per
/// second.
fn bench_plant<M: Measurement>(c: &mut Criterion<M>, group: &str, build: fn(f64) -> Factory) {
    let factory = build(HORIZON);
    let (parts, events) = run(&factory);
    println!("{group}: {parts} parts and {events} events per 4-week replication");
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(events));
    g.bench_function("events", |b| b.iter(|| run(black_box(&factory))));
    g.throughput(Throughput::Elements((HORIZON / WEEK) as u64));
    g.bench_function("weeks", |b| b.iter(|| run(black_box(&factory))));
    g.finish();
}

/// One replication; returns (finished parts, events).
fn run(factory: &Factory) -> (u64, u64) {
    let (r, _) = simulate(factory, SEED, 0, false);
    (r.good, r.events)
}

// ----- memory -------------------------------------------------------------------

/// Prints peak live heap bytes and allocations per replication at horizons
/// H, 4H and 16H.
fn memory_check(name: &str, build: fn(f64) -> Factory) {
    println!("memory/{name}: one replication per horizon (H = 1 week)");
    println!(
        "  {:>8} {:>12} {:>12} {:>16} {:>12}",
        "horizon", "parts", "events", "peak heap bytes", "allocations"
    );
    let mut peaks = Vec::new();
    for k in [1.0, 4.0, 16.0] {
        let factory = build(k * WEEK);
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let allocs0 = ALLOCS.load(Relaxed);
        let (parts, events) = black_box(run(black_box(&factory)));
        let peak = PEAK.load(Relaxed) - base;
        let allocs = ALLOCS.load(Relaxed) - allocs0;
        println!("  {k:>7}H {parts:>12} {events:>12} {peak:>16} {allocs:>12}");
        peaks.push(peak);
    }
    let ratio = peaks[2] as f64 / peaks[0] as f64;
    println!(
        "  peak heap at 16H / at H = {ratio:.2} ({})",
        if ratio < 1.5 { "flat" } else { "GROWING" }
    );
}

// ----- thread CPU time ----------------------------------------------------------

/// A criterion measurement: CPU time consumed by the calling thread, in
/// nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
#[cfg(target_os = "linux")]
struct ThreadCpuTime;

#[cfg(target_os = "linux")]
mod cpu_clock {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }

    /// `CLOCK_THREAD_CPUTIME_ID` on Linux.
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

    /// CPU time of the calling thread, nanoseconds.
    pub fn thread_ns() -> u64 {
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec (two `long`s on 64-bit
        // Linux) and the clock id is a constant the kernel knows.
        let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
}

#[cfg(target_os = "linux")]
impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        cpu_clock::thread_ns()
    }
    fn end(&self, start: u64) -> u64 {
        cpu_clock::thread_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

/// Formats nanoseconds (as criterion's own wall-clock formatter does) and
/// element throughputs.
#[cfg(target_os = "linux")]
struct NanosFormatter;

#[cfg(target_os = "linux")]
impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical_ns {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e-3, "µs"),
            t if t < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical_ns: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per_iteration = match *throughput {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => n,
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => n,
            Throughput::Bits(n) => n,
        } as f64;
        let typical = per_iteration * 1e9 / typical_ns;
        let (divisor, unit) = match typical {
            t if t < 1e3 => (1.0, " elem/s"),
            t if t < 1e6 => (1e3, "Kelem/s"),
            t if t < 1e9 => (1e6, "Melem/s"),
            _ => (1e9, "Gelem/s"),
        };
        values
            .iter_mut()
            .for_each(|v| *v = per_iteration * 1e9 / *v / divisor);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

// ----- timings ------------------------------------------------------------------

/// Benchmarks one replication of `build(HORIZON)` as group `group`, once
/// counting parts and once counting events.
fn bench_model<M: Measurement>(c: &mut Criterion<M>, group: &str, build: fn(f64) -> Factory) {
    let factory = build(HORIZON);
    let (parts, events) = run(&factory);
    println!(
        "{group}: {parts} parts and {events} events per replication ({:.2} events per part)",
        events as f64 / parts as f64
    );
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(parts));
    g.bench_function("parts", |b| b.iter(|| run(black_box(&factory))));
    g.throughput(Throughput::Elements(events));
    g.bench_function("events", |b| b.iter(|| run(black_box(&factory))));
    g.finish();
}

fn main() {
    memory_check("mm1", mm1);
    memory_check("serial_line", serial_line);
    memory_check("decision", decision);
    memory_check("supply", supply);
    memory_check("coating_line", coating_line);
    memory_check("metal_parts", metal_parts);

    // No plots: criterion's plotting backend finds no system fonts here.
    let mut wall = Criterion::default().without_plots().configure_from_args();
    bench_model(&mut wall, "mm1", mm1);
    bench_model(&mut wall, "serial_line", serial_line);
    bench_model(&mut wall, "staffed_line", staffed_line);
    bench_decision(&mut wall, "decision");
    bench_plant(&mut wall, "supply", supply);
    bench_model(&mut wall, "coating_line", coating_line);
    bench_plant(&mut wall, "metal_parts", metal_parts);

    #[cfg(target_os = "linux")]
    {
        let mut cpu = Criterion::default()
            .with_measurement(ThreadCpuTime)
            .without_plots()
            .configure_from_args();
        bench_model(&mut cpu, "cpu/mm1", mm1);
        bench_model(&mut cpu, "cpu/serial_line", serial_line);
        bench_model(&mut cpu, "cpu/staffed_line", staffed_line);
        bench_decision(&mut cpu, "cpu/decision");
        bench_plant(&mut cpu, "cpu/supply", supply);
        bench_model(&mut cpu, "cpu/coating_line", coating_line);
        bench_plant(&mut cpu, "cpu/metal_parts", metal_parts);
    }

    Criterion::default()
        .without_plots()
        .configure_from_args()
        .final_summary();
}
