//! Raw image → validated [`Scenario`]: units normalised, distributions
//! built, names resolved to dense indices, every impossible value refused
//! with its location.
//!
//! This module holds the [`Validator`] with its generic readers (durations,
//! probabilities, counts, keywords, names, distributions); each section of
//! the scenario file is validated by one function in its own module, and
//! [`validate`] calls them in file-section order.

mod assembly;
mod batch;
mod calendars;
mod crews;
mod maintenance;
mod mixed;
mod orders;
mod products;
mod routing;
mod simulation;
mod stations;
mod transport;
mod workforce;

use std::ops::Range;

use toml::Spanned;

use super::Scenario;
use super::duration::parse_duration;
use super::error::{Locator, ScenarioError, did_you_mean};
use super::limits::{RESOLUTION, RESOLUTION_TEXT};
use super::raw::*;
use crate::engine::{Dist, Time};
use crate::model::Factory;

pub(crate) struct Validator<'a> {
    pub loc: Locator<'a>,
    pub errors: Vec<ScenarioError>,
    /// Distributions being read are of counts (bare numbers), not
    /// durations.
    pub unitless: bool,
}

impl Validator<'_> {
    pub(super) fn err(&mut self, span: Range<usize>, field: &str, msg: impl Into<String>) {
        let e = self.loc.error(span, field, msg, None);
        self.errors.push(e);
    }

    pub(super) fn err_hint(
        &mut self,
        span: Range<usize>,
        field: &str,
        msg: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let e = self.loc.error(span, field, msg, Some(hint.into()));
        self.errors.push(e);
    }

    /// The index of `name` among `names`; otherwise an error "no {what} is
    /// called …" with a "did you mean" hint, or the names defined, or
    /// `define` when there are none.
    pub(super) fn lookup(
        &mut self,
        name: &Spanned<String>,
        names: &[&str],
        field: &str,
        what: &str,
        define: &str,
    ) -> Option<usize> {
        let n = name.get_ref();
        if let Some(i) = names.iter().position(|s| s == n) {
            return Some(i);
        }
        let hint = match did_you_mean(n, names.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None if names.is_empty() => define.to_string(),
            None => format!("{what}s defined: {}", names.join(", ")),
        };
        self.err_hint(
            name.span(),
            field,
            format!("no {what} is called \"{n}\""),
            hint,
        );
        None
    }

    /// A keyword field: each accepted word maps to a value; an absent field
    /// takes `default`; an unknown word is an error with a "did you mean".
    pub(super) fn keyword<T: Copy>(
        &mut self,
        value: &Option<Spanned<String>>,
        field: &str,
        what: &str,
        choices: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(word) = value else {
            return default;
        };
        if let Some((_, x)) = choices.iter().find(|(w, _)| w == word.get_ref()) {
            return *x;
        }
        let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
        let hint = match did_you_mean(word.get_ref(), words.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!(
                "use one of {}",
                words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.err_hint(
            word.span(),
            field,
            format!("unknown {what} \"{}\"", word.get_ref()),
            hint,
        );
        default
    }

    pub(super) fn duration(&mut self, d: &Spanned<RawDuration>, field: &str) -> Option<Time> {
        match d.get_ref() {
            RawDuration::Text(t) if self.unitless => {
                self.err_hint(
                    d.span(),
                    field,
                    format!("\"{t}\" is text, but a quantity is a bare number"),
                    "write a number without quotes, e.g. 10",
                );
                None
            }
            RawDuration::Text(t) => match parse_duration(t) {
                Ok(v) if v > 0.0 && v < RESOLUTION => {
                    self.err_hint(
                        d.span(),
                        field,
                        format!(
                            "\"{t}\" is shorter than the engine's time resolution: the shortest duration above zero is {}",
                            RESOLUTION_TEXT
                        ),
                        "write \"0s\" where zero is allowed, or at least \"1ms\"",
                    );
                    None
                }
                Ok(v) => Some(v),
                Err(m) => {
                    self.err(d.span(), field, m);
                    None
                }
            },
            RawDuration::Number(n) if self.unitless && !(n.is_finite() && *n >= 0.0) => {
                self.err_hint(
                    d.span(),
                    field,
                    format!("a quantity must be a number of at least 0, got {n}"),
                    "write a whole number, e.g. 10",
                );
                None
            }
            RawDuration::Number(n) if self.unitless => Some(*n),
            RawDuration::Number(n) => {
                self.err_hint(
                    d.span(),
                    field,
                    format!("a duration needs a unit, got the bare number {n}"),
                    format!("write it as a string with a unit, e.g. \"{n}m\" or \"{n}h\""),
                );
                None
            }
        }
    }

    pub(super) fn positive_duration(
        &mut self,
        d: &Spanned<RawDuration>,
        field: &str,
    ) -> Option<Time> {
        let v = self.duration(d, field)?;
        if v <= 0.0 {
            self.err(d.span(), field, "must be longer than zero");
            return None;
        }
        Some(v)
    }

    pub(super) fn probability(&mut self, p: &Option<Spanned<f64>>, field: &str) -> f64 {
        match p {
            None => 0.0,
            Some(p) => {
                let v = *p.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    self.err(
                        p.span(),
                        field,
                        format!("a probability must lie between 0 and 1, got {v}"),
                    );
                    0.0
                } else {
                    v
                }
            }
        }
    }

    pub(super) fn count(&mut self, c: &Spanned<i64>, field: &str, min: i64) -> Option<u32> {
        let v = *c.get_ref();
        if v < min {
            self.err(c.span(), field, format!("must be at least {min}, got {v}"));
            None
        } else if v > i64::from(u32::MAX) {
            self.err(c.span(), field, format!("{v} is too large"));
            None
        } else {
            Some(v as u32)
        }
    }

    /// Builds a distribution of durations.
    pub(super) fn dist(&mut self, d: &Spanned<RawDist>, field: &str) -> Option<Dist> {
        let t = match d.get_ref() {
            RawDist::Constant(c) => {
                let v = self.duration(&Spanned::new(d.span(), c.clone()), field)?;
                if self.unitless && v.fract() != 0.0 {
                    self.err_hint(
                        d.span(),
                        field,
                        format!("a quantity is a whole number of units, got {v}"),
                        format!("write {} or {}", v.floor(), v.ceil()),
                    );
                    return None;
                }
                return Some(Dist::Constant(v));
            }
            RawDist::Table(t) => t,
        };
        let kind = t.dist.get_ref().as_str();
        let f = |name: &str| format!("{field}.{name}");
        // Fetch a required duration parameter.
        macro_rules! need_dur {
            ($name:ident) => {
                match &t.$name {
                    Some(v) => self.duration(v, &f(stringify!($name))),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            format!(
                                "{} {kind} distribution needs `{}`",
                                article(kind),
                                stringify!($name)
                            ),
                            dist_example(kind),
                        );
                        None
                    }
                }
            };
        }
        macro_rules! need_num {
            ($name:ident) => {
                match &t.$name {
                    Some(v) => Some(*v.get_ref()),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            format!(
                                "{} {kind} distribution needs `{}`",
                                article(kind),
                                stringify!($name)
                            ),
                            dist_example(kind),
                        );
                        None
                    }
                }
            };
        }
        let allowed: &[&str] = match kind {
            "constant" => &["value"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            "exponential" => &["mean"],
            "normal" => &["mean", "sd"],
            "lognormal" | "gamma" => &["mean", "cv"],
            "erlang" => &["mean", "k"],
            "weibull" => &["shape", "scale"],
            "empirical" => &["values", "weights"],
            other => {
                let hint = match did_you_mean(other, KINDS.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("known distributions: {}", KINDS.join(", ")),
                };
                self.err_hint(
                    t.dist.span(),
                    &f("dist"),
                    format!("unknown distribution \"{other}\""),
                    hint,
                );
                return None;
            }
        };
        // Parameters that this kind does not take are mistakes, not noise.
        let present: [(&str, Option<Range<usize>>); 12] = [
            ("value", t.value.as_ref().map(|v| v.span())),
            ("mean", t.mean.as_ref().map(|v| v.span())),
            ("sd", t.sd.as_ref().map(|v| v.span())),
            ("cv", t.cv.as_ref().map(|v| v.span())),
            ("min", t.min.as_ref().map(|v| v.span())),
            ("mode", t.mode.as_ref().map(|v| v.span())),
            ("max", t.max.as_ref().map(|v| v.span())),
            ("k", t.k.as_ref().map(|v| v.span())),
            ("shape", t.shape.as_ref().map(|v| v.span())),
            ("scale", t.scale.as_ref().map(|v| v.span())),
            ("values", t.values.as_ref().map(|v| v.span())),
            ("weights", t.weights.as_ref().map(|v| v.span())),
        ];
        let mut bad = false;
        for (name, span) in present {
            if let Some(span) = span
                && !allowed.contains(&name)
            {
                self.err_hint(
                    span,
                    &f(name),
                    format!(
                        "{} {kind} distribution does not take `{name}`",
                        article(kind)
                    ),
                    format!(
                        "it takes {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                bad = true;
            }
        }
        if bad {
            return None;
        }
        let built = match kind {
            "constant" => Dist::constant(need_dur!(value)?),
            "uniform" => {
                let (a, b) = (need_dur!(min), need_dur!(max));
                Dist::uniform(a?, b?)
            }
            "triangular" => {
                let (a, m, b) = (need_dur!(min), need_dur!(mode), need_dur!(max));
                Dist::triangular(a?, m?, b?)
            }
            "exponential" => Dist::exponential(need_dur!(mean)?),
            "normal" => {
                let (m, s) = (need_dur!(mean), need_dur!(sd));
                Dist::normal(m?, s?)
            }
            "lognormal" => {
                let (m, c) = (need_dur!(mean), need_num!(cv));
                Dist::lognormal(m?, c?)
            }
            "gamma" => {
                let (m, c) = (need_dur!(mean), need_num!(cv));
                Dist::gamma(m?, c?)
            }
            "erlang" => {
                let m = need_dur!(mean);
                let k = match &t.k {
                    Some(k) => self.count(k, &f("k"), 1),
                    None => need_num!(k).map(|_| 0),
                };
                Dist::erlang(m?, k?)
            }
            "weibull" => {
                let (sh, sc) = (need_num!(shape), need_dur!(scale));
                Dist::weibull(sh?, sc?)
            }
            "empirical" => {
                let vals = match &t.values {
                    Some(v) => v
                        .get_ref()
                        .iter()
                        .map(|x| self.duration(x, &f("values")))
                        .collect::<Option<Vec<f64>>>(),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            "an empirical distribution needs `values`",
                            dist_example(kind),
                        );
                        None
                    }
                };
                let weights = match &t.weights {
                    Some(w) => Some(w.get_ref().iter().map(|x| *x.get_ref()).collect::<Vec<_>>()),
                    None => vals.as_ref().map(|v| vec![1.0; v.len()]),
                };
                Dist::empirical(&vals?, &weights?)
            }
            _ => unreachable!("kinds are matched above"),
        };
        match built {
            Ok(built) if !self.unitless && built.mean() > 0.0 && built.mean() < RESOLUTION => {
                self.err_hint(
                    d.span(),
                    field,
                    format!(
                        "the mean, {}s, is shorter than the engine's time resolution: the shortest mean above zero is {}",
                        built.mean(),
                        RESOLUTION_TEXT
                    ),
                    "give times of at least \"1ms\"",
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.err_hint(d.span(), field, e.to_string(), dist_example(kind));
                None
            }
        }
    }
}

