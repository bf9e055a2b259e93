//! Finding lexicon entries in a document.

use std::collections::HashMap;
use std::ops::Range;

use rasid_text::chars::{is_arabic_letter, rasm_key};
use rasid_text::tokenize::{proclitic_splits, PROCLITICS};

/// Endings accepted after an actor or event-word alias: plurals, nisba, a few pronouns
/// (not ه: حماس + ه is حماسة, "enthusiasm").
const ACTOR_SUFFIXES: &[&str] = &["ي", "ين", "ون", "يين", "يون", "ات", "ها", "هم", "يه", "يا"];
/// Of those, the ones that make an adjective or adverb of a noun (قتال → القتالية "combat",
/// عسكر → عسكريا): an actor's name takes them (الحوثي، الحوثيين), an event word does not.
const NISBA_SUFFIXES: &[&str] = &["ي", "يين", "يون", "يه", "يا"];
use rasid_text::{CandidateConfig, Config, Level, Normalizer, Technique};

use crate::data::FeatureKind;
use crate::{EntryRef, KeyBits, Lexicon};

/// What an entity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// An actor (group, force, generic description).
    Actor,
    /// A place.
    Place,
    /// An event word.
    Trigger,
    /// A cue word (hedge, negation, date word…).
    Cue,
}

impl EntityKind {
    /// Lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Actor => "actor",
            EntityKind::Place => "place",
            EntityKind::Trigger => "trigger",
            EntityKind::Cue => "cue",
        }
    }
}

/// Which kind of entry a [`Hit`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HitClass {
    /// Actors and places (a name can be both: إيران).
    Name = 0,
    /// Event words.
    Trigger = 1,
    /// Cue words.
    Cue = 2,
}

/// One match of a lexicon key, as the matcher reports it: at a word start or after a
/// proclitic chain, ending at the word end or before a closed suffix, possibly through
/// an undone evasion spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Byte range in the original text.
    pub src: Range<usize>,
    /// Which kind of entry.
    pub class: HitClass,
    /// The evasion spelling undone to find it, if any.
    pub technique: Option<Technique>,
    key: u32,
}

/// Where a place entity was resolved to.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceInfo {
    /// Feature kind of the chosen entry.
    pub feature: FeatureKind,
    /// Country (ISO alpha-2).
    pub country: String,
    /// Admin 1 (English).
    pub admin1: String,
    /// Admin 2 (English).
    pub admin2: String,
    /// Admin 3 (English).
    pub admin3: String,
    /// Arabic name of the entry.
    pub name_ar: String,
    /// Coordinates (NaN for a country).
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// ACLED geo_precision for an event located here (1–3).
    pub geo_precision: u8,
    /// Score of the choice (higher is surer); comparable within a document.
    pub score: f32,
    /// How many gazetteer entries the name had.
    pub candidates: usize,
    /// The context word that decided (`مدينة`, `ريف`…), if any.
    pub context: Option<String>,
    /// When the name is the base of a wider area ("ريف حمص الشرقي", "جنوب لبنان"), the
    /// byte range of the whole phrase in the original; the entity's own span stays the name.
    pub phrase: Option<Range<usize>>,
}

/// One recognised entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// Actor, place, trigger or cue.
    pub kind: EntityKind,
    /// Actor id, place id, sub-event type (trigger) or cue kind (cue).
    pub id: String,
    /// Actor name, place name, trigger/cue form as in the lexicon.
    pub name: String,
    /// Byte range in the original text.
    pub src: Range<usize>,
    /// The original text there.
    pub text: String,
    /// The evasion spelling undone to find it, if any.
    pub technique: Option<Technique>,
    /// The entry chosen.
    pub entry: EntryRef,
    /// For places: the resolution.
    pub place: Option<PlaceInfo>,
    /// For cues: the value (an offset, a month number…); for triggers: `strong`/`weak`.
    pub value: Option<String>,
}

#[derive(Clone, Debug)]
struct Raw {
    src: Range<usize>,
    key: u32,
    class: u8,
    technique: Option<Technique>,
    view: Range<usize>,
    places_allowed: bool,
}

pub(crate) fn class_of(e: &EntryRef) -> u8 {
    match e {
        EntryRef::Actor(_) | EntryRef::Place(_) | EntryRef::Contextual(_) => 0,
        EntryRef::Trigger(_) => 1,
        EntryRef::Cue(_) => 2,
    }
}

/// What the letters after a key in its word are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    /// None: the key ends its word.
    None,
    /// One of [`ACTOR_SUFFIXES`]; `nisba` when one of [`NISBA_SUFFIXES`] too.
    Actor { nisba: bool },
    /// Anything else: the key is part of a longer word.
    Other,
}

/// [`ACTOR_SUFFIXES`] packed by [`Suffix::pack`], each with whether it is a nisba ending.
static SUFFIXES: std::sync::LazyLock<Vec<(u64, bool)>> = std::sync::LazyLock::new(|| {
    ACTOR_SUFFIXES
        .iter()
        .filter_map(|s| {
            let cs: Vec<char> = s.chars().collect();
            Some((Suffix::pack(&cs)?, NISBA_SUFFIXES.contains(s)))
        })
        .collect()
});

impl Suffix {
    fn of(rest: &[char]) -> Suffix {
        if rest.is_empty() {
            return Suffix::None;
        }
        let Some(packed) = Suffix::pack(rest) else {
            return Suffix::Other;
        };
        match SUFFIXES.iter().find(|&&(s, _)| s == packed) {
            Some(&(_, nisba)) => Suffix::Actor { nisba },
            None => Suffix::Other,
        }
    }

    /// Up to three characters as one number (each plus one, so that lengths differ),
    /// compared at once rather than slice by slice; `None` for longer ones, which no
    /// suffix is.
    #[inline]
    fn pack(cs: &[char]) -> Option<u64> {
        if cs.len() > 3 {
            return None;
        }
        Some(
            cs.iter()
                .fold(0u64, |acc, &c| (acc << 21) | (u64::from(c) + 1)),
        )
    }
}

#[inline]
pub(crate) fn is_word(c: char) -> bool {
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}') {
        true
    } else if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if matches!(c, '\u{0600}'..='\u{06FF}') {
        is_arabic_letter(c) || rasid_text::chars::digit_value(c).is_some()
    } else {
        c.is_alphanumeric()
    }
}

impl Lexicon {
    /// Every actor, place, trigger and cue in `text`, in order of position.
    pub fn find(&self, text: &str) -> Vec<Entity> {
        self.find_in(text, &Lexicon::view(text))
    }

    /// The normalized view the lexicon matches in: match level, case folded, repairs
    /// recorded. Callers that need the same view for their own matching make it once with
    /// this and pass it to [`Lexicon::find_in`].
    pub fn view(text: &str) -> rasid_text::View {
        Normalizer::new(Config {
            level: Level::Match,
            fold_case: true,
            record_repairs: true,
        })
        .normalize(text)
    }

    /// [`Lexicon::find`] over a view of `text` made by [`Lexicon::view`].
    pub fn find_in(&self, text: &str, view: &rasid_text::View) -> Vec<Entity> {
        let kept = self.matched(text, view);
        self.resolve(text, view, kept)
    }

