//! Ranking and selection under constraints: Kim & Nelson's fully
//! sequential KN procedure combined with a feasibility check on the
//! constraints' confidence intervals.
//!
//! KN (Kim & Nelson 2001, "A fully sequential procedure for
//! indifference-zone selection in simulation") samples every configuration
//! `n0` times, estimates the variance of every *paired* difference (common
//! random numbers make these small), and then adds one replication to each
//! surviving configuration per stage, eliminating `i` as soon as its mean
//! falls below another's by more than the continuation half-width
//! `W_il(r) = max(0, δ/(2r) · (h² S²_il / δ² − r))`, `h² = 2η(n0 − 1)`,
//! `η = ½[(2α/(k − 1))^(−2/(n0−1)) − 1]`. With probability at least
//! `1 − α` it keeps the best configuration whenever the best beats the
//! others by at least δ. Replications go where they decide the answer:
//! clearly worse configurations stop after `n0`, close ones run on.
//!
//! Constraints (after Andradóttir & Kim 2010, simplified): a configuration
//! is *feasible* once every constraint holds on the conservative end of its
//! 95% CI (the lower bound for `at_least`, the upper for `at_most`), and
//! *infeasible* — dropped — once one misses on the other end. Only feasible
//! configurations may eliminate others; undecided ones keep sampling.
//!
//! Stages are decided on complete data only, and every sum runs in
//! replication order, so the outcome does not depend on how the
//! replications of a stage were spread over threads.

use serde::Serialize;

use crate::scenario::Bound;
use crate::stats::Estimate;

/// Why sampling stopped before the procedure ended.
#[derive(Debug)]
pub enum Stopped {
    /// The user asked to stop (Ctrl-C); what finished is saved.
    Interrupted,
    /// Something failed (say, a job could not be saved).
    Failed(String),
}

/// Where replications come from: the simulator, or synthetic data in
/// tests.
pub trait Sampler {
    /// Makes replications `0..n` of configuration `i` available for every
    /// `(i, n)` in `wants` (all of them, or an error).
    fn ensure(&mut self, wants: &[(usize, u64)]) -> Result<(), Stopped>;
    /// Column `c` (a KPI) of replication `r` of configuration `i`.
    fn value(&self, i: usize, r: u64, c: usize) -> f64;
    /// Whether configuration `i` can be simulated at all.
    fn usable(&mut self, _i: usize) -> bool {
        true
    }
    /// At most `more` replications beyond those made so far will be asked
    /// for (for a progress bar).
    fn bound(&mut self, _more: u64) {}
}

/// What to select: the objective and constraints as KPI columns.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The objective's column.
    pub objective: usize,
    /// True to maximise it.
    pub maximize: bool,
    /// `(column, bound)` per constraint.
    pub constraints: Vec<(usize, Bound)>,
    /// Indifference zone δ (> 0).
    pub delta: f64,
    /// First-stage replications n0 (≥ 2).
    pub n0: u64,
    /// Replications per configuration at most.
    pub max: u64,
    /// 1 − the probability of correct selection (0.05).
    pub alpha: f64,
}

/// What became of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The one selected.
    Chosen,
    /// Feasible and still in contention when the replication cap was hit.
    Contending,
    /// A feasible configuration was better by more than the procedure
    /// allows.
    Eliminated,
    /// A constraint misses on its confidence interval.
    Infeasible,
    /// Not eliminated, but its feasibility was still undecided at the cap.
    Undecided,
    /// Evaluated by the search but not among the best kept for the
    /// clean-up.
    Screened,
    /// The configuration makes an invalid plant.
    Invalid,
}

/// Feasibility as judged on the constraints' 95% confidence intervals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feasibility {
    /// Every constraint holds on its conservative bound.
    Feasible,
    /// Some constraint misses even on its lenient bound.
    Infeasible,
    /// Neither yet.
    Undecided,
}

