//! The `shopfloor` command line: parse flags, call the library, print.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shopfloor::experiment::kpi::{Kpi, kpi, kpi_names};
use shopfloor::experiment::sensitivity::{self, SensitivityPlan};
use shopfloor::experiment::store::{self, Shard};
use shopfloor::experiment::{self, Outcome, Plan, Precision, PrecisionOn, Progress};
use shopfloor::model::{simulate, simulate_traced};
use shopfloor::scenario::{self, Overrides, parse_duration};
use shopfloor::{data, report};

/// A discrete-event factory simulator.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's variants and replications and write the results.
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Combine the job files of sharded runs into the full results.
    Merge(MergeArgs),
    /// Re-draw the charts and report.html from a results folder's saved
    /// jobs, without re-running.
    Report(ReportArgs),
    /// Choose the best configuration of the decision variables in the
    /// scenario's [optimize] section, under its constraints.
    Optimize(OptimizeArgs),
    /// Find the bottlenecks in a plant's machine state log (machine,
    /// state, start, end) by the active-period method.
    Bottlenecks(BottlenecksArgs),
    /// Fit the scenario's distributions to observed durations in a CSV
    /// file and print the best as a ready-to-paste scenario line.
    Fit(FitArgs),
}

#[derive(clap::Args)]
struct BottlenecksArgs {
    /// Machine state log (CSV): one row per machine and stretch of time
    /// in one state.
    log: PathBuf,
    /// Results folder (default: output/<name of LOG without .csv>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Batches for the 95% CIs: day, shift (8h), week or a duration such
    /// as 12h.
    #[arg(long, default_value = "day")]
    batch: String,
    /// Time of day (HH:MM) at which batches start.
    #[arg(long, default_value = "00:00", value_name = "HH:MM")]
    batch_start: String,
    /// Analyse from this time on (as the log writes times; default: its
    /// first start). Active periods running then count whole.
    #[arg(long)]
    from: Option<String>,
    /// Analyse up to this time (default: the log's last end).
    #[arg(long)]
    to: Option<String>,
    /// Extra state names, NAME=CLASS, comma-separated, e.g. "RUN=busy,STOP=down"
    /// (classes: busy, setup, down, waiting, idle, blocked, off).
    #[arg(long, value_name = "MAP")]
    state_map: Option<String>,
    /// Name of the machine column.
    #[arg(long, default_value = "machine", value_name = "NAME")]
    machine_column: String,
    /// Name of the state column.
    #[arg(long, default_value = "state", value_name = "NAME")]
    state_column: String,
    /// Name of the start column.
    #[arg(long, default_value = "start", value_name = "NAME")]
    start_column: String,
    /// Name of the end column.
    #[arg(long, default_value = "end", value_name = "NAME")]
    end_column: String,
    /// Name of the optional station column (machines of a station are
    /// analysed together: the station is active while all are).
    #[arg(long, default_value = "station", value_name = "NAME")]
    station_column: String,
    /// Skip drawing the chart.
    #[arg(long)]
    no_plots: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct FitArgs {
    /// CSV file with a header row.
    file: PathBuf,
    /// Column of durations ("90s", "4.5m", or plain numbers with --unit).
    #[arg(long)]
    column: Option<String>,
    /// Column(s) to fit separately by, e.g. --by station or
    /// --by product,station.
    #[arg(long, value_delimiter = ',')]
    by: Vec<String>,
    /// Column of start times (with --end): each duration is end − start.
    #[arg(long)]
    start: Option<String>,
    /// Column of end times (with --start); an empty end is an operation
    /// still running when the log ended.
    #[arg(long)]
    end: Option<String>,
    /// Unit of plain numbers in the data: s, m or h.
    #[arg(long, value_parser = shopfloor::fit::Unit::parse)]
    unit: Option<shopfloor::fit::Unit>,
    /// Scenario key the printed lines are written for (process, setup,
    /// repair, time_to_failure, interarrival, lead_time…).
    #[arg(long, default_value = "process")]
    name: String,
    /// Results folder; outputs go to OUT/<data file name>/.
    #[arg(long, default_value = "output/fit")]
    out: PathBuf,
    /// Skip drawing the charts.
    #[arg(long)]
    no_plots: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Replications per variant (overrides `simulation.replications`).
    #[arg(long)]
    replications: Option<u32>,
    #[command(flatten)]
    common: Common,
    /// Results folder; outputs go to OUT/<scenario name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Write the event log of the baseline's replication 0 to this CSV file.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// The plant's observed KPIs (CSV: kpi,station,value): flag each one
    /// outside the baseline's 95% prediction interval.
    #[arg(long, value_name = "KPIS.csv")]
    observed: Option<PathBuf>,
    /// Keep the jobs an interrupted run finished and run only the rest.
    #[arg(long)]
    resume: bool,
    /// Run only slice K of N of the job list (0 ≤ K < N), for a cluster
    /// scheduler; defaults from SLURM_ARRAY_TASK_ID/COUNT or
    /// JOB_COMPLETION_INDEX with SHOPFLOOR_SHARDS. Combine with `merge`.
    #[arg(long, value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Add replications until the 95% CI half-width of KPI is below REL ×
    /// its mean for every variant, e.g. throughput_per_hour=0.01 (with
    /// --precision-on difference: KPI=HALF_WIDTH, in the KPI's units).
    #[arg(long, value_name = "KPI=REL")]
    precision: Vec<String>,
    /// What --precision targets: `level`, each variant's mean (relative to
    /// it; the default), or `difference`, each variant's paired difference
    /// from the baseline (in the KPI's units).
    #[arg(long, value_enum, value_name = "WHAT")]
    precision_on: Option<PrecisionOnArg>,
    /// Cap on replications per variant under --precision.
    #[arg(long, default_value_t = 200)]
    max_replications: u32,
    /// KPI to rank the variants on.
    #[arg(long, default_value = "throughput_per_hour")]
    rank_by: String,
    /// Print nothing but errors (no table, no progress bar).
    #[arg(long, short)]
    quiet: bool,
    /// Skip drawing the charts (report.html is still written, without
    /// them); `shopfloor report` draws them later.
    #[arg(long)]
    no_plots: bool,
    /// Also run, on the same random numbers, +1 machine at each of the top
    /// bottleneck stations (found by a pilot run of the baseline), +1
    /// worker in each pool and overtime on each shift calendar, and report
    /// each one's marginal gain.
    #[arg(long)]
    sensitivity: bool,
    /// Bottleneck stations that get a machine more under --sensitivity.
    #[arg(long, default_value_t = 3, value_name = "K")]
    sensitivity_top: usize,
    /// Hours of overtime a week (one session from 06:00 on the first day
    /// off) each shift calendar gets under --sensitivity; 0 for none.
    #[arg(long, default_value_t = 8.0, value_name = "H")]
    overtime_hours: f64,
}

/// `--precision-on`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum PrecisionOnArg {
    /// Each variant's mean, relative to it.
    Level,
    /// Each variant's paired difference from the baseline, in the KPI's
    /// units.
    Difference,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Results folders written by `shopfloor run --shard` (each holding a
    /// `jobs/` folder), or the `jobs/` folders themselves.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Results folder; outputs go to OUT/<scenario name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// KPI to rank the variants on.
    #[arg(long, default_value = "throughput_per_hour")]
    rank_by: String,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Skip drawing the charts (report.html is still written, without
    /// them); `shopfloor report` draws them later.
    #[arg(long)]
    no_plots: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Results folder holding `jobs/` (as written by `shopfloor run`), or
    /// the results folders of all shards of a run.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Write the charts and report into OUT/<scenario name>/ instead of the
    /// first DIR.
    #[arg(long)]
    out: Option<PathBuf>,
    /// KPI to rank the variants on (default: the ranking of DIR's
    /// summary.json, else throughput_per_hour).
    #[arg(long)]
    rank_by: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// The flags `run` and `optimize` share: the run's settings.
#[derive(clap::Args)]
struct Common {
    /// Master seed (overrides `simulation.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Horizon per replication, e.g. "4w" (overrides `simulation.horizon`).
    #[arg(long, value_parser = parse_duration)]
    horizon: Option<f64>,
    /// Warm-up, e.g. "2d" (overrides `simulation.warmup`).
    #[arg(long, value_parser = parse_duration)]
    warmup: Option<f64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args)]
struct OptimizeArgs {
    /// Scenario file (TOML) with an [optimize] section.
    file: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Results folder; outputs go to OUT/<scenario name>/optimize/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Keep the replications an interrupted run finished and continue.
    #[arg(long)]
    resume: bool,
    /// Print nothing but errors (no answer, no progress bar).
    #[arg(long, short)]
    quiet: bool,
    /// Skip drawing the frontier chart.
    #[arg(long)]
    no_plots: bool,
    /// Check the choice under a change of demand, e.g. demand=+15%: every
    /// order and release rate (and order book quantity) × 1.15.
    #[arg(long, value_name = "demand=±P%")]
    stress: Option<String>,
}

fn main() -> ExitCode {
    // A closed standard output (`shopfloor validate … | head`) ends the
    // process quietly, killed by SIGPIPE as other Unix tools are, instead
    // of a panic in `println!`. Rust ignores SIGPIPE by default; restore
    // the default action. Nothing is printed before every output file has
    // been written, so no result is lost.
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists;
    // `signal` with `SIG_DFL` installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Run(args) => run(args),
        Command::Merge(args) => merge(args),
        Command::Report(args) => report_cmd(args),
        Command::Optimize(args) => optimize_cmd(args),
        Command::Bottlenecks(args) => bottlenecks_cmd(args),
        Command::Fit(args) => fit_cmd(args),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{}", as_error(&msg));
            ExitCode::FAILURE
        }
    }
}

