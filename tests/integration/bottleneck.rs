//! Bottleneck detection by the active-period method, against what it must
//! find: a hand trace, queueing theory and symmetry.
//!
//! Tolerances follow `theory.rs`: a mean must agree with its expected value
//! within the 99.99 % Student-t interval of the replications (see
//! [`assert_agrees`]).

use shopfloor::experiment;
use shopfloor::model::simulate;
use shopfloor::stats::Estimate;

use crate::common::scenario;
use crate::theory::{assert_agrees, erlang_c, replicate};

#[path = "../../benches/common/plants.rs"]
mod plants;

/// A saturated line whose second station is slower, behind a buffer of 2:
/// the first station fills the buffer and blocks, again and again; the
/// second never waits once the first part reaches it (at 2 min). So from
/// then on the second station's one active period outlasts every period of
/// the first, and it is the sole bottleneck all the time after the warm-up,
/// in every replication.
#[test]
fn a_line_with_a_slower_station_names_it_all_the_time() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
warmup = "1h"
replications = 3

[stations.fast]
[stations.slow]
buffer = 2

[products.p]
release = "saturated"
routing = [
  { station = "fast", process = "2m" },
  { station = "slow", process = "3m" },
]
"#,
    );
    for r in replicate(&s) {
        assert_eq!(r.bottleneck, "slow");
        assert_eq!(r.stations[1].bottleneck_sole, 1.0);
        assert_eq!(r.stations[1].bottleneck_shifting, 0.0);
        assert_eq!(r.stations[0].bottleneck_sole, 0.0);
        assert_eq!(r.stations[0].bottleneck_shifting, 0.0);
        assert_eq!(r.bottleneck_shifts, 0);
    }
}

/// One M/M/2 station is the only resource, so it is the bottleneck exactly
/// while it is active — while both machines are busy — and never shifts:
/// its sole share is the probability that both are busy, Erlang C(2, a).
#[test]
fn a_single_station_is_the_bottleneck_while_all_its_machines_work() {
    let s = scenario(
        r#"
[simulation]
horizon = "12w"
warmup = "1d"
replications = 20
seed = 11

[stations.press]
machines = 2

[products.p]
release = { interarrival = { dist = "exponential", mean = "3m" } }
routing = [{ station = "press", process = { dist = "exponential", mean = "5m" } }]
"#,
    );
    let reps = replicate(&s);
    for r in &reps {
        assert_eq!(r.stations[0].bottleneck_shifting, 0.0);
        assert_eq!(r.bottleneck_shifts, 0);
    }
    // a = 5/3 Erlangs on 2 machines; the transient allowance is that of
    // a queue started empty (a few relaxation times over 11 weeks).
    assert_agrees(
        "M/M/2 sole bottleneck share",
        reps.iter().map(|r| r.stations[0].bottleneck_sole),
        erlang_c(2, 5.0 / 3.0),
        1e-3,
    );
}

/// People are resources too. Four welding tables share two welders (one
/// per operation, for all of it): at most two tables ever work at once, so
/// the station (active only while all four machines are) is never active,
/// and a table loaded but waiting for a welder is waiting, not working.
/// The welder pool is active while both welders are busy: it is an M/M/2
/// queue whose servers are the welders (Poisson arrivals every 6.25 min,
/// exponential 10 min welds, a = 1.6), so its sole bottleneck share is
/// Erlang C(2, 1.6) = 0.711, and it is named the bottleneck in every
/// replication — not the station, whose tables are only 40% busy.
#[test]
fn a_worker_pool_that_holds_the_machines_back_is_the_bottleneck() {
    let s = scenario(
        r#"
[simulation]
horizon = "12w"
warmup = "1d"
replications = 20
seed = 5

[workers.welders]
count = 2
stations = ["weld"]

[stations.weld]
machines = 4

[products.frame]
release = { interarrival = { dist = "exponential", mean = "6.25m" } }
routing = [{ station = "weld", process = { dist = "exponential", mean = "10m" }, operators = 1 }]
"#,
    );
    let reps = replicate(&s);
    for r in &reps {
        assert_eq!(r.bottleneck, "welders");
        assert!(r.bottleneck_is_pool);
        assert_eq!(r.stations[0].bottleneck_sole, 0.0);
        assert_eq!(r.stations[0].bottleneck_shifting, 0.0);
        assert_eq!(r.pools[0].bottleneck_shifting, 0.0);
    }
    assert_agrees(
        "welders (M/M/2 of people) sole bottleneck share",
        reps.iter().map(|r| r.pools[0].bottleneck_sole),
        erlang_c(2, 1.6),
        1e-3,
    );
    let summary = experiment::summarise(&s.factory, &reps);
    assert_eq!(summary.bottleneck, "welders");
    assert!(summary.bottleneck_is_pool);
    assert_eq!(summary.pools[0].bottleneck_in, reps.len());
}

