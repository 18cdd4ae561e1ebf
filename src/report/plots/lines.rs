//! Time-series charts: good output per hour, WIP and (with customer
//! orders) backlog over time with their 95% bands across replications, and
//! cumulative output against release.

use std::io;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Drawn, GRID, LIGHT, MAX_LINES, MUTED, Mark, Plot, Spec, TimeAxis, has_orders, legend,
    line_color, shown_note, shown_variants, text, tick, titled,
};

use crate::experiment::{RunResults, TwoPass};
use crate::model::PeriodPoint;
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Width of the legend column to the right of a chart.
const LEGEND_W: u32 = 300;
/// Size of the time-series charts.
pub(super) const SIZE: (u32, u32) = (1200, 600);
/// Variants besides the baseline in the cumulative chart (two lines each).
const MAX_CUMULATIVE: usize = 3;

/// One variant's line: points `(x, mean, low, high)`; `low`/`high` are NaN
/// where there is no interval (a single replication).
pub(super) struct Line {
    name: String,
    color: RGBColor,
    points: Vec<(f64, f64, f64, f64)>,
}

/// A line chart over time with bands.
pub(super) struct LinePlot {
    title: String,
    subtitle: String,
    y_desc: String,
    axis: TimeAxis,
    x_max: f64,
    warmup_x: f64,
    lines: Vec<Line>,
}

/// What the time-series charts show of one variant, per reporting period
/// shared by all its replications: where the period lies (from the first
/// replication), the estimates across replications of good output per hour,
/// of WIP and of the backlog of customer orders, and the mean cumulative
/// good and released counts at its end.
struct PeriodBand {
    start_hours: f64,
    hours: f64,
    output: Estimate,
    wip: Estimate,
    backlog: Estimate,
    good: f64,
    released: f64,
}

/// Good parts per hour in a period (NaN for an empty period).
fn output_per_hour(p: &PeriodPoint) -> f64 {
    if p.hours > 0.0 {
        p.good as f64 / p.hours
    } else {
        f64::NAN
    }
}

/// The periods of the variants drawn in the time-series charts, gathered
/// by reading each one's replications back twice (sums, then squared
/// deviations), in replication order: memory grows with the periods, not
/// with the replications.
pub(super) struct Series {
    /// `(variant index, its periods)`, for the variants drawn.
    variants: Vec<(usize, Vec<PeriodBand>)>,
}

impl Series {
    /// The periods of every variant a line chart shows.
    pub(super) fn gather(results: &RunResults) -> io::Result<Series> {
        let variants = shown_variants(results, MAX_LINES)
            .into_iter()
            .map(|i| Ok((i, bands(results, i)?)))
            .collect::<io::Result<_>>()?;
        Ok(Series { variants })
    }

    /// Variant `i`'s periods (none if it is not drawn).
    fn of(&self, i: usize) -> &[PeriodBand] {
        self.variants
            .iter()
            .find(|(j, _)| *j == i)
            .map_or(&[], |(_, b)| b.as_slice())
    }
}

/// Variant `v`'s periods: only those every replication has (all have the
/// same horizon and period; the shortest guards against a short one).
fn bands(results: &RunResults, v: usize) -> io::Result<Vec<PeriodBand>> {
    let mut places: Vec<(f64, f64)> = Vec::new();
    let mut shortest = usize::MAX;
    let (mut output, mut wip) = (Vec::<TwoPass>::new(), Vec::<TwoPass>::new());
    let mut backlog = Vec::<TwoPass>::new();
    let (mut good, mut released) = (Vec::<TwoPass>::new(), Vec::<TwoPass>::new());
    let mut first = true;
    results.records.each(v, |r| {
        if first {
            places = r.series.iter().map(|p| (p.start_hours, p.hours)).collect();
            first = false;
        }
        shortest = shortest.min(r.series.len());
        let n = r.series.len();
        for t in [
            &mut output,
            &mut wip,
            &mut backlog,
            &mut good,
            &mut released,
        ] {
            if t.len() < n {
                t.resize(n, TwoPass::new());
            }
        }
        // Cumulative counts of this replication, from time 0.
        let (mut g, mut rel) = (0.0, 0.0);
        for (i, p) in r.series.iter().enumerate() {
            output[i].add(output_per_hour(p));
            wip[i].add(p.wip_avg);
            backlog[i].add(p.backlog_avg);
            g += p.good as f64;
            rel += p.released as f64;
            good[i].add(g);
            released[i].add(rel);
        }
        Ok(())
    })?;
    results.records.each(v, |r| {
        for (i, p) in r.series.iter().enumerate() {
            output[i].add_deviation(output_per_hour(p));
            wip[i].add_deviation(p.wip_avg);
            backlog[i].add_deviation(p.backlog_avg);
        }
        Ok(())
    })?;
    let n = if first { 0 } else { shortest };
    Ok((0..n)
        .map(|i| PeriodBand {
            start_hours: places[i].0,
            hours: places[i].1,
            output: output[i].estimate(),
            wip: wip[i].estimate(),
            backlog: backlog[i].estimate(),
            good: good[i].mean(),
            released: released[i].mean(),
        })
        .collect())
}

