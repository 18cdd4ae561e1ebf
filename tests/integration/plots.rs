//! Charts and the HTML report: every chart is drawn for every example
//! scenario with the expected size and real content, SVGs parse, the report
//! is self-contained and links only to files that exist, drawing is
//! deterministic, and `shopfloor report DIR` re-draws from saved jobs. The
//! charts and sections of orders, costs and investment appear exactly for
//! the scenarios that model them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use shopfloor::engine::HOUR;
use shopfloor::experiment;
use shopfloor::model::{simulate, simulate_traced};
use shopfloor::report::{self, plots};
use shopfloor::scenario::{self, Overrides, Scenario};

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
const STUDY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/line_study.toml");
const DECISION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/decision.toml");

/// Every chart with its size in pixels, in the order drawn.
/// Every chart a run without `--sensitivity` can draw, in report order.
const SIZES: [(&str, (u32, u32)); 12] = [
    ("output_over_time", (1200, 600)),
    ("cumulative_output", (1200, 600)),
    ("kpi_comparison", (1400, 720)),
    ("throughput_vs_cycle_time", (1200, 720)),
    ("on_time_delivery", (1400, 720)),
    ("cost_breakdown", (1400, 720)),
    ("station_states", (1200, 640)),
    ("pool_states", (1200, 640)),
    ("bottleneck_shares", (1200, 640)),
    ("wip_over_time", (1200, 600)),
    ("backlog_over_time", (1200, 600)),
    ("gantt", (1400, 700)),
];

/// Charts that need variants besides the baseline.
const COMPARISONS: [&str; 2] = ["kpi_comparison", "throughput_vs_cycle_time"];

/// Charts that need customer orders.
const DELIVERY: [&str; 2] = ["on_time_delivery", "backlog_over_time"];

/// Charts that need a cost model beyond labour.
const COSTS: [&str; 1] = ["cost_breakdown"];

/// Charts that need worker pools.
const POOLS: [&str; 1] = ["pool_states"];

/// Charts drawn for a scenario with or without variants, orders and costs,
/// in the order drawn.
fn expected_charts(variants: bool, orders: bool, costs: bool, pools: bool) -> Vec<&'static str> {
    SIZES
        .iter()
        .map(|(stem, _)| *stem)
        .filter(|stem| variants || !COMPARISONS.contains(stem))
        .filter(|stem| orders || !DELIVERY.contains(stem))
        .filter(|stem| costs || !COSTS.contains(stem))
        .filter(|stem| pools || !POOLS.contains(stem))
        .collect()
}

/// Whether the baseline of `s` has worker pools of people.
fn staffed(s: &Scenario) -> bool {
    s.factory.pools.iter().any(|p| !p.hidden)
}

/// Whether some variant of `s` takes customer orders.
fn takes_orders(s: &Scenario) -> bool {
    s.all_variants()
        .iter()
        .any(|(_, f)| f.products.iter().any(|p| p.release_is_orders()))
}

/// Whether some variant of `s` has a cost model beyond wages, read from the
/// scenario (the report decides from the results): prices, material or
/// machine costs, raw materials, automation capital, contractors, holding
/// costs or penalties.
fn costed(s: &Scenario) -> bool {
    s.all_variants().iter().any(|(_, f)| {
        let p = &f.policies;
        f.products
            .iter()
            .any(|p| p.price > 0.0 || p.material_cost > 0.0)
            || f.stations
                .iter()
                .any(|s| s.cost_per_hour > 0.0 || s.capital > 0.0)
            || !f.contractors.is_empty()
            || f.materials
                .iter()
                .any(|m| m.unit_cost > 0.0 || m.holding_per_hour > 0.0)
            || [
                p.wip_holding_per_hour,
                p.stock_holding_per_hour,
                p.late_penalty_per_unit_day,
                p.lost_sale_penalty,
            ]
            .iter()
            .any(|&x| x > 0.0)
    })
}

