//! Statistics over replications: mean, standard deviation and Student-t
//! 95% confidence intervals.
//!
//! Values are summed in replication order, never by a parallel reduction,
//! so the result does not depend on which thread finished first.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A mean over independent replications with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Number of replications with a value.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (NaN below two replications).
    pub sd: f64,
    /// Half-width of the 95% confidence interval (NaN below two).
    pub half_width: f64,
    /// Lower bound of the 95% CI.
    pub low: f64,
    /// Upper bound of the 95% CI.
    pub high: f64,
}

impl Estimate {
    /// This estimate with every figure multiplied by `k` (a unit change).
    pub fn scaled(&self, k: f64) -> Estimate {
        Estimate {
            n: self.n,
            mean: self.mean * k,
            sd: self.sd * k,
            half_width: self.half_width * k,
            low: self.low * k,
            high: self.high * k,
        }
    }
}

/// The two-sided 95% Student-t quantile for `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

impl Estimate {
    /// Summarises `values` (NaNs — e.g. a cycle time in a replication that
    /// finished no part — are left out).
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Estimate {
        let xs: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        let n = xs.len();
        if n == 0 {
            return Estimate {
                n,
                mean: f64::NAN,
                sd: f64::NAN,
                half_width: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate {
                n,
                mean,
                sd: f64::NAN,
                half_width: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Values from any printed t-table.
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile_975(30) - 2.042).abs() < 1e-3);
    }

    #[test]
    fn estimate_by_hand() {
        // mean 3, sd sqrt(2.5), n 5, t(4) = 2.776.
        let e = Estimate::from_values([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert!((e.half_width - 2.776 * 2.5f64.sqrt() / 5f64.sqrt()).abs() < 1e-3);
        let one = Estimate::from_values([7.0]);
        assert_eq!(one.mean, 7.0);
        assert!(one.half_width.is_nan());
    }
}

/// MSER-5 truncation point of a series (White 1997; Franklin & White 2008):
/// the series is cut into batches of 5, and the number of leading batches
/// `d` to discard minimises the marginal standard error
/// `Σ_{i>d} (Y_i − Ȳ_d)² / (n − d)²` over `d ≤ n/2`. Returns the number of
/// leading *observations* to discard (a multiple of 5), or `None` when the
/// series has fewer than two batches.
pub fn mser5(series: &[f64]) -> Option<usize> {
    let batches: Vec<f64> = series
        .chunks_exact(5)
        .map(|c| c.iter().sum::<f64>() / 5.0)
        .collect();
    let n = batches.len();
    if n < 2 {
        return None;
    }
    let mut best = (f64::INFINITY, 0);
    for d in 0..=n / 2 {
        let rest = &batches[d..];
        let m = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / m;
        let ss: f64 = rest.iter().map(|y| (y - mean).powi(2)).sum();
        let stat = ss / (m * m);
        if stat < best.0 {
            best = (stat, d);
        }
    }
    Some(best.1 * 5)
}

#[cfg(test)]
mod mser_tests {
    use super::mser5;

    #[test]
    fn cuts_an_initial_transient_and_nothing_from_a_flat_series() {
        // 20 observations climbing from 0, then 200 around 10.
        let mut s: Vec<f64> = (0..20).map(|i| i as f64 / 2.0).collect();
        s.extend((0..200).map(|i| 10.0 + if i % 2 == 0 { 0.1 } else { -0.1 }));
        let d = mser5(&s).unwrap();
        assert!((15..=25).contains(&d), "truncation {d}");
        let flat: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert_eq!(mser5(&flat), Some(0));
        assert_eq!(mser5(&[1.0, 2.0, 3.0]), None);
    }
}

/// The `p`-quantile (0 ≤ p ≤ 1) of `sorted` (ascending, no NaN) by linear
/// interpolation between order statistics: Hyndman and Fan's type 7, the
/// default of R and NumPy. With `n` values, the position is
/// `h = (n − 1) p` (0-based) and the quantile is `x[⌊h⌋] + (h − ⌊h⌋) ×
/// (x[⌊h⌋ + 1] − x[⌊h⌋])`. NaN without values.
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod quantile_tests {
    use super::quantile_type7;

    /// Against a hand computation: for 1..=10, type 7 puts p5 at position
    /// 0.45 (1.45), p50 at 4.5 (5.5), p95 at 8.55 (9.55); R's
    /// `quantile(1:10, c(.05, .5, .95))` gives the same.
    #[test]
    fn matches_hand_computation() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_type7(&x, 0.05) - 1.45).abs() < 1e-12);
        assert!((quantile_type7(&x, 0.5) - 5.5).abs() < 1e-12);
        assert!((quantile_type7(&x, 0.95) - 9.55).abs() < 1e-12);
        assert_eq!(quantile_type7(&x, 0.0), 1.0);
        assert_eq!(quantile_type7(&x, 1.0), 10.0);
        // Uneven values: 2, 3, 7, 20 → p5 at 0.15: 2 + 0.15 × 1 = 2.15;
        // p50 at 1.5: 5; p95 at 2.85: 7 + 0.85 × 13 = 18.05.
        let y = [2.0, 3.0, 7.0, 20.0];
        assert!((quantile_type7(&y, 0.05) - 2.15).abs() < 1e-12);
        assert!((quantile_type7(&y, 0.5) - 5.0).abs() < 1e-12);
        assert!((quantile_type7(&y, 0.95) - 18.05).abs() < 1e-12);
        assert_eq!(quantile_type7(&[4.0], 0.95), 4.0);
        assert!(quantile_type7(&[], 0.5).is_nan());
    }
}
