//! Scenario files: TOML → raw image with spans → validated [`Scenario`].
//!
//! Every mistake is reported with file, line, column and the dotted field
//! path, plus a hint where one helps (an unknown key gets "did you mean …").
//! No input makes this module panic.

mod demand;
mod duration;
mod error;
mod input;
mod levers;
pub mod limits;
mod names;
mod optimize;
mod payback;
mod raw;
mod supply;
mod validate;
mod variants;

use std::path::{Path, PathBuf};

pub use duration::parse_duration;
pub use error::{ScenarioError, ScenarioErrors, did_you_mean};
pub use input::{Books, MAX_BOOK_BYTES, MAX_SCENARIO_BYTES, kind as file_kind, read_regular};
pub use levers::{LeverLevel, NamedLever};
pub use names::{MAX_NAME, folder_name_problem, name_problem};
pub use optimize::{
    Bound, Constraint, DecisionVariable, Objective, OptimizeSpec, short_path, value_text,
};
pub use variants::{Lever, LeverKind, Variant};

use crate::engine::Time;
use crate::model::Factory;
use error::Locator;
use validate::Validator;

/// A validated scenario: the factory plus how to run it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The factory to simulate.
    pub factory: Factory,
    /// Replications to run.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Free text from `simulation.description`.
    pub description: String,
    /// FNV-1a hash of the file's bytes (hex), to tie outputs to inputs.
    pub hash: String,
    /// The `[[variant]]`s and sweep points, in file order (the baseline is
    /// [`Scenario::factory`] and is not listed here).
    pub variants: Vec<Variant>,
    /// The `[optimize]` section, if any (used by `shopfloor optimize`
    /// only).
    pub optimize: Option<OptimizeSpec>,
    /// The `[levers.NAME]` tables: what each lever setting stands for.
    pub levers: Vec<NamedLever>,
    /// The file's text, kept so that shards can be merged without it.
    pub text: String,
    /// True when the file sets `simulation.period` (otherwise it follows
    /// the horizon, see [`default_period`]).
    pub period_explicit: bool,
    /// The file it was read from (files it names, such as an order book,
    /// are found beside it).
    pub source: PathBuf,
    /// The order books it was read with, by the path the file gives, so
    /// that the run's manifest keeps them (see [`parse_with_books`]).
    pub books: Books,
}

/// The reporting period used when the scenario sets none: the largest of
/// 1 min, 5 min, 15 min, 1 h, 4 h, 1 d and 1 w that still gives at least 40
/// periods over the horizon.
pub fn default_period(horizon: Time) -> Time {
    use crate::engine::{DAY, HOUR, MINUTE, WEEK};
    let steps = [
        MINUTE,
        5.0 * MINUTE,
        15.0 * MINUTE,
        HOUR,
        4.0 * HOUR,
        DAY,
        WEEK,
    ];
    let p = steps
        .iter()
        .rev()
        .copied()
        .find(|p| horizon / p >= 40.0)
        .unwrap_or(MINUTE);
    // Horizons of centuries: keep the series to a thousand points.
    if horizon / p > 1000.0 {
        horizon / 1000.0
    } else {
        p
    }
}

/// Values given on the command line that replace the file's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Replications.
    pub replications: Option<u32>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Horizon, seconds.
    pub horizon: Option<Time>,
    /// Warm-up, seconds.
    pub warmup: Option<Time>,
}

