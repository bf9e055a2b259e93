//! The database schemas and their migrations. Each migration runs once, in order, inside a
//! transaction; SQLite's `PRAGMA user_version` and PostgreSQL's `rasid_schema` table
//! record how many have run.

/// The migrations, oldest first. Never edit one that has shipped: add the next.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: sources, articles (original, clean and match-level text, hashes), events with their
    // sources and evidence, and the full-text index over the match-level text.
    r#"
    CREATE TABLE sources (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        ext_id        TEXT NOT NULL,
        source_id     INTEGER REFERENCES sources(id),
        url           TEXT,
        title         TEXT,
        published     TEXT,
        lang          TEXT NOT NULL,
        text          TEXT NOT NULL,
        clean_text    TEXT NOT NULL,
        match_text    TEXT NOT NULL,
        hash          TEXT NOT NULL UNIQUE,
        minhash       BLOB NOT NULL,
        duplicate_of  INTEGER REFERENCES articles(id),
        ingested_at   TEXT NOT NULL
    );
    CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
    CREATE TABLE article_bands (
        band        INTEGER NOT NULL,
        value       INTEGER NOT NULL,
        article_id  INTEGER NOT NULL REFERENCES articles(id)
    );
    CREATE INDEX article_bands_value ON article_bands(band, value);
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE events (
        id              INTEGER PRIMARY KEY,
        kind            TEXT NOT NULL,
        event_type      TEXT NOT NULL,
        sub_event_type  TEXT NOT NULL,
        actor1          TEXT,
        actor2          TEXT,
        country         TEXT,
        admin1          TEXT,
        admin2          TEXT,
        location        TEXT,
        lat             REAL,
        lon             REAL,
        geo_precision   INTEGER,
        date_start      TEXT NOT NULL,
        date_end        TEXT NOT NULL,
        time_precision  INTEGER NOT NULL,
        fatalities      INTEGER,
        confidence      REAL NOT NULL,
        data            TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX events_date ON events(date_start, date_end);
    CREATE INDEX events_type ON events(event_type, date_start);
    CREATE INDEX events_actor1 ON events(actor1);
    CREATE INDEX events_actor2 ON events(actor2);
    CREATE INDEX events_admin1 ON events(admin1);
    CREATE TABLE event_sources (
        event_id    INTEGER NOT NULL REFERENCES events(id),
        article_id  INTEGER NOT NULL REFERENCES articles(id),
        ordinal     INTEGER NOT NULL,
        evidence    TEXT NOT NULL,
        span_start  INTEGER NOT NULL,
        span_end    INTEGER NOT NULL,
        fatalities  INTEGER,
        data        TEXT NOT NULL,
        PRIMARY KEY (event_id, article_id, ordinal)
    );
    CREATE INDEX event_sources_article ON event_sources(article_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        match_text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
    );
    "#,
    // 2: incidents are looked up by type, governorate and date.
    r#"
    CREATE INDEX events_type_admin1 ON events(event_type, admin1, date_start);
    "#,
    // 3: the feeds polled, with what conditional GET needs and how the last poll went.
    r#"
    CREATE TABLE feeds (
        url            TEXT PRIMARY KEY,
        etag           TEXT,
        last_modified  TEXT,
        polled_at      TEXT NOT NULL,
        status         TEXT NOT NULL,
        ok             INTEGER NOT NULL,
        items          INTEGER NOT NULL DEFAULT 0,
        new_items      INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 4: filters compare names case-insensitively; these indexes serve them in date order.
    r#"
    CREATE INDEX events_admin1_nocase ON events(admin1 COLLATE NOCASE, date_start);
    CREATE INDEX events_type_nocase ON events(event_type COLLATE NOCASE, date_start);
    CREATE INDEX events_subtype_nocase ON events(sub_event_type COLLATE NOCASE, date_start);
    CREATE INDEX events_actor1_date ON events(actor1, date_start);
    CREATE INDEX events_actor2_date ON events(actor2, date_start);
    "#,
    // 5: alert notifications sent (or tried), so that a restart does not send them again.
    r#"
    CREATE TABLE alert_notifications (
        target    TEXT NOT NULL,
        key       TEXT NOT NULL,
        as_of     TEXT NOT NULL,
        observed  INTEGER NOT NULL,
        sent_at   TEXT NOT NULL,
        ok        INTEGER NOT NULL,
        status    TEXT NOT NULL,
        payload   TEXT NOT NULL,
        PRIMARY KEY (target, key, as_of)
    );
    "#,
    // 6: a covering index for time series (the scan reads no event row), one for the
    // fatality order, and statistics for the planner.
    r#"
    CREATE INDEX events_series ON events(date_start, event_type, actor1, actor2, admin1, fatalities);
    CREATE INDEX events_fatal ON events(coalesce(fatalities, -1), id);
    ANALYZE;
    "#,
    // 7: incident lookups read everything they compare from the index, not the event rows
    // (which carry the event's JSON): it replaces migration 2's index.
    r#"
    CREATE INDEX events_incident ON events(event_type, admin1, date_start, kind, time_precision,
        date_end, actor1, actor2, country, lat, lon, geo_precision);
    DROP INDEX events_type_admin1;
    "#,
    // 8: the full-text index without positions (search asks for words, never phrases, and
    // cuts its snippets itself) and without a copy of its text (contentless: the
    // match-level text is derived from the original whenever needed, and no longer stored
    // in `articles.match_text`), over originals only.
    r#"
    CREATE VIRTUAL TABLE articles_fts_new USING fts5(
        match_text, content='', tokenize='unicode61 remove_diacritics 0', detail='none'
    );
    INSERT INTO articles_fts_new(rowid, match_text)
        SELECT id, match_text FROM articles WHERE duplicate_of IS NULL;
    DROP TABLE articles_fts;
    ALTER TABLE articles_fts_new RENAME TO articles_fts;
    UPDATE articles SET match_text = '';
    "#,
    // 9: the near-copy bands in one table keyed by what is looked up (no separate index),
    // and the search index over each original's distinct match-level words, split by rasid
    // (as the PostgreSQL store splits them) and handed over separated by spaces, which the
    // `ascii` tokenizer splits on and nothing else: half the tokens, no Unicode tables. It
    // is filled from the articles' texts by `SEARCH_REINDEX`'s step, in this migration's
    // transaction.
    r#"
    CREATE TABLE article_bands_new (
        band        INTEGER NOT NULL,
        value       INTEGER NOT NULL,
        article_id  INTEGER NOT NULL REFERENCES articles(id),
        PRIMARY KEY (band, value, article_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO article_bands_new(band, value, article_id)
        SELECT band, value, article_id FROM article_bands;
    DROP TABLE article_bands;
    ALTER TABLE article_bands_new RENAME TO article_bands;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_words USING fts5(
        words, content='', tokenize='ascii', detail='none'
    );
    "#,
];

/// The migration after which the search index is filled again from the articles' texts
/// (a step SQL cannot do: the words come from rasid's normalizer).
pub(crate) const SEARCH_REINDEX: usize = 9;

/// The PostgreSQL migrations, oldest first; `rasid_schema.version` records how many have
/// run. The same tables and meaning as SQLite's, in PostgreSQL's types: texts compared by
/// byte (`COLLATE "C"`, so that ISO dates and names order as in SQLite), 64-bit integers,
/// and search over a column of match-level words with a GIN index instead of FTS5.
pub(crate) const PG_MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE sources (
        id    BIGSERIAL PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE articles (
        id            BIGSERIAL PRIMARY KEY,
        ext_id        TEXT NOT NULL,
        source_id     BIGINT REFERENCES sources(id),
        url           TEXT,
        title         TEXT,
        published     TEXT COLLATE "C",
        lang          TEXT NOT NULL,
        text          TEXT NOT NULL,
        clean_text    TEXT NOT NULL,
        match_words   TEXT[] NOT NULL,
        hash          TEXT NOT NULL UNIQUE,
        minhash       BYTEA NOT NULL,
        duplicate_of  BIGINT REFERENCES articles(id),
        ingested_at   TEXT NOT NULL
    );
    CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_words ON articles USING gin (match_words) WHERE duplicate_of IS NULL;
    CREATE TABLE article_bands (
        band        BIGINT NOT NULL,
        value       BIGINT NOT NULL,
        article_id  BIGINT NOT NULL REFERENCES articles(id)
    );
    CREATE INDEX article_bands_value ON article_bands(band, value);
    CREATE TABLE events (
        id              BIGSERIAL PRIMARY KEY,
        kind            TEXT NOT NULL,
        event_type      TEXT COLLATE "C" NOT NULL,
        sub_event_type  TEXT COLLATE "C" NOT NULL,
        actor1          TEXT COLLATE "C",
        actor2          TEXT COLLATE "C",
        country         TEXT COLLATE "C",
        admin1          TEXT COLLATE "C",
        admin2          TEXT COLLATE "C",
        location        TEXT,
        lat             DOUBLE PRECISION,
        lon             DOUBLE PRECISION,
        geo_precision   BIGINT,
        date_start      TEXT COLLATE "C" NOT NULL,
        date_end        TEXT COLLATE "C" NOT NULL,
        time_precision  BIGINT NOT NULL,
        fatalities      BIGINT,
        confidence      DOUBLE PRECISION NOT NULL,
        data            TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX events_date ON events(date_start, id);
    CREATE INDEX events_type ON events(event_type, date_start);
    CREATE INDEX events_incident ON events(event_type, admin1, date_start);
    CREATE INDEX events_admin1_lower ON events(lower(admin1), date_start);
    CREATE INDEX events_type_lower ON events(lower(event_type), date_start);
    CREATE INDEX events_subtype_lower ON events(lower(sub_event_type), date_start);
    CREATE INDEX events_actor1_date ON events(actor1, date_start);
    CREATE INDEX events_actor2_date ON events(actor2, date_start);
    CREATE INDEX events_fatal ON events((coalesce(fatalities, -1)), id);
    CREATE TABLE event_sources (
        seq         BIGSERIAL UNIQUE,
        event_id    BIGINT NOT NULL REFERENCES events(id),
        article_id  BIGINT NOT NULL REFERENCES articles(id),
        ordinal     BIGINT NOT NULL,
        evidence    TEXT NOT NULL,
        span_start  BIGINT NOT NULL,
        span_end    BIGINT NOT NULL,
        fatalities  BIGINT,
        data        TEXT NOT NULL,
        PRIMARY KEY (event_id, article_id, ordinal)
    );
    CREATE INDEX event_sources_article ON event_sources(article_id);
    CREATE TABLE feeds (
        url            TEXT COLLATE "C" PRIMARY KEY,
        etag           TEXT,
        last_modified  TEXT,
        polled_at      TEXT NOT NULL,
        status         TEXT NOT NULL,
        ok             BOOLEAN NOT NULL,
        items          BIGINT NOT NULL DEFAULT 0,
        new_items      BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE alert_notifications (
        target    TEXT NOT NULL,
        key       TEXT NOT NULL,
        as_of     TEXT COLLATE "C" NOT NULL,
        observed  BIGINT NOT NULL,
        sent_at   TEXT NOT NULL,
        ok        BOOLEAN NOT NULL,
        status    TEXT NOT NULL,
        payload   TEXT NOT NULL,
        PRIMARY KEY (target, key, as_of)
    );
    "#];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// The database file has had every migration.
    fn assert_up_to_date(path: &std::path::Path) {
        let version: i64 = rusqlite::Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64, "{}", path.display());
    }

    /// A database made by an earlier version (three migrations, an article indexed the old
    /// way) opens with its schema brought up to date and its article still found.
    #[test]
    fn an_old_database_is_brought_up_to_date_and_still_searchable() {
        let path = std::env::temp_dir().join(format!("rasid-upgrade-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..3] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            let text = "خلايا تنظيم داعش في الرقة";
            let m = rasid_text::match_view(text).into_string();
            conn.execute(
                "INSERT INTO articles(id, ext_id, lang, text, clean_text, match_text, hash, \
                 minhash, ingested_at) VALUES (1, 'old', 'ar', ?1, ?1, ?2, 'h', x'', 'now')",
                [text, &m],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO articles_fts(rowid, match_text) VALUES (1, ?1)",
                [&m],
            )
            .unwrap();
        }
        let store = crate::Store::open(&path, crate::DedupConfig::default()).unwrap();
        let hits = store.search("داعش", 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].article, "old");
        assert_up_to_date(&path);
        let _ = std::fs::remove_file(&path);
    }

    /// Processes opening a new database at once (workers starting together) migrate it
    /// once; none fails on a table another has just made.
    #[test]
    fn a_new_database_opened_at_once_is_migrated_once() {
        let path = std::env::temp_dir().join(format!("rasid-race-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let opened: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    crate::Store::open(&path, crate::DedupConfig::default()).map(|_| ())
                })
            })
            .collect();
        for t in opened {
            t.join().unwrap().expect("every opener succeeds");
        }
        assert_up_to_date(&path);
        let _ = std::fs::remove_file(&path);
    }
}
