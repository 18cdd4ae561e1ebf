//! Running a whole experiment as the command line does: job files on disk
//! (resume, shards), progress reporting, Ctrl-C, and the precision rule
//! that adds replications until confidence intervals are narrow enough.
//!
//! Finished jobs go to the job file as they end and are dropped; only what
//! [`Saved`] keeps of each (where its line is, its KPI values) stays in
//! memory, and the analysis reads the job file back.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::kpi::{KPIS, Kpi};
use super::store::{JobFiles, JobStore, Manifest, Saved, Shard};
use super::{Job, RunResults, analyse, job_list, run_jobs};
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Told about progress; called once per job, from any thread.
pub trait Progress: Sync {
    /// The number of jobs to run is now `total` (it grows when the
    /// precision rule adds replications); `done` of them are finished.
    fn set_total(&self, total: u64, done: u64);
    /// One more job finished.
    fn job_done(&self);
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {
    fn set_total(&self, _: u64, _: u64) {}
    fn job_done(&self) {}
}

/// A target on the half-width of a KPI's confidence interval.
#[derive(Clone, Copy)]
pub struct Precision {
    /// The KPI.
    pub kpi: &'static Kpi,
    /// Largest acceptable half-width: a share of |mean| (e.g. 0.01) on
    /// [`PrecisionOn::Level`], in the KPI's own units (e.g. 0.02 on-time
    /// share, 5000 profit) on [`PrecisionOn::Difference`].
    pub target: f64,
    /// What the target bounds.
    pub on: PrecisionOn,
}

/// What a [`Precision`] target bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionOn {
    /// The 95% CI of the KPI's mean, for every variant (the baseline
    /// included), relative to |mean|.
    Level,
    /// The 95% CI of every variant's paired difference from the baseline
    /// (variant − baseline, replication by replication), in the KPI's
    /// units: what a decision between the variants rests on.
    Difference,
}

/// How to run an experiment.
pub struct Plan<'a> {
    /// The results folder (`<out>/<scenario name>`).
    pub dir: &'a Path,
    /// Which slice of the job list to run.
    pub shard: Shard,
    /// Reuse jobs finished by an earlier, interrupted run.
    pub resume: bool,
    /// Precision targets; empty runs exactly the planned replications.
    pub precision: Vec<Precision>,
    /// Cap on replications per variant under the precision rule.
    pub max_replications: u32,
    /// KPI to rank variants on.
    pub rank_by: &'static Kpi,
    /// Set (e.g. by Ctrl-C) to stop starting jobs.
    pub stop: &'a AtomicBool,
}

/// What an experiment ended with.
pub enum Outcome {
    /// All jobs ran; the results are analysed.
    Complete {
        /// The analysis.
        results: Box<RunResults>,
        /// Replications per variant used (differs from the planned count
        /// under the precision rule).
        replications: u32,
        /// Per precision target: whether it was met.
        precision_met: Vec<bool>,
        /// Jobs run now (not resumed from disk).
        jobs_run: usize,
    },
    /// This shard's jobs ran; merge the shards for results.
    ShardDone {
        /// Jobs in this shard.
        jobs: usize,
        /// Where they are.
        file: std::path::PathBuf,
    },
    /// Stopped by the user; finished jobs are on disk.
    Interrupted {
        /// Jobs finished (including earlier runs').
        done: usize,
        /// Jobs planned.
        total: usize,
    },
}

/// Whether every variant's first `reps` replications meet `p`; `results`
/// is sorted by job.
fn precise(p: &Precision, results: &[Saved], variants: usize, reps: u64) -> bool {
    let k = KPIS
        .iter()
        .position(|x| x.name == p.kpi.name)
        .expect("a KPI of KPIS");
    let rows = |v: u32| {
        results
            .iter()
            .filter(move |r| r.job.variant == v && r.job.replication < reps)
    };
    match p.on {
        PrecisionOn::Level => (0..variants as u32).all(|v| {
            let e = Estimate::from_values(rows(v).map(|r| r.kpis[k]));
            e.half_width.is_finite() && e.half_width <= p.target * e.mean.abs()
        }),
        PrecisionOn::Difference => {
            // The baseline's values by replication; a replication without
            // a value on either side gives no difference.
            let mut base = vec![f64::NAN; reps as usize];
            for r in rows(0) {
                base[r.job.replication as usize] = r.kpis[k];
            }
            (1..variants as u32).all(|v| {
                let e = Estimate::from_values(
                    rows(v).map(|r| r.kpis[k] - base[r.job.replication as usize]),
                );
                e.half_width.is_finite() && e.half_width <= p.target
            })
        }
    }
}

