//! Agreement with queueing theory.
//!
//! Every test builds a model whose long-run behaviour is known in closed
//! form (M/M/1, M/M/c via Erlang C, M/G/1 via Pollaczek–Khinchine, Jackson
//! tandem and feedback networks, alternating-renewal availability, Bernoulli
//! scrap) and checks the simulated means against it.
//!
//! # How the tolerances are set
//!
//! Each KPI is measured once per replication; replications are independent
//! and long, so their means are close to normal. [`assert_agrees`] accepts
//! the theoretical value `θ` when
//!
//! ```text
//! |x̄ − θ| ≤ t(1 − α/2; n − 1) · s/√n + bias,      α = 1e-4,
//! ```
//!
//! i.e. θ must lie inside the two-sided 99.99 % Student-t confidence interval
//! (about 4.9 standard errors for n = 20), widened by a small *deterministic*
//! allowance `bias` for the error a finite run makes even without noise.
//! A correct simulator therefore fails a given check with probability about
//! 1e-4 (under 1 % over the ~60 checks of this module), while a systematic error of a
//! few standard errors — typically 0.5–2 % here — is caught. Nothing below
//! was tuned to the numbers the simulator produces: the parameters and run
//! lengths were fixed first, the tolerances follow from them.
//!
//! The bias allowance for a queue started empty comes from the
//! initial-transient deficit: for a queue with stationary mean `L` whose
//! content drifts down at rate `δ = capacity − load` (parts per minute), the
//! area lost by starting empty is about `E[N²]/(2δ) ≈ L²/δ` part-minutes
//! (reflected-Brownian-motion approximation; the exact M/M/1 value is
//! `1.25·L²/δ` at ρ = 0.8). We allow twice that, spread over the observed
//! period `T`, i.e. `2L²/(δT)` — although the warm-up, tens of relaxation
//! times long, already removes almost all of it. Cycle-time means get the
//! same relative allowance plus `2L/(λT)` for the parts censored at either
//! end of the window. These allowances are 1e-4 to 1e-3 of the values, well
//! below the statistical error; they are there so that the reasoning is
//! complete, not to make anything pass.

use std::path::Path;

use rayon::prelude::*;
use shopfloor::model::{MachineState, ReplicationResult, simulate};
use shopfloor::scenario::Scenario;
use shopfloor::stats::Estimate;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::common::scenario;

/// Two-sided error probability of one check.
const ALPHA: f64 = 1e-4;

/// The `1 − α/2` quantile of Student's t with `df` degrees of freedom.
fn t_crit(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df > 0")
        .inverse_cdf(1.0 - ALPHA / 2.0)
}

/// Asserts that the per-replication `values` have a mean consistent with
/// `theory`: within the 1 − α Student-t interval plus the deterministic
/// allowance `bias` (see the module documentation).
pub(crate) fn assert_agrees(
    what: &str,
    values: impl IntoIterator<Item = f64>,
    theory: f64,
    bias: f64,
) {
    let e = Estimate::from_values(values);
    assert!(e.n >= 5, "{what}: only {} replications", e.n);
    assert!(
        e.sd.is_finite() && e.sd > 0.0,
        "{what}: degenerate spread {:?}",
        e
    );
    let se = e.sd / (e.n as f64).sqrt();
    let tol = t_crit(e.n - 1) * se + bias;
    // Shown with `--nocapture`.
    eprintln!(
        "{what}: simulated {:.5} ± {:.5} (SE), theory {:.5}, diff {:+.5}, tol {:.5} (bias {:.2e})",
        e.mean,
        se,
        theory,
        e.mean - theory,
        tol,
        bias
    );
    assert!(
        (e.mean - theory).abs() <= tol,
        "{what}: simulated {:.5} (SE {:.5}, n {}), theory {:.5}, |diff| {:.5} > tolerance {:.5}",
        e.mean,
        se,
        e.n,
        theory,
        (e.mean - theory).abs(),
        tol
    );
}

/// Initial-transient allowance `2L²/(δT)` on a time-average number in a
/// queue (parts) with stationary mean `l`, drift `delta` (per minute) and
/// observed length `t` (minutes).
fn transient(l: f64, delta: f64, t: f64) -> f64 {
    2.0 * l * l / (delta * t)
}

/// Allowance on a machine's busy share: a system started empty has done
/// about `L` parts' worth of work too little by the time it is stationary,
/// i.e. `L·E[work per part]/c` minutes per machine; doubled, over `T`.
fn util_bias(l: f64, work: f64, machines: f64, t: f64) -> f64 {
    2.0 * l * work / (machines * t)
}

