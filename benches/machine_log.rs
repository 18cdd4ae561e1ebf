//! `shopfloor bottlenecks` on a machine state log of 1 000 000 rows: 50
//! machines in 10 stations, 20 000 stretches each (about 70 days), states
//! drawn by a fixed generator. Measures reading and checking the CSV, and
//! the analysis (whole window and daily batches) separately.
//!
//! ```text
//! cargo bench --bench machine_log
//! ```

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use shopfloor::data::machine_log::{Batching, Columns, StateMap, analyse, parse_log};

const STATES: [&str; 7] = [
    "running", "running", "running", "setup", "down", "starved", "blocked",
];

/// The log's CSV text.
fn log_text() -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*: fixed, portable.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut s = String::with_capacity(40 << 20);
    s.push_str("machine,station,state,start,end\n");
    for m in 0..50 {
        let mut t = 0u64;
        for _ in 0..20_000 {
            let state = STATES[(next() % 7) as usize];
            let len = 1 + next() % 600;
            s.push_str(&format!("m{m},s{},{state},{t},{}\n", m % 10, t + len));
            t += len;
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = log_text();
    let (cols, states) = (Columns::default(), StateMap::default());
    let mut g = c.benchmark_group("machine_log_1M_rows");
    g.sample_size(10);
    g.bench_function("read", |b| {
        b.iter(|| parse_log(Path::new("bench.csv"), text.as_bytes(), &cols, &states).unwrap())
    });
    let log = parse_log(Path::new("bench.csv"), text.as_bytes(), &cols, &states).unwrap();
    assert_eq!(log.stretches.len(), 1_000_000);
    let days = Batching::parse("day", 0.0).unwrap();
    g.bench_function("analyse", |b| {
        b.iter(|| analyse(&log, None, None, days).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotting backend finds no system fonts here.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
