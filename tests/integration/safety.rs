//! Security and data loss (issue #14): names that would escape `--out` or
//! inject spreadsheet formulas, special files as inputs and outputs, two
//! runs into one folder, duplicated job lines, order books re-read after
//! the run, file modes, and a closed standard output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// A tiny plant that runs in a blink.
fn plant(name: &str) -> String {
    format!(
        r#"[simulation]
name = "{name}"
horizon = "1d"
replications = 2
seed = 3

[stations.cut]

[products.frame]
release = {{ interarrival = "10m" }}
routing = [{{ station = "cut", process = {{ dist = "exponential", mean = "8m" }} }}]
"#
    )
}

fn shopfloor() -> Command {
    let mut c = Command::cargo_bin("shopfloor").unwrap();
    c.timeout(Duration::from_secs(120));
    c
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn names_that_leave_the_out_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A file of another run beside --out, which `..` would overwrite.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let precious = write(&dir.path().join("summary.json"), "keep me");
    for name in ["..", ".", "..."] {
        let file = write(&dir.path().join("dots.toml"), &plant(name));
        let o = shopfloor()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("dots.toml:2:8"), "{name}: {err}");
        assert!(err.contains("`simulation.name`"), "{name}: {err}");
        assert!(err.contains("hint:"), "{name}: {err}");
    }
    // A name taken from the file name is checked the same way.
    let text = plant("x").replace("name = \"x\"\n", "");
    let file = write(&dir.path().join("...toml"), &text);
    let o = shopfloor().arg("validate").arg(&file).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("from the file name"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(precious).unwrap(), "keep me");
    assert!(!dir.path().join("jobs").exists());
}

#[test]
fn names_are_checked_for_formulas_control_characters_and_length() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("=HYPERLINK(\\\"http://evil\\\")", "formula"),
        ("@SUM(A1)", "formula"),
        ("", "empty"),
        ("red\\u001b[31m", "control character"),
        ("bell\\u0007", "control character"),
    ];
    let long = "s".repeat(300);
    let cases = cases
        .iter()
        .map(|(n, why)| (n.to_string(), *why))
        .chain([(long, "at most 64")]);
    for (station, why) in cases {
        let text = plant("names").replace("[stations.cut]", &format!("[stations.\"{station}\"]"));
        let text = text.replace("station = \"cut\"", &format!("station = \"{station}\""));
        let file = write(&dir.path().join("names.toml"), &text);
        let o = shopfloor().arg("validate").arg(&file).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{station}: {err}");
        assert!(err.contains(why), "{station}: {err}");
        assert!(err.contains("names.toml:"), "{station}: {err}");
        assert!(err.contains("`stations."), "{station}: {err}");
        // Nothing raw reaches the terminal.
        assert!(
            !o.stderr.contains(&0x1b) && !o.stderr.contains(&0x07),
            "{err}"
        );
    }
    // A name with a formula character inside, not in front, is fine.
    let text = plant("names")
        .replace("[stations.cut]", "[stations.\"cut=saw\"]")
        .replace("station = \"cut\"", "station = \"cut=saw\"");
    let file = write(&dir.path().join("ok.toml"), &text);
    shopfloor().arg("validate").arg(&file).assert().success();
}

#[test]
fn special_files_are_not_read_as_inputs() {
    let dir = tempfile::tempdir().unwrap();
    // A device: read to the end, it would fill the memory.
    let o = shopfloor()
        .args(["validate", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    // Too large.
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    let o = shopfloor().arg("validate").arg(&big).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("larger than 16 MiB"), "{}", stderr(&o));
    // An order book that is a device, with the line of `book`.
    let text = format!("{}\n[orders]\nbook = \"/dev/urandom\"\n", plant("book"));
    let file = write(&dir.path().join("book.toml"), &text);
    let o = shopfloor().arg("validate").arg(&file).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("book.toml:14:8"), "{err}");
    assert!(err.contains("`orders.book`"), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    // A FIFO would block forever.
    let fifo = dir.path().join("fifo.toml");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo unavailable: FIFO case skipped");
        return;
    }
    let o = shopfloor().arg("validate").arg(&fifo).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("FIFO"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn trace_never_replaces_a_fifo_a_symlink_or_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("t.toml"), &plant("t"));
    let target = write(&dir.path().join("target.csv"), "mine");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = dir.path().join("fifo");
    let have_fifo = mkfifo(&fifo);
    let mut targets = vec![link.clone(), PathBuf::from("/dev/null")];
    if have_fifo {
        targets.push(fifo.clone());
    }
    for t in &targets {
        let o = shopfloor()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--trace")
            .arg(t)
            .arg("-q")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{}: {err}", t.display());
        assert!(err.contains("not a regular file"), "{err}");
        // Refused before running: no results.
        assert!(!dir.path().join("out").join("t").exists());
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
    if have_fifo {
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("busy.toml"), &plant("busy"));
    let out = dir.path().join("out");
    let jobs = out.join("busy").join("jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    // Another process holds the folder.
    let mut lock = std::fs::File::create(jobs.join("lock")).unwrap();
    lock.try_lock().unwrap();
    writeln!(lock, "process 4242 on elsewhere").unwrap();
    let run = || {
        shopfloor()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap()
    };
    let o = run();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("process 4242 on elsewhere"), "{err}");
    assert!(err.contains("another --out"), "{err}");
    assert!(!out.join("busy").join("summary.json").exists());
    // A shard may not join an unsharded run either.
    let o = shopfloor()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--shard", "0/2", "-q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    drop(lock);
    let o = run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Sibling shards share the folder, each shard once.
    let shard = |k: u32| {
        shopfloor()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .args(["--shard", &format!("{k}/2"), "-q"])
            .output()
            .unwrap()
    };
    // A sibling shard (1 of 2) is running: shard 0 shares the folder,
    // a second copy of shard 1 is refused.
    let shared = std::fs::File::open(jobs.join("lock")).unwrap();
    shared.try_lock_shared().unwrap();
    let one = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(jobs.join("shard-1-of-2.lock"))
        .unwrap();
    one.try_lock().unwrap();
    assert_eq!(shard(0).status.code(), Some(0));
    let o = shard(1);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("shard-1-of-2.lock"), "{}", stderr(&o));
}

