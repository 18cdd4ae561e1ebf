//! Reading observed durations from a CSV file: one column of durations
//! (`"90s"`, or plain numbers in a `--unit`), or a start and an end column
//! of timestamps, optionally grouped by one or more key columns.
//!
//! Every value that cannot be read is an error naming the file, the row
//! (numbered as a spreadsheet numbers it: the header is row 1) and the
//! column. Empty cells are not errors: an empty duration, or an empty
//! start and end, is a missing observation; an empty end after a start is
//! an operation still running when the log ended (right-censored). Both are
//! counted and left out of the fit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::scenario::parse_duration;

/// The unit of plain numbers in the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
}

impl Unit {
    /// Parses `s`, `m` or `h` (also `sec`, `min`).
    pub fn parse(text: &str) -> Result<Unit, String> {
        match text {
            "s" | "sec" => Ok(Unit::Seconds),
            "m" | "min" => Ok(Unit::Minutes),
            "h" => Ok(Unit::Hours),
            _ => Err(format!("unknown unit `{text}`: use s, m or h")),
        }
    }

    /// Seconds per unit.
    pub fn seconds(self) -> f64 {
        match self {
            Unit::Seconds => 1.0,
            Unit::Minutes => 60.0,
            Unit::Hours => 3600.0,
        }
    }

    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Minutes => "m",
            Unit::Hours => "h",
        }
    }
}

/// What to read from the file.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The CSV file.
    pub path: PathBuf,
    /// The column of durations (needed unless `start`/`end` are given or
    /// the file has a single column).
    pub column: Option<String>,
    /// Key columns to group by (none: one group).
    pub by: Vec<String>,
    /// Column of start timestamps (with `end`).
    pub start: Option<String>,
    /// Column of end timestamps (with `start`).
    pub end: Option<String>,
    /// Unit of plain numbers (durations, or timestamps that are numbers).
    pub unit: Option<Unit>,
}

/// The observations of one group.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// The key (the `--by` columns' values joined by `/`; empty without
    /// `--by`).
    pub key: String,
    /// Durations in seconds, in file order.
    pub values: Vec<f64>,
    /// The row of each value (header = row 1).
    pub rows: Vec<u64>,
    /// Rows with no value (empty cells).
    pub missing: usize,
    /// Rows with a start but no end: still running when the log ended.
    pub censored: usize,
}

/// Everything read from the file.
#[derive(Clone, Debug)]
pub struct Observations {
    /// What was read, for the printout: "column `minutes` (unit m)".
    pub source: String,
    /// Groups in key order (byte order of the key).
    pub groups: Vec<Group>,
    /// Data rows read.
    pub rows: u64,
}

