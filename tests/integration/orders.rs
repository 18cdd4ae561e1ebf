//! Customer orders, outsourcing and costs (issue #5).
//!
//! - Outsourcing when a buffer is full reproduces the M/M/1/K blocking
//!   probability and the Erlang B formula.
//! - A CONWIP line with a saturated product is a closed queueing network:
//!   its throughput follows exact mean value analysis, and its WIP is the
//!   cap, always.
//! - Make-to-stock with a base stock reproduces the fill rate of the
//!   M/M/1 queue of replenishment orders.
//! - A small order book is traced by hand (earliest-due dispatching against
//!   FIFO), down to the late penalty.
//! - Every cost line reconciles with the quantities it is made of, and
//!   parts are conserved.
//! - Bad order books and misused order/contractor fields are refused with
//!   their line, field and a hint.
//!
//! The stochastic checks use [`assert_agrees`] from the theory module: the
//! theoretical value must lie in the 99.99 % Student-t interval over the
//! replications, widened by a deterministic allowance for the start-up
//! transient that is derived (and stated) before running, never tuned.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shopfloor::model::{MachineState, ReplicationResult, TraceRecord, simulate};
use shopfloor::scenario::{self, ScenarioError};

use crate::common::scenario as parse_ok;
use crate::theory::{assert_agrees, erlang_c, replicate};

// ---- closed forms ----------------------------------------------------------

/// M/M/1/K: the probability that a Poisson arrival finds the system full
/// (K parts: one in process, K − 1 waiting), with ρ = λ/μ:
/// `P_K = (1 − ρ)ρ^K / (1 − ρ^(K+1))`, or `1/(K + 1)` at ρ = 1.
fn mm1k_blocking(rho: f64, k: u32) -> f64 {
    let k = f64::from(k);
    if (rho - 1.0).abs() < 1e-12 {
        return 1.0 / (k + 1.0);
    }
    (1.0 - rho) * rho.powf(k) / (1.0 - rho.powf(k + 1.0))
}

/// Erlang B: the probability that an arrival finds all `c` servers busy
/// in an M/G/c/c loss system with offered load `a`, by the stable
/// recursion `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`.
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Exact mean value analysis of a closed tandem of single exponential
/// servers with mean service times `d` (minutes) and `n` circulating
/// parts: `R_i(k) = d_i (1 + L_i(k − 1))`, `X(k) = k / Σ R_i(k)`,
/// `L_i(k) = X(k) R_i(k)`. Returns `X(n)` per minute and the `L_i(n)`.
fn mva(d: &[f64], n: u32) -> (f64, Vec<f64>) {
    let mut l = vec![0.0; d.len()];
    let mut x = 0.0;
    for k in 1..=n {
        let r: Vec<f64> = d.iter().zip(&l).map(|(di, li)| di * (1.0 + li)).collect();
        x = f64::from(k) / r.iter().sum::<f64>();
        l = r.iter().map(|ri| x * ri).collect();
    }
    (x, l)
}

#[test]
fn closed_forms_match_hand_values() {
    // One place in the system: blocked exactly when busy, P = ρ/(1 + ρ),
    // which is also Erlang B with one server.
    assert!((mm1k_blocking(0.8, 1) - 0.8 / 1.8).abs() < 1e-12);
    assert!((erlang_b(1, 0.8) - 0.8 / 1.8).abs() < 1e-12);
    assert!((mm1k_blocking(1.0, 4) - 0.2).abs() < 1e-12);
    // B(3, 2.5) = (2.5³/3!) / (1 + 2.5 + 2.5²/2 + 2.5³/6).
    let b = (15.625 / 6.0) / (1.0 + 2.5 + 3.125 + 15.625 / 6.0);
    assert!((erlang_b(3, 2.5) - b).abs() < 1e-12);
    // Erlang C follows from B: C = cB / (c − a(1 − B)).
    for (c, a) in [(1u32, 0.5), (2, 1.0), (3, 2.5), (5, 4.2)] {
        let b = erlang_b(c, a);
        let cf = f64::from(c);
        let from_b = cf * b / (cf - a * (1.0 - b));
        assert!((from_b - erlang_c(c, a)).abs() < 1e-12, "c {c}, a {a}");
    }
    // MVA with one part: it is always alone, X = 1/Σd and L_i = d_i/Σd.
    let (x, l) = mva(&[1.0, 1.5, 0.8], 1);
    assert!((x - 1.0 / 3.3).abs() < 1e-12);
    assert!((l[1] - 1.5 / 3.3).abs() < 1e-12);
    // Two identical servers, two parts: states (2,0), (1,1), (0,2) are
    // equally likely, so each server is busy 2/3 of the time and
    // X = (2/3)/d; MVA: R = d(1 + 1/2) each, X = 2/(3d).
    let (x, l) = mva(&[2.0, 2.0], 2);
    assert!((x - 1.0 / 3.0).abs() < 1e-12);
    assert!((l[0] - 1.0).abs() < 1e-12);
}

// ---- 1. outsourcing when full ------------------------------------------------

