//! The distribution families of the scenario format, fitted to a sample by
//! maximum likelihood, with their densities, distribution functions and
//! quantiles.
//!
//! Every family here is one the scenario's `dist = …` accepts, with its
//! parameters kept in the natural form for fitting (a lognormal's `mu` and
//! `sigma`, a gamma's shape and scale) and turned into the scenario's own
//! parameters (`mean`, `cv`…) only when written out.

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::erf::erfc;
use statrs::function::gamma::{digamma, gamma_lr, ln_gamma};

/// The scenario's families, in the order the tables list them when tied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `dist = "exponential"`.
    Exponential,
    /// `dist = "gamma"`.
    Gamma,
    /// `dist = "erlang"` (a gamma with a whole-number shape).
    Erlang,
    /// `dist = "lognormal"`.
    Lognormal,
    /// `dist = "weibull"`.
    Weibull,
    /// `dist = "normal"` (truncated at zero).
    Normal,
    /// `dist = "triangular"`.
    Triangular,
    /// `dist = "uniform"`.
    Uniform,
    /// `dist = "constant"`.
    Constant,
    /// `dist = "empirical"`.
    Empirical,
}

impl Family {
    /// Every family, in table order.
    pub const ALL: [Family; 10] = [
        Family::Exponential,
        Family::Gamma,
        Family::Erlang,
        Family::Lognormal,
        Family::Weibull,
        Family::Normal,
        Family::Triangular,
        Family::Uniform,
        Family::Constant,
        Family::Empirical,
    ];

    /// The continuous families, fitted by likelihood and ranked.
    pub const CONTINUOUS: [Family; 8] = [
        Family::Exponential,
        Family::Gamma,
        Family::Erlang,
        Family::Lognormal,
        Family::Weibull,
        Family::Normal,
        Family::Triangular,
        Family::Uniform,
    ];

    /// The name the scenario's `dist` takes.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Gamma => "gamma",
            Family::Erlang => "erlang",
            Family::Lognormal => "lognormal",
            Family::Weibull => "weibull",
            Family::Normal => "normal",
            Family::Triangular => "triangular",
            Family::Uniform => "uniform",
            Family::Constant => "constant",
            Family::Empirical => "empirical",
        }
    }
}

/// A fitted distribution, in seconds, with its parameters in natural form.
#[derive(Clone, Debug, PartialEq)]
pub enum Fitted {
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: f64,
    },
    /// Gamma with shape `shape` and scale `scale`.
    Gamma {
        /// Shape (1/cv²).
        shape: f64,
        /// Scale (mean/shape).
        scale: f64,
    },
    /// Erlang: a gamma with whole-number shape `k`.
    Erlang {
        /// Phases.
        k: u32,
        /// Scale of one phase (mean/k).
        scale: f64,
    },
    /// Lognormal: `ln x` is normal with mean `mu` and deviation `sigma`.
    Lognormal {
        /// Mean of `ln x`.
        mu: f64,
        /// Standard deviation of `ln x`.
        sigma: f64,
    },
    /// Weibull with shape and scale.
    Weibull {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
    },
    /// Normal with mean `mean` and deviation `sd`, truncated at zero (the
    /// parameters are those of the normal before truncation, as in the
    /// scenario).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
    },
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// The observed values with their counts.
    Empirical {
        /// Distinct values, ascending.
        values: Vec<f64>,
        /// How often each was observed.
        counts: Vec<u64>,
    },
}

/// A sample ready for fitting: positive, finite values sorted ascending,
/// with the sums every family needs.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The values, ascending.
    pub sorted: Vec<f64>,
    /// `ln` of each value (same order).
    pub logs: Vec<f64>,
    /// Mean.
    pub mean: f64,
    /// Variance with divisor n (the MLE's).
    pub var: f64,
    /// Mean of `ln x`.
    pub mean_log: f64,
    /// Variance of `ln x` with divisor n.
    pub var_log: f64,
}

