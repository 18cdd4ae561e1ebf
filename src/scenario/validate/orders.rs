//! `[orders]`: the order book and release policies, checked against the
//! products that are released by customer orders.

use super::{Names, Validator};
use crate::model::{Policies, Product};
use crate::scenario::raw::*;

/// Validates `[orders]`; also the order book's bytes, which are part of the
/// scenario's hash.
pub(super) fn orders(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    names: &Names<'_>,
    products: &[Product],
) -> (Policies, Option<Vec<u8>>) {
    let (policies, book_bytes) = v.policies(raw, &names.products);
    for (i, p) in products.iter().enumerate() {
        let in_book = policies
            .order_book
            .iter()
            .any(|o| o.product.0 as usize == i);
        let raw_orders = raw
            .products
            .get(p.name.as_str())
            .is_some_and(|r| r.get_ref().orders.is_some());
        let book_given = raw
            .orders
            .as_ref()
            .is_some_and(|o| o.get_ref().book.is_some());
        if p.release_is_orders()
            && !raw_orders
            && !in_book
            && (!book_given || !policies.order_book.is_empty())
        {
            let span = raw.products.get(p.name.as_str()).map_or(0..0, |r| r.span());
            v.err_hint(
                span,
                &format!("products.{}", p.name),
                format!("product \"{}\" is released by customer orders, but none come", p.name),
                "give it `orders = { interarrival = …, due_in = … }`, list it in the order book ([orders] book = \"….csv\"), or set `release`",
            );
        }
        if in_book && !p.release_is_orders() {
            v.err_hint(
                raw.orders.as_ref().map(|o| o.span()).unwrap_or(0..0),
                "orders.book",
                format!("the order book orders \"{}\", which is released by its own process, not by orders", p.name),
                format!("remove `release` from [products.{}]", p.name),
            );
        }
    }
    (policies, book_bytes)
}
