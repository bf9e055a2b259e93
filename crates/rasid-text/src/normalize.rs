//! The normalizer: a read-only, offset-mapped view of a text at display or match level.
//!
//! One left-to-right pass over the original. Most characters are copied (display) or
//! folded (match); a handful of trigger characters — tatweel, format characters, marks,
//! presentation forms, emoji, Persian lookalikes, single letters at a word start — look
//! at their neighbours to decide whether they are evasion or real text.

use std::ops::Range;

use crate::chars::*;
use crate::map::{MapBuilder, OffsetMap};

/// How far the view departs from the original.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Level {
    /// Only safe repairs of evasion spellings and encoding noise; what an analyst reads.
    #[default]
    Display,
    /// Display plus the folding used for matching: no diacritics or tatweel, one alef,
    /// ى → ي, ة → ه, ASCII digits, lower-case Latin.
    Match,
}

impl Level {
    /// The level's name as used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Display => "display",
            Level::Match => "match",
        }
    }
}

/// Settings of a [`Normalizer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Display or match level.
    pub level: Level,
    /// At match level, lower-case letters (Latin and every other cased script).
    pub fold_case: bool,
    /// Keep the list of display repairs with their original spans (cheap: repairs are rare).
    pub record_repairs: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            level: Level::Display,
            fold_case: true,
            record_repairs: true,
        }
    }
}

/// What kind of evasion or noise a repair (or a candidate) undid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Technique {
    /// Arabic presentation-form glyphs folded to base letters.
    PresentationForm,
    /// A letter followed by a combining hamza or madda, composed.
    Composition,
    /// A Persian/Urdu lookalike letter in Arabic text.
    PersianLetter,
    /// An emoji or symbol inside a word.
    Emoji,
    /// A separator flanked by tatweel inside a word (`تنـ.ـظيم`).
    TatweelSeparator,
    /// An invisible format or bidi character inside a word.
    Format,
    /// Stretching tatweel between letters.
    Tatweel,
    /// Letters spaced apart (`ه ج و م`).
    LetterSpacing,
    /// Malformed (nonsense) diacritics stripped from a word.
    Diacritics,
    /// Candidate: a bare symbol between letters (`تنظ.يم`).
    Separator,
    /// Candidate: letters spaced with periods or short chunks (`د.ا.ع.ش`, `دا ع ش`).
    Spacing,
    /// Candidate: a word split in two (`تنظ يم`).
    Split,
    /// Candidate: digits standing for letters (`دا3ش`).
    Arabizi,
    /// Candidate: Latin or digit lookalikes inside an Arabic word (`دlعش`).
    Lookalike,
    /// Candidate: dotless writing (`ٮعداد`).
    Rasm,
    /// Candidate: a word written backwards.
    Reversed,
    /// Candidate: a letter repeated to break the word (`داااعش`).
    Repetition,
}

impl Technique {
    /// Stable snake-case name, used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::PresentationForm => "presentation_form",
            Technique::Composition => "composition",
            Technique::PersianLetter => "persian_letter",
            Technique::Emoji => "emoji",
            Technique::TatweelSeparator => "tatweel_separator",
            Technique::Format => "format_char",
            Technique::Tatweel => "tatweel",
            Technique::LetterSpacing => "letter_spacing",
            Technique::Diacritics => "diacritics",
            Technique::Separator => "separator",
            Technique::Spacing => "spacing",
            Technique::Split => "split",
            Technique::Arabizi => "arabizi",
            Technique::Lookalike => "lookalike",
            Technique::Rasm => "rasm",
            Technique::Reversed => "reversed",
            Technique::Repetition => "repetition",
        }
    }

    /// Every technique, in a fixed order.
    pub const ALL: [Technique; 17] = [
        Technique::PresentationForm,
        Technique::Composition,
        Technique::PersianLetter,
        Technique::Emoji,
        Technique::TatweelSeparator,
        Technique::Format,
        Technique::Tatweel,
        Technique::LetterSpacing,
        Technique::Diacritics,
        Technique::Separator,
        Technique::Spacing,
        Technique::Split,
        Technique::Arabizi,
        Technique::Lookalike,
        Technique::Rasm,
        Technique::Reversed,
        Technique::Repetition,
    ];

    /// Parse the snake-case name.
    pub fn from_name(s: &str) -> Option<Technique> {
        Technique::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A display repair applied to the original range `src`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Byte range of the original that the repair touched.
    pub src: Range<usize>,
    /// What was undone.
    pub technique: Technique,
}

/// A normalized view of a text with its map back to the original.
#[derive(Clone, Debug)]
pub struct View {
    text: String,
    map: OffsetMap,
    repairs: Vec<Repair>,
    /// Per repair, the largest end of it and those before it (nondecreasing), made when
    /// first asked for: [`View::repairs_in`] finds its first repair by a binary search.
    repair_ends: std::sync::OnceLock<Vec<usize>>,
}

impl Default for View {
    /// The view of the empty text.
    fn default() -> View {
        View {
            text: String::new(),
            map: OffsetMap::identity(0),
            repairs: Vec::new(),
            repair_ends: Default::default(),
        }
    }
}

impl View {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The normalized text, owned.
    pub fn into_string(self) -> String {
        self.text
    }

    /// The offset map to the original.
    pub fn map(&self) -> &OffsetMap {
        &self.map
    }

    /// The original byte range behind a byte range of the view.
    pub fn to_source(&self, view: Range<usize>) -> Range<usize> {
        self.map.to_source(view)
    }

    /// The display repairs, in order, with original byte ranges.
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// Repairs that touch the original byte range `src`, in order. The repairs are
    /// sorted by start: the first that may touch `src` is the first whose end (or an
    /// earlier one's) is past its start, found by a binary search, so that a long
    /// document with many repairs does not cost a pass over them all per question.
    pub fn repairs_in(&self, src: Range<usize>) -> impl Iterator<Item = &Repair> {
        let ends = self.repair_ends.get_or_init(|| {
            self.repairs
                .iter()
                .scan(0, |m, r| {
                    *m = r.src.end.max(*m);
                    Some(*m)
                })
                .collect()
        });
        let first = ends.partition_point(|&e| e <= src.start);
        self.repairs[first..]
            .iter()
            .take_while(move |r| r.src.start < src.end)
            .filter(move |r| src.start < r.src.end)
    }
}

