//! `rasid serve`: the HTTP API and the dashboard over a database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use rasid_server::{AppState, ServerConfig};

/// Serve the JSON API (`/api/…`, described at `/api/openapi.json`) and the dashboard (`/`)
/// over a database. Binds to loopback unless told otherwise; writes need a token.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    db: crate::cmd::store::DbArg,
    /// Address to listen on (give 0.0.0.0:PORT to serve other machines).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// File holding the bearer token that `POST /api/articles` needs (else $RASID_TOKEN;
    /// without either, writes are disabled).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// An origin allowed to call the API from a browser (CORS is off by default).
    #[arg(long, value_name = "ORIGIN")]
    cors_origin: Option<String>,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 4 << 20)]
    max_body: usize,
    /// The alerts file (also $RASID_ALERTS): the `[detector]` parameters of
    /// `GET /api/alerts`.
    #[arg(long, value_name = "FILE")]
    alerts: Option<PathBuf>,
    /// User lexicon directory (also $RASID_LEXICON), for posted articles.
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print the OpenAPI document and exit.
    #[arg(long)]
    openapi: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    if a.openapi {
        use rasid_server::utoipa::OpenApi;
        println!("{}", rasid_server::ApiDoc::openapi().to_pretty_json()?);
        return Ok(ExitCode::SUCCESS);
    }
    // A missing file is an error here, not a new empty database.
    drop(a.db.open_existing()?);
    let db = a.db.location();
    let shown = rasid_store::redacted(&db);
    let token = match &a.token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("--token-file {}", f.display()))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("RASID_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    }
    .filter(|t| !t.is_empty());
    if let Some(t) = &token {
        if t.len() < 16 {
            anyhow::bail!("the token is too short: use at least 16 characters");
        }
    }
    let alerts = crate::cmd::alerts::load_file(a.alerts.as_deref())?.detector;
    let extractor = crate::cmd::extract::extractor(a.lexicon.as_deref(), 0.0)?;
    let config = ServerConfig {
        alerts,
        token,
        max_body: a.max_body,
        cors_origin: a.cors_origin.clone(),
        ..ServerConfig::new(db.clone())
    };
    let writes = config.token.is_some();
    let state =
        Arc::new(AppState::new(config, extractor).with_context(|| format!("opening {shown}"))?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("listening on {}", a.addr))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "rasid: serving {} on http://{addr}/ (writes {})",
            shown,
            if writes { "need the token" } else { "disabled" }
        );
        rasid_server::serve(listener, state, rasid_server::shutdown_signal()).await?;
        eprintln!("rasid: stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