/// A bad file or value, with where it is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{}{}: {message}", file.display(), row.map(|r| format!(", row {r}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
pub struct DataError {
    /// The file.
    pub file: PathBuf,
    /// The row (header = 1), if the error is in one.
    pub row: Option<u64>,
    /// The column, if the error is in one.
    pub column: Option<String>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// Reads the observations `req` asks for.
pub fn read(req: &Request) -> Result<Observations, DataError> {
    let file = req.path.as_path();
    let err = |row: Option<u64>, column: Option<&str>, message: String| DataError {
        file: file.to_path_buf(),
        row,
        column: column.map(str::to_string),
        message,
    };
    let meta = std::fs::metadata(file).map_err(|e| err(None, None, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(err(None, None, "is not a regular file".into()));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(file)
        .map_err(|e| err(None, None, format!("cannot read: {e}")))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(file, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(err(
            Some(1),
            None,
            "the file is empty or has no header row; the first row must name the columns".into(),
        ));
    }
    let find = |name: &str, flag: &str| -> Result<usize, DataError> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let hint = crate::scenario::did_you_mean(name, headers.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            err(
                Some(1),
                None,
                format!(
                    "{flag}: no column `{name}`; {hint}the columns are: {}",
                    headers.join(", ")
                ),
            )
        })
    };
    enum Source {
        Duration(usize),
        Span(usize, usize),
    }
    let (source, desc) = match (&req.start, &req.end, &req.column) {
        (Some(_), None, _) | (None, Some(_), _) => {
            return Err(err(
                None,
                None,
                "give both --start and --end (the columns of the start and end times)".into(),
            ));
        }
        (Some(_), Some(_), Some(_)) => {
            return Err(err(
                None,
                None,
                "give either --column (a column of durations) or --start and --end, not both"
                    .into(),
            ));
        }
        (Some(s), Some(e), None) => (
            Source::Span(find(s, "--start")?, find(e, "--end")?),
            format!("end `{e}` − start `{s}`"),
        ),
        (None, None, Some(c)) => (
            Source::Duration(find(c, "--column")?),
            format!("column `{c}`"),
        ),
        (None, None, None) => {
            if headers.len() == 1 {
                (Source::Duration(0), format!("column `{}`", headers[0]))
            } else {
                return Err(err(
                    None,
                    None,
                    format!(
                        "which column holds the durations? Give --column NAME (or --start and --end for timestamps); the columns are: {}",
                        headers.join(", ")
                    ),
                ));
            }
        }
    };
    let keys = req
        .by
        .iter()
        .map(|k| find(k, "--by"))
        .collect::<Result<Vec<_>, _>>()?;
    let desc = match req.unit {
        Some(u) => format!("{desc}, plain numbers in {}", u.symbol()),
        None => desc,
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, e)),
        }
        rows += 1;
        let row = record.position().map_or(rows + 1, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let mut key = String::new();
        for (j, &k) in keys.iter().enumerate() {
            let v = cell(k);
            if v.is_empty() {
                return Err(err(
                    Some(row),
                    Some(&headers[k]),
                    "empty group key: every row needs a value in the --by columns".into(),
                ));
            }
            if j > 0 {
                key.push('/');
            }
            key.push_str(v);
        }
        let g = groups.entry(key).or_insert_with_key(|k| Group {
            key: k.clone(),
            ..Group::default()
        });
        let value = match source {
            Source::Duration(c) => {
                let text = cell(c);
                if text.is_empty() {
                    g.missing += 1;
                    continue;
                }
                duration(text, req.unit).map_err(|m| err(Some(row), Some(&headers[c]), m))?
            }
            Source::Span(s, e) => {
                let (ts, te) = (cell(s), cell(e));
                match (ts.is_empty(), te.is_empty()) {
                    (true, true) => {
                        g.missing += 1;
                        continue;
                    }
                    (true, false) => {
                        return Err(err(
                            Some(row),
                            Some(&headers[s]),
                            "no start time, but an end time".into(),
                        ));
                    }
                    (false, true) => {
                        // Validate the start all the same.
                        timestamp(ts, req.unit)
                            .map_err(|m| err(Some(row), Some(&headers[s]), m))?;
                        g.censored += 1;
                        continue;
                    }
                    (false, false) => {}
                }
                let a =
                    timestamp(ts, req.unit).map_err(|m| err(Some(row), Some(&headers[s]), m))?;
                let b =
                    timestamp(te, req.unit).map_err(|m| err(Some(row), Some(&headers[e]), m))?;
                if b < a {
                    return Err(err(
                        Some(row),
                        Some(&headers[e]),
                        format!("the end `{te}` is before the start `{ts}`"),
                    ));
                }
                // Timestamps of 2024 in f64 seconds carry about 2e-7 s of
                // rounding; to the microsecond, the difference is exact.
                ((b - a) * 1e6).round() / 1e6
            }
        };
        g.values.push(value);
        g.rows.push(row);
    }
    if rows == 0 {
        return Err(err(None, None, "has a header but no data rows".into()));
    }
    Ok(Observations {
        source: desc,
        groups: groups.into_values().collect(),
        rows,
    })
}

fn csv_error(file: &Path, e: csv::Error) -> DataError {
    let row = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".into(),
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => format!("is not valid CSV: {e}"),
    };
    DataError {
        file: file.to_path_buf(),
        row,
        column: None,
        message,
    }
}

