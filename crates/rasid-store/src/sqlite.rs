//! The embedded database: SQLite through rusqlite (bundled), WAL mode, FTS5.

use std::collections::HashMap;
use std::path::Path;

use rasid_alerts::Incident;
use rasid_extract::Event;
use rusqlite::{params, Connection, OptionalExtension};

use crate::dedup::{Candidate, DedupConfig, IncidentQuery};
use crate::ingest::{self, ArticleRow, WriteTx};
use crate::query::{self, Dialect, EventRow, Param, Side};
use crate::{
    schema, sql, BatchReport, Bucket, EventQuery, EventSource, FeedState, GroupBy, Interval,
    Notification, Prepared, SearchHit, Storage, StoreError, StoredArticle, StoredEvent,
};

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Text(s) => s.to_sql(),
            Param::Real(x) => x.to_sql(),
            Param::Int(i) => i.to_sql(),
            Param::Null => rusqlite::types::Null.to_sql(),
        }
    }
}

/// A SQLite database file (or one in memory).
pub struct SqliteStore {
    conn: Connection,
    path: String,
    config: DedupConfig,
}

impl SqliteStore {
    /// Open (or create) a database file, bringing its schema up to date.
    pub fn open(path: &Path, config: DedupConfig) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        SqliteStore::init(conn, path.display().to_string(), config)
    }

    /// A database in memory (tests, one-off runs).
    pub fn open_in_memory(config: DedupConfig) -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?, ":memory:".into(), config)
    }

    fn init(
        mut conn: Connection,
        path: String,
        config: DedupConfig,
    ) -> Result<SqliteStore, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A 64 MB page cache and memory-mapped reads: dedup lookups stay off the disk.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every statement of a batch stays prepared (the default keeps 16).
        conn.set_prepared_statement_cache_capacity(64);
        // The version is read under the write lock: processes opening a new database
        // together (workers) migrate it once, the others wait and find it done.
        let known = schema::MIGRATIONS.len() as i64;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > known {
            return Err(StoreError::Schema {
                path,
                message: format!(
                    "schema version {version} is newer than this program's ({known}): upgrade rasid"
                ),
            });
        }
        if version < known {
            for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(m)?;
                if i + 1 == schema::SEARCH_REINDEX {
                    reindex(&tx)?;
                }
            }
            tx.pragma_update(None, "user_version", known)?;
        }
        tx.commit()?;
        Ok(SqliteStore { conn, path, config })
    }

    fn event_rows(&self, q: &EventQuery, side: Side) -> Result<Vec<EventRow>, StoreError> {
        let (sql, args) = query::event_rows_sql(Dialect::Sqlite, q, side);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn sources(&self, event_id: i64) -> Result<Vec<EventSource>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql::SOURCES)?;
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

impl Storage for SqliteStore {
    fn location(&self) -> &str {
        &self.path
    }

    fn ingest_prepared(
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
        let report = ingest::ingest_batch(&mut SqliteTx(&tx), batch, now, &config)?;
        tx.commit()?;
        Ok(report)
    }

