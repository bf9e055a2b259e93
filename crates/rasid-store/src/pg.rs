//! The shared database: PostgreSQL through the `postgres` client, for several workers and
//! servers on one dataset. The schema and meaning are SQLite's (see `schema.rs`); search
//! runs over a column of match-level words with a GIN index.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{GenericClient, NoTls, Row, Statement};
use rasid_alerts::Incident;
use rasid_extract::Event;

use crate::dedup::{Candidate, DedupConfig, IncidentQuery};
use crate::ingest::{self, event_json, ArticleRow, Merged, WriteTx};
use crate::query::{self, Dialect, EventRow, Param, Side};
use crate::{
    schema, BatchReport, Bucket, EventQuery, EventSource, FeedState, GroupBy, Interval,
    Notification, Prepared, SearchHit, Storage, StoreError, StoredArticle, StoredEvent,
};

/// The advisory lock that ingest transactions and migrations hold: one batch is written at
/// a time, so that deduplication sees every batch committed before it (as with SQLite's
/// write lock). Extraction, the costly part, runs outside it.
const WRITE_LOCK: i64 = 0x0072_6173_6964;

/// Prepared statements kept per connection (dynamic filters make a bounded variety).
const STATEMENTS: usize = 512;

type Params<'a> = Vec<&'a (dyn ToSql + Sync)>;

fn params(args: &[Param]) -> Params<'_> {
    args.iter()
        .map(|p| match p {
            Param::Text(s) => s as &(dyn ToSql + Sync),
            Param::Real(x) => x,
            Param::Int(i) => i,
        })
        .collect()
}

/// A statement prepared once per connection.
fn prepared(
    c: &mut impl GenericClient,
    cache: &RefCell<HashMap<String, Statement>>,
    sql: &str,
) -> Result<Statement, StoreError> {
    if let Some(s) = cache.borrow().get(sql) {
        return Ok(s.clone());
    }
    let s = c.prepare(sql)?;
    let mut cache = cache.borrow_mut();
    if cache.len() >= STATEMENTS {
        cache.clear();
    }
    cache.insert(sql.to_string(), s.clone());
    Ok(s)
}

/// A database URL as shown in messages: any password replaced.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(x) => x,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// A connection that may be dropped anywhere: the blocking client runs a small runtime of
/// its own, which may not be shut down on an async thread, so it is closed on a thread of
/// its own.
struct Conn(Option<postgres::Client>);

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            let _ = std::thread::spawn(move || drop(c)).join();
        }
    }
}

impl std::ops::Deref for Conn {
    type Target = postgres::Client;

    fn deref(&self) -> &postgres::Client {
        self.0.as_ref().expect("open until dropped")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.0.as_mut().expect("open until dropped")
    }
}

/// A database on a PostgreSQL server.
pub struct PgStore {
    client: RefCell<Conn>,
    statements: RefCell<HashMap<String, Statement>>,
    /// Source ids by name (sources are never deleted).
    sources: RefCell<HashMap<String, i64>>,
    location: String,
    config: DedupConfig,
}