/// Relative allowance on a mean cycle time: the transient of the number in
/// system (relative: `2L/(δT)`) plus `2L/(λT)` for parts cut off at the two
/// ends of the observed window.
fn cycle_bias_rel(l: f64, delta: f64, lambda: f64, t: f64) -> f64 {
    2.0 * l / (delta * t) + 2.0 * l / (lambda * t)
}

/// Every replication of `s`, in index order (run in parallel; each is
/// seeded by its index alone, so the order of completion does not matter).
/// Calls the model layer directly, which is all these checks need.
pub(crate) fn replicate(s: &Scenario) -> Vec<ReplicationResult> {
    (0..u64::from(s.replications))
        .into_par_iter()
        .map(|r| simulate(&s.factory, s.seed, r, false).0)
        .collect()
}

/// Runs the scenario text and checks every replication observed `minutes`.
fn run(text: &str, minutes: f64) -> Vec<ReplicationResult> {
    let reps = replicate(&scenario(text));
    for r in &reps {
        assert!(
            (r.observed_hours * 60.0 - minutes).abs() < 1e-6 * minutes,
            "observed {} h, expected {minutes} min",
            r.observed_hours
        );
    }
    reps
}

/// Share of machine time in `state` at station `i`, per replication.
fn share(reps: &[ReplicationResult], i: usize, state: MachineState) -> Vec<f64> {
    reps.iter()
        .map(|r| r.stations[i].state_shares[state as usize])
        .collect()
}

/// Time-average buffer content at station `i`, per replication.
fn queue(reps: &[ReplicationResult], i: usize) -> Vec<f64> {
    reps.iter().map(|r| r.stations[i].queue_avg).collect()
}

/// Good parts of product `p` per hour, per replication.
fn good_rate(reps: &[ReplicationResult], p: usize) -> Vec<f64> {
    reps.iter()
        .map(|r| r.good_per_product[p] as f64 / r.observed_hours)
        .collect()
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with
/// `c` servers and offered load `a = λ/μ < c`.
pub(crate) fn erlang_c(c: u32, a: f64) -> f64 {
    assert!(a < f64::from(c));
    // Σ_{k<c} a^k/k!  and  a^c/c!, built term by term.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term * f64::from(c) / (f64::from(c) - a);
    tail / (sum + tail)
}

#[test]
fn erlang_c_matches_tables() {
    // c = 1 reduces to ρ; c = 2, a = 1: C = (1/2·2)/(1 + 1 + 1) = 1/3.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // c = 3, a = 2.5: 15.625 / (6.625 + 15.625).
    assert!((erlang_c(3, 2.5) - 15.625 / 22.25).abs() < 1e-12);
}

/// M/M/1 at ρ = 0.8: Poisson arrivals every 75 s (λ = 0.8/min),
/// exponential service with mean 60 s (μ = 1/min).
///
/// Theory: utilisation ρ = 0.8; WIP L = ρ/(1 − ρ) = 4; parts waiting
/// Lq = ρ²/(1 − ρ) = 3.2; cycle time W = 1/(μ − λ) = 5 min, and the cycle
/// time is exponential with that mean, so its median is W·ln 2 = 3.466 min,
/// its 90th percentile W·ln 10 = 11.51 min and its 95th W·ln 20 = 14.98 min.
///
/// Run: 20 replications of 500 000 min observed after a 5 000 min warm-up
/// (56 relaxation times 1/(μ(1 − √ρ)²) ≈ 89 min). Quantiles carry an extra
/// 0.1 % allowance for the histogram's 3 significant digits.
#[test]
fn mm1_matches_closed_form() {
    let (lambda, mu) = (0.8, 1.0);
    let rho = lambda / mu;
    let t = 500_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "505000m"
warmup = "5000m"
replications = 20
seed = 11

[stations.server]
machines = 1

[products.job]
release = { interarrival = { dist = "exponential", mean = "75s" } }
routing = [{ station = "server", process = { dist = "exponential", mean = "60s" } }]
"#,
        t,
    );
    let l = rho / (1.0 - rho);
    let lq = rho * rho / (1.0 - rho);
    let w = 1.0 / (mu - lambda);
    let delta = mu - lambda;
    let wb = cycle_bias_rel(l, delta, lambda, t);

    assert_agrees(
        "M/M/1 utilisation",
        share(&reps, 0, MachineState::Busy),
        rho,
        util_bias(l, 1.0 / mu, 1.0, t),
    );
    assert_agrees(
        "M/M/1 WIP L",
        reps.iter().map(|r| r.wip_avg),
        l,
        transient(l, delta, t),
    );
    assert_agrees(
        "M/M/1 queue Lq",
        queue(&reps, 0),
        lq,
        transient(l, delta, t),
    );
    assert_agrees(
        "M/M/1 cycle time W",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        w * wb,
    );
    // The wait in the queue, Wq = Lq/λ = 4 min, measured per part taken
    // by the machine; an arrival finds the server busy with probability ρ
    // (PASTA), so that share of the parts waits.
    let wq = lq / lambda;
    assert_agrees(
        "M/M/1 wait in queue Wq",
        reps.iter().map(|r| r.stations[0].wait_mean_min),
        wq,
        wq * wb,
    );
    assert_agrees(
        "M/M/1 share of parts that wait",
        reps.iter().map(|r| r.stations[0].waited_share),
        rho,
        2.0 * l / (lambda * t),
    );
    for r in &reps {
        assert_eq!(r.wait_mean_min, r.stations[0].wait_mean_min);
        assert_eq!(r.waited_share, r.stations[0].waited_share);
    }
    for (name, q, f) in [
        (
            "p50",
            0.5,
            reps.iter()
                .map(|r| r.cycle_time_p50_min)
                .collect::<Vec<_>>(),
        ),
        (
            "p90",
            0.9,
            reps.iter().map(|r| r.cycle_time_p90_min).collect(),
        ),
        (
            "p95",
            0.95,
            reps.iter().map(|r| r.cycle_time_p95_min).collect(),
        ),
    ] {
        let theory = -w * (1.0f64 - q).ln();
        assert_agrees(
            &format!("M/M/1 cycle time {name}"),
            f,
            theory,
            theory * (wb + 1e-3),
        );
    }
    assert_agrees(
        "M/M/1 throughput",
        reps.iter().map(|r| r.throughput_per_hour),
        lambda * 60.0,
        lambda * 60.0 * 2.0 * l / (lambda * t),
    );
}

