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

/// How close two instants must be to count as the same one where a model
/// rule depends on which comes first (an operation that ends as a shift
/// ends). Durations such as `"0.2s"` are not exact in binary, so work
/// lined up with a shift end on paper may end a few ulps after it in `f64`
/// (300 operations of 0.2 s from 08:00 end 2e-10 s after 08:01). A
/// microsecond is far above that rounding at any horizon (one ulp at ten
/// years is 6e-8 s) and far below the millisecond, the smallest unit a
/// scenario can write.
pub const SAME_INSTANT: Time = 1e-6;

/// Whether something due at `at` is due by `now`, within [`SAME_INSTANT`].
#[inline]
pub fn due_by(at: Time, now: Time) -> bool {
    at <= now + SAME_INSTANT
}

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

    #[test]
    fn instants_a_few_ulps_apart_are_the_same() {
        // 300 steps of 0.2 s from 08:00 land just after 08:01 in f64.
        let mut t = 8.0 * HOUR;
        for _ in 0..300 {
            t += 0.2;
        }
        assert!(t > 8.0 * HOUR + MINUTE);
        assert!(due_by(t, 8.0 * HOUR + MINUTE));
        assert!(due_by(8.0 * HOUR, 8.0 * HOUR + MINUTE));
        assert!(!due_by(8.0 * HOUR + MINUTE + 0.001, 8.0 * HOUR + MINUTE));
    }
}
