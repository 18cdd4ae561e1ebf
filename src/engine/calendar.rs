//! The event calendar: a priority queue of future events ordered by
//! `(time, insertion sequence)`.
//!
//! Simultaneous events therefore run first-scheduled-first, which makes a run
//! a pure function of its inputs. Events are small `Copy` values chosen by
//! the model; the calendar never allocates per event once its storage has
//! grown to the largest number of pending events.
//!
//! The cost of an event does not grow with the number pending: a few
//! pending events (a small plant) sit in a binary heap, whose depth is then
//! small; past a few hundred of them (a plant of hundreds of busy machines)
//! they move to a calendar queue (`buckets.rs`), which files an event in
//! O(1) by its time. Both pop in exactly the same order.
//!
//! Cancelling an event costs no search: the model keeps a [`Generation`] on
//! the entity the event concerns, stamps the event with it when scheduling,
//! and bumps it to cancel. A stale event is simply ignored when it is popped.

mod buckets;

use self::buckets::Buckets;
use super::time::Time;

/// Pending events beyond which they move from the heap to the calendar
/// queue, and below which they move back. The heap is cheaper while it is
/// shallow (it runs fewer instructions per event up to about a hundred
/// pending, in a pop-and-push loop of exponential delays); the gap between
/// the two keeps a plant whose number of pending events hovers around one
/// of them from moving back and forth.
const BUCKETS_FROM: usize = 256;
const HEAP_BELOW: usize = 64;

/// One scheduled event.
///
/// Aligned to its 32 bytes (for the model's 12-byte events), so that an
/// entry never straddles two cache lines of the heap's buffer.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
struct Entry<E> {
    /// The sort key: the time's bit pattern in the high 64 bits, the
    /// insertion sequence in the low 64 bits. For non-negative floats the bit
    /// patterns order exactly like the values, so one integer comparison
    /// orders by time and then first-scheduled-first. Every entry has a
    /// different sequence number, so the order is total and the pop order
    /// cannot depend on the heap's internal layout.
    key: u128,
    event: E,
}

impl<E> Entry<E> {
    /// True if `self` must pop before `other`.
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        self.key < other.key
    }

    /// The scheduled time.
    #[inline(always)]
    fn time(&self) -> Time {
        time_of(self.key)
    }
}

/// The time of a sort key.
#[inline(always)]
fn time_of(key: u128) -> Time {
    f64::from_bits((key >> 64) as u64)
}

/// `Calendar::state` bits: `heap[0]` is stale (popped and not refilled).
const ROOT_VACANT: u8 = 1;
/// `Calendar::state` bits: the pending events are in the calendar queue.
/// The heap then holds one stale entry, the root, through which pops pass,
/// so [`ROOT_VACANT`] is always set with this bit.
const BUCKETED: u8 = 2 | ROOT_VACANT;

/// The simulation clock and its future-event list.
///
/// With few events pending, the list is a binary min-heap on `(time, seq)`
/// kept in a `Vec`, with one twist that suits discrete-event simulation:
/// almost every pop is followed by a push (an operation ends, the next one
/// is scheduled). So [`pop`] leaves the root slot *vacant* instead of
/// refilling it at once; the next [`schedule_at`] drops its entry into the
/// vacant root and sifts it down — one sift instead of the two (pop's
/// sift-down, push's sift-up) of a plain heap. If another pop comes first,
/// the root is refilled then, as usual.
///
/// With many pending, a sift would cross log2(pending) levels of a heap
/// too big for the L1 cache, so they move to a calendar queue
/// (`calendar/buckets.rs`) instead, and each pop refills the heap's root
/// from it. Which store holds them and whether the root is vacant are one
/// small state, tested once on each of the heap's usual paths where the
/// vacant root alone was tested before, so a small plant pays next to
/// nothing for the calendar queue.
///
/// [`pop`]: Calendar::pop
/// [`schedule_at`]: Calendar::schedule_at
#[derive(Debug)]
pub struct Calendar<E> {
    now: Time,
    seq: u64,
    /// [`ROOT_VACANT`], [`BUCKETED`] or neither.
    state: u8,
    /// Heap-ordered entries; only the stale root while [`BUCKETED`].
    heap: Vec<Entry<E>>,
    buckets: Buckets<E>,
    popped: u64,
}

