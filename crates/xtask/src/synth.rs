//! `cargo run --release -p xtask -- synth-events --db FILE [--events N]`: a database of
//! synthetic events for load tests of the server (events spread over 2011–2024, the
//! governorates of Syria, Iraq and Yemen, the lexicon's actors, ACLED's types; one source
//! article per ten events). Deterministic: the same N gives the same database.

use std::path::Path;

use anyhow::{Context, Result};
use rasid_lexicon::{FeatureKind, Lexicon};
use rusqlite::params;
use serde_json::json;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const TYPES: &[(&str, &str, u32)] = &[
    ("Battles", "Armed clash", 30),
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        25,
    ),
    ("Explosions/Remote violence", "Air/drone strike", 15),
    ("Violence against civilians", "Attack", 12),
    ("Protests", "Peaceful protest", 8),
    ("Riots", "Violent demonstration", 3),
    ("Strategic developments", "Arrests", 7),
];

pub fn run(db: &Path, events: usize) -> Result<()> {
    if db.exists() {
        anyhow::bail!("{}: exists; give a new file", db.display());
    }
    // The schema comes from the store itself.
    drop(rasid_store::Store::open(
        db,
        rasid_store::DedupConfig::default(),
    )?);
    let lex = Lexicon::bundled()?;
    let govs: Vec<_> = lex
        .places()
        .iter()
        .filter(|p| {
            p.kind == FeatureKind::Governorate
                && ["SY", "IQ", "YE"].contains(&p.country.as_str())
                && p.lat.is_finite()
        })
        .collect();
    let actors: Vec<_> = lex.actors().iter().take(60).collect();
    let total_weight: u32 = TYPES.iter().map(|t| t.2).sum();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    {
        let mut art = tx.prepare(
            "INSERT INTO articles (id, ext_id, url, title, published, lang, text, clean_text, \
             match_text, hash, minhash, ingested_at) \
             VALUES (?1, ?2, NULL, ?3, ?4, 'ar', ?5, ?5, ?5, ?6, x'', '2024-01-01T00:00:00Z')",
        )?;
        let mut ev = tx.prepare(
            "INSERT INTO events (id, kind, event_type, sub_event_type, actor1, actor2, country, \
             admin1, admin2, location, lat, lon, geo_precision, date_start, date_end, \
             time_precision, fatalities, confidence, data, created_at, updated_at) \
             VALUES (?1, 'event', ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10, 2, ?11, ?11, 1, ?12, \
             ?13, ?14, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
        )?;
        let mut src = tx.prepare(
            "INSERT INTO event_sources (event_id, article_id, ordinal, evidence, span_start, \
             span_end, fatalities, data) VALUES (?1, ?2, 0, ?3, 0, ?4, ?5, '{}')",
        )?;
        let start = jiff::civil::date(2011, 3, 15);
        for i in 0..events {
            let id = i as i64 + 1;
            let article_id = i as i64 / 10 + 1;
            let day = start
                .checked_add(jiff::Span::new().days(rng.below(5000) as i64))
                .context("date")?
                .to_string();
            let g = govs[rng.below(govs.len())];
            let mut w = rng.below(total_weight as usize) as u32;
            let t = TYPES
                .iter()
                .find(|t| {
                    if w < t.2 {
                        true
                    } else {
                        w -= t.2;
                        false
                    }
                })
                .unwrap_or(&TYPES[0]);
            let a1 = actors[rng.below(actors.len())];
            let a2 = actors[rng.below(actors.len())];
            let fatalities = if rng.below(3) == 0 {
                Some((-(rng.unit().max(1e-9)).ln() * 4.0) as i64)
            } else {
                None
            };
            let lat = g.lat + (rng.unit() - 0.5) * 0.8;
            let lon = g.lon + (rng.unit() - 0.5) * 0.8;
            let evidence = format!("خبر تجريبي رقم {id} عن {} في {}.", t.1, g.name_ar);
            let confidence = 0.5 + rng.unit() * 0.5;
            if i % 10 == 0 {
                art.execute(params![
                    article_id,
                    format!("synth-{article_id}"),
                    format!("synthetic {article_id}"),
                    day,
                    evidence,
                    format!("synth-hash-{article_id}")
                ])?;
            }
            let data = json!({
                "kind": "event", "event_type": t.0, "sub_event_type": t.1,
                "actor1": {"id": a1.id, "name": a1.name, "span": null, "text": null, "suspected": false},
                "actor2": {"id": a2.id, "name": a2.name, "span": null, "text": null, "suspected": false},
                "assoc_actor_1": [], "assoc_actor_2": [],
                "date": {"start": day, "end": day, "time_precision": 1, "span": null, "text": null},
                "location": {"name": g.name_en, "name_ar": g.name_ar, "country": g.country,
                             "admin1": g.admin1_en, "admin2": null, "admin3": null, "lat": lat, "lon": lon,
                             "geo_precision": 2, "gazetteer_id": g.id, "span": null, "text": null},
                "fatalities": fatalities, "injured": null, "count": null, "confidence": confidence,
                "evidence": {"text": evidence, "span": [0, evidence.chars().count()]},
            });
            ev.execute(params![
                id,
                t.0,
                t.1,
                a1.id,
                a2.id,
                g.country,
                g.admin1_en,
                g.name_en,
                lat,
                lon,
                day,
                fatalities,
                confidence,
                data.to_string()
            ])?;
            src.execute(params![
                id,
                article_id,
                evidence,
                evidence.chars().count() as i64,
                fatalities
            ])?;
        }
    }
    tx.commit()?;
    conn.execute_batch("ANALYZE")?;
    eprintln!("{}: {events} synthetic events", db.display());
    Ok(())
}