/// Per period, the estimate across replications of a metric, at the
/// period's midpoint.
fn banded(
    periods: &[PeriodBand],
    axis: TimeAxis,
    metric: fn(&PeriodBand) -> &Estimate,
) -> Vec<(f64, f64, f64, f64)> {
    periods
        .iter()
        .filter_map(|p| {
            let e = metric(p);
            e.mean.is_finite().then(|| {
                (
                    axis.of_hours(p.start_hours + p.hours / 2.0),
                    e.mean,
                    e.low,
                    e.high,
                )
            })
        })
        .collect()
}

fn line_chart(
    scenario: &Scenario,
    results: &RunResults,
    series: &Series,
    metric: fn(&PeriodBand) -> &Estimate,
    title: &str,
    y_desc: &str,
) -> Option<LinePlot> {
    let shown = shown_variants(results, MAX_LINES);
    if series.of(0).is_empty() {
        return None;
    }
    let f = &scenario.factory;
    let axis = TimeAxis::for_span(f.horizon);
    let lines = shown
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let v = &results.variants[i];
            Line {
                name: v.name.clone(),
                color: line_color(k),
                points: banded(series.of(i), axis, metric),
            }
        })
        .collect();
    Some(LinePlot {
        title: title.to_string(),
        subtitle: shown_note(results, shown.len()),
        y_desc: y_desc.to_string(),
        axis,
        x_max: f.horizon / axis.scale,
        warmup_x: f.warmup / axis.scale,
        lines,
    })
}

/// Good output per hour over time.
pub(super) fn output_over_time(
    scenario: &Scenario,
    results: &RunResults,
    series: &Series,
) -> Option<Spec> {
    let plot = line_chart(
        scenario,
        results,
        series,
        |p| &p.output,
        "Good output per hour over time",
        "good parts per hour",
    )?;
    Some(Spec {
        stem: "output_over_time",
        title: plot.title.clone(),
        about: "Good parts finished per hour in each reporting period, averaged over the \
                replications; the shaded band is the 95% confidence interval across \
                replications. The grey area at the left is the warm-up, left out of every KPI: \
                the line should have levelled off by its end."
            .into(),
        size: SIZE,
        plot: Plot::Lines(plot),
    })
}

/// Time-average WIP over time.
pub(super) fn wip_over_time(
    scenario: &Scenario,
    results: &RunResults,
    series: &Series,
) -> Option<Spec> {
    let plot = line_chart(
        scenario,
        results,
        series,
        |p| &p.wip,
        "Work in process over time",
        "WIP (parts, time-average per period)",
    )?;
    Some(Spec {
        stem: "wip_over_time",
        title: plot.title.clone(),
        about: "Parts released but not yet finished or scrapped, averaged over each reporting \
                period and over the replications, with the 95% band across replications. A \
                line that keeps climbing means the plant cannot keep up with release; the \
                warm-up (grey) should cover the climb from an empty plant."
            .into(),
        size: SIZE,
        plot: Plot::Lines(plot),
    })
}

