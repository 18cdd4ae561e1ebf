//! Gantt chart: what every machine of the baseline did, minute by minute,
//! over the first day of replication 0, rebuilt from the event trace.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::stations::state_style;
use super::{
    Drawn, MAX_ROWS, Mark, Plot, Spec, legend, names_width, row_chart, row_labels, titled,
};
use crate::engine::{DAY, HOUR, format_duration};
use crate::experiment::RunResults;
use crate::model::{Factory, Station, TraceRecord};
use crate::scenario::Scenario;

/// Size of the Gantt chart.
pub(super) const SIZE: (u32, u32) = (1400, 700);

/// Colours of the busy state per product when there are several (greens,
/// so that green still reads as "working").
const PRODUCT_GREENS: [RGBColor; 4] = [
    RGBColor(0, 158, 115),
    RGBColor(0, 90, 60),
    RGBColor(120, 200, 100),
    RGBColor(60, 130, 40),
];

/// The window the Gantt chart covers, seconds: the first day, or the first
/// tenth of the horizon when that is shorter.
pub fn gantt_window(f: &Factory) -> f64 {
    DAY.min(f.horizon / 10.0)
}

/// The factory to simulate (replication 0, with trace) for the Gantt chart:
/// `f` cut at [`gantt_window`], so that the trace holds only the events
/// drawn. The horizon only stops a run, so the events up to the window are
/// the same as in the full run.
pub fn gantt_factory(f: &Factory) -> Factory {
    let mut g = f.clone();
    let window = gantt_window(f);
    g.horizon = window;
    if g.warmup >= window {
        // The warm-up only restarts statistics; it must stay inside the
        // horizon.
        g.warmup = 0.0;
    }
    g
}

/// A station's machines: the manual ones, then the automated ones beside
/// them (machines `machines ..` in the trace).
fn machines_of(st: &Station) -> u32 {
    st.machines + st.alongside.map_or(0, |a| a.machines)
}

/// The stations whose machines the Gantt chart draws, one flag per station
/// of `f`: every station when the plant has at most [`MAX_ROWS`] machines;
/// otherwise the stations most often the bottleneck in the baseline (sole
/// plus shifting share; then the busiest, then the first), taken in that
/// order while their machines fit in [`MAX_ROWS`] rows (the first
/// station's first [`MAX_ROWS`] machines when it alone has more). The run
/// for the chart traces only these ([`crate::model::simulate_traced`]).
pub fn gantt_stations(f: &Factory, results: &RunResults) -> Vec<bool> {
    let machines = |i: usize| machines_of(&f.stations[i]) as usize;
    let n = f.stations.len();
    if (0..n).map(machines).sum::<usize>() <= MAX_ROWS {
        return vec![true; n];
    }
    // The summary's stations are the factory's, in its order (results of
    // another plant: plant order).
    let s = &results.baseline().summary.stations;
    let mut order: Vec<usize> = (0..n).filter(|&i| machines(i) > 0).collect();
    if s.len() == n {
        order.sort_by(|&a, &b| super::bottleneck_then_busy(&s[b], &s[a]).then(a.cmp(&b)));
    }
    let mut shown = vec![false; n];
    let mut rows = 0;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || rows + machines(i) <= MAX_ROWS {
            shown[i] = true;
            rows += machines(i);
        }
        if rows >= MAX_ROWS {
            break;
        }
    }
    shown
}

