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

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Time;

/// One scheduled event.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    /// Time as the bit pattern of a non-negative `f64`: for non-negative
    /// floats the bit patterns order exactly like the values, so the heap
    /// compares integers.
    key: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap and we want the earliest first.
        (other.key, other.seq).cmp(&(self.key, self.seq))
    }
}

/// The simulation clock and its future-event list.
#[derive(Debug)]
pub struct Calendar<E> {
    now: Time,
    seq: u64,
    heap: BinaryHeap<Entry<E>>,
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
            heap: BinaryHeap::with_capacity(64),
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
        let key = (at + 0.0).to_bits();
        self.heap.push(Entry {
            key,
            seq: self.seq,
            event,
        });
        self.seq += 1;
    }

    /// Removes the earliest event, advances the clock to its time and
    /// returns it; `None` when nothing is scheduled.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let entry = self.heap.pop()?;
        self.now = f64::from_bits(entry.key);
        self.popped += 1;
        Some((self.now, entry.event))
    }

    /// Time of the earliest pending event.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| f64::from_bits(e.key))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Number of events popped so far (stale ones included).
    pub fn events_processed(&self) -> u64 {
        self.popped
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
