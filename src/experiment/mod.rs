//! Experiments: every (variant, replication) pair is a job; jobs run in
//! parallel and are combined deterministically.
//!
//! Each job is seeded by its replication index, never by the thread that
//! runs it, and replication `r` of every variant uses the same named random
//! streams (common random numbers). Results are sorted by (variant,
//! replication) before anything is summed, so every output is identical for
//! any thread count, completion order or shard split.

mod compare;
mod execute;
pub mod kpi;
pub mod store;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use compare::{Comparison, Ranking, compare, rank};
pub use execute::{Outcome, Plan, Precision, Progress, Silent, execute};

use crate::model::{Factory, MachineState, ReplicationResult, simulate};
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// One unit of work: a replication of a variant (0 is the baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Job {
    /// Variant index: 0 is the baseline, then variants in file order.
    pub variant: u32,
    /// Replication index.
    pub replication: u64,
}

/// A finished job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobResult {
    /// Which job.
    pub job: Job,
    /// What it measured.
    pub result: ReplicationResult,
}

/// Every (variant, replication) pair for replications `reps`, variant by
/// variant.
pub fn job_list(scenario: &Scenario, reps: std::ops::Range<u64>) -> Vec<Job> {
    let variants = scenario.variants.len() as u32 + 1;
    (0..variants)
        .flat_map(|variant| {
            reps.clone().map(move |replication| Job {
                variant,
                replication,
            })
        })
        .collect()
}

/// Runs `jobs` on the current rayon pool. `done` is called (from any
/// thread) with each finished job; once `stop` is set, jobs not yet started
/// are skipped. Returns the finished jobs in job-list order.
pub fn run_jobs(
    scenario: &Scenario,
    jobs: &[Job],
    done: &(dyn Fn(&JobResult) + Sync),
    stop: &AtomicBool,
) -> Vec<JobResult> {
    let factories = scenario.all_variants();
    jobs.par_iter()
        .filter_map(|&job| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let factory = factories[job.variant as usize].1;
            let (result, _) = simulate(factory, scenario.seed, job.replication, false);
            let jr = JobResult { job, result };
            done(&jr);
            Some(jr)
        })
        .collect()
}

/// One variant's results.
#[derive(Clone, Debug)]
pub struct VariantOutcome {
    /// Variant name (`baseline` first).
    pub name: String,
    /// Overrides that define it, `(path, value)`.
    pub overrides: Vec<(String, String)>,
    /// Its replications, in index order.
    pub replications: Vec<ReplicationResult>,
    /// Summary over its replications.
    pub summary: Summary,
    /// Paired differences from the baseline, one per KPI (all exactly zero
    /// for the baseline itself).
    pub vs_baseline: Vec<Comparison>,
}

/// Everything an experiment produced.
#[derive(Clone, Debug)]
pub struct RunResults {
    /// Baseline first, then variants in file order.
    pub variants: Vec<VariantOutcome>,
    /// Variants ranked on the chosen KPI.
    pub ranking: Ranking,
}

impl RunResults {
    /// The baseline's results.
    pub fn baseline(&self) -> &VariantOutcome {
        &self.variants[0]
    }
}

/// Runs every job of `scenario` (all variants, all replications) and
/// analyses them, ranking on throughput.
pub fn run(scenario: &Scenario) -> RunResults {
    let jobs = job_list(scenario, 0..u64::from(scenario.replications));
    let results = run_jobs(scenario, &jobs, &|_| {}, &AtomicBool::new(false));
    analyse(scenario, results, &kpi::KPIS[0])
}

/// Groups finished jobs by variant (sorted by replication), summarises,
/// compares with the baseline and ranks on `rank_by`. Every variant must
/// have the same replications.
pub fn analyse(scenario: &Scenario, mut results: Vec<JobResult>, rank_by: &kpi::Kpi) -> RunResults {
    results.sort_by_key(|r| r.job);
    let factories = scenario.all_variants();
    let mut per_variant: Vec<Vec<ReplicationResult>> = vec![Vec::new(); factories.len()];
    for r in results {
        per_variant[r.job.variant as usize].push(r.result);
    }
    let overrides =
        std::iter::once(Vec::new()).chain(scenario.variants.iter().map(|v| v.overrides.clone()));
    let mut variants: Vec<VariantOutcome> = factories
        .iter()
        .zip(per_variant)
        .zip(overrides)
        .map(|(((name, factory), reps), overrides)| VariantOutcome {
            name: name.to_string(),
            overrides,
            summary: summarise(factory, &reps),
            replications: reps,
            vs_baseline: Vec::new(),
        })
        .collect();
    let base = variants[0].replications.clone();
    for v in &mut variants {
        v.vs_baseline = kpi::KPIS
            .iter()
            .map(|k| compare(k, &v.replications, &base))
            .collect();
    }
    let ranking = rank(rank_by, &variants);
    RunResults { variants, ranking }
}

