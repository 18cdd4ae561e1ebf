//! A search over the integer lattice of a decision space too large to try
//! exhaustively, followed by a ranking-and-selection clean-up of the best
//! points it visited (the shape of Industrial Strength COMPASS: Xu, Nelson
//! & Hong 2010, where a local search proposes and a clean-up selects).
//!
//! Every variable's values are a coordinate `0..len`; a point's neighbours
//! move one coordinate by one step. From a few starting points (the centre
//! of the space and points drawn from the seed), each visited point is
//! simulated `n0` times on common random numbers, and the search moves to
//! its best neighbour — feasible on the sample means before infeasible,
//! then by the objective; infeasible ones by how far they miss — until no
//! neighbour improves. The best visited points then go to
//! [`select`](super::select::select), which reuses their replications.

use super::select::{Problem, Sampler, Stopped};
use crate::stats::Estimate;

/// Starting points of the search (the centre, then drawn from the seed).
pub const STARTS: usize = 3;
/// Points the search evaluates at most.
pub const MAX_VISITS: usize = 200;
/// Best visited points handed to the clean-up.
pub const CLEAN_UP: usize = 10;

/// How good a point looks on its first `n0` replications: lower is better
/// (total relative shortfall on the constraints, then the negated signed
/// objective).
fn score(p: &Problem, s: &dyn Sampler, i: usize, n: u64) -> (f64, f64) {
    let m = |c: usize| Estimate::from_values((0..n).map(|r| s.value(i, r, c))).mean;
    let miss: f64 = p
        .constraints
        .iter()
        .map(|&(c, b)| {
            let x = m(c);
            let (q, short) = match b {
                crate::scenario::Bound::AtLeast(q) => (q, q - x),
                crate::scenario::Bound::AtMost(q) => (q, x - q),
            };
            if short.is_nan() {
                f64::INFINITY
            } else {
                short.max(0.0) / q.abs().max(1e-9)
            }
        })
        .sum();
    let sign = if p.maximize { 1.0 } else { -1.0 };
    let obj = sign * m(p.objective);
    (miss, if obj.is_nan() { f64::INFINITY } else { -obj })
}

fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// SplitMix64: the starting points drawn from the seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Searches the lattice with sizes `dims` (configuration index = mixed
/// radix, the first coordinate slowest). Returns every point evaluated, in
/// the order visited, and the best [`CLEAN_UP`] of them by their score.
pub fn search(
    p: &Problem,
    dims: &[usize],
    seed: u64,
    s: &mut dyn Sampler,
) -> Result<(Vec<usize>, Vec<usize>), Stopped> {
    let index = |c: &[usize]| dims.iter().zip(c).fold(0, |acc, (d, x)| acc * d + x);
    let coords = |mut i: usize| {
        let mut c = vec![0; dims.len()];
        for d in (0..dims.len()).rev() {
            c[d] = i % dims[d];
            i /= dims[d];
        }
        c
    };
    let n0 = p.n0.min(p.max);
    let mut visited: Vec<usize> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Evaluates the usable points of `points` not yet seen, in one stage.
    let mut visit = |points: Vec<usize>, s: &mut dyn Sampler, visited: &mut Vec<usize>| {
        let mut fresh = Vec::new();
        for i in points {
            if visited.len() + fresh.len() >= MAX_VISITS || !seen.insert(i) {
                continue;
            }
            if s.usable(i) {
                fresh.push(i);
            }
        }
        let wants: Vec<(usize, u64)> = fresh.iter().map(|&i| (i, n0)).collect();
        s.bound(((MAX_VISITS - visited.len()) as u64) * n0);
        s.ensure(&wants)?;
        visited.extend(fresh);
        Ok::<(), Stopped>(())
    };
    let mut starts = vec![index(&dims.iter().map(|d| d / 2).collect::<Vec<_>>())];
    let mut state = seed ^ 0x5eed_0f5e_a7c4;
    for _ in 1..STARTS {
        let c: Vec<usize> = dims
            .iter()
            .map(|&d| (splitmix(&mut state) % d as u64) as usize)
            .collect();
        starts.push(index(&c));
    }
    visit(starts.clone(), s, &mut visited)?;
    for start in starts {
        if !visited.contains(&start) {
            continue; // not usable
        }
        let mut here = start;
        loop {
            let c = coords(here);
            let mut around = Vec::new();
            for d in 0..dims.len() {
                for up in [false, true] {
                    let mut n = c.clone();
                    if up && n[d] + 1 < dims[d] {
                        n[d] += 1;
                    } else if !up && n[d] > 0 {
                        n[d] -= 1;
                    } else {
                        continue;
                    }
                    around.push(index(&n));
                }
            }
            visit(around.clone(), s, &mut visited)?;
            let mut best = (here, score(p, s, here, n0));
            for i in around.into_iter().filter(|i| visited.contains(i)) {
                let sc = score(p, s, i, n0);
                if better(sc, best.1) {
                    best = (i, sc);
                }
            }
            if best.0 == here || visited.len() >= MAX_VISITS {
                break;
            }
            here = best.0;
        }
    }
    let mut ranked = visited.clone();
    ranked.sort_by(|&a, &b| {
        let (x, y) = (score(p, s, a, n0), score(p, s, b, n0));
        x.0.total_cmp(&y.0)
            .then(x.1.total_cmp(&y.1))
            .then(a.cmp(&b))
    });
    ranked.truncate(CLEAN_UP);
    Ok((visited, ranked))
}

#[cfg(test)]
mod tests {
    use super::super::select::tests::Synthetic;
    use super::super::select::{Problem, select};
    use super::*;

    /// A concave objective on a 12 × 12 lattice with a unique peak: the
    /// search finds it while visiting a fraction of the 144 points.
    #[test]
    fn climbs_to_the_peak_of_a_concave_surface() {
        let dims = [12, 12];
        let means: Vec<f64> = (0..144)
            .map(|i| {
                let (x, y) = ((i / 12) as f64, (i % 12) as f64);
                -((x - 8.0).powi(2) + 2.0 * (y - 3.0).powi(2))
            })
            .collect();
        let p = Problem {
            objective: 0,
            maximize: true,
            constraints: Vec::new(),
            delta: 0.5,
            n0: 10,
            max: 1000,
            alpha: 0.05,
        };
        let mut s = Synthetic::new(means, 1.0, 0.8, 11);
        let (visited, best) = search(&p, &dims, 1, &mut s).unwrap();
        assert!(visited.len() < 144 / 2, "{} visited", visited.len());
        let sel = select(&p, &best, &mut s).unwrap();
        assert_eq!(best[sel.chosen.unwrap()], 8 * 12 + 3);
    }
}
