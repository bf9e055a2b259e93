//! # rasid-lexicon
//!
//! What an event coder must recognise — actors, places, event words and cues — matched
//! in Arabic and English however they are written: with clitics (`بالرقة`, `والتنظيم`,
//! `لـ"قسد"`), inside quotes, obfuscated (`تنـ.ـظيم`, `دا3ش`), transliterated (`Deir ez-Zor`,
//! `Dayr az Zawr`). Every alias points at one canonical record.
//!
//! Build a [`Lexicon`] once with a [`LexiconBuilder`] (the bundled data and any user
//! files), then call [`Lexicon::find`] on documents from any number of threads. Matching
//! walks a character-wise double-array trie from every word start of the match-level
//! view of the text (and from after each proclitic chain there), accepts hits at word
//! boundaries (allowing a proclitic chain on the left and a closed set of suffixes on the
//! right), confirms the normalizer's candidate repairs against the same keys, and
//! resolves ambiguous place names from the document's other places and context words.
//!
//! The crate is pure: file contents are passed in; nothing here reads files or the clock.

mod check;
mod data;
mod find;
mod places;
mod trie;

use std::collections::HashMap;

use rustc_hash::FxHashMap;

pub use check::{check, Problem};
pub use places::DIRECTION_WORDS;

/// Great-circle distance between two (lat, lon) points in km (haversine, mean Earth
/// radius): how far apart two places or two reports of an incident are.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}
pub use data::{
    parse_contextual_tsv, parse_cues_tsv, parse_places_tsv, parse_toml, parse_triggers_tsv, Actor,
    Contextual, Cue, FeatureKind, Place, Trigger,
};
pub use find::{Entity, EntityKind, Hit, HitClass, PlaceInfo};

/// ACLED's sub-event types with their event type, in the codebook's precedence order.
pub const SUB_EVENT_TYPES: &[(&str, &str)] = &[
    ("Government regains territory", "Battles"),
    ("Non-state actor overtakes territory", "Battles"),
    ("Armed clash", "Battles"),
    ("Chemical weapon", "Explosions/Remote violence"),
    ("Air/drone strike", "Explosions/Remote violence"),
    ("Suicide bomb", "Explosions/Remote violence"),
    (
        "Shelling/artillery/missile attack",
        "Explosions/Remote violence",
    ),
    (
        "Remote explosive/landmine/IED",
        "Explosions/Remote violence",
    ),
    ("Grenade", "Explosions/Remote violence"),
    ("Sexual violence", "Violence against civilians"),
    ("Attack", "Violence against civilians"),
    (
        "Abduction/forced disappearance",
        "Violence against civilians",
    ),
    ("Excessive force against protesters", "Protests"),
    ("Protest with intervention", "Protests"),
    ("Peaceful protest", "Protests"),
    ("Violent demonstration", "Riots"),
    ("Mob violence", "Riots"),
    ("Agreement", "Strategic developments"),
    ("Arrests", "Strategic developments"),
    ("Change to group/activity", "Strategic developments"),
    ("Disrupted weapons use", "Strategic developments"),
    ("Headquarters or base established", "Strategic developments"),
    ("Looting/property destruction", "Strategic developments"),
    (
        "Non-violent transfer of territory",
        "Strategic developments",
    ),
    ("Other", "Strategic developments"),
];

/// A problem in lexicon data, with the file and line it comes from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    /// File name as given by the caller.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl LexiconError {
    pub(crate) fn new(file: &str, line: usize, message: String) -> LexiconError {
        LexiconError {
            file: file.to_string(),
            line,
            message,
        }
    }
}

/// A reference to one lexicon entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryRef {
    /// Index into [`Lexicon::actors`].
    Actor(u32),
    /// Index into [`Lexicon::places`].
    Place(u32),
    /// Index into [`Lexicon::triggers`].
    Trigger(u32),
    /// Index into [`Lexicon::cues`].
    Cue(u32),
    /// Index into [`Lexicon::contextual`].
    Contextual(u32),
}

/// Everything one match key stands for.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyInfo {
    pub entries: Vec<EntryRef>,
    /// The key is written in Latin letters (needs case checks in the original).
    pub latin: bool,
    /// All-capital acronym in the data (ISIS, SDF): the original must be capitals too.
    pub acronym: bool,
    /// An ordinary word too (common_words.txt): a place only with context.
    pub common: bool,
    /// A Latin name written with a capital in the data: the original must be capitalised.
    pub proper: bool,
    /// Only derived by dropping the article (الولايات → ولايات), to match after لل.
    pub after_lil_only: bool,
}