/// Backlog of customer orders over time (only when some variant takes
/// orders).
pub(super) fn backlog_over_time(
    scenario: &Scenario,
    results: &RunResults,
    series: &Series,
) -> Option<Spec> {
    if !has_orders(results) {
        return None;
    }
    let plot = line_chart(
        scenario,
        results,
        series,
        |p| &p.backlog,
        "Backlog of customer orders over time",
        "backlog (units ordered, not delivered)",
    )?;
    Some(Spec {
        stem: "backlog_over_time",
        title: plot.title.clone(),
        about: "Units ordered by customers and not yet delivered, averaged over each reporting \
                period and over the replications, with the 95% band across replications. A \
                level line means the plant keeps pace with the orders; a line that keeps \
                climbing means orders arrive faster than they are delivered, and delivery \
                dates slip further and further."
            .into(),
        size: SIZE,
        plot: Plot::Lines(plot),
    })
}

/// Range of the y axis: from 0 to a little above every mean and band.
fn y_top(values: impl Iterator<Item = f64>) -> f64 {
    let m = values.filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    if m > 0.0 { m * 1.08 } else { 1.0 }
}

/// Shades the warm-up and labels it.
/// A chart over the run's time, hours or days against a quantity.
type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The frame of a chart over the run's time: axes from 0 to `x_max` (in
/// `unit`) and 0 to `top`, the warm-up shaded, the grid and labels.
#[allow(clippy::too_many_arguments)]
fn time_frame<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &'a DrawingArea<DB, Shift>,
    x_max: f64,
    top: f64,
    warmup_x: f64,
    unit: &str,
    y_desc: &str,
) -> Result<TimeChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(plot)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(54)
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..x_max, 0.0..top)?;
    let screen = root.use_screen_coord();
    draw_warmup(&mut chart, &screen, warmup_x, top)?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_desc(format!("time since start ({unit})"))
        .y_desc(y_desc)
        .label_style(text(15.0, &BLACK))
        .axis_desc_style(text(17.0, &BLACK))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(chart)
}

