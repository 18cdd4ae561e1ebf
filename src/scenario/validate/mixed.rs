//! `[stations.NAME.automated]` with `alongside = true`: automated machines
//! beside the station's manual ones (a mixed station).

use toml::Spanned;

use super::Validator;
use crate::model::Alongside;
use crate::scenario::raw::RawAutomation;

/// The automated machines beside station `sname`'s manual ones; `None`
/// (errors reported) when the table is invalid.
pub(super) fn alongside(
    v: &mut Validator<'_>,
    sname: &str,
    a: &RawAutomation,
    automate: Option<&Spanned<bool>>,
) -> Option<Alongside> {
    let field = |k: &str| format!("stations.{sname}.automated.{k}");
    let before = v.errors.len();
    if let Some(x) = automate.filter(|x| *x.get_ref()) {
        v.err_hint(
            x.span(),
            &format!("stations.{sname}.automate"),
            "automated machines `alongside` the manual ones are always in the plant; `automate` switches a station over to its automated specification",
            "remove automate, and set the number of automated machines with automated.machines (0 for none)",
        );
    }
    let machines = match &a.machines {
        Some(m) => v.count(m, &field("machines"), 0),
        None => Some(1),
    };
    if let Some(m) = &a.machines {
        super::stations::too_many_machines(v, m, &field("machines"));
    }
    let process_factor = match &a.process_factor {
        Some(x) if !x.get_ref().is_finite() || *x.get_ref() <= 0.0 => {
            v.err_hint(
                x.span(),
                &field("process_factor"),
                format!("must be a number above 0, got {}", x.get_ref()),
                "0.6 makes every operation on the automated machines take 60% of its time",
            );
            1.0
        }
        Some(x) => *x.get_ref(),
        None => 1.0,
    };
    let unattended = match &a.operators {
        None => false,
        Some(n) if *n.get_ref() == 0 => true,
        Some(n) => {
            v.err_hint(
                n.span(),
                &field("operators"),
                format!(
                    "automated machines alongside manual ones run unattended (operators = 0) or staffed like the manual ones (no `operators`), got {}",
                    n.get_ref()
                ),
                "write operators = 0, or leave operators out",
            );
            false
        }
    };
    if let Some(fl) = &a.failures {
        v.err_hint(
            fl.span(),
            &field("failures"),
            "automated machines alongside manual ones fail as the station's machines do: their own `failures` are not supported yet",
            "remove this table (the station's `failures` apply to every machine)",
        );
    }
    let cost_per_hour = v.money(&a.cost_per_hour, &field("cost_per_hour"));
    let (capital, capital_per_hour) = v.capital_per_hour(a, &format!("stations.{sname}.automated"));
    (v.errors.len() == before).then_some(Alongside {
        machines: machines?,
        process_factor,
        unattended,
        cost_per_hour,
        capital,
        capital_per_hour,
    })
}
