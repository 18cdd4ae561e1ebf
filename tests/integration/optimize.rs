//! `shopfloor optimize`: the choice against brute force, the replications
//! it saves, the answer when no configuration is feasible, bad
//! declarations, and determinism across threads and resumes.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use shopfloor::experiment::Silent;
use shopfloor::experiment::kpi::kpi;
use shopfloor::model::simulate;
use shopfloor::optimize::{self, OptimizeResult, Outcome, Settings};
use shopfloor::scenario::{self, Scenario};
use shopfloor::stats::Estimate;

use crate::common::scenario as parse;

/// A machining cell and a packing station: how many mills, operators for
/// them, and the buffer before packing (3 × 3 × 2 = 18 configurations).
/// Mills are quick but need an operator; packing caps the output, so the
/// third mill and operator earn about what they cost: the best three
/// configurations lie within about δ of each other, where a careless
/// selection would go wrong.
const CELL: &str = r#"
[simulation]
name = "cell"
horizon = "1d"
warmup = "1h"
seed = 11

[workers.ops]
count = 2
stations = ["mill"]
wage = 52.0

[stations.mill]
machines = 2
cost_per_hour = 5.0

[stations.pack]
buffer = 4
cost_per_hour = 2.0

[products.p]
price = 20.0
material_cost = 5.0
release = "saturated"
routing = [
  { station = "mill", process = { dist = "exponential", mean = "6m" }, operators = 1 },
  { station = "pack", process = { dist = "exponential", mean = "2.5m" } },
]

[optimize]
objective = { maximize = "profit" }
constraints = [{ kpi = "throughput_per_hour", at_least = 15.0 }]
indifference = 60.0
first_replications = 10
max_replications = 200

[optimize.variables]
"stations.mill.machines" = [1, 2, 3]
"workers.ops.count" = { from = 1, to = 3 }
"stations.pack.buffer" = [1, 6]
"#;

/// Mean of KPI `name` over replications `0..reps` of configuration `i`,
/// from the library directly (common random numbers, like the optimiser).
fn brute_force(s: &Scenario, reps: u64, names: &[&str]) -> Vec<Vec<Estimate>> {
    let spec = s.optimize.as_ref().unwrap();
    (0..spec.space())
        .map(|i| {
            let f = s.derive("x", &spec.overrides(i)).unwrap().factory;
            let rows: Vec<_> = (0..reps)
                .map(|r| simulate(&f, s.seed, r, false).0)
                .collect();
            names
                .iter()
                .map(|n| {
                    let k = kpi(n).unwrap();
                    Estimate::from_values(rows.iter().map(|r| (k.get)(r)))
                })
                .collect()
        })
        .collect()
}

fn optimise(s: &Scenario, dir: &Path) -> OptimizeResult {
    let stop = AtomicBool::new(false);
    let settings = Settings {
        dir,
        resume: false,
        stop: &stop,
        stress: None,
    };
    match optimize::optimize(s, &settings, &Silent).unwrap() {
        Outcome::Complete { result, .. } => *result,
        Outcome::Interrupted { .. } => panic!("not interrupted"),
    }
}

