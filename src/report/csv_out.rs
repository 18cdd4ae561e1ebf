//! CSV tables: one row per replication (`replications.csv`), one row per
//! replication and station (`stations.csv`), and the event trace.

use std::path::Path;

use super::write_atomic;
use crate::experiment::RunResults;
use crate::experiment::kpi::KPIS;
use crate::model::TraceRecord;
use crate::scenario::Scenario;
use crate::stats::Estimate;

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes `replications.csv` into `dir`: one row per variant and
/// replication.
pub fn write_replications_csv(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> std::io::Result<()> {
    write_atomic(&dir.join("replications.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        let mut header: Vec<String> = [
            "variant",
            "replication",
            "observed_hours",
            "released",
            "good",
            "throughput_per_hour",
            "scrapped",
            "reworked",
            "cycle_time_mean_min",
            "cycle_time_p50_min",
            "cycle_time_p90_min",
            "cycle_time_p95_min",
            "cycle_time_max_min",
            "wip_avg",
            "wip_waiting_avg",
            "wip_on_machines_avg",
            "labour_cost",
            "labour_cost_per_good",
            "busiest_station",
            "events",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for p in &scenario.factory.products {
            header.push(format!("good_{}", p.name));
        }
        c.write_record(&header).map_err(csv_err)?;
        for (v, r) in results
            .variants
            .iter()
            .flat_map(|v| v.replications.iter().map(move |r| (v, r)))
        {
            let mut row = vec![
                v.name.clone(),
                r.replication.to_string(),
                r.observed_hours.to_string(),
                r.released.to_string(),
                r.good.to_string(),
                r.throughput_per_hour.to_string(),
                r.scrapped.to_string(),
                r.reworked.to_string(),
                r.cycle_time_mean_min.to_string(),
                r.cycle_time_p50_min.to_string(),
                r.cycle_time_p90_min.to_string(),
                r.cycle_time_p95_min.to_string(),
                r.cycle_time_max_min.to_string(),
                r.wip_avg.to_string(),
                r.wip_waiting_avg.to_string(),
                r.wip_on_machines_avg.to_string(),
                r.labour_cost.to_string(),
                r.labour_cost_per_good.to_string(),
                r.busiest_station.clone(),
                r.events.to_string(),
            ];
            row.extend(r.good_per_product.iter().map(|g| g.to_string()));
            c.write_record(&row).map_err(csv_err)?;
        }
        c.flush()
    })
}

/// Writes `variants.csv` into `dir`: one row per variant with every KPI's
/// mean and CI half-width, and its paired difference from the baseline.
pub fn write_variants_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("variants.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        let mut header: Vec<String> = [
            "variant",
            "overrides",
            "replications",
            "rank",
            "indistinguishable_from_best",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for k in KPIS {
            for suffix in ["mean", "half_width", "diff", "diff_half_width"] {
                header.push(format!("{}_{suffix}", k.name));
            }
        }
        c.write_record(&header).map_err(csv_err)?;
        for (i, v) in results.variants.iter().enumerate() {
            let rank = results
                .ranking
                .order
                .iter()
                .position(|&j| j == i)
                .unwrap_or(0)
                + 1;
            let overrides: Vec<String> = v
                .overrides
                .iter()
                .map(|(k, x)| format!("{k}={x}"))
                .collect();
            let mut row = vec![
                v.name.clone(),
                overrides.join("; "),
                v.replications.len().to_string(),
                rank.to_string(),
                results.ranking.indistinguishable_from_best[i].to_string(),
            ];
            for (k, cmp) in KPIS.iter().zip(&v.vs_baseline) {
                let e = Estimate::from_values(v.replications.iter().map(k.get));
                row.extend([
                    e.mean.to_string(),
                    e.half_width.to_string(),
                    cmp.diff.mean.to_string(),
                    cmp.diff.half_width.to_string(),
                ]);
            }
            c.write_record(&row).map_err(csv_err)?;
        }
        c.flush()
    })
}

