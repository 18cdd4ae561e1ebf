//! Service per product: each product's on-time share, order lead time and
//! late-delivery penalty (`products.csv`, the "service by product" block),
//! and a product's own `late_penalty_per_unit_day`.

use shopfloor::model::simulate;

use crate::common::scenario;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A plant where every `slow` order is late by exactly two hours and no
/// `quick` order is late: each product has its own machine, orders of one
/// unit arrive every 10 h (longer than either operation, so no order ever
/// waits), `slow` takes 3 h against a due date 1 h after arrival, `quick`
/// takes 30 min against 2 h.
const HAND: &str = r#"
[simulation]
horizon = "10d"
replications = 1

[stations.oven]
[stations.press]

[products.slow]
price = 100.0
orders = { interarrival = "10h", due_in = "1h" }
routing = [{ station = "oven", process = "3h" }]
late_penalty_per_unit_day = 48.0

[products.quick]
price = 10.0
orders = { interarrival = "10h", due_in = "2h" }
routing = [{ station = "press", process = "30m" }]

[costs]
late_penalty_per_unit_day = 1000.0
"#;

/// Hand calculation: each `slow` order is 2 h = 1/12 day late, one unit at
/// its own rate of 48 per unit-day: 4 per order; its lead time is 3 h and
/// none is on time. `quick` is always on time, lead time 30 min, no
/// penalty (the plant's rate of 1000 never applies). The plant's penalty
/// is the sum of the products'.
#[test]
fn late_penalty_per_product_matches_the_hand_calculation() {
    let s = scenario(HAND);
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let (slow, quick) = (&r.products[0], &r.products[1]);
    assert!(slow.orders_completed >= 20, "{slow:?}");
    assert_eq!(slow.on_time_orders, 0.0);
    assert!(close(slow.lead_time_mean_h, 3.0), "{slow:?}");
    assert!(
        close(slow.late_penalty, 4.0 * slow.orders_completed as f64),
        "{} for {} orders",
        slow.late_penalty,
        slow.orders_completed
    );
    assert!(quick.orders_completed >= 20, "{quick:?}");
    assert_eq!(quick.on_time_orders, 1.0);
    assert!(close(quick.lead_time_mean_h, 0.5), "{quick:?}");
    assert_eq!(quick.late_penalty, 0.0);
    assert!(close(r.costs.late_penalty, slow.late_penalty));
    // Without the product's own rate the plant's applies: 1000/12 per order.
    let s = scenario(&HAND.replace("late_penalty_per_unit_day = 48.0", ""));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let slow = &r.products[0];
    assert!(close(
        slow.late_penalty,
        1000.0 / 12.0 * slow.orders_completed as f64
    ));
    assert!(close(r.costs.late_penalty, slow.late_penalty));
}

/// Two products with random orders, each on its own stations: one
/// product's service (orders completed, on-time share, lead time, late
/// penalty) is exactly that of a plant making it alone, since its orders,
/// its machines and its random streams (named by product and station) are
/// the same — a property, whatever the numbers.
const TWO: &str = r#"
[simulation]
horizon = "6w"
warmup = "1w"
replications = 1
seed = 11

[stations.saw]
machines = 2
[stations.weld]
[stations.lathe]

[products.frame]
price = 500.0
orders = { interarrival = { dist = "exponential", mean = "2h" }, quantity = { dist = "uniform", min = 1, max = 5 }, due_in = "3h" }
routing = [
  { station = "saw", process = { dist = "exponential", mean = "10m" } },
  { station = "weld", process = { dist = "gamma", mean = "18m", cv = 0.5 } },
]
late_penalty_per_unit_day = 25.0

[products.shaft]
price = 80.0
orders = { interarrival = { dist = "exponential", mean = "1h" }, quantity = { dist = "uniform", min = 1, max = 3 }, due_in = "8h" }
routing = [{ station = "lathe", process = { dist = "exponential", mean = "25m" } }]

[costs]
late_penalty_per_unit_day = 5.0
"#;

/// The TWO plant without `shaft` (its section and its station).
fn frame_alone() -> String {
    let start = TWO.find("[products.shaft]").unwrap();
    let end = TWO.find("[costs]").unwrap();
    let mut t = format!("{}{}", &TWO[..start], &TWO[end..]);
    t = t.replace("[stations.lathe]\n", "");
    t
}

#[test]
fn a_products_service_is_that_of_the_plant_making_it_alone() {
    let two = scenario(TWO);
    let alone = scenario(&frame_alone());
    let mut late_seen = false;
    for rep in 0..4 {
        let (a, _) = simulate(&two.factory, two.seed, rep, false);
        let (b, _) = simulate(&alone.factory, alone.seed, rep, false);
        let (x, y) = (&a.products[0], &b.products[0]);
        assert_eq!(x.product, "frame");
        assert_eq!(x.orders_completed, y.orders_completed, "rep {rep}");
        assert_eq!(x.on_time_orders.to_bits(), y.on_time_orders.to_bits());
        assert_eq!(x.lead_time_mean_h.to_bits(), y.lead_time_mean_h.to_bits());
        assert_eq!(x.late_penalty.to_bits(), y.late_penalty.to_bits());
        // The plant alone has only frames: its penalty and on-time share
        // are the frames'.
        assert!(close(b.costs.late_penalty, y.late_penalty));
        assert_eq!(b.delivery.on_time_orders, y.on_time_orders);
        // With both, the penalties add up to the plant's, and the
        // plant-wide share is the orders-weighted mean of the products'.
        let shaft = &a.products[1];
        assert!(close(
            a.costs.late_penalty,
            x.late_penalty + shaft.late_penalty
        ));
        let on_time = (x.on_time_orders * x.orders_completed as f64
            + shaft.on_time_orders * shaft.orders_completed as f64)
            / (x.orders_completed + shaft.orders_completed) as f64;
        assert!(close(a.delivery.on_time_orders, on_time));
        late_seen |= x.late_penalty > 0.0 && shaft.late_penalty > 0.0;
    }
    assert!(late_seen, "the test plant should be late sometimes");
}

/// Variants override a product's rate like any field.
#[test]
fn a_variant_may_change_a_products_penalty() {
    let text = format!(
        "{HAND}\n[[variant]]\nname = \"soft\"\n\"products.slow.late_penalty_per_unit_day\" = 12.0\n"
    );
    let s = scenario(&text);
    let f = &s.variants[0].factory;
    let (r, _) = simulate(f, s.seed, 0, false);
    let slow = &r.products[0];
    assert!(close(slow.late_penalty, slow.orders_completed as f64));
}
