//! Choosing among gazetteer entries that share a name.
//!
//! الرقة is a city, a district, a sub-district and a governorate; many villages share
//! names. Each entry is scored from its feature kind and population, the context word
//! before the name (مدينة، محافظة، ريف، قرية، ناحية، حي، بادية …) and its agreement with
//! the document's other places (same admin 1 or admin 2, same country). A village name
//! with neither a context word nor a neighbour in the document is not reported at all:
//! too many village names are ordinary words.

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::data::{FeatureKind, Place};
use crate::find::PlaceInfo;
use crate::Lexicon;

/// A context word before a place name and the kinds it favours.
/// A place's country, admin 1 and admin 2 as numbers unique in the lexicon (0: none).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geo {
    pub(crate) country: u32,
    pub(crate) admin1: u32,
    pub(crate) admin2: u32,
    /// The place's score before any context: its kind, its country, its population.
    pub(crate) prior: f32,
}

/// The score of place `p` before any context (see [`Geo::prior`]).
pub(crate) fn prior(p: &Place) -> f32 {
    kind_prior(p.kind) + country_prior(&p.country) + (p.population as f32 + 1.0).log10() * 0.35
}

/// The document's votes per admin 1, admin 2 and country (by [`Geo`] number).
#[derive(Default, Clone)]
struct Votes {
    admin1: FxHashMap<u32, f32>,
    admin2: FxHashMap<u32, f32>,
    countries: FxHashMap<u32, f32>,
}

impl Votes {
    fn admin1(&self, g: Geo) -> f32 {
        self.admin1.get(&g.admin1).copied().unwrap_or(0.0)
    }
    fn admin2(&self, g: Geo) -> f32 {
        self.admin2.get(&g.admin2).copied().unwrap_or(0.0)
    }
    fn country(&self, g: Geo) -> f32 {
        self.countries.get(&g.country).copied().unwrap_or(0.0)
    }
    /// Add `w` to the units of `g` that already have votes.
    fn adjust(&mut self, g: Geo, w: f32) {
        if let Some(x) = self.admin1.get_mut(&g.admin1) {
            *x += w;
        }
        if let Some(x) = self.admin2.get_mut(&g.admin2) {
            *x += w;
        }
        if let Some(x) = self.countries.get_mut(&g.country) {
            *x += w * 0.5;
        }
    }
}

struct ContextWord {
    /// Match-level forms (without proclitics).
    forms: &'static [&'static str],
    /// Kinds it favours, with a bonus.
    favours: &'static [(FeatureKind, f32)],
    /// Precision override for an event located by this phrase ("countryside of X" = 2).
    precision: Option<u8>,
    /// The phrase makes a village name trustworthy.
    licenses_village: bool,
    /// The phrase names a kind of place, so that even an ordinary word after it is a
    /// place name (قرية الملك); direction words do not.
    licenses_common: bool,
}

/// Words after which a city name is a team or a company, not a place (نادي برشلونة).
const NOT_A_PLACE: &[&str] = &[
    "فريق",
    "نادي",
    "منتخب",
    "لاعب",
    "لاعبي",
    "مدرب",
    "club",
    "team",
    "striker",
    // Club names made of a word and a city (ريال مدريد، دينامو كييف، إنتر ميلان).
    "ريال",
    "دينامو",
    "انتر",
    "اسي",
    "ايه سي",
    "اتلتيكو",
    "سبورتنغ",
    "real",
    "dynamo",
    "inter",
    // Club names made of a word and a town (اتحاد طنجة، أولمبيك خريبكة، بايرن ميونيخ،
    // ستيوا بوخارست، وفاق سطيف، مولودية بجاية).
    "اتحاد",
    "اولمبيك",
    "اولمبي",
    "مولوديه",
    "وفاق",
    "بايرن",
    "بوروسيا",
    "شاختار",
    "ستيوا",
    "سسكا",
    "لوكوموتيف",
    "سبارتاك",
    // Idioms: جوز الهند (coconut), صلاة المغرب and أذان المغرب (the sunset prayer).
    "جوز",
    "صلاه",
    "اذان",
    // A company or an airline named after a place (شركة قطر للغاز، طيران الخليج);
    // "طيران الإمارات" over Yemen is an air force, an actor, not where anything happened.
    "شركه",
    "طيران",
    // Newspapers, agencies and competitions named after a place (صحيفة الشرق الأوسط،
    // كأس آسيا، دوري أبطال أوروبا).
    "صحيفه",
    "جريده",
    "مجله",
    "وكاله",
    "كاس",
    "بطوله",
    "ابطال",
    "اتفاق",
    "اتفاقيه",
    "معاهده",
    "مؤتمر",
    "بن",
    "ابن",
    "ابو",
    "عبد",
];

