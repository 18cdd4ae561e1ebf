//! The calibration check: does the simulated baseline reproduce what the
//! plant actually did?
//!
//! The plant's observed KPIs (`run --observed KPIS.csv`: `kpi,station,value`
//! rows, by the names of the simulator's outputs) are each compared with the
//! 95% *prediction interval* of the baseline over replications — the range
//! in which one new replication (one more period of the plant, if the model
//! is right) falls with 95% probability:
//!
//! mean ± t₀.₉₇₅,ₙ₋₁ · s · √(1 + 1/n)
//!
//! where n is the number of replications, s their sample standard
//! deviation. A confidence interval (± t · s/√n) would be the wrong yard
//! stick: it narrows as replications are added, and would in the end flag
//! every plant period, however well the model fits. An observed value
//! outside the prediction interval is *flagged*: the model does not
//! reproduce it.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::experiment::RunResults;
use crate::experiment::kpi::{KPIS, kpi, kpi_names};
use crate::model::{Factory, MachineState};
use crate::report::write_atomic;
use crate::stats::{Estimate, t_quantile_975};

/// The per-station KPIs `--observed` accepts (the columns of
/// `stations.csv`).
pub fn station_kpi_names() -> Vec<&'static str> {
    let mut v = vec!["utilisation"];
    v.extend(MachineState::ALL.map(MachineState::name));
    v.extend(["queue_avg", "bottleneck_sole", "bottleneck_shifting"]);
    v
}

/// One observed KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observed {
    /// KPI name.
    pub kpi: String,
    /// Station, for a station KPI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// The plant's value.
    pub value: f64,
}

