//! Alerts on rising activity: is a group's activity in an area rising, and why?
//!
//! A [`Detector`] (built from an [`AlertConfig`], immutable, shareable) takes the incidents
//! of a period and the day to judge them at (`as_of`, passed in: the crate reads no clock
//! and no file) and returns [`Alert`]s, each with its numbers — observed against expected,
//! the tail probability — the events behind it with their evidence sentences, and a
//! one-line summary in English and Arabic.
//!
//! Series are counted per actor and area — governorate (admin 1) and district (admin 2) —
//! and per event family (ACLED event type) within the area. The recent window (default
//! 14 days) is compared with the baseline before it (default 180 days) through a
//! Gamma–Poisson model (see [`model`]); fatalities are scored apart. A group active in a
//! governorate where its baseline had nothing raises *first activity*; a group active in
//! several districts new to it raises *spread*. Findings about one actor and governorate
//! are folded into one alert (the district and family findings become its details), so
//! that one burst is one alert.

pub mod model;
mod text;

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A configuration that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// A parameter out of range: which, and why.
    #[error("alerts config: {field}: {message}")]
    Config {
        /// The parameter's name as in `alerts.toml`.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// `alerts.toml` is not valid TOML or has unknown keys.
    #[error("alerts config: {0}")]
    Toml(String),
}

/// The detector's parameters (the `[detector]` table of `alerts.toml`). The defaults and
/// the reasons for them are in the field docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// Days in the recent window, ending on `as_of` (default 14: two weeks is what desks
    /// report on, and long enough for a few incidents of a low-rate group).
    pub recent_days: u32,
    /// Days in the baseline, just before the recent window (default 180: half a year
    /// evens out seasons of fighting and still reflects the current phase of a conflict).
    pub baseline_days: u32,
    /// Days per baseline bin for the spike rule (default 7).
    pub bin_days: u32,
    /// How many of the largest baseline bins may be lowered as spikes (default 2: a few
    /// old spikes — one massacre, one offensive — do not mask a new rise). A bin is lowered
    /// to the larger of the next largest bin and 2 + twice the mean of the others (see
    /// [`model::winsorized_sum`]).
    pub spike_bins: usize,
    /// Prior incidents added to the baseline (default 0.5, with `prior_days`): an empty
    /// baseline still gives a small, nonzero expected rate rather than certainty (the
    /// Jeffreys prior of a Poisson rate).
    pub prior_events: f64,
    /// Prior days added to the baseline (default 0: any more would dilute the rate of a
    /// busy series and make it alarm too easily).
    pub prior_days: f64,
    /// Fewest recent incidents for a rise (default 3: two incidents are too easily one
    /// event reported twice, or a misplaced report).
    pub min_count: u64,
    /// Fewest times the expected count observed for a rise (default 2).
    pub min_ratio: f64,
    /// Largest tail probability that raises an alert (default 0.001: measured at about
    /// 0.2 false alarms per series-year on stationary series evaluated daily; see README).
    pub max_probability: f64,
    /// Fewest recent fatalities for a fatality alert (default 5).
    pub min_fatalities: u64,
    /// The dispersion of fatalities assumed when the baseline has fewer than 5 fatal
    /// incidents to measure it (default 3). Fatalities come in clusters: their total
    /// varies about Σx²/Σx times as much as a Poisson count of the same mean (x: the
    /// fatalities of each incident), and they are scored as clusters of that size, so
    /// that one deadly incident is not read as many. With 5 or more fatal incidents in the
    /// baseline (all series together) the ratio is measured there.
    pub fatality_cluster: f64,
    /// Fewest recent incidents for first activity in a governorate (default 2: a single
    /// report is too often a misplaced one).
    pub first_min_count: u64,
    /// Fewest districts new to a group for a spread alert (default 3).
    pub spread_min_new: usize,
    /// Count series per district as well as per governorate (default true).
    pub districts: bool,
    /// Count series per event family within an area (default true).
    pub families: bool,
    /// Count an incident for its target (actor 2) as well as its initiator (default
    /// false: a group's activity is what it does; a group attacked in an area is not
    /// thereby active there — an air strike on its positions is the air force's activity —
    /// and counting both sides would raise two alerts for one burst).
    pub count_targets: bool,
    /// Actors without series: generic ones, whose incidents are unrelated to each other
    /// (default civilians, unidentified, protesters, rioters).
    pub exclude_actors: Vec<String>,
    /// Incidents dated less precisely than this are left out (ACLED time precision;
    /// default 2: day or week, since a month cannot be placed in a 14-day window).
    pub max_time_precision: u8,
    /// Lowest incident confidence counted (default 0.0: every stored incident).
    pub min_confidence: f32,
    /// Events listed with each alert (default 5: most fatalities first, then newest).
    pub top_events: usize,
}

