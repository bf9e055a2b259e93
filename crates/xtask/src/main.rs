//! `cargo run -p xtask -- gazetteer [--shared DIR] [--out FILE] [--with-osm]`
//! `cargo run --release -p xtask -- synth-events --db FILE [--events N]` (see `synth.rs`)
//!
//! Rebuilds `data/gazetteer/places.tsv` from the third-party gazetteers in
//! `../shared/data/gazetteer/` (OCHA admin 1–3 for Syria and Iraq, Syrian neighbourhoods
//! and communities, OpenSyria aliases, GeoNames cities and admin names, countries) plus the
//! hand-curated `data/gazetteer/regions.tsv`. The output is deterministic: same inputs,
//! same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

mod synth;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    match args.next().as_deref() {
        Some("gazetteer") => {
            let mut shared = root.join("../shared/data/gazetteer");
            let mut out = root.join("data/gazetteer/places.tsv");
            let mut with_osm = false;
            while let Some(a) = args.next() {
                match a.as_str() {
                    "--with-osm" => with_osm = true,
                    "--shared" => shared = PathBuf::from(args.next().context("--shared DIR")?),
                    "--out" => out = PathBuf::from(args.next().context("--out FILE")?),
                    other => bail!("unknown argument {other:?}"),
                }
            }
            let regions = root.join("data/gazetteer/regions.tsv");
            let places = build(&shared, &regions, with_osm)?;
            write(&out, &places)?;
            eprintln!("wrote {} places to {}", places.len(), out.display());
            Ok(())
        }
        Some("synth-events") => {
            let mut db = None;
            let mut events = 1_000_000;
            while let Some(a) = args.next() {
                match a.as_str() {
                    "--db" => db = Some(PathBuf::from(args.next().context("--db FILE")?)),
                    "--events" => events = args.next().context("--events N")?.parse()?,
                    other => bail!("unknown argument {other:?}"),
                }
            }
            synth::run(&db.context("--db FILE is required")?, events)
        }
        _ => {
            bail!(
                "usage: cargo run -p xtask -- gazetteer [--shared DIR] [--out FILE] [--with-osm]\n       \
                 cargo run --release -p xtask -- synth-events --db FILE [--events N]"
            )
        }
    }
}

/// One output row.
#[derive(Clone, Debug, Default)]
struct Place {
    id: String,
    kind: String,
    name_en: String,
    name_ar: String,
    names: Vec<String>,
    country: String,
    admin1_en: String,
    admin1_ar: String,
    admin2_en: String,
    admin2_ar: String,
    admin3_en: String,
    admin3_ar: String,
    lat: f64,
    lon: f64,
    population: u64,
    precision: u8,
    source: String,
}

