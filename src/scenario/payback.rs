//! Which configuration an investment is compared with.
//!
//! A variant that automates a station the baseline runs by hand, or buys
//! machines at a station with a `capital_per_machine`, invests. Its
//! payback must be judged against the plant that differs from it *only*
//! by that investment: a variant that buys robots and also lets an
//! operator go would otherwise credit the robots with a staffing cut that
//! pays without them. So the comparison is, unless the variant names one
//! with `compare_with`, the variant without the overrides that make the
//! investment:
//!
//! - the overrides of the stations invested in that make the investment:
//!   the whole station (`stations.S`), `stations.S.automate`,
//!   `stations.S.automated…` and `stations.S.machines`;
//! - every lever setting among whose overrides is one of those: the lever
//!   is the decision, so all it moves goes with the investment.
//!
//! What is left is the comparison: the baseline when nothing is left, the
//! variant of the file with the same overrides when there is one, else a
//! new variant, `without-investment(…)`, run on the same random numbers as
//! every other. When what is left is not a valid plant on its own (a
//! routing through the station the investment adds), the other overrides
//! belong to the investment too, and the comparison is the baseline.

use std::ops::Range;

use toml::Value;

use super::error::{Locator, ScenarioError};
use super::levers::{self, NamedLever};
use super::variants::{Variant, show};
use super::{Scenario, limits::MAX_VARIANTS};

/// Whether the override at `path` makes (part of) an investment in one of
/// `stations`.
fn invests(path: &str, stations: &[&str]) -> bool {
    stations.iter().any(|s| {
        let Some(rest) = path.strip_prefix(&format!("stations.{s}")) else {
            return false;
        };
        match rest.strip_prefix('.') {
            None => rest.is_empty(),
            Some(field) => {
                field == "machines" || field == "automate" || field.starts_with("automated")
            }
        }
    })
}

/// The overrides `written` set, lever settings expanded, as sorted
/// `(path, value)` text: two configurations with the same set are the same
/// plant. None when they conflict.
fn fields(levers: &[NamedLever], written: &[(String, Value)]) -> Option<Vec<(String, String)>> {
    let mut f: Vec<(String, String)> = levers::expand(levers, written)
        .ok()?
        .into_iter()
        .map(|(p, v, _)| (p, show(&v)))
        .collect();
    f.sort();
    Some(f)
}

/// Where a variant's investment is compared.
pub(crate) enum Comparison {
    /// It invests nothing.
    None,
    /// With the baseline or a variant already in the scenario, by name.
    Existing(String),
    /// With a new variant, to run beside the others.
    New(Box<Variant>),
}

/// The fields each variant of a scenario sets (see [`fields`]), worked out
/// once each.
#[derive(Default)]
pub(crate) struct Known(Vec<Option<Vec<(String, String)>>>);

impl Known {
    /// The name of a variant of `scenario` other than `not` that sets
    /// exactly `key`.
    fn find(&mut self, scenario: &Scenario, key: &[(String, String)], not: &str) -> Option<String> {
        for u in &scenario.variants[self.0.len()..] {
            self.0.push(fields(&scenario.levers, &u.written));
        }
        scenario
            .variants
            .iter()
            .zip(&self.0)
            .find(|(u, f)| u.name != not && f.as_deref() == Some(key))
            .map(|(u, _)| u.name.clone())
    }
}

