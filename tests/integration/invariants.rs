//! Invariants over random plants: whatever the mix of blocking rules,
//! breakdowns, repair crews, operators, shift calendars, overtime,
//! absences, scrap and rework, a run never panics, conserves parts, splits
//! every machine's time into states that add up, pays at least the hours
//! its workers work, counts a cost of poor quality within the cost lines
//! it is part of, and is reproducible.

use shopfloor::engine::Stream;
use shopfloor::model::simulate;

use crate::common::{assert_state_shares_add_up, scenario};

fn pick<'a>(rng: &mut Stream, items: &[&'a str]) -> &'a str {
    items[((rng.uniform() * items.len() as f64) as usize).min(items.len() - 1)]
}

fn int(rng: &mut Stream, lo: u32, hi: u32) -> u32 {
    lo + ((rng.uniform() * f64::from(hi - lo + 1)) as u32).min(hi - lo)
}

/// A random but valid scenario.
fn random_plant(rng: &mut Stream, case: u32) -> String {
    let n_st = int(rng, 1, 4);
    let stations: Vec<String> = (0..n_st).map(|i| format!("s{i}")).collect();
    let mut t = format!(
        "[simulation]\nhorizon = \"{}d\"\nreplications = 1\nseed = {case}\n",
        int(rng, 2, 6)
    );
    let staffed = rng.uniform() < 0.7;
    if staffed {
        let rule = pick(rng, &["finish", "pause", "no_overrun"]);
        t += &format!(
            "[calendars.c]\nshifts = [{{ start = \"06:00\", end = \"14:00\", breaks = [{{ start = \"10:00\", end = \"10:20\" }}] }}, {{ start = \"14:00\", end = \"22:00\" }}]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\nshift_end = \"{rule}\"\n"
        );
        if rng.uniform() < 0.5 {
            t += "overtime = [{ days = [\"sat\"], start = \"22:00\", end = \"23:00\" }]\n";
        }
        if rng.uniform() < 0.5 {
            t += &format!(
                "[calendars.c.overtime_policy]\nextend_by = \"1h\"\nmax_per_week = \"3h\"\nwip_above = {}\n",
                int(rng, 0, 10)
            );
        }
        let list: Vec<String> = stations.iter().map(|s| format!("\"{s}\"")).collect();
        t += &format!(
            "[workers.ops]\ncount = {}\nstations = [{}]\nwage = 20.0\ncalendar = \"c\"\nabsence = {}\n",
            int(rng, 1, 4),
            list.join(", "),
            if rng.uniform() < 0.3 { "0.2" } else { "0.0" }
        );
        if rng.uniform() < 0.3 {
            t += "fatigue = { after = \"6h\", process_factor = 1.3, scrap_add = 0.05 }\n";
        }
        t += &format!("[workers.tech]\ncount = {}\n", int(rng, 1, 2));
        if rng.uniform() < 0.5 {
            t += "calendar = \"c\"\n";
        }
    }
    for (i, s) in stations.iter().enumerate() {
        t += &format!("[stations.{s}]\nmachines = {}\n", int(rng, 1, 3));
        // Running costs from the index, so that the random draws (and so
        // the plants) stay those of the cases before costs were checked.
        t += &format!("cost_per_hour = {}\n", 5 * i + 3);
        if rng.uniform() < 0.6 {
            t += &format!("buffer = {}\n", int(rng, 0, 4));
        }
        t += &format!(
            "blocking = \"{}\"\n",
            pick(rng, &["after_service", "before_service"])
        );
        if staffed && rng.uniform() < 0.5 {
            t += "operator_rule = \"least_busy\"\n";
        }
        if rng.uniform() < 0.6 {
            t += &format!(
                "failures = {{ time_to_failure = {{ dist = \"exponential\", mean = \"{}h\" }}, repair = {{ dist = \"exponential\", mean = \"20m\" }}, clock = \"{}\"{} }}\n",
                int(rng, 1, 8),
                pick(rng, &["operating", "calendar"]),
                if staffed && rng.uniform() < 0.6 {
                    ", repair_crew = \"tech\""
                } else {
                    ""
                }
            );
        }
    }
    for p in 0..int(rng, 1, 2) {
        let len = int(rng, 1, 4);
        let saturated = rng.uniform() < 0.3;
        let release = if saturated {
            "\"saturated\"".to_string()
        } else {
            format!(
                "{{ interarrival = {{ dist = \"exponential\", mean = \"{}m\" }}, batch = {} }}",
                int(rng, 3, 15),
                int(rng, 1, 3)
            )
        };
        let mut ops = Vec::new();
        for i in 0..len {
            let st = &stations[int(rng, 0, n_st - 1) as usize];
            let mut op = format!(
                "{{ station = \"{st}\", process = {{ dist = \"{}\", mean = \"{}m\", cv = 0.5 }}",
                pick(rng, &["gamma", "lognormal"]),
                int(rng, 1, 6)
            );
            if rng.uniform() < 0.3 {
                op += ", setup = \"3m\"";
            }
            if rng.uniform() < 0.4 {
                op += &format!(", scrap = 0.0{}", int(rng, 1, 9));
            }
            if i > 0 && rng.uniform() < 0.3 {
                op += &format!(", rework = 0.1, rework_to = \"{}\"", st);
            }
            if staffed && rng.uniform() < 0.7 {
                op += &format!(
                    ", operators = 1, operator_for = \"{}\"",
                    pick(rng, &["whole", "whole", "4m"])
                );
            }
            op += " }";
            ops.push(op);
        }
        t += &format!(
            "[products.p{p}]\nrelease = {release}\nrouting = [\n  {},\n]\n",
            ops.join(",\n  ")
        );
    }
    t
}

