//! Customer orders, finished-goods stock and contractors: the demand side
//! of a replication.
//!
//! An order arrives (from its product's random process or the order book),
//! may leave at once for a contractor, and otherwise is made in the plant:
//! make-to-order releases one part per unit (through the CONWIP gate when
//! there is one) and the order is delivered when its last part finishes;
//! make-to-stock fills it from stock, backorders what stock lacks (filled
//! first come, first served by finishing parts) and releases parts to keep
//! the inventory position (stock + parts in process − backorders) at its
//! target. A scrapped part of either kind is replaced.

use std::collections::VecDeque;

use super::{Event, NONE, Sim, ratio, store};
use crate::engine::{DAY, HOUR, Stream, Tally, TimeAverage, WEEK};
use crate::model::factory::{Contractor, OutsourceRule, Product};
use crate::model::results::{ContractorResult, CostResult, DeliveryResult, ProductResult};

/// An open customer order.
#[derive(Clone, Copy, Debug)]
pub(super) struct OrderState {
    pub serial: u64,
    pub product: u32,
    pub quantity: u32,
    pub arrival: f64,
    pub due: f64,
    /// Units not yet delivered.
    pub open: u32,
    /// Make-to-order: some part has left the CONWIP gate.
    pub released_any: bool,
    /// Sent whole to a contractor.
    pub outsourced: bool,
    /// The slot holds an open order.
    pub live: bool,
}

/// One product's demand-side state.
pub(super) struct ProductState {
    /// Neither made for orders nor to stock: a finished part is simply
    /// delivered (the fast path of [`Sim::unit_done`]).
    pub plain: bool,
    pub released: u64,
    pub scrapped: u64,
    pub delivered: u64,
    pub orders_completed: u64,
    pub orders_on_time: u64,
    /// Sum of the lead times of its completed orders, and their units ×
    /// days late.
    pub lead_sum: f64,
    pub late_unit_days: f64,
    /// Make-to-stock: units demanded, and of those filled from stock at once.
    pub demanded: u64,
    pub filled: u64,
    /// Good parts that went round a rework loop (the others passed first
    /// time); hidden defects found by inspection, and escaped with good
    /// parts.
    pub reworked_good: u64,
    /// Cost of poor quality (after warm-up): material, operators' and
    /// machines' cost sunk in scrapped parts; cost and machine-hours of
    /// rework visits.
    pub poor_quality_materials: f64,
    pub poor_quality_labour: f64,
    pub poor_quality_machines: f64,
    pub rework_cost: f64,
    pub rework_hours: f64,
    pub defects_detected: u64,
    pub defects_escaped: u64,
    pub stock: u32,
    /// Stock + parts in process for stock − backordered units.
    pub position: i64,
    pub stock_avg: TimeAverage,
    /// Make-to-stock orders waiting for stock, first come first served.
    pub backorders: VecDeque<u32>,
    /// Units lost because stock could not fill them (on_shortage = "lose").
    pub lost: u64,
    order_stream: Stream,
    size_stream: Stream,
    due_stream: Stream,
    outsource_stream: Stream,
}

impl ProductState {
    pub fn new(p: &Product, seed: u64, rep: u64) -> ProductState {
        let stock = p.stock_target.unwrap_or(0);
        let mut stock_avg = TimeAverage::new(0.0);
        stock_avg.set(0.0, f64::from(stock));
        ProductState {
            plain: !p.release_is_orders() && p.stock_target.is_none(),
            released: 0,
            scrapped: 0,
            delivered: 0,
            orders_completed: 0,
            orders_on_time: 0,
            lead_sum: 0.0,
            late_unit_days: 0.0,
            demanded: 0,
            filled: 0,
            reworked_good: 0,
            poor_quality_materials: 0.0,
            poor_quality_labour: 0.0,
            poor_quality_machines: 0.0,
            rework_cost: 0.0,
            rework_hours: 0.0,
            defects_detected: 0,
            defects_escaped: 0,
            stock,
            position: i64::from(stock),
            stock_avg,
            backorders: VecDeque::new(),
            lost: 0,
            order_stream: Stream::new(seed, rep, &format!("orders/{}", p.name)),
            size_stream: Stream::new(seed, rep, &format!("order_size/{}", p.name)),
            due_stream: Stream::new(seed, rep, &format!("due/{}", p.name)),
            outsource_stream: Stream::new(seed, rep, &format!("outsource/{}", p.name)),
        }
    }
}

