//! Extraction scored against corpora labelled more coarsely than the gold events:
//! `rasid eval-sentences` (sentences labelled with an event family and the source and target
//! words, as UniversalPetrarch's Arabic GSR sets) and `rasid eval-admin1` (articles labelled
//! with the governorate of their main event, as FA-KES).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use rasid_extract::{article, Event, Extractor};
use serde_json::Value;

use crate::cmd::eval::{norm_admin, read_maybe_gz, Tally};

/// Score event families and actor spans on labelled sentences (JSONL, optionally gzipped:
/// `id`, `text`, `date`, `category` ASSAULT|PROTEST, and `events[].source_text` /
/// `target_text`). ASSAULT is right when an event is a battle, an explosion or violence
/// against civilians, PROTEST when it is a protest or a riot.
#[derive(clap::Args, Debug)]
pub struct SentencesArgs {
    /// The labelled sentences.
    file: PathBuf,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print the sentences whose family is missed or wrong.
    #[arg(long)]
    diff: bool,
}

/// Score the place of each article's main event (its first incident) against a governorate label (JSONL, optionally gzipped: `id`, `text`, `date`,
/// and the label field).
#[derive(clap::Args, Debug)]
pub struct Admin1Args {
    /// The labelled articles.
    file: PathBuf,
    /// The field holding the label.
    #[arg(long, default_value = "fakes_location")]
    label: String,
    /// A further governorate a label accepts, as `LABEL=ADMIN1`, for label sets coarser than
    /// the gazetteer (FA-KES has no Rural Damascus: `--alias "damascus=Rural Damascus"`).
    #[arg(long = "alias", value_name = "LABEL=ADMIN1")]
    aliases: Vec<String>,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print the articles whose main event is elsewhere or missing.
    #[arg(long)]
    diff: bool,
}

/// The records of a labelled file, with their articles.
fn records(path: &std::path::Path) -> Result<Vec<(Value, rasid_extract::Article)>> {
    let name = path.display().to_string();
    let text = read_maybe_gz(path)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let v: Value = serde_json::from_str(line).with_context(|| at.clone())?;
        let art = article::from_jsonl_line(&at, line, None).with_context(|| at.clone())?;
        out.push((v, art));
    }
    Ok(out)
}

/// The event family a label names.
fn family_ok(category: &str, e: &Event) -> bool {
    match category {
        "ASSAULT" => matches!(
            e.event_type,
            "Battles" | "Explosions/Remote violence" | "Violence against civilians"
        ),
        "PROTEST" => matches!(e.event_type, "Protests" | "Riots"),
        _ => false,
    }
}

/// The code-point span of `needle` in `hay`, if it occurs.
fn char_span_of(hay: &str, needle: &str) -> Option<[usize; 2]> {
    let b = hay.find(needle)?;
    let s = hay[..b].chars().count();
    Some([s, s + needle.chars().count()])
}

fn overlaps(a: [usize; 2], b: [usize; 2]) -> bool {
    a[0] < b[1] && b[0] < a[1]
}

fn extract_all(extractor: &Extractor, recs: &[(Value, rasid_extract::Article)]) -> Vec<Vec<Event>> {
    use rayon::prelude::*;
    recs.par_iter()
        .map(|(_, art)| extractor.extract(art).events)
        .collect()
}

