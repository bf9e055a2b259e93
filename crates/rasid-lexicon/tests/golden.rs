//! Golden entity tests: hand-written sentences per country under `tests/data/entities/`
//! with the actors and places an analyst would code. Each expected entity must be found
//! (same kind, overlapping span, the right actor — its top-level parent counts — or the
//! right country/admin1/feature for a place); every difference is reported with its file
//! and line.

use std::path::PathBuf;
use std::sync::OnceLock;

use rasid_lexicon::{Entity, EntityKind, Lexicon};
use serde_json::Value;

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| Lexicon::bundled().expect("bundled lexicon"))
}

fn norm(s: &str) -> String {
    rasid_text::match_view(s)
        .into_string()
        .replace(['«', '»', '"', '“', '”'], "")
        .trim()
        .to_string()
}

/// Whether a found entity satisfies an expected one.
fn satisfies(lex: &Lexicon, text: &str, want: &Value, got: &Entity) -> bool {
    let kind = want["kind"].as_str().unwrap_or("");
    let want_text = want["text"].as_str().unwrap_or("");
    let Some(at) = text.find(want_text) else {
        return false;
    };
    let want_span = at..at + want_text.len();
    if !(got.src.start < want_span.end && want_span.start < got.src.end) {
        return false;
    }
    // The found text covers the expected name (clitics and descriptors aside).
    if !norm(&got.text).contains(&norm(want_text)) && !norm(want_text).contains(&norm(&got.text)) {
        return false;
    }
    match kind {
        "actor" => {
            got.kind == EntityKind::Actor && {
                let id = want["id"].as_str().unwrap_or("");
                got.id == id
                    || lex.root_actor(&got.id) == id
                    || lex.root_actor(id) == lex.root_actor(&got.id)
            }
        }
        "place" => {
            let Some(p) = &got.place else { return false };
            got.kind == EntityKind::Place
                && want["country"].as_str().is_none_or(|c| c == p.country)
                && want["admin1"].as_str().is_none_or(|a| a == p.admin1)
                && want["feature"].as_str().is_none_or(|f| {
                    f == p.feature.as_str()
                        || (f == "town" && p.feature.as_str() == "city")
                        || (f == "city" && p.feature.as_str() == "town")
                })
        }
        _ => false,
    }
}

struct Report {
    expected: usize,
    found: usize,
    failures: Vec<String>,
}

fn run(file: &str) -> Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/entities")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lex = lexicon();
    let mut r = Report {
        expected: 0,
        found: 0,
        failures: Vec::new(),
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", n + 1));
        let sentence = case["text"].as_str().unwrap_or("");
        let got: Vec<Entity> = lex
            .find(sentence)
            .into_iter()
            .filter(|e| matches!(e.kind, EntityKind::Actor | EntityKind::Place))
            .collect();
        for want in case["entities"].as_array().into_iter().flatten() {
            r.expected += 1;
            if got.iter().any(|g| satisfies(lex, sentence, want, g)) {
                r.found += 1;
            } else {
                let near: Vec<String> = got
                    .iter()
                    .map(|g| {
                        let p = g
                            .place
                            .as_ref()
                            .map(|p| format!(" {} {} {}", p.feature.as_str(), p.country, p.admin1))
                            .unwrap_or_default();
                        format!("{}:{}{} «{}»", g.kind.as_str(), g.id, p, g.text)
                    })
                    .collect();
                r.failures.push(format!(
                    "{file}:{} {}: missing {}\n      found: {}",
                    n + 1,
                    case["id"].as_str().unwrap_or(""),
                    want,
                    near.join(", ")
                ));
            }
        }
    }
    r
}

/// Every country file, each expected entity found. The bar is stated per file so that a
/// regression anywhere names itself.
#[test]
fn golden_entities() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for file in [
        "syria.jsonl",
        "iraq.jsonl",
        "yemen.jsonl",
        "lebanon.jsonl",
        "palestine.jsonl",
        "libya.jsonl",
        "egypt.jsonl",
        "afghanistan.jsonl",
    ] {
        let r = run(file);
        summary.push(format!("{file}: {}/{}", r.found, r.expected));
        failures.extend(r.failures);
    }
    assert!(
        failures.is_empty(),
        "{}\n{} missing:\n{}",
        summary.join(", "),
        failures.len(),
        failures.join("\n")
    );
}
