//! Validation of the demand and money side of a scenario: customer orders
//! (random processes and the CSV order book), contractors, automation and
//! the plant-wide cost rates.

use std::path::Path;

use toml::Spanned;

use super::error::{ScenarioError, did_you_mean};
use super::limits::{MAX_ORDER_QUANTITY, MAX_RATE_FACTOR, RESOLUTION, RESOLUTION_TEXT};
use super::parse_duration;
use super::raw::*;
use super::validate::Validator;
use crate::engine::{Dist, HOUR};
use crate::model::{
    BookOrder, Contractor, ContractorId, OrderOutsourcing, OrderProcess, OutsourceRule, Policies,
    ProductId, RateProfile,
};

/// The payback within which an investment must pay for itself, in years,
/// when `[costs]` does not say (`payback_within_years`).
pub const DEFAULT_PAYBACK_YEARS: f64 = 3.0;

/// The longest payback horizon a scenario may give, in years.
const MAX_PAYBACK_YEARS: f64 = 100.0;

/// The longest `costs.currency`, in characters.
const MAX_CURRENCY_CHARS: usize = 8;

impl Validator<'_> {
    /// A money amount or rate: a finite number of at least 0 (0 if absent).
    pub(super) fn money(&mut self, x: &Option<Spanned<f64>>, field: &str) -> f64 {
        match x {
            Some(m) if !m.get_ref().is_finite() || *m.get_ref() < 0.0 => {
                self.err_hint(
                    m.span(),
                    field,
                    format!("must be a number of at least 0, got {}", m.get_ref()),
                    "money amounts and rates are in one currency, without sign",
                );
                0.0
            }
            Some(m) => *m.get_ref(),
            None => 0.0,
        }
    }

    /// A distribution of counts (bare numbers, e.g. an order quantity).
    fn quantity(&mut self, d: &Spanned<RawDist>, field: &str) -> Option<Dist> {
        self.unitless = true;
        let q = self.dist(d, field);
        self.unitless = false;
        if let Some(m) = q.as_ref().map(Dist::mean)
            && m > MAX_ORDER_QUANTITY
        {
            self.err_hint(
                d.span(),
                field,
                format!(
                    "orders of {m} units on average are more than the limit of {MAX_ORDER_QUANTITY} units an order"
                ),
                "split the demand into more, smaller orders",
            );
            return None;
        }
        q
    }

    /// Relative rates: `n` (or, for weeks, at least one) finite numbers ≥ 0.
    fn rates(
        &mut self,
        list: &Spanned<Vec<Spanned<f64>>>,
        field: &str,
        n: Option<usize>,
    ) -> Option<Vec<f64>> {
        let l = list.get_ref();
        if let Some(n) = n
            && l.len() != n
        {
            self.err_hint(
                list.span(),
                field,
                format!("needs {n} factors, got {}", l.len()),
                "one relative rate per hour (24) or per weekday (7, Monday first)",
            );
            return None;
        }
        if l.is_empty() {
            self.err(list.span(), field, "needs at least one factor");
            return None;
        }
        for x in l {
            if !x.get_ref().is_finite() || *x.get_ref() < 0.0 {
                self.err(
                    x.span(),
                    field,
                    format!("a rate factor must be at least 0, got {}", x.get_ref()),
                );
                return None;
            }
            if *x.get_ref() > MAX_RATE_FACTOR {
                self.err_hint(
                    x.span(),
                    field,
                    format!(
                        "a rate factor of {:e} is more than the limit of {MAX_RATE_FACTOR}",
                        x.get_ref()
                    ),
                    "rate factors are relative to `interarrival`: shorten `interarrival` instead",
                );
                return None;
            }
        }
        Some(l.iter().map(|x| *x.get_ref()).collect())
    }

    /// `products.NAME.orders`.
    pub(super) fn order_process(
        &mut self,
        o: &Spanned<RawOrderProcess>,
        field: &str,
    ) -> Option<OrderProcess> {
        let f = |k: &str| format!("{field}.{k}");
        let r = o.get_ref();
        let interarrival = self.dist(&r.interarrival, &f("interarrival"));
        if let Some(d) = &interarrival
            && d.mean() <= 0.0
        {
            self.err(
                r.interarrival.span(),
                &f("interarrival"),
                "the mean time between orders must be longer than zero",
            );
        }
        let quantity = match &r.quantity {
            Some(q) => {
                let d = self.quantity(q, &f("quantity"));
                if let Some(d) = &d
                    && d.mean() < 0.5
                {
                    self.err_hint(
                        q.span(),
                        &f("quantity"),
                        "orders would be for less than one unit on average",
                        "quantities are rounded to whole units, at least 1",
                    );
                }
                d
            }
            None => Some(Dist::Constant(1.0)),
        };
        let due_in = self.dist(&r.due_in, &f("due_in"));
        let by_hour = match &r.rate_by_hour {
            Some(l) => self.rates(l, &f("rate_by_hour"), Some(24)),
            None => Some(vec![1.0; 24]),
        };
        let by_weekday = match &r.rate_by_weekday {
            Some(l) => self.rates(l, &f("rate_by_weekday"), Some(7)),
            None => Some(vec![1.0; 7]),
        };
        let by_week = match &r.rate_by_week {
            Some(l) => self.rates(l, &f("rate_by_week"), None),
            None => Some(vec![1.0]),
        };
        let varies =
            r.rate_by_hour.is_some() || r.rate_by_weekday.is_some() || r.rate_by_week.is_some();
        let profile = match (by_hour, by_weekday, by_week) {
            (Some(h), Some(d), Some(w)) if varies => {
                let p = RateProfile {
                    by_hour: h.try_into().ok()?,
                    by_weekday: d.try_into().ok()?,
                    by_week: w,
                };
                let peak = p.by_hour.iter().copied().fold(0.0, f64::max)
                    * p.by_weekday.iter().copied().fold(0.0, f64::max)
                    * p.by_week.iter().copied().fold(0.0, f64::max);
                if let Some(ia) = &interarrival
                    && ia.mean() / peak < RESOLUTION
                {
                    self.err_hint(
                        o.span(),
                        field,
                        format!(
                            "at the peak rate factor ({peak}) orders would come every {}s on average, more often than the engine's time resolution of {RESOLUTION_TEXT}",
                            ia.mean() / peak
                        ),
                        "lower the rate factors or lengthen `interarrival`",
                    );
                    return None;
                }
                if p.mean() <= 0.0 {
                    self.err_hint(
                        o.span(),
                        field,
                        "the rate factors are zero at every hour: no order would ever arrive",
                        "give some hours, days and weeks a factor above 0",
                    );
                    return None;
                }
                Some(p)
            }
            (Some(_), Some(_), Some(_)) => None,
            _ => return None,
        };
        Some(OrderProcess {
            interarrival: interarrival?,
            quantity: quantity?,
            due_in: due_in?,
            profile,
        })
    }

    /// `[contractors.NAME]`; prices name products among `products`.
    pub(super) fn contractors(&mut self, raw: &RawScenario, products: &[&str]) -> Vec<Contractor> {
        let mut out = Vec::new();
        for (cname, c) in &raw.contractors {
            let field = |k: &str| format!("contractors.{cname}.{k}");
            let c = c.get_ref();
            let capacity_per_week = c
                .capacity_per_week
                .as_ref()
                .and_then(|n| self.count(n, &field("capacity_per_week"), 1));
            let lead_time = self.dist(&c.lead_time, &field("lead_time"));
            let mut prices = vec![None; products.len()];
            for (pname, price) in c.prices.get_ref() {
                let f = field(&format!("prices.{pname}"));
                let at = Spanned::new(price.span(), pname.clone());
                if let Some(i) = self.lookup(
                    &at,
                    products,
                    &f,
                    "product",
                    "add a table like [products.NAME]",
                ) {
                    prices[i] = Some(self.money(&Some(price.clone()), &f));
                }
            }
            let defect_rate = self.probability(&c.defect_rate, &field("defect_rate"));
            if let Some(lead_time) = lead_time {
                out.push(Contractor {
                    name: cname.clone(),
                    capacity_per_week,
                    lead_time,
                    prices,
                    defect_rate,
                });
            }
        }
        out
    }

    /// A contractor by name, for `field`.
    pub(super) fn contractor(
        &mut self,
        name: &Spanned<String>,
        names: &[&str],
        field: &str,
    ) -> Option<ContractorId> {
        self.lookup(
            name,
            names,
            field,
            "contractor",
            "define it as a table like [contractors.NAME] with lead_time and prices",
        )
        .map(|i| ContractorId(i as u32))
    }

    /// `products.NAME.outsource`, for product `product`.
    pub(super) fn outsourcing(
        &mut self,
        o: &Spanned<RawOutsource>,
        field: &str,
        contractors: &[Contractor],
        product: usize,
    ) -> Option<OrderOutsourcing> {
        let r = o.get_ref();
        let names: Vec<&str> = contractors.iter().map(|c| c.name.as_str()).collect();
        let contractor = self.contractor(&r.to, &names, &format!("{field}.to"))?;
        if contractors[contractor.0 as usize].prices[product].is_none() {
            self.err_hint(
                r.to.span(),
                &format!("{field}.to"),
                format!(
                    "contractor \"{}\" has no price for this product",
                    r.to.get_ref()
                ),
                "add the product to the contractor's `prices`",
            );
            return None;
        }
        let rule = match (&r.share, &r.backlog_above) {
            (Some(s), None) => {
                let share = self.probability(&Some(s.clone()), &format!("{field}.share"));
                OutsourceRule::Share(share)
            }
            (None, Some(b)) => {
                OutsourceRule::BacklogAbove(self.count(b, &format!("{field}.backlog_above"), 0)?)
            }
            _ => {
                self.err_hint(
                    o.span(),
                    field,
                    "say which orders go out: `share` or `backlog_above`, one of them",
                    "share = 0.2 sends a fifth of the orders; backlog_above = 50 sends those arriving while more than 50 units are open in the plant",
                );
                return None;
            }
        };
        Some(OrderOutsourcing { contractor, rule })
    }

    /// `[orders]` and `[costs]`; `products` are the product names.
    /// Also returns the order book's bytes (for the scenario hash).
    pub(super) fn policies(
        &mut self,
        raw: &RawScenario,
        products: &[&str],
    ) -> (Policies, Option<Vec<u8>>) {
        let mut p = Policies {
            payback_within_years: DEFAULT_PAYBACK_YEARS,
            ..Policies::default()
        };
        let mut bytes = None;
        if let Some(o) = &raw.orders {
            let o = o.get_ref();
            let conwip = self.keyword(
                &o.release,
                "orders.release",
                "release rule",
                &[("immediate", false), ("conwip", true)],
                false,
            );
            match (&o.wip_cap, conwip) {
                (Some(c), true) => p.wip_cap = self.count(c, "orders.wip_cap", 1),
                (None, true) => self.err_hint(
                    o.release.as_ref().map(|r| r.span()).unwrap_or(0..0),
                    "orders.release",
                    "CONWIP needs a cap on the parts in process",
                    "add wip_cap = … to [orders]",
                ),
                (Some(c), false) => self.err_hint(
                    c.span(),
                    "orders.wip_cap",
                    "`wip_cap` applies to CONWIP release only",
                    "add release = \"conwip\" to [orders], or remove wip_cap",
                ),
                (None, false) => {}
            }
            if let Some(book) = &o.book {
                let dir = self.loc.file.parent().unwrap_or(Path::new("."));
                let path = dir.join(book.get_ref());
                match self.loc.books.book(book.get_ref(), &path) {
                    Ok(b) => {
                        match read_order_book(&path, &b, products) {
                            Ok(orders) => p.order_book = orders,
                            Err(e) => self.errors.extend(e),
                        }
                        bytes = Some(b);
                    }
                    Err(e) => self.err_hint(
                        book.span(),
                        "orders.book",
                        format!("cannot read the order book {}: {e}", path.display()),
                        format!("the path is relative to the scenario file; an order book must be a regular file of at most {} MiB", super::MAX_BOOK_BYTES >> 20),
                    ),
                }
            }
        }
        if let Some(c) = &raw.costs {
            let c = c.get_ref();
            p.wip_holding_per_hour =
                self.money(&c.wip_holding_per_hour, "costs.wip_holding_per_hour");
            p.stock_holding_per_hour =
                self.money(&c.stock_holding_per_hour, "costs.stock_holding_per_hour");
            p.late_penalty_per_unit_day = self.money(
                &c.late_penalty_per_unit_day,
                "costs.late_penalty_per_unit_day",
            );
            p.lost_sale_penalty = self.money(&c.lost_sale_penalty, "costs.lost_sale_penalty");
            p.currency = c.currency.as_ref().and_then(|x| self.currency(x));
            if let Some(y) = &c.payback_within_years {
                let years = *y.get_ref();
                if years.is_finite() && years > 0.0 && years <= MAX_PAYBACK_YEARS {
                    p.payback_within_years = years;
                } else {
                    self.err_hint(
                        y.span(),
                        "costs.payback_within_years",
                        format!(
                            "must be a number of years above 0 and at most {MAX_PAYBACK_YEARS}, got {years}"
                        ),
                        "the payback an investment must reach, e.g. 3 for three years",
                    );
                }
            }
        }
        (p, bytes)
    }

    /// `costs.currency`: a short name or symbol printed beside money (1 to
    /// 8 characters, no spaces or control characters, not a formula).
    fn currency(&mut self, x: &Spanned<String>) -> Option<String> {
        let s = x.get_ref();
        let n = s.chars().count();
        let ok = (1..=MAX_CURRENCY_CHARS).contains(&n)
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && !s.starts_with(['=', '+', '-', '@']);
        if ok {
            Some(s.clone())
        } else {
            self.err_hint(
                x.span(),
                "costs.currency",
                format!("must be a short currency name, got {s:?}"),
                format!(
                    "1 to {MAX_CURRENCY_CHARS} characters without spaces, e.g. \"EUR\", \"USD\" or \"€\""
                ),
            );
            None
        }
    }

    /// `[stations.NAME.automated]`'s capital and its charge per hour.
    pub(super) fn capital_per_hour(&mut self, a: &RawAutomation, field: &str) -> (f64, f64) {
        let capital = self.money(&Some(a.capital.clone()), &format!("{field}.capital"));
        match self.positive_duration(&a.life, &format!("{field}.life")) {
            Some(life) => (capital, capital / (life / HOUR)),
            None => (capital, 0.0),
        }
    }
}

