//! The active-period method of bottleneck detection (Roser, Nakano and
//! Tanaka, "Shifting bottleneck detection", Winter Simulation Conference
//! 2002), computed as the run goes, in memory that does not grow with the
//! horizon.
//!
//! A resource is *active* while it works or is being restored (busy, in
//! setup, down); it is *inactive* while it waits (for parts, for room
//! downstream, for people, for material, for its shift). At any moment the
//! resource whose current active period — the whole uninterrupted period,
//! not just its part so far — is the longest is the momentary bottleneck.
//! The momentary bottlenecks form a chain of periods in time order. Where
//! two consecutive periods of the chain overlap, the bottleneck is
//! *shifting* from one to the other and both count that overlap as shifting
//! bottleneck time; the rest of a chain period is *sole* bottleneck time.
//!
//! ## Computing it as the run goes
//! The length of a period is known only when it ends, so the momentary
//! bottleneck at time `t` is settled once every period covering `t` has
//! ended: the frontier is the start of the oldest period still running.
//! Two facts keep the memory small:
//! - a finished period that lies inside a running one (it started no
//!   earlier and has ended) is shorter than it, so it can never be the
//!   momentary bottleneck and is dropped at once;
//! - the finished periods kept then start in the order they end, and every
//!   one of them that reaches past the frontier covers the frontier, so at
//!   most one per resource waits to be settled.
//!
//! A resource that never stops holds the frontier back, yet everything
//! that finishes meanwhile lies inside its period and is dropped: memory
//! stays at O(resources) whatever the horizon.
//!
//! ## Cost per state change
//! Nothing scans all resources: a plant of thousands of stations pays
//! O(1) per state change, amortised O(1) for the settling.
//! - The running periods sit in a list ordered by (start, resource),
//!   linked through the resources so that any of them can leave it in
//!   O(1): the oldest one (the frontier, and the one that decides whether a
//!   finished period lies inside a running one) is at its head. A period
//!   that starts now is never older than the running ones, so it joins at
//!   the tail (behind only those that started at the same moment with a
//!   higher resource number).
//! - The kept finished periods start and end in the same order, so the ones
//!   covering a moment form a window of them that only moves forwards; the
//!   longest in the window comes from a monotonic queue of candidates (the
//!   sliding-window maximum), each admitted and dropped once.

use std::collections::VecDeque;

use super::Time;

const NONE: u32 = u32::MAX;

/// A resource's running period: when it started and its place among the
/// running ones, in one 16-byte record. A period that starts or ends reads
/// and writes both, so in a plant of thousands of resources this costs one
/// cache line rather than two.
#[derive(Clone, Copy, Debug)]
struct Resource {
    /// Start of its running active period (infinite when inactive).
    since: Time,
    /// The previous and the next running resource in [`Running`]'s list
    /// (`NONE`: none, or not running).
    links: [u32; 2],
}

/// The running periods, oldest first: a doubly linked list through the
/// resources ([`Resource::links`]), ordered by (start of their running
/// period, resource).
///
/// A period that starts now is never older than a running one (calls come
/// in time order), so it joins at the tail — past the few that started at
/// this very moment with a higher resource number, if any — and any period
/// can leave in O(1) through its links. The oldest, the only one
/// [`ActivePeriods::close`] asks about, is the head. No comparison with the
/// other running periods, so the cost of a state change does not grow with
/// the plant.
#[derive(Clone, Debug)]
struct Running {
    head: u32,
    tail: u32,
}

impl Running {
    fn new() -> Running {
        Running {
            head: NONE,
            tail: NONE,
        }
    }

    /// True if resource `a`'s running period comes before `b`'s.
    #[inline]
    fn before(res: &[Resource], a: u32, b: u32) -> bool {
        let (sa, sb) = (res[a as usize].since, res[b as usize].since);
        sa < sb || (sa == sb && a < b)
    }

    /// The resource whose running period is the oldest.
    #[inline]
    fn oldest(&self) -> Option<u32> {
        (self.head != NONE).then_some(self.head)
    }

