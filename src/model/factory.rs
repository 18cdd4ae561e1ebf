//! The validated description of a factory. Every value here has been
//! checked by `scenario`: distributions are valid, probabilities lie in
//! [0, 1], references are resolved to dense indices.

use crate::engine::{Dist, Time};

/// Index of a station in [`Factory::stations`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StationId(pub u32);

impl StationId {
    /// No station: the step of a routing done by a contractor.
    pub const OUTSIDE: StationId = StationId(u32::MAX);
}

/// A routing step done by a contractor: the part travels there, waits the
/// contractor's lead time and travels back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Subcontract {
    /// Who does it.
    pub contractor: ContractorId,
    /// Transport time each way.
    pub transport: Time,
    /// Share of the parts sent out (drawn per part at each visit of the
    /// step); the others are processed at the operation's station. 1 for a
    /// step done wholly by the contractor (the operation then has
    /// [`StationId::OUTSIDE`]).
    pub share: f64,
}

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
    /// Head count (on every shift not in `count_by_shift`, and on
    /// scheduled overtime).
    pub count: u32,
    /// Head count by shift of its calendar (index as in the calendar's
    /// `shift_names`); empty: `count` on every shift.
    pub count_by_shift: Vec<u32>,
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
    /// The calendar's shift it belongs to (index into `shift_names`;
    /// [`WorkInterval::OVERTIME`] for scheduled overtime).
    pub shift: u32,
}

impl WorkInterval {
    /// The `shift` of scheduled overtime, which belongs to no shift.
    pub const OVERTIME: u32 = u32::MAX;
}

