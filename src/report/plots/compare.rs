//! Comparison charts: each variant's paired difference from the baseline
//! with error bars, and throughput against cycle time with the
//! Pareto-efficient variants marked.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Drawn, GRID, LIGHT, MUTED, Mark, Plot, Spec, fit, has_cost_model, has_orders, legend, padded,
    row_labels, text, tick, titled,
};
use crate::experiment::RunResults;
use crate::experiment::kpi::{Better, KPIS, kpi};
use crate::experiment::sensitivity::outcomes;
use crate::report::lever_label;
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Rows (variants) at most in the KPI comparison chart.
pub const MAX_ROWS: usize = 25;
/// Size of the KPI comparison chart.
pub(super) const KPI_SIZE: (u32, u32) = (1400, 720);
/// Size of the throughput against cycle time chart.
pub(super) const PARETO_SIZE: (u32, u32) = (1200, 720);

pub(super) const GOOD: RGBColor = RGBColor(0, 140, 100);
pub(super) const BAD: RGBColor = RGBColor(213, 94, 0);
pub(super) const SAME: RGBColor = RGBColor(130, 130, 130);
const FRONT: RGBColor = RGBColor(0, 114, 178);

/// The KPIs compared, by name, with the unit of their difference.
const COMPARED: [(&str, &str, &str); 3] = [
    ("throughput_per_hour", "throughput", "parts/h"),
    ("cycle_time_mean_min", "mean cycle time", "min"),
    ("wip_avg", "work in process", "parts"),
];

/// The KPIs of the comparison chart: those of [`COMPARED`], then the
/// ranking KPI and profit (with revenue) when not among them.
fn compared(results: &RunResults, money: &str) -> Vec<(&'static str, String, String)> {
    let mut out: Vec<(&'static str, String, String)> = COMPARED
        .iter()
        .map(|&(n, w, u)| (n, w.to_string(), u.to_string()))
        .collect();
    let revenue = has_cost_model(results)
        && results.variants.iter().any(|v| {
            v.summary.costs.revenue.mean.is_finite() && v.summary.costs.revenue.mean != 0.0
        });
    let extra = kpi(results.ranking.kpi)
        .into_iter()
        .chain(kpi("profit").filter(|_| revenue));
    for k in extra {
        if out.iter().any(|(n, _, _)| *n == k.name) {
            continue;
        }
        let unit = match k.name {
            "on_time_orders" | "on_time_units" | "fill_rate" | "waited_share" => "share, 0–1",
            "profit"
            | "total_cost"
            | "revenue"
            | "labour_cost"
            | "cost_per_good_unit"
            | "labour_cost_per_good" => money,
            _ => "",
        };
        let what = if out.len() == COMPARED.len() && k.name == results.ranking.kpi {
            format!("{} (ranked by)", k.label)
        } else {
            k.label.to_string()
        };
        out.push((k.name, what, unit.to_string()));
    }
    out
}

/// Whether a difference is an improvement, a deterioration or neither at
/// 95% confidence.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Better,
    Worse,
    Same,
}

pub(super) fn verdict(d: &Estimate, better: Better) -> Verdict {
    if !(d.low.is_finite() && d.high.is_finite()) || (d.low <= 0.0 && 0.0 <= d.high) {
        return Verdict::Same;
    }
    match (d.mean > 0.0, better) {
        (true, Better::Higher) | (false, Better::Lower) => Verdict::Better,
        _ => Verdict::Worse,
    }
}

pub(super) fn verdict_color(v: Verdict) -> RGBColor {
    match v {
        Verdict::Better => GOOD,
        Verdict::Worse => BAD,
        Verdict::Same => SAME,
    }
}

/// One variant's differences, `(mean, low, high, verdict)` per compared KPI.
struct Row {
    name: String,
    diffs: Vec<(f64, f64, f64, Verdict)>,
}

