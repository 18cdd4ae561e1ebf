//! Raw image → validated [`Scenario`]: units normalised, distributions
//! built, names resolved to dense indices, every impossible value refused
//! with its location.

use std::ops::Range;

use toml::Spanned;

use super::Scenario;
use super::duration::parse_duration;
use super::error::{Locator, ScenarioError, did_you_mean};
use super::raw::*;
use crate::engine::{Dist, Time};
use crate::model::{
    Blocking, Dispatch, Factory, FailureClock, Failures, Fatigue, Operation, OperatorNeed,
    OvertimePolicy, OvertimeTrigger, PoolId, PoolRule, Product, Release, ShiftCalendar, ShiftEnd,
    Station, StationId, Subcontract, WorkerPool,
};

pub(crate) struct Validator<'a> {
    pub loc: Locator<'a>,
    pub errors: Vec<ScenarioError>,
    /// Distributions being read are of counts (bare numbers), not
    /// durations.
    pub unitless: bool,
}

impl Validator<'_> {
    pub(super) fn err(&mut self, span: Range<usize>, field: &str, msg: impl Into<String>) {
        let e = self.loc.error(span, field, msg, None);
        self.errors.push(e);
    }

    pub(super) fn err_hint(
        &mut self,
        span: Range<usize>,
        field: &str,
        msg: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let e = self.loc.error(span, field, msg, Some(hint.into()));
        self.errors.push(e);
    }

    /// The index of `name` among `names`; otherwise an error "no {what} is
    /// called …" with a "did you mean" hint, or the names defined, or
    /// `define` when there are none.
    pub(super) fn lookup(
        &mut self,
        name: &Spanned<String>,
        names: &[&str],
        field: &str,
        what: &str,
        define: &str,
    ) -> Option<usize> {
        let n = name.get_ref();
        if let Some(i) = names.iter().position(|s| s == n) {
            return Some(i);
        }
        let hint = match did_you_mean(n, names.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None if names.is_empty() => define.to_string(),
            None => format!("{what}s defined: {}", names.join(", ")),
        };
        self.err_hint(
            name.span(),
            field,
            format!("no {what} is called \"{n}\""),
            hint,
        );
        None
    }

    /// A keyword field: each accepted word maps to a value; an absent field
    /// takes `default`; an unknown word is an error with a "did you mean".
    pub(super) fn keyword<T: Copy>(
        &mut self,
        value: &Option<Spanned<String>>,
        field: &str,
        what: &str,
        choices: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(word) = value else {
            return default;
        };
        if let Some((_, x)) = choices.iter().find(|(w, _)| w == word.get_ref()) {
            return *x;
        }
        let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
        let hint = match did_you_mean(word.get_ref(), words.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!(
                "use one of {}",
                words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.err_hint(
            word.span(),
            field,
            format!("unknown {what} \"{}\"", word.get_ref()),
            hint,
        );
        default
    }

    pub(super) fn duration(&mut self, d: &Spanned<RawDuration>, field: &str) -> Option<Time> {
        match d.get_ref() {
            RawDuration::Text(t) if self.unitless => {
                self.err_hint(
                    d.span(),
                    field,
                    format!("\"{t}\" is text, but a quantity is a bare number"),
                    "write a number without quotes, e.g. 10",
                );
                None
            }
            RawDuration::Text(t) => match parse_duration(t) {
                Ok(v) => Some(v),
                Err(m) => {
                    self.err(d.span(), field, m);
                    None
                }
            },
            RawDuration::Number(n) if self.unitless => Some(*n),
            RawDuration::Number(n) => {
                self.err_hint(
                    d.span(),
                    field,
                    format!("a duration needs a unit, got the bare number {n}"),
                    format!("write it as a string with a unit, e.g. \"{n}m\" or \"{n}h\""),
                );
                None
            }
        }
    }

    pub(super) fn positive_duration(
        &mut self,
        d: &Spanned<RawDuration>,
        field: &str,
    ) -> Option<Time> {
        let v = self.duration(d, field)?;
        if v <= 0.0 {
            self.err(d.span(), field, "must be longer than zero");
            return None;
        }
        Some(v)
    }

    pub(super) fn probability(&mut self, p: &Option<Spanned<f64>>, field: &str) -> f64 {
        match p {
            None => 0.0,
            Some(p) => {
                let v = *p.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    self.err(
                        p.span(),
                        field,
                        format!("a probability must lie between 0 and 1, got {v}"),
                    );
                    0.0
                } else {
                    v
                }
            }
        }
    }

    pub(super) fn count(&mut self, c: &Spanned<i64>, field: &str, min: i64) -> Option<u32> {
        let v = *c.get_ref();
        if v < min {
            self.err(c.span(), field, format!("must be at least {min}, got {v}"));
            None
        } else if v > i64::from(u32::MAX) {
            self.err(c.span(), field, format!("{v} is too large"));
            None
        } else {
            Some(v as u32)
        }
    }

    /// Builds a distribution of durations.
    pub(super) fn dist(&mut self, d: &Spanned<RawDist>, field: &str) -> Option<Dist> {
        let t = match d.get_ref() {
            RawDist::Constant(c) => {
                let v = self.duration(&Spanned::new(d.span(), c.clone()), field)?;
                return Some(Dist::Constant(v));
            }
            RawDist::Table(t) => t,
        };
        let kind = t.dist.get_ref().as_str();
        let f = |name: &str| format!("{field}.{name}");
        // Fetch a required duration parameter.
        macro_rules! need_dur {
            ($name:ident) => {
                match &t.$name {
                    Some(v) => self.duration(v, &f(stringify!($name))),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            format!(
                                "{} {kind} distribution needs `{}`",
                                article(kind),
                                stringify!($name)
                            ),
                            dist_example(kind),
                        );
                        None
                    }
                }
            };
        }
        macro_rules! need_num {
            ($name:ident) => {
                match &t.$name {
                    Some(v) => Some(*v.get_ref()),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            format!(
                                "{} {kind} distribution needs `{}`",
                                article(kind),
                                stringify!($name)
                            ),
                            dist_example(kind),
                        );
                        None
                    }
                }
            };
        }
        let allowed: &[&str] = match kind {
            "constant" => &["value"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            "exponential" => &["mean"],
            "normal" => &["mean", "sd"],
            "lognormal" | "gamma" => &["mean", "cv"],
            "erlang" => &["mean", "k"],
            "weibull" => &["shape", "scale"],
            "empirical" => &["values", "weights"],
            other => {
                let hint = match did_you_mean(other, KINDS.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("known distributions: {}", KINDS.join(", ")),
                };
                self.err_hint(
                    t.dist.span(),
                    &f("dist"),
                    format!("unknown distribution \"{other}\""),
                    hint,
                );
                return None;
            }
        };
        // Parameters that this kind does not take are mistakes, not noise.
        let present: [(&str, Option<Range<usize>>); 12] = [
            ("value", t.value.as_ref().map(|v| v.span())),
            ("mean", t.mean.as_ref().map(|v| v.span())),
            ("sd", t.sd.as_ref().map(|v| v.span())),
            ("cv", t.cv.as_ref().map(|v| v.span())),
            ("min", t.min.as_ref().map(|v| v.span())),
            ("mode", t.mode.as_ref().map(|v| v.span())),
            ("max", t.max.as_ref().map(|v| v.span())),
            ("k", t.k.as_ref().map(|v| v.span())),
            ("shape", t.shape.as_ref().map(|v| v.span())),
            ("scale", t.scale.as_ref().map(|v| v.span())),
            ("values", t.values.as_ref().map(|v| v.span())),
            ("weights", t.weights.as_ref().map(|v| v.span())),
        ];
        let mut bad = false;
        for (name, span) in present {
            if let Some(span) = span
                && !allowed.contains(&name)
            {
                self.err_hint(
                    span,
                    &f(name),
                    format!(
                        "{} {kind} distribution does not take `{name}`",
                        article(kind)
                    ),
                    format!(
                        "it takes {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                bad = true;
            }
        }
        if bad {
            return None;
        }
        let built = match kind {
            "constant" => Dist::constant(need_dur!(value)?),
            "uniform" => {
                let (a, b) = (need_dur!(min), need_dur!(max));
                Dist::uniform(a?, b?)
            }
            "triangular" => {
                let (a, m, b) = (need_dur!(min), need_dur!(mode), need_dur!(max));
                Dist::triangular(a?, m?, b?)
            }
            "exponential" => Dist::exponential(need_dur!(mean)?),
            "normal" => {
                let (m, s) = (need_dur!(mean), need_dur!(sd));
                Dist::normal(m?, s?)
            }
            "lognormal" => {
                let (m, c) = (need_dur!(mean), need_num!(cv));
                Dist::lognormal(m?, c?)
            }
            "gamma" => {
                let (m, c) = (need_dur!(mean), need_num!(cv));
                Dist::gamma(m?, c?)
            }
            "erlang" => {
                let m = need_dur!(mean);
                let k = match &t.k {
                    Some(k) => self.count(k, &f("k"), 1),
                    None => need_num!(k).map(|_| 0),
                };
                Dist::erlang(m?, k?)
            }
            "weibull" => {
                let (sh, sc) = (need_num!(shape), need_dur!(scale));
                Dist::weibull(sh?, sc?)
            }
            "empirical" => {
                let vals = match &t.values {
                    Some(v) => v
                        .get_ref()
                        .iter()
                        .map(|x| self.duration(x, &f("values")))
                        .collect::<Option<Vec<f64>>>(),
                    None => {
                        self.err_hint(
                            d.span(),
                            field,
                            "an empirical distribution needs `values`",
                            dist_example(kind),
                        );
                        None
                    }
                };
                let weights = match &t.weights {
                    Some(w) => Some(w.get_ref().iter().map(|x| *x.get_ref()).collect::<Vec<_>>()),
                    None => vals.as_ref().map(|v| vec![1.0; v.len()]),
                };
                Dist::empirical(&vals?, &weights?)
            }
            _ => unreachable!("kinds are matched above"),
        };
        match built {
            Ok(d) => Some(d),
            Err(e) => {
                self.err_hint(d.span(), field, e.to_string(), dist_example(kind));
                None
            }
        }
    }
}

/// "a" or "an" before a distribution's name.
fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "HH:MM" → seconds after midnight (00:00 to 24:00).
fn clock(v: &mut Validator<'_>, t: &Spanned<String>, field: &str) -> Option<f64> {
    let text = t.get_ref().trim();
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let h: u32 = h.parse().ok()?;
        let m: u32 = m.parse().ok()?;
        (m < 60 && (h < 24 || (h == 24 && m == 0)) && text.len() == 5)
            .then_some(f64::from(h * 3600 + m * 60))
    });
    if parsed.is_none() {
        v.err_hint(
            t.span(),
            field,
            format!("\"{text}\" is not a time of day"),
            "write it as \"HH:MM\", e.g. \"06:00\" or \"22:30\"",
        );
    }
    parsed
}

