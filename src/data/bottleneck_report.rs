//! The outputs of `shopfloor bottlenecks`: the printed table,
//! `bottlenecks.csv`, `bottleneck_batches.csv`, `bottlenecks.json` and the
//! bottleneck chart (PNG and SVG), every file written atomically.

use std::io;
use std::path::{Path, PathBuf};

use super::machine_log::{Analysis, MachineLog, StateClass};
use crate::engine::DAY;
use crate::report::plots::{ShareBar, write_share_chart, write_time_split_chart};
use crate::report::write_atomic;

/// Names of the time-split columns, in [`super::machine_log::ResourceFigures::split`] order.
pub fn split_names() -> [&'static str; 8] {
    let mut n = ["unlogged"; 8];
    for (i, c) in StateClass::ALL.iter().enumerate() {
        n[i] = c.name();
    }
    n
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}", 100.0 * x)
    } else {
        "—".into()
    }
}

fn ci(low: f64, high: f64) -> String {
    if low.is_finite() && high.is_finite() {
        format!("[{}, {}]", pct(low.max(0.0)), pct(high))
    } else {
        "—".into()
    }
}

/// The batch length in words.
fn batch_words(secs: f64) -> String {
    if secs == DAY {
        "daily".into()
    } else if secs == 8.0 * 3600.0 {
        "8-hour (shift)".into()
    } else {
        crate::engine::format_duration(secs)
    }
}

