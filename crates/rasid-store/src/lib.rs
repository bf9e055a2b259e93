//! rasid's store: articles and the events extracted from them, in SQLite (embedded, the
//! default) or PostgreSQL (shared by several workers and servers), one schema and one
//! meaning behind the [`Storage`] trait.
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
//!   the batch. Re-ingesting the same input adds nothing. Batches are written one at a
//!   time (SQLite's write lock; a PostgreSQL advisory lock), so that concurrent writers
//!   deduplicate as one would.
//!
//! The store never reads the clock: the caller passes the time of ingest.

mod dedup;
mod ingest;
mod pg;
mod query;
mod schema;
mod sql;
mod sqlite;

use std::collections::HashMap;
use std::path::Path;

use rasid_alerts::Incident;
use rasid_extract::{Article, Event};
use serde_json::Value;

pub use pg::{redacted, PgStore};
pub use sqlite::SqliteStore;

pub mod export;
pub mod snippets;

pub use dedup::{minhash, similarity, DedupConfig, MINHASH};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused an operation.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL server refused an operation, or could not be reached.
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
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

/// An article made ready for the store: its [`Digest`] computed. Pure and independent of
/// the database, so that callers compute it on their worker threads and the writer only
/// writes.
pub struct Prepared<'a> {
    item: NewArticle<'a>,
    digest: Digest,
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
        Prepared { item, digest }
    }
}

/// What the store needs of an article's text, derived from its match-level text: the
/// content hash, the MinHash signature, the number of words, and the distinct words (what
/// search looks up). Owned, so that it travels with the article between threads.
pub struct Digest {
    hash: String,
    signature: [u64; MINHASH],
    word_count: usize,
    words: String,
}

impl Digest {
    /// The content hash (what exact copies are recognised by).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The digest of an article's original text.
    pub fn of(text: &str) -> Digest {
        let view = rasid_text::match_view(text);
        let match_text = view.as_str();
        Digest {
            hash: dedup::content_hash(match_text),
            signature: dedup::minhash(match_text),
            word_count: match_text.split_whitespace().count(),
            words: query::word_set(match_text).join(" "),
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

/// Filters for [`Storage::events`]; `None` fields do not filter.
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

/// Order of [`Storage::events`] results.
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

/// Period of [`Storage::timeseries`] buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// Calendar days.
    Day,
    /// Weeks starting on Monday (the bucket is named by its Monday).
    Week,
}

/// What [`Storage::timeseries`] counts separately.
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

/// What a store does, whichever database holds it: the same schema and the same meaning
/// (the same input gives the same articles, events and answers) on SQLite and PostgreSQL.
pub trait Storage: Send {
    /// The database's file name or URL (without a password), for messages.
    fn location(&self) -> &str;

    /// [`Store::ingest`] for articles already prepared (on other threads).
    fn ingest_prepared(&mut self, batch: &[Prepared], now: &str)
        -> Result<BatchReport, StoreError>;

    /// Whether an article with this URL is stored (feed items already read are not
    /// fetched again).
    fn has_url(&self, url: &str) -> Result<bool, StoreError>;

    /// The last poll of a feed, if it was polled.
    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError>;

    /// Every feed polled, by URL.
    fn feed_states(&self) -> Result<Vec<FeedState>, StoreError>;

    /// Record a feed's poll (replacing the previous record).
    fn save_feed_state(&mut self, s: &FeedState) -> Result<(), StoreError>;

    /// The incidents (kind `event`) starting between two days (ISO, inclusive), oldest
    /// first, as the alert detector reads them: with the evidence of their first report.
    fn incidents(&self, since: &str, until: &str) -> Result<Vec<Incident>, StoreError>;

    /// The newest day a stored event may have happened on (the latest end date), if any
    /// event is stored: the natural "as of" of an archive.
    fn latest_event_date(&self) -> Result<Option<String>, StoreError>;

    /// The last alert notification that reached `target` for the alert `key`: its as-of
    /// day and observed count.
    fn last_notification(
        &self,
        target: &str,
        key: &str,
    ) -> Result<Option<(String, u64)>, StoreError>;

    /// Records a notification attempt (a later attempt for the same target, key and day
    /// replaces it).
    fn record_notification(&mut self, n: &Notification) -> Result<(), StoreError>;

    /// How many events each actor (as actor 1 or 2) has.
    fn actor_counts(&self) -> Result<HashMap<String, u64>, StoreError>;

    /// A stamp that changes whenever events are added or get a further report (for caches
    /// of derived figures).
    fn version(&self) -> Result<(i64, i64), StoreError>;

    /// How many articles and events the database holds.
    fn counts(&self) -> Result<(usize, usize), StoreError>;

    /// The events matching `q`, in its order, with their sources.
    fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError>;

    /// One event with its sources, if it exists.
    fn event(&self, id: i64) -> Result<Option<StoredEvent>, StoreError>;

    /// One article, if it exists.
    fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError>;

    /// Events per period and group, for the events matching `q` (its order, limit and
    /// cursor ignored), oldest period first.
    fn timeseries(
        &self,
        q: &EventQuery,
        group: GroupBy,
        interval: Interval,
    ) -> Result<Vec<Bucket>, StoreError>;

    /// Articles whose text holds every word of `query`, however obfuscated either is
    /// (both are matched at match level), newest first.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError>;
}

/// A store: SQLite or PostgreSQL behind [`Storage`], whose methods it offers.
pub struct Store {
    inner: Box<dyn Storage>,
}

impl std::ops::Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &(dyn Storage + 'static) {
        self.inner.as_ref()
    }
}

impl std::ops::DerefMut for Store {
    fn deref_mut(&mut self) -> &mut (dyn Storage + 'static) {
        self.inner.as_mut()
    }
}

/// Whether a `--db` value names a PostgreSQL server rather than a file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl Store {
    /// Open (or create) a SQLite database file, bringing its schema up to date.
    pub fn open(path: &Path, config: DedupConfig) -> Result<Store, StoreError> {
        Ok(Store::from(SqliteStore::open(path, config)?))
    }

