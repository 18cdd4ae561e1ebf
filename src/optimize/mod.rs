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
//!
//! Once a configuration is chosen, the baseline — the scenario as written,
//! without the decision variables set — is simulated on the same random
//! numbers, as many replications as the choice had, so that the change
//! the choice asks for is measured as paired differences (and its
//! payback, when it automates a station). With a [`Stress`], the choice is
//! then checked under the changed demand ([`stress`]), and when it does
//! not stay feasible, the other feasible configurations are checked too.

pub mod journal;
pub mod search;
pub mod select;
pub mod stress;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::experiment::kpi::{KPIS, Kpi, kpi};
use crate::experiment::{InvestmentOutcome, Progress, investment_outcome};
use crate::model::{Factory, simulate};
use crate::scenario::{Bound, OptimizeSpec, Scenario};
use crate::stats::Estimate;
use journal::{Finished, Journal, Manifest};
use select::{Feasibility, Problem, Sampler, Status, Stopped, feasibility};
pub use stress::Stress;

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
    /// The product whose KPI it constrains (absent: the plant's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
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
    /// The product whose KPI it is (absent: the plant's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
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

/// Why the runner-up — the best configuration on the objective's mean
/// after the chosen one — was not chosen.
#[derive(Clone, Debug, Serialize)]
pub struct RunnerUpWhy {
    /// Position in [`OptimizeResult::configurations`].
    pub configuration: usize,
    /// `worse` (it meets the constraints, its objective is worse or not
    /// known to be better), `infeasible` (a constraint misses on its 95%
    /// CI) or `undecided` (not shown to meet every constraint).
    pub reason: &'static str,
    /// How much worse it is on the objective, paired over the common
    /// replications: chosen − runner-up when maximising, runner-up −
    /// chosen when minimising (positive: the choice is better).
    pub loss: Estimate,
    /// For `infeasible` and `undecided`: the constraint (its position)
    /// that it misses, or is not known to meet.
    pub constraint: Option<usize>,
}

/// The baseline: the scenario as written, without the decision variables
/// set, on the same random numbers as the configurations.
#[derive(Clone, Debug, Serialize)]
pub struct Baseline {
    /// Replications simulated: as many as the chosen configuration's, or
    /// `first_replications` when none is chosen.
    pub replications: u64,
    /// Feasibility on the constraints' 95% CIs.
    pub feasibility: Feasibility,
    /// The objective.
    pub objective: Estimate,
    /// The constraints, in order.
    pub constraints: Vec<Miss>,
    /// Every KPI the plant defines, by name.
    pub kpis: BTreeMap<&'static str, Estimate>,
    /// Set when the plant as written cannot keep up (work in process
    /// reached `simulation.max_parts`): what happened; nothing else about
    /// the baseline is then measured.
    pub overloaded: Option<String>,
    /// The chosen configuration against it (None without a choice or when
    /// the baseline is overloaded).
    pub change: Option<Change>,
}

/// The change from the baseline to the chosen configuration, paired
/// replication by replication (common random numbers).
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// Replications compared.
    pub replications: u64,
    /// Chosen − baseline in the objective.
    pub objective: Estimate,
    /// Chosen − baseline in each constraint's KPI, in order.
    pub constraints: Vec<Estimate>,
    /// The capital the change needs and its payback, when the choice
    /// automates stations the baseline does not (as `run` reports for an
    /// automating variant): capital / the paired operating gain a year.
    pub automation: Option<InvestmentOutcome>,
}

/// A configuration checked under the stressed demand.
#[derive(Clone, Debug, Serialize)]
pub struct Stressed {
    /// Position in [`OptimizeResult::configurations`].
    pub configuration: usize,
    /// Replications simulated under stress.
    pub replications: u64,
    /// Feasibility on the constraints' 95% CIs under stress.
    pub feasibility: Feasibility,
    /// The objective under stress.
    pub objective: Estimate,
    /// The constraints under stress, in order.
    pub constraints: Vec<Miss>,
    /// Set when the plant cannot keep up under stress (work in process
    /// reached `simulation.max_parts`): it then counts as infeasible.
    pub overloaded: Option<String>,
}