impl Sample {
    /// A sample of `values`, which must be finite and above zero.
    pub fn new(mut values: Vec<f64>) -> Sample {
        values.sort_by(f64::total_cmp);
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let logs: Vec<f64> = values.iter().map(|x| x.ln()).collect();
        let mean_log = logs.iter().sum::<f64>() / n;
        let var_log = logs.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / n;
        Sample {
            sorted: values,
            logs,
            mean,
            var,
            mean_log,
            var_log,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether the sample has no values.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    fn min(&self) -> f64 {
        self.sorted.first().copied().unwrap_or(0.0)
    }

    fn max(&self) -> f64 {
        self.sorted.last().copied().unwrap_or(0.0)
    }
}

/// ψ'(x), the trigamma function, for x > 0: the recurrence ψ'(x) =
/// ψ'(x + 1) + 1/x² up to x ≥ 8, then the asymptotic series.
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 8.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 / 2.0
        + x2 / x * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 / 30.0)))
}

/// Φ(z), the standard normal distribution function.
fn phi_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Fitted {
    /// The family.
    pub fn family(&self) -> Family {
        match self {
            Fitted::Exponential { .. } => Family::Exponential,
            Fitted::Gamma { .. } => Family::Gamma,
            Fitted::Erlang { .. } => Family::Erlang,
            Fitted::Lognormal { .. } => Family::Lognormal,
            Fitted::Weibull { .. } => Family::Weibull,
            Fitted::Normal { .. } => Family::Normal,
            Fitted::Triangular { .. } => Family::Triangular,
            Fitted::Uniform { .. } => Family::Uniform,
            Fitted::Constant { .. } => Family::Constant,
            Fitted::Empirical { .. } => Family::Empirical,
        }
    }

    /// Parameters estimated from the data (for AIC and BIC).
    pub fn parameters(&self) -> usize {
        match self {
            Fitted::Exponential { .. } => 1,
            Fitted::Gamma { .. }
            | Fitted::Erlang { .. }
            | Fitted::Lognormal { .. }
            | Fitted::Weibull { .. }
            | Fitted::Normal { .. }
            | Fitted::Uniform { .. } => 2,
            Fitted::Triangular { .. } => 3,
            Fitted::Constant { .. } => 1,
            Fitted::Empirical { values, .. } => values.len().saturating_sub(1),
        }
    }

    /// The mean of the distribution, in seconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Fitted::Exponential { mean } => mean,
            Fitted::Gamma { shape, scale } => shape * scale,
            Fitted::Erlang { k, scale } => f64::from(k) * scale,
            Fitted::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Fitted::Weibull { shape, scale } => {
                scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
            }
            Fitted::Normal { mean, sd } => {
                if sd <= 0.0 {
                    return mean;
                }
                // Mean of the normal truncated at zero.
                let a = -mean / sd;
                let tail = 1.0 - phi_cdf(a);
                let dens = (-0.5 * a * a - LN_SQRT_2PI).exp();
                if tail > 0.0 {
                    mean + sd * dens / tail
                } else {
                    0.0
                }
            }
            Fitted::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Fitted::Uniform { min, max } => (min + max) / 2.0,
            Fitted::Constant { value } => value,
            Fitted::Empirical {
                ref values,
                ref counts,
            } => {
                let n: u64 = counts.iter().sum();
                values
                    .iter()
                    .zip(counts)
                    .map(|(v, c)| v * *c as f64)
                    .sum::<f64>()
                    / n.max(1) as f64
            }
        }
    }

    /// The log density at `x` (`-inf` outside the support). Constant and
    /// empirical have no density; they return NaN.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        match *self {
            Fitted::Exponential { mean } => {
                if x < 0.0 {
                    f64::NEG_INFINITY
                } else {
                    -mean.ln() - x / mean
                }
            }
            Fitted::Gamma { shape, scale } => gamma_ln_pdf(shape, scale, x),
            Fitted::Erlang { k, scale } => gamma_ln_pdf(f64::from(k), scale, x),
            Fitted::Lognormal { mu, sigma } => {
                if x <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    let l = x.ln();
                    let z = (l - mu) / sigma;
                    -l - sigma.ln() - LN_SQRT_2PI - 0.5 * z * z
                }
            }
            Fitted::Weibull { shape, scale } => {
                if x <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    let y = x / scale;
                    shape.ln() - scale.ln() + (shape - 1.0) * y.ln() - y.powf(shape)
                }
            }
            Fitted::Normal { mean, sd } => {
                if x < 0.0 {
                    f64::NEG_INFINITY
                } else {
                    let z = (x - mean) / sd;
                    -sd.ln() - LN_SQRT_2PI - 0.5 * z * z - (1.0 - phi_cdf(-mean / sd)).ln()
                }
            }
            Fitted::Triangular { min, mode, max } => {
                if x < min || x > max {
                    f64::NEG_INFINITY
                } else if x < mode {
                    (2.0 * (x - min) / ((max - min) * (mode - min))).ln()
                } else if x > mode {
                    (2.0 * (max - x) / ((max - min) * (max - mode))).ln()
                } else {
                    (2.0 / (max - min)).ln()
                }
            }
            Fitted::Uniform { min, max } => {
                if x < min || x > max {
                    f64::NEG_INFINITY
                } else {
                    -(max - min).ln()
                }
            }
            Fitted::Constant { .. } | Fitted::Empirical { .. } => f64::NAN,
        }
    }

    /// The density at `x`.
    pub fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf(x).exp()
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Fitted::Exponential { mean } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -(-x / mean).exp_m1()
                }
            }
            Fitted::Gamma { shape, scale } => gamma_cdf(shape, scale, x),
            Fitted::Erlang { k, scale } => gamma_cdf(f64::from(k), scale, x),
            Fitted::Lognormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    phi_cdf((x.ln() - mu) / sigma)
                }
            }
            Fitted::Weibull { shape, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -(-(x / scale).powf(shape)).exp_m1()
                }
            }
            Fitted::Normal { mean, sd } => {
                if x <= 0.0 {
                    0.0
                } else {
                    let low = phi_cdf(-mean / sd);
                    ((phi_cdf((x - mean) / sd) - low) / (1.0 - low)).clamp(0.0, 1.0)
                }
            }
            Fitted::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            }
            Fitted::Uniform { min, max } => {
                if max <= min {
                    f64::from(u8::from(x >= min))
                } else {
                    ((x - min) / (max - min)).clamp(0.0, 1.0)
                }
            }
            Fitted::Constant { value } => f64::from(u8::from(x >= value)),
            Fitted::Empirical {
                ref values,
                ref counts,
            } => {
                let n: u64 = counts.iter().sum();
                let below: u64 = values
                    .iter()
                    .zip(counts)
                    .take_while(|(v, _)| **v <= x)
                    .map(|(_, c)| *c)
                    .sum();
                below as f64 / n.max(1) as f64
            }
        }
    }

    /// The `p`-quantile (0 < p < 1).
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Fitted::Exponential { mean } => -mean * (-p).ln_1p(),
            Fitted::Lognormal { mu, sigma } => (mu + sigma * std_normal_quantile(p)).exp(),
            Fitted::Weibull { shape, scale } => scale * (-(-p).ln_1p()).powf(1.0 / shape),
            Fitted::Normal { mean, sd } => {
                let low = phi_cdf(-mean / sd);
                (mean + sd * std_normal_quantile(low + p * (1.0 - low))).max(0.0)
            }
            Fitted::Triangular { min, mode, max } => {
                let c = (mode - min) / (max - min);
                if p < c {
                    min + ((max - min) * (mode - min) * p).sqrt()
                } else {
                    max - ((max - min) * (max - mode) * (1.0 - p)).sqrt()
                }
            }
            Fitted::Uniform { min, max } => min + p * (max - min),
            Fitted::Constant { value } => value,
            Fitted::Gamma { .. } | Fitted::Erlang { .. } => self.bisect_quantile(p),
            Fitted::Empirical {
                ref values,
                ref counts,
            } => {
                let n: u64 = counts.iter().sum();
                let target = p * n as f64;
                let mut acc = 0.0;
                for (v, c) in values.iter().zip(counts) {
                    acc += *c as f64;
                    if acc >= target {
                        return *v;
                    }
                }
                values.last().copied().unwrap_or(0.0)
            }
        }
    }

    /// The quantile by bisection on the distribution function (for the
    /// gamma family, which has no closed form).
    fn bisect_quantile(&self, p: f64) -> f64 {
        let mut hi = self.mean().max(f64::MIN_POSITIVE);
        let mut guard = 0;
        while self.cdf(hi) < p && guard < 200 {
            hi *= 2.0;
            guard += 1;
        }
        let mut lo = 0.0;
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.cdf(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

fn gamma_ln_pdf(shape: f64, scale: f64, x: f64) -> f64 {
    if x < 0.0 || (x == 0.0 && shape != 1.0) {
        return if x == 0.0 && shape < 1.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    if x == 0.0 {
        return -scale.ln();
    }
    (shape - 1.0) * x.ln() - x / scale - ln_gamma(shape) - shape * scale.ln()
}

fn gamma_cdf(shape: f64, scale: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        gamma_lr(shape, x / scale)
    }
}

/// Φ⁻¹(p).
fn std_normal_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.inverse_cdf(p.clamp(1e-300, 1.0 - 1e-16)),
        Err(_) => f64::NAN,
    }
}

