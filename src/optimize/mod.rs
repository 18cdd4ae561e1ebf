//! Simulation optimisation: `shopfloor optimize` chooses the best
//! configuration of a scenario's decision variables (its `[optimize]`
//! section) under constraints on KPIs.
//!
//! Each configuration is the baseline with every variable set to one of
//! its values ([`Scenario::derive`]), simulated on common random numbers:
//! replication `r` of every configuration uses the same random streams, so
//! paired differences are sharp. Decision spaces of at most
//! [`EXHAUSTIVE`] configurations are tried exhaustively with the KN
//! ranking-and-selection procedure and feasibility checks
//! ([`select`](select::select)); larger ones are searched on their integer
//! lattice ([`search`](search::search)) and the best points visited go
//! through the same selection.
//!
//! The procedure asks for replications stage by stage; a stage's
//! replications run in parallel, each saved to the job file as it ends
//! ([`journal`]), and the next decision is taken only once the stage is
//! complete, on sums in replication order — so the answer is the same for
//! any thread count, and `--resume` replays it exactly.

pub mod journal;
pub mod search;
pub mod select;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::experiment::Progress;
use crate::experiment::kpi::{KPIS, Kpi, kpi};
use crate::model::{Factory, simulate};
use crate::scenario::{Bound, OptimizeSpec, Scenario};
use crate::stats::Estimate;
use journal::{Finished, Journal, Manifest};
use select::{Feasibility, Problem, Sampler, Status, Stopped, feasibility};

/// Decision spaces up to this many configurations are tried exhaustively.
pub const EXHAUSTIVE: usize = 64;
/// The probability of a wrong selection KN allows (beyond the
/// indifference zone).
pub const ALPHA: f64 = 0.05;

/// One constraint as reported.
#[derive(Clone, Debug, Serialize)]
pub struct ConstraintReport {
    /// KPI name.
    pub kpi: &'static str,
    /// `at_least` or `at_most`.
    pub side: &'static str,
    /// Threshold.
    pub threshold: f64,
}

/// How a configuration misses a constraint.
#[derive(Clone, Debug, Serialize)]
pub struct Miss {
    /// KPI name.
    pub kpi: &'static str,
    /// The KPI's estimate.
    pub estimate: Estimate,
    /// How far the mean misses the threshold (0: it meets it).
    pub shortfall: f64,
}

/// One evaluated configuration.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    /// Its index in the decision space (the first variable slowest).
    pub index: usize,
    /// Short name, e.g. `weld.machines=3,operators.count=5`.
    pub name: String,
    /// Every variable's value, `(path, value as TOML)`.
    pub values: Vec<(String, String)>,
    /// What became of it.
    pub status: Status,
    /// Feasibility on the constraints' 95% CIs over its replications.
    pub feasibility: Feasibility,
    /// Why it is invalid, for [`Status::Invalid`].
    pub invalid: Option<String>,
    /// Replications simulated.
    pub replications: u64,
    /// The objective.
    pub objective: Estimate,
    /// The constraints, in order.
    pub constraints: Vec<Miss>,
    /// Every KPI the plant defines, by name.
    pub kpis: BTreeMap<&'static str, Estimate>,
    /// On the cost against on-time delivery frontier.
    pub frontier: bool,
    /// What it invests beyond the baseline (stations automated, machines
    /// bought at a `capital_per_machine`), absent when nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investment: Option<InvestmentNote>,
}

/// A configuration's investment beyond the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct InvestmentNote {
    /// What it buys, e.g. `weld automated, 1 machine at cut`.
    pub buys: String,
    /// The capital: the automations' `capital` plus the machines bought ×
    /// their price.
    pub capital: f64,
    /// The part of it that is machines bought, which no cost line charges
    /// (the automations' is written off in `automation_capital`).
    pub machines_capital: f64,
}

/// A runner-up: a configuration the data cannot tell from the chosen one.
#[derive(Clone, Debug, Serialize)]
pub struct RunnerUp {
    /// Position in [`OptimizeResult::configurations`].
    pub configuration: usize,
    /// Paired difference in the objective, this − chosen, over their
    /// common replications.
    pub difference: Estimate,
}

