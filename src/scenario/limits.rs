//! The bounds of what a scenario may ask for: values above or below them
//! are refused before any run starts, because they would exhaust memory or
//! never finish (see "Limits" in `docs/scenario.md`).

use crate::engine::{DAY, Time};

/// The engine's time resolution: the shortest duration above zero that a
/// scenario may give, 1 ms. Time is an `f64` of seconds (see
/// `engine/time.rs`); a positive duration far below this (`"1e-20ms"`)
/// would let the clock stand still while events pile up. Zero stays
/// allowed where a field allows it.
pub const RESOLUTION: Time = 0.001;
/// [`RESOLUTION`] as a scenario file writes it.
pub const RESOLUTION_TEXT: &str = "1ms";

/// The longest horizon: 100 years of 365 days. At 3.2e9 s an `f64` still
/// resolves about half a microsecond, far below [`RESOLUTION`]; at much
/// longer horizons `now + 5 min` would round back to `now` and a run would
/// never end.
pub const MAX_HORIZON: Time = 36_500.0 * DAY;

/// The most replications per variant.
pub const MAX_REPLICATIONS: u32 = 100_000;

/// The most jobs (variants, baseline included, × replications) in one run:
/// the job list alone takes 16 bytes a job.
pub const MAX_JOBS: u64 = 10_000_000;

/// The most variants a file may define, `[[variant]]`s and sweep points
/// together; each is a whole plant, validated before any run.
pub const MAX_VARIANTS: usize = 10_000;

/// The most parts one arrival releases (`release.batch`).
pub const MAX_BATCH: u32 = 100_000;

/// The largest order quantity: a constant quantity, or the mean of a
/// quantity distribution.
pub const MAX_ORDER_QUANTITY: f64 = 1_000_000.0;

/// The largest factor of an order rate profile (`rate_by_hour`,
/// `rate_by_weekday`, `rate_by_week`).
pub const MAX_RATE_FACTOR: f64 = 1_000.0;

/// Parts in the system (released and not yet finished or scrapped, plus
/// those waiting at a CONWIP gate) at which a replication stops with an
/// error, unless `simulation.max_parts` says otherwise.
pub const DEFAULT_MAX_PARTS: u32 = 1_000_000;

/// The largest `simulation.max_parts`.
pub const MAX_PARTS: u32 = 10_000_000;
