//! Bottleneck shares: how much of the time each station was the sole or a
//! shifting bottleneck (active-period method), with the 95% CI of the sum.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, Mark, Plot, Spec, legend, names_width, row_chart, row_labels, titled};
use crate::experiment::RunResults;

/// Size of the bottleneck chart.
pub(super) const SIZE: (u32, u32) = (1200, 640);

const SOLE: RGBColor = RGBColor(180, 40, 40);
const SHIFTING: RGBColor = RGBColor(240, 160, 120);

/// One station's bar of a bottleneck chart (shares 0–1).
#[derive(Clone, Debug)]
pub struct ShareBar {
    /// Station (or machine) label.
    pub label: String,
    /// Share of time as the sole bottleneck.
    pub sole: f64,
    /// Share of time as a shifting bottleneck.
    pub shifting: f64,
    /// 95% CI of sole + shifting (NaN: none drawn).
    pub low: f64,
    /// Upper bound of that CI.
    pub high: f64,
    /// Outlined as the primary bottleneck.
    pub primary: bool,
}

type Bar = ShareBar;

/// The bottleneck chart's data.
pub(super) struct BottleneckPlot {
    title: String,
    subtitle: String,
    bars: Vec<Bar>,
}

/// A bottleneck chart of `bars`, under `title` and `subtitle`, from data
/// other than a run (a plant's machine log).
pub(super) fn share_chart(title: &str, subtitle: &str, about: &str, bars: Vec<ShareBar>) -> Spec {
    Spec {
        stem: "bottleneck_shares",
        title: title.to_string(),
        about: about.to_string(),
        size: SIZE,
        plot: Plot::Bottleneck(BottleneckPlot {
            title: title.to_string(),
            subtitle: subtitle.to_string(),
            bars,
        }),
    }
}

/// The baseline's bottleneck shares per station.
pub(super) fn bottleneck_shares(results: &RunResults) -> Option<Spec> {
    let s = &results.baseline().summary;
    if s.stations.is_empty() {
        return None;
    }
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    let pools = s.pools.iter().map(|p| Bar {
        label: format!("{} (people ×{})", p.pool, p.workers),
        sole: finite(p.bottleneck_sole.mean),
        shifting: finite(p.bottleneck_shifting.mean),
        low: p.bottleneck.low,
        high: p.bottleneck.high,
        primary: s.bottleneck_is_pool && p.pool == s.bottleneck,
    });
    let movers = s.movers.iter().map(|m| Bar {
        label: format!("{} (movers ×{})", m.mover, m.movers),
        sole: finite(m.figures.bottleneck_sole.mean),
        shifting: finite(m.figures.bottleneck_shifting.mean),
        low: m.figures.bottleneck.low,
        high: m.figures.bottleneck.high,
        primary: s.bottleneck_is_mover && m.mover == s.bottleneck,
    });
    let bars = s
        .stations
        .iter()
        .map(|st| Bar {
            label: if st.machines > 1 {
                format!("{} ×{}", st.station, st.machines)
            } else {
                st.station.clone()
            },
            sole: finite(st.bottleneck_sole.mean),
            shifting: finite(st.bottleneck_shifting.mean),
            low: st.bottleneck.low,
            high: st.bottleneck.high,
            primary: !s.bottleneck_is_pool && !s.bottleneck_is_mover && st.station == s.bottleneck,
        })
        .chain(pools)
        .chain(movers)
        .collect::<Vec<Bar>>();
    // In a large plant, the stations and pools most often the bottleneck
    // (the primary one always), leaving out those never the bottleneck
    // unless none ever was.
    let share = |b: &Bar| b.sole + b.shifting;
    let primary: Vec<usize> = bars.iter().position(|b| b.primary).into_iter().collect();
    let mut shown = super::top_rows(bars.len(), super::MAX_ROWS, &primary, |a, b| {
        share(&bars[a]).total_cmp(&share(&bars[b]))
    });
    if shown.len() < bars.len()
        && shown
            .iter()
            .any(|&i| share(&bars[i]) > 0.0 || bars[i].primary)
    {
        shown.retain(|&i| share(&bars[i]) > 0.0 || bars[i].primary);
    }
    let note = super::rows_note(shown.len(), bars.len(), "bottleneck share");
    let bars = if shown.len() < bars.len() {
        shown.iter().map(|&i| bars[i].clone()).collect()
    } else {
        bars
    };
    let subtitle = format!(
        "baseline, after the warm-up, mean over {} replication{} with the 95% CI of the total; the bottleneck shifts {:.1} times a day{note}",
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        s.bottleneck_shifts_per_day.mean
    );
    Some(Spec {
        stem: "bottleneck_shares",
        title: "Where the bottleneck is (baseline)".into(),
        about: "The active-period method: at each moment the station whose current \
                uninterrupted active period (busy, in setup or under repair; for a station of \
                several machines, all of them; for a pool of people, every worker present \
                busy) is the longest is the bottleneck. Dark: the share of \
                time a station or pool was the sole bottleneck; light: the share it was a \
                shifting one, while the bottleneck passed between it and another. The whisker \
                is the 95% CI of the sum; the primary bottleneck is outlined. Relieving it \
                (`run --sensitivity`) is what raises output; relieving another station is not."
            .into(),
        size: SIZE,
        plot: Plot::Bottleneck(BottleneckPlot {
            title: "Where the bottleneck is (baseline)".into(),
            subtitle,
            bars,
        }),
    })
}

