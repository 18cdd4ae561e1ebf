//! What `shopfloor fit` writes: the scenario line of a fit, the printed
//! summary, `fits.csv`, `fits.json` and the charts (a histogram with the
//! fitted densities beside a Q–Q plot of the best fit, per group).

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use serde_json::{Value, json};

use super::{Candidate, FitRun, Fitted, GroupFit};
use crate::report::plots::{FitChart, write_fit_chart};

/// `v` with `digits` significant digits, never in exponent notation (the
/// scenario's durations refuse exponents), trailing zeros dropped.
fn sig(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (digits - 1 - mag).clamp(0, 30) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// The unit a distribution of mean `mean` seconds is written in.
fn unit_for(mean: f64) -> (&'static str, f64) {
    if mean >= 2.0 * 3600.0 {
        ("h", 3600.0)
    } else if mean >= 120.0 {
        ("m", 60.0)
    } else if mean >= 1.0 {
        ("s", 1.0)
    } else {
        ("ms", 0.001)
    }
}

/// A duration in seconds written with a unit fit for its size: `"7.02m"`.
pub fn human(secs: f64) -> String {
    let (u, k) = unit_for(secs);
    format!("{}{u}", sig(secs / k, 3))
}

/// Distinct values above which an empirical fit gets no scenario line.
const EMPIRICAL_LINE_MAX: usize = 200;

/// The fit written in the scenario's syntax, e.g.
/// `{ dist = "lognormal", mean = "7.017m", cv = 0.2983 }`, with four
/// significant digits (more where rounding would make bounds meet). `None`
/// for an empirical fit of more than 200 distinct values.
pub fn scenario_value(f: &Fitted) -> Option<String> {
    let (u, k) = unit_for(f.mean());
    let d = |secs: f64, digits: i32| format!("\"{}{u}\"", sig(secs / k, digits));
    let n = |x: f64| sig(x, 4);
    // Enough digits for `a` and `b` to stay apart once rounded.
    let apart = |a: f64, b: f64| {
        (4..=15)
            .find(|&g| sig(a / k, g) != sig(b / k, g))
            .unwrap_or(15)
    };
    Some(match *f {
        Fitted::Exponential { mean } => {
            format!("{{ dist = \"exponential\", mean = {} }}", d(mean, 4))
        }
        Fitted::Gamma { shape, scale } => format!(
            "{{ dist = \"gamma\", mean = {}, cv = {} }}",
            d(shape * scale, 4),
            n(1.0 / shape.sqrt())
        ),
        Fitted::Erlang { k: phases, scale } => format!(
            "{{ dist = \"erlang\", mean = {}, k = {phases} }}",
            d(f64::from(phases) * scale, 4)
        ),
        Fitted::Lognormal { sigma, .. } => format!(
            "{{ dist = \"lognormal\", mean = {}, cv = {} }}",
            d(f.mean(), 4),
            n((sigma * sigma).exp_m1().sqrt())
        ),
        Fitted::Weibull { shape, scale } => format!(
            "{{ dist = \"weibull\", shape = {}, scale = {} }}",
            n(shape),
            d(scale, 4)
        ),
        Fitted::Normal { mean, sd } => {
            format!(
                "{{ dist = \"normal\", mean = {}, sd = {} }}",
                d(mean, 4),
                d(sd, 4)
            )
        }
        Fitted::Triangular { min, mode, max } => {
            let g = apart(min, max);
            format!(
                "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
                d(min, g),
                d(mode, g),
                d(max, g)
            )
        }
        Fitted::Uniform { min, max } => {
            let g = apart(min, max);
            format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                d(min, g),
                d(max, g)
            )
        }
        Fitted::Constant { value } => format!("{{ dist = \"constant\", value = {} }}", d(value, 6)),
        Fitted::Empirical {
            ref values,
            ref counts,
        } => {
            if values.len() > EMPIRICAL_LINE_MAX {
                return None;
            }
            let vs: Vec<String> = values.iter().map(|v| d(*v, 6)).collect();
            let ws: Vec<String> = counts.iter().map(u64::to_string).collect();
            format!(
                "{{ dist = \"empirical\", values = [{}], weights = [{}] }}",
                vs.join(", "),
                ws.join(", ")
            )
        }
    })
}