impl Default for AlertConfig {
    fn default() -> AlertConfig {
        AlertConfig {
            recent_days: 14,
            baseline_days: 180,
            bin_days: 7,
            spike_bins: 2,
            prior_events: 0.5,
            prior_days: 0.0,
            min_count: 3,
            min_ratio: 2.0,
            max_probability: 0.001,
            min_fatalities: 5,
            fatality_cluster: 3.0,
            first_min_count: 2,
            spread_min_new: 3,
            districts: true,
            families: true,
            count_targets: false,
            exclude_actors: ["civilians", "unidentified", "protesters", "rioters"]
                .map(String::from)
                .to_vec(),
            max_time_precision: 2,
            min_confidence: 0.0,
            top_events: 5,
        }
    }
}

impl AlertConfig {
    /// Reads the `[detector]` table of an `alerts.toml` text (see [`AlertsFile`]); absent
    /// keys keep their defaults; unknown keys are errors.
    pub fn from_toml(text: &str) -> Result<AlertConfig, AlertError> {
        Ok(AlertsFile::from_toml(text)?.detector)
    }

    /// Checks every parameter's range.
    pub fn validate(&self) -> Result<(), AlertError> {
        let bad = |field, message: &str| {
            Err(AlertError::Config {
                field,
                message: message.to_string(),
            })
        };
        if self.recent_days == 0 || self.recent_days > 366 {
            return bad("recent_days", "must be 1 to 366");
        }
        if self.bin_days == 0 {
            return bad("bin_days", "must be at least 1");
        }
        if self.baseline_days < self.bin_days * (self.spike_bins as u32 + 1)
            || self.baseline_days > 3660
        {
            return bad(
                "baseline_days",
                "must hold more bins than spike_bins, and at most 3660 days",
            );
        }
        if !(self.prior_events > 0.0 && self.prior_events.is_finite()) {
            return bad("prior_events", "must be above 0");
        }
        if !(self.prior_days >= 0.0 && self.prior_days.is_finite()) {
            return bad("prior_days", "must be 0 or more");
        }
        if !(self.max_probability > 0.0 && self.max_probability < 1.0) {
            return bad("max_probability", "must be between 0 and 1");
        }
        if !(self.min_ratio >= 1.0 && self.min_ratio.is_finite()) {
            return bad("min_ratio", "must be 1 or more");
        }
        if !(self.fatality_cluster >= 1.0 && self.fatality_cluster.is_finite()) {
            return bad("fatality_cluster", "must be 1 or more");
        }
        if self.min_count == 0 || self.first_min_count == 0 || self.spread_min_new == 0 {
            return bad(
                "min_count",
                "min_count, first_min_count and spread_min_new must be at least 1",
            );
        }
        if !(1..=4).contains(&self.max_time_precision) {
            return bad("max_time_precision", "must be 1 to 4");
        }
        Ok(())
    }
}

/// One stored incident, as the detector sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The event's id in the store.
    pub id: i64,
    /// Its (start) date.
    pub date: Date,
    /// ACLED time precision (1 day, 2 week, 3 month, 4 longer).
    pub time_precision: u8,
    /// ACLED event type: the family.
    pub event_type: String,
    /// ACLED sub-event type.
    pub sub_event_type: String,
    /// Actor ids of the initiating side (ACLED actor 1).
    pub initiators: Vec<String>,
    /// Actor ids of the other side (actor 2), counted only with
    /// [`AlertConfig::count_targets`].
    pub targets: Vec<String>,
    /// Country (ISO alpha-2).
    pub country: Option<String>,
    /// Governorate / province.
    pub admin1: Option<String>,
    /// District.
    pub admin2: Option<String>,
    /// The place as named.
    pub location: Option<String>,
    /// Fatalities (0 when unknown).
    pub fatalities: u64,
    /// Extraction confidence.
    pub confidence: f32,
    /// The evidence sentence of its first report.
    pub evidence: String,
}