/// A duration cell: a number with a unit (`"90s"`, `"4.5m"`), or a plain
/// number in `unit`.
fn duration(text: &str, unit: Option<Unit>) -> Result<f64, String> {
    if let Some(x) = plain_number(text) {
        let x = x?;
        return match unit {
            Some(u) => non_negative(x * u.seconds(), text),
            None => Err(format!(
                "`{text}` has no unit: give --unit s, m or h for plain numbers, or write the unit in the file (\"{text}m\")"
            )),
        };
    }
    parse_duration(text)
}

fn non_negative(x: f64, text: &str) -> Result<f64, String> {
    if !x.is_finite() {
        Err(format!("`{text}` is not a finite number"))
    } else if x < 0.0 {
        Err(format!("`{text}` is negative; a duration cannot be"))
    } else {
        Ok(x)
    }
}

/// `Some` if `text` looks like a plain number (digits, sign, point,
/// exponent), with its value or why it is not one.
fn plain_number(text: &str) -> Option<Result<f64, String>> {
    let looks = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    let lower = text.to_ascii_lowercase();
    if ["nan", "inf", "+inf", "-inf", "infinity"].contains(&lower.as_str()) {
        return Some(Err(format!("`{text}` is not a finite number")));
    }
    if !looks {
        return None;
    }
    Some(
        text.parse::<f64>()
            .map_err(|_| format!("`{text}` is not a number")),
    )
}

/// A timestamp cell in seconds: ISO 8601 (`2024-03-04T08:15:30`, a space
/// instead of `T`, optional fraction of seconds and `Z` or `±hh:mm`), or a
/// plain number in `unit` (a simulator's clock).
pub fn timestamp(text: &str, unit: Option<Unit>) -> Result<f64, String> {
    if let Some(x) = plain_number(text) {
        let x = x?;
        return match unit {
            Some(u) if x.is_finite() => Ok(x * u.seconds()),
            Some(_) => Err(format!("`{text}` is not a finite number")),
            None => Err(format!(
                "`{text}` is a plain number: give --unit s, m or h for timestamps that are numbers, or write dates as 2024-03-04T08:15:30"
            )),
        };
    }
    iso_datetime(text).ok_or_else(|| {
        format!("`{text}` is not a time: write 2024-03-04T08:15:30 (or 2024-03-04 08:15:30, optionally with a fraction of seconds and Z or +01:00)")
    })
}

/// Seconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time.
fn iso_datetime(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(&b[11..13])?, num(&b[14..16])?);
    let mut rest = &b[16..];
    let mut sec = 0.0;
    if rest.first() == Some(&b':') {
        let end = rest[1..]
            .iter()
            .position(|c| !(c.is_ascii_digit() || *c == b'.'))
            .map_or(rest.len(), |p| p + 1);
        let s = std::str::from_utf8(&rest[1..end]).ok()?;
        if s.len() < 2 || !s.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
            return None;
        }
        sec = s.parse::<f64>().ok()?;
        rest = &rest[end..];
    }
    let offset = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let o = num(&[*oh1, *oh2])? * 3600 + num(&[*om1, *om2])? * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > days_in[(mo - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 - offset) as f64 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_times() {
        assert_eq!(iso_datetime("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(iso_datetime("1970-01-02 00:00"), Some(86_400.0));
        assert_eq!(iso_datetime("2000-03-01T00:00:00"), Some(951_868_800.0));
        assert_eq!(
            iso_datetime("2000-03-01T01:00:00+01:00"),
            Some(951_868_800.0)
        );
        assert_eq!(iso_datetime("2024-03-04T08:15:30.5"), Some(1_709_540_130.5));
        assert_eq!(iso_datetime("2023-02-29T00:00:00"), None);
        assert_eq!(iso_datetime("2024-13-01T00:00:00"), None);
        assert_eq!(iso_datetime("yesterday"), None);
    }

    #[test]
    fn reads_durations() {
        assert_eq!(duration("90s", None), Ok(90.0));
        assert_eq!(duration("1.5", Some(Unit::Minutes)), Ok(90.0));
        assert!(duration("1.5", None).is_err());
        assert!(duration("-1", Some(Unit::Seconds)).is_err());
        assert!(duration("NaN", Some(Unit::Seconds)).is_err());
        assert!(duration("abc", Some(Unit::Seconds)).is_err());
    }
}
