//! Units for display: durations in minutes, hours or days picked by their
//! magnitude, and the scenario's currency beside money. The CSV and JSON
//! files keep their documented units; only what a person reads changes.

use crate::model::Factory;

/// A unit of time for display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Minutes.
    Min,
    /// Hours.
    Hours,
    /// Days of 24 hours.
    Days,
}

impl TimeUnit {
    /// The unit a duration of `minutes` reads best in: minutes below two
    /// hours, hours below three days, days beyond (minutes when NaN).
    pub fn for_minutes(minutes: f64) -> TimeUnit {
        let m = minutes.abs();
        if m.is_nan() || m < 120.0 {
            TimeUnit::Min
        } else if m < 72.0 * 60.0 {
            TimeUnit::Hours
        } else {
            TimeUnit::Days
        }
    }

    /// The unit for a duration of `hours`.
    pub fn for_hours(hours: f64) -> TimeUnit {
        TimeUnit::for_minutes(hours * 60.0)
    }

    /// Short name: `min`, `h`, `d`.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Min => "min",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }

    /// Minutes in one of this unit.
    pub fn minutes(self) -> f64 {
        match self {
            TimeUnit::Min => 1.0,
            TimeUnit::Hours => 60.0,
            TimeUnit::Days => 1440.0,
        }
    }

    /// Factor from minutes to this unit.
    pub fn per_minute(self) -> f64 {
        1.0 / self.minutes()
    }

    /// Factor from hours to this unit.
    pub fn per_hour(self) -> f64 {
        60.0 / self.minutes()
    }
}

/// ` (EUR)` after a money label when the scenario names its currency,
/// else nothing.
pub fn currency_suffix(factory: &Factory) -> String {
    factory
        .policies
        .currency
        .as_ref()
        .map_or(String::new(), |c| format!(" ({c})"))
}

/// ` EUR` after an amount of money when the scenario names its currency,
/// else nothing.
pub fn currency_after(factory: &Factory) -> String {
    factory
        .policies
        .currency
        .as_ref()
        .map_or(String::new(), |c| format!(" {c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_unit_by_magnitude() {
        assert_eq!(TimeUnit::for_minutes(12.0), TimeUnit::Min);
        assert_eq!(TimeUnit::for_minutes(119.9), TimeUnit::Min);
        assert_eq!(TimeUnit::for_minutes(120.0), TimeUnit::Hours);
        assert_eq!(TimeUnit::for_hours(71.9), TimeUnit::Hours);
        assert_eq!(TimeUnit::for_hours(72.0), TimeUnit::Days);
        assert_eq!(TimeUnit::for_minutes(f64::NAN), TimeUnit::Min);
        assert!((2258.71 * TimeUnit::Hours.per_minute() - 37.645_166_666).abs() < 1e-6);
        assert_eq!(36.0 * TimeUnit::Days.per_hour(), 1.5);
    }
}
