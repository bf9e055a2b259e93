//! The JSON API. Every handler is described for the OpenAPI document ([`ApiDoc`]), so the
//! document is generated from the code and cannot drift from it.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rasid_extract::article;
use rasid_store::{
    BatchReport, Cursor, EventQuery, EventSort, GroupBy, Interval, NewArticle, StoreError,
    StoredEvent,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::places::PlaceOut;
use crate::AppState;

/// The OpenAPI 3 document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rasid",
        description = "Conflict events extracted from Arabic and English news, with the evidence behind every field."
    ),
    paths(
        healthz,
        events,
        event,
        article,
        post_articles,
        search,
        timeseries,
        actors,
        alerts,
        places,
        export_csv,
        export_geojson
    ),
    components(schemas(
        ErrorBody,
        Health,
        EventOut,
        SourceOut,
        EventPage,
        EventDetail,
        SourceDetail,
        Mark,
        ArticleOut,
        SearchOut,
        SearchHitOut,
        PartOut,
        SeriesOut,
        BucketOut,
        ActorOut,
        AlertsOut,
        PlaceOut,
        IngestOut,
        IngestedArticle
    ))
)]
pub struct ApiDoc;

/// An error: what went wrong, and the detail a user needs to fix it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Short description (`bad query`, `not found`…).
    pub error: String,
    /// What exactly: the parameter, the id, the limit.
    pub detail: String,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// An error with this status.
    pub fn new(status: StatusCode, error: &str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: error.to_string(),
                detail: detail.into(),
            },
        }
    }

    fn bad(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad request", detail)
    }

    fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not found", detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "database", e.to_string())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> ApiError {
        ApiError::bad(e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> ApiError {
        ApiError::bad(e.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        let status = e.status();
        let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "body too large"
        } else {
            "bad body"
        };
        ApiError::new(status, error, e.body_text())
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Run a read on a pooled connection, off the async threads.
async fn read<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&rasid_store::Store) -> Result<T, StoreError> + Send + 'static,
) -> ApiResult<T> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.readers.with(f))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(ApiError::from)
}

/// One cached response: the database version it was computed at, and its JSON.
type Cached = Option<((i64, i64), axum::body::Bytes)>;

/// Responses of costly reads (event pages, time series, alerts) by request, kept until the
/// database changes. A dashboard asks the same questions again and again; under load,
/// requests for one key wait for a single computation instead of each running it.
#[derive(Default)]
pub struct ResponseCache {
    slots: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<Cached>>>>,
    /// The database version last read, and when: read again at most every
    /// [`VERSION_TTL`], so that a cached answer costs no database round trip.
    version: std::sync::Mutex<Option<(std::time::Instant, (i64, i64))>>,
}

/// How stale an answer may be after another process (`rasid ingest`) writes: writes
/// through this server are seen at once.
const VERSION_TTL: std::time::Duration = std::time::Duration::from_millis(500);

