//! rasid's store: articles and the events extracted from them, in SQLite.
//!
//! - Every article is kept once: an exact copy (same match-level text, or same URL) is
//!   skipped, a near copy (a syndicated wire story: word 3-shingles overlapping by 80%,
//!   estimated by MinHash) is kept and marked `duplicate_of` the first.
//! - Every incident is kept once: a report of an incident already stored (same event type,
//!   overlapping dates within a window, same place or one nearby, compatible actors) becomes
//!   one more source of that event, with its evidence, and the event keeps the lowest
//!   fatality figure (ACLED's rule).
//! - Search runs over the match-level normalized text, so `التـ.ـنظيم` is found by تنظيم.
//! - Each [`Store::ingest`] call is one transaction: after a crash the database is as before
//!   the batch. Re-ingesting the same input adds nothing.
//!
//! The store never reads the clock: the caller passes the time of ingest.

mod dedup;
mod schema;

use std::path::Path;

use rasid_alerts::Incident;
use rasid_extract::{Article, Event};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

pub mod export;
pub mod snippets;

pub use dedup::{minhash, similarity, DedupConfig, MINHASH};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused an operation.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value is not what this version expects.
    #[error("database {path}: {message}")]
    Schema {
        /// The database file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A stored event is not valid JSON.
    #[error("stored event {id}: {source}")]
    Json {
        /// The event id.
        id: i64,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// A bounding box `W,S,E,N` in degrees (`--bbox`, `bbox=`), checked.
pub fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{s:?}: {e}"))?;
    let [w, so, e, n]: [f64; 4] = v
        .try_into()
        .map_err(|_| format!("{s:?}: expected four numbers W,S,E,N"))?;
    if !(-180.0..=180.0).contains(&w)
        || !(-180.0..=180.0).contains(&e)
        || !(-90.0..=90.0).contains(&so)
        || !(-90.0..=90.0).contains(&n)
        || so > n
        || w > e
    {
        return Err(format!("{s:?}: not a box of degrees (W ≤ E, S ≤ N)"));
    }
    Ok([w, so, e, n])
}

/// `select` with the WHERE clause of `q`'s filters, and their bound values (never
/// spliced into the SQL).
/// An event row: id, data, start date, fatalities.
type EventRow = (i64, String, String, Option<i64>);

/// Which side the actor filter looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Actor 1 or actor 2.
    Either,
    /// Actor 1.
    First,
    /// Actor 2, when actor 1 is another.
    SecondOnly,
}

fn filter_sql(q: &EventQuery, select: &str, side: Side) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut sql = format!("{select} WHERE 1=1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(a) = &q.actor {
        match side {
            Side::Either => {
                sql.push_str(" AND (actor1 = ? OR actor2 = ?)");
                args.push(Box::new(a.clone()));
            }
            Side::First => sql.push_str(" AND actor1 = ?"),
            Side::SecondOnly => {
                sql.push_str(" AND actor2 = ? AND actor1 IS NOT ?");
                args.push(Box::new(a.clone()));
            }
        }
        args.push(Box::new(a.clone()));
    }
    if let Some(t) = &q.event_type {
        // A known type or sub-type in its canonical spelling: one exact comparison, which
        // an index serves; anything else is compared both ways, ignoring case.
        let types = rasid_lexicon::SUB_EVENT_TYPES;
        if let Some((_, ty)) = types.iter().find(|(_, ty)| ty.eq_ignore_ascii_case(t)) {
            sql.push_str(" AND event_type = ?");
            args.push(Box::new(ty.to_string()));
        } else if let Some((sub, _)) = types.iter().find(|(sub, _)| sub.eq_ignore_ascii_case(t)) {
            // (the sub-type index is case-insensitive)
            sql.push_str(" AND sub_event_type = ? COLLATE NOCASE");
            args.push(Box::new(sub.to_string()));
        } else {
            sql.push_str(
                " AND (event_type = ? COLLATE NOCASE OR sub_event_type = ? COLLATE NOCASE)",
            );
            args.push(Box::new(t.clone()));
            args.push(Box::new(t.clone()));
        }
    }
    if let Some(t) = &q.sub_event_type {
        sql.push_str(" AND sub_event_type = ? COLLATE NOCASE");
        args.push(Box::new(t.clone()));
    }
    if let Some(a) = &q.admin1 {
        sql.push_str(" AND admin1 = ? COLLATE NOCASE");
        args.push(Box::new(a.clone()));
    }
    if let Some(p) = &q.place {
        sql.push_str(
            " AND instr(lower(coalesce(location,'') || '|' || coalesce(admin1,'') || '|' \
             || coalesce(admin2,'')), lower(?)) > 0",
        );
        args.push(Box::new(p.clone()));
    }
    if let Some([w, s, e, n]) = q.bbox {
        sql.push_str(" AND lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?");
        for v in [w, e, s, n] {
            args.push(Box::new(v));
        }
    }
    if let Some(s) = &q.since {
        sql.push_str(" AND date_end >= ?");
        args.push(Box::new(s.clone()));
    }
    if let Some(u) = &q.until {
        sql.push_str(" AND date_start <= ?");
        args.push(Box::new(u.clone()));
    }
    if let Some(k) = &q.kind {
        sql.push_str(" AND kind = ?");
        args.push(Box::new(k.clone()));
    }
    if let Some(c) = q.min_confidence {
        sql.push_str(" AND confidence >= ?");
        args.push(Box::new(c as f64));
    }
    (sql, args)
}

