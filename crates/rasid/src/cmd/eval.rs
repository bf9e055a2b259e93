//! `rasid eval GOLD.jsonl --articles POOL.jsonl.gz`: extraction scored against events coded
//! by hand.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rasid_extract::{article, Event};
use serde_json::Value;

/// Score extraction against a gold file (one article per line: `article_id`, `published`,
/// `events` coded to the codebook). Events match when the event type agrees, the places
/// agree (same admin 1, or same country when either has none) and the dates overlap; then
/// sub-event type, actors, location, date and fatalities are compared on matched pairs.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The gold file.
    gold: PathBuf,
    /// Article pools (`.jsonl` or `.jsonl.gz`) holding the gold articles' texts by id.
    #[arg(long = "articles", required = true)]
    articles: Vec<PathBuf>,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print every article's misses and extras.
    #[arg(long)]
    diff: bool,
    /// Score only the events at or above this confidence.
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f32,
}

/// A file's text, decompressed when it ends in `.gz`.
pub(crate) fn read_maybe_gz(p: &Path) -> Result<String> {
    crate::input::read_to_string(p).map_err(anyhow::Error::msg)
}

/// First-level units under every name the gazetteer gives them: gold files and the
/// gazetteer may name one governorate differently ("Rif Dimashq" / "Rural Damascus",
/// "Sanaa City" / "Amanat Al Asimah"), which is not an extraction error.
pub(crate) struct AdminNames(HashMap<(String, String), std::collections::HashSet<String>>);

impl AdminNames {
    pub(crate) fn new(lex: &rasid_lexicon::Lexicon) -> AdminNames {
        let mut m: HashMap<(String, String), std::collections::HashSet<String>> = HashMap::new();
        for p in lex.places() {
            if p.kind != rasid_lexicon::FeatureKind::Governorate || p.admin1_en.is_empty() {
                continue;
            }
            let canon = norm_admin(&p.admin1_en);
            for n in std::iter::once(&p.name_en).chain(&p.names) {
                let k = norm_admin(n);
                if !k.is_empty() {
                    m.entry((p.country.clone(), k))
                        .or_default()
                        .insert(canon.clone());
                }
            }
        }
        AdminNames(m)
    }

    /// Whether two admin 1 names of a country name the same unit.
    pub(crate) fn same(&self, country: Option<&str>, a: &str, b: &str) -> bool {
        let (a, b) = (norm_admin(a), norm_admin(b));
        a == b
            || country.is_some_and(|c| {
                let one = |x: &String, y: &String| {
                    self.0
                        .get(&(c.to_string(), x.clone()))
                        .is_some_and(|s| s.contains(y))
                };
                one(&a, &b) || one(&b, &a)
            })
    }
}

fn event_matches(names: &AdminNames, g: &Value, p: &Event) -> bool {
    let same_type = g["event_type"].as_str() == Some(p.event_type);
    let gl = &g["location"];
    let pl = p.location.as_ref();
    let place = match (gl["admin1"].as_str(), pl.and_then(|l| l.admin1.as_deref())) {
        (Some(a), Some(b)) => names.same(gl["country"].as_str(), a, b),
        // A gold event the text does not place (a dateline is not a place): only an event
        // placed no finer than a country agrees.
        (None, found) if gl["country"].as_str().is_none() => found.is_none(),
        _ => {
            gl["country"].as_str().is_some()
                && gl["country"].as_str() == pl.and_then(|l| l.country.as_deref())
        }
    };
    let (gs, ge) = (
        g["date"]["start"].as_str().unwrap_or(""),
        g["date"]["end"].as_str().unwrap_or(""),
    );
    let overlap = p.date.start.as_str() <= ge && gs <= p.date.end.as_str();
    same_type && place && overlap
}

