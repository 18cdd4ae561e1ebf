//! Charts of a run, as PNG and SVG files under `<results>/plots/`.
//!
//! Every chart is built in two steps: its data is gathered from the
//! [`RunResults`] (and, for the Gantt chart, the event trace of the
//! baseline's replication 0) into a small plain struct — the time series
//! read back from the job files one replication at a time, so that memory
//! does not grow with the replications — then that struct is
//! drawn twice, once on an SVG backend and once on a bitmap backend, by the
//! same code. Nothing in a chart depends on the clock, the thread that draws
//! it or a hash order, so the same results give byte-identical files.
//!
//! Text is drawn with the DejaVu Sans font compiled into the binary (plotters'
//! pure-Rust `ab_glyph` renderer): a machine with only the Rust toolchain
//! builds and draws, with no system fonts or libraries. SVG files name the
//! `sans-serif` family and leave the glyphs to the viewer.
//!
//! A chart is drawn only where its data exists: the comparisons need at
//! least one variant besides the baseline, the Gantt chart needs the trace.
//! Line charts show the baseline and at most [`MAX_LINES`] other variants
//! (the best by the ranking), so that a batch of hundreds of variants stays
//! legible and quick to draw.
//!
//! Charts of one row per station (machine time, bottleneck shares) show at
//! most [`MAX_ROWS`] stations and the Gantt chart at most [`MAX_ROWS`]
//! machines, chosen by [`top_rows`]: in a plant of hundreds of stations a
//! bar a pixel high says nothing, and the tables (`stations.csv`) have
//! them all.
//!
//! The delivery charts (on-time delivery, backlog over time) need customer
//! orders in some variant ([`has_orders`]), the cost breakdown a cost model
//! beyond labour ([`has_cost_model`]): a scenario without them draws exactly
//! the charts it drew before orders and costs were modelled.

mod bottleneck;
mod compare;
mod costs;
mod delivery;
mod fitting;
mod frontier;
mod gantt;
mod lines;
mod stations;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

pub use compare::pareto_front;
pub use fitting::{FitChart, write_fit_chart};
pub use frontier::write_frontier;
pub use gantt::{gantt_factory, gantt_stations, gantt_window};

use crate::engine::{DAY, HOUR};
use crate::experiment::RunResults;
use crate::model::TraceRecord;
use crate::scenario::Scenario;

/// The font every chart is drawn with (DejaVu Sans; licence in
/// `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Font family name the font is registered under.
const FAMILY: &str = "sans-serif";

/// Variants besides the baseline drawn in the line charts (the best ones by
/// the ranking).
pub const MAX_LINES: usize = 8;

/// Rows (stations, pools or machines) drawn in a chart of one row each:
/// beyond, the bars are too thin to read and their labels overlap.
pub const MAX_ROWS: usize = 30;

/// The indices of `max` of `n` rows, in their original order: the rows of
/// `keep` (the outlined ones: busiest, primary bottleneck), then the best
/// of the others by `better` (the earlier row on a tie); all of them when
/// there are at most `max`.
pub(super) fn top_rows(
    n: usize,
    max: usize,
    keep: &[usize],
    better: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    let mut ranked: Vec<usize> = (0..n).collect();
    ranked.sort_by(|&a, &b| better(b, a).then(a.cmp(&b)));
    let mut rows: Vec<usize> = Vec::with_capacity(max);
    for &i in keep.iter().chain(&ranked) {
        if rows.len() == max {
            break;
        }
        if i < n && !rows.contains(&i) {
            rows.push(i);
        }
    }
    rows.sort_unstable();
    rows
}

/// Orders two stations by their bottleneck share in the baseline (sole
/// plus shifting), then by their busy share, NaN counting as 0: the order
/// in which a large plant's printed summary and Gantt chart pick the
/// stations that matter.
pub(super) fn bottleneck_then_busy(
    a: &crate::experiment::StationSummary,
    b: &crate::experiment::StationSummary,
) -> std::cmp::Ordering {
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    let key = |s: &crate::experiment::StationSummary| {
        (
            finite(s.bottleneck_sole.mean) + finite(s.bottleneck_shifting.mean),
            finite(s.utilisation.mean),
        )
    };
    let (ka, kb) = (key(a), key(b));
    ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
}

