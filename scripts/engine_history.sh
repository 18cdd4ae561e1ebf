#!/usr/bin/env bash
# The engine's cost on the two benchmark models at each commit given, in
# instructions (callgrind): how the cost of an event moved through history.
#
#   scripts/engine_history.sh d32acc3 9f4b3c5 HEAD
#
# For each commit, builds a small harness against that commit's library
# (in a throwaway worktree and a target folder under $HISTORY_DIR, default
# /tmp/shopfloor-history, shared by all commits so that only the library is
# rebuilt) and prints the instructions `model::simulate` runs for REPS
# (default 4) 4-week replications of M/M/1 at utilisation 0.9 and of the
# 5-station serial line, as benches/throughput.rs builds them (parsing and
# setup not counted). With TIME=1 it also prints each model's rate in
# M items per second of thread CPU time (one block of 2 s; alternate
# commits and compare medians on a shared machine).
#
# Harnesses are kept in $HISTORY_DIR/bin by commit; after changing the
# harness below, empty that folder.
#
# Needs git and valgrind. The harness uses only the public API that has not
# changed since the first benchmark models (scenario::parse,
# scenario::default_period, model::simulate, ReplicationResult::good), and
# repeats what benches/common has (the models' loading, the thread's CPU
# time), as the commits before benches/common have neither.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${HISTORY_DIR:-/tmp/shopfloor-history}"
reps="${REPS:-4}"
mkdir -p "$dir/bin"
worktree="$dir/worktree"
# A fresh worktree for this run, removed at the end (the built harnesses
# and the target folder stay, so a commit already measured is not rebuilt).
git -C "$repo" worktree remove --force "$worktree" >/dev/null 2>&1 || true
git -C "$repo" worktree prune
git -C "$repo" worktree add -f --detach "$worktree" HEAD >/dev/null 2>&1
trap 'git -C "$repo" worktree remove --force "$worktree" >/dev/null 2>&1 || true' EXIT

harness() {
cat <<'RS'
// Written by scripts/engine_history.sh; not part of the repository.
use shopfloor::engine::Dist;
use shopfloor::model::{Factory, Release};
use std::path::Path;

fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: f64 = rest.split_whitespace().skip(11).take(2).filter_map(|t| t.parse::<f64>().ok()).sum();
    ticks / 100.0
}

fn load(name: &str, horizon: f64) -> Factory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("scenario");
    let mut f = match shopfloor::scenario::parse(&path, &text) {
        Ok(s) => s.factory,
        Err(_) => panic!("{} does not parse", path.display()),
    };
    f.horizon = horizon;
    f.warmup = 0.0;
    f.period = shopfloor::scenario::default_period(horizon);
    f
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (model, reps, timed) = (args[1].as_str(), args[2].parse::<u64>().unwrap(), args[3] == "1");
    let horizon = 4.0 * 7.0 * 24.0 * 3600.0;
    let f = if model == "mm1" {
        let mut f = load("mm1", horizon);
        if let Release::Arrivals { interarrival, .. } = &mut f.products[0].release {
            *interarrival = Dist::exponential(60.0 / 0.9).expect("mean");
        }
        f
    } else {
        load("serial_line", horizon)
    };
    if timed {
        let good = shopfloor::model::simulate(&f, 1, 0, false).0.good;
        let (t0, mut n, mut rep) = (cpu(), 0u64, 0u64);
        while cpu() - t0 < 2.0 {
            std::hint::black_box(shopfloor::model::simulate(&f, 1, rep, false));
            rep += 1;
            n += good;
        }
        println!("{:.3}", n as f64 / (cpu() - t0) / 1e6);
    } else {
        for rep in 0..reps {
            std::hint::black_box(shopfloor::model::simulate(&f, 1, rep, false));
        }
    }
}
RS
}

for commit in "$@"; do
    hash="$(git -C "$repo" rev-parse --short "$commit^{commit}")"
    bin="$dir/bin/harness-$hash"
    # Also for a harness built before: it reads its scenarios from the
    # worktree (CARGO_MANIFEST_DIR), which must hold this commit's.
    git -C "$worktree" checkout -q -f "$hash"
    if [ ! -x "$bin" ]; then
        mkdir -p "$worktree/examples"
        harness > "$worktree/examples/engine_history.rs"
        (cd "$worktree" && CARGO_TARGET_DIR="$dir/target" cargo build -q --release --example engine_history)
        cp "$dir/target/release/examples/engine_history" "$bin"
        rm -f "$worktree/examples/engine_history.rs"
    fi
    line="$hash"
    for model in mm1 line; do
        ir=$(cd "$dir" && valgrind --tool=callgrind --toggle-collect='*model::sim::simulate' \
            --callgrind-out-file=/dev/null "$bin" "$model" "$reps" 0 2>&1 |
            sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
        line="$line $model ${ir}"
        if [ "${TIME:-0}" = 1 ]; then
            line="$line $("$bin" "$model" 0 1)M/s"
        fi
    done
    echo "$line"
done
