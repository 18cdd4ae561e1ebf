//! The event calendar: a priority queue of future events ordered by
//! `(time, insertion sequence)`.
//!
//! Simultaneous events therefore run first-scheduled-first, which makes a run
//! a pure function of its inputs. Events are small `Copy` values chosen by
//! the model; the calendar never allocates per event once its heap has grown
//! to the largest number of pending events.
//!
//! Cancelling an event costs no search: the model keeps a [`Generation`] on
//! the entity the event concerns, stamps the event with it when scheduling,
//! and bumps it to cancel. A stale event is simply ignored when it is popped.

use super::time::Time;

/// One scheduled event.
#[derive(Clone, Copy, Debug)]
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
        f64::from_bits((self.key >> 64) as u64)
    }
}

/// The simulation clock and its future-event list.
///
/// The list is a binary min-heap on `(time, seq)` kept in a `Vec`, with one
/// twist that suits discrete-event simulation: almost every pop is followed
/// by a push (an operation ends, the next one is scheduled). So [`pop`]
/// leaves the root slot *vacant* instead of refilling it at once; the next
/// [`schedule_at`] drops its entry into the vacant root and sifts it down —
/// one sift instead of the two (pop's sift-down, push's sift-up) of a plain
/// heap. If another pop comes first, the root is refilled then, as usual.
///
/// [`pop`]: Calendar::pop
/// [`schedule_at`]: Calendar::schedule_at
#[derive(Debug)]
pub struct Calendar<E> {
    now: Time,
    seq: u64,
    /// Heap-ordered entries; `heap[0]` is stale when `vacant_root` is set.
    heap: Vec<Entry<E>>,
    /// The root was popped and not yet refilled.
    vacant_root: bool,
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
            heap: Vec::with_capacity(64),
            vacant_root: false,
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
        if self.vacant_root {
            self.vacant_root = false;
            self.sift_down(0, entry);
        } else {
            self.heap.push(entry);
            self.sift_up(self.heap.len() - 1, entry);
        }
    }

    /// Removes the earliest event, advances the clock to its time and
    /// returns it; `None` when nothing is scheduled.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        if self.vacant_root {
            self.refill_root();
        }
        let entry = *self.heap.first()?;
        self.vacant_root = true;
        self.now = entry.time();
        self.popped += 1;
        Some((self.now, entry.event))
    }

    /// Time of the earliest pending event.
    pub fn peek_time(&self) -> Option<Time> {
        let first = if self.vacant_root {
            // With the root gone, the earliest entry is one of its children.
            match self.heap.get(1..).unwrap_or_default() {
                [] => return None,
                [a] => a,
                [a, b, ..] => {
                    if a.before(b) {
                        a
                    } else {
                        b
                    }
                }
            }
        } else {
            self.heap.first()?
        };
        Some(first.time())
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.vacant_root)
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of events popped so far (stale ones included).
    pub fn events_processed(&self) -> u64 {
        self.popped
    }

    /// Removes the stale root: the last entry takes its place and sinks.
    #[inline]
    fn refill_root(&mut self) {
        self.vacant_root = false;
        let last = self.heap.pop().expect("a vacant root is in the heap");
        if !self.heap.is_empty() {
            self.sift_down(0, last);
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