/// On the 18-point grid the optimiser's choice is the brute-force best
/// (400 replications of every configuration), or within the indifference
/// zone of it, and it spends well under half the replications of a brute
/// force at `max_replications`.
#[test]
fn choice_matches_brute_force_with_fewer_replications() {
    let s = parse(CELL);
    let tmp = tempfile::tempdir().unwrap();
    let r = optimise(&s, tmp.path());
    let truth = brute_force(&s, 400, &["profit", "throughput_per_hour"]);
    // The best among those that meet the constraint on their means
    // (400 replications: half-widths far below the margins used here).
    let feasible = |i: usize| truth[i][1].mean >= 15.0;
    let best = (0..truth.len())
        .filter(|&i| feasible(i))
        .max_by(|&a, &b| truth[a][0].mean.total_cmp(&truth[b][0].mean))
        .unwrap();
    let chosen = r.configurations[r.chosen.expect("a feasible choice")].index;
    assert!(feasible(chosen), "chose an infeasible configuration");
    let gap = truth[best][0].mean - truth[chosen][0].mean;
    // Within δ, allowing for the brute force's own error on the gap.
    let slack = truth[best][0].half_width + truth[chosen][0].half_width;
    assert!(
        gap <= r.indifference + slack,
        "chose {} (profit {:.1}), the best is {} ({:.1})",
        r.configurations[r.chosen.unwrap()].name,
        truth[chosen][0].mean,
        s.optimize.as_ref().unwrap().name(best),
        truth[best][0].mean
    );
    assert_eq!(r.brute_force_replications, 18 * 200);
    let ratio = r.replications as f64 / r.brute_force_replications as f64;
    assert!(ratio < 0.5, "spent {} replications", r.replications);
    // Every configuration was evaluated, and the count adds up.
    assert_eq!(r.configurations.len(), 18);
    let total: u64 = r.configurations.iter().map(|c| c.replications).sum();
    assert_eq!(total, r.replications);
}

/// A space of 6 × 6 × 2 = 72 configurations, beyond the exhaustive limit:
/// the lattice search visits part of it, and the clean-up's choice is
/// within δ of the brute-force best.
#[test]
fn a_large_space_is_searched_and_cleaned_up() {
    let text = CELL
        .replace(
            r#""stations.mill.machines" = [1, 2, 3]"#,
            r#""stations.mill.machines" = { from = 1, to = 6 }"#,
        )
        .replace(
            r#""workers.ops.count" = { from = 1, to = 3 }"#,
            r#""workers.ops.count" = { from = 1, to = 6 }"#,
        );
    let s = parse(&text);
    let tmp = tempfile::tempdir().unwrap();
    let r = optimise(&s, tmp.path());
    assert_eq!(r.method, "lattice search");
    assert_eq!(r.space, 72);
    assert!(r.configurations.len() < 72);
    let truth = brute_force(&s, 200, &["profit", "throughput_per_hour"]);
    let best = (0..truth.len())
        .filter(|&i| truth[i][1].mean >= 15.0)
        .max_by(|&a, &b| truth[a][0].mean.total_cmp(&truth[b][0].mean))
        .unwrap();
    let chosen = r.configurations[r.chosen.expect("a feasible choice")].index;
    let gap = truth[best][0].mean - truth[chosen][0].mean;
    let slack = truth[best][0].half_width + truth[chosen][0].half_width;
    assert!(
        gap <= r.indifference + slack,
        "chose {} ({:.1}), the best is {} ({:.1})",
        s.optimize.as_ref().unwrap().name(chosen),
        truth[chosen][0].mean,
        s.optimize.as_ref().unwrap().name(best),
        truth[best][0].mean
    );
}

/// A constraint no configuration can meet (packing caps the output far
/// below 40 parts/h): no configuration is chosen, and the closest is the
/// brute force's highest-throughput one, its shortfall the gap to 40.
#[test]
fn an_unmeetable_constraint_names_the_closest_configurations() {
    let text = CELL.replace("at_least = 15.0", "at_least = 40.0");
    let s = parse(&text);
    let tmp = tempfile::tempdir().unwrap();
    let r = optimise(&s, tmp.path());
    assert_eq!(r.chosen, None);
    assert!(r.runners_up.is_empty());
    assert!(!r.closest.is_empty());
    let truth = brute_force(&s, 100, &["throughput_per_hour"]);
    let c = &r.configurations[r.closest[0]];
    let top = truth
        .iter()
        .map(|t| t[0].mean)
        .fold(f64::NEG_INFINITY, f64::max);
    // The closest is among those whose throughput the brute force cannot
    // tell from the highest.
    let t = truth[c.index][0];
    assert!(
        t.mean + 2.0 * t.half_width >= top,
        "{} makes {:.2}/h, the best {top:.2}/h",
        c.name,
        t.mean
    );
    let miss = &c.constraints[0];
    assert!((miss.shortfall - (40.0 - miss.estimate.mean)).abs() < 1e-9);
    assert!(miss.shortfall > 10.0);
    // The command line says so in words.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cell.toml");
    std::fs::write(&file, &text).unwrap();
    let stdout = cli(&file, dir.path(), &["--no-plots"]);
    assert!(
        stdout.contains("NO configuration meets the constraints"),
        "{stdout}"
    );
    assert!(stdout.contains(&c.name), "{stdout}");
    assert!(stdout.contains("misses ≥ 40 by"), "{stdout}");
}

