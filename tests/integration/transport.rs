//! Movers carrying parts between stations: a hand trace with constant
//! times, a mover pool against M/M/c (Erlang C) and Little's law on the
//! parts in transport, and the bottleneck verdict naming the movers.

use shopfloor::experiment::summarise;
use shopfloor::model::{MachineState, simulate};

use crate::common::scenario;
use crate::theory::{assert_agrees, erlang_c, replicate};

/// Two stations, one mover, a saturated source: `a` processes 1 min, the
/// mover needs 2 min from `a` to `b` and 2 min back empty, `b` processes
/// 1 min. `travel` gives the leg (as a time, or a distance and a speed);
/// `by_step` names the cart on the routing step instead of the station.
fn two_stations(travel: &str, speed: &str, by_step: bool) -> shopfloor::scenario::Scenario {
    let (station, step) = if by_step {
        ("", ", mover = \"cart\"")
    } else {
        ("mover = \"cart\"", "")
    };
    scenario(&format!(
        r#"
[simulation]
horizon = "20m"
replications = 1
[stations.a]
{station}
[stations.b]
[movers.cart]
count = 1
cost_per_hour = 30.0
{speed}
[transport]
legs = [{{ from = "a", to = "b", {travel} }}]
[products.p]
release = "saturated"
routing = [{{ station = "a", process = "1m"{step} }}, {{ station = "b", process = "1m" }}]
"#
    ))
}

/// Hand trace (minutes). The cart starts at `a` (its home: the first
/// station it serves).
///
/// ```text
/// part 1: a 0–1, picked up at 1 (cart there), at b 3, b 3–4     → 4
/// part 2: a 1–2, waits 2–5 (cart unloads at 3, back empty 3–5),
///         picked up 5, at b 7, b 7–8                             → 8
/// part 3: a 5–6, picked up 9, b 11–12                             → 12
/// part 4: a 9–10, picked up 13, b 15–16                           → 16
/// part 5: a 13–14, picked up 17, b 19–20 (ties with the end: not counted)
/// part 6: a 17–18, waits to the end (the cart is on its way, 19–21)
/// ```
///
/// Cart: loaded 1–3, 5–7, 9–11, 13–15, 17–19 (10 of 20 min), empty 3–5,
/// 7–9, 11–13, 15–17, 19–20 (9 min), idle 0–1. Five pickups, waits 0,
/// 3, 3, 3, 3 (mean 2.4 min), four of them found the cart busy; five
/// unloads. Station `a` is busy 6 min and blocked (holding a part for the
/// cart) 14 min. Cycle times 4, 7, 7, 7 (part 2 was released at 1, …):
/// mean 6.25 min. The cart travels without a break from 1 to 20, the
/// longest active period: it is the bottleneck. Cost: 1 cart × 30/h ×
/// 1/3 h = 10.
#[test]
fn one_mover_by_hand() {
    for s in [
        two_stations("time = \"2m\"", "", false),
        two_stations("distance = \"120 m\"", "speed = \"1 m/s\"", false),
        two_stations("distance = \"0.12 km\"", "speed = \"3.6 km/h\"", false),
        two_stations("time = \"2m\"", "", true),
    ] {
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        let at = |event: &str| -> Vec<f64> {
            trace
                .as_ref()
                .unwrap()
                .iter()
                .filter(|t| t.event == event)
                .map(|t| t.time_s / 60.0)
                .collect()
        };
        assert_eq!(at("finish"), vec![4.0, 8.0, 12.0, 16.0]);
        // Each part asks for the cart when `a` finishes it.
        assert_eq!(at("wait_for_mover"), vec![1.0, 2.0, 6.0, 10.0, 14.0, 18.0]);
        assert_eq!(at("pickup"), vec![1.0, 5.0, 9.0, 13.0, 17.0]);
        assert_eq!(at("dropoff"), vec![3.0, 7.0, 11.0, 15.0, 19.0]);
        assert_eq!(r.good, 4);
        let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
        assert!(
            close(r.cycle_time_mean_min, 6.25),
            "{}",
            r.cycle_time_mean_min
        );
        let m = &r.movers[0];
        assert_eq!((m.moves, m.pickups), (5, 5));
        assert!(close(m.loaded, 0.5), "{m:?}");
        assert!(close(m.empty, 0.45), "{m:?}");
        assert!(close(m.idle, 0.05), "{m:?}");
        assert!(close(m.wait_mean_min, 2.4), "{m:?}");
        assert!(close(m.waited_share, 0.8), "{m:?}");
        assert!(close(m.in_transport_avg, 0.5), "{m:?}");
        assert!(close(m.cost, 10.0), "{m:?}");
        assert!(close(r.costs.transport, 10.0));
        let a = &r.stations[0];
        assert!(close(a.state_shares[MachineState::Busy as usize], 0.3));
        assert!(close(a.state_shares[MachineState::Blocked as usize], 0.7));
        assert_eq!(r.bottleneck, "cart");
        assert!(r.bottleneck_is_mover && !r.bottleneck_is_pool);
        let summary = summarise(&s.factory, &[r]);
        assert_eq!(summary.bottleneck, "cart");
        assert!(summary.bottleneck_is_mover);
    }
}