/// `msg` starting with exactly one `error: `, whether the layer that made
/// it wrote one, none, or (wrapping another's) two.
fn as_error(msg: &str) -> String {
    let mut rest = msg.trim_start();
    while let Some(r) = rest.strip_prefix("error:") {
        rest = r.trim_start();
    }
    format!("error: {rest}")
}

fn validate(files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut ok = true;
    for f in files {
        match scenario::load(f) {
            Ok(s) => println!(
                "{}: ok ({} station{}, {} product{}, {} variant{} besides the baseline)",
                f.display(),
                s.factory.stations.len(),
                plural(s.factory.stations.len()),
                s.factory.products.len(),
                plural(s.factory.products.len()),
                s.variants.len(),
                plural(s.variants.len()),
            ),
            Err(e) => {
                eprintln!("{e}");
                ok = false;
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn find_kpi(name: &str, flag: &str) -> Result<&'static Kpi, String> {
    kpi(name).ok_or_else(|| {
        let hint = scenario::did_you_mean(name, kpi_names())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("known KPIs: {}", kpi_names().join(", ")));
        format!("error: {flag}: unknown KPI `{name}`; {hint}")
    })
}

fn parse_precision(text: &str, on: PrecisionOn) -> Result<Precision, String> {
    let (name, rel) = text.split_once('=').ok_or_else(|| match on {
        PrecisionOn::Level => format!(
            "error: --precision `{text}`: write KPI=REL, e.g. --precision throughput_per_hour=0.01"
        ),
        PrecisionOn::Difference => format!(
            "error: --precision `{text}`: write KPI=HALF_WIDTH, e.g. --precision on_time_orders=0.02"
        ),
    })?;
    let kpi = find_kpi(name.trim(), "--precision")?;
    let target: f64 = rel
        .trim()
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite() && *r > 0.0)
        .ok_or_else(|| match on {
            PrecisionOn::Level => format!(
                "error: --precision `{text}`: REL must be a number above 0, e.g. 0.01 for ±1%"
            ),
            PrecisionOn::Difference => format!(
                "error: --precision `{text}`: with --precision-on difference, the half-width must be a number above 0 in the KPI's units, e.g. 0.02 for ±2 points of an on-time share"
            ),
        })?;
    Ok(Precision { kpi, target, on })
}

/// The progress bar on stderr, hidden when stderr is not a terminal or
/// with --quiet.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Bar {
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if quiet || !std::io::stderr().is_terminal() {
            pb.set_draw_target(ProgressDrawTarget::hidden());
        }
        pb.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} jobs  {per_sec}  ETA {eta}")
                .expect("valid template"),
        );
        Bar(pb)
    }
}

