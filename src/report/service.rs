//! Service per product: orders completed, on-time share, order lead time,
//! fill rate from stock and late-delivery penalty of each product, so that
//! a plant-wide on-time share that mixes products (frames 98%, brackets
//! 74%, shown as 81%) can be read product by product. The printed block
//! (baseline) and the report's table (every shown variant) are fed by the
//! same [`ProductSummary`] figures.

use std::fmt::Write as _;

use super::html::{Style, esc, row_class, styled_pm};
use super::plots::shown_variants;
use super::units::{TimeUnit, currency_suffix};
use crate::experiment::{ProductSummary, RunResults};
use crate::model::Factory;
use crate::scenario::Scenario;
use crate::stats::Estimate;

/// Variants besides the baseline in the report's table.
const SHOWN: usize = 8;

/// Whether the scenario's products are worth showing one by one: more than
/// one, and some made for customer orders.
pub fn shown(factory: &Factory) -> bool {
    factory.products.len() > 1 && factory.products.iter().any(|p| p.release_is_orders())
}

/// The unit the lead times of `products` read best in (by the longest
/// mean).
fn lead_unit<'a>(products: impl Iterator<Item = &'a ProductSummary>) -> TimeUnit {
    let longest = products
        .map(|p| p.figures.lead_time_mean_h.mean)
        .filter(|x| x.is_finite())
        .fold(f64::NAN, f64::max);
    TimeUnit::for_hours(longest)
}

/// Mean ± half-width with `digits` decimals, `—` when not measured.
fn est(e: &Estimate, digits: usize) -> String {
    if e.mean.is_nan() {
        "—".into()
    } else if e.half_width.is_nan() {
        format!("{:.*}", digits, e.mean)
    } else {
        format!("{:.*} ± {:.*}", digits, e.mean, digits, e.half_width)
    }
}

/// The printed block: the baseline's service per product.
pub fn service_block(scenario: &Scenario, results: &RunResults) -> String {
    let f = &scenario.factory;
    let s = &results.baseline().summary;
    if !shown(f) || s.delivery.is_none() {
        return String::new();
    }
    let unit = lead_unit(s.products.iter());
    let money = currency_suffix(f);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n  {:<20} {:>14} {:>14} {:>16} {:>14} {:>18}",
        "service by product",
        "orders",
        "on time (%)",
        format!("lead time ({})", unit.name()),
        "fill rate (%)",
        format!("late penalty{money}"),
    );
    for (p, def) in s.products.iter().zip(&f.products) {
        let x = &p.figures;
        let by_orders = def.release_is_orders();
        let na = |e: &Estimate, digits: usize| {
            if by_orders {
                est(e, digits)
            } else {
                "—".into()
            }
        };
        let _ = writeln!(
            out,
            "  {:<20} {:>14} {:>14} {:>16} {:>14} {:>18}",
            p.product,
            na(&x.orders_completed, 1),
            na(&x.on_time_orders.scaled(100.0), 1),
            na(&x.lead_time_mean_h.scaled(unit.per_hour()), 2),
            est(&x.fill_rate.scaled(100.0), 1),
            na(&x.late_penalty, 0),
        );
    }
    out
}

/// The report's table: every shown variant's service per product.
pub fn service_section(scenario: &Scenario, results: &RunResults) -> String {
    let f = &scenario.factory;
    let rows: Vec<usize> = {
        let keep = shown_variants(results, SHOWN);
        results
            .ranking
            .order
            .iter()
            .copied()
            .filter(|i| keep.contains(i))
            .collect()
    };
    let unit = lead_unit(
        rows.iter()
            .flat_map(|&i| results.variants[i].summary.products.iter()),
    );
    let left_out = results.variants.len() - rows.len();
    let mut h = String::from("<h2 id=\"service\">Service by product</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Each product's orders completed after the warm-up, the share of them \
         delivered complete by the due date, their mean lead time (arrival to delivery), the \
         fill rate from stock (make-to-stock products) and the late-delivery penalty of its late \
         orders (units × days late × its <code>late_penalty_per_unit_day</code>); means over the \
         replications ± half-width of the 95% confidence interval, variants in ranking order. \
         The plant-wide on-time share above weighs every order alike, whatever its product.{}</p>",
        if left_out > 0 {
            format!(
                " The baseline and the {SHOWN} best variants are shown; the other {left_out} \
                 are in <code>summary.json</code> and <code>products.csv</code>."
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        h,
        "<table class=\"kpis\">\n<thead><tr><th>variant</th><th>product</th><th>orders<br>completed</th>\
         <th>on time<br>(% of orders)</th><th>lead time<br>mean ({})</th><th>fill rate<br>from \
         stock (%)</th><th>late penalty{}</th></tr></thead>\n<tbody>",
        unit.name(),
        esc(&currency_suffix(f))
    );
    for &i in &rows {
        let v = &results.variants[i];
        for (p, def) in v.summary.products.iter().zip(&f.products) {
            let x = &p.figures;
            let by_orders = def.release_is_orders();
            let cell = |e: &Estimate, style: Style| {
                if by_orders {
                    esc(&styled_pm(e, style, false))
                } else {
                    "—".into()
                }
            };
            let _ = writeln!(
                h,
                "<tr{}><td class=\"name\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                row_class(results, i),
                esc(&v.name),
                esc(&p.product),
                cell(&x.orders_completed, Style::Plain),
                if by_orders {
                    esc(&styled_pm(&x.on_time_orders, Style::Percent, false))
                } else {
                    "—".into()
                },
                cell(&x.lead_time_mean_h.scaled(unit.per_hour()), Style::Plain),
                if x.fill_rate.mean.is_finite() {
                    esc(&styled_pm(&x.fill_rate, Style::Percent, false))
                } else {
                    "—".into()
                },
                cell(&x.late_penalty, Style::Money),
            );
        }
    }
    h.push_str("</tbody>\n</table>\n");
    h
}