/// What `shopfloor optimize` found.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizeResult {
    /// Scenario name.
    pub scenario: String,
    /// FNV-1a hash of the scenario file.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Horizon and warm-up, seconds.
    pub horizon_s: f64,
    /// Warm-up, seconds.
    pub warmup_s: f64,
    /// `maximize` or `minimize`.
    pub direction: &'static str,
    /// The objective KPI.
    pub objective: &'static str,
    /// The constraints.
    pub constraints: Vec<ConstraintReport>,
    /// Indifference zone δ.
    pub indifference: f64,
    /// First-stage replications.
    pub first_replications: u32,
    /// Replications per configuration at most.
    pub max_replications: u32,
    /// Probability of correct selection promised beyond δ.
    pub confidence: f64,
    /// `exhaustive` or `lattice search`.
    pub method: &'static str,
    /// The decision variables and their values.
    pub variables: Vec<(String, Vec<String>)>,
    /// Configurations in the decision space.
    pub space: usize,
    /// Replications simulated in all.
    pub replications: u64,
    /// Replications a brute force at `max_replications` each would take.
    pub brute_force_replications: u64,
    /// Position of the chosen configuration in `configurations` (None: no
    /// configuration is known to meet the constraints).
    pub chosen: Option<usize>,
    /// Configurations statistically indistinguishable from the chosen one.
    pub runners_up: Vec<RunnerUp>,
    /// When none is feasible: the closest configurations (by total relative
    /// shortfall of their means), at most three.
    pub closest: Vec<usize>,
    /// The frontier's axes: cost KPI (lower is better) and delivery KPI
    /// (higher is better).
    pub frontier_axes: (&'static str, &'static str),
    /// Every evaluated configuration, by index.
    pub configurations: Vec<Configuration>,
}

/// How to run an optimisation.
pub struct Settings<'a> {
    /// `OUT/<scenario>/optimize`.
    pub dir: &'a Path,
    /// Reuse the replications of an interrupted run.
    pub resume: bool,
    /// Set (e.g. by Ctrl-C) to stop starting replications.
    pub stop: &'a AtomicBool,
}

/// What an optimisation ended with.
pub enum Outcome {
    /// Finished; `run` replications were simulated now (the others were
    /// resumed from disk).
    Complete {
        /// The answer.
        result: Box<OptimizeResult>,
        /// Replications simulated by this run.
        run: u64,
    },
    /// Stopped by the user; `done` replications are saved.
    Interrupted {
        /// Replications saved so far.
        done: u64,
    },
}

/// The simulator as a [`Sampler`]: derives configurations on first use,
/// runs a stage's missing replications in parallel and saves each.
struct Runs<'a> {
    scenario: &'a Scenario,
    spec: &'a OptimizeSpec,
    factories: BTreeMap<usize, Result<Factory, String>>,
    /// Replications 0..n of each configuration, in order.
    data: BTreeMap<usize, Vec<Vec<f64>>>,
    /// Finished replications read from disk, not yet used.
    resumed: Finished,
    journal: Journal,
    stop: &'a AtomicBool,
    progress: &'a dyn Progress,
    run: u64,
    spent: u64,
}

impl Runs<'_> {
    fn factory(&mut self, i: usize) -> &Result<Factory, String> {
        let (sc, spec) = (self.scenario, self.spec);
        self.factories.entry(i).or_insert_with(|| {
            sc.derive(&spec.name(i), &spec.overrides(i))
                .map(|v| v.factory)
        })
    }
}

impl Runs<'_> {
    /// Derives the configurations among `wanted` not derived yet, in
    /// parallel (each derivation parses and validates the scenario).
    fn derive_all(&mut self, wanted: impl Iterator<Item = usize>) {
        let mut missing: Vec<usize> = wanted.filter(|i| !self.factories.contains_key(i)).collect();
        missing.dedup();
        let (sc, spec) = (self.scenario, self.spec);
        let derived: Vec<(usize, Result<Factory, String>)> = missing
            .par_iter()
            .map(|&i| {
                let f = sc
                    .derive(&spec.name(i), &spec.overrides(i))
                    .map(|v| v.factory);
                (i, f)
            })
            .collect();
        self.factories.extend(derived);
    }
}

