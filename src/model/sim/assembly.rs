//! Assembly of parts made in the plant (a multi-level bill of materials).
//!
//! An operation with `components` assembles sub-assemblies made in the
//! plant into its part. Each part of a product with such operations gets,
//! when it is released, one **kit** per assembling operation: the
//! sub-assembly parts released with it for that operation (their product
//! is `Release::WithParent`), made for it and for nothing else. They carry
//! its due date, so an earliest-due rule treats them as urgent as the
//! order they serve. A sub-assembly finished good waits in its kit; one
//! scrapped is replaced at once by another for the same kit.
//!
//! The assembling operation needs its whole kit: a machine that takes the
//! part before then holds it, starved (as for raw materials), until the
//! last sub-assembly is done. The kit is consumed when the operation
//! starts, once: a rework that sends the assembly back through the
//! operation does not take new sub-assemblies.
//!
//! Work in process counts a sub-assembly from its release until it is
//! assembled, then only the assembly: an assembled part is counted once.
//! Sub-assemblies are not finished goods: they add to their product's
//! good parts (and yields), not to the plant's throughput or cycle time.
//!
//! A part scrapped before all its kits were consumed leaves them, with the
//! sub-assemblies done and in progress, to the next part of its product
//! released (its replacement, for an order): no sub-assembly is thrown
//! away with an assembly it never went into.

use super::*;

/// The sub-assemblies one part needs for one assembling operation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Kit {
    /// The assembling operation (index into [`Sim::ops`]).
    op: u32,
    /// Sub-assemblies not yet finished, and finished ones waiting.
    missing: u32,
    ready: u32,
    /// Machine holding the part, waiting for the kit, or NONE.
    machine: u32,
    /// The part's next kit (a later operation), or NONE.
    next: u32,
    /// Made by the release under way, whose sub-assemblies are still to
    /// be released.
    fresh: bool,
}

/// A product's assembling operations: the operation's index and what it
/// takes (sub-assembly product, units).
type Plan<'f> = Vec<(u32, &'f [(ProductId, u32)])>;

/// Kits of the run (most plants have none).
#[derive(Default)]
pub(super) struct Assembly<'f> {
    /// By product: its assembling operations and what each takes (empty
    /// for a product that assembles nothing).
    plans: Vec<Plan<'f>>,
    /// Kits in slots reused through `free`.
    kits: Vec<Kit>,
    free: Vec<u32>,
    /// By product: kit chains left by scrapped parts, first in first out,
    /// for the next parts of the product.
    orphans: Vec<VecDeque<u32>>,
    /// By product: units assembled into other parts (after warm-up).
    pub assembled: Vec<u64>,
}

impl<'f> Assembly<'f> {
    /// The plans of `f`'s products, with `ops` the operation table and
    /// `first_op` each product's first operation in it.
    pub fn new(f: &'f Factory, first_op: &[u32]) -> Assembly<'f> {
        if !f.assembles() {
            return Assembly::default();
        }
        Assembly {
            plans: f
                .products
                .iter()
                .zip(first_op)
                .map(|(p, &base)| {
                    p.routing
                        .iter()
                        .enumerate()
                        .filter(|(_, op)| !op.components.is_empty())
                        .map(|(i, op)| (base + i as u32, op.components.as_slice()))
                        .collect()
                })
                .collect(),
            kits: Vec::new(),
            free: Vec::new(),
            orphans: vec![VecDeque::new(); f.products.len()],
            assembled: vec![0; f.products.len()],
        }
    }

    /// Some product assembles others.
    #[inline(always)]
    pub fn any(&self) -> bool {
        !self.plans.is_empty()
    }

    /// Statistics restart at the end of the warm-up.
    pub fn reset_statistics(&mut self) {
        self.assembled.iter_mut().for_each(|a| *a = 0);
    }
}

impl<'f> Sim<'f> {
    /// `part` was just made, and is not yet placed: gives it its kits and
    /// releases their sub-assemblies (which get theirs in turn). Kits a
    /// scrapped part of the product left are taken over first.
    #[cold]
    #[inline(never)]
    pub(super) fn release_kits(&mut self, part: u32) {
        let product = self.parts[part as usize].product as usize;
        if self.asm.plans[product].is_empty() {
            return;
        }
        let mut left = self.asm.orphans[product].pop_front().unwrap_or(NONE);
        let mut head = NONE;
        let mut tail = NONE;
        for i in 0..self.asm.plans[product].len() {
            let (op, components) = self.asm.plans[product][i];
            // A left kit serves the same operation; the ones it lacks (the
            // scrapped part had consumed them) are made anew.
            let k = if left != NONE && self.asm.kits[left as usize].op == op {
                let k = left;
                left = self.asm.kits[k as usize].next;
                k
            } else {
                let missing = components.iter().map(|&(_, q)| q).sum();
                store(
                    &mut self.asm.kits,
                    &mut self.asm.free,
                    Kit {
                        op,
                        missing,
                        ready: 0,
                        machine: NONE,
                        next: NONE,
                        fresh: true,
                    },
                )
            };
            self.asm.kits[k as usize].next = NONE;
            if tail == NONE {
                head = k;
            } else {
                self.asm.kits[tail as usize].next = k;
            }
            tail = k;
        }
        debug_assert_eq!(left, NONE, "a left kit chain follows the plan");
        self.parts[part as usize].kit = head;
        let due = self.parts[part as usize].due;
        let mut k = head;
        for i in 0..self.asm.plans[product].len() {
            let (_, components) = self.asm.plans[product][i];
            let kit = &mut self.asm.kits[k as usize];
            let next = kit.next;
            if !std::mem::take(&mut kit.fresh) {
                k = next;
                continue;
            }
            for &(c, q) in components {
                for _ in 0..q {
                    if self.overloaded.is_some() {
                        return;
                    }
                    self.release_component(c.0, k, due);
                }
            }
            k = next;
        }
    }

