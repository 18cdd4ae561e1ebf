//! Makes the example machine state log `data/mes_export.csv`: three weeks
//! of a known plant, written the way a plant's MES exports machine states.
//!
//! ```text
//!   orders ──► [ cut ×2 ] ──► [ weld ×2 ] ──► [ paint ] ──► [ assemble ×2 ] ──► customer
//! ```
//!
//! The plant is the baseline of `scenarios/decision.toml` (seed 2026,
//! replication 0). It is simulated for five weeks with its event trace;
//! the first two weeks (the scenario's warm-up: the simulated plant starts
//! empty, a real one does not) are left out, and weeks 3 to 5 are written
//! as one row per machine and stretch in one state, with ISO-8601 times
//! from Monday 2024-03-04 00:00:00, to the second:
//!
//! ```text
//! machine,work_center,state,start,end
//! CUT-01,cut,RUNNING,2024-03-04T06:00:00,2024-03-04T06:11:52
//! ```
//!
//! The state names are an MES's: `RUNNING`, `SETUP`, `BREAKDOWN`,
//! `WAIT TECH` (broken down, waiting for maintenance), `NO OPERATOR`,
//! `NO MATERIAL`, `STARVED`, `BLOCKED`, `OFF SHIFT`. All but `WAIT TECH`
//! are in `shopfloor bottlenecks`' default vocabulary; that one shows
//! `--state-map`.
//!
//! Run it from the repository's root; the output is the same on every
//! machine and every run:
//!
//! ```text
//! cargo run --release --example make_mes_log
//! ```

use std::path::Path;
use std::process::ExitCode;

use shopfloor::data::machine_log::format_iso;
use shopfloor::data::trace_log::{self, TraceLine, TraceState};
use shopfloor::engine::{DAY, WEEK};
use shopfloor::model::simulate;
use shopfloor::scenario::{self, Overrides};

/// 2024-03-04T00:00:00 (a Monday), seconds since 1970-01-01.
const MONDAY: f64 = 19_786.0 * DAY;

fn mes_name(s: TraceState) -> &'static str {
    match s {
        TraceState::Busy => "RUNNING",
        TraceState::Setup => "SETUP",
        TraceState::Down => "BREAKDOWN",
        TraceState::WaitingTechnician => "WAIT TECH",
        TraceState::WaitingOperator => "NO OPERATOR",
        TraceState::WaitingMaterial => "NO MATERIAL",
        TraceState::Idle => "STARVED",
        TraceState::Blocked => "BLOCKED",
        TraceState::OffShift => "OFF SHIFT",
    }
}

fn main() -> ExitCode {
    match make() {
        Ok(rows) => {
            println!("wrote data/mes_export.csv: {rows} rows");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn make() -> Result<usize, String> {
    let (skip, horizon) = (2.0 * WEEK, 5.0 * WEEK);
    let mut sc = scenario::load(Path::new("scenarios/decision.toml")).map_err(|e| e.to_string())?;
    sc.apply(&Overrides {
        replications: Some(1),
        seed: None,
        horizon: Some(horizon),
        warmup: Some(skip),
    })?;
    let (_, trace) = simulate(&sc.factory, sc.seed, 0, true);
    let lines: Vec<TraceLine> = trace
        .unwrap_or_default()
        .into_iter()
        .map(|t| TraceLine {
            time: t.time_s,
            event: t.event.to_string(),
            station: t.station,
            machine: t.machine,
        })
        .collect();
    let stations: Vec<(String, u32)> = sc
        .factory
        .stations
        .iter()
        .map(|s| (s.name.clone(), s.machines))
        .collect();
    let per_machine = trace_log::states(&lines, &stations, horizon);
    // Rows in time order, as an export sorted by start; to the second.
    let mut rows: Vec<(i64, i64, String, &str, &str)> = Vec::new();
    for stretches in &per_machine {
        for r in stretches {
            let (start, end) = (r.start.max(skip), r.end);
            if end <= start {
                continue;
            }
            let (a, b) = (
                (MONDAY + start - skip).round() as i64,
                (MONDAY + end - skip).round() as i64,
            );
            if b > a {
                let machine = format!("{}-{:02}", r.station.to_uppercase(), r.machine + 1);
                rows.push((a, b, machine, r.station.as_str(), mes_name(r.state)));
            }
        }
    }
    rows.sort();
    let n = rows.len();
    shopfloor::report::write_atomic(Path::new("data/mes_export.csv"), |w| {
        writeln!(w, "machine,work_center,state,start,end")?;
        for (a, b, machine, station, state) in &rows {
            writeln!(
                w,
                "{machine},{station},{state},{},{}",
                format_iso(*a as f64),
                format_iso(*b as f64)
            )?;
        }
        Ok(())
    })
    .map_err(|e| format!("error: cannot write data/mes_export.csv: {e}"))?;
    Ok(n)
}
