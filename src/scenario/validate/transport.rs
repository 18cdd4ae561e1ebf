//! `[movers.NAME]` and `[transport]`: mover pools (count, speed, cost,
//! home) and the legs they travel between stations (a distance, covered
//! at the mover's speed, or a travel time). Every leg a pool may travel —
//! loaded from a station it serves to the next station of a routing, or
//! empty from where it may stand to a station it serves — must be given.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::{Names, Validator};
use crate::engine::Dist;
use crate::model::{Legs, MoverId, MoverPool, Product, Station, StationId};
use crate::scenario::raw::*;

/// The most movers in one pool.
const MAX_MOVERS: u32 = 100_000;

/// A mover pool by name.
pub(super) fn find_mover(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    name: &Spanned<String>,
    field: &str,
) -> Option<MoverId> {
    v.lookup(
        name,
        &names.movers,
        field,
        "mover pool",
        "define it as a table like [movers.NAME] with count = 1",
    )
    .map(|i| MoverId(i as u32))
}

/// What a leg of `[transport]` gives.
#[derive(Clone)]
enum Leg {
    /// Metres, covered at the mover's speed.
    Distance(f64),
    /// A travel time, whatever the mover.
    Time(Dist),
}

/// A number followed by a unit (`"40 m"`, `"1.2 m/s"`): the number times
/// the unit's factor, or a message.
fn with_unit(text: &str, units: &[(&str, f64)], what: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim());
    let known = units
        .iter()
        .map(|(u, _)| format!("\"{u}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let Ok(x) = num.parse::<f64>() else {
        return Err(format!(
            "\"{text}\" is not a {what}: write a number and a unit ({known})"
        ));
    };
    match units.iter().find(|(u, _)| *u == unit) {
        Some((_, k)) if x.is_finite() => Ok(x * k),
        Some(_) => Err(format!("\"{text}\" is not a finite {what}")),
        None if unit.is_empty() => Err(format!(
            "\"{text}\" has no unit: a {what} takes one of {known}"
        )),
        None => Err(format!(
            "unknown unit \"{unit}\" in \"{text}\": a {what} takes one of {known}"
        )),
    }
}

