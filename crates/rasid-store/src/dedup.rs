//! Deduplication: content hashes and SimHash for articles, incident matching for events.

use rasid_extract::Event;

use crate::query::Param;
use crate::sql;

/// Thresholds of deduplication (see ARCHITECTURE.md for the reasoning behind the defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DedupConfig {
    /// Two articles whose word 3-shingles overlap at least this much (Jaccard, estimated by
    /// MinHash) are copies of one story.
    pub near_duplicate_jaccard: f64,
    /// Articles shorter than this (in words) are never called near copies.
    pub near_duplicate_min_words: usize,
    /// Reports of one incident may date it this many days apart.
    pub event_window_days: i64,
    /// Two precisely placed reports of one incident are at most this far apart (km).
    pub event_km: f64,
}

impl Default for DedupConfig {
    fn default() -> DedupConfig {
        DedupConfig {
            near_duplicate_jaccard: 0.8,
            near_duplicate_min_words: 40,
            event_window_days: 2,
            event_km: 25.0,
        }
    }
}

/// FNV-1a, 128 bits, as hex: the identity of a text (stable across versions and machines).
pub(crate) fn content_hash(text: &str) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for b in text.bytes() {
        h ^= b as u128;
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:032x}")
}

fn fnv64(bytes: &[u8]) -> u64 {
    fnv64_from(0xcbf29ce484222325, bytes)
}

/// FNV-1a 64 continued from `h` over `bytes`.
fn fnv64_from(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The FNV-1a 64 of words joined by single spaces, without joining them.
fn fnv64_words(words: &[&str]) -> u64 {
    let mut h = 0xcbf29ce484222325;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            h = fnv64_from(h, b" ");
        }
        h = fnv64_from(h, w.as_bytes());
    }
    h
}

/// How many MinHash values an article keeps, and how they are banded for the index: 16
/// bands of 4. Copies with a Jaccard overlap of 0.8 share a band with probability 0.999;
/// unrelated stories (overlap under 0.1) almost never do.
pub const MINHASH: usize = 64;
const ROWS: usize = 4;

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

