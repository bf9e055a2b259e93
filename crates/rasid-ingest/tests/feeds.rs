//! The feed reader on the fixture feeds and on inputs the fuzzer found.

use std::path::{Path, PathBuf};

use rasid_ingest::{parse_feed, FeedConfig};

fn feeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/feeds")
}

#[test]
fn fixture_feeds() {
    let base = "http://127.0.0.1:9/feeds/x.xml";
    let read = |name: &str| {
        let bytes = std::fs::read(feeds().join(name)).unwrap();
        parse_feed(&bytes, Some(base), None, &FeedConfig::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .0
    };
    let rss = read("syria-ar.xml");
    assert_eq!(rss.title.as_deref(), Some("موقع الرصد الإخباري - سوريا"));
    assert_eq!(rss.total_items, 4);
    assert_eq!(rss.items[0].id, "deir-attack-2024-07-22");
    assert_eq!(rss.items[0].published.as_deref(), Some("2024-07-22"));
    assert_eq!(
        rss.items[1].link.as_deref(),
        Some("http://127.0.0.1:9/pages/gone.html"),
        "a root-relative link is resolved against the feed's URL"
    );
    assert_eq!(
        rss.items[1].text.lines().count(),
        2,
        "one line per paragraph"
    );
    let atom = read("world-en.atom");
    assert_eq!(atom.items.len(), 2);
    assert_eq!(atom.items[0].published.as_deref(), Some("2016-07-02"));
    assert_eq!(
        atom.items[1].published.as_deref(),
        Some("2016-07-03"),
        "no <published>: the update date"
    );
    assert!(atom.items[0].text.starts_with("At least 16 civilians"));
    let legacy = read("iraq-1256.xml");
    assert!(
        legacy.items[0].text.contains("كركوك"),
        "windows-1256 by the declaration"
    );
}

#[test]
fn the_item_limit_is_reported() {
    let bytes = std::fs::read(feeds().join("syria-ar.xml")).unwrap();
    let (feed, diags) = parse_feed(&bytes, None, None, &FeedConfig { max_items: 1 }).unwrap();
    assert_eq!((feed.items.len(), feed.total_items), (1, 4));
    assert_eq!(
        diags,
        ["the feed has 4 items: the first 1 are read, the other 3 skipped"]
    );
}

/// Inputs the fuzzer found: each must parse (or fail) without a malformed field.
#[test]
fn fuzz_regressions() {
    for entry in std::fs::read_dir(feeds().join("fuzz")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if let Ok((feed, _)) = parse_feed(&bytes, None, None, &FeedConfig::default()) {
            for item in &feed.items {
                if let Some(d) = &item.published {
                    assert_eq!(d.len(), 10, "{}: date {d:?}", path.display());
                }
            }
        }
    }
}

#[test]
fn not_a_feed() {
    let e = parse_feed(
        b"<html><body>hi</body></html>",
        None,
        None,
        &FeedConfig::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("not a readable RSS or Atom feed"),
        "{e}"
    );
    assert!(parse_feed(b"", None, None, &FeedConfig::default()).is_err());
    assert!(parse_feed(b"\xff\xfe\x00garbage", None, None, &FeedConfig::default()).is_err());
}
