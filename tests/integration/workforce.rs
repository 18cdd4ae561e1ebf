//! Workers: operator pools and repair crews, against closed forms and by
//! hand.

use shopfloor::model::{MachineState, simulate};

use crate::common::scenario;
use crate::theory::{assert_agrees, erlang_c, replicate};

/// Three machines but two operators: the station serves at most two parts
/// at a time, so it is an M/M/2 queue. Poisson arrivals every 75 s
/// (λ = 0.8/min), exponential 2-minute operations (μ = 0.5/min): a = 1.6,
/// ρ = 0.8, Erlang C(2, 1.6) = 0.7111, Lq = C·ρ/(1−ρ) = 2.844, L = Lq + a =
/// 4.444, W = L/λ = 5.556 min. Operators are busy a/2 = 80% of the time.
/// Parts waiting include those loaded on an idle machine waiting for an
/// operator, so the station's queue alone is not Lq; WIP and W are.
///
/// Run: 20 replications of 350 days after a 1-day warm-up. Bias allowance
/// as in the theory module: 2L²/(δT) with δ = 2μ − λ = 0.2/min.
#[test]
fn operators_limit_a_station_like_servers() {
    let s = scenario(
        r#"
[simulation]
horizon = "351d"
warmup = "1d"
replications = 20
seed = 11
[workers.crew]
count = 2
stations = ["press"]
wage = 30.0
[stations.press]
machines = 3
[products.p]
release = { interarrival = { dist = "exponential", mean = "75s" } }
routing = [{ station = "press", process = { dist = "exponential", mean = "2m" }, operators = 1 }]
"#,
    );
    let reps = replicate(&s);
    let (lambda, a) = (0.8, 1.6);
    let c = erlang_c(2, a);
    let lq = c * 0.8 / 0.2;
    let l = lq + a;
    let w = l / lambda;
    let t = 350.0 * 24.0 * 60.0;
    let bias = 2.0 * l * l / (0.2 * t);
    assert_agrees(
        "M/M/2 via operators: L",
        reps.iter().map(|r| r.wip_avg),
        l,
        bias,
    );
    assert_agrees(
        "M/M/2 via operators: W",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        bias / lambda + 2.0 * l / (lambda * t),
    );
    assert_agrees(
        "operator utilisation",
        reps.iter().map(|r| r.pools[0].utilisation),
        a / 2.0,
        2.0 * l * 2.0 / (2.0 * t),
    );
    // Labour cost reconciles with hours × rate, and busy hours with the
    // machines' busy time (one operator per busy machine, no setups or
    // failures here).
    for r in &reps {
        let p = &r.pools[0];
        assert!((p.paid_hours - 2.0 * r.observed_hours).abs() < 1e-9 * p.paid_hours);
        assert!((p.labour_cost - 30.0 * p.paid_hours).abs() < 1e-9 * p.labour_cost);
        assert!((p.idle_paid_hours + p.busy_hours - p.paid_hours).abs() < 1e-6 * p.paid_hours);
        let busy_machine_hours =
            r.stations[0].state_shares[MachineState::Busy as usize] * 3.0 * r.observed_hours;
        assert!(
            (p.busy_hours - busy_machine_hours).abs() < 1e-6 * p.busy_hours,
            "operator hours {} vs busy machine hours {}",
            p.busy_hours,
            busy_machine_hours
        );
        assert!((r.labour_cost_per_good - p.labour_cost / r.good as f64).abs() < 1e-9);
    }
}