/// The feasibility of values `column(c)` (per constraint) over `r`
/// replications.
pub fn feasibility(
    constraints: &[(usize, Bound)],
    estimate: impl Fn(usize) -> Estimate,
) -> Feasibility {
    let mut all = true;
    for &(c, bound) in constraints {
        let e = estimate(c);
        let (ok, miss) = if e.n < 2 || e.low.is_nan() {
            (false, false)
        } else {
            match bound {
                Bound::AtLeast(q) => (e.low >= q, e.high < q),
                Bound::AtMost(q) => (e.high <= q, e.low > q),
            }
        };
        if miss {
            return Feasibility::Infeasible;
        }
        all &= ok;
    }
    if all {
        Feasibility::Feasible
    } else {
        Feasibility::Undecided
    }
}

/// The outcome of [`select`], per candidate (in the order given).
#[derive(Clone, Debug)]
pub struct Selection {
    /// Replications used.
    pub replications: Vec<u64>,
    /// What became of it.
    pub status: Vec<Status>,
    /// Position of the chosen candidate, if any is feasible.
    pub chosen: Option<usize>,
}

/// KN's h² for `k` configurations, first stage `n0`, error `alpha`.
pub fn kn_h2(k: usize, n0: u64, alpha: f64) -> f64 {
    if k < 2 {
        return 0.0;
    }
    let eta = 0.5 * ((2.0 * alpha / (k as f64 - 1.0)).powf(-2.0 / (n0 as f64 - 1.0)) - 1.0);
    2.0 * eta * (n0 as f64 - 1.0)
}

/// Mean of the signed objective of `i` over replications `0..r` (NaN
/// replications left out).
fn mean(s: &dyn Sampler, i: usize, r: u64, col: usize, sign: f64) -> f64 {
    Estimate::from_values((0..r).map(|k| sign * s.value(i, k, col))).mean
}

