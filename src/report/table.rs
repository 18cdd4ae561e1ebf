//! The readable summary printed after a run.

use std::fmt::Write;

use crate::engine::{HOUR, format_duration};
use crate::experiment::RunResults;
use crate::experiment::kpi::{KPIS, kpi};
use crate::scenario::Scenario;
use crate::stats::Estimate;

use super::units::{TimeUnit, currency_after, currency_suffix};

/// Whether units delivered per hour differ from good parts per hour in some
/// variant (outsourcing delivers parts the plant did not make; stock and
/// orders delay delivery): then both are shown.
pub(super) fn delivered_differs(results: &RunResults) -> bool {
    let (Some(t), Some(d)) = (kpi("throughput_per_hour"), kpi("delivered_per_hour")) else {
        return false;
    };
    results.variants.iter().any(|v| {
        v.values(t)
            .iter()
            .zip(v.values(d))
            .any(|(a, b)| a.to_bits() != b.to_bits())
    })
}

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
        // A share computed as a difference can come out a rounding error
        // below zero: "0.0%", not "-0.0%".
        format!("{:5.1}%", (100.0 * e.mean).max(0.0) + 0.0)
    }
}

/// Stations (and products) listed in the summary on the terminal: a plant
/// of hundreds gets the ones that matter and a pointer to the CSV tables.
const TERMINAL_ROWS: usize = 30;