/// Words after which a city name was a newspaper or a team (نيويورك تايمز، مانشستر يونايتد).
/// Countryside words: before a place they mean its surroundings (ريف حمص).
const COUNTRYSIDE: &[&str] = &["ريف", "ارياف", "countryside", "outskirts", "اطراف", "ضواحي"];

const NOT_A_PLACE_AFTER: &[&str] = &[
    // صلاح الدين الأيوبي (Saladin), a man.
    "الايوبي",
    "تايمز",
    "بوست",
    "يونايتد",
    "سيتي",
    "تريبيون",
    "هيرالد",
    "times",
    "post",
    "united",
    // باريس سان جيرمان, a club.
    "سان",
    // باراك أوباما: ب + أراك (Arak) is a man's name here.
    "اوباما",
];

/// A name that is a word of an idiom when the given word follows: ينبع من ("stems
/// from"; Yanbu), النيل من ("harming"; the Nile), الرباط الصليبي (a ligament; Rabat).
const IDIOMS: &[(&str, &str)] = &[
    ("ينبع", "من"),
    ("النيل", "من"),
    ("النيل", "منه"),
    ("النيل", "منها"),
    ("النيل", "منهم"),
    // The cruciate ligament (الرباط الصليبي), not Rabat.
    ("الرباط", "الصليبي"),
];

/// Words that make a sentence sports news, where a foreign city is a club.
const SPORTS: &[&str] = &[
    "مباراه",
    "مباريات",
    "الدوري",
    "دوري",
    "الكاس",
    "بطوله",
    "مدرب",
    "لاعب",
    "ملعب",
    "تعادل",
    "league",
    "match",
    "coach",
];