/// Every example scenario, cut short: 2 days, 4 h warm-up, 3 replications.
fn examples() -> Vec<(PathBuf, Scenario)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(SCENARIOS)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
        .into_iter()
        .map(|f| {
            let mut s = scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
            s.apply(&Overrides {
                replications: Some(3),
                seed: None,
                horizon: Some(48.0 * HOUR),
                warmup: Some(4.0 * HOUR),
            })
            .unwrap();
            (f, s)
        })
        .collect()
}

/// Draws every chart and the report of `s` into `dir`, as `run` does.
fn draw(dir: &Path, s: &Scenario) -> Vec<report::Chart> {
    let results = experiment::run(s);
    let stations = report::gantt_stations(&s.factory, &results);
    let (_, trace) = simulate_traced(&report::gantt_factory(&s.factory), s.seed, 0, &stations);
    let charts = report::write_plots(dir, s, &results, Some(&trace)).unwrap();
    report::write_report(dir, s, &results, &charts).unwrap();
    charts
}

/// Width, height and RGB(A) pixels of a PNG file.
fn decode(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// Checks one chart's files: PNG size and content, SVG well-formed with
/// the same size.
fn check_chart(dir: &Path, stem: &str, size: (u32, u32), colors: &[[u8; 3]]) {
    let png_path = dir.join("plots").join(format!("{stem}.png"));
    let (w, h, pixels) = decode(&png_path);
    assert_eq!((w, h), size, "{}", png_path.display());
    let white = pixels.iter().filter(|p| **p == [255, 255, 255]).count();
    let inked = pixels.len() - white;
    assert!(
        inked > pixels.len() / 50,
        "{} is nearly blank: {inked} of {} pixels drawn",
        png_path.display(),
        pixels.len()
    );
    let mut distinct: Vec<[u8; 3]> = pixels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() > 20,
        "{}: only {} colours",
        png_path.display(),
        distinct.len()
    );
    for c in colors {
        assert!(
            pixels.iter().filter(|p| *p == c).count() > 50,
            "{}: no area in colour {c:?}",
            png_path.display()
        );
    }
    let svg_path = dir.join("plots").join(format!("{stem}.svg"));
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", svg_path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(size.0.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(size.1.to_string().as_str()));
    assert!(
        root.descendants()
            .filter(|n| n.has_tag_name("text"))
            .count()
            > 5,
        "{}: no text",
        svg_path.display()
    );
}

