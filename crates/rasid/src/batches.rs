//! Articles read in batches on their own thread: files, directories, stdin, `.gz`, JSONL
//! lines — parsed by the worker threads, so reading never waits for extraction.

use std::io::{BufRead, Read};
use std::sync::mpsc::SyncSender;

use anyhow::{Context, Result};
use rasid_extract::{article, Article, Lang};
use rayon::prelude::*;

use crate::input;

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

/// Read `sources` on a reader thread, turn each batch into articles and apply `work` to
/// them on the worker threads, then hand the results to `sink` in input order (`sink`
/// returns false to stop early). Returns whether some input could not be opened (already
/// reported on stderr).
pub fn run<T: Send>(
    sources: Vec<input::Source>,
    options: ArticleOptions,
    work: impl Fn(Article) -> Result<T, String> + Sync,
    mut sink: impl FnMut(Vec<Result<T, String>>) -> Result<bool>,
) -> Result<bool> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Raw>>(2);
    let reader = std::thread::spawn(move || read_all(&sources, &tx));
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

/// One unit of input, as read (parsing is left to the worker threads).
enum Raw {
    /// A line of a JSONL input: where it is (`FILE:LINE`) and its text.
    Line(String, String),
    /// A whole text file: the article id and its content.
    Txt(String, String),
    /// An HTML page: the article id (file name) and its bytes (any charset).
    Html(String, Vec<u8>),
    /// Something that could not be read; reported in order with the output.
    Error(String),
}

impl Raw {
    /// The article, or what is wrong with it (`FILE:LINE: …`).
    fn parse(self, lang: Option<Lang>) -> Result<Article, String> {
        match self {
            Raw::Line(at, line) => {
                article::from_jsonl_line(&at, &line, lang).map_err(|e| e.to_string())
            }
            Raw::Txt(id, content) => Ok(article::from_txt(&id, &content, lang)),
            Raw::Html(id, bytes) => {
                let (page, _) =
                    rasid_ingest::clean_html(&bytes, None, &rasid_ingest::CleanConfig::default());
                if page.text.trim().is_empty() {
                    return Err(format!("{id}: no article text found in the page"));
                }
                let detected = match page.lang.as_deref() {
                    Some("ar") => Lang::Ar,
                    Some("en") => Lang::En,
                    _ => Lang::detect(&page.text),
                };
                Ok(Article {
                    id,
                    source: page.site,
                    url: page.url,
                    published: page.published.as_deref().and_then(article::parse_date),
                    lang: lang.unwrap_or(detected),
                    title: page.title,
                    text: page.text,
                })
            }
            Raw::Error(e) => Err(e),
        }
    }
}

/// Read every source into batches of raw units sent to `tx`. Returns whether some input
/// could not be opened or read (already reported).
fn read_all(sources: &[input::Source], tx: &SyncSender<Vec<Raw>>) -> Result<bool> {
    let mut failed = false;
    let mut batch: Vec<Raw> = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<Raw>| {
        // A closed channel means the writer stopped (broken pipe): nothing more to do.
        let _ = tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
    };
    for src in sources {
        let name = src.name();
        let Some(mut reader) = input::open_or_report(src) else {
            failed = true;
            continue;
        };
        let jsonl = match src {
            input::Source::File(p) => {
                let n = p.to_string_lossy();
                n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")
            }
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
                    if !line.trim().is_empty() {
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
            if let Err(e) = reader.read_to_end(&mut bytes) {
                batch.push(Raw::Error(format!("{name}: {e}")));
                continue;
            }
            let html = match src {
                input::Source::File(p) => input::is_html(p),
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
                    input::Source::Stdin => name.clone(),
                };
                batch.push(Raw::Html(id, bytes));
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
                        input::Source::Stdin => name.clone(),
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
