//! Batch throughput: jobs per second on one thread and on all threads.
//!
//! The batch is `scenarios/line_study.toml` — the baseline plus 7 variants,
//! 8 in all — with 16 replications each: 128 jobs, run through
//! [`shopfloor::experiment::run_jobs`] as `shopfloor run` does (a stop flag
//! that is never set; each finished result dropped at once, where the
//! command line first writes it to its job file). The jobs keep the
//! file's own horizon (3 weeks after a 2-day warm-up), so each one is a
//! real replication of the study: one 128-job batch takes a few tenths of a
//! second on one thread, short enough that no shortening is needed. Every
//! iteration runs the same jobs with the same seeds, so every iteration
//! does the same work.
//!
//! Three parts:
//!
//! 1. criterion times the batch inside a rayon pool of 1 thread and of all
//!    threads (`std::thread::available_parallelism`), reporting jobs per
//!    second (`batch/threads/1`, `batch/threads/N`);
//! 2. a summary of its own: a few repetitions of each, alternating 1 and N
//!    threads so that background load hits both alike, and the parallel
//!    efficiency `(jobs/s at N) / (N × jobs/s at 1)` from the medians (and,
//!    for comparison on a noisy machine, from the fastest repetitions);
//! 3. a memory check under a counting global allocator: the peak live heap
//!    of a whole run as `shopfloor run` does it, for 128 and 512 jobs at 1
//!    and at N threads, next to the peak of a single job run alone and the
//!    bytes of one job's result. Two phases are measured:
//!    [`shopfloor::experiment::execute`] (the jobs streamed to a job file,
//!    then the analysis, which reads them back one replication at a time)
//!    and [`shopfloor::report::write_all`] (the tables, read back the same
//!    way). Neither may grow by more than a quarter of one job's result
//!    per extra job — the benchmark fails otherwise: memory is bounded by
//!    the threads, not by the jobs.
//!
//! Parts 2 and 3 run only under `cargo bench` (not when `cargo test` runs
//! the benchmark once as a smoke test).
//!
//! Run with `cargo bench --bench batch`.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use rayon::{ThreadPool, ThreadPoolBuilder};
use shopfloor::engine::format_duration;
use shopfloor::experiment::kpi::KPIS;
use shopfloor::experiment::store::Shard;
use shopfloor::experiment::{Job, JobResult, Outcome, Plan, Silent, execute, job_list, run_jobs};
use shopfloor::model::simulate;
use shopfloor::report;
use shopfloor::scenario::{Overrides, Scenario};

// The counting allocator (peak live bytes, allocations).
#[path = "common/alloc.rs"]
mod alloc;
use alloc::{ALLOCS, LIVE, PEAK};

// ----- the batch ----------------------------------------------------------------

/// Replications per variant in the timed batch: 8 variants × 16 = 128 jobs.
const REPS: u64 = 16;
/// Repetitions of each thread count in the efficiency summary.
const REPEATS: usize = 9;

/// `scenarios/line_study.toml` with `reps` replications (horizon, warm-up
/// and seed as in the file).
fn scenario(reps: u64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/line_study.toml");
    let mut s = shopfloor::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    s.apply(&Overrides {
        replications: Some(reps as u32),
        ..Overrides::default()
    })
    .expect("the overrides are valid");
    s
}

/// A rayon pool of `threads` threads.
fn pool(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool can be built")
}

/// Runs every job of the batch on `pool`, as `shopfloor run` does, keeping
/// only which jobs finished.
fn batch(pool: &ThreadPool, scenario: &Scenario, jobs: &[Job]) -> Vec<Job> {
    pool.install(|| run_jobs(scenario, jobs, &|r| Some(r.job), &AtomicBool::new(false)))
}

/// Wall time and process CPU time (if known) of one batch, seconds.
fn time_batch(pool: &ThreadPool, scenario: &Scenario, jobs: &[Job]) -> (f64, Option<f64>) {
    let cpu0 = process_cpu_seconds();
    let start = Instant::now();
    let results = black_box(batch(pool, black_box(scenario), black_box(jobs)));
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    assert_eq!(results.len(), jobs.len(), "every job finished");
    (elapsed, cpu)
}

/// CPU time consumed by the whole process (all threads), seconds
/// (`CLOCK_PROCESS_CPUTIME_ID`).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn process_cpu_seconds() -> Option<f64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (two 64-bit fields on
    // 64-bit Linux) and the clock id is a constant the kernel knows.
    let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
}

/// CPU time the whole machine spent busy (not idle or waiting for I/O)
/// since boot, all cores together, seconds (`/proc/stat`, in the kernel's
/// 1/100 s ticks).
fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<f64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal ...
    let idle = ticks.get(3)? + ticks.get(4).unwrap_or(&0.0);
    Some((ticks.iter().sum::<f64>() - idle) / 100.0)
}

