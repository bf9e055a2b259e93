//! Obfuscation-robust search of one pattern, as used by `rasid grep`.
//!
//! A hit is found in the match-level view (which already sees through tatweel
//! separators, format characters, emoji, presentation forms, diacritics and spelling
//! variants) and, failing that, in the candidate repairs of the text — where the pattern
//! itself plays the lexicon that confirms them.

use std::ops::Range;

use memchr::memmem;

use crate::candidates::{candidates_in, CandidateConfig};
use crate::chars::rasm_key;
use crate::normalize::{Config, Level, Normalizer, Technique};
use crate::tokenize::{PROCLITICS, SUFFIXES};

/// Settings of a [`Matcher`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatcherConfig {
    /// Fold the case of Latin (and other cased) letters.
    pub case_insensitive: bool,
    /// Also try candidate repairs (Arabizi, bare separators, rasm, reversal, splits…).
    pub candidates: bool,
}

impl Default for MatcherConfig {
    fn default() -> MatcherConfig {
        MatcherConfig {
            case_insensitive: false,
            candidates: true,
        }
    }
}

/// Why a pattern cannot be searched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PatternError {
    /// Nothing is left of the pattern once normalized (empty, or only marks/spaces).
    #[error("the pattern {0:?} is empty once normalized")]
    Empty(String),
}

/// How a hit was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HitKind {
    /// The original text equals the pattern there.
    Exact,
    /// Found through match-level folding only (alef, ى, ة, diacritics, case, digits).
    Folded,
    /// Found after display repairs of evasion spellings.
    Repaired(Vec<Technique>),
    /// Found through a candidate repair that the pattern confirmed.
    Candidate(Technique),
}

impl HitKind {
    /// A short label: `exact`, `folding`, a technique name, or several joined by `+`.
    pub fn label(&self) -> String {
        match self {
            HitKind::Exact => "exact".into(),
            HitKind::Folded => "folding".into(),
            HitKind::Repaired(ts) => ts.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+"),
            HitKind::Candidate(t) => t.as_str().into(),
        }
    }
}

/// One hit: a byte range of the searched text and how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Byte range in the original text.
    pub src: Range<usize>,
    /// How it was found.
    pub kind: HitKind,
}

/// A compiled search pattern; immutable and shareable.
#[derive(Clone, Debug)]
pub struct Matcher {
    key: String,
    rasm: String,
    normalizer: Normalizer,
    config: MatcherConfig,
    candidate_config: CandidateConfig,
}

impl Matcher {
    /// Compile `pattern`.
    pub fn new(pattern: &str, config: MatcherConfig) -> Result<Matcher, PatternError> {
        let normalizer = Normalizer::new(Config {
            level: Level::Match,
            fold_case: config.case_insensitive,
            record_repairs: true,
        });
        let key = normalizer.normalize_str(pattern.trim());
        if key.trim().is_empty() {
            return Err(PatternError::Empty(pattern.to_string()));
        }
        let rasm = rasm_key(&key);
        Ok(Matcher {
            key,
            rasm,
            normalizer,
            config,
            candidate_config: CandidateConfig::default(),
        })
    }

    /// The pattern's match-level key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// All hits in `text`, in order, non-overlapping.
    pub fn find_all(&self, text: &str) -> Vec<Hit> {
        let view = self.normalizer.normalize(text);
        let mut hits: Vec<Hit> = Vec::new();
        for at in memmem::find_iter(view.as_str().as_bytes(), self.key.as_bytes()) {
            let src = view.to_source(at..at + self.key.len());
            if hits.last().is_some_and(|h| h.src.end > src.start) {
                continue;
            }
            let mut ts: Vec<Technique> =
                view.repairs_in(src.clone()).map(|r| r.technique).collect();
            ts.sort();
            ts.dedup();
            let kind = if !ts.is_empty() {
                HitKind::Repaired(ts)
            } else if text[src.clone()] == *self.key {
                HitKind::Exact
            } else {
                HitKind::Folded
            };
            hits.push(Hit { src, kind });
        }
        if self.config.candidates && text.len() <= 1 << 20 {
            self.candidate_hits(text, &mut hits);
        }
        hits.sort_by_key(|h| (h.src.start, h.src.end));
        hits
    }