/// The summary table as text.
pub fn summary_table(scenario: &Scenario, results: &RunResults) -> String {
    let s = &results.baseline().summary;
    let f = &scenario.factory;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} replications of {} (warm-up {}), seed {}{}",
        f.name,
        s.replications,
        format_duration(f.horizon),
        format_duration(f.warmup),
        scenario.seed,
        if results.variants.len() > 1 {
            "; baseline:"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "means ± half-width of the 95% confidence interval\n");
    // Cycle times in the unit their mean reads best in (all four alike).
    let ct = TimeUnit::for_minutes(s.cycle_time_mean_min.mean);
    let cycle = |e: &Estimate| est(&e.scaled(ct.per_minute()), 2);
    let ct_label = |what: &str| format!("cycle time {what} ({})", ct.name());
    let mut rows: Vec<(String, String)> = vec![(
        "throughput (good parts/h)".into(),
        est(&s.throughput_per_hour, 2),
    )];
    if delivered_differs(results) {
        let b = results.baseline();
        let delivered = b.estimate(kpi("delivered_per_hour").expect("a KPI"));
        rows.push(("delivered (units/h)".into(), est(&delivered, 2)));
    }
    let rows = rows.into_iter().chain([
        ("good parts".into(), est(&s.good, 1)),
        ("scrapped parts".into(), est(&s.scrapped, 1)),
        ("rework loops".into(), est(&s.reworked, 1)),
        (ct_label("mean"), cycle(&s.cycle_time_mean_min)),
        (ct_label("p50"), cycle(&s.cycle_time_p50_min)),
        (ct_label("p90"), cycle(&s.cycle_time_p90_min)),
        (ct_label("p95"), cycle(&s.cycle_time_p95_min)),
        ("WIP (parts, time-avg)".into(), est(&s.wip_avg, 2)),
        (
            "  waiting / on machines".into(),
            format!(
                "{} / {}",
                est(&s.wip_waiting_avg, 2),
                est(&s.wip_on_machines_avg, 2)
            ),
        ),
        (
            "wait in queue (min) / waited".into(),
            format!(
                "{} / {}",
                est(&s.wait_mean_min, 2),
                pct(&s.waited_share).trim()
            ),
        ),
    ]);
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:<28} {v}");
    }
    if s.good_per_product.len() > 1 {
        for ((p, e), def) in s
            .good_per_product
            .iter()
            .zip(&f.products)
            .take(TERMINAL_ROWS)
        {
            // A sub-assembly's good parts are made for assembly, not
            // delivered.
            let label = if def.is_sub_assembly() {
                format!("made {p} (sub-assembly)")
            } else {
                format!("good {p}")
            };
            let _ = writeln!(out, "  {label:<28} {}", est(e, 1));
        }
        if s.good_per_product.len() > TERMINAL_ROWS {
            let _ = writeln!(
                out,
                "  … and {} more products (all in products.csv)",
                s.good_per_product.len() - TERMINAL_ROWS
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<14} {:>3} {:>7} {:>7} {:>7} {:>7} {:>7} {:>13} {:>16} {:>7} {:>9} {:>9}",
        "station",
        "m",
        "busy",
        "blocked",
        "starved",
        "down",
        "setup",
        "queue",
        "wait (min)",
        "waited",
        "bn sole",
        "bn shift"
    );
    // In a large plant, the stations most often the bottleneck, then the
    // busiest (the rest are in stations.csv).
    // The marked stations always.
    let marked: Vec<usize> = s
        .stations
        .iter()
        .enumerate()
        .filter(|(_, st)| {
            st.station == s.busiest_station
                || (!s.bottleneck_is_pool && !s.bottleneck_is_mover && st.station == s.bottleneck)
        })
        .map(|(i, _)| i)
        .collect();
    let shown = super::plots::top_rows(s.stations.len(), TERMINAL_ROWS, &marked, |a, b| {
        super::plots::bottleneck_then_busy(&s.stations[a], &s.stations[b])
    });
    for st in shown.iter().map(|&i| &s.stations[i]) {
        let is_bottleneck =
            !s.bottleneck_is_pool && !s.bottleneck_is_mover && st.station == s.bottleneck;
        let mark = match (is_bottleneck, st.station == s.busiest_station) {
            (true, true) => " ◀ bottleneck, busiest",
            (true, false) => " ◀ bottleneck",
            (false, true) => " ◀ busiest",
            (false, false) => "",
        };
        let _ = writeln!(
            out,
            "  {:<14} {:>3} {:>7} {:>7} {:>7} {:>7} {:>7} {:>13} {:>16} {:>7} {:>9} {:>9}{}",
            st.station,
            if st.automated_machines > 0 {
                format!("{}+{}", st.machines, st.automated_machines)
            } else {
                st.machines.to_string()
            },
            pct(&st.utilisation),
            pct(&st.blocked),
            pct(&st.starved),
            pct(&st.down),
            pct(&st.setup),
            est(&st.queue_avg, 2),
            est(&st.wait_mean_min, 2),
            pct(&st.waited_share),
            pct(&st.bottleneck_sole),
            pct(&st.bottleneck_shifting),
            mark
        );
    }
    if shown.len() < s.stations.len() {
        let _ = writeln!(
            out,
            "  … and {} more stations (all in stations.csv); shown: the {} most often the bottleneck, then the busiest, and the busiest of all",
            s.stations.len() - shown.len(),
            shown.len()
        );
    }
    for st in &s.stations {
        if let (Some(b), Some(size)) = (&st.batches, &st.batch_size_mean) {
            let _ = writeln!(
                out,
                "  batch station {}: {} batches started, {} parts per batch",
                st.station,
                est(b, 1),
                est(size, 2)
            );
        }
        if let (Some(a), Some(m)) = (&st.automated_utilisation, &st.manual_utilisation) {
            let _ = writeln!(
                out,
                "  mixed station {}: {} manual machines {} busy, {} automated beside them {} busy",
                st.station,
                st.machines,
                pct(m).trim(),
                st.automated_machines,
                pct(a).trim()
            );
        }
    }
    let verdict = if s.bottleneck_is_pool {
        s.pools.iter().find(|p| p.pool == s.bottleneck).map(|p| {
            (
                format!("worker pool {} (people, not machines)", p.pool),
                (&p.bottleneck_sole, &p.bottleneck_shifting, p.bottleneck_in),
            )
        })
    } else if s.bottleneck_is_mover {
        s.movers.iter().find(|m| m.mover == s.bottleneck).map(|m| {
            (
                format!("mover pool {} (transport, not machines)", m.mover),
                (
                    &m.figures.bottleneck_sole,
                    &m.figures.bottleneck_shifting,
                    m.bottleneck_in,
                ),
            )
        })
    } else {
        s.stations
            .iter()
            .find(|st| st.station == s.bottleneck)
            .map(|st| {
                (
                    format!("station {}", st.station),
                    (
                        &st.bottleneck_sole,
                        &st.bottleneck_shifting,
                        st.bottleneck_in,
                    ),
                )
            })
    };
    if let Some((name, (sole, shifting, primary_in))) = verdict {
        let _ = writeln!(
            out,
            "  bottleneck (active-period method): {} — sole {}, shifting {} of the time, primary in {} of {} replications; the bottleneck shifts {} times a day",
            name,
            pct(sole).trim(),
            pct(shifting).trim(),
            primary_in,
            s.replications,
            est(&s.bottleneck_shifts_per_day, 1)
        );
    }
    let maintained: Vec<String> = s
        .stations
        .iter()
        .filter(|st| st.maintenance.mean > 0.0)
        .map(|st| format!("{} {}", st.station, pct(&st.maintenance).trim()))
        .collect();
    if !maintained.is_empty() {
        let _ = writeln!(
            out,
            "  machine time in preventive maintenance: {}",
            maintained.join("; ")
        );
    }
    // Warn only when the suggestion exceeds the warm-up by more than one
    // MSER batch (5 periods): a smaller gap is within the method's noise.
    if let Some(h) = s.mser5_warmup_hours
        && s.warmup_too_short
    {
        let _ = writeln!(
            out,
            "\n  note: the warm-up looks short: MSER-5 on the WIP series suggests at least {} (set {}); raise `simulation.warmup` or --warmup",
            format_duration((h * HOUR).round()),
            format_duration(f.warmup)
        );
    }
    if !s.pools.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<14} {:>7} {:>7} {:>14} {:>14} {:>12} {:>14} {:>9} {:>9}",
            "worker pool",
            "workers",
            "busy",
            "busy hours",
            "overtime h",
            "repairs",
            format!("labour cost{}", currency_suffix(f)),
            "bn sole",
            "bn shift"
        );
        for p in &s.pools {
            let mark = if s.bottleneck_is_pool && p.pool == s.bottleneck {
                " ◀ bottleneck"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<14} {:>7} {:>7} {:>14} {:>14} {:>12} {:>14} {:>9} {:>9}{}",
                p.pool,
                p.workers,
                pct(&p.utilisation),
                est(&p.busy_hours, 1),
                est(&p.overtime_hours, 1),
                est(&p.repairs, 1),
                est(&p.labour_cost, 0),
                pct(&p.bottleneck_sole),
                pct(&p.bottleneck_shifting),
                mark
            );
        }
        let _ = writeln!(
            out,
            "  labour cost per good part: {}{}",
            est(&s.labour_cost_per_good, 2),
            currency_after(f)
        );
    }
    if !s.movers.is_empty() {
        movers_block(&mut out, s);
    }
    let waits: Vec<String> = s
        .stations
        .iter()
        .filter(|st| {
            st.waiting_operator.mean + st.waiting_technician.mean + st.off_shift.mean >= 0.0005
        })
        .map(|st| {
            format!(
                "{} {} for operators, {} for technicians, {} off shift",
                st.station,
                pct(&st.waiting_operator).trim(),
                pct(&st.waiting_technician).trim(),
                pct(&st.off_shift).trim()
            )
        })
        .collect();
    if !waits.is_empty() {
        let _ = writeln!(
            out,
            "  machines waiting for people or off shift: {}",
            waits.join("; ")
        );
    }
    // Yields, when some part was scrapped, reworked or escaped a defect.
    let imperfect = s.products.iter().any(|p| {
        let f = &p.figures;
        f.first_pass_yield.mean < 1.0 || f.defects_escaped.mean > 0.0
    });
    if imperfect {
        let _ = writeln!(
            out,
            "\n  {:<14} {:>12} {:>12} {:>12} {:>12}",
            "product", "first pass", "final yield", "detected", "escaped"
        );
        for p in &s.products {
            let f = &p.figures;
            let _ = writeln!(
                out,
                "  {:<14} {:>12} {:>12} {:>12} {:>12}",
                p.product,
                pct(&f.first_pass_yield),
                pct(&f.final_yield),
                est(&f.defects_detected, 1),
                est(&f.defects_escaped, 1)
            );
        }
    }
    let starved: Vec<String> = s
        .stations
        .iter()
        .filter(|st| st.starved_material.mean >= 0.0005)
        .map(|st| format!("{} {}", st.station, pct(&st.starved_material).trim()))
        .collect();
    if !starved.is_empty() {
        let assembles = f.assembles();
        let _ = writeln!(
            out,
            "  machines starved for {}: {}",
            if assembles {
                "material or sub-assemblies"
            } else {
                "material"
            },
            starved.join("; ")
        );
    }
    if !s.materials.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<14} {:>9} {:>12} {:>12} {:>12} {:>12} {:>12}",
            "material", "fill", "stock-outs", "out hours", "stock avg", "orders", "holding"
        );
        for m in &s.materials {
            let f = &m.figures;
            let _ = writeln!(
                out,
                "  {:<14} {:>9} {:>12} {:>12} {:>12} {:>12} {:>12}",
                m.material,
                pct(&f.fill_rate),
                est(&f.stockouts, 1),
                est(&f.stockout_hours, 1),
                est(&f.stock_avg, 1),
                est(&f.orders, 1),
                est(&f.holding_cost, 0)
            );
        }
        for m in s.materials.iter().filter(|m| m.figures.lost.mean > 0.0) {
            let _ = writeln!(
                out,
                "  {:<14} lost {} units for want of stock, lost-sale cost {}",
                m.material,
                est(&m.figures.lost, 1).trim(),
                est(&m.figures.lost_cost, 0).trim()
            );
        }
        let _ = writeln!(
            out,
            "\n  {:<14} {:>9} {:>12} {:>12} {:>12} {:>14}",
            "supplier", "on time", "defective", "rejected", "spend", "scrap it caused"
        );
        for x in &s.suppliers {
            let f = &x.figures;
            let _ = writeln!(
                out,
                "  {:<14} {:>9} {:>12} {:>12} {:>12} {:>14}",
                x.supplier,
                pct(&f.on_time),
                est(&f.defective, 1),
                est(&f.rejected, 1),
                est(&f.spend, 0),
                est(&f.downstream_cost, 0)
            );
        }
    }
    if let Some(d) = &s.delivery {
        let lt = TimeUnit::for_hours(d.lead_time_mean_h.mean);
        let lead_label = format!("order lead time ({})", lt.name());
        let _ = writeln!(out, "\n  customer orders");
        let rows = [
            ("orders completed", est(&d.orders_completed, 1)),
            (
                "on time (orders / units)",
                format!(
                    "{} / {}",
                    pct(&d.on_time_orders).trim(),
                    pct(&d.on_time_units).trim()
                ),
            ),
            (
                "tardiness mean / p90 / max (h)",
                format!(
                    "{} / {} / {}",
                    est(&d.tardiness_mean_h, 2),
                    est(&d.tardiness_p90_h, 2),
                    est(&d.tardiness_max_h, 2)
                ),
            ),
            (
                lead_label.as_str(),
                est(&d.lead_time_mean_h.scaled(lt.per_hour()), 2),
            ),
            ("backlog (units, time-avg)", est(&d.backlog_avg, 1)),
        ];
        for (k, v) in rows {
            let _ = writeln!(out, "  {k:<32} {v}");
        }
        if !d.fill_rate.mean.is_nan() {
            let _ = writeln!(
                out,
                "  {:<32} {}",
                "fill rate from stock",
                pct(&d.fill_rate).trim()
            );
        }
        if d.units_lost.mean > 0.0 {
            let no_stock = s.products.iter().any(|p| p.figures.units_lost.mean > 0.0);
            let _ = writeln!(
                out,
                "  {:<32} {} orders, {} units",
                if no_stock {
                    "lost (patience, or no stock)"
                } else {
                    "lost (patience ran out)"
                },
                est(&d.orders_lost, 1),
                est(&d.units_lost, 1)
            );
            for p in s
                .products
                .iter()
                .filter(|p| p.figures.units_lost.mean > 0.0)
            {
                let _ = writeln!(
                    out,
                    "  {:<32} {} units (fill rate {})",
                    format!("  of which {}, no stock", p.product),
                    est(&p.figures.units_lost, 1).trim(),
                    pct(&p.figures.fill_rate).trim()
                );
            }
        }
        if d.units_outsourced.mean > 0.0 {
            let _ = writeln!(
                out,
                "  {:<32} {} orders, {} units",
                "sent to contractors",
                est(&d.orders_outsourced, 1),
                est(&d.units_outsourced, 1)
            );
        }
    }
    out.push_str(&super::service::service_block(scenario, results));
    let c = &s.costs;
    // Labour alone is in the pool table already.
    if beyond_labour(c) {
        let _ = writeln!(
            out,
            "\n  costs over the observed period{}",
            currency_suffix(f)
        );
        let lines = [
            ("labour, regular", &c.labour_regular),
            ("labour, overtime", &c.labour_overtime),
            ("materials", &c.materials),
            ("outsourcing", &c.outsourcing),
            ("machine running", &c.machine_running),
            ("machines' fixed costs", &c.machine_fixed),
            ("preventive maintenance", &c.maintenance),
            ("transport (movers)", &c.transport),
            ("automation capital charge", &c.automation_capital),
            ("WIP holding", &c.wip_holding),
            ("stock holding", &c.stock_holding),
            ("late-delivery penalties", &c.late_penalty),
            ("lost-sale penalties", &c.lost_sales),
            ("raw materials consumed", &c.raw_materials),
            ("raw-material holding", &c.raw_holding),
        ];
        for (k, e) in lines {
            if e.mean != 0.0 {
                let _ = writeln!(out, "  {k:<32} {}", est(e, 0));
            }
        }
        let _ = writeln!(out, "  {:<32} {}", "total cost", est(&c.total, 0));
        if c.revenue.mean != 0.0 {
            let _ = writeln!(out, "  {:<32} {}", "revenue", est(&c.revenue, 0));
            let _ = writeln!(out, "  {:<32} {}", "profit", est(&c.profit, 0));
        }
        let _ = writeln!(
            out,
            "  {:<32} {}",
            "cost per good unit",
            est(&c.per_good_unit, 2)
        );
    }
    if c.poor_quality.mean > 0.0 {
        poor_quality_block(&mut out, s);
    }
    if results.variants.len() > 1 {
        out.push_str(&comparison_table(results, &currency_suffix(f)));
    }
    out.push_str(&super::risk::risk_block(scenario, results));
    for v in &results.variants {
        let Some(a) = &v.investment else {
            continue;
        };
        let (quick, slow) = a.payback_years_range;
        let cur = currency_after(f);
        let charged = if a.capital_charge > 0.0 {
            format!(
                ", charged {:.0}{cur} over the observed period",
                a.capital_charge
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "\n  investment in {}: {} — capital {:.0}{cur}{charged}\n    against {}: labour saved {}{cur}; operating gain per year {}{cur} → payback {}",
            v.name,
            a.bought(),
            a.capital,
            a.compared_with,
            est(&a.labour_saved, 0),
            est(&a.operating_gain_per_year, 0),
            if a.payback_years.is_finite() {
                format!(
                    "{:.1} years (95% CI {:.1} to {})",
                    a.payback_years,
                    quick,
                    if slow.is_finite() {
                        format!("{slow:.1}")
                    } else {
                        "never".to_string()
                    }
                )
            } else {
                "never (no operating gain)".to_string()
            }
        );
        let (low, high) = a.break_even_capital_range;
        let _ = writeln!(
            out,
            "\n    pays back within {} years at a capital of at most {:.0}{cur} (95% CI {low:.0} to {high:.0}){}",
            a.payback_within_years,
            a.break_even_capital,
            match (a.break_even_per_machine, a.break_even_per_machine_range) {
                (Some(m), Some((l, u))) => format!(": {m:.0} per machine ({l:.0} to {u:.0})"),
                _ => String::new(),
            }
        );
    }
    out
}

