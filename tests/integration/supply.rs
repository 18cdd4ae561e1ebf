//! Raw materials, stores and suppliers (issue #4).
//!
//! * Closed forms: a base-stock and an (R, Q) store under Poisson demand
//!   with a fixed lead time, against their fill rates.
//! * Conservation in every replication: every unit ordered is received,
//!   rejected or still on order; every unit in stock at the start or
//!   received is consumed or still in stock; every part released is
//!   finished, scrapped, sent out or still in process.
//! * Bad input: negative quantities, shares that do not sum to one, a
//!   material no supplier provides — each refused with its file, line,
//!   column, field and a hint.

use std::path::Path;

use shopfloor::model::simulate;
use shopfloor::scenario::{self, ScenarioError};

use crate::common::scenario;
use crate::theory::{assert_agrees, replicate};

/// P(N ≤ k) for N ~ Poisson(`m`).
fn poisson_cdf(m: f64, k: i64) -> f64 {
    if k < 0 {
        return 0.0;
    }
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..=k {
        term *= m / i as f64;
        sum += term;
    }
    sum
}

/// Fill rate (share of unit demands met from stock at once) of a store
/// facing Poisson demand with mean `m` over its fixed lead time, whose
/// inventory position is uniform on `low..=high` (a base stock S:
/// `S..=S`; (R, Q): `R+1..=R+Q`). A demand is met when the net inventory
/// just before it, the position a lead time ago minus the demand since, is
/// at least 1 (PASTA).
fn fill_rate(m: f64, low: i64, high: i64) -> f64 {
    (low..=high).map(|y| poisson_cdf(m, y - 1)).sum::<f64>() / (high - low + 1) as f64
}

#[test]
fn poisson_helpers_match_hand_values() {
    // P(N ≤ 1) for mean 2: e⁻²(1 + 2) = 0.40601.
    assert!((poisson_cdf(2.0, 1) - 3.0 * (-2.0f64).exp()).abs() < 1e-12);
    assert_eq!(poisson_cdf(2.0, -1), 0.0);
    // Base stock S = 1, lead-time demand mean 2: met iff no demand in the
    // lead time, e⁻².
    assert!((fill_rate(2.0, 1, 1) - (-2.0f64).exp()).abs() < 1e-12);
}

/// Two stores, each used by its own product: parts arrive as a Poisson
/// stream (one a minute), each takes one unit when its (1-second)
/// operation starts on one of 2000 machines — so every arrival is a demand
/// at once, and a demand that finds no stock waits on its machine (a
/// backorder). Suppliers deliver after exactly 10 minutes: lead-time demand
/// is Poisson with mean 10.
#[test]
fn base_stock_and_rq_fill_rates_match_closed_forms() {
    let t = 20_000.0; // observed minutes
    let reps = replicate(&scenario(
        r#"
[simulation]
horizon = "20100m"
warmup = "100m"
replications = 20
seed = 404

[materials.base]
initial_stock = 12
policy = "min_max"            # base stock S = 12: (s, S) = (11, 12)
reorder_point = 11
order_up_to = 12

[materials.rq]
initial_stock = 13
policy = "reorder_point"      # (R, Q) = (8, 5)
reorder_point = 8
order_quantity = 5

[suppliers.base_co]
material = "base"
lead_time = "10m"

[suppliers.rq_co]
material = "rq"
lead_time = "10m"

[stations.a]
machines = 2000
[stations.b]
machines = 2000

[products.pa]
release = { interarrival = { dist = "exponential", mean = "1m" } }
routing = [{ station = "a", process = "1s", materials = { base = 1 } }]
[products.pb]
release = { interarrival = { dist = "exponential", mean = "1m" } }
routing = [{ station = "b", process = "1s", materials = { rq = 1 } }]
"#,
    ));
    let m = 10.0;
    // The warm-up (10 lead times) leaves the net inventory stationary for
    // the base stock (it is S minus the last lead time's demand) and the
    // (R, Q) position uniform to within e⁻¹⁰⁰-ish terms. The fill rate is
    // a ratio of counts over about λT = 20 000 demands: its bias is of
    // order 1/(λT); we allow twice that.
    let bias = 2.0 / t;
    assert_agrees(
        "base stock S = 12, lead-time demand 10: fill rate = P(D ≤ 11)",
        reps.iter().map(|r| r.materials[0].fill_rate),
        fill_rate(m, 12, 12),
        bias,
    );
    assert_agrees(
        "(R, Q) = (8, 5), lead-time demand 10: fill rate = mean of P(D ≤ y − 1), y = 9..13",
        reps.iter().map(|r| r.materials[1].fill_rate),
        fill_rate(m, 9, 13),
        bias,
    );
    // Base stock: one order of one unit per demand; (R, Q): one order of
    // Q per Q demands (to within the order under way at each end).
    for r in &reps {
        let (b, q) = (&r.materials[0], &r.materials[1]);
        assert_eq!(b.orders, b.demanded, "{b:?}");
        assert_eq!(b.ordered, b.demanded, "{b:?}");
        assert_eq!(q.ordered, 5 * q.orders, "{q:?}");
        assert!(q.ordered.abs_diff(q.demanded) <= 5, "{q:?}");
    }
    // Average stock on hand: E[(S − D)⁺] for the base stock.
    let on_hand = (0..12)
        .map(|d| {
            let p = poisson_cdf(m, d) - poisson_cdf(m, d - 1);
            (12 - d) as f64 * p
        })
        .sum::<f64>();
    assert_agrees(
        "base stock: mean stock on hand = E[(S − D)⁺]",
        reps.iter().map(|r| r.materials[0].stock_avg),
        on_hand,
        12.0 * bias,
    );
    for r in &reps {
        for mat in &r.materials {
            assert!(mat.stockouts > 0 && mat.stockout_hours > 0.0, "{mat:?}");
            assert!(mat.stock_min == 0, "{mat:?}");
        }
        // Waiting for material shows as its own machine state.
        let starved: f64 = r.stations[0].state_shares[8];
        assert!(starved > 0.0, "{:?}", r.stations[0]);
    }
}

