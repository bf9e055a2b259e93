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
use crate::ingest::{self, ArticleRow, WriteTx};
use crate::query::{self, Dialect, EventRow, Param, Side};
use crate::{
    schema, sql, BatchReport, Bucket, EventQuery, EventSource, FeedState, GroupBy, Interval,
    Notification, Prepared, SearchHit, Storage, StoreError, StoredArticle, StoredEvent,
};

/// The advisory lock that ingest transactions and migrations hold: one batch is written at
/// a time, so that deduplication sees every batch committed before it (as with SQLite's
/// write lock). Extraction, the costly part, runs outside it.
const WRITE_LOCK: i64 = 0x0072_6173_6964;

/// Prepared statements kept per connection (dynamic filters make a bounded variety).
const STATEMENTS: usize = 512;

type Params<'a> = Vec<&'a (dyn ToSql + Sync)>;

/// NULL for a parameter of any type (a typed `None` is refused by columns of other types).
#[derive(Debug)]
struct AnyNull;

impl ToSql for AnyNull {
    fn to_sql(
        &self,
        _: &postgres::types::Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(postgres::types::IsNull::Yes)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn params(args: &[Param]) -> Params<'_> {
    args.iter()
        .map(|p| match p {
            Param::Text(s) => s as &(dyn ToSql + Sync),
            Param::Real(x) => x,
            Param::Int(i) => i,
            Param::Null => &AnyNull,
        })
        .collect()
}

/// A statement prepared once per connection; `?` placeholders (the statements shared with
/// SQLite) are numbered first.
fn prepared(
    c: &mut impl GenericClient,
    cache: &RefCell<HashMap<String, Statement>>,
    sql: &str,
) -> Result<Statement, StoreError> {
    if let Some(s) = cache.borrow().get(sql) {
        return Ok(s.clone());
    }
    let s = c.prepare(&Dialect::Postgres.finish(sql))?;
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
        let rows = self.query(sql::SOURCES, &[&event_id])?;
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
        Ok(self.query_opt(sql::HAS_URL, &[&url])?.is_some())
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        Ok(self.query_opt(sql::FEED, &[&url])?.as_ref().map(feed_state))
    }

    fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        Ok(self
            .query(sql::FEEDS, &[])?
            .iter()
            .map(feed_state)
            .collect())
    }

    fn save_feed_state(&mut self, s: &FeedState) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_FEED,
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
        let rows = self.query(sql::INCIDENTS, &[&since, &until])?;
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
            .query_opt(sql::LATEST_EVENT_DATE, &[])?
            .and_then(|r| r.get(0)))
    }

    fn last_notification(
        &self,
        target: &str,
        key: &str,
    ) -> Result<Option<(String, u64)>, StoreError> {
        Ok(self
            .query_opt(sql::LAST_NOTIFICATION, &[&target, &key])?
            .map(|r| (r.get(0), r.get::<_, i64>(1).max(0) as u64)))
    }

    fn record_notification(&mut self, n: &Notification) -> Result<(), StoreError> {
        self.execute(
            sql::RECORD_NOTIFICATION,
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
            .query(sql::ACTOR_COUNTS, &[])?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn version(&self) -> Result<(i64, i64), StoreError> {
        let r = self.query(sql::VERSION, &[])?;
        Ok(r.first().map_or((0, 0), |r| (r.get(0), r.get(1))))
    }

    fn counts(&self) -> Result<(usize, usize), StoreError> {
        let r = self.query(sql::COUNTS, &[])?;
        Ok(r.first().map_or((0, 0), |r| {
            (r.get::<_, i64>(0) as usize, r.get::<_, i64>(1) as usize)
        }))
    }

    fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        query::events(q, |side| self.event_rows(q, side), |id| self.sources(id))
    }

    fn event(&self, id: i64) -> Result<Option<StoredEvent>, StoreError> {
        let row = self.query_opt(sql::EVENT, &[&id])?;
        row.map(|r| {
            query::stored_event((r.get(0), r.get(1), r.get(2), r.get(3)), self.sources(id)?)
        })
        .transpose()
    }

    fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let Some(r) = self.query_opt(sql::ARTICLE, &[&id])? else {
            return Ok(None);
        };
        let events = self
            .query(sql::ARTICLE_EVENTS, &[&id])?
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
        let id = self.one_id(
            "WITH ins AS (INSERT INTO sources(name) VALUES ($1) \
                   ON CONFLICT (name) DO NOTHING RETURNING id) \
                 SELECT id FROM ins UNION ALL SELECT id FROM sources WHERE name = $1",
            &[&name],
        )?;
        self.new_sources.insert(name.to_string(), id);
        Ok(id)
    }

    /// The id a statement returns in its one row (an error otherwise).
    fn one_id(&mut self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<i64, StoreError> {
        let st = prepared(self.tx, self.statements, sql)?;
        Ok(self.tx.query_one(&st, args)?.get(0))
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
    fn ids(&mut self, sql: &str, args: &[Param]) -> Result<Vec<Option<i64>>, StoreError> {
        let rows = self.query(sql, &params(args))?;
        Ok(rows
            .first()
            .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
            .unwrap_or_default())
    }

    fn execute(&mut self, sql: &str, args: &[Param]) -> Result<(), StoreError> {
        self.query(sql, &params(args))?;
        Ok(())
    }

    fn insert(&mut self, sql: &str, args: &[Param]) -> Result<i64, StoreError> {
        self.one_id(&format!("{sql} RETURNING id"), &params(args))
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
        let id = self.one_id(
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
        )?;
        Ok(id)
    }

    fn incident_candidates(&mut self, q: &IncidentQuery) -> Result<Vec<Candidate>, StoreError> {
        let (sql, args) = q.statement();
        Ok(self
            .query(sql, &params(&args))?
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
                date_start: r.get(8),
            })
            .collect())
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
        // (exactly one row, or an error)
        let st = prepared(self.tx, self.statements, sql::EVENT_DATA)?;
        Ok(self.tx.query_one(&st, &[&id])?.get(0))
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