    /// Resource `r` starts running (its `since` already set, not earlier
    /// than any running period's start).
    #[inline]
    fn push(&mut self, res: &mut [Resource], r: u32) {
        let tail = self.tail;
        if tail == NONE || Self::before(res, tail, r) {
            // The usual case: r joins at the tail.
            if tail == NONE {
                self.head = r;
            } else {
                res[tail as usize].links[1] = r;
            }
            res[r as usize].links = [tail, NONE];
            self.tail = r;
        } else {
            self.push_tied(res, r);
        }
    }

    /// [`Running::push`] when r started at the same moment as the tail and
    /// has a lower number: it goes before those that started at that moment
    /// with a higher number.
    #[cold]
    #[inline(never)]
    fn push_tied(&mut self, res: &mut [Resource], r: u32) {
        let mut after = self.tail;
        // Only periods that started at the same moment can come after r.
        while after != NONE && Self::before(res, r, after) {
            after = res[after as usize].links[0];
        }
        debug_assert!(after == NONE || Self::before(res, after, r));
        let next = if after == NONE {
            std::mem::replace(&mut self.head, r)
        } else {
            std::mem::replace(&mut res[after as usize].links[1], r)
        };
        debug_assert_ne!(next, NONE, "r does not join at the tail");
        res[next as usize].links[0] = r;
        res[r as usize].links = [after, next];
    }

    /// Resource `r` stops running.
    #[inline]
    fn remove(&mut self, res: &mut [Resource], r: u32) {
        let [prev, next] = std::mem::replace(&mut res[r as usize].links, [NONE; 2]);
        if prev == NONE {
            debug_assert_eq!(self.head, r, "a running resource is in the list");
            self.head = next;
        } else {
            res[prev as usize].links[1] = next;
        }
        if next == NONE {
            self.tail = prev;
        } else {
            res[next as usize].links[0] = prev;
        }
    }
}

/// One active period of a resource.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Period {
    start: Time,
    end: Time,
    resource: u32,
}

impl Period {
    fn len(&self) -> Time {
        self.end - self.start
    }

    #[cfg(test)]
    fn covers(&self, t: Time) -> bool {
        self.start <= t && t < self.end
    }

    /// True if `self` is the longer of two periods covering the same
    /// moment (ties: the earlier start, then the lower resource).
    fn beats(&self, other: &Period) -> bool {
        let (a, b) = (self.len(), other.len());
        a > b || (a == b && (self.start, self.resource) < (other.start, other.resource))
    }
}

/// Each resource's bottleneck time over the observed window.
#[derive(Clone, Debug, PartialEq)]
pub struct BottleneckTimes {
    /// Per resource: time it was the sole bottleneck.
    pub sole: Vec<Time>,
    /// Per resource: time it was a shifting bottleneck (shared with the
    /// resource the bottleneck shifted from or to).
    pub shifting: Vec<Time>,
    /// Times the bottleneck shifted: the momentary bottleneck passed from
    /// one resource to another whose period overlapped its own.
    pub shifts: u64,
}

