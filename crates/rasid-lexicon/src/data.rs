//! Lexicon entries and their plain-text formats: actors (TOML), places, triggers and cues
//! (TSV). Parsing is pure: callers pass the file name (for messages) and its contents.

use serde::Deserialize;

use crate::LexiconError;

/// An armed group, force, institution or generic actor description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Canonical id (`isis`, `syria-military`…); matches `actors.tsv` where listed there.
    pub id: String,
    /// ACLED-style English name.
    pub name: String,
    /// ACLED `inter` code (1 state forces … 8 external forces).
    pub inter: u8,
    /// ISO 3166-1 alpha-2, or empty.
    pub country: String,
    /// Kind (state forces, rebel group, political militia…).
    pub kind: String,
    /// The actor this one is part of (the Fifth Corps → `syria-military`), if any.
    pub parent: Option<String>,
    /// Actors it is affiliated with.
    pub affiliated: Vec<String>,
    /// ISO date from which the names apply, if limited.
    pub valid_from: Option<String>,
    /// ISO date until which the names apply, if limited.
    pub valid_until: Option<String>,
    /// Countries (ISO alpha-2) where its names mean this actor; empty: everywhere.
    pub theatres: Vec<String>,
    /// The actor the same names mean outside `theatres` ("طائرات التحالف" is the Saudi-led
    /// coalition in Yemen, the US-led one in Syria and Iraq).
    pub elsewhere: Option<String>,
    /// Arabic aliases.
    pub ar: Vec<String>,
    /// English aliases.
    pub en: Vec<String>,
    /// Where the entry was defined (`file:line`).
    pub origin: String,
}

/// A place of the gazetteer.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// Id: an OCHA P-code (`SY11`), `SY-C1234`, `gn:170063`, `country:SY`, `rasid:…`.
    pub id: String,
    /// Feature kind.
    pub kind: FeatureKind,
    /// English name.
    pub name_en: String,
    /// Arabic name (may be empty).
    pub name_ar: String,
    /// Alternate names in any script.
    pub names: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Admin names in English and Arabic, levels 1–3 (empty when unknown).
    pub admin1_en: String,
    /// Admin 1, Arabic.
    pub admin1_ar: String,
    /// Admin 2, English.
    pub admin2_en: String,
    /// Admin 2, Arabic.
    pub admin2_ar: String,
    /// Admin 3, English.
    pub admin3_en: String,
    /// Admin 3, Arabic.
    pub admin3_ar: String,
    /// Latitude (NaN when unknown, as for countries).
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Population where known, else 0.
    pub population: u64,
    /// ACLED geo_precision an event located at this place gets (1–3).
    pub precision: u8,
    /// Where the entry was defined.
    pub origin: String,
}

/// What kind of place an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeatureKind {
    /// A country.
    Country,
    /// First-level unit (Syrian governorate, Iraqi governorate).
    Governorate,
    /// Second-level unit.
    District,
    /// Third-level unit.
    SubDistrict,
    /// City (population ≥ 100,000 or so classed).
    City,
    /// Town.
    Town,
    /// Village or hamlet.
    Village,
    /// City neighbourhood.
    Neighbourhood,
    /// A region no admin list has (a desert, a countryside, a valley).
    Region,
    /// Mountain, river, lake.
    NaturalFeature,
    /// A border line or border area.
    Border,
    /// A border crossing.
    BorderCrossing,
    /// A prison.
    Prison,
    /// A camp (displaced people, refugees).
    Camp,
    /// An oil or gas field, refinery.
    OilField,
    /// A dam.
    Dam,
    /// A military base.
    MilitaryBase,
    /// An airport.
    Airport,
    /// A landmark (square, garden, hospital, mosque).
    Landmark,
}

impl FeatureKind {
    /// Parse the name used in the data files.
    pub fn from_name(s: &str) -> Option<FeatureKind> {
        use FeatureKind::*;
        Some(match s {
            "country" => Country,
            "governorate" => Governorate,
            "district" => District,
            "sub-district" => SubDistrict,
            "city" => City,
            "town" => Town,
            "village" => Village,
            "neighbourhood" => Neighbourhood,
            "region" => Region,
            "natural feature" => NaturalFeature,
            "border" => Border,
            "border crossing" => BorderCrossing,
            "prison" => Prison,
            "camp" => Camp,
            "oil field" | "gas field" => OilField,
            "dam" => Dam,
            "military base" => MilitaryBase,
            "airport" => Airport,
            "landmark" => Landmark,
            _ => return None,
        })
    }