    /// Whether `text` has at least one hit.
    pub fn is_match(&self, text: &str) -> bool {
        !self.find_all(text).is_empty()
    }

    fn candidate_hits(&self, text: &str, hits: &mut Vec<Hit>) {
        let display = Normalizer::new(Config {
            level: Level::Display,
            fold_case: true,
            record_repairs: false,
        });
        let dv = display.normalize(text);
        let key = if self.config.case_insensitive {
            self.key.clone()
        } else {
            self.key.to_lowercase()
        };
        for c in candidates_in(text, &dv, &self.candidate_config) {
            let (needle, exact_word) = match c.technique {
                Technique::Rasm => (self.rasm.as_str(), true),
                Technique::Split | Technique::Reversed => (key.as_str(), true),
                _ => (key.as_str(), true),
            };
            for at in memmem::find_iter(c.key.as_bytes(), needle.as_bytes()) {
                let r = at..at + needle.len();
                if exact_word && !word_bounded(&c.key, r.clone(), c.technique == Technique::Rasm) {
                    continue;
                }
                if !c.covers_edit(r.clone()) {
                    continue;
                }
                let src = c.source_of(r);
                if src.is_empty()
                    || hits
                        .iter()
                        .any(|h| h.src.start < src.end && src.start < h.src.end)
                {
                    continue;
                }
                hits.push(Hit {
                    src,
                    kind: HitKind::Candidate(c.technique),
                });
            }
        }
    }
}

/// A hit inside a candidate key must be a whole word, allowing a proclitic chain before it
/// and a closed set of suffixes after it.
fn word_bounded(key: &str, r: Range<usize>, rasm: bool) -> bool {
    let before = &key[..r.start];
    let after = &key[r.end..];
    let ok_before = before.is_empty()
        || PROCLITICS.iter().any(|p| {
            if rasm {
                rasm_key(p) == before
            } else {
                *p == before
            }
        });
    let ok_after = after.is_empty()
        || SUFFIXES.iter().any(|s| {
            if rasm {
                rasm_key(s) == after
            } else {
                *s == after
            }
        });
    ok_before && ok_after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(p: &str, t: &str) -> Vec<String> {
        let m = Matcher::new(p, MatcherConfig::default()).unwrap();
        m.find_all(t)
            .into_iter()
            .map(|h| t[h.src].to_string())
            .collect()
    }

    #[test]
    fn seed_line() {
        assert_eq!(found("تنظيم", "خلايا التـ.ـنظيم"), vec!["تـ.ـنظيم"]);
        assert_eq!(found("تنظيم", "عودة “تنـ.ـظيم الدولة”"), vec!["تنـ.ـظيم"]);
        assert_eq!(found("تنظيم", "لـ”تـ.ـنظيم الدولة”"), vec!["تـ.ـنظيم"]);
    }

    #[test]
    fn candidates_confirmed_by_pattern() {
        assert_eq!(found("داعش", "مقاتلو دا3ش"), vec!["دا3ش"]);
        assert_eq!(found("داعش", "عناصر شعاد"), vec!["شعاد"]);
        assert_eq!(found("تنظيم", "خلايا تنظ.يم"), vec!["تنظ.يم"]);
        assert_eq!(found("تنظيم", "خلايا تنظ يم"), vec!["تنظ يم"]);
        assert!(found("مني", "من يقول").is_empty());
    }

    #[test]
    fn case() {
        assert!(found("ISIS", "isis fighters").is_empty());
        let m = Matcher::new(
            "ISIS",
            MatcherConfig {
                case_insensitive: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(m.is_match("isis fighters"));
    }

    #[test]
    fn empty_pattern() {
        assert!(Matcher::new("  ", MatcherConfig::default()).is_err());
    }
}
