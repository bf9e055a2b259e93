//! The database commands: `rasid ingest`, `rasid events`, `rasid search`, `rasid export`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use rasid_extract::article;
use rasid_store::{BatchReport, DedupConfig, EventQuery, Store, StoredEvent};
use serde_json::json;

use crate::batches::{self, published_arg, set_jobs, ArticleOptions, LangArg, Published};
use crate::web::{Web, WebArgs};

/// The database: `--db`, else `$RASID_DB`, else `./rasid.db`: a SQLite file, or a
/// PostgreSQL server's database by its `postgres://` URL.
#[derive(clap::Args, Debug, Clone)]
pub struct DbArg {
    /// The database: a SQLite file, or postgres://user@host/db (default: $RASID_DB, else
    /// ./rasid.db).
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
}

impl DbArg {
    /// The database's file name or URL.
    pub(crate) fn location(&self) -> String {
        self.db
            .clone()
            .or_else(|| std::env::var("RASID_DB").ok())
            .unwrap_or_else(|| "rasid.db".to_string())
    }

    pub(crate) fn open(&self) -> Result<Store> {
        let loc = self.location();
        Store::connect(&loc, DedupConfig::default())
            .with_context(|| format!("opening {}", rasid_store::redacted(&loc)))
    }

    /// For reading commands: a missing database file is an error, not a new empty one.
    pub(crate) fn open_existing(&self) -> Result<Store> {
        let loc = self.location();
        if !rasid_store::is_postgres_url(&loc) && !Path::new(&loc).exists() {
            anyhow::bail!("{loc}: no database here (run `rasid ingest` first, or give --db)");
        }
        self.open()
    }
}

/// How `ingest` and `watch` extract: language, threads, lexicon.
#[derive(clap::Args, Debug)]
pub struct PipelineArgs {
    /// Language (auto: by script).
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    lang: LangArg,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
}

impl PipelineArgs {
    /// The extractor, after starting the worker threads.
    pub(crate) fn start(&self) -> Result<rasid_extract::Extractor> {
        set_jobs(self.jobs)?;
        crate::cmd::extract::extractor(self.lexicon.as_deref(), 0.0)
    }
}

/// Read articles (`.txt`, `.jsonl`, `.gz`, directories, `-`), extract their events and store
/// both: every article once, every incident once. Each batch is one transaction.
#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    #[command(flatten)]
    db: DbArg,
    /// Publication date (YYYY-MM-DD) for articles that have none.
    #[arg(long)]
    published: Option<String>,
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// Then print the database's newest events (40 of them; `rasid events` for the rest).
    #[arg(long)]
    show: bool,
    #[command(flatten)]
    web: WebArgs,
    /// Publish the articles to this NATS JetStream server for `rasid worker`s to process,
    /// instead of processing them here.
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// Inputs: files, directories, feed or page URLs (`-` or none: stdin).
    files: Vec<PathBuf>,
}

impl IngestArgs {
    /// How articles are read: `--lang`, and `--published` for those without a date.
    fn options(&self) -> Result<ArticleOptions> {
        Ok(ArticleOptions {
            lang: self.pipeline.lang.lang(),
            published: match published_arg(&self.published)? {
                Some(d) => Published::IfMissing(d),
                None => Published::AsRead,
            },
        })
    }
}

