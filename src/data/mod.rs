//! From plant data to a model: analyses of what a real plant recorded,
//! and checks of a model against it.
//!
//! - [`machine_log`]: a machine state log (MES or OEE export) → bottleneck
//!   shares by the active-period method, with confidence intervals over
//!   days or shifts, and the OEE-style time split;
//! - [`trace_log`]: the simulator's event trace → a machine state log (for
//!   example data and for checking [`machine_log`] against the simulator);
//! - [`calibrate`]: a plant's observed KPIs against the simulated
//!   baseline's 95% prediction intervals.

pub mod bottleneck_report;
pub mod calibrate;
pub mod machine_log;
pub mod trace_log;