pub fn sentences(a: SentencesArgs) -> Result<ExitCode> {
    let extractor = crate::cmd::extract::extractor(a.lexicon.as_deref(), 0.0)?;
    let recs = records(&a.file)?;
    let found = extract_all(&extractor, &recs);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut family = std::collections::BTreeMap::<String, Tally>::new();
    let (mut none, mut wrong) = (0usize, 0usize);
    let (mut source, mut target) = (Tally::default(), Tally::default());
    for ((v, art), events) in recs.iter().zip(&found) {
        let category = v["category"].as_str().unwrap_or("");
        let incidents: Vec<&Event> = events.iter().filter(|e| e.kind == "event").collect();
        let ok = incidents.iter().any(|e| family_ok(category, e));
        family.entry(category.to_string()).or_default().add(ok);
        if !ok {
            if incidents.is_empty() {
                none += 1;
            } else {
                wrong += 1;
            }
            if a.diff {
                let got: Vec<String> = incidents
                    .iter()
                    .map(|e| format!("{}/{}", e.event_type, e.sub_event_type))
                    .collect();
                writeln!(out, "-- {} {category}: got [{}]", art.id, got.join(", "))?;
                writeln!(out, "   {}", art.text)?;
            }
        }
        // Actor spans: the labelled words against the actors of the right-family events.
        let right: Vec<&&Event> = incidents
            .iter()
            .filter(|e| family_ok(category, e))
            .collect();
        for ev in v["events"].as_array().into_iter().flatten() {
            for (field, tally, first) in [
                ("source_text", &mut source, true),
                ("target_text", &mut target, false),
            ] {
                let Some(span) = ev[field].as_str().and_then(|s| char_span_of(&art.text, s)) else {
                    continue;
                };
                let hit = right.iter().any(|e| {
                    let actor = if first { &e.actor1 } else { &e.actor2 };
                    actor.as_ref().is_some_and(|x| overlaps(x.span, span))
                });
                tally.add(hit);
            }
        }
    }
    let mut all = Tally::default();
    for t in family.values() {
        all.ok += t.ok;
        all.n += t.n;
    }
    writeln!(out, "type family accuracy: {}", all.show())?;
    for (k, t) in &family {
        writeln!(out, "  {k}: {}", t.show())?;
    }
    writeln!(
        out,
        "  misses: {none} without any incident, {wrong} with another family"
    )?;
    writeln!(
        out,
        "actor spans overlapped (right-family events): source by actor1 {}, target by actor2 {}",
        source.show(),
        target.show()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The main event of an article: its first incident (news puts it in the lede); an
/// aggregate only when there is no incident.
fn main_event(events: &[Event]) -> Option<&Event> {
    events
        .iter()
        .find(|e| e.kind == "event")
        .or_else(|| events.iter().find(|e| e.kind == "aggregate"))
}

pub fn admin1(a: Admin1Args) -> Result<ExitCode> {
    let mut aliases: Vec<(String, String)> = Vec::new();
    for x in &a.aliases {
        let (l, r) = x
            .split_once('=')
            .with_context(|| format!("--alias {x:?}: expected LABEL=ADMIN1"))?;
        aliases.push((norm_admin(l), norm_admin(r)));
    }
    let extractor = crate::cmd::extract::extractor(a.lexicon.as_deref(), 0.0)?;
    let recs = records(&a.file)?;
    let found = extract_all(&extractor, &recs);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut all = Tally::default();
    let mut per = std::collections::BTreeMap::<String, Tally>::new();
    let (mut none, mut unplaced) = (0usize, 0usize);
    for ((v, art), events) in recs.iter().zip(&found) {
        let label = v[&a.label].as_str().unwrap_or("").to_string();
        let main = main_event(events);
        let admin1 = main.and_then(|e| e.location.as_ref()?.admin1.clone());
        let ok = admin1.as_deref().is_some_and(|x| {
            let (x, l) = (norm_admin(x), norm_admin(&label));
            x == l || aliases.iter().any(|(al, ar)| *al == l && *ar == x)
        });
        all.add(ok);
        per.entry(label.clone()).or_default().add(ok);
        match (main, &admin1) {
            (None, _) => none += 1,
            (Some(_), None) => unplaced += 1,
            _ => {}
        }
        if a.diff && !ok {
            let title = art.title.as_deref().unwrap_or("");
            writeln!(
                out,
                "-- {} {label}: got {} ({})",
                art.id,
                admin1.as_deref().unwrap_or("-"),
                main.map_or("no event".to_string(), |e| format!(
                    "{} at {:?}",
                    e.sub_event_type,
                    e.location.as_ref().map(|l| l.text.as_str())
                ))
            )?;
            writeln!(out, "   {title}")?;
        }
    }
    writeln!(out, "main event admin1 = label: {}", all.show())?;
    for (k, t) in &per {
        writeln!(out, "  {k}: {}", t.show())?;
    }
    writeln!(
        out,
        "  misses: {none} articles without an event, {unplaced} with a main event without admin1"
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_code_points() {
        assert_eq!(char_span_of("قال إن داعش هاجم", "داعش"), Some([7, 11]));
        assert_eq!(char_span_of("abc", "x"), None);
        assert!(overlaps([0, 4], [3, 5]));
        assert!(!overlaps([0, 3], [3, 5]));
    }
}