/// A part that finds its station full leaves for the overflow contractor,
/// so the share of released parts sent out is the probability that a
/// Poisson arrival finds the station full (PASTA). Four independent
/// stations, each with its own product and contractor (unlimited
/// capacity):
///
/// - `s1`: 1 exponential machine (mean 60 s), `buffer = 4` (K = 5),
///   arrivals every 75 s: ρ = 0.8, P₅ = 0.2·0.8⁵/(1 − 0.8⁶) = 0.08882.
/// - `s2`: 1 machine (mean 60 s), `buffer = 2` (K = 3), arrivals every
///   50 s: ρ = 1.2 (stable only because of the overflow),
///   P₃ = (−0.2)·1.2³/(1 − 1.2⁴) = 0.32190.
/// - `s3`: 3 exponential machines (mean 5 min), `buffer = 0`, arrivals
///   every 2 min: a = 2.5, Erlang B(3, 2.5) = 0.28217.
/// - `s4`: 2 machines with a *constant* 3 min, `buffer = 0`, arrivals
///   every 2 min: a = 1.5, B(2, 1.5) = 0.31034 — Erlang B is insensitive
///   to the service distribution beyond its mean.
///
/// Also the carried load: busy share = a(1 − P)/c.
///
/// Run: 20 replications of 200 000 min after a 1 000 min warm-up.
///
/// Allowance, reasoned by coupling: two copies of a finite-capacity
/// exponential system fed by the same arrivals and the same potential
/// service completions keep their contents ordered, and their difference
/// never grows; each arrival blocked in one copy but not the other shrinks
/// it by one. Started from any two states they therefore differ by at most
/// K (or c) blocked arrivals over the whole run, so the start (empty, then
/// a warm-up) biases the blocked share by at most K/(λT), and the busy
/// share by at most K·E[S]/(cT). We take the same allowance for the
/// constant-service `s4`, where the warm-up (333 service times) has long
/// forgotten the start. The per-replication ratio's own bias (a ratio of
/// two counts of ~10⁵) is of order 10⁻⁵ of the value, far inside these.
#[test]
fn overflow_share_matches_loss_formulas() {
    let t = 200_000.0;
    let reps = replicate(&parse_ok(
        r#"
[simulation]
horizon = "201000m"
warmup = "1000m"
replications = 20
seed = 51

[contractors.sub1]
lead_time = "1h"
prices = { a = 1.0 }
[contractors.sub2]
lead_time = "1h"
prices = { b = 1.0 }
[contractors.sub3]
lead_time = "1h"
prices = { c = 1.0 }
[contractors.sub4]
lead_time = "1h"
prices = { d = 1.0 }

[stations.s1]
buffer = 4
overflow = "sub1"
[stations.s2]
buffer = 2
overflow = "sub2"
[stations.s3]
machines = 3
buffer = 0
overflow = "sub3"
[stations.s4]
machines = 2
buffer = 0
overflow = "sub4"

[products.a]
release = { interarrival = { dist = "exponential", mean = "75s" } }
routing = [{ station = "s1", process = { dist = "exponential", mean = "60s" } }]
[products.b]
release = { interarrival = { dist = "exponential", mean = "50s" } }
routing = [{ station = "s2", process = { dist = "exponential", mean = "60s" } }]
[products.c]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "s3", process = { dist = "exponential", mean = "5m" } }]
[products.d]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "s4", process = "3m" }]
"#,
    ));
    // (name, λ per min, E[S] min, machines, places K, blocking probability)
    let cases = [
        (
            "M/M/1/5, ρ = 0.8",
            0.8,
            1.0,
            1u32,
            5u32,
            mm1k_blocking(0.8, 5),
        ),
        ("M/M/1/3, ρ = 1.2", 1.2, 1.0, 1, 3, mm1k_blocking(1.2, 3)),
        ("M/M/3/3, a = 2.5", 0.5, 5.0, 3, 3, erlang_b(3, 2.5)),
        ("M/D/2/2, a = 1.5", 0.5, 3.0, 2, 2, erlang_b(2, 1.5)),
    ];
    for (i, (name, lambda, es, c, k, p)) in cases.into_iter().enumerate() {
        let kf = f64::from(k);
        assert_agrees(
            &format!("{name}: share sent out = blocking probability"),
            reps.iter()
                .map(|r| r.contractors[i].units as f64 / r.products[i].released as f64),
            p,
            kf / (lambda * t),
        );
        assert_agrees(
            &format!("{name}: busy share = a(1 − P)/c"),
            reps.iter()
                .map(|r| r.stations[i].state_shares[MachineState::Busy as usize]),
            lambda * es * (1.0 - p) / f64::from(c),
            kf * es / (f64::from(c) * t),
        );
        for r in &reps {
            let (released, out) = (r.products[i].released, r.contractors[i].units);
            // Single parts go out one by one.
            assert_eq!(r.contractors[i].consignments, out);
            assert!((r.contractors[i].spend - out as f64).abs() < 1e-9);
            // What is not sent out is made here: released − sent out − good
            // is the change of the station's content over the window,
            // which holds at most K parts.
            let made = released - out;
            let good = r.good_per_product[i];
            assert!(
                made.abs_diff(good) <= u64::from(k),
                "{name}: released {released} − out {out} vs good {good}"
            );
            // The station never holds more than K parts.
            assert!(r.stations[i].queue_max <= kf - f64::from(c) + 1e-9);
        }
    }
    for r in &reps {
        let sent: u64 = r.contractors.iter().map(|c| c.units).sum();
        assert_eq!(r.delivery.units_outsourced, sent);
        assert_eq!(r.delivery.orders_outsourced, 0);
    }
}

// ---- 2. CONWIP closed line ---------------------------------------------------

/// A saturated product released through a CONWIP gate with cap N into
/// three single exponential machines (means 1.0, 1.5 and 0.8 min,
/// unlimited buffers): a part enters the moment another leaves, so the
/// line is a closed Jackson network with N parts, solved exactly by mean
/// value analysis ([`mva`]). For N = 1, 3, 6:
///
/// ```text
/// N   X (per min)   L_a      L_b      L_c      W = N/X (min)
/// 1   0.30303       0.30303  0.45455  0.24242  3.3
/// 3   0.52647       0.83280  1.55909  0.60811  5.69838
/// 6   0.62578       1.40412  3.67329  0.92258  9.58808
/// ```
///
/// Checked: throughput 60·X per hour; busy share of each station
/// U_i = X·d_i; mean number at the bottleneck `b` (queue + in process)
/// L_b; mean cycle time N/X (Little). Exactly, in every replication: the
/// WIP is N at every instant (the gate refills at once), so `wip_avg`
/// is N, and the parts queued or in process at the three stations add up
/// to N.
///
/// Run: 20 replications of 100 000 min after a 1 000 min warm-up, per N.
/// Allowance: whatever the arrangement of the N parts at the warm-up end,
/// it is forgotten within about one circuit W = N/X, so it shifts the
/// number of completions by at most N and the area under any station's
/// content by at most N·W; we allow twice that over T: 2N/T in
/// completions per minute (relative to X: 2N/(XT)), 2N·d_i/T in busy
/// share, 2N·W/T in mean content, and 2N/(XT) relative in cycle time.
#[test]
fn conwip_line_matches_mean_value_analysis() {
    let d = [1.0, 1.5, 0.8];
    let t = 100_000.0;
    for (n, seed) in [(1u32, 61), (3, 62), (6, 63)] {
        let s = parse_ok(&format!(
            r#"
[simulation]
horizon = "101000m"
warmup = "1000m"
replications = 20
seed = {seed}

[orders]
release = "conwip"
wip_cap = {n}

[stations.a]
[stations.b]
[stations.c]

[products.job]
release = "saturated"
routing = [
  {{ station = "a", process = {{ dist = "exponential", mean = "60s" }} }},
  {{ station = "b", process = {{ dist = "exponential", mean = "90s" }} }},
  {{ station = "c", process = {{ dist = "exponential", mean = "48s" }} }},
]
"#
        ));
        let reps = replicate(&s);
        let nf = f64::from(n);
        let (x, l) = mva(&d, n);
        let w = nf / x;
        for r in &reps {
            assert!(
                (r.wip_avg - nf).abs() < 1e-9,
                "N = {n}: WIP {} is not the cap",
                r.wip_avg
            );
            let at_stations: f64 = r
                .stations
                .iter()
                .map(|st| st.queue_avg + st.state_shares[MachineState::Busy as usize])
                .sum();
            assert!(
                (at_stations - nf).abs() < 1e-9,
                "N = {n}: parts at the stations {at_stations}"
            );
            assert!((r.wip_waiting_avg + r.wip_on_machines_avg - nf).abs() < 1e-9);
            // Each finish releases the next part at once.
            assert_eq!(r.released, r.good, "N = {n}");
        }
        assert_agrees(
            &format!("CONWIP N = {n}: throughput per hour = 60·X"),
            reps.iter().map(|r| r.throughput_per_hour),
            60.0 * x,
            60.0 * 2.0 * nf / t,
        );
        for (i, di) in d.iter().enumerate() {
            assert_agrees(
                &format!("CONWIP N = {n}: station {i} busy share = X·d"),
                reps.iter()
                    .map(|r| r.stations[i].state_shares[MachineState::Busy as usize]),
                x * di,
                2.0 * nf * di / t,
            );
        }
        assert_agrees(
            &format!("CONWIP N = {n}: parts at the bottleneck L_b"),
            reps.iter().map(|r| {
                r.stations[1].queue_avg + r.stations[1].state_shares[MachineState::Busy as usize]
            }),
            l[1],
            2.0 * nf * w / t,
        );
        assert_agrees(
            &format!("CONWIP N = {n}: cycle time = N/X"),
            reps.iter().map(|r| r.cycle_time_mean_min),
            w,
            w * 2.0 * nf / (x * t),
        );
    }
}

