//! Preventive maintenance: a machine's maintenance falls due by calendar
//! time, by parts processed or by operating hours; the machine finishes the
//! part it holds, takes no new one, waits for a technician of its crew
//! where it has one, is maintained for the drawn duration, and comes back
//! as good as new (its time to failure drawn again) when the scenario says
//! so.
//!
//! A machine under maintenance is `down` with `maint` set, so that every
//! path that keeps work off a broken machine keeps it off this one too; it
//! is always empty (maintenance starts only between parts).

use super::*;
use crate::model::{Maintenance, MaintenanceTrigger};

/// Preventive-maintenance state of one machine.
pub(super) struct PmMachine {
    /// Maintenance is due; it starts when the machine is empty and up.
    due: bool,
    /// Parts released by the machine since its last maintenance.
    parts: u32,
    /// The machine's operating time (setup + busy, on its state timer's
    /// clock) when its last maintenance ended.
    mark: f64,
    /// A calendar-clock failure fell due during a maintenance that does not
    /// renew the machine: it breaks as soon as the maintenance ends.
    failure_pending: bool,
    stream: Stream,
}

impl PmMachine {
    /// The maintenance state of every machine (none at all when no station
    /// has maintenance, so that plants without it pay nothing).
    pub(super) fn all(f: &Factory, seed: u64, rep: u64) -> Vec<PmMachine> {
        if f.stations.iter().all(|s| s.maintenance.is_none()) {
            return Vec::new();
        }
        let mut v = Vec::new();
        for st in &f.stations {
            for mi in 0..st.all_machines() {
                v.push(PmMachine {
                    due: false,
                    parts: 0,
                    mark: 0.0,
                    failure_pending: false,
                    stream: Stream::new(seed, rep, &format!("maintenance/{}/{mi}", st.name)),
                });
            }
        }
        v
    }
}

