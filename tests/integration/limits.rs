//! Limits: values that would exhaust memory or never finish are refused
//! with the field, the line and the limit; an overloaded plant stops with
//! a message instead of an allocator abort.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use shopfloor::model::simulate;
use shopfloor::scenario::{self, ScenarioError};

/// A valid scenario; each test changes one thing in it.
const BASE: &str = r#"[simulation]
horizon = "1d"
warmup = "1h"

[stations.cut]
machines = 1

[stations.weld]
machines = 2

[products.frame]
release = { interarrival = { dist = "exponential", mean = "5m" } }
routing = [
  { station = "cut", process = "2m" },
  { station = "weld", process = "3m" },
]

[products.door]
orders = { interarrival = { dist = "exponential", mean = "4h" }, quantity = 3, due_in = "2d" }
routing = [{ station = "weld", process = "1m" }]
"#;

/// The single error after replacing `from` (which must occur) by `to`.
fn error_for(from: &str, to: &str) -> ScenarioError {
    assert!(BASE.contains(from), "test bug: {from:?} not in BASE");
    let text = BASE.replacen(from, to, 1);
    match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("expected an error after replacing {from:?} by {to:?}"),
        Err(e) => {
            assert_eq!(e.0.len(), 1, "expected one error, got:\n{e}");
            e.0.into_iter().next().unwrap()
        }
    }
}

/// Checks the error's line (of the first line of the changed text holding
/// `needle`), field and that its message holds every part.
fn check(e: &ScenarioError, text_with: (&str, &str), needle: &str, field: &str, parts: &[&str]) {
    let text = BASE.replacen(text_with.0, text_with.1, 1);
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1;
    let shown = e.to_string();
    assert_eq!(e.line, line, "wrong line in:\n{shown}");
    assert_eq!(e.field, field, "wrong field in:\n{shown}");
    for p in parts {
        assert!(shown.contains(p), "should mention {p:?}:\n{shown}");
    }
}

fn refused(from: &str, to: &str, needle: &str, field: &str, parts: &[&str]) {
    let e = error_for(from, to);
    check(&e, (from, to), needle, field, parts);
}

