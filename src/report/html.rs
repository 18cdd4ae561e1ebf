//! `report.html`: one self-contained page a manager can open offline — the
//! scenario, the KPI table with confidence intervals, the comparison with
//! the baseline in words, the recommended variant and the charts inline as
//! SVG. No scripts, no external style sheets, fonts or images.
//!
//! With customer orders the page adds a section on delivery, with a cost
//! model beyond labour one on costs, revenue and profit, and when a variant
//! automates a station or buys machines at a price one on the case for
//! investing; the recommendation then weighs profit and on-time delivery
//! too. A scenario without them gets the page it got before orders and
//! costs were modelled.

use std::fmt::Write as _;
use std::path::Path;

use super::plots::{Chart, has_cost_model, has_orders, shown_variants};
use super::units::{TimeUnit, currency_suffix};
use super::write_atomic;
use crate::engine::format_duration;
use crate::experiment::kpi::{Better, KPIS, Kpi, kpi};
use crate::experiment::sensitivity::outcomes;
use crate::experiment::{CostSummary, RunResults, VariantOutcome, compare, rank};
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Results files the report links to when they exist beside it: every
/// file a run writes into its folder, with what it holds.
const DATA_FILES: [(&str, &str); 13] = [
    (
        "summary.json",
        "every KPI with its confidence interval, per variant, product, station and pool; the comparisons, the ranking and the risk",
    ),
    (
        "variants.csv",
        "one row per variant: every KPI's mean, half-width and paired difference from the baseline",
    ),
    ("replications.csv", "one row per variant and replication"),
    (
        "risk.csv",
        "per variant and KPI, p5, p50, p95, min, max and the worst replication",
    ),
    (
        "stations.csv",
        "one row per variant, replication and station",
    ),
    (
        "pools.csv",
        "one row per variant, replication and worker pool",
    ),
    (
        "products.csv",
        "one row per variant, replication and product: output, service, yield, lead time and late penalty",
    ),
    (
        "costs.csv",
        "one row per variant and replication: every cost line, revenue and profit",
    ),
    (
        "contractors.csv",
        "one row per variant, replication and contractor",
    ),
    (
        "materials.csv",
        "one row per variant, replication and raw material",
    ),
    (
        "suppliers.csv",
        "one row per variant, replication and supplier",
    ),
    (
        "timeseries.csv",
        "one row per variant, replication and reporting period: the series behind the charts",
    ),
    (
        "sensitivity.csv",
        "one row per sensitivity lever and KPI: its marginal gain",
    ),
];

/// Escapes text for HTML.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Decimals that show a half-width `hw` with two significant digits when
/// its leading digit is 1, else one (so `0.11` and `0.6`, not `0.61`).
fn decimals_for(hw: f64) -> usize {
    if !hw.is_finite() || hw <= 0.0 {
        return 2;
    }
    let mag = hw.log10().floor() as i32;
    let lead = hw / 10f64.powi(mag);
    let digits = if lead < 2.0 { 2 } else { 1 };
    (digits - 1 - mag).clamp(0, 6) as usize
}

/// `12.3 ± 0.45`, the mean to the precision its interval warrants.
pub(super) fn pm(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    if !e.half_width.is_finite() {
        return format!("{:.*}", decimals_for(e.mean.abs() / 100.0), e.mean);
    }
    let d = decimals_for(e.half_width);
    format!("{:.*} ± {:.*}", d, e.mean, d, e.half_width)
}

/// `+1.85 ± 0.11`, signed (with a typographic minus).
pub(super) fn signed_pm(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    let s = if !e.half_width.is_finite() {
        format!("{:+.*}", decimals_for(e.mean.abs() / 100.0), e.mean)
    } else {
        let d = decimals_for(e.half_width);
        format!("{:+.*} ± {:.*}", d, e.mean, d, e.half_width)
    };
    s.replacen('-', "−", 1)
}

/// `+16.0%`, signed (with a typographic minus).
fn signed_pct(x: f64) -> String {
    format!("{:+.1}%", 100.0 * x).replacen('-', "−", 1)
}

/// How a figure is written: plain, as a share in %, or as money (whole
/// units with thousands separators).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    Percent,
    Money,
}

/// Decimal places (negative: tens, hundreds, … rounded away) that show a
/// half-width `hw` with two significant digits when its leading digit is
/// 1, else one; like [`decimals_for`], but large figures are rounded too.
fn places_for(hw: f64) -> i32 {
    let mag = hw.log10().floor() as i32;
    let lead = hw / 10f64.powi(mag);
    let digits = if lead < 2.0 { 2 } else { 1 };
    digits - 1 - mag
}

/// `x` rounded to `places` (see [`places_for`]), with thousands
/// separators for money, signed with a typographic minus (and a plus when
/// `signed`).
pub(super) fn number(x: f64, places: i32, style: Style, signed: bool) -> String {
    let places = places.clamp(-9, 6);
    let (x, decimals) = if places < 0 {
        let q = 10f64.powi(-places);
        ((x / q).round() * q, 0)
    } else {
        (x, places as usize)
    };
    let body = format!("{:.*}", decimals, x.abs());
    let body = if style == Style::Money {
        let (int, frac) = body.split_at(body.find('.').unwrap_or(body.len()));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        grouped + frac
    } else {
        body
    };
    // What rounds to zero is written without a sign.
    let zero = body.chars().all(|c| matches!(c, '0' | '.' | ','));
    let sign = if zero {
        ""
    } else if x < 0.0 {
        "−"
    } else if signed {
        "+"
    } else {
        ""
    };
    format!("{sign}{body}")
}

/// The figure scaled as `style` asks (a share × 100 for %).
pub(super) fn scaled(e: &Estimate, style: Style) -> Estimate {
    e.scaled(if style == Style::Percent { 100.0 } else { 1.0 })
}

/// The places a figure is shown to: its half-width's (see
/// [`places_for`]); without an interval, about four significant digits;
/// with an interval of zero, whole units for money.
pub(super) fn places_of(e: &Estimate, style: Style) -> i32 {
    if e.half_width.is_finite() && !negligible(e) {
        places_for(e.half_width)
    } else if e.half_width.is_finite() {
        if style == Style::Money { 0 } else { 2 }
    } else if e.mean != 0.0 && e.mean.is_finite() {
        places_for(e.mean.abs() / 100.0).max(0)
    } else {
        0
    }
}

/// Whether a half-width is zero, or only rounding noise of a constant
/// (a capital charge summed over replications).
fn negligible(e: &Estimate) -> bool {
    e.half_width <= e.mean.abs() * 1e-9
}

/// `1,093,000 ± 39,000`, `97.9 ± 1.1`: mean ± half-width in `style`, to
/// the precision of the interval (the unit is left to the caller). A
/// figure that is 0 in every replication is written `0`.
pub(super) fn styled_pm(e: &Estimate, style: Style, signed: bool) -> String {
    let e = scaled(e, style);
    if !e.mean.is_finite() {
        return "—".into();
    }
    if e.mean == 0.0 && e.half_width == 0.0 {
        return "0".into();
    }
    let p = places_of(&e, style);
    let mean = number(e.mean, p, style, signed);
    if e.half_width.is_finite() {
        format!("{mean} ± {}", number(e.half_width, p, style, false))
    } else {
        mean
    }
}