    /// What the matcher finds in `text`, before places are told apart and generic nouns
    /// are resolved (see [`Hit`]): for each class of entry (names, event words, cues),
    /// the longest hits that do not overlap, in order of position.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        self.hits_in(text, &Lexicon::view(text))
    }

    /// [`Lexicon::hits`] over a view of `text` made by [`Lexicon::view`].
    pub fn hits_in(&self, text: &str, view: &rasid_text::View) -> Vec<Hit> {
        self.matched(text, view)
            .into_iter()
            .map(|r| Hit {
                src: r.src,
                class: match r.class {
                    0 => HitClass::Name,
                    1 => HitClass::Trigger,
                    _ => HitClass::Cue,
                },
                technique: r.technique,
                key: r.key,
            })
            .collect()
    }

    /// The entries a hit stands for: an ambiguous name stands for several places, or
    /// for an actor and a place.
    pub fn hit_entries<'a>(&'a self, hit: &Hit) -> impl Iterator<Item = EntryRef> + 'a {
        let class = hit.class as u8;
        self.keys[hit.key as usize]
            .entries
            .iter()
            .copied()
            .filter(move |e| class_of(e) == class)
    }

    /// The hits of a document, checked and kept per class (see [`Lexicon::hits`]).
    fn matched(&self, text: &str, view: &rasid_text::View) -> Vec<Raw> {
        let v = view.as_str();
        let mut raws: Vec<Raw> = Vec::new();
        let hay = Hay::new(v);
        // Most documents have no tatweel: their hits need no look for one.
        let tatweel = text.contains(rasid_text::chars::TATWEEL);
        self.trie_hits(&hay, |hit| {
            self.raw_hit(text, view, tatweel, hit, &mut raws)
        });
        self.candidate_hits(text, view, &hay, &mut raws);
        longest_per_class(raws)
    }

    /// Every lexicon key that starts at a word start of `hay`, or after a proclitic chain
    /// there, given to `sink` with its chain, view span and the rest of its word. Each
    /// word start is walked down the trie once per chain, quote marks being transparent
    /// (حديقة “البيضا”, لـ”قسد”); nothing is looked for inside a word.
    pub(crate) fn trie_hits(&self, hay: &Hay, mut sink: impl FnMut(TrieHit)) {
        let (chars, words) = (hay.chars(), &hay.words);
        let mut found = Vec::new();
        for w in words {
            let (ws, next) = (w.start as usize, w.end as usize);
            // Most words start with no proclitic: one walk.
            if !starts_proclitic(chars[ws]) {
                self.walk_at(hay, &mut found, ws, next, Chain::NONE, &mut sink);
                continue;
            }
            // The first letters of the word, for its proclitics.
            let head = &chars[ws..next.min(ws + 5)];
            // The walks: from the word start and after each proclitic chain.
            let mut starts = [(0u8, Chain::NONE); 8];
            let mut count = 1;
            for_each_proclitic(head, |k, chain| {
                starts[count] = (k as u8, chain);
                count += 1;
            });
            let starts = &starts[..count];
            for &(k, chain) in starts {
                let k = usize::from(k);
                // A walk from an article is made from after it, where the keys with the
                // article are found through their bare forms.
                if head.get(k..k + 2) == Some(&['ا', 'ل'][..])
                    && starts
                        .iter()
                        .any(|&(j, c)| usize::from(j) == k + 2 && c.article() == Some(chain))
                {
                    continue;
                }
                self.walk_at(hay, &mut found, ws + k, next, chain, &mut sink);
            }
        }
    }

    /// The keys from character `si` of `hay`, in the word that ends at `next`, after
    /// `chain` (see [`Lexicon::trie_hits`]).
    #[inline(always)]
    fn walk_at(
        &self,
        hay: &Hay,
        found: &mut Vec<(u32, u32)>,
        si: usize,
        next: usize,
        chain: Chain,
        sink: &mut impl FnMut(TrieHit),
    ) {
        let (chars, offs) = (hay.chars(), hay.offs());
        let Some(trie) = &self.tries[usize::from(chars[si].is_ascii())] else {
            return;
        };
        let start = offs[si] as usize;
        // The chain before the article this chain ends with, if any.
        let before_article = chain.article();
        trie.walk_into(&chars[si..], found);
        for &(key, nchars) in found.iter() {
            let nchars = nchars as usize;
            let end = si + nchars;
            // The rest of the word after the key (up to four letters: more is no
            // suffix).
            let rest = if end <= next {
                (next - end).min(4)
            } else {
                chars[end..]
                    .iter()
                    .take(4)
                    .take_while(|c| is_word(**c))
                    .count()
            };
            // A key inside a longer word is no hit, told here without a call.
            let suffix = Suffix::of(&chars[end..end + rest]);
            if suffix == Suffix::Other {
                continue;
            }
            let end_byte = hay.end_of(end - 1);
            if key < self.real_keys {
                sink(TrieHit {
                    chain,
                    start,
                    end: end_byte,
                    nchars,
                    suffix,
                    key,
                });
            }
            if let Some(outer) = before_article {
                let with_article = self.article[key as usize];
                if with_article != crate::NO_KEY {
                    sink(TrieHit {
                        chain: outer,
                        start: offs[si - 2] as usize,
                        end: end_byte,
                        nchars: nchars + 2,
                        suffix,
                        key: with_article,
                    });
                }
            }
        }
    }

    /// One trie hit: checked against its proclitic chain, its suffix and the key's rules,
    /// then pushed per entry class with its original span.
    fn raw_hit(
        &self,
        text: &str,
        view: &rasid_text::View,
        tatweel: bool,
        hit: TrieHit,
        raws: &mut Vec<Raw>,
    ) {
        let v = view.as_str();
        let TrieHit {
            chain,
            start: s,
            end: e,
            nchars,
            suffix,
            key,
        } = hit;
        let bits = self.key_bits[key as usize];
        let latin = bits.has(KeyBits::LATIN);
        if !chain.is_none() && latin {
            return;
        }
        let lil = chain.lil();
        let after_lil_only = bits.has(KeyBits::AFTER_LIL_ONLY);
        if after_lil_only && !lil {
            return;
        }
        // Place names take no article of their own (الشعب is not شعب) and a stripped
        // prefix leaves at least three letters (ولد is not و + لد).
        let places_allowed = chain.is_none() || (chain.place_ok() && nchars >= 3);
        // Right: the word end, or a closed suffix for actors and event words.
        let suffix_ok = match suffix {
            Suffix::None => true,
            Suffix::Actor { .. } => !latin && nchars >= 3 && bits.has(KeyBits::NOT_ALL_PLACES),
            Suffix::Other => false,
        };
        if !suffix_ok {
            return;
        }
        // After لل the name's own article is the second ل (للفيلق = ل + الفيلق): the
        // span starts there.
        let s = if lil && after_lil_only {
            s - 'ل'.len_utf8()
        } else {
            s
        };
        let vrange = s..e;
        let src = view.to_source(vrange.clone());
        let original = &text[src.clone()];
        let mut technique = view.repairs_in(src.clone()).map(|r| r.technique).next();
        if technique.is_none()
            && tatweel
            && original.contains(rasid_text::chars::TATWEEL)
            && original.contains(|c: char| {
                !is_arabic_letter(c) && !c.is_whitespace() && c != rasid_text::chars::TATWEEL
            })
        {
            technique = Some(Technique::TatweelSeparator);
        }
        let nisba = suffix == (Suffix::Actor { nisba: true });
        let classes = bits.classes();
        for class in (0..3u8).filter(|c| classes & (1 << c) != 0) {
            if class != 0 && nisba {
                continue;
            }
            if latin && class == 0 {
                let acronym = bits.has(KeyBits::ACRONYM);
                if (acronym || bits.has(KeyBits::PROPER)) && !case_ok(original, acronym) {
                    continue;
                }
                // A Latin name under four letters (Bir, Ain) is a word of a longer name
                // far more often than a place; acronyms (UK, UAE) excepted.
                if !acronym
                    && !bits.has(KeyBits::NOT_ALL_PLACES)
                    && v[s..e]
                        .chars()
                        .filter(|&c| rasid_text::chars::is_alphabetic(c))
                        .count()
                        < 4
                {
                    continue;
                }
            }
            raws.push(Raw {
                src: src.clone(),
                key,
                class,
                technique,
                view: vrange.clone(),
                places_allowed,
            });
        }
    }

    /// Candidate repairs of the normalizer, confirmed when they produce a lexicon key.
    fn candidate_hits(&self, text: &str, view: &rasid_text::View, hay: &Hay, raws: &mut Vec<Raw>) {
        let cfg = candidate_config();
        // Reversed words: a token that is an actor alias read backwards (شعاد → داعش).
        self.reversed_hits(view, hay, raws);
        for c in rasid_text::candidates_in_tokens(text, view, &hay.suspects, &cfg) {
            let found: Option<(u32, Range<usize>)> = if c.technique == Technique::Rasm {
                std::iter::once("")
                    .chain(PROCLITICS.iter().copied())
                    .find_map(|p| {
                        let rp = rasm_key(p);
                        let rest = c.key.strip_prefix(rp.as_str())?;
                        match self.rasm.get(rest) {
                            Some(ids) if ids.len() == 1 => Some((ids[0], rp.len()..c.key.len())),
                            _ => None,
                        }
                    })
            } else {
                proclitic_splits(&c.key).find_map(|(plen, _)| {
                    let k = &c.key[plen..];
                    self.key_ids.get(k).map(|&id| (id, plen..c.key.len()))
                })
            };
            let Some((key, range)) = found else { continue };
            let info = &self.keys[key as usize];
            // A reversed or rasm word is only trusted for actors (places and common words
            // reversed are ordinary words too often).
            if matches!(c.technique, Technique::Reversed | Technique::Rasm)
                && !info.entries.iter().all(|e| matches!(e, EntryRef::Actor(_)))
            {
                continue;
            }
            if c.technique == Technique::Reversed && c.key.chars().count() < 4 {
                continue;
            }
            // A repaired short word (ق.م → قم) is an abbreviation more often than a place.
            if c.key[range.clone()].chars().count() < 4
                && info.entries.iter().any(|e| matches!(e, EntryRef::Place(_)))
            {
                continue;
            }
            if !c.covers_edit(range.clone()) {
                continue;
            }
            let src = c.source_of(range);
            if src.is_empty() {
                continue;
            }
            let classes = self.key_bits[key as usize].classes();
            for class in (0..3u8).filter(|c| classes & (1 << c) != 0) {
                // A candidate never overrides a plain hit of the same class at the same place.
                if raws.iter().any(|r| {
                    r.class == class
                        && r.src.start < src.end
                        && src.start < r.src.end
                        && r.technique.is_none()
                }) {
                    continue;
                }
                raws.push(Raw {
                    src: src.clone(),
                    key,
                    class,
                    technique: Some(c.technique),
                    view: 0..0,
                    places_allowed: true,
                });
            }
        }
    }

    /// Words of the match view that start with an actor alias written backwards, letter
    /// for letter, up to their first character that is not an Arabic letter.
    fn reversed_hits(&self, view: &rasid_text::View, hay: &Hay, raws: &mut Vec<Raw>) {
        let Some(reversed) = &self.reversed else {
            return;
        };
        let mut found = |s: usize, e: usize, key: u32| {
            let src = view.to_source(hay.offs[s] as usize..hay.end_of(e - 1));
            if !raws
                .iter()
                .any(|r| r.class == 0 && r.src.start < src.end && src.start < r.src.end)
            {
                raws.push(Raw {
                    src,
                    key,
                    class: 0,
                    technique: Some(Technique::Reversed),
                    view: 0..0,
                    places_allowed: false,
                });
            }
        };
        // A word of four letters or more whose letters (up to the first character that is
        // not an Arabic letter) are a reversed name. The trie walk stops at the first
        // letter no reversed name continues with, so most words cost a step or two.
        let chars = hay.chars();
        for w in &hay.words {
            let w = w.start as usize..w.end as usize;
            // Most words are shorter, or start with three letters no reversed name
            // starts with: told apart without a branch on each test, for a branch seldom
            // taken.
            let last = chars.len() - 1;
            let (b, c) = (
                chars[(w.start + 1).min(last)],
                chars[(w.start + 2).min(last)],
            );
            if !((w.len() >= 4) & self.reversed_starts.contains(chars[w.start], b, c)) {
                continue;
            }
            let word = &chars[w.clone()];
            reversed.walk(word, |key, n| {
                let e = w.start + n;
                if n >= 4
                    && (e == w.end || !is_arabic_letter(chars[e]))
                    && word[..n].iter().all(|&c| is_arabic_letter(c))
                {
                    found(w.start, e, key);
                }
            });
        }
    }

    fn resolve(&self, text: &str, mview: &rasid_text::View, kept: Vec<Raw>) -> Vec<Entity> {
        let view = mview.as_str();
        let mut out: Vec<Entity> = Vec::with_capacity(kept.len());
        let mut place_hits: Vec<(usize, Vec<u32>, Range<usize>, bool)> = Vec::new();
        for r in kept {
            let info = &self.keys[r.key as usize];
            let entries = || {
                info.entries
                    .iter()
                    .copied()
                    .filter(|e| class_of(e) == r.class)
            };
            let surface = text[r.src.clone()].to_string();
            match r.class {
                0 => {
                    // A word with tanween is indefinite, an adverb or an ordinary noun
                    // (دوماً "always"), never a place's name.
                    let tanween = text[r.src.start..]
                        .chars()
                        .take(surface.chars().count() + 2)
                        .any(|c| matches!(c, '\u{64B}'..='\u{64D}'));
                    let places: Vec<u32> = if r.places_allowed && !tanween {
                        entries()
                            .filter_map(|e| {
                                if let EntryRef::Place(i) = e {
                                    Some(i)
                                } else {
                                    None
                                }
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let actor = entries().find_map(|e| {
                        if let EntryRef::Actor(i) = e {
                            Some(i)
                        } else {
                            None
                        }
                    });
                    let contextual = entries().find_map(|e| {
                        if let EntryRef::Contextual(i) = e {
                            Some(i)
                        } else {
                            None
                        }
                    });
                    let actor_entity = |ai: u32, value: Option<String>| {
                        let a = &self.actors[ai as usize];
                        Entity {
                            kind: EntityKind::Actor,
                            id: a.id.clone(),
                            name: a.name.clone(),
                            src: r.src.clone(),
                            text: surface.clone(),
                            technique: r.technique,
                            entry: EntryRef::Actor(ai),
                            place: None,
                            value,
                        }
                    };
                    if let Some(a) = actor {
                        out.push(actor_entity(a, None));
                    } else if let Some(ci) = contextual {
                        // The last actor mentioned before, among those this noun can name.
                        let c = &self.contextual[ci as usize];
                        let antecedent = out
                            .iter()
                            .rev()
                            .find(|e| {
                                e.kind == EntityKind::Actor
                                    && (c.actors.contains(&e.id)
                                        || self.ancestor_in(&e.id, &c.actors))
                            })
                            .map(|e| e.id.clone());
                        if let Some(id) = antecedent {
                            let target = c
                                .actors
                                .iter()
                                .find(|a| **a == id || self.is_ancestor(a, &id))
                                .cloned()
                                .unwrap_or(id);
                            if let Some(&ai) = self.actor_index.get(&target) {
                                out.push(actor_entity(ai, Some("coreference".into())));
                            }
                        }
                    }
                    // A country or city name is also a place when it names an actor
                    // (إيران، واشنطن): the extractor decides which role it plays.
                    if !places.is_empty() && (contextual.is_none() || actor.is_some()) {
                        place_hits.push((out.len(), places, r.view.clone(), info.common));
                        out.push(Entity {
                            kind: EntityKind::Place,
                            id: String::new(),
                            name: String::new(),
                            src: r.src.clone(),
                            text: surface.clone(),
                            technique: r.technique,
                            entry: EntryRef::Place(0),
                            place: None,
                            value: None,
                        });
                    }
                }
                1 => {
                    for e in entries() {
                        if let EntryRef::Trigger(i) = e {
                            let t = &self.triggers[i as usize];
                            out.push(Entity {
                                kind: EntityKind::Trigger,
                                id: t.sub_event_type.clone(),
                                name: t.form.clone(),
                                src: r.src.clone(),
                                text: surface.clone(),
                                technique: r.technique,
                                entry: e,
                                place: None,
                                value: Some(if t.strong { "strong" } else { "weak" }.into()),
                            });
                        }
                    }
                }
                _ => {
                    for e in entries() {
                        if let EntryRef::Cue(i) = e {
                            let c = &self.cues[i as usize];
                            out.push(Entity {
                                kind: EntityKind::Cue,
                                id: c.cue.clone(),
                                name: c.form.clone(),
                                src: r.src.clone(),
                                text: surface.clone(),
                                technique: r.technique,
                                entry: e,
                                place: None,
                                value: (!c.value.is_empty()).then(|| c.value.clone()),
                            });
                        }
                    }
                }
            }
        }
        let choices = crate::places::disambiguate(self, view, &place_hits);
        let mut drop = vec![false; out.len()];
        for ((idx, _, vr, _), choice) in place_hits.iter().zip(choices) {
            match choice {
                Some((pi, info)) => {
                    let p = &self.places[pi as usize];
                    let e = &mut out[*idx];
                    e.id = p.id.clone();
                    e.name = if p.name_en.is_empty() {
                        p.name_ar.clone()
                    } else {
                        p.name_en.clone()
                    };
                    e.entry = EntryRef::Place(pi);
                    e.place = Some(info);
                    if !vr.is_empty() {
                        compound_region(text, mview, vr.clone(), e);
                    }
                }
                None => drop[*idx] = true,
            }
        }
        let mut i = 0;
        out.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
        out
    }

    /// Whether `ancestor` is `id` or one of its parents.
    fn is_ancestor(&self, ancestor: &str, id: &str) -> bool {
        let mut cur = Some(id.to_string());
        let mut guard = 0;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            guard += 1;
            if guard > 8 {
                return false;
            }
            cur = self.actor(&c).and_then(|a| a.parent.clone());
        }
        false
    }

    fn ancestor_in(&self, id: &str, list: &[String]) -> bool {
        list.iter().any(|a| self.is_ancestor(a, id))
    }

    /// The top-level actor an actor belongs to (the Fifth Corps → `syria-military`).
    pub fn root_actor(&self, id: &str) -> String {
        let mut cur = id.to_string();
        for _ in 0..8 {
            match self.actor(&cur).and_then(|a| a.parent.clone()) {
                Some(p) if self.actor(&p).is_some() => cur = p,
                _ => break,
            }
        }
        cur
    }

    /// Count of actor, place, trigger and cue aliases (before folding), for reports.
    pub fn alias_counts(&self) -> HashMap<&'static str, usize> {
        let mut m = HashMap::new();
        m.insert(
            "actor",
            self.actors.iter().map(|a| a.ar.len() + a.en.len()).sum(),
        );
        m.insert("place", self.places.iter().map(|p| 2 + p.names.len()).sum());
        m.insert("trigger", self.triggers.len());
        m.insert("cue", self.cues.len());
        m
    }
}

