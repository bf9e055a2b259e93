//! `rasid worker`: one of any number of processes sharing the stream of articles that
//! `rasid ingest --nats` publishes. Each batch of messages is extracted, written in one
//! transaction, and acknowledged only once committed; what cannot be processed goes to the
//! dead-letter stream with its error.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use async_nats::jetstream::{self, AckKind};
use futures_util::StreamExt;
use rasid_extract::{article, Article, Extraction, Extractor};
use rasid_store::{Digest, Store};
use rayon::prelude::*;

use crate::cmd::store::{DbArg, PipelineArgs};
use crate::queue;

/// Process articles from the NATS JetStream stream that `rasid ingest --nats` fills, into
/// the database, alongside any number of other workers.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    db: DbArg,
    /// The NATS server.
    #[arg(long, value_name = "URL", default_value = "nats://127.0.0.1:4222")]
    nats: String,
    /// Messages per batch (one database transaction).
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Where `/healthz` and `/metrics` (Prometheus text) are served (port 0: any).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    metrics_addr: SocketAddr,
    /// Seconds a message may stay unacknowledged before it is delivered again (set when
    /// the shared consumer is first created).
    #[arg(long, value_name = "SECS", default_value_t = queue::ACK_WAIT.as_secs())]
    ack_wait: u64,
    /// Stop once the stream has nothing left for the workers (one-off runs, tests).
    #[arg(long)]
    until_empty: bool,
    /// Log lines as JSON objects (else `key=value` text).
    #[arg(long)]
    log_json: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// The worker's counters, served at `/metrics`.
#[derive(Default)]
struct Metrics {
    messages: AtomicU64,
    articles: AtomicU64,
    skipped: AtomicU64,
    events: AtomicU64,
    dead_letters: AtomicU64,
    failed_batches: AtomicU64,
    pending: AtomicU64,
    connected: AtomicBool,
    /// Time spent per stage, in microseconds: extraction, the database transaction, and
    /// acknowledging.
    extract_us: AtomicU64,
    store_us: AtomicU64,
    ack_us: AtomicU64,
}

/// One structured log line on stderr.
fn log(json: bool, level: &str, msg: &str, fields: &[(&str, String)]) {
    let ts = jiff::Timestamp::now().to_string();
    if json {
        let mut m = serde_json::Map::new();
        m.insert("ts".into(), ts.into());
        m.insert("level".into(), level.into());
        m.insert("msg".into(), msg.into());
        for (k, v) in fields {
            m.insert((*k).into(), v.clone().into());
        }
        eprintln!("{}", serde_json::Value::Object(m));
    } else {
        let rest: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        eprintln!("{ts} {level} {msg} {}", rest.join(" "));
    }
}

fn prometheus(m: &Metrics, started: Instant) -> String {
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let articles = m.articles.load(Ordering::Relaxed);
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        ));
    };
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
    metric(
        "rasid_worker_messages_total",
        "counter",
        "Messages processed (acknowledged).",
        c(&m.messages),
    );
    metric(
        "rasid_worker_articles_total",
        "counter",
        "Articles stored.",
        articles.to_string(),
    );
    metric(
        "rasid_worker_articles_skipped_total",
        "counter",
        "Articles already stored (same text or URL).",
        c(&m.skipped),
    );
    metric(
        "rasid_worker_events_total",
        "counter",
        "Events stored or merged into stored incidents.",
        c(&m.events),
    );
    metric(
        "rasid_worker_dead_letters_total",
        "counter",
        "Messages sent to the dead-letter stream.",
        c(&m.dead_letters),
    );
    metric(
        "rasid_worker_failed_batches_total",
        "counter",
        "Batches whose transaction failed (their messages are delivered again).",
        c(&m.failed_batches),
    );
    metric(
        "rasid_worker_pending",
        "gauge",
        "Messages of the stream not yet delivered to any worker (lag).",
        c(&m.pending),
    );
    metric(
        "rasid_worker_articles_per_second",
        "gauge",
        "Articles stored per second since the start.",
        format!("{:.2}", articles as f64 / secs),
    );
    metric(
        "rasid_worker_uptime_seconds",
        "gauge",
        "Seconds since the start.",
        format!("{secs:.0}"),
    );
    out.push_str(
        "# HELP rasid_worker_stage_seconds_total Time spent extracting, in database \
         transactions (waiting for the write lock included), and acknowledging.\n\
         # TYPE rasid_worker_stage_seconds_total counter\n",
    );
    for (stage, us) in [
        ("extract", &m.extract_us),
        ("store", &m.store_us),
        ("acknowledge", &m.ack_us),
    ] {
        out.push_str(&format!(
            "rasid_worker_stage_seconds_total{{stage=\"{stage}\"}} {:.3}\n",
            us.load(Ordering::Relaxed) as f64 / 1e6
        ));
    }
    out
}