/// The flags of a [`KeyInfo`] the matcher reads on every hit, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyBits(u16);

impl KeyBits {
    /// Entries of class 0 (names), 1 (event words) and 2 (cues): bits 0–2.
    const CLASSES: u16 = 0b111;
    pub(crate) const LATIN: u16 = 1 << 3;
    pub(crate) const ACRONYM: u16 = 1 << 4;
    pub(crate) const PROPER: u16 = 1 << 5;
    pub(crate) const AFTER_LIL_ONLY: u16 = 1 << 6;
    /// Some entry is not a place (an actor, event word or cue: it takes a suffix).
    pub(crate) const NOT_ALL_PLACES: u16 = 1 << 7;

    fn of(info: &KeyInfo) -> KeyBits {
        let mut b = info
            .entries
            .iter()
            .fold(0u16, |m, e| m | (1 << find::class_of(e)));
        for (yes, bit) in [
            (info.latin, KeyBits::LATIN),
            (info.acronym, KeyBits::ACRONYM),
            (info.proper, KeyBits::PROPER),
            (info.after_lil_only, KeyBits::AFTER_LIL_ONLY),
            (
                info.entries
                    .iter()
                    .any(|e| !matches!(e, EntryRef::Place(_))),
                KeyBits::NOT_ALL_PLACES,
            ),
        ] {
            if yes {
                b |= bit;
            }
        }
        KeyBits(b)
    }

    /// Whether `bit` (one of the constants) is set.
    #[inline]
    pub(crate) fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The entry classes of the key, as a mask (bit `c` for class `c`).
    #[inline]
    pub(crate) fn classes(self) -> u8 {
        (self.0 & KeyBits::CLASSES) as u8
    }
}

/// The bundled data, compiled in so that the binary works anywhere.
pub mod bundled {
    /// Actor files: (name, contents).
    pub const ACTORS: &[(&str, &str)] = &[
        (
            "data/actors/global.toml",
            include_str!("../../../data/actors/global.toml"),
        ),
        (
            "data/actors/syria.toml",
            include_str!("../../../data/actors/syria.toml"),
        ),
        (
            "data/actors/iraq.toml",
            include_str!("../../../data/actors/iraq.toml"),
        ),
        (
            "data/actors/yemen.toml",
            include_str!("../../../data/actors/yemen.toml"),
        ),
        (
            "data/actors/lebanon.toml",
            include_str!("../../../data/actors/lebanon.toml"),
        ),
        (
            "data/actors/palestine-israel.toml",
            include_str!("../../../data/actors/palestine-israel.toml"),
        ),
        (
            "data/actors/libya.toml",
            include_str!("../../../data/actors/libya.toml"),
        ),
        (
            "data/actors/egypt.toml",
            include_str!("../../../data/actors/egypt.toml"),
        ),
        (
            "data/actors/afghanistan.toml",
            include_str!("../../../data/actors/afghanistan.toml"),
        ),
        (
            "data/actors/foreign.toml",
            include_str!("../../../data/actors/foreign.toml"),
        ),
    ];
    /// Contextual aliases.
    pub const CONTEXTUAL: (&str, &str) = (
        "data/actors/contextual.tsv",
        include_str!("../../../data/actors/contextual.tsv"),
    );
    /// Gazetteer files.
    pub const PLACES: &[(&str, &str)] = &[
        (
            "data/gazetteer/places.tsv",
            include_str!("../../../data/gazetteer/places.tsv"),
        ),
        (
            "data/gazetteer/world.tsv",
            include_str!("../../../data/gazetteer/world.tsv"),
        ),
    ];
    /// Ordinary words that are also place names.
    pub const COMMON_WORDS: (&str, &str) = (
        "data/gazetteer/common_words.txt",
        include_str!("../../../data/gazetteer/common_words.txt"),
    );
    /// Event words.
    pub const TRIGGERS: (&str, &str) = (
        "data/events/triggers.tsv",
        include_str!("../../../data/events/triggers.tsv"),
    );
    /// Cues.
    pub const CUES: (&str, &str) = (
        "data/events/cues.tsv",
        include_str!("../../../data/events/cues.tsv"),
    );
}