impl ResponseCache {
    /// Forget the version read, after a write through the server.
    pub fn invalidate(&self) {
        *self.version.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The database version, read at most every [`VERSION_TTL`].
async fn db_version(state: &Arc<AppState>) -> ApiResult<(i64, i64)> {
    let now = std::time::Instant::now();
    {
        let mut known = state
            .cache
            .version
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((at, v)) = known.as_mut() {
            if now.duration_since(*at) < VERSION_TTL {
                return Ok(*v);
            }
            // This request reads the version again; the others go on with the one known
            // until it has.
            *at = now;
        }
    }
    let v = read(state, |s| s.version()).await?;
    *state
        .cache
        .version
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some((now, v));
    Ok(v)
}

/// Most keys kept; past that, slots nobody is waiting on are dropped.
const CACHE_KEYS: usize = 1024;

/// The JSON of `key` at the database's current version: from the cache, else computed
/// once (concurrent requests for the key wait for that computation).
async fn cached<F, Fut>(state: &Arc<AppState>, key: String, compute: F) -> ApiResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ApiResult<String>>,
{
    let version = db_version(state).await?;
    let slot = {
        let mut slots = state.cache.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() >= CACHE_KEYS && !slots.contains_key(&key) {
            slots.retain(|_, v| Arc::strong_count(v) > 1);
            if slots.len() >= CACHE_KEYS {
                slots.clear();
            }
        }
        slots.entry(key).or_default().clone()
    };
    let mut entry = slot.lock().await;
    // The body is shared, not copied: a page of events is about 100 KB.
    let body = match entry.as_ref() {
        Some((v, body)) if *v == version => body.clone(),
        _ => {
            let body = axum::body::Bytes::from(compute().await?);
            *entry = Some((version, body.clone()));
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn to_json<T: Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

/// Anything else: 404 in JSON.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no such path: {}", uri.path()))
}

/// Liveness and size of the database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Articles stored.
    pub articles: usize,
    /// Events stored.
    pub events: usize,
    /// Whether writes are enabled (a token is configured).
    pub writes: bool,
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz(State(state): State<Arc<AppState>>) -> ApiResult<Json<Health>> {
    let writes = state.config.token.is_some();
    let (articles, events) = read(&state, |s| s.counts()).await?;
    Ok(Json(Health {
        status: "ok".into(),
        articles,
        events,
        writes,
    }))
}

/// The OpenAPI document.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_json().unwrap_or_default(),
    )
        .into_response()
}

/// Filters shared by the event list, the time series and the exports.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Actor id, as actor 1 or 2 (`isis`, `syria-military`…).
    actor: Option<String>,
    /// Event type or sub-event type (`Battles`, `Air/drone strike`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    event_type: Option<String>,
    /// Sub-event type, exact.
    sub_type: Option<String>,
    /// Governorate / province (English, as in the events).
    admin1: Option<String>,
    /// Any place name (location, admin 1 or 2) containing this.
    place: Option<String>,
    /// Bounding box `west,south,east,north` in degrees.
    bbox: Option<String>,
    /// From this day (`YYYY-MM-DD`).
    since: Option<String>,
    /// Up to this day (`YYYY-MM-DD`).
    until: Option<String>,
    /// Lowest confidence, 0 to 1.
    min_confidence: Option<f32>,
    /// `event` or `aggregate`.
    kind: Option<String>,
    /// `newest` (default), `oldest` or `fatalities`.
    sort: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Time series: `actor`, `admin1` or `type`.
    group: Option<String>,
    /// Time series: `day` or `week`.
    interval: Option<String>,
}

fn date(name: &str, v: &Option<String>) -> ApiResult<Option<String>> {
    v.as_deref()
        .map(|d| {
            article::parse_date(d)
                .map(|d| d.to_string())
                .ok_or_else(|| ApiError::bad(format!("{name}: not a date (YYYY-MM-DD): {d:?}")))
        })
        .transpose()
}

impl Filters {
    fn query(&self, max_limit: usize) -> ApiResult<EventQuery> {
        let sort = match self.sort.as_deref() {
            None | Some("newest") => EventSort::Newest,
            Some("oldest") => EventSort::Oldest,
            Some("fatalities") => EventSort::Fatalities,
            Some(s) => {
                return Err(ApiError::bad(format!(
                    "sort: {s:?} is not newest, oldest or fatalities"
                )))
            }
        };
        let limit = self.limit.unwrap_or(100.min(max_limit));
        if limit == 0 || limit > max_limit {
            return Err(ApiError::bad(format!("limit: between 1 and {max_limit}")));
        }
        if let Some(c) = self.min_confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(ApiError::bad("min_confidence: between 0 and 1"));
            }
        }
        if let Some(k) = &self.kind {
            if k != "event" && k != "aggregate" {
                return Err(ApiError::bad(format!(
                    "kind: {k:?} is not event or aggregate"
                )));
            }
        }
        let bbox = self
            .bbox
            .as_deref()
            .map(|b| rasid_store::parse_bbox(b).map_err(|e| ApiError::bad(format!("bbox: {e}"))))
            .transpose()?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| {
                Cursor::decode(c)
                    .ok_or_else(|| ApiError::bad(format!("cursor: not a cursor: {c:?}")))
            })
            .transpose()?;
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(EventQuery {
            actor: nonempty(&self.actor),
            event_type: nonempty(&self.event_type),
            sub_event_type: nonempty(&self.sub_type),
            admin1: nonempty(&self.admin1),
            place: nonempty(&self.place),
            since: date("since", &self.since)?,
            until: date("until", &self.until)?,
            kind: self.kind.clone(),
            min_confidence: self.min_confidence,
            limit: Some(limit),
            bbox,
            sort,
            after,
        })
    }
}

