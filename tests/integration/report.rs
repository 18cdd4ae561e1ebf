//! The decision report a plant manager signs (#16): `run` on decision.toml
//! writes a report.html with the bottleneck verdict and its pool rows, the
//! pools table, service per product, risk across replications, the case
//! for investing, money in the scenario's currency and a list of every
//! file written; risk.csv holds type-7 percentiles of the replications'
//! values; `optimize` sets the plant as written beside the choice.

use std::path::Path;

use assert_cmd::Command;
use shopfloor::stats::quantile_type7;

const DECISION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/decision.toml");

fn shopfloor(args: &[&str]) -> String {
    let out = Command::cargo_bin("shopfloor")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "shopfloor {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The part of `html` from the `<h2>` or `<h3>` with `id` to the next
/// `<h2>`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(" id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    let end = rest[4..].find("<h2").map_or(rest.len(), |e| e + 4);
    &rest[..end]
}

/// The rows of the first table body in `html`.
fn body_rows(html: &str) -> Vec<&str> {
    let start = html.find("<tbody>").expect("a table");
    let end = html[start..].find("</tbody>").unwrap() + start;
    html[start..end].split("<tr").skip(1).collect()
}

/// A CSV file as a header and rows of fields (no quoted commas in these).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn the_decision_report_has_every_section_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let printed = shopfloor(&[
        "run",
        DECISION,
        "--horizon",
        "5w",
        "--warmup",
        "1w",
        "--replications",
        "4",
        "--rank-by",
        "profit",
        "--out",
        out,
    ]);
    let dir = tmp.path().join("decision");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();

    // The printed blocks.
    for words in [
        "service by product",
        "risk across replications",
        "costs over the observed period (EUR)",
        "profit (EUR)",
        "delivered (units/h)",
    ] {
        assert!(printed.contains(words), "the printout lacks {words:?}");
    }

    // The contents link every section.
    for anchor in [
        "#bottleneck",
        "#service",
        "#risk",
        "#investment",
        "#costs",
        "#files",
    ] {
        assert!(html.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }

    // The bottleneck verdict lists pools beside stations, then the pools.
    let bottleneck = section(&html, "bottleneck");
    assert!(bottleneck.contains("operators (people ×6)"), "{bottleneck}");
    assert!(bottleneck.contains("maintenance (people ×1)"));
    let pools = section(&html, "pools");
    assert_eq!(body_rows(pools).len(), 2);

    // Service by product: each shown variant × frame and bracket, in EUR.
    let service = section(&html, "service");
    assert!(service.contains("late penalty (EUR)"), "{service}");
    let rows = body_rows(service);
    assert_eq!(rows.len(), 8 * 2, "every variant × 2 products");
    assert!(rows.iter().any(|r| r.contains(">frame</td>")));
    assert!(rows.iter().any(|r| r.contains(">bracket</td>")));

    // Risk: every variant × profit, on-time, throughput.
    let risk = section(&html, "risk");
    assert_eq!(body_rows(risk).len(), 8 * 3);
    assert!(risk.contains("type 7"));

    // Investment, in EUR.
    let investment = section(&html, "investment");
    assert!(investment.contains("capital (EUR)"), "{investment}");
    assert!(investment.contains("automate-weld"));
    assert!(section(&html, "costs").contains("in EUR"));

    // Files: a link to every file written beside the report.
    let files = section(&html, "files");
    let mut written = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".csv") || name.ends_with(".json") {
            written += 1;
            assert!(
                files.contains(&format!("<a href=\"{name}\">{name}</a>")),
                "the files list lacks {name}"
            );
        }
    }
    assert!(written >= 10, "{written} files");

    // Wide tables scroll inside their container; charts keep their width.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<div class=\"scroll\"><table").count()
    );
    assert_eq!(
        html.matches("<svg ").count(),
        html.matches("<div class=\"scroll chart\"><svg ").count()
    );

    // Money on the charts' axes is in the currency too.
    for chart in ["cost_breakdown", "kpi_comparison"] {
        let svg = std::fs::read_to_string(dir.join(format!("plots/{chart}.svg"))).unwrap();
        assert!(svg.contains("EUR"), "{chart}.svg names no currency");
        assert!(!svg.contains(">money"), "{chart}.svg still says money");
    }

    // risk.csv: type-7 percentiles of each variant's profits in
    // replications.csv, recomputed here; the worst is the lowest.
    let (rh, reps) = csv(&dir.join("replications.csv"));
    let (kh, risks) = csv(&dir.join("risk.csv"));
    let profit_rows: Vec<&Vec<String>> = risks
        .iter()
        .filter(|r| r[col(&kh, "kpi")] == "profit")
        .collect();
    assert_eq!(profit_rows.len(), 8);
    for r in profit_rows {
        let variant = &r[col(&kh, "variant")];
        let values: Vec<f64> = reps
            .iter()
            .filter(|x| &x[col(&rh, "variant")] == variant)
            .map(|x| x[col(&rh, "profit")].parse().unwrap())
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let get = |name: &str| -> f64 { r[col(&kh, name)].parse().unwrap() };
        assert!(close(get("p5"), quantile_type7(&sorted, 0.05)));
        assert!(close(get("p50"), quantile_type7(&sorted, 0.5)));
        assert!(close(get("p95"), quantile_type7(&sorted, 0.95)));
        assert_eq!(get("min"), sorted[0]);
        assert_eq!(get("max"), sorted[3]);
        let worst: usize = r[col(&kh, "worst_replication")].parse().unwrap();
        assert_eq!(values[worst], sorted[0]);
    }

    // products.csv: the penalty is the frames' (brackets carry none in
    // decision.toml), and the products' penalties add up to costs.csv's.
    let (ph, products) = csv(&dir.join("products.csv"));
    let (ch, costs) = csv(&dir.join("costs.csv"));
    for c in &costs {
        let of = |p: &Vec<String>| {
            p[col(&ph, "variant")] == c[col(&ch, "variant")]
                && p[col(&ph, "replication")] == c[col(&ch, "replication")]
        };
        let mut sum = 0.0;
        for p in products.iter().filter(|p| of(p)) {
            let penalty: f64 = p[col(&ph, "late_penalty")].parse().unwrap();
            if p[col(&ph, "product")] == "bracket" {
                assert_eq!(penalty, 0.0);
            }
            sum += penalty;
        }
        let total: f64 = c[col(&ch, "late_penalty")].parse().unwrap();
        assert!(close(sum, total), "{sum} != {total}");
    }

    // summary.json: per variant, per product.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    for v in json["variants"].as_array().unwrap() {
        let p = &v["summary"]["products"][0];
        assert_eq!(p["product"], "frame");
        assert!(p["lead_time_mean_h"]["mean"].is_f64(), "{p}");
        assert!(p["late_penalty"]["mean"].is_f64(), "{p}");
    }
    assert_eq!(json["risk"].as_array().unwrap().len(), 8 * 3);
    assert_eq!(json["currency"], "EUR");
}

