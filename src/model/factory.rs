//! The validated description of a factory. Every value here has been
//! checked by `scenario`: distributions are valid, probabilities lie in
//! [0, 1], references are resolved to dense indices.

use crate::engine::{Dist, Time};

/// Index of a station in [`Factory::stations`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StationId(pub u32);

/// Index of a product in [`Factory::products`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProductId(pub u32);

/// Index of a worker pool in [`Factory::pools`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolId(pub u32);

/// A pool of interchangeable workers.
#[derive(Clone, Debug)]
pub struct WorkerPool {
    /// Name from the scenario.
    pub name: String,
    /// Head count.
    pub count: u32,
    /// Stations its workers may operate.
    pub skills: Vec<StationId>,
    /// Regular wage per paid hour.
    pub wage_per_hour: f64,
    /// Overtime wage as a multiple of the regular wage.
    pub overtime_premium: f64,
    /// When the pool works; `None`: around the clock.
    pub calendar: Option<ShiftCalendar>,
    /// Probability that a worker is absent on a given day.
    pub absence: f64,
    /// Slower, less careful work late in the working day.
    pub fatigue: Option<Fatigue>,
    /// Stands for a station's own calendar (one "crew" per machine, unpaid,
    /// left out of the outputs), not for people.
    pub hidden: bool,
}

/// The fatigue effect: operations started by this pool's operators more
/// than `after` into their working day take `process_factor` times longer
/// and are scrapped with `scrap_add` more probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fatigue {
    /// Time into the working day (from its first shift start) after which
    /// it applies.
    pub after: Time,
    /// Multiplier of process times (≥ 1).
    pub process_factor: f64,
    /// Extra scrap probability.
    pub scrap_add: f64,
}

/// What happens to an operation in progress when its operators' shift
/// ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftEnd {
    /// The operators stay until it is done (paid as overtime).
    Finish,
    /// It stops; it resumes when operators are back.
    Pause,
    /// It is never started unless it can end before the shift does (an
    /// operation longer than a whole shift starts at a shift's start).
    NoOverrun,
}

/// A stretch of working time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkInterval {
    /// Start, seconds from the start of the run.
    pub start: Time,
    /// End, seconds from the start of the run.
    pub end: Time,
    /// Scheduled overtime (paid at the premium).
    pub overtime: bool,
    /// The interval ends where a shift ends (not at a break).
    pub ends_shift: bool,
}

/// A weekly shift pattern. The run starts on a Monday at 00:00.
#[derive(Clone, Debug)]
pub struct ShiftCalendar {
    /// Name from the scenario.
    pub name: String,
    /// Working pieces of a working day, seconds from midnight (an end past
    /// 86 400 runs into the next day); breaks already cut out.
    /// The flag marks the last piece of each shift.
    pub day_pieces: Vec<(Time, Time, bool)>,
    /// Working weekdays, Monday first.
    pub days: [bool; 7],
    /// Day numbers (0 = the first Monday) with no work, overtime included.
    pub holidays: Vec<u32>,
    /// Scheduled overtime: (weekdays, start, end) seconds from midnight.
    pub overtime: Vec<([bool; 7], Time, Time)>,
    /// Rule for operations in progress at the end of a shift.
    pub shift_end: ShiftEnd,
    /// Overtime authorised at the end of a shift when a trigger holds.
    pub overtime_policy: Option<OvertimePolicy>,
}

/// What authorises overtime at the end of a shift.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OvertimeTrigger {
    /// Work in process (all released, unfinished parts) above this.
    WipAbove(f64),
    /// Parts waiting at a station above this.
    QueueAbove(StationId, f64),
}

/// Overtime by policy: at the end of each regular shift, if the trigger
/// holds, the whole pool stays for up to `extend_by`, within the caps per
/// worker per day and per week.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OvertimePolicy {
    /// Longest extension of one shift.
    pub extend_by: Time,
    /// Cap per worker per calendar day.
    pub max_per_day: Time,
    /// Cap per worker per week (weeks start on Monday 00:00).
    pub max_per_week: Time,
    /// When to authorise it.
    pub trigger: OvertimeTrigger,
}

impl ShiftCalendar {
    /// The working intervals that start before `horizon`, in time order;
    /// touching intervals of the same kind are joined.
    pub fn intervals(&self, horizon: Time) -> Vec<WorkInterval> {
        use crate::engine::DAY;
        let mut out: Vec<WorkInterval> = Vec::new();
        let days = (horizon / DAY).ceil() as u32 + 1;
        for d in 0..days {
            if self.holidays.contains(&d) {
                continue;
            }
            let wd = (d % 7) as usize;
            let base = f64::from(d) * DAY;
            if self.days[wd] {
                for &(a, b, ends_shift) in &self.day_pieces {
                    out.push(WorkInterval {
                        start: base + a,
                        end: base + b,
                        overtime: false,
                        ends_shift,
                    });
                }
            }
            for (ot_days, a, b) in &self.overtime {
                if ot_days[wd] {
                    out.push(WorkInterval {
                        start: base + a,
                        end: base + b,
                        overtime: true,
                        ends_shift: true,
                    });
                }
            }
        }
        out.sort_by(|x, y| {
            x.start
                .total_cmp(&y.start)
                .then(x.overtime.cmp(&y.overtime))
        });
        let mut joined: Vec<WorkInterval> = Vec::with_capacity(out.len());
        for iv in out {
            if iv.start >= horizon {
                break;
            }
            match joined.last_mut() {
                Some(last) if last.overtime == iv.overtime && iv.start <= last.end => {
                    if iv.end >= last.end {
                        last.ends_shift = iv.ends_shift;
                    }
                    last.end = last.end.max(iv.end);
                }
                Some(last) if iv.start < last.end => {
                    // Overlapping regular and overtime work: the later one
                    // starts where the earlier ends.
                    if iv.end > last.end {
                        let start = last.end;
                        joined.push(WorkInterval { start, ..iv });
                    }
                }
                _ => joined.push(iv),
            }
        }
        joined
    }
}