/// Display names for summaries: actor id → (English, Arabic), and area name (English, as
/// stored) → Arabic. Missing entries fall back to the id or the English name.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Actor id → (English, Arabic).
    pub actors: HashMap<String, (String, String)>,
    /// English area name → Arabic.
    pub areas: HashMap<String, String>,
}

impl Names {
    /// Names from the lexicon: each actor's short English name (the acronym of
    /// "Islamic State (ISIS/ISIL/Daesh)", the name before "(incl. …)") and first Arabic
    /// alias; each governorate's and district's Arabic name.
    pub fn from_lexicon(lexicon: &rasid_lexicon::Lexicon) -> Names {
        let mut names = Names::default();
        for a in lexicon.actors() {
            let ar = a.ar.first().cloned().unwrap_or_default();
            names.actors.insert(a.id.clone(), (short_name(&a.name), ar));
        }
        for p in lexicon.places() {
            for (en, ar) in [(&p.admin1_en, &p.admin1_ar), (&p.admin2_en, &p.admin2_ar)] {
                if !en.is_empty() && !ar.is_empty() {
                    names.areas.entry(en.clone()).or_insert_with(|| ar.clone());
                }
            }
        }
        names
    }

    fn actor_en<'a>(&'a self, id: &'a str) -> &'a str {
        self.actors.get(id).map(|n| n.0.as_str()).unwrap_or(id)
    }
    fn actor_ar<'a>(&'a self, id: &'a str) -> &'a str {
        self.actors
            .get(id)
            .map(|n| n.1.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or(id)
    }
    fn area_ar<'a>(&'a self, en: &'a str) -> &'a str {
        self.areas
            .get(en)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or(en)
    }
}

/// A short display name: `Islamic State (ISIS/ISIL/Daesh)` → `ISIS`, `Military Forces of
/// Iran (incl. IRGC)` → `Military Forces of Iran`, names without brackets as they are.
pub fn short_name(name: &str) -> String {
    let Some((before, rest)) = name.split_once(" (") else {
        return name.to_string();
    };
    let inside = rest.split(')').next().unwrap_or("");
    let first = inside.split('/').next().unwrap_or("").trim();
    let acronym =
        (2..=6).contains(&first.len()) && first.chars().all(|c| c.is_ascii_uppercase() || c == '-');
    if acronym {
        first.to_string()
    } else {
        before.trim().to_string()
    }
}

/// The alerts file (`alerts.toml`): the detector's parameters and where to send alerts.
///
/// ```toml
/// [detector]
/// recent_days = 14
///
/// [[webhook]]
/// url = "https://desk.example.org/hooks/rasid"
/// token_env = "DESK_HOOK_TOKEN"   # optional: sent as Authorization: Bearer …
/// kinds = ["rising", "first_activity"]   # optional: only these kinds
/// min_score = 3.0                 # optional: only alerts this strong (−log10 p)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsFile {
    /// The detector's parameters.
    #[serde(default)]
    pub detector: AlertConfig,
    /// Where new alerts are posted.
    #[serde(default)]
    pub webhook: Vec<Webhook>,
}

impl AlertsFile {
    /// Reads and checks an alerts file's text.
    pub fn from_toml(text: &str) -> Result<AlertsFile, AlertError> {
        let file: AlertsFile = toml::from_str(text).map_err(|e| AlertError::Toml(e.to_string()))?;
        file.detector.validate()?;
        for (i, w) in file.webhook.iter().enumerate() {
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                return Err(AlertError::Toml(format!(
                    "webhook {}: url {:?} is not an http(s) URL",
                    i + 1,
                    w.url
                )));
            }
        }
        Ok(file)
    }
}

