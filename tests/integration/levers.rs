//! Decisions a plant manager can sign: named levers that move several
//! settings at once, the payback of an investment against the plant that
//! differs from it only by the investment, and the price of a machine
//! (its capital, its fixed cost per week, its break-even price).

use std::path::Path;

use assert_cmd::Command;
use shopfloor::experiment;

use crate::common::scenario as parse;

fn run(dir: &Path, name: &str, text: &str, extra: &[&str]) -> String {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let o = Command::cargo_bin("shopfloor")
        .unwrap()
        .args(["run", file.to_str().unwrap(), "--no-plots", "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The printed summary without the line that times the run.
fn without_timing(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|l| !l.contains(" jobs run (") && !l.starts_with("report in "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A staffed two-station plant with random process times and breakdowns,
/// in which adding a welding cell takes a machine, an operator and a
/// higher running cost together.
const CELL_PLANT: &str = r#"
[simulation]
name = "cells"
horizon = "2w"
warmup = "1d"
replications = 6
seed = 11

[workers.ops]
count = 2
stations = ["cut", "weld"]
wage = 30.0

[stations.cut]
machines = 1
cost_per_hour = 5.0

[stations.weld]
machines = 1
buffer = 8
cost_per_hour = 12.0
failures = { time_to_failure = { dist = "exponential", mean = "6h" }, repair = { dist = "exponential", mean = "30m" } }

[products.p]
price = 40.0
material_cost = 10.0
release = { interarrival = { dist = "exponential", mean = "7m" } }
routing = [
  { station = "cut", process = { dist = "uniform", min = "3m", max = "6m" }, operators = 1 },
  { station = "weld", process = { dist = "gamma", mean = "9m", cv = 0.4 }, operators = 1 },
]
"#;

/// A bundled lever gives, byte for byte, the results of the same overrides
/// written out in the variant; a sweep over it gives the baseline (exactly
/// zero differences) and the lever's plant.
#[test]
fn a_lever_is_the_same_as_its_overrides_written_out() {
    let with_lever = format!(
        "{CELL_PLANT}
[levers.second_cell]
\"stations.weld.machines\" = 2
\"workers.ops.count\" = 3
\"stations.weld.cost_per_hour\" = 15.0

[[variant]]
name = \"second-cell\"
\"levers.second_cell\" = true
\"stations.cut.buffer\" = 20
"
    );
    let written_out = format!(
        "{CELL_PLANT}
[[variant]]
name = \"second-cell\"
\"stations.weld.machines\" = 2
\"workers.ops.count\" = 3
\"stations.weld.cost_per_hour\" = 15.0
\"stations.cut.buffer\" = 20
"
    );
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out_a = run(a.path(), "cells", &with_lever, &["--rank-by", "profit"]);
    let out_b = run(b.path(), "cells", &written_out, &["--rank-by", "profit"]);
    assert!(out_a.contains("second-cell"), "{out_a}");
    assert_eq!(without_timing(&out_a), without_timing(&out_b));
    // The files: the same bytes but for the scenario file's hash.
    let dir = |d: &tempfile::TempDir| d.path().join("out/cells");
    let ha = experiment::store::Manifest::of(&parse(&with_lever)).scenario_hash;
    let hb = experiment::store::Manifest::of(&parse(&written_out)).scenario_hash;
    for f in [
        "summary.json",
        "variants.csv",
        "costs.csv",
        "replications.csv",
    ] {
        let x = std::fs::read_to_string(dir(&a).join(f)).unwrap();
        let y = std::fs::read_to_string(dir(&b).join(f)).unwrap();
        assert_eq!(x.replace(&ha, "HASH"), y.replace(&hb, "HASH"), "{f}");
    }

    // A sweep over the lever: `false` is the baseline itself.
    let s = parse(&format!(
        "{CELL_PLANT}
[levers.second_cell]
\"stations.weld.machines\" = 2
\"workers.ops.count\" = 3

[[sweep]]
name = \"grid\"
\"levers.second_cell\" = [false, true]
"
    ));
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "grid(levers.second_cell=false)",
            "grid(levers.second_cell=true)"
        ]
    );
    assert!(s.variants[0].overrides.is_empty());
    assert_eq!(
        s.variants[1].overrides,
        [
            ("stations.weld.machines".to_string(), "2".to_string()),
            ("workers.ops.count".to_string(), "3".to_string())
        ]
    );
    let r = experiment::run(&s);
    for c in &r.variants[1].vs_baseline {
        assert!(
            c.diff.n == 0 || (c.diff.mean == 0.0 && c.diff.half_width == 0.0),
            "{c:?}"
        );
    }
    assert!(
        r.variants[2].vs_baseline[0].diff.mean > 0.0,
        "a second cell adds output"
    );
}

/// A lever with levels sets each field to its level's value, and an
/// `[optimize]` variable over it takes the levels' names.
#[test]
fn a_lever_with_levels_sets_the_levels_values() {
    let s = parse(&format!(
        "{CELL_PLANT}
[levers.cells]
levels = [\"one\", \"two\", \"three\"]
\"stations.weld.machines\" = [1, 2, 3]
\"workers.ops.count\" = [2, 3, 4]

[[variant]]
name = \"three\"
\"levers.cells\" = \"three\"

[optimize]
objective = {{ maximize = \"profit\" }}
indifference = 100

[optimize.variables]
\"levers.cells\" = [\"one\", \"three\"]
\"stations.cut.machines\" = [1, 2]
"
    ));
    let f = &s.variants[0].factory;
    assert_eq!(f.stations[1].machines, 3);
    assert_eq!(f.pools[0].count, 4);
    let spec = s.optimize.as_ref().unwrap();
    assert_eq!(spec.space(), 4);
    assert_eq!(spec.name(2), "levers.cells=three,cut.machines=1");
    let c = s.derive(&spec.name(2), &spec.overrides(2)).unwrap();
    assert_eq!(
        (c.factory.stations[1].machines, c.factory.pools[0].count),
        (3, 4)
    );
}

/// A plant whose one machine makes a part every 10 minutes, never idle
/// (saturated release), sold at 10. A machine costs 1 000 and 168 a week
/// (1 an hour) to keep; investments must pay back within 2 years.
const ONE_MACHINE: &str = r#"
[simulation]
name = "pay"
horizon = "10h"
warmup = "0s"
replications = 2

[stations.a]
capital_per_machine = 1000.0
fixed_cost_per_week = 168.0

[products.p]
release = "saturated"
price = 10.0
routing = [{ station = "a", process = "10m" }]

[costs]
payback_within_years = 2
"#;

/// The payback of a variant that buys a second machine *and* raises the
/// price is judged against the plant that only raises the price, run as
/// an extra, labelled variant. By hand over 10 hours: one machine
/// finishes 59 parts (the 60th at the horizon), two 118. At 12 a part,
/// the comparison earns 708 − 10 of fixed cost = 698, the variant 1 416 −
/// 20 = 1 396: a gain of 698 per 10 hours, 611 448 a year of 8 760 h, so
/// 1 000 pays back in 1 000 / 611 448 years, and pays back within 2 years
/// up to 1 222 896. Against the baseline (one machine at 10: 580) the gain
/// would have been 816 per 10 hours, crediting the machine with the price.
#[test]
fn payback_is_against_the_plant_without_the_investment() {
    let text = format!(
        "{ONE_MACHINE}
[[variant]]
name = \"second-machine-dearer\"
\"stations.a.machines\" = 2
\"products.p.price\" = 12.0
"
    );
    let s = parse(&text);
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["second-machine-dearer", "without-investment(p.price=12.0)"]
    );
    assert_eq!(
        s.variants[0].compare_with.as_deref(),
        Some("without-investment(p.price=12.0)")
    );
    assert_eq!(s.variants[1].compare_with, None);
    let r = experiment::run(&s);
    let a = r.variants[1].investment.as_ref().expect("an investment");
    assert_eq!(a.compared_with, "without-investment(p.price=12.0)");
    assert_eq!(a.stations, ["a"]);
    assert_eq!(a.machines_added.len(), 1);
    assert_eq!(a.machines_added[0].machines, 1);
    assert_eq!(a.capital, 1000.0);
    assert_eq!(a.capital_charge, 0.0);
    let year = 8760.0 / 10.0;
    let gain = (1416.0 - 20.0 - (708.0 - 10.0)) * year;
    assert!(
        (a.operating_gain_per_year.mean - gain).abs() < 1e-6,
        "{a:?}"
    );
    assert!((a.payback_years - 1000.0 / gain).abs() < 1e-12, "{a:?}");
    assert!((a.break_even_capital - 2.0 * gain).abs() < 1e-6, "{a:?}");
    assert!((a.break_even_per_machine.unwrap() - 2.0 * gain).abs() < 1e-6);
    // The fixed costs, line by line: one machine-hour costs 1.
    for (v, fixed) in r.variants.iter().zip([10.0, 20.0, 10.0]) {
        assert!((v.summary.costs.machine_fixed.mean - fixed).abs() < 1e-9);
        assert!((v.summary.costs.total.mean - fixed).abs() < 1e-9);
    }
    // The printed line says what it was compared with.
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), "pay", &text, &[]);
    assert!(
        out.contains(
            "investment in second-machine-dearer: 1 machine at a — capital 1000\n    against without-investment(p.price=12.0): "
        ),
        "{out}"
    );
    let costs = std::fs::read_to_string(dir.path().join("out/pay/costs.csv")).unwrap();
    let header: Vec<&str> = costs.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|c| *c == "machine_fixed").unwrap();
    assert_eq!(header[col - 1], "machine_running");
    let second = costs.lines().nth(3).unwrap();
    assert!(second.starts_with("second-machine-dearer,0,"), "{second}");
    assert_eq!(second.split(',').nth(col), Some("20"));
}

/// The comparison is a variant of the file when one sets the rest, the one
/// `compare_with` names when given, and the baseline when the variant is
/// only the investment; a lever that holds the investment goes whole.
#[test]
fn the_comparison_is_found_named_or_the_baseline() {
    let s = parse(&format!(
        "{ONE_MACHINE}
[levers.line]
\"stations.a.machines\" = 2
\"stations.a.buffer\" = 3

[[variant]]
name = \"dearer\"
\"products.p.price\" = 12.0

[[variant]]
name = \"second-machine-dearer\"
\"stations.a.machines\" = 2
\"products.p.price\" = 12.0

[[variant]]
name = \"second-machine\"
\"stations.a.machines\" = 2

[[variant]]
name = \"named\"
\"stations.a.machines\" = 2
\"products.p.price\" = 12.0
compare_with = \"baseline\"

[[variant]]
name = \"line-dearer\"
\"levers.line\" = true
\"products.p.price\" = 12.0
"
    ));
    let against: Vec<(&str, Option<&str>)> = s
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.compare_with.as_deref()))
        .collect();
    assert_eq!(
        against,
        [
            ("dearer", None),
            ("second-machine-dearer", Some("dearer")),
            ("second-machine", Some("baseline")),
            ("named", Some("baseline")),
            ("line-dearer", Some("dearer")),
        ]
    );
    // A comparison the variant buys nothing beyond: a mistake, located.
    let text = format!(
        "{ONE_MACHINE}
[[variant]]
name = \"second-machine\"
\"stations.a.machines\" = 2

[[variant]]
name = \"same\"
\"stations.a.machines\" = 2
compare_with = \"second-machine\"
"
    );
    let line = text
        .lines()
        .position(|l| l.starts_with("compare_with"))
        .unwrap()
        + 1;
    let err = shopfloor::scenario::parse(Path::new("t.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("t.toml:{line}:16:")), "{err}");
    assert!(
        err.contains("variant \"same\" invests nothing beyond \"second-machine\""),
        "{err}"
    );
}

/// `--sensitivity`'s machine more at the bottleneck: its price, payback
/// and break-even price, from its profit gain by hand. One machine more
/// doubles the output, 59 → 118 parts at 10, and costs 10 more to keep:
/// a gain of 580 per 10 hours, 508 080 a year; at 1 000 it pays back in
/// 1 000 / 508 080 years, and would pay back within 2 years up to
/// 1 016 160.
#[test]
fn a_machine_more_in_the_sensitivities_has_its_price_and_break_even() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), "pay", ONE_MACHINE, &["--sensitivity"]);
    let csv = std::fs::read_to_string(dir.path().join("out/pay/sensitivity.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row = csv
        .lines()
        .find(|l| l.starts_with("+1-machine(a),machine,a,1,profit,"))
        .unwrap_or_else(|| panic!("{csv}"));
    let cell = |name: &str| -> f64 {
        let i = header.iter().position(|c| *c == name).unwrap();
        row.split(',').nth(i).unwrap().parse().unwrap()
    };
    let gain = cell("gain");
    assert_eq!(gain, 118.0 * 10.0 - 20.0 - (59.0 * 10.0 - 10.0));
    let per_year = gain * 8760.0 / 10.0;
    assert!((cell("gain_per_year") - per_year).abs() < 1e-6);
    assert_eq!(cell("price"), 1000.0);
    assert!((cell("payback_years") - 1000.0 / per_year).abs() < 1e-12);
    assert_eq!(cell("payback_within_years"), 2.0);
    for c in [
        "break_even_price",
        "break_even_price_low",
        "break_even_price_high",
    ] {
        assert!((cell(c) - 2.0 * per_year).abs() < 1e-6, "{c}");
    }
    assert!(
        out.contains("one machine more: profit gain per year"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/pay/summary.json")).unwrap())
            .unwrap();
    let m = &json["sensitivity"][0]["machine"];
    assert_eq!(m["price"], 1000.0);
    assert!((m["break_even_price"].as_f64().unwrap() - 2.0 * per_year).abs() < 1e-6);

    // Without a price: no payback, the break-even price all the same.
    let free = ONE_MACHINE.replace("capital_per_machine = 1000.0\n", "");
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), "pay", &free, &["--sensitivity"]);
    assert!(out.contains("— (no price)"), "{out}");
    let csv = std::fs::read_to_string(dir.path().join("out/pay/sensitivity.csv")).unwrap();
    let row = csv.lines().find(|l| l.contains(",profit,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    let at = |name: &str| header.iter().position(|c| *c == name).unwrap();
    assert_eq!(cells[at("price")], "");
    assert_eq!(cells[at("payback_years")], "");
    let be: f64 = cells[at("break_even_price")].parse().unwrap();
    assert!((be - 2.0 * per_year).abs() < 1e-6);
}
