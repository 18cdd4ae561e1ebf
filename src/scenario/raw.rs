//! The literal serde image of a scenario file, with source spans.
//!
//! Nothing here is checked beyond TOML types and known keys; `validate`
//! turns it into a [`crate::model::Factory`].

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: Spanned<RawSimulation>,
    #[serde(default)]
    pub stations: IndexMap<String, Spanned<RawStation>>,
    #[serde(default)]
    pub products: IndexMap<String, Spanned<RawProduct>>,
    /// `[workers.NAME]` pools.
    #[serde(default)]
    pub workers: IndexMap<String, Spanned<RawPool>>,
    /// `[calendars.NAME]` shift calendars.
    #[serde(default)]
    pub calendars: IndexMap<String, Spanned<RawCalendar>>,
    /// `[contractors.NAME]` contract manufacturers.
    #[serde(default)]
    pub contractors: IndexMap<String, Spanned<RawContractor>>,
    /// `[orders]`: the order book and the release rule.
    pub orders: Option<Spanned<RawOrderPolicy>>,
    /// `[costs]`: plant-wide cost rates.
    pub costs: Option<Spanned<RawCosts>>,
    /// `[materials.NAME]`: raw materials and their stores.
    #[serde(default)]
    pub materials: IndexMap<String, Spanned<RawMaterial>>,
    /// `[suppliers.NAME]`: suppliers of raw materials.
    #[serde(default)]
    pub suppliers: IndexMap<String, Spanned<RawSupplier>>,
    /// `[movers.NAME]`: pools of movers carrying parts between stations.
    #[serde(default)]
    pub movers: IndexMap<String, Spanned<RawMover>>,
    /// `[transport]`: distances or travel times between stations.
    pub transport: Option<Spanned<RawTransport>>,
    /// `[[variant]]` tables: a name and overrides by field path.
    #[serde(default)]
    pub variant: Vec<Spanned<RawOverrides>>,
    /// `[[sweep]]` tables: a name and a list of values per field path.
    #[serde(default)]
    pub sweep: Vec<Spanned<RawOverrides>>,
    /// `[optimize]`: decision variables, objective and constraints for
    /// `shopfloor optimize` (see `scenario/optimize.rs`).
    pub optimize: Option<Spanned<super::optimize::RawOptimize>>,
    /// `[levers.NAME]`: named bundles of overrides (see
    /// `scenario/levers.rs`).
    #[serde(default)]
    pub levers: IndexMap<String, Spanned<RawOverrides>>,
}

/// The body of a `[[variant]]` or `[[sweep]]`: `name = "…"` and
/// `"path.to.field" = value` pairs, kept with their spans.
pub type RawOverrides = IndexMap<Spanned<String>, Spanned<toml::Value>>;

/// `[simulation]`: run length and replications.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub horizon: Spanned<RawDuration>,
    pub warmup: Option<Spanned<RawDuration>>,
    pub period: Option<Spanned<RawDuration>>,
    pub replications: Option<Spanned<i64>>,
    pub seed: Option<Spanned<i64>>,
    pub max_parts: Option<Spanned<i64>>,
}

/// `[stations.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    pub machines: Option<Spanned<i64>>,
    pub buffer: Option<Spanned<RawCapacity>>,
    pub blocking: Option<Spanned<String>>,
    pub operator_rule: Option<Spanned<String>>,
    pub calendar: Option<Spanned<String>>,
    pub failures: Option<Spanned<RawFailures>>,
    pub maintenance: Option<Spanned<RawMaintenance>>,
    pub dispatch: Option<Spanned<String>>,
    /// Parts of one family in a row under `dispatch = "campaign"`.
    pub campaign_limit: Option<Spanned<i64>>,
    /// A batch station: `batch = { min = 10, max = 30, wait_up_to = "30m" }`.
    pub batch: Option<Spanned<RawBatch>>,
    pub overflow: Option<Spanned<String>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    pub capital_per_machine: Option<Spanned<f64>>,
    pub fixed_cost_per_week: Option<Spanned<f64>>,
    /// Mover pool that carries the parts leaving the station.
    pub mover: Option<Spanned<String>>,
    /// Run the `automated` specification instead.
    pub automate: Option<Spanned<bool>>,
    pub automated: Option<Spanned<RawAutomation>>,
}

/// `batch = { … }` of a station.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBatch {
    pub min: Option<Spanned<i64>>,
    pub max: Spanned<i64>,
    pub wait_up_to: Option<Spanned<RawDuration>>,
    /// What parts sharing a batch have in common: only "family".
    pub by: Option<Spanned<String>>,
}

