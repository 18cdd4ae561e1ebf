//! Goodness of fit: log-likelihood, AIC and BIC, and the Kolmogorov–Smirnov
//! and Anderson–Darling statistics with their p-values.
//!
//! The p-values are those of a distribution fixed in advance. Here the
//! parameters were estimated from the same data, which makes a fit look
//! better than it is: the p-values are too high, so a small one (below
//! 0.05) is a sure sign of a poor fit, while a large one proves little.

use super::families::{Fitted, Sample};

/// How well one fitted distribution matches the sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitness {
    /// Log-likelihood of the sample.
    pub log_likelihood: f64,
    /// Akaike's criterion, 2p − 2 ln L.
    pub aic: f64,
    /// Schwarz's Bayesian criterion, p ln n − 2 ln L (the ranking).
    pub bic: f64,
    /// Kolmogorov–Smirnov distance: the largest gap between the sample's
    /// and the fit's distribution functions.
    pub ks: f64,
    /// Its p-value.
    pub ks_p: f64,
    /// Anderson–Darling statistic (weighs the tails).
    pub ad: f64,
    /// Its p-value.
    pub ad_p: f64,
}

/// Scores a continuous fit against the sample.
pub fn fitness(f: &Fitted, s: &Sample) -> Fitness {
    let n = s.len();
    let nf = n as f64;
    let log_likelihood: f64 = s.sorted.iter().map(|&x| f.ln_pdf(x)).sum();
    let p = f.parameters() as f64;
    let (mut ks, mut ad) = (0.0_f64, 0.0_f64);
    // Distribution function at each value, clamped off 0 and 1 for the
    // logarithms of Anderson–Darling.
    let u: Vec<f64> = s
        .sorted
        .iter()
        .map(|&x| f.cdf(x).clamp(1e-300, 1.0 - 1e-16))
        .collect();
    for (i, &ui) in u.iter().enumerate() {
        let i1 = (i + 1) as f64;
        ks = ks.max(i1 / nf - ui).max(ui - i as f64 / nf);
        ad += (2.0 * i1 - 1.0) * (ui.ln() + (-u[n - 1 - i]).ln_1p());
    }
    let ad = -nf - ad / nf;
    Fitness {
        log_likelihood,
        aic: 2.0 * p - 2.0 * log_likelihood,
        bic: p * nf.ln() - 2.0 * log_likelihood,
        ks,
        ks_p: ks_p_value(ks, n),
        ad,
        ad_p: 1.0 - ad_inf_cdf(ad),
    }
}

/// P(D > d) for the Kolmogorov distribution with Stephens' small-sample
/// correction: λ = (√n + 0.12 + 0.11/√n)·d, Q(λ) = 2 Σ (−1)^(j−1) e^(−2j²λ²).
pub fn ks_p_value(d: f64, n: usize) -> f64 {
    let sn = (n as f64).sqrt();
    let lambda = (sn + 0.12 + 0.11 / sn) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    let mut sign = 1.0;
    for j in 1..=100 {
        let jf = f64::from(j);
        let term = (-2.0 * jf * jf * lambda * lambda).exp();
        sum += sign * term;
        if term < 1e-16 {
            break;
        }
        sign = -sign;
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// The limiting distribution function of the Anderson–Darling statistic
/// (Marsaglia and Marsaglia 2004, "Evaluating the Anderson-Darling
/// distribution", J. Stat. Software 9(2), their `ADinf`).
pub fn ad_inf_cdf(z: f64) -> f64 {
    if z.is_nan() || z <= 0.0 {
        return 0.0;
    }
    if z < 2.0 {
        (-1.2337141 / z).exp() / z.sqrt()
            * (2.00012
                + (0.247105 - (0.0649821 - (0.0347962 - (0.011672 - 0.00168691 * z) * z) * z) * z)
                    * z)
    } else {
        (-(1.0776
            - (2.30695 - (0.43424 - (0.082433 - (0.008056 - 0.0003146 * z) * z) * z) * z) * z)
            .exp())
        .exp()
    }
    .clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_p_values_match_the_kolmogorov_table() {
        // Asymptotic critical values: λ = 1.358 at 5%, 1.628 at 1%.
        let n = 1_000_000;
        let d = |lambda: f64| lambda / (n as f64).sqrt();
        assert!((ks_p_value(d(1.358), n) - 0.05).abs() < 0.001);
        assert!((ks_p_value(d(1.628), n) - 0.01).abs() < 0.0005);
    }

    #[test]
    fn ad_p_values_match_the_published_critical_values() {
        // Case 0 (fully specified): 2.492 at 5%, 3.857 at 1%.
        assert!((1.0 - ad_inf_cdf(2.492) - 0.05).abs() < 0.001);
        assert!((1.0 - ad_inf_cdf(3.857) - 0.01).abs() < 0.0005);
    }
}
