//! Assembly of parts made in the plant: a routing operation's
//! `components = { door = 1 }` and the sub-assembly products they name
//! (`release = "with_parent"`).

use super::{Names, Validator, at_most};
use crate::model::{Product, ProductId, Station, StationId};
use crate::scenario::raw::*;
use toml::Spanned;

/// Most units of one component an operation may assemble into a part.
const MAX_COMPONENT_UNITS: u32 = 1_000;

/// `components` of one operation (`field` names it): each a product of the
/// scenario, at most once, with a whole quantity of at least 1.
pub(super) fn op_components(
    v: &mut Validator<'_>,
    list: &Spanned<indexmap::IndexMap<String, Spanned<i64>>>,
    names: &Names<'_>,
    field: &str,
) -> Vec<(ProductId, u32)> {
    let mut out = Vec::new();
    if list.get_ref().is_empty() {
        v.err_hint(
            list.span(),
            field,
            "the list of components is empty",
            "name the sub-assemblies made in the plant, e.g. components = { door = 1 }, or remove the key",
        );
    }
    for (name, q) in list.get_ref() {
        let f = format!("{field}.{name}");
        let at = Spanned::new(q.span(), name.clone());
        let p = v.lookup(
            &at,
            &names.products,
            &f,
            "product",
            "define the sub-assembly as a product with release = \"with_parent\"",
        );
        let q = at_most(v, q, &f, 1, MAX_COMPONENT_UNITS, "units per assembly");
        if let (Some(p), Some(q)) = (p, q) {
            out.push((ProductId(p as u32), q));
        }
    }
    out
}

/// Checks across products: a component is a sub-assembly released with
/// its parent, never the product itself or one that (through its own
/// components) contains it; every sub-assembly is assembled somewhere;
/// assembly does not happen at a batch station; a sub-assembly is not
/// sold.
pub(super) fn assembly(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    stations: &[Station],
    products: &[Product],
) {
    // Indices are names' positions; with an invalid product they are not
    // those of `products`, and the errors already stop the file.
    if products.len() != raw.products.len() {
        return;
    }
    let mut used = vec![false; products.len()];
    let mut misspelt = false;
    for (pi, (pname, rp)) in raw.products.iter().enumerate() {
        let rp = rp.get_ref();
        let ops = rp.routing.get_ref();
        for (i, (op, rop)) in products[pi].routing.iter().zip(ops).enumerate() {
            let Some(list) = &rop.get_ref().components else {
                continue;
            };
            let field = format!("products.{pname}.routing[{i}].components");
            // By the names written: a component with a bad quantity is
            // still used, and still checked.
            for (cname, q) in list.get_ref() {
                let Some(c) = products.iter().position(|p| &p.name == cname) else {
                    // Reported by `op_components`; a misspelt name may be
                    // the use of a sub-assembly that looks unused.
                    misspelt = true;
                    continue;
                };
                let f = format!("{field}.{cname}");
                used[c] = true;
                if c == pi {
                    v.err_hint(
                        q.span(),
                        &f,
                        format!("product \"{pname}\" cannot be assembled into itself"),
                        "name another product, made in the plant as a sub-assembly",
                    );
                } else if !products[c].is_sub_assembly() {
                    v.err_hint(
                        q.span(),
                        &f,
                        format!(
                            "product \"{cname}\" is assembled here, so its parts must be released with the parts they go into"
                        ),
                        format!("set release = \"with_parent\" under [products.{cname}]"),
                    );
                }
            }
            if let Some(st) = stations.get(op.station.0 as usize)
                && let Some(c) = visits(products, pi, &op.components, op.station)
            {
                v.err_hint(
                    list.span(),
                    &field,
                    format!(
                        "sub-assembly \"{}\" is made at station \"{}\", where it is assembled: a machine there holding a part that waits for it would wait for ever",
                        products[c].name, st.name
                    ),
                    "make the sub-assembly at another station, or assemble it at one of its own",
                );
            } else if let Some(st) = stations.get(op.station.0 as usize)
                && st.batch.is_some()
            {
                v.err_hint(
                    list.span(),
                    &field,
                    format!(
                        "station \"{}\" processes batches, and components are assembled part by part",
                        st.name
                    ),
                    "assemble at an operation before or after the batch station",
                );
            }
        }
    }
    for (pi, (pname, rp)) in raw.products.iter().enumerate() {
        let rp = rp.get_ref();
        if !products[pi].is_sub_assembly() {
            continue;
        }
        let at = rp.release.as_ref().map_or(0..0, |r| r.span());
        if !used[pi] && !misspelt {
            v.err_hint(
                at.clone(),
                &format!("products.{pname}.release"),
                format!(
                    "product \"{pname}\" is released with its parent, but no operation assembles it"
                ),
                format!(
                    "list it in an operation's components, e.g. components = {{ {pname} = 1 }}, or give it another release"
                ),
            );
        }
        if let Some(price) = &rp.price {
            v.err_hint(
                price.span(),
                &format!("products.{pname}.price"),
                "a sub-assembly (release = \"with_parent\") is not sold: its value is in the product it goes into",
                "remove price (material_cost still applies to each part released)",
            );
        }
        // A cycle is reported once, at its first product in the file.
        if let Some(path) = cycle(products, pi)
            && path.iter().all(|&c| c >= pi)
        {
            let names: Vec<&str> = path.iter().map(|&i| products[i].name.as_str()).collect();
            v.err_hint(
                at,
                &format!("products.{pname}.release"),
                format!(
                    "product \"{pname}\" contains itself through its components: {}",
                    names.join(" → ")
                ),
                "a sub-assembly may go into others, never into a product it contains",
            );
        }
    }
}

/// The first of `components` (or of theirs, at any depth) whose routing
/// visits `station`, product `itself` (the one assembling them) aside: a
/// product containing itself is reported as such.
fn visits(
    products: &[Product],
    itself: usize,
    components: &[(ProductId, u32)],
    station: StationId,
) -> Option<usize> {
    let mut todo: Vec<usize> = components.iter().map(|(c, _)| c.0 as usize).collect();
    let mut seen = vec![false; products.len()];
    seen[itself] = true;
    while let Some(c) = todo.pop() {
        if std::mem::replace(&mut seen[c], true) {
            continue;
        }
        let routing = &products[c].routing;
        if routing.iter().any(|op| op.station == station) {
            return Some(c);
        }
        todo.extend(
            routing
                .iter()
                .flat_map(|op| op.components.iter().map(|(c, _)| c.0 as usize)),
        );
    }
    None
}

/// The products from `start` back to `start` through components, if
/// `start` contains itself (a product assembled into itself directly is
/// reported where it is named).
fn cycle(products: &[Product], start: usize) -> Option<Vec<usize>> {
    fn contains(p: &Product) -> impl Iterator<Item = usize> + '_ {
        p.routing
            .iter()
            .flat_map(|op| op.components.iter().map(|(c, _)| c.0 as usize))
    }
    // Depth-first search with an explicit path: products are few.
    let mut path = vec![start];
    let mut next: Vec<Vec<usize>> = vec![contains(&products[start]).collect()];
    let mut seen = vec![false; products.len()];
    while let Some(todo) = next.last_mut() {
        let Some(c) = todo.pop() else {
            next.pop();
            path.pop();
            continue;
        };
        if c == start {
            if path.len() > 1 {
                path.push(start);
                return Some(path);
            }
            continue;
        }
        if seen[c] {
            continue;
        }
        seen[c] = true;
        path.push(c);
        next.push(contains(&products[c]).collect());
    }
    None
}