/// One report of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceOut {
    /// The article's database id (`/api/articles/{id}`).
    pub article_id: i64,
    /// The article's own id.
    pub article: String,
    /// Its site.
    pub source: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// Its publication date.
    pub published: Option<String>,
    /// The evidence sentence, in the original script.
    pub evidence: String,
    /// Code-point span of the evidence in the article's clean text.
    pub span: [usize; 2],
    /// The fatalities this report gives.
    pub fatalities: Option<u32>,
}

/// An event: the codebook's fields (see `event.schema.json`) and its sources.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    /// Database id.
    pub id: i64,
    /// The event, as in `event.schema.json`.
    #[schema(value_type = Object)]
    pub event: Value,
    /// Every report of it.
    pub sources: Vec<SourceOut>,
}

fn event_out(e: StoredEvent) -> EventOut {
    EventOut {
        id: e.id,
        event: e.event,
        sources: e
            .sources
            .into_iter()
            .map(|s| SourceOut {
                article_id: s.article_id,
                article: s.article,
                source: s.source,
                url: s.url,
                published: s.published,
                evidence: s.evidence,
                span: s.span,
                fatalities: s.fatalities,
            })
            .collect(),
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// The events, in the requested order.
    pub events: Vec<EventOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/events", params(Filters),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody)))]
pub async fn events(
    State(state): State<Arc<AppState>>,
    raw: axum::extract::RawQuery,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Response> {
    let q = q?.0.query(1000)?;
    let key = format!("events?{}", raw.0.unwrap_or_default());
    let st = state.clone();
    cached(&state, key, || async move {
        let sort = q.sort;
        let limit = q.limit.unwrap_or(100);
        let found = read(&st, move |s| s.events(&q)).await?;
        let next_cursor = (found.len() == limit)
            .then(|| found.last().map(|e| Cursor::after(e, sort).encode()))
            .flatten();
        to_json(&EventPage {
            events: found.into_iter().map(event_out).collect(),
            next_cursor,
        })
    })
    .await
}

/// A marked stretch of an evidence sentence (code points, relative to the sentence).
#[derive(Debug, Serialize, ToSchema)]
pub struct Mark {
    /// Start (code points into the evidence).
    pub start: usize,
    /// End.
    pub end: usize,
    /// `actor1`, `actor2`, `place`, `date`, `fatalities` or `repair`.
    pub kind: String,
    /// For a repair, the spelling it stands for (`تنـ.ـظيم` → `تنظيم`); else the field's
    /// value (actor name, place name).
    pub label: String,
}

/// A report of an event with the text around its evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDetail {
    /// The report.
    #[serde(flatten)]
    pub source: SourceOut,
    /// Up to 400 characters of the article before the evidence.
    pub before: String,
    /// Up to 400 characters after it.
    pub after: String,
    /// Right-to-left script (Arabic).
    pub rtl: bool,
    /// Fields and evasion spellings marked in the evidence.
    pub marks: Vec<Mark>,
}

/// An event with all its sources in context.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDetail {
    /// Database id.
    pub id: i64,
    /// The event, as in `event.schema.json`.
    #[schema(value_type = Object)]
    pub event: Value,
    /// Every report, with context and marks.
    pub sources: Vec<SourceDetail>,
}

fn chars_between(text: &str, from: usize, to: usize) -> String {
    text.chars()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

/// Words of the evidence that the normalizer repaired (evasion spellings), with what they
/// stand for.
fn repair_marks(evidence: &str) -> Vec<Mark> {
    let view = rasid_text::display(evidence);
    let mut marks: Vec<Mark> = Vec::new();
    for r in view.repairs() {
        // The whole word the repair is in, without the quotes around it.
        let is_edge = |c: char| c.is_whitespace() || "«»\"“”'()[]،,:؛".contains(c);
        let start = evidence[..r.src.start].rfind(is_edge).map_or(0, |i| {
            i + evidence[i..].chars().next().map_or(1, char::len_utf8)
        });
        let end = evidence[r.src.end..]
            .find(is_edge)
            .map_or(evidence.len(), |i| r.src.end + i);
        if start >= end {
            continue;
        }
        let word = &evidence[start..end];
        let fixed = rasid_text::display(word).as_str().to_string();
        if fixed == word {
            continue;
        }
        let range = rasid_text::char_range(evidence, start..end);
        if marks.last().is_some_and(|m| m.start == range.start) {
            continue;
        }
        marks.push(Mark {
            start: range.start,
            end: range.end,
            kind: "repair".into(),
            label: fixed,
        });
    }
    marks
}

/// Marks of the event's own fields, when this source is the one its spans point into.
fn field_marks(event: &Value, src: &SourceOut) -> Vec<Mark> {
    let ev = &event["evidence"];
    let same = ev["span"][0].as_u64() == Some(src.span[0] as u64)
        && ev["text"].as_str() == Some(src.evidence.as_str());
    if !same {
        return Vec::new();
    }
    let base = src.span[0];
    let len = src.span[1] - src.span[0];
    let mut marks = Vec::new();
    let mut mark = |v: &Value, kind: &str, label: &str| {
        let (Some(s), Some(e)) = (v["span"][0].as_u64(), v["span"][1].as_u64()) else {
            return;
        };
        let (s, e) = (s as usize, e as usize);
        if s >= base && e <= base + len && s < e {
            marks.push(Mark {
                start: s - base,
                end: e - base,
                kind: kind.into(),
                label: label.into(),
            });
        }
    };
    for (k, kind) in [("actor1", "actor1"), ("actor2", "actor2")] {
        let label = event[k]["name"].as_str().unwrap_or("");
        mark(&event[k], kind, label);
    }
    let place = event["location"]["name"].as_str().unwrap_or("");
    mark(&event["location"], "place", place);
    let date = event["date"]["start"].as_str().unwrap_or("");
    mark(&event["date"], "date", date);
    if let Some(f) = event["fatalities_span"].as_array() {
        let v = json!({"span": f});
        mark(&v, "fatalities", "");
    }
    marks
}

#[utoipa::path(get, path = "/api/events/{id}", params(("id" = i64, Path, description = "Event id")),
    responses((status = 200, body = EventDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn event(
    State(state): State<Arc<AppState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<EventDetail>> {
    let Path(id) = id?;
    let found = read(&state, move |s| {
        let Some(e) = s.event(id)? else {
            return Ok(None);
        };
        let mut texts = Vec::new();
        for src in &e.sources {
            texts.push(s.article(src.article_id)?.map(|a| (a.clean_text, a.lang)));
        }
        Ok(Some((e, texts)))
    })
    .await?;
    let Some((e, texts)) = found else {
        return Err(ApiError::not_found(format!("no event {id}")));
    };
    let out = event_out(e);
    let sources = out
        .sources
        .into_iter()
        .zip(texts)
        .map(|(src, text)| {
            let (text, lang) = text.unwrap_or_default();
            let [s, e] = src.span;
            let before = chars_between(&text, s.saturating_sub(400), s);
            let after = chars_between(&text, e, e + 400);
            let mut marks = field_marks(&out.event, &src);
            marks.extend(repair_marks(&src.evidence));
            marks.sort_by_key(|m| (m.start, m.end));
            SourceDetail {
                rtl: lang == "ar" || rasid_text::line_is_arabic(&src.evidence),
                before,
                after,
                marks,
                source: src,
            }
        })
        .collect();
    Ok(Json(EventDetail {
        id: out.id,
        event: out.event,
        sources,
    }))
}

/// An article as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleOut {
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
    /// The original text.
    pub text: String,
    /// The clean text that evidence spans point into.
    pub clean_text: String,
    /// The stored article this one is a near copy of.
    pub duplicate_of: Option<i64>,
    /// The events it reports.
    pub events: Vec<i64>,
}

#[utoipa::path(get, path = "/api/articles/{id}", params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = ArticleOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn article(
    State(state): State<Arc<AppState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<ArticleOut>> {
    let Path(id) = id?;
    let a = read(&state, move |s| s.article(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no article {id}")))?;
    Ok(Json(ArticleOut {
        id: a.id,
        article: a.article,
        source: a.source,
        url: a.url,
        title: a.title,
        published: a.published,
        lang: a.lang,
        text: a.text,
        clean_text: a.clean_text,
        duplicate_of: a.duplicate_of,
        events: a.events,
    }))
}

/// `/api/search` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words, all required; matched through evasion spellings (`تنظيم` finds `التـ.ـنظيم`).
    q: String,
    /// At most this many articles, 1 to 200 (default 20).
    limit: Option<usize>,
}

/// A piece of a snippet.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartOut {
    /// Text (of the original).
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// An article that matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    /// Database id.
    pub article_id: i64,
    /// The article's own id.
    pub article: String,
    /// Title.
    pub title: Option<String>,
    /// Publication date.
    pub published: Option<String>,
    /// Up to three snippets, matches marked.
    pub snippets: Vec<Vec<PartOut>>,
    /// Right-to-left script.
    pub rtl: bool,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    /// The query.
    pub q: String,
    /// The articles, newest first.
    pub hits: Vec<SearchHitOut>,
}

#[utoipa::path(get, path = "/api/search", params(SearchParams),
    responses((status = 200, body = SearchOut), (status = 400, body = ErrorBody)))]
pub async fn search(
    State(state): State<Arc<AppState>>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult<Json<SearchOut>> {
    let Query(p) = q?;
    let limit = p.limit.unwrap_or(20);
    if limit == 0 || limit > 200 {
        return Err(ApiError::bad("limit: between 1 and 200"));
    }
    if p.q.trim().is_empty() {
        return Err(ApiError::bad("q: empty query"));
    }
    let query = p.q.clone();
    let found = read(&state, move |s| s.search(&query, limit)).await?;
    let hits = found
        .into_iter()
        .map(|h| {
            let ranges = rasid_store::snippets::query_ranges(&h.clean_text, &p.q);
            let snippets = rasid_store::snippets::snippets(&h.clean_text, &ranges, 80, 3)
                .into_iter()
                .map(|parts| {
                    parts
                        .into_iter()
                        .map(|x| PartOut {
                            text: x.text,
                            hit: x.hit,
                        })
                        .collect()
                })
                .collect();
            SearchHitOut {
                rtl: rasid_text::line_is_arabic(&h.clean_text),
                article_id: h.article_id,
                article: h.article,
                title: h.title,
                published: h.published,
                snippets,
            }
        })
        .collect();
    Ok(Json(SearchOut { q: p.q, hits }))
}

/// One bucket of the time series.
#[derive(Debug, Serialize, ToSchema)]
pub struct BucketOut {
    /// The day, or the Monday of the week.
    pub period: String,
    /// The group's value.
    pub key: Option<String>,
    /// Events.
    pub events: u64,
    /// Their fatalities.
    pub fatalities: u64,
}

/// A time series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesOut {
    /// `day` or `week`.
    pub interval: String,
    /// `actor`, `admin1` or `type`.
    pub group: String,
    /// Buckets, oldest first.
    pub buckets: Vec<BucketOut>,
}

#[utoipa::path(get, path = "/api/stats/timeseries", params(Filters),
    responses((status = 200, body = SeriesOut), (status = 400, body = ErrorBody)))]