#[test]
fn random_plants_keep_their_invariants() {
    let mut rng = Stream::new(2026, 0, "invariants");
    let (mut good, mut staffed, mut waited, mut sunk) = (0, 0, 0, 0);
    for case in 0..300 {
        let text = random_plant(&mut rng, case);
        let s = scenario(&text);
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        let trace = trace.unwrap();
        let count = |e: &str| trace.iter().filter(|t| t.event == e).count() as u64;
        // Every part released is finished, scrapped or still in the plant.
        assert_eq!(r.released, count("release"), "case {case}\n{text}");
        assert_eq!(r.good, count("finish"), "case {case}\n{text}");
        assert_eq!(r.scrapped, count("scrap"), "case {case}\n{text}");
        assert!(r.good + r.scrapped <= r.released, "case {case}\n{text}");
        // Each station's machine time splits into states adding up to 1.
        assert_state_shares_add_up(&r, &format!("case {case}\n{text}"));
        // Bottleneck shares are shares: never below 0 (not even by a
        // rounding error), together at most 1.
        for st in &r.stations {
            let (a, b) = (st.bottleneck_sole, st.bottleneck_shifting);
            assert!(
                a >= 0.0 && b >= 0.0 && a + b <= 1.0 + 1e-12,
                "case {case}: {} sole {a:e} shifting {b:e}\n{text}",
                st.station
            );
        }
        // Workers are paid for at least the hours they work.
        for p in &r.pools {
            assert!(
                p.busy_hours <= p.paid_hours + 1e-6,
                "case {case}: {p:?}\n{text}"
            );
            assert!(p.labour_cost >= 0.0, "case {case}: {p:?}");
        }
        // The cost of poor quality is a part of the lines it comes from,
        // never more, and the sum of its parts.
        let c = &r.costs;
        let labour = c.labour_regular + c.labour_overtime;
        let tol = 1e-9 * c.total.max(1.0);
        for (name, v) in [
            ("materials", c.poor_quality_materials),
            ("labour", c.poor_quality_labour),
            ("machines", c.poor_quality_machines),
            ("rework", c.poor_quality_rework),
        ] {
            assert!(v >= 0.0, "case {case}: poor quality {name} {v}\n{text}");
        }
        assert!(
            c.poor_quality_materials <= c.materials + c.raw_materials + tol,
            "case {case}: {c:?}\n{text}"
        );
        assert!(
            c.poor_quality_labour <= labour + tol,
            "case {case}: {c:?}\n{text}"
        );
        assert!(
            c.poor_quality_machines <= c.machine_running + tol,
            "case {case}: {c:?}\n{text}"
        );
        assert!(
            c.poor_quality_labour + c.poor_quality_machines + c.poor_quality_rework
                <= labour + c.machine_running + tol,
            "case {case}: {c:?}\n{text}"
        );
        let parts = c.poor_quality_materials
            + c.poor_quality_labour
            + c.poor_quality_machines
            + c.poor_quality_rework;
        assert!((c.poor_quality - parts).abs() <= tol, "case {case}: {c:?}");
        let per_product: f64 = r.products.iter().map(|p| p.poor_quality).sum();
        assert!(
            (c.poor_quality - per_product).abs() <= tol,
            "case {case}: {c:?}"
        );
        assert!(c.poor_quality <= c.total + tol, "case {case}: {c:?}");
        sunk += usize::from(c.poor_quality_machines > 0.0 && c.poor_quality_rework > 0.0);
        good += r.good;
        staffed += usize::from(!r.pools.is_empty());
        waited += usize::from(
            count("wait_for_operator") + count("wait_for_technician") + count("pause") > 0,
        );
        // Same seed, same run.
        let (again, _) = simulate(&s.factory, s.seed, 0, false);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "case {case} is not reproducible"
        );
    }
    // The cases are not vacuous: parts flow, people are often short, and
    // scrap and rework often cost machine time.
    assert!(
        good > 10_000 && staffed > 150 && waited > 100 && sunk > 30,
        "good {good}, staffed {staffed}, waited {waited}, sunk {sunk}"
    );
}