/// The parameters in a short human form: "mean 7.02m, cv 0.298".
fn short_params(f: &Fitted) -> String {
    let h = human;
    match *f {
        Fitted::Exponential { mean } => format!("mean {}", h(mean)),
        Fitted::Gamma { shape, scale } => {
            format!(
                "mean {}, cv {}",
                h(shape * scale),
                sig(1.0 / shape.sqrt(), 3)
            )
        }
        Fitted::Erlang { k, scale } => format!("mean {}, k {k}", h(f64::from(k) * scale)),
        Fitted::Lognormal { sigma, .. } => format!(
            "mean {}, cv {}",
            h(f.mean()),
            sig((sigma * sigma).exp_m1().sqrt(), 3)
        ),
        Fitted::Weibull { shape, scale } => format!("shape {}, scale {}", sig(shape, 3), h(scale)),
        Fitted::Normal { mean, sd } => format!("mean {}, sd {}", h(mean), h(sd)),
        Fitted::Triangular { min, mode, max } => {
            format!("min {}, mode {}, max {}", h(min), h(mode), h(max))
        }
        Fitted::Uniform { min, max } => format!("min {}, max {}", h(min), h(max)),
        Fitted::Constant { value } => format!("value {}", h(value)),
        Fitted::Empirical { ref values, .. } => format!("{} distinct values", values.len()),
    }
}

fn group_title(g: &GroupFit) -> String {
    if g.key.is_empty() {
        "all rows".into()
    } else {
        g.key.clone()
    }
}

/// Rows of the ranked table printed per group (all are in `fits.csv`).
const PRINTED_ROWS: usize = 5;

/// The summary printed by `shopfloor fit`: per group, its notes, the top
/// of the ranking and the recommended scenario line.
pub fn summary_text(run: &FitRun) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {}, {} data row{}, {} group{}",
        run.file.display(),
        run.observations_source,
        run.rows,
        if run.rows == 1 { "" } else { "s" },
        run.groups.len() + run.refused.len(),
        if run.groups.len() + run.refused.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    for g in &run.groups {
        let _ = writeln!(
            s,
            "\n{}: {} value{}, mean {}",
            group_title(g),
            g.values,
            if g.values == 1 { "" } else { "s" },
            human(g.best.mean())
        );
        for n in &g.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        let _ = writeln!(
            s,
            "  {:<4} {:<12} {:>12} {:>12} {:>7} {:>7} {:>8} {:>7}  parameters",
            "rank", "dist", "BIC", "AIC", "KS", "p(KS)", "AD", "p(AD)"
        );
        let ranked: Vec<&Candidate> = g
            .candidates
            .iter()
            .filter(|c| c.fitness.is_some())
            .collect();
        for (i, c) in ranked.iter().take(PRINTED_ROWS).enumerate() {
            let (Some(f), Ok(fit)) = (c.fitness, &c.fit) else {
                continue;
            };
            let _ = writeln!(
                s,
                "  {:<4} {:<12} {:>12.1} {:>12.1} {:>7.4} {:>7.3} {:>8.3} {:>7.3}  {}",
                i + 1,
                c.family.name(),
                f.bic,
                f.aic,
                f.ks,
                f.ks_p,
                f.ad,
                f.ad_p,
                short_params(fit)
            );
        }
        let others: Vec<String> = g
            .candidates
            .iter()
            .filter(|c| c.fitness.is_none() && c.fit.is_err())
            .map(|c| {
                format!(
                    "{} ({})",
                    c.family.name(),
                    c.fit.as_ref().err().map_or("", |e| e.as_str())
                )
            })
            .collect();
        if ranked.len() > PRINTED_ROWS {
            let _ = writeln!(s, "  … {} more in fits.csv", ranked.len() - PRINTED_ROWS);
        }
        if !others.is_empty() {
            let _ = writeln!(s, "  not fitted: {}", others.join(", "));
        }
        match scenario_value(&g.best) {
            Some(v) => {
                let _ = writeln!(s, "  best: {} = {v}", run.name);
            }
            None => {
                let _ = writeln!(s, "  best: {} (too long to print)", g.best.family().name());
            }
        }
    }
    for r in &run.refused {
        let key = if r.key.is_empty() { "all rows" } else { &r.key };
        let _ = writeln!(s, "\n{key}: not fitted: {}", r.reason);
    }
    s
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// The fit's parameters as JSON (seconds).
fn params_json(f: &Fitted) -> Value {
    match f {
        Fitted::Exponential { mean } => json!({ "mean": num(*mean) }),
        Fitted::Gamma { shape, scale } => {
            json!({ "shape": num(*shape), "scale": num(*scale), "mean": num(shape * scale), "cv": num(1.0 / shape.sqrt()) })
        }
        Fitted::Erlang { k, scale } => {
            json!({ "k": k, "scale": num(*scale), "mean": num(f64::from(*k) * scale) })
        }
        Fitted::Lognormal { mu, sigma } => {
            json!({ "mu": num(*mu), "sigma": num(*sigma), "mean": num(f.mean()), "cv": num((sigma * sigma).exp_m1().sqrt()) })
        }
        Fitted::Weibull { shape, scale } => json!({ "shape": num(*shape), "scale": num(*scale) }),
        Fitted::Normal { mean, sd } => json!({ "mean": num(*mean), "sd": num(*sd) }),
        Fitted::Triangular { min, mode, max } => {
            json!({ "min": num(*min), "mode": num(*mode), "max": num(*max) })
        }
        Fitted::Uniform { min, max } => json!({ "min": num(*min), "max": num(*max) }),
        Fitted::Constant { value } => json!({ "value": num(*value) }),
        Fitted::Empirical { values, counts } => json!({ "values": values, "weights": counts }),
    }
}