// ---- 3. make-to-stock base stock ------------------------------------------

/// Make-to-stock with base stock S: every unit demanded releases one
/// replenishment part, so the parts in process N form an M/M/1 queue
/// (Poisson demand λ = 0.8/min of one unit, one exponential machine
/// μ = 1/min, ρ = 0.8), and stock = (S − N)⁺, backorders = (N − S)⁺.
/// A demand is filled from stock iff it finds N < S (PASTA):
///
/// - fill rate = P(N < S) = 1 − ρ^S: 0.36 for S = 2, 0.67232 for S = 5;
/// - mean stock E[(S − N)⁺] = S − ρ(1 − ρ^S)/(1 − ρ): 0.56 and 2.31072;
/// - mean backorders E[(N − S)⁺] = ρ^(S+1)/(1 − ρ): 2.56 and 1.31072,
///   i.e. a total backlog of 3.87072 units for the two products;
/// - WIP E[N] = ρ/(1 − ρ) = 4 per product.
///
/// Two independent products (`a` with S = 2, `b` with S = 5), each on its
/// own machine. Run: 20 replications of 200 000 min after a 5 000 min
/// warm-up (56 relaxation times). Allowance: the theory module's
/// initial-transient bound 2L²/(δT) on the time average of N (L = 4,
/// δ = μ − λ), for every quantity: the indicator of N < S, (S − N)⁺ and
/// (N − S)⁺ change by at most |ΔN| when the whole number N changes, so
/// under the monotone coupling of a queue started empty with a stationary
/// one their deviation is bounded by that of N.
#[test]
fn base_stock_fill_rate_matches_mm1() {
    let t = 200_000.0;
    let reps = replicate(&parse_ok(
        r#"
[simulation]
horizon = "205000m"
warmup = "5000m"
replications = 20
seed = 71

[stations.ma]
[stations.mb]

[products.a]
stock = 2
orders = { interarrival = { dist = "exponential", mean = "75s" }, due_in = "1h" }
routing = [{ station = "ma", process = { dist = "exponential", mean = "60s" } }]
[products.b]
stock = 5
orders = { interarrival = { dist = "exponential", mean = "75s" }, due_in = "1h" }
routing = [{ station = "mb", process = { dist = "exponential", mean = "60s" } }]
"#,
    ));
    let (lambda, mu) = (0.8, 1.0);
    let rho: f64 = lambda / mu;
    let l = rho / (1.0 - rho);
    let bias = 2.0 * l * l / ((mu - lambda) * t);
    let mut backorders = 0.0;
    for (i, s) in [2i32, 5].into_iter().enumerate() {
        let sf = f64::from(s);
        assert_agrees(
            &format!("base stock S = {s}: fill rate = 1 − ρ^S"),
            reps.iter().map(|r| r.products[i].fill_rate),
            1.0 - rho.powi(s),
            bias,
        );
        assert_agrees(
            &format!("base stock S = {s}: mean stock"),
            reps.iter().map(|r| r.products[i].stock_avg),
            sf - rho * (1.0 - rho.powi(s)) / (1.0 - rho),
            bias,
        );
        backorders += rho.powi(s + 1) / (1.0 - rho);
    }
    assert_agrees(
        "base stock: backlog = Σ E[(N − S)⁺]",
        reps.iter().map(|r| r.delivery.backlog_avg),
        backorders,
        2.0 * bias,
    );
    assert_agrees(
        "base stock: WIP = 2ρ/(1 − ρ)",
        reps.iter().map(|r| r.wip_avg),
        2.0 * l,
        2.0 * bias,
    );
    for r in &reps {
        assert!(r.delivery.orders_lost == 0 && r.delivery.units_outsourced == 0);
        // Units delivered: filled from stock, or from backorder by a
        // finishing part; every finished part either fills a backorder or
        // goes to stock, so deliveries never exceed what stock and plant
        // could supply.
        for (i, p) in r.products.iter().enumerate() {
            assert!(p.delivered <= p.good + [2, 5][i], "{p:?}");
        }
    }
}

// ---- 4. an order book traced by hand ---------------------------------------

/// The order book of [`order_book_by_hand`], in a file order that differs
/// from the arrival order (the model sorts it; order numbers in the trace
/// follow arrival), with an extra column that is ignored.
const BOOK: &str = "\
id,customer,product,quantity,arrival,due
D,Dana,yoke,2,16m,1h
A,Ada,xbar,3,0m,8h
C,Cy,xbar,1,12m,45m
B,Bo,yoke,1,5m,10h
";

/// The scenario of [`order_book_by_hand`] with `dispatch` at `cut`.
fn book_scenario(dispatch: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "2h"
replications = 1

[orders]
book = "book.csv"

[costs]
late_penalty_per_unit_day = 96.0
wip_holding_per_hour = 6.0

[stations.cut]
dispatch = "{dispatch}"
[stations.pack]

[products.xbar]
price = 10.0
material_cost = 2.0
routing = [{{ station = "cut", process = "10m" }}, {{ station = "pack", process = "5m" }}]
[products.yoke]
price = 25.0
material_cost = 3.0
routing = [{{ station = "cut", process = "20m" }}, {{ station = "pack", process = "5m" }}]
"#
    )
}

/// `(minute, order number)` of the trace lines with `event`.
fn order_events(trace: &[TraceRecord], event: &str) -> Vec<(f64, u64)> {
    trace
        .iter()
        .filter(|t| t.event == event)
        .map(|t| {
            (
                t.time_s / 60.0,
                t.order.expect("an order event names its order"),
            )
        })
        .collect()
}

