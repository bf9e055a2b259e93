//! The statements both databases run as written (`?` placeholders; the PostgreSQL store
//! numbers them): one text, so one meaning. What differs between the two — the search
//! index, the JSON access of `same_aggregate`, the schema's types, the write lock — is in
//! `sqlite.rs` and `pg.rs`.

/// The reports of an event, oldest article first.
pub const SOURCES: &str = "SELECT s.article_id, a.ext_id, src.name, a.url, a.published, \
    s.evidence, s.span_start, s.span_end, s.fatalities \
    FROM event_sources s JOIN articles a ON a.id = s.article_id \
    LEFT JOIN sources src ON src.id = a.source_id \
    WHERE s.event_id = ? ORDER BY a.published NULLS FIRST, s.article_id, s.ordinal";

pub const HAS_URL: &str = "SELECT 1 FROM articles WHERE url = ?";

pub const FEED: &str = "SELECT url, etag, last_modified, polled_at, status, ok, items, \
    new_items FROM feeds WHERE url = ?";

pub const FEEDS: &str = "SELECT url, etag, last_modified, polled_at, status, ok, items, \
    new_items FROM feeds ORDER BY url";

pub const SAVE_FEED: &str = "INSERT INTO feeds \
    (url, etag, last_modified, polled_at, status, ok, items, new_items) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
    ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, \
    last_modified = excluded.last_modified, polled_at = excluded.polled_at, \
    status = excluded.status, ok = excluded.ok, items = excluded.items, \
    new_items = excluded.new_items";

/// Incidents between two start days, with the evidence of their first report (reports are
/// stored in article order, and in order within an article).
pub const INCIDENTS: &str = "SELECT e.id, e.date_start, e.time_precision, e.event_type, \
    e.sub_event_type, e.actor1, e.actor2, e.country, e.admin1, e.admin2, e.location, \
    e.fatalities, e.confidence, \
    (SELECT evidence FROM event_sources s WHERE s.event_id = e.id \
     ORDER BY s.article_id, s.ordinal LIMIT 1) \
    FROM events e WHERE e.kind = 'event' AND e.date_start >= ? AND e.date_start <= ? \
    ORDER BY e.date_start, e.id";

pub const LATEST_EVENT_DATE: &str = "SELECT max(date_end) FROM events WHERE kind = 'event'";

pub const LAST_NOTIFICATION: &str = "SELECT as_of, observed FROM alert_notifications \
    WHERE target = ? AND key = ? AND ok ORDER BY as_of DESC LIMIT 1";

pub const RECORD_NOTIFICATION: &str = "INSERT INTO alert_notifications \
    (target, key, as_of, observed, sent_at, ok, status, payload) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
    ON CONFLICT (target, key, as_of) DO UPDATE SET observed = excluded.observed, \
    sent_at = excluded.sent_at, ok = excluded.ok, status = excluded.status, \
    payload = excluded.payload";

pub const ACTOR_COUNTS: &str = "SELECT a, count(*) FROM \
    (SELECT actor1 AS a FROM events UNION ALL SELECT actor2 FROM events) AS t \
    WHERE a IS NOT NULL GROUP BY a";

/// The newest event, and the newest article with a report: every batch that adds an event
/// or a report raises one of them.
pub const VERSION: &str = "SELECT (SELECT coalesce(max(id), 0) FROM events), \
    (SELECT coalesce(max(article_id), 0) FROM event_sources)";

pub const COUNTS: &str = "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events)";

pub const EVENT: &str = "SELECT id, data, date_start, fatalities FROM events WHERE id = ?";

pub const ARTICLE: &str = "SELECT a.id, a.ext_id, s.name, a.url, a.title, a.published, \
    a.lang, a.text, a.clean_text, a.duplicate_of \
    FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = ?";

pub const ARTICLE_EVENTS: &str =
    "SELECT DISTINCT event_id FROM event_sources WHERE article_id = ? ORDER BY event_id";

/// The stored articles with a content hash, and with a URL.
pub const STORED_COPIES: &str = "SELECT (SELECT id FROM articles WHERE hash = ?), \
    (SELECT id FROM articles WHERE url = ?)";

/// Incident candidates with an admin 1; [`INCIDENT_CANDIDATES_NO_ADMIN1`] without.
pub const INCIDENT_CANDIDATES: &str = "SELECT id, actor1, actor2, country, admin1, lat, lon, \
    geo_precision, date_start FROM events \
    WHERE kind = 'event' AND event_type = ? AND time_precision <= 2 \
    AND date_start >= ? AND date_start <= ? AND date_end >= ? AND admin1 = ? \
    AND NOT EXISTS (SELECT 1 FROM event_sources s \
                    WHERE s.event_id = events.id AND s.article_id = ?)";

/// Incident candidates without an admin 1: the same country and named initiator.
pub const INCIDENT_CANDIDATES_NO_ADMIN1: &str = "SELECT id, actor1, actor2, country, admin1, \
    lat, lon, geo_precision, date_start FROM events \
    WHERE kind = 'event' AND event_type = ? AND time_precision <= 2 \
    AND date_start >= ? AND date_start <= ? AND date_end >= ? AND admin1 IS NULL \
    AND country = ? AND actor1 = ? \
    AND NOT EXISTS (SELECT 1 FROM event_sources s \
                    WHERE s.event_id = events.id AND s.article_id = ?)";

pub const SAME_IN_ARTICLE: &str = "SELECT e.id FROM events e \
    JOIN event_sources s ON s.event_id = e.id \
    WHERE s.article_id = ? AND e.kind = ? AND e.sub_event_type = ? \
    AND e.date_start = ? AND e.date_end = ? AND e.admin1 IS NOT DISTINCT FROM ? \
    ORDER BY e.id LIMIT 1";

pub const EVENT_DATA: &str = "SELECT data FROM events WHERE id = ?";

/// Run through [`crate::ingest::WriteTx::insert`] (which returns the new id).
pub const INSERT_EVENT: &str = "INSERT INTO events(kind, event_type, sub_event_type, actor1, \
    actor2, country, admin1, admin2, location, lat, lon, geo_precision, date_start, date_end, \
    time_precision, fatalities, confidence, data, created_at, updated_at) \
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

pub const UPDATE_EVENT: &str = "UPDATE events SET actor1 = ?, actor2 = ?, country = ?, \
    admin1 = ?, admin2 = ?, location = ?, lat = ?, lon = ?, geo_precision = ?, \
    fatalities = ?, confidence = ?, data = ?, updated_at = ? WHERE id = ?";

pub const INSERT_SOURCE: &str = "INSERT INTO event_sources(event_id, article_id, ordinal, \
    evidence, span_start, span_end, fatalities, data) VALUES (?,?,?,?,?,?,?,?)";