pub fn ingest(a: IngestArgs) -> Result<ExitCode> {
    if let Some(url) = &a.nats {
        return publish(&a, url);
    }
    let extractor = a.pipeline.start()?;
    let options = a.options()?;
    let store = a.db.open()?;
    let (sources, errors) = crate::input::article_sources(&a.files);
    let web = web_for(&store, &a.db, &sources, &a.web)?;
    let started = Instant::now();
    let round = ingest_round(store, &extractor, sources, options, web)?;
    let mut failed = errors;
    failed.extend(round.failed);
    let Round { store, total, .. } = round;
    let secs = started.elapsed().as_secs_f64();
    let (articles, events) = store.counts()?;
    println!(
        "{}: {} articles stored ({} near copies of stored ones), {} already there, {} failed; \
         {} new events, {} further reports of stored ones; {articles} articles and {events} events in all ({secs:.1} s)",
        store.location(),
        total.new_articles,
        total.near_duplicates,
        total.skipped.len(),
        failed.len(),
        total.new_events,
        total.merged_events,
    );
    if a.show {
        let shown = store.events(&EventQuery {
            limit: Some(40),
            ..EventQuery::default()
        })?;
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        writeln!(out)?;
        write_table(&mut out, &shown)?;
        if events > shown.len() {
            writeln!(
                out,
                "… {} more: rasid events --db {}",
                events - shown.len(),
                store.location()
            )?;
        }
        out.flush()?;
    }
    report_failures(&failed);
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `rasid ingest --nats`: read the inputs as `ingest` does and publish each article to the
/// stream, batch by batch, waiting for the stream to confirm each.
fn publish(a: &IngestArgs, url: &str) -> Result<ExitCode> {
    let publisher = Publisher::connect(url)?;
    let (sources, errors) = crate::input::article_sources(&a.files);
    let (total, more, _) = publisher.round(sources, a.options()?, Web::new(&a.web)?)?;
    let mut failed = errors;
    failed.extend(more);
    println!(
        "{url}: {} articles published, {} already in the stream, {} failed",
        total.new,
        total.duplicate,
        failed.len()
    );
    report_failures(&failed);
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// A connection to the stream for `ingest --nats` and `watch --nats`.
struct Publisher {
    rt: tokio::runtime::Runtime,
    js: async_nats::jetstream::Context,
}

impl Publisher {
    fn connect(url: &str) -> Result<Publisher> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .context("starting the runtime")?;
        let js = rt.block_on(crate::queue::connect(url))?;
        Ok(Publisher { rt, js })
    }

    /// Read `sources` (URLs through `web`) and publish their articles: the totals, the
    /// failures, and `web` with its polls.
    fn round(
        &self,
        sources: Vec<crate::input::Source>,
        options: ArticleOptions,
        web: Web,
    ) -> Result<(crate::queue::Published, Vec<String>, Web)> {
        let mut failed = Vec::new();
        let mut total = crate::queue::Published::default();
        let (unreadable, web) = batches::run(sources, options, web, non_empty, |done| {
            let arts = split(done, &mut failed);
            let p = self.rt.block_on(crate::queue::publish(&self.js, &arts))?;
            total.new += p.new;
            total.duplicate += p.duplicate;
            Ok(true)
        })?;
        if unreadable {
            failed.push("some inputs could not be opened (see above)".into());
        }
        Ok((total, failed, web))
    }
}

/// An article with text, or why it is none.
fn non_empty(art: rasid_extract::Article) -> Result<rasid_extract::Article, String> {
    if art.text.trim().is_empty() {
        return Err(format!("{}: empty article", art.id));
    }
    Ok(art)
}

/// The results of a batch that succeeded; the failures are added to `failed`.
fn split<T>(done: Vec<Result<T, String>>, failed: &mut Vec<String>) -> Vec<T> {
    let mut ok = Vec::new();
    for d in done {
        match d {
            Ok(v) => ok.push(v),
            Err(e) => failed.push(e),
        }
    }
    ok
}

/// Keep what each feed poll said (validators for the next conditional GET, the outcome).
fn save_polls(store: &mut Store, polls: &[crate::web::Poll]) -> Result<()> {
    let now = jiff::Timestamp::now().to_string();
    for p in polls {
        store.save_feed_state(&rasid_store::FeedState {
            url: p.url.clone(),
            etag: p.validators.etag.clone(),
            last_modified: p.validators.last_modified.clone(),
            polled_at: now.clone(),
            status: p.status.clone(),
            ok: p.ok,
            items: p.items,
            new_items: p.new_items,
        })?;
    }
    Ok(())
}

fn report_failures(failed: &[String]) {
    for f in failed.iter().take(50) {
        eprintln!("rasid: failed: {f}");
    }
    if failed.len() > 50 {
        eprintln!("rasid: … and {} more failures", failed.len() - 50);
    }
}

/// The fetcher for a run: it knows the feeds' validators and which URLs are stored (through
/// a second connection, read by the reader thread while the writer writes).
fn web_for(
    store: &Store,
    db: &DbArg,
    sources: &[crate::input::Source],
    args: &WebArgs,
) -> Result<Web> {
    let web = Web::new(args)?;
    if !sources
        .iter()
        .any(|s| matches!(s, crate::input::Source::Url(_)))
    {
        return Ok(web);
    }
    let validators = store
        .feed_states()?
        .into_iter()
        .map(|f| {
            let v = rasid_fetch::Validators {
                etag: f.etag,
                last_modified: f.last_modified,
            };
            (f.url, v)
        })
        .collect();
    let reader = db
        .open()
        .with_context(|| format!("opening {} a second time", store.location()))?;
    Ok(web
        .with_validators(validators)
        .with_known(move |url| reader.has_url(url).unwrap_or(false)))
}

/// What one run of the pipeline into the store did.
struct Round {
    store: Store,
    total: BatchReport,
    failed: Vec<String>,
    polls: Vec<crate::web::Poll>,
}

/// Read, extract and store `sources`: a reader thread, the extraction workers, and a writer
/// that stores batch N (one transaction each) while batch N+1 is extracted. The feeds
/// polled are recorded once their articles are stored.
fn ingest_round(
    mut store: Store,
    extractor: &rasid_extract::Extractor,
    sources: Vec<crate::input::Source>,
    options: ArticleOptions,
    web: Web,
) -> Result<Round> {
    let mut failed = Vec::new();
    let bar = progress_bar();
    type Done = Vec<(
        rasid_extract::Article,
        rasid_extract::Extraction,
        rasid_store::Digest,
    )>;
    // Two batches may wait for the writer: extraction runs ahead while it writes.
    let (wtx, wrx) = std::sync::mpsc::sync_channel::<Done>(2);
    let writer_bar = bar.clone();
    let writer = std::thread::spawn(move || -> Result<(BatchReport, Store)> {
        let mut total = BatchReport::default();
        for done in wrx {
            let n = done.len() as u64;
            let now = jiff::Timestamp::now().to_string();
            let r = store.ingest_digested(done, &now).with_context(|| {
                format!(
                    "{}: storing a batch (nothing of it was kept)",
                    store.location()
                )
            })?;
            total.add(r);
            writer_bar.inc(n);
            writer_bar.set_message(format!(
                "{} new, {} already there, {} new events, {} further reports",
                total.new_articles,
                total.skipped.len(),
                total.new_events,
                total.merged_events
            ));
        }
        Ok((total, store))
    });
    let run = batches::run(
        sources,
        options,
        web,
        |art| {
            let art = non_empty(art)?;
            let x = extractor.extract(&art);
            // The digest deduplication needs is made here, on the worker threads.
            let digest = rasid_store::Digest::of(&art.text);
            Ok((art, x, digest))
        },
        |done| {
            let ok = split(done, &mut failed);
            // A closed channel: the writer stopped on an error, reported below.
            Ok(wtx.send(ok).is_ok())
        },
    );
    drop(wtx);
    let (total, mut store) = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the database writer panicked"))??;
    bar.finish_and_clear();
    let (unreadable, web) = run?;
    if unreadable {
        failed.push("some inputs could not be opened (see above)".into());
    }
    save_polls(&mut store, &web.polls)?;
    Ok(Round {
        store,
        total,
        failed,
        polls: web.polls,
    })
}

/// A progress line on a terminal (articles, rate, what was found); nothing otherwise.
fn progress_bar() -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} {pos} articles ({per_sec}): {msg}",
        )
        .expect("progress template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Poll the feeds of a feeds file into the database: each feed when its interval has
/// passed (conditional GET, so an unchanged feed costs one small request), its new items
/// followed to their pages, extracted and stored.
#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    db: DbArg,
    /// Poll every feed once, then stop (for cron and tests).
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
    #[command(flatten)]
    web: WebArgs,
    /// An alerts file: after each round, the alerts as of today are computed and the new
    /// ones posted to its `[[webhook]]`s (each once; what was sent is kept in the database).
    #[arg(long, value_name = "FILE")]
    alerts: Option<PathBuf>,
    /// Publish the articles to this NATS JetStream server for `rasid worker`s, instead of
    /// processing them here (the database keeps the feeds' state).
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// The feeds file (TOML): `interval = "15m"` and `[[feed]]` tables with `url` (and
    /// optionally `name`, `interval`).
    feeds: PathBuf,
}