/// M/M/c with c = 3: Poisson arrivals every 2 min (λ = 0.5/min), three
/// machines with exponential 5 min service (μ = 0.2/min); offered load
/// a = λ/μ = 2.5, utilisation ρ = a/c = 5/6.
///
/// Theory (Erlang C, computed by [`erlang_c`]): C(3, 2.5) = 0.70225,
/// Lq = C·ρ/(1 − ρ) = 3.511, L = Lq + a = 6.011, W = L/λ = 12.02 min,
/// Wq = Lq/λ, and the station's utilisation is ρ.
///
/// Run: 20 replications of 1 000 000 min after a 10 000 min warm-up
/// (relaxation time ≈ 1/(√(cμ) − √λ)² ≈ 220 min).
#[test]
fn mmc_matches_erlang_c() {
    let (lambda, mu, c) = (0.5, 0.2, 3u32);
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let t = 1_000_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "1010000m"
warmup = "10000m"
replications = 20
seed = 12

[stations.press]
machines = 3

[products.part]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "press", process = { dist = "exponential", mean = "5m" } }]
"#,
        t,
    );
    let cw = erlang_c(c, a);
    let lq = cw * rho / (1.0 - rho);
    let l = lq + a;
    let w = l / lambda;
    let delta = f64::from(c) * mu - lambda;

    assert_agrees(
        "M/M/c utilisation",
        share(&reps, 0, MachineState::Busy),
        rho,
        util_bias(l, 1.0 / mu, f64::from(c), t),
    );
    assert_agrees(
        "M/M/c queue Lq",
        queue(&reps, 0),
        lq,
        transient(l, delta, t),
    );
    assert_agrees(
        "M/M/c WIP L",
        reps.iter().map(|r| r.wip_avg),
        l,
        transient(l, delta, t),
    );
    assert_agrees(
        "M/M/c on machines (= a)",
        reps.iter().map(|r| r.wip_on_machines_avg),
        a,
        transient(l, delta, t),
    );
    assert_agrees(
        "M/M/c cycle time W",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        w * cycle_bias_rel(l, delta, lambda, t),
    );
    // Wq = Lq/λ; an arrival waits when it finds all c machines busy, with
    // probability C(c, a) (PASTA).
    let wq = lq / lambda;
    assert_agrees(
        "M/M/c wait in queue Wq",
        reps.iter().map(|r| r.stations[0].wait_mean_min),
        wq,
        wq * cycle_bias_rel(l, delta, lambda, t),
    );
    assert_agrees(
        "M/M/c share of parts that wait",
        reps.iter().map(|r| r.stations[0].waited_share),
        cw,
        2.0 * l / (lambda * t),
    );
}

