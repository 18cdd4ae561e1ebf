//! Batch stations and setup-aware dispatching: a station's `batch = { … }`
//! and `campaign_limit`, products' `family`, and what a batch station
//! refuses in the routings that visit it.

use std::ops::Range;

use toml::Spanned;

use super::{Validator, at_most};
use crate::model::{BatchRule, Blocking, Dispatch, Product, Release, Station};
use crate::scenario::limits::MAX_BATCH;
use crate::scenario::raw::*;

/// `campaign_limit` of a station: parts of one family in a row under
/// `dispatch = "campaign"` (no limit when absent). Under another rule it
/// is checked and unused, so that a variant may switch a campaign station
/// to another rule (an override cannot remove a key).
pub(super) fn campaign_limit(
    v: &mut Validator<'_>,
    s: &RawStation,
    dispatch: Dispatch,
    field: &str,
) -> Dispatch {
    let Some(c) = &s.campaign_limit else {
        return dispatch;
    };
    match (dispatch, v.count(c, field, 1)) {
        (Dispatch::Campaign { .. }, Some(limit)) => Dispatch::Campaign { limit },
        _ => dispatch,
    }
}

/// `batch = { min, max, wait_up_to, by }` of a station whose buffer holds
/// `buffer` parts (`None`: unlimited).
pub(super) fn read_batch(
    v: &mut Validator<'_>,
    b: &Spanned<RawBatch>,
    buffer: Option<u32>,
    field: &str,
) -> Option<BatchRule> {
    let f = |k: &str| format!("{field}.{k}");
    let raw = b.get_ref();
    let max = at_most(v, &raw.max, &f("max"), 1, MAX_BATCH, "parts per batch");
    let min = match &raw.min {
        Some(m) => at_most(v, m, &f("min"), 1, MAX_BATCH, "parts per batch"),
        None => Some(1),
    };
    if let (Some(lo), Some(hi), Some(m)) = (min, max, &raw.min)
        && lo > hi
    {
        v.err_hint(
            m.span(),
            &f("min"),
            format!("the smallest batch ({lo} parts) is larger than the largest ({hi})"),
            "make min at most max (min = max for full batches only)",
        );
        return None;
    }
    let wait_up_to = match &raw.wait_up_to {
        Some(d) => Some(v.positive_duration(d, &f("wait_up_to"))?),
        None => None,
    };
    v.keyword(&raw.by, &f("by"), "batch grouping", &[("family", ())], ());
    if let (Some(cap), Some(hi)) = (buffer, max)
        && cap < hi
    {
        v.err_hint(
            raw.max.span(),
            &f("max"),
            format!(
                "a batch of {hi} parts waits in the buffer before it starts, but the buffer holds {cap}"
            ),
            format!("raise the station's buffer to at least {hi}, or lower the batch's max"),
        );
        return None;
    }
    Some(BatchRule {
        min: min?,
        max: max?,
        wait_up_to,
    })
}

/// What a batch station does not combine with: dispatching rules that rank
/// single parts, and blocking before service (a batch's parts leave one
/// by one as room allows).
pub(super) fn batch_station_rules(
    v: &mut Validator<'_>,
    s: &RawStation,
    span: Range<usize>,
    dispatch: Dispatch,
    blocking: Blocking,
    field: &dyn Fn(&str) -> String,
) {
    match dispatch {
        Dispatch::Fifo | Dispatch::MinSetup | Dispatch::Campaign { .. } => {}
        _ => v.err_hint(
            s.dispatch.as_ref().map_or(span.clone(), |d| d.span()),
            &field("dispatch"),
            "a batch station chooses between families, not single parts: this rule does not apply",
            "use dispatch = \"fifo\" (the family waiting longest), \"min_setup\" or \"campaign\"",
        ),
    }
    if let Some(mv) = &s.mover {
        v.err_hint(
            mv.span(),
            &field("mover"),
            "a batch station's parts cannot go on by mover yet: a batch leaves part by part",
            "let the parts move on by themselves, or put a single-part station with the mover after the batch station",
        );
    }
    if let Some(a) = &s.automated
        && let Some(al) = &a.get_ref().alongside
        && *al.get_ref()
    {
        v.err_hint(
            al.span(),
            &field("automated.alongside"),
            "a batch station cannot hold automated machines beside its manual ones yet",
            "model the automated batch machine as a station of its own, or remove `alongside`",
        );
    }
    if blocking == Blocking::BeforeService {
        v.err_hint(
            s.blocking.as_ref().map_or(span, |b| b.span()),
            &field("blocking"),
            "a batch station cannot block before service: its parts leave one by one as room allows",
            "remove `blocking` (after_service is the default)",
        );
    }
}

/// Product families in order of first mention; sets each product's
/// family. A product without `family` is a family of its own, named after
/// the product.
pub(super) fn families(raw: &RawScenario, products: &mut [Product]) -> Vec<String> {
    let mut families: Vec<String> = Vec::new();
    for p in products.iter_mut() {
        let name = raw
            .products
            .get(&p.name)
            .and_then(|r| r.get_ref().family.as_ref())
            .map_or(p.name.as_str(), |f| f.get_ref().as_str());
        p.family = match families.iter().position(|f| f == name) {
            Some(i) => i as u32,
            None => {
                families.push(name.to_string());
                (families.len() - 1) as u32
            }
        };
    }
    families
}

/// Refuses what a batch station cannot do with the operations that visit
/// it: raw materials taken per part, a saturated product fed straight into
/// it, parts leaving it by mover; and an empty family name.
pub(super) fn batch_operations(
    v: &mut Validator<'_>,
    raw: &RawScenario,
    stations: &[Station],
    products: &[Product],
) {
    for (pname, rp) in &raw.products {
        let rp = rp.get_ref();
        if let Some(f) = &rp.family
            && f.get_ref().trim().is_empty()
        {
            v.err_hint(
                f.span(),
                &format!("products.{pname}.family"),
                "the family name is empty",
                "name the family (recipe), e.g. family = \"red\", or remove the key",
            );
        }
        let Some(p) = products.iter().find(|p| &p.name == pname) else {
            continue;
        };
        let ops = rp.routing.get_ref();
        for (i, (op, rop)) in p.routing.iter().zip(ops).enumerate() {
            let Some(st) = stations.get(op.station.0 as usize) else {
                continue;
            };
            if st.batch.is_none() {
                continue;
            }
            let field = format!("products.{pname}.routing[{i}]");
            if let Some(m) = &rop.get_ref().materials
                && !op.materials.is_empty()
            {
                v.err_hint(
                    m.span(),
                    &format!("{field}.materials"),
                    format!(
                        "station \"{}\" processes batches, and raw materials are taken per part",
                        st.name
                    ),
                    "take the materials at an operation before or after the batch station",
                );
            }
            if let Some(mv) = &rop.get_ref().mover
                && op.mover.is_some()
            {
                v.err_hint(
                    mv.span(),
                    &format!("{field}.mover"),
                    format!(
                        "the parts of batch station \"{}\" cannot go on by mover yet: a batch leaves part by part",
                        st.name
                    ),
                    "let the parts move on by themselves, or put a single-part station with the mover after the batch station",
                );
            }
            if i == 0 && matches!(p.release, Release::Saturated) {
                v.err_hint(
                    rop.span(),
                    &field,
                    format!(
                        "a saturated product cannot be fed straight into batch station \"{}\"",
                        st.name
                    ),
                    "put a station before it, or release the product by orders or arrivals",
                );
            }
        }
    }
}
