//! What a batch does, written once for both databases: exact and near copies of articles,
//! further reports of stored incidents, the ACLED fatality rule. Each database supplies
//! the statements through [`WriteTx`], inside one transaction per batch.

use rasid_extract::{Article, Event};
use serde_json::Value;

use crate::dedup::{self, Candidate, DedupConfig, IncidentQuery};
use crate::{BatchReport, Prepared, StoreError};

/// An article row to insert. The database also indexes an original (not a near copy) for
/// search and for near-copy lookups.
pub(crate) struct ArticleRow<'a> {
    pub article: &'a Article,
    pub clean_text: &'a str,
    /// Its distinct match-level words, separated by spaces.
    pub words: &'a str,
    pub hash: &'a str,
    pub minhash: Vec<u8>,
    pub bands: &'a [i64],
    pub duplicate_of: Option<i64>,
    pub now: &'a str,
}

/// A stored incident after a further report: its canonical JSON and the columns derived
/// from it.
pub(crate) struct Merged {
    pub data: Value,
    pub fatalities: Option<i64>,
    pub confidence: f64,
}

impl Merged {
    pub fn actor(&self, field: &str) -> Option<&str> {
        self.data[field]["id"].as_str()
    }

    pub fn place(&self, field: &str) -> Option<&str> {
        self.data["location"][field].as_str()
    }

    pub fn coordinate(&self, field: &str) -> Option<f64> {
        self.data["location"][field].as_f64()
    }

    pub fn geo_precision(&self) -> Option<i64> {
        self.data["location"]["geo_precision"].as_i64()
    }
}

