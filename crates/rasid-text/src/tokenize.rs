//! Tokens with their original spans, and Arabic proclitics.
//!
//! The tokenizer runs on any text (original or a view) and never allocates per token.
//! URLs, e-mail addresses, hashtags and mentions come out whole, numbers keep their
//! decimal and thousands separators, and an Arabic word's proclitic chain (و ف ب ك ل
//! ال لل and their combinations) can be split off by [`proclitic_splits`].

use std::ops::Range;

use crate::chars::*;

/// Proclitic chains in match-level form, longest first, the empty chain excluded.
pub const PROCLITICS: &[&str] = &[
    "وبال", "فبال", "وكال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال", "وب",
    "فب", "ول", "فل", "وك", "فك", "و", "ف", "ب", "ك", "ل",
];

/// Enclitic pronouns and inflection endings accepted after a lexicon term, match-level.
pub const SUFFIXES: &[&str] = &[
    "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ي", "ين", "ون", "ان", "ات", "يه", "يون", "يين",
    "وا",
];

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (any script), with marks, tatweel and inner apostrophes.
    Word,
    /// Digits in any script with inner `.` `,` `٫` `٬` separators.
    Number,
    /// `http(s)://…` or `www.…`.
    Url,
    /// `name@host`.
    Email,
    /// `#tag` (letters, digits, `_`).
    Hashtag,
    /// `@name`.
    Mention,
    /// Punctuation or a symbol (one character).
    Punct,
}

/// A token: its kind and byte span in the text it was cut from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Kind of token.
    pub kind: TokenKind,
    /// Byte span.
    pub span: Range<usize>,
}

impl Token {
    /// The token's text.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.span.clone()]
    }
}

/// Iterate over the tokens of `text`; whitespace is skipped.
pub fn tokenize(text: &str) -> Tokens<'_> {
    Tokens { text, pos: 0 }
}

/// Iterator returned by [`tokenize`].
#[derive(Clone, Debug)]
pub struct Tokens<'t> {
    text: &'t str,
    pos: usize,
}

fn is_tag_char(c: char) -> bool {
    is_word_char(c) || c == '_' || digit_value(c).is_some() || is_format(c)
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let t = self.text;
        let rest = &t[self.pos..];
        let skipped = rest.len() - rest.trim_start().len();
        self.pos += skipped;
        let start = self.pos;
        let c = t[start..].chars().next()?;
        let end_where = |from: usize, f: &dyn Fn(char) -> bool| -> usize {
            let mut e = from;
            for ch in t[from..].chars() {
                if !f(ch) {
                    break;
                }
                e += ch.len_utf8();
            }
            e
        };
        let rest = &t[start..];
        let (kind, end) = if rest.starts_with("http://")
            || rest.starts_with("https://")
            || rest.starts_with("www.")
        {
            let mut e = end_where(start, &|ch| !ch.is_whitespace());
            // Trailing punctuation is not part of the URL.
            while e > start && t[..e].ends_with(|ch: char| ".,;:!?)»”\"'،؛".contains(ch)) {
                e -= t[..e].chars().next_back().unwrap().len_utf8();
            }
            (TokenKind::Url, e)
        } else if (c == '#' || c == '@') && t[start + 1..].chars().next().is_some_and(is_tag_char) {
            let e = end_where(start + 1, &is_tag_char);
            (
                if c == '#' {
                    TokenKind::Hashtag
                } else {
                    TokenKind::Mention
                },
                e,
            )
        } else if digit_value(c).is_some() {
            let mut e = end_where(start, &|ch| digit_value(ch).is_some());
            loop {
                let mut it = t[e..].chars();
                match (it.next(), it.next()) {
                    (Some(sep), Some(d)) if ".,٫٬".contains(sep) && digit_value(d).is_some() => {
                        e = end_where(e + sep.len_utf8(), &|ch| digit_value(ch).is_some());
                    }
                    _ => break,
                }
            }
            (TokenKind::Number, e)
        } else if is_word_char(c) || is_format(c) {
            let mut e = end_where(start, &|ch| is_word_char(ch) || is_format(ch));
            // Inner apostrophes (English "don't", "Da'esh") and e-mail addresses.
            loop {
                let mut it = t[e..].chars();
                match (it.next(), it.next()) {
                    (Some(q), Some(d)) if (q == '\'' || q == '’') && d.is_alphabetic() => {
                        e = end_where(e + q.len_utf8(), &|ch| is_word_char(ch));
                    }
                    (Some('@'), Some(d)) if d.is_alphanumeric() => {
                        let e2 =
                            end_where(e + 1, &|ch| ch.is_alphanumeric() || ch == '.' || ch == '-');
                        let e2 = if t[..e2].ends_with('.') { e2 - 1 } else { e2 };
                        self.pos = e2;
                        return Some(Token {
                            kind: TokenKind::Email,
                            span: start..e2,
                        });
                    }
                    _ => break,
                }
            }
            (TokenKind::Word, e)
        } else {
            (TokenKind::Punct, start + c.len_utf8())
        };
        self.pos = end;
        Some(Token {
            kind,
            span: start..end,
        })
    }
}

/// Ways to split a match-level Arabic word into a proclitic chain and a stem of at least
/// two letters: `(prefix_len_in_bytes, prefix)`, the empty split first.
pub fn proclitic_splits(word: &str) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    std::iter::once((0, "")).chain(PROCLITICS.iter().filter_map(move |p| {
        let stem = word.strip_prefix(p)?;
        (stem.chars().count() >= 2).then_some((p.len(), *p))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(TokenKind, &str)> {
        tokenize(s).map(|t| (t.kind, &s[t.span])).collect()
    }

    #[test]
    fn kinds() {
        let s = "زار https://example.com/a?b=1. #ريف_حلب @user_1 a@b.org 2.7 ١٬٢٠٠ «الرقة»";
        let k = toks(s);
        assert!(k.contains(&(TokenKind::Url, "https://example.com/a?b=1")));
        assert!(k.contains(&(TokenKind::Hashtag, "#ريف_حلب")));
        assert!(k.contains(&(TokenKind::Mention, "@user_1")));
        assert!(k.contains(&(TokenKind::Email, "a@b.org")));
        assert!(k.contains(&(TokenKind::Number, "2.7")));
        assert!(k.contains(&(TokenKind::Number, "١٬٢٠٠")));
        assert!(k.contains(&(TokenKind::Word, "الرقة")));
        assert!(k.contains(&(TokenKind::Punct, "«")));
    }

    #[test]
    fn proclitics() {
        let p: Vec<_> = proclitic_splits("والتنظيم").map(|x| x.1).collect();
        assert!(p.contains(&"وال"));
        assert!(p.contains(&"و"));
        let p: Vec<_> = proclitic_splits("للجيش").map(|x| x.1).collect();
        assert!(p.contains(&"لل"));
        assert_eq!(proclitic_splits("من").count(), 1);
    }
}
