//! On-time delivery per variant: the share of customer orders delivered by
//! their due date, the mean tardiness and the mean order lead time, each
//! with its 95% confidence interval and coloured by the paired comparison
//! with the baseline.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::compare::{BAD, GOOD, SAME, Verdict, legend_row, verdict, verdict_color};
use super::{
    BASELINE, Drawn, GRID, Plot, Spec, has_orders, padded, row_labels, shown_rows, text, tick,
    titled,
};
use crate::experiment::kpi::KPIS;
use crate::experiment::{DeliverySummary, RunResults};
use crate::stats::Estimate;

/// Size of the on-time delivery chart.
pub(super) const SIZE: (u32, u32) = (1400, 720);

/// A panel: KPI name, caption, axis text, scale of the values drawn (a
/// share is drawn in %), unit written after a value, and the figure.
struct Panel {
    kpi: &'static str,
    caption: &'static str,
    axis: &'static str,
    scale: f64,
    unit: &'static str,
    of: fn(&DeliverySummary) -> &Estimate,
}

const PANELS: [Panel; 3] = [
    Panel {
        kpi: "on_time_orders",
        caption: "orders delivered on time",
        axis: "share of completed orders (%)",
        scale: 100.0,
        unit: "%",
        of: |d| &d.on_time_orders,
    },
    Panel {
        kpi: "tardiness_mean_h",
        caption: "mean tardiness",
        axis: "hours late per order (0 when on time)",
        scale: 1.0,
        unit: " h",
        of: |d| &d.tardiness_mean_h,
    },
    Panel {
        kpi: "lead_time_mean_h",
        caption: "mean order lead time",
        axis: "hours from order to delivery",
        scale: 1.0,
        unit: " h",
        of: |d| &d.lead_time_mean_h,
    },
];

/// One variant: name, whether it is the baseline, and per panel the
/// estimate (scaled) with its verdict against the baseline.
struct Row {
    name: String,
    baseline: bool,
    values: Vec<(Estimate, Verdict)>,
}

/// The on-time delivery chart's data.
pub(super) struct DeliveryPlot {
    subtitle: String,
    rows: Vec<Row>,
}

/// On-time delivery, tardiness and lead time per variant, or None when no
/// variant takes customer orders.
pub(super) fn on_time_delivery(results: &RunResults) -> Option<Spec> {
    if !has_orders(results) {
        return None;
    }
    let with_orders =
        |i: usize| -> Option<&DeliverySummary> { results.variants[i].summary.delivery.as_ref() };
    let (order, left_out) = shown_rows(results, |i| with_orders(i).is_some());
    let rows: Vec<Row> = order
        .iter()
        .filter_map(|&i| {
            let v = &results.variants[i];
            let d = with_orders(i)?;
            let values = PANELS
                .iter()
                .map(|p| {
                    let e = (p.of)(d).scaled(p.scale);
                    let k = KPIS.iter().position(|k| k.name == p.kpi);
                    let judged = match (i, k.and_then(|k| Some((k, v.vs_baseline.get(k)?)))) {
                        (0, _) | (_, None) => Verdict::Same,
                        (_, Some((k, c))) => verdict(&c.diff, KPIS[k].better),
                    };
                    (e, judged)
                })
                .collect();
            Some(Row {
                name: v.name.clone(),
                baseline: i == 0,
                values,
            })
        })
        .collect();
    let reps = results.baseline().summary.replications;
    let mut subtitle = format!(
        "mean over {reps} replication{} with 95% CI; colour: paired comparison with the baseline",
        if reps == 1 { "" } else { "s" }
    );
    if results.variants.len() > 1 {
        subtitle.push_str(&format!(
            "; ranked by {}, best at the top",
            results.ranking.kpi
        ));
    }
    if left_out > 0 {
        subtitle.push_str(&format!("; {left_out} variants left out"));
    }
    Some(Spec {
        stem: "on_time_delivery",
        title: "On-time delivery of customer orders".into(),
        about: "For each variant, the share of completed customer orders delivered by their due \
                date, the mean tardiness (hours late, counting an order on time as 0) and the \
                mean lead time from order to delivery; the bar is the mean over the \
                replications, the whisker its 95% confidence interval. Green: better than the \
                baseline with 95% confidence (paired, on common random numbers); orange: worse; \
                grey: no significant difference. The dashed line marks the baseline."
            .into(),
        size: SIZE,
        plot: Plot::Delivery(DeliveryPlot { subtitle, rows }),
    })
}

/// `81%`, `1.9 h`: a value for a label, to two or three significant digits.
fn value_label(v: f64, unit: &str) -> String {
    let d = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let d = if unit == "%" { d.min(1) } else { d };
    format!("{v:.d$}{unit}")
}