/// "; 30 of 2000 shown (by busy share)" for a chart that leaves some rows
/// out (all of them are in the CSV tables); empty otherwise.
pub(super) fn rows_note(shown: usize, n: usize, by: &str) -> String {
    if shown < n {
        format!("; {shown} of {n} shown (by {by})")
    } else {
        String::new()
    }
}

/// Every chart's file name (without extension), in the order of the report.
pub const CHART_STEMS: &[&str] = &[
    "output_over_time",
    "cumulative_output",
    "kpi_comparison",
    "sensitivity",
    "throughput_vs_cycle_time",
    "on_time_delivery",
    "cost_breakdown",
    "station_states",
    "bottleneck_shares",
    "wip_over_time",
    "backlog_over_time",
    "gantt",
];

/// Whether some variant takes customer orders (made to order or to stock):
/// only then are delivery figures drawn and reported.
pub fn has_orders(results: &RunResults) -> bool {
    results
        .variants
        .iter()
        .any(|v| v.summary.delivery.is_some())
}

/// Whether some variant has a cost model beyond labour: costs other than
/// labour in its total, or revenue. Labour alone (wages of worker pools)
/// was reported before the cost model existed and gets no cost chart or
/// table.
pub fn has_cost_model(results: &RunResults) -> bool {
    results.variants.iter().any(|v| {
        let c = &v.summary.costs;
        let beyond = c.total.mean - c.labour_regular.mean - c.labour_overtime.mean;
        // The total is a mean of sums, the lines' means are summed: they
        // may differ by rounding alone.
        let beyond = beyond.is_finite() && beyond.abs() > 1e-9 * c.total.mean.abs().max(1.0);
        beyond || (c.revenue.mean.is_finite() && c.revenue.mean != 0.0)
    })
}

/// One drawn chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name without extension (`plots/<stem>.png`, `plots/<stem>.svg`).
    pub stem: &'static str,
    /// Title, as drawn on the chart.
    pub title: String,
    /// How to read it, in a sentence or two (for the report).
    pub about: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The SVG text, as written to `plots/<stem>.svg`.
    pub svg: String,
}

/// Errors while drawing: plotters' errors carry the backend's error type,
/// so they are turned into text here.
fn draw_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot draw a chart: {e}"))
}

/// Registers the font with plotters once per process.
fn ensure_font() -> io::Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(io::Error::other("the embedded chart font is invalid"))
    }
}

/// The text style of `size` pixels in `color`.
fn text(size: f64, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

/// Result of drawing on a backend.
type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart's data, ready to be drawn on any backend.
enum Plot {
    Lines(lines::LinePlot),
    Cumulative(lines::CumulativePlot),
    Kpis(compare::KpiPlot),
    Pareto(compare::ParetoPlot),
    Delivery(delivery::DeliveryPlot),
    Costs(costs::CostPlot),
    Stations(stations::StationPlot),
    Bottleneck(bottleneck::BottleneckPlot),
    Gantt(gantt::GanttPlot),
    Frontier(frontier::FrontierPlot),
    Fit(fitting::FitChart),
}

impl Plot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        root.fill(&WHITE)?;
        match self {
            Plot::Lines(p) => p.draw(root),
            Plot::Cumulative(p) => p.draw(root),
            Plot::Kpis(p) => p.draw(root),
            Plot::Pareto(p) => p.draw(root),
            Plot::Delivery(p) => p.draw(root),
            Plot::Costs(p) => p.draw(root),
            Plot::Stations(p) => p.draw(root),
            Plot::Bottleneck(p) => p.draw(root),
            Plot::Gantt(p) => p.draw(root),
            Plot::Frontier(p) => p.draw(root),
            Plot::Fit(p) => p.draw(root),
        }
    }
}

/// A chart to draw: file stem, title, how to read it, size and data.
struct Spec {
    stem: &'static str,
    title: String,
    about: String,
    size: (u32, u32),
    plot: Plot,
}