#[test]
fn durations_below_the_resolution_are_refused_with_the_smallest_allowed() {
    refused(
        r#"mean = "5m" }"#,
        r#"mean = "0.00000000000000000001ms" }"#,
        "interarrival",
        "products.frame.release.interarrival.mean",
        &["shorter than the engine's time resolution", "1ms"],
    );
    // A distribution whose parameters pass but whose mean does not.
    refused(
        r#"process = "2m""#,
        r#"process = { dist = "uniform", min = "0s", max = "1ms" }"#,
        "station = \"cut\"",
        "products.frame.routing[0].process",
        &["the mean", "1ms"],
    );
    // A saturated product's first operation.
    refused(
        r#"release = { interarrival = { dist = "exponential", mean = "5m" } }
routing = [
  { station = "cut", process = "2m" },"#,
        r#"release = "saturated"
routing = [
  { station = "cut", process = "0.0000001s" },"#,
        "0.0000001s",
        "products.frame.routing[0].process",
        &["1ms"],
    );
    // Failures: the time to failure.
    refused(
        "[stations.weld]\nmachines = 2\n",
        "[stations.weld]\nmachines = 2\nfailures = { time_to_failure = { dist = \"exponential\", mean = \"0.5ms\" }, repair = \"1h\" }\n",
        "failures",
        "stations.weld.failures.time_to_failure.mean",
        &["1ms"],
    );
    // Zero stays allowed where it was.
    let text = BASE.replacen(r#"warmup = "1h""#, r#"warmup = "0s""#, 1);
    assert!(scenario::parse(Path::new("plant.toml"), &text).is_ok());
}

#[test]
fn huge_values_are_refused_with_their_limit() {
    refused(
        r#"horizon = "1d""#,
        r#"horizon = "10000000000000000000000000000000000000000w""#,
        "horizon",
        "simulation.horizon",
        &["longer than the longest", "36500d"],
    );
    refused(
        r#"warmup = "1h""#,
        "warmup = \"1h\"\nreplications = 1000000000",
        "replications",
        "simulation.replications",
        &["1000000000", "limit of 100000"],
    );
    refused(
        r#"mean = "5m" } }"#,
        r#"mean = "5m" }, batch = 1000000000 }"#,
        "batch",
        "products.frame.release.batch",
        &["limit of 100000 parts per arrival"],
    );
    refused(
        "quantity = 3",
        "quantity = 1000000000000000",
        "quantity",
        "products.door.orders.quantity",
        &["limit of 1000000 units"],
    );
    refused(
        r#"due_in = "2d" }"#,
        r#"due_in = "2d", rate_by_week = [1e300] }"#,
        "rate_by_week",
        "products.door.orders.rate_by_week",
        &["limit of 1000"],
    );
    refused(
        r#"warmup = "1h""#,
        "warmup = \"1h\"\nmax_parts = 100000000",
        "max_parts",
        "simulation.max_parts",
        &["limit of 10000000"],
    );
}

#[test]
fn quantities_must_be_whole_finite_and_not_negative() {
    for (bad, part) in [
        ("nan", "NaN"),
        ("inf", "inf"),
        ("-3", "-3"),
        ("2.5", "whole number"),
    ] {
        refused(
            "quantity = 3",
            &format!("quantity = {bad}"),
            "quantity",
            "products.door.orders.quantity",
            &[part],
        );
    }
    // NaN elsewhere: probabilities, cv, prices.
    refused(
        r#"process = "3m" }"#,
        r#"process = "3m", scrap = nan }"#,
        "scrap",
        "products.frame.routing[1].scrap",
        &["NaN"],
    );
    refused(
        r#"process = "3m" }"#,
        r#"process = { dist = "lognormal", mean = "3m", cv = nan } }"#,
        "lognormal",
        "products.frame.routing[1].process",
        &["cv"],
    );
    refused(
        "[products.door]\n",
        "[products.door]\nprice = nan\n",
        "price = nan",
        "products.door.price",
        &["NaN"],
    );
}

#[test]
fn a_sweep_too_large_to_build_is_counted_and_refused() {
    let values = format!(
        "[{}]",
        (1..=100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sweep = format!(
        "\n[[sweep]]\nname = \"huge\"\n\"stations.cut.machines\" = {values}\n\"stations.weld.machines\" = {values}\n\"products.door.orders.quantity\" = {values}\n\"products.frame.routing[0].process\" = [\"1m\", \"2m\", \"3m\", \"4m\", \"5m\", \"6m\", \"7m\", \"8m\", \"9m\", \"10m\", \"11m\", \"12m\", \"13m\", \"14m\", \"15m\", \"16m\", \"17m\", \"18m\", \"19m\", \"20m\", \"21m\", \"22m\", \"23m\", \"24m\", \"25m\", \"26m\", \"27m\", \"28m\", \"29m\", \"30m\", \"31m\", \"32m\", \"33m\", \"34m\", \"35m\", \"36m\", \"37m\", \"38m\", \"39m\", \"40m\", \"41m\", \"42m\", \"43m\", \"44m\", \"45m\", \"46m\", \"47m\", \"48m\", \"49m\", \"50m\", \"51m\", \"52m\", \"53m\", \"54m\", \"55m\", \"56m\", \"57m\", \"58m\", \"59m\", \"60m\", \"61m\", \"62m\", \"63m\", \"64m\", \"65m\", \"66m\", \"67m\", \"68m\", \"69m\", \"70m\", \"71m\", \"72m\", \"73m\", \"74m\", \"75m\", \"76m\", \"77m\", \"78m\", \"79m\", \"80m\", \"81m\", \"82m\", \"83m\", \"84m\", \"85m\", \"86m\", \"87m\", \"88m\", \"89m\", \"90m\", \"91m\", \"92m\", \"93m\", \"94m\", \"95m\", \"96m\", \"97m\", \"98m\", \"99m\", \"100m\"]\n"
    );
    let text = format!("{BASE}{sweep}");
    let e = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("a sweep of 10^8 points was accepted"),
        Err(e) => e.0.into_iter().next().unwrap(),
    };
    let shown = e.to_string();
    assert_eq!(e.field, "sweep", "{shown}");
    assert_eq!(e.line, BASE.lines().count() + 2, "{shown}");
    assert!(shown.contains("100000000 points"), "{shown}");
    assert!(shown.contains("limit of 10000 variants"), "{shown}");
}

#[test]
fn too_many_jobs_are_refused_before_any_run() {
    let values = format!(
        "[{}]",
        (1..=200)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let text = format!(
        "{}\n[[sweep]]\nname = \"many\"\n\"stations.cut.machines\" = {values}\n",
        BASE.replacen(
            r#"warmup = "1h""#,
            "warmup = \"1h\"\nreplications = 100000",
            1
        )
    );
    let e = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("20 million jobs were accepted"),
        Err(e) => e.0.into_iter().next().unwrap(),
    };
    let shown = e.to_string();
    assert_eq!(e.field, "simulation.replications", "{shown}");
    assert_eq!(e.line, 4, "{shown}");
    assert!(shown.contains("20100000 jobs"), "{shown}");
    assert!(shown.contains("limit of 10000000"), "{shown}");
}

#[test]
fn an_optimize_range_near_the_integer_limits_is_counted_without_overflow() {
    let text = format!(
        "{BASE}\n[optimize]\nobjective = {{ maximize = \"profit\" }}\nindifference = 60.0\nfirst_replications = 10\nmax_replications = 200\n\n[optimize.variables]\n\"stations.cut.machines\" = {{ from = -9223372036854775807, to = 9223372036854775807 }}\n"
    );
    let e = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("a range of 2^64 values was accepted"),
        Err(e) => e.0.into_iter().next().unwrap(),
    };
    let shown = e.to_string();
    assert!(e.field.starts_with("optimize.variables"), "{shown}");
    assert!(
        shown.contains("18446744073709551615 values"),
        "the count is exact: {shown}"
    );
    assert!(shown.contains("limit of 1000000"), "{shown}");
}

/// Arrivals every 10 ms at a 1-minute machine.
fn overloaded(max_parts: &str) -> String {
    BASE.replacen(r#"mean = "5m" }"#, r#"mean = "10ms" }"#, 1)
        .replacen(
            r#"warmup = "1h""#,
            &format!("warmup = \"1h\"\n{max_parts}"),
            1,
        )
}

#[test]
fn an_overloaded_plant_stops_at_the_part_limit_and_says_where() {
    let s = scenario::parse(Path::new("plant.toml"), &overloaded("max_parts = 5000")).unwrap();
    assert_eq!(s.factory.max_parts, 5000);
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let why = r.overloaded.expect("the run reports the overload");
    assert!(why.contains("5000 parts in the system"), "{why}");
    assert!(why.contains("station \"cut\""), "{why}");
    assert!(why.contains("simulation.max_parts"), "{why}");
    // Well below the limit nothing changes.
    let s = scenario::parse(Path::new("plant.toml"), BASE).unwrap();
    assert_eq!(
        s.factory.max_parts,
        shopfloor::scenario::limits::DEFAULT_MAX_PARTS
    );
    assert!(
        simulate(&s.factory, s.seed, 0, false)
            .0
            .overloaded
            .is_none()
    );
}

#[test]
fn the_cli_reports_an_overload_and_limits_of_its_flags_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plant.toml");
    std::fs::write(&file, overloaded("max_parts = 5000")).unwrap();
    let run = |extra: &[&str]| {
        Command::cargo_bin("shopfloor")
            .unwrap()
            .args(["run", file.to_str().unwrap(), "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--threads", "1", "--quiet"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("work in process is exploding"), "{err}");
    assert!(err.contains("station \"cut\""), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );

    let out = run(&["--threads", "100000"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("limit of 1024"), "{err}");

    let out = run(&["--replications", "1000000000"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("limit of 100000"), "{err}");

    let out = run(&[
        "--precision",
        "throughput_per_hour=0.01",
        "--max-replications",
        "1000000000",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--max-replications 1000000000"), "{err}");
    assert!(err.contains("limit of 100000"), "{err}");
}
