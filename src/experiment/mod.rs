//! Experiments: every (variant, replication) pair is a job; jobs run in
//! parallel and are combined deterministically.
//!
//! Each job is seeded by its replication index, never by the thread that
//! runs it, and replication `r` of every variant uses the same named random
//! streams (common random numbers). Results are combined in (variant,
//! replication) order, never in the order jobs finish, so every output is
//! identical for any thread count, completion order or shard split.
//!
//! Memory is bounded by the number of running jobs, not of finished ones:
//! a finished job's full result (with its time series) goes to its job file
//! and is dropped; the run keeps only where its line is and its KPI values
//! ([`store::Saved`]). The analysis and the reports read the results back
//! one replication at a time ([`store::Records`]) and fold them, variant by
//! variant in replication order, into sums ([`TwoPass`]): two passes give
//! every mean and confidence interval exactly as if all values were held.

mod compare;
mod execute;
pub mod kpi;
pub mod risk;
pub mod sensitivity;
pub mod store;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use compare::{Comparison, Ranking, compare, rank};
pub use execute::{Outcome, Plan, Precision, PrecisionOn, Progress, Silent, execute};

use crate::model::{Factory, MachineState, ReplicationResult, simulate};
use crate::scenario::Scenario;
use crate::stats::{Estimate, t_quantile_975};
use kpi::{KPIS, Kpi};
use store::{JobFiles, Records, Saved};

/// One unit of work: a replication of a variant (0 is the baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Job {
    /// Variant index: 0 is the baseline, then variants in file order.
    pub variant: u32,
    /// Replication index.
    pub replication: u64,
}

/// A finished job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobResult {
    /// Which job.
    pub job: Job,
    /// What it measured.
    pub result: ReplicationResult,
}

/// Every (variant, replication) pair for replications `reps`, variant by
/// variant.
pub fn job_list(scenario: &Scenario, reps: std::ops::Range<u64>) -> Vec<Job> {
    let variants = scenario.variants.len() as u32 + 1;
    (0..variants)
        .flat_map(|variant| {
            reps.clone().map(move |replication| Job {
                variant,
                replication,
            })
        })
        .collect()
}

/// Runs `jobs` on the current rayon pool. Each finished job is handed to
/// `done` (from any thread), which saves it and returns what to keep of it
/// in memory (`None`: nothing); once `stop` is set, jobs not yet started
/// are skipped. Returns what was kept, in job-list order.
///
/// A full result (with its time series) lives only until `done` returns,
/// so memory grows with the number of threads, not of jobs, unless `done`
/// keeps it.
pub fn run_jobs<T: Send>(
    scenario: &Scenario,
    jobs: &[Job],
    done: &(dyn Fn(JobResult) -> Option<T> + Sync),
    stop: &AtomicBool,
) -> Vec<T> {
    let factories = scenario.all_variants();
    jobs.par_iter()
        .filter_map(|&job| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let factory = factories[job.variant as usize].1;
            let (result, _) = simulate(factory, scenario.seed, job.replication, false);
            done(JobResult { job, result })
        })
        .collect()
}

/// One variant's results.
#[derive(Clone, Debug)]
pub struct VariantOutcome {
    /// Variant name (`baseline` first).
    pub name: String,
    /// Overrides that define it, `(path, value)`.
    pub overrides: Vec<(String, String)>,
    /// Each KPI's value per replication: `kpis[k][r]` is KPI `KPIS[k]` of
    /// replication `r` (index order).
    pub kpis: Vec<Vec<f64>>,
    /// Summary over its replications.
    pub summary: Summary,
    /// Paired differences from the baseline, one per KPI (all exactly zero
    /// for the baseline itself).
    pub vs_baseline: Vec<Comparison>,
    /// Events processed, summed over its replications.
    pub events: u64,
    /// What the variant's investment buys, against the plant that differs
    /// from it only by the investment (None unless it automates stations
    /// or buys machines at a price, see [`InvestmentOutcome`]).
    pub investment: Option<InvestmentOutcome>,
}

/// Machines a variant buys at one station.
#[derive(Clone, Debug, Serialize)]
pub struct MachinesBought {
    /// The station.
    pub station: String,
    /// Machines added.
    pub machines: u32,
    /// The station's `capital_per_machine`.
    pub price: f64,
}

/// The case for an investment: a variant that automates stations or buys
/// machines at a price, against the plant that differs from it only by the
/// investment (see `scenario/payback.rs`), on the same random numbers.
#[derive(Clone, Debug, Serialize)]
pub struct InvestmentOutcome {
    /// The plant compared with: `baseline` or a variant's name.
    pub compared_with: String,
    /// Stations invested in: automated here and not there, then those
    /// with machines bought.
    pub stations: Vec<String>,
    /// The machines bought, per station.
    pub machines_added: Vec<MachinesBought>,
    /// The capital: the automations' `capital` plus the machines bought ×
    /// their price.
    pub capital: f64,
    /// The automations' straight-line charge over the observed period.
    pub capital_charge: f64,
    /// Labour cost saved over the observed period (comparison − variant,
    /// paired).
    pub labour_saved: Estimate,
    /// Operating gain per year of 8 760 h: the paired difference in profit
    /// before the automation capital charges, scaled from the observed
    /// period.
    pub operating_gain_per_year: Estimate,
    /// Capital / operating gain per year, at the mean gain. Infinite when
    /// the gain is not positive.
    pub payback_years: f64,
    /// Payback at the upper and lower ends of the gain's 95% CI (the
    /// quickest first).
    pub payback_years_range: (f64, f64),
    /// The payback the scenario asks of an investment, in years
    /// (`costs.payback_within_years`).
    pub payback_within_years: f64,
    /// The break-even capital: the most the investment could cost and
    /// still pay back within `payback_within_years` (the operating gain per
    /// year × those years; 0 when the gain is not positive).
    pub break_even_capital: f64,
    /// The break-even capital at the lower and upper ends of the gain's
    /// 95% CI.
    pub break_even_capital_range: (f64, f64),
    /// The break-even price of one machine, for an investment that is
    /// machines at one station only: the break-even capital / machines
    /// bought.
    pub break_even_per_machine: Option<f64>,
    /// It at the ends of the gain's 95% CI.
    pub break_even_per_machine_range: Option<(f64, f64)>,
}

impl InvestmentOutcome {
    /// What it buys, in words: `weld automated, 1 machine at cut`.
    pub fn bought(&self) -> String {
        let automated = self.stations[..self.stations.len() - self.machines_added.len()]
            .iter()
            .map(|s| format!("{s} automated"));
        let machines = self.machines_added.iter().map(|m| {
            format!(
                "{} machine{} at {}",
                m.machines,
                if m.machines == 1 { "" } else { "s" },
                m.station
            )
        });
        automated.chain(machines).collect::<Vec<_>>().join(", ")
    }
}