/// Builds a [`Normalizer`].
#[derive(Clone, Debug, Default)]
pub struct NormalizerBuilder {
    config: Config,
}

impl NormalizerBuilder {
    /// Start from the default configuration (display level).
    pub fn new() -> NormalizerBuilder {
        NormalizerBuilder::default()
    }

    /// Display or match level.
    pub fn level(mut self, level: Level) -> NormalizerBuilder {
        self.config.level = level;
        self
    }

    /// Lower-case at match level (on by default).
    pub fn fold_case(mut self, yes: bool) -> NormalizerBuilder {
        self.config.fold_case = yes;
        self
    }

    /// Record repairs (on by default).
    pub fn record_repairs(mut self, yes: bool) -> NormalizerBuilder {
        self.config.record_repairs = yes;
        self
    }

    /// The immutable normalizer.
    pub fn build(self) -> Normalizer {
        Normalizer {
            config: self.config,
        }
    }
}

/// An immutable, shareable normalizer (cheap to clone, `Send + Sync`).
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    config: Config,
}

impl Normalizer {
    /// A normalizer with the given configuration.
    pub fn new(config: Config) -> Normalizer {
        Normalizer { config }
    }

    /// A builder.
    pub fn builder() -> NormalizerBuilder {
        NormalizerBuilder::new()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Normalize `text` into a view. Never fails, never panics, never changes `text`.
    pub fn normalize(&self, text: &str) -> View {
        let (v, hamza) = self.normalize_once(text);
        // Deleting noise can bring a letter next to a combining hamza (ی‍ٔ): compose those
        // too, so that normalizing a view again changes nothing.
        if hamza {
            if let Some((t, map, _)) = prefold(&v.text, false) {
                return View {
                    text: t,
                    map: map.with_inner(v.map),
                    repairs: v.repairs,
                    repair_ends: Default::default(),
                };
            }
        }
        v
    }

    /// One pass; when the text turns out to hold presentation forms or decomposed hamza,
    /// a first stage folds them and the pass runs again on its result. Also says whether
    /// a combining hamza/madda was left in the view.
    fn normalize_once(&self, text: &str) -> (View, bool) {
        let mut p = Pass::new(text, &self.config);
        p.abort_on_prefold = true;
        if p.run() {
            let hamza = p.emitted_hamza;
            return (p.finish(), hamza);
        }
        match prefold(text, self.config.record_repairs) {
            None => unreachable!("a pass aborts only on what prefold folds"),
            Some((mid, map, mut repairs)) => {
                let mut p = Pass::new(&mid, &self.config);
                p.run();
                let hamza = p.emitted_hamza;
                let v = p.finish();
                for r in v.repairs {
                    let src = map.to_source(r.src);
                    repairs.push(Repair {
                        src,
                        technique: r.technique,
                    });
                }
                repairs.sort_by_key(|r| (r.src.start, r.src.end));
                (
                    View {
                        text: v.text,
                        map: v.map.with_inner(map),
                        repairs,
                        repair_ends: Default::default(),
                    },
                    hamza,
                )
            }
        }
    }

    /// Normalize `text` into `view`, reusing its allocations: the sink form for loops
    /// over many documents.
    pub fn normalize_into(&self, text: &str, view: &mut View) {
        let buf = std::mem::take(&mut view.text);
        let anchors = view.map.take_buffer();
        let repairs = std::mem::take(&mut view.repairs);
        let mut p = Pass::with_buffers(text, &self.config, buf, anchors, repairs);
        p.abort_on_prefold = true;
        if p.run() && !p.emitted_hamza {
            *view = p.finish();
        } else {
            *view = self.normalize(text);
        }
    }

    /// Just the normalized string.
    pub fn normalize_str(&self, text: &str) -> String {
        self.normalize(text).into_string()
    }
}

/// Normalize at display level with default settings.
pub fn display(text: &str) -> View {
    Normalizer::new(Config::default()).normalize(text)
}

/// Normalize at match level with default settings.
pub fn match_view(text: &str) -> View {
    Normalizer::new(Config {
        level: Level::Match,
        ..Config::default()
    })
    .normalize(text)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    /// Start of text, whitespace, punctuation, digits: a word boundary.
    Boundary,
    ArabicLetter,
    OtherLetter,
    Tatweel,
}

struct Pass<'a> {
    s: &'a str,
    out: String,
    map: MapBuilder,
    repairs: Vec<Repair>,
    is_match: bool,
    fold_case: bool,
    record: bool,
    prev: Prev,
    line_start: usize,
    line_arabic: Option<bool>,
    tok_start: usize,
    tok_malformed: Option<bool>,
    tok_foreign: Option<bool>,
    /// Stop (and say so) at a presentation form or decomposed hamza: prefold first.
    abort_on_prefold: bool,
    /// A combining hamza or madda was written to the view.
    emitted_hamza: bool,
    /// Use the vector path (off only to test it against the scalar path).
    simd: bool,
    /// The vector path is 32 bytes wide (AVX2) rather than 16.
    wide: bool,
}

/// Quotes, dashes, spaces and signs of Latin-1 and General Punctuation, common in Arabic
/// news and never letters: tested before the Unicode tables, which are slow.
#[inline]
fn is_common_punct(c: char) -> bool {
    matches!(c, '\u{00A0}'..='\u{00BF}' | '\u{2000}'..='\u{206F}')
        && !matches!(
            c,
            '\u{00AA}' | '\u{00B5}' | '\u{00BA}' | '\u{2071}' | '\u{207F}'
        )
}

#[inline]
fn char_at(s: &str, i: usize) -> Option<char> {
    s[i..].chars().next()
}

