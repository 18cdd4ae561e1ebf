//! Raw materials, their stores and suppliers: the supply side of a
//! replication.
//!
//! An operation that lists materials takes them from their stores when it
//! starts. If any is short, the machine waits ("starved for material") in
//! one queue of waiting machines, served first come, first served: a
//! waiting machine's demand is a backorder of each material it needs, and
//! no later request may take stock an earlier one is waiting for.
//!
//! Each store follows its inventory policy on the inventory position
//! (stock + on order − backordered): continuous review (s, S) or (R, Q)
//! after every change, or periodic review every T. An order is split among
//! the material's suppliers (by share, or to the cheapest with stock), each
//! part raised to the supplier's minimum order. A supplier may hold a
//! finite stock, restocked periodically: it sells only what it has, and an
//! order takes its units from that stock when it is placed. A supplier delivers after its
//! lead time, later by an extra delay with probability 1 − on-time; each
//! unit is defective with its defect rate. Incoming inspection rejects the
//! defective units it detects (returned, unpaid); the others enter stock
//! in the lot, and a part built with one is scrapped more often at the
//! operation that used it — a cost traced back to the supplier.

use std::collections::VecDeque;

use super::{Event, NONE, Phase, Sim, ratio, store};
use crate::engine::{HOUR, Stream, TimeAverage};
use crate::model::factory::{InventoryPolicy, MAX_SUPPLIERS, Material, Supplier, SupplierRule};
use crate::model::results::{MaterialResult, SupplierResult};

/// Units in stock that arrived together (or the initial stock: supplier
/// NONE), used first in, first out.
#[derive(Clone, Copy, Debug)]
struct Lot {
    supplier: u32,
    units: u32,
    /// Of which defective (undetected).
    defective: u32,
}

/// A raw-material store during the run.
pub(super) struct Store {
    pub stock: u32,
    pub on_order: u64,
    /// Units requested by waiting machines.
    pub backlog: u64,
    /// The store loses the demand it cannot serve at once (see
    /// [`super::lost_sales`]), and the units it lost.
    pub lose: bool,
    pub lost: u64,
    lots: VecDeque<Lot>,
    stock_avg: TimeAverage,
    stock_min: u32,
    /// Demand is waiting that stock cannot cover (a stock-out), since.
    short: bool,
    short_since: f64,
    stockout_time: f64,
    pub stockouts: u64,
    pub demanded: u64,
    pub filled: u64,
    orders: u64,
    ordered: u64,
    received: u64,
    rejected: u64,
    consumed: u64,
    consumed_value: f64,
    stock_start: u64,
    on_order_start: u64,
    /// Scratch for the scan of waiting machines: stock not yet promised
    /// to an earlier one.
    avail: i64,
    inspection_stream: Stream,
    use_stream: Stream,
}

impl Store {
    pub fn new(m: &Material, seed: u64, rep: u64) -> Store {
        let mut stock_avg = TimeAverage::new(0.0);
        stock_avg.set(0.0, f64::from(m.initial_stock));
        let mut lots = VecDeque::with_capacity(8);
        if m.initial_stock > 0 {
            lots.push_back(Lot {
                supplier: NONE,
                units: m.initial_stock,
                defective: 0,
            });
        }
        Store {
            stock: m.initial_stock,
            on_order: 0,
            backlog: 0,
            lose: m.lose_on_shortage,
            lost: 0,
            lots,
            stock_avg,
            stock_min: m.initial_stock,
            short: false,
            short_since: 0.0,
            stockout_time: 0.0,
            stockouts: 0,
            demanded: 0,
            filled: 0,
            orders: 0,
            ordered: 0,
            received: 0,
            rejected: 0,
            consumed: 0,
            consumed_value: 0.0,
            stock_start: u64::from(m.initial_stock),
            on_order_start: 0,
            avail: 0,
            inspection_stream: Stream::new(seed, rep, &format!("inspection/{}", m.name)),
            use_stream: Stream::new(seed, rep, &format!("material_use/{}", m.name)),
        }
    }

