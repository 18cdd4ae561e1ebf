//! Assembly of parts made in the plant (`components`, `release =
//! "with_parent"`): hand traces with constant times, the throughput of an
//! assembly against the slowest of its inputs, and the bookkeeping of
//! scrap, rework and left kits.

use shopfloor::model::{ReplicationResult, simulate};

use crate::common::scenario;
use crate::theory::{assert_agrees, replicate};

/// A trace record: event, station, part, product, minutes.
type Record = (String, String, u64, String, f64);

/// Runs replication 0 with a trace: the result and (event, station,
/// part, product, minutes) of every record.
fn run(text: &str) -> (ReplicationResult, Vec<Record>) {
    let s = scenario(text);
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let t = trace
        .unwrap()
        .iter()
        .map(|t| {
            (
                t.event.to_string(),
                t.station.clone(),
                t.part.unwrap_or(u64::MAX),
                t.product.clone(),
                t.time_s / 60.0,
            )
        })
        .collect();
    (r, t)
}

/// Minutes of the events named `event` of product `product`.
fn times(trace: &[Record], event: &str, product: &str) -> Vec<f64> {
    trace
        .iter()
        .filter(|t| t.0 == event && t.3 == product)
        .map(|t| t.4.round())
        .collect()
}

fn product<'a>(r: &'a ReplicationResult, name: &str) -> &'a shopfloor::model::ProductResult {
    r.products.iter().find(|p| p.product == name).unwrap()
}

/// A housing every 10 min; its body takes 5 min, its door (made for it,
/// released with it) 15 min at a station of its own, assembly 1 min.
/// Door k (released at 10k) is done at 10 + 15k, the door station never
/// idle after 10; housing k's body is done at 10k + 5, long before, so it
/// waits at assembly for its door: assembled at 10 + 15k, finished at
/// 11 + 15k. In 6000 min: k ≤ (6000 − 11) / 15, 399 housings. The
/// assembly machine takes housing 1 at 15 and housing k > 1 when it frees
/// up, at 11 + 15(k − 1), and holds it waiting for its door.
#[test]
fn an_assembly_waits_for_its_own_sub_assembly_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "100h"
replications = 1
[stations.body]
[stations.doors]
[stations.assemble]
[products.housing]
release = { interarrival = { dist = "constant", value = "10m" } }
routing = [
  { station = "body", process = "5m" },
  { station = "assemble", process = "1m", components = { door = 1 } },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = "15m" }]
"#);
    let finish = times(&trace, "finish", "housing");
    assert_eq!(finish.len(), 399);
    for (k, t) in finish.iter().enumerate() {
        assert_eq!(*t, 11.0 + 15.0 * (k as f64 + 1.0), "housing {k}");
    }
    assert_eq!(
        times(&trace, "made_for_kit", "door")[..3],
        [25.0, 40.0, 55.0]
    );
    assert_eq!(
        times(&trace, "wait_for_components", "housing")[..3],
        [15.0, 26.0, 41.0]
    );
    // Sub-assemblies are not finished goods.
    assert_eq!(r.good, 399);
    assert_eq!(product(&r, "door").good, 399);
    assert_eq!(product(&r, "door").assembled, 399);
    assert_eq!(product(&r, "door").delivered, 0);
    // One door released with each housing.
    assert_eq!(
        product(&r, "door").released,
        product(&r, "housing").released
    );
}

/// Two levels: a door takes two hinges (5 min each, one machine) and 10
/// min; the housing's body 5 min and assembly 1 min; a housing every 30
/// min. Release at 30k: hinges done at 30k + 5 and 30k + 10, so the door
/// (at its station since 30k) waits for them, is assembled at 30k + 10
/// and done at 30k + 20; the body, done at 30k + 5, waits at assembly
/// until then and is finished at 30k + 21.
#[test]
fn a_sub_assembly_of_a_sub_assembly_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "10h"
replications = 1
[stations.hinges]
[stations.doors]
[stations.body]
[stations.assemble]
[products.housing]
release = { interarrival = { dist = "constant", value = "30m" } }
routing = [
  { station = "body", process = "5m" },
  { station = "assemble", process = "1m", components = { door = 1 } },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = "10m", components = { hinge = 2 } }]