/// Validates `[movers.NAME]` and `[transport]`, and checks that every leg
/// each pool may travel is given. `stations` already name their movers.
pub(super) fn movers(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
    stations: &[Station],
    products: &[Product],
) -> Vec<MoverPool> {
    let n = stations.len();
    let (legs, broken) = read_legs(v, raw, names);
    let mut pools = Vec::new();
    for (mi, (mname, m)) in raw.movers.iter().enumerate() {
        let field = |k: &str| format!("movers.{mname}.{k}");
        let span = m.span();
        let m = m.get_ref();
        if names.stations.contains(&mname.as_str()) || names.pools.contains(&mname.as_str()) {
            v.err_hint(
                span.clone(),
                &format!("movers.{mname}"),
                format!("\"{mname}\" already names a station or worker pool"),
                "give the mover pool a name of its own (e.g. \"forklift\"), so that the bottleneck verdict is unambiguous",
            );
        }
        let count =
            super::at_most(v, &m.count, &field("count"), 1, MAX_MOVERS, "movers").unwrap_or(1);
        let speed = m.speed.as_ref().and_then(|s| {
            match with_unit(
                s.get_ref(),
                &[("m/s", 1.0), ("m/min", 1.0 / 60.0), ("km/h", 1.0 / 3.6)],
                "speed",
            ) {
                Ok(x) if x > 0.0 => Some(x),
                Ok(_) => {
                    v.err_hint(
                        s.span(),
                        &field("speed"),
                        format!("a speed must be above zero, got \"{}\"", s.get_ref()),
                        "e.g. speed = \"1.2 m/s\" for a walking pace",
                    );
                    None
                }
                Err(msg) => {
                    v.err_hint(
                        s.span(),
                        &field("speed"),
                        msg,
                        "e.g. speed = \"1.2 m/s\", \"70 m/min\" or \"8 km/h\"",
                    );
                    None
                }
            }
        });
        let cost_per_hour = v.money(&m.cost_per_hour, &field("cost_per_hour"));
        let id = MoverId(mi as u32);
        // A step leaves by its own mover, else by its station's.
        let by = |op: &crate::model::Operation| {
            op.station != StationId::OUTSIDE
                && op.mover.or(stations[op.station.0 as usize].mover) == Some(id)
        };
        let mut served: Vec<usize> = products
            .iter()
            .flat_map(|p| p.routing.iter())
            .filter(|op| by(op))
            .map(|op| op.station.0 as usize)
            .chain((0..n).filter(|&s| stations[s].mover == Some(id)))
            .collect();
        served.sort_unstable();
        served.dedup();
        let home = match &m.home {
            Some(h) => v
                .lookup(
                    h,
                    &names.stations,
                    &field("home"),
                    "station",
                    "add a table like [stations.NAME] with machines = 1",
                )
                .unwrap_or(0),
            None => served.first().copied().unwrap_or(0),
        };
        // Loaded legs: from a served station to where its parts go next
        // (or back to for rework); empty legs: from anywhere a mover may
        // stand (home, or where it unloaded) to a served station.
        let mut loaded: Vec<(usize, usize)> = Vec::new();
        for p in products {
            for (i, op) in p.routing.iter().enumerate() {
                let s = op.station.0 as usize;
                if !by(op) {
                    continue;
                }
                if let Some(next) = p.routing.get(i + 1)
                    && next.station != StationId::OUTSIDE
                {
                    loaded.push((s, next.station.0 as usize));
                }
                if op.rework > 0.0 || (op.inspect > 0.0 && op.inspect_rework) {
                    loaded.push((s, p.routing[op.rework_to].station.0 as usize));
                }
            }
        }
        loaded.sort_unstable();
        loaded.dedup();
        let mut stands: Vec<usize> = loaded.iter().map(|&(_, to)| to).collect();
        stands.push(home);
        stands.sort_unstable();
        stands.dedup();
        let mut needed: Vec<(usize, usize, bool)> = loaded
            .iter()
            .filter(|(a, b)| a != b)
            .map(|&(a, b)| (a, b, true))
            .collect();
        for &a in &stands {
            for &b in &served {
                if a != b && loaded.binary_search(&(a, b)).is_err() {
                    needed.push((a, b, false));
                }
            }
        }
        let mut travel: Vec<(u32, u32, Dist)> = Vec::new();
        let mut speed_missing = false;
        // Missing legs reported, either way (one leg given holds both);
        // a leg given but refused is not reported again as missing.
        let mut reported = broken.clone();
        for (a, b, is_loaded) in needed {
            match legs.get(&(a, b)) {
                Some((Leg::Distance(d), _)) => match speed {
                    Some(sp) => {
                        if let Ok(t) = Dist::constant(d / sp) {
                            travel.push((a as u32, b as u32, t));
                        }
                    }
                    None if m.speed.is_none() && !speed_missing => {
                        speed_missing = true;
                        v.err_hint(
                            span.clone(),
                            &format!("movers.{mname}"),
                            format!(
                                "[transport] gives the leg from \"{}\" to \"{}\" as a distance, but mover pool \"{mname}\" has no speed",
                                names.stations[a], names.stations[b]
                            ),
                            "add speed = \"1.2 m/s\" (or \"70 m/min\", \"8 km/h\") to the pool",
                        );
                    }
                    None => {}
                },
                Some((Leg::Time(t), _)) => travel.push((a as u32, b as u32, t.clone())),
                None if reported.contains(&(a.min(b), a.max(b))) => {}
                None => {
                    reported.push((a.min(b), a.max(b)));
                    let (from, to) = (names.stations[a], names.stations[b]);
                    let (at, fld, why) = if is_loaded {
                        let st = &raw.stations[a];
                        (
                            st.get_ref()
                                .mover
                                .as_ref()
                                .map_or(span.clone(), |x| x.span()),
                            if st.get_ref().mover.is_some() {
                                format!("stations.{from}.mover")
                            } else {
                                format!("movers.{mname}")
                            },
                            format!(
                                "mover pool \"{mname}\" carries parts from \"{from}\" to \"{to}\", but [transport] gives no leg between them"
                            ),
                        )
                    } else {
                        (
                            span.clone(),
                            format!("movers.{mname}"),
                            format!(
                                "a mover of \"{mname}\" may have to travel empty from \"{from}\" to \"{to}\" to fetch a part, but [transport] gives no leg between them"
                            ),
                        )
                    };
                    v.err_hint(
                        at,
                        &fld,
                        why,
                        format!(
                            "add {{ from = \"{from}\", to = \"{to}\", distance = \"… m\" }} (or time = \"…\") to the legs of [transport]"
                        ),
                    );
                }
            }
        }
        pools.push(MoverPool {
            name: mname.clone(),
            count,
            cost_per_hour,
            home: home as u32,
            legs: Legs::new(n, travel),
        });
    }
    pools
}