impl<'a> Pass<'a> {
    fn new(s: &'a str, c: &Config) -> Pass<'a> {
        Pass::with_buffers(s, c, String::new(), Vec::new(), Vec::new())
    }

    fn with_buffers(
        s: &'a str,
        c: &Config,
        mut out: String,
        anchors: Vec<crate::map::Anchor>,
        mut repairs: Vec<Repair>,
    ) -> Pass<'a> {
        out.clear();
        out.reserve(s.len() + 32);
        repairs.clear();
        Pass {
            s,
            out,
            map: MapBuilder::reusing(anchors),
            repairs,
            is_match: c.level == Level::Match,
            fold_case: c.fold_case,
            record: c.record_repairs,
            prev: Prev::Boundary,
            line_start: 0,
            line_arabic: None,
            tok_start: 0,
            tok_malformed: None,
            tok_foreign: None,
            abort_on_prefold: false,
            emitted_hamza: false,
            simd: true,
            wide: crate::simd::avx2(),
        }
    }

    fn finish(self) -> View {
        View {
            map: self.map.finish(self.s.len()),
            text: self.out,
            repairs: self.repairs,
            repair_ends: Default::default(),
        }
    }

    #[inline]
    fn repair(&mut self, src: Range<usize>, t: Technique) {
        if self.record {
            if let Some(last) = self.repairs.last_mut() {
                if last.technique == t && last.src.end == src.start {
                    last.src.end = src.end;
                    return;
                }
            }
            self.repairs.push(Repair { src, technique: t });
        }
    }

    /// Emit `c`, produced from the original range `src`, folding it at match level.
    #[inline]
    fn emit(&mut self, c: char, src: Range<usize>) {
        if !self.is_match {
            self.out.push(c);
            self.map.push_subst(src, c.len_utf8());
            return;
        }
        let Some(f) = match_fold(c) else { return };
        if self.fold_case
            && !matches!(f, '\u{0600}'..='\u{08FF}' | '\u{FB50}'..='\u{FEFF}')
            && !is_common_punct(f)
            && !f.is_lowercase()
            && f.is_alphabetic()
            && f.to_lowercase().next() != Some(f)
        {
            let before = self.out.len();
            self.out.extend(f.to_lowercase());
            let n = self.out.len() - before;
            self.map.push_subst(src, n);
        } else {
            self.out.push(f);
            self.map.push_subst(src, f.len_utf8());
        }
    }

    fn boundary(&mut self, next: usize) {
        self.prev = Prev::Boundary;
        self.tok_start = next;
        self.tok_malformed = None;
        self.tok_foreign = None;
    }