/// Gathers the data of every chart that the results allow, in the order of
/// [`CHART_STEMS`].
fn specs(
    scenario: &Scenario,
    results: &RunResults,
    trace: Option<&[TraceRecord]>,
) -> io::Result<Vec<Spec>> {
    let series = lines::Series::gather(results)?;
    let mut out = Vec::new();
    out.extend(lines::output_over_time(scenario, results, &series));
    out.extend(lines::cumulative(scenario, results, &series));
    out.extend(compare::kpi_comparison(scenario, results));
    out.extend(compare::sensitivity(scenario, results));
    out.extend(compare::pareto(results));
    out.extend(delivery::on_time_delivery(results));
    out.extend(costs::cost_breakdown(scenario, results));
    out.extend(stations::station_states(results));
    out.extend(stations::pool_states(scenario, results));
    out.extend(bottleneck::bottleneck_shares(results));
    out.extend(lines::wip_over_time(scenario, results, &series));
    out.extend(lines::backlog_over_time(scenario, results, &series));
    if let Some(t) = trace {
        out.extend(gantt::gantt(scenario, results, t));
    }
    Ok(out)
}

/// Draws every chart the results allow, in memory, as SVG only (the PNG
/// files are written by [`write_plots`]).
pub fn draw_svgs(
    scenario: &Scenario,
    results: &RunResults,
    trace: Option<&[TraceRecord]>,
) -> io::Result<Vec<Chart>> {
    ensure_font()?;
    specs(scenario, results, trace)?
        .par_iter()
        .map(|s| {
            Ok(Chart {
                stem: s.stem,
                title: s.title.clone(),
                about: s.about.clone(),
                size: s.size,
                svg: svg_of(s)?,
            })
        })
        .collect()
}

fn svg_of(s: &Spec) -> io::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, s.size).into_drawing_area();
        s.plot.draw(&root).map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Draws every chart the results allow into `dir/plots/` as `<stem>.png`
/// and `<stem>.svg`, each written atomically, and removes the files of
/// charts that no longer apply (say, the comparisons after the variants
/// were taken out of the scenario), so that no stale chart is left beside
/// fresh ones. `trace` is the event trace for the Gantt chart (see
/// [`gantt_factory`]); without it the Gantt chart is not drawn.
pub fn write_plots(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
    trace: Option<&[TraceRecord]>,
) -> io::Result<Vec<Chart>> {
    ensure_font()?;
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots)?;
    let specs = specs(scenario, results, trace)?;
    // Charts are independent: draw them on the rayon pool; `collect` keeps
    // their order.
    let charts = specs
        .par_iter()
        .map(|s| write_chart(&plots, s))
        .collect::<io::Result<Vec<Chart>>>()?;
    let drawn: Vec<&str> = charts.iter().map(|c| c.stem).collect();
    remove_charts_except(&plots, &drawn)?;
    Ok(charts)
}

/// Draws `s` into `dir` as `<stem>.svg` and `<stem>.png`, each written
/// atomically.
fn write_chart(dir: &Path, s: &Spec) -> io::Result<Chart> {
    let svg = write_named(dir, s.stem, s)?;
    Ok(Chart {
        stem: s.stem,
        title: s.title.clone(),
        about: s.about.clone(),
        size: s.size,
        svg,
    })
}

/// Draws `s` into `dir` as `<stem>.svg` and `<stem>.png`, each written
/// atomically; returns the SVG text.
fn write_named(dir: &Path, stem: &str, s: &Spec) -> io::Result<String> {
    let svg = svg_of(s)?;
    super::write_atomic(&dir.join(format!("{stem}.svg")), |w| {
        w.write_all(svg.as_bytes())
    })?;
    write_png(&dir.join(format!("{stem}.png")), s)?;
    Ok(svg)
}

pub use bottleneck::ShareBar;

/// Draws a bottleneck chart of `bars` (a plant's machine log, say) into
/// `dir` as `bottleneck_shares.png` and `.svg`, each written atomically.
pub fn write_share_chart(
    dir: &Path,
    title: &str,
    subtitle: &str,
    about: &str,
    bars: Vec<ShareBar>,
) -> io::Result<Chart> {
    ensure_font()?;
    std::fs::create_dir_all(dir)?;
    write_chart(dir, &bottleneck::share_chart(title, subtitle, about, bars))
}