/// `name` as it appears in HTML text.
fn escaped(name: &str) -> String {
    name.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Every value of `attr="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Checks report.html: self-contained, links only to files that exist (or
/// anchors on the page), every variant named, every chart inline.
fn check_report(dir: &Path, variants: &[String], charts: usize) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for v in variants {
        assert!(html.contains(&escaped(v)), "report lacks variant {v}");
    }
    let ids = attribute_values(&html, "id");
    for attr in ["href", "src"] {
        for link in attribute_values(&html, attr) {
            if let Some(anchor) = link.strip_prefix('#') {
                assert!(ids.contains(&anchor), "no element with id {anchor}");
            } else {
                assert!(
                    !link.contains("//") && !link.starts_with('/'),
                    "external link {link}"
                );
                assert!(dir.join(link).is_file(), "report links to missing {link}");
            }
        }
    }
    // The only URL allowed is the SVG namespace name, which is never fetched.
    let rest = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!rest.contains("http:") && !rest.contains("https:"));
    assert!(!rest.contains("url(") && !rest.contains("<script") && !rest.contains("@import"));
    assert_eq!(html.matches("<svg ").count(), charts);
}

#[test]
fn every_chart_for_every_example_scenario() {
    // (scenario, orders, costs) of every example.
    let mut seen = Vec::new();
    for (file, s) in examples() {
        let tmp = tempfile::tempdir().unwrap();
        let charts = draw(tmp.path(), &s);
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let (orders, costs) = (takes_orders(&s), costed(&s));
        seen.push((name.clone(), orders, costs));
        let expected = expected_charts(!s.variants.is_empty(), orders, costs, staffed(&s));
        let drawn: Vec<&str> = charts.iter().map(|c| c.stem).collect();
        assert_eq!(drawn, expected, "{}", file.display());
        for c in &charts {
            let size = SIZES.iter().find(|(stem, _)| *stem == c.stem).unwrap().1;
            assert_eq!(c.size, size);
            // The colour of the baseline's line, of "busy" bars and of
            // Pareto-efficient points must cover some pixels.
            // The baseline's colour covers its bars in the delivery chart,
            // materials (orange) part of the cost bars.
            let colors: &[[u8; 3]] = match c.stem {
                "output_over_time" | "wip_over_time" | "cumulative_output" => &[[40, 40, 40]],
                "backlog_over_time" | "on_time_delivery" => &[[40, 40, 40]],
                "station_states" => &[[0, 158, 115]],
                "bottleneck_shares" => &[[180, 40, 40]],
                "throughput_vs_cycle_time" => &[[0, 114, 178]],
                "cost_breakdown" => &[[230, 159, 0]],
                _ => &[],
            };
            check_chart(tmp.path(), c.stem, size, colors);
            let svg =
                std::fs::read_to_string(tmp.path().join(format!("plots/{}.svg", c.stem))).unwrap();
            assert_eq!(svg, c.svg);
        }
        let names: Vec<String> = s
            .all_variants()
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        check_report(tmp.path(), &names, charts.len());
        let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
        let variants = !s.variants.is_empty();
        for (part, present) in [
            ("<h2 id=\"orders\">", orders),
            ("href=\"#orders\"", orders),
            ("href=\"#on_time_delivery\"", orders),
            ("plots/backlog_over_time.svg", orders),
            ("<h2 id=\"costs\">", costs),
            ("href=\"#costs\"", costs),
            ("plots/cost_breakdown.png", costs),
            (
                "Weighed on money and delivery",
                (orders || costs) && variants,
            ),
        ] {
            assert_eq!(html.contains(part), present, "{name}: {part}");
        }
        // (A variant identical to the baseline says nothing of its orders.)
        assert!(orders || !html.contains("orders on time"), "{name}");
        if !orders && !costs {
            // The note of a plant without orders or costs beyond labour.
            assert_eq!(
                html.contains("no customer orders and no costs beyond labour"),
                !s.variants.is_empty(),
                "{name}"
            );
            assert!(!html.contains("id=\"investment\""), "{name}");
        }
    }
    // The examples cover both kinds of page.
    assert!(
        seen.contains(&("decision.toml".to_string(), true, true)),
        "{seen:?}"
    );
    assert!(seen.iter().any(|(_, o, c)| !o && !c), "{seen:?}");
}

/// `scenario` cut short: `hours` long, 4 h warm-up, 3 replications.
fn shortened(path: &str, hours: f64) -> Scenario {
    let mut s = scenario::load(Path::new(path)).unwrap();
    s.apply(&Overrides {
        replications: Some(3),
        seed: None,
        horizon: Some(hours * HOUR),
        warmup: Some(4.0 * HOUR),
    })
    .unwrap();
    s
}

/// The part of `html` from the `<h2>` with `id` to the next `<h2>`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<h2 id=\"{id}\">"))
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

/// decision.toml: the orders, costs and investment sections hold what the
/// results say, the recommendation weighs profit and on-time delivery
/// with confidence intervals, and the new charts are linked.
#[test]
fn orders_costs_and_investment_in_the_report() {
    let s = shortened(DECISION, 3.0 * 168.0);
    let results = experiment::run(&s);
    let tmp = tempfile::tempdir().unwrap();
    let charts = draw(tmp.path(), &s);
    let dir = tmp.path();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let names: Vec<&str> = results.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), 8);

    for stem in ["on_time_delivery", "cost_breakdown", "backlog_over_time"] {
        assert!(charts.iter().any(|c| c.stem == stem), "{stem} not drawn");
        assert!(html.contains(&format!("<figure id=\"{stem}\">")), "{stem}");
        for ext in ["png", "svg"] {
            assert!(
                html.contains(&format!("href=\"plots/{stem}.{ext}\"")),
                "no link to {stem}.{ext}"
            );
        }
    }
    for anchor in ["#orders", "#costs", "#investment"] {
        assert!(
            html.contains(&format!("href=\"{anchor}\"")),
            "nav lacks {anchor}"
        );
    }

    // Orders: one row per variant, every figure named, the charts linked.
    let orders = section(&html, "orders");
    let rows = body_rows(orders);
    assert_eq!(rows.len(), names.len());
    for (row, name) in rows.iter().zip(&names) {
        assert!(row.contains(&format!(">{}</td>", escaped(name))), "{row}");
        // name, completed, on time ×2, tardiness ×2, lead time, backlog,
        // fill rate (brackets are made to stock), lost, outsourced
        assert_eq!(row.matches("<td").count(), 11, "{row}");
    }
    for head in [
        "on time<br>(% of orders)",
        "tardiness<br>mean (h)",
        "lead time<br>mean (h)",
        "backlog<br>(units)",
        "fill rate",
        "lost<br>(units)",
        "outsourced<br>(units)",
    ] {
        assert!(orders.contains(head), "orders table lacks {head}");
    }
    assert!(orders.contains("href=\"#on_time_delivery\""));
    assert!(orders.contains("href=\"#backlog_over_time\""));
    // The last column is what went to the contractor: only variants with
    // the outsourcing lever send work out, and in three weeks some do.
    let mut sent = 0;
    for (row, v) in rows.iter().zip(&results.variants) {
        let out = v.summary.delivery.as_ref().unwrap().units_outsourced.mean;
        let cell = row.rsplit("<td>").next().unwrap();
        assert_eq!(out > 0.0, !cell.starts_with("0.00"), "{row}");
        assert!(out == 0.0 || v.name.contains("outsource"), "{}", v.name);
        sent += usize::from(out > 0.0);
    }
    assert!(sent > 0, "nothing outsourced");

    // Costs: lines × variants, with revenue and profit.
    let costs = section(&html, "costs");
    for name in &names {
        assert!(
            costs.contains(&format!(">{}</th>", escaped(name))),
            "costs lack {name}"
        );
    }
    let rows = body_rows(costs);
    for line in [
        "labour, regular",
        "materials",
        "machine running",
        "automation capital charge",
        "outsourcing",
        "total cost",
        "revenue",
        "profit",
        "profit − baseline (paired)",
        "cost per good unit",
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(&format!("{line}</")))
            .unwrap_or_else(|| panic!("no row {line}"));
        assert_eq!(row.matches("<td").count(), names.len() + 1, "{row}");
    }
    assert!(html.contains("href=\"#cost_breakdown\""));

    // Investment: exactly the variants that automate the weld station,
    // each against the plant without the robots.
    let automating: Vec<(&str, &str)> = results
        .variants
        .iter()
        .filter_map(|v| {
            Some((
                v.name.as_str(),
                v.investment.as_ref()?.compared_with.as_str(),
            ))
        })
        .collect();
    assert_eq!(
        automating,
        [
            ("automate-weld", "baseline"),
            ("automate-weld-5-operators", "5-operators"),
            ("automate+outsource", "outsource"),
        ]
    );
    let auto = section(&html, "investment");
    let rows = body_rows(auto);
    assert_eq!(rows.len(), automating.len());
    for (row, (name, against)) in rows.iter().zip(&automating) {
        assert!(row.contains(&format!(">{}</td>", escaped(name))), "{row}");
        assert!(row.contains(">weld automated</td>"), "{row}");
        assert!(
            row.contains(&format!(">{}</td>", escaped(against))),
            "{row}"
        );
        assert!(row.contains("450,000"), "{row}");
        assert!(row.contains("years") || row.contains("never"), "{row}");
    }

    // The recommendation weighs profit and on-time delivery, with CIs.
    let rec = section(&html, "recommendation");
    assert!(rec.contains("Profit over the observed period"), "{rec}");
    assert!(rec.contains("On-time delivery (share of orders)"), "{rec}");
    assert!(rec.contains("95% CI"), "{rec}");
    assert!(rec.contains("--rank-by"), "{rec}");
    assert!(!rec.contains("no customer orders and no costs"), "{rec}");
    // And the comparison sentences say on-time delivery and profit.
    let cmp = section(&html, "comparison");
    assert_eq!(cmp.matches("orders on time").count(), names.len() - 1);
    assert_eq!(cmp.matches(">profit ").count(), names.len() - 1);
}

/// The charts and report of a scenario with orders and costs are the same
/// whatever the number of threads.
#[test]
fn orders_and_costs_charts_do_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut drawn = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let mut args = vec![
            "run",
            DECISION,
            "-q",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(["--horizon", "4d", "--warmup", "8h", "--replications", "3"]);
        shopfloor(&args);
        drawn.push(listing(&out.join("decision")));
    }
    assert_eq!(drawn[0].len(), 2 * SIZES.len() + 1);
    assert!(
        drawn[0] == drawn[1],
        "threads changed the charts or the report"
    );
}

#[test]
fn same_results_give_identical_files() {
    let mut s = scenario::load(Path::new(STUDY)).unwrap();
    s.apply(&Overrides {
        replications: Some(3),
        seed: None,
        horizon: Some(30.0 * HOUR),
        warmup: Some(2.0 * HOUR),
    })
    .unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    draw(a.path(), &s);
    draw(b.path(), &s);
    let files = listing(a.path());
    assert_eq!(
        files.len(),
        2 * expected_charts(true, false, false, false).len() + 1
    );
    assert_eq!(files, listing(b.path()));
}

/// Relative path → bytes of report.html and every file under plots/.
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(bytes) = std::fs::read(dir.join("report.html")) {
        out.insert("report.html".to_string(), bytes);
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("plots")) {
        for e in entries.flatten() {
            let name = format!("plots/{}", e.file_name().to_string_lossy());
            out.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// A trace record as a comparable tuple (its time to the bit).
type Key = (
    u64,
    &'static str,
    String,
    Option<u32>,
    Option<u64>,
    Option<u64>,
    String,
);

fn key(r: &shopfloor::model::TraceRecord) -> Key {
    (
        r.time_s.to_bits(),
        r.event,
        r.station.clone(),
        r.machine,
        r.part,
        r.order,
        r.product.clone(),
    )
}

/// The Gantt chart simulates only its window: the events up to it are the
/// same as those of the full run (with the warm-up kept or, when it is
/// longer than the window, dropped).
#[test]
fn gantt_window_trace_is_a_prefix_of_the_full_trace() {
    for (file, mut s) in examples() {
        for warmup in [2.0 * HOUR, 12.0 * HOUR] {
            s.factory.warmup = warmup;
            let window = plots::gantt_window(&s.factory);
            let (_, full) = simulate(&s.factory, s.seed, 0, true);
            let (_, cut) = simulate(&report::gantt_factory(&s.factory), s.seed, 0, true);
            let full: Vec<_> = full
                .unwrap()
                .iter()
                .filter(|r| r.time_s < window)
                .map(key)
                .collect();
            let cut: Vec<_> = cut
                .unwrap()
                .iter()
                .filter(|r| r.time_s < window)
                .map(key)
                .collect();
            assert!(!full.is_empty(), "{}", file.display());
            assert!(full == cut, "{}: traces differ", file.display());
        }
    }
}

/// A trace of some stations is the full trace without the other stations'
/// events (shift and order events kept), and the run is the same.
#[test]
fn a_trace_of_some_stations_is_the_full_trace_filtered() {
    for (file, s) in examples() {
        let n = s.factory.stations.len();
        let keep: Vec<bool> = (0..n).map(|i| i % 2 == 1).collect();
        let (r_full, full) = simulate(&s.factory, s.seed, 0, true);
        let (r_some, some) = simulate_traced(&s.factory, s.seed, 0, &keep);
        assert_eq!(r_full.events, r_some.events, "{}", file.display());
        assert_eq!(r_full.good, r_some.good, "{}", file.display());
        let kept = |r: &&shopfloor::model::TraceRecord| {
            r.station.is_empty()
                || s.factory
                    .stations
                    .iter()
                    .zip(&keep)
                    .any(|(st, &k)| k && st.name == r.station)
        };
        let full = full.unwrap();
        let expected: Vec<_> = full.iter().filter(kept).map(key).collect();
        let got: Vec<_> = some.iter().map(key).collect();
        assert!(
            n < 2 || got.len() < full.len(),
            "{}: nothing left out",
            file.display()
        );
        assert!(expected == got, "{}: traces differ", file.display());
    }
}

/// A plant of 120 one-machine stations, one of them slower than the rest:
/// the per-station charts draw at most MAX_ROWS rows, the Gantt chart the
/// machines of the stations most often the bottleneck (the slow one among
/// them), and every chart says how many it shows.
#[test]
fn charts_of_a_large_plant_show_the_stations_that_matter() {
    use std::fmt::Write as _;
    let n = 120;
    let mut t = String::from("[simulation]\nhorizon = \"2d\"\nreplications = 2\nseed = 3\n\n");
    for i in 0..n {
        writeln!(t, "[stations.s{i}]\nbuffer = 3\n").unwrap();
    }
    t.push_str("[products.part]\nrelease = \"saturated\"\nrouting = [\n");
    for i in 0..n {
        let mean = if i == 77 { "1.5m" } else { "1m" };
        writeln!(
            t,
            "  {{ station = \"s{i}\", process = {{ dist = \"exponential\", mean = \"{mean}\" }} }},"
        )
        .unwrap();
    }
    t.push_str("]\n");
    let s = crate::common::scenario(&t);
    let results = experiment::run(&s);
    assert_eq!(results.baseline().summary.bottleneck, "s77");
    let shown = report::gantt_stations(&s.factory, &results);
    assert_eq!(shown.iter().filter(|&&k| k).count(), plots::MAX_ROWS);
    assert!(shown[77], "the bottleneck's machine is drawn");
    let dir = tempfile::tempdir().unwrap();
    let charts = draw(dir.path(), &s);
    let svg = |stem: &str| {
        &charts
            .iter()
            .find(|c| c.stem == stem)
            .unwrap_or_else(|| panic!("no {stem} chart"))
            .svg
    };
    // Row labels are drawn as text lines of their own: s77 and at most
    // MAX_ROWS stations.
    for stem in ["station_states", "bottleneck_shares", "gantt"] {
        let labels = (0..n)
            .filter(|i| {
                svg(stem).contains(&format!("\ns{i}\n")) || svg(stem).contains(&format!("\ns{i} ("))
            })
            .count();
        assert!(labels <= plots::MAX_ROWS, "{stem}: {labels} rows");
        assert!(
            svg(stem).contains("\ns77"),
            "{stem}: the bottleneck is drawn"
        );
    }
    assert!(svg("station_states").contains(&format!("{} of {n} shown", plots::MAX_ROWS)));
    assert!(svg("gantt").contains(&format!("{} of {n} machines", plots::MAX_ROWS)));
}

#[test]
fn pareto_front_keeps_the_undominated() {
    // (cycle time, throughput): smaller x and larger y are better.
    let pts = [
        (40.0, 12.0),
        (50.0, 13.0),
        (45.0, 11.0),
        (50.0, 12.5),
        (60.0, 13.0),
        (f64::NAN, 20.0),
        (40.0, 12.0),
    ];
    assert_eq!(
        plots::pareto_front(&pts),
        [true, true, false, false, false, false, true]
    );
}

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

const SHORT: [&str; 6] = ["--horizon", "30h", "--warmup", "2h", "--replications", "3"];

/// `run` draws; `report DIR` re-draws the same files from the saved jobs;
/// shards merged give the same charts; `--no-plots` skips them.
#[test]
fn cli_run_report_merge_and_no_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = |name: &str| tmp.path().join(name);
    let run_out = out("run");
    let mut args = vec!["run", STUDY, "-q", "--out", run_out.to_str().unwrap()];
    args.extend(SHORT);
    shopfloor(&args);
    let dir = run_out.join("line_study");
    let drawn = listing(&dir);
    let charts = expected_charts(true, false, false, false).len();
    assert_eq!(drawn.len(), 2 * charts + 1);
    let s = scenario::load(Path::new(STUDY)).unwrap();
    let names: Vec<String> = s
        .all_variants()
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    check_report(&dir, &names, charts);

    // Re-draw from the saved jobs alone.
    std::fs::remove_dir_all(dir.join("plots")).unwrap();
    std::fs::remove_file(dir.join("report.html")).unwrap();
    let said = shopfloor(&["report", dir.to_str().unwrap()]);
    assert!(said.contains("report.html"), "{said}");
    assert!(listing(&dir) == drawn, "report DIR drew different files");

    // Shards, merged, draw the same charts.
    let mut shards = Vec::new();
    for k in 0..2 {
        let d = out(&format!("shard{k}"));
        let shard = format!("{k}/2");
        let mut args = vec![
            "run",
            STUDY,
            "-q",
            "--shard",
            &shard,
            "--out",
            d.to_str().unwrap(),
        ];
        args.extend(SHORT);
        shopfloor(&args);
        shards.push(d.join("line_study").to_str().unwrap().to_string());
    }
    let merged_out = out("merged");
    let mut margs: Vec<&str> = vec!["merge", "-q", "--out", merged_out.to_str().unwrap()];
    margs.extend(shards.iter().map(String::as_str));
    shopfloor(&margs);
    assert!(
        listing(&merged_out.join("line_study")) == drawn,
        "merged shards drew different files"
    );

    // --no-plots: the report without charts, no plots folder.
    let bare_out = out("bare");
    let mut args = vec![
        "run",
        STUDY,
        "-q",
        "--no-plots",
        "--out",
        bare_out.to_str().unwrap(),
    ];
    args.extend(SHORT);
    shopfloor(&args);
    let bare = bare_out.join("line_study");
    assert!(!bare.join("plots").exists());
    check_report(&bare, &names, 0);
    let html = std::fs::read_to_string(bare.join("report.html")).unwrap();
    assert!(html.contains("--no-plots"));
    // --no-plots over an earlier run's charts removes them: they would not
    // match the new results.
    let mut args = vec![
        "run",
        STUDY,
        "-q",
        "--no-plots",
        "--out",
        run_out.to_str().unwrap(),
    ];
    args.extend(SHORT);
    shopfloor(&args);
    assert!(!dir.join("plots").exists());
    let bare_merged = out("bare-merged");
    let mut margs: Vec<&str> = vec![
        "merge",
        "-q",
        "--no-plots",
        "--out",
        bare_merged.to_str().unwrap(),
    ];
    margs.extend(shards.iter().map(String::as_str));
    shopfloor(&margs);
    assert!(!bare_merged.join("line_study/plots").exists());
    assert!(bare_merged.join("line_study/report.html").is_file());
}

#[test]
fn report_refuses_a_folder_without_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("shopfloor")
        .unwrap()
        .args(["report", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("manifest.json"), "{msg}");
}

/// A headless Chromium on the PATH, if any.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium-headless-shell", "chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// The report loads in headless Chromium (Debian's `chromium-headless-shell`
/// or `chromium` package) without console errors, with every chart. Skipped
/// when no Chromium is installed, unless SHOPFLOOR_REQUIRE_CHROMIUM is set.
#[test]
fn report_loads_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("SHOPFLOOR_REQUIRE_CHROMIUM").is_none(),
            "SHOPFLOOR_REQUIRE_CHROMIUM is set but no chromium is on the PATH"
        );
        eprintln!("no headless Chromium on the PATH: report_loads_in_headless_chromium skipped");
        return;
    };
    // line_study, and decision for the sections of orders, costs and
    // investment.
    for (path, name, hours) in [(STUDY, "line_study", 30.0), (DECISION, "decision", 96.0)] {
        let s = shortened(path, hours);
        let tmp = tempfile::tempdir().unwrap();
        let charts = draw(tmp.path(), &s);
        let url = format!("file://{}", tmp.path().join("report.html").display());
        let out = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                &url,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(dom.contains(&format!("<h1>{name}</h1>")), "{dom}");
        assert_eq!(dom.matches("<svg ").count(), charts.len());
        let errors: Vec<&str> = std::str::from_utf8(&out.stderr)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("report.html"))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}
