//! `shopfloor fit`: maximum-likelihood fits recover the parameters of
//! known distributions within their sampling error, the ranking picks the
//! true family, the printed line is a valid scenario distribution, and
//! bad data is refused with the file, row and column.
//!
//! Samples are drawn with the simulator's own distributions and random
//! streams (seeded), so the tests check the fits against exactly what a
//! scenario would produce. Tolerances are four standard errors of the
//! maximum-likelihood estimator (asymptotic, from the Fisher information),
//! not tuned to pass.

use std::path::Path;

use assert_cmd::Command;
use shopfloor::engine::{Dist, Stream};
use shopfloor::fit::families::{self, Family, Fitted, Sample};
use shopfloor::fit::{Group, analyse, rank_continuous, scenario_value};

use crate::common::scenario;

const N: usize = 10_000;
const MIN: f64 = 60.0;

fn draws(d: &Dist, seed: u64) -> Vec<f64> {
    let mut s = Stream::new(seed, 0, "fit-test");
    (0..N).map(|_| d.sample(&mut s)).collect()
}

fn sample(d: &Dist, seed: u64) -> Sample {
    Sample::new(draws(d, seed))
}

/// `|got − want| ≤ 4 SE`.
fn close(what: &str, got: f64, want: f64, se: f64) {
    assert!(
        (got - want).abs() <= 4.0 * se,
        "{what}: fitted {got}, true {want}, 4 SE = {}",
        4.0 * se
    );
}

fn fitted(family: Family, s: &Sample) -> Fitted {
    families::fit(family, s).unwrap_or_else(|e| panic!("{family:?}: {e}"))
}

#[test]
fn fits_recover_the_parameters_within_their_standard_errors() {
    let n = N as f64;
    // Exponential: the MLE of the mean is x̄, SE = mean/√n.
    let s = sample(&Dist::exponential(5.0 * MIN).unwrap(), 1);
    let Fitted::Exponential { mean } = fitted(Family::Exponential, &s) else {
        unreachable!()
    };
    close("exponential mean", mean, 300.0, 300.0 / n.sqrt());

    // Gamma, shape k = 2.5: Var(k̂) = k / (n (k ψ'(k) − 1)); the mean is x̄.
    let k: f64 = 2.5;
    let s = sample(&Dist::gamma(5.0 * MIN, 1.0 / k.sqrt()).unwrap(), 2);
    let Fitted::Gamma { shape, scale } = fitted(Family::Gamma, &s) else {
        unreachable!()
    };
    let se_k = (k / (n * (k * families::trigamma(k) - 1.0))).sqrt();
    close("gamma shape", shape, k, se_k);
    close("gamma mean", shape * scale, 300.0, 300.0 / (k * n).sqrt());

    // Erlang k = 3: the whole shape is found exactly.
    let s = sample(&Dist::erlang(2.0 * MIN, 3).unwrap(), 3);
    let Fitted::Erlang { k, scale } = fitted(Family::Erlang, &s) else {
        unreachable!()
    };
    assert_eq!(k, 3);
    close("erlang mean", 3.0 * scale, 120.0, 120.0 / (3.0 * n).sqrt());

    // Lognormal, cv 0.5: μ̂ and σ̂ are the mean and deviation of ln x,
    // SE σ/√n and σ/√(2n).
    let cv: f64 = 0.5;
    let sigma = (1.0 + cv * cv).ln().sqrt();
    let mu = (7.0 * MIN).ln() - sigma * sigma / 2.0;
    let s = sample(&Dist::lognormal(7.0 * MIN, cv).unwrap(), 4);
    let Fitted::Lognormal { mu: m, sigma: sg } = fitted(Family::Lognormal, &s) else {
        unreachable!()
    };
    close("lognormal mu", m, mu, sigma / n.sqrt());
    close("lognormal sigma", sg, sigma, sigma / (2.0 * n).sqrt());

    // Weibull, shape 1.5: Var(k̂) ≈ 0.608 k²/n, Var(λ̂) ≈ 1.109 λ²/(n k²).
    let s = sample(&Dist::weibull(1.5, 10.0 * 3600.0).unwrap(), 5);
    let Fitted::Weibull { shape, scale } = fitted(Family::Weibull, &s) else {
        unreachable!()
    };
    close("weibull shape", shape, 1.5, (0.608 * 1.5 * 1.5 / n).sqrt());
    close(
        "weibull scale",
        scale,
        36_000.0,
        (1.109 / n).sqrt() * 36_000.0 / 1.5,
    );

    // Normal (truncation negligible): SE σ/√n and σ/√(2n).
    let s = sample(&Dist::normal(10.0 * MIN, MIN).unwrap(), 6);
    let Fitted::Normal { mean, sd } = fitted(Family::Normal, &s) else {
        unreachable!()
    };
    close("normal mean", mean, 600.0, 60.0 / n.sqrt());
    close("normal sd", sd, 60.0, 60.0 / (2.0 * n).sqrt());

    // Normal cut hard at zero (mean = sd): the truncated likelihood finds
    // the parameters before truncation, not the sample's mean and sd.
    let s = sample(&Dist::normal(MIN, MIN).unwrap(), 7);
    let Fitted::Normal { mean, sd } = fitted(Family::Normal, &s) else {
        unreachable!()
    };
    // Standard errors from the inverse Fisher information of the normal
    // truncated one deviation below its mean (computed numerically):
    // 1.80 σ/√n for the mean, 1.23 σ/√n for the deviation.
    close("truncated normal mean", mean, 60.0, 1.80 * 60.0 / n.sqrt());
    close("truncated normal sd", sd, 60.0, 1.23 * 60.0 / n.sqrt());
    assert!((s.mean - 60.0).abs() > 10.0, "the sample mean is biased up");

    // Uniform on [4m, 6m]: the bounds' errors are of order range/n.
    let s = sample(&Dist::uniform(4.0 * MIN, 6.0 * MIN).unwrap(), 8);
    let Fitted::Uniform { min, max } = fitted(Family::Uniform, &s) else {
        unreachable!()
    };
    close("uniform min", min, 240.0, 120.0 / n);
    close("uniform max", max, 360.0, 120.0 / n);

    // Triangular (4m, 5m, 8m): the mode's information per value is
    // 1/((c − a)(b − c)), the bounds' errors of order range/n (looser:
    // the density vanishes there, so the extremes lie ~range/√n inside).
    let s = sample(
        &Dist::triangular(4.0 * MIN, 5.0 * MIN, 8.0 * MIN).unwrap(),
        9,
    );
    let Fitted::Triangular { min, mode, max } = fitted(Family::Triangular, &s) else {
        unreachable!()
    };
    close("triangular mode", mode, 300.0, (60.0 * 180.0 / n).sqrt());
    close("triangular min", min, 240.0, 240.0 / n.sqrt());
    close("triangular max", max, 480.0, 240.0 / n.sqrt());
}

