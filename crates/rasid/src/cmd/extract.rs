//! `rasid extract`: articles in, events out (the project's event codebook).

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use rasid_extract::{article, Article, Extractor, ExtractorConfig, Lang};
use serde_json::json;

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
    /// Inputs (`-` or none: stdin).
    files: Vec<PathBuf>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonl,
    Table,
}

/// `--lang` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangArg {
    Ar,
    En,
    Auto,
}

/// The articles of one input.
fn articles(name: &str, content: &str, lang: Option<Lang>) -> (Vec<Article>, Vec<String>) {
    let jsonl =
        name.ends_with(".jsonl") || (name == "<stdin>" && content.trim_start().starts_with('{'));
    if !jsonl {
        let id = std::path::Path::new(name)
            .file_stem()
            .map_or(name.to_string(), |s| s.to_string_lossy().into_owned());
        return (vec![article::from_txt(&id, content, lang)], Vec::new());
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match article::from_jsonl_line(&format!("{name}:{}", n + 1), line, lang) {
            Ok(a) => out.push(a),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (out, errors)
}

/// The extractor over the bundled lexicon (plus a user lexicon directory, if given).
pub fn extractor(lexicon: Option<&std::path::Path>, min_confidence: f32) -> Result<Extractor> {
    let lex = Arc::new(crate::cmd::lexicon::load(lexicon)?);
    Ok(Extractor::new(lex, ExtractorConfig { min_confidence }))
}

pub fn run(a: Args) -> Result<ExitCode> {
    let extractor = extractor(a.lexicon.as_deref(), a.min_confidence)?;
    let published = match &a.published {
        Some(d) => Some(
            article::parse_date(d).with_context(|| format!("--published: not a date: {d:?}"))?,
        ),
        None => None,
    };
    let lang = match a.lang {
        LangArg::Ar => Some(Lang::Ar),
        LangArg::En => Some(Lang::En),
        LangArg::Auto => None,
    };
    let inputs: Vec<PathBuf> = if a.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        a.files.clone()
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for input in &inputs {
        let (name, content) = if input.as_os_str() == "-" {
            let mut s = String::new();
            io::stdin()
                .read_to_string(&mut s)
                .context("reading stdin")?;
            ("<stdin>".to_string(), s)
        } else {
            let name = input.display().to_string();
            match std::fs::read(input) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => (name, s),
                    Err(e) => {
                        eprintln!(
                            "rasid: {name}: invalid UTF-8 at byte offset {}",
                            e.utf8_error().valid_up_to()
                        );
                        failed = true;
                        continue;
                    }
                },
                Err(e) => {
                    eprintln!("rasid: {name}: {e}");
                    failed = true;
                    continue;
                }
            }
        };
        let (list, errors) = articles(&name, &content, lang);
        for e in errors {
            eprintln!("rasid: {e}");
            failed = true;
        }
        for mut art in list {
            if published.is_some() {
                art.published = published;
            }
            let x = extractor.extract(&art);
            let mut meta = json!({
                "id": art.id, "source": art.source, "url": art.url,
                "published": art.published.map(|d| d.to_string()),
                "lang": art.lang, "title": art.title,
            });
            if a.with_text {
                meta["text"] = json!(x.text);
            }
            let obj = json!({"article": meta, "events": x.events});
            match a.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&obj)?)?,
                Format::Jsonl => writeln!(out, "{obj}")?,
                Format::Table => {
                    writeln!(out, "== {} ({} events)", art.id, x.events.len())?;
                    for e in &x.events {
                        let actor = |r: &Option<rasid_extract::ActorRef>| {
                            r.as_ref().map_or("-".to_string(), |a| {
                                format!("{}{}", a.id, if a.suspected { "?" } else { "" })
                            })
                        };
                        let place = e.location.as_ref().map_or("-".to_string(), |l| {
                            format!("{} p{}", l.text, l.geo_precision)
                        });
                        writeln!(
                            out,
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
                        )?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
