//! `[simulation]`: the name, horizon, warm-up, reporting period,
//! replications and seed.

use super::{Validator, at_most};
use crate::engine::{Time, format_duration};
use crate::scenario::limits::{DEFAULT_MAX_PARTS, MAX_HORIZON, MAX_PARTS, MAX_REPLICATIONS};
use crate::scenario::raw::{RawDuration, RawScenario};

/// The `[simulation]` values; `None` where the file's value is refused.
pub(super) struct Simulation {
    pub name: String,
    pub horizon: Option<Time>,
    pub warmup: Option<Time>,
    pub period: Option<Time>,
    pub replications: Option<u32>,
    pub seed: Option<u64>,
    pub max_parts: Option<u32>,
}

/// Validates `[simulation]`; `default_name` is used when the file does not
/// name itself.
pub(super) fn simulation(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    default_name: &str,
) -> Simulation {
    let sim = raw.simulation.get_ref();
    let name = match &sim.name {
        Some(n) => {
            let s = n.get_ref();
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            {
                v.err_hint(
                    n.span(),
                    "simulation.name",
                    format!("\"{s}\" cannot name an output folder"),
                    "use letters, digits, '-', '_' and '.' only",
                );
            }
            s.clone()
        }
        None => default_name.to_string(),
    };
    let horizon = match v.positive_duration(&sim.horizon, "simulation.horizon") {
        Some(h) if h > MAX_HORIZON => {
            v.err_hint(
                sim.horizon.span(),
                "simulation.horizon",
                format!(
                    "the horizon ({}) is longer than the longest shopfloor simulates, {} (100 years)",
                    match sim.horizon.get_ref() {
                        RawDuration::Text(t) => t.clone(),
                        RawDuration::Number(_) => format_duration(h),
                    },
                    format_duration(MAX_HORIZON)
                ),
                "simulate at most \"36500d\"",
            );
            None
        }
        h => h,
    };
    let warmup = match &sim.warmup {
        Some(w) => v.duration(w, "simulation.warmup"),
        None => Some(0.0),
    };
    if let (Some(h), Some(w), Some(ws)) = (horizon, warmup, &sim.warmup)
        && w >= h
    {
        v.err_hint(
            ws.span(),
            "simulation.warmup",
            "the warm-up must be shorter than the horizon",
            "lengthen `horizon` or shorten `warmup`",
        );
    }
    let period = match &sim.period {
        Some(p) => {
            let per = v.positive_duration(p, "simulation.period");
            if let (Some(per), Some(h)) = (per, horizon)
                && h / per > 100_000.0
            {
                v.err_hint(
                    p.span(),
                    "simulation.period",
                    format!("the horizon would hold {:.0} periods", h / per),
                    "choose a period of at least 1/100000 of the horizon",
                );
            }
            per
        }
        None => horizon.map(crate::scenario::default_period),
    };
    let replications = match &sim.replications {
        Some(r) => at_most(
            v,
            r,
            "simulation.replications",
            1,
            MAX_REPLICATIONS,
            "replications per variant",
        ),
        None => Some(10),
    };
    let seed = match &sim.seed {
        Some(s) if *s.get_ref() < 0 => {
            v.err(s.span(), "simulation.seed", "the seed must not be negative");
            None
        }
        Some(s) => Some(*s.get_ref() as u64),
        None => Some(1),
    };
    let max_parts = match &sim.max_parts {
        Some(m) => at_most(
            v,
            m,
            "simulation.max_parts",
            1,
            MAX_PARTS,
            "parts in the system",
        ),
        None => Some(DEFAULT_MAX_PARTS),
    };
    Simulation {
        max_parts,
        name,
        horizon,
        warmup,
        period,
        replications,
        seed,
    }
}