    /// Releases a part of sub-assembly `product` for kit `kit`, due at
    /// `due`, into its first station (its own kits follow).
    fn release_component(&mut self, product: u32, kit: u32, due: f64) {
        let child = self.new_part(product, NONE);
        let c = &mut self.parts[child as usize];
        c.for_kit = kit;
        c.due = due;
        self.release_kits(child);
        self.route(child);
    }

    /// Machine `m` is to start an assembling operation: takes the kit if
    /// it is complete (or was consumed by an earlier pass), else holds the
    /// part until it is. Returns whether it may go on.
    #[inline(never)]
    pub(super) fn take_kit(&mut self, m: u32) -> bool {
        let part = self.machines[m as usize].part;
        let p = self.parts[part as usize];
        let k = p.kit;
        // Consumed already: the part came back here for rework.
        if k == NONE || self.asm.kits[k as usize].op != p.op {
            return true;
        }
        let kit = self.asm.kits[k as usize];
        if kit.missing > 0 {
            self.asm.kits[k as usize].machine = m;
            let mach = &mut self.machines[m as usize];
            mach.phase = Phase::AwaitKit;
            let s = mach.station;
            self.set_state(m);
            self.log("wait_for_components", s, m, part);
            return false;
        }
        // Assembled: the sub-assemblies leave work in process, and the
        // part's next kit (for a later operation) comes first.
        let now = self.cal.now();
        self.in_process -= kit.ready;
        self.wip.add(now, -f64::from(kit.ready));
        self.waiting.add(now, -f64::from(kit.ready));
        let (_, components) = self.asm.plans[p.product as usize]
            .iter()
            .copied()
            .find(|&(op, _)| op == kit.op)
            .expect("a kit follows its product's plan");
        for &(c, q) in components {
            self.asm.assembled[c.0 as usize] += u64::from(q);
        }
        self.parts[part as usize].kit = kit.next;
        self.asm.free.push(k);
        let s = self.machines[m as usize].station;
        self.log("assemble", s, m, part);
        // The plant holds fewer parts now: under CONWIP the gate lets
        // others in, whatever event completed the kit.
        if self.wip_cap != u32::MAX {
            self.pump_gate();
        }
        true
    }

    /// Sub-assembly `part` (`p` as it was) is finished good: it waits in
    /// its kit, whose assembly may now start.
    #[cold]
    #[inline(never)]
    pub(super) fn component_done(&mut self, part: u32, p: Part) {
        // Its slot is free; it stays in work in process, waiting, until
        // assembled.
        self.free_parts.push(part);
        self.waiting.add(self.cal.now(), 1.0);
        let k = p.for_kit;
        let kit = &mut self.asm.kits[k as usize];
        kit.missing -= 1;
        kit.ready += 1;
        let m = kit.machine;
        if kit.missing == 0 && m != NONE {
            self.asm.kits[k as usize].machine = NONE;
            if !self.machines[m as usize].down {
                self.kit_complete(m);
            }
        }
    }

    /// The kit machine `m` waits for is complete (or the machine, waiting
    /// for it, was repaired): the operation goes on if it is.
    pub(super) fn kit_complete(&mut self, m: u32) {
        let part = self.machines[m as usize].part;
        let k = self.parts[part as usize].kit;
        if self.asm.kits[k as usize].missing == 0 {
            self.start_work(m);
        } else {
            self.asm.kits[k as usize].machine = m;
        }
    }

    /// Sub-assembly part `p` was scrapped: another replaces it in its kit.
    #[cold]
    #[inline(never)]
    pub(super) fn component_scrapped(&mut self, p: Part) {
        if self.overloaded.is_none() {
            self.release_component(p.product, p.for_kit, p.due);
        }
    }

    /// Part `p` of a product that assembles others was scrapped with kits
    /// not yet consumed: the next part of the product takes them over.
    #[cold]
    #[inline(never)]
    pub(super) fn leave_kits(&mut self, p: Part) {
        self.asm.orphans[p.product as usize].push_back(p.kit);
    }
}
