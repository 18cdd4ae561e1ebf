//! The exit codes of docs/cli.md ("Exit codes") are the ones the binary
//! returns, and every error it prints starts with one `error:`.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use shopfloor::experiment::store::Manifest;

const TINY: &str = r#"[simulation]
horizon = "1d"
warmup = "0s"
replications = 2

[stations.cut]
machines = 1

[products.frame]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [{ station = "cut", process = { dist = "exponential", mean = "8m" } }]
"#;

fn shopfloor(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("shopfloor").unwrap();
    c.timeout(Duration::from_secs(120)).current_dir(dir);
    c
}

fn code_and_stderr(c: &mut Command) -> (i32, String) {
    let o = c.output().unwrap();
    (
        o.status.code().expect("ended by exit, not by a signal"),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// An error message as the binary prints it: one `error:` at the start.
fn assert_one_error_prefix(stderr: &str) {
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("error: error"), "{stderr}");
}

/// The codes the documentation lists.
#[test]
fn the_documented_exit_codes_are_listed() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).unwrap();
    let section = doc
        .split("## Exit codes")
        .nth(1)
        .expect("an Exit codes section");
    for code in ["`0`", "`1`", "`2`", "`130`", "`141`"] {
        assert!(section.contains(&format!("| {code} |")), "{code} missing");
    }
}

#[test]
fn success_is_0_a_bad_scenario_1_and_a_bad_command_line_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.toml"), TINY).unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        TINY.replace("machines = 1", "machines = 0"),
    )
    .unwrap();

    let (code, _) = code_and_stderr(shopfloor(dir.path()).args(["validate", "tiny.toml"]));
    assert_eq!(code, 0);
    let (code, _) =
        code_and_stderr(shopfloor(dir.path()).args(["run", "tiny.toml", "-q", "--no-plots"]));
    assert_eq!(code, 0);

    let (code, err) = code_and_stderr(shopfloor(dir.path()).args(["validate", "bad.toml"]));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: bad.toml:7:12: `stations.cut.machines`"),
        "{err}"
    );
    let (code, err) = code_and_stderr(shopfloor(dir.path()).args(["run", "bad.toml", "-q"]));
    assert_eq!(code, 1);
    assert_one_error_prefix(&err);
    let (code, err) =
        code_and_stderr(shopfloor(dir.path()).args(["run", "tiny.toml", "--replications", "0"]));
    assert_eq!(code, 1);
    assert_one_error_prefix(&err);

    let (code, _) = code_and_stderr(shopfloor(dir.path()).args(["run", "tiny.toml", "--bogus"]));
    assert_eq!(code, 2);
    let (code, _) =
        code_and_stderr(shopfloor(dir.path()).args(["run", "tiny.toml", "--horizon", "5"]));
    assert_eq!(code, 2);
}

/// Errors from the run's lower layers (a refused `--precision` in a shard)
/// and a merge of jobs whose scenario no longer reads carry one `error:`,
/// not none and not two.
#[test]
fn every_failure_prints_one_error_prefix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.toml"), TINY).unwrap();
    let (code, err) = code_and_stderr(shopfloor(dir.path()).args([
        "run",
        "tiny.toml",
        "--shard",
        "0/2",
        "--precision",
        "throughput_per_hour=0.1",
        "--out",
        "p",
    ]));
    assert_eq!(code, 1);
    assert_one_error_prefix(&err);

    let (code, _) = code_and_stderr(shopfloor(dir.path()).args([
        "run",
        "tiny.toml",
        "-q",
        "--shard",
        "0/1",
        "--out",
        "s",
    ]));
    assert_eq!(code, 0);
    // The manifest's scenario is edited (and its job file renamed to the
    // edited manifest's run): merge then cannot read the scenario back.
    let jobs = dir.path().join("s/tiny/jobs");
    let manifest = jobs.join("manifest.json");
    let mut m: Manifest =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let old_run = m.run_id();
    m.scenario_text = TINY.replace("machines = 1", "machines = 0");
    std::fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    for e in std::fs::read_dir(&jobs).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains(&old_run) {
            std::fs::rename(&p, jobs.join(name.replace(&old_run, &m.run_id()))).unwrap();
        }
    }
    let (code, err) =
        code_and_stderr(shopfloor(dir.path()).args(["merge", "s", "--out", "m", "-q"]));
    assert_eq!(code, 1);
    assert_one_error_prefix(&err);
    assert!(err.contains("`stations.cut.machines`"), "{err}");
}