impl Progress for Bar {
    fn set_total(&self, total: u64, done: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
    fn job_done(&self) {
        self.0.inc(1);
    }
}

/// The most worker threads `--threads` may ask for.
const MAX_THREADS: usize = 1024;

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            return Err("error: --threads must be at least 1".into());
        }
        if t > MAX_THREADS {
            return Err(format!(
                "error: --threads {t} is more than the limit of {MAX_THREADS}"
            ));
        }
        pool = pool.num_threads(t);
    }
    pool.build()
        .map_err(|e| format!("error: cannot start threads: {e}"))
}

/// Ctrl-C: stop starting jobs, keep the finished ones; a second Ctrl-C
/// quits at once. Returns the flag the first one sets.
fn stop_on_ctrl_c() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the running jobs (Ctrl-C again to quit now)…");
    });
    &STOP
}

/// Reads the scenario `file` and applies the command line's settings.
fn load(
    file: &std::path::Path,
    common: &Common,
    replications: Option<u32>,
) -> Result<scenario::Scenario, String> {
    let mut sc = scenario::load(file).map_err(|e| e.to_string())?;
    sc.apply(&Overrides {
        replications,
        seed: common.seed,
        horizon: common.horizon,
        warmup: common.warmup,
    })
    .map_err(|e| format!("error: {e}"))?;
    Ok(sc)
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let mut sc = load(&args.file, &args.common, args.replications)?;
    if let Some(t) = &args.trace {
        // Refused now rather than after a long run.
        report::check_target(t).map_err(|e| format!("error: --trace: {e}"))?;
    }
    // Read and checked now rather than after a long run.
    let observed = match &args.observed {
        Some(p) => Some(data::calibrate::read_observed(p, &sc.factory)?),
        None => None,
    };
    if observed.is_some() && sc.replications < 2 {
        return Err("error: --observed needs at least 2 replications for a prediction interval; set --replications".into());
    }
    let pool = pool(args.common.threads)?;
    let stop = stop_on_ctrl_c();
    let mut notes = Vec::new();
    if args.sensitivity {
        let minutes = sensitivity::overtime_minutes(args.overtime_hours);
        if !(args.overtime_hours == 0.0 || sensitivity::OVERTIME_MINUTES.contains(&minutes)) {
            return Err("error: --overtime-hours must be 0 (no overtime lever) or from 1 minute (0.017) to just under 18 hours (one session from 06:00 on a day off, ending by 23:59)".into());
        }
        let plan = SensitivityPlan {
            top: args.sensitivity_top,
            overtime_hours: args.overtime_hours,
        };
        let shares = pool.install(|| sensitivity::pilot(&sc, stop));
        if stop.load(Ordering::SeqCst) {
            eprintln!("stopped during the pilot run of --sensitivity; nothing was saved");
            return Ok(ExitCode::from(130));
        }
        let (levers, why) = sensitivity::levers(&sc, &shares, &plan)
            .map_err(|e| format!("error: --sensitivity: {e}"))?;
        notes = why;
        sensitivity::add_levers(&mut sc, levers)
            .map_err(|e| format!("error: --sensitivity: {e}"))?;
    }
    let rank_by = find_kpi(&args.rank_by, "--rank-by")?;
    let on = match args.precision_on {
        Some(_) if args.precision.is_empty() => {
            return Err(
                "error: --precision-on says what --precision targets, but no --precision is given; add e.g. --precision on_time_orders=0.02"
                    .into(),
            );
        }
        Some(PrecisionOnArg::Difference) => PrecisionOn::Difference,
        Some(PrecisionOnArg::Level) | None => PrecisionOn::Level,
    };
    let precision = args
        .precision
        .iter()
        .map(|p| parse_precision(p, on))
        .collect::<Result<Vec<_>, _>>()?;
    if on == PrecisionOn::Difference && sc.variants.is_empty() {
        return Err("error: --precision-on difference: the scenario has no variants, so there is no difference from the baseline to measure; add [[variant]]s or drop --precision-on".into());
    }
    // A KPI no variant defines cannot rank or stop anything.
    let factories = sc.all_variants();
    for (k, flag) in std::iter::once((rank_by, "--rank-by"))
        .chain(precision.iter().map(|p| (p.kpi, "--precision")))
    {
        if let Some(why) = factories
            .iter()
            .map(|(_, f)| k.undefined_in(f))
            .reduce(|a, b| a.and(b))
            .flatten()
        {
            return Err(format!(
                "error: {flag} {}: {why} in this scenario, so the KPI has no value",
                k.name
            ));
        }
    }
    let shard = match args.shard {
        Some(s) => s,
        None => Shard::from_env(|k| std::env::var(k).ok())
            .map_err(|e| format!("error: {e}"))?
            .unwrap_or(Shard::ALL),
    };
    if args.max_replications > scenario::limits::MAX_REPLICATIONS {
        return Err(format!(
            "--max-replications {} is more than the limit of {} replications per variant",
            args.max_replications,
            scenario::limits::MAX_REPLICATIONS
        ));
    }
    let dir = scenario::output_dir(&args.out, &sc);
    // Held until the results are written: a second run into the folder is
    // refused instead of mixing its jobs with these.
    let _lock = store::lock_folder(&dir.join("jobs"), shard).map_err(|e| format!("error: {e}"))?;
    let plan = Plan {
        dir: &dir,
        shard,
        resume: args.resume,
        precision: precision.clone(),
        max_replications: args.max_replications,
        rank_by,
        stop,
    };
    let bar = Bar::new(args.quiet);
    let started = std::time::Instant::now();
    let outcome = pool.install(|| experiment::execute(&sc, &plan, &bar))?;
    bar.0.finish_and_clear();
    let elapsed = started.elapsed();

    match outcome {
        Outcome::Interrupted { done, total } => {
            eprintln!(
                "stopped: {done} of {total} jobs finished and saved in {}; run again with --resume to finish",
                dir.join("jobs").display()
            );
            Ok(ExitCode::from(130))
        }
        Outcome::ShardDone { jobs, file } => {
            if !args.quiet {
                println!(
                    "shard {}/{}: {jobs} jobs in {}; combine all shards with `shopfloor merge`",
                    shard.index,
                    shard.count,
                    file.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Complete {
            results,
            replications,
            precision_met,
            jobs_run,
        } => {
            sc.replications = replications;
            // The tables read the results back from the job files, parsing
            // them on the pool's threads.
            pool.install(|| report::write_all(&dir, &sc, &results))
                .map_err(|e| format!("error: cannot write results in {}: {e}", dir.display()))?;
            let drawn = pool.install(|| draw(&dir, &sc, &results, args.no_plots))?;
            let calibration = match (&observed, &args.observed) {
                (Some(obs), Some(file)) => {
                    let checks = pool
                        .install(|| data::calibrate::check(obs, &results))
                        .and_then(|c| data::calibrate::write(&dir, &c, file).map(|_| c))
                        .map_err(|e| {
                            format!(
                                "error: cannot write the calibration in {}: {e}",
                                dir.display()
                            )
                        })?;
                    Some(checks)
                }
                _ => None,
            };
            if let Some(path) = &args.trace {
                let (_, trace) = simulate(&sc.factory, sc.seed, 0, true);
                report::write_trace_csv(path, &trace.unwrap_or_default()).map_err(|e| {
                    format!("error: cannot write the trace {}: {e}", path.display())
                })?;
            }
            if !args.quiet {
                print!("{}", report::summary_table(&sc, &results));
                print!("{}", report::sensitivity_table(&sc, &results));
                if let Some(c) = &calibration {
                    print!("{}", data::calibrate::table(c));
                }
                for n in notes.iter().chain(&experiment::setup_warnings(&results)) {
                    println!("  note: {n}");
                }
                for (p, met) in precision.iter().zip(&precision_met) {
                    let (what, target) = match p.on {
                        PrecisionOn::Level => (String::new(), format!("±{:.2}%", 100.0 * p.target)),
                        PrecisionOn::Difference => (
                            ", difference from the baseline".to_string(),
                            format!("±{}", p.target),
                        ),
                    };
                    println!(
                        "precision {}{what}: {target} {} after {replications} replications per variant",
                        p.kpi.name,
                        if *met {
                            "reached"
                        } else {
                            "NOT reached (cap hit; raise --max-replications)"
                        }
                    );
                }
                let events: u64 = results.variants.iter().map(|v| v.events).sum();
                println!(
                    "\n{jobs_run} jobs run ({events} events in all) in {:.2} s; results in {}",
                    elapsed.as_secs_f64(),
                    dir.display()
                );
                if let Some(p) = &args.trace {
                    println!("trace of the baseline's replication 0 in {}", p.display());
                }
                println!("{drawn}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn merge(args: MergeArgs) -> Result<ExitCode, String> {
    let rank_by = find_kpi(&args.rank_by, "--rank-by")?;
    let mut locks = ResultLocks::on(&args.dirs)?;
    let (manifest, files, saved) = store::collect(&args.dirs).map_err(|e| format!("error: {e}"))?;
    let origin = PathBuf::from(format!("{}.toml", manifest.scenario));
    let sc = manifest
        .scenario(&origin)
        .map_err(|e| format!("error: {e}"))?;
    let analysed =
        experiment::analyse(&sc, files, saved, rank_by).map_err(|e| format!("error: {e}"))?;
    let dir = scenario::output_dir(&args.out, &sc);
    locks.add(&dir)?;
    report::write_all(&dir, &sc, &analysed)
        .map_err(|e| format!("error: cannot write results in {}: {e}", dir.display()))?;
    let drawn = draw(&dir, &sc, &analysed, args.no_plots)?;
    if !args.quiet {
        print!("{}", report::summary_table(&sc, &analysed));
        print!("{}", report::sensitivity_table(&sc, &analysed));
        println!(
            "\nmerged {} jobs; results in {}",
            manifest.jobs,
            dir.display()
        );
        println!("{drawn}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The folder locks `merge` and `report` hold on the results folders they
/// read and write (those with a `jobs/` folder), so that they never read
/// or rewrite the files of a run still writing there. Each folder is
/// locked once (a second lock from this process would wait on the first).
struct ResultLocks {
    held: Vec<(PathBuf, store::FolderLock)>,
}

impl ResultLocks {
    fn on(dirs: &[PathBuf]) -> Result<ResultLocks, String> {
        let mut locks = ResultLocks { held: Vec::new() };
        for d in dirs {
            locks.add(d)?;
        }
        Ok(locks)
    }

    /// Locks `dir` if it is a results folder not locked yet.
    fn add(&mut self, dir: &std::path::Path) -> Result<(), String> {
        let jobs = if dir.file_name().is_some_and(|n| n == "jobs") {
            dir.to_path_buf()
        } else {
            dir.join("jobs")
        };
        if !jobs.is_dir() {
            return Ok(());
        }
        let key = std::fs::canonicalize(&jobs).unwrap_or(jobs.clone());
        if self.held.iter().any(|(k, _)| *k == key) {
            return Ok(());
        }
        let lock = store::lock_folder(&jobs, Shard::ALL).map_err(|e| format!("error: {e}"))?;
        self.held.push((key, lock));
        Ok(())
    }
}

/// Draws the charts (unless `no_plots`) and writes report.html into `dir`;
/// returns a line saying what was written.
fn draw(
    dir: &std::path::Path,
    sc: &scenario::Scenario,
    results: &experiment::RunResults,
    no_plots: bool,
) -> Result<String, String> {
    let started = std::time::Instant::now();
    let charts = if no_plots {
        // Charts of an earlier run would not match these results.
        report::plots::remove_plots(dir)
            .map_err(|e| format!("error: cannot remove old charts in {}: {e}", dir.display()))?;
        Vec::new()
    } else {
        // The Gantt chart needs the event trace of the baseline's
        // replication 0, over its window only, of the machines it draws.
        let stations = report::gantt_stations(&sc.factory, results);
        let (_, trace) =
            simulate_traced(&report::gantt_factory(&sc.factory), sc.seed, 0, &stations);
        report::write_plots(dir, sc, results, Some(&trace))
            .map_err(|e| format!("error: cannot draw the charts in {}: {e}", dir.display()))?
    };
    report::write_report(dir, sc, results, &charts)
        .map_err(|e| format!("error: cannot write the report in {}: {e}", dir.display()))?;
    let report = dir.join("report.html");
    Ok(if no_plots {
        format!(
            "report in {} (charts skipped: --no-plots)",
            report.display()
        )
    } else {
        format!(
            "report in {} with {} charts (PNG and SVG in {}) drawn in {:.2} s",
            report.display(),
            charts.len(),
            dir.join("plots").display(),
            started.elapsed().as_secs_f64()
        )
    })
}

/// The ranking KPI recorded in `dir/summary.json`, if any.
fn saved_rank_by(dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(v.get("ranking")?.get("kpi")?.as_str()?.to_string())
}

fn report_cmd(args: ReportArgs) -> Result<ExitCode, String> {
    let mut locks = ResultLocks::on(&args.dirs)?;
    let (manifest, files, saved) = store::collect(&args.dirs).map_err(|e| format!("error: {e}"))?;
    let origin = PathBuf::from(format!("{}.toml", manifest.scenario));
    let sc = manifest
        .scenario(&origin)
        .map_err(|e| format!("error: {e}"))?;
    let dir = match &args.out {
        Some(out) => scenario::output_dir(out, &sc),
        None => {
            // A `jobs/` folder given directly: write beside it.
            let first = &args.dirs[0];
            if first.join("jobs").is_dir() {
                first.clone()
            } else if first.join(&sc.factory.name).join("jobs").is_dir() {
                // The `--out` folder of the run.
                first.join(&sc.factory.name)
            } else {
                first
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(|p| p.to_path_buf())
                    .unwrap_or_else(|| PathBuf::from("."))
            }
        }
    };
    locks.add(&dir)?;
    let rank_name = args
        .rank_by
        .clone()
        .or_else(|| saved_rank_by(&dir))
        .unwrap_or_else(|| "throughput_per_hour".to_string());
    let rank_by = find_kpi(&rank_name, "--rank-by")?;
    let analysed =
        experiment::analyse(&sc, files, saved, rank_by).map_err(|e| format!("error: {e}"))?;
    let drawn = draw(&dir, &sc, &analysed, false)?;
    if !args.quiet {
        println!("{drawn}");
    }
    Ok(ExitCode::SUCCESS)
}

fn optimize_cmd(args: OptimizeArgs) -> Result<ExitCode, String> {
    let sc = load(&args.file, &args.common, None)?;
    let stress = args
        .stress
        .as_deref()
        .map(shopfloor::optimize::Stress::parse)
        .transpose()
        .map_err(|e| format!("error: {e}"))?;
    let pool = pool(args.common.threads)?;
    let stop = stop_on_ctrl_c();
    let dir = scenario::output_dir(&args.out, &sc).join("optimize");
    let _lock =
        store::lock_folder(&dir.join("jobs"), Shard::ALL).map_err(|e| format!("error: {e}"))?;
    let settings = shopfloor::optimize::Settings {
        dir: &dir,
        resume: args.resume,
        stop,
        stress,
    };
    let bar = Bar::new(args.quiet);
    let started = std::time::Instant::now();
    let outcome = pool
        .install(|| shopfloor::optimize::optimize(&sc, &settings, &bar))
        .map_err(|e| format!("error: {e}"))?;
    bar.0.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    match outcome {
        shopfloor::optimize::Outcome::Interrupted { done } => {
            eprintln!(
                "stopped: {done} replications finished and saved in {}; run again with --resume to continue",
                dir.join("jobs").display()
            );
            Ok(ExitCode::from(130))
        }
        shopfloor::optimize::Outcome::Complete { result, run } => {
            report::write_optimize(&dir, &result, args.no_plots)
                .map_err(|e| format!("error: cannot write results in {}: {e}", dir.display()))?;
            if !args.quiet {
                print!("{}", report::optimize_table(&result));
                println!(
                    "{run} replications run now in {elapsed:.2} s ({:.0} replications/s); results in {}",
                    run as f64 / elapsed.max(1e-9),
                    dir.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn fit_cmd(args: FitArgs) -> Result<ExitCode, String> {
    if args.name.is_empty()
        || !args
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!(
            "error: --name `{}`: write a scenario key such as process, repair or lead_time",
            args.name
        ));
    }
    let req = shopfloor::fit::Request {
        path: args.file.clone(),
        column: args.column,
        by: args.by,
        start: args.start,
        end: args.end,
        unit: args.unit,
    };
    let run = shopfloor::fit::run(&req, &args.name).map_err(|e| format!("error: {e}"))?;
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "data".into());
    let dir = args.out.join(stem);
    let charts = shopfloor::fit::write_outputs(&dir, &run, !args.no_plots)
        .map_err(|e| format!("error: cannot write results in {}: {e}", dir.display()))?;
    if !args.quiet {
        print!("{}", shopfloor::fit::summary_text(&run));
        println!(
            "\nall fits in {} and {}{}",
            dir.join("fits.csv").display(),
            dir.join("fits.json").display(),
            if charts.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} chart{} (PNG and SVG) in {}",
                    charts.len(),
                    plural(charts.len()),
                    dir.join("plots").display()
                )
            }
        );
    }
    if run.groups.is_empty() {
        return Err("error: no group had enough values to fit".into());
    }
    Ok(ExitCode::SUCCESS)
}

fn bottlenecks_cmd(args: BottlenecksArgs) -> Result<ExitCode, String> {
    use data::machine_log::{self, Batching, Columns, StateMap};
    let states = match &args.state_map {
        Some(m) => StateMap::parse(m).map_err(|e| format!("error: {e}"))?,
        None => StateMap::default(),
    };
    let offset =
        machine_log::parse_time_of_day(&args.batch_start).map_err(|e| format!("error: {e}"))?;
    let batching = Batching::parse(&args.batch, offset).map_err(|e| format!("error: {e}"))?;
    let time = |flag: &str, t: &Option<String>| {
        t.as_deref()
            .map(|t| machine_log::parse_time(t).map_err(|e| format!("error: {flag}: {e}")))
            .transpose()
    };
    let (from, to) = (time("--from", &args.from)?, time("--to", &args.to)?);
    let columns = Columns {
        machine: args.machine_column,
        state: args.state_column,
        start: args.start_column,
        end: args.end_column,
        station: args.station_column,
    };
    let log = machine_log::read_log(&args.log, &columns, &states).map_err(|e| e.to_string())?;
    for (flag, t) in [("--from", from), ("--to", to)] {
        if let Some((_, format)) = t
            && format != log.format
        {
            return Err(format!(
                "error: {flag}: {} writes its times as {}: write {flag} the same way",
                args.log.display(),
                match log.format {
                    machine_log::TimeFormat::Iso => "an ISO-8601 date-time",
                    machine_log::TimeFormat::Seconds => "seconds",
                }
            ));
        }
    }
    let (from, to) = (from.map(|t| t.0), to.map(|t| t.0));
    let analysis = machine_log::analyse(&log, from, to, batching)
        .map_err(|e| format!("error: {}: {e}", args.log.display()))?;
    let dir = args.out.unwrap_or_else(|| {
        let stem = args
            .log
            .file_stem()
            .map_or_else(|| "log".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("output").join(stem)
    });
    let written =
        data::bottleneck_report::write(&dir, &log, &analysis, &args.log, args.no_plots)
            .map_err(|e| format!("error: cannot write the results in {}: {e}", dir.display()))?;
    if !args.quiet {
        print!(
            "{}",
            data::bottleneck_report::table(&log, &analysis, &args.log)
        );
        println!(
            "\n{} files in {}: {}",
            written.len(),
            dir.display(),
            written
                .iter()
                .filter_map(|p| p.strip_prefix(&dir).ok())
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
