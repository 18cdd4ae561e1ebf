//! The outputs of `shopfloor optimize`: the answer printed to the terminal,
//! `optimize.json`, `optimize.csv`, the frontier chart and `optimize.html`,
//! all under `OUT/<scenario>/optimize/`, every file written atomically.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::html::{STYLE, Style, esc, number, places_of, pm, scaled, signed_pm, value_style};
use super::plots::{Chart, write_frontier};
use super::write_atomic;
use crate::engine::format_duration;
use crate::experiment::kpi::kpi;
use crate::optimize::select::{Feasibility, Status};
use crate::optimize::{Configuration, Miss, OptimizeResult, Stressed};
use crate::stats::Estimate;

/// "maximize profit subject to on_time_orders ≥ 0.95".
fn question(r: &OptimizeResult) -> String {
    let mut q = format!("{} {}", r.direction, r.objective);
    if !r.constraints.is_empty() {
        let cs: Vec<String> = r
            .constraints
            .iter()
            .map(|c| {
                let op = if c.side == "at_least" { "≥" } else { "≤" };
                format!("{} {op} {}", label(c.kpi, &c.product), c.threshold)
            })
            .collect();
        let _ = write!(q, " subject to {}", cs.join(" and "));
    }
    if let Some(c) = &r.currency {
        let _ = write!(q, " (money in {c})");
    }
    q
}

/// ` EUR` after an amount of money when the scenario names its currency.
fn money_unit(r: &OptimizeResult) -> String {
    r.currency
        .as_ref()
        .map_or(String::new(), |c| format!(" {c}"))
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

/// `on_time_orders`, or `on_time_orders[frame]` for a product's.
fn label(kpi: &str, product: &Option<String>) -> String {
    match product {
        Some(p) => format!("{kpi}[{p}]"),
        None => kpi.to_string(),
    }
}

/// How a configuration stands against each constraint, e.g.
/// `on_time_orders 0.962 ± 0.010 (≥ 0.95: met on the lower bound 0.952)`.
fn constraint_lines(r: &OptimizeResult, c: &Configuration) -> Vec<String> {
    miss_lines(r, &c.constraints)
}

/// [`constraint_lines`] for any list of constraint estimates.
fn miss_lines(r: &OptimizeResult, misses: &[Miss]) -> Vec<String> {
    r.constraints
        .iter()
        .zip(misses)
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
            format!(
                "{:<26} {} ({verdict})",
                label(m.kpi, &m.product),
                pm(&m.estimate)
            )
        })
        .collect()
}

/// The KPIs shown of a configuration besides its constraints: the
/// objective, the frontier's axes and the throughput.
fn kpi_lines(r: &OptimizeResult, kpis: &std::collections::BTreeMap<&str, Estimate>) -> Vec<String> {
    let shown = [
        r.objective,
        r.frontier_axes.0,
        r.frontier_axes.1,
        "throughput_per_hour",
    ];
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for k in shown {
        if seen.contains(&k)
            || r.constraints
                .iter()
                .any(|x| x.kpi == k && x.product.is_none())
        {
            continue;
        }
        seen.push(k);
        if let Some(e) = kpis.get(k) {
            out.push(format!("{k:<26} {}", pm(e)));
        }
    }
    out
}

/// How KPI `name` is written: shares in %, money with separators.
fn style_of(name: &str) -> Style {
    kpi(name).map_or(Style::Plain, value_style)
}

/// The unit after a figure of `name` in `style`: `%` for a share, ` points`
/// for a difference of shares.
fn unit(style: Style, difference: bool) -> &'static str {
    match (style, difference) {
        (Style::Percent, false) => "%",
        (Style::Percent, true) => " points",
        _ => "",
    }
}

/// The mean of `e`, a value (or, with `difference`, a difference) of KPI
/// `name`, to the precision of its interval: `93.1%`, `1,240`.
fn mean_of(e: &Estimate, name: &str, signed: bool, difference: bool) -> String {
    let st = style_of(name);
    let x = scaled(e, st);
    let p = places_of(&x, st);
    let m = if signed { x.mean } else { x.mean.abs() };
    format!("{}{}", number(m, p, st, signed), unit(st, difference))
}

/// ` (95% CI 91.0% to 95.2%)`, or nothing without an interval.
fn ci_of(e: &Estimate, name: &str, signed: bool, difference: bool) -> String {
    let st = style_of(name);
    let x = scaled(e, st);
    if !(x.low.is_finite() && x.high.is_finite()) {
        return String::new();
    }
    if x.half_width == 0.0 {
        // A difference without noise (a wage bill): the interval is the
        // figure itself.
        return String::new();
    }
    let p = places_of(&x, st);
    let u = unit(st, difference);
    format!(
        " (95% CI {}{u} to {}{u})",
        number(x.low, p, st, signed),
        number(x.high, p, st, signed)
    )
}