    /// Stock + on order − backordered.
    fn position(&self) -> i64 {
        i64::from(self.stock) + self.on_order as i64 - self.backlog as i64
    }
}

/// A supplier during the run.
pub(super) struct SupplierState {
    /// Units given to it since the start (for the share rule; never reset).
    given: u64,
    /// Units on hand (u32::MAX: unlimited).
    stock: u32,
    orders: u64,
    ordered: u64,
    deliveries: u64,
    on_time: u64,
    defective: u64,
    rejected: u64,
    pub parts_scrapped: u64,
    pub downstream_cost: f64,
    spend: f64,
    lead_stream: Stream,
    late_stream: Stream,
    defect_stream: Stream,
}

impl SupplierState {
    pub fn new(s: &Supplier, seed: u64, rep: u64) -> SupplierState {
        SupplierState {
            given: 0,
            stock: s.stock.unwrap_or(u32::MAX),
            orders: 0,
            ordered: 0,
            deliveries: 0,
            on_time: 0,
            defective: 0,
            rejected: 0,
            parts_scrapped: 0,
            downstream_cost: 0.0,
            spend: 0.0,
            lead_stream: Stream::new(seed, rep, &format!("supplier_lead/{}", s.name)),
            late_stream: Stream::new(seed, rep, &format!("supplier_late/{}", s.name)),
            defect_stream: Stream::new(seed, rep, &format!("supplier_defects/{}", s.name)),
        }
    }
}

/// Units on their way from a supplier.
#[derive(Clone, Copy, Debug)]
pub(super) struct SupplyOrder {
    supplier: u32,
    units: u32,
    late: bool,
}

