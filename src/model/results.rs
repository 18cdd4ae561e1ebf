//! What one replication measures, and the optional event trace.

use serde::{Deserialize, Deserializer, Serialize};

/// Default of a number missing from a result written by an older version:
/// not measured.
fn nan() -> f64 {
    f64::NAN
}

/// Reads a number written by `serde_json`, which writes NaN (e.g. the cycle
/// time of a replication that finished no part) as `null`.
fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Whether a flag is unset (then it is not written).
fn is_false(x: &bool) -> bool {
    !*x
}

/// Whether a cost line is exactly 0 (then it is not written).
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_nan(x: &f64) -> bool {
    x.is_nan()
}

fn is_zero_u32(x: &u32) -> bool {
    *x == 0
}

fn is_zero_u64(x: &u64) -> bool {
    *x == 0
}

/// The states a machine's time is split into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineState {
    /// Processing a part.
    Busy,
    /// Holding a part it cannot pass on, or waiting for room downstream
    /// before it may start.
    Blocked,
    /// Idle: nothing to work on.
    Starved,
    /// Broken down, under repair.
    Down,
    /// Changing over to another product.
    Setup,
    /// Loaded, waiting for operators from a worker pool.
    WaitingOperator,
    /// Broken, waiting for a technician of its repair crew.
    WaitingTechnician,
    /// Waiting for operators whose pools are all off shift.
    OffShift,
    /// Loaded, waiting for raw materials its operation needs.
    StarvedMaterial,
    /// Under preventive maintenance (waiting for its crew to start it is
    /// `WaitingTechnician`).
    Maintenance,
}

impl MachineState {
    /// All states in the order of [`StationResult::state_shares`].
    pub const ALL: [MachineState; 10] = [
        MachineState::Busy,
        MachineState::Blocked,
        MachineState::Starved,
        MachineState::Down,
        MachineState::Setup,
        MachineState::WaitingOperator,
        MachineState::WaitingTechnician,
        MachineState::OffShift,
        MachineState::StarvedMaterial,
        MachineState::Maintenance,
    ];

    /// Lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            MachineState::Busy => "busy",
            MachineState::Blocked => "blocked",
            MachineState::Starved => "starved",
            MachineState::Down => "down",
            MachineState::Setup => "setup",
            MachineState::WaitingOperator => "waiting_operator",
            MachineState::WaitingTechnician => "waiting_technician",
            MachineState::OffShift => "off_shift",
            MachineState::StarvedMaterial => "starved_material",
            MachineState::Maintenance => "maintenance",
        }
    }
}

