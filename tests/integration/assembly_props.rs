//! Assembly of parts made in the plant against the other features:
//! random small plants with sub-assemblies (up to three levels, several
//! units, two assembling operations in one routing) beside breakdowns,
//! maintenance, shifts, CONWIP, orders, movers, contractors, batches,
//! scrap and rework — and hand-built cases of each meeting.

use std::collections::HashMap;

use shopfloor::engine::Stream;
use shopfloor::model::{ReplicationResult, TraceRecord, simulate};

use crate::common::{assert_state_shares_add_up, scenario};

fn pick<'a>(rng: &mut Stream, items: &[&'a str]) -> &'a str {
    items[((rng.uniform() * items.len() as f64) as usize).min(items.len() - 1)]
}

fn int(rng: &mut Stream, lo: u32, hi: u32) -> u32 {
    lo + ((rng.uniform() * f64::from(hi - lo + 1)) as u32).min(hi - lo)
}

fn chance(rng: &mut Stream, p: f64) -> bool {
    rng.uniform() < p
}

/// What a random plant assembles: for each product, its assembling
/// operations as (station, [(component, units)]).
type Bom = HashMap<String, Vec<(String, Vec<(String, u32)>)>>;

/// One operation of a random routing at one of `stations`, with scrap and
/// rework (back to `earlier`, a station already in the routing) at
/// random.
fn op(rng: &mut Stream, st: &str, staffed: bool, earlier: &[String], quality: bool) -> String {
    let mut o = format!(
        "{{ station = \"{st}\", process = {{ dist = \"{}\", mean = \"{}m\", cv = 0.5 }}",
        pick(rng, &["gamma", "lognormal"]),
        int(rng, 1, 6)
    );
    if quality && chance(rng, 0.3) {
        o += &format!(", scrap = 0.0{}", int(rng, 2, 9));
    }
    if quality && !earlier.is_empty() && chance(rng, 0.3) {
        let to = &earlier[int(rng, 0, earlier.len() as u32 - 1) as usize];
        o += &format!(", rework = 0.1, rework_to = \"{to}\"");
    }
    if staffed && chance(rng, 0.5) {
        o += ", operators = 1";
    }
    o
}

