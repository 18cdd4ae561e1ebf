//! Preventive maintenance, against hand traces: constant process, failure,
//! repair and maintenance times make every instant computable.

use shopfloor::model::{MachineState, ReplicationResult, simulate};

use crate::common::scenario;
use crate::theory::{assert_agrees, replicate};

/// Runs replication 0 with a trace; returns the result and the hours of
/// each event named `event` at station `station`.
fn run(text: &str) -> (ReplicationResult, Vec<(String, String, f64)>) {
    let s = scenario(text);
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let t = trace
        .unwrap()
        .iter()
        .map(|t| (t.event.to_string(), t.station.clone(), t.time_s / 3600.0))
        .collect();
    (r, t)
}

fn times(trace: &[(String, String, f64)], event: &str, station: &str) -> Vec<f64> {
    trace
        .iter()
        .filter(|(e, s, _)| e == event && s == station)
        .map(|x| x.2)
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Maintenance by count, one technician shared by two single-machine
/// stations, saturated, constant times (minutes):
/// - station a: 60-minute parts, maintenance after every 2 parts, 30 min;
/// - station b: 50-minute parts, maintenance after every 2 parts, 30 min.
///
/// b finishes parts at 50, 100 → maintained 100–130; a finishes at 60, 120
/// → due at 120, but the technician is at b until 130: a waits 120–130
/// (waiting for a technician) and is maintained 130–160. b: parts at 180,
/// 230 → maintained 230–260, then a part at 310. a: parts at 220, 280 →
/// maintained 280–310. Over 300 minutes: a made 4 parts, b 4; a spent 10
/// min waiting for the technician and 30 + 20 in maintenance, b 60; the
/// technician worked 30 + 30 + 30 + 20 = 110 min. Each job costs 40: jobs
/// finished are a's one and b's two, 120 in all.
#[test]
fn maintenance_by_count_with_a_shared_crew_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "300m"
replications = 1
[workers.tech]
count = 1
[stations.a]
maintenance = { every_parts = 2, duration = "30m", crew = "tech", cost = 40 }
[stations.b]
maintenance = { every_parts = 2, duration = "30m", crew = "tech", cost = 40 }
[products.p]
release = "saturated"
routing = [{ station = "a", process = "60m" }]
[products.q]
release = "saturated"
routing = [{ station = "b", process = "50m" }]
"#);
    let min = |v: Vec<f64>| v.iter().map(|h| (h * 60.0).round()).collect::<Vec<_>>();
    assert_eq!(
        min(times(&trace, "maintenance_start", "a")),
        vec![130.0, 280.0]
    );
    assert_eq!(
        min(times(&trace, "maintenance_start", "b")),
        vec![100.0, 230.0]
    );
    assert_eq!(min(times(&trace, "maintenance_end", "a")), vec![160.0]);
    assert_eq!(
        min(times(&trace, "maintenance_end", "b")),
        vec![130.0, 260.0]
    );
    assert_eq!(
        min(times(&trace, "maintenance_due", "a")),
        vec![120.0, 280.0]
    );
    assert_eq!(r.good_per_product, vec![4, 4], "{:?}", r.good_per_product);
    let (a, b) = (&r.stations[0], &r.stations[1]);
    let share = |s: &shopfloor::model::StationResult, m: MachineState| s.state_shares[m as usize];
    assert!(close(
        share(a, MachineState::WaitingTechnician),
        10.0 / 300.0
    ));
    assert!(close(share(a, MachineState::Maintenance), 50.0 / 300.0));
    assert!(close(share(b, MachineState::Maintenance), 60.0 / 300.0));
    assert_eq!((a.maintenance_jobs, b.maintenance_jobs), (1, 2));
    assert!(
        close(r.pools[0].busy_hours, 110.0 / 60.0),
        "{:?}",
        r.pools[0]
    );
    assert!(close(r.costs.maintenance, 120.0), "{:?}", r.costs);
    assert!(close(r.costs.total, 120.0));
}

/// Calendar maintenance, two machines of one station, staggered: every 4 h,
/// machine 0 first due at 2 h and machine 1 at 4 h; 1-hour parts, 30-minute
/// maintenance, no crew. Machine 0 is busy when its maintenance falls due at
/// 2 h (the part in hand ends at 2 h): maintained 2–2.5, parts at 3.5, 4.5,
/// 5.5, 6.5, due again at 6.5 (2.5 + 4): maintained 6.5–7, then a part at
/// 8. Machine 1: parts at 1, 2, 3, 4, maintained 4–4.5, parts at 5.5, 6.5,
/// 7.5. By 7 h 50 min: 6 + 7 = 13 parts; maintenance 1 h of machine 0's
/// and 0.5 h of machine 1's time.
#[test]
fn calendar_maintenance_staggered_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "470m"
replications = 1
[stations.m]
machines = 2
maintenance = { every = "4h", duration = "30m" }
[products.p]
release = "saturated"
routing = [{ station = "m", process = "1h" }]
"#);
    assert_eq!(times(&trace, "maintenance_start", "m"), vec![2.0, 4.0, 6.5]);
    assert_eq!(r.good, 13);
    let s = &r.stations[0];
    assert!(close(
        s.state_shares[MachineState::Maintenance as usize],
        1.5 / (2.0 * 470.0 / 60.0)
    ));
    assert_eq!(s.maintenance_jobs, 3);
}