/// `(minute, part)` of the operations started at `station`.
fn starts_at(trace: &[TraceRecord], station: &str) -> Vec<(f64, u64)> {
    trace
        .iter()
        .filter(|t| t.event == "process_start" && t.station == station)
        .map(|t| (t.time_s / 60.0, t.part.unwrap()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Four orders from a CSV book through `cut` (xbar 10 min, yoke 20 min,
/// one machine) and `pack` (5 min, one machine); every unit is released
/// when its order arrives. Sorted by arrival the orders are numbered
///
/// ```text
/// order  id  product  qty  arrival  due    parts
///   0    A   xbar      3    0        480    p0 p1 p2
///   1    B   yoke      1    5        600    p3
///   2    C   xbar      1   12         45    p4
///   3    D   yoke      2   16         60    p5 p6      (minutes)
/// ```
///
/// With `dispatch = "earliest_due"` at `cut` (ties to the earlier queued):
///
/// ```text
///  0  p0 on cut (→10); p1, p2 queue          5  p3 queues
/// 10  p0 → pack (→15); cut: EDD among p1 480, p2 480, p3 600 → p1 (→20)
/// 12  p4 queues (due 45)                    15 p0 done (A: 2 open)
/// 16  p5, p6 queue (due 60)
/// 20  p1 → pack (→25); cut: p4, due 45, jumps the queue (→30)
/// 25  p1 done (A: 1 open)
/// 30  p4 → pack (→35); cut: p5 (→50)        35 p4 done: C complete, 10 early
/// 50  p5 → pack (→55); cut: p6 (→70)        55 p5 done (D: 1 open)
/// 70  p6 → pack (→75); cut: p2 (→80)        75 p6 done: D complete, 15 late
/// 80  p2 → pack (→85); cut: p3 (→100)       85 p2 done: A complete, 395 early
/// 100 p3 → pack (→105)                     105 p3 done: B complete, 495 early
/// ```
///
/// KPIs: 4 orders completed, 3 on time (units: 5 of 7); lateness
/// (−395 − 495 − 10 + 15)/4 = −221.25 min; tardiness mean 15/4 min, max
/// 15 min; lead times 85, 100, 23, 59: mean 66.75 min. Every unit is
/// released at its order's arrival and delivered when its part finishes,
/// so WIP and backlog share one area, in unit-minutes: A 15 + 25 + 85,
/// B 100, C 23, D 39 + 59; 346 in all, over 120 minutes. Late penalty:
/// D's 2 units × 15 min (1/96 day) × 96 = 2. Materials 4 xbar × 2 +
/// 3 yoke × 3 = 17; WIP holding 346/60 h × 6 = 34.6; total 53.6; revenue
/// 4 × 10 + 3 × 25 = 115; profit 61.4.
///
/// With FIFO at `cut` the urgent orders wait their turn: cut starts p0 0,
/// p1 10, p2 20, p3 30, p4 50, p5 60, p6 80, and A, B, C, D complete at
/// 35, 55, 65 and 105: C 20 min late (1 unit), D 45 min late (2 units),
/// 2 of 4 on time, penalty (20 + 90)/1440 × 96 = 7.333….
#[test]
fn order_book_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.csv"), BOOK).unwrap();
    let load = |name: &str, dispatch: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, book_scenario(dispatch)).unwrap();
        match scenario::load(&path) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    };

    let s = load("edd.toml", "earliest_due");
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let trace = trace.unwrap();
    assert_eq!(
        order_events(&trace, "order_arrival"),
        vec![(0.0, 0), (5.0, 1), (12.0, 2), (16.0, 3)]
    );
    assert_eq!(
        starts_at(&trace, "cut"),
        vec![
            (0.0, 0),
            (10.0, 1),
            (20.0, 4),
            (30.0, 5),
            (50.0, 6),
            (70.0, 2),
            (80.0, 3)
        ]
    );
    assert_eq!(
        order_events(&trace, "order_complete"),
        vec![(35.0, 2), (75.0, 3), (85.0, 0), (105.0, 1)]
    );
    let products: Vec<&str> = trace
        .iter()
        .filter(|t| t.event == "order_complete")
        .map(|t| t.product.as_str())
        .collect();
    assert_eq!(products, ["xbar", "yoke", "xbar", "yoke"]);

    let d = &r.delivery;
    assert_eq!(d.orders_arrived, 4);
    assert_eq!(d.orders_completed, 4);
    assert_eq!(d.orders_on_time, 3);
    assert_eq!((d.units_completed, d.units_on_time), (7, 5));
    assert!(close(d.on_time_orders, 0.75));
    assert!(close(d.on_time_units, 5.0 / 7.0));
    assert!(close(d.lateness_mean_h, -221.25 / 60.0), "{d:?}");
    assert!(close(d.tardiness_mean_h, 15.0 / 4.0 / 60.0), "{d:?}");
    assert!(close(d.tardiness_max_h, 0.25), "{d:?}");
    assert!(close(d.lead_time_mean_h, 66.75 / 60.0), "{d:?}");
    assert!(close(d.backlog_avg, 346.0 / 120.0), "{d:?}");
    assert_eq!(d.backlog_end, 0);
    assert!(close(r.wip_avg, 346.0 / 120.0));
    assert_eq!((d.orders_lost, d.orders_outsourced), (0, 0));
    assert_eq!(r.products[0].orders_completed, 2);
    assert_eq!(r.products[0].delivered, 4);
    assert_eq!(r.products[1].delivered, 3);
    assert!(close(r.products[0].on_time_orders, 1.0));
    assert!(close(r.products[1].on_time_orders, 0.5));

    let c = &r.costs;
    assert!(close(c.late_penalty, 2.0 * (15.0 / 1440.0) * 96.0), "{c:?}");
    assert!(close(c.late_penalty, 2.0), "{c:?}");
    assert!(close(c.materials, 17.0), "{c:?}");
    assert!(close(c.wip_holding, 346.0 / 60.0 * 6.0), "{c:?}");
    assert!(close(c.total, 53.6), "{c:?}");
    assert!(close(c.revenue, 115.0), "{c:?}");
    assert!(close(c.profit, 61.4), "{c:?}");

    let s = load("fifo.toml", "fifo");
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let trace = trace.unwrap();
    assert_eq!(
        starts_at(&trace, "cut"),
        vec![
            (0.0, 0),
            (10.0, 1),
            (20.0, 2),
            (30.0, 3),
            (50.0, 4),
            (60.0, 5),
            (80.0, 6)
        ]
    );
    assert_eq!(
        order_events(&trace, "order_complete"),
        vec![(35.0, 0), (55.0, 1), (65.0, 2), (105.0, 3)]
    );
    let d = &r.delivery;
    assert_eq!((d.orders_completed, d.orders_on_time), (4, 2));
    assert_eq!(d.units_on_time, 4);
    assert!(close(d.tardiness_max_h, 0.75), "{d:?}");
    // Lateness: A −445, B −545, C +20, D +45.
    assert!(close(
        d.lateness_mean_h,
        (-445.0 - 545.0 + 20.0 + 45.0) / 4.0 / 60.0
    ));
    assert!(close(
        r.costs.late_penalty,
        (20.0 + 2.0 * 45.0) / 1440.0 * 96.0
    ));
}

// ---- 5. the cost model reconciles ------------------------------------------

/// A plant with every cost line active:
///
/// - `mill`: staffed by `crew` (2 operators, wage 30, overtime premium
///   1.5) on a 06:00–22:00 weekday calendar plus Saturday overtime;
///   running cost 12/h; buffer 6 overflowing to `jobshop` (capacity 150 a
///   week, 5 % defects); some scrap.
/// - `weld`: automated (2 machines instead of 1, process × 0.8, running
///   cost 35/h instead of 20/h, capital 436 800 over 260 weeks, i.e.
///   10/h).
/// - `pack`: running cost 5/h, 10 min changeovers (setup time is charged).
/// - `bracket`: made to order (random orders of 1–4 units, due in 6 h),
///   10 % of orders go to `partner`; `hinge`: made to stock (base stock 3)
///   with 30 min patience, so some orders are lost.
/// - Holding costs for WIP and stock, late penalty, lost-sale penalty.
///
/// In every replication (warm-up 0, so that the run's counts are whole):
/// `total` is the sum of the lines; each line equals the quantities it is
/// made of, taken from other outputs; revenue and profit follow; and
/// parts are conserved: released = good + scrapped + sent out by
/// overflow + WIP at the end. The WIP at the end is not an output: it is
/// counted from the trace, as the parts released that neither finished,
/// were scrapped nor left for a contractor.
#[test]
fn costs_reconcile_in_every_replication() {
    let s = parse_ok(
        r#"
[simulation]
horizon = "2w"
replications = 8
seed = 81

[calendars.day]
shifts = [{ start = "06:00", end = "22:00" }]
days = ["mon", "tue", "wed", "thu", "fri"]
overtime = [{ days = ["sat"], start = "06:00", end = "14:00" }]

[workers.crew]
count = 2
stations = ["mill"]
wage = 30.0
overtime_premium = 1.5
calendar = "day"

[contractors.jobshop]
lead_time = { dist = "uniform", min = "1d", max = "3d" }
prices = { bracket = 90.0 }
capacity_per_week = 150
defect_rate = 0.05

[contractors.partner]
lead_time = "2d"
prices = { bracket = 120.0 }

[stations.mill]
machines = 2
buffer = 6
overflow = "jobshop"
cost_per_hour = 12.0

[stations.weld]
cost_per_hour = 20.0
automate = true
[stations.weld.automated]
machines = 2
process_factor = 0.8
cost_per_hour = 35.0
capital = 436800.0
life = "260w"

[stations.pack]
cost_per_hour = 5.0

[products.bracket]
price = 150.0
material_cost = 30.0
orders = { interarrival = { dist = "exponential", mean = "40m" }, quantity = { dist = "uniform", min = 1, max = 4 }, due_in = "6h" }
outsource = { to = "partner", share = 0.1 }
routing = [
  { station = "mill", process = { dist = "exponential", mean = "20m" }, operators = 1, scrap = 0.03 },
  { station = "weld", process = { dist = "exponential", mean = "10m" } },
  { station = "pack", process = "4m", setup = "10m" },
]

[products.hinge]
price = 40.0
material_cost = 8.0
stock = 3
patience = "30m"
orders = { interarrival = { dist = "exponential", mean = "20m" }, due_in = "1d" }
routing = [
  { station = "weld", process = { dist = "exponential", mean = "12m" } },
  { station = "pack", process = "2m", setup = "10m" },
]

[costs]
wip_holding_per_hour = 0.5
stock_holding_per_hour = 0.2
late_penalty_per_unit_day = 50.0
lost_sale_penalty = 25.0
"#,
    );
    let runs: Vec<(ReplicationResult, Vec<TraceRecord>)> = (0..u64::from(s.replications))
        .into_par_iter()
        .map(|i| {
            let (r, t) = simulate(&s.factory, s.seed, i, true);
            (r, t.unwrap())
        })
        .collect();
    // The rates written above, with weld's automated running cost.
    let running = [12.0, 35.0, 5.0];
    let prices = [150.0, 40.0];
    let materials = [30.0, 8.0];
    let (jobshop, partner) = (90.0, 120.0);
    for (r, trace) in &runs {
        let c = &r.costs;
        let h = r.observed_hours;
        let ctx = format!("replication {}: {c:?}", r.replication);
        assert!(close(h, 336.0), "{ctx}");
        // Every line is exercised.
        for (name, v) in [
            ("labour_regular", c.labour_regular),
            ("labour_overtime", c.labour_overtime),
            ("materials", c.materials),
            ("outsourcing", c.outsourcing),
            ("machine_running", c.machine_running),
            ("automation_capital", c.automation_capital),
            ("wip_holding", c.wip_holding),
            ("stock_holding", c.stock_holding),
            ("late_penalty", c.late_penalty),
            ("lost_sales", c.lost_sales),
        ] {
            assert!(v > 0.0, "{name} is not exercised: {ctx}");
        }
        let lines = c.labour_regular
            + c.labour_overtime
            + c.materials
            + c.outsourcing
            + c.machine_running
            + c.automation_capital
            + c.wip_holding
            + c.stock_holding
            + c.late_penalty
            + c.lost_sales;
        assert!(close(c.total, lines), "total: {ctx}");

        // Materials: parts released × material cost, per product.
        let released: u64 = r.products.iter().map(|p| p.released).sum();
        assert_eq!(released, r.released, "{ctx}");
        let m: f64 = r
            .products
            .iter()
            .zip(materials)
            .map(|(p, k)| p.released as f64 * k)
            .sum();
        assert!(close(c.materials, m), "materials: {ctx}");
        let scrapped: u64 = r.products.iter().map(|p| p.scrapped).sum();
        assert_eq!(scrapped, r.scrapped, "{ctx}");
        assert!(
            close(c.scrap_materials, r.products[0].scrapped as f64 * 30.0),
            "scrap materials: {ctx}"
        );
        assert!(r.scrapped > 0, "{ctx}");

        // Outsourcing: contractor spend = units × price.
        let (js, pa) = (&r.contractors[0], &r.contractors[1]);
        assert!(close(js.spend, js.units as f64 * jobshop), "{ctx}");
        assert!(close(pa.spend, pa.units as f64 * partner), "{ctx}");
        assert!(close(c.outsourcing, js.spend + pa.spend), "{ctx}");
        assert!(js.units > 0 && pa.units > 0 && js.defective > 0, "{ctx}");
        assert_eq!(r.delivery.units_outsourced, js.units + pa.units, "{ctx}");
        assert_eq!(js.consignments, js.units, "overflow sends single parts");
        assert_eq!(pa.consignments, r.delivery.orders_outsourced, "{ctx}");
        // At most 150 a week, two weeks.
        assert!(js.units <= 300, "{ctx}");

        // Labour: the pools' labour cost.
        let pools: f64 = r.pools.iter().map(|p| p.labour_cost).sum();
        assert!(
            close(c.labour_regular + c.labour_overtime, pools),
            "labour: {ctx}"
        );
        assert!(close(r.labour_cost, pools), "{ctx}");
        let p = &r.pools[0];
        assert!(
            close(c.labour_overtime, p.overtime_hours * 30.0 * 1.5),
            "overtime: {ctx}"
        );
        assert!(
            close(c.labour_regular, (p.paid_hours - p.overtime_hours) * 30.0),
            "regular: {ctx}"
        );

        // Machine running: busy + setup machine-hours × rate.
        assert_eq!(r.stations[1].machines, 2, "automated weld has 2 machines");
        let mr: f64 = r
            .stations
            .iter()
            .zip(running)
            .map(|(st, rate)| {
                let share = st.state_shares[MachineState::Busy as usize]
                    + st.state_shares[MachineState::Setup as usize];
                share * f64::from(st.machines) * h * rate
            })
            .sum();
        assert!(close(c.machine_running, mr), "machine running {mr}: {ctx}");
        assert!(r.stations[2].state_shares[MachineState::Setup as usize] > 0.0);

        // Automation capital: 436 800 over 260 weeks = 10 per hour.
        assert!(
            close(c.automation_capital, 436_800.0 / (260.0 * 168.0) * h),
            "{ctx}"
        );
        assert!(close(c.automation_capital, 10.0 * h), "{ctx}");

        // Holding: time-average WIP and stock × hours × rate.
        assert!(close(c.wip_holding, r.wip_avg * h * 0.5), "{ctx}");
        let stock: f64 = r.products.iter().map(|p| p.stock_avg).sum();
        assert!(close(c.stock_holding, stock * h * 0.2), "{ctx}");
        assert_eq!(r.products[0].stock_avg, 0.0, "bracket holds no stock");

        // Late penalty: positive exactly when some order was late, and at
        // most every completed unit late by the largest tardiness.
        assert!(r.delivery.orders_on_time < r.delivery.orders_completed);
        let bound = r.delivery.units_completed as f64 * r.delivery.tardiness_max_h / 24.0 * 50.0;
        assert!(c.late_penalty <= bound * (1.0 + 1e-9), "{ctx}");

        // Lost sales: units lost × penalty.
        assert!(r.delivery.units_lost > 0, "{ctx}");
        assert!(
            close(c.lost_sales, r.delivery.units_lost as f64 * 25.0),
            "{ctx}"
        );

        // Revenue and profit.
        let revenue: f64 = r
            .products
            .iter()
            .zip(prices)
            .map(|(p, k)| p.delivered as f64 * k)
            .sum();
        assert!(close(c.revenue, revenue), "revenue: {ctx}");
        for (p, k) in r.products.iter().zip(prices) {
            assert!(close(p.revenue, p.delivered as f64 * k), "{ctx}");
        }
        assert!(close(c.profit, c.revenue - c.total), "{ctx}");
        // Per good unit: total over (good in the plant + received from
        // contractors), and at most all units sent were received.
        assert!(c.per_good_unit <= c.total / r.good as f64 * (1.0 + 1e-9));
        assert!(
            c.per_good_unit
                >= c.total / (r.good + r.delivery.units_outsourced) as f64 * (1.0 - 1e-9)
        );

        // Conservation of parts, with the WIP at the end from the trace.
        let count = |e: &str| trace.iter().filter(|t| t.event == e).count() as u64;
        let (rel, fin, scr, out) = (
            count("release"),
            count("finish"),
            count("scrap"),
            count("outsource"),
        );
        assert_eq!(
            (rel, fin, scr, out),
            (r.released, r.good, r.scrapped, js.units),
            "trace counts vs results: {ctx}"
        );
        let mut open: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for t in trace {
            match t.event {
                "release" => assert!(open.insert(t.part.unwrap())),
                "finish" | "scrap" | "outsource" => assert!(open.remove(&t.part.unwrap())),
                _ => {}
            }
        }
        let wip_end = open.len() as u64;
        assert_eq!(
            r.released,
            r.good + r.scrapped + js.units + wip_end,
            "conservation: {ctx}"
        );
    }
}

// ---- 6. bad input ----------------------------------------------------------

/// A valid scenario with orders, a contractor and a finite buffer; each
/// test breaks one thing in it.
const BASE: &str = r#"[simulation]
horizon = "1w"

[contractors.sub]
lead_time = "2d"
prices = { widget = 80.0 }

[stations.cut]
buffer = 5
overflow = "sub"

[stations.weld]

[products.widget]
orders = { interarrival = { dist = "exponential", mean = "1h" }, due_in = "1d" }
outsource = { to = "sub", share = 0.2 }
routing = [{ station = "cut", process = "20m" }, { station = "weld", process = "30m" }]
"#;

/// Line number (1-based) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

/// The single error `text` (as `plant.toml`) is refused with.
fn only_error(text: &str) -> ScenarioError {
    match scenario::parse(Path::new("plant.toml"), text) {
        Ok(_) => panic!("expected an error in:\n{text}"),
        Err(e) => {
            assert_eq!(e.0.len(), 1, "expected one error, got:\n{e}");
            e.0.into_iter().next().unwrap()
        }
    }
}

fn check(e: &ScenarioError, file: &Path, line: usize, field: &str, message_part: &str) {
    let shown = e.to_string();
    assert_eq!(e.file, file, "{shown}");
    assert_eq!(e.line, line, "wrong line in:\n{shown}");
    assert!(e.column >= 1, "{shown}");
    assert_eq!(e.field, field, "wrong field in:\n{shown}");
    assert!(
        e.message.contains(message_part),
        "message should mention {message_part:?}:\n{shown}"
    );
    assert!(
        shown.contains(&format!("{}:{}:{}", file.display(), e.line, e.column)),
        "{shown}"
    );
}

/// The scenario next to the books of the tests below: two products
/// released by orders, which only the book supplies.
const BOOK_PLANT: &str = r#"[simulation]
horizon = "1w"
[orders]
book = "orders.csv"
[stations.cut]
[products.widget]
routing = [{ station = "cut", process = "20m" }]
[products.gadget]
routing = [{ station = "cut", process = "10m" }]
"#;

/// Writes `book` as `orders.csv` next to [`BOOK_PLANT`] and loads it:
/// the errors reported in the book's file, the errors reported anywhere,
/// and the book's path (with the directory that holds it).
fn book_errors(book: &str) -> (Vec<ScenarioError>, usize, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    std::fs::write(&csv, book).unwrap();
    let toml = dir.path().join("plant.toml");
    std::fs::write(&toml, BOOK_PLANT).unwrap();
    match scenario::load(&toml) {
        Ok(_) => panic!("expected the book to be refused:\n{book}"),
        Err(e) => {
            let all = e.0.len();
            let in_book = e.0.into_iter().filter(|x| x.file == csv).collect();
            (in_book, all, csv, dir)
        }
    }
}

#[test]
fn the_base_scenarios_are_valid() {
    parse_ok(BASE);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        "id,product,quantity,arrival,due\nA1,widget,2,1h,1d\nA2,gadget,1,2h,2h\n",
    )
    .unwrap();
    let toml = dir.path().join("plant.toml");
    std::fs::write(&toml, BOOK_PLANT).unwrap();
    let s = match scenario::load(&toml) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(s.factory.policies.order_book.len(), 2);
}

