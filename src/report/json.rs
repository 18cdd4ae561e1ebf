//! `summary.json`: the run's inputs (scenario hash, seed, replications) and
//! every KPI over replications with its 95% confidence interval.

use std::path::Path;

use serde::Serialize;

use super::write_atomic;
use crate::engine::HOUR;
use crate::experiment::{RunResults, Summary};
use crate::scenario::Scenario;

/// The contents of `summary.json`.
#[derive(Serialize)]
pub struct SummaryFile<'a> {
    /// shopfloor version that produced the file.
    pub shopfloor_version: &'static str,
    /// Scenario name.
    pub scenario: &'a str,
    /// FNV-1a hash of the scenario file.
    pub scenario_hash: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Horizon, hours.
    pub horizon_hours: f64,
    /// Warm-up, hours.
    pub warmup_hours: f64,
    /// KPIs over replications.
    pub summary: &'a Summary,
}

/// Writes `summary.json` into `dir`.
pub fn write_summary_json(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> std::io::Result<()> {
    let file = SummaryFile {
        shopfloor_version: env!("CARGO_PKG_VERSION"),
        scenario: &scenario.factory.name,
        scenario_hash: &scenario.hash,
        seed: scenario.seed,
        replications: scenario.replications,
        horizon_hours: scenario.factory.horizon / HOUR,
        warmup_hours: scenario.factory.warmup / HOUR,
        summary: &results.summary,
    };
    write_atomic(&dir.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &file)?;
        writeln!(w)
    })
}