    /// The name used in the data files and in output.
    pub fn as_str(self) -> &'static str {
        use FeatureKind::*;
        match self {
            Country => "country",
            Governorate => "governorate",
            District => "district",
            SubDistrict => "sub-district",
            City => "city",
            Town => "town",
            Village => "village",
            Neighbourhood => "neighbourhood",
            Region => "region",
            NaturalFeature => "natural feature",
            Border => "border",
            BorderCrossing => "border crossing",
            Prison => "prison",
            Camp => "camp",
            OilField => "oil field",
            Dam => "dam",
            MilitaryBase => "military base",
            Airport => "airport",
            Landmark => "landmark",
        }
    }

    /// Admin units (their names are shared with their capital town).
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            FeatureKind::Governorate | FeatureKind::District | FeatureKind::SubDistrict
        )
    }
}

/// A word or phrase signalling an event of one ACLED sub-event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// `ar` or `en`.
    pub lang: String,
    /// The form as written.
    pub form: String,
    /// The exact ACLED sub-event type.
    pub sub_event_type: String,
    /// `strong` alone signals the type; `weak` needs context.
    pub strong: bool,
    /// Where the entry was defined.
    pub origin: String,
}

/// A cue the extractor needs: hedges, negation, claims, casualty words, date words…
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    /// `ar` or `en`.
    pub lang: String,
    /// The form as written.
    pub form: String,
    /// The cue kind (`hedge`, `negation`, `killed`, `month`…).
    pub cue: String,
    /// A value (an offset, a month number…), or empty.
    pub value: String,
    /// Where the entry was defined.
    pub origin: String,
}

/// A contextual alias: a generic noun ("التنظيم") that names the last-mentioned of some
/// actors ("isis", "al-qaeda") and nothing when none was mentioned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contextual {
    /// The form as written.
    pub form: String,
    /// Actor ids it may refer to.
    pub actors: Vec<String>,
    /// Where the entry was defined.
    pub origin: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorFile {
    #[serde(default)]
    actor: Vec<ActorToml>,
    #[serde(default)]
    place: Vec<PlaceToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorToml {
    id: String,
    name: String,
    inter: u8,
    #[serde(default)]
    country: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    affiliated: Vec<String>,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    theatres: Vec<String>,
    #[serde(default)]
    elsewhere: String,
    #[serde(default)]
    ar: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceToml {
    id: String,
    kind: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ar: String,
    #[serde(default)]
    names: Vec<String>,
    country: String,
    #[serde(default)]
    admin1: String,
    #[serde(default)]
    admin1_ar: String,
    lat: f64,
    lon: f64,
    #[serde(default)]
    population: u64,
    #[serde(default = "default_precision")]
    precision: u8,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

fn default_precision() -> u8 {
    1
}

/// Line (1-based) of the `n`-th occurrence of a `[[table]]` header in a TOML text.
fn table_line(text: &str, table: &str, n: usize) -> usize {
    let header = format!("[[{table}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(n)
        .map_or(1, |(i, _)| i + 1)
}

/// Parse a TOML file of `[[actor]]` and `[[place]]` tables.
pub fn parse_toml(name: &str, text: &str) -> Result<(Vec<Actor>, Vec<Place>), LexiconError> {
    let file: ActorFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        LexiconError::new(name, line, e.message().to_string())
    })?;
    let opt = |s: String| if s.trim().is_empty() { None } else { Some(s) };
    let actors = file
        .actor
        .into_iter()
        .enumerate()
        .map(|(i, a)| Actor {
            origin: format!("{name}:{}", table_line(text, "actor", i)),
            id: a.id,
            name: a.name,
            inter: a.inter,
            country: a.country,
            kind: a.kind,
            parent: opt(a.parent),
            affiliated: a.affiliated,
            valid_from: opt(a.valid_from),
            valid_until: opt(a.valid_until),
            theatres: a.theatres,
            elsewhere: opt(a.elsewhere),
            ar: a.ar,
            en: a.en,
        })
        .collect();
    let mut places = Vec::new();
    for (i, p) in file.place.into_iter().enumerate() {
        let line = table_line(text, "place", i);
        let kind = FeatureKind::from_name(&p.kind).ok_or_else(|| {
            LexiconError::new(
                name,
                line,
                format!("place {:?}: unknown kind {:?}", p.id, p.kind),
            )
        })?;
        places.push(Place {
            id: p.id,
            kind,
            name_en: p.name_en,
            name_ar: p.name_ar,
            names: p.names,
            country: p.country,
            admin1_en: p.admin1,
            admin1_ar: p.admin1_ar,
            admin2_en: String::new(),
            admin2_ar: String::new(),
            admin3_en: String::new(),
            admin3_ar: String::new(),
            lat: p.lat,
            lon: p.lon,
            population: p.population,
            precision: p.precision,
            origin: format!("{name}:{line}"),
        });
    }
    Ok((actors, places))
}

/// A TSV text's header columns and its rows, each with its 1-based line number.
type Table<'t> = (Vec<&'t str>, Vec<(usize, Vec<&'t str>)>);

/// Rows of a TSV text with a header line; `#` lines and blank lines are skipped. Each row
/// comes with its 1-based line number.
fn tsv_rows<'t>(name: &str, text: &'t str, required: &[&str]) -> Result<Table<'t>, LexiconError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| LexiconError::new(name, 1, "empty file: no header line".into()))?;
    let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
    for r in required {
        if !cols.contains(r) {
            return Err(LexiconError::new(
                name,
                1,
                format!("missing column {r:?} in the header"),
            ));
        }
    }
    let rows = lines
        .map(|(i, l)| (i + 1, l.split('\t').map(str::trim).collect()))
        .collect();
    Ok((cols, rows))
}

fn col<'t>(cols: &[&str], row: &[&'t str], name: &str) -> &'t str {
    cols.iter()
        .position(|c| *c == name)
        .and_then(|i| row.get(i))
        .copied()
        .unwrap_or("")
}

