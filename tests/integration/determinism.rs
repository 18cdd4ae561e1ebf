//! Determinism: a run is a pure function of scenario and seed, whatever the
//! thread count; and random streams are per source (common random numbers).

use std::path::Path;

use assert_cmd::Command;
use shopfloor::model::simulate;

use crate::common::scenario;

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
const FILES: [&str; 5] = [
    "summary.json",
    "variants.csv",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
];

/// Runs the quick-start plant (shortened) into `out`, returning its folder.
fn run_cli(out: &Path, extra: &[&str]) -> std::path::PathBuf {
    let mut cmd = Command::cargo_bin("shopfloor").unwrap();
    cmd.args([
        "run",
        QUICKSTART,
        "--quiet",
        "--horizon",
        "4d",
        "--warmup",
        "1d",
    ])
    .args(["--replications", "6", "--out"])
    .arg(out)
    .args(extra);
    let res = cmd.output().unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    out.join("quickstart")
}

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn same_seed_twice_gives_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_cli(&tmp.path().join("a"), &["--seed", "7"]);
    let b = run_cli(&tmp.path().join("b"), &["--seed", "7"]);
    same_files(&a, &b);
    // And a different seed really changes the results.
    let c = run_cli(&tmp.path().join("c"), &["--seed", "8"]);
    let x = std::fs::read(a.join("replications.csv")).unwrap();
    let z = std::fs::read(c.join("replications.csv")).unwrap();
    assert_ne!(x, z, "seed has no effect");
}

#[test]
fn one_and_two_threads_give_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_cli(&tmp.path().join("t1"), &["--threads", "1"]);
    let b = run_cli(&tmp.path().join("t2"), &["--threads", "2"]);
    same_files(&a, &b);
}

#[test]
fn trace_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let t1 = tmp.path().join("trace1.csv");
    let t2 = tmp.path().join("trace2.csv");
    run_cli(
        &tmp.path().join("a"),
        &["--trace", t1.to_str().unwrap(), "--threads", "2"],
    );
    run_cli(
        &tmp.path().join("b"),
        &["--trace", t2.to_str().unwrap(), "--threads", "1"],
    );
    let x = std::fs::read_to_string(&t1).unwrap();
    assert!(
        x.starts_with("time_s,event,station,machine,part,order,product\n"),
        "{}",
        &x[..80.min(x.len())]
    );
    assert!(x.lines().count() > 1000);
    assert_eq!(x, std::fs::read_to_string(&t2).unwrap());
}

/// Common random numbers: arrivals have their own stream, so adding a
/// machine (which changes everything downstream) leaves the release
/// sequence untouched, replication by replication; and process times
/// come from the station's stream, so the first parts' service times agree
/// too.
#[test]
fn changing_a_station_leaves_other_streams_alone() {
    let text = |machines: u32| {
        format!(
            r#"
[simulation]
horizon = "2d"
[stations.cell]
machines = {machines}
[stations.pack]
[products.p]
release = {{ interarrival = {{ dist = "exponential", mean = "70s" }} }}
routing = [
  {{ station = "cell", process = {{ dist = "exponential", mean = "2m" }} }},
  {{ station = "pack", process = {{ dist = "exponential", mean = "55s" }} }},
]
"#
        )
    };
    let two = scenario(&text(2));
    let three = scenario(&text(3));
    for rep in 0..4 {
        let (a, ta) = simulate(&two.factory, 11, rep, true);
        let (b, tb) = simulate(&three.factory, 11, rep, true);
        assert_eq!(a.released, b.released, "replication {rep}");
        let releases = |t: &[shopfloor::model::TraceRecord]| -> Vec<u64> {
            t.iter()
                .filter(|r| r.event == "release")
                .map(|r| r.time_s.to_bits())
                .collect()
        };
        assert_eq!(releases(&ta.unwrap()), releases(&tb.unwrap()));
        // More capacity at the cell must change something downstream.
        assert_ne!(a.cycle_time_mean_min, b.cycle_time_mean_min);
    }
}

/// Replications differ from one another (their streams are distinct).
#[test]
fn replications_are_independent_streams() {
    let s = scenario(
        &std::fs::read_to_string(QUICKSTART)
            .unwrap()
            .replace("\"2w\"", "\"3d\""),
    );
    let (a, _) = simulate(&s.factory, s.seed, 0, false);
    let (b, _) = simulate(&s.factory, s.seed, 1, false);
    assert_ne!(a.cycle_time_mean_min, b.cycle_time_mean_min);
    let (a2, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(
        a.cycle_time_mean_min.to_bits(),
        a2.cycle_time_mean_min.to_bits()
    );
}

/// The warm-up only restarts statistics: the simulated path is the same,
/// so the time series (whole horizon) is identical with or without it, and
/// its totals equal the no-warm-up run's totals.
#[test]
fn time_series_cover_the_horizon_and_ignore_the_warmup() {
    let text = std::fs::read_to_string(QUICKSTART).unwrap();
    let with = scenario(&text);
    let without = scenario(&text.replace("warmup = \"3d\"", "warmup = \"0s\""));
    assert_eq!(without.factory.warmup, 0.0, "test bug: warm-up not removed");
    let (a, _) = simulate(&with.factory, 3, 0, false);
    let (b, _) = simulate(&without.factory, 3, 0, false);
    assert_eq!(a.series.len(), b.series.len());
    for (p, q) in a.series.iter().zip(&b.series) {
        assert_eq!(
            (p.good, p.released, p.scrapped),
            (q.good, q.released, q.scrapped)
        );
        assert!((p.wip_avg - q.wip_avg).abs() < 1e-9 * (1.0 + q.wip_avg));
    }
    let hours: f64 = b.series.iter().map(|p| p.hours).sum();
    assert!((hours - with.factory.horizon / 3600.0).abs() < 1e-9);
    assert_eq!(b.series.iter().map(|p| p.good).sum::<u64>(), b.good);
    assert_eq!(b.series.iter().map(|p| p.released).sum::<u64>(), b.released);
    let wip_area: f64 = b.series.iter().map(|p| p.wip_avg * p.hours).sum();
    assert!((wip_area / hours - b.wip_avg).abs() < 1e-9 * b.wip_avg);
    // With the warm-up, the counted parts are those of the later periods.
    assert!(a.good < b.good);
}