/// A weekly shift pattern. The run starts on a Monday at 00:00.
#[derive(Clone, Debug)]
pub struct ShiftCalendar {
    /// Name from the scenario.
    pub name: String,
    /// Working pieces of a working day, seconds from midnight (an end past
    /// 86 400 runs into the next day); breaks already cut out.
    /// The flag marks the last piece of each shift; the number is the
    /// shift's index in `shift_names`.
    pub day_pieces: Vec<(Time, Time, bool, u32)>,
    /// The shifts' names, in the order the calendar lists them (`None`
    /// where a shift has none).
    pub shift_names: Vec<Option<String>>,
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
    /// Units ordered by customers and not yet delivered above this.
    BacklogAbove(f64),
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
    /// touching intervals of the same kind are joined — unless
    /// `by_shift`, when intervals of different shifts stay apart (a pool
    /// whose crew changes from shift to shift).
    pub fn intervals(&self, horizon: Time, by_shift: bool) -> Vec<WorkInterval> {
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
                for &(a, b, ends_shift, shift) in &self.day_pieces {
                    out.push(WorkInterval {
                        start: base + a,
                        end: base + b,
                        overtime: false,
                        ends_shift,
                        shift,
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
                        shift: WorkInterval::OVERTIME,
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
                Some(last)
                    if last.overtime == iv.overtime
                        && iv.start <= last.end
                        && (!by_shift || last.shift == iv.shift) =>
                {
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
    /// Product families (recipes), in order of first mention by a product;
    /// see [`Product::family`].
    pub families: Vec<String>,
    /// Worker pools, in the order the scenario lists them.
    pub pools: Vec<WorkerPool>,
    /// Contract manufacturers, in scenario order.
    pub contractors: Vec<Contractor>,
    /// Raw materials and their stores, in scenario order.
    pub materials: Vec<Material>,
    /// Mover pools (forklifts, AGVs, people carrying parts), in scenario
    /// order; empty when parts go from station to station by themselves.
    pub movers: Vec<super::MoverPool>,
    /// Suppliers of raw materials, in scenario order.
    pub suppliers: Vec<Supplier>,
    /// Order release, the order book and plant-wide costs.
    pub policies: Policies,
    /// Simulated time per replication, warm-up included.
    pub horizon: Time,
    /// Time at the start of each replication whose statistics are discarded.
    pub warmup: Time,
    /// Length of one reporting period of the time series.
    pub period: Time,
    /// Parts in the system (released and not finished, plus those waiting
    /// at a CONWIP gate) at which a replication stops with an overload
    /// error instead of exhausting memory.
    pub max_parts: u32,
}

/// What one plant invests in beyond another: the stations it automates
/// that the other runs by hand, and the machines it adds at stations with
/// a `capital_per_machine`. Stations are matched by name (a plant may add
/// stations, and their order need not line up).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Investment {
    /// Stations automated here and not in the other plant, with the
    /// capital of their automation.
    pub automated: Vec<(String, f64)>,
    /// Stations with more machines here than in the other plant (all of
    /// them, for a station it lacks), not newly automated, priced per
    /// machine: station, machines added, price of one.
    pub machines: Vec<(String, u32, f64)>,
}

impl Investment {
    /// No investment at all.
    pub fn is_empty(&self) -> bool {
        self.automated.is_empty() && self.machines.is_empty()
    }

    /// The capital invested: the automations' capital plus the machines
    /// added × their price, summed in station order.
    pub fn capital(&self) -> f64 {
        self.automated.iter().map(|(_, c)| c).sum::<f64>()
            + self
                .machines
                .iter()
                .map(|(_, n, price)| f64::from(*n) * price)
                .sum::<f64>()
    }

    /// What it buys, in words: `weld automated, 1 machine at cut`.
    pub fn describe(&self) -> String {
        let automated = self.automated.iter().map(|(s, _)| format!("{s} automated"));
        let machines = self
            .machines
            .iter()
            .map(|(s, n, _)| format!("{n} machine{} at {s}", if *n == 1 { "" } else { "s" }));
        automated.chain(machines).collect::<Vec<_>>().join(", ")
    }

    /// The stations invested in, automations first.
    pub fn stations(&self) -> Vec<&str> {
        self.automated
            .iter()
            .map(|(s, _)| s.as_str())
            .chain(self.machines.iter().map(|(s, _, _)| s.as_str()))
            .collect()
    }
}

impl Factory {
    /// Some product assembles sub-assemblies made in the plant.
    pub fn assembles(&self) -> bool {
        self.products.iter().any(Product::assembles)
    }

    /// What this plant invests in beyond `other` (see [`Investment`]).
    pub fn investment_over(&self, other: &Factory) -> Investment {
        let mut inv = Investment::default();
        for s in &self.stations {
            let there = other.stations.iter().find(|o| o.name == s.name);
            if let Some(a) = s.alongside {
                let added = a
                    .machines
                    .saturating_sub(there.map_or(0, |o| o.automated_machines()));
                if added > 0 {
                    inv.automated
                        .push((s.name.clone(), f64::from(added) * a.capital));
                }
            }
            if s.automated && !there.is_some_and(|o| o.automated) {
                inv.automated.push((s.name.clone(), s.capital));
                continue;
            }
            let added = s.machines.saturating_sub(there.map_or(0, |o| o.machines));
            if added > 0 && s.capital_per_machine > 0.0 {
                inv.machines
                    .push((s.name.clone(), added, s.capital_per_machine));
            }
        }
        inv
    }
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

/// What makes a machine's preventive maintenance due.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaintenanceTrigger {
    /// Every this many seconds of calendar time, counted from the end of
    /// the machine's previous maintenance (the first one staggered over the
    /// station's machines: machine i of n is first due at interval·(i+1)/n).
    Calendar(f64),
    /// After every this many parts processed on the machine.
    Parts(u32),
    /// After every this many seconds of operating time (setup and
    /// processing) on the machine.
    Operating(f64),
}

/// Preventive maintenance of every machine of a station.
#[derive(Clone, Debug)]
pub struct Maintenance {
    /// When it falls due. A machine that is working then finishes its part
    /// first; it takes no new part while maintenance is due.
    pub trigger: MaintenanceTrigger,
    /// How long one maintenance takes once started.
    pub duration: Dist,
    /// Pool whose technicians do it (one per job); `None`: starts at once.
    pub crew: Option<PoolId>,
    /// It makes the machine as good as new: the time to failure is drawn
    /// again when it ends.
    pub renews: bool,
    /// Cost of one maintenance (parts, contractor), besides the crew's time.
    pub cost: f64,
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
    /// Preventive maintenance, if any.
    pub maintenance: Option<Maintenance>,
    /// Order in which the buffer's parts are taken.
    pub dispatch: Dispatch,
    /// Contractor that takes the parts arriving to a full buffer (they
    /// leave the plant and come back finished), instead of blocking.
    pub overflow: Option<ContractorId>,
    /// Running and energy cost per machine-hour busy or in setup.
    pub cost_per_hour: f64,
    /// Capital cost of the automation installed here (0 when the station
    /// is not automated).
    pub capital: f64,
    /// Its straight-line charge per hour (capital / life).
    pub capital_per_hour: f64,
    /// Price of one more machine of the station (0: not given). Not a cost
    /// line: it is the investment whose payback a variant or sensitivity
    /// that adds machines reports.
    pub capital_per_machine: f64,
    /// Fixed cost per machine per week (service contract, floor space,
    /// depreciation), charged whether the machine works or not.
    pub fixed_cost_per_week: f64,
    /// The station runs its automated specification.
    pub automated: bool,
    /// Mover pool that carries every part leaving this station for
    /// another one (`None`: parts move at once, by themselves).
    pub mover: Option<super::MoverId>,
    /// A batch station: each machine processes several parts of one
    /// product family together (see [`BatchRule`]); `None` for a station
    /// that takes one part at a time.
    pub batch: Option<BatchRule>,
    /// Automated machines beside the manual ones (a mixed station).
    pub alongside: Option<Alongside>,
}

/// Automated machines that stand beside a station's manual machines and
/// share its buffer: in the run they follow the manual ones (machines
/// `machines ..` of the station), and a waiting part takes a free
/// automated machine before a free manual one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alongside {
    /// How many (0: none, the station is manual).
    pub machines: u32,
    /// Multiplies every process time on them (setups unchanged).
    pub process_factor: f64,
    /// They run without operators (else they are staffed like the manual
    /// machines).
    pub unattended: bool,
    /// Running and energy cost per machine-hour busy or in setup.
    pub cost_per_hour: f64,
    /// Capital of one automated machine.
    pub capital: f64,
    /// Its straight-line charge per hour (capital / life).
    pub capital_per_hour: f64,
}

impl Station {
    /// Automated machines beside the manual ones (0 for most stations).
    #[inline]
    pub fn automated_machines(&self) -> u32 {
        self.alongside.map_or(0, |a| a.machines)
    }

    /// All its machines, manual and automated beside them.
    #[inline]
    pub fn all_machines(&self) -> u32 {
        self.machines + self.automated_machines()
    }
}

/// How a batch station forms its batches (`batch = { … }` of a station).
///
/// A machine processes a batch of `min` to `max` parts of one product
/// family at once; the process time (and any setup) is drawn once per
/// batch, from the operation of the batch's first part. A free machine
/// starts a batch of a family as soon as `max` of its parts wait; with
/// `wait_up_to`, also once the family's oldest waiting part has waited
/// that long and at least `min` wait; without it, as soon as `min` wait
/// ("start with what is there").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchRule {
    /// Fewest parts a batch starts with (≥ 1).
    pub min: u32,
    /// Most parts in one batch (≥ `min`).
    pub max: u32,
    /// Longest wait for a full batch, measured from the family's oldest
    /// waiting part; `None`: no waiting for a full batch (start with `min`).
    pub wait_up_to: Option<Time>,
}

/// Which waiting part a freed machine takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// First in, first out.
    Fifo,
    /// Earliest due date of the part's customer order (parts without an
    /// order last), then FIFO.
    EarliestDue,
    /// Shortest mean process time of the part's operation here, then FIFO.
    ShortestProcessing,
    /// Highest product priority, then FIFO.
    Priority,
    /// Setup-aware: prefer a part that needs no setup (its family is the
    /// one the machine last ran, or its operation has no setup), then FIFO.
    MinSetup,
    /// Setup-aware campaigns: keep taking parts of the family the machine
    /// last ran while any wait, up to `limit` parts in a row taken from the
    /// queue (`u32::MAX`: no limit), then switch to the family whose part
    /// has waited longest.
    Campaign {
        /// Parts of one family taken in a row before switching.
        limit: u32,
    },
}

impl Dispatch {
    /// A setup-aware rule (`min_setup` or `campaign`).
    pub fn setup_aware(self) -> bool {
        matches!(self, Dispatch::MinSetup | Dispatch::Campaign { .. })
    }
}

/// One step of a routing.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Where the operation happens ([`StationId::OUTSIDE`] for a step done
    /// wholly by a contractor).
    pub station: StationId,
    /// A step sent out to a contractor: all of it (then `process`, `setup`,
    /// scrap, rework and operators do not apply), or a share of the parts
    /// (the others are processed at `station` as described here).
    pub subcontract: Option<Subcontract>,
    /// Process time per part.
    pub process: Dist,
    /// Changeover time when the machine last ran another product family.
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
    /// Raw materials the operation takes from their stores when it starts
    /// (each material at most once, quantity ≥ 1).
    pub materials: Vec<(MaterialId, u32)>,
    /// Probability that the operation leaves a hidden defect in the part
    /// (found only by a later inspection, or never).
    pub defect_rate: f64,
    /// An inspection: the probability that it detects a part's hidden
    /// defect (0: not an inspection).
    pub inspect: f64,
    /// A detected defect sends the part back to `rework_to` (else it is
    /// scrapped).
    pub inspect_rework: bool,
    /// Mover pool carrying the part when it leaves this step for another
    /// station, instead of the station's own `mover` (`None`: the
    /// station's, if any).
    pub mover: Option<super::MoverId>,
    /// Products made in the plant that the operation assembles into the
    /// part when it starts (each product at most once, quantity ≥ 1): a
    /// part of each is released with every part of this product (they are
    /// `Release::WithParent`), and the operation waits for its own.
    pub components: Vec<(ProductId, u32)>,
}