/// The machine-repairman model: k = 5 machines that always have work
/// (saturated), exponential time to failure with mean 4 h (λ = 0.25/h per
/// running machine), exponential repairs with mean 1 h (μ = 1/h), r = 2
/// technicians. With n machines down, failures occur at (k−n)λ and repairs
/// at min(n, r)μ; the stationary law is
/// p_n ∝ k!/(k−n)! · (λ/μ)^n / (n! for n ≤ r, r!·r^(n−r) for n > r).
/// Checked: mean machines down (down + waiting for a technician) and mean
/// busy technicians. Bias: one repair cycle (5 h) over T, times k.
#[test]
fn repair_crew_matches_machine_repairman() {
    let s = scenario(
        r#"
[simulation]
horizon = "351d"
warmup = "1d"
replications = 20
seed = 5
[workers.maintenance]
count = 2
[stations.cell]
machines = 5
failures = { time_to_failure = { dist = "exponential", mean = "4h" }, repair = { dist = "exponential", mean = "1h" }, clock = "calendar", repair_crew = "maintenance" }
[products.p]
release = "saturated"
routing = [{ station = "cell", process = { dist = "exponential", mean = "10m" } }]
"#,
    );
    let (k, r, rho) = (5usize, 2usize, 0.25f64);
    let mut w = Vec::new();
    let mut falling = 1.0; // k!/(k−n)!
    for n in 0..=k {
        if n > 0 {
            falling *= (k - n + 1) as f64;
        }
        let denom = if n <= r {
            (1..=n).product::<usize>() as f64
        } else {
            (1..=r).product::<usize>() as f64 * (r as f64).powi((n - r) as i32)
        };
        w.push(falling * rho.powi(n as i32) / denom);
    }
    let total: f64 = w.iter().sum();
    let p: Vec<f64> = w.iter().map(|x| x / total).collect();
    let down: f64 = p.iter().enumerate().map(|(n, q)| n as f64 * q).sum();
    let busy_techs: f64 = p.iter().enumerate().map(|(n, q)| n.min(r) as f64 * q).sum();

    let reps = replicate(&s);
    let t_hours = 350.0 * 24.0;
    let bias = k as f64 * 5.0 / t_hours;
    let shares = |r: &shopfloor::model::ReplicationResult, st: MachineState| {
        r.stations[0].state_shares[st as usize]
    };
    assert_agrees(
        "machines down (repair + waiting for a technician)",
        reps.iter().map(|x| {
            k as f64 * (shares(x, MachineState::Down) + shares(x, MachineState::WaitingTechnician))
        }),
        down,
        bias,
    );
    assert_agrees(
        "busy technicians",
        reps.iter().map(|x| x.pools[0].utilisation * 2.0),
        busy_techs,
        bias,
    );
    // Waiting for a technician happens exactly when more than r are down.
    let waiting: f64 = p
        .iter()
        .enumerate()
        .map(|(n, q)| n.saturating_sub(r) as f64 * q)
        .sum();
    assert_agrees(
        "machines waiting for a technician",
        reps.iter()
            .map(|x| k as f64 * shares(x, MachineState::WaitingTechnician)),
        waiting,
        bias,
    );
}

/// Hand trace: one operator, two machines, 4-minute operations with the
/// operator needed for the first minute only ("load and walk away"), parts
/// always available. The operator loads machine 0 at 0, is free at 1, loads
/// machine 1 at 1 (free at 2); machine 0 finishes at 4 and is reloaded at 4
/// (operator busy 4–5), machine 1 finishes at 5 and is reloaded at 5… each
/// machine cycles every 4 minutes, the operator works 2 minutes in 4.
/// Over 20 minutes: finishes at 4, 5, 8, 9, 12, 13, 16, 17 → 8 parts.
#[test]
fn load_and_walk_away_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "20m"
replications = 1
[workers.ops]
count = 1
stations = ["lathe"]
[stations.lathe]
machines = 2
[products.p]
release = "saturated"
routing = [{ station = "lathe", process = "4m", operators = 1, operator_for = "1m" }]
"#,
    );
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let finishes: Vec<f64> = trace
        .unwrap()
        .iter()
        .filter(|t| t.event == "finish")
        .map(|t| t.time_s / 60.0)
        .collect();
    assert_eq!(finishes, vec![4.0, 5.0, 8.0, 9.0, 12.0, 13.0, 16.0, 17.0]);
    assert_eq!(r.good, 8);
    // Operator: busy 0–2, 4–6, 8–10, 12–14, 16–18 = 10 of 20 minutes.
    assert!(
        (r.pools[0].utilisation - 0.5).abs() < 1e-9,
        "{}",
        r.pools[0].utilisation
    );
    // Machine 1 waits for the operator during 0–1: 1 of 40 machine-minutes.
    let w = r.stations[0].state_shares[MachineState::WaitingOperator as usize];
    assert!((w - 1.0 / 40.0).abs() < 1e-9, "{w}");
}

/// Setup-only operators: a changeover needs the setter; processing runs
/// unattended. Two saturated products alternate on one machine: setup 1 min
/// (setter busy), process 2 min (setter free). Parts end at 3, 6 and 9; the
/// one ending at 12 ties with the end of the horizon, which was scheduled
/// first, so it does not count. Setter busy 0–1, 3–4, 6–7, 9–10.
#[test]
fn setup_only_operators_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "12m"
replications = 1
[workers.setters]
count = 1
stations = ["m"]
[stations.m]
[products.a]
release = "saturated"
routing = [{ station = "m", process = "2m", setup = "1m", operators = 1, operator_for = "setup" }]
[products.b]
release = "saturated"
routing = [{ station = "m", process = "2m", setup = "1m", operators = 1, operator_for = "setup" }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 3);
    assert!(
        (r.pools[0].utilisation - 4.0 / 12.0).abs() < 1e-9,
        "{}",
        r.pools[0].utilisation
    );
}

fn shift_scenario(
    rule: &str,
    extra: &str,
    days: &str,
    horizon: &str,
) -> shopfloor::scenario::Scenario {
    scenario(&format!(
        r#"
[simulation]
horizon = "{horizon}"
replications = 1
[calendars.day]
shifts = [{{ start = "08:00", end = "12:00" }}]
days = {days}
shift_end = "{rule}"
{extra}
[workers.ops]
count = 1
stations = ["m"]
wage = 10.0
calendar = "day"
[stations.m]
[products.p]
release = "saturated"
routing = [{{ station = "m", process = "3h", operators = 1 }}]
"#
    ))
}