impl Scenario {
    /// Applies command-line overrides, checking that they still make sense.
    pub fn apply(&mut self, o: &Overrides) -> Result<(), String> {
        if let Some(r) = o.replications {
            if r == 0 {
                return Err("--replications must be at least 1".into());
            }
            if r > limits::MAX_REPLICATIONS {
                return Err(format!(
                    "--replications {r} is more than the limit of {} replications per variant",
                    limits::MAX_REPLICATIONS
                ));
            }
            self.replications = r;
            self.check_jobs()
                .map_err(|m| format!("--replications {r}: {m}"))?;
        }
        if let Some(s) = o.seed {
            self.seed = s;
        }
        if let Some(h) = o.horizon {
            if h <= 0.0 {
                return Err("--horizon must be longer than zero".into());
            }
            if h > limits::MAX_HORIZON {
                return Err(format!(
                    "--horizon {} is longer than the longest shopfloor simulates, {} (100 years)",
                    crate::engine::format_duration(h),
                    crate::engine::format_duration(limits::MAX_HORIZON)
                ));
            }
            self.factory.horizon = h;
            self.variants.iter_mut().for_each(|v| v.factory.horizon = h);
            if !self.period_explicit {
                let p = default_period(h);
                self.factory.period = p;
                self.variants.iter_mut().for_each(|v| v.factory.period = p);
            }
        }
        if let Some(w) = o.warmup {
            self.factory.warmup = w;
            self.variants.iter_mut().for_each(|v| v.factory.warmup = w);
        }
        if self.factory.horizon / self.factory.period > 100_000.0 {
            return Err(format!(
                "the horizon ({}) would hold more than 100000 reporting periods of {}: raise `simulation.period`",
                crate::engine::format_duration(self.factory.horizon),
                crate::engine::format_duration(self.factory.period)
            ));
        }
        if self.factory.warmup >= self.factory.horizon {
            return Err(format!(
                "the warm-up ({}) must be shorter than the horizon ({}): change --warmup or --horizon",
                crate::engine::format_duration(self.factory.warmup),
                crate::engine::format_duration(self.factory.horizon)
            ));
        }
        Ok(())
    }
}

impl Scenario {
    /// Refuses a job list (variants, baseline included, × replications)
    /// longer than [`limits::MAX_JOBS`].
    fn check_jobs(&self) -> Result<(), String> {
        let variants = self.variants.len() as u64 + 1;
        let jobs = variants * u64::from(self.replications);
        if jobs > limits::MAX_JOBS {
            return Err(format!(
                "{} replications of {variants} variants (the baseline included) make {jobs} jobs, more than the limit of {}",
                self.replications,
                limits::MAX_JOBS
            ));
        }
        Ok(())
    }
}

/// Reads and validates the scenario file at `path`.
/// Only a regular file of at most [`MAX_SCENARIO_BYTES`] is read: a FIFO
/// or a device is refused rather than read forever.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let fail = |message: String, hint: Option<String>| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            message,
            hint,
            source_line: String::new(),
        }])
    };
    let bytes = read_regular(path, MAX_SCENARIO_BYTES).map_err(|e| {
        fail(
            format!("cannot read the file: {e}"),
            Some("give the path of a scenario file (TOML), at most 16 MiB".into()),
        )
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(ScenarioErrors(vec![not_utf8(
                path,
                e.as_bytes(),
                e.utf8_error(),
            )]));
        }
    };
    parse(path, &text)
}

/// The error for a file that is not UTF-8, located at the first bad byte.
fn not_utf8(path: &Path, bytes: &[u8], e: std::str::Utf8Error) -> ScenarioError {
    let good = &bytes[..e.valid_up_to()];
    // The text up to the bad byte is valid by definition.
    let before = std::str::from_utf8(good).unwrap_or_default();
    // The rest of the line, with the bad bytes shown as �.
    let line_end = bytes[good.len()..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| good.len() + i);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let shown = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
    let books = input::Shelf::with(Books::new());
    let loc = Locator {
        file: path,
        text: before,
        books: &books,
    };
    let mut err = loc.error(
        before.len()..before.len(),
        "",
        format!(
            "the file is not UTF-8 text: byte 0x{:02x} here is not a UTF-8 character",
            bytes[good.len()]
        ),
        Some(
            "save the scenario file as UTF-8 (in most editors: \"Save with encoding\" → UTF-8)"
                .into(),
        ),
    );
    err.source_line = shown.trim_end_matches('\r').to_string();
    err
}

