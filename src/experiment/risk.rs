//! Risk across replications: what a variant's bad weeks look like, beside
//! its mean. For each variant and each decision KPI (profit, the share of
//! orders on time, throughput), the 5th, 50th and 95th percentiles of the
//! replications' values (Hyndman–Fan type 7, linear interpolation), the
//! lowest and highest, and the replication that was worst.

use serde::Serialize;

use super::RunResults;
use super::kpi::{Better, KPIS, Kpi};
use crate::stats::quantile_type7;

/// The KPIs whose spread is reported, in this order.
pub const RISK_KPIS: [&str; 3] = ["profit", "on_time_orders", "throughput_per_hour"];

/// One variant's spread of one KPI over its replications.
#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    /// Variant name.
    pub variant: String,
    /// KPI name.
    pub kpi: &'static str,
    /// Replications with a value.
    pub replications: usize,
    /// 5th percentile (type 7).
    pub p5: f64,
    /// Median (type 7).
    pub p50: f64,
    /// 95th percentile (type 7).
    pub p95: f64,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// Index of the worst replication (the lowest value of a KPI where
    /// more is better, the highest where less is; the first such on a
    /// tie).
    pub worst_replication: u64,
}

/// The spread of `values` (one per replication, by index; NaN skipped),
/// or None without values.
pub fn spread(variant: &str, kpi: &Kpi, values: &[f64]) -> Option<Risk> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let worse = |a: f64, b: f64| match kpi.better {
        Better::Higher => a < b,
        Better::Lower => a > b,
    };
    let mut worst: Option<(usize, f64)> = None;
    for (r, &x) in values.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        match worst {
            Some((_, w)) if !worse(x, w) => {}
            _ => worst = Some((r, x)),
        }
    }
    Some(Risk {
        variant: variant.to_string(),
        kpi: kpi.name,
        replications: sorted.len(),
        p5: quantile_type7(&sorted, 0.05),
        p50: quantile_type7(&sorted, 0.5),
        p95: quantile_type7(&sorted, 0.95),
        min: sorted[0],
        max: sorted[sorted.len() - 1],
        worst_replication: worst.map_or(0, |(r, _)| r as u64),
    })
}

/// Whether the run measures `kpi` in some variant: profit only with
/// revenue, on-time delivery only with customer orders.
fn measured(results: &RunResults, kpi: &Kpi) -> bool {
    results.variants.iter().any(|v| match kpi.name {
        "profit" => v.summary.costs.revenue.mean.is_finite() && v.summary.costs.revenue.mean != 0.0,
        _ => v.values(kpi).iter().any(|x| !x.is_nan()),
    })
}

/// Every variant's spread of every measured risk KPI: variants in file
/// order, KPIs in the order of [`RISK_KPIS`].
pub fn risks(results: &RunResults) -> Vec<Risk> {
    let kpis: Vec<&Kpi> = RISK_KPIS
        .iter()
        .filter_map(|name| KPIS.iter().find(|k| k.name == *name))
        .filter(|k| measured(results, k))
        .collect();
    results
        .variants
        .iter()
        .flat_map(|v| {
            kpis.iter()
                .filter_map(move |k| spread(&v.name, k, v.values(k)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::kpi::kpi;

    /// Replications 0..5 with profits 30, 10, 50, 20, 40: sorted 10 20 30
    /// 40 50; type 7 puts p5 at position 0.2 (12), p50 at 2 (30), p95 at
    /// 3.8 (48); the worst is replication 1 (10).
    #[test]
    fn spread_by_hand() {
        let r = spread("v", kpi("profit").unwrap(), &[30.0, 10.0, 50.0, 20.0, 40.0]).unwrap();
        assert!((r.p5 - 12.0).abs() < 1e-12, "{r:?}");
        assert_eq!(r.p50, 30.0);
        assert!((r.p95 - 48.0).abs() < 1e-12, "{r:?}");
        assert_eq!((r.min, r.max, r.worst_replication), (10.0, 50.0, 1));
        // Where less is better, the worst is the highest; NaN is skipped
        // but keeps the replications' indices.
        let r = spread("v", kpi("wip_avg").unwrap(), &[f64::NAN, 3.0, 9.0, 1.0]).unwrap();
        assert_eq!((r.replications, r.worst_replication), (3, 2));
        assert!(spread("v", kpi("profit").unwrap(), &[f64::NAN]).is_none());
    }

    /// p5 ≤ p50 ≤ p95, min ≤ p5, p95 ≤ max, and the worst replication's
    /// value is the min, on pseudo-random samples of every size up to 40.
    #[test]
    fn spread_is_ordered_and_worst_is_min() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for n in 1..40 {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 11) as f64 / (1u64 << 53) as f64 * 1e6 - 3e5
                })
                .collect();
            let r = spread("v", kpi("throughput_per_hour").unwrap(), &values).unwrap();
            assert!(r.min <= r.p5 && r.p5 <= r.p50 && r.p50 <= r.p95 && r.p95 <= r.max);
            assert_eq!(values[r.worst_replication as usize], r.min);
        }
    }
}