/// A contractor during the run.
pub(super) struct ContractorState {
    /// Week (from the start of the run) of `used`, units accepted in it.
    week: i64,
    used: u32,
    lead_stream: Stream,
    defect_stream: Stream,
    consignments: u64,
    units: u64,
    defective: u64,
    with_due: u64,
    on_time: u64,
    spend: f64,
    /// Units received back from this contractor (after warm-up).
    received: u64,
}

impl ContractorState {
    pub fn new(c: &Contractor, seed: u64, rep: u64) -> ContractorState {
        ContractorState {
            week: -1,
            used: 0,
            lead_stream: Stream::new(seed, rep, &format!("lead_time/{}", c.name)),
            defect_stream: Stream::new(seed, rep, &format!("defects/{}", c.name)),
            consignments: 0,
            units: 0,
            defective: 0,
            with_due: 0,
            on_time: 0,
            spend: 0.0,
            received: 0,
        }
    }
}

/// Units at a contractor.
#[derive(Clone, Copy, Debug)]
pub(super) struct Consignment {
    contractor: u32,
    product: u32,
    /// The order it is for (NONE: stock or a product without orders).
    order: u32,
    /// A whole order sent out (else one overflowing part).
    whole_order: bool,
    /// A part out for a subcontracted step (NONE otherwise): it comes
    /// back into the plant.
    part: u32,
    units: u32,
    due: f64,
}

/// Delivery statistics since the warm-up.
pub(super) struct DeliveryStats {
    arrived: u64,
    completed: u64,
    on_time: u64,
    units_completed: u64,
    units_on_time: u64,
    lateness_sum: f64,
    tardiness: Tally,
    lead_sum: f64,
    late_unit_days: f64,
    lost_orders: u64,
    lost_units: u64,
    orders_outsourced: u64,
    units_outsourced: u64,
}

impl Default for DeliveryStats {
    fn default() -> Self {
        DeliveryStats {
            arrived: 0,
            completed: 0,
            on_time: 0,
            units_completed: 0,
            units_on_time: 0,
            lateness_sum: 0.0,
            tardiness: Tally::new(0.001),
            lead_sum: 0.0,
            late_unit_days: 0.0,
            lost_orders: 0,
            lost_units: 0,
            orders_outsourced: 0,
            units_outsourced: 0,
        }
    }
}

