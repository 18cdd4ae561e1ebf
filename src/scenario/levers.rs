//! Named levers: one decision that moves several settings at once,
//! defined once in `[levers.NAME]` and switched by name wherever a field
//! path may be set.
//!
//! ```toml
//! [levers.robot]                        # yes or no: `true` sets all of these
//! "stations.weld.automate" = true
//! "products.frame.routing[1].operators" = 0
//!
//! [levers.cells]                        # levels: one value per level
//! levels = ["two", "three"]
//! "stations.weld.machines" = [2, 3]
//! "workers.welders.count" = [4, 6]
//!
//! [[variant]]
//! name = "robot"
//! "levers.robot" = true                 # or, for cells, "levers.cells" = "three"
//! ```
//!
//! `"levers.NAME" = VALUE` stands for the lever's overrides at that value,
//! in the order the lever writes them: in a `[[variant]]`, as a list of
//! values in a `[[sweep]]`, and as a decision variable of `[optimize]`. A
//! yes/no lever takes `true` (its overrides) or `false` (none: the fields
//! keep the values they would have without it); a lever with `levels`
//! takes a level's name. Every level is checked on the baseline alone and
//! its mistakes are reported at the lever's own lines. A configuration in
//! which a lever and another override (or another lever) set the same
//! field, or one inside the other, to different values is refused: which
//! one wins would depend on the order they are written in.

use std::ops::Range;

use indexmap::IndexMap;
use toml::{Spanned, Value};

use super::error::{Locator, ScenarioError, did_you_mean};
use super::raw::RawOverrides;
use super::variants::{self, Override, ParseOne, Pending};

/// A validated `[levers.NAME]`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedLever {
    /// Its name: the `NAME` of `"levers.NAME"`.
    pub name: String,
    /// True when it has `levels` (set by a level's name), false for a
    /// yes/no lever (set by `true` or `false`).
    pub by_level: bool,
    /// Its levels, in order. A yes/no lever has two: `false`, which sets
    /// nothing, and `true`.
    pub levels: Vec<LeverLevel>,
}

/// One level of a lever: what it sets.
#[derive(Clone, Debug, PartialEq)]
pub struct LeverLevel {
    /// The level's name (`true` or `false` for a yes/no lever).
    pub label: String,
    /// The overrides it stands for, `(path, value)`, in the order written.
    pub overrides: Vec<(String, Value)>,
}

/// The lever a path names: `levers.robot` → `Some("robot")`.
pub(crate) fn lever_name(path: &str) -> Option<&str> {
    path.strip_prefix("levers.")
}

/// Why a lever setting cannot be used: the message, a hint, and whether
/// the path (an unknown lever) rather than the value is to blame.
#[derive(Debug)]
pub(crate) struct SettingError {
    pub message: String,
    pub hint: Option<String>,
    pub at_path: bool,
}