/// CPU time is only read on 64-bit Linux.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn process_cpu_seconds() -> Option<f64> {
    None
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The 1-minute load average, if the system reports it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn all_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

// ----- 1. criterion ---------------------------------------------------------------

fn bench_batch(c: &mut Criterion, scenario: &Scenario, jobs: &[Job]) {
    let mut group = c.benchmark_group("batch");
    group
        .throughput(Throughput::Elements(jobs.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(12));
    let mut counts = vec![1, all_threads()];
    counts.dedup();
    for threads in counts {
        let pool = pool(threads);
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| batch(&pool, black_box(scenario), black_box(jobs)));
        });
    }
    group.finish();
}

// ----- 2. parallel efficiency -----------------------------------------------------

/// Jobs per second at 1 and at `n` threads from batch times `t1` and `tn`,
/// and the parallel efficiency.
fn rates(jobs: usize, n: usize, t1: f64, tn: f64) -> (f64, f64, f64) {
    let (rate1, rate_n) = (jobs as f64 / t1, jobs as f64 / tn);
    (rate1, rate_n, rate_n / (n as f64 * rate1))
}

fn efficiency(scenario: &Scenario, jobs: &[Job]) {
    let n = all_threads();
    let (p1, pn) = (pool(1), pool(n));
    let load_before = load_average();
    // One untimed run each, to warm caches and start the pools' threads.
    time_batch(&p1, scenario, jobs);
    time_batch(&pn, scenario, jobs);
    let (busy0, own0, start) = (
        machine_busy_seconds(),
        process_cpu_seconds(),
        Instant::now(),
    );
    let (mut t1, mut tn) = (Vec::new(), Vec::new());
    let (mut c1, mut cn) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let (wall, cpu) = time_batch(&p1, scenario, jobs);
        t1.push(wall);
        c1.extend(cpu);
        let (wall, cpu) = time_batch(&pn, scenario, jobs);
        tn.push(wall);
        cn.extend(cpu);
    }
    // Cores kept busy by other processes meanwhile: the machine's busy time
    // less this process's CPU time, over the wall time.
    let others = match (machine_busy_seconds(), busy0, process_cpu_seconds(), own0) {
        (Some(b1), Some(b0), Some(o1), Some(o0)) => {
            format!(
                "{:.2}",
                ((b1 - b0) - (o1 - o0)).max(0.0) / start.elapsed().as_secs_f64()
            )
        }
        _ => "?".into(),
    };
    let show = |ts: &[f64]| {
        ts.iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "efficiency: {} jobs per batch, {REPEATS} batches per thread count, alternating",
        jobs.len()
    );
    println!("  1 thread : batch seconds {}", show(&t1));
    println!("  {n} threads: batch seconds {}", show(&tn));
    let fastest = |ts: &[f64]| ts.iter().copied().fold(f64::INFINITY, f64::min);
    let (b1, bn) = (fastest(&t1), fastest(&tn));
    if c1.len() == REPEATS && cn.len() == REPEATS {
        let (m1, mn) = (median(c1), median(cn));
        println!(
            "  process CPU seconds per batch (median): {m1:.3} at 1 thread, {mn:.3} at {n} threads \
             (x{:.3}; 1 = the jobs cost no more CPU in parallel)",
            mn / m1
        );
    }
    let (rate1, rate_n, eff) = rates(jobs.len(), n, median(t1), median(tn));
    let (best1, best_n, best_eff) = rates(jobs.len(), n, b1, bn);
    println!(
        "  fastest batches: {best1:.1} jobs/s at 1 thread, {best_n:.1} at {n} threads, efficiency {:.1}%",
        100.0 * best_eff
    );
    println!(
        "batch summary: {} jobs; jobs/s (median of {REPEATS}) {rate1:.1} at 1 thread, {rate_n:.1} at {n} threads; \
         speed-up {:.2}, parallel efficiency {:.1}% (target >= 90%); load average {load_before} before, {} after; \
         other processes kept {others} cores busy meanwhile",
        jobs.len(),
        rate_n / rate1,
        100.0 * eff,
        load_average(),
    );
}

// ----- 3. memory ----------------------------------------------------------------

/// Peak and retained live heap bytes of `f()` and the number of
/// allocations it made, all relative to the live bytes before it. The
/// retained bytes are those still held by its (black-boxed) value.
fn measure<T>(f: impl FnOnce() -> T) -> (usize, usize, usize, T) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let allocs0 = ALLOCS.load(Relaxed);
    let value = black_box(f());
    let peak = PEAK.load(Relaxed) - base;
    let retained = LIVE.load(Relaxed).saturating_sub(base);
    let allocs = ALLOCS.load(Relaxed) - allocs0;
    (peak, retained, allocs, value)
}