/// One machine's row: label and segments `(start h, end h, state name,
/// product)`.
type Row = (String, Vec<(f64, f64, &'static str, usize)>);

/// The Gantt chart's data.
pub(super) struct GanttPlot {
    subtitle: String,
    window_h: f64,
    rows: Vec<Row>,
    products: Vec<String>,
}

/// A machine's state while the trace is read.
#[derive(Clone, Copy)]
struct Machine {
    /// What it does when up: busy, blocked, starved, setup or
    /// waiting_operator (names as in [`crate::model::MachineState::name`]).
    phase: &'static str,
    down: bool,
    awaiting_technician: bool,
    product: usize,
    since: f64,
}

impl Machine {
    /// The state drawn; a machine waiting for operators is "off shift" when
    /// no shift is running.
    fn state(&self, on_shift: bool) -> &'static str {
        if self.awaiting_technician {
            "waiting_technician"
        } else if self.down {
            "down"
        } else if self.phase == WAITING {
            if on_shift {
                "waiting_operator"
            } else {
                "off_shift"
            }
        } else {
            self.phase
        }
    }
}

/// Phase of a machine that holds a part but waits for operators.
const WAITING: &str = "waiting";

/// Shifts running at the start of the trace: the fewest that keep the count
/// of `shift_start` minus `shift_end` records from going negative. None
/// when the trace has no shift records (no calendars: always on shift).
fn shifts_at_start(trace: &[TraceRecord]) -> Option<i64> {
    let mut seen = false;
    let (mut open, mut lowest) = (0i64, 0i64);
    for r in trace {
        match r.event {
            "shift_start" => open += 1,
            "shift_end" => open -= 1,
            _ => continue,
        }
        seen = true;
        lowest = lowest.min(open);
    }
    seen.then_some(-lowest)
}

/// Rebuilds each machine's state segments from `trace` up to `window`
/// seconds.
fn segments(f: &Factory, shown: &[bool], trace: &[TraceRecord], window: f64) -> Vec<Row> {
    // The row of each shown station's first machine and its machines
    // drawn (a station of more machines than rows: its first MAX_ROWS), by
    // station name; products by name.
    let mut first: HashMap<&str, (usize, u32)> = HashMap::new();
    let product: HashMap<&str, usize> = f
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for (st, _) in f.stations.iter().zip(shown).filter(|(_, s)| **s) {
        let drawn = machines_of(st).min(MAX_ROWS as u32);
        first.insert(st.name.as_str(), (rows.len(), drawn));
        for m in 0..drawn {
            let label = if m >= st.machines {
                format!("{} {} (automated)", st.name, m + 1)
            } else if machines_of(st) > 1 {
                format!("{} {}", st.name, m + 1)
            } else {
                st.name.clone()
            };
            rows.push((label, Vec::new()));
        }
    }
    let idle = Machine {
        phase: "starved",
        down: false,
        awaiting_technician: false,
        product: 0,
        since: 0.0,
    };
    let mut machines = vec![idle; rows.len()];
    // The trace does not say whose shift starts or ends: a waiting machine
    // is drawn off shift while no shift at all is running.
    let calendars = shifts_at_start(trace);
    let mut open = calendars.unwrap_or(0);
    let on_shift = |open: i64| calendars.is_none() || open > 0;
    let close =
        |m: &Machine, s: &'static str, t: f64, segs: &mut Vec<(f64, f64, &'static str, usize)>| {
            if t > m.since {
                // Merge with the previous segment when nothing visible changed.
                if let Some(last) = segs.last_mut()
                    && last.1 == m.since / HOUR
                    && last.2 == s
                    && (last.3 == m.product || (s != "busy" && s != "setup"))
                {
                    last.1 = t / HOUR;
                    return;
                }
                segs.push((m.since / HOUR, t / HOUR, s, m.product));
            }
        };
    for r in trace {
        if r.time_s > window {
            break;
        }
        if matches!(r.event, "shift_start" | "shift_end") {
            let before = on_shift(open);
            open += if r.event == "shift_start" { 1 } else { -1 };
            let after = on_shift(open);
            if before != after {
                for (m, row) in machines.iter_mut().zip(rows.iter_mut()) {
                    if m.state(before) != m.state(after) {
                        close(m, m.state(before), r.time_s, &mut row.1);
                        m.since = r.time_s;
                    }
                }
            }
            continue;
        }
        let Some(mi) = r.machine else { continue };
        let Some(&(start, drawn)) = first.get(r.station.as_str()) else {
            continue;
        };
        if mi >= drawn {
            continue;
        }
        let row = start + mi as usize;
        let old = machines[row];
        let mut new = old;
        match r.event {
            "setup_start" => new.phase = "setup",
            "process_start" => new.phase = "busy",
            // After an operation the machine is free unless a `blocked`
            // record follows at the same time.
            "process_end" | "unblock" | "scrap" | "finish" | "rework" => new.phase = "starved",
            "blocked" | "wait_for_room" => new.phase = "blocked",
            // Waiting for operators, or stopped by a shift end ("pause").
            "wait_for_operator" | "pause" => new.phase = WAITING,
            "failure" => new.down = true,
            "wait_for_technician" => new.awaiting_technician = true,
            "repair_start" => new.awaiting_technician = false,
            "repair_end" => {
                new.down = false;
                new.awaiting_technician = false;
            }
            _ => continue,
        }
        if let Some(&p) = product.get(r.product.as_str()) {
            new.product = p;
        }
        let now_on = on_shift(open);
        if new.state(now_on) != old.state(now_on) || new.product != old.product {
            close(&old, old.state(now_on), r.time_s, &mut rows[row].1);
            new.since = r.time_s;
        } else {
            new.since = old.since;
        }
        machines[row] = new;
    }
    for (m, row) in machines.iter().zip(rows.iter_mut()) {
        close(m, m.state(on_shift(open)), window, &mut row.1);
    }
    rows
}