/// How new parts of a product enter the factory.
#[derive(Clone, Debug)]
pub enum Release {
    /// Customer orders release the parts: one per unit ordered
    /// (make-to-order) or one per unit taken from stock (make-to-stock).
    Orders,
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
    /// A sub-assembly: its parts are released with each part of a product
    /// whose routing lists it among an operation's `components`, and are
    /// made for that part (matched to it, and through it to its order).
    WithParent,
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
    /// Revenue per unit delivered to a customer (or finished, for products
    /// without orders).
    pub price: f64,
    /// Material cost per part released.
    pub material_cost: f64,
    /// Dispatching priority (higher first, with `dispatch = "priority"`).
    pub priority: i64,
    /// Product family (recipe): index into [`Factory::families`]. Setups,
    /// campaigns and batches go by family; a product without a `family`
    /// is a family of its own (named after it).
    pub family: u32,
    /// A random stream of customer orders.
    pub orders: Option<OrderProcess>,
    /// Make-to-stock: the finished-goods target (and initial) stock.
    /// `None`: make-to-order.
    pub stock_target: Option<u32>,
    /// How long a customer waits for an order still open (not yet released
    /// into production for make-to-order; not yet filled for make-to-stock)
    /// before cancelling it: a lost sale.
    pub patience: Option<Time>,
    /// Orders sent to a contractor instead of being made in the plant.
    pub outsource: Option<OrderOutsourcing>,
    /// Penalty per unit per day one of its orders is late, overriding
    /// `costs.late_penalty_per_unit_day` (`None`: that one applies).
    pub late_penalty_per_unit_day: Option<f64>,
    /// Make-to-stock: the units of an order that stock cannot fill at
    /// once are lost sales (else they are backordered).
    pub lose_on_shortage: bool,
}