/// A saturated line of a staffed station and an unattended one, traced by
/// hand: one welder serves four tables (10 min a weld) and is never idle,
/// so the pool's one active period spans the whole run (a worker who
/// finishes and takes the next table at the same instant does not end it)
/// and it is the sole bottleneck all the time; the packing machine (5 min
/// a part, one part every 10 min) is active half the time in periods
/// inside the pool's, and the tables, never all four working, never are.
#[test]
fn a_welder_never_idle_is_the_sole_bottleneck_all_the_time() {
    let s = scenario(
        r#"
[simulation]
horizon = "2d"
warmup = "1h"
replications = 2

[workers.welder]
count = 1
stations = ["weld"]

[stations.weld]
machines = 4
[stations.pack]

[products.p]
release = "saturated"
routing = [
  { station = "weld", process = "10m", operators = 1 },
  { station = "pack", process = "5m" },
]
"#,
    );
    for r in replicate(&s) {
        assert_eq!(r.bottleneck, "welder");
        assert!(r.bottleneck_is_pool);
        assert_eq!(r.pools[0].bottleneck_sole, 1.0);
        assert_eq!(r.pools[0].bottleneck_shifting, 0.0);
        assert_eq!(
            r.stations[0].bottleneck_sole + r.stations[0].bottleneck_shifting,
            0.0
        );
        assert_eq!(
            r.stations[1].bottleneck_sole + r.stations[1].bottleneck_shifting,
            0.0
        );
        assert_eq!(r.bottleneck_shifts, 0);
        assert!((r.pools[0].utilisation - 1.0).abs() < 1e-12);
    }
}

/// A line of three exponential stations at loads 0.5, 0.9 and 0.5: the
/// loaded one is named the primary bottleneck in every replication, and
/// its share is larger than each other station's beyond their confidence
/// intervals.
#[test]
fn a_clearly_slower_station_is_the_primary_bottleneck() {
    let s = scenario(
        r#"
[simulation]
horizon = "4w"
warmup = "1d"
replications = 10
seed = 3

[stations.a]
[stations.b]
[stations.c]

[products.p]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [
  { station = "a", process = { dist = "exponential", mean = "5m" } },
  { station = "b", process = { dist = "exponential", mean = "9m" } },
  { station = "c", process = { dist = "exponential", mean = "5m" } },
]
"#,
    );
    let results = experiment::run(&s);
    let summary = &results.baseline().summary;
    assert_eq!(summary.bottleneck, "b");
    let b = &summary.stations[1];
    assert_eq!(b.bottleneck_in, 10);
    for other in [&summary.stations[0], &summary.stations[2]] {
        assert!(
            other.bottleneck.high < b.bottleneck.low,
            "{}: {:?} against b: {:?}",
            other.station,
            other.bottleneck,
            b.bottleneck
        );
    }
}

/// Two equal exponential stations in tandem. The tandem is reversible
/// (Burke; the reversed process is the same tandem in the other order), and
/// the active-period method reads the same forwards and backwards, so both
/// stations have the same expected bottleneck share: their paired
/// difference must agree with 0. They share the bottleneck: each is named
/// primary in some replications, and much of their time is shifting.
#[test]
fn two_equal_stations_share_the_bottleneck() {
    let s = scenario(
        r#"
[simulation]
horizon = "8w"
warmup = "1d"
replications = 30
seed = 17

[stations.first]
[stations.second]

[products.p]
release = { interarrival = { dist = "exponential", mean = "5m" } }
routing = [
  { station = "first", process = { dist = "exponential", mean = "4m" } },
  { station = "second", process = { dist = "exponential", mean = "4m" } },
]
"#,
    );
    let reps = replicate(&s);
    let total = |r: &shopfloor::model::ReplicationResult, i: usize| {
        r.stations[i].bottleneck_sole + r.stations[i].bottleneck_shifting
    };
    assert_agrees(
        "difference of the two bottleneck shares",
        reps.iter().map(|r| total(r, 0) - total(r, 1)),
        0.0,
        0.0,
    );
    for name in ["first", "second"] {
        let named = reps.iter().filter(|r| r.bottleneck == name).count();
        assert!(named > 0, "{name} was never the primary bottleneck");
    }
    let shifting = Estimate::from_values(reps.iter().map(|r| r.stations[0].bottleneck_shifting));
    assert!(shifting.low > 0.05, "{shifting:?}");
}

/// The 50-station job shop of 200 products of `benches/scale.rs`: a
/// chain period's shared time, a sum of three clipped spans, used to come
/// out a rounding error above its length, leaving a sole share of -2e-17
/// (printed "-0.0%", and "0.000000 ± 0.000000" in the report). Sole and
/// shifting time are never below zero.
#[test]
fn sole_bottleneck_time_is_never_negative() {
    let t = plants::jobshop(50, 200, "2d", 1);
    let s = scenario(&t);
    let mut shifting = 0.0;
    for rep in 0..3 {
        let (r, _) = simulate(&s.factory, s.seed, rep, false);
        for st in &r.stations {
            assert!(
                st.bottleneck_sole >= 0.0 && st.bottleneck_shifting >= 0.0,
                "replication {rep}, {}: sole {:e}, shifting {:e}",
                st.station,
                st.bottleneck_sole,
                st.bottleneck_shifting
            );
            shifting += st.bottleneck_shifting;
        }
    }
    assert!(shifting > 0.0, "the bottleneck shifts in this shop");
}