/// Per-station KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct StationSummary {
    /// Station name.
    pub station: String,
    /// Number of machines.
    pub machines: u32,
    /// Share of machine time processing.
    pub utilisation: Estimate,
    /// Share of machine time blocked.
    pub blocked: Estimate,
    /// Share of machine time starved (idle).
    pub starved: Estimate,
    /// Share of machine time down.
    pub down: Estimate,
    /// Share of machine time in setup.
    pub setup: Estimate,
    /// Share of machine time loaded but waiting for operators.
    pub waiting_operator: Estimate,
    /// Share of machine time broken and waiting for a technician.
    pub waiting_technician: Estimate,
    /// Share of machine time waiting for operators who are off shift.
    pub off_shift: Estimate,
    /// Time-average buffer content.
    pub queue_avg: Estimate,
    /// Parts scrapped here.
    pub scrapped: Estimate,
    /// Parts sent to rework from here.
    pub reworked: Estimate,
    /// How many replications named this station the busiest.
    pub busiest_in: usize,
}

/// Per-pool KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct PoolSummary {
    /// Pool name.
    pub pool: String,
    /// Head count.
    pub workers: u32,
    /// Share of paid time working (operating or repairing).
    pub utilisation: Estimate,
    /// Worker-hours working.
    pub busy_hours: Estimate,
    /// Paid worker-hours not working.
    pub idle_paid_hours: Estimate,
    /// Overtime hours paid.
    pub overtime_hours: Estimate,
    /// Repairs completed.
    pub repairs: Estimate,
    /// Labour cost.
    pub labour_cost: Estimate,
}

/// KPIs over all replications.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Replications summarised.
    pub replications: usize,
    /// Good parts per hour.
    pub throughput_per_hour: Estimate,
    /// Good parts in the observed period.
    pub good: Estimate,
    /// Good parts per product, in scenario order.
    pub good_per_product: Vec<(String, Estimate)>,
    /// Parts released.
    pub released: Estimate,
    /// Parts scrapped.
    pub scrapped: Estimate,
    /// Rework loops.
    pub reworked: Estimate,
    /// Mean cycle time, minutes.
    pub cycle_time_mean_min: Estimate,
    /// Median cycle time, minutes.
    pub cycle_time_p50_min: Estimate,
    /// 90th percentile cycle time, minutes.
    pub cycle_time_p90_min: Estimate,
    /// 95th percentile cycle time, minutes.
    pub cycle_time_p95_min: Estimate,
    /// Time-average WIP.
    pub wip_avg: Estimate,
    /// Time-average WIP waiting in buffers.
    pub wip_waiting_avg: Estimate,
    /// Time-average WIP on machines.
    pub wip_on_machines_avg: Estimate,
    /// Per station.
    pub stations: Vec<StationSummary>,
    /// Per worker pool.
    pub pools: Vec<PoolSummary>,
    /// Labour cost of all pools over the observed period.
    pub labour_cost: Estimate,
    /// Labour cost per good part.
    pub labour_cost_per_good: Estimate,
    /// Station with the highest mean utilisation.
    pub busiest_station: String,
    /// Warm-up suggested by MSER-5 on the WIP series averaged over
    /// replications, hours (None when the series is too short).
    pub mser5_warmup_hours: Option<f64>,
    /// True when the WIP between the chosen warm-up and the MSER-5
    /// suggestion differs significantly (beyond 3 standard errors) from the
    /// WIP after it: the chosen warm-up then leaves a transient in the
    /// statistics. MSER-5 alone truncates noise on short runs, so the
    /// suggestion is only worth a warning when this holds.
    pub warmup_too_short: bool,
}

/// MSER-5 on the WIP series averaged across replications, in hours.
fn suggest_warmup(reps: &[ReplicationResult]) -> Option<f64> {
    let (avg, period) = mean_wip_series(reps)?;
    let d = crate::stats::mser5(&avg)?;
    Some(d as f64 * period)
}

/// Whether the MSER-5 truncation point lies beyond the chosen warm-up and
/// the WIP in between differs from the WIP after it by more than 3
/// standard errors (batch means of 5 periods).
fn warmup_too_short(factory: &Factory, reps: &[ReplicationResult]) -> bool {
    let Some((avg, period)) = mean_wip_series(reps) else {
        return false;
    };
    let Some(d) = crate::stats::mser5(&avg) else {
        return false;
    };
    let k = ((factory.warmup / 3600.0) / period).ceil() as usize;
    if d <= k + 5 || d >= avg.len() {
        return false;
    }
    let rest = &avg[d..];
    let batches: Vec<f64> = rest
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    if batches.len() < 2 {
        return false;
    }
    let nb = batches.len() as f64;
    let mb = batches.iter().sum::<f64>() / nb;
    let var_b = batches.iter().map(|b| (b - mb).powi(2)).sum::<f64>() / (nb - 1.0);
    let seg = &avg[k..d];
    let mean_seg = seg.iter().sum::<f64>() / seg.len() as f64;
    let mean_rest = rest.iter().sum::<f64>() / rest.len() as f64;
    // A mean of m periods has about the variance of a batch of 5 × 5/m.
    let se = (var_b * 5.0 / seg.len() as f64 + var_b / nb).sqrt();
    (mean_seg - mean_rest).abs() > 3.0 * se
}

