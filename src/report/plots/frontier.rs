//! The optimiser's frontier: every evaluated configuration's cost against
//! its on-time delivery, with 95% CIs, feasible and infeasible marked, the
//! cost–delivery frontier joined and the chosen configuration ringed.

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::{BAD, GOOD, SAME, scatter_chart};
use super::{Chart, Drawn, LIGHT, Mark, Plot, Spec, legend, padded, titled};
use crate::optimize::OptimizeResult;
use crate::optimize::select::Feasibility;
use crate::stats::Estimate;

const SIZE: (u32, u32) = (1200, 720);
const FRONT: RGBColor = RGBColor(0, 114, 178);

/// One configuration on the chart.
struct Point {
    cost: Estimate,
    delivery: Estimate,
    feasibility: Feasibility,
    frontier: bool,
    chosen: bool,
}

/// The data of the frontier chart.
pub(super) struct FrontierPlot {
    points: Vec<Point>,
    axes: (&'static str, &'static str),
    /// A constraint's threshold on the delivery axis, if any.
    threshold: Option<f64>,
    chosen_name: Option<String>,
}

/// Draws `frontier.png` and `frontier.svg` into `dir`.
pub fn write_frontier(dir: &Path, result: &OptimizeResult) -> io::Result<Chart> {
    super::ensure_font()?;
    let (cx, cy) = result.frontier_axes;
    let points = result
        .configurations
        .iter()
        .enumerate()
        .filter(|(_, c)| c.replications > 0)
        .map(|(p, c)| Point {
            cost: c.kpis.get(cx).copied().unwrap_or(Estimate::from_values([])),
            delivery: c.kpis.get(cy).copied().unwrap_or(Estimate::from_values([])),
            feasibility: c.feasibility,
            frontier: c.frontier,
            chosen: result.chosen == Some(p),
        })
        .collect();
    let threshold = result
        .constraints
        .iter()
        .find(|c| c.kpi == cy && c.product.is_none())
        .map(|c| c.threshold);
    let spec = Spec {
        stem: "frontier",
        title: format!("{cx} against {cy}"),
        about: format!(
            "Every configuration the optimiser simulated: mean {cx} against mean {cy}, with \
             95% confidence intervals. Filled dots meet the constraints on their confidence \
             bounds, rings miss them (orange) or were not settled either way (grey: \
             eliminated on the objective first, or at the replication cap); blue rings, joined \
             by a line, mark the frontier, where no other configuration is at least as cheap \
             and at least as good on {cy}, and better on one of the two; the large black ring \
             is the chosen configuration{}.",
            result
                .chosen
                .map(|p| format!(", {}", result.configurations[p].name))
                .unwrap_or_default()
        ),
        size: SIZE,
        plot: Plot::Frontier(FrontierPlot {
            points,
            axes: (cx, cy),
            threshold,
            chosen_name: result.chosen.map(|p| result.configurations[p].name.clone()),
        }),
    };
    std::fs::create_dir_all(dir)?;
    super::write_chart(dir, &spec)
}

impl FrontierPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let (cx, cy) = self.axes;
        let area = titled(
            root,
            &format!("{cx} against {cy}"),
            "better is up and to the left: cheaper, and more delivered on time",
        )?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - 300);
        let pts: Vec<&Point> = self
            .points
            .iter()
            .filter(|p| p.cost.mean.is_finite() && p.delivery.mean.is_finite())
            .collect();
        let lo_hi = |e: &Estimate| {
            let f = |v: f64| if v.is_finite() { v } else { e.mean };
            (f(e.low), f(e.high))
        };
        let span = |get: &dyn Fn(&Point) -> &Estimate| {
            pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
                let (l, h) = lo_hi(get(p));
                (a.0.min(l), a.1.max(h))
            })
        };
        let (x_lo, x_hi) = span(&|p| &p.cost);
        let (mut y_lo, mut y_hi) = span(&|p| &p.delivery);
        if let Some(q) = self.threshold {
            y_lo = y_lo.min(q);
            y_hi = y_hi.max(q);
        }
        let (x_lo, x_hi) = padded(x_lo, x_hi, 0.08);
        let (y_lo, y_hi) = padded(y_lo, y_hi, 0.08);
        let mut chart = scatter_chart(&plot, (x_lo, x_hi), (y_lo, y_hi), cx, cy)?;
        if let Some(q) = self.threshold {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x_lo, q), (x_hi, q)],
                BAD.mix(0.6).stroke_width(1),
            )))?;
        }
        let ci = LIGHT.mix(0.7).stroke_width(1);
        for p in &pts {
            let (xl, xh) = lo_hi(&p.cost);
            let (yl, yh) = lo_hi(&p.delivery);
            chart.draw_series([
                PathElement::new(vec![(xl, p.delivery.mean), (xh, p.delivery.mean)], ci),
                PathElement::new(vec![(p.cost.mean, yl), (p.cost.mean, yh)], ci),
            ])?;
        }
        for p in &pts {
            let at = (p.cost.mean, p.delivery.mean);
            match p.feasibility {
                Feasibility::Feasible => {
                    chart.draw_series(std::iter::once(Circle::new(at, 6, GOOD.filled())))?
                }
                Feasibility::Infeasible => {
                    chart.draw_series(std::iter::once(Circle::new(at, 6, BAD.stroke_width(2))))?
                }
                Feasibility::Undecided => {
                    chart.draw_series(std::iter::once(Circle::new(at, 6, SAME.stroke_width(2))))?
                }
            };
        }
        let mut front: Vec<&&Point> = pts.iter().filter(|p| p.frontier).collect();
        front.sort_by(|a, b| a.cost.mean.total_cmp(&b.cost.mean));
        chart.draw_series(std::iter::once(PathElement::new(
            front
                .iter()
                .map(|p| (p.cost.mean, p.delivery.mean))
                .collect::<Vec<_>>(),
            FRONT.mix(0.6).stroke_width(2),
        )))?;
        for p in &front {
            chart.draw_series(std::iter::once(Circle::new(
                (p.cost.mean, p.delivery.mean),
                9,
                FRONT.stroke_width(2),
            )))?;
        }
        if let Some(c) = pts.iter().find(|p| p.chosen) {
            chart.draw_series(std::iter::once(Circle::new(
                (c.cost.mean, c.delivery.mean),
                12,
                BLACK.stroke_width(2),
            )))?;
        }
        let mut entries: Vec<(Mark, String)> = vec![
            (Mark::Dot(GOOD), "meets the constraints".into()),
            (Mark::Ring(BAD), "misses a constraint".into()),
            (Mark::Ring(SAME), "constraints not settled".into()),
            (Mark::Ring(FRONT), "on the frontier (joined)".into()),
            (Mark::Line(LIGHT), "95% confidence intervals".into()),
        ];
        if self.threshold.is_some() {
            entries.push((Mark::Line(BAD), format!("{cy} constraint")));
        }
        entries.push((
            Mark::Ring(BLACK),
            match &self.chosen_name {
                // The name is in the caption: a long one would not fit.
                Some(_) => "chosen (named below)".into(),
                None => "no configuration meets the constraints".into(),
            },
        ));
        legend(&side, 14, None, &entries)
    }
}
