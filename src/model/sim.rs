//! One replication of a [`Factory`]: the event handlers.
//!
//! The flow of a part: it is released (or fed by a saturated source) into
//! the first station of its routing; it waits in that station's FIFO
//! buffer until a machine is free; the machine may need a setup, then
//! processes it; a quality draw decides scrap, rework or pass; the part
//! then enters the next station's buffer — or, when that buffer is full,
//! stays on the machine, which is blocked until room appears.
//!
//! Room appearing at a station wakes the machines blocked on it in the
//! order they blocked. All bookkeeping goes through
//! [`Sim::station_changed`], which repeats three moves until none applies:
//! idle machines take queued parts, blocked upstream machines pass their
//! parts in, saturated sources feed idle machines.

use std::collections::VecDeque;

use super::factory::{
    Blocking, Dispatch, Factory, FailureClock, MaterialId, OperatorNeed, OvertimeTrigger, PoolId,
    PoolRule, ProductId, Release, ShiftEnd, StationId, WorkInterval,
};
use super::results::{
    MachineState, MoverResult, PeriodPoint, PoolResult, ReplicationResult, StationResult,
    TraceRecord,
};

mod assembly;
mod batch;
mod crews;
mod dispatch;
mod failures;
mod flow;
mod idle;
mod lost_sales;
mod maintenance;
mod mixed;
mod orders;
mod outsourcing;
mod quality;
mod shifts;
mod supply;
mod transport;
mod workforce;
use crate::engine::Dist;
use crate::engine::due_by;
use crate::engine::{
    ActivePeriods, Calendar, DAY, Generation, HOUR, Level, MINUTE, StateTimer, Stream, Tally,
    TimeAverage, WEEK,
};
use idle::IdleMachines;
use orders::{ContractorState, DeliveryStats, OrderState, ProductState};
use supply::{Store, SupplierState, SupplyOrder};

const NONE: u32 = u32::MAX;

/// The events of the factory model: small and `Copy`.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// A release of new parts of a product.
    Arrival(u32),
    /// A machine finishes its current setup or processing segment.
    SegmentEnd { machine: u32, stamp: u32 },
    /// A machine breaks down (stale if the machine's failure stamp moved
    /// on: a paused operation's pending operating-time failure).
    Failure { machine: u32, stamp: u32 },
    /// A worker pool's shift starts (`on`) or ends, for working interval
    /// `index` of its calendar.
    /// `extended`: the end of overtime authorised by the pool's policy.
    Shift {
        pool: u32,
        index: u32,
        on: bool,
        extended: bool,
    },
    /// A machine's repair is complete.
    RepairEnd { machine: u32 },
    /// A machine's calendar preventive maintenance falls due.
    MaintenanceDue { machine: u32 },
    /// A machine's preventive maintenance is complete.
    MaintenanceEnd { machine: u32 },
    /// "Load and walk away": the operators of the part with this serial
    /// (low 32 bits) on this machine may leave.
    OperatorRelease { machine: u32, stamp: u32 },
    /// Midnight for a pool with absenteeism or fatigue: who is absent
    /// today, and when the working day starts.
    DayStart { pool: u32 },
    /// A customer order of a product arrives from its random process.
    OrderArrival(u32),
    /// The next order of the order book arrives.
    BookOrder(u32),
    /// A customer's patience with order slot `order` (serial's low 32 bits
    /// in `stamp`) runs out.
    Patience { order: u32, stamp: u32 },
    /// A contractor delivers consignment `0`.
    Delivery(u32),
    /// A part waiting for its subcontracted step tries again (the
    /// contractor was full last week).
    SendOut(u32),
    /// Mover `0` arrives where it was going (to fetch or unload a part).
    MoverArrival(u32),
    /// A supplier delivers supply order `0`.
    SupplyDelivery(u32),
    /// Periodic review of material `0`'s store.
    Review(u32),
    /// Supplier `0` restocks.
    Restock(u32),
    /// A batch station looks again at its queue: a family's oldest part
    /// may have waited its `wait_up_to`.
    BatchWake(u32),
    /// End of the warm-up period: statistics restart.
    WarmupEnd,
    /// End of a reporting period of the time series.
    Period,
    /// End of the horizon.
    End,
}

/// What the part on a machine is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No part on the machine.
    Empty,
    /// Changing over; `remaining` seconds of work left.
    Setup,
    /// Processing; `remaining` seconds of work left.
    Process,
    /// Processed, waiting for room at the next station.
    Finished,
    /// Loaded but not started: waiting for room downstream (blocking
    /// before service).
    AwaitStart,
    /// Loaded but not started: waiting for the raw materials of its
    /// operation.
    AwaitMaterial,
    /// Loaded but not started: waiting for the sub-assemblies its
    /// operation assembles (see [`assembly`]).
    AwaitKit,
}

/// Something waiting for room at a station's buffer.
#[derive(Clone, Copy, Debug)]
enum Waiter {
    /// A machine holding a finished part.
    AfterService(u32),
    /// A machine that may not start its part until room is reserved.
    BeforeService(u32),
    /// A released part that found the first buffer full.
    Release(u32),
    /// A batch machine holding the processed parts of its batch (see
    /// `batch.rs`).
    BatchAfterService(u32),
    /// A machine holding a finished part that goes on by a mover of
    /// `pool` (room is reserved when it is let in, then a mover is
    /// called).
    Transport { machine: u32, pool: u32 },
}

/// One operation of one product's routing. The routings of all products
/// are flattened into one table ([`Sim::ops`]) so that the hot path reaches
/// a part's operation with a single index instead of product → routing →
/// operation.
///
/// Laid out by hand (`repr(C)`, cache-line aligned; see [`Machine`]): what
/// a part's arrival, the start and the end of the operation read fills the
/// first cache line — with the station of the next operation, so that the
/// end of this one does not read the next one's line — and the
/// process-time distribution (a copy, not a reference into the factory, so
/// that it is not one more line elsewhere) and the setup the second; the
/// raw materials and the fields of quality, operators' pools,
/// subcontracting and costs follow.
#[derive(Clone)]
#[repr(C, align(64))]
struct Op<'f> {
    // First line.
    need: OperatorNeed,
    /// The parameter of an exponential or constant process time (see
    /// `fast`).
    fast_param: f64,
    station: u32,
    /// What the end of the operation needs of it.
    end: OpEnd,
    /// The product's family (setups, campaigns and batches go by family).
    family: u32,
    /// Operators needed (0: unattended), from which pools (`pools`), for
    /// how long (`need`).
    operators: u32,
    /// Mover pool carrying the part when it leaves this operation for
    /// another station, or NONE.
    mover: u32,
    /// Assembles sub-assemblies made in the plant (see [`assembly`]).
    kit: bool,
    /// Takes raw materials (`materials` is not empty).
    takes_materials: bool,
    /// Has a setup (`setup` is set), so that the start of an operation
    /// without one does not read the second line.
    has_setup: bool,
    /// This step is partly sent out (`share` is positive).
    shared: bool,
    /// The process time is exponential or constant, drawn from
    /// `fast_param` in this line without reading `process` (issue #17:
    /// one line less at the start of an operation), or something else.
    fast: FastProcess,
    /// Index in the table of the operation a rework returns to.
    rework_to: u32,
    // Second line.
    process: Dist,
    setup: Option<&'f Dist>,
    // The rest.
    /// Raw materials taken when the operation starts (empty for most).
    materials: &'f [(MaterialId, u32)],
    scrap: f64,
    rework: f64,
    /// Probability of leaving a hidden defect; inspection's detection
    /// probability (0: none), and whether a detected part is reworked.
    defect_rate: f64,
    inspect: f64,
    inspect_rework: bool,
    pools: &'f [PoolId],
    /// The only pool listed, for the fast path of [`Sim::try_staff_from`];
    /// NONE when there are none or several, when operators are needed for
    /// the setup only, or when the pool's shift rule is "no overrun" (each
    /// of which needs the general path).
    only_pool: u32,
    rule: PoolRule,
    /// Mean process time, for shortest-processing-time dispatching.
    mean_process: f64,
    /// A subcontracted step (`station` is NONE): the contractor, and the
    /// transport time each way.
    subcontract: u32,
    transport: f64,
    share_stream: u32,
    /// Material value sunk in a part scrapped here: the product's material
    /// cost and the raw materials of its routing up to here, at standard
    /// cost.
    raw_sunk: f64,
    /// A step partly sent out (`station` is set): the share of the parts
    /// sent, and the index of its random stream in [`Sim::share_streams`]
    /// (`share_stream`); 0 and NONE otherwise.
    share: f64,
}