pub async fn timeseries(
    State(state): State<Arc<AppState>>,
    raw: axum::extract::RawQuery,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(f) = q?;
    let group_name = f.group.clone().unwrap_or_else(|| "type".into());
    let group = match group_name.as_str() {
        "actor" => GroupBy::Actor,
        "admin1" => GroupBy::Admin1,
        "type" => GroupBy::EventType,
        g => {
            return Err(ApiError::bad(format!(
                "group: {g:?} is not actor, admin1 or type"
            )))
        }
    };
    let interval_name = f.interval.clone().unwrap_or_else(|| "day".into());
    let interval = match interval_name.as_str() {
        "day" => Interval::Day,
        "week" => Interval::Week,
        i => return Err(ApiError::bad(format!("interval: {i:?} is not day or week"))),
    };
    let q = f.query(1000)?;
    let key = format!("timeseries?{}", raw.0.unwrap_or_default());
    let st = state.clone();
    cached(&state, key, || async move {
        let buckets = read(&st, move |s| s.timeseries(&q, group, interval)).await?;
        to_json(&SeriesOut {
            interval: interval_name,
            group: group_name,
            buckets: buckets
                .into_iter()
                .map(|b| BucketOut {
                    period: b.period,
                    key: b.key,
                    events: b.events,
                    fatalities: b.fatalities,
                })
                .collect(),
        })
    })
    .await
}