fn weekdays(v: &mut Validator<'_>, list: &Spanned<Vec<Spanned<String>>>, field: &str) -> [bool; 7] {
    let mut days = [false; 7];
    for d in list.get_ref() {
        let name = d.get_ref().to_ascii_lowercase();
        const FULL: [&str; 7] = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        match WEEKDAYS
            .iter()
            .zip(FULL)
            .position(|(w, f)| name == *w || name == f)
        {
            Some(i) => days[i] = true,
            None => v.err_hint(
                d.span(),
                field,
                format!("\"{}\" is not a weekday", d.get_ref()),
                "use mon, tue, wed, thu, fri, sat, sun",
            ),
        }
    }
    days
}

/// Validates one `[calendars.NAME]`.
fn calendar(
    v: &mut Validator<'_>,
    name: &str,
    c: &Spanned<RawCalendar>,
    stations: &[&str],
) -> Option<ShiftCalendar> {
    let field = |k: &str| format!("calendars.{name}.{k}");
    let c = c.get_ref();
    let before = v.errors.len();
    if c.shifts.get_ref().is_empty() {
        v.err_hint(
            c.shifts.span(),
            &field("shifts"),
            "a calendar needs at least one shift",
            "e.g. shifts = [{ start = \"06:00\", end = \"14:00\" }]",
        );
    }
    let mut pieces = Vec::new();
    for (i, sh) in c.shifts.get_ref().iter().enumerate() {
        let f = |k: &str| format!("calendars.{name}.shifts[{i}].{k}");
        let sh = sh.get_ref();
        let (Some(a), Some(mut b)) = (
            clock(v, &sh.start, &f("start")),
            clock(v, &sh.end, &f("end")),
        ) else {
            continue;
        };
        if b <= a {
            b += 86_400.0; // a night shift ends the next day
        }
        let mut cuts: Vec<(f64, f64)> = Vec::new();
        for br in &sh.breaks {
            let (Some(mut x), Some(mut y)) = (
                clock(v, &br.get_ref().start, &f("breaks.start")),
                clock(v, &br.get_ref().end, &f("breaks.end")),
            ) else {
                continue;
            };
            if x < a {
                x += 86_400.0;
            }
            if y <= x {
                y += 86_400.0;
            }
            if !(a <= x && y <= b) {
                v.err_hint(
                    br.span(),
                    &f("breaks"),
                    "a break must lie within its shift",
                    "check the break's start and end",
                );
                continue;
            }
            cuts.push((x, y));
        }
        cuts.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut t = a;
        for (x, y) in cuts {
            if x > t {
                pieces.push((t, x, false));
            }
            t = t.max(y);
        }
        if b > t {
            pieces.push((t, b, true));
        }
    }
    let days = match &c.days {
        Some(d) if d.get_ref().is_empty() => {
            v.err_hint(
                d.span(),
                &field("days"),
                "a calendar needs at least one working day",
                "e.g. days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
            );
            [false; 7]
        }
        Some(d) => weekdays(v, d, &field("days")),
        None => [true, true, true, true, true, false, false],
    };
    let mut holidays = Vec::new();
    if let Some(h) = &c.holidays {
        for d in h.get_ref() {
            if *d.get_ref() < 0 {
                v.err_hint(
                    d.span(),
                    &field("holidays"),
                    "a holiday is a day number from the start (0 is the first Monday)",
                    "use 0, 1, 2, …",
                );
            } else {
                holidays.push(*d.get_ref() as u32);
            }
        }
    }
    let shift_end = v.keyword(
        &c.shift_end,
        &field("shift_end"),
        "shift-end rule",
        &[
            ("finish", ShiftEnd::Finish),
            ("pause", ShiftEnd::Pause),
            ("no_overrun", ShiftEnd::NoOverrun),
        ],
        ShiftEnd::Finish,
    );
    let mut overtime = Vec::new();
    if let Some(ot) = &c.overtime {
        for (i, x) in ot.get_ref().iter().enumerate() {
            let f = |k: &str| format!("calendars.{name}.overtime[{i}].{k}");
            let x = x.get_ref();
            let d = weekdays(v, &x.days, &f("days"));
            if let (Some(a), Some(mut b)) =
                (clock(v, &x.start, &f("start")), clock(v, &x.end, &f("end")))
            {
                if b <= a {
                    b += 86_400.0;
                }
                overtime.push((d, a, b));
            }
        }
    }
    let overtime_policy = c.overtime_policy.as_ref().and_then(|op| {
        let f = |k: &str| format!("calendars.{name}.overtime_policy.{k}");
        let o = op.get_ref();
        let extend_by = v.positive_duration(&o.extend_by, &f("extend_by"))?;
        let cap = |v: &mut Validator<'_>, d: &Option<Spanned<RawDuration>>, k: &str| match d {
            Some(d) => v.duration(d, &f(k)),
            None => Some(f64::INFINITY),
        };
        let max_per_day = cap(v, &o.max_per_day, "max_per_day")?;
        let max_per_week = cap(v, &o.max_per_week, "max_per_week")?;
        let trigger = match (&o.wip_above, &o.queue_above, &o.station, &o.backlog_above) {
            (Some(w), None, None, None) => {
                let x = v.count(w, &f("wip_above"), 0)?;
                OvertimeTrigger::WipAbove(f64::from(x))
            }
            (None, None, None, Some(b)) => {
                let x = v.count(b, &f("backlog_above"), 0)?;
                OvertimeTrigger::BacklogAbove(f64::from(x))
            }
            (None, Some(q), Some(st), None) => {
                let x = v.count(q, &f("queue_above"), 0)?;
                let i = v.lookup(st, stations, &f("station"), "station", "add a table like [stations.NAME] with machines = 1")?;
                OvertimeTrigger::QueueAbove(StationId(i as u32), f64::from(x))
            }
            _ => {
                v.err_hint(
                    op.span(),
                    &f("trigger"),
                    "an overtime policy needs exactly one trigger: `wip_above`, `backlog_above`, or `queue_above` with `station`",
                    "write wip_above = N, backlog_above = N (units ordered, not yet delivered), or queue_above = N with station = \"NAME\"",
                );
                return None;
            }
        };
        Some(OvertimePolicy {
            extend_by,
            max_per_day,
            max_per_week,
            trigger,
        })
    });
    (v.errors.len() == before).then(|| ShiftCalendar {
        name: name.to_string(),
        day_pieces: pieces,
        days,
        holidays,
        overtime,
        shift_end,
        overtime_policy,
    })
}

