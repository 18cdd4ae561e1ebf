//! The benchmark models shared by the benches: the scenarios of
//! `scenarios/` loaded with a given horizon and no warm-up, and the two
//! benchmark models, M/M/1 at utilisation 0.9 and the 5-station line.

use std::path::Path;

use shopfloor::engine::Dist;
use shopfloor::model::{Factory, Release};

/// Loads `scenarios/<name>.toml` with the given horizon and no warm-up.
pub fn load(name: &str, horizon: f64) -> Factory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("benchmark scenario is readable");
    let mut factory = shopfloor::scenario::parse(&path, &text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .factory;
    factory.horizon = horizon;
    factory.warmup = 0.0;
    // The reporting period a scenario with this horizon would get: the time
    // series then has 40 to 280 points, whatever the horizon.
    factory.period = shopfloor::scenario::default_period(horizon);
    factory
}

/// The M/M/1 station at utilisation 0.9.
pub fn mm1(horizon: f64) -> Factory {
    let mut f = load("mm1", horizon);
    match &mut f.products[0].release {
        Release::Arrivals { interarrival, .. } => {
            *interarrival = Dist::exponential(60.0 / 0.9).expect("valid mean");
        }
        _ => panic!("mm1.toml should have Poisson arrivals"),
    }
    f
}

/// The saturated five-station serial line with breakdowns.
pub fn serial_line(horizon: f64) -> Factory {
    load("serial_line", horizon)
}
