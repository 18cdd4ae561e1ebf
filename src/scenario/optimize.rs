//! The `[optimize]` section: the decision variables `shopfloor optimize`
//! searches over, the objective it ranks them on and the constraints a
//! choice must meet.
//!
//! ```toml
//! [optimize]
//! objective = { maximize = "profit" }        # or { minimize = "total_cost" }
//! constraints = [{ kpi = "on_time_orders", at_least = 0.95 }]
//! indifference = 5000        # smaller differences in the objective do not matter
//! first_replications = 10    # per configuration, before any is dropped
//! max_replications = 200     # per configuration, at most
//!
//! [optimize.variables]
//! "stations.weld.machines" = [2, 3, 4]               # the values to try
//! "workers.operators.count" = { from = 4, to = 8 }   # whole numbers, `step` 1
//! "stations.weld.automate" = [false, true]
//! ```
//!
//! A variable is a dotted path, as in a `[[variant]]`, with the values to
//! try; a configuration sets every variable to one of its values, and the
//! decision space is every combination (the first variable varying
//! slowest). Each value is checked here by deriving the baseline with it
//! alone, so a value that makes the plant invalid is reported at the value,
//! like any other mistake. The section matters to `shopfloor optimize`
//! only: `run` and `validate` read it, check it and leave it alone.

use std::ops::Range;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::Scenario;
use super::error::{Locator, ScenarioError, did_you_mean};
use super::levers::{lever_name, overlap, paths_set};
use super::raw::RawOverrides;
use crate::experiment::kpi::{Better, Kpi, kpi, kpi_names};

/// `[optimize]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOptimize {
    pub objective: Option<Spanned<RawObjective>>,
    #[serde(default)]
    pub constraints: Vec<Spanned<RawConstraint>>,
    pub indifference: Option<Spanned<f64>>,
    pub first_replications: Option<Spanned<i64>>,
    pub max_replications: Option<Spanned<i64>>,
    pub variables: Option<Spanned<RawOverrides>>,
}

/// `objective = { maximize = "profit" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObjective {
    pub maximize: Option<Spanned<String>>,
    pub minimize: Option<Spanned<String>>,
}

/// `{ kpi = "on_time_orders", at_least = 0.95 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstraint {
    pub kpi: Spanned<String>,
    pub at_least: Option<Spanned<f64>>,
    pub at_most: Option<Spanned<f64>>,
}

/// What the optimiser ranks configurations on.
#[derive(Clone, Copy, Debug)]
pub struct Objective {
    /// The KPI.
    pub kpi: &'static Kpi,
    /// True to maximise it, false to minimise.
    pub maximize: bool,
}

/// Which side of its threshold a constrained KPI must stay on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// The KPI's mean must be at least this.
    AtLeast(f64),
    /// The KPI's mean must be at most this.
    AtMost(f64),
}

/// A constraint on a KPI's mean, judged on its 95% confidence interval.
#[derive(Clone, Copy, Debug)]
pub struct Constraint {
    /// The KPI.
    pub kpi: &'static Kpi,
    /// The threshold and its side.
    pub bound: Bound,
}

impl Constraint {
    /// How far a value `x` misses the constraint (0 when it meets it).
    pub fn shortfall(&self, x: f64) -> f64 {
        match self.bound {
            Bound::AtLeast(q) => (q - x).max(0.0),
            Bound::AtMost(q) => (x - q).max(0.0),
        }
    }

    /// The threshold.
    pub fn threshold(&self) -> f64 {
        match self.bound {
            Bound::AtLeast(q) | Bound::AtMost(q) => q,
        }
    }

    /// "on_time_orders ≥ 0.95".
    pub fn describe(&self) -> String {
        match self.bound {
            Bound::AtLeast(q) => format!("{} ≥ {q}", self.kpi.name),
            Bound::AtMost(q) => format!("{} ≤ {q}", self.kpi.name),
        }
    }
}