/// The example plant of `scenarios/supply.toml` (two mills, defects,
/// inspection, late deliveries), run from time 0 so that every unit and
/// part can be accounted for.
fn supply_text(warmup: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/supply.toml"),
    )
    .expect("scenarios/supply.toml is readable");
    text.replace("warmup = \"2w\"", &format!("warmup = \"{warmup}\""))
}

#[test]
fn units_and_parts_are_conserved_in_every_replication() {
    for warmup in ["0s", "2w"] {
        let s = scenario(&supply_text(warmup));
        assert_eq!(s.variants.len(), 5);
        let factories = std::iter::once(&s.factory).chain(s.variants.iter().map(|v| &v.factory));
        for f in factories {
            for rep in 0..s.replications.min(4) {
                let (r, _) = simulate(f, s.seed, u64::from(rep), false);
                for m in &r.materials {
                    assert_eq!(
                        m.on_order_start + m.ordered,
                        m.received + m.rejected + m.on_order_end,
                        "every unit ordered is received, rejected or still on order: {m:?}"
                    );
                    assert_eq!(
                        m.stock_start + m.received,
                        m.consumed + m.stock_end,
                        "every unit in stock or received is consumed or still in stock: {m:?}"
                    );
                    assert!(m.filled <= m.demanded && m.consumed <= m.demanded + 10_000);
                }
                // Suppliers add up to their materials.
                for (i, m) in r.materials.iter().enumerate() {
                    let of: Vec<_> = r
                        .suppliers
                        .iter()
                        .zip(&f.suppliers)
                        .filter(|(_, d)| d.material.0 as usize == i)
                        .map(|(s, _)| s)
                        .collect();
                    assert_eq!(of.iter().map(|s| s.ordered).sum::<u64>(), m.ordered);
                    assert_eq!(of.iter().map(|s| s.rejected).sum::<u64>(), m.rejected);
                    for s in of {
                        assert!(s.rejected <= s.defective, "{s:?}");
                    }
                }
                if warmup == "0s" {
                    assert_eq!(
                        r.released,
                        r.good + r.scrapped + r.parts_outsourced + r.wip_end,
                        "every part released is finished, scrapped, sent out or in process"
                    );
                    for m in &r.materials {
                        assert_eq!(
                            m.stock_start,
                            u64::from(
                                f.materials
                                    .iter()
                                    .find(|x| x.name == m.material)
                                    .unwrap()
                                    .initial_stock
                            )
                        );
                        assert_eq!(m.on_order_start, 0);
                    }
                }
                // The cost lines still add up to the total.
                let c = &r.costs;
                let lines = c.labour_regular
                    + c.labour_overtime
                    + c.materials
                    + c.outsourcing
                    + c.machine_running
                    + c.automation_capital
                    + c.wip_holding
                    + c.stock_holding
                    + c.late_penalty
                    + c.lost_sales
                    + c.raw_materials
                    + c.raw_holding;
                assert!((lines - c.total).abs() <= 1e-9 * c.total.abs().max(1.0));
                let consumed: f64 = r.materials.iter().map(|m| m.consumed_value).sum();
                assert!((consumed - c.raw_materials).abs() <= 1e-9 * consumed.max(1.0));
                let holding: f64 = r.materials.iter().map(|m| m.holding_cost).sum();
                assert!((holding - c.raw_holding).abs() <= 1e-9 * holding.max(1.0));
            }
        }
    }
}

