//! Articles read in batches on their own thread: files, directories, stdin, `.gz`, JSONL
//! lines — parsed by the worker threads, so reading never waits for extraction.

use std::io::{BufRead, Read};
use std::sync::mpsc::SyncSender;

use anyhow::{Context, Result};
use rasid_extract::{article, Article, Lang};
use rayon::prelude::*;

use crate::input;
use crate::web::Web;

/// `--lang` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangArg {
    Ar,
    En,
    Auto,
}

impl LangArg {
    /// The language forced on every article, if any.
    pub fn lang(self) -> Option<Lang> {
        match self {
            LangArg::Ar => Some(Lang::Ar),
            LangArg::En => Some(Lang::En),
            LangArg::Auto => None,
        }
    }
}

/// What a command-line `--published` date does to the articles read.
#[derive(Clone, Copy, Debug)]
pub enum Published {
    /// Each article keeps its own date (or none).
    AsRead,
    /// Every article gets this date (`rasid extract`: overrides or supplies).
    Override(jiff::civil::Date),
    /// Articles without a date get this one (`rasid ingest`: a corpus keeps its dates).
    IfMissing(jiff::civil::Date),
}

/// How the articles of a run are read.
#[derive(Clone, Copy, Debug)]
pub struct ArticleOptions {
    /// Forced language, if any.
    pub lang: Option<Lang>,
    /// The command-line date's effect.
    pub published: Published,
}

/// Parse a `--published` value.
pub fn published_arg(v: &Option<String>) -> Result<Option<jiff::civil::Date>> {
    v.as_deref()
        .map(|d| article::parse_date(d).with_context(|| format!("--published: not a date: {d:?}")))
        .transpose()
}

/// Use `jobs` worker threads (default: one per core).
pub fn set_jobs(jobs: Option<usize>) -> Result<()> {
    if let Some(n) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("--jobs: starting the worker threads")?;
    }
    Ok(())
}

/// Read `sources` on a reader thread (URLs through `web`), turn each batch into articles
/// and apply `work` to them on the worker threads, then hand the results to `sink` in
/// input order (`sink` returns false to stop early). Returns whether some input could not
/// be opened (already reported on stderr), and `web` with its polls.
pub fn run<T: Send>(
    sources: Vec<input::Source>,
    options: ArticleOptions,
    mut web: Web,
    work: impl Fn(Article) -> Result<T, String> + Sync,
    mut sink: impl FnMut(Vec<Result<T, String>>) -> Result<bool>,
) -> Result<(bool, Web)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Raw>>(2);
    let reader = std::thread::spawn(move || {
        let failed = read_all(&sources, &mut web, &tx)?;
        Ok((failed, web))
    });
    for batch in rx {
        let done: Vec<Result<T, String>> = batch
            .into_par_iter()
            .map(|raw| {
                let mut art = raw.parse(options.lang)?;
                match options.published {
                    Published::AsRead => {}
                    Published::Override(d) => art.published = Some(d),
                    Published::IfMissing(d) => {
                        art.published.get_or_insert(d);
                    }
                }
                work(art)
            })
            .collect();
        if !sink(done)? {
            break;
        }
    }
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("the input reader panicked"))?
}

/// How many articles are extracted in parallel before their output is written in input order.
const BATCH: usize = 512;

/// The largest text or HTML file read as one article: larger ones are archives or
/// mistakes, and would hold the whole batch up.
const MAX_ARTICLE_BYTES: u64 = 16 << 20;

/// One unit of input, as read (parsing is left to the worker threads).
pub enum Raw {
    /// A line of a JSONL input: where it is (`FILE:LINE`) and its text.
    Line(String, String),
    /// A whole text file: the article id and its content.
    Txt(String, String),
    /// An HTML page, saved or fetched.
    Page(Box<PageRaw>),
    /// A feed item read from the feed's own text, and the feed's name.
    Item(Box<rasid_ingest::FeedItem>, Option<String>),
    /// Something that could not be read; reported in order with the output.
    Error(String),
}