/// Room at the next station is reserved when the move starts: `b` has one
/// machine and no buffer, so a second part may not be fetched from `a`
/// until `b`'s machine is free again. `a` 1 min, travel 1 min each way,
/// `b` 5 min, two carts (the carts are not the constraint, room is); both
/// start at `a`.
///
/// ```text
/// part 1: a 0–1, cart 0 picks it up at 1, b 2–7, finish 7
/// part 2: a 1–2, no room at b (promised to part 1, then busy): blocks
///         a until 7; cart 1 (still at a) picks it up at 7, b 8–13,
///         finish 13
/// part 3: a 7–8, blocks until 13; both carts are at b, cart 0 (lowest
///         number on a tie) comes empty 13–14, b 15–20, finish 20
/// part 4: a 14–15, blocks until 20; cart 0 comes empty 20–21 (the end)
/// ```
#[test]
fn room_is_reserved_when_the_move_starts() {
    let s = scenario(
        r#"
[simulation]
horizon = "21m"
replications = 1
[stations.a]
mover = "cart"
[stations.b]
buffer = 0
[movers.cart]
count = 2
[transport]
legs = [{ from = "a", to = "b", time = "1m" }]
[products.p]
release = "saturated"
routing = [{ station = "a", process = "1m" }, { station = "b", process = "5m" }]
"#,
    );
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let at = |event: &str| -> Vec<f64> {
        trace
            .as_ref()
            .unwrap()
            .iter()
            .filter(|t| t.event == event)
            .map(|t| t.time_s / 60.0)
            .collect()
    };
    assert_eq!(at("finish"), vec![7.0, 13.0, 20.0]);
    assert_eq!(at("pickup"), vec![1.0, 7.0, 14.0]);
    assert_eq!(r.good, 3);
    // Of 2 × 21 cart-minutes: empty 13–14 and 20–21 (cart 0), loaded
    // 1–2, 14–15 (cart 0) and 7–8 (cart 1); waits 0, 0 and 1 minute.
    let m = &r.movers[0];
    assert!((m.empty - 2.0 / 42.0).abs() < 1e-9, "{m:?}");
    assert!((m.loaded - 3.0 / 42.0).abs() < 1e-9, "{m:?}");
    assert!((m.wait_mean_min - 1.0 / 3.0).abs() < 1e-9, "{m:?}");
    // `b` never holds more than the part on its machine.
    assert_eq!(r.stations[1].queue_max, 0.0);
}

