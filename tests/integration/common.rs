//! Helpers shared by the integration tests.

use std::path::Path;

use shopfloor::scenario::{self, Scenario};

/// Parses scenario text (reported as `test.toml`), panicking with the
/// formatted errors if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match scenario::parse(Path::new("test.toml"), text) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}
