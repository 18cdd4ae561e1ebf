//! CSV tables: one row per replication (`replications.csv`), one row per
//! replication and station (`stations.csv`), and the event trace.

use std::path::Path;

use super::write_atomic;
use crate::experiment::RunResults;
use crate::model::TraceRecord;
use crate::scenario::Scenario;

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes `replications.csv` into `dir`.
pub fn write_replications_csv(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> std::io::Result<()> {
    write_atomic(&dir.join("replications.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        let mut header: Vec<String> = [
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
        for r in &results.replications {
            let mut row = vec![
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
                r.busiest_station.clone(),
                r.events.to_string(),
            ];
            row.extend(r.good_per_product.iter().map(|g| g.to_string()));
            c.write_record(&row).map_err(csv_err)?;
        }
        c.flush()
    })
}

/// Writes `stations.csv` into `dir`.
pub fn write_stations_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("stations.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "replication",
            "station",
            "machines",
            "utilisation",
            "busy",
            "blocked",
            "starved",
            "down",
            "setup",
            "queue_avg",
            "queue_max",
            "operations",
            "scrapped",
            "reworked",
            "failures",
        ])
        .map_err(csv_err)?;
        for r in &results.replications {
            for s in &r.stations {
                let mut row = vec![
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
