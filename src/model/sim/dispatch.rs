//! Setup-aware dispatching: which waiting part a freed machine takes when
//! its station dispatches by `min_setup` or `campaign`.
//!
//! A part needs a setup when its operation has one and its product family
//! differs from the family the machine last ran. `min_setup` takes the
//! first queued part that needs none, else the first in the queue.
//! `campaign` keeps to the machine's family while parts of it wait, up to
//! `limit` parts in a row taken from the queue, then switches to the
//! family whose part has waited longest (the first queued part of another
//! family). Either way, ties go first in, first out.

use super::*;

impl<'f> Sim<'f> {
    /// Takes the part machine `m` (freed, at station `s` with a non-empty
    /// queue) runs next under a setup-aware rule.
    #[inline(never)]
    pub(super) fn take_setup_aware(&mut self, s: u32, m: u32) -> u32 {
        let (ops, parts) = (self.ops, &self.parts);
        let family = |part: u32| ops[parts[part as usize].op as usize].family;
        let st = &self.stations[s as usize];
        let mach = &self.machines[m as usize];
        let last = mach.last_family;
        let index = match st.dispatch {
            Dispatch::MinSetup => st
                .queue
                .iter()
                .position(|&p| {
                    let op = &ops[parts[p as usize].op as usize];
                    op.setup.is_none() || op.family == last
                })
                .unwrap_or(0),
            Dispatch::Campaign { limit } => {
                // A start straight from an empty queue may have changed the
                // machine's family since the campaign was counted.
                let run = if mach.campaign_family == last {
                    mach.campaign_run
                } else {
                    0
                };
                match st.queue.iter().position(|&p| family(p) == last) {
                    Some(i) if run < limit => i,
                    _ => st
                        .queue
                        .iter()
                        .position(|&p| family(p) != last)
                        .unwrap_or(0),
                }
            }
            _ => 0,
        };
        let part = self.stations[s as usize]
            .queue
            .remove(index)
            .expect("the queue is not empty");
        if let Dispatch::Campaign { .. } = self.stations[s as usize].dispatch {
            let f = family(part);
            self.count_campaign(m, f, 1);
        }
        part
    }

    /// Machine `m` takes `n` parts of family `f` from its queue under
    /// campaign dispatching: the campaign goes on or a new one starts.
    pub(super) fn count_campaign(&mut self, m: u32, f: u32, n: u32) {
        let mach = &mut self.machines[m as usize];
        if mach.campaign_family == f && mach.last_family == f {
            mach.campaign_run = mach.campaign_run.saturating_add(n);
        } else {
            mach.campaign_family = f;
            mach.campaign_run = n;
        }
    }
}