/// Fits `family` to `s` by maximum likelihood, or says why it cannot be.
pub fn fit(family: Family, s: &Sample) -> Result<Fitted, String> {
    let n = s.len();
    if n < 2 {
        return Err("needs at least 2 values".into());
    }
    let distinct = s.sorted.first() != s.sorted.last();
    if !distinct && !matches!(family, Family::Constant | Family::Empirical) {
        return Err("all values are equal".into());
    }
    match family {
        Family::Exponential => Ok(Fitted::Exponential { mean: s.mean }),
        Family::Lognormal => {
            if s.var_log <= 0.0 {
                return Err("all values are equal".into());
            }
            Ok(Fitted::Lognormal {
                mu: s.mean_log,
                sigma: s.var_log.sqrt(),
            })
        }
        Family::Gamma => {
            let shape = gamma_shape(s)?;
            Ok(Fitted::Gamma {
                shape,
                scale: s.mean / shape,
            })
        }
        Family::Erlang => {
            // The likelihood is unimodal in the shape, so the best whole
            // shape is next to the continuous optimum.
            let shape = gamma_shape(s)?;
            if shape > f64::from(u32::MAX / 2) {
                return Err("the values hardly vary (shape too large)".into());
            }
            let lo = (shape.floor() as u32).max(1);
            let candidates = [lo, lo + 1];
            let ll = |k: u32| {
                let kf = f64::from(k);
                let scale = s.mean / kf;
                let nf = n as f64;
                nf * ((kf - 1.0) * s.mean_log - s.mean / scale - ln_gamma(kf) - kf * scale.ln())
            };
            let k = if ll(candidates[1]) > ll(candidates[0]) {
                candidates[1]
            } else {
                candidates[0]
            };
            Ok(Fitted::Erlang {
                k,
                scale: s.mean / f64::from(k),
            })
        }
        Family::Weibull => {
            let shape = weibull_shape(s)?;
            // Scale from the profile equation, on values divided by their
            // geometric mean (g) so that the powers stay in range.
            let g = s.mean_log.exp();
            let m = s
                .logs
                .iter()
                .map(|l| ((l - s.mean_log) * shape).exp())
                .sum::<f64>()
                / n as f64;
            Ok(Fitted::Weibull {
                shape,
                scale: g * m.powf(1.0 / shape),
            })
        }
        Family::Normal => {
            if s.var <= 0.0 {
                return Err("all values are equal".into());
            }
            Ok(truncated_normal(s))
        }
        Family::Uniform => {
            if !distinct {
                return Err("all values are equal".into());
            }
            // The minimum-variance unbiased bounds: the sample range
            // widened by one spacing, range/(n − 1), at each end (the MLE,
            // the sample extremes, is biased inward).
            let pad = (s.max() - s.min()) / (n as f64 - 1.0);
            Ok(Fitted::Uniform {
                min: (s.min() - pad).max(0.0),
                max: s.max() + pad,
            })
        }
        Family::Triangular => {
            if !distinct {
                return Err("all values are equal".into());
            }
            Ok(triangular(s))
        }
        Family::Constant => {
            if distinct {
                Err("the values vary".into())
            } else {
                Ok(Fitted::Constant { value: s.min() })
            }
        }
        Family::Empirical => {
            let mut values: Vec<f64> = Vec::new();
            let mut counts: Vec<u64> = Vec::new();
            for &x in &s.sorted {
                if values.last() == Some(&x) {
                    if let Some(c) = counts.last_mut() {
                        *c += 1;
                    }
                } else {
                    values.push(x);
                    counts.push(1);
                }
            }
            Ok(Fitted::Empirical { values, counts })
        }
    }
}

