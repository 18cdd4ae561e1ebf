//! Quality on the floor: hidden defects, inspections and yields.
//!
//! An operation with a `defect_rate` may leave a hidden defect in the part
//! (it passes as good); an inspection operation detects a hidden defect
//! with its detection probability, and the part is then scrapped or sent
//! back for rework (which removes the defect). A part that finishes with a
//! defect no inspection found has escaped. Yields count parts that left
//! the floor: first-pass yield the good ones that never went round a
//! rework loop, final yield all good ones, over good + scrapped.
//!
//! The cost of poor quality: what scrapped parts had taken — their
//! material, and the operators' and machines' time of their operations
//! before the scrap, at the pools' wages and the stations' running costs —
//! and what rework took: the operators' and machines' time of the
//! operations a part goes through again after being sent back. A part
//! carries its sunk labour and machine cost as it goes ([`PartCost`]);
//! this bookkeeping runs only when some part may be scrapped or reworked
//! and labour or machines cost something ([`tracks_sunk_cost`]), and then
//! only where a crew leaves or an operation ends: a part's record is
//! recognised as stale by its serial, not cleared when the part is made.

use super::{NONE, Op, Sim};
use crate::engine::HOUR;
use crate::model::factory::Factory;
use crate::model::results::MachineState;

/// The labour and machine cost a part has taken so far (only when the
/// cost of poor quality is tracked).
#[derive(Clone, Copy, Debug)]
pub(super) struct PartCost {
    /// Serial of the part the record is for (a slot is reused).
    serial: u64,
    /// Operators' and machines' cost of its operations outside rework
    /// visits.
    labour: f64,
    machine: f64,
    /// Operators' cost of the current operation so far.
    op_labour: f64,
    /// In a rework visit: the operation (index in [`Sim::ops`]) that sent
    /// it back, where the visit ends; NONE otherwise.
    rework_until: u32,
}

impl Default for PartCost {
    fn default() -> Self {
        PartCost {
            serial: u64::MAX,
            labour: 0.0,
            machine: 0.0,
            op_labour: 0.0,
            rework_until: NONE,
        }
    }
}