/// The active-period detector: told when each resource's active periods
/// start and end, it accumulates sole and shifting bottleneck time from
/// `window_start` on.
#[derive(Clone, Debug)]
pub struct ActivePeriods {
    /// Per resource: its running period's start and its place among the
    /// running ones.
    res: Vec<Resource>,
    /// The resources with a running period, oldest first.
    running: Running,
    /// Finished periods not inside a longer one, ordered by start (and so
    /// by end), whose momentary-bottleneck time is not settled yet.
    done: VecDeque<Period>,
    /// How many of `done`, from the front, have started by the moment
    /// being settled (the window of those covering it, once the ended ones
    /// are dropped).
    admitted: usize,
    /// The admitted periods that no later admitted one beats, in `done`'s
    /// order: each beats the ones after it, so the first is the longest
    /// covering the moment being settled.
    candidates: VecDeque<Period>,
    /// The momentary bottleneck is decided before this time.
    settled: Time,
    /// The resource whose period ended at `ending_at`, not yet processed
    /// (`NONE`: none), and any others that ended at the same moment: a
    /// resource that stops and starts again at the same moment (a machine
    /// that finishes one part and takes the next) continues its period.
    ending: u32,
    ending_more: Vec<u32>,
    ending_at: Time,
    /// Per resource: units (machines) active now, and how many make the
    /// resource active (see [`ActivePeriods::unit_changed`]). Apart from
    /// [`ActivePeriods::res`]: most unit changes end and start a period at
    /// the same moment (a machine takes its next part), which needs only
    /// this.
    units: Vec<[u32; 2]>,
    /// The chain's current period and the end of its overlap with the one
    /// before it (its shifting prefix; ≤ its start when none).
    current: Option<(Period, Time)>,
    window_start: Time,
    times: BottleneckTimes,
}

impl ActivePeriods {
    /// `resources` resources, all inactive; time before `window_start`
    /// (the warm-up) is not counted.
    pub fn new(resources: usize, window_start: Time) -> ActivePeriods {
        Self::with_units(&vec![1; resources], window_start)
    }

    /// Like [`ActivePeriods::new`], for resources made of `units[r]`
    /// units each (a station's machines): a resource is active while all
    /// its units are.
    pub fn with_units(units: &[u32], window_start: Time) -> ActivePeriods {
        let resources = units.len();
        ActivePeriods {
            res: vec![
                Resource {
                    since: Time::INFINITY,
                    links: [NONE; 2],
                };
                resources
            ],
            running: Running::new(),
            done: VecDeque::with_capacity(resources + 1),
            admitted: 0,
            candidates: VecDeque::with_capacity(resources + 1),
            settled: 0.0,
            ending: NONE,
            ending_more: Vec::with_capacity(resources),
            ending_at: 0.0,
            units: units.iter().map(|&u| [0, u]).collect(),
            current: None,
            window_start,
            times: BottleneckTimes {
                sole: vec![0.0; resources],
                shifting: vec![0.0; resources],
                shifts: 0,
            },
        }
    }

    /// Resource `r` becomes active at `now` (calls come in time order).
    #[inline]
    pub fn start(&mut self, r: u32, now: Time) {
        if self.ending != NONE {
            if self.ending_at == now {
                // Stopped and started again at once: the period goes on.
                if self.ending == r {
                    self.ending = self.ending_more.pop().unwrap_or(NONE);
                    return;
                }
                if let Some(i) = self.ending_more.iter().position(|&q| q == r) {
                    self.ending_more.swap_remove(i);
                    return;
                }
            } else {
                self.flush();
            }
        }
        self.res[r as usize].since = now;
        self.running.push(&mut self.res, r);
    }

    /// One unit of resource `r` becomes active (`active`) or inactive at
    /// `now`; the resource's period starts when all its units are active
    /// and ends when one stops.
    #[inline]
    pub fn unit_changed(&mut self, r: u32, now: Time, active: bool) {
        let [count, need] = &mut self.units[r as usize];
        if active {
            *count += 1;
            if *count == *need {
                self.start(r, now);
            }
        } else {
            *count -= 1;
            if *count + 1 == *need {
                self.end(r, now);
            }
        }
    }

    /// Resource `r`'s active period ends at `now` (calls come in time
    /// order).
    #[inline]
    pub fn end(&mut self, r: u32, now: Time) {
        if self.ending == NONE {
            self.ending = r;
        } else if self.ending_at < now {
            self.flush();
            self.ending = r;
        } else {
            self.ending_more.push(r);
        }
        self.ending_at = now;
    }

