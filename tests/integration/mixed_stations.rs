//! Mixed stations (issue #15 item 6): automated machines beside manual
//! ones (`[stations.NAME.automated] alongside = true`).
//!
//! - Hand trace: a free automated machine is taken before a free manual
//!   one (a part an hour, a 30-minute robot beside a one-hour table: the
//!   table never works).
//! - Capacity against a hand count: saturated, 4 tables of 1 h beside a
//!   robot twice as fast make 4 + 2 parts an hour; busy shares by kind,
//!   running cost by kind and the robot's capital charge follow.
//! - An unattended robot needs no operator while the tables share one.
//! - Variants, levers and `[optimize]` set the number of robots by path;
//!   the investment of a variant that adds one is its capital.

use shopfloor::model::simulate;

use crate::common::scenario as parse_ok;

fn weld(release: &str, tables: u32, extra: &str, horizon: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{horizon}"

[stations.weld]
machines = {tables}
cost_per_hour = 10.0

[stations.weld.automated]
alongside = true
machines = 1
process_factor = 0.5
cost_per_hour = 30.0
capital = 100000.0
life = "10000h"
{extra}

[products.frame]
release = {release}
routing = [{{ station = "weld", process = "1h" }}]
"#
    )
}

#[test]
fn a_free_robot_is_taken_before_a_free_table() {
    // Parts at 1h, …, 9h; the robot welds each in 30 min and is free again
    // before the next arrives, so the table never works.
    let s = parse_ok(&weld("{ interarrival = \"1h\" }", 1, "", "10h"));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let w = &r.stations[0];
    assert_eq!(r.good, 9);
    assert_eq!(w.automated_machines, 1);
    assert!((w.automated_utilisation - 9.0 * 0.5 / 10.0).abs() < 1e-12);
    assert_eq!(w.manual_utilisation, 0.0);
}

#[test]
fn four_tables_and_a_robot_by_hand() {
    // Saturated over 10 h: each table finishes at 1h … 9h (the parts due at
    // 10h are cut off by the horizon): 36; the robot at 0.5h … 9.5h: 19.
    let s = parse_ok(&weld("\"saturated\"", 4, "", "10h"));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 36 + 19);
    let w = &r.stations[0];
    assert!((w.automated_utilisation - 1.0).abs() < 1e-12);
    assert!((w.manual_utilisation - 1.0).abs() < 1e-12);
    assert!((w.utilisation - 1.0).abs() < 1e-12);
    // Running: tables 4 × 10 h × 10, robot 10 h × 30; capital 100 000 over
    // 10 000 h is 10 an hour.
    assert!((r.costs.machine_running - (400.0 + 300.0)).abs() < 1e-9);
    assert!((r.costs.automation_capital - 100.0).abs() < 1e-9);
    assert!((w.automated_cost - (300.0 + 100.0)).abs() < 1e-9);
    // Without the robot: 36 parts.
    let none = parse_ok(&weld("\"saturated\"", 4, "", "10h").replace(
        "alongside = true\nmachines = 1",
        "alongside = true\nmachines = 0",
    ));
    let (r0, _) = simulate(&none.factory, none.seed, 0, false);
    assert_eq!(r0.good, 36);
    assert_eq!(r0.costs.automation_capital, 0.0);
}

#[test]
fn an_unattended_robot_needs_no_operator() {
    // One welder for four tables: one table at a time (9 parts in 10 h);
    // the robot runs unattended beside them (19 parts).
    let text = weld("\"saturated\"", 4, "operators = 0", "10h").replace(
        "routing = [{ station = \"weld\", process = \"1h\" }]",
        "routing = [{ station = \"weld\", process = \"1h\", operators = 1 }]",
    ) + "\n[workers.welders]\ncount = 1\nstations = [\"weld\"]\n";
    let s = parse_ok(&text);
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.good, 9 + 19);
    assert!((r.pools[0].busy_hours - 10.0).abs() < 1e-9);
}

#[test]
fn variants_and_optimize_set_the_robots_by_path() {
    let text = weld("\"saturated\"", 4, "", "10h").replace(
        "alongside = true\nmachines = 1",
        "alongside = true\nmachines = 0",
    ) + r#"
[levers.robot]
"stations.weld.automated.machines" = 1

[[variant]]
name = "two-robots"
"stations.weld.automated.machines" = 2

[[variant]]
name = "lever"
"levers.robot" = true

[optimize]
objective = { maximize = "throughput_per_hour" }
indifference = 0.1

[optimize.variables]
"stations.weld.automated.machines" = { from = 0, to = 3 }
"#;
    let s = parse_ok(&text);
    assert_eq!(s.factory.stations[0].automated_machines(), 0);
    let two = &s.variants[0].factory;
    assert_eq!(two.stations[0].automated_machines(), 2);
    assert_eq!(s.variants[1].factory.stations[0].automated_machines(), 1);
    let inv = two.investment_over(&s.factory);
    assert!((inv.capital() - 200_000.0).abs() < 1e-9, "{inv:?}");
    let (r, _) = simulate(two, s.seed, 0, false);
    assert_eq!(r.good, 36 + 2 * 19);
    assert!(s.optimize.is_some());
}

/// The summary of a mixed station carries its machines by kind, and the
/// busy shares by kind average the replications' (property); the printed
/// table shows the station as "4+1" with a line by kind.
#[test]
fn the_summary_and_table_show_a_mixed_station_by_kind() {
    let mut text = weld(
        "{ interarrival = { dist = \"exponential\", mean = \"20m\" } }",
        4,
        "",
        "2w",
    );
    text = text.replace("[simulation]\n", "[simulation]\nreplications = 4\n");
    let s = parse_ok(&text);
    let results = shopfloor::experiment::run(&s);
    let st = &results.baseline().summary.stations[0];
    assert_eq!((st.machines, st.automated_machines), (4, 1));
    let reps: Vec<shopfloor::model::ReplicationResult> = (0..4)
        .map(|r| simulate(&s.factory, s.seed, r, false).0)
        .collect();
    let mean = |f: fn(&shopfloor::model::StationResult) -> f64| {
        reps.iter().map(|r| f(&r.stations[0])).sum::<f64>() / 4.0
    };
    let auto = st.automated_utilisation.as_ref().unwrap().mean;
    let manual = st.manual_utilisation.as_ref().unwrap().mean;
    assert!((auto - mean(|x| x.automated_utilisation)).abs() < 1e-12);
    assert!((manual - mean(|x| x.manual_utilisation)).abs() < 1e-12);
    // The robot is taken first: it is busier than a table.
    assert!(auto > manual, "robot {auto}, tables {manual}");
    let table = shopfloor::report::summary_table(&s, &results);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("  weld ") && l.split_whitespace().nth(1) == Some("4+1")),
        "{table}"
    );
    assert!(
        table.contains("mixed station weld: 4 manual machines"),
        "{table}"
    );
}
