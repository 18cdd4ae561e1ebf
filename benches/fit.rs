//! Fitting one million observed durations: every family by maximum
//! likelihood, with log-likelihood, AIC, BIC, Kolmogorov–Smirnov and
//! Anderson–Darling, as `shopfloor fit` does for one group.
//!
//! `cargo bench --bench fit`

use criterion::Criterion;
use shopfloor::engine::{Dist, Stream};
use shopfloor::fit::{Group, analyse};

fn one_million(c: &mut Criterion) {
    let d = Dist::lognormal(7.0 * 60.0, 0.3).expect("valid");
    let mut s = Stream::new(1, 0, "bench");
    let values: Vec<f64> = (0..1_000_000).map(|_| d.sample(&mut s)).collect();
    let group = Group {
        key: String::new(),
        rows: (2..values.len() as u64 + 2).collect(),
        values,
        missing: 0,
        censored: 0,
    };
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    g.bench_function("1M lognormal values, all families", |b| {
        b.iter(|| analyse(&group).expect("fits"))
    });
    g.finish();
}

fn main() {
    // No criterion plots: they need a system font.
    let mut c = Criterion::default().without_plots().configure_from_args();
    one_million(&mut c);
    c.final_summary();
}