    /// Run the pass; false when it stopped because the text needs the prefold stage.
    fn run(&mut self) -> bool {
        let s = self.s;
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            i = self.fast(i);
            if i >= b.len() {
                break;
            }
            let x = b[i];
            if x < 0x80 {
                let c = x as char;
                if x == b'\n' {
                    self.line_start = i + 1;
                    self.line_arabic = None;
                }
                if c.is_ascii_alphabetic() {
                    self.prev = Prev::OtherLetter;
                    if self.is_match && self.fold_case {
                        self.out.push(c.to_ascii_lowercase());
                    } else {
                        self.out.push(c);
                    }
                } else {
                    self.boundary(i + 1);
                    self.out.push(c);
                }
                self.map.push_linear(i, 1);
                i += 1;
                continue;
            }
            let c = char_at(s, i).expect("valid UTF-8 boundary");
            let l = c.len_utf8();
            if self.abort_on_prefold
                && (is_presentation_form(c) || matches!(c, '\u{0653}'..='\u{0655}'))
            {
                return false;
            }
            i = if is_arabic_letter(c) {
                self.letter(c, i)
            } else if is_arabic_mark(c) {
                self.mark(c, i)
            } else if c == TATWEEL {
                self.tatweel(i)
            } else if is_format(c) {
                self.format(c, i)
            } else if is_emoji_or_symbol(c) {
                self.symbol(c, i)
            } else {
                // Quotes, dashes and spaces of Latin-1 and General Punctuation (common in
                // Arabic news) are no letters: skip the Unicode table for them.
                let punct = is_common_punct(c);
                if punct {
                    self.boundary(i + l);
                } else if c.is_alphabetic() {
                    self.prev = Prev::OtherLetter;
                } else if !is_word_char(c) {
                    self.boundary(i + l);
                }
                self.emit(c, i..i + l);
                i + l
            };
        }
        true
    }

    /// The hot loop: copies (display) or folds (match) the characters that need no look
    /// around — ASCII, plain Arabic letters, Arabic punctuation — byte by byte, keeping
    /// the state the rules need. Returns where a character needs the full treatment.
    #[inline]
    fn fast(&mut self, start: usize) -> usize {
        let s: &'a str = self.s;
        let b = s.as_bytes();
        let n = b.len();
        let table: &[u16; 256] = if self.is_match {
            &MATCH_TABLE
        } else {
            &DISPLAY_TABLE
        };
        let lower = self.is_match && self.fold_case;
        let use_simd = self.simd;
        let wide = self.wide;
        let reach = if wide { 35 } else { 19 };
        let out = &mut self.out;
        let mut i = start;
        let mut at_boundary = self.prev == Prev::Boundary;
        let mut last_letter_arabic = self.prev == Prev::ArabicLetter;
        let mut boundary_end = usize::MAX;
        // Bytes from `pending` to `i` are copied unchanged when the run ends or a folded
        // character needs writing.
        let mut pending = start;
        'outer: loop {
            // Sixteen or thirty-two bytes at a time while the text is plain.
            while use_simd && i + reach <= n {
                let Some(c) =
                    crate::simd::chunk_wide(b, i, at_boundary, self.is_match, lower, wide)
                else {
                    break;
                };
                if self.is_match {
                    out.push_str(&s[pending..i]);
                    // SAFETY: the chunk maps ASCII to ASCII and plain two-byte Arabic
                    // letters to plain two-byte Arabic letters, whole characters only
                    // (`len` never splits one), so the bytes appended are valid UTF-8.
                    unsafe {
                        let v = out.as_mut_vec();
                        v.reserve(32);
                        let len = v.len();
                        // A fixed 32-byte copy (vector stores); only `c.len` count.
                        std::ptr::copy_nonoverlapping(
                            c.bytes.as_ptr(),
                            v.as_mut_ptr().add(len),
                            32,
                        );
                        v.set_len(len + c.len);
                    }
                    pending = i + c.len;
                }
                if let Some(e) = c.boundary_end {
                    boundary_end = i + e;
                }
                at_boundary = c.ends_at_boundary;
                last_letter_arabic = c.ends_with_arabic;
                i += c.len;
            }
            // Then one character at a time for the next chunk's width at most.
            let limit = (i + reach - 3).min(n);
            while i < limit {
                let x = b[i];
                if x < 0x80 {
                    if x == b'\n' {
                        break 'outer;
                    }
                    let alpha = x.is_ascii_alphabetic();
                    if lower && x.is_ascii_uppercase() {
                        out.push_str(&s[pending..i]);
                        out.push(x.to_ascii_lowercase() as char);
                        pending = i + 1;
                    }
                    if !alpha {
                        boundary_end = i + 1;
                    }
                    at_boundary = !alpha;
                    last_letter_arabic = false;
                    i += 1;
                    continue;
                }
                if !(0xD8..=0xDB).contains(&x) || i + 1 >= n {
                    break 'outer;
                }
                let act = table[(((x & 0x03) as usize) << 6) | (b[i + 1] & 0x3F) as usize];
                if act == ACT_BOUNDARY {
                    at_boundary = true;
                    last_letter_arabic = false;
                    boundary_end = i + 2;
                    i += 2;
                    continue;
                }
                // A letter at a word start followed by something other than an Arabic
                // character may be a spaced-out letter: full treatment, as for slow chars.
                if act == ACT_SLOW || (at_boundary && !next_is_plain_letter(b, i + 2, table)) {
                    break 'outer;
                }
                if act != ACT_KEEP {
                    // Same-length fold: the table holds the replacement code point.
                    out.push_str(&s[pending..i]);
                    out.push(char::from_u32(act as u32).unwrap_or('\u{FFFD}'));
                    pending = i + 2;
                }
                at_boundary = false;
                last_letter_arabic = true;
                i += 2;
            }
            if i >= n {
                break;
            }
        }
        if i > start {
            out.push_str(&s[pending..i]);
            self.map.push_linear(start, i - start);
            self.prev = if at_boundary {
                Prev::Boundary
            } else if last_letter_arabic {
                Prev::ArabicLetter
            } else {
                Prev::OtherLetter
            };
            if boundary_end != usize::MAX {
                self.tok_start = boundary_end;
                self.tok_malformed = None;
                self.tok_foreign = None;
            }
        }
        i
    }

    fn letter(&mut self, c: char, i: usize) -> usize {
        if self.prev == Prev::Boundary {
            if let Some(end) = self.spaced_run(i) {
                return end;
            }
        }
        self.prev = Prev::ArabicLetter;
        self.emit_letter(c, i)
    }

    /// Emit an Arabic letter, folding a Persian lookalike in an Arabic context.
    fn emit_letter(&mut self, c: char, i: usize) -> usize {
        let l = c.len_utf8();
        if let Some(f) = persian_lookalike(c) {
            if self.is_match || (self.line_is_arabic() && !self.token_is_foreign(i)) {
                if !self.is_match {
                    self.repair(i..i + l, Technique::PersianLetter);
                }
                // The folded letter may now compose with a following hamza (ی + ٔ → ئ).
                if let Some(m) =
                    char_at(self.s, i + l).filter(|m| matches!(m, '\u{0653}'..='\u{0655}'))
                {
                    if let Some(comp) = unicode_normalization::char::compose(f, m) {
                        let end = i + l + m.len_utf8();
                        self.emit(comp, i..end);
                        return end;
                    }
                }
                self.emit(f, i..i + l);
                return i + l;
            }
        }
        self.emit(c, i..i + l);
        i + l
    }

    fn mark(&mut self, c: char, i: usize) -> usize {
        let l = c.len_utf8();
        if !self.is_match && matches!(c, '\u{0653}'..='\u{0655}') {
            self.emitted_hamza = true;
        }
        if !self.is_match && self.token_malformed() {
            self.repair(i..i + l, Technique::Diacritics);
            return i + l;
        }
        self.emit(c, i..i + l);
        i + l
    }

    fn tatweel(&mut self, i: usize) -> usize {
        let s = self.s;
        let tl = TATWEEL.len_utf8();
        let after_letter = self.prev == Prev::ArabicLetter;
        // The run of tatweel (and marks riding on it).
        let j = skip(s, i, |c| c == TATWEEL || is_arabic_mark(c) || is_format(c));
        if after_letter {
            if char_at(s, j).is_some_and(is_arabic_letter) {
                self.repair(i..j, Technique::Tatweel);
                return j;
            }
            // Tatweel running into an emoji cluster inside the word.
            let k = skip(s, j, in_cluster);
            if k > j
                && char_at(s, k).is_some_and(is_arabic_letter)
                && s[j..k].chars().any(is_emoji_or_symbol)
            {
                self.repair(i..k, Technique::Emoji);
                return k;
            }
            // A separator flanked by tatweel on both sides.
            if let Some(m) = flanked_join_end(s, j) {
                self.repair(i..m, Technique::TatweelSeparator);
                return m;
            }
        }
        // Not between letters: a real tatweel (Hijri marker, proclitic, dash). Kept at
        // display level, dropped at match level.
        if self.prev != Prev::Boundary {
            self.prev = Prev::Tatweel;
        }
        self.emit(TATWEEL, i..i + tl);
        i + tl
    }

    fn format(&mut self, c: char, i: usize) -> usize {
        let l = c.len_utf8();
        if self.is_match {
            return i + l;
        }
        // After a letter that only ends words (ة ى), an invisible character is a word
        // break written without a space (المعايدة‏تواصلت), not an insertion.
        let after_final = || {
            self.s[..i]
                .chars()
                .rev()
                .find(|&d| !is_format(d) && !is_arabic_mark(d))
                .is_some_and(|d| matches!(d, 'ة' | 'ى'))
        };
        let inside = matches!(
            self.prev,
            Prev::ArabicLetter | Prev::OtherLetter | Prev::Tatweel
        ) && !after_final()
            && {
                let j = skip(self.s, i, is_format);
                char_at(self.s, j).is_some_and(is_word_char) || {
                    // Part of an emoji cluster that will be removed from inside an Arabic word.
                    let k = skip(self.s, i, in_cluster);
                    self.prev == Prev::ArabicLetter
                        && char_at(self.s, k).is_some_and(is_arabic_letter)
                }
            };
        if inside && (c != ZWNJ || self.line_is_arabic()) {
            self.repair(i..i + l, Technique::Format);
            return i + l;
        }
        self.out.push(c);
        self.map.push_linear(i, l);
        i + l
    }

    fn symbol(&mut self, c: char, i: usize) -> usize {
        let l = c.len_utf8();
        if self.prev == Prev::ArabicLetter {
            let j = skip(self.s, i, in_cluster);
            if char_at(self.s, j).is_some_and(is_arabic_letter) {
                self.repair(i..j, Technique::Emoji);
                return j;
            }
        }
        // A kept emoji ends the word for the letter rules but not for the diacritics
        // analysis, which reads emoji as part of the word they may be removed from.
        self.prev = Prev::Boundary;
        self.emit(c, i..i + l);
        i + l
    }

    /// Letters spaced apart with one consistent separator (`ه ج و م`, `د-ا-ع-ش`).
    fn spaced_run(&mut self, i: usize) -> Option<usize> {
        let s = self.s;
        let filler = |d: char| is_arabic_mark(d) || d == TATWEEL || is_format(d);
        let single = |p: usize| -> Option<usize> {
            let p = skip(s, p, filler);
            let c = char_at(s, p)?;
            if !is_arabic_letter(c) {
                return None;
            }
            let e = skip(s, p + c.len_utf8(), |d| {
                is_arabic_mark(d) || d == TATWEEL || is_format(d)
            });
            match char_at(s, e) {
                Some(d) if is_word_char(d) || is_emoji_or_symbol(d) || digit_value(d).is_some() => {
                    None
                }
                _ => Some(e),
            }
        };
        let is_sep =
            |c: char| matches!(c, ' ' | '-' | '_' | '*' | '/' | '|' | '+' | '~' | '•' | '·');
        // The separator after a letter, read without tatweel, marks or invisible characters
        // (which the match level drops: `*ـ**` separates like `***`), and where it ends.
        let sep_at = |from: usize| -> (String, usize) {
            let end = skip(s, from, |c| is_sep(c) || filler(c));
            (s[from..end].chars().filter(|&c| is_sep(c)).collect(), end)
        };
        let first_end = single(i)?;
        let (sep, sep_end) = sep_at(first_end);
        if sep.is_empty() {
            return None;
        }
        let mut letters: Vec<Range<usize>> = Vec::with_capacity(8);
        letters.push(i..first_end);
        let mut p = sep_end;
        while let Some(e) = single(p) {
            letters.push(p..e);
            let (next, after) = sep_at(e);
            if next != sep || single(after).is_none() {
                break;
            }
            p = after;
        }
        // Three letters apart with spaces are usually an acronym (أ ف ب, د ب أ, ب ي د) or a
        // list (أ و ب): joined only with another separator (د-ا-ع), else left to the lexicon.
        let n = letters.len();
        let min = if sep.contains(' ') { 4 } else { 3 };
        if n < min || (n == 3 && char_at(s, letters[1].start) == Some('و')) {
            return None;
        }
        let end = letters[n - 1].end;
        self.repair(i..end, Technique::LetterSpacing);
        for r in letters {
            let mut q = r.start;
            while q < r.end {
                let c = char_at(s, q).unwrap();
                if is_arabic_letter(c) {
                    self.emit_letter(c, q);
                }
                q += c.len_utf8();
            }
        }
        self.prev = Prev::ArabicLetter;
        Some(end)
    }

    /// Whether the current line is Arabic (not Persian, Kurdish or Urdu), computed once
    /// per line.
    fn line_is_arabic(&mut self) -> bool {
        if let Some(v) = self.line_arabic {
            return v;
        }
        let rest = &self.s[self.line_start..];
        let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
        let v = line_is_arabic(line);
        self.line_arabic = Some(v);
        v
    }

    /// The word around `i` contains a letter Arabic never uses.
    fn token_is_foreign(&mut self, i: usize) -> bool {
        if let Some(v) = self.tok_foreign {
            return v;
        }
        let start = self.tok_start.min(i);
        let end = skip(self.s, start, |c| is_word_char(c) || is_format(c));
        let v = self.s[start..end].chars().any(is_non_arabic_only_letter);
        self.tok_foreign = Some(v);
        v
    }

    fn token_malformed(&mut self) -> bool {
        if let Some(v) = self.tok_malformed {
            return v;
        }
        let s = self.s;
        let in_token = |c: char| is_word_char(c) || is_format(c) || is_emoji_or_symbol(c);
        let mut end = skip(s, self.tok_start, in_token);
        // A separator flanked by tatweel does not end the word: it will be joined.
        while s[..end]
            .trim_end_matches(|c| is_arabic_mark(c) || is_format(c))
            .ends_with(TATWEEL)
        {
            match flanked_join_end(s, end) {
                Some(m) => end = skip(s, m, in_token),
                None => break,
            }
        }
        let v = malformed_marks(&s[self.tok_start..end]);
        self.tok_malformed = Some(v);
        v
    }
}

