//! Character classes used by the normalizer, tokenizer and candidate generator.
//!
//! Everything here is a pure function of one `char`; the tables follow the Unicode
//! blocks Arabic (U+0600–U+06FF), Arabic Supplement, Extended-A and the presentation forms.

/// Tatweel (kashida), U+0640: stretches a word, and is abused to break words apart.
pub const TATWEEL: char = '\u{0640}';
/// Zero-width non-joiner: meaningful in Persian, an evasion device in Arabic.
pub const ZWNJ: char = '\u{200C}';

/// An Arabic-script letter (not a mark, digit, tatweel or punctuation).
#[inline]
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{063F}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}')
}

/// An Arabic combining mark: harakat, tanween, shadda, sukun, superscript alef,
/// Quranic annotation signs.
#[inline]
pub fn is_arabic_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08CA}'..='\u{08E1}'
        | '\u{08E3}'..='\u{08FF}')
}

/// Quranic annotation signs (small high letters, stops): normal in vocalised scripture,
/// noise in a news word without harakat.
#[inline]
pub fn is_quranic_sign(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}'..='\u{06E8}' | '\u{06EA}'..='\u{06ED}')
}

/// The short vowels, sukun and tanween (not shadda, not superscript alef).
#[inline]
pub fn is_vowel_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{0650}' | '\u{0652}')
}

/// Tanween (fathatan, dammatan, kasratan).
#[inline]
pub fn is_tanween(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{064D}')
}

/// Invisible format and bidirectional-control characters.
#[inline]
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}')
}

/// Arabic presentation forms (contextual glyphs and ligatures) that fold to base letters.
#[inline]
pub fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Emoji, pictographs, dingbats and decorative symbols, plus the joiners and modifiers
/// that build emoji clusters.
#[inline]
pub fn is_emoji_or_symbol(c: char) -> bool {
    matches!(c,
        '\u{00A9}' | '\u{00AE}' | '\u{00B7}' | '\u{2022}' | '\u{2023}' | '\u{2027}' | '\u{203B}'
        | '\u{2043}' | '\u{204E}' | '\u{2055}' | '\u{20E3}' | '\u{2122}'
        | '\u{2190}'..='\u{23FF}'
        | '\u{25A0}'..='\u{27BF}'
        | '\u{2900}'..='\u{2BFF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{1F000}'..='\u{1FAFF}'
        | '\u{E0020}'..='\u{E007F}')
}

/// A separator that obfuscators put between the letters of one word.
#[inline]
pub fn is_separator_symbol(c: char) -> bool {
    matches!(
        c,
        '.' | '-'
            | '_'
            | '*'
            | '/'
            | '|'
            | '\\'
            | '\''
            | '`'
            | '~'
            | '+'
            | '='
            | ':'
            | '^'
            | '•'
            | '·'
            | '…'
            | '،'
            | ','
            | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

/// Persian, Urdu and Kurdish letters that Arabic does not use at all: their presence marks
/// a word (and weighs a line) as not Arabic.
#[inline]
pub fn is_non_arabic_only_letter(c: char) -> bool {
    matches!(
        c,
        'پ' | 'چ' | 'ژ' | 'گ' | 'ڕ' | 'ڵ' | 'ۆ' | 'ێ' | 'ٹ' | 'ڈ' | 'ڑ' | 'ے' | 'ۇ' | 'ۋ' | 'ۊ'
    )
}

/// Persian/Urdu letters that look like Arabic ones; folded to the Arabic letter in an
/// Arabic context.
#[inline]
pub fn persian_lookalike(c: char) -> Option<char> {
    Some(match c {
        'ک' | 'ڪ' => 'ك',
        'ی' => 'ي',
        'ہ' | 'ھ' | 'ە' => 'ه',
        'ۃ' => 'ة',
        _ => return None,
    })
}

/// Arabic-Indic (U+0660–0669) and Persian (U+06F0–06F9) digits to their value.
#[inline]
pub fn eastern_digit_value(c: char) -> Option<u32> {
    match c {
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// Any decimal digit this crate understands: ASCII, Arabic-Indic or Persian.
#[inline]
pub fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        Some(c as u32 - '0' as u32)
    } else {
        eastern_digit_value(c)
    }
}

/// A character that belongs inside a word: a letter of any script, a mark, tatweel.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if matches!(c, '\u{0600}'..='\u{06FF}') {
        return is_arabic_letter(c)
            || c == TATWEEL
            || is_arabic_mark(c)
            || matches!(c, '\u{06E5}'..='\u{06E6}');
    }
    is_alphabetic(c) || is_arabic_mark(c) || is_combining_latin(c)
}