/// Payback in years of `capital` at an operating gain per year of `gain`
/// (infinite when the gain is not positive).
pub fn payback_years(capital: f64, gain: f64) -> f64 {
    if gain > 0.0 {
        capital / gain
    } else {
        f64::INFINITY
    }
}

/// The most an investment may cost to pay back within `years` at an
/// operating gain per year of `gain` (0 when the gain is not positive).
pub fn break_even(gain: f64, years: f64) -> f64 {
    (gain * years).max(0.0)
}

/// The investment case of `variant` against `other` (see
/// [`InvestmentOutcome`]); `kpis` and `other_kpis` are their
/// per-replication KPI values.
pub(crate) fn investment_outcome(
    compared_with: &str,
    other: &Factory,
    variant: &Factory,
    other_kpis: &[Vec<f64>],
    kpis: &[Vec<f64>],
) -> Option<InvestmentOutcome> {
    let inv = variant.investment_over(other);
    if inv.is_empty() {
        return None;
    }
    let hours = (variant.horizon - variant.warmup) / crate::engine::HOUR;
    let charge =
        |f: &Factory| -> f64 { f.stations.iter().map(|s| s.capital_per_hour).sum::<f64>() * hours };
    let column = |name: &str| KPIS.iter().position(|k| k.name == name).expect("a KPI");
    let (labour, profit) = (column("labour_cost"), column("profit"));
    let labour_saved = Estimate::from_values(
        other_kpis[labour]
            .iter()
            .zip(&kpis[labour])
            .map(|(b, v)| b - v),
    );
    let (cb, cv) = (charge(other), charge(variant));
    let year = 8760.0 / hours;
    let gain = Estimate::from_values(
        other_kpis[profit]
            .iter()
            .zip(&kpis[profit])
            .map(|(b, v)| ((v + cv) - (b + cb)) * year),
    );
    let capital = inv.capital();
    let years = variant.policies.payback_within_years;
    let break_even_capital_range = (break_even(gain.low, years), break_even(gain.high, years));
    let per_machine = match (&inv.automated[..], &inv.machines[..]) {
        ([], [(_, n, _)]) => Some(f64::from(*n)),
        _ => None,
    };
    let capital_charge = inv
        .automated
        .iter()
        .filter_map(|(name, _)| variant.stations.iter().find(|s| &s.name == name))
        .map(|s| s.capital_per_hour)
        .sum::<f64>()
        * hours;
    Some(InvestmentOutcome {
        compared_with: compared_with.to_string(),
        stations: inv.stations().iter().map(|s| s.to_string()).collect(),
        machines_added: inv
            .machines
            .iter()
            .map(|(station, machines, price)| MachinesBought {
                station: station.clone(),
                machines: *machines,
                price: *price,
            })
            .collect(),
        capital,
        capital_charge,
        labour_saved,
        payback_years: payback_years(capital, gain.mean),
        payback_years_range: (
            payback_years(capital, gain.high),
            payback_years(capital, gain.low),
        ),
        payback_within_years: years,
        break_even_capital: break_even(gain.mean, years),
        break_even_capital_range,
        break_even_per_machine: per_machine.map(|n| break_even(gain.mean, years) / n),
        break_even_per_machine_range: per_machine.map(|n| {
            (
                break_even_capital_range.0 / n,
                break_even_capital_range.1 / n,
            )
        }),
        operating_gain_per_year: gain,
    })
}

impl VariantOutcome {
    /// The values of `kpi` (one of [`KPIS`]) per replication, in index
    /// order.
    pub fn values(&self, kpi: &Kpi) -> &[f64] {
        let k = KPIS
            .iter()
            .position(|x| x.name == kpi.name)
            .expect("a KPI of KPIS");
        &self.kpis[k]
    }

    /// The mean and 95% CI of `kpi` (one of [`KPIS`]) over replications.
    pub fn estimate(&self, kpi: &Kpi) -> Estimate {
        Estimate::from_values(self.values(kpi).iter().copied())
    }
}

/// Everything an experiment produced.
#[derive(Clone, Debug)]
pub struct RunResults {
    /// Baseline first, then variants in file order.
    pub variants: Vec<VariantOutcome>,
    /// Variants ranked on the chosen KPI.
    pub ranking: Ranking,
    /// The full results (time series included), read back one replication
    /// at a time, in (variant, replication) order.
    pub records: Records,
}

impl RunResults {
    /// The baseline's results.
    pub fn baseline(&self) -> &VariantOutcome {
        &self.variants[0]
    }
}

/// Runs every job of `scenario` (all variants, all replications) and
/// analyses them, ranking on throughput. The results are held in memory:
/// this is for small experiments and tests; [`execute`] streams them to
/// job files.
pub fn run(scenario: &Scenario) -> RunResults {
    let jobs = job_list(scenario, 0..u64::from(scenario.replications));
    let results = run_jobs(scenario, &jobs, &Some, &AtomicBool::new(false));
    let (files, saved) = JobFiles::in_memory(results);
    analyse(scenario, files, saved, &KPIS[0]).expect("results held in memory can be read")
}

/// Summarises the finished jobs `saved` (whose full results are in
/// `files`), compares every variant with the baseline and ranks on
/// `rank_by`. Every variant must have the same replications. The full
/// results are read back variant by variant, in replication order.
pub fn analyse(
    scenario: &Scenario,
    files: JobFiles,
    mut saved: Vec<Saved>,
    rank_by: &Kpi,
) -> Result<RunResults, String> {
    let factories = scenario.all_variants();
    let records = Records::new(files, &saved, factories.len());
    saved.sort_by_key(|s| s.job);
    let mut kpis: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); KPIS.len()]; factories.len()];
    for s in &saved {
        for (column, x) in kpis[s.job.variant as usize].iter_mut().zip(&s.kpis) {
            column.push(*x);
        }
    }
    drop(saved);
    let overrides =
        std::iter::once(Vec::new()).chain(scenario.variants.iter().map(|v| v.overrides.clone()));
    // Variants are summarised side by side, each from its own replications
    // in replication order: the same sums whatever the threads.
    let folded = factories
        .par_iter()
        .enumerate()
        .map(|(i, (_, factory))| fold(factory, &mut |f| records.each(i, f)))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| format!("cannot read the finished jobs: {e}"))?;
    let mut variants: Vec<VariantOutcome> = factories
        .iter()
        .zip(kpis)
        .zip(overrides)
        .zip(folded)
        .map(
            |((((name, _), kpis), overrides), (summary, events))| VariantOutcome {
                name: name.to_string(),
                overrides,
                kpis,
                summary,
                vs_baseline: Vec::new(),
                events,
                investment: None,
            },
        )
        .collect();
    let base = variants[0].kpis.clone();
    // Each investment against the plant its variant names (the file's
    // variants are 1.. in the job list, after the baseline).
    let cases: Vec<Option<InvestmentOutcome>> = scenario
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let other = v.compare_with.as_ref()?;
            let j = factories.iter().position(|(n, _)| n == other)?;
            investment_outcome(
                other,
                factories[j].1,
                factories[i + 1].1,
                &variants[j].kpis,
                &variants[i + 1].kpis,
            )
        })
        .collect();
    for (v, case) in variants[1..].iter_mut().zip(cases) {
        v.investment = case;
    }
    for v in &mut variants {
        v.vs_baseline = KPIS
            .iter()
            .zip(v.kpis.iter().zip(&base))
            .map(|(k, (values, base))| compare(k, values, base))
            .collect();
    }
    let ranking = rank(rank_by, &variants);
    Ok(RunResults {
        variants,
        ranking,
        records,
    })
}

