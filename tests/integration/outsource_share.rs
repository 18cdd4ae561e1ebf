//! Part of a routing step sent to a contractor (issue #15 item 6/7:
//! `share` on a subcontracted step that also names its station).
//!
//! - The share of the parts sent out is a binomial proportion: over many
//!   parts it lies within its binomial interval around `share`.
//! - With deterministic arrivals and a contractor capacity per week, the
//!   parts sent and made in the plant equal a hand count.
//! - Parts are conserved: every part reaching the step goes one way.
//! - Variants that change the share leave other random streams alone
//!   (common random numbers): the first step's process times do not move.

use shopfloor::model::simulate;

use crate::common::scenario as parse_ok;

fn plant(share: f64, capacity: &str, arrivals: &str, horizon: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{horizon}"
seed = 5

[stations.cut]
machines = 4

[stations.weld]
machines = 4

[contractors.acme]
lead_time = "1d"
prices = {{ bracket = 7.0 }}
{capacity}

[products.bracket]
release = {{ interarrival = {arrivals} }}
routing = [
  {{ station = "cut", process = {{ dist = "exponential", mean = "10m" }} }},
  {{ station = "weld", process = "20m", subcontract = "acme", share = {share}, transport = "2h" }},
]
"#
    )
}

#[test]
fn sent_share_lies_in_its_binomial_interval() {
    let share = 0.2;
    let s = parse_ok(&plant(
        share,
        "",
        "{ dist = \"exponential\", mean = \"10m\" }",
        "40w",
    ));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    let out = r.contractors[0].units as f64;
    // Every part reaching the step either entered the weld station
    // (unlimited buffer) or was sent: n is their sum.
    let weld = r.stations.iter().find(|x| x.station == "weld").unwrap();
    let n = out + weld.starts as f64;
    assert!(n > 30_000.0, "n = {n}");
    let p = out / n;
    // 4 binomial standard errors: a false alarm once in ~16 000 runs.
    let se = (share * (1.0 - share) / n).sqrt();
    assert!(
        (p - share).abs() < 4.0 * se,
        "sent share {p} vs {share} ± {}",
        4.0 * se
    );
    // The contractor is paid its price per part sent.
    assert!((r.contractors[0].spend - 7.0 * out).abs() < 1e-6);
}

#[test]
fn capacity_caps_the_share_and_the_rest_is_made_in_house_by_hand_count() {
    // One part an hour, at 1h, 2h, …, 335h (the horizon, 336h, ends the
    // run first). Share 1: every part is drawn for the contractor, which
    // takes 10 a week; the others are made in the plant.
    // Week 1 [0, 168h): 167 parts, 10 sent, 157 welded here.
    // Week 2 [168h, 336h): 168 parts, 10 sent, 158 welded here.
    let s = parse_ok(&plant(1.0, "capacity_per_week = 10", "\"1h\"", "2w"));
    let (r, _) = simulate(&s.factory, s.seed, 0, false);
    assert_eq!(r.contractors[0].units, 20);
    let weld = r.stations.iter().find(|x| x.station == "weld").unwrap();
    assert_eq!(weld.starts, 157 + 158);
    // Nothing waits for the contractor's next week.
    assert_eq!(r.released, 335);
}

#[test]
fn share_zero_sends_nothing_and_changing_it_keeps_other_streams() {
    let arrivals = "{ dist = \"exponential\", mean = \"10m\" }";
    let none = parse_ok(&plant(0.0, "", arrivals, "2w"));
    let half = parse_ok(&plant(0.5, "", arrivals, "2w"));
    let (a, _) = simulate(&none.factory, 5, 0, false);
    let (b, _) = simulate(&half.factory, 5, 0, false);
    assert_eq!(a.contractors[0].units, 0);
    assert!(b.contractors[0].units > 0);
    // Arrivals and the cut station's process times come from their own
    // streams: the first station sees the very same parts and times.
    assert_eq!(a.released, b.released);
    let cut = |r: &shopfloor::model::ReplicationResult| {
        let c = r.stations.iter().find(|x| x.station == "cut").unwrap();
        (c.operations, c.utilisation)
    };
    assert_eq!(cut(&a), cut(&b));
}