/// A threshold of KPI `name` as written in a sentence: `95%`, `40`.
fn threshold_of(name: &str, q: f64) -> String {
    match style_of(name) {
        Style::Percent => format!("{}%", (q * 100.0 * 1e6).round() / 1e6),
        _ => format!("{q}"),
    }
}

/// KPIs that add up over the measured period (the rest are rates, shares
/// and averages).
fn is_total(name: &str) -> bool {
    matches!(
        name,
        "good"
            | "scrapped"
            | "reworked"
            | "labour_cost"
            | "units_lost"
            | "total_cost"
            | "revenue"
            | "profit"
    )
}

/// Why the runner-up lost, in one sentence: `runner-up X: 1,240 less
/// profit over the measured 12w (95% CI 800 to 1,700)`, or `runner-up X:
/// infeasible, on_time_orders 93.1% < 95% (95% CI …)`.
fn runner_up_sentence(r: &OptimizeResult) -> Option<String> {
    let u = r.runner_up.as_ref()?;
    let c = &r.configurations[u.configuration];
    let constraint = u.constraint.map(|i| (&r.constraints[i], &c.constraints[i]));
    Some(match (u.reason, constraint) {
        ("infeasible", Some((k, m))) => format!(
            "runner-up {}: infeasible, {} {} {} {}{}",
            c.name,
            label(m.kpi, &m.product),
            mean_of(&m.estimate, m.kpi, false, false),
            if k.side == "at_least" { "<" } else { ">" },
            threshold_of(m.kpi, k.threshold),
            ci_of(&m.estimate, m.kpi, false, false)
        ),
        ("undecided", Some((k, m))) => format!(
            "runner-up {}: not shown to meet {} {} {}: {}{}",
            c.name,
            label(m.kpi, &m.product),
            if k.side == "at_least" { "≥" } else { "≤" },
            threshold_of(m.kpi, k.threshold),
            mean_of(&m.estimate, m.kpi, false, false),
            ci_of(&m.estimate, m.kpi, false, false)
        ),
        _ => {
            let name = r.objective;
            let (worse, better) = if r.direction == "maximize" {
                ("less", "more")
            } else {
                ("more", "less")
            };
            // As a loss when the choice is better on the mean, else as the
            // runner-up's gain (only within the indifference zone).
            let better_on_mean = u.loss.mean < 0.0;
            let e = if better_on_mean {
                Estimate {
                    mean: -u.loss.mean,
                    low: -u.loss.high,
                    high: -u.loss.low,
                    ..u.loss
                }
            } else {
                u.loss
            };
            let period = if is_total(name) {
                format!(
                    " over the measured {}",
                    format_duration(r.horizon_s - r.warmup_s)
                )
            } else {
                String::new()
            };
            let apart = if e.low <= 0.0 && 0.0 <= e.high {
                "; the data cannot tell them apart"
            } else {
                ""
            };
            // Better on the mean yet not chosen: say what the procedure
            // did with it.
            let status = if better_on_mean {
                format!("; {}", status_word(c))
            } else {
                String::new()
            };
            format!(
                "runner-up {}: {} {} {name}{period}{}{apart}{status}",
                c.name,
                mean_of(&e, name, false, true),
                if better_on_mean { better } else { worse },
                ci_of(&e, name, false, true)
            )
        }
    })
}