const EVERY_DAY: &str = r#"["mon", "tue", "wed", "thu", "fri", "sat", "sun"]"#;

/// Hours at which parts finish, from the trace.
fn finishes(s: &shopfloor::scenario::Scenario) -> (shopfloor::model::ReplicationResult, Vec<f64>) {
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let f = trace
        .unwrap()
        .iter()
        .filter(|t| t.event == "finish")
        .map(|t| t.time_s / 3600.0)
        .collect();
    (r, f)
}

fn share(r: &shopfloor::model::ReplicationResult, s: MachineState) -> f64 {
    r.stations[0].state_shares[s as usize]
}

/// One operator on an 08:00–12:00 shift every day, 3-hour operations,
/// two days. Rule "finish": the 11:00 part runs to 14:00 with its operator
/// on overtime; parts end at 11, 14, 35, 38 h. Paid 8 regular + 4 overtime
/// hours: cost (8 + 4 × 1.5) × 10 = 140. The machine is off shift 0–8,
/// 14–32 and 38–48 h: 36 of 48 hours.
#[test]
fn shift_end_finish_by_hand() {
    let (r, f) = finishes(&shift_scenario("finish", "", EVERY_DAY, "2d"));
    assert_eq!(f, vec![11.0, 14.0, 35.0, 38.0]);
    let p = &r.pools[0];
    assert!(
        (p.paid_hours - 12.0).abs() < 1e-9 && (p.overtime_hours - 4.0).abs() < 1e-9,
        "{p:?}"
    );
    assert!((p.busy_hours - 12.0).abs() < 1e-9, "{p:?}");
    assert!((p.labour_cost - 140.0).abs() < 1e-9, "{p:?}");
    assert!((share(&r, MachineState::OffShift) - 36.0 / 48.0).abs() < 1e-9);
}

/// Rule "pause": the part started at 11:00 stops at 12:00 with 2 h left and
/// resumes at 08:00 the next day (ends 34 h); the next runs 34–36 h and is
/// paused with 1 h left. Paid 8 h, no overtime; off shift 0–8, 12–32,
/// 36–48 h = 40 h.
#[test]
fn shift_end_pause_by_hand() {
    let (r, f) = finishes(&shift_scenario("pause", "", EVERY_DAY, "2d"));
    assert_eq!(f, vec![11.0, 34.0]);
    let p = &r.pools[0];
    assert!(
        (p.paid_hours - 8.0).abs() < 1e-9 && p.overtime_hours.abs() < 1e-9,
        "{p:?}"
    );
    assert!((p.labour_cost - 80.0).abs() < 1e-9);
    assert!((share(&r, MachineState::OffShift) - 40.0 / 48.0).abs() < 1e-9);
}

/// Rule "no_overrun": at 11:00 a 3-hour operation would end after 12:00,
/// so it waits (for an operator, 11–12) and starts at 08:00 the next day.
/// Parts end at 11 and 35 h; the operator works 6 of 8 paid hours.
#[test]
fn shift_end_no_overrun_by_hand() {
    let (r, f) = finishes(&shift_scenario("no_overrun", "", EVERY_DAY, "2d"));
    assert_eq!(f, vec![11.0, 35.0]);
    let p = &r.pools[0];
    assert!(
        (p.busy_hours - 6.0).abs() < 1e-9 && (p.paid_hours - 8.0).abs() < 1e-9,
        "{p:?}"
    );
    assert!((share(&r, MachineState::WaitingOperator) - 2.0 / 48.0).abs() < 1e-9);
    assert!((share(&r, MachineState::OffShift) - 40.0 / 48.0).abs() < 1e-9);
}

