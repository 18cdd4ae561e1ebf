//! Experiments: variants and sweeps, paired comparisons, precision rule,
//! shards, resume, and their errors.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use shopfloor::experiment::{self, kpi};
use shopfloor::report;
use shopfloor::scenario::{self, Overrides};

use crate::common::scenario as parse;

const STUDY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/line_study.toml");
const OUTPUTS: [&str; 5] = [
    "summary.json",
    "variants.csv",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
];

/// A small plant with a variant identical to the baseline, one that adds a
/// machine, and a 2-point sweep.
const PLANT: &str = r#"
[simulation]
name = "plant"
horizon = "3d"
warmup = "4h"
replications = 8
seed = 5

[stations.cell]
machines = 2
buffer = 6
failures = { time_to_failure = { dist = "exponential", mean = "5h" }, repair = "20m" }

[stations.pack]
buffer = 4

[products.p]
release = { interarrival = { dist = "exponential", mean = "70s" } }
routing = [
  { station = "cell", process = { dist = "exponential", mean = "2m" } },
  { station = "pack", process = { dist = "exponential", mean = "55s" }, scrap = 0.02 },
]

[[variant]]
name = "same"
"stations.cell.machines" = 2

[[variant]]
name = "third-machine"
"stations.cell.machines" = 3

[[sweep]]
name = "packbuf"
"stations.pack.buffer" = [2, 8]
"#;

fn run(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("shopfloor")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn same_outputs(a: &Path, b: &Path) {
    for f in OUTPUTS {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn variants_and_sweeps_expand_in_file_order() {
    let s = parse(PLANT);
    let names: Vec<&str> = s.all_variants().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "baseline",
            "same",
            "third-machine",
            "packbuf(pack.buffer=2)",
            "packbuf(pack.buffer=8)"
        ]
    );
    assert_eq!(s.variants[1].factory.stations[0].machines, 3);
    assert_eq!(s.variants[3].factory.stations[1].buffer, Some(8));
    // The baseline is untouched by its variants.
    assert_eq!(s.factory.stations[0].machines, 2);
}

/// A variant made in code matches the same variant written in the file,
/// keeps command-line horizons, and names the field it cannot set.
#[test]
fn derived_variants_match_written_ones() {
    let mut s = parse(PLANT);
    s.apply(&Overrides {
        horizon: Some(2.0 * 86_400.0),
        ..Default::default()
    })
    .unwrap();
    let d = s
        .derive(
            "third",
            &[("stations.cell.machines".into(), toml::Value::Integer(3))],
        )
        .unwrap();
    assert_eq!(d.factory.stations[0].machines, 3);
    assert_eq!(d.factory.horizon, 2.0 * 86_400.0);
    assert_eq!(
        d.overrides,
        [("stations.cell.machines".to_string(), "3".to_string())]
    );
    let written = &s.variants[1].factory;
    assert_eq!(
        format!("{:?}", d.factory.stations),
        format!("{:?}", written.stations)
    );
    let err = s
        .derive(
            "bad",
            &[("stations.cel.machines".into(), toml::Value::Integer(3))],
        )
        .unwrap_err();
    assert!(err.contains("did you mean `cell`"), "{err}");
    let err = s
        .derive(
            "zero",
            &[("stations.cell.machines".into(), toml::Value::Integer(0))],
        )
        .unwrap_err();
    assert!(err.contains("stations.cell.machines"), "{err}");
}

/// A variant identical to the baseline sees the same random numbers and so
/// shows a difference of exactly zero on every KPI; adding a machine
/// changes cycle time, and the paired interval is narrower than the
/// unpaired one (common random numbers at work).
#[test]
fn null_variant_is_exactly_zero_and_pairing_narrows_intervals() {
    let s = parse(PLANT);
    let r = experiment::run(&s);
    for c in &r.variants[1].vs_baseline {
        // KPIs this plant does not define (no orders, so no on-time
        // delivery) have no values to differ.
        if c.diff.n == 0 {
            assert!(c.diff.mean.is_nan(), "{}", c.kpi);
            continue;
        }
        assert_eq!(c.diff.mean, 0.0, "{}", c.kpi);
        assert_eq!(c.diff.sd, 0.0, "{}", c.kpi);
    }
    let ct = kpi::KPIS
        .iter()
        .position(|k| k.name == "cycle_time_mean_min")
        .unwrap();
    let third = &r.variants[2].vs_baseline[ct];
    assert!(
        third.diff.high < 0.0,
        "a third machine must shorten cycle time: {third:?}"
    );
    assert!(
        third.diff.half_width < third.unpaired_half_width,
        "paired {} should be narrower than unpaired {}",
        third.diff.half_width,
        third.unpaired_half_width
    );
}

#[test]
fn ranking_flags_the_best_and_its_equals() {
    let s = parse(PLANT);
    let r = experiment::run(&s);
    // Ranked on throughput: the order follows the means, the best is
    // indistinguishable from itself, and the baseline and its null copy
    // "same" always get the same verdict.
    let best = r.ranking.order[0];
    assert!(r.ranking.indistinguishable_from_best[best]);
    let means: Vec<f64> = r
        .ranking
        .order
        .iter()
        .map(|&i| r.variants[i].summary.throughput_per_hour.mean)
        .collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "{means:?}");
    // "same" and the baseline are always equally ranked against the best.
    assert_eq!(
        r.ranking.indistinguishable_from_best[0],
        r.ranking.indistinguishable_from_best[1]
    );
}

