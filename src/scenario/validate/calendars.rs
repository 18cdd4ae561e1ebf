//! `[calendars.NAME]`: shifts, breaks, working days, holidays, overtime
//! and the overtime policy; and the calendars of stations that keep their
//! own hours.

use toml::Spanned;

use super::{Names, Validator};
use crate::model::{
    OperatorNeed, OvertimePolicy, OvertimeTrigger, PoolId, Product, ShiftCalendar, ShiftEnd,
    Station, StationId, WorkerPool,
};
use crate::scenario::raw::*;

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

/// The shifts' names (each unique within the calendar), in list order.
fn shift_names(v: &mut Validator<'_>, name: &str, c: &RawCalendar) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = Vec::new();
    for (i, sh) in c.shifts.get_ref().iter().enumerate() {
        let n = sh.get_ref().name.as_ref();
        if let Some(n) = n
            && names
                .iter()
                .any(|m| m.as_deref() == Some(n.get_ref().as_str()))
        {
            v.err_hint(
                n.span(),
                &format!("calendars.{name}.shifts[{i}].name"),
                format!("two shifts are called \"{}\"", n.get_ref()),
                "give each shift its own name",
            );
        }
        names.push(n.map(|n| n.get_ref().clone()));
    }
    names
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
    let shift_names = shift_names(v, name, c);
    // Each valid shift's (start, end) in seconds from the day's 00:00.
    let mut spans: Vec<(usize, f64, f64)> = Vec::new();
    for (i, shs) in c.shifts.get_ref().iter().enumerate() {
        let f = |k: &str| format!("calendars.{name}.shifts[{i}].{k}");
        let sh = shs.get_ref();
        let (Some(a), Some(mut b)) = (
            clock(v, &sh.start, &f("start")),
            clock(v, &sh.end, &f("end")),
        ) else {
            continue;
        };
        if b <= a {
            b += 86_400.0; // a night shift ends the next day
        }
        // Two shifts that overlap (or are the same) would be merged into
        // one silently: almost always a typing mistake.
        if let Some((j, _, _)) = spans.iter().find(|(_, x, y)| {
            [-86_400.0, 0.0, 86_400.0]
                .iter()
                .any(|off| a.max(x + off) < b.min(y + off))
        }) {
            let show = |k: usize| {
                let s = c.shifts.get_ref()[k].get_ref();
                format!("{}–{}", s.start.get_ref(), s.end.get_ref())
            };
            let same = c.shifts.get_ref()[*j].get_ref().start.get_ref() == sh.start.get_ref()
                && c.shifts.get_ref()[*j].get_ref().end.get_ref() == sh.end.get_ref();
            v.err_hint(
                shs.span(),
                &format!("calendars.{name}.shifts[{i}]"),
                if same {
                    format!("this shift ({}) is the same as shifts[{j}]", show(i))
                } else {
                    format!(
                        "this shift ({}) overlaps shifts[{j}] ({})",
                        show(i),
                        show(*j)
                    )
                },
                if same {
                    "remove one of the two: a pool works a shift once whatever its head count (set the pool's `count` for more workers)".to_string()
                } else {
                    "make the shifts follow each other (one may end when the next starts, e.g. 06:00–14:00 and 14:00–22:00), or write one longer shift".to_string()
                },
            );
            continue;
        }
        spans.push((i, a, b));
        let mut cuts: Vec<(f64, f64)> = Vec::new();
        let mut cut_break = Vec::new();
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
            cut_break.push(br);
        }
        let mut order: Vec<usize> = (0..cuts.len()).collect();
        order.sort_by(|&p, &q| cuts[p].0.total_cmp(&cuts[q].0));
        let mut bad_break = false;
        for w in order.windows(2) {
            let (p, q) = (cuts[w[0]], cuts[w[1]]);
            if q.0 < p.1 {
                v.err_hint(
                    cut_break[w[1]].span(),
                    &f("breaks"),
                    "this break overlaps another break of the shift",
                    "make the breaks follow each other, or write them as one longer break",
                );
                bad_break = true;
            }
        }
        if bad_break {
            continue;
        }
        if !cuts.is_empty() && cuts.iter().map(|(x, y)| y - x).sum::<f64>() >= b - a {
            v.err_hint(
                shs.span(),
                &f("breaks"),
                "the breaks cover the whole shift, so it has no working time",
                "shorten the breaks, or remove the shift",
            );
            continue;
        }
        cuts.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut t = a;
        for (x, y) in cuts {
            if x > t {
                pieces.push((t, x, false, i as u32));
            }
            t = t.max(y);
        }
        if b > t {
            pieces.push((t, b, true, i as u32));
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
        shift_names,
        days,
        holidays,
        overtime,
        shift_end,
        overtime_policy,
    })
}

/// The calendars of the file: every name defined, and those that are valid.
pub(super) struct Calendars<'r> {
    names: Vec<&'r str>,
    valid: Vec<(String, ShiftCalendar)>,
}

impl Calendars<'_> {
    /// A calendar by name (None, without a second error, for one that is
    /// defined but invalid: its own errors are already reported).
    pub(super) fn find(
        &self,
        v: &mut Validator<'_>,
        c: &Spanned<String>,
        field: &str,
    ) -> Option<ShiftCalendar> {
        v.lookup(
            c,
            &self.names,
            field,
            "calendar",
            "define it as a table like [calendars.NAME] with shifts = […]",
        )?;
        self.valid
            .iter()
            .find(|(n, _)| n == c.get_ref())
            .map(|(_, cal)| cal.clone())
    }
}

/// Validates every `[calendars.NAME]`.
pub(super) fn calendars<'r>(
    v: &mut Validator<'_>,
    raw: &'r RawScenario,
    names: &Names<'_>,
) -> Calendars<'r> {
    let mut valid: Vec<(String, ShiftCalendar)> = Vec::new();
    for (cname, c) in &raw.calendars {
        if let Some(cal) = calendar(v, cname, c, &names.stations) {
            valid.push((cname.clone(), cal));
        }
    }
    Calendars {
        names: raw.calendars.keys().map(String::as_str).collect(),
        valid,
    }
}

/// `stations.NAME.calendar`: a station with its own calendar: its machines
/// run only in working time. Modelled as a hidden pool with one unpaid
/// "crew" per machine, on that calendar, that every operation at the
/// station needs.
pub(super) fn station_calendars(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    calendars: &Calendars<'_>,
    stations: &[Station],
    pools: &mut Vec<WorkerPool>,
    products: &mut [Product],
) {
    for (si, (sname, st)) in raw.stations.iter().enumerate() {
        let Some(c) = &st.get_ref().calendar else {
            continue;
        };
        let field = format!("stations.{sname}.calendar");
        let Some(cal) = calendars.find(v, c, &field) else {
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
            count_by_shift: Vec::new(),
        });
        for op in products.iter_mut().flat_map(|p| p.routing.iter_mut()) {
            if op.station == sid {
                op.operators = 1;
                op.operator_pools = vec![pool];
                op.operator_need = OperatorNeed::Whole;
            }
        }
    }
}