/// What the end of an operation needs of it: copied whole into the
/// machine when the operation begins ([`Machine::end`]), so that its end
/// reads neither the operation's line nor the part's (issue #17).
#[derive(Clone, Copy, Debug)]
struct OpEnd {
    /// Index in the table of the routing's next operation; NONE after the
    /// last one.
    next: u32,
    /// The station of the `next` operation, and whether that step is
    /// partly sent out (its `share` is positive), so that the end of this
    /// operation does not read the next one's line either (NONE and false
    /// after the last operation).
    next_station: u32,
    next_shared: bool,
    /// Scrap, rework, a hidden defect or an inspection is possible: a
    /// quality draw follows the operation.
    quality: bool,
    /// A mover carries the part away (the operation's `mover` is set).
    by_mover: bool,
}

/// The kind of an operation's process-time distribution, for drawing the
/// two commonest without reading the distribution's line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum FastProcess {
    Exponential,
    Constant,
    Other,
}

impl FastProcess {
    /// The kind of `d` and its parameter (the mean of an exponential, the
    /// value of a constant; 0 for the others).
    fn of(d: &Dist) -> (FastProcess, f64) {
        match *d {
            Dist::Exponential { mean } => (FastProcess::Exponential, mean),
            Dist::Constant(v) => (FastProcess::Constant, v),
            _ => (FastProcess::Other, 0.0),
        }
    }

    /// For an exponential or constant distribution `d` of this kind and
    /// parameter `param`, exactly what `d.sample(s)` draws (the same
    /// arithmetic on the same draws) without reading `d`; `None`, drawing
    /// nothing, for the others.
    #[inline(always)]
    fn draw(self, param: f64, s: &mut Stream) -> Option<f64> {
        match self {
            FastProcess::Exponential => Some(param * s.exp1()),
            FastProcess::Constant => Some(param),
            FastProcess::Other => None,
        }
    }
}

impl Op<'_> {
    /// A process time: exactly what `self.process.sample(s)` draws, read
    /// from the first line when the distribution is exponential or
    /// constant.
    #[inline(always)]
    fn sample_process(&self, s: &mut Stream) -> f64 {
        match self.fast {
            FastProcess::Exponential => self.fast_param * s.exp1(),
            FastProcess::Constant => self.fast_param,
            FastProcess::Other => self.process.sample(s),
        }
    }
}

/// A product's Poisson (or other renewal) releases: what each arrival
/// reads, in one line — the stream, the interarrival time's kind and
/// parameter (so that an exponential or constant one is drawn without
/// reading the factory's product, a line or two elsewhere), and the parts
/// an arrival releases (issue #17). Saturated and ordered products have
/// one too, never used but for the stream's place.
#[derive(Clone)]
#[repr(C, align(64))]
struct ArrivalProcess {
    stream: Stream,
    param: f64,
    batch: u32,
    fast: FastProcess,
}

const _: () = assert!(std::mem::size_of::<Part>() == 64);
const _: () = assert!(std::mem::offset_of!(Op, fast) < 64);
const _: () = assert!(std::mem::offset_of!(Op, has_setup) < 64);
const _: () = assert!(std::mem::offset_of!(Op, process) == 64);
const _: () = assert!(std::mem::offset_of!(Op, materials) == 128);

/// A part in the plant. Its 64 bytes are aligned to a cache line, so that
/// reading it costs one line, not the two it would straddle in a `Vec`
/// aligned only to its 8-byte fields (issue #17).
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Part {
    product: u32,
    /// The current (or just finished) operation: an index into
    /// [`Sim::ops`].
    op: u32,
    released_at: f64,
    serial: u64,
    /// Customer order (slot in [`Sim::orders`]) the part is made for, or
    /// NONE.
    order: u32,
    /// Due date of that order (infinite without one), for dispatching.
    due: f64,
    /// Carries a hidden defect made on the floor.
    latent: bool,
    /// Has gone round a rework loop.
    reworked: bool,
    /// Its first kit of sub-assemblies not yet assembled, or NONE; and,
    /// for a sub-assembly, the kit it is made for, or NONE (see
    /// [`assembly`]).
    kit: u32,
    for_kit: u32,
}

/// Laid out by hand (`repr(C)`, cache-line aligned): the fields every
/// operation reads or writes come first and fill the first cache line, the
/// state timer's head and the totals of its busiest states the second; the
/// rest (operators' bookkeeping, cost marks, the failure and repair
/// streams) follow. In a plant of thousands of machines the records do not
/// stay in cache between two operations of a machine, so each line an
/// operation touches is a miss (issue #17).
#[repr(C, align(64))]
struct Machine {
    // First cache line: read or written by every operation.
    remaining: f64,
    seg_start: f64,
    ttf_left: f64,
    station: u32,
    part: u32,
    /// The operation of `part` (its `op`, kept in step with it while the
    /// part is on the machine), so that the end of an operation reads the
    /// operation without waiting for the part's record first.
    op: u32,
    generation: Generation,
    /// Stamp of pending operating-time failures (bumped when a pause makes
    /// them stale).
    failure_gen: Generation,
    /// Family of the last operation started (setups go by family).
    last_family: u32,
    /// Number of operators held.
    held: u32,
    phase: Phase,
    down: bool,
    /// Has setup or processing left (`remaining`) but is not running it:
    /// waiting for operators, or stopped at the end of their shift.
    paused: bool,
    /// The current segment has not run yet (fatigue applies once, at its
    /// start), and the operation was done by tired operators
    /// (`fatigue_scrap`).
    fresh: bool,
    /// Whether load-and-walk-away operators have left this operation for
    /// good (and see `crew_gen`).
    walked_away: bool,
    unattended: bool,
    /// Under preventive maintenance or waiting for it to start (`down` is
    /// set too).
    maint: bool,
    /// Broken and waiting for a technician.
    awaiting_technician: bool,
    /// Of the operation of the part on the machine: the station where room
    /// was reserved for it (blocking before service), and (second line)
    /// the supplier of a defective raw-material unit it took; NONE
    /// otherwise. Kept here, not in the part's record, so that the end of
    /// an operation does not read the part (issue #17).
    reserved_at: u32,
    // Second cache line: what the end of the operation in progress needs
    // of it (a copy of its `end`, set by [`Sim::begin_op`]; not kept for
    // a batch station's machines), the defect, and the state timer (its
    // state, since when, and the totals of the busy, blocked, starved and
    // down states here, of the others next; `MachineState`'s order).
    end: OpEnd,
    defect: u32,
    timer: StateTimer<10>,
    // Then the fields of operators, repairs, costs and mixed stations.
    /// The fatigue scrap of the operation in progress (only set, and only
    /// read, when a pool has fatigue: [`Sim::any_fatigue`]).
    fatigue_scrap: f64,
    /// Pool whose operators this machine holds (NONE: none held).
    crew: u32,
    /// Stamp of the current crew (bumped at each acquisition).
    crew_gen: Generation,
    index: u32,
    /// An automated machine beside manual ones (see [`mixed`]): its
    /// process-time factor (1 for every other machine, and only read at a
    /// station with such machines) and whether it runs without operators
    /// (`automated` and `unattended`).
    factor: f64,
    automated: bool,
    /// Repair time drawn at the failure, started when a technician comes.
    repair_time: f64,
    /// Cost of poor quality (only kept when [`Sim::track_sunk`]): when the
    /// current crew came, and the machine's busy and setup time when its
    /// last operation ended (a machine is busy or in setup only for the
    /// part on it, so the time since then is the current operation's).
    crew_since: f64,
    op_mark: f64,
    failure_stream: Stream,
    repair_stream: Stream,
}