pub(crate) fn fnv_hex(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Scenario {
    /// The baseline and every variant, as `(name, factory)`, baseline
    /// first: the order of the job list and of every output.
    pub fn all_variants(&self) -> Vec<(&str, &Factory)> {
        std::iter::once(("baseline", &self.factory))
            .chain(self.variants.iter().map(|v| (v.name.as_str(), &v.factory)))
            .collect()
    }
}

impl Scenario {
    /// A variant of the baseline made in code rather than written in the
    /// file (a sensitivity, a point an optimiser tries): the baseline
    /// document with `overrides` set by dotted path, validated exactly like
    /// a `[[variant]]`. It runs with the baseline's horizon, warm-up and
    /// period, including any changed on the command line.
    pub fn derive(
        &self,
        name: &str,
        overrides: &[(String, toml::Value)],
    ) -> Result<Variant, String> {
        let products: Vec<String> = self
            .factory
            .products
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let shelf = input::Shelf::with(self.books.clone());
        let mut factory = variants::derive(
            &self.source,
            &self.text,
            overrides,
            &self.levers,
            &products,
            &|p, t| parse_baseline(p, t, &shelf).map(|(s, _)| s.factory),
        )
        .map_err(|e| format!("variant \"{name}\": {e}"))?;
        factory.horizon = self.factory.horizon;
        factory.warmup = self.factory.warmup;
        factory.period = self.factory.period;
        let shown = levers::expand(&self.levers, overrides)
            .map_err(|_| format!("variant \"{name}\": conflicting overrides"))?;
        Ok(Variant {
            name: name.to_string(),
            overrides: shown
                .iter()
                .map(|(p, v, _)| (p.clone(), variants::show(v)))
                .collect(),
            written: overrides.to_vec(),
            factory,
            lever: None,
            compare_with: None,
        })
    }

    /// Adds a variant made in code (by [`Scenario::derive`]) after the
    /// others: with the plant its investment is compared with, if it
    /// invests, added before it when it is not among the variants yet (see
    /// `scenario/payback.rs`).
    pub fn add_variant(&mut self, mut v: Variant) -> Result<(), String> {
        if v.name == "baseline" || self.variants.iter().any(|u| u.name == v.name) {
            return Err(format!("the name \"{}\" is already taken", v.name));
        }
        match payback::comparison(self, &v, &mut payback::Known::default()) {
            payback::Comparison::None => {}
            payback::Comparison::Existing(name) => v.compare_with = Some(name),
            payback::Comparison::New(c) => {
                v.compare_with = Some(c.name.clone());
                self.variants.push(*c);
            }
        }
        self.variants.push(v);
        Ok(())
    }
}

/// Validates scenario `text` (baseline and variants), reporting errors
/// against `path`.
pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioErrors> {
    parse_with_books(path, text, Books::new())
}

/// [`parse`], with order books given beforehand: a book the file names
/// that is among `books` is taken from there instead of from disk (a run's
/// manifest keeps the books it was run with).
pub fn parse_with_books(path: &Path, text: &str, books: Books) -> Result<Scenario, ScenarioErrors> {
    let shelf = input::Shelf::with(books);
    let mut scenario = parse_on_shelf(path, text, &shelf)?;
    scenario.books = shelf.into_books();
    Ok(scenario)
}

fn parse_on_shelf(
    path: &Path,
    text: &str,
    shelf: &input::Shelf,
) -> Result<Scenario, ScenarioErrors> {
    let (mut scenario, raw) = parse_baseline(path, text, shelf).map_err(ScenarioErrors)?;
    let loc = Locator {
        file: path,
        text,
        books: shelf,
    };
    let parse_one = |p: &Path, t: &str| parse_baseline(p, t, shelf).map(|(s, _)| s.factory);
    let products: Vec<String> = scenario
        .factory
        .products
        .iter()
        .map(|p| p.name.clone())
        .collect();
    if !raw.levers.is_empty() {
        let base = variants::base_document(text)
            .map_err(|(span, msg)| ScenarioErrors(vec![loc.error(span, "", msg, None)]))?;
        scenario.levers = levers::validate(&loc, &raw.levers, &base, &parse_one, &products)
            .map_err(ScenarioErrors)?;
    }
    if let Some(o) = &raw.optimize {
        scenario.optimize = Some(optimize::validate(&loc, o, &scenario).map_err(ScenarioErrors)?);
    }
    if raw.variant.is_empty() && raw.sweep.is_empty() {
        return Ok(scenario);
    }
    let (expanded, compare_spans) = variants::expand(
        &loc,
        text,
        &raw.variant,
        &raw.sweep,
        &scenario.levers,
        &parse_one,
        &products,
    )
    .map_err(ScenarioErrors)?;
    scenario.variants = expanded;
    payback::assign(&loc, &mut scenario, &compare_spans).map_err(ScenarioErrors)?;
    if let Err(msg) = scenario.check_jobs() {
        let span = raw
            .simulation
            .get_ref()
            .replications
            .as_ref()
            .map_or(raw.simulation.span(), |r| r.span());
        return Err(ScenarioErrors(vec![loc.error(
            span,
            "simulation.replications",
            msg,
            Some("run fewer replications or fewer variants, or split the study".into()),
        )]));
    }
    Ok(scenario)
}

/// Parses and validates everything but the variants.
fn parse_baseline(
    path: &Path,
    text: &str,
    shelf: &input::Shelf,
) -> Result<(Scenario, raw::RawScenario), Vec<ScenarioError>> {
    let loc = Locator {
        file: path,
        text,
        books: shelf,
    };
    let raw: raw::RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => return Err(vec![toml_error(&loc, &e)]),
    };
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let mut v = Validator {
        loc,
        errors: Vec::new(),
        unitless: false,
    };
    let scenario = validate::validate(&mut v, &raw, &default_name, fnv_hex(text.as_bytes()), text);
    names::check(&mut v, &raw, &default_name);
    match scenario {
        Some(s) if v.errors.is_empty() => Ok((s, raw)),
        _ => Err(v.errors),
    }
}