/// Draws a time-split chart (share of machine time per state, one bar per
/// row, as the station state chart) into `dir` as `time_split.png` and
/// `.svg`, each written atomically. `states` are names the station chart
/// knows (its machine states, or a machine log's classes `idle`,
/// `waiting`, `off`, `unlogged`).
pub fn write_time_split_chart(
    dir: &Path,
    title: &str,
    subtitle: &str,
    about: &str,
    states: Vec<&'static str>,
    rows: Vec<(String, Vec<f64>)>,
    outlined: Option<usize>,
) -> io::Result<Chart> {
    ensure_font()?;
    std::fs::create_dir_all(dir)?;
    write_chart(
        dir,
        &stations::time_split(title, subtitle, about, states, rows, outlined),
    )
}

/// Removes the chart files in `dir/plots/` (and the folder, once empty):
/// after a run with `--no-plots`, charts of an earlier run would no longer
/// match the results beside them. Other files are left alone.
pub fn remove_plots(dir: &Path) -> io::Result<()> {
    let plots = dir.join("plots");
    if !plots.is_dir() {
        return Ok(());
    }
    remove_charts_except(&plots, &[])?;
    if std::fs::read_dir(&plots)?.next().is_none() {
        std::fs::remove_dir(&plots)?;
    }
    Ok(())
}

/// Removes the files of every chart in `plots` but those in `keep`.
fn remove_charts_except(plots: &Path, keep: &[&str]) -> io::Result<()> {
    for stem in CHART_STEMS.iter().filter(|s| !keep.contains(s)) {
        for ext in ["png", "svg"] {
            let p = plots.join(format!("{stem}.{ext}"));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
    }
    Ok(())
}

/// Draws `s` into a temporary `.png` file beside `path` (the bitmap backend
/// picks the format from the extension), then renames it over `path`.
fn write_png(path: &Path, s: &Spec) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::report::check_target(path)?;
    let tmp =
        crate::report::temp_file(tempfile::Builder::new().prefix(".tmp-").suffix(".png"), dir)?;
    let tmp_path: PathBuf = tmp.path().to_path_buf();
    {
        let root = BitMapBackend::new(&tmp_path, s.size).into_drawing_area();
        s.plot.draw(&root).map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

// ----- shared pieces of the charts ---------------------------------------

/// Dark grey for the baseline, then the Okabe–Ito colours (distinguishable
/// with the common forms of colour blindness), then a few more.
const BASELINE: RGBColor = RGBColor(40, 40, 40);
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const GRID: RGBColor = RGBColor(225, 225, 225);
const MUTED: RGBColor = RGBColor(110, 110, 110);
const LIGHT: RGBColor = RGBColor(160, 160, 160);

/// Colour of the `i`-th variant drawn (0 is the baseline).
fn line_color(i: usize) -> RGBColor {
    if i == 0 {
        BASELINE
    } else {
        PALETTE[(i - 1) % PALETTE.len()]
    }
}

/// The variants drawn in line charts: the baseline, then up to `max` others
/// in ranking order. Returns their indices.
pub(crate) fn shown_variants(results: &RunResults, max: usize) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        results
            .ranking
            .order
            .iter()
            .copied()
            .filter(|&i| i != 0)
            .take(max),
    );
    v
}

/// The rows of a chart with one row per variant: in ranking order, the
/// variants `keep` accepts, at most [`compare::MAX_ROWS`] of them, the
/// baseline always among them (when accepted). Returns their indices and
/// how many accepted variants were left out.
fn shown_rows(results: &RunResults, keep: impl Fn(usize) -> bool) -> (Vec<usize>, usize) {
    let accepted: Vec<usize> = results
        .ranking
        .order
        .iter()
        .copied()
        .filter(|&i| keep(i))
        .collect();
    let others = compare::MAX_ROWS - usize::from(accepted.contains(&0));
    let mut taken = 0;
    let rows: Vec<usize> = accepted
        .iter()
        .copied()
        .filter(|&i| {
            if i == 0 {
                return true;
            }
            taken += 1;
            taken <= others
        })
        .collect();
    let left_out = accepted.len() - rows.len();
    (rows, left_out)
}