impl Product {
    /// The penalty per unit per day late of this product's orders: its own,
    /// else the plant's.
    #[inline]
    pub fn late_penalty_rate(&self, policies: &Policies) -> f64 {
        self.late_penalty_per_unit_day
            .unwrap_or(policies.late_penalty_per_unit_day)
    }

    /// Customer orders release this product's parts.
    #[inline]
    pub fn release_is_orders(&self) -> bool {
        matches!(self.release, Release::Orders)
    }

    /// A sub-assembly: released with the parts it is assembled into.
    #[inline]
    pub fn is_sub_assembly(&self) -> bool {
        matches!(self.release, Release::WithParent)
    }

    /// Some operation of its routing assembles sub-assemblies.
    pub fn assembles(&self) -> bool {
        self.routing.iter().any(|op| !op.components.is_empty())
    }
}

/// Random customer orders for one product.
#[derive(Clone, Debug)]
pub struct OrderProcess {
    /// Time between orders, in "operational time" (see `profile`).
    pub interarrival: Dist,
    /// Units per order (drawn, rounded to the nearest whole unit, at least 1).
    pub quantity: Dist,
    /// Quoted lead time: due date = arrival + this.
    pub due_in: Dist,
    /// Relative order rate per hour of the run; `None`: constant.
    pub profile: Option<RateProfile>,
}