/// M/G/1 (Pollaczek–Khinchine) with two independent single-machine
/// stations in one model, each fed by its own product with Poisson
/// arrivals every 60 s (λ = 1/min):
///
/// - `gam`: gamma service, mean 51 s (E[S] = 0.85 min), cv 0.5, so
///   E[S²] = (1 + cv²)·E[S]² = 0.903125 min², ρ = 0.85;
///   Lq = λ²E[S²]/(2(1 − ρ)) = 3.0104, Wq = Lq/λ = 3.0104 min,
///   W = Wq + E[S] = 3.8604 min, L = λW = 3.8604.
/// - `det`: constant service 48 s (M/D/1), E[S] = 0.8 min, E[S²] = 0.64,
///   ρ = 0.8; Lq = 1.6, W = 2.4 min, L = 2.4.
///
/// The pooled cycle time is the throughput-weighted mean (equal rates):
/// (3.8604 + 2.4)/2 = 3.1302 min; total WIP is L₁ + L₂ = 6.2604.
///
/// Run: 20 replications of 500 000 min after a 5 000 min warm-up.
#[test]
fn mg1_matches_pollaczek_khinchine() {
    let lambda = 1.0;
    let t = 500_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "505000m"
warmup = "5000m"
replications = 20
seed = 13

[stations.gam]
[stations.det]

[products.g]
release = { interarrival = { dist = "exponential", mean = "60s" } }
routing = [{ station = "gam", process = { dist = "gamma", mean = "51s", cv = 0.5 } }]

[products.d]
release = { interarrival = { dist = "exponential", mean = "60s" } }
routing = [{ station = "det", process = "48s" }]
"#,
        t,
    );
    let pk = |es: f64, cv: f64| {
        let rho = lambda * es;
        let es2 = (1.0 + cv * cv) * es * es;
        let lq = lambda * lambda * es2 / (2.0 * (1.0 - rho));
        let w = lq / lambda + es;
        (rho, lq, w, lambda * w, 1.0 / es - lambda)
    };
    let stations = [("gamma", pk(0.85, 0.5)), ("constant", pk(0.8, 0.0))];
    let mut bias_l = 0.0;
    for (i, (name, (rho, lq, _, l, delta))) in stations.iter().enumerate() {
        assert_agrees(
            &format!("M/G/1 {name} utilisation"),
            share(&reps, i, MachineState::Busy),
            *rho,
            util_bias(*l, *rho / lambda, 1.0, t),
        );
        assert_agrees(
            &format!("M/G/1 {name} queue Lq"),
            queue(&reps, i),
            *lq,
            transient(*l, *delta, t),
        );
        bias_l += transient(*l, *delta, t);
    }
    let (_, (_, _, w1, l1, d1)) = stations[0];
    let (_, (_, _, w2, l2, d2)) = stations[1];
    assert_agrees(
        "M/G/1 total WIP L1 + L2",
        reps.iter().map(|r| r.wip_avg),
        l1 + l2,
        bias_l,
    );
    let wb = cycle_bias_rel(l1, d1, lambda, t).max(cycle_bias_rel(l2, d2, lambda, t));
    assert_agrees(
        "M/G/1 pooled cycle time (W1 + W2)/2",
        reps.iter().map(|r| r.cycle_time_mean_min),
        (w1 + w2) / 2.0,
        (w1 + w2) / 2.0 * wb,
    );
}

