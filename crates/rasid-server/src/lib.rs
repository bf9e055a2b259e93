//! rasid's HTTP server: a JSON API over an event database, described by an OpenAPI 3
//! document generated from this code (`/api/openapi.json`), and the analyst's dashboard
//! (`/`: map, timeline, filters, evidence in the original script), embedded in the binary.
//!
//! - Reads go through a small pool of SQLite connections on blocking threads; the
//!   database is in WAL mode, so the server keeps answering while an ingest writes.
//! - Writes (`POST /api/articles`) need `Authorization: Bearer <token>`; without a
//!   configured token they are disabled.
//! - Errors are JSON `{error, detail}` with the right status; bodies and query strings are
//!   limited; every SQL value is a bound parameter.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rasid_extract::Extractor;
use rasid_lexicon::Lexicon;
use rasid_store::{DedupConfig, Store, StoreError};

mod api;
mod assets;
mod places;

pub use api::ApiDoc;
pub use utoipa;

/// Settings of the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The database: a SQLite file, or a PostgreSQL server's `postgres://` URL.
    pub db: String,
    /// The bearer token writes need; `None` disables writes.
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Longest query string, in bytes.
    pub max_query: usize,
    /// An origin allowed to call the API from a browser (CORS); `None`: same origin only.
    pub cors_origin: Option<String>,
    /// Idle read connections kept open.
    pub readers: usize,
    /// The alert detector's parameters (`GET /api/alerts`).
    pub alerts: rasid_alerts::AlertConfig,
}

impl ServerConfig {
    /// Defaults for a database (file or URL).
    pub fn new(db: impl Into<String>) -> ServerConfig {
        ServerConfig {
            db: db.into(),
            token: None,
            max_body: 4 << 20,
            max_query: 4096,
            cors_origin: None,
            readers: 8,
            alerts: rasid_alerts::AlertConfig::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The alert parameters are out of range.
    #[error("{0}")]
    Alerts(#[from] rasid_alerts::AlertError),
    /// The address could not be bound or served.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A pool of read connections.
struct Pool {
    location: String,
    idle: Mutex<Vec<Store>>,
    keep: usize,
}

impl Pool {
    fn with<T>(&self, f: impl FnOnce(&Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let store = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match store {
            Some(s) => s,
            None => Store::connect(&self.location, DedupConfig::default())?,
        };
        let out = f(&store);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep {
            idle.push(store);
        }
        out
    }
}

/// What the handlers share.
pub struct AppState {
    config: ServerConfig,
    readers: Pool,
    writer: Mutex<Store>,
    extractor: Extractor,
    lexicon: Arc<Lexicon>,
    places: places::PlaceIndex,
    detector: rasid_alerts::Detector,
    /// Costly read responses by request, with the database version they were computed at.
    cache: api::ResponseCache,
}

impl AppState {
    /// Open the database (creating it if needed, as `rasid ingest` does) and index the
    /// gazetteer for autocomplete.
    pub fn new(config: ServerConfig, extractor: Extractor) -> Result<AppState, ServerError> {
        let writer = Store::connect(&config.db, DedupConfig::default())?;
        let lexicon = extractor.lexicon().clone();
        let detector = rasid_alerts::Detector::new(
            config.alerts.clone(),
            rasid_alerts::Names::from_lexicon(&lexicon),
        )?;
        Ok(AppState {
            detector,
            readers: Pool {
                location: config.db.clone(),
                idle: Mutex::new(Vec::new()),
                keep: config.readers,
            },
            writer: Mutex::new(writer),
            places: places::PlaceIndex::new(&lexicon),
            cache: api::ResponseCache::default(),
            lexicon,
            extractor,
            config,
        })
    }
}

/// The whole application: API, dashboard and their limits.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.config.max_body;
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/events", get(api::events))
        .route("/api/events/{id}", get(api::event))
        .route("/api/articles", post(api::post_articles))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/search", get(api::search))
        .route("/api/stats/timeseries", get(api::timeseries))
        .route("/api/actors", get(api::actors))
        .route("/api/alerts", get(api::alerts))
        .route("/api/places", get(api::places))
        .route("/api/export.csv", get(api::export_csv))
        .route("/api/export.geojson", get(api::export_geojson))
        .merge(assets::routes())
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Limits the query string, answers CORS pre-flights for the configured origin, and adds
/// security headers to every response.
async fn guard(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let origin_ok = match (&state.config.cors_origin, req.headers().get(header::ORIGIN)) {
        (Some(allowed), Some(o)) => o.as_bytes() == allowed.as_bytes(),
        _ => false,
    };
    if req
        .uri()
        .query()
        .is_some_and(|q| q.len() > state.config.max_query)
    {
        return api::ApiError::new(
            StatusCode::URI_TOO_LONG,
            "query too long",
            format!("at most {} bytes of query string", state.config.max_query),
        )
        .into_response();
    }
    let preflight = req.method() == axum::http::Method::OPTIONS;
    let mut resp = if preflight && origin_ok {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    if origin_ok {
        if let Some(o) = &state.config.cors_origin {
            if let Ok(v) = HeaderValue::from_str(o) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("authorization, content-type"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST"),
                );
            }
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// Serve on `listener` until `shutdown` resolves; requests under way are finished.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