/// Collects lexicon data, then builds the immutable [`Lexicon`].
#[derive(Clone, Debug, Default)]
pub struct LexiconBuilder {
    actors: Vec<Actor>,
    places: Vec<Place>,
    triggers: Vec<Trigger>,
    cues: Vec<Cue>,
    contextual: Vec<Contextual>,
    common_words: Vec<String>,
}

impl LexiconBuilder {
    /// An empty builder.
    pub fn new() -> LexiconBuilder {
        LexiconBuilder::default()
    }

    /// A builder holding the bundled data.
    pub fn bundled() -> Result<LexiconBuilder, LexiconError> {
        let mut b = LexiconBuilder::new();
        for (name, text) in bundled::ACTORS {
            b = b.toml(name, text)?;
        }
        b = b.contextual_tsv(bundled::CONTEXTUAL.0, bundled::CONTEXTUAL.1)?;
        for (name, text) in bundled::PLACES {
            b = b.places_tsv(name, text)?;
        }
        b = b.common_words(bundled::COMMON_WORDS.1);
        b = b.triggers_tsv(bundled::TRIGGERS.0, bundled::TRIGGERS.1)?;
        b = b.cues_tsv(bundled::CUES.0, bundled::CUES.1)?;
        Ok(b)
    }

    /// Add `[[actor]]` and `[[place]]` tables from a TOML file (the user-extension format).
    pub fn toml(mut self, name: &str, text: &str) -> Result<LexiconBuilder, LexiconError> {
        let (a, p) = parse_toml(name, text)?;
        self.actors.extend(a);
        self.places.extend(p);
        Ok(self)
    }

    /// Add gazetteer rows.
    pub fn places_tsv(mut self, name: &str, text: &str) -> Result<LexiconBuilder, LexiconError> {
        self.places.extend(parse_places_tsv(name, text)?);
        Ok(self)
    }

    /// Add trigger rows.
    pub fn triggers_tsv(mut self, name: &str, text: &str) -> Result<LexiconBuilder, LexiconError> {
        self.triggers.extend(parse_triggers_tsv(name, text)?);
        Ok(self)
    }

    /// Add cue rows.
    pub fn cues_tsv(mut self, name: &str, text: &str) -> Result<LexiconBuilder, LexiconError> {
        self.cues.extend(parse_cues_tsv(name, text)?);
        Ok(self)
    }

    /// Add contextual aliases.
    pub fn contextual_tsv(
        mut self,
        name: &str,
        text: &str,
    ) -> Result<LexiconBuilder, LexiconError> {
        self.contextual.extend(parse_contextual_tsv(name, text)?);
        Ok(self)
    }

    /// Add ordinary words (one per line, `#` comments) that are also place names: such a
    /// name is reported as a place only with a context word or a neighbouring place.
    pub fn common_words(mut self, text: &str) -> LexiconBuilder {
        self.common_words.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
        self
    }