/// A chart of paired differences from the baseline, one panel per KPI
/// and one row per variant: the KPI comparison, and the sensitivities.
pub(super) struct KpiPlot {
    title: String,
    subtitle: String,
    /// Per panel: what the KPI is and the unit of its difference.
    columns: Vec<(String, String)>,
    rows: Vec<Row>,
}

/// The sensitivities of `run --sensitivity`: each lever's marginal gain
/// on throughput, on-time delivery and profit, or None without levers.
pub(super) fn sensitivity(scenario: &Scenario, results: &RunResults) -> Option<Spec> {
    let all = outcomes(scenario, results);
    let first = all.first()?;
    let columns = first
        .gains
        .iter()
        .map(|g| match g.kpi {
            "throughput_per_hour" => ("throughput".into(), "parts/h".into()),
            "on_time_orders" => ("orders on time".into(), "share, 0–1".into()),
            "profit" => ("profit".into(), super::money_unit(scenario)),
            other => (other.to_string(), String::new()),
        })
        .collect();
    let rows = all
        .iter()
        .map(|o| Row {
            name: lever_label(o.lever.kind, &o.lever.target, o.lever.amount),
            diffs: o
                .gains
                .iter()
                .map(|g| {
                    let better = kpi(g.kpi).map_or(Better::Higher, |k| k.better);
                    let d = &g.diff;
                    (d.mean, d.low, d.high, verdict(d, better))
                })
                .collect(),
        })
        .collect();
    Some(Spec {
        stem: "sensitivity",
        title: "What relieving each constraint is worth".into(),
        about: "Each lever of `--sensitivity` — one machine more at a bottleneck station, one \
                worker more in a pool, overtime hours on a shift calendar — against the \
                baseline, replication by replication on the same random numbers: the mean \
                marginal gain and its 95% confidence interval. Green: a gain with 95% \
                confidence; orange: a loss (profit falls when the lever costs more than it \
                earns); grey: no significant difference."
            .into(),
        size: KPI_SIZE,
        plot: Plot::Kpis(KpiPlot {
            title: "What relieving each constraint is worth".into(),
            subtitle: "marginal gain over the baseline, paired on the same random numbers: mean and 95% CI".into(),
            columns,
            rows,
        }),
    })
}

/// Each variant's paired difference from the baseline, or None with the
/// baseline alone.
pub(super) fn kpi_comparison(scenario: &Scenario, results: &RunResults) -> Option<Spec> {
    if results.variants.len() < 2 {
        return None;
    }
    let compared = compared(results, &super::money_unit(scenario));
    let idx: Vec<usize> = compared
        .iter()
        .map(|(name, _, _)| KPIS.iter().position(|k| k.name == *name))
        .collect::<Option<_>>()?;
    let order: Vec<usize> = results
        .ranking
        .order
        .iter()
        .copied()
        .filter(|&i| i != 0)
        .collect();
    let rows: Vec<Row> = order
        .iter()
        .take(MAX_ROWS)
        .map(|&i| {
            let v = &results.variants[i];
            Row {
                name: v.name.clone(),
                diffs: idx
                    .iter()
                    .map(|&k| {
                        let d = &v.vs_baseline[k].diff;
                        (d.mean, d.low, d.high, verdict(d, KPIS[k].better))
                    })
                    .collect(),
            }
        })
        .collect();
    let mut subtitle = format!(
        "paired difference from the baseline, mean and 95% CI; ranked by {}, best at the top",
        results.ranking.kpi
    );
    if order.len() > MAX_ROWS {
        subtitle.push_str(&format!(
            "; the {MAX_ROWS} best of {} variants",
            order.len()
        ));
    }
    Some(Spec {
        stem: "kpi_comparison",
        title: "Difference from the baseline".into(),
        about: "For each variant, how much its throughput, mean cycle time and work in process \
                — and the KPI the variants are ranked by, and profit when the scenario has \
                revenue — differ from the baseline's, replication by replication (common random \
                numbers), with the 95% confidence interval of the difference as a bar. Green: \
                better than the baseline with 95% confidence; orange: worse; grey: the \
                interval contains zero, so the data cannot tell the two apart."
            .into(),
        size: KPI_SIZE,
        plot: Plot::Kpis(KpiPlot {
            title: "Difference from the baseline".into(),
            subtitle,
            columns: compared
                .iter()
                .map(|(_, what, unit)| (what.to_string(), unit.to_string()))
                .collect(),
            rows,
        }),
    })
}

