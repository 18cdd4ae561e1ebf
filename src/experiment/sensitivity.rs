//! `run --sensitivity`: the value of relieving each constraint.
//!
//! A pilot run of the baseline's replications finds the stations that are
//! most often the bottleneck (active-period method). Then one variant per
//! lever is derived from the baseline — one machine more at each of the
//! top-k bottleneck stations, one worker more in each pool, N hours of
//! scheduled overtime a week on each shift calendar — and run with the
//! other variants. Every lever sees the baseline's random numbers, so its
//! paired difference from the baseline on throughput, on-time delivery and
//! profit is its marginal gain, with a narrow confidence interval.
//!
//! The levers are derived from the scenario and the pilot alone (both
//! deterministic), so every shard of a run derives the same ones, and the
//! manifest records them so that `merge` and `report` rebuild them.

use std::sync::atomic::AtomicBool;

use serde::Serialize;
use toml::Value;

use super::kpi::{KPIS, kpi};
use super::{Comparison, Job, RunResults, break_even, payback_years, run_jobs};
use crate::scenario::{Lever, LeverKind, Scenario};
use crate::stats::Estimate;

/// What `--sensitivity` adds.
#[derive(Clone, Copy, Debug)]
pub struct SensitivityPlan {
    /// Bottleneck stations that get a machine more.
    pub top: usize,
    /// Overtime hours a week added to each shift calendar.
    pub overtime_hours: f64,
}

/// The KPIs a sensitivity reports its gain on, when the scenario defines
/// them.
pub const GAIN_KPIS: [&str; 3] = ["throughput_per_hour", "on_time_orders", "profit"];

/// Mean share of time each station of the baseline was a bottleneck (sole
/// or shifting), over its replications, summed in replication order.
pub fn pilot(scenario: &Scenario, stop: &AtomicBool) -> Vec<f64> {
    let jobs: Vec<Job> = (0..u64::from(scenario.replications))
        .map(|replication| Job {
            variant: 0,
            replication,
        })
        .collect();
    let shares = run_jobs(
        scenario,
        &jobs,
        &|r| {
            Some(
                r.result
                    .stations
                    .iter()
                    .map(|s| s.bottleneck_sole + s.bottleneck_shifting)
                    .collect::<Vec<f64>>(),
            )
        },
        stop,
    );
    let n = shares.len().max(1) as f64;
    let mut mean = vec![0.0; scenario.factory.stations.len()];
    for rep in &shares {
        for (m, x) in mean.iter_mut().zip(rep) {
            *m += x;
        }
    }
    mean.iter().map(|m| m / n).collect()
}