#[test]
fn the_budget_mill_costs_more_downstream_than_the_prime_mill() {
    let s = scenario(&supply_text("2w"));
    let reps = replicate(&s);
    let (budget, prime) = reps.iter().fold((0.0, 0.0), |(b, p), r| {
        (
            b + r.suppliers[0].downstream_cost,
            p + r.suppliers[1].downstream_cost,
        )
    });
    assert!(budget > 2.0 * prime, "budget {budget}, prime {prime}");
    let on_time = |i: usize| {
        let (hit, all) = reps.iter().fold((0.0, 0.0), |(h, a), r| {
            let s = &r.suppliers[i];
            (h + s.on_time * s.deliveries as f64, a + s.deliveries as f64)
        });
        hit / all
    };
    assert!(on_time(0) < on_time(1), "{} {}", on_time(0), on_time(1));
    for r in &reps {
        let b = &r.suppliers[0];
        assert!(b.parts_scrapped > 0 && b.defective > b.rejected, "{b:?}");
    }
    // Same seed, same results, byte for byte.
    let again = simulate(&s.factory, s.seed, 3, false).0;
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&reps[3]).unwrap()
    );
}

// ---- bad input ------------------------------------------------------------

/// A valid plant with one material; each test breaks one thing.
const PLANT: &str = r#"[simulation]
horizon = "1w"

[materials.steel]
initial_stock = 10
policy = "min_max"
reorder_point = 5
order_up_to = 20

[suppliers.mill]
material = "steel"
lead_time = "2d"
price = 3.0

[stations.cut]

[products.part]
release = { interarrival = { dist = "exponential", mean = "1h" } }
routing = [{ station = "cut", process = "20m", materials = { steel = 2 } }]
"#;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

fn only_error(text: &str) -> ScenarioError {
    match scenario::parse(Path::new("plant.toml"), text) {
        Ok(_) => panic!("expected an error in:\n{text}"),
        Err(e) => {
            assert_eq!(e.0.len(), 1, "expected one error, got:\n{e}");
            e.0.into_iter().next().unwrap()
        }
    }
}

fn check(e: &ScenarioError, line: usize, field: &str, message_part: &str, hint_part: &str) {
    let shown = e.to_string();
    assert_eq!(e.file, Path::new("plant.toml"), "{shown}");
    assert_eq!(e.line, line, "wrong line in:\n{shown}");
    assert!(e.column >= 1, "{shown}");
    assert_eq!(e.field, field, "wrong field in:\n{shown}");
    assert!(e.message.contains(message_part), "{shown}");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains(hint_part)),
        "hint should mention {hint_part:?}:\n{shown}"
    );
    assert!(
        shown.contains(&format!("plant.toml:{}:{}", e.line, e.column)),
        "{shown}"
    );
}

#[test]
fn the_plant_is_valid() {
    let s = scenario(PLANT);
    assert_eq!(s.factory.materials.len(), 1);
    assert_eq!(s.factory.suppliers[0].share, 1.0);
}

#[test]
fn negative_quantity_consumed() {
    let text = PLANT.replace("steel = 2 }", "steel = -2 }");
    let e = only_error(&text);
    check(
        &e,
        line_of(&text, "steel = -2"),
        "products.part.routing[0].materials.steel",
        "at least 1",
        "never negative",
    );
}

#[test]
fn negative_initial_stock() {
    let text = PLANT.replace("initial_stock = 10", "initial_stock = -10");
    let e = only_error(&text);
    check(
        &e,
        line_of(&text, "initial_stock"),
        "materials.steel.initial_stock",
        "at least 0",
        "never negative",
    );
}