/// A webhook: new alerts are POSTed to it as JSON, one request per alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// The URL.
    pub url: String,
    /// An environment variable holding a bearer token for it.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Only alerts of these kinds (default: all).
    #[serde(default)]
    pub kinds: Vec<AlertKind>,
    /// Only alerts with at least this score (−log₁₀ of the probability; default 0).
    #[serde(default)]
    pub min_score: f64,
}

impl Webhook {
    /// Whether this hook wants `alert`.
    pub fn wants(&self, alert: &Alert) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&alert.kind()))
            && alert.finding.score >= self.min_score
    }
}

/// What an alert says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// More incidents than the baseline makes likely.
    Rising,
    /// More fatalities than the baseline makes likely.
    Fatalities,
    /// Incidents where the baseline had none.
    FirstActivity,
    /// Incidents in several districts new to the group.
    Spread,
}

impl AlertKind {
    /// The name used in keys and output.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Rising => "rising",
            AlertKind::Fatalities => "fatalities",
            AlertKind::FirstActivity => "first_activity",
            AlertKind::Spread => "spread",
        }
    }
}

/// An area: a governorate, or a district within one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Area {
    /// Country (ISO alpha-2), if known.
    pub country: Option<String>,
    /// Governorate.
    pub admin1: String,
    /// District, for district series.
    pub admin2: Option<String>,
}

impl Area {
    /// The most specific name.
    pub fn name(&self) -> &str {
        self.admin2.as_deref().unwrap_or(&self.admin1)
    }
}

/// One finding: a series whose recent window stands out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What it says.
    pub kind: AlertKind,
    /// The area (for spread: the governorate of the first new district).
    pub area: Option<Area>,
    /// The event family, when the series counts one family only.
    pub family: Option<String>,
    /// Incidents (or fatalities, for a fatality finding) in the recent window.
    pub observed: u64,
    /// What the baseline leads to expect in the recent window.
    pub expected: f64,
    /// Incidents (or fatalities) in the baseline, as counted.
    pub baseline: u64,
    /// P(at least `observed` | baseline), from the model.
    pub probability: f64,
    /// −log₁₀ of the probability: the ranking score.
    pub score: f64,
    /// For spread: the districts new to the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_areas: Vec<Area>,
    /// One line in English.
    pub summary_en: String,
    /// One line in Arabic.
    pub summary_ar: String,
}

impl Finding {
    /// A finding of a series from the model's figures: `counts` is observed and
    /// baseline; the probability and score come from `ln_p`.
    #[allow(clippy::too_many_arguments)]
    fn scored(
        kind: AlertKind,
        area: &Area,
        family: Option<String>,
        [observed, baseline]: [u64; 2],
        expected: f64,
        ln_p: f64,
        summary_en: String,
        summary_ar: String,
    ) -> Finding {
        Finding {
            kind,
            area: Some(area.clone()),
            family,
            observed,
            expected,
            baseline,
            probability: ln_p.exp(),
            score: -ln_p / std::f64::consts::LN_10,
            new_areas: Vec::new(),
            summary_en,
            summary_ar,
        }
    }
}

/// An incident listed as a reason for an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributing {
    /// The event's id in the store.
    pub id: i64,
    /// Its date.
    pub date: Date,
    /// Its place as named, else its district or governorate.
    pub place: Option<String>,
    /// ACLED event type.
    pub event_type: String,
    /// ACLED sub-event type.
    pub sub_event_type: String,
    /// Fatalities.
    pub fatalities: u64,
    /// The evidence sentence.
    pub evidence: String,
}

/// An alert: its main finding, the others about the same actor and governorate, and the
/// events behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable identity across days (`rising:isis:SY:Ar-Raqqa`): what notifications are
    /// deduplicated on.
    pub key: String,
    /// The day judged at.
    pub as_of: Date,
    /// The recent window, first and last day.
    pub window: [Date; 2],
    /// The baseline, first and last day.
    pub baseline_window: [Date; 2],
    /// The actor's id.
    pub actor: String,
    /// The actor's display name.
    pub actor_name: String,
    /// The main finding (its kind is the alert's kind).
    #[serde(flatten)]
    pub finding: Finding,
    /// Further findings on the same actor and governorate (districts, families,
    /// fatalities), strongest first.
    pub details: Vec<Finding>,
    /// The incidents behind it: most fatalities first, then newest.
    pub events: Vec<Contributing>,
    /// Every recent incident id behind it (the events the dashboard focuses on).
    pub event_ids: Vec<i64>,
}