/// The levers of `scenario` given the pilot's bottleneck `shares`: the
/// `top` stations with the largest share (above zero), every pool the
/// scenario lists, every shift calendar. Also returns notes on levers
/// that could not be made (a calendar that works every day).
pub fn levers(
    scenario: &Scenario,
    shares: &[f64],
    plan: &SensitivityPlan,
) -> Result<(Vec<Lever>, Vec<String>), String> {
    let f = &scenario.factory;
    let mut out = Vec::new();
    let mut notes = Vec::new();
    // A name with `.` or `[` cannot be written as an override path.
    let plain = |name: &str, what: &str, notes: &mut Vec<String>| {
        let ok = !name.contains(['.', '[', ']']);
        if !ok {
            notes.push(format!(
                "{what} {name}: its name holds `.` or `[`, so no override path can name it; no lever for it"
            ));
        }
        ok
    };
    // One more of something counted: machines at a station, workers in a
    // pool.
    let one_more = |kind: LeverKind, what: &str, name: &str, path: String, now: u32| Lever {
        name: format!("+1-{what}({name})"),
        kind,
        target: name.to_string(),
        amount: 1.0,
        overrides: vec![(path, Value::Integer(i64::from(now) + 1))],
    };
    let mut order: Vec<usize> = (0..f.stations.len()).filter(|&i| shares[i] > 0.0).collect();
    // Largest share first; the scenario's order breaks ties.
    order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)));
    for &i in order.iter().take(plan.top) {
        let st = &f.stations[i];
        if !plain(&st.name, "station", &mut notes) {
            continue;
        }
        out.push(one_more(
            LeverKind::Machine,
            "machine",
            &st.name,
            format!("stations.{}.machines", st.name),
            st.machines,
        ));
    }
    for p in f.pools.iter().filter(|p| !p.hidden) {
        if !plain(&p.name, "pool", &mut notes) {
            continue;
        }
        out.push(one_more(
            LeverKind::Worker,
            "worker",
            &p.name,
            format!("workers.{}.count", p.name),
            p.count,
        ));
    }
    if plan.overtime_hours > 0.0 {
        let doc: toml::Table = toml::from_str(&scenario.text).map_err(|e| e.to_string())?;
        // The calendars some pool or station works to.
        let used: Vec<&str> = ["workers", "stations"]
            .iter()
            .filter_map(|k| doc.get(*k).and_then(Value::as_table))
            .flat_map(|t| t.values())
            .filter_map(|v| v.get("calendar").and_then(Value::as_str))
            .collect();
        let calendars = doc.get("calendars").and_then(Value::as_table);
        for (name, cal) in calendars.into_iter().flatten() {
            if !used.contains(&name.as_str()) || !plain(name, "calendar", &mut notes) {
                continue;
            }
            match overtime_override(cal, plan.overtime_hours) {
                Some(v) => out.push(Lever {
                    name: format!("+{}h-overtime({name})", plan.overtime_hours),
                    kind: LeverKind::Overtime,
                    target: name.clone(),
                    amount: plan.overtime_hours,
                    overrides: vec![(format!("calendars.{name}.overtime"), v)],
                }),
                None => notes.push(format!(
                    "calendar {name} works or has overtime every day of the week: no day is left for {} h of overtime",
                    plan.overtime_hours
                )),
            }
        }
    }
    Ok((out, notes))
}

/// The calendar's `overtime` list with one more session of `hours` from
/// 06:00 on the first weekday (Saturday first) it neither works nor has
/// overtime on; None when there is no such day.
fn overtime_override(cal: &Value, hours: f64) -> Option<Value> {
    const WEEK: [&str; 7] = ["sat", "sun", "mon", "tue", "wed", "thu", "fri"];
    // Day names as the scenario reader takes them: any case, short or
    // full ("Sat", "saturday").
    let names = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str())
                    .map(|d| d.to_lowercase().chars().take(3).collect())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut busy = match cal.get("days") {
        Some(d) => names(Some(d)),
        None => ["mon", "tue", "wed", "thu", "fri"]
            .map(String::from)
            .to_vec(),
    };
    let mut list: Vec<Value> = cal
        .get("overtime")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for o in &list {
        busy.extend(names(o.get("days")));
    }
    let day = WEEK.iter().find(|d| !busy.iter().any(|b| b == *d))?;
    let end = 6 * 60 + overtime_minutes(hours);
    let (h, m) = (end / 60, end % 60);
    let mut session = toml::Table::new();
    session.insert(
        "days".into(),
        Value::Array(vec![Value::String(day.to_string())]),
    );
    session.insert("start".into(), Value::String("06:00".into()));
    session.insert("end".into(), Value::String(format!("{h:02}:{m:02}")));
    list.push(Value::Table(session));
    Some(Value::Array(list))
}

/// `hours` of overtime in whole minutes.
pub fn overtime_minutes(hours: f64) -> i64 {
    (hours * 60.0).round() as i64
}

/// The overtime a lever may add: a session from 06:00 that ends by 23:59.
pub const OVERTIME_MINUTES: std::ops::RangeInclusive<i64> = 1..=17 * 60 + 59;

/// One lever's marginal gains.
#[derive(Clone, Debug, Serialize)]
pub struct SensitivityOutcome {
    /// The lever.
    pub lever: Lever,
    /// Paired difference from the baseline on each of [`GAIN_KPIS`] the
    /// scenario defines.
    pub gains: Vec<Comparison>,
    /// For one machine more: what it is worth against its price (absent
    /// for other levers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineCase>,
}

