//! Paired comparisons between variants and ranking on a KPI.
//!
//! Replication `r` of every variant uses the same random streams, so the
//! difference of a KPI between two variants is computed replication by
//! replication; its variance lacks the common noise and the confidence
//! interval is narrower than the unpaired (Welch) one, which is reported
//! beside it for reference.

use serde::Serialize;

use super::VariantOutcome;
use super::kpi::{Better, Kpi};
use crate::stats::{Estimate, t_quantile_975};

/// A variant's difference from another (usually the baseline) on one KPI.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// KPI name.
    pub kpi: &'static str,
    /// Paired difference (variant − reference), mean and 95% CI.
    pub diff: Estimate,
    /// Relative difference of means, (variant − reference) / |reference|.
    pub relative: f64,
    /// Half-width of the unpaired (Welch) 95% CI of the same difference.
    pub unpaired_half_width: f64,
}

/// Paired comparison of `kpi` between its values in `variant` and in
/// `reference`, matched by position (both in replication order).
pub fn compare(kpi: &Kpi, variant: &[f64], reference: &[f64]) -> Comparison {
    let n = variant.len().min(reference.len());
    let diffs = (0..n).map(|i| variant[i] - reference[i]);
    let diff = Estimate::from_values(diffs);
    let a = Estimate::from_values(variant.iter().copied());
    let b = Estimate::from_values(reference.iter().copied());
    Comparison {
        kpi: kpi.name,
        diff,
        relative: if b.mean != 0.0 {
            (a.mean - b.mean) / b.mean.abs()
        } else {
            f64::NAN
        },
        unpaired_half_width: welch_half_width(&a, &b),
    }
}

/// Half-width of the Welch 95% confidence interval of `a.mean - b.mean`.
fn welch_half_width(a: &Estimate, b: &Estimate) -> f64 {
    if a.n < 2 || b.n < 2 {
        return f64::NAN;
    }
    let (va, vb) = (a.sd * a.sd / a.n as f64, b.sd * b.sd / b.n as f64);
    let se2 = va + vb;
    if se2 == 0.0 {
        return 0.0;
    }
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    // Round the Welch–Satterthwaite degrees of freedom down: conservative.
    t_quantile_975((df.floor() as usize).max(1)) * se2.sqrt()
}

/// Variants ordered on one KPI, with those statistically indistinguishable
/// from the best flagged.
#[derive(Clone, Debug, Serialize)]
pub struct Ranking {
    /// KPI ranked on.
    pub kpi: &'static str,
    /// Direction of improvement.
    pub better: Better,
    /// Variant indices, best first (ties: file order).
    pub order: Vec<usize>,
    /// Per variant (by index): true when the paired 95% CI of its
    /// difference from the best contains zero (true for the best itself).
    pub indistinguishable_from_best: Vec<bool>,
}

/// Ranks `variants` on `kpi` by mean.
pub fn rank(kpi: &Kpi, variants: &[VariantOutcome]) -> Ranking {
    let means: Vec<f64> = variants.iter().map(|v| v.estimate(kpi).mean).collect();
    let mut order: Vec<usize> = (0..variants.len()).collect();
    // NaN means (no data) rank last; otherwise by direction, then index.
    order.sort_by(|&i, &j| {
        let (a, b) = (means[i], means[j]);
        match (a.is_nan(), b.is_nan()) {
            (true, true) => i.cmp(&j),
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => {
                let o = match kpi.better {
                    Better::Higher => b.total_cmp(&a),
                    Better::Lower => a.total_cmp(&b),
                };
                o.then(i.cmp(&j))
            }
        }
    });
    let best = order.first().copied().unwrap_or(0);
    let indistinguishable_from_best = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i == best {
                return true;
            }
            let c = compare(kpi, v.values(kpi), variants[best].values(kpi));
            c.diff.n >= 2 && c.diff.low <= 0.0 && 0.0 <= c.diff.high
                || (c.diff.n >= 1 && c.diff.sd == 0.0 && c.diff.mean == 0.0)
        })
        .collect();
    Ranking {
        kpi: kpi.name,
        better: kpi.better,
        order,
        indistinguishable_from_best,
    }
}