/// Scheduled overtime 12:00–14:00 on Monday after the 08:00–12:00 shift
/// (rule "finish"): parts end at 11 and 14 h; the part started at 14:00
/// (the overtime end, scheduled later than that part's end) runs to 17:00
/// on overtime. Regular 4 h, overtime 2 + 3 = 5 h: cost (4 + 7.5) × 10.
#[test]
fn scheduled_overtime_by_hand() {
    let extra = r#"overtime = [{ days = ["mon"], start = "12:00", end = "14:00" }]"#;
    let (r, f) = finishes(&shift_scenario("finish", extra, r#"["mon"]"#, "1d"));
    assert_eq!(f, vec![11.0, 14.0, 17.0]);
    let p = &r.pools[0];
    assert!((p.overtime_hours - 5.0).abs() < 1e-9, "{p:?}");
    assert!((p.labour_cost - 115.0).abs() < 1e-9, "{p:?}");
}

/// Calendars: weekends and holidays have no shifts; a night shift runs
/// past midnight; breaks are cut out.
#[test]
fn calendar_intervals_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "2w"
[calendars.c]
shifts = [{ start = "06:00", end = "14:00", breaks = [{ start = "10:00", end = "10:30" }] },
          { start = "22:00", end = "06:00" }]
days = ["mon", "tue", "wed", "thu", "fri"]
holidays = [2]
[workers.w]
count = 1
calendar = "c"
[stations.m]
[products.p]
release = "saturated"
routing = [{ station = "m", process = "1m" }]
"#,
    );
    let cal = s.factory.pools[0].calendar.as_ref().unwrap();
    let iv = cal.intervals(7.0 * 86_400.0, false);
    let h = |x: f64| x / 3600.0;
    // Monday: 06–10, 10:30–14, 22–30 (06:00 Tuesday) joins Tuesday's 06–10.
    assert_eq!((h(iv[0].start), h(iv[0].end)), (6.0, 10.0));
    assert_eq!((h(iv[1].start), h(iv[1].end)), (10.5, 14.0));
    assert_eq!((h(iv[2].start), h(iv[2].end)), (22.0, 34.0));
    // Wednesday (day 2) is a holiday: Tuesday's night shift ends at 54 h
    // (06:00 Wednesday), and the next work is Thursday 06:00 = 78 h.
    let after_tue: Vec<(f64, f64)> = iv
        .iter()
        .map(|i| (h(i.start), h(i.end)))
        .filter(|(a, _)| *a >= 40.0)
        .take(2)
        .collect();
    assert_eq!(after_tue, vec![(46.0, 54.0), (78.0, 82.0)]);
    // No work starts on Saturday or Sunday (days 5 and 6), except Friday's
    // night shift running into Saturday morning.
    assert!(
        iv.iter()
            .all(|i| !(h(i.start) >= 5.0 * 24.0 + 6.0 && h(i.start) < 7.0 * 24.0))
    );
    let total: f64 = iv.iter().map(|i| h(i.end - i.start)).sum();
    // 4 working days × (7.5 + 8) hours.
    assert!((total - 4.0 * 15.5).abs() < 1e-9, "{total}");
}

/// One worker both runs and repairs a lathe. At a breakdown the operator
/// leaves the machine and repairs it, then runs it again: nothing
/// deadlocks, and since the worker is never needed in two places the
/// lathe's availability is that of an uncrewed machine on the operating
/// clock, MTBF/(MTBF + MTTR) = 2h/2.5h = 0.8, so it makes
/// A/E[S] = 0.8 × 6 = 4.8 parts/h. Bias: one failure cycle over T.
#[test]
fn one_worker_operates_and_repairs_without_deadlock() {
    let s = scenario(
        r#"
[simulation]
horizon = "101d"
warmup = "1d"
replications = 20
seed = 3
[workers.solo]
count = 1
stations = ["lathe"]
[stations.lathe]
failures = { time_to_failure = { dist = "exponential", mean = "2h" }, repair = { dist = "exponential", mean = "30m" }, repair_crew = "solo" }
[products.p]
release = "saturated"
routing = [{ station = "lathe", process = { dist = "exponential", mean = "10m" }, operators = 1 }]
"#,
    );
    let reps = replicate(&s);
    let t_hours = 100.0 * 24.0;
    assert_agrees(
        "throughput with one worker",
        reps.iter().map(|r| r.throughput_per_hour),
        4.8,
        6.0 * 2.5 / t_hours,
    );
    // The worker is always either running or repairing the lathe.
    for r in &reps {
        assert!(
            (r.pools[0].utilisation - 1.0).abs() < 1e-9,
            "{}",
            r.pools[0].utilisation
        );
    }
}

/// Overtime by policy, as a property over random scenarios: at every end of
/// a regular shift, overtime starts exactly when the WIP (counted from the
/// trace) is above the threshold and the caps leave room; authorised
/// overtime never exceeds the caps per day and per week.
#[test]
fn overtime_policy_triggers_exactly_and_respects_caps() {
    overtime_property(false);
}

/// The same property with the backlog trigger: customer orders of one unit
/// each for a product made to stock (so that the backlog, orders waiting
/// for stock, differs from the WIP, parts replenishing it), the backlog
/// counted from the trace (+1 at an order's arrival, −1 at its completion).
#[test]
fn overtime_on_backlog_triggers_exactly_and_respects_caps() {
    overtime_property(true);
}