/// A decision variable: a dotted path and the values to try, in order.
#[derive(Clone, Debug)]
pub struct DecisionVariable {
    /// Dotted path, as in a `[[variant]]`.
    pub path: String,
    /// The values to try (at least one).
    pub values: Vec<Value>,
    /// How each value is shown (its TOML text unless `labels` are given).
    pub labels: Vec<String>,
}

/// A validated `[optimize]` section.
#[derive(Clone, Debug)]
pub struct OptimizeSpec {
    /// What to maximise or minimise.
    pub objective: Objective,
    /// Constraints every acceptable configuration meets.
    pub constraints: Vec<Constraint>,
    /// Differences in the objective smaller than this do not matter
    /// (the indifference zone δ, in the objective's units).
    pub indifference: f64,
    /// Replications of every configuration before any is dropped (n0).
    pub first_replications: u32,
    /// Replications of one configuration at most.
    pub max_replications: u32,
    /// The decision variables, the first varying slowest.
    pub variables: Vec<DecisionVariable>,
}

/// The most configurations a decision space may have.
pub const MAX_SPACE: usize = 1_000_000;

impl OptimizeSpec {
    /// Number of configurations (the product of the variables' sizes).
    pub fn space(&self) -> usize {
        self.variables.iter().map(|v| v.values.len()).product()
    }

    /// The value index of every variable in configuration `index` (the
    /// first variable varying slowest).
    pub fn coordinates(&self, mut index: usize) -> Vec<usize> {
        let mut c = vec![0; self.variables.len()];
        for (d, v) in self.variables.iter().enumerate().rev() {
            c[d] = index % v.values.len();
            index /= v.values.len();
        }
        c
    }

    /// The configuration at `coordinates`.
    pub fn index(&self, coordinates: &[usize]) -> usize {
        self.variables
            .iter()
            .zip(coordinates)
            .fold(0, |acc, (v, &c)| acc * v.values.len() + c)
    }

    /// The overrides of configuration `index`.
    pub fn overrides(&self, index: usize) -> Vec<(String, Value)> {
        self.variables
            .iter()
            .zip(self.coordinates(index))
            .map(|(v, c)| (v.path.clone(), v.values[c].clone()))
            .collect()
    }

