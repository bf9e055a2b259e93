//! Sentence splitting for Arabic and English news text.
//!
//! Splits after `.` `!` `?` `؟` `۔` `…` and at line breaks, keeping closing quotes and
//! brackets with the sentence they end. Does not split inside decimals (`2.7`), dates
//! (`22.07.2024`), dotted abbreviations and initials (`U.S.`, `د.`, `م.أحمد`), e-mail
//! addresses and URLs, or inside a short quotation.

use std::ops::Range;

use crate::chars::*;

const CLOSERS: &str = "\"'»”’)]}″›";
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "st", "vs", "etc",
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "inc", "ltd", "co", "corp", "jr", "sr", "rep", "sen", "gov", "pres", "brig", "approx", "fig",
    "al",
];

/// Byte ranges of the sentences of `text`, trimmed of surrounding whitespace; empty
/// sentences are skipped.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut start = 0usize;
    let mut quote_depth: i32 = 0;
    let mut quote_open_at = 0usize;
    let mut i = 0;
    let push = |out: &mut Vec<Range<usize>>, s: usize, e: usize| {
        let seg = &text[s..e];
        let lead = seg.len() - seg.trim_start().len();
        let trail = seg.len() - seg.trim_end().len();
        if s + lead < e - trail {
            out.push(s + lead..e - trail);
        }
    };
    while i < chars.len() {
        let (pos, c) = chars[i];
        match c {
            '\n' => {
                push(&mut out, start, pos);
                start = pos + 1;
                quote_depth = 0;
                i += 1;
                continue;
            }
            '«' | '“' => {
                if quote_depth == 0 {
                    quote_open_at = pos;
                }
                quote_depth += 1;
            }
            '»' | '”' => quote_depth = (quote_depth - 1).max(0),
            _ => {}
        }
        let terminal = matches!(c, '.' | '!' | '?' | '؟' | '۔' | '…');
        if !terminal {
            i += 1;
            continue;
        }
        // Run of terminal punctuation, then closing quotes/brackets.
        let mut j = i;
        while j < chars.len() && matches!(chars[j].1, '.' | '!' | '?' | '؟' | '۔' | '…') {
            j += 1;
        }
        while j < chars.len() && CLOSERS.contains(chars[j].1) {
            if matches!(chars[j].1, '»' | '”') {
                quote_depth = (quote_depth - 1).max(0);
            }
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |x| x.0);
        let next = chars.get(j).map(|x| x.1);
        let dots_only = chars[i..j]
            .iter()
            .all(|x| x.1 == '.' || CLOSERS.contains(x.1));
        let single_dot = c == '.' && chars[i + 1..j].iter().all(|x| CLOSERS.contains(x.1));
        let inside_quote = quote_depth > 0 && pos - quote_open_at < 400;
        let split = if inside_quote {
            false
        } else if c == '.' && dots_only && single_dot {
            period_ends_sentence(text, &chars, i, next)
        } else if dots_only && j - i == 2 {
            // ".." in headlines and slogans is an ellipsis inside the sentence unless a
            // line break follows; in running text, after a clause of several words and
            // before "و", it separates two reports ("…جبل الزاوية.. وقُتل 15 آخرون").
            next.is_none()
                || (next.is_some_and(char::is_whitespace)
                    && text[end..].trim_start().starts_with('و')
                    && text[start..pos].split_whitespace().count() >= 6)
        } else {
            next.is_none_or(|n| {
                n.is_whitespace() || CLOSERS.contains(n) || is_arabic_letter(n) || n.is_uppercase()
            })
        };
        if split {
            push(&mut out, start, end);
            start = end;
        }
        i = j.max(i + 1);
    }
    push(&mut out, start, text.len());
    out
}

/// Whether the single period at `chars[i]` ends a sentence.
fn period_ends_sentence(text: &str, chars: &[(usize, char)], i: usize, next: Option<char>) -> bool {
    let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
    let Some(n) = next else { return true };
    // 2.7, 22.07.2024, ٢٫٧: a digit on both sides.
    if prev.is_some_and(|p| digit_value(p).is_some()) && digit_value(n).is_some() {
        return false;
    }
    // The word before the period.
    let mut k = i;
    while k > 0 && is_word_char(chars[k - 1].1) {
        k -= 1;
    }
    let word = &text[chars.get(k).map_or(0, |x| x.0)..chars[i].0];
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // Initials and one-letter Arabic abbreviations: U.S., د. محمد, م.أحمد, ق.م.
    if letters == 1 {
        return false;
    }
    if ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str()) {
        return false;
    }
    // URLs, e-mails, file names: no space after the period and a Latin letter next.
    if n.is_ascii_alphanumeric() {
        return false;
    }
    // English: a lower-case word after the period is not a new sentence.
    if n.is_whitespace() {
        let after = text[chars[i].0 + 1..].trim_start();
        if let Some(f) = after.chars().next() {
            if f.is_lowercase() && f.is_ascii() {
                return false;
            }
        }
        return true;
    }
    // A period glued to the next Arabic word (الرقة.وقال) still ends the sentence.
    is_arabic_letter(n) || CLOSERS.contains(n) || "«“\"(".contains(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<&str> {
        sentences(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn arabic_and_english() {
        assert_eq!(
            split("قتل 4. وجرح 5؟ نعم!"),
            vec!["قتل 4.", "وجرح 5؟", "نعم!"]
        );
        assert_eq!(
            split("بلغت 2.7 مليون. وقال د. محمد إن"),
            vec!["بلغت 2.7 مليون.", "وقال د. محمد إن"]
        );
        assert_eq!(
            split("The U.S. army said. Then it left."),
            vec!["The U.S. army said.", "Then it left."]
        );
        assert_eq!(
            split("قال «هذا. ذاك». ثم غادر"),
            vec!["قال «هذا. ذاك».", "ثم غادر"]
        );
        assert_eq!(split("سطر أول\nسطر ثان"), vec!["سطر أول", "سطر ثان"]);
        assert_eq!(split("في 22.07.2024 وقع"), vec!["في 22.07.2024 وقع"]);
        assert_eq!(
            split("في الرقة.وقال المصدر"),
            vec!["في الرقة.", "وقال المصدر"]
        );
        assert_eq!(
            split("“تنظيم الدولة.. قادم”."),
            vec!["“تنظيم الدولة.. قادم”."]
        );
        assert_eq!(
            split("وقتلت امرأة وطفلها في قصف جوي على قرية جوزف في منطقة جبل الزاوية.. وقتل 15 آخرون في سراقب."),
            vec![
                "وقتلت امرأة وطفلها في قصف جوي على قرية جوزف في منطقة جبل الزاوية..",
                "وقتل 15 آخرون في سراقب."
            ]
        );
        assert_eq!(split("عاجل.. وزير يستقيل"), vec!["عاجل.. وزير يستقيل"]);
        assert_eq!(
            split("Visit www.example.com today."),
            vec!["Visit www.example.com today."]
        );
    }
}