/// The stress test: the choice, and if it fails, the alternatives.
#[derive(Clone, Debug, Serialize)]
pub struct StressReport {
    /// `demand`.
    pub lever: &'static str,
    /// The factor every demand rate is multiplied by (1.15 for +15%).
    pub factor: f64,
    /// The chosen configuration under stress (None without a choice).
    pub chosen: Option<Stressed>,
    /// When the choice is not feasible under stress: every other
    /// configuration feasible without stress, under stress, those feasible
    /// under stress first — the one KN selects among them first, then
    /// best first on the objective's mean —, then the rest.
    pub alternatives: Vec<Stressed>,
    /// The position in [`OptimizeResult::configurations`] of the best
    /// alternative feasible under stress, selected by KN among them (same
    /// indifference zone and confidence as the choice).
    pub best: Option<usize>,
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
    /// Replications of the configurations simulated in all (the baseline's
    /// and those under stress apart).
    pub replications: u64,
    /// Replications a brute force at `max_replications` each would take.
    pub brute_force_replications: u64,
    /// Position of the chosen configuration in `configurations` (None: no
    /// configuration is known to meet the constraints).
    pub chosen: Option<usize>,
    /// Configurations statistically indistinguishable from the chosen one.
    pub runners_up: Vec<RunnerUp>,
    /// The best configuration after the chosen one, and why it lost.
    pub runner_up: Option<RunnerUpWhy>,
    /// The scenario as written, beside the choice.
    pub baseline: Baseline,
    /// The stress test, with `--stress`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stress: Option<StressReport>,
    /// When none is feasible: the closest configurations (by total relative
    /// shortfall of their means), at most three.
    pub closest: Vec<usize>,
    /// The frontier's axes: cost KPI (lower is better) and delivery KPI
    /// (higher is better).
    pub frontier_axes: (&'static str, &'static str),
    /// Every evaluated configuration, by index.
    pub configurations: Vec<Configuration>,
    /// The currency money is in (`costs.currency`), when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// How to run an optimisation.
pub struct Settings<'a> {
    /// `OUT/<scenario>/optimize`.
    pub dir: &'a Path,
    /// Reuse the replications of an interrupted run.
    pub resume: bool,
    /// Set (e.g. by Ctrl-C) to stop starting replications.
    pub stop: &'a AtomicBool,
    /// Check the choice under this change of demand.
    pub stress: Option<Stress>,
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
///
/// Its keys (and the job file's `config`) are configuration indices
/// `0..space`; the baseline is [`baseline_key`], and configuration `i`
/// under stress is [`stressed_key`].
struct Runs<'a> {
    scenario: &'a Scenario,
    spec: &'a OptimizeSpec,
    stress: Option<Stress>,
    /// The per-product KPIs recorded after those of `KPIS`.
    products: Vec<(&'static Kpi, usize)>,
    factories: BTreeMap<usize, Result<Factory, String>>,
    /// Replications 0..n of each key, in order.
    data: BTreeMap<usize, Vec<Vec<f64>>>,
    /// Keys of the baseline and of stressed configurations whose plant
    /// cannot keep up: the first overloaded replication's message. (An
    /// overloaded configuration of the search stops the run instead.)
    overloaded: BTreeMap<usize, String>,
    /// Finished replications read from disk, not yet used.
    resumed: Finished,
    journal: Journal,
    stop: &'a AtomicBool,
    progress: &'a dyn Progress,
    run: u64,
    spent: u64,
}

/// The sampler's key of the baseline.
fn baseline_key(spec: &OptimizeSpec) -> usize {
    spec.space()
}

/// The sampler's key of configuration `i` under stress.
fn stressed_key(spec: &OptimizeSpec, i: usize) -> usize {
    spec.space() + 1 + i
}

/// The plant of sampler key `key` (see [`Runs`]).
fn plant(
    sc: &Scenario,
    spec: &OptimizeSpec,
    stress: Option<Stress>,
    key: usize,
) -> Result<Factory, String> {
    let space = spec.space();
    if key < space {
        sc.derive(&spec.name(key), &spec.overrides(key))
            .map(|v| v.factory)
    } else if key == space {
        Ok(sc.factory.clone())
    } else {
        let i = key - space - 1;
        let f = sc.derive(&spec.name(i), &spec.overrides(i))?.factory;
        match stress {
            Some(s) => s.apply(&f),
            None => Err("no stress to apply".into()),
        }
    }
}

impl Runs<'_> {
    fn factory(&mut self, i: usize) -> &Result<Factory, String> {
        let (sc, spec, stress) = (self.scenario, self.spec, self.stress);
        self.factories
            .entry(i)
            .or_insert_with(|| plant(sc, spec, stress, i))
    }