#[test]
fn order_book_missing_column() {
    let (errors, _, csv, _dir) =
        book_errors("id,product,quantity,arrival,deu\nA1,widget,1,0h,1d\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    check(e, &csv, 1, "due", "no column \"due\"");
    assert_eq!(
        e.hint.as_deref(),
        Some("a column is called \"deu\": did you mean \"due\"?")
    );
    // Without a near miss, the hint lists the columns.
    let (errors, _, csv, _dir) = book_errors("id,product,quantity,arrival\nA1,widget,1,0h\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    check(&errors[0], &csv, 1, "due", "no column \"due\"");
    assert!(
        errors[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("id, product, quantity, arrival, due")
    );
}

#[test]
fn order_book_unknown_product() {
    let book = "id,product,quantity,arrival,due\nA1,widget,1,0h,1d\nA2,wdget,3,2h,1d\n";
    let (errors, _, csv, _dir) = book_errors(book);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    // CSV line 3, the product column starting at character 4.
    check(e, &csv, 3, "product", "no product is called \"wdget\"");
    assert_eq!(e.column, 4, "{e}");
    assert!(e.message.contains("\"A2\""), "the order id is named: {e}");
    assert_eq!(e.hint.as_deref(), Some("did you mean \"widget\"?"));
    // Far from every name: the hint lists the products.
    let (errors, _, _, _dir) =
        book_errors("id,product,quantity,arrival,due\nA1,sprocket,1,0h,1d\n");
    assert_eq!(
        errors[0].hint.as_deref(),
        Some("products defined: widget, gadget")
    );
}

#[test]
fn order_book_due_before_arrival() {
    let book = "id,product,quantity,arrival,due\nA1,widget,1,0h,1d\nA2,gadget,1,1d,1d\nA3,widget,2,36h,1d\n";
    let (errors, _, csv, _dir) = book_errors(book);
    assert_eq!(errors.len(), 1, "due = arrival is fine: {errors:?}");
    let e = &errors[0];
    check(e, &csv, 4, "due", "before it arrives");
    assert!(e.message.contains("\"A3\""), "{e}");
    // The due column: "A3,widget,2,36h," is 16 characters.
    assert_eq!(e.column, 17, "{e}");
    assert!(e.hint.as_deref().unwrap().contains("must not come before"));
}

#[test]
fn outsource_share_outside_unit_interval() {
    for bad in ["1.5", "-0.1", "nan"] {
        let text = BASE.replacen("share = 0.2", &format!("share = {bad}"), 1);
        let e = only_error(&text);
        check(
            &e,
            Path::new("plant.toml"),
            line_of(BASE, "share = 0.2"),
            "products.widget.outsource.share",
            "between 0 and 1",
        );
    }
}

#[test]
fn overflow_needs_a_finite_buffer() {
    let text = BASE.replacen("buffer = 5\n", "", 1);
    let e = only_error(&text);
    check(
        &e,
        Path::new("plant.toml"),
        line_of(&text, "overflow = \"sub\""),
        "stations.cut.overflow",
        "unlimited",
    );
    assert!(e.hint.as_deref().unwrap().contains("buffer"), "{e}");
    let text = BASE.replacen("buffer = 5", "buffer = \"unlimited\"", 1);
    let e = only_error(&text);
    assert_eq!(e.field, "stations.cut.overflow", "{e}");
}

#[test]
fn orders_release_without_any_orders() {
    // Drop the order process (and the outsourcing that needs orders).
    let text = BASE
        .replacen(
            "orders = { interarrival = { dist = \"exponential\", mean = \"1h\" }, due_in = \"1d\" }\n",
            "",
            1,
        )
        .replacen("outsource = { to = \"sub\", share = 0.2 }\n", "", 1);
    let e = only_error(&text);
    check(
        &e,
        Path::new("plant.toml"),
        line_of(&text, "[products.widget]"),
        "products.widget",
        "none come",
    );
    let hint = e.hint.as_deref().unwrap();
    assert!(hint.contains("orders = {") && hint.contains("book"), "{e}");
}

/// An overflow contractor must make every product that can overflow to
/// it: here `sub` has no price for `gadget`, which goes through `cut`.
/// (At 53fb71b this was accepted, and the run panicked in `send` —
/// "validated: the contractor makes the product" — when the first gadget
/// found `cut` full.)
#[test]
fn overflow_contractor_must_price_every_product_through_the_station() {
    let text = format!(
        "{BASE}\n[products.gadget]\nrelease = {{ interarrival = \"5m\" }}\nrouting = [{{ station = \"cut\", process = \"20m\" }}]\n"
    );
    let e = only_error(&text);
    check(
        &e,
        Path::new("plant.toml"),
        line_of(&text, "overflow = \"sub\""),
        "stations.cut.overflow",
        "gadget",
    );
    assert!(e.hint.as_deref().unwrap().contains("prices"), "{e}");
}

/// A book refused for one bad row is reported for that row only: the
/// products it lists must not also be told that no orders come for them,
/// with the hint to list them in the order book. (At 53fb71b they were:
/// validation checked the products against the book's accepted orders,
/// an empty list once the book was refused.)
#[test]
fn a_refused_order_book_adds_no_follow_on_errors() {
    let (in_book, all, _, _dir) =
        book_errors("id,product,quantity,arrival,due\nA1,widget,1,0h,1d\nA2,wdget,3,2h,1d\n");
    assert_eq!(in_book.len(), 1);
    assert_eq!(all, 1, "follow-on errors beside the book's own");
}

// ---- more hand-traced cases ----------------------------------------------------

/// Loads scenario `text` next to order book `book` in a fresh folder.
fn with_book(text: &str, book: &str) -> (scenario::Scenario, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.csv"), book).unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    match scenario::load(&path) {
        Ok(s) => (s, dir),
        Err(e) => panic!("{e}"),
    }
}