impl<E: Copy> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Calendar<E> {
    /// An empty calendar with the clock at zero.
    pub fn new() -> Self {
        Calendar {
            now: 0.0,
            seq: 0,
            state: 0,
            heap: Vec::with_capacity(64),
            buckets: Buckets::new(),
            popped: 0,
        }
    }

    /// The current simulation time.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `event` to happen `delay` seconds from now.
    ///
    /// `delay` must be finite and non-negative; the model guarantees this by
    /// validating every distribution before a run starts.
    #[inline]
    pub fn schedule_in(&mut self, delay: Time, event: E) {
        debug_assert!(delay >= 0.0 && delay.is_finite(), "bad delay {delay}");
        self.schedule_at(self.now + delay, event);
    }

    /// Schedules `event` at absolute time `at` (not earlier than now).
    #[inline]
    pub fn schedule_at(&mut self, at: Time, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        // `+ 0.0` turns a negative zero into a positive one, so the bit
        // pattern orders correctly.
        let entry = Entry {
            key: (u128::from((at + 0.0).to_bits()) << 64) | u128::from(self.seq),
            event,
        };
        self.seq += 1;
        if self.state == ROOT_VACANT {
            // The usual case with few events: a pop left the root vacant.
            self.fill_root(entry);
        } else {
            self.push(entry);
        }
    }

    /// Drops `entry` into the vacant root of the heap and sifts it down.
    #[inline(never)]
    fn fill_root(&mut self, entry: Entry<E>) {
        self.state = 0;
        self.sift_down(0, entry);
    }

    /// Adds `entry` to the heap (whose root is not vacant) or to the
    /// calendar queue.
    #[inline(never)]
    fn push(&mut self, entry: Entry<E>) {
        if self.state == 0 {
            self.heap.push(entry);
            self.sift_up(self.heap.len() - 1, entry);
            if self.heap.len() > BUCKETS_FROM {
                self.move_to_buckets();
            }
        } else {
            self.buckets.push(entry.key, entry.event, self.now);
        }
    }