/// The mean and 95% confidence interval of a sequence of values, from two
/// passes over it in the same order: [`add`](TwoPass::add) every value,
/// then [`add_deviation`](TwoPass::add_deviation) every value again. The
/// result is bit for bit the [`Estimate::from_values`] of the values (NaN
/// skipped alike, sums taken in the same order), while holding three
/// numbers instead of the values.
#[derive(Clone, Copy, Debug)]
pub struct TwoPass {
    n: usize,
    sum: f64,
    squares: f64,
}

impl Default for TwoPass {
    fn default() -> TwoPass {
        TwoPass::new()
    }
}

impl TwoPass {
    /// No values yet.
    pub fn new() -> TwoPass {
        TwoPass {
            n: 0,
            sum: TwoPass::zero(),
            squares: TwoPass::zero(),
        }
    }

    /// The value `f64`'s `Sum` starts from, so that adding values in order
    /// rounds exactly as `Iterator::sum` does.
    fn zero() -> f64 {
        std::iter::empty::<f64>().sum()
    }

    /// First pass: one more value.
    pub fn add(&mut self, x: f64) {
        if !x.is_nan() {
            self.n += 1;
            self.sum += x;
        }
    }

    /// The mean of the first pass (NaN without values).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        }
    }

    /// Second pass: the same value again, in the same order.
    pub fn add_deviation(&mut self, x: f64) {
        if !x.is_nan() {
            self.squares += (x - self.mean()).powi(2);
        }
    }

    /// The estimate, after both passes (the mean alone is right after the
    /// first).
    pub fn estimate(&self) -> Estimate {
        let (n, mean) = (self.n, self.mean());
        if n < 2 {
            return Estimate {
                n,
                mean,
                sd: f64::NAN,
                half_width: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let sd = (self.squares / (n - 1) as f64).sqrt();
        let half_width = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
        Estimate {
            n,
            mean,
            sd,
            half_width,
            low: mean - half_width,
            high: mean + half_width,
        }
    }
}

/// Per-station KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct StationSummary {
    /// Station name.
    pub station: String,
    /// Number of machines.
    pub machines: u32,
    /// Share of machine time processing.
    pub utilisation: Estimate,
    /// Share of machine time blocked.
    pub blocked: Estimate,
    /// Share of machine time starved (idle).
    pub starved: Estimate,
    /// Share of machine time down.
    pub down: Estimate,
    /// Share of machine time in setup.
    pub setup: Estimate,
    /// Share of machine time loaded but waiting for operators.
    pub waiting_operator: Estimate,
    /// Share of machine time broken and waiting for a technician.
    pub waiting_technician: Estimate,
    /// Share of machine time waiting for operators who are off shift.
    pub off_shift: Estimate,
    /// Share of machine time loaded but waiting for raw materials.
    pub starved_material: Estimate,
    /// Share of machine time under preventive maintenance. Absent from
    /// `summary.json` when 0.
    #[serde(default, skip_serializing_if = "no_cost")]
    pub maintenance: Estimate,
    /// Time-average buffer content.
    pub queue_avg: Estimate,
    /// Mean wait in the buffer per operation started (Wq), minutes.
    pub wait_mean_min: Estimate,
    /// Share of operations whose part waited in the buffer.
    pub waited_share: Estimate,
    /// Parts scrapped here.
    pub scrapped: Estimate,
    /// Parts sent to rework from here.
    pub reworked: Estimate,
    /// How many replications named this station the busiest.
    pub busiest_in: usize,
    /// Share of time it was the sole bottleneck (active-period method).
    pub bottleneck_sole: Estimate,
    /// Share of time it was a shifting bottleneck.
    pub bottleneck_shifting: Estimate,
    /// Share of time it was a bottleneck, sole or shifting.
    pub bottleneck: Estimate,
    /// How many replications named it the primary bottleneck.
    pub bottleneck_in: usize,
    /// A batch station: batches started per replication, and the mean
    /// batch size (parts per batch); absent for other stations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batches: Option<Estimate>,
    /// Mean parts per batch (see `batches`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size_mean: Option<Estimate>,
    /// A mixed station: its automated machines beside the `machines`
    /// manual ones (0, and absent from `summary.json`, elsewhere).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub automated_machines: u32,
    /// A mixed station: the share of its automated machines' time busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_utilisation: Option<Estimate>,
    /// A mixed station: the share of its manual machines' time busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_utilisation: Option<Estimate>,
}

fn is_zero_u32(x: &u32) -> bool {
    *x == 0
}