/// The statements of one ingest transaction.
pub(crate) trait WriteTx {
    /// The stored articles with this content hash, and with this URL.
    fn stored_copies(
        &mut self,
        hash: &str,
        url: Option<&str>,
    ) -> Result<(Option<i64>, Option<i64>), StoreError>;
    /// Originals sharing one of these bands (index = band number), with their signatures.
    fn band_neighbours(&mut self, bands: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    /// Insert an article (its source by name, its search and band entries when it is an
    /// original); its id.
    fn insert_article(&mut self, row: &ArticleRow) -> Result<i64, StoreError>;
    /// The incidents `q` describes, nearest in date first.
    fn incident_candidates(&mut self, q: &IncidentQuery) -> Result<Vec<Candidate>, StoreError>;
    /// The event of article `original` that `e` repeats: same kind, sub-event type, dates
    /// and admin 1.
    fn same_in_article(&mut self, e: &Event, original: i64) -> Result<Option<i64>, StoreError>;
    /// A stored count that `e` (an aggregate) repeats: same type, actor, period and count,
    /// not from the same article.
    fn same_aggregate(&mut self, e: &Event, article_id: i64) -> Result<Option<i64>, StoreError>;
    /// A stored event's JSON.
    fn event_data(&mut self, id: i64) -> Result<String, StoreError>;
    /// Insert a new event; its id.
    fn insert_event(&mut self, e: &Event, now: &str) -> Result<i64, StoreError>;
    /// Rewrite a stored event after a further report.
    fn update_event(&mut self, id: i64, m: &Merged, now: &str) -> Result<(), StoreError>;
    /// Link a report (the event as article `article_id` tells it) to a stored event.
    fn insert_source(
        &mut self,
        event_id: i64,
        article_id: i64,
        ordinal: usize,
        e: &Event,
    ) -> Result<(), StoreError>;
}

/// Store a batch through `tx` (the caller commits).
pub(crate) fn ingest_batch(
    tx: &mut impl WriteTx,
    batch: &[Prepared],
    now: &str,
    config: &DedupConfig,
) -> Result<BatchReport, StoreError> {
    let mut report = BatchReport::default();
    for item in batch {
        ingest_one(tx, item, now, config, &mut report)?;
    }
    Ok(report)
}

fn ingest_one(
    tx: &mut impl WriteTx,
    prepared: &Prepared,
    now: &str,
    config: &DedupConfig,
    report: &mut BatchReport,
) -> Result<(), StoreError> {
    let item = &prepared.item;
    let a = item.article;
    let digest = &prepared.digest;
    // Exact copies and the same URL: nothing to add.
    match tx.stored_copies(&digest.hash, a.url.as_deref())? {
        (Some(id), _) => {
            report
                .skipped
                .push(format!("{}: same text as stored article {id}", a.id));
            return Ok(());
        }
        (None, Some(id)) => {
            report
                .skipped
                .push(format!("{}: same URL as stored article {id}", a.id));
            return Ok(());
        }
        (None, None) => {}
    }
    let sig = &digest.signature;
    let bands = dedup::bands(sig);
    // Very short texts share too little to call them copies.
    let near = if digest.word_count >= config.near_duplicate_min_words {
        dedup::pick_near(sig, &tx.band_neighbours(&bands)?, config)
    } else {
        None
    };
    let article_id = tx.insert_article(&ArticleRow {
        article: a,
        clean_text: item.clean_text,
        words: &digest.words,
        hash: &digest.hash,
        minhash: dedup::to_blob(sig),
        bands: &bands,
        duplicate_of: near,
        now,
    })?;
    report.new_articles += 1;
    if near.is_some() {
        report.near_duplicates += 1;
    }
    for (ordinal, e) in item.events.iter().enumerate() {
        // A near copy tells what its original told: the same events, whatever their dates.
        let copied = match near {
            Some(original) => tx.same_in_article(e, original)?,
            None => None,
        };
        let target = match copied {
            Some(id) => Some(id),
            None if e.kind == "event" => match IncidentQuery::new(e, article_id, config) {
                Some(q) => dedup::pick_incident(e, &tx.incident_candidates(&q)?, config),
                None => None,
            },
            None => tx.same_aggregate(e, article_id)?,
        };
        let event_id = match target {
            Some(id) => {
                let data = tx.event_data(id)?;
                tx.update_event(id, &merge(id, &data, e)?, now)?;
                report.merged_events += 1;
                id
            }
            None => {
                report.new_events += 1;
                tx.insert_event(e, now)?
            }
        };
        tx.insert_source(event_id, article_id, ordinal, e)?;
    }
    Ok(())
}

/// A further report of a stored incident: keep the lowest fatality figure, fill what the
/// first report left out (target, place precision), raise the confidence.
fn merge(id: i64, data: &str, e: &Event) -> Result<Merged, StoreError> {
    let mut v: Value =
        serde_json::from_str(data).map_err(|source| StoreError::Json { id, source })?;
    let new = serde_json::to_value(e).expect("events serialize");
    let fatalities = match (v["fatalities"].as_u64(), e.fatalities) {
        (Some(a), Some(b)) => Some(a.min(b as u64)),
        (a, b) => a.or(b.map(u64::from)),
    };
    v["fatalities"] = fatalities.map_or(Value::Null, Value::from);
    for field in ["actor1", "actor2"] {
        let unnamed = v[field].is_null() || v[field]["id"] == "unidentified";
        if unnamed && !new[field].is_null() && new[field]["id"] != "unidentified" {
            v[field] = new[field].clone();
        }
    }
    let finer = |a: &Value, b: &Value| {
        a["geo_precision"].as_u64().unwrap_or(9) > b["geo_precision"].as_u64().unwrap_or(9)
    };
    if v["location"].is_null()
        || (!new["location"].is_null() && finer(&v["location"], &new["location"]))
    {
        v["location"] = new["location"].clone();
    }
    let confidence = v["confidence"]
        .as_f64()
        .unwrap_or(0.0)
        .max(e.confidence as f64);
    v["confidence"] = Value::from(confidence);
    Ok(Merged {
        data: v,
        fatalities: fatalities.map(|f| f.min(i64::MAX as u64) as i64),
        confidence,
    })
}

/// An event's JSON as stored.
pub(crate) fn event_json(e: &Event) -> String {
    serde_json::to_string(e).expect("events serialize")
}