/// The Monday of the week of an ISO day (the day itself when it does not parse).
fn week_of(day: &str) -> String {
    match day.parse::<jiff::civil::Date>() {
        Ok(d) => {
            let back = d.weekday().to_monday_zero_offset() as i64;
            d.checked_sub(jiff::Span::new().days(back))
                .unwrap_or(d)
                .to_string()
        }
        Err(_) => day.to_string(),
    }
}

/// A feed's last poll: the validators for the next conditional GET and what happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    /// The feed's URL.
    pub url: String,
    /// `ETag` of the last full answer.
    pub etag: Option<String>,
    /// `Last-Modified` of the last full answer.
    pub last_modified: Option<String>,
    /// When it was polled (ISO 8601).
    pub polled_at: String,
    /// What happened, for people (`200: 25 items, 3 new`, `not modified`, the error).
    pub status: String,
    /// Whether the poll succeeded (a 304 is a success).
    pub ok: bool,
    /// Items the feed listed.
    pub items: usize,
    /// Items new to the database.
    pub new_items: usize,
}

impl FeedState {
    fn from_row(r: &rusqlite::Row) -> rusqlite::Result<FeedState> {
        Ok(FeedState {
            url: r.get(0)?,
            etag: r.get(1)?,
            last_modified: r.get(2)?,
            polled_at: r.get(3)?,
            status: r.get(4)?,
            ok: r.get(5)?,
            items: r.get::<_, i64>(6)? as usize,
            new_items: r.get::<_, i64>(7)? as usize,
        })
    }
}

/// One article to store, with its extraction.
#[derive(Clone, Copy)]
pub struct NewArticle<'a> {
    /// The article as read.
    pub article: &'a Article,
    /// The text the events' spans point into (boilerplate lines out).
    pub clean_text: &'a str,
    /// Its events.
    pub events: &'a [Event],
}

/// An article made ready for the store: its match-level text, content hash and MinHash
/// signature computed. Pure and independent of the database, so that callers compute it
/// on their worker threads and the writer only writes.
pub struct Prepared<'a> {
    item: NewArticle<'a>,
    match_text: String,
    hash: String,
    signature: [u64; MINHASH],
}

impl<'a> Prepared<'a> {
    /// Prepare one article.
    pub fn new(item: NewArticle<'a>) -> Prepared<'a> {
        let digest = Digest::of(&item.article.text);
        Prepared::with_digest(item, digest)
    }

    /// An article with its digest computed beforehand (on a worker thread, next to its
    /// extraction: the writer then only assembles and writes).
    pub fn with_digest(item: NewArticle<'a>, digest: Digest) -> Prepared<'a> {
        Prepared {
            item,
            match_text: digest.match_text,
            hash: digest.hash,
            signature: digest.signature,
        }
    }
}

/// What deduplication needs of an article's text: its match-level text, content hash and
/// MinHash signature. Owned, so that it travels with the article between threads.
pub struct Digest {
    match_text: String,
    hash: String,
    signature: [u64; MINHASH],
}

impl Digest {
    /// The content hash (what exact copies are recognised by).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The digest of an article's original text.
    pub fn of(text: &str) -> Digest {
        let match_text = rasid_text::match_view(text).into_string();
        let hash = dedup::content_hash(&match_text);
        let signature = dedup::minhash(&match_text);
        Digest {
            match_text,
            hash,
            signature,
        }
    }
}

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// Articles stored.
    pub new_articles: usize,
    /// Articles stored as near copies of one already there.
    pub near_duplicates: usize,
    /// Articles skipped, with the reason (`id: same text as article N`).
    pub skipped: Vec<String>,
    /// Events stored as new incidents.
    pub new_events: usize,
    /// Events that were further reports of a stored incident.
    pub merged_events: usize,
}

impl BatchReport {
    /// Add another batch's figures (for a run's totals).
    pub fn add(&mut self, other: BatchReport) {
        self.new_articles += other.new_articles;
        self.near_duplicates += other.near_duplicates;
        self.skipped.extend(other.skipped);
        self.new_events += other.new_events;
        self.merged_events += other.merged_events;
    }
}

/// Filters for [`Store::events`]; `None` fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct EventQuery {
    /// Actor id, as actor 1 or actor 2.
    pub actor: Option<String>,
    /// Event type or sub-event type.
    pub event_type: Option<String>,
    /// Admin 1 name (exact, case-insensitive).
    pub admin1: Option<String>,
    /// Location or admin name containing this text.
    pub place: Option<String>,
    /// Events ending on or after this day (ISO).
    pub since: Option<String>,
    /// Events starting on or before this day (ISO).
    pub until: Option<String>,
    /// `event` or `aggregate`.
    pub kind: Option<String>,
    /// Lowest confidence.
    pub min_confidence: Option<f32>,
    /// At most this many, in `sort` order.
    pub limit: Option<usize>,
    /// Sub-event type (exact, case-insensitive).
    pub sub_event_type: Option<String>,
    /// Bounding box: west, south, east, north (degrees).
    pub bbox: Option<[f64; 4]>,
    /// Order of the results.
    pub sort: EventSort,
    /// Continue after this event (keyset pagination: stable while events are added).
    pub after: Option<Cursor>,
}

