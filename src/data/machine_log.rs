//! A plant's machine state log — one row per machine and stretch of time in
//! one state (`machine,state,start,end`, the shape an MES or OEE system
//! exports) — read, checked and analysed by the same active-period
//! bottleneck method the simulator uses ([`ActivePeriods`]).
//!
//! A machine is *active* while busy, in setup or down (as in the
//! simulator); waiting for people or material, idle (starved), blocked and
//! off shift are inactive. Machines may be grouped into stations (an
//! optional `station` column); a station is active while all its machines
//! are. Stretches the log does not cover count as *unlogged*: inactive.
//!
//! The shares are those of the whole observed window, computed by one
//! detector fed the whole log, so that a log written from a simulated
//! replication gives exactly the simulator's figures. Their 95% confidence
//! intervals come from batches (days, shifts or any length): each complete
//! batch is analysed as its own window, as a replication is, and the
//! spread of the batch shares gives a Student-t half-width around the
//! whole-window share.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::{ActivePeriods, DAY, HOUR};
use crate::stats::Estimate;

/// What a machine is doing, as far as bottlenecks and the time split care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateClass {
    /// Processing a part.
    Busy,
    /// Changing over.
    Setup,
    /// Broken down or under repair or maintenance.
    Down,
    /// Holding work but waiting for an operator, a technician or material.
    Waiting,
    /// Nothing to work on (starved).
    Idle,
    /// Finished work with no room downstream.
    Blocked,
    /// Not scheduled: off shift, break, planned downtime.
    Off,
}

impl StateClass {
    /// Every class, in the order of the time split.
    pub const ALL: [StateClass; 7] = [
        StateClass::Busy,
        StateClass::Setup,
        StateClass::Down,
        StateClass::Waiting,
        StateClass::Idle,
        StateClass::Blocked,
        StateClass::Off,
    ];