/// First stage, only when needed: fold presentation forms to base letters and compose
/// decomposed hamza/madda (NFC), so that every later rule sees plain Arabic letters.
fn prefold(s: &str, record: bool) -> Option<(String, OffsetMap, Vec<Repair>)> {
    if !s.contains(|c: char| is_presentation_form(c) || matches!(c, '\u{0653}'..='\u{0655}')) {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut map = MapBuilder::new();
    let mut repairs: Vec<Repair> = Vec::new();
    let mut buf: Vec<char> = Vec::with_capacity(4);
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let l = c.len_utf8();
        // A combining hamza/madda composes with the letter before it, across invisible
        // format characters ("ا\u{200D}\u{0654}" is أ), so that later rules see one letter.
        let after = s[i + l..].char_indices().find(|&(_, x)| !is_format(x));
        if let Some((k, m)) = after {
            if matches!(m, '\u{0653}'..='\u{0655}') {
                if let Some(comp) = unicode_normalization::char::compose(c, m) {
                    let end = i + l + k + m.len_utf8();
                    while it.peek().is_some_and(|&(j, _)| j < end) {
                        it.next();
                    }
                    let at = out.len();
                    out.push(comp);
                    map.push_coarse(i..end, out.len() - at);
                    if record {
                        repairs.push(Repair {
                            src: i..end,
                            technique: Technique::Composition,
                        });
                    }
                    continue;
                }
            }
        }
        if is_presentation_form(c) {
            buf.clear();
            unicode_normalization::char::decompose_compatible(c, |d| buf.push(d));
            if matches!(c, '\u{FE70}'..='\u{FE7F}') {
                buf.retain(|&d| d != ' ' && d != TATWEEL);
            }
            let mut composed: Vec<char> = Vec::with_capacity(buf.len());
            for &d in &buf {
                if let Some(&p) = composed.last() {
                    if let Some(x) = unicode_normalization::char::compose(p, d) {
                        *composed.last_mut().unwrap() = x;
                        continue;
                    }
                }
                composed.push(d);
            }
            let mut end = i + l;
            if let (Some(&(j, m)), Some(last)) = (it.peek(), composed.last_mut()) {
                if let Some(x) = unicode_normalization::char::compose(*last, m) {
                    *last = x;
                    end = j + m.len_utf8();
                    it.next();
                }
            }
            let at = out.len();
            out.extend(composed.iter());
            map.push_coarse(i..end, out.len() - at);
            if record {
                repairs.push(Repair {
                    src: i..end,
                    technique: Technique::PresentationForm,
                });
            }
            continue;
        }
        out.push(c);
        map.push_linear(i, l);
    }
    Some((out, map.finish(s.len()), repairs))
}

