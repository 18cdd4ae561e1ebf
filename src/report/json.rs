//! `summary.json`: the run's inputs (scenario hash, seed, replications),
//! every variant's KPIs with 95% confidence intervals, their paired
//! differences from the baseline, and the ranking.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::write_atomic;
use crate::engine::HOUR;
use crate::experiment::sensitivity::{SensitivityOutcome, outcomes};
use crate::experiment::{Comparison, InvestmentOutcome, RunResults, Summary};
use crate::scenario::Scenario;

/// One variant in `summary.json`.
#[derive(Serialize)]
pub struct VariantJson<'a> {
    /// Variant name.
    pub name: &'a str,
    /// Overrides of the baseline, path → value.
    pub overrides: BTreeMap<&'a str, &'a str>,
    /// Position in the ranking (1 is best).
    pub rank: usize,
    /// Statistically indistinguishable from the best on the ranking KPI.
    pub indistinguishable_from_best: bool,
    /// KPIs over replications.
    pub summary: &'a Summary,
    /// Paired differences from the baseline, per KPI.
    pub vs_baseline: &'a [Comparison],
    /// The case for its investment, against the plant without it (absent
    /// when it automates no station and buys no machine at a price).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investment: Option<&'a InvestmentOutcome>,
}

/// The ranking in `summary.json`.
#[derive(Serialize)]
pub struct RankingJson<'a> {
    /// KPI ranked on.
    pub kpi: &'a str,
    /// Whether higher or lower is better.
    pub better: crate::experiment::kpi::Better,
    /// Variant names, best first.
    pub order: Vec<&'a str>,
}

/// The contents of `summary.json`.
#[derive(Serialize)]
pub struct SummaryFile<'a> {
    /// shopfloor version that produced the file.
    pub shopfloor_version: &'static str,
    /// Scenario name.
    pub scenario: &'a str,
    /// The scenario's `simulation.description`.
    pub description: &'a str,
    /// FNV-1a hash of the scenario file.
    pub scenario_hash: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Replications per variant.
    pub replications: usize,
    /// Horizon, hours.
    pub horizon_hours: f64,
    /// Warm-up, hours.
    pub warmup_hours: f64,
    /// The currency every amount of money is in (`costs.currency`); absent
    /// when the scenario names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<&'a str>,
    /// Ranking of the variants.
    pub ranking: RankingJson<'a>,
    /// Baseline first, then the variants in file order.
    pub variants: Vec<VariantJson<'a>>,
    /// The levers of `run --sensitivity` and their marginal gains (absent
    /// without the flag).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensitivity: Vec<SensitivityOutcome>,
    /// Per variant and KPI, the spread over replications (as `risk.csv`).
    pub risk: Vec<crate::experiment::risk::Risk>,
    /// Warnings on the results (a variant's setup share jumping against
    /// the baseline's); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Writes `summary.json` into `dir`.
pub fn write_summary_json(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> std::io::Result<()> {
    let rank_of = |i: usize| {
        results
            .ranking
            .order
            .iter()
            .position(|&j| j == i)
            .unwrap_or(0)
            + 1
    };
    let file = SummaryFile {
        shopfloor_version: env!("CARGO_PKG_VERSION"),
        scenario: &scenario.factory.name,
        description: &scenario.description,
        scenario_hash: &scenario.hash,
        seed: scenario.seed,
        replications: results.baseline().summary.replications,
        horizon_hours: scenario.factory.horizon / HOUR,
        warmup_hours: scenario.factory.warmup / HOUR,
        currency: scenario.factory.policies.currency.as_deref(),
        ranking: RankingJson {
            kpi: results.ranking.kpi,
            better: results.ranking.better,
            order: results
                .ranking
                .order
                .iter()
                .map(|&i| results.variants[i].name.as_str())
                .collect(),
        },
        variants: results
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| VariantJson {
                name: &v.name,
                overrides: v
                    .overrides
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect(),
                rank: rank_of(i),
                indistinguishable_from_best: results.ranking.indistinguishable_from_best[i],
                summary: &v.summary,
                vs_baseline: &v.vs_baseline,
                investment: v.investment.as_ref(),
            })
            .collect(),
        sensitivity: outcomes(scenario, results),
        risk: crate::experiment::risk::risks(results),
        notes: crate::experiment::setup_warnings(results),
    };
    write_atomic(&dir.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &file)?;
        writeln!(w)
    })
}
