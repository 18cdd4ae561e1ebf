//! Placeholder; the real benchmarks are being written.
fn main() {}
