//! CSV tables: one row per variant (`variants.csv`); per replication
//! (`replications.csv`), per replication and station (`stations.csv`), per
//! replication and worker pool (`pools.csv`) and per replication and
//! reporting period (`timeseries.csv`); and the event trace.
//!
//! The per-replication tables are written together, row by row, as the
//! results are read back from the job files one replication at a time in
//! (variant, replication) order: one pass over the results, and memory that
//! does not grow with them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::write_atomic;
use crate::experiment::RunResults;
use crate::experiment::kpi::KPIS;
use crate::model::{MachineState, MaterialResult, ReplicationResult, SupplierResult, TraceRecord};
use crate::scenario::Scenario;

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// A CSV file written atomically: rows go to a temporary file in the same
/// folder, renamed over the target by [`commit`](AtomicCsv::commit); dropped
/// before that, the temporary file is removed and the target left alone.
struct AtomicCsv {
    csv: csv::Writer<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl AtomicCsv {
    fn create(path: PathBuf, header: &[String]) -> io::Result<AtomicCsv> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        super::check_target(&path)?;
        let tmp = super::temp_file(tempfile::Builder::new().prefix(".tmp"), dir)?;
        let mut csv = csv::Writer::from_writer(tmp);
        csv.write_record(header).map_err(csv_err)?;
        Ok(AtomicCsv { csv, path })
    }

    fn row<I: AsRef<[u8]>>(&mut self, row: impl IntoIterator<Item = I>) -> io::Result<()> {
        self.csv.write_record(row).map_err(csv_err)
    }