/// Whether a run must carry each part's sunk labour and machine cost:
/// some part may be scrapped or reworked (at an operation, by an
/// inspection, a supplier's defect or fatigue) and some pool or station
/// costs money per hour.
pub(super) fn tracks_sunk_cost(f: &Factory, ops: &[Op<'_>]) -> bool {
    let rates = f
        .stations
        .iter()
        .any(|s| s.cost_per_hour > 0.0 || s.alongside.is_some_and(|a| a.cost_per_hour > 0.0))
        || f.pools.iter().any(|p| p.wage_per_hour > 0.0);
    let defective_supply = f.materials.iter().any(|m| m.defect_scrap > 0.0)
        && f.suppliers.iter().any(|s| s.defect_rate > 0.0);
    let tired = f
        .pools
        .iter()
        .any(|p| p.fatigue.is_some_and(|x| x.scrap_add > 0.0));
    rates && (ops.iter().any(|o| o.end.quality) || defective_supply || tired)
}

impl Sim<'_> {
    /// After operation `op` at station `s` passed `part` (no scrap, no
    /// rework): a hidden defect may be made, and an inspection may find
    /// one. Returns (scrapped, reworked).
    #[inline(never)]
    pub(super) fn inspect(&mut self, s: u32, part: u32, op: &Op<'_>) -> (bool, bool) {
        let stream = &mut self.stations[s as usize].quality_stream;
        let pt = &mut self.parts[part as usize];
        if op.defect_rate > 0.0 && stream.uniform() < op.defect_rate {
            pt.latent = true;
        }
        if op.inspect > 0.0 && pt.latent && stream.uniform() < op.inspect {
            pt.latent = false;
            let product = pt.product as usize;
            self.products[product].defects_detected += 1;
            let st = &mut self.stations[s as usize];
            if op.inspect_rework {
                st.reworked += 1;
                self.reworked += 1;
                return (false, true);
            }
            st.scrapped += 1;
            return (true, false);
        }
        (false, false)
    }

    /// A good part leaves the floor: first pass or not, escaped defect or
    /// not. Only a part that went round a rework loop or carries a hidden
    /// defect has anything to count (a first-pass part is counted as good
    /// minus reworked), so the common case stays a test of two flags.
    #[inline]
    pub(super) fn finished_quality(&mut self, part: u32) {
        let p = &self.parts[part as usize];
        if p.reworked || p.latent {
            self.finished_off_standard(part);
        }
    }

    // ----- cost of poor quality (only when `track_sunk`) ----------------

    /// The record of `part`, fresh if its slot last held another part.
    /// Inlined into its callers, as the compiler chose before products
    /// carried their own late penalty (it stopped doing so then, which
    /// cost a call per operation).
    #[inline(always)]
    fn cost_of(&mut self, part: u32) -> &mut PartCost {
        let i = part as usize;
        if i >= self.part_costs.len() {
            self.part_costs.resize(i + 1, PartCost::default());
        }
        let serial = self.parts[i].serial;
        let pc = &mut self.part_costs[i];
        if pc.serial != serial {
            *pc = PartCost {
                serial,
                ..PartCost::default()
            };
        }
        pc
    }

    /// The crew of machine `m` leaves: its operator-hours go to the part
    /// on the machine at the pool's wage.
    #[inline(never)]
    pub(super) fn crew_leaves(&mut self, m: u32) {
        let now = self.cal.now();
        let mach = &self.machines[m as usize];
        if mach.held == 0 || mach.part == NONE {
            return;
        }
        let hours = f64::from(mach.held) * (now - mach.crew_since) / HOUR;
        let wage = self.f.pools[mach.crew as usize].wage_per_hour;
        let part = mach.part;
        self.cost_of(part).op_labour += hours * wage;
    }

    /// Machine `m` has done operation `op` (an index in [`Sim::ops`]) on
    /// `part`, whose operators have left: the operation's labour and
    /// machine cost go to the part, or to rework within a rework visit.
    #[inline(never)]
    pub(super) fn operation_cost(&mut self, m: u32, part: u32, op: u32) {
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        let busy = busy_or_setup(&mach.timer.totals(now));
        let time = busy - std::mem::replace(&mut mach.op_mark, busy);
        let def = &self.f.stations[mach.station as usize];
        // An automated machine beside manual ones runs at its own rate.
        let rate = if mach.automated {
            def.alongside.map_or(def.cost_per_hour, |a| a.cost_per_hour)
        } else {
            def.cost_per_hour
        };
        let machine = time / HOUR * rate;
        let labour = std::mem::take(&mut self.cost_of(part).op_labour);
        self.charge_share(part, op, labour, machine, time);
    }

    /// Batch machine `m` has done a batch whose first part is `lead`
    /// (which its crew's time was charged to): the batch's labour and
    /// machine cost and its machine time, to be shared by its parts with
    /// [`Self::charge_share`].
    #[inline(never)]
    pub(super) fn batch_cost(&mut self, m: u32, lead: u32) -> (f64, f64, f64) {
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        let busy = busy_or_setup(&mach.timer.totals(now));
        let time = busy - std::mem::replace(&mut mach.op_mark, busy);
        let rate = self.f.stations[mach.station as usize].cost_per_hour;
        let labour = std::mem::take(&mut self.cost_of(lead).op_labour);
        (labour, time / HOUR * rate, time)
    }

    /// `part` took `labour` and `machine` cost and `time` of machine time
    /// in operation `op` (all of a single-part operation, or its share of a
    /// batch): to the part, or to rework within a rework visit.
    #[inline(always)]
    pub(super) fn charge_share(
        &mut self,
        part: u32,
        op: u32,
        labour: f64,
        machine: f64,
        time: f64,
    ) {
        let product = self.parts[part as usize].product as usize;
        let pc = self.cost_of(part);
        if pc.rework_until == NONE {
            pc.labour += labour;
            pc.machine += machine;
        } else {
            if op >= pc.rework_until {
                pc.rework_until = NONE;
            }
            let ps = &mut self.products[product];
            ps.rework_cost += labour + machine;
            ps.rework_hours += time / HOUR;
        }
    }

    /// `part` is sent back for rework by operation `op`: the operations up
    /// to `op` that it goes through again are a rework visit.
    #[inline(never)]
    pub(super) fn rework_visit(&mut self, part: u32, op: u32) {
        let pc = self.cost_of(part);
        pc.rework_until = if pc.rework_until == NONE {
            op
        } else {
            pc.rework_until.max(op)
        };
    }

    /// `part` is scrapped with `raw_sunk` of material in it: the material,
    /// and the labour and machine cost it had taken, are lost.
    #[inline(never)]
    pub(super) fn scrap_sunk(&mut self, part: u32, raw_sunk: f64) {
        let product = self.parts[part as usize].product as usize;
        let ps = &mut self.products[product];
        ps.poor_quality_materials += raw_sunk;
        if self.track_sunk {
            let pc = *self.cost_of(part);
            let ps = &mut self.products[product];
            ps.poor_quality_labour += pc.labour;
            ps.poor_quality_machines += pc.machine;
        }
    }

    /// End of the warm-up: what parts took before it is forgotten, and
    /// operations and crews under way count from now.
    pub(super) fn reset_sunk_costs(&mut self, now: f64) {
        for pc in &mut self.part_costs {
            pc.labour = 0.0;
            pc.machine = 0.0;
            pc.op_labour = 0.0;
        }
        for mach in &mut self.machines {
            // The state timers restart from 0 at the warm-up.
            mach.op_mark = 0.0;
            mach.crew_since = now;
        }
    }

    #[cold]
    #[inline(never)]
    fn finished_off_standard(&mut self, part: u32) {
        let p = &self.parts[part as usize];
        let ps = &mut self.products[p.product as usize];
        ps.reworked_good += u64::from(p.reworked);
        ps.defects_escaped += u64::from(p.latent);
    }
}

/// Busy and setup time out of a machine's state totals.
fn busy_or_setup(t: &[f64; 10]) -> f64 {
    t[MachineState::Busy as usize] + t[MachineState::Setup as usize]
}