/// The baseline's mean of KPI `name`.
fn base_kpi(results: &RunResults, name: &str) -> f64 {
    kpi(name).map_or(f64::NAN, |k| results.baseline().estimate(k).mean)
}

/// Whether the plant has revenue or costs other than labour.
/// The mover pools: how their time splits, their moves, the wait for a
/// mover, their cost and bottleneck shares.
fn movers_block(out: &mut String, s: &crate::experiment::Summary) {
    let _ = writeln!(
        out,
        "\n  {:<14} {:>6} {:>7} {:>7} {:>7} {:>14} {:>14} {:>13} {:>12} {:>9} {:>9}",
        "mover pool",
        "movers",
        "loaded",
        "empty",
        "idle",
        "moves",
        "wait (min)",
        "in transport",
        "cost",
        "bn sole",
        "bn shift"
    );
    for m in &s.movers {
        let f = &m.figures;
        let mark = if s.bottleneck_is_mover && m.mover == s.bottleneck {
            " ◀ bottleneck"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<14} {:>6} {:>7} {:>7} {:>7} {:>14} {:>14} {:>13} {:>12} {:>9} {:>9}{}",
            m.mover,
            m.movers,
            pct(&f.loaded),
            pct(&f.empty),
            pct(&f.idle),
            est(&f.moves, 1),
            est(&f.wait_mean_min, 2),
            est(&f.in_transport_avg, 2),
            est(&f.cost, 0),
            pct(&f.bottleneck_sole),
            pct(&f.bottleneck_shifting),
            mark
        );
    }
}