pub fn watch(a: WatchArgs) -> Result<ExitCode> {
    let feeds = crate::feeds::load(&a.feeds)?;
    let extractor = a.pipeline.start()?;
    let alerting = match &a.alerts {
        Some(path) => {
            let file = crate::cmd::alerts::load_file(Some(path))?;
            let detector = crate::cmd::alerts::detector(&file, extractor.lexicon())?;
            Some((file, detector, crate::cmd::alerts::webhook_fetcher()))
        }
        None => None,
    };
    let options = ArticleOptions {
        lang: a.pipeline.lang.lang(),
        published: Published::AsRead,
    };
    let mut store = a.db.open()?;
    let publisher = a.nats.as_deref().map(Publisher::connect).transpose()?;
    let mut last: std::collections::HashMap<String, Instant> = Default::default();
    let mut all_ok = true;
    loop {
        let now = Instant::now();
        let due: Vec<crate::input::Source> = feeds
            .iter()
            .filter(|f| last.get(&f.url).is_none_or(|t| now - *t >= f.interval))
            .map(|f| crate::input::Source::Url(f.url.clone()))
            .collect();
        if !due.is_empty() {
            for s in &due {
                last.insert(s.name(), now);
            }
            let web = web_for(&store, &a.db, &due, &a.web)?;
            if let Some(p) = &publisher {
                let (total, failed, web) = p.round(due, options, web)?;
                save_polls(&mut store, &web.polls)?;
                let stamp = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%S");
                for poll in &web.polls {
                    println!("{stamp} {}: {}", poll.url, poll.status);
                    all_ok &= poll.ok;
                }
                println!(
                    "{stamp} {} articles published, {} already in the stream, {} failed",
                    total.new,
                    total.duplicate,
                    failed.len()
                );
                report_failures(&failed);
                all_ok &= failed.is_empty();
                if a.once {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_secs(1));
                continue;
            }
            let round = ingest_round(store, &extractor, due, options, web)?;
            let stamp = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%S");
            for p in &round.polls {
                println!("{stamp} {}: {}", p.url, p.status);
                all_ok &= p.ok;
            }
            let t = &round.total;
            println!(
                "{stamp} {} articles stored, {} already there, {} failed; {} new events, {} further reports",
                t.new_articles,
                t.skipped.len(),
                round.failed.len(),
                t.new_events,
                t.merged_events
            );
            report_failures(&round.failed);
            all_ok &= round.failed.is_empty();
            store = round.store;
            if let Some((file, detector, fetcher)) = &alerting {
                let today = crate::cmd::alerts::today();
                let alerts = crate::cmd::alerts::compute(&store, detector, today)?;
                let sent = crate::cmd::alerts::notify(&mut store, file, &alerts, fetcher)?;
                println!(
                    "{stamp} {} alerts as of {today}: {} notifications sent, {} sent before, {} failed",
                    alerts.len(),
                    sent.ok,
                    sent.already,
                    sent.failed.len()
                );
                for f in &sent.failed {
                    eprintln!("rasid: {f}");
                }
                all_ok &= sent.failed.is_empty();
            }
        }
        if a.once {
            break;
        }
        let next = feeds
            .iter()
            .map(|f| {
                last.get(&f.url).map_or(std::time::Duration::ZERO, |t| {
                    (*t + f.interval).saturating_duration_since(Instant::now())
                })
            })
            .min()
            .unwrap_or(std::time::Duration::from_secs(60));
        std::thread::sleep(next.min(std::time::Duration::from_secs(60)));
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Output formats of `rasid events`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsFormat {
    Table,
    Jsonl,
    Csv,
    Geojson,
    Acled,
}

/// The stored events, filtered, newest first.
#[derive(clap::Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    db: DbArg,
    /// Actor id (as actor 1 or 2), e.g. isis.
    #[arg(long)]
    actor: Option<String>,
    /// Event type or sub-event type, e.g. Battles, "Air/drone strike".
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Admin 1 (governorate) name, e.g. Ar-Raqqa.
    #[arg(long)]
    admin1: Option<String>,
    /// Any place name (location, admin 1 or 2) containing this.
    #[arg(long)]
    place: Option<String>,
    /// From this day (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Up to this day (YYYY-MM-DD).
    #[arg(long)]
    until: Option<String>,
    /// event or aggregate.
    #[arg(long)]
    kind: Option<String>,
    /// Lowest confidence (0..1).
    #[arg(long)]
    min_confidence: Option<f32>,
    /// Sub-event type (exact), e.g. "Armed clash".
    #[arg(long)]
    sub_type: Option<String>,
    /// Bounding box: west,south,east,north in degrees.
    #[arg(long, value_name = "W,S,E,N", value_parser = rasid_store::parse_bbox)]
    bbox: Option<[f64; 4]>,
    /// Order.
    #[arg(long, value_enum, default_value_t = SortArg::Newest)]
    sort: SortArg,
    /// At most this many.
    #[arg(long)]
    limit: Option<usize>,
    /// Output format (acled: ACLED's CSV, incidents dated to the month or better).
    #[arg(long, value_enum, default_value_t = EventsFormat::Table)]
    format: EventsFormat,
}

/// `--sort` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortArg {
    Newest,
    Oldest,
    Fatalities,
}