/// An article of a message, or why it is a dead letter.
fn parse(msg: &jetstream::Message) -> Result<Article, String> {
    let origin = format!("{}", msg.subject);
    let text =
        std::str::from_utf8(&msg.payload).map_err(|e| format!("{origin}: not UTF-8: {e}"))?;
    article::from_jsonl_line(&origin, text, None).map_err(|e| e.to_string())
}

/// Extraction and digest of one article; a panic is this article's failure, not the
/// worker's.
fn work(extractor: &Extractor, a: &Article) -> Result<(Extraction, Digest), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (extractor.extract(a), Digest::of(&a.text))
    }))
    .map_err(|_| format!("{}: extraction failed (panic)", a.id))
}

/// A message no worker can process: to the dead letters, logged and counted.
async fn bury(
    js: &jetstream::Context,
    m: &jetstream::Message,
    error: &str,
    metrics: &Metrics,
    json: bool,
) -> Result<()> {
    log(json, "warn", "dead letter", &[("error", error.to_string())]);
    dead_letter(js, m, error).await?;
    metrics.dead_letters.fetch_add(1, Ordering::Relaxed);
    metrics.messages.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

async fn dead_letter(js: &jetstream::Context, msg: &jetstream::Message, error: &str) -> Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Rasid-Error", error.replace(['\r', '\n'], " ").as_str());
    headers.insert("Rasid-Subject", msg.subject.as_str());
    js.publish_with_headers(queue::DEAD_SUBJECT, headers, msg.payload.clone())
        .await
        .context("dead letter: publishing")?
        .await
        .context("dead letter: not confirmed")?;
    msg.ack_with(AckKind::Term)
        .await
        .map_err(|e| anyhow::anyhow!("dead letter: acknowledging: {e}"))?;
    Ok(())
}

pub fn run(a: Args) -> Result<ExitCode> {
    let extractor = Arc::new(a.pipeline.start()?);
    let store = Arc::new(Mutex::new(a.db.open()?));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(serve(a, extractor, store))
}

