//! Input analysis: from a column of observed durations to the scenario
//! line that models them (`shopfloor fit`).
//!
//! For each group of observations (one per station, product or supplier
//! with `--by`), every continuous family the scenario format supports is
//! fitted by maximum likelihood ([`families`]), scored by log-likelihood,
//! AIC, BIC and the Kolmogorov–Smirnov and Anderson–Darling tests
//! ([`gof`]), and ranked by BIC. The best is written as a ready-to-paste
//! scenario line ([`scenario_value`]).
//!
//! Why BIC and not AIC for the ranking: the exponential is a gamma and a
//! Weibull with shape 1. On exponential data the two-parameter families
//! always fit a little better, and AIC's penalty of 2 per parameter lets
//! them win about one time in six (P(χ²₁ > 2) = 0.16) however many values
//! there are; BIC's penalty, ln n per parameter, picks the simpler true
//! family ever more surely as data grow. AIC is reported beside it.
//!
//! What is done with awkward data, each said in the group's notes:
//! zero values are left out of the continuous fits (lognormal, gamma,
//! Weibull have no mass at zero) but kept in an empirical fit; data with
//! at most [`EMPIRICAL_MAX_DISTINCT`] distinct values get the empirical
//! distribution (a continuous fit would invent values between them);
//! values beyond Tukey's far-out fences on the log scale are reported as
//! outliers and kept; fewer than [`WARN_BELOW`] values get a warning and
//! fewer than 2 no fit.
//!
//! This layer sits above `scenario` (for durations), `stats`-level
//! numerics (statrs) and `report` (atomic writes and charts); nothing
//! below imports it.

pub mod data;
pub mod families;
pub mod gof;
pub mod output;

use rayon::prelude::*;

pub use data::{DataError, Group, Observations, Request, Unit};
pub use families::{Family, Fitted, Sample};
pub use gof::Fitness;
pub use output::{scenario_value, summary_text, write_outputs};

/// Data with at most this many distinct values are modelled by the
/// empirical distribution of the values seen.
pub const EMPIRICAL_MAX_DISTINCT: usize = 20;

/// Below this many values, a fit gets a warning.
pub const WARN_BELOW: usize = 20;

/// Far-out fences: Tukey's quartiles ± 3 × IQR, on the log scale (on
/// which process and repair times are roughly symmetric). A clean
/// lognormal sample has one value in 430,000 beyond them.
pub const FENCE_IQR: f64 = 3.0;

/// One family's fit to a group.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The family.
    pub family: Family,
    /// The fit, or why there is none.
    pub fit: Result<Fitted, String>,
    /// How well it fits (continuous families only).
    pub fitness: Option<Fitness>,
}

/// An outlying value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outlier {
    /// Its row in the file.
    pub row: u64,
    /// The value, in seconds.
    pub value: f64,
}

/// The analysis of one group.
#[derive(Clone, Debug)]
pub struct GroupFit {
    /// The group's key (empty without `--by`).
    pub key: String,
    /// Values read (zeros included).
    pub values: usize,
    /// Zero values (left out of the continuous fits).
    pub zeros: usize,
    /// Rows without a value.
    pub missing: usize,
    /// Rows still running when the log ended (right-censored).
    pub censored: usize,
    /// Values beyond the far-out fences on the log scale (kept in the fit).
    pub outliers: Vec<Outlier>,
    /// The fences, in seconds.
    pub fences: Option<(f64, f64)>,
    /// Every family: the continuous ones ranked by BIC (best first), then
    /// those that could not be fitted, then constant and empirical.
    pub candidates: Vec<Candidate>,
    /// The recommended distribution.
    pub best: Fitted,
    /// Why it was chosen, and any warnings, in plain sentences.
    pub notes: Vec<String>,
    /// The positive values, ascending (for the charts).
    pub sample: Sample,
}

