//! Human time units: `"90s"`, `"45m"`, `"8h"`, `"2d"`, `"1w"`, `"1.5h"`.

use crate::engine::{DAY, HOUR, MINUTE, Time, WEEK};

/// Parses a duration with a unit into seconds.
///
/// Accepted units: `ms`, `s`, `m` or `min`, `h`, `d`, `w`. The number may
/// have a fraction but no sign; whitespace between number and unit is
/// allowed.
pub fn parse_duration(text: &str) -> Result<Time, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    if t.starts_with('-') {
        return Err(format!("`{text}`: a duration cannot be negative"));
    }
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    if num.is_empty() {
        return Err(format!(
            "`{text}` is not a duration: expected a number followed by a unit, e.g. \"90s\", \"45m\", \"8h\""
        ));
    }
    let value: f64 = num
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{num}` is not a number"))?;
    let scale = match unit {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => WEEK,
        "" => {
            return Err(format!(
                "`{text}` has no unit: write e.g. \"{num}m\" (units: ms, s, m, h, d, w)"
            ));
        }
        other => {
            return Err(format!(
                "unknown time unit `{other}` in `{text}` (units: ms, s, m, h, d, w)"
            ));
        }
    };
    let secs = value * scale;
    if !secs.is_finite() {
        return Err(format!("`{text}` is too large"));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("45m"), Ok(2700.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("2d"), Ok(172_800.0));
        assert_eq!(parse_duration("1w"), Ok(604_800.0));
        assert_eq!(parse_duration("250ms"), Ok(0.25));
        assert_eq!(parse_duration(" 3 min "), Ok(180.0));
    }

    #[test]
    fn refuses_nonsense() {
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("-5m").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("1.2.3h").is_err());
    }
}