    /// Processes the periods that ended at `ending_at`, the youngest first:
    /// the older ones still running contain it, so it is dropped, as any
    /// period inside another.
    #[inline(never)]
    fn flush(&mut self) {
        let first = std::mem::replace(&mut self.ending, NONE);
        if first == NONE {
            return;
        }
        if self.ending_more.is_empty() {
            // The common case: one resource stopped.
            self.close(first, self.ending_at);
            return;
        }
        let mut ending = std::mem::take(&mut self.ending_more);
        ending.push(first);
        ending.sort_by(|&a, &b| {
            let (sa, sb) = (self.res[a as usize].since, self.res[b as usize].since);
            sb.total_cmp(&sa).then(b.cmp(&a))
        });
        for &r in &ending {
            self.close(r, self.ending_at);
        }
        ending.clear();
        self.ending_more = ending;
    }

    /// Resource `r`'s active period ends at `now`, for good.
    fn close(&mut self, r: u32, now: Time) {
        self.running.remove(&mut self.res, r);
        let start = std::mem::replace(&mut self.res[r as usize].since, Time::INFINITY);
        // The oldest running period is the frontier. A period running since
        // before this one's start contains it; one running since the same
        // moment does too, but it counts as containing it only when its
        // resource comes first, as in the tie rule of [`Period::beats`].
        // Both questions are about the oldest running period alone.
        let (oldest, contained) = match self.running.oldest() {
            Some(q) => {
                let s = self.res[q as usize].since;
                (s, s < start || (s == start && q < r))
            }
            None => (Time::INFINITY, false),
        };
        if !contained {
            self.done.push_back(Period {
                start,
                end: now,
                resource: r,
            });
        }
        self.settle(oldest.min(now));
    }

    /// Ends every running period at `now` (the end of the run), settles
    /// everything and returns the bottleneck times.
    pub fn finish(mut self, now: Time) -> BottleneckTimes {
        self.flush();
        let running: Vec<u32> = (0..self.res.len() as u32)
            .filter(|&r| self.res[r as usize].since.is_finite())
            .collect();
        for r in running {
            self.end(r, now);
        }
        self.flush();
        self.settle(now);
        if let Some((p, prefix)) = self.current.take() {
            self.account(p, prefix, Time::INFINITY);
        }
        self.times
    }

    /// Decides the momentary bottleneck up to `frontier`, walking from one
    /// start or end of a kept period to the next.
    fn settle(&mut self, frontier: Time) {
        let mut t = self.settled;
        while t < frontier {
            // The kept periods covering t: drop those ended by t (the
            // oldest, as they end in order), admit those started by t.
            self.drop_ended(t);
            while let Some(&p) = self.done.get(self.admitted)
                && p.start <= t
            {
                self.admitted += 1;
                // p ends no earlier than the candidates before it, so one it
                // beats can never be the longest again.
                while self.candidates.back().is_some_and(|c| p.beats(c)) {
                    self.candidates.pop_back();
                }
                self.candidates.push_back(p);
            }
            // The next change: the first covering period ends, or the first
            // one not yet started starts.
            let mut next = frontier;
            if self.admitted > 0 {
                next = next.min(self.done[0].end);
            }
            if let Some(p) = self.done.get(self.admitted) {
                next = next.min(p.start);
            }
            if let Some(&b) = self.candidates.front() {
                match self.current {
                    Some((c, _)) if c == b => {}
                    Some((c, prefix)) => {
                        // The chain moves on from c to b; they share
                        // [b.start, c.end) if they overlap.
                        self.account(c, prefix, b.start);
                        // A shift is a handover between overlapping periods
                        // of two resources; after a gap with no bottleneck
                        // (a night) a new one simply starts.
                        if b.start >= self.window_start
                            && b.start < c.end
                            && c.resource != b.resource
                        {
                            self.times.shifts += 1;
                        }
                        self.current = Some((b, c.end));
                    }
                    None => self.current = Some((b, b.start)),
                }
            }
            t = next;
        }
        self.settled = self.settled.max(frontier);
        self.drop_ended(self.settled);
    }