    /// The class's name in outputs and in `--state-map`.
    pub fn name(self) -> &'static str {
        match self {
            StateClass::Busy => "busy",
            StateClass::Setup => "setup",
            StateClass::Down => "down",
            StateClass::Waiting => "waiting",
            StateClass::Idle => "idle",
            StateClass::Blocked => "blocked",
            StateClass::Off => "off",
        }
    }

    /// True for the states in which a machine is active (busy, in setup or
    /// down), as in the simulator.
    pub fn active(self) -> bool {
        matches!(
            self,
            StateClass::Busy | StateClass::Setup | StateClass::Down
        )
    }

    fn from_name(name: &str) -> Option<StateClass> {
        StateClass::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The state names understood without `--state-map` (compared after
/// [`normalise`]), and their class.
pub const DEFAULT_STATES: &[(&str, StateClass)] = &[
    ("busy", StateClass::Busy),
    ("running", StateClass::Busy),
    ("run", StateClass::Busy),
    ("producing", StateClass::Busy),
    ("production", StateClass::Busy),
    ("processing", StateClass::Busy),
    ("working", StateClass::Busy),
    ("setup", StateClass::Setup),
    ("set_up", StateClass::Setup),
    ("changeover", StateClass::Setup),
    ("down", StateClass::Down),
    ("failure", StateClass::Down),
    ("failed", StateClass::Down),
    ("breakdown", StateClass::Down),
    ("fault", StateClass::Down),
    ("repair", StateClass::Down),
    ("maintenance", StateClass::Down),
    ("unplanned_downtime", StateClass::Down),
    ("waiting", StateClass::Waiting),
    ("waiting_operator", StateClass::Waiting),
    ("no_operator", StateClass::Waiting),
    ("waiting_technician", StateClass::Waiting),
    ("waiting_material", StateClass::Waiting),
    ("starved_material", StateClass::Waiting),
    ("no_material", StateClass::Waiting),
    ("idle", StateClass::Idle),
    ("starved", StateClass::Idle),
    ("blocked", StateClass::Blocked),
    ("off", StateClass::Off),
    ("offshift", StateClass::Off),
    ("off_shift", StateClass::Off),
    ("planned_downtime", StateClass::Off),
    ("break", StateClass::Off),
    ("closed", StateClass::Off),
];

/// A state name as compared: trimmed, lower case, spaces and hyphens as
/// underscores (`"Planned Downtime"` → `planned_downtime`).
pub fn normalise(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// How state names map to classes: the defaults, overridden by
/// `--state-map` entries.
#[derive(Clone, Debug)]
pub struct StateMap(BTreeMap<String, StateClass>);

impl Default for StateMap {
    fn default() -> StateMap {
        StateMap(
            DEFAULT_STATES
                .iter()
                .map(|&(n, c)| (n.to_string(), c))
                .collect(),
        )
    }
}

impl StateMap {
    /// The defaults with the entries of `text` (`"RUN=busy,STOP=down"`)
    /// added or replacing them.
    pub fn parse(text: &str) -> Result<StateMap, String> {
        let mut map = StateMap::default();
        for entry in text.split(',').filter(|e| !e.trim().is_empty()) {
            let (name, class) = entry.split_once('=').ok_or_else(|| {
                format!("--state-map: `{entry}` is not NAME=CLASS, e.g. \"RUN=busy,STOP=down\"")
            })?;
            let class_name = normalise(class);
            let class = StateClass::from_name(&class_name).ok_or_else(|| {
                let names = StateClass::ALL.map(StateClass::name);
                let hint = crate::scenario::did_you_mean(&class_name, names)
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                format!(
                    "--state-map: `{entry}`: unknown class `{}`; {hint}classes: {}",
                    class.trim(),
                    names.join(", ")
                )
            })?;
            let name = normalise(name);
            if name.is_empty() {
                return Err(format!("--state-map: `{entry}` has an empty state name"));
            }
            map.0.insert(name, class);
        }
        Ok(map)
    }

    /// The class of state `name`.
    pub fn class(&self, name: &str) -> Option<StateClass> {
        self.0.get(&normalise(name)).copied()
    }
}

/// The names of the log's columns (matched without regard to case).
#[derive(Clone, Debug)]
pub struct Columns {
    /// Machine name.
    pub machine: String,
    /// State name.
    pub state: String,
    /// Start of the stretch.
    pub start: String,
    /// End of the stretch.
    pub end: String,
    /// Station of the machine (optional column).
    pub station: String,
}

impl Default for Columns {
    fn default() -> Columns {
        Columns {
            machine: "machine".into(),
            state: "state".into(),
            start: "start".into(),
            end: "end".into(),
            station: "station".into(),
        }
    }
}

/// A bad machine log: where, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct LogError {
    /// The file.
    pub file: PathBuf,
    /// Data row (1 = the first row under the header) and its line in the
    /// file, if the problem is in one.
    pub row: Option<(u64, u64)>,
    /// The column, if the problem is in one.
    pub column: Option<String>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.file.display())?;
        if let Some((row, line)) = self.row {
            write!(f, ", row {row} (line {line})")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LogError {}

/// Times in a log: seconds (any origin) or ISO-8601 date-times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Plain numbers of seconds.
    Seconds,
    /// ISO-8601 date-times, held as seconds since 1970-01-01 (UTC when an
    /// offset is given; as written otherwise).
    Iso,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn digits(s: &str, what: &str) -> Result<i64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the {what} `{s}` is not a number"));
    }
    s.parse()
        .map_err(|_| format!("the {what} `{s}` is too large"))
}

/// Parses an ISO-8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fff]]` (a space
/// instead of `T` is fine), optionally followed by `Z` or an offset
/// `±HH:MM`; or a date alone (midnight). Returns seconds since 1970-01-01.
pub fn parse_iso(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], t[i + 1..].trim_start()),
        None => (t, ""),
    };
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(mo), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected a date YYYY-MM-DD".into());
    };
    let (y, mo, d) = (digits(y, "year")?, digits(mo, "month")?, digits(d, "day")?);
    if !(1..=9999).contains(&y) {
        return Err(format!("year {y} is not 1 to 9999"));
    }
    if !(1..=12).contains(&mo) {
        return Err(format!("month {mo} is not 1 to 12"));
    }
    let month_days =
        days_from_civil(y + i64::from(mo == 12), mo % 12 + 1, 1) - days_from_civil(y, mo, 1);
    if d < 1 || d > month_days {
        return Err(format!("day {d} is not in {y:04}-{mo:02}"));
    }
    let mut secs = days_from_civil(y, mo, d) as f64 * DAY;
    if rest.is_empty() {
        return Ok(secs);
    }
    // The time, then the zone.
    let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut hms = clock.trim().splitn(3, ':');
    let h = digits(hms.next().unwrap_or(""), "hour")?;
    let m = digits(hms.next().unwrap_or(""), "minute")?;
    let s: f64 = match hms.next() {
        None => 0.0,
        Some(s) => {
            let (whole, frac) = s.split_once(['.', ',']).unwrap_or((s, ""));
            let whole = digits(whole, "second")?;
            let frac = if frac.is_empty() {
                0.0
            } else {
                digits(frac, "fraction of a second")?;
                format!("0.{frac}")
                    .parse::<f64>()
                    .map_err(|_| format!("`{s}` is not a number of seconds"))?
            };
            whole as f64 + frac
        }
    };
    if h > 24 || m > 59 || s >= 61.0 || (h == 24 && (m > 0 || s > 0.0)) {
        return Err(format!("{clock} is not a time of day"));
    }
    secs += h as f64 * HOUR + m as f64 * 60.0 + s;
    match zone {
        "" | "Z" | "z" => {}
        z => {
            let sign = if z.starts_with('-') { 1.0 } else { -1.0 };
            let (zh, zm) = z[1..].split_once(':').unwrap_or((&z[1..], "00"));
            let zh = digits(zh, "offset hour")?;
            let zm = digits(zm, "offset minute")?;
            if zh > 23 || zm > 59 {
                return Err(format!("`{z}` is not a time-zone offset"));
            }
            secs += sign * (zh as f64 * HOUR + zm as f64 * 60.0);
        }
    }
    Ok(secs)
}

