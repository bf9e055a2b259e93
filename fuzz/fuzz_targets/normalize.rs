//! Fuzz the normalizer (both levels), the candidate generator, the tokenizer, the
//! sentence splitter and the number parser on arbitrary text: no panic, a well-formed
//! offset map, idempotent views.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasid_text::{candidates, numbers, sentences, tokenize, CandidateConfig, Config, Level, Normalizer};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for level in [Level::Display, Level::Match] {
        let n = Normalizer::new(Config { level, ..Config::default() });
        let v = n.normalize(s);
        v.map().check_invariants().expect("offset map invariants");
        assert_eq!(v.map().source_len(), s.len());
        assert_eq!(v.map().view_len(), v.as_str().len());
        for (i, c) in v.as_str().char_indices() {
            let r = v.to_source(i..i + c.len_utf8());
            assert!(r.end <= s.len() && s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
        }
        assert_eq!(n.normalize_str(v.as_str()), v.as_str(), "not idempotent");
        for r in v.repairs() {
            assert!(r.src.end <= s.len());
        }
    }
    for c in candidates(s, &CandidateConfig::default()) {
        assert!(c.src.end <= s.len());
    }
    for t in tokenize(s) {
        assert!(s.is_char_boundary(t.span.start) && s.is_char_boundary(t.span.end));
    }
    for r in sentences(s) {
        assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
    }
    let _ = numbers(s);
});
