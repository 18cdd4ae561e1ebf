//! The corpus of broken scenarios in `tests/bad_scenarios/`: every file is
//! a small scenario with one kind of mistake, and carries the errors it
//! must give in header comments:
//!
//! ```text
//! # expect: LINE:COLUMN FIELD: MESSAGE PART
//! ```
//!
//! `FIELD` is the field as the error names it (`-` for none) and
//! `MESSAGE PART` a piece of the message. A file may carry several
//! `expect` lines; each must match one of the errors reported, and the
//! file must report no error that no `expect` line names. Adding a case is
//! dropping a file in the folder.

use std::path::{Path, PathBuf};

use shopfloor::scenario::{self, ScenarioError};

/// One `# expect:` line.
#[derive(Debug)]
struct Expect {
    line: usize,
    column: usize,
    field: String,
    message: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_scenarios")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad_scenarios exists")
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The `# expect:` lines of `bytes` (read as lossy text: a file may be
/// broken on purpose, e.g. not UTF-8).
fn expectations(path: &Path, bytes: &[u8]) -> Vec<Expect> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .map(|rest| {
            let whole = rest.trim();
            let bad = || -> ! { panic!("{}: malformed expect line: {whole}", path.display()) };
            let (pos, rest) = whole.split_once(' ').unwrap_or_else(|| bad());
            let (line, column) = pos.split_once(':').unwrap_or_else(|| bad());
            let (field, message) = rest.split_once(": ").unwrap_or_else(|| bad());
            Expect {
                line: line.parse().unwrap_or_else(|_| bad()),
                column: column.parse().unwrap_or_else(|_| bad()),
                field: if field == "-" {
                    String::new()
                } else {
                    field.to_string()
                },
                message: message.trim().to_string(),
            }
        })
        .collect()
}

fn matches(e: &ScenarioError, x: &Expect) -> bool {
    e.line == x.line && e.column == x.column && e.field == x.field && e.message.contains(&x.message)
}

/// Words of the program rather than of the file, which a user cannot act on.
const INTERNAL: &[&str] = &[
    "$__toml",
    "struct Raw",
    "invalid type: map",
    "invalid type: sequence",
    "expected a sequence",
];

#[test]
fn every_broken_scenario_gives_its_expected_errors() {
    let files = corpus_files();
    assert!(files.len() >= 40, "the corpus lost files: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("readable corpus file");
        let expected = expectations(path, &bytes);
        if expected.is_empty() {
            failures.push(format!("{}: no `# expect:` line", path.display()));
            continue;
        }
        let errors = match scenario::load(path) {
            Ok(_) => {
                failures.push(format!("{}: loads without an error", path.display()));
                continue;
            }
            Err(e) => e.0,
        };
        let shown: String = errors.iter().map(|e| e.to_string()).collect();
        for x in &expected {
            if !errors.iter().any(|e| matches(e, x)) {
                failures.push(format!(
                    "{}: no error matches {x:?}; got:\n{shown}",
                    path.display()
                ));
            }
        }
        for e in &errors {
            if !expected.iter().any(|x| matches(e, x)) {
                failures.push(format!("{}: unexpected error:\n{e}", path.display()));
            }
            if e.file != *path {
                failures.push(format!(
                    "{}: error names {}",
                    path.display(),
                    e.file.display()
                ));
            }
            for w in INTERNAL {
                if e.to_string().contains(w) {
                    failures.push(format!("{}: internal words {w:?} in:\n{e}", path.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_expect_lines_are_read_as_written() {
    let x = expectations(
        Path::new("x.toml"),
        b"# expect: 12:5 stations.cut.machines: must be at least 1\n# expect: 1:1 -: no [simulation]\n",
    );
    assert_eq!(x.len(), 2);
    assert_eq!((x[0].line, x[0].column), (12, 5));
    assert_eq!(x[0].field, "stations.cut.machines");
    assert_eq!(x[0].message, "must be at least 1");
    assert_eq!(x[1].field, "");
}
