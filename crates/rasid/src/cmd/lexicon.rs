//! `rasid lexicon check DIR`, and loading the lexicon with user extensions.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rasid_lexicon::{Lexicon, LexiconBuilder};

/// Lexicon tools.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Validate user lexicon files (TOML `[[actor]]` / `[[place]]` tables) in a directory:
    /// duplicate ids, unknown parents, bad coordinates, empty aliases, shadowed aliases.
    Check {
        /// Directory (or a single .toml file) to check.
        dir: PathBuf,
    },
    /// Print counts of the lexicon as loaded (bundled data plus user files).
    Stats {
        /// User lexicon directory (also $RASID_LEXICON).
        #[arg(long)]
        lexicon: Option<PathBuf>,
    },
}

/// The `.toml` files of a directory (or the file itself), sorted.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    Ok(v)
}

/// The bundled lexicon plus the user's files from `--lexicon DIR` or `$RASID_LEXICON`.
pub fn load(dir: Option<&Path>) -> Result<Lexicon> {
    let mut b = LexiconBuilder::bundled()?;
    let env = std::env::var_os("RASID_LEXICON").map(PathBuf::from);
    for d in dir.map(Path::to_path_buf).into_iter().chain(env) {
        for f in toml_files(&d)? {
            let text =
                std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
            b = b.toml(&f.display().to_string(), &text)?;
        }
    }
    Ok(b.build()?)
}

pub fn run(c: Command) -> Result<ExitCode> {
    match c {
        Command::Check { dir } => {
            let bundled = LexiconBuilder::bundled()?;
            let known: Vec<String> = bundled.actors().iter().map(|a| a.id.clone()).collect();
            let mut b = LexiconBuilder::new();
            let mut parse_errors = 0;
            for f in toml_files(&dir)? {
                let text = std::fs::read_to_string(&f)
                    .with_context(|| format!("reading {}", f.display()))?;
                match b.clone().toml(&f.display().to_string(), &text) {
                    Ok(nb) => b = nb,
                    Err(e) => {
                        println!("error: {e}");
                        parse_errors += 1;
                    }
                }
            }
            let problems = rasid_lexicon::check(b.actors(), b.places(), &known);
            for p in &problems {
                println!(
                    "{}: {}: {}",
                    if p.error { "error" } else { "warning" },
                    p.origin,
                    p.message
                );
            }
            let errors = parse_errors + problems.iter().filter(|p| p.error).count();
            println!(
                "{} actors, {} places checked: {} errors, {} warnings",
                b.actors().len(),
                b.places().len(),
                errors,
                problems.len() + parse_errors - errors
            );
            Ok(if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Stats { lexicon } => {
            let t = std::time::Instant::now();
            let lex = load(lexicon.as_deref())?;
            let counts = lex.alias_counts();
            println!("loaded in {:.3} s", t.elapsed().as_secs_f64());
            println!(
                "actors: {} ({} aliases)",
                lex.actors().len(),
                counts["actor"]
            );
            println!("places: {} ({} names)", lex.places().len(), counts["place"]);
            println!("triggers: {}", lex.triggers().len());
            println!("cues: {}", lex.cues().len());
            println!("contextual aliases: {}", lex.contextual().len());
            println!(
                "match keys: {} (trie {} KB)",
                lex.key_count(),
                lex.trie_bytes() / 1024
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