    /// Removes the earliest event, advances the clock to its time and
    /// returns it; `None` when nothing is scheduled.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        if self.state != 0 {
            self.refill_root()?;
        }
        let entry = *self.heap.first()?;
        self.state |= ROOT_VACANT;
        self.now = entry.time();
        self.popped += 1;
        Some((self.now, entry.event))
    }

    /// Time of the earliest pending event.
    pub fn peek_time(&self) -> Option<Time> {
        let first = match self.state {
            BUCKETED => return self.buckets.peek().map(time_of),
            // With the root gone, the earliest entry is one of its children.
            ROOT_VACANT => match self.heap.get(1..).unwrap_or_default() {
                [] => return None,
                [a] => a,
                [a, b, ..] => {
                    if a.before(b) {
                        a
                    } else {
                        b
                    }
                }
            },
            _ => self.heap.first()?,
        };
        Some(first.time())
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        match self.state {
            BUCKETED => self.buckets.len(),
            ROOT_VACANT => self.heap.len() - 1,
            _ => self.heap.len(),
        }
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of events popped so far (stale ones included).
    pub fn events_processed(&self) -> u64 {
        self.popped
    }

    /// Puts the earliest pending event in the vacant root: from the heap
    /// (its last entry takes the root's place and sinks), or from the
    /// calendar queue. `None` when no event is pending.
    #[inline]
    fn refill_root(&mut self) -> Option<()> {
        if self.state == BUCKETED {
            return self.refill_root_from_buckets();
        }
        self.state = 0;
        let last = self.heap.pop().expect("a vacant root is in the heap");
        if !self.heap.is_empty() {
            self.sift_down(0, last);
        }
        Some(())
    }

    /// [`Calendar::refill_root`] from the calendar queue; back to the heap
    /// when few events are left.
    #[inline(never)]
    fn refill_root_from_buckets(&mut self) -> Option<()> {
        let earliest = self.buckets.pop()?;
        self.heap[0] = earliest;
        if self.buckets.len() < HEAP_BELOW {
            self.move_to_heap();
        }
        Some(())
    }

    /// Moves the pending events from the heap to the calendar queue,
    /// keeping one (stale) entry as the vacant root.
    #[cold]
    #[inline(never)]
    fn move_to_buckets(&mut self) {
        debug_assert_eq!(self.state, 0);
        let root = self.heap[0];
        self.buckets.fill(self.now, self.heap.drain(..));
        self.heap.push(root);
        self.state = BUCKETED;
    }

    /// Moves the pending events from the calendar queue to the heap, whose
    /// root holds the earliest.
    #[cold]
    #[inline(never)]
    fn move_to_heap(&mut self) {
        debug_assert_eq!(self.heap.len(), 1);
        self.heap.extend(self.buckets.drain());
        self.state = 0;
        // Heapify: sift down every parent, the last first (the root, the
        // earliest of all, stays).
        for pos in (0..self.heap.len() / 2).rev() {
            let entry = self.heap[pos];
            self.sift_down(pos, entry);
        }
    }

    /// Moves the hole at `pos` up until `entry` fits there, then writes it.
    #[inline]
    fn sift_up(&mut self, mut pos: usize, entry: Entry<E>) {
        let heap = self.heap.as_mut_slice();
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !entry.before(&heap[parent]) {
                break;
            }
            heap[pos] = heap[parent];
            pos = parent;
        }
        heap[pos] = entry;
    }

    /// Moves the hole at `pos` down until `entry` fits there, then writes it.
    #[inline]
    fn sift_down(&mut self, mut pos: usize, entry: Entry<E>) {
        let heap = self.heap.as_mut_slice();
        let len = heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            // The earlier of the two children, chosen by arithmetic rather
            // than a branch: which child wins is a coin toss that a branch
            // predictor cannot learn.
            let right = left + 1;
            let child = left + usize::from(right < len && heap[right].before(&heap[left]));
            if !heap[child].before(&entry) {
                break;
            }
            heap[pos] = heap[child];
            pos = child;
        }
        heap[pos] = entry;
    }
}

/// A cancellation stamp kept on an entity (a machine, an order…).
///
/// Events about the entity carry the generation current when they were
/// scheduled; [`Generation::bump`] invalidates all of them at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generation(u32);

impl Generation {
    /// The stamp to put on an event scheduled now.
    #[inline]
    pub fn current(self) -> u32 {
        self.0
    }

    /// Cancels every event stamped with an earlier generation.
    #[inline]
    pub fn bump(&mut self) {
        self.0 = self.0.wrapping_add(1);
    }

    /// True if an event stamped `stamp` is still live.
    #[inline]
    pub fn is_current(self, stamp: u32) -> bool {
        self.0 == stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut cal = Calendar::new();
        cal.schedule_at(5.0, 'a');
        cal.schedule_at(1.0, 'b');
        cal.schedule_at(5.0, 'c');
        cal.schedule_at(0.0, 'd');
        cal.schedule_at(5.0, 'e');
        let order: Vec<char> = std::iter::from_fn(|| cal.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['d', 'b', 'a', 'c', 'e']);
        assert_eq!(cal.now(), 5.0);
    }

    #[test]
    fn relative_scheduling_uses_the_clock() {
        let mut cal = Calendar::new();
        cal.schedule_at(10.0, 1);
        cal.pop();
        cal.schedule_in(2.5, 2);
        assert_eq!(cal.pop(), Some((12.5, 2)));
    }