/// What one machine more at a station is worth: its profit gain per year
/// against its price, and the most it may cost to pay back in time.
#[derive(Clone, Debug, Serialize)]
pub struct MachineCase {
    /// The station's `capital_per_machine` (None when the scenario gives
    /// none).
    pub price: Option<f64>,
    /// The paired profit gain over the baseline, scaled from the observed
    /// period to a year of 8 760 hours.
    pub gain_per_year: Estimate,
    /// price / mean gain per year (None without a price; infinite when the
    /// gain is not positive).
    pub payback_years: Option<f64>,
    /// The payback at the upper and lower ends of the gain's 95% CI.
    pub payback_years_range: Option<(f64, f64)>,
    /// The payback asked of an investment (`costs.payback_within_years`).
    pub payback_within_years: f64,
    /// The break-even price: the most the machine may cost and still pay
    /// back within `payback_within_years` (mean gain per year × those
    /// years; 0 when the gain is not positive).
    pub break_even_price: f64,
    /// The break-even price at the lower and upper ends of the gain's CI.
    pub break_even_price_range: (f64, f64),
}

/// The case for one machine more, from the profits of the lever's
/// replications and the baseline's, paired.
fn machine_case(scenario: &Scenario, lever: &Lever, base: &[f64], with: &[f64]) -> MachineCase {
    let f = &scenario.factory;
    let year = 8760.0 / ((f.horizon - f.warmup) / crate::engine::HOUR);
    let gain = Estimate::from_values(base.iter().zip(with).map(|(b, v)| (v - b) * year));
    let price = f
        .stations
        .iter()
        .find(|s| s.name == lever.target)
        .map(|s| s.capital_per_machine)
        .filter(|p| *p > 0.0);
    let years = f.policies.payback_within_years;
    MachineCase {
        price,
        payback_years: price.map(|p| payback_years(p, gain.mean)),
        payback_years_range: price
            .map(|p| (payback_years(p, gain.high), payback_years(p, gain.low))),
        payback_within_years: years,
        break_even_price: break_even(gain.mean, years),
        break_even_price_range: (break_even(gain.low, years), break_even(gain.high, years)),
        gain_per_year: gain,
    }
}

/// The gains of every lever among `results`' variants, in variant order.
pub fn outcomes(scenario: &Scenario, results: &RunResults) -> Vec<SensitivityOutcome> {
    let profit = KPIS.iter().position(|k| k.name == "profit").expect("a KPI");
    // A plant without costs (no wages, prices or cost rates) has a profit
    // of 0 in every replication: no profit gain and no machine case.
    let money = results
        .variants
        .iter()
        .any(|v| v.kpis[profit].iter().any(|x| *x != 0.0 && !x.is_nan()));
    let kpis: Vec<usize> = GAIN_KPIS
        .iter()
        .filter_map(|n| kpi(n))
        .filter(|k| k.undefined_in(&scenario.factory).is_none())
        .filter(|k| money || k.name != "profit")
        .map(|k| KPIS.iter().position(|x| x.name == k.name).expect("a KPI"))
        .collect();
    scenario
        .variants
        .iter()
        .zip(&results.variants[1..])
        .filter_map(|(v, o)| {
            let lever = v.lever.clone()?;
            let machine = (money && lever.kind == LeverKind::Machine).then(|| {
                machine_case(
                    scenario,
                    &lever,
                    &results.baseline().kpis[profit],
                    &o.kpis[profit],
                )
            });
            Some(SensitivityOutcome {
                lever,
                gains: kpis.iter().map(|&k| o.vs_baseline[k].clone()).collect(),
                machine,
            })
        })
        .collect()
}

/// The levers of `scenario` derived into variants, appended after its own.
pub fn add_levers(scenario: &mut Scenario, levers: Vec<Lever>) -> Result<(), String> {
    for l in levers {
        if scenario.variants.iter().any(|v| v.name == l.name) {
            return Err(format!(
                "--sensitivity would add the variant \"{}\", but the scenario already has one of that name",
                l.name
            ));
        }
        let mut v = scenario.derive(&l.name, &l.overrides)?;
        v.lever = Some(l);
        scenario.add_variant(v)?;
    }
    Ok(())
}