/// Per-station measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StationResult {
    /// Station name.
    pub station: String,
    /// Number of machines.
    pub machines: u32,
    /// Share of machine time processing (busy), 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub utilisation: f64,
    /// Share of machine time per state, in the order of
    /// [`MachineState::ALL`]; sums to 1.
    #[serde(deserialize_with = "state_shares")]
    pub state_shares: [f64; 10],
    /// Time-average number of parts waiting in the input buffer.
    #[serde(deserialize_with = "f64_or_nan")]
    pub queue_avg: f64,
    /// Largest number of parts waiting in the input buffer.
    #[serde(deserialize_with = "f64_or_nan")]
    pub queue_max: f64,
    /// Operations started here (a part taken by a machine).
    #[serde(default)]
    pub starts: u64,
    /// Mean time a part waited in the input buffer before its operation
    /// started (Wq), minutes, over the operations started; NaN if none.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub wait_mean_min: f64,
    /// Share of the operations started whose part waited in the buffer
    /// (found no idle machine), 0–1; NaN if none started.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub waited_share: f64,
    /// Operations completed (good, scrapped or sent to rework).
    pub operations: u64,
    /// Parts scrapped after an operation here.
    pub scrapped: u64,
    /// Parts sent back for rework after an operation here.
    pub reworked: u64,
    /// Breakdowns that started here.
    pub failures: u64,
    /// Preventive maintenance jobs finished here.
    #[serde(default)]
    pub maintenance_jobs: u64,
    /// Share of the observed time this station was the sole bottleneck
    /// (active-period method: its active period was the longest, and did
    /// not overlap the bottleneck before or after it), 0–1.
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub bottleneck_sole: f64,
    /// Share of the observed time it was a shifting bottleneck (its period
    /// overlapped the one the bottleneck shifted from or to), 0–1.
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub bottleneck_shifting: f64,
    /// A batch station: batches started, and parts in them (0 for a
    /// station that takes one part at a time).
    #[serde(default)]
    pub batches: u64,
    /// Parts in the batches started here (mean batch size: this over
    /// `batches`).
    #[serde(default)]
    pub batch_parts: u64,
    /// A mixed station: its automated machines beside the manual
    /// `machines` (left out of the job files when 0, as are the figures
    /// by kind below).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub automated_machines: u32,
    /// Share of the automated machines' time busy.
    #[serde(
        default = "nan",
        skip_serializing_if = "is_nan",
        deserialize_with = "f64_or_nan"
    )]
    pub automated_utilisation: f64,
    /// Share of the manual machines' time busy.
    #[serde(
        default = "nan",
        skip_serializing_if = "is_nan",
        deserialize_with = "f64_or_nan"
    )]
    pub manual_utilisation: f64,
    /// The automated machines' cost: running (busy or setup hours × their
    /// cost per hour) plus their capital charge.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "f64_or_nan"
    )]
    pub automated_cost: f64,
}

/// Per-pool measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PoolResult {
    /// Pool name.
    pub pool: String,
    /// Head count.
    pub workers: u32,
    /// Share of paid worker time spent operating machines or repairing.
    #[serde(deserialize_with = "f64_or_nan")]
    pub utilisation: f64,
    /// Worker-hours spent operating or repairing.
    #[serde(deserialize_with = "f64_or_nan")]
    pub busy_hours: f64,
    /// Worker-hours paid: on shift, plus overtime.
    #[serde(deserialize_with = "f64_or_nan")]
    pub paid_hours: f64,
    /// Of which overtime (scheduled, or finishing work after a shift),
    /// paid at the premium.
    #[serde(deserialize_with = "f64_or_nan")]
    pub overtime_hours: f64,
    /// Paid hours not spent working.
    #[serde(deserialize_with = "f64_or_nan")]
    pub idle_paid_hours: f64,
    /// Repairs completed by this pool.
    pub repairs: u64,
    /// Shifts extended by the overtime policy.
    pub overtime_authorised: u64,
    /// Worker-days absent.
    pub absences: u64,
    /// Labour cost: regular hours × wage + overtime hours × wage ×
    /// premium.
    #[serde(deserialize_with = "f64_or_nan")]
    pub labour_cost: f64,
    /// Share of the observed time the pool was the sole bottleneck
    /// (active-period method; the pool is active while every worker
    /// present is busy), 0–1.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub bottleneck_sole: f64,
    /// Share of the observed time it was a shifting bottleneck, 0–1.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub bottleneck_shifting: f64,
}

/// Per mover pool measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MoverResult {
    /// Pool name.
    pub mover: String,
    /// Number of movers.
    pub movers: u32,
    /// Share of mover time travelling loaded (carrying a part), 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub loaded: f64,
    /// Share of mover time travelling empty to fetch a part, 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub empty: f64,
    /// Share of mover time idle, 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub idle: f64,
    /// Moves completed (parts unloaded).
    pub moves: u64,
    /// Parts picked up.
    pub pickups: u64,
    /// Mean time from a part's request for a mover to its pickup (empty
    /// travel included), minutes (NaN without pickups).
    #[serde(deserialize_with = "f64_or_nan")]
    pub wait_mean_min: f64,
    /// Share of pickups whose part found no mover free.
    #[serde(deserialize_with = "f64_or_nan")]
    pub waited_share: f64,
    /// Time-average requests waiting for a free mover.
    #[serde(deserialize_with = "f64_or_nan")]
    pub queue_avg: f64,
    /// Time-average parts on movers (in transport).
    #[serde(deserialize_with = "f64_or_nan")]
    pub in_transport_avg: f64,
    /// Movers × cost per hour × observed hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cost: f64,
    /// Share of the observed time the pool was the sole bottleneck
    /// (active-period method; active while every mover travels), 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub bottleneck_sole: f64,
    /// Share of the observed time it was a shifting bottleneck, 0–1.
    #[serde(deserialize_with = "f64_or_nan")]
    pub bottleneck_shifting: f64,
}