#[test]
fn shares_must_sum_to_one() {
    let text = PLANT.replace(
        "price = 3.0\n",
        "price = 3.0\nshare = 0.5\n\n[suppliers.forge]\nmaterial = \"steel\"\nlead_time = \"1d\"\nshare = 0.4\n",
    );
    let e = only_error(&text);
    check(
        &e,
        line_of(&text, "share = 0.4"),
        "suppliers.forge.share",
        "sum to 0.9",
        "mill = 0.5, forge = 0.4",
    );
}

#[test]
fn a_material_no_supplier_provides() {
    let text = PLANT.replace("material = \"steel\"", "material = \"steal\"");
    // The supplier names a material that does not exist (did you mean …),
    // and steel is left without a supplier.
    let errors = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0,
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    check(
        &errors[0],
        line_of(&text, "material = \"steal\""),
        "suppliers.mill.material",
        "no material is called \"steal\"",
        "did you mean \"steel\"?",
    );
    let e = &errors[1];
    assert_eq!(e.field, "materials.steel", "{e}");
    assert!(
        e.message
            .contains("no supplier provides material \"steel\""),
        "{e}"
    );
    assert!(
        e.hint.as_deref().unwrap().contains("[suppliers.NAME]"),
        "{e}"
    );
    assert!(e.line >= line_of(&text, "[materials.steel]"), "{e}");
}

#[test]
fn unknown_material_in_a_routing() {
    let text = PLANT.replace("materials = { steel = 2 }", "materials = { stel = 2 }");
    let e = only_error(&text);
    check(
        &e,
        line_of(&text, "stel = 2"),
        "products.part.routing[0].materials.stel",
        "no material is called \"stel\"",
        "did you mean \"steel\"?",
    );
}

#[test]
fn a_policy_missing_its_fields() {
    let text = PLANT.replace("order_up_to = 20", "order_quantity = 20");
    let errors = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0,
    };
    assert!(
        errors
            .iter()
            .any(|e| e.field == "materials.steel.order_quantity"
                && e.hint.as_deref().unwrap().contains("reorder_point")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.field == "materials.steel.order_up_to")
    );
}

#[test]
fn a_late_supplier_needs_its_delay() {
    let text = PLANT.replace("price = 3.0", "price = 3.0\non_time = 0.8");
    let e = only_error(&text);
    check(
        &e,
        line_of(&text, "on_time"),
        "suppliers.mill.on_time",
        "late",
        "late_by",
    );
}

// ---- quality on the floor ---------------------------------------------------

/// One product through `a` then `b` (single machines, exponential 1-minute
/// operations, an order every 2 minutes), with `a_extra` and `b_extra`
/// added to the two operations.
fn quality_plant(a_extra: &str, b_extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "20100m"
warmup = "100m"
replications = 20
seed = 77

[stations.a]
[stations.b]

[products.p]
release = {{ interarrival = {{ dist = "exponential", mean = "2m" }} }}
routing = [
  {{ station = "a", process = {{ dist = "exponential", mean = "1m" }}{a_extra} }},
  {{ station = "b", process = {{ dist = "exponential", mean = "1m" }}{b_extra} }},
]
"#
    )
}

/// Parts cut off at the two ends of the observed window: about the WIP
/// (a few parts) at each end out of ~10 000 finished; twice that.
const EDGE: f64 = 2.0 * 2.0 * 5.0 / 10_000.0;

#[test]
fn a_rework_loop_takes_one_over_one_minus_q_visits() {
    let q = 0.3;
    let reps = replicate(&scenario(&quality_plant(&format!(", rework = {q}"), "")));
    assert_agrees(
        "rework q = 0.3: visits to a per good part = 1/(1 − q)",
        reps.iter()
            .map(|r| r.stations[0].operations as f64 / r.good as f64),
        1.0 / (1.0 - q),
        EDGE,
    );
    assert_agrees(
        "rework q = 0.3: first-pass yield = 1 − q",
        reps.iter().map(|r| r.products[0].first_pass_yield),
        1.0 - q,
        EDGE,
    );
    assert_agrees(
        "rework q = 0.3: good output rate = the arrival rate, 30/h",
        reps.iter().map(|r| r.throughput_per_hour),
        30.0,
        30.0 * EDGE,
    );
    for r in &reps {
        assert_eq!(r.products[0].final_yield, 1.0);
        assert_eq!(r.scrapped, 0);
    }
}