/// Admin names compared loosely: transliterations of one name differ in vowels, article,
/// doubling, diacritics and suffixes (Ar-Raqqa / Al-Raqqah / Raqqa, Idleb / Idlib,
/// Ta‘izz / Taiz, 'Asir Region / Asir), so the comparison uses a consonant skeleton.
pub(crate) fn norm_admin(s: &str) -> String {
    let mut t: String = s
        .chars()
        .filter_map(|c| {
            let c = deunicode_char(c);
            c.is_ascii_alphabetic().then(|| c.to_ascii_lowercase())
        })
        .collect();
    for suffix in ["governorate", "region", "province", "district", "city"] {
        if let Some(x) = t.strip_suffix(suffix) {
            t = x.to_string();
        }
    }
    for article in ["al", "ar", "as", "ad", "az", "an", "ash", "el"] {
        if t.len() > article.len() + 3 {
            if let Some(x) = t.strip_prefix(article) {
                t = x.to_string();
                break;
            }
        }
    }
    let mut out = String::new();
    for (i, c) in t.chars().enumerate() {
        if i > 0 && "aeiouyh".contains(c) {
            continue;
        }
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Latin letters with diacritics folded to ASCII (enough for transliterated place names).
fn deunicode_char(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ā' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        'ḩ' | 'ḥ' | 'Ḩ' | 'Ḥ' => 'h',
        'ḑ' | 'ḍ' | 'Ḑ' | 'Ḍ' => 'd',
        'ş' | 'ṣ' | 'Ş' | 'Ṣ' | 'š' => 's',
        'ţ' | 'ṭ' | 'Ţ' | 'Ṭ' => 't',
        'ẓ' | 'ž' => 'z',
        'ç' => 'c',
        'ğ' => 'g',
        _ => c,
    }
}

/// A count of right answers.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) ok: usize,
    pub(crate) n: usize,
}