/// Everything one replication measures, over the period after warm-up.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplicationResult {
    /// Replication index (0-based).
    pub replication: u64,
    /// Warm-up, hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub warmup_hours: f64,
    /// Length of the observed period (horizon − warm-up), hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub observed_hours: f64,
    /// Parts released into the factory.
    pub released: u64,
    /// Good parts finished.
    pub good: u64,
    /// Good parts finished, per product (scenario order).
    pub good_per_product: Vec<u64>,
    /// Good parts per hour.
    #[serde(deserialize_with = "f64_or_nan")]
    pub throughput_per_hour: f64,
    /// Parts scrapped.
    pub scrapped: u64,
    /// Rework loops started.
    pub reworked: u64,
    /// Mean cycle time (release to finish) of good parts, minutes.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cycle_time_mean_min: f64,
    /// Median cycle time, minutes.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cycle_time_p50_min: f64,
    /// 90th percentile of cycle time, minutes.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cycle_time_p90_min: f64,
    /// 95th percentile of cycle time, minutes.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cycle_time_p95_min: f64,
    /// Longest cycle time, minutes.
    #[serde(deserialize_with = "f64_or_nan")]
    pub cycle_time_max_min: f64,
    /// Time-average work in process: every released part not yet finished
    /// or scrapped.
    #[serde(deserialize_with = "f64_or_nan")]
    pub wip_avg: f64,
    /// Time-average parts waiting in station buffers (or at release).
    #[serde(deserialize_with = "f64_or_nan")]
    pub wip_waiting_avg: f64,
    /// Time-average parts on machines (in setup, processing, blocked or
    /// interrupted by a breakdown).
    #[serde(deserialize_with = "f64_or_nan")]
    pub wip_on_machines_avg: f64,
    /// Mean wait in a station's buffer per operation started, pooled over
    /// all stations (Wq of the plant), minutes; NaN if none started.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub wait_mean_min: f64,
    /// Share of all operations started whose part waited in the buffer.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub waited_share: f64,
    /// Per station, in scenario order.
    pub stations: Vec<StationResult>,
    /// Per worker pool, in scenario order (empty without pools).
    pub pools: Vec<PoolResult>,
    /// Per mover pool, in scenario order (empty without movers, and then
    /// left out of the job files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movers: Vec<MoverResult>,
    /// Labour cost of all pools.
    #[serde(deserialize_with = "f64_or_nan")]
    pub labour_cost: f64,
    /// Labour cost per good part (NaN without good parts).
    #[serde(deserialize_with = "f64_or_nan")]
    pub labour_cost_per_good: f64,
    /// Customer orders and delivery (all zero without orders).
    pub delivery: DeliveryResult,
    /// Per product, in scenario order.
    pub products: Vec<ProductResult>,
    /// Per contractor, in scenario order (empty without contractors).
    pub contractors: Vec<ContractorResult>,
    /// Every cost line, revenue and profit.
    pub costs: CostResult,
    /// Per raw material, in scenario order (empty without materials).
    #[serde(default)]
    pub materials: Vec<MaterialResult>,
    /// Per supplier, in scenario order (empty without suppliers).
    #[serde(default)]
    pub suppliers: Vec<SupplierResult>,
    /// Parts in process at the end of the run (released, not yet
    /// finished, scrapped or sent out to an overflow contractor).
    #[serde(default)]
    pub wip_end: u64,
    /// Parts sent whole to an overflow contractor (after warm-up).
    #[serde(default)]
    pub parts_outsourced: u64,
    /// Station with the highest utilisation (first such on a tie).
    pub busiest_station: String,
    /// Station or worker pool with the largest bottleneck share, sole plus
    /// shifting (stations first, then pools, the first such on a tie;
    /// empty when none was ever active).
    #[serde(default)]
    pub bottleneck: String,
    /// The bottleneck is a worker pool, not a station.
    #[serde(default)]
    pub bottleneck_is_pool: bool,
    /// The bottleneck is a mover pool (left out of the job files when
    /// false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub bottleneck_is_mover: bool,
    /// Times the bottleneck shifted: the momentary bottleneck passed from one
    /// station to another whose active period overlapped its own.
    #[serde(default)]
    pub bottleneck_shifts: u64,
    /// Events processed in the whole replication (warm-up included).
    pub events: u64,
    /// Time series over the whole horizon, one point per reporting period.
    pub series: Vec<PeriodPoint>,
    /// Set when the replication stopped early because the parts in the
    /// system reached `simulation.max_parts`: what happened, for the user.
    /// Such a result measures nothing and is never saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overloaded: Option<String>,
}

