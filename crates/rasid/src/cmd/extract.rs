//! `rasid extract`: articles in, events out (the project's event codebook).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use rasid_extract::{Article, Extractor, ExtractorConfig};
use serde_json::json;

use crate::batches::{self, published_arg, set_jobs, ArticleOptions, LangArg, Published};
use crate::input;

/// Extract events from articles: `.txt` (one article; a short first line is the title),
/// `.jsonl` (one article per line: id, text, and optionally published/date, title, source,
/// url, lang) or `-` for stdin.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Publication date (YYYY-MM-DD) for articles that have none, or to override theirs.
    #[arg(long)]
    published: Option<String>,
    /// Language (auto: by script).
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    lang: LangArg,
    /// Include the clean article text (the one the spans point into).
    #[arg(long)]
    with_text: bool,
    /// Drop events below this confidence (0..1).
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f32,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    #[command(flatten)]
    web: crate::web::WebArgs,
    /// Inputs: files (`.gz` decompressed), directories (walked), feed or page URLs, `-` or
    /// none for stdin.
    files: Vec<PathBuf>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonl,
    Table,
}

/// The extractor over the bundled lexicon (plus a user lexicon directory, if given).
pub fn extractor(lexicon: Option<&std::path::Path>, min_confidence: f32) -> Result<Extractor> {
    let lex = Arc::new(crate::cmd::lexicon::load(lexicon)?);
    Ok(Extractor::new(lex, ExtractorConfig { min_confidence }))
}

pub fn run(a: Args) -> Result<ExitCode> {
    let extractor = extractor(a.lexicon.as_deref(), a.min_confidence)?;
    let options = ArticleOptions {
        lang: a.lang.lang(),
        published: match published_arg(&a.published)? {
            Some(d) => Published::Override(d),
            None => Published::AsRead,
        },
    };
    set_jobs(a.jobs)?;
    let (sources, errors) = input::article_sources(&a.files);
    let mut failed = !errors.is_empty();
    for e in errors {
        eprintln!("rasid: {e}");
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let web = crate::web::Web::new(&a.web)?;
    failed |= batches::run(
        sources,
        options,
        web,
        |art| Ok(render(&extractor, &art, &a)),
        |rendered| {
            for r in rendered {
                match r {
                    Ok(text) => out.write_all(text.as_bytes())?,
                    Err(e) => {
                        eprintln!("rasid: {e}");
                        failed = true;
                    }
                }
            }
            Ok(true)
        },
    )?
    .0;
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// One article's events in the requested output format.
fn render(extractor: &Extractor, art: &Article, a: &Args) -> String {
    use std::fmt::Write as _;
    let x = extractor.extract(art);
    let mut meta = json!({
        "id": art.id, "source": art.source, "url": art.url,
        "published": art.published.map(|d| d.to_string()),
        "lang": art.lang, "title": art.title,
    });
    if a.with_text {
        meta["text"] = json!(x.text);
    }
    let mut s = String::new();
    match a.format {
        Format::Json => {
            let obj = json!({"article": meta, "events": x.events});
            let _ = writeln!(s, "{:#}", obj);
        }
        Format::Jsonl => {
            let obj = json!({"article": meta, "events": x.events});
            let _ = writeln!(s, "{obj}");
        }
        Format::Table => {
            let _ = writeln!(s, "== {} ({} events)", art.id, x.events.len());
            for e in &x.events {
                let actor = |r: &Option<rasid_extract::ActorRef>| {
                    r.as_ref().map_or("-".to_string(), |a| {
                        format!("{}{}", a.id, if a.suspected { "?" } else { "" })
                    })
                };
                let place = e.location.as_ref().map_or("-".to_string(), |l| {
                    format!("{} p{}", l.text, l.geo_precision)
                });
                let _ = writeln!(
                    s,
                    "{:<9} {:<36} {:<18} {:<18} {:<30} {}..{} p{} f={} c={:.2}",
                    e.kind,
                    e.sub_event_type,
                    actor(&e.actor1),
                    actor(&e.actor2),
                    place,
                    e.date.start,
                    e.date.end,
                    e.date.time_precision,
                    e.fatalities.map_or("-".into(), |f| f.to_string()),
                    e.confidence
                );
            }
        }
    }
    s
}