fn overtime_property(backlog: bool) {
    use shopfloor::engine::Stream;
    let mut rng = Stream::new(if backlog { 98 } else { 99 }, 0, "overtime-property");
    let (mut granted, mut refused_with_high_wip) = (0, 0);
    for case in 0..25 {
        let threshold = (rng.uniform() * 12.0) as u32;
        let extend = 1 + (rng.uniform() * 3.0) as u32; // hours
        let per_day = 1 + (rng.uniform() * 3.0) as u32;
        let per_week = 2 + (rng.uniform() * 8.0) as u32;
        let arrival_min = 4 + (rng.uniform() * 8.0) as u32;
        let (trigger, release) = if backlog {
            (
                format!("backlog_above = {threshold}"),
                format!(
                    r#"stock = 2
orders = {{ interarrival = {{ dist = "exponential", mean = "{arrival_min}m" }}, due_in = "1d" }}"#
                ),
            )
        } else {
            (
                format!("wip_above = {threshold}"),
                format!(
                    r#"release = {{ interarrival = {{ dist = "exponential", mean = "{arrival_min}m" }} }}"#
                ),
            )
        };
        let s = scenario(&format!(
            r#"
[simulation]
horizon = "3w"
replications = 1
seed = {case}
[calendars.day]
shifts = [{{ start = "07:00", end = "15:00" }}]
[calendars.day.overtime_policy]
extend_by = "{extend}h"
max_per_day = "{per_day}h"
max_per_week = "{per_week}h"
{trigger}
[workers.ops]
count = 1
stations = ["m"]
calendar = "day"
[stations.m]
[products.p]
{release}
routing = [{{ station = "m", process = {{ dist = "exponential", mean = "4m" }}, operators = 1 }}]
"#
        ));
        let (_, trace) = simulate(&s.factory, s.seed, 0, true);
        let trace = trace.unwrap();
        let mut wip: i64 = 0;
        let mut open: Option<f64> = None;
        let mut per_day_used = std::collections::BTreeMap::<i64, f64>::new();
        let mut per_week_used = std::collections::BTreeMap::<i64, f64>::new();
        let mut checked = 0;
        for t in &trace {
            let h = t.time_s / 3600.0;
            match t.event {
                "release" if !backlog => wip += 1,
                "finish" | "scrap" if !backlog => wip -= 1,
                "order_arrival" if backlog => wip += 1,
                "order_complete" if backlog => wip -= 1,
                "overtime_start" => {
                    assert!(
                        wip > i64::from(threshold),
                        "case {case}: overtime at {h} h with WIP {wip} ≤ {threshold}"
                    );
                    open = Some(h);
                    checked += 1;
                    granted += 1;
                }
                "shift_end" => match open.take() {
                    Some(start) => {
                        let len = h - start;
                        assert!(
                            len <= f64::from(extend) + 1e-9,
                            "case {case}: extension {len} h"
                        );
                        *per_day_used
                            .entry((start / 24.0).floor() as i64)
                            .or_default() += len;
                        *per_week_used
                            .entry((start / 168.0).floor() as i64)
                            .or_default() += len;
                    }
                    None => {
                        // A regular shift ended without overtime: the
                        // trigger did not hold, or a cap was used up.
                        let day = (h / 24.0).floor() as i64;
                        let week = (h / 168.0).floor() as i64;
                        let day_left =
                            f64::from(per_day) - per_day_used.get(&day).copied().unwrap_or(0.0);
                        let week_left =
                            f64::from(per_week) - per_week_used.get(&week).copied().unwrap_or(0.0);
                        if wip > i64::from(threshold) {
                            refused_with_high_wip += 1;
                        }
                        assert!(
                            wip <= i64::from(threshold) || day_left <= 1e-9 || week_left <= 1e-9,
                            "case {case}: no overtime at {h} h although WIP {wip} > {threshold} and caps left ({day_left} h, {week_left} h)"
                        );
                        checked += 1;
                    }
                },
                _ => {}
            }
        }
        assert!(checked >= 10, "case {case}: only {checked} shift ends");
        for (d, used) in per_day_used {
            assert!(
                used <= f64::from(per_day) + 1e-9,
                "case {case}: day {d} had {used} h"
            );
        }
        for (w, used) in per_week_used {
            assert!(
                used <= f64::from(per_week) + 1e-9,
                "case {case}: week {w} had {used} h"
            );
        }
    }
    // The cases exercise both outcomes: overtime granted, and refused by a
    // cap although the trigger held.
    assert!(
        granted > 20 && refused_with_high_wip > 5,
        "granted {granted}, refused by caps {refused_with_high_wip}"
    );
}

/// Absenteeism: each of 10 workers is absent on a day with probability
/// 0.2, independently, and absent workers are not paid. Paid hours are
/// 24 × (10 − Bin(10, 0.2)) a day: 192 a day on average; absences 2 a day.
#[test]
fn absences_thin_the_crew_by_the_binomial_mean() {
    let s = scenario(
        r#"
[simulation]
horizon = "100d"
replications = 20
seed = 8
[workers.crew]
count = 10
stations = ["m"]
absence = 0.2
[stations.m]
machines = 4
[products.p]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [{ station = "m", process = { dist = "exponential", mean = "20m" }, operators = 1 }]
"#,
    );
    let reps = replicate(&s);
    assert_agrees(
        "paid hours a day",
        reps.iter().map(|r| r.pools[0].paid_hours / 100.0),
        192.0,
        0.0,
    );
    assert_agrees(
        "absences a day",
        reps.iter().map(|r| r.pools[0].absences as f64 / 100.0),
        2.0,
        0.0,
    );
}

/// Fatigue by hand: one operator around the clock, 1-hour operations;
/// after 12 hours in the working day (from midnight, no calendar) work
/// takes twice as long. Day 1: parts end at 1, 2, …, 12 h, then every 2 h
/// to 24 h (18 parts). Day 2 starts fresh at 24 h (the day start was
/// scheduled before the end of the part at 24 h): 25 … 36 h, then 38 … 46 h;
/// the part ending at 48 h ties with the horizon and is not counted. 35.
#[test]
fn fatigue_stretches_late_work_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
replications = 1
[workers.solo]
count = 1
stations = ["m"]
fatigue = { after = "12h", process_factor = 2.0 }
[stations.m]
[products.p]
release = "saturated"
routing = [{ station = "m", process = "1h", operators = 1 }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 35);
}

