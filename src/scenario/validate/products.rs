//! `[products.NAME]`: release, routing (see [`super::routing`]), orders,
//! stock, patience, outsourcing, price, priority and late penalty.

use super::routing::routing;
use super::{Names, Validator, at_most};
use crate::model::{Contractor, Product, Release, WorkerPool};
use crate::scenario::limits::MAX_BATCH;
use crate::scenario::raw::*;

/// Validates every `[products.NAME]`.
pub(super) fn products(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
    pools: &[WorkerPool],
    contractors: &[Contractor],
) -> Vec<Product> {
    let mut products = Vec::new();
    if raw.products.is_empty() {
        v.err_hint(
            raw.simulation.span(),
            "products",
            "the scenario has no products",
            "add a table like [products.widget] with a release and a routing",
        );
    }
    for (pi, (pname, p)) in raw.products.iter().enumerate() {
        let field = |k: &str| format!("products.{pname}.{k}");
        let p = p.get_ref();
        let release = match p.release.as_ref().map(|r| (r, r.get_ref())) {
            None => Some(Release::Orders),
            Some((_, RawRelease::Keyword(k))) if k == "saturated" => Some(Release::Saturated),
            Some((_, RawRelease::Keyword(k))) if k == "orders" => Some(Release::Orders),
            Some((_, RawRelease::Keyword(k))) if k == "with_parent" => Some(Release::WithParent),
            Some((r, RawRelease::Keyword(k))) => {
                v.err_hint(
                    r.span(),
                    &field("release"),
                    format!("unknown release \"{k}\""),
                    "use \"orders\" (the default), \"saturated\", \"with_parent\" (a sub-assembly) or a table like { interarrival = { dist = \"exponential\", mean = \"5m\" } }",
                );
                None
            }
            Some((_, RawRelease::Arrivals(a))) => {
                let ia = v.dist(&a.interarrival, &field("release.interarrival"));
                if let Some(d) = &ia
                    && d.mean() <= 0.0
                {
                    v.err(
                        a.interarrival.span(),
                        &field("release.interarrival"),
                        "the mean time between releases must be longer than zero",
                    );
                }
                let batch = match &a.batch {
                    Some(b) => at_most(
                        v,
                        b,
                        &field("release.batch"),
                        1,
                        MAX_BATCH,
                        "parts per arrival",
                    ),
                    None => Some(1),
                };
                match (ia, batch) {
                    (Some(interarrival), Some(batch)) => Some(Release::Arrivals {
                        interarrival,
                        batch,
                    }),
                    _ => None,
                }
            }
        };
        let ops = p.routing.get_ref();
        if ops.is_empty() {
            v.err_hint(
                p.routing.span(),
                &field("routing"),
                "the routing is empty",
                "list at least one operation, e.g. routing = [{ station = \"cut\", process = \"5m\" }]",
            );
        }
        let (routing, ok) = routing(v, names, pools, contractors, pname, pi, ops);
        // A saturated source refills the first machine the moment it frees
        // up: if that can take no time, the run would never leave time 0.
        if let (Some(Release::Saturated), Some(first), Some(op)) =
            (&release, routing.first(), ops.first())
            && first.subcontract.is_some()
        {
            v.err_hint(
                op.span(),
                &format!("products.{pname}.routing[0]"),
                "a saturated product starts at a station of the plant, not at a contractor",
                "put a station first, or release the product by orders or arrivals",
            );
        } else if let (Some(Release::Saturated), Some(first), Some(op)) =
            (&release, routing.first(), ops.first())
            && first.process.mean() <= 0.0
        {
            v.err_hint(
                op.get_ref().process.as_ref().map_or(op.span(), |x| x.span()),
                &format!("products.{pname}.routing[0].process"),
                "a saturated product's first operation must take time, or parts would be made endlessly at one instant",
                "give it a process time above zero",
            );
        }
        let orders = p
            .orders
            .as_ref()
            .and_then(|o| v.order_process(o, &field("orders")));
        let stock_target = p
            .stock
            .as_ref()
            .and_then(|s| v.count(s, &field("stock"), 0));
        let patience = p
            .patience
            .as_ref()
            .and_then(|d| v.positive_duration(d, &field("patience")));
        let outsource = p
            .outsource
            .as_ref()
            .and_then(|o| v.outsourcing(o, &field("outsource"), contractors, pi));
        let lose_on_shortage = v.keyword(
            &p.on_shortage,
            &field("on_shortage"),
            "shortage rule",
            &[("backorder", false), ("lose", true)],
            false,
        );
        if let Some(word) = &p.on_shortage {
            if p.stock.is_none() && matches!(release, Some(Release::Orders)) {
                v.err_hint(
                    word.span(),
                    &field("on_shortage"),
                    "`on_shortage` applies to a product made to stock",
                    "add `stock = N` (the finished-goods target), or remove on_shortage: a make-to-order product loses orders through `patience`",
                );
            } else if let (true, Some(pat)) = (lose_on_shortage, &p.patience) {
                v.err_hint(
                    pat.span(),
                    &field("patience"),
                    "with on_shortage = \"lose\" no customer waits, so `patience` never applies",
                    "remove patience, or use on_shortage = \"backorder\" with it",
                );
            }
        }
        let by_orders = matches!(release, Some(Release::Orders));
        let order_only = [
            ("orders", p.orders.as_ref().map(|x| x.span())),
            ("stock", p.stock.as_ref().map(|x| x.span())),
            ("patience", p.patience.as_ref().map(|x| x.span())),
            ("outsource", p.outsource.as_ref().map(|x| x.span())),
            (
                "late_penalty_per_unit_day",
                p.late_penalty_per_unit_day.as_ref().map(|x| x.span()),
            ),
            ("on_shortage", p.on_shortage.as_ref().map(|x| x.span())),
        ];
        if release.is_some() && !by_orders {
            for (k, span) in order_only {
                if let Some(span) = span {
                    v.err_hint(
                        span,
                        &field(k),
                        format!("`{k}` applies to products released by customer orders"),
                        "remove `release` (orders are the default) or remove this field",
                    );
                }
            }
        }
        let priority = p.priority.as_ref().map_or(0, |x| *x.get_ref());
        if let (Some(release), true) = (release, ok) {
            products.push(Product {
                name: pname.clone(),
                routing,
                release,
                price: v.money(&p.price, &field("price")),
                material_cost: v.money(&p.material_cost, &field("material_cost")),
                priority,
                // Set once every product is read (see `batch::families`).
                family: 0,
                orders,
                stock_target,
                patience,
                outsource,
                late_penalty_per_unit_day: p
                    .late_penalty_per_unit_day
                    .as_ref()
                    .map(|x| v.money(&Some(x.clone()), &field("late_penalty_per_unit_day"))),
                lose_on_shortage,
            });
        }
    }
    products
}