/// KPI values of one replication; non-finite values (no value) are NaN.
fn kpi_values(r: &crate::model::ReplicationResult) -> Vec<f64> {
    KPIS.iter()
        .map(|k| {
            Some((k.get)(r))
                .filter(|x| x.is_finite())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

impl Sampler for Runs<'_> {
    fn usable(&mut self, i: usize) -> bool {
        self.factory(i).is_ok()
    }

    fn bound(&mut self, more: u64) {
        self.progress.set_total(self.spent + more, self.spent);
    }

    fn ensure(&mut self, wants: &[(usize, u64)]) -> Result<(), Stopped> {
        let mut jobs: Vec<(usize, u64)> = Vec::new();
        for &(i, n) in wants {
            let have = self.data.get(&i).map_or(0, Vec::len) as u64;
            jobs.extend((have..n).map(|r| (i, r)));
        }
        let todo: Vec<(usize, u64)> = jobs
            .iter()
            .copied()
            .filter(|j| !self.resumed.contains_key(j))
            .collect();
        self.derive_all(todo.iter().map(|&(i, _)| i));
        for &(i, _) in &todo {
            if let Err(e) = self.factory(i) {
                return Err(Stopped::Failed(e.clone()));
            }
        }
        let error = Mutex::new(None::<String>);
        // The lowest (configuration, replication) overloaded is reported, so
        // the message does not depend on which thread got there first.
        let overload = Mutex::new(None::<((usize, u64), String)>);
        let (factories, seed, journal, stop, progress) = (
            &self.factories,
            self.scenario.seed,
            &self.journal,
            self.stop,
            self.progress,
        );
        let fresh: Vec<((usize, u64), Vec<f64>)> = todo
            .par_iter()
            .filter_map(|&(i, r)| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let f = factories[&i].as_ref().ok()?;
                let (result, _) = simulate(f, seed, r, false);
                if let Some(why) = &result.overloaded {
                    // Nothing to measure: stop, keeping what is saved.
                    let mut slot = overload.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.as_ref().is_none_or(|(at, _)| (i, r) < *at) {
                        *slot = Some(((i, r), format!("replication {r}: {why}")));
                    }
                    stop.store(true, Ordering::Relaxed);
                    return None;
                }
                let kpis = kpi_values(&result);
                if let Err(e) = journal.append(i, r, &kpis) {
                    error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e);
                    stop.store(true, Ordering::Relaxed);
                    return None;
                }
                progress.job_done();
                Some(((i, r), kpis))
            })
            .collect();
        self.run += fresh.len() as u64;
        self.resumed.extend(fresh);
        if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(Stopped::Failed(format!(
                "cannot save finished replications: {e}"
            )));
        }
        if let Some((_, e)) = overload.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(Stopped::Failed(format!(
                "{e}\n  hint: the plant cannot keep up with its releases in this configuration; narrow the decision variables or raise `simulation.max_parts` if this many parts is real"
            )));
        }
        if jobs.iter().any(|j| !self.resumed.contains_key(j)) {
            return Err(Stopped::Interrupted);
        }
        for j in jobs {
            let v = self.resumed.remove(&j).expect("checked above");
            self.data.entry(j.0).or_default().push(v);
            self.spent += 1;
        }
        Ok(())
    }

    fn value(&self, i: usize, r: u64, c: usize) -> f64 {
        self.data[&i][r as usize][c]
    }
}

fn column(k: &Kpi) -> usize {
    KPIS.iter()
        .position(|x| x.name == k.name)
        .expect("a KPI of KPIS")
}