/// A struct of estimates, one per figure of a per-replication result, with
/// the code that lists the figures of one replication (`push`) and reads
/// the estimates back in the same order (`read`).
macro_rules! estimates {
    ($(#[$m:meta])* $name:ident from $src:ty {
        $($(#[$fm:meta])* $field:ident: |$r:ident| $get:expr),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Serialize)]
        pub struct $name {
            $($(#[$fm])* pub $field: Estimate,)*
        }
        impl $name {
            fn push(r: &$src, out: &mut Vec<f64>) {
                $( { let $r = r; out.push($get); } )*
            }
            fn read(next: &mut dyn FnMut() -> Estimate) -> $name {
                $name { $($field: next(),)* }
            }
        }
    };
}

estimates! {
    /// Customer orders and delivery over replications (see
    /// [`crate::model::DeliveryResult`] for each figure).
    DeliverySummary from crate::model::DeliveryResult {
        /// Orders arrived.
        orders_arrived: |r| r.orders_arrived as f64,
        /// Orders delivered complete.
        orders_completed: |r| r.orders_completed as f64,
        /// Share of completed orders on time.
        on_time_orders: |r| r.on_time_orders,
        /// Share of units of completed orders on time.
        on_time_units: |r| r.on_time_units,
        /// Mean lateness, hours.
        lateness_mean_h: |r| r.lateness_mean_h,
        /// Mean tardiness, hours.
        tardiness_mean_h: |r| r.tardiness_mean_h,
        /// 90th percentile of tardiness, hours.
        tardiness_p90_h: |r| r.tardiness_p90_h,
        /// Largest tardiness, hours.
        tardiness_max_h: |r| r.tardiness_max_h,
        /// Mean order lead time, hours.
        lead_time_mean_h: |r| r.lead_time_mean_h,
        /// Time-average backlog, units.
        backlog_avg: |r| r.backlog_avg,
        /// Backlog at the end, units.
        backlog_end: |r| r.backlog_end as f64,
        /// Make-to-stock fill rate.
        fill_rate: |r| r.fill_rate,
        /// Orders lost to impatience.
        orders_lost: |r| r.orders_lost as f64,
        /// Units of the lost orders.
        units_lost: |r| r.units_lost as f64,
        /// Orders sent to contractors.
        orders_outsourced: |r| r.orders_outsourced as f64,
        /// Units sent to contractors.
        units_outsourced: |r| r.units_outsourced as f64,
    }
}

/// An unset flag (left out of `summary.json`).
fn is_false(x: &bool) -> bool {
    !*x
}

/// A cost line that is 0 in every replication (costs are never negative).
fn no_cost(e: &Estimate) -> bool {
    e.mean == 0.0
}

estimates! {
    /// Every cost line, revenue and profit over replications (see
    /// [`crate::model::CostResult`]).
    CostSummary from crate::model::CostResult {
        /// Regular labour.
        labour_regular: |r| r.labour_regular,
        /// Overtime labour.
        labour_overtime: |r| r.labour_overtime,
        /// Materials of the parts released.
        materials: |r| r.materials,
        /// Contractors' spend.
        outsourcing: |r| r.outsourcing,
        /// Machine running and energy.
        machine_running: |r| r.machine_running,
        /// Fixed costs of the machines (absent from `summary.json` when 0
        /// in every replication).
        #[serde(skip_serializing_if = "no_cost")]
        machine_fixed: |r| r.machine_fixed,
        /// Preventive maintenance jobs' cost (absent from `summary.json`
        /// when 0 in every replication).
        #[serde(skip_serializing_if = "no_cost")]
        maintenance: |r| r.maintenance,
        /// Mover pools (absent from `summary.json` when 0 in every
        /// replication).
        #[serde(skip_serializing_if = "no_cost")]
        transport: |r| r.transport,
        /// Automation capital charge.
        automation_capital: |r| r.automation_capital,
        /// WIP holding.
        wip_holding: |r| r.wip_holding,
        /// Finished-goods holding.
        stock_holding: |r| r.stock_holding,
        /// Late-delivery penalties.
        late_penalty: |r| r.late_penalty,
        /// Lost-sale penalties.
        lost_sales: |r| r.lost_sales,
        /// Raw materials consumed.
        raw_materials: |r| r.raw_materials,
        /// Raw-material holding.
        raw_holding: |r| r.raw_holding,
        /// Sum of the lines above.
        total: |r| r.total,
        /// Of materials: sunk in scrapped parts.
        scrap_materials: |r| r.scrap_materials,
        /// Cost of poor quality: material, labour and machine time sunk in
        /// scrapped parts, and rework visits (within the lines above).
        poor_quality: |r| r.poor_quality,
        /// Of it: material and raw materials sunk in scrapped parts.
        poor_quality_materials: |r| r.poor_quality_materials,
        /// Of it: operators' time sunk in scrapped parts.
        poor_quality_labour: |r| r.poor_quality_labour,
        /// Of it: machine time sunk in scrapped parts.
        poor_quality_machines: |r| r.poor_quality_machines,
        /// Of it: operators' and machines' time of rework visits.
        poor_quality_rework: |r| r.poor_quality_rework,
        /// Revenue.
        revenue: |r| r.revenue,
        /// Revenue − total cost.
        profit: |r| r.profit,
        /// Total cost per good unit.
        per_good_unit: |r| r.per_good_unit,
    }
}

estimates! {
    /// One product's figures over replications.
    ProductFigures from crate::model::ProductResult {
        /// Parts released.
        released: |r| r.released as f64,
        /// Good parts made in the plant.
        good: |r| r.good as f64,
        /// Parts scrapped.
        scrapped: |r| r.scrapped as f64,
        /// Units delivered.
        delivered: |r| r.delivered as f64,
        /// Orders completed.
        orders_completed: |r| r.orders_completed as f64,
        /// Share of them on time.
        on_time_orders: |r| r.on_time_orders,
        /// Make-to-stock fill rate.
        fill_rate: |r| r.fill_rate,
        /// Time-average finished stock.
        stock_avg: |r| r.stock_avg,
        /// Revenue.
        revenue: |r| r.revenue,
        /// First-pass yield.
        first_pass_yield: |r| r.first_pass_yield,
        /// Final yield.
        final_yield: |r| r.final_yield,
        /// Hidden defects found by inspections.
        defects_detected: |r| r.defects_detected as f64,
        /// Hidden defects escaped with good parts.
        defects_escaped: |r| r.defects_escaped as f64,
        /// Cost of poor quality.
        poor_quality: |r| r.poor_quality,
        /// Of it: cost of rework visits.
        rework_cost: |r| r.rework_cost,
        /// Machine-hours of rework visits.
        rework_hours: |r| r.rework_hours,
        /// Mean order lead time, hours.
        lead_time_mean_h: |r| r.lead_time_mean_h,
        /// Late-delivery penalty of its orders.
        late_penalty: |r| r.late_penalty,
        /// Units lost for want of stock (`on_shortage = "lose"`; absent
        /// from `summary.json` when 0 in every replication).
        #[serde(skip_serializing_if = "no_cost")]
        units_lost: |r| r.units_lost as f64,
        /// Units of this sub-assembly assembled into other parts (absent
        /// from `summary.json` when 0 in every replication).
        #[serde(skip_serializing_if = "no_cost")]
        assembled: |r| r.assembled as f64,
    }
}

estimates! {
    /// One contractor's figures over replications.
    ContractorFigures from crate::model::ContractorResult {
        /// Consignments sent.
        consignments: |r| r.consignments as f64,
        /// Units sent.
        units: |r| r.units as f64,
        /// Units delivered defective.
        defective: |r| r.defective as f64,
        /// Share of consignments on time.
        on_time: |r| r.on_time,
        /// Spend.
        spend: |r| r.spend,
    }
}

estimates! {
    /// One material's figures over replications (see
    /// [`crate::model::MaterialResult`]).
    MaterialFigures from crate::model::MaterialResult {
        /// Fill rate: units taken from stock at once / units requested.
        fill_rate: |r| r.fill_rate,
        /// Stock-outs.
        stockouts: |r| r.stockouts as f64,
        /// Hours in stock-out.
        stockout_hours: |r| r.stockout_hours,
        /// Time-average stock.
        stock_avg: |r| r.stock_avg,
        /// Lowest stock.
        stock_min: |r| r.stock_min as f64,
        /// Orders placed.
        orders: |r| r.orders as f64,
        /// Units ordered.
        ordered: |r| r.ordered as f64,
        /// Units consumed.
        consumed: |r| r.consumed as f64,
        /// Units rejected at incoming inspection.
        rejected: |r| r.rejected as f64,
        /// Holding cost.
        holding_cost: |r| r.holding_cost,
        /// Value of the units consumed.
        consumed_value: |r| r.consumed_value,
        /// Units lost by a store with `on_shortage = "lose"` (absent from
        /// `summary.json` when 0 in every replication, as is their cost).
        #[serde(skip_serializing_if = "no_cost")]
        lost: |r| r.lost as f64,
        /// Their cost.
        #[serde(skip_serializing_if = "no_cost")]
        lost_cost: |r| r.lost_cost,
    }
}

estimates! {
    /// One supplier's figures over replications (see
    /// [`crate::model::SupplierResult`]).
    SupplierFigures from crate::model::SupplierResult {
        /// Orders placed with it.
        orders: |r| r.orders as f64,
        /// Units ordered.
        ordered: |r| r.ordered as f64,
        /// Share of deliveries on time.
        on_time: |r| r.on_time,
        /// Defective units delivered.
        defective: |r| r.defective as f64,
        /// Of which rejected at inspection.
        rejected: |r| r.rejected as f64,
        /// Parts scrapped because of its undetected defects.
        parts_scrapped: |r| r.parts_scrapped as f64,
        /// Their downstream cost.
        downstream_cost: |r| r.downstream_cost,
        /// Spend.
        spend: |r| r.spend,
    }
}

/// Per-material KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct MaterialSummary {
    /// Material name.
    pub material: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: MaterialFigures,
}

/// Per-supplier KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct SupplierSummary {
    /// Supplier name.
    pub supplier: String,
    /// The material it supplies.
    pub material: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SupplierFigures,
}

/// Per-product KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct ProductSummary {
    /// Product name.
    pub product: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: ProductFigures,
}

/// Per-contractor KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct ContractorSummary {
    /// Contractor name.
    pub contractor: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: ContractorFigures,
}

estimates! {
    /// One mover pool's figures over replications (see
    /// [`crate::model::MoverResult`]).
    MoverFigures from crate::model::MoverResult {
        /// Share of mover time travelling loaded.
        loaded: |r| r.loaded,
        /// Share of mover time travelling empty.
        empty: |r| r.empty,
        /// Share of mover time idle.
        idle: |r| r.idle,
        /// Share of mover time travelling, loaded or empty.
        busy: |r| r.loaded + r.empty,
        /// Moves completed.
        moves: |r| r.moves as f64,
        /// Mean wait from a part's request to its pickup, minutes.
        wait_mean_min: |r| r.wait_mean_min,
        /// Share of pickups whose part found no mover free.
        waited_share: |r| r.waited_share,
        /// Time-average requests waiting for a mover.
        queue_avg: |r| r.queue_avg,
        /// Time-average parts in transport.
        in_transport_avg: |r| r.in_transport_avg,
        /// Cost of the pool.
        cost: |r| r.cost,
        /// Share of time it was the sole bottleneck (active while every
        /// mover travels).
        bottleneck_sole: |r| r.bottleneck_sole,
        /// Share of time it was a shifting bottleneck.
        bottleneck_shifting: |r| r.bottleneck_shifting,
        /// Share of time it was a bottleneck, sole or shifting.
        bottleneck: |r| r.bottleneck_sole + r.bottleneck_shifting,
    }
}

/// Per mover pool KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct MoverSummary {
    /// Pool name.
    pub mover: String,
    /// Number of movers.
    pub movers: u32,
    /// Its figures.
    #[serde(flatten)]
    pub figures: MoverFigures,
    /// How many replications named it the primary bottleneck.
    pub bottleneck_in: usize,
}

