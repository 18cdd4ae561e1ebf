//! Cost breakdown per variant: the mean of every cost line over the
//! replications, stacked into one bar per variant, with revenue marked and
//! profit written beside it; under it, a thin bar of the cost of poor
//! quality, which is a part of those lines (not stacked onto them).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Drawn, GRID, MUTED, Mark, Plot, Spec, has_cost_model, legend, names_width, row_labels,
    shown_rows, text, titled,
};
use crate::engine::format_duration;
use crate::experiment::{CostSummary, RunResults};
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Size of the cost breakdown chart.
pub(super) const SIZE: (u32, u32) = (1400, 720);

/// Width of the legend column.
const LEGEND_W: u32 = 250;

/// Width of the column of profits (or total costs) right of the bars.
const FIGURE_W: u32 = 170;

/// A cost line: legend text, colour, colour of text on it, and the figure.
type Line = (
    &'static str,
    RGBColor,
    RGBColor,
    fn(&CostSummary) -> &Estimate,
);

/// The cost lines in stacking order (those of [`crate::model::CostResult`]
/// that add up to the total): people, then what is bought, then the
/// plant, then holding, then the penalties of poor delivery.
const LINES: [Line; 15] = [
    ("labour, regular", RGBColor(0, 114, 178), WHITE, |c| {
        &c.labour_regular
    }),
    ("labour, overtime", RGBColor(86, 180, 233), BLACK, |c| {
        &c.labour_overtime
    }),
    ("materials", RGBColor(230, 159, 0), BLACK, |c| &c.materials),
    ("raw materials", RGBColor(166, 100, 20), WHITE, |c| {
        &c.raw_materials
    }),
    ("outsourcing", RGBColor(204, 121, 167), BLACK, |c| {
        &c.outsourcing
    }),
    ("machine running", RGBColor(0, 158, 115), WHITE, |c| {
        &c.machine_running
    }),
    ("machines' fixed costs", RGBColor(0, 100, 75), WHITE, |c| {
        &c.machine_fixed
    }),
    (
        "preventive maintenance",
        RGBColor(86, 180, 233),
        BLACK,
        |c| &c.maintenance,
    ),
    ("transport (movers)", RGBColor(90, 90, 160), WHITE, |c| {
        &c.transport
    }),
    ("automation capital", RGBColor(148, 103, 189), WHITE, |c| {
        &c.automation_capital
    }),
    ("WIP holding", RGBColor(150, 150, 150), BLACK, |c| {
        &c.wip_holding
    }),
    ("stock holding", RGBColor(240, 228, 66), BLACK, |c| {
        &c.stock_holding
    }),
    (
        "raw-material holding",
        RGBColor(215, 195, 140),
        BLACK,
        |c| &c.raw_holding,
    ),
    ("late-delivery penalty", RGBColor(213, 94, 0), WHITE, |c| {
        &c.late_penalty
    }),
    ("lost-sale penalty", RGBColor(120, 30, 30), WHITE, |c| {
        &c.lost_sales
    }),
];

/// Colour of the cost-of-poor-quality bar, drawn under a variant's cost
/// bar: a part of its lines, not a line of its own.
const POOR_QUALITY: RGBColor = RGBColor(178, 34, 34);

/// Colour of the costs in the total that no line of [`LINES`] names (a
/// line added to the cost model before it has a colour here).
const OTHER: (RGBColor, RGBColor) = (RGBColor(200, 200, 200), BLACK);

/// One variant's bar.
struct Row {
    name: String,
    /// Mean of each line of [`LINES`] (negative means drawn as 0), then the
    /// rest of the total cost that they do not cover.
    lines: Vec<f64>,
    total: Estimate,
    revenue: Estimate,
    profit: Estimate,
    /// Mean cost of poor quality (0 when none or undefined).
    poor_quality: f64,
}

/// The cost breakdown chart's data.
pub(super) struct CostPlot {
    subtitle: String,
    x_desc: String,
    /// Whether any variant has revenue (then profits are written beside
    /// the bars, else total costs).
    revenue: bool,
    /// Which lines are drawn (non-zero in some row).
    used: Vec<bool>,
    rows: Vec<Row>,
}