    fn commit(self) -> io::Result<()> {
        let mut tmp = self.csv.into_inner().map_err(|e| e.into_error())?;
        tmp.flush()?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Writes the per-replication tables into `dir` in one pass over the
/// results: `replications.csv` (one row per variant and replication),
/// `stations.csv` (per station too), `timeseries.csv` (per reporting
/// period, over the whole horizon, warm-up included) and `pools.csv` (per
/// worker pool, only when the scenario has pools; a table left by an
/// earlier run with pools is removed).
pub fn write_replication_tables(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
) -> io::Result<()> {
    let mut header = strings(&[
        "variant",
        "replication",
        "observed_hours",
        "released",
        "good",
        "throughput_per_hour",
        "scrapped",
        "reworked",
        "cycle_time_mean_min",
        "cycle_time_p50_min",
        "cycle_time_p90_min",
        "cycle_time_p95_min",
        "cycle_time_max_min",
        "wip_avg",
        "wip_waiting_avg",
        "wip_on_machines_avg",
        "wait_mean_min",
        "waited_share",
        "labour_cost",
        "labour_cost_per_good",
        "busiest_station",
        "bottleneck",
        "bottleneck_kind",
        "bottleneck_shifts",
        "events",
    ]);
    for p in &scenario.factory.products {
        header.push(format!("good_{}", p.name));
    }
    header.extend(strings(&DELIVERY_COLUMNS));
    header.extend(strings(&[
        "total_cost",
        "revenue",
        "profit",
        "cost_per_good_unit",
    ]));
    let mut replications = AtomicCsv::create(dir.join("replications.csv"), &header)?;
    // Preventive maintenance gets its columns (the state's share and the
    // jobs done) only in plants that have it, so that the file of a plant
    // without it stays as it was.
    let pm = scenario
        .factory
        .stations
        .iter()
        .any(|s| s.maintenance.is_some())
        || results
            .variants
            .iter()
            .any(|v| v.summary.stations.iter().any(|s| s.maintenance.mean != 0.0));
    // Batch stations add their columns (a plant without any keeps the
    // table as it was).
    let any_batch = results
        .variants
        .iter()
        .any(|v| v.summary.stations.iter().any(|s| s.batches.is_some()));
    let mut station_header = strings(&[
        "variant",
        "replication",
        "station",
        "machines",
        "utilisation",
        "busy",
        "blocked",
        "starved",
        "down",
        "setup",
        "waiting_operator",
        "waiting_technician",
        "off_shift",
        "starved_material",
        "queue_avg",
        "queue_max",
        "starts",
        "wait_mean_min",
        "waited_share",
        "operations",
        "scrapped",
        "reworked",
        "failures",
        "bottleneck_sole",
        "bottleneck_shifting",
    ]);
    if pm {
        station_header.insert(14, "maintenance".into());
        station_header.push("maintenance_jobs".into());
    }
    if any_batch {
        station_header.extend(strings(&["batches", "batch_size_mean"]));
    }
    // Mixed stations (automated machines beside manual ones) add columns
    // by kind, only where some plant of the run has one.
    let mixed = std::iter::once(&scenario.factory)
        .chain(scenario.variants.iter().map(|v| &v.factory))
        .any(|f| f.stations.iter().any(|s| s.alongside.is_some()));
    if mixed {
        station_header.extend(strings(&[
            "automated_machines",
            "automated_utilisation",
            "manual_utilisation",
            "automated_cost",
        ]));
    }
    let mut stations = AtomicCsv::create(dir.join("stations.csv"), &station_header)?;
    // A replication reports the scenario's visible pools, which its
    // variant's summary lists.
    let any_pools = results
        .variants
        .iter()
        .any(|v| v.summary.replications > 0 && !v.summary.pools.is_empty());
    let mut pools = if any_pools {
        Some(AtomicCsv::create(
            dir.join("pools.csv"),
            &strings(&[
                "variant",
                "replication",
                "pool",
                "workers",
                "utilisation",
                "busy_hours",
                "paid_hours",
                "overtime_hours",
                "idle_paid_hours",
                "repairs",
                "overtime_authorised",
                "absences",
                "labour_cost",
                "bottleneck_sole",
                "bottleneck_shifting",
            ]),
        )?)
    } else {
        None
    };
    let any_movers = results
        .variants
        .iter()
        .any(|v| v.summary.replications > 0 && !v.summary.movers.is_empty());
    let mut movers = if any_movers {
        Some(AtomicCsv::create(
            dir.join("movers.csv"),
            &strings(&MOVER_COLUMNS),
        )?)
    } else {
        None
    };
    // The fixed costs of machines, maintenance and the cost of movers get a column
    // only where some variant has them, so that the file of a plant
    // without them stays as it was.
    let optional = OptionalCosts {
        fixed: results
            .variants
            .iter()
            .any(|v| v.summary.costs.machine_fixed.mean != 0.0),
        maintenance: results
            .variants
            .iter()
            .any(|v| v.summary.costs.maintenance.mean != 0.0),
        transport: results
            .variants
            .iter()
            .any(|v| v.summary.costs.transport.mean != 0.0),
    };
    let mut costs = AtomicCsv::create(dir.join("costs.csv"), &{
        let mut h = strings(&["variant", "replication"]);
        h.extend(
            COST_COLUMNS
                .iter()
                .filter(|c| optional.keeps(c))
                .map(|c| c.to_string()),
        );
        h
    })?;
    // Lost sales for want of stock get columns only where some plant has a
    // store that loses them, so that other files stay as they were.
    let plants =
        || std::iter::once(&scenario.factory).chain(scenario.variants.iter().map(|v| &v.factory));
    let product_loses = plants().any(|f| f.products.iter().any(|p| p.lose_on_shortage));
    let assembles = plants().any(|f| f.assembles());
    let material_loses = plants().any(|f| f.materials.iter().any(|m| m.lose_on_shortage));
    let mut products = AtomicCsv::create(
        dir.join("products.csv"),
        &strings(&[
            "variant",
            "replication",
            "product",
            "released",
            "good",
            "scrapped",
            "delivered",
            "orders_completed",
            "on_time_orders",
            "fill_rate",
            "stock_avg",
            "revenue",
            "first_pass",
            "first_pass_yield",
            "final_yield",
            "defects_detected",
            "defects_escaped",
            "poor_quality",
            "rework_cost",
            "rework_hours",
            "lead_time_mean_h",
            "late_penalty",
        ])
        .into_iter()
        .chain(product_loses.then(|| "units_lost".to_string()))
        .chain(assembles.then(|| "assembled".to_string()))
        .collect::<Vec<_>>(),
    )?;
    // Any variant may add contractors.
    let any_contractors = results
        .variants
        .iter()
        .any(|v| !v.summary.contractors.is_empty());
    let mut contractors = if !any_contractors {
        None
    } else {
        Some(AtomicCsv::create(
            dir.join("contractors.csv"),
            &strings(&[
                "variant",
                "replication",
                "contractor",
                "consignments",
                "units",
                "defective",
                "on_time",
                "spend",
            ]),
        )?)
    };
    // Any variant may add materials and suppliers.
    let any_materials = results
        .variants
        .iter()
        .any(|v| !v.summary.materials.is_empty());
    let (mut materials, mut suppliers) = if !any_materials {
        (None, None)
    } else {
        (
            Some(AtomicCsv::create(
                dir.join("materials.csv"),
                &strings(&MATERIAL_COLUMNS)
                    .into_iter()
                    .chain(
                        material_loses
                            .then(|| ["lost".to_string(), "lost_cost".to_string()])
                            .into_iter()
                            .flatten(),
                    )
                    .collect::<Vec<_>>(),
            )?),
            Some(AtomicCsv::create(
                dir.join("suppliers.csv"),
                &strings(&SUPPLIER_COLUMNS),
            )?),
        )
    };
    let mut timeseries = AtomicCsv::create(
        dir.join("timeseries.csv"),
        &strings(&[
            "variant",
            "replication",
            "period",
            "start_hours",
            "hours",
            "in_warmup",
            "good",
            "released",
            "scrapped",
            "good_per_hour",
            "wip_avg",
            "waiting_avg",
            "backlog_avg",
        ]),
    )?;
    results.records.all(|v, r| {
        let name = &results.variants[v].name;
        replications.row(replication_row(name, r))?;
        costs.row(cost_row(name, r, optional))?;
        for p in &r.products {
            let lost = product_loses.then(|| p.units_lost.to_string());
            let assembled = assembles.then(|| p.assembled.to_string());
            products.row(
                [
                    name.to_string(),
                    r.replication.to_string(),
                    p.product.clone(),
                    p.released.to_string(),
                    p.good.to_string(),
                    p.scrapped.to_string(),
                    p.delivered.to_string(),
                    p.orders_completed.to_string(),
                    p.on_time_orders.to_string(),
                    p.fill_rate.to_string(),
                    p.stock_avg.to_string(),
                    p.revenue.to_string(),
                    p.first_pass.to_string(),
                    p.first_pass_yield.to_string(),
                    p.final_yield.to_string(),
                    p.defects_detected.to_string(),
                    p.defects_escaped.to_string(),
                    p.poor_quality.to_string(),
                    p.rework_cost.to_string(),
                    p.rework_hours.to_string(),
                    p.lead_time_mean_h.to_string(),
                    p.late_penalty.to_string(),
                ]
                .into_iter()
                .chain(lost)
                .chain(assembled),
            )?;
        }
        if let Some(c) = &mut contractors {
            for k in &r.contractors {
                c.row([
                    name.to_string(),
                    r.replication.to_string(),
                    k.contractor.clone(),
                    k.consignments.to_string(),
                    k.units.to_string(),
                    k.defective.to_string(),
                    k.on_time.to_string(),
                    k.spend.to_string(),
                ])?;
            }
        }
        if let Some(c) = &mut materials {
            for m in &r.materials {
                let mut row = material_row(name, r.replication, m);
                if material_loses {
                    row.extend([m.lost.to_string(), m.lost_cost.to_string()]);
                }
                c.row(row)?;
            }
        }
        if let Some(c) = &mut suppliers {
            for s in &r.suppliers {
                c.row(supplier_row(name, r.replication, s))?;
            }
        }
        station_rows(&mut stations, name, r, pm, any_batch, mixed)?;
        if let Some(pools) = &mut pools {
            pool_rows(pools, name, r)?;
        }
        if let Some(movers) = &mut movers {
            mover_rows(movers, name, r)?;
        }
        period_rows(&mut timeseries, name, r)
    })?;
    replications.commit()?;
    costs.commit()?;
    products.commit()?;
    match contractors {
        Some(c) => c.commit()?,
        None => {
            let _ = std::fs::remove_file(dir.join("contractors.csv"));
        }
    }
    for (table, file) in [(materials, "materials.csv"), (suppliers, "suppliers.csv")] {
        match table {
            Some(c) => c.commit()?,
            None => {
                let _ = std::fs::remove_file(dir.join(file));
            }
        }
    }
    stations.commit()?;
    match pools {
        Some(pools) => pools.commit()?,
        None => {
            // Remove a table left by an earlier run that had pools.
            let _ = std::fs::remove_file(dir.join("pools.csv"));
        }
    }
    match movers {
        Some(movers) => movers.commit()?,
        None => {
            let _ = std::fs::remove_file(dir.join("movers.csv"));
        }
    }
    timeseries.commit()
}

/// One row of `replications.csv`.
fn replication_row(variant: &str, r: &ReplicationResult) -> Vec<String> {
    let mut row = vec![
        variant.to_string(),
        r.replication.to_string(),
        r.observed_hours.to_string(),
        r.released.to_string(),
        r.good.to_string(),
        r.throughput_per_hour.to_string(),
        r.scrapped.to_string(),
        r.reworked.to_string(),
        r.cycle_time_mean_min.to_string(),
        r.cycle_time_p50_min.to_string(),
        r.cycle_time_p90_min.to_string(),
        r.cycle_time_p95_min.to_string(),
        r.cycle_time_max_min.to_string(),
        r.wip_avg.to_string(),
        r.wip_waiting_avg.to_string(),
        r.wip_on_machines_avg.to_string(),
        r.wait_mean_min.to_string(),
        r.waited_share.to_string(),
        r.labour_cost.to_string(),
        r.labour_cost_per_good.to_string(),
        r.busiest_station.clone(),
        r.bottleneck.clone(),
        if r.bottleneck.is_empty() {
            String::new()
        } else if r.bottleneck_is_pool {
            "pool".to_string()
        } else if r.bottleneck_is_mover {
            "mover".to_string()
        } else {
            "station".to_string()
        },
        r.bottleneck_shifts.to_string(),
        r.events.to_string(),
    ];
    row.extend(r.good_per_product.iter().map(|g| g.to_string()));
    let d = &r.delivery;
    row.extend([
        d.orders_arrived.to_string(),
        d.orders_completed.to_string(),
        d.on_time_orders.to_string(),
        d.on_time_units.to_string(),
        d.lateness_mean_h.to_string(),
        d.tardiness_mean_h.to_string(),
        d.tardiness_p90_h.to_string(),
        d.tardiness_max_h.to_string(),
        d.lead_time_mean_h.to_string(),
        d.backlog_avg.to_string(),
        d.backlog_end.to_string(),
        d.fill_rate.to_string(),
        d.orders_lost.to_string(),
        d.units_lost.to_string(),
        d.orders_outsourced.to_string(),
        d.units_outsourced.to_string(),
    ]);
    let c = &r.costs;
    row.extend([c.total, c.revenue, c.profit, c.per_good_unit].map(|x| x.to_string()));
    row
}

/// The delivery columns of `replications.csv`.
const DELIVERY_COLUMNS: [&str; 16] = [
    "orders_arrived",
    "orders_completed",
    "on_time_orders",
    "on_time_units",
    "lateness_mean_h",
    "tardiness_mean_h",
    "tardiness_p90_h",
    "tardiness_max_h",
    "lead_time_mean_h",
    "backlog_avg",
    "backlog_end",
    "fill_rate",
    "orders_lost",
    "units_lost",
    "orders_outsourced",
    "units_outsourced",
];

/// The cost lines of `costs.csv`, in the order of [`cost_row`].
/// `machine_fixed` is written only when some variant has fixed costs, and
/// `maintenance` only when some variant pays for maintenance, and
/// `transport` only when some variant has movers with a cost.
pub const COST_COLUMNS: [&str; 25] = [
    "labour_regular",
    "labour_overtime",
    "materials",
    "outsourcing",
    "machine_running",
    "machine_fixed",
    "maintenance",
    "transport",
    "automation_capital",
    "wip_holding",
    "stock_holding",
    "late_penalty",
    "lost_sales",
    "raw_materials",
    "raw_holding",
    "total",
    "scrap_materials",
    "poor_quality",
    "poor_quality_materials",
    "poor_quality_labour",
    "poor_quality_machines",
    "poor_quality_rework",
    "revenue",
    "profit",
    "per_good_unit",
];

/// The columns of `materials.csv`, in the order of [`material_row`].
const MATERIAL_COLUMNS: [&str; 22] = [
    "variant",
    "replication",
    "material",
    "demanded",
    "filled",
    "fill_rate",
    "stockouts",
    "stockout_hours",
    "stock_avg",
    "stock_min",
    "orders",
    "ordered",
    "received",
    "rejected",
    "consumed",
    "stock_start",
    "on_order_start",
    "stock_end",
    "on_order_end",
    "holding_cost",
    "consumed_value",
    "cost_per_unit_consumed",
];

/// One row of `materials.csv`.
fn material_row(variant: &str, replication: u64, m: &MaterialResult) -> Vec<String> {
    let mut row = vec![
        variant.to_string(),
        replication.to_string(),
        m.material.clone(),
    ];
    row.extend([m.demanded, m.filled].map(|x| x.to_string()));
    row.push(m.fill_rate.to_string());
    row.push(m.stockouts.to_string());
    row.push(m.stockout_hours.to_string());
    row.push(m.stock_avg.to_string());
    row.extend(
        [
            m.stock_min,
            m.orders,
            m.ordered,
            m.received,
            m.rejected,
            m.consumed,
            m.stock_start,
            m.on_order_start,
            m.stock_end,
            m.on_order_end,
        ]
        .map(|x| x.to_string()),
    );
    row.push(m.holding_cost.to_string());
    row.push(m.consumed_value.to_string());
    let per = if m.consumed > 0 {
        m.consumed_value / m.consumed as f64
    } else {
        f64::NAN
    };
    row.push(per.to_string());
    row
}

/// The columns of `suppliers.csv`, in the order of [`supplier_row`].
const SUPPLIER_COLUMNS: [&str; 14] = [
    "variant",
    "replication",
    "supplier",
    "material",
    "orders",
    "ordered",
    "deliveries",
    "on_time",
    "defective",
    "rejected",
    "parts_scrapped",
    "downstream_cost",
    "spend",
    "spend_and_downstream",
];

/// One row of `suppliers.csv`.
fn supplier_row(variant: &str, replication: u64, s: &SupplierResult) -> Vec<String> {
    vec![
        variant.to_string(),
        replication.to_string(),
        s.supplier.clone(),
        s.material.clone(),
        s.orders.to_string(),
        s.ordered.to_string(),
        s.deliveries.to_string(),
        s.on_time.to_string(),
        s.defective.to_string(),
        s.rejected.to_string(),
        s.parts_scrapped.to_string(),
        s.downstream_cost.to_string(),
        s.spend.to_string(),
        (s.spend + s.downstream_cost).to_string(),
    ]
}

/// The cost columns written only when some variant has them.
#[derive(Clone, Copy)]
struct OptionalCosts {
    fixed: bool,
    maintenance: bool,
    transport: bool,
}

impl OptionalCosts {
    /// Whether column `c` of [`COST_COLUMNS`] is written.
    fn keeps(&self, c: &str) -> bool {
        match c {
            "machine_fixed" => self.fixed,
            "maintenance" => self.maintenance,
            "transport" => self.transport,
            _ => true,
        }
    }
}

/// One row of `costs.csv`, with the optional columns `optional` keeps.
fn cost_row(variant: &str, r: &ReplicationResult, optional: OptionalCosts) -> Vec<String> {
    let c = &r.costs;
    let mut row = vec![variant.to_string(), r.replication.to_string()];
    let values = [
        c.labour_regular,
        c.labour_overtime,
        c.materials,
        c.outsourcing,
        c.machine_running,
        c.machine_fixed,
        c.maintenance,
        c.transport,
        c.automation_capital,
        c.wip_holding,
        c.stock_holding,
        c.late_penalty,
        c.lost_sales,
        c.raw_materials,
        c.raw_holding,
        c.total,
        c.scrap_materials,
        c.poor_quality,
        c.poor_quality_materials,
        c.poor_quality_labour,
        c.poor_quality_machines,
        c.poor_quality_rework,
        c.revenue,
        c.profit,
        c.per_good_unit,
    ];
    row.extend(
        COST_COLUMNS
            .iter()
            .zip(values)
            .filter(|(name, _)| optional.keeps(name))
            .map(|(_, x)| x.to_string()),
    );
    row
}

/// The columns of `movers.csv`, in the order of [`mover_rows`].
const MOVER_COLUMNS: [&str; 16] = [
    "variant",
    "replication",
    "mover",
    "movers",
    "loaded",
    "empty",
    "idle",
    "moves",
    "pickups",
    "wait_mean_min",
    "waited_share",
    "queue_avg",
    "in_transport_avg",
    "cost",
    "bottleneck_sole",
    "bottleneck_shifting",
];

/// The rows of `movers.csv` for one replication.
fn mover_rows(c: &mut AtomicCsv, variant: &str, r: &ReplicationResult) -> io::Result<()> {
    for m in &r.movers {
        c.row([
            variant.to_string(),
            r.replication.to_string(),
            m.mover.clone(),
            m.movers.to_string(),
            m.loaded.to_string(),
            m.empty.to_string(),
            m.idle.to_string(),
            m.moves.to_string(),
            m.pickups.to_string(),
            m.wait_mean_min.to_string(),
            m.waited_share.to_string(),
            m.queue_avg.to_string(),
            m.in_transport_avg.to_string(),
            m.cost.to_string(),
            m.bottleneck_sole.to_string(),
            m.bottleneck_shifting.to_string(),
        ])?;
    }
    Ok(())
}

/// The rows of `stations.csv` for one replication, with the maintenance
/// columns if `pm`, the batch columns if `batch_columns` and the columns by
/// kind of machine if `mixed`.
fn station_rows(
    c: &mut AtomicCsv,
    variant: &str,
    r: &ReplicationResult,
    pm: bool,
    batch_columns: bool,
    mixed: bool,
) -> io::Result<()> {
    for s in &r.stations {
        let mut row = vec![
            variant.to_string(),
            r.replication.to_string(),
            s.station.clone(),
            s.machines.to_string(),
            s.utilisation.to_string(),
        ];
        let states = if pm {
            &s.state_shares[..]
        } else {
            &s.state_shares[..MachineState::Maintenance as usize]
        };
        row.extend(states.iter().map(|x| x.to_string()));
        row.extend([
            s.queue_avg.to_string(),
            s.queue_max.to_string(),
            s.starts.to_string(),
            s.wait_mean_min.to_string(),
            s.waited_share.to_string(),
            s.operations.to_string(),
            s.scrapped.to_string(),
            s.reworked.to_string(),
            s.failures.to_string(),
            s.bottleneck_sole.to_string(),
            s.bottleneck_shifting.to_string(),
        ]);
        if pm {
            row.push(s.maintenance_jobs.to_string());
        }
        if batch_columns {
            row.extend([
                s.batches.to_string(),
                crate::experiment::batch_size_mean(s).to_string(),
            ]);
        }
        if mixed {
            row.extend([
                s.automated_machines.to_string(),
                s.automated_utilisation.to_string(),
                s.manual_utilisation.to_string(),
                s.automated_cost.to_string(),
            ]);
        }
        c.row(&row)?;
    }
    Ok(())
}

/// The rows of `pools.csv` for one replication.
fn pool_rows(c: &mut AtomicCsv, variant: &str, r: &ReplicationResult) -> io::Result<()> {
    for p in &r.pools {
        c.row([
            variant.to_string(),
            r.replication.to_string(),
            p.pool.clone(),
            p.workers.to_string(),
            p.utilisation.to_string(),
            p.busy_hours.to_string(),
            p.paid_hours.to_string(),
            p.overtime_hours.to_string(),
            p.idle_paid_hours.to_string(),
            p.repairs.to_string(),
            p.overtime_authorised.to_string(),
            p.absences.to_string(),
            p.labour_cost.to_string(),
            p.bottleneck_sole.to_string(),
            p.bottleneck_shifting.to_string(),
        ])?;
    }
    Ok(())
}

/// The rows of `timeseries.csv` for one replication.
fn period_rows(c: &mut AtomicCsv, variant: &str, r: &ReplicationResult) -> io::Result<()> {
    for (i, p) in r.series.iter().enumerate() {
        c.row([
            variant.to_string(),
            r.replication.to_string(),
            i.to_string(),
            p.start_hours.to_string(),
            p.hours.to_string(),
            (p.start_hours < r.warmup_hours).to_string(),
            p.good.to_string(),
            p.released.to_string(),
            p.scrapped.to_string(),
            (p.good as f64 / p.hours).to_string(),
            p.wip_avg.to_string(),
            p.waiting_avg.to_string(),
            p.backlog_avg.to_string(),
        ])?;
    }
    Ok(())
}

/// Writes `variants.csv` into `dir`: one row per variant with every KPI's
/// mean and CI half-width, and its paired difference from the baseline.
pub fn write_variants_csv(dir: &Path, results: &RunResults) -> std::io::Result<()> {
    write_atomic(&dir.join("variants.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        let mut header: Vec<String> = [
            "variant",
            "overrides",
            "replications",
            "rank",
            "indistinguishable_from_best",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for k in KPIS {
            for suffix in ["mean", "half_width", "diff", "diff_half_width"] {
                header.push(format!("{}_{suffix}", k.name));
            }
        }
        c.write_record(&header).map_err(csv_err)?;
        for (i, v) in results.variants.iter().enumerate() {
            let rank = results
                .ranking
                .order
                .iter()
                .position(|&j| j == i)
                .unwrap_or(0)
                + 1;
            let overrides: Vec<String> = v
                .overrides
                .iter()
                .map(|(k, x)| format!("{k}={x}"))
                .collect();
            let mut row = vec![
                v.name.clone(),
                overrides.join("; "),
                v.summary.replications.to_string(),
                rank.to_string(),
                results.ranking.indistinguishable_from_best[i].to_string(),
            ];
            for (k, cmp) in KPIS.iter().zip(&v.vs_baseline) {
                let e = v.estimate(k);
                row.extend([
                    e.mean.to_string(),
                    e.half_width.to_string(),
                    cmp.diff.mean.to_string(),
                    cmp.diff.half_width.to_string(),
                ]);
            }
            c.write_record(&row).map_err(csv_err)?;
        }
        c.flush()
    })
}

/// Writes an event trace to `path`.
pub fn write_trace_csv(path: &Path, trace: &[TraceRecord]) -> std::io::Result<()> {
    write_atomic(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        for t in trace {
            c.serialize(t).map_err(csv_err)?;
        }
        c.flush()
    })
}
