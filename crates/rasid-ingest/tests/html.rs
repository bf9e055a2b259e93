//! HTML pages (`tests/data/html/*.html`, written by hand in the layouts of Arabic and wire
//! news sites) against what a reader must get from them (`*.expected.json`): title, date,
//! URL, site, language, the sentences that must be kept (in order) and those that must not.

use std::path::PathBuf;

use rasid_ingest::{clean_html, CleanConfig, Page};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/html")
}

/// What differs between a page and its expectations (empty: it matches).
fn check(page: &Page, want: &Value) -> Vec<String> {
    let mut d = Vec::new();
    for (field, got) in [
        ("title", &page.title),
        ("published", &page.published),
        ("url", &page.url),
        ("site", &page.site),
        ("lang", &page.lang),
    ] {
        if let Some(w) = want.get(field) {
            if w.as_str() != got.as_deref() {
                d.push(format!("{field}: expected {w}, got {got:?}"));
            }
        }
    }
    for s in want["include"].as_array().into_iter().flatten() {
        let s = s.as_str().unwrap();
        if !page.text.contains(s) {
            d.push(format!("missing: {s}"));
        }
    }
    for s in want["exclude"].as_array().into_iter().flatten() {
        let s = s.as_str().unwrap();
        if page.text.contains(s) {
            d.push(format!("kept boilerplate: {s}"));
        }
    }
    let positions: Vec<Option<usize>> = want["order"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| page.text.find(s.as_str().unwrap()))
        .collect();
    if positions
        .windows(2)
        .any(|w| matches!(w, [Some(a), Some(b)] if a > b))
    {
        d.push(format!("blocks out of order: {positions:?}"));
    }
    d
}

#[test]
fn pages() {
    let mut failures = Vec::new();
    let mut n = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    entries.sort();
    for p in entries {
        n += 1;
        let bytes = std::fs::read(&p).unwrap();
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(p.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let (page, _) = clean_html(&bytes, None, &CleanConfig::default());
        let d = check(&page, &want);
        if !d.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n  text: {}",
                p.display(),
                d.join("\n  "),
                page.text
            ));
        }
    }
    assert!(n >= 3, "fixtures found: {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hostile_input_gives_a_page_not_a_panic() {
    for bytes in [
        &b""[..],
        b"\x00\x01\x02\xff\xfe binary",
        b"<<<<>>>></p></div></body>",
        b"<html><body><p>unterminated <a href='",
        "<p>تنـ.ـظيم</p>".as_bytes(),
    ] {
        let (page, _) = clean_html(bytes, None, &CleanConfig::default());
        assert!(page.text.len() <= bytes.len() * 4);
    }
    let deep = "<div>".repeat(5000) + "<p>deep text that is long enough to count as prose.</p>";
    let (page, _) = clean_html(deep.as_bytes(), None, &CleanConfig::default());
    assert!(page.text.contains("deep text"), "{}", page.text);
}
