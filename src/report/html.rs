//! `report.html`: one self-contained page a manager can open offline — the
//! scenario, the KPI table with confidence intervals, the comparison with
//! the baseline in words, the recommended variant and the charts inline as
//! SVG. No scripts, no external style sheets, fonts or images.

use std::fmt::Write as _;
use std::path::Path;

use super::plots::Chart;
use super::write_atomic;
use crate::engine::format_duration;
use crate::experiment::kpi::{Better, KPIS, kpi};
use crate::experiment::{RunResults, VariantOutcome};
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Results files the report links to when they exist beside it.
const DATA_FILES: [(&str, &str); 5] = [
    (
        "summary.json",
        "every KPI with its confidence interval, the comparisons and the ranking",
    ),
    ("variants.csv", "one row per variant"),
    ("replications.csv", "one row per variant and replication"),
    (
        "stations.csv",
        "one row per variant, replication and station",
    ),
    ("timeseries.csv", "the time series behind the charts"),
];

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Decimals that show a half-width `hw` with two significant digits when
/// its leading digit is 1, else one (so `0.11` and `0.6`, not `0.61`).
fn decimals_for(hw: f64) -> usize {
    if !hw.is_finite() || hw <= 0.0 {
        return 2;
    }
    let mag = hw.log10().floor() as i32;
    let lead = hw / 10f64.powi(mag);
    let digits = if lead < 2.0 { 2 } else { 1 };
    (digits - 1 - mag).clamp(0, 6) as usize
}

/// `12.3 ± 0.45`, the mean to the precision its interval warrants.
fn pm(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    if !e.half_width.is_finite() {
        return format!("{:.*}", decimals_for(e.mean.abs() / 100.0), e.mean);
    }
    let d = decimals_for(e.half_width);
    format!("{:.*} ± {:.*}", d, e.mean, d, e.half_width)
}

/// `+1.85 ± 0.11`, signed (with a typographic minus).
fn signed_pm(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    let s = if !e.half_width.is_finite() {
        format!("{:+.*}", decimals_for(e.mean.abs() / 100.0), e.mean)
    } else {
        let d = decimals_for(e.half_width);
        format!("{:+.*} ± {:.*}", d, e.mean, d, e.half_width)
    };
    s.replacen('-', "−", 1)
}

/// `+16.0%`, signed (with a typographic minus).
fn signed_pct(x: f64) -> String {
    format!("{:+.1}%", 100.0 * x).replacen('-', "−", 1)
}

/// The KPIs in the comparison sentences: name, words, unit.
const SAID: [(&str, &str, &str); 3] = [
    ("throughput_per_hour", "throughput", "parts/h"),
    ("cycle_time_mean_min", "cycle time", "min"),
    ("wip_avg", "WIP", "parts"),
];

/// Whether a paired difference is better, worse or indistinguishable.
fn judge(d: &Estimate, better: Better) -> &'static str {
    if !(d.low.is_finite() && d.high.is_finite()) || (d.low <= 0.0 && 0.0 <= d.high) {
        return "same";
    }
    match (d.mean > 0.0, better) {
        (true, Better::Higher) | (false, Better::Lower) => "better",
        _ => "worse",
    }
}

