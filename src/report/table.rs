//! The readable summary printed after a run.

use std::fmt::Write;

use crate::engine::format_duration;
use crate::experiment::RunResults;
use crate::scenario::Scenario;
use crate::stats::Estimate;

fn est(e: &Estimate, digits: usize) -> String {
    if e.mean.is_nan() {
        "—".to_string()
    } else if e.half_width.is_nan() {
        format!("{:.*}", digits, e.mean)
    } else {
        format!("{:.*} ± {:.*}", digits, e.mean, digits, e.half_width)
    }
}

fn pct(e: &Estimate) -> String {
    if e.mean.is_nan() {
        "—".into()
    } else {
        format!("{:5.1}%", 100.0 * e.mean)
    }
}

/// The summary table as text.
pub fn summary_table(scenario: &Scenario, results: &RunResults) -> String {
    let s = &results.summary;
    let f = &scenario.factory;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} replications of {} (warm-up {}), seed {}",
        f.name,
        s.replications,
        format_duration(f.horizon),
        format_duration(f.warmup),
        scenario.seed
    );
    let _ = writeln!(out, "means ± half-width of the 95% confidence interval\n");
    let rows: [(&str, String); 10] = [
        ("throughput (good parts/h)", est(&s.throughput_per_hour, 2)),
        ("good parts", est(&s.good, 1)),
        ("scrapped parts", est(&s.scrapped, 1)),
        ("rework loops", est(&s.reworked, 1)),
        ("cycle time mean (min)", est(&s.cycle_time_mean_min, 2)),
        ("cycle time p50 (min)", est(&s.cycle_time_p50_min, 2)),
        ("cycle time p90 (min)", est(&s.cycle_time_p90_min, 2)),
        ("cycle time p95 (min)", est(&s.cycle_time_p95_min, 2)),
        ("WIP (parts, time-avg)", est(&s.wip_avg, 2)),
        (
            "  waiting / on machines",
            format!(
                "{} / {}",
                est(&s.wip_waiting_avg, 2),
                est(&s.wip_on_machines_avg, 2)
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:<28} {v}");
    }
    if s.good_per_product.len() > 1 {
        for (p, e) in &s.good_per_product {
            let _ = writeln!(out, "  {:<28} {}", format!("good {p}"), est(e, 1));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<14} {:>3} {:>7} {:>7} {:>7} {:>7} {:>7} {:>12}",
        "station", "m", "busy", "blocked", "starved", "down", "setup", "queue"
    );
    for st in &s.stations {
        let mark = if st.station == s.busiest_station {
            " ◀ busiest"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<14} {:>3} {:>7} {:>7} {:>7} {:>7} {:>7} {:>12}{}",
            st.station,
            st.machines,
            pct(&st.utilisation),
            pct(&st.blocked),
            pct(&st.starved),
            pct(&st.down),
            pct(&st.setup),
            est(&st.queue_avg, 2),
            mark
        );
    }
    out
}
