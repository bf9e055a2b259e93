//! Work distribution over NATS JetStream: `rasid ingest --nats` publishes articles to a
//! stream, `rasid worker` processes are a shared durable pull consumer of it.
//!
//! * Stream `RASID`, subjects `rasid.articles.<source>`: every article once per the
//!   duplicate window, its message id being the hash of its match-level text (the same
//!   hash the store deduplicates on).
//! * Consumer `rasid-workers`: explicit acks, sent only after the batch's transaction
//!   committed; unacknowledged messages come back after `ack_wait`, at most `max_deliver`
//!   times.
//! * Stream `RASID_DEAD`, subject `rasid.dead.articles`: messages no worker can process
//!   (not an article, or failing every delivery), with the error in the `Rasid-Error`
//!   header and the original subject in `Rasid-Subject`.

use std::time::Duration;

use anyhow::{Context, Result};
use async_nats::jetstream::{self, consumer, stream};
use rasid_extract::Article;

/// The stream of articles to process.
pub const STREAM: &str = "RASID";
/// Its subjects.
pub const SUBJECTS: &str = "rasid.articles.>";
/// The stream of messages no worker could process.
pub const DEAD_STREAM: &str = "RASID_DEAD";
/// The dead-letter subject.
pub const DEAD_SUBJECT: &str = "rasid.dead.articles";
/// The workers' shared durable consumer.
pub const CONSUMER: &str = "rasid-workers";
/// How long a worker has to acknowledge a message before it is delivered again.
pub const ACK_WAIT: Duration = Duration::from_secs(30);
/// How many times a message is delivered before it is a dead letter.
pub const MAX_DELIVER: i64 = 5;

/// Connects and makes sure the streams exist.
pub async fn connect(url: &str) -> Result<jetstream::Context> {
    let client = async_nats::ConnectOptions::new()
        .name("rasid")
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .with_context(|| format!("--nats {url}: cannot connect"))?;
    let js = jetstream::new(client);
    js.get_or_create_stream(stream::Config {
        name: STREAM.to_string(),
        subjects: vec![SUBJECTS.to_string()],
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    })
    .await
    .map_err(|e| anyhow::anyhow!("--nats {url}: stream {STREAM}: {e}"))?;
    js.get_or_create_stream(stream::Config {
        name: DEAD_STREAM.to_string(),
        subjects: vec![DEAD_SUBJECT.to_string()],
        ..Default::default()
    })
    .await
    .map_err(|e| anyhow::anyhow!("--nats {url}: stream {DEAD_STREAM}: {e}"))?;
    Ok(js)
}

/// The workers' consumer (created on first use with this `ack_wait`, shared afterwards).
pub async fn consumer(
    js: &jetstream::Context,
    ack_wait: Duration,
) -> Result<consumer::PullConsumer> {
    let stream = js
        .get_stream(STREAM)
        .await
        .map_err(|e| anyhow::anyhow!("stream {STREAM}: {e}"))?;
    stream
        .get_or_create_consumer(
            CONSUMER,
            consumer::pull::Config {
                durable_name: Some(CONSUMER.to_string()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait,
                max_deliver: MAX_DELIVER,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("consumer {CONSUMER}: {e}"))
}

/// An article as a message body: the JSONL form `rasid ingest` reads.
pub fn article_json(a: &Article) -> String {
    serde_json::json!({
        "id": a.id,
        "text": a.text,
        "published": a.published.map(|d| d.to_string()),
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "lang": a.lang.as_str(),
    })
    .to_string()
}

/// The subject of an article: per source, so that consumers may filter by it.
pub fn subject(a: &Article) -> String {
    let source: String = a
        .source
        .as_deref()
        .unwrap_or("unknown")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    format!("rasid.articles.{source}")
}

/// What a publishing run did.
#[derive(Debug, Default)]
pub struct Published {
    /// Articles the stream took.
    pub new: usize,
    /// Articles it already had within its duplicate window.
    pub duplicate: usize,
}

/// Publishes articles, each with its content hash as message id, and waits for the
/// stream's acknowledgements (an article is published when the stream has stored it).
pub async fn publish(js: &jetstream::Context, articles: &[Article]) -> Result<Published> {
    let mut acks = Vec::with_capacity(articles.len());
    for a in articles {
        let digest = rasid_store::Digest::of(&a.text);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, digest.hash());
        let ack = js
            .publish_with_headers(subject(a), headers, article_json(a).into())
            .await
            .with_context(|| format!("{}: publishing", a.id))?;
        acks.push((a.id.clone(), ack));
    }
    let mut out = Published::default();
    for (id, ack) in acks {
        let ack = ack
            .await
            .with_context(|| format!("{id}: the stream did not confirm it"))?;
        if ack.duplicate {
            out.duplicate += 1;
        } else {
            out.new += 1;
        }
    }
    Ok(out)
}
