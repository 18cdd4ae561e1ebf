//! The stress test of `shopfloor optimize --stress demand=+15%`: the plant
//! with every kind of demand scaled by one factor, to check whether a
//! choice stays feasible when demand grows (or shrinks).
//!
//! Demand comes in three kinds, and each is scaled so that the units
//! demanded per hour, on average, are multiplied by the factor `k`:
//!
//! - a product's random customer orders (`products.NAME.orders`): the time
//!   between orders is divided by `k` (the whole distribution is scaled,
//!   its shape kept, as `process_factor` scales process times), so orders
//!   come `k` times as often, with the same quantities, due dates and rate
//!   profile by hour, weekday and week;
//! - a product's random releases (`release = { interarrival = … }`): the
//!   time between releases is divided by `k`, with the same batch size;
//! - the order book (`[orders] book`): its orders keep their arrival and
//!   due times, and their quantities are multiplied by `k`, rounded so
//!   that each product's running total of units stays the nearest whole
//!   number to `k` times the book's (an order whose quantity rounds to 0
//!   is dropped, which only a factor below 1 can do).
//!
//! Saturated products have no demand and are left alone, as are stock
//! targets, patience, contractors and everything else. The scaled
//! inter-arrival times are the same random draws scaled, so a stressed
//! replication keeps its common random numbers with the unstressed one;
//! `+0%` leaves the plant exactly as it is.

use crate::model::{Factory, Release};
use crate::scenario::limits::{RESOLUTION, RESOLUTION_TEXT};

/// The largest demand change `--stress` accepts, in percent (×11).
pub const MAX_DEMAND_CHANGE: f64 = 1000.0;

/// A change of the plant's demand, applied to every configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stress {
    /// Every demand rate (and order book quantity) is multiplied by this
    /// (> 0; 1.15 for `demand=+15%`).
    pub demand: f64,
}

impl Stress {
    /// Reads `demand=+15%` (or `demand=-10%`, `demand=15%`).
    pub fn parse(text: &str) -> Result<Stress, String> {
        let hint = "write e.g. --stress demand=+15% (every demand rate 15% higher) or demand=-10%";
        let (lever, value) = text
            .split_once('=')
            .ok_or_else(|| format!("--stress `{text}`: {hint}"))?;
        if lever.trim() != "demand" {
            return Err(format!(
                "--stress `{text}`: unknown lever `{}`: only `demand` can be stressed; {hint}",
                lever.trim()
            ));
        }
        let pct = value
            .trim()
            .strip_suffix('%')
            .ok_or_else(|| {
                format!("--stress `{text}`: give the change in percent, with `%`; {hint}")
            })?
            .trim();
        let change: f64 = pct
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| format!("--stress `{text}`: `{pct}` is not a number; {hint}"))?;
        if change <= -100.0 || change > MAX_DEMAND_CHANGE {
            return Err(format!(
                "--stress `{text}`: the change must be above -100% and at most +{MAX_DEMAND_CHANGE}%"
            ));
        }
        Ok(Stress {
            demand: 1.0 + change / 100.0,
        })
    }

    /// `demand +15%`, as printed.
    pub fn describe(&self) -> String {
        let pct = (self.demand - 1.0) * 100.0;
        // Whole percents as written; others to two places at most.
        let shown = format!("{:+.2}", pct);
        let shown = shown.trim_end_matches('0').trim_end_matches('.');
        format!("demand {}%", shown.replacen('-', "−", 1))
    }

    /// `factory` with its demand scaled (see the module's documentation).
    /// Refused when orders or releases would then come more often than the
    /// engine's time resolution, or an order book quantity would not fit.
    pub fn apply(&self, factory: &Factory) -> Result<Factory, String> {
        let k = self.demand;
        let mut f = factory.clone();
        if k == 1.0 {
            // +0%: the plant itself, to the bit (rescaling a gamma or
            // Weibull distribution by 1 may move its last digit).
            return Ok(f);
        }
        let too_often = |what: &str, product: &str, every: f64| {
            format!(
                "--stress {}: {what} of product \"{product}\" would come every {every}s on average, more often than the engine's time resolution of {RESOLUTION_TEXT}",
                self.describe()
            )
        };
        for p in &mut f.products {
            if let Some(o) = &mut p.orders {
                o.interarrival = o
                    .interarrival
                    .scaled(1.0 / k)
                    .map_err(|e| format!("--stress {}: {e}", self.describe()))?;
                let peak = o.profile.as_ref().map_or(1.0, |r| {
                    r.by_hour.iter().copied().fold(0.0, f64::max)
                        * r.by_weekday.iter().copied().fold(0.0, f64::max)
                        * r.by_week.iter().copied().fold(0.0, f64::max)
                });
                let every = o.interarrival.mean() / peak;
                if every < RESOLUTION {
                    return Err(too_often("orders", &p.name, every));
                }
            }
            if let Release::Arrivals { interarrival, .. } = &mut p.release {
                *interarrival = interarrival
                    .scaled(1.0 / k)
                    .map_err(|e| format!("--stress {}: {e}", self.describe()))?;
                if interarrival.mean() < RESOLUTION {
                    return Err(too_often("releases", &p.name, interarrival.mean()));
                }
            }
        }
        // The book's units, product by product in arrival order: each
        // order gets the growth of the rounded running total.
        let mut total = vec![0u64; f.products.len()];
        let mut book = Vec::with_capacity(f.policies.order_book.len());
        for mut o in std::mem::take(&mut f.policies.order_book) {
            let t = &mut total[o.product.0 as usize];
            let before = (*t as f64 * k).round();
            *t += u64::from(o.quantity);
            let q = (*t as f64 * k).round() - before;
            if q > f64::from(u32::MAX) {
                return Err(format!(
                    "--stress {}: order \"{}\" of the order book would be for {q} units, too many",
                    self.describe(),
                    o.id
                ));
            }
            if q >= 1.0 {
                o.quantity = q as u32;
                book.push(o);
            }
        }
        f.policies.order_book = book;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_percentages_and_refuses_the_rest() {
        assert_eq!(Stress::parse("demand=+15%").unwrap().demand, 1.15);
        assert_eq!(Stress::parse("demand=15%").unwrap().demand, 1.15);
        assert_eq!(Stress::parse(" demand = -10 % ").unwrap().demand, 0.9);
        assert_eq!(
            Stress::parse("demand=+15%").unwrap().describe(),
            "demand +15%"
        );
        assert_eq!(
            Stress::parse("demand=-2.5%").unwrap().describe(),
            "demand −2.5%"
        );
        assert_eq!(Stress::parse("demand=0%").unwrap().describe(), "demand +0%");
        for (bad, why) in [
            ("demand", "write e.g."),
            ("price=+5%", "unknown lever `price`"),
            ("demand=+15", "in percent"),
            ("demand=x%", "not a number"),
            ("demand=NaN%", "not a number"),
            ("demand=-100%", "above -100%"),
            ("demand=+2000%", "at most"),
        ] {
            let e = Stress::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