    /// Derives the plants among `wanted` not derived yet, in parallel
    /// (each derivation parses and validates the scenario).
    fn derive_all(&mut self, wanted: impl Iterator<Item = usize>) {
        let mut missing: Vec<usize> = wanted.filter(|i| !self.factories.contains_key(i)).collect();
        missing.dedup();
        let (sc, spec, stress) = (self.scenario, self.spec, self.stress);
        let derived: Vec<(usize, Result<Factory, String>)> = missing
            .par_iter()
            .map(|&i| (i, plant(sc, spec, stress, i)))
            .collect();
        self.factories.extend(derived);
    }

    /// Replications simulated of `key`.
    fn count(&self, key: usize) -> u64 {
        self.data.get(&key).map_or(0, Vec::len) as u64
    }

    /// The estimate of column `c` over every replication of `key`.
    fn estimate(&self, key: usize, c: usize) -> Estimate {
        Estimate::from_values(self.data.get(&key).into_iter().flatten().map(|v| v[c]))
    }
}

/// KPI values of one replication, in the order of `KPIS`, then the
/// per-product KPIs `products`; non-finite values (no value) are NaN.
fn kpi_values(r: &crate::model::ReplicationResult, products: &[(&Kpi, usize)]) -> Vec<f64> {
    KPIS.iter()
        .map(|k| (k.get)(r))
        .chain(
            products
                .iter()
                .map(|(k, p)| k.of_product(r, *p).unwrap_or(f64::NAN)),
        )
        .map(|x| if x.is_finite() { x } else { f64::NAN })
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
            if self.overloaded.contains_key(&i) {
                continue;
            }
            jobs.extend((self.count(i)..n).map(|r| (i, r)));
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
        // The same for each overloaded baseline or stressed plant, which
        // does not stop the run.
        let tolerated = Mutex::new(BTreeMap::<usize, (u64, String)>::new());
        let space = self.spec.space();
        let (factories, seed, journal, stop, progress, products) = (
            &self.factories,
            self.scenario.seed,
            &self.journal,
            self.stop,
            self.progress,
            &self.products,
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
                    if i >= space {
                        // The plant as written, or a configuration under
                        // stress, cannot keep up: that is the finding.
                        let mut slot = tolerated.lock().unwrap_or_else(|p| p.into_inner());
                        let e = slot.entry(i).or_insert((r, why.clone()));
                        if r < e.0 {
                            *e = (r, why.clone());
                        }
                        progress.job_done();
                        return None;
                    }
                    // Nothing to measure: stop, keeping what is saved.
                    let mut slot = overload.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.as_ref().is_none_or(|(at, _)| (i, r) < *at) {
                        *slot = Some(((i, r), format!("replication {r}: {why}")));
                    }
                    stop.store(true, Ordering::Relaxed);
                    return None;
                }
                let kpis = kpi_values(&result, products);
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
        for (i, (r, why)) in tolerated.into_inner().unwrap_or_else(|p| p.into_inner()) {
            self.overloaded.insert(i, format!("replication {r}: {why}"));
        }
        let jobs: Vec<(usize, u64)> = jobs
            .into_iter()
            .filter(|(i, _)| !self.overloaded.contains_key(i))
            .collect();
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
    if let Some(s) = settings.stress {
        // A stress the plant cannot take is refused before anything runs.
        s.apply(&scenario.factory)?;
    }
    let (journal, resumed) = Journal::open(
        settings.dir,
        &Manifest::of(scenario, settings.stress),
        settings.resume,
    )?;
    let products = spec.product_kpis();
    // A per-product KPI's column comes after those of `KPIS`.
    let constraint_column = |c: &crate::scenario::Constraint| match &c.product {
        None => column(c.kpi),
        Some((p, _)) => {
            KPIS.len()
                + products
                    .iter()
                    .position(|(k, q)| k.name == c.kpi.name && q == p)
                    .expect("every per-product constraint has a column")
        }
    };
    let problem = Problem {
        objective: column(spec.objective.kpi),
        maximize: spec.objective.maximize,
        constraints: spec
            .constraints
            .iter()
            .map(|c| (constraint_column(c), c.bound))
            .collect(),
        delta: spec.indifference,
        n0: u64::from(spec.first_replications),
        max: u64::from(spec.max_replications),
        alpha: ALPHA,
    };
    let mut runs = Runs {
        scenario,
        spec,
        stress: settings.stress,
        products,
        factories: BTreeMap::new(),
        data: BTreeMap::new(),
        overloaded: BTreeMap::new(),
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
    let spent = runs.spent;
    let chosen = selection.chosen.map(|p| candidates[p]);
    let (alternatives, best) = match beside_the_choice(&mut runs, &problem, &evaluated, chosen) {
        Ok(a) => a,
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
        spent,
        &alternatives,
        best,
    );
    Ok(Outcome::Complete {
        result: Box::new(result),
        run: runs.run,
    })
}

/// After the selection: simulates the baseline as many replications as
/// the choice had (`first_replications` without a choice), then, with a
/// stress, checks the choice under it and, when it is not feasible there,
/// every other configuration feasible without stress, and KN selects the
/// best of those feasible under stress. Returns those others
/// (configuration indices), best first on the objective without stress,
/// and the one selected.
fn beside_the_choice(
    runs: &mut Runs<'_>,
    p: &Problem,
    evaluated: &[usize],
    chosen: Option<usize>,
) -> Result<(Vec<usize>, Option<usize>), Stopped> {
    let spec = runs.spec;
    let n = chosen.map_or(p.n0.min(p.max), |c| runs.count(c));
    runs.bound(n);
    runs.ensure(&[(baseline_key(spec), n)])?;
    let (Some(_), Some(c)) = (runs.stress, chosen) else {
        return Ok((Vec::new(), None));
    };
    // Its plant, for the payback (a resumed run may not have derived it).
    let _ = runs.factory(c);
    let key = stressed_key(spec, c);
    settle(runs, p, &[key], n)?;
    if key_feasibility(runs, p, key) == Feasibility::Feasible {
        return Ok((Vec::new(), None));
    }
    let sign = if p.maximize { 1.0 } else { -1.0 };
    let mut others: Vec<usize> = evaluated
        .iter()
        .copied()
        .filter(|&i| {
            i != c
                && runs.count(i) >= 2
                && feasibility(&p.constraints, |col| runs.estimate(i, col)) == Feasibility::Feasible
        })
        .collect();
    let mean = |i: usize| sign * runs.estimate(i, p.objective).mean;
    others.sort_by(|&a, &b| mean(b).total_cmp(&mean(a)).then(a.cmp(&b)));
    let keys: Vec<usize> = others.iter().map(|&i| stressed_key(spec, i)).collect();
    settle(runs, p, &keys, p.n0)?;
    // Which of those feasible under stress is best there: ranking and
    // selection again, continuing from their replications.
    let feasible: Vec<usize> = keys
        .iter()
        .copied()
        .filter(|&k| key_feasibility(runs, p, k) == Feasibility::Feasible)
        .collect();
    let best = select::select(p, &feasible, runs)?
        .chosen
        .map(|b| feasible[b] - spec.space() - 1);
    Ok((others, best))
}

/// Feasibility of sampler key `key` on all its replications; an
/// overloaded plant is infeasible.
fn key_feasibility(runs: &Runs<'_>, p: &Problem, key: usize) -> Feasibility {
    if runs.overloaded.contains_key(&key) {
        Feasibility::Infeasible
    } else if runs.count(key) == 0 {
        Feasibility::Undecided
    } else {
        feasibility(&p.constraints, |c| runs.estimate(key, c))
    }
}

/// A feasibility check of `keys` alone, stage by stage like the selection:
/// each gets `first` replications (at least 2, at most the cap), then
/// those still undecided get `first_replications` more at a time, up to
/// `max_replications`. An overloaded plant drops out at once.
fn settle(runs: &mut Runs<'_>, p: &Problem, keys: &[usize], first: u64) -> Result<(), Stopped> {
    let mut wants: Vec<(usize, u64)> = keys.iter().map(|&k| (k, first.clamp(2, p.max))).collect();
    let step = p.n0.max(1);
    while !wants.is_empty() {
        let most: u64 = wants
            .iter()
            .map(|&(k, _)| p.max.saturating_sub(runs.count(k)))
            .sum();
        runs.bound(most);
        runs.ensure(&wants)?;
        wants = wants
            .into_iter()
            .filter(|&(k, n)| n < p.max && key_feasibility(runs, p, k) == Feasibility::Undecided)
            .map(|(k, n)| (k, (n + step).min(p.max)))
            .collect();
    }
    Ok(())
}

/// Builds the report of an optimisation from its data; `spent` is the
/// replications of the configurations, `alternatives` those checked under
/// stress besides the choice.
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
    spent: u64,
    alternatives: &[usize],
    best: Option<usize>,
) -> OptimizeResult {
    let mut evaluated = evaluated.to_vec();
    evaluated.sort_unstable();
    let defined: Vec<&'static Kpi> = KPIS
        .iter()
        .filter(|k| k.undefined_in(&scenario.factory).is_none())
        .collect();
    let reps = |i: usize| runs.data.get(&i).map_or(&[][..], Vec::as_slice);
    let estimate = |i: usize, c: usize| Estimate::from_values(reps(i).iter().map(|v| v[c]));
    // How sampler key `i` stands against each constraint.
    let misses = |i: usize| -> Vec<Miss> {
        spec.constraints
            .iter()
            .zip(&problem.constraints)
            .map(|(c, &(col, _))| {
                let e = estimate(i, col);
                Miss {
                    kpi: c.kpi.name,
                    product: c.product.as_ref().map(|(_, name)| name.clone()),
                    estimate: e,
                    shortfall: c.shortfall(e.mean),
                }
            })
            .collect()
    };
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
                constraints: misses(i),
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
    let runner_up = chosen.and_then(|ch| runner_up(spec, problem, &configurations, ch, &reps));
    let baseline = baseline_report(
        scenario,
        spec,
        problem,
        runs,
        &configurations,
        chosen,
        &defined,
        &misses,
    );
    let stress = runs.stress.map(|s| {
        let stressed = |i: usize| -> Stressed {
            let key = stressed_key(spec, i);
            Stressed {
                configuration: position(i),
                replications: runs.count(key),
                feasibility: key_feasibility(runs, problem, key),
                objective: estimate(key, problem.objective),
                constraints: misses(key),
                overloaded: runs.overloaded.get(&key).cloned(),
            }
        };
        let mut others: Vec<Stressed> = alternatives.iter().map(|&i| stressed(i)).collect();
        let best = best.map(position);
        let rank = |x: &Stressed| {
            let m = sign * x.objective.mean;
            (
                x.feasibility != Feasibility::Feasible,
                Some(x.configuration) != best,
                if m.is_finite() { -m } else { f64::INFINITY },
            )
        };
        others.sort_by(|a, b| {
            let (x, y) = (rank(a), rank(b));
            x.0.cmp(&y.0)
                .then(x.1.cmp(&y.1))
                .then(x.2.total_cmp(&y.2))
                .then(a.configuration.cmp(&b.configuration))
        });
        StressReport {
            lever: "demand",
            factor: s.demand,
            chosen: chosen.map(|ch| stressed(configurations[ch].index)),
            alternatives: others,
            best,
        }
    });
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
        currency: scenario.factory.policies.currency.clone(),
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
                product: c.product.as_ref().map(|(_, name)| name.clone()),
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
        replications: spent,
        brute_force_replications: spec.space() as u64 * u64::from(spec.max_replications),
        chosen,
        runners_up,
        runner_up,
        baseline,
        stress,
        closest,
        frontier_axes: (cost_kpi, delivery_kpi),
        configurations,
    }
}