impl PgStore {
    /// Connect (`postgres://user[:password]@host[:port]/database`, without TLS) and bring
    /// the schema up to date. Several processes may connect at once: migrations run under
    /// the write lock, once.
    pub fn connect(url: &str, config: DedupConfig) -> Result<PgStore, StoreError> {
        let location = redacted(url);
        let mut client = postgres::Client::connect(url, NoTls)?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS rasid_schema (version BIGINT NOT NULL)")?;
        let version: i64 = match tx.query_opt("SELECT version FROM rasid_schema", &[])? {
            Some(r) => r.get(0),
            None => {
                tx.execute("INSERT INTO rasid_schema(version) VALUES (0)", &[])?;
                0
            }
        };
        let known = schema::PG_MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::Schema {
                path: location,
                message: format!(
                    "schema version {version} is newer than this program's ({known}): upgrade rasid"
                ),
            });
        }
        for m in schema::PG_MIGRATIONS.iter().skip(version as usize) {
            tx.batch_execute(m)?;
        }
        tx.execute("UPDATE rasid_schema SET version = $1", &[&known])?;
        tx.commit()?;
        Ok(PgStore {
            client: RefCell::new(Conn(Some(client))),
            statements: RefCell::new(HashMap::new()),
            sources: RefCell::new(HashMap::new()),
            location,
            config,
        })
    }

    fn query(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StoreError> {
        let mut c = self.client.borrow_mut();
        let st = prepared(&mut **c, &self.statements, sql)?;
        Ok(c.query(&st, args)?)
    }

    fn query_opt(
        &self,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    fn execute(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<(), StoreError> {
        let mut c = self.client.borrow_mut();
        let st = prepared(&mut **c, &self.statements, sql)?;
        c.execute(&st, args)?;
        Ok(())
    }

    fn event_rows(&self, q: &EventQuery, side: Side) -> Result<Vec<EventRow>, StoreError> {
        let (sql, args) = query::event_rows_sql(Dialect::Postgres, q, side);
        let rows = self.query(&sql, &params(&args))?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    fn sources(&self, event_id: i64) -> Result<Vec<EventSource>, StoreError> {
        let rows = self.query(
            "SELECT s.article_id, a.ext_id, src.name, a.url, a.published, s.evidence, \
                    s.span_start, s.span_end, s.fatalities \
             FROM event_sources s JOIN articles a ON a.id = s.article_id \
             LEFT JOIN sources src ON src.id = a.source_id \
             WHERE s.event_id = $1 ORDER BY a.published NULLS FIRST, s.article_id, s.ordinal",
            &[&event_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| EventSource {
                article_id: r.get(0),
                article: r.get(1),
                source: r.get(2),
                url: r.get(3),
                published: r.get(4),
                evidence: r.get(5),
                span: [r.get::<_, i64>(6) as usize, r.get::<_, i64>(7) as usize],
                fatalities: r.get::<_, Option<i64>>(8).map(|f| f as u32),
            })
            .collect())
    }
}

fn feed_state(r: &Row) -> FeedState {
    FeedState {
        url: r.get(0),
        etag: r.get(1),
        last_modified: r.get(2),
        polled_at: r.get(3),
        status: r.get(4),
        ok: r.get(5),
        items: r.get::<_, i64>(6).max(0) as usize,
        new_items: r.get::<_, i64>(7).max(0) as usize,
    }
}

impl Storage for PgStore {
    fn location(&self) -> &str {
        &self.location
    }

    fn ingest_prepared(
        &mut self,
        batch: &[Prepared],
        now: &str,
    ) -> Result<BatchReport, StoreError> {
        let config = self.config.clone();
        let client = self.client.get_mut();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        let mut w = PgTx {
            tx: &mut tx,
            statements: &self.statements,
            sources: &self.sources,
            new_sources: HashMap::new(),
        };
        let report = ingest::ingest_batch(&mut w, batch, now, &config)?;
        let new_sources = std::mem::take(&mut w.new_sources);
        tx.commit()?;
        self.sources.borrow_mut().extend(new_sources);
        Ok(report)
    }

    fn has_url(&self, url: &str) -> Result<bool, StoreError> {
        Ok(self
            .query_opt("SELECT 1 FROM articles WHERE url = $1", &[&url])?
            .is_some())
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        Ok(self
            .query_opt(
                "SELECT url, etag, last_modified, polled_at, status, ok, items, new_items \
                 FROM feeds WHERE url = $1",
                &[&url],
            )?
            .as_ref()
            .map(feed_state))
    }

    fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        Ok(self
            .query(
                "SELECT url, etag, last_modified, polled_at, status, ok, items, new_items \
                 FROM feeds ORDER BY url",
                &[],
            )?
            .iter()
            .map(feed_state)
            .collect())
    }

    fn save_feed_state(&mut self, s: &FeedState) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO feeds (url, etag, last_modified, polled_at, status, ok, items, new_items) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, \
             last_modified = EXCLUDED.last_modified, polled_at = EXCLUDED.polled_at, \
             status = EXCLUDED.status, ok = EXCLUDED.ok, items = EXCLUDED.items, \
             new_items = EXCLUDED.new_items",
            &[
                &s.url,
                &s.etag,
                &s.last_modified,
                &s.polled_at,
                &s.status,
                &s.ok,
                &(s.items as i64),
                &(s.new_items as i64),
            ],
        )
    }

    fn incidents(&self, since: &str, until: &str) -> Result<Vec<Incident>, StoreError> {
        let rows = self.query(
            "SELECT e.id, e.date_start, e.time_precision, e.event_type, e.sub_event_type, \
                    e.actor1, e.actor2, e.country, e.admin1, e.admin2, e.location, \
                    e.fatalities, e.confidence, \
                    (SELECT evidence FROM event_sources s WHERE s.event_id = e.id \
                     ORDER BY s.seq LIMIT 1) \
             FROM events e WHERE e.kind = 'event' AND e.date_start >= $1 AND e.date_start <= $2 \
             ORDER BY e.date_start, e.id",
            &[&since, &until],
        )?;
        rows.iter()
            .map(|r| {
                crate::IncidentRow {
                    id: r.get(0),
                    date: r.get(1),
                    time_precision: r.get(2),
                    event_type: r.get(3),
                    sub_event_type: r.get(4),
                    actor1: r.get(5),
                    actor2: r.get(6),
                    country: r.get(7),
                    admin1: r.get(8),
                    admin2: r.get(9),
                    location: r.get(10),
                    fatalities: r.get(11),
                    confidence: r.get(12),
                    evidence: r.get(13),
                }
                .incident(&self.location)
            })
            .collect()
    }

    fn latest_event_date(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .query_opt(
                "SELECT max(date_start) FROM events WHERE kind = 'event'",
                &[],
            )?
            .and_then(|r| r.get(0)))
    }

    fn last_notification(
        &self,
        target: &str,
        key: &str,
    ) -> Result<Option<(String, u64)>, StoreError> {
        Ok(self
            .query_opt(
                "SELECT as_of, observed FROM alert_notifications \
                 WHERE target = $1 AND key = $2 AND ok ORDER BY as_of DESC LIMIT 1",
                &[&target, &key],
            )?
            .map(|r| (r.get(0), r.get::<_, i64>(1).max(0) as u64)))
    }

    fn record_notification(&mut self, n: &Notification) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO alert_notifications \
             (target, key, as_of, observed, sent_at, ok, status, payload) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (target, key, as_of) DO UPDATE SET observed = EXCLUDED.observed, \
             sent_at = EXCLUDED.sent_at, ok = EXCLUDED.ok, status = EXCLUDED.status, \
             payload = EXCLUDED.payload",
            &[
                &n.target,
                &n.key,
                &n.as_of,
                &(n.observed.min(i64::MAX as u64) as i64),
                &n.sent_at,
                &n.ok,
                &n.status,
                &n.payload,
            ],
        )
    }

    fn actor_counts(&self) -> Result<HashMap<String, u64>, StoreError> {
        Ok(self
            .query(
                "SELECT a, count(*) FROM \
                 (SELECT actor1 AS a FROM events UNION ALL SELECT actor2 FROM events) AS t \
                 WHERE a IS NOT NULL GROUP BY a",
                &[],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn version(&self) -> Result<(i64, i64), StoreError> {
        let r = self.query(
            "SELECT (SELECT coalesce(max(id), 0) FROM events), \
                    (SELECT coalesce(max(seq), 0) FROM event_sources)",
            &[],
        )?;
        Ok(r.first().map_or((0, 0), |r| (r.get(0), r.get(1))))
    }

    fn counts(&self) -> Result<(usize, usize), StoreError> {
        let r = self.query(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)",
            &[],
        )?;
        Ok(r.first().map_or((0, 0), |r| {
            (r.get::<_, i64>(0) as usize, r.get::<_, i64>(1) as usize)
        }))
    }

    fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        query::event_rows(q, |side| self.event_rows(q, side))?
            .into_iter()
            .map(|row| {
                let sources = self.sources(row.0)?;
                query::stored_event(row, sources)
            })
            .collect()
    }

    fn event(&self, id: i64) -> Result<Option<StoredEvent>, StoreError> {
        let row = self.query_opt(
            "SELECT id, data, date_start, fatalities FROM events WHERE id = $1",
            &[&id],
        )?;
        row.map(|r| {
            query::stored_event((r.get(0), r.get(1), r.get(2), r.get(3)), self.sources(id)?)
        })
        .transpose()
    }

    fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let Some(r) = self.query_opt(
            "SELECT a.id, a.ext_id, s.name, a.url, a.title, a.published, a.lang, a.text, \
                    a.clean_text, a.duplicate_of \
             FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let events = self
            .query(
                "SELECT DISTINCT event_id FROM event_sources WHERE article_id = $1 ORDER BY event_id",
                &[&id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(Some(StoredArticle {
            id: r.get(0),
            article: r.get(1),
            source: r.get(2),
            url: r.get(3),
            title: r.get(4),
            published: r.get(5),
            lang: r.get(6),
            text: r.get(7),
            clean_text: r.get(8),
            duplicate_of: r.get(9),
            events,
        }))
    }

    fn timeseries(
        &self,
        q: &EventQuery,
        group: GroupBy,
        interval: Interval,
    ) -> Result<Vec<Bucket>, StoreError> {
        let (sql, args) = query::series_sql(Dialect::Postgres, q, group);
        let days = self
            .query(&sql, &params(&args))?
            .iter()
            .map(|r| Bucket {
                period: r.get::<_, Option<String>>(0).unwrap_or_default(),
                key: r.get(1),
                events: r.get::<_, i64>(2) as u64,
                fatalities: r.get::<_, i64>(3) as u64,
            })
            .collect();
        Ok(query::fold(days, interval))
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let view = rasid_text::match_view(query);
        let terms = query::word_set(view.as_str());
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .query(
                "SELECT a.id, a.ext_id, a.title, a.published, a.clean_text FROM articles a \
                 WHERE a.match_words @> $1 AND a.duplicate_of IS NULL \
                 ORDER BY a.published DESC NULLS LAST, a.id DESC LIMIT $2",
                &[&terms, &(limit.min(i64::MAX as usize) as i64)],
            )?
            .iter()
            .map(|r| SearchHit {
                article_id: r.get(0),
                article: r.get(1),
                title: r.get(2),
                published: r.get(3),
                clean_text: r.get(4),
            })
            .collect())
    }
}

/// The statements of an ingest transaction.
struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    statements: &'a RefCell<HashMap<String, Statement>>,
    /// Source ids by name, committed.
    sources: &'a RefCell<HashMap<String, i64>>,
    /// Source ids made by this transaction.
    new_sources: HashMap<String, i64>,
}