/// `95% CI +16,000 to +44,000` (empty without an interval).
pub(super) fn styled_ci(e: &Estimate, style: Style, signed: bool) -> String {
    let e = scaled(e, style);
    if !(e.low.is_finite() && e.high.is_finite()) {
        return String::new();
    }
    let p = places_of(&e, style);
    format!(
        "95% CI {} to {}",
        number(e.low, p, style, signed),
        number(e.high, p, style, signed)
    )
}

/// How a KPI's value is written in the recommendation: shares of the
/// delivery model in %, sums of money of the cost model with thousands
/// separators, the rest as in the KPI table.
pub(super) fn value_style(k: &Kpi) -> Style {
    match k.name {
        "on_time_orders" | "on_time_units" | "fill_rate" => Style::Percent,
        "total_cost" | "revenue" | "profit" => Style::Money,
        _ => Style::Plain,
    }
}

/// The KPIs in the comparison sentences: name, words, unit.
const SAID: [(&str, &str, &str); 3] = [
    ("throughput_per_hour", "throughput", "parts/h"),
    ("cycle_time_mean_min", "cycle time", "min"),
    ("wip_avg", "WIP", "parts"),
];

/// The KPI that measures money: profit when there is revenue, else total
/// cost (None without a cost model beyond labour).
fn money_kpi(results: &RunResults) -> Option<&'static Kpi> {
    if !has_cost_model(results) {
        return None;
    }
    let revenue = results
        .variants
        .iter()
        .any(|v| v.summary.costs.revenue.mean.is_finite() && v.summary.costs.revenue.mean != 0.0);
    kpi(if revenue { "profit" } else { "total_cost" })
}

/// The KPIs said of every variant besides those of [`SAID`]: on-time
/// delivery of orders with customer orders, profit (or total cost) with a
/// cost model. Name, words, unit, style.
fn said_more(results: &RunResults) -> Vec<(&'static str, &'static str, &'static str, Style)> {
    let mut out = Vec::new();
    if has_orders(results) {
        out.push(("on_time_orders", "orders on time", "points", Style::Percent));
    }
    if let Some(k) = money_kpi(results) {
        out.push((k.name, k.label, "", Style::Money));
    }
    out
}

/// Whether a paired difference is better, worse or indistinguishable.
fn judge(d: &Estimate, better: Better) -> &'static str {
    if !(d.low.is_finite() && d.high.is_finite()) || (d.low <= 0.0 && 0.0 <= d.high) {
        return "same";
    }
    match (d.mean > 0.0, better) {
        (true, Better::Higher) | (false, Better::Lower) => "better",
        _ => "worse",
    }
}