    /// A short name of configuration `index`, e.g.
    /// `weld.machines=3,operators.count=5`.
    pub fn name(&self, index: usize) -> String {
        self.variables
            .iter()
            .zip(self.coordinates(index))
            .map(|(v, c)| format!("{}={}", short_path(&v.path), v.labels[c]))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The last two parts of a dotted path (`stations.weld.machines` →
/// `weld.machines`).
pub fn short_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    parts[parts.len().saturating_sub(2)..].join(".")
}

/// A value as compact TOML text (strings without quotes).
pub fn value_text(v: &Value) -> String {
    super::variants::show(v)
}

/// Records an error: span, field, message, hint.
type Report<'a> = dyn FnMut(Range<usize>, &str, String, Option<String>) + 'a;

/// Reads the `[optimize]` section of `scenario` (whose baseline and
/// variants are valid).
pub(crate) fn validate(
    loc: &Locator<'_>,
    raw: &Spanned<RawOptimize>,
    scenario: &Scenario,
) -> Result<OptimizeSpec, Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let o = raw.get_ref();
    let mut err = |span: Range<usize>, field: &str, msg: String, hint: Option<String>| {
        errors.push(loc.error(span, field, msg, hint));
    };

    // A KPI by name, known and defined in this plant.
    let find =
        |name: &Spanned<String>, field: &str, err: &mut Report<'_>| -> Option<&'static Kpi> {
            let Some(k) = kpi(name.get_ref()) else {
                let hint = did_you_mean(name.get_ref(), kpi_names())
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .unwrap_or_else(|| format!("known KPIs: {}", kpi_names().join(", ")));
                err(
                    name.span(),
                    field,
                    format!("unknown KPI \"{}\"", name.get_ref()),
                    Some(hint),
                );
                return None;
            };
            if let Some(why) = k.undefined_in(&scenario.factory) {
                err(
                    name.span(),
                    field,
                    format!("{why} in this scenario, so \"{}\" has no value", k.name),
                    Some("optimise or constrain a KPI the plant defines".into()),
                );
                return None;
            }
            Some(k)
        };

    let objective = match &o.objective {
        None => {
            err(
                raw.span(),
                "optimize.objective",
                "the optimiser needs an objective".into(),
                Some(
                    "add objective = { maximize = \"profit\" } (or { minimize = \"total_cost\" })"
                        .into(),
                ),
            );
            None
        }
        Some(obj) => {
            match (&obj.get_ref().maximize, &obj.get_ref().minimize) {
                (Some(name), None) | (None, Some(name)) => {
                    let maximize = obj.get_ref().maximize.is_some();
                    find(name, "optimize.objective", &mut err).and_then(|k| {
                    let wrong = match k.better {
                        Better::Higher => !maximize,
                        Better::Lower => maximize,
                    };
                    if wrong {
                        let (said, meant) = if maximize {
                            ("maximize", "minimize")
                        } else {
                            ("minimize", "maximize")
                        };
                        let more = if k.better == Better::Higher { "more" } else { "less" };
                        err(
                            name.span(),
                            "optimize.objective",
                            format!(
                                "to {said} \"{}\" would seek the worst configuration: {more} is better",
                                k.name
                            ),
                            Some(format!("write {{ {meant} = \"{}\" }}", k.name)),
                        );
                        return None;
                    }
                    Some(Objective { kpi: k, maximize })
                })
                }
                _ => {
                    err(
                    obj.span(),
                    "optimize.objective",
                    "the objective is one KPI to maximize or to minimize".into(),
                    Some("write { maximize = \"profit\" } or { minimize = \"cost_per_good_unit\" }".into()),
                );
                    None
                }
            }
        }
    };

    let mut constraints = Vec::new();
    for (i, c) in o.constraints.iter().enumerate() {
        let field = format!("optimize.constraints[{i}]");
        let r = c.get_ref();
        let k = find(&r.kpi, &format!("{field}.kpi"), &mut err);
        let bound = match (&r.at_least, &r.at_most) {
            (Some(q), None) if q.get_ref().is_finite() => Some(Bound::AtLeast(*q.get_ref())),
            (None, Some(q)) if q.get_ref().is_finite() => Some(Bound::AtMost(*q.get_ref())),
            (Some(q), None) | (None, Some(q)) => {
                err(
                    q.span(),
                    &field,
                    "the threshold must be a finite number".into(),
                    None,
                );
                None
            }
            _ => {
                err(
                    c.span(),
                    &field,
                    "a constraint sets one bound: `at_least` or `at_most`".into(),
                    Some(format!(
                        "e.g. {{ kpi = \"{}\", at_least = 0.95 }}",
                        r.kpi.get_ref()
                    )),
                );
                None
            }
        };
        if let (Some(kpi), Some(bound)) = (k, bound) {
            constraints.push(Constraint { kpi, bound });
        }
    }

    let indifference = match &o.indifference {
        Some(d) if d.get_ref().is_finite() && *d.get_ref() > 0.0 => Some(*d.get_ref()),
        Some(d) => {
            err(
                d.span(),
                "optimize.indifference",
                format!("must be a number above 0, got {}", d.get_ref()),
                None,
            );
            None
        }
        None => {
            err(
                raw.span(),
                "optimize.indifference",
                "the optimiser needs an indifference zone".into(),
                Some(format!(
                    "add indifference = … : the smallest difference in {} worth telling apart",
                    objective.map_or("the objective", |o| o.kpi.name)
                )),
            );
            None
        }
    };
    let count =
        |c: &Option<Spanned<i64>>, field: &str, default: i64, min: i64, err: &mut Report<'_>| {
            match c {
                None => Some(default as u32),
                Some(n) if (min..=1_000_000).contains(n.get_ref()) => Some(*n.get_ref() as u32),
                Some(n) => {
                    err(
                        n.span(),
                        field,
                        format!("must be between {min} and 1000000, got {}", n.get_ref()),
                        None,
                    );
                    None
                }
            }
        };
    let n0 = count(
        &o.first_replications,
        "optimize.first_replications",
        10,
        2,
        &mut err,
    );
    let max = count(
        &o.max_replications,
        "optimize.max_replications",
        200,
        2,
        &mut err,
    );
    if let (Some(n0), Some(max), Some(m)) = (n0, max, &o.max_replications)
        && max < n0
    {
        err(
            m.span(),
            "optimize.max_replications",
            format!("must be at least first_replications ({n0}), got {max}"),
            None,
        );
    }