/// Parse the gazetteer TSV (`data/gazetteer/places.tsv` or `regions.tsv` columns).
pub fn parse_places_tsv(name: &str, text: &str) -> Result<Vec<Place>, LexiconError> {
    let (cols, rows) = tsv_rows(name, text, &["id", "kind", "country", "lat", "lon"])?;
    let regions = cols.contains(&"aliases_ar");
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in rows {
        let c = |k: &str| col(&cols, &r, k);
        let kind = FeatureKind::from_name(c("kind")).ok_or_else(|| {
            LexiconError::new(name, line, format!("unknown kind {:?}", c("kind")))
        })?;
        let coord = |k: &str| -> Result<f64, LexiconError> {
            let v = c(k);
            if v.is_empty() {
                return Ok(f64::NAN);
            }
            v.parse()
                .map_err(|_| LexiconError::new(name, line, format!("{k}: not a number: {v:?}")))
        };
        let names: Vec<String> = if regions {
            c("aliases_ar").split('|').chain(c("aliases_en").split('|'))
        } else {
            c("names").split('|').chain("".split('|'))
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
        out.push(Place {
            id: c("id").to_string(),
            kind,
            name_en: c("name_en").to_string(),
            name_ar: c("name_ar").to_string(),
            names,
            country: c("country").to_string(),
            admin1_en: if regions { c("admin1") } else { c("admin1_en") }.to_string(),
            admin1_ar: c("admin1_ar").to_string(),
            admin2_en: c("admin2_en").to_string(),
            admin2_ar: c("admin2_ar").to_string(),
            admin3_en: c("admin3_en").to_string(),
            admin3_ar: c("admin3_ar").to_string(),
            lat: coord("lat")?,
            lon: coord("lon")?,
            population: c("population").parse().unwrap_or(0),
            precision: c(if regions {
                "geo_precision"
            } else {
                "precision"
            })
            .parse()
            .unwrap_or(1),
            origin: format!("{name}:{line}"),
        });
    }
    Ok(out)
}

/// Parse `data/events/triggers.tsv`.
pub fn parse_triggers_tsv(name: &str, text: &str) -> Result<Vec<Trigger>, LexiconError> {
    let (cols, rows) = tsv_rows(name, text, &["lang", "form", "sub_event_type"])?;
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in rows {
        let c = |k: &str| col(&cols, &r, k);
        let t = c("sub_event_type");
        if !crate::SUB_EVENT_TYPES.iter().any(|(s, _)| *s == t) {
            return Err(LexiconError::new(
                name,
                line,
                format!("unknown sub_event_type {t:?}"),
            ));
        }
        out.push(Trigger {
            lang: c("lang").to_string(),
            form: c("form").to_string(),
            sub_event_type: t.to_string(),
            strong: c("strength") != "weak",
            origin: format!("{name}:{line}"),
        });
    }
    Ok(out)
}

/// Parse `data/events/cues.tsv`.
pub fn parse_cues_tsv(name: &str, text: &str) -> Result<Vec<Cue>, LexiconError> {
    let (cols, rows) = tsv_rows(name, text, &["lang", "form", "cue"])?;
    Ok(rows
        .into_iter()
        .map(|(line, r)| Cue {
            lang: col(&cols, &r, "lang").to_string(),
            form: col(&cols, &r, "form").to_string(),
            cue: col(&cols, &r, "cue").to_string(),
            value: col(&cols, &r, "value").to_string(),
            origin: format!("{name}:{line}"),
        })
        .collect())
}

/// Parse `data/actors/contextual.tsv` (`form`, `actors` separated by `|`).
pub fn parse_contextual_tsv(name: &str, text: &str) -> Result<Vec<Contextual>, LexiconError> {
    let (cols, rows) = tsv_rows(name, text, &["form", "actors"])?;
    Ok(rows
        .into_iter()
        .map(|(line, r)| Contextual {
            form: col(&cols, &r, "form").to_string(),
            actors: col(&cols, &r, "actors")
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            origin: format!("{name}:{line}"),
        })
        .collect())
}