/// "a" or "an" before a distribution's name.
fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

const KINDS: &[&str] = &[
    "constant",
    "uniform",
    "triangular",
    "exponential",
    "normal",
    "lognormal",
    "gamma",
    "erlang",
    "weibull",
    "empirical",
];

fn dist_example(kind: &str) -> String {
    let ex = match kind {
        "constant" => r#"{ dist = "constant", value = "5m" }"#,
        "uniform" => r#"{ dist = "uniform", min = "4m", max = "6m" }"#,
        "triangular" => r#"{ dist = "triangular", min = "4m", mode = "5m", max = "8m" }"#,
        "exponential" => r#"{ dist = "exponential", mean = "5m" }"#,
        "normal" => r#"{ dist = "normal", mean = "5m", sd = "30s" }"#,
        "lognormal" => r#"{ dist = "lognormal", mean = "5m", cv = 0.3 }"#,
        "gamma" => r#"{ dist = "gamma", mean = "5m", cv = 0.5 }"#,
        "erlang" => r#"{ dist = "erlang", mean = "5m", k = 3 }"#,
        "weibull" => r#"{ dist = "weibull", shape = 1.5, scale = "8h" }"#,
        _ => r#"{ dist = "empirical", values = ["4m", "5m", "7m"], weights = [1, 2, 1] }"#,
    };
    format!("for example {ex}")
}