/// The gamma shape's MLE: the root of ln k − ψ(k) = ln x̄ − mean(ln x), by
/// Newton's method from Minka's closed-form start.
fn gamma_shape(s: &Sample) -> Result<f64, String> {
    let r = s.mean.ln() - s.mean_log;
    if r.is_nan() || r <= 1e-12 || !r.is_finite() {
        return Err("all values are equal".into());
    }
    let mut k = (3.0 - r + ((r - 3.0).powi(2) + 24.0 * r).sqrt()) / (12.0 * r);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - r;
        let d = 1.0 / k - trigamma(k);
        // Newton on ln k keeps k positive.
        let step = f / (d * k);
        let next = k * (-step).exp().clamp(0.1, 10.0);
        let done = ((next - k) / k).abs() < 1e-12;
        k = next;
        if done {
            break;
        }
    }
    if k.is_finite() && k > 0.0 {
        Ok(k)
    } else {
        Err("the shape did not converge".into())
    }
}

/// The Weibull shape's MLE: the root of the increasing function
/// g(k) = Σ yᵏ ln y / Σ yᵏ − 1/k (y = x / geometric mean), by Newton's
/// method kept inside a bracket that halves when a step leaves it.
fn weibull_shape(s: &Sample) -> Result<f64, String> {
    if s.var_log <= 0.0 {
        return Err("all values are equal".into());
    }
    let c: Vec<f64> = s.logs.iter().map(|l| l - s.mean_log).collect();
    let g = |k: f64| {
        let (mut a, mut b, mut d) = (0.0, 0.0, 0.0);
        for &l in &c {
            let w = (k * l).exp();
            a += w;
            b += w * l;
            d += w * l * l;
        }
        let f = b / a - 1.0 / k;
        let df = (d * a - b * b) / (a * a) + 1.0 / (k * k);
        (f, df)
    };
    // sd(ln x) = π / (k √6) for the Weibull.
    let mut k = std::f64::consts::PI / (s.var_log.sqrt() * 6f64.sqrt());
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..200 {
        let (f, df) = g(k);
        if !f.is_finite() {
            hi = k;
            k = 0.5 * (lo + hi);
            continue;
        }
        if f > 0.0 {
            hi = k;
        } else {
            lo = k;
        }
        let mut next = k - f / df;
        if !(next > lo && next < hi && next.is_finite()) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * k
            };
        }
        if ((next - k) / k).abs() < 1e-12 {
            k = next;
            break;
        }
        k = next;
    }
    if k.is_finite() && k > 0.0 {
        Ok(k)
    } else {
        Err("the shape did not converge".into())
    }
}