    /// Entries added so far (for validation before building).
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// Places added so far.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Compile everything into the matching tries. Later entries with an id already seen
    /// replace the earlier one (so a user file can correct a bundled entry).
    pub fn build(self) -> Result<Lexicon, LexiconError> {
        let mut actors: Vec<Actor> = Vec::with_capacity(self.actors.len());
        let mut actor_index: HashMap<String, usize> = HashMap::new();
        for a in self.actors {
            match actor_index.get(&a.id) {
                Some(&i) => actors[i] = a,
                None => {
                    actor_index.insert(a.id.clone(), actors.len());
                    actors.push(a);
                }
            }
        }
        let mut places: Vec<Place> = Vec::with_capacity(self.places.len());
        let mut place_index: HashMap<String, usize> = HashMap::new();
        for p in self.places {
            match place_index.get(&p.id) {
                Some(&i) => places[i] = p,
                None => {
                    place_index.insert(p.id.clone(), places.len());
                    places.push(p);
                }
            }
        }
        let mut keys: Vec<KeyInfo> = Vec::new();
        let mut key_ids: FxHashMap<String, u32> = FxHashMap::default();
        let norm = rasid_text::Normalizer::new(rasid_text::Config {
            level: rasid_text::Level::Match,
            fold_case: true,
            record_repairs: false,
        });
        let mut add = |form: &str, e: EntryRef| {
            for variant in variants(form) {
                let k = normalize_key(&norm, &variant);
                // Two-letter Arabic keys (اب، رم) sit inside every other word: they cost
                // a boundary check per word and are names far less often than words.
                let acronym = is_acronym(&variant);
                if k.chars().count() < 2 || (k.chars().count() < 3 && !acronym) {
                    continue;
                }
                // ل + ال is written لل: index the name without its article too, valid
                // only after لل (للرقة، وللولايات المتحدة).
                let bare = k
                    .strip_prefix("ال")
                    .filter(|b| b.chars().count() >= 3)
                    .map(String::from);
                for (key, derived) in
                    std::iter::once((k.clone(), false)).chain(bare.map(|b| (b, true)))
                {
                    let id = *key_ids.entry(key.clone()).or_insert_with(|| {
                        keys.push(KeyInfo {
                            entries: Vec::new(),
                            latin: key.chars().any(|c| c.is_ascii_alphabetic()),
                            acronym: variant.len() <= 6
                                && variant.chars().all(|c| c.is_ascii_uppercase()),
                            common: false,
                            proper: variant.chars().next().is_some_and(char::is_uppercase),
                            after_lil_only: derived,
                        });
                        (keys.len() - 1) as u32
                    });
                    let info = &mut keys[id as usize];
                    if !derived {
                        info.after_lil_only = false;
                    }
                    if !info.entries.contains(&e) {
                        info.entries.push(e);
                    }
                }
            }
        };
        for (i, a) in actors.iter().enumerate() {
            for form in a.ar.iter().chain(&a.en) {
                add(form, EntryRef::Actor(i as u32));
            }
        }
        for (i, p) in places.iter().enumerate() {
            for form in [&p.name_en, &p.name_ar].into_iter().chain(&p.names) {
                if !form.is_empty() {
                    add(form, EntryRef::Place(i as u32));
                }
            }
        }
        for (i, t) in self.triggers.iter().enumerate() {
            add(&t.form, EntryRef::Trigger(i as u32));
            // Arabic construct phrases take the article on their second word as often as
            // not (كتابة عبارات، كتابة العبارات).
            let words: Vec<&str> = t.form.split_whitespace().collect();
            if words.len() == 2 && !t.form.is_ascii() && !words[1].starts_with("ال") {
                add(
                    &format!("{} ال{}", words[0], words[1]),
                    EntryRef::Trigger(i as u32),
                );
            }
        }
        for (i, c) in self.cues.iter().enumerate() {
            add(&c.form, EntryRef::Cue(i as u32));
        }
        for (i, c) in self.contextual.iter().enumerate() {
            add(&c.form, EntryRef::Contextual(i as u32));
        }
        // A name written with the article (الرقة) is not that place without it (ورقة is
        // "and a sheet", not و + رقة): its bare form counts only after لل.
        let article_forms: Vec<(String, u32)> = key_ids
            .iter()
            .filter(|(k, _)| !k.starts_with("ال") && !k.is_ascii())
            .filter_map(|(k, &id)| key_ids.get(&format!("ال{k}")).map(|_| (k.clone(), id)))
            .collect();
        for (k, id) in article_forms {
            let with_article = key_ids[&format!("ال{k}")];
            let shares_place = keys[id as usize].entries.iter().any(|e| {
                matches!(e, EntryRef::Place(_)) && keys[with_article as usize].entries.contains(e)
            });
            if shares_place
                && keys[id as usize]
                    .entries
                    .iter()
                    .all(|e| matches!(e, EntryRef::Place(_)))
            {
                keys[id as usize].after_lil_only = true;
            }
        }
        for w in &self.common_words {
            let k = normalize_key(&norm, w);
            let bare = k.strip_prefix("ال").map(String::from);
            for key in std::iter::once(k).chain(bare) {
                if let Some(&id) = key_ids.get(&key) {
                    keys[id as usize].common = true;
                }
            }
        }
        let mut rasm: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (k, &id) in &key_ids {
            // Rasm and reversal are trusted for actors only (see find), so only their keys.
            let actor_only = keys[id as usize]
                .entries
                .iter()
                .all(|e| matches!(e, EntryRef::Actor(_)));
            if actor_only && k.chars().count() >= 4 && !keys[id as usize].latin {
                rasm.entry(rasid_text::chars::rasm_key(k))
                    .or_default()
                    .push(id);
            }
        }
        // Single-word actor aliases of four letters or more, reversed, for evasion by
        // reversal; a reversed form that is itself a key (an ordinary word) is left out.
        let mut reversed: Vec<(String, u32)> = Vec::new();
        for (k, &id) in &key_ids {
            let info = &keys[id as usize];
            if !info.latin
                && !k.contains(' ')
                && k.chars().count() >= 4
                && info.entries.iter().all(|e| matches!(e, EntryRef::Actor(_)))
            {
                let r: String = k.chars().rev().collect();
                if r != *k && !key_ids.contains_key(&r) {
                    reversed.push((r, id));
                }
            }
        }
        // A key with the article (الرقة) is found by the walk from after the article,
        // through its bare form (رقة): the walk from the article itself is not made
        // (see `find`). A bare form that is no key of its own is in the trie as a
        // carrier key, with no entries and out of `key_ids`.
        let real_keys = keys.len() as u32;
        let mut article = vec![NO_KEY; keys.len()];
        let mut carriers: Vec<(String, u32)> = Vec::new();
        for (k, &id) in &key_ids {
            let Some(bare) = k.strip_prefix("ال") else {
                continue;
            };
            if !bare.starts_with(find::is_word) {
                continue;
            }
            let bare_id = match key_ids.get(bare) {
                Some(&b) => b,
                None => {
                    keys.push(KeyInfo::default());
                    article.push(NO_KEY);
                    carriers.push((bare.to_string(), (keys.len() - 1) as u32));
                    (keys.len() - 1) as u32
                }
            };
            article[bare_id as usize] = id;
        }
        let mut pairs: Vec<(&str, u32)> = key_ids
            .iter()
            .map(|(k, &v)| (k.as_str(), v))
            .chain(carriers.iter().map(|(k, v)| (k.as_str(), *v)))
            .collect();
        pairs.sort();
        // Arabic and Latin keys in two tries: Arabic text walks only the Arabic one, which
        // then stays in cache.
        let part = |latin: bool| {
            pairs
                .iter()
                .filter(move |(k, _)| k.starts_with(|c: char| c.is_ascii()) == latin)
                .copied()
        };
        let tries = [trie(part(false))?, trie(part(true))?];
        reversed.sort();
        reversed.dedup_by(|a, b| a.0 == b.0);
        let reversed_starts = find::LetterTriples::new(reversed.iter().map(|(k, _)| k.as_str()));
        let reversed = trie(reversed)?;
        // Each place's country, admin 1 and admin 2 as small numbers (0: none), for the
        // per-document votes of place disambiguation.
        let mut names: FxHashMap<(&str, u8, &str), u32> = FxHashMap::default();
        let mut geo: Vec<places::Geo> = Vec::with_capacity(places.len());
        for p in &places {
            let mut ids = [0u32; 3];
            for (level, name) in [(0u8, ""), (1, p.admin1_en.as_str()), (2, &p.admin2_en)] {
                if level == 0 || !name.is_empty() {
                    let n = names.len() as u32 + 1;
                    ids[level as usize] = *names.entry((&p.country, level, name)).or_insert(n);
                }
            }
            geo.push(places::Geo {
                country: ids[0],
                admin1: ids[1],
                admin2: ids[2],
                prior: places::prior(p),
            });
        }
        drop(names);
        let key_bits = keys.iter().map(KeyBits::of).collect();
        Ok(Lexicon {
            key_bits,
            geo,
            actor_index: actors
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.clone(), i as u32))
                .collect(),
            actors,
            places,
            triggers: self.triggers,
            cues: self.cues,
            contextual: self.contextual,
            keys,
            real_keys,
            article,
            key_ids,
            rasm,
            reversed,
            reversed_starts,
            tries,
            norm,
        })
    }
}