/// An HTML page as read.
pub struct PageRaw {
    /// The article id (file name or URL).
    pub id: String,
    /// The bytes, in any charset.
    pub bytes: Vec<u8>,
    /// The HTTP header's charset, when fetched.
    pub charset: Option<String>,
    /// Where it was fetched from.
    pub url: Option<String>,
    /// The feed item that linked to it, and the feed's name: its title and date fill
    /// what the page lacks, and its text stands in for a page without article text.
    pub item: Option<(rasid_ingest::FeedItem, Option<String>)>,
}

impl Raw {
    /// The article, or what is wrong with it (`FILE:LINE: …`).
    fn parse(self, lang: Option<Lang>) -> Result<Article, String> {
        match self {
            Raw::Line(at, line) => {
                article::from_jsonl_line(&at, &line, lang).map_err(|e| e.to_string())
            }
            Raw::Txt(id, content) => Ok(article::from_txt(&id, &content, lang)),
            Raw::Page(p) => {
                let PageRaw {
                    id,
                    bytes,
                    charset,
                    url,
                    item,
                } = *p;
                let (page, _) = rasid_ingest::clean_html(
                    &bytes,
                    charset.as_deref(),
                    &rasid_ingest::CleanConfig::default(),
                );
                if page.text.trim().is_empty() {
                    return match item {
                        Some((item, source)) if !item.text.trim().is_empty() => {
                            Ok(item_article(item, source, lang))
                        }
                        _ => Err(format!("{id}: no article text found in the page")),
                    };
                }
                let detected = match page.lang.as_deref() {
                    Some("ar") => Lang::Ar,
                    Some("en") => Lang::En,
                    _ => Lang::detect(&page.text),
                };
                let (item_title, item_date, feed_name) = match item {
                    Some((i, source)) => (i.title, i.published, source),
                    None => (None, None, None),
                };
                // A fetched page keeps the URL it was fetched by (feeds link to it so), so
                // that the next poll knows it is stored.
                let url = url.or(page.url);
                Ok(Article {
                    id,
                    source: page
                        .site
                        .or(feed_name)
                        .or_else(|| url.as_deref().and_then(rasid_fetch::host_of)),
                    published: page
                        .published
                        .or(item_date)
                        .as_deref()
                        .and_then(article::parse_date),
                    url,
                    lang: lang.unwrap_or(detected),
                    title: page.title.or(item_title),
                    text: page.text,
                })
            }
            Raw::Item(item, source) => {
                if item.text.trim().is_empty() {
                    return Err(format!("{}: the feed item has no text", item.id));
                }
                Ok(item_article(*item, source, lang))
            }
            Raw::Error(e) => Err(e),
        }
    }
}

/// An article from a feed item's own text.
fn item_article(
    item: rasid_ingest::FeedItem,
    source: Option<String>,
    lang: Option<Lang>,
) -> Article {
    let detected = Lang::detect(&item.text);
    Article {
        id: item.link.clone().unwrap_or(item.id),
        source: source.or_else(|| item.link.as_deref().and_then(rasid_fetch::host_of)),
        url: item.link,
        published: item.published.as_deref().and_then(article::parse_date),
        lang: lang.unwrap_or(detected),
        title: item.title,
        text: item.text,
    }
}

