//! Deterministic scenarios traced by hand, reproduced exactly: the event
//! log (`--trace`) and the KPIs computed from it on paper.

use shopfloor::model::{MachineState, TraceRecord, simulate};

use crate::common::scenario;

/// `(minute, event, station, part)` of each trace line, dropping
/// `release` lines' station (they have none).
fn compact(trace: &[TraceRecord]) -> Vec<(f64, &'static str, String, Option<u64>)> {
    trace
        .iter()
        .map(|t| (t.time_s / 60.0, t.event, t.station.clone(), t.part))
        .collect()
}

fn ev(
    min: f64,
    event: &'static str,
    station: &str,
    part: u64,
) -> (f64, &'static str, String, Option<u64>) {
    (min, event, station.to_string(), Some(part))
}

/// A two-station line with no buffer between them, so the first machine
/// blocks. Parts arrive every 4 minutes (first at 4), A takes 3 minutes,
/// B takes 5. Worked by hand over 20 minutes:
///
/// ```text
///  t   event
///  4   p0 released, starts on A (ends 7)
///  7   p0 done at A, B idle → starts on B (ends 12)
///  8   p1 released, starts on A (ends 11)
/// 11   p1 done at A, B busy and its buffer holds 0 → A blocked
/// 12   p0 done at B (finish, cycle 8); scheduled at t=7, before the
///      arrival at 12 (scheduled at t=8), so it runs first; A unblocks,
///      p1 starts on B (ends 17)
/// 12   p2 released, starts on A (ends 15)
/// 15   p2 done at A → blocked
/// 16   p3 released, A blocked → waits in A's buffer
/// 17   p1 done at B (finish, cycle 9); p2 moves to B (ends 22); A takes
///      p3 (ends 20)
/// 20   end of horizon: scheduled at time 0, so it precedes both the end
///      of p3 at A and the arrival at 20, which were scheduled later
/// ```
#[test]
fn blocking_line_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "20m"
replications = 1
[stations.A]
[stations.B]
buffer = 0
[products.p]
release = { interarrival = "4m" }
routing = [{ station = "A", process = "3m" }, { station = "B", process = "5m" }]
"#,
    );
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let got = compact(&trace.unwrap());
    let rel = |min: f64, part: u64| (min, "release", String::new(), Some(part));
    let want = vec![
        rel(4.0, 0),
        ev(4.0, "process_start", "A", 0),
        ev(7.0, "process_end", "A", 0),
        ev(7.0, "process_start", "B", 0),
        rel(8.0, 1),
        ev(8.0, "process_start", "A", 1),
        ev(11.0, "process_end", "A", 1),
        ev(11.0, "blocked", "A", 1),
        ev(12.0, "process_end", "B", 0),
        ev(12.0, "finish", "B", 0),
        ev(12.0, "unblock", "A", 1),
        ev(12.0, "process_start", "B", 1),
        rel(12.0, 2),
        ev(12.0, "process_start", "A", 2),
        ev(15.0, "process_end", "A", 2),
        ev(15.0, "blocked", "A", 2),
        rel(16.0, 3),
        ev(16.0, "enqueue", "A", 3),
        ev(17.0, "process_end", "B", 1),
        ev(17.0, "finish", "B", 1),
        ev(17.0, "unblock", "A", 2),
        ev(17.0, "process_start", "B", 2),
        ev(17.0, "process_start", "A", 3),
    ];
    assert_eq!(got, want);

    // KPIs from the same hand trace.
    assert_eq!(r.good, 2);
    assert_eq!(r.released, 4);
    assert!((r.cycle_time_mean_min - 8.5).abs() < 1e-9);
    // WIP area: p0 [4,12] + p1 [8,17] + p2 [12,20] + p3 [16,20] = 29 part-min.
    assert!((r.wip_avg - 29.0 / 20.0).abs() < 1e-9);
    // p3 waited in A's buffer during [16,17].
    assert!((r.stations[0].queue_avg - 1.0 / 20.0).abs() < 1e-9);
    assert!((r.wip_waiting_avg - 1.0 / 20.0).abs() < 1e-9);
    let a = &r.stations[0].state_shares;
    // A: busy 3+3+3+3 = 12, blocked 1+2 = 3, starved 4+1 = 5 minutes.
    assert!((a[MachineState::Busy as usize] - 12.0 / 20.0).abs() < 1e-9);
    assert!((a[MachineState::Blocked as usize] - 3.0 / 20.0).abs() < 1e-9);
    assert!((a[MachineState::Starved as usize] - 5.0 / 20.0).abs() < 1e-9);
    // B: starved until 7, then busy.
    let b = &r.stations[1].state_shares;
    assert!((b[MachineState::Busy as usize] - 13.0 / 20.0).abs() < 1e-9);
    assert_eq!(r.busiest_station, "B");
}