/// `fits.json`: every group with its notes, outliers and every family's
/// fit and scores; times in seconds.
pub fn fits_json(run: &FitRun) -> Value {
    let groups: Vec<Value> = run
        .groups
        .iter()
        .map(|g| {
            let fits: Vec<Value> = g
                .candidates
                .iter()
                .map(|c| {
                    let mut o = json!({ "dist": c.family.name() });
                    match &c.fit {
                        Ok(f) => {
                            o["parameters"] = params_json(f);
                            o["scenario"] = scenario_value(f).map_or(Value::Null, Value::from);
                        }
                        Err(e) => o["not_fitted"] = json!(e),
                    }
                    if let Some(x) = c.fitness {
                        o["log_likelihood"] = num(x.log_likelihood);
                        o["aic"] = num(x.aic);
                        o["bic"] = num(x.bic);
                        o["ks"] = num(x.ks);
                        o["ks_p"] = num(x.ks_p);
                        o["ad"] = num(x.ad);
                        o["ad_p"] = num(x.ad_p);
                    }
                    o
                })
                .collect();
            json!({
                "group": g.key,
                "values": g.values,
                "zeros": g.zeros,
                "missing": g.missing,
                "censored": g.censored,
                "outliers": g.outliers.iter().map(|o| json!({ "row": o.row, "seconds": num(o.value) })).collect::<Vec<_>>(),
                "fences_seconds": g.fences.map(|(a, b)| json!([num(a), num(b)])),
                "best": g.best.family().name(),
                "scenario": scenario_value(&g.best).map(|v| format!("{} = {v}", run.name)),
                "notes": g.notes,
                "fits": fits,
            })
        })
        .collect();
    let refused: Vec<Value> = run
        .refused
        .iter()
        .map(|r| json!({ "group": r.key, "reason": r.reason }))
        .collect();
    json!({
        "file": run.file.display().to_string(),
        "source": run.observations_source,
        "rows": run.rows,
        "ranking": "bic",
        "groups": groups,
        "not_fitted": refused,
    })
}

fn csv_num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// Writes `fits.csv` (one row per group and family, ranked), `fits.json`
/// and the charts (`plots/fit[_<group>].png|svg`) into `dir`, each file
/// atomically; removes fit charts of groups no longer in the data. Returns
/// the chart files' stems.
pub fn write_outputs(dir: &Path, run: &FitRun, plots: bool) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    crate::report::write_atomic(&dir.join("fits.csv"), |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "group",
            "rank",
            "dist",
            "best",
            "values",
            "log_likelihood",
            "aic",
            "bic",
            "ks",
            "ks_p",
            "ad",
            "ad_p",
            "scenario",
            "not_fitted",
        ])
        .map_err(io::Error::other)?;
        for g in &run.groups {
            let mut rank = 0;
            for cand in &g.candidates {
                let f = cand.fitness;
                let rank_s = if f.is_some() {
                    rank += 1;
                    rank.to_string()
                } else {
                    String::new()
                };
                let best = cand.fit.as_ref().ok() == Some(&g.best);
                c.write_record([
                    g.key.clone(),
                    rank_s,
                    cand.family.name().to_string(),
                    if best { "yes".into() } else { String::new() },
                    g.values.to_string(),
                    csv_num(f.map(|x| x.log_likelihood)),
                    csv_num(f.map(|x| x.aic)),
                    csv_num(f.map(|x| x.bic)),
                    csv_num(f.map(|x| x.ks)),
                    csv_num(f.map(|x| x.ks_p)),
                    csv_num(f.map(|x| x.ad)),
                    csv_num(f.map(|x| x.ad_p)),
                    cand.fit
                        .as_ref()
                        .ok()
                        .and_then(scenario_value)
                        .unwrap_or_default(),
                    cand.fit.as_ref().err().cloned().unwrap_or_default(),
                ])
                .map_err(io::Error::other)?;
            }
        }
        c.flush()
    })?;
    let text = serde_json::to_string_pretty(&fits_json(run)).map_err(io::Error::other)?;
    crate::report::write_atomic(&dir.join("fits.json"), |w| {
        w.write_all(text.as_bytes())?;
        w.write_all(b"\n")
    })?;
    let mut stems = Vec::new();
    if plots {
        let mut used = std::collections::BTreeSet::new();
        for g in &run.groups {
            let mut stem = if g.key.is_empty() {
                "fit".to_string()
            } else {
                let clean: String = g
                    .key
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .take(60)
                    .collect();
                format!("fit_{clean}")
            };
            let base = stem.clone();
            let mut k = 2;
            while !used.insert(stem.clone()) {
                stem = format!("{base}_{k}");
                k += 1;
            }
            if let Some(chart) = chart_data(run, g) {
                write_fit_chart(&dir.join("plots"), &stem, &chart)?;
                stems.push(stem);
            }
        }
    }
    remove_stale_charts(&dir.join("plots"), &stems)?;
    Ok(stems)
}