/// An actor of the lexicon.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorOut {
    /// Canonical id.
    pub id: String,
    /// ACLED-style name.
    pub name: String,
    /// ACLED `inter` code.
    pub inter: u8,
    /// Country (ISO alpha-2), or empty.
    pub country: String,
    /// Kind.
    pub kind: String,
    /// The actor it is part of.
    pub parent: Option<String>,
    /// Events in the database with it as actor 1 or 2.
    pub events: u64,
}

#[utoipa::path(get, path = "/api/actors", responses((status = 200, body = Vec<ActorOut>)))]
pub async fn actors(State(state): State<Arc<AppState>>) -> ApiResult<Json<Vec<ActorOut>>> {
    let counts = read(&state, |s| s.actor_counts()).await?;
    let mut out: Vec<ActorOut> = state
        .lexicon
        .actors()
        .iter()
        .map(|a| ActorOut {
            id: a.id.clone(),
            name: a.name.clone(),
            inter: a.inter,
            country: a.country.clone(),
            kind: a.kind.clone(),
            parent: a.parent.clone(),
            events: counts.get(&a.id).copied().unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.name.cmp(&b.name)));
    Ok(Json(out))
}

/// `/api/alerts` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// The day to judge at (`YYYY-MM-DD`), or `latest` for the newest event's day; default
    /// today. Earlier days replay history as it stood then.
    as_of: Option<String>,
}