/// "third-mill: throughput +1.85 ± 0.11 parts/h (+16.0%), cycle time …",
/// as HTML.
fn comparison_sentence(v: &VariantOutcome) -> String {
    // A variant that changes nothing that matters (say, a sweep point equal
    // to the baseline) sees the same random numbers and gives exactly the
    // same results.
    if !v.vs_baseline.is_empty()
        && v.vs_baseline
            .iter()
            .all(|c| c.diff.mean == 0.0 && (c.diff.sd == 0.0 || c.diff.sd.is_nan()))
    {
        return format!(
            "<b>{}</b>: <span class=\"same\">identical to the baseline on every KPI</span>",
            esc(&v.name)
        );
    }
    let parts: Vec<String> = SAID
        .iter()
        .filter_map(|(name, words, unit)| {
            let k = KPIS.iter().position(|k| k.name == *name)?;
            let c = v.vs_baseline.get(k)?;
            let class = judge(&c.diff, KPIS[k].better);
            let rel = if c.relative.is_finite() {
                format!(" ({})", signed_pct(c.relative))
            } else {
                String::new()
            };
            let note = if class == "same" {
                " — no significant difference"
            } else {
                ""
            };
            Some(format!(
                "<span class=\"{class}\">{words} {} {unit}{rel}</span>{note}",
                esc(&signed_pm(&c.diff))
            ))
        })
        .collect();
    format!("<b>{}</b>: {}", esc(&v.name), parts.join(", "))
}