/// The comparison for `v` (see the module's notes), among the scenario's
/// baseline and variants (whose fields `known` keeps).
pub(crate) fn comparison(scenario: &Scenario, v: &Variant, known: &mut Known) -> Comparison {
    let invested = v.factory.investment_over(&scenario.factory);
    if invested.is_empty() {
        return Comparison::None;
    }
    let stations = invested.stations();
    let keep: Vec<(String, Value)> = v
        .written
        .iter()
        .filter(|(path, value)| match levers::lever_name(path) {
            None => !invests(path, &stations),
            Some(name) => levers::setting(&scenario.levers, name, value).map_or(true, |l| {
                !l.overrides.iter().any(|(p, _)| invests(p, &stations))
            }),
        })
        .cloned()
        .collect();
    let baseline = Comparison::Existing("baseline".into());
    if keep.is_empty() || keep.len() == v.written.len() {
        return baseline;
    }
    let Some(key) = fields(&scenario.levers, &keep) else {
        return baseline;
    };
    if let Some(u) = known.find(scenario, &key, &v.name) {
        return Comparison::Existing(u);
    }
    let short = |p: &str| {
        let parts: Vec<&str> = p.split('.').collect();
        parts[parts.len().saturating_sub(2)..].join(".")
    };
    let label = keep
        .iter()
        .map(|(p, x)| format!("{}={}", short(p), show(x)))
        .collect::<Vec<_>>()
        .join(",");
    let mut name = format!("without-investment({label})");
    let mut n = 1;
    while scenario.variants.iter().any(|u| u.name == name) || name == v.name {
        n += 1;
        name = format!("without-investment-{n}({label})");
    }
    match scenario.derive(&name, &keep) {
        Ok(c) if !v.factory.investment_over(&c.factory).is_empty() => Comparison::New(Box::new(c)),
        _ => baseline,
    }
}

/// Gives every variant of the file that invests its comparison, adding
/// the comparison variants it needs after the file's; checks each
/// `compare_with` the file gives (`spans`, per variant) names a plant the
/// variant invests beyond.
pub(crate) fn assign(
    loc: &Locator<'_>,
    scenario: &mut Scenario,
    spans: &[Option<Range<usize>>],
) -> Result<(), Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let mut known = Known::default();
    for (i, span) in spans.iter().enumerate() {
        let v = &scenario.variants[i];
        if let (Some(other), Some(span)) = (&v.compare_with, span) {
            let factory = if other == "baseline" {
                Some(&scenario.factory)
            } else {
                scenario
                    .variants
                    .iter()
                    .find(|u| &u.name == other)
                    .map(|u| &u.factory)
            };
            if factory.is_some_and(|f| v.factory.investment_over(f).is_empty()) {
                errors.push(loc.error(
                    span.clone(),
                    "variant.compare_with",
                    format!(
                        "variant \"{}\" invests nothing beyond \"{other}\": it automates no station that \"{other}\" runs by hand and buys no machine at a `capital_per_machine`",
                        v.name
                    ),
                    Some("leave compare_with out, or name the variant without the investment".into()),
                ));
            }
            continue;
        }
        match comparison(scenario, &scenario.variants[i], &mut known) {
            Comparison::None => {}
            Comparison::Existing(name) => scenario.variants[i].compare_with = Some(name),
            Comparison::New(c) => {
                scenario.variants[i].compare_with = Some(c.name.clone());
                scenario.variants.push(*c);
            }
        }
    }
    if scenario.variants.len() > MAX_VARIANTS {
        errors.push(loc.error(
            0..0,
            "variant",
            format!(
                "with the plants their investments are compared with, the file has {} variants, more than the limit of {MAX_VARIANTS}",
                scenario.variants.len()
            ),
            Some("split the study into several files, or name comparisons with compare_with".into()),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::invests;

    #[test]
    fn investment_overrides_are_the_stations_own() {
        let s = ["weld"];
        assert!(invests("stations.weld.automate", &s));
        assert!(invests("stations.weld.automated", &s));
        assert!(invests("stations.weld.automated.machines", &s));
        assert!(invests("stations.weld.machines", &s));
        assert!(invests("stations.weld", &s));
        assert!(!invests("stations.weld.buffer", &s));
        assert!(!invests("stations.welder.machines", &s));
        assert!(!invests("stations.cut.machines", &s));
        assert!(!invests("workers.operators.count", &s));
    }
}