/// A random, valid plant with assembly: `p0` assembles `c1` (and maybe
/// `c2` directly) at one or two operations, `c1` may assemble `c2`; `p1`,
/// when there, is plain or assembles `c1` too.
fn random_plant(rng: &mut Stream, case: u32) -> (String, Bom) {
    // s0 … s(n−4) make sub-assemblies; s(n−3) assembles c2 into c1,
    // s(n−2) and s(n−1) assemble into p0 and p1: no sub-assembly is made
    // where it is assembled.
    let n_st = int(rng, 4, 7);
    let stations: Vec<String> = (0..n_st).map(|i| format!("s{i}")).collect();
    let mut t = format!(
        "[simulation]\nhorizon = \"{}d\"\nreplications = 1\nseed = {case}\nmax_parts = {}\n",
        int(rng, 1, 3),
        if chance(rng, 0.1) { 60 } else { 5000 }
    );
    let staffed = chance(rng, 0.5);
    if staffed {
        let rule = pick(rng, &["finish", "pause", "pause", "no_overrun"]);
        t += &format!(
            "[calendars.c]\nshifts = [{{ start = \"06:00\", end = \"14:00\", breaks = [{{ start = \"10:00\", end = \"10:20\" }}] }}, {{ start = \"14:00\", end = \"22:00\" }}]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\nshift_end = \"{rule}\"\n"
        );
        let list: Vec<String> = stations.iter().map(|s| format!("\"{s}\"")).collect();
        t += &format!(
            "[workers.ops]\ncount = {}\nstations = [{}]\nwage = 20.0\ncalendar = \"c\"\n",
            int(rng, 1, 4),
            list.join(", ")
        );
        t += &format!("[workers.tech]\ncount = {}\n", int(rng, 1, 2));
    } else {
        // Unstaffed: some stations work to a calendar of their own.
        let rule = pick(rng, &["finish", "pause", "no_overrun"]);
        t += &format!(
            "[calendars.c]\nshifts = [{{ start = \"06:00\", end = \"14:00\" }}, {{ start = \"15:00\", end = \"23:00\" }}]\nshift_end = \"{rule}\"\n"
        );
    }
    let capacity = if chance(rng, 0.5) {
        format!("capacity_per_week = {}\n", int(rng, 1, 20))
    } else {
        String::new()
    };
    let movers = chance(rng, 0.3);
    for s in &stations {
        t += &format!("[stations.{s}]\nmachines = {}\n", int(rng, 1, 2));
        let finite = chance(rng, 0.5);
        if finite {
            t += &format!("buffer = {}\n", int(rng, 0, 4));
            if chance(rng, 0.3) {
                t += "overflow = \"ovf\"\n";
            }
        }
        t += &format!(
            "blocking = \"{}\"\n",
            pick(rng, &["after_service", "before_service"])
        );
        if chance(rng, 0.3) {
            t += "dispatch = \"earliest_due\"\n";
        }
        if !staffed && chance(rng, 0.3) {
            t += "calendar = \"c\"\n";
        }
        if movers && chance(rng, 0.5) {
            t += "mover = \"cart\"\n";
        }
        if chance(rng, 0.5) {
            t += &format!(
                "failures = {{ time_to_failure = {{ dist = \"exponential\", mean = \"{}h\" }}, repair = {{ dist = \"exponential\", mean = \"20m\" }}, clock = \"{}\"{} }}\n",
                int(rng, 1, 8),
                pick(rng, &["operating", "calendar", "calendar"]),
                if staffed && chance(rng, 0.5) {
                    ", repair_crew = \"tech\""
                } else {
                    ""
                }
            );
        }
        if chance(rng, 0.3) {
            let trigger = match int(rng, 0, 2) {
                0 => format!("every = \"{}h\"", int(rng, 2, 20)),
                1 => format!("every_parts = {}", int(rng, 1, 20)),
                _ => format!("every_operating = \"{}h\"", int(rng, 1, 8)),
            };
            t += &format!(
                "maintenance = {{ {trigger}, duration = {{ dist = \"exponential\", mean = \"{}m\" }}{} }}\n",
                int(rng, 5, 40),
                if staffed && chance(rng, 0.5) {
                    ", crew = \"tech\""
                } else {
                    ""
                }
            );
        }
    }
    let batch = chance(rng, 0.3);
    if batch {
        t += "[stations.oven]\nbatch = { min = 1, max = 3, wait_up_to = \"10m\" }\n";
    }
    if movers {
        let mut all: Vec<&str> = stations.iter().map(|s| s.as_str()).collect();
        if batch {
            all.push("oven");
        }
        let mut legs = Vec::new();
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                legs.push(format!(
                    "{{ from = \"{}\", to = \"{}\", time = \"{}m\" }}",
                    all[i],
                    all[j],
                    int(rng, 0, 3)
                ));
            }
        }
        t += &format!(
            "[movers.cart]\ncount = {}\n[transport]\nlegs = [\n  {},\n]\n",
            int(rng, 1, 2),
            legs.join(",\n  ")
        );
    }
    let mut bom = Bom::new();
    let st = |rng: &mut Stream| stations[int(rng, 0, n_st - 4) as usize].clone();
    let any = |rng: &mut Stream| stations[int(rng, 0, n_st - 1) as usize].clone();
    // Level 3: c2, assembled into c1 or p0.
    let three = chance(rng, 0.5);
    let mut c2_in_p0 = false;
    if three {
        let mut ops = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..int(rng, 1, 2) {
            let s = st(rng);
            ops.push(op(rng, &s, staffed, &seen, true) + " }");
            seen.push(s);
        }
        if chance(rng, 0.2) {
            ops.push("{ subcontract = \"sub\", transport = \"5m\" }".to_string());
        }
        t += &format!(
            "[products.c2]\nrelease = \"with_parent\"\nrouting = [\n  {},\n]\n",
            ops.join(",\n  ")
        );
        c2_in_p0 = chance(rng, 0.3);
    }
    // c1: a few operations, maybe one assembling c2, maybe a batch, maybe
    // ending with a subcontracted step.
    {
        let mut ops = Vec::new();
        let mut seen = Vec::new();
        let len = int(rng, 1, 3);
        let asm_at = if three && !c2_in_p0 {
            int(rng, 0, len - 1)
        } else {
            u32::MAX
        };
        for i in 0..len {
            let s = if i == asm_at {
                stations[n_st as usize - 3].clone()
            } else {
                st(rng)
            };
            let mut o = op(rng, &s, staffed, &seen, true);
            if i == asm_at {
                let q = int(rng, 1, 2);
                o += &format!(", components = {{ c2 = {q} }}");
                bom.entry("c1".into())
                    .or_default()
                    .push((s.clone(), vec![("c2".into(), q)]));
            }
            ops.push(o + " }");
            seen.push(s);
            if batch && i == 0 && chance(rng, 0.5) {
                ops.push("{ station = \"oven\", process = \"10m\" }".to_string());
            }
        }
        if chance(rng, 0.25) {
            ops.push("{ subcontract = \"sub\", transport = \"5m\" }".to_string());
        }
        t += &format!(
            "[products.c1]\nrelease = \"with_parent\"\nrouting = [\n  {},\n]\n",
            ops.join(",\n  ")
        );
    }
    // p0: two to four operations, one or two of them assembling (at
    // stations of their own, so that the trace tells them apart).
    for (name, assembles) in [("p0", true), ("p1", chance(rng, 0.4))] {
        if name == "p1" && chance(rng, 0.5) {
            continue;
        }
        let release = match int(rng, 0, 3) {
            0 => format!(
                "release = {{ interarrival = {{ dist = \"exponential\", mean = \"{}m\" }}, batch = {} }}\n",
                int(rng, 8, 30),
                int(rng, 1, 2)
            ),
            1 => "release = \"saturated\"\n".to_string(),
            2 if chance(rng, 0.3) => format!(
                "stock = {}\npatience = \"4h\"\norders = {{ interarrival = {{ dist = \"exponential\", mean = \"{}m\" }}, quantity = {{ dist = \"uniform\", min = 1, max = 3 }}, due_in = \"1h\" }}\n",
                int(rng, 1, 6),
                int(rng, 20, 60)
            ),
            _ => format!(
                "orders = {{ interarrival = {{ dist = \"exponential\", mean = \"{}m\" }}, quantity = {{ dist = \"uniform\", min = 1, max = 3 }}, due_in = \"{}h\" }}\n",
                int(rng, 20, 60),
                int(rng, 2, 24)
            ),
        };
        let len = int(rng, 2, 4);
        let n_asm = if assembles {
            int(rng, 1, 2).min(len)
        } else {
            0
        };
        let mut asm_ops: Vec<u32> = Vec::new();
        while (asm_ops.len() as u32) < n_asm {
            let i = int(rng, 0, len - 1);
            if !asm_ops.contains(&i) {
                asm_ops.push(i);
            }
        }
        let mut ops = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut asm_stations: Vec<String> = Vec::new();
        for i in 0..len {
            let mut s = any(rng);
            if asm_ops.contains(&i) {
                // An assembling station of its own within the routing.
                let free: Vec<&String> = stations[n_st as usize - 2..]
                    .iter()
                    .filter(|x| !asm_stations.contains(x))
                    .collect();
                s = free[int(rng, 0, free.len() as u32 - 1) as usize].clone();
                asm_stations.push(s.clone());
            }
            let mut o = op(rng, &s, staffed, &seen, true);
            if asm_ops.contains(&i) {
                let mut comps = vec![("c1".to_string(), int(rng, 1, 3))];
                if c2_in_p0 && name == "p0" && asm_stations.len() == 1 {
                    comps.push(("c2".to_string(), int(rng, 1, 2)));
                }
                let list: Vec<String> = comps.iter().map(|(c, q)| format!("{c} = {q}")).collect();
                o += &format!(", components = {{ {} }}", list.join(", "));
                bom.entry(name.into()).or_default().push((s.clone(), comps));
            }
            ops.push(o + " }");
            seen.push(s);
        }
        t += &format!(
            "[products.{name}]\n{release}routing = [\n  {},\n]\n",
            ops.join(",\n  ")
        );
    }
    let mut prices: Vec<&str> = vec!["p0", "c1"];
    if t.contains("[products.p1]") {
        prices.push("p1");
    }
    if three {
        prices.push("c2");
    }
    let prices: Vec<String> = prices.iter().map(|p| format!("{p} = 1.0")).collect();
    let prices = prices.join(", ");
    t += &format!(
        "[contractors.sub]\nlead_time = {{ dist = \"exponential\", mean = \"1h\" }}\nprices = {{ {prices} }}\n{capacity}[contractors.ovf]\nlead_time = \"2h\"\nprices = {{ {prices} }}\ncapacity_per_week = 30\n"
    );
    if chance(rng, 0.3) {
        t += &format!(
            "[orders]\nrelease = \"conwip\"\nwip_cap = {}\n",
            int(rng, 3, 15)
        );
    }
    (t, bom)
}