#[test]
fn merge_and_report_refuse_a_folder_a_run_is_writing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("held.toml"), &plant("held"));
    let out = dir.path().join("out");
    let o = shopfloor()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let results = out.join("held");
    let report = || {
        shopfloor()
            .arg("report")
            .arg(&results)
            .arg("-q")
            .output()
            .unwrap()
    };
    let merge = || {
        shopfloor()
            .arg("merge")
            .arg(results.join("jobs"))
            .arg("--out")
            .arg(dir.path().join("merged"))
            .arg("-q")
            .output()
            .unwrap()
    };
    // A run (another process) is writing into the folder.
    let mut lock = std::fs::OpenOptions::new()
        .write(true)
        .open(results.join("jobs").join("lock"))
        .unwrap();
    lock.try_lock().unwrap();
    writeln!(lock, "process 4242 on elsewhere").unwrap();
    for o in [report(), merge()] {
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("process 4242 on elsewhere"), "{err}");
    }
    assert!(!dir.path().join("merged").exists());
    drop(lock);
    // Once it is done, both read it; `report` writing into the folder it
    // reads takes the lock once, not twice.
    for o in [report(), merge()] {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

#[test]
fn resume_refuses_a_job_file_with_a_job_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("dup.toml"), &plant("dup"));
    let out = dir.path().join("out");
    let run = |resume: bool| {
        let mut c = shopfloor();
        c.arg("run").arg(&file).arg("--out").arg(&out).arg("-q");
        if resume {
            c.arg("--resume");
        }
        c.output().unwrap()
    };
    assert_eq!(run(false).status.code(), Some(0));
    let jobs = out.join("dup").join("jobs");
    let job_file = std::fs::read_dir(&jobs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let text = std::fs::read_to_string(&job_file).unwrap();
    let first = text.lines().next().unwrap();
    std::fs::write(&job_file, format!("{text}{first}\n")).unwrap();
    let o = run(true);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("appears twice"), "{err}");
    assert!(err.contains("lines 1 and 3"), "{err}");
}

/// A plant whose orders come from `orders.csv` beside it.
const BOOK_PLANT: &str = r#"[simulation]
name = "booked"
horizon = "1d"
replications = 2

[orders]
book = "orders.csv"

[stations.cut]

[products.frame]
price = 10.0
routing = [{ station = "cut", process = "20m" }]
"#;

#[test]
fn merge_and_report_use_the_order_book_the_run_used() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("booked.toml"), BOOK_PLANT);
    let book = write(
        &dir.path().join("orders.csv"),
        "id,product,quantity,arrival,due\n1,frame,3,0h,2h\n2,frame,5,1h,3h\n",
    );
    let out = dir.path().join("out");
    shopfloor()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["-q", "--no-plots"])
        .assert()
        .success();
    let run_summary = std::fs::read(out.join("booked").join("summary.json")).unwrap();
    // The book changes after the run; merge runs from another folder.
    std::fs::write(&book, "id,product,quantity,arrival,due\n1,frame,40,0h,1h\n").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let o = shopfloor()
        .current_dir(elsewhere.path())
        .arg("merge")
        .arg(out.join("booked"))
        .args(["--out", "merged", "-q", "--no-plots"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let merged = std::fs::read(elsewhere.path().join("merged/booked/summary.json")).unwrap();
    assert!(merged == run_summary, "merge used another order book");
    let o = shopfloor()
        .current_dir(elsewhere.path())
        .arg("report")
        .arg(out.join("booked"))
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest =
        std::fs::read_to_string(out.join("booked").join("jobs").join("manifest.json")).unwrap();
    assert!(manifest.contains("\"order_books\""), "{manifest}");
}

#[cfg(unix)]
#[test]
fn result_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("modes.toml"), &plant("modes"));
    for (umask, expected) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let out = dir.path().join(format!("out{umask}"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" run \"$1\" --out \"$2\" --trace \"$2/trace.csv\" -q"
            ))
            .arg(assert_cmd::cargo::cargo_bin("shopfloor"))
            .arg(&file)
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let res = out.join("modes");
        for f in [
            res.join("summary.json"),
            res.join("variants.csv"),
            res.join("replications.csv"),
            res.join("report.html"),
            res.join("jobs").join("manifest.json"),
            res.join("plots").join("gantt.svg"),
            out.join("trace.csv"),
        ] {
            let mode = std::fs::metadata(&f)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, expected, "{} with umask {umask}", f.display());
        }
        let pngs = std::fs::read_dir(res.join("plots"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
            .map(|e| e.metadata().unwrap().permissions().mode() & 0o777)
            .collect::<Vec<_>>();
        assert!(!pngs.is_empty());
        assert!(pngs.iter().all(|m| *m == expected), "{pngs:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir.path().join("pipe.toml"), &plant("pipe"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("shopfloor"))
        .arg("validate")
        .args(std::iter::repeat_n(&file, 2000))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -0`: the reader goes away.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
    assert_eq!(o.status.signal(), Some(13), "{:?} {err}", o.status);
}