/// Whether a plain Arabic letter (one the fast path keeps or folds) starts at `i`: a
/// letter at a word start followed by anything else may stand alone (a spaced-out letter).
#[inline]
fn next_is_plain_letter(b: &[u8], i: usize, table: &[u16; 256]) -> bool {
    i + 1 < b.len()
        && (0xD8..=0xDB).contains(&b[i])
        && !matches!(
            table[(((b[i] & 0x03) as usize) << 6) | (b[i + 1] & 0x3F) as usize],
            ACT_SLOW | ACT_BOUNDARY
        )
}

const ACT_SLOW: u16 = 0;
const ACT_KEEP: u16 = 1;
const ACT_BOUNDARY: u16 = 2;

/// What the fast loop does with each code point U+0600–U+06FF at one level: leave it to
/// the slow path, keep it (letter), keep it (word boundary), or fold it to the code
/// point stored (same two-byte length).
const fn fast_table(is_match: bool) -> [u16; 256] {
    let mut t = [ACT_SLOW; 256];
    let mut cp = 0x600u32;
    while cp < 0x700 {
        let c = match char::from_u32(cp) {
            Some(c) => c,
            None => unreachable!(),
        };
        let letter = matches!(c,
            '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}' | '\u{066E}'..='\u{066F}'
            | '\u{0671}'..='\u{06D3}' | '\u{06D5}' | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}');
        let persian = matches!(c, 'ک' | 'ڪ' | 'ی' | 'ہ' | 'ھ' | 'ۃ' | 'ە');
        let act = if letter && !persian {
            if is_match {
                match c {
                    'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا' as u16,
                    'ى' => 'ي' as u16,
                    'ة' => 'ه' as u16,
                    _ => ACT_KEEP,
                }
            } else {
                ACT_KEEP
            }
        } else if matches!(c, '،' | '؛' | '؟' | '٪' | '٭' | '\u{061E}') {
            ACT_BOUNDARY
        } else {
            ACT_SLOW
        };
        t[(cp - 0x600) as usize] = act;
        cp += 1;
    }
    t
}

static DISPLAY_TABLE: [u16; 256] = fast_table(false);
static MATCH_TABLE: [u16; 256] = fast_table(true);

/// After a tatweel run ending at `j`: the end of `separators (1–5) + tatweel run` when
/// an Arabic letter follows, i.e. where a tatweel-flanked separator join resumes.
fn flanked_join_end(s: &str, j: usize) -> Option<usize> {
    let mut k = j;
    let mut n = 0;
    for c in s[j..].chars() {
        let sep = c != '\n'
            && c != TATWEEL
            && (is_arabic_mark(c) || !c.is_alphanumeric())
            && digit_value(c).is_none();
        if !sep || n == 5 {
            break;
        }
        n += 1;
        k += c.len_utf8();
    }
    if n == 0 || !s[k..].starts_with(TATWEEL) {
        return None;
    }
    let m = skip(s, k, |c| c == TATWEEL || is_arabic_mark(c) || is_format(c));
    char_at(s, m).is_some_and(is_arabic_letter).then_some(m)
}

/// What may sit between two letters around an emoji: more emoji, joiners, tatweel, marks.
fn in_cluster(c: char) -> bool {
    is_emoji_or_symbol(c) || is_format(c) || c == TATWEEL || is_arabic_mark(c)
}

/// Byte position after the run of characters satisfying `f`, starting at `i`.
#[inline]
fn skip(s: &str, i: usize, f: impl Fn(char) -> bool) -> usize {
    let mut j = i;
    for c in s[i..].chars() {
        if !f(c) {
            break;
        }
        j += c.len_utf8();
    }
    j
}

/// A ZWNJ used the Persian way: after the prefix می/نمی or before a suffix such as ها.
fn persian_zwnj(w: &str) -> bool {
    let parts: Vec<&str> = w.split(ZWNJ).collect();
    parts.windows(2).any(|p| {
        p[0].chars().next_back().is_some_and(is_arabic_letter)
            && [
                "ها", "های", "ای", "ام", "ات", "اش", "اند", "تر", "ترین", "ی",
            ]
            .contains(&p[1])
    }) || w.starts_with("می\u{200C}")
        || w.starts_with("نمی\u{200C}")
}