/// A Jackson tandem: Poisson arrivals every 2 min (λ = 0.5/min) through
/// three exponential single-machine stations with unlimited buffers, mean
/// service 1.2, 1.5 and 1.0 min (μ = 0.833, 0.667, 1 per min). By Burke's
/// theorem every station behaves as an independent M/M/1 queue:
///
/// ρ = 0.6, 0.75, 0.5;  Lq_i = ρ_i²/(1 − ρ_i) = 0.9, 2.25, 0.5;
/// L = Σ ρ_i/(1 − ρ_i) = 1.5 + 3 + 1 = 5.5;
/// W = Σ 1/(μ_i − λ) = 3 + 6 + 2 = 11 min.
///
/// Run: 20 replications of 500 000 min after a 5 000 min warm-up.
#[test]
fn jackson_tandem_is_a_sum_of_mm1_queues() {
    let lambda = 0.5;
    let means = [1.2, 1.5, 1.0];
    let t = 500_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "505000m"
warmup = "5000m"
replications = 20
seed = 14

[stations.a]
[stations.b]
[stations.c]

[products.job]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [
  { station = "a", process = { dist = "exponential", mean = "72s" } },
  { station = "b", process = { dist = "exponential", mean = "90s" } },
  { station = "c", process = { dist = "exponential", mean = "60s" } },
]
"#,
        t,
    );
    let (mut l, mut w, mut bias) = (0.0, 0.0, 0.0);
    let mut min_delta = f64::INFINITY;
    for (i, es) in means.iter().enumerate() {
        let rho = lambda * es;
        let mu = 1.0 / es;
        let li = rho / (1.0 - rho);
        let delta = mu - lambda;
        l += li;
        w += 1.0 / delta;
        bias += transient(li, delta, t);
        min_delta = min_delta.min(delta);
        assert_agrees(
            &format!("tandem station {i} utilisation"),
            share(&reps, i, MachineState::Busy),
            rho,
            util_bias(l, *es, 1.0, t),
        );
        assert_agrees(
            &format!("tandem station {i} queue Lq"),
            queue(&reps, i),
            rho * rho / (1.0 - rho),
            transient(li, delta, t),
        );
    }
    assert_agrees("tandem WIP L", reps.iter().map(|r| r.wip_avg), l, bias);
    assert_agrees(
        "tandem cycle time W",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        // Conservative: the whole line's L drifting at the slowest rate.
        w * cycle_bias_rel(l, min_delta, lambda, t),
    );
}

/// Breakdowns. Five independent stations, one product each:
///
/// Saturated stations (never idle, so time is split between busy and down
/// only; with preemptive resume every operating stretch between failures
/// lasts one time-to-failure, and an alternating-renewal argument gives
/// availability A = MTBF/(MTBF + MTTR) for any distributions; throughput
/// = A/E[S]; failures per hour = 1/(MTBF + MTTR)):
///
/// - `a`: operating clock, constant 1 min process, exponential TTF mean
///   50 min, exponential repair mean 10 min: A = 5/6, throughput 50/h,
///   down share 1/6, 1 failure/h.
/// - `b`: operating clock, exponential process mean 2 min, gamma TTF mean
///   3 h cv 0.5, lognormal repair mean 30 min cv 1: A = 6/7, throughput
///   30·6/7 = 25.71/h, down share 1/7, 1/3.5 = 0.2857 failures/h.
/// - `e`: calendar clock, constant 1 min process, exponential TTF mean
///   50 min, constant repair 10 min: the same A = 5/6 and 50/h, because a
///   saturated machine that is up is always working.
///
/// Open stations (Poisson arrivals every 2 min, λ = 0.5/min; exponential
/// process mean 1 min; exponential TTF mean 100 min and repair mean
/// 10 min). All work is eventually done, so busy share = λE[S] = 0.5 on
/// either clock, and throughput = λ = 30/h. The down share differs:
///
/// - `c`, operating clock: failures come at rate 1/MTBF per busy minute,
///   so down share = busy share · MTTR/MTBF = 0.05.
/// - `d`, calendar clock: failures ignore the workload, down share =
///   MTTR/(MTBF + MTTR) = 1/11 = 0.0909.
///
/// Run: 20 replications of 200 000 min after a 5 000 min warm-up.
/// Allowance: one renewal cycle (MTBF + MTTR) over T, relative, for the
/// start in the freshly repaired state.
#[test]
fn breakdowns_match_availability() {
    let t = 200_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "205000m"
warmup = "5000m"
replications = 20
seed = 15

[stations.a]
failures = { time_to_failure = { dist = "exponential", mean = "50m" }, repair = { dist = "exponential", mean = "10m" }, clock = "operating" }
[stations.b]
failures = { time_to_failure = { dist = "gamma", mean = "3h", cv = 0.5 }, repair = { dist = "lognormal", mean = "30m", cv = 1.0 } }
[stations.e]
failures = { time_to_failure = { dist = "exponential", mean = "50m" }, repair = "10m", clock = "calendar" }
[stations.c]
failures = { time_to_failure = { dist = "exponential", mean = "100m" }, repair = { dist = "exponential", mean = "10m" }, clock = "operating" }
[stations.d]
failures = { time_to_failure = { dist = "exponential", mean = "100m" }, repair = { dist = "exponential", mean = "10m" }, clock = "calendar" }

[products.pa]
release = "saturated"
routing = [{ station = "a", process = "1m" }]
[products.pb]
release = "saturated"
routing = [{ station = "b", process = { dist = "exponential", mean = "2m" } }]
[products.pe]
release = "saturated"
routing = [{ station = "e", process = "1m" }]
[products.pc]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "c", process = { dist = "exponential", mean = "1m" } }]
[products.pd]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "d", process = { dist = "exponential", mean = "1m" } }]
"#,
        t,
    );
    // (station index, E[S] min, MTBF min, MTTR min)
    for (i, es, mtbf, mttr) in [
        (0, 1.0, 50.0, 10.0),
        (1, 2.0, 180.0, 30.0),
        (2, 1.0, 50.0, 10.0),
    ] {
        let name = &reps[0].stations[i].station;
        let cycle = mtbf + mttr;
        let avail = mtbf / cycle;
        let bias = cycle / t;
        assert_agrees(
            &format!("saturated {name}: busy share = A"),
            share(&reps, i, MachineState::Busy),
            avail,
            bias,
        );
        assert_agrees(
            &format!("saturated {name}: down share = 1 − A"),
            share(&reps, i, MachineState::Down),
            1.0 - avail,
            bias,
        );
        for r in &reps {
            let s = &r.stations[i];
            let other = s.state_shares[MachineState::Starved as usize]
                + s.state_shares[MachineState::Blocked as usize]
                + s.state_shares[MachineState::Setup as usize];
            assert!(other < 1e-9, "saturated {name} idle/blocked/setup {other}");
        }
        let thr = 60.0 * avail / es;
        assert_agrees(
            &format!("saturated {name}: throughput = A/E[S]"),
            good_rate(&reps, i),
            thr,
            thr * bias,
        );
        assert_agrees(
            &format!("saturated {name}: failures per hour"),
            reps.iter()
                .map(|r| r.stations[i].failures as f64 / r.observed_hours),
            60.0 / cycle,
            60.0 / cycle * bias,
        );
    }
    let (lambda, es, mtbf, mttr) = (0.5, 1.0, 100.0, 10.0);
    let rho = lambda * es;
    for (i, down) in [(3, rho * mttr / mtbf), (4, mttr / (mtbf + mttr))] {
        let name = &reps[0].stations[i].station;
        // Queue transient (effective capacity ≥ 1/1.1 per min) plus one
        // failure cycle, relative.
        let bias = (mtbf + mttr) / t + 2.0 / ((1.0 / 1.1 - lambda) * t);
        assert_agrees(
            &format!("open {name}: busy share = λE[S]"),
            share(&reps, i, MachineState::Busy),
            rho,
            bias,
        );
        assert_agrees(
            &format!("open {name}: down share"),
            share(&reps, i, MachineState::Down),
            down,
            bias,
        );
        assert_agrees(
            &format!("open {name}: throughput = λ"),
            good_rate(&reps, i),
            60.0 * lambda,
            60.0 * lambda * bias,
        );
    }
}