/// Draws a horizontal legend left to right from `(x, y)` on `area`.
pub(super) fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mut x: i32,
    y: i32,
    entries: &[(RGBColor, &str)],
) -> Drawn<DB> {
    let style = text(15.0, &BLACK);
    for (c, label) in entries {
        area.draw(&Circle::new((x + 6, y), 6, c.filled()))?;
        area.draw(&Text::new(
            label.to_string(),
            (x + 18, y),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let (w, _) = area.estimate_text_size(label, &style)?;
        x += 18 + w as i32 + 28;
    }
    Ok(())
}

impl KpiPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title, &self.subtitle)?;
        let (w, h) = area.dim_in_pixel();
        let (main, foot) = area.split_vertically(h - 36);
        legend_row(
            &foot,
            40,
            16,
            &[
                (GOOD, "better than the baseline (95% CI excludes 0)"),
                (BAD, "worse than the baseline"),
                (SAME, "no significant difference"),
            ],
        )?;
        let n = self.rows.len();
        let label_size = if n > 15 { 13.0 } else { 15.0 };
        let label_style = text(label_size, &BLACK);
        let widest = self
            .rows
            .iter()
            .filter_map(|r| area.estimate_text_size(&r.name, &label_style).ok())
            .map(|(w, _)| w)
            .max()
            .unwrap_or(0);
        let names_w = (widest + 24).clamp(80, 360) as i32;
        let cols = self.columns.len().max(1) as i32;
        let pw = (w as i32 - names_w) / cols;
        let breaks: Vec<i32> = (0..cols).map(|k| names_w + k * pw).collect();
        let panels = main.split_by_breakpoints(breaks, [0; 0]);
        let screen = root.use_screen_coord();
        let y_range = -0.5..(n as f64 - 0.5);
        for (k, (what, unit)) in self.columns.iter().enumerate() {
            let panel = &panels[k + 1];
            let lo = self
                .rows
                .iter()
                .flat_map(|r| [r.diffs[k].0, r.diffs[k].1])
                .filter(|v| v.is_finite())
                .fold(0.0_f64, f64::min);
            let hi = self
                .rows
                .iter()
                .flat_map(|r| [r.diffs[k].0, r.diffs[k].2])
                .filter(|v| v.is_finite())
                .fold(0.0_f64, f64::max);
            let (lo, hi) = padded(lo, hi, 0.08);
            let mut chart = ChartBuilder::on(panel)
                .caption(what, text(18.0, &BLACK))
                .margin(8)
                .margin_right(20)
                .x_label_area_size(54)
                .y_label_area_size(4)
                .build_cartesian_2d(lo..hi, y_range.clone())?;
            // Zebra rows guide the eye across the three panels.
            chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
                let y = (n - 1 - i) as f64;
                Rectangle::new(
                    [(lo, y - 0.5), (hi, y + 0.5)],
                    RGBColor(244, 244, 244).filled(),
                )
            }))?;
            chart
                .configure_mesh()
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .x_desc(format!("difference ({unit})"))
                .label_style(text(14.0, &BLACK))
                .axis_desc_style(text(16.0, &BLACK))
                .bold_line_style(GRID)
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))?;
            let cap = if n > 15 { 0.22 } else { 0.15 };
            for (i, r) in self.rows.iter().enumerate() {
                let y = (n - 1 - i) as f64;
                let (m, l, h, v) = r.diffs[k];
                if !m.is_finite() {
                    continue;
                }
                let c = verdict_color(v);
                if l.is_finite() && h.is_finite() {
                    chart.draw_series([
                        PathElement::new(vec![(l, y), (h, y)], c.stroke_width(2)),
                        PathElement::new(vec![(l, y - cap), (l, y + cap)], c.stroke_width(2)),
                        PathElement::new(vec![(h, y - cap), (h, y + cap)], c.stroke_width(2)),
                    ])?;
                }
                chart.draw_series(std::iter::once(Circle::new(
                    (m, y),
                    if n > 15 { 4 } else { 5 },
                    c.filled(),
                )))?;
            }
            if k == 0 {
                let rows: Vec<(i32, String, RGBColor)> = self
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let (_, y) = chart.backend_coord(&(lo, (n - 1 - i) as f64));
                        (y, r.name.clone(), BLACK)
                    })
                    .collect();
                let (x0, _) = chart.backend_coord(&(lo, 0.0));
                row_labels(&screen, x0, &rows, names_w as u32 - 8, label_size)?;
            }
        }
        Ok(())
    }
}

