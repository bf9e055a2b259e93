//! Deduplication: content hashes and SimHash for articles, incident matching for events.

use rasid_extract::Event;
use rusqlite::{params, OptionalExtension};

use crate::StoreError;

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

/// A stored incident that `e` (from article `article_id`) reports again, if any: same event
/// type; both dated to the day or the week, the dates overlapping once widened by the
/// window; the same admin 1 (and, when both are placed to the town, within `event_km`), or
/// the same country and the same named initiator when neither has an admin 1; actors that
/// do not contradict (the same, or one side unnamed); never another event of the same
/// article (the extractor already merged those it should).
pub(crate) fn same_incident(
    tx: &rusqlite::Transaction,
    e: &Event,
    article_id: i64,
    config: &DedupConfig,
) -> Result<Option<i64>, StoreError> {
    let w = format!("{} days", config.event_window_days);
    let mut stmt = tx.prepare_cached(
        "SELECT id, actor1, actor2, country, admin1, lat, lon, geo_precision FROM events \
         WHERE kind = 'event' AND event_type = ?1 AND time_precision <= 2 \
         AND date_start >= date(?2, '-' || ?4, '-7 days') \
         AND date_start <= date(?3, '+' || ?4) AND date_end >= date(?2, '-' || ?4) \
         AND admin1 IS ?6 \
         AND NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = events.id AND s.article_id = ?5) \
         ORDER BY abs(julianday(date_start) - julianday(?2)), id",
    )?;
    let rows = stmt.query_map(
        params![
            e.event_type,
            e.date.start,
            e.date.end,
            w,
            article_id,
            e.location.as_ref().and_then(|l| l.admin1.as_deref())
        ],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, Option<f64>>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ))
        },
    )?;
    // A date vaguer than a week cannot tell one incident from another.
    if e.date.time_precision > 2 {
        return Ok(None);
    }
    let l = e.location.as_ref();
    let unnamed = |a: Option<&str>| a.is_none_or(|a| a == "unidentified");
    let named_same = |ours: Option<&str>, theirs: Option<&str>| !unnamed(ours) && ours == theirs;
    let compatible = |ours: Option<&str>, theirs: Option<&str>| {
        ours == theirs || unnamed(ours) || unnamed(theirs)
    };
    for row in rows {
        let (id, a1, a2, country, admin1, lat, lon, precision) = row?;
        let place = match (l.and_then(|l| l.admin1.as_deref()), admin1.as_deref()) {
            (Some(x), Some(y)) => {
                x == y
                    && match (l.and_then(|l| l.lat.zip(l.lon)), lat.zip(lon)) {
                        (Some(p), Some(q))
                            if l.is_some_and(|l| l.geo_precision == 1) && precision == Some(1) =>
                        {
                            rasid_lexicon::distance_km(p, q) <= config.event_km
                        }
                        _ => true,
                    }
            }
            // Placed only to the country (or not at all): the same country and the same
            // named initiator.
            _ => {
                l.and_then(|l| l.country.as_deref()) == country.as_deref()
                    && country.is_some()
                    && named_same(e.actor1.as_ref().map(|a| a.id.as_str()), a1.as_deref())
            }
        };
        let actors = compatible(e.actor1.as_ref().map(|a| a.id.as_str()), a1.as_deref())
            && (e.actor2.is_none()
                || a2.is_none()
                || e.actor2.as_ref().map(|a| a.id.as_str()) == a2.as_deref());
        if place && actors {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The event of article `original` that `e` (from a near copy of it) repeats: same kind,
/// sub-event type, dates and admin 1.
pub(crate) fn same_in_article(
    tx: &rusqlite::Transaction,
    e: &Event,
    original: i64,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT e.id FROM events e JOIN event_sources s ON s.event_id = e.id \
         WHERE s.article_id = ?1 AND e.kind = ?2 AND e.sub_event_type = ?3 \
         AND e.date_start = ?4 AND e.date_end = ?5 AND e.admin1 IS ?6 ORDER BY e.id LIMIT 1",
    )?;
    Ok(stmt
        .query_row(
            params![
                original,
                e.kind,
                e.sub_event_type,
                e.date.start,
                e.date.end,
                e.location.as_ref().and_then(|l| l.admin1.as_deref())
            ],
            |r| r.get(0),
        )
        .optional()?)
}

/// A stored count that `e` (an aggregate) repeats: same type, actor, period and count.
pub(crate) fn same_aggregate(
    tx: &rusqlite::Transaction,
    e: &Event,
    article_id: i64,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM events WHERE kind = 'aggregate' AND event_type = ?1 \
         AND date_start = ?2 AND date_end = ?3 AND actor1 IS ?4 \
         AND json_extract(data, '$.count') IS ?5 \
         AND NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = events.id AND s.article_id = ?6) \
         ORDER BY id LIMIT 1",
    )?;
    Ok(stmt
        .query_row(
            params![
                e.event_type,
                e.date.start,
                e.date.end,
                e.actor1.as_ref().map(|a| &a.id),
                e.count,
                article_id
            ],
            |r| r.get(0),
        )
        .optional()?)
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