    /// Interleaved pushes and pops agree with a sorted reference list,
    /// including many ties.
    #[test]
    fn matches_a_sorted_reference() {
        let mut cal = Calendar::new();
        let mut reference: Vec<(u64, u64, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..20_000u32 {
            let r = next();
            if r % 3 != 0 || cal.is_empty() {
                // Coarse delays make ties common.
                let at = cal.now() + (r >> 8) as f64 % 16.0;
                cal.schedule_at(at, round);
                reference.push((at.to_bits(), seq, round));
                seq += 1;
            } else {
                reference.sort();
                let (key, _, ev) = reference.remove(0);
                assert_eq!(cal.peek_time(), Some(f64::from_bits(key)));
                assert_eq!(cal.pop(), Some((f64::from_bits(key), ev)));
            }
            assert_eq!(cal.len(), reference.len());
            if let Some(t) = cal.peek_time() {
                assert_eq!(
                    t,
                    reference
                        .iter()
                        .map(|r| f64::from_bits(r.0))
                        .fold(f64::INFINITY, f64::min)
                );
            }
        }
        reference.sort();
        for (key, _, ev) in reference {
            assert_eq!(cal.pop(), Some((f64::from_bits(key), ev)));
        }
        assert_eq!(cal.pop(), None);
        assert!(cal.is_empty());
        assert_eq!(cal.peek_time(), None);
    }

    /// Pops agree with a sorted reference while the pending events grow
    /// past the point where they move to the calendar queue, spread over
    /// very different scales (ties, sub-second gaps, hours, a far end),
    /// and shrink back to the heap.
    #[test]
    fn matches_a_sorted_reference_through_both_stores() {
        let mut cal = Calendar::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut seq = 0u64;
        let mut x = 987_654_321u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        cal.schedule_at(1e7, u64::MAX);
        reference.insert((1e7f64.to_bits(), seq, u64::MAX));
        seq += 1;
        // Phases (steps, pushes in eighths): grow to about 4 500 pending,
        // hold, shrink to one, grow again; then drain.
        let phases: [(u32, u64); 4] = [(6_000, 7), (30_000, 4), (8_000, 1), (5_000, 6)];
        let (mut popped, mut bucketed, mut back_to_heap) = (0u64, false, false);
        for (round, &(steps, pushes)) in phases.iter().enumerate() {
            for i in 0..steps {
                let r = next();
                if r % 8 < pushes || reference.len() <= 1 {
                    let delay = match (r >> 8) % 8 {
                        0 => 0.0,
                        1 => ((r >> 16) % 4) as f64,
                        2 => 3600.0 * ((r >> 16) % 5) as f64,
                        3 => ((r >> 16) % 1000) as f64 * 1e-3,
                        _ => ((r >> 16) % 1_000_000) as f64 * 1e-4,
                    };
                    let at = cal.now() + delay;
                    let ev = (round as u64) << 32 | u64::from(i);
                    cal.schedule_at(at, ev);
                    reference.insert((at.to_bits(), seq, ev));
                    seq += 1;
                } else {
                    let first = *reference.iter().next().unwrap();
                    reference.remove(&first);
                    assert_eq!(cal.peek_time(), Some(f64::from_bits(first.0)));
                    assert_eq!(cal.pop(), Some((f64::from_bits(first.0), first.2)));
                    popped += 1;
                }
                assert_eq!(cal.len(), reference.len());
                bucketed |= cal.state == BUCKETED;
                back_to_heap |= bucketed && cal.state != BUCKETED;
            }
        }
        assert!(bucketed && back_to_heap);
        for (key, _, ev) in std::mem::take(&mut reference) {
            assert_eq!(cal.pop(), Some((f64::from_bits(key), ev)));
        }
        assert!(popped > 10_000);
        assert_eq!(cal.pop(), None);
        assert!(cal.is_empty());
    }

    #[test]
    fn generation_cancels_old_stamps() {
        let mut g = Generation::default();
        let stamp = g.current();
        assert!(g.is_current(stamp));
        g.bump();
        assert!(!g.is_current(stamp));
        assert!(g.is_current(g.current()));
    }
}