/// A relative arrival rate that varies by hour of day, day of week and week
/// of the run (the week factors repeat after the last): the rate at an hour
/// is the product of the three factors.
/// Inter-arrival times are drawn in operational time and mapped onto the
/// clock through the cumulative rate, so any inter-arrival distribution
/// keeps its shape where the rate is constant.
#[derive(Clone, Debug)]
pub struct RateProfile {
    /// 24 factors, hour 0 first.
    pub by_hour: [f64; 24],
    /// 7 factors, Monday first.
    pub by_weekday: [f64; 7],
    /// Factors for weeks 1, 2, …, repeating after the last one.
    pub by_week: Vec<f64>,
}

impl RateProfile {
    /// The relative rate during hour `h` of the run (hour 0 starts Monday
    /// 00:00 of week 1).
    pub fn factor(&self, h: u64) -> f64 {
        let hour = (h % 24) as usize;
        let day = ((h / 24) % 7) as usize;
        let week = ((h / 168) % self.by_week.len().max(1) as u64) as usize;
        self.by_hour[hour] * self.by_weekday[day] * self.by_week.get(week).copied().unwrap_or(1.0)
    }

    /// The mean of the factor over one full cycle of the profile.
    pub fn mean(&self) -> f64 {
        let hours = 168 * self.by_week.len().max(1) as u64;
        (0..hours).map(|h| self.factor(h)).sum::<f64>() / hours as f64
    }

    /// The clock time at which `work` seconds of operational time have
    /// passed since clock time `from` (rate 1 = one second per second).
    /// `None` if the rate stays zero for a whole cycle.
    pub fn advance(&self, from: Time, mut work: f64) -> Option<Time> {
        use crate::engine::HOUR;
        let mut t = from;
        let mut idle_hours = 0u64;
        let cycle = 168 * self.by_week.len().max(1) as u64;
        loop {
            let h = (t / HOUR).floor();
            let end = (h + 1.0) * HOUR;
            let r = self.factor(h as u64);
            if r > 0.0 {
                idle_hours = 0;
                let span = (end - t) * r;
                if work <= span {
                    return Some(t + work / r);
                }
                work -= span;
            } else {
                idle_hours += 1;
                if idle_hours > cycle {
                    return None;
                }
            }
            t = end;
        }
    }
}

/// One order of an order book read from CSV.
#[derive(Clone, Debug)]
pub struct BookOrder {
    /// Order id from the file.
    pub id: String,
    /// Product ordered.
    pub product: ProductId,
    /// Units.
    pub quantity: u32,
    /// Arrival, seconds from the start of the run.
    pub arrival: Time,
    /// Due date, seconds from the start of the run.
    pub due: Time,
}

/// When a customer order leaves for a contractor.
#[derive(Clone, Debug)]
pub struct OrderOutsourcing {
    /// To whom.
    pub contractor: ContractorId,
    /// The rule.
    pub rule: OutsourceRule,
}

/// Which orders are outsourced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutsourceRule {
    /// Each order with this probability.
    Share(f64),
    /// Orders arriving while the plant's open backlog (units ordered, not
    /// yet delivered, made in the plant) is above this.
    BacklogAbove(u32),
}

/// Index of a contractor in [`Factory::contractors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContractorId(pub u32);

/// A contract manufacturer.
#[derive(Clone, Debug)]
pub struct Contractor {
    /// Name from the scenario.
    pub name: String,
    /// Units accepted per week (weeks start Monday 00:00); `None`:
    /// unlimited.
    pub capacity_per_week: Option<u32>,
    /// Time from sending to delivery of a consignment.
    pub lead_time: Dist,
    /// Price per unit, per product (scenario order); `None` where the
    /// contractor does not make the product.
    pub prices: Vec<Option<f64>>,
    /// Probability that a delivered unit is defective (it is replaced at
    /// the contractor's expense, after another lead time).
    pub defect_rate: f64,
}

