//! What a batch does, written once for both databases: exact and near copies of articles,
//! further reports of stored incidents, the ACLED fatality rule. Each database supplies
//! the statements through [`WriteTx`], inside one transaction per batch.

use rasid_extract::{Article, Event};
use serde_json::Value;

use crate::dedup::{self, Candidate, DedupConfig, IncidentQuery};
use crate::query::Param;
use crate::sql;
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
struct Merged {
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

/// The statements of one ingest transaction. Those the two databases share (`sql.rs`) run
/// through [`WriteTx::ids`] and [`WriteTx::execute`] with values bound here; the others are
/// each database's own.
pub(crate) trait WriteTx {
    /// Run a query; the integer columns of its first row (none when it has no row).
    fn ids(&mut self, sql: &str, args: &[Param]) -> Result<Vec<Option<i64>>, StoreError>;
    /// Run a statement.
    fn execute(&mut self, sql: &str, args: &[Param]) -> Result<(), StoreError>;
    /// Run an insert of one row into a table with an `id` key; the new id. (Not `RETURNING`
    /// for both: in SQLite it opens a statement savepoint, which makes the full-text index
    /// write its pending terms at every event.)
    fn insert(&mut self, sql: &str, args: &[Param]) -> Result<i64, StoreError>;
    /// Originals sharing one of these bands (index = band number), with their signatures.
    fn band_neighbours(&mut self, bands: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError>;
    /// Insert an article (its source by name, its search and band entries when it is an
    /// original); its id.
    fn insert_article(&mut self, row: &ArticleRow) -> Result<i64, StoreError>;
    /// The incidents `q` describes.
    fn incident_candidates(&mut self, q: &IncidentQuery) -> Result<Vec<Candidate>, StoreError>;
    /// A stored count that `e` (an aggregate) repeats: same type, actor, period and count,
    /// not from the same article.
    fn same_aggregate(&mut self, e: &Event, article_id: i64) -> Result<Option<i64>, StoreError>;
    /// A stored event's JSON.
    fn event_data(&mut self, id: i64) -> Result<String, StoreError>;
}

/// The first column of a query's first row.
fn first_id(tx: &mut impl WriteTx, sql: &str, args: &[Param]) -> Result<Option<i64>, StoreError> {
    Ok(tx.ids(sql, args)?.first().copied().flatten())
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
    let copies = tx.ids(
        sql::STORED_COPIES,
        &[digest.hash.as_str().into(), a.url.as_deref().into()],
    )?;
    match (
        copies.first().copied().flatten(),
        copies.get(1).copied().flatten(),
    ) {
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
            Some(original) => first_id(
                tx,
                sql::SAME_IN_ARTICLE,
                &[
                    original.into(),
                    e.kind.into(),
                    e.sub_event_type.into(),
                    e.date.start.as_str().into(),
                    e.date.end.as_str().into(),
                    e.location.as_ref().and_then(|l| l.admin1.as_deref()).into(),
                ],
            )?,
            None => None,
        };
        let target = match copied {
            Some(id) => Some(id),
            None if e.kind == "event" => match IncidentQuery::new(e, article_id, config) {
                Some(q) => dedup::pick_incident(e, tx.incident_candidates(&q)?, config),
                None => None,
            },
            None => tx.same_aggregate(e, article_id)?,
        };
        let event_id = match target {
            Some(id) => {
                let data = tx.event_data(id)?;
                let m = merge(id, &data, e)?;
                tx.execute(
                    sql::UPDATE_EVENT,
                    &[
                        m.actor("actor1").into(),
                        m.actor("actor2").into(),
                        m.place("country").into(),
                        m.place("admin1").into(),
                        m.place("admin2").into(),
                        m.place("name").into(),
                        m.coordinate("lat").into(),
                        m.coordinate("lon").into(),
                        m.geo_precision().into(),
                        m.fatalities.into(),
                        m.confidence.into(),
                        m.data.to_string().into(),
                        now.into(),
                        id.into(),
                    ],
                )?;
                report.merged_events += 1;
                id
            }
            None => {
                report.new_events += 1;
                insert_event(tx, e, now)?
            }
        };
        tx.execute(
            sql::INSERT_SOURCE,
            &[
                event_id.into(),
                article_id.into(),
                (ordinal as i64).into(),
                e.evidence.text.as_str().into(),
                (e.evidence.span[0] as i64).into(),
                (e.evidence.span[1] as i64).into(),
                e.fatalities.map(i64::from).into(),
                event_json(e).into(),
            ],
        )?;
    }
    Ok(())
}

/// Insert a new event; its id.
fn insert_event(tx: &mut impl WriteTx, e: &Event, now: &str) -> Result<i64, StoreError> {
    let l = e.location.as_ref();
    tx.insert(
        sql::INSERT_EVENT,
        &[
            e.kind.into(),
            e.event_type.into(),
            e.sub_event_type.into(),
            e.actor1.as_ref().map(|a| a.id.as_str()).into(),
            e.actor2.as_ref().map(|a| a.id.as_str()).into(),
            l.and_then(|l| l.country.as_deref()).into(),
            l.and_then(|l| l.admin1.as_deref()).into(),
            l.and_then(|l| l.admin2.as_deref()).into(),
            l.map(|l| l.name.as_str()).into(),
            l.and_then(|l| l.lat).into(),
            l.and_then(|l| l.lon).into(),
            l.map(|l| l.geo_precision as i64).into(),
            e.date.start.as_str().into(),
            e.date.end.as_str().into(),
            (e.date.time_precision as i64).into(),
            e.fatalities.map(i64::from).into(),
            (e.confidence as f64).into(),
            event_json(e).into(),
            now.into(),
            now.into(),
        ],
    )
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
fn event_json(e: &Event) -> String {
    serde_json::to_string(e).expect("events serialize")
}