/// Runs `scenario` as `shopfloor run` does, into a fresh folder under
/// `tmp`, on `pool`: returns the peak and retained live heap bytes of the
/// run with its analysis ([`execute`]) and the peak of writing the tables
/// ([`report::write_all`]).
fn whole_run(pool: &ThreadPool, scenario: &Scenario, tmp: &Path) -> (usize, usize, usize) {
    let dir = tmp.join(format!("{}-jobs", scenario.replications));
    let stop = AtomicBool::new(false);
    let plan = Plan {
        dir: &dir,
        shard: Shard::ALL,
        resume: false,
        precision: Vec::new(),
        max_replications: scenario.replications,
        rank_by: &KPIS[0],
        stop: &stop,
    };
    let (run_peak, kept, _, outcome) =
        measure(|| pool.install(|| execute(scenario, &plan, &Silent)));
    let Ok(Outcome::Complete { results, .. }) = outcome else {
        panic!("the run completes");
    };
    let (tables_peak, _, _, written) =
        measure(|| pool.install(|| report::write_all(&dir, scenario, &results)));
    written.expect("the tables are written");
    (run_peak, kept, tables_peak)
}

fn memory_check() {
    let n = all_threads();
    let mut counts = vec![1, n];
    counts.dedup();
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let small = scenario(REPS);

    // Pools dropped earlier shut their threads down asynchronously, freeing
    // their buffers; let that finish so it does not disturb the counts.
    std::thread::sleep(Duration::from_millis(200));

    // One job on its own: the working memory of one running simulation.
    let (one_peak, one_result, _, _) = measure(|| simulate(&small.factory, small.seed, 0, false).0);
    println!(
        "memory: one baseline job alone: peak {one_peak} bytes, of which {one_result} bytes are its result \
         ({} bytes inline per JobResult, plus its vectors and strings)",
        size_of::<JobResult>()
    );
    println!(
        "  peak live heap of a whole run: 'run' = jobs streamed to the job file + analysis (experiment::execute), \
         'kept' = what its results hold afterwards, 'tables' = writing the CSV tables (report::write_all)"
    );
    println!(
        "  {:>7} {:>5} {:>12} {:>12} {:>10} {:>12}",
        "threads", "jobs", "run peak", "kept", "per job", "tables peak"
    );
    for &threads in &counts {
        let pool = pool(threads);
        // One unmeasured run so that the pool's own buffers are in place.
        whole_run(&pool, &small, tmp.path());
        let mut rows = Vec::new();
        for reps in [REPS, 4 * REPS] {
            let s = scenario(reps);
            let k = job_list(&s, 0..reps).len();
            let (run, kept, tables) = whole_run(&pool, &s, tmp.path());
            println!(
                "  {threads:>7} {k:>5} {run:>12} {kept:>12} {:>10} {tables:>12}",
                kept / k
            );
            rows.push((k, run, tables));
        }
        let ((k0, r0, t0), (k1, r1, t1)) = (rows[0], rows[1]);
        let growth = |a: usize, b: usize| (b as f64 - a as f64) / (k1 - k0) as f64;
        let (run_growth, tables_growth) = (growth(r0, r1), growth(t0, t1));
        println!(
            "  {threads} thread(s): {k0} -> {k1} jobs: run peak {r0} -> {r1} bytes (x{:.2} for x{}, \
             {run_growth:.0} bytes per extra job), tables peak {t0} -> {t1} bytes ({tables_growth:.0} bytes per extra job)",
            r1 as f64 / r0 as f64,
            k1 / k0,
        );
        // Holding every result (or just its time series) would add about
        // one result per job; what a run keeps per job is a few dozen bytes.
        let bound = one_result as f64 / 4.0;
        assert!(
            run_growth < bound && tables_growth < bound,
            "memory grows with the jobs: {run_growth:.0} and {tables_growth:.0} bytes per extra job \
             (bound: a quarter of one result, {bound:.0} bytes)"
        );
    }
}

// ----- main ---------------------------------------------------------------------

fn main() {
    let scenario = scenario(REPS);
    let jobs = job_list(&scenario, 0..REPS);
    assert!(jobs.len() >= 100, "the batch has at least 100 jobs");
    println!(
        "batch: {} ({} variants x {REPS} replications = {} jobs, horizon {} after a {} warm-up), {} threads available",
        scenario.factory.name,
        scenario.variants.len() + 1,
        jobs.len(),
        format_duration(scenario.factory.horizon),
        format_duration(scenario.factory.warmup),
        all_threads()
    );

    // No plots: criterion's plotting backend finds no system fonts here.
    let mut c = Criterion::default().without_plots().configure_from_args();
    bench_batch(&mut c, &scenario, &jobs);
    c.final_summary();

    // `cargo bench` passes `--bench`; `cargo test` runs the binary once as
    // a smoke test without it.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list") {
        efficiency(&scenario, &jobs);
        memory_check();
    }
}