fn write_plant(dir: &Path) -> PathBuf {
    let p = dir.join("plant.toml");
    std::fs::write(&p, PLANT).unwrap();
    p
}

#[test]
fn threads_and_shards_give_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_plant(tmp.path());
    let f = file.to_str().unwrap();
    let out = |name: &str| tmp.path().join(name);
    let o1 = out("t1");
    let o2 = out("t2");
    run_ok(&[
        "run",
        f,
        "-q",
        "--threads",
        "1",
        "--out",
        o1.to_str().unwrap(),
    ]);
    run_ok(&[
        "run",
        f,
        "-q",
        "--threads",
        "2",
        "--out",
        o2.to_str().unwrap(),
    ]);
    same_outputs(&o1.join("plant"), &o2.join("plant"));

    let mut shard_dirs = Vec::new();
    for k in 0..3 {
        let d = out(&format!("shard{k}"));
        let msg = run_ok(&[
            "run",
            f,
            "--shard",
            &format!("{k}/3"),
            "--out",
            d.to_str().unwrap(),
        ]);
        assert!(msg.contains(&format!("shard {k}/3")), "{msg}");
        // A shard alone writes no results, only its jobs.
        assert!(!d.join("plant/summary.json").exists());
        shard_dirs.push(d.join("plant").to_str().unwrap().to_string());
    }
    let merged = out("merged");
    let mut args = vec!["merge", "-q", "--out", merged.to_str().unwrap()];
    args.extend(shard_dirs.iter().map(String::as_str));
    run_ok(&args);
    same_outputs(&o1.join("plant"), &merged.join("plant"));

    // Missing or duplicated shards are refused.
    let out2 = run(&[
        "merge",
        &shard_dirs[0],
        &shard_dirs[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(!out2.status.success());
    assert!(String::from_utf8_lossy(&out2.stderr).contains("missing"));
    let out3 = run(&[
        "merge",
        &shard_dirs[0],
        &shard_dirs[1],
        &shard_dirs[1],
        &shard_dirs[2],
    ]);
    assert!(!out3.status.success());
    assert!(String::from_utf8_lossy(&out3.stderr).contains("twice"));
}

/// A run cut short (a torn last line, as a crash leaves it) resumes from
/// its finished jobs and ends with the same files as an uninterrupted run.
#[test]
fn resume_after_a_crash_gives_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_plant(tmp.path());
    let f = file.to_str().unwrap();
    let full = tmp.path().join("full");
    let cut = tmp.path().join("cut");
    run_ok(&["run", f, "-q", "--out", full.to_str().unwrap()]);
    run_ok(&["run", f, "-q", "--out", cut.to_str().unwrap()]);
    let jobs = std::fs::read_dir(cut.join("plant/jobs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".jsonl"))
        .expect("a job file");
    let text = std::fs::read_to_string(&jobs).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Keep the first third of the jobs and half of the next line.
    let keep = lines.len() / 3;
    let mut torn = lines[..keep].join("\n");
    torn.push('\n');
    torn.push_str(&lines[keep][..lines[keep].len() / 2]);
    std::fs::write(&jobs, torn).unwrap();
    for f in OUTPUTS {
        std::fs::remove_file(cut.join("plant").join(f)).unwrap();
    }
    let msg = run_ok(&["run", f, "--resume", "--out", cut.to_str().unwrap()]);
    let expected_run = lines.len() - keep;
    assert!(msg.contains(&format!("{expected_run} jobs run")), "{msg}");
    same_outputs(&full.join("plant"), &cut.join("plant"));

    // Resuming with other settings is refused rather than mixed.
    let out = run(&[
        "run",
        f,
        "--resume",
        "--seed",
        "99",
        "--out",
        cut.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot resume"));
}

/// The precision rule: replications grow in batches of the initial count
/// until every variant's CI half-width is within the target; the count
/// used is the first batch boundary where the target holds.
#[test]
fn precision_rule_stops_at_the_first_batch_that_meets_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_plant(tmp.path());
    let o = tmp.path().join("p");
    let target = 0.01;
    let msg = run_ok(&[
        "run",
        file.to_str().unwrap(),
        "--replications",
        "4",
        "--precision",
        &format!("throughput_per_hour={target}"),
        "--max-replications",
        "64",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert!(
        msg.contains("reached") && !msg.contains("NOT reached"),
        "{msg}"
    );
    // Recompute the rule from the per-replication table.
    let mut rdr = csv::Reader::from_path(o.join("plant/replications.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (cv, cr, cc) = (
        col("variant"),
        col("replication"),
        col("throughput_per_hour"),
    );
    let mut rows: Vec<(String, u64, f64)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        rows.push((
            rec[cv].to_string(),
            rec[cr].parse().unwrap(),
            rec[cc].parse().unwrap(),
        ));
    }
    let used = rows.iter().map(|r| r.1).max().unwrap() + 1;
    assert_eq!(used % 4, 0, "replications grow in batches of 4");
    assert!(msg.contains(&format!("after {used} replications")), "{msg}");
    let met = |reps: u64| {
        let names: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        names.iter().all(|n| {
            let e = shopfloor::stats::Estimate::from_values(
                rows.iter().filter(|r| r.0 == *n && r.1 < reps).map(|r| r.2),
            );
            e.half_width <= target * e.mean.abs()
        })
    };
    assert!(met(used), "target not met at the reported count");
    if used > 4 {
        assert!(!met(used - 4), "the rule ran a batch more than needed");
    }
}

#[test]
fn bad_overrides_are_located() {
    let text = PLANT.replacen(
        "\"stations.cell.machines\" = 3",
        "\"stations.cel.machines\" = 3",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.contains("stations.cel.machines"))
        .unwrap()
        + 1;
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].line, line);
    assert_eq!(e.0[0].field, "stations.cel.machines");
    assert_eq!(e.0[0].hint.as_deref(), Some("did you mean `cell`?"));

    let text = PLANT.replacen(
        "\"stations.cell.machines\" = 3",
        "\"stations.cell.machines\" = 0",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.contains("\"stations.cell.machines\" = 0"))
        .unwrap()
        + 1;
    assert_eq!((e.0[0].line, e.0[0].column), (line, 28), "{e}");
    assert!(e.0[0].message.contains("at least 1"), "{e}");
    assert!(e.0[0].message.contains("third-machine"), "{e}");

    let text = PLANT.replacen(
        "\"stations.pack.buffer\" = [2, 8]",
        "\"stations.pack.buffer\" = 2",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert!(e.0[0].message.contains("lists the values"), "{e}");

    let text = PLANT.replacen("name = \"same\"", "name = \"third-machine\"", 1);
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert!(e.0[0].message.contains("already taken"), "{e}");

    let text = PLANT.replacen(
        "\"stations.cell.machines\" = 2",
        "\"simulation.seed\" = 2",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert!(e.0[0].message.contains("cannot change `simulation`"), "{e}");
}

#[test]
fn bad_command_line_values_are_explained() {
    for (args, expect) in [
        (vec!["--shard", "3/3"], "0 ≤ K < N"),
        (vec!["--shard", "x"], "K/N"),
        (
            vec!["--rank-by", "troughput_per_hour"],
            "did you mean `throughput_per_hour`?",
        ),
        (vec!["--precision", "wip_avg"], "KPI=REL"),
        (vec!["--precision", "wip_avg=-1"], "above 0"),
        (vec!["--threads", "0"], "at least 1"),
    ] {
        let mut all = vec!["run", STUDY, "--out", "/nonexistent-never-written"];
        all.extend(args.iter());
        let out = run(&all);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unquoted_paths_and_new_products_are_refused() {
    let text = PLANT.replacen(
        "\"stations.cell.machines\" = 3",
        "stations.cell.machines = 3",
        1,
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert!(e.0[0].message.contains("quoted path"), "{e}");
    let text = format!(
        "{PLANT}\n[[variant]]\nname = \"new-product\"\n\"products.q\" = {{ release = \"saturated\", routing = [{{ station = \"pack\", process = \"1m\" }}] }}\n"
    );
    let e = scenario::parse(Path::new("plant.toml"), &text).unwrap_err();
    assert!(e.0[0].message.contains("adds or removes products"), "{e}");
}

/// Shards started one after another into one shared results folder keep
/// each other's job files, and `merge` accepts the `--out` folder itself.
#[test]
fn shards_can_share_one_results_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_plant(tmp.path());
    let f = file.to_str().unwrap();
    let shared = tmp.path().join("shared");
    for k in 0..2 {
        run_ok(&[
            "run",
            f,
            "-q",
            "--shard",
            &format!("{k}/2"),
            "--out",
            shared.to_str().unwrap(),
        ]);
    }
    let merged = tmp.path().join("merged");
    run_ok(&[
        "merge",
        "-q",
        shared.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    let single = tmp.path().join("single");
    run_ok(&["run", f, "-q", "--out", single.to_str().unwrap()]);
    same_outputs(&single.join("plant"), &merged.join("plant"));
}

/// Shards started at the same moment into one new results folder do not
/// remove each other's job files.
#[test]
fn concurrent_shards_into_one_new_folder_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_plant(tmp.path());
    let f = file.to_str().unwrap().to_string();
    let shared = tmp.path().join("shared");
    let children: Vec<std::process::Child> = (0..4)
        .map(|k| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("shopfloor"))
                .args([
                    "run",
                    &f,
                    "-q",
                    "--threads",
                    "1",
                    "--shard",
                    &format!("{k}/4"),
                    "--out",
                ])
                .arg(&shared)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let merged = tmp.path().join("merged");
    run_ok(&[
        "merge",
        "-q",
        shared.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    let single = tmp.path().join("single");
    run_ok(&["run", &f, "-q", "--out", single.to_str().unwrap()]);
    same_outputs(&single.join("plant"), &merged.join("plant"));
}

/// The tables that `shopfloor run` writes by reading the results back from
/// its job file, one replication at a time in (variant, replication)
/// order, equal those written from the same results held in memory
/// (`experiment::run`): nothing is lost, reordered or rounded on the way
/// through the file. Checked on the plant above and on a staffed cell
/// (worker pools, so `pools.csv` too).
#[test]
fn tables_read_back_from_job_files_equal_tables_from_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let plant = write_plant(tmp.path());
    let staffed = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/staffed_cell.toml"
    ));
    let short = ["--replications", "3", "--horizon", "3d", "--warmup", "1d"];
    for (file, extra) in [(plant, &[][..]), (staffed, &short[..])] {
        let disk = tmp.path().join("disk");
        let mut args = vec!["run", file.to_str().unwrap(), "-q", "--no-plots"];
        args.extend(["--threads", "2", "--out", disk.to_str().unwrap()]);
        args.extend(extra);
        run_ok(&args);
        let mut s = scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        if !extra.is_empty() {
            s.apply(&Overrides {
                replications: Some(3),
                seed: None,
                horizon: Some(3.0 * 86_400.0),
                warmup: Some(86_400.0),
            })
            .unwrap();
        }
        let memory = tmp.path().join("memory");
        report::write_all(&memory, &s, &experiment::run(&s)).unwrap();
        let on_disk = disk.join(&s.factory.name);
        same_outputs(&on_disk, &memory);
        let pools = (on_disk.join("pools.csv"), memory.join("pools.csv"));
        assert_eq!(pools.0.exists(), pools.1.exists(), "{}", file.display());
        if pools.0.exists() {
            assert!(std::fs::read(&pools.0).unwrap() == std::fs::read(&pools.1).unwrap());
        }
        std::fs::remove_dir_all(&disk).unwrap();
        std::fs::remove_dir_all(&memory).unwrap();
    }
}

/// A saturated line whose middle station is the slowest: `--sensitivity`
/// finds it, gives it a machine first, and that machine raises throughput
/// (its paired CI lies above 0, and above the gain of a machine at the
/// first station). The levers are rebuilt from the manifest, so shards
/// merge into the same files as one run.
#[test]
fn sensitivity_relieves_the_bottleneck_and_merges_from_shards() {
    const LINE: &str = r#"
[simulation]
name = "line"
horizon = "1w"
warmup = "1d"
replications = 10
seed = 9

[stations.a]
buffer = 3
[stations.b]
buffer = 3
[stations.c]
buffer = 3

[products.p]
release = "saturated"
routing = [
  { station = "a", process = { dist = "exponential", mean = "4m" } },
  { station = "b", process = { dist = "exponential", mean = "6m" } },
  { station = "c", process = { dist = "exponential", mean = "4m" } },
]
"#;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("line.toml");
    std::fs::write(&file, LINE).unwrap();
    let f = file.to_str().unwrap();
    let one = tmp.path().join("one");
    let text = run_ok(&["run", f, "--sensitivity", "--out", one.to_str().unwrap()]);
    assert!(text.contains("+1 machine at b"), "{text}");
    assert!(one.join("line/plots/sensitivity.png").exists());
    let html = std::fs::read_to_string(one.join("line/report.html")).unwrap();
    assert!(html.contains("id=\"sensitivity\"") && html.contains("+1 machine at b"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("line/summary.json")).unwrap())
            .unwrap();
    let levers = summary["sensitivity"].as_array().unwrap();
    assert_eq!(levers[0]["lever"]["name"], "+1-machine(b)");
    let gain = |i: usize, bound: &str| levers[i]["gains"][0]["diff"][bound].as_f64().unwrap();
    assert_eq!(levers[0]["gains"][0]["kpi"], "throughput_per_hour");
    assert!(gain(0, "low") > 0.0, "{:?}", levers[0]);
    let at_a = levers
        .iter()
        .position(|l| l["lever"]["name"] == "+1-machine(a)")
        .unwrap();
    assert!(gain(0, "low") > gain(at_a, "high"), "{levers:?}");
    assert!(one.join("line/sensitivity.csv").exists());

    let mut shards = Vec::new();
    for k in 0..2 {
        let d = tmp.path().join(format!("s{k}"));
        run_ok(&[
            "run",
            f,
            "--sensitivity",
            "--shard",
            &format!("{k}/2"),
            "--out",
            d.to_str().unwrap(),
        ]);
        shards.push(d.join("line").to_str().unwrap().to_string());
    }
    let merged = tmp.path().join("merged");
    let mut args = vec![
        "merge",
        "-q",
        "--no-plots",
        "--out",
        merged.to_str().unwrap(),
    ];
    args.extend(shards.iter().map(String::as_str));
    run_ok(&args);
    same_outputs(&one.join("line"), &merged.join("line"));
    assert_eq!(
        std::fs::read(one.join("line/sensitivity.csv")).unwrap(),
        std::fs::read(merged.join("line/sensitivity.csv")).unwrap()
    );
}

/// The overtime lever of `--sensitivity` on `decision.toml` (8 h from 06:00
/// on Saturday, its first day off) is the plant its hand-written
/// `overtime` variant describes.
#[test]
fn the_overtime_lever_is_a_saturday_session() {
    use shopfloor::experiment::sensitivity::{SensitivityPlan, add_levers, levers};
    let mut s = scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/decision.toml"
    )))
    .unwrap();
    let plan = SensitivityPlan {
        top: 0,
        overtime_hours: 8.0,
    };
    let shares = vec![0.0; s.factory.stations.len()];
    let (found, notes) = levers(&s, &shares, &plan).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let names: Vec<&str> = found.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "+1-worker(operators)",
            "+1-worker(maintenance)",
            "+8h-overtime(two_shifts)"
        ]
    );
    add_levers(&mut s, found).unwrap();
    let by_name = |n: &str| &s.variants.iter().find(|v| v.name == n).unwrap().factory;
    assert_eq!(
        format!("{:?}", by_name("+8h-overtime(two_shifts)").pools),
        format!("{:?}", by_name("overtime").pools)
    );
    assert_eq!(
        by_name("+1-worker(operators)").pools[0].count,
        s.factory.pools[0].count + 1
    );
}

/// The overtime lever reads day names as the scenario reader does (any
/// case, full names), skips days that already have overtime, says so when
/// no day is left, leaves calendars nobody works to alone, and writes whole
/// minutes.
#[test]
fn the_overtime_lever_finds_the_first_free_day() {
    use shopfloor::experiment::sensitivity::{SensitivityPlan, levers};
    let text = |days: &str, overtime: &str| {
        format!(
            r#"
[simulation]
horizon = "1w"

[calendars.c]
shifts = [{{ start = "08:00", end = "16:00" }}]
days = {days}
overtime = {overtime}

[calendars.unused]
shifts = [{{ start = "08:00", end = "16:00" }}]

[workers.w]
count = 1
stations = ["m"]
calendar = "c"

[stations.m]

[products.p]
release = {{ interarrival = "1h" }}
routing = [{{ station = "m", process = "10m", operators = 1 }}]
"#
        )
    };
    let plan = SensitivityPlan {
        top: 0,
        overtime_hours: 2.5,
    };
    let overtime_of = |s: &scenario::Scenario| {
        let (found, notes) = levers(s, &vec![0.0; s.factory.stations.len()], &plan).unwrap();
        let ot: Vec<String> = found
            .iter()
            .filter(|l| l.name.contains("overtime"))
            .map(|l| format!("{}={}", l.name, l.overrides[0].1))
            .collect();
        (ot, notes)
    };
    // Monday to Saturday work (spelled in all ways the reader takes) and
    // Sunday has overtime already: no day is left.
    let s = parse(&text(
        r#"["Monday", "TUE", "wed", "Thursday", "fri", "Saturday"]"#,
        r#"[{ days = ["Sun"], start = "06:00", end = "10:00" }]"#,
    ));
    let (ot, notes) = overtime_of(&s);
    assert!(ot.is_empty(), "{ot:?}");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("calendar c"), "{notes:?}");
    // Monday to Friday with Saturday overtime: Sunday, 06:00 to 08:30.
    let s = parse(&text(
        r#"["mon", "tue", "wed", "thu", "fri"]"#,
        r#"[{ days = ["SATURDAY"], start = "06:00", end = "10:00" }]"#,
    ));
    let (ot, notes) = overtime_of(&s);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(ot.len(), 1, "only the calendar a pool works to: {ot:?}");
    assert!(ot[0].starts_with("+2.5h-overtime(c)="), "{ot:?}");
    assert!(
        ot[0].contains(r#"days = ["sun"]"#) && ot[0].contains(r#"end = "08:30""#),
        "{ot:?}"
    );
}

/// A plant whose one product runs 10 minutes at station `a`, sold at 10,
/// and which already runs an automated station `c` (unused, charged 0.2 an
/// hour). Variant "add-robot" adds an automated station `b` twice as fast
/// and routes the product through it instead: `b` is the variant's second
/// or third station whichever order they are kept in, so it lines up with
/// no baseline station or with the automated `c`.
const ADD_ROBOT: &str = r#"
[simulation]
name = "robot"
horizon = "10h"
warmup = "0s"
replications = 2
[stations.a]
[stations.c]
automate = true
automated = { capital = 8736.0, life = "260w" }
[products.p]
release = "saturated"
price = 10.0
routing = [{ station = "a", process = "10m" }]

[[variant]]
name = "add-robot"
"stations.b" = { automate = true, automated = { capital = 43680.0, life = "260w", process_factor = 0.5 } }
"products.p.routing" = [{ station = "b", process = "10m" }]
"#;

/// A variant that adds an automated station runs and reports its payback.
/// By hand over 10 hours: the baseline finishes a part every 10 minutes,
/// 59 parts (the one due at 10 h is at the horizon), revenue 590; the
/// robot one every 5 minutes, 119 parts, revenue 1190. Capital 43 680
/// over 260 weeks = 43 680 h is 1 an hour, charged 10 over the run (`c`
/// costs both 2). The operating gain before capital charges is 600 per 10
/// hours, 525 600 a year of 8 760 h, the same in both replications;
/// payback 43 680 / 525 600 years. Only `b` is new: `c` is automated in
/// the baseline too.
#[test]
fn a_variant_that_adds_an_automated_station_reports_its_payback() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("robot.toml");
    std::fs::write(&file, ADD_ROBOT).unwrap();
    let out = dir.path().join("out");
    let v = run(&["validate", file.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let stdout = run_ok(&[
        "run",
        file.to_str().unwrap(),
        "-q",
        "--no-plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.is_empty(), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("robot/summary.json")).unwrap()).unwrap();
    let variants = summary["variants"].as_array().unwrap();
    assert!(variants[0]["investment"].is_null());
    let a = &variants[1]["investment"];
    // Without the new station its routing is no plant: against the baseline.
    assert_eq!(a["compared_with"], "baseline");
    assert_eq!(variants[1]["name"], "add-robot");
    assert_eq!(a["stations"], serde_json::json!(["b"]));
    let num = |v: &serde_json::Value| v.as_f64().unwrap();
    assert!((num(&a["capital"]) - 43_680.0).abs() < 1e-9, "{a}");
    assert!((num(&a["capital_charge"]) - 10.0).abs() < 1e-9, "{a}");
    assert!(
        (num(&a["operating_gain_per_year"]["mean"]) - 525_600.0).abs() < 1e-6,
        "{a}"
    );
    let payback = 43_680.0 / 525_600.0;
    assert!((num(&a["payback_years"]) - payback).abs() < 1e-12, "{a}");
    for end in a["payback_years_range"].as_array().unwrap() {
        assert!((num(end) - payback).abs() < 1e-12, "{a}");
    }
}

/// A variant that is wrong only once built (the station it adds is
/// automated with an incomplete `automated` table, which the baseline
/// never reads) is refused by `validate`, located and naming the variant,
/// and `run` refuses it the same way before running anything.
#[test]
fn validate_refuses_a_variant_invalid_only_after_expansion() {
    let text = ADD_ROBOT.replace("capital = 43680.0, ", "");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("robot.toml");
    std::fs::write(&file, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("\"stations.b\""))
        .unwrap()
        + 1;
    let out = dir.path().join("out");
    for args in [
        vec!["validate", file.to_str().unwrap()],
        vec![
            "run",
            file.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("robot.toml:{line}:")), "{err}");
        assert!(err.contains("stations.b.automated"), "{err}");
        assert!(err.contains("in variant \"add-robot\""), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!out.exists(), "nothing is written");
}