/// Clear cases: shapes far enough apart that 10,000 values tell them
/// apart. Not included, because no criterion can separate them: a gamma
/// of whole shape from an Erlang (the same distribution), an exponential
/// from a Weibull or gamma of shape 1, a Weibull of shape ≈ 3.6 from a
/// normal.
fn clear_cases() -> Vec<(Family, Dist)> {
    vec![
        (Family::Exponential, Dist::exponential(5.0 * MIN).unwrap()),
        (Family::Gamma, Dist::gamma(5.0 * MIN, 0.63).unwrap()),
        (Family::Lognormal, Dist::lognormal(5.0 * MIN, 0.5).unwrap()),
        (Family::Weibull, Dist::weibull(2.0, 5.0 * MIN).unwrap()),
        (Family::Normal, Dist::normal(10.0 * MIN, MIN).unwrap()),
        (
            Family::Uniform,
            Dist::uniform(4.0 * MIN, 6.0 * MIN).unwrap(),
        ),
        (
            Family::Triangular,
            Dist::triangular(4.0 * MIN, 5.0 * MIN, 8.0 * MIN).unwrap(),
        ),
    ]
}

#[test]
fn the_true_family_ranks_first_in_at_least_19_of_20_seeds() {
    for (family, dist) in clear_cases() {
        let firsts: Vec<Family> = (100..120)
            .map(|seed| rank_continuous(&sample(&dist, seed))[0].family)
            .collect();
        let right = firsts.iter().filter(|f| **f == family).count();
        assert!(
            right >= 19,
            "{family:?} first in {right} of 20 seeds: {firsts:?}"
        );
    }
    // An Erlang sample: gamma and Erlang are the same family here; the
    // continuous shape always fits at least as well as the whole one.
    let dist = Dist::erlang(MIN, 3).unwrap();
    for seed in 100..120 {
        let first = rank_continuous(&sample(&dist, seed))[0].family;
        assert!(matches!(first, Family::Gamma | Family::Erlang), "{first:?}");
    }
}

