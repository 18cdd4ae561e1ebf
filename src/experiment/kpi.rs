//! The key performance indicators compared across variants.

use crate::model::ReplicationResult;

/// Whether more of a KPI is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Larger values are better (throughput).
    Higher,
    /// Smaller values are better (cycle time, WIP, scrap).
    Lower,
}

/// A named KPI read off one replication.
#[derive(Clone, Copy)]
pub struct Kpi {
    /// Name used in files and on the command line.
    pub name: &'static str,
    /// Label with unit, for tables.
    pub label: &'static str,
    /// Direction of improvement.
    pub better: Better,
    /// Reads the KPI.
    pub get: fn(&ReplicationResult) -> f64,
}

impl std::fmt::Debug for Kpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kpi({})", self.name)
    }
}

/// Every KPI, in the order of outputs.
pub const KPIS: &[Kpi] = &[
    Kpi {
        name: "throughput_per_hour",
        label: "throughput (good parts/h)",
        better: Better::Higher,
        get: |r| r.throughput_per_hour,
    },
    Kpi {
        name: "good",
        label: "good parts",
        better: Better::Higher,
        get: |r| r.good as f64,
    },
    Kpi {
        name: "cycle_time_mean_min",
        label: "cycle time mean (min)",
        better: Better::Lower,
        get: |r| r.cycle_time_mean_min,
    },
    Kpi {
        name: "cycle_time_p90_min",
        label: "cycle time p90 (min)",
        better: Better::Lower,
        get: |r| r.cycle_time_p90_min,
    },
    Kpi {
        name: "wip_avg",
        label: "WIP (parts)",
        better: Better::Lower,
        get: |r| r.wip_avg,
    },
    Kpi {
        name: "scrapped",
        label: "scrapped parts",
        better: Better::Lower,
        get: |r| r.scrapped as f64,
    },
    Kpi {
        name: "labour_cost",
        label: "labour cost",
        better: Better::Lower,
        get: |r| r.labour_cost,
    },
    Kpi {
        name: "labour_cost_per_good",
        label: "labour cost per good part",
        better: Better::Lower,
        get: |r| r.labour_cost_per_good,
    },
    Kpi {
        name: "reworked",
        label: "rework loops",
        better: Better::Lower,
        get: |r| r.reworked as f64,
    },
    Kpi {
        name: "on_time_orders",
        label: "on-time delivery (orders)",
        better: Better::Higher,
        get: |r| r.delivery.on_time_orders,
    },
    Kpi {
        name: "on_time_units",
        label: "on-time delivery (units)",
        better: Better::Higher,
        get: |r| r.delivery.on_time_units,
    },
    Kpi {
        name: "tardiness_mean_h",
        label: "mean tardiness (h)",
        better: Better::Lower,
        get: |r| r.delivery.tardiness_mean_h,
    },
    Kpi {
        name: "lead_time_mean_h",
        label: "order lead time (h)",
        better: Better::Lower,
        get: |r| r.delivery.lead_time_mean_h,
    },
    Kpi {
        name: "backlog_avg",
        label: "backlog (units)",
        better: Better::Lower,
        get: |r| r.delivery.backlog_avg,
    },
    Kpi {
        name: "fill_rate",
        label: "fill rate from stock",
        better: Better::Higher,
        get: |r| r.delivery.fill_rate,
    },
    Kpi {
        name: "units_lost",
        label: "units lost (impatient orders)",
        better: Better::Lower,
        get: |r| r.delivery.units_lost as f64,
    },
    Kpi {
        name: "total_cost",
        label: "total cost",
        better: Better::Lower,
        get: |r| r.costs.total,
    },
    Kpi {
        name: "revenue",
        label: "revenue",
        better: Better::Higher,
        get: |r| r.costs.revenue,
    },
    Kpi {
        name: "profit",
        label: "profit",
        better: Better::Higher,
        get: |r| r.costs.profit,
    },
    Kpi {
        name: "cost_per_good_unit",
        label: "cost per good unit",
        better: Better::Lower,
        get: |r| r.costs.per_good_unit,
    },
    Kpi {
        name: "wait_mean_min",
        label: "wait in queue (min)",
        better: Better::Lower,
        get: |r| r.wait_mean_min,
    },
    Kpi {
        name: "waited_share",
        label: "share of operations that waited",
        better: Better::Lower,
        get: |r| r.waited_share,
    },
    Kpi {
        name: "delivered_per_hour",
        label: "delivered (units/h)",
        better: Better::Higher,
        get: delivered_per_hour,
    },
];

/// Units delivered to customers per hour: plant-made and outsourced (for a
/// product without orders, its good parts), over the observed hours.
fn delivered_per_hour(r: &ReplicationResult) -> f64 {
    if r.observed_hours > 0.0 {
        r.products.iter().map(|p| p.delivered).sum::<u64>() as f64 / r.observed_hours
    } else {
        0.0
    }
}

impl Kpi {
    /// Why this KPI has no value in `factory` (None: it has one): the
    /// delivery KPIs need customer orders, the fill rate make-to-stock.
    pub fn undefined_in(&self, factory: &crate::model::Factory) -> Option<&'static str> {
        let orders = factory.products.iter().any(|p| p.release_is_orders());
        let stock = factory.products.iter().any(|p| p.stock_target.is_some());
        match self.name {
            "fill_rate" if !stock => Some("no product is made to stock"),
            "on_time_orders" | "on_time_units" | "tardiness_mean_h" | "lead_time_mean_h"
            | "backlog_avg" | "units_lost"
                if !orders =>
            {
                Some("no product is made for customer orders")
            }
            _ => None,
        }
    }
}

/// The KPIs also measured per product (as in `products.csv`), which an
/// optimisation constraint may set on one product.
pub const PRODUCT_KPIS: &[&str] = &[
    "throughput_per_hour",
    "good",
    "on_time_orders",
    "fill_rate",
    "revenue",
];

impl Kpi {
    /// This KPI of product `product` (its index) in replication `r`: good
    /// parts per hour and good parts finished in the plant, the share of
    /// its completed orders delivered on time, its fill rate from stock,
    /// its revenue. None for a KPI not in [`PRODUCT_KPIS`].
    pub fn of_product(&self, r: &ReplicationResult, product: usize) -> Option<f64> {
        let p = r.products.get(product)?;
        Some(match self.name {
            "throughput_per_hour" if r.observed_hours > 0.0 => p.good as f64 / r.observed_hours,
            "throughput_per_hour" => 0.0,
            "good" => p.good as f64,
            "on_time_orders" => p.on_time_orders,
            "fill_rate" => p.fill_rate,
            "revenue" => p.revenue,
            _ => return None,
        })
    }

    /// Why this KPI has no value for `product` (None: it has one): on-time
    /// delivery needs customer orders, the fill rate make-to-stock.
    pub fn undefined_for_product(&self, product: &crate::model::Product) -> Option<&'static str> {
        match self.name {
            "on_time_orders" if !product.release_is_orders() => {
                Some("is not made for customer orders")
            }
            "fill_rate" if product.stock_target.is_none() => Some("is not made to stock"),
            _ => None,
        }
    }
}

/// The KPI called `name`, if any.
pub fn kpi(name: &str) -> Option<&'static Kpi> {
    KPIS.iter().find(|k| k.name == name)
}

/// Names of all KPIs, for error messages.
pub fn kpi_names() -> Vec<&'static str> {
    KPIS.iter().map(|k| k.name).collect()
}
