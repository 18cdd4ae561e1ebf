//! Scenario errors that name the file, line, column and field, show the
//! offending line, and suggest a fix where one helps.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One mistake in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `stations.weld.machines`.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
    /// The source line, for display.
    pub source_line: String,
}

/// All the mistakes found in one scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if self.field.is_empty() {
            writeln!(f, ": {}", self.message)?;
        } else {
            writeln!(f, ": `{}`: {}", self.field, self.message)?;
        }
        if self.line > 0 {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, " {pad} |")?;
            writeln!(f, " {num} | {}", self.source_line)?;
            writeln!(f, " {pad} | {}^", " ".repeat(self.column.saturating_sub(1)))?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} in {}",
            if n == 1 { "" } else { "s" },
            self.0
                .first()
                .map(|e| e.file.display().to_string())
                .unwrap_or_default()
        )
    }
}

impl std::error::Error for ScenarioErrors {}

/// Turns byte offsets in one source text into located errors.
pub(crate) struct Locator<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    /// Where the order books the file names are read from.
    pub books: &'a super::input::Shelf,
}

impl Locator<'_> {
    /// 1-based (line, column) of byte offset `at`.
    pub fn line_col(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..at].chars().count() + 1;
        (line, column)
    }

    /// An error at `span` about `field`.
    pub fn error(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> ScenarioError {
        let (line, column) = self.line_col(span.start);
        let source_line = self
            .text
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .to_string();
        ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            hint,
            source_line,
        }
    }

    /// The dotted field path at `at`: the last `[table]` header above it
    /// plus the key on its line (used for errors reported by the TOML
    /// parser, which knows the position but not the path).
    pub fn field_at(&self, at: usize) -> String {
        let (line, _) = self.line_col(at);
        let lines: Vec<&str> = self.text.lines().collect();
        let this = lines.get(line - 1).copied().unwrap_or_default().trim();
        let key = if this.starts_with('[') {
            String::new()
        } else {
            this.split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        // This line first (an error at a `[table]` header belongs to that
        // table), then the lines above it.
        let header = std::iter::once(&this)
            .chain(
                lines[..line.saturating_sub(1).min(lines.len())]
                    .iter()
                    .rev(),
            )
            .find_map(|l| {
                let l = l.trim();
                l.starts_with('[').then(|| {
                    l.trim_start_matches('[')
                        .split(']')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                })
            })
            .unwrap_or_default();
        match (header.is_empty(), key.is_empty()) {
            (true, _) => key,
            (false, true) => header,
            (false, false) => format!("{header}.{key}"),
        }
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely
/// typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 1.max(c.len() / 3) && *d < c.len().min(word.len()).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// What the TOML document holds at a byte offset: the dotted path of the
/// key or value there, as the user would write it
/// (`products.widget.routing[1].station`), and the value when the offset
/// is on a value rather than a key.
pub(crate) struct Spot<'a, 'i> {
    pub path: String,
    pub value: Option<&'a toml::de::DeValue<'i>>,
}

/// The deepest key or value of `table` whose span holds `at`.
pub(crate) fn spot_at<'a, 'i>(table: &'a toml::de::DeTable<'i>, at: usize) -> Option<Spot<'a, 'i>> {
    find_in_table(table, at, "")
}

/// A key as it is written in a path: bare when it can be, else quoted.
pub(crate) fn key_text(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key_text(key)
    } else {
        format!("{prefix}.{}", key_text(key))
    }
}

fn find_in_table<'a, 'i>(
    table: &'a toml::de::DeTable<'i>,
    at: usize,
    prefix: &str,
) -> Option<Spot<'a, 'i>> {
    for (k, v) in table {
        let path = join(prefix, k.get_ref());
        if k.span().contains(&at) {
            return Some(Spot { path, value: None });
        }
        if let Some(found) = find_in_value(v, at, path) {
            return Some(found);
        }
    }
    None
}

fn find_in_value<'a, 'i>(
    v: &'a toml::Spanned<toml::de::DeValue<'i>>,
    at: usize,
    path: String,
) -> Option<Spot<'a, 'i>> {
    use toml::de::DeValue;
    match v.get_ref() {
        DeValue::Table(t) => {
            if let Some(found) = find_in_table(t, at, &path) {
                return Some(found);
            }
        }
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                if let Some(found) = find_in_value(e, at, format!("{path}[{i}]")) {
                    return Some(found);
                }
            }
        }
        _ => {}
    }
    v.span().contains(&at).then(|| Spot {
        path,
        value: Some(v.get_ref()),
    })
}