/// The alerts at a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsOut {
    /// The day judged at.
    pub as_of: String,
    /// Days in the recent window (ending on `as_of`).
    pub recent_days: u32,
    /// Days in the baseline before it.
    pub baseline_days: u32,
    /// The alerts, strongest first. Each: `key` (stable across days), `kind` (`rising`,
    /// `fatalities`, `first_activity`, `spread`), `actor`, `actor_name`, `area`
    /// (`country`, `admin1`, `admin2`), `family`, `observed`, `expected`, `baseline`,
    /// `probability`, `score` (−log10 p), `summary_en`, `summary_ar`, `window`,
    /// `baseline_window`, `details` (further findings on the same actor and area),
    /// `events` (the top events with their evidence) and `event_ids` (all of them).
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<rasid_alerts::Alert>,
}

#[utoipa::path(get, path = "/api/alerts", params(AlertParams),
    responses((status = 200, body = AlertsOut), (status = 400, body = ErrorBody)))]
pub async fn alerts(
    State(state): State<Arc<AppState>>,
    q: Result<Query<AlertParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(p) = q?;
    // `latest` is resolved inside the computation: it changes only with the database,
    // which the cache already watches.
    let asked: Option<jiff::civil::Date> = match p.as_of.as_deref() {
        None | Some("") => Some(jiff::Zoned::now().date()),
        Some("latest") => None,
        Some(d) => Some(d.parse().map_err(|_| {
            ApiError::bad(format!("as_of: {d:?} is not a date (YYYY-MM-DD) or latest"))
        })?),
    };
    let key = format!(
        "alerts?{}",
        asked.map_or_else(|| "latest".to_string(), |d| d.to_string())
    );
    let st = state.clone();
    cached(&state, key, || async move {
        let as_of = match asked {
            Some(d) => d,
            None => match read(&st, |s| s.latest_event_date()).await? {
                Some(d) => d.parse().map_err(|_| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "database",
                        format!("the newest event's date {d:?} is not a date"),
                    )
                })?,
                None => jiff::Zoned::now().date(),
            },
        };
        let first = st.detector.first_day(as_of).to_string();
        let until = as_of.to_string();
        let incidents = read(&st, move |s| s.incidents(&first, &until)).await?;
        let d = st.clone();
        let alerts = tokio::task::spawn_blocking(move || d.detector.detect(&incidents, as_of))
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?;
        let c = st.detector.config();
        to_json(&AlertsOut {
            as_of: as_of.to_string(),
            recent_days: c.recent_days,
            baseline_days: c.baseline_days,
            alerts,
        })
    })
    .await
}

/// `/api/places` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlaceParams {
    /// The start of a place name, Arabic or Latin.
    q: String,
    /// At most this many, 1 to 50 (default 10).
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/places", params(PlaceParams),
    responses((status = 200, body = Vec<PlaceOut>), (status = 400, body = ErrorBody)))]
pub async fn places(
    State(state): State<Arc<AppState>>,
    q: Result<Query<PlaceParams>, QueryRejection>,
) -> ApiResult<Json<Vec<PlaceOut>>> {
    let Query(p) = q?;
    let limit = p.limit.unwrap_or(10);
    if limit == 0 || limit > 50 {
        return Err(ApiError::bad("limit: between 1 and 50"));
    }
    Ok(Json(state.places.suggest(&state.lexicon, &p.q, limit)))
}

async fn export_events(state: &Arc<AppState>, f: Filters) -> ApiResult<Vec<StoredEvent>> {
    let mut q = f.query(usize::MAX)?;
    if f.limit.is_none() {
        q.limit = None;
    }
    read(state, move |s| s.events(&q)).await
}