// The hot fields fill the first line; the end of the operation, the
// defect, the timer's head and its first four totals the second.
const _: () = assert!(std::mem::offset_of!(Machine, reserved_at) == 60);
const _: () = assert!(std::mem::offset_of!(Machine, end) == 64);
const _: () = assert!(std::mem::offset_of!(Machine, timer) == 80);
const _: () = assert!(std::mem::offset_of!(Machine, fatigue_scrap) == 128 + 48);

/// A part in a station's buffer, with its operation (a copy of its `op`)
/// and when it joined: a machine taking it from the queue reads both here,
/// without waiting for the part's record, which stays cold until the
/// operation ends (issue #17).
#[derive(Clone, Copy, Debug)]
struct Queued {
    part: u32,
    op: u32,
    at: f64,
}

/// Laid out by hand like [`Machine`]: what moving a part in and out of
/// the station touches fills the first three cache lines (the buffer, idle
/// machines and capacity — all that [`Sim::has_room`] reads — and the flags
/// of the usual paths; the waiters and the process stream; the queue-length
/// integral and the counters of every operation); the rule choosing from
/// the buffer when it is not FIFO, the saturated source's products, the
/// setup and quality streams and the counters of rarer events follow.
#[repr(C, align(64))]
struct StationState {
    // First line: the buffer and the idle machines (inline, see
    // [`idle`]).
    queue: VecDeque<Queued>,
    idle: IdleMachines,
    reserved: u32,
    /// Index in [`Sim::batches`] of a batch station, or NONE.
    batch: u32,
    /// Places in the buffer (NONE: unlimited, which no count of parts
    /// reaches, so that [`Sim::has_room`] needs no branch for it).
    capacity: u32,
    blocking: Blocking,
    /// Has automated machines beside manual ones: they are taken first.
    mixed: bool,
    /// Takes parts from its buffer first come, first served (`dispatch`
    /// is FIFO).
    fifo: bool,
    /// Is fed by saturated products (`saturated` is not empty; it never
    /// changes).
    source: bool,
    /// Has exactly one machine: its state change on going idle may wait
    /// until the end of the event (see [`Sim::idle_pending`]).
    single: bool,
    // Second line: the parts and machines waiting for room, and the
    // process times.
    waiters: VecDeque<Waiter>,
    process_stream: Stream,
    // Third line: the queue length (from [`Sim::stats_start`]), and the
    // operations started here, those whose part waited in the queue first
    // (`waited`), the sum of those waits (minutes, `wait_sum`), and the
    // operations done.
    queue_len: Level,
    starts: u64,
    waited: u64,
    wait_sum: f64,
    operations: u64,
    // The rest: the dispatching rule, the overflow contractor, the
    // saturated products, streams and counters of setups, quality and
    // failures.
    dispatch: Dispatch,
    /// Contractor taking parts that find the buffer full, or NONE.
    overflow: u32,
    saturated: Vec<u32>,
    /// A saturated source's next product (in `saturated`).
    next_saturated: usize,
    setup_stream: Stream,
    quality_stream: Stream,
    scrapped: u64,
    reworked: u64,
    failures: u64,
    maintenance_jobs: u64,
}

const _: () = assert!(std::mem::offset_of!(StationState, waiters) == 64);
const _: () = assert!(std::mem::offset_of!(StationState, queue_len) == 128);
const _: () = assert!(std::mem::offset_of!(StationState, dispatch) == 192);

/// The machine states in which a machine is active for the active-period
/// method (busy, in setup, down under repair): bits by [`state_index`].
/// Waiting for a technician is waiting for people, like waiting for
/// operators: a machine that breaks when its repair crew has gone home
/// would otherwise look like the plant's constraint all night.
const ACTIVE: u32 = 1 << MachineState::Busy as u32
    | 1 << MachineState::Setup as u32
    | 1 << MachineState::Down as u32
    | 1 << MachineState::Maintenance as u32;

#[derive(Clone, Copy)]
struct RawTrace {
    time: f64,
    event: &'static str,
    station: u32,
    machine: u32,
    part: u32,
    /// Serial of the customer order concerned (u64::MAX: none).
    order: u64,
}

struct Sim<'f> {
    f: &'f Factory,
    /// Every product's routing, flattened (see [`Op`]). Borrowed rather
    /// than owned, so that a handler can hold an operation (`&'f Op`) while
    /// it changes the simulation state.
    ops: &'f [Op<'f>],
    /// Per product: index in `ops` of the first operation of its routing.
    first_op: Vec<u32>,
    cal: Calendar<Event>,
    parts: Vec<Part>,
    free_parts: Vec<u32>,
    machines: Vec<Machine>,
    stations: Vec<StationState>,
    /// The idle machines below the top of each station's list (see
    /// [`idle`]), by machine.
    idle_below: Vec<u32>,
    /// Per product.
    arrivals: Vec<ArrivalProcess>,
    serial: u64,
    wip: TimeAverage,
    waiting: TimeAverage,
    released: u64,
    good: u64,
    good_per_product: Vec<u64>,
    scrapped: u64,
    reworked: u64,
    cycle: Tally,
    trace: Option<Vec<(RawTrace, u64, u32)>>,
    /// With a trace, the stations whose events it records (empty: all);
    /// events of no station (shifts, orders) are always recorded.
    trace_stations: Vec<bool>,
    /// Worker pools: free workers, busy level, queued repairs.
    pools: Vec<PoolState>,
    /// Machines waiting for operators, in the order they asked.
    operator_queue: VecDeque<u32>,
    /// Some pool has a fatigue effect (else its check is skipped).
    any_fatigue: bool,
    /// A machine made idle during the current event whose state change
    /// ([`Sim::set_state`]) is put off to the end of the event, or NONE.
    /// A machine that finishes a part and takes the next one in the same
    /// event goes busy → starved → busy at one instant: the starved stretch
    /// lasts zero seconds and its active period stops and starts again at
    /// once, so skipping both changes leaves every result as it was, and
    /// saves the two state changes an operation of a saturated station
    /// would cost (issue #17). Only at a station of one machine (whose
    /// active period is that machine's alone) without preventive
    /// maintenance; any `set_state` of the machine in the meantime makes
    /// the pending one moot.
    idle_pending: u32,
    /// Preventive maintenance per machine (empty: no station has any).
    pm: Vec<maintenance::PmMachine>,
    /// Time series: totals since time 0 that survive the warm-up reset
    /// (what the reset removed), and one point per finished period.
    before_warmup: SeriesTotals,
    last_period: SeriesTotals,
    series: Vec<PeriodPoint>,
    /// Customer orders: open ones in slots reused through `free_orders`.
    orders: Vec<OrderState>,
    free_orders: Vec<u32>,
    order_serial: u64,
    /// Units waiting for release under CONWIP: (product, order or NONE).
    gate: VecDeque<(u32, u32)>,
    /// Parts in the plant now, and the CONWIP cap (u32::MAX: none).
    in_process: u32,
    wip_cap: u32,
    /// Set once the parts in the system reach `Factory::max_parts`: the
    /// run stops, and this says where the parts piled up.
    overloaded: Option<String>,
    /// Saturated products, fed through the CONWIP gate.
    gate_saturated: Vec<u32>,
    next_gate_saturated: usize,
    products: Vec<ProductState>,
    contractors: Vec<ContractorState>,
    delivery: DeliveryStats,
    /// Units ordered and not yet delivered: all, and those made in the
    /// plant (for outsourcing on backlog).
    backlog: TimeAverage,
    plant_backlog: i64,
    /// Parts that left the plant for a contractor (after warm-up).
    parts_outsourced: u64,
    /// One random stream per step partly sent out (see [`Op::share`]).
    share_streams: Vec<Stream>,
    /// Consignments at contractors (slots reused through
    /// `free_consignments`).
    consignments: Vec<orders::Consignment>,
    free_consignments: Vec<u32>,
    /// Labour and machine time sunk in each part, by part slot (see
    /// [`quality::PartCost`]); kept only when `track_sunk`: some part may
    /// be scrapped or reworked and labour or machines cost something.
    part_costs: Vec<quality::PartCost>,
    track_sunk: bool,
    /// Raw-material stores and suppliers.
    stores: Vec<Store>,
    suppliers: Vec<SupplierState>,
    /// Supply orders on their way (slots reused through
    /// `free_supply_orders`).
    supply_orders: Vec<SupplyOrder>,
    free_supply_orders: Vec<u32>,
    /// Machines waiting for raw materials, first come first served.
    material_queue: VecDeque<u32>,
    /// The stations' active periods, for bottleneck detection.
    active: ActivePeriods,
    /// Batch stations (most plants have none).
    batches: Vec<batch::BatchStation>,
    /// By machine, the campaign it is running (empty when no station
    /// dispatches by campaign).
    campaigns: Vec<dispatch::Campaign>,
    /// Movers and their pools (empty without movers).
    mover_units: Vec<transport::MoverUnit>,
    mover_pools: Vec<transport::MoverPoolState>,
    /// Kits of sub-assemblies (empty when nothing is assembled).
    asm: assembly::Assembly<'f>,
}