/// Removes `fit*.png|svg` files in `plots` not among `keep`.
fn remove_stale_charts(plots: &Path, keep: &[String]) -> io::Result<()> {
    let Ok(entries) = std::fs::read_dir(plots) else {
        return Ok(());
    };
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if (ext == "png" || ext == "svg")
            && (stem == "fit" || stem.starts_with("fit_"))
            && !keep.iter().any(|k| k == stem)
            && e.file_type()?.is_file()
        {
            std::fs::remove_file(e.path())?;
        }
    }
    Ok(())
}

/// Continuous fits whose densities the histogram shows.
const CURVES: usize = 3;

/// The chart of one group: a histogram up to the 99.5% quantile with the
/// densities of the best continuous fits, and a Q–Q plot of the best
/// continuous fit. `None` when nothing continuous was fitted.
fn chart_data(run: &FitRun, g: &GroupFit) -> Option<FitChart> {
    let x = &g.sample.sorted;
    let n = x.len();
    let ranked: Vec<&Fitted> = g
        .candidates
        .iter()
        .filter(|c| c.fitness.is_some())
        .filter_map(|c| c.fit.as_ref().ok())
        .collect();
    let top = *ranked.first()?;
    let (unit, k) = unit_for(g.sample.mean);
    let q = |p: f64| x[((p * n as f64) as usize).min(n - 1)];
    let lo = 0.0_f64.min(x[0]);
    let hi = q(0.995).max(x[0] + f64::MIN_POSITIVE);
    // Freedman–Diaconis bin width, 10 to 80 bins.
    let iqr = q(0.75) - q(0.25);
    let fd = 2.0 * iqr / (n as f64).cbrt();
    let bins = if fd > 0.0 {
        (((hi - lo) / fd).ceil() as usize).clamp(10, 80)
    } else {
        20
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut beyond = 0;
    for &v in x {
        if v > hi {
            beyond += 1;
            continue;
        }
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    let histogram = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let a = lo + i as f64 * width;
            (a / k, (a + width) / k, c as f64 / (n as f64 * width / k))
        })
        .collect();
    let curves = ranked
        .iter()
        .take(CURVES)
        .map(|f| {
            let pts = (0..=240)
                .map(|i| {
                    let xv = lo + (hi - lo) * f64::from(i) / 240.0;
                    let y = f.pdf(xv) * k;
                    (xv / k, if y.is_finite() { y } else { 0.0 })
                })
                .collect();
            (format!("{} ({})", f.family().name(), short_params(f)), pts)
        })
        .collect();
    let m = n.min(400);
    let qq = (0..m)
        .map(|i| {
            let p = (i as f64 + 0.5) / m as f64;
            (top.quantile(p) / k, q(p) / k)
        })
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let title = if g.key.is_empty() {
        format!("Fitted distributions of {}", run.name)
    } else {
        format!("Fitted distributions of {}: {}", run.name, g.key)
    };
    let mut subtitle = format!("{} values above zero", n);
    if beyond > 0 {
        let _ = write!(
            subtitle,
            "; {beyond} beyond the 99.5% quantile not shown in the histogram"
        );
    }
    if g.best.family() != top.family() {
        let _ = write!(subtitle, "; recommended: {}", g.best.family().name());
    }
    Some(FitChart {
        title,
        subtitle,
        unit: unit.to_string(),
        histogram,
        curves,
        qq,
        qq_name: top.family().name().to_string(),
    })
}
