//! Fuzz the lexicon matcher on arbitrary text: no panic, every entity a range of whole
//! characters inside the text, places resolved.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rasid_lexicon::{EntityKind, Lexicon};

fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::bundled().expect("bundled lexicon"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for e in lexicon().find(s) {
        assert!(e.src.start < e.src.end && e.src.end <= s.len());
        assert!(s.is_char_boundary(e.src.start) && s.is_char_boundary(e.src.end));
        assert_eq!(e.text, s[e.src.clone()]);
        if e.kind == EntityKind::Place {
            let p = e.place.expect("a place entity is resolved");
            assert!((1..=3).contains(&p.geo_precision));
            if let Some(r) = p.phrase {
                assert!(r.start <= e.src.start && e.src.end <= r.end && r.end <= s.len());
            }
        }
    }
});