/// Whether a line reads as Arabic rather than Persian, Kurdish or Urdu.
///
/// Counted on letters, so that the answer does not change when a repair joins or splits
/// words: Arabic-only letters (ة ى ي ك ؤ أ إ) against Persian/Kurdish/Urdu letters (ی ک ە
/// count once, letters Arabic never uses count twice) and words with a Persian ZWNJ. Ties
/// go to Arabic.
pub fn line_is_arabic(line: &str) -> bool {
    let (mut persian, mut arabic) = (0usize, 0usize);
    for c in line.chars() {
        // Precomposed hamza letters count as their decomposition, so that composing
        // (ي + ٔ → ئ) never changes the answer.
        match c {
            'ة' | 'ى' | 'ي' | 'ك' | 'ؤ' | 'أ' | 'إ' | 'آ' | '\u{0653}'..='\u{0655}' => {
                arabic += 1
            }
            'ئ' => arabic += 2,
            'ۀ' => {
                arabic += 1;
                persian += 1
            }
            'ی' | 'ک' | 'ە' => persian += 1,
            c if is_non_arabic_only_letter(c) => persian += 2,
            _ => {}
        }
    }
    if line.contains(ZWNJ) {
        persian += line
            .split(|c: char| c.is_whitespace())
            .filter(|w| persian_zwnj(w))
            .count();
    }
    persian <= arabic
}