impl<'f> Sim<'f> {
    fn maintenance_of(&self, m: u32) -> Option<&'f Maintenance> {
        let f: &'f Factory = self.f;
        f.stations[self.machines[m as usize].station as usize]
            .maintenance
            .as_ref()
    }

    /// Operating time (setup and processing) of machine `m` on its state
    /// timer's clock.
    fn operating_time(&self, m: u32) -> f64 {
        let t = self.machines[m as usize].timer.totals(self.cal.now());
        t[state_index(MachineState::Busy)] + t[state_index(MachineState::Setup)]
    }

    /// Schedules every machine's first calendar maintenance, staggered over
    /// the station's machines.
    pub(super) fn start_maintenance(&mut self) {
        for m in 0..self.machines.len() as u32 {
            if let Some(pm) = self.maintenance_of(m)
                && let MaintenanceTrigger::Calendar(every) = pm.trigger
            {
                let st = &self.f.stations[self.machines[m as usize].station as usize];
                let i = f64::from(self.machines[m as usize].index);
                let first = every * (i + 1.0) / f64::from(st.all_machines());
                self.cal
                    .schedule_at(first, Event::MaintenanceDue { machine: m });
            }
        }
    }

    /// A calendar maintenance of machine `m` falls due.
    pub(super) fn on_maintenance_due(&mut self, m: u32) {
        self.pm[m as usize].due = true;
        let mach = &self.machines[m as usize];
        if mach.phase == Phase::Empty && !mach.down {
            let s = mach.station;
            self.stations[s as usize]
                .idle
                .remove(&mut self.idle_below, m);
            self.begin_maintenance(m);
        }
    }

    /// Machine `m` (up) has just released its part: counts the part, and
    /// starts maintenance instead of taking a new part if it is due. True
    /// if it did. Out of line: plants without maintenance never call it.
    #[inline(never)]
    pub(super) fn maintenance_after_part(&mut self, m: u32) -> bool {
        let Some(pm) = self.maintenance_of(m) else {
            return false;
        };
        let due = match pm.trigger {
            MaintenanceTrigger::Calendar(_) => self.pm[m as usize].due,
            MaintenanceTrigger::Parts(n) => {
                let st = &mut self.pm[m as usize];
                st.parts += 1;
                st.parts >= n
            }
            MaintenanceTrigger::Operating(h) => {
                self.operating_time(m) - self.pm[m as usize].mark >= h
            }
        };
        if due {
            self.begin_maintenance(m);
        }
        due
    }

    /// A repaired machine `m`, empty: true if it goes into the maintenance
    /// that fell due while it was down.
    pub(super) fn maintenance_after_repair(&mut self, m: u32) -> bool {
        if self.pm.is_empty() || !self.pm[m as usize].due {
            return false;
        }
        self.begin_maintenance(m);
        true
    }

    /// Empty, up machine `m` goes into maintenance, or waits for a
    /// technician of its crew.
    fn begin_maintenance(&mut self, m: u32) {
        let pm = self.maintenance_of(m).expect("maintenance at this station");
        let d = pm.duration.sample(&mut self.pm[m as usize].stream);
        self.pm[m as usize].due = false;
        let mach = &mut self.machines[m as usize];
        mach.down = true;
        mach.maint = true;
        mach.repair_time = d;
        let s = mach.station;
        match pm.crew {
            Some(crew)
                if !(self.pools[crew.0 as usize].on && self.pools[crew.0 as usize].free > 0) =>
            {
                self.machines[m as usize].awaiting_technician = true;
                self.set_state(m);
                self.log("maintenance_due", s, m, NONE);
                self.pools[crew.0 as usize].repairs.push_back(m);
            }
            Some(crew) => {
                self.log("maintenance_due", s, m, NONE);
                self.start_repair(m, crew.0);
            }
            None => {
                self.set_state(m);
                self.log("maintenance_start", s, m, NONE);
                self.cal
                    .schedule_in(d, Event::MaintenanceEnd { machine: m });
            }
        }
    }

    /// A calendar-clock failure fell due on machine `m` under maintenance.
    pub(super) fn failure_during_maintenance(&mut self, m: u32) {
        let renews = self.maintenance_of(m).is_some_and(|pm| pm.renews);
        if !renews {
            self.pm[m as usize].failure_pending = true;
        }
        // A renewing maintenance draws a new time to failure at its end.
    }

    /// Machine `m`'s maintenance is done: it is up again, as good as new if
    /// the maintenance renews it, and takes work.
    pub(super) fn on_maintenance_end(&mut self, m: u32) {
        let now = self.cal.now();
        let pm = self.maintenance_of(m).expect("maintenance at this station");
        let s = self.machines[m as usize].station;
        self.stations[s as usize].maintenance_jobs += 1;
        let mach = &mut self.machines[m as usize];
        mach.down = false;
        mach.maint = false;
        let st = &mut self.pm[m as usize];
        st.parts = 0;
        if let MaintenanceTrigger::Operating(_) = pm.trigger {
            self.pm[m as usize].mark = self.operating_time(m);
        }
        if let MaintenanceTrigger::Calendar(every) = pm.trigger {
            self.cal
                .schedule_at(now + every, Event::MaintenanceDue { machine: m });
        }
        if pm.renews
            && let Some(fl) = &self.f.stations[s as usize].failures
        {
            let ttf = fl
                .time_to_failure
                .sample(&mut self.machines[m as usize].failure_stream);
            match fl.clock {
                FailureClock::Operating => self.machines[m as usize].ttf_left = ttf,
                FailureClock::Calendar => {
                    // The pending failure is cancelled and drawn anew.
                    let mach = &mut self.machines[m as usize];
                    mach.failure_gen.bump();
                    let stamp = mach.failure_gen.current();
                    self.cal
                        .schedule_at(now + ttf, Event::Failure { machine: m, stamp });
                }
            }
        }
        self.set_state(m);
        self.log("maintenance_end", s, m, NONE);
        if let Some(crew) = pm.crew {
            self.return_workers(crew.0, 1);
        }
        if std::mem::take(&mut self.pm[m as usize].failure_pending) {
            self.on_failure(m);
        } else if !self.maintenance_after_repair(m) {
            // A batch station's machines are found by the batch rule, not
            // through `idle`.
            if self.stations[s as usize].batch == NONE {
                self.make_idle(s, m);
            }
            self.station_changed(s);
        }
        if let Some(crew) = pm.crew {
            self.dispatch_workers(crew.0);
        }
    }

    /// Before the warm-up reset of the state timers: keeps each machine's
    /// operating time since its last maintenance.
    pub(super) fn reset_maintenance_marks(&mut self) {
        for m in 0..self.pm.len() as u32 {
            let t = self.operating_time(m);
            self.pm[m as usize].mark -= t;
        }
    }
}