/// The overtime policy extends shifts, never breaks: with a trigger that
/// always holds, overtime starts only at 16:00 (the shift's end), not at
/// the 12:00 break.
#[test]
fn overtime_policy_does_not_extend_breaks() {
    let s = scenario(
        r#"
[simulation]
horizon = "1w"
replications = 1
[calendars.day]
shifts = [{ start = "08:00", end = "16:00", breaks = [{ start = "12:00", end = "12:30" }] }]
[calendars.day.overtime_policy]
extend_by = "1h"
wip_above = 0
[workers.ops]
count = 1
stations = ["m"]
calendar = "day"
[stations.m]
[products.p]
release = { interarrival = { dist = "exponential", mean = "5m" } }
routing = [{ station = "m", process = { dist = "exponential", mean = "10m" }, operators = 1 }]
"#,
    );
    let (_, trace) = simulate(&s.factory, s.seed, 0, true);
    let starts: Vec<f64> = trace
        .unwrap()
        .iter()
        .filter(|t| t.event == "overtime_start")
        .map(|t| (t.time_s / 3600.0) % 24.0)
        .collect();
    assert_eq!(starts.len(), 5, "one per working day: {starts:?}");
    assert!(starts.iter().all(|h| (h - 16.0).abs() < 1e-9), "{starts:?}");
}

/// A worker drawn absent while busy at midnight finishes (and is paid) but
/// does not come back: busy time never exceeds paid time.
#[test]
fn absent_workers_finish_their_work_paid() {
    let s = scenario(
        r#"
[simulation]
horizon = "30d"
replications = 8
seed = 4
[workers.crew]
count = 4
stations = ["m"]
absence = 0.5
[stations.m]
machines = 4
[products.p]
release = "saturated"
routing = [{ station = "m", process = { dist = "exponential", mean = "5h" }, operators = 1 }]
"#,
    );
    for r in replicate(&s) {
        let p = &r.pools[0];
        assert!(p.utilisation <= 1.0 + 1e-9, "utilisation {}", p.utilisation);
        assert!(
            p.idle_paid_hours >= -1e-6,
            "idle paid hours {}",
            p.idle_paid_hours
        );
        assert!(p.absences > 0);
    }
}

/// A station with its own calendar runs only in working time: an
/// unattended machine on an 08:00–16:00 calendar every day, 1-hour
/// operations, parts always there. Parts end at 9, 10, …, 16 h each day
/// (the one started at 15:00 finishes at 16:00 under the default "finish"
/// rule): 8 a day, 16 in two days; the machine is off shift 16 of every 24
/// hours. The calendar's stand-in crew is not reported as a worker pool.
#[test]
fn station_calendar_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
replications = 1
[calendars.day]
shifts = [{ start = "08:00", end = "16:00" }]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
[stations.oven]
calendar = "day"
[products.p]
release = "saturated"
routing = [{ station = "oven", process = "1h" }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 16);
    assert!(r.pools.is_empty());
    assert!((r.stations[0].state_shares[MachineState::OffShift as usize] - 2.0 / 3.0).abs() < 1e-9);
    assert!((r.labour_cost).abs() < 1e-12);

    // A station whose operations need operators follows their pool's
    // calendar instead: giving it one too is refused.
    let text = r#"
[simulation]
horizon = "2d"
[calendars.day]
shifts = [{ start = "08:00", end = "16:00" }]
[workers.w]
count = 1
stations = ["oven"]
[stations.oven]
calendar = "day"
[products.p]
release = "saturated"
routing = [{ station = "oven", process = "1h", operators = 1 }]
"#;
    let e = shopfloor::scenario::parse(std::path::Path::new("x.toml"), text).unwrap_err();
    assert!(
        e.0[0].message.contains("follows their pool's calendar"),
        "{e}"
    );
}

/// "no_overrun" judges a whole operation, setup and processing: two
/// products alternate (a 30-minute changeover before each part, then 100
/// minutes of processing) on an 08:00–12:00 shift. Product a runs
/// 08:00–10:10; product b would need until 12:20, so it waits for the next
/// day even though its setup alone would fit. Day 1: 08:00–10:10 b.
#[test]
fn no_overrun_counts_setup_and_processing() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
replications = 1
[calendars.day]
shifts = [{ start = "08:00", end = "12:00" }]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
shift_end = "no_overrun"
[workers.ops]
count = 1
stations = ["m"]
calendar = "day"
[stations.m]
[products.a]
release = "saturated"
routing = [{ station = "m", process = "100m", setup = "30m", operators = 1 }]
[products.b]
release = "saturated"
routing = [{ station = "m", process = "100m", setup = "30m", operators = 1 }]
"#,
    );
    let (r, f) = finishes(&s);
    assert_eq!(f, vec![8.0 + 130.0 / 60.0, 32.0 + 130.0 / 60.0]);
    assert_eq!(r.good_per_product, vec![1, 1]);
}

