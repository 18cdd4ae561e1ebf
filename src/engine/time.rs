//! Simulation time.
//!
//! Time is an `f64` number of **seconds** since the start of the run.
//!
//! Why `f64` and not integer ticks: every process time in a factory model is
//! drawn from a continuous distribution, so rounding to ticks would bias short
//! operations and create artificial ties. An `f64` has 53 bits of mantissa:
//! at one year (3.2e7 s) its resolution is about 4 ns, far below any time a
//! factory cares about, so drift over long horizons is not a concern. Ties
//! that do occur (constant process times) are broken by the calendar's
//! insertion sequence, so runs stay deterministic.

/// A point in simulated time, in seconds since the start of the run.
pub type Time = f64;

/// Seconds in one minute.
pub const MINUTE: Time = 60.0;
/// Seconds in one hour.
pub const HOUR: Time = 3600.0;
/// Seconds in one day.
pub const DAY: Time = 86_400.0;
/// Seconds in one week.
pub const WEEK: Time = 7.0 * DAY;

/// Formats a duration in seconds with the largest unit that keeps it readable,
/// e.g. `5400.0` → `"1.5h"`.
pub fn format_duration(seconds: Time) -> String {
    let (value, unit) = if seconds >= WEEK && (seconds % WEEK) == 0.0 {
        (seconds / WEEK, "w")
    } else if seconds >= DAY && (seconds % DAY) == 0.0 {
        (seconds / DAY, "d")
    } else if seconds >= HOUR {
        (seconds / HOUR, "h")
    } else if seconds >= MINUTE {
        (seconds / MINUTE, "m")
    } else {
        (seconds, "s")
    };
    let s = format!("{value:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_readable_units() {
        assert_eq!(format_duration(90.0), "1.5m");
        assert_eq!(format_duration(2.0 * WEEK), "2w");
        assert_eq!(format_duration(5400.0), "1.5h");
        assert_eq!(format_duration(12.0), "12s");
    }
}
