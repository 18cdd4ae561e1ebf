//! How the cost of an operation grows with the size of the plant.
//!
//! Generated plants, one replication on one thread, counted in station
//! operations (parts taken through one operation at one station) per second:
//!
//! * `serial/N`: a saturated serial line of N stations, one machine each,
//!   buffers of 5, exponential process times with means cycling through
//!   1.0, 1.1, 0.9, 1.2 and 1.0 minutes (the benchmark line of
//!   `scenarios/serial_line.toml`, repeated), breakdowns after an
//!   exponential 100 operating minutes repaired in an exponential 5.
//! * `jobshop/N`: N stations with one machine each, unlimited buffers and
//!   the same breakdowns; products with routings of 10 stations (N when
//!   smaller), laid over the stations in a fixed shuffled order so that
//!   every station gets the same number of visits; Poisson releases with
//!   every station loaded to 0.85 (0.89 counting the breakdowns); process
//!   times exponential with mean 1 minute. 10 products up to 50 stations,
//!   then 2N/10 products.
//! * `jobshop/50x200p`: the 50-station job shop with 200 products.
//!
//! N is 5, 50, 500 and 2000. The horizon grows with N so that every line
//! has filled and runs in steady state for most of it (the serial line
//! starts empty, and its front advances about one station a minute), and
//! shrinks with N so that one replication is some millions of operations.
//! No warm-up; always the same seed, so every iteration does the same work.
//!
//! Before the timings, one untimed replication of each plant prints its
//! operations, events and two peaks of live heap bytes (from a counting
//! allocator): while the scenario text is generated, parsed and checked
//! into a factory ("build"), and while the replication runs ("run"). Both
//! should grow at most linearly with the stations (the build once held a
//! table of every pair of stations: 256 MB at 2000).
//!
//! Run with `cargo bench --bench scale`; a first argument that is not a flag
//! selects the plants whose name contains it (`cargo bench --bench scale --
//! serial/500`), or the one plant named exactly so (`jobshop/5` runs the
//! 5-station shop alone, not the 50- and 500-station ones).
//!
//! On a shared machine wall-clock timings follow the load. With
//! `SCALE_REPEAT=K` set, the bench skips criterion, runs each selected plant
//! K times and prints the operations per second of *CPU time* of the thread
//! (user + system time from `/proc/thread-self/stat`, 10 ms ticks), which
//! leaves out the time spent waiting for a core:
//! `SCALE_REPEAT=10 cargo bench --bench scale`. It then ends with issue
//! #17's ratios for the plants that ran: operations per second at 500 and
//! at 2000 stations over those at 5 (targets ≥ 0.7 and ≥ 0.5). One run's
//! ratios move with the machine's load; compare medians of several.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use shopfloor::model::{Factory, simulate};

#[path = "common/alloc.rs"]
mod alloc;
use alloc::{LIVE, PEAK};
#[path = "common/plants.rs"]
mod plants;
use plants::{FAILURES, header};
#[path = "common/cpu.rs"]
mod cpu;
use cpu::thread_cpu_seconds;

const SEED: u64 = 1;
const SIZES: [usize; 4] = [5, 50, 500, 2000];

/// Parses a generated scenario into a factory with no warm-up.
fn factory(name: &str, text: &str, horizon_min: f64) -> Factory {
    let path = Path::new("generated").join(format!("{name}.toml"));
    let mut f = shopfloor::scenario::parse(&path, text)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .factory;
    f.horizon = horizon_min * 60.0;
    f.warmup = 0.0;
    f.period = shopfloor::scenario::default_period(f.horizon);
    f
}

/// A saturated serial line of `n` stations.
fn serial(n: usize) -> Factory {
    const MEANS: [f64; 5] = [1.0, 1.1, 0.9, 1.2, 1.0];
    let name = format!("serial_{n}");
    let mut t = header(&name, "1w", SEED);
    for s in 0..n {
        writeln!(t, "[stations.s{s}]\nbuffer = 5\n{FAILURES}\n").unwrap();
    }
    t.push_str("[products.part]\nrelease = \"saturated\"\nrouting = [\n");
    for s in 0..n {
        let mean = MEANS[s % MEANS.len()];
        writeln!(
            t,
            "  {{ station = \"s{s}\", process = {{ dist = \"exponential\", mean = \"{mean}m\" }} }},"
        )
        .unwrap();
    }
    t.push_str("]\n");
    // About 0.75 parts a minute leave a line; the front of an empty line
    // takes about 1.3 minutes a station to reach its end.
    let horizon = (2.0e6 / (0.75 * n as f64)).max(2.5 * n as f64);
    factory(&name, &t, horizon)
}

