//! Streaming statistics collected during one run.
//!
//! Memory is constant per collector, whatever the run length: a [`Tally`]
//! keeps Welford's running mean and variance plus a compact HDR histogram
//! for quantiles; a [`TimeAverage`] keeps the integral of a piecewise
//! constant level. Every collector can be [`reset`](Tally::reset) at the end
//! of the warm-up period, after which only later observations count.

use hdrhistogram::Histogram;

use super::time::Time;

/// Observations of a quantity (e.g. cycle times): count, mean, variance,
/// extremes and quantiles.
#[derive(Clone, Debug)]
pub struct Tally {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    /// Values in units of `resolution`, to 3 significant digits.
    histogram: Histogram<u64>,
    resolution: f64,
}

impl Tally {
    /// A tally whose quantiles are kept to 3 significant digits, with values
    /// rounded to multiples of `resolution` (e.g. 0.001 s).
    pub fn new(resolution: f64) -> Tally {
        Tally {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            histogram: Histogram::new(3).expect("3 significant digits is valid"),
            resolution,
        }
    }

    /// Adds one observation.
    #[inline]
    pub fn record(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        // Saturating: a value beyond the histogram's reach is clamped rather
        // than lost (the histogram auto-resizes, so this is only a guard).
        let _ = self.histogram.record(round_to_count(x / self.resolution));
    }

    /// Forgets all observations (end of warm-up).
    pub fn reset(&mut self) {
        let resolution = self.resolution;
        let mut h = std::mem::replace(self, Tally::new(resolution)).histogram;
        h.reset();
        self.histogram = h;
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sample mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance with `n - 1` in the denominator (NaN below two).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else {
            self.m2 / (self.count - 1) as f64
        }
    }

    /// Smallest observation (NaN when empty).
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }

    /// Largest observation (NaN when empty).
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    /// The `q`-quantile (`0 ≤ q ≤ 1`), to 3 significant digits; NaN when
    /// empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.histogram.value_at_quantile(q) as f64 * self.resolution
        }
    }
}

/// `y.round().max(0.0) as u64` (halves away from zero, negative and NaN
/// to 0, saturating), without the call to the C library's `round` that
/// `f64::round` makes on x86-64 without SSE4.1 — about a quarter of the
/// cost of recording one observation. For 0 < y, `t = y as u64` is
/// `floor(y)` (saturating) and `y − t` is exact, so comparing it with ½
/// rounds exactly as `round` does.
#[inline]
fn round_to_count(y: f64) -> u64 {
    if y > 0.0 {
        let t = y as u64;
        if y - t as f64 >= 0.5 {
            t.saturating_add(1)
        } else {
            t
        }
    } else {
        0
    }
}

/// The time average of a piecewise-constant level (queue length, WIP, busy
/// machines…).
#[derive(Clone, Copy, Debug)]
pub struct TimeAverage {
    level: f64,
    since: Time,
    start: Time,
    area: f64,
    max: f64,
}

impl TimeAverage {
    /// A level of zero observed from time `start`.
    pub fn new(start: Time) -> TimeAverage {
        TimeAverage {
            level: 0.0,
            since: start,
            start,
            area: 0.0,
            max: 0.0,
        }
    }

    /// Sets the level at time `now`.
    #[inline]
    pub fn set(&mut self, now: Time, level: f64) {
        self.area += self.level * (now - self.since);
        self.since = now;
        self.level = level;
        if level > self.max {
            self.max = level;
        }
    }

    /// Adds `delta` to the level at time `now`.
    #[inline]
    pub fn add(&mut self, now: Time, delta: f64) {
        let level = self.level + delta;
        self.set(now, level);
    }

    /// Lowers the level by `delta` (positive) at time `now`: what
    /// [`Self::add`] does with `-delta`, without the maximum check a falling
    /// level cannot need.
    #[inline]
    pub fn sub(&mut self, now: Time, delta: f64) {
        debug_assert!(delta >= 0.0);
        self.area += self.level * (now - self.since);
        self.since = now;
        self.level -= delta;
    }

    /// The current level.
    #[inline]
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Forgets the history before `now` but keeps the current level.
    pub fn reset(&mut self, now: Time) {
        self.area = 0.0;
        self.since = now;
        self.start = now;
        self.max = self.level;
    }

    /// Average level over `[start, now]` (the current level if no time has
    /// passed).
    pub fn average(&self, now: Time) -> f64 {
        let span = now - self.start;
        if span <= 0.0 {
            return self.level;
        }
        (self.area + self.level * (now - self.since)) / span
    }

    /// Integral of the level over `[start, now]` (level × time).
    #[inline]
    pub fn integral(&self, now: Time) -> f64 {
        self.area + self.level * (now - self.since)
    }

    /// Highest level seen since the start or the last reset.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// When the average starts: its creation or its last reset.
    pub fn start(&self) -> Time {
        self.start
    }
}