/// Optimises `scenario` (which must have an `[optimize]` section).
pub fn optimize(
    scenario: &Scenario,
    settings: &Settings<'_>,
    progress: &dyn Progress,
) -> Result<Outcome, String> {
    let spec = scenario.optimize.as_ref().ok_or_else(|| {
        format!(
            "{} has no [optimize] section: declare the decision variables, the objective and any constraints (see docs/scenario.md#optimize)",
            scenario.source.display()
        )
    })?;
    let (journal, resumed) = Journal::open(settings.dir, &Manifest::of(scenario), settings.resume)?;
    let problem = Problem {
        objective: column(spec.objective.kpi),
        maximize: spec.objective.maximize,
        constraints: spec
            .constraints
            .iter()
            .map(|c| (column(c.kpi), c.bound))
            .collect(),
        delta: spec.indifference,
        n0: u64::from(spec.first_replications),
        max: u64::from(spec.max_replications),
        alpha: ALPHA,
    };
    let mut runs = Runs {
        scenario,
        spec,
        factories: BTreeMap::new(),
        data: BTreeMap::new(),
        resumed,
        journal,
        stop: settings.stop,
        progress,
        run: 0,
        spent: 0,
    };
    let space = spec.space();
    let exhaustive = space <= EXHAUSTIVE;
    let stopped = |e: Stopped, runs: &Runs<'_>| match e {
        Stopped::Interrupted => Ok(Outcome::Interrupted {
            done: runs.spent + runs.resumed.len() as u64,
        }),
        Stopped::Failed(msg) => Err(msg),
    };
    let (evaluated, candidates) = if exhaustive {
        let all: Vec<usize> = (0..space).collect();
        runs.derive_all(all.iter().copied());
        let usable: Vec<usize> = all.iter().copied().filter(|&i| runs.usable(i)).collect();
        (all, usable)
    } else {
        let dims: Vec<usize> = spec.variables.iter().map(|v| v.values.len()).collect();
        match search::search(&problem, &dims, scenario.seed, &mut runs) {
            Ok(x) => x,
            Err(e) => return stopped(e, &runs),
        }
    };
    let selection = match select::select(&problem, &candidates, &mut runs) {
        Ok(s) => s,
        Err(e) => return stopped(e, &runs),
    };
    let result = assemble(
        scenario,
        spec,
        &problem,
        &runs,
        &evaluated,
        &candidates,
        &selection,
        exhaustive,
    );
    Ok(Outcome::Complete {
        result: Box::new(result),
        run: runs.run,
    })
}