    /// Drops the kept periods that end by `t`.
    #[inline]
    fn drop_ended(&mut self, t: Time) {
        while self.done.front().is_some_and(|p| p.end <= t) {
            self.done.pop_front();
            // The admitted periods come first.
            self.admitted = self.admitted.saturating_sub(1);
        }
        while self.candidates.front().is_some_and(|p| p.end <= t) {
            self.candidates.pop_front();
        }
    }

    /// Counts chain period `p`, whose shifting time is its prefix up to
    /// `prefix_end` (shared with the period before it) and its suffix from
    /// `suffix_start` (shared with the one after it), clipped to the window.
    fn account(&mut self, p: Period, prefix_end: Time, suffix_start: Time) {
        let w = self.window_start;
        let measure = |a: Time, b: Time| (b - a.max(w)).max(0.0);
        let prefix_end = prefix_end.clamp(p.start, p.end);
        let suffix_start = suffix_start.clamp(p.start, p.end);
        let total = measure(p.start, p.end);
        // Shared time cannot exceed the period: a rounding error in the sum
        // above would otherwise leave a sole time of -4e-17.
        let shared = (measure(p.start, prefix_end) + measure(suffix_start, p.end)
            - measure(suffix_start, prefix_end))
        .clamp(0.0, total);
        let r = p.resource as usize;
        self.times.shifting[r] += shared;
        self.times.sole[r] += total - shared;
    }