[products.hinge]
release = "with_parent"
routing = [{ station = "hinges", process = "5m" }]
"#);
    let finish = times(&trace, "finish", "housing");
    assert_eq!(finish.len(), 19);
    for (k, t) in finish.iter().enumerate() {
        assert_eq!(*t, 30.0 * (k as f64 + 1.0) + 21.0);
    }
    let door_assembled = times(&trace, "assemble", "door");
    assert_eq!(door_assembled[..2], [40.0, 70.0]);
    assert_eq!(times(&trace, "made_for_kit", "door")[..2], [50.0, 80.0]);
    assert_eq!(
        product(&r, "hinge").assembled,
        2 * door_assembled.len() as u64
    );
    assert_eq!(
        product(&r, "hinge").released,
        2 * product(&r, "door").released
    );
    // Counted once, by hand over each of the 19 releases (30k to 30k + 30):
    // the housing is in process 21 min, its door 20 (to its assembly), each
    // hinge 10 (to the door's). Waiting: the second hinge 5 min in the
    // hinge queue, the first, finished at 30k + 5, 5 min for its door; the
    // door and the body wait on machines, not in buffers.
    assert!((r.wip_avg - 19.0 * (21.0 + 20.0 + 10.0 + 10.0) / 600.0).abs() < 1e-9);
    assert!((r.wip_waiting_avg - 19.0 * (5.0 + 5.0) / 600.0).abs() < 1e-9);
}

/// The throughput of an assembly is the rate of the slowest of its
/// inputs: releases, the body line, or the sub-assembly's line (a door
/// station that must make two doors per housing counts at half its rate).
/// Constant times after a 20 h warm-up over 200 h: the bottleneck works
/// without a gap, so throughput is its rate to within one part.
#[test]
fn assembly_throughput_is_the_minimum_of_its_inputs_rates() {
    // (release every, body, door, doors per housing, expected per hour)
    let cases = [
        (20.0, 5.0, 15.0, 1, 3.0),        // releases
        (10.0, 12.0, 8.0, 1, 5.0),        // body
        (10.0, 5.0, 15.0, 1, 4.0),        // door station
        (10.0, 5.0, 7.0, 2, 60.0 / 14.0), // two doors per housing
    ];
    for (every, body, door, q, expected) in cases {
        let (r, _) = run(&format!(
            r#"
[simulation]
horizon = "220h"
warmup = "20h"
replications = 1
max_parts = 1000000
[stations.body]
[stations.doors]
[stations.assemble]
[products.housing]
release = {{ interarrival = {{ dist = "constant", value = "{every}m" }} }}
routing = [
  {{ station = "body", process = "{body}m" }},
  {{ station = "assemble", process = "1m", components = {{ door = {q} }} }},
]
[products.door]
release = "with_parent"
routing = [{{ station = "doors", process = "{door}m" }}]
"#
        ));
        let got = r.good as f64 / 200.0;
        assert!(
            (got - expected).abs() <= 1.0 / 200.0 + 1e-9,
            "every {every}, body {body}, door {door} ×{q}: {got}/h, expected {expected}/h"
        );
    }
}

/// The same with random times: Poisson releases at 6/h, exponential body
/// (12/h) and door (4.8/h) stations: the door station is always busy
/// after the warm-up, so throughput is its rate, 4.8/h.
#[test]
fn assembly_throughput_with_random_times_is_the_slowest_rate() {
    let s = scenario(
        r#"
[simulation]
horizon = "300h"
warmup = "20h"
replications = 10
seed = 7
max_parts = 1000000
[stations.body]
[stations.doors]
[stations.assemble]
[products.housing]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [
  { station = "body", process = { dist = "exponential", mean = "5m" } },
  { station = "assemble", process = "1m", components = { door = 1 } },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = { dist = "exponential", mean = "12.5m" } }]
"#,
    );
    let reps = replicate(&s);
    assert_agrees(
        "assembly throughput (door station bound)",
        reps.iter().map(|r| r.throughput_per_hour),
        4.8,
        0.0,
    );
}