/// Formats seconds since 1970-01-01 as `YYYY-MM-DDTHH:MM:SS` (to the
/// second).
pub fn format_iso(secs: f64) -> String {
    if !secs.is_finite() {
        return String::new();
    }
    let whole = secs.round() as i64;
    let (days, rest) = (whole.div_euclid(86_400), whole.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Parses a time of the log: a number of seconds or an ISO-8601
/// date-time.
pub fn parse_time(text: &str) -> Result<(f64, TimeFormat), String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty: expected a number of seconds or an ISO-8601 date-time".into());
    }
    if let Ok(x) = t.parse::<f64>() {
        if !x.is_finite() {
            return Err(format!("`{t}` is not a finite number of seconds"));
        }
        return Ok((x, TimeFormat::Seconds));
    }
    parse_iso(t)
        .map(|x| (x, TimeFormat::Iso))
        .map_err(|e| format!("cannot read `{t}` as a time ({e}): write seconds (e.g. 3600) or an ISO-8601 date-time (e.g. 2024-03-04T06:00:00)"))
}

/// One stretch of a machine in one state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stretch {
    /// Machine index into [`MachineLog::machines`].
    pub machine: u32,
    /// Its state's class.
    pub class: StateClass,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// A checked machine state log.
#[derive(Clone, Debug)]
pub struct MachineLog {
    /// Machine names, in order of first appearance.
    pub machines: Vec<String>,
    /// Resource names: the stations (in order of first appearance), or the
    /// machines themselves without a station column.
    pub resources: Vec<String>,
    /// Per machine: its resource.
    pub resource_of: Vec<u32>,
    /// True when machines are grouped into stations.
    pub grouped: bool,
    /// The stretches, in file order.
    pub stretches: Vec<Stretch>,
    /// How the times were written.
    pub format: TimeFormat,
}

impl MachineLog {
    /// First start and last end.
    pub fn span(&self) -> (f64, f64) {
        self.stretches
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), s| {
                (a.min(s.start), b.max(s.end))
            })
    }

    /// Machines per resource.
    pub fn units(&self) -> Vec<u32> {
        let mut units = vec![0u32; self.resources.len()];
        for &r in &self.resource_of {
            units[r as usize] += 1;
        }
        units
    }
}