/// Writes `timeseries.csv` into `dir`: one row per variant, replication
/// and reporting period, over the whole horizon (warm-up included).
pub fn write_timeseries_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("timeseries.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "variant",
            "replication",
            "period",
            "start_hours",
            "hours",
            "in_warmup",
            "good",
            "released",
            "scrapped",
            "good_per_hour",
            "wip_avg",
            "waiting_avg",
        ])
        .map_err(csv_err)?;
        for v in &results.variants {
            for r in &v.replications {
                let warmup_hours = r.warmup_hours;
                for (i, p) in r.series.iter().enumerate() {
                    c.write_record([
                        v.name.clone(),
                        r.replication.to_string(),
                        i.to_string(),
                        p.start_hours.to_string(),
                        p.hours.to_string(),
                        (p.start_hours < warmup_hours).to_string(),
                        p.good.to_string(),
                        p.released.to_string(),
                        p.scrapped.to_string(),
                        (p.good as f64 / p.hours).to_string(),
                        p.wip_avg.to_string(),
                        p.waiting_avg.to_string(),
                    ])
                    .map_err(csv_err)?;
                }
            }
        }
        c.flush()
    })
}

/// Writes `pools.csv` into `dir`: one row per variant, replication and
/// worker pool (only when the scenario has pools).
pub fn write_pools_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    let any = results
        .variants
        .iter()
        .any(|v| v.replications.iter().any(|r| !r.pools.is_empty()));
    if !any {
        // Remove a table left by an earlier run that had pools.
        let _ = std::fs::remove_file(dir.join("pools.csv"));
        return Ok(());
    }
    write_atomic(&dir.join("pools.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "variant",
            "replication",
            "pool",
            "workers",
            "utilisation",
            "busy_hours",
            "paid_hours",
            "overtime_hours",
            "idle_paid_hours",
            "repairs",
            "overtime_authorised",
            "absences",
            "labour_cost",
        ])
        .map_err(csv_err)?;
        for v in &results.variants {
            for r in &v.replications {
                for p in &r.pools {
                    c.write_record([
                        v.name.clone(),
                        r.replication.to_string(),
                        p.pool.clone(),
                        p.workers.to_string(),
                        p.utilisation.to_string(),
                        p.busy_hours.to_string(),
                        p.paid_hours.to_string(),
                        p.overtime_hours.to_string(),
                        p.idle_paid_hours.to_string(),
                        p.repairs.to_string(),
                        p.overtime_authorised.to_string(),
                        p.absences.to_string(),
                        p.labour_cost.to_string(),
                    ])
                    .map_err(csv_err)?;
                }
            }
        }
        c.flush()
    })
}

/// Writes `stations.csv` into `dir`.
pub fn write_stations_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("stations.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "variant",
            "replication",
            "station",
            "machines",
            "utilisation",
            "busy",
            "blocked",
            "starved",
            "down",
            "setup",
            "waiting_operator",
            "waiting_technician",
            "off_shift",
            "queue_avg",
            "queue_max",
            "operations",
            "scrapped",
            "reworked",
            "failures",
        ])
        .map_err(csv_err)?;
        for (v, r) in results
            .variants
            .iter()
            .flat_map(|v| v.replications.iter().map(move |r| (v, r)))
        {
            for s in &r.stations {
                let mut row = vec![
                    v.name.clone(),
                    r.replication.to_string(),
                    s.station.clone(),
                    s.machines.to_string(),
                    s.utilisation.to_string(),
                ];
                row.extend(s.state_shares.iter().map(|x| x.to_string()));
                row.extend([
                    s.queue_avg.to_string(),
                    s.queue_max.to_string(),
                    s.operations.to_string(),
                    s.scrapped.to_string(),
                    s.reworked.to_string(),
                    s.failures.to_string(),
                ]);
                c.write_record(&row).map_err(csv_err)?;
            }
        }
        c.flush()
    })
}

/// Writes an event trace to `path`.
pub fn write_trace_csv(path: &Path, trace: &[TraceRecord]) -> std::io::Result<()> {
    write_atomic(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        for t in trace {
            c.serialize(t).map_err(csv_err)?;
        }
        c.flush()
    })
}