/// Per-pool KPIs over replications.
#[derive(Clone, Debug, Serialize)]
pub struct PoolSummary {
    /// Pool name.
    pub pool: String,
    /// Head count.
    pub workers: u32,
    /// Share of paid time working (operating or repairing).
    pub utilisation: Estimate,
    /// Worker-hours working.
    pub busy_hours: Estimate,
    /// Paid worker-hours not working.
    pub idle_paid_hours: Estimate,
    /// Overtime hours paid.
    pub overtime_hours: Estimate,
    /// Repairs completed.
    pub repairs: Estimate,
    /// Labour cost.
    pub labour_cost: Estimate,
    /// Share of time it was the sole bottleneck (active-period method: the
    /// pool is active while every worker present is busy).
    pub bottleneck_sole: Estimate,
    /// Share of time it was a shifting bottleneck.
    pub bottleneck_shifting: Estimate,
    /// Share of time it was a bottleneck, sole or shifting.
    pub bottleneck: Estimate,
    /// How many replications named it the primary bottleneck.
    pub bottleneck_in: usize,
}

/// KPIs over all replications.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Replications summarised.
    pub replications: usize,
    /// Good parts per hour.
    pub throughput_per_hour: Estimate,
    /// Good parts in the observed period.
    pub good: Estimate,
    /// Good parts per product, in scenario order.
    pub good_per_product: Vec<(String, Estimate)>,
    /// Parts released.
    pub released: Estimate,
    /// Parts scrapped.
    pub scrapped: Estimate,
    /// Rework loops.
    pub reworked: Estimate,
    /// Mean cycle time, minutes.
    pub cycle_time_mean_min: Estimate,
    /// Median cycle time, minutes.
    pub cycle_time_p50_min: Estimate,
    /// 90th percentile cycle time, minutes.
    pub cycle_time_p90_min: Estimate,
    /// 95th percentile cycle time, minutes.
    pub cycle_time_p95_min: Estimate,
    /// Time-average WIP.
    pub wip_avg: Estimate,
    /// Time-average WIP waiting in buffers.
    pub wip_waiting_avg: Estimate,
    /// Time-average WIP on machines.
    pub wip_on_machines_avg: Estimate,
    /// Mean wait in a buffer per operation started, all stations pooled
    /// (the plant's Wq), minutes.
    pub wait_mean_min: Estimate,
    /// Share of all operations whose part waited in a buffer.
    pub waited_share: Estimate,
    /// Per station.
    pub stations: Vec<StationSummary>,
    /// Per worker pool.
    pub pools: Vec<PoolSummary>,
    /// Per mover pool (absent from `summary.json` without movers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub movers: Vec<MoverSummary>,
    /// Labour cost of all pools over the observed period.
    pub labour_cost: Estimate,
    /// Labour cost per good part.
    pub labour_cost_per_good: Estimate,
    /// Customer orders and delivery (None when no product is made to
    /// order or to stock).
    pub delivery: Option<DeliverySummary>,
    /// Every cost line, revenue and profit.
    pub costs: CostSummary,
    /// Per product.
    pub products: Vec<ProductSummary>,
    /// Per contractor.
    pub contractors: Vec<ContractorSummary>,
    /// Per raw material (empty without materials).
    pub materials: Vec<MaterialSummary>,
    /// Per supplier (empty without suppliers).
    pub suppliers: Vec<SupplierSummary>,
    /// Station with the highest mean utilisation.
    pub busiest_station: String,
    /// The primary bottleneck: the station or worker pool with the largest mean share of
    /// time as a bottleneck, sole or shifting (empty when none was ever
    /// active).
    pub bottleneck: String,
    /// The primary bottleneck is a worker pool (people), not a station.
    pub bottleneck_is_pool: bool,
    /// The primary bottleneck is a mover pool (absent from `summary.json`
    /// when false).
    #[serde(skip_serializing_if = "is_false")]
    pub bottleneck_is_mover: bool,
    /// How often the momentary bottleneck passes from one station to
    /// another, per day of observed time.
    pub bottleneck_shifts_per_day: Estimate,
    /// Warm-up suggested by MSER-5 on the WIP series averaged over
    /// replications, hours (None when the series is too short).
    pub mser5_warmup_hours: Option<f64>,
    /// True when the WIP between the chosen warm-up and the MSER-5
    /// suggestion differs significantly (beyond 3 standard errors) from the
    /// WIP after it: the chosen warm-up then leaves a transient in the
    /// statistics. MSER-5 alone truncates noise on short runs, so the
    /// suggestion is only worth a warning when this holds.
    pub warmup_too_short: bool,
}