/// The Gantt chart of the baseline's replication 0 from its trace, or None
/// without machines or trace.
pub(super) fn gantt(
    scenario: &Scenario,
    results: &RunResults,
    trace: &[TraceRecord],
) -> Option<Spec> {
    let f = &scenario.factory;
    let window = gantt_window(f);
    if window <= 0.0 || f.stations.iter().all(|s| machines_of(s) == 0) {
        return None;
    }
    let shown = gantt_stations(f, results);
    let rows = segments(f, &shown, trace, window);
    let mut subtitle = format!(
        "baseline, replication 0, first {} of the run",
        format_duration(window)
    );
    let machines: u32 = f.stations.iter().map(machines_of).sum();
    if rows.len() < machines as usize {
        let stations = shown.iter().filter(|&&s| s).count();
        subtitle.push_str(&format!(
            "; {} of {machines} machines: {}",
            rows.len(),
            if stations == 1 {
                "the station most often the bottleneck (or the busiest)".to_string()
            } else {
                format!("the {stations} stations most often the bottleneck, then the busiest")
            }
        ));
    }
    if f.warmup >= window {
        subtitle.push_str(&format!(
            " (inside the {} warm-up)",
            format_duration(f.warmup)
        ));
    } else if f.warmup > 0.0 {
        subtitle.push_str(&format!(" (warm-up ends at {})", format_duration(f.warmup)));
    }
    Some(Spec {
        stem: "gantt",
        title: "What every machine did".into(),
        about: "One row per machine of the baseline over the first day (or the first tenth \
                of the horizon when that is shorter) of replication 0, coloured by state; \
                with several products, processing is shaded by product. Long orange runs \
                show blocking (no room downstream), grey gaps starvation, red breakdowns. The \
                plant starts empty, so the first hours show the line filling up."
            .into(),
        size: SIZE,
        plot: Plot::Gantt(GanttPlot {
            subtitle,
            window_h: window / HOUR,
            rows,
            products: f.products.iter().map(|p| p.name.clone()).collect(),
        }),
    })
}

impl GanttPlot {
    /// Processing is shaded by product: with 2 to 4 products (more would
    /// repeat the shades, and fill the legend).
    fn by_product(&self) -> bool {
        (2..=PRODUCT_GREENS.len()).contains(&self.products.len())
    }