/// The normal truncated at zero, by maximum likelihood: the sample mean
/// and deviation when truncation is negligible, else Nelder–Mead on the
/// closed-form log-likelihood in (μ, ln σ), with μ ≥ 1 ms as the scenario
/// requires (on data far from normal, such as exponential data, the
/// unconstrained optimum has μ < 0).
fn truncated_normal(s: &Sample) -> Fitted {
    let n = s.len() as f64;
    let (m1, m2) = (s.mean, s.var + s.mean * s.mean);
    let ll = |mu: f64, ln_sd: f64| {
        // The scenario's normal needs a mean above zero, and a positive
        // duration is at least the engine's resolution.
        if mu.is_nan() || mu < crate::scenario::limits::RESOLUTION {
            return f64::NEG_INFINITY;
        }
        let sd = ln_sd.exp();
        let tail = 1.0 - phi_cdf(-mu / sd);
        if tail.is_nan() || tail <= 0.0 {
            return f64::NEG_INFINITY;
        }
        -n * (ln_sd + LN_SQRT_2PI + tail.ln())
            - n * (m2 - 2.0 * mu * m1 + mu * mu) / (2.0 * sd * sd)
    };
    let sd0 = s.var.sqrt();
    if phi_cdf(-m1 / sd0) < 1e-9 {
        return Fitted::Normal { mean: m1, sd: sd0 };
    }
    let (mu, ln_sd) = nelder_mead(|p| -ll(p[0], p[1]), [m1, sd0.ln()], [0.2 * sd0, 0.2]);
    Fitted::Normal {
        mean: mu,
        sd: ln_sd.exp(),
    }
}