/// Whether the hit at `r` is followed by a word that makes it a newspaper or a team, or sits
/// in a sports sentence while being a city outside the region.
fn not_a_place(view: &str, r: &Range<usize>, p: &Place, sports: &SportsWords) -> bool {
    let after = word_after(view, r.end);
    if NOT_A_PLACE_AFTER.contains(&after) {
        return true;
    }
    let name = &view[r.clone()];
    if IDIOMS.iter().any(|&(n, next)| n == name && next == after) {
        return true;
    }
    if told_the_paper(view, r) {
        return true;
    }
    if country_prior(&p.country) > 0.0 || !matches!(p.kind, FeatureKind::City | FeatureKind::Town) {
        return false;
    }
    let start = view[..r.start].rfind(['.', '؟', '!', '\n']).map_or(0, |i| {
        i + view[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = view[r.end..]
        .find(['.', '؟', '!', '\n'])
        .map_or(view.len(), |i| r.end + i);
    let at = sports.get_or_init(|| sports_words(view));
    let i = at.partition_point(|&w| w < start);
    at.get(i).is_some_and(|&w| w < end)
}

/// A country's adjective in the masculine (match level): after a town's name it agrees
/// with a club, not with the town, which is feminine (ميلان الإيطالي، بورتو البرتغالي،
/// اتحاد جدة السعودي; but مدينة ميلان الإيطالية).
const COUNTRY_ADJECTIVES: &[&str] = &[
    "الايطالي",
    "الاسباني",
    "البرتغالي",
    "الروسي",
    "الفرنسي",
    "الالماني",
    "الانجليزي",
    "الانكليزي",
    "الاسكتلندي",
    "البريطاني",
    "الهولندي",
    "البلجيكي",
    "السويسري",
    "النمساوي",
    "السويدي",
    "الدنماركي",
    "النرويجي",
    "اليوناني",
    "الروماني",
    "الاوكراني",
    "الصربي",
    "الكرواتي",
    "التركي",
    "البرازيلي",
    "الارجنتيني",
    "الامريكي",
    "الاميركي",
    "المكسيكي",
    "الصيني",
    "الياباني",
    "الكوري",
    "الاسترالي",
    "السعودي",
    "القطري",
    "الاماراتي",
    "الكويتي",
    "البحريني",
    "العماني",
    "اليمني",
    "العراقي",
    "السوري",
    "اللبناني",
    "الاردني",
    "المصري",
    "السوداني",
    "الليبي",
    "التونسي",
    "الجزائري",
    "المغربي",
    "الايراني",
];

/// Masculine nouns a town's name may follow, which such an adjective then agrees with
/// (ميناء جيهان التركي، حقل العمر السوري).
const MASCULINE_HEADS: &[&str] = &[
    "ميناء",
    "مطار",
    "معبر",
    "مرفا",
    "سجن",
    "مخيم",
    "حقل",
    "سد",
    "جبل",
    "جسر",
    "بنك",
    "مصرف",
    "اقليم",
    "لواء",
    "قضاء",
    "مركز",
    "شارع",
    "ميدان",
    "سوق",
    "مستشفي",
    "مجمع",
    // Duals (مطاري عمان الأردني ودمشق السوري).
    "مطاري",
    "معبري",
    "سجني",
    "مخيمي",
    "حقلي",
    "مينائي",
];

/// Whether the town at `r` is a club: followed by a country's adjective in the masculine,
/// after no masculine noun it could belong to.
fn club(view: &str, r: &Range<usize>, p: &Place) -> bool {
    if !matches!(
        p.kind,
        FeatureKind::City | FeatureKind::Town | FeatureKind::Village
    ) {
        return false;
    }
    if !COUNTRY_ADJECTIVES.contains(&word_after(view, r.end)) {
        return false;
    }
    let before = last_word(&view[..r.start]);
    let head = before.trim_start_matches(['و', 'ف', 'ب', 'ل']);
    !MASCULINE_HEADS.contains(&head) && !MASCULINE_HEADS.contains(&before)
}

/// Whether the name at `r` reads as a feminine adjective after a definite noun: a name
/// with the article and the nisba ending (السعودية، الشرقية) right after a word with
/// the article (الشركة السعودية، الأحياء الشرقية) is "Saudi", "eastern", not the place.
fn adjective(view: &str, r: &Range<usize>) -> bool {
    let name = &view[r.clone()];
    if !(name.starts_with("ال") && name.ends_with("يه")) || name.contains(' ') {
        return false;
    }
    // The word right before, without a quote mark or a comma between.
    let before = view[..r.start].trim_end();
    if before.ends_with(|c: char| !c.is_alphanumeric()) {
        return false;
    }
    let word = last_word(before);
    ["ال", "وال", "بال", "فال", "كال", "لل", "ولل"]
        .iter()
        .any(|p| word.strip_prefix(p).is_some_and(|w| w.chars().count() >= 2))
}

/// Whether the name at `r` is quoted right after the preposition ل ("قال لـ«الرياض»",
/// "told Al-Riyadh"): a newspaper or a channel speaks to people, a place is gone *to*
/// with إلى.
fn told_the_paper(view: &str, r: &Range<usize>) -> bool {
    let before = view[..r.start].trim_end();
    let Some(open) = before
        .chars()
        .next_back()
        .filter(|&c| crate::find::is_quote(c))
    else {
        return false;
    };
    let closed = view[r.end..]
        .trim_start()
        .chars()
        .next()
        .is_some_and(crate::find::is_quote);
    let before = before[..before.len() - open.len_utf8()]
        .trim_end_matches(|c: char| c.is_whitespace() || c == rasid_text::chars::TATWEEL);
    closed && matches!(last_word(before), "ل" | "ول" | "فل")
}

/// The word of `view` after byte `end`, without the punctuation that ends it.
fn word_after(view: &str, end: usize) -> &str {
    view[end..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| !c.is_alphanumeric())
}

/// The last whitespace-delimited word of `before`.
fn last_word(before: &str) -> &str {
    before.split_whitespace().next_back().unwrap_or("")
}

/// Where the document's sports words are, found once when first asked for.
type SportsWords = std::cell::OnceCell<Vec<usize>>;

/// The document being disambiguated: its match view, and what is found in it on demand.
struct Doc<'a> {
    view: &'a str,
    sports: SportsWords,
}

/// The view byte offsets of the words of [`SPORTS`] (with و or without), in order.
fn sports_words(view: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut start = None;
    let mut check = |s: usize, e: usize| {
        let w = &view[s..e];
        if SPORTS.contains(&w) || w.strip_prefix('و').is_some_and(|w| SPORTS.contains(&w)) {
            out.push(s);
        }
    };
    for (i, c) in view.char_indices() {
        if rasid_text::chars::is_alphanumeric(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            check(s, i);
        }
    }
    if let Some(s) = start {
        check(s, view.len());
    }
    out
}

/// Arabic direction words before a place ("شرق حلب", "جنوبي لبنان"): a locator, the place
/// being the name after them (the gazetteer builder also drops names made of them).
pub const DIRECTION_WORDS: &[&str] = &[
    "شرق",
    "غرب",
    "شمال",
    "جنوب",
    "شرقي",
    "غربي",
    "شمالي",
    "جنوبي",
    "وسط",
];

/// What a locator word ("near", a direction) favours: a settlement.
const NEAR_FAVOURS: &[(FeatureKind, f32)] = &[
    (FeatureKind::City, 1.0),
    (FeatureKind::Town, 1.0),
    (FeatureKind::Village, 0.5),
];

/// What "city" before a name favours.
const CITY_FAVOURS: &[(FeatureKind, f32)] = &[
    (FeatureKind::City, 4.0),
    (FeatureKind::Town, 3.5),
    (FeatureKind::Village, 1.0),
];

const CONTEXT: &[ContextWord] = &[
    ContextWord {
        forms: NOT_A_PLACE,
        favours: &[],
        precision: None,
        licenses_village: false,
        licenses_common: false,
    },
    ContextWord {
        forms: &["مدينه", "مدينتي", "city", "city of", "town of"],
        favours: CITY_FAVOURS,
        precision: Some(1),
        licenses_village: true,
        licenses_common: true,
    },
    // "مدن الرمادي والفلوجة" names cities, but "مدن المحافظة" is "the governorate's
    // cities": the plural does not make an ordinary word a name.
    ContextWord {
        forms: &["مدن"],
        favours: CITY_FAVOURS,
        precision: Some(1),
        licenses_village: true,
        licenses_common: false,
    },
    ContextWord {
        forms: &[
            "محافظه",
            "محافظتي",
            "ولايه",
            "province",
            "governorate",
            "provinces",
            "province of",
            "governorate of",
        ],
        favours: &[(FeatureKind::Governorate, 5.0)],
        precision: Some(3),
        licenses_village: false,
        licenses_common: true,
    },
    ContextWord {
        forms: COUNTRYSIDE,
        favours: &[
            (FeatureKind::Governorate, 3.0),
            (FeatureKind::City, 2.5),
            (FeatureKind::Town, 2.0),
            (FeatureKind::District, 1.0),
        ],
        precision: Some(2),
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: &["باديه", "صحراء", "desert"],
        favours: &[
            (FeatureKind::Governorate, 3.0),
            (FeatureKind::City, 2.0),
            (FeatureKind::Region, 2.0),
        ],
        precision: Some(2),
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: &[
            "قريه",
            "قري",
            "بلده",
            "بلدات",
            "بلدتي",
            "مزرعه",
            "قريتي",
            "village",
            "villages",
            "village of",
            "town",
        ],
        favours: &[(FeatureKind::Village, 4.0), (FeatureKind::Town, 4.0)],
        precision: Some(1),
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: &["ناحيه", "sub-district", "subdistrict"],
        favours: &[(FeatureKind::SubDistrict, 5.0)],
        precision: Some(2),
        licenses_village: false,
        licenses_common: true,
    },
    ContextWord {
        forms: &["منطقه", "قضاء", "district", "مركز"],
        favours: &[
            (FeatureKind::District, 2.5),
            (FeatureKind::Town, 1.0),
            (FeatureKind::City, 1.0),
        ],
        precision: None,
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: &[
            "حي",
            "احياء",
            "neighbourhood",
            "neighborhood",
            "district of",
        ],
        favours: &[(FeatureKind::Neighbourhood, 5.0)],
        precision: Some(1),
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: &["مخيم", "camp"],
        favours: &[
            (FeatureKind::Camp, 5.0),
            (FeatureKind::Town, 1.0),
            (FeatureKind::Village, 1.0),
        ],
        precision: Some(1),
        licenses_village: true,
        licenses_common: true,
    },
    ContextWord {
        forms: DIRECTION_WORDS,
        favours: NEAR_FAVOURS,
        precision: None,
        licenses_village: true,
        licenses_common: false,
    },
    ContextWord {
        forms: &[
            "قرب",
            "بالقرب",
            "near",
            "north of",
            "south of",
            "east of",
            "west of",
            "مشارف",
            "محيط",
        ],
        favours: NEAR_FAVOURS,
        precision: None,
        licenses_village: true,
        licenses_common: false,
    },
];

fn kind_prior(k: FeatureKind) -> f32 {
    use FeatureKind::*;
    match k {
        Region | Border | BorderCrossing | Prison | Camp | OilField | Dam | MilitaryBase
        | Airport | Landmark | NaturalFeature => 3.4,
        City => 3.0,
        Country => 2.8,
        Governorate => 2.6,
        Town => 2.0,
        District => 1.4,
        SubDistrict => 1.0,
        Village => 1.0,
        Neighbourhood => 0.9,
    }
}

/// Focus countries of the tool: a tie between a Syrian and a Turkish village goes to Syria.
fn country_prior(c: &str) -> f32 {
    match c {
        "SY" | "IQ" | "YE" => 0.8,
        "LB" | "PS" | "LY" | "EG" | "AF" | "JO" | "IL" | "SA" => 0.5,
        "QA" | "KW" | "AE" | "BH" | "OM" | "SD" | "TN" | "DZ" | "MA" | "MR" | "SO" | "DJ"
        | "IR" | "TR" | "PK" => 0.2,
        _ => 0.0,
    }
}

/// A form of a context word: its rank (forms are tried in the order of [`CONTEXT`]), the
/// word, the form, and for a two-word form its first word.
type ContextForm = (
    usize,
    &'static ContextWord,
    &'static str,
    Option<&'static str>,
);

/// The forms of [`CONTEXT`] by their last word.
static CONTEXT_INDEX: std::sync::LazyLock<FxHashMap<&'static str, Vec<ContextForm>>> =
    std::sync::LazyLock::new(|| {
        let mut index: FxHashMap<&'static str, Vec<ContextForm>> = FxHashMap::default();
        let mut rank = 0;
        for cw in CONTEXT {
            for f in cw.forms {
                let (first, last) = match f.split_once(' ') {
                    Some((a, b)) => (Some(a), b),
                    None => (None, *f),
                };
                index.entry(last).or_default().push((rank, cw, f, first));
                rank += 1;
            }
        }
        index
    });

/// The context word right before `view[start..]`, if any (proclitics allowed on it): the
/// first of [`CONTEXT`]'s forms that the last word, or the last two, end with.
fn context_before(view: &str, start: usize) -> Option<(&'static ContextWord, &'static str)> {
    // Through the quote marks around a name (صحيفة «الشرق الأوسط»، بلدة "كفرنبل").
    let before =
        view[..start].trim_end_matches(|c: char| c.is_whitespace() || crate::find::is_quote(c));
    let mut words = before.rsplitn(3, char::is_whitespace);
    let last = words.next().unwrap_or("");
    let second = words.next();
    let mut best: Option<&ContextForm> = None;
    let mut consider = |form: &'static ContextForm| {
        if best.is_none_or(|b| form.0 < b.0) {
            best = Some(form);
        }
    };
    for form in CONTEXT_INDEX.get(last).into_iter().flatten() {
        match form.3 {
            // The last two words end with the two-word form.
            Some(first) => {
                if second.is_some_and(|w| w.ends_with(first)) {
                    consider(form);
                }
            }
            None => consider(form),
        }
    }
    // A one-word form after a proclitic, but not after an article: "الريف الجنوبي", a
    // context word with its own article, is followed by an adjective, never by a name
    // ("ريف حلب" has none).
    for p in rasid_text::tokenize::PROCLITICS {
        if p.ends_with("ال") || p.ends_with("لل") {
            continue;
        }
        let Some(rest) = last.strip_prefix(p) else {
            continue;
        };
        for form in CONTEXT_INDEX.get(rest).into_iter().flatten() {
            if form.3.is_none() {
                consider(form);
            }
        }
    }
    best.map(|f| (f.1, f.2))
}

/// For each place hit (index into entities, candidate place indices, match-view range),
/// the chosen place and its resolution, or `None` to drop the hit.
pub(crate) fn disambiguate(
    lex: &Lexicon,
    view: &str,
    hits: &[(usize, Vec<u32>, Range<usize>, bool)],
) -> Vec<Option<(u32, PlaceInfo)>> {
    let places = &lex.places;
    let geo = &lex.geo;
    let contexts: Vec<Option<(&'static ContextWord, &'static str)>> = hits
        .iter()
        .map(|(_, _, r, _)| {
            if r.is_empty() {
                None
            } else {
                context_before(view, r.start)
            }
        })
        .collect();
    let score = |i: u32, ctx: Option<&ContextWord>, votes: &Votes| -> f32 {
        let p = &places[i as usize];
        let g = geo[i as usize];
        let mut s = g.prior;
        if let Some(cw) = ctx {
            if let Some((_, b)) = cw.favours.iter().find(|(k, _)| *k == p.kind) {
                s += b;
            }
        }
        s += votes.admin1(g).min(3.0);
        s += votes.admin2(g).min(2.0);
        s += votes.country(g).min(2.0);
        s
    };
    let none = Votes::default();
    // Pass 1: each hit on its own.
    let first: Vec<u32> = hits
        .iter()
        .zip(&contexts)
        .map(|((_, cands, _, _), ctx)| {
            *cands
                .iter()
                .max_by(|&&a, &&b| {
                    score(a, ctx.map(|c| c.0), &none).total_cmp(&score(b, ctx.map(|c| c.0), &none))
                })
                .expect("a place hit has candidates")
        })
        .collect();
    // The document's geography from pass 1, weighting unambiguous names more.
    let mut votes = Votes::default();
    // A name votes once however often it is repeated: three mentions of an ambiguous
    // village must not outvote the document's other places by themselves.
    let mut voted: FxHashMap<&[u32], u32> = FxHashMap::default();
    for (((_, cands, _, common), &best), ctx) in hits.iter().zip(&first).zip(&contexts) {
        if voted.contains_key(cands.as_slice()) {
            continue;
        }
        // An ordinary word that no context word makes a name (الشمالي، المدينة) is
        // dropped below: it must not vote either.
        if *common && !ctx.is_some_and(|c| c.0.licenses_common) {
            continue;
        }
        voted.insert(cands.as_slice(), best);
        let p = &places[best as usize];
        let g = geo[best as usize];
        let w = if cands.len() == 1 { 1.5 } else { 0.8 };
        if p.kind != FeatureKind::Village || cands.len() == 1 {
            *votes.countries.entry(g.country).or_default() += w * 0.5;
        }
        if g.admin1 != 0 {
            *votes.admin1.entry(g.admin1).or_default() += w;
        }
        if g.admin2 != 0 {
            *votes.admin2.entry(g.admin2).or_default() += w;
        }
    }
    let doc = Doc {
        view,
        sports: SportsWords::new(),
    };
    // Pass 2: with the other places (a hit's own vote is taken out, then put back).
    hits.iter()
        .zip(&contexts)
        .map(|((_, cands, vr, common), ctx)| {
            // The name's single vote (see above) is taken out while it is decided.
            let own = voted.get(cands.as_slice()).map(|&b| geo[b as usize]);
            let w = if cands.len() == 1 { 1.5 } else { 0.8 };
            if let Some(g) = own {
                votes.adjust(g, -w);
            }
            let r = choose(lex, &doc, cands, vr, *common, *ctx, &votes, &score);
            if let Some(g) = own {
                votes.adjust(g, w);
            }
            r
        })
        .collect()
}

/// Country votes that make a document plainly about one country: an unambiguous name
/// (0.75) and another mention.
const FOREIGN_EVIDENCE: f32 = 1.5;

/// The scoring function of one entry given a context word and the votes.
type ScoreFn<'a> = dyn Fn(u32, Option<&ContextWord>, &Votes) -> f32 + 'a;

/// Pass 2 for one hit: the best entry given the document's other places, or `None` when
/// the hit should not be reported.
#[allow(clippy::too_many_arguments)]
fn choose(
    lex: &Lexicon,
    doc: &Doc<'_>,
    cands: &[u32],
    vr: &Range<usize>,
    common: bool,
    ctx: Option<(&'static ContextWord, &'static str)>,
    votes: &Votes,
    score: &ScoreFn<'_>,
) -> Option<(u32, PlaceInfo)> {
    let places = &lex.places;
    let view = doc.view;
    let (best, best_score) = cands
        .iter()
        .map(|&c| {
            let p = &places[c as usize];
            let mut sc = score(c, ctx.map(|c| c.0), votes);
            // A curated region that repeats an admin unit of the same name
            // (شمال سيناء) gives way to the unit.
            if p.kind == FeatureKind::Region
                && cands.iter().any(|&o| {
                    let q = &places[o as usize];
                    q.kind == FeatureKind::Governorate && q.country == p.country
                })
            {
                sc -= 1.0;
            }
            // A town named like a governorate of which it is not the seat
            // ("صلاح الدين", a town of Erbil): the name means the governorate.
            if matches!(
                p.kind,
                FeatureKind::City | FeatureKind::Town | FeatureKind::Village
            ) && cands.iter().any(|&o| {
                let q = &places[o as usize];
                q.kind == FeatureKind::Governorate
                    && q.country == p.country
                    && q.admin1_en != p.admin1_en
            }) {
                sc -= 2.0;
            }
            (c, sc)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("candidates");
    let p = &places[best as usize];
    let g = lex.geo[best as usize];
    let supported =
        (g.admin1 != 0 && votes.admin1(g) > 0.5) || (g.admin2 != 0 && votes.admin2(g) > 0.5);
    let licensed = ctx.is_some_and(|c| c.0.licenses_village);
    // Short names (كان، سنة) are ordinary words too often, unless a country or a
    // big city (حلب، عدن، غزة).
    let short_key =
        !vr.is_empty() && view[vr.clone()].chars().count() <= 3 && !view[vr.clone()].is_ascii();
    let short = short_key
        && p.kind != FeatureKind::Country
        && p.population < 300_000
        && !matches!(p.kind, FeatureKind::Governorate);
    // An ordinary word needs a context word (قرية الملك); coherence is not enough
    // for it. Short names and small villages need one or the other.
    if common && !ctx.is_some_and(|c| c.0.licenses_common) {
        return None;
    }
    // After a countryside word, an ordinary word with its own article is that word
    // ("أطراف المدينة", the city's outskirts; "ريف المحافظة"), unless it names a
    // big city of the country the document is most about (ضواحي الخبر).
    // The document's votes for the place's country, and the most for another one.
    let own_country = votes.country(g);
    let other = votes
        .countries
        .iter()
        .filter(|(c, _)| **c != g.country)
        .map(|(_, &v)| v)
        .fold(0.0f32, f32::max);
    let leading = own_country > 0.5 && other <= own_country;
    if common
        && ctx.is_some_and(|c| c.0.forms == COUNTRYSIDE)
        && !vr.is_empty()
        && view[vr.clone()].starts_with("ال")
        && p.kind != FeatureKind::Governorate
        && !(p.population >= 100_000 && leading)
    {
        return None;
    }
    // A neighbourhood is named by "حي" or among places of its own city (many are
    // ordinary words: الملعب، المحطة، الجامعة).
    if (short
        || (p.kind == FeatureKind::Village && p.population < 5_000)
        || p.kind == FeatureKind::Neighbourhood)
        && !licensed
        && !supported
    {
        return None;
    }
    // A small place of a country the document never otherwise names, in a
    // document plainly about another one (Libya's Brak in a report from Afghanistan
    // that spells "بركي براك" its own way): a namesake, not a place of the story.
    // (First-pass votes are noisy: an ambiguous name may have voted for the small
    // place's country before settling elsewhere, so "never otherwise" is "far less
    // than the other country".)
    if matches!(
        p.kind,
        FeatureKind::Town | FeatureKind::Village | FeatureKind::Neighbourhood
    ) && p.population < 100_000
        && other >= FOREIGN_EVIDENCE
        && own_country * 4.0 < other
        // "حي" licenses a neighbourhood's name, not its country: many cities have a
        // حي اليرموك.
        && (!licensed || p.kind == FeatureKind::Neighbourhood)
    {
        return None;
    }
    if ctx.is_some_and(|c| c.0.forms == NOT_A_PLACE)
        || (!vr.is_empty() && not_a_place(view, vr, p, &doc.sports))
        || (!vr.is_empty() && ctx.is_none() && club(view, vr, p))
        || (!vr.is_empty() && ctx.is_none() && adjective(view, vr))
    {
        return None;
    }
    let mut precision = match p.kind {
        FeatureKind::City
        | FeatureKind::Town
        | FeatureKind::Village
        | FeatureKind::Neighbourhood => 1,
        FeatureKind::Governorate | FeatureKind::Country => 3,
        FeatureKind::District | FeatureKind::SubDistrict => 2,
        _ => p.precision.clamp(1, 3),
    };
    if let Some((cw, _)) = ctx {
        if let Some(pr) = cw.precision {
            if pr > precision || matches!(p.kind, FeatureKind::Governorate) {
                precision = pr;
            }
        }
    }
    Some((
        best,
        PlaceInfo {
            feature: p.kind,
            country: p.country.clone(),
            admin1: if p.kind == FeatureKind::Governorate && p.admin1_en.is_empty() {
                p.name_en.clone()
            } else {
                p.admin1_en.clone()
            },
            admin2: p.admin2_en.clone(),
            admin3: p.admin3_en.clone(),
            name_ar: p.name_ar.clone(),
            lat: p.lat,
            lon: p.lon,
            geo_precision: precision,
            score: best_score,
            candidates: cands.len(),
            context: ctx.map(|c| c.1.to_string()),
            phrase: None,
        },
    ))
}