/// Order of [`Store::events`] results.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum EventSort {
    /// Latest start date first (ties: latest stored first).
    #[default]
    Newest,
    /// Earliest start date first.
    Oldest,
    /// Most fatalities first (unknown last).
    Fatalities,
}

/// Where a page of events ended: the sort key and id of its last event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key (a date, or a fatality count).
    pub key: String,
    /// The event id.
    pub id: i64,
}

impl Cursor {
    /// The cursor after `e` in `sort` order.
    pub fn after(e: &StoredEvent, sort: EventSort) -> Cursor {
        let key = match sort {
            EventSort::Newest | EventSort::Oldest => e.date_start.clone(),
            EventSort::Fatalities => e.fatalities.unwrap_or(-1).to_string(),
        };
        Cursor { key, id: e.id }
    }

    /// As a URL-safe token.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.key, self.id)
    }

    /// Read a token made by [`Cursor::encode`].
    pub fn decode(s: &str) -> Option<Cursor> {
        let (key, id) = s.rsplit_once('_')?;
        let ok = !key.is_empty()
            && key.len() <= 32
            && key.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        ok.then_some(())?;
        Some(Cursor {
            key: key.to_string(),
            id: id.parse().ok()?,
        })
    }
}

/// Period of [`Store::timeseries`] buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// Calendar days.
    Day,
    /// Weeks starting on Monday (the bucket is named by its Monday).
    Week,
}

/// What [`Store::timeseries`] counts separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The first actor.
    Actor,
    /// The governorate / province.
    Admin1,
    /// The event type.
    EventType,
}

/// One bucket of a time series.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bucket {
    /// The day, or the Monday of the week (ISO date).
    pub period: String,
    /// The group's value (none when the events lack it).
    pub key: Option<String>,
    /// Events starting in the period.
    pub events: u64,
    /// Their fatalities.
    pub fatalities: u64,
}

/// An article as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredArticle {
    /// Database id.
    pub id: i64,
    /// The article's own id.
    pub article: String,
    /// Its site.
    pub source: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Publication date.
    pub published: Option<String>,
    /// Language code.
    pub lang: String,
    /// The original text, as read.
    pub text: String,
    /// The clean text the events' spans point into.
    pub clean_text: String,
    /// The stored article this one is a near copy of, if any.
    pub duplicate_of: Option<i64>,
    /// The events it reports.
    pub events: Vec<i64>,
}

/// An event as stored: the canonical event and its sources.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredEvent {
    /// Database id.
    pub id: i64,
    /// Start date (ISO), the sort key.
    #[serde(skip)]
    pub date_start: String,
    /// Fatalities, the other sort key.
    #[serde(skip)]
    pub fatalities: Option<i64>,
    /// The event (codebook fields), as first extracted and completed by later reports.
    pub event: Value,
    /// Every report of it.
    pub sources: Vec<EventSource>,
}

/// One report of an event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventSource {
    /// The article's database id.
    pub article_id: i64,
    /// The article's own id.
    pub article: String,
    /// Its site, if known.
    pub source: Option<String>,
    /// Its URL, if known.
    pub url: Option<String>,
    /// Its publication date.
    pub published: Option<String>,
    /// The evidence sentence.
    pub evidence: String,
    /// Code-point span of the evidence in the article's clean text.
    pub span: [usize; 2],
    /// The fatalities this report gives.
    pub fatalities: Option<u32>,
}

