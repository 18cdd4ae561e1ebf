//! Variants and sweeps: named what-ifs that override baseline fields by
//! their dotted path.
//!
//! ```toml
//! [[variant]]
//! name = "third-cnc"
//! "stations.cnc.machines" = 3
//!
//! [[sweep]]
//! name = "buffers"
//! "stations.weld.buffer" = [4, 8, 16]
//! "stations.cnc.buffer" = [5, 10]       # 3 × 2 = 6 points
//! ```
//!
//! Each variant is the baseline TOML document with its overrides applied
//! (a lever setting, `"levers.NAME" = …`, replaced by the fields it sets:
//! see `levers.rs`), then validated exactly like the baseline. The same
//! `build` makes every overridden plant: variants, sweep points and the
//! levels of levers. Errors found in the patched
//! document are reported at the override that caused them (file, line,
//! column of the value in the scenario file), so a bad override reads like
//! any other mistake.

use std::ops::Range;
use std::path::Path;

use toml::{Spanned, Value};

use super::error::{Locator, ScenarioError, did_you_mean};
use super::levers::NamedLever;
use super::limits::MAX_VARIANTS;
use super::raw::RawOverrides;
use crate::model::Factory;

/// A named alternative to the baseline factory.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Unique name (`baseline` is the baseline itself).
    pub name: String,
    /// The overrides that define it, as `(path, value as TOML)`, with
    /// every lever setting replaced by the fields it sets.
    pub overrides: Vec<(String, String)>,
    /// The overrides as written, lever settings (`levers.NAME`) included.
    pub written: Vec<(String, Value)>,
    /// The factory with the overrides applied.
    pub factory: Factory,
    /// The sensitivity this variant measures, when `run --sensitivity`
    /// made it rather than the file.
    pub lever: Option<Lever>,
    /// The variant (or `baseline`) its investment is compared with, for a
    /// variant that automates stations or buys machines at a price (see
    /// `scenario/payback.rs`); `None` without an investment.
    pub compare_with: Option<String>,
}

/// A variant made by `run --sensitivity`: one constraint relieved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lever {
    /// Variant name, e.g. `+1-machine(weld)`.
    pub name: String,
    /// What it adds.
    pub kind: LeverKind,
    /// The station, pool or calendar it adds to.
    pub target: String,
    /// How much it adds: machines, workers or overtime hours a week.
    pub amount: f64,
    /// The overrides that make it.
    pub overrides: Vec<(String, Value)>,
}

/// The kinds of sensitivity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeverKind {
    /// One machine more at a bottleneck station.
    Machine,
    /// One worker more in a pool.
    Worker,
    /// Scheduled overtime hours a week on a shift calendar.
    Overtime,
}

/// One override as written (a lever's overrides carry the spans of the
/// lever setting that stands for them).
#[derive(Clone, Debug)]
pub(crate) struct Override {
    pub path: String,
    pub path_span: Range<usize>,
    pub value: Value,
    pub value_span: Range<usize>,
}

impl Override {
    /// `value` for the field at `k`, located at `k` and `v`.
    pub(crate) fn new(k: &Spanned<String>, v: &Spanned<Value>, value: Value) -> Override {
        Override {
            path: k.get_ref().clone(),
            path_span: k.span(),
            value,
            value_span: v.span(),
        }
    }
}

/// A plant before validation: what it is (`variant "NAME"`, for the
/// messages), where it is written, its overrides.
pub(crate) struct Pending {
    pub label: String,
    pub span: Range<usize>,
    pub overrides: Vec<Override>,
}

