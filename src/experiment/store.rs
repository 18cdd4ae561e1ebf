//! Finished jobs on disk: what makes runs resumable and shardable.
//!
//! Every finished job is appended as one JSON line to
//! `<results>/jobs/shard-K-of-N.RUN.jsonl` as soon as it ends, beside a
//! `jobs/manifest.json` that pins what the jobs belong to (scenario text and
//! hash, seed, horizon, warm-up, replications, shopfloor version). A run
//! interrupted by Ctrl-C keeps what it finished; `--resume` reads the lines
//! back and runs only the missing jobs. A line cut short by a crash is
//! dropped (and truncated away before appending), so a partial line never
//! passes for a result. `shopfloor merge` reads the files of every shard and
//! rebuilds the outputs exactly as one unsharded run would have.
//!
//! The job files are also where the analysis reads the results from: a run
//! keeps in memory, per finished job, only where its line is and its KPI
//! values ([`Saved`]), and [`Records`] reads the lines back in (variant,
//! replication) order whenever a table or chart needs the whole results.
//! Memory thus grows with the running jobs (one per thread), not with the
//! finished ones.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kpi::KPIS;
use super::{Job, JobResult};
use crate::model::ReplicationResult;
use crate::scenario::{Lever, Overrides, Scenario};

/// A deterministic slice of the job list: job `i` belongs to shard
/// `i mod count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard's index, `0 ≤ index < count`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole job list.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `K/N` (0-based `K`).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let hint = "write it as K/N with 0 ≤ K < N, e.g. --shard 0/4 for the first of four shards";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: {hint}"))?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: `{k}` is not a whole number; {hint}"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: `{n}` is not a whole number; {hint}"))?;
        if n == 0 || k >= n {
            return Err(format!("`{text}` is not a shard: {hint}"));
        }
        Ok(Shard { index: k, count: n })
    }

    /// The shard implied by a scheduler's environment: Slurm job arrays
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT`) or Kubernetes indexed jobs
    /// (`JOB_COMPLETION_INDEX` of `SHOPFLOOR_SHARDS`, which the manifest
    /// sets to the job's `completions`).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        let num = |name: &str| -> Result<Option<u32>, String> {
            match get(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    format!("environment variable {name}=`{v}` is not a whole number")
                }),
            }
        };
        if let (Some(id), Some(count)) =
            (num("SLURM_ARRAY_TASK_ID")?, num("SLURM_ARRAY_TASK_COUNT")?)
        {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let index = id
                .checked_sub(min)
                .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?;
            return Shard::parse(&format!("{index}/{count}")).map(Some);
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let count = num("SHOPFLOOR_SHARDS")?.ok_or(
                "JOB_COMPLETION_INDEX is set but SHOPFLOOR_SHARDS is not: set it to the job's completions, or pass --shard K/N",
            )?;
            return Shard::parse(&format!("{index}/{count}")).map(Some);
        }
        Ok(None)
    }

    /// True if job number `i` of the job list is this shard's.
    pub fn owns(&self, i: usize) -> bool {
        i % self.count as usize == self.index as usize
    }

    /// `shard-K-of-N.RUN.jsonl`, where RUN identifies the run's manifest.
    fn file_name(&self, run: &str) -> String {
        format!("shard-{}-of-{}.{run}.jsonl", self.index, self.count)
    }
}

/// What a set of job files belongs to. Two runs can share job files only
/// if their manifests are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// shopfloor version that ran the jobs.
    pub shopfloor_version: String,
    /// Scenario name.
    pub scenario: String,
    /// FNV-1a hash of the scenario file.
    pub scenario_hash: String,
    /// Master seed actually used.
    pub seed: u64,
    /// Replications per variant actually planned.
    pub replications: u32,
    /// Horizon actually used, seconds.
    pub horizon_s: f64,
    /// Warm-up actually used, seconds.
    pub warmup_s: f64,
    /// Variant names, baseline first.
    pub variants: Vec<String>,
    /// Number of jobs (variants × replications).
    pub jobs: usize,
    /// The scenario file's text, so shards can be merged without it.
    pub scenario_text: String,
    /// Variants made by `--sensitivity`, after the file's (so that
    /// `merge` and `report` rebuild them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<Lever>,
    /// The order books the scenario was run with, by the path its file
    /// gives, so that `merge` and `report` use the very same books from any
    /// folder, whatever became of the CSV files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub order_books: BTreeMap<String, String>,
}

impl Manifest {
    /// A short identifier of this manifest (FNV-1a of its JSON), part of
    /// every job file's name, so that files of different runs never mix.
    pub fn run_id(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in json.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{:08x}", h >> 32)
    }

    /// The manifest of `scenario` as it will be run.
    pub fn of(scenario: &Scenario) -> Manifest {
        let variants: Vec<String> = scenario
            .all_variants()
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        Manifest {
            shopfloor_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.factory.name.clone(),
            scenario_hash: scenario.hash.clone(),
            seed: scenario.seed,
            replications: scenario.replications,
            horizon_s: scenario.factory.horizon,
            warmup_s: scenario.factory.warmup,
            jobs: variants.len() * scenario.replications as usize,
            variants,
            scenario_text: scenario.text.clone(),
            levers: scenario
                .variants
                .iter()
                .filter_map(|v| v.lever.clone())
                .collect(),
            order_books: scenario
                .books
                .iter()
                .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
                .collect(),
        }
    }

    /// Rebuilds the scenario the jobs were run from.
    pub fn scenario(&self, origin: &Path) -> Result<Scenario, String> {
        let books = self
            .order_books
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
            .collect();
        let mut s = crate::scenario::parse_with_books(origin, &self.scenario_text, books)
            .map_err(|e| e.to_string())?;
        // The hash covers the scenario text and its order books: a book
        // read from disk (a manifest of an older shopfloor keeps none) must
        // be the one the jobs were run with.
        if s.hash != self.scenario_hash {
            return Err(format!(
                "the order book of scenario \"{}\" ({}) is not the one its jobs were run with: it was edited or moved since; run the scenario again",
                self.scenario,
                s.books.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        s.apply(&Overrides {
            replications: Some(self.replications),
            seed: Some(self.seed),
            horizon: Some(self.horizon_s),
            warmup: Some(self.warmup_s),
        })?;
        super::sensitivity::add_levers(&mut s, self.levers.clone())?;
        Ok(s)
    }
}

/// Where a finished job's line is: which job file (an index into the list
/// of files the run reads, see [`JobFiles`]) and at which byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    file: u32,
    offset: u64,
}

/// What a run keeps in memory of a finished job: where its line is, and its
/// KPI values (in the order of [`KPIS`]), which the precision rule, the
/// paired comparisons and the ranking need for every job at once.
#[derive(Clone, Debug)]
pub struct Saved {
    /// Which job.
    pub job: Job,
    /// Where its line is.
    pub at: Location,
    /// Its KPI values, in the order of [`KPIS`].
    pub kpis: Vec<f64>,
}

impl Saved {
    /// `r`'s job, found at `at`, with its KPI values.
    pub fn of(r: &JobResult, at: Location) -> Saved {
        Saved {
            job: r.job,
            at,
            kpis: KPIS.iter().map(|k| (k.get)(&r.result)).collect(),
        }
    }
}

/// Where finished jobs are read back from.
#[derive(Clone, Debug)]
pub enum JobFiles {
    /// Job files on disk; a [`Location`]'s `file` indexes this list.
    Disk(Vec<PathBuf>),
    /// Finished jobs held in memory (small experiments run by
    /// [`run`](super::run)); a [`Location`]'s `offset` indexes this list.
    Memory(Vec<JobResult>),
}

impl JobFiles {
    /// Keeps `results` in memory, returning what a run keeps of each.
    pub fn in_memory(results: Vec<JobResult>) -> (JobFiles, Vec<Saved>) {
        let saved = results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = Location {
                    file: 0,
                    offset: i as u64,
                };
                Saved::of(r, at)
            })
            .collect();
        (JobFiles::Memory(results), saved)
    }
}

/// The finished jobs of a run, read back replication by replication in
/// (variant, replication) order, never all at once.
#[derive(Clone, Debug)]
pub struct Records {
    files: Arc<JobFiles>,
    /// Per variant, per replication (in index order): where its line is.
    at: Vec<Vec<(Job, Location)>>,
}

impl Records {
    /// The records of the jobs in `saved` (any order), `variants` variants.
    pub fn new(files: JobFiles, saved: &[Saved], variants: usize) -> Records {
        let mut at: Vec<Vec<(Job, Location)>> = vec![Vec::new(); variants];
        for s in saved {
            at[s.job.variant as usize].push((s.job, s.at));
        }
        for v in &mut at {
            v.sort_by_key(|(j, _)| *j);
        }
        Records {
            files: Arc::new(files),
            at,
        }
    }

    /// Number of variants.
    pub fn variants(&self) -> usize {
        self.at.len()
    }

    /// Number of replications of variant `v`.
    pub fn replications(&self, v: usize) -> usize {
        self.at.get(v).map_or(0, Vec::len)
    }

    /// Calls `f` with every replication of variant `v`, in replication
    /// order.
    pub fn each(
        &self,
        v: usize,
        mut f: impl FnMut(&ReplicationResult) -> io::Result<()>,
    ) -> io::Result<()> {
        let places = self
            .at
            .get(v)
            .into_iter()
            .flatten()
            .map(|&(j, at)| (v, j, at));
        self.visit(places, &mut |_, r| f(r))
    }

    /// Calls `f` with every variant's index and replications, in (variant,
    /// replication) order.
    pub fn all(
        &self,
        mut f: impl FnMut(usize, &ReplicationResult) -> io::Result<()>,
    ) -> io::Result<()> {
        let places = self
            .at
            .iter()
            .enumerate()
            .flat_map(|(v, reps)| reps.iter().map(move |&(j, at)| (v, j, at)));
        self.visit(places, &mut f)
    }

    /// Calls `f` with the result of every job in `places`, in that order.
    /// Lines are read a batch at a time (a few per thread of the current
    /// rayon pool) and parsed in parallel: the parsing, the costly part,
    /// takes no longer than the run's jobs took to write, and memory holds
    /// one batch, bounded by the number of threads.
    fn visit(
        &self,
        mut places: impl Iterator<Item = (usize, Job, Location)>,
        f: &mut dyn FnMut(usize, &ReplicationResult) -> io::Result<()>,
    ) -> io::Result<()> {
        let paths = match &*self.files {
            JobFiles::Memory(results) => {
                for (v, job, at) in places {
                    let r = results
                        .get(at.offset as usize)
                        .filter(|r| r.job == job)
                        .ok_or_else(|| io::Error::other(format!("job {job:?} is not held")))?;
                    f(v, &r.result)?;
                }
                return Ok(());
            }
            JobFiles::Disk(paths) => paths,
        };
        let mut reader = LineReader::new(paths);
        let batch = 4 * rayon::current_num_threads().max(1);
        let mut lines = Vec::with_capacity(batch);
        loop {
            lines.clear();
            for (v, job, at) in places.by_ref().take(batch) {
                lines.push((v, job, at, reader.line(at)?));
            }
            if lines.is_empty() {
                return Ok(());
            }
            let parsed: Vec<io::Result<JobResult>> = lines
                .par_iter()
                .map(|(_, job, at, line)| parse_line(paths, *job, *at, line))
                .collect();
            for ((v, ..), r) in lines.iter().zip(parsed) {
                f(*v, &r?.result)?;
            }
        }
    }
}

/// Reads job lines at given places, keeping each file open and its read
/// buffer between reads (jobs finish roughly in list order, so most reads
/// continue where the last one ended).
struct LineReader<'a> {
    paths: &'a [PathBuf],
    /// Per file, once opened: its reader and the reader's position.
    open: Vec<Option<(BufReader<File>, u64)>>,
}

impl<'a> LineReader<'a> {
    fn new(paths: &'a [PathBuf]) -> LineReader<'a> {
        LineReader {
            paths,
            open: paths.iter().map(|_| None).collect(),
        }
    }

    /// The line at `at`, with its newline (without one if the file ends
    /// first).
    fn line(&mut self, at: Location) -> io::Result<String> {
        let path = &self.paths[at.file as usize];
        let slot = &mut self.open[at.file as usize];
        if slot.is_none() {
            let file = File::open(path).map_err(|e| io_context(path, e))?;
            *slot = Some((BufReader::with_capacity(1 << 16, file), 0));
        }
        let (reader, pos) = slot.as_mut().expect("opened above");
        if *pos != at.offset {
            // Within the buffer this moves no data and makes no system call.
            reader
                .seek_relative(at.offset as i64 - *pos as i64)
                .map_err(|e| io_context(path, e))?;
        }
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| io_context(path, e))?;
        *pos = at.offset + n as u64;
        Ok(line)
    }
}

/// The result of `job` from its `line`, read at `at`: an error if the line
/// is not that job's complete line.
fn parse_line(paths: &[PathBuf], job: Job, at: Location, line: &str) -> io::Result<JobResult> {
    let changed = || {
        io::Error::other(format!(
            "{}: the job file changed after the run (job (variant {}, replication {}) is no longer at byte {}); run again",
            paths[at.file as usize].display(),
            job.variant,
            job.replication,
            at.offset
        ))
    };
    if !line.ends_with('\n') {
        return Err(changed());
    }
    let r: JobResult = serde_json::from_str(line).map_err(|_| changed())?;
    if r.job != job {
        return Err(changed());
    }
    Ok(r)
}

fn io_context(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The job file of one run (or shard) under `<results>/jobs/`, appended to
/// as jobs finish.
pub struct JobStore {
    /// The open file and its length (where the next line goes).
    file: Mutex<(File, u64)>,
    path: PathBuf,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// Reads the complete lines of a job file, number `file` of the run's
/// files; returns what a run keeps of each job and the byte length of the
/// complete part. One result is held at a time.
fn read_jobs(path: &Path, file: u32) -> Result<(Vec<Saved>, u64), String> {
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut reader = BufReader::new(f);
    let mut out = Vec::new();
    let mut good_len = 0u64;
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| io_err(path, e))?;
        if n == 0 {
            break;
        }
        if !line.ends_with('\n') {
            break; // cut short by a crash: not a result
        }
        match serde_json::from_str::<JobResult>(&line) {
            Ok(r) => {
                let at = Location {
                    file,
                    offset: good_len,
                };
                out.push(Saved::of(&r, at));
            }
            Err(e) => return Err(io_err(path, format!("line {}: {e}", out.len() + 1))),
        }
        good_len += n as u64;
    }
    Ok((out, good_len))
}

fn read_manifest(path: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    serde_json::from_str(&text).map_err(|e| io_err(path, e))
}

impl JobStore {
    /// Opens the job file of `shard` under `dir/jobs/`. With `resume`,
    /// returns the jobs already finished (refusing files from a different
    /// run); without it, starts afresh. The job file is number 0 of the
    /// run's [`JobFiles`].
    pub fn open(
        dir: &Path,
        manifest: &Manifest,
        shard: Shard,
        resume: bool,
    ) -> Result<(JobStore, Vec<Saved>), String> {
        let jobs_dir = dir.join("jobs");
        std::fs::create_dir_all(&jobs_dir).map_err(|e| io_err(&jobs_dir, e))?;
        let mpath = jobs_dir.join("manifest.json");
        let run = manifest.run_id();
        let path = jobs_dir.join(shard.file_name(&run));
        let mut done = Vec::new();
        let mut len = 0;
        if resume && mpath.exists() {
            let old = read_manifest(&mpath)?;
            if &old != manifest {
                return Err(format!(
                    "cannot resume: the finished jobs in {} come from a different scenario or settings (seed, horizon, warm-up, replications or version differ); run without --resume to start again, or use another --out",
                    jobs_dir.display()
                ));
            }
            if path.exists() {
                let (jobs, good_len) = read_jobs(&path, 0)?;
                refuse_duplicates(&path, &jobs)?;
                // Drop a torn last line before appending after it.
                let f = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|e| io_err(&path, e))?;
                f.set_len(good_len).map_err(|e| io_err(&path, e))?;
                done = jobs;
                len = good_len;
            } else {
                File::create(&path).map_err(|e| io_err(&path, e))?;
            }
        } else {
            // A fresh start. Job files of other runs, and of this run with
            // another shard layout, are removed so that they cannot be
            // merged with these by mistake; the sibling shards of this run
            // and layout are left alone, since they may be running into the
            // same folder right now.
            let siblings = format!("-of-{}.{run}.jsonl", shard.count);
            if let Ok(entries) = std::fs::read_dir(&jobs_dir) {
                for e in entries.flatten() {
                    let p = e.path();
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let sibling = shard.count > 1 && name.ends_with(&siblings);
                    if name.ends_with(".jsonl") && p != path && !sibling {
                        let _ = std::fs::remove_file(&p);
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
        let mut file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        file.seek(SeekFrom::End(0)).map_err(|e| io_err(&path, e))?;
        Ok((
            JobStore {
                file: Mutex::new((file, len)),
                path,
            },
            done,
        ))
    }

    /// Appends one finished job (one line, flushed); returns what a run
    /// keeps of it.
    pub fn append(&self, r: &JobResult) -> Result<Saved, String> {
        let mut line = serde_json::to_string(r).map_err(|e| io_err(&self.path, e))?;
        line.push('\n');
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let (f, len) = &mut *guard;
        let at = Location {
            file: 0,
            offset: *len,
        };
        f.write_all(line.as_bytes())
            .map_err(|e| io_err(&self.path, e))?;
        f.flush().map_err(|e| io_err(&self.path, e))?;
        *len += line.len() as u64;
        Ok(Saved::of(r, at))
    }

    /// The job file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Refuses a job file that holds some job twice: two runs wrote into it
/// at once (or it was edited), and its results cannot be trusted.
fn refuse_duplicates(path: &Path, jobs: &[Saved]) -> Result<(), String> {
    let mut seen: BTreeMap<Job, usize> = BTreeMap::new();
    for (line, s) in jobs.iter().enumerate() {
        if let Some(first) = seen.insert(s.job, line + 1) {
            return Err(format!(
                "cannot resume: job (variant {}, replication {}) appears twice in {}, on lines {first} and {}: two runs wrote into this folder at once, or the file was edited; run without --resume to start again",
                s.job.variant,
                s.job.replication,
                path.display(),
                line + 1
            ));
        }
    }
    Ok(())
}

/// A lock on a results folder, held while a run writes into it; released
/// when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct FolderLock {
    _files: Vec<File>,
}

/// "process 1234 on host-a", from the text a lock holder wrote.
fn holder(lock: &Path) -> String {
    match std::fs::read_to_string(lock) {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => "another shopfloor process".to_string(),
    }
}

/// This process, as named in a lock file.
fn this_process() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("process {} on {h}", std::process::id()),
        None => format!("process {}", std::process::id()),
    }
}

fn open_lock(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| io_err(path, e))
}

/// Takes the lock of `jobs_dir` for `shard` without waiting, or says who
/// holds it. An unsharded run holds the folder alone; the shards of a run
/// share it with each other, but each shard is held by one process only.
/// The holder writes its process ID (and host) into the lock file, so that
/// the refusal names it.
pub fn lock_folder(jobs_dir: &Path, shard: Shard) -> Result<FolderLock, String> {
    use std::fs::TryLockError;
    std::fs::create_dir_all(jobs_dir).map_err(|e| io_err(jobs_dir, e))?;
    let busy = |lock: &Path| {
        format!(
            "{} is in use by {}, which is writing results there: wait for it to finish, or give this run another --out (the lock is {})",
            jobs_dir.parent().unwrap_or(jobs_dir).display(),
            holder(lock),
            lock.display()
        )
    };
    let claim = |f: &mut File, lock: &Path| -> Result<(), String> {
        f.set_len(0).map_err(|e| io_err(lock, e))?;
        writeln!(f, "{}", this_process()).map_err(|e| io_err(lock, e))
    };
    let main = jobs_dir.join("lock");
    let mut folder = open_lock(&main)?;
    if shard.count == 1 {
        match folder.try_lock() {
            Ok(()) => claim(&mut folder, &main)?,
            Err(TryLockError::WouldBlock) => return Err(busy(&main)),
            Err(TryLockError::Error(e)) => return Err(io_err(&main, e)),
        }
        return Ok(FolderLock {
            _files: vec![folder],
        });
    }
    match folder.try_lock_shared() {
        // No single process to name while shards share the folder; clear
        // the name an earlier unsharded run left.
        Ok(()) => folder.set_len(0).map_err(|e| io_err(&main, e))?,
        Err(TryLockError::WouldBlock) => return Err(busy(&main)),
        Err(TryLockError::Error(e)) => return Err(io_err(&main, e)),
    }
    let own = jobs_dir.join(format!("shard-{}-of-{}.lock", shard.index, shard.count));
    let mut mine = open_lock(&own)?;
    match mine.try_lock() {
        Ok(()) => claim(&mut mine, &own)?,
        Err(TryLockError::WouldBlock) => return Err(busy(&own)),
        Err(TryLockError::Error(e)) => return Err(io_err(&own, e)),
    }
    Ok(FolderLock {
        _files: vec![folder, mine],
    })
}

/// The `jobs/` folder meant by `d`: `d/jobs`, `d` itself, or — when `d`
/// is the `--out` folder — the `jobs/` of its only results folder.
fn job_folder(d: &Path) -> PathBuf {
    if d.join("jobs").is_dir() {
        return d.join("jobs");
    }
    if d.join("manifest.json").exists() {
        return d.to_path_buf();
    }
    let inner: Vec<PathBuf> = std::fs::read_dir(d)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path().join("jobs"))
                .filter(|p| p.join("manifest.json").exists())
                .collect()
        })
        .unwrap_or_default();
    match inner.as_slice() {
        [only] => only.clone(),
        _ => d.to_path_buf(),
    }
}

/// Collects every shard's jobs from `dirs` (each a results folder holding
/// `jobs/`, or a `jobs/` folder itself), checks that they belong to one run
/// and that every job is present exactly once. Returns the manifest, the
/// job files and what a run keeps of each job.
pub fn collect(dirs: &[PathBuf]) -> Result<(Manifest, JobFiles, Vec<Saved>), String> {
    let mut manifest: Option<(Manifest, PathBuf)> = None;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut results: Vec<Saved> = Vec::new();
    for d in dirs {
        let jobs_dir = job_folder(d);
        let mpath = jobs_dir.join("manifest.json");
        if !mpath.exists() {
            return Err(format!(
                "{} holds no shopfloor job files (no manifest.json): pass the results folders that `shopfloor run --shard` wrote",
                d.display()
            ));
        }
        let m = read_manifest(&mpath)?;
        let run_suffix = format!(".{}.jsonl", m.run_id());
        match &manifest {
            None => manifest = Some((m, mpath.clone())),
            Some((first, fpath)) if first != &m => {
                return Err(format!(
                    "{} and {} belong to different runs (scenario, seed, horizon, warm-up, replications or version differ)",
                    fpath.display(),
                    mpath.display()
                ));
            }
            Some(_) => {}
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&jobs_dir)
            .map_err(|e| io_err(&jobs_dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(&run_suffix))
            })
            .collect();
        files.sort();
        for f in files {
            let (jobs, _) = read_jobs(&f, paths.len() as u32)?;
            results.extend(jobs);
            paths.push(f);
        }
    }
    let (manifest, _) = manifest.ok_or("no folders given")?;
    results.sort_by_key(|r| r.job);
    let path_of = |r: &Saved| paths[r.at.file as usize].display();
    for w in results.windows(2) {
        if w[0].job == w[1].job {
            return Err(format!(
                "job (variant {}, replication {}) appears twice: in {} and {}; each shard must be merged once",
                w[0].job.variant,
                w[0].job.replication,
                path_of(&w[0]),
                path_of(&w[1])
            ));
        }
    }
    let expected: Vec<Job> = (0..manifest.variants.len() as u32)
        .flat_map(|variant| {
            (0..u64::from(manifest.replications)).map(move |replication| Job {
                variant,
                replication,
            })
        })
        .collect();
    let have: Vec<Job> = results.iter().map(|r| r.job).collect();
    let missing: Vec<&Job> = expected
        .iter()
        .filter(|j| have.binary_search(j).is_err())
        .collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing
            .iter()
            .take(5)
            .map(|j| {
                format!(
                    "({}, replication {})",
                    manifest.variants[j.variant as usize], j.replication
                )
            })
            .collect();
        return Err(format!(
            "{} of {} jobs are missing, e.g. {}; run the missing shards (or resume them with --resume) and merge again",
            missing.len(),
            expected.len(),
            first.join(", ")
        ));
    }
    if let Some(r) = results
        .iter()
        .find(|r| expected.binary_search(&r.job).is_err())
    {
        return Err(format!(
            "{} holds job (variant {}, replication {}) which is not part of this run",
            path_of(r),
            r.job.variant,
            r.job.replication
        ));
    }
    Ok((manifest, JobFiles::Disk(paths), results))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny plant.
    fn tiny() -> Scenario {
        crate::scenario::parse(
            Path::new("tiny.toml"),
            r#"
[simulation]
horizon = "3h"
[stations.cell]
[products.p]
release = { interarrival = { dist = "exponential", mean = "70s" } }
routing = [{ station = "cell", process = { dist = "exponential", mean = "60s" } }]
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Finished jobs of `s`: `variants` × `reps`, every variant the
    /// baseline (the reader does not care).
    fn jobs(s: &Scenario, variants: u32, reps: u64) -> Vec<JobResult> {
        (0..variants)
            .flat_map(|variant| {
                (0..reps).map(move |replication| Job {
                    variant,
                    replication,
                })
            })
            .map(|job| JobResult {
                job,
                result: crate::model::simulate(&s.factory, 1, job.replication, false).0,
            })
            .collect()
    }

    /// Jobs appended in a scrambled order (as threads finish them) are read
    /// back in (variant, replication) order, each exactly as written,
    /// across read batches and backward seeks; a job file changed after
    /// the run is refused rather than misread.
    #[test]
    fn records_read_back_in_job_order() {
        let tmp = tempfile::tempdir().unwrap();
        let s = tiny();
        let all = jobs(&s, 3, 9);
        let (store, done) =
            JobStore::open(tmp.path(), &Manifest::of(&s), Shard::ALL, false).unwrap();
        assert!(done.is_empty());
        // A fixed scramble: every 7th job, wrapping (7 and 27 are coprime).
        let saved: Vec<Saved> = (0..all.len())
            .map(|i| store.append(&all[(i * 7) % all.len()]).unwrap())
            .collect();
        let files = JobFiles::Disk(vec![store.path().to_path_buf()]);
        let records = Records::new(files, &saved, 3);
        assert_eq!(records.replications(1), 9);
        let mut seen = Vec::new();
        records
            .all(|v, r| {
                seen.push((v, serde_json::to_string(r).unwrap()));
                Ok(())
            })
            .unwrap();
        let expected: Vec<(usize, String)> = all
            .iter()
            .map(|j| {
                (
                    j.job.variant as usize,
                    serde_json::to_string(&j.result).unwrap(),
                )
            })
            .collect();
        assert_eq!(seen, expected);
        let mut reps = Vec::new();
        records
            .each(2, |r| {
                reps.push(r.replication);
                Ok(())
            })
            .unwrap();
        assert_eq!(reps, (0..9).collect::<Vec<u64>>());
        // Same jobs, shifted by one line: every place is now wrong.
        let text = std::fs::read_to_string(store.path()).unwrap();
        let first = text.find('\n').unwrap() + 1;
        std::fs::write(store.path(), &text[first..]).unwrap();
        let err = records.all(|_, _| Ok(())).unwrap_err();
        assert!(err.to_string().contains("changed after the run"), "{err}");
    }

    #[test]
    fn parses_shards() {
        assert_eq!(Shard::parse("0/3"), Ok(Shard { index: 0, count: 3 }));
        assert_eq!(Shard::parse(" 2 / 3 "), Ok(Shard { index: 2, count: 3 }));
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("a/3").is_err());
        assert!(Shard::parse("1-3").is_err());
    }

    #[test]
    fn shards_from_scheduler_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::from_env(slurm),
            Ok(Some(Shard { index: 4, count: 8 }))
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2"), ("SHOPFLOOR_SHARDS", "3")]);
        assert_eq!(Shard::from_env(k8s), Ok(Some(Shard { index: 2, count: 3 })));
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "2")])).is_err());
        assert_eq!(Shard::from_env(env(&[])), Ok(None));
    }

    #[test]
    fn shards_partition_the_job_list() {
        let shards: Vec<Shard> = (0..3).map(|k| Shard { index: k, count: 3 }).collect();
        for i in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.owns(i)).count(), 1);
        }
    }
}