/// The order book: a CSV file with a header naming the columns `id`,
/// `product`, `quantity`, `arrival` and `due` (any order; other columns
/// ignored). Times are durations from the start of the run with a unit,
/// e.g. `36h` or `2d`. Errors name the CSV line and column.
pub(super) fn read_order_book(
    path: &Path,
    bytes: &[u8],
    products: &[&str],
) -> Result<Vec<BookOrder>, Vec<ScenarioError>> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let err = |line: usize, column: usize, field: &str, msg: String, hint: Option<String>| {
        ScenarioError {
            file: path.to_path_buf(),
            line,
            column,
            field: field.to_string(),
            message: msg,
            hint,
            source_line: lines
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or_default()
                .to_string(),
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![err(
                1,
                1,
                "",
                format!("cannot read the header: {e}"),
                None,
            )]);
        }
    };
    const COLUMNS: [&str; 5] = ["id", "product", "quantity", "arrival", "due"];
    let mut index = [0usize; 5];
    let mut errors = Vec::new();
    for (k, name) in COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h == *name) {
            Some(i) => index[k] = i,
            None => {
                let hint = match did_you_mean(name, header.iter()) {
                    Some(s) => format!("a column is called \"{s}\": did you mean \"{name}\"?"),
                    None => format!("the header must name the columns {}", COLUMNS.join(", ")),
                };
                errors.push(err(
                    1,
                    1,
                    name,
                    format!("the order book has no column \"{name}\""),
                    Some(hint),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut orders = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(err(line, 1, "", format!("cannot read the row: {e}"), None));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        // Column (1-based, in characters) of field `i` on its line.
        let column = |i: usize| -> usize {
            let src = lines
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or_default();
            src.split(',')
                .take(i)
                .map(|s| s.chars().count() + 1)
                .sum::<usize>()
                + 1
        };
        let get = |k: usize| record.get(index[k]).unwrap_or_default();
        let id = get(0).to_string();
        let product = match products.iter().position(|p| *p == get(1)) {
            Some(i) => Some(ProductId(i as u32)),
            None => {
                let hint = match did_you_mean(get(1), products.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("products defined: {}", products.join(", ")),
                };
                errors.push(err(
                    line,
                    column(index[1]),
                    "product",
                    format!("order \"{id}\": no product is called \"{}\"", get(1)),
                    Some(hint),
                ));
                None
            }
        };
        let quantity = match get(2).parse::<u32>() {
            Ok(q) if q >= 1 => Some(q),
            _ => {
                errors.push(err(
                    line,
                    column(index[2]),
                    "quantity",
                    format!("order \"{id}\": \"{}\" is not a quantity", get(2)),
                    Some("write a whole number of units, at least 1".into()),
                ));
                None
            }
        };
        let mut time = |k: usize, name: &str| match parse_duration(get(k)) {
            Ok(t) => Some(t),
            Err(m) => {
                errors.push(err(
                    line,
                    column(index[k]),
                    name,
                    format!("order \"{id}\": {m}"),
                    Some(
                        "times count from the start of the run and need a unit, e.g. 36h or 2d"
                            .into(),
                    ),
                ));
                None
            }
        };
        let arrival = time(3, "arrival");
        let due = time(4, "due");
        if let (Some(a), Some(d)) = (arrival, due)
            && d < a
        {
            errors.push(err(
                line,
                column(index[4]),
                "due",
                format!(
                    "order \"{id}\" is due ({}) before it arrives ({})",
                    get(4),
                    get(3)
                ),
                Some("the due date must not come before the arrival".into()),
            ));
        }
        if let (Some(product), Some(quantity), Some(arrival), Some(due)) =
            (product, quantity, arrival, due)
        {
            orders.push(BookOrder {
                id,
                product,
                quantity,
                arrival,
                due,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Arrival order; ties keep the file's order.
    orders.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    Ok(orders)
}