/// `[stations.NAME.automated]`: the station once automated.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutomation {
    /// The automated machines stand beside the manual ones instead of
    /// replacing them (a mixed station).
    pub alongside: Option<Spanned<bool>>,
    pub machines: Option<Spanned<i64>>,
    pub process_factor: Option<Spanned<f64>>,
    pub operators: Option<Spanned<i64>>,
    pub failures: Option<Spanned<RawFailures>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    pub capital: Spanned<f64>,
    pub life: Spanned<RawDuration>,
}

/// `[movers.NAME]`: a pool of movers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMover {
    pub count: Spanned<i64>,
    /// `"1.2 m/s"`, `"70 m/min"` or `"4 km/h"`; needed with distances.
    pub speed: Option<Spanned<String>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    /// Station where the movers start.
    pub home: Option<Spanned<String>>,
}

/// `[transport]`: the legs movers travel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransport {
    pub legs: Spanned<Vec<Spanned<RawLeg>>>,
}

/// `{ from = "a", to = "b", distance = "30 m" }` or `{ …, time = "2m" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLeg {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub distance: Option<Spanned<String>>,
    pub time: Option<Spanned<RawDist>>,
}

/// `[contractors.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContractor {
    pub capacity_per_week: Option<Spanned<i64>>,
    pub lead_time: Spanned<RawDist>,
    pub prices: Spanned<IndexMap<String, Spanned<f64>>>,
    pub defect_rate: Option<Spanned<f64>>,
}

/// `[orders]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrderPolicy {
    pub book: Option<Spanned<String>>,
    pub release: Option<Spanned<String>>,
    pub wip_cap: Option<Spanned<i64>>,
}

/// `[costs]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    pub wip_holding_per_hour: Option<Spanned<f64>>,
    pub stock_holding_per_hour: Option<Spanned<f64>>,
    pub late_penalty_per_unit_day: Option<Spanned<f64>>,
    pub lost_sale_penalty: Option<Spanned<f64>>,
    pub payback_within_years: Option<Spanned<f64>>,
    pub currency: Option<Spanned<String>>,
}

/// `orders = { interarrival = …, quantity = …, due_in = … }` of a product.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrderProcess {
    pub interarrival: Spanned<RawDist>,
    pub quantity: Option<Spanned<RawDist>>,
    pub due_in: Spanned<RawDist>,
    pub rate_by_hour: Option<Spanned<Vec<Spanned<f64>>>>,
    pub rate_by_weekday: Option<Spanned<Vec<Spanned<f64>>>>,
    pub rate_by_week: Option<Spanned<Vec<Spanned<f64>>>>,
}

/// `outsource = { to = "…", share = 0.2 }` or `{ to = "…", backlog_above = 50 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutsource {
    pub to: Spanned<String>,
    pub share: Option<Spanned<f64>>,
    pub backlog_above: Option<Spanned<i64>>,
}

/// `[workers.NAME]`: a pool of interchangeable workers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    pub count: Spanned<i64>,
    pub stations: Option<Spanned<Vec<Spanned<String>>>>,
    pub wage: Option<Spanned<f64>>,
    pub overtime_premium: Option<Spanned<f64>>,
    pub calendar: Option<Spanned<String>>,
    pub absence: Option<Spanned<f64>>,
    pub fatigue: Option<Spanned<RawFatigue>>,
    /// Head count by shift name of the pool's calendar: `{ early = 3 }`.
    pub count_by_shift: Option<Spanned<IndexMap<String, Spanned<i64>>>>,
}

/// `fatigue = { after = "8h", process_factor = 1.1, scrap_add = 0.01 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFatigue {
    pub after: Spanned<RawDuration>,
    pub process_factor: Option<Spanned<f64>>,
    pub scrap_add: Option<Spanned<f64>>,
}

/// `[calendars.NAME]`: when a pool works.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub shifts: Spanned<Vec<Spanned<RawShift>>>,
    pub days: Option<Spanned<Vec<Spanned<String>>>>,
    pub holidays: Option<Spanned<Vec<Spanned<i64>>>>,
    pub shift_end: Option<Spanned<String>>,
    pub overtime: Option<Spanned<Vec<Spanned<RawExtraShift>>>>,
    pub overtime_policy: Option<Spanned<RawOvertimePolicy>>,
}