/// Reads the observed KPIs of `path` and checks each name against the
/// baseline `factory`: plant KPIs by the names of `replications.csv`'s KPI
/// columns, station KPIs by those of `stations.csv`.
pub fn read_observed(path: &Path, factory: &Factory) -> Result<Vec<Observed>, String> {
    let bytes = crate::scenario::read_regular(path, 16 << 20)
        .map_err(|e| format!("error: --observed {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("error: --observed {}: not UTF-8 text", path.display()))?;
    parse_observed(path, &text, factory)
}

/// [`read_observed`] on the text of the file.
pub fn parse_observed(path: &Path, text: &str, factory: &Factory) -> Result<Vec<Observed>, String> {
    let at = |row: Option<(u64, u64)>, column: Option<&str>, msg: String| {
        let mut s = format!("error: {}", path.display());
        if let Some((r, l)) = row {
            s.push_str(&format!(", row {r} (line {l})"));
        }
        if let Some(c) = column {
            s.push_str(&format!(", column `{c}`"));
        }
        format!("{s}: {msg}")
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| at(None, None, format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(c_kpi), Some(c_value)) = (col("kpi"), col("value")) else {
        return Err(at(
            None,
            None,
            format!(
                "the header must name the columns `kpi` and `value` (and `station` for station KPIs); it has {}",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let c_station = col("station");
    let stations: Vec<&str> = factory.stations.iter().map(|s| s.name.as_str()).collect();
    let station_kpis = station_kpi_names();
    let mut out: Vec<Observed> = Vec::new();
    let mut seen: Vec<(String, Option<String>, u64)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i as u64 + 1;
        let rec = rec.map_err(|e| {
            at(
                e.position().map(|p| (row, p.line())),
                None,
                format!("not a well-formed CSV row: {e}"),
            )
        })?;
        let here = Some((row, rec.position().map_or(row + 1, |p| p.line())));
        let name = rec.get(c_kpi).unwrap_or("");
        let station = c_station
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let is_station_kpi = station_kpis.contains(&name);
        if kpi(name).is_none() && !is_station_kpi {
            let all: Vec<&str> = kpi_names()
                .into_iter()
                .chain(station_kpis.clone())
                .collect();
            let hint = crate::scenario::did_you_mean(name, all.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    format!(
                        "plant KPIs: {}; station KPIs: {}",
                        kpi_names().join(", "),
                        station_kpis.join(", ")
                    )
                });
            return Err(at(
                here,
                Some("kpi"),
                format!("unknown KPI `{name}`; {hint}"),
            ));
        }
        if let Some(k) = kpi(name)
            && let Some(why) = k.undefined_in(factory)
        {
            return Err(at(
                here,
                Some("kpi"),
                format!("`{name}` has no simulated value: {why} in this scenario"),
            ));
        }
        match (&station, is_station_kpi) {
            (None, true) => {
                return Err(at(
                    here,
                    Some("station"),
                    format!(
                        "`{name}` is a station KPI: name the station in a `station` column (stations: {})",
                        stations.join(", ")
                    ),
                ));
            }
            (Some(s), false) => {
                return Err(at(
                    here,
                    Some("station"),
                    format!("`{name}` is a plant KPI: leave `station` empty (it says `{s}`)"),
                ));
            }
            (Some(s), true) if !stations.contains(&s.as_str()) => {
                let hint = crate::scenario::did_you_mean(s, stations.iter().copied())
                    .map(|x| format!("did you mean `{x}`?"))
                    .unwrap_or_else(|| format!("stations: {}", stations.join(", ")));
                return Err(at(
                    here,
                    Some("station"),
                    format!("unknown station `{s}`; {hint}"),
                ));
            }
            _ => {}
        }
        let raw = rec.get(c_value).unwrap_or("");
        let value: f64 = raw
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                at(
                    here,
                    Some("value"),
                    format!("`{raw}` is not a finite number"),
                )
            })?;
        if let Some((_, _, first)) = seen.iter().find(|(k, s, _)| k == name && *s == station) {
            return Err(at(
                here,
                Some("kpi"),
                format!("`{name}` is observed twice (first in row {first}): give each KPI once"),
            ));
        }
        seen.push((name.to_string(), station.clone(), row));
        out.push(Observed {
            kpi: name.to_string(),
            station,
            value,
        });
    }
    if out.is_empty() {
        return Err(at(None, None, "no observed KPI under the header".into()));
    }
    Ok(out)
}

/// A 95% prediction interval for one new observation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// Replications with a value.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation.
    pub sd: f64,
    /// t₀.₉₇₅,ₙ₋₁ · s · √(1 + 1/n).
    pub half_width: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Prediction {
    /// The prediction interval of `values` (NaNs left out); NaN bounds
    /// below two values.
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Prediction {
        // The replications' mean and deviation, as their confidence
        // interval has them; a new observation adds its own variance.
        let Estimate { n, mean, sd, .. } = Estimate::from_values(values);
        let half_width = if n < 2 {
            f64::NAN
        } else {
            t_quantile_975(n - 1) * sd * (1.0 + 1.0 / n as f64).sqrt()
        };
        Prediction {
            n,
            mean,
            sd,
            half_width,
            low: mean - half_width,
            high: mean + half_width,
        }
    }
}

/// One observed KPI against the simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// KPI name.
    pub kpi: String,
    /// Station, for a station KPI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// The plant's value.
    pub observed: f64,
    /// The baseline's prediction interval.
    pub simulated: Prediction,
    /// True when the observed value lies outside the prediction interval
    /// (or the simulation gives no interval: fewer than two values).
    pub flagged: bool,
}

/// Compares every observed KPI with the baseline's replications.
pub fn check(observed: &[Observed], results: &RunResults) -> io::Result<Vec<Check>> {
    let base = results.baseline();
    // Station KPIs: per replication, from the full results.
    let mut station_values: Vec<Vec<f64>> = vec![Vec::new(); observed.len()];
    if observed.iter().any(|o| o.station.is_some()) {
        results.records.each(0, |r| {
            for (o, vals) in observed.iter().zip(&mut station_values) {
                let Some(s) = &o.station else { continue };
                let Some(st) = r.stations.iter().find(|x| &x.station == s) else {
                    vals.push(f64::NAN);
                    continue;
                };
                let v = match o.kpi.as_str() {
                    "utilisation" => st.utilisation,
                    "queue_avg" => st.queue_avg,
                    "bottleneck_sole" => st.bottleneck_sole,
                    "bottleneck_shifting" => st.bottleneck_shifting,
                    name => MachineState::ALL
                        .iter()
                        .position(|m| m.name() == name)
                        .map_or(f64::NAN, |i| st.state_shares[i]),
                };
                vals.push(v);
            }
            Ok(())
        })?;
    }
    Ok(observed
        .iter()
        .zip(station_values)
        .map(|(o, station_vals)| {
            let simulated = match o.station {
                Some(_) => Prediction::from_values(station_vals),
                None => {
                    let k = KPIS.iter().find(|k| k.name == o.kpi);
                    Prediction::from_values(k.map_or(&[][..], |k| base.values(k)).iter().copied())
                }
            };
            let flagged = !(o.value >= simulated.low && o.value <= simulated.high);
            Check {
                kpi: o.kpi.clone(),
                station: o.station.clone(),
                observed: o.value,
                simulated,
                flagged,
            }
        })
        .collect())
}

fn label(c: &Check) -> String {
    match &c.station {
        Some(s) => format!("{} [{s}]", c.kpi),
        None => c.kpi.clone(),
    }
}

/// Significant digits that show a value to the precision of its interval.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// The printed table of the check.
pub fn table(checks: &[Check]) -> String {
    let rows: Vec<[String; 5]> = checks
        .iter()
        .map(|c| {
            [
                label(c),
                num(c.observed),
                num(c.simulated.mean),
                format!("[{}, {}]", num(c.simulated.low), num(c.simulated.high)),
                if c.flagged {
                    "OUTSIDE".into()
                } else {
                    "ok".into()
                },
            ]
        })
        .collect();
    let head = [
        "KPI",
        "observed",
        "simulated",
        "95% prediction interval",
        "",
    ];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let flagged = checks.iter().filter(|c| c.flagged).count();
    let n = checks.first().map_or(0, |c| c.simulated.n);
    let mut s = format!(
        "\nCalibration: the plant's observed KPIs against the baseline ({n} replications)\n"
    );
    let line = |s: &mut String, cells: [&str; 5]| {
        let l = format!(
            "  {:<a$}  {:>b$}  {:>c$}  {:<d$}  {}\n",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            a = w[0],
            b = w[1],
            c = w[2],
            d = w[3]
        );
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(&mut s, head);
    for r in &rows {
        line(&mut s, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    s.push_str(&if flagged == 0 {
        format!(
            "  all {} observed KPIs lie inside the simulation's 95% prediction intervals\n",
            checks.len()
        )
    } else {
        format!(
            "  {flagged} of {} observed KPIs lie OUTSIDE the simulation's 95% prediction intervals: the model does not reproduce them\n",
            checks.len()
        )
    });
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report's calibration section.
pub fn html_section(checks: &[Check], observed_file: &Path) -> String {
    let mut h = String::from("<h2 id=\"calibration\">Calibration against the plant</h2>\n");
    h.push_str(&format!(
        "<p>The plant's observed KPIs (<code>{}</code>) against the baseline's 95% prediction \
         interval for one new observation: mean ± t<sub>0.975, n−1</sub> · s · √(1 + 1/n) over \
         the n replications. A value outside it is flagged: the model does not reproduce \
         it.</p>\n<table>\n<tr><th>KPI</th><th>station</th><th>observed</th><th>simulated mean</th>\
         <th>95% prediction interval</th><th></th></tr>\n",
        esc(&observed_file.display().to_string())
    ));
    for c in checks {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>\n",
            esc(&c.kpi),
            esc(c.station.as_deref().unwrap_or("")),
            num(c.observed),
            num(c.simulated.mean),
            num(c.simulated.low),
            num(c.simulated.high),
            if c.flagged {
                "<strong>outside</strong>"
            } else {
                "ok"
            }
        ));
    }
    h.push_str("</table>\n");
    h
}

/// Writes the check into the results folder `dir`: `calibration.csv`, a
/// `calibration` array added to `summary.json` and a section added to
/// `report.html` (both rewritten atomically; run this after they were
/// written).
pub fn write(dir: &Path, checks: &[Check], observed_file: &Path) -> io::Result<Vec<PathBuf>> {
    let csv_path = dir.join("calibration.csv");
    write_atomic(&csv_path, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "kpi",
            "station",
            "observed",
            "replications",
            "mean",
            "sd",
            "half_width",
            "low",
            "high",
            "flagged",
        ])?;
        for k in checks {
            let p = &k.simulated;
            c.write_record([
                k.kpi.clone(),
                k.station.clone().unwrap_or_default(),
                k.observed.to_string(),
                p.n.to_string(),
                p.mean.to_string(),
                p.sd.to_string(),
                p.half_width.to_string(),
                p.low.to_string(),
                p.high.to_string(),
                k.flagged.to_string(),
            ])?;
        }
        c.flush()
    })?;
    let mut written = vec![csv_path];
    // summary.json: the array goes in as its last member, leaving the rest
    // of the file (and its key order) as it was.
    let summary = dir.join("summary.json");
    if let Ok(text) = std::fs::read_to_string(&summary)
        && let Some(end) = text.rfind('}')
    {
        let body = text[..end].trim_end();
        let array = serde_json::to_string_pretty(checks)
            .map_err(io::Error::other)?
            .replace('\n', "\n  ");
        let joined = format!("{body},\n  \"calibration\": {array}\n}}\n");
        write_atomic(&summary, |w| w.write_all(joined.as_bytes()))?;
        written.push(summary);
    }
    let report = dir.join("report.html");
    if let Ok(text) = std::fs::read_to_string(&report) {
        let section = html_section(checks, observed_file);
        let at = text
            .find("<h2 id=\"files\">")
            .or_else(|| text.rfind("</body>"))
            .unwrap_or(text.len());
        let joined = format!("{}{section}{}", &text[..at], &text[at..]);
        write_atomic(&report, |w| w.write_all(joined.as_bytes()))?;
        written.push(report);
    }
    Ok(written)
}