const KINDS: &[&str] = &[
    "constant",
    "uniform",
    "triangular",
    "exponential",
    "normal",
    "lognormal",
    "gamma",
    "erlang",
    "weibull",
    "empirical",
];

fn dist_example(kind: &str) -> String {
    let ex = match kind {
        "constant" => r#"{ dist = "constant", value = "5m" }"#,
        "uniform" => r#"{ dist = "uniform", min = "4m", max = "6m" }"#,
        "triangular" => r#"{ dist = "triangular", min = "4m", mode = "5m", max = "8m" }"#,
        "exponential" => r#"{ dist = "exponential", mean = "5m" }"#,
        "normal" => r#"{ dist = "normal", mean = "5m", sd = "30s" }"#,
        "lognormal" => r#"{ dist = "lognormal", mean = "5m", cv = 0.3 }"#,
        "gamma" => r#"{ dist = "gamma", mean = "5m", cv = 0.5 }"#,
        "erlang" => r#"{ dist = "erlang", mean = "5m", k = 3 }"#,
        "weibull" => r#"{ dist = "weibull", shape = 1.5, scale = "8h" }"#,
        _ => r#"{ dist = "empirical", values = ["4m", "5m", "7m"], weights = [1, 2, 1] }"#,
    };
    format!("for example {ex}")
}