/// A TSV file as header-keyed rows; `#` lines are comments. Errors name file and line.
fn tsv(path: &Path) -> Result<Vec<HashMap<String, String>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let cols: Vec<&str> = header.split('\t').collect();
    let mut rows = Vec::new();
    for (n, line) in lines {
        let vals: Vec<&str> = line.split('\t').collect();
        if vals.len() > cols.len() {
            bail!(
                "{}:{}: {} columns, header has {}",
                path.display(),
                n + 1,
                vals.len(),
                cols.len()
            );
        }
        rows.push(
            cols.iter()
                .enumerate()
                .map(|(i, c)| (c.to_string(), vals.get(i).unwrap_or(&"").trim().to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn f(row: &HashMap<String, String>, k: &str) -> String {
    row.get(k).cloned().unwrap_or_default()
}

fn num(row: &HashMap<String, String>, k: &str) -> f64 {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

fn key(s: &str) -> String {
    rasid_text::match_view(s).into_string().trim().to_string()
}

use rasid_lexicon::distance_km as km;

/// Latin alternates worth matching: plain letters, not codes, not too many.
fn latin_names(list: &str, limit: usize) -> Vec<String> {
    let mut v: Vec<String> = list
        .split('|')
        .map(str::trim)
        .filter(|n| n.chars().count() >= 3)
        .filter(|n| {
            n.chars()
                .all(|c| c.is_ascii_alphabetic() || " -'’".contains(c))
        })
        .filter(|n| !(n.len() <= 4 && n.chars().all(|c| c.is_ascii_uppercase())))
        .map(String::from)
        .collect();
    v.sort_by_key(|n| (n.len(), n.clone()));
    v.dedup_by_key(|n| n.to_lowercase());
    v.truncate(limit);
    v
}

struct Adm3 {
    lat: f64,
    lon: f64,
    names: [String; 6],
}

impl Adm3 {
    /// The third-level unit a place record describes.
    fn of(p: &Place) -> Adm3 {
        Adm3 {
            lat: p.lat,
            lon: p.lon,
            names: [
                p.admin1_en.clone(),
                p.admin1_ar.clone(),
                p.admin2_en.clone(),
                p.admin2_ar.clone(),
                p.admin3_en.clone(),
                p.admin3_ar.clone(),
            ],
        }
    }
}

fn build(shared: &Path, regions: &Path, with_osm: bool) -> Result<Vec<Place>> {
    let mut places: Vec<Place> = Vec::new();
    let mut adm3: Vec<(String, Adm3)> = Vec::new();

    // Syria, OCHA admin 1–3, with OpenSyria aliases by P-code.
    let mut syr_alias: HashMap<String, Vec<String>> = HashMap::new();
    for file in ["governorates", "districts", "subdistricts"] {
        let p = shared.join(format!("opensyria/{file}.json"));
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&p).with_context(|| p.display().to_string())?,
        )
        .with_context(|| p.display().to_string())?;
        for unit in v.as_array().context("opensyria: array")? {
            let Some(pcode) = unit["externalIds"]["ochaPcode"].as_str() else {
                continue;
            };
            let names = syr_alias.entry(pcode.to_string()).or_default();
            for a in unit["aliases"].as_array().into_iter().flatten() {
                if let Some(s) = a["value"].as_str() {
                    names.push(s.to_string());
                }
            }
            for l in ["en", "ar"] {
                if let Some(s) = unit["name"][l].as_str() {
                    names.push(s.to_string());
                }
            }
        }
    }
    for r in tsv(&shared.join("syr_ocha_admin1-3.tsv"))? {
        let level = f(&r, "level");
        let kind = match level.as_str() {
            "adm1" => "governorate",
            "adm2" => "district",
            _ => "sub-district",
        };
        let pcode = f(&r, "pcode");
        let mut names = syr_alias.remove(&pcode).unwrap_or_default();
        names.retain(|n| {
            n.chars().all(|c| {
                c.is_alphabetic()
                    || c == ' '
                    || c == '-'
                    || c == '\''
                    || rasid_text::chars::is_arabic_mark(c)
            })
        });
        let p = Place {
            id: pcode.clone(),
            kind: kind.into(),
            name_en: f(&r, "name_en"),
            name_ar: f(&r, "name_ar"),
            names,
            country: "SY".into(),
            admin1_en: f(&r, "adm1_en"),
            admin1_ar: f(&r, "adm1_ar"),
            admin2_en: f(&r, "adm2_en"),
            admin2_ar: f(&r, "adm2_ar"),
            admin3_en: f(&r, "adm3_en"),
            admin3_ar: f(&r, "adm3_ar"),
            lat: num(&r, "lat"),
            lon: num(&r, "lon"),
            population: 0,
            precision: if kind == "governorate" { 3 } else { 2 },
            source: "OCHA COD-AB Syria; OpenSyria aliases".into(),
        };
        if level == "adm3" {
            adm3.push(("SY".into(), Adm3::of(&p)));
        }
        places.push(p);
    }
    // Iraq, OCHA admin 1–3.
    for r in tsv(&shared.join("irq_ocha_admin1-3.tsv"))? {
        let level = f(&r, "level");
        let kind = match level.as_str() {
            "adm1" => "governorate",
            "adm2" => "district",
            _ => "sub-district",
        };
        let mut names: Vec<String> = f(&r, "alt_en")
            .split('|')
            .chain(f(&r, "alt_ar").split('|'))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        names.dedup();
        let (a2e, a2a) = if level == "adm1" {
            (String::new(), String::new())
        } else {
            (f(&r, "adm2_en"), f(&r, "adm2_ar"))
        };
        let (a3e, a3a) = if level == "adm3" {
            (f(&r, "name_en"), f(&r, "name_ar"))
        } else {
            (String::new(), String::new())
        };
        let p = Place {
            id: f(&r, "pcode"),
            kind: kind.into(),
            name_en: f(&r, "name_en"),
            name_ar: f(&r, "name_ar"),
            names,
            country: "IQ".into(),
            admin1_en: f(&r, "adm1_en"),
            admin1_ar: f(&r, "adm1_ar"),
            admin2_en: a2e,
            admin2_ar: a2a,
            admin3_en: a3e,
            admin3_ar: a3a,
            lat: num(&r, "centroid_lat"),
            lon: num(&r, "centroid_lon"),
            population: 0,
            precision: if kind == "governorate" { 3 } else { 2 },
            source: "OCHA COD-AB Iraq".into(),
        };
        if level == "adm3" {
            adm3.push(("IQ".into(), Adm3::of(&p)));
        }
        places.push(p);
    }
    let nearest_adm3 = |country: &str, lat: f64, lon: f64| -> Option<&Adm3> {
        adm3.iter()
            .filter(|(c, _)| c == country)
            .map(|(_, a)| a)
            .min_by(|a, b| {
                km((lat, lon), (a.lat, a.lon)).total_cmp(&km((lat, lon), (b.lat, b.lon)))
            })
    };

    // Syrian neighbourhoods.
    for r in tsv(&shared.join("syr_ocha_city_neighbourhoods.tsv"))? {
        if num(&r, "centroid_lat").is_nan() {
            continue;
        }
        places.push(Place {
            id: format!("SY-{}", f(&r, "pcode")),
            kind: "neighbourhood".into(),
            name_en: f(&r, "name_en"),
            name_ar: f(&r, "name_ar"),
            names: Vec::new(),
            country: "SY".into(),
            admin1_en: f(&r, "adm1_en"),
            admin1_ar: f(&r, "adm1_ar"),
            admin2_en: f(&r, "adm2_en"),
            admin2_ar: f(&r, "adm2_ar"),
            admin3_en: f(&r, "adm3_en"),
            admin3_ar: f(&r, "adm3_ar"),
            lat: num(&r, "centroid_lat"),
            lon: num(&r, "centroid_lon"),
            population: 0,
            precision: 1,
            source: format!("OCHA neighbourhoods of {}", f(&r, "community_en")),
        });
    }

    // Syrian communities: matched to OpenStreetMap (Arabic names, points), then the rest
    // of the IOM list (English names, sub-district centres).
    let adm_names_sy: HashMap<String, (String, String)> = adm3
        .iter()
        .filter(|(c, _)| c == "SY")
        .map(|(_, a)| (a.names[4].clone(), (a.names[2].clone(), a.names[3].clone())))
        .collect();
    let adm3_ar_sy: HashMap<String, String> = adm3
        .iter()
        .filter(|(c, _)| c == "SY")
        .map(|(_, a)| (a.names[4].clone(), a.names[5].clone()))
        .collect();
    let adm3_centre_sy: HashMap<String, (f64, f64)> = adm3
        .iter()
        .filter(|(c, _)| c == "SY")
        .map(|(_, a)| (a.names[4].clone(), (a.lat, a.lon)))
        .collect();
    let mut seen_c: HashMap<String, usize> = HashMap::new();
    // The OpenStreetMap layer (Arabic names and village points) is under the ODbL, a
    // share-alike licence: bundled only on request (--with-osm); by default the IOM list
    // gives English names at the sub-district centre.
    let files: &[(&str, bool)] = if with_osm {
        &[
            ("syr_iom_hotosm_communities.tsv", true),
            ("syr_iom_dtm_locations.tsv", false),
        ]
    } else {
        &[("syr_iom_dtm_locations.tsv", false)]
    };
    for &(file, precise) in files {
        for mut r in tsv(&shared.join(file))? {
            if !with_osm {
                let a3 = f(&r, "admin3_en");
                if let Some(&(lat, lon)) = adm3_centre_sy.get(&a3) {
                    r.insert("lat".into(), lat.to_string());
                    r.insert("lon".into(), lon.to_string());
                }
                r.insert("name_ar".into(), String::new());
                r.insert("alt_names".into(), String::new());
                let src = f(&r, "source").replace("coords=osm_point", "coords=ocha_adm3_centre");
                r.insert("source".into(), src);
            }
            let id = f(&r, "id");
            // Community P-codes only (C1234, C4564-3); a row broken by a stray quote in
            // the source shifts its columns and is skipped.
            let pcode = id.strip_prefix('C').is_some_and(|rest| {
                rest.chars().all(|c| c.is_ascii_digit() || c == '-') && !rest.is_empty()
            });
            if seen_c.contains_key(&id) || !pcode || num(&r, "lat").is_nan() {
                continue;
            }
            let src = f(&r, "source");
            let osm_kind = src.split(':').nth(3).unwrap_or("");
            let kind = match osm_kind {
                "city" => "city",
                "town" => "town",
                _ => "village",
            };
            let names: Vec<String> = f(&r, "alt_names")
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let a3 = f(&r, "admin3_en");
            let (a2e, a2a) = adm_names_sy
                .get(&a3)
                .cloned()
                .unwrap_or((f(&r, "admin2_en"), String::new()));
            seen_c.insert(id.clone(), places.len());
            places.push(Place {
                id: format!("SY-{id}"),
                kind: kind.into(),
                name_en: f(&r, "name_en"),
                name_ar: f(&r, "name_ar"),
                names,
                country: "SY".into(),
                admin1_en: f(&r, "admin1_en"),
                admin1_ar: f(&r, "admin1_ar"),
                admin2_en: a2e,
                admin2_ar: a2a,
                admin3_ar: adm3_ar_sy.get(&a3).cloned().unwrap_or_default(),
                admin3_en: a3,
                lat: num(&r, "lat"),
                lon: num(&r, "lon"),
                population: 0,
                precision: if precise || src.contains("coords=osm_point") {
                    1
                } else {
                    2
                },
                source: if precise {
                    "IOM DTM / OpenStreetMap".into()
                } else {
                    "IOM DTM (sub-district centre)".into()
                },
            });
        }
    }

    // GeoNames: admin1 names, Middle East populated places, world cities.
    // admin1.tsv gives conventional English names, and the codes missing from the GeoNames
    // file (Afghanistan).
    let admin1_extra: HashMap<String, String> = if regions.with_file_name("admin1.tsv").exists() {
        tsv(&regions.with_file_name("admin1.tsv"))?
            .into_iter()
            .map(|r| (f(&r, "code"), f(&r, "name_en")))
            .collect()
    } else {
        HashMap::new()
    };
    let admin1: HashMap<String, String> = tsv(&shared.join("geonames_admin1_mideast.tsv"))?
        .into_iter()
        .map(|r| (f(&r, "code"), f(&r, "name")))
        .collect();
    let mut gn_seen: HashMap<String, ()> = HashMap::new();
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in places.iter().enumerate() {
        if matches!(p.kind.as_str(), "city" | "town" | "village") && !p.name_ar.is_empty() {
            by_key.entry(key(&p.name_ar)).or_default().push(i);
        }
    }
    for (file, world) in [
        ("geonames_cities500_mideast.tsv", false),
        ("geonames_cities15000_world.tsv", true),
    ] {
        for r in tsv(&shared.join(file))? {
            let gid = f(&r, "geonameid");
            if gn_seen.insert(gid.clone(), ()).is_some() {
                continue;
            }
            let country = f(&r, "country");
            let population: u64 = f(&r, "population").parse().unwrap_or(0);
            if world
                && population < 100_000
                && !matches!(country.as_str(), "AF" | "SD" | "TN" | "DZ" | "MA" | "SO")
            {
                continue;
            }
            // Turkish and Iranian villages carry Ottoman or Persian spellings that collide
            // with ordinary Arabic words (الأشهر، إلى): only their larger towns are kept.
            if matches!(country.as_str(), "TR" | "IR") && population < 50_000 {
                continue;
            }
            let ar: Vec<String> = f(&r, "names_arabic_script")
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let latin = latin_names(
                &f(&r, if world { "names_latin" } else { "names_other" }),
                12,
            );
            let (lat, lon) = (num(&r, "lat"), num(&r, "lon"));
            // "مكة المكرمة": the honorific is not part of the name (news and NER corpora
            // tag مكة alone).
            let ar: Vec<String> = ar
                .into_iter()
                .map(|n| {
                    n.trim_end_matches(" المكرمة")
                        .trim_end_matches(" الشريف")
                        .to_string()
                })
                .collect();
            // The Arabic name: the first one written with Arabic-only letters if any.
            let name_ar = ar
                .iter()
                .find(|n| {
                    !n.chars().any(|c| {
                        rasid_text::chars::is_non_arabic_only_letter(c)
                            || matches!(c, 'ی' | 'ک' | 'ە' | 'ہ' | 'ھ')
                    })
                })
                .cloned()
                .unwrap_or_default();
            // Merge with a Syrian community of the same Arabic name nearby.
            if country == "SY" && !name_ar.is_empty() {
                if let Some(&i) = by_key.get(&key(&name_ar)).and_then(|v| {
                    v.iter()
                        .find(|&&i| km((lat, lon), (places[i].lat, places[i].lon)) < 8.0)
                }) {
                    let p = &mut places[i];
                    p.names.extend(ar.iter().cloned());
                    p.names.extend(latin.iter().cloned());
                    p.population = p.population.max(population);
                    if population >= 100_000 {
                        p.kind = "city".into();
                    } else if population >= 10_000 && p.kind == "village" {
                        p.kind = "town".into();
                    }
                    p.source.push_str(&format!("; GeoNames {gid}"));
                    continue;
                }
            }
            let kind = if population >= 100_000 {
                "city"
            } else if population >= 10_000 {
                "town"
            } else {
                "village"
            };
            let mut p = Place {
                id: format!("gn:{gid}"),
                kind: kind.into(),
                name_en: f(&r, "name"),
                name_ar,
                names: ar.into_iter().chain(latin).collect(),
                country: country.clone(),
                lat,
                lon,
                population,
                precision: 1,
                source: "GeoNames".into(),
                ..Place::default()
            };
            if country == "SY" || country == "IQ" {
                if let Some(a) = nearest_adm3(&country, lat, lon) {
                    [
                        p.admin1_en,
                        p.admin1_ar,
                        p.admin2_en,
                        p.admin2_ar,
                        p.admin3_en,
                        p.admin3_ar,
                    ] = a.names.clone();
                }
            } else {
                let code = format!("{country}.{}", f(&r, "admin1_code"));
                // The curated conventional name (Taiz, not Ta‘izz) before GeoNames'.
                p.admin1_en = admin1_extra
                    .get(&code)
                    .or_else(|| admin1.get(&code))
                    .cloned()
                    .unwrap_or_else(|| f(&r, "admin1_name"));
            }
            places.push(p);
        }
    }

    // Countries: ISO names plus the common names news uses (country_names.tsv).
    let common_names: HashMap<String, Vec<String>> =
        tsv(&regions.with_file_name("country_names.tsv"))?
            .into_iter()
            .map(|r| {
                let names = f(&r, "aliases_ar")
                    .split('|')
                    .chain(f(&r, "aliases_en").split('|'))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                (f(&r, "iso2"), names)
            })
            .collect();
    for r in tsv(&shared.join("countries.tsv"))? {
        // "دولة الكويت" is the state, not a longer name of the place: news and NER tag الكويت.
        let mut names: Vec<String> = [f(&r, "official_name_ar"), f(&r, "iso3")]
            .into_iter()
            .filter(|s| {
                !s.is_empty()
                    && !s.chars().all(|c| c.is_ascii_uppercase())
                    && !s.starts_with("دولة ")
            })
            .collect();
        // "إيران، الجمهوريّة الإسلاميّة": the part before the comma is a name too.
        for n in [f(&r, "name_ar"), f(&r, "name")] {
            if let Some((head, _)) = n.split_once(['،', ',']) {
                names.push(head.trim().to_string());
            }
        }
        names.extend(
            common_names
                .get(&f(&r, "iso2"))
                .cloned()
                .unwrap_or_default(),
        );
        places.push(Place {
            id: format!("country:{}", f(&r, "iso2")),
            kind: "country".into(),
            name_en: f(&r, "name"),
            name_ar: f(&r, "name_ar"),
            names,
            country: f(&r, "iso2"),
            lat: f64::NAN,
            lon: f64::NAN,
            precision: 3,
            source: "ISO 3166 / pycountry Arabic names".into(),
            ..Place::default()
        });
    }

    // First-level units of the other countries, with Arabic names (admin1.tsv).
    let admin1_file = regions.with_file_name("admin1.tsv");
    let mut admin1_ar: HashMap<String, String> = HashMap::new();
    if admin1_file.exists() {
        for r in tsv(&admin1_file)? {
            let code = f(&r, "code");
            let country = f(&r, "country");
            admin1_ar.insert(format!("{country}|{}", f(&r, "name_en")), f(&r, "name_ar"));
            let names: Vec<String> = f(&r, "aliases_ar")
                .split('|')
                .chain(f(&r, "aliases_en").split('|'))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            places.push(Place {
                id: format!("adm1:{code}"),
                kind: "governorate".into(),
                name_en: f(&r, "name_en"),
                name_ar: f(&r, "name_ar"),
                names,
                country,
                admin1_en: f(&r, "name_en"),
                admin1_ar: f(&r, "name_ar"),
                lat: num(&r, "lat"),
                lon: num(&r, "lon"),
                precision: 3,
                source: "GeoNames admin1; Arabic names curated (admin1.tsv)".into(),
                ..Place::default()
            });
        }
        for p in places
            .iter_mut()
            .filter(|p| p.admin1_ar.is_empty() && !p.admin1_en.is_empty())
        {
            if let Some(ar) = admin1_ar.get(&format!("{}|{}", p.country, p.admin1_en)) {
                p.admin1_ar = ar.clone();
            }
        }
    }

    // Hand-curated regions, crossings, prisons, camps, fields, bases.
    let country_keys: Vec<String> = places
        .iter()
        .filter(|p| p.kind == "country")
        .flat_map(|p| std::iter::once(p.name_ar.clone()).chain(p.names.iter().cloned()))
        .map(|n| key(&n))
        .collect();
    if regions.exists() {
        for r in tsv(regions)? {
            // "شرقي إدلب", "جنوب لبنان": the matcher finds the place and widens it.
            let names: Vec<String> = f(&r, "aliases_ar")
                .split('|')
                .chain(f(&r, "aliases_en").split('|'))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .filter(|s| !direction_before_town(s, &country_keys))
                .map(String::from)
                .collect();
            let country = f(&r, "country");
            let (lat, lon) = (num(&r, "lat"), num(&r, "lon"));
            let mut p = Place {
                id: f(&r, "id"),
                kind: f(&r, "kind"),
                name_en: f(&r, "name_en"),
                name_ar: if direction_before_town(&f(&r, "name_ar"), &country_keys) {
                    String::new()
                } else {
                    f(&r, "name_ar")
                },
                names,
                country: country.clone(),
                admin1_en: f(&r, "admin1"),
                lat,
                lon,
                precision: f(&r, "geo_precision").parse().unwrap_or(3),
                source: format!("rasid regions: {}", f(&r, "note")),
                ..Place::default()
            };
            if !p.admin1_en.is_empty() && (country == "SY" || country == "IQ") {
                if let Some(g) = places.iter().find(|g| {
                    g.kind == "governorate" && g.country == country && g.name_en == p.admin1_en
                }) {
                    p.admin1_ar = g.admin1_ar.clone();
                }
            }
            places.push(p);
        }
    }

    // Names with a descriptor (ناحية القيارة، قضاء الحويجة): the descriptor is context,
    // not name, and the matcher reads it as such.
    for p in &mut places {
        for n in p.names.iter_mut().chain(std::iter::once(&mut p.name_ar)) {
            for d in ["ناحية ", "قضاء ", "محافظة ", "قرية ", "بلدة ", "مركز "]
            {
                if let Some(rest) = n.strip_prefix(d) {
                    if rest.chars().count() >= 3 {
                        *n = rest.to_string();
                    }
                }
            }
        }
    }
    // A town that gives its name to an admin unit also carries the unit's English names
    // (OCHA and OpenSyria spell Ar-Raqqa, Al-Hasakeh, Maarat al-Numan as English news does).
    let units: Vec<(String, String, Vec<String>, f64, f64, String)> = places
        .iter()
        .filter(|p| matches!(p.kind.as_str(), "governorate" | "district" | "sub-district"))
        .map(|p| {
            let mut en: Vec<String> = std::iter::once(p.name_en.clone())
                .chain(p.names.iter().filter(|n| n.is_ascii()).cloned())
                .collect();
            en.retain(|n| {
                !n.to_lowercase().contains("governorate")
                    && !n.to_lowercase().contains("district")
                    && !n.to_lowercase().contains("nahiyat")
                    && !n.to_lowercase().contains("markaz")
            });
            (
                p.country.clone(),
                key(&p.name_ar.replace("مركز ", "")),
                en,
                p.lat,
                p.lon,
                p.admin1_en.clone(),
            )
        })
        .collect();
    for p in places
        .iter_mut()
        .filter(|p| matches!(p.kind.as_str(), "city" | "town"))
    {
        let k = key(&p.name_ar);
        for (c, uk, en, lat, lon, a1) in &units {
            if *c == p.country
                && *uk == k
                && !k.is_empty()
                && (*a1 == p.admin1_en || km((p.lat, p.lon), (*lat, *lon)) < 60.0)
            {
                p.names.extend(en.iter().cloned());
            }
        }
    }
    // Extra names (Arabic names of world cities GeoNames lacks, news spellings), and the
    // kind where GeoNames has a town as a village (no population given).
    let extra = regions.with_file_name("extra_names.tsv");
    if extra.exists() {
        let by_id: HashMap<String, usize> = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        for r in tsv(&extra)? {
            if let Some(&i) = by_id.get(&f(&r, "id")) {
                let p = &mut places[i];
                let mut add: Vec<String> = f(&r, "aliases_ar")
                    .split('|')
                    .chain(f(&r, "aliases_en").split('|'))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                if p.name_ar.is_empty() && !add.is_empty() && !add[0].is_ascii() {
                    p.name_ar = add.remove(0);
                }
                p.names.extend(add);
                let kind = f(&r, "kind");
                if !kind.is_empty() {
                    p.kind = kind;
                }
            }
        }
    }
    // "مكة المكرمة": the honorific is not part of the name.
    for p in &mut places {
        for n in p.names.iter_mut().chain(std::iter::once(&mut p.name_ar)) {
            for h in [" المكرمة", " المكرمه"] {
                if let Some(base) = n.strip_suffix(h) {
                    *n = base.to_string();
                }
            }
        }
    }
    // Deterministic order and clean name lists.
    for p in &mut places {
        let own = [key(&p.name_en), key(&p.name_ar)];
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        p.names.retain(|n| {
            // Romanised Arabic script (alrqt, nahyt mrkz) and mixed-script strings are noise.
            let latin = n.chars().any(|c| c.is_ascii_alphabetic());
            let arabic = n.chars().any(rasid_text::chars::is_arabic_letter);
            if latin && (arabic || !n.chars().next().is_some_and(|c| c.is_uppercase())) {
                return false;
            }
            let k = key(n);
            !k.is_empty() && !own.contains(&k) && seen.insert(k, ()).is_none() && !n.contains('\t')
        });
    }
    places.sort_by(|a, b| a.id.cmp(&b.id));
    places.dedup_by(|a, b| a.id == b.id);
    Ok(places)
}

/// A name made of direction words before a place ("شرقي إدلب", "جنوب لبنان"): the
/// matcher reads those as the place with a wider phrase, so they are not names of their own.
fn direction_before_town(name: &str, country_keys: &[String]) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    // قطاع غزة is read the same way: the place with a head noun before it.
    let n = words
        .iter()
        .take_while(|w| rasid_lexicon::DIRECTION_WORDS.contains(w) || **w == "قطاع")
        .count();
    let _ = country_keys;
    n > 0 && n < words.len()
}

fn write(out: &Path, places: &[Place]) -> Result<()> {
    let mut s = String::new();
    s.push_str("# Generated by `cargo run -p xtask -- gazetteer`; sources and licences in data/README.md. Do not edit by hand.\n");
    s.push_str("id\tkind\tname_en\tname_ar\tnames\tcountry\tadmin1_en\tadmin1_ar\tadmin2_en\tadmin2_ar\tadmin3_en\tadmin3_ar\tlat\tlon\tpopulation\tprecision\tsource\n");
    let coord = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x:.5}")
        }
    };
    for p in places {
        writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.id,
            p.kind,
            p.name_en,
            p.name_ar,
            p.names.join("|"),
            p.country,
            p.admin1_en,
            p.admin1_ar,
            p.admin2_en,
            p.admin2_ar,
            p.admin3_en,
            p.admin3_ar,
            coord(p.lat),
            coord(p.lon),
            if p.population == 0 {
                String::new()
            } else {
                p.population.to_string()
            },
            p.precision,
            p.source
        )?;
    }
    // Atomic: write beside, then rename.
    let tmp = out.with_extension("tsv.tmp");
    std::fs::write(&tmp, s).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, out).with_context(|| out.display().to_string())?;
    Ok(())
}