fn one_group(values: Vec<f64>) -> Group {
    Group {
        key: String::new(),
        rows: (2..values.len() as u64 + 2).collect(),
        values,
        missing: 0,
        censored: 0,
    }
}

/// The line printed for a fit, pasted into a scenario, validates and
/// gives a distribution of the fitted mean.
fn paste(line: &str) -> Dist {
    let text = format!(
        r#"
[simulation]
horizon = "1d"
replications = 1
seed = 1

[stations.s]
machines = 1

[products.p]
release = {{ interarrival = {{ dist = "exponential", mean = "10m" }} }}
routing = [{{ station = "s", process = {line} }}]
"#
    );
    let sc = scenario(&text);
    sc.factory.products[0].routing[0].process.clone()
}

#[test]
fn the_printed_line_is_a_valid_scenario_distribution() {
    let mut cases = clear_cases();
    cases.push((Family::Erlang, Dist::erlang(MIN, 3).unwrap()));
    for (i, (family, dist)) in cases.into_iter().enumerate() {
        for f in rank_continuous(&sample(&dist, 200 + i as u64)) {
            let Ok(fit) = f.fit else { continue };
            let line = scenario_value(&fit).unwrap();
            let d = paste(&line);
            // Four significant digits; the normal's scenario mean is the
            // one before truncation.
            let want = match fit {
                Fitted::Normal { mean, .. } => mean,
                _ => fit.mean(),
            };
            let rel = (d.mean() - want).abs() / want;
            assert!(
                rel < 1e-3,
                "{family:?} data, {line}: mean {} vs {want}",
                d.mean()
            );
        }
    }
    // Constant and empirical data get their own kinds.
    let g = analyse(&one_group(vec![120.0; 30])).unwrap();
    assert_eq!(g.best, Fitted::Constant { value: 120.0 });
    assert_eq!(paste(&scenario_value(&g.best).unwrap()).mean(), 120.0);
    let emp = Dist::empirical(&[240.0, 300.0, 480.0], &[3.0, 5.0, 2.0]).unwrap();
    let g = analyse(&one_group(draws(&emp, 9))).unwrap();
    let Fitted::Empirical { values, counts } = &g.best else {
        panic!("{:?}", g.best)
    };
    assert_eq!(values, &[240.0, 300.0, 480.0]);
    // Each weight within 4 SE of its probability: √(p(1−p)/n).
    for (c, p) in counts.iter().zip([0.3, 0.5, 0.2]) {
        close(
            "empirical weight",
            *c as f64 / N as f64,
            p,
            (p * (1.0 - p) / N as f64).sqrt(),
        );
    }
    let line = scenario_value(&g.best).unwrap();
    assert!((paste(&line).mean() - emp.mean()).abs() < 4.0 * 86.0 / (N as f64).sqrt());
}

#[test]
fn zeros_outliers_and_few_values_are_reported() {
    let mut v = draws(&Dist::lognormal(5.0 * MIN, 0.3).unwrap(), 11)[..500].to_vec();
    v[10] = 0.0;
    v[20] = 50.0 * 3600.0;
    let g = analyse(&one_group(v)).unwrap();
    assert_eq!(g.zeros, 1);
    assert_eq!(g.sample.len(), 499);
    assert!(
        g.outliers
            .iter()
            .any(|o| o.row == 22 && o.value == 180_000.0)
    );
    let notes = g.notes.join("\n");
    assert!(notes.contains("1 zero value"), "{notes}");
    assert!(notes.contains("outlier"), "{notes}");

    let few = analyse(&one_group(vec![60.0, 70.0, 65.0, 90.0, 81.0])).unwrap();
    assert!(few.notes.iter().any(|n| n.contains("only 5 values")));
    assert!(analyse(&one_group(vec![60.0])).is_err());
}

