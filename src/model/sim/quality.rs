//! Quality on the floor: hidden defects, inspections and yields.
//!
//! An operation with a `defect_rate` may leave a hidden defect in the part
//! (it passes as good); an inspection operation detects a hidden defect
//! with its detection probability, and the part is then scrapped or sent
//! back for rework (which removes the defect). A part that finishes with a
//! defect no inspection found has escaped. Yields count parts that left
//! the floor: first-pass yield the good ones that never went round a
//! rework loop, final yield all good ones, over good + scrapped.

use super::{Op, Sim};

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

    #[cold]
    #[inline(never)]
    fn finished_off_standard(&mut self, part: u32) {
        let p = &self.parts[part as usize];
        let ps = &mut self.products[p.product as usize];
        ps.reworked_good += u64::from(p.reworked);
        ps.defects_escaped += u64::from(p.latent);
    }
}
