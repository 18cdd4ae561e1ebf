//! # shopfloor — a discrete-event factory simulator
//!
//! shopfloor answers a manufacturing lead's questions — how many machines,
//! where the bottleneck is, what a breakdown or a scrap rate costs in output
//! — by simulating the plant many times and reporting means with honest 95%
//! confidence intervals.
//!
//! The library is layered; data flows down, never back up:
//!
//! 1. [`scenario`] reads a TOML file into a validated [`scenario::Scenario`]
//!    (every mistake reported with file, line, column and field);
//! 2. [`model`] holds the factory ([`model::Factory`]) and simulates one
//!    replication of it ([`model::simulate`]);
//! 3. [`engine`] is the event calendar, clock, random streams and streaming
//!    statistics, and knows nothing of factories;
//! 4. [`stats`] summarises replications (mean, standard deviation, 95% CI);
//! 5. [`experiment`] runs every (variant, replication) job in parallel,
//!    deterministically, compares variants with the baseline on common
//!    random numbers, and shards or resumes the job list;
//! 6. [`optimize`] chooses the best configuration of a scenario's
//!    decision variables under constraints (ranking and selection on
//!    common random numbers);
//! 7. [`report`] writes the summary table, JSON and CSV files, the charts
//!    (PNG and SVG) and a self-contained HTML report.
//! 8. [`data`] starts from the plant's own records: bottlenecks from a
//!    machine state log (by the engine's active-period detector) and the
//!    check of a model against the KPIs the plant observed.
//!
//! Beside them, [`fit`] goes the other way, from a plant's logs to the
//! scenario: it fits every distribution the scenario format supports to
//! observed durations and writes the best as a scenario line.
//!
//! ```no_run
//! use std::path::Path;
//! let scenario = shopfloor::scenario::load(Path::new("scenarios/quickstart.toml")).unwrap();
//! // Every variant × every replication, in parallel, deterministically.
//! let results = shopfloor::experiment::run(&scenario);
//! for v in &results.variants {
//!     let t = &v.summary.throughput_per_hour;
//!     println!("{}: {:.1} ± {:.1} parts/h", v.name, t.mean, t.half_width);
//! }
//! ```
//!
//! ## Guarantees
//!
//! * A run is a pure function of the scenario and the seed: events at the
//!   same time run in the order they were scheduled, every source of
//!   randomness has its own named stream, and replications are combined in
//!   index order — so outputs are byte-identical for any thread count.
//! * Two scenarios that differ only in a policy see the same random numbers
//!   for the same purpose (common random numbers).

#![warn(missing_docs)]

pub mod data;
pub mod engine;
pub mod experiment;
pub mod fit;
pub mod model;
pub mod optimize;
pub mod report;
pub mod scenario;
pub mod stats;