impl Alert {
    /// The alert's kind.
    pub fn kind(&self) -> AlertKind {
        self.finding.kind
    }

    /// Whether the alert is news to someone last told about the same key at `last`
    /// (as-of day, observed count): never told, told more than `quiet_days` before, or the
    /// count has since doubled. A burst raises the same key day after day; this is what
    /// keeps it to one notification.
    pub fn is_news(&self, last: Option<(Date, u64)>, quiet_days: u32) -> bool {
        match last {
            None => true,
            Some((day, observed)) => {
                (self.as_of - day).get_days() > quiet_days as i32
                    || self.finding.observed >= observed.saturating_mul(2).max(1)
            }
        }
    }
}

/// The detector: immutable once built, shareable between threads.
#[derive(Debug, Clone)]
pub struct Detector {
    config: AlertConfig,
    names: Names,
}

/// The key of one series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct SeriesKey {
    actor: String,
    area: Area,
    family: Option<String>,
}

/// A finding with the incidents (indexes) of its series' recent window.
type Judged = (Finding, Vec<usize>);

#[derive(Debug, Default)]
struct Series {
    recent: Vec<usize>,
    recent_fatalities: u64,
    bins: Vec<u64>,
    fatality_bins: Vec<u64>,
}

impl Detector {
    /// A detector with these parameters (checked) and names for summaries.
    pub fn new(config: AlertConfig, names: Names) -> Result<Detector, AlertError> {
        config.validate()?;
        Ok(Detector { config, names })
    }

    /// The parameters.
    pub fn config(&self) -> &AlertConfig {
        &self.config
    }

    /// The first day of the baseline for a judgement at `as_of`: callers need incidents
    /// from this day to `as_of`.
    pub fn first_day(&self, as_of: Date) -> Date {
        let c = &self.config;
        as_of
            .checked_sub(((c.recent_days + c.baseline_days - 1) as i32).days())
            .unwrap_or(Date::MIN)
    }

