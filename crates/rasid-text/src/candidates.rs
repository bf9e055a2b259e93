//! Candidate repairs: evasion spellings that cannot be undone safely on their own.
//!
//! A bare period or hyphen between letters (`تنظ.يم`), digits used as letters (`دا3ش`),
//! Latin lookalikes (`دlعش`), dotless rasm writing (`ٮعداد`), reversed words, words split
//! in two, letters repeated — each is also ordinary text somewhere (`م.أحمد`, `2024م`).
//! They are therefore never applied to a view. Instead each plausible repair is offered
//! as a *candidate key* (match-level form) with the technique that produced it; a lexicon
//! (or a search pattern) confirms it, and only then is the repair reported.

use std::ops::Range;

use crate::chars::*;
use crate::normalize::{Config, Level, Normalizer, Technique, View};

/// Which candidate techniques to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateConfig {
    /// The techniques to generate (others are skipped).
    pub techniques: Vec<Technique>,
    /// Upper bound on the keys one token may expand to (Arabizi digits are ambiguous).
    pub max_expansions: usize,
}

impl Default for CandidateConfig {
    fn default() -> CandidateConfig {
        CandidateConfig {
            techniques: vec![
                Technique::Separator,
                Technique::Spacing,
                Technique::Split,
                Technique::Arabizi,
                Technique::Lookalike,
                Technique::Rasm,
                Technique::Reversed,
                Technique::Repetition,
            ],
            max_expansions: 256,
        }
    }
}

/// One candidate key and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The repaired text in match-level form (for [`Technique::Rasm`], a rasm skeleton:
    /// compare it with [`rasm_key`] of the term).
    pub key: String,
    /// The technique that produced the key.
    pub technique: Technique,
    /// Byte range of the original text the candidate covers.
    pub src: Range<usize>,
    /// For every key character, its key byte offset and original byte range.
    chars: Vec<(usize, Range<usize>)>,
    /// Key byte ranges that a confirming hit must cover (the repaired places).
    edits: Vec<Range<usize>>,
}

impl Candidate {
    /// The original byte range behind a byte range of the key.
    pub fn source_of(&self, key: Range<usize>) -> Range<usize> {
        let mut start = usize::MAX;
        let mut end = 0;
        for (k, src) in &self.chars {
            if *k >= key.start && *k < key.end {
                start = start.min(src.start);
                end = end.max(src.end);
            }
        }
        if start == usize::MAX {
            self.src.start..self.src.start
        } else {
            start..end
        }
    }

    /// Whether a hit at `key` (a key byte range) covers at least one repaired place; a hit
    /// that does not is already visible in the plain view.
    pub fn covers_edit(&self, key: Range<usize>) -> bool {
        self.edits.is_empty()
            || self
                .edits
                .iter()
                .any(|e| key.start <= e.start && e.end <= key.end)
    }
}

/// Builds one key character by character, remembering sources and edits.
struct KeyBuilder {
    key: String,
    chars: Vec<(usize, Range<usize>)>,
    edits: Vec<Range<usize>>,
    pending_join: Option<usize>,
}

impl KeyBuilder {
    fn new() -> KeyBuilder {
        KeyBuilder {
            key: String::new(),
            chars: Vec::new(),
            edits: Vec::new(),
            pending_join: None,
        }
    }

    /// Push a character (match-folded here), from original range `src`.
    fn push(&mut self, c: char, src: Range<usize>, edited: bool) {
        let Some(f) = match_fold(c) else { return };
        let at = self.key.len();
        if f.is_ascii() {
            self.key.push(f.to_ascii_lowercase());
        } else if matches!(f, '\u{0600}'..='\u{08FF}') {
            self.key.push(f);
        } else {
            self.key.extend(f.to_lowercase());
        }
        self.chars.push((at, src));
        if edited {
            self.edits.push(at..self.key.len());
        }
        if let Some(j) = self.pending_join.take() {
            self.edits.push(j..self.key.len());
        }
    }

    /// Something was removed here: a hit must span the characters on both sides.
    fn join(&mut self) {
        if let Some(&(at, _)) = self.chars.last() {
            if self.pending_join.is_none() {
                self.pending_join = Some(at);
            }
        }
    }

    fn finish(self, technique: Technique, src: Range<usize>) -> Candidate {
        Candidate {
            key: self.key,
            technique,
            src,
            chars: self.chars,
            edits: self.edits,
        }
    }
}