impl DeliveryPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, "On-time delivery of customer orders", &self.subtitle)?;
        let (w, h) = area.dim_in_pixel();
        let (main, foot) = area.split_vertically(h - 36);
        let mut key = vec![(BASELINE, "baseline")];
        if self.rows.len() > 1 {
            key.extend([
                (GOOD, "better than the baseline (95% CI)"),
                (BAD, "worse than the baseline"),
                (SAME, "no significant difference"),
            ]);
        }
        legend_row(&foot, 40, 16, &key)?;
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
        let pw = (w as i32 - names_w) / 3;
        let panels = main.split_by_breakpoints([names_w, names_w + pw, names_w + 2 * pw], [0; 0]);
        let screen = root.use_screen_coord();
        let y_range = -0.5..(n as f64 - 0.5);
        let half = if n > 15 { 0.36 } else { 0.3 };
        for (k, p) in PANELS.iter().enumerate() {
            let finite = |v: f64| v.is_finite().then_some(v);
            let hi = self
                .rows
                .iter()
                .flat_map(|r| [r.values[k].0.mean, r.values[k].0.high])
                .filter_map(finite)
                .fold(0.0_f64, f64::max);
            // Room after the longest whisker for its value.
            let hi = if p.scale == 100.0 {
                100.0
            } else {
                padded(0.0, hi, 0.16).1
            };
            let mut chart = ChartBuilder::on(&panels[k + 1])
                .caption(p.caption, text(18.0, &BLACK))
                .margin(8)
                .margin_right(20)
                .x_label_area_size(54)
                .y_label_area_size(4)
                .build_cartesian_2d(0.0..hi, y_range.clone())?;
            chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
                let y = (n - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, y - 0.5), (hi, y + 0.5)],
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
                .x_desc(p.axis)
                .label_style(text(14.0, &BLACK))
                .axis_desc_style(text(16.0, &BLACK))
                .bold_line_style(GRID)
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            let clamp = |v: f64| v.clamp(0.0, hi);
            for (i, r) in self.rows.iter().enumerate() {
                let y = (n - 1 - i) as f64;
                let (e, v) = &r.values[k];
                if !e.mean.is_finite() {
                    continue;
                }
                // The baseline's bar is darker than a grey "no difference".
                let (c, fill) = if r.baseline {
                    (BASELINE, 0.5)
                } else {
                    (verdict_color(*v), 0.3)
                };
                let m = clamp(e.mean);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - half), (m, y + half)],
                    c.mix(fill).filled(),
                )))?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(m, y - half), (m, y + half)],
                    c.stroke_width(3),
                )))?;
                if e.low.is_finite() && e.high.is_finite() {
                    let (l, h) = (clamp(e.low), clamp(e.high));
                    let cap = half * 0.5;
                    chart.draw_series([
                        PathElement::new(vec![(l, y), (h, y)], c.stroke_width(2)),
                        PathElement::new(vec![(l, y - cap), (l, y + cap)], c.stroke_width(2)),
                        PathElement::new(vec![(h, y - cap), (h, y + cap)], c.stroke_width(2)),
                    ])?;
                }
                // The value, inside the bar at its left end, or after the
                // whisker when the bar (short of its whisker) cannot hold it.
                let label = value_label(e.mean, p.unit);
                let style = text(14.0, &BLACK);
                let (lw, _) = screen.estimate_text_size(&label, &style)?;
                let (x0, py) = chart.backend_coord(&(0.0, y));
                let left = if e.low.is_finite() { clamp(e.low) } else { m };
                let right = if e.high.is_finite() { clamp(e.high) } else { m };
                let (xl, _) = chart.backend_coord(&(left.min(m), y));
                let (xr, _) = chart.backend_coord(&(right.max(m), y));
                let at = if xl - x0 >= lw as i32 + 12 {
                    x0 + 6
                } else {
                    xr + 6
                };
                screen.draw(&Text::new(
                    label,
                    (at, py),
                    style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            // The baseline's mean, across the panel.
            if let Some(b) = self.rows.iter().find(|r| r.baseline) {
                let m = b.values[k].0.mean;
                if m.is_finite() && n > 1 {
                    chart.draw_series(DashedLineSeries::new(
                        [(clamp(m), -0.5), (clamp(m), n as f64 - 0.5)],
                        6,
                        5,
                        BASELINE.mix(0.8).stroke_width(1),
                    ))?;
                }
            }
            if k == 0 {
                let rows: Vec<(i32, String, RGBColor)> = self
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let (_, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64));
                        (y, r.name.clone(), BLACK)
                    })
                    .collect();
                let (x0, _) = chart.backend_coord(&(0.0, 0.0));
                row_labels(&screen, x0, &rows, names_w as u32 - 8, label_size)?;
            }
        }
        Ok(())
    }
}