/// Validates a parsed file into a [`Scenario`]; `default_name` is used when
/// the file does not name itself.
pub(crate) fn validate(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    default_name: &str,
    text_hash: String,
    text: &str,
) -> Option<Scenario> {
    let sim = raw.simulation.get_ref();
    let name = match &sim.name {
        Some(n) => {
            let s = n.get_ref();
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            {
                v.err_hint(
                    n.span(),
                    "simulation.name",
                    format!("\"{s}\" cannot name an output folder"),
                    "use letters, digits, '-', '_' and '.' only",
                );
            }
            s.clone()
        }
        None => default_name.to_string(),
    };
    let horizon = v.positive_duration(&sim.horizon, "simulation.horizon");
    let warmup = match &sim.warmup {
        Some(w) => v.duration(w, "simulation.warmup"),
        None => Some(0.0),
    };
    if let (Some(h), Some(w), Some(ws)) = (horizon, warmup, &sim.warmup)
        && w >= h
    {
        v.err_hint(
            ws.span(),
            "simulation.warmup",
            "the warm-up must be shorter than the horizon",
            "lengthen `horizon` or shorten `warmup`",
        );
    }
    let period = match &sim.period {
        Some(p) => {
            let per = v.positive_duration(p, "simulation.period");
            if let (Some(per), Some(h)) = (per, horizon)
                && h / per > 100_000.0
            {
                v.err_hint(
                    p.span(),
                    "simulation.period",
                    format!("the horizon would hold {:.0} periods", h / per),
                    "choose a period of at least 1/100000 of the horizon",
                );
            }
            per
        }
        None => horizon.map(super::default_period),
    };
    let replications = match &sim.replications {
        Some(r) => v.count(r, "simulation.replications", 1),
        None => Some(10),
    };
    let seed = match &sim.seed {
        Some(s) if *s.get_ref() < 0 => {
            v.err(s.span(), "simulation.seed", "the seed must not be negative");
            None
        }
        Some(s) => Some(*s.get_ref() as u64),
        None => Some(1),
    };

    // Shift calendars.
    let mut calendars: Vec<(String, ShiftCalendar)> = Vec::new();
    for (cname, c) in &raw.calendars {
        if let Some(cal) = calendar(
            v,
            cname,
            c,
            &raw.stations.keys().map(String::as_str).collect::<Vec<_>>(),
        ) {
            calendars.push((cname.clone(), cal));
        }
    }
    let calendar_names: Vec<&str> = raw.calendars.keys().map(String::as_str).collect();
    // A calendar by name (None, without a second error, for one that is
    // defined but invalid: its own errors are already reported).
    let find_calendar = |v: &mut Validator<'_>, c: &Spanned<String>, field: &str| {
        v.lookup(
            c,
            &calendar_names,
            field,
            "calendar",
            "define it as a table like [calendars.NAME] with shifts = […]",
        )?;
        calendars
            .iter()
            .find(|(n, _)| n == c.get_ref())
            .map(|(_, cal)| cal.clone())
    };

    // Worker pools (their skills name stations, checked below).
    let pool_names: Vec<&str> = raw.workers.keys().map(String::as_str).collect();
    let find_pool = |v: &mut Validator<'_>, name: &Spanned<String>, field: &str| {
        v.lookup(
            name,
            &pool_names,
            field,
            "worker pool",
            "define it as a table like [workers.NAME] with count = …",
        )
        .map(|i| PoolId(i as u32))
    };
    // `[…failures]` of a station or of its automated specification.
    let read_failures = |v: &mut Validator<'_>, f: &RawFailures, at: &str| {
        let field = |k: &str| format!("{at}.{k}");
        let ttf = v.dist(&f.time_to_failure, &field("time_to_failure"));
        let repair = v.dist(&f.repair, &field("repair"));
        if let Some(d) = &ttf
            && d.mean() <= 0.0
        {
            v.err(
                f.time_to_failure.span(),
                &field("time_to_failure"),
                "the mean time to failure must be longer than zero",
            );
        }
        let repair_crew = f
            .repair_crew
            .as_ref()
            .and_then(|c| find_pool(v, c, &field("repair_crew")));
        let clock = v.keyword(
            &f.clock,
            &field("clock"),
            "failure clock",
            &[
                ("operating", FailureClock::Operating),
                ("calendar", FailureClock::Calendar),
            ],
            FailureClock::Operating,
        );
        Some(Failures {
            time_to_failure: ttf?,
            repair: repair?,
            clock,
            repair_crew,
        })
    };
    let all_station_names: Vec<&str> = raw.stations.keys().map(String::as_str).collect();
    let mut pools = Vec::new();
    for (pname, p) in &raw.workers {
        let field = |k: &str| format!("workers.{pname}.{k}");
        let p = p.get_ref();
        let count = v.count(&p.count, &field("count"), 1).unwrap_or(1);
        let mut skills = Vec::new();
        if let Some(list) = &p.stations {
            for st in list.get_ref() {
                if let Some(i) = v.lookup(
                    st,
                    &all_station_names,
                    &field("stations"),
                    "station",
                    "add a table like [stations.NAME] with machines = 1",
                ) {
                    skills.push(StationId(i as u32));
                }
            }
        }
        let wage = match &p.wage {
            Some(w) if !w.get_ref().is_finite() || *w.get_ref() < 0.0 => {
                v.err(
                    w.span(),
                    &field("wage"),
                    format!("a wage must be a number of at least 0, got {}", w.get_ref()),
                );
                0.0
            }
            Some(w) => *w.get_ref(),
            None => 0.0,
        };
        let premium = match &p.overtime_premium {
            Some(w) if !w.get_ref().is_finite() || *w.get_ref() < 1.0 => {
                v.err_hint(
                    w.span(),
                    &field("overtime_premium"),
                    format!(
                        "the overtime premium multiplies the wage and must be at least 1, got {}",
                        w.get_ref()
                    ),
                    "1.5 means time and a half",
                );
                1.0
            }
            Some(w) => *w.get_ref(),
            None => 1.5,
        };
        let calendar = p
            .calendar
            .as_ref()
            .and_then(|c| find_calendar(v, c, &field("calendar")));
        let absence = match &p.absence {
            Some(a) if !(0.0..1.0).contains(a.get_ref()) => {
                v.err_hint(
                    a.span(),
                    &field("absence"),
                    format!(
                        "the daily absence probability must be at least 0 and below 1, got {}",
                        a.get_ref()
                    ),
                    "e.g. absence = 0.05 for one worker-day in twenty",
                );
                0.0
            }
            Some(a) => *a.get_ref(),
            None => 0.0,
        };
        let fatigue = p.fatigue.as_ref().and_then(|fa| {
            let g = fa.get_ref();
            let after = v.positive_duration(&g.after, &field("fatigue.after"))?;
            let process_factor = match &g.process_factor {
                Some(x) if !x.get_ref().is_finite() || *x.get_ref() < 1.0 => {
                    v.err_hint(
                        x.span(),
                        &field("fatigue.process_factor"),
                        format!("must be at least 1, got {}", x.get_ref()),
                        "1.1 makes tired work 10% slower",
                    );
                    return None;
                }
                Some(x) => *x.get_ref(),
                None => 1.0,
            };
            let scrap_add = v.probability(&g.scrap_add, &field("fatigue.scrap_add"));
            Some(Fatigue {
                after,
                process_factor,
                scrap_add,
            })
        });
        pools.push(WorkerPool {
            name: pname.clone(),
            count,
            skills,
            wage_per_hour: wage,
            overtime_premium: premium,
            calendar,
            absence,
            fatigue,
            hidden: false,
        });
    }

    // Contractors (their prices name products).
    let product_names: Vec<&str> = raw.products.keys().map(String::as_str).collect();
    let contractors = v.contractors(raw, &product_names);
    let contractor_names: Vec<&str> = raw.contractors.keys().map(String::as_str).collect();
    // Raw materials and their suppliers.
    let (materials, suppliers) = v.supply(raw);
    let material_names: Vec<&str> = raw.materials.keys().map(String::as_str).collect();

    // Stations.
    let mut stations = Vec::new();
    if raw.stations.is_empty() {
        v.err_hint(
            raw.simulation.span(),
            "stations",
            "the scenario has no stations",
            "add at least one table like [stations.cut] with machines = 1",
        );
    }
    for (sname, st) in &raw.stations {
        let field = |k: &str| format!("stations.{sname}.{k}");
        let s = st.get_ref();
        let machines = match &s.machines {
            Some(m) if *m.get_ref() > 100_000 => {
                v.err_hint(
                    m.span(),
                    &field("machines"),
                    format!(
                        "{} machines is more than shopfloor simulates at one station",
                        m.get_ref()
                    ),
                    "model at most 100000 machines per station",
                );
                1
            }
            Some(m) => v.count(m, &field("machines"), 1).unwrap_or(1),
            None => 1,
        };
        let buffer = match &s.buffer {
            None => None,
            Some(b) => match b.get_ref() {
                RawCapacity::Count(c) => v.count(&Spanned::new(b.span(), *c), &field("buffer"), 0),
                RawCapacity::Keyword(k) if k == "unlimited" => None,
                RawCapacity::Keyword(k) => {
                    v.err_hint(
                        b.span(),
                        &field("buffer"),
                        format!("\"{k}\" is not a buffer capacity"),
                        "write a whole number of parts, or \"unlimited\"",
                    );
                    None
                }
            },
        };
        let blocking = v.keyword(
            &s.blocking,
            &field("blocking"),
            "blocking rule",
            &[
                ("after_service", Blocking::AfterService),
                ("before_service", Blocking::BeforeService),
            ],
            Blocking::AfterService,
        );
        let failures = s
            .failures
            .as_ref()
            .and_then(|fl| read_failures(v, fl.get_ref(), &field("failures")));
        let operator_rule = v.keyword(
            &s.operator_rule,
            &field("operator_rule"),
            "operator rule",
            &[
                ("first_listed", PoolRule::FirstListed),
                ("least_busy", PoolRule::LeastBusy),
            ],
            PoolRule::FirstListed,
        );
        let dispatch = v.keyword(
            &s.dispatch,
            &field("dispatch"),
            "dispatching rule",
            &[
                ("fifo", Dispatch::Fifo),
                ("earliest_due", Dispatch::EarliestDue),
                ("shortest_processing", Dispatch::ShortestProcessing),
                ("priority", Dispatch::Priority),
            ],
            Dispatch::Fifo,
        );
        let overflow = s
            .overflow
            .as_ref()
            .and_then(|c| v.contractor(c, &contractor_names, &field("overflow")));
        if let (Some(o), None) = (&s.overflow, buffer) {
            v.err_hint(
                o.span(),
                &field("overflow"),
                "parts overflow to a contractor when the buffer is full, but this buffer is unlimited",
                "give the station a `buffer` size",
            );
        }
        let mut station = Station {
            name: sname.clone(),
            machines,
            buffer,
            blocking,
            operator_rule,
            failures,
            dispatch,
            overflow,
            cost_per_hour: v.money(&s.cost_per_hour, &field("cost_per_hour")),
            capital: 0.0,
            capital_per_hour: 0.0,
            automated: false,
        };
        let automate = s.automate.as_ref().is_some_and(|a| *a.get_ref());
        match (&s.automated, &s.automate) {
            (None, Some(a)) if *a.get_ref() => v.err_hint(
                a.span(),
                &field("automate"),
                "automate = true, but the station has no automated specification",
                format!(
                    "add a table [stations.{sname}.automated] with capital, life and what changes"
                ),
            ),
            (Some(a), _) if automate => {
                let a = a.get_ref();
                let f = |k: &str| field(&format!("automated.{k}"));
                station.automated = true;
                (station.capital, station.capital_per_hour) =
                    v.capital_per_hour(a, &field("automated"));
                if let Some(m) = &a.machines {
                    station.machines = v.count(m, &f("machines"), 1).unwrap_or(machines);
                }
                if a.cost_per_hour.is_some() {
                    station.cost_per_hour = v.money(&a.cost_per_hour, &f("cost_per_hour"));
                }
                if let Some(fl) = &a.failures
                    && let Some(failures) = read_failures(v, fl.get_ref(), &f("failures"))
                {
                    station.failures = Some(failures);
                }
            }
            _ => {}
        }
        stations.push(station);
    }

    // Products.
    let mut products = Vec::new();
    if raw.products.is_empty() {
        v.err_hint(
            raw.simulation.span(),
            "products",
            "the scenario has no products",
            "add a table like [products.widget] with a release and a routing",
        );
    }
    let station_names = &all_station_names;
    let find_station = |v: &mut Validator<'_>, name: &Spanned<String>, field: &str| {
        v.lookup(
            name,
            station_names,
            field,
            "station",
            "add a table like [stations.NAME] with machines = 1",
        )
        .map(|i| StationId(i as u32))
    };
    for (pi, (pname, p)) in raw.products.iter().enumerate() {
        let field = |k: &str| format!("products.{pname}.{k}");
        let p = p.get_ref();
        let release = match p.release.as_ref().map(|r| (r, r.get_ref())) {
            None => Some(Release::Orders),
            Some((_, RawRelease::Keyword(k))) if k == "saturated" => Some(Release::Saturated),
            Some((_, RawRelease::Keyword(k))) if k == "orders" => Some(Release::Orders),
            Some((r, RawRelease::Keyword(k))) => {
                v.err_hint(
                    r.span(),
                    &field("release"),
                    format!("unknown release \"{k}\""),
                    "use \"orders\" (the default), \"saturated\" or a table like { interarrival = { dist = \"exponential\", mean = \"5m\" } }",
                );
                None
            }
            Some((_, RawRelease::Arrivals(a))) => {
                let ia = v.dist(&a.interarrival, &field("release.interarrival"));
                if let Some(d) = &ia
                    && d.mean() <= 0.0
                {
                    v.err(
                        a.interarrival.span(),
                        &field("release.interarrival"),
                        "the mean time between releases must be longer than zero",
                    );
                }
                let batch = match &a.batch {
                    Some(b) => v.count(b, &field("release.batch"), 1),
                    None => Some(1),
                };
                match (ia, batch) {
                    (Some(interarrival), Some(batch)) => Some(Release::Arrivals {
                        interarrival,
                        batch,
                    }),
                    _ => None,
                }
            }
        };
        let ops = p.routing.get_ref();
        if ops.is_empty() {
            v.err_hint(
                p.routing.span(),
                &field("routing"),
                "the routing is empty",
                "list at least one operation, e.g. routing = [{ station = \"cut\", process = \"5m\" }]",
            );
        }
        let mut routing = Vec::new();
        let mut ok = true;
        for (i, op) in ops.iter().enumerate() {
            let f = |k: &str| format!("products.{pname}.routing[{i}].{k}");
            let o = op.get_ref();
            if let Some(c) = &o.subcontract {
                let given = [
                    ("station", o.station.as_ref().map(|x| x.span())),
                    ("process", o.process.as_ref().map(|x| x.span())),
                    ("setup", o.setup.as_ref().map(|x| x.span())),
                    ("scrap", o.scrap.as_ref().map(|x| x.span())),
                    ("rework", o.rework.as_ref().map(|x| x.span())),
                    ("operators", o.operators.as_ref().map(|x| x.span())),
                    ("materials", o.materials.as_ref().map(|x| x.span())),
                    ("defects", o.defects.as_ref().map(|x| x.span())),
                    ("inspect", o.inspect.as_ref().map(|x| x.span())),
                    ("on_defect", o.on_defect.as_ref().map(|x| x.span())),
                ];
                for (k, span) in given {
                    if let Some(span) = span {
                        v.err_hint(
                            span,
                            &f(k),
                            format!("a subcontracted step has no `{k}`: the contractor does it"),
                            "remove the field, or drop `subcontract` to do the step in the plant",
                        );
                    }
                }
                let contractor = v.contractor(c, &contractor_names, &f("subcontract"));
                if let Some(k) = contractor
                    && contractors[k.0 as usize].prices[pi].is_none()
                {
                    v.err_hint(
                        c.span(),
                        &f("subcontract"),
                        format!(
                            "contractor \"{}\" has no price for \"{pname}\"",
                            c.get_ref()
                        ),
                        "add the product to the contractor's `prices`",
                    );
                }
                let transport = match &o.transport {
                    Some(t) => v.duration(t, &f("transport")),
                    None => Some(0.0),
                };
                match (contractor, transport) {
                    (Some(contractor), Some(transport)) => routing.push(Operation {
                        station: StationId::OUTSIDE,
                        subcontract: Some(Subcontract {
                            contractor,
                            transport,
                        }),
                        process: Dist::Constant(0.0),
                        setup: None,
                        scrap: 0.0,
                        rework: 0.0,
                        rework_to: i,
                        operators: 0,
                        operator_pools: Vec::new(),
                        operator_need: OperatorNeed::Whole,
                        materials: Vec::new(),
                        defect_rate: 0.0,
                        inspect: 0.0,
                        inspect_rework: false,
                    }),
                    _ => ok = false,
                }
                continue;
            }
            if let Some(t) = &o.transport {
                v.err_hint(
                    t.span(),
                    &f("transport"),
                    "`transport` applies to a subcontracted step",
                    "add subcontract = \"CONTRACTOR\" (and remove station and process), or remove transport",
                );
            }
            let (Some(o_station), Some(o_process)) = (&o.station, &o.process) else {
                let missing = if o.station.is_none() {
                    "station"
                } else {
                    "process"
                };
                v.err_hint(
                    op.span(),
                    &f(missing),
                    format!("the operation has no `{missing}`"),
                    "an operation names its station and process time, e.g. { station = \"cut\", process = \"5m\" }, or is done by a contractor: { subcontract = \"NAME\", transport = \"4h\" }",
                );
                ok = false;
                continue;
            };
            let station = find_station(v, o_station, &f("station"));
            let process = v.dist(o_process, &f("process"));
            let setup = o.setup.as_ref().map(|s| v.dist(s, &f("setup")));
            let scrap = v.probability(&o.scrap, &f("scrap"));
            let rework = v.probability(&o.rework, &f("rework"));
            if scrap + rework > 1.0 {
                v.err(
                    op.span(),
                    &f("scrap"),
                    format!(
                        "scrap ({scrap}) and rework ({rework}) probabilities add up to more than 1"
                    ),
                );
            }
            let mut rework_to = i;
            match (&o.rework_to, rework > 0.0) {
                (Some(target), _) => {
                    if let Some(t) = find_station(v, target, &f("rework_to")) {
                        match ops[..=i].iter().rposition(|p| p.get_ref().station.as_ref().is_some_and(|s| s.get_ref() == station_names[t.0 as usize])) {
                            Some(j) => rework_to = j,
                            None => v.err_hint(
                                target.span(),
                                &f("rework_to"),
                                format!("rework must go back to a station earlier in this routing, and \"{}\" is not at or before this step", target.get_ref()),
                                "name this operation's station or one before it",
                            ),
                        }
                    }
                }
                (None, true) => {} // rework at the same station
                (None, false) => {}
            }
            if rework >= 1.0 {
                v.err_hint(
                    o.rework.as_ref().map(|r| r.span()).unwrap_or(op.span()),
                    &f("rework"),
                    "a rework probability of 1 sends every part round the loop forever",
                    "use a probability below 1",
                );
            }
            // Operators: how many, from which pools, for how long.
            let operators = match &o.operators {
                Some(c) => v.count(c, &f("operators"), 0).unwrap_or(0),
                None => 0,
            };
            let operator_pools: Vec<PoolId> = match station {
                Some(st) => pools
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.skills.contains(&st))
                    .map(|(i, _)| PoolId(i as u32))
                    .collect(),
                None => Vec::new(),
            };
            if let (Some(st), Some(c)) = (station, &o.operators)
                && operators > 0
            {
                let sname = station_names[st.0 as usize];
                let largest = operator_pools
                    .iter()
                    .map(|p| pools[p.0 as usize].count)
                    .max();
                match largest {
                    None => v.err_hint(
                        c.span(),
                        &f("operators"),
                        format!("no worker pool may operate station \"{sname}\""),
                        format!("add \"{sname}\" to the `stations` of a [workers] pool"),
                    ),
                    Some(n) if n < operators => v.err_hint(
                        c.span(),
                        &f("operators"),
                        format!("needs {operators} operators at once, but the largest qualified pool has {n}: it could never start"),
                        "raise the pool's `count` or lower `operators`",
                    ),
                    Some(_) => {}
                }
            }
            let operator_need = match &o.operator_for {
                None => OperatorNeed::Whole,
                Some(d) => match d.get_ref() {
                    RawDuration::Text(t) if t == "whole" => OperatorNeed::Whole,
                    RawDuration::Text(t) if t == "setup" => OperatorNeed::SetupOnly,
                    RawDuration::Text(t) if crate::scenario::parse_duration(t).is_err() => {
                        v.err_hint(
                            d.span(),
                            &f("operator_for"),
                            format!("\"{t}\" is neither \"whole\", \"setup\" nor a duration"),
                            "write \"whole\" (the default), \"setup\" (the changeover only) or a duration such as \"3m\" (load and walk away)",
                        );
                        OperatorNeed::Whole
                    }
                    _ => match v.duration(d, &f("operator_for")) {
                        Some(secs) => OperatorNeed::First(secs),
                        None => OperatorNeed::Whole,
                    },
                },
            };
            if operator_need == OperatorNeed::SetupOnly && o.setup.is_none() {
                v.err_hint(
                    o.operator_for
                        .as_ref()
                        .map(|d| d.span())
                        .unwrap_or(op.span()),
                    &f("operator_for"),
                    "operators for the setup only, but this operation has no setup",
                    "add a `setup` time, or use operator_for = \"whole\"",
                );
            }
            if o.operator_for.is_some() && operators == 0 {
                v.err_hint(
                    o.operator_for
                        .as_ref()
                        .map(|d| d.span())
                        .unwrap_or(op.span()),
                    &f("operator_for"),
                    "`operator_for` without `operators`",
                    "set `operators = 1` (or more) for this operation",
                );
            }
            let defect_rate = v.probability(&o.defects, &f("defects"));
            let inspect = v.probability(&o.inspect, &f("inspect"));
            let inspect_rework = v.keyword(
                &o.on_defect,
                &f("on_defect"),
                "outcome of a detected defect",
                &[("scrap", false), ("rework", true)],
                false,
            );
            if let (Some(od), None) = (&o.on_defect, &o.inspect) {
                v.err_hint(
                    od.span(),
                    &f("on_defect"),
                    "`on_defect` applies to an inspection",
                    "add inspect = 0.9 (the probability of detecting a hidden defect), or remove on_defect",
                );
            }
            let op_materials = match &o.materials {
                Some(list) => v.op_materials(list, &material_names, &f("materials")),
                None => Vec::new(),
            };
            let make = |setup: Option<Dist>, station: StationId, process: Dist| Operation {
                station,
                subcontract: None,
                process,
                setup,
                scrap,
                rework,
                rework_to,
                operators,
                operator_pools: operator_pools.clone(),
                operator_need,
                materials: op_materials.clone(),
                defect_rate,
                inspect,
                inspect_rework,
            };
            match (station, process, setup) {
                (Some(station), Some(process), None) => routing.push(make(None, station, process)),
                (Some(station), Some(process), Some(Some(setup))) => {
                    routing.push(make(Some(setup), station, process))
                }
                _ => ok = false,
            }
        }
        // A saturated source refills the first machine the moment it frees
        // up: if that can take no time, the run would never leave time 0.
        if let (Some(Release::Saturated), Some(first), Some(op)) =
            (&release, routing.first(), ops.first())
            && first.subcontract.is_some()
        {
            v.err_hint(
                op.span(),
                &format!("products.{pname}.routing[0]"),
                "a saturated product starts at a station of the plant, not at a contractor",
                "put a station first, or release the product by orders or arrivals",
            );
        } else if let (Some(Release::Saturated), Some(first), Some(op)) =
            (&release, routing.first(), ops.first())
            && first.process.mean() <= 0.0
        {
            v.err_hint(
                op.get_ref().process.as_ref().map_or(op.span(), |x| x.span()),
                &format!("products.{pname}.routing[0].process"),
                "a saturated product's first operation must take time, or parts would be made endlessly at one instant",
                "give it a process time above zero",
            );
        }
        let orders = p
            .orders
            .as_ref()
            .and_then(|o| v.order_process(o, &field("orders")));
        let stock_target = p
            .stock
            .as_ref()
            .and_then(|s| v.count(s, &field("stock"), 0));
        let patience = p
            .patience
            .as_ref()
            .and_then(|d| v.positive_duration(d, &field("patience")));
        let outsource = p
            .outsource
            .as_ref()
            .and_then(|o| v.outsourcing(o, &field("outsource"), &contractors, pi));
        let by_orders = matches!(release, Some(Release::Orders));
        let order_only = [
            ("orders", p.orders.as_ref().map(|x| x.span())),
            ("stock", p.stock.as_ref().map(|x| x.span())),
            ("patience", p.patience.as_ref().map(|x| x.span())),
            ("outsource", p.outsource.as_ref().map(|x| x.span())),
        ];
        if release.is_some() && !by_orders {
            for (k, span) in order_only {
                if let Some(span) = span {
                    v.err_hint(
                        span,
                        &field(k),
                        format!("`{k}` applies to products released by customer orders"),
                        "remove `release` (orders are the default) or remove this field",
                    );
                }
            }
        }
        let priority = p.priority.as_ref().map_or(0, |x| *x.get_ref());
        if let (Some(release), true) = (release, ok) {
            products.push(Product {
                name: pname.clone(),
                routing,
                release,
                price: v.money(&p.price, &field("price")),
                material_cost: v.money(&p.material_cost, &field("material_cost")),
                priority,
                orders,
                stock_target,
                patience,
                outsource,
            });
        }
    }
    // Automated stations: faster (or slower) and differently staffed.
    for (si, (sname, st)) in raw.stations.iter().enumerate() {
        let s = st.get_ref();
        let (Some(a), true) = (&s.automated, stations[si].automated) else {
            continue;
        };
        let a = a.get_ref();
        let field = |k: &str| format!("stations.{sname}.automated.{k}");
        let sid = StationId(si as u32);
        let factor = match &a.process_factor {
            Some(x) if !x.get_ref().is_finite() || *x.get_ref() <= 0.0 => {
                v.err_hint(
                    x.span(),
                    &field("process_factor"),
                    format!("must be a number above 0, got {}", x.get_ref()),
                    "0.6 makes every operation at the station take 60% of its time",
                );
                None
            }
            Some(x) => Some(*x.get_ref()),
            None => None,
        };
        let operators = a
            .operators
            .as_ref()
            .and_then(|n| v.count(n, &field("operators"), 0));
        if let (Some(n), Some(span)) = (operators, a.operators.as_ref().map(|o| o.span()))
            && n > 0
        {
            let largest = pools
                .iter()
                .filter(|p| p.skills.contains(&sid))
                .map(|p| p.count)
                .max();
            match largest {
                None => v.err_hint(
                    span,
                    &field("operators"),
                    format!("no worker pool may operate station \"{sname}\""),
                    format!("add \"{sname}\" to the `stations` of a [workers] pool"),
                ),
                Some(m) if m < n => v.err_hint(
                    span,
                    &field("operators"),
                    format!("needs {n} operators at once, but the largest qualified pool has {m}: it could never start"),
                    "raise the pool's `count` or lower `operators`",
                ),
                Some(_) => {}
            }
        }
        if let Some(m) = &a.machines
            && *m.get_ref() > 100_000
        {
            v.err_hint(
                m.span(),
                &field("machines"),
                format!(
                    "{} machines is more than shopfloor simulates at one station",
                    m.get_ref()
                ),
                "model at most 100000 machines per station",
            );
        }
        for op in products.iter_mut().flat_map(|p| p.routing.iter_mut()) {
            if op.station != sid {
                continue;
            }
            if let Some(f) = factor
                && let Ok(d) = op.process.scaled(f)
            {
                op.process = d;
            }
            if let Some(n) = operators {
                op.operators = n;
                if n == 0 {
                    op.operator_need = OperatorNeed::Whole;
                }
            }
        }
    }
    // A station with its own calendar: its machines run only in working
    // time. Modelled as a hidden pool with one unpaid "crew" per machine,
    // on that calendar, that every operation at the station needs.
    for (si, (sname, st)) in raw.stations.iter().enumerate() {
        let Some(c) = &st.get_ref().calendar else {
            continue;
        };
        let field = format!("stations.{sname}.calendar");
        let Some(cal) = find_calendar(v, c, &field) else {
            continue;
        };
        let sid = StationId(si as u32);
        let staffed = products
            .iter()
            .flat_map(|p| p.routing.iter())
            .any(|op| op.station == sid && op.operators > 0);
        if staffed {
            v.err_hint(
                c.span(),
                &field,
                "this station's operations need operators, so it follows their pool's calendar",
                "give the calendar to the operators' pool instead ([workers.NAME] calendar = …)",
            );
            continue;
        }
        let pool = PoolId(pools.len() as u32);
        pools.push(WorkerPool {
            name: format!("station {sname}"),
            count: stations[si].machines,
            skills: vec![sid],
            wage_per_hour: 0.0,
            overtime_premium: 1.0,
            calendar: Some(cal),
            absence: 0.0,
            fatigue: None,
            hidden: true,
        });
        for op in products.iter_mut().flat_map(|p| p.routing.iter_mut()) {
            if op.station == sid {
                op.operators = 1;
                op.operator_pools = vec![pool];
                op.operator_need = OperatorNeed::Whole;
            }
        }
    }
    // An overflow contractor takes whatever reaches its station.
    for (si, (sname, st)) in raw.stations.iter().enumerate() {
        let (Some(o), Some(c)) = (&st.get_ref().overflow, stations[si].overflow) else {
            continue;
        };
        for (pi, p) in products.iter().enumerate() {
            let visits = p.routing.iter().any(|op| op.station.0 as usize == si);
            if visits && contractors[c.0 as usize].prices[pi].is_none() {
                v.err_hint(
                    o.span(),
                    &format!("stations.{sname}.overflow"),
                    format!(
                        "product \"{}\" passes through this station, but contractor \"{}\" has no price for it",
                        p.name,
                        o.get_ref()
                    ),
                    format!("add {} = … to [contractors.{}] prices", p.name, o.get_ref()),
                );
            }
        }
    }
    let (policies, book_bytes) = v.policies(raw, &product_names);
    for (i, p) in products.iter().enumerate() {
        let in_book = policies
            .order_book
            .iter()
            .any(|o| o.product.0 as usize == i);
        let raw_orders = raw
            .products
            .get(p.name.as_str())
            .is_some_and(|r| r.get_ref().orders.is_some());
        let book_given = raw
            .orders
            .as_ref()
            .is_some_and(|o| o.get_ref().book.is_some());
        if p.release_is_orders()
            && !raw_orders
            && !in_book
            && (!book_given || !policies.order_book.is_empty())
        {
            let span = raw.products.get(p.name.as_str()).map_or(0..0, |r| r.span());
            v.err_hint(
                span,
                &format!("products.{}", p.name),
                format!("product \"{}\" is released by customer orders, but none come", p.name),
                "give it `orders = { interarrival = …, due_in = … }`, list it in the order book ([orders] book = \"….csv\"), or set `release`",
            );
        }
        if in_book && !p.release_is_orders() {
            v.err_hint(
                raw.orders.as_ref().map(|o| o.span()).unwrap_or(0..0),
                "orders.book",
                format!("the order book orders \"{}\", which is released by its own process, not by orders", p.name),
                format!("remove `release` from [products.{}]", p.name),
            );
        }
    }
    if !v.errors.is_empty() {
        return None;
    }
    let hash = match book_bytes {
        Some(b) => super::fnv_hex(&[text_hash.as_bytes(), &b].concat()),
        None => text_hash,
    };
    Some(Scenario {
        factory: Factory {
            name,
            stations,
            products,
            pools,
            contractors,
            materials,
            suppliers,
            policies,
            horizon: horizon?,
            warmup: warmup?,
            period: period?,
        },
        period_explicit: sim.period.is_some(),
        replications: replications?,
        seed: seed?,
        description: sim.description.clone().unwrap_or_default(),
        hash,
        variants: Vec::new(),
        optimize: None,
        text: text.to_string(),
        source: v.loc.file.to_path_buf(),
        books: Default::default(),
    })
}
