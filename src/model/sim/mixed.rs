//! Mixed stations: automated machines beside manual ones at one station
//! (`[stations.NAME.automated]` with `alongside = true`). They share the
//! station's buffer; each kind has its own process-time factor, staffing,
//! running cost and capital. When both kinds are free, a waiting part
//! takes an automated machine: the station's idle list keeps its free
//! automated machines on top of the manual ones.

use super::*;

impl<'f> Sim<'f> {
    /// Machine `m` of station `s` is free: at a mixed station a manual
    /// machine goes below every free automated one.
    #[inline(always)]
    pub(super) fn make_idle(&mut self, s: u32, m: u32) {
        let st = &mut self.stations[s as usize];
        if st.mixed {
            self.make_idle_mixed(s, m);
        } else {
            st.idle.push(&mut self.idle_below, m);
        }
    }

    /// [`Self::make_idle`] at a mixed station, out of line so that other
    /// stations do not carry it.
    #[inline(never)]
    fn make_idle_mixed(&mut self, s: u32, m: u32) {
        let st = &mut self.stations[s as usize];
        if self.machines[m as usize].automated {
            st.idle.push(&mut self.idle_below, m);
            return;
        }
        let machines = &self.machines;
        let below = &self.idle_below;
        let at = (0..st.idle.len())
            .find(|&i| machines[st.idle.get(below, i) as usize].automated)
            .unwrap_or(st.idle.len());
        st.idle.insert(&mut self.idle_below, at, m);
    }
}

/// Machine time of one station split by kind: busy (processing) and busy
/// or in setup, in hours, and all the time observed, of its manual and of
/// its automated machines.
#[derive(Clone, Copy, Default)]
pub(super) struct KindTotals {
    pub busy: f64,
    pub working_hours: f64,
    pub all: f64,
}

impl KindTotals {
    /// Adds one machine's state totals.
    pub fn add(&mut self, t: &[f64; 10]) {
        self.busy += t[state_index(MachineState::Busy)];
        self.working_hours +=
            (t[state_index(MachineState::Busy)] + t[state_index(MachineState::Setup)]) / HOUR;
        self.all += t.iter().sum::<f64>();
    }

    /// The share of the time busy (NaN without machines).
    pub fn utilisation(&self) -> f64 {
        if self.all > 0.0 {
            self.busy / self.all
        } else {
            f64::NAN
        }
    }
}