/// The invariants of one run (warm-up 0) of a plant assembling by `bom`.
fn check(case: u32, text: &str, bom: &Bom, r: &ReplicationResult, trace: &[TraceRecord]) {
    let count = |e: &str, p: &str| {
        trace
            .iter()
            .filter(|t| t.event == e && (p.is_empty() || t.product == p))
            .count() as u64
    };
    let product = |n: &str| r.products.iter().find(|p| p.product == n);
    assert_eq!(r.released, count("release", ""), "case {case}\n{text}");
    assert_eq!(r.good, count("finish", ""), "case {case}\n{text}");
    assert_eq!(r.scrapped, count("scrap", ""), "case {case}\n{text}");
    // Each assembling operation consumes its units once per part it
    // assembles: `assembled` is the sum over the parents' `assemble`
    // records.
    let mut expected: HashMap<&str, u64> = HashMap::new();
    for (parent, ops) in bom {
        for (st, comps) in ops {
            let n = trace
                .iter()
                .filter(|t| t.event == "assemble" && &t.product == parent && &t.station == st)
                .count() as u64;
            for (c, q) in comps {
                *expected.entry(c.as_str()).or_default() += n * u64::from(*q);
            }
        }
    }
    let mut assembled_total = 0;
    for c in ["c1", "c2"] {
        let Some(pc) = product(c) else { continue };
        let e = expected.get(c).copied().unwrap_or(0);
        assert_eq!(pc.assembled, e, "case {case}: {c} assembled\n{text}");
        assembled_total += pc.assembled;
        // Made good (for a kit) is counted once per record; none is
        // assembled before it is made.
        assert_eq!(
            pc.good,
            count("made_for_kit", c),
            "case {case}: {c}\n{text}"
        );
        assert!(pc.assembled <= pc.good, "case {case}: {c} {pc:?}\n{text}");
        assert!(
            pc.good + pc.scrapped <= pc.released,
            "case {case}: {c} {pc:?}\n{text}"
        );
        assert_eq!(pc.delivered, 0, "case {case}: {c} {pc:?}");
    }
    // In time order: at every assembly, the units of each component made so
    // far cover the units assembled so far.
    let mut made: HashMap<&str, u64> = HashMap::new();
    let mut used: HashMap<&str, u64> = HashMap::new();
    let mut assembled_parts: HashMap<(u64, String), u32> = HashMap::new();
    for tr in trace {
        match tr.event {
            "made_for_kit" => *made.entry(tr.product.as_str()).or_default() += 1,
            "assemble" => {
                let ops = &bom[&tr.product];
                let (_, comps) = ops
                    .iter()
                    .find(|(s, _)| *s == tr.station)
                    .unwrap_or_else(|| panic!("case {case}: assemble off plan {tr:?}\n{text}"));
                for (c, q) in comps {
                    let u = used.entry(c.as_str()).or_default();
                    *u += u64::from(*q);
                    assert!(
                        *u <= made.get(c.as_str()).copied().unwrap_or(0),
                        "case {case}: {c} assembled before made at {}\n{text}",
                        tr.time_s
                    );
                }
                // A rework through the assembling operation takes no new kit.
                let n = assembled_parts
                    .entry((tr.part.unwrap(), tr.station.clone()))
                    .or_default();
                *n += 1;
                assert_eq!(*n, 1, "case {case}: part assembled twice {tr:?}\n{text}");
            }
            "finish" => {
                // A finished assembly went through each of its assemblies.
                if let Some(ops) = bom.get(&tr.product) {
                    for (st, _) in ops {
                        assert!(
                            assembled_parts.contains_key(&(tr.part.unwrap(), st.clone())),
                            "case {case}: {tr:?} finished without its assembly at {st}\n{text}"
                        );
                    }
                }
            }
            _ => {}
        }
    }
    // Work in process at the end: released, less finished, scrapped,
    // overflowed and assembled into other parts.
    assert_eq!(
        r.wip_end,
        r.released - r.good - r.scrapped - r.parts_outsourced - assembled_total,
        "case {case}: {r:?}\n{text}"
    );
    let released: u64 = r.products.iter().map(|p| p.released).sum();
    assert_eq!(released, r.released, "case {case}");
    // Time averages: the waiting parts are among the parts in process.
    assert!(r.wip_avg >= -1e-9, "case {case}: {r:?}");
    assert!(r.wip_waiting_avg >= -1e-9, "case {case}: {r:?}");
    assert!(r.wip_on_machines_avg >= -1e-9, "case {case}: {r:?}\n{text}");
    for p in &r.series {
        assert!(
            p.wip_avg >= -1e-9 && p.waiting_avg >= -1e-9,
            "case {case}: {p:?}"
        );
        assert!(
            p.waiting_avg <= p.wip_avg + 1e-9,
            "case {case}: {p:?}\n{text}"
        );
    }
    assert_state_shares_add_up(r, &format!("case {case}\n{text}"));
}