/// A whitespace-delimited chunk of the display view, trimmed of edge punctuation.
struct Chunk {
    /// Display-view byte range.
    range: Range<usize>,
    /// Characters with display ranges.
    chars: Vec<(char, Range<usize>)>,
    arabic_letters: usize,
}

/// Whether a chunk can yield a candidate other than a split or a reversal: it holds
/// Arabic letters and a separator, a digit, a Latin letter, tatweel, an emoji, a dotless
/// letter or a letter three times over inside, or it is short enough to be part of a
/// spaced-out word. Byte-level, because it runs on every word of every document.
fn interesting(text: &str) -> (u8, usize) {
    let b = trim_punct(text.as_bytes());
    if b.is_empty() {
        return (0, 0);
    }
    let mut arabic = 0;
    let mut other = false;
    // Arabic punctuation inside: a separator in a short word (`أ،ح`); in a longer one it
    // is a missing space far more often (`الرياض،التي`).
    let mut punct = false;
    let mut i = 0;
    let mut prev = u32::MAX;
    let mut run = 0;
    while i < b.len() {
        let x = b[i];
        let len = if x < 0x80 {
            1
        } else if x >= 0xF0 {
            4
        } else if x >= 0xE0 {
            3
        } else {
            2
        };
        let code = if (0xD8..=0xDB).contains(&x) && i + 1 < b.len() {
            let cp = (((x & 0x1F) as u32) << 6) | (b[i + 1] & 0x3F) as u32;
            match cp {
                0x0640 | 0x066E | 0x066F | 0x06A1 | 0x06BA | 0x0660..=0x0669 | 0x06F0..=0x06F9 => {
                    other = true
                }
                0x060C | 0x061B | 0x061F | 0x066A..=0x066D | 0x06D4 => punct = true,
                0x0621..=0x064A | 0x0671..=0x06D3 => arabic += 1,
                _ => {}
            }
            cp
        } else {
            other = true;
            // Any value that is not an Arabic code point, for the repetition check.
            0x10_0000 | x as u32
        };
        run = if code == prev { run + 1 } else { 1 };
        if run >= 3 {
            other = true;
        }
        prev = code;
        i += len;
    }
    let other = other || (punct && arabic <= 2);
    let class = match (arabic > 0, other, arabic <= 2) {
        (false, _, _) => 0,
        (true, true, _) => 2,
        (true, false, true) => 1,
        _ => 0,
    };
    (class, arabic)
}

/// `b` without the punctuation around it: ASCII, Arabic (، ؛ ؟ ٪ ٫ ٬ ٭ ۔) and
/// typographic quotes, dashes and ellipses (« » “ ” „ ‘ ’ ‹ › – — …).
fn trim_punct(mut b: &[u8]) -> &[u8] {
    fn punct_len(c: &[u8]) -> bool {
        matches!(
            c,
            [x] if !x.is_ascii_alphanumeric()
        ) || matches!(
            c,
            [0xD8, 0x8C | 0x9B | 0x9F]
                | [0xD9, 0xAA..=0xAD]
                | [0xDB, 0x94]
                | [0xC2, 0xAB | 0xBB]
                | [
                    0xE2,
                    0x80,
                    0x93 | 0x94 | 0x98 | 0x99 | 0x9C | 0x9D | 0x9E | 0xA6 | 0xB9 | 0xBA
                ]
        )
    }
    loop {
        let n = match b.first() {
            Some(&x) if x < 0x80 => 1,
            Some(&x) if x >= 0xF0 => 4,
            Some(&x) if x >= 0xE0 => 3,
            Some(_) => 2,
            None => return b,
        };
        if b.len() >= n && punct_len(&b[..n]) {
            b = &b[n..];
        } else {
            break;
        }
    }
    loop {
        let Some(&last) = b.last() else { return b };
        let n = if last < 0x80 {
            1
        } else {
            // Back to the lead byte.
            match b.iter().rev().take(4).position(|&x| x >= 0xC0) {
                Some(p) => p + 1,
                None => return b,
            }
        };
        if punct_len(&b[b.len() - n..]) {
            b = &b[..b.len() - n];
        } else {
            return b;
        }
    }
}