    let mut variables = Vec::new();
    match &o.variables {
        Some(vars) if !vars.get_ref().is_empty() => {
            for (path, value) in vars.get_ref() {
                if let Some(v) = variable(loc, scenario, path, value, &mut errors) {
                    if let Some(e) = conflict(loc, scenario, &variables, path) {
                        errors.push(e);
                        continue;
                    }
                    variables.push(v);
                }
            }
        }
        Some(vars) => errors.push(loc.error(
            vars.span(),
            "optimize.variables",
            "no decision variables",
            Some("list at least one, e.g. \"stations.weld.machines\" = [2, 3, 4]".into()),
        )),
        None => errors.push(loc.error(
            raw.span(),
            "optimize.variables",
            "no decision variables",
            Some(
                "add [optimize.variables] with e.g. \"stations.weld.machines\" = [2, 3, 4]".into(),
            ),
        )),
    }
    let spec = match (objective, indifference, n0, max) {
        (Some(objective), Some(indifference), Some(n0), Some(max)) if errors.is_empty() => {
            OptimizeSpec {
                objective,
                constraints,
                indifference,
                first_replications: n0,
                max_replications: max,
                variables,
            }
        }
        _ => return Err(errors),
    };
    let size = spec
        .variables
        .iter()
        .try_fold(1usize, |acc, v| acc.checked_mul(v.values.len()));
    if size.is_none_or(|s| s > MAX_SPACE) {
        let span = o.variables.as_ref().map_or(raw.span(), |v| v.span());
        return Err(vec![loc.error(
            span,
            "optimize.variables",
            format!("the decision space has more than {MAX_SPACE} configurations"),
            Some("narrow the ranges or use a coarser `step`".into()),
        )]);
    }
    Ok(spec)
}

/// A lever variable and another variable that set the same field (or one
/// inside the other): every configuration would have conflicting
/// overrides. Reported at the later one's path.
fn conflict(
    loc: &Locator<'_>,
    scenario: &Scenario,
    earlier: &[DecisionVariable],
    path: &Spanned<String>,
) -> Option<ScenarioError> {
    let p = path.get_ref();
    let mine = paths_set(&scenario.levers, p);
    earlier.iter().find_map(|v| {
        if lever_name(&v.path).is_none() && lever_name(p).is_none() {
            return None;
        }
        let theirs = paths_set(&scenario.levers, &v.path);
        let (a, b) = mine
            .iter()
            .find_map(|a| theirs.iter().find(|b| overlap(a, b)).map(|b| (a, b)))?;
        Some(loc.error(
            path.span(),
            format!("optimize.variables.\"{p}\""),
            if a == b {
                format!(
                    "conflicting overrides: the variables \"{}\" and \"{p}\" both set `{a}`",
                    v.path
                )
            } else {
                format!(
                    "conflicting overrides: the variable \"{}\" sets `{b}` and \"{p}\" sets `{a}`, one inside the other",
                    v.path
                )
            },
            Some("let one variable decide each field: leave the field out of the lever, or drop one of the variables".into()),
        ))
    })
}