    /// Finished periods waiting to be settled (for tests of the memory
    /// bound).
    pub fn pending(&self) -> usize {
        self.done.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds periods `(resource, start, end)` in time order of their
    /// starts and ends, as a simulation would.
    fn detect(
        n: usize,
        window: Time,
        horizon: Time,
        periods: &[(u32, Time, Time)],
    ) -> BottleneckTimes {
        let mut events: Vec<(Time, bool, u32)> = Vec::new();
        for &(r, s, e) in periods {
            events.push((s, true, r));
            if e < horizon {
                events.push((e, false, r));
            }
        }
        // Ends before starts at the same moment, as a resource that ends
        // one period and starts the next.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut d = ActivePeriods::new(n, window);
        for (t, start, r) in events {
            if start {
                d.start(r, t);
            } else {
                d.end(r, t);
            }
        }
        d.finish(horizon)
    }

    /// Brute force: the momentary bottleneck on a fine grid and the chain
    /// from it, straight from the definition.
    fn brute(
        n: usize,
        window: Time,
        horizon: Time,
        periods: &[(u32, Time, Time)],
    ) -> BottleneckTimes {
        // A resource that stops and starts at the same moment keeps one
        // period (the periods come per resource, in time order).
        let mut ps: Vec<Period> = Vec::new();
        for &(r, s, e) in periods {
            let e = e.min(horizon);
            match ps.last_mut() {
                Some(p) if p.resource == r && p.end == s => p.end = e,
                _ => ps.push(Period {
                    start: s,
                    end: e,
                    resource: r,
                }),
            }
        }
        let step = 0.25;
        let mut chain: Vec<Period> = Vec::new();
        let mut t = step / 2.0;
        while t < horizon {
            let best = ps
                .iter()
                .filter(|p| p.covers(t))
                .fold(None::<&Period>, |b, p| match b {
                    Some(b) if !p.beats(b) => Some(b),
                    _ => Some(p),
                });
            if let Some(b) = best
                && chain.last() != Some(b)
            {
                chain.push(*b);
            }
            t += step;
        }
        let mut out = BottleneckTimes {
            sole: vec![0.0; n],
            shifting: vec![0.0; n],
            shifts: 0,
        };
        for (i, p) in chain.iter().enumerate() {
            let mut t = p.start + step / 2.0;
            while t < p.end {
                if t >= window {
                    let shared = (i > 0 && t < chain[i - 1].end)
                        || chain.get(i + 1).is_some_and(|q| t >= q.start);
                    let r = p.resource as usize;
                    if shared {
                        out.shifting[r] += step;
                    } else {
                        out.sole[r] += step;
                    }
                }
                t += step;
            }
            if i > 0
                && p.start >= window
                && p.start < chain[i - 1].end
                && chain[i - 1].resource != p.resource
            {
                out.shifts += 1;
            }
        }
        out
    }

    #[test]
    fn a_hand_traced_shift() {
        // A works 0–10, B works 8–20: B is longer and takes over at 8;
        // they share 8–10. C's short period inside B never counts.
        let t = detect(
            3,
            0.0,
            30.0,
            &[(0, 0.0, 10.0), (1, 8.0, 20.0), (2, 12.0, 14.0)],
        );
        assert_eq!(t.sole, [8.0, 10.0, 0.0]);
        assert_eq!(t.shifting, [2.0, 2.0, 0.0]);
        assert_eq!(t.shifts, 1);
    }

    #[test]
    fn the_window_clips_and_gaps_have_no_bottleneck() {
        // A 0–6, nothing 6–7, B 7–9 (warm-up ends at 5): no overlap.
        let t = detect(2, 5.0, 10.0, &[(0, 0.0, 6.0), (1, 7.0, 9.0)]);
        assert_eq!(t.sole, [1.0, 2.0]);
        assert_eq!(t.shifting, [0.0, 0.0]);
        assert_eq!(t.shifts, 0);
    }

    /// A resource that stops and starts at the same moment keeps one
    /// period: B's two back-to-back jobs (2–6, 6–11) are one period of 9,
    /// longer than A's 0–8.
    #[test]
    fn back_to_back_work_is_one_period() {
        let mut d = ActivePeriods::new(2, 0.0);
        d.start(0, 0.0);
        d.start(1, 2.0);
        d.end(1, 6.0);
        d.start(1, 6.0);
        d.end(0, 8.0);
        d.end(1, 11.0);
        let t = d.finish(20.0);
        assert_eq!(t.sole, [2.0, 3.0]);
        assert_eq!(t.shifting, [6.0, 6.0]);
    }

    #[test]
    fn a_resource_that_never_stops_keeps_memory_flat() {
        let mut d = ActivePeriods::new(3, 0.0);
        d.start(0, 0.0);
        for k in 0..10_000 {
            let t = k as f64;
            d.start(1, t);
            d.start(2, t + 0.1);
            d.end(1, t + 0.5);
            d.end(2, t + 0.6);
            assert!(d.pending() <= 3);
        }
        let t = d.finish(10_000.0);
        assert_eq!(t.sole, [10_000.0, 0.0, 0.0]);
        assert_eq!(t.shifting, [0.0, 0.0, 0.0]);
    }

    /// Random period sets (integer times, so that the grid of the brute
    /// force is exact) against the definition.
    #[test]
    fn matches_the_definition_on_random_periods() {
        random_cases(7, 300, 1..5);
    }

    /// The same with many resources: the list of running periods takes
    /// many periods starting at the same moment (in any resource order)
    /// and removes from its middle, many periods end at the same moment,
    /// and the window of kept periods holds many at once.
    #[test]
    fn matches_the_definition_with_many_resources() {
        random_cases(8, 60, 5..60);
    }

    /// `cases` random period sets of `resources` resources against the
    /// definition.
    fn random_cases(seed: u64, cases: usize, resources: std::ops::Range<usize>) {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        for case in 0..cases {
            let n = rng.random_range(resources.clone());
            let horizon = 60.0;
            let window = f64::from(rng.random_range(0..20u32));
            let mut periods = Vec::new();
            for r in 0..n as u32 {
                let mut t = f64::from(rng.random_range(0..6u32));
                while t < horizon {
                    let len = f64::from(rng.random_range(1..12u32));
                    periods.push((r, t, (t + len).min(horizon + 5.0)));
                    // Gaps of 0: back-to-back work continues a period.
                    t += len + f64::from(rng.random_range(0..6u32));
                }
            }
            let got = detect(n, window, horizon, &periods);
            let want = brute(n, window, horizon, &periods);
            assert_eq!(got, want, "case {case}: {periods:?}, window {window}");
        }
    }
}
