//! Named random streams and the distributions drawn from them.
//!
//! Every source of randomness in a model (the arrivals of one product, the
//! process times at one station, the failures of one machine…) owns a
//! [`Stream`], seeded from `(master seed, replication, stream name)` by a
//! fixed hash. Two variants of a scenario therefore draw the *same* numbers
//! for the same purpose — common random numbers — and adding a source does not
//! shift the numbers any other source sees.
//!
//! The generator is Xoshiro256++ from `rand_xoshiro`, a named, portable
//! algorithm whose output is fixed by its specification (never `StdRng`,
//! whose algorithm may change between releases). `Cargo.lock` pins it.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, StandardNormal, Weibull};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A named, independently seeded random stream.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: Xoshiro256PlusPlus,
}

/// 64-bit FNV-1a: a fixed, documented hash, so stream seeds never depend on
/// the standard library's randomised hasher.
fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64's finaliser: spreads nearby inputs over the whole 64-bit space.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Stream {
    /// The stream for `name` in replication `replication` of a run seeded with
    /// `master_seed`. The same triple always yields the same numbers.
    pub fn new(master_seed: u64, replication: u64, name: &str) -> Stream {
        let h = fnv1a(name.as_bytes(), 0xcbf2_9ce4_8422_2325);
        let seed = mix(mix(master_seed ^ mix(replication.wrapping_add(0x9e37_79b9_7f4a_7c15))) ^ h);
        Stream {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// A uniform draw in `[0, 1)`.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// A standard exponential draw (mean 1).
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        Exp1.sample(&mut self.rng)
    }

    /// A standard normal draw.
    #[inline]
    pub fn std_normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.rng)
    }

    /// A draw from a `rand_distr` distribution.
    #[inline]
    pub fn sample<D: Distribution<f64>>(&mut self, d: &D) -> f64 {
        d.sample(&mut self.rng)
    }
}

/// A validated, non-negative probability distribution of durations (seconds)
/// or counts.
///
/// Parameters are checked when built, so sampling never fails and never
/// returns a negative or non-finite value. Sampling is a `match`, not a
/// virtual call.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Always the same value.
    Constant(f64),
    /// Uniform on `[min, min + width)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// `max - min`.
        width: f64,
    },
    /// Triangular with lower bound, mode and upper bound.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: f64,
    },
    /// Normal, truncated at zero (negative draws are redrawn).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
    },
    /// Lognormal (parameterised by mean and coefficient of variation).
    LogNormal(LogNormal<f64>, f64, f64),
    /// Gamma (mean and CV), also Erlang (integer shape).
    Gamma(Gamma<f64>, f64, f64),
    /// Weibull with scale and shape.
    Weibull(Weibull<f64>, f64, f64),
    /// A discrete empirical table: `values[i]` with cumulative probability
    /// `cumulative[i]` (the last is 1).
    Empirical {
        /// The possible values.
        values: Box<[f64]>,
        /// Cumulative probabilities, ascending, ending at 1.
        cumulative: Box<[f64]>,
    },
}