/// `[calendars.NAME.overtime_policy]`: overtime authorised at a shift's
/// end when work piles up.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOvertimePolicy {
    pub extend_by: Spanned<RawDuration>,
    pub max_per_day: Option<Spanned<RawDuration>>,
    pub max_per_week: Option<Spanned<RawDuration>>,
    pub wip_above: Option<Spanned<i64>>,
    pub backlog_above: Option<Spanned<i64>>,
    pub queue_above: Option<Spanned<i64>>,
    pub station: Option<Spanned<String>>,
}

/// One shift of a day: `{ start = "06:00", end = "14:00", breaks = [...] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    /// A name for the shift (what `count_by_shift` of a pool refers to).
    pub name: Option<Spanned<String>>,
    pub start: Spanned<String>,
    pub end: Spanned<String>,
    #[serde(default)]
    pub breaks: Vec<Spanned<RawBreak>>,
}

/// A break within a shift.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreak {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

/// Scheduled overtime: extra hours on given weekdays, paid at the premium.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtraShift {
    pub days: Spanned<Vec<Spanned<String>>>,
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

/// `[stations.NAME.failures]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailures {
    pub time_to_failure: Spanned<RawDist>,
    pub repair: Spanned<RawDist>,
    pub clock: Option<Spanned<String>>,
    pub repair_crew: Option<Spanned<String>>,
}

/// `[stations.NAME.maintenance]`: preventive maintenance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenance {
    pub every: Option<Spanned<RawDuration>>,
    pub every_parts: Option<Spanned<i64>>,
    pub every_operating: Option<Spanned<RawDuration>>,
    pub duration: Spanned<RawDist>,
    pub crew: Option<Spanned<String>>,
    pub as_good_as_new: Option<Spanned<bool>>,
    pub cost: Option<Spanned<f64>>,
}

/// `[products.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    pub release: Option<Spanned<RawRelease>>,
    pub routing: Spanned<Vec<Spanned<RawOperation>>>,
    pub price: Option<Spanned<f64>>,
    pub material_cost: Option<Spanned<f64>>,
    pub priority: Option<Spanned<i64>>,
    /// Product family (recipe) for setups, campaigns and batches.
    pub family: Option<Spanned<String>>,
    pub orders: Option<Spanned<RawOrderProcess>>,
    pub stock: Option<Spanned<i64>>,
    pub patience: Option<Spanned<RawDuration>>,
    pub outsource: Option<Spanned<RawOutsource>>,
    pub late_penalty_per_unit_day: Option<Spanned<f64>>,
    /// Make-to-stock: "backorder" (the default) or "lose".
    pub on_shortage: Option<Spanned<String>>,
}

/// One entry of `routing`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperation {
    pub station: Option<Spanned<String>>,
    pub process: Option<Spanned<RawDist>>,
    /// A step done by a contractor instead of a station.
    pub subcontract: Option<Spanned<String>>,
    pub transport: Option<Spanned<RawDuration>>,
    /// With `subcontract` and a `station`: the share of the parts sent to
    /// the contractor; the others are processed at the station.
    pub share: Option<Spanned<f64>>,
    pub setup: Option<Spanned<RawDist>>,
    pub scrap: Option<Spanned<f64>>,
    pub rework: Option<Spanned<f64>>,
    pub rework_to: Option<Spanned<String>>,
    pub operators: Option<Spanned<i64>>,
    pub operator_for: Option<Spanned<RawDuration>>,
    /// Raw materials taken when the operation starts: `{ steel = 2 }`.
    pub materials: Option<Spanned<IndexMap<String, Spanned<i64>>>>,
    /// Products made in the plant assembled at this step: `{ door = 1 }`.
    pub components: Option<Spanned<IndexMap<String, Spanned<i64>>>>,
    /// Probability of leaving a hidden defect.
    pub defects: Option<Spanned<f64>>,
    /// An inspection: probability of detecting a hidden defect.
    pub inspect: Option<Spanned<f64>>,
    /// What a detected defect becomes: "scrap" (default) or "rework".
    pub on_defect: Option<Spanned<String>>,
    /// Mover pool carrying the part from this step to the next station
    /// (instead of the station's).
    pub mover: Option<Spanned<String>>,
}