impl StationSummary {
    /// The share of machine time in `state`.
    pub fn share(&self, state: MachineState) -> &Estimate {
        match state {
            MachineState::Busy => &self.utilisation,
            MachineState::Blocked => &self.blocked,
            MachineState::Starved => &self.starved,
            MachineState::Down => &self.down,
            MachineState::Setup => &self.setup,
            MachineState::WaitingOperator => &self.waiting_operator,
            MachineState::WaitingTechnician => &self.waiting_technician,
            MachineState::OffShift => &self.off_shift,
            MachineState::StarvedMaterial => &self.starved_material,
            MachineState::Maintenance => &self.maintenance,
        }
    }
}

/// MSER-5 on the WIP series averaged across replications (`avg`, periods
/// of `period` hours), in hours.
fn suggest_warmup(avg: &[f64], period: f64) -> Option<f64> {
    let d = crate::stats::mser5(avg)?;
    Some(d as f64 * period)
}

/// Whether the MSER-5 truncation point lies beyond the chosen warm-up and
/// the WIP in between differs from the WIP after it by more than 3
/// standard errors (batch means of 5 periods).
fn warmup_too_short(factory: &Factory, avg: &[f64], period: f64) -> bool {
    let Some(d) = crate::stats::mser5(avg) else {
        return false;
    };
    let k = ((factory.warmup / 3600.0) / period).ceil() as usize;
    if d <= k + 5 || d >= avg.len() {
        return false;
    }
    let rest = &avg[d..];
    let batches: Vec<f64> = rest
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    if batches.len() < 2 {
        return false;
    }
    let nb = batches.len() as f64;
    let mb = batches.iter().sum::<f64>() / nb;
    let var_b = batches.iter().map(|b| (b - mb).powi(2)).sum::<f64>() / (nb - 1.0);
    let seg = &avg[k..d];
    let mean_seg = seg.iter().sum::<f64>() / seg.len() as f64;
    let mean_rest = rest.iter().sum::<f64>() / rest.len() as f64;
    // A mean of m periods has about the variance of a batch of 5 × 5/m.
    let se = (var_b * 5.0 / seg.len() as f64 + var_b / nb).sqrt();
    (mean_seg - mean_rest).abs() > 3.0 * se
}

/// The WIP series averaged over replications, built one replication at a
/// time: full periods only (the last one may be shorter), and no more
/// periods than the shortest series has.
struct MeanWip {
    /// Replications added.
    reps: usize,
    /// The first replication's period length, hours.
    period: Option<f64>,
    /// Per period (of the first replication's full ones), the sum of WIP
    /// over the replications, in replication order.
    sums: Vec<f64>,
    /// The shortest series seen.
    shortest: usize,
}

impl MeanWip {
    fn new() -> MeanWip {
        MeanWip {
            reps: 0,
            period: None,
            sums: Vec::new(),
            shortest: usize::MAX,
        }
    }

    fn add(&mut self, r: &ReplicationResult) {
        if self.reps == 0 {
            self.period = r.series.first().map(|p| p.hours);
            let first = self.period.unwrap_or(0.0);
            let full = r
                .series
                .iter()
                .take_while(|p| (p.hours - first).abs() < 1e-9)
                .count();
            self.sums = vec![TwoPass::zero(); full];
        }
        self.reps += 1;
        self.shortest = self.shortest.min(r.series.len());
        for (sum, p) in self.sums.iter_mut().zip(&r.series) {
            *sum += p.wip_avg;
        }
    }

    /// The averaged series and the period length in hours (None without
    /// replications or periods).
    fn finish(mut self) -> Option<(Vec<f64>, f64)> {
        let period = self.period?;
        self.sums.truncate(self.shortest);
        let n = self.reps as f64;
        Some((self.sums.iter().map(|s| s / n).collect(), period))
    }
}

/// The scalars a [`Summary`] is made of, for one replication, in the order
/// in which [`fold`] reads their estimates back: the plant-wide KPIs, good
/// parts per product, per station its state shares (indexed by state),
/// queue, wait in queue and share waiting, scrap and rework, then per visible worker pool its six figures.
fn scalars(factory: &Factory, pools: usize, r: &ReplicationResult, out: &mut Vec<f64>) {
    out.clear();
    out.extend([
        r.throughput_per_hour,
        r.good as f64,
        r.released as f64,
        r.scrapped as f64,
        r.reworked as f64,
        r.cycle_time_mean_min,
        r.cycle_time_p50_min,
        r.cycle_time_p90_min,
        r.cycle_time_p95_min,
        r.wip_avg,
        r.wip_waiting_avg,
        r.wip_on_machines_avg,
        r.labour_cost,
        r.labour_cost_per_good,
        if r.observed_hours > 0.0 {
            r.bottleneck_shifts as f64 / (r.observed_hours / 24.0)
        } else {
            f64::NAN
        },
        r.wait_mean_min,
        r.waited_share,
    ]);
    out.extend((0..factory.products.len()).map(|i| r.good_per_product[i] as f64));
    for i in 0..factory.stations.len() {
        let s = &r.stations[i];
        out.extend(s.state_shares);
        out.extend([s.queue_avg, s.wait_mean_min, s.waited_share]);
        out.extend([s.scrapped as f64, s.reworked as f64]);
        out.extend([
            s.bottleneck_sole,
            s.bottleneck_shifting,
            s.bottleneck_sole + s.bottleneck_shifting,
        ]);
        if factory.stations[i].batch.is_some() {
            out.extend([s.batches as f64, batch_size_mean(s)]);
        }
        if factory.stations[i].alongside.is_some() {
            out.extend([s.automated_utilisation, s.manual_utilisation]);
        }
    }
    for p in &r.pools[..pools] {
        out.extend([
            p.utilisation,
            p.busy_hours,
            p.idle_paid_hours,
            p.overtime_hours,
            p.repairs as f64,
            p.labour_cost,
            p.bottleneck_sole,
            p.bottleneck_shifting,
            p.bottleneck_sole + p.bottleneck_shifting,
        ]);
    }
    DeliverySummary::push(&r.delivery, out);
    CostSummary::push(&r.costs, out);
    for m in &r.movers {
        MoverFigures::push(m, out);
    }
    for p in &r.products {
        ProductFigures::push(p, out);
    }
    for c in &r.contractors {
        ContractorFigures::push(c, out);
    }
    for m in &r.materials {
        MaterialFigures::push(m, out);
    }
    for s in &r.suppliers {
        SupplierFigures::push(s, out);
    }
}

