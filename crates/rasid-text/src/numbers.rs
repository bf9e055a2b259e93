//! Numbers in news text: digits in any script and Arabic or English number words.
//!
//! `4`, `٤`, `۴`, `1,200`, `٢٫٧ مليون`, `أربعة`, `ثلاثة وعشرين`, `ثلاثمائة`, `خمسة آلاف`,
//! `twenty-three`, and vague quantities following ACLED's conventions (`عشرات`/`dozens`
//! → 12, `several`/`عدة` → 3, `مئات`/`hundreds` → 100), flagged as approximate.

use std::ops::Range;

use crate::chars::digit_value;
use crate::normalize::{Config, Level, Normalizer};
use crate::tokenize::{tokenize, TokenKind};

/// A number found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberMatch {
    /// Byte span in the text.
    pub span: Range<usize>,
    /// The value.
    pub value: f64,
    /// A vague quantity (`عشرات`, `several`) rather than an exact count.
    pub approximate: bool,
}

/// Parse a token of digits in any script, with `,`/`٬` thousands separators and a
/// `.`/`٫` decimal point. Dates such as `22.07.2024` are not numbers.
pub fn parse_digits(s: &str) -> Option<f64> {
    let mut int = String::new();
    let mut frac: Option<String> = None;
    let mut group = 0usize;
    let mut saw_thousands = false;
    for c in s.chars() {
        if let Some(d) = digit_value(c) {
            let ch = char::from_digit(d, 10)?;
            match &mut frac {
                Some(f) => f.push(ch),
                None => {
                    int.push(ch);
                    group += 1;
                }
            }
        } else if c == ',' || c == '٬' {
            if frac.is_some()
                || group == 0
                || (saw_thousands && group != 3)
                || (!saw_thousands && group > 3)
            {
                return None;
            }
            saw_thousands = true;
            group = 0;
        } else if c == '.' || c == '٫' {
            if frac.is_some() {
                return None;
            }
            frac = Some(String::new());
        } else {
            return None;
        }
    }
    if int.is_empty() || (saw_thousands && group != 3) {
        return None;
    }
    let text = match frac {
        Some(f) if !f.is_empty() => format!("{int}.{f}"),
        Some(_) => return None,
        None => int,
    };
    text.parse().ok()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Word {
    /// A value that adds (units, tens, hundreds).
    Add(f64),
    /// A multiplier (thousand, million) with the value it has alone (ألف = 1000).
    Scale(f64, f64),
    /// 10 after a unit makes a teen (ثلاثة عشر).
    Ten,
    /// A vague quantity.
    Vague(f64),
}

fn arabic_word(w: &str) -> Option<Word> {
    use Word::*;
    let units: [(&[&str], f64); 9] = [
        (&["واحد", "واحده", "احد", "احدي"], 1.0),
        (
            &[
                "اثنان",
                "اثنين",
                "اثنتان",
                "اثنتين",
                "اثنا",
                "اثني",
                "اثنتا",
                "اثنتي",
            ],
            2.0,
        ),
        (&["ثلاث", "ثلاثه"], 3.0),
        (&["اربع", "اربعه"], 4.0),
        (&["خمس", "خمسه"], 5.0),
        (&["ست", "سته"], 6.0),
        (&["سبع", "سبعه"], 7.0),
        (&["ثمان", "ثماني", "ثمانيه"], 8.0),
        (&["تسع", "تسعه"], 9.0),
    ];
    for (forms, v) in units {
        if forms.contains(&w) {
            return Some(Add(v));
        }
    }
    if w == "عشر" || w == "عشره" {
        return Some(Ten);
    }
    let tens: [(&str, f64); 8] = [
        ("عشر", 20.0),
        ("ثلاث", 30.0),
        ("اربع", 40.0),
        ("خمس", 50.0),
        ("ست", 60.0),
        ("سبع", 70.0),
        ("ثمان", 80.0),
        ("تسع", 90.0),
    ];
    for (stem, v) in tens {
        if w.strip_prefix(stem).is_some_and(|s| s == "ون" || s == "ين") {
            return Some(Add(v));
        }
    }
    match w {
        "مئه" | "مائه" | "ميه" | "مئة" => return Some(Scale(100.0, 100.0)),
        "مئتان" | "مئتين" | "مائتان" | "مائتين" | "مئتا" | "مائتا" | "مئتي" | "مائتي" => {
            return Some(Add(200.0))
        }
        "الف" | "الفا" => return Some(Scale(1000.0, 1000.0)),
        "الفان" | "الفين" | "الفي" => return Some(Add(2000.0)),
        "الاف" => return Some(Scale(1000.0, 1000.0)),
        "مليون" | "مليونا" | "ملايين" => return Some(Scale(1e6, 1e6)),
        "مليونان" | "مليونين" => return Some(Add(2e6)),
        "مليار" | "مليارا" | "مليارات" => return Some(Scale(1e9, 1e9)),
        "عشرات" => return Some(Vague(12.0)),
        "مئات" => return Some(Vague(100.0)),
        "عده" | "بضعه" | "بضع" => return Some(Vague(3.0)),
        _ => {}
    }
    for hundreds in ["مئه", "مائه"] {
        if let Some(stem) = w.strip_suffix(hundreds) {
            for (stem2, v) in tens {
                if stem == stem2 && v != 20.0 {
                    return Some(Add(v / 10.0 * 100.0));
                }
            }
        }
    }
    None
}

fn english_word(w: &str) -> Option<Word> {
    use Word::*;
    const SMALL: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = SMALL.iter().position(|x| *x == w) {
        return Some(Add(i as f64));
    }
    if let Some(i) = TENS.iter().position(|x| *x == w) {
        return Some(Add((i as f64 + 2.0) * 10.0));
    }
    Some(match w {
        "hundred" => Scale(100.0, 100.0),
        "thousand" => Scale(1000.0, 1000.0),
        "million" => Scale(1e6, 1e6),
        "billion" => Scale(1e9, 1e9),
        "dozen" => Add(12.0),
        "dozens" | "scores" => Vague(12.0),
        "several" | "few" => Vague(3.0),
        "hundreds" => Vague(100.0),
        "thousands" => Vague(1000.0),
        _ => return None,
    })
}

/// One word at match level: ASCII and plain Arabic letters folded letter by letter (the
/// normalizer's own per-character fold), anything else through `fold`.
fn fold_word(fold: &Normalizer, w: &str) -> String {
    if w.is_ascii() {
        return w.to_ascii_lowercase();
    }
    if w.chars()
        .all(|c| matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}'))
    {
        return w
            .chars()
            .map(|c| crate::chars::match_fold(c).unwrap_or(c))
            .collect();
    }
    fold.normalize_str(w)
}

/// Find the numbers in `text`, in order.
pub fn numbers(text: &str) -> Vec<NumberMatch> {
    let fold = Normalizer::new(Config {
        level: Level::Match,
        fold_case: true,
        record_repairs: false,
    });
    let tokens: Vec<_> = tokenize(text)
        .filter(|t| !(t.kind == TokenKind::Punct && &text[t.span.clone()] == "-"))
        .collect();
    let words: Vec<String> = tokens
        .iter()
        .map(|t| {
            if t.kind == TokenKind::Word {
                fold_word(&fold, &text[t.span.clone()])
            } else {
                String::new()
            }
        })
        .collect();
    let classify = |w: &str, conj: bool| -> Option<Word> {
        let w = if conj { w.strip_prefix('و')? } else { w };
        if w.is_ascii() {
            english_word(w)
        } else {
            arabic_word(w)
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.kind == TokenKind::Number {
            if let Some(v) = parse_digits(&text[t.span.clone()]) {
                let mut span = t.span.clone();
                let mut value = v;
                if let Some(Word::Scale(m, _)) = words.get(i + 1).and_then(|w| classify(w, false)) {
                    value *= m;
                    span.end = tokens[i + 1].span.end;
                    i += 1;
                }
                out.push(NumberMatch {
                    span,
                    value,
                    approximate: false,
                });
            }
            i += 1;
            continue;
        }
        let first = match classify(&words[i], false) {
            Some(w) => w,
            None => {
                i += 1;
                continue;
            }
        };
        if let Word::Vague(v) = first {
            out.push(NumberMatch {
                span: t.span.clone(),
                value: v,
                approximate: true,
            });
            i += 1;
            continue;
        }
        let (mut total, mut current) = (0.0f64, 0.0f64);
        let mut j = i;
        let mut last_end = t.span.end;
        let mut prev: Option<Word> = None;
        while j < tokens.len() {
            let conj = j > i && words[j].starts_with('و');
            let w = if j == i {
                Some(first)
            } else {
                classify(&words[j], conj).or_else(|| classify(&words[j], false))
            };
            let Some(w) = w else { break };
            let attached = j == i
                || conj
                || matches!(w, Word::Scale(..) | Word::Ten)
                || english_word(&words[j]).is_some();
            if !attached {
                break;
            }
            match w {
                Word::Add(v) => {
                    if j > i
                        && !conj
                        && !matches!(prev, Some(Word::Scale(..)))
                        && english_word(&words[j]).is_none()
                    {
                        break;
                    }
                    current += v;
                }
                Word::Ten => {
                    if matches!(prev, Some(Word::Add(u)) if u < 10.0) {
                        current += 10.0;
                    } else if j == i {
                        current = 10.0;
                    } else {
                        break;
                    }
                }
                Word::Scale(m, alone) => {
                    if current == 0.0 {
                        if j == i {
                            current = alone;
                        } else {
                            break;
                        }
                    } else {
                        current *= m;
                    }
                    if m >= 1000.0 {
                        total += current;
                        current = 0.0;
                    }
                }
                Word::Vague(_) => break,
            }
            prev = Some(w);
            last_end = tokens[j].span.end;
            j += 1;
        }
        let value = total + current;
        if value > 0.0 {
            out.push(NumberMatch {
                span: t.span.start..last_end,
                value,
                approximate: false,
            });
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The direct fold of plain words is the normalizer's.
        #[test]
        fn fold_word_is_the_normalizers(w in "[\u{0621}-\u{063A}\u{0641}-\u{064A}]{1,12}|[A-Za-z0-9]{1,12}") {
            let fold = Normalizer::new(Config { level: Level::Match, fold_case: true, record_repairs: false });
            proptest::prop_assert_eq!(fold_word(&fold, &w), fold.normalize_str(&w));
        }
    }

    fn vals(s: &str) -> Vec<(f64, bool)> {
        numbers(s)
            .into_iter()
            .map(|n| (n.value, n.approximate))
            .collect()
    }

    #[test]
    fn digits() {
        assert_eq!(parse_digits("٤"), Some(4.0));
        assert_eq!(parse_digits("۱۵۳"), Some(153.0));
        assert_eq!(parse_digits("1,200"), Some(1200.0));
        assert_eq!(parse_digits("٢٫٧"), Some(2.7));
        assert_eq!(parse_digits("22.07.2024"), None);
        assert_eq!(parse_digits("1,2"), None);
    }

    #[test]
    fn words() {
        assert_eq!(vals("سقط 4 ضحايا"), vec![(4.0, false)]);
        assert_eq!(vals("مقتل أربعة عناصر"), vec![(4.0, false)]);
        assert_eq!(vals("ثلاثة وعشرين قتيلا"), vec![(23.0, false)]);
        assert_eq!(vals("ثلاثة عشر مدنيا"), vec![(13.0, false)]);
        assert_eq!(vals("ثلاثمائة عنصر"), vec![(300.0, false)]);
        assert_eq!(vals("خمسة آلاف نازح"), vec![(5000.0, false)]);
        assert_eq!(vals("مئة وخمسين"), vec![(150.0, false)]);
        assert_eq!(vals("عشرات القتلى"), vec![(12.0, true)]);
        assert_eq!(vals("مئات المدنيين"), vec![(100.0, true)]);
        assert_eq!(vals("2.7 مليون"), vec![(2_700_000.0, false)]);
        assert_eq!(vals("twenty-three killed"), vec![(23.0, false)]);
        assert_eq!(vals("several people"), vec![(3.0, true)]);
        assert_eq!(vals("two hundred"), vec![(200.0, false)]);
    }
}
