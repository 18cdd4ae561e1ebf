//! Helpers shared by the integration tests.

use std::path::Path;

use shopfloor::model::ReplicationResult;
use shopfloor::scenario::{self, Scenario};

/// Parses scenario text (reported as `test.toml`), panicking with the
/// formatted errors if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match scenario::parse(Path::new("test.toml"), text) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

/// Each station's machine time splits into states, none negative, adding
/// up to 1 (`what` names the case in a failure).
pub fn assert_state_shares_add_up(r: &ReplicationResult, what: &str) {
    for st in &r.stations {
        let sum: f64 = st.state_shares.iter().sum();
        assert!(
            (sum - 1.0).abs() < 1e-9,
            "{what}: {} shares sum to {sum}",
            st.station
        );
        assert!(
            st.state_shares.iter().all(|x| *x >= -1e-12),
            "{what}: {} has a negative share",
            st.station
        );
    }
}