/// Minimises `f` over two parameters from `start` with initial steps
/// `step` (the Nelder–Mead simplex method, standard coefficients).
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2], step: [f64; 2]) -> (f64, f64) {
    let mut pts = [
        start,
        [start[0] + step[0], start[1]],
        [start[0], start[1] + step[1]],
    ];
    let mut vals = pts.map(&f);
    for _ in 0..500 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        let [b, m, w] = idx;
        if (vals[w] - vals[b]).abs() <= 1e-12 * (1.0 + vals[b].abs()) {
            break;
        }
        let c = [(pts[b][0] + pts[m][0]) / 2.0, (pts[b][1] + pts[m][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (pts[w][0] - c[0]), c[1] + t * (pts[w][1] - c[1])];
        let r = at(-1.0);
        let fr = f(r);
        if fr < vals[b] {
            let e = at(-2.0);
            let fe = f(e);
            (pts[w], vals[w]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < vals[m] {
            (pts[w], vals[w]) = (r, fr);
        } else {
            let k = at(0.5);
            let fk = f(k);
            if fk < vals[w] {
                (pts[w], vals[w]) = (k, fk);
            } else {
                for i in [m, w] {
                    pts[i] = [(pts[i][0] + pts[b][0]) / 2.0, (pts[i][1] + pts[b][1]) / 2.0];
                    vals[i] = f(pts[i]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    (pts[best][0], pts[best][1])
}

/// The triangular fit: bounds at the sample extremes widened by one
/// spacing, range/(n − 1) (the density is zero at the bounds, so a bound
/// at an observed value would make that value impossible), and the mode by
/// maximum likelihood given the bounds, which lies at one of the observed
/// values (Oliver 1972): every candidate is scored in O(1) from prefix
/// sums of ln(x − min) and suffix sums of ln(max − x).
fn triangular(s: &Sample) -> Fitted {
    let x = &s.sorted;
    let n = x.len();
    let pad = (s.max() - s.min()) / (n as f64 - 1.0);
    let (a, b) = ((s.min() - pad).max(0.0), s.max() + pad);
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + (x[i] - a).max(f64::MIN_POSITIVE).ln();
    }
    let mut suffix = vec![0.0; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1] + (b - x[i]).ln();
    }
    // With the mode at x[r]: values below it contribute
    // ln(x − a) − ln(c − a), values above ln(b − x) − ln(b − c).
    let mut best = (f64::NEG_INFINITY, x[0]);
    for r in 0..n {
        let c = x[r];
        let below = prefix[r] - r as f64 * (c - a).max(f64::MIN_POSITIVE).ln();
        let above = suffix[r + 1] - (n - r - 1) as f64 * (b - c).ln();
        let ll = below + above;
        if ll > best.0 {
            best = (ll, c);
        }
    }
    Fitted::Triangular {
        min: a,
        mode: best.1,
        max: b,
    }
}