impl BottleneckPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title, &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - 260);
        let n = self.bars.len();
        let label_size = if n > 20 { 13.0 } else { 16.0 };
        let names_w = names_width(
            &area,
            self.bars.iter().map(|b| self.label(b)),
            label_size,
            60,
            320,
        );
        let top = self
            .bars
            .iter()
            .map(|b| {
                if b.high.is_finite() {
                    b.high
                } else {
                    b.sole + b.shifting
                }
            })
            .fold(0.0_f64, f64::max);
        let x_max = (100.0 * top * 1.1).clamp(5.0, 100.0);
        let mut chart = row_chart(
            &plot,
            names_w,
            n,
            x_max,
            11,
            "share of time as the bottleneck (%)",
        )?;
        let half = 0.34;
        for (i, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (sole, total) = (100.0 * b.sole, 100.0 * (b.sole + b.shifting));
            chart.draw_series([
                Rectangle::new([(0.0, y - half), (sole, y + half)], SOLE.filled()),
                Rectangle::new([(sole, y - half), (total, y + half)], SHIFTING.filled()),
            ])?;
            if b.low.is_finite() && b.high.is_finite() {
                let (l, h) = (100.0 * b.low.max(0.0), 100.0 * b.high);
                let cap = 0.12;
                chart.draw_series([
                    PathElement::new(vec![(l, y), (h, y)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(l, y - cap), (l, y + cap)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(h, y - cap), (h, y + cap)], BLACK.stroke_width(2)),
                ])?;
            }
            if b.primary {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - half - 0.06), (total.max(0.5), y + half + 0.06)],
                    BLACK.stroke_width(3),
                )))?;
            }
        }
        let screen = root.use_screen_coord();
        let (x0, _) = chart.backend_coord(&(0.0, 0.0));
        let rows: Vec<(i32, String, RGBColor)> = self
            .bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (_, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64));
                (y, self.label(b), BLACK)
            })
            .collect();
        row_labels(&screen, x0, &rows, names_w - 12, label_size)?;
        legend(
            &side,
            14,
            Some("bottleneck"),
            &[
                (Mark::Box(SOLE), "sole".to_string()),
                (Mark::Box(SHIFTING), "shifting".to_string()),
                (Mark::Line(BLACK), "95% CI of the total".to_string()),
            ],
        )
    }

    fn label(&self, b: &Bar) -> String {
        if b.primary {
            format!("{} (bottleneck)", b.label)
        } else {
            b.label.clone()
        }
    }
}