impl Sim<'_> {
    /// Every store looks at its position at time 0; periodic reviews and
    /// suppliers' restocks start.
    pub(super) fn start_supply(&mut self) {
        for (s, def) in self.f.suppliers.iter().enumerate() {
            if let Some(r) = def.restock
                && r.every < self.f.horizon
            {
                self.cal.schedule_at(r.every, Event::Restock(s as u32));
            }
        }
        for m in 0..self.f.materials.len() {
            match self.f.materials[m].policy {
                InventoryPolicy::Periodic { .. } => {
                    self.cal.schedule_at(0.0, Event::Review(m as u32));
                }
                _ => self.review(m as u32),
            }
        }
    }

    /// Continuous review of material `m`'s store: orders when the position
    /// is at or below the reorder point.
    fn review(&mut self, m: u32) {
        let pos = self.stores[m as usize].position();
        match self.f.materials[m as usize].policy {
            InventoryPolicy::MinMax { s, big_s } if pos <= s => {
                self.place_order(m, (big_s - pos) as u64);
            }
            InventoryPolicy::ReorderPoint { r, q } if pos <= r => {
                let q = i64::from(q);
                let n = (r + 1 - pos + q - 1) / q;
                self.place_order(m, (n * q) as u64);
            }
            _ => {}
        }
    }

    /// Periodic review of material `m`: order up to S, and the next review.
    pub(super) fn on_review(&mut self, m: u32) {
        let InventoryPolicy::Periodic { every, big_s } = self.f.materials[m as usize].policy else {
            return;
        };
        let pos = self.stores[m as usize].position();
        if pos < big_s {
            self.place_order(m, (big_s - pos) as u64);
        }
        let next = self.cal.now() + every;
        if next < self.f.horizon {
            self.cal.schedule_at(next, Event::Review(m));
        }
    }

    /// Orders `units` of material `m` from its suppliers.
    fn place_order(&mut self, m: u32, units: u64) {
        if units == 0 {
            return;
        }
        let f = self.f;
        let def = &f.materials[m as usize];
        let sups = &def.suppliers;
        match def.rule {
            SupplierRule::Cheapest => {
                // Validated: at most MAX_SUPPLIERS suppliers. By price, the
                // first listed first on a tie (a stable insertion sort).
                let n = sups.len().min(MAX_SUPPLIERS);
                let mut by_price = [0u32; MAX_SUPPLIERS];
                for (i, s) in sups.iter().enumerate().take(n) {
                    let s = s.0;
                    let mut j = i;
                    while j > 0
                        && f.suppliers[by_price[j - 1] as usize].price
                            > f.suppliers[s as usize].price
                    {
                        by_price[j] = by_price[j - 1];
                        j -= 1;
                    }
                    by_price[j] = s;
                }
                // The cheapest whose stock covers the whole order …
                if let Some(&s) = by_price[..n]
                    .iter()
                    .find(|&&s| self.can_sell(s, units) >= units)
                {
                    self.order_from(m, s, units);
                    return;
                }
                // … else each, cheapest first, sells what it has; units
                // nobody has are not ordered (the position stays low, and
                // the next review orders again).
                let mut left = units;
                for &s in &by_price[..n] {
                    if left == 0 {
                        break;
                    }
                    let k = self.can_sell(s, left);
                    if k > 0 {
                        self.order_from(m, s, k);
                        left -= k;
                    }
                }
            }
            SupplierRule::Share if sups.len() == 1 => self.order_from(m, sups[0].0, units),
            SupplierRule::Share => {
                // Each supplier's target is its share of all units given so
                // far and now; whole units go by the largest shortfall.
                let total: u64 = sups
                    .iter()
                    .map(|s| self.suppliers[s.0 as usize].given)
                    .sum::<u64>()
                    + units;
                let mut left = units;
                // Validated: at most MAX_SUPPLIERS suppliers.
                let mut give = [0u64; MAX_SUPPLIERS];
                let n = sups.len().min(MAX_SUPPLIERS);
                let short = |i: usize, given: &[u64; MAX_SUPPLIERS], this: &Sim<'_>| {
                    let s = sups[i].0 as usize;
                    this.f.suppliers[s].share * total as f64
                        - this.suppliers[s].given as f64
                        - given[i] as f64
                };
                for i in 0..n {
                    let want = short(i, &give, self).floor().max(0.0) as u64;
                    give[i] = want.min(left);
                    left -= give[i];
                }
                while left > 0 {
                    let mut best = 0;
                    for i in 1..n {
                        if short(i, &give, self) > short(best, &give, self) {
                            best = i;
                        }
                    }
                    give[best] += 1;
                    left -= 1;
                }
                for (i, g) in give.iter().enumerate().take(n) {
                    // A supplier with too little stock sells what it has;
                    // the rest of its share is not ordered.
                    let g = self.can_sell(sups[i].0, *g);
                    if g > 0 {
                        self.order_from(m, sups[i].0, g);
                    }
                }
            }
        }
    }

    /// How many of `units` supplier `s` can sell now (all of them without
    /// a finite stock): an order raised to its minimum must fit in its
    /// stock.
    fn can_sell(&self, s: u32, units: u64) -> u64 {
        let stock = self.suppliers[s as usize].stock;
        if stock == u32::MAX || units == 0 {
            return units;
        }
        let min = self.f.suppliers[s as usize].min_order;
        if stock < min {
            0
        } else {
            units.min(u64::from(stock))
        }
    }

    /// Orders `units` of material `m` from supplier `s` (raised to its
    /// minimum order), from its stock if it has a finite one.
    fn order_from(&mut self, m: u32, s: u32, units: u64) {
        let f = self.f;
        let def = &f.suppliers[s as usize];
        let units = units.max(u64::from(def.min_order)).min(u64::from(u32::MAX)) as u32;
        let ss = &mut self.suppliers[s as usize];
        if ss.stock != u32::MAX {
            ss.stock -= units;
        }
        let mut lead = def.lead_time.sample(&mut ss.lead_stream);
        let mut late = false;
        if def.on_time < 1.0 && ss.late_stream.uniform() >= def.on_time {
            late = true;
            if let Some(extra) = &def.late_by {
                lead += extra.sample(&mut ss.late_stream);
            }
        }
        ss.given += u64::from(units);
        ss.orders += 1;
        ss.ordered += u64::from(units);
        let st = &mut self.stores[m as usize];
        st.on_order += u64::from(units);
        st.orders += 1;
        st.ordered += u64::from(units);
        let order = SupplyOrder {
            supplier: s,
            units,
            late,
        };
        let i = store(&mut self.supply_orders, &mut self.free_supply_orders, order);
        self.cal
            .schedule_in(lead.max(0.0), Event::SupplyDelivery(i));
    }

    /// Supplier `s` restocks (never above its stock limit); a store under
    /// continuous review that could not order what it needed looks again.
    pub(super) fn on_restock(&mut self, s: u32) {
        let f = self.f;
        let def = &f.suppliers[s as usize];
        let (Some(cap), Some(r)) = (def.stock, def.restock) else {
            return;
        };
        let ss = &mut self.suppliers[s as usize];
        ss.stock = ss.stock.saturating_add(r.quantity).min(cap);
        let next = self.cal.now() + r.every;
        if next < f.horizon {
            self.cal.schedule_at(next, Event::Restock(s));
        }
        let m = def.material.0;
        if !matches!(
            f.materials[m as usize].policy,
            InventoryPolicy::Periodic { .. }
        ) {
            self.review(m);
        }
    }

    /// A supplier's delivery arrives: inspection, stock, waiting machines.
    pub(super) fn on_supply_delivery(&mut self, i: u32) {
        let now = self.cal.now();
        let o = self.supply_orders[i as usize];
        self.free_supply_orders.push(i);
        let s = o.supplier as usize;
        let f = self.f;
        let def = &f.suppliers[s];
        let m = def.material.0;
        let mat = &f.materials[m as usize];
        let ss = &mut self.suppliers[s];
        let mut defective = 0u32;
        if def.defect_rate > 0.0 {
            for _ in 0..o.units {
                if ss.defect_stream.uniform() < def.defect_rate {
                    defective += 1;
                }
            }
        }
        let st = &mut self.stores[m as usize];
        let mut caught = 0u32;
        if mat.inspection > 0.0 {
            for _ in 0..defective {
                if st.inspection_stream.uniform() < mat.inspection {
                    caught += 1;
                }
            }
        }
        let accepted = o.units - caught;
        ss.deliveries += 1;
        ss.on_time += u64::from(!o.late);
        ss.defective += u64::from(defective);
        ss.rejected += u64::from(caught);
        ss.spend += f64::from(accepted) * def.price;
        st.on_order -= u64::from(o.units);
        st.received += u64::from(accepted);
        st.rejected += u64::from(caught);
        if accepted > 0 {
            st.lots.push_back(Lot {
                supplier: o.supplier,
                units: accepted,
                defective: defective - caught,
            });
            st.stock += accepted;
            st.stock_avg.add(now, f64::from(accepted));
        }
        self.mark_short(m);
        if self.trace.is_some() {
            self.record_order_trace("material_delivery", u64::MAX, NONE);
        }
        if caught > 0 {
            self.review(m);
        }
        if !self.material_queue.is_empty() {
            self.serve_material_queue();
        }
    }

    /// Machine `m` starts an operation that needs materials: takes them if
    /// every one is in stock beyond what earlier requests wait for;
    /// otherwise the machine waits for them. Returns whether it may go on.
    #[inline(never)]
    pub(super) fn take_materials(&mut self, m: u32) -> bool {
        let part = self.machines[m as usize].part;
        let op = self.op(self.parts[part as usize].op);
        let mut all = true;
        for &(mat, q) in op.materials {
            let st = &mut self.stores[mat.0 as usize];
            st.demanded += u64::from(q);
            // A store that loses what it cannot serve never holds the
            // operation up.
            if !st.lose && u64::from(st.stock) < st.backlog + u64::from(q) {
                all = false;
            }
        }
        if all {
            for &(mat, q) in op.materials {
                if self.stores[mat.0 as usize].lose {
                    self.take_or_lose(m, mat.0, q);
                } else {
                    self.stores[mat.0 as usize].filled += u64::from(q);
                    self.consume(m, mat.0, q);
                }
            }
            return true;
        }
        for &(mat, q) in op.materials {
            if self.stores[mat.0 as usize].lose {
                continue;
            }
            self.stores[mat.0 as usize].backlog += u64::from(q);
            self.mark_short(mat.0);
            self.review(mat.0);
        }
        let mach = &mut self.machines[m as usize];
        mach.phase = Phase::AwaitMaterial;
        let s = mach.station;
        self.material_queue.push_back(m);
        self.set_state(m);
        self.log("wait_for_material", s, m, part);
        false
    }

    /// Serves waiting machines, first come first served: a machine whose
    /// materials are all available takes them and starts; one that cannot
    /// (or is down) keeps what it waits for from those behind it.
    fn serve_material_queue(&mut self) {
        for st in &mut self.stores {
            st.avail = i64::from(st.stock);
        }
        let mut i = 0;
        while i < self.material_queue.len() {
            let m = self.material_queue[i];
            let part = self.machines[m as usize].part;
            let op = self.op(self.parts[part as usize].op);
            let ok = !self.machines[m as usize].down
                && op.materials.iter().all(|&(mat, q)| {
                    let st = &self.stores[mat.0 as usize];
                    st.lose || st.avail >= i64::from(q)
                });
            for &(mat, q) in op.materials {
                self.stores[mat.0 as usize].avail -= i64::from(q);
            }
            if !ok {
                i += 1;
                continue;
            }
            self.material_queue.remove(i);
            for &(mat, q) in op.materials {
                if self.stores[mat.0 as usize].lose {
                    // Served (and lost) when the operation can go on.
                    self.take_or_lose(m, mat.0, q);
                    continue;
                }
                self.stores[mat.0 as usize].backlog -= u64::from(q);
                self.consume(m, mat.0, q);
            }
            self.start_operation(m);
        }
    }

    /// Machine `m` (waiting for material, just repaired) looks again.
    pub(super) fn material_repaired(&mut self) {
        self.serve_material_queue();
    }

    /// Takes `q` units of material `mat` from stock (oldest lot first) for
    /// the part on machine `m`; a defective unit marks the part.
    pub(super) fn consume(&mut self, m: u32, mat: u32, q: u32) {
        let now = self.cal.now();
        let f = self.f;
        let unit_cost = f.materials[mat as usize].unit_cost;
        let st = &mut self.stores[mat as usize];
        let mut left = q;
        let mut value = 0.0;
        let mut defect = NONE;
        while left > 0 {
            let lot = st.lots.front_mut().expect("stock covers the request");
            let k = left.min(lot.units);
            if lot.defective > 0 {
                for _ in 0..k {
                    if st.use_stream.uniform() * f64::from(lot.units) < f64::from(lot.defective) {
                        lot.defective -= 1;
                        defect = lot.supplier;
                    }
                    lot.units -= 1;
                }
            } else {
                lot.units -= k;
            }
            value += f64::from(k)
                * if lot.supplier == NONE {
                    unit_cost
                } else {
                    f.suppliers[lot.supplier as usize].price
                };
            if lot.units == 0 {
                st.lots.pop_front();
            }
            left -= k;
        }
        st.stock -= q;
        st.stock_min = st.stock_min.min(st.stock);
        st.stock_avg.add(now, -f64::from(q));
        st.consumed += u64::from(q);
        st.consumed_value += value;
        if defect != NONE {
            self.machines[m as usize].defect = defect;
        }
        self.mark_short(mat);
        self.review(mat);
    }

    /// Updates material `mat`'s stock-out state: demand waiting beyond
    /// stock.
    fn mark_short(&mut self, mat: u32) {
        let now = self.cal.now();
        let st = &mut self.stores[mat as usize];
        let short = st.backlog > u64::from(st.stock);
        if short && !st.short {
            st.stockouts += 1;
            st.short_since = now;
        } else if !short && st.short {
            st.stockout_time += now - st.short_since;
        }
        st.short = short;
    }

    /// Extra scrap probability of the part on machine `m`, built with a
    /// defective unit from supplier `s`.
    #[inline(never)]
    pub(super) fn defect_scrap(&self, s: u32) -> f64 {
        let mat = self.f.suppliers[s as usize].material.0;
        self.f.materials[mat as usize].defect_scrap
    }

    /// A part built with supplier `s`'s defective unit was scrapped at
    /// operation `op`.
    #[inline(never)]
    pub(super) fn defect_scrapped(&mut self, s: u32, op: u32) {
        let ss = &mut self.suppliers[s as usize];
        ss.parts_scrapped += 1;
        ss.downstream_cost += self.ops[op as usize].raw_sunk;
    }

    /// Statistics restart at the end of the warm-up.
    pub(super) fn reset_supply_statistics(&mut self, now: f64) {
        for st in &mut self.stores {
            st.stock_avg.reset(now);
            st.stock_min = st.stock;
            st.stockouts = u64::from(st.short);
            st.short_since = now;
            st.stockout_time = 0.0;
            st.demanded = 0;
            st.filled = 0;
            st.lost = 0;
            st.orders = 0;
            st.ordered = 0;
            st.received = 0;
            st.rejected = 0;
            st.consumed = 0;
            st.consumed_value = 0.0;
            st.stock_start = u64::from(st.stock);
            st.on_order_start = st.on_order;
        }
        for ss in &mut self.suppliers {
            ss.orders = 0;
            ss.ordered = 0;
            ss.deliveries = 0;
            ss.on_time = 0;
            ss.defective = 0;
            ss.rejected = 0;
            ss.parts_scrapped = 0;
            ss.downstream_cost = 0.0;
            ss.spend = 0.0;
        }
    }

    /// (raw materials consumed, raw-material holding) over the observed
    /// period.
    pub(super) fn raw_costs(&self, now: f64, hours: f64) -> (f64, f64) {
        self.stores
            .iter()
            .zip(&self.f.materials)
            .fold((0.0, 0.0), |(a, b), (st, def)| {
                (
                    a + st.consumed_value,
                    b + st.stock_avg.average(now) * hours * def.holding_per_hour,
                )
            })
    }

    pub(super) fn material_results(&self, now: f64, hours: f64) -> Vec<MaterialResult> {
        self.stores
            .iter()
            .zip(&self.f.materials)
            .map(|(st, def)| {
                let open = if st.short { now - st.short_since } else { 0.0 };
                let stock_avg = st.stock_avg.average(now);
                MaterialResult {
                    loses: st.lose,
                    lost: st.lost,
                    lost_cost: st.lost as f64 * def.lost_sale_cost,
                    material: def.name.clone(),
                    demanded: st.demanded,
                    filled: st.filled,
                    fill_rate: ratio(st.filled, st.demanded),
                    stockouts: st.stockouts,
                    stockout_hours: (st.stockout_time + open) / HOUR,
                    stock_avg,
                    stock_min: u64::from(st.stock_min),
                    orders: st.orders,
                    ordered: st.ordered,
                    received: st.received,
                    rejected: st.rejected,
                    consumed: st.consumed,
                    stock_start: st.stock_start,
                    on_order_start: st.on_order_start,
                    stock_end: u64::from(st.stock),
                    on_order_end: st.on_order,
                    holding_cost: stock_avg * hours * def.holding_per_hour,
                    consumed_value: st.consumed_value,
                }
            })
            .collect()
    }

    pub(super) fn supplier_results(&self) -> Vec<SupplierResult> {
        self.suppliers
            .iter()
            .zip(&self.f.suppliers)
            .map(|(ss, def)| SupplierResult {
                supplier: def.name.clone(),
                material: self.f.materials[def.material.0 as usize].name.clone(),
                orders: ss.orders,
                ordered: ss.ordered,
                deliveries: ss.deliveries,
                on_time: ratio(ss.on_time, ss.deliveries),
                defective: ss.defective,
                rejected: ss.rejected,
                parts_scrapped: ss.parts_scrapped,
                downstream_cost: ss.downstream_cost,
                spend: ss.spend,
            })
            .collect()
    }
}
