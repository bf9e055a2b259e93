//! Fuzz the grep matcher: the input's first line is the pattern, the rest the text.
//! Every hit must be a non-empty range of whole characters inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasid_text::{Matcher, MatcherConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (pattern, text) = s.split_once('\n').unwrap_or((s, s));
    for case_insensitive in [false, true] {
        let Ok(m) = Matcher::new(pattern, MatcherConfig { case_insensitive, candidates: true }) else { return };
        let mut last = 0;
        for h in m.find_all(text) {
            assert!(h.src.start < h.src.end && h.src.end <= text.len());
            assert!(text.is_char_boundary(h.src.start) && text.is_char_boundary(h.src.end));
            assert!(h.src.start >= last, "hits overlap or go backwards");
            last = h.src.end;
        }
    }
});
