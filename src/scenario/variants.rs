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
//! Each variant is the baseline TOML document with its overrides applied,
//! then validated exactly like the baseline. Errors found in the patched
//! document are reported at the override that caused them (file, line,
//! column of the value in the scenario file), so a bad override reads like
//! any other mistake.

use std::ops::Range;
use std::path::Path;

use toml::{Spanned, Value};

use super::error::{Locator, ScenarioError, did_you_mean};
use super::limits::MAX_VARIANTS;
use super::raw::RawOverrides;
use crate::model::Factory;

/// A named alternative to the baseline factory.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Unique name (`baseline` is the baseline itself).
    pub name: String,
    /// The overrides that define it, as `(path, value as TOML)`.
    pub overrides: Vec<(String, String)>,
    /// The factory with the overrides applied.
    pub factory: Factory,
    /// The sensitivity this variant measures, when `run --sensitivity`
    /// made it rather than the file.
    pub lever: Option<Lever>,
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

/// One override as written.
struct Override {
    path: String,
    path_span: Range<usize>,
    value: Value,
    value_span: Range<usize>,
}

/// A variant before validation: its name, where it is written, overrides.
struct Pending {
    name: String,
    span: Range<usize>,
    overrides: Vec<Override>,
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

/// Reads the `[[variant]]` and `[[sweep]]` tables, applies each variant to
/// the baseline document and validates it with `parse_one`.
pub(crate) fn expand(
    loc: &Locator<'_>,
    text: &str,
    variants: &[Spanned<RawOverrides>],
    sweeps: &[Spanned<RawOverrides>],
    parse_one: &ParseOne<'_>,
    base_products: &[String],
) -> Result<Vec<Variant>, Vec<ScenarioError>> {
    let same_products = |f: &Factory, base: &[String]| {
        f.products.len() == base.len() && f.products.iter().zip(base).all(|(p, b)| &p.name == b)
    };
    let mut errors = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();

    let read = |table: &Spanned<RawOverrides>, what: &str, errors: &mut Vec<ScenarioError>| {
        let mut name = None;
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
            let path = k.get_ref().clone();
            if !path.contains('.') && matches!(v.get_ref(), Value::Table(_)) {
                // `stations.cut.machines = 3` unquoted is a nested table
                // that would replace all of `stations`.
                errors.push(loc.error(
                    k.span(),
                    path.clone(),
                    format!("a {what} overrides fields by their quoted path, not by tables"),
                    Some(format!(
                        "quote the path, e.g. \"{path}.NAME.FIELD\" = value"
                    )),
                ));
                continue;
            }
            let root = path.split(['.', '[']).next().unwrap_or_default();
            if matches!(root, "simulation" | "variant" | "sweep" | "name") {
                errors.push(loc.error(
                    k.span(),
                    path.clone(),
                    format!("a {what} cannot change `{root}`"),
                    Some("horizon, warm-up, replications and seed are shared by all variants, so that they can be compared replication by replication".into()),
                ));
                continue;
            }
            const ROOTS: [&str; 9] = [
                "stations",
                "products",
                "workers",
                "calendars",
                "contractors",
                "materials",
                "suppliers",
                "orders",
                "costs",
            ];
            if !ROOTS.contains(&root) {
                let hint = did_you_mean(root, ROOTS)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "paths start with `stations.`, `products.`, `workers.`, `calendars.`, `contractors.`, `materials.`, `suppliers.`, `orders.` or `costs.`"
                            .into()
                    });
                errors.push(loc.error(
                    k.span(),
                    path.clone(),
                    format!("unknown field path `{path}`"),
                    Some(hint),
                ));
                continue;
            }
            overrides.push(Override {
                path,
                path_span: k.span(),
                value: v.get_ref().clone(),
                value_span: v.span(),
            });
        }
        (name, overrides)
    };

    for t in variants {
        let (name, overrides) = read(t, "variant", &mut errors);
        match name {
            Some(name) => pending.push(Pending {
                name,
                span: t.span(),
                overrides,
            }),
            None => errors.push(loc.error(
                t.span(),
                "variant.name",
                "every variant needs a name",
                Some("add name = \"…\" to the [[variant]] table".into()),
            )),
        }
    }
    if pending.len() > MAX_VARIANTS {
        errors.push(loc.error(
            variants.get(MAX_VARIANTS).map_or(0..0, |v| v.span()),
            "variant",
            format!(
                "the file has {} variants, more than the limit of {MAX_VARIANTS}",
                pending.len()
            ),
            Some("split the study into several files".into()),
        ));
        return Err(errors);
    }
    for t in sweeps {
        let (name, overrides) = read(t, "sweep", &mut errors);
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
            .filter(|n| pending.len().saturating_add(*n) <= MAX_VARIANTS);
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
            let mut ov = Vec::new();
            for (a, (o, vals)) in axes.iter().enumerate() {
                let v = vals[idx[a]].clone();
                label.push(format!("{}={}", short(&o.path), show(&v)));
                ov.push(Override {
                    path: o.path.clone(),
                    path_span: o.path_span.clone(),
                    value: v,
                    value_span: o.value_span.clone(),
                });
            }
            pending.push(Pending {
                name: format!("{name}({})", label.join(",")),
                span: t.span(),
                overrides: ov,
            });
        }
    }

    // Names are unique and never "baseline".
    for (i, p) in pending.iter().enumerate() {
        if p.name == "baseline" || pending[..i].iter().any(|q| q.name == p.name) {
            errors.push(loc.error(
                p.span.clone(),
                "variant.name",
                format!("the name \"{}\" is already taken", p.name),
                Some("give every variant its own name (\"baseline\" is the baseline's)".into()),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut base: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            return Err(vec![loc.error(
                e.span().unwrap_or(0..0),
                "",
                e.message(),
                None,
            )]);
        }
    };
    base.remove("variant");
    base.remove("sweep");
    let base = Value::Table(base);

    let mut out = Vec::with_capacity(pending.len());
    let mut seen = std::collections::BTreeSet::new();
    for p in pending {
        let mut doc = base.clone();
        for o in &p.overrides {
            if let Err((msg, hint)) = set_path(&mut doc, &o.path, o.value.clone()) {
                errors.push(loc.error(
                    o.path_span.clone(),
                    o.path.clone(),
                    format!("in variant \"{}\": {msg}", p.name),
                    hint,
                ));
            }
        }
        let patched = match toml::to_string(&doc) {
            Ok(t) => t,
            Err(e) => {
                errors.push(loc.error(
                    p.span.clone(),
                    "variant",
                    format!("cannot apply variant \"{}\": {e}", p.name),
                    None,
                ));
                continue;
            }
        };
        match parse_one(loc.file, &patched) {
            Ok(factory) if !same_products(&factory, base_products) => errors.push(loc.error(
                p.span.clone(),
                "products",
                format!("variant \"{}\" adds or removes products", p.name),
                Some("variants are compared part for part with the baseline: change products' fields, not the set of products".into()),
            )),
            Ok(factory) => out.push(Variant {
                name: p.name.clone(),
                overrides: p
                    .overrides
                    .iter()
                    .map(|o| (o.path.clone(), show(&o.value)))
                    .collect(),
                factory,
                lever: None,
            }),
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
                        format!("in variant \"{}\": {}", p.name, e.message),
                        e.hint.clone(),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The factory of the baseline document `text` with `overrides` set (see
/// [`crate::scenario::Scenario::derive`]); errors name the field.
pub(crate) fn derive(
    path: &Path,
    text: &str,
    overrides: &[(String, Value)],
    base_products: &[String],
    parse_one: &ParseOne<'_>,
) -> Result<Factory, String> {
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
    for key in ["variant", "sweep"] {
        doc.remove(key);
    }
    let mut doc = Value::Table(doc);
    for (p, v) in overrides {
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
