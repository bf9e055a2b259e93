//! Fuzz the HTML reader: any bytes (any charset, any markup) give a page, never a panic;
//! the text is made of the page's own characters, one block per line, none empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasid_ingest::{clean_html, CleanConfig};

fuzz_target!(|data: &[u8]| {
    let (page, _) = clean_html(data, None, &CleanConfig::default());
    assert!(page.text.lines().all(|l| !l.trim().is_empty()));
    assert!(page.text.chars().count() <= data.len().max(1) * 2);
    if let Some(d) = &page.published {
        assert_eq!(d.len(), 10);
    }
});
