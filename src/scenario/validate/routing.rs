//! `products.NAME.routing`: each operation's station, process and setup
//! times, scrap and rework, operators, materials, defects and inspection,
//! or a step done by a contractor.

use toml::Spanned;

use super::{Names, Validator};
use crate::engine::Dist;
use crate::model::{
    Contractor, Operation, OperatorNeed, PoolId, StationId, Subcontract, WorkerPool,
};
use crate::scenario::raw::*;

/// A station by name.
fn find_station(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    name: &Spanned<String>,
    field: &str,
) -> Option<StationId> {
    v.lookup(
        name,
        &names.stations,
        field,
        "station",
        "add a table like [stations.NAME] with machines = 1",
    )
    .map(|i| StationId(i as u32))
}

/// Validates the routing of product `pname` (number `pi`): the operations
/// built, and whether every one of them was valid.
pub(super) fn routing(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    pools: &[WorkerPool],
    contractors: &[Contractor],
    pname: &str,
    pi: usize,
    ops: &[Spanned<RawOperation>],
) -> (Vec<Operation>, bool) {
    let station_names = &names.stations;
    let mut routing = Vec::new();
    let mut ok = true;
    for (i, op) in ops.iter().enumerate() {
        let f = |k: &str| format!("products.{pname}.routing[{i}].{k}");
        let o = op.get_ref();
        // A step done wholly by a contractor: no station, nothing done in
        // the plant.
        if let (Some(_), None) = (&o.subcontract, &o.share) {
            let given = [
                ("station", o.station.as_ref().map(|x| x.span())),
                ("process", o.process.as_ref().map(|x| x.span())),
                ("setup", o.setup.as_ref().map(|x| x.span())),
                ("scrap", o.scrap.as_ref().map(|x| x.span())),
                ("rework", o.rework.as_ref().map(|x| x.span())),
                ("operators", o.operators.as_ref().map(|x| x.span())),
                ("materials", o.materials.as_ref().map(|x| x.span())),
                ("components", o.components.as_ref().map(|x| x.span())),
                ("defects", o.defects.as_ref().map(|x| x.span())),
                ("inspect", o.inspect.as_ref().map(|x| x.span())),
                ("on_defect", o.on_defect.as_ref().map(|x| x.span())),
                ("mover", o.mover.as_ref().map(|x| x.span())),
            ];
            for (k, span) in given {
                if let Some(span) = span {
                    let hint = if k == "station" {
                        "remove the field; or, to send only part of the step out, add share = 0.2 (the share of the parts sent) and keep the station and its process"
                    } else {
                        "remove the field, or drop `subcontract` to do the step in the plant"
                    };
                    v.err_hint(
                        span,
                        &f(k),
                        format!("a subcontracted step has no `{k}`: the contractor does it"),
                        hint,
                    );
                }
            }
            match subcontract(v, names, contractors, pname, pi, o, &f, 1.0) {
                Some(sub) => routing.push(Operation {
                    station: StationId::OUTSIDE,
                    subcontract: Some(sub),
                    process: Dist::Constant(0.0),
                    setup: None,
                    scrap: 0.0,
                    rework: 0.0,
                    rework_to: i,
                    operators: 0,
                    operator_pools: Vec::new(),
                    operator_need: OperatorNeed::Whole,
                    materials: Vec::new(),
                    components: Vec::new(),
                    defect_rate: 0.0,
                    inspect: 0.0,
                    inspect_rework: false,
                    mover: None,
                }),
                None => ok = false,
            }
            continue;
        }
        // Part of the step sent out: the share, the contractor and the
        // transport here; the in-house operation below.
        let split = match (&o.subcontract, &o.share) {
            (Some(_), Some(share)) => {
                let x = *share.get_ref();
                let share = if (0.0..=1.0).contains(&x) {
                    x
                } else {
                    v.err_hint(
                        share.span(),
                        &f("share"),
                        format!("the share of the parts sent to the contractor must lie between 0 and 1, got {x}"),
                        "write e.g. share = 0.2 to send a fifth of the parts out",
                    );
                    0.0
                };
                match subcontract(v, names, contractors, pname, pi, o, &f, share) {
                    Some(sub) => Some(sub),
                    None => {
                        ok = false;
                        None
                    }
                }
            }
            (None, Some(share)) => {
                v.err_hint(
                    share.span(),
                    &f("share"),
                    "`share` is the share of a step sent to a contractor, but this step names no `subcontract`",
                    "add subcontract = \"CONTRACTOR\" beside the station, or remove share",
                );
                None
            }
            _ => None,
        };
        if let (Some(t), None) = (&o.transport, &o.subcontract) {
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
                if split.is_some() {
                    "a step partly sent to a contractor also names the station and process time of the parts made in the plant: { station = \"weld\", process = \"6m\", subcontract = \"acme\", share = 0.2 }"
                } else {
                    "an operation names its station and process time, e.g. { station = \"cut\", process = \"5m\" }, or is done by a contractor: { subcontract = \"NAME\", transport = \"4h\" }"
                },
            );
            ok = false;
            continue;
        };
        let station = find_station(v, names, o_station, &f("station"));
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
                if let Some(t) = find_station(v, names, target, &f("rework_to")) {
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
            Some(list) => v.op_materials(list, &names.materials, &f("materials")),
            None => Vec::new(),
        };
        let components = match &o.components {
            Some(list) => super::assembly::op_components(v, list, names, &f("components")),
            None => Vec::new(),
        };
        if let (Some(list), Some(_)) = (&o.components, &o.share) {
            v.err_hint(
                list.span(),
                &f("components"),
                "a step partly sent to a contractor cannot assemble components: the parts sent out would never take theirs",
                "assemble at a step of its own, before or after this one",
            );
        }
        let mover = o
            .mover
            .as_ref()
            .and_then(|m| super::transport::find_mover(v, names, m, &f("mover")));
        let make = |setup: Option<Dist>, station: StationId, process: Dist| Operation {
            station,
            subcontract: split,
            process,
            setup,
            scrap,
            rework,
            rework_to,
            operators,
            operator_pools: operator_pools.clone(),
            operator_need,
            materials: op_materials.clone(),
            components: components.clone(),
            defect_rate,
            inspect,
            inspect_rework,
            mover,
        };
        match (station, process, setup) {
            (Some(station), Some(process), None) => routing.push(make(None, station, process)),
            (Some(station), Some(process), Some(Some(setup))) => {
                routing.push(make(Some(setup), station, process))
            }
            _ => ok = false,
        }
    }
    (routing, ok)
}

/// The contractor and transport of a subcontracted step sending `share` of
/// its parts out; `None` (errors reported) if either is invalid.
#[allow(clippy::too_many_arguments)]
fn subcontract(
    v: &mut Validator<'_>,
    names: &Names<'_>,
    contractors: &[Contractor],
    pname: &str,
    pi: usize,
    o: &RawOperation,
    f: &dyn Fn(&str) -> String,
    share: f64,
) -> Option<Subcontract> {
    let c = o.subcontract.as_ref()?;
    let contractor = v.contractor(c, &names.contractors, &f("subcontract"));
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
    Some(Subcontract {
        contractor: contractor?,
        transport: transport?,
        share,
    })
}
