//! The factory floor: products and their routings, stations with parallel
//! machines, buffers, blocking, setups, breakdowns, scrap and rework.
//!
//! [`Factory`] is the validated description (built by `scenario`), and
//! [`simulate`] runs one replication of it on the engine, returning a
//! [`ReplicationResult`]. Entities live in arenas (`Vec`s) and refer to each
//! other by dense typed indices; events are small `Copy` values.

mod factory;
mod results;
mod sim;
mod transport;

pub use factory::{
    Alongside, BatchRule, Blocking, BookOrder, Contractor, ContractorId, Dispatch, Factory,
    FailureClock, Failures, Fatigue, InventoryPolicy, Investment, MAX_SUPPLIERS, Maintenance,
    MaintenanceTrigger, Material, MaterialId, Operation, OperatorNeed, OrderOutsourcing,
    OrderProcess, OutsourceRule, OvertimePolicy, OvertimeTrigger, Policies, PoolId, PoolRule,
    Product, ProductId, RateProfile, Release, Restock, ShiftCalendar, ShiftEnd, Station, StationId,
    Subcontract, Supplier, SupplierId, SupplierRule, WorkInterval, WorkerPool,
};
pub use results::{
    ContractorResult, CostResult, DeliveryResult, MachineState, MaterialResult, MoverResult,
    PeriodPoint, PoolResult, ProductResult, ReplicationResult, StationResult, SupplierResult,
    TraceRecord,
};
pub use sim::{simulate, simulate_traced};
pub use transport::{Legs, MoverId, MoverPool};