/// The random plants above with preventive maintenance (any trigger, with
/// or without the repair crew, renewing or not) and automated machines
/// beside the manual ones added at random stations: the same invariants
/// hold, every maintenance that ends is counted once, none overlaps
/// another on one machine, and the run is reproducible.
#[test]
fn random_plants_with_maintenance_and_mixed_stations_keep_their_invariants() {
    let mut rng = Stream::new(2026, 0, "invariants");
    let mut extra = Stream::new(2026, 0, "invariants/maintenance");
    let (mut jobs, mut mixed) = (0u64, 0usize);
    for case in 0..200 {
        let mut text = random_plant(&mut rng, case);
        let crew = text.contains("[workers.tech]");
        let stations = text.matches("[stations.").count();
        for i in 0..stations {
            if extra.uniform() < 0.6 {
                let trigger = match int(&mut extra, 0, 2) {
                    0 => format!("every = \"{}h\"", int(&mut extra, 2, 30)),
                    1 => format!("every_parts = {}", int(&mut extra, 1, 40)),
                    _ => format!("every_operating = \"{}h\"", int(&mut extra, 1, 12)),
                };
                text += &format!(
                    "[stations.s{i}.maintenance]\n{trigger}\nduration = {{ dist = \"exponential\", mean = \"{}m\" }}\nas_good_as_new = {}\ncost = 10.0\n{}",
                    int(&mut extra, 5, 60),
                    extra.uniform() < 0.5,
                    if crew && extra.uniform() < 0.6 {
                        "crew = \"tech\"\n"
                    } else {
                        ""
                    }
                );
            }
            if extra.uniform() < 0.3 {
                text += &format!(
                    "[stations.s{i}.automated]\nalongside = true\nmachines = {}\nprocess_factor = 0.7\noperators = 0\ncapital = 1000.0\nlife = \"52w\"\n",
                    int(&mut extra, 0, 2)
                );
                mixed += 1;
            }
        }
        let s = scenario(&text);
        let (r, trace) = simulate(&s.factory, s.seed, 0, true);
        let trace = trace.unwrap();
        let count = |e: &str| trace.iter().filter(|t| t.event == e).count() as u64;
        assert_eq!(r.released, count("release"), "case {case}\n{text}");
        assert_eq!(r.good, count("finish"), "case {case}\n{text}");
        assert_eq!(r.scrapped, count("scrap"), "case {case}\n{text}");
        assert_state_shares_add_up(&r, &format!("case {case}\n{text}"));
        let done: u64 = r.stations.iter().map(|s| s.maintenance_jobs).sum();
        assert_eq!(done, count("maintenance_end"), "case {case}\n{text}");
        // On each machine, maintenance starts and ends alternate.
        let mut open = std::collections::HashMap::new();
        for t in &trace {
            let key = (t.station.clone(), t.machine);
            match t.event {
                "maintenance_start" => {
                    assert!(
                        !open.insert(key, true).unwrap_or(false),
                        "case {case}: overlapping maintenance\n{text}"
                    );
                }
                "maintenance_end" => {
                    assert!(
                        open.insert(key, false).unwrap_or(false),
                        "case {case}: maintenance ends unstarted\n{text}"
                    );
                }
                // No part is processed on a machine under maintenance.
                "process_start" | "setup_start" => {
                    assert!(
                        !open.get(&key).copied().unwrap_or(false),
                        "case {case}: work during maintenance\n{text}"
                    );
                }
                _ => {}
            }
        }
        for p in &r.pools {
            assert!(p.busy_hours <= p.paid_hours + 1e-6, "case {case}: {p:?}");
        }
        jobs += done;
        let (again, _) = simulate(&s.factory, s.seed, 0, false);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "case {case} is not reproducible"
        );
    }
    assert!(jobs > 1_000 && mixed > 50, "jobs {jobs}, mixed {mixed}");
}
