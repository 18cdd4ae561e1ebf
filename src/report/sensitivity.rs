//! The sensitivities of `run --sensitivity`: `sensitivity.csv` and the
//! console block. (`summary.json` lists them too, and the report and a
//! chart show them.)

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::write_atomic;
use crate::experiment::RunResults;
use crate::experiment::sensitivity::{MachineCase, outcomes};
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
            "price",
            "gain_per_year",
            "payback_years",
            "payback_years_low",
            "payback_years_high",
            "payback_within_years",
            "break_even_price",
            "break_even_price_low",
            "break_even_price_high",
        ])?;
        for o in &all {
            // What one machine more is worth, on each of its rows.
            let opt = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
            let machine: [String; 9] = match &o.machine {
                None => Default::default(),
                Some(m) => [
                    opt(m.price),
                    m.gain_per_year.mean.to_string(),
                    opt(m.payback_years),
                    opt(m.payback_years_range.map(|r| r.0)),
                    opt(m.payback_years_range.map(|r| r.1)),
                    m.payback_within_years.to_string(),
                    m.break_even_price.to_string(),
                    m.break_even_price_range.0.to_string(),
                    m.break_even_price_range.1.to_string(),
                ],
            };
            for g in &o.gains {
                let mut row = vec![
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
                ];
                row.extend(machine.iter().cloned());
                csv.write_record(row)?;
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
    let currency = super::units::currency_suffix(&scenario.factory);
    for g in &first.gains {
        let heading = if g.kpi == "profit" {
            format!("profit{currency}")
        } else {
            g.kpi.to_string()
        };
        let _ = write!(out, " {heading:>30}");
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
    let machines: Vec<(&str, &MachineCase)> = all
        .iter()
        .filter_map(|o| o.machine.as_ref().map(|m| (o.lever.target.as_str(), m)))
        .collect();
    if let Some((_, first)) = machines.first() {
        let _ = writeln!(
            out,
            "\n  one machine more: profit gain per year, payback at the station's capital_per_machine, and the break-even price that pays back within {} years (mean [95% CI]{})",
            first.payback_within_years,
            scenario
                .factory
                .policies
                .currency
                .as_ref()
                .map_or(String::new(), |c| format!("; money in {c}"))
        );
        let _ = writeln!(
            out,
            "  {:<24} {:>10} {:>32} {:>24} {:>32}",
            "station", "price", "gain per year", "payback (years)", "break-even price"
        );
        for (station, m) in machines {
            let g = &m.gain_per_year;
            let years = |y: f64| {
                if y.is_finite() {
                    format!("{y:.1}")
                } else {
                    "never".into()
                }
            };
            let payback = match (m.payback_years, m.payback_years_range) {
                (Some(y), Some((q, s))) => format!("{} [{}, {}]", years(y), years(q), years(s)),
                _ => "— (no price)".into(),
            };
            let (lo, hi) = m.break_even_price_range;
            let _ = writeln!(
                out,
                "  {station:<24} {:>10} {:>32} {payback:>24} {:>32}",
                m.price.map_or("—".into(), |p| format!("{p:.0}")),
                format!("{:+.0} [{:+.0}, {:+.0}]", g.mean, g.low, g.high),
                format!("{:.0} [{lo:.0}, {hi:.0}]", m.break_even_price),
            );
        }
    }
    out
}