/// Case rules for Latin aliases of names: an acronym must be in capitals; a name must
/// start with a capital (so that "hama" or "tal" in running English text is not a place).
fn case_ok(original: &str, acronym: bool) -> bool {
    let letters: Vec<char> = original
        .chars()
        .filter(|&c| rasid_text::chars::is_alphabetic(c))
        .collect();
    if acronym {
        letters.iter().all(|c| c.is_uppercase())
    } else {
        letters
            .first()
            .is_none_or(|c| c.is_uppercase() || !c.is_ascii())
    }
}

/// The candidate repairs the lexicon confirms. Reversal is looked for on its own (see
/// `reversed_hits`); a word split in two (تنظ يم) is not repaired here.
fn candidate_config() -> CandidateConfig {
    let mut config = CandidateConfig {
        max_expansions: 64,
        ..CandidateConfig::default()
    };
    config
        .techniques
        .retain(|t| !matches!(t, Technique::Split | Technique::Reversed));
    config
}

/// Words before a place name that make a region of it: (match-level form, precision).
const REGION_HEADS: &[(&str, u8)] = &[
    ("ريف", 2),
    ("ارياف", 2),
    ("اطراف", 2),
    ("ضواحي", 2),
    ("محيط", 2),
    ("جرود", 2),
    ("باديه", 3),
    ("صحراء", 3),
    ("قطاع", 3),
];
/// Direction words: before a name (شرق سوريا) or, as adjectives, after a region (ريف حمص
/// الشرقي).
const DIRECTIONS_BEFORE: &[&str] = &[
    "شرق",
    "غرب",
    "شمال",
    "جنوب",
    "وسط",
    "شمالي",
    "جنوبي",
    "شرقي",
    "غربي",
];
const DIRECTIONS_AFTER: &[&str] = &[
    "الشرقي",
    "الغربي",
    "الشمالي",
    "الجنوبي",
    "الشرقيه",
    "الغربيه",
    "الشماليه",
    "الجنوبيه",
    "الاوسط",
    "الشمالي الشرقي",
    "الشمالي الغربي",
    "الجنوبي الشرقي",
    "الجنوبي الغربي",
];