fn failure_scenario(clock: &str) -> shopfloor::scenario::Scenario {
    scenario(&format!(
        r#"
[simulation]
horizon = "20m"
replications = 1
[stations.M]
failures = {{ time_to_failure = "5m", repair = "2m", clock = "{clock}" }}
[products.p]
release = "saturated"
routing = [{{ station = "M", process = "3m" }}]
"#
    ))
}

/// Breakdowns on the operating clock interrupt an operation, which resumes
/// after repair. A saturated machine, 3-minute operations, failing after 5
/// minutes of work, 2-minute repairs:
///
/// ```text
///  0 p0 starts (ends 3); 3 p0 done, p1 starts with 2 min of life left
///  5 failure, 1 min of p1 left; 7 repaired, p1 resumes (ends 8)
///  8 p1 done (cycle 5); p2 runs 8–11; life left 1
/// 11 p3 starts; 12 failure, 2 min left; 14 repaired (ends 16)
/// 16 p3 done; p4 runs 16–19 using exactly the 3 min of life left
/// 19 p4 done; p5 starts with no life left: failure at once, repair to 21
/// 20 end
/// ```
#[test]
fn operating_clock_failures_by_hand() {
    let s = failure_scenario("operating");
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let got: Vec<(f64, &str)> = trace
        .unwrap()
        .iter()
        .filter(|t| matches!(t.event, "failure" | "repair_end" | "finish"))
        .map(|t| (t.time_s / 60.0, t.event))
        .collect();
    assert_eq!(
        got,
        vec![
            (3.0, "finish"),
            (5.0, "failure"),
            (7.0, "repair_end"),
            (8.0, "finish"),
            (11.0, "finish"),
            (12.0, "failure"),
            (14.0, "repair_end"),
            (16.0, "finish"),
            (19.0, "finish"),
            (19.0, "failure"),
        ]
    );
    assert_eq!(r.good, 5);
    let m = &r.stations[0].state_shares;
    assert!((m[MachineState::Down as usize] - 5.0 / 20.0).abs() < 1e-9);
    assert!((m[MachineState::Busy as usize] - 15.0 / 20.0).abs() < 1e-9);
    assert_eq!(r.stations[0].failures, 3);
}

/// The same machine on the calendar clock: failures at 5, 12 (= 7 + 5) and
/// 19 (= 14 + 5) whatever the machine does. At 19 the failure was
/// scheduled (at 14) before p4's end (at 16), so it strikes first and p4
/// is not finished; the stale end event is dropped.
///
/// ```text
///  0–3 p0; 3 p1 starts (ends 6); 5 failure (1 min left); 7 repaired (ends 8)
///  8–11 p2; 11 p3 starts (ends 14); 12 failure (2 left); 14 repaired (ends 16)
/// 16 p4 starts (ends 19); 19 failure first, then the stale end is ignored
/// ```
#[test]
fn calendar_clock_failures_by_hand() {
    let s = failure_scenario("calendar");
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let got: Vec<(f64, &str)> = trace
        .unwrap()
        .iter()
        .filter(|t| matches!(t.event, "failure" | "repair_end" | "finish"))
        .map(|t| (t.time_s / 60.0, t.event))
        .collect();
    assert_eq!(
        got,
        vec![
            (3.0, "finish"),
            (5.0, "failure"),
            (7.0, "repair_end"),
            (8.0, "finish"),
            (11.0, "finish"),
            (12.0, "failure"),
            (14.0, "repair_end"),
            (16.0, "finish"),
            (19.0, "failure"),
        ]
    );
    assert_eq!(r.good, 4);
    let m = &r.stations[0].state_shares;
    assert!((m[MachineState::Down as usize] - 5.0 / 20.0).abs() < 1e-9);
}

