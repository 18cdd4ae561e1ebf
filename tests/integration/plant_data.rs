//! From plant data to a model: `shopfloor bottlenecks` on a machine state
//! log, and `run --observed` against the plant's KPIs.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use shopfloor::data::calibrate::Prediction;
use shopfloor::data::trace_log::{self, read_trace_csv};
use shopfloor::experiment::kpi::kpi;

fn shopfloor() -> Command {
    Command::cargo_bin("shopfloor").expect("the binary is built")
}

/// Rows of a CSV file as maps of column → value.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("readable CSV");
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Runs `scenario` (one replication, traced), turns the trace into a
/// machine state log in seconds, analyses it with `bottlenecks` over the
/// simulator's window, and compares with the simulator's own shares.
fn log_matches_simulator(scenario: &str, horizon: &str, warmup: &str, h: f64, w: f64) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.csv");
    shopfloor()
        .args(["run", scenario, "--replications", "1", "--horizon", horizon])
        .args(["--warmup", warmup, "--no-plots", "-q", "--out"])
        .arg(dir.path().join("out"))
        .arg("--trace")
        .arg(&trace)
        .assert()
        .success();
    let sc = shopfloor::scenario::load(Path::new(scenario)).unwrap();
    let stations: Vec<(String, u32)> = sc
        .factory
        .stations
        .iter()
        .map(|s| (s.name.clone(), s.machines))
        .collect();
    let lines = read_trace_csv(&trace).unwrap();
    let log = dir.path().join("log.csv");
    let mut f = std::fs::File::create(&log).unwrap();
    writeln!(f, "machine,station,state,start,end").unwrap();
    for m in trace_log::states(&lines, &stations, h) {
        for r in m {
            writeln!(
                f,
                "{}#{},{},{},{},{}",
                r.station,
                r.machine,
                r.station,
                r.state.name(),
                r.start,
                r.end
            )
            .unwrap();
        }
    }
    drop(f);
    let out = dir.path().join("bn");
    shopfloor()
        .arg("bottlenecks")
        .arg(&log)
        .args([
            "--from",
            &w.to_string(),
            "--to",
            &h.to_string(),
            "--no-plots",
            "-q",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let name = &sc.factory.name;
    let sim: Vec<_> = csv_rows(&dir.path().join("out").join(name).join("stations.csv"))
        .into_iter()
        .filter(|r| r["variant"] == "baseline")
        .collect();
    let got = csv_rows(&out.join("bottlenecks.csv"));
    assert_eq!(sim.len(), got.len());
    let mut any = 0.0;
    for (s, g) in sim.iter().zip(&got) {
        assert_eq!(s["station"], g["station"]);
        for (a, b) in [
            ("bottleneck_sole", "sole"),
            ("bottleneck_shifting", "shifting"),
        ] {
            let (x, y): (f64, f64) = (s[a].parse().unwrap(), g[b].parse().unwrap());
            assert!(
                (x - y).abs() < 1e-9,
                "{scenario} {}: {a} simulated {x}, from the log {y}",
                s["station"]
            );
            any += x;
        }
    }
    assert!(any > 0.1, "some station was a bottleneck");
    let pools = dir.path().join("out").join(name).join("pools.csv");
    if pools.exists() {
        for p in csv_rows(&pools) {
            assert_eq!(
                p["bottleneck_sole"], "0",
                "pool {} never all busy",
                p["pool"]
            );
            assert_eq!(p["bottleneck_shifting"], "0");
        }
    }
    let reps = csv_rows(&dir.path().join("out").join(name).join("replications.csv"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("bottlenecks.json")).unwrap())
            .unwrap();
    assert_eq!(
        reps[0]["bottleneck_shifts"],
        json["shifts"].as_u64().unwrap().to_string()
    );
    assert_eq!(
        reps[0]["bottleneck"],
        json["primary_name"].as_str().unwrap()
    );
}

/// Stations of several machines, failures and setups.
#[test]
fn a_log_from_the_trace_gives_the_simulators_shares() {
    log_matches_simulator(
        "scenarios/quickstart.toml",
        "1w",
        "1d",
        7.0 * 86400.0,
        86400.0,
    );
}

/// Shifts, operators, a repair crew, blocking and materials. A machine log
/// holds machines, not people, while the simulator's detector counts worker
/// pools too (active while every worker present is busy); so the pools of
/// `decision.toml` are made ten times larger, never all busy at once, and
/// the stations' shares must then agree exactly.
#[test]
fn a_log_from_the_trace_of_a_staffed_plant_gives_the_simulators_shares() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("scenarios/decision.toml").unwrap();
    let mut staffed = String::new();
    let mut in_pool = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_pool = line.starts_with("[workers.");
        }
        match line.strip_prefix("count = ") {
            Some(rest) if in_pool => {
                let (n, comment) = rest.split_once(' ').unwrap_or((rest, ""));
                let n: u32 = n.parse().unwrap();
                staffed.push_str(&format!("count = {} {comment}\n", 10 * n));
            }
            _ => {
                staffed.push_str(line);
                staffed.push('\n');
            }
        }
    }
    assert_ne!(staffed, text, "the pools were enlarged");
    let file = dir.path().join("decision.toml");
    std::fs::write(&file, staffed).unwrap();
    log_matches_simulator(
        file.to_str().unwrap(),
        "2w",
        "2d",
        14.0 * 86400.0,
        2.0 * 86400.0,
    );
}

