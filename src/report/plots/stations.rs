//! Station state breakdown: where each station's machine time goes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Drawn, Mark, Plot, Spec, legend, names_width, row_chart, row_labels, text, titled};
use crate::experiment::RunResults;
use crate::model::MachineState;

/// Size of the station state chart.
pub(super) const SIZE: (u32, u32) = (1200, 640);

/// Colour, text colour on it, and legend wording of a machine state, by
/// its name in the outputs ([`MachineState::name`]); unknown states get a
/// neutral pink rather than failing.
pub(super) fn state_style(name: &str) -> (RGBColor, RGBColor, &'static str) {
    match name {
        "busy" => (RGBColor(0, 158, 115), WHITE, "busy (processing)"),
        "blocked" => (RGBColor(230, 159, 0), BLACK, "blocked (cannot pass on)"),
        "starved" => (RGBColor(215, 215, 215), BLACK, "starved (idle, no work)"),
        "down" => (RGBColor(213, 94, 0), WHITE, "down (under repair)"),
        "setup" => (RGBColor(0, 114, 178), WHITE, "setup (changeover)"),
        "waiting_operator" => (RGBColor(148, 103, 189), WHITE, "waiting for an operator"),
        "waiting_technician" => (
            RGBColor(120, 30, 30),
            WHITE,
            "broken, awaiting a technician",
        ),
        "off_shift" => (RGBColor(90, 90, 90), WHITE, "off shift"),
        "starved_material" => (RGBColor(140, 86, 75), WHITE, "waiting for raw material"),
        "maintenance" => (RGBColor(86, 180, 233), BLACK, "preventive maintenance"),
        // The classes of a plant's machine state log (`shopfloor bottlenecks`).
        "idle" => (RGBColor(215, 215, 215), BLACK, "idle (no work)"),
        "waiting" => (RGBColor(148, 103, 189), WHITE, "waiting for people"),
        "off" => (RGBColor(90, 90, 90), WHITE, "off (shift, planned stop)"),
        "unlogged" => (RGBColor(245, 245, 245), BLACK, "not in the log"),
        // A worker pool's time.
        "working" => (
            RGBColor(0, 158, 115),
            WHITE,
            "working (operating, repairing)",
        ),
        "present_idle" => (RGBColor(215, 215, 215), BLACK, "present, idle"),
        "absent_off" => (RGBColor(90, 90, 90), WHITE, "off shift or absent"),
        _ => (RGBColor(204, 121, 167), BLACK, "other"),
    }
}

/// States always in the legend, whether or not any machine was in them.
const BASIC_STATES: [&str; 5] = ["busy", "blocked", "starved", "down", "setup"];

/// The station state chart's data.
pub(super) struct StationPlot {
    title: String,
    subtitle: String,
    /// What the outlined station is called in its label.
    outlined_as: &'static str,
    /// State names, in the order of the shares ([`MachineState::ALL`]).
    states: Vec<&'static str>,
    /// Per station: label and mean share of machine time per state.
    stations: Vec<(String, Vec<f64>)>,
    /// Index of the busiest station.
    busiest: Option<usize>,
}

/// The baseline's station state breakdown.
pub(super) fn station_states(results: &RunResults) -> Option<Spec> {
    let s = &results.baseline().summary;
    if s.stations.is_empty() {
        return None;
    }
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    // In a large plant, the busiest stations (the outlined one always).
    let busiest: Vec<usize> = s
        .stations
        .iter()
        .position(|st| st.station == s.busiest_station)
        .into_iter()
        .collect();
    let shown = super::top_rows(s.stations.len(), super::MAX_ROWS, &busiest, |a, b| {
        finite(s.stations[a].utilisation.mean).total_cmp(&finite(s.stations[b].utilisation.mean))
    });
    let stations: Vec<(String, Vec<f64>)> = shown
        .iter()
        .map(|&i| {
            let st = &s.stations[i];
            let label = if st.machines > 1 {
                format!("{} ×{}", st.station, st.machines)
            } else {
                st.station.clone()
            };
            // Mean share of each state over the replications (the
            // summary's, summed in replication order).
            let shares = MachineState::ALL
                .iter()
                .map(|&m| finite(st.share(m).mean))
                .collect();
            (label, shares)
        })
        .collect();
    let busiest = shown
        .iter()
        .position(|&i| s.stations[i].station == s.busiest_station);
    let subtitle = format!(
        "baseline: share of machine time after the warm-up, mean over {} replication{}; busiest station outlined{}",
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        super::rows_note(shown.len(), s.stations.len(), "busy share")
    );
    Some(Spec {
        stem: "station_states",
        title: "Where machine time goes (baseline)".into(),
        about: "One bar per station (×N: N parallel machines): the share of its machines' time \
                spent busy, blocked, starved, down, in setup (and, where workers are modelled, \
                waiting for people), averaged over the \
                replications. The busiest station (highest busy share) is outlined: it is the \
                first candidate for the bottleneck. A station upstream of the bottleneck tends \
                to be blocked, one downstream starved."
            .into(),
        size: SIZE,
        plot: Plot::Stations(StationPlot {
            title: "Where machine time goes (baseline)".into(),
            subtitle,
            outlined_as: "busiest",
            states: MachineState::ALL.iter().map(|m| m.name()).collect(),
            stations,
            busiest,
        }),
    })
}