/// The recommendation paragraph.
fn recommendation(results: &RunResults) -> String {
    let r = &results.ranking;
    let Some(&best) = r.order.first() else {
        return "<p>No results.</p>".into();
    };
    let k = kpi(r.kpi);
    let label = k.map(|k| k.label).unwrap_or(r.kpi);
    let b = &results.variants[best];
    let value = k.map(|k| pm(&b.estimate(k))).unwrap_or_default();
    let direction = match r.better {
        Better::Higher => "highest",
        Better::Lower => "lowest",
    };
    let mut out = String::new();
    if results.variants.len() == 1 {
        let _ = write!(
            out,
            "<p>The scenario has no variants: there is nothing to choose between. Add \
             <code>[[variant]]</code> or <code>[[sweep]]</code> tables to compare choices.</p>"
        );
        return out;
    }
    if best == 0 {
        let _ = write!(
            out,
            "<p class=\"rec\">Keep the <b>baseline</b>: no variant has a {direction} {} ({}).</p>",
            esc(label),
            esc(&value)
        );
    } else {
        let _ = write!(
            out,
            "<p class=\"rec\">Recommended: <b>{}</b>, with the {direction} {}: {}.</p>",
            esc(&b.name),
            esc(label),
            esc(&value)
        );
    }
    let ties: Vec<&str> = r
        .order
        .iter()
        .filter(|&&i| i != best && r.indistinguishable_from_best[i])
        .map(|&i| results.variants[i].name.as_str())
        .collect();
    if ties.is_empty() {
        let _ = write!(
            out,
            "<p>It is better than every other variant with 95% confidence (paired \
             comparison on common random numbers).</p>"
        );
    } else {
        let shown: Vec<String> = ties.iter().take(20).map(|t| esc(t)).collect();
        let more = if ties.len() > 20 {
            format!(" and {} more", ties.len() - 20)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<p>Statistically indistinguishable from it on this KPI (the paired 95% \
             confidence interval of the difference contains zero): {}{more}. Choose among \
             them on other grounds, or run more replications to separate them.</p>",
            shown.join(", ")
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">Ranked on <code>{}</code> (change with <code>--rank-by</code>). \
         Of the costs only labour is modelled so far (rank on <code>labour_cost</code> \
         or <code>labour_cost_per_good</code> to weigh it); delivery dates are not modelled yet.</p>",
        esc(r.kpi)
    );
    out
}

/// The KPI table, one row per variant in file order.
fn kpi_table(results: &RunResults) -> String {
    let rank_of = |i: usize| {
        results
            .ranking
            .order
            .iter()
            .position(|&j| j == i)
            .map_or(0, |p| p + 1)
    };
    let best = results.ranking.order.first().copied();
    let mut out = String::from(
        "<table class=\"kpis\">\n<thead><tr><th>rank</th><th>variant</th>\
         <th>throughput<br>(good parts/h)</th><th>good parts</th>\
         <th>cycle time<br>mean (min)</th><th>cycle time<br>p90 (min)</th>\
         <th>WIP<br>(parts)</th><th>scrapped<br>parts</th><th>busiest<br>station</th>\
         <th>changes from the baseline</th></tr></thead>\n<tbody>\n",
    );
    for (i, v) in results.variants.iter().enumerate() {
        let s = &v.summary;
        let changes = if v.overrides.is_empty() {
            "—".to_string()
        } else {
            v.overrides
                .iter()
                .map(|(k, val)| format!("<code>{} = {}</code>", esc(k), esc(val)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let mark = if Some(i) == best && results.variants.len() > 1 {
            " class=\"best\""
        } else {
            ""
        };
        let tie = if results.ranking.indistinguishable_from_best[i] && Some(i) != best {
            "*"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr{mark}><td>{}{tie}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"changes\">{changes}</td></tr>",
            rank_of(i),
            esc(&v.name),
            pm(&s.throughput_per_hour),
            pm(&s.good),
            pm(&s.cycle_time_mean_min),
            pm(&s.cycle_time_p90_min),
            pm(&s.wip_avg),
            pm(&s.scrapped),
            esc(&s.busiest_station),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1400px; padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.meta, .note { color: #555; font-size: 0.92em; }
.rec { font-size: 1.15em; }
table.kpis { border-collapse: collapse; font-size: 0.9em; }
table.kpis th, table.kpis td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right;
       vertical-align: top; }
table.kpis th { background: #f4f4f4; }
table.kpis td { white-space: nowrap; }
table.kpis td.name, table.kpis td.changes { text-align: left; white-space: normal; }
table.kpis tr.best { background: #e8f5ee; }
.better { color: #00684a; }
.worse { color: #b34700; }
.same { color: #666; }
ul.cmp li { margin: 0.25em 0; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; max-width: 60em; }
nav a { margin-right: 1em; }
";

/// The report as HTML. `links` says which relative paths exist (the chart
/// files and the data files), so that the page links only to those.
pub fn report_html(
    scenario: &Scenario,
    results: &RunResults,
    charts: &[Chart],
    links: &dyn Fn(&str) -> bool,
) -> String {
    let f = &scenario.factory;
    let base = results.baseline();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>shopfloor report: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{name}</h1>\n",
        name = esc(&f.name)
    );
    if !scenario.description.is_empty() {
        let _ = writeln!(h, "<p class=\"desc\">{}</p>", esc(&scenario.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} variant{} × {} replication{} of {} (warm-up {}, left out of every \
         KPI), seed {} · scenario hash <code>{}</code> · shopfloor {}</p>",
        results.variants.len(),
        if results.variants.len() == 1 { "" } else { "s" },
        base.summary.replications,
        if base.summary.replications == 1 {
            ""
        } else {
            "s"
        },
        esc(&format_duration(f.horizon)),
        esc(&format_duration(f.warmup)),
        scenario.seed,
        esc(&scenario.hash),
        env!("CARGO_PKG_VERSION"),
    );
    h.push_str(
        "<nav><a href=\"#recommendation\">Recommendation</a><a href=\"#comparison\">Comparison</a>\
         <a href=\"#kpis\">KPIs</a><a href=\"#charts\">Charts</a><a href=\"#files\">Files</a></nav>\n",
    );

    h.push_str("<h2 id=\"recommendation\">Recommendation</h2>\n");
    h.push_str(&recommendation(results));

    if results.variants.len() > 1 {
        h.push_str("<h2 id=\"comparison\">Comparison with the baseline</h2>\n");
        h.push_str(
            "<p class=\"note\">Paired differences from the baseline (variant − baseline), \
             mean ± half-width of the 95% confidence interval, with the relative change of the \
             means; best first. <span class=\"better\">Green</span>: better than the baseline \
             with 95% confidence, <span class=\"worse\">orange</span>: worse, \
             <span class=\"same\">grey</span>: no significant difference.</p>\n<ul class=\"cmp\">\n",
        );
        for &i in results.ranking.order.iter().filter(|&&i| i != 0) {
            let _ = writeln!(h, "<li>{}</li>", comparison_sentence(&results.variants[i]));
        }
        h.push_str("</ul>\n");
    } else {
        h.push_str(
            "<h2 id=\"comparison\">Comparison with the baseline</h2>\n<p>No variants.</p>\n",
        );
    }

    h.push_str("<h2 id=\"kpis\">KPIs per variant</h2>\n");
    h.push_str(
        "<p class=\"note\">Means over the replications ± half-width of the 95% confidence \
         interval, after the warm-up. Rank on the ranking KPI; * marks variants statistically \
         indistinguishable from the best; the recommended row is shaded.</p>\n",
    );
    h.push_str(&kpi_table(results));

    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    if charts.is_empty() {
        h.push_str(
            "<p>No charts were drawn (<code>--no-plots</code>). Draw them from the saved \
             results with <code>shopfloor report DIR</code>.</p>\n",
        );
    }
    for c in charts {
        let _ = write!(
            h,
            "<figure id=\"{stem}\">\n<h3>{title}</h3>\n{svg}\n<figcaption>{about}",
            stem = c.stem,
            title = esc(&c.title),
            svg = c.svg.trim(),
            about = esc(&c.about)
        );
        let files: Vec<String> = ["png", "svg"]
            .iter()
            .map(|ext| format!("plots/{}.{ext}", c.stem))
            .filter(|p| links(p))
            .map(|p| {
                let ext = p.rsplit('.').next().unwrap_or_default().to_uppercase();
                format!("<a href=\"{p}\">{ext}</a>")
            })
            .collect();
        if !files.is_empty() {
            let _ = write!(h, " ({})", files.join(", "));
        }
        h.push_str("</figcaption>\n</figure>\n");
    }

    h.push_str("<h2 id=\"files\">Files</h2>\n<ul>\n");
    for (file, what) in DATA_FILES {
        if links(file) {
            let _ = writeln!(h, "<li><a href=\"{file}\">{file}</a>: {what}</li>");
        }
    }
    h.push_str(
        "</ul>\n<p class=\"note\">The charts are described in <code>docs/plots.md</code>, the \
         files in <code>docs/outputs.md</code> of the shopfloor sources. Re-draw this page \
         from the saved jobs with <code>shopfloor report DIR</code>.</p>\n</body>\n</html>\n",
    );
    h
}

/// Writes `dir/report.html` (atomically), linking only to files that exist
/// in `dir`.
pub fn write_report(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
    charts: &[Chart],
) -> std::io::Result<()> {
    let exists = |rel: &str| dir.join(rel).is_file();
    let html = report_html(scenario, results, charts, &exists);
    write_atomic(&dir.join("report.html"), |w| w.write_all(html.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, hw: f64) -> Estimate {
        Estimate {
            n: 10,
            mean,
            sd: 0.0,
            half_width: hw,
            low: mean - hw,
            high: mean + hw,
        }
    }

    #[test]
    fn formats_to_the_precision_of_the_interval() {
        assert_eq!(signed_pm(&est(1.8512, 0.1123)), "+1.85 ± 0.11");
        assert_eq!(signed_pm(&est(26.93, 0.61)), "+26.9 ± 0.6");
        assert_eq!(signed_pm(&est(-0.93, 0.31)), "−0.9 ± 0.3");
        assert_eq!(signed_pct(-0.0512), "−5.1%");
        assert_eq!(pm(&est(1234.4, 35.2)), "1234 ± 35");
        assert_eq!(pm(&est(0.5, 0.0)), "0.50 ± 0.00");
        assert_eq!(pm(&est(f64::NAN, f64::NAN)), "—");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn judges_direction() {
        assert_eq!(judge(&est(2.0, 1.0), Better::Higher), "better");
        assert_eq!(judge(&est(2.0, 1.0), Better::Lower), "worse");
        assert_eq!(judge(&est(0.5, 1.0), Better::Lower), "same");
    }
}