/// Calls `f(start, end, class, letters)` for each whitespace-delimited word of `view`:
/// class 2 when the word can yield a candidate of its own, 1 when it is short (one or two
/// letters: part of a spaced-out word at most), 0 otherwise (all 2 with `all`); see
/// [`interesting`], which this agrees with word for word.
fn classify_words(view: &str, all: bool, mut f: impl FnMut(usize, usize, u8, usize)) {
    // Words first, cheaply; a word that cannot yield a candidate (most of them) is never
    // taken apart. A short word counts only in a run of three or more, two of them single
    // letters (a spaced-out word, `دا ع ش`): the only candidate a short word can yield.
    // One pass over the bytes: the common Arabic letters (lead byte D8 or D9) are taken
    // two bytes at a time, and only a word with anything else goes through `interesting`.
    let b = view.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let s = i;
        let mut letters = 0;
        let mut plain = true;
        let mut prev = 0u8;
        let mut run = 0;
        while i < b.len() {
            let x = b[i];
            if x & 0xFE == 0xD8 && i + 1 < b.len() {
                let y = b[i + 1];
                // Without a branch on the lead byte, which alternates unpredictably.
                if COMMON_LETTER[usize::from(x & 1) << 8 | usize::from(y)] {
                    // Letters are told apart by their second byte (D8 A1–BA, D9 81–8A).
                    run = if y == prev { run + 1 } else { 1 };
                    plain &= run < 3;
                    prev = y;
                    letters += 1;
                } else {
                    plain = false;
                    prev = 0;
                }
                i += 2;
            } else if x < 0x80 {
                if x.is_ascii_whitespace() {
                    break;
                }
                plain = false;
                prev = 0;
                i += 1;
            } else if (0xDA..=0xDB).contains(&x) {
                plain = false;
                prev = 0;
                i += 2;
            } else {
                let c = view[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    break;
                }
                plain = false;
                prev = 0;
                i += c.len_utf8();
            }
        }
        if i > s {
            let (class, letters) = if all {
                (2, 0)
            } else if plain {
                (u8::from(letters <= 2), letters)
            } else {
                interesting(&view[s..i])
            };
            f(s, i, class, letters);
        }
        // Past the whitespace character.
        i += match b.get(i) {
            Some(&x) if x >= 0xF0 => 4,
            Some(&x) if x >= 0xE0 => 3,
            Some(&x) if x >= 0x80 => 2,
            _ => 1,
        };
    }
}

/// Whether `c` separates words for [`classify_words`].
fn is_word_space(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_whitespace()
    } else {
        c.is_whitespace()
    }
}

/// A spaced-out word (`دا ع ش`) is a run of at least this many words of one or two
/// letters…
const SPACED_WORDS: usize = 3;
/// …at least this many of them single letters.
const SPACED_SINGLES: usize = 2;

/// Whether `c` is one of the common Arabic letters ء to غ and ف to ي: a word made of
/// three or more of them, none three times in a row, yields no candidate.
pub fn is_common_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
}

/// Whether the letters of `bytes` (two bytes each) include one three times in a row.
fn letter_thrice(bytes: &[u8]) -> bool {
    bytes
        .chunks_exact(2)
        .map(|p| u16::from_ne_bytes([p[0], p[1]]))
        .scan((0u16, 0u16), |(a, b), c| {
            let thrice = *a == *b && *b == c;
            (*a, *b) = (*b, c);
            Some(thrice)
        })
        .any(|t| t)
}

/// The `tokens` of [`candidates_in_tokens`], for a caller that reads the view word by
/// word anyway (a matcher decoding it): each whitespace-delimited word goes to
/// [`SuspectWords::word`], in order, then [`SuspectWords::finish`]. A word is kept when it
/// may yield a candidate, a short plain one only when it is in a run that may be a
/// spaced-out word — fewer words than the contract needs, and the same candidates.
#[derive(Debug, Default)]
pub struct SuspectWords {
    /// The current run of kept words, each with whether it is plain (short, then).
    run: Vec<(Range<usize>, bool)>,
    /// Words of the run that may be a single letter.
    singles: usize,
}

impl SuspectWords {
    /// The word `bytes` of the view, at byte `start`: `plain` when it is nothing but
    /// common letters ([`is_common_letter`]), none three times in a row (the caller
    /// tells, having read the letters anyway), `arabic` when it has a lead byte D8–DB.
    #[inline]
    pub fn word(
        &mut self,
        bytes: &[u8],
        start: usize,
        plain: bool,
        arabic: bool,
        out: &mut Vec<Range<usize>>,
    ) {
        // Most words: plain ones, told apart here without a call. Three letters or
        // more end the run (and yield nothing); one or two may be a piece of a
        // spaced-out word.
        if plain {
            if bytes.len() > 4 {
                self.finish(out);
            } else {
                self.singles += usize::from(bytes.len() <= 2);
                self.run.push((start..start + bytes.len(), true));
            }
            return;
        }
        self.word_slow(bytes, start, arabic, out);
    }