/// An acronym as written in the data: up to six letters, all capitals (ISIS, SDF, YBŞ,
/// IS-K).
fn is_acronym(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.len() <= 6
        && letters.iter().all(|c| c.is_uppercase())
        && s.chars().all(|c| c.is_alphabetic() || c == '-' || c == '.')
}

/// Spelling variants of one alias worth indexing: Latin names with hyphens also with
/// spaces and run together ("Deir-ez-Zor", "Deir ez Zor", "Deirezzor").
fn variants(form: &str) -> Vec<String> {
    let form = form.trim();
    let mut v = vec![form.to_string()];
    if form.contains('-') && form.is_ascii() {
        v.push(form.replace('-', " "));
        v.push(form.replace('-', ""));
    }
    v
}

/// The match key of an alias: match level, whitespace collapsed, no edge punctuation.
pub(crate) fn normalize_key(norm: &rasid_text::Normalizer, form: &str) -> String {
    let m = norm.normalize_str(form);
    let trimmed = m.trim_matches(|c: char| !c.is_alphanumeric());
    if !trimmed.contains("  ") && !trimmed.contains(|c: char| c.is_whitespace() && c != ' ') {
        return trimmed.to_string();
    }
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A trie of distinct keys with their values (`None` when there are none).
fn trie<K: AsRef<str>>(
    records: impl IntoIterator<Item = (K, u32)>,
) -> Result<Option<trie::Trie>, LexiconError> {
    let mut records = records.into_iter().peekable();
    if records.peek().is_none() {
        return Ok(None);
    }
    trie::Trie::new(records)
        .map(Some)
        .map_err(|e| LexiconError::new("lexicon", 0, format!("cannot build the trie: {e}")))
}

/// No key.
const NO_KEY: u32 = u32::MAX;

/// The compiled lexicon: immutable, `Send + Sync`, cheap to share behind an `Arc`.
pub struct Lexicon {
    actors: Vec<Actor>,
    actor_index: FxHashMap<String, u32>,
    places: Vec<Place>,
    /// Per place, its country and admin units as numbers.
    geo: Vec<places::Geo>,
    triggers: Vec<Trigger>,
    cues: Vec<Cue>,
    contextual: Vec<Contextual>,
    keys: Vec<KeyInfo>,
    /// Per key, what the matcher checks on every hit, packed: the hits of a document
    /// touch this small array rather than each key's entry list.
    key_bits: Vec<KeyBits>,
    /// Keys from this number on are carriers (bare forms of keys with the article that
    /// are no keys of their own).
    real_keys: u32,
    /// Per key, the key written with the article before it (رقة → الرقة), or
    /// [`NO_KEY`].
    article: Vec<u32>,
    key_ids: FxHashMap<String, u32>,
    rasm: FxHashMap<String, Vec<u32>>,
    /// Single-word actor aliases written backwards.
    reversed: Option<trie::Trie>,
    /// The first three letters of the reversed aliases that can be found.
    reversed_starts: find::LetterTriples,
    /// Arabic-script keys, then keys starting with an ASCII character.
    tries: [Option<trie::Trie>; 2],
    norm: rasid_text::Normalizer,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("actors", &self.actors.len())
            .field("places", &self.places.len())
            .field("triggers", &self.triggers.len())
            .field("cues", &self.cues.len())
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Lexicon {
    /// The bundled lexicon.
    pub fn bundled() -> Result<Lexicon, LexiconError> {
        LexiconBuilder::bundled()?.build()
    }

    /// All actors.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// An actor by id.
    pub fn actor(&self, id: &str) -> Option<&Actor> {
        self.actor_index.get(id).map(|&i| &self.actors[i as usize])
    }

    /// All places.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// All triggers.
    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// All cues.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// All contextual aliases.
    pub fn contextual(&self) -> &[Contextual] {
        &self.contextual
    }

    /// Number of distinct match keys (aliases after folding).
    pub fn key_count(&self) -> usize {
        self.key_ids.len()
    }

    /// The entries an exact alias (normalized like the text) stands for.
    pub fn lookup(&self, alias: &str) -> &[EntryRef] {
        self.key_ids
            .get(&normalize_key(&self.norm, alias))
            .map_or(&[], |&k| &self.keys[k as usize].entries)
    }

    /// Raw trie hits over the match view of `text` (from every word start and proclitic),
    /// before any suffix or context rule: the cost floor of [`Lexicon::find`], for
    /// benchmarks.
    pub fn raw_hit_count(&self, text: &str) -> usize {
        // The view `find` matches in, repairs recorded.
        let view = Lexicon::view(text);
        let mut n = 0;
        self.trie_hits(&find::Hay::new(view.as_str()), |_| n += 1);
        n
    }

    /// Heap bytes of the trie the keys are matched with.
    pub fn trie_bytes(&self) -> usize {
        self.tries
            .iter()
            .flatten()
            .map(trie::Trie::heap_bytes)
            .sum()
    }
}