/// One variant in the throughput against cycle time chart.
struct Point {
    name: String,
    ct: Estimate,
    thr: Estimate,
    efficient: bool,
    baseline: bool,
}

/// The throughput against cycle time chart's data.
pub(super) struct ParetoPlot {
    points: Vec<Point>,
}

/// Indices of the Pareto-efficient points of `(x, y)` for smaller x and
/// larger y: no other point is at least as good on both and better on one.
/// Points with a NaN coordinate are never efficient.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(x, y)| {
            x.is_finite()
                && y.is_finite()
                && !points.iter().any(|&(x2, y2)| {
                    x2.is_finite() && y2.is_finite() && x2 <= x && y2 >= y && (x2 < x || y2 > y)
                })
        })
        .collect()
}

/// Throughput against mean cycle time, or None with the baseline alone.
pub(super) fn pareto(results: &RunResults) -> Option<Spec> {
    if results.variants.len() < 2 {
        return None;
    }
    let xy: Vec<(f64, f64)> = results
        .variants
        .iter()
        .map(|v| {
            (
                v.summary.cycle_time_mean_min.mean,
                v.summary.throughput_per_hour.mean,
            )
        })
        .collect();
    let front = pareto_front(&xy);
    let points = results
        .variants
        .iter()
        .zip(front)
        .enumerate()
        .map(|(i, (v, efficient))| Point {
            name: v.name.clone(),
            ct: v.summary.cycle_time_mean_min,
            thr: v.summary.throughput_per_hour,
            efficient,
            baseline: i == 0,
        })
        .collect();
    Some(Spec {
        stem: "throughput_vs_cycle_time",
        title: "Throughput against cycle time".into(),
        about: "Every variant's mean throughput against its mean cycle time, with 95% \
                confidence intervals as thin bars. Up and to the left is better. The blue, \
                labelled variants are Pareto-efficient: no other variant has both a higher \
                throughput and a shorter cycle time; the line joins them. Grey rings are \
                dominated."
            .to_string()
            + if has_orders(results) && has_cost_model(results) {
                ""
            } else {
                " (This chart stands in for cost against on-time delivery until costs and \
                 orders are modelled.)"
            },
        size: PARETO_SIZE,
        plot: Plot::Pareto(ParetoPlot { points }),
    })
}