/// Plant-wide order handling and costs.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    /// CONWIP: at most this many parts in process; further releases wait.
    pub wip_cap: Option<u32>,
    /// Orders from a CSV order book, in arrival order.
    pub order_book: Vec<BookOrder>,
    /// Holding cost per part in process per hour.
    pub wip_holding_per_hour: f64,
    /// Holding cost per finished unit in stock per hour.
    pub stock_holding_per_hour: f64,
    /// Penalty per unit per day an order is late.
    pub late_penalty_per_unit_day: f64,
    /// Penalty per unit of a cancelled (lost) order, on top of its lost
    /// revenue.
    pub lost_sale_penalty: f64,
    /// The payback, in years, within which an investment must pay for
    /// itself: the horizon of the break-even prices.
    pub payback_within_years: f64,
    /// The currency money is given in (`costs.currency`, e.g. `EUR`), for
    /// display only; `None`: not named.
    pub currency: Option<String>,
}

/// Index of a raw material in [`Factory::materials`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaterialId(pub u32);

/// Index of a supplier in [`Factory::suppliers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SupplierId(pub u32);

/// When a raw-material store orders, and how much.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InventoryPolicy {
    /// Continuous review: when the inventory position (stock + on order −
    /// backordered) falls to `s` or below, order up to `big_s`.
    MinMax {
        /// Reorder point.
        s: i64,
        /// Order-up-to level (> `s`).
        big_s: i64,
    },
    /// Continuous review: when the inventory position falls to `r` or
    /// below, order `q` (as many times as it takes to lift it above `r`).
    ReorderPoint {
        /// Reorder point.
        r: i64,
        /// Order quantity (≥ 1).
        q: u32,
    },
    /// Periodic review: every `every`, order up to `big_s`.
    Periodic {
        /// Review period.
        every: Time,
        /// Order-up-to level.
        big_s: i64,
    },
}

/// How an order of a material is placed with its suppliers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupplierRule {
    /// Split by the suppliers' shares (cumulatively: over the run each
    /// supplier gets its share of the units ordered).
    Share,
    /// All to the supplier with the lowest unit price (first listed on a
    /// tie).
    Cheapest,
}

/// A raw material and its store.
#[derive(Clone, Debug)]
pub struct Material {
    /// Name from the scenario.
    pub name: String,
    /// Standard cost per unit: the value of the initial stock and of a
    /// unit sunk in a scrapped part.
    pub unit_cost: f64,
    /// Holding cost per unit in stock per hour.
    pub holding_per_hour: f64,
    /// Units in stock at the start.
    pub initial_stock: u32,
    /// The store's inventory policy.
    pub policy: InventoryPolicy,
    /// Its suppliers, in scenario order (at least one).
    pub suppliers: Vec<SupplierId>,
    /// How orders are placed with them.
    pub rule: SupplierRule,
    /// Probability that incoming inspection catches a defective unit (it
    /// is rejected and returned, unpaid); 0: no inspection.
    pub inspection: f64,
    /// Probability that a part built with an undetected defective unit is
    /// scrapped at the operation that uses it.
    pub defect_scrap: f64,
    /// Units an operation asks for that the stock cannot serve at once are
    /// lost to the store (the operation goes on without them; they are
    /// made good outside the store at `lost_sale_cost` each) instead of
    /// being backordered.
    pub lose_on_shortage: bool,
    /// Cost per unit lost.
    pub lost_sale_cost: f64,
}

/// Most suppliers one material may have: an order is split among them in
/// a fixed-size array, without allocating.
pub const MAX_SUPPLIERS: usize = 16;

/// A supplier of one material.
#[derive(Clone, Debug)]
pub struct Supplier {
    /// Name from the scenario.
    pub name: String,
    /// What it supplies.
    pub material: MaterialId,
    /// Time from order to delivery when on time.
    pub lead_time: Dist,
    /// Price per unit accepted.
    pub price: f64,
    /// Smallest order it accepts (smaller orders are raised to it).
    pub min_order: u32,
    /// Probability that a delivery is on time.
    pub on_time: f64,
    /// Extra delay of a late delivery.
    pub late_by: Option<Dist>,
    /// Probability that a delivered unit is defective.
    pub defect_rate: f64,
    /// Share of the material's orders (rule `Share`); shares of a
    /// material sum to 1.
    pub share: f64,
    /// Units on hand at time 0 and the most it holds; None: unlimited.
    pub stock: Option<u32>,
    /// Replenishment of that stock.
    pub restock: Option<Restock>,
}

/// A supplier's replenishment: `quantity` units every `every` (from time
/// `every`), never above its `stock`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Restock {
    /// Units added (≥ 1).
    pub quantity: u32,
    /// Interval between restocks.
    pub every: Time,
}
