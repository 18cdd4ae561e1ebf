//! Integration tests: one binary, a module per topic.

mod bad_input;
mod bottleneck;
mod common;
mod determinism;
mod experiments;
mod invariants;
mod optimize;
mod orders;
mod plant_data;
mod plots;
mod safety;
mod supply;
mod theory;
mod trace;
mod workforce;