/// Reads and checks the machine log `path`.
pub fn read_log(path: &Path, columns: &Columns, states: &StateMap) -> Result<MachineLog, LogError> {
    let err = |message: String| LogError {
        file: path.to_path_buf(),
        row: None,
        column: None,
        message,
    };
    // A log may be large, so it is streamed, not read whole under a cap;
    // but a FIFO or a device (`/dev/zero`) would never end.
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot open it: {e}")))?;
    if !meta.is_file() {
        return Err(err(format!(
            "it is {}, not a regular file",
            crate::scenario::file_kind(&meta.file_type())
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot open it: {e}")))?;
    parse_log(path, file, columns, states)
}

/// Reads and checks a machine log from `input`; `path` names it in errors.
pub fn parse_log(
    path: &Path,
    input: impl Read,
    columns: &Columns,
    states: &StateMap,
) -> Result<MachineLog, LogError> {
    let at = |row: Option<(u64, u64)>, column: Option<&str>, message: String| LogError {
        file: path.to_path_buf(),
        row,
        column: column.map(str::to_string),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = rdr
        .headers()
        .map_err(|e| at(None, None, format!("cannot read the header: {e}")))?
        .clone();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
    };
    let need = |name: &str, flag: &str| {
        find(name).ok_or_else(|| {
            let have: Vec<&str> = header.iter().collect();
            let hint = crate::scenario::did_you_mean(name, have.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            at(
                None,
                Some(name),
                format!(
                    "the header has no column `{name}`; {hint}the columns are {}; name another with {flag}",
                    have.join(", ")
                ),
            )
        })
    };
    let c_machine = need(&columns.machine, "--machine-column")?;
    let c_state = need(&columns.state, "--state-column")?;
    let c_start = need(&columns.start, "--start-column")?;
    let c_end = need(&columns.end, "--end-column")?;
    let c_station = find(&columns.station);

    let mut machines: Vec<String> = Vec::new();
    let mut machine_ix: BTreeMap<String, u32> = BTreeMap::new();
    let mut resources: Vec<String> = Vec::new();
    let mut resource_ix: BTreeMap<String, u32> = BTreeMap::new();
    let mut resource_of: Vec<u32> = Vec::new();
    // Per machine: the row that set its station.
    let mut station_row: Vec<u64> = Vec::new();
    let mut stretches = Vec::new();
    let mut rows = Vec::new();
    let mut format: Option<(TimeFormat, u64)> = None;
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(at(
                    line.map(|l| (row + 1, l)),
                    None,
                    format!("not a well-formed CSV row: {e}"),
                ));
            }
        }
        row += 1;
        let line = record.position().map_or(row + 1, |p| p.line());
        let here = Some((row, line));
        let cell = |c: usize| record.get(c).unwrap_or("");
        let machine = cell(c_machine);
        if machine.is_empty() {
            return Err(at(
                here,
                Some(&columns.machine),
                "empty machine name".into(),
            ));
        }
        let state = cell(c_state);
        let class = states.class(state).ok_or_else(|| {
            let known: Vec<&str> = states.0.keys().map(String::as_str).collect();
            let hint = crate::scenario::did_you_mean(&normalise(state), known)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            at(
                here,
                Some(&columns.state),
                format!(
                    "unknown state `{state}`; {hint}map it to a class with --state-map \"{}=busy\" (classes: busy, setup, down, waiting, idle, blocked, off)",
                    if state.is_empty() { "NAME" } else { state }
                ),
            )
        })?;
        let mut time = |c: usize, name: &str| -> Result<f64, LogError> {
            let (t, f) = parse_time(cell(c)).map_err(|e| at(here, Some(name), e))?;
            match format {
                None => format = Some((f, row)),
                Some((g, first)) if g != f => {
                    let say = |f: TimeFormat| match f {
                        TimeFormat::Seconds => "seconds",
                        TimeFormat::Iso => "ISO-8601 date-times",
                    };
                    return Err(at(
                        here,
                        Some(name),
                        format!(
                            "this time is in {} but row {first} gives {}: write all times one way",
                            say(f),
                            say(g)
                        ),
                    ));
                }
                Some(_) => {}
            }
            Ok(t)
        };
        let start = time(c_start, &columns.start)?;
        let end = time(c_end, &columns.end)?;
        if end < start {
            return Err(at(
                here,
                Some(&columns.end),
                format!(
                    "the stretch ends ({}) before it starts ({})",
                    cell(c_end),
                    cell(c_start)
                ),
            ));
        }
        let m = match machine_ix.get(machine) {
            Some(&m) => m,
            None => {
                let m = machines.len() as u32;
                machines.push(machine.to_string());
                machine_ix.insert(machine.to_string(), m);
                resource_of.push(u32::MAX);
                station_row.push(row);
                m
            }
        };
        // The machine's resource: its station, or itself.
        let (resource, column) = match c_station {
            Some(c) => (cell(c), columns.station.as_str()),
            None => (machine, columns.machine.as_str()),
        };
        if resource.is_empty() {
            return Err(at(
                here,
                Some(column),
                format!(
                    "empty station: every row of a log with a `{}` column names the station of its machine",
                    columns.station
                ),
            ));
        }
        let r = match resource_ix.get(resource) {
            Some(&r) => r,
            None => {
                let r = resources.len() as u32;
                resources.push(resource.to_string());
                resource_ix.insert(resource.to_string(), r);
                r
            }
        };
        let mi = m as usize;
        if resource_of[mi] == u32::MAX {
            resource_of[mi] = r;
        } else if resource_of[mi] != r {
            return Err(at(
                here,
                Some(column),
                format!(
                    "machine `{machine}` is at station `{resource}` here but at `{}` in row {}: a machine belongs to one station",
                    resources[resource_of[mi] as usize], station_row[mi]
                ),
            ));
        }
        stretches.push(Stretch {
            machine: m,
            class,
            start,
            end,
        });
        rows.push((row, line));
    }
    if stretches.is_empty() {
        return Err(at(
            None,
            None,
            "no rows under the header: the log is empty".into(),
        ));
    }
    // A machine is in one state at a time.
    let mut order: Vec<u32> = (0..stretches.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&stretches[a as usize], &stretches[b as usize]);
        x.machine
            .cmp(&y.machine)
            .then(x.start.total_cmp(&y.start))
            .then(x.end.total_cmp(&y.end))
    });
    for w in order.windows(2) {
        let (a, b) = (&stretches[w[0] as usize], &stretches[w[1] as usize]);
        if a.machine == b.machine && b.start < a.end {
            let (ra, rb) = (rows[w[0] as usize], rows[w[1] as usize]);
            let (first, second) = if ra.0 < rb.0 { (ra, rb) } else { (rb, ra) };
            return Err(at(
                Some(second),
                Some(&columns.start),
                format!(
                    "machine `{}` is in two states at once: this row overlaps row {} (line {}); a machine's stretches must not overlap",
                    machines[a.machine as usize], first.0, first.1
                ),
            ));
        }
    }
    Ok(MachineLog {
        machines,
        resources,
        resource_of,
        grouped: c_station.is_some(),
        stretches,
        format: format.map_or(TimeFormat::Seconds, |f| f.0),
    })
}