/// The counts of `w`, the run of `r` with a warm-up of `warmup_s`, are
/// those of `r` less what its trace records before the warm-up ended.
fn check_warmup(
    case: u32,
    text: &str,
    bom: &Bom,
    r: &ReplicationResult,
    trace: &[TraceRecord],
    w: &ReplicationResult,
    warmup_s: f64,
) {
    let before = |e: &str, p: &str| {
        trace
            .iter()
            .filter(|t| t.time_s < warmup_s && t.event == e && (p.is_empty() || t.product == p))
            .count() as u64
    };
    assert_eq!(
        w.released,
        r.released - before("release", ""),
        "case {case}\n{text}"
    );
    assert_eq!(w.good, r.good - before("finish", ""), "case {case}\n{text}");
    assert_eq!(
        w.scrapped,
        r.scrapped - before("scrap", ""),
        "case {case}\n{text}"
    );
    for (rp, wp) in r.products.iter().zip(&w.products) {
        let n = rp.product.as_str();
        assert_eq!(
            wp.released,
            rp.released - before("release", n),
            "case {case} {n}\n{text}"
        );
        assert_eq!(
            wp.scrapped,
            rp.scrapped - before("scrap", n),
            "case {case} {n}\n{text}"
        );
        let made = before("finish", n) + before("made_for_kit", n);
        assert_eq!(wp.good, rp.good - made, "case {case} {n}\n{text}");
        let mut assembled_before = 0;
        for (parent, ops) in bom {
            for (st, comps) in ops {
                let k = trace
                    .iter()
                    .filter(|t| {
                        t.time_s < warmup_s
                            && t.event == "assemble"
                            && &t.product == parent
                            && &t.station == st
                    })
                    .count() as u64;
                for (c, q) in comps {
                    if c == n {
                        assembled_before += k * u64::from(*q);
                    }
                }
            }
        }
        assert_eq!(
            wp.assembled,
            rp.assembled - assembled_before,
            "case {case} {n}\n{text}"
        );
    }
}