/// "third-mill: throughput +1.85 ± 0.11 parts/h (+16.0%), cycle time …",
/// as HTML.
fn comparison_sentence(
    v: &VariantOutcome,
    more: &[(&'static str, &'static str, &'static str, Style)],
    ct: TimeUnit,
) -> String {
    // A variant that changes nothing that matters (say, a sweep point equal
    // to the baseline) sees the same random numbers and gives exactly the
    // same results. KPIs the variant has no value of (delivery without
    // orders) do not count.
    let unmeasured = |k: usize| v.kpis.get(k).is_some_and(|x| x.iter().all(|x| x.is_nan()));
    if !v.vs_baseline.is_empty()
        && v.vs_baseline.iter().enumerate().all(|(k, c)| {
            (c.diff.mean == 0.0 && (c.diff.sd == 0.0 || c.diff.sd.is_nan()))
                || (c.diff.mean.is_nan() && unmeasured(k))
        })
    {
        return format!(
            "<b>{}</b>: <span class=\"same\">identical to the baseline on every KPI</span>",
            esc(&v.name)
        );
    }
    let said = SAID
        .iter()
        .map(|&(name, words, unit)| (name, words, unit, Style::Plain))
        .chain(more.iter().copied());
    let parts: Vec<String> = said
        .filter_map(|(name, words, unit, style)| {
            let k = KPIS.iter().position(|k| k.name == name)?;
            let c = v.vs_baseline.get(k)?;
            if c.diff.mean.is_nan() && style != Style::Plain {
                return None;
            }
            let class = judge(&c.diff, KPIS[k].better);
            // A change of a share is said in points, not relative.
            let rel = if c.relative.is_finite() && style != Style::Percent {
                format!(" ({})", signed_pct(c.relative))
            } else {
                String::new()
            };
            let note = if class == "same" {
                " — no significant difference"
            } else {
                ""
            };
            // Cycle time in the unit the baseline's mean reads best in.
            let (d, unit) = if name == "cycle_time_mean_min" {
                (c.diff.scaled(ct.per_minute()), ct.name())
            } else {
                (c.diff, unit)
            };
            let diff = match style {
                Style::Plain => signed_pm(&d),
                _ => styled_pm(&d, style, true),
            };
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            };
            Some(format!(
                "<span class=\"{class}\">{words} {}{unit}{rel}</span>{note}",
                esc(&diff)
            ))
        })
        .collect();
    format!("<b>{}</b>: {}", esc(&v.name), parts.join(", "))
}

/// The recommendation paragraph.
fn recommendation(results: &RunResults, currency: String) -> String {
    let r = &results.ranking;
    let Some(&best) = r.order.first() else {
        return "<p>No results.</p>".into();
    };
    let k = kpi(r.kpi);
    let label = k.map(|k| k.label).unwrap_or(r.kpi);
    let b = &results.variants[best];
    let value = k
        .map(|k| match value_style(k) {
            Style::Plain => pm(&b.estimate(k)),
            Style::Percent => format!("{}%", styled_pm(&b.estimate(k), Style::Percent, false)),
            Style::Money => styled_pm(&b.estimate(k), Style::Money, false),
        })
        .unwrap_or_default();
    let direction = match r.better {
        Better::Higher => "highest",
        Better::Lower => "lowest",
    };
    let mut out = String::new();
    if results.variants.len() == 1 {
        let _ = write!(
            out,
            "<p>The scenario has no variants: there is nothing to choose between. Add \
             <code>[[variant]]</code> or <code>[[sweep]]</code> tables to compare choices.</p>"
        );
        return out;
    }
    if best == 0 {
        let _ = write!(
            out,
            "<p class=\"rec\">Keep the <b>baseline</b>: no variant has a {direction} {} ({}).</p>",
            esc(label),
            esc(&value)
        );
    } else {
        let _ = write!(
            out,
            "<p class=\"rec\">Recommended: <b>{}</b>, with the {direction} {}: {}.</p>",
            esc(&b.name),
            esc(label),
            esc(&value)
        );
    }
    let ties: Vec<&str> = r
        .order
        .iter()
        .filter(|&&i| i != best && r.indistinguishable_from_best[i])
        .map(|&i| results.variants[i].name.as_str())
        .collect();
    if ties.is_empty() {
        // Per-comparison intervals, not simultaneous ones: say what they
        // show, and how far the joint claim may be trusted (Bonferroni's
        // bound on the chance that any of the comparisons is wrong).
        let others = results.variants.len() - 1;
        let _ = write!(
            out,
            "<p>In each paired comparison with another variant (on common random numbers) its \
             95% confidence interval of the difference lies wholly on its side of zero. These \
             are {others} separate 95% intervals, not one joint statement: the chance that at \
             least one of them is wrong may reach {}% (Bonferroni's bound, {others} × 5%).</p>",
            (5 * others).min(100)
        );
    } else {
        let shown: Vec<String> = ties.iter().take(20).map(|t| esc(t)).collect();
        let more = if ties.len() > 20 {
            format!(" and {} more", ties.len() - 20)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<p>Statistically indistinguishable from it on this KPI (the paired 95% \
             confidence interval of the difference contains zero): {}{more}. Choose among \
             them on other grounds, or run more replications to separate them.</p>",
            shown.join(", ")
        );
    }
    let (orders, money) = (has_orders(results), money_kpi(results));
    if !orders && money.is_none() {
        let _ = write!(
            out,
            "<p class=\"note\">Ranked on <code>{}</code> (change with <code>--rank-by</code>). \
             This scenario has no customer orders and no costs beyond labour (rank on \
             <code>labour_cost</code> or <code>labour_cost_per_good</code> to weigh that).</p>",
            esc(r.kpi)
        );
        return out;
    }
    let weighed: Vec<String> = money
        .into_iter()
        .map(|k| (k, Style::Money, currency.as_str()))
        .chain(
            kpi("on_time_orders")
                .filter(|_| orders)
                .map(|k| (k, Style::Percent, "%")),
        )
        .filter_map(|(k, style, unit)| weigh(results, best, k, style, unit))
        .collect();
    if !weighed.is_empty() {
        let _ = write!(
            out,
            "<p>Weighed on money and delivery (means ± half-width of the 95% confidence \
             interval; differences paired on common random numbers):</p>\n<ul class=\"cmp\">\n{}</ul>\n",
            weighed
                .iter()
                .map(|w| format!("<li>{w}</li>\n"))
                .collect::<String>()
        );
    }
    let mut levers = Vec::new();
    if money.is_some() {
        levers.push(
            "<code>profit</code>, <code>total_cost</code> or \
             <code>cost_per_good_unit</code> to weigh money",
        );
    }
    if orders {
        levers.push(
            "<code>on_time_orders</code>, <code>tardiness_mean_h</code> or \
             <code>lead_time_mean_h</code> to weigh delivery",
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">Ranked on <code>{}</code>; change with <code>--rank-by</code>: {}.</p>",
        esc(r.kpi),
        levers.join("; ")
    );
    out
}

/// One bullet of the recommendation that weighs `k` (profit, total cost or
/// on-time delivery): the recommended variant's value, its paired
/// difference from the baseline, and the variant best on `k` when that is
/// another one, with the paired difference between the two. None when the
/// recommended variant has no value of `k`.
fn weigh(
    results: &RunResults,
    best: usize,
    k: &'static Kpi,
    style: Style,
    unit: &str,
) -> Option<String> {
    let r = &results.ranking;
    let v = &results.variants[best];
    let e = v.estimate(k);
    if !e.mean.is_finite() {
        return None;
    }
    let what = match k.name {
        "on_time_orders" => "On-time delivery (share of orders)",
        "profit" => "Profit over the observed period",
        _ => "Total cost over the observed period",
    };
    let mut out = format!(
        "<b>{what}</b>: {} {}{unit}",
        esc(&v.name),
        esc(&styled_pm(&e, style, false))
    );
    let points = if style == Style::Percent {
        " points"
    } else {
        ""
    };
    // Against the baseline.
    let ki = KPIS.iter().position(|x| x.name == k.name)?;
    if best != 0
        && let Some(c) = v.vs_baseline.get(ki)
        && c.diff.mean.is_finite()
    {
        let verdict = match judge(&c.diff, k.better) {
            "better" => "better than the baseline with 95% confidence",
            "worse" => "worse than the baseline with 95% confidence",
            _ => "not significantly different from the baseline",
        };
        let _ = write!(
            out,
            "; against the baseline {}{points} ({}), {verdict}",
            esc(&styled_pm(&c.diff, style, true)),
            esc(&styled_ci(&c.diff, style, true))
        );
    }
    // The best on this KPI, if another variant.
    if results.variants.len() > 1 {
        let top = rank(k, &results.variants).order[0];
        let t = &results.variants[top];
        let te = t.estimate(k);
        if top != best && te.mean.is_finite() {
            let d = compare(k, v.values(k), t.values(k)).diff;
            let verdict = if judge(&d, k.better) == "same" {
                "within the noise: the data cannot tell them apart"
            } else {
                "a difference beyond the noise"
            };
            // A variant the ranking KPI cannot tell from the recommended
            // one is a fair choice when it wins here.
            let tied = r.indistinguishable_from_best[top] && r.kpi != k.name;
            let _ = write!(
                out,
                ". Best on this: <b>{}</b>{} with {}{unit}; {} − {}: {}{points} ({}), {verdict}",
                esc(&t.name),
                if tied {
                    format!(
                        " (indistinguishable from the recommended one on <code>{}</code>)",
                        esc(r.kpi)
                    )
                } else {
                    String::new()
                },
                esc(&styled_pm(&te, style, false)),
                esc(&v.name),
                esc(&t.name),
                esc(&styled_pm(&d, style, true)),
                esc(&styled_ci(&d, style, true))
            );
        } else if top == best {
            out.push_str(". No variant does better on this");
        }
    }
    out.push('.');
    Some(out)
}

/// The KPI table, one row per variant in file order.
fn kpi_table(results: &RunResults) -> String {
    let rank_of = |i: usize| {
        results
            .ranking
            .order
            .iter()
            .position(|&j| j == i)
            .map_or(0, |p| p + 1)
    };
    let best = results.ranking.order.first().copied();
    // Cycle times in the unit the longest mean reads best in.
    let ct = TimeUnit::for_minutes(
        results
            .variants
            .iter()
            .map(|v| v.summary.cycle_time_mean_min.mean)
            .filter(|x| x.is_finite())
            .fold(f64::NAN, f64::max),
    );
    let delivered = super::table::delivered_differs(results);
    let mut out = format!(
        "<table class=\"kpis\">\n<thead><tr><th>rank</th><th>variant</th>\
         <th>throughput<br>(good parts/h)</th>{}<th>good parts</th>\
         <th>cycle time<br>mean ({u})</th><th>cycle time<br>p90 ({u})</th>\
         <th>WIP<br>(parts)</th><th>scrapped<br>parts</th><th>busiest<br>station</th>\
         <th>changes from the baseline</th></tr></thead>\n<tbody>\n",
        if delivered {
            "<th>delivered<br>(units/h)</th>"
        } else {
            ""
        },
        u = ct.name()
    );
    for (i, v) in results.variants.iter().enumerate() {
        let s = &v.summary;
        let changes = if v.overrides.is_empty() {
            "—".to_string()
        } else {
            v.overrides
                .iter()
                .map(|(k, val)| format!("<code>{} = {}</code>", esc(k), esc(val)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let mark = if Some(i) == best && results.variants.len() > 1 {
            " class=\"best\""
        } else {
            ""
        };
        let tie = if results.ranking.indistinguishable_from_best[i] && Some(i) != best {
            "*"
        } else {
            ""
        };
        let delivered = if delivered {
            format!(
                "<td>{}</td>",
                pm(&v.estimate(kpi("delivered_per_hour").expect("a KPI")))
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr{mark}><td>{}{tie}</td><td class=\"name\">{}</td><td>{}</td>{delivered}<td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"changes\">{changes}</td></tr>",
            rank_of(i),
            esc(&v.name),
            pm(&s.throughput_per_hour),
            pm(&s.good),
            pm(&s.cycle_time_mean_min.scaled(ct.per_minute())),
            pm(&s.cycle_time_p90_min.scaled(ct.per_minute())),
            pm(&s.wip_avg),
            pm(&s.scrapped),
            esc(&s.busiest_station),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Whether `stem` was drawn, and then a link to it.
fn chart_link(charts: &[Chart], stem: &str, words: &str) -> Option<String> {
    charts
        .iter()
        .any(|c| c.stem == stem)
        .then(|| format!("<a href=\"#{stem}\">{words}</a>"))
}

/// The class attribute of variant `i`'s row (or column): shaded when it
/// is the recommended one.
pub(super) fn row_class(results: &RunResults, i: usize) -> &'static str {
    if results.ranking.order.first() == Some(&i) && results.variants.len() > 1 {
        " class=\"best\""
    } else {
        ""
    }
}

/// The customer orders section: delivery figures per variant, in file
/// order.
fn orders_section(results: &RunResults, charts: &[Chart]) -> String {
    let mut h = String::from("<h2 id=\"orders\">Customer orders</h2>\n");
    let links: Vec<String> = [
        ("on_time_delivery", "on-time delivery"),
        ("backlog_over_time", "backlog over time"),
    ]
    .iter()
    .filter_map(|(stem, words)| chart_link(charts, stem, words))
    .collect();
    let charts_note = if links.is_empty() {
        String::new()
    } else {
        format!(" Charts: {}.", links.join(", "))
    };
    let _ = writeln!(
        h,
        "<p class=\"note\">Orders that completed (or were lost) after the warm-up; means over \
         the replications ± half-width of the 95% confidence interval. On time: delivered \
         complete by the due date. Tardiness counts an order on time as 0 hours late. \
         Backlog: units ordered and not yet delivered, time-average.{charts_note}</p>"
    );
    let fill = results.variants.iter().any(|v| {
        v.summary
            .delivery
            .as_ref()
            .is_some_and(|d| d.fill_rate.mean.is_finite())
    });
    let lt = TimeUnit::for_hours(
        results
            .variants
            .iter()
            .filter_map(|v| v.summary.delivery.as_ref())
            .map(|d| d.lead_time_mean_h.mean)
            .filter(|x| x.is_finite())
            .fold(f64::NAN, f64::max),
    );
    let _ = write!(
        h,
        "<table class=\"kpis\">\n<thead><tr><th>variant</th><th>orders<br>completed</th>\
         <th>on time<br>(% of orders)</th><th>on time<br>(% of units)</th>\
         <th>tardiness<br>mean (h)</th><th>tardiness<br>p90 (h)</th>\
         <th>lead time<br>mean ({})</th><th>backlog<br>(units)</th>",
        lt.name()
    );
    if fill {
        h.push_str("<th>fill rate<br>from stock (%)</th>");
    }
    h.push_str("<th>lost<br>(units)</th><th>outsourced<br>(units)</th></tr></thead>\n<tbody>\n");
    let columns = 10 + usize::from(fill);
    for (i, v) in results.variants.iter().enumerate() {
        let mark = row_class(results, i);
        let Some(d) = &v.summary.delivery else {
            let _ = writeln!(
                h,
                "<tr{mark}><td class=\"name\">{}</td><td colspan=\"{}\" class=\"name\">no \
                 customer orders</td></tr>",
                esc(&v.name),
                columns - 1
            );
            continue;
        };
        let pct = |e: &Estimate| styled_pm(e, Style::Percent, false);
        let _ = write!(
            h,
            "<tr{mark}><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td>",
            esc(&v.name),
            pm(&d.orders_completed),
            pct(&d.on_time_orders),
            pct(&d.on_time_units),
            pm(&d.tardiness_mean_h),
            pm(&d.tardiness_p90_h),
            pm(&d.lead_time_mean_h.scaled(lt.per_hour())),
            pm(&d.backlog_avg),
        );
        if fill {
            let _ = write!(h, "<td>{}</td>", pct(&d.fill_rate));
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td>{}</td></tr>",
            pm(&d.units_lost),
            pm(&d.units_outsourced)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// Reads one figure of the cost model.
type CostFigure = fn(&CostSummary) -> &Estimate;

/// The cost lines of the costs table: words and the figure (those of
/// [`crate::model::CostResult`] that add up to the total).
const COST_LINES: [(&str, CostFigure); 15] = [
    ("labour, regular", |c| &c.labour_regular),
    ("labour, overtime", |c| &c.labour_overtime),
    ("materials", |c| &c.materials),
    ("raw materials", |c| &c.raw_materials),
    ("outsourcing", |c| &c.outsourcing),
    ("machine running", |c| &c.machine_running),
    ("machines' fixed costs", |c| &c.machine_fixed),
    ("preventive maintenance", |c| &c.maintenance),
    ("transport (movers)", |c| &c.transport),
    ("automation capital charge", |c| &c.automation_capital),
    ("WIP holding", |c| &c.wip_holding),
    ("stock holding", |c| &c.stock_holding),
    ("raw-material holding", |c| &c.raw_holding),
    ("late-delivery penalties", |c| &c.late_penalty),
    ("lost-sale penalties", |c| &c.lost_sales),
];

/// Variants besides the baseline in the costs table (columns).
const COST_COLUMNS: usize = 8;

/// The costs section: a table of cost lines × variants (the baseline and
/// the best by the ranking), revenue, profit and cost per good unit.
fn costs_section(scenario: &Scenario, results: &RunResults, charts: &[Chart]) -> String {
    let f = &scenario.factory;
    let mut h = String::from("<h2 id=\"costs\">Costs, revenue and profit</h2>\n");
    let shown: Vec<usize> = {
        let keep = shown_variants(results, COST_COLUMNS);
        results
            .ranking
            .order
            .iter()
            .copied()
            .filter(|i| keep.contains(i))
            .collect()
    };
    let left_out = results.variants.len() - shown.len();
    let chart = chart_link(charts, "cost_breakdown", "the cost breakdown chart")
        .map(|l| format!(" See {l}."))
        .unwrap_or_default();
    let more = if left_out > 0 {
        format!(
            " The baseline and the {COST_COLUMNS} best variants by <code>{}</code> are shown; \
             the other {left_out} are in <code>summary.json</code> and <code>costs.csv</code>.",
            esc(results.ranking.kpi)
        )
    } else {
        String::new()
    };
    let revenue = money_kpi(results).is_some_and(|k| k.name == "profit");
    let paired = if results.variants.len() > 1 {
        format!(
            " The paired row compares each variant's {} with the baseline's replication by \
             replication, which is sharper than comparing the intervals above it.",
            if revenue { "profit" } else { "total cost" }
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        h,
        "<p class=\"note\">Over the observed period ({} after the warm-up); means over the \
         replications ± half-width of the 95% confidence interval, in {}; \
         variants in ranking order.{paired}{more}{chart}</p>",
        esc(&format_duration(f.horizon - f.warmup)),
        f.policies
            .currency
            .as_ref()
            .map_or("the scenario's currency".to_string(), |c| esc(c))
    );
    // The half-width goes under the mean, so that nine columns of large
    // sums fit the page.
    let stacked = |s: String| esc(&s).replacen(" ± ", "<br>± ", 1);
    let money = |e: &Estimate| stacked(styled_pm(e, Style::Money, false));
    let used = |of: CostFigure| {
        shown.iter().any(|&i| {
            let m = of(&results.variants[i].summary.costs).mean;
            m.is_finite() && m != 0.0
        })
    };
    let row = |words: &str, of: CostFigure, bold: bool| {
        let cells = shown
            .iter()
            .map(|&i| money(of(&results.variants[i].summary.costs)))
            .collect();
        (words.to_string(), cells, bold)
    };
    let mut rows: Vec<(String, Vec<String>, bool)> = Vec::new();
    for (words, of) in COST_LINES {
        if !used(of) {
            continue;
        }
        rows.push(row(words, of, false));
        if words == "materials" && used(|c| &c.scrap_materials) {
            rows.push(row(
                "\u{a0}\u{a0}of which sunk in scrapped parts",
                |c| &c.scrap_materials,
                false,
            ));
        }
    }
    // Costs in the total that no line above names (a line added to the
    // cost model before this table knew it), so that the lines add up.
    let other = |c: &CostSummary| {
        let named: f64 = COST_LINES.iter().map(|(_, of)| of(c).mean).sum();
        c.total.mean - named
    };
    if shown.iter().any(|&i| {
        let c = &results.variants[i].summary.costs;
        let rest = other(c);
        rest.is_finite() && rest.abs() > 1e-6 * c.total.mean.abs().max(1.0)
    }) {
        let cells = shown
            .iter()
            .map(|&i| {
                let c = &results.variants[i].summary.costs;
                esc(&number(
                    other(c),
                    places_of(&c.total, Style::Money),
                    Style::Money,
                    false,
                ))
            })
            .collect();
        rows.push(("other costs (means)".to_string(), cells, false));
    }
    rows.push(row("total cost", |c| &c.total, true));
    if used(|c| &c.poor_quality) {
        rows.push(row(
            "cost of poor quality, within the lines above",
            |c| &c.poor_quality,
            false,
        ));
        let parts: [(&str, CostFigure); 4] = [
            ("material in scrapped parts", |c| &c.poor_quality_materials),
            ("labour in scrapped parts", |c| &c.poor_quality_labour),
            ("machines in scrapped parts", |c| &c.poor_quality_machines),
            ("rework, labour and machines", |c| &c.poor_quality_rework),
        ];
        for (words, of) in parts {
            if used(of) {
                rows.push(row(&format!("\u{a0}\u{a0}{words}"), of, false));
            }
        }
    }
    if revenue {
        rows.push(row("revenue", |c| &c.revenue, false));
        rows.push(row("profit", |c| &c.profit, true));
    }
    let paired = if revenue { "profit" } else { "total_cost" };
    if let (Some(k), true) = (
        KPIS.iter().position(|k| k.name == paired),
        results.variants.len() > 1,
    ) {
        let cells = shown
            .iter()
            .map(|&i| {
                if i == 0 {
                    "—".to_string()
                } else {
                    let c = &results.variants[i].vs_baseline[k];
                    let class = judge(&c.diff, KPIS[k].better);
                    format!(
                        "<span class=\"{class}\">{}</span>",
                        stacked(styled_pm(&c.diff, Style::Money, true))
                    )
                }
            })
            .collect();
        rows.push((
            format!("{} − baseline (paired)", KPIS[k].label),
            cells,
            false,
        ));
    }
    rows.push(row("cost per good unit", |c| &c.per_good_unit, false));
    h.push_str("<table class=\"kpis\">\n<thead><tr><th></th>");
    for &i in &shown {
        let _ = write!(
            h,
            "<th{}>{}</th>",
            row_class(results, i),
            esc(&results.variants[i].name)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (words, cells, bold) in rows {
        let (a, b) = if bold { ("<b>", "</b>") } else { ("", "") };
        // The page's style sheet is that of every report: the rule that
        // keeps the line's name on one line is given here.
        let _ = write!(
            h,
            "<tr><td class=\"name\" style=\"white-space: nowrap\">{a}{}{b}</td>",
            esc(&words)
        );
        for c in cells {
            let _ = write!(h, "<td>{a}{c}{b}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// `5.1 years (95% CI 3.0 to 17.2)`: a payback and its range.
fn payback(years: f64, (quick, slow): (f64, f64)) -> String {
    let y = |x: f64| {
        if x.is_finite() {
            format!("{x:.1}")
        } else {
            "never".into()
        }
    };
    if years.is_finite() {
        format!("{} years (95% CI {} to {})", y(years), y(quick), y(slow))
    } else if quick.is_finite() {
        format!(
            "never at the mean gain (95% CI {} years to never)",
            y(quick)
        )
    } else {
        "never: no operating gain".into()
    }
}

/// The investment section: for each variant that automates a station or
/// buys machines at a price, what it costs, what it is compared with, the
/// labour it saves, when it pays back and the most it could cost.
fn investment_section(scenario: &Scenario, results: &RunResults) -> String {
    let cur = esc(&currency_suffix(&scenario.factory));
    let mut h = String::from("<h2 id=\"investment\">The case for investing</h2>\n");
    let years = results
        .variants
        .iter()
        .find_map(|v| v.investment.as_ref())
        .map_or(0.0, |a| a.payback_within_years);
    let _ = writeln!(
        h,
        "<p class=\"note\">Each variant that automates a station or buys machines at a price, \
         against the plant that differs from it only by that investment (the variant without the \
         overrides that make it, or the one it names in <code>compare_with</code>), on the same \
         random numbers. Labour saved is over the observed period. The operating gain per year \
         is the paired difference in profit before the automation's capital charge, scaled to a \
         year of 8,760 hours; payback is the capital over that gain, with its range at the ends \
         of the gain's 95% confidence interval (never when the gain is not positive). The \
         break-even capital is the most the investment could cost and still pay back within {} \
         years (<code>costs.payback_within_years</code>).</p>",
        esc(&years.to_string())
    );
    let _ = write!(
        h,
        "<table class=\"kpis\">\n<thead><tr><th>variant</th><th>investment</th>\
         <th>compared with</th><th>capital{cur}</th><th>capital charge<br>(observed period)</th>\
         <th>labour saved<br>(observed period)</th><th>operating gain<br>per year</th>\
         <th>payback</th><th>break-even capital{cur}</th></tr></thead>\n<tbody>\n",
    );
    for (i, v) in results.variants.iter().enumerate() {
        let Some(a) = &v.investment else {
            continue;
        };
        let exact = |x: f64| number(x, 0, Style::Money, false);
        let (low, high) = a.break_even_capital_range;
        let per_machine = match (a.break_even_per_machine, a.break_even_per_machine_range) {
            (Some(m), Some((l, u))) => {
                format!("; {} per machine ({} to {})", exact(m), exact(l), exact(u))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr{}><td class=\"name\">{}</td><td class=\"name\">{}</td><td class=\"name\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"name\">{}</td>\
             <td class=\"name\">{}</td></tr>",
            row_class(results, i),
            esc(&v.name),
            esc(&a.bought()),
            esc(&a.compared_with),
            exact(a.capital),
            exact(a.capital_charge),
            esc(&styled_pm(&a.labour_saved, Style::Money, false)),
            esc(&styled_pm(&a.operating_gain_per_year, Style::Money, true)),
            esc(&payback(a.payback_years, a.payback_years_range)),
            esc(&format!(
                "{} (95% CI {} to {}){per_machine}",
                exact(a.break_even_capital),
                exact(low),
                exact(high)
            )),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The bottleneck section: the baseline's bottleneck shares per station,
/// beside its utilisation and blocked and starved shares.
fn bottleneck_section(results: &RunResults, charts: &[Chart]) -> String {
    let s = &results.baseline().summary;
    let mut h = String::from("<h2 id=\"bottleneck\">Bottleneck</h2>\n");
    let verdict = if s.bottleneck_is_pool {
        s.pools.iter().find(|p| p.pool == s.bottleneck).map(|p| {
            (
                format!(
                    "the worker pool <b>{}</b> — people, not machines: its machines wait for \
                     its workers",
                    esc(&p.pool)
                ),
                (&p.bottleneck_sole, &p.bottleneck_shifting, p.bottleneck_in),
            )
        })
    } else if s.bottleneck_is_mover {
        s.movers.iter().find(|m| m.mover == s.bottleneck).map(|m| {
            (
                format!(
                    "the mover pool <b>{}</b> — transport, not machines: finished parts wait \
                     on their machines for a mover",
                    esc(&m.mover)
                ),
                (
                    &m.figures.bottleneck_sole,
                    &m.figures.bottleneck_shifting,
                    m.bottleneck_in,
                ),
            )
        })
    } else {
        s.stations
            .iter()
            .find(|st| st.station == s.bottleneck)
            .map(|st| {
                (
                    format!("the station <b>{}</b>", esc(&st.station)),
                    (
                        &st.bottleneck_sole,
                        &st.bottleneck_shifting,
                        st.bottleneck_in,
                    ),
                )
            })
    };
    if let Some((name, (sole, shifting, primary_in))) = verdict {
        let _ = writeln!(
            h,
            "<p>The baseline's primary bottleneck is {}: the sole bottleneck {}% and a \
             shifting one {}% of the time, the primary bottleneck in {} of {} replications. The \
             bottleneck passes from one station or pool to another {} times a day.{}</p>",
            name,
            esc(&styled_pm(sole, Style::Percent, false)),
            esc(&styled_pm(shifting, Style::Percent, false)),
            primary_in,
            s.replications,
            esc(&styled_pm(
                &s.bottleneck_shifts_per_day,
                Style::Plain,
                false
            )),
            chart_link(charts, "bottleneck_shares", "Chart")
                .map(|l| format!(" {l}."))
                .unwrap_or_default()
        );
    }
    h.push_str(
        "<p class=\"note\">Active-period method: at each moment the station whose current \
         uninterrupted active period (busy, in setup or under repair; all its machines at once) is \
         the longest is the bottleneck; while the periods of the stations it passes between \
         overlap, both are shifting bottlenecks. Worker pools take part as people: a pool is \
         active while every worker present is busy, and a machine waiting for an operator or a \
         technician is not active (it is not the machine that holds the plant back). \
         Utilisation, blocked and starved shares and the wait in the buffer beside it, as the \
         simpler indicators.</p>\n<table class=\"kpis\">\n<thead><tr>\
         <th>station or pool</th><th>sole<br>bottleneck (%)</th><th>shifting<br>bottleneck (%)</th>\
         <th>bottleneck<br>in all (%)</th><th>primary in<br>replications</th><th>busy (%)</th>\
         <th>blocked (%)</th><th>starved (%)</th><th>queue<br>(parts)</th>\
         <th>wait in<br>queue (min)</th><th>parts that<br>waited (%)</th></tr></thead>\n<tbody>\n",
    );
    for st in &s.stations {
        let pc = |e: &Estimate| esc(&styled_pm(e, Style::Percent, false));
        let _ = writeln!(
            h,
            "<tr{}><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if !s.bottleneck_is_pool && !s.bottleneck_is_mover && st.station == s.bottleneck {
                " class=\"best\""
            } else {
                ""
            },
            esc(&st.station),
            pc(&st.bottleneck_sole),
            pc(&st.bottleneck_shifting),
            pc(&st.bottleneck),
            st.bottleneck_in,
            pc(&st.utilisation),
            pc(&st.blocked),
            pc(&st.starved),
            esc(&styled_pm(&st.queue_avg, Style::Plain, false)),
            esc(&styled_pm(&st.wait_mean_min, Style::Plain, false)),
            pc(&st.waited_share),
        );
    }
    for p in &s.pools {
        let pc = |e: &Estimate| esc(&styled_pm(e, Style::Percent, false));
        let _ = writeln!(
            h,
            "<tr{}><td class=\"name\">{} (people ×{})</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td></tr>",
            if s.bottleneck_is_pool && p.pool == s.bottleneck {
                " class=\"best\""
            } else {
                ""
            },
            esc(&p.pool),
            p.workers,
            pc(&p.bottleneck_sole),
            pc(&p.bottleneck_shifting),
            pc(&p.bottleneck),
            p.bottleneck_in,
            pc(&p.utilisation),
        );
    }
    for m in &s.movers {
        let pc = |e: &Estimate| esc(&styled_pm(e, Style::Percent, false));
        let f = &m.figures;
        let _ = writeln!(
            h,
            "<tr{}><td class=\"name\">{} (movers ×{})</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>—</td><td>—</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if s.bottleneck_is_mover && m.mover == s.bottleneck {
                " class=\"best\""
            } else {
                ""
            },
            esc(&m.mover),
            m.movers,
            pc(&f.bottleneck_sole),
            pc(&f.bottleneck_shifting),
            pc(&f.bottleneck),
            m.bottleneck_in,
            pc(&f.busy),
            esc(&styled_pm(&f.queue_avg, Style::Plain, false)),
            esc(&styled_pm(&f.wait_mean_min, Style::Plain, false)),
            pc(&f.waited_share),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    if !s.pools.is_empty() {
        h.push_str(&pools_table(s, charts));
    }
    h
}

/// The baseline's worker pools: how their paid time was spent, what they
/// cost, and how often they held the plant back.
fn pools_table(s: &crate::experiment::Summary, charts: &[Chart]) -> String {
    let mut h = String::from("<h3 id=\"pools\">Worker pools</h3>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Per pool of people (operators, technicians): busy is the share of \
         paid time spent operating machines or repairing them; idle paid hours were paid \
         and present without work.{}</p>",
        chart_link(charts, "pool_states", "Chart")
            .map(|l| format!(" {l}."))
            .unwrap_or_default()
    );
    h.push_str(
        "<table class=\"kpis\">\n<thead><tr><th>pool</th><th>workers</th><th>busy (%)</th>\
         <th>busy hours</th><th>idle paid<br>hours</th><th>overtime<br>hours</th>\
         <th>repairs</th><th>labour cost</th><th>bottleneck<br>in all (%)</th></tr></thead>\n\
         <tbody>\n",
    );
    for p in &s.pools {
        let plain = |e: &Estimate| esc(&styled_pm(e, Style::Plain, false));
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.pool),
            p.workers,
            esc(&styled_pm(&p.utilisation, Style::Percent, false)),
            plain(&p.busy_hours),
            plain(&p.idle_paid_hours),
            plain(&p.overtime_hours),
            plain(&p.repairs),
            esc(&styled_pm(&p.labour_cost, Style::Money, false)),
            esc(&styled_pm(&p.bottleneck, Style::Percent, false)),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The sensitivities of `run --sensitivity`: each lever's marginal gain.
fn sensitivity_section(scenario: &Scenario, results: &RunResults, charts: &[Chart]) -> String {
    let all = outcomes(scenario, results);
    let mut h = String::from("<h2 id=\"sensitivity\">Sensitivities</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">What relieving each constraint is worth: each lever against the \
         baseline on the same random numbers, the paired difference ± half-width of its 95% \
         confidence interval. <span class=\"better\">Green</span>: a gain with 95% \
         confidence, <span class=\"worse\">orange</span>: a loss.{}</p>",
        chart_link(charts, "sensitivity", "Chart")
            .map(|l| format!(" {l}."))
            .unwrap_or_default()
    );
    let Some(first) = all.first() else {
        return String::new();
    };
    h.push_str("<table class=\"kpis\">\n<thead><tr><th>lever</th>");
    for g in &first.gains {
        let _ = write!(h, "<th>{}</th>", esc(g.kpi));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for o in &all {
        let _ = write!(
            h,
            "<tr><td class=\"name\">{}</td>",
            esc(&crate::report::lever_label(
                o.lever.kind,
                &o.lever.target,
                o.lever.amount
            ))
        );
        for g in &o.gains {
            let k = kpi(g.kpi);
            let style = k.map_or(Style::Plain, value_style);
            let class = k.map_or("same", |k| judge(&g.diff, k.better));
            let _ = write!(
                h,
                "<td class=\"{class}\">{}</td>",
                esc(&styled_pm(&g.diff, style, true))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    let machines: Vec<_> = all
        .iter()
        .filter_map(|o| o.machine.as_ref().map(|m| (&o.lever.target, m)))
        .collect();
    if let Some((_, first)) = machines.first() {
        let _ = writeln!(
            h,
            "<p class=\"note\">One machine more: its profit gain per year (the paired gain over \
             the observed period, scaled to 8,760 hours), its payback at the station's \
             <code>capital_per_machine</code>, and the break-even price: the most it may cost \
             and still pay back within {} years (<code>costs.payback_within_years</code>).</p>",
            esc(&first.payback_within_years.to_string())
        );
        h.push_str(
            "<table class=\"kpis\">\n<thead><tr><th>station</th><th>price</th>\
             <th>profit gain per year</th><th>payback</th><th>break-even price</th></tr></thead>\n<tbody>\n",
        );
        for (station, m) in machines {
            let exact = |x: f64| number(x, 0, Style::Money, false);
            let (lo, hi) = m.break_even_price_range;
            let _ = writeln!(
                h,
                "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td class=\"name\">{}</td>\
                 <td>{} (95% CI {} to {})</td></tr>",
                esc(station),
                m.price.map_or("—".into(), exact),
                esc(&styled_pm(&m.gain_per_year, Style::Money, true)),
                esc(&match (m.payback_years, m.payback_years_range) {
                    (Some(y), Some(r)) => payback(y, r),
                    _ => "— (no price given)".into(),
                }),
                exact(m.break_even_price),
                exact(lo),
                exact(hi),
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h
}

pub(super) const STYLE: &str = "
body { font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1400px; padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.meta, .note { color: #555; font-size: 0.92em; }
.rec { font-size: 1.15em; }
table.kpis { border-collapse: collapse; font-size: 0.9em; }
table.kpis th, table.kpis td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right;
       vertical-align: top; }
table.kpis th { background: #f4f4f4; }
table.kpis td { white-space: nowrap; }
table.kpis td.name, table.kpis td.changes { text-align: left; white-space: normal; }
table.kpis tr.best { background: #e8f5ee; }
.better { color: #00684a; }
.worse { color: #b34700; }
.same { color: #666; }
ul.cmp li { margin: 0.25em 0; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; max-width: 60em; }
nav a { margin-right: 1em; display: inline-block; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll > table { margin: 0; }
.chart > svg { min-width: 900px; }
h1, h2, h3, p, li, figcaption { overflow-wrap: anywhere; }
table td.name { overflow-wrap: break-word; }
@media (max-width: 700px) {
  body { margin: 1em auto; padding: 0 0.7em; }
  table.kpis { font-size: 0.82em; }
}
";

/// `html` with every table in a container that scrolls sideways, so that a
/// table wider than a phone's screen scrolls instead of overflowing the
/// page (pure CSS, no scripts).
pub(super) fn scrolling(html: &str) -> String {
    html.replace("<table", "<div class=\"scroll\"><table")
        .replace("</table>", "</table></div>")
}

/// The report as HTML. `links` says which relative paths exist (the chart
/// files and the data files), so that the page links only to those.
pub fn report_html(
    scenario: &Scenario,
    results: &RunResults,
    charts: &[Chart],
    links: &dyn Fn(&str) -> bool,
) -> String {
    let f = &scenario.factory;
    let base = results.baseline();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>shopfloor report: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{name}</h1>\n",
        name = esc(&f.name)
    );
    if !scenario.description.is_empty() {
        let _ = writeln!(h, "<p class=\"desc\">{}</p>", esc(&scenario.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} variant{} × {} replication{} of {} (warm-up {}, left out of every \
         KPI), seed {} · scenario hash <code>{}</code> · shopfloor {}</p>",
        results.variants.len(),
        if results.variants.len() == 1 { "" } else { "s" },
        base.summary.replications,
        if base.summary.replications == 1 {
            ""
        } else {
            "s"
        },
        esc(&format_duration(f.horizon)),
        esc(&format_duration(f.warmup)),
        scenario.seed,
        esc(&scenario.hash),
        env!("CARGO_PKG_VERSION"),
    );
    let orders = has_orders(results);
    let costs = has_cost_model(results);
    let investment = results.variants.iter().any(|v| v.investment.is_some());
    h.push_str(
        "<nav><a href=\"#recommendation\">Recommendation</a><a href=\"#comparison\">Comparison</a>\
         <a href=\"#kpis\">KPIs</a>",
    );
    if orders {
        h.push_str("<a href=\"#orders\">Orders</a>");
        if super::service::shown(f) {
            h.push_str("<a href=\"#service\">Service by product</a>");
        }
    }
    if costs {
        h.push_str("<a href=\"#costs\">Costs</a>");
    }
    h.push_str("<a href=\"#risk\">Risk</a>");
    if investment {
        h.push_str("<a href=\"#investment\">Investment</a>");
    }
    h.push_str("<a href=\"#bottleneck\">Bottleneck</a>");
    let levers = !outcomes(scenario, results).is_empty();
    if levers {
        h.push_str("<a href=\"#sensitivity\">Sensitivities</a>");
    }
    h.push_str("<a href=\"#charts\">Charts</a><a href=\"#files\">Files</a></nav>\n");

    h.push_str("<h2 id=\"recommendation\">Recommendation</h2>\n");
    h.push_str(&recommendation(
        results,
        f.policies
            .currency
            .as_ref()
            .map_or(String::new(), |c| format!(" {}", esc(c))),
    ));

    if results.variants.len() > 1 {
        h.push_str("<h2 id=\"comparison\">Comparison with the baseline</h2>\n");
        h.push_str(
            "<p class=\"note\">Paired differences from the baseline (variant − baseline), \
             mean ± half-width of the 95% confidence interval, with the relative change of the \
             means; best first. <span class=\"better\">Green</span>: better than the baseline \
             with 95% confidence, <span class=\"worse\">orange</span>: worse, \
             <span class=\"same\">grey</span>: no significant difference.</p>\n<ul class=\"cmp\">\n",
        );
        let more = said_more(results);
        let ct = TimeUnit::for_minutes(base.summary.cycle_time_mean_min.mean);
        for &i in results.ranking.order.iter().filter(|&&i| i != 0) {
            let _ = writeln!(
                h,
                "<li>{}</li>",
                comparison_sentence(&results.variants[i], &more, ct)
            );
        }
        h.push_str("</ul>\n");
    } else {
        h.push_str(
            "<h2 id=\"comparison\">Comparison with the baseline</h2>\n<p>No variants.</p>\n",
        );
    }

    h.push_str("<h2 id=\"kpis\">KPIs per variant</h2>\n");
    h.push_str(
        "<p class=\"note\">Means over the replications ± half-width of the 95% confidence \
         interval, after the warm-up. Rank on the ranking KPI; * marks variants statistically \
         indistinguishable from the best; the recommended row is shaded.</p>\n",
    );
    h.push_str(&kpi_table(results));
    if orders {
        h.push_str(&orders_section(results, charts));
        if super::service::shown(f) {
            h.push_str(&super::service::service_section(scenario, results));
        }
    }
    if costs {
        h.push_str(&costs_section(scenario, results, charts));
    }
    h.push_str(&super::risk::risk_section(scenario, results));
    if investment {
        h.push_str(&investment_section(scenario, results));
    }
    h.push_str(&bottleneck_section(results, charts));
    if levers {
        h.push_str(&sensitivity_section(scenario, results, charts));
    }

    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    if charts.is_empty() {
        h.push_str(
            "<p>No charts were drawn (<code>--no-plots</code>). Draw them from the saved \
             results with <code>shopfloor report DIR</code>.</p>\n",
        );
    }
    for c in charts {
        let _ = write!(
            h,
            "<figure id=\"{stem}\">\n<h3>{title}</h3>\n<div class=\"scroll chart\">{svg}</div>\n<figcaption>{about}",
            stem = c.stem,
            title = esc(&c.title),
            svg = c.svg.trim(),
            about = esc(&c.about)
        );
        let files: Vec<String> = ["png", "svg"]
            .iter()
            .map(|ext| format!("plots/{}.{ext}", c.stem))
            .filter(|p| links(p))
            .map(|p| {
                let ext = p.rsplit('.').next().unwrap_or_default().to_uppercase();
                format!("<a href=\"{p}\">{ext}</a>")
            })
            .collect();
        if !files.is_empty() {
            let _ = write!(h, " ({})", files.join(", "));
        }
        h.push_str("</figcaption>\n</figure>\n");
    }

    h.push_str("<h2 id=\"files\">Files</h2>\n<ul>\n");
    for (file, what) in DATA_FILES {
        if links(file) {
            let _ = writeln!(h, "<li><a href=\"{file}\">{file}</a>: {what}</li>");
        }
    }
    h.push_str(
        "</ul>\n<p class=\"note\">The charts are described in <code>docs/plots.md</code>, the \
         files in <code>docs/outputs.md</code> of the shopfloor sources. Re-draw this page \
         from the saved jobs with <code>shopfloor report DIR</code>.</p>\n</body>\n</html>\n",
    );
    scrolling(&h)
}

/// Writes `dir/report.html` (atomically), linking only to files that exist
/// in `dir`.
pub fn write_report(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
    charts: &[Chart],
) -> std::io::Result<()> {
    let exists = |rel: &str| dir.join(rel).is_file();
    let html = report_html(scenario, results, charts, &exists);
    write_atomic(&dir.join("report.html"), |w| w.write_all(html.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, hw: f64) -> Estimate {
        Estimate {
            n: 10,
            mean,
            sd: 0.0,
            half_width: hw,
            low: mean - hw,
            high: mean + hw,
        }
    }

    #[test]
    fn formats_to_the_precision_of_the_interval() {
        assert_eq!(signed_pm(&est(1.8512, 0.1123)), "+1.85 ± 0.11");
        assert_eq!(signed_pm(&est(26.93, 0.61)), "+26.9 ± 0.6");
        assert_eq!(signed_pm(&est(-0.93, 0.31)), "−0.9 ± 0.3");
        assert_eq!(signed_pct(-0.0512), "−5.1%");
        assert_eq!(pm(&est(1234.4, 35.2)), "1234 ± 35");
        assert_eq!(pm(&est(0.5, 0.0)), "0.50 ± 0.00");
        assert_eq!(pm(&est(f64::NAN, f64::NAN)), "—");
    }

    #[test]
    fn money_and_shares_to_the_precision_of_the_interval() {
        let money = |m, hw, signed| styled_pm(&est(m, hw), Style::Money, signed);
        assert_eq!(money(1_092_839.6, 39_187.0, false), "1,090,000 ± 40,000");
        assert_eq!(money(30_200.6, 14_352.8, true), "+30,000 ± 14,000");
        assert_eq!(money(-56_080.0, 61_300.0, true), "−60,000 ± 60,000");
        assert_eq!(money(221_400.0, 0.0, false), "221,400 ± 0");
        // A constant summed over replications: rounding noise is no interval.
        assert_eq!(money(20_769.230_769, 3.6e-12, false), "20,769 ± 0");
        assert_eq!(money(0.0, 0.0, false), "0");
        assert_eq!(money(-399.4, 14_352.8, true), "0 ± 14,000");
        assert_eq!(money(134.04, 1.61, false), "134.0 ± 1.6");
        let share = |m, hw, signed| styled_pm(&est(m, hw), Style::Percent, signed);
        assert_eq!(share(0.9791, 0.0061, false), "97.9 ± 0.6");
        assert_eq!(share(0.165, 0.059, true), "+16 ± 6");
        assert_eq!(
            styled_ci(&est(30_200.6, 14_352.8), Style::Money, true),
            "95% CI +16,000 to +45,000"
        );
        assert_eq!(number(1234.5, 0, Style::Plain, false), "1234");
    }

    #[test]
    fn payback_with_its_range() {
        assert_eq!(
            payback(5.08, (2.97, 17.2)),
            "5.1 years (95% CI 3.0 to 17.2)"
        );
        assert_eq!(
            payback(2.0, (1.6, f64::INFINITY)),
            "2.0 years (95% CI 1.6 to never)"
        );
        assert_eq!(
            payback(f64::INFINITY, (86.2, f64::INFINITY)),
            "never at the mean gain (95% CI 86.2 years to never)"
        );
        assert_eq!(
            payback(f64::INFINITY, (f64::INFINITY, f64::INFINITY)),
            "never: no operating gain"
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn judges_direction() {
        assert_eq!(judge(&est(2.0, 1.0), Better::Higher), "better");
        assert_eq!(judge(&est(2.0, 1.0), Better::Lower), "worse");
        assert_eq!(judge(&est(0.5, 1.0), Better::Lower), "same");
    }
}
