//! Integration tests: one binary, a module per topic.

mod bad_input;
mod bottleneck;
mod common;
mod determinism;
mod experiments;
mod fit;
mod invariants;
mod optimize;
mod orders;
mod plots;
mod safety;
mod supply;
mod theory;
mod trace;
mod workforce;