#[test]
fn random_plants_with_assembly_keep_their_invariants() {
    let mut rng = Stream::new(2026, 0, "assembly_props");
    let (mut assembled, mut three, mut waited, mut overloaded) = (0u64, 0, 0, 0);
    for case in 0..200 {
        let (text, bom) = random_plant(&mut rng, case);
        let s = scenario(&text);
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        let trace = trace.unwrap();
        check(case, &text, &bom, &r, &trace);
        assembled += r.products.iter().map(|p| p.assembled).sum::<u64>();
        three += usize::from(
            r.products
                .iter()
                .any(|p| p.product == "c2" && p.assembled > 0),
        );
        waited += usize::from(trace.iter().any(|t| t.event == "wait_for_components"));
        overloaded += usize::from(r.overloaded.is_some());
        // Same seed, same run.
        let (again, _) = simulate(&s.factory, s.seed, 0, false);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "case {case} is not reproducible"
        );
        // With a warm-up the statistics restart: still no panic, and
        // counts and averages that cannot go negative.
        let warm = text.replacen(
            "replications = 1\n",
            "replications = 1\nwarmup = \"597m\"\n",
            1,
        );
        let s = scenario(&warm);
        let (w, _) = simulate(&s.factory, s.seed, 0, false);
        assert!(
            w.wip_avg >= -1e-9 && w.wip_waiting_avg >= -1e-9,
            "case {case}: {w:?}"
        );
        assert!(w.wip_on_machines_avg >= -1e-9, "case {case}: {w:?}\n{warm}");
        assert_eq!(
            w.wip_end, r.wip_end,
            "case {case}: the warm-up changes no run"
        );
        if r.overloaded.is_none() {
            check_warmup(case, &warm, &bom, &r, &trace, &w, 35_820.0);
        }
    }
    assert!(
        assembled > 10_000 && three > 30 && waited > 100 && overloaded > 0,
        "assembled {assembled}, three levels {three}, waited {waited}, overloaded {overloaded}"
    );
}

