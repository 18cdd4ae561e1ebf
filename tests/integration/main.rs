//! Integration tests: one binary, a module per topic.

mod bad_input;
mod batch;
mod bottleneck;
mod common;
mod corpus;
mod determinism;
mod exit_codes;
mod experiments;
mod fit;
mod fuzz;
mod invariants;
mod levers;
mod limits;
mod maintenance;
mod optimize;
mod orders;
mod plant_data;
mod plots;
mod report;
mod safety;
mod service;
mod supply;
mod theory;
mod trace;
mod transport;
mod workforce;
