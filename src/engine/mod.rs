//! The simulation engine: clock, event calendar, random streams and
//! streaming statistics.
//!
//! The engine knows nothing of factories. A model defines its own small
//! `Copy` event type, owns a [`Calendar`] of those events, pops them in
//! `(time, insertion order)` and reacts. Randomness comes from named
//! [`Stream`]s so that every source of variation is reproducible on its own.

pub mod active;
pub mod calendar;
pub mod collect;
pub mod random;
pub mod time;

pub use active::{ActivePeriods, BottleneckTimes};
pub use calendar::{Calendar, Generation};
pub use collect::{Level, StateTimer, Tally, TimeAverage};
pub use random::{Dist, DistError, Stream};
pub use time::{DAY, HOUR, MINUTE, SAME_INSTANT, Time, WEEK, due_by, format_duration};