/// The level that `"levers.NAME" = value` selects.
pub(crate) fn setting<'a>(
    levers: &'a [NamedLever],
    name: &str,
    value: &Value,
) -> Result<&'a LeverLevel, SettingError> {
    let Some(lever) = levers.iter().find(|l| l.name == name) else {
        let hint = match did_you_mean(name, levers.iter().map(|l| l.name.as_str())) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None if levers.is_empty() => {
                "define it first in a [levers.NAME] table with the fields it sets".to_string()
            }
            None => format!(
                "levers defined: {}",
                levers
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(SettingError {
            message: format!("no lever is called \"{name}\""),
            hint: Some(hint),
            at_path: true,
        });
    };
    let labels = || {
        lever
            .levels
            .iter()
            .map(|l| format!("\"{}\"", l.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (lever.by_level, value) {
        (false, Value::Boolean(on)) => Ok(&lever.levels[usize::from(*on)]),
        (false, other) => Err(SettingError {
            message: format!(
                "lever \"{name}\" is switched on or off, got {}",
                variants::show(other)
            ),
            hint: Some(format!("write \"levers.{name}\" = true or false")),
            at_path: false,
        }),
        (true, Value::String(s)) => {
            lever
                .levels
                .iter()
                .find(|l| &l.label == s)
                .ok_or_else(|| SettingError {
                    message: format!("lever \"{name}\" has no level \"{s}\""),
                    hint: Some(
                        match did_you_mean(s, lever.levels.iter().map(|l| l.label.as_str())) {
                            Some(d) => format!("did you mean \"{d}\"?"),
                            None => format!("its levels are {}", labels()),
                        },
                    ),
                    at_path: false,
                })
        }
        (true, other) => Err(SettingError {
            message: format!(
                "lever \"{name}\" is set by the name of one of its levels, got {}",
                variants::show(other)
            ),
            hint: Some(format!("its levels are {}", labels())),
            at_path: false,
        }),
    }
}

/// True when two override paths set the same field: the same path, or one
/// a table or list that holds the other.
pub(crate) fn overlap(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    a == b || inside(a, b) || inside(b, a)
}

/// An override after its lever settings are expanded: path, value, and
/// the index of the written override it comes from.
pub(crate) type Expanded = (String, Value, usize);

/// Why overrides could not be expanded: the index of the written override
/// to blame, whether its path (else its value) is to blame, the message
/// and a hint.
pub(crate) type ExpandError = (usize, bool, String, Option<String>);

/// Replaces every lever setting among `written` by the overrides it stands
/// for, in place, and refuses conflicting overrides: two that set the same
/// field (or one inside the other) to different values where at least one
/// comes from a lever. Overrides written out, as in a variant without
/// levers, are left as they are (a later one may refine an earlier one).
pub(crate) fn expand(
    levers: &[NamedLever],
    written: &[(String, Value)],
) -> Result<Vec<Expanded>, Vec<ExpandError>> {
    let mut out: Vec<Expanded> = Vec::new();
    let mut errors = Vec::new();
    for (i, (path, value)) in written.iter().enumerate() {
        match lever_name(path) {
            None => out.push((path.clone(), value.clone(), i)),
            Some(name) => match setting(levers, name, value) {
                Ok(level) => out.extend(
                    level
                        .overrides
                        .iter()
                        .map(|(p, v)| (p.clone(), v.clone(), i)),
                ),
                Err(e) => errors.push((i, e.at_path, e.message, e.hint)),
            },
        }
    }
    let from_lever = |i: usize| lever_name(&written[i].0).is_some();
    let describe = |i: usize| match lever_name(&written[i].0) {
        Some(name) if levers.iter().any(|l| l.name == name && l.by_level) => format!(
            "lever \"{name}\" at level \"{}\"",
            variants::show(&written[i].1)
        ),
        Some(name) => format!("lever \"{name}\""),
        None => format!("\"{}\"", written[i].0),
    };
    for (b, (pb, vb, sb)) in out.iter().enumerate() {
        for (pa, va, sa) in &out[..b] {
            if sa == sb || !(from_lever(*sa) || from_lever(*sb)) || !overlap(pa, pb) {
                continue;
            }
            if pa == pb && va == vb {
                continue;
            }
            let field = if pa.len() <= pb.len() { pa } else { pb };
            let (a, b) = (describe(*sa), describe(*sb));
            let msg = if pa == pb {
                format!(
                    "conflicting overrides: {a} sets `{pa}` to {} and {b} sets it to {}",
                    variants::show(va),
                    variants::show(vb)
                )
            } else {
                format!("conflicting overrides: {a} sets `{pa}` and {b} sets `{pb}`")
            };
            let blamed = (
                *sb,
                true,
                msg,
                Some(format!(
                    "set `{field}` in one place only: leave it out of the lever or out of the {}",
                    if from_lever(*sa) && from_lever(*sb) {
                        "other lever"
                    } else {
                        "overrides written beside it"
                    }
                )),
            );
            if !errors
                .iter()
                .any(|e: &ExpandError| e.0 == blamed.0 && e.2 == blamed.2)
            {
                errors.push(blamed);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Every field path a setting of `path` may set: a lever's paths over all
/// its levels, else `path` itself.
pub(crate) fn paths_set<'a>(levers: &'a [NamedLever], path: &'a str) -> Vec<&'a str> {
    match lever_name(path).and_then(|n| levers.iter().find(|l| l.name == n)) {
        Some(l) => l
            .levels
            .iter()
            .flat_map(|lv| lv.overrides.iter().map(|(p, _)| p.as_str()))
            .collect(),
        None => vec![path],
    }
}

/// The `[levers.NAME]` tables as written.
pub(crate) type RawLevers = IndexMap<String, Spanned<RawOverrides>>;

/// Validates every `[levers.NAME]`: its name, its `levels`, its field
/// paths, and each level tried on the baseline document `base` alone (a
/// mistake is reported at the lever's own line).
pub(crate) fn validate(
    loc: &Locator<'_>,
    raw: &RawLevers,
    base: &Value,
    parse_one: &ParseOne<'_>,
    base_products: &[String],
) -> Result<Vec<NamedLever>, Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (name, table) in raw {
        let field = format!("levers.{name}");
        if name.is_empty() || name.contains(['.', '[', ']', '"']) {
            errors.push(loc.error(
                table.span(),
                field.clone(),
                format!(
                    "\"{name}\" cannot name a lever: a path \"levers.NAME\" could not reach it"
                ),
                Some("use letters, digits, - and _ in a lever's name".into()),
            ));
            continue;
        }
        let before = errors.len();
        let mut levels: Option<(Range<usize>, Vec<String>)> = None;
        let mut fields: Vec<(&Spanned<String>, &Spanned<Value>)> = Vec::new();
        for (k, v) in table.get_ref() {
            if k.get_ref() == "levels" {
                levels = level_names(loc, &field, v, &mut errors).map(|l| (v.span(), l));
                continue;
            }
            if let Some(e) = variants::path_problem(loc, "lever", k, v) {
                errors.push(e);
                continue;
            }
            if lever_name(k.get_ref()).is_some() {
                errors.push(
                    loc.error(
                        k.span(),
                        k.get_ref().clone(),
                        format!("lever \"{name}\" cannot switch another lever"),
                        Some(
                            "write the other lever's fields out, or set both levers in the variant"
                                .into(),
                        ),
                    ),
                );
                continue;
            }
            fields.push((k, v));
        }
        if errors.len() > before {
            continue;
        }
        if fields.is_empty() {
            errors.push(loc.error(
                table.span(),
                field.clone(),
                format!("lever \"{name}\" sets no field"),
                Some(format!(
                    "add the fields it moves, e.g. \"stations.weld.machines\" = 3, under [levers.{name}]"
                )),
            ));
            continue;
        }
        // The levels, each with its overrides (still with their spans).
        let mut pending: Vec<(String, Vec<Override>)> = Vec::new();
        match &levels {
            None => pending.push((
                "true".into(),
                fields
                    .iter()
                    .map(|(k, v)| Override::new(k, v, v.get_ref().clone()))
                    .collect(),
            )),
            Some((_, names)) => {
                let mut each: Vec<Vec<Override>> = vec![Vec::new(); names.len()];
                for (k, v) in &fields {
                    match v.get_ref() {
                        Value::Array(vals) if vals.len() == names.len() => {
                            for (l, x) in vals.iter().enumerate() {
                                each[l].push(Override::new(k, v, x.clone()));
                            }
                        }
                        _ => errors.push(loc.error(
                            v.span(),
                            k.get_ref().clone(),
                            format!(
                                "lever \"{name}\" has {} levels, so each field lists {} values, one per level",
                                names.len(),
                                names.len()
                            ),
                            Some(format!(
                                "write e.g. \"{}\" = [{}]",
                                k.get_ref(),
                                vec!["…"; names.len()].join(", ")
                            )),
                        )),
                    }
                }
                pending.extend(names.iter().cloned().zip(each));
            }
        }
        if errors.len() > before {
            continue;
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut lever = NamedLever {
            name: name.clone(),
            by_level: levels.is_some(),
            levels: Vec::new(),
        };
        if levels.is_none() {
            lever.levels.push(LeverLevel {
                label: "false".into(),
                overrides: Vec::new(),
            });
        }
        for (label, overrides) in pending {
            let p = Pending {
                label: if levels.is_some() {
                    format!("lever \"{name}\", level \"{label}\"")
                } else {
                    format!("lever \"{name}\"")
                },
                span: table.span(),
                overrides,
            };
            if variants::build(
                loc,
                base,
                &p,
                parse_one,
                base_products,
                &mut seen,
                &mut errors,
            )
            .is_some()
            {
                lever.levels.push(LeverLevel {
                    label,
                    overrides: p
                        .overrides
                        .iter()
                        .map(|o| (o.path.clone(), o.value.clone()))
                        .collect(),
                });
            }
        }
        if errors.len() == before {
            out.push(lever);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `levels = ["none", "one", "two"]`: distinct, non-empty names.
fn level_names(
    loc: &Locator<'_>,
    field: &str,
    v: &Spanned<Value>,
    errors: &mut Vec<ScenarioError>,
) -> Option<Vec<String>> {
    let hint = "write e.g. levels = [\"one\", \"two\"]: a name per level, each once";
    let names: Option<Vec<String>> = match v.get_ref() {
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| x.as_str().filter(|s| !s.is_empty()).map(str::to_string))
            .collect(),
        _ => None,
    };
    let Some(names) = names else {
        errors.push(loc.error(
            v.span(),
            format!("{field}.levels"),
            "`levels` must be a list of at least one non-empty name",
            Some(hint.into()),
        ));
        return None;
    };
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            errors.push(loc.error(
                v.span(),
                format!("{field}.levels"),
                format!("the level \"{n}\" is listed twice"),
                Some(hint.into()),
            ));
            return None;
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lever(name: &str, by_level: bool, levels: &[(&str, &[(&str, Value)])]) -> NamedLever {
        NamedLever {
            name: name.into(),
            by_level,
            levels: levels
                .iter()
                .map(|(l, o)| LeverLevel {
                    label: l.to_string(),
                    overrides: o.iter().map(|(p, v)| (p.to_string(), v.clone())).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn paths_overlap_only_at_part_boundaries() {
        assert!(overlap("stations.weld", "stations.weld.machines"));
        assert!(overlap(
            "products.p.routing",
            "products.p.routing[1].process"
        ));
        assert!(overlap("stations.weld.machines", "stations.weld.machines"));
        assert!(!overlap("stations.weld", "stations.welder.machines"));
        assert!(!overlap("stations.weld.machines", "stations.weld.buffer"));
    }

    #[test]
    fn settings_expand_in_place_and_conflicts_are_refused() {
        let levers = [
            lever(
                "robot",
                false,
                &[
                    ("false", &[]),
                    (
                        "true",
                        &[
                            ("stations.weld.automate", Value::Boolean(true)),
                            ("workers.ops.count", Value::Integer(5)),
                        ],
                    ),
                ],
            ),
            lever(
                "cells",
                true,
                &[
                    ("two", &[("stations.weld.machines", Value::Integer(2))]),
                    ("three", &[("stations.weld.machines", Value::Integer(3))]),
                ],
            ),
        ];
        let w = |p: &str, v: Value| (p.to_string(), v);
        let out = expand(
            &levers,
            &[
                w("stations.cut.buffer", Value::Integer(4)),
                w("levers.robot", Value::Boolean(true)),
                w("levers.cells", Value::String("three".into())),
            ],
        )
        .unwrap();
        let paths: Vec<(&str, usize)> = out.iter().map(|(p, _, s)| (p.as_str(), *s)).collect();
        assert_eq!(
            paths,
            [
                ("stations.cut.buffer", 0),
                ("stations.weld.automate", 1),
                ("workers.ops.count", 1),
                ("stations.weld.machines", 2)
            ]
        );
        // `false` sets nothing.
        let off = expand(&levers, &[w("levers.robot", Value::Boolean(false))]).unwrap();
        assert!(off.is_empty());
        // The same field from a lever and beside it, to another value.
        let errs = expand(
            &levers,
            &[
                w("levers.robot", Value::Boolean(true)),
                w("workers.ops.count", Value::Integer(4)),
            ],
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, 1, "blamed on the later override");
        assert!(errs[0].2.contains("conflicting overrides"), "{}", errs[0].2);
        // To the same value it is no conflict.
        assert!(
            expand(
                &levers,
                &[
                    w("levers.robot", Value::Boolean(true)),
                    w("workers.ops.count", Value::Integer(5)),
                ],
            )
            .is_ok()
        );
        // A table holding a field the lever sets.
        assert!(
            expand(
                &levers,
                &[
                    w("stations.weld", Value::Table(Default::default())),
                    w("levers.cells", Value::String("two".into())),
                ],
            )
            .is_err()
        );
        // Unknown levers and values that do not select a level.
        let e = &expand(&levers, &[w("levers.robt", Value::Boolean(true))]).unwrap_err()[0];
        assert!(e.1 && e.2.contains("no lever is called \"robt\""), "{e:?}");
        assert_eq!(e.3.as_deref(), Some("did you mean \"robot\"?"));
        let e = &expand(&levers, &[w("levers.robot", Value::Integer(1))]).unwrap_err()[0];
        assert!(!e.1 && e.2.contains("switched on or off"), "{e:?}");
        let e = &expand(&levers, &[w("levers.cells", Value::String("for".into()))]).unwrap_err()[0];
        assert!(e.2.contains("no level \"for\""), "{e:?}");
    }
}