    /// A SQLite database in memory (tests, one-off runs).
    pub fn open_in_memory(config: DedupConfig) -> Result<Store, StoreError> {
        Ok(Store::from(SqliteStore::open_in_memory(config)?))
    }

    /// A `postgres://` (or `postgresql://`) URL: that server's database, its schema
    /// brought up to date; anything else: a SQLite file.
    pub fn connect(location: &str, config: DedupConfig) -> Result<Store, StoreError> {
        if is_postgres_url(location) {
            Ok(Store::from(PgStore::connect(location, config)?))
        } else {
            Store::open(Path::new(location), config)
        }
    }

    /// Store a batch of articles and their events in one transaction. `now` is the ingest
    /// time (ISO 8601), recorded on new rows.
    pub fn ingest(&mut self, batch: &[NewArticle], now: &str) -> Result<BatchReport, StoreError> {
        let prepared: Vec<Prepared> = batch.iter().copied().map(Prepared::new).collect();
        self.inner.ingest_prepared(&prepared, now)
    }

    /// [`Storage::ingest_prepared`] for extracted articles whose [`Digest`] was made
    /// beside their extraction (the batch pipeline of `rasid ingest` and `rasid worker`).
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
        self.inner.ingest_prepared(&prepared, now)
    }
}

impl From<SqliteStore> for Store {
    fn from(s: SqliteStore) -> Store {
        Store { inner: Box::new(s) }
    }
}

impl From<PgStore> for Store {
    fn from(s: PgStore) -> Store {
        Store { inner: Box::new(s) }
    }
}

/// An incident row as both databases read it for the alert detector.
pub(crate) struct IncidentRow {
    pub id: i64,
    pub date: String,
    pub time_precision: i64,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub location: Option<String>,
    pub fatalities: Option<i64>,
    pub confidence: f64,
    pub evidence: Option<String>,
}

impl IncidentRow {
    fn incident(self, location: &str) -> Result<Incident, StoreError> {
        // Dates are written by this crate; one that does not parse is a damaged row.
        let date = self.date.parse().map_err(|_| StoreError::Schema {
            path: location.to_string(),
            message: format!(
                "event {}: date_start {:?} is not a date",
                self.id, self.date
            ),
        })?;
        Ok(Incident {
            id: self.id,
            date,
            time_precision: self.time_precision.clamp(1, 4) as u8,
            event_type: self.event_type,
            sub_event_type: self.sub_event_type,
            initiators: self.actor1.into_iter().collect(),
            targets: self.actor2.into_iter().collect(),
            country: self.country,
            admin1: self.admin1,
            admin2: self.admin2,
            location: self.location,
            fatalities: self.fatalities.unwrap_or(0).max(0) as u64,
            confidence: self.confidence as f32,
            evidence: self.evidence.unwrap_or_default(),
        })
    }
}