impl SortArg {
    fn sort(self) -> rasid_store::EventSort {
        match self {
            SortArg::Newest => rasid_store::EventSort::Newest,
            SortArg::Oldest => rasid_store::EventSort::Oldest,
            SortArg::Fatalities => rasid_store::EventSort::Fatalities,
        }
    }
}

fn date_arg(name: &str, v: &Option<String>) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(d) => article::parse_date(d)
            .map(|d| Some(d.to_string()))
            .with_context(|| format!("--{name}: not a date (YYYY-MM-DD): {d:?}")),
    }
}

pub fn events(a: EventsArgs) -> Result<ExitCode> {
    let store = a.db.open_existing()?;
    let q = EventQuery {
        actor: a.actor,
        event_type: a.event_type,
        admin1: a.admin1,
        place: a.place,
        since: date_arg("since", &a.since)?,
        until: date_arg("until", &a.until)?,
        kind: a.kind,
        min_confidence: a.min_confidence,
        limit: a.limit,
        sub_event_type: a.sub_type,
        bbox: a.bbox,
        sort: a.sort.sort(),
        after: None,
    };
    let events = store.events(&q)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match a.format {
        EventsFormat::Table => write_table(&mut out, &events)?,
        EventsFormat::Jsonl => {
            for e in &events {
                writeln!(out, "{}", serde_json::to_string(e)?)?;
            }
        }
        EventsFormat::Csv => write_csv(&mut out, &events, false)?,
        EventsFormat::Acled => write_csv(&mut out, &events, true)?,
        EventsFormat::Geojson => write_geojson(&mut out, &events)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

use rasid_store::export::{field as s, write_csv, write_geojson};

fn write_table(out: &mut dyn Write, events: &[StoredEvent]) -> Result<()> {
    writeln!(
        out,
        "{:>5} {:<9} {:<36} {:<18} {:<18} {:<24} {:<10} {:>4} {:>3}",
        "id", "kind", "sub-event type", "actor 1", "actor 2", "place", "date", "dead", "src"
    )?;
    for e in events {
        let v = &e.event;
        let actor = |k: &str| {
            let id = s(v, &[k, "id"]);
            if id.is_empty() {
                "-".to_string()
            } else if v[k]["suspected"] == true {
                format!("{id}?")
            } else {
                id.to_string()
            }
        };
        let place = if v["location"].is_null() {
            "-".to_string()
        } else {
            let name = s(v, &["location", "name"]);
            let a1 = s(v, &["location", "admin1"]);
            if a1.is_empty() || a1 == name {
                name.to_string()
            } else {
                format!("{name}, {a1}")
            }
        };
        writeln!(
            out,
            "{:>5} {:<9} {:<36} {:<18} {:<18} {:<24} {:<10} {:>4} {:>3}",
            e.id,
            s(v, &["kind"]),
            s(v, &["sub_event_type"]),
            actor("actor1"),
            actor("actor2"),
            place,
            s(v, &["date", "start"]),
            v["fatalities"]
                .as_u64()
                .map_or("-".into(), |f| f.to_string()),
            e.sources.len()
        )?;
    }
    Ok(())
}

/// ACLED's columns, in ACLED's order.
/// Export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    AcledCsv,
    Geojson,
    Jsonl,
}

/// Every stored event in a file for other tools: ACLED's CSV (incidents dated to the month
/// or better, as ACLED publishes), GeoJSON, or JSONL with the sources.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArg,
    /// Format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Output file (written whole or not at all); default: stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn export(a: ExportArgs) -> Result<ExitCode> {
    let store = a.db.open_existing()?;
    let events = store.events(&EventQuery::default())?;
    let mut buf: Vec<u8> = Vec::new();
    match a.format {
        ExportFormat::AcledCsv => write_csv(&mut buf, &events, true)?,
        ExportFormat::Geojson => write_geojson(&mut buf, &events)?,
        ExportFormat::Jsonl => {
            for e in &events {
                writeln!(buf, "{}", serde_json::to_string(e)?)?;
            }
        }
    }
    match &a.out {
        None => io::stdout().lock().write_all(&buf)?,
        Some(p) => write_atomic(p, &buf)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Write a file through a temporary beside it, renamed into place: a reader never sees half
/// a file, and a failure leaves the old one.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let tmp = match dir {
        Some(d) => d.join(format!(".{}.tmp", std::process::id())),
        None => PathBuf::from(format!(".{}.tmp", std::process::id())),
    };
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Find articles by words, however obfuscated (both sides are matched at match level);
/// prints each article with its matches marked in the original text.
#[derive(clap::Args, Debug)]
pub struct SearchArgs {
    #[command(flatten)]
    db: DbArg,
    /// At most this many articles.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Output as JSON lines.
    #[arg(long)]
    json: bool,
    /// The words (every one must occur).
    query: Vec<String>,
}

pub fn search(a: SearchArgs) -> Result<ExitCode> {
    let store = a.db.open_existing()?;
    let query = a.query.join(" ");
    let hits = store.search(&query, a.limit)?;
    let color = io::stdout().is_terminal();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for h in &hits {
        let text = &h.clean_text;
        let ranges = rasid_store::snippets::query_ranges(text, &query);
        let snippets = snippets(text, &ranges, color);
        if a.json {
            let spans: Vec<[usize; 2]> = ranges
                .iter()
                .map(|r| {
                    let s = text[..r.start].chars().count();
                    [s, s + text[r.clone()].chars().count()]
                })
                .collect();
            writeln!(
                out,
                "{}",
                json!({"article": h.article, "title": h.title, "published": h.published,
                       "spans": spans, "snippets": snippets})
            )?;
        } else {
            writeln!(
                out,
                "== {} {} {}",
                h.article,
                h.published.as_deref().unwrap_or("-"),
                h.title.as_deref().unwrap_or("")
            )?;
            for s in snippets {
                writeln!(out, "   …{s}…")?;
            }
        }
    }
    out.flush()?;
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Up to three windows of the text around the matches, matches marked (ANSI bold red on a
/// terminal, else «»).
fn snippets(text: &str, ranges: &[std::ops::Range<usize>], color: bool) -> Vec<String> {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("«", "»")
    };
    rasid_store::snippets::snippets(text, ranges, 60, 3)
        .into_iter()
        .map(|parts| {
            parts
                .iter()
                .map(|p| {
                    if p.hit {
                        format!("{open}{}{close}", p.text)
                    } else {
                        p.text.clone()
                    }
                })
                .collect()
        })
        .collect()
}