/// A worker pool during the run.
struct PoolState {
    count: u32,
    free: u32,
    /// Workers held by machines or repairs.
    held: u32,
    /// Of them, workers finishing from a shift with a larger crew, beyond
    /// the crew now on shift (see [`crews`]); they go home when done.
    surplus: u32,
    /// On shift now (always, without a calendar).
    on: bool,
    /// The current working interval is scheduled overtime.
    overtime_now: bool,
    shift_start: f64,
    shift_end: f64,
    rule: ShiftEnd,
    intervals: Vec<WorkInterval>,
    /// Policy overtime used in the current day and week (seconds).
    ot_day: i64,
    ot_day_used: f64,
    ot_week: i64,
    ot_week_used: f64,
    overtime_authorised: u64,
    /// Workers paid at the regular rate, and at the overtime rate.
    paid_regular: TimeAverage,
    paid_overtime: TimeAverage,
    busy: TimeAverage,
    /// Broken machines waiting for one of this pool's technicians.
    repairs: VecDeque<u32>,
    repairs_done: u64,
    /// Workers absent today, and worker-days absent (after warm-up).
    absent: u32,
    absences: u64,
    absence_stream: Stream,
    /// Start of today's work (first shift start, or midnight without a
    /// calendar), for fatigue; and the day it belongs to.
    work_start: f64,
    work_day: i64,
    /// When the pool last went off shift.
    last_off: f64,
    /// Takes part in bottleneck detection (a pool of people, not a
    /// station's own calendar), and is active now: on shift, with every
    /// worker present busy.
    tracked: bool,
    bn_active: bool,
}

impl PoolState {
    /// Workers present today.
    #[inline]
    fn present(&self) -> u32 {
        self.count - self.absent
    }
}

/// Running totals from time 0, for the time series.
#[derive(Clone, Copy, Default)]
struct SeriesTotals {
    good: u64,
    released: u64,
    scrapped: u64,
    wip_integral: f64,
    waiting_integral: f64,
    backlog_integral: f64,
}

/// Puts `x` into an arena: in a slot listed in `free` (and takes it off the
/// list), else at the end. Returns its index.
#[inline]
fn store<T>(slots: &mut Vec<T>, free: &mut Vec<u32>, x: T) -> u32 {
    match free.pop() {
        Some(i) => {
            slots[i as usize] = x;
            i
        }
        None => {
            slots.push(x);
            (slots.len() - 1) as u32
        }
    }
}

/// `a / b`, NaN when `b` is 0 (a share of nothing).
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// `a / b`, or NaN when `b` is zero.
fn ratio_f(a: f64, b: u64) -> f64 {
    if b == 0 { f64::NAN } else { a / b as f64 }
}

fn state_index(s: MachineState) -> usize {
    s as usize
}

/// Flattens every product's routing into one operation table; also returns
/// each product's first index in it.
fn build_ops(f: &Factory) -> (Vec<Op<'_>>, Vec<u32>) {
    let mut ops = Vec::new();
    let mut first_op = Vec::with_capacity(f.products.len());
    for p in &f.products {
        let base = ops.len() as u32;
        let mut sunk = p.material_cost;
        first_op.push(base);
        let n = p.routing.len() as u32;
        for (i, op) in p.routing.iter().enumerate() {
            debug_assert!(op.rework_to <= i, "rework goes back, never forward");
            let i = i as u32;
            let share = match op.subcontract {
                Some(c) if op.station != StationId::OUTSIDE => c.share,
                _ => 0.0,
            };
            sunk += op
                .materials
                .iter()
                .map(|(m, q)| f64::from(*q) * f.materials[m.0 as usize].unit_cost)
                .sum::<f64>();
            let (fast, fast_param) = FastProcess::of(&op.process);
            let mover = op
                .mover
                .or_else(|| f.stations.get(op.station.0 as usize).and_then(|s| s.mover))
                .map_or(NONE, |m| m.0);
            ops.push(Op {
                station: op.station.0,
                end: OpEnd {
                    next: if i + 1 < n { base + i + 1 } else { NONE },
                    // Set below, once the next operation is in the table.
                    next_station: NONE,
                    next_shared: false,
                    quality: op.scrap > 0.0
                        || op.rework > 0.0
                        || op.defect_rate > 0.0
                        || op.inspect > 0.0,
                    by_mover: mover != NONE,
                },
                rework_to: base + op.rework_to as u32,
                scrap: op.scrap,
                rework: op.rework,
                defect_rate: op.defect_rate,
                inspect: op.inspect,
                inspect_rework: op.inspect_rework,
                process: op.process.clone(),
                fast,
                fast_param,
                setup: op.setup.as_ref(),
                has_setup: op.setup.is_some(),
                family: p.family,
                operators: op.operators,
                pools: &op.operator_pools,
                only_pool: match op.operator_pools.as_slice() {
                    [p] if op.operator_need != OperatorNeed::SetupOnly
                        && f.pools[p.0 as usize]
                            .calendar
                            .as_ref()
                            .is_none_or(|c| c.shift_end != ShiftEnd::NoOverrun) =>
                    {
                        p.0
                    }
                    _ => NONE,
                },
                need: op.operator_need,
                rule: f
                    .stations
                    .get(op.station.0 as usize)
                    .map_or(PoolRule::FirstListed, |s| s.operator_rule),
                mean_process: op.process.mean(),
                subcontract: op.subcontract.map_or(NONE, |c| c.contractor.0),
                transport: op.subcontract.map_or(0.0, |c| c.transport),
                mover,
                share,
                shared: share > 0.0,
                share_stream: NONE,
                materials: &op.materials,
                takes_materials: !op.materials.is_empty(),
                kit: !op.components.is_empty(),
                raw_sunk: sunk,
            });
        }
    }
    for i in 0..ops.len() {
        let next = ops[i].end.next;
        if next != NONE {
            ops[i].end.next_station = ops[next as usize].station;
            ops[i].end.next_shared = ops[next as usize].shared;
        }
    }
    (ops, first_op)
}

/// Runs replication `replication` of `factory` with master seed `seed`.
/// With `trace`, also returns the event log.
pub fn simulate(
    factory: &Factory,
    seed: u64,
    replication: u64,
    trace: bool,
) -> (ReplicationResult, Option<Vec<TraceRecord>>) {
    run_replication(factory, seed, replication, trace, Vec::new())
}

/// [`simulate`] with the event log of the stations marked in `stations`
/// only (one flag per station of `factory`), and of the events of no
/// station (shifts, orders): what a chart of some machines of a large
/// plant needs, without holding every event of every machine in memory.
/// The run and its result are those of [`simulate`].
pub fn simulate_traced(
    factory: &Factory,
    seed: u64,
    replication: u64,
    stations: &[bool],
) -> (ReplicationResult, Vec<TraceRecord>) {
    let (r, trace) = run_replication(factory, seed, replication, true, stations.to_vec());
    (r, trace.unwrap_or_default())
}

