//! Validation of the supply side of a scenario: raw materials, their
//! inventory policies and suppliers, and the materials operations take.

use indexmap::IndexMap;
use toml::Spanned;

use super::raw::*;
use super::validate::Validator;
use crate::model::{
    InventoryPolicy, MAX_SUPPLIERS, Material, MaterialId, Restock, Supplier, SupplierId,
    SupplierRule,
};

/// A material's suppliers' shares as written, with where each is written.
type Shares = Vec<(Option<f64>, Option<std::ops::Range<usize>>)>;

impl Validator<'_> {
    /// A whole quantity of at least `min` (for stock levels and order
    /// sizes), with a hint on negatives.
    fn units(&mut self, x: &Spanned<i64>, field: &str, min: i64) -> Option<i64> {
        let v = *x.get_ref();
        if v < min {
            self.err_hint(
                x.span(),
                field,
                format!("must be at least {min}, got {v}"),
                "quantities of material are whole units, never negative",
            );
            None
        } else if v > i64::from(u32::MAX) {
            self.err(x.span(), field, format!("{v} is too large"));
            None
        } else {
            Some(v)
        }
    }

    /// `[materials.NAME]` and `[suppliers.NAME]`.
    pub(super) fn supply(&mut self, raw: &RawScenario) -> (Vec<Material>, Vec<Supplier>) {
        let names: Vec<&str> = raw.materials.keys().map(String::as_str).collect();
        let mut suppliers = Vec::new();
        // Per material: its suppliers and (share, span of the share).
        let mut of: Vec<Vec<SupplierId>> = vec![Vec::new(); names.len()];
        let mut shares: Vec<Shares> = vec![Vec::new(); names.len()];
        for (sname, s) in &raw.suppliers {
            let field = |k: &str| format!("suppliers.{sname}.{k}");
            let r = s.get_ref();
            let material = self.lookup(
                &r.material,
                &names,
                &field("material"),
                "material",
                "define it as a table like [materials.NAME] with policy = …",
            );
            let lead_time = self.dist(&r.lead_time, &field("lead_time"));
            let price = self.money(&r.price, &field("price"));
            let min_order = match &r.min_order {
                Some(n) => self.units(n, &field("min_order"), 1).map(|n| n as u32),
                None => Some(1),
            };
            let on_time = match &r.on_time {
                None => 1.0,
                Some(_) => self.probability(&r.on_time, &field("on_time")),
            };
            let late_by = r
                .late_by
                .as_ref()
                .and_then(|d| self.dist(d, &field("late_by")));
            if on_time < 1.0 && r.late_by.is_none() {
                self.err_hint(
                    r.on_time.as_ref().map_or(s.span(), |x| x.span()),
                    &field("on_time"),
                    "deliveries may be late, but by how much is not said",
                    "add late_by = { dist = \"exponential\", mean = \"2d\" } (the extra delay of a late delivery)",
                );
            }
            let defect_rate = self.probability(&r.defect_rate, &field("defect_rate"));
            let share = r.share.as_ref().map(|x| {
                let v = *x.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    self.err_hint(
                        x.span(),
                        &field("share"),
                        format!("a share must lie between 0 and 1, got {v}"),
                        "the shares of one material's suppliers sum to 1",
                    );
                }
                v
            });
            let stock = r
                .stock
                .as_ref()
                .and_then(|n| self.units(n, &field("stock"), 0))
                .map(|n| n as u32);
            let restock = r.restock.as_ref().and_then(|x| {
                let rs = x.get_ref();
                if r.stock.is_none() {
                    self.err_hint(
                        x.span(),
                        &field("restock"),
                        "a restock needs the supplier's stock",
                        "add stock = N (units on hand at the start, and the most it holds)",
                    );
                }
                let quantity = self.units(&rs.quantity, &field("restock.quantity"), 1);
                let every = self.positive_duration(&rs.every, &field("restock.every"));
                Some(Restock {
                    quantity: quantity? as u32,
                    every: every?,
                })
            });
            let id = SupplierId(suppliers.len() as u32);
            if let (Some(m), Some(lead_time), Some(min_order)) = (material, lead_time, min_order) {
                of[m].push(id);
                shares[m].push((share, r.share.as_ref().map(|x| x.span())));
                suppliers.push(Supplier {
                    name: sname.clone(),
                    material: MaterialId(m as u32),
                    lead_time,
                    price,
                    min_order,
                    on_time,
                    late_by,
                    defect_rate,
                    share: share.unwrap_or(0.0),
                    stock,
                    restock,
                });
            }
        }
        let mut materials = Vec::new();
        for (mi, (mname, m)) in raw.materials.iter().enumerate() {
            let field = |k: &str| format!("materials.{mname}.{k}");
            let r = m.get_ref();
            let initial_stock = match &r.initial_stock {
                Some(n) => self.units(n, &field("initial_stock"), 0).unwrap_or(0) as u32,
                None => 0,
            };
            let rule = self.keyword(
                &r.order_split,
                &field("order_split"),
                "order split",
                &[
                    ("share", SupplierRule::Share),
                    ("cheapest", SupplierRule::Cheapest),
                ],
                SupplierRule::Share,
            );
            let policy = self.policy(r, &field);
            if of[mi].len() > MAX_SUPPLIERS {
                self.err_hint(
                    m.span(),
                    &format!("materials.{mname}"),
                    format!(
                        "material \"{mname}\" has {} suppliers; shopfloor splits orders among at most {MAX_SUPPLIERS}",
                        of[mi].len()
                    ),
                    "merge suppliers with the same terms, or leave out those with no share",
                );
            }
            if of[mi].is_empty() {
                self.err_hint(
                    m.span(),
                    &format!("materials.{mname}"),
                    format!("no supplier provides material \"{mname}\""),
                    format!(
                        "add a table like [suppliers.NAME] with material = \"{mname}\" and a lead_time"
                    ),
                );
            }
            // Shares: one supplier needs none; several, under the share
            // rule, need shares that sum to 1.
            let mut sh = shares[mi].clone();
            if sh.len() == 1 && sh[0].0.is_none() {
                suppliers
                    .iter_mut()
                    .filter(|s| s.material.0 as usize == mi)
                    .for_each(|s| s.share = 1.0);
                sh[0].0 = Some(1.0);
            }
            if rule == SupplierRule::Share && !sh.is_empty() {
                if sh.iter().any(|(x, _)| x.is_none()) {
                    self.err_hint(
                        m.span(),
                        &format!("materials.{mname}"),
                        format!(
                            "material \"{mname}\" has {} suppliers, but not all give a `share`",
                            sh.len()
                        ),
                        "give each supplier a share (summing to 1), or set order_split = \"cheapest\"",
                    );
                } else {
                    let sum: f64 = sh.iter().map(|(x, _)| x.unwrap_or(0.0)).sum();
                    if (sum - 1.0).abs() > 1e-9 {
                        let span = sh
                            .iter()
                            .rev()
                            .find_map(|(_, s)| s.clone())
                            .unwrap_or(m.span());
                        let names: Vec<String> = suppliers
                            .iter()
                            .filter(|s| s.material.0 as usize == mi)
                            .map(|s| format!("{} = {}", s.name, s.share))
                            .collect();
                        self.err_hint(
                            span,
                            &format!(
                                "suppliers.{}.share",
                                suppliers
                                    .iter()
                                    .rfind(|s| s.material.0 as usize == mi)
                                    .map_or("", |s| s.name.as_str())
                            ),
                            format!(
                                "the shares of material \"{mname}\"'s suppliers sum to {sum}, not 1"
                            ),
                            format!("shares now: {}", names.join(", ")),
                        );
                    }
                }
            }
            let inspection = self.probability(&r.inspection, &field("inspection"));
            let defect_scrap = match &r.defect_scrap {
                Some(_) => self.probability(&r.defect_scrap, &field("defect_scrap")),
                None => 1.0,
            };
            let (lose_on_shortage, lost_sale_cost) = self.shortage(r, mname);
            if let Some(policy) = policy {
                materials.push(Material {
                    name: mname.clone(),
                    unit_cost: self.money(&r.unit_cost, &field("unit_cost")),
                    holding_per_hour: self.money(&r.holding_per_hour, &field("holding_per_hour")),
                    initial_stock,
                    policy,
                    suppliers: of[mi].clone(),
                    rule,
                    inspection,
                    defect_scrap,
                    lose_on_shortage,
                    lost_sale_cost,
                });
            }
        }
        (materials, suppliers)
    }

    /// A material's `on_shortage` and `lost_sale_cost`.
    fn shortage(&mut self, r: &RawMaterial, mname: &str) -> (bool, f64) {
        let lose = self.keyword(
            &r.on_shortage,
            &format!("materials.{mname}.on_shortage"),
            "shortage rule",
            &[("backorder", false), ("lose", true)],
            false,
        );
        let field = format!("materials.{mname}.lost_sale_cost");
        let cost = self.money(&r.lost_sale_cost, &field);
        if let (Some(c), false) = (&r.lost_sale_cost, lose) {
            self.err_hint(
                c.span(),
                &field,
                "`lost_sale_cost` applies to a store that loses the demand it cannot serve",
                "add on_shortage = \"lose\", or remove lost_sale_cost (a backordering store loses nothing)",
            );
        }
        (lose, cost)
    }

    /// A material's inventory policy and the fields it takes.
    fn policy(
        &mut self,
        r: &RawMaterial,
        field: &dyn Fn(&str) -> String,
    ) -> Option<InventoryPolicy> {
        let kind = self.keyword(
            &Some(r.policy.clone()),
            &field("policy"),
            "inventory policy",
            &[("min_max", 0), ("reorder_point", 1), ("periodic", 2)],
            3,
        );
        let takes: &[&str] = match kind {
            0 => &["reorder_point", "order_up_to"],
            1 => &["reorder_point", "order_quantity"],
            2 => &["review_every", "order_up_to"],
            _ => return None,
        };
        let given = [
            ("reorder_point", r.reorder_point.as_ref().map(|x| x.span())),
            ("order_up_to", r.order_up_to.as_ref().map(|x| x.span())),
            (
                "order_quantity",
                r.order_quantity.as_ref().map(|x| x.span()),
            ),
            ("review_every", r.review_every.as_ref().map(|x| x.span())),
        ];
        let mut ok = true;
        for (k, span) in given {
            let wanted = takes.contains(&k);
            match span {
                Some(span) if !wanted => {
                    self.err_hint(
                        span,
                        &field(k),
                        format!("policy \"{}\" does not take `{k}`", r.policy.get_ref()),
                        format!("it takes `{}` and `{}`", takes[0], takes[1]),
                    );
                    ok = false;
                }
                None if wanted => {
                    self.err_hint(
                        r.policy.span(),
                        &field(k),
                        format!("policy \"{}\" needs `{k}`", r.policy.get_ref()),
                        format!("give `{}` and `{}`", takes[0], takes[1]),
                    );
                    ok = false;
                }
                _ => {}
            }
        }
        if !ok {
            return None;
        }
        let need = |v: &mut Self, x: &Option<Spanned<i64>>, k: &str, min: i64| {
            x.as_ref().and_then(|x| v.units(x, &field(k), min))
        };
        match kind {
            0 => {
                let s = need(self, &r.reorder_point, "reorder_point", 0)?;
                let big_s = need(self, &r.order_up_to, "order_up_to", 1)?;
                if big_s <= s {
                    let span = r.order_up_to.as_ref().map(|x| x.span()).unwrap_or(0..0);
                    self.err_hint(
                        span,
                        &field("order_up_to"),
                        format!(
                            "the order-up-to level ({big_s}) must be above the reorder point ({s})"
                        ),
                        "a base-stock policy of level S is reorder_point = S − 1, order_up_to = S",
                    );
                    return None;
                }
                Some(InventoryPolicy::MinMax { s, big_s })
            }
            1 => {
                let r_ = need(self, &r.reorder_point, "reorder_point", 0)?;
                let q = need(self, &r.order_quantity, "order_quantity", 1)?;
                Some(InventoryPolicy::ReorderPoint { r: r_, q: q as u32 })
            }
            _ => {
                let every = r
                    .review_every
                    .as_ref()
                    .and_then(|d| self.positive_duration(d, &field("review_every")));
                let big_s = need(self, &r.order_up_to, "order_up_to", 1);
                Some(InventoryPolicy::Periodic {
                    every: every?,
                    big_s: big_s?,
                })
            }
        }
    }

    /// An operation's `materials = { NAME = QUANTITY }`.
    pub(super) fn op_materials(
        &mut self,
        list: &Spanned<IndexMap<String, Spanned<i64>>>,
        names: &[&str],
        field: &str,
    ) -> Vec<(MaterialId, u32)> {
        let mut out = Vec::new();
        for (name, q) in list.get_ref() {
            let f = format!("{field}.{name}");
            let at = Spanned::new(q.span(), name.clone());
            let m = self.lookup(
                &at,
                names,
                &f,
                "material",
                "define it as a table like [materials.NAME] with policy = …",
            );
            let q = self.units(q, &f, 1);
            if let (Some(m), Some(q)) = (m, q) {
                out.push((MaterialId(m as u32), q as u32));
            }
        }
        out
    }
}