/// One decision variable: its path and values checked, each value tried
/// on the baseline.
fn variable(
    loc: &Locator<'_>,
    scenario: &Scenario,
    path: &Spanned<String>,
    value: &Spanned<Value>,
    errors: &mut Vec<ScenarioError>,
) -> Option<DecisionVariable> {
    let p = path.get_ref();
    let field = format!("optimize.variables.\"{p}\"");
    let root = p.split(['.', '[']).next().unwrap_or_default();
    if matches!(root, "simulation" | "variant" | "sweep" | "optimize") {
        errors.push(loc.error(
            path.span(),
            &field,
            format!("a decision variable cannot change `{root}`"),
            Some("decision variables set plant fields: stations, workers, calendars, products, contractors, materials, suppliers, orders, costs".into()),
        ));
        return None;
    }
    let before = errors.len();
    let mut labels: Option<Vec<String>> = None;
    let mut bad = |msg: String, hint: &str| {
        errors.push(loc.error(value.span(), &field, msg, Some(hint.to_string())));
    };
    let values: Vec<Value> = match value.get_ref() {
        Value::Array(vals) if vals.is_empty() => {
            bad(
                "the list of values is empty".into(),
                "list at least one value, e.g. [2, 3, 4]",
            );
            return None;
        }
        Value::Array(vals) if vals.len() > MAX_SPACE => {
            bad(
                format!(
                    "the list has {} values, more than the limit of {MAX_SPACE} configurations",
                    vals.len()
                ),
                "list fewer values",
            );
            return None;
        }
        Value::Array(vals) => {
            for (i, v) in vals.iter().enumerate() {
                if vals[..i].contains(v) {
                    bad(
                        format!("{} is listed twice", value_text(v)),
                        "list each value once",
                    );
                }
            }
            vals.clone()
        }
        Value::Table(t) if t.contains_key("values") => {
            let hint = "write { values = [A, B], labels = [\"a\", \"b\"] }, one label per value";
            for k in t.keys() {
                if !matches!(k.as_str(), "values" | "labels") {
                    bad(format!("unknown field `{k}` in a list of values"), hint);
                }
            }
            let vals = match &t["values"] {
                Value::Array(v) if !v.is_empty() => v.clone(),
                _ => {
                    bad("`values` must be a list of at least one value".into(), hint);
                    return None;
                }
            };
            match t.get("labels") {
                None => {}
                Some(Value::Array(ls))
                    if ls.len() == vals.len()
                        && ls.iter().all(|l| l.as_str().is_some_and(|s| !s.is_empty())) =>
                {
                    labels = Some(
                        ls.iter()
                            .map(|l| l.as_str().unwrap_or_default().to_string())
                            .collect(),
                    );
                }
                Some(_) => bad(
                    format!(
                        "`labels` must be {} non-empty strings, one per value",
                        vals.len()
                    ),
                    hint,
                ),
            }
            vals
        }
        Value::Table(t) => {
            let range_hint = "write { from = 4, to = 8 } or { from = 2, to = 10, step = 2 }";
            for k in t.keys() {
                if !matches!(k.as_str(), "from" | "to" | "step") {
                    let hint = did_you_mean(k, ["from", "to", "step"])
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| range_hint.to_string());
                    bad(format!("unknown field `{k}` in a range"), &hint);
                }
            }
            let int = |k: &str| t.get(k).map(|v| v.as_integer().ok_or(k.to_string()));
            match (int("from"), int("to"), int("step").unwrap_or(Ok(1))) {
                (Some(Ok(from)), Some(Ok(to)), Ok(step)) => {
                    if from > to {
                        bad(
                            format!("the range runs from {from} down to {to}"),
                            "`from` must not be above `to`",
                        );
                    } else if step <= 0 {
                        bad(
                            format!("the step must be at least 1, got {step}"),
                            range_hint,
                        );
                    }
                    // Count the values before making them, in i128: `to -
                    // from` overflows i64 for a range near its ends.
                    let count = if from <= to && step > 0 {
                        (i128::from(to) - i128::from(from)) / i128::from(step) + 1
                    } else {
                        0
                    };
                    if count > MAX_SPACE as i128 {
                        bad(
                            format!(
                                "the range has {count} values, more than the limit of {MAX_SPACE} configurations"
                            ),
                            "use a larger `step` or a shorter range",
                        );
                    }
                    if errors.len() > before {
                        return None;
                    }
                    // Every value lies between `from` and `to`, so it fits
                    // an i64 though `i * step` may not.
                    (0..count)
                        .map(|i| Value::Integer((i128::from(from) + i * i128::from(step)) as i64))
                        .collect()
                }
                (None, _, _) | (_, None, _) => {
                    bad("a range needs `from` and `to`".into(), range_hint);
                    return None;
                }
                (Some(Err(k)), _, _) | (_, Some(Err(k)), _) | (_, _, Err(k)) => {
                    bad(
                        format!("`{k}` of a range must be a whole number"),
                        range_hint,
                    );
                    return None;
                }
            }
        }
        other => {
            bad(
                format!(
                    "a decision variable lists the values to try, got the single value {}",
                    value_text(other)
                ),
                "write a list, e.g. [2, 3, 4], or a range, e.g. { from = 2, to = 6 }",
            );
            return None;
        }
    };
    if errors.len() > before {
        return None;
    }
    // Every value must make a valid plant with the others at the baseline
    // (a range's ends and every listed value).
    let tried: Vec<&Value> = match value.get_ref() {
        Value::Table(t) if !t.contains_key("values") => {
            let mut ends = vec![&values[0]];
            ends.extend(values.last().filter(|_| values.len() > 1));
            ends
        }
        _ => values.iter().collect(),
    };
    for v in tried {
        if let Err(e) =
            scenario.derive(&format!("{p}={}", value_text(v)), &[(p.clone(), v.clone())])
        {
            // derive's message starts with `variant "NAME": `.
            let msg = e
                .split_once(": ")
                .map_or(e.as_str(), |(_, m)| m)
                .to_string();
            let hint = if msg.contains("has no `") {
                "the path must name a field of the baseline, as in a [[variant]]"
            } else {
                "every value must make a valid plant"
            };
            errors.push(loc.error(
                value.span(),
                &field,
                format!("with {p} = {}: {msg}", value_text(v)),
                Some(hint.to_string()),
            ));
            break;
        }
    }
    let labels = labels.unwrap_or_else(|| values.iter().map(value_text).collect());
    (errors.len() == before).then(|| DecisionVariable {
        path: p.clone(),
        values,
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::kpi::KPIS;

    #[test]
    fn coordinates_and_indices_agree() {
        let spec = OptimizeSpec {
            objective: Objective {
                kpi: &KPIS[0],
                maximize: true,
            },
            constraints: Vec::new(),
            indifference: 1.0,
            first_replications: 10,
            max_replications: 20,
            variables: vec![
                DecisionVariable {
                    path: "stations.a.machines".into(),
                    values: vec![Value::Integer(1), Value::Integer(2), Value::Integer(3)],
                    labels: vec!["1".into(), "2".into(), "3".into()],
                },
                DecisionVariable {
                    path: "stations.a.automate".into(),
                    values: vec![Value::Boolean(false), Value::Boolean(true)],
                    labels: vec!["false".into(), "true".into()],
                },
            ],
        };
        assert_eq!(spec.space(), 6);
        for i in 0..6 {
            assert_eq!(spec.index(&spec.coordinates(i)), i);
        }
        // The first variable varies slowest.
        assert_eq!(spec.coordinates(1), vec![0, 1]);
        assert_eq!(spec.coordinates(2), vec![1, 0]);
        assert_eq!(spec.name(5), "a.machines=3,a.automate=true");
    }
}