/// Scrap. Two models:
///
/// 1. A saturated station, exponential process mean 1 min, scrap
///    p = 0.1: operations at 60/h, good output (1 − p)·60 = 54/h, and the
///    scrapped share of operations is p (given the number of operations,
///    scrapped parts are Binomial(ops, p), so E[scrapped/ops] = p exactly).
///    The machine is never idle and exactly one part is in process.
/// 2. Poisson arrivals every 75 s (λ = 0.8/min) to `cut` (exponential
///    30 s, ρ₁ = 0.4) which scraps p = 0.25, then `finish` (exponential
///    75 s). Bernoulli thinning of the Poisson departure stream of `cut`
///    (Burke) feeds `finish` with a Poisson stream of rate
///    λ₂ = 0.6/min: an M/M/1 with ρ₂ = 0.75, Lq₂ = 2.25. Good output
///    36/h; L = 0.4/0.6 + 0.75/0.25 = 3.667; the scrap decision is
///    independent of the time spent at `cut`, so good parts take
///    W = 1/(2 − 0.8) + 1/(0.8 − 0.6) = 5.833 min.
///
/// Runs: 20 replications of 200 000 min (model 1, 1 000 min warm-up) and
/// 500 000 min (model 2, 5 000 min warm-up).
#[test]
fn scrap_thins_output() {
    let t = 200_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "201000m"
warmup = "1000m"
replications = 20
seed = 16

[stations.press]

[products.part]
release = "saturated"
routing = [{ station = "press", process = { dist = "exponential", mean = "1m" }, scrap = 0.1 }]
"#,
        t,
    );
    let p = 0.1;
    // The part in progress at each end of the window is counted on one side
    // only: at most one operation (E[S] = 1 min) of edge effect out of T
    // minutes' worth, i.e. a relative 1/T.
    let edge = 1.0 / t;
    assert_agrees(
        "saturated scrap: good per hour = (1 − p)/E[S]",
        reps.iter().map(|r| r.throughput_per_hour),
        (1.0 - p) * 60.0,
        (1.0 - p) * 60.0 * edge,
    );
    assert_agrees(
        "saturated scrap: operations per hour = 1/E[S]",
        reps.iter()
            .map(|r| r.stations[0].operations as f64 / r.observed_hours),
        60.0,
        60.0 * edge,
    );
    assert_agrees(
        "saturated scrap: scrapped / operations = p",
        reps.iter()
            .map(|r| r.stations[0].scrapped as f64 / r.stations[0].operations as f64),
        p,
        0.0,
    );
    for r in &reps {
        assert_eq!(r.scrapped, r.stations[0].scrapped);
        assert_eq!(r.good + r.scrapped, r.stations[0].operations);
        assert!(
            r.released.abs_diff(r.stations[0].operations) <= 1,
            "released {} vs operations {}",
            r.released,
            r.stations[0].operations
        );
        assert!((r.stations[0].utilisation - 1.0).abs() < 1e-9);
        assert!((r.wip_avg - 1.0).abs() < 1e-9, "WIP {}", r.wip_avg);
    }

    let t = 500_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "505000m"