impl PgTx<'_, '_> {
    fn query(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StoreError> {
        let st = prepared(self.tx, self.statements, sql)?;
        Ok(self.tx.query(&st, args)?)
    }

    /// A source's id, made if new. Ids made in this transaction are remembered once it
    /// commits (a rolled-back id must not be reused).
    fn source_id(&mut self, name: &str) -> Result<i64, StoreError> {
        if let Some(&id) = self.sources.borrow().get(name) {
            return Ok(id);
        }
        if let Some(&id) = self.new_sources.get(name) {
            return Ok(id);
        }
        let id = self
            .first_id(
                "WITH ins AS (INSERT INTO sources(name) VALUES ($1) \
                   ON CONFLICT (name) DO NOTHING RETURNING id) \
                 SELECT id FROM ins UNION ALL SELECT id FROM sources WHERE name = $1",
                &[&name],
            )?
            .expect("a source row");
        self.new_sources.insert(name.to_string(), id);
        Ok(id)
    }

    fn first_id(
        &mut self,
        sql: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<i64>, StoreError> {
        Ok(self.query(sql, args)?.first().map(|r| r.get(0)))
    }
}

impl WriteTx for PgTx<'_, '_> {
    fn stored_copies(
        &mut self,
        hash: &str,
        url: Option<&str>,
    ) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let rows = self.query(
            "SELECT (SELECT id FROM articles WHERE hash = $1), \
                    (SELECT id FROM articles WHERE url = $2)",
            &[&hash, &url],
        )?;
        Ok(rows.first().map_or((None, None), |r| (r.get(0), r.get(1))))
    }

    fn band_neighbours(&mut self, bands: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(self
            .query(
                "SELECT DISTINCT a.id, a.minhash \
                 FROM unnest($1::bigint[]) WITH ORDINALITY AS q(value, band) \
                 JOIN article_bands b ON b.band = q.band - 1 AND b.value = q.value \
                 JOIN articles a ON a.id = b.article_id WHERE a.duplicate_of IS NULL",
                &[&bands],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn insert_article(&mut self, row: &ArticleRow) -> Result<i64, StoreError> {
        let a = row.article;
        let source = match a.source.as_deref() {
            Some(name) => Some(self.source_id(name)?),
            None => None,
        };
        // Search finds originals only (a near copy says what its original says): copies
        // are not indexed, nor offered as originals of later copies.
        let original = row.duplicate_of.is_none();
        let (words, bands): (Vec<&str>, &[i64]) = if original {
            (
                row.words.split(' ').filter(|w| !w.is_empty()).collect(),
                row.bands,
            )
        } else {
            (Vec::new(), &[][..])
        };
        // The article and its bands in one statement (one round trip).
        let id = self
            .first_id(
                "WITH a AS (INSERT INTO articles(ext_id, source_id, url, title, published, \
                   lang, text, clean_text, match_words, hash, minhash, duplicate_of, ingested_at) \
                   VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id), \
                 b AS (INSERT INTO article_bands(band, value, article_id) \
                   SELECT band - 1, value, (SELECT id FROM a) \
                   FROM unnest($14::bigint[]) WITH ORDINALITY AS q(value, band)) \
                 SELECT id FROM a",
                &[
                    &a.id,
                    &source,
                    &a.url,
                    &a.title,
                    &a.published.map(|d| d.to_string()),
                    &a.lang.as_str(),
                    &a.text,
                    &row.clean_text,
                    &words,
                    &row.hash,
                    &row.minhash,
                    &row.duplicate_of,
                    &row.now,
                    &bands,
                ],
            )?
            .expect("INSERT … RETURNING gives a row");
        Ok(id)
    }

    fn incident_candidates(&mut self, q: &IncidentQuery) -> Result<Vec<Candidate>, StoreError> {
        // Equality (or IS NULL) on admin 1, not IS NOT DISTINCT FROM: the index on (event
        // type, admin 1, start) then seeks the date range instead of scanning the type.
        let (country, actor) = q.country_actor.unzip();
        let admin1 = if q.admin1.is_some() {
            "admin1 = $5 AND $8::text IS NULL AND $9::text IS NULL"
        } else {
            "admin1 IS NULL AND $5::text IS NULL AND country = $8 AND actor1 = $9"
        };
        let sql = format!(
            "SELECT id, actor1, actor2, country, admin1, lat, lon, geo_precision FROM events \
             WHERE kind = 'event' AND event_type = $1 AND time_precision <= 2 \
             AND date_start >= $2 AND date_start <= $3 AND date_end >= $4 AND {admin1} \
             AND NOT EXISTS (SELECT 1 FROM event_sources s \
                             WHERE s.event_id = events.id AND s.article_id = $6) \
             ORDER BY abs(date_start::date - ($7::text)::date), id"
        );
        Ok(self
            .query(
                &sql,
                &[
                    &q.event_type,
                    &q.lo_start,
                    &q.hi_start,
                    &q.lo_end,
                    &q.admin1,
                    &q.article_id,
                    &q.start,
                    &country,
                    &actor,
                ],
            )?
            .iter()
            .map(|r| Candidate {
                id: r.get(0),
                actor1: r.get(1),
                actor2: r.get(2),
                country: r.get(3),
                admin1: r.get(4),
                lat: r.get(5),
                lon: r.get(6),
                geo_precision: r.get(7),
            })
            .collect())
    }

    fn same_in_article(&mut self, e: &Event, original: i64) -> Result<Option<i64>, StoreError> {
        self.first_id(
            "SELECT e.id FROM events e JOIN event_sources s ON s.event_id = e.id \
             WHERE s.article_id = $1 AND e.kind = $2 AND e.sub_event_type = $3 \
             AND e.date_start = $4 AND e.date_end = $5 AND e.admin1 IS NOT DISTINCT FROM $6 \
             ORDER BY e.id LIMIT 1",
            &[
                &original,
                &e.kind,
                &e.sub_event_type,
                &e.date.start,
                &e.date.end,
                &e.location.as_ref().and_then(|l| l.admin1.as_deref()),
            ],
        )
    }

    fn same_aggregate(&mut self, e: &Event, article_id: i64) -> Result<Option<i64>, StoreError> {
        self.first_id(
            "SELECT id FROM events WHERE kind = 'aggregate' AND event_type = $1 \
             AND date_start = $2 AND date_end = $3 AND actor1 IS NOT DISTINCT FROM $4 \
             AND (data::jsonb ->> 'count') IS NOT DISTINCT FROM $5 \
             AND NOT EXISTS (SELECT 1 FROM event_sources s \
                             WHERE s.event_id = events.id AND s.article_id = $6) \
             ORDER BY id LIMIT 1",
            &[
                &e.event_type,
                &e.date.start,
                &e.date.end,
                &e.actor1.as_ref().map(|a| a.id.as_str()),
                &e.count.map(|c| c.to_string()),
                &article_id,
            ],
        )
    }

    fn event_data(&mut self, id: i64) -> Result<String, StoreError> {
        let rows = self.query("SELECT data FROM events WHERE id = $1", &[&id])?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or_default())
    }

    fn insert_event(&mut self, e: &Event, now: &str) -> Result<i64, StoreError> {
        let l = e.location.as_ref();
        Ok(self
            .first_id(
                "INSERT INTO events(kind, event_type, sub_event_type, actor1, actor2, country, \
                 admin1, admin2, location, lat, lon, geo_precision, date_start, date_end, \
                 time_precision, fatalities, confidence, data, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) \
                 RETURNING id",
                &[
                    &e.kind,
                    &e.event_type,
                    &e.sub_event_type,
                    &e.actor1.as_ref().map(|a| a.id.as_str()),
                    &e.actor2.as_ref().map(|a| a.id.as_str()),
                    &l.and_then(|l| l.country.as_deref()),
                    &l.and_then(|l| l.admin1.as_deref()),
                    &l.and_then(|l| l.admin2.as_deref()),
                    &l.map(|l| l.name.as_str()),
                    &l.and_then(|l| l.lat),
                    &l.and_then(|l| l.lon),
                    &l.map(|l| l.geo_precision as i64),
                    &e.date.start,
                    &e.date.end,
                    &(e.date.time_precision as i64),
                    &e.fatalities.map(i64::from),
                    &(e.confidence as f64),
                    &event_json(e),
                    &now,
                    &now,
                ],
            )?
            .expect("INSERT … RETURNING gives a row"))
    }

    fn update_event(&mut self, id: i64, m: &Merged, now: &str) -> Result<(), StoreError> {
        self.query(
            "UPDATE events SET actor1 = $1, actor2 = $2, country = $3, admin1 = $4, admin2 = $5, \
             location = $6, lat = $7, lon = $8, geo_precision = $9, fatalities = $10, \
             confidence = $11, data = $12, updated_at = $13 WHERE id = $14",
            &[
                &m.actor("actor1"),
                &m.actor("actor2"),
                &m.place("country"),
                &m.place("admin1"),
                &m.place("admin2"),
                &m.place("name"),
                &m.coordinate("lat"),
                &m.coordinate("lon"),
                &m.geo_precision(),
                &m.fatalities,
                &m.confidence,
                &m.data.to_string(),
                &now,
                &id,
            ],
        )?;
        Ok(())
    }

    fn insert_source(
        &mut self,
        event_id: i64,
        article_id: i64,
        ordinal: usize,
        e: &Event,
    ) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO event_sources(event_id, article_id, ordinal, evidence, span_start, \
             span_end, fatalities, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            &[
                &event_id,
                &article_id,
                &(ordinal as i64),
                &e.evidence.text,
                &(e.evidence.span[0] as i64),
                &(e.evidence.span[1] as i64),
                &e.fatalities.map(i64::from),
                &event_json(e),
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_left_out_of_messages() {
        assert_eq!(
            super::redacted("postgres://rasid:secret@db.local:5432/events"),
            "postgres://rasid:***@db.local:5432/events"
        );
        assert_eq!(
            super::redacted("postgres://rasid@127.0.0.1/events"),
            "postgres://rasid@127.0.0.1/events"
        );
    }
}