/// Runs replication 0 of `text` with a trace.
fn run(text: &str) -> (ReplicationResult, Vec<TraceRecord>) {
    let s = scenario(text);
    let (r, t) = simulate(&s.factory, s.seed, 0, true);
    (r, t.unwrap())
}

/// Minutes of the `event` records of `product`.
fn minutes(trace: &[TraceRecord], event: &str, product: &str) -> Vec<f64> {
    trace
        .iter()
        .filter(|t| t.event == event && t.product == product)
        .map(|t| (t.time_s / 60.0 * 1000.0).round() / 1000.0)
        .collect()
}

/// CONWIP with a cap of 2: a cabinet and its door fill the plant. The door
/// is cut (1 min) and sent out for 30 min, back at 31; the cabinet waits
/// at assembly from 1. Assembled at 31, the plant holds one part, below
/// the cap: the next cabinet goes in then, not when the first one
/// finishes at 32 — as when the door is coated in the plant, where the
/// kit is completed by an operation's end.
#[test]
fn the_conwip_gate_opens_when_parts_are_assembled() {
    let coated_out = r#"
[simulation]
horizon = "200m"
replications = 1
[stations.cut]
[stations.asm]
[contractors.coat]
lead_time = "30m"
prices = { door = 1.0 }
[products.cabinet]
release = "saturated"
routing = [{ station = "asm", process = "1m", components = { door = 1 } }]
[products.door]
release = "with_parent"
routing = [
  { station = "cut", process = "1m" },
  { subcontract = "coat" },
]
[orders]
release = "conwip"
wip_cap = 2
"#;
    let coated_in = coated_out
        .replace(
            "{ subcontract = \"coat\" }",
            "{ station = \"coat\", process = \"30m\" }",
        )
        .replace(
            "[stations.asm]",
            "[stations.asm]\n[stations.coat]\nmachines = 9",
        );
    for text in [coated_in.as_str(), coated_out] {
        let (_, trace) = run(text);
        let assembled = minutes(&trace, "assemble", "cabinet");
        let released = minutes(&trace, "release", "cabinet");
        assert_eq!(&assembled[..3], &[31.0, 62.0, 93.0], "{text}");
        assert_eq!(&released[..3], &[0.0, 31.0, 62.0], "{text}");
    }
}