/// Maintenance renews the machine: a constant time to failure of 2.5
/// operating hours, 15-minute repairs, 1-hour parts, maintenance of 30 min
/// after every 2 parts.
/// - As good as new: the failure clock restarts at every maintenance (at 2
///   operating hours), so the machine never fails: parts at 1, 2, 3.5, 4.5,
///   6, 7, 8.5 h by 9.5 h.
/// - Not renewed: parts at 1, 2; maintained 2–2.5; part 3 starts at 2.5 and
///   fails at 3.0 (2.5 operating hours), repaired 3–3.25, done at 3.75; part
///   4 at 4.75; maintained 4.75–5.25; part 5 done at 6.25 (2.5 operating
///   hours since the repair), and the machine fails as it would start the
///   next: repaired 6.25–6.5; part 6 at 7.5; maintained 7.5–8; part 7 at 9.
///   By 9.5 h: 7 parts, 2 failures.
#[test]
fn maintenance_renews_the_failure_clock_by_hand() {
    let text = |renew: bool| {
        format!(
            r#"
[simulation]
horizon = "570m"
replications = 1
[stations.m]
failures = {{ time_to_failure = "150m", repair = "15m" }}
maintenance = {{ every_parts = 2, duration = "30m", as_good_as_new = {renew} }}
[products.p]
release = "saturated"
routing = [{{ station = "m", process = "1h" }}]
"#
        )
    };
    let (r, trace) = run(&text(true));
    assert_eq!(r.stations[0].failures, 0);
    assert_eq!(
        times(&trace, "finish", "m"),
        vec![1.0, 2.0, 3.5, 4.5, 6.0, 7.0, 8.5]
    );
    let (r, trace) = run(&text(false));
    assert_eq!(times(&trace, "failure", "m"), vec![3.0, 6.25]);
    assert_eq!(
        times(&trace, "finish", "m"),
        vec![1.0, 2.0, 3.75, 4.75, 6.25, 7.5, 9.0]
    );
    assert_eq!(r.stations[0].failures, 2);
}

/// Maintenance by operating hours survives the warm-up reset of the state
/// timers: due after 2.5 operating hours, 1-hour parts, 30 minutes. Due at
/// the end of the part that crosses 2.5 h: maintained 3–3.5 (3 operating
/// hours), then parts at 4.5, 5.5, 6.5 (3 hours since) → maintained
/// 6.5–7, part at 8: 7 parts by 8.5 h. With a 2-hour warm-up, the same
/// instants; 6 parts are counted (the statistics restart at 2 h before the
/// part that ends then, as the warm-up end was scheduled first).
#[test]
fn maintenance_by_operating_hours_by_hand() {
    for warmup in ["0s", "2h"] {
        let (r, trace) = run(&format!(
            r#"
[simulation]
horizon = "510m"
warmup = "{warmup}"
replications = 1
[stations.m]
maintenance = {{ every_operating = "150m", duration = "30m" }}
[products.p]
release = "saturated"
routing = [{{ station = "m", process = "1h" }}]
"#
        ));
        assert_eq!(times(&trace, "maintenance_start", "m"), vec![3.0, 6.5]);
        let counted = if warmup == "0s" { 7 } else { 6 };
        assert_eq!(r.good, counted, "warm-up {warmup}");
    }
}

/// Calendar-clock failures do not strike a machine under maintenance: a
/// renewing maintenance draws the time to failure again at its end; one
/// that does not renew lets the failure that fell due strike at its end.
/// Constant time to failure 3 h on the calendar clock, repairs 15 min;
/// maintenance every 2 h (one machine: first due at 2 h) lasting 1 h,
/// idle machine (no parts).
/// - Renewing: maintained 2–3, 5–6, 8–9, …; the failure due at 3 h is
///   cancelled at 3 h and drawn again (due at 6), where the machine is
///   maintained again… it never fails.
/// - Not renewing: maintained 2–3; the failure due at 3 h strikes at 3,
///   repaired 3–3.25, next failure at 6.25; maintenance due at 5 → 5–6;
///   failure at 6.25 → 6.5, next at 9.5; maintenance at 8–9; failure at
///   9.5. By 10 h: failures at 3, 6.25, 9.5.
#[test]
fn calendar_failures_during_maintenance_by_hand() {
    let text = |renew: bool| {
        format!(
            r#"
[simulation]
horizon = "10h"
replications = 1
[stations.m]
failures = {{ time_to_failure = "3h", repair = "15m", clock = "calendar" }}
maintenance = {{ every = "2h", duration = "1h", as_good_as_new = {renew} }}
[products.p]
release = {{ interarrival = "100w" }}
routing = [{{ station = "m", process = "1m" }}]
"#
        )
    };
    let (_, trace) = run(&text(true));
    assert_eq!(times(&trace, "failure", "m"), Vec::<f64>::new());
    assert_eq!(times(&trace, "maintenance_start", "m"), vec![2.0, 5.0, 8.0]);
    let (_, trace) = run(&text(false));
    assert_eq!(times(&trace, "failure", "m"), vec![3.0, 6.25, 9.5]);
    assert_eq!(times(&trace, "maintenance_start", "m"), vec![2.0, 5.0, 8.0]);
}