/// Where the baseline's worker pools' time goes: per pool, the share of
/// its workers' calendar time spent working, present and idle, and off
/// (off shift or absent). None without visible pools.
pub(super) fn pool_states(
    scenario: &crate::scenario::Scenario,
    results: &RunResults,
) -> Option<Spec> {
    let s = &results.baseline().summary;
    if s.pools.is_empty() {
        return None;
    }
    let f = &scenario.factory;
    let hours = (f.horizon - f.warmup) / crate::engine::HOUR;
    let finite = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
    let rows: Vec<(String, Vec<f64>)> = s
        .pools
        .iter()
        .map(|p| {
            let all = f64::from(p.workers) * hours;
            let (busy, idle) = if all > 0.0 {
                (
                    finite(p.busy_hours.mean / all),
                    finite(p.idle_paid_hours.mean / all),
                )
            } else {
                (0.0, 0.0)
            };
            let busy = busy.min(1.0);
            let idle = idle.min(1.0 - busy);
            (
                format!("{} ×{}", p.pool, p.workers),
                vec![busy, idle, 1.0 - busy - idle],
            )
        })
        .collect();
    let outlined = if s.bottleneck_is_pool {
        s.pools.iter().position(|p| p.pool == s.bottleneck)
    } else {
        None
    };
    let subtitle = format!(
        "baseline: share of the workers' time after the warm-up, mean over {} replication{}; a pool that is the bottleneck outlined",
        s.replications,
        if s.replications == 1 { "" } else { "s" }
    );
    Some(Spec {
        stem: "pool_states",
        title: "Where people's time goes (baseline)".into(),
        about: "One bar per worker pool (×N: its head count): the share of its workers' time \
                spent working (operating machines or repairing them), present but idle (paid, \
                waiting for work), and off (off shift or absent), averaged over the \
                replications; overtime counts as present. A pool that is busy nearly all the \
                time it is present holds machines back: they wait for operators or \
                technicians. The pool named the bottleneck is outlined."
            .into(),
        size: SIZE,
        plot: Plot::Stations(StationPlot {
            title: "Where people's time goes (baseline)".into(),
            subtitle,
            outlined_as: "bottleneck",
            states: vec!["working", "present_idle", "absent_off"],
            stations: rows,
            busiest: outlined,
        }),
    })
}

/// A time-split chart of other data (a plant's machine log, say): per
/// row, its share of machine time in each of `states` (names known to
/// [`state_style`]); row `outlined` is outlined and called the bottleneck.
pub(super) fn time_split(
    title: &str,
    subtitle: &str,
    about: &str,
    states: Vec<&'static str>,
    rows: Vec<(String, Vec<f64>)>,
    outlined: Option<usize>,
) -> Spec {
    Spec {
        stem: "time_split",
        title: title.into(),
        about: about.into(),
        size: SIZE,
        plot: Plot::Stations(StationPlot {
            title: title.into(),
            subtitle: subtitle.into(),
            outlined_as: "bottleneck",
            states,
            stations: rows,
            busiest: outlined,
        }),
    }
}

impl StationPlot {
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title, &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - 260);
        let n = self.stations.len();
        let label_size = if n > 20 { 13.0 } else { 16.0 };
        let names_w = names_width(
            &area,
            self.stations
                .iter()
                .enumerate()
                .map(|(i, (name, _))| self.label(i, name)),
            label_size,
            60,
            320,
        );
        let mut chart = row_chart(&plot, names_w, n, 100.0, 11, "share of machine time (%)")?;
        let half = 0.34;
        let screen = root.use_screen_coord();
        for (i, (_, shares)) in self.stations.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let mut x = 0.0;
            for (k, share) in shares.iter().enumerate() {
                let pct = 100.0 * share;
                if pct <= 0.0 {
                    continue;
                }
                let (color, on, _) = state_style(self.states[k]);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y - half), (x + pct, y + half)],
                    color.filled(),
                )))?;
                let (x0, _) = chart.backend_coord(&(x, y));
                let (x1, py) = chart.backend_coord(&(x + pct, y));
                if x1 - x0 >= 44 {
                    screen.draw(&Text::new(
                        format!("{pct:.0}%"),
                        ((x0 + x1) / 2, py),
                        text(14.0, &on).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
                x += pct;
            }
            if self.busiest == Some(i) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - half - 0.06), (x.max(0.5), y + half + 0.06)],
                    BLACK.stroke_width(3),
                )))?;
            }
        }
        let (x0, _) = chart.backend_coord(&(0.0, 0.0));
        let rows: Vec<(i32, String, RGBColor)> = self
            .stations
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                let (_, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64));
                (y, self.label(i, name), BLACK)
            })
            .collect();
        row_labels(&screen, x0, &rows, names_w - 12, label_size)?;
        // The basic states always; any other only if some machine was in it.
        let entries: Vec<(Mark, String)> = self
            .states
            .iter()
            .enumerate()
            .filter(|(k, name)| {
                BASIC_STATES.contains(name) || self.stations.iter().any(|(_, sh)| sh[*k] > 0.0)
            })
            .map(|(_, name)| {
                let (c, _, l) = state_style(name);
                (Mark::Box(c), l.to_string())
            })
            .collect();
        legend(&side, 14, Some("machine state"), &entries)
    }

    fn label(&self, i: usize, name: &str) -> String {
        if self.busiest == Some(i) {
            format!("{name} ({})", self.outlined_as)
        } else {
            name.to_string()
        }
    }
}