/// For how long an operation holds its operators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OperatorNeed {
    /// Setup and processing.
    Whole,
    /// The setup only; processing runs unattended.
    SetupOnly,
    /// The setup and the first seconds of processing ("load and walk
    /// away"); the rest runs unattended.
    First(Time),
}

/// Which qualified pool supplies an operation's operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolRule {
    /// The first pool (in scenario order) with enough free workers.
    FirstListed,
    /// The pool with the smallest share of its workers busy.
    LeastBusy,
}

/// A factory ready to simulate.
#[derive(Clone, Debug)]
pub struct Factory {
    /// Scenario name (used for the output folder).
    pub name: String,
    /// Stations, in the order the scenario lists them.
    pub stations: Vec<Station>,
    /// Products, in the order the scenario lists them.
    pub products: Vec<Product>,
    /// Worker pools, in the order the scenario lists them.
    pub pools: Vec<WorkerPool>,
    /// Simulated time per replication, warm-up included.
    pub horizon: Time,
    /// Time at the start of each replication whose statistics are discarded.
    pub warmup: Time,
    /// Length of one reporting period of the time series.
    pub period: Time,
}

/// What a machine does when the part it has finished cannot move on because
/// the next station's buffer is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    /// The part waits on the machine after processing (the default).
    AfterService,
    /// The machine does not start a part until the next buffer has room,
    /// and reserves that room when it starts.
    BeforeService,
}

/// Which clock drives a machine's time to failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClock {
    /// Time to failure counts only while the machine works (setup or
    /// processing); an interrupted operation resumes after repair.
    Operating,
    /// Time to failure counts in calendar time from the end of the last
    /// repair, whatever the machine is doing.
    Calendar,
}

/// Breakdowns of every machine at a station.
#[derive(Clone, Debug)]
pub struct Failures {
    /// Time to failure (on the chosen clock).
    pub time_to_failure: Dist,
    /// Repair time.
    pub repair: Dist,
    /// Clock of the time to failure.
    pub clock: FailureClock,
    /// Pool whose technicians repair the machines; `None` means repairs
    /// start at once.
    pub repair_crew: Option<PoolId>,
}

/// A station: `machines` identical parallel machines fed by one FIFO buffer.
#[derive(Clone, Debug)]
pub struct Station {
    /// Name from the scenario.
    pub name: String,
    /// Number of identical machines (≥ 1).
    pub machines: u32,
    /// Buffer capacity (parts waiting, not counting those on machines);
    /// `None` is unlimited.
    pub buffer: Option<u32>,
    /// Blocking rule when the next buffer is full.
    pub blocking: Blocking,
    /// How operators are chosen when several pools qualify.
    pub operator_rule: PoolRule,
    /// Breakdowns, if the machines fail.
    pub failures: Option<Failures>,
}

/// One step of a routing.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Where the operation happens.
    pub station: StationId,
    /// Process time per part.
    pub process: Dist,
    /// Changeover time when the machine last ran another product.
    pub setup: Option<Dist>,
    /// Probability the part is scrapped after this operation.
    pub scrap: f64,
    /// Probability the part is sent back for rework after this operation.
    pub rework: f64,
    /// Routing index the part returns to on rework (≤ this operation's).
    pub rework_to: usize,
    /// Operators needed (0: the machine runs unattended).
    pub operators: u32,
    /// Pools qualified to operate the station, in scenario order.
    pub operator_pools: Vec<PoolId>,
    /// For how long the operators are held.
    pub operator_need: OperatorNeed,
}

/// How new parts of a product enter the factory.
#[derive(Clone, Debug)]
pub enum Release {
    /// Batches of `batch` parts released at random inter-arrival times.
    Arrivals {
        /// Time between releases.
        interarrival: Dist,
        /// Parts per release.
        batch: u32,
    },
    /// The first station never waits for this product: whenever one of its
    /// machines would otherwise be idle, a new part is there.
    Saturated,
}

/// A product and the route its parts take.
#[derive(Clone, Debug)]
pub struct Product {
    /// Name from the scenario.
    pub name: String,
    /// Operations in order; at least one.
    pub routing: Vec<Operation>,
    /// How parts are released.
    pub release: Release,
}