    /// A word that is not plain: kept unless it has no Arabic character or is
    /// punctuation around a plain core (`الماضي،`, `«داعش»`), which yields nothing, as
    /// `interesting` trims it.
    #[inline(never)]
    fn word_slow(&mut self, bytes: &[u8], start: usize, arabic: bool, out: &mut Vec<Range<usize>>) {
        if !arabic || plain_core(bytes) {
            self.finish(out);
            return;
        }
        self.singles += 1;
        self.run.push((start..start + bytes.len(), false));
    }

    /// The run ends (at a word that cannot yield a candidate, or at the end of the view):
    /// its words go to `out`, its short plain ones only when it may be a spaced-out word.
    #[inline]
    pub fn finish(&mut self, out: &mut Vec<Range<usize>>) {
        if self.run.is_empty() {
            return;
        }
        let spaced = self.run.len() >= SPACED_WORDS && self.singles >= SPACED_SINGLES;
        out.extend(
            self.run
                .drain(..)
                .filter(|(_, plain)| spaced || !plain)
                .map(|(r, _)| r),
        );
        self.singles = 0;
    }
}

/// Whether `bytes` without the punctuation around it ([`trim_punct`]) is three common
/// letters or more, none three times in a row.
fn plain_core(bytes: &[u8]) -> bool {
    let core = trim_punct(bytes);
    core.len() >= 6
        && core.len().is_multiple_of(2)
        && core.chunks_exact(2).all(|p| {
            matches!(p[0], 0xD8 | 0xD9)
                && COMMON_LETTER[usize::from(p[0] & 1) << 8 | usize::from(p[1])]
        })
        && !letter_thrice(core)
}

/// Whether the two bytes `D8 y` (first half) or `D9 y` (second half) encode one of the
/// common Arabic letters ([`is_common_letter`]): ء to غ (D8 A1–BA) and ف to ي (D9 81–8A).
static COMMON_LETTER: [bool; 512] = {
    let mut t = [false; 512];
    let mut y = 0xA1;
    while y <= 0xBA {
        t[y] = true;
        y += 1;
    }
    let mut y = 0x81;
    while y <= 0x8A {
        t[256 + y] = true;
        y += 1;
    }
    t
};

/// The chunks of `view` that may yield a candidate: from every word of `view`, or with
/// `tokens` from those words only (see [`candidates_in_tokens`]).
fn chunks(view: &str, all: bool, tokens: Option<&[Range<usize>]>) -> Vec<Chunk> {
    let mut out = Vec::new();
    let flush = |s: usize, e: usize, out: &mut Vec<Chunk>| {
        let text = &view[s..e];
        let skip = text.starts_with("http")
            || text.starts_with("www.")
            || text.starts_with('#')
            || text.starts_with('@')
            || text.contains('@');
        if skip {
            return;
        }
        let mut chars: Vec<(char, Range<usize>)> = text
            .char_indices()
            .map(|(i, c)| (c, s + i..s + i + c.len_utf8()))
            .collect();
        let core = |c: char| c.is_alphanumeric() || is_arabic_mark(c) || c == TATWEEL;
        while chars.first().is_some_and(|(c, _)| !core(*c)) {
            chars.remove(0);
        }
        while chars.last().is_some_and(|(c, _)| !core(*c)) {
            chars.pop();
        }
        if chars.is_empty() {
            return;
        }
        let arabic_letters = chars.iter().filter(|(c, _)| is_arabic_letter(*c)).count();
        let range = chars[0].1.start..chars[chars.len() - 1].1.end;
        out.push(Chunk {
            range,
            chars,
            arabic_letters,
        });
    };
    // The words that may yield a candidate; a run of others is kept as one break.
    let mut words: Vec<(usize, usize, u8, usize)> = Vec::new();
    let mut keep = |s: usize, e: usize, class: u8, letters: usize| {
        if class != 0 {
            words.push((s, e, class, letters));
        } else if words.last().is_some_and(|w| w.2 != 0) {
            words.push((s, e, 0, letters));
        }
    };
    match tokens {
        Some(tokens) if !all => {
            let mut prev_end = None;
            for t in tokens {
                // Words left out between two given ones break a run.
                if prev_end.is_some_and(|p: usize| {
                    p > t.start || !view[p..t.start].chars().all(is_word_space)
                }) {
                    keep(t.start, t.start, 0, 0);
                }
                classify_words(&view[t.clone()], false, |s, e, class, letters| {
                    keep(t.start + s, t.start + e, class, letters)
                });
                prev_end = Some(t.end);
            }
        }
        _ => classify_words(view, all, keep),
    }
    let mut k = 0;
    while k < words.len() {
        match words[k].2 {
            2 if words[k].3 > 2 => {
                flush(words[k].0, words[k].1, &mut out);
                k += 1;
            }
            1 | 2 => {
                // Class 2 words with one or two letters may be short once trimmed (`أ"،`).
                let run = words[k..]
                    .iter()
                    .take_while(|w| w.2 == 1 || (w.2 == 2 && w.3 <= 2))
                    .count();
                let singles = words[k..k + run].iter().filter(|w| w.3 == 1).count();
                for &(s, e, class, _) in &words[k..k + run] {
                    if class == 2 || (run >= SPACED_WORDS && singles >= SPACED_SINGLES) {
                        flush(s, e, &mut out);
                    }
                }
                k += run;
            }
            _ => k += 1,
        }
    }
    out
}