/// "No overrun" with fatigue: an operation is not started when its
/// operators, tired by then, would stretch it past the end of the shift.
/// One operator works 08:00–15:45; after 2 h of the working day processing
/// takes 1.5 × 60 = 90 min. Parts finish at 09:00 and 10:00 (fresh), then
/// 11:30, 13:00 and 14:30 (tired). At 14:30 a part would end at 16:00, past
/// 15:45, so it waits for the next morning, when the operator is fresh
/// again (ignoring fatigue, the rule would have let it start: 60 min fit).
#[test]
fn no_overrun_counts_fatigue() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
replications = 1
[calendars.day]
shifts = [{ start = "08:00", end = "15:45" }]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
shift_end = "no_overrun"
[workers.ops]
count = 1
stations = ["m"]
calendar = "day"
fatigue = { after = "2h", process_factor = 1.5 }
[stations.m]
[products.a]
release = "saturated"
routing = [{ station = "m", process = "60m", operators = 1 }]
"#,
    );
    let (_, f) = finishes(&s);
    let day = [9.0, 10.0, 11.5, 13.0, 14.5];
    let expected: Vec<f64> = day.iter().chain(&day.map(|h| h + 24.0)).copied().collect();
    assert_eq!(f, expected);
}

/// One operator on `calendar` (the body of `[calendars.day]`, every day)
/// running one machine fed without end by `routing`'s single operation.
fn tie_scenario(calendar: &str, operation: &str, horizon: &str) -> shopfloor::scenario::Scenario {
    scenario(&format!(
        r#"
[simulation]
horizon = "{horizon}"
replications = 1
[calendars.day]
days = {EVERY_DAY}
{calendar}
[workers.ops]
count = 1
stations = ["m"]
wage = 10.0
calendar = "day"
[stations.m]
[products.p]
release = "saturated"
routing = [{{ station = "m", {operation} }}]
"#
    ))
}

/// 2-hour operations on an 08:00–12:00 shift: the second part of each
/// day ends exactly as the shift ends. Under every rule it is finished
/// then (10, 12, 34, 36 h), not paused with nothing left until the next
/// morning (which made it end at 32 h under "pause"); the operator works
/// all 8 paid hours and none of overtime.
#[test]
fn work_that_ends_as_the_shift_ends_is_finished() {
    for rule in ["pause", "finish", "no_overrun"] {
        let s = tie_scenario(
            &format!(
                r#"shifts = [{{ start = "08:00", end = "12:00" }}]
shift_end = "{rule}""#
            ),
            r#"process = "2h", operators = 1"#,
            "2d",
        );
        let (r, f) = finishes(&s);
        assert_eq!(f, vec![10.0, 12.0, 34.0, 36.0], "{rule}");
        let p = &r.pools[0];
        assert!(
            (p.paid_hours - 8.0).abs() < 1e-9 && p.overtime_hours.abs() < 1e-9,
            "{rule}: {p:?}"
        );
        assert!((p.busy_hours - 8.0).abs() < 1e-9, "{rule}: {p:?}");
        let (_, trace) = simulate(&s.factory, s.seed, 0, true);
        assert!(
            trace.unwrap().iter().all(|t| t.event != "pause"),
            "{rule}: nothing is left to pause"
        );
    }
}

/// A break from 10:00 to 11:00 in an 08:00–13:00 shift, 1-hour operations,
/// rule "pause": the part due at 10:00 is done at 10:00 (not at 11:00
/// after a pause with nothing left), the next runs 11–12, and the one due
/// at 13:00 is done at 13:00.
#[test]
fn work_that_ends_as_a_break_starts_is_finished() {
    let s = tie_scenario(
        r#"shifts = [{ start = "08:00", end = "13:00", breaks = [{ start = "10:00", end = "11:00" }] }]
shift_end = "pause""#,
        r#"process = "1h", operators = 1"#,
        "1d",
    );
    let (r, f) = finishes(&s);
    assert_eq!(f, vec![9.0, 10.0, 12.0, 13.0]);
    assert!(
        (r.pools[0].busy_hours - 4.0).abs() < 1e-9,
        "{:?}",
        r.pools[0]
    );
}

/// The overtime policy (a trigger that always holds: the part on the
/// machine is work in process) extends the 08:00–12:00 shift to 14:00;
/// 2-hour operations end at 10, 12 and 14 h under "pause": the one that
/// ends as the extension ends is finished. Paid 4 regular + 2 overtime
/// hours: (4 + 2 × 1.5) × 10 = 70.
#[test]
fn work_that_ends_as_an_overtime_extension_ends_is_finished() {
    let s = tie_scenario(
        r#"shifts = [{ start = "08:00", end = "12:00" }]
shift_end = "pause"
[calendars.day.overtime_policy]
extend_by = "2h"
wip_above = 0"#,
        r#"process = "2h", operators = 1"#,
        "1d",
    );
    let (r, f) = finishes(&s);
    assert_eq!(f, vec![10.0, 12.0, 14.0]);
    let p = &r.pools[0];
    assert_eq!(p.overtime_authorised, 1, "{p:?}");
    assert!((p.overtime_hours - 2.0).abs() < 1e-9, "{p:?}");
    assert!((p.labour_cost - 70.0).abs() < 1e-9, "{p:?}");
}