/// Whether the diacritics of one word are malformed (nonsense inserted to break matching).
///
/// Well-formed full or partial vocalisation is not malformed. Malformed: two vowels on one
/// letter or a repeated mark; tanween before the last letter (except before a final ا/ى,
/// or fathatan at a missing space); sukun on the first letter (but بْن); a short vowel on
/// a bare alef inside the word; Quranic
/// signs in a word with no harakat; a mark with no letter before it.
pub fn malformed_marks(word: &str) -> bool {
    let mut letters = 0usize;
    let mut last_letter = '\0';
    let mut vowels = 0;
    let mut last_mark: Option<char> = None;
    let mut tanween_at: Vec<(usize, char)> = Vec::new();
    let (mut quranic, mut harakat) = (false, false);
    let mut any_mark = false;
    // A short vowel or sukun on a bare alef is malformed unless the alef starts the word
    // or follows lam or a proclitic (اِعْتَلى, وَاِمنَح, لاَ, إِلاَّ) or ends it (اعتباراَ,
    // قُتِلُواْ), where writers put them.
    let letters_of: Vec<char> = word
        .chars()
        .filter(|&c| {
            c != TATWEEL && (is_arabic_letter(c) || (c.is_alphabetic() && !is_arabic_mark(c)))
        })
        .collect();
    let mut alef_prev = '\0';
    let mut alef_final = false;
    let mut base_alef = false;
    // Marks riding on an emoji cluster or a tatweel go with it.
    let mut after_symbol = false;
    for c in word.chars() {
        if is_emoji_or_symbol(c) || c == TATWEEL || !(is_word_char(c) || is_format(c)) {
            after_symbol = true;
            continue;
        }
        if after_symbol && (is_arabic_mark(c) || is_format(c) || c == TATWEEL) {
            continue;
        }
        after_symbol = false;
        if is_arabic_letter(c) || (c.is_alphabetic() && !is_arabic_mark(c)) {
            base_alef = c == 'ا';
            if base_alef {
                alef_prev = if letters > 0 {
                    letters_of[letters - 1]
                } else {
                    '\0'
                };
                alef_final = letters + 1 == letters_of.len();
            }
            letters += 1;
            last_letter = c;
            vowels = 0;
            last_mark = None;
        } else if is_arabic_mark(c) {
            any_mark = true;
            if letters == 0 {
                return true;
            }
            if last_mark == Some(c) {
                return true;
            }
            if is_vowel_mark(c) {
                vowels += 1;
                if vowels > 1 {
                    return true;
                }
                if base_alef
                    && c != '\u{064B}'
                    && !matches!(alef_prev, '\0' | 'ل' | 'و' | 'ف' | 'ب' | 'ك')
                    && !alef_final
                {
                    return true;
                }
                harakat = true;
            }
            if is_tanween(c) {
                tanween_at.push((letters, c));
            }
            // No word starts with sukun, but for بْن between two names.
            if c == '\u{0652}'
                && letters == 1
                && !(letters_of.len() == 2 && letters_of[..] == ['ب', 'ن'])
            {
                return true;
            }
            if c == '\u{0651}' {
                harakat = true;
            }
            if is_quranic_sign(c) {
                quranic = true;
            }
            last_mark = Some(c);
        }
    }
    if !any_mark {
        return false;
    }
    for (t, c) in tanween_at {
        let before_final_alef = t + 1 == letters && matches!(last_letter, 'ا' | 'ى');
        // اً or ًا inside a token is a missing space (مستقبلاًالشفافية), not an insertion.
        let glued =
            c == '\u{064B}' && (letters_of[t - 1] == 'ا' || letters_of.get(t) == Some(&'ا'));
        if t != letters && !before_final_alef && !glued {
            return true;
        }
    }
    quranic && !harakat
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pass with the vector path forced on (16 or 32 bytes) or off.
    fn pass(text: &str, level: Level, simd: bool, wide: bool) -> (String, OffsetMap, Vec<Repair>) {
        let mut p = Pass::new(
            text,
            &Config {
                level,
                ..Config::default()
            },
        );
        p.simd = simd;
        p.wide = wide && crate::simd::avx2();
        p.abort_on_prefold = true;
        if !p.run() {
            return (String::new(), OffsetMap::identity(0), Vec::new());
        }
        let v = p.finish();
        (v.text, v.map, v.repairs)
    }

    proptest::proptest! {
        /// Repairs sorted by start, overlapping, nested, empty, and ranges anywhere: the
        /// binary search gives the repairs a pass over them all gives, in order.
        #[test]
        fn repairs_in_as_by_a_pass(
            mut spans in proptest::collection::vec((0usize..40, 0usize..8), 0..12),
            queries in proptest::collection::vec((0usize..48, 0usize..10), 1..8),
        ) {
            spans.sort();
            let techniques = [Technique::TatweelSeparator, Technique::Reversed, Technique::Rasm];
            let view = View {
                repairs: spans
                    .iter()
                    .enumerate()
                    .map(|(i, &(s, n))| Repair { src: s..s + n, technique: techniques[i % 3] })
                    .collect(),
                ..View::default()
            };
            for (s, n) in queries {
                let src = s..s + n;
                let by_pass: Vec<&Repair> = view
                    .repairs
                    .iter()
                    .filter(|r| r.src.start < src.end && src.start < r.src.end)
                    .collect();
                let found: Vec<&Repair> = view.repairs_in(src.clone()).collect();
                proptest::prop_assert_eq!(found, by_pass, "{:?} in {:?}", src, spans);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, .. Default::default() })]
        /// The vector paths give exactly what the scalar path gives: text, map, repairs.
        #[test]
        fn vector_paths_equal_scalar(
            v in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "ا", "ب", "ت", "ة", "أ", "إ", "آ", "ى", "ي", "ل", "م", "ن", "و", "ه", "غ", "ف", "ك",
                        "ش", " ", " ", " ", "، ", "؛", "؟", ".", "a", "Z", "Q", "7",
                    ]),
                    proptest::sample::select(vec![
                        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
                        "\n", "ـ", "\u{064B}", "«", "ی", "٣", "ﻻ", "🔥", "\u{200C}", "ٱ", "پ", " و ",
                    ]),
                ),
                0..160,
            )
        ) {
            // Mostly plain text (long vector-path stretches) with rare special characters.
            let text: String = v.iter().flat_map(|(a, b)| [*a, *b]).collect();
            for level in [Level::Display, Level::Match] {
                let scalar = pass(&text, level, false, false);
                proptest::prop_assert_eq!(&pass(&text, level, true, false), &scalar);
                proptest::prop_assert_eq!(&pass(&text, level, true, true), &scalar);
            }
        }
    }

    fn d(s: &str) -> String {
        display(s).into_string()
    }
    fn m(s: &str) -> String {
        match_view(s).into_string()
    }

    #[test]
    fn seed_spellings() {
        for s in ["تنـ.ـظيم", "تنظـ.ـيم", "تـ.ـنظيم"] {
            assert_eq!(d(s), "تنظيم", "{s}");
        }
        assert_eq!(d("التـ.ـنظيم"), "التنظيم");
        assert_eq!(d("التنــ.ـظيم"), "التنظيم");
        assert_eq!(d("لـ”تـ.ـنظيم الدولة”"), "لـ”تنظيم الدولة”");
    }

    #[test]
    fn offsets_point_into_original() {
        let s = "خلايا “التـ.ـنظيم”";
        let v = match_view(s);
        let at = v.as_str().find("تنظيم").unwrap();
        let r = v.to_source(at..at + "تنظيم".len());
        assert_eq!(&s[r], "تـ.ـنظيم");
    }

    #[test]
    fn tatweel_kept_outside_words() {
        for s in ["1446هـ", "بـ\"الجيش\"", "بيروت ـ «الشرق الأوسط»", "الـ 15"]
        {
            assert_eq!(d(s), s);
        }
        assert_eq!(m("1446هـ"), "1446ه");
        assert_eq!(d("الجيـــش"), "الجيش");
    }

    #[test]
    fn format_chars_inside_words() {
        assert_eq!(d("دا\u{200C}عش"), "داعش");
        assert_eq!(d("داعش\u{200F} قال"), "داعش\u{200F} قال");
        // Persian keeps its ZWNJ.
        let fa = "می\u{200C}خواهم این کتاب را بخوانم";
        assert_eq!(d(fa), fa);
    }

    #[test]
    fn emoji_inside_words() {
        assert_eq!(d("دا🔥عش"), "داعش");
        assert_eq!(d("داعش 🔥"), "داعش 🔥");
        assert_eq!(d("دا❤️عش"), "داعش");
    }

    #[test]
    fn spaced_letters() {
        assert_eq!(d("ه ج و م"), "هجوم");
        assert_eq!(d("مقاتلو د ا ع ش هنا"), "مقاتلو داعش هنا");
        assert_eq!(d("د-ا-ع-ش"), "داعش");
        assert_eq!(d("أ و ب"), "أ و ب");
        assert_eq!(d("قتلى و مصابين"), "قتلى و مصابين");
        assert_eq!(d("د.ا.ع.ش"), "د.ا.ع.ش");
    }

    #[test]
    fn diacritics() {
        for s in [
            "رسمياً",
            "رسميًا",
            "هدىً",
            "كَتَبَ الوَلَدُ",
            "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ",
        ] {
            assert_eq!(d(s), s, "{s}");
        }
        assert_eq!(d("تَنُظِيمِ"), "تَنُظِيمِ");
        assert_eq!(d("تنَُظيم"), "تنظيم");
        assert_eq!(d("تنًظيم"), "تنظيم");
        assert_eq!(m("رسمياً"), "رسميا");
    }

    #[test]
    fn persian_gate() {
        assert_eq!(d("الجيش السوری في حلب"), "الجيش السوري في حلب");
        let fa = "این یک کتاب است";
        assert_eq!(d(fa), fa);
        assert_eq!(m("کتاب"), "كتاب");
    }

    #[test]
    fn presentation_forms() {
        assert_eq!(d("ﺩﺍﻋﺶ"), "داعش");
        assert_eq!(d("ﻻ"), "لا");
        assert_eq!(d("ﷲ"), "الله");
        assert_eq!(d("ﻷ"), "لأ");
    }

    #[test]
    fn match_folds() {
        assert_eq!(m("أإآٱ ى ة ٢٠٢٤ ISIS"), "اااا ي ه 2024 isis");
        let n = Normalizer::builder()
            .level(Level::Match)
            .fold_case(false)
            .build();
        assert_eq!(n.normalize_str("ISIS"), "ISIS");
    }

    #[test]
    fn composition() {
        assert_eq!(d("ا\u{0654}"), "أ");
    }
}