/// Movers as the only constraint: Poisson requests at λ = 1/min (parts
/// released at that rate, 1 s at `a`, whose 60 machines never run short),
/// exponential loaded trips of mean 3 min from `a` to `b`, the way back
/// instantaneous, four movers: an M/M/4 queue with a = 3, ρ = 0.75.
/// Movers travel loaded a share ρ of the time (λ · E[trip] / count);
/// a part waits for a mover Wq = C(4, 3) / (cμ − λ) (Erlang C), and
/// requests queue Lq = λ·Wq; the parts in transport over the rate of moves
/// give back the mean trip (Little's law, L = λW).
///
/// 20 replications of 60 days after a 1-day warm-up; bias allowance as in
/// the theory module, 2L²/(δT), δ = cμ − λ = 1/3 per minute.
#[test]
fn movers_behave_like_mmc_servers() {
    let s = scenario(
        r#"
[simulation]
horizon = "61d"
warmup = "1d"
replications = 20
seed = 5
[stations.a]
machines = 60
mover = "agv"
[stations.b]
machines = 60
[movers.agv]
count = 4
[transport]
legs = [
  { from = "a", to = "b", time = { dist = "exponential", mean = "3m" } },
  { from = "b", to = "a", time = "0s" },
]
[products.p]
release = { interarrival = { dist = "exponential", mean = "1m" } }
routing = [{ station = "a", process = "1s" }, { station = "b", process = "1s" }]
"#,
    );
    let reps = replicate(&s);
    let (lambda, trip, c) = (1.0, 3.0, 4u32);
    let a = lambda * trip;
    let rho = a / f64::from(c);
    let erlang = erlang_c(c, a);
    let wq = erlang / (f64::from(c) / trip - lambda);
    let lq = lambda * wq;
    let l = lq + a;
    let t = 60.0 * 24.0 * 60.0;
    let bias = 2.0 * l * l / ((f64::from(c) / trip - lambda) * t);
    assert_agrees(
        "mover utilisation = λ·E[trip]/count",
        reps.iter().map(|r| r.movers[0].loaded + r.movers[0].empty),
        rho,
        bias / f64::from(c),
    );
    assert_agrees(
        "wait for a mover = Wq of M/M/4",
        reps.iter().map(|r| r.movers[0].wait_mean_min),
        wq,
        bias / lambda + 2.0 * l / (lambda * t),
    );
    assert_agrees(
        "requests waiting = Lq of M/M/4",
        reps.iter().map(|r| r.movers[0].queue_avg),
        lq,
        bias,
    );
    assert_agrees(
        "P(a part waits for a mover) = Erlang C",
        reps.iter().map(|r| r.movers[0].waited_share),
        erlang,
        2.0 * l / (lambda * t),
    );
    // Little's law on the parts in transport: L / λ = E[trip].
    assert_agrees(
        "parts in transport / rate of moves = E[trip]",
        reps.iter()
            .map(|r| r.movers[0].in_transport_avg / (r.movers[0].moves as f64 / t)),
        trip,
        2.0 * a / (lambda * t) * trip,
    );
    // Movers are the plant's constraint.
    let summary = summarise(&s.factory, &reps);
    assert!(summary.bottleneck_is_mover, "{}", summary.bottleneck);
    assert_eq!(summary.bottleneck, "agv");
}

/// A line of three stations (exponential 2-minute operations, one machine
/// each) whose parts go from `a` to `b` to `c` by cart, every leg 1 min.
fn cart_line(carts: u32) -> shopfloor::scenario::Scenario {
    scenario(&format!(
        r#"
[simulation]
horizon = "6d"
warmup = "1d"
replications = 10
seed = 3
[stations.a]
mover = "cart"
[stations.b]
buffer = 4
mover = "cart"
[stations.c]
buffer = 4
[movers.cart]
count = {carts}
[transport]
legs = [
  {{ from = "a", to = "b", time = "1m" }},
  {{ from = "b", to = "c", time = "1m" }},
  {{ from = "a", to = "c", time = "1m" }},
]
[products.p]
release = "saturated"
routing = [
  {{ station = "a", process = {{ dist = "exponential", mean = "2m" }} }},
  {{ station = "b", process = {{ dist = "exponential", mean = "2m" }} }},
  {{ station = "c", process = {{ dist = "exponential", mean = "2m" }} }},
]
"#
    ))
}

/// One cart for the line: every part needs two loaded minutes (a → b,
/// b → c) and, since nothing is fetched at `c`, at least one empty minute
/// after its unload there: at most 20 parts an hour, whatever the
/// stations could do (30 an hour each). The cart is the bottleneck. With
/// four carts (a capacity of about 60 parts an hour) the stations are the
/// constraint again, and throughput rises.
#[test]
fn a_single_cart_is_the_bottleneck_of_a_line() {
    let one = cart_line(1);
    let reps = replicate(&one);
    let hours = reps[0].observed_hours;
    for r in &reps {
        // Parts finished in the window: no more than the cart's capacity
        // allows, plus those already at `b` or `c` (or on the cart) when
        // it opened, whose earlier trips fall before it: at most 4 + 1 at
        // each station and 1 on the cart.
        assert!(
            r.good as f64 <= 20.0 * hours + 11.0,
            "{} good parts in {hours} h",
            r.good
        );
    }
    let s1 = summarise(&one.factory, &reps);
    assert!(s1.bottleneck_is_mover, "{}", s1.bottleneck);
    assert_eq!(s1.bottleneck, "cart");
    let four = cart_line(4);
    let s4 = summarise(&four.factory, &replicate(&four));
    assert!(!s4.bottleneck_is_mover, "{}", s4.bottleneck);
    assert!(
        s4.throughput_per_hour.low > s1.throughput_per_hour.high,
        "{:?} vs {:?}",
        s4.throughput_per_hour,
        s1.throughput_per_hour
    );
}