fn arabizi(c: char) -> &'static [char] {
    match c {
        '1' => &['ا'],
        '2' => &['ا', 'ء'],
        '3' => &['ع'],
        '5' => &['خ'],
        '6' => &['ط'],
        '7' => &['ح'],
        '8' => &['غ', 'ق'],
        '9' => &['ق', 'ص'],
        _ => &[],
    }
}

fn lookalike(c: char) -> Option<char> {
    Some(match c {
        'l' | 'I' | 'i' | '|' | '١' | '!' => 'ا',
        'o' | 'O' | '٥' | 'ο' | 'σ' => 'ه',
        'ε' | 'E' | 'e' => 'ع',
        // Capitals as they are, and as a case-folded view has them.
        'J' | 'j' => 'ل',
        'y' => 'ي',
        'u' => 'ي',
        _ => return None,
    })
}

/// Generate the candidate repairs of `text` (an original text, e.g. one line or one
/// article), in order of position.
pub fn candidates(text: &str, config: &CandidateConfig) -> Vec<Candidate> {
    let display = Normalizer::new(Config {
        level: Level::Display,
        fold_case: true,
        record_repairs: false,
    });
    let view = display.normalize(text);
    candidates_in(text, &view, config)
}

/// Like [`candidates`], on a display view of `text` that the caller already has.
pub fn candidates_in(text: &str, view: &View, config: &CandidateConfig) -> Vec<Candidate> {
    candidates_from(text, view, None, config)
}

/// Like [`candidates_in`], for a caller that has already gone over the words of the view
/// (a matcher decoding it): only the whitespace-delimited words in `tokens` (byte
/// ranges of the view, in order) are looked at. The result is that of
/// [`candidates_in`] when `tokens` holds every word that is not either free of Arabic
/// letters (lead bytes D8–DB) or three or more of the common letters ء–غ and ف–ي with no
/// letter three times in a row: a word of that kind yields no candidate ([`SuspectWords`]
/// collects such tokens, fewer still). With the split or reversal technique on, every
/// word can yield one and `tokens` is not used.
pub fn candidates_in_tokens(
    text: &str,
    view: &View,
    tokens: &[Range<usize>],
    config: &CandidateConfig,
) -> Vec<Candidate> {
    candidates_from(text, view, Some(tokens), config)
}

