//! Generated plants, as scenario text: shared by `benches/scale.rs` and
//! the integration tests (included with `#[path]`), so that a test runs
//! exactly the plant the bench measures.

use std::fmt::Write as _;

/// The breakdowns of every station.
pub const FAILURES: &str = r#"failures = { time_to_failure = { dist = "exponential", mean = "100m" }, repair = { dist = "exponential", mean = "5m" } }"#;

/// The `[simulation]` table.
pub fn header(name: &str, horizon: &str, seed: u64) -> String {
    format!(
        "[simulation]\nname = \"{name}\"\nhorizon = \"{horizon}\"\nreplications = 1\nseed = {seed}\n\n"
    )
}

/// A job shop of `n` stations (one machine each, unlimited buffers, the
/// breakdowns above) and `products` products, as `jobshop_{n}x{products}`:
/// routings of 10 stations (n when smaller), laid over the stations in a
/// fixed shuffled order so that every station gets the same number of
/// visits; Poisson releases loading every station to 0.85; exponential
/// process times of mean 1 minute.
pub fn jobshop(n: usize, products: usize, horizon: &str, seed: u64) -> String {
    let len = n.min(10);
    assert_eq!(products * len % n, 0, "every station gets as many visits");
    let visits = (products * len / n) as f64;
    // A fixed shuffle of the stations (an LCG, so the plant never changes).
    let mut order: Vec<usize> = (0..n).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..n).rev() {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        order.swap(i, (x >> 33) as usize % (i + 1));
    }
    let mut t = header(&format!("jobshop_{n}x{products}"), horizon, seed);
    for s in 0..n {
        writeln!(t, "[stations.s{s}]\n{FAILURES}\n").unwrap();
    }
    // Each product visits `visits` stations' worth of load: arrivals every
    // visits / 0.85 minutes load every station to 0.85.
    let interarrival = visits / 0.85;
    for p in 0..products {
        writeln!(
            t,
            "[products.p{p}]\nrelease = {{ interarrival = {{ dist = \"exponential\", mean = \"{interarrival}m\" }} }}\nrouting = ["
        )
        .unwrap();
        for j in 0..len {
            let s = order[(p * len + j) % n];
            writeln!(
                t,
                "  {{ station = \"s{s}\", process = {{ dist = \"exponential\", mean = \"1m\" }} }},"
            )
            .unwrap();
        }
        t.push_str("]\n\n");
    }
    t
}
