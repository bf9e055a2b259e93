//! `rasid grep`: find a word in its obfuscated spellings.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use rasid_text::{char_range, Matcher, MatcherConfig};

use crate::input;

/// Search for PATTERN in its obfuscated forms (تنـ.ـظيم, دا🔥عش, ه ج و م, دا3ش…) and print
/// the original lines with the matches highlighted. Exit 0 on a match, 1 on none, 2 on
/// error.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The word or phrase to find (normalized the same way as the text).
    pattern: String,
    /// Files or directories to search (`-` for stdin; stdin when none).
    files: Vec<PathBuf>,
    /// One JSON object per match: path, line, start, end (code points in the original
    /// line), text, technique.
    #[arg(long)]
    json: bool,
    /// Print only the number of matching lines per input.
    #[arg(short = 'c', long)]
    count: bool,
    /// Fold the case of Latin letters too.
    #[arg(short = 'i', long)]
    ignore_case: bool,
    /// Prefix lines with their line number.
    #[arg(short = 'n', long)]
    line_number: bool,
    /// Only the spellings the match view sees; no candidate repairs (Arabizi, rasm…).
    #[arg(long)]
    no_candidates: bool,
    /// When to colour matches.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Decode invalid UTF-8 lossily instead of reporting and skipping the line.
    #[arg(long)]
    lossy: bool,
}

/// The `--color` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(serde::Serialize)]
struct JsonHit<'a> {
    path: &'a str,
    line: u64,
    start: usize,
    end: usize,
    text: &'a str,
    technique: String,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let matcher = Matcher::new(
        &a.pattern,
        MatcherConfig {
            case_insensitive: a.ignore_case,
            candidates: !a.no_candidates,
        },
    )?;
    let stdout = io::stdout();
    let colour = match a.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (sources, errors) = input::sources(&a.files);
    let mut failed = !errors.is_empty();
    for e in &errors {
        eprintln!("rasid: {e}");
    }
    let show_path = sources.len() > 1;
    let mut any = false;
    for src in &sources {
        let name = src.name();
        let Some(reader) = input::open_or_report(src) else {
            failed = true;
            continue;
        };
        let mut count = 0u64;
        let r = input::for_each_line(
            reader,
            a.lossy,
            |n, line, _| {
                let hits = matcher.find_all(line);
                if hits.is_empty() {
                    return Ok(true);
                }
                count += 1;
                if a.count {
                    return Ok(true);
                }
                if a.json {
                    for h in &hits {
                        let cr = char_range(line, h.src.clone());
                        let j = JsonHit {
                            path: &name,
                            line: n,
                            start: cr.start,
                            end: cr.end,
                            text: &line[h.src.clone()],
                            technique: h.kind.label(),
                        };
                        serde_json::to_writer(&mut out, &j).map_err(io::Error::other)?;
                        out.write_all(b"\n")?;
                    }
                    return Ok(true);
                }
                if show_path {
                    write!(out, "{name}:")?;
                }
                if a.line_number {
                    write!(out, "{n}:")?;
                }
                let mut at = 0;
                for h in &hits {
                    out.write_all(&line.as_bytes()[at..h.src.start])?;
                    if colour {
                        write!(out, "\x1b[1;31m{}\x1b[0m", &line[h.src.clone()])?;
                    } else {
                        out.write_all(line[h.src.clone()].as_bytes())?;
                    }
                    at = h.src.end;
                }
                out.write_all(&line.as_bytes()[at..])?;
                out.write_all(b"\n")?;
                Ok(true)
            },
            |b| {
                failed = true;
                eprintln!(
                    "rasid: {name}: line {}: invalid UTF-8 at byte offset {}; line skipped (use --lossy to decode it)",
                    b.line, b.offset
                );
            },
        );
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("rasid: {name}: {e}");
                failed = true;
            }
            Ok(()) => {}
        }
        if a.count {
            if show_path {
                write!(out, "{name}:")?;
            }
            writeln!(out, "{count}")?;
        }
        any |= count > 0;
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        r => r?,
    }
    Ok(if failed {
        ExitCode::from(2)
    } else if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
