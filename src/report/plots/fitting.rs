//! The chart of `shopfloor fit`: a histogram of the observed durations with
//! the densities of the best-ranked fits, beside a Q–Q plot of the best
//! fit's quantiles against the observed ones.
//!
//! The data arrive as a plain [`FitChart`], so this layer knows nothing of
//! the fitting that produced them.

use std::io;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, GRID, LIGHT, Mark, PALETTE, Plot, Spec, legend, padded, text, tick, titled};

const SIZE: (u32, u32) = (1400, 640);

/// The data of one fit chart; x values in `unit`.
#[derive(Clone, Debug, PartialEq)]
pub struct FitChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// Unit of the x axis (and of the Q–Q axes): `s`, `m`, `h`.
    pub unit: String,
    /// Histogram bars: `(from, to, density per unit)`.
    pub histogram: Vec<(f64, f64, f64)>,
    /// Fitted densities: legend label and `(x, density)` points.
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// Q–Q points: `(fitted quantile, observed quantile)`.
    pub qq: Vec<(f64, f64)>,
    /// The family of the Q–Q plot.
    pub qq_name: String,
}

/// Draws `chart` into `dir` as `<stem>.svg` and `<stem>.png`, each written
/// atomically.
pub fn write_fit_chart(dir: &Path, stem: &str, chart: &FitChart) -> io::Result<()> {
    super::ensure_font()?;
    std::fs::create_dir_all(dir)?;
    let spec = Spec {
        stem: "fit",
        title: chart.title.clone(),
        about: "Left: the histogram of the observed values (as a density) with the densities of \
                the best-ranked fits. Right: the best fit's quantiles against the observed ones; \
                points on the diagonal mean the fit matches, a bend at the end means the tails \
                differ."
            .into(),
        size: SIZE,
        plot: Plot::Fit(chart.clone()),
    };
    super::write_named(dir, stem, &spec).map(|_| ())
}

fn finite_max(it: impl Iterator<Item = f64>) -> f64 {
    it.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

impl FitChart {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title, &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally(w * 62 / 100);
        let (hist_area, side) = left.split_horizontally(w * 62 / 100 - 300);
        self.draw_histogram(&hist_area)?;
        let mut entries = vec![(Mark::Box(LIGHT), "observed".to_string())];
        for (i, (name, _)) in self.curves.iter().enumerate() {
            entries.push((Mark::Line(PALETTE[i % PALETTE.len()]), name.clone()));
        }
        legend(&side, 30, Some("ranked by BIC"), &entries)?;
        self.draw_qq(&right)
    }

    fn draw_histogram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let x_lo = self.histogram.first().map_or(0.0, |b| b.0);
        let x_hi = self.histogram.last().map_or(1.0, |b| b.1);
        let (x_lo, x_hi) = if x_hi > x_lo {
            (x_lo, x_hi)
        } else {
            padded(x_lo, x_hi, 0.1)
        };
        let top = finite_max(self.histogram.iter().map(|b| b.2)).max(f64::MIN_POSITIVE);
        // Curves may spike (a Weibull of shape < 1 at zero): the axis
        // follows the histogram, with room for curves up to 1.6 × its top.
        let curve_top = finite_max(self.curves.iter().flat_map(|c| c.1.iter().map(|p| p.1)));
        let y_hi = (top.max(curve_top.min(1.6 * top))) * 1.08;
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(54)
            .y_label_area_size(84)
            .build_cartesian_2d(x_lo..x_hi, 0.0..y_hi)?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_desc(format!("duration ({})", self.unit))
            .y_desc(format!("density (per {})", self.unit))
            .label_style(text(15.0, &BLACK))
            .axis_desc_style(text(17.0, &BLACK))
            .bold_line_style(GRID)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(
            self.histogram
                .iter()
                .map(|&(a, b, d)| Rectangle::new([(a, 0.0), (b, d.min(y_hi))], LIGHT.filled())),
        )?;
        for (i, (_, pts)) in self.curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart.draw_series(LineSeries::new(
                pts.iter().map(|&(x, y)| (x, y.min(y_hi))),
                color.stroke_width(if i == 0 { 3 } else { 2 }),
            ))?;
        }
        Ok(())
    }

    fn draw_qq<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let lo = self
            .qq
            .iter()
            .flat_map(|p| [p.0, p.1])
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .qq
            .iter()
            .flat_map(|p| [p.0, p.1])
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = padded(lo, hi, 0.04);
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(24)
            .caption(format!("Q–Q plot: {}", self.qq_name), text(18.0, &BLACK))
            .x_label_area_size(54)
            .y_label_area_size(84)
            .build_cartesian_2d(lo..hi, lo..hi)?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_desc(format!("fitted quantile ({})", self.unit))
            .y_desc(format!("observed quantile ({})", self.unit))
            .label_style(text(15.0, &BLACK))
            .axis_desc_style(text(17.0, &BLACK))
            .bold_line_style(GRID)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        chart.draw_series(LineSeries::new([(lo, lo), (hi, hi)], LIGHT.stroke_width(2)))?;
        let color = PALETTE[0];
        chart.draw_series(
            self.qq
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 3, color.filled())),
        )?;
        Ok(())
    }
}