/// How to batch the window for confidence intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Batching {
    /// Batch length, seconds.
    pub length: f64,
    /// Batches start at `offset` + k × `length` (seconds from the time
    /// origin: midnight for ISO times).
    pub offset: f64,
}

impl Batching {
    /// Parses `--batch`: `day`, `shift` (8 h), `week` or a duration
    /// (`"12h"`).
    pub fn parse(text: &str, offset: f64) -> Result<Batching, String> {
        let length = match normalise(text).as_str() {
            "day" | "daily" => DAY,
            "shift" => 8.0 * HOUR,
            "week" | "weekly" => 7.0 * DAY,
            _ => crate::scenario::parse_duration(text).map_err(|e| {
                format!("--batch: {e}; write day, shift (8 hours), week or a duration such as 12h")
            })?,
        };
        if length.is_nan() || length <= 0.0 {
            return Err("--batch: the batch length must be above 0".into());
        }
        Ok(Batching { length, offset })
    }
}

/// Parses `--batch-start` (`"06:00"`): the time of day batches start.
pub fn parse_time_of_day(text: &str) -> Result<f64, String> {
    let (h, m) = text.trim().split_once(':').ok_or_else(|| {
        format!("--batch-start `{text}`: write a time of day as HH:MM, e.g. 06:00")
    })?;
    let (h, m) = (
        digits(h.trim(), "hour").map_err(|e| format!("--batch-start: {e}"))?,
        digits(m.trim(), "minute").map_err(|e| format!("--batch-start: {e}"))?,
    );
    if h > 23 || m > 59 {
        return Err(format!("--batch-start `{text}` is not a time of day"));
    }
    Ok(h as f64 * HOUR + m as f64 * 60.0)
}

/// A share with its 95% confidence interval over batches.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Share {
    /// Share of the whole window (0–1).
    pub share: f64,
    /// Half-width of the 95% CI (NaN below two complete batches).
    pub half_width: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Share {
    fn new(share: f64, batches: &[f64]) -> Share {
        // The batch means' Student-t interval, centred on the whole
        // window's share.
        let half_width = Estimate::from_values(batches.iter().copied()).half_width;
        Share {
            share,
            half_width,
            low: share - half_width,
            high: share + half_width,
        }
    }
}