/// A job shop of `n` stations and `products` products (see
/// `common/plants.rs`).
fn jobshop(n: usize, products: usize) -> Factory {
    let name = format!("jobshop_{n}x{products}");
    // 0.85 n operations a minute; at least a day.
    let horizon = (2.0e6 / (0.85 * n as f64)).max(1440.0);
    factory(&name, &plants::jobshop(n, products, "1w", SEED), horizon)
}

/// One replication; returns (station operations, events).
fn run(factory: &Factory) -> (u64, u64) {
    let (r, _) = simulate(factory, SEED, 0, false);
    (r.stations.iter().map(|s| s.operations).sum(), r.events)
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let mut plants: Vec<(String, Box<dyn Fn() -> Factory>)> = Vec::new();
    for n in SIZES {
        plants.push((format!("serial/{n}"), Box::new(move || serial(n))));
    }
    for n in SIZES {
        let products = if n <= 50 { 10 } else { 2 * n / 10 };
        plants.push((
            format!("jobshop/{n}"),
            Box::new(move || jobshop(n, products)),
        ));
    }
    plants.push(("jobshop/50x200p".into(), Box::new(|| jobshop(50, 200))));

    let repeat: Option<u32> = std::env::var("SCALE_REPEAT")
        .ok()
        .and_then(|k| k.parse().ok());
    let mut c = Criterion::default()
        .without_plots()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    println!(
        "{:<18} {:>10} {:>12} {:>12} {:>16} {:>16}",
        "plant", "horizon h", "operations", "events", "build peak heap", "run peak heap"
    );
    let mut g = c.benchmark_group("scale");
    // Operations per second of CPU time, per plant (with SCALE_REPEAT).
    let mut rates: Vec<(&str, f64)> = Vec::new();
    let exact = plants.iter().any(|(id, _)| *id == filter);
    for (id, build) in &plants {
        if !id.contains(&filter) || (exact && *id != filter) {
            continue;
        }
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let factory = build();
        let build_peak = PEAK.load(Relaxed) - base;
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let (ops, events) = run(&factory);
        let peak = PEAK.load(Relaxed) - base;
        println!(
            "{id:<18} {:>10.1} {ops:>12} {events:>12} {build_peak:>16} {peak:>16}",
            factory.horizon / 3600.0
        );
        if let Some(k) = repeat {
            let start = thread_cpu_seconds();
            for _ in 0..k {
                black_box(run(black_box(&factory)));
            }
            let cpu = thread_cpu_seconds() - start;
            let rate = ops as f64 * f64::from(k) / cpu / 1e6;
            println!("{id:<18} {k} runs in {cpu:.2} s of CPU: {rate:.3} M operations/s");
            rates.push((id.as_str(), rate));
            continue;
        }
        g.throughput(Throughput::Elements(ops));
        g.bench_function(id.as_str(), |b| b.iter(|| run(black_box(&factory))));
    }
    g.finish();
    c.final_summary();
    print_ratios(&rates);
}

/// Issue #17's targets: operations per second at 500 stations ≥ 0.7×
/// those at 5, at 2000 ≥ 0.5×, for each kind of plant that ran all three.
fn print_ratios(rates: &[(&str, f64)]) {
    let rate = |id: &str| rates.iter().find(|(i, _)| *i == id).map(|&(_, r)| r);
    for kind in ["serial", "jobshop"] {
        let Some(small) = rate(&format!("{kind}/5")) else {
            continue;
        };
        for (n, target) in [(500, 0.7), (2000, 0.5)] {
            if let Some(large) = rate(&format!("{kind}/{n}")) {
                let ratio = large / small;
                let verdict = if ratio >= target { "meets" } else { "below" };
                println!(
                    "{kind:<8} {n:>4} ÷ 5 stations: {ratio:.2} ({verdict} the target {target})"
                );
            }
        }
    }
}