fn candidates_from(
    _text: &str,
    view: &View,
    tokens: Option<&[Range<usize>]>,
    config: &CandidateConfig,
) -> Vec<Candidate> {
    let on = |t: Technique| config.techniques.contains(&t);
    let v = view.as_str();
    let src = |r: &Range<usize>| view.to_source(r.clone());
    let chunks = chunks(v, on(Technique::Split) || on(Technique::Reversed), tokens);
    let mut out = Vec::new();
    for ch in &chunks {
        if ch.arabic_letters == 0 {
            continue;
        }
        let whole = src(&ch.range);
        // Bare separators (and one-sided tatweel) between Arabic letters.
        let separated = ch
            .chars
            .iter()
            .any(|(c, _)| is_separator_symbol(*c) || *c == TATWEEL || is_emoji_or_symbol(*c));
        if separated && (on(Technique::Separator) || on(Technique::Spacing)) {
            let mut kb = KeyBuilder::new();
            let mut removed = 0;
            let mut parts = vec![0usize];
            for (i, (c, r)) in ch.chars.iter().enumerate() {
                let between = i > 0
                    && i + 1 < ch.chars.len()
                    && (is_separator_symbol(*c) || *c == TATWEEL || is_emoji_or_symbol(*c))
                    && is_arabic_side(&ch.chars[..i], true)
                    && is_arabic_side(&ch.chars[i + 1..], false);
                if between {
                    if *c != TATWEEL {
                        removed += 1;
                        if parts.last() != Some(&0) {
                            parts.push(0);
                        }
                    }
                    kb.join();
                } else {
                    if is_arabic_letter(*c) {
                        *parts.last_mut().unwrap() += 1;
                    }
                    kb.push(*c, src(r), false);
                }
            }
            if removed > 0 {
                let spaced = parts.len() >= 3 && parts.iter().all(|&n| n <= 1);
                let t = if spaced {
                    Technique::Spacing
                } else {
                    Technique::Separator
                };
                if on(t) {
                    out.push(kb.finish(t, whole.clone()));
                }
            }
        }
        // Digits standing for letters.
        if on(Technique::Arabizi) && ch.arabic_letters >= 2 {
            let digits: Vec<usize> = (0..ch.chars.len())
                .filter(|&i| ch.chars[i].0.is_ascii_digit())
                .collect();
            let runs_ok = !digits.is_empty()
                && digits.iter().all(|&i| {
                    let run = |d: &mut dyn Iterator<Item = usize>| {
                        d.take_while(|&j| ch.chars[j].0.is_ascii_digit()).count()
                    };
                    let left = run(&mut (0..i).rev());
                    let right = run(&mut (i + 1..ch.chars.len()));
                    left + right < 2 && !arabizi(ch.chars[i].0).is_empty()
                });
            if runs_ok {
                expand(
                    ch,
                    &src,
                    |c| arabizi(c).to_vec(),
                    config.max_expansions,
                    Technique::Arabizi,
                    &whole,
                    &mut out,
                );
            }
        }
        // Lookalike characters inside an Arabic word.
        if on(Technique::Lookalike) && ch.arabic_letters >= 2 {
            let n = ch
                .chars
                .iter()
                .filter(|(c, _)| lookalike(*c).is_some())
                .count();
            let others = ch
                .chars
                .iter()
                .filter(|(c, _)| c.is_ascii_alphabetic() && lookalike(*c).is_none())
                .count();
            if n > 0 && others == 0 && n * 2 <= ch.chars.len() {
                expand(
                    ch,
                    &src,
                    |c| lookalike(c).into_iter().collect(),
                    1,
                    Technique::Lookalike,
                    &whole,
                    &mut out,
                );
            }
        }
        let letters_only = ch
            .chars
            .iter()
            .all(|(c, _)| is_arabic_letter(*c) || is_arabic_mark(*c));
        // Letters repeated to break a word.
        let repeated = ch
            .chars
            .windows(3)
            .any(|w| w[0].0 == w[1].0 && w[1].0 == w[2].0);
        if on(Technique::Repetition) && letters_only && repeated {
            for keep in [2usize, 1] {
                let mut kb = KeyBuilder::new();
                let mut changed = false;
                let mut i = 0;
                let cs = &ch.chars;
                while i < cs.len() {
                    let c = cs[i].0;
                    let mut j = i;
                    while j < cs.len() && cs[j].0 == c {
                        j += 1;
                    }
                    let n = j - i;
                    let take = if n >= 3 { keep } else { n };
                    if take < n {
                        changed = true;
                        for (k, (c, r)) in cs[i..i + take].iter().enumerate() {
                            let last = k + 1 == take;
                            kb.push(
                                *c,
                                if last {
                                    src(&(r.start..cs[j - 1].1.end))
                                } else {
                                    src(r)
                                },
                                true,
                            );
                        }
                    } else {
                        for (c, r) in &cs[i..j] {
                            kb.push(*c, src(r), false);
                        }
                    }
                    i = j;
                }
                if changed {
                    out.push(kb.finish(Technique::Repetition, whole.clone()));
                }
            }
        }
        // A word written backwards.
        if on(Technique::Reversed) && letters_only && ch.arabic_letters >= 3 {
            let mut kb = KeyBuilder::new();
            for (c, r) in ch.chars.iter().rev().filter(|(c, _)| is_arabic_letter(*c)) {
                kb.push(*c, src(r), false);
            }
            out.push(kb.finish(Technique::Reversed, whole.clone()));
        }
        // Dotless writing.
        if on(Technique::Rasm) && ch.chars.iter().any(|(c, _)| is_dotless_only(*c)) {
            let mut kb = KeyBuilder::new();
            for (c, r) in &ch.chars {
                if match_fold(*c).is_some() {
                    let k = rasm_key(&c.to_string());
                    for rc in k.chars() {
                        // rasm skeleton characters are kept as they are (match_fold is identity on them)
                        kb.push(rc, src(r), false);
                    }
                }
            }
            out.push(kb.finish(Technique::Rasm, whole.clone()));
        }
    }
    // Runs of short chunks (`دا ع ش`) and adjacent pairs (`تنظ يم`).
    let short = |c: &Chunk| c.arabic_letters == c.chars.len() && c.arabic_letters <= 2;
    if on(Technique::Spacing) {
        let mut i = 0;
        while i < chunks.len() {
            let mut j = i;
            while j < chunks.len() && short(&chunks[j]) && adjacent(v, &chunks, j, i) {
                j += 1;
            }
            let singles = chunks[i..j]
                .iter()
                .filter(|c| c.arabic_letters == 1)
                .count();
            if j - i >= SPACED_WORDS && singles >= SPACED_SINGLES {
                out.push(join_chunks(&chunks[i..j], &src, Technique::Spacing));
                i = j;
            } else {
                i += 1;
            }
        }
    }
    if on(Technique::Split) {
        for w in chunks.windows(2) {
            let pure = |c: &Chunk| {
                c.arabic_letters > 0
                    && c.chars
                        .iter()
                        .all(|(c, _)| is_arabic_letter(*c) || is_arabic_mark(*c))
            };
            if pure(&w[0])
                && pure(&w[1])
                && v[w[0].range.end..w[1].range.start]
                    .chars()
                    .all(|c| c == ' ')
            {
                out.push(join_chunks(w, &src, Technique::Split));
            }
        }
    }
    out.sort_by_key(|c| (c.src.start, c.src.end));
    out
}