#[test]
fn inspection_scraps_the_defects_it_finds() {
    let (p, d) = (0.2, 0.75);
    let reps = replicate(&scenario(&quality_plant(
        &format!(", defects = {p}"),
        &format!(", inspect = {d}"),
    )));
    assert_agrees(
        "hidden defects p = 0.2, inspection d = 0.75 scraps: final yield = 1 − pd",
        reps.iter().map(|r| r.products[0].final_yield),
        1.0 - p * d,
        EDGE,
    );
    assert_agrees(
        "… escaped defects per good part = p(1 − d)/(1 − pd)",
        reps.iter()
            .map(|r| r.products[0].defects_escaped as f64 / r.products[0].good as f64),
        p * (1.0 - d) / (1.0 - p * d),
        EDGE,
    );
    for r in &reps {
        let pr = &r.products[0];
        // No rework: first pass and final yield agree; every detected
        // defect is a scrapped part.
        assert_eq!(pr.first_pass_yield, pr.final_yield);
        assert_eq!(pr.defects_detected, pr.scrapped);
        assert_eq!(r.stations[1].scrapped, pr.scrapped);
    }
}

#[test]
fn inspection_sends_the_defects_it_finds_back_for_rework() {
    let (p, d) = (0.2, 0.75);
    let reps = replicate(&scenario(&quality_plant(
        &format!(", defects = {p}"),
        &format!(", inspect = {d}, on_defect = \"rework\", rework_to = \"a\""),
    )));
    assert_agrees(
        "inspection d = 0.75 reworks: first-pass yield = 1 − pd",
        reps.iter().map(|r| r.products[0].first_pass_yield),
        1.0 - p * d,
        EDGE,
    );
    assert_agrees(
        "… visits to a per good part = 1/(1 − pd)",
        reps.iter()
            .map(|r| r.stations[0].operations as f64 / r.good as f64),
        1.0 / (1.0 - p * d),
        EDGE,
    );
    for r in &reps {
        assert_eq!(r.products[0].final_yield, 1.0);
        assert_eq!(r.scrapped, 0);
    }
}

#[test]
fn on_defect_needs_an_inspection() {
    let text = quality_plant("", ", on_defect = \"rework\"");
    let e = match scenario::parse(Path::new("plant.toml"), &text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.0.into_iter().next().unwrap(),
    };
    assert_eq!(e.field, "products.p.routing[1].on_defect", "{e}");
    assert_eq!(e.line, line_of(&text, "on_defect"), "{e}");
    assert!(e.hint.as_deref().unwrap().contains("inspect ="), "{e}");
}

#[test]
fn at_most_sixteen_suppliers_per_material() {
    let mut text = PLANT.replace(
        "order_up_to = 20\n",
        "order_up_to = 20\norder_split = \"cheapest\"\n",
    );
    for i in 0..16 {
        text.push_str(&format!(
            "\n[suppliers.extra{i}]\nmaterial = \"steel\"\nlead_time = \"1d\"\n"
        ));
    }
    let e = only_error(&text);
    assert_eq!(e.field, "materials.steel", "{e}");
    assert!(e.message.contains("17 suppliers"), "{e}");
    assert!(e.hint.is_some(), "{e}");
    // Sixteen are fine.
    let fine = text.replace(
        "\n[suppliers.extra15]\nmaterial = \"steel\"\nlead_time = \"1d\"\n",
        "",
    );
    assert_eq!(scenario(&fine).factory.suppliers.len(), 16);
}

// ---- the cost of poor quality ------------------------------------------------