/// A variant or sweep point before validation.
struct Planned {
    name: String,
    /// Its overrides as written, lever settings included.
    written: Vec<Override>,
    /// The variant it names in `compare_with`, if any.
    compare_with: Option<Spanned<String>>,
    pending: Pending,
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Result<Vec<Segment<'_>>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(format!("`{path}` has an empty part"));
        }
        out.push(Segment::Key(key));
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("`{path}`: missing `]`"))?;
            let idx: usize = rest[1..close]
                .parse()
                .map_err(|_| format!("`{path}`: `{}` is not an index", &rest[1..close]))?;
            out.push(Segment::Index(idx));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{path}`: unexpected `{rest}`"));
            }
        }
    }
    Ok(out)
}

/// Sets `path` in `doc` to `value`. The parents must exist (but for the
/// optional `[orders]` and `[costs]` sections); the last key may be new (an
/// optional field the baseline leaves out).
fn set_path(doc: &mut Value, path: &str, value: Value) -> Result<(), (String, Option<String>)> {
    let segs = segments(path).map_err(|e| (e, None))?;
    let mut cur = doc;
    let mut walked = String::new();
    let n = segs.len();
    for (i, seg) in segs.into_iter().enumerate() {
        let last = i + 1 == n;
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        match seg {
            Segment::Key(k) => {
                let Value::Table(t) = cur else {
                    return Err((format!("{here} is not a table, so it has no `{k}`"), None));
                };
                if last {
                    t.insert(k.to_string(), value);
                    return Ok(());
                }
                // The optional plant-wide sections may be left out of the
                // baseline and set by a variant alone.
                if i == 0 && matches!(k, "orders" | "costs") && !t.contains_key(k) {
                    t.insert(k.to_string(), Value::Table(Default::default()));
                }
                if !t.contains_key(k) {
                    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
                    let hint = match did_you_mean(k, keys.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if keys.is_empty() => "it has no fields".to_string(),
                        None => format!(
                            "it has: {}",
                            keys.iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    return Err((format!("{here} has no `{k}`"), Some(hint)));
                }
                walked = if walked.is_empty() {
                    k.to_string()
                } else {
                    format!("{walked}.{k}")
                };
                cur = t.get_mut(k).expect("checked above");
            }
            Segment::Index(idx) => {
                let Value::Array(a) = cur else {
                    return Err((
                        format!("{here} is not a list, so `[{idx}]` does not apply"),
                        None,
                    ));
                };
                let len = a.len();
                if idx >= len {
                    return Err((
                        format!("{here} has {len} entries, so `[{idx}]` does not exist"),
                        Some(format!(
                            "indices start at 0 and end at {}",
                            len.saturating_sub(1)
                        )),
                    ));
                }
                walked = format!("{walked}[{idx}]");
                if last {
                    a[idx] = value;
                    return Ok(());
                }
                cur = &mut a[idx];
            }
        }
    }
    Ok(())
}

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+=,()[]".contains(c))
}

/// Compact TOML text of a value, for names and the manifest.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Validates one patched document into a factory.
pub(crate) type ParseOne<'a> = dyn Fn(&Path, &str) -> Result<Factory, Vec<ScenarioError>> + 'a;

/// The roots a field path may start with.
const ROOTS: [&str; 12] = [
    "stations",
    "products",
    "workers",
    "calendars",
    "contractors",
    "materials",
    "suppliers",
    "orders",
    "costs",
    "movers",
    "transport",
    "levers",
];

/// What is wrong with the override `k = v` of a `what` (`variant`, `sweep`,
/// `lever`), if anything: an unquoted path, a section it may not change, an
/// unknown root, a lever setting that is not `levers.NAME`.
pub(crate) fn path_problem(
    loc: &Locator<'_>,
    what: &str,
    k: &Spanned<String>,
    v: &Spanned<Value>,
) -> Option<ScenarioError> {
    let path = k.get_ref().clone();
    if !path.contains('.') && matches!(v.get_ref(), Value::Table(_)) {
        // `stations.cut.machines = 3` unquoted is a nested table
        // that would replace all of `stations`.
        return Some(loc.error(
            k.span(),
            path.clone(),
            format!("a {what} overrides fields by their quoted path, not by tables"),
            Some(format!(
                "quote the path, e.g. \"{path}.NAME.FIELD\" = value"
            )),
        ));
    }
    let root = path.split(['.', '[']).next().unwrap_or_default();
    if matches!(root, "simulation" | "variant" | "sweep" | "name") {
        return Some(loc.error(
            k.span(),
            path.clone(),
            format!("a {what} cannot change `{root}`"),
            Some("horizon, warm-up, replications and seed are shared by all variants, so that they can be compared replication by replication".into()),
        ));
    }
    if !ROOTS.contains(&root) {
        let hint = did_you_mean(root, ROOTS)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                "paths start with `stations.`, `products.`, `workers.`, `calendars.`, `contractors.`, `materials.`, `suppliers.`, `orders.`, `costs.`, `movers.` or `transport.`, or name a lever: `levers.NAME`"
                    .into()
            });
        return Some(loc.error(
            k.span(),
            path.clone(),
            format!("unknown field path `{path}`"),
            Some(hint),
        ));
    }
    if root == "levers"
        && super::levers::lever_name(&path).is_none_or(|n| n.is_empty() || n.contains(['.', '[']))
    {
        return Some(loc.error(
            k.span(),
            path.clone(),
            "a lever is set whole, by its name".to_string(),
            Some("write \"levers.NAME\" = true (or a level's name), with NAME a [levers.NAME] table".into()),
        ));
    }
    None
}

/// Reads the `[[variant]]` and `[[sweep]]` tables, expands their lever
/// settings, applies each variant to the baseline document and validates
/// it with `parse_one`. Also returns, per variant, where its
/// `compare_with` is written (the name is in [`Variant::compare_with`]).
#[allow(clippy::type_complexity)]
pub(crate) fn expand(
    loc: &Locator<'_>,
    text: &str,
    variants: &[Spanned<RawOverrides>],
    sweeps: &[Spanned<RawOverrides>],
    levers: &[NamedLever],
    parse_one: &ParseOne<'_>,
    base_products: &[String],
) -> Result<(Vec<Variant>, Vec<Option<Range<usize>>>), Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    // Mistakes that several sweep points share are reported once.
    let mut seen = std::collections::BTreeSet::new();

    let read = |table: &Spanned<RawOverrides>, what: &str, errors: &mut Vec<ScenarioError>| {
        let mut name = None;
        let mut compare_with = None;
        let mut overrides = Vec::new();
        for (k, v) in table.get_ref() {
            if k.get_ref() == "name" {
                match v.get_ref() {
                    Value::String(s) if name_ok(s) => name = Some(s.clone()),
                    Value::String(s) => errors.push(loc.error(
                        v.span(),
                        format!("{what}.name"),
                        format!("\"{s}\" cannot name a {what}"),
                        Some("use letters, digits and - _ . + = , ( ) [ ] only".into()),
                    )),
                    _ => errors.push(loc.error(
                        v.span(),
                        format!("{what}.name"),
                        "the name must be a string",
                        None,
                    )),
                }
                continue;
            }
            if k.get_ref() == "compare_with" {
                match (what, v.get_ref()) {
                    ("variant", Value::String(s)) => {
                        compare_with = Some(Spanned::new(v.span(), s.clone()));
                    }
                    ("variant", _) => errors.push(loc.error(
                        v.span(),
                        "variant.compare_with",
                        "`compare_with` names a variant: it must be a string",
                        Some("write e.g. compare_with = \"baseline\"".into()),
                    )),
                    _ => errors.push(loc.error(
                        k.span(),
                        format!("{what}.compare_with"),
                        format!("a {what} cannot name `compare_with`"),
                        Some("each point's investment is compared with the point without it; name a comparison in a [[variant]]".into()),
                    )),
                }
                continue;
            }
            match path_problem(loc, what, k, v) {
                Some(e) => errors.push(e),
                None => overrides.push(Override::new(k, v, v.get_ref().clone())),
            }
        }
        (name, compare_with, overrides)
    };

    // Expands the lever settings among `written`, the overrides of the
    // variant called `name`; errors go to `errors`, once per spot.
    let mut expand_levers = |name: &str,
                             written: &[Override],
                             errors: &mut Vec<ScenarioError>|
     -> Option<Vec<Override>> {
        let pairs: Vec<(String, Value)> = written
            .iter()
            .map(|o| (o.path.clone(), o.value.clone()))
            .collect();
        match super::levers::expand(levers, &pairs) {
            Ok(out) => Some(
                out.into_iter()
                    .map(|(path, value, i)| Override {
                        path,
                        value,
                        path_span: written[i].path_span.clone(),
                        value_span: written[i].value_span.clone(),
                    })
                    .collect(),
            ),
            Err(errs) => {
                for (i, at_path, msg, hint) in errs {
                    let o = &written[i];
                    let span = if at_path {
                        o.path_span.clone()
                    } else {
                        o.value_span.clone()
                    };
                    if seen.insert((span.start, o.path.clone(), msg.clone())) {
                        errors.push(loc.error(
                            span,
                            o.path.clone(),
                            format!("in variant \"{name}\": {msg}"),
                            hint,
                        ));
                    }
                }
                None
            }
        }
    };

    for t in variants {
        let (name, compare_with, written) = read(t, "variant", &mut errors);
        let Some(name) = name else {
            errors.push(loc.error(
                t.span(),
                "variant.name",
                "every variant needs a name",
                Some("add name = \"…\" to the [[variant]] table".into()),
            ));
            continue;
        };
        let overrides = expand_levers(&name, &written, &mut errors).unwrap_or_default();
        planned.push(Planned {
            pending: Pending {
                label: format!("variant \"{name}\""),
                span: t.span(),
                overrides,
            },
            name,
            written,
            compare_with,
        });
    }
    if planned.len() > MAX_VARIANTS {
        errors.push(loc.error(
            variants.get(MAX_VARIANTS).map_or(0..0, |v| v.span()),
            "variant",
            format!(
                "the file has {} variants, more than the limit of {MAX_VARIANTS}",
                planned.len()
            ),
            Some("split the study into several files".into()),
        ));
        return Err(errors);
    }
    for t in sweeps {
        let (name, _, overrides) = read(t, "sweep", &mut errors);
        let Some(name) = name else {
            errors.push(loc.error(
                t.span(),
                "sweep.name",
                "every sweep needs a name",
                Some("add name = \"…\" to the [[sweep]] table".into()),
            ));
            continue;
        };
        // Each field lists its values; the grid is their product, the
        // first field varying slowest.
        let mut axes: Vec<(Override, Vec<Value>)> = Vec::new();
        for o in overrides {
            match &o.value {
                Value::Array(vals) if !vals.is_empty() => {
                    let vals = vals.clone();
                    axes.push((o, vals));
                }
                _ => errors.push(loc.error(
                    o.value_span.clone(),
                    o.path.clone(),
                    "a sweep lists the values to try",
                    Some(format!("write e.g. \"{}\" = [2, 3, 4]", o.path)),
                )),
            }
        }
        if axes.is_empty() {
            continue;
        }
        let short = |p: &str| -> String {
            let parts: Vec<&str> = p.split('.').collect();
            parts[parts.len().saturating_sub(2)..].join(".")
        };
        // Count the points before building them: a grid of 10^8 points
        // would exhaust memory here.
        let total = axes
            .iter()
            .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
            .filter(|n| planned.len().saturating_add(*n) <= MAX_VARIANTS);
        let Some(total) = total else {
            let points: f64 = axes.iter().map(|(_, v)| v.len() as f64).product();
            errors.push(loc.error(
                t.span(),
                "sweep",
                format!(
                    "sweep \"{name}\" has {points:.0} points; with the variants before it, that is more than the limit of {MAX_VARIANTS} variants"
                ),
                Some("list fewer values, or split the study into several files".into()),
            ));
            continue;
        };
        for mut i in 0..total {
            let mut idx = vec![0; axes.len()];
            for (a, (_, vals)) in axes.iter().enumerate().rev() {
                idx[a] = i % vals.len();
                i /= vals.len();
            }
            let mut label = Vec::new();
            let mut written = Vec::new();
            for (a, (o, vals)) in axes.iter().enumerate() {
                let v = vals[idx[a]].clone();
                label.push(format!("{}={}", short(&o.path), show(&v)));
                written.push(Override {
                    path: o.path.clone(),
                    path_span: o.path_span.clone(),
                    value: v,
                    value_span: o.value_span.clone(),
                });
            }
            let point = format!("{name}({})", label.join(","));
            let overrides = expand_levers(&point, &written, &mut errors).unwrap_or_default();
            planned.push(Planned {
                pending: Pending {
                    label: format!("variant \"{point}\""),
                    span: t.span(),
                    overrides,
                },
                name: point,
                written,
                compare_with: None,
            });
        }
    }

    // Names are unique and never "baseline".
    for (i, p) in planned.iter().enumerate() {
        if p.name == "baseline" || planned[..i].iter().any(|q| q.name == p.name) {
            errors.push(loc.error(
                p.pending.span.clone(),
                "variant.name",
                format!("the name \"{}\" is already taken", p.name),
                Some("give every variant its own name (\"baseline\" is the baseline's)".into()),
            ));
        }
    }
    // A comparison names another variant of the file.
    for p in &planned {
        let Some(c) = &p.compare_with else {
            continue;
        };
        let other = c.get_ref();
        if other == &p.name {
            errors.push(loc.error(
                c.span(),
                "variant.compare_with",
                format!("variant \"{other}\" cannot be compared with itself"),
                Some("name the variant that differs from it only by the investment, or \"baseline\"".into()),
            ));
        } else if other != "baseline" && !planned.iter().any(|q| &q.name == other) {
            let names = planned.iter().map(|q| q.name.as_str()).chain(["baseline"]);
            let hint = did_you_mean(other, names)
                .map(|s| format!("did you mean \"{s}\"?"))
                .unwrap_or_else(|| "name \"baseline\" or a variant of this file".into());
            errors.push(loc.error(
                c.span(),
                "variant.compare_with",
                format!("no variant is called \"{other}\""),
                Some(hint),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let base = base_document(text).map_err(|e| vec![loc.error(e.0, "", e.1, None)])?;
    let mut out = Vec::with_capacity(planned.len());
    let mut spans = Vec::with_capacity(planned.len());
    for p in planned {
        let Some(factory) = build(
            loc,
            &base,
            &p.pending,
            parse_one,
            base_products,
            &mut seen,
            &mut errors,
        ) else {
            continue;
        };
        out.push(Variant {
            name: p.name.clone(),
            overrides: p
                .pending
                .overrides
                .iter()
                .map(|o| (o.path.clone(), show(&o.value)))
                .collect(),
            written: p
                .written
                .iter()
                .map(|o| (o.path.clone(), o.value.clone()))
                .collect(),
            factory,
            lever: None,
            compare_with: p.compare_with.as_ref().map(|c| c.get_ref().clone()),
        });
        spans.push(p.compare_with.as_ref().map(|c| c.span()));
    }
    if errors.is_empty() {
        Ok((out, spans))
    } else {
        Err(errors)
    }
}

/// The baseline document of scenario `text`: the file without its
/// `[[variant]]` and `[[sweep]]` tables (and without `[levers]`, which only
/// variants read). Errors: span and message.
pub(crate) fn base_document(text: &str) -> Result<Value, (Range<usize>, String)> {
    let mut base: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => return Err((e.span().unwrap_or(0..0), e.message().to_string())),
    };
    base.remove("variant");
    base.remove("sweep");
    base.remove("levers");
    Ok(Value::Table(base))
}

/// The plant of `base` with the overrides of `p` applied, validated with
/// `parse_one`; its mistakes go to `errors`, each located at the override
/// it concerns (at most once per spot and message, through `seen`).
pub(crate) fn build(
    loc: &Locator<'_>,
    base: &Value,
    p: &Pending,
    parse_one: &ParseOne<'_>,
    base_products: &[String],
    seen: &mut std::collections::BTreeSet<(usize, String, String)>,
    errors: &mut Vec<ScenarioError>,
) -> Option<Factory> {
    let same_products = |f: &Factory, base: &[String]| {
        f.products.len() == base.len() && f.products.iter().zip(base).all(|(p, b)| &p.name == b)
    };
    let mut doc = base.clone();
    let mut failed = false;
    for o in &p.overrides {
        if let Err((msg, hint)) = set_path(&mut doc, &o.path, o.value.clone()) {
            errors.push(loc.error(
                o.path_span.clone(),
                o.path.clone(),
                format!("in {}: {msg}", p.label),
                hint,
            ));
            failed = true;
        }
    }
    let patched = match toml::to_string(&doc) {
        Ok(t) => t,
        Err(e) => {
            errors.push(loc.error(
                p.span.clone(),
                "variant",
                format!("cannot apply {}: {e}", p.label),
                None,
            ));
            return None;
        }
    };
    match parse_one(loc.file, &patched) {
        Ok(factory) if !same_products(&factory, base_products) => {
            errors.push(loc.error(
                p.span.clone(),
                "products",
                format!("{} adds or removes products", p.label),
                Some("variants are compared part for part with the baseline: change products' fields, not the set of products".into()),
            ));
            None
        }
        Ok(factory) => (!failed).then_some(factory),
        Err(errs) => {
            for e in errs {
                // Blame the override whose path the error concerns.
                let blamed = p.overrides.iter().find(|o| {
                    e.field == o.path
                        || e.field.starts_with(&format!("{}.", o.path))
                        || e.field.starts_with(&format!("{}[", o.path))
                        || o.path.starts_with(&format!("{}.", e.field))
                });
                let span = match blamed {
                    Some(o) if e.message.starts_with("unknown field") => o.path_span.clone(),
                    Some(o) => o.value_span.clone(),
                    None => p.span.clone(),
                };
                // Sweep points share spans: report each mistake once.
                if !seen.insert((span.start, e.field.clone(), e.message.clone())) {
                    continue;
                }
                errors.push(loc.error(
                    span,
                    e.field.clone(),
                    format!("in {}: {}", p.label, e.message),
                    e.hint.clone(),
                ));
            }
            None
        }
    }
}

/// The factory of the baseline document `text` with `overrides` set (see
/// [`crate::scenario::Scenario::derive`]), their lever settings expanded
/// first; errors name the field.
pub(crate) fn derive(
    path: &Path,
    text: &str,
    overrides: &[(String, Value)],
    levers: &[NamedLever],
    base_products: &[String],
    parse_one: &ParseOne<'_>,
) -> Result<Factory, String> {
    let overrides = super::levers::expand(levers, overrides).map_err(|errs| {
        errs.iter()
            .map(|(i, _, msg, hint)| {
                let p = &overrides[*i].0;
                match hint {
                    Some(h) => format!("{p}: {msg}; {h}"),
                    None => format!("{p}: {msg}"),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let mut doc = base_document(text).map_err(|(_, msg)| msg)?;
    for (p, v, _) in &overrides {
        set_path(&mut doc, p, v.clone()).map_err(|(msg, hint)| match hint {
            Some(h) => format!("{p}: {msg}; {h}"),
            None => format!("{p}: {msg}"),
        })?;
    }
    let patched = toml::to_string(&doc).map_err(|e| e.to_string())?;
    let factory = parse_one(path, &patched).map_err(|errs| {
        errs.iter()
            .map(|e| match &e.hint {
                Some(h) => format!("{}: {}; {h}", e.field, e.message),
                None => format!("{}: {}", e.field, e.message),
            })
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let same = factory.products.len() == base_products.len()
        && factory
            .products
            .iter()
            .zip(base_products)
            .all(|(p, b)| &p.name == b);
    if !same {
        return Err("it adds or removes products".into());
    }
    Ok(factory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_nested_paths_and_refuses_missing_parents() {
        let mut doc: Value = Value::Table(
            toml::from_str(
                r#"
[stations.cut]
machines = 1
[products.p]
routing = [{ station = "cut", process = "1m" }]
"#,
            )
            .unwrap(),
        );
        set_path(&mut doc, "stations.cut.machines", Value::Integer(3)).unwrap();
        set_path(&mut doc, "stations.cut.buffer", Value::Integer(4)).unwrap();
        set_path(
            &mut doc,
            "products.p.routing[0].process",
            Value::String("2m".into()),
        )
        .unwrap();
        assert_eq!(doc["stations"]["cut"]["machines"].as_integer(), Some(3));
        assert_eq!(doc["stations"]["cut"]["buffer"].as_integer(), Some(4));
        assert_eq!(
            doc["products"]["p"]["routing"][0]["process"].as_str(),
            Some("2m")
        );
        let (msg, hint) =
            set_path(&mut doc, "stations.cutt.machines", Value::Integer(1)).unwrap_err();
        assert!(msg.contains("has no `cutt`"), "{msg}");
        assert_eq!(hint.as_deref(), Some("did you mean `cut`?"));
        assert!(set_path(&mut doc, "products.p.routing[3].process", Value::Integer(1)).is_err());
        assert!(set_path(&mut doc, "products.p.routing[x]", Value::Integer(1)).is_err());
    }
}