/// Builds the report of an optimisation from its data.
#[allow(clippy::too_many_arguments)]
fn assemble(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    problem: &Problem,
    runs: &Runs<'_>,
    evaluated: &[usize],
    candidates: &[usize],
    selection: &select::Selection,
    exhaustive: bool,
) -> OptimizeResult {
    let mut evaluated = evaluated.to_vec();
    evaluated.sort_unstable();
    let defined: Vec<&'static Kpi> = KPIS
        .iter()
        .filter(|k| k.undefined_in(&scenario.factory).is_none())
        .collect();
    let reps = |i: usize| runs.data.get(&i).map_or(&[][..], Vec::as_slice);
    let estimate = |i: usize, c: usize| Estimate::from_values(reps(i).iter().map(|v| v[c]));
    let cost_kpi = if spec.objective.kpi.name == "cost_per_good_unit" {
        "cost_per_good_unit"
    } else {
        "total_cost"
    };
    let delivery_kpi = if defined.iter().any(|k| k.name == "on_time_orders") {
        "on_time_orders"
    } else {
        "throughput_per_hour"
    };
    let (cx, cy) = (
        column(kpi(cost_kpi).expect("a KPI")),
        column(kpi(delivery_kpi).expect("a KPI")),
    );
    let mut configurations: Vec<Configuration> = evaluated
        .iter()
        .map(|&i| {
            let pos = candidates.iter().position(|&c| c == i);
            let invalid = match runs.factories.get(&i) {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            };
            let status = match (pos, &invalid) {
                (_, Some(_)) => Status::Invalid,
                (Some(p), None) => selection.status[p],
                (None, None) => Status::Screened,
            };
            let n = reps(i).len() as u64;
            Configuration {
                index: i,
                name: spec.name(i),
                values: spec
                    .variables
                    .iter()
                    .zip(spec.coordinates(i))
                    .map(|(v, c)| (v.path.clone(), v.labels[c].clone()))
                    .collect(),
                status,
                feasibility: if n == 0 {
                    Feasibility::Undecided
                } else {
                    feasibility(&problem.constraints, |c| estimate(i, c))
                },
                invalid,
                replications: n,
                objective: estimate(i, problem.objective),
                constraints: spec
                    .constraints
                    .iter()
                    .zip(&problem.constraints)
                    .map(|(c, &(col, _))| {
                        let e = estimate(i, col);
                        Miss {
                            kpi: c.kpi.name,
                            estimate: e,
                            shortfall: c.shortfall(e.mean),
                        }
                    })
                    .collect(),
                kpis: defined
                    .iter()
                    .map(|k| (k.name, estimate(i, column(k))))
                    .collect(),
                frontier: false,
                investment: match runs.factories.get(&i) {
                    Some(Ok(f)) => {
                        let inv = f.investment_over(&scenario.factory);
                        (!inv.is_empty()).then(|| InvestmentNote {
                            buys: inv.describe(),
                            capital: inv.capital(),
                            machines_capital: inv
                                .machines
                                .iter()
                                .map(|(_, n, price)| f64::from(*n) * price)
                                .sum(),
                        })
                    }
                    _ => None,
                },
            }
        })
        .collect();
    let points: Vec<(f64, f64)> = configurations
        .iter()
        .map(|c| {
            if c.replications == 0 {
                (f64::NAN, f64::NAN)
            } else {
                (estimate(c.index, cx).mean, estimate(c.index, cy).mean)
            }
        })
        .collect();
    for (c, on) in configurations
        .iter_mut()
        .zip(crate::report::plots::pareto_front(&points))
    {
        c.frontier = on;
    }
    let position = |i: usize| evaluated.binary_search(&i).expect("evaluated");
    let chosen = selection.chosen.map(|p| position(candidates[p]));
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    let mut runners_up = Vec::new();
    if let Some(ch) = chosen {
        let best = configurations[ch].index;
        for (p, c) in configurations.iter().enumerate() {
            if p == ch
                || matches!(c.status, Status::Infeasible | Status::Invalid)
                || c.replications < 2
            {
                continue;
            }
            let n = c.replications.min(configurations[ch].replications) as usize;
            let d =
                Estimate::from_values((0..n).map(|r| {
                    reps(c.index)[r][problem.objective] - reps(best)[r][problem.objective]
                }));
            let overlaps = d.low <= 0.0 && 0.0 <= d.high || d.sd == 0.0 && d.mean == 0.0;
            if overlaps || matches!(c.status, Status::Contending | Status::Undecided) {
                runners_up.push(RunnerUp {
                    configuration: p,
                    difference: d,
                });
            }
        }
        runners_up.sort_by(|a, b| {
            (sign * b.difference.mean)
                .total_cmp(&(sign * a.difference.mean))
                .then(a.configuration.cmp(&b.configuration))
        });
    }
    let mut closest = Vec::new();
    if chosen.is_none() {
        let miss = |c: &Configuration| -> f64 {
            c.constraints
                .iter()
                .zip(&spec.constraints)
                .map(|(m, k)| {
                    if m.shortfall.is_nan() {
                        f64::INFINITY
                    } else {
                        m.shortfall / k.threshold().abs().max(1e-9)
                    }
                })
                .sum()
        };
        let mut order: Vec<usize> = (0..configurations.len())
            .filter(|&p| configurations[p].replications > 0)
            .collect();
        order.sort_by(|&a, &b| {
            miss(&configurations[a])
                .total_cmp(&miss(&configurations[b]))
                .then(a.cmp(&b))
        });
        closest = order.into_iter().take(3).collect();
    }
    OptimizeResult {
        scenario: scenario.factory.name.clone(),
        scenario_hash: scenario.hash.clone(),
        seed: scenario.seed,
        horizon_s: scenario.factory.horizon,
        warmup_s: scenario.factory.warmup,
        direction: if spec.objective.maximize {
            "maximize"
        } else {
            "minimize"
        },
        objective: spec.objective.kpi.name,
        constraints: spec
            .constraints
            .iter()
            .map(|c| ConstraintReport {
                kpi: c.kpi.name,
                side: match c.bound {
                    Bound::AtLeast(_) => "at_least",
                    Bound::AtMost(_) => "at_most",
                },
                threshold: c.threshold(),
            })
            .collect(),
        indifference: spec.indifference,
        first_replications: spec.first_replications,
        max_replications: spec.max_replications,
        confidence: 1.0 - ALPHA,
        method: if exhaustive {
            "exhaustive"
        } else {
            "lattice search"
        },
        variables: spec
            .variables
            .iter()
            .map(|v| (v.path.clone(), v.labels.clone()))
            .collect(),
        space: spec.space(),
        replications: runs.spent,
        brute_force_replications: spec.space() as u64 * u64::from(spec.max_replications),
        chosen,
        runners_up,
        closest,
        frontier_axes: (cost_kpi, delivery_kpi),
        configurations,
    }
}