    fn color(&self, state: &str, product: usize) -> RGBColor {
        if state == "busy" && self.by_product() {
            PRODUCT_GREENS[product % PRODUCT_GREENS.len()]
        } else {
            state_style(state).0
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, "What every machine did", &self.subtitle)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w - 260);
        let n = self.rows.len();
        let label_size = if n > 24 { 12.0 } else { 15.0 };
        let names_w = names_width(&area, self.rows.iter().map(|(l, _)| l), label_size, 40, 260);
        let mut chart = row_chart(
            &plot,
            names_w,
            n,
            self.window_h,
            13,
            "time since start (hours)",
        )?;
        let half = 0.38;
        for (i, (_, segs)) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            chart.draw_series(segs.iter().map(|&(a, b, s, p)| {
                Rectangle::new(
                    [(a, y - half), (b.min(self.window_h), y + half)],
                    self.color(s, p).filled(),
                )
            }))?;
        }
        let screen = root.use_screen_coord();
        let (x0, _) = chart.backend_coord(&(0.0, 0.0));
        let rows: Vec<(i32, String, RGBColor)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, (l, _))| {
                let (_, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64));
                (y, l.clone(), BLACK)
            })
            .collect();
        row_labels(&screen, x0, &rows, names_w - 12, label_size)?;
        let mut entries: Vec<(Mark, String)> = Vec::new();
        if self.by_product() {
            for (k, p) in self.products.iter().enumerate() {
                entries.push((Mark::Box(self.color("busy", k)), format!("busy: {p}")));
            }
        } else {
            let (c, _, l) = state_style("busy");
            entries.push((Mark::Box(c), l.into()));
        }
        let seen = |state: &str| {
            self.rows
                .iter()
                .any(|(_, s)| s.iter().any(|x| x.2 == state))
        };
        for state in [
            "setup",
            "blocked",
            "down",
            "starved",
            "waiting_operator",
            "waiting_technician",
            "off_shift",
        ] {
            if !seen(state) {
                continue;
            }
            let (c, _, l) = state_style(state);
            entries.push((Mark::Box(c), l.into()));
        }
        legend(&side, 14, Some("machine state"), &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"
[simulation]
horizon = "10h"
[stations.mill]
machines = 2
[products.widget]
release = "saturated"
routing = [{ station = "mill", process = "1m" }]
[products.gadget]
release = "saturated"
routing = [{ station = "mill", process = "1m" }]
"#;

    fn rec(t: f64, event: &'static str, m: u32, product: &str) -> TraceRecord {
        TraceRecord {
            time_s: t,
            event,
            station: "mill".into(),
            machine: Some(m),
            part: Some(0),
            order: None,
            product: product.into(),
        }
    }

    #[test]
    fn states_follow_the_trace() {
        let s = crate::scenario::parse(std::path::Path::new("t.toml"), LINE).unwrap();
        let h = |x: f64| x / HOUR;
        let trace = [
            rec(0.0, "process_start", 0, "widget"),
            rec(60.0, "process_end", 0, "widget"),
            rec(60.0, "blocked", 0, "widget"),
            rec(120.0, "unblock", 0, "widget"),
            rec(150.0, "failure", 0, ""),
            rec(200.0, "repair_end", 0, ""),
            rec(200.0, "setup_start", 1, "gadget"),
            rec(230.0, "process_start", 1, "gadget"),
            rec(260.0, "process_end", 1, "gadget"),
            rec(260.0, "process_start", 1, "widget"),
            rec(400.0, "process_end", 1, "widget"),
        ];
        let rows = segments(&s.factory, &[true], &trace, 500.0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "mill 1");
        assert_eq!(
            rows[0].1,
            [
                (h(0.0), h(60.0), "busy", 0),
                (h(60.0), h(120.0), "blocked", 0),
                (h(120.0), h(150.0), "starved", 0),
                (h(150.0), h(200.0), "down", 0),
                (h(200.0), h(500.0), "starved", 0),
            ]
        );
        // Busy segments split by product; idle before the first event.
        assert_eq!(
            rows[1].1,
            [
                (h(0.0), h(200.0), "starved", 0),
                (h(200.0), h(230.0), "setup", 1),
                (h(230.0), h(260.0), "busy", 1),
                (h(260.0), h(400.0), "busy", 0),
                (h(400.0), h(500.0), "starved", 0),
            ]
        );
    }

    /// The automated machines beside a station's manual ones get rows of
    /// their own after them: their events are not drawn on the next
    /// station's row (they were, before).
    #[test]
    fn automated_machines_alongside_have_their_own_rows() {
        let text = r#"
[simulation]
horizon = "10h"
[stations.mill]
machines = 1
[stations.mill.automated]
alongside = true
machines = 1
process_factor = 0.5
capital = 1000.0
life = "52w"
[stations.drill]
[products.widget]
release = "saturated"
routing = [{ station = "mill", process = "1m" }, { station = "drill", process = "1m" }]
"#;
        let s = crate::scenario::parse(std::path::Path::new("t.toml"), text).unwrap();
        let h = |x: f64| x / HOUR;
        let trace = [
            rec(0.0, "process_start", 1, "widget"),
            rec(30.0, "process_end", 1, "widget"),
        ];
        let rows = segments(&s.factory, &[true, true], &trace, 100.0);
        let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(labels, ["mill 1", "mill 2 (automated)", "drill"]);
        assert_eq!(
            rows[1].1,
            [
                (h(0.0), h(30.0), "busy", 0),
                (h(30.0), h(100.0), "starved", 0)
            ]
        );
        assert_eq!(rows[2].1, [(h(0.0), h(100.0), "starved", 0)]);
    }

    #[test]
    fn waiting_for_operators_is_off_shift_between_shifts() {
        let s = crate::scenario::parse(std::path::Path::new("t.toml"), LINE).unwrap();
        let h = |x: f64| x / HOUR;
        let shift = |t: f64, event: &'static str| TraceRecord {
            time_s: t,
            event,
            station: String::new(),
            machine: None,
            part: None,
            order: None,
            product: String::new(),
        };
        let trace = [
            shift(0.0, "shift_start"),
            rec(0.0, "process_start", 0, "widget"),
            shift(100.0, "shift_end"),
            rec(100.0, "pause", 0, "widget"),
            shift(300.0, "shift_start"),
            rec(300.0, "process_start", 0, "widget"),
            rec(350.0, "process_end", 0, "widget"),
            rec(400.0, "wait_for_operator", 1, "widget"),
        ];
        let rows = segments(&s.factory, &[true], &trace, 500.0);
        assert_eq!(
            rows[0].1,
            [
                (h(0.0), h(100.0), "busy", 0),
                (h(100.0), h(300.0), "off_shift", 0),
                (h(300.0), h(350.0), "busy", 0),
                (h(350.0), h(500.0), "starved", 0),
            ]
        );
        assert_eq!(
            rows[1].1,
            [
                (h(0.0), h(400.0), "starved", 0),
                (h(400.0), h(500.0), "waiting_operator", 0),
            ]
        );
        // Without shift records, waiting is never off shift.
        let rows = segments(&s.factory, &[true], &trace[7..], 500.0);
        assert_eq!(rows[1].1[1], (h(400.0), h(500.0), "waiting_operator", 0));
    }

    #[test]
    fn window_is_a_day_or_a_tenth_of_the_horizon() {
        let mut f = crate::scenario::parse(std::path::Path::new("t.toml"), LINE)
            .unwrap()
            .factory;
        assert_eq!(gantt_window(&f), HOUR);
        f.horizon = 4.0 * 7.0 * DAY;
        assert_eq!(gantt_window(&f), DAY);
        f.warmup = 2.0 * DAY;
        let g = gantt_factory(&f);
        assert_eq!((g.horizon, g.warmup), (DAY, 0.0));
    }
}