/// Dispatching rules by hand. Four single-unit orders arrive at time 0, in
/// book order a1, b1, a2, b2 (orders 0–3), at one machine; `a` takes 10
/// min and has priority 2, `b` 5 min and priority 1. The machine is idle,
/// so a1 starts at once; at 10 min the queue holds b1, a2, b2:
///
/// ```text
/// rule      sequence after a1      completions (order: minute)
/// fifo      b1  a2  b2             0:10  1:15  2:25  3:30
/// spt       b1  b2  a2             0:10  1:15  3:20  2:30
/// priority  a2  b1  b2             0:10  2:20  1:25  3:30
/// ```
#[test]
fn dispatch_rules_by_hand() {
    let book =
        "id,product,quantity,arrival,due\na1,a,1,0s,1d\nb1,b,1,0s,1d\na2,a,1,0s,1d\nb2,b,1,0s,1d\n";
    let expect = [
        ("fifo", vec![(10.0, 0), (15.0, 1), (25.0, 2), (30.0, 3)]),
        (
            "shortest_processing",
            vec![(10.0, 0), (15.0, 1), (20.0, 3), (30.0, 2)],
        ),
        ("priority", vec![(10.0, 0), (20.0, 2), (25.0, 1), (30.0, 3)]),
    ];
    for (rule, completions) in expect {
        let text = format!(
            r#"
[simulation]
horizon = "1h"
replications = 1
[orders]
book = "book.csv"
[stations.m]
dispatch = "{rule}"
[products.a]
priority = 2
routing = [{{ station = "m", process = "10m" }}]
[products.b]
priority = 1
routing = [{{ station = "m", process = "5m" }}]
"#
        );
        let (s, _dir) = with_book(&text, book);
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        assert_eq!(
            order_events(&trace.unwrap(), "order_complete"),
            completions,
            "{rule}"
        );
        assert_eq!(r.delivery.orders_completed, 4, "{rule}");
    }
}

