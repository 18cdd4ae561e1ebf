//! Breakdowns and repairs: a machine fails by its time-to-failure clock
//! (operating or calendar time), waits for a technician of its repair
//! crew where it has one, is repaired and resumes what it was doing.

use super::*;

impl<'f> Sim<'f> {
    pub(super) fn on_failure(&mut self, m: u32) {
        if self.machines[m as usize].maint {
            // Only a calendar-clock failure can fall due now.
            self.failure_during_maintenance(m);
            return;
        }
        let now = self.cal.now();
        let mach = &mut self.machines[m as usize];
        let s = mach.station;
        mach.down = true;
        match mach.phase {
            Phase::Setup | Phase::Process if !mach.paused => {
                mach.remaining -= now - mach.seg_start;
                mach.remaining = mach.remaining.max(0.0);
                // Cancel the pending segment end (calendar-clock failures).
                mach.generation.bump();
            }
            Phase::Empty => {
                self.stations[s as usize]
                    .idle
                    .remove(&mut self.idle_below, m);
            }
            Phase::Setup
            | Phase::Process
            | Phase::Finished
            | Phase::AwaitStart
            | Phase::AwaitMaterial
            | Phase::AwaitKit => {}
        }
        let fl = self.f.stations[s as usize]
            .failures
            .as_ref()
            .expect("failure at a station without failures");
        let repair = fl
            .repair
            .sample(&mut self.machines[m as usize].repair_stream);
        // The operators leave the broken machine (they may be the very
        // technicians who repair it) and are asked for again after repair.
        self.release_operators(m);
        let mach = &mut self.machines[m as usize];
        mach.ttf_left = f64::INFINITY;
        mach.repair_time = repair;
        self.stations[s as usize].failures += 1;
        let part = self.machines[m as usize].part;
        match fl.repair_crew {
            None => {
                self.set_state(m);
                self.log("failure", s, m, part);
                self.cal
                    .schedule_in(repair, Event::RepairEnd { machine: m });
            }
            Some(crew) => {
                // The repair waits for a technician of the crew.
                self.machines[m as usize].awaiting_technician = true;
                self.set_state(m);
                self.log("failure", s, m, part);
                if self.pools[crew.0 as usize].on && self.pools[crew.0 as usize].free > 0 {
                    self.start_repair(m, crew.0);
                } else {
                    self.pools[crew.0 as usize].repairs.push_back(m);
                    self.log("wait_for_technician", s, m, part);
                }
            }
        }
    }

    pub(super) fn on_repair_end(&mut self, m: u32) {
        let now = self.cal.now();
        let s = self.machines[m as usize].station;
        let fl = self.f.stations[s as usize]
            .failures
            .as_ref()
            .expect("repair at a station without failures");
        let ttf = fl
            .time_to_failure
            .sample(&mut self.machines[m as usize].failure_stream);
        match fl.clock {
            FailureClock::Operating => self.machines[m as usize].ttf_left = ttf,
            FailureClock::Calendar => {
                let stamp = self.machines[m as usize].failure_gen.current();
                self.cal
                    .schedule_at(now + ttf, Event::Failure { machine: m, stamp })
            }
        }
        let mach = &mut self.machines[m as usize];
        mach.down = false;
        let part = mach.part;
        self.set_state(m);
        self.log("repair_end", s, m, part);
        // The technician goes back to the crew once the machine resumes.
        let crew = fl.repair_crew;
        match self.machines[m as usize].phase {
            Phase::Setup | Phase::Process if self.machines[m as usize].paused => {
                self.dispatch_operator_queue()
            }
            Phase::Setup | Phase::Process => self.run_or_wait(m),
            Phase::Empty => {
                if !self.maintenance_after_repair(m) {
                    // A batch station's machines are found by the batch
                    // rule, not through `idle`.
                    if self.stations[s as usize].batch == NONE {
                        self.make_idle(s, m);
                    }
                    self.station_changed(s);
                }
            }
            Phase::AwaitMaterial => self.material_repaired(),
            Phase::AwaitKit => self.kit_complete(m),
            Phase::Finished | Phase::AwaitStart => {
                // It may have been skipped while down: look again.
                // A finished part's `op` already names its next
                // operation; a part awaiting its start needs room at the
                // station of the operation after the current one.
                let mut op = self.parts[part as usize].op;
                if self.machines[m as usize].phase == Phase::AwaitStart {
                    op = self.ops[op as usize].end.next;
                }
                let k = self.ops[op as usize].station;
                self.station_changed(k);
            }
        }
        if let Some(crew) = crew {
            self.pools[crew.0 as usize].repairs_done += 1;
            self.return_workers(crew.0, 1);
            self.dispatch_workers(crew.0);
        }
    }

    /// A technician of pool `p` starts repairing machine `m`, or its
    /// preventive maintenance.
    pub(super) fn start_repair(&mut self, m: u32, p: u32) {
        self.take_workers(p, 1);
        let mach = &mut self.machines[m as usize];
        mach.awaiting_technician = false;
        let repair = mach.repair_time;
        let s = mach.station;
        let part = mach.part;
        let maint = mach.maint;
        self.set_state(m);
        if maint {
            self.log("maintenance_start", s, m, part);
            self.cal
                .schedule_in(repair, Event::MaintenanceEnd { machine: m });
        } else {
            self.log("repair_start", s, m, part);
            self.cal
                .schedule_in(repair, Event::RepairEnd { machine: m });
        }
    }
}