    fn has_url(&self, url: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql::HAS_URL)?
            .query_row([url], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql::FEED)?
            .query_row([url], FeedState::from_row)
            .optional()?)
    }

    fn feed_states(&self) -> Result<Vec<FeedState>, StoreError> {
        let mut st = self.conn.prepare_cached(sql::FEEDS)?;
        let rows = st.query_map([], FeedState::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_feed_state(&mut self, s: &FeedState) -> Result<(), StoreError> {
        self.conn.prepare_cached(sql::SAVE_FEED)?.execute(params![
            s.url,
            s.etag,
            s.last_modified,
            s.polled_at,
            s.status,
            s.ok,
            s.items as i64,
            s.new_items as i64
        ])?;
        Ok(())
    }

    fn incidents(&self, since: &str, until: &str) -> Result<Vec<Incident>, StoreError> {
        let mut st = self.conn.prepare_cached(sql::INCIDENTS)?;
        let rows = st.query_map([since, until], |r| {
            Ok(crate::IncidentRow {
                id: r.get(0)?,
                date: r.get(1)?,
                time_precision: r.get(2)?,
                event_type: r.get(3)?,
                sub_event_type: r.get(4)?,
                actor1: r.get(5)?,
                actor2: r.get(6)?,
                country: r.get(7)?,
                admin1: r.get(8)?,
                admin2: r.get(9)?,
                location: r.get(10)?,
                fatalities: r.get(11)?,
                confidence: r.get(12)?,
                evidence: r.get(13)?,
            })
        })?;
        rows.map(|r| r?.incident(&self.path)).collect()
    }

    fn latest_event_date(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql::LATEST_EVENT_DATE)?
            .query_row([], |r| r.get(0))?)
    }

    fn last_notification(
        &self,
        target: &str,
        key: &str,
    ) -> Result<Option<(String, u64)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql::LAST_NOTIFICATION)?
            .query_row([target, key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })
            .optional()?)
    }

    fn record_notification(&mut self, n: &Notification) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(sql::RECORD_NOTIFICATION)?
            .execute(params![
                n.target,
                n.key,
                n.as_of,
                n.observed as i64,
                n.sent_at,
                n.ok,
                n.status,
                n.payload
            ])?;
        Ok(())
    }

    fn actor_counts(&self) -> Result<HashMap<String, u64>, StoreError> {
        let mut st = self.conn.prepare_cached(sql::ACTOR_COUNTS)?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn version(&self) -> Result<(i64, i64), StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql::VERSION)?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn counts(&self) -> Result<(usize, usize), StoreError> {
        Ok(self.conn.prepare_cached(sql::COUNTS)?.query_row([], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
        })?)
    }

    fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        query::events(q, |side| self.event_rows(q, side), |id| self.sources(id))
    }

    fn event(&self, id: i64) -> Result<Option<StoredEvent>, StoreError> {
        let row = self
            .conn
            .prepare_cached(sql::EVENT)?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        row.map(|row| query::stored_event(row, self.sources(id)?))
            .transpose()
    }

    fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let art = self
            .conn
            .prepare_cached(sql::ARTICLE)?
            .query_row([id], |r| {
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
            })
            .optional()?;
        let Some(mut art) = art else {
            return Ok(None);
        };
        let mut st = self.conn.prepare_cached(sql::ARTICLE_EVENTS)?;
        art.events = st
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(art))
    }

    fn timeseries(
        &self,
        q: &EventQuery,
        group: GroupBy,
        interval: Interval,
    ) -> Result<Vec<Bucket>, StoreError> {
        let (sql, args) = query::series_sql(Dialect::Sqlite, q, group);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&args), |r| {
            Ok(Bucket {
                period: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                key: r.get(1)?,
                events: r.get::<_, i64>(2)? as u64,
                fatalities: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(query::fold(rows.collect::<Result<_, _>>()?, interval))
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let terms = fts_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.ext_id, a.title, a.published, a.clean_text \
             FROM articles_words f JOIN articles a ON a.id = f.rowid \
             WHERE articles_words MATCH ? AND a.duplicate_of IS NULL \
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

/// Fill the search index from the originals' texts.
fn reindex(tx: &rusqlite::Transaction) -> Result<(), StoreError> {
    let mut read = tx.prepare("SELECT id, text FROM articles WHERE duplicate_of IS NULL")?;
    let mut write = tx.prepare("INSERT INTO articles_words(rowid, words) VALUES (?, ?)")?;
    let rows = read.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, text) = row?;
        let view = rasid_text::match_view(&text);
        write.execute(params![id, query::word_set(view.as_str()).join(" ")])?;
    }
    Ok(())
}

/// A query as an FTS5 expression: each match-level word quoted (so that no word is read as
/// an operator), all required.
fn fts_terms(query: &str) -> String {
    let m = rasid_text::match_view(query);
    query::words(m.as_str())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The statements of an ingest transaction.
struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

impl WriteTx for SqliteTx<'_> {
    fn ids(&mut self, sql: &str, args: &[Param]) -> Result<Vec<Option<i64>>, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(args))?;
        Ok(match rows.next()? {
            Some(r) => (0..n).map(|i| r.get(i)).collect::<Result<_, _>>()?,
            None => Vec::new(),
        })
    }

    fn execute(&mut self, sql: &str, args: &[Param]) -> Result<(), StoreError> {
        self.0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(args))?;
        Ok(())
    }

    fn insert(&mut self, sql: &str, args: &[Param]) -> Result<i64, StoreError> {
        self.execute(sql, args)?;
        Ok(self.0.last_insert_rowid())
    }

    fn band_neighbours(&mut self, bands: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT DISTINCT a.id, a.minhash FROM article_bands b JOIN articles a ON a.id = b.article_id \
             WHERE b.band = ?1 AND b.value = ?2 AND a.duplicate_of IS NULL",
        )?;
        let mut out = Vec::new();
        for (band, value) in bands.iter().enumerate() {
            let rows = stmt.query_map(params![band as i64, value], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    fn insert_article(&mut self, row: &ArticleRow) -> Result<i64, StoreError> {
        let tx = self.0;
        let a = row.article;
        let source: Option<i64> = match a.source.as_deref() {
            Some(name) => {
                tx.prepare_cached("INSERT OR IGNORE INTO sources(name) VALUES (?)")?
                    .execute([name])?;
                Some(
                    tx.prepare_cached("SELECT id FROM sources WHERE name = ?")?
                        .query_row([name], |r| r.get(0))?,
                )
            }
            None => None,
        };
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
            row.clean_text,
            // Derived from `text` whenever needed (match_view): not stored twice; the
            // full-text index holds what search needs of it.
            "",
            row.hash,
            row.minhash,
            row.duplicate_of,
            row.now,
        ])?;
        let id = tx.last_insert_rowid();
        // Search finds originals only (a near copy says what its original says): copies
        // are not indexed, nor offered as originals of later copies.
        if row.duplicate_of.is_none() {
            tx.prepare_cached("INSERT INTO articles_words(rowid, words) VALUES (?, ?)")?
                .execute(params![id, row.words])?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO article_bands(band, value, article_id) VALUES (?,?,?)",
            )?;
            for (band, value) in row.bands.iter().enumerate() {
                stmt.execute(params![band as i64, value, id])?;
            }
        }
        Ok(id)
    }

    fn incident_candidates(&mut self, q: &IncidentQuery) -> Result<Vec<Candidate>, StoreError> {
        let (sql, args) = q.statement();
        let mut stmt = self.0.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&args), |r| {
            Ok(Candidate {
                id: r.get(0)?,
                actor1: r.get(1)?,
                actor2: r.get(2)?,
                country: r.get(3)?,
                admin1: r.get(4)?,
                lat: r.get(5)?,
                lon: r.get(6)?,
                geo_precision: r.get(7)?,
                date_start: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn same_aggregate(&mut self, e: &Event, article_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT id FROM events WHERE kind = 'aggregate' AND event_type = ?1 \
                 AND date_start = ?2 AND date_end = ?3 AND actor1 IS ?4 \
                 AND json_extract(data, '$.count') IS ?5 \
                 AND NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = events.id AND s.article_id = ?6) \
                 ORDER BY id LIMIT 1",
            )?
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

    fn event_data(&mut self, id: i64) -> Result<String, StoreError> {
        Ok(self
            .0
            .prepare_cached(sql::EVENT_DATA)?
            .query_row([id], |r| r.get(0))?)
    }
}