/// One reporting period of a replication's time series (the whole horizon,
/// warm-up included, so that the warm-up itself can be judged).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PeriodPoint {
    /// Start of the period, hours from the start of the run.
    pub start_hours: f64,
    /// Length of the period, hours (the last one may be shorter).
    pub hours: f64,
    /// Good parts finished in the period.
    pub good: u64,
    /// Parts released in the period.
    pub released: u64,
    /// Parts scrapped in the period.
    pub scrapped: u64,
    /// Time-average work in process over the period.
    #[serde(deserialize_with = "f64_or_nan")]
    pub wip_avg: f64,
    /// Time-average parts waiting (in buffers or held at release).
    #[serde(deserialize_with = "f64_or_nan")]
    pub waiting_avg: f64,
    /// Time-average units ordered by customers and not yet delivered.
    #[serde(deserialize_with = "f64_or_nan")]
    pub backlog_avg: f64,
}

/// Customer orders and how they were delivered, over the observed period.
/// An order counts when it completes (or is lost) after the warm-up.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeliveryResult {
    /// Orders that arrived.
    pub orders_arrived: u64,
    /// Orders delivered complete.
    pub orders_completed: u64,
    /// Of which by their due date.
    pub orders_on_time: u64,
    /// Units of the completed orders.
    pub units_completed: u64,
    /// Units of the orders completed on time.
    pub units_on_time: u64,
    /// Share of completed orders delivered on time (NaN without any).
    #[serde(deserialize_with = "f64_or_nan")]
    pub on_time_orders: f64,
    /// Share of units of completed orders delivered on time.
    #[serde(deserialize_with = "f64_or_nan")]
    pub on_time_units: f64,
    /// Mean lateness (completion − due; negative when early), hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lateness_mean_h: f64,
    /// Mean tardiness (lateness, or 0 when early), hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub tardiness_mean_h: f64,
    /// 90th percentile of tardiness, hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub tardiness_p90_h: f64,
    /// Largest tardiness, hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub tardiness_max_h: f64,
    /// Mean order lead time (arrival to delivery), hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lead_time_mean_h: f64,
    /// Time-average backlog: units ordered and not yet delivered.
    #[serde(deserialize_with = "f64_or_nan")]
    pub backlog_avg: f64,
    /// Backlog at the end of the run, units.
    pub backlog_end: u64,
    /// Make-to-stock: share of units demanded that stock filled at once
    /// (NaN without make-to-stock demand).
    #[serde(deserialize_with = "f64_or_nan")]
    pub fill_rate: f64,
    /// Orders cancelled after their patience ran out.
    pub orders_lost: u64,
    /// Units of the cancelled orders.
    pub units_lost: u64,
    /// Orders sent to a contractor.
    pub orders_outsourced: u64,
    /// Units sent to a contractor (whole orders and overflowing parts).
    pub units_outsourced: u64,
}

