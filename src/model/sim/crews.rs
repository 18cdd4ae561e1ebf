//! Crews that differ by shift (`count_by_shift`): at the start of each
//! working interval, the pool's head count becomes the crew of the shift
//! the interval belongs to (`count` for scheduled overtime).
//!
//! A change of crew happens only at a shift start. Back-to-back shifts of
//! such a pool are kept apart (see [`ShiftCalendar::intervals`]), so the
//! change is a shift end followed by a shift start, and the calendar's
//! `shift_end` rule applies to the work in progress: under `"finish"`,
//! workers busy at the change finish their operation (paid as overtime
//! from the shift end), and when the new crew is smaller than the workers
//! still busy, the surplus stays on overtime until each is done and then
//! goes home; under `"pause"` (and `"no_overrun"`) everyone stops at the
//! shift end, and the new crew takes the work up.
//!
//! [`ShiftCalendar::intervals`]: crate::model::ShiftCalendar::intervals

use super::*;

impl<'f> Sim<'f> {
    /// Pool `p` starts working interval `iv`: its head count becomes the
    /// crew of that shift. Workers busy beyond the new crew (finishing
    /// from the shift before) are its surplus.
    #[cold]
    pub(super) fn change_crew(&mut self, p: u32, iv: WorkInterval) {
        let def = &self.f.pools[p as usize];
        let crew = def
            .count_by_shift
            .get(iv.shift as usize)
            .copied()
            .unwrap_or(def.count);
        let ps = &mut self.pools[p as usize];
        ps.count = crew;
        ps.surplus = ps.held.saturating_sub(crew);
    }

    /// `n` workers of pool `p` come back while it is on shift: those of its
    /// surplus go home, off the overtime pay.
    #[cold]
    pub(super) fn surplus_home(&mut self, p: u32, n: u32) -> u32 {
        let now = self.cal.now();
        let ps = &mut self.pools[p as usize];
        let k = n.min(ps.surplus);
        ps.surplus -= k;
        ps.paid_overtime.add(now, -f64::from(k));
        k
    }
}
