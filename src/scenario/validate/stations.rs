//! `[stations.NAME]`: machines, buffer, blocking, failures, dispatching,
//! overflow, running cost and the automated specification (a batch
//! station's `batch` and `campaign_limit` in [`super::batch`]); and what an
//! automated station or an overflow contractor changes in the products
//! that visit it.

use super::workforce::find_pool;
use super::{Names, Validator};
use crate::model::{
    Blocking, Contractor, Dispatch, FailureClock, Failures, OperatorNeed, PoolRule, Product,
    Station, StationId, WorkerPool,
};
use crate::scenario::raw::*;
use toml::Spanned;

/// `[…failures]` of a station or of its automated specification.
fn read_failures(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    f: &RawFailures,
    at: &str,
) -> Option<Failures> {
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
        .and_then(|c| find_pool(v, names, c, &field("repair_crew")));
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
}

/// Most machines one station may have.
const MAX_MACHINES: i64 = 100_000;

/// Refuses more than [`MAX_MACHINES`] machines at a station (manual, or
/// automated beside them): true if `m` is too many.
pub(super) fn too_many_machines(v: &mut Validator<'_>, m: &Spanned<i64>, field: &str) -> bool {
    if *m.get_ref() <= MAX_MACHINES {
        return false;
    }
    v.err_hint(
        m.span(),
        field,
        format!(
            "{} machines is more than shopfloor simulates at one station",
            m.get_ref()
        ),
        format!("model at most {MAX_MACHINES} machines per station"),
    );
    true
}

/// Validates every `[stations.NAME]`.
pub(super) fn stations(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
) -> Vec<Station> {
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
            Some(m) if too_many_machines(v, m, &field("machines")) => 1,
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
            .and_then(|fl| read_failures(v, names, fl.get_ref(), &field("failures")));
        let maintenance = s
            .maintenance
            .as_ref()
            .and_then(|m| super::maintenance::maintenance(v, names, m, &field("maintenance")));
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
                ("min_setup", Dispatch::MinSetup),
                ("campaign", Dispatch::Campaign { limit: u32::MAX }),
            ],
            Dispatch::Fifo,
        );
        let dispatch = super::batch::campaign_limit(v, s, dispatch, &field("campaign_limit"));
        let batch = s
            .batch
            .as_ref()
            .and_then(|b| super::batch::read_batch(v, b, buffer, &field("batch")));
        if let Some(b) = &s.batch {
            super::batch::batch_station_rules(v, s, b.span(), dispatch, blocking, &field);
        }
        let overflow = s
            .overflow
            .as_ref()
            .and_then(|c| v.contractor(c, &names.contractors, &field("overflow")));
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
            maintenance,
            dispatch,
            overflow,
            cost_per_hour: v.money(&s.cost_per_hour, &field("cost_per_hour")),
            capital: 0.0,
            capital_per_hour: 0.0,
            capital_per_machine: v.money(&s.capital_per_machine, &field("capital_per_machine")),
            fixed_cost_per_week: v.money(&s.fixed_cost_per_week, &field("fixed_cost_per_week")),
            automated: false,
            batch,
            mover: s
                .mover
                .as_ref()
                .and_then(|m| super::transport::find_mover(v, names, m, &field("mover"))),
            alongside: None,
        };
        let automate = s.automate.as_ref().is_some_and(|a| *a.get_ref());
        let alongside = s
            .automated
            .as_ref()
            .and_then(|a| a.get_ref().alongside.as_ref())
            .is_some_and(|x| *x.get_ref());
        match (&s.automated, &s.automate) {
            (Some(a), _) if alongside => {
                station.alongside =
                    super::mixed::alongside(v, sname, a.get_ref(), s.automate.as_ref());
                if let Some(al) = station.alongside.as_mut()
                    && a.get_ref().cost_per_hour.is_none()
                {
                    al.cost_per_hour = station.cost_per_hour;
                }
                if let Some(al) = station.alongside {
                    station.capital = f64::from(al.machines) * al.capital;
                    station.capital_per_hour = f64::from(al.machines) * al.capital_per_hour;
                }
            }
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
                    && let Some(failures) = read_failures(v, names, fl.get_ref(), &f("failures"))
                {
                    station.failures = Some(failures);
                }
            }
            _ => {}
        }
        stations.push(station);
    }
    stations
}

/// `stations.NAME.automated`: operations at an automated station are faster
/// (or slower) and differently staffed.
pub(super) fn automated_operations(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    stations: &[Station],
    pools: &[WorkerPool],
    products: &mut [Product],
) {
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
        if let Some(m) = &a.machines {
            too_many_machines(v, m, &field("machines"));
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
}

/// `stations.NAME.overflow`: an overflow contractor takes whatever reaches
/// its station, so it needs a price for every product that passes through.
pub(super) fn overflow_prices(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    stations: &[Station],
    contractors: &[Contractor],
    products: &[Product],
) {
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
}