/// Setup is paid when a machine switches product, not otherwise. Two
/// saturated products alternate on one machine (round robin), so every
/// operation after the first needs a changeover: each cycle is
/// setup 1 + process 2 = 3 minutes, ending at 3, 6, 9 and 12. Over 13
/// minutes: 4 parts, and 5 minutes of setup (the fifth part's changeover
/// runs 12–13).
#[test]
fn setup_on_product_change_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "13m"
replications = 1
[stations.M]
[products.a]
release = "saturated"
routing = [{ station = "M", process = "2m", setup = "1m" }]
[products.b]
release = "saturated"
routing = [{ station = "M", process = "2m", setup = "1m" }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 4);
    assert_eq!(r.good_per_product, vec![2, 2]);
    let m = &r.stations[0].state_shares;
    assert!((m[MachineState::Setup as usize] - 5.0 / 13.0).abs() < 1e-9);

    // One product only: a single setup at the start, then none.
    let s = scenario(
        r#"
[simulation]
horizon = "12m"
replications = 1
[stations.M]
[products.a]
release = "saturated"
routing = [{ station = "M", process = "2m", setup = "1m" }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    // 1 min setup, then parts end at 3, 5, 7, 9, 11 (13 is past the end).
    assert_eq!(r.good, 5);
}

/// Blocking before service: a machine does not start until the next
/// buffer has room, and holds the reservation while it works. A (2 min)
/// feeds B (5 min) through a zero buffer; A saturated.
///
/// ```text
/// 0 p0 on A (B idle: room reserved); 2 p0 to B (ends 7)
/// 2 p1 loaded on A, B busy, no room → A waits (blocked, not processing)
/// 7 p0 done; room: p1 starts on A, reserving B (ends 9); 9 p1 to B (ends 14)
/// 9 p2 waits; 14 p1 done, p2 starts on A (ends 16) … horizon 20: p0, p1 done
/// ```
#[test]
fn blocking_before_service_by_hand() {
    let s = scenario(
        r#"
[simulation]
horizon = "20m"
replications = 1
[stations.A]
blocking = "before_service"
[stations.B]
buffer = 0
[products.p]
release = "saturated"
routing = [{ station = "A", process = "2m" }, { station = "B", process = "5m" }]
"#,
    );
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let starts: Vec<(f64, String)> = trace
        .unwrap()
        .iter()
        .filter(|t| t.event == "process_start")
        .map(|t| (t.time_s / 60.0, t.station.clone()))
        .collect();
    let want: Vec<(f64, String)> = [
        (0.0, "A"),
        (2.0, "B"),
        (7.0, "A"),
        (9.0, "B"),
        (14.0, "A"),
        (16.0, "B"),
    ]
    .iter()
    .map(|(t, s)| (*t, s.to_string()))
    .collect();
    assert_eq!(starts, want);
    assert_eq!(r.good, 2);
    // A: busy 0–2, 7–9, 14–16 = 6 min; blocked 2–7, 9–14, 16–20 = 14 min.
    let a = &r.stations[0].state_shares;
    assert!((a[MachineState::Busy as usize] - 6.0 / 20.0).abs() < 1e-9);
    assert!((a[MachineState::Blocked as usize] - 14.0 / 20.0).abs() < 1e-9);
}