/// The WIP series averaged over replications (full periods only) and the
/// period length in hours.
fn mean_wip_series(reps: &[ReplicationResult]) -> Option<(Vec<f64>, f64)> {
    let len = reps.iter().map(|r| r.series.len()).min()?;
    // Full periods only: the last one may be shorter.
    let full = reps
        .first()?
        .series
        .iter()
        .take(len)
        .take_while(|p| (p.hours - reps[0].series[0].hours).abs() < 1e-9)
        .count();
    let avg: Vec<f64> = (0..full)
        .map(|i| reps.iter().map(|r| r.series[i].wip_avg).sum::<f64>() / reps.len() as f64)
        .collect();
    Some((avg, reps[0].series.first()?.hours))
}

/// Combines replication results, in index order.
pub fn summarise(factory: &Factory, reps: &[ReplicationResult]) -> Summary {
    let est = |f: &dyn Fn(&ReplicationResult) -> f64| Estimate::from_values(reps.iter().map(f));
    let stations: Vec<StationSummary> = factory
        .stations
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let share = |state: MachineState| {
                Estimate::from_values(
                    reps.iter()
                        .map(|r| r.stations[i].state_shares[state as usize]),
                )
            };
            StationSummary {
                station: s.name.clone(),
                machines: s.machines,
                utilisation: share(MachineState::Busy),
                blocked: share(MachineState::Blocked),
                starved: share(MachineState::Starved),
                down: share(MachineState::Down),
                setup: share(MachineState::Setup),
                waiting_operator: share(MachineState::WaitingOperator),
                waiting_technician: share(MachineState::WaitingTechnician),
                off_shift: share(MachineState::OffShift),
                queue_avg: Estimate::from_values(reps.iter().map(|r| r.stations[i].queue_avg)),
                scrapped: Estimate::from_values(reps.iter().map(|r| r.stations[i].scrapped as f64)),
                reworked: Estimate::from_values(reps.iter().map(|r| r.stations[i].reworked as f64)),
                busiest_in: reps.iter().filter(|r| r.busiest_station == s.name).count(),
            }
        })
        .collect();
    let busiest_station = stations
        .iter()
        .fold(None::<&StationSummary>, |best, s| match best {
            Some(b) if b.utilisation.mean >= s.utilisation.mean => Some(b),
            _ => Some(s),
        })
        .map(|s| s.station.clone())
        .unwrap_or_default();
    Summary {
        replications: reps.len(),
        throughput_per_hour: est(&|r| r.throughput_per_hour),
        good: est(&|r| r.good as f64),
        good_per_product: factory
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), est(&|r| r.good_per_product[i] as f64)))
            .collect(),
        released: est(&|r| r.released as f64),
        scrapped: est(&|r| r.scrapped as f64),
        reworked: est(&|r| r.reworked as f64),
        cycle_time_mean_min: est(&|r| r.cycle_time_mean_min),
        cycle_time_p50_min: est(&|r| r.cycle_time_p50_min),
        cycle_time_p90_min: est(&|r| r.cycle_time_p90_min),
        cycle_time_p95_min: est(&|r| r.cycle_time_p95_min),
        wip_avg: est(&|r| r.wip_avg),
        wip_waiting_avg: est(&|r| r.wip_waiting_avg),
        wip_on_machines_avg: est(&|r| r.wip_on_machines_avg),
        stations,
        pools: factory
            .pools
            .iter()
            .filter(|p| !p.hidden)
            .enumerate()
            .map(|(i, p)| {
                let e = |f: &dyn Fn(&crate::model::PoolResult) -> f64| {
                    Estimate::from_values(reps.iter().map(|r| f(&r.pools[i])))
                };
                PoolSummary {
                    pool: p.name.clone(),
                    workers: p.count,
                    utilisation: e(&|x| x.utilisation),
                    busy_hours: e(&|x| x.busy_hours),
                    idle_paid_hours: e(&|x| x.idle_paid_hours),
                    overtime_hours: e(&|x| x.overtime_hours),
                    repairs: e(&|x| x.repairs as f64),
                    labour_cost: e(&|x| x.labour_cost),
                }
            })
            .collect(),
        labour_cost: est(&|r| r.labour_cost),
        labour_cost_per_good: est(&|r| r.labour_cost_per_good),
        busiest_station,
        mser5_warmup_hours: suggest_warmup(reps),
        warmup_too_short: warmup_too_short(factory, reps),
    }
}
