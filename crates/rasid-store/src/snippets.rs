//! Search hits in the original text: where the query's words occur (matched at match level,
//! so `تنظيم` marks `التـ.ـنظيم`) and short windows around them for display.

use std::ops::Range;

use serde::Serialize;

/// Byte ranges of `text` where a word of `query` occurs, in order, however either is
/// obfuscated.
pub fn query_ranges(text: &str, query: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = query
        .split_whitespace()
        .filter_map(|w| {
            rasid_text::Matcher::new(
                w,
                rasid_text::MatcherConfig {
                    case_insensitive: true,
                    candidates: true,
                },
            )
            .ok()
        })
        .flat_map(|m| m.find_all(text).into_iter().map(|x| x.src))
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges
}

/// A piece of a snippet: plain text or a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The text (line breaks turned to spaces).
    pub text: String,
    /// Whether it is a match.
    pub hit: bool,
}

/// Up to `max` windows of `context` characters either side of the matches, as parts.
pub fn snippets(text: &str, ranges: &[Range<usize>], context: usize, max: usize) -> Vec<Vec<Part>> {
    let back = |mut i: usize| {
        for _ in 0..context {
            match text[..i].chars().next_back() {
                Some(c) => i -= c.len_utf8(),
                None => break,
            }
        }
        i
    };
    let fwd = |mut i: usize| {
        for _ in 0..context {
            match text[i..].chars().next() {
                Some(c) => i += c.len_utf8(),
                None => break,
            }
        }
        i
    };
    let part = |s: &str, hit: bool| Part {
        text: s.replace('\n', " "),
        hit,
    };
    let mut out = Vec::new();
    let mut covered = 0usize;
    for r in ranges {
        if r.start < covered {
            continue;
        }
        let (ws, we) = (back(r.start), fwd(r.end));
        let mut parts = Vec::new();
        let mut at = ws;
        for m in ranges.iter().filter(|m| m.start >= ws && m.end <= we) {
            if m.start < at {
                continue;
            }
            if m.start > at {
                parts.push(part(&text[at..m.start], false));
            }
            parts.push(part(&text[m.clone()], true));
            at = m.end;
        }
        if we > at {
            parts.push(part(&text[at..we], false));
        }
        out.push(parts);
        covered = we;
        if out.len() == max {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscated_matches_are_marked_in_the_original() {
        let text = "عناصر من التـ.ـنظيم هاجموا نقطة";
        let r = query_ranges(text, "تنظيم");
        assert_eq!(r.len(), 1);
        let s = snippets(text, &r, 6, 3);
        assert_eq!(s.len(), 1);
        let hits: Vec<&str> = s[0]
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].contains("ـ.ـ"),
            "the obfuscated spelling itself: {hits:?}"
        );
        let joined: String = s[0].iter().map(|p| p.text.as_str()).collect();
        assert!(text.contains(&joined), "{joined}");
    }
}