/// Turns the TOML parser's error into ours: the field path as the user
/// wrote it, serde's words (map, sequence, struct names) in the file's
/// words (table, list), and a hint: "did you mean" for unknown keys.
fn toml_error(loc: &Locator<'_>, e: &toml::de::Error) -> ScenarioError {
    let mut span = e.span().unwrap_or(0..0);
    let msg = e.message().trim();
    // The path from the document itself when it parses (the error is then
    // about types or keys), else from the lines around the error.
    let doc = toml::de::DeTable::parse(loc.text).ok();
    let spot = doc
        .as_ref()
        .and_then(|d| error::spot_at(d.get_ref(), span.start));
    let is_datetime = matches!(
        spot.as_ref().and_then(|s| s.value),
        Some(toml::de::DeValue::Datetime(_))
    ) || msg.contains("$__toml_private");
    let mut field = match &spot {
        Some(s) => s.path.clone(),
        None => loc.field_at(span.start),
    };
    let mut message = plain_words(msg);
    let mut hint = None;
    if is_datetime {
        // A bare date or time, which serde sees as a private table.
        let what = field.rsplit('.').next().unwrap_or_default().to_string();
        message = format!("`{what}` cannot be a TOML date or time");
        hint = Some(
            "durations and clock times are written in quotes: \"5m\", \"8h\", \"06:00\"".into(),
        );
    } else if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        hint = Some(match did_you_mean(name, candidates.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if !candidates.is_empty() => format!(
                "known fields here: {}",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "remove it".to_string(),
        });
        if spot.is_none() && !field.ends_with(name) {
            field = if field.is_empty() {
                name.to_string()
            } else {
                format!("{field}.{name}")
            };
        }
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        if name == "simulation" {
            // Missing from the whole file: point at its start.
            span = 0..0;
            field = "simulation".into();
            message = "the file has no [simulation] table".into();
            hint = Some(
                "add [simulation] with at least horizon = \"…\", e.g. horizon = \"4w\"".into(),
            );
        } else {
            if spot.is_some() {
                field = if field.is_empty() {
                    name.to_string()
                } else {
                    format!("{field}.{name}")
                };
            }
            hint = Some(format!("add `{name} = …` here"));
        }
    } else if (field == "variant" || field == "sweep") && msg.contains("expected a sequence") {
        message = format!("[{field}] is one table, but each {field} is an entry of a list");
        hint = Some(format!(
            "write [[{field}]] (two brackets) above each {field}"
        ));
    } else if msg.starts_with("invalid type") {
        hint = Some("check the value's type: numbers are bare (3, 0.5), durations and names are quoted (\"5m\", \"weld\")".into());
    }
    loc.error(span, field, message, hint)
}

/// serde's and Rust's words for TOML values, in the words of the file.
fn plain_words(msg: &str) -> String {
    let mut out = msg
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("invalid type: map", "invalid type: table")
        .replace("invalid type: sequence", "invalid type: list")
        .replace("expected a sequence", "expected a list [ … ]")
        .replace("expected a map", "expected a table { … }");
    // `expected struct RawStation` names a type of this program.
    while let Some(i) = out.find("struct Raw") {
        let end = out[i + "struct ".len()..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(out.len(), |j| i + "struct ".len() + j);
        out.replace_range(i..end, "a table { … }");
    }
    out
}

/// The folder `output/<scenario name>` relative to `base`.
pub fn output_dir(base: &Path, scenario: &Scenario) -> PathBuf {
    base.join(&scenario.factory.name)
}