/// Whether chunk `j` continues a run that started at `i` (separated only by spaces).
fn adjacent(v: &str, chunks: &[Chunk], j: usize, i: usize) -> bool {
    j == i
        || v[chunks[j - 1].range.end..chunks[j].range.start]
            .chars()
            .all(|c| c == ' ')
}

fn is_arabic_side(chars: &[(char, Range<usize>)], left: bool) -> bool {
    let mut it: Box<dyn Iterator<Item = &(char, Range<usize>)>> = if left {
        Box::new(chars.iter().rev())
    } else {
        Box::new(chars.iter())
    };
    it.find(|(c, _)| !(is_separator_symbol(*c) || *c == TATWEEL || is_arabic_mark(*c)))
        .is_some_and(|(c, _)| is_arabic_letter(*c))
}

fn join_chunks(
    chunks: &[Chunk],
    src: &dyn Fn(&Range<usize>) -> Range<usize>,
    t: Technique,
) -> Candidate {
    let mut kb = KeyBuilder::new();
    for (k, c) in chunks.iter().enumerate() {
        if k > 0 {
            kb.join();
        }
        for (ch, r) in &c.chars {
            kb.push(*ch, src(r), false);
        }
    }
    let whole = src(&(chunks[0].range.start..chunks[chunks.len() - 1].range.end));
    kb.finish(t, whole)
}

