//! The outputs of `shopfloor optimize`: the answer printed to the terminal,
//! `optimize.json`, `optimize.csv`, the frontier chart and `optimize.html`,
//! all under `OUT/<scenario>/optimize/`, every file written atomically.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::html::{STYLE, esc, pm, signed_pm};
use super::plots::{Chart, write_frontier};
use super::write_atomic;
use crate::optimize::select::{Feasibility, Status};
use crate::optimize::{Configuration, OptimizeResult};

/// "maximize profit subject to on_time_orders ≥ 0.95".
fn question(r: &OptimizeResult) -> String {
    let mut q = format!("{} {}", r.direction, r.objective);
    if !r.constraints.is_empty() {
        let cs: Vec<String> = r
            .constraints
            .iter()
            .map(|c| {
                let op = if c.side == "at_least" { "≥" } else { "≤" };
                format!("{} {op} {}", c.kpi, c.threshold)
            })
            .collect();
        let _ = write!(q, " subject to {}", cs.join(" and "));
    }
    q
}

fn method(r: &OptimizeResult) -> String {
    format!(
        "{} configuration{} of {} variable{}: {}, KN ranking and selection (indifference {}, {:.0}% confidence, {} to {} replications each)",
        r.space,
        if r.space == 1 { "" } else { "s" },
        r.variables.len(),
        if r.variables.len() == 1 { "" } else { "s" },
        if r.method == "exhaustive" {
            "all tried".to_string()
        } else {
            format!("{} visited by a lattice search", r.configurations.len())
        },
        r.indifference,
        100.0 * r.confidence,
        r.first_replications,
        r.max_replications
    )
}

/// How a configuration stands against each constraint, e.g.
/// `on_time_orders 0.962 ± 0.010 (≥ 0.95: met on the lower bound 0.952)`.
fn constraint_lines(r: &OptimizeResult, c: &Configuration) -> Vec<String> {
    r.constraints
        .iter()
        .zip(&c.constraints)
        .map(|(k, m)| {
            let (op, bound, name) = if k.side == "at_least" {
                ("≥", m.estimate.low, "lower")
            } else {
                ("≤", m.estimate.high, "upper")
            };
            let verdict = if m.shortfall > 0.0 {
                format!("misses {op} {} by {:.4}", k.threshold, m.shortfall)
            } else {
                let met = if k.side == "at_least" {
                    bound >= k.threshold
                } else {
                    bound <= k.threshold
                };
                format!(
                    "{op} {}: {} on the {name} bound {bound:.4}",
                    k.threshold,
                    if met { "met" } else { "not sure" }
                )
            };
            format!("{:<26} {} ({verdict})", m.kpi, pm(&m.estimate))
        })
        .collect()
}

fn status_word(c: &Configuration) -> &'static str {
    match c.status {
        Status::Chosen => "chosen",
        Status::Contending => "contending at the cap",
        Status::Eliminated => "eliminated",
        Status::Infeasible => "infeasible",
        Status::Undecided => "undecided at the cap",
        Status::Screened => "screened out by the search",
        Status::Invalid => "invalid",
    }
}

