//! Bad input: every class of mistake is reported with the file, line,
//! column and field, and no input makes shopfloor panic.

use std::path::Path;

use shopfloor::scenario::{self, ScenarioError};

/// A valid scenario; each test breaks one thing in it.
const BASE: &str = r#"[simulation]
horizon = "1d"
warmup = "1h"

[stations.cut]
machines = 1
buffer = 5

[stations.weld]
machines = 2

[products.frame]
release = { interarrival = { dist = "exponential", mean = "5m" } }
routing = [
  { station = "cut", process = "2m" },
  { station = "weld", process = { dist = "triangular", min = "1m", mode = "2m", max = "4m" }, scrap = 0.01, rework = 0.05, rework_to = "cut" },
]
"#;

/// Replaces `from` (which must occur) by `to` in [`BASE`] and returns the
/// single error reported.
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

/// Line number (1-based) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

fn check(e: &ScenarioError, line: usize, field: &str, message_part: &str) {
    let shown = e.to_string();
    assert_eq!(e.file, Path::new("plant.toml"), "{shown}");
    assert_eq!(e.line, line, "wrong line in:\n{shown}");
    assert!(e.column >= 1, "{shown}");
    assert_eq!(e.field, field, "wrong field in:\n{shown}");
    assert!(
        e.message.contains(message_part),
        "message should mention {message_part:?}:\n{shown}"
    );
    // The printed form carries file:line:column and the field.
    assert!(
        shown.contains(&format!("plant.toml:{}:{}", e.line, e.column)),
        "{shown}"
    );
    assert!(shown.contains(field), "{shown}");
}

#[test]
fn the_base_scenario_is_valid() {
    scenario::parse(Path::new("plant.toml"), BASE).expect("BASE must be valid");
}

#[test]
fn syntax_error() {
    let e = error_for("horizon = \"1d\"", "horizon = \"1d");
    check(&e, 2, "simulation.horizon", "string");
}

#[test]
fn unknown_key_gets_did_you_mean() {
    let e = error_for("machines = 2", "machnes = 2");
    check(
        &e,
        line_of(BASE, "machines = 2"),
        "stations.weld.machnes",
        "unknown field",
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `machines`?"));
}

#[test]
fn unknown_distribution_gets_did_you_mean() {
    let e = error_for("\"exponential\"", "\"exponental\"");
    check(
        &e,
        line_of(BASE, "exponential"),
        "products.frame.release.interarrival.dist",
        "unknown distribution",
    );
    assert!(e.hint.unwrap().contains("\"exponential\""));
}

#[test]
fn wrong_type() {
    let e = error_for("buffer = 5", "buffer = 5.5");
    check(
        &e,
        line_of(BASE, "buffer = 5"),
        "stations.cut.buffer",
        "whole number",
    );
    let e = error_for("machines = 1", "machines = \"one\"");
    check(
        &e,
        line_of(BASE, "machines = 1"),
        "stations.cut.machines",
        "invalid type",
    );
}

#[test]
fn zero_machines() {
    let e = error_for("machines = 1", "machines = 0");
    check(
        &e,
        line_of(BASE, "machines = 1"),
        "stations.cut.machines",
        "at least 1",
    );
}

#[test]
fn negative_buffer() {
    let e = error_for("buffer = 5", "buffer = -1");
    check(
        &e,
        line_of(BASE, "buffer = 5"),
        "stations.cut.buffer",
        "at least 0",
    );
}

#[test]
fn negative_duration() {
    let e = error_for("mean = \"5m\"", "mean = \"-5m\"");
    check(
        &e,
        line_of(BASE, "mean = \"5m\""),
        "products.frame.release.interarrival.mean",
        "negative",
    );
}

#[test]
fn zero_mean_interarrival() {
    let e = error_for("mean = \"5m\"", "mean = \"0m\"");
    check(
        &e,
        line_of(BASE, "mean = \"5m\""),
        "products.frame.release.interarrival",
        "greater than zero",
    );
}

#[test]
fn nan_probability() {
    let e = error_for("scrap = 0.01", "scrap = nan");
    check(
        &e,
        line_of(BASE, "scrap"),
        "products.frame.routing[1].scrap",
        "between 0 and 1",
    );
}

#[test]
fn probability_above_one() {
    let e = error_for("rework = 0.05", "rework = 1.2");
    check(
        &e,
        line_of(BASE, "rework"),
        "products.frame.routing[1].rework",
        "between 0 and 1",
    );
}

#[test]
fn inconsistent_distribution() {
    let e = error_for("min = \"1m\", mode = \"2m\"", "min = \"3m\", mode = \"2m\"");
    check(
        &e,
        line_of(BASE, "triangular"),
        "products.frame.routing[1].process",
        "mode",
    );
    assert!(e.hint.unwrap().contains("triangular"));
}

#[test]
fn duration_without_unit() {
    let e = error_for("process = \"2m\"", "process = 2");
    check(
        &e,
        line_of(BASE, "process = \"2m\""),
        "products.frame.routing[0].process",
        "unit",
    );
    assert!(e.hint.unwrap().contains("\"2m\""));
}

#[test]
fn unknown_station() {
    let e = error_for("station = \"weld\"", "station = \"wedl\"");
    check(
        &e,
        line_of(BASE, "station = \"weld\""),
        "products.frame.routing[1].station",
        "no station",
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean \"weld\"?"));
}

