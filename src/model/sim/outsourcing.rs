//! Part of a routing step sent to a contractor: each part reaching the
//! step is drawn, from the step's own random stream, to go out (with the
//! step's `share`) or to be processed at its station. A part drawn for a
//! contractor whose week is already full is processed in the plant
//! instead: the share is the plan, the contractor's capacity its limit.

use super::*;

/// The random streams of the steps partly sent out, one per step, named
/// `outsource_share/PRODUCT/STEP` (the step's index in the routing), and
/// each such operation's index into them. Other scenarios create none, so
/// their random numbers do not move.
pub(super) fn share_streams(f: &Factory, ops: &mut [Op<'_>], seed: u64, rep: u64) -> Vec<Stream> {
    let mut streams = Vec::new();
    let mut i = 0;
    for p in &f.products {
        for step in 0..p.routing.len() {
            let op = &mut ops[i];
            i += 1;
            if op.share > 0.0 {
                op.share_stream = streams.len() as u32;
                streams.push(Stream::new(
                    seed,
                    rep,
                    &format!("outsource_share/{}/{step}", p.name),
                ));
            }
        }
    }
    streams
}

impl<'f> Sim<'f> {
    /// Whether the part reaching step `op` (partly sent out) goes to the
    /// contractor: one draw per visit, whatever the outcome, so that the
    /// draws of later parts do not depend on the contractor's capacity.
    #[inline(never)]
    pub(super) fn sent_out(&mut self, op: &'f Op<'f>) -> bool {
        let u = self.share_streams[op.share_stream as usize].uniform();
        u < op.share && self.contractor_can_take(op.subcontract, 1)
    }
}
