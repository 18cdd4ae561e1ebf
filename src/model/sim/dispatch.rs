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
    pub(super) fn take_setup_aware(&mut self, s: u32, m: u32) -> Queued {
        let ops = self.ops;
        let family = |q: &Queued| ops[q.op as usize].family;
        let st = &self.stations[s as usize];
        let mach = &self.machines[m as usize];
        let last = mach.last_family;
        let index = match st.dispatch {
            Dispatch::MinSetup => st
                .queue
                .iter()
                .position(|q| {
                    let op = &ops[q.op as usize];
                    !op.has_setup || op.family == last
                })
                .unwrap_or(0),
            Dispatch::Campaign { limit } => {
                let run = self.campaigns[m as usize].run_of(last);
                match st.queue.iter().position(|q| family(q) == last) {
                    Some(i) if run < limit => i,
                    _ => st.queue.iter().position(|q| family(q) != last).unwrap_or(0),
                }
            }
            _ => 0,
        };
        let q = self.stations[s as usize]
            .queue
            .remove(index)
            .expect("the queue is not empty");
        if let Dispatch::Campaign { .. } = self.stations[s as usize].dispatch {
            let f = family(&q);
            self.count_campaign(m, f, 1);
        }
        q
    }

    /// Machine `m` takes `n` parts of family `f` from its queue under
    /// campaign dispatching: the campaign goes on or a new one starts.
    pub(super) fn count_campaign(&mut self, m: u32, f: u32, n: u32) {
        let last = self.machines[m as usize].last_family;
        let c = &mut self.campaigns[m as usize];
        if c.family == f && last == f {
            c.run = c.run.saturating_add(n);
        } else {
            c.family = f;
            c.run = n;
        }
    }
}

/// The campaign a machine is running under campaign dispatching.
#[derive(Clone, Copy, Debug)]
pub(super) struct Campaign {
    /// Its family (NONE before the first).
    family: u32,
    /// Parts of it taken from the queue in a row.
    run: u32,
}

impl Default for Campaign {
    fn default() -> Self {
        Campaign {
            family: NONE,
            run: 0,
        }
    }
}

impl Campaign {
    /// Parts run in the campaign of family `last`, the machine's last: 0
    /// when a start straight from an empty queue changed the family since
    /// the campaign was counted.
    pub(super) fn run_of(&self, last: u32) -> u32 {
        if self.family == last { self.run } else { 0 }
    }
}