/// The MinHash signature of a match-level text over its word 3-shingles (single words for
/// texts under three words).
pub fn minhash(match_text: &str) -> [u64; MINHASH] {
    let words: Vec<&str> = match_text
        .split(|c: char| !rasid_text::chars::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
        .collect();
    let shingles: Vec<u64> = if words.len() < 3 {
        words.iter().map(|w| fnv64(w.as_bytes())).collect()
    } else {
        words.windows(3).map(fnv64_words).collect()
    };
    let mut seed = 0x0052_4153_4944_u64;
    let mut sig = [u64::MAX; MINHASH];
    for slot in sig.iter_mut() {
        let a = splitmix(&mut seed) | 1;
        let b = splitmix(&mut seed);
        for &x in &shingles {
            *slot = (*slot).min(x.wrapping_mul(a).wrapping_add(b));
        }
    }
    sig
}

/// The estimated Jaccard overlap of two signatures.
pub fn similarity(a: &[u64], b: &[u64]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// The band keys of a signature, for the index.
pub(crate) fn bands(sig: &[u64; MINHASH]) -> Vec<i64> {
    sig.chunks(ROWS)
        .map(|rows| {
            let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
            fnv64(&bytes) as i64
        })
        .collect()
}

/// A signature as stored.
pub(crate) fn to_blob(sig: &[u64; MINHASH]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A stored signature.
pub(crate) fn from_blob(b: &[u8]) -> Vec<u64> {
    b.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// A stored incident that a report might repeat, as [`pick_incident`] compares it.
pub(crate) struct Candidate {
    pub id: i64,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub geo_precision: Option<i64>,
    pub date_start: String,
}

/// The stored incidents a report may repeat, as the database is asked for them: of the
/// same event type and admin 1, dated to the day or the week, starting between `lo_start`
/// and `hi_start` and ending on or after `lo_end`, not reported by the same article.
pub(crate) struct IncidentQuery<'a> {
    pub event_type: &'a str,
    pub admin1: Option<&'a str>,
    /// Without an admin 1: the country and named initiator a candidate must share (what
    /// [`pick_incident`] requires then, asked of the database so that it returns only
    /// those).
    pub country_actor: Option<(&'a str, &'a str)>,
    pub lo_start: String,
    pub hi_start: String,
    pub lo_end: String,
    pub article_id: i64,
}

impl<'a> IncidentQuery<'a> {
    /// The statement ([`crate::sql`]) and its values.
    pub fn statement(&self) -> (&'static str, Vec<Param>) {
        let t = |s: &str| Param::Text(s.to_string());
        let mut args = vec![
            t(self.event_type),
            t(&self.lo_start),
            t(&self.hi_start),
            t(&self.lo_end),
        ];
        let sql = match (self.admin1, self.country_actor) {
            (Some(a), _) => {
                args.push(t(a));
                sql::INCIDENT_CANDIDATES
            }
            (None, Some((country, actor))) => {
                args.extend([t(country), t(actor)]);
                sql::INCIDENT_CANDIDATES_NO_ADMIN1
            }
            (None, None) => unreachable!("IncidentQuery::new requires one or the other"),
        };
        args.push(Param::Int(self.article_id));
        (sql, args)
    }

    /// The query for `e`: its dates widened by the window (and the start by a week more,
    /// for incidents dated to the week). None when `e` cannot match any stored incident:
    /// a date vaguer than a week cannot tell one incident from another, and without an
    /// admin 1 it takes a country and a named initiator.
    pub fn new(e: &'a Event, article_id: i64, config: &DedupConfig) -> Option<IncidentQuery<'a>> {
        if e.date.time_precision > 2 {
            return None;
        }
        let start: jiff::civil::Date = e.date.start.parse().ok()?;
        let end: jiff::civil::Date = e.date.end.parse().ok()?;
        let w = jiff::Span::new().days(config.event_window_days);
        let lo = start.checked_sub(w).ok()?;
        let admin1 = e.location.as_ref().and_then(|l| l.admin1.as_deref());
        let country_actor = match admin1 {
            Some(_) => None,
            None => {
                let country = e.location.as_ref().and_then(|l| l.country.as_deref())?;
                let actor = e.actor1.as_ref().map(|a| a.id.as_str());
                Some((country, actor.filter(|&a| a != "unidentified")?))
            }
        };
        Some(IncidentQuery {
            event_type: e.event_type,
            admin1,
            country_actor,
            lo_start: lo.checked_sub(jiff::Span::new().days(7)).ok()?.to_string(),
            hi_start: end.checked_add(w).ok()?.to_string(),
            lo_end: lo.to_string(),
            article_id,
        })
    }
}

/// Of the candidates, the incident that `e` reports again, if any — the nearest in date
/// (then the oldest) that qualifies: the same admin 1 (and, when both are placed to the town, within `event_km`), or the same
/// country and the same named initiator when neither has an admin 1; actors that do not
/// contradict (the same, or one side unnamed). Never another event of the same article
/// (the extractor already merged those it should; the query leaves them out).
pub(crate) fn pick_incident(
    e: &Event,
    mut candidates: Vec<Candidate>,
    config: &DedupConfig,
) -> Option<i64> {
    let start = e.date.start.parse::<jiff::civil::Date>().ok();
    let days = |c: &Candidate| -> i64 {
        match (start, c.date_start.parse::<jiff::civil::Date>()) {
            (Some(a), Ok(b)) => (b - a).get_days().abs() as i64,
            _ => i64::MAX,
        }
    };
    candidates.sort_by_cached_key(|c| (days(c), c.id));
    let l = e.location.as_ref();
    let unnamed = |a: Option<&str>| a.is_none_or(|a| a == "unidentified");
    let named_same = |ours: Option<&str>, theirs: Option<&str>| !unnamed(ours) && ours == theirs;
    let compatible = |ours: Option<&str>, theirs: Option<&str>| {
        ours == theirs || unnamed(ours) || unnamed(theirs)
    };
    let actor1 = e.actor1.as_ref().map(|a| a.id.as_str());
    let actor2 = e.actor2.as_ref().map(|a| a.id.as_str());
    candidates.iter().find_map(|c| {
        let place = match (l.and_then(|l| l.admin1.as_deref()), c.admin1.as_deref()) {
            (Some(x), Some(y)) => {
                x == y
                    && match (l.and_then(|l| l.lat.zip(l.lon)), c.lat.zip(c.lon)) {
                        (Some(p), Some(q))
                            if l.is_some_and(|l| l.geo_precision == 1)
                                && c.geo_precision == Some(1) =>
                        {
                            rasid_lexicon::distance_km(p, q) <= config.event_km
                        }
                        _ => true,
                    }
            }
            // Placed only to the country (or not at all): the same country and the same
            // named initiator.
            _ => {
                l.and_then(|l| l.country.as_deref()) == c.country.as_deref()
                    && c.country.is_some()
                    && named_same(actor1, c.actor1.as_deref())
            }
        };
        let actors = compatible(actor1, c.actor1.as_deref())
            && (actor2.is_none() || c.actor2.is_none() || actor2 == c.actor2.as_deref());
        (place && actors).then_some(c.id)
    })
}

/// Of the originals sharing a band with `sig` (id and stored signature, in any order, with
/// repeats), the most similar at or above the threshold (ties: the oldest).
pub(crate) fn pick_near(
    sig: &[u64; MINHASH],
    neighbours: &[(i64, Vec<u8>)],
    config: &DedupConfig,
) -> Option<i64> {
    let mut best: Option<(f64, i64)> = None;
    for (id, blob) in neighbours {
        let s = similarity(sig, &from_blob(blob));
        if s >= config.near_duplicate_jaccard && best.is_none_or(|(b, bid)| (s, -id) > (b, -bid)) {
            best = Some((s, *id));
        }
    }
    best.map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shingle_hashes_are_those_of_the_joined_words() {
        let words = ["داعش", "في", "الرقة"];
        assert_eq!(
            super::fnv64_words(&words),
            super::fnv64(words.join(" ").as_bytes())
        );
        assert_eq!(super::fnv64_words(&[]), super::fnv64(b""));
    }

    use super::*;

    #[test]
    fn minhash_is_close_for_copies_and_far_for_others() {
        let story = [
            "قتل خمسة جنود في هجوم شنه مسلحون على حاجز للجيش قرب مدينة تكريت شمال بغداد امس",
            "وقالت مصادر امنية ان المهاجمين فروا الى جهة مجهولة بعد الهجوم الذي استمر نحو ساعة",
            "واضافت المصادر ان قوة من الجيش وصلت الى المكان وفرضت طوقا امنيا حول المنطقة",
            "وبدأت عمليات تفتيش في القرى المجاورة بحثا عن المهاجمين الذين استخدموا اسلحة خفيفة",
            "ولم تعلن اي جهة مسؤوليتها عن الهجوم حتى الان لكن التنظيم نفذ هجمات مماثلة في المنطقة",
            "وكانت القوات العراقية قد استعادت السيطرة على تكريت قبل اشهر بعد معارك عنيفة",
            "ويقول مسؤولون محليون ان خلايا نائمة ما زالت تنشط في الصحراء غرب المدينة",
            "وتشهد محافظة صلاح الدين هجمات متكررة تستهدف نقاط التفتيش والدوريات الليلية",
        ]
        .join(" ");
        let copy = format!("{story} وفق ما افادت وكالة الانباء الرسمية");
        let other = story.split(' ').rev().collect::<Vec<_>>().join(" ");
        let s_copy = similarity(&minhash(&story), &minhash(&copy));
        let s_other = similarity(&minhash(&story), &minhash(&other));
        assert!(s_copy >= 0.8, "a copy with a credit line added: {s_copy}");
        assert!(s_other < 0.2, "the same words in another order: {s_other}");
        assert_eq!(minhash(&story), minhash(&story));
        let sig = minhash(&story);
        assert_eq!(from_blob(&to_blob(&sig)), sig.to_vec());
        assert_eq!(bands(&sig).len(), MINHASH / ROWS);
    }

    #[test]
    fn hashes_are_stable() {
        // Values are stored: they must never change between versions.
        assert_eq!(content_hash(""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(content_hash("a"), "d228cb696f1a8caf78912b704e4a8964");
        assert!(
            (rasid_lexicon::distance_km((36.2, 37.15), (35.93, 36.63)) - 55.0).abs() < 5.0,
            "Aleppo–Idlib"
        );
    }
}