/// Why a distribution's parameters were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A parameter is NaN or infinite.
    #[error("`{0}` must be a finite number")]
    NotFinite(&'static str),
    /// A parameter is negative where it cannot be.
    #[error("`{0}` must not be negative")]
    Negative(&'static str),
    /// A parameter is zero or negative where it must be positive.
    #[error("`{0}` must be greater than zero")]
    NotPositive(&'static str),
    /// Parameters are inconsistent with each other.
    #[error("{0}")]
    Inconsistent(String),
}

/// Parameters each valid alone that together give no usable distribution
/// (a `cv` so small that the shape overflows, say), in the file's words.
fn out_of_range(kind: &str, params: &[(&str, f64)]) -> DistError {
    DistError::Inconsistent(format!(
        "{} gives no usable {kind} distribution (too small or too large to compute with): use a value of ordinary size, e.g. from 0.01 to 10, or a constant duration",
        params
            .iter()
            .map(|(n, v)| {
                if *v != 0.0 && !(1e-4..1e9).contains(&v.abs()) {
                    format!("`{n}` = {v:e}")
                } else {
                    format!("`{n}` = {v}")
                }
            })
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

fn finite(name: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(DistError::NotFinite(name))
    }
}
fn non_negative(name: &'static str, v: f64) -> Result<f64, DistError> {
    if finite(name, v)? < 0.0 {
        Err(DistError::Negative(name))
    } else {
        Ok(v)
    }
}
fn positive(name: &'static str, v: f64) -> Result<f64, DistError> {
    if finite(name, v)? <= 0.0 {
        Err(DistError::NotPositive(name))
    } else {
        Ok(v)
    }
}

impl Dist {
    /// A constant `value` (≥ 0).
    pub fn constant(value: f64) -> Result<Dist, DistError> {
        Ok(Dist::Constant(non_negative("value", value)?))
    }

    /// Uniform on `[min, max]`, `0 ≤ min ≤ max`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        non_negative("min", min)?;
        non_negative("max", max)?;
        if max < min {
            return Err(DistError::Inconsistent(format!(
                "`max` ({max}) must not be below `min` ({min})"
            )));
        }
        Ok(Dist::Uniform {
            min,
            width: max - min,
        })
    }

    /// Triangular on `[min, max]` with the given mode.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        non_negative("min", min)?;
        non_negative("mode", mode)?;
        non_negative("max", max)?;
        if !(min <= mode && mode <= max) || min == max {
            return Err(DistError::Inconsistent(format!(
                "need `min` ≤ `mode` ≤ `max` with `min` < `max` (got {min}, {mode}, {max})"
            )));
        }
        Ok(Dist::Triangular { min, mode, max })
    }

    /// Exponential with the given mean (> 0).
    pub fn exponential(mean: f64) -> Result<Dist, DistError> {
        Ok(Dist::Exponential {
            mean: positive("mean", mean)?,
        })
    }

    /// Normal with `mean` > 0 and `sd` ≥ 0, truncated at zero.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        non_negative("sd", sd)?;
        Ok(Dist::Normal { mean, sd })
    }

    /// The distribution of `factor` × a draw of this one (`factor` > 0):
    /// the same family, with the mean scaled and the shape kept.
    pub fn scaled(&self, factor: f64) -> Result<Dist, DistError> {
        positive("factor", factor)?;
        Ok(match self {
            Dist::Constant(v) => Dist::Constant(v * factor),
            Dist::Uniform { min, width } => Dist::Uniform {
                min: min * factor,
                width: width * factor,
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min * factor,
                mode: mode * factor,
                max: max * factor,
            },
            Dist::Exponential { mean } => Dist::Exponential {
                mean: mean * factor,
            },
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean * factor,
                sd: sd * factor,
            },
            Dist::LogNormal(_, mean, cv) => Dist::lognormal(mean * factor, *cv)?,
            Dist::Gamma(_, mean, shape) => Dist::gamma(mean * factor, 1.0 / shape.sqrt())?,
            Dist::Weibull(_, mean, shape) => {
                let scale = mean / statrs::function::gamma::gamma(1.0 + 1.0 / shape);
                Dist::weibull(*shape, scale * factor)?
            }
            Dist::Empirical { values, cumulative } => Dist::Empirical {
                values: values.iter().map(|v| v * factor).collect(),
                cumulative: cumulative.clone(),
            },
        })
    }

    /// Lognormal with the given mean (> 0) and coefficient of variation (> 0).
    pub fn lognormal(mean: f64, cv: f64) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        positive("cv", cv)?;
        let sigma2 = (1.0 + cv * cv).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        LogNormal::new(mu, sigma2.sqrt())
            .map(|d| Dist::LogNormal(d, mean, cv))
            .map_err(|_| out_of_range("lognormal", &[("cv", cv)]))
    }

    /// Gamma with the given mean (> 0) and coefficient of variation (> 0).
    pub fn gamma(mean: f64, cv: f64) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        positive("cv", cv)?;
        let shape = 1.0 / (cv * cv);
        Gamma::new(shape, mean / shape)
            .ok()
            .filter(|_| shape.is_finite() && (mean / shape) > 0.0)
            .map(|d| Dist::Gamma(d, mean, shape))
            .ok_or_else(|| out_of_range("gamma", &[("cv", cv)]))
    }

    /// Erlang: the sum of `k` exponential phases, with total mean `mean`.
    pub fn erlang(mean: f64, k: u32) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        if k == 0 {
            return Err(DistError::NotPositive("k"));
        }
        let shape = f64::from(k);
        Gamma::new(shape, mean / shape)
            .map(|d| Dist::Gamma(d, mean, shape))
            .map_err(|_| out_of_range("erlang", &[("k", shape)]))
    }

    /// Weibull with `shape` > 0 and `scale` > 0.
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, DistError> {
        positive("shape", shape)?;
        positive("scale", scale)?;
        let mean = scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape);
        Weibull::new(scale, shape)
            .map(|d| Dist::Weibull(d, mean, shape))
            .map_err(|_| out_of_range("weibull", &[("shape", shape)]))
    }

    /// A discrete empirical distribution: `values[i]` with relative weight
    /// `weights[i]`. Weights need not sum to one; they are normalised.
    pub fn empirical(values: &[f64], weights: &[f64]) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::Inconsistent(
                "`values` must list at least one value".into(),
            ));
        }
        if values.len() != weights.len() {
            return Err(DistError::Inconsistent(format!(
                "`values` has {} entries but `weights` has {}",
                values.len(),
                weights.len()
            )));
        }
        for &v in values {
            non_negative("values", v)?;
        }
        let mut total = 0.0;
        for &w in weights {
            total += non_negative("weights", w)?;
        }
        if total <= 0.0 {
            return Err(DistError::Inconsistent(
                "`weights` must not all be zero".into(),
            ));
        }
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        *cumulative.last_mut().expect("non-empty") = 1.0;
        Ok(Dist::Empirical {
            values: values.into(),
            cumulative: cumulative.into(),
        })
    }

    /// Draws one value (always finite and ≥ 0).
    #[inline]
    pub fn sample(&self, s: &mut Stream) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean } => mean * s.exp1(),
            Dist::Uniform { min, width } => min + width * s.uniform(),
            Dist::Triangular { min, mode, max } => {
                let u = s.uniform();
                let c = (mode - min) / (max - min);
                if u < c {
                    min + ((max - min) * (mode - min) * u).sqrt()
                } else {
                    max - ((max - min) * (max - mode) * (1.0 - u)).sqrt()
                }
            }
            Dist::Normal { mean, sd } => loop {
                let x = mean + sd * s.std_normal();
                if x >= 0.0 {
                    break x;
                }
            },
            Dist::LogNormal(d, ..) => s.sample(d),
            Dist::Gamma(d, ..) => s.sample(d),
            Dist::Weibull(d, ..) => s.sample(d),
            Dist::Empirical { values, cumulative } => {
                let u = s.uniform();
                let i = cumulative.partition_point(|&c| c <= u);
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// The distribution's mean (of the untruncated form for `Normal`).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean } => *mean,
            Dist::Uniform { min, width } => min + width / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal(_, mean, _) | Dist::Gamma(_, mean, _) | Dist::Weibull(_, mean, _) => {
                *mean
            }
            Dist::Empirical { values, cumulative } => {
                let mut prev = 0.0;
                values
                    .iter()
                    .zip(cumulative.iter())
                    .map(|(v, c)| {
                        let p = c - prev;
                        prev = *c;
                        v * p
                    })
                    .sum()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_numbers_other_name_other_numbers() {
        let mut a = Stream::new(7, 3, "process:weld");
        let mut b = Stream::new(7, 3, "process:weld");
        let mut c = Stream::new(7, 3, "process:paint");
        let mut d = Stream::new(7, 4, "process:weld");
        let xa: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let xb: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        let xc: Vec<f64> = (0..5).map(|_| c.uniform()).collect();
        let xd: Vec<f64> = (0..5).map(|_| d.uniform()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        assert_ne!(xa, xd);
    }

    #[test]
    fn refuses_impossible_parameters() {
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::uniform(3.0, 1.0).is_err());
        assert!(Dist::triangular(1.0, 5.0, 3.0).is_err());
        assert!(Dist::lognormal(1.0, -0.5).is_err());
        assert!(Dist::empirical(&[1.0], &[0.0]).is_err());
        assert!(Dist::erlang(1.0, 0).is_err());
    }

    /// Sample means agree with the analytic mean within 5 standard errors
    /// (the standard error from the sample's own variance).
    #[test]
    fn sample_means_match_analytic_means() {
        let dists = [
            Dist::uniform(1.0, 3.0).unwrap(),
            Dist::triangular(1.0, 2.0, 6.0).unwrap(),
            Dist::exponential(2.0).unwrap(),
            Dist::lognormal(2.0, 0.5).unwrap(),
            Dist::gamma(2.0, 0.7).unwrap(),
            Dist::erlang(3.0, 4).unwrap(),
            Dist::weibull(1.5, 2.0).unwrap(),
            Dist::empirical(&[1.0, 2.0, 5.0], &[2.0, 1.0, 1.0]).unwrap(),
        ];
        for d in &dists {
            let mut s = Stream::new(1, 0, "test");
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut s)).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            let se = (var / n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() < 5.0 * se,
                "{d:?}: sample mean {m}, analytic {}, se {se}",
                d.mean()
            );
            assert!(xs.iter().all(|x| *x >= 0.0 && x.is_finite()));
        }
    }
}