/// Constant times, so that every cost is exact. Each station has one
/// machine; `crew` (4 operators, wage 30/h, always on) staffs every
/// operation. Every 10 minutes (from t = 10 min) one `doomed` part and one
/// `fixed` part arrive:
///
/// - `doomed`: a (2 min, 60/h) then b (3 min, 120/h, scrap = 1): scrapped
///   at 10k + 5 having taken machines 2 + 6 and operators 1 + 1.5, and
///   its material 10.
/// - `fixed`: d (2 min, a hidden defect every time) then c (4 min,
///   30/h), an inspection that always finds it and sends it back to c:
///   the second visit to c, 10k + 6 to 10k + 10, is rework — machine 2
///   and operator 2 — and the part then passes.
///
/// Warm-up 63 min: the doomed part of t = 60 did a (60–62) before it,
/// which is forgotten, and b (62–65) across it, of which 2 min count
/// (machine 4, operator 1). Horizon 601 min: doomed parts k = 6…59 are
/// scrapped in the window (54), and the fixed parts k = 6…59 finish their
/// rework in it (54; the one of t = 50 reworked 56–60, before).
#[test]
fn poor_quality_counts_labour_and_machine_time_sunk_in_scrap_and_rework() {
    let s = scenario(
        r#"
[simulation]
horizon = "601m"
warmup = "63m"
replications = 1
seed = 3

[workers.crew]
count = 4
stations = ["a", "b", "c", "d"]
wage = 30.0

[stations.a]
cost_per_hour = 60.0
[stations.b]
cost_per_hour = 120.0
[stations.c]
cost_per_hour = 30.0
[stations.d]
cost_per_hour = 60.0

[products.doomed]
material_cost = 10.0
release = { interarrival = "10m" }
routing = [
  { station = "a", process = "2m", operators = 1 },
  { station = "b", process = "3m", operators = 1, scrap = 1.0 },
]

[products.fixed]
release = { interarrival = "10m" }
routing = [
  { station = "d", process = "2m", operators = 1, defects = 1.0 },
  { station = "c", process = "4m", operators = 1, inspect = 1.0, on_defect = "rework" },
]
"#,
    );
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let c = &r.costs;
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert_eq!(r.products[0].scrapped, 54, "{r:?}");
    assert_eq!(r.products[1].good, 54, "{r:?}");
    // Doomed: 53 whole parts and the one cut by the warm-up.
    let labour = 53.0 * (2.0 + 3.0) / 60.0 * 30.0 + 2.0 / 60.0 * 30.0;
    let machines = 53.0 * (2.0 / 60.0 * 60.0 + 3.0 / 60.0 * 120.0) + 2.0 / 60.0 * 120.0;
    assert!(near(labour, 133.5) && near(machines, 428.0));
    assert!(near(c.poor_quality_labour, labour), "{c:?}");
    assert!(near(c.poor_quality_machines, machines), "{c:?}");
    assert!(near(c.poor_quality_materials, 54.0 * 10.0), "{c:?}");
    assert!(near(c.scrap_materials, 54.0 * 10.0), "{c:?}");
    // Fixed: 54 rework visits of 4 minutes at 30/h (machine) + 30/h
    // (operator).
    let rework = 54.0 * 4.0 / 60.0 * (30.0 + 30.0);
    assert!(near(c.poor_quality_rework, rework), "{c:?}");
    assert!(near(r.products[1].rework_cost, rework));
    assert!(near(r.products[1].rework_hours, 54.0 * 4.0 / 60.0));
    assert!(near(r.products[0].rework_hours, 0.0));
    assert!(near(r.products[0].poor_quality, 540.0 + labour + machines));
    assert!(near(r.products[1].poor_quality, rework));
    assert!(
        near(c.poor_quality, 540.0 + labour + machines + rework),
        "{c:?}"
    );
    // A part of the lines, not a line: the total is the twelve lines.
    assert!(c.poor_quality < c.total);
}

/// Without any running cost or wage, nothing is tracked and nothing but
/// material is sunk.
#[test]
fn poor_quality_without_rates_is_material_only() {
    let reps = replicate(&scenario(&quality_plant(", scrap = 0.1, rework = 0.2", "")));
    for r in &reps {
        let c = &r.costs;
        assert_eq!(c.poor_quality_labour, 0.0);
        assert_eq!(c.poor_quality_machines, 0.0);
        assert_eq!(c.poor_quality_rework, 0.0);
        assert_eq!(c.poor_quality, c.poor_quality_materials);
        assert!(r.scrapped > 0 && r.reworked > 0);
    }
}

// ---- cheapest with stock -------------------------------------------------------