/// Per-product measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProductResult {
    /// Product name.
    pub product: String,
    /// Parts released into the plant.
    pub released: u64,
    /// Good parts finished in the plant.
    pub good: u64,
    /// Parts scrapped.
    pub scrapped: u64,
    /// Units delivered to customers (plant-made and outsourced); for a
    /// product without orders, the good parts.
    pub delivered: u64,
    /// Orders delivered complete.
    pub orders_completed: u64,
    /// Share of them on time (NaN without any).
    #[serde(deserialize_with = "f64_or_nan")]
    pub on_time_orders: f64,
    /// Make-to-stock fill rate (NaN otherwise).
    #[serde(deserialize_with = "f64_or_nan")]
    pub fill_rate: f64,
    /// Made to stock with `on_shortage = "lose"` (left out of the job
    /// files when false, as are the units lost).
    #[serde(default, skip_serializing_if = "is_false")]
    pub loses: bool,
    /// Units demanded that stock could not fill at once and that were
    /// therefore lost (`on_shortage = "lose"`).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub units_lost: u64,
    /// Time-average finished-goods stock.
    #[serde(deserialize_with = "f64_or_nan")]
    pub stock_avg: f64,
    /// Revenue: units delivered × price.
    #[serde(deserialize_with = "f64_or_nan")]
    pub revenue: f64,
    /// Good parts that never went round a rework loop.
    #[serde(default)]
    pub first_pass: u64,
    /// First-pass yield: `first_pass / (good + scrapped)` (NaN without
    /// either).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub first_pass_yield: f64,
    /// Final yield: `good / (good + scrapped)` (NaN without either).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub final_yield: f64,
    /// Hidden defects found by inspections.
    #[serde(default)]
    pub defects_detected: u64,
    /// Good parts finished with a hidden defect no inspection found.
    #[serde(default)]
    pub defects_escaped: u64,
    /// Cost of poor quality: material, operators' and machines' cost sunk
    /// in scrapped parts, and the cost of rework visits (see
    /// [`CostResult::poor_quality`]).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality: f64,
    /// Of it: operators' and machines' cost of rework visits.
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub rework_cost: f64,
    /// Machine-hours (setup and processing) of rework visits.
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub rework_hours: f64,
    /// Mean order lead time (arrival to delivery) of its completed orders,
    /// hours (NaN without any).
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub lead_time_mean_h: f64,
    /// Late-delivery penalty of its orders completed late: units × days
    /// late × its penalty rate (`products.NAME.late_penalty_per_unit_day`,
    /// else `costs.late_penalty_per_unit_day`); 0 without late orders.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub late_penalty: f64,
    /// Units of this sub-assembly assembled into other parts (left out of
    /// the job files when 0).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub assembled: u64,
}

/// Per-contractor measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ContractorResult {
    /// Contractor name.
    pub contractor: String,
    /// Consignments sent: whole orders, or single overflowing parts.
    pub consignments: u64,
    /// Units sent.
    pub units: u64,
    /// Units delivered defective (and replaced).
    pub defective: u64,
    /// Consignments delivered (replacements included) by the order's due
    /// date, as a share of those delivered that had one (NaN without any).
    #[serde(deserialize_with = "f64_or_nan")]
    pub on_time: f64,
    /// Spend: units × unit price.
    #[serde(deserialize_with = "f64_or_nan")]
    pub spend: f64,
}

