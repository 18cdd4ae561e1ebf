//! `[workers.NAME]`: worker pools with their head count, skills, wages,
//! calendar, absence and fatigue.

use toml::Spanned;

use super::calendars::Calendars;
use super::{Names, Validator};
use crate::model::{Fatigue, PoolId, StationId, WorkerPool};
use crate::scenario::raw::*;

/// A worker pool by name.
pub(super) fn find_pool(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    name: &Spanned<String>,
    field: &str,
) -> Option<PoolId> {
    v.lookup(
        name,
        &names.pools,
        field,
        "worker pool",
        "define it as a table like [workers.NAME] with count = …",
    )
    .map(|i| PoolId(i as u32))
}

/// Validates every `[workers.NAME]` (their skills name stations).
pub(super) fn worker_pools(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
    calendars: &Calendars<'_>,
) -> Vec<WorkerPool> {
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
                    &names.stations,
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
            .and_then(|c| calendars.find(v, c, &field("calendar")));
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
        let count_by_shift = match &p.count_by_shift {
            Some(by) => super::crews::crews(v, pname, by, count, calendar.as_ref(), absence > 0.0),
            None => Vec::new(),
        };
        pools.push(WorkerPool {
            name: pname.clone(),
            count,
            count_by_shift,
            skills,
            wage_per_hour: wage,
            overtime_premium: premium,
            calendar,
            absence,
            fatigue,
            hidden: false,
        });
    }
    pools
}
