//! Property tests of the text transforms.

use proptest::prelude::*;
use rasid_text::{
    candidates, numbers, sentences, tokenize, CandidateConfig, Config, Level, Matcher,
    MatcherConfig, Normalizer,
};

/// Characters that exercise every rule: letters, tatweel, marks, format characters,
/// separators, emoji, Persian letters, presentation forms, digits, Latin, spaces.
const ALPHABET: &[char] = &[
    'ا', 'أ', 'ب', 'ت', 'ن', 'ظ', 'ي', 'م', 'ه', 'ة', 'ى', 'و', 'ل', 'د', 'ع', 'ش', 'ـ',
    '\u{064B}', '\u{064E}', '\u{0650}', '\u{0651}', '\u{0652}', '\u{0654}', '\u{06D6}', '\u{200C}',
    '\u{200F}', '\u{200B}', '\u{FEFF}', ' ', ' ', ' ', '.', '-', '_', '*', '«', '”', '\n', '🔥',
    '\u{200D}', '❤', '\u{FE0F}', 'ک', 'ی', 'پ', 'ە', 'ﻻ', 'ﺩ', 'ﹰ', 'ﷲ', '٣', '۷', '3', 'a', 'Z',
    'İ', 'ß', '#', '@',
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..40)
        .prop_map(|v| v.into_iter().collect())
}

fn normalizer(level: Level) -> Normalizer {
    Normalizer::new(Config {
        level,
        ..Config::default()
    })
}

fn check_map(src: &str, level: Level) -> Result<(), TestCaseError> {
    let v = normalizer(level).normalize(src);
    prop_assert!(
        v.map().check_invariants().is_ok(),
        "{:?}",
        v.map().check_invariants()
    );
    prop_assert_eq!(v.map().view_len(), v.as_str().len());
    prop_assert_eq!(v.map().source_len(), src.len());
    let mut last = 0;
    for (i, c) in v.as_str().char_indices() {
        let r = v.to_source(i..i + c.len_utf8());
        prop_assert!(r.start <= r.end && r.end <= src.len());
        prop_assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end));
        prop_assert!(r.start >= last, "starts go backwards at view byte {}", i);
        last = r.start;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_on_anything(s in any::<String>()) {
        for level in [Level::Display, Level::Match] {
            let v = normalizer(level).normalize(&s);
            let _ = v.to_source(0..v.as_str().len());
        }
        let _ = candidates(&s, &CandidateConfig::default());
        let _ = tokenize(&s).count();
        let _ = sentences(&s);
        let _ = numbers(&s);
        if let Ok(m) = Matcher::new(&s.chars().take(5).collect::<String>(), MatcherConfig::default()) {
            let _ = m.find_all(&s);
        }
    }

    #[test]
    fn display_is_idempotent(s in text()) {
        let n = normalizer(Level::Display);
        let once = n.normalize_str(&s);
        prop_assert_eq!(n.normalize_str(&once), once);
    }

    #[test]
    fn match_is_idempotent(s in text()) {
        let n = normalizer(Level::Match);
        let once = n.normalize_str(&s);
        prop_assert_eq!(n.normalize_str(&once), once);
    }

    #[test]
    fn offset_map_is_monotonic_and_in_bounds(s in text()) {
        check_map(&s, Level::Display)?;
        check_map(&s, Level::Match)?;
    }

    #[test]
    fn offset_map_on_any_string(s in any::<String>()) {
        check_map(&s, Level::Display)?;
        check_map(&s, Level::Match)?;
    }

    #[test]
    fn ascii_is_unchanged_at_display(s in "[ -~\n\t]{0,80}") {
        let v = normalizer(Level::Display).normalize(&s);
        prop_assert_eq!(v.as_str(), s.as_str());
        prop_assert!(v.map().is_linear());
    }

    #[test]
    fn grep_finds_what_it_reports(s in text(), p in "[ابتنظيمهدعش]{2,4}") {
        let m = Matcher::new(&p, MatcherConfig { candidates: false, ..MatcherConfig::default() }).unwrap();
        let key = normalizer(Level::Match).normalize_str(&p);
        for h in m.find_all(&s) {
            // What a hit covers, normalized, contains the pattern.
            let covered = normalizer(Level::Match).normalize_str(&s[h.src.clone()]);
            prop_assert!(covered.contains(&key) || normalizer(Level::Match).normalize_str(&s).contains(&key));
        }
    }
}