warmup = "5000m"
replications = 20
seed = 17

[stations.cut]
[stations.finish]

[products.part]
release = { interarrival = { dist = "exponential", mean = "75s" } }
routing = [
  { station = "cut", process = { dist = "exponential", mean = "30s" }, scrap = 0.25 },
  { station = "finish", process = { dist = "exponential", mean = "75s" } },
]
"#,
        t,
    );
    let (lambda, p) = (0.8, 0.25);
    let (mu1, mu2) = (2.0, 0.8);
    let lambda2 = lambda * (1.0 - p);
    let (rho1, rho2) = (lambda / mu1, lambda2 / mu2);
    let (l1, l2) = (rho1 / (1.0 - rho1), rho2 / (1.0 - rho2));
    let (d1, d2) = (mu1 - lambda, mu2 - lambda2);
    let w = 1.0 / d1 + 1.0 / d2;
    assert_agrees(
        "scrap line: good per hour = (1 − p)λ",
        reps.iter().map(|r| r.throughput_per_hour),
        60.0 * lambda2,
        60.0 * lambda2 * 2.0 * (l1 + l2) / (lambda2 * t),
    );
    assert_agrees(
        "scrap line: scrapped / operations at cut = p",
        reps.iter()
            .map(|r| r.stations[0].scrapped as f64 / r.stations[0].operations as f64),
        p,
        0.0,
    );
    assert_agrees(
        "scrap line: cut utilisation",
        share(&reps, 0, MachineState::Busy),
        rho1,
        util_bias(l1, 1.0 / mu1, 1.0, t),
    );
    assert_agrees(
        "scrap line: finish utilisation = (1 − p)λ/μ₂",
        share(&reps, 1, MachineState::Busy),
        rho2,
        util_bias(l1 + l2, 1.0 / mu2, 1.0, t),
    );
    assert_agrees(
        "scrap line: finish queue Lq",
        queue(&reps, 1),
        rho2 * rho2 / (1.0 - rho2),
        transient(l2, d2, t),
    );
    assert_agrees(
        "scrap line: WIP L",
        reps.iter().map(|r| r.wip_avg),
        l1 + l2,
        transient(l1, d1, t) + transient(l2, d2, t),
    );
    assert_agrees(
        "scrap line: good cycle time",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        // Conservative: the whole line's L, the slower drift and the
        // smaller rate.
        w * cycle_bias_rel(l1 + l2, d1.min(d2), lambda2, t),
    );
}