/// The best configuration after the chosen one (position `ch`) on the
/// objective's mean, among those simulated at least twice, and why it lost.
fn runner_up<'a>(
    spec: &OptimizeSpec,
    problem: &Problem,
    configurations: &[Configuration],
    ch: usize,
    reps: &dyn Fn(usize) -> &'a [Vec<f64>],
) -> Option<RunnerUpWhy> {
    let sign = if problem.maximize { 1.0 } else { -1.0 };
    let mean = |p: usize| sign * configurations[p].objective.mean;
    let p = (0..configurations.len())
        .filter(|&p| {
            p != ch
                && configurations[p].status != Status::Invalid
                && configurations[p].replications >= 2
                && configurations[p].objective.mean.is_finite()
        })
        .max_by(|&a, &b| mean(a).total_cmp(&mean(b)).then(b.cmp(&a)))?;
    let (c, best) = (&configurations[p], &configurations[ch]);
    let n = c.replications.min(best.replications) as usize;
    let (x, y) = (reps(best.index), reps(c.index));
    let o = problem.objective;
    let loss = Estimate::from_values((0..n).map(|r| sign * (x[r][o] - y[r][o])));
    // The constraint it misses on the CI's lenient end (infeasible), or
    // does not meet on its conservative end (undecided).
    let which = |lenient: bool| {
        c.constraints
            .iter()
            .zip(&spec.constraints)
            .position(|(m, k)| {
                let e = m.estimate;
                match (k.bound, lenient) {
                    (Bound::AtLeast(q), true) => e.high < q,
                    (Bound::AtMost(q), true) => e.low > q,
                    (Bound::AtLeast(q), false) => e.low < q || e.low.is_nan(),
                    (Bound::AtMost(q), false) => e.high > q || e.high.is_nan(),
                }
            })
    };
    let (reason, constraint) = match c.feasibility {
        Feasibility::Feasible => ("worse", None),
        Feasibility::Infeasible => ("infeasible", which(true)),
        Feasibility::Undecided => ("undecided", which(false)),
    };
    Some(RunnerUpWhy {
        configuration: p,
        reason,
        loss,
        constraint,
    })
}