/// A whole number from `min` to `max`; above `max`, an error naming the
/// limit.
pub(super) fn at_most(
    v: &mut Validator<'_>,
    c: &Spanned<i64>,
    field: &str,
    min: i64,
    max: u32,
    what: &str,
) -> Option<u32> {
    let n = v.count(c, field, min)?;
    if n > max {
        v.err_hint(
            c.span(),
            field,
            format!("{n} is more than the limit of {max} {what}"),
            format!("use at most {max}"),
        );
        return None;
    }
    Some(n)
}

/// The names a section may refer to, in file order: a name's position is
/// the dense index of what it names.
pub(super) struct Names<'r> {
    pub stations: Vec<&'r str>,
    pub pools: Vec<&'r str>,
    pub products: Vec<&'r str>,
    pub contractors: Vec<&'r str>,
    pub materials: Vec<&'r str>,
    pub movers: Vec<&'r str>,
}

impl<'r> Names<'r> {
    fn of(raw: &'r RawScenario) -> Self {
        Names {
            stations: raw.stations.keys().map(String::as_str).collect(),
            pools: raw.workers.keys().map(String::as_str).collect(),
            products: raw.products.keys().map(String::as_str).collect(),
            contractors: raw.contractors.keys().map(String::as_str).collect(),
            materials: raw.materials.keys().map(String::as_str).collect(),
            movers: raw.movers.keys().map(String::as_str).collect(),
        }
    }
}