fn run_replication(
    factory: &Factory,
    seed: u64,
    replication: u64,
    trace: bool,
    trace_stations: Vec<bool>,
) -> (ReplicationResult, Option<Vec<TraceRecord>>) {
    let (mut ops, first_op) = build_ops(factory);
    let share_streams = outsourcing::share_streams(factory, &mut ops, seed, replication);
    let mut sim = Sim::new(factory, &ops, first_op, seed, replication, trace);
    sim.share_streams = share_streams;
    sim.trace_stations = trace_stations;
    sim.run();
    sim.close_period();
    let result = sim.result(replication);
    let trace = sim.trace.take().map(|raw| {
        raw.into_iter()
            .map(|(r, serial, product)| TraceRecord {
                time_s: r.time,
                event: r.event,
                station: if r.station == NONE {
                    String::new()
                } else {
                    factory.stations[r.station as usize].name.clone()
                },
                machine: (r.machine != NONE).then_some(r.machine),
                part: (r.part != NONE).then_some(serial),
                order: (r.order != u64::MAX).then_some(r.order),
                product: if product == NONE {
                    String::new()
                } else {
                    factory.products[product as usize].name.clone()
                },
            })
            .collect()
    });
    (result, trace)
}

impl<'f> Sim<'f> {
    fn new(
        f: &'f Factory,
        ops: &'f [Op<'f>],
        first_op: Vec<u32>,
        seed: u64,
        rep: u64,
        trace: bool,
    ) -> Sim<'f> {
        let mut machines = Vec::new();
        let mut stations = Vec::with_capacity(f.stations.len());
        let mut batches = Vec::new();
        let mut idle_below = Vec::new();
        for (si, st) in f.stations.iter().enumerate() {
            let first_machine = machines.len() as u32;
            let mut idle = Vec::with_capacity(st.all_machines() as usize);
            for mi in 0..st.all_machines() {
                let id = machines.len() as u32;
                let automated = mi >= st.machines;
                machines.push(Machine {
                    station: si as u32,
                    index: mi,
                    automated,
                    factor: match st.alongside {
                        Some(a) if automated => a.process_factor,
                        _ => 1.0,
                    },
                    unattended: automated && st.alongside.is_some_and(|a| a.unattended),
                    part: NONE,
                    op: NONE,
                    phase: Phase::Empty,
                    down: false,
                    remaining: 0.0,
                    seg_start: 0.0,
                    ttf_left: f64::INFINITY,
                    generation: Generation::default(),
                    last_family: NONE,
                    crew: NONE,
                    held: 0,
                    awaiting_technician: false,
                    maint: false,
                    fresh: false,
                    fatigue_scrap: 0.0,
                    end: OpEnd {
                        next: NONE,
                        next_station: NONE,
                        next_shared: false,
                        quality: false,
                        by_mover: false,
                    },
                    reserved_at: NONE,
                    defect: NONE,
                    crew_gen: Generation::default(),
                    walked_away: false,
                    paused: false,
                    failure_gen: Generation::default(),
                    repair_time: 0.0,
                    crew_since: 0.0,
                    op_mark: 0.0,
                    timer: StateTimer::new(state_index(MachineState::Starved), 0.0),
                    failure_stream: Stream::new(seed, rep, &format!("failure/{}/{}", st.name, mi)),
                    repair_stream: Stream::new(seed, rep, &format!("repair/{}/{}", st.name, mi)),
                });
                idle.push(id);
            }
            // Machine 0 is taken first; automated machines beside manual
            // ones before any manual one.
            idle.reverse();
            let manual = st.machines as usize;
            let automated = idle.len() - manual;
            idle.rotate_left(automated);
            // A batch station's machines are never in `idle`: only the
            // batch rule starts them (see `batch.rs`).
            let batch = match &st.batch {
                Some(rule) => {
                    idle.clear();
                    batches.push(batch::BatchStation::new(
                        rule,
                        first_machine,
                        st.machines,
                        f.families.len(),
                    ));
                    (batches.len() - 1) as u32
                }
                None => NONE,
            };
            idle_below.resize(machines.len(), NONE);
            let mut idle_machines = IdleMachines::new(first_machine);
            for m in idle {
                idle_machines.push(&mut idle_below, m);
            }
            stations.push(StationState {
                queue: VecDeque::with_capacity(16),
                idle: idle_machines,
                mixed: st.automated_machines() > 0,
                waiters: VecDeque::new(),
                reserved: 0,
                capacity: st.buffer.unwrap_or(NONE),
                blocking: st.blocking,
                saturated: Vec::new(),
                next_saturated: 0,
                dispatch: st.dispatch,
                fifo: st.dispatch == Dispatch::Fifo,
                source: false,
                single: st.all_machines() == 1,
                batch,
                overflow: st.overflow.map_or(NONE, |c| c.0),
                queue_len: Level::new(0.0),
                process_stream: Stream::new(seed, rep, &format!("process/{}", st.name)),
                setup_stream: Stream::new(seed, rep, &format!("setup/{}", st.name)),
                quality_stream: Stream::new(seed, rep, &format!("quality/{}", st.name)),
                operations: 0,
                starts: 0,
                waited: 0,
                wait_sum: 0.0,
                scrapped: 0,
                reworked: 0,
                failures: 0,
                maintenance_jobs: 0,
            });
        }
        let (mover_units, mover_pools) = transport::build(f, seed, rep);
        let wip_cap = f.policies.wip_cap.unwrap_or(u32::MAX);
        let mut gate_saturated = Vec::new();
        for (pi, p) in f.products.iter().enumerate() {
            if let Release::Saturated = p.release {
                if wip_cap == u32::MAX {
                    let first = p.routing[0].station.0 as usize;
                    stations[first].saturated.push(pi as u32);
                    stations[first].source = true;
                } else {
                    gate_saturated.push(pi as u32);
                }
            }
        }
        let asm = assembly::Assembly::new(f, &first_op);
        let arrivals = f
            .products
            .iter()
            .map(|p| {
                let (fast, param, batch) = match &p.release {
                    Release::Arrivals {
                        interarrival,
                        batch,
                    } => {
                        let (fast, param) = FastProcess::of(interarrival);
                        (fast, param, *batch)
                    }
                    _ => (FastProcess::Other, 0.0, 0),
                };
                ArrivalProcess {
                    stream: Stream::new(seed, rep, &format!("arrivals/{}", p.name)),
                    param,
                    batch,
                    fast,
                }
            })
            .collect();
        Sim {
            f,
            ops,
            first_op,
            cal: Calendar::new(),
            parts: Vec::with_capacity(64),
            free_parts: Vec::with_capacity(64),
            machines,
            stations,
            idle_below,
            arrivals,
            serial: 0,
            wip: TimeAverage::new(0.0),
            waiting: TimeAverage::new(0.0),
            released: 0,
            good: 0,
            good_per_product: vec![0; f.products.len()],
            scrapped: 0,
            reworked: 0,
            cycle: Tally::new(0.001),
            before_warmup: SeriesTotals::default(),
            last_period: SeriesTotals::default(),
            series: Vec::with_capacity((f.horizon / f.period).ceil().min(1e6) as usize + 1),
            trace: trace.then(Vec::new),
            trace_stations: Vec::new(),
            pools: f
                .pools
                .iter()
                .map(|p| {
                    let intervals = p
                        .calendar
                        .as_ref()
                        .map(|c| c.intervals(f.horizon, !p.count_by_shift.is_empty()))
                        .unwrap_or_default();
                    let always = p.calendar.is_none();
                    let mut paid_regular = TimeAverage::new(0.0);
                    if always {
                        paid_regular.set(0.0, f64::from(p.count));
                    }
                    PoolState {
                        count: p.count,
                        free: if always { p.count } else { 0 },
                        held: 0,
                        surplus: 0,
                        on: always,
                        overtime_now: false,
                        shift_start: 0.0,
                        shift_end: f64::INFINITY,
                        rule: p
                            .calendar
                            .as_ref()
                            .map_or(ShiftEnd::Finish, |c| c.shift_end),
                        intervals,
                        ot_day: -1,
                        ot_day_used: 0.0,
                        ot_week: -1,
                        ot_week_used: 0.0,
                        overtime_authorised: 0,
                        paid_regular,
                        paid_overtime: TimeAverage::new(0.0),
                        busy: TimeAverage::new(0.0),
                        repairs: VecDeque::new(),
                        repairs_done: 0,
                        absent: 0,
                        absences: 0,
                        absence_stream: Stream::new(seed, rep, &format!("absence/{}", p.name)),
                        work_start: 0.0,
                        work_day: -1,
                        last_off: 0.0,
                        tracked: !p.hidden,
                        bn_active: false,
                    }
                })
                .collect(),
            operator_queue: VecDeque::new(),
            any_fatigue: f.pools.iter().any(|p| p.fatigue.is_some()),
            pm: maintenance::PmMachine::all(f, seed, rep),
            orders: Vec::new(),
            free_orders: Vec::new(),
            order_serial: 0,
            gate: VecDeque::new(),
            in_process: 0,
            wip_cap,
            overloaded: None,
            idle_pending: NONE,
            gate_saturated,
            next_gate_saturated: 0,
            products: f
                .products
                .iter()
                .map(|p| ProductState::new(p, seed, rep))
                .collect(),
            contractors: f
                .contractors
                .iter()
                .map(|c| ContractorState::new(c, seed, rep))
                .collect(),
            delivery: DeliveryStats::default(),
            backlog: TimeAverage::new(0.0),
            plant_backlog: 0,
            parts_outsourced: 0,
            share_streams: Vec::new(),
            consignments: Vec::new(),
            free_consignments: Vec::new(),
            stores: f
                .materials
                .iter()
                .map(|m| Store::new(m, seed, rep))
                .collect(),
            suppliers: f
                .suppliers
                .iter()
                .map(|s| SupplierState::new(s, seed, rep))
                .collect(),
            part_costs: Vec::new(),
            track_sunk: quality::tracks_sunk_cost(f, ops),
            supply_orders: Vec::new(),
            free_supply_orders: Vec::new(),
            material_queue: VecDeque::new(),
            // Stations (all their machines active), then worker pools
            // (every worker present busy), then mover pools (every mover
            // travelling).
            active: ActivePeriods::with_units(
                &f.stations
                    .iter()
                    .map(|s| s.all_machines())
                    .chain(f.pools.iter().map(|_| 1))
                    .chain(f.movers.iter().map(|m| m.count))
                    .collect::<Vec<_>>(),
                f.warmup,
            ),
            batches,
            campaigns: if f
                .stations
                .iter()
                .any(|s| matches!(s.dispatch, Dispatch::Campaign { .. }))
            {
                vec![
                    dispatch::Campaign::default();
                    f.stations.iter().map(|s| s.machines as usize).sum()
                ]
            } else {
                Vec::new()
            },
            mover_units,
            mover_pools,
            asm,
        }
    }

    /// Records a trace line when tracing. The check is inlined; the
    /// recording itself is kept out of line so that it does not weigh on the
    /// hot paths of untraced runs.
    #[inline(always)]
    fn log(&mut self, event: &'static str, station: u32, machine: u32, part: u32) {
        if self.trace.is_some() {
            self.record_trace(event, station, machine, part);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_trace(&mut self, event: &'static str, station: u32, machine: u32, part: u32) {
        if station != NONE && self.trace_stations.get(station as usize) == Some(&false) {
            return;
        }
        let (serial, product) = if part == NONE {
            (0, NONE)
        } else {
            let p = &self.parts[part as usize];
            (p.serial, p.product)
        };
        let machine_index = if machine == NONE {
            NONE
        } else {
            self.machines[machine as usize].index
        };
        let order = match self.parts.get(part as usize) {
            Some(p) if p.order != NONE => self.orders[p.order as usize].serial,
            _ => u64::MAX,
        };
        let time = self.cal.now();
        if let Some(t) = self.trace.as_mut() {
            t.push((
                RawTrace {
                    time,
                    event,
                    station,
                    machine: machine_index,
                    part,
                    order,
                },
                serial,
                product,
            ));
        }
    }

    /// Records an order event (no part, no station) when tracing.
    #[cold]
    #[inline(never)]
    fn record_order_trace(&mut self, event: &'static str, order: u64, product: u32) {
        let time = self.cal.now();
        if let Some(t) = self.trace.as_mut() {
            t.push((
                RawTrace {
                    time,
                    event,
                    station: NONE,
                    machine: NONE,
                    part: NONE,
                    order,
                },
                0,
                product,
            ));
        }
    }

    fn run(&mut self) {
        // Initial machine failures.
        for m in 0..self.machines.len() {
            let st = self.machines[m].station as usize;
            if let Some(fl) = &self.f.stations[st].failures {
                let ttf = fl
                    .time_to_failure
                    .sample(&mut self.machines[m].failure_stream);
                match fl.clock {
                    FailureClock::Operating => self.machines[m].ttf_left = ttf,
                    FailureClock::Calendar => self.cal.schedule_at(
                        ttf,
                        Event::Failure {
                            machine: m as u32,
                            stamp: 0,
                        },
                    ),
                }
            }
        }
        for (pi, p) in self.f.products.iter().enumerate() {
            if let Release::Arrivals { interarrival, .. } = &p.release {
                let t = interarrival.sample(&mut self.arrivals[pi].stream);
                self.cal.schedule_at(t, Event::Arrival(pi as u32));
            }
        }
        self.start_orders();
        self.start_supply();
        if !self.pm.is_empty() {
            self.start_maintenance();
        }
        if self.f.warmup > 0.0 {
            self.cal.schedule_at(self.f.warmup, Event::WarmupEnd);
        }
        self.cal.schedule_at(self.f.horizon, Event::End);
        for (p, def) in self.f.pools.iter().enumerate() {
            if def.absence > 0.0 || def.fatigue.is_some() {
                self.cal
                    .schedule_at(0.0, Event::DayStart { pool: p as u32 });
            }
        }
        for (p, ps) in self.pools.iter().enumerate() {
            if let Some(first) = ps.intervals.first() {
                self.cal.schedule_at(
                    first.start,
                    Event::Shift {
                        pool: p as u32,
                        index: 0,
                        on: true,
                        extended: false,
                    },
                );
            }
        }
        if self.f.period < self.f.horizon {
            self.cal.schedule_at(self.f.period, Event::Period);
        }
        for s in 0..self.stations.len() {
            if !self.stations[s].saturated.is_empty() {
                self.station_changed(s as u32);
            }
        }
        if self.wip_cap != u32::MAX {
            self.pump_gate();
        }
        while let Some((_, ev)) = self.cal.pop() {
            match ev {
                Event::Arrival(p) => self.on_arrival(p),
                Event::SegmentEnd { machine, stamp } => {
                    if self.machines[machine as usize].generation.is_current(stamp) {
                        self.on_segment_end(machine);
                    }
                }
                Event::Failure { machine, stamp } => {
                    if self.machines[machine as usize]
                        .failure_gen
                        .is_current(stamp)
                    {
                        self.on_failure(machine)
                    }
                }
                Event::Shift {
                    pool,
                    index,
                    on,
                    extended,
                } => self.on_shift(pool, index, on, extended),
                Event::RepairEnd { machine } => self.on_repair_end(machine),
                Event::MaintenanceDue { machine } => self.on_maintenance_due(machine),
                Event::MaintenanceEnd { machine } => self.on_maintenance_end(machine),
                Event::OperatorRelease { machine, stamp } => {
                    let mach = &self.machines[machine as usize];
                    // Only the operators this timer was set for: a breakdown
                    // or a pause since then sent them away already.
                    if mach.held > 0
                        && mach.crew_gen.is_current(stamp)
                        && mach.phase == Phase::Process
                        && !mach.paused
                    {
                        self.machines[machine as usize].walked_away = true;
                        self.release_operators(machine);
                    }
                }
                Event::DayStart { pool } => self.on_day_start(pool),
                Event::OrderArrival(p) => self.on_order_arrival(p),
                Event::BookOrder(i) => self.on_book_order(i),
                Event::Patience { order, stamp } => self.on_patience(order, stamp),
                Event::Delivery(c) => self.on_delivery(c),
                Event::SendOut(part) => self.send_part_out(part),
                Event::MoverArrival(u) => self.on_mover_arrival(u),
                Event::SupplyDelivery(i) => self.on_supply_delivery(i),
                Event::Review(m) => self.on_review(m),
                Event::Restock(s) => self.on_restock(s),
                Event::BatchWake(s) => self.on_batch_wake(s),
                Event::WarmupEnd => self.reset_statistics(),
                Event::Period => {
                    self.close_period();
                    let next = self.cal.now() + self.f.period;
                    if next < self.f.horizon {
                        self.cal.schedule_at(next, Event::Period);
                    }
                }
                Event::End => break,
            }
            self.apply_idle_pending();
        }
        self.apply_idle_pending();
    }

    /// The state change put off by [`Sim::release_machine`], if any.
    #[inline(always)]
    fn apply_idle_pending(&mut self) {
        if self.idle_pending != NONE {
            self.set_state(self.idle_pending);
        }
    }

    /// Totals since time 0 (warm-up included).
    fn series_totals(&self) -> SeriesTotals {
        let now = self.cal.now();
        let b = &self.before_warmup;
        SeriesTotals {
            good: b.good + self.good,
            released: b.released + self.released,
            scrapped: b.scrapped + self.scrapped,
            wip_integral: b.wip_integral + self.wip.integral(now),
            waiting_integral: b.waiting_integral + self.waiting.integral(now),
            backlog_integral: b.backlog_integral + self.backlog.integral(now),
        }
    }

    /// Appends the point of the period that ends now.
    fn close_period(&mut self) {
        let t = self.series_totals();
        let l = self.last_period;
        let start = self.series.len() as f64 * self.f.period;
        let len = self.cal.now() - start;
        if len <= 0.0 {
            return;
        }
        self.series.push(PeriodPoint {
            start_hours: start / HOUR,
            hours: len / HOUR,
            good: t.good - l.good,
            released: t.released - l.released,
            scrapped: t.scrapped - l.scrapped,
            wip_avg: (t.wip_integral - l.wip_integral) / len,
            waiting_avg: (t.waiting_integral - l.waiting_integral) / len,
            backlog_avg: (t.backlog_integral - l.backlog_integral) / len,
        });
        self.last_period = t;
    }

    fn reset_statistics(&mut self) {
        let now = self.cal.now();
        self.before_warmup = self.series_totals();
        self.wip.reset(now);
        self.waiting.reset(now);
        self.cycle.reset();
        self.released = 0;
        self.good = 0;
        self.good_per_product.iter_mut().for_each(|g| *g = 0);
        self.scrapped = 0;
        self.reworked = 0;
        if !self.pm.is_empty() {
            self.reset_maintenance_marks();
        }
        for m in &mut self.machines {
            m.timer.reset(now);
        }
        for p in &mut self.pools {
            p.busy.reset(now);
            p.paid_regular.reset(now);
            p.paid_overtime.reset(now);
            p.repairs_done = 0;
            p.overtime_authorised = 0;
            p.absences = 0;
        }
        self.reset_order_statistics(now);
        if self.track_sunk {
            self.reset_sunk_costs(now);
        }
        self.reset_supply_statistics(now);
        if !self.mover_pools.is_empty() {
            self.reset_mover_statistics(now);
        }
        for s in &mut self.stations {
            s.queue_len.reset(now);
            s.operations = 0;
            s.starts = 0;
            s.waited = 0;
            s.wait_sum = 0.0;
            s.scrapped = 0;
            s.reworked = 0;
            s.failures = 0;
            s.maintenance_jobs = 0;
        }
        for b in &mut self.batches {
            b.reset_statistics();
        }
        self.asm.reset_statistics();
    }

    /// When the statistics start: time 0, or the end of the warm-up once
    /// it has passed (every [`TimeAverage`] and station [`Level`] restarts
    /// then).
    fn stats_start(&self) -> f64 {
        self.wip.start()
    }

    /// Operation `i` of the table, borrowed for the whole run.
    #[inline]
    fn op(&self, i: u32) -> &'f Op<'f> {
        let ops: &'f [Op<'f>] = self.ops;
        &ops[i as usize]
    }

    /// The operation the part on machine `m` is at.
    #[inline]
    fn op_on(&self, m: u32) -> &'f Op<'f> {
        let mach = &self.machines[m as usize];
        debug_assert_eq!(mach.op, self.parts[mach.part as usize].op);
        self.op(mach.op)
    }

    #[inline]
    fn station_of(&self, part: u32) -> u32 {
        self.ops[self.parts[part as usize].op as usize].station
    }

    // ----- machine state ------------------------------------------------

    #[inline]
    fn set_state(&mut self, m: u32) {
        if self.idle_pending == m {
            self.idle_pending = NONE;
        }
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        let s = if mach.awaiting_technician {
            MachineState::WaitingTechnician
        } else if mach.down {
            if mach.maint {
                MachineState::Maintenance
            } else {
                MachineState::Down
            }
        } else if mach.paused {
            self.paused_state(m)
        } else {
            match mach.phase {
                Phase::Empty => MachineState::Starved,
                Phase::Setup => MachineState::Setup,
                Phase::Process => MachineState::Busy,
                Phase::Finished | Phase::AwaitStart => MachineState::Blocked,
                Phase::AwaitMaterial | Phase::AwaitKit => MachineState::StarvedMaterial,
            }
        };
        let timer = &mut self.machines[m as usize].timer;
        let (old, new) = (timer.state(), state_index(s));
        timer.enter(now, new);
        if ((ACTIVE >> old) ^ (ACTIVE >> new)) & 1 != 0 {
            self.activity_changed(m, ACTIVE >> new & 1 != 0);
        }
    }

    /// Machine `m` became active or inactive: its station's active period
    /// starts when all its machines are active and ends when one stops.
    #[inline]
    fn activity_changed(&mut self, m: u32, active: bool) {
        let now = self.cal.now();
        let s = self.machines[m as usize].station;
        self.active.unit_changed(s, now, active);
    }

    /// The state of paused machine `m`, waiting for operators: off shift
    /// when no qualified pool is at work, else simply short of people.
    #[inline(never)]
    fn paused_state(&self, m: u32) -> MachineState {
        if self
            .op_on(m)
            .pools
            .iter()
            .any(|p| self.pools[p.0 as usize].on)
        {
            MachineState::WaitingOperator
        } else {
            MachineState::OffShift
        }
    }

    // ----- results --------------------------------------------------------

    fn result(&self, replication: u64) -> ReplicationResult {
        let now = self.cal.now();
        let observed = (now - self.f.warmup).max(0.0);
        let mut stations = Vec::with_capacity(self.stations.len());
        let mut busy_hours = Vec::with_capacity(self.stations.len());
        let mut mi = 0;
        let bottleneck = self.active.clone().finish(now);
        let share = |t: f64| if observed > 0.0 { t / observed } else { 0.0 };
        for (si, st) in self.stations.iter().enumerate() {
            let def = &self.f.stations[si];
            let mut totals = [0.0; 10];
            let mut kinds = [mixed::KindTotals::default(); 2];
            for _ in 0..def.all_machines() {
                let t = self.machines[mi].timer.totals(now);
                if st.mixed {
                    kinds[usize::from(self.machines[mi].automated)].add(&t);
                }
                for (a, b) in totals.iter_mut().zip(t) {
                    *a += b;
                }
                mi += 1;
            }
            let all: f64 = totals.iter().sum();
            let (mut automated_utilisation, mut manual_utilisation, mut automated_cost) =
                (f64::NAN, f64::NAN, 0.0);
            match def.alongside {
                Some(a) if st.mixed => {
                    // Running cost by kind.
                    busy_hours.push(
                        kinds[0].working_hours * def.cost_per_hour
                            + kinds[1].working_hours * a.cost_per_hour,
                    );
                    automated_utilisation = kinds[1].utilisation();
                    manual_utilisation = kinds[0].utilisation();
                    automated_cost = kinds[1].working_hours * a.cost_per_hour
                        + def.capital_per_hour * observed / HOUR;
                }
                _ => busy_hours.push(
                    (totals[state_index(MachineState::Busy)]
                        + totals[state_index(MachineState::Setup)])
                        / HOUR
                        * def.cost_per_hour,
                ),
            }
            let shares = totals.map(|t| if all > 0.0 { t / all } else { 0.0 });
            stations.push(StationResult {
                station: def.name.clone(),
                machines: def.machines,
                utilisation: shares[state_index(MachineState::Busy)],
                state_shares: shares,
                queue_avg: st.queue_len.average(self.stats_start(), now),
                queue_max: st.queue_len.max(),
                starts: st.starts,
                wait_mean_min: ratio_f(st.wait_sum / MINUTE, st.starts),
                waited_share: ratio(st.waited, st.starts),
                operations: st.operations,
                scrapped: st.scrapped,
                reworked: st.reworked,
                failures: st.failures,
                maintenance_jobs: st.maintenance_jobs,
                bottleneck_sole: share(bottleneck.sole[si]),
                bottleneck_shifting: share(bottleneck.shifting[si]),
                batches: self.batch_count(st.batch).0,
                batch_parts: self.batch_count(st.batch).1,
                automated_machines: def.automated_machines(),
                automated_utilisation,
                manual_utilisation,
                automated_cost,
            });
        }
        let busiest = stations
            .iter()
            .fold(None::<&StationResult>, |best, s| match best {
                Some(b) if b.utilisation >= s.utilisation => Some(b),
                _ => Some(s),
            })
            .map(|s| s.station.clone())
            .unwrap_or_default();
        let wip_avg = self.wip.average(now);
        let waiting = self.waiting.average(now);
        let hours = observed / HOUR;
        let mut labour = (0.0, 0.0);
        let pools: Vec<PoolResult> = self
            .pools
            .iter()
            .zip(&self.f.pools)
            .enumerate()
            .filter(|(_, (_, def))| !def.hidden)
            .map(|(pi, (ps, def))| {
                let r = self.stations.len() + pi;
                let busy_hours = ps.busy.average(now) * hours;
                let regular_hours = ps.paid_regular.average(now) * hours;
                let overtime_hours = ps.paid_overtime.average(now) * hours;
                let paid_hours = regular_hours + overtime_hours;
                labour.0 += regular_hours * def.wage_per_hour;
                labour.1 += overtime_hours * def.overtime_premium * def.wage_per_hour;
                PoolResult {
                    pool: def.name.clone(),
                    workers: def.count,
                    utilisation: if paid_hours > 0.0 {
                        busy_hours / paid_hours
                    } else {
                        0.0
                    },
                    busy_hours,
                    paid_hours,
                    overtime_hours,
                    idle_paid_hours: paid_hours - busy_hours,
                    repairs: ps.repairs_done,
                    overtime_authorised: ps.overtime_authorised,
                    absences: ps.absences,
                    labour_cost: (regular_hours + overtime_hours * def.overtime_premium)
                        * def.wage_per_hour,
                    bottleneck_sole: share(bottleneck.sole[r]),
                    bottleneck_shifting: share(bottleneck.shifting[r]),
                }
            })
            .collect();
        let movers = self.mover_results(now, hours, &share, &bottleneck);
        // The primary bottleneck: the station, worker pool or mover pool
        // with the largest share, sole plus shifting (a station on a tie,
        // then a worker pool); kind 0, 1, 2.
        let mut primary: Option<(f64, &str, u8)> = None;
        let candidates = stations
            .iter()
            .map(|s| {
                (
                    s.bottleneck_sole + s.bottleneck_shifting,
                    s.station.as_str(),
                    0,
                )
            })
            .chain(pools.iter().map(|p| {
                (
                    p.bottleneck_sole + p.bottleneck_shifting,
                    p.pool.as_str(),
                    1,
                )
            }))
            .chain(movers.iter().map(|m| {
                (
                    m.bottleneck_sole + m.bottleneck_shifting,
                    m.mover.as_str(),
                    2,
                )
            }));
        for c in candidates {
            match primary {
                Some(b) if b.0 >= c.0 => {}
                _ if c.0 > 0.0 => primary = Some(c),
                _ => {}
            }
        }
        let (primary, primary_kind) = primary.map_or((String::new(), 0), |(_, name, kind)| {
            (name.to_string(), kind)
        });
        let products = self.product_results(now);
        let transport = movers.iter().fold(0.0, |a, m| a + m.cost);
        let costs = self.costs(now, hours, &busy_hours, labour, transport, &products);
        let (starts, waited, wait_sum) = self.stations.iter().fold((0, 0, 0.0), |a, s| {
            (a.0 + s.starts, a.1 + s.waited, a.2 + s.wait_sum)
        });
        ReplicationResult {
            overloaded: self.overloaded.clone(),
            replication,
            observed_hours: hours,
            warmup_hours: self.f.warmup / HOUR,
            released: self.released,
            good: self.good,
            good_per_product: self.good_per_product.clone(),
            throughput_per_hour: if hours > 0.0 {
                self.good as f64 / hours
            } else {
                0.0
            },
            scrapped: self.scrapped,
            reworked: self.reworked,
            cycle_time_mean_min: self.cycle.mean() / MINUTE,
            cycle_time_p50_min: self.cycle.quantile(0.5) / MINUTE,
            cycle_time_p90_min: self.cycle.quantile(0.9) / MINUTE,
            cycle_time_p95_min: self.cycle.quantile(0.95) / MINUTE,
            cycle_time_max_min: self.cycle.max() / MINUTE,
            wip_avg,
            wip_waiting_avg: waiting,
            wip_on_machines_avg: wip_avg - waiting,
            wait_mean_min: ratio_f(wait_sum / MINUTE, starts),
            waited_share: ratio(waited, starts),
            stations,
            labour_cost: pools.iter().fold(0.0, |a, p| a + p.labour_cost),
            labour_cost_per_good: if self.good > 0 {
                pools.iter().fold(0.0, |a, p| a + p.labour_cost) / self.good as f64
            } else {
                f64::NAN
            },
            pools,
            movers,
            delivery: self.delivery_result(now),
            contractors: self.contractor_results(),
            costs,
            products,
            materials: self.material_results(now, hours),
            suppliers: self.supplier_results(),
            wip_end: u64::from(self.in_process),
            parts_outsourced: self.parts_outsourced,
            busiest_station: busiest,
            bottleneck: primary,
            bottleneck_is_pool: primary_kind == 1,
            bottleneck_is_mover: primary_kind == 2,
            bottleneck_shifts: bottleneck.shifts,
            events: self.cal.events_processed(),
            series: self.series.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first-line draw of an exponential or constant process time is
    /// the distribution's own draw, bit for bit and draw for draw; other
    /// distributions go through the distribution.
    #[test]
    fn fast_process_draws_are_the_distributions_draws() {
        let text = r#"
[simulation]
horizon = "1h"
[stations.a]
[products.x]
release = "saturated"
routing = [
  { station = "a", process = { dist = "exponential", mean = "1.3m" } },
  { station = "a", process = "2m" },
  { station = "a", process = { dist = "lognormal", mean = "3m", cv = 0.5 } },
  { station = "a", process = { dist = "uniform", min = "1m", max = "2m" } },
]
"#;
        let sc = crate::scenario::parse(std::path::Path::new("t.toml"), text).unwrap();
        let (ops, _) = build_ops(&sc.factory);
        let kinds: Vec<FastProcess> = ops.iter().map(|o| o.fast).collect();
        assert!(
            kinds
                == [
                    FastProcess::Exponential,
                    FastProcess::Constant,
                    FastProcess::Other,
                    FastProcess::Other
                ]
        );
        for op in &ops {
            let (mut a, mut b) = (Stream::new(7, 0, "p"), Stream::new(7, 0, "p"));
            for _ in 0..1000 {
                assert_eq!(
                    op.sample_process(&mut a).to_bits(),
                    op.process.sample(&mut b).to_bits()
                );
            }
            // The arrivals' draw (`ArrivalProcess`): the same, or nothing.
            let (kind, param) = FastProcess::of(&op.process);
            let (mut a, mut b) = (Stream::new(7, 0, "a"), Stream::new(7, 0, "a"));
            for _ in 0..1000 {
                match kind.draw(param, &mut a) {
                    Some(t) => assert_eq!(t.to_bits(), op.process.sample(&mut b).to_bits()),
                    None => assert_eq!(kind, FastProcess::Other),
                }
            }
        }
    }
}
