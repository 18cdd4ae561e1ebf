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
    /// Travel time between stations, loaded or empty, row-major by
    /// (from, to) over the stations: `travel[from * n + to]`. `None`
    /// where the scenario gives no leg (validation makes sure every leg
    /// this pool can travel is given); a station to itself is no travel.
    pub travel: Vec<Option<Dist>>,
}

impl MoverPool {
    /// The travel time distribution from station `from` to `to` among `n`
    /// stations; `None` for no travel (the same station, or a leg not
    /// given).
    #[inline]
    pub fn leg(&self, n: usize, from: u32, to: u32) -> Option<&Dist> {
        if from == to {
            return None;
        }
        self.travel
            .get(from as usize * n + to as usize)
            .and_then(Option::as_ref)
    }
}
