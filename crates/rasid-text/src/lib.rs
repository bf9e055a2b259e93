//! # rasid-text
//!
//! Reading Arabic as it is really published. News sites and posters break sensitive
//! words on purpose (`تنـ.ـظيم`, `دا🔥عش`, `ه ج و م`) so that platform filters miss them.
//! This crate builds a *view* of a text that sees through those spellings without ever
//! changing the original, and maps every position of the view back to the original.
//!
//! * [`Normalizer`] — display level (safe repairs only) and match level (plus folding).
//! * [`candidates`] — ambiguous repairs (bare separators, Arabizi, rasm, reversal…)
//!   offered as keys for a lexicon to confirm, never applied blindly.
//! * [`tokenize`], [`sentences`] — words with spans and proclitics; sentence splitting.
//! * [`numbers`] — digits in any script and Arabic/English number words.
//!
//! The crate is pure: no I/O, no clock, no global state.

pub mod candidates;
pub mod chars;
mod map;
mod normalize;
pub mod numbers;
pub mod search;
pub mod sentences;
mod simd;
pub mod tokenize;

pub use candidates::{
    candidates, candidates_in, candidates_in_tokens, Candidate, CandidateConfig, SuspectWords,
};
pub use map::OffsetMap;
pub use normalize::{
    display, line_is_arabic, malformed_marks, match_view, Config, Level, Normalizer,
    NormalizerBuilder, Repair, Technique, View,
};

/// Convert a byte range of `text` to a code-point range.
pub fn char_range(text: &str, bytes: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = text[..bytes.start].chars().count();
    let len = text[bytes.start..bytes.end].chars().count();
    start..start + len
}

pub use numbers::{numbers, parse_digits, NumberMatch};
pub use search::{Hit, HitKind, Matcher, MatcherConfig, PatternError};
pub use sentences::sentences;
pub use tokenize::{proclitic_splits, tokenize, Token, TokenKind};