    /// The alerts at `as_of`, strongest first, from the incidents given (those outside
    /// the baseline and recent windows, after `as_of`, excluded or dated too loosely are
    /// ignored).
    pub fn detect(&self, incidents: &[Incident], as_of: Date) -> Vec<Alert> {
        let c = &self.config;
        let recent_start = as_of
            .checked_sub(((c.recent_days - 1) as i32).days())
            .unwrap_or(Date::MIN);
        let baseline_end = recent_start.yesterday().unwrap_or(Date::MIN);
        let baseline_start = self.first_day(as_of);
        let n_bins = c.baseline_days.div_ceil(c.bin_days) as usize;
        let excluded: BTreeSet<&str> = c.exclude_actors.iter().map(|s| s.as_str()).collect();

        let mut series: HashMap<SeriesKey, Series> = HashMap::new();
        // Districts per actor, recent and baseline, for spread.
        let mut districts: BTreeMap<String, (BTreeSet<Area>, BTreeSet<Area>)> = BTreeMap::new();
        let mut fatal_incidents = (0u64, 0u64, 0f64);

        for (i, inc) in incidents.iter().enumerate() {
            if inc.date < baseline_start
                || inc.date > as_of
                || inc.time_precision > c.max_time_precision
                || inc.confidence < c.min_confidence
            {
                continue;
            }
            let recent = inc.date >= recent_start;
            // Bins count back from the baseline's last day, so that the oldest is the
            // partial one.
            let bin = if recent {
                0
            } else {
                let back = (baseline_end - inc.date).get_days().max(0) as u32;
                n_bins - 1 - ((back / c.bin_days) as usize).min(n_bins - 1)
            };
            if !recent && inc.fatalities > 0 {
                fatal_incidents.0 += 1;
                fatal_incidents.1 += inc.fatalities;
                fatal_incidents.2 += (inc.fatalities as f64).powi(2);
            }
            let Some(admin1) = inc.admin1.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            let province = Area {
                country: inc.country.clone(),
                admin1: admin1.clone(),
                admin2: None,
            };
            let district = inc
                .admin2
                .as_ref()
                .filter(|s| !s.is_empty() && c.districts)
                .map(|a2| Area {
                    admin2: Some(a2.clone()),
                    ..province.clone()
                });
            let targets = inc.targets.iter().filter(|_| c.count_targets);
            let mut actors: Vec<&String> = inc
                .initiators
                .iter()
                .chain(targets)
                .filter(|a| !a.is_empty() && !excluded.contains(a.as_str()))
                .collect();
            actors.sort();
            actors.dedup();
            for actor in actors {
                if let Some(d) = &district {
                    let entry = districts.entry(actor.clone()).or_default();
                    if recent {
                        entry.0.insert(d.clone());
                    } else {
                        entry.1.insert(d.clone());
                    }
                }
                let families: &[Option<&String>] = if c.families {
                    &[None, Some(&inc.event_type)]
                } else {
                    &[None]
                };
                for area in std::iter::once(&province).chain(district.as_ref()) {
                    for family in families {
                        let s = series
                            .entry(SeriesKey {
                                actor: actor.clone(),
                                area: area.clone(),
                                family: family.cloned(),
                            })
                            .or_insert_with(|| Series {
                                bins: vec![0; n_bins],
                                fatality_bins: vec![0; n_bins],
                                ..Series::default()
                            });
                        if recent {
                            s.recent.push(i);
                            s.recent_fatalities += inc.fatalities;
                        } else {
                            s.bins[bin] += 1;
                            s.fatality_bins[bin] += inc.fatalities;
                        }
                    }
                }
            }
        }

        let cluster = if fatal_incidents.0 >= 5 {
            (fatal_incidents.2 / fatal_incidents.1 as f64).max(1.0)
        } else {
            c.fatality_cluster
        };

        // Findings grouped by actor and governorate.
        let mut groups: BTreeMap<(String, Area), Vec<Judged>> = BTreeMap::new();
        let mut keys: Vec<&SeriesKey> = series.keys().collect();
        keys.sort();
        for key in keys {
            let s = &series[key];
            if s.recent.is_empty() {
                continue;
            }
            let group = (
                key.actor.clone(),
                Area {
                    admin2: None,
                    ..key.area.clone()
                },
            );
            for f in self.judge(key, s, cluster) {
                groups
                    .entry(group.clone())
                    .or_default()
                    .push((f, s.recent.clone()));
            }
        }

        let window = [recent_start, as_of];
        let baseline_window = [baseline_start, baseline_end];
        let mut alerts = Vec::new();
        for ((actor, province), mut findings) in groups {
            // The governorate's all-family finding leads when there is one; else the
            // strongest. First activity outranks a rise of the same series.
            findings.sort_by(|a, b| {
                let rank = |f: &Finding| {
                    (
                        f.area.as_ref().is_some_and(|a| a.admin2.is_some()) as u8
                            + f.family.is_some() as u8,
                        match f.kind {
                            AlertKind::FirstActivity => 0,
                            AlertKind::Rising => 1,
                            AlertKind::Fatalities => 2,
                            AlertKind::Spread => 3,
                        },
                    )
                };
                rank(&a.0)
                    .cmp(&rank(&b.0))
                    .then(b.0.score.total_cmp(&a.0.score))
            });
            let (finding, idx) = findings.remove(0);
            let mut details: Vec<Finding> = findings.into_iter().map(|(f, _)| f).collect();
            details.sort_by(|a, b| b.score.total_cmp(&a.score));
            let key = format!(
                "{}:{}:{}:{}",
                finding.kind.as_str(),
                actor,
                province.country.as_deref().unwrap_or(""),
                province.admin1
            );
            alerts.push(self.alert(
                key,
                as_of,
                window,
                baseline_window,
                &actor,
                finding,
                details,
                &idx,
                incidents,
            ));
        }

        // Spread: districts new to a group.
        for (actor, (recent, baseline)) in districts {
            let new: Vec<Area> = recent.difference(&baseline).cloned().collect();
            if new.len() < c.spread_min_new {
                continue;
            }
            let idx: Vec<usize> = series
                .iter()
                .filter(|(k, _)| k.actor == actor && k.family.is_none() && new.contains(&k.area))
                .flat_map(|(_, s)| s.recent.iter().copied())
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .collect();
            let observed = new.len() as u64;
            let names_en: Vec<&str> = new.iter().map(|a| a.name()).collect();
            let names_ar: Vec<&str> = new.iter().map(|a| self.names.area_ar(a.name())).collect();
            let summary_en = format!(
                "{} active in {} new to it in {} days: {}",
                self.names.actor_en(&actor),
                text::en_count(observed, "district", "districts"),
                c.recent_days,
                names_en.join(", ")
            );
            let summary_ar = format!(
                "{}: نشاط في {} جديدة عليه {}: {}",
                self.names.actor_ar(&actor),
                text::ar_count(observed, &text::AREA),
                text::ar_within_days(c.recent_days as u64),
                names_ar.join("، ")
            );
            let finding = Finding {
                kind: AlertKind::Spread,
                area: new.first().map(|a| Area {
                    admin2: None,
                    ..a.clone()
                }),
                family: None,
                observed,
                expected: 0.0,
                baseline: baseline.len() as u64,
                probability: 1.0,
                // Ranked by how many districts are new: three new ones rank as a
                // probability of 1e-3 would.
                score: observed as f64,
                new_areas: new,
                summary_en,
                summary_ar,
            };
            let key = format!("spread:{actor}");
            alerts.push(self.alert(
                key,
                as_of,
                window,
                baseline_window,
                &actor,
                finding,
                Vec::new(),
                &idx,
                incidents,
            ));
        }

        alerts.sort_by(|a, b| {
            b.finding
                .score
                .total_cmp(&a.finding.score)
                .then_with(|| a.key.cmp(&b.key))
        });
        alerts
    }