/// Expand a chunk where some characters have replacement options.
fn expand(
    ch: &Chunk,
    src: &dyn Fn(&Range<usize>) -> Range<usize>,
    options: impl Fn(char) -> Vec<char>,
    max: usize,
    t: Technique,
    whole: &Range<usize>,
    out: &mut Vec<Candidate>,
) {
    let opts: Vec<Vec<char>> = ch.chars.iter().map(|(c, _)| options(*c)).collect();
    let total: usize = opts
        .iter()
        .map(|o| o.len().max(1))
        .try_fold(1usize, |a, n| a.checked_mul(n))
        .unwrap_or(usize::MAX);
    let total = total.min(max.max(1));
    for mut n in 0..total {
        let mut kb = KeyBuilder::new();
        for ((c, r), o) in ch.chars.iter().zip(&opts) {
            if o.is_empty() {
                kb.push(*c, src(r), false);
            } else {
                let pick = o[n % o.len()];
                n /= o.len();
                kb.push(pick, src(r), true);
            }
        }
        out.push(kb.finish(t, whole.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str, t: Technique) -> Vec<String> {
        candidates(s, &CandidateConfig::default())
            .into_iter()
            .filter(|c| c.technique == t)
            .map(|c| c.key)
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, .. Default::default() })]
        /// The one-pass word classification agrees with the per-word rule.
        #[test]
        fn word_classes_agree(
            v in proptest::collection::vec(
                proptest::sample::select(vec![
                    "ا", "ب", "ت", "ع", "ش", "د", "ي", "ه", "ة", "ى", "ء", "غ", "ف", "ل",
                    "ٮ", "ـ", "ً", "۔", "،", "؟", "٣", " ", "  ", "\u{a0}", "\n", ".", "-",
                    "\"", "«", "»", "“", "3", "a", "l", "😀", "ه", "هه",
                ]),
                0..40,
            )
        ) {
            let text: String = v.concat();
            let mut words = Vec::new();
            classify_words(&text, false, |s, e, class, letters| words.push((s, e, class, letters)));
            let split: Vec<&str> = text.split(char::is_whitespace).filter(|w| !w.is_empty()).collect();
            proptest::prop_assert_eq!(words.len(), split.len(), "{:?}", text);
            for (&(s, e, class, letters), w) in words.iter().zip(&split) {
                proptest::prop_assert_eq!(&text[s..e], *w);
                proptest::prop_assert_eq!((class, letters), interesting(w), "{:?}", w);
            }
        }

        /// Given the words that are not plain and long (and at will some that are),
        /// `candidates_in_tokens` finds what `candidates_in` finds.
        #[test]
        fn given_words_suffice(
            v in proptest::collection::vec(
                proptest::sample::select(vec![
                    "داعش", "دا3ش", "دlعش", "تنـ.ـظيم", "د", "ا", "ع", "ش", "في", "الرقة",
                    "ههه", "ٮ", "،", "3", "x", "«", " ", " ", "  ", "\n",
                ]),
                0..30,
            ),
            extra in proptest::bool::ANY,
        ) {
            let text: String = v.concat();
            // Without the techniques that make every word a candidate.
            let mut config = CandidateConfig::default();
            config.techniques.retain(|t| !matches!(t, Technique::Split | Technique::Reversed));
            let view = Normalizer::new(Config {
                level: Level::Match,
                fold_case: true,
                record_repairs: true,
            })
            .normalize(&text);
            let mut tokens = Vec::new();
            classify_words(view.as_str(), false, |s, e, class, _| {
                if class != 0 || extra {
                    tokens.push(s..e);
                }
            });
            let key = |c: Candidate| (c.key, c.src, c.technique);
            let all: Vec<_> = candidates_in(&text, &view, &config).into_iter().map(key).collect();
            let given: Vec<_> = candidates_in_tokens(&text, &view, &tokens, &config)
                .into_iter()
                .map(key)
                .collect();
            proptest::prop_assert_eq!(given, all, "{:?}", text);
        }
    }

    #[test]
    fn each_technique() {
        assert!(keys("تنظ.يم", Technique::Separator).contains(&"تنظيم".to_string()));
        assert!(keys("تنـ.ظيم", Technique::Separator).contains(&"تنظيم".to_string()));
        assert!(keys("د.ا.ع.ش", Technique::Spacing).contains(&"داعش".to_string()));
        assert!(keys("مقاتلو دا ع ش", Technique::Spacing).contains(&"داعش".to_string()));
        assert!(keys("تنظ يم", Technique::Split).contains(&"تنظيم".to_string()));
        assert!(keys("دا3ش", Technique::Arabizi).contains(&"داعش".to_string()));
        assert!(keys("دlعش", Technique::Lookalike).contains(&"داعش".to_string()));
        assert!(keys("شعاد", Technique::Reversed).contains(&"داعش".to_string()));
        assert!(keys("داااعش", Technique::Repetition).contains(&"داعش".to_string()));
        assert!(keys("ٮعداد", Technique::Rasm).contains(&rasm_key("بغداد")));
    }

    #[test]
    fn sources_and_edits() {
        let s = "خلايا التنظ.يم هنا";
        let c = candidates(s, &CandidateConfig::default())
            .into_iter()
            .find(|c| c.technique == Technique::Separator)
            .unwrap();
        assert_eq!(c.key, "التنظيم");
        let at = c.key.find("تنظيم").unwrap();
        let r = c.source_of(at..at + "تنظيم".len());
        assert_eq!(&s[r], "تنظ.يم");
        assert!(c.covers_edit(at..at + "تنظيم".len()));
        assert!(!c.covers_edit(0..4));
    }

    #[test]
    fn no_arabizi_for_years() {
        assert!(keys("2024م", Technique::Arabizi).is_empty());
        assert!(keys("عام 2024", Technique::Arabizi).is_empty());
    }
}