/// The error for `text` (which must be invalid), as text.
fn error_of(text: &str) -> String {
    match scenario::parse(Path::new("test.toml"), text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// Each bad declaration is reported at its line, with the field and a
/// hint.
#[test]
fn bad_declarations_get_located_errors() {
    let cases: [(&str, &str, &str, &str); 10] = [
        (
            r#"objective = { maximize = "profit" }"#,
            r#"objective = { maximize = "proft" }"#,
            "unknown KPI \"proft\"",
            "did you mean \"profit\"?",
        ),
        (
            r#"objective = { maximize = "profit" }"#,
            r#"objective = { maximize = "total_cost" }"#,
            "would seek the worst configuration",
            "minimize",
        ),
        (
            r#"constraints = [{ kpi = "throughput_per_hour", at_least = 15.0 }]"#,
            r#"constraints = [{ kpi = "on_time_orders", at_least = 0.9 }]"#,
            "no product is made for customer orders",
            "optimize.constraints[0].kpi",
        ),
        (
            r#""workers.ops.count" = { from = 1, to = 3 }"#,
            r#""workers.ops.count" = { from = 3, to = 1 }"#,
            "the range runs from 3 down to 1",
            "`from` must not be above `to`",
        ),
        (
            r#""workers.ops.count" = { from = 1, to = 3 }"#,
            r#""workers.ops.count" = { from = 1, to = 3, step = 0 }"#,
            "the step must be at least 1",
            "step",
        ),
        (
            r#""stations.mill.machines" = [1, 2, 3]"#,
            r#""stations.mill.machines" = []"#,
            "the list of values is empty",
            "optimize.variables",
        ),
        (
            r#""stations.mill.machines" = [1, 2, 3]"#,
            r#""stations.mil.machines" = [1, 2, 3]"#,
            "has no `mil`",
            "did you mean `mill`?",
        ),
        (
            r#""stations.mill.machines" = [1, 2, 3]"#,
            r#""stations.mill.machines" = [0, 1, 2]"#,
            "with stations.mill.machines = 0",
            "every value must make a valid plant",
        ),
        (
            r#""stations.mill.machines" = [1, 2, 3]"#,
            r#""stations.mill.machines" = 3"#,
            "lists the values to try",
            "write a list",
        ),
        (
            "indifference = 60.0",
            "indifference = -1.0",
            "must be a number above 0",
            "optimize.indifference",
        ),
    ];
    for (from, to, message, hint) in cases {
        let text = CELL.replace(from, to);
        assert_ne!(text, CELL, "{from}");
        let e = error_of(&text);
        let line = line_of(&text, to);
        assert!(e.contains(&format!("test.toml:{line}:")), "{to}: {e}");
        assert!(e.contains(message), "{to}: {e}");
        assert!(e.contains(hint), "{to}: {e}");
    }
    // No variables at all.
    let text = CELL[..CELL.find("[optimize.variables]").unwrap()].to_string();
    assert!(error_of(&text).contains("no decision variables"));
    // A scenario with [optimize] still runs and validates normally …
    let s = parse(CELL);
    assert_eq!(s.variants.len(), 0);
    assert_eq!(s.optimize.as_ref().unwrap().space(), 18);
    // … and `optimize` without the section is a clear error.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain.toml");
    std::fs::write(&file, &CELL[..CELL.find("[optimize]").unwrap()]).unwrap();
    let out = optimize_cmd(&file, dir.path(), &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has no [optimize] section"), "{err}");
}

/// Runs `shopfloor optimize FILE --out OUT EXTRA…`.
fn optimize_cmd(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("shopfloor")
        .unwrap()
        .args(["optimize", file.to_str().unwrap(), "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// The same, which must succeed; returns what it printed.
fn cli(file: &Path, out: &Path, extra: &[&str]) -> String {
    let o = optimize_cmd(file, out, extra);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const FILES: [&str; 4] = [
    "optimize.json",
    "optimize.csv",
    "optimize.html",
    "frontier.svg",
];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
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

/// Same seed, same answer to the byte on 1 and 2 threads; a run resumed
/// from half its replications (and a torn last line) writes the same files
/// and simulates only the rest.
#[test]
fn identical_across_threads_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cell.toml");
    std::fs::write(&file, CELL).unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    cli(&file, &one, &["--threads", "1"]);
    cli(&file, &two, &["--threads", "2"]);
    let (one, two) = (one.join("cell/optimize"), two.join("cell/optimize"));
    same_files(&one, &two);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("optimize.json")).unwrap()).unwrap();
    // The configurations' replications and the baseline's.
    let spent =
        json["replications"].as_u64().unwrap() + json["baseline"]["replications"].as_u64().unwrap();
    // Keep half the finished replications and half a line.
    let jobs = std::fs::read_dir(two.join("jobs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let text = std::fs::read_to_string(&jobs).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, spent);
    let keep = lines.len() / 2;
    let mut cut = lines[..keep].join("\n");
    cut.push('\n');
    cut.push_str(&lines[keep][..lines[keep].len() / 2]);
    std::fs::write(&jobs, cut).unwrap();
    for f in FILES {
        std::fs::remove_file(two.join(f)).unwrap();
    }
    let out = cli(
        &file,
        &tmp.path().join("two"),
        &["--threads", "2", "--resume"],
    );
    same_files(&one, &two);
    let ran = spent - keep as u64;
    assert!(
        out.contains(&format!("\n{ran} replications run now")),
        "expected {ran} new replications: {out}"
    );
}

/// Ctrl-C (SIGINT) stops an optimisation of decision.toml with exit code
/// 130 and the finished replications saved; `--resume` then writes the
/// same files as a run that was never stopped.
#[test]
fn ctrl_c_stops_and_resume_finishes_the_same() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/decision.toml");
    let tmp = tempfile::tempdir().unwrap();
    let (whole, cut) = (tmp.path().join("whole"), tmp.path().join("cut"));
    cli(&file, &whole, &["--no-plots"]);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("shopfloor"))
        .args(["optimize", file.to_str().unwrap(), "--no-plots", "--out"])
        .arg(&cut)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some replications are saved, then interrupt.
    let jobs = cut.join("decision/optimize/jobs");
    let started = std::time::Instant::now();
    while started.elapsed().as_secs() < 60 {
        let saved = std::fs::read_dir(&jobs)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .map(|t| t.lines().count())
            .sum::<usize>();
        if saved > 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(0) {
        // Finished before the signal arrived: nothing to resume.
        eprintln!("the optimisation finished before Ctrl-C");
    } else {
        assert_eq!(out.status.code(), Some(130), "{err}");
        assert!(err.contains("run again with --resume"), "{err}");
        assert!(!cut.join("decision/optimize/optimize.json").exists());
        cli(&file, &cut, &["--no-plots", "--resume"]);
    }
    for f in ["optimize.json", "optimize.csv", "optimize.html"] {
        let x = std::fs::read(whole.join("decision/optimize").join(f)).unwrap();
        let y = std::fs::read(cut.join("decision/optimize").join(f)).unwrap();
        assert!(x == y, "{f} differs after the resume");
    }
}

/// The job file's values of `kpi` per (configuration, replication), from
/// `OUT/…/optimize/jobs/*.jsonl` (one line per finished replication).
fn journal(optimize_dir: &Path, kpi_name: &str) -> std::collections::BTreeMap<(u64, u64), f64> {
    let col = shopfloor::experiment::kpi::KPIS
        .iter()
        .position(|k| k.name == kpi_name)
        .unwrap();
    let file = std::fs::read_dir(optimize_dir.join("jobs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                (
                    v["config"].as_u64().unwrap(),
                    v["replication"].as_u64().unwrap(),
                ),
                v["kpis"][col].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

/// Mean and 95% half-width of `xs`, from the definitions (Student t).
fn mean_and_half_width(xs: &[f64]) -> (f64, f64) {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.975);
    (mean, t * (var / n).sqrt())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The optimiser reports the plant as written beside its choice: the
/// baseline's replications in the job file are those of the scenario's
/// own plant (simulated here from the library), and the reported paired
/// difference and runner-up loss are the mean and half-width of the
/// per-replication differences recomputed from the job file.
#[test]
fn the_baseline_and_the_runner_up_are_reported_with_paired_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cell.toml");
    std::fs::write(&file, CELL).unwrap();
    let stdout = cli(&file, tmp.path(), &["--no-plots"]);
    let dir = tmp.path().join("cell/optimize");
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("optimize.json")).unwrap()).unwrap();
    let profit = journal(&dir, "profit");
    let space = r["space"].as_u64().unwrap();
    let configs = r["configurations"].as_array().unwrap();
    let chosen = &configs[r["chosen"].as_u64().unwrap() as usize];
    let (ci, n) = (
        chosen["index"].as_u64().unwrap(),
        chosen["replications"].as_u64().unwrap(),
    );
    let b = &r["baseline"];
    assert_eq!(b["replications"].as_u64().unwrap(), n);
    // The baseline is the plant as written (pack buffer 4, which no
    // configuration has): its job-file rows are its own simulations.
    let s = parse(CELL);
    for rep in 0..n {
        let own = simulate(&s.factory, s.seed, rep, false).0;
        assert_eq!(profit[&(space, rep)], own.costs.profit, "replication {rep}");
    }
    let diffs: Vec<f64> = (0..n)
        .map(|rep| profit[&(ci, rep)] - profit[&(space, rep)])
        .collect();
    let (mean, hw) = mean_and_half_width(&diffs);
    let change = &b["change"]["objective"];
    assert!(close(change["mean"].as_f64().unwrap(), mean), "{change}");
    assert!(
        close(change["half_width"].as_f64().unwrap(), hw),
        "{change}"
    );
    // The constraint's KPI too.
    let tput = journal(&dir, "throughput_per_hour");
    let d: Vec<f64> = (0..n)
        .map(|rep| tput[&(ci, rep)] - tput[&(space, rep)])
        .collect();
    let got = b["change"]["constraints"][0]["mean"].as_f64().unwrap();
    assert!(close(got, mean_and_half_width(&d).0));
    // No station is automated: no capital, no payback.
    assert!(b["change"]["automation"].is_null());
    // The runner-up is the best other configuration on mean profit; its
    // loss is the mean of chosen − runner-up over their common
    // replications.
    let u = &r["runner_up"];
    let other = &configs[u["configuration"].as_u64().unwrap() as usize];
    let best_other = configs
        .iter()
        .filter(|c| c["index"] != chosen["index"] && c["replications"].as_u64().unwrap() >= 2)
        .map(|c| c["objective"]["mean"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(other["objective"]["mean"].as_f64().unwrap(), best_other);
    let oi = other["index"].as_u64().unwrap();
    let m = n.min(other["replications"].as_u64().unwrap());
    let loss: Vec<f64> = (0..m)
        .map(|rep| profit[&(ci, rep)] - profit[&(oi, rep)])
        .collect();
    let (mean, hw) = mean_and_half_width(&loss);
    assert!(close(u["loss"]["mean"].as_f64().unwrap(), mean), "{u}");
    assert!(close(u["loss"]["half_width"].as_f64().unwrap(), hw), "{u}");
    // Said in words, and the baseline is a row of the CSV.
    assert!(
        stdout.contains("baseline (the scenario as written;"),
        "{stdout}"
    );
    assert!(
        stdout.contains("change to the choice (chosen − baseline"),
        "{stdout}"
    );
    let name = other["name"].as_str().unwrap();
    assert!(stdout.contains(&format!("runner-up {name}: ")), "{stdout}");
    let csv = std::fs::read_to_string(dir.join("optimize.csv")).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().starts_with(",baseline,"),
        "{csv}"
    );
    let html = std::fs::read_to_string(dir.join("optimize.html")).unwrap();
    assert!(html.contains("Against the plant as it is"));
}

/// An M/M/c queue: releases every 10 min on average (Poisson), one
/// operation of 6 min (exponential) that needs one of `ops.count`
/// operators, on three machines: with one operator an M/M/1 queue at
/// ρ = 0.6 (mean work in process ρ/(1−ρ) = 1.5), with three an M/M/3.
/// The constraint keeps the mean WIP at most 4; fewer operators cost
/// less.
const QUEUE: &str = r#"
[simulation]
name = "queue"
horizon = "1w"
warmup = "1d"
seed = 3

[workers.ops]
count = 1
stations = ["server"]
wage = 30.0

[stations.server]
machines = 3

[products.part]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [{ station = "server", process = { dist = "exponential", mean = "6m" }, operators = 1 }]

[optimize]
objective = { minimize = "total_cost" }
constraints = [{ kpi = "wip_avg", at_most = 4.0 }]
indifference = 100.0
first_replications = 10
max_replications = 40

[optimize.variables]
"workers.ops.count" = [1, 2, 3]
"#;

/// `--stress demand=+0%` leaves the choice's feasibility, and its very
/// figures, as they are without stress; `demand=+200%` triples the rate
/// of releases, which makes the M/M/1 choice (ρ = 1.8) explode and leaves
/// only three operators (an M/M/3 at ρ = 0.6, mean WIP about 2.3; two
/// give ρ = 0.9 and about 9.5) within the constraint.
#[test]
fn a_stress_test_checks_the_choice_and_names_what_stays_feasible() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("queue.toml");
    std::fs::write(&file, QUEUE).unwrap();
    let read = |out: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join("queue/optimize/optimize.json")).unwrap())
            .unwrap()
    };
    let plain = tmp.path().join("plain");
    cli(&file, &plain, &["--no-plots"]);
    let plain = read(&plain);
    let chosen = &plain["configurations"][plain["chosen"].as_u64().unwrap() as usize];
    assert_eq!(chosen["name"], "ops.count=1");
    assert!(plain.get("stress").is_none());

    let zero = tmp.path().join("zero");
    cli(&file, &zero, &["--no-plots", "--stress", "demand=+0%"]);
    let zero = read(&zero);
    assert_eq!(zero["chosen"], plain["chosen"]);
    let s = &zero["stress"];
    assert_eq!(s["factor"].as_f64(), Some(1.0));
    assert_eq!(s["chosen"]["feasibility"], chosen["feasibility"]);
    assert_eq!(s["chosen"]["replications"], chosen["replications"]);
    assert_eq!(s["chosen"]["constraints"], chosen["constraints"]);
    assert_eq!(s["chosen"]["objective"], chosen["objective"]);
    assert_eq!(s["alternatives"].as_array().unwrap().len(), 0);

    let out = tmp.path().join("triple");
    let stdout = cli(
        &file,
        &out,
        &["--no-plots", "--stress", "demand=+200%", "--threads", "1"],
    );
    let r = read(&out);
    let s = &r["stress"];
    assert_eq!(s["factor"].as_f64(), Some(3.0));
    assert_eq!(s["chosen"]["feasibility"], "infeasible");
    let wip = s["chosen"]["constraints"][0]["estimate"]["mean"]
        .as_f64()
        .unwrap();
    assert!(wip > 40.0, "an unstable queue holds {wip} parts on average");
    let alternatives = s["alternatives"].as_array().unwrap();
    let name = |a: &serde_json::Value| {
        r["configurations"][a["configuration"].as_u64().unwrap() as usize]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(alternatives.len(), 2);
    assert_eq!(name(&alternatives[0]), "ops.count=3");
    assert_eq!(alternatives[0]["feasibility"], "feasible");
    assert_eq!(s["best"], alternatives[0]["configuration"]);
    assert_eq!(name(&alternatives[1]), "ops.count=2");
    assert_eq!(alternatives[1]["feasibility"], "infeasible");
    assert!(stdout.contains("stress test, demand +200%"), "{stdout}");
    assert!(stdout.contains("NOT feasible"), "{stdout}");
    assert!(
        stdout.contains("feasible under stress (1 of the 2 other configurations"),
        "{stdout}"
    );
    // The same files on two threads.
    let two = tmp.path().join("two");
    cli(
        &file,
        &two,
        &["--no-plots", "--stress", "demand=+200%", "--threads", "2"],
    );
    for f in ["optimize.json", "optimize.csv", "optimize.html"] {
        let x = std::fs::read(out.join("queue/optimize").join(f)).unwrap();
        let y = std::fs::read(two.join("queue/optimize").join(f)).unwrap();
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
    // Bad values are refused with the fix, before anything runs.
    for (bad, why) in [
        ("demand=+15", "in percent"),
        ("demnd=+15%", "only `demand`"),
        ("demand=-100%", "above -100%"),
    ] {
        let o = optimize_cmd(&file, &tmp.path().join("bad"), &["--stress", bad]);
        assert!(!o.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!tmp.path().join("bad").exists());
}

/// Two products share nothing but the order count: many quick "small"
/// orders, always on time, and few "big" ones at a station whose
/// operators the decision sets. With one operator the big orders queue
/// (an M/M/1 at ρ = 0.83: P(sojourn > 3 h) = e^(−0.6) ≈ 55% late), yet
/// the plant-wide on-time share stays above 90% ((12 + 0.45)/13); with
/// two, both products are on time.
const TWO_PRODUCTS: &str = r#"
[simulation]
name = "two"
horizon = "1w"
warmup = "1d"
seed = 9

[workers.big_ops]
count = 1
stations = ["b"]
wage = 40.0

[stations.a]
machines = 3

[stations.b]
machines = 3

[products.small]
orders = { interarrival = { dist = "exponential", mean = "5m" }, due_in = "1h" }
routing = [{ station = "a", process = { dist = "exponential", mean = "5m" } }]

[products.big]
orders = { interarrival = { dist = "exponential", mean = "1h" }, due_in = "3h" }
routing = [{ station = "b", process = { dist = "exponential", mean = "50m" }, operators = 1 }]

[optimize]
objective = { minimize = "total_cost" }
constraints = [{ kpi = "on_time_orders", at_least = 0.9 }]
indifference = 100.0
first_replications = 10
max_replications = 40

[optimize.variables]
"workers.big_ops.count" = [1, 2]
"#;

/// A per-product constraint drops the configuration that the plant-wide
/// constraint alone accepts: the share of one product's orders on time,
/// as the optimiser measured it, is the products.csv figure of the
/// simulation.
#[test]
fn a_per_product_constraint_filters_what_the_plant_wide_one_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let plant_wide = optimise(&parse(TWO_PRODUCTS), &tmp.path().join("a"));
    let chosen = &plant_wide.configurations[plant_wide.chosen.unwrap()];
    assert_eq!(chosen.name, "big_ops.count=1");
    assert_eq!(chosen.feasibility, optimize::select::Feasibility::Feasible);

    let text = TWO_PRODUCTS.replace(
        r#"constraints = [{ kpi = "on_time_orders", at_least = 0.9 }]"#,
        r#"constraints = [{ kpi = "on_time_orders", at_least = 0.9 }, { kpi = "on_time_orders", product = "big", at_least = 0.9 }]"#,
    );
    let s = parse(&text);
    let r = optimise(&s, &tmp.path().join("b"));
    let one = r
        .configurations
        .iter()
        .find(|c| c.name == "big_ops.count=1")
        .unwrap();
    assert_eq!(one.status, optimize::select::Status::Infeasible);
    // The plant-wide share holds on its lower bound, the product's misses
    // on its upper one.
    assert!(
        one.constraints[0].estimate.low >= 0.9,
        "{:?}",
        one.constraints[0]
    );
    assert_eq!(one.constraints[1].product.as_deref(), Some("big"));
    assert!(
        one.constraints[1].estimate.high < 0.9,
        "{:?}",
        one.constraints[1]
    );
    assert_eq!(r.configurations[r.chosen.unwrap()].name, "big_ops.count=2");
    // The figure is the product's own on-time share, replication by
    // replication.
    let spec = s.optimize.as_ref().unwrap();
    let f = s.derive("x", &spec.overrides(one.index)).unwrap().factory;
    let big = f.products.iter().position(|p| p.name == "big").unwrap();
    let own = Estimate::from_values(
        (0..one.replications)
            .map(|rep| simulate(&f, s.seed, rep, false).0.products[big].on_time_orders),
    );
    assert_eq!(one.constraints[1].estimate, own);
    // Named in the question and the constraint lines.
    let table = shopfloor::report::optimize_table(&r);
    assert!(
        table.contains("subject to on_time_orders ≥ 0.9 and on_time_orders[big] ≥ 0.9"),
        "{table}"
    );
    // Mistakes are located.
    let constraint = r#"{ kpi = "on_time_orders", product = "big", at_least = 0.9 }"#;
    for (to, message, hint) in [
        (
            r#"{ kpi = "on_time_orders", product = "bgi", at_least = 0.9 }"#,
            "no product is called \"bgi\"",
            "did you mean \"big\"?",
        ),
        (
            r#"{ kpi = "wip_avg", product = "big", at_most = 9.0 }"#,
            "\"wip_avg\" is not measured per product",
            "per-product KPIs:",
        ),
    ] {
        let bad = text.replace(constraint, to);
        assert_ne!(bad, text);
        let e = error_of(&bad);
        let line = line_of(&bad, to);
        assert!(e.contains(&format!("test.toml:{line}:")), "{to}: {e}");
        assert!(e.contains(message), "{to}: {e}");
        assert!(e.contains(hint), "{to}: {e}");
    }
    // A KPI the product does not define: in decision.toml brackets are
    // made to stock, frames to order.
    let decision = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/decision.toml"),
    )
    .unwrap();
    let to = r#"constraints = [{ kpi = "fill_rate", product = "frame", at_least = 0.9 }]"#;
    let bad = decision.replace(
        r#"constraints = [{ kpi = "on_time_orders", at_least = 0.95 }]"#,
        to,
    );
    assert_ne!(bad, decision);
    let e = error_of(&bad);
    assert!(
        e.contains(&format!("test.toml:{}:", line_of(&bad, to))),
        "{e}"
    );
    assert!(
        e.contains("product \"frame\" is not made to stock, so \"fill_rate\" has no value for it"),
        "{e}"
    );
    assert!(e.contains("optimize.constraints[0].kpi"), "{e}");
}