/// A variant's setup share at a station counts as a jump from the
/// baseline's when it is this many points higher …
pub const SETUP_JUMP_POINTS: f64 = 0.05;
/// … and this many times as high.
pub const SETUP_JUMP_FACTOR: f64 = 1.5;

/// Warnings for the run's notes: each variant whose machines spend a much
/// larger share of their time in setup at a station than the baseline's
/// (more than [`SETUP_JUMP_POINTS`] higher and [`SETUP_JUMP_FACTOR`] times
/// as high) — often an artefact of dispatching that alternates product
/// families, which setup-aware dispatching or batching avoids.
pub fn setup_warnings(results: &RunResults) -> Vec<String> {
    let base = &results.baseline().summary;
    let mut notes = Vec::new();
    for v in results.variants.iter().skip(1) {
        for st in &v.summary.stations {
            let Some(b) = base.stations.iter().find(|b| b.station == st.station) else {
                continue;
            };
            let (was, now) = (b.setup.mean, st.setup.mean);
            if now > was + SETUP_JUMP_POINTS && now > SETUP_JUMP_FACTOR * was {
                notes.push(format!(
                    "variant \"{}\": machines at station \"{}\" spend {:.1}% of their time in setup against {:.1}% in the baseline; if families now alternate, try dispatch = \"campaign\" or \"min_setup\", or batches",
                    v.name,
                    st.station,
                    100.0 * now,
                    100.0 * was
                ));
            }
        }
    }
    notes
}

/// Mean parts per batch of a batch station in one replication (NaN
/// without batches).
pub fn batch_size_mean(s: &crate::model::StationResult) -> f64 {
    if s.batches == 0 {
        f64::NAN
    } else {
        s.batch_parts as f64 / s.batches as f64
    }
}

/// Calls its argument with every replication of one variant, in
/// replication order; may be called more than once.
type Replications<'a> =
    dyn FnMut(&mut dyn FnMut(&ReplicationResult) -> io::Result<()>) -> io::Result<()> + 'a;

/// Combines replication results, in index order.
pub fn summarise(factory: &Factory, reps: &[ReplicationResult]) -> Summary {
    let mut each =
        |f: &mut dyn FnMut(&ReplicationResult) -> io::Result<()>| reps.iter().try_for_each(f);
    fold(factory, &mut each)
        .expect("replications in memory can be read")
        .0
}

