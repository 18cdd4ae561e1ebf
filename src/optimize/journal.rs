//! The optimiser's finished replications on disk, so that an interrupted
//! optimisation resumes where it stopped.
//!
//! `OUT/<scenario>/optimize/jobs/manifest.json` pins what the replications
//! belong to (scenario text and hash, seed, horizon, warm-up, version, the
//! stress);
//! `jobs/RUN.jsonl` holds one line per finished (configuration,
//! replication): its KPI values. With `--resume` the lines are read back
//! and the optimiser replays the same decisions, simulating only what is
//! missing; a line cut short by a crash is dropped and truncated away.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// What a set of finished replications belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// shopfloor version that ran them.
    pub shopfloor_version: String,
    /// Scenario name.
    pub scenario: String,
    /// FNV-1a hash of the scenario file.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Horizon, seconds.
    pub horizon_s: f64,
    /// Warm-up, seconds.
    pub warmup_s: f64,
    /// The scenario file's text.
    pub scenario_text: String,
    /// The demand factor of `--stress` (absent without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_demand: Option<f64>,
}

impl Manifest {
    /// The manifest of optimising `scenario`, under `stress` if any.
    pub fn of(scenario: &Scenario, stress: Option<super::Stress>) -> Manifest {
        Manifest {
            shopfloor_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.factory.name.clone(),
            scenario_hash: scenario.hash.clone(),
            seed: scenario.seed,
            horizon_s: scenario.factory.horizon,
            warmup_s: scenario.factory.warmup,
            scenario_text: scenario.text.clone(),
            stress_demand: stress.map(|s| s.demand),
        }
    }

    fn run_id(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        crate::scenario::fnv_hex(json.as_bytes())[..8].to_string()
    }
}

/// One finished replication of one configuration.
#[derive(Serialize, Deserialize)]
struct Line {
    /// The configuration's index; the decision space's size for the
    /// baseline; size + 1 + index for a configuration under stress.
    config: usize,
    replication: u64,
    /// KPI values in the order of `KPIS`, then the per-product KPIs of
    /// the constraints (null: no value).
    kpis: Vec<Option<f64>>,
}

/// The job file of an optimisation, open for appending.
pub struct Journal {
    file: Mutex<File>,
    path: PathBuf,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// KPI vectors by (configuration, replication).
pub type Finished = BTreeMap<(usize, u64), Vec<f64>>;

impl Journal {
    /// Opens the job file under `dir/jobs/`; with `resume`, returns the
    /// replications an earlier run of the same manifest finished.
    pub fn open(
        dir: &Path,
        manifest: &Manifest,
        resume: bool,
    ) -> Result<(Journal, Finished), String> {
        let jobs = dir.join("jobs");
        std::fs::create_dir_all(&jobs).map_err(|e| io_err(&jobs, e))?;
        let mpath = jobs.join("manifest.json");
        let path = jobs.join(format!("{}.jsonl", manifest.run_id()));
        let mut done = Finished::new();
        let same = resume
            && std::fs::read_to_string(&mpath)
                .ok()
                .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
                .is_some_and(|m| &m == manifest);
        if resume && mpath.exists() && !same {
            return Err(format!(
                "cannot resume: the replications in {} come from a different scenario or settings (seed, horizon, warm-up, --stress or version differ); run without --resume to start again",
                jobs.display()
            ));
        }
        if same && path.exists() {
            let f = File::open(&path).map_err(|e| io_err(&path, e))?;
            let mut reader = BufReader::new(f);
            let mut good = 0u64;
            let mut text = String::new();
            loop {
                text.clear();
                let n = reader.read_line(&mut text).map_err(|e| io_err(&path, e))?;
                if n == 0 || !text.ends_with('\n') {
                    break;
                }
                let line: Line = serde_json::from_str(&text)
                    .map_err(|e| io_err(&path, format!("line {}: {e}", done.len() + 1)))?;
                let kpis = line.kpis.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                if done.insert((line.config, line.replication), kpis).is_some() {
                    return Err(format!(
                        "cannot resume: replication {} of configuration {} appears twice in {} (line {}): two runs wrote into this folder at once, or the file was edited; run without --resume to start again",
                        line.replication,
                        line.config,
                        path.display(),
                        done.len() + 1
                    ));
                }
                good += n as u64;
            }
            let f = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| io_err(&path, e))?;
            f.set_len(good).map_err(|e| io_err(&path, e))?;
        } else {
            // A fresh start: older job files cannot be mixed with these.
            if let Ok(entries) = std::fs::read_dir(&jobs) {
                for e in entries.flatten() {
                    if e.path().extension().is_some_and(|x| x == "jsonl") {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            File::create(&path).map_err(|e| io_err(&path, e))?;
        }
        crate::report::write_atomic(&mpath, |w| {
            serde_json::to_writer_pretty(&mut *w, manifest)?;
            writeln!(w)
        })
        .map_err(|e| io_err(&mpath, e))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        Ok((
            Journal {
                file: Mutex::new(file),
                path,
            },
            done,
        ))
    }

    /// Appends one finished replication (one line, flushed).
    pub fn append(&self, config: usize, replication: u64, kpis: &[f64]) -> Result<(), String> {
        let line = Line {
            config,
            replication,
            kpis: kpis.iter().map(|x| x.is_finite().then_some(*x)).collect(),
        };
        let mut text = serde_json::to_string(&line).map_err(|e| io_err(&self.path, e))?;
        text.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(text.as_bytes())
            .and_then(|_| f.flush())
            .map_err(|e| io_err(&self.path, e))
    }
}
