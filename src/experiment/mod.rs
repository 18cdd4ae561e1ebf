//! Replications of a scenario in parallel, combined deterministically.
//!
//! Each replication is a job seeded by its index, never by the thread that
//! runs it; rayon's indexed `collect` keeps results in replication order, so
//! the summary is identical for any thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::model::{MachineState, ReplicationResult, TraceRecord, simulate};
use crate::scenario::Scenario;
use crate::stats::Estimate;

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
    /// Time-average buffer content.
    pub queue_avg: Estimate,
    /// Parts scrapped here.
    pub scrapped: Estimate,
    /// Parts sent to rework from here.
    pub reworked: Estimate,
    /// How many replications named this station the busiest.
    pub busiest_in: usize,
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
    /// Station with the highest mean utilisation.
    pub busiest_station: String,
}

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct RunResults {
    /// One entry per replication, in index order.
    pub replications: Vec<ReplicationResult>,
    /// Summary over replications.
    pub summary: Summary,
    /// The event trace of replication 0, if asked for.
    pub trace: Option<Vec<TraceRecord>>,
}

/// Runs every replication of `scenario` on the current rayon pool; with
/// `trace_replication`, also keeps that replication's event trace.
pub fn run(scenario: &Scenario, trace_replication: Option<u64>) -> RunResults {
    run_with_progress(scenario, trace_replication, &|| {})
}

/// Like [`run`], calling `tick` after each finished replication (from any
/// thread).
pub fn run_with_progress(
    scenario: &Scenario,
    trace_replication: Option<u64>,
    tick: &(dyn Fn() + Sync),
) -> RunResults {
    let outputs: Vec<(ReplicationResult, Option<Vec<TraceRecord>>)> =
        (0..u64::from(scenario.replications))
            .into_par_iter()
            .map(|r| {
                let out = simulate(
                    &scenario.factory,
                    scenario.seed,
                    r,
                    trace_replication == Some(r),
                );
                tick();
                out
            })
            .collect();
    let mut trace = None;
    let mut replications = Vec::with_capacity(outputs.len());
    for (r, t) in outputs {
        if t.is_some() {
            trace = t;
        }
        replications.push(r);
    }
    let summary = summarise(scenario, &replications);
    RunResults {
        replications,
        summary,
        trace,
    }
}

/// Combines replication results, in index order.
pub fn summarise(scenario: &Scenario, reps: &[ReplicationResult]) -> Summary {
    let est = |f: &dyn Fn(&ReplicationResult) -> f64| Estimate::from_values(reps.iter().map(f));
    let stations: Vec<StationSummary> = scenario
        .factory
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
        good_per_product: scenario
            .factory
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
        busiest_station,
    }
}