/// A [`TimeAverage`] without its start, for the many that share one (every
/// station's queue length starts at time 0 and restarts at the end of the
/// warm-up): the caller keeps the start and passes it to
/// [`Self::average`]. Eight bytes smaller, which lets it share a cache line
/// with the counters updated beside it; the same arithmetic, so the same
/// results to the bit.
#[derive(Clone, Copy, Debug)]
pub struct Level {
    level: f64,
    since: Time,
    area: f64,
    max: f64,
}

impl Level {
    /// A level of zero observed from time `start`.
    pub fn new(start: Time) -> Level {
        Level {
            level: 0.0,
            since: start,
            area: 0.0,
            max: 0.0,
        }
    }

    /// Adds `delta` to the level at time `now`.
    #[inline]
    pub fn add(&mut self, now: Time, delta: f64) {
        let level = self.level + delta;
        self.area += self.level * (now - self.since);
        self.since = now;
        self.level = level;
        if level > self.max {
            self.max = level;
        }
    }

    /// Forgets the history before `now` but keeps the current level.
    pub fn reset(&mut self, now: Time) {
        self.area = 0.0;
        self.since = now;
        self.max = self.level;
    }

    /// Average level over `[start, now]` (the current level if no time has
    /// passed), `start` being the time of creation or of the last reset.
    pub fn average(&self, start: Time, now: Time) -> f64 {
        let span = now - start;
        if span <= 0.0 {
            return self.level;
        }
        (self.area + self.level * (now - self.since)) / span
    }

    /// Highest level seen since the start or the last reset.
    pub fn max(&self) -> f64 {
        self.max
    }
}

/// Time spent in each of `N` states by one entity, e.g. a machine.
///
/// `repr(C)`: the head (state, since when) comes first and the totals
/// follow in the states' order, so that a record embedding the timer can
/// put the head and the commonest states' totals in one cache line (see
/// the model's `Machine`); Rust's own layout put the head after the totals.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct StateTimer<const N: usize> {
    state: usize,
    since: Time,
    totals: [f64; N],
}

impl<const N: usize> StateTimer<N> {
    /// Starts in state `initial` at time `start`.
    pub fn new(initial: usize, start: Time) -> Self {
        StateTimer {
            state: initial,
            since: start,
            totals: [0.0; N],
        }
    }

    /// Switches to `state` at time `now`.
    #[inline]
    pub fn enter(&mut self, now: Time, state: usize) {
        self.totals[self.state] += now - self.since;
        self.since = now;
        self.state = state;
    }

    /// The current state.
    #[inline]
    pub fn state(&self) -> usize {
        self.state
    }

    /// Forgets the history before `now`, keeping the current state.
    pub fn reset(&mut self, now: Time) {
        self.totals = [0.0; N];
        self.since = now;
    }

    /// Total time per state up to `now`.
    pub fn totals(&self, now: Time) -> [f64; N] {
        let mut t = self.totals;
        t[self.state] += now - self.since;
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_to_count_rounds_like_round() {
        let ys = [
            0.0,
            -0.0,
            -0.3,
            -0.7,
            -2.5,
            0.3,
            0.49999999999999994,
            0.5,
            0.7,
            1.5,
            2.5,
            3.4999999999,
            1e15 + 0.5,
            4503599627370497.0,
            9007199254740993.0,
            1.8e19,
            1e300,
            f64::INFINITY,
            f64::NAN,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
        ];
        for y in ys {
            assert_eq!(round_to_count(y), y.round().max(0.0) as u64, "{y}");
        }
        let mut s = 0.123_f64;
        for _ in 0..100_000 {
            s = (s * 7.77 + 0.31) % 1.0e4;
            let y = s * 1.0e3;
            assert_eq!(round_to_count(y), y.round().max(0.0) as u64, "{y}");
            assert_eq!(round_to_count(s), s.round().max(0.0) as u64, "{s}");
        }
    }

    #[test]
    fn tally_matches_two_pass_statistics() {
        let xs = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let mut t = Tally::new(0.001);
        xs.iter().for_each(|&x| t.record(x));
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((t.mean() - m).abs() < 1e-12);
        assert!((t.variance() - v).abs() < 1e-12);
        assert_eq!(t.min(), 1.0);
        assert_eq!(t.max(), 9.0);
        assert!((t.quantile(0.5) - 3.0).abs() < 0.01);
        t.reset();
        assert_eq!(t.count(), 0);
        assert!(t.mean().is_nan());
    }

    #[test]
    fn time_average_by_hand() {
        // level 0 on [0,2), 3 on [2,5), 1 on [5,10): area 9 + 5 = 14.
        let mut a = TimeAverage::new(0.0);
        a.set(2.0, 3.0);
        a.set(5.0, 1.0);
        assert!((a.average(10.0) - 1.4).abs() < 1e-12);
        a.reset(10.0);
        // level 1 on [10, 20).
        assert!((a.average(20.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn state_timer_by_hand() {
        let mut s = StateTimer::<3>::new(0, 0.0);
        s.enter(1.0, 2);
        s.enter(4.0, 1);
        assert_eq!(s.totals(6.0), [1.0, 2.0, 3.0]);
        s.reset(6.0);
        assert_eq!(s.totals(7.0), [0.0, 1.0, 0.0]);
    }
}