impl ParetoPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(
            root,
            "Throughput against cycle time",
            "better is up and to the left: more good parts per hour, shorter cycle time",
        )?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - 280);
        let pts: Vec<&Point> = self
            .points
            .iter()
            .filter(|p| p.ct.mean.is_finite() && p.thr.mean.is_finite())
            .collect();
        let finite = |v: f64, alt: f64| if v.is_finite() { v } else { alt };
        let (x_lo, x_hi) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
            (
                a.0.min(finite(p.ct.low, p.ct.mean)),
                a.1.max(finite(p.ct.high, p.ct.mean)),
            )
        });
        let (y_lo, y_hi) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
            (
                a.0.min(finite(p.thr.low, p.thr.mean)),
                a.1.max(finite(p.thr.high, p.thr.mean)),
            )
        });
        let (x_lo, x_hi) = padded(x_lo, x_hi, 0.1);
        let (y_lo, y_hi) = padded(y_lo, y_hi, 0.1);
        let mut chart = scatter_chart(
            &plot,
            (x_lo, x_hi),
            (y_lo, y_hi),
            "mean cycle time (min)",
            "throughput (good parts/h)",
        )?;
        let ci = LIGHT.mix(0.7).stroke_width(1);
        for p in &pts {
            if p.ct.low.is_finite() && p.ct.high.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.ct.low, p.thr.mean), (p.ct.high, p.thr.mean)],
                    ci,
                )))?;
            }
            if p.thr.low.is_finite() && p.thr.high.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.ct.mean, p.thr.low), (p.ct.mean, p.thr.high)],
                    ci,
                )))?;
            }
        }
        let mut front: Vec<&&Point> = pts.iter().filter(|p| p.efficient).collect();
        front.sort_by(|a, b| a.ct.mean.total_cmp(&b.ct.mean));
        chart.draw_series(std::iter::once(PathElement::new(
            front
                .iter()
                .map(|p| (p.ct.mean, p.thr.mean))
                .collect::<Vec<_>>(),
            FRONT.mix(0.6).stroke_width(2),
        )))?;
        let many = pts.len() > 40;
        for p in pts.iter().filter(|p| !p.efficient) {
            chart.draw_series(std::iter::once(Circle::new(
                (p.ct.mean, p.thr.mean),
                if many { 4 } else { 6 },
                SAME.stroke_width(2),
            )))?;
        }
        for p in &front {
            chart.draw_series(std::iter::once(Circle::new(
                (p.ct.mean, p.thr.mean),
                7,
                FRONT.filled(),
            )))?;
        }
        if let Some(b) = pts.iter().find(|p| p.baseline) {
            chart.draw_series(std::iter::once(Circle::new(
                (b.ct.mean, b.thr.mean),
                11,
                BLACK.stroke_width(2),
            )))?;
        }
        // Labels: the efficient variants and the baseline always, the
        // others too when there are few. If a name cannot be placed clear
        // of the others, the efficient points are numbered instead and
        // the names listed beside the chart.
        let screen = root.use_screen_coord();
        let (px_lo, py_lo) = chart.backend_coord(&(x_lo, y_lo));
        let (px_hi, py_hi) = chart.backend_coord(&(x_hi, y_hi));
        let bounds = (px_lo, py_hi, px_hi, py_lo);
        let at = |p: &Point| chart.backend_coord(&(p.ct.mean, p.thr.mean));
        let base = pts.iter().find(|p| p.baseline && !p.efficient);
        let mut named: Vec<Label> = front
            .iter()
            .map(|p| Label::new(at(p), p.name.clone(), BLACK, true))
            .collect();
        named.extend(base.map(|p| Label::new(at(p), p.name.clone(), MUTED, true)));
        if pts.len() <= 12 {
            named.extend(
                pts.iter()
                    .filter(|p| !p.efficient && !p.baseline)
                    .map(|p| Label::new(at(p), p.name.clone(), MUTED, false)),
            );
        }
        let mut numbered = false;
        let placed = match place_labels(&screen, &named, bounds)? {
            Some(placed) => placed,
            None => {
                numbered = true;
                let mut short: Vec<Label> = front
                    .iter()
                    .enumerate()
                    .map(|(k, p)| Label::new(at(p), (k + 1).to_string(), BLACK, true))
                    .collect();
                short.extend(base.map(|p| Label::new(at(p), p.name.clone(), MUTED, false)));
                place_labels(&screen, &short, bounds)?.unwrap_or_default()
            }
        };
        for (label, pos, anchor, color) in placed {
            screen.draw(&Text::new(label, pos, text(14.0, &color).pos(anchor)))?;
        }
        let mut entries: Vec<(Mark, String)> = vec![
            (Mark::Dot(FRONT), "Pareto-efficient".into()),
            (Mark::Ring(SAME), "dominated".into()),
            (Mark::Ring(BLACK), "baseline (large ring)".into()),
            (Mark::Line(LIGHT), "95% confidence intervals".into()),
        ];
        if numbered {
            const LISTED: usize = 18;
            for (k, p) in front.iter().enumerate().take(LISTED) {
                entries.push((Mark::Number(k + 1), p.name.clone()));
            }
            if front.len() > LISTED {
                entries.push((
                    Mark::Number(0),
                    format!("… {} more in the report", front.len() - LISTED),
                ));
            }
        }
        legend(&side, 14, None, &entries)
    }
}