/// A cabinet every 60 min goes straight to assembly (1 min) and waits
/// there for its door (cut in 10 min, done at 70). The assembly machine
/// breaks down by the calendar 5 min after each repair: down over
/// [5 + k(5 + repair), (k + 1)(5 + repair)] — with a 2-min repair up at
/// 70 (68 to 70), with 10 min down from 65 to 75, with 5 from 65 to 70. It
/// assembles the first cabinet when it is up and the door is done.
#[test]
fn a_machine_down_while_it_waits_for_its_kit_assembles_after_repair() {
    for (repair, first) in [(2.0, 10.0), (10.0, 15.0), (5.0, 10.0)] {
        let text = format!(
            r#"
[simulation]
horizon = "3h"
replications = 1
[stations.cut]
[stations.asm]
failures = {{ time_to_failure = "{first_failure}m", repair = "{repair}m", clock = "calendar" }}
[products.cabinet]
release = {{ interarrival = {{ dist = "constant", value = "60m" }} }}
routing = [{{ station = "asm", process = "1m", components = {{ door = 1 }} }}]
[products.door]
release = "with_parent"
routing = [{{ station = "cut", process = "10m" }}]
"#,
            first_failure = 65.0 - 60.0,
        );
        let (r, trace) = run(&text);
        let assembled = minutes(&trace, "assemble", "cabinet");
        assert_eq!(assembled[0], 60.0 + first, "repair {repair}: {trace:#?}");
        assert_eq!(r.products[0].good, 2, "repair {repair}");
        assert_eq!(r.products[1].assembled, 2, "repair {repair}");
    }
}

/// The assembly operator works 06:00–14:00 under "pause". The last
/// cabinet of the day reaches assembly at 13:00 and waits for its door
/// (cut in 90 min, unmanned), done at 14:30, off shift: the kit is taken
/// then, and the operation starts at 06:00 the next day.
#[test]
fn a_kit_completed_off_shift_waits_for_the_operator() {
    let (_, trace) = run(r#"
[simulation]
horizon = "2d"
replications = 1
[calendars.day]
shifts = [{ start = "06:00", end = "14:00" }]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
shift_end = "pause"
[workers.fitters]
count = 1
stations = ["asm"]
calendar = "day"
[stations.cut]
[stations.asm]
[products.cabinet]
orders = { interarrival = { dist = "constant", value = "13h" }, quantity = 1, due_in = "1d" }
routing = [{ station = "asm", process = "30m", operators = 1, components = { door = 1 } }]
[products.door]
release = "with_parent"
routing = [{ station = "cut", process = "90m" }]
"#);
    let assembled = minutes(&trace, "assemble", "cabinet");
    let started: Vec<f64> = trace
        .iter()
        .filter(|t| t.event == "process_start" && t.station == "asm")
        .map(|t| t.time_s / 60.0)
        .collect();
    let finished = minutes(&trace, "finish", "cabinet");
    assert_eq!(assembled[0], 14.5 * 60.0, "{trace:#?}");
    assert_eq!(started[0], 30.0 * 60.0);
    assert_eq!(finished[0], 30.5 * 60.0);
}

/// A sub-assembly made at the station that assembles it (here its second
/// operation, or that of its own sub-assembly) is refused: the one machine
/// there would take a housing, wait for its door, and never make the door
/// — a plant that silently makes nothing.
#[test]
fn a_sub_assembly_made_where_it_is_assembled_is_refused() {
    for (door, hinge) in [
        (
            "[{ station = \"doors\" , process = \"3m\" }, { station = \"asm\", process = \"2m\" }]",
            "",
        ),
        (
            "[{ station = \"doors\", process = \"3m\", components = { hinge = 2 } }]",
            "[products.hinge]\nrelease = \"with_parent\"\nrouting = [{ station = \"asm\", process = \"1m\" }]\n",
        ),
    ] {
        let text = format!(
            "[simulation]\nhorizon = \"10h\"\n[stations.body]\n[stations.doors]\n[stations.asm]\n[products.cabinet]\nrelease = {{ interarrival = {{ dist = \"constant\", value = \"20m\" }} }}\nrouting = [\n  {{ station = \"body\", process = \"1m\" }},\n  {{ station = \"asm\", process = \"5m\", components = {{ door = 1 }} }},\n]\n[products.door]\nrelease = \"with_parent\"\nrouting = {door}\n{hinge}"
        );
        let e = shopfloor::scenario::parse(std::path::Path::new("t.toml"), &text)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{text}"));
        let e = e.to_string();
        assert!(
            e.contains("products.cabinet.routing[1].components")
                && e.contains("where it is assembled"),
            "{e}"
        );
    }
}
