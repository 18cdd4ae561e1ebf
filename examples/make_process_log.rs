//! Writes `data/process_times.csv`, the example process-time log that
//! `docs/data.md` fits with `shopfloor fit`.
//!
//! ```text
//!   scenarios/quickstart.toml ──► every operation's process-time
//!   (known distributions)          distribution, drawn with seeded streams
//!                                          │
//!                                          ▼
//!   data/process_times.csv: part, product, station, start, end
//! ```
//!
//! Run it with `cargo run --release --example make_process_log`. The log
//! is a pure function of the scenario and the seed below: running it again
//! rewrites the same bytes.
//!
//! Each operation of each product in the quick-start scenario is logged
//! for 600 brackets and 300 housings, drawn from that operation's
//! process-time distribution in the scenario (so the true answer of every
//! fit is known). Each station works its operations back to back with
//! short idle gaps (exponential, mean 1 minute), from Monday 2024-03-04
//! 06:00, with times to the millisecond. Like a real log it has flaws,
//! which `shopfloor fit` must report:
//!
//! - two cnc operations of brackets logged with start = end (a double
//!   scan): zero durations;
//! - one cnc bracket operation of 4 hours (the part was left in the
//!   machine over a break): an outlier;
//! - the last operation at every station has no end time (still running
//!   when the log was exported): right-censored.

use std::fmt::Write as _;
use std::path::Path;

use shopfloor::engine::Stream;

const SEED: u64 = 18;
const START: &str = "2024-03-04";
/// Parts logged per product.
const PARTS: [(&str, u32); 2] = [("bracket", 600), ("housing", 300)];

/// Milliseconds since Monday 00:00 as "2024-03-DDTHH:MM:SS.mmm".
fn stamp(ms: u64) -> String {
    let s = ms / 1000;
    format!(
        "2024-03-{:02}T{:02}:{:02}:{:02}.{:03}",
        4 + s / 86_400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sc = shopfloor::scenario::load(Path::new("scenarios/quickstart.toml"))?;
    let f = &sc.factory;
    // One row: (start ms, part, product, station, duration ms or None).
    let mut rows: Vec<(u64, String, String, String, Option<u64>)> = Vec::new();
    // Each station's clock, in ms from Monday 00:00, from 06:00.
    let mut clock: Vec<u64> = vec![6 * 3_600_000; f.stations.len()];
    let mut gaps = Stream::new(SEED, 0, "gaps");
    for (p, parts) in PARTS {
        let product = f
            .products
            .iter()
            .find(|x| x.name == p)
            .ok_or(format!("quickstart has no product {p}"))?;
        for (i, op) in product.routing.iter().enumerate() {
            let station = &f.stations[op.station.0 as usize].name;
            let mut stream = Stream::new(SEED, 0, &format!("{p}:{i}:{station}"));
            for part in 0..parts {
                let mut ms = (op.process.sample(&mut stream) * 1000.0).round() as u64;
                if p == "bracket" && station == "cnc" {
                    match part {
                        100 | 350 => ms = 0,
                        200 => ms = 4 * 3_600_000,
                        _ => {}
                    }
                }
                let s = op.station.0 as usize;
                clock[s] += (gaps.exp1() * 60_000.0).round() as u64;
                rows.push((
                    clock[s],
                    format!("{}-{:04}", &p[..1].to_uppercase(), part + 1),
                    p.to_string(),
                    station.clone(),
                    Some(ms),
                ));
                clock[s] += ms;
            }
        }
    }
    // The last operation at each station is still running.
    for s in 0..f.stations.len() {
        if let Some(last) = rows
            .iter_mut()
            .filter(|r| r.3 == f.stations[s].name)
            .max_by_key(|r| r.0)
        {
            last.4 = None;
        }
    }
    rows.sort_by(|a, b| (a.0, &a.3).cmp(&(b.0, &b.3)));
    let mut out = String::from("part,product,station,start,end\n");
    for (start, part, product, station, ms) in &rows {
        let end = ms.map(|m| stamp(start + m)).unwrap_or_default();
        writeln!(out, "{part},{product},{station},{},{end}", stamp(*start))?;
    }
    std::fs::create_dir_all("data")?;
    std::fs::write("data/process_times.csv", out)?;
    println!(
        "wrote data/process_times.csv: {} operations from {START}",
        rows.len()
    );
    Ok(())
}