#[utoipa::path(get, path = "/api/export.csv", params(Filters),
    responses((status = 200, description = "ACLED's CSV columns, in ACLED's order", content_type = "text/csv"),
              (status = 400, body = ErrorBody)))]
pub async fn export_csv(
    State(state): State<Arc<AppState>>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Response> {
    let events = export_events(&state, q?.0).await?;
    let mut out = Vec::new();
    rasid_store::export::write_csv(&mut out, &events, true)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rasid-events.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/export.geojson", params(Filters),
    responses((status = 200, description = "A GeoJSON FeatureCollection of event points", content_type = "application/geo+json"),
              (status = 400, body = ErrorBody)))]
pub async fn export_geojson(
    State(state): State<Arc<AppState>>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult<Response> {
    let events = export_events(&state, q?.0).await?;
    let mut out = Vec::new();
    rasid_store::export::write_geojson(&mut out, &events)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], out).into_response())
}

/// What an ingested article gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestedArticle {
    /// The article's own id.
    pub id: String,
    /// The events extracted from it (codebook fields).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
}

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestOut {
    /// Articles stored.
    pub new_articles: usize,
    /// Of which near copies of stored ones.
    pub near_duplicates: usize,
    /// Articles already stored (same text or URL), by id.
    pub already_stored: Vec<String>,
    /// New events.
    pub new_events: usize,
    /// Further reports of stored events.
    pub merged_events: usize,
    /// Per article, the events found.
    pub articles: Vec<IngestedArticle>,
}

fn authorized(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = &state.config.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "writes disabled",
            "the server was started without a token (--token-file or $RASID_TOKEN)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    // Compare in constant time, so the token cannot be guessed byte by byte.
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "writes need the header Authorization: Bearer <token>",
        ))
    }
}

#[utoipa::path(post, path = "/api/articles",
    request_body(content = Object, description = "One article (`id`, `text`; optional `title`, `published`, `source`, `url`, `lang`), an array of them, or `{\"articles\": [...]}`"),
    responses((status = 200, body = IngestOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_articles(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<IngestOut>> {
    authorized(&state, &headers)?;
    let Json(body) = body?;
    let items: Vec<Value> = match body {
        Value::Array(a) => a,
        Value::Object(mut o) if o.contains_key("articles") => match o.remove("articles") {
            Some(Value::Array(a)) => a,
            _ => return Err(ApiError::bad("articles: must be an array")),
        },
        v @ Value::Object(_) => vec![v],
        _ => {
            return Err(ApiError::bad(
                "the body must be an article, an array or {\"articles\": [...]}",
            ))
        }
    };
    if items.is_empty() {
        return Err(ApiError::bad("no articles"));
    }
    if items.len() > 1000 {
        return Err(ApiError::bad("at most 1000 articles per request"));
    }
    let mut arts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let a = article::from_jsonl_line(&format!("articles[{i}]"), &item.to_string(), None)
            .map_err(|e| ApiError::bad(e.to_string()))?;
        if a.text.trim().is_empty() {
            return Err(ApiError::bad(format!(
                "articles[{i}]: field \"text\" is empty"
            )));
        }
        arts.push(a);
    }
    let st = state.clone();
    let (report, articles): (BatchReport, Vec<IngestedArticle>) =
        tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let xs: Vec<_> = arts.iter().map(|a| st.extractor.extract(a)).collect();
            let batch: Vec<NewArticle> = arts
                .iter()
                .zip(&xs)
                .map(|(a, x)| NewArticle {
                    article: a,
                    clean_text: &x.text,
                    events: &x.events,
                })
                .collect();
            // "now" comes from the caller of the store, never from inside it.
            let now = jiff::Timestamp::now().to_string();
            let report = st
                .writer
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .ingest(&batch, &now)?;
            st.cache.invalidate();
            let out = arts
                .iter()
                .zip(&xs)
                .map(|(a, x)| IngestedArticle {
                    id: a.id.clone(),
                    events: x
                        .events
                        .iter()
                        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
                        .collect(),
                })
                .collect();
            Ok((report, out))
        })
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
    Ok(Json(IngestOut {
        new_articles: report.new_articles,
        near_duplicates: report.near_duplicates,
        already_stored: report.skipped.clone(),
        new_events: report.new_events,
        merged_events: report.merged_events,
        articles,
    }))
}