async fn serve(a: Args, extractor: Arc<Extractor>, store: Arc<Mutex<Store>>) -> Result<ExitCode> {
    let json = a.log_json;
    let metrics = Arc::new(Metrics::default());
    let started = Instant::now();

    // Health and metrics.
    let listener = tokio::net::TcpListener::bind(a.metrics_addr)
        .await
        .with_context(|| format!("--metrics-addr {}", a.metrics_addr))?;
    let addr = listener.local_addr()?;
    let (m1, m2) = (metrics.clone(), metrics.clone());
    let app = axum::Router::new()
        .route(
            "/healthz",
            axum::routing::get(move || async move {
                let ok = m1.connected.load(Ordering::Relaxed);
                let code = if ok {
                    axum::http::StatusCode::OK
                } else {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                };
                (code, if ok { "ok\n" } else { "not connected\n" })
            }),
        )
        .route(
            "/metrics",
            axum::routing::get(move || async move { prometheus(&m2, started) }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let js = queue::connect(&a.nats).await?;
    let mut consumer = queue::consumer(&js, Duration::from_secs(a.ack_wait.max(1))).await?;
    metrics.connected.store(true, Ordering::Relaxed);
    log(
        json,
        "info",
        "worker started",
        &[
            ("nats", a.nats.clone()),
            (
                "db",
                store
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .location()
                    .to_string(),
            ),
            ("metrics", format!("http://{addr}/metrics")),
        ],
    );

    // SIGTERM or Ctrl-C: finish (and acknowledge) the batch under way, then stop.
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    tokio::spawn(async move {
        rasid_server::shutdown_signal().await;
        s.store(true, Ordering::Relaxed);
    });

    while !stop.load(Ordering::Relaxed) {
        let mut batch = consumer
            .fetch()
            .max_messages(a.batch.max(1))
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .map_err(|e| anyhow::anyhow!("fetching: {e}"))?;
        let mut msgs = Vec::new();
        while let Some(m) = batch.next().await {
            match m {
                Ok(m) => msgs.push(m),
                Err(e) => log(json, "warn", "fetch", &[("error", e.to_string())]),
            }
        }
        if let Ok(info) = consumer.info().await {
            metrics.pending.store(info.num_pending, Ordering::Relaxed);
            if msgs.is_empty()
                && a.until_empty
                && info.num_pending == 0
                && info.num_ack_pending == 0
            {
                break;
            }
        }
        if msgs.is_empty() {
            continue;
        }
        process(&js, &a, &extractor, &store, &metrics, msgs).await?;
    }
    log(
        json,
        "info",
        "worker stopped",
        &[
            (
                "messages",
                metrics.messages.load(Ordering::Relaxed).to_string(),
            ),
            (
                "articles",
                metrics.articles.load(Ordering::Relaxed).to_string(),
            ),
            ("events", metrics.events.load(Ordering::Relaxed).to_string()),
            (
                "dead_letters",
                metrics.dead_letters.load(Ordering::Relaxed).to_string(),
            ),
        ],
    );
    println!(
        "{} messages, {} articles stored, {} already there, {} events, {} dead letters",
        metrics.messages.load(Ordering::Relaxed),
        metrics.articles.load(Ordering::Relaxed),
        metrics.skipped.load(Ordering::Relaxed),
        metrics.events.load(Ordering::Relaxed),
        metrics.dead_letters.load(Ordering::Relaxed),
    );
    Ok(ExitCode::SUCCESS)
}

/// One batch: parse, extract (on the worker threads), write in one transaction, then
/// acknowledge. Messages that are no article, or whose extraction fails, are dead letters;
/// a failed transaction sends the batch back (after its last delivery, to the dead
/// letters).
async fn process(
    js: &jetstream::Context,
    a: &Args,
    extractor: &Arc<Extractor>,
    store: &Arc<Mutex<Store>>,
    metrics: &Metrics,
    msgs: Vec<jetstream::Message>,
) -> Result<()> {
    let json = a.log_json;
    let mut good: Vec<(jetstream::Message, Article)> = Vec::new();
    for m in msgs {
        match parse(&m) {
            Ok(art) => good.push((m, art)),
            Err(e) => {
                bury(js, &m, &e, metrics, json).await?;
            }
        }
    }
    if good.is_empty() {
        return Ok(());
    }
    let (msgs, arts): (Vec<_>, Vec<_>) = good.into_iter().unzip();
    let x = extractor.clone();
    let t_extract = Instant::now();
    let (arts, results) = tokio::task::spawn_blocking(move || {
        let results: Vec<Result<(Extraction, Digest), String>> =
            arts.par_iter().map(|art| work(&x, art)).collect();
        (arts, results)
    })
    .await?;
    let extract_us = t_extract.elapsed().as_micros() as u64;
    metrics.extract_us.fetch_add(extract_us, Ordering::Relaxed);
    let mut keep = Vec::new();
    for ((m, art), r) in msgs.into_iter().zip(arts).zip(results) {
        match r {
            Ok((x, d)) => keep.push((m, art, x, d)),
            Err(e) => {
                bury(js, &m, &e, metrics, json).await?;
            }
        }
    }
    let (msgs, done): (Vec<_>, Vec<_>) =
        keep.into_iter().map(|(m, a, x, d)| (m, (a, x, d))).unzip();
    let st = store.clone();
    let t_store = Instant::now();
    let written = tokio::task::spawn_blocking(move || {
        let now = jiff::Timestamp::now().to_string();
        let mut store = st.lock().unwrap_or_else(|p| p.into_inner());
        store.ingest_digested(done, &now)
    })
    .await?;
    let store_us = t_store.elapsed().as_micros() as u64;
    metrics.store_us.fetch_add(store_us, Ordering::Relaxed);
    match written {
        Ok(report) => {
            // Committed: now, and only now, the messages are done (acknowledged together,
            // each confirmed by the server).
            let t_ack = Instant::now();
            let acks = futures_util::future::join_all(msgs.iter().map(|m| m.double_ack())).await;
            for r in acks {
                r.map_err(|e| anyhow::anyhow!("acknowledging: {e}"))?;
            }
            let ack_us = t_ack.elapsed().as_micros() as u64;
            metrics.ack_us.fetch_add(ack_us, Ordering::Relaxed);
            metrics
                .messages
                .fetch_add(msgs.len() as u64, Ordering::Relaxed);
            metrics
                .articles
                .fetch_add(report.new_articles as u64, Ordering::Relaxed);
            metrics
                .skipped
                .fetch_add(report.skipped.len() as u64, Ordering::Relaxed);
            metrics.events.fetch_add(
                (report.new_events + report.merged_events) as u64,
                Ordering::Relaxed,
            );
            log(
                json,
                "info",
                "batch",
                &[
                    ("messages", msgs.len().to_string()),
                    ("articles", report.new_articles.to_string()),
                    ("events", report.new_events.to_string()),
                    ("merged", report.merged_events.to_string()),
                    ("extract_ms", (extract_us / 1000).to_string()),
                    ("store_ms", (store_us / 1000).to_string()),
                    ("ack_ms", (ack_us / 1000).to_string()),
                ],
            );
        }
        Err(e) => {
            metrics.failed_batches.fetch_add(1, Ordering::Relaxed);
            log(
                json,
                "error",
                "batch not stored",
                &[("error", e.to_string())],
            );
            for m in &msgs {
                let last = m
                    .info()
                    .map(|i| i.delivered >= queue::MAX_DELIVER)
                    .unwrap_or(false);
                if last {
                    dead_letter(js, m, &format!("storing: {e}")).await?;
                    metrics.dead_letters.fetch_add(1, Ordering::Relaxed);
                } else {
                    m.ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                        .await
                        .map_err(|e| anyhow::anyhow!("sending back: {e}"))?;
                }
            }
        }
    }
    Ok(())
}
