//! Movers: pools of forklifts, AGVs or people that carry parts between
//! stations, and the travel times between the places they go.
//!
//! A station (or one step of a routing) names a mover pool: every part
//! leaving it for another station waits on its machine until a mover of
//! that pool fetches it, then travels loaded to the next station, where
//! room was reserved for it. A mover has a location: before it can load a
//! part it travels empty from where it is (its home at the start, else
//! where it last unloaded) to the part's station.

use crate::engine::Dist;

/// Index of a mover pool in [`crate::model::Factory::movers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MoverId(pub u32);

/// A pool of identical movers.
#[derive(Clone, Debug)]
pub struct MoverPool {
    /// Name from the scenario.
    pub name: String,
    /// Number of movers (≥ 1).
    pub count: u32,
    /// Cost of one mover per hour of the observed period, busy or idle
    /// (its driver, its lease, its energy on average).
    pub cost_per_hour: f64,
    /// Station index where every mover of the pool starts.
    pub home: u32,
    /// Travel times between the stations the pool goes to.
    pub legs: Legs,
}

/// The travel times of one mover pool, loaded or empty, between the
/// stations it goes to (where it stands and where it fetches parts). Kept
/// dense over those stations only, indexed through a station → place
/// table: memory grows with the stations of the plant plus the square of
/// the pool's places (no more than the legs the scenario must give), not
/// with the square of the plant (issue #17: a 2000-station plant held
/// 2000² legs per pool).
#[derive(Clone, Debug, Default)]
pub struct Legs {
    /// The place of each station among the pool's, or `u32::MAX`.
    place: Vec<u32>,
    /// Number of places.
    k: usize,
    /// Travel time by (from, to) over the places: `travel[from * k + to]`;
    /// `None` where the scenario gives no leg (validation makes sure every
    /// leg this pool can travel is given); a station to itself is no
    /// travel.
    travel: Vec<Option<Dist>>,
    /// Mean of each leg in `travel`, 0 where there is none.
    mean: Vec<f64>,
}

impl Legs {
    /// The legs `(from, to, time)` among `n` stations.
    pub fn new(n: usize, legs: Vec<(u32, u32, Dist)>) -> Self {
        let mut place = vec![u32::MAX; n];
        let mut k = 0;
        for &(a, b, _) in &legs {
            for s in [a, b] {
                if place[s as usize] == u32::MAX {
                    place[s as usize] = k as u32;
                    k += 1;
                }
            }
        }
        let mut travel = vec![None; k * k];
        let mut mean = vec![0.0; k * k];
        for (a, b, d) in legs {
            let i = place[a as usize] as usize * k + place[b as usize] as usize;
            mean[i] = d.mean();
            travel[i] = Some(d);
        }
        Self {
            place,
            k,
            travel,
            mean,
        }
    }

    /// Index of leg (from, to) in `travel`, if both stations are places of
    /// the pool and differ.
    #[inline]
    fn index(&self, from: u32, to: u32) -> Option<usize> {
        if from == to {
            return None;
        }
        let a = *self.place.get(from as usize)?;
        let b = *self.place.get(to as usize)?;
        (a != u32::MAX && b != u32::MAX).then(|| a as usize * self.k + b as usize)
    }

    /// The travel time distribution from station `from` to `to`; `None`
    /// for no travel (the same station, or a leg not given).
    #[inline]
    pub fn get(&self, from: u32, to: u32) -> Option<&Dist> {
        self.travel[self.index(from, to)?].as_ref()
    }

    /// The mean travel time from station `from` to `to`, 0 for no travel.
    #[inline]
    pub fn mean(&self, from: u32, to: u32) -> f64 {
        self.index(from, to).map_or(0.0, |i| self.mean[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The legs of a pool among 3 of 10 000 stations: found both ways as
    /// given, absent elsewhere, none from a station to itself; the table
    /// holds the 3 places, not the plant.
    #[test]
    fn legs_are_kept_over_the_pools_places_only() {
        let d = |x: f64| Dist::constant(x).unwrap();
        let legs = Legs::new(
            10_000,
            vec![(7, 9_999, d(60.0)), (9_999, 7, d(90.0)), (42, 7, d(30.0))],
        );
        assert_eq!(legs.k, 3);
        assert_eq!(legs.travel.len(), 9);
        assert_eq!(legs.get(7, 9_999).map(Dist::mean), Some(60.0));
        assert_eq!(legs.get(9_999, 7).map(Dist::mean), Some(90.0));
        assert_eq!(legs.get(42, 7).map(Dist::mean), Some(30.0));
        assert!(legs.get(7, 42).is_none(), "not given this way");
        assert!(legs.get(7, 7).is_none(), "no travel to itself");
        assert!(legs.get(1, 7).is_none(), "not a place of the pool");
        assert!(legs.get(20_000, 7).is_none(), "not a station");
        assert_eq!(legs.mean(42, 7), 30.0);
        assert_eq!(legs.mean(7, 42), 0.0);
    }
}