// ----- the command ---------------------------------------------------------

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn fit_cmd(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::cargo_bin("shopfloor")
        .unwrap()
        .current_dir(dir)
        .arg("fit")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A log of start and end times for two stations.
fn log_csv(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("station,start,end\n");
    let mut s = Stream::new(5, 0, "log");
    let d = Dist::lognormal(7.0 * MIN, 0.3).unwrap();
    let e = Dist::exponential(3.0 * MIN).unwrap();
    let mut t = 0.0;
    for i in 0..400 {
        let (st, dur) = if i % 2 == 0 {
            ("cnc", d.sample(&mut s))
        } else {
            ("saw", e.sample(&mut s))
        };
        let start = t;
        t += dur;
        // Seconds from 2024-03-04T00:00:00Z.
        text.push_str(&format!("{st},{},{}\n", iso(start), iso(t)));
    }
    text.push_str("cnc,2024-03-20T08:00:00,\n");
    write(dir, "log.csv", &text)
}

fn iso(secs: f64) -> String {
    let s = secs.floor() as u64;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let ms = ((secs - s as f64) * 1000.0).floor() as u64;
    format!("2024-03-{:02}T{h:02}:{m:02}:{sec:02}.{ms:03}", 4 + d)
}

#[test]
fn the_command_fits_timestamp_pairs_by_group_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    log_csv(dir.path());
    let args = [
        "log.csv", "--start", "start", "--end", "end", "--by", "station", "--out", "out",
    ];
    let (ok, stdout, stderr) = fit_cmd(dir.path(), &args);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("cnc: 200 values"), "{stdout}");
    assert!(stdout.contains("1 row with a start but no end"), "{stdout}");
    assert!(
        stdout.contains("best: process = { dist = \"lognormal\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("best: process = { dist = \"exponential\""),
        "{stdout}"
    );
    let out = dir.path().join("out/log");
    for f in [
        "fits.csv",
        "fits.json",
        "plots/fit_cnc.png",
        "plots/fit_saw.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let first: Vec<Vec<u8>> = ["fits.csv", "fits.json", "plots/fit_cnc.svg"]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    let (ok, stdout2, _) = fit_cmd(dir.path(), &args);
    assert!(ok);
    assert_eq!(stdout, stdout2);
    for (f, before) in ["fits.csv", "fits.json", "plots/fit_cnc.svg"]
        .iter()
        .zip(first)
    {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), before, "{f} changed");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("fits.json")).unwrap()).unwrap();
    assert_eq!(json["groups"][0]["censored"], 1);
}

#[test]
fn bad_data_is_refused_with_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "a.csv",
            "station,minutes\ncnc,4.5\ncnc,four\n",
            &["--column", "minutes", "--unit", "m"],
            "a.csv, row 3, column `minutes`: `four` is not a duration",
        ),
        (
            "b.csv",
            "station,minutes\ncnc,4.5\n",
            &["--column", "minutes"],
            "b.csv, row 2, column `minutes`: `4.5` has no unit: give --unit",
        ),
        (
            "c.csv",
            "start,end\n2024-03-04T08:00:00,2024-03-04T07:59:00\n",
            &["--start", "start", "--end", "end"],
            "c.csv, row 2, column `end`: the end `2024-03-04T07:59:00` is before the start",
        ),
        (
            "d.csv",
            "start,end\n2024-03-04T08:00:00,2024-02-30T09:00:00\n",
            &["--start", "start", "--end", "end"],
            "d.csv, row 2, column `end`: `2024-02-30T09:00:00` is not a time",
        ),
        (
            "e.csv",
            "station,minutes\ncnc,4m\n,5m\n",
            &["--column", "minutes", "--by", "station"],
            "e.csv, row 3, column `station`: empty group key",
        ),
        (
            "f.csv",
            "station,minutes\ncnc,4m\n",
            &["--column", "minuts"],
            "f.csv, row 1: --column: no column `minuts`; did you mean `minutes`?",
        ),
        (
            "g.csv",
            "station,minutes\ncnc,4m\ncnc,5m,extra\n",
            &["--column", "minutes"],
            "g.csv, row 3: has 3 fields where the header has 2",
        ),
        (
            "h.csv",
            "station,minutes\ncnc,-4m\n",
            &["--column", "minutes"],
            "h.csv, row 2, column `minutes`: `-4m`: a duration cannot be negative",
        ),
        (
            "i.csv",
            "station,minutes\ncnc,4m\n",
            &["--column", "minutes"],
            "no group had enough values",
        ),
        (
            "j.csv",
            "station,minutes\n",
            &["--column", "minutes"],
            "j.csv: has a header but no data rows",
        ),
    ];
    for (name, text, args, want) in cases {
        write(d, name, text);
        let mut a = vec![*name];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--out", "out", "--no-plots"]);
        let (ok, _, stderr) = fit_cmd(d, &a);
        assert!(!ok, "{name} accepted");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let (ok, _, stderr) = fit_cmd(d, &["missing.csv"]);
    assert!(
        !ok && stderr.contains("missing.csv: cannot read"),
        "{stderr}"
    );
}