/// Runs `scenario` according to `plan`.
pub fn execute(
    scenario: &Scenario,
    plan: &Plan<'_>,
    progress: &dyn Progress,
) -> Result<Outcome, String> {
    if !plan.precision.is_empty() && plan.shard != Shard::ALL {
        return Err("--precision decides the number of replications from all results, so it cannot run in shards; pick --replications for sharded runs".into());
    }
    if plan
        .precision
        .iter()
        .any(|p| p.on == PrecisionOn::Difference)
        && scenario.variants.is_empty()
    {
        return Err("--precision-on difference: the scenario has no variants, so there is no difference from the baseline to measure; add [[variant]]s or drop --precision-on".into());
    }
    let mut manifest = Manifest::of(scenario);
    if !plan.precision.is_empty() {
        // The job files cover replications up to the cap.
        manifest.replications = plan.max_replications.max(scenario.replications);
        manifest.jobs = manifest.variants.len() * manifest.replications as usize;
    }
    let (store, mut results) = JobStore::open(plan.dir, &manifest, plan.shard, plan.resume)?;
    let variants = manifest.variants.len();
    let mut reps = u64::from(scenario.replications);
    let cap = u64::from(manifest.replications);
    let batch = reps.max(2);
    let mut jobs_run = 0;
    let write_error = std::sync::Mutex::new(None::<String>);
    // The overloaded job lowest in (variant, replication) order is reported,
    // so that the message does not depend on which thread got there first.
    let overload = std::sync::Mutex::new(None::<(Job, String)>);
    loop {
        let planned: Vec<Job> = job_list(scenario, 0..reps)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| plan.shard.owns(*i))
            .map(|(_, j)| j)
            .collect();
        let mut have: Vec<Job> = results.iter().map(|r| r.job).collect();
        have.sort();
        let todo: Vec<Job> = planned
            .iter()
            .copied()
            .filter(|j| have.binary_search(j).is_err())
            .collect();
        progress.set_total(planned.len() as u64, (planned.len() - todo.len()) as u64);
        // Each finished job is written out and dropped; only its place in
        // the file and its KPI values are kept.
        let new = run_jobs(
            scenario,
            &todo,
            &|r| {
                if let Some(why) = &r.result.overloaded {
                    // The plant cannot keep up: stop starting jobs, keep
                    // (and save) those already finished, report this one.
                    let name = scenario
                        .all_variants()
                        .get(r.job.variant as usize)
                        .map_or(String::new(), |(n, _)| n.to_string());
                    let mut slot = overload.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.as_ref().is_none_or(|(job, _)| r.job < *job) {
                        *slot = Some((
                            r.job,
                            format!(
                                "variant \"{name}\", replication {}: {why}",
                                r.job.replication
                            ),
                        ));
                    }
                    plan.stop.store(true, Ordering::Relaxed);
                    progress.job_done();
                    return None;
                }
                let saved = store.append(&r).map_err(|e| {
                    // Keep the first write error and stop: results that
                    // cannot be saved must not be silently lost.
                    let mut slot = write_error.lock().unwrap_or_else(|p| p.into_inner());
                    slot.get_or_insert(e);
                    plan.stop.store(true, Ordering::Relaxed);
                });
                progress.job_done();
                saved.ok()
            },
            plan.stop,
        );
        jobs_run += new.len();
        results.extend(new);
        // Sorted, so that the precision rule sums in replication order.
        results.sort_by_key(|r| r.job);
        if let Some(e) = write_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(format!("cannot save finished jobs: {e}"));
        }
        if let Some((_, e)) = overload.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(format!(
                "{e}\n  hint: the plant cannot keep up with its releases; give the station more machines, release less, or raise `simulation.max_parts` if this many parts is real; the jobs finished so far are saved (see --resume)"
            ));
        }
        if plan.stop.load(Ordering::Relaxed) {
            let total = planned.len();
            let done = results
                .iter()
                .filter(|r| planned.binary_search(&r.job).is_ok())
                .count();
            if done < total {
                return Ok(Outcome::Interrupted { done, total });
            }
        }
        if plan.shard != Shard::ALL {
            return Ok(Outcome::ShardDone {
                jobs: planned.len(),
                file: store.path().to_path_buf(),
            });
        }
        let met: Vec<bool> = plan
            .precision
            .iter()
            .map(|p| precise(p, &results, variants, reps))
            .collect();
        if met.iter().all(|m| *m) || reps >= cap {
            results.retain(|r| r.job.replication < reps);
            let files = JobFiles::Disk(vec![store.path().to_path_buf()]);
            let analysed = analyse(scenario, files, results, plan.rank_by)?;
            return Ok(Outcome::Complete {
                results: Box::new(analysed),
                replications: reps as u32,
                precision_met: met,
                jobs_run,
            });
        }
        reps = (reps + batch).min(cap);
    }
}
