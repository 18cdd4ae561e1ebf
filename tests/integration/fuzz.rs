//! Fuzzing the scenario reader: the example scenarios in `scenarios/`,
//! mutated at random (lines deleted, duplicated and swapped, numbers made
//! extreme, strings replaced, the file cut short, stray characters added),
//! never make parsing and validation panic, and every error they give
//! names a line within the file and a column of at least 1, and every
//! scenario accepted stays within the limits that bound a run's memory. Seeded, so a
//! failure is reproduced by running the test again; bounded to a few
//! hundred cases, each parsed and validated only (nothing is simulated).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use shopfloor::scenario::{self, limits};

const CASES: usize = 450;
const SEED: u64 = 0x5f0f_1400;

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "1e-20",
    "1e-300",
    "0.0",
    "-0.0",
    "9223372036854775807",
    "-9223372036854775808",
    "1.5",
    "4294967296",
];
const STRINGS: &[&str] = &[
    "",
    "..",
    ".",
    "=x",
    "-x",
    "@x",
    "a\\u0007b",
    "nan",
    "-1h",
    "0s",
    "1e308h",
    "99999999w",
    "24:00",
    "00:00",
    "23:59",
    "25:61",
    "1ms",
    "exponential",
    "gamma",
    "saturated",
    "unlimited",
    "fifo",
    "x.y.z",
    "stations.nope.machines",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];
const STRAYS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    ",",
    "\n",
    "[[variant]]\n",
    "[variant]\n",
    "[[sweep]]\n",
    "x = 1\n",
    "a.b.c.d = 2\n",
    "\u{0}",
    "\u{feff}",
    "# comment\n",
    "1979-05-27T07:32:00Z",
];

fn examples() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).expect("example is UTF-8");
            (p, t)
        })
        .collect()
}

fn pick<'a>(rng: &mut Xoshiro256PlusPlus, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

/// A char boundary of `text` at or after a random byte.
fn boundary(rng: &mut Xoshiro256PlusPlus, text: &str) -> usize {
    let mut i = rng.random_range(0..=text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The byte ranges of `text` that `want` picks out (runs of number
/// characters, or the insides of "…" on one line).
fn spans(text: &str, numbers: bool) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if numbers && b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"._+-".contains(&b[i])) {
                i += 1;
            }
            out.push((start, i));
        } else if !numbers && b[i] == b'"' {
            let start = i + 1;
            let end = b[start..]
                .iter()
                .position(|&c| c == b'"' || c == b'\n')
                .map_or(b.len(), |j| start + j);
            if end < b.len() && b[end] == b'"' {
                out.push((start, end));
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn mutate_once(rng: &mut Xoshiro256PlusPlus, text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let n = lines.len();
    match rng.random_range(0..7u32) {
        0 => {
            let i = rng.random_range(0..n);
            let mut l = lines.clone();
            l.remove(i);
            l.join("\n")
        }
        1 => {
            let i = rng.random_range(0..n);
            let mut l = lines.clone();
            l.insert(i, lines[i]);
            l.join("\n")
        }
        2 => {
            let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
            let mut l = lines.clone();
            l.swap(i, j);
            l.join("\n")
        }
        k @ (3 | 4) => {
            let found = spans(text, k == 3);
            if found.is_empty() {
                return text.to_string();
            }
            let (a, b) = found[rng.random_range(0..found.len())];
            let with = if k == 3 {
                pick(rng, NUMBERS)
            } else {
                pick(rng, STRINGS)
            };
            format!("{}{with}{}", &text[..a], &text[b..])
        }
        5 => text[..boundary(rng, text)].to_string(),
        _ => {
            let at = boundary(rng, text);
            format!("{}{}{}", &text[..at], pick(rng, STRAYS), &text[at..])
        }
    }
}

#[test]
fn mutated_examples_never_panic_and_every_error_is_located() {
    let examples = examples();
    assert!(!examples.is_empty());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut rejected, mut accepted) = (0, 0);
    for case in 0..CASES {
        let (path, original) = &examples[case % examples.len()];
        let mut text = original.clone();
        for _ in 0..rng.random_range(1..4u32) {
            text = mutate_once(&mut rng, &text);
        }
        let parsed = catch_unwind(AssertUnwindSafe(|| scenario::parse(path, &text)));
        let last_line = text.split('\n').count();
        match parsed {
            Err(_) => failures.push(format!("case {case}: panicked on:\n{text}")),
            Ok(Ok(s)) => {
                accepted += 1;
                // Bounded memory and time: whatever a mutant sets, an
                // accepted scenario stays within the documented limits
                // that bound what a run allocates and how long it runs.
                let jobs = (s.variants.len() as u64 + 1) * u64::from(s.replications);
                let f = &s.factory;
                if !(f.horizon.is_finite() && f.horizon > 0.0 && f.horizon <= limits::MAX_HORIZON)
                    || s.replications > limits::MAX_REPLICATIONS
                    || s.variants.len() > limits::MAX_VARIANTS
                    || jobs > limits::MAX_JOBS
                    || f.max_parts > limits::MAX_PARTS
                {
                    failures.push(format!(
                        "case {case}: accepted beyond the limits (horizon {}, {} replications, {} variants, max_parts {}):\n{text}",
                        f.horizon,
                        s.replications,
                        s.variants.len(),
                        f.max_parts
                    ));
                }
            }
            Ok(Err(errors)) => {
                rejected += 1;
                if errors.0.is_empty() {
                    failures.push(format!("case {case}: an error with no entry"));
                }
                for e in &errors.0 {
                    if e.line < 1 || e.line > last_line || e.column < 1 || e.file != *path {
                        failures.push(format!(
                            "case {case}: error not located within the file ({last_line} lines):\n{e}\nin:\n{text}"
                        ));
                    }
                    if e.message.is_empty() {
                        failures.push(format!("case {case}: empty message:\n{e}"));
                    }
                    let shown = e.to_string();
                    for w in ["$__toml", "struct Raw"] {
                        if shown.contains(w) {
                            failures.push(format!("case {case}: internal name {w:?}:\n{e}"));
                        }
                    }
                }
            }
        }
        failures.truncate(5);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The mutations do something: most are refused, some still pass.
    assert!(
        rejected > CASES / 4,
        "only {rejected} of {CASES} mutants refused"
    );
    assert!(accepted > 0, "no mutant was accepted");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{CASES} cases took {:?}",
        started.elapsed()
    );
}