fn draw_warmup<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    screen: &DrawingArea<DB, Shift>,
    warmup_x: f64,
    y_top: f64,
) -> Drawn<DB> {
    if warmup_x <= 0.0 {
        return Ok(());
    }
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, 0.0), (warmup_x, y_top)],
        RGBColor(238, 238, 238).filled(),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(warmup_x, 0.0), (warmup_x, y_top)],
        LIGHT.stroke_width(2),
    )))?;
    let (x0, y) = chart.backend_coord(&(0.0, y_top));
    let (x1, _) = chart.backend_coord(&(warmup_x, y_top));
    if x1 - x0 >= 80 {
        screen.draw(&Text::new(
            "warm-up",
            ((x0 + x1) / 2, y + 6),
            text(15.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    } else {
        screen.draw(&Text::new(
            "◀ warm-up",
            (x1 + 4, y + 6),
            text(15.0, &MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

impl LinePlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title, &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - LEGEND_W);
        let top = y_top(
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().flat_map(|p| [p.1, p.3])),
        );
        let mut chart = time_frame(
            root,
            &plot,
            self.x_max,
            top,
            self.warmup_x,
            self.axis.unit,
            &self.y_desc,
        )?;
        // Bands first, so that no band hides another variant's line.
        for l in &self.lines {
            let band: Vec<(f64, f64, f64)> = l
                .points
                .iter()
                .filter(|p| p.2.is_finite() && p.3.is_finite())
                .map(|p| (p.0, p.2.max(0.0), p.3))
                .collect();
            if band.len() >= 2 {
                let poly: Vec<(f64, f64)> = band
                    .iter()
                    .map(|p| (p.0, p.2))
                    .chain(band.iter().rev().map(|p| (p.0, p.1)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(poly, l.color.mix(0.15))))?;
            }
        }
        for l in self.lines.iter().rev() {
            chart.draw_series(LineSeries::new(
                l.points.iter().map(|p| (p.0, p.1)),
                l.color.stroke_width(2),
            ))?;
        }
        let mut entries: Vec<(Mark, String)> = self
            .lines
            .iter()
            .map(|l| (Mark::Line(l.color), l.name.clone()))
            .collect();
        if self
            .lines
            .iter()
            .any(|l| l.points.iter().any(|p| p.2.is_finite()))
        {
            entries.push((Mark::Band(MUTED), "95% band across replications".into()));
        }
        if self.warmup_x > 0.0 {
            entries.push((
                Mark::Box(RGBColor(238, 238, 238)),
                "warm-up (not in KPIs)".into(),
            ));
        }
        legend(&side, 14, Some("variant"), &entries)
    }
}

/// A variant's cumulative counts: name, colour, `(x, good, released)`.
type CumulativeLine = (String, RGBColor, Vec<(f64, f64, f64)>);

/// Cumulative good output and cumulative release (the demand placed on
/// the plant) over time.
pub(super) struct CumulativePlot {
    subtitle: String,
    axis: TimeAxis,
    x_max: f64,
    warmup_x: f64,
    /// Per variant: name, colour, cumulative good and released at each
    /// period end, `(x, good, released)`.
    lines: Vec<CumulativeLine>,
}

/// Mean cumulative good and released at each period end, from time 0.
fn cumulative_of(periods: &[PeriodBand], axis: TimeAxis) -> Vec<(f64, f64, f64)> {
    std::iter::once((0.0, 0.0, 0.0))
        .chain(
            periods
                .iter()
                .map(|p| (axis.of_hours(p.start_hours + p.hours), p.good, p.released)),
        )
        .collect()
}

/// Cumulative output against release.
pub(super) fn cumulative(
    scenario: &Scenario,
    results: &RunResults,
    series: &Series,
) -> Option<Spec> {
    if series.of(0).is_empty() {
        return None;
    }
    let shown = shown_variants(results, MAX_CUMULATIVE);
    let f = &scenario.factory;
    let axis = TimeAxis::for_span(f.horizon);
    let lines = shown
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let v = &results.variants[i];
            (
                v.name.clone(),
                line_color(k),
                cumulative_of(series.of(i), axis),
            )
        })
        .collect();
    let plot = CumulativePlot {
        subtitle: shown_note(results, shown.len()),
        axis,
        x_max: f.horizon / axis.scale,
        warmup_x: f.warmup / axis.scale,
        lines,
    };
    Some(Spec {
        stem: "cumulative_output",
        title: "Cumulative good output against release".into(),
        about: if has_orders(results) {
            "Good parts finished since the start (solid) and parts released into the plant \
             (dashed), averaged over the replications. Parts are released for customer orders \
             (and to refill stock): the vertical gap between the two lines is the work in \
             process plus the scrap, and a widening gap means the plant falls behind; the \
             backlog chart shows what the customers are still waiting for."
        } else {
            "Good parts finished since the start (solid) and parts released into the plant \
             (dashed), averaged over the replications. Release stands for demand until \
             customer orders are modelled: the vertical gap between the two lines is the \
             work in process plus the scrap, and a widening gap means the plant falls \
             behind."
        }
        .into(),
        size: SIZE,
        plot: Plot::Cumulative(plot),
    })
}

impl CumulativePlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(
            root,
            "Cumulative good output against release",
            &self.subtitle,
        )?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - LEGEND_W);
        let top = y_top(
            self.lines
                .iter()
                .flat_map(|l| l.2.iter().flat_map(|p| [p.1, p.2])),
        );
        let mut chart = time_frame(
            root,
            &plot,
            self.x_max,
            top,
            self.warmup_x,
            self.axis.unit,
            "parts since start",
        )?;
        for (_, color, pts) in self.lines.iter().rev() {
            chart.draw_series(DashedLineSeries::new(
                pts.iter().map(|p| (p.0, p.2)),
                8,
                6,
                color.stroke_width(2),
            ))?;
            chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0, p.1)),
                color.stroke_width(2),
            ))?;
        }
        let mut entries: Vec<(Mark, String)> = self
            .lines
            .iter()
            .map(|(name, color, _)| (Mark::Line(*color), name.clone()))
            .collect();
        entries.push((Mark::Line(MUTED), "good parts finished".into()));
        entries.push((Mark::Dashed(MUTED), "parts released (demand)".into()));
        if self.warmup_x > 0.0 {
            entries.push((Mark::Box(RGBColor(238, 238, 238)), "warm-up".into()));
        }
        legend(&side, 14, Some("variant"), &entries)
    }
}