/// Rework as a Jackson network with Bernoulli feedback: Poisson arrivals
/// every 2 min (λ = 0.5/min) to one exponential station (mean 1 min);
/// after each operation the part goes round again with probability
/// r = 0.25. Effective arrival rate λ/(1 − r) = 2/3 per min, so
/// ρ = 2/3 and the number at the station is distributed as in an M/M/1
/// queue: L = ρ/(1 − ρ) = 2, Lq = ρ²/(1 − ρ) = 4/3; by Little's law the
/// cycle time is W = L/λ = 4 min. Each part goes round a geometric number
/// of extra times with mean r/(1 − r) = 1/3 per good part; throughput 30/h.
///
/// Run: 20 replications of 500 000 min after a 5 000 min warm-up.
#[test]
fn rework_loop_matches_jackson_feedback() {
    let t = 500_000.0;
    let reps = run(
        r#"
[simulation]
horizon = "505000m"
warmup = "5000m"
replications = 20
seed = 18

[stations.lathe]

[products.part]
release = { interarrival = { dist = "exponential", mean = "2m" } }
routing = [{ station = "lathe", process = { dist = "exponential", mean = "1m" }, rework = 0.25 }]
"#,
        t,
    );
    let (lambda, mu, r) = (0.5, 1.0, 0.25);
    let rho = lambda / (1.0 - r) / mu;
    let l = rho / (1.0 - rho);
    let delta = mu - lambda / (1.0 - r);
    let w = l / lambda;
    assert_agrees(
        "rework: utilisation = λ/((1 − r)μ)",
        share(&reps, 0, MachineState::Busy),
        rho,
        util_bias(l, 1.0 / (mu * (1.0 - r)), 1.0, t),
    );
    assert_agrees(
        "rework: WIP L",
        reps.iter().map(|r| r.wip_avg),
        l,
        transient(l, delta, t),
    );
    assert_agrees(
        "rework: queue Lq",
        queue(&reps, 0),
        rho * rho / (1.0 - rho),
        transient(l, delta, t),
    );
    assert_agrees(
        "rework: cycle time W = L/λ",
        reps.iter().map(|r| r.cycle_time_mean_min),
        w,
        w * cycle_bias_rel(l, delta, lambda, t),
    );
    assert_agrees(
        "rework: loops per good part = r/(1 − r)",
        reps.iter().map(|x| x.reworked as f64 / x.good as f64),
        r / (1.0 - r),
        2.0 * l / (lambda * t),
    );
    assert_agrees(
        "rework: throughput = λ",
        reps.iter().map(|x| x.throughput_per_hour),
        60.0 * lambda,
        60.0 * lambda * 2.0 * l / (lambda * t),
    );
    for x in &reps {
        assert_eq!(x.reworked, x.stations[0].reworked);
        // Little's law per replication, with the edge allowance of
        // `littles_law_on_quickstart` (no scrap here): about L parts at each
        // edge of the window, each contributing at most W_max.
        let little = x.good as f64 / t * x.cycle_time_mean_min;
        let tol = 3.0 * x.wip_avg * x.cycle_time_max_min / t;
        assert!(
            (x.wip_avg - little).abs() <= tol,
            "rework replication {}: L = {:.5}, X·W = {little:.5}, tolerance {tol:.5}",
            x.replication,
            x.wip_avg
        );
    }
}

/// Little's law L = λ_eff·W on the quick-start plant, per replication.
///
/// Over an observed window of length T the WIP area equals the summed
/// in-window sojourn of every part. The good parts' mean cycle time W
/// counts whole sojourns of parts finished in the window, so
/// `L·T − X·W·T` (X = good parts per minute) is made of: minus the
/// pre-window time of parts already in the plant at the warm-up end, plus
/// the in-window time of parts still in the plant at the end, plus the
/// time of scrapped parts. With about L parts at each edge and every such
/// stretch at most a cycle time (bounded here by the longest observed
/// cycle time W_max), we allow
///
/// ```text
/// |L − X·W| ≤ (3·L + scrapped) · W_max / T
/// ```
///
/// (3L rather than 2L for the random number of parts at the edges). This is
/// a loose, structural check: it catches WIP or cycle-time bookkeeping
/// that is off by a whole factor, a unit, or a missed part class.
#[test]
fn littles_law_on_quickstart() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let s = match shopfloor::scenario::parse(Path::new(path), &text) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let reps = replicate(&s);
    assert!(reps.len() >= 2);
    for r in &reps {
        let t = r.observed_hours * 60.0;
        let x = r.good as f64 / t;
        let l = r.wip_avg;
        let little = x * r.cycle_time_mean_min;
        let tol = (3.0 * l + r.scrapped as f64) * r.cycle_time_max_min / t;
        assert!(
            (l - little).abs() <= tol,
            "replication {}: L = {l:.4}, λW = {little:.4} (X = {x:.4}/min, W = {:.3} min), \
             |diff| {:.4} > {tol:.4}",
            r.replication,
            r.cycle_time_mean_min,
            (l - little).abs()
        );
        // Shown with `--nocapture`.
        eprintln!(
            "Little, quickstart replication {}: L {l:.4}, X·W {little:.4}, tol {tol:.4}",
            r.replication
        );
        // The split of WIP into waiting and on machines adds up.
        assert!((r.wip_waiting_avg + r.wip_on_machines_avg - l).abs() < 1e-9 * l.max(1.0));
    }
}