#[test]
fn the_example_export_is_analysed_with_a_state_map() {
    let dir = tempfile::tempdir().unwrap();
    let out = shopfloor()
        .args([
            "bottlenecks",
            "data/mes_export.csv",
            "--station-column",
            "work_center",
        ])
        .args([
            "--state-map",
            "WAIT TECH=waiting",
            "--batch",
            "day",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("primary bottleneck"), "{text}");
    for f in [
        "bottlenecks.csv",
        "bottlenecks.json",
        "bottleneck_batches.csv",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    for f in [
        "bottleneck_shares.png",
        "bottleneck_shares.svg",
        "time_split.png",
        "time_split.svg",
    ] {
        assert!(dir.path().join("plots").join(f).is_file(), "{f}");
    }
    // Without the map, the plant's own state name is refused.
    let err = shopfloor()
        .args([
            "bottlenecks",
            "data/mes_export.csv",
            "--station-column",
            "work_center",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("data/mes_export.csv, row "), "{err}");
    assert!(
        err.contains("column `state`: unknown state `WAIT TECH`"),
        "{err}"
    );
    assert!(err.contains("--state-map"), "{err}");
}

/// Runs `bottlenecks` on `text` and returns its error.
fn log_error(text: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bad.csv");
    std::fs::write(&log, text).unwrap();
    let out = shopfloor()
        .arg("bottlenecks")
        .arg(&log)
        .args(extra)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(!dir.path().join("out").exists(), "nothing written");
    let e = String::from_utf8(out).unwrap();
    assert!(e.contains("bad.csv"), "{e}");
    e
}

#[test]
fn a_device_or_a_folder_is_not_read_as_a_log() {
    let dir = tempfile::tempdir().unwrap();
    // /dev/zero would be read forever; a folder cannot be read at all.
    for (log, kind) in [
        (std::path::PathBuf::from("/dev/zero"), "a device"),
        (dir.path().to_path_buf(), "a folder"),
    ] {
        if !log.exists() {
            continue;
        }
        let out = shopfloor()
            .arg("bottlenecks")
            .arg(&log)
            .arg("--out")
            .arg(dir.path().join("out"))
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        let e = String::from_utf8(out).unwrap();
        assert!(
            e.contains(&format!("it is {kind}, not a regular file")),
            "{e}"
        );
    }
}

#[test]
fn bad_logs_are_refused_with_row_and_column() {
    let head = "machine,state,start,end\n";
    let e = log_error(&format!("{head}m1,busy,0,10\nm1,busy,1O,20\n"), &[]);
    assert!(
        e.contains("row 2 (line 3), column `start`: cannot read `1O` as a time"),
        "{e}"
    );
    let e = log_error(
        &format!("{head}m1,busy,2024-02-30T00:00:00,2024-03-01T00:00:00\n"),
        &[],
    );
    assert!(e.contains("row 1 (line 2), column `start`"), "{e}");
    assert!(e.contains("day 30 is not in 2024-02"), "{e}");
    let e = log_error(&format!("{head}m1,busy,0,10\nm1,idle,30,20\n"), &[]);
    assert!(
        e.contains("row 2 (line 3), column `end`: the stretch ends (20) before it starts (30)"),
        "{e}"
    );
    let e = log_error(&format!("{head}m1,runing,0,10\n"), &[]);
    assert!(
        e.contains("column `state`: unknown state `runing`; did you mean `running`?"),
        "{e}"
    );
    let e = log_error(&format!("{head}m1,busy,0,10\nm1,idle,5,20\n"), &[]);
    assert!(e.contains("row 2 (line 3), column `start`: machine `m1` is in two states at once: this row overlaps row 1"), "{e}");
    let e = log_error("machine,station,state,start,end\nm1,,busy,0,10\n", &[]);
    assert!(
        e.contains("row 1 (line 2), column `station`: empty station"),
        "{e}"
    );
    let e = log_error(
        "machine,station,state,start,end\nm1,a,busy,0,10\nm1,b,busy,10,20\n",
        &[],
    );
    assert!(
        e.contains("machine `m1` is at station `b` here but at `a` in row 1"),
        "{e}"
    );
    let e = log_error("machine,state,begin,end\nm1,busy,0,10\n", &[]);
    assert!(
        e.contains("column `start`: the header has no column `start`"),
        "{e}"
    );
    assert!(e.contains("--start-column"), "{e}");
    let e = log_error(head, &[]);
    assert!(e.contains("the log is empty"), "{e}");
    let e = log_error(
        &format!("{head}m1,busy,0,10\nm1,busy,2024-03-04T00:00:00,2024-03-04T01:00:00\n"),
        &[],
    );
    assert!(
        e.contains("row 2 (line 3), column `start`: this time is in ISO-8601"),
        "{e}"
    );
    let e = log_error(&format!("{head}m1,busy,0,10\n"), &["--from", "2024-03-04"]);
    assert!(
        e.contains("--from: ") && e.contains("writes its times as seconds"),
        "{e}"
    );
    let e = log_error(&format!("{head}m1,busy,0,10\n"), &["--from", "20"]);
    assert!(e.contains("the window is empty"), "{e}");
    let e = shopfloor()
        .args([
            "bottlenecks",
            "data/mes_export.csv",
            "--state-map",
            "RUN=bussy",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let e = String::from_utf8(e).unwrap();
    assert!(
        e.contains("--state-map: `RUN=bussy`: unknown class `bussy`; did you mean `busy`?"),
        "{e}"
    );
}

/// A small experiment, in memory and through the binary (same seed, same
/// results), for the calibration check.
const CELL: &str = "scenarios/quickstart.toml";

#[test]
fn an_observed_kpi_outside_the_prediction_interval_is_flagged() {
    let mut sc = shopfloor::scenario::load(Path::new(CELL)).unwrap();
    let args = ["--replications", "4", "--horizon", "1w", "--warmup", "1d"];
    sc.apply(&shopfloor::scenario::Overrides {
        replications: Some(4),
        seed: None,
        horizon: Some(7.0 * 86400.0),
        warmup: Some(86400.0),
    })
    .unwrap();
    let results = shopfloor::experiment::run(&sc);
    let base = results.baseline();
    let tp = Prediction::from_values(base.values(kpi("throughput_per_hour").unwrap()).to_vec());
    let wip = Prediction::from_values(base.values(kpi("wip_avg").unwrap()).to_vec());
    assert!(tp.half_width > 0.0 && wip.half_width > 0.0);
    let dir = tempfile::tempdir().unwrap();
    let obs = dir.path().join("observed.csv");
    // Inside: just within the bounds; outside: just beyond.
    std::fs::write(
        &obs,
        format!(
            "kpi,station,value\nthroughput_per_hour,,{}\nwip_avg,,{}\ncycle_time_mean_min,,100000\nutilisation,saw,0.5\n",
            tp.high - 1e-6 * tp.half_width,
            wip.high + 1e-3 * wip.half_width
        ),
    )
    .unwrap();
    let out = shopfloor()
        .arg("run")
        .arg(CELL)
        .args(args)
        .arg("--observed")
        .arg(&obs)
        .args(["--no-plots", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = |k: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(k))
            .unwrap_or_else(|| panic!("no line for {k} in {text}"))
            .to_string()
    };
    assert!(line("throughput_per_hour").ends_with("ok"), "{text}");
    assert!(line("wip_avg").ends_with("OUTSIDE"), "{text}");
    assert!(line("cycle_time_mean_min").ends_with("OUTSIDE"), "{text}");
    let res = dir.path().join(&sc.factory.name);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(res.join("summary.json")).unwrap()).unwrap();
    let cal = summary["calibration"].as_array().unwrap();
    assert_eq!(cal.len(), 4);
    assert_eq!(cal[0]["flagged"], false);
    assert_eq!(cal[1]["flagged"], true);
    assert_eq!(cal[3]["station"], "saw");
    let hw = cal[0]["simulated"]["half_width"].as_f64().unwrap();
    assert!(
        (hw - tp.half_width).abs() < 1e-9 * hw,
        "{hw} vs {}",
        tp.half_width
    );
    assert!(
        summary["variants"].is_array(),
        "the rest of the file is kept"
    );
    let html = std::fs::read_to_string(res.join("report.html")).unwrap();
    assert!(html.contains("id=\"calibration\""));
    assert!(res.join("calibration.csv").is_file());
}

#[test]
fn unknown_observed_kpis_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let obs = dir.path().join("observed.csv");
    for (text, want) in [
        (
            "kpi,station,value\nthroughput_per_hour,,3\nthruput_per_hour,,3\n",
            "row 2 (line 3), column `kpi`: unknown KPI `thruput_per_hour`; did you mean `throughput_per_hour`?",
        ),
        (
            "kpi,station,value\nutilisation,,0.5\n",
            "row 1 (line 2), column `station`: `utilisation` is a station KPI",
        ),
        (
            "kpi,station,value\nutilisation,sawx,0.5\n",
            "column `station`: unknown station `sawx`; did you mean `saw`?",
        ),
        (
            "kpi,station,value\nwip_avg,,lots\n",
            "column `value`: `lots` is not a finite number",
        ),
        (
            "kpi,station,value\nlead_time_mean_h,,3\n",
            "`lead_time_mean_h` has no simulated value",
        ),
    ] {
        std::fs::write(&obs, text).unwrap();
        let err = shopfloor()
            .arg("run")
            .arg(CELL)
            .arg("--observed")
            .arg(&obs)
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("observed.csv"), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(!dir.path().join("out").exists(), "refused before the run");
    }
}