/// A subcontracted step by hand: constant releases every 10 h (the first at
/// 10 h), turning 20 min, then heat treatment at a contractor (4 h each
/// way, a lead time of 1 day, 5.0 a part), then grinding 10 min. A part
/// released at t h is back at t + 0.333 + 32 h and finishes 10 min later:
/// 42.5, 52.5 and 62.5 h within the 3-day horizon (the part of 40 h would
/// finish at 72.5 h). Seven parts leave (at 10.33, …, 70.33 h): spend 35.
/// With a capacity of 2 parts a week, only the first two leave this week:
/// two finish, spend 10, and the other five wait for next Monday.
#[test]
fn subcontracted_step_by_hand() {
    for (capacity, finishes, sent) in [
        ("", vec![42.5, 52.5, 62.5], 7u64),
        ("capacity_per_week = 2", vec![42.5, 52.5], 2),
    ] {
        let s = parse_ok(&format!(
            r#"
[simulation]
horizon = "3d"
replications = 1
[contractors.heat]
lead_time = "1d"
prices = {{ shaft = 5.0 }}
{capacity}
[stations.turn]
[stations.grind]
[products.shaft]
release = {{ interarrival = "10h" }}
routing = [
  {{ station = "turn", process = "20m" }},
  {{ subcontract = "heat", transport = "4h" }},
  {{ station = "grind", process = "10m" }},
]
"#
        ));
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        let trace = trace.unwrap();
        let at = |event: &str| -> Vec<f64> {
            trace
                .iter()
                .filter(|t| t.event == event)
                .map(|t| (t.time_s / 3600.0 * 1e6).round() / 1e6)
                .collect()
        };
        assert_eq!(at("finish"), finishes, "{capacity}");
        assert_eq!(at("subcontract_out").len() as u64, sent, "{capacity}");
        let back: Vec<f64> = at("subcontract_back");
        let expected_back: Vec<f64> = finishes.iter().map(|f| f - 10.0 / 60.0).collect();
        assert!(
            back.iter()
                .zip(&expected_back)
                .all(|(a, b)| (a - b).abs() < 1e-6),
            "{back:?}"
        );
        assert_eq!(r.contractors[0].units, sent);
        assert_eq!(r.contractors[0].spend, 5.0 * sent as f64);
        assert_eq!(r.costs.outsourcing, 5.0 * sent as f64);
        // The parts come back and are finished in the plant: not outsourced
        // units, and still work in process while away.
        assert_eq!(r.delivery.units_outsourced, 0);
        assert_eq!(r.good, finishes.len() as u64);
        assert_eq!(r.released, 7);
    }
}

