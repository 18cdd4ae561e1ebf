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
    let spent = json["replications"].as_u64().unwrap();
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
