//! The sensitivities of `run --sensitivity`: `sensitivity.csv` and the
//! console block. (`summary.json` lists them too, and the report and a
//! chart show them.)

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::write_atomic;
use crate::experiment::RunResults;
use crate::experiment::sensitivity::outcomes;
use crate::scenario::{LeverKind, Scenario};

/// What a lever adds, in words.
pub fn lever_label(kind: LeverKind, target: &str, amount: f64) -> String {
    match kind {
        LeverKind::Machine => format!("+1 machine at {target}"),
        LeverKind::Worker => format!("+1 worker in {target}"),
        LeverKind::Overtime => format!("+{amount} h overtime a week on {target}"),
    }
}

/// Writes `sensitivity.csv` (one row per lever and KPI) into `dir`, or
/// removes one left by an earlier run when this one has no levers.
pub fn write_sensitivity_csv(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> io::Result<()> {
    let path = dir.join("sensitivity.csv");
    let all = outcomes(scenario, results);
    if all.is_empty() {
        if path.exists() {
            std::fs::remove_file(&path)?;
        }
        return Ok(());
    }
    write_atomic(&path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "lever",
            "kind",
            "target",
            "amount",
            "kpi",
            "gain",
            "gain_low",
            "gain_high",
            "relative",
            "replications",
        ])?;
        for o in &all {
            for g in &o.gains {
                csv.write_record([
                    o.lever.name.clone(),
                    kind_name(o.lever.kind).to_string(),
                    o.lever.target.clone(),
                    o.lever.amount.to_string(),
                    g.kpi.to_string(),
                    g.diff.mean.to_string(),
                    g.diff.low.to_string(),
                    g.diff.high.to_string(),
                    g.relative.to_string(),
                    g.diff.n.to_string(),
                ])?;
            }
        }
        csv.flush()
    })
}

fn kind_name(k: LeverKind) -> &'static str {
    match k {
        LeverKind::Machine => "machine",
        LeverKind::Worker => "worker",
        LeverKind::Overtime => "overtime",
    }
}

/// The console block: each lever's gain per KPI, with its paired 95% CI
/// (empty without levers).
pub fn sensitivity_table(scenario: &Scenario, results: &RunResults) -> String {
    let all = outcomes(scenario, results);
    let mut out = String::new();
    let Some(first) = all.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "\nsensitivities: marginal gain over the baseline, paired on the same random numbers (mean [95% CI]; * the CI excludes 0)"
    );
    let _ = write!(out, "  {:<40}", "lever");
    for g in &first.gains {
        let _ = write!(out, " {:>30}", g.kpi);
    }
    let _ = writeln!(out);
    for o in &all {
        let l = &o.lever;
        let _ = write!(out, "  {:<40}", lever_label(l.kind, &l.target, l.amount));
        for g in &o.gains {
            let d = &g.diff;
            let digits = if d.mean.abs() >= 100.0 {
                0
            } else if d.mean.abs() >= 1.0 {
                2
            } else {
                4
            };
            let sure = if d.low > 0.0 || d.high < 0.0 {
                "*"
            } else {
                " "
            };
            let cell = format!(
                "{:+.p$} [{:+.p$}, {:+.p$}]{sure}",
                d.mean,
                d.low,
                d.high,
                p = digits
            );
            let _ = write!(out, " {cell:>30}");
        }
        let _ = writeln!(out);
    }
    out
}