/// The baseline and the change to the choice, as printed: the baseline's
/// objective and constraints, then chosen − baseline with the capital and
/// payback.
fn baseline_lines(r: &OptimizeResult) -> Vec<String> {
    let b = &r.baseline;
    let mut out = Vec::new();
    if let Some(why) = &b.overloaded {
        out.push(format!(
            "baseline (the scenario as written): the plant cannot keep up, {why}"
        ));
        return out;
    }
    out.push(format!(
        "baseline (the scenario as written; {} replications on the same random numbers):",
        b.replications
    ));
    for line in kpi_lines(r, &b.kpis) {
        out.push(format!("  {line}"));
    }
    for line in miss_lines(r, &b.constraints) {
        out.push(format!("  {line}"));
    }
    let Some(ch) = &b.change else {
        return out;
    };
    let nil = |e: &Estimate| e.mean == 0.0 && e.sd == 0.0;
    if nil(&ch.objective) && ch.constraints.iter().all(nil) {
        out.push(
            "change to the choice: none measured, the choice runs as the plant as written".into(),
        );
        return out;
    }
    out.push(format!(
        "change to the choice (chosen − baseline, paired over {} replications, ± 95% CI):",
        ch.replications
    ));
    let diff = |name: &str, e: &Estimate| {
        let st = style_of(name);
        format!("{}{}", super::html::styled_pm(e, st, true), unit(st, true))
    };
    out.push(format!(
        "  {:<26} {}",
        r.objective,
        diff(r.objective, &ch.objective)
    ));
    for (k, e) in r.constraints.iter().zip(&ch.constraints) {
        if k.kpi == r.objective && k.product.is_none() {
            continue;
        }
        out.push(format!(
            "  {:<26} {}",
            label(k.kpi, &k.product),
            diff(k.kpi, e)
        ));
    }
    out.extend(money_lines(
        &b.change.as_ref().and_then(|c| c.automation.clone()),
        &money_unit(r),
    ));
    out
}

/// The capital a change needs and its payback.
fn money_lines(a: &Option<crate::experiment::InvestmentOutcome>, cur: &str) -> Vec<String> {
    let money = |x: f64| format!("{}{cur}", number(x, 0, Style::Money, false));
    let Some(a) = a else {
        return vec![format!(
            "  {:<26} none (no investment beyond the baseline)",
            "capital needed"
        )];
    };
    let gain = &a.operating_gain_per_year;
    let mut out = vec![format!(
        "  {:<26} {} ({})",
        "capital needed",
        money(a.capital),
        a.bought()
    )];
    let years = |y: f64| {
        if y.is_finite() {
            format!("{y:.1}")
        } else {
            "never".into()
        }
    };
    out.push(if a.payback_years.is_finite() {
        format!(
            "  {:<26} {} years on an operating gain of {}{cur} a year{}",
            "payback",
            years(a.payback_years),
            super::html::styled_pm(gain, Style::Money, false),
            if a.payback_years_range.0.is_finite() || a.payback_years_range.1.is_finite() {
                format!(
                    " ({} to {} years over its 95% CI)",
                    years(a.payback_years_range.0),
                    years(a.payback_years_range.1)
                )
            } else {
                String::new()
            }
        )
    } else {
        format!(
            "  {:<26} never: the operating gain is {}{cur} a year",
            "payback",
            super::html::styled_pm(gain, Style::Money, true)
        )
    });
    out
}

/// What became of a configuration under stress, in words.
fn stressed_word(s: &Stressed) -> String {
    match (&s.overloaded, s.feasibility) {
        (Some(why), _) => format!("NOT feasible: the plant cannot keep up, {why}"),
        (None, Feasibility::Feasible) => "stays feasible".into(),
        (None, Feasibility::Infeasible) => "NOT feasible".into(),
        (None, Feasibility::Undecided) => "feasibility not settled at max_replications".into(),
    }
}