/// The cost breakdown, or None without a cost model beyond labour.
pub(super) fn cost_breakdown(scenario: &Scenario, results: &RunResults) -> Option<Spec> {
    if !has_cost_model(results) {
        return None;
    }
    let (order, left_out) = shown_rows(results, |_| true);
    let rows: Vec<Row> = order
        .iter()
        .map(|&i| {
            let v = &results.variants[i];
            let c = &v.summary.costs;
            let mut lines: Vec<f64> = LINES
                .iter()
                .map(|(_, _, _, of)| {
                    let m = of(c).mean;
                    if m.is_finite() { m.max(0.0) } else { 0.0 }
                })
                .collect();
            lines.push(other_costs(c));
            Row {
                name: v.name.clone(),
                lines,
                total: c.total,
                revenue: c.revenue,
                profit: c.profit,
                poor_quality: if c.poor_quality.mean.is_finite() {
                    c.poor_quality.mean.max(0.0)
                } else {
                    0.0
                },
            }
        })
        .collect();
    let used = (0..=LINES.len())
        .map(|k| rows.iter().any(|r| r.lines[k] > 0.0))
        .collect();
    let revenue = rows
        .iter()
        .any(|r| r.revenue.mean.is_finite() && r.revenue.mean != 0.0);
    let reps = results.baseline().summary.replications;
    let mut subtitle = format!(
        "mean over {reps} replication{}",
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
    let f = &scenario.factory;
    let x_desc = format!(
        "{} over the observed period ({} after the warm-up)",
        super::money_unit(scenario),
        format_duration(f.horizon - f.warmup)
    );
    Some(Spec {
        stem: "cost_breakdown",
        title: "Where the money goes".into(),
        about: if revenue {
            "One bar per variant: the mean of each cost line over the replications, stacked \
             (the bar's length is the total cost), and the revenue as a black dot with its \
             95% confidence interval. The gap from the end of the bar to the dot is the \
             profit, written on the right with its 95% confidence interval. Compare the \
             segments to see what a lever trades: overtime premium, outsourcing or automation \
             capital against late and lost-sale penalties."
        } else {
            "One bar per variant: the mean of each cost line over the replications, stacked \
             (the bar's length is the total cost, written on the right with its 95% \
             confidence interval). Compare the segments to see what a lever trades: overtime \
             premium, outsourcing or automation capital against late and lost-sale \
             penalties."
        }
        .into(),
        size: SIZE,
        plot: Plot::Costs(CostPlot {
            subtitle,
            x_desc,
            revenue,
            used,
            rows,
        }),
    })
}

/// The mean total cost that the lines of [`LINES`] leave out, when it is
/// more than rounding (0 otherwise): the bar then still measures the
/// total.
fn other_costs(c: &CostSummary) -> f64 {
    let named: f64 = LINES.iter().map(|(_, _, _, of)| of(c).mean).sum();
    let rest = c.total.mean - named;
    if rest.is_finite() && rest > 1e-6 * c.total.mean.abs().max(1.0) {
        rest
    } else {
        0.0
    }
}

/// A sum of money in few characters: `850`, `7.4k`, `487k`, `1.06M`.
pub(super) fn money(v: &f64) -> String {
    let a = v.abs();
    let s = if a >= 1e6 {
        format!("{:.*}M", if a >= 1e7 { 1 } else { 2 }, v / 1e6)
    } else if a >= 1e3 {
        format!("{:.*}k", if a >= 1e4 { 0 } else { 1 }, v / 1e3)
    } else {
        format!("{v:.0}")
    };
    if s == "-0" {
        "0".into()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// An axis tick: [`money`] without trailing zeros (`1M`, `1.5M`).
fn money_tick(v: &f64) -> String {
    let s = money(v);
    let (digits, unit) = match s.strip_suffix(['k', 'M']) {
        Some(d) => (d, &s[d.len()..]),
        None => (s.as_str(), ""),
    };
    if digits.contains('.') {
        let digits = digits.trim_end_matches('0').trim_end_matches('.');
        format!("{digits}{unit}")
    } else {
        s.clone()
    }
}

/// `1.06M ± 30k`.
fn money_pm(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        "—".into()
    } else if e.half_width.is_finite() {
        format!("{} ± {}", money(&e.mean), money(&e.half_width))
    } else {
        money(&e.mean)
    }
}

impl CostPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, "Where the money goes", &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - LEGEND_W);
        let n = self.rows.len();
        let label_size = if n > 15 { 13.0 } else { 15.0 };
        let names_w = names_width(
            &area,
            self.rows.iter().map(|r| &r.name),
            label_size,
            60,
            320,
        );
        let finite = |v: f64| v.is_finite().then_some(v);
        let top = self
            .rows
            .iter()
            .flat_map(|r| {
                let stacked: f64 = r.lines.iter().sum();
                [stacked, r.revenue.mean, r.revenue.high]
            })
            .filter_map(finite)
            .fold(0.0_f64, f64::max);
        let top = if top > 0.0 { top * 1.04 } else { 1.0 };
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(FIGURE_W)
            .x_label_area_size(54)
            .y_label_area_size(names_w)
            .build_cartesian_2d(0.0..top, -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .x_label_formatter(&money_tick)
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_desc(self.x_desc.as_str())
            .label_style(text(15.0, &BLACK))
            .axis_desc_style(text(17.0, &BLACK))
            .bold_line_style(GRID)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let half = if n > 15 { 0.38 } else { 0.32 };
        let screen = root.use_screen_coord();
        let (_, x_right) = (0, chart.backend_coord(&(top, 0.0)).0);
        let heading = if self.revenue {
            "profit (95% CI)"
        } else {
            "total cost (95% CI)"
        };
        let (_, y_top) = chart.backend_coord(&(0.0, n as f64 - 0.5));
        screen.draw(&Text::new(
            heading,
            (x_right + 14, y_top - 4),
            text(15.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let mut x = 0.0;
            for (k, &m) in r.lines.iter().enumerate() {
                if m <= 0.0 {
                    continue;
                }
                let (color, on) = LINES.get(k).map_or(OTHER, |l| (l.1, l.2));
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - half), (x + m, y + half)],
                    color.filled(),
                )))?;
                let (x0, py) = chart.backend_coord(&(x, y));
                let (x1, _) = chart.backend_coord(&(x + m, y));
                let label = money(&m);
                let style = text(13.0, &on);
                let (lw, _) = screen.estimate_text_size(&label, &style)?;
                if x1 - x0 >= lw as i32 + 10 {
                    screen.draw(&Text::new(
                        label,
                        ((x0 + x1) / 2, py),
                        style.pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
                x += m;
            }
            if r.poor_quality > 0.0 {
                // Under the bar, thin: what poor quality took out of the
                // lines above.
                let (y0, y1) = (y - half - 0.16, y - half - 0.04);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0), (r.poor_quality, y1)],
                    POOR_QUALITY.filled(),
                )))?;
                let (x1, py) = chart.backend_coord(&(r.poor_quality, (y0 + y1) / 2.0));
                screen.draw(&Text::new(
                    money(&r.poor_quality),
                    (x1 + 6, py),
                    text(12.0, &POOR_QUALITY).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            let rev = r.revenue;
            if self.revenue && rev.mean.is_finite() {
                if rev.low.is_finite() && rev.high.is_finite() {
                    let cap = half * 0.45;
                    chart.draw_series([
                        PathElement::new(vec![(rev.low, y), (rev.high, y)], BLACK.stroke_width(2)),
                        PathElement::new(
                            vec![(rev.low, y - cap), (rev.low, y + cap)],
                            BLACK.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(rev.high, y - cap), (rev.high, y + cap)],
                            BLACK.stroke_width(2),
                        ),
                    ])?;
                }
                // The profit: from the end of the bar to the revenue.
                let stacked: f64 = r.lines.iter().sum();
                chart.draw_series(DashedLineSeries::new(
                    [(stacked, y), (rev.mean, y)],
                    5,
                    4,
                    MUTED.stroke_width(1),
                ))?;
                let at = chart.backend_coord(&(rev.mean, y));
                screen.draw(&Circle::new(at, 8, WHITE.filled()))?;
                screen.draw(&Circle::new(at, 6, BLACK.filled()))?;
            }
            let figure = if self.revenue { &r.profit } else { &r.total };
            let (_, py) = chart.backend_coord(&(0.0, y));
            let color = if self.revenue && figure.mean < 0.0 {
                RGBColor(179, 71, 0)
            } else {
                BLACK
            };
            screen.draw(&Text::new(
                money_pm(figure),
                (x_right + 14, py),
                text(label_size, &color).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let (x0, _) = chart.backend_coord(&(0.0, 0.0));
        let rows: Vec<(i32, String, RGBColor)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (_, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64));
                (y, r.name.clone(), BLACK)
            })
            .collect();
        row_labels(&screen, x0, &rows, names_w - 12, label_size)?;
        let mut entries: Vec<(Mark, String)> = LINES
            .iter()
            .map(|(name, color, _, _)| (*name, *color))
            .chain(std::iter::once(("other costs", OTHER.0)))
            .zip(&self.used)
            .filter(|(_, used)| **used)
            .map(|((name, color), _)| (Mark::Box(color), name.to_string()))
            .collect();
        if self.rows.iter().any(|r| r.poor_quality > 0.0) {
            entries.push((
                Mark::Box(POOR_QUALITY),
                "poor quality (within the lines)".into(),
            ));
        }
        if self.revenue {
            entries.push((Mark::Dot(BLACK), "revenue (with 95% CI)".into()));
            entries.push((Mark::Dashed(MUTED), "profit: bar end to revenue".into()));
        }
        legend(&side, 14, Some("cost line"), &entries)
    }
}