/// A search hit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    /// The article's database id.
    pub article_id: i64,
    /// The article's own id.
    pub article: String,
    /// Title.
    pub title: Option<String>,
    /// Publication date.
    pub published: Option<String>,
    /// The clean text, for the caller to cut snippets from.
    pub clean_text: String,
}

/// One alert notification attempt, as recorded.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Where it was sent (the webhook URL).
    pub target: String,
    /// The alert's key.
    pub key: String,
    /// The alert's as-of day.
    pub as_of: String,
    /// The alert's observed count.
    pub observed: u64,
    /// When it was sent (RFC 3339).
    pub sent_at: String,
    /// Whether the target accepted it.
    pub ok: bool,
    /// The HTTP status or the error.
    pub status: String,
    /// The JSON sent.
    pub payload: String,
}

/// The store.
pub struct Store {
    conn: Connection,
    path: String,
    config: DedupConfig,
}

impl Store {
    /// Open (or create) a database file, bringing its schema up to date.
    pub fn open(path: &Path, config: DedupConfig) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        Store::init(conn, path.display().to_string(), config)
    }

    /// A database in memory (tests, one-off runs).
    pub fn open_in_memory(config: DedupConfig) -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?, ":memory:".into(), config)
    }

    fn init(mut conn: Connection, path: String, config: DedupConfig) -> Result<Store, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A 64 MB page cache and memory-mapped reads: dedup lookups stay off the disk.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::Schema {
                path,
                message: format!(
                    "schema version {version} is newer than this program's ({known}): upgrade rasid"
                ),
            });
        }
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Store { conn, path, config })
    }

    /// The database file's name, for messages.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Store a batch of articles and their events in one transaction. `now` is the ingest
    /// time (ISO 8601), recorded on new rows.
    pub fn ingest(&mut self, batch: &[NewArticle], now: &str) -> Result<BatchReport, StoreError> {
        let prepared: Vec<Prepared> = batch.iter().copied().map(Prepared::new).collect();
        self.ingest_prepared(&prepared, now)
    }

    /// [`Store::ingest`] for articles already prepared (on other threads).
    pub fn ingest_prepared(
        &mut self,
        batch: &[Prepared],
        now: &str,
    ) -> Result<BatchReport, StoreError> {
        let config = self.config.clone();
        // Immediate: the write lock is taken first, so that several processes writing one
        // database (workers) wait their turn instead of failing on a stale snapshot.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = BatchReport::default();
        for item in batch {
            ingest_one(&tx, item, now, &config, &mut report)?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// [`Store::ingest_prepared`] for extracted articles whose [`Digest`] was made beside
    /// their extraction (the batch pipeline of `rasid ingest` and `rasid worker`).
    pub fn ingest_digested(
        &mut self,
        batch: Vec<(Article, rasid_extract::Extraction, Digest)>,
        now: &str,
    ) -> Result<BatchReport, StoreError> {
        let (items, digests): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|(a, x, d)| ((a, x), d)).unzip();
        let prepared: Vec<Prepared> = items
            .iter()
            .zip(digests)
            .map(|((article, x), digest)| {
                Prepared::with_digest(
                    NewArticle {
                        article,
                        clean_text: &x.text,
                        events: &x.events,
                    },
                    digest,
                )
            })
            .collect();
        self.ingest_prepared(&prepared, now)
    }

    /// Whether an article with this URL is stored (feed items already read are not
    /// fetched again).
    pub fn has_url(&self, url: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM articles WHERE url = ?1", [url], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The last poll of a feed, if it was polled.
    pub fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, etag, last_modified, polled_at, status, ok, items, new_items
                 FROM feeds WHERE url = ?1",
                [url],
                FeedState::from_row,
            )
            .optional()?)
    }

    /// Every feed polled, by URL.
    pub fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT url, etag, last_modified, polled_at, status, ok, items, new_items
             FROM feeds ORDER BY url",
        )?;
        let rows = st.query_map([], FeedState::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record a feed's poll (replacing the previous record).
    pub fn save_feed_state(&mut self, s: &FeedState) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO feeds
             (url, etag, last_modified, polled_at, status, ok, items, new_items)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.url,
                s.etag,
                s.last_modified,
                s.polled_at,
                s.status,
                s.ok,
                s.items as i64,
                s.new_items as i64
            ],
        )?;
        Ok(())
    }

    /// The incidents (kind `event`) starting between two days (ISO, inclusive), oldest
    /// first, as the alert detector reads them: with the evidence of their first report.
    pub fn incidents(&self, since: &str, until: &str) -> Result<Vec<Incident>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT e.id, e.date_start, e.time_precision, e.event_type, e.sub_event_type, \
                    e.actor1, e.actor2, e.country, e.admin1, e.admin2, e.location, \
                    e.fatalities, e.confidence, \
                    (SELECT evidence FROM event_sources s WHERE s.event_id = e.id \
                     ORDER BY s.rowid LIMIT 1) \
             FROM events e WHERE e.kind = 'event' AND e.date_start >= ?1 AND e.date_start <= ?2 \
             ORDER BY e.date_start, e.id",
        )?;
        let rows = st.query_map([since, until], |r| {
            let id: i64 = r.get(0)?;
            let date: String = r.get(1)?;
            let initiators: Vec<String> = r.get::<_, Option<String>>(5)?.into_iter().collect();
            let targets: Vec<String> = r.get::<_, Option<String>>(6)?.into_iter().collect();
            Ok((
                id,
                date,
                Incident {
                    id,
                    date: jiff::civil::Date::MIN,
                    time_precision: r.get::<_, i64>(2)?.clamp(1, 4) as u8,
                    event_type: r.get(3)?,
                    sub_event_type: r.get(4)?,
                    initiators,
                    targets,
                    country: r.get(7)?,
                    admin1: r.get(8)?,
                    admin2: r.get(9)?,
                    location: r.get(10)?,
                    fatalities: r.get::<_, Option<i64>>(11)?.unwrap_or(0).max(0) as u64,
                    confidence: r.get::<_, f64>(12)? as f32,
                    evidence: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, date, mut incident) = row?;
            // Dates are written by this crate; one that does not parse is a damaged row.
            incident.date = date.parse().map_err(|_| StoreError::Schema {
                path: self.path.clone(),
                message: format!("event {id}: date_start {date:?} is not a date"),
            })?;
            out.push(incident);
        }
        Ok(out)
    }

    /// The newest event start date, if any event is stored (the natural "as of" of an
    /// archive).
    pub fn latest_event_date(&self) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT max(date_start) FROM events WHERE kind = 'event'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The last alert notification that reached `target` for the alert `key`: its as-of
    /// day and observed count.
    pub fn last_notification(
        &self,
        target: &str,
        key: &str,
    ) -> Result<Option<(String, u64)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT as_of, observed FROM alert_notifications \
                 WHERE target = ?1 AND key = ?2 AND ok = 1 ORDER BY as_of DESC LIMIT 1",
                [target, key],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
            )
            .optional()?)
    }

    /// Records a notification attempt (a later attempt for the same target, key and day
    /// replaces it).
    pub fn record_notification(&mut self, n: &Notification) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO alert_notifications \
             (target, key, as_of, observed, sent_at, ok, status, payload) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                n.target,
                n.key,
                n.as_of,
                n.observed as i64,
                n.sent_at,
                n.ok,
                n.status,
                n.payload
            ],
        )?;
        Ok(())
    }

    /// How many events each actor (as actor 1 or 2) has.
    pub fn actor_counts(&self) -> Result<std::collections::HashMap<String, u64>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT a, count(*) FROM \
             (SELECT actor1 AS a FROM events UNION ALL SELECT actor2 FROM events) \
             WHERE a IS NOT NULL GROUP BY a",
        )?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A stamp that changes whenever events are added or get a further report (for caches
    /// of derived figures).
    pub fn version(&self) -> Result<(i64, i64), StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM events), \
                    (SELECT coalesce(max(rowid), 0) FROM event_sources)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// How many articles and events the database holds.
    pub fn counts(&self) -> Result<(usize, usize), StoreError> {
        let a: i64 = self
            .conn
            .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
        let e: i64 = self
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        Ok((a as usize, e as usize))
    }

    /// The events matching `q`, in its order, with their sources.
    pub fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        // An actor as either side, in date order: two index scans (actor 1, then actor 2 of
        // the others) merged, rather than one scan of every event of the actor sorted.
        let rows = if q.actor.is_some() && q.sort != EventSort::Fatalities {
            let mut rows = self.event_rows(q, Side::First)?;
            rows.extend(self.event_rows(q, Side::SecondOnly)?);
            rows.sort_by(|a, b| {
                let o = (&a.2, a.0).cmp(&(&b.2, b.0));
                if q.sort == EventSort::Newest {
                    o.reverse()
                } else {
                    o
                }
            });
            if let Some(n) = q.limit {
                rows.truncate(n);
            }
            rows
        } else {
            self.event_rows(q, Side::Either)?
        };
        rows.into_iter()
            .map(|(id, data, date_start, fatalities)| {
                self.stored_event(id, &data, date_start, fatalities)
            })
            .collect()
    }

    /// The rows of [`Store::events`] for one side of the actor filter.
    fn event_rows(&self, q: &EventQuery, side: Side) -> Result<Vec<EventRow>, StoreError> {
        let (mut sql, mut args) = filter_sql(
            q,
            "SELECT id, data, date_start, fatalities FROM events",
            side,
        );
        let (order, key_expr, cmp) = match q.sort {
            EventSort::Newest => ("date_start DESC, id DESC", "date_start", "<"),
            EventSort::Oldest => ("date_start ASC, id ASC", "date_start", ">"),
            EventSort::Fatalities => (
                "coalesce(fatalities, -1) DESC, id DESC",
                "coalesce(fatalities, -1)",
                "<",
            ),
        };
        if let Some(c) = &q.after {
            sql.push_str(&format!(
                " AND ({key_expr} {cmp} ?1000 OR ({key_expr} = ?1000 AND id {cmp} ?1001))"
            ));
            let key: Box<dyn rusqlite::ToSql> = match q.sort {
                EventSort::Fatalities => Box::new(c.key.parse::<i64>().unwrap_or(-1)),
                _ => Box::new(c.key.clone()),
            };
            args.push(key);
            args.push(Box::new(c.id));
            // Numbered parameters: the cursor's two values are the last two.
            let n = args.len();
            sql = sql
                .replace("?1000", &format!("?{}", n - 1))
                .replace("?1001", &format!("?{n}"));
        }
        sql.push_str(&format!(" ORDER BY {order}"));
        if let Some(n) = q.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(args.iter().map(|b| b.as_ref())),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn stored_event(
        &self,
        id: i64,
        data: &str,
        date_start: String,
        fatalities: Option<i64>,
    ) -> Result<StoredEvent, StoreError> {
        let event = serde_json::from_str(data).map_err(|source| StoreError::Json { id, source })?;
        Ok(StoredEvent {
            id,
            date_start,
            fatalities,
            event,
            sources: self.sources(id)?,
        })
    }

    /// One event with its sources, if it exists.
    pub fn event(&self, id: i64) -> Result<Option<StoredEvent>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT data, date_start, fatalities FROM events WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(data, date, f)| self.stored_event(id, &data, date, f))
            .transpose()
    }

    /// One article, if it exists.
    pub fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let art = self
            .conn
            .query_row(
                "SELECT a.id, a.ext_id, s.name, a.url, a.title, a.published, a.lang, a.text, \
                        a.clean_text, a.duplicate_of \
                 FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = ?1",
                [id],
                |r| {
                    Ok(StoredArticle {
                        id: r.get(0)?,
                        article: r.get(1)?,
                        source: r.get(2)?,
                        url: r.get(3)?,
                        title: r.get(4)?,
                        published: r.get(5)?,
                        lang: r.get(6)?,
                        text: r.get(7)?,
                        clean_text: r.get(8)?,
                        duplicate_of: r.get(9)?,
                        events: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut art) = art else {
            return Ok(None);
        };
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT event_id FROM event_sources WHERE article_id = ?1 ORDER BY event_id",
        )?;
        art.events = st
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(art))
    }

    /// Events per period and group, for the events matching `q` (its order, limit and
    /// cursor ignored), oldest period first.
    pub fn timeseries(
        &self,
        q: &EventQuery,
        group: GroupBy,
        interval: Interval,
    ) -> Result<Vec<Bucket>, StoreError> {
        // Grouped by day in SQL (a covering index serves it), folded into weeks here: the
        // date arithmetic per row costs more than the scan.
        let key = match group {
            GroupBy::Actor => "actor1",
            GroupBy::Admin1 => "admin1",
            GroupBy::EventType => "event_type",
        };
        let (mut sql, args) = filter_sql(
            q,
            &format!(
                "SELECT substr(date_start, 1, 10) AS p, {key} AS k, count(*), \
                 sum(coalesce(fatalities, 0)) FROM events"
            ),
            Side::Either,
        );
        sql.push_str(" GROUP BY p, k ORDER BY p, k");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(args.iter().map(|b| b.as_ref())),
            |r| {
                Ok(Bucket {
                    period: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    key: r.get(1)?,
                    events: r.get::<_, i64>(2)? as u64,
                    fatalities: r.get::<_, i64>(3)? as u64,
                })
            },
        )?;
        let days: Vec<Bucket> = rows.collect::<Result<_, _>>()?;
        Ok(match interval {
            Interval::Day => days,
            Interval::Week => {
                let mut weeks: std::collections::BTreeMap<(String, Option<String>), Bucket> =
                    std::collections::BTreeMap::new();
                for b in days {
                    let monday = week_of(&b.period);
                    let w = weeks
                        .entry((monday.clone(), b.key.clone()))
                        .or_insert_with(|| Bucket {
                            period: monday,
                            key: b.key.clone(),
                            events: 0,
                            fatalities: 0,
                        });
                    w.events += b.events;
                    w.fatalities += b.fatalities;
                }
                weeks.into_values().collect()
            }
        })
    }

    fn sources(&self, event_id: i64) -> Result<Vec<EventSource>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.article_id, a.ext_id, src.name, a.url, a.published, s.evidence, \
                    s.span_start, s.span_end, s.fatalities \
             FROM event_sources s JOIN articles a ON a.id = s.article_id \
             LEFT JOIN sources src ON src.id = a.source_id \
             WHERE s.event_id = ? ORDER BY a.published, s.article_id, s.ordinal",
        )?;
        let rows = stmt.query_map([event_id], |r| {
            Ok(EventSource {
                article_id: r.get(0)?,
                article: r.get(1)?,
                source: r.get(2)?,
                url: r.get(3)?,
                published: r.get(4)?,
                evidence: r.get(5)?,
                span: [r.get::<_, i64>(6)? as usize, r.get::<_, i64>(7)? as usize],
                fatalities: r.get::<_, Option<i64>>(8)?.map(|f| f as u32),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Articles whose text holds every word of `query`, however obfuscated either is
    /// (both are matched at match level), newest first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let terms = fts_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.ext_id, a.title, a.published, a.clean_text \
             FROM articles_fts f JOIN articles a ON a.id = f.rowid \
             WHERE articles_fts MATCH ? AND a.duplicate_of IS NULL \
             ORDER BY a.published DESC, a.id DESC LIMIT ?",
        )?;
        let rows = stmt.query_map(params![terms, limit as i64], |r| {
            Ok(SearchHit {
                article_id: r.get(0)?,
                article: r.get(1)?,
                title: r.get(2)?,
                published: r.get(3)?,
                clean_text: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A query as an FTS5 expression: each match-level word quoted (so that no word is read as
/// an operator), all required.
fn fts_terms(query: &str) -> String {
    rasid_text::match_view(query)
        .as_str()
        .split(|c: char| !rasid_text::chars::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn source_id(tx: &rusqlite::Transaction, name: Option<&str>) -> Result<Option<i64>, StoreError> {
    let Some(name) = name else { return Ok(None) };
    tx.prepare_cached("INSERT OR IGNORE INTO sources(name) VALUES (?)")?
        .execute([name])?;
    Ok(Some(tx.query_row(
        "SELECT id FROM sources WHERE name = ?",
        [name],
        |r| r.get(0),
    )?))
}

fn ingest_one(
    tx: &rusqlite::Transaction,
    prepared: &Prepared,
    now: &str,
    config: &DedupConfig,
    report: &mut BatchReport,
) -> Result<(), StoreError> {
    let item = &prepared.item;
    let a = item.article;
    let match_text = &prepared.match_text;
    let hash = &prepared.hash;
    // Exact copies and the same URL: nothing to add.
    if let Some(id) = tx
        .query_row("SELECT id FROM articles WHERE hash = ?", [&hash], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
    {
        report
            .skipped
            .push(format!("{}: same text as stored article {id}", a.id));
        return Ok(());
    }
    if let Some(url) = &a.url {
        if let Some(id) = tx
            .query_row("SELECT id FROM articles WHERE url = ?", [url], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
        {
            report
                .skipped
                .push(format!("{}: same URL as stored article {id}", a.id));
            return Ok(());
        }
    }
    let sig = prepared.signature;
    let bands = dedup::bands(&sig);
    let near: Option<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT DISTINCT a.id, a.minhash FROM article_bands b JOIN articles a ON a.id = b.article_id \
             WHERE b.band = ?1 AND b.value = ?2 AND a.duplicate_of IS NULL",
        )?;
        let mut best: Option<(f64, i64)> = None;
        for (band, value) in bands.iter().enumerate() {
            let rows = stmt.query_map(params![band as i64, value], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (id, blob) = row?;
                let s = dedup::similarity(&sig, &dedup::from_blob(&blob));
                if s >= config.near_duplicate_jaccard
                    && best.is_none_or(|(b, bid)| (s, -id) > (b, -bid))
                {
                    best = Some((s, id));
                }
            }
        }
        best.map(|(_, id)| id)
    };
    // Very short texts share too little to call them copies.
    let near =
        near.filter(|_| match_text.split_whitespace().count() >= config.near_duplicate_min_words);
    let source = source_id(tx, a.source.as_deref())?;
    tx.prepare_cached(
        "INSERT INTO articles(ext_id, source_id, url, title, published, lang, text, clean_text, \
         match_text, hash, minhash, duplicate_of, ingested_at) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )?
    .execute(params![
        a.id,
        source,
        a.url,
        a.title,
        a.published.map(|d| d.to_string()),
        a.lang.as_str(),
        a.text,
        item.clean_text,
        // Derived from `text` whenever needed (match_view): not stored twice; the
        // full-text index holds what search needs of it.
        "",
        hash,
        dedup::to_blob(&sig),
        near,
        now,
    ])?;
    let article_id = tx.last_insert_rowid();
    // Search finds originals only (a near copy says what its original says): copies are
    // not indexed.
    if near.is_none() {
        tx.prepare_cached("INSERT INTO articles_fts(rowid, match_text) VALUES (?, ?)")?
            .execute(params![article_id, match_text])?;
    }
    if near.is_none() {
        let mut stmt =
            tx.prepare_cached("INSERT INTO article_bands(band, value, article_id) VALUES (?,?,?)")?;
        for (band, value) in bands.iter().enumerate() {
            stmt.execute(params![band as i64, value, article_id])?;
        }
    }
    report.new_articles += 1;
    if near.is_some() {
        report.near_duplicates += 1;
    }
    for (ordinal, e) in item.events.iter().enumerate() {
        // A near copy tells what its original told: the same events, whatever their dates.
        let copied = match near {
            Some(original) => dedup::same_in_article(tx, e, original)?,
            None => None,
        };
        let target = match copied {
            Some(id) => Some(id),
            None if e.kind == "event" => dedup::same_incident(tx, e, article_id, config)?,
            None => dedup::same_aggregate(tx, e, article_id)?,
        };
        let event_id = match target {
            Some(id) => {
                merge_into(tx, id, e, now)?;
                report.merged_events += 1;
                id
            }
            None => {
                insert_event(tx, e, now)?;
                report.new_events += 1;
                tx.last_insert_rowid()
            }
        };
        tx.prepare_cached(
            "INSERT INTO event_sources(event_id, article_id, ordinal, evidence, span_start, \
             span_end, fatalities, data) VALUES (?,?,?,?,?,?,?,?)",
        )?
        .execute(params![
            event_id,
            article_id,
            ordinal as i64,
            e.evidence.text,
            e.evidence.span[0] as i64,
            e.evidence.span[1] as i64,
            e.fatalities,
            serde_json::to_string(e).expect("events serialize"),
        ])?;
    }
    Ok(())
}

fn insert_event(tx: &rusqlite::Transaction, e: &Event, now: &str) -> Result<(), StoreError> {
    let l = e.location.as_ref();
    tx.prepare_cached(
        "INSERT INTO events(kind, event_type, sub_event_type, actor1, actor2, country, admin1, \
         admin2, location, lat, lon, geo_precision, date_start, date_end, time_precision, \
         fatalities, confidence, data, created_at, updated_at) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )?
    .execute(params![
        e.kind,
        e.event_type,
        e.sub_event_type,
        e.actor1.as_ref().map(|a| &a.id),
        e.actor2.as_ref().map(|a| &a.id),
        l.and_then(|l| l.country.as_ref()),
        l.and_then(|l| l.admin1.as_ref()),
        l.and_then(|l| l.admin2.as_ref()),
        l.map(|l| &l.name),
        l.and_then(|l| l.lat),
        l.and_then(|l| l.lon),
        l.map(|l| l.geo_precision),
        e.date.start,
        e.date.end,
        e.date.time_precision,
        e.fatalities,
        e.confidence as f64,
        serde_json::to_string(e).expect("events serialize"),
        now,
        now,
    ])?;
    Ok(())
}

/// A further report of a stored incident: keep the lowest fatality figure, fill what the
/// first report left out (target, place precision), raise the confidence.
fn merge_into(tx: &rusqlite::Transaction, id: i64, e: &Event, now: &str) -> Result<(), StoreError> {
    let data: String = tx.query_row("SELECT data FROM events WHERE id = ?", [id], |r| r.get(0))?;
    let mut v: Value =
        serde_json::from_str(&data).map_err(|source| StoreError::Json { id, source })?;
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
    let l = &v["location"];
    tx.prepare_cached(
        "UPDATE events SET actor1 = ?, actor2 = ?, country = ?, admin1 = ?, admin2 = ?, \
         location = ?, lat = ?, lon = ?, geo_precision = ?, fatalities = ?, confidence = ?, \
         data = ?, updated_at = ? WHERE id = ?",
    )?
    .execute(params![
        v["actor1"]["id"].as_str(),
        v["actor2"]["id"].as_str(),
        l["country"].as_str(),
        l["admin1"].as_str(),
        l["admin2"].as_str(),
        l["name"].as_str(),
        l["lat"].as_f64(),
        l["lon"].as_f64(),
        l["geo_precision"].as_u64(),
        fatalities,
        confidence,
        v.to_string(),
        now,
        id,
    ])?;
    Ok(())
}
