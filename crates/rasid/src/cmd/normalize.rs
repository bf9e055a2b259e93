//! `rasid normalize`: print the display or match view of each line.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use rasid_text::{Config, Level, Normalizer};

use crate::input;

/// Normalize Arabic text line by line: repair evasion spellings (display level) or also
/// fold for matching (match level). Reads stdin when no file is given.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// display: safe repairs only; match: also fold diacritics, alef, ى, ة, digits, case.
    #[arg(long, value_enum, default_value_t = LevelArg::Display)]
    level: LevelArg,
    /// Decode invalid UTF-8 lossily (U+FFFD) instead of reporting and skipping the line.
    #[arg(long)]
    lossy: bool,
    /// Files or directories to read (`-` for stdin).
    files: Vec<PathBuf>,
}

/// The `--level` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelArg {
    Display,
    Match,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let level = match a.level {
        LevelArg::Display => Level::Display,
        LevelArg::Match => Level::Match,
    };
    let n = Normalizer::new(Config {
        level,
        fold_case: true,
        record_repairs: false,
    });
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (sources, mut errors) = input::sources(&a.files);
    for e in &errors {
        eprintln!("rasid: {e}");
    }
    for src in &sources {
        let name = src.name();
        let Some(reader) = input::open_or_report(src) else {
            errors.push(name);
            continue;
        };
        let mut bad = 0;
        let mut view = rasid_text::View::default();
        let r = input::for_each_line(
            reader,
            a.lossy,
            |_, line, newline| {
                n.normalize_into(line, &mut view);
                out.write_all(view.as_str().as_bytes())?;
                if newline {
                    out.write_all(b"\n")?;
                }
                Ok(true)
            },
            |b| {
                bad += 1;
                eprintln!(
                    "rasid: {name}: line {}: invalid UTF-8 at byte offset {}; line skipped (use --lossy to decode it)",
                    b.line, b.offset
                );
            },
        );
        if let Err(e) = r {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("rasid: {name}: {e}");
            errors.push(name.clone());
        }
        if bad > 0 {
            errors.push(name);
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        r => r?,
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