/// "baseline and the 8 best of 100 variants by throughput_per_hour", or an
/// empty string when every variant is shown.
fn shown_note(results: &RunResults, shown: usize) -> String {
    let total = results.variants.len();
    if shown >= total {
        String::new()
    } else {
        format!(
            "baseline and the {} best of {} variants by {}",
            shown - 1,
            total,
            results.ranking.kpi
        )
    }
}

/// Unit of the time axis: days for horizons above three days, else hours.
#[derive(Clone, Copy)]
struct TimeAxis {
    /// Seconds per unit.
    scale: f64,
    /// Unit name for the axis label.
    unit: &'static str,
}

impl TimeAxis {
    fn for_span(seconds: f64) -> TimeAxis {
        if seconds > 3.0 * DAY {
            TimeAxis {
                scale: DAY,
                unit: "days",
            }
        } else {
            TimeAxis {
                scale: HOUR,
                unit: "hours",
            }
        }
    }

    /// Converts hours into axis units.
    fn of_hours(&self, h: f64) -> f64 {
        h * HOUR / self.scale
    }
}

/// What a legend entry shows beside its text.
#[derive(Clone, Copy)]
enum Mark {
    Line(RGBColor),
    Dashed(RGBColor),
    Band(RGBColor),
    Box(RGBColor),
    Dot(RGBColor),
    Ring(RGBColor),
    /// A number, as written beside a point of the chart (0: no number).
    Number(usize),
}

/// Shortens `s` to at most `max` characters by cutting out its middle
/// (variant names of sweeps differ at their end: keep both ends).
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut t: String = s.chars().take(head).collect();
    t.push('…');
    t.extend(s.chars().skip(n - tail));
    t
}

/// Shortens `s` (see [`shorten`]) until it is at most `width` pixels wide
/// in `style`.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    width: u32,
) -> String {
    let mut n = s.chars().count();
    let mut t = s.to_string();
    while n > 1 {
        match area.estimate_text_size(&t, style) {
            Ok((w, _)) if w > width => {
                n -= 1;
                t = shorten(s, n);
            }
            _ => break,
        }
    }
    t
}

/// Tick label: up to three decimals, trailing zeros dropped ("2", "0.25").
fn tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Draws a legend as a column of entries in `area` (outside the plot, so
/// it never covers data), starting `top` pixels down.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    heading: Option<&str>,
    entries: &[(Mark, String)],
) -> Drawn<DB> {
    let (w, _) = area.dim_in_pixel();
    let style = text(15.0, &BLACK);
    let mut y = top;
    if let Some(h) = heading {
        area.draw(&Text::new(h.to_string(), (6, y), text(15.0, &MUTED)))?;
        y += 24;
    }
    for (mark, label) in entries {
        let cy = y + 8;
        match *mark {
            Mark::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(6, cy), (34, cy)],
                    c.stroke_width(3),
                ))?;
            }
            Mark::Dashed(c) => {
                for x in [6, 16, 26] {
                    area.draw(&PathElement::new(
                        vec![(x, cy), (x + 6, cy)],
                        c.stroke_width(2),
                    ))?;
                }
            }
            Mark::Band(c) => {
                area.draw(&Rectangle::new(
                    [(6, cy - 6), (34, cy + 6)],
                    c.mix(0.2).filled(),
                ))?;
            }
            Mark::Box(c) => {
                area.draw(&Rectangle::new([(10, cy - 7), (30, cy + 7)], c.filled()))?;
                area.draw(&Rectangle::new(
                    [(10, cy - 7), (30, cy + 7)],
                    BLACK.mix(0.3),
                ))?;
            }
            Mark::Dot(c) => {
                area.draw(&Circle::new((20, cy), 6, c.filled()))?;
            }
            Mark::Ring(c) => {
                area.draw(&Circle::new((20, cy), 6, c.stroke_width(2)))?;
            }
            Mark::Number(0) => {}
            Mark::Number(k) => {
                area.draw(&Text::new(
                    k.to_string(),
                    (20, cy),
                    style.pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
        let label = fit(area, label, &style, w.saturating_sub(50));
        area.draw(&Text::new(
            label,
            (42, cy),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 24;
    }
    Ok(())
}

/// Splits off a title (and an optional subtitle line) at the top of
/// `root`, returning the area below.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = root.dim_in_pixel();
    let center = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 10),
        text(24.0, &BLACK).pos(center),
    ))?;
    let mut height = 44;
    if !subtitle.is_empty() {
        root.draw(&Text::new(
            subtitle.to_string(),
            (w as i32 / 2, 42),
            text(16.0, &MUTED).pos(center),
        ))?;
        height = 68;
    }
    Ok(root.split_vertically(height).1)
}