/// The cost model of one replication: every line, over the observed period.
/// `total` is the sum of the lines from `labour_regular` to `raw_holding`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CostResult {
    /// Regular paid hours × wage.
    #[serde(deserialize_with = "f64_or_nan")]
    pub labour_regular: f64,
    /// Overtime hours × wage × premium.
    #[serde(deserialize_with = "f64_or_nan")]
    pub labour_overtime: f64,
    /// Parts released × material cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub materials: f64,
    /// Units sent to contractors × their price.
    #[serde(deserialize_with = "f64_or_nan")]
    pub outsourcing: f64,
    /// Machine-hours busy or in setup × the station's cost per hour.
    #[serde(deserialize_with = "f64_or_nan")]
    pub machine_running: f64,
    /// Machines × the station's fixed cost per machine-week × the observed
    /// weeks. Left out of the job files when 0, so that they stay as they
    /// were for plants without fixed costs.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "f64_or_nan"
    )]
    pub machine_fixed: f64,
    /// Preventive maintenance jobs finished × their cost per job. Left out
    /// of the job files when 0, as `machine_fixed`.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "f64_or_nan"
    )]
    pub maintenance: f64,
    /// Mover pools: movers × cost per mover-hour × the observed hours.
    /// Left out of the job files when 0, as `machine_fixed`.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "f64_or_nan"
    )]
    pub transport: f64,
    /// Automation capital, amortised straight-line over its life, for the
    /// observed hours.
    #[serde(deserialize_with = "f64_or_nan")]
    pub automation_capital: f64,
    /// Parts-hours in process × holding cost per hour.
    #[serde(deserialize_with = "f64_or_nan")]
    pub wip_holding: f64,
    /// Finished units-hours in stock × holding cost per hour.
    #[serde(deserialize_with = "f64_or_nan")]
    pub stock_holding: f64,
    /// Units × days late × penalty, for orders completed late.
    #[serde(deserialize_with = "f64_or_nan")]
    pub late_penalty: f64,
    /// Units lost × lost-sale penalty.
    #[serde(deserialize_with = "f64_or_nan")]
    pub lost_sales: f64,
    /// Raw materials consumed by operations, each unit at the price paid
    /// for its lot (initial stock at the material's unit cost).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub raw_materials: f64,
    /// Raw-material units-hours in stock × holding cost per hour.
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub raw_holding: f64,
    /// Sum of the lines above.
    #[serde(deserialize_with = "f64_or_nan")]
    pub total: f64,
    /// Cost of poor quality: the four `poor_quality_…` figures below
    /// (already in the lines above, not added again).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality: f64,
    /// Of it: the material sunk in scrapped parts — their product's
    /// material cost and the raw materials their routing took up to the
    /// scrapping operation, at standard cost (part of `materials` and
    /// `raw_materials`).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality_materials: f64,
    /// Of it: operator-hours × wage spent on scrapped parts before the
    /// scrap, outside rework visits (part of the labour lines).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality_labour: f64,
    /// Of it: machine-hours (setup and processing) × the station's cost
    /// per hour spent on scrapped parts before the scrap, outside rework
    /// visits (part of `machine_running`).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality_machines: f64,
    /// Of it: operator-hours × wage and machine-hours × cost per hour of
    /// rework visits — the operations a part goes through again after
    /// being sent back (part of the labour lines and `machine_running`).
    #[serde(default, deserialize_with = "f64_or_nan")]
    pub poor_quality_rework: f64,
    /// Of `materials`: the material sunk in scrapped parts (the cost of
    /// poor quality's material share).
    #[serde(deserialize_with = "f64_or_nan")]
    pub scrap_materials: f64,
    /// Units delivered × price.
    #[serde(deserialize_with = "f64_or_nan")]
    pub revenue: f64,
    /// Revenue − total cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub profit: f64,
    /// Total cost per good unit (made in the plant or received from
    /// contractors); NaN without any.
    #[serde(deserialize_with = "f64_or_nan")]
    pub per_good_unit: f64,
}