/// `[materials.NAME]`: a raw material, its store and inventory policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaterial {
    pub unit_cost: Option<Spanned<f64>>,
    pub holding_per_hour: Option<Spanned<f64>>,
    pub initial_stock: Option<Spanned<i64>>,
    /// "min_max" (s, S), "reorder_point" (R, Q) or "periodic" (T, S).
    pub policy: Spanned<String>,
    pub reorder_point: Option<Spanned<i64>>,
    pub order_up_to: Option<Spanned<i64>>,
    pub order_quantity: Option<Spanned<i64>>,
    pub review_every: Option<Spanned<RawDuration>>,
    /// "share" (the default) or "cheapest".
    pub order_split: Option<Spanned<String>>,
    pub inspection: Option<Spanned<f64>>,
    pub defect_scrap: Option<Spanned<f64>>,
    /// "backorder" (the default) or "lose": what becomes of demand the
    /// stock cannot serve at once.
    pub on_shortage: Option<Spanned<String>>,
    /// Cost per unit lost (with on_shortage = "lose").
    pub lost_sale_cost: Option<Spanned<f64>>,
}

/// `[suppliers.NAME]`: a supplier of one material.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupplier {
    pub material: Spanned<String>,
    pub lead_time: Spanned<RawDist>,
    pub price: Option<Spanned<f64>>,
    pub min_order: Option<Spanned<i64>>,
    pub on_time: Option<Spanned<f64>>,
    pub late_by: Option<Spanned<RawDist>>,
    pub defect_rate: Option<Spanned<f64>>,
    pub share: Option<Spanned<f64>>,
    pub stock: Option<Spanned<i64>>,
    pub restock: Option<Spanned<RawRestock>>,
}

/// A supplier's `restock = { quantity = …, every = … }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRestock {
    pub quantity: Spanned<i64>,
    pub every: Spanned<RawDuration>,
}

/// `release = "saturated"` or `release = { interarrival = …, batch = … }`.
#[derive(Debug)]
pub enum RawRelease {
    Keyword(String),
    Arrivals(RawArrivals),
}

/// The table form of `release`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub interarrival: Spanned<RawDist>,
    pub batch: Option<Spanned<i64>>,
}

/// A buffer capacity: a count or `"unlimited"`.
#[derive(Debug)]
pub enum RawCapacity {
    Count(i64),
    Keyword(String),
}

/// A duration as written: `"5m"` (or a bare number, refused later with a
/// hint).
#[derive(Debug, Clone)]
pub enum RawDuration {
    Text(String),
    Number(f64),
}

/// A distribution: `"5m"` (a constant) or a table with `dist = "…"`.
#[derive(Debug)]
pub enum RawDist {
    Constant(RawDuration),
    Table(Box<RawDistTable>),
}

/// The table form of a distribution.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistTable {
    pub dist: Spanned<String>,
    pub value: Option<Spanned<RawDuration>>,
    pub mean: Option<Spanned<RawDuration>>,
    pub sd: Option<Spanned<RawDuration>>,
    pub cv: Option<Spanned<f64>>,
    pub min: Option<Spanned<RawDuration>>,
    pub mode: Option<Spanned<RawDuration>>,
    pub max: Option<Spanned<RawDuration>>,
    pub k: Option<Spanned<i64>>,
    pub shape: Option<Spanned<f64>>,
    pub scale: Option<Spanned<RawDuration>>,
    pub values: Option<Spanned<Vec<Spanned<RawDuration>>>>,
    pub weights: Option<Spanned<Vec<Spanned<f64>>>>,
}

// ---- hand-written deserializers for the "string or table" fields --------

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDuration;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration with a unit, e.g. \"90s\", \"45m\", \"8h\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDuration, E> {
                Ok(RawDuration::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDuration, E> {
                Ok(RawDuration::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDuration, E> {
                Ok(RawDuration::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDuration, E> {
                Ok(RawDuration::Number(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDist;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a duration like \"5m\" or a table like { dist = \"exponential\", mean = \"5m\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDist, E> {
                Ok(RawDist::Constant(RawDuration::Text(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDist, E> {
                Ok(RawDist::Constant(RawDuration::Number(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist, E> {
                Ok(RawDist::Constant(RawDuration::Number(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                RawDistTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| RawDist::Table(Box::new(t)))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawRelease {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawRelease;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "\"saturated\" or a table like { interarrival = { dist = \"exponential\", mean = \"5m\" } }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawRelease, E> {
                Ok(RawRelease::Keyword(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawRelease, A::Error> {
                RawArrivals::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawRelease::Arrivals)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawCapacity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCapacity;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number of parts or \"unlimited\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Keyword(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Count(v))
            }
        }
        d.deserialize_any(V)
    }
}