/// A chart with two numeric axes.
pub(super) type Scatter<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The axes of a scatter chart (this one and the optimiser's frontier):
/// ranges, tick labels, descriptions and a light grid.
pub(super) fn scatter_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
    x_desc: &str,
    y_desc: &str,
) -> Result<Scatter<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(plot)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(54)
        .y_label_area_size(84)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(text(15.0, &BLACK))
        .axis_desc_style(text(17.0, &BLACK))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(chart)
}

/// A label to place beside a point.
struct Label {
    point: (i32, i32),
    text: String,
    color: RGBColor,
    /// A label that must appear (placement fails without a clear spot).
    must: bool,
}

impl Label {
    fn new(point: (i32, i32), text: String, color: RGBColor, must: bool) -> Label {
        Label {
            point,
            text,
            color,
            must,
        }
    }
}

/// A placed label: text, position, anchor, colour.
type Placed = (String, (i32, i32), Pos, RGBColor);

/// Places `labels` one by one at the first of a few spots around their
/// point that lies inside `bounds` (x0, y0, x1, y1) and overlaps no label
/// placed before: first with the whole text, then shortened. Optional
/// labels without a spot are dropped; None if a label that must appear
/// finds none.
fn place_labels<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    labels: &[Label],
    bounds: (i32, i32, i32, i32),
) -> Result<Option<Vec<Placed>>, DrawingAreaErrorKind<DB::ErrorType>> {
    const SPOTS: [(i32, i32); 8] = [
        (10, -13),
        (10, 13),
        (-10, -13),
        (-10, 13),
        (10, -30),
        (10, 30),
        (-10, -30),
        (-10, 30),
    ];
    let mut boxes: Vec<(i32, i32, i32, i32)> = Vec::new();
    let mut out = Vec::new();
    for l in labels {
        let (x, y) = l.point;
        let style = text(14.0, &l.color);
        let mut spot = None;
        'passes: for whole in [true, false] {
            for (dx, dy) in SPOTS {
                let room = if dx > 0 {
                    bounds.2 - x - dx
                } else {
                    x + dx - bounds.0
                };
                if room < 24 {
                    continue;
                }
                let label = fit(screen, &l.text, &style, room as u32);
                if whole != (label == l.text) {
                    continue;
                }
                let (w, h) = screen.estimate_text_size(&label, &style)?;
                let (w, h) = (w as i32, h as i32);
                let x0 = if dx > 0 { x + dx } else { x + dx - w };
                let bx = (x0, y + dy - h / 2 - 2, x0 + w, y + dy + h / 2 + 2);
                let inside = bx.1 >= bounds.1 && bx.3 <= bounds.3;
                let clear = boxes
                    .iter()
                    .all(|o| bx.2 < o.0 || o.2 < bx.0 || bx.3 < o.1 || o.3 < bx.1);
                if inside && clear {
                    let anchor = if dx > 0 {
                        Pos::new(HPos::Left, VPos::Center)
                    } else {
                        Pos::new(HPos::Right, VPos::Center)
                    };
                    spot = Some((label, bx, (x + dx, y + dy), anchor));
                    break 'passes;
                }
            }
        }
        match spot {
            Some((label, bx, pos, anchor)) => {
                boxes.push(bx);
                out.push((label, pos, anchor, l.color));
            }
            None if l.must => return Ok(None),
            None => {}
        }
    }
    Ok(Some(out))
}