/// The baseline beside the choice (see [`Baseline`]).
#[allow(clippy::too_many_arguments)]
fn baseline_report(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    problem: &Problem,
    runs: &Runs<'_>,
    configurations: &[Configuration],
    chosen: Option<usize>,
    defined: &[&'static Kpi],
    misses: &dyn Fn(usize) -> Vec<Miss>,
) -> Baseline {
    let key = baseline_key(spec);
    let reps = |i: usize| runs.data.get(&i).map_or(&[][..], Vec::as_slice);
    let overloaded = runs.overloaded.get(&key).cloned();
    let change = chosen.filter(|_| overloaded.is_none()).map(|ch| {
        let i = configurations[ch].index;
        let n = runs.count(i).min(runs.count(key)) as usize;
        let (x, b) = (reps(i), reps(key));
        let paired = |c: usize| Estimate::from_values((0..n).map(|r| x[r][c] - b[r][c]));
        // Per-KPI columns over the common replications, as `run` keeps
        // them, for the automation case.
        let columns = |rows: &[Vec<f64>]| -> Vec<Vec<f64>> {
            (0..KPIS.len())
                .map(|c| rows[..n].iter().map(|v| v[c]).collect())
                .collect()
        };
        let automation = match runs.factories.get(&i) {
            Some(Ok(f)) => {
                investment_outcome("baseline", &scenario.factory, f, &columns(b), &columns(x))
            }
            _ => None,
        };
        Change {
            replications: n as u64,
            objective: paired(problem.objective),
            constraints: problem
                .constraints
                .iter()
                .map(|&(c, _)| paired(c))
                .collect(),
            automation,
        }
    });
    Baseline {
        replications: runs.count(key),
        feasibility: key_feasibility(runs, problem, key),
        objective: runs.estimate(key, problem.objective),
        constraints: misses(key),
        kpis: defined
            .iter()
            .map(|k| (k.name, runs.estimate(key, column(k))))
            .collect(),
        overloaded,
        change,
    }
}