/// The stress test, as printed.
fn stress_lines(r: &OptimizeResult) -> Vec<String> {
    let Some(st) = &r.stress else {
        return Vec::new();
    };
    let change = (st.factor - 1.0) * 100.0;
    let shown = format!("{change:+.2}");
    let shown = shown.trim_end_matches('0').trim_end_matches('.');
    let mut out = vec![format!(
        "stress test, demand {}% (every order and release rate, and order book quantity, × {}; the same random numbers):",
        shown.replacen('-', "−", 1),
        (st.factor * 1e6).round() / 1e6
    )];
    let Some(c) = &st.chosen else {
        out.push("  skipped: no configuration was chosen".into());
        return out;
    };
    out.push(format!(
        "  chosen, {} replications: {}",
        c.replications,
        stressed_word(c)
    ));
    if c.overloaded.is_none() {
        out.push(format!("    {:<26} {}", r.objective, pm(&c.objective)));
        for line in miss_lines(r, &c.constraints) {
            out.push(format!("    {line}"));
        }
    }
    if c.feasibility == Feasibility::Feasible && c.overloaded.is_none() {
        return out;
    }
    let feasible: Vec<&Stressed> = st
        .alternatives
        .iter()
        .filter(|a| a.feasibility == Feasibility::Feasible && a.overloaded.is_none())
        .collect();
    if feasible.is_empty() {
        out.push(format!(
            "  none of the {} other configurations feasible without stress stays feasible under it",
            st.alternatives.len()
        ));
        return out;
    }
    out.push(format!(
        "  feasible under stress ({} of the {} other configurations feasible without stress), the best under stress by KN first, then on mean {}:",
        feasible.len(),
        st.alternatives.len(),
        r.objective
    ));
    const SHOWN: usize = 5;
    for a in feasible.iter().take(SHOWN) {
        let cons: Vec<String> = r
            .constraints
            .iter()
            .zip(&a.constraints)
            .map(|(k, m)| format!("{} {}", label(k.kpi, &k.product), pm(&m.estimate)))
            .collect();
        out.push(format!(
            "    {:<48} {} {}  {}  ({} replications){}",
            r.configurations[a.configuration].name,
            r.objective,
            pm(&a.objective),
            cons.join(", "),
            a.replications,
            if st.best == Some(a.configuration) {
                "  ◀ best under stress"
            } else {
                ""
            }
        ));
    }
    if feasible.len() > SHOWN {
        out.push(format!(
            "    … and {} more (optimize.json, optimize.csv)",
            feasible.len() - SHOWN
        ));
    }
    out
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
    match r.chosen {
        Some(p) => {
            let c = &r.configurations[p];
            let _ = writeln!(t, "chosen: {}  ({} replications)", c.name, c.replications);
            for line in kpi_lines(r, &c.kpis) {
                let _ = writeln!(t, "  {line}");
            }
            for line in constraint_lines(r, c) {
                let _ = writeln!(t, "  {line}");
            }
            if let Some(inv) = &c.investment {
                let _ = writeln!(
                    t,
                    "  {:<26} {} beyond the baseline: capital {:.0}{}{}",
                    "invests",
                    inv.buys,
                    inv.capital,
                    money_unit(r),
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
            let _ = writeln!(t);
            for line in baseline_lines(r) {
                let _ = writeln!(t, "{line}");
            }
            let _ = writeln!(t);
            match runner_up_sentence(r) {
                Some(s) => {
                    let _ = writeln!(t, "{s}");
                }
                None => {
                    let _ = writeln!(t, "no runner-up: no other configuration was simulated");
                }
            }
            if !r.runners_up.is_empty() {
                let _ = writeln!(
                    t,
                    "runners-up the data cannot tell from it ({} − chosen, paired, 95% CI):",
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
            let _ = writeln!(t);
            for line in baseline_lines(r) {
                let _ = writeln!(t, "{line}");
            }
        }
    }
    let stress = stress_lines(r);
    if !stress.is_empty() {
        let _ = writeln!(t);
        for line in stress {
            let _ = writeln!(t, "{line}");
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
    let stressed: u64 = r.stress.as_ref().map_or(0, |s| {
        s.chosen
            .iter()
            .chain(&s.alternatives)
            .map(|x| x.replications)
            .sum()
    });
    let _ = writeln!(
        t,
        "  besides: {} of the baseline{}",
        r.baseline.replications,
        if r.stress.is_some() {
            format!(", {stressed} under stress")
        } else {
            String::new()
        }
    );
    t
}

/// A snake_case word of a serialised enum (`feasible`, `chosen`).
fn word<T: serde::Serialize>(x: T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// A figure for a CSV cell: empty without a value.
fn cell(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
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
        // The per-product KPIs of the constraints, by position.
        let products: Vec<usize> = (0..r.constraints.len())
            .filter(|&i| r.constraints[i].product.is_some())
            .collect();
        for &i in &products {
            let k = &r.constraints[i];
            let name = label(k.kpi, &k.product);
            head.push(format!("{name}_mean"));
            head.push(format!("{name}_half_width"));
        }
        if r.stress.is_some() {
            head.push("stress_feasibility".into());
            head.push("stress_replications".into());
            head.push(format!("stress_{}_mean", r.objective));
            head.push(format!("stress_{}_half_width", r.objective));
            for k in &r.constraints {
                let name = label(k.kpi, &k.product);
                head.push(format!("stress_{name}_mean"));
                head.push(format!("stress_{name}_half_width"));
            }
        }
        out.write_record(&head)?;
        let stressed = |p: usize| -> Option<&Stressed> {
            let s = r.stress.as_ref()?;
            s.chosen
                .iter()
                .chain(&s.alternatives)
                .find(|x| x.configuration == p)
        };
        let stress_cells = |row: &mut Vec<String>, s: Option<&Stressed>| {
            if r.stress.is_none() {
                return;
            }
            match s {
                Some(s) => {
                    row.push(word(s.feasibility));
                    row.push(s.replications.to_string());
                    row.push(cell(s.objective.mean));
                    row.push(cell(s.objective.half_width));
                    for m in &s.constraints {
                        row.push(cell(m.estimate.mean));
                        row.push(cell(m.estimate.half_width));
                    }
                }
                None => row.extend((0..4 + 2 * r.constraints.len()).map(|_| String::new())),
            }
        };
        // The baseline first, beside the configurations.
        let b = &r.baseline;
        let mut row: Vec<String> = vec![String::new(), "baseline".into()];
        row.extend(r.variables.iter().map(|_| String::new()));
        row.push("baseline".into());
        row.push(word(b.feasibility));
        row.push(b.replications.to_string());
        row.push("false".into());
        row.push("false".into());
        for k in &kpis {
            let e = b.kpis.get(k).copied().unwrap_or(Estimate::from_values([]));
            row.push(cell(e.mean));
            row.push(cell(e.half_width));
        }
        for &i in &products {
            row.push(cell(b.constraints[i].estimate.mean));
            row.push(cell(b.constraints[i].estimate.half_width));
        }
        stress_cells(&mut row, None);
        out.write_record(&row)?;
        for (p, c) in r.configurations.iter().enumerate() {
            let mut row: Vec<String> = vec![c.index.to_string(), c.name.clone()];
            row.extend(c.values.iter().map(|(_, v)| v.clone()));
            row.push(word(c.status));
            row.push(word(c.feasibility));
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
                row.push(cell(e.mean));
                row.push(cell(e.half_width));
            }
            for &i in &products {
                row.push(cell(c.constraints[i].estimate.mean));
                row.push(cell(c.constraints[i].estimate.half_width));
            }
            stress_cells(&mut row, stressed(p));
            out.write_record(&row)?;
        }
        out.flush()
    })
}

/// Printed lines as HTML: a line flush left is a paragraph, the indented
/// lines under it a list.
fn html_block(lines: &[String]) -> String {
    let mut h = String::new();
    let mut open = false;
    for line in lines {
        let indented = line.starts_with(' ');
        if indented && !open {
            h.push_str("<ul>\n");
            open = true;
        } else if !indented && open {
            h.push_str("</ul>\n");
            open = false;
        }
        if indented {
            let _ = writeln!(h, "<li>{}</li>", esc(line.trim()));
        } else {
            let _ = writeln!(h, "<p>{}</p>", esc(line));
        }
    }
    if open {
        h.push_str("</ul>\n");
    }
    h
}

/// The optimisation page's own rules: its tables are plain ones, whose
/// configuration names (every variable's value) are long — they wrap
/// rather than widen the table past the page.
const OPTIMIZE_STYLE: &str = "
table { border-collapse: collapse; font-size: 0.9em; }
table th, table td { border: 1px solid #ddd; padding: 0.3em 0.6em; vertical-align: top; }
table th { background: #f4f4f4; }
table td { white-space: nowrap; text-align: right; }
table td:first-child { white-space: normal; overflow-wrap: break-word; text-align: left; min-width: 12em; }
";

/// A configuration's name, escaped, with a line-break opportunity after
/// each comma between its settings, so that a table cell wraps it between
/// settings rather than inside one.
fn breakable(name: &str) -> String {
    esc(name).replace(',', ",<wbr>")
}

fn html(r: &OptimizeResult, chart: Option<&Chart>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>shopfloor optimize: {name}</title>\n<style>{STYLE}{OPTIMIZE_STYLE}</style>\n</head>\n<body>\n\
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
            let _ = writeln!(h, "<h2>Against the plant as it is</h2>");
            h.push_str(&html_block(&baseline_lines(r)));
            let _ = writeln!(
                h,
                "<p>{}</p>",
                esc(&runner_up_sentence(r).unwrap_or_else(|| {
                    "No runner-up: no other configuration was simulated.".into()
                }))
            );
            if !r.runners_up.is_empty() {
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
                        breakable(&c.name),
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
            let _ = writeln!(h, "</ul>\n<h2>The plant as it is</h2>");
            h.push_str(&html_block(&baseline_lines(r)));
        }
    }
    let stress = stress_lines(r);
    if !stress.is_empty() {
        let _ = writeln!(h, "<h2>Stress test</h2>");
        h.push_str(&html_block(&stress));
    }
    let _ = writeln!(
        h,
        "<p>{} replications simulated, against {} for brute force at {} each.</p>",
        r.replications, r.brute_force_replications, r.max_replications
    );
    if let Some(c) = chart {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<figure><div class=\"scroll chart\">{}</div><figcaption>{}</figcaption></figure>",
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
            breakable(&c.name),
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
    super::html::scrolling(&h)
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
