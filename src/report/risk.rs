//! Risk across replications in the outputs: `risk.csv`, the printed "risk
//! across replications" block and the report's Risk section, all from
//! [`crate::experiment::risk::risks`].

use std::fmt::Write as _;
use std::path::Path;

use super::html::esc;
use super::units::currency_suffix;
use super::write_atomic;
use crate::experiment::RunResults;
use crate::experiment::risk::{Risk, risks};
use crate::scenario::Scenario;

/// Writes `risk.csv`: one row per variant and KPI.
pub fn write_risk_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("risk.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        let err = |e: csv::Error| std::io::Error::other(e.to_string());
        c.write_record([
            "variant",
            "kpi",
            "replications",
            "p5",
            "p50",
            "p95",
            "min",
            "max",
            "worst_replication",
        ])
        .map_err(err)?;
        for r in risks(results) {
            c.write_record([
                r.variant.clone(),
                r.kpi.to_string(),
                r.replications.to_string(),
                r.p5.to_string(),
                r.p50.to_string(),
                r.p95.to_string(),
                r.min.to_string(),
                r.max.to_string(),
                r.worst_replication.to_string(),
            ])
            .map_err(err)?;
        }
        c.flush()
    })
}

/// A value of `kpi` as printed: shares in %, money whole.
fn value(kpi: &str, x: f64) -> String {
    match kpi {
        "on_time_orders" => format!("{:.1}%", 100.0 * x),
        "profit" => format!("{x:.0}"),
        _ => format!("{x:.2}"),
    }
}

/// Column heading of `kpi`.
fn heading(scenario: &Scenario, kpi: &str) -> String {
    match kpi {
        "profit" => format!("profit{}", currency_suffix(&scenario.factory)),
        "on_time_orders" => "on time (orders)".into(),
        _ => "throughput (good parts/h)".into(),
    }
}

/// The KPIs present in `all`, in order.
fn kpis_of(all: &[Risk]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in all {
        if !out.contains(&r.kpi) {
            out.push(r.kpi);
        }
    }
    out
}

/// The printed block: per variant (ranking order) and KPI, `p5 / p50 /
/// p95` and the worst replication. Empty with fewer than 2 replications.
pub fn risk_block(scenario: &Scenario, results: &RunResults) -> String {
    let all = risks(results);
    if results.baseline().summary.replications < 2 || all.is_empty() {
        return String::new();
    }
    let kpis = kpis_of(&all);
    let w = results
        .variants
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nrisk across replications: p5 / p50 / p95 (type 7 percentiles) and the worst replication (#index)\n"
    );
    let _ = write!(out, "  {:<w$}", "variant");
    for k in &kpis {
        let _ = write!(out, " {:>40}", heading(scenario, k));
    }
    let _ = writeln!(out);
    for &i in &results.ranking.order {
        let v = &results.variants[i];
        let _ = write!(out, "  {:<w$}", v.name);
        for k in &kpis {
            let cell = all
                .iter()
                .find(|r| r.variant == v.name && r.kpi == *k)
                .map_or("—".to_string(), |r| {
                    // More is better for every risk KPI: the worst is the lowest.
                    let worst = r.min;
                    format!(
                        "{} / {} / {} (#{} {})",
                        value(k, r.p5),
                        value(k, r.p50),
                        value(k, r.p95),
                        r.worst_replication,
                        value(k, worst)
                    )
                });
            let _ = write!(out, " {cell:>40}");
        }
        let _ = writeln!(out);
    }
    out
}

/// The report's Risk section.
pub fn risk_section(scenario: &Scenario, results: &RunResults) -> String {
    let all = risks(results);
    let mut h = String::from("<h2 id=\"risk\">Risk across replications</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">What a bad period looks like, beside the mean: each replication is one \
         possible run of the observed period. Percentiles of the replications' values (type 7: \
         linear interpolation between order statistics, as R and NumPy by default); the worst \
         replication is the one with the lowest value (its index, as in \
         <code>replications.csv</code>). With few replications p5 and p95 lie near the extremes \
         and move with every replication added. Also in <code>risk.csv</code>.</p>"
    );
    if all.is_empty() {
        h.push_str("<p>No replications.</p>\n");
        return h;
    }
    h.push_str(
        "<table class=\"kpis\">\n<thead><tr><th>variant</th><th>KPI</th><th>p5</th><th>p50</th>\
         <th>p95</th><th>min</th><th>max</th><th>worst<br>replication</th></tr></thead>\n<tbody>\n",
    );
    for &i in &results.ranking.order {
        let v = &results.variants[i];
        for r in all.iter().filter(|r| r.variant == v.name) {
            let f = |x: f64| esc(&value(r.kpi, x));
            let _ = writeln!(
                h,
                "<tr{}><td class=\"name\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                super::html::row_class(results, i),
                esc(&v.name),
                esc(&heading(scenario, r.kpi)),
                f(r.p5),
                f(r.p50),
                f(r.p95),
                f(r.min),
                f(r.max),
                r.worst_replication
            );
        }
    }
    h.push_str("</tbody>\n</table>\n");
    h
}