/// optimize.html sets the plant as written beside the choice, names the
/// choice in full, and its tables scroll rather than overflow.
#[test]
fn optimize_page_has_the_baseline_beside_the_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let printed = shopfloor(&[
        "optimize",
        DECISION,
        "--horizon",
        "3w",
        "--warmup",
        "1w",
        "--no-plots",
        "--out",
        out,
    ]);
    assert!(printed.contains("(money in EUR)"), "{printed}");
    let html = std::fs::read_to_string(tmp.path().join("decision/optimize/optimize.html")).unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("decision/optimize/optimize.json")).unwrap(),
    )
    .unwrap();
    let chosen = json["chosen"].as_u64().expect("a choice") as usize;
    let name = json["configurations"][chosen]["name"].as_str().unwrap();
    assert!(html.contains(&format!("<h2>Chosen: {name}</h2>")), "{html}");
    assert!(html.contains("Against the plant as it is"));
    assert!(html.contains("baseline (the scenario as written;"));
    assert!(html.contains("name=\"viewport\""));
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<div class=\"scroll\"><table").count()
    );
}

/// `--sensitivity` on a plant without costs reports no profit.
#[test]
fn sensitivity_without_costs_has_no_profit() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bare.toml");
    std::fs::write(
        &file,
        r#"
[simulation]
name = "bare"
horizon = "2d"
replications = 3

[stations.cut]
[stations.weld]

[products.part]
release = { interarrival = { dist = "exponential", mean = "10m" } }
routing = [
  { station = "cut", process = { dist = "exponential", mean = "6m" } },
  { station = "weld", process = { dist = "exponential", mean = "8m" } },
]
"#,
    )
    .unwrap();
    let printed = shopfloor(&[
        "run",
        file.to_str().unwrap(),
        "--sensitivity",
        "--no-plots",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    let block = &printed[printed.find("sensitivities:").expect("a block")..];
    assert!(!block.contains("profit"), "{block}");
    assert!(!block.contains("break-even"), "{block}");
    let csv = std::fs::read_to_string(tmp.path().join("bare/sensitivity.csv")).unwrap();
    assert!(!csv.contains("profit"), "{csv}");
}