/// Runs KN with feasibility checks over `candidates` (configuration
/// indices, each usable), continuing from whatever replications the sampler
/// already holds (at least `n0` are taken of each).
pub fn select(
    p: &Problem,
    candidates: &[usize],
    s: &mut dyn Sampler,
) -> Result<Selection, Stopped> {
    let k = candidates.len();
    let sign = if p.maximize { 1.0 } else { -1.0 };
    let mut reps = vec![0u64; k];
    let mut status: Vec<Option<Status>> = vec![None; k];
    let mut feasible = vec![Feasibility::Undecided; k];
    if k == 0 {
        return Ok(Selection {
            replications: reps,
            status: Vec::new(),
            chosen: None,
        });
    }
    let n0 = p.n0.min(p.max);
    s.bound(k as u64 * p.max);
    let wants: Vec<(usize, u64)> = candidates.iter().map(|&i| (i, n0)).collect();
    s.ensure(&wants)?;
    // Paired variances of the first stage, S²_il.
    let h2 = kn_h2(k, n0, p.alpha);
    let mut s2 = vec![0.0; k * k];
    for a in 0..k {
        for b in a + 1..k {
            let e = Estimate::from_values((0..n0).map(|r| {
                sign * (s.value(candidates[a], r, p.objective)
                    - s.value(candidates[b], r, p.objective))
            }));
            let v = if e.sd.is_finite() { e.sd * e.sd } else { 0.0 };
            s2[a * k + b] = v;
            s2[b * k + a] = v;
        }
    }
    let mut r = n0;
    loop {
        let active: Vec<usize> = (0..k).filter(|&a| status[a].is_none()).collect();
        for &a in &active {
            reps[a] = r;
            if feasible[a] == Feasibility::Undecided {
                feasible[a] = feasibility(&p.constraints, |c| {
                    Estimate::from_values((0..r).map(|x| s.value(candidates[a], x, c)))
                });
                if feasible[a] == Feasibility::Infeasible {
                    status[a] = Some(Status::Infeasible);
                }
            }
        }
        let active: Vec<usize> = active
            .into_iter()
            .filter(|&a| status[a].is_none())
            .collect();
        let mut means = vec![f64::NAN; k];
        for &a in &active {
            means[a] = mean(s, candidates[a], r, p.objective, sign);
        }
        // Eliminations of this stage, all judged on the same means.
        let mut out = Vec::new();
        for &a in &active {
            let beaten = active.iter().any(|&b| {
                if b == a || feasible[b] != Feasibility::Feasible {
                    return false;
                }
                let w = (p.delta / (2.0 * r as f64)
                    * (h2 * s2[a * k + b] / (p.delta * p.delta) - r as f64))
                    .max(0.0);
                let (ma, mb) = (means[a], means[b]);
                // Past its last stage (w = 0) a pair is decided by the
                // means; an exact tie goes to the earlier configuration.
                ma < mb - w || (w == 0.0 && ma == mb && b < a) || (ma.is_nan() && !mb.is_nan())
            });
            if beaten {
                out.push(a);
            }
        }
        for a in out {
            status[a] = Some(Status::Eliminated);
        }
        let active: Vec<usize> = (0..k).filter(|&a| status[a].is_none()).collect();
        let done = active.is_empty()
            || (active.len() == 1 && feasible[active[0]] == Feasibility::Feasible)
            || r >= p.max;
        if done {
            let best = active
                .iter()
                .copied()
                .filter(|&a| feasible[a] == Feasibility::Feasible)
                .max_by(|&a, &b| means[a].total_cmp(&means[b]).then(b.cmp(&a)));
            for &a in &active {
                status[a] = Some(if Some(a) == best {
                    Status::Chosen
                } else if feasible[a] == Feasibility::Feasible {
                    Status::Contending
                } else {
                    Status::Undecided
                });
            }
            return Ok(Selection {
                replications: reps,
                status: status
                    .into_iter()
                    .map(|x| x.expect("every candidate decided"))
                    .collect(),
                chosen: best,
            });
        }
        // A few replications per stage when few configurations are left,
        // so that a stage keeps the threads busy; checking less often
        // only makes KN more conservative.
        let step = 4u64.div_ceil(active.len() as u64).max(1).min(p.max - r);
        s.bound(active.len() as u64 * (p.max - r));
        let wants: Vec<(usize, u64)> = active.iter().map(|&a| (candidates[a], r + step)).collect();
        s.ensure(&wants)?;
        r += step;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Normal data: configuration `i` has mean `means[i]`, sd `sd`, and
    /// a common random number shared by all configurations in the same
    /// replication (correlation `rho`); column 0 is the objective, column
    /// 1 equals the mean (for constraints).
    pub(crate) struct Synthetic {
        pub means: Vec<f64>,
        pub sd: f64,
        pub rho: f64,
        pub seed: u64,
        pub data: Vec<Vec<f64>>,
        pub asked: u64,
    }

    impl Synthetic {
        pub(crate) fn new(means: Vec<f64>, sd: f64, rho: f64, seed: u64) -> Synthetic {
            let k = means.len();
            Synthetic {
                means,
                sd,
                rho,
                seed,
                data: vec![Vec::new(); k],
                asked: 0,
            }
        }

        fn draw(&self, i: usize, r: u64) -> f64 {
            let n = Normal::new(0.0, 1.0).unwrap();
            let mut common = Xoshiro256PlusPlus::seed_from_u64(self.seed ^ (r << 20));
            let mut own =
                Xoshiro256PlusPlus::seed_from_u64(self.seed ^ (r << 20) ^ ((i as u64 + 1) << 44));
            let z = self.rho.sqrt() * n.sample(&mut common)
                + (1.0 - self.rho).sqrt() * n.sample(&mut own);
            self.means[i] + self.sd * z
        }
    }

    impl Sampler for Synthetic {
        fn ensure(&mut self, wants: &[(usize, u64)]) -> Result<(), Stopped> {
            for &(i, n) in wants {
                while (self.data[i].len() as u64) < n {
                    let r = self.data[i].len() as u64;
                    let x = self.draw(i, r);
                    self.data[i].push(x);
                    self.asked += 1;
                }
            }
            Ok(())
        }
        fn value(&self, i: usize, r: u64, c: usize) -> f64 {
            match c {
                0 => self.data[i][r as usize],
                _ => self.means[i],
            }
        }
    }

    fn problem(delta: f64, n0: u64, max: u64) -> Problem {
        Problem {
            objective: 0,
            maximize: true,
            constraints: Vec::new(),
            delta,
            n0,
            max,
            alpha: 0.05,
        }
    }

    #[test]
    fn h2_matches_kim_and_nelson() {
        // k = 2, n0 = 10, α = 0.05: η = ½(0.1^(−2/9) − 1).
        let eta: f64 = 0.5 * (0.1f64.powf(-2.0 / 9.0) - 1.0);
        assert!((kn_h2(2, 10, 0.05) - 2.0 * eta * 9.0).abs() < 1e-12);
        assert!(kn_h2(10, 10, 0.05) > kn_h2(2, 10, 0.05));
    }

    /// The slippage configuration (the best by exactly δ, the rest tied):
    /// the hardest case of the indifference zone. Over 200 seeded
    /// macro-runs the best is selected at least 1 − α of the time, minus
    /// three binomial standard errors.
    #[test]
    fn selects_the_best_with_the_promised_probability() {
        let k = 10;
        let delta = 1.0;
        let runs = 200;
        let mut correct = 0;
        let mut spent = 0;
        for seed in 0..runs {
            let mut means = vec![0.0; k];
            means[k - 1] = delta;
            let mut s = Synthetic::new(means, 3.0, 0.0, seed);
            let sel = select(
                &problem(delta, 10, 100_000),
                &(0..k).collect::<Vec<_>>(),
                &mut s,
            )
            .unwrap();
            correct += usize::from(sel.chosen == Some(k - 1));
            spent += s.asked;
        }
        let p = correct as f64 / runs as f64;
        let se = (0.95f64 * 0.05 / runs as f64).sqrt();
        assert!(p >= 0.95 - 3.0 * se, "P(correct selection) = {p}");
        assert!(spent > 0);
    }

    /// Common random numbers: with strongly correlated configurations the
    /// paired variances are small and far fewer replications decide.
    #[test]
    fn common_random_numbers_save_replications() {
        let means: Vec<f64> = (0..8).map(|i| i as f64 * 0.5).collect();
        let spent = |rho: f64| -> u64 {
            (0..20)
                .map(|seed| {
                    let mut s = Synthetic::new(means.clone(), 2.0, rho, seed);
                    let sel = select(
                        &problem(0.5, 10, 10_000),
                        &(0..8).collect::<Vec<_>>(),
                        &mut s,
                    )
                    .unwrap();
                    assert_eq!(sel.chosen, Some(7));
                    s.asked
                })
                .sum()
        };
        let (independent, paired) = (spent(0.0), spent(0.9));
        assert!(
            (paired as f64) < 0.5 * independent as f64,
            "{paired} against {independent}"
        );
    }

    /// A constraint (column 1 is the configuration's true mean, exactly):
    /// the best feasible is chosen, better infeasible ones are dropped, and
    /// when none is feasible nothing is chosen.
    #[test]
    fn constraints_drop_infeasible_configurations() {
        let means = vec![1.0, 2.0, 3.0, 4.0];
        let mut p = problem(0.5, 10, 500);
        p.constraints = vec![(1, Bound::AtMost(2.5))];
        let mut s = Synthetic::new(means.clone(), 1.0, 0.5, 7);
        let sel = select(&p, &[0, 1, 2, 3], &mut s).unwrap();
        assert_eq!(sel.chosen, Some(1));
        assert_eq!(sel.status[2], Status::Infeasible);
        assert_eq!(sel.status[3], Status::Infeasible);
        assert_eq!(sel.replications[3], 10);
        p.constraints = vec![(1, Bound::AtLeast(10.0))];
        let mut s = Synthetic::new(means, 1.0, 0.5, 7);
        let sel = select(&p, &[0, 1, 2, 3], &mut s).unwrap();
        assert_eq!(sel.chosen, None);
        assert!(sel.status.iter().all(|x| *x == Status::Infeasible));
    }

    /// Identical configurations (zero paired variance) are told apart at
    /// once instead of running to the cap.
    #[test]
    fn identical_configurations_end_at_once() {
        let mut s = Synthetic::new(vec![1.0, 1.0, 1.0], 1.0, 1.0, 3);
        let sel = select(&problem(0.1, 10, 1000), &[0, 1, 2], &mut s).unwrap();
        assert_eq!(sel.chosen, Some(0));
        assert_eq!(s.asked, 30);
    }
}