/// A group that could not be fitted.
#[derive(Clone, Debug)]
pub struct Refused {
    /// The group's key.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// The analysis of every group of a file.
#[derive(Clone, Debug)]
pub struct FitRun {
    /// What was read.
    pub observations_source: String,
    /// The data file.
    pub file: std::path::PathBuf,
    /// Data rows read.
    pub rows: u64,
    /// The scenario key the lines are written for (`process`, `repair`…).
    pub name: String,
    /// Fitted groups, in key order.
    pub groups: Vec<GroupFit>,
    /// Groups with too few values.
    pub refused: Vec<Refused>,
}

/// Fits every continuous family to positive, finite `values` and ranks
/// them by BIC (best first; families that cannot be fitted last, in
/// [`Family::CONTINUOUS`] order).
pub fn rank_continuous(s: &Sample) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Family::CONTINUOUS
        .par_iter()
        .map(|&family| {
            let fit = families::fit(family, s);
            let fitness = fit.as_ref().ok().map(|f| gof::fitness(f, s));
            Candidate {
                family,
                fit,
                fitness,
            }
        })
        .collect();
    // Stable: ties keep table order. A NaN BIC sorts last.
    out.sort_by(|a, b| {
        let key = |c: &Candidate| c.fitness.map(|f| f.bic).filter(|b| b.is_finite());
        match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    out
}

/// Analyses one group's values (seconds, finite, ≥ 0).
pub fn analyse(group: &Group) -> Result<GroupFit, Refused> {
    let refuse = |reason: String| Refused {
        key: group.key.clone(),
        reason,
    };
    let n_all = group.values.len();
    if n_all < 2 {
        let mut reason = format!(
            "{n_all} value{}; at least 2 are needed to fit anything",
            if n_all == 1 { "" } else { "s" }
        );
        if group.censored + group.missing > 0 {
            reason.push_str(&format!(
                " ({} row{} without an end time, {} without a value)",
                group.censored,
                if group.censored == 1 { "" } else { "s" },
                group.missing
            ));
        }
        return Err(refuse(reason));
    }
    let mut notes = Vec::new();
    let positive: Vec<(f64, u64)> = group
        .values
        .iter()
        .zip(&group.rows)
        .filter(|(v, _)| **v > 0.0)
        .map(|(v, r)| (*v, *r))
        .collect();
    let zeros = n_all - positive.len();
    let all = Sample::new(group.values.clone());
    let sample = Sample::new(positive.iter().map(|p| p.0).collect());

    let (outliers, fences) = outliers(&positive);
    let mut candidates = rank_continuous(&sample);
    let constant = families::fit(Family::Constant, &all);
    let empirical = families::fit(Family::Empirical, &all);
    let distinct = match &empirical {
        Ok(Fitted::Empirical { values, .. }) => values.len(),
        _ => n_all,
    };
    candidates.push(Candidate {
        family: Family::Constant,
        fit: constant.clone(),
        fitness: None,
    });
    candidates.push(Candidate {
        family: Family::Empirical,
        fit: empirical.clone(),
        fitness: None,
    });

    if n_all < WARN_BELOW {
        notes.push(format!(
            "only {n_all} values: the parameters are uncertain and the ranking unreliable; collect at least {WARN_BELOW}, better 100"
        ));
    }
    if zeros > 0 {
        notes.push(format!(
            "{zeros} zero value{} ({:.1}%) left out of the continuous fits (lognormal, gamma and Weibull have no mass at zero); the empirical fit keeps them",
            if zeros == 1 { "" } else { "s" },
            100.0 * zeros as f64 / n_all as f64
        ));
    }
    if group.censored > 0 {
        notes.push(format!(
            "{} row{} with a start but no end (still running when the log ended) left out: such operations last at least until the log ends, so long durations may be under-represented",
            group.censored,
            if group.censored == 1 { "" } else { "s" }
        ));
    }
    if group.missing > 0 {
        notes.push(format!(
            "{} row{} without a value skipped",
            group.missing,
            if group.missing == 1 { "" } else { "s" }
        ));
    }
    if !outliers.is_empty() {
        let shown: Vec<String> = outliers
            .iter()
            .take(5)
            .map(|o| format!("row {} ({})", o.row, output::human(o.value)))
            .collect();
        notes.push(format!(
            "{} outlier{} beyond {}×IQR of the quartiles on the log scale, kept in the fit; check {}{}",
            outliers.len(),
            if outliers.len() == 1 { "" } else { "s" },
            FENCE_IQR,
            shown.join(", "),
            if outliers.len() > 5 { ", …" } else { "" }
        ));
    }

    let best_continuous = candidates
        .first()
        .filter(|c| c.fitness.is_some_and(|f| f.bic.is_finite()))
        .and_then(|c| c.fit.clone().ok());
    let best = if let Ok(c) = constant {
        notes.push("every value is the same: a constant".into());
        c
    } else if distinct <= EMPIRICAL_MAX_DISTINCT {
        notes.push(format!(
            "only {distinct} distinct values: the empirical distribution of the values seen (a continuous fit would invent values between them; the continuous fits are ranked below for comparison)"
        ));
        empirical.map_err(refuse)?
    } else if let Some(b) = best_continuous {
        b
    } else {
        return Err(refuse(
            "no family could be fitted (fewer than 2 values above zero)".into(),
        ));
    };
    if best.family() != Family::Empirical
        && best.family() != Family::Constant
        && let Some(f) = candidates[0].fitness
        && (f.ks_p < 0.01 || f.ad_p < 0.01)
    {
        notes.push(format!(
            "even the best fit is rejected at the 1% level (KS p = {:.3}, AD p = {:.3}): look for a mixture (several products or machines in one group? try --by) or use an empirical distribution",
            f.ks_p, f.ad_p
        ));
    }
    Ok(GroupFit {
        key: group.key.clone(),
        values: n_all,
        zeros,
        missing: group.missing,
        censored: group.censored,
        outliers,
        fences,
        candidates,
        best,
        notes,
        sample,
    })
}

/// Values beyond the far-out fences on the log scale, in file order, and
/// the fences (none with fewer than 4 values).
fn outliers(positive: &[(f64, u64)]) -> (Vec<Outlier>, Option<(f64, f64)>) {
    if positive.len() < 4 {
        return (Vec::new(), None);
    }
    let mut logs: Vec<f64> = positive.iter().map(|p| p.0.ln()).collect();
    logs.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = p * (logs.len() - 1) as f64;
        let i = h.floor() as usize;
        let j = (i + 1).min(logs.len() - 1);
        logs[i] + (h - i as f64) * (logs[j] - logs[i])
    };
    let (q1, q3) = (q(0.25), q(0.75));
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - FENCE_IQR * iqr, q3 + FENCE_IQR * iqr);
    let out = positive
        .iter()
        .filter(|(v, _)| {
            let l = v.ln();
            l < lo || l > hi
        })
        .map(|&(value, row)| Outlier { row, value })
        .collect();
    (out, Some((lo.exp(), hi.exp())))
}

/// Reads `req`'s file and analyses every group; `name` is the scenario
/// key the lines are written for.
pub fn run(req: &Request, name: &str) -> Result<FitRun, DataError> {
    let obs = data::read(req)?;
    let results: Vec<Result<GroupFit, Refused>> = obs.groups.par_iter().map(analyse).collect();
    let mut groups = Vec::new();
    let mut refused = Vec::new();
    for r in results {
        match r {
            Ok(g) => groups.push(g),
            Err(r) => refused.push(r),
        }
    }
    Ok(FitRun {
        observations_source: obs.source,
        file: req.path.clone(),
        rows: obs.rows,
        name: name.to_string(),
        groups,
        refused,
    })
}