/// `operator_for = "setup"` under "pause": the 4-hour setup of the first
/// part runs 08:00–12:00 and ends as the shift ends, so it is done and the
/// 1-hour processing runs unattended 12–13; the following parts need no
/// setup, so run unattended around the clock: parts end at 13, 14, …, 23 h
/// (the one due at 24 h is at the horizon). Before, the setup was paused
/// with nothing left and no part was finished that day.
#[test]
fn a_setup_that_ends_as_the_shift_ends_is_done() {
    let s = tie_scenario(
        r#"shifts = [{ start = "08:00", end = "12:00" }]
shift_end = "pause""#,
        r#"process = "1h", setup = "4h", operators = 1, operator_for = "setup""#,
        "1d",
    );
    let (r, f) = finishes(&s);
    let want: Vec<f64> = (13..24).map(f64::from).collect();
    assert_eq!(f, want);
    assert!(
        (r.pools[0].busy_hours - 4.0).abs() < 1e-9,
        "{:?}",
        r.pools[0]
    );
}

/// Load and walk away under "pause": operators stay for the first 2 hours
/// of a 6-hour operation started at 08:00 on an 08:00–10:00 shift, so they
/// walk away as the shift ends and the operation runs on unattended to
/// 14:00 (before, it was paused at 10:00 with 4 hours left, and finished
/// the next day). The next part needs them again and waits.
#[test]
fn operators_due_to_walk_away_as_the_shift_ends_walk_away() {
    let s = tie_scenario(
        r#"shifts = [{ start = "08:00", end = "10:00" }]
shift_end = "pause""#,
        r#"process = "6h", operators = 1, operator_for = "2h""#,
        "1d",
    );
    let (r, f) = finishes(&s);
    assert_eq!(f, vec![14.0]);
    let p = &r.pools[0];
    assert!((p.busy_hours - 2.0).abs() < 1e-9, "{p:?}");
    assert!(p.overtime_hours.abs() < 1e-9, "{p:?}");
}

/// 0.2 s is not exact in binary: 300 operations of 0.2 s from 08:00 end
/// 2e-10 s after 08:01 in `f64`. On a one-minute shift they count as
/// ending with it (within a microsecond) under every rule: 300 parts, the
/// last at 08:01, none held back by "no_overrun" nor paused by "pause",
/// and no overtime worth counting.
#[test]
fn work_lined_up_with_the_shift_end_on_paper_fits_despite_rounding() {
    for rule in ["pause", "finish", "no_overrun"] {
        let s = tie_scenario(
            &format!(
                r#"shifts = [{{ start = "08:00", end = "08:01" }}]
shift_end = "{rule}""#
            ),
            r#"process = "0.2s", operators = 1"#,
            "1d",
        );
        let (r, f) = finishes(&s);
        assert_eq!(r.good, 300, "{rule}");
        let last = f.last().copied().unwrap_or(0.0);
        assert!((last - (8.0 + 1.0 / 60.0)).abs() < 1e-9, "{rule}: {last}");
        assert!(r.pools[0].overtime_hours < 1e-9, "{rule}: {:?}", r.pools[0]);
    }
}

/// Calendar-clock breakdowns go on while the machine's operators are off
/// shift under the "pause" rule. One machine, time to failure exponential
/// 10 h on the calendar clock, repairs of a constant 30 min, operators on
/// an 06:00–14:00 weekday shift that pauses work at its end. Failures are a
/// renewal process with cycles of 10.5 h whatever the machine does, so over
/// 20 weeks (3 360 h) a replication counts about 3 360 / 10.5 = 320 of
/// them. A pause used to cancel the pending calendar
/// failure, and the machine never failed again.
#[test]
fn calendar_failures_continue_through_paused_shifts() {
    let s = scenario(
        r#"
[simulation]
horizon = "20w"
replications = 10
seed = 5
[calendars.day]
shifts = [{ start = "06:00", end = "14:00" }]
shift_end = "pause"
[workers.ops]
count = 1
stations = ["m"]
calendar = "day"
[stations.m]
failures = { time_to_failure = { dist = "exponential", mean = "10h" }, repair = "30m", clock = "calendar" }
[products.p]
release = "saturated"
routing = [{ station = "m", process = "50m", operators = 1 }]
"#,
    );
    let reps = replicate(&s);
    // Renewal counting: the mean count over T is T/μ plus a start-up term
    // (σ² − μ²)/(2μ²) ≈ −0.05, allowed for as a bias of 1.
    assert_agrees(
        "failures per replication",
        reps.iter().map(|r| r.stations[0].failures as f64),
        3360.0 / 10.5,
        1.0,
    );
}