/// One station's (or machine's) figures.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceFigures {
    /// Station or machine name.
    pub name: String,
    /// Machines in it.
    pub machines: u32,
    /// Share of the window it was the sole bottleneck.
    pub sole: Share,
    /// Share of the window it was a shifting bottleneck.
    pub shifting: Share,
    /// Sole + shifting.
    pub total: Share,
    /// Share of its machine time in each class of [`StateClass::ALL`]
    /// order, then unlogged.
    pub split: [f64; 8],
}

/// One batch's bottleneck shares per resource.
#[derive(Clone, Debug, Serialize)]
pub struct BatchFigures {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds (the window's end for the last, partial one).
    pub end: f64,
    /// True when the batch is a whole batch length inside the window (only
    /// those make the confidence intervals).
    pub complete: bool,
    /// Per resource: sole share of the batch.
    pub sole: Vec<f64>,
    /// Per resource: shifting share of the batch.
    pub shifting: Vec<f64>,
}

/// The analysis of a machine log.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Start of the analysed window, seconds.
    pub from: f64,
    /// End of the analysed window, seconds.
    pub to: f64,
    /// How the log writes times.
    pub format: TimeFormat,
    /// Batch length, seconds.
    pub batch_seconds: f64,
    /// Complete batches (the degrees of freedom of the CIs plus one).
    pub complete_batches: usize,
    /// Per station (or machine), in order of first appearance.
    pub resources: Vec<ResourceFigures>,
    /// Index of the primary bottleneck (largest sole + shifting; the first
    /// on a tie), None when nothing was ever active.
    pub primary: Option<usize>,
    /// Times the bottleneck shifted in the window.
    pub shifts: u64,
    /// The batches.
    pub batches: Vec<BatchFigures>,
}

impl Analysis {
    /// A time of the window as written in the log (ISO or seconds).
    pub fn show_time(&self, t: f64) -> String {
        match self.format {
            TimeFormat::Iso => format_iso(t),
            TimeFormat::Seconds => format!("{t}"),
        }
    }
}

/// The most batches a window may be cut into.
pub const MAX_BATCHES: usize = 100_000;

/// Active periods start or end: `(time, is_start, machine)`.
type Change = (f64, bool, u32);

