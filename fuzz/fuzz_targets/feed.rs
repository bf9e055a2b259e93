//! Fuzz the feed reader: any bytes give items or an error, never a panic; items respect
//! the limit, links are absolute against the base, dates are `YYYY-MM-DD`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasid_ingest::{parse_feed, FeedConfig};

fuzz_target!(|data: &[u8]| {
    let config = FeedConfig { max_items: 50 };
    if let Ok((feed, _)) = parse_feed(data, Some("https://h.example/news/feed.xml"), None, &config) {
        assert!(feed.items.len() <= 50);
        assert!(feed.items.len() <= feed.total_items);
        for item in &feed.items {
            if let Some(d) = &item.published {
                assert_eq!(d.len(), 10, "{d}");
            }
            if let Some(l) = &item.link {
                assert!(!l.is_empty());
            }
            assert!(item.text.lines().all(|l| !l.trim().is_empty()));
        }
    }
});
