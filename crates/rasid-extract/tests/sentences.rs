//! One-sentence reports against the event expected of each
//! (`tests/data/extract/sentences.tsv`, written by hand): type, roles, date, fatalities.

use std::path::PathBuf;
use std::sync::Arc;

use rasid_extract::{article, Event, Extractor, ExtractorConfig};
use rasid_lexicon::Lexicon;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What differs between a table row and the event extracted for it (empty: it matches).
fn check(cols: &[&str], got: Option<&Event>) -> Vec<String> {
    let want = |i: usize| (cols[i] != "-").then_some(cols[i]);
    let Some(e) = got else {
        return match want(2) {
            Some(_) => vec!["no event extracted".into()],
            None => vec![],
        };
    };
    let mut d = Vec::new();
    let mut field = |name: &str, expected: Option<&str>, found: Option<String>| {
        if expected.map(str::to_string) != found {
            d.push(format!(
                "{name}: expected {}, got {}",
                expected.unwrap_or("-"),
                found.as_deref().unwrap_or("-")
            ));
        }
    };
    field(
        "sub_event_type",
        want(2),
        Some(e.sub_event_type.to_string()),
    );
    field("actor1", want(3), e.actor1.as_ref().map(|a| a.id.clone()));
    field("actor2", want(4), e.actor2.as_ref().map(|a| a.id.clone()));
    // "start" alone, or "start..end" where the period matters.
    let date = match want(5) {
        Some(w) if w.contains("..") => format!("{}..{}", e.date.start, e.date.end),
        _ => e.date.start.clone(),
    };
    field("date", want(5), Some(date));
    field("fatalities", want(6), e.fatalities.map(|f| f.to_string()));
    d
}

#[test]
fn sentences_table() {
    let lex = Arc::new(Lexicon::bundled().unwrap());
    let x = Extractor::new(lex, ExtractorConfig::default());
    let path = root().join("tests/data/extract/sentences.tsv");
    let table = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut rows = 0;
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 7, "sentences.tsv:{}: 7 columns expected", n + 1);
        rows += 1;
        let mut a = article::from_txt("row", cols[1], None);
        a.published = Some(cols[0].parse().unwrap());
        let out = x.extract(&a);
        // The event of the row's sub-event type (a claim sentence has the incident and the
        // claim), else the first.
        let incidents = || out.events.iter().filter(|e| e.kind == "event");
        let first = incidents()
            .find(|e| e.sub_event_type == cols[2])
            .or_else(|| incidents().next());
        let d = check(&cols, first);
        if !d.is_empty() {
            failures.push(format!(
                "sentences.tsv:{}: {}\n    {}",
                n + 1,
                cols[1],
                d.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {rows} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
