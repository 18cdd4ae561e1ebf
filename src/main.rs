//! The `shopfloor` command line: parse flags, call the library, print.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shopfloor::scenario::{self, Overrides, parse_duration};
use shopfloor::{experiment, report};

/// A discrete-event factory simulator.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's replications and write the results.
    Run(RunArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Replications (overrides `simulation.replications`).
    #[arg(long)]
    replications: Option<u32>,
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
    /// Results folder; outputs go to OUT/<scenario name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Write the event log of replication 0 to this CSV file.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Run(args) => match run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("{msg}");
                ExitCode::FAILURE
            }
        },
    }
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for f in files {
        match scenario::load(f) {
            Ok(s) => println!(
                "{}: ok ({} stations, {} products)",
                f.display(),
                s.factory.stations.len(),
                s.factory.products.len()
            ),
            Err(e) => {
                eprintln!("{e}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run(args: RunArgs) -> Result<(), String> {
    let mut sc = scenario::load(&args.file).map_err(|e| e.to_string())?;
    sc.apply(&Overrides {
        replications: args.replications,
        seed: args.seed,
        horizon: args.horizon,
        warmup: args.warmup,
    })
    .map_err(|e| format!("error: {e}"))?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        if t == 0 {
            return Err("error: --threads must be at least 1".into());
        }
        pool = pool.num_threads(t);
    }
    let pool = pool
        .build()
        .map_err(|e| format!("error: cannot start threads: {e}"))?;
    let started = std::time::Instant::now();
    let results = pool.install(|| experiment::run(&sc, args.trace.as_ref().map(|_| 0)));
    let elapsed = started.elapsed();

    let dir = scenario::output_dir(&args.out, &sc);
    let io = |what: &str, e: std::io::Error| format!("error: cannot write {what}: {e}");
    report::write_summary_json(&dir, &sc, &results).map_err(|e| io("summary.json", e))?;
    report::write_replications_csv(&dir, &sc, &results).map_err(|e| io("replications.csv", e))?;
    report::write_stations_csv(&dir, &results).map_err(|e| io("stations.csv", e))?;
    if let (Some(path), Some(trace)) = (&args.trace, &results.trace) {
        report::write_trace_csv(path, trace).map_err(|e| io(&path.display().to_string(), e))?;
    }
    if !args.quiet {
        print!("{}", report::summary_table(&sc, &results));
        let events: u64 = results.replications.iter().map(|r| r.events).sum();
        println!(
            "\n{} events in {:.2} s; results in {}",
            events,
            elapsed.as_secs_f64(),
            dir.display()
        );
        if let Some(p) = &args.trace {
            println!("trace of replication 0 in {}", p.display());
        }
    }
    Ok(())
}