fn beyond_labour(c: &crate::experiment::CostSummary) -> bool {
    let labour = c.labour_regular.mean + c.labour_overtime.mean;
    c.revenue.mean != 0.0 || (c.total.mean - labour).abs() > 1e-9 * labour.abs().max(1.0)
}

/// Signed estimate, e.g. `+1.23 ± 0.40`.
fn signed(e: &Estimate, digits: usize) -> String {
    if e.mean.is_nan() {
        "—".into()
    } else if e.half_width.is_nan() {
        format!("{:+.*}", digits, e.mean)
    } else {
        format!("{:+.*} ± {:.*}", digits, e.mean, digits, e.half_width)
    }
}

/// Variants against the baseline: the ranking KPI and the main KPIs with
/// paired differences.
fn comparison_table(results: &RunResults, currency: &str) -> String {
    let mut out = String::new();
    let base = &results.baseline().summary;
    let mut shown = vec!["throughput_per_hour"];
    if delivered_differs(results) {
        shown.push("delivered_per_hour");
    }
    if base.delivery.is_some() {
        shown.extend(["on_time_orders", "lead_time_mean_h"]);
    } else {
        shown.extend(["cycle_time_mean_min", "wip_avg"]);
    }
    if base.costs.revenue.mean != 0.0 {
        shown.push("profit");
    } else if beyond_labour(&base.costs) {
        shown.push("total_cost");
    } else if results.variants.iter().any(|v| !v.summary.pools.is_empty()) {
        shown.push("labour_cost");
    }
    let _ = writeln!(
        out,
        "\nvariants (paired differences from the baseline, 95% CI; ranked on {}):\n",
        results.ranking.kpi
    );
    let w = results
        .variants
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = write!(out, "  {:>4}  {:<w$}", "rank", "variant");
    // Times in the unit the baseline's mean reads best in; money with
    // the scenario's currency.
    let time_unit = |name: &str| -> Option<TimeUnit> {
        let e = base_kpi(results, name);
        match name {
            "cycle_time_mean_min" => Some(TimeUnit::for_minutes(e)),
            "lead_time_mean_h" => Some(TimeUnit::for_hours(e)),
            _ => None,
        }
    };
    for &k in &shown {
        let k = kpi(k).expect("known KPI");
        let label = match (k.name, time_unit(k.name)) {
            ("cycle_time_mean_min", Some(u)) => format!("cycle time mean ({})", u.name()),
            ("lead_time_mean_h", Some(u)) => format!("order lead time ({})", u.name()),
            ("profit" | "total_cost" | "revenue" | "labour_cost", _) => {
                format!("{}{}", k.label, currency)
            }
            _ => k.label.to_string(),
        };
        let _ = write!(out, " {label:>30}");
    }
    let _ = writeln!(out);
    for (pos, &i) in results.ranking.order.iter().enumerate() {
        let v = &results.variants[i];
        let flag = if results.ranking.indistinguishable_from_best[i] {
            "*"
        } else {
            " "
        };
        let _ = write!(out, "  {:>3}{flag}  {:<w$}", pos + 1, v.name);
        for &k in &shown {
            let k = kpi(k).expect("known KPI");
            let e = v.estimate(k);
            let ki = KPIS
                .iter()
                .position(|x| x.name == k.name)
                .expect("known KPI");
            // Shares as percentages, money in whole units.
            let (scale, digits, unit) = match (k.name, time_unit(k.name)) {
                ("on_time_orders" | "on_time_units" | "fill_rate", _) => (100.0, 1, "%"),
                ("profit" | "total_cost" | "revenue" | "labour_cost", _) => (1.0, 0, ""),
                ("cycle_time_mean_min", Some(u)) => (u.per_minute(), 2, ""),
                ("lead_time_mean_h", Some(u)) => (u.per_hour(), 2, ""),
                _ => (1.0, 2, ""),
            };
            let d = &v.vs_baseline[ki].diff;
            let diff = Estimate {
                mean: d.mean * scale,
                half_width: d.half_width * scale,
                ..*d
            };
            let cell = if i == 0 {
                format!("{:.digits$}{unit}", e.mean * scale)
            } else {
                format!(
                    "{:.digits$}{unit} ({})",
                    e.mean * scale,
                    signed(&diff, digits)
                )
            };
            let _ = write!(out, " {cell:>30}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "\n  * statistically indistinguishable from the best (paired 95% CI of the difference contains 0)"
    );
    out
}

/// The cost of poor quality, its parts and its share per product: a part
/// of the cost lines, not a line of its own.
fn poor_quality_block(out: &mut String, s: &crate::experiment::Summary) {
    let c = &s.costs;
    let _ = writeln!(
        out,
        "  {:<32} {} (within the costs above)",
        "cost of poor quality",
        est(&c.poor_quality, 0)
    );
    let parts = [
        ("material in scrapped parts", &c.poor_quality_materials),
        ("labour in scrapped parts", &c.poor_quality_labour),
        ("machines in scrapped parts", &c.poor_quality_machines),
        ("rework (labour and machines)", &c.poor_quality_rework),
    ];
    for (words, e) in parts {
        if e.mean > 0.0 {
            let _ = writeln!(out, "    {words:<30} {}", est(e, 0));
        }
    }
    if s.products.len() > 1 {
        for p in &s.products {
            let f = &p.figures;
            let _ = writeln!(
                out,
                "    {:<30} {}",
                format!("product {}", p.product),
                est(&f.poor_quality, 0)
            );
        }
    }
    let hours: f64 = s.products.iter().map(|p| p.figures.rework_hours.mean).sum();
    if hours > 0.0 {
        let _ = writeln!(out, "    {:<30} {hours:.1}", "rework machine-hours (mean)");
    }
}
