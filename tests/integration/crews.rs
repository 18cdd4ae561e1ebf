//! Crews that differ by shift (issue #15 item 8: `count_by_shift`).
//!
//! - Hand traces: a pool of 1 on the early shift and 2 on the late one
//!   (one-hour operations, two machines, a saturated product), and a crew
//!   that shrinks at a back-to-back change while work is in progress (the
//!   `"finish"` rule: the surplus worker finishes on overtime, then goes
//!   home). Parts, paid hours and labour cost equal the hand count.
//! - Property against theory: with exponential process times and the
//!   `"pause"` rule, a saturated pool is busy every paid hour, so its
//!   completions are a Poisson count with mean (Σ crew × shift hours) /
//!   mean process time; paid hours are exactly Σ crew × shift hours.

use shopfloor::model::simulate;

use crate::common::scenario as parse_ok;

fn plant(crews: &str, process: &str, shift_end: &str, horizon: &str, days: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{horizon}"

[calendars.two]
shifts = [
  {{ name = "early", start = "06:00", end = "14:00" }},
  {{ name = "late",  start = "14:00", end = "22:00" }},
]
days = {days}
shift_end = "{shift_end}"

[workers.welders]
{crews}
stations = ["weld"]
wage = 20.0
overtime_premium = 1.5
calendar = "two"

[stations.weld]
machines = 4

[products.frame]
release = "saturated"
routing = [{{ station = "weld", process = {process}, operators = 1 }}]
"#
    )
}

const ALL_WEEK: &str = r#"["mon", "tue", "wed", "thu", "fri", "sat", "sun"]"#;

#[test]
fn one_on_early_two_on_late_by_hand() {
    // Each day: 06–14 one welder, 8 one-hour parts; 14–22 two welders, 16
    // parts. The parts due at 14:00 and 22:00 end exactly as the shift
    // does: no overtime. 7 days: 168 parts, 168 paid hours, all busy.
    let s = parse_ok(&plant(
        "count = 1\ncount_by_shift = { late = 2 }",
        "\"1h\"",
        "finish",
        "7d",
        ALL_WEEK,
    ));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 168);
    let p = &r.pools[0];
    assert!((p.paid_hours - 168.0).abs() < 1e-9, "{}", p.paid_hours);
    assert!(p.overtime_hours.abs() < 1e-9);
    assert!((p.busy_hours - 168.0).abs() < 1e-9);
    assert!((p.labour_cost - 168.0 * 20.0).abs() < 1e-6);
    // The same pool with one welder on both shifts makes 16 a day.
    let one = parse_ok(&plant("count = 1", "\"1h\"", "finish", "7d", ALL_WEEK));
    let (r1, _) = simulate(&one.factory, one.seed, 0, false);
    assert_eq!(r1.good, 7 * 16);
}

#[test]
fn a_smaller_crew_after_a_change_lets_the_surplus_finish_on_overtime() {
    // Early 2, late 1, 90-minute parts, one day. Early: two welders start
    // at 06:00 and finish at 07:30, 09:00, 10:30, 12:00, 13:30 (10 parts);
    // the two parts started at 13:30 are in progress at 14:00. Under
    // "finish" both welders stay; the late crew is one of them, the other
    // is surplus, paid overtime until 15:00 and then goes home (both parts
    // done at 15:00). The late welder then finishes parts at 16:30, 18:00,
    // 19:30, 21:00 and, on overtime, 22:30.
    // Parts 10 + 2 + 4 + 1 = 17. Regular hours 2·8 + 1·8 = 24; overtime
    // 1 (14–15, the surplus welder) + 0.5 (22–22:30) = 1.5.
    let s = parse_ok(&plant(
        "count = 2\ncount_by_shift = { early = 2, late = 1 }",
        "\"90m\"",
        "finish",
        "1d",
        ALL_WEEK,
    ));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 17);
    let p = &r.pools[0];
    assert!(
        (p.overtime_hours - 1.5).abs() < 1e-9,
        "{}",
        p.overtime_hours
    );
    assert!((p.paid_hours - 25.5).abs() < 1e-9, "{}", p.paid_hours);
    let cost = 24.0 * 20.0 + 1.5 * 20.0 * 1.5;
    assert!((p.labour_cost - cost).abs() < 1e-6, "{}", p.labour_cost);
    assert!((r.costs.labour_overtime - 1.5 * 20.0 * 1.5).abs() < 1e-6);
}

#[test]
fn busy_pool_completions_are_poisson_in_the_crew_hours() {
    // Weekdays only, 10 weeks: crew-hours (2·8 + 3·8)·5·10 = 2000. Under
    // "pause", the saturated pool works every paid hour and never beyond;
    // an exponential operation interrupted at a shift end resumes with
    // an exponential remainder in effect, so completions are Poisson with
    // mean 2000 h / 0.5 h = 4000.
    let s = parse_ok(&plant(
        "count = 2\ncount_by_shift = { late = 3 }",
        "{ dist = \"exponential\", mean = \"30m\" }",
        "pause",
        "10w",
        r#"["mon", "tue", "wed", "thu", "fri"]"#,
    ));
    for rep in 0..3 {
        let (r, _) = simulate(&s.factory, s.seed, rep, false);
        let p = &r.pools[0];
        assert!((p.paid_hours - 2000.0).abs() < 1e-6, "{}", p.paid_hours);
        assert!(p.overtime_hours.abs() < 1e-9);
        assert!((p.busy_hours - 2000.0).abs() < 1e-6, "{}", p.busy_hours);
        let mean = 4000.0;
        // 4 Poisson standard deviations.
        assert!(
            (r.good as f64 - mean).abs() < 4.0 * mean.sqrt(),
            "{} parts vs {mean}",
            r.good
        );
    }
}