impl Sim<'_> {
    /// Schedules the first order of every order process and of the book.
    pub(super) fn start_orders(&mut self) {
        for pi in 0..self.f.products.len() {
            if self.f.products[pi].orders.is_some() {
                self.schedule_next_order(pi as u32, 0.0);
            }
        }
        if let Some(first) = self.f.policies.order_book.first() {
            self.cal.schedule_at(first.arrival, Event::BookOrder(0));
        }
    }

    /// Schedules product `p`'s next random order after clock time `from`.
    fn schedule_next_order(&mut self, p: u32, from: f64) {
        let def = self.f.products[p as usize]
            .orders
            .as_ref()
            .expect("an order process");
        let gap = def
            .interarrival
            .sample(&mut self.products[p as usize].order_stream);
        let at = match &def.profile {
            None => Some(from + gap),
            Some(profile) => profile.advance(from, gap),
        };
        if let Some(at) = at.filter(|t| *t < self.f.horizon) {
            self.cal.schedule_at(at, Event::OrderArrival(p));
        }
    }

    pub(super) fn on_order_arrival(&mut self, p: u32) {
        let now = self.cal.now();
        self.schedule_next_order(p, now);
        let def = self.f.products[p as usize]
            .orders
            .as_ref()
            .expect("an order process");
        let ps = &mut self.products[p as usize];
        let quantity = def.quantity.sample(&mut ps.size_stream).round().max(1.0) as u32;
        let due = now + def.due_in.sample(&mut ps.due_stream);
        self.new_order(p, quantity, due);
    }

    pub(super) fn on_book_order(&mut self, i: u32) {
        let book = &self.f.policies.order_book;
        let o = &book[i as usize];
        if let Some(next) = book.get(i as usize + 1) {
            self.cal.schedule_at(next.arrival, Event::BookOrder(i + 1));
        }
        self.new_order(o.product.0, o.quantity, o.due);
    }

    /// A customer order arrives now.
    fn new_order(&mut self, p: u32, quantity: u32, due: f64) {
        let now = self.cal.now();
        let order = OrderState {
            serial: self.order_serial,
            product: p,
            quantity,
            arrival: now,
            due,
            open: quantity,
            released_any: false,
            outsourced: false,
            live: true,
        };
        self.order_serial += 1;
        let o = store(&mut self.orders, &mut self.free_orders, order);
        self.delivery.arrived += 1;
        self.backlog.add(now, f64::from(quantity));
        self.log_order("order_arrival", o, p);
        let def = &self.f.products[p as usize];
        // Outsourcing the whole order?
        if let Some(os) = &def.outsource {
            let go = match os.rule {
                OutsourceRule::Share(share) => {
                    self.products[p as usize].outsource_stream.uniform() < share
                }
                OutsourceRule::BacklogAbove(n) => self.plant_backlog > i64::from(n),
            };
            let c = os.contractor.0;
            if go && self.contractor_can_take(c, quantity) {
                self.orders[o as usize].outsourced = true;
                self.delivery.orders_outsourced += 1;
                self.send(c, p, o, true, quantity, due);
                self.log_order("outsource_order", o, p);
                return;
            }
        }
        self.plant_backlog += i64::from(quantity);
        match def.stock_target {
            None => {
                for _ in 0..quantity {
                    if self.overloaded.is_some() {
                        break;
                    }
                    self.release_unit(p, o);
                }
                if self.wip_cap == u32::MAX {
                    self.orders[o as usize].released_any = true;
                }
            }
            Some(target) => {
                let ps = &mut self.products[p as usize];
                let take = ps.stock.min(quantity);
                ps.stock -= take;
                ps.stock_avg.add(now, -f64::from(take));
                ps.demanded += u64::from(quantity);
                ps.filled += u64::from(take);
                let lose = take < quantity && def.lose_on_shortage;
                // Lost units are never made: the position drops by what
                // was taken only.
                ps.position -= i64::from(if lose { take } else { quantity });
                if take < quantity && !lose {
                    ps.backorders.push_back(o);
                }
                if take > 0 {
                    self.deliver(o, take);
                }
                if lose {
                    self.lose_unfilled(o);
                }
                self.replenish(p, target);
            }
        }
        if self.orders[o as usize].live {
            self.arm_patience(o);
        }
    }

    /// Schedules the end of the customer's patience with order `o`.
    fn arm_patience(&mut self, o: u32) {
        let p = self.orders[o as usize].product as usize;
        if let Some(patience) = self.f.products[p].patience {
            let stamp = self.orders[o as usize].serial as u32;
            self.cal
                .schedule_in(patience, Event::Patience { order: o, stamp });
        }
    }

    /// Make-to-stock product `p`: releases parts while the inventory
    /// position is below `target`.
    fn replenish(&mut self, p: u32, target: u32) {
        while self.products[p as usize].position < i64::from(target) {
            self.products[p as usize].position += 1;
            self.release_unit(p, NONE);
        }
    }

    /// A part of product `p` (for order `o`, or NONE) was scrapped: make
    /// another.
    pub(super) fn replace_scrapped(&mut self, p: u32, o: u32) {
        if o != NONE {
            self.release_unit(p, o);
        } else if let Some(target) = self.f.products[p as usize].stock_target {
            self.products[p as usize].position -= 1;
            self.replenish(p, target);
        }
    }

    /// `units` good units of product `p` are ready (finished in the plant or
    /// received from a contractor) for order `o`, or NONE: for stock, or
    /// for a product without orders.
    pub(super) fn unit_done(&mut self, p: u32, o: u32, units: u32) {
        if o != NONE {
            self.deliver(o, units);
            return;
        }
        let def = &self.f.products[p as usize];
        if def.stock_target.is_none() {
            if !def.release_is_orders() {
                self.products[p as usize].delivered += u64::from(units);
            }
            return;
        }
        let now = self.cal.now();
        for _ in 0..units {
            match self.products[p as usize].backorders.front().copied() {
                Some(b) => {
                    if self.orders[b as usize].open == 1 {
                        self.products[p as usize].backorders.pop_front();
                    }
                    self.deliver(b, 1);
                }
                None => {
                    let ps = &mut self.products[p as usize];
                    ps.stock += 1;
                    ps.stock_avg.add(now, 1.0);
                }
            }
        }
    }

    /// Delivers `units` units of order `o`; completes it with its last.
    fn deliver(&mut self, o: u32, units: u32) {
        let now = self.cal.now();
        let order = &mut self.orders[o as usize];
        debug_assert!(order.live && units <= order.open);
        order.open -= units;
        let order = *order;
        self.backlog.add(now, -f64::from(units));
        if !order.outsourced {
            self.plant_backlog -= i64::from(units);
        }
        self.products[order.product as usize].delivered += u64::from(units);
        if order.open > 0 {
            return;
        }
        let lateness = now - order.due;
        let on_time = lateness <= 0.0;
        let tardiness = lateness.max(0.0);
        let d = &mut self.delivery;
        d.completed += 1;
        d.units_completed += u64::from(order.quantity);
        if on_time {
            d.on_time += 1;
            d.units_on_time += u64::from(order.quantity);
        }
        d.lateness_sum += lateness;
        d.tardiness.record(tardiness);
        d.lead_sum += now - order.arrival;
        d.late_unit_days += f64::from(order.quantity) * tardiness / DAY;
        let ps = &mut self.products[order.product as usize];
        ps.orders_completed += 1;
        if on_time {
            ps.orders_on_time += 1;
        }
        ps.lead_sum += now - order.arrival;
        ps.late_unit_days += f64::from(order.quantity) * tardiness / DAY;
        self.log_order("order_complete", o, order.product);
        self.orders[o as usize].live = false;
        self.free_orders.push(o);
    }

    pub(super) fn on_patience(&mut self, o: u32, stamp: u32) {
        let order = self.orders[o as usize];
        if !order.live || order.serial as u32 != stamp {
            return;
        }
        let p = order.product;
        let mts = self.f.products[p as usize].stock_target.is_some();
        // Make-to-order: lost only while nothing of it is in production;
        // make-to-stock: while it waits for stock.
        let lost = if order.outsourced {
            false
        } else if mts {
            order.open > 0
        } else {
            !order.released_any
        };
        if !lost {
            return;
        }
        self.lose_order(o);
    }

    /// Open order `o` is lost: its open units leave the backlog (and the
    /// backorders, or the CONWIP gate) and count as lost sales.
    pub(super) fn lose_order(&mut self, o: u32) {
        let order = self.orders[o as usize];
        let p = order.product;
        let mts = self.f.products[p as usize].stock_target.is_some();
        let now = self.cal.now();
        let units = order.open;
        if mts && self.f.products[p as usize].lose_on_shortage {
            // Never backordered nor counted in the position.
        } else if mts {
            let ps = &mut self.products[p as usize];
            ps.position += i64::from(units);
            ps.backorders.retain(|&b| b != o);
        } else {
            self.gate.retain(|&(_, g)| g != o);
        }
        self.backlog.add(now, -f64::from(units));
        self.plant_backlog -= i64::from(units);
        self.delivery.lost_orders += 1;
        self.delivery.lost_units += u64::from(units);
        self.log_order("order_lost", o, p);
        self.orders[o as usize].live = false;
        self.free_orders.push(o);
    }

    /// Whether contractor `c` can accept `units` more this week.
    pub(super) fn contractor_can_take(&mut self, c: u32, units: u32) -> bool {
        let week = (self.cal.now() / WEEK).floor() as i64;
        let cs = &mut self.contractors[c as usize];
        if cs.week != week {
            cs.week = week;
            cs.used = 0;
        }
        match self.f.contractors[c as usize].capacity_per_week {
            None => true,
            Some(cap) => cs.used + units <= cap,
        }
    }

    /// Sends `units` of product `p` to contractor `c`; they come back after
    /// its lead time (and another, to replace defective units).
    fn send(&mut self, c: u32, p: u32, order: u32, whole_order: bool, units: u32, due: f64) {
        self.send_consignment(c, p, order, whole_order, NONE, units, due, 0.0);
    }

    /// Sends a consignment; `part` (or NONE) returns to the plant after
    /// `transport` each way on top of the lead time.
    #[allow(clippy::too_many_arguments)]
    fn send_consignment(
        &mut self,
        c: u32,
        p: u32,
        order: u32,
        whole_order: bool,
        part: u32,
        units: u32,
        due: f64,
        transport: f64,
    ) {
        let def = &self.f.contractors[c as usize];
        let price = def.prices[p as usize].expect("validated: the contractor makes the product");
        let cs = &mut self.contractors[c as usize];
        cs.used += units;
        cs.consignments += 1;
        cs.units += u64::from(units);
        cs.spend += f64::from(units) * price;
        let mut lead = 2.0 * transport + def.lead_time.sample(&mut cs.lead_stream);
        if def.defect_rate > 0.0 {
            let defective = (0..units)
                .filter(|_| cs.defect_stream.uniform() < def.defect_rate)
                .count() as u64;
            if defective > 0 {
                cs.defective += defective;
                lead += def.lead_time.sample(&mut cs.lead_stream);
            }
        }
        if part == NONE {
            self.delivery.units_outsourced += u64::from(units);
        }
        let consignment = Consignment {
            contractor: c,
            product: p,
            order,
            whole_order,
            part,
            units,
            due,
        };
        let i = store(
            &mut self.consignments,
            &mut self.free_consignments,
            consignment,
        );
        self.cal.schedule_in(lead, Event::Delivery(i));
    }

    /// Part `part` finds station `s`'s buffer full: it goes to the
    /// station's overflow contractor if that one has capacity this week.
    pub(super) fn overflow(&mut self, s: u32, part: u32) -> bool {
        let c = self.stations[s as usize].overflow;
        let p = self.parts[part as usize];
        // A sub-assembly is made for a part of the plant: never bought
        // finished in its place.
        if p.for_kit != NONE || !self.contractor_can_take(c, 1) {
            return false;
        }
        if p.kit != NONE {
            self.leave_kits(p);
        }
        self.log("outsource", s, NONE, part);
        self.send(c, p.product, p.order, false, 1, p.due);
        self.parts_outsourced += 1;
        self.retire_part(part);
        true
    }

    /// Part `part` is at a subcontracted step: it leaves for the contractor
    /// now, or at the start of next week if the contractor is full.
    pub(super) fn send_part_out(&mut self, part: u32) {
        let p = self.parts[part as usize];
        let op = self.op(p.op);
        if self.contractor_can_take(op.subcontract, 1) {
            self.log("subcontract_out", NONE, NONE, part);
            self.send_consignment(
                op.subcontract,
                p.product,
                p.order,
                false,
                part,
                1,
                p.due,
                op.transport,
            );
        } else {
            let next_week = ((self.cal.now() / WEEK).floor() + 1.0) * WEEK;
            self.cal.schedule_at(next_week, Event::SendOut(part));
        }
    }

    /// Part `part` is back from its subcontracted step: on to the next
    /// operation, or finished.
    fn part_back(&mut self, part: u32) {
        self.log("subcontract_back", NONE, NONE, part);
        let p = self.parts[part as usize];
        let next = self.ops[p.op as usize].end.next;
        if next == NONE && p.for_kit != NONE {
            self.good_per_product[p.product as usize] += 1;
            self.finished_quality(part);
            self.log("made_for_kit", NONE, NONE, part);
            self.component_done(part, p);
        } else if next == NONE {
            let now = self.cal.now();
            self.good += 1;
            self.good_per_product[p.product as usize] += 1;
            self.cycle.record(now - p.released_at);
            self.finished_quality(part);
            self.log("finish", NONE, NONE, part);
            self.retire_part(part);
            self.unit_done(p.product, p.order, 1);
            if self.wip_cap != u32::MAX {
                self.pump_gate();
            }
        } else {
            self.parts[part as usize].op = next;
            self.route(part);
        }
    }

    pub(super) fn on_delivery(&mut self, i: u32) {
        let k = self.consignments[i as usize];
        self.free_consignments.push(i);
        if k.part != NONE {
            self.part_back(k.part);
            return;
        }
        let now = self.cal.now();
        let cs = &mut self.contractors[k.contractor as usize];
        cs.received += u64::from(k.units);
        if k.due.is_finite() {
            cs.with_due += 1;
            if now <= k.due {
                cs.on_time += 1;
            }
        }
        self.log_order("delivery", k.order, k.product);
        if k.whole_order {
            self.deliver(k.order, k.units);
        } else {
            self.unit_done(k.product, k.order, k.units);
        }
    }

    /// Records an event of order `o` (or NONE) of product `p` in the trace.
    fn log_order(&mut self, event: &'static str, o: u32, p: u32) {
        if self.trace.is_some() {
            let serial = if o == NONE {
                u64::MAX
            } else {
                self.orders[o as usize].serial
            };
            self.record_order_trace(event, serial, p);
        }
    }

    /// Statistics restart at the end of the warm-up.
    pub(super) fn reset_order_statistics(&mut self, now: f64) {
        self.delivery = DeliveryStats {
            tardiness: std::mem::replace(&mut self.delivery.tardiness, Tally::new(0.001)),
            ..DeliveryStats::default()
        };
        self.delivery.tardiness.reset();
        self.backlog.reset(now);
        self.parts_outsourced = 0;
        for ps in &mut self.products {
            ps.released = 0;
            ps.scrapped = 0;
            ps.delivered = 0;
            ps.orders_completed = 0;
            ps.orders_on_time = 0;
            ps.lead_sum = 0.0;
            ps.late_unit_days = 0.0;
            ps.demanded = 0;
            ps.filled = 0;
            ps.lost = 0;
            ps.reworked_good = 0;
            ps.poor_quality_materials = 0.0;
            ps.poor_quality_labour = 0.0;
            ps.poor_quality_machines = 0.0;
            ps.rework_cost = 0.0;
            ps.rework_hours = 0.0;
            ps.defects_detected = 0;
            ps.defects_escaped = 0;
            ps.stock_avg.reset(now);
        }
        for cs in &mut self.contractors {
            cs.consignments = 0;
            cs.units = 0;
            cs.defective = 0;
            cs.with_due = 0;
            cs.on_time = 0;
            cs.spend = 0.0;
            cs.received = 0;
        }
    }

    pub(super) fn delivery_result(&self, now: f64) -> DeliveryResult {
        let d = &self.delivery;
        let n = d.completed as f64;
        let per = |x: f64| if d.completed == 0 { f64::NAN } else { x / n };
        let (demanded, filled) = self
            .products
            .iter()
            .fold((0, 0), |(a, b), p| (a + p.demanded, b + p.filled));
        DeliveryResult {
            orders_arrived: d.arrived,
            orders_completed: d.completed,
            orders_on_time: d.on_time,
            units_completed: d.units_completed,
            units_on_time: d.units_on_time,
            on_time_orders: ratio(d.on_time, d.completed),
            on_time_units: ratio(d.units_on_time, d.units_completed),
            lateness_mean_h: per(d.lateness_sum) / HOUR,
            tardiness_mean_h: d.tardiness.mean() / HOUR,
            tardiness_p90_h: d.tardiness.quantile(0.9) / HOUR,
            tardiness_max_h: d.tardiness.max() / HOUR,
            lead_time_mean_h: per(d.lead_sum) / HOUR,
            backlog_avg: self.backlog.average(now),
            backlog_end: self.backlog.level().max(0.0) as u64,
            fill_rate: ratio(filled, demanded),
            orders_lost: d.lost_orders,
            units_lost: d.lost_units,
            orders_outsourced: d.orders_outsourced,
            units_outsourced: d.units_outsourced,
        }
    }

    pub(super) fn product_results(&self, now: f64) -> Vec<ProductResult> {
        self.products
            .iter()
            .zip(&self.f.products)
            .enumerate()
            .map(|(i, (ps, def))| (i, ps, def, self.good_per_product[i] - ps.reworked_good))
            .map(|(i, ps, def, first_pass)| ProductResult {
                product: def.name.clone(),
                released: ps.released,
                good: self.good_per_product[i],
                scrapped: ps.scrapped,
                delivered: ps.delivered,
                orders_completed: ps.orders_completed,
                on_time_orders: ratio(ps.orders_on_time, ps.orders_completed),
                fill_rate: ratio(ps.filled, ps.demanded),
                loses: def.lose_on_shortage,
                units_lost: ps.lost,
                stock_avg: ps.stock_avg.average(now),
                revenue: ps.delivered as f64 * def.price,
                first_pass,
                first_pass_yield: ratio(first_pass, self.good_per_product[i] + ps.scrapped),
                final_yield: ratio(
                    self.good_per_product[i],
                    self.good_per_product[i] + ps.scrapped,
                ),
                defects_detected: ps.defects_detected,
                defects_escaped: ps.defects_escaped,
                poor_quality: ps.poor_quality_materials
                    + ps.poor_quality_labour
                    + ps.poor_quality_machines
                    + ps.rework_cost,
                rework_cost: ps.rework_cost,
                rework_hours: ps.rework_hours,
                lead_time_mean_h: if ps.orders_completed == 0 {
                    f64::NAN
                } else {
                    ps.lead_sum / ps.orders_completed as f64 / HOUR
                },
                late_penalty: ps.late_unit_days * def.late_penalty_rate(&self.f.policies),
                assembled: self.asm.assembled.get(i).copied().unwrap_or(0),
            })
            .collect()
    }

    pub(super) fn contractor_results(&self) -> Vec<ContractorResult> {
        self.contractors
            .iter()
            .zip(&self.f.contractors)
            .map(|(cs, def)| ContractorResult {
                contractor: def.name.clone(),
                consignments: cs.consignments,
                units: cs.units,
                defective: cs.defective,
                on_time: ratio(cs.on_time, cs.with_due),
                spend: cs.spend,
            })
            .collect()
    }

    /// The cost model. `busy_hours[s]`: the running cost of station `s`
    /// (machine-hours busy or in setup × cost per hour, by kind at a mixed
    /// station); `labour`: (regular, overtime) cost.
    pub(super) fn costs(
        &self,
        now: f64,
        hours: f64,
        busy_hours: &[f64],
        labour: (f64, f64),
        transport: f64,
        products: &[ProductResult],
    ) -> CostResult {
        let pol = &self.f.policies;
        // Sums from +0, so that an empty one is 0 rather than -0.
        let sum = |xs: &mut dyn Iterator<Item = f64>| xs.fold(0.0, |a, x| a + x);
        let materials = sum(&mut products
            .iter()
            .zip(&self.f.products)
            .map(|(r, p)| r.released as f64 * p.material_cost));
        let scrap_materials = sum(&mut products
            .iter()
            .zip(&self.f.products)
            .map(|(r, p)| r.scrapped as f64 * p.material_cost));
        let outsourcing = sum(&mut self.contractors.iter().map(|c| c.spend));
        // The running cost of each station (its busy hours × cost per hour,
        // by kind at a mixed station).
        let machine_running = sum(&mut busy_hours.iter().copied());
        let machine_fixed = sum(&mut self
            .f
            .stations
            .iter()
            .map(|s| f64::from(s.machines) * s.fixed_cost_per_week * hours / (WEEK / HOUR)));
        let maintenance = sum(
            &mut self.stations.iter().zip(&self.f.stations).map(|(st, s)| {
                s.maintenance
                    .as_ref()
                    .map_or(0.0, |pm| st.maintenance_jobs as f64 * pm.cost)
            }),
        );
        let automation_capital =
            sum(&mut self.f.stations.iter().map(|s| s.capital_per_hour * hours));
        let wip_holding = self.wip.average(now) * hours * pol.wip_holding_per_hour;
        let stock_units = sum(&mut self.products.iter().map(|p| p.stock_avg.average(now)));
        let stock_holding = stock_units * hours * pol.stock_holding_per_hour;
        // One rate for every product: the plant's units × days late at it
        // (as before products could have their own); else each product's.
        let late_penalty = if self
            .f
            .products
            .iter()
            .all(|p| p.late_penalty_per_unit_day.is_none())
        {
            self.delivery.late_unit_days * pol.late_penalty_per_unit_day
        } else {
            sum(&mut products.iter().map(|p| p.late_penalty))
        };
        let mut lost_sales = self.delivery.lost_units as f64 * pol.lost_sale_penalty;
        if self.f.materials.iter().any(|m| m.lose_on_shortage) {
            lost_sales += self.raw_lost_sales();
        }
        let (raw_materials, raw_holding) = self.raw_costs(now, hours);
        let total = labour.0
            + labour.1
            + materials
            + outsourcing
            + machine_running
            + machine_fixed
            + maintenance
            + automation_capital
            + wip_holding
            + stock_holding
            + late_penalty
            + lost_sales
            + raw_materials
            + raw_holding
            + transport;
        let revenue = sum(&mut products.iter().map(|p| p.revenue));
        let pq_materials = sum(&mut self.products.iter().map(|p| p.poor_quality_materials));
        let pq_labour = sum(&mut self.products.iter().map(|p| p.poor_quality_labour));
        let pq_machines = sum(&mut self.products.iter().map(|p| p.poor_quality_machines));
        let pq_rework = sum(&mut self.products.iter().map(|p| p.rework_cost));
        let received: u64 = self.contractors.iter().map(|c| c.received).sum();
        let good = self.good + received;
        CostResult {
            labour_regular: labour.0,
            labour_overtime: labour.1,
            materials,
            outsourcing,
            machine_running,
            machine_fixed,
            maintenance,
            transport,
            automation_capital,
            wip_holding,
            stock_holding,
            late_penalty,
            lost_sales,
            raw_materials,
            raw_holding,
            total,
            poor_quality: pq_materials + pq_labour + pq_machines + pq_rework,
            poor_quality_materials: pq_materials,
            poor_quality_labour: pq_labour,
            poor_quality_machines: pq_machines,
            poor_quality_rework: pq_rework,
            scrap_materials,
            revenue,
            profit: revenue - total,
            per_good_unit: if good > 0 {
                total / good as f64
            } else {
                f64::NAN
            },
        }
    }
}
