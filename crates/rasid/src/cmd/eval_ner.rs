//! `rasid eval-ner FILE.conll`: place and organisation recognition scored on a CoNLL file.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use rasid_lexicon::EntityKind;

/// Score place (LOC) and organisation (ORG) recognition on a CoNLL file (token TAB
/// B-/I- tag per line, blank line between sentences): entity-level precision, recall and
/// F1 with exact token spans. A third column of tags joined by `|` (Wojood's nested
/// layers) is read layer by layer: a place inside an organisation's name is a place.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The CoNLL file.
    file: PathBuf,
    /// User lexicon directory (also $RASID_LEXICON).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Print up to N missed and N spurious entities per type.
    #[arg(long, default_value_t = 0)]
    show: usize,
}

#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    /// Lenient counts: predictions (and gold entities) overlapping one of the other side.
    overlap_tp_pred: usize,
    overlap_tp_gold: usize,
    missed: Vec<String>,
    spurious: Vec<String>,
}

impl Score {
    fn line(&self, name: &str) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        let lp = self.overlap_tp_pred as f64 / (self.tp + self.fp).max(1) as f64;
        let lr = self.overlap_tp_gold as f64 / (self.tp + self.fn_).max(1) as f64;
        format!(
            "{name}: precision {p:.3} recall {r:.3} F1 {f:.3} (tp {}, fp {}, fn {}); overlapping spans: precision {lp:.3} recall {lr:.3}",
            self.tp, self.fp, self.fn_
        )
    }
}

/// Entity spans (first token, last token + 1, type) from B-/I- tags.
fn gold_spans(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (bio, ty) = t.split_once('-').map_or((t.as_str(), ""), |(a, b)| (a, b));
        // PERS is PER; Wojood's GPE (countries, cities) is what the others call LOC.
        let ty = match ty {
            "PERS" => "PER",
            "GPE" => "LOC",
            t => t,
        };
        match bio {
            "B" => {
                if let Some((s, ty0)) = cur.take() {
                    out.push((s, i, ty0));
                }
                cur = Some((i, ty.to_string()));
            }
            "I" if cur.as_ref().is_some_and(|c| c.1 == ty) => {}
            "I" => {
                if let Some((s, ty0)) = cur.take() {
                    out.push((s, i, ty0));
                }
                cur = Some((i, ty.to_string()));
            }
            _ => {
                if let Some((s, ty0)) = cur.take() {
                    out.push((s, i, ty0));
                }
            }
        }
    }
    if let Some((s, ty0)) = cur {
        out.push((s, tags.len(), ty0));
    }
    out
}

pub fn run(a: Args) -> Result<ExitCode> {
    let lex = crate::cmd::lexicon::load(a.lexicon.as_deref())?;
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let mut loc = Score::default();
    let mut org = Score::default();
    let mut sentences = 0;
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut flush = |tokens: &mut Vec<String>, tags: &mut Vec<String>| {
        if tokens.is_empty() {
            return;
        }
        sentences += 1;
        // The sentence as text, with each token's byte range.
        let mut s = String::new();
        let mut ranges = Vec::new();
        for t in tokens.iter() {
            if !s.is_empty() {
                s.push(' ');
            }
            ranges.push(s.len()..s.len() + t.len());
            s.push_str(t);
        }
        // Each token's tags, one per nesting layer (Wojood: "I-ORG|B-GPE", a place inside an
        // organisation's name); the spans of every layer are gold.
        let layers = tags.iter().map(|t| t.split('|').count()).max().unwrap_or(1);
        let gold: HashSet<(usize, usize, String)> = (0..layers)
            .flat_map(|l| {
                let layer: Vec<String> = tags
                    .iter()
                    .map(|t| t.split('|').nth(l).unwrap_or("O").to_string())
                    .collect();
                gold_spans(&layer)
            })
            .filter(|g| g.2 == "LOC" || g.2 == "ORG")
            .collect();
        let mut pred: HashSet<(usize, usize, String)> = HashSet::new();
        for e in lex.find(&s) {
            let ty = match e.kind {
                EntityKind::Place => "LOC",
                EntityKind::Actor => "ORG",
                _ => continue,
            };
            // Civilians, protesters, unknown gunmen are not organisations.
            if ty == "ORG"
                && matches!(
                    e.id.as_str(),
                    "civilians" | "protesters" | "rioters" | "unidentified"
                )
            {
                continue;
            }
            let first = ranges.iter().position(|r| r.end > e.src.start);
            let last = ranges.iter().rposition(|r| r.start < e.src.end);
            if let (Some(f), Some(l)) = (first, last) {
                pred.insert((f, l + 1, ty.to_string()));
            }
        }
        for (ty, score) in [("LOC", &mut loc), ("ORG", &mut org)] {
            let overlap = |a: &(usize, usize, String), b: &(usize, usize, String)| {
                a.2 == b.2 && a.0 < b.1 && b.0 < a.1
            };
            score.overlap_tp_gold += gold
                .iter()
                .filter(|g| g.2 == ty && pred.iter().any(|p| overlap(g, p)))
                .count();
            score.overlap_tp_pred += pred
                .iter()
                .filter(|p| p.2 == ty && gold.iter().any(|g| overlap(g, p)))
                .count();
            for g in gold.iter().filter(|g| g.2 == ty) {
                if pred.contains(g) {
                    score.tp += 1;
                } else {
                    score.fn_ += 1;
                    score.missed.push(tokens[g.0..g.1].join(" "));
                }
            }
            for p in pred.iter().filter(|p| p.2 == ty) {
                if !gold.contains(p) {
                    score.fp += 1;
                    score.spurious.push(tokens[p.0..p.1].join(" "));
                }
            }
        }
        tokens.clear();
        tags.clear();
    };
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if line.trim().is_empty() || cols.len() < 2 {
            flush(&mut tokens, &mut tags);
            continue;
        }
        tokens.push(cols[0].to_string());
        // A third column of tags joined by | holds every nesting layer, the outermost
        // first; otherwise the second column is the tag.
        let nested = cols.get(2).filter(|c| c.contains('|'));
        tags.push(nested.map_or(cols[1], |c| *c).to_string());
    }
    flush(&mut tokens, &mut tags);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}: {sentences} sentences", a.file.display())?;
    writeln!(out, "{}", loc.line("LOC"))?;
    writeln!(out, "{}", org.line("ORG"))?;
    if a.show > 0 {
        for (name, s) in [("LOC", &loc), ("ORG", &org)] {
            let top = |v: &[String]| {
                let mut counts: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                for x in v {
                    *counts.entry(x.as_str()).or_default() += 1;
                }
                let mut c: Vec<(&str, usize)> = counts.into_iter().collect();
                c.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                c.into_iter()
                    .take(a.show)
                    .map(|(k, n)| format!("{k} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(out, "{name} missed: {}", top(&s.missed))?;
            writeln!(out, "{name} spurious: {}", top(&s.spurious))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