/// Validates a parsed file into a [`Scenario`]; `default_name` is used when
/// the file does not name itself.
pub(crate) fn validate(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    default_name: &str,
    text_hash: String,
    text: &str,
) -> Option<Scenario> {
    let sim = raw.simulation.get_ref();
    let names = Names::of(raw);
    let simulation = simulation::simulation(v, raw, default_name);
    let calendars = calendars::calendars(v, raw, &names);
    let mut pools = workforce::worker_pools(v, raw, &names, &calendars);
    // Contractors (their prices name products).
    let contractors = v.contractors(raw, &names.products);
    // Raw materials and their suppliers.
    let (materials, suppliers) = v.supply(raw);
    let stations = stations::stations(v, raw, &names);
    let mut products = products::products(v, raw, &names, &pools, &contractors);
    let families = batch::families(raw, &mut products);
    assembly::assembly(v, raw, &stations, &products);
    batch::batch_operations(v, raw, &stations, &products);
    stations::automated_operations(v, raw, &stations, &pools, &mut products);
    calendars::station_calendars(v, raw, &calendars, &stations, &mut pools, &mut products);
    stations::overflow_prices(v, raw, &stations, &contractors, &products);
    let (policies, book_bytes) = orders::orders(v, raw, &names, &products);
    let movers = transport::movers(v, raw, &names, &stations, &products);
    if !v.errors.is_empty() {
        return None;
    }
    let hash = match book_bytes {
        Some(b) => super::fnv_hex(&[text_hash.as_bytes(), &b].concat()),
        None => text_hash,
    };
    Some(Scenario {
        factory: Factory {
            name: simulation.name,
            stations,
            products,
            families,
            pools,
            contractors,
            materials,
            suppliers,
            movers,
            policies,
            horizon: simulation.horizon?,
            warmup: simulation.warmup?,
            period: simulation.period?,
            max_parts: simulation.max_parts?,
        },
        period_explicit: sim.period.is_some(),
        replications: simulation.replications?,
        seed: simulation.seed?,
        description: sim.description.clone().unwrap_or_default(),
        hash,
        variants: Vec::new(),
        optimize: None,
        levers: Vec::new(),
        text: text.to_string(),
        source: v.loc.file.to_path_buf(),
        books: Default::default(),
    })
}