#[inline]
fn is_combining_latin(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// The match-level fold of one character: `None` deletes it, `Some(c)` replaces it.
///
/// Diacritics, tatweel and format characters vanish; alef variants, alef maqsura, teh
/// marbuta and Persian lookalikes fold; eastern digits become ASCII. Case folding is
/// applied separately because it can expand.
#[inline]
pub fn match_fold(c: char) -> Option<char> {
    if (c as u32) < 0x80 {
        return Some(c);
    }
    if is_arabic_mark(c) || c == TATWEEL || is_format(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        _ => {
            if let Some(p) = persian_lookalike(c) {
                return Some(if p == 'ة' { 'ه' } else { p });
            }
            if let Some(d) = eastern_digit_value(c) {
                return char::from_digit(d, 10);
            }
            c
        }
    })
}

/// The dotless skeleton ("rasm") of a letter, used to compare words written without dots.
pub fn rasm(c: char) -> char {
    match c {
        'ب' | 'ت' | 'ث' | 'ن' | 'ي' | 'ٮ' | 'ئ' | 'ی' => 'ٮ',
        'ج' | 'ح' | 'خ' => 'ح',
        'د' | 'ذ' => 'د',
        'ر' | 'ز' => 'ر',
        'س' | 'ش' => 'س',
        'ص' | 'ض' => 'ص',
        'ط' | 'ظ' => 'ط',
        'ع' | 'غ' => 'ع',
        'ف' | 'ق' | 'ڡ' | 'ٯ' => 'ڡ',
        'ة' | 'ه' => 'ه',
        'ى' => 'ى',
        'ں' => 'ں',
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        'ك' | 'ک' => 'ك',
        _ => c,
    }
}

/// The rasm skeleton of a word. Final ن/ں/ي/ى fold together with the tooth letters
/// because undotted final forms are indistinguishable in the rasm writings seen in evasion.
pub fn rasm_key(s: &str) -> String {
    s.chars()
        .filter(|&c| match_fold(c).is_some())
        .map(|c| match rasm(c) {
            'ں' | 'ى' => 'ٮ',
            r => r,
        })
        .collect()
}

/// Letters that are written only in dotless ("rasm") evasion spellings.
#[inline]
pub fn is_dotless_only(c: char) -> bool {
    matches!(c, 'ٮ' | 'ڡ' | 'ٯ' | 'ں')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_arabic_letter('ت'));
        assert!(!is_arabic_letter(TATWEEL));
        assert!(is_arabic_mark('\u{064E}'));
        assert!(is_format('\u{200F}'));
        assert!(is_presentation_form('ﻻ'));
        assert!(is_emoji_or_symbol('🔥'));
        assert!(is_non_arabic_only_letter('پ'));
        assert_eq!(persian_lookalike('ک'), Some('ك'));
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۷'), Some(7));
    }

    #[test]
    fn folds() {
        assert_eq!(match_fold('أ'), Some('ا'));
        assert_eq!(match_fold('ة'), Some('ه'));
        assert_eq!(match_fold('ۃ'), Some('ه'));
        assert_eq!(match_fold('\u{064B}'), None);
        assert_eq!(match_fold('٤'), Some('4'));
        assert_eq!(rasm_key("بغداد"), rasm_key("ٮعداد"));
        assert_eq!(rasm_key("الحوثيين"), rasm_key("الحوٮٮٮں"));
    }
}

/// `char::is_alphanumeric`, with fast paths for ASCII and the Arabic letters (the
/// standard library's table lookup is slow for everything past Latin-1).
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}') {
        return true;
    }
    c.is_alphanumeric()
}

/// `char::is_alphabetic`, with the same fast paths as [`is_alphanumeric`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}') {
        return true;
    }
    c.is_alphabetic()
}

#[cfg(test)]
mod fast_class_tests {
    #[test]
    fn fast_paths_agree_with_the_standard_library() {
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(super::is_alphabetic(c), c.is_alphabetic(), "{c:?}");
        }
    }
}