/// Analyses `log` over `[from, to]` (default: the log's span).
pub fn analyse(
    log: &MachineLog,
    from: Option<f64>,
    to: Option<f64>,
    batching: Batching,
) -> Result<Analysis, String> {
    let (first, last) = log.span();
    let from = from.unwrap_or(first);
    let to = to.unwrap_or(last);
    if to.is_nan() || from.is_nan() || to <= from {
        return Err(format!(
            "the window is empty: it must end after it starts (from {from}, to {to})"
        ));
    }
    let units = log.units();
    let machines = log.machines.len();
    let resources = units.len();

    // The active periods of each machine: its active stretches, back to
    // back ones joined by the detector. Ends sort before starts at the same
    // moment, so a machine that goes from busy to setup stays active.
    let mut changes: Vec<Change> = Vec::with_capacity(2 * log.stretches.len());
    let mut split = vec![[0.0f64; 7]; machines];
    for s in &log.stretches {
        if s.class.active() && s.end > s.start && s.start < to {
            changes.push((s.start, true, s.machine));
            if s.end < to {
                changes.push((s.end, false, s.machine));
            }
        }
        let clipped = s.end.min(to) - s.start.max(from);
        if clipped > 0.0 {
            split[s.machine as usize][s.class as usize] += clipped;
        }
    }
    changes.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

    let mut whole = ActivePeriods::with_units(&units, from);
    let mut on = vec![false; machines];
    // Before the window: the whole-window detector only (the periods
    // running at its start count whole, as after a simulator's warm-up).
    let before = changes.partition_point(|c| c.0 < from);
    for &(t, start, m) in &changes[..before] {
        if on[m as usize] != start {
            on[m as usize] = start;
            whole.unit_changed(log.resource_of[m as usize], t, start);
        }
    }
    // Batches from the boundary at or before `from`; each one is its own
    // window, opened with the machines active at its start.
    let len = batching.length;
    let mut batches = Vec::new();
    let mut b_start = batching.offset + ((from - batching.offset) / len).floor() * len;
    if (to - b_start) / len > MAX_BATCHES as f64 {
        return Err(format!(
            "--batch: a batch of {len} s cuts the window into more than {MAX_BATCHES} batches; choose a longer one"
        ));
    }
    let open = |at: f64, on: &[bool]| {
        let mut d = ActivePeriods::with_units(&units, at);
        for (m, _) in on.iter().enumerate().filter(|(_, a)| **a) {
            d.unit_changed(log.resource_of[m], at, true);
        }
        d
    };
    let close = |d: ActivePeriods, start: f64, batches: &mut Vec<BatchFigures>| {
        let end = start + len;
        let (s, e) = (start.max(from), end.min(to));
        let t = d.finish(e);
        let span = e - s;
        batches.push(BatchFigures {
            start: s,
            end: e,
            complete: s == start && e == end,
            sole: t.sole.iter().map(|x| x / span).collect(),
            shifting: t.shifting.iter().map(|x| x / span).collect(),
        });
    };
    let mut batch = open(from, &on);
    for &(t, start, m) in &changes[before..] {
        while t >= b_start + len {
            let done = std::mem::replace(&mut batch, open(b_start + len, &on));
            close(done, b_start, &mut batches);
            b_start += len;
        }
        // Per machine, starts and ends alternate (stretches do not
        // overlap), so the detectors' counts stay in range.
        if on[m as usize] != start {
            on[m as usize] = start;
            let r = log.resource_of[m as usize];
            whole.unit_changed(r, t, start);
            batch.unit_changed(r, t, start);
        }
    }
    while b_start + len < to {
        let done = std::mem::replace(&mut batch, open(b_start + len, &on));
        close(done, b_start, &mut batches);
        b_start += len;
    }
    close(batch, b_start, &mut batches);
    let times = whole.finish(to);

    let span = to - from;
    let complete: Vec<&BatchFigures> = batches.iter().filter(|b| b.complete).collect();
    let mut out = Vec::with_capacity(resources);
    let mut machine_split = vec![[0.0f64; 8]; resources];
    for (m, s) in split.iter().enumerate() {
        let r = log.resource_of[m] as usize;
        for (k, x) in s.iter().enumerate() {
            machine_split[r][k] += x;
        }
    }
    for r in 0..resources {
        let per = |f: fn(&BatchFigures, usize) -> f64| -> Vec<f64> {
            complete.iter().map(|b| f(b, r)).collect()
        };
        let sole = times.sole[r] / span;
        let shifting = times.shifting[r] / span;
        let machine_time = f64::from(units[r]) * span;
        let mut sp = machine_split[r].map(|x| x / machine_time);
        sp[7] = (1.0 - sp[..7].iter().sum::<f64>()).max(0.0);
        out.push(ResourceFigures {
            name: log.resources[r].clone(),
            machines: units[r],
            sole: Share::new(sole, &per(|b, r| b.sole[r])),
            shifting: Share::new(shifting, &per(|b, r| b.shifting[r])),
            total: Share::new(sole + shifting, &per(|b, r| b.sole[r] + b.shifting[r])),
            split: sp,
        });
    }
    let primary = out
        .iter()
        .enumerate()
        .filter(|(_, f)| f.total.share > 0.0)
        .fold(None::<(usize, f64)>, |best, (i, f)| match best {
            Some((_, b)) if b >= f.total.share => best,
            _ => Some((i, f.total.share)),
        })
        .map(|(i, _)| i);
    Ok(Analysis {
        from,
        to,
        format: log.format,
        batch_seconds: len,
        complete_batches: complete.len(),
        resources: out,
        primary,
        shifts: times.shifts,
        batches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> MachineLog {
        parse_log(
            Path::new("t.csv"),
            text.as_bytes(),
            &Columns::default(),
            &StateMap::default(),
        )
        .unwrap()
    }

    const DAYS: Batching = Batching {
        length: DAY,
        offset: 0.0,
    };

    #[test]
    fn iso_times_round_trip_and_offsets_shift_them() {
        let t = parse_iso("2024-03-04T06:30:15").unwrap();
        assert_eq!(t, 19_786.0 * DAY + 6.5 * HOUR + 15.0);
        assert_eq!(format_iso(t), "2024-03-04T06:30:15");
        assert_eq!(parse_iso("2024-03-04 06:30:15.5Z").unwrap(), t + 0.5);
        assert_eq!(parse_iso("2024-03-04T07:30:15+01:00").unwrap(), t);
        assert_eq!(parse_iso("2024-03-04").unwrap(), 19_786.0 * DAY);
        assert_eq!(
            format_iso(parse_iso("2000-02-29T23:59:59").unwrap()),
            "2000-02-29T23:59:59"
        );
        for bad in [
            "2023-02-29T00:00",
            "2024-13-01",
            "2024-03-04T25:00",
            "2024-03-04T06:61",
            "x",
        ] {
            assert!(parse_iso(bad).is_err(), "{bad}");
        }
    }

    /// The hand trace of the detector's own tests (A 0–10, B 8–20, C
    /// 12–14 inside B), from a log: states that are not active (idle,
    /// blocked) leave gaps, busy → setup continues a period.
    #[test]
    fn a_hand_traced_shift_from_a_log() {
        let l = log("machine,state,start,end\n\
             A,running,0,6\nA,setup,6,10\nA,idle,10,30\n\
             B,blocked,0,8\nB,busy,8,20\n\
             C,busy,12,14\nC,Planned Downtime,14,30\n");
        let a = analyse(&l, None, Some(30.0), DAYS).unwrap();
        let sole: Vec<f64> = a.resources.iter().map(|r| r.sole.share * 30.0).collect();
        let shifting: Vec<f64> = a
            .resources
            .iter()
            .map(|r| r.shifting.share * 30.0)
            .collect();
        assert_eq!(sole, [8.0, 10.0, 0.0]);
        assert_eq!(shifting, [2.0, 2.0, 0.0]);
        assert_eq!(a.shifts, 1);
        assert_eq!(a.primary, Some(1));
        // B: blocked 8, busy 12, unlogged 10 of 30.
        let b = &a.resources[1].split;
        assert_eq!(b[StateClass::Busy as usize] * 30.0, 12.0);
        assert_eq!(b[StateClass::Blocked as usize] * 30.0, 8.0);
        assert!((b[7] * 30.0 - 10.0).abs() < 1e-12);
        assert_eq!(a.resources[2].split[StateClass::Off as usize] * 30.0, 16.0);
    }

    /// Over three days, A works 0–12 h each day and B 12–24 h on days 1
    /// and 2 only: A's batch shares are 0.5, 0.5, 0.5; B's 0.5, 0.5, 0;
    /// the CIs follow from those, around the whole-window shares.
    #[test]
    fn batches_give_student_t_intervals() {
        let h = HOUR;
        let text = format!(
            "machine,state,start,end\n\
             A,busy,0,{}\nA,busy,{},{}\nA,busy,{},{}\n\
             B,busy,{},{}\nB,busy,{},{}\n",
            12.0 * h,
            24.0 * h,
            36.0 * h,
            48.0 * h,
            60.0 * h,
            12.0 * h,
            24.0 * h,
            36.0 * h,
            48.0 * h
        );
        let a = analyse(&log(&text), Some(0.0), Some(72.0 * h), DAYS).unwrap();
        assert_eq!(a.complete_batches, 3);
        let ra = &a.resources[0];
        assert_eq!(ra.sole.share, 0.5);
        assert_eq!(ra.sole.half_width, 0.0);
        let rb = &a.resources[1];
        assert!((rb.sole.share - 1.0 / 3.0).abs() < 1e-12);
        // Batch shares 0.5, 0.5, 0: sd = sqrt(1/12), t(2) = 4.303.
        let want = 4.302_652_729_911 * (1.0f64 / 12.0).sqrt() / 3f64.sqrt();
        assert!(
            (rb.sole.half_width - want).abs() < 1e-9,
            "{}",
            rb.sole.half_width
        );
        assert!((rb.sole.low - (1.0 / 3.0 - want)).abs() < 1e-9);
    }

    #[test]
    fn state_maps_add_and_replace_names() {
        let m = StateMap::parse("RUN=busy, Stop = Down,idle=off").unwrap();
        assert_eq!(m.class("run"), Some(StateClass::Busy));
        assert_eq!(m.class("STOP"), Some(StateClass::Down));
        assert_eq!(m.class("Idle"), Some(StateClass::Off));
        assert_eq!(m.class("Running"), Some(StateClass::Busy));
        assert!(StateMap::parse("RUN").is_err());
        assert!(StateMap::parse("=busy").is_err());
    }
}
