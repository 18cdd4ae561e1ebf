//! The idle machines of a station, kept without a heap buffer of their
//! own (issue #17).
//!
//! The list is a stack: the machine made idle last is taken first (machine
//! 0 at the top to begin with; see [`Sim::new`]). Its top and its length
//! sit in the station's record, in the cache line every operation reads
//! anyway; the machines below the top sit in one array shared by all
//! stations ([`Sim::idle_below`]), each station's slice starting at its
//! first machine, with room for all its machines. A station of one machine
//! — most stations of a large plant — never reads or writes that array,
//! and a `Vec` of its own would have cost a cache line elsewhere at every
//! part it took.

/// The idle machines of one station: `len` of them, the top one `top` and
/// the others in `below[base..base + len - 1]`, bottom first.
#[derive(Clone, Copy, Debug)]
pub(super) struct IdleMachines {
    len: u32,
    top: u32,
    base: u32,
}

impl IdleMachines {
    /// An empty list whose machines below the top are kept from `base`
    /// on (the station's first machine).
    pub(super) fn new(base: u32) -> Self {
        IdleMachines {
            len: 0,
            top: 0,
            base,
        }
    }

    #[inline(always)]
    pub(super) fn len(&self) -> u32 {
        self.len
    }

    #[inline(always)]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Puts `m` on top.
    #[inline(always)]
    pub(super) fn push(&mut self, below: &mut [u32], m: u32) {
        if self.len > 0 {
            below[(self.base + self.len - 1) as usize] = self.top;
        }
        self.top = m;
        self.len += 1;
    }

    /// Takes the top machine.
    #[inline(always)]
    pub(super) fn pop(&mut self, below: &[u32]) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let m = self.top;
        self.len -= 1;
        if self.len > 0 {
            self.top = below[(self.base + self.len - 1) as usize];
        }
        Some(m)
    }

    /// The machine at position `i` from the bottom (`i < len`).
    pub(super) fn get(&self, below: &[u32], i: u32) -> u32 {
        if i + 1 == self.len {
            self.top
        } else {
            below[(self.base + i) as usize]
        }
    }

    /// Takes machine `m` out of the list wherever it is (the others keep
    /// their order); nothing if it is not there.
    pub(super) fn remove(&mut self, below: &mut [u32], m: u32) {
        if self.len == 0 {
            return;
        }
        let b = self.base as usize;
        let n = (self.len - 1) as usize;
        if let Some(i) = below[b..b + n].iter().position(|&x| x == m) {
            below.copy_within(b + i + 1..b + n, b + i);
            self.len -= 1;
        } else if self.top == m {
            self.pop(below);
        }
    }

    /// Puts `m` at position `at` from the bottom (`at <= len`), above the
    /// machines before it.
    pub(super) fn insert(&mut self, below: &mut [u32], at: u32, m: u32) {
        if at == self.len {
            return self.push(below, m);
        }
        let b = self.base as usize;
        let n = (self.len - 1) as usize;
        let at = at as usize;
        below.copy_within(b + at..b + n, b + at + 1);
        below[b + at] = m;
        self.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list against a `Vec` doing the same.
    #[test]
    fn behaves_like_a_vec() {
        let mut below = vec![u32::MAX; 9];
        // A station whose machines are 3..7 (4 of them).
        let mut idle = IdleMachines::new(3);
        let mut reference: Vec<u32> = Vec::new();
        let check = |idle: &IdleMachines, below: &[u32], reference: &[u32]| {
            assert_eq!(idle.len() as usize, reference.len());
            for (i, &m) in reference.iter().enumerate() {
                assert_eq!(idle.get(below, i as u32), m);
            }
        };
        for m in [6, 5, 4, 3] {
            idle.push(&mut below, m);
            reference.push(m);
        }
        check(&idle, &below, &reference);
        assert_eq!(idle.pop(&below), reference.pop());
        check(&idle, &below, &reference);
        idle.remove(&mut below, 5);
        reference.retain(|&x| x != 5);
        check(&idle, &below, &reference);
        idle.insert(&mut below, 0, 5);
        reference.insert(0, 5);
        check(&idle, &below, &reference);
        idle.insert(&mut below, 1, 3);
        reference.insert(1, 3);
        check(&idle, &below, &reference);
        idle.remove(&mut below, 4);
        reference.retain(|&x| x != 4);
        check(&idle, &below, &reference);
        idle.remove(&mut below, 4);
        check(&idle, &below, &reference);
        while let Some(m) = reference.pop() {
            assert_eq!(idle.pop(&below), Some(m));
            check(&idle, &below, &reference);
        }
        assert_eq!(idle.pop(&below), None);
        // Nothing outside the station's slice was touched.
        assert!(below[..3].iter().all(|&x| x == u32::MAX));
        assert!(below[7..].iter().all(|&x| x == u32::MAX));
    }
}