/// "ريف حمص الشرقي", "بادية دير الزور", "شرق سوريا", "Deir Ezzor countryside": the place
/// is the base of a region; widen the entity to the whole phrase and mark it a region with
/// the precision ACLED gives such areas.
fn compound_region(text: &str, view: &rasid_text::View, vr: Range<usize>, e: &mut Entity) {
    let v = view.as_str();
    let Some(info) = e.place.as_mut() else { return };
    let before = v[..vr.start].trim_end();
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let prev = &before[word_start..];
    // The previous word may carry a proclitic (بريف، وريف).
    let head = REGION_HEADS.iter().find(|(h, _)| {
        prev == *h
            || prev
                .strip_suffix(h)
                .is_some_and(|p| ["و", "ب", "ل", "وب", "ول", "في"].contains(&p))
    });
    let dir_before = DIRECTIONS_BEFORE.iter().any(|d| {
        prev == *d || prev.strip_prefix('و') == Some(d) || prev.strip_prefix('ب') == Some(d)
    });
    let after = &v[vr.end..];
    let after_trim = after.trim_start();
    let dir_after = DIRECTIONS_AFTER
        .iter()
        .filter(|d| {
            after_trim.starts_with(*d)
                && after_trim[d.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
        .max_by_key(|d| d.len());
    let english_countryside = ["countryside", "desert", "outskirts", "province"]
        .iter()
        .find(|w| after_trim.starts_with(*w));
    let (start_view, precision) = if let Some((h, p)) = head {
        // Start at the head noun itself, not at its proclitic.
        (word_start + prev.len() - h.len(), *p)
    } else if dir_before
        && matches!(
            info.feature,
            FeatureKind::Country | FeatureKind::Governorate
        )
    {
        (word_start, 3)
    } else if dir_before
        && matches!(
            info.feature,
            FeatureKind::City | FeatureKind::Town | FeatureKind::Village
        )
    {
        // "شرقي إدلب": near the town, ACLED precision 2, still the town.
        info.geo_precision = info.geo_precision.max(2);
        info.phrase = Some(view.to_source(word_start..vr.end));
        return;
    } else if english_countryside.is_some_and(|w| *w != "province") {
        (vr.start, 2)
    } else {
        return;
    };
    let end_view = match (dir_after, english_countryside) {
        (Some(d), _) if head.is_some() || dir_before => {
            vr.end + (after.len() - after_trim.len()) + d.len()
        }
        (_, Some(w)) if *w != "province" => vr.end + (after.len() - after_trim.len()) + w.len(),
        _ => vr.end,
    };
    let _ = text;
    info.phrase = Some(view.to_source(start_view..end_view));
    if info.feature == FeatureKind::Country {
        info.admin1.clear();
    }
    info.feature = FeatureKind::Region;
    info.geo_precision = if matches!(info.feature, FeatureKind::City | FeatureKind::Town) {
        2
    } else {
        precision
    };
    info.context = Some(v[start_view..vr.start].trim().to_string());
}

/// Proclitic chains by (conjunction, preposition or article): the conjunction none, و or
/// ف; then none, ب, بال, ك, كال, ل, لل or ال. Together these are [`PROCLITICS`].
#[cfg(test)]
const CHAINS: [[&str; 8]; 3] = [
    ["", "ب", "بال", "ك", "كال", "ل", "لل", "ال"],
    ["و", "وب", "وبال", "وك", "وكال", "ول", "ولل", "وال"],
    ["ف", "فب", "فبال", "فك", "فكال", "فل", "فلل", "فال"],
];

/// A proclitic chain: the conjunction (none, و or ف), then the preposition or article
/// (none, ب, بال, ك, كال, ل, لل or ال).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chain {
    conj: u8,
    second: u8,
}

impl Chain {
    /// No proclitic.
    const NONE: Chain = Chain { conj: 0, second: 0 };

    fn is_none(self) -> bool {
        self == Chain::NONE
    }

    /// The chain as written.
    #[cfg(test)]
    fn text(self) -> &'static str {
        CHAINS[self.conj as usize][self.second as usize]
    }

    /// For a chain that ends with the article (ال، وال، بال، فكال…), the chain before
    /// the article.
    fn article(self) -> Option<Chain> {
        let second = match self.second {
            7 => 0,
            2 => 1,
            4 => 3,
            _ => return None,
        };
        Some(Chain {
            conj: self.conj,
            second,
        })
    }

    /// Whether it ends in لل (ل + the article).
    fn lil(self) -> bool {
        self.second == 6
    }

    /// Whether a place name takes it: و, ب, ل, لل and و before them; never an article
    /// of its own (الشعب is not شعب), nor ك or ف (كبيرا is not ك + بيرا, فرانس is not
    /// ف + رانس).
    fn place_ok(self) -> bool {
        self.conj <= 1 && matches!(self.second, 0 | 1 | 5 | 6)
    }
}

/// A key found by the trie walk.
pub(crate) struct TrieHit {
    /// The proclitic chain before it.
    chain: Chain,
    /// View byte range.
    start: usize,
    end: usize,
    /// Its length in characters.
    nchars: usize,
    /// What the rest of its word is (never [`Suffix::Other`]).
    suffix: Suffix,
    /// The key.
    key: u32,
}

/// Per class of entry, the longest hits that do not overlap, in order of position
/// (then class, then the longer first). Hits of one class that overlap one another are settled longest first
/// (the earlier on a tie, then the one found first); most hits overlap none and are
/// kept as they are.
fn longest_per_class(mut raws: Vec<Raw>) -> Vec<Raw> {
    // Stable: hits of one span keep the order they were found in.
    raws.sort_by_key(|r| (r.src.start, r.class, std::cmp::Reverse(r.src.len())));
    let mut keep = vec![false; raws.len()];
    let overlap = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
    let mut run: Vec<usize> = Vec::new();
    let settle = |run: &mut Vec<usize>, keep: &mut Vec<bool>| {
        if let [i] = run[..] {
            keep[i] = true;
        } else {
            run.sort_by_key(|&i| (std::cmp::Reverse(raws[i].src.len()), raws[i].src.start));
            for (n, &i) in run.iter().enumerate() {
                keep[i] = !run[..n]
                    .iter()
                    .any(|&j| keep[j] && overlap(&raws[i].src, &raws[j].src));
            }
        }
        run.clear();
    };
    for class in 0..3u8 {
        // The runs of hits of the class that overlap one another, in order.
        let mut end = 0;
        for (i, r) in raws.iter().enumerate() {
            if r.class != class {
                continue;
            }
            // An empty span takes nothing and is kept.
            if r.src.is_empty() {
                keep[i] = true;
                continue;
            }
            if !run.is_empty() && r.src.start >= end {
                settle(&mut run, &mut keep);
            }
            end = if run.is_empty() {
                r.src.end
            } else {
                end.max(r.src.end)
            };
            run.push(i);
        }
        if !run.is_empty() {
            settle(&mut run, &mut keep);
        }
    }
    raws.into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

/// Whether a proclitic chain may start with `c`.
#[inline]
fn starts_proclitic(c: char) -> bool {
    matches!(c, 'و' | 'ف' | 'ب' | 'ك' | 'ل' | 'ا')
}

/// Calls `f(length in letters, chain)` for each proclitic chain a word spelled `h` (its
/// first letters) can start with, each leaving at least one letter after it.
#[inline(always)]
fn for_each_proclitic(h: &[char], mut f: impl FnMut(usize, Chain)) {
    if !h.first().is_some_and(|&c| starts_proclitic(c)) {
        return;
    }
    let at = |i: usize| h.get(i).copied().unwrap_or('\0');
    let (conj, i) = match at(0) {
        'و' => (1, 1),
        'ف' => (2, 1),
        _ => (0, 0),
    };
    let mut push = |k: usize, second: u8| {
        if k > 0 && k < h.len() {
            f(k, Chain { conj, second });
        }
    };
    push(i, 0);
    // Tests in order of frequency (the article first) rather than a jump table, whose
    // target is hard to foresee from one word to the next.
    let c = at(i);
    if c == 'ا' {
        if at(i + 1) == 'ل' {
            push(i + 2, 7);
        }
    } else if c == 'ل' {
        push(i + 1, 5);
        if at(i + 1) == 'ل' {
            push(i + 2, 6);
        }
    } else if c == 'ب' || c == 'ك' {
        let b = if c == 'ب' { 1 } else { 3 };
        push(i + 1, b);
        if at(i + 1) == 'ا' && at(i + 2) == 'ل' {
            push(i + 3, b + 1);
        }
    }
}

/// The characters of a match view without quote marks, which names are matched through,
/// each with its view byte offset; its words (runs of word characters, quote marks
/// passed over); and the whitespace-delimited words that may hide an evasion spelling,
/// for [`rasid_text::candidates_in_tokens`].
pub(crate) struct Hay {
    /// The characters, in the first `len` places (the buffers keep the size of the
    /// largest document read on the thread, so that they are not cleared again).
    chars: Vec<char>,
    offs: Vec<u32>,
    len: usize,
    /// Each word as a range of `chars`.
    words: Vec<Range<u32>>,
    /// View byte ranges of the whitespace-delimited words that may yield a candidate
    /// repair: those with an Arabic character that are not three or more common letters
    /// with none three times in a row, the short ones only in a spaced-out run.
    suspects: Vec<Range<usize>>,
}

/// The buffers of a [`Hay`].
type HayBuffers = (Vec<char>, Vec<u32>, Vec<Range<u32>>, Vec<Range<usize>>);

thread_local! {
    /// The buffers of the last [`Hay`] made on this thread, reused by the next.
    static HAY_BUFFERS: std::cell::Cell<HayBuffers> = const {
        std::cell::Cell::new((Vec::new(), Vec::new(), Vec::new(), Vec::new()))
    };
}

/// The largest buffers (in characters) kept for the next document: an article is far
/// smaller; one huge document does not hold its memory on the thread afterwards.
const HAY_KEPT: usize = 1 << 20;

impl Drop for Hay {
    fn drop(&mut self) {
        if self.chars.capacity() > HAY_KEPT {
            return;
        }
        let buffers = (
            std::mem::take(&mut self.chars),
            std::mem::take(&mut self.offs),
            std::mem::take(&mut self.words),
            std::mem::take(&mut self.suspects),
        );
        HAY_BUFFERS.with(|b| b.set(buffers));
    }
}

/// Per two bytes read as a little-endian number, the Arabic word character they
/// encode (lead byte D8–DB) as its index in the block (U+0600 + index) with
/// [`PAIR_WORD`], and [`PAIR_RARE`] unless it is one of the common letters; 0 for
/// anything else: a letter of the bulk of the text decoded and classed in one read.
static PAIR_LETTERS: std::sync::LazyLock<Box<[u16; 1 << 16]>> = std::sync::LazyLock::new(|| {
    let mut t = Box::new([0; 1 << 16]);
    for lead in 0xD8..=0xDBu8 {
        for trail in 0x80..=0xBFu8 {
            let k = (u16::from(lead & 3) << 6) | u16::from(trail & 0x3F);
            let c = char::from_u32(0x600 + u32::from(k)).unwrap_or(' ');
            if is_word(c) {
                let rare = if rasid_text::candidates::is_common_letter(c) {
                    0
                } else {
                    PAIR_RARE
                };
                t[usize::from(u16::from_le_bytes([lead, trail]))] = k | PAIR_WORD | rare;
            }
        }
    }
    t
});
/// In [`PAIR_LETTERS`]: a word character.
const PAIR_WORD: u16 = 0x100;
/// In [`PAIR_LETTERS`]: not one of the common letters.
const PAIR_RARE: u16 = 0x200;

impl Hay {
    pub(crate) fn new(v: &str) -> Hay {
        // Documents come one after the other: their buffers are reused rather than
        // allocated (and their pages faulted in) again.
        let (mut chars, mut offs, mut words, mut suspects) = HAY_BUFFERS.with(|b| b.take());
        // Room for every character: a character is at least a byte.
        words.clear();
        suspects.clear();
        if chars.len() <= v.len() {
            chars.resize(v.len() + 1, '\0');
            offs.resize(v.len() + 1, 0);
        }
        let mut n = 0;
        let pair_letters: &[u16; 1 << 16] = &PAIR_LETTERS;
        let b = v.as_bytes();
        // The start of the word being read, if any.
        let mut word: Option<u32> = None;
        // The whitespace-delimited word being read: its byte start, whether it has only
        // common letters so far, whether it has an Arabic character.
        const NONE: usize = usize::MAX;
        let mut token = NONE;
        let (mut plain, mut arabic) = (true, false);
        let mut runs = rasid_text::SuspectWords::default();
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            // A space, the most common character after the letters: it ends the word
            // and the whitespace-delimited word being read.
            if x == b' ' {
                if token < i {
                    runs.word(&b[token..i], token, plain, arabic, &mut suspects);
                }
                token = NONE;
                if let Some(s) = word.take() {
                    words.push(s..n as u32);
                }
                chars[n] = ' ';
                offs[n] = i as u32;
                n += 1;
                i += 1;
                continue;
            }
            if token == NONE {
                token = i;
                (plain, arabic) = (true, false);
            }
            // A run of Arabic word letters (two bytes each, led by D8–DB), the bulk of
            // the text, read in a loop of its own.
            let lead = x & 0xFC == 0xD8 && i + 1 < b.len();
            if lead && pair_letters[usize::from(u16::from_le_bytes([x, b[i + 1]]))] != 0 {
                arabic = true;
                if word.is_none() {
                    word = Some(n as u32);
                }
                // The last two letters, for a letter three times in a row (which
                // makes a word worth a look for a candidate repair).
                let (mut p1, mut p2) = (0, 1);
                // The flags of every letter together, and whether one came three
                // times in a row: told apart after the run.
                let (mut all, mut thrice) = (0, false);
                // Pairs of bytes read and characters written in step, so that no
                // index is checked on the way; each pair looked up at once.
                let mut m = 0;
                let (pairs, _) = b[i..].as_chunks::<2>();
                let out = chars[n..].iter_mut().zip(offs[n..].iter_mut());
                for (&p, (c, o)) in pairs.iter().zip(out) {
                    let l = pair_letters[usize::from(u16::from_le_bytes(p))];
                    if l == 0 {
                        break;
                    }
                    all |= l;
                    thrice |= (l == p1) & (l == p2);
                    (p2, p1) = (p1, l);
                    *c = char::from_u32(0x600 + u32::from(l & 0xFF)).unwrap_or(' ');
                    *o = (i + 2 * m) as u32;
                    m += 1;
                }
                plain &= (all & PAIR_RARE == 0) & !thrice;
                n += m;
                i += 2 * m;
                continue;
            }
            // Other Arabic characters (two bytes, D8–DB, none of them a word character,
            // a quote mark or a space) decoded here; the rest by the library.
            let (c, is_word_char) = if lead {
                let k = (u32::from(x & 3) << 6) | u32::from(b[i + 1] & 0x3F);
                arabic = true;
                plain = false;
                (char::from_u32(0x600 + k).unwrap_or('\u{FFFD}'), false)
            } else {
                let c = if x < 0x80 {
                    char::from(x)
                } else {
                    v[i..].chars().next().unwrap_or('\u{FFFD}')
                };
                let space = if x < 0x80 {
                    x.is_ascii_whitespace()
                } else {
                    c.is_whitespace()
                };
                if space {
                    if token < i {
                        runs.word(&b[token..i], token, plain, arabic, &mut suspects);
                    }
                    token = NONE;
                } else {
                    plain = false;
                }
                if is_quote(c) {
                    i += c.len_utf8();
                    continue;
                }
                (c, is_word(c))
            };
            if is_word_char {
                if word.is_none() {
                    word = Some(n as u32);
                }
            } else if let Some(s) = word.take() {
                words.push(s..n as u32);
            }
            chars[n] = c;
            offs[n] = i as u32;
            n += 1;
            i += c.len_utf8();
        }
        if let Some(s) = word {
            words.push(s..n as u32);
        }
        if token < b.len() {
            runs.word(&b[token..], token, plain, arabic, &mut suspects);
        }
        runs.finish(&mut suspects);
        Hay {
            chars,
            offs,
            len: n,
            words,
            suspects,
        }
    }

    /// The characters, quote marks left out.
    pub(crate) fn chars(&self) -> &[char] {
        &self.chars[..self.len]
    }

    /// The view byte offset of each character.
    pub(crate) fn offs(&self) -> &[u32] {
        &self.offs[..self.len]
    }

    /// The view byte end of character `i`.
    fn end_of(&self, i: usize) -> usize {
        self.offs[i] as usize + self.chars[i].len_utf8()
    }
}

/// The first three letters of the words of a set that can be found (four Arabic
/// letters or more), hashed into a table of bits: a check before a trie walk that
/// lets few words through, so that its branch is seldom taken.
#[derive(Clone, Debug)]
pub(crate) struct LetterTriples {
    bits: Box<[u64; 1 << 10]>,
}

impl LetterTriples {
    /// The bit of three letters.
    #[inline]
    fn slot(a: char, b: char, c: char) -> usize {
        let h = u32::from(a).wrapping_mul(0x9E37_79B9)
            ^ u32::from(b).wrapping_mul(0x85EB_CA6B)
            ^ u32::from(c).wrapping_mul(0xC2B2_AE35);
        (h >> 16) as usize
    }

    /// The triples that start `words`; a word under four letters, or with a character
    /// that is not an Arabic letter, is never found and is left out.
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> LetterTriples {
        let mut bits = Box::new([0u64; 1 << 10]);
        for w in words {
            let cs: Vec<char> = w.chars().collect();
            if cs.len() >= 4 && cs.iter().all(|&c| is_arabic_letter(c)) {
                let i = LetterTriples::slot(cs[0], cs[1], cs[2]);
                bits[i >> 6] |= 1 << (i & 63);
            }
        }
        LetterTriples { bits }
    }

    /// Whether a word of the set may start with `a`, `b`, `c`.
    #[inline]
    pub(crate) fn contains(&self, a: char, b: char, c: char) -> bool {
        let i = LetterTriples::slot(a, b, c);
        self.bits[i >> 6] & (1 << (i & 63)) != 0
    }
}

/// Whether `c` is a quote mark, which names are matched through.
#[inline]
pub(crate) fn is_quote(c: char) -> bool {
    matches!(c, '«' | '»' | '“' | '”' | '"' | '„' | '″' | '‹' | '›')
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn lex() -> &'static Lexicon {
        static L: OnceLock<Lexicon> = OnceLock::new();
        L.get_or_init(|| Lexicon::bundled().expect("bundled"))
    }

    fn ids(text: &str, kind: EntityKind) -> Vec<(String, String)> {
        lex()
            .find(text)
            .into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| (e.id, e.text))
            .collect()
    }

    #[test]
    fn clitics_quotes_and_obfuscation() {
        assert!(ids("قصف بالرقة", EntityKind::Place)
            .iter()
            .any(|(_, t)| t == "الرقة"));
        assert!(
            ids("هجوم لـ\"قسد\" على", EntityKind::Actor).contains(&("sdf".into(), "قسد".into()))
        );
        assert!(ids("خلايا “التـ.ـنظيم” وداعش", EntityKind::Actor)
            .iter()
            .any(|(id, _)| id == "isis"));
        assert!(ids("مقاتلو دا3ش", EntityKind::Actor).contains(&("isis".into(), "دا3ش".into())));
        // Written backwards, with a Latin lookalike, spaced out, inside guillemets.
        assert!(ids("عناصر شعاد في المنطقة", EntityKind::Actor)
            .contains(&("isis".into(), "شعاد".into())));
        assert!(ids("هجوم لـدlعش", EntityKind::Actor)
            .iter()
            .any(|(id, _)| id == "isis"));
        assert!(ids("وقالت «قوات سوريا الديمقراطية» إن", EntityKind::Actor)
            .iter()
            .any(|(id, t)| id == "sdf" && t == "قوات سوريا الديمقراطية"));
        // A quote mark inside the name is passed over, and is part of the span.
        assert!(ids("هجوم ل«قوات سوريا» الديمقراطية", EntityKind::Actor)
            .iter()
            .any(|(id, t)| id == "sdf" && t == "قوات سوريا» الديمقراطية"));
    }

    /// What a trie walk reported, owned: chain, view span, length, suffix, key.
    type Walked = ((u8, u8), usize, usize, usize, Suffix, u32);

    fn walked(hit: TrieHit) -> Walked {
        (
            (hit.chain.conj, hit.chain.second),
            hit.start,
            hit.end,
            hit.nchars,
            hit.suffix,
            hit.key,
        )
    }

    /// The characters of a view without quote marks, with their byte offsets, and its
    /// words as runs of word characters: the plain reading a [`Hay`] must agree with.
    fn plain_reading(v: &str) -> (Vec<char>, Vec<u32>, Vec<Range<u32>>) {
        let (chars, offs): (Vec<char>, Vec<u32>) = v
            .char_indices()
            .filter(|(_, c)| !is_quote(*c))
            .map(|(i, c)| (c, i as u32))
            .unzip();
        let (mut words, mut start) = (Vec::new(), None);
        for (n, &c) in chars.iter().enumerate() {
            if is_word(c) {
                start.get_or_insert(n as u32);
            } else if let Some(s) = start.take() {
                words.push(s..n as u32);
            }
        }
        if let Some(s) = start {
            words.push(s..chars.len() as u32);
        }
        (chars, offs, words)
    }

    /// Every start of every word walked, the keys with the article found from the article
    /// itself: what [`Lexicon::trie_hits`] must report, in some order. The hay's
    /// characters, offsets and words are checked against the plain reading of its view.
    fn every_start(lex: &Lexicon, v: &str, hay: &Hay) -> Vec<Walked> {
        let (chars, offs, words) = plain_reading(v);
        assert_eq!(hay.chars(), chars, "characters of {v:?}");
        assert_eq!(hay.offs(), offs, "offsets of {v:?}");
        assert_eq!(hay.words, words, "words of {v:?}");
        let mut out = Vec::new();
        for w in &hay.words {
            let (ws, next) = (w.start as usize, w.end as usize);
            let head = &hay.chars()[ws..next.min(ws + 5)];
            let mut walk = |k: usize, chain: Chain| {
                let Some(trie) = &lex.tries[usize::from(head[k].is_ascii())] else {
                    return;
                };
                let si = ws + k;
                for (key, nchars) in trie.common_prefix_search(&hay.chars()[si..]) {
                    let end = si + nchars;
                    if key >= lex.real_keys {
                        continue;
                    }
                    let rest = if end <= next {
                        (next - end).min(5)
                    } else {
                        hay.chars()[end..]
                            .iter()
                            .take(5)
                            .take_while(|c| is_word(**c))
                            .count()
                    };
                    let suffix = Suffix::of(&hay.chars()[end..end + rest]);
                    if suffix == Suffix::Other {
                        continue;
                    }
                    out.push(walked(TrieHit {
                        chain,
                        start: hay.offs()[si] as usize,
                        end: hay.end_of(end - 1),
                        nchars,
                        suffix,
                        key,
                    }));
                }
            };
            walk(0, Chain::NONE);
            for_each_proclitic(head, &mut walk);
        }
        out.sort();
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 10000, .. Default::default() })]
        /// Words with and without the article, after every proclitic chain, with names
        /// that have the article and names that do not: the walk that skips articles
        /// reports exactly what walking every start reports.
        #[test]
        fn article_walks_agree(
            v in proptest::collection::vec(
                proptest::sample::select(vec![
                    "ال", "وال", "بال", "فال", "كال", "وبال", "فكال", "لل", "و", "ب", "ل",
                    "رقة", "رقه", "حكومة", "حكومه", "سورية", "جيش", "قوات", "دولة",
                    "اسلامية", "اسلاميه", "ولايات", "متحدة", "متحده", "نظام", "ا", "ل", "ين",
                    " ", " ", " ", "\"", "«", "-", "سعود", "ال سعود",
                    "،", "؟", "”", "\n", "Raqqa", "isis", "٣", "3", "é",
                ]),
                0..24,
            )
        ) {
            let text: String = v.concat();
            let view = Lexicon::view(&text);
            let hay = Hay::new(view.as_str());
            let mut found = Vec::new();
            lex().trie_hits(&hay, |h| found.push(walked(h)));
            found.sort();
            proptest::prop_assert_eq!(found, every_start(lex(), view.as_str(), &hay), "{:?}", text);
        }

        /// Words plain and suspect, short and long, spaced out, repeated, with digits,
        /// Latin lookalikes, separators and quote marks: the candidates from the words
        /// the decoding kept are the candidates from every word.
        #[test]
        fn suspects_keep_every_candidate(
            v in proptest::collection::vec(
                proptest::sample::select(vec![
                    "داعش", "دا3ش", "دlعش", "تنـ.ـظيم", "د", "ا", "ع", "ش", "في", "من",
                    "الرقة", "ههه", "دااااعش", "ٮ", "ـ", ".", "،", "3", "l", "x", "«", "»",
                    "\"", " ", " ", " ", "  ", "\n", "\t", "\u{a0}", "\u{2003}", "١٢",
                    "پ", "😀", "الماضي،", "(داعش)", "ههه،", "«الرقة»", ".دولة.", "عش،", "ش،", "(ع",
                ]),
                0..30,
            )
        ) {
            let text: String = v.concat();
            let view = Lexicon::view(&text);
            let hay = Hay::new(view.as_str());
            let cfg = candidate_config();
            let all: Vec<_> = rasid_text::candidates_in(&text, &view, &cfg)
                .into_iter()
                .map(|c| (c.key, c.src, c.technique))
                .collect();
            let kept: Vec<_> = rasid_text::candidates_in_tokens(&text, &view, &hay.suspects, &cfg)
                .into_iter()
                .map(|c| (c.key, c.src, c.technique))
                .collect();
            proptest::prop_assert_eq!(kept, all, "{:?}", text);
        }
    }

    /// The longest hits per class the plain way: all hits longest first, each kept when
    /// none of its bytes is taken by a hit of its class kept before.
    fn longest_by_bytes(mut raws: Vec<Raw>) -> Vec<Raw> {
        raws.sort_by(|a, b| {
            (b.src.len(), a.src.start, a.class).cmp(&(a.src.len(), b.src.start, b.class))
        });
        let mut taken = vec![0u8; raws.iter().map(|r| r.src.end).max().unwrap_or(0)];
        let mut kept = Vec::new();
        for r in raws {
            let bit = 1u8 << r.class;
            if taken[r.src.clone()].iter().any(|&t| t & bit != 0) {
                continue;
            }
            taken[r.src.clone()].iter_mut().for_each(|t| *t |= bit);
            kept.push(r);
        }
        kept.sort_by_key(|r| (r.src.start, r.class));
        kept
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 5000, .. Default::default() })]
        /// Hits of three classes, overlapping in chains, nested, equal, empty: the runs
        /// of overlapping hits settled longest first keep what taking bytes keeps, in the
        /// same order.
        #[test]
        fn overlaps_settled_as_by_bytes(
            v in proptest::collection::vec((0usize..40, 0usize..8, 0u8..3), 0..40)
        ) {
            let raws: Vec<Raw> = v
                .iter()
                .enumerate()
                .map(|(i, &(start, len, class))| Raw {
                    src: start..start + len,
                    key: i as u32,
                    class,
                    technique: None,
                    view: 0..0,
                    places_allowed: true,
                })
                .collect();
            let key = |r: &Raw| (r.src.clone(), r.key, r.class);
            let fast: Vec<_> = longest_per_class(raws.clone()).iter().map(key).collect();
            let plain: Vec<_> = longest_by_bytes(raws).iter().map(key).collect();
            proptest::prop_assert_eq!(fast, plain);
        }
    }

    #[test]
    fn suffixes_are_the_listed_ones() {
        let of = |s: &str| Suffix::of(&s.chars().collect::<Vec<_>>());
        assert_eq!(of(""), Suffix::None);
        for s in ACTOR_SUFFIXES {
            let nisba = NISBA_SUFFIXES.contains(s);
            assert_eq!(of(s), Suffix::Actor { nisba }, "{s}");
            // A letter more or less is another ending.
            assert_eq!(of(&format!("{s}ة")), Suffix::Other, "{s}ة");
            assert_eq!(of(&format!("ب{s}")), Suffix::Other, "ب{s}");
        }
        for other in ["ة", "ية", "ن", "نا", "يينا", "\0ي", "ي\0", "يا\0"] {
            assert_eq!(of(other), Suffix::Other, "{other:?}");
        }
    }

    #[test]
    fn letter_triples() {
        let t = LetterTriples::new(["شعاد", "هگرمش", "abcd", "شعا"]);
        assert!(t.contains('ش', 'ع', 'ا'));
        assert!(t.contains('ه', 'گ', 'ر'));
        // Never found (not Arabic letters, or under four letters): left out, so that
        // the table lets few words through.
        let none = LetterTriples::new(["abcd", "شعا", "شع1د"]);
        assert!(!none.contains('a', 'b', 'c'));
        assert!(!none.contains('ش', 'ع', 'ا'));
        assert!(!none.contains('ش', 'ع', '1'));
    }

    #[test]
    fn proclitic_chains_are_the_listed_ones() {
        let mut found: Vec<&str> = CHAINS
            .iter()
            .flatten()
            .copied()
            .filter(|c| !c.is_empty())
            .collect();
        let mut listed: Vec<&str> = PROCLITICS.to_vec();
        found.sort();
        listed.sort();
        assert_eq!(found, listed);
        // Every chain is recognised at the start of a word, and leaves its stem.
        let chains = |word: &[char]| {
            let mut found = Vec::new();
            for_each_proclitic(word, |k, c| found.push((k, c.text())));
            found
        };
        for p in PROCLITICS {
            let word: Vec<char> = format!("{p}رقة").chars().collect();
            let found = chains(&word);
            assert!(found.contains(&(p.chars().count(), *p)), "{p}: {found:?}");
        }
        // A chain that would leave nothing is not one.
        assert!(chains(&['و']).is_empty());
    }

    #[test]
    fn no_place_inside_ordinary_words() {
        // و + لد (Lod), ك + بيرا, ال + شعب, ف + رانس (Reims).
        for text in ["ولد في", "كان كبيرا جدا", "الشعب السوري", "وكالة فرانس برس"]
        {
            let places = ids(text, EntityKind::Place);
            assert!(
                places
                    .iter()
                    .all(|(_, t)| !["لد", "بيرا", "شعب", "رانس"].contains(&t.as_str())),
                "{text}: {places:?}"
            );
        }
    }

    #[test]
    fn generic_noun_refers_back() {
        let found = ids("هاجم داعش حاجزا. وقال التنظيم في بيان", EntityKind::Actor);
        assert_eq!(
            found.iter().filter(|(id, _)| id == "isis").count(),
            2,
            "{found:?}"
        );
        // Nothing named before: the generic noun stays unresolved.
        assert!(ids("وقال التنظيم في بيان", EntityKind::Actor).is_empty());
    }

    #[test]
    fn context_decides_the_feature() {
        let city = lex().find("وسط مدينة الرقة");
        let gov = lex().find("في محافظة الرقة");
        let f = |v: &[Entity]| v.iter().find_map(|e| e.place.as_ref().map(|p| p.feature));
        assert_eq!(f(&city), Some(FeatureKind::City));
        assert_eq!(f(&gov), Some(FeatureKind::Governorate));
        let rural = lex().find("في ريف دير الزور الشرقي");
        let p = rural.iter().find_map(|e| e.place.clone()).unwrap();
        // The countryside of a town is precision 2; a curated large rural region may be 3.
        assert_eq!(
            (p.feature, p.admin1.as_str()),
            (FeatureKind::Region, "Deir-ez-Zor")
        );
        assert!(matches!(p.geo_precision, 2 | 3));
        let near = lex().find("اشتباكات في ريف حمص");
        let p = near.iter().find_map(|e| e.place.clone()).unwrap();
        assert_eq!(
            (p.feature, p.geo_precision),
            (FeatureKind::Region, 2),
            "{p:?}"
        );
    }
}