#[test]
fn rework_to_a_later_station() {
    let text = BASE
        .replacen("rework_to = \"cut\"", "rework_to = \"weld\"", 1)
        .replacen(
            "{ station = \"cut\", process = \"2m\" }",
            "{ station = \"cut\", process = \"2m\", rework = 0.1, rework_to = \"weld\" }",
            1,
        );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert_eq!(e.0.len(), 1, "{e}");
    check(
        &e.0[0],
        line_of(&text, "station = \"cut\""),
        "products.frame.routing[0].rework_to",
        "earlier",
    );
}

#[test]
fn routing_that_loops_forever() {
    let e = error_for("scrap = 0.01, rework = 0.05", "rework = 1.0");
    check(
        &e,
        line_of(BASE, "rework"),
        "products.frame.routing[1].rework",
        "forever",
    );
}

#[test]
fn scrap_and_rework_above_one() {
    let e = error_for("scrap = 0.01, rework = 0.05", "scrap = 0.5, rework = 0.6");
    check(
        &e,
        line_of(BASE, "rework"),
        "products.frame.routing[1].scrap",
        "more than 1",
    );
}

#[test]
fn warmup_not_shorter_than_horizon() {
    let e = error_for("warmup = \"1h\"", "warmup = \"2d\"");
    check(&e, 3, "simulation.warmup", "shorter than the horizon");
}

#[test]
fn missing_section() {
    let e = error_for("[simulation]\nhorizon = \"1d\"\nwarmup = \"1h\"\n", "");
    assert!(e.message.contains("simulation"), "{e}");
}

#[test]
fn several_mistakes_are_all_reported() {
    let text = BASE.replacen("machines = 1", "machines = 0", 1).replacen(
        "station = \"weld\"",
        "station = \"paint\"",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert_eq!(e.0.len(), 2, "{e}");
}

/// No prefix of a valid file (a truncated or half-saved file) and no
/// single-byte corruption makes the parser panic: each is either accepted
/// or refused with a located error.
#[test]
fn truncated_or_corrupted_files_never_panic() {
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    ))
    .expect("quickstart scenario");
    let mut cuts: Vec<usize> = (0..full.len()).step_by(7).collect();
    cuts.push(full.len());
    for cut in cuts {
        if !full.is_char_boundary(cut) {
            continue;
        }
        let _ = scenario::parse(Path::new("q.toml"), &full[..cut]);
    }
    let bytes = full.as_bytes();
    for (i, junk) in (0..bytes.len())
        .step_by(11)
        .zip([b'"', b'=', b'[', b'0', b'-', b'x', b'}'].iter().cycle())
    {
        let mut b = bytes.to_vec();
        b[i] = *junk;
        if let Ok(text) = String::from_utf8(b)
            && let Err(e) = scenario::parse(Path::new("q.toml"), &text)
        {
            assert!(e.0.iter().all(|x| x.line >= 1), "unlocated error: {e}");
        }
    }
}

#[test]
fn the_cli_reports_errors_and_exits_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, BASE.replacen("machines = 2", "machines = -2", 1)).unwrap();
    let out = assert_cmd::Command::cargo_bin("shopfloor")
        .unwrap()
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("broken.toml:{}:", line_of(BASE, "machines = 2"))),
        "{err}"
    );
    assert!(err.contains("stations.weld.machines"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