/// The legs of `[transport]`, by (from, to) station: a leg given one way
/// holds the other way too, unless that is given itself (the flag: given
/// this way). Kept sparse, as given: a table over every pair of a
/// 2000-station plant would take 2000² entries (issue #17). Also the
/// station pairs (lower index first) of the legs refused.
#[allow(clippy::type_complexity)]
fn read_legs(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
) -> (BTreeMap<(usize, usize), (Leg, bool)>, Vec<(usize, usize)>) {
    let mut table = BTreeMap::new();
    let mut broken = Vec::new();
    let Some(t) = &raw.transport else {
        return (table, broken);
    };
    let mut given: Vec<(usize, usize, Leg)> = Vec::new();
    let mut seen: BTreeMap<(usize, usize), Range<usize>> = BTreeMap::new();
    for (i, leg) in t.get_ref().legs.get_ref().iter().enumerate() {
        let f = |k: &str| format!("transport.legs[{i}].{k}");
        let l = leg.get_ref();
        let station = |v: &mut Validator<'_>, s: &Spanned<String>, k: &str| {
            v.lookup(
                s,
                &names.stations,
                &f(k),
                "station",
                "legs join stations defined as [stations.NAME]",
            )
        };
        let (a, b) = (station(v, &l.from, "from"), station(v, &l.to, "to"));
        let value = match (&l.distance, &l.time) {
            (Some(d), None) => {
                match with_unit(d.get_ref(), &[("m", 1.0), ("km", 1000.0)], "distance") {
                    Ok(x) if x >= 0.0 => Some(Leg::Distance(x)),
                    Ok(_) => {
                        v.err_hint(
                            d.span(),
                            &f("distance"),
                            format!("a distance cannot be negative, got \"{}\"", d.get_ref()),
                            "e.g. distance = \"40 m\"",
                        );
                        None
                    }
                    Err(msg) => {
                        v.err_hint(d.span(), &f("distance"), msg, "e.g. distance = \"40 m\"");
                        None
                    }
                }
            }
            (None, Some(time)) => v.dist(time, &f("time")).map(Leg::Time),
            (Some(d), Some(_)) => {
                v.err_hint(
                    d.span(),
                    &f("distance"),
                    "a leg gives either a distance or a travel time, not both",
                    "keep distance (covered at each mover's speed) or time (the same for every mover)",
                );
                None
            }
            (None, None) => {
                v.err_hint(
                    leg.span(),
                    &format!("transport.legs[{i}]"),
                    "a leg needs a distance or a travel time",
                    "e.g. { from = \"saw\", to = \"weld\", distance = \"40 m\" } or time = \"2m\"",
                );
                None
            }
        };
        let (Some(a), Some(b), Some(value)) = (a, b, value) else {
            if let (Some(a), Some(b)) = (a, b) {
                broken.push((a.min(b), a.max(b)));
            }
            continue;
        };
        if a == b {
            v.err_hint(
                l.to.span(),
                &f("to"),
                format!("a leg from \"{}\" to itself", names.stations[a]),
                "a mover that stays at a station does not travel: leave the leg out",
            );
            continue;
        }
        if let Some(first) = seen.get(&(a, b)) {
            let (line, _) = v.loc.line_col(first.start);
            v.err_hint(
                leg.span(),
                &format!("transport.legs[{i}]"),
                format!(
                    "the leg from \"{}\" to \"{}\" is given twice",
                    names.stations[a], names.stations[b]
                ),
                format!("it is given first on line {line}; keep one"),
            );
            continue;
        }
        seen.insert((a, b), leg.span());
        given.push((a, b, value));
    }
    for (a, b, leg) in &given {
        table.insert((*a, *b), (leg.clone(), true));
    }
    for (a, b, leg) in given {
        table.entry((b, a)).or_insert((leg, false));
    }
    (table, broken)
}