/// Per-material measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MaterialResult {
    /// The store loses the demand it cannot serve (`on_shortage =
    /// "lose"`); left out of the job files when false, as are the lost
    /// units and their cost when 0.
    #[serde(default, skip_serializing_if = "is_false")]
    pub loses: bool,
    /// Units lost: requested and not in stock.
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub lost: u64,
    /// Their cost: lost × the material's `lost_sale_cost`.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "f64_or_nan"
    )]
    pub lost_cost: f64,
    /// Material name.
    pub material: String,
    /// Units requested by operations starting.
    pub demanded: u64,
    /// Of which taken from stock at once (no wait).
    pub filled: u64,
    /// Fill rate: `filled / demanded` (NaN without demand).
    #[serde(deserialize_with = "f64_or_nan")]
    pub fill_rate: f64,
    /// Stock-outs: times demand started waiting for this material.
    pub stockouts: u64,
    /// Hours with demand waiting for this material.
    #[serde(deserialize_with = "f64_or_nan")]
    pub stockout_hours: f64,
    /// Time-average stock on hand.
    #[serde(deserialize_with = "f64_or_nan")]
    pub stock_avg: f64,
    /// Lowest stock on hand.
    pub stock_min: u64,
    /// Replenishment orders placed (one per supplier order).
    pub orders: u64,
    /// Units ordered.
    pub ordered: u64,
    /// Units delivered and accepted into stock.
    pub received: u64,
    /// Units rejected by incoming inspection.
    pub rejected: u64,
    /// Units consumed by operations.
    pub consumed: u64,
    /// Stock and units on order when statistics started (at the end of
    /// the warm-up, or the initial stock).
    pub stock_start: u64,
    /// Units on order when statistics started.
    pub on_order_start: u64,
    /// Stock on hand at the end.
    pub stock_end: u64,
    /// Units on order at the end.
    pub on_order_end: u64,
    /// Holding cost: units-hours in stock × holding cost per hour.
    #[serde(deserialize_with = "f64_or_nan")]
    pub holding_cost: f64,
    /// Value of the units consumed (at the price paid for each lot).
    #[serde(deserialize_with = "f64_or_nan")]
    pub consumed_value: f64,
}

/// Per-supplier measurements of one replication (after warm-up).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SupplierResult {
    /// Supplier name.
    pub supplier: String,
    /// Material it supplies.
    pub material: String,
    /// Orders placed with it.
    pub orders: u64,
    /// Units ordered from it.
    pub ordered: u64,
    /// Deliveries received.
    pub deliveries: u64,
    /// Share of deliveries on time (NaN without any).
    #[serde(deserialize_with = "f64_or_nan")]
    pub on_time: f64,
    /// Defective units delivered (rejected or not).
    pub defective: u64,
    /// Of which rejected by incoming inspection.
    pub rejected: u64,
    /// Parts scrapped because of its undetected defective units.
    pub parts_scrapped: u64,
    /// Downstream cost of those parts: their material cost and the raw
    /// materials consumed by them up to the scrapping operation, at
    /// standard cost.
    #[serde(deserialize_with = "f64_or_nan")]
    pub downstream_cost: f64,
    /// Spend: units accepted × price.
    #[serde(deserialize_with = "f64_or_nan")]
    pub spend: f64,
}

/// One line of the event trace (`--trace`).
#[derive(Clone, Debug, Serialize)]
pub struct TraceRecord {
    /// Simulation time, seconds.
    pub time_s: f64,
    /// What happened.
    pub event: &'static str,
    /// Station name, or empty.
    pub station: String,
    /// Machine index within the station, or empty.
    pub machine: Option<u32>,
    /// Part number (release order), or empty.
    pub part: Option<u64>,
    /// Customer order number (arrival order, from 0), or empty.
    pub order: Option<u64>,
    /// Product name, or empty.
    pub product: String,
}

/// Reads `state_shares` of a job file, NaN-tolerant, padding with zeros the
/// states that job files written before them lack.
fn state_shares<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; 10], D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    let mut out = [0.0; 10];
    for (o, x) in out.iter_mut().zip(v) {
        *o = x.unwrap_or(f64::NAN);
    }
    Ok(out)
}