/// Scrap of a sub-assembly, rework of the assembly: every part released
/// is accounted for once (finished, scrapped, assembled into another, or
/// still in process); a scrapped door is replaced, so each finished
/// housing took exactly one door, taken once even when the housing came
/// back through assembly for rework; doors are scrapped at their rate.
#[test]
fn scrap_of_sub_assemblies_and_rework_of_assemblies_count_once() {
    let (r, trace) = run(r#"
[simulation]
horizon = "2000h"
replications = 1
seed = 3
[stations.body]
[stations.doors]
machines = 2
[stations.assemble]
[stations.check]
[products.housing]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [
  { station = "body", process = { dist = "exponential", mean = "5m" } },
  { station = "assemble", process = "2m", components = { door = 1 } },
  { station = "check", process = "1m", rework = 0.3, rework_to = "assemble" },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = { dist = "exponential", mean = "12m" }, scrap = 0.2 }]
"#);
    let housing = product(&r, "housing");
    let door = product(&r, "door");
    // Conservation: released = finished + scrapped + assembled + in process.
    let released = housing.released + door.released;
    assert_eq!(
        released,
        r.good + housing.scrapped + door.scrapped + door.assembled + r.wip_end
    );
    // Each assembly took one door, once.
    let mut assembled_parts: Vec<u64> = trace
        .iter()
        .filter(|t| t.0 == "assemble" && t.3 == "housing")
        .map(|t| t.2)
        .collect();
    let n = assembled_parts.len();
    assembled_parts.sort_unstable();
    assembled_parts.dedup();
    assert_eq!(assembled_parts.len(), n, "a housing assembled twice");
    assert_eq!(door.assembled, n as u64);
    assert!(r.reworked > 1000, "rework loops: {}", r.reworked);
    // Every good door went into a housing or waits in its kit.
    assert!(door.good >= door.assembled && door.good - door.assembled <= r.wip_end);
    // Doors scrapped at their rate: within 4 binomial standard errors.
    let made = (door.good + door.scrapped) as f64;
    let share = door.scrapped as f64 / made;
    let se = (0.2 * 0.8 / made).sqrt();
    assert!(
        (share - 0.2).abs() < 4.0 * se,
        "door scrap share {share}, SE {se}"
    );
    // Replaced one for one: doors released = housings released + doors
    // scrapped.
    assert_eq!(door.released, housing.released + door.scrapped);
}

/// A housing scrapped before assembly leaves its door to the next housing
/// released: no door is made for nothing. Without that, doors released
/// would equal housings released; with it, they fall short by the
/// housings scrapped (less the one kit that may still wait at the end).
#[test]
fn a_scrapped_assembly_leaves_its_kit_to_the_next_part() {
    let (r, _) = run(r#"
[simulation]
horizon = "1000h"
replications = 1
seed = 5
[stations.body]
[stations.doors]
[stations.assemble]
[products.housing]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [
  { station = "body", process = { dist = "exponential", mean = "5m" }, scrap = 0.3 },
  { station = "assemble", process = "1m", components = { door = 1 } },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = { dist = "exponential", mean = "6m" } }]
"#);
    let housing = product(&r, "housing");
    let door = product(&r, "door");
    assert!(housing.scrapped > 1000);
    let lower = housing.released - housing.scrapped;
    assert!(
        door.released >= lower && door.released <= lower + 1,
        "doors released {}, housings released {} scrapped {}",
        door.released,
        housing.released,
        housing.scrapped
    );
    assert_eq!(door.scrapped, 0);
    assert_eq!(r.good, door.assembled);
}

/// An order of assemblies is complete when its last assembly is: orders
/// of 3 housings every 45 min (body 10 min on one machine, door 4 min on
/// another, assembly 1 min). The first order, at 45: doors done at 49, 53,
/// 57, bodies at 55, 65, 75; housings finished at 56, 66, 76, so its lead
/// time is 31 min. The second, at 90, is still open at 120.
#[test]
fn an_order_of_assemblies_by_hand() {
    let (r, trace) = run(r#"
[simulation]
horizon = "2h"
replications = 1
[stations.body]
[stations.doors]
[stations.assemble]
[products.housing]
orders = { interarrival = { dist = "constant", value = "45m" }, quantity = 3, due_in = "1h" }
routing = [
  { station = "body", process = "10m" },
  { station = "assemble", process = "1m", components = { door = 1 } },
]
[products.door]
release = "with_parent"
routing = [{ station = "doors", process = "4m" }]
"#);
    assert_eq!(
        times(&trace, "made_for_kit", "door")[..3],
        [49.0, 53.0, 57.0]
    );
    assert_eq!(
        times(&trace, "finish", "housing"),
        [56.0, 66.0, 76.0, 101.0, 111.0]
    );
    let housing = product(&r, "housing");
    assert_eq!(housing.orders_completed, 1);
    assert!((housing.lead_time_mean_h - 31.0 / 60.0).abs() < 1e-9);
    assert_eq!(housing.on_time_orders, 1.0);
}
