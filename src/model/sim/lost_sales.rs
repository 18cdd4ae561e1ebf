//! Lost sales: stores that lose the demand they cannot serve at once
//! instead of backordering it.
//!
//! - A raw-material store with `on_shortage = "lose"` gives an operation
//!   what it has of the units asked for; the rest are lost to the store
//!   (counted, and charged the material's `lost_sale_cost` each, in the
//!   `lost_sales` cost line): the operation is not held up — the missing
//!   units are made good outside the store. Lost units are never
//!   backordered, so the inventory position is stock + on order (the
//!   lost-sales inventory model).
//! - A make-to-stock product with `on_shortage = "lose"` fills what it can
//!   of an order from stock; the rest of the order is lost at once, as if
//!   its customer's patience were zero: the order's lost units count in
//!   `units_lost` and cost `[costs] lost_sale_penalty` each, and nothing is
//!   made for them.
//!
//! Either way every unit demanded is filled at once or lost:
//! fill rate + lost share = 1.

use super::*;

impl<'f> Sim<'f> {
    /// The operation on machine `m` takes `q` units of material `mat` from
    /// a losing store: what is in stock, the rest lost.
    pub(super) fn take_or_lose(&mut self, m: u32, mat: u32, q: u32) {
        let st = &mut self.stores[mat as usize];
        let take = q.min(st.stock);
        let lost = q - take;
        st.filled += u64::from(take);
        if lost > 0 {
            st.lost += u64::from(lost);
            st.stockouts += 1;
            let (s, part) = {
                let mach = &self.machines[m as usize];
                (mach.station, mach.part)
            };
            self.log("material_lost", s, m, part);
        }
        if take > 0 {
            self.consume(m, mat, take);
        }
    }

    /// Make-to-stock order `o` found too little stock and its product loses
    /// what it cannot fill: its open units are lost now.
    pub(super) fn lose_unfilled(&mut self, o: u32) {
        let order = self.orders[o as usize];
        self.products[order.product as usize].lost += u64::from(order.open);
        self.lose_order(o);
    }

    /// The lost-sale cost of the raw materials lost by their stores (0
    /// without losing stores).
    pub(super) fn raw_lost_sales(&self) -> f64 {
        self.stores
            .iter()
            .zip(&self.f.materials)
            .filter(|(st, _)| st.lose)
            .fold(0.0, |a, (st, def)| a + st.lost as f64 * def.lost_sale_cost)
    }
}
