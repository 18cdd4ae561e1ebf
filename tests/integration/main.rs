//! Integration tests: one binary, a module per topic.

mod bad_input;
mod bottleneck;
mod common;
mod corpus;
mod crews;
mod determinism;
mod exit_codes;
mod experiments;
mod fit;
mod fuzz;
mod invariants;
mod levers;
mod limits;
mod lost_sales;
mod mixed_stations;
mod optimize;
mod orders;
mod outsource_share;
mod plant_data;
mod plots;
mod safety;
mod supply;
mod theory;
mod trace;
mod workforce;
