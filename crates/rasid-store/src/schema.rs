//! The database schema and its migrations. Each migration runs once, in order, inside a
//! transaction; `PRAGMA user_version` records how many have run.

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
    // cuts its snippets itself), over originals only; a third of the writing cost.
    r#"
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        match_text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', detail='none'
    );
    INSERT INTO articles_fts(rowid, match_text)
        SELECT id, match_text FROM articles WHERE duplicate_of IS NULL;
    "#,
];