/// The answer, as printed to the terminal.
pub fn optimize_table(r: &OptimizeResult) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "{} — {}", r.scenario, question(r));
    let _ = writeln!(t, "{}\n", method(r));
    let shown = [
        r.objective,
        r.frontier_axes.0,
        r.frontier_axes.1,
        "throughput_per_hour",
    ];
    match r.chosen {
        Some(p) => {
            let c = &r.configurations[p];
            let _ = writeln!(t, "chosen: {}  ({} replications)", c.name, c.replications);
            let mut seen = Vec::new();
            for k in shown {
                if seen.contains(&k) || r.constraints.iter().any(|x| x.kpi == k) {
                    continue;
                }
                seen.push(k);
                if let Some(e) = c.kpis.get(k) {
                    let _ = writeln!(t, "  {k:<26} {}", pm(e));
                }
            }
            for line in constraint_lines(r, c) {
                let _ = writeln!(t, "  {line}");
            }
            if let Some(inv) = &c.investment {
                let _ = writeln!(
                    t,
                    "  {:<26} {} beyond the baseline: capital {:.0}{}",
                    "invests",
                    inv.buys,
                    inv.capital,
                    if inv.machines_capital > 0.0 {
                        format!(
                            " ({:.0} of it for machines, which the profit does not charge: give their write-off as fixed_cost_per_week to weigh it)",
                            inv.machines_capital
                        )
                    } else {
                        " (written off in the profit as the automation capital charge)".to_string()
                    }
                );
            }
            if r.runners_up.is_empty() {
                let _ = writeln!(
                    t,
                    "\nno runner-up: every other configuration was told apart from it"
                );
            } else {
                let _ = writeln!(
                    t,
                    "\nrunners-up the data cannot tell from it ({} − chosen, paired, 95% CI):",
                    r.objective
                );
                for u in &r.runners_up {
                    let c = &r.configurations[u.configuration];
                    let _ = writeln!(
                        t,
                        "  {:<48} {:>5} reps  {:>24}  {}",
                        c.name,
                        c.replications,
                        signed_pm(&u.difference),
                        status_word(c)
                    );
                }
            }
        }
        None => {
            let _ = writeln!(
                t,
                "NO configuration meets the constraints on their 95% confidence bounds.\nThe closest (by how far their means miss):"
            );
            for &p in &r.closest {
                let c = &r.configurations[p];
                let _ = writeln!(t, "  {}  ({} replications)", c.name, c.replications);
                for line in constraint_lines(r, c) {
                    let _ = writeln!(t, "      {line}");
                }
            }
        }
    }
    let (cx, cy) = r.frontier_axes;
    let _ = writeln!(
        t,
        "\nfrontier ({cx} against {cy}; lower cost, higher {cy}):"
    );
    let mut front: Vec<&Configuration> = r.configurations.iter().filter(|c| c.frontier).collect();
    front.sort_by(|a, b| a.kpis[cx].mean.total_cmp(&b.kpis[cx].mean));
    for c in front {
        let _ = writeln!(
            t,
            "  {:<48} {:>22} {:>18}  {}{}",
            c.name,
            pm(&c.kpis[cx]),
            pm(&c.kpis[cy]),
            match c.feasibility {
                Feasibility::Feasible => "feasible",
                Feasibility::Infeasible => "infeasible",
                Feasibility::Undecided => "undecided",
            },
            if r.chosen
                .is_some_and(|p| r.configurations[p].index == c.index)
            {
                "  ◀ chosen"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        t,
        "\nreplications: {} simulated, against {} for brute force at {} each ({:.1}%)",
        r.replications,
        r.brute_force_replications,
        r.max_replications,
        100.0 * r.replications as f64 / r.brute_force_replications.max(1) as f64
    );
    t
}

fn write_csv(path: &Path, r: &OptimizeResult) -> io::Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let mut head: Vec<String> = vec!["index".into(), "name".into()];
        head.extend(r.variables.iter().map(|(p, _)| p.clone()));
        head.extend(
            [
                "status",
                "feasibility",
                "replications",
                "frontier",
                "runner_up",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        let kpis: Vec<&str> = r
            .configurations
            .first()
            .map(|c| c.kpis.keys().copied().collect())
            .unwrap_or_default();
        for k in &kpis {
            head.push(format!("{k}_mean"));
            head.push(format!("{k}_half_width"));
        }
        out.write_record(&head)?;
        for (p, c) in r.configurations.iter().enumerate() {
            let mut row: Vec<String> = vec![c.index.to_string(), c.name.clone()];
            row.extend(c.values.iter().map(|(_, v)| v.clone()));
            row.push(
                serde_json::to_value(c.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            );
            row.push(
                serde_json::to_value(c.feasibility)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            );
            row.push(c.replications.to_string());
            row.push(c.frontier.to_string());
            row.push(
                r.runners_up
                    .iter()
                    .any(|u| u.configuration == p)
                    .to_string(),
            );
            for k in &kpis {
                let e = c.kpis[k];
                let f = |x: f64| {
                    if x.is_finite() {
                        x.to_string()
                    } else {
                        String::new()
                    }
                };
                row.push(f(e.mean));
                row.push(f(e.half_width));
            }
            out.write_record(&row)?;
        }
        out.flush()
    })
}

fn html(r: &OptimizeResult, chart: Option<&Chart>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>shopfloor optimize: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{name}: optimisation</h1>\n<p class=\"desc\">{q}</p>\n<p class=\"meta\">{m} · seed {seed} · scenario hash <code>{hash}</code></p>\n",
        name = esc(&r.scenario),
        q = esc(&question(r)),
        m = esc(&method(r)),
        seed = r.seed,
        hash = esc(&r.scenario_hash),
    );
    match r.chosen {
        Some(p) => {
            let c = &r.configurations[p];
            let _ = writeln!(h, "<h2>Chosen: {}</h2>\n<ul>", esc(&c.name));
            let _ = writeln!(
                h,
                "<li>{}: {}</li>",
                esc(r.objective),
                esc(&pm(&c.objective))
            );
            for line in constraint_lines(r, c) {
                let _ = writeln!(h, "<li>{}</li>", esc(&line));
            }
            let _ = writeln!(h, "</ul>");
            if r.runners_up.is_empty() {
                let _ = writeln!(
                    h,
                    "<p>No runner-up: every other configuration was told apart from it.</p>"
                );
            } else {
                let _ = writeln!(
                    h,
                    "<h2>Runners-up the data cannot tell from it</h2>\n<table>\n<tr><th>configuration</th><th>replications</th><th>{} − chosen (paired, 95% CI)</th><th>status</th></tr>",
                    esc(r.objective)
                );
                for u in &r.runners_up {
                    let c = &r.configurations[u.configuration];
                    let _ = writeln!(
                        h,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&c.name),
                        c.replications,
                        esc(&signed_pm(&u.difference)),
                        status_word(c)
                    );
                }
                let _ = writeln!(h, "</table>");
            }
        }
        None => {
            let _ = writeln!(
                h,
                "<h2>No configuration meets the constraints</h2>\n<p>The closest, and by how much they miss:</p>\n<ul>"
            );
            for &p in &r.closest {
                let c = &r.configurations[p];
                let lines: Vec<String> = constraint_lines(r, c).iter().map(|l| esc(l)).collect();
                let _ = writeln!(h, "<li>{}: {}</li>", esc(&c.name), lines.join("; "));
            }
            let _ = writeln!(h, "</ul>");
        }
    }
    let _ = writeln!(
        h,
        "<p>{} replications simulated, against {} for brute force at {} each.</p>",
        r.replications, r.brute_force_replications, r.max_replications
    );
    if let Some(c) = chart {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<figure>{}<figcaption>{}</figcaption></figure>",
            esc(&c.title),
            c.svg,
            esc(&c.about)
        );
    }
    let (cx, cy) = r.frontier_axes;
    let _ = writeln!(
        h,
        "<h2>Every configuration evaluated</h2>\n<table>\n<tr><th>configuration</th><th>status</th><th>replications</th><th>{}</th><th>{}</th><th>{}</th><th>frontier</th></tr>",
        esc(r.objective),
        esc(cx),
        esc(cy)
    );
    for c in &r.configurations {
        let get = |k: &str| c.kpis.get(k).map(pm).unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.name),
            status_word(c),
            c.replications,
            esc(&pm(&c.objective)),
            esc(&get(cx)),
            esc(&get(cy)),
            if c.frontier { "yes" } else { "" }
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p>Data: <a href=\"optimize.json\">optimize.json</a>, <a href=\"optimize.csv\">optimize.csv</a>.</p>\n</body>\n</html>"
    );
    h
}

/// Writes `optimize.json`, `optimize.csv`, the frontier chart (unless
/// `no_plots`, which removes an old one) and `optimize.html` into `dir`;
/// returns the chart drawn.
pub fn write_optimize(dir: &Path, r: &OptimizeResult, no_plots: bool) -> io::Result<Option<Chart>> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("optimize.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, r)?;
        writeln!(w)
    })?;
    write_csv(&dir.join("optimize.csv"), r)?;
    let chart = if no_plots {
        for ext in ["png", "svg"] {
            let p = dir.join(format!("frontier.{ext}"));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
        None
    } else {
        Some(write_frontier(dir, r)?)
    };
    let page = html(r, chart.as_ref());
    write_atomic(&dir.join("optimize.html"), |w| w.write_all(page.as_bytes()))?;
    Ok(chart)
}
