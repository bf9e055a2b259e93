//! `rasid clean`: what the pipeline reads from an HTML page.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use rasid_ingest::{clean_html, CleanConfig};
use serde_json::json;

/// Print the article an HTML page carries: title, date, URL, language and main text,
/// without menus, share bars, related links, comments and footers.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The charset to assume when the page declares none (as an HTTP header would).
    #[arg(long)]
    charset: Option<String>,
    /// HTML files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for f in &a.files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("rasid: {}: {e}", f.display());
                failed = true;
                continue;
            }
        };
        let (page, diags) = clean_html(&bytes, a.charset.as_deref(), &CleanConfig::default());
        for d in &diags {
            eprintln!("rasid: {}: {d}", f.display());
        }
        match a.format {
            Format::Json => writeln!(
                out,
                "{}",
                json!({"file": f.display().to_string(), "title": page.title, "published": page.published,
                       "url": page.url, "site": page.site, "lang": page.lang, "text": page.text})
            )?,
            Format::Text => {
                writeln!(out, "== {}", f.display())?;
                if let Some(t) = &page.title {
                    writeln!(out, "{t}")?;
                }
                writeln!(
                    out,
                    "[{} | {} | {}]",
                    page.published.as_deref().unwrap_or("no date"),
                    page.url.as_deref().unwrap_or("no URL"),
                    page.lang.as_deref().unwrap_or("-")
                )?;
                writeln!(out, "{}\n", page.text)?;
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