impl Tally {
    pub(crate) fn add(&mut self, ok: bool) {
        self.n += 1;
        self.ok += ok as usize;
    }
    pub(crate) fn show(&self) -> String {
        format!(
            "{:.3} ({}/{})",
            self.ok as f64 / self.n.max(1) as f64,
            self.ok,
            self.n
        )
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    let extractor = crate::cmd::extract::extractor(a.lexicon.as_deref(), a.min_confidence)?;
    let names = AdminNames::new(extractor.lexicon());
    let gold_text = std::fs::read_to_string(&a.gold)
        .with_context(|| format!("reading {}", a.gold.display()))?;
    let gold: Vec<Value> = gold_text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).with_context(|| format!("{}:{}", a.gold.display(), n + 1))
        })
        .collect::<Result<_>>()?;
    let wanted: std::collections::HashSet<&str> = gold
        .iter()
        .filter_map(|g| g["article_id"].as_str())
        .collect();
    let mut pool: HashMap<String, String> = HashMap::new();
    for p in &a.articles {
        for line in read_maybe_gz(p)?.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let (Some(id), Some(text)) = (v["id"].as_str(), v["text"].as_str()) {
                if wanted.contains(id) {
                    pool.insert(id.to_string(), text.to_string());
                }
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let (mut sub, mut a1, mut a2, mut loc, mut date, mut fat) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    for g in &gold {
        let id = g["article_id"].as_str().unwrap_or("");
        let Some(text) = pool.get(id) else {
            eprintln!("rasid: {id}: not in the article pools");
            continue;
        };
        let mut art = article::from_txt(id, text, None);
        art.published = g["published"].as_str().and_then(article::parse_date);
        let x = extractor.extract(&art);
        let predicted: Vec<&Event> = x.events.iter().filter(|e| e.kind == "event").collect();
        let golds: Vec<&Value> = g["events"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["kind"] == "event")
            .collect();
        // Pairs are made best first: the same sentence and the same sub-event type before
        // a mere agreement of type, place and date, so that the order of the gold file
        // does not decide which found event a gold event is paired with.
        let mut pairs: Vec<(u8, usize, usize)> = Vec::new();
        for (gi, ge) in golds.iter().enumerate() {
            for (pi, p) in predicted.iter().enumerate() {
                if event_matches(&names, ge, p) {
                    let evidence = ge["evidence"].as_str().unwrap_or("");
                    let head: String = evidence.trim().chars().take(40).collect();
                    let same_sentence = !head.is_empty()
                        && (p.evidence.text.contains(&head)
                            || evidence.contains(p.evidence.text.trim()));
                    let same_sub = ge["sub_event_type"].as_str() == Some(p.sub_event_type);
                    pairs.push((2 * same_sentence as u8 + same_sub as u8, gi, pi));
                }
            }
        }
        pairs.sort_by_key(|&(score, gi, pi)| (std::cmp::Reverse(score), gi, pi));
        let mut used = vec![false; predicted.len()];
        let mut paired: Vec<Option<usize>> = vec![None; golds.len()];
        for (_, gi, pi) in pairs {
            if paired[gi].is_none() && !used[pi] {
                paired[gi] = Some(pi);
                used[pi] = true;
            }
        }
        let mut misses = Vec::new();
        for (gi, ge) in golds.iter().enumerate() {
            match paired[gi] {
                Some(i) => {
                    tp += 1;
                    let p = predicted[i];
                    let (pa1, pa2) = (
                        p.actor1.as_ref().map(|x| x.id.as_str()),
                        p.actor2.as_ref().map(|x| x.id.as_str()),
                    );
                    if a.diff && (ge["actor1"].as_str() != pa1 || ge["actor2"].as_str() != pa2) {
                        misses.push(format!(
                            "  actors: gold {} / {}, found {} / {}: {}",
                            ge["actor1"].as_str().unwrap_or("-"),
                            ge["actor2"].as_str().unwrap_or("-"),
                            pa1.unwrap_or("-"),
                            pa2.unwrap_or("-"),
                            p.evidence.text.chars().take(90).collect::<String>()
                        ));
                    }
                    let gf = ge["fatalities"].as_u64().map(|f| f as u32);
                    if a.diff && gf != p.fatalities {
                        misses.push(format!(
                            "  fatalities: gold {}, found {}: {}",
                            gf.map_or("-".into(), |f| f.to_string()),
                            p.fatalities.map_or("-".into(), |f| f.to_string()),
                            p.evidence.text.chars().take(110).collect::<String>()
                        ));
                    }
                    sub.add(ge["sub_event_type"].as_str() == Some(p.sub_event_type));
                    a1.add(ge["actor1"].as_str() == p.actor1.as_ref().map(|x| x.id.as_str()));
                    a2.add(ge["actor2"].as_str() == p.actor2.as_ref().map(|x| x.id.as_str()));
                    loc.add(
                        match (
                            ge["location"]["admin1"].as_str(),
                            p.location.as_ref().and_then(|l| l.admin1.as_deref()),
                        ) {
                            (Some(g), Some(f)) => {
                                names.same(ge["location"]["country"].as_str(), g, f)
                            }
                            (g, f) => g.is_none() && f.is_none(),
                        },
                    );
                    date.add(
                        ge["date"]["start"].as_str() <= Some(p.date.end.as_str())
                            && Some(p.date.start.as_str()) <= ge["date"]["end"].as_str(),
                    );
                    fat.add(ge["fatalities"].as_u64().map(|f| f as u32) == p.fatalities);
                }
                None => {
                    fn_ += 1;
                    misses.push(format!(
                        "  missed: {} / {} at {} on {}: {}",
                        ge["event_type"].as_str().unwrap_or(""),
                        ge["sub_event_type"].as_str().unwrap_or(""),
                        ge["location"]["admin1"]
                            .as_str()
                            .unwrap_or(ge["location"]["country"].as_str().unwrap_or("?")),
                        ge["date"]["start"].as_str().unwrap_or(""),
                        ge["evidence"]
                            .as_str()
                            .unwrap_or("")
                            .chars()
                            .take(100)
                            .collect::<String>()
                    ));
                }
            }
        }
        let extras: Vec<String> = predicted
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(p, _)| {
                format!(
                    "  extra: {} at {} on {}: {}",
                    p.sub_event_type,
                    p.location
                        .as_ref()
                        .and_then(|l| l.admin1.clone())
                        .unwrap_or_default(),
                    p.date.start,
                    p.evidence.text.chars().take(100).collect::<String>()
                )
            })
            .collect();
        fp += extras.len();
        if a.diff && (!misses.is_empty() || !extras.is_empty()) {
            writeln!(out, "{id}:")?;
            for m in misses.iter().chain(&extras) {
                writeln!(out, "{m}")?;
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    writeln!(
        out,
        "events: precision {p:.3} recall {r:.3} F1 {f:.3} (tp {tp}, fp {fp}, fn {fn_})"
    )?;
    writeln!(out, "on matched events: sub-event type {}, actor1 {}, actor2 {}, location (admin1) {}, date {}, fatalities {}",
        sub.show(), a1.show(), a2.show(), loc.show(), date.show(), fat.show())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::norm_admin;

    #[test]
    fn admin_names_compare_across_transliterations() {
        for (a, b) in [
            ("Ar-Raqqa", "Al-Raqqah"),
            ("Idleb", "Idlib"),
            ("Ta‘izz", "Taiz"),
            ("'Asir Region", "Asir"),
            ("Jazan Region", "Jazan"),
            ("Lattakia", "Latakia"),
            ("Al-Hasakeh", "Al-Hasakah"),
            ("Deir-ez-Zor", "Deir ez-Zor"),
            ("Şa‘dah", "Saada"),
            ("Banghāzī", "Benghazi"),
        ] {
            assert_eq!(norm_admin(a), norm_admin(b), "{a} vs {b}");
        }
        for (a, b) in [
            ("Aleppo", "Idlib"),
            ("Homs", "Hama"),
            ("Aden", "Abyan"),
            ("Basra", "Baghdad"),
        ] {
            assert_ne!(norm_admin(a), norm_admin(b), "{a} vs {b}");
        }
    }
}
