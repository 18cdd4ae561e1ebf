//! Lost sales (issue #15 item 9): stores with `on_shortage = "lose"`.
//!
//! - A raw-material store under (R, Q) with deterministic demand and lead
//!   time: the units filled and lost equal a hand count, and so does the
//!   cost line.
//! - A make-to-stock product with deterministic orders and production:
//!   the units lost equal a hand count.
//! - Property, with random demand and supply: every unit demanded is
//!   filled at once or lost, so fill rate + lost share = 1.

use shopfloor::model::{MachineState, simulate};

use crate::common::scenario as parse_ok;

/// One press, one part an hour (at 1h, 2h, …), each taking one unit of
/// steel; the store starts with 5, orders 5 when its position (stock + on
/// order) falls to 0, and the mill delivers 10 h later.
fn steel_plant(on_shortage: &str, horizon: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{horizon}"

[stations.press]
machines = 1

[materials.steel]
unit_cost = 2.0
initial_stock = 5
policy = "reorder_point"
reorder_point = 0
order_quantity = 5
{on_shortage}

[suppliers.mill]
material = "steel"
lead_time = "10h"
price = 2.0

[products.bracket]
release = {{ interarrival = "1h" }}
routing = [{{ station = "press", process = "10m", materials = {{ steel = 1 }} }}]
"#
    )
}

#[test]
fn raw_material_lost_units_match_the_hand_count() {
    // Parts at 1h … 144h (the one at the horizon, 145h, is not served).
    // Hours 1-5 take the 5 in stock; the 5th leaves the position at 0 and
    // orders 5, due at 15h; hours 6-14 find no stock: 9 lost. From 15h the
    // cycle repeats every 14 h (5 filled, 9 lost): 9 cycles to 140h, then
    // 141h-144h take 4 of the next delivery.
    // Filled 5 + 9·5 + 4 = 54, lost 9 + 9·9 = 90.
    let s = parse_ok(&steel_plant(
        "on_shortage = \"lose\"\nlost_sale_cost = 3.0",
        "145h",
    ));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let m = &r.materials[0];
    assert_eq!(m.demanded, 144);
    assert_eq!(m.filled, 54);
    assert_eq!(m.lost, 90);
    assert!(m.loses);
    assert!((m.lost_cost - 270.0).abs() < 1e-9);
    assert!((r.costs.lost_sales - 270.0).abs() < 1e-9);
    // The operation is never held up: every part was pressed and finished.
    assert_eq!(r.good, 144);
    assert_eq!(
        r.stations[0].state_shares[MachineState::StarvedMaterial as usize],
        0.0,
        "never starved for material"
    );
    // Orders: one at 5h and one every 14 h after: 5h, 19h, …, 131h.
    assert_eq!(m.orders, 10);
    // Every unit demanded is filled or lost.
    assert!((m.fill_rate + m.lost as f64 / m.demanded as f64 - 1.0).abs() < 1e-12);
}

#[test]
fn a_backordering_store_loses_nothing() {
    let s = parse_ok(&steel_plant("", "145h"));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let m = &r.materials[0];
    assert_eq!(m.lost, 0);
    assert!(!m.loses);
    assert_eq!(r.costs.lost_sales, 0.0);
    // Parts wait for steel instead: fewer are finished.
    assert!(r.good < 144);
}

#[test]
fn finished_goods_lost_units_match_the_hand_count() {
    // Stock 3; one order of one unit an hour (1h, 2h, …); one machine
    // makes a replacement in 2 h. Hours 1-5 are filled (the stock runs
    // down while parts come back every 2 h from 3h); from 6h on, the stock
    // is empty at even hours (lost) and holds the unit finished just then
    // at odd hours (filled). Orders 1h … 19h: filled 1-5, 7, 9, …, 19
    // (12), lost 6, 8, …, 18 (7).
    let text = r#"
[simulation]
horizon = "20h"

[stations.lathe]
machines = 1

[costs]
lost_sale_penalty = 10.0

[products.shaft]
price = 100.0
stock = 3
on_shortage = "lose"
orders = { interarrival = "1h", quantity = 1, due_in = "1d" }
routing = [{ station = "lathe", process = "2h" }]
"#;
    let s = parse_ok(text);
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let p = &r.products[0];
    assert_eq!(p.units_lost, 7);
    assert_eq!(r.delivery.units_lost, 7);
    assert_eq!(r.delivery.orders_lost, 7);
    assert_eq!(p.delivered, 12);
    assert!((p.fill_rate - 12.0 / 19.0).abs() < 1e-12);
    assert!((r.costs.lost_sales - 70.0).abs() < 1e-9);
    // Nothing is made for a lost unit: one part released per unit filled.
    assert_eq!(p.released, 12);
}

#[test]
fn fill_rate_and_lost_share_add_up_to_one() {
    let text = r#"
[simulation]
horizon = "8w"
warmup = "1w"

[stations.press]
machines = 1

[stations.lathe]
machines = 1

[materials.steel]
initial_stock = 20
policy = "min_max"
reorder_point = 10
order_up_to = 30
on_shortage = "lose"
lost_sale_cost = 1.0

[suppliers.mill]
material = "steel"
lead_time = { dist = "exponential", mean = "1d" }

[products.bracket]
release = { interarrival = { dist = "exponential", mean = "1h" } }
routing = [{ station = "press", process = { dist = "exponential", mean = "40m" }, materials = { steel = 2 } }]

[products.shaft]
stock = 4
on_shortage = "lose"
orders = { interarrival = { dist = "exponential", mean = "3h" }, quantity = { dist = "uniform", min = 1, max = 3 }, due_in = "1d" }
routing = [{ station = "lathe", process = { dist = "exponential", mean = "2h" } }]
"#;
    let s = parse_ok(text);
    for rep in 0..5 {
        let (r, _) = simulate(&s.factory, s.seed, rep, false);
        let m = &r.materials[0];
        assert!(m.lost > 0 && m.filled > 0, "both outcomes occur: {m:?}");
        assert_eq!(m.filled + m.lost, m.demanded);
        assert!((m.fill_rate + m.lost as f64 / m.demanded as f64 - 1.0).abs() < 1e-12);
        let p = &r.products[1];
        assert!(p.units_lost > 0);
        // Units demanded = filled at once + lost; filled = fill rate × demanded.
        let demanded = p.delivered as f64 / p.fill_rate;
        assert!(
            (p.units_lost as f64 / demanded + p.fill_rate - 1.0).abs() < 1e-9,
            "fill rate {} + lost share {} ≠ 1",
            p.fill_rate,
            p.units_lost as f64 / demanded
        );
    }
}
