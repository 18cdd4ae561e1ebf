//! Replications per second during an optimisation, against simulating the
//! same replications plainly.
//!
//! The optimisation is that of `scenarios/decision.toml` (48
//! configurations, its own horizon, warm-up and seed), run as `shopfloor
//! optimize` runs it ([`shopfloor::optimize::optimize`] into a fresh
//! folder: configurations derived, stages run in parallel, every
//! replication appended to the job file). The plain run simulates exactly
//! the (configuration, replication) pairs the optimisation spent, in one
//! parallel batch, from factories derived beforehand. The difference is the
//! optimiser's overhead: deriving and validating configurations, the
//! barriers between stages, the job file and the selection itself.
//!
//! Repetitions alternate the two, so that background load hits both alike;
//! the medians are printed. Under `cargo test --benches` (no `--bench`
//! argument) one repetition runs, as a smoke test.
//!
//! Run with `cargo bench --bench optimize`.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rayon::prelude::*;
use shopfloor::experiment::Silent;
use shopfloor::model::{Factory, simulate};
use shopfloor::optimize::{Outcome, Settings, optimize};
use shopfloor::scenario::Scenario;

/// CPU seconds used by this process so far (user + system, from
/// /proc/self/stat in clock ticks of 1/100 s; None elsewhere): unlike wall
/// time, it does not grow when other jobs hold the cores.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Medians over `repeats` alternations of the optimisation and the plain
/// run on the current rayon pool: (optimisation replications/s, plain
/// replications/s, CPU seconds of each), and the replications spent.
fn measure(
    s: &Scenario,
    factories: &[Factory],
    repeats: usize,
) -> (f64, f64, Option<(f64, f64)>, u64) {
    let stop = AtomicBool::new(false);
    let (mut opt_rate, mut plain_rate, mut spent) = (Vec::new(), Vec::new(), 0);
    let (mut opt_cpu, mut plain_cpu) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let tmp = tempfile::tempdir().unwrap();
        let settings = Settings {
            dir: tmp.path(),
            resume: false,
            stop: &stop,
            stress: None,
        };
        let t = Instant::now();
        let c = cpu_seconds();
        let Ok(Outcome::Complete { result, .. }) = optimize(s, &settings, &Silent) else {
            panic!("the optimisation did not complete");
        };
        let secs = t.elapsed().as_secs_f64();
        spent = result.replications;
        opt_rate.push(spent as f64 / secs);
        opt_cpu.extend(c.zip(cpu_seconds()).map(|(a, b)| b - a));
        let pairs: Vec<(usize, u64)> = result
            .configurations
            .iter()
            .flat_map(|c| (0..c.replications).map(move |r| (c.index, r)))
            .collect();
        let t = Instant::now();
        let c = cpu_seconds();
        let events: u64 = pairs
            .par_iter()
            .map(|&(i, r)| simulate(&factories[i], s.seed, r, false).0.events)
            .sum();
        let secs = t.elapsed().as_secs_f64();
        assert!(events > 0);
        plain_rate.push(pairs.len() as f64 / secs);
        plain_cpu.extend(c.zip(cpu_seconds()).map(|(a, b)| b - a));
    }
    let cpu = (!opt_cpu.is_empty()).then(|| (median(opt_cpu), median(plain_cpu)));
    (median(opt_rate), median(plain_rate), cpu, spent)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let repeats = if full { 7 } else { 1 };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/decision.toml");
    let s = shopfloor::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let spec = s.optimize.as_ref().expect("decision.toml has [optimize]");
    let c = cpu_seconds();
    let factories: Vec<Factory> = (0..spec.space())
        .map(|i| s.derive("x", &spec.overrides(i)).unwrap().factory)
        .collect();
    let derive_cpu = c.zip(cpu_seconds()).map(|(a, b)| b - a);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = vec![1];
    if all > 1 {
        threads.push(all);
    }
    println!(
        "optimize decision.toml ({} configurations); medians of {repeats}",
        spec.space()
    );
    if let Some(d) = derive_cpu {
        println!("  deriving the configurations takes {d:.2} s of CPU");
    }
    for n in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap();
        let (o, p, cpu, spent) = pool.install(|| measure(&s, &factories, repeats));
        println!(
            "  {n} thread{}: {spent} replications",
            if n == 1 { "" } else { "s" }
        );
        println!("    during the optimisation  {o:7.0} replications/s");
        println!("    plain, the same          {p:7.0} replications/s");
        println!(
            "    overhead                 {:+.1}% of the wall-clock time",
            100.0 * (p / o - 1.0)
        );
        if let Some((oc, pc)) = cpu {
            println!(
                "    CPU time                 {oc:.2} s against {pc:.2} s: {:+.1}%",
                100.0 * (oc / pc - 1.0)
            );
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "  load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}
