//! Checks on the names a scenario gives things: the scenario's own name
//! (which becomes a folder under `--out`) and the names of stations,
//! products, pools, calendars, contractors, materials, suppliers, levers,
//! variants and sweeps (which become cells of the CSV files, words on the
//! terminal and parts of file names).
//!
//! A name is refused when it is empty, longer than [`MAX_NAME`]
//! characters, holds a control character (ESC, BEL, a newline, a tab…),
//! or starts with `=`, `+`, `-` or `@`, which a spreadsheet would run as a
//! formula when it opens a CSV file (OWASP "CSV injection"). Refusing such
//! names keeps every name cell of every output harmless as written, with no
//! prefix to strip. The scenario's name must moreover be a plain folder
//! name: letters, digits, `-`, `_` and `.`, and not `.` or `..` (which would
//! put the results in `--out` itself or its parent, over another run's
//! files).

use super::raw::{RawOverrides, RawScenario};
use super::validate::Validator;
use toml::Spanned;

/// The longest name allowed, in characters.
pub const MAX_NAME: usize = 64;

/// What is wrong with `name` as the name of a station, product, … , or
/// `None` if nothing is.
pub fn name_problem(name: &str) -> Option<String> {
    let shown = name.escape_debug();
    if name.is_empty() {
        return Some("a name cannot be empty".into());
    }
    if name.chars().count() > MAX_NAME {
        return Some(format!(
            "\"{}…\" is {} characters long; names may have at most {MAX_NAME}",
            name.chars().take(20).collect::<String>().escape_debug(),
            name.chars().count()
        ));
    }
    if name.chars().any(char::is_control) {
        return Some(format!(
            "\"{shown}\" holds a control character (such as ESC, BEL, a tab or a newline)"
        ));
    }
    if name.starts_with(['=', '+', '-', '@']) {
        return Some(format!(
            "\"{shown}\" starts with `{}`, which a spreadsheet would run as a formula when it opens the CSV files",
            &name[..1]
        ));
    }
    None
}

/// What is wrong with `name` as the name of the results folder, or `None`.
pub fn folder_name_problem(name: &str) -> Option<String> {
    if let Some(p) = name_problem(name) {
        return Some(p);
    }
    if name.chars().all(|c| c == '.') {
        return Some(format!(
            "\"{name}\" would put the results in the --out folder itself or above it, over the files of other runs"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Some(format!(
            "\"{}\" cannot name an output folder",
            name.escape_debug()
        ));
    }
    None
}

const NAME_HINT: &str =
    "use at most 64 characters, no control characters, and do not start a name with =, +, - or @";

/// Checks every name in `raw`; `default_name` is the name taken from the
/// file's name when `simulation.name` is not set.
pub(crate) fn check(v: &mut Validator<'_>, raw: &RawScenario, default_name: &str) {
    let sim = raw.simulation.get_ref();
    match &sim.name {
        // The characters are checked with the rest of [simulation].
        Some(n) => {
            let s = n.get_ref();
            let charset_ok = s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
            if charset_ok
                && !s.is_empty()
                && let Some(p) = folder_name_problem(s)
            {
                v.err_hint(
                    n.span(),
                    "simulation.name",
                    p,
                    "use letters, digits, '-', '_' and '.', with at least one letter or digit",
                );
            }
        }
        None => {
            if let Some(p) = derived_problem(default_name) {
                let span = raw.simulation.span();
                v.err_hint(
                    span.start..span.start,
                    "simulation.name",
                    format!("the scenario takes its name from the file name: {p}"),
                    "set `name = \"…\"` in [simulation] (letters, digits, '-', '_' and '.'), or rename the file",
                );
            }
        }
    }
    let sections: [(&str, Named<'_>); 9] = [
        (
            "stations",
            spans(raw.stations.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "products",
            spans(raw.products.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "workers",
            spans(raw.workers.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "calendars",
            spans(raw.calendars.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "contractors",
            spans(raw.contractors.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "materials",
            spans(raw.materials.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "suppliers",
            spans(raw.suppliers.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "movers",
            spans(raw.movers.iter().map(|(k, s)| (k, s.span()))),
        ),
        (
            "levers",
            spans(raw.levers.iter().map(|(k, s)| (k, s.span()))),
        ),
    ];
    for (section, names) in sections {
        for (name, span) in names {
            if let Some(p) = name_problem(name) {
                v.err_hint(
                    span,
                    &format!("{section}.{}", super::error::key_text(name)),
                    p,
                    NAME_HINT,
                );
            }
        }
    }
    for (kind, tables) in [("variant", &raw.variant), ("sweep", &raw.sweep)] {
        for (i, t) in tables.iter().enumerate() {
            if let Some((span, name)) = overrides_name(t)
                && let Some(p) = name_problem(name)
            {
                v.err_hint(span, &format!("{kind}[{i}].name"), p, NAME_HINT);
            }
        }
    }
}

/// Names with the spans of their tables.
type Named<'a> = Vec<(&'a String, std::ops::Range<usize>)>;

fn spans<'a>(it: impl Iterator<Item = (&'a String, std::ops::Range<usize>)>) -> Named<'a> {
    it.collect()
}

/// The `name = "…"` of a `[[variant]]` or `[[sweep]]`, with its span.
fn overrides_name(t: &Spanned<RawOverrides>) -> Option<(std::ops::Range<usize>, &str)> {
    t.get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == "name")
        .and_then(|(_, v)| v.get_ref().as_str().map(|s| (v.span(), s)))
}

/// What is wrong with a name taken from a file name: the same as for
/// `simulation.name`, except that any character but a control character
/// or a path separator may appear (a file `my plant.toml` is fine).
fn derived_problem(name: &str) -> Option<String> {
    if let Some(p) = name_problem(name) {
        return Some(p);
    }
    if name.chars().all(|c| c == '.') {
        return Some(format!(
            "\"{name}\" would put the results in the --out folder itself or above it, over the files of other runs"
        ));
    }
    if name.contains(['/', '\\']) {
        return Some(format!(
            "\"{}\" holds a path separator",
            name.escape_debug()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(name_problem("weld").is_none());
        assert!(name_problem("Schweißen 2").is_none());
        assert!(name_problem("").is_some());
        assert!(name_problem(&"x".repeat(65)).is_some());
        assert!(name_problem(&"x".repeat(64)).is_none());
        assert!(name_problem("a\u{1b}[31mred").is_some());
        assert!(name_problem("bell\u{7}").is_some());
        for f in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)"] {
            assert!(name_problem(f).is_some(), "{f}");
        }
        assert!(name_problem("a=b").is_none());
        for bad in [".", "..", "...", "a/b", ""] {
            assert!(folder_name_problem(bad).is_some(), "{bad}");
        }
        assert!(folder_name_problem("line.v2").is_none());
        assert!(derived_problem("my plant").is_none());
        assert!(derived_problem("..").is_some());
    }
}