/// Renewal reward, any distributions: a saturated machine maintained after
/// every N parts makes N parts per cycle of N·E[S] + E[D]. Process times
/// exponential with mean 10 min, N = 20, maintenance exponential with mean
/// 60 min: 20 / 260 parts a minute (4.615 an hour), and maintenance holds
/// the machine 60 / 260 = 23.08% of the time.
#[test]
fn maintenance_by_count_renewal_reward() {
    let s = scenario(
        r#"
[simulation]
horizon = "201d"
warmup = "1d"
replications = 10
seed = 3
[stations.m]
maintenance = { every_parts = 20, duration = { dist = "exponential", mean = "60m" } }
[products.p]
release = "saturated"
routing = [{ station = "m", process = { dist = "exponential", mean = "10m" } }]
"#,
    );
    let reps = replicate(&s);
    // A cycle in progress at either end of the 200-day window: at most one
    // cycle's worth (20 parts, 260 min) out of 200 × 1 440 minutes.
    let bias = 260.0 / (200.0 * 1440.0);
    assert_agrees(
        "throughput per hour",
        reps.iter().map(|r| r.throughput_per_hour),
        20.0 / 260.0 * 60.0,
        bias * 20.0 / 260.0 * 60.0,
    );
    assert_agrees(
        "share of time in maintenance",
        reps.iter()
            .map(|r| r.stations[0].state_shares[MachineState::Maintenance as usize]),
        60.0 / 260.0,
        bias,
    );
}

/// Calendar maintenance of a saturated machine with exponential process
/// times (mean S = 30 min): when maintenance falls due T = 8 h after the
/// last one ended, the machine first finishes its part, whose remaining
/// time is again exponential with mean S (memorylessness), then is
/// maintained for D = 1 h. Cycles of T + S + D = 9.5 h: maintenance
/// 1 / 9.5 = 10.53% of the time, busy 8.5 / 9.5.
#[test]
fn calendar_maintenance_waits_for_the_part_in_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "401d"
warmup = "1d"
replications = 10
seed = 4
[stations.m]
maintenance = { every = "8h", duration = "1h" }
[products.p]
release = "saturated"
routing = [{ station = "m", process = { dist = "exponential", mean = "30m" } }]
"#,
    );
    let reps = replicate(&s);
    let bias = 9.5 / (400.0 * 24.0);
    assert_agrees(
        "share of time in maintenance",
        reps.iter()
            .map(|r| r.stations[0].state_shares[MachineState::Maintenance as usize]),
        1.0 / 9.5,
        bias,
    );
    assert_agrees(
        "share of time busy",
        reps.iter()
            .map(|r| r.stations[0].state_shares[MachineState::Busy as usize]),
        8.5 / 9.5,
        bias,
    );
}

/// At a batch station `every_parts` counts batches, and maintenance due
/// goes in once the batch has left. Parts arrive every minute (the first
/// at 1 min) through an instant station; the oven takes batches of exactly
/// 2 for 10 minutes and is maintained for 5 minutes after every batch:
/// batches start at 2, 17 and 32 min (the parts waiting at the end of each
/// maintenance), maintenance at 12 and 27 min.
#[test]
fn maintenance_after_every_batch_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "40m"
replications = 1
[stations.oven]
buffer = 100
batch = { min = 2, max = 2 }
maintenance = { every_parts = 1, duration = "5m" }
[stations.pre]
[products.p]
release = { interarrival = "1m" }
routing = [{ station = "pre", process = "0s" }, { station = "oven", process = "10m" }]
"#);
    let min = |v: Vec<f64>| v.iter().map(|h| (h * 60.0).round()).collect::<Vec<_>>();
    assert_eq!(
        min(times(&trace, "maintenance_start", "oven")),
        vec![12.0, 27.0]
    );
    let loads = min(times(&trace, "batch_load", "oven"));
    assert_eq!(loads, vec![2.0, 2.0, 17.0, 17.0, 32.0, 32.0]);
    let oven = r.stations.iter().find(|s| s.station == "oven").unwrap();
    assert_eq!(oven.maintenance_jobs, 2);
}