/// One machine cuts a part every 30 minutes (constant), each taking one
/// sheet of steel when it starts: 48 sheets a day. The store reviews every
/// day (0 h, 24 h, 48 h, …) and orders up to 200; it starts with 200 and
/// deliveries take 1 h. The first cut starts at 0 h, before the first
/// review, which therefore orders 1; the cuts of the next day (48, the one
/// at 24 h coming after the review) less that 1 make the order at 24 h 47,
/// and from 48 h on every review orders 48. `cheap` (price
/// 10) and `dear` (price 12) both supply it under `order_split =
/// "cheapest"`; `cheap_terms` and `dear_terms` are added to them.
fn cheapest_with_stock_plant(horizon: &str, cheap_terms: &str, dear_terms: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{horizon}"
replications = 1
seed = 5

[materials.steel]
initial_stock = 200
policy = "periodic"
review_every = "1d"
order_up_to = 200
order_split = "cheapest"

[suppliers.cheap]
material = "steel"
lead_time = "1h"
price = 10.0
{cheap_terms}

[suppliers.dear]
material = "steel"
lead_time = "1h"
price = 12.0
{dear_terms}

[stations.cut]

[products.part]
release = "saturated"
routing = [{{ station = "cut", process = "30m", materials = {{ steel = 1 }} }}]
"#
    )
}

/// (orders, units) placed with `cheap` and with `dear` by the horizon.
fn orders_by_supplier(text: &str) -> [(u64, u64); 2] {
    let s = scenario(text);
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.materials[0].stockouts, 0, "the line never waits");
    [0, 1].map(|i| (r.suppliers[i].orders, r.suppliers[i].ordered))
}

/// `cheap` holds at most 60 sheets and gets 60 more every 61 h (at 61 h,
/// 122 h, …). By hand:
///
/// | time  | order | cheap's stock before | goes to            | cheap after |
/// |-------|-------|----------------------|--------------------|-------------|
/// | 0 h   | 1     | 60                   | cheap              | 59          |
/// | 24 h  | 47    | 59                   | cheap              | 12          |
/// | 48 h  | 48    | 12                   | dear (cheap short) | 12          |
/// | 61 h  |       | restock: 12 + 60, capped at 60 |          | 60          |
/// | 72 h  | 48    | 60                   | cheap (back)       | 12          |
/// | 96 h  | 48    | 12                   | dear               | 12          |
/// | 120 h | 48    | 12                   | dear               | 12          |
/// | 122 h |       | restock              |                    | 60          |
/// | 144 h | 48    | 60                   | cheap              | 12          |
#[test]
fn cheapest_with_stock_moves_to_the_dearer_supplier_and_back() {
    let cheap = "stock = 60\nrestock = { quantity = 60, every = \"61h\" }";
    let trace = [
        ("30h", [(2, 48), (0, 0)]),
        ("50h", [(2, 48), (1, 48)]),
        ("75h", [(3, 96), (1, 48)]),
        ("100h", [(3, 96), (2, 96)]),
        ("125h", [(3, 96), (3, 144)]),
        ("150h", [(4, 144), (3, 144)]),
    ];
    for (horizon, expected) in trace {
        let got = orders_by_supplier(&cheapest_with_stock_plant(horizon, cheap, ""));
        assert_eq!(got, expected, "by {horizon}");
    }
    // Unlimited stock (the default): every order to the cheapest.
    let got = orders_by_supplier(&cheapest_with_stock_plant("150h", "", ""));
    assert_eq!(got, [(7, 288), (0, 0)]);
}

/// When no supplier can cover an order alone, each sells what it has,
/// cheapest first, and what nobody has is not ordered (the next review
/// orders it again). `cheap` and `dear` hold 30 sheets each, never
/// restocked: the order of 1 at 0 h goes to cheap (29 left); at 24 h
/// nobody covers 47 alone, and it takes 29 from cheap and 18 from dear; at
/// 48 h the order of 48 finds only dear's 12; at 72 h (position
/// 200 − 144 + 60 = 116) nobody has any of the 84.
#[test]
fn cheapest_with_stock_splits_what_nobody_covers_alone() {
    let got = orders_by_supplier(&cheapest_with_stock_plant(
        "100h",
        "stock = 30",
        "stock = 30",
    ));
    assert_eq!(got, [(2, 30), (2, 30)]);
}

#[test]
fn a_restock_needs_a_stock() {
    let text =
        cheapest_with_stock_plant("100h", "restock = { quantity = 60, every = \"61h\" }", "");
    let e = only_error(&text);
    assert_eq!(e.field, "suppliers.cheap.restock", "{e}");
    assert_eq!(e.line, line_of(&text, "restock ="), "{e}");
    assert!(e.hint.as_deref().unwrap().contains("stock ="), "{e}");
}