/// Read every source into batches of raw units sent to `tx`. Returns whether some input
/// could not be opened or read (already reported).
fn read_all(sources: &[input::Source], web: &mut Web, tx: &SyncSender<Vec<Raw>>) -> Result<bool> {
    let mut failed = false;
    let mut batch: Vec<Raw> = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<Raw>| {
        // A closed channel means the writer stopped (broken pipe): nothing more to do.
        let _ = tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
    };
    for src in sources {
        let name = src.name();
        if let input::Source::Url(url) = src {
            web.read(url, &mut |raw| {
                batch.push(raw);
                if batch.len() >= BATCH {
                    send(&mut batch);
                }
            });
            continue;
        }
        let Some(mut reader) = input::open_or_report(src) else {
            failed = true;
            continue;
        };
        let jsonl = match src {
            input::Source::File(p) => {
                let n = p.to_string_lossy();
                n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")
            }
            input::Source::Url(_) => false,
            input::Source::Stdin => reader
                .fill_buf()
                .is_ok_and(|b| b.trim_ascii_start().starts_with(b"{")),
        };
        if jsonl {
            let mut bad = Vec::new();
            let read = input::for_each_line(
                &mut reader,
                false,
                |n, line, _| {
                    if line.len() as u64 > MAX_ARTICLE_BYTES {
                        batch.push(Raw::Error(format!(
                            "{name}:{n}: larger than {} MB, the limit for one article",
                            MAX_ARTICLE_BYTES >> 20
                        )));
                    } else if !line.trim().is_empty() {
                        batch.push(Raw::Line(format!("{name}:{n}"), line.to_string()));
                        if batch.len() >= BATCH {
                            send(&mut batch);
                        }
                    }
                    Ok(true)
                },
                |b| {
                    bad.push(Raw::Error(format!(
                        "{name}:{}: invalid UTF-8 at byte offset {}",
                        b.line, b.offset
                    )))
                },
            );
            batch.append(&mut bad);
            if let Err(e) = read {
                batch.push(Raw::Error(format!("{name}: {e}")));
            }
        } else {
            let mut bytes = Vec::new();
            if let Err(e) = reader.take(MAX_ARTICLE_BYTES + 1).read_to_end(&mut bytes) {
                batch.push(Raw::Error(format!("{name}: {e}")));
                continue;
            }
            if bytes.len() as u64 > MAX_ARTICLE_BYTES {
                batch.push(Raw::Error(format!(
                    "{name}: larger than {} MB, the limit for one article or page \
                     (a corpus belongs in a JSONL file, one article per line)",
                    MAX_ARTICLE_BYTES >> 20
                )));
                continue;
            }
            let html = match src {
                input::Source::File(p) => input::is_html(p),
                input::Source::Url(_) => true,
                input::Source::Stdin => {
                    let head = &bytes[..bytes.len().min(512)];
                    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
                    let t = head.trim_start_matches('\u{feff}').trim_start();
                    t.starts_with("<!doctype html") || t.starts_with("<html")
                }
            };
            if html {
                let id = match src {
                    input::Source::File(p) => {
                        let stem = p
                            .file_name()
                            .map_or(name.clone(), |s| s.to_string_lossy().into_owned());
                        stem.split('.').next().unwrap_or(&stem).to_string()
                    }
                    input::Source::Stdin | input::Source::Url(_) => name.clone(),
                };
                batch.push(Raw::Page(Box::new(PageRaw {
                    id,
                    bytes,
                    charset: None,
                    url: None,
                    item: None,
                })));
                if batch.len() >= BATCH {
                    send(&mut batch);
                }
                continue;
            }
            match String::from_utf8(bytes) {
                Ok(content) => {
                    let id = match src {
                        input::Source::File(p) => p
                            .file_stem()
                            .map_or(name.clone(), |s| s.to_string_lossy().into_owned()),
                        input::Source::Stdin | input::Source::Url(_) => name.clone(),
                    };
                    batch.push(Raw::Txt(id, content));
                }
                Err(e) => batch.push(Raw::Error(format!(
                    "{name}: invalid UTF-8 at byte offset {}",
                    e.utf8_error().valid_up_to()
                ))),
            }
        }
        if batch.len() >= BATCH {
            send(&mut batch);
        }
    }
    if !batch.is_empty() {
        send(&mut batch);
    }
    Ok(failed)
}