/// The printed table.
pub fn table(log: &MachineLog, a: &Analysis, file: &Path) -> String {
    let kind = if log.grouped { "station" } else { "machine" };
    let mut s = format!(
        "Bottlenecks of {}: {} machine{} in {} {kind}{}, {} to {} ({:.1} days)\n",
        file.display(),
        log.machines.len(),
        if log.machines.len() == 1 { "" } else { "s" },
        a.resources.len(),
        if a.resources.len() == 1 { "" } else { "s" },
        a.show_time(a.from),
        a.show_time(a.to),
        (a.to - a.from) / DAY
    );
    s.push_str(&format!(
        "shares of the window with 95% CIs over {} complete {} batches (Student-t); time split in % of machine time\n\n",
        a.complete_batches,
        batch_words(a.batch_seconds)
    ));
    let head: Vec<String> = [kind, "mach", "sole %", "shifting %", "total %", "95% CI"]
        .iter()
        .map(|x| x.to_string())
        .chain(split_names().iter().map(|x| x.to_string()))
        .collect();
    let rows: Vec<Vec<String>> = a
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut name = r.name.clone();
            if a.primary == Some(i) {
                name.push_str(" *");
            }
            let mut row = vec![
                name,
                r.machines.to_string(),
                pct(r.sole.share),
                pct(r.shifting.share),
                pct(r.total.share),
                ci(r.total.low, r.total.high),
            ];
            row.extend(r.split.iter().map(|&x| pct(x)));
            row
        })
        .collect();
    let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut line = |cells: &[String]| {
        let mut l = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            l.push(' ');
            if i == 0 || i == 5 {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(&head);
    for r in &rows {
        line(r);
    }
    let days = (a.to - a.from) / DAY;
    match a.primary {
        Some(p) => {
            let r = &a.resources[p];
            s.push_str(&format!(
                "\n* primary bottleneck: {} (sole {}%, shifting {}%, total {}% {}); the bottleneck shifted {} times, {:.1} a day\n",
                r.name,
                pct(r.sole.share),
                pct(r.shifting.share),
                pct(r.total.share),
                ci(r.total.low, r.total.high),
                a.shifts,
                a.shifts as f64 / days
            ));
        }
        None => s.push_str("\nno station was ever active in the window: no bottleneck\n"),
    }
    s
}

/// Writes the tables, the JSON and (unless `no_plots`) the chart into
/// `dir`; returns the files written.
pub fn write(
    dir: &Path,
    log: &MachineLog,
    a: &Analysis,
    file: &Path,
    no_plots: bool,
) -> io::Result<Vec<PathBuf>> {
    let kind = if log.grouped { "station" } else { "machine" };
    let mut written = Vec::new();
    let path = dir.join("bottlenecks.csv");
    write_atomic(&path, |w| {
        let mut c = csv::Writer::from_writer(w);
        let mut head: Vec<&str> = vec![
            kind,
            "machines",
            "sole",
            "sole_low",
            "sole_high",
            "shifting",
            "shifting_low",
            "shifting_high",
            "total",
            "total_low",
            "total_high",
            "primary",
        ];
        head.extend(split_names());
        c.write_record(&head)?;
        for (i, r) in a.resources.iter().enumerate() {
            let mut row = vec![
                r.name.clone(),
                r.machines.to_string(),
                r.sole.share.to_string(),
                r.sole.low.to_string(),
                r.sole.high.to_string(),
                r.shifting.share.to_string(),
                r.shifting.low.to_string(),
                r.shifting.high.to_string(),
                r.total.share.to_string(),
                r.total.low.to_string(),
                r.total.high.to_string(),
                (a.primary == Some(i)).to_string(),
            ];
            row.extend(r.split.iter().map(|x| x.to_string()));
            c.write_record(&row)?;
        }
        c.flush()
    })?;
    written.push(path);
    let path = dir.join("bottleneck_batches.csv");
    write_atomic(&path, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "batch_start",
            "batch_end",
            "complete",
            kind,
            "sole",
            "shifting",
        ])?;
        for b in &a.batches {
            for (r, res) in a.resources.iter().enumerate() {
                c.write_record([
                    a.show_time(b.start),
                    a.show_time(b.end),
                    b.complete.to_string(),
                    res.name.clone(),
                    b.sole[r].to_string(),
                    b.shifting[r].to_string(),
                ])?;
            }
        }
        c.flush()
    })?;
    written.push(path);
    let path = dir.join("bottlenecks.json");
    write_atomic(&path, |w| {
        #[derive(serde::Serialize)]
        struct File<'a> {
            shopfloor_version: &'static str,
            log: String,
            grouped_by: &'a str,
            from: String,
            to: String,
            #[serde(flatten)]
            analysis: &'a Analysis,
            primary_name: Option<&'a str>,
            split_columns: [&'static str; 8],
        }
        let f = File {
            shopfloor_version: env!("CARGO_PKG_VERSION"),
            log: file.display().to_string(),
            grouped_by: kind,
            from: a.show_time(a.from),
            to: a.show_time(a.to),
            analysis: a,
            primary_name: a.primary.map(|p| a.resources[p].name.as_str()),
            split_columns: split_names(),
        };
        serde_json::to_writer_pretty(&mut *w, &f)?;
        writeln!(w)
    })?;
    written.push(path);
    if !no_plots {
        let bars = a
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| ShareBar {
                label: if r.machines > 1 {
                    format!("{} ×{}", r.name, r.machines)
                } else {
                    r.name.clone()
                },
                sole: r.sole.share,
                shifting: r.shifting.share,
                low: r.total.low,
                high: r.total.high,
                primary: a.primary == Some(i),
            })
            .collect();
        let subtitle = format!(
            "{}, {} to {}, with the 95% CI of the total over {} {} batches; the bottleneck shifts {:.1} times a day",
            file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            ),
            a.show_time(a.from),
            a.show_time(a.to),
            a.complete_batches,
            batch_words(a.batch_seconds),
            a.shifts as f64 / ((a.to - a.from) / DAY)
        );
        let plots = dir.join("plots");
        let chart = write_share_chart(
            &plots,
            "Where the bottleneck is (plant log)",
            &subtitle,
            "The active-period method on the plant's machine state log.",
            bars,
        )?;
        written.push(plots.join(format!("{}.png", chart.stem)));
        written.push(plots.join(format!("{}.svg", chart.stem)));
        let rows = a
            .resources
            .iter()
            .map(|r| {
                let label = if r.machines > 1 {
                    format!("{} ×{}", r.name, r.machines)
                } else {
                    r.name.clone()
                };
                (label, r.split.to_vec())
            })
            .collect();
        let chart = write_time_split_chart(
            &plots,
            "Where machine time goes (plant log)",
            &format!(
                "{}, {} to {}: share of machine time per state; the primary bottleneck outlined",
                file.file_name().map_or_else(
                    || file.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                ),
                a.show_time(a.from),
                a.show_time(a.to)
            ),
            "One bar per station (×N: N machines): the share of its machines' logged time in \
             each state class, as in the printed time split.",
            split_names().to_vec(),
            rows,
            a.primary,
        )?;
        written.push(plots.join(format!("{}.png", chart.stem)));
        written.push(plots.join(format!("{}.svg", chart.stem)));
    }
    Ok(written)
}
