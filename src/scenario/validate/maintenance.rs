//! `[stations.NAME.maintenance]`: preventive maintenance — what makes it
//! due (calendar time, parts or operating hours), how long it takes, who
//! does it, whether it renews the machine and what it costs.

use super::workforce::find_pool;
use super::{Names, Validator};
use crate::model::{Maintenance, MaintenanceTrigger};
use crate::scenario::raw::RawMaintenance;
use toml::Spanned;

/// Validates the `maintenance` table of a station; `at` is its field path.
pub(super) fn maintenance(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    raw: &Spanned<RawMaintenance>,
    at: &str,
) -> Option<Maintenance> {
    let field = |k: &str| format!("{at}.{k}");
    let m = raw.get_ref();
    let given = [
        m.every.as_ref().map(|e| e.span()),
        m.every_parts.as_ref().map(|e| e.span()),
        m.every_operating.as_ref().map(|e| e.span()),
    ];
    let trigger = match given.iter().flatten().count() {
        0 => {
            v.err_hint(
                raw.span(),
                at,
                "preventive maintenance needs to know when it is due",
                "give one of every = \"1w\" (calendar time), every_parts = 500 or every_operating = \"200h\"",
            );
            None
        }
        1 => {
            if let Some(e) = &m.every {
                v.positive_duration(e, &field("every"))
                    .map(MaintenanceTrigger::Calendar)
            } else if let Some(e) = &m.every_operating {
                v.positive_duration(e, &field("every_operating"))
                    .map(MaintenanceTrigger::Operating)
            } else {
                let e = m.every_parts.as_ref().expect("one trigger is given");
                v.count(e, &field("every_parts"), 1)
                    .map(MaintenanceTrigger::Parts)
            }
        }
        _ => {
            let second = given.iter().flatten().nth(1).cloned().expect("two given");
            v.err_hint(
                second,
                at,
                "preventive maintenance has more than one trigger",
                "keep one of every, every_parts and every_operating",
            );
            None
        }
    };
    let duration = v.dist(&m.duration, &field("duration"));
    let crew = m
        .crew
        .as_ref()
        .and_then(|c| find_pool(v, names, c, &field("crew")));
    Some(Maintenance {
        trigger: trigger?,
        duration: duration?,
        crew,
        renews: m.as_good_as_new.as_ref().is_none_or(|b| *b.get_ref()),
        cost: v.money(&m.cost, &field("cost")),
    })
}