/// A padded axis range around `lo..hi` (which may be equal).
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * frac
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

/// Row labels to the left of a chart's plotting area, one per row; row
/// `i` is centred at `y = i` in chart coordinates.
fn row_labels<DB: DrawingBackend>(
    screen: &DrawingArea<DB, Shift>,
    left_x: i32,
    rows: &[(i32, String, RGBColor)],
    width: u32,
    size: f64,
) -> Drawn<DB> {
    for (y, label, color) in rows {
        let style = text(size, color);
        let label = fit(screen, label, &style, width);
        screen.draw(&Text::new(
            label,
            (left_x - 8, *y),
            style.pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The chart of a horizontal bar chart with one row per entity (row `i` of
/// `rows` centred at `y = rows − 1 − i`, the first at the top), `x` from 0
/// to `x_max` with `x_labels` ticks, row names left to the caller (see
/// [`row_labels`]) in a margin `names_w` pixels wide.
#[allow(clippy::type_complexity)]
fn row_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    names_w: u32,
    rows: usize,
    x_max: f64,
    x_labels: usize,
    x_desc: &str,
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    DrawingAreaErrorKind<DB::ErrorType>,
> {
    let mut chart = ChartBuilder::on(plot)
        .margin(10)
        .margin_right(24)
        .x_label_area_size(54)
        .y_label_area_size(names_w)
        .build_cartesian_2d(0.0..x_max, -0.5..(rows as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(x_labels)
        .x_desc(x_desc)
        .label_style(text(15.0, &BLACK))
        .axis_desc_style(text(17.0, &BLACK))
        .bold_line_style(GRID)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    Ok(chart)
}

/// The width of a margin for row names: the widest of `labels` in text of
/// `size` pixels, clamped to `min..=max`, plus 20 pixels of padding.
fn names_width<DB: DrawingBackend, S: AsRef<str>>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = S>,
    size: f64,
    min: u32,
    max: u32,
) -> u32 {
    let style = text(size, &BLACK);
    labels
        .into_iter()
        .filter_map(|l| area.estimate_text_size(l.as_ref(), &style).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0)
        .clamp(min, max)
        + 20
}

/// What money is counted in on a chart's axis: the scenario's
/// `costs.currency`, else the word "money".
fn money_unit(scenario: &Scenario) -> String {
    scenario
        .factory
        .policies
        .currency
        .clone()
        .unwrap_or_else(|| "money".into())
}

#[cfg(test)]
mod tests {
    use super::top_rows;

    /// By value, the earlier on a tie, the kept rows whatever their value,
    /// in the original order; all rows when they fit.
    #[test]
    fn top_rows_keeps_the_best_and_the_outlined() {
        let v = [5.0, 1.0, 9.0, 5.0, 7.0, 0.0];
        let by = |a: usize, b: usize| f64::total_cmp(&v[a], &v[b]);
        assert_eq!(top_rows(6, 6, &[], by), [0, 1, 2, 3, 4, 5]);
        assert_eq!(top_rows(6, 3, &[], by), [0, 2, 4]);
        assert_eq!(top_rows(6, 3, &[5], by), [2, 4, 5]);
        assert_eq!(top_rows(6, 2, &[1, 5], by), [1, 5]);
        assert_eq!(top_rows(6, 3, &[2, 2], by), [0, 2, 4]);
    }
}
