//! `rasid entities`: every actor, place, trigger and cue in the input.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use rasid_lexicon::{Entity, EntityKind, Lexicon};
use serde_json::{json, Value};

use crate::input;

/// Print the actors, places, event words and cues found in each input (a whole file is
/// one document; with --lines each line is one).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Each input line is its own document.
    #[arg(long)]
    lines: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Only these kinds (repeatable): actor, place, trigger, cue.
    #[arg(long = "kind", value_enum)]
    kinds: Vec<KindArg>,
    /// User lexicon directory with extra TOML files (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Decode invalid UTF-8 lossily instead of reporting and skipping the line.
    #[arg(long)]
    lossy: bool,
    /// Files or directories (`-` or none: stdin).
    files: Vec<PathBuf>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Table,
}

/// `--kind` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindArg {
    Actor,
    Place,
    Trigger,
    Cue,
}

/// One entity as JSON, with code-point spans into `text`.
pub fn entity_json(text: &str, e: &Entity) -> Value {
    let span = rasid_text::char_range(text, e.src.clone());
    let mut v = json!({
        "kind": e.kind.as_str(),
        "id": e.id,
        "name": e.name,
        "text": e.text,
        "span": [span.start, span.end],
    });
    let m = v.as_object_mut().expect("object");
    if let Some(t) = e.technique {
        m.insert("technique".into(), json!(t.as_str()));
    }
    if let Some(p) = &e.place {
        m.insert("feature".into(), json!(p.feature.as_str()));
        m.insert("country".into(), json!(p.country));
        m.insert("admin1".into(), json!(p.admin1));
        if !p.admin2.is_empty() {
            m.insert("admin2".into(), json!(p.admin2));
        }
        if !p.lat.is_nan() {
            m.insert("lat".into(), json!(p.lat));
            m.insert("lon".into(), json!(p.lon));
        }
        m.insert("geo_precision".into(), json!(p.geo_precision));
        if let Some(r) = &p.phrase {
            let ps = rasid_text::char_range(text, r.clone());
            m.insert(
                "phrase".into(),
                json!({"text": &text[r.clone()], "span": [ps.start, ps.end]}),
            );
        }
        m.insert("score".into(), json!((p.score * 100.0).round() / 100.0));
    }
    if let Some(val) = &e.value {
        m.insert("value".into(), json!(val));
    }
    v
}

pub fn run(a: Args) -> Result<ExitCode> {
    let lex = crate::cmd::lexicon::load(a.lexicon.as_deref())?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (sources, errors) = input::sources(&a.files);
    let mut failed = !errors.is_empty();
    for e in &errors {
        eprintln!("rasid: {e}");
    }
    let keep = |e: &Entity| {
        a.kinds.is_empty()
            || a.kinds.iter().any(|k| {
                matches!(
                    (k, e.kind),
                    (KindArg::Actor, EntityKind::Actor)
                        | (KindArg::Place, EntityKind::Place)
                        | (KindArg::Trigger, EntityKind::Trigger)
                        | (KindArg::Cue, EntityKind::Cue)
                )
            })
    };
    for src in &sources {
        let name = src.name();
        let Some(reader) = input::open_or_report(src) else {
            failed = true;
            continue;
        };
        let mut doc = String::new();
        let emit = |out: &mut dyn Write, line: Option<u64>, text: &str| -> io::Result<()> {
            let ents: Vec<Entity> = lex.find(text).into_iter().filter(|e| keep(e)).collect();
            match a.format {
                Format::Jsonl => {
                    let list: Vec<Value> = ents.iter().map(|e| entity_json(text, e)).collect();
                    let v = match line {
                        Some(n) => json!({"path": name, "line": n, "entities": list}),
                        None => json!({"path": name, "entities": list}),
                    };
                    writeln!(out, "{v}")
                }
                Format::Table => table(out, &lex, &name, line, text, &ents),
            }
        };
        let r = input::for_each_line(
            reader,
            a.lossy,
            |n, line, _| {
                if a.lines {
                    emit(&mut out, Some(n), line)?;
                } else {
                    doc.push_str(line);
                    doc.push('\n');
                }
                Ok(true)
            },
            |b| {
                failed = true;
                eprintln!("rasid: {name}: line {}: invalid UTF-8 at byte offset {}; line skipped (use --lossy to decode it)", b.line, b.offset);
            },
        );
        if let Err(e) = r {
            eprintln!("rasid: {name}: {e}");
            failed = true;
            continue;
        }
        if !a.lines {
            emit(&mut out, None, &doc)?;
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn table(
    out: &mut dyn Write,
    lex: &Lexicon,
    name: &str,
    line: Option<u64>,
    text: &str,
    ents: &[Entity],
) -> io::Result<()> {
    match line {
        Some(n) => writeln!(out, "== {name}:{n}")?,
        None => writeln!(out, "== {name}")?,
    }
    for e in ents {
        let span = rasid_text::char_range(text, e.src.clone());
        let mut extra = String::new();
        if let Some(p) = &e.place {
            extra = format!(
                "{} {} {} p{}",
                p.feature.as_str(),
                p.country,
                p.admin1,
                p.geo_precision
            );
            if let Some(r) = &p.phrase {
                extra.push_str(&format!(" «{}»", &text[r.clone()]));
            }
        } else if e.kind == EntityKind::Actor {
            let root = lex.root_actor(&e.id);
            if root != e.id {
                extra = format!("→ {root}");
            }
        } else if let Some(v) = &e.value {
            extra = v.clone();
        }
        if let Some(t) = e.technique {
            extra.push_str(&format!(" [{}]", t.as_str()));
        }
        writeln!(
            out,
            "{:>5}-{:<5} {:<8} {:<34} {:<22} {}",
            span.start,
            span.end,
            e.kind.as_str(),
            e.id,
            e.text,
            extra.trim()
        )?;
    }
    Ok(())
}