/// Summarises one variant's replications, read twice (first the sums, then
/// the squared deviations from the means) in replication order; returns
/// the summary and the events processed in all.
fn fold(factory: &Factory, each: &mut Replications<'_>) -> io::Result<(Summary, u64)> {
    let pools = factory.pools.iter().filter(|p| !p.hidden).count();
    let mut row = Vec::new();
    let mut tallies: Vec<TwoPass> = Vec::new();
    let mut busiest_in = vec![0usize; factory.stations.len()];
    let mut bottleneck_in = vec![0usize; factory.stations.len()];
    let mut pool_bottleneck_in = vec![0usize; pools];
    let mut mover_bottleneck_in = vec![0usize; factory.movers.len()];
    let mut wip = MeanWip::new();
    let (mut reps, mut events) = (0usize, 0u64);
    each(&mut |r| {
        scalars(factory, pools, r, &mut row);
        tallies.resize(row.len(), TwoPass::new());
        for (t, x) in tallies.iter_mut().zip(&row) {
            t.add(*x);
        }
        for (count, s) in busiest_in.iter_mut().zip(&factory.stations) {
            *count += usize::from(r.busiest_station == s.name);
        }
        for (count, s) in bottleneck_in.iter_mut().zip(&factory.stations) {
            *count += usize::from(!r.bottleneck_is_pool && r.bottleneck == s.name);
        }
        for (count, p) in pool_bottleneck_in.iter_mut().zip(&r.pools) {
            *count += usize::from(r.bottleneck_is_pool && r.bottleneck == p.pool);
        }
        for (count, m) in mover_bottleneck_in.iter_mut().zip(&r.movers) {
            *count += usize::from(r.bottleneck_is_mover && r.bottleneck == m.mover);
        }
        wip.add(r);
        reps += 1;
        events += r.events;
        Ok(())
    })?;
    each(&mut |r| {
        scalars(factory, pools, r, &mut row);
        for (t, x) in tallies.iter_mut().zip(&row) {
            t.add_deviation(*x);
        }
        Ok(())
    })?;
    // Without replications every estimate is that of no values.
    let mut estimates = tallies.iter().map(TwoPass::estimate);
    let mut next = || estimates.next().unwrap_or(TwoPass::new().estimate());
    let throughput_per_hour = next();
    let good = next();
    let released = next();
    let scrapped = next();
    let reworked = next();
    let cycle_time_mean_min = next();
    let cycle_time_p50_min = next();
    let cycle_time_p90_min = next();
    let cycle_time_p95_min = next();
    let wip_avg = next();
    let wip_waiting_avg = next();
    let wip_on_machines_avg = next();
    let labour_cost = next();
    let labour_cost_per_good = next();
    let bottleneck_shifts_per_day = next();
    let wait_mean_min = next();
    let waited_share = next();
    let good_per_product = factory
        .products
        .iter()
        .map(|p| (p.name.clone(), next()))
        .collect();
    let stations: Vec<StationSummary> = factory
        .stations
        .iter()
        .zip(busiest_in.into_iter().zip(bottleneck_in))
        .map(|(s, (busiest_in, bottleneck_in))| {
            // `state_shares` holds one share per state, indexed by state.
            let shares: Vec<Estimate> = MachineState::ALL.iter().map(|_| next()).collect();
            let share = |m: MachineState| shares[m as usize];
            StationSummary {
                station: s.name.clone(),
                machines: s.machines,
                utilisation: share(MachineState::Busy),
                blocked: share(MachineState::Blocked),
                starved: share(MachineState::Starved),
                down: share(MachineState::Down),
                setup: share(MachineState::Setup),
                waiting_operator: share(MachineState::WaitingOperator),
                waiting_technician: share(MachineState::WaitingTechnician),
                off_shift: share(MachineState::OffShift),
                starved_material: share(MachineState::StarvedMaterial),
                maintenance: share(MachineState::Maintenance),
                queue_avg: next(),
                wait_mean_min: next(),
                waited_share: next(),
                scrapped: next(),
                reworked: next(),
                busiest_in,
                bottleneck_sole: next(),
                bottleneck_shifting: next(),
                bottleneck: next(),
                bottleneck_in,
                batches: s.batch.map(|_| next()),
                batch_size_mean: s.batch.map(|_| next()),
                automated_machines: s.automated_machines(),
                automated_utilisation: s.alongside.map(|_| next()),
                manual_utilisation: s.alongside.map(|_| next()),
            }
        })
        .collect();
    let pools: Vec<PoolSummary> = factory
        .pools
        .iter()
        .filter(|p| !p.hidden)
        .zip(pool_bottleneck_in)
        .map(|(p, bottleneck_in)| PoolSummary {
            pool: p.name.clone(),
            workers: p.count,
            utilisation: next(),
            busy_hours: next(),
            idle_paid_hours: next(),
            overtime_hours: next(),
            repairs: next(),
            labour_cost: next(),
            bottleneck_sole: next(),
            bottleneck_shifting: next(),
            bottleneck: next(),
            bottleneck_in,
        })
        .collect();
    let delivery = DeliverySummary::read(&mut next);
    let has_orders = factory.products.iter().any(|p| p.release_is_orders());
    let costs = CostSummary::read(&mut next);
    let movers: Vec<MoverSummary> = factory
        .movers
        .iter()
        .zip(mover_bottleneck_in)
        .map(|(m, bottleneck_in)| MoverSummary {
            mover: m.name.clone(),
            movers: m.count,
            figures: MoverFigures::read(&mut next),
            bottleneck_in,
        })
        .collect();
    let products = factory
        .products
        .iter()
        .map(|p| ProductSummary {
            product: p.name.clone(),
            figures: ProductFigures::read(&mut next),
        })
        .collect();
    let contractors = factory
        .contractors
        .iter()
        .map(|c| ContractorSummary {
            contractor: c.name.clone(),
            figures: ContractorFigures::read(&mut next),
        })
        .collect();
    let materials = factory
        .materials
        .iter()
        .map(|m| MaterialSummary {
            material: m.name.clone(),
            figures: MaterialFigures::read(&mut next),
        })
        .collect();
    let suppliers = factory
        .suppliers
        .iter()
        .map(|s| SupplierSummary {
            supplier: s.name.clone(),
            material: factory.materials[s.material.0 as usize].name.clone(),
            figures: SupplierFigures::read(&mut next),
        })
        .collect();
    let busiest_station = stations
        .iter()
        .fold(None::<&StationSummary>, |best, s| match best {
            Some(b) if b.utilisation.mean >= s.utilisation.mean => Some(b),
            _ => Some(s),
        })
        .map(|s| s.station.clone())
        .unwrap_or_default();
    // The primary bottleneck: the station, worker pool or mover pool with
    // the largest mean share (stations first, then worker pools, the
    // first such on a tie); kind 0, 1, 2.
    let mut primary: Option<(f64, &str, u8)> = None;
    let candidates = stations
        .iter()
        .map(|s| (s.bottleneck.mean, s.station.as_str(), 0))
        .chain(
            pools
                .iter()
                .map(|p| (p.bottleneck.mean, p.pool.as_str(), 1)),
        )
        .chain(
            movers
                .iter()
                .map(|m| (m.figures.bottleneck.mean, m.mover.as_str(), 2)),
        );
    for c in candidates {
        match primary {
            Some(b) if b.0 >= c.0 => {}
            _ if c.0 > 0.0 => primary = Some(c),
            _ => {}
        }
    }
    let (bottleneck, kind) = primary.map_or((String::new(), 0), |(_, name, kind)| {
        (name.to_string(), kind)
    });
    let (bottleneck_is_pool, bottleneck_is_mover) = (kind == 1, kind == 2);
    let wip_series = wip.finish();
    let summary = Summary {
        bottleneck,
        bottleneck_is_pool,
        bottleneck_is_mover,
        bottleneck_shifts_per_day,
        replications: reps,
        throughput_per_hour,
        good,
        good_per_product,
        released,
        scrapped,
        reworked,
        cycle_time_mean_min,
        cycle_time_p50_min,
        cycle_time_p90_min,
        cycle_time_p95_min,
        wip_avg,
        wip_waiting_avg,
        wip_on_machines_avg,
        wait_mean_min,
        waited_share,
        stations,
        pools,
        movers,
        labour_cost,
        labour_cost_per_good,
        delivery: has_orders.then_some(delivery),
        costs,
        products,
        contractors,
        materials,
        suppliers,
        busiest_station,
        mser5_warmup_hours: wip_series
            .as_ref()
            .and_then(|(avg, period)| suggest_warmup(avg, *period)),
        warmup_too_short: wip_series
            .as_ref()
            .is_some_and(|(avg, period)| warmup_too_short(factory, avg, *period)),
    };
    Ok((summary, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit for bit, or both NaN.
    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Two passes give exactly `Estimate::from_values`, for no,
    /// one, two and many values, with NaN among them, values of very
    /// different sizes (where the order of summing shows) and a signed
    /// zero.
    #[test]
    fn two_passes_give_from_values_bit_for_bit() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            match x % 11 {
                0 => f64::NAN,
                1 => u * 1e12,
                2 => -u * 1e-9,
                3 => -0.0,
                _ => u * 10.0 - 3.0,
            }
        };
        for n in [0, 1, 2, 3, 7, 50, 1000] {
            let values: Vec<f64> = (0..n).map(|_| next()).collect();
            let mut t = TwoPass::new();
            values.iter().for_each(|v| t.add(*v));
            values.iter().for_each(|v| t.add_deviation(*v));
            let (a, b) = (t.estimate(), Estimate::from_values(values.iter().copied()));
            assert_eq!(a.n, b.n, "{n} values");
            for (x, y) in [
                (a.mean, b.mean),
                (a.sd, b.sd),
                (a.half_width, b.half_width),
                (a.low, b.low),
                (a.high, b.high),
            ] {
                assert!(same(x, y), "{n} values: {a:?} != {b:?}");
            }
        }
        // A lone negative zero keeps its sign, as `Iterator::sum` does.
        let mut t = TwoPass::new();
        t.add(-0.0);
        assert!(same(t.mean(), Estimate::from_values([-0.0]).mean));
    }
}