/// Impatient make-to-stock customers by hand: stock target 1, one machine
/// making a unit in 60 min, orders of one unit at 0, 10 and 20 min, patience
/// 30 min. Order 0 takes the unit in stock (complete at 0, on time); orders
/// 1 and 2 wait for stock and are lost at 40 and 50 min. Each order
/// releases a replacement part (finishing at 60, 120, 180 min); losing an
/// order raises the inventory position instead of releasing again, so the
/// stock ends at 3. Fill rate 1/3; lost sales 2 × 7.5.
#[test]
fn impatient_stock_orders_by_hand() {
    let book = "id,product,quantity,arrival,due\no0,w,1,0s,1h\no1,w,1,10m,1h\no2,w,1,20m,1h\n";
    let text = r#"
[simulation]
horizon = "4h"
replications = 1
[orders]
book = "book.csv"
[costs]
lost_sale_penalty = 7.5
[stations.m]
[products.w]
stock = 1
patience = "30m"
routing = [{ station = "m", process = "60m" }]
"#;
    let (s, _dir) = with_book(text, book);
    let (r, trace) = simulate(&s.factory, s.seed, 0, true);
    let trace = trace.unwrap();
    assert_eq!(order_events(&trace, "order_complete"), vec![(0.0, 0)]);
    assert_eq!(
        order_events(&trace, "order_lost"),
        vec![(40.0, 1), (50.0, 2)]
    );
    let finishes: Vec<f64> = trace
        .iter()
        .filter(|t| t.event == "finish")
        .map(|t| t.time_s / 60.0)
        .collect();
    assert_eq!(finishes, vec![60.0, 120.0, 180.0]);
    let d = &r.delivery;
    assert_eq!((d.orders_lost, d.units_lost, d.orders_completed), (2, 2, 1));
    assert!(close(d.fill_rate, 1.0 / 3.0));
    assert_eq!(r.costs.lost_sales, 15.0);
    // Stock: 1 until 0, then 0 until 60 min, 1 to 120, 2 to 180, 3 to 240:
    // (0 + 60 + 120 + 180) unit-minutes / 240 = 1.5.
    assert!(
        close(r.products[0].stock_avg, 1.5),
        "{}",
        r.products[0].stock_avg
    );
    assert_eq!(d.backlog_end, 0);
}

/// Outsourcing a share of the orders: each order goes out with probability
/// 0.3, independently (its own random stream), so over n orders the share
/// sent out is binomial: within 4 standard errors of 0.3.
#[test]
fn outsourced_share_is_binomial() {
    let s = parse_ok(
        r#"
[simulation]
horizon = "20w"
replications = 1
[contractors.c]
lead_time = "1d"
prices = { p = 1.0 }
[stations.m]
[products.p]
orders = { interarrival = { dist = "exponential", mean = "1h" }, due_in = "2d" }
outsource = { to = "c", share = 0.3 }
routing = [{ station = "m", process = { dist = "exponential", mean = "30m" } }]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let d = &r.delivery;
    let n = d.orders_arrived as f64;
    assert!(n > 3000.0, "{n} orders");
    let share = d.orders_outsourced as f64 / n;
    let se = (0.3 * 0.7 / n).sqrt();
    assert!((share - 0.3).abs() < 4.0 * se, "share {share}, se {se}");
    // One unit per order: the contractor got exactly those.
    assert_eq!(r.contractors[0].units, d.orders_outsourced);
    assert_eq!(d.units_outsourced, d.orders_outsourced);
}