    /// The findings of one series: first activity or a rise in incidents, and a rise in
    /// fatalities.
    fn judge(&self, key: &SeriesKey, s: &Series, cluster: f64) -> Vec<Finding> {
        let c = &self.config;
        let mut out = Vec::new();
        let n = s.recent.len() as u64;
        let raw_baseline: u64 = s.bins.iter().sum();
        let exposure = c.prior_days + c.baseline_days as f64;
        let window = c.recent_days as f64;
        let p_success = exposure / (exposure + window);
        let actor_en = self.names.actor_en(&key.actor);
        let actor_ar = self.names.actor_ar(&key.actor);
        let (area_en, area_ar) = match &key.area.admin2 {
            Some(d) => (
                format!("{d} district"),
                format!("منطقة {}", self.names.area_ar(d)),
            ),
            None => (
                key.area.admin1.clone(),
                self.names.area_ar(&key.area.admin1).to_string(),
            ),
        };
        let (family_en, family_ar) = match &key.family {
            Some(f) => (format!(" ({f})"), format!(" ({})", text::family_ar(f))),
            None => (String::new(), String::new()),
        };

        let province_wide = key.area.admin2.is_none() && key.family.is_none();
        if raw_baseline == 0 && province_wide {
            if n >= c.first_min_count {
                let alpha = c.prior_events;
                let expected = alpha / exposure * window;
                let ln_p = model::nb_log_tail(n, alpha, p_success);
                out.push(Finding::scored(
                    AlertKind::FirstActivity,
                    &key.area,
                    None,
                    [n, 0],
                    expected,
                    ln_p,
                    format!(
                        "First {actor_en} activity in {area_en} in {} days: {} in the last {}",
                        c.baseline_days,
                        text::en_count(n, "incident", "incidents"),
                        text::en_count(c.recent_days as u64, "day", "days"),
                    ),
                    format!(
                        "{actor_ar} في {area_ar}: أول نشاط منذ {}، {} {}",
                        text::ar_count(c.baseline_days as u64, &text::DAY),
                        text::ar_count(n, &text::INCIDENT),
                        text::ar_within_days(c.recent_days as u64),
                    ),
                ));
            }
        } else if n >= c.min_count {
            let counted = model::winsorized_sum(&s.bins, c.spike_bins);
            let alpha = c.prior_events + counted as f64;
            let expected = alpha / exposure * window;
            let ln_p = model::nb_log_tail(n, alpha, p_success);
            if n as f64 >= c.min_ratio * expected && ln_p <= c.max_probability.ln() {
                out.push(Finding::scored(
                    AlertKind::Rising,
                    &key.area,
                    key.family.clone(),
                    [n, raw_baseline],
                    expected,
                    ln_p,
                    format!(
                        "{actor_en} activity{family_en} in {area_en}: {} in {} days vs {} expected (p = {})",
                        text::en_count(n, "incident", "incidents"),
                        c.recent_days,
                        text::expected(expected),
                        text::probability(ln_p),
                    ),
                    format!(
                        "نشاط {actor_ar}{family_ar} في {area_ar}: {} {} مقابل {} متوقعة (p = {})",
                        text::ar_count(n, &text::INCIDENT),
                        text::ar_within_days(c.recent_days as u64),
                        text::expected(expected),
                        text::probability(ln_p),
                    ),
                ));
            }
        }

        // Fatalities, on the governorate and district series (families would repeat it).
        if key.family.is_none() && s.recent_fatalities >= c.min_fatalities {
            let counted = model::winsorized_sum(&s.fatality_bins, c.spike_bins);
            let alpha = c.prior_events + counted as f64 / cluster;
            let expected = alpha / exposure * window * cluster;
            let clusters = (s.recent_fatalities as f64 / cluster).floor() as u64;
            let ln_p = model::nb_log_tail(clusters, alpha, p_success);
            if s.recent_fatalities as f64 >= c.min_ratio * expected
                && ln_p <= c.max_probability.ln()
            {
                let f = s.recent_fatalities;
                out.push(Finding::scored(
                    AlertKind::Fatalities,
                    &key.area,
                    None,
                    [f, s.fatality_bins.iter().sum()],
                    expected,
                    ln_p,
                    format!(
                        "Fatalities in {actor_en} incidents in {area_en}: {f} in {} days vs {} expected (p = {})",
                        c.recent_days,
                        text::expected(expected),
                        text::probability(ln_p),
                    ),
                    format!(
                        "قتلى حوادث {actor_ar} في {area_ar}: {} {} مقابل {} متوقعة (p = {})",
                        text::ar_count(f, &text::KILLED),
                        text::ar_within_days(c.recent_days as u64),
                        text::expected(expected),
                        text::probability(ln_p),
                    ),
                ));
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn alert(
        &self,
        key: String,
        as_of: Date,
        window: [Date; 2],
        baseline_window: [Date; 2],
        actor: &str,
        finding: Finding,
        details: Vec<Finding>,
        idx: &[usize],
        incidents: &[Incident],
    ) -> Alert {
        let mut idx: Vec<usize> = idx.to_vec();
        idx.sort_unstable();
        idx.dedup();
        let mut ranked = idx.clone();
        ranked.sort_by(|&a, &b| {
            let (a, b) = (&incidents[a], &incidents[b]);
            b.fatalities
                .cmp(&a.fatalities)
                .then(b.date.cmp(&a.date))
                .then(b.id.cmp(&a.id))
        });
        let events = ranked
            .iter()
            .take(self.config.top_events)
            .map(|&i| {
                let e = &incidents[i];
                Contributing {
                    id: e.id,
                    date: e.date,
                    place: e
                        .location
                        .clone()
                        .or_else(|| e.admin2.clone())
                        .or_else(|| e.admin1.clone()),
                    event_type: e.event_type.clone(),
                    sub_event_type: e.sub_event_type.clone(),
                    fatalities: e.fatalities,
                    evidence: e.evidence.clone(),
                }
            })
            .collect();
        let mut event_ids: Vec<i64> = idx.iter().map(|&i| incidents[i].id).collect();
        event_ids.sort_unstable();
        event_ids.dedup();
        Alert {
            key,
            as_of,
            window,
            baseline_window,
            actor: actor.to_string(),
            actor_name: self.names.actor_en(actor).to_string(),
            finding,
            details,
            events,
            event_ids,
        }
    }
}

#[cfg(test)]
mod tests;
