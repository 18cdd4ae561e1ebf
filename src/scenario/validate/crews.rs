//! `workers.NAME.count_by_shift`: a pool's head count by shift of its
//! calendar (crews that differ by shift).

use indexmap::IndexMap;
use toml::Spanned;

use super::Validator;
use crate::model::ShiftCalendar;

/// The crew of each shift of `calendar` (its index order), from
/// `count_by_shift` with `count` for the shifts it leaves out; empty
/// without `count_by_shift`, or when it is invalid (errors reported).
pub(super) fn crews(
    v: &mut Validator<'_>,
    pname: &str,
    by_shift: &Spanned<IndexMap<String, Spanned<i64>>>,
    count: u32,
    calendar: Option<&ShiftCalendar>,
    absence: bool,
) -> Vec<u32> {
    let field = format!("workers.{pname}.count_by_shift");
    let Some(cal) = calendar else {
        v.err_hint(
            by_shift.span(),
            &field,
            "`count_by_shift` names shifts of the pool's calendar, but the pool has no `calendar`",
            "add calendar = \"NAME\" (a [calendars.NAME] whose shifts have a `name`), or use `count` alone",
        );
        return Vec::new();
    };
    if absence {
        v.err_hint(
            by_shift.span(),
            &field,
            "`count_by_shift` and `absence` cannot be combined yet",
            "model absence as a smaller crew per shift, or remove count_by_shift",
        );
        return Vec::new();
    }
    let mut crews = vec![count; cal.shift_names.len()];
    let mut ok = true;
    for (shift, n) in by_shift.get_ref() {
        let Some(i) = cal
            .shift_names
            .iter()
            .position(|s| s.as_deref() == Some(shift.as_str()))
        else {
            let named: Vec<String> = cal
                .shift_names
                .iter()
                .flatten()
                .map(|s| format!("\"{s}\""))
                .collect();
            v.err_hint(
                n.span(),
                &format!("{field}.{shift}"),
                format!("calendar \"{}\" has no shift called \"{shift}\"", cal.name),
                if named.is_empty() {
                    format!(
                        "name its shifts, e.g. shifts = [{{ name = \"{shift}\", start = \"06:00\", end = \"14:00\" }}]"
                    )
                } else {
                    format!("its shifts are {}", named.join(", "))
                },
            );
            ok = false;
            continue;
        };
        match v.count(n, &format!("{field}.{shift}"), 0) {
            Some(c) => crews[i] = c,
            None => ok = false,
        }
    }
    if ok { crews } else { Vec::new() }
}
