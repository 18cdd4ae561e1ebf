//! The simulator's event trace (`run --trace`) turned into a machine state
//! log: one row per machine and stretch in one state, as a plant's MES
//! would export it. Used to make example data from a known scenario and to
//! check [`machine_log`](super::machine_log) against the simulator.
//!
//! The trace logs events, not states, so each machine's state is rebuilt
//! the way the simulator sets it: `setup_start` and `process_start` make it
//! busy; `process_end` leaves it idle unless a `blocked` follows; a
//! `failure` makes it down (waiting for a technician after
//! `wait_for_technician`, down again at `repair_start`); after `repair_end`
//! an interrupted operation waits until its next `setup_start` or
//! `process_start`, which usually comes at the same instant. Stretches of
//! no length (a machine that finishes a part and takes the next) are left
//! out, and neighbouring stretches in the same state are joined.

use std::path::Path;

/// A machine's state, by the names of [`machine_log`](super::machine_log)'s
/// default vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceState {
    /// Processing.
    Busy,
    /// In setup.
    Setup,
    /// Broken down, under repair.
    Down,
    /// Holding a part, waiting for operators.
    WaitingOperator,
    /// Broken down, waiting for a technician.
    WaitingTechnician,
    /// Holding a part, waiting for raw material.
    WaitingMaterial,
    /// Nothing to do.
    Idle,
    /// Holding a finished part (or waiting for room before starting).
    Blocked,
    /// Paused at the end of its operators' shift.
    OffShift,
}

impl TraceState {
    /// The state's name in the default vocabulary.
    pub fn name(self) -> &'static str {
        match self {
            TraceState::Busy => "busy",
            TraceState::Setup => "setup",
            TraceState::Down => "down",
            TraceState::WaitingOperator => "waiting_operator",
            TraceState::WaitingTechnician => "waiting_technician",
            TraceState::WaitingMaterial => "waiting_material",
            TraceState::Idle => "idle",
            TraceState::Blocked => "blocked",
            TraceState::OffShift => "off_shift",
        }
    }
}

/// One event line of a trace (the columns that matter here).
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    /// Time, seconds.
    pub time: f64,
    /// Event name.
    pub event: String,
    /// Station name, or empty.
    pub station: String,
    /// Machine index within the station.
    pub machine: Option<u32>,
}

/// Reads a trace CSV written by `shopfloor run --trace`.
pub fn read_trace_csv(path: &Path) -> Result<Vec<TraceLine>, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        time_s: f64,
        event: String,
        station: String,
        machine: Option<u32>,
    }
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| format!("error: cannot read the trace {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize::<Raw>().enumerate() {
        let r = rec.map_err(|e| {
            format!(
                "error: {}, row {}: not a trace line of `shopfloor run --trace`: {e}",
                path.display(),
                i + 1
            )
        })?;
        out.push(TraceLine {
            time: r.time_s,
            event: r.event,
            station: r.station,
            machine: r.machine,
        });
    }
    Ok(out)
}

/// One stretch of one machine in one state.
#[derive(Clone, Debug, PartialEq)]
pub struct StateRow {
    /// Station name.
    pub station: String,
    /// Machine index within the station.
    pub machine: u32,
    /// The state.
    pub state: TraceState,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Repair {
    None,
    Waiting,
    Under,
}

struct Machine {
    phase: TraceState,
    repair: Repair,
    since: f64,
    shown: TraceState,
}

impl Machine {
    fn state(&self) -> TraceState {
        match self.repair {
            Repair::Waiting => TraceState::WaitingTechnician,
            Repair::Under => TraceState::Down,
            Repair::None => self.phase,
        }
    }
}

/// The state stretches of every machine of `stations` (name, machines)
/// from time 0 to `horizon`, rebuilt from `trace`; per machine in time
/// order, machines in station order.
pub fn states(trace: &[TraceLine], stations: &[(String, u32)], horizon: f64) -> Vec<Vec<StateRow>> {
    let mut index = std::collections::BTreeMap::new();
    let mut machines = Vec::new();
    let mut rows: Vec<Vec<StateRow>> = Vec::new();
    let mut rows_key: Vec<(String, u32)> = Vec::new();
    for (name, n) in stations {
        for k in 0..*n {
            rows_key.push((name.clone(), k));
            index.insert((name.as_str(), k), machines.len());
            machines.push(Machine {
                phase: TraceState::Idle,
                repair: Repair::None,
                since: 0.0,
                shown: TraceState::Idle,
            });
            rows.push(Vec::new());
        }
    }
    // The shift events do not name the pool: a machine waiting for
    // operators counts as off shift while the last shift event was a
    // `shift_end` (exact with one calendar, a label only with several:
    // both states are inactive, so the bottleneck does not depend on it).
    let mut on = trace
        .iter()
        .find(|l| l.event == "shift_start" || l.event == "shift_end")
        .is_none_or(|l| l.event == "shift_end");
    let label = |state: TraceState, on: bool| match state {
        TraceState::WaitingOperator if !on => TraceState::OffShift,
        TraceState::OffShift if on => TraceState::WaitingOperator,
        s => s,
    };
    let emit = |rows: &mut Vec<StateRow>, station: &str, k: u32, state, start: f64, end: f64| {
        if end <= start {
            return;
        }
        match rows.last_mut() {
            Some(last) if last.state == state && last.end == start => last.end = end,
            _ => rows.push(StateRow {
                station: station.to_string(),
                machine: k,
                state,
                start,
                end,
            }),
        }
    };
    for line in trace {
        if line.event == "shift_start" || line.event == "shift_end" {
            on = line.event == "shift_start";
            let t = line.time.min(horizon);
            for (i, m) in machines.iter_mut().enumerate() {
                let now = label(m.state(), on);
                if now != m.shown {
                    let (station, k) = (&rows_key[i].0, rows_key[i].1);
                    emit(&mut rows[i], station, k, m.shown, m.since, t);
                    m.shown = now;
                    m.since = t;
                }
            }
            continue;
        }
        let Some(k) = line.machine else { continue };
        let Some(&i) = index.get(&(line.station.as_str(), k)) else {
            continue;
        };
        let t = line.time.min(horizon);
        let m = &mut machines[i];
        match line.event.as_str() {
            "setup_start" => m.phase = TraceState::Setup,
            "process_start" => m.phase = TraceState::Busy,
            "process_end" | "unblock" | "pickup" => m.phase = TraceState::Idle,
            "blocked" | "wait_for_room" | "wait_for_mover" => m.phase = TraceState::Blocked,
            "wait_for_operator" => m.phase = TraceState::WaitingOperator,
            "pause" => m.phase = TraceState::OffShift,
            "wait_for_material" => m.phase = TraceState::WaitingMaterial,
            "failure" | "repair_start" => m.repair = Repair::Under,
            "wait_for_technician" => m.repair = Repair::Waiting,
            "repair_end" => {
                m.repair = Repair::None;
                // An interrupted operation resumes with its own start event.
                if matches!(m.phase, TraceState::Busy | TraceState::Setup) {
                    m.phase = TraceState::WaitingOperator;
                }
            }
            _ => continue,
        }
        let now = label(m.state(), on);
        if now != m.shown {
            emit(&mut rows[i], &line.station, k, m.shown, m.since, t);
            m.shown = now;
            m.since = t;
        }
    }
    let mut i = 0;
    for (name, n) in stations {
        for k in 0..*n {
            let m = &machines[i];
            emit(&mut rows[i], name, k, m.shown, m.since, horizon);
            i += 1;
        }
    }
    rows
}
