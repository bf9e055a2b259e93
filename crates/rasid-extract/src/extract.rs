//! From an article to events: boilerplate out, then per sentence an event word, its
//! actors and their roles, a place, a date, casualties, hedges and negations.
//!
//! Confidence is additive and documented: 0.35 for a sentence with an event word, +0.25
//! when the word alone signals its type (a strong trigger; +0.10 for a weak one), +0.15
//! with an initiator, +0.15 with a place, +0.10 with a date written in the text, −0.05
//! when the initiator is only suspected. A threshold of 0.6 keeps events with a strong
//! trigger and at least an actor or a place; 0.75 needs all of them.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rasid_lexicon::{Entity, EntityKind, FeatureKind, Lexicon, SUB_EVENT_TYPES};
use rasid_text::numbers::{numbers, NumberMatch};

use crate::article::Article;
use crate::dates::{find_dates_in, DateExpr};
use crate::event::{ActorRef, DateRange, Event, Evidence, Location};

/// Settings of an [`Extractor`].
#[derive(Clone, Debug, PartialEq)]
pub struct ExtractorConfig {
    /// Events below this confidence are dropped.
    pub min_confidence: f32,
}

impl Default for ExtractorConfig {
    fn default() -> ExtractorConfig {
        ExtractorConfig {
            min_confidence: 0.0,
        }
    }
}

/// The result for one article: the clean text the spans point into, and the events.
#[derive(Clone, Debug, PartialEq)]
pub struct Extraction {
    /// The article text without boilerplate lines.
    pub text: String,
    /// The events, in text order.
    pub events: Vec<Event>,
}

/// An immutable, shareable extractor.
#[derive(Clone, Debug)]
pub struct Extractor {
    lex: Arc<Lexicon>,
    config: ExtractorConfig,
    boilerplate: Vec<String>,
    /// Match keys of sentence openings and what they make of the sentence.
    openings: Vec<(String, String)>,
}

/// Words before an actor that make it a supporter of the initiator.
const ASSOC_MARKERS: &[&str] = &[
    "بدعم من",
    "بدعم",
    "بمساندة",
    "باسناد",
    "بغطاء",
    "تدعمها",
    "يدعمها",
    "المدعومه من",
    "المدعوم من",
    "backed by",
    "supported by",
    "with the support of",
];
/// Words before an event word that make it background, not the reported event.
const BACKGROUND: &[&str] = &["بعد", "عقب", "منذ", "اثر", "after", "since", "following"];
/// Actors that report rather than act.
/// Words joining unidentified gunmen to the group they belong to (match keys).
const OF_GROUP: &[&str] = &[
    "",
    "من",
    "من عناصر",
    "ينتمون الي",
    "ينتمون ل",
    "تابعين ل",
    "تابعون ل",
    "يتبعون ل",
    "يتبعون الي",
    "التابعين ل",
    "المنتمين ل",
    "المنتمين الي",
    "of",
    "from",
    "belonging to",
    "linked to",
];

const REPORTERS: &[&str] = &["civilians-journalists"];

/// Who flies the air strikes a report attributes to no one, by country: where one side
/// alone has an air force in the war (Syria's government, the Saudi-led coalition over
/// Yemen, Israel over Gaza and Lebanon). Elsewhere several do, and the actor stays unknown.
const AIR_POWER: &[(&str, &str)] = &[
    ("SY", "syria-military"),
    ("YE", "saudi-coalition"),
    ("PS", "israel-military"),
    ("LB", "israel-military"),
];

/// The longest line (in words) taken for boilerplate: a related-link line with a long
/// headline fits.
const BOILERPLATE_MAX_WORDS: usize = 40;

/// How much of a line or sentence its opening is looked for in (boilerplate phrases,
/// discourse openers, up to three of them).
const PREFIX_CHARS: usize = 240;

fn match_key(s: &str) -> String {
    rasid_text::match_view(s).into_string()
}

/// The match key of the start of `s` (about `chars` characters, cut at a space): enough
/// for the prefix tests on lines and sentences without normalizing a whole paragraph.
fn prefix_key(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        None => match_key(s),
        Some((cut, _)) => {
            let cut = s[..cut].rfind(char::is_whitespace).unwrap_or(cut);
            match_key(&s[..cut])
        }
    }
}

fn char_span(text: &str, r: &Range<usize>) -> [usize; 2] {
    let c = rasid_text::char_range(text, r.clone());
    [c.start, c.end]
}

/// The match key of the (at most) `bytes` bytes of `text` before byte `at`, not reaching
/// back past `floor`: the few words before a name or an event word that decide its role.
fn key_before(text: &str, floor: usize, at: usize, bytes: usize) -> String {
    let mut from = at.saturating_sub(bytes).max(floor);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    match_key(&text[from..at])
}

/// The last word of [`key_before`].
fn word_before(text: &str, floor: usize, at: usize, bytes: usize) -> String {
    key_before(text, floor, at, bytes)
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_string()
}

/// A reference to the lexicon actor `a`, as written `words` at byte range `r` of `text`.
fn actor_ref(a: &rasid_lexicon::Actor, text: &str, words: &str, r: &Range<usize>) -> ActorRef {
    ActorRef {
        id: a.id.clone(),
        name: a.name.clone(),
        text: words.to_string(),
        span: char_span(text, r),
        suspected: false,
    }
}

/// Specificity of a place for choosing an event's location (lower is more specific).
fn specificity(f: FeatureKind) -> u8 {
    use FeatureKind::*;
    match f {
        Landmark | Prison | Camp | MilitaryBase | Airport | OilField | Dam | BorderCrossing
        | Neighbourhood => 0,
        Village | Town | City => 1,
        Region | Border | NaturalFeature => 2,
        SubDistrict | District => 3,
        Governorate => 4,
        Country => 5,
    }
}

impl Extractor {
    /// The lexicon it matches with (for callers that list actors or places).
    pub fn lexicon(&self) -> &Arc<Lexicon> {
        &self.lex
    }

    /// An extractor over a lexicon.
    pub fn new(lex: Arc<Lexicon>, config: ExtractorConfig) -> Extractor {
        let boilerplate = lex
            .cues()
            .iter()
            .filter(|c| c.cue == "boilerplate")
            .map(|c| match_key(&c.form))
            .filter(|k| !k.is_empty())
            .collect();
        let openings = lex
            .cues()
            .iter()
            .filter(|c| c.cue == "opening")
            .map(|c| (match_key(&c.form), c.value.clone()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Extractor {
            lex,
            config,
            boilerplate,
            openings,
        }
    }

    /// Whether a line is site boilerplate (follow us, see also, share…). A long line is
    /// content whatever its first words: a page flattened into one paragraph may open with
    /// "Published …" or "Share" and carry the whole story.
    fn is_boilerplate(&self, line: &str) -> bool {
        if line.split_whitespace().nth(BOILERPLATE_MAX_WORDS).is_some() {
            return false;
        }
        let k = prefix_key(line, PREFIX_CHARS);
        let k = k.trim_start_matches(|c: char| !c.is_alphanumeric());
        !k.is_empty() && self.boilerplate.iter().any(|b| starts_with_word(k, b))
    }

    /// How a sentence opens (`background`, `speech`), from the `opening` cues; a
    /// conjunction و/ف before the opening word is allowed.
    /// Discourse phrases ("من جانبه،", "وفي سياق آخر،") are skipped first.
    fn opening(&self, sentence: &str) -> Option<&str> {
        let key = prefix_key(sentence, PREFIX_CHARS);
        let mut k = key.as_str();
        for _ in 0..3 {
            k = k.trim_start_matches(|c: char| !c.is_alphanumeric());
            let bare = k.strip_prefix(['و', 'ف']).unwrap_or(k);
            let found = self
                .openings
                .iter()
                .find(|(o, _)| starts_with_word(k, o) || starts_with_word(bare, o));
            match found {
                Some((o, v)) if v == "discourse" => {
                    let from = if k.starts_with(o.as_str()) { k } else { bare };
                    k = &from[o.len()..];
                }
                Some((_, v)) => return Some(v.as_str()),
                None => return None,
            }
        }
        None
    }

    /// The events of one article.
    pub fn extract(&self, article: &Article) -> Extraction {
        let text: String = article
            .text
            .lines()
            .filter(|l| !self.is_boilerplate(l))
            .collect::<Vec<_>>()
            .join("\n");
        let view = Lexicon::view(&text);
        let mut entities = self.lex.find_in(&text, &view);
        // The dateline ("BEIRUT (Reuters) -", "دمشق - «الحياة»:") says where the report was
        // filed, not where anything happened.
        // Wire copy stripped of its punctuation keeps the city in capitals near the top
        // ("Last updated at Aug 14 2016 BEIRUT Syrian and Russian warplanes…").
        let dateline = dateline_end(&text).unwrap_or(0);
        entities.retain(|e| {
            let capitals = e.src.start < 80 && {
                let t = &text[e.src.clone()];
                t.chars()
                    .filter(|&c| rasid_text::chars::is_alphabetic(c))
                    .count()
                    >= 4
                    && t.chars().all(|c| !c.is_lowercase())
                    && t.chars().any(|c| c.is_ascii_uppercase())
            };
            !(e.kind == EntityKind::Place && (e.src.end <= dateline || capitals))
        });
        // No event word, no event: most articles of a general news feed stop here.
        if !entities.iter().any(|e| e.kind == EntityKind::Trigger) {
            return Extraction {
                text,
                events: Vec::new(),
            };
        }
        let dates = article
            .published
            .map(|p| find_dates_in(&text, &view, p))
            .unwrap_or_default();
        let main_place = main_place(&entities);
        // Each event with what its sentence says of it (a retelling?).
        let mut events: Vec<(Event, Retelling)> = Vec::new();
        for sr in rasid_text::sentences(&text)
            .into_iter()
            .flat_map(|sr| run_on_parts(&text, sr))
        {
            let sentence = &text[sr.clone()];
            // Site chrome glued to the end of a paragraph (". سمات بنغازي داعش قتل ليبيا"):
            // a few words without a full stop that open like boilerplate.
            // (The last words of a line, up to a related link's headline.)
            let tail = sentence.trim_end();
            let ends_line = text[sr.end..]
                .split('\n')
                .next()
                .is_none_or(|rest| rest.trim().is_empty());
            if ends_line
                && tail.split_whitespace().count() <= 20
                && !tail.ends_with(['.', '۔', '!'])
                && self.is_boilerplate(tail)
            {
                continue;
            }
            if sentence.trim_end().ends_with(['؟', '?'])
                || sentence.trim_end().ends_with("؟!")
                || sentence.trim_end().ends_with("?!")
            {
                continue;
            }
            let inside = |e: &&Entity| e.src.start >= sr.start && e.src.end <= sr.end;
            let ents: Vec<&Entity> = entities.iter().filter(inside).collect();
            let has_cue = |cue: &str| {
                ents.iter()
                    .any(|e| e.kind == EntityKind::Cue && e.id == cue)
            };
            // A later sentence naming who was behind an event of the previous one
            // ("رجحت مصادر أن خلايا التنظيم تقف وراء هذه الكتابات").
            if has_cue("hedge") && {
                let k = match_key(sentence);
                k.contains("وراء") || k.contains("behind")
            } {
                if let (Some((prev, _)), Some(a)) = (
                    events.last_mut(),
                    self.actors(&text, &ents)
                        .into_iter()
                        .find(|a| a.0.id != "unidentified"),
                ) {
                    if prev.actor1.as_ref().is_none_or(|x| x.id == "unidentified") {
                        let mut actor = a.0;
                        actor.suspected = true;
                        prev.actor1 = Some(actor);
                    }
                    continue;
                }
            }
            if let Some(told) =
                self.sentence_event(article, &text, sr.clone(), &ents, &dates, main_place)
            {
                events.push((told.event, told.retelling));
                events.extend(told.also.into_iter().map(|e| (e, Retelling::default())));
            }
        }
        let events = merge(events);
        Extraction {
            text,
            events: events
                .into_iter()
                .filter(|e| e.confidence >= self.config.min_confidence)
                .collect(),
        }
    }

    /// Actors of a sentence with their roles' clues: (actor, is an associate).
    /// The actor `a`'s names mean in country `cc` (see `theatres` in the actor files).
    fn in_theatre(&self, a: &mut ActorRef, cc: &str) {
        let Some(actor) = self.lex.actor(&a.id) else {
            return;
        };
        if actor.theatres.is_empty() || actor.theatres.iter().any(|t| t == cc) {
            return;
        }
        if let Some(other) = actor.elsewhere.as_deref().and_then(|e| self.lex.actor(e)) {
            a.id = other.id.clone();
            a.name = other.name.clone();
        }
    }

    /// The state force of a country for a role (`military`, `police`): the top-level
    /// state actor of that country whose id ends so, the military when no police is listed.
    fn state_force(&self, country: &str, role: &str) -> Option<&rasid_lexicon::Actor> {
        let find = |suffix: &str| {
            self.lex.actors().iter().find(|a| {
                a.country == country && a.inter == 1 && a.parent.is_none() && a.id.ends_with(suffix)
            })
        };
        find(&format!("-{role}")).or_else(|| find("-military"))
    }

    fn actors(&self, text: &str, ents: &[&Entity]) -> Vec<(ActorRef, bool, Range<usize>)> {
        let mut out: Vec<(ActorRef, bool, Range<usize>)> = Vec::new();
        for e in ents.iter().filter(|e| e.kind == EntityKind::Actor) {
            if REPORTERS.contains(&e.id.as_str()) {
                continue;
            }
            let root = self.lex.root_actor(&e.id);
            let name = self
                .lex
                .actor(&root)
                .map_or_else(|| e.name.clone(), |a| a.name.clone());
            let before = key_before(text, 0, e.src.start, 40);
            let before = before.trim_end();
            let assoc = ASSOC_MARKERS.iter().any(|m| before.ends_with(m));
            out.push((
                ActorRef {
                    id: root,
                    name,
                    text: e.text.clone(),
                    span: char_span(text, &e.src),
                    suspected: false,
                },
                assoc,
                e.src.clone(),
            ));
        }
        // "قوى الأمن الداخلي (الأسايش)", "قوات سوريا الديمقراطية (قسد)": a name in brackets
        // right after another says which actor the first one is.
        let mut i = 0;
        while i + 1 < out.len() {
            let (a, b) = (&out[i].2, &out[i + 1].2);
            let gap = &text[a.end.min(b.start)..b.start];
            let opens = gap.trim().trim_matches(|c: char| "\"“”«»'".contains(c)) == "(";
            let closes = text[b.end..]
                .trim_start_matches(|c: char| c.is_whitespace() || "\"“”«»'".contains(c))
                .starts_with(')');
            if a.end <= b.start && opens && closes {
                let (named, _, span) = out.remove(i + 1);
                let first = &mut out[i];
                first.0.id = named.id;
                first.0.name = named.name;
                first.2 = first.2.start..span.end;
                first.0.span = char_span(text, &first.2);
                first.0.text = text[first.2.clone()].to_string();
            }
            i += 1;
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn sentence_event(
        &self,
        article: &Article,
        text: &str,
        sr: Range<usize>,
        ents: &[&Entity],
        dates: &[DateExpr],
        main_place: Option<&Entity>,
    ) -> Option<Told> {
        let has_cue = |cue: &str| {
            ents.iter()
                .any(|e| e.kind == EntityKind::Cue && e.id == cue)
        };
        // An escape with a prison named in the sentence ("فرّ عدد من عناصر التنظيم من سجن
        // الصوامع", "prisoners escaped from Badush prison"): a prison break, however far the
        // verb is from the prison.
        let prison_break: Option<Entity> = ents
            .iter()
            .find(|e| e.kind == EntityKind::Cue && e.id == "escape")
            .filter(|_| {
                ents.iter().any(|p| {
                    p.kind == EntityKind::Place
                        && p.place
                            .as_ref()
                            .is_some_and(|i| i.feature == FeatureKind::Prison)
                })
            })
            .map(|cue| Entity {
                kind: EntityKind::Trigger,
                id: "Other".to_string(),
                value: Some("strong".to_string()),
                ..(*cue).clone()
            });
        // Event words, minus background ones ("بعد السيطرة على المدينة").
        // A weak "Other" word (شعارات, a claim) or a weak word of a change in activity
        // (reinforcements, patrols, a column) is too vague to make an event by itself.
        let prison_break = prison_break.as_ref();
        let triggers: Vec<&&Entity> = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Trigger)
            .filter(|e| {
                !(matches!(e.id.as_str(), "Other" | "Change to group/activity")
                    && e.value.as_deref() != Some("strong"))
            })
            .filter(|e| {
                // The word before the event word (a few dozen characters are enough).
                let last = word_before(text, sr.start, e.src.start, 60);
                let last = last.as_str();
                !BACKGROUND
                    .iter()
                    .any(|b| last == *b || last.strip_prefix('و') == Some(b))
            })
            // A word of a date is no event word ("فجر اليوم" is dawn, not "detonated").
            .filter(|t| {
                !dates
                    .iter()
                    .any(|d| d.span.start < t.src.end && t.src.start < d.span.end)
            })
            // An aim stated right before the event word ("لتحرير عدن", "من أجل إجراء
            // اعتقالات", "in a bid to retake"): what is sought, not what happened.
            .filter(|t| {
                !ents.iter().any(|e| {
                    e.kind == EntityKind::Cue
                        && e.id == "purpose"
                        && e.src.start <= t.src.start
                        && (e.src.end > t.src.start
                            || text[e.src.end..t.src.start].chars().count() <= 12)
                })
            })
            .chain(prison_break.iter())
            .collect();
        if triggers.is_empty() {
            return None;
        }
        // The numbers of the sentence (only sentences with an event word need them).
        let nums: Vec<NumberMatch> = numbers(&text[sr.clone()])
            .into_iter()
            .map(|mut n| {
                n.span = n.span.start + sr.start..n.span.end + sr.start;
                n
            })
            .collect();
        // A count just before an event word ("153 هجوماً", "عدة هجمات"): an aggregate,
        // unless it is an exact count on one day ("نفذت سبع ضربات جوية أمس"), which is one
        // event (a vague count without a period gives nothing: see below).
        let over_period = dates
            .iter()
            .any(|d| d.span.start >= sr.start && d.span.end <= sr.end && d.precision >= 2);
        let counted = triggers.iter().find_map(|t| {
            nums.iter()
                .filter(|n| {
                    n.span.end <= t.src.start
                        && n.span.start >= sr.start
                        && text[n.span.end..t.src.start]
                            .chars()
                            .all(char::is_whitespace)
                        && !(1900.0..2100.0).contains(&n.value)
                })
                .map(|n| (*t, n))
                .next()
        });
        let counted = counted.filter(|(_, n)| over_period || n.approximate);
        let precedence = |t: &Entity| {
            SUB_EVENT_TYPES
                .iter()
                .position(|(s, _)| *s == t.id)
                .unwrap_or(99)
        };
        let chosen: &Entity = match counted {
            Some((t, _)) => t,
            // A strong word first; then the main clause before a parallel one ("…، في وقت
            // نفى فيه المتشددون مسؤوليتهم عن الهجومين"); then the codebook's precedence.
            None => {
                let breaks = clause_breaks(&text[sr.clone()]);
                let clause = |t: &Entity| {
                    breaks
                        .iter()
                        .filter(|b| b.1 <= t.src.start - sr.start)
                        .count()
                };
                // A generic word — a toll ("قتل") or an attack word that is a clash or an
                // attack alike ("استهدف", "هجوم") — says less than a weapon named with it
                // ("قتل … بصاروخ", "التفجير الذي استهدف سوقا").
                let weapon = triggers.iter().any(|t| {
                    SUB_EVENT_TYPES
                        .iter()
                        .any(|(s, ty)| *s == t.id && *ty == "Explosions/Remote violence")
                });
                let generic = |t: &Entity| {
                    weapon
                        && (ents.iter().any(|c| {
                            c.kind == EntityKind::Cue
                                && (c.id == "killed" || c.id == "injured")
                                && c.src.start < t.src.end
                                && t.src.start < c.src.end
                        }) || (matches!(t.id.as_str(), "Armed clash" | "Attack")
                            && triggers.iter().any(|o| {
                                o.src == t.src
                                    && o.id != t.id
                                    && matches!(o.id.as_str(), "Armed clash" | "Attack")
                            })))
                };
                triggers
                    .iter()
                    .min_by_key(|t| {
                        (
                            t.value.as_deref() != Some("strong"),
                            clause(t).min(1),
                            generic(t),
                            precedence(t),
                        )
                    })
                    .map(|t| &***t)?
            }
        };
        // A weak word is as good as a strong one when the sentence bears it out: a toll
        // ("قتل", "بجروح") with a violent event word, or a second word of the same type
        // next to it ("انفجرت قنبلة").
        let violent_word = SUB_EVENT_TYPES
            .iter()
            .find(|(s, _)| *s == chosen.id)
            .is_some_and(|(_, t)| {
                matches!(
                    *t,
                    "Battles" | "Explosions/Remote violence" | "Violence against civilians"
                )
            });
        // A toll counts when it is not denied ("لم ينجم عن الهجوم أي إصابات") and is not a
        // statistic over a month or more ("قتل 1332 عراقيا خلال حزيران").
        // (A span "during" which — "خلال حزيران", "منذ بداية العام" — or coarser than a
        // month; "في مارس الماضي" alone may date one incident to its month.)
        let over = |d: &DateExpr| {
            d.precision >= 4 || {
                let k = key_before(text, sr.start, d.span.start, 12) + " " + &match_key(&d.text);
                [
                    "خلال",
                    "طوال",
                    "منذ",
                    "during",
                    "over",
                    "since",
                    "in the first",
                ]
                .iter()
                .any(|w| k.contains(w))
            }
        };
        let period_only = dates
            .iter()
            .filter(|d| d.span.start >= sr.start && d.span.end <= sr.end)
            .all(|d| d.precision >= 3)
            && dates
                .iter()
                .any(|d| d.span.start >= sr.start && d.span.end <= sr.end && over(d));
        let toll = (has_cue("killed") || has_cue("injured"))
            && !ents.iter().any(|e| {
                e.kind == EntityKind::Cue
                    && e.id == "negation"
                    && e.value.as_deref() == Some("casualties")
            })
            && !period_only;
        let pair = triggers.iter().any(|t| {
            t.id == chosen.id
                && t.src != chosen.src
                && t.src
                    .start
                    .abs_diff(chosen.src.end)
                    .min(chosen.src.start.abs_diff(t.src.end))
                    <= 3
        });
        let strong = chosen.value.as_deref() == Some("strong") || (violent_word && (toll || pair));
        // "يذكر أن…", "ويأتي ذلك…": background to the report. "وقال…", "وأدان…": words
        // about the incident, an event only when a strong event word is reported.
        // Reported words that date the incident to a day and place it ("بأن القوات
        // تعرضت لهجوم في الرمادي مساء الخميس") report an incident all the same.
        let opening = self.opening(&text[sr.clone()]);
        // Who speaks is a source, not a party: "قال النقيب … من شرطة كركوك إن …", "a
        // police spokesman said that …".
        let attribution_end = match opening {
            Some("speech") => attribution_end(text, sr.clone()),
            _ => sr.start,
        };
        let told_when_and_where = dates
            .iter()
            .any(|d| d.precision == 1 && d.span.start >= attribution_end && d.span.end <= sr.end)
            && ents.iter().any(|e| {
                e.kind == EntityKind::Place
                    && e.src.start >= attribution_end
                    && e.src.end <= sr.end
                    && e.place
                        .as_ref()
                        .is_some_and(|p| p.feature != FeatureKind::Country)
            });
        match opening {
            Some("background") => return None,
            Some("speech") if !strong && !told_when_and_where => return None,
            _ => {}
        }
        // A denial, a negation of the event or a forecast in the clause of the event word
        // means no event ("نفى وقوع هجوم", "وعوداً بشن هجمات").
        let clause = clause_of(text, sr.clone(), chosen.src.start);
        let in_clause = |e: &&&Entity| e.src.start >= clause.start && e.src.end <= clause.end;
        let cancel = ents.iter().filter(in_clause).any(|e| {
            e.kind == EntityKind::Cue
                && (e.id == "denial"
                    || e.id == "forecast"
                    || (e.id == "negation" && e.value.as_deref() == Some("event")))
        });
        if cancel {
            return None;
        }
        // All sub-types the chosen words stand for (هاجم: Armed clash or Attack).
        let mut types: Vec<&str> = triggers
            .iter()
            .filter(|t| t.src == chosen.src)
            .map(|t| t.id.as_str())
            .collect();
        types.sort_by_key(|t| SUB_EVENT_TYPES.iter().position(|(s, _)| s == t));
        // Actors and roles.
        let mut actors = self.actors(text, ents);
        // An armed force that speaks of its own operations ("قالت القيادة المشتركة لقوات
        // التحالف إن 17 ضربة جوية نفذت…", "the army said it shelled…") is their author
        // when the words name no other.
        let speaker: Option<ActorRef> = actors
            .iter()
            .filter(|a| !a.1 && a.2.start >= sr.start && a.2.end <= attribution_end)
            .find(|a| {
                self.lex
                    .actor(&a.0.id)
                    .is_some_and(|x| matches!(x.inter, 1 | 2 | 3 | 8))
            })
            .map(|a| a.0.clone());
        actors.retain(|a| a.2.start >= attribution_end);
        let principal: Vec<&(ActorRef, bool, Range<usize>)> =
            actors.iter().filter(|a| !a.1).collect();
        let assoc: Vec<ActorRef> = actors.iter().filter(|a| a.1).map(|a| a.0.clone()).collect();
        if !strong && principal.is_empty() {
            return None;
        }
        let hedged = has_cue("hedge");
        // "مسلحون يُعتقد أنهم من خلايا التنظيم": the hedged group stands for the gunmen.
        let mut principal: Vec<(ActorRef, Range<usize>)> = principal
            .iter()
            .map(|a| (a.0.clone(), a.2.clone()))
            .collect();
        if hedged {
            if let Some(i) = principal.iter().position(|a| a.0.id == "unidentified") {
                if let Some(j) = principal
                    .iter()
                    .position(|a| a.0.id != "unidentified" && a.1.start > principal[i].1.start)
                {
                    let mut named = principal.remove(j);
                    named.0.suspected = true;
                    named.1 = principal[i].1.clone();
                    principal[i] = named;
                }
            }
        }
        // "ISIS gunmen": gunmen named right after their group are the group.
        let group_gunmen: Vec<usize> = (0..principal.len())
            .filter(|&i| {
                principal[i].0.id == "unidentified"
                    && principal.iter().any(|g| {
                        g.0.id != "unidentified"
                            && g.1.end <= principal[i].1.start
                            && text[g.1.end..principal[i].1.start].trim().is_empty()
                    })
            })
            .collect();
        for i in group_gunmen.into_iter().rev() {
            principal.remove(i);
        }
        // "مسلحون من تنظيم داعش", "gunmen from the group": the group named right after
        // unidentified gunmen is who they are.
        if let Some(i) = principal.iter().position(|a| a.0.id == "unidentified") {
            let end = principal[i].1.end;
            if let Some(j) = principal.iter().position(|a| {
                a.0.id != "unidentified" && a.1.start >= end && a.1.start - end <= 24 && {
                    let gap = match_key(&text[end..a.1.start]);
                    OF_GROUP.contains(&gap.trim())
                }
            }) {
                let mut named = principal.remove(j);
                named.1 = principal[i].1.start..named.1.end;
                principal[i] = named;
            }
        }
        // The agent of a passive report ("قُتل عنصر من قسد برصاص مسلحين من تنظيم داعش",
        // "killed by ISIS gunmen"): the actor named right after the agent word initiates.
        let agent = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Cue && e.id == "agent")
            .find_map(|c| {
                principal.iter().position(|a| {
                    a.1.start >= c.src.end && text[c.src.end..a.1.start].chars().count() <= 12
                })
            });
        let t = chosen.src.start;
        let after: Vec<&(ActorRef, Range<usize>)> =
            principal.iter().filter(|a| a.1.start >= t).collect();
        let before: Vec<&(ActorRef, Range<usize>)> =
            principal.iter().filter(|a| a.1.start < t).collect();
        let (actor1, actor2) = if let Some(i) = agent {
            let a1 = principal[i].0.clone();
            let a2 = principal
                .iter()
                .find(|a| a.0.id != a1.id)
                .map(|a| a.0.clone());
            (Some(a1), a2)
        } else if before.is_empty() {
            // Verb first (VSO): the subject follows, then the object.
            let a1 = after.first().map(|a| a.0.clone());
            let a2 = after
                .iter()
                .skip(1)
                .find(|a| Some(&a.0.id) != a1.as_ref().map(|x| &x.id))
                .map(|a| a.0.clone());
            (a1, a2)
        } else {
            let a1 = before.last().map(|a| a.0.clone());
            let a2 = after
                .iter()
                .chain(before.iter().rev().skip(1))
                .find(|a| Some(&a.0.id) != a1.as_ref().map(|x| &x.id))
                .map(|a| a.0.clone());
            (a1, a2)
        };
        // "تعرضت القوات الأميركية لهجوم", "القوات تعرضت لهجوم من قبل…": the one who
        // underwent the event is its target; whoever is named after it, its initiator.
        let undergone = match_key(&chosen.text).starts_with("تعرض")
            || key_before(text, sr.start, chosen.src.start, 40)
                .split_whitespace()
                .any(|w| w.trim_start_matches(['و', 'ف']).starts_with("تعرض"));
        let (mut actor1, actor2) = match before.last() {
            Some(subject) if undergone && agent.is_none() => (
                after
                    .iter()
                    .find(|a| a.0.id != subject.0.id)
                    .map(|a| a.0.clone()),
                Some(subject.0.clone()),
            ),
            _ => (actor1, actor2),
        };
        if hedged {
            if let Some(a1) = actor1.as_mut() {
                a1.suspected = true;
            }
        }
        let aggregate = counted.is_some();
        let territorial = types.iter().any(|t| t.contains("territory"));
        // An aggregate counts its initiator's activity: no single target. Otherwise the
        // target is in the clause of the event word ("ضد خلايا التنظيم"), except for a
        // change of control, whose loser is often named later ("معقل لتنظيم الدولة").
        let target_clause = clause_of(text, sr.clone(), chosen.src.start);
        let actor2 = actor2.filter(|a| {
            let in_clause = principal.iter().any(|p| {
                p.0.id == a.id && p.1.start >= target_clause.start && p.1.end <= target_clause.end
            });
            !aggregate
                && (territorial || in_clause)
                && Some(&a.id) != actor1.as_ref().map(|x| &x.id)
        });
        let is_inter = |a: &Option<ActorRef>, codes: &[u8]| {
            a.as_ref()
                .and_then(|a| self.lex.actor(&a.id))
                .is_some_and(|x| codes.contains(&x.inter))
        };
        // Guidance between sub-types one word can mean.
        let sub: &'static str = {
            let has = |s: &str| types.contains(&s);
            let pick = if has("Armed clash") && has("Attack") {
                if actor2.as_ref().is_some_and(|a| a.id == "civilians") {
                    "Attack"
                } else {
                    "Armed clash"
                }
            } else if has("Armed clash") && has("Violent demonstration") {
                // "مواجهات": confrontations between a crowd and a force are a riot; with an
                // armed group on either side, a battle.
                if is_inter(&actor1, &[2, 3, 4]) || is_inter(&actor2, &[2, 3, 4]) {
                    "Armed clash"
                } else {
                    "Violent demonstration"
                }
            } else if has("Government regains territory")
                && has("Non-state actor overtakes territory")
            {
                if is_inter(&actor1, &[1, 8]) {
                    "Government regains territory"
                } else {
                    "Non-state actor overtakes territory"
                }
            } else {
                types.first().copied().unwrap_or(chosen.id.as_str())
            };
            // Demonstrators who clash or throw things: a riot, not a battle
            // ("اشتبك متظاهرون مع الجيش", "ألقوا مقذوفات على الشرطة").
            let protesters =
                |a: &Option<ActorRef>| a.as_ref().is_some_and(|a| a.id == "protesters");
            let crowd_violence = matches!(
                pick,
                "Armed clash" | "Attack" | "Shelling/artillery/missile attack" | "Grenade"
            ) && (protesters(&actor1)
                || (actor1.is_none() && protesters(&actor2)));
            // Demonstrators who burn tyres or smash things: the protest is a riot.
            let crowd_violence = crowd_violence
                || (pick == "Peaceful protest"
                    && triggers.iter().any(|t| t.id == "Violent demonstration"));
            let pick = if crowd_violence {
                "Violent demonstration"
            } else {
                pick
            };
            SUB_EVENT_TYPES
                .iter()
                .find(|(s, _)| *s == pick)
                .map(|(s, _)| *s)?
        };
        let event_type = SUB_EVENT_TYPES
            .iter()
            .find(|(s, _)| *s == sub)
            .map(|(_, t)| *t)?;
        // When.
        let published = article.published?;
        // "وقد قتل آنذاك خمسة جنود", "at the time": the date told just before.
        // It comes before any date of the sentence's own (a later one belongs to a relative
        // clause: "…ايساف التي انهت في ديسمبر الماضي مهمتها").
        let then_cue = ents.iter().find(|e| {
            e.kind == EntityKind::Cue
                && e.id == "date_relative"
                && e.value.as_deref() == Some("then")
        });
        let own = dates
            .iter()
            .find(|d| d.span.start >= sr.start && d.span.end <= sr.end);
        let date_expr = match then_cue {
            Some(c) if own.is_none_or(|d| c.src.start < d.span.start) => dates
                .iter()
                .rev()
                .find(|d| d.span.end <= c.src.start)
                .or(own),
            _ => own,
        };
        let kind = if counted.is_some() {
            "aggregate"
        } else {
            "event"
        };
        if kind == "aggregate" && date_expr.is_none() {
            return None;
        }
        if let Some(d) = date_expr {
            // A coarse period running up to publication describes ongoing activity ("خلال
            // الأشهر الفائتة"، "هذا العام"), not an incident.
            if kind == "event"
                && d.precision == 4
                && d.end >= published.saturating_sub(jiff::Span::new().days(14))
            {
                return None;
            }
        }
        // A toll or a count over a month or more that runs up to the report ("5000 مدني
        // قتل وأصيب خلال النصف الأول من هذا العام", "شهد تموز الماضي مقتل…") is a
        // statistic, unless the sentence also dates an incident to a day.
        let in_sentence = |d: &&DateExpr| d.span.start >= sr.start && d.span.end <= sr.end;
        let statistic = (has_cue("killed") || has_cue("injured"))
            && dates.iter().filter(in_sentence).any(|d| {
                // A span "during" which, or one that runs up to the report.
                d.precision >= 3
                    && d.start.saturating_add(jiff::Span::new().days(27)) <= d.end
                    && (over(d) || d.end >= published.saturating_sub(jiff::Span::new().days(31)))
            })
            && !dates
                .iter()
                .filter(in_sentence)
                .any(|d| d.precision == 1 && d.span.start >= attribution_end);
        if kind == "event" && statistic {
            return None;
        }
        let date = match date_expr {
            Some(d) => DateRange {
                start: d.start.to_string(),
                end: d.end.to_string(),
                time_precision: d.precision,
                text: Some(d.text.clone()),
                span: Some(char_span(text, &d.span)),
            },
            // No date in the sentence: the nearest earlier day-precise date of the story
            // within the week before publication (a lede's "اليوم (الاثنين)" dates what
            // follows), else the day before publication or that day — a report carries
            // what happened since the last edition (precision 2). Either way the span
            // stays empty, since the sentence itself gives no date.
            None => {
                let week_before = published.saturating_sub(jiff::Span::new().days(7));
                let lede = dates
                    .iter()
                    .rev()
                    .filter(|d| d.span.end <= sr.start && d.precision == 1)
                    .find(|d| d.start <= published && d.start >= week_before)
                    .map(|d| d.start);
                let (start, end, time_precision) = match lede {
                    Some(d) => (d, d, 1),
                    None => (
                        published.saturating_sub(jiff::Span::new().days(1)),
                        published,
                        2,
                    ),
                };
                DateRange {
                    start: start.to_string(),
                    end: end.to_string(),
                    time_precision,
                    text: None,
                    span: None,
                }
            }
        };
        // Where: the most specific place of the sentence, else the article's main place.
        // An aggregate's place must be in the clause of its count; an incident's may be
        // anywhere in the sentence, else the article's main place.
        let place = ents
            .iter()
            .filter(|e| {
                e.kind == EntityKind::Place
                    && e.place
                        .as_ref()
                        .is_some_and(|p| p.feature != FeatureKind::Country)
            })
            .filter(|e| !aggregate || (e.src.start >= clause.start && e.src.end <= clause.end))
            .min_by_key(|e| {
                let p = e.place.as_ref().unwrap();
                // A part of a country ("جنوبي العراق") locates less than a province.
                let part_of_country =
                    e.id.starts_with("country:") && p.feature != FeatureKind::Country;
                let rank = if part_of_country {
                    5
                } else {
                    specificity(p.feature)
                };
                (rank, e.src.start)
            })
            .copied()
            .or(if aggregate { None } else { main_place });
        let location = place.map(|e| location(text, e));
        // "في بلدتي الفوعة وكفريا", "في نبل والزهراء": the same incident in each of two or
        // more places named together — one event per place (ACLED's events are atomic by
        // location).
        let settlement = |e: &Entity| {
            e.place.as_ref().is_some_and(|p| {
                matches!(
                    p.feature,
                    FeatureKind::City
                        | FeatureKind::Town
                        | FeatureKind::Village
                        | FeatureKind::Neighbourhood
                )
            })
        };
        let also_at: Vec<Location> = match place {
            // (Not "بين اجدابيا وطبرق", a road between two towns.)
            Some(first)
                if kind == "event"
                    && first.src.start >= sr.start
                    && first.src.end <= sr.end
                    && !matches!(
                        word_before(text, sr.start, first.src.start, 12).as_str(),
                        "بين" | "between" | "وبين"
                    )
                    && settlement(first) =>
            {
                let mut chained: Vec<&Entity> = Vec::new();
                let mut end = first.src.end;
                let mut others: Vec<&&Entity> = ents
                    .iter()
                    .filter(|e| {
                        e.kind == EntityKind::Place
                            && e.src.start >= first.src.end
                            && e.src.end <= sr.end
                            && e.id != first.id
                            && settlement(e)
                    })
                    .collect();
                others.sort_by_key(|e| e.src.start);
                for o in others {
                    let gap = text[end..o.src.start].trim();
                    if !matches!(gap, "و" | "،" | ",") {
                        break;
                    }
                    chained.push(o);
                    end = o.src.end;
                }
                chained
                    .into_iter()
                    .map(|e| self::location(text, e))
                    .collect()
            }
            _ => Vec::new(),
        };
        // Roles the words leave implicit, for violence against a target.
        let mut actor2 = actor2;
        let violent = matches!(
            event_type,
            "Battles" | "Explosions/Remote violence" | "Violence against civilians"
        );
        if violent && kind == "event" {
            // Civilians are the targets of violence, never its initiators.
            if actor1.as_ref().is_some_and(|a| a.id == "civilians") {
                if actor2.as_ref().is_some_and(|a| a.id != "civilians") {
                    std::mem::swap(&mut actor1, &mut actor2);
                } else {
                    actor2 = actor1.take();
                }
            }
            // A victim named only by role ("خمسة جنود"، "مجندا بالشرطة", "soldiers"): the
            // state force of the event's country.
            if actor2.is_none() {
                let victims = || {
                    ents.iter()
                        .filter(|e| e.kind == EntityKind::Cue && e.id == "victim")
                        .filter(|e| e.src.start >= sr.start && e.src.end <= sr.end)
                };
                // In the clause of the event word, else anywhere in the sentence.
                let victim = victims()
                    .find(|e| e.src.start >= target_clause.start && e.src.end <= target_clause.end)
                    .or_else(|| victims().next());
                let country = location.as_ref().and_then(|l| l.country.as_deref());
                if let (Some(v), Some(cc)) = (victim, country) {
                    let role = v.value.as_deref().unwrap_or("military");
                    let force = if role == "civilians" {
                        self.lex.actor("civilians")
                    } else {
                        self.state_force(cc, role)
                    };
                    if let Some(force) = force {
                        if actor1.as_ref().is_none_or(|a| a.id != force.id) {
                            actor2 = Some(actor_ref(force, text, &v.text, &v.src));
                        }
                    }
                }
            }
        }
        // Casualties: the number nearest a killed / injured word, lowest figure.
        let count = counted.map(|(_, n)| n.value as u32);
        // For each killed / injured word, the nearest count within a few words (before:
        // "14 جنديا أفغانيا قتلوا", "12 شخصاً على الأقل قتلوا"; after: "مقتل 18"); across
        // mentions, the lowest figure (ACLED). "عائلة واحدة" is no count of victims.
        let chars_between = |a: usize, b: usize| text[a.min(b)..b.max(a)].chars().count();
        let near = |cue: &str| -> Option<u32> {
            ents.iter()
                .filter(|e| e.kind == EntityKind::Cue && e.id == cue)
                .filter_map(|c| {
                    // "مقتل جندي", "وإصابة عنصرين": a victim noun right after the word
                    // counts one, its dual two.
                    let noun = ents.iter().find_map(|e| {
                        (e.kind == EntityKind::Cue
                            && e.id == "victim_count"
                            && e.src.start >= c.src.end
                            && text[c.src.end..e.src.start].trim().is_empty())
                        .then(|| e.value.as_deref()?.parse::<u32>().ok())
                        .flatten()
                    });
                    if noun.is_some() {
                        return noun;
                    }
                    nums.iter()
                        .filter(|n| n.span.start >= sr.start && n.span.end <= sr.end)
                        .filter(|n| {
                            Some(n.value as u32) != count && !(1900.0..2100.0).contains(&n.value)
                        })
                        .filter(|n| {
                            n.value >= 2.0 || text[n.span.clone()].chars().any(|c| c.is_numeric())
                        })
                        // "محمد علاونة (22 عاما)", "a 22-year-old": an age, not a toll.
                        .filter(|n| {
                            let after: String = text[n.span.end..]
                                .trim_start_matches([' ', '-', '\u{a0}'])
                                .chars()
                                .take(4)
                                .flat_map(char::to_lowercase)
                                .collect();
                            !["عاما", "عامًا", "عام", "سنة", "سنه", "year", "yr"]
                                .iter()
                                .any(|w| after.starts_with(w))
                        })
                        .filter_map(|n| {
                            let (d, gap) = if n.span.end <= c.src.start + 1 {
                                let from = n.span.end.min(c.src.start);
                                (chars_between(from, c.src.start), from..c.src.start)
                            } else if n.span.start >= c.src.end {
                                (
                                    chars_between(c.src.end, n.span.start),
                                    c.src.end..n.span.start,
                                )
                            } else {
                                return None;
                            };
                            // "مقتل عنصر وإصابة اثنين": a count beyond the other toll word
                            // is that word's.
                            let other_between = ents.iter().any(|o| {
                                o.kind == EntityKind::Cue
                                    && (o.id == "killed" || o.id == "injured")
                                    && o.id != cue
                                    && o.src.start >= gap.start
                                    && o.src.end <= gap.end
                            });
                            if other_between {
                                return None;
                            }
                            // Farther before the word, a count still holds when it counts
                            // the victims ("At least 16 civilians including women and
                            // children were killed").
                            let counts_actor = n.span.end <= c.src.start
                                && ents.iter().any(|e| {
                                    e.kind == EntityKind::Actor
                                        && e.src.start >= n.span.end
                                        && e.src.start < c.src.start
                                        && e.src.start - n.span.end <= 40
                                        && matches!(
                                            match_key(&text[n.span.end..e.src.start]).trim(),
                                            "" | "من" | "علي الاقل من" | "of" | "at least"
                                        )
                                });
                            (d <= 30 || (counts_actor && d <= 90)).then_some((d, n.value as u32))
                        })
                        .min()
                        .map(|(_, v)| v)
                })
                .min()
        };
        // Names whose actor depends on the theatre ("طائرات التحالف" in Yemen or in Syria).
        if let Some(cc) = location.as_ref().and_then(|l| l.country.as_deref()) {
            for a in [&mut actor1, &mut actor2].into_iter().flatten() {
                self.in_theatre(a, cc);
            }
        }
        // Those who protest or riot are protesters / rioters, whoever the words call them
        // ("أهالي", "المئات"); the protest word itself names them when nothing else does.
        if matches!(event_type, "Protests" | "Riots") {
            let crowd = if event_type == "Protests" {
                "protesters"
            } else {
                "rioters"
            };
            // The force that fired on or dispersed the crowd is its counterpart, not the
            // initiator: the crowd acts.
            if actor1.as_ref().is_some_and(|a| {
                self.lex
                    .actor(&a.id)
                    .is_some_and(|x| matches!(x.inter, 1 | 8))
            }) && actor2.as_ref().is_none_or(|a| a.id == "civilians")
            {
                actor2 = actor1.take();
            }
            if actor1
                .as_ref()
                .is_none_or(|a| a.id == "civilians" || (a.id == "protesters" && crowd == "rioters"))
            {
                if let Some(c) = self.lex.actor(crowd) {
                    let (words, span) = match &actor1 {
                        Some(a) => (a.text.clone(), a.span),
                        None => (chosen.text.clone(), char_span(text, &chosen.src)),
                    };
                    actor1 = Some(ActorRef {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        text: words,
                        span,
                        suspected: false,
                    });
                }
            }
        }
        // A state force named without its country ("أعلنت الشرطة", "the army said"): the
        // force of the event's country, as initiator when the clause names no other — or,
        // named after the event word of an attack ("a car bomb exploded near a police
        // station"), as its target.
        // "ألقت قوات الأمن القبض على مسلحين": a force named between the verb and the event
        // noun is the subject; the actor after the event word is its object.
        if agent.is_none()
            && before.is_empty()
            && actor2.is_none()
            && actor1.is_some()
            && ents.iter().any(|e| {
                e.kind == EntityKind::Cue
                    && e.id == "force"
                    && e.src.start >= target_clause.start
                    && e.src.end <= chosen.src.start
            })
        {
            actor2 = actor1.take();
        }
        if actor1.is_none() || (violent && actor2.is_none()) {
            let force = ents.iter().find(|e| {
                e.kind == EntityKind::Cue
                    && e.id == "force"
                    && e.src.start >= target_clause.start
                    && e.src.end <= target_clause.end
            });
            let country = location.as_ref().and_then(|l| l.country.as_deref());
            if let (Some(f), Some(cc)) = (force, country) {
                let role = f.value.as_deref().unwrap_or("military");
                if let Some(a) = self.state_force(cc, role) {
                    let found = actor_ref(a, text, &f.text, &f.src);
                    let target = violent && f.src.start >= chosen.src.end;
                    if target {
                        if actor2.is_none() && actor1.as_ref().is_none_or(|x| x.id != a.id) {
                            actor2 = Some(found);
                        }
                    } else if actor1.is_none() && actor2.as_ref().is_none_or(|x| x.id != a.id) {
                        actor1 = Some(found);
                    }
                }
            }
        }
        let fatalities = if kind == "event" {
            near("killed")
        } else {
            None
        };
        let injured = if kind == "event" {
            near("injured")
        } else {
            None
        };
        // A counted actor whose count is the toll ("ثلاثة جنود عراقيين قتلوا") is the
        // victim, not the initiator.
        if violent && kind == "event" {
            // "ثلاثة جنود", "ستة من مقاتلي المعارضة", "37 على الأقل من مسلحي…".
            let counted_victim = |a: &ActorRef| {
                nums.iter().any(|n| {
                    let ns = char_span(text, &n.span);
                    ns[1] <= a.span[0]
                        && a.span[0] - ns[1] <= 16
                        && [fatalities, injured].contains(&Some(n.value as u32))
                        && {
                            let gap: String =
                                text[n.span.end..].chars().take(a.span[0] - ns[1]).collect();
                            matches!(
                                match_key(&gap).trim(),
                                "" | "من" | "علي الاقل من" | "of" | "at least"
                            )
                        }
                })
            };
            if actor1.as_ref().is_some_and(counted_victim)
                && actor2.as_ref().is_none_or(|a| !counted_victim(a))
            {
                std::mem::swap(&mut actor1, &mut actor2);
            }
        }
        // (Only for what forces carry out from afar or on others: strikes, shelling,
        // arrests, offensives. A police officer telling of an attack on soldiers is a
        // witness.)
        if actor1.is_none()
            && matches!(
                sub,
                "Air/drone strike"
                    | "Shelling/artillery/missile attack"
                    | "Arrests"
                    | "Government regains territory"
                    | "Change to group/activity"
            )
        {
            if let Some(a) = speaker.filter(|a| actor2.as_ref().is_none_or(|x| x.id != a.id)) {
                actor1 = Some(a);
            }
        }
        // An air strike by "warplanes" alone: in a theatre where one side flies, that side
        // (ACLED's convention for unattributed strikes).
        if kind == "event"
            && sub == "Air/drone strike"
            && actor1.as_ref().is_none_or(|a| a.id == "unidentified")
        {
            let flier = location
                .as_ref()
                .and_then(|l| l.country.as_deref())
                .and_then(|cc| AIR_POWER.iter().find(|(c, _)| *c == cc))
                .and_then(|(_, id)| self.lex.actor(id));
            if let Some(a) = flier {
                if actor2.as_ref().is_none_or(|x| x.id != a.id) {
                    actor1 = Some(actor_ref(a, text, &chosen.text, &chosen.src));
                }
            }
        }
        // A bombing, assassination or abduction whose perpetrator the report does not name,
        // or an attack on a named force by unnamed men: an unidentified armed group (ACLED's
        // convention), named by the event word itself.
        if kind == "event"
            && actor1.is_none()
            && (matches!(
                sub,
                "Remote explosive/landmine/IED"
                    | "Suicide bomb"
                    | "Grenade"
                    | "Attack"
                    | "Abduction/forced disappearance"
            ) || (sub == "Armed clash" && actor2.is_some()))
        {
            if let Some(u) = self.lex.actor("unidentified") {
                actor1 = Some(actor_ref(u, text, &chosen.text, &chosen.src));
            }
        }
        let confidence: f32 = (0.35f32
            + if strong { 0.25 } else { 0.10 }
            + if actor1.is_some() { 0.15 } else { 0.0 }
            + if location.is_some() { 0.15 } else { 0.0 }
            + if date_expr.is_some() { 0.10 } else { 0.0 }
            - if actor1.as_ref().is_some_and(|a| a.suspected) {
                0.05
            } else {
                0.0
            })
        .clamp(0.0, 1.0);
        let (assoc_actor_1, assoc_actor_2) = (assoc, Vec::new());
        // The event word is the toll itself ("قتل", "مقتل"): the sentence counts victims
        // rather than telling an incident of its own.
        let toll_only = ents.iter().any(|c| {
            c.kind == EntityKind::Cue
                && (c.id == "killed" || c.id == "injured")
                && c.src.start < chosen.src.end
                && chosen.src.start < c.src.end
        });
        let event = Event {
            kind,
            event_type,
            sub_event_type: sub,
            actor1,
            actor2,
            assoc_actor_1,
            assoc_actor_2,
            location,
            date,
            fatalities,
            injured,
            count,
            evidence: Evidence {
                text: text[sr.clone()].to_string(),
                span: char_span(text, &sr),
            },
            confidence: (confidence * 100.0).round() / 100.0,
        };
        // A claim of responsibility for the incident ("وتبنى مسؤول في التنظيم التفجير",
        // "ISIS claimed the attack"): its own event, Strategic developments/Other, by the
        // claimant, where and when the incident was.
        let claimed = !ents.iter().any(|e| {
            e.kind == EntityKind::Cue && e.id == "negation" && e.value.as_deref() == Some("claim")
        }) && ents.iter().any(|e| {
            (e.kind == EntityKind::Cue && e.id == "claim")
                || (e.kind == EntityKind::Trigger && e.id == "Other" && {
                    let k = match_key(&e.text);
                    k.contains("مسووليه") || k.contains("تبن") || k.contains("claim")
                })
        });
        let claim = (claimed
            && event.kind == "event"
            && self::violent(event.event_type)
            && event
                .actor1
                .as_ref()
                .is_some_and(|a| a.id != "unidentified"))
        .then(|| {
            let mut actor1 = event.actor1.clone();
            if let Some(a) = actor1.as_mut() {
                a.suspected = false;
            }
            Event {
                event_type: "Strategic developments",
                sub_event_type: "Other",
                actor1,
                actor2: None,
                assoc_actor_1: Vec::new(),
                assoc_actor_2: Vec::new(),
                fatalities: None,
                injured: None,
                ..event.clone()
            }
        });
        // The other places of the same incident, the toll shared out (the first takes
        // what does not divide).
        let mut event = event;
        let split: Vec<Event> = if also_at.is_empty() {
            Vec::new()
        } else {
            let n = also_at.len() as u32 + 1;
            let share = |total: Option<u32>, first: bool| {
                total.map(|t| t / n + if first { t % n } else { 0 })
            };
            let (fat, inj) = (event.fatalities, event.injured);
            event.fatalities = share(fat, true);
            event.injured = share(inj, true);
            also_at
                .into_iter()
                .map(|l| Event {
                    location: Some(l),
                    fatalities: share(fat, false),
                    injured: share(inj, false),
                    ..event.clone()
                })
                .collect()
        };
        let mut also = split;
        also.extend(claim);
        Some(Told {
            event,
            retelling: Retelling {
                definite: definite_first(text, ents),
                toll_only,
            },
            also,
        })
    }
}

/// The clause (between commas, semicolons or the sentence ends) holding byte `at`.
fn clause_of(text: &str, sr: Range<usize>, at: usize) -> Range<usize> {
    let breaks = clause_breaks(&text[sr.clone()]);
    let rel = at - sr.start;
    let start = breaks
        .iter()
        .filter(|b| b.1 <= rel)
        .map(|b| b.1)
        .max()
        .unwrap_or(0);
    let end = breaks
        .iter()
        .filter(|b| b.0 >= rel)
        .map(|b| b.0)
        .min()
        .unwrap_or(sr.end - sr.start);
    sr.start + start..sr.start + end
}

/// The clause boundaries of a sentence, as (end of the clause before, start of the next):
/// commas and semicolons, and the words that open a parallel clause ("في وقت", "فيما",
/// "بينما", "while").
fn clause_breaks(s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = s
        .char_indices()
        .filter(|(_, c)| matches!(c, '،' | '؛' | ',' | ';'))
        .map(|(i, c)| (i, i + c.len_utf8()))
        .collect();
    for m in [" في وقت ", " فيما ", " بينما ", " while ", " meanwhile "] {
        let mut from = 0;
        while let Some(i) = s[from..].find(m) {
            out.push((from + i, from + i + 1));
            from += i + m.len();
        }
    }
    out.sort_unstable();
    out
}

fn location(text: &str, e: &Entity) -> Location {
    let p = e.place.as_ref().expect("a place entity is resolved");
    let (span, words) = match &p.phrase {
        Some(r) => (r.clone(), text[r.clone()].to_string()),
        None => (e.src.clone(), e.text.clone()),
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Location {
        name: e.name.clone(),
        name_ar: opt(&p.name_ar),
        country: opt(&p.country),
        admin1: opt(&p.admin1),
        admin2: opt(&p.admin2),
        admin3: opt(&p.admin3),
        lat: (!p.lat.is_nan()).then_some(p.lat),
        lon: (!p.lon.is_nan()).then_some(p.lon),
        geo_precision: p.geo_precision,
        text: words,
        span: char_span(text, &span),
        gazetteer_id: Some(e.id.clone()),
    }
}

/// The place the article is about: the most mentioned place that is not a country.
/// Where the attribution that opens a reported-speech sentence ends: at the first "إن"/"أن",
/// opening quote or colon ("that" in English) within its first words, else at its start.
fn attribution_end(text: &str, sr: Range<usize>) -> usize {
    let s = &text[sr.clone()];
    let limit = s.char_indices().nth(120).map_or(s.len(), |(i, _)| i);
    let head = &s[..limit];
    [" إن ", " ان ", " أن ", " بأن ", " «", "«", ": ", " that "]
        .iter()
        .filter_map(|m| head.find(m))
        .min()
        .map_or(sr.start, |i| sr.start + i)
}

/// Political violence proper: battles, explosions, violence against civilians.
fn violent(event_type: &str) -> bool {
    matches!(
        event_type,
        "Battles" | "Explosions/Remote violence" | "Violence against civilians"
    )
}

/// Whether every event word of a sentence refers back to an incident already told: a
/// definite noun ("الهجوم", "والانفجار", "the attack").
fn anaphoric(text: &str, ents: &[&Entity]) -> bool {
    let mut words = ents
        .iter()
        .filter(|e| e.kind == EntityKind::Trigger)
        .peekable();
    words.peek().is_some()
        && words.all(|e| {
            let before = &text[..e.src.start];
            // The letters of the word before the matched stem: its proclitics and article.
            let prefix = &before[before.rfind(|c: char| !c.is_alphabetic()).map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            })..];
            let w = &text[e.src.clone()];
            // The last word before it is "the" (bytes compared: no slicing inside a
            // character, and no lower-casing of the text before it).
            let b = before.trim_end().as_bytes();
            let n = b.len();
            let the = n >= 3
                && b[n - 3..].eq_ignore_ascii_case(b"the")
                && (n == 3 || b[n - 4].is_ascii_whitespace());
            prefix.ends_with("ال")
                || prefix.ends_with("لل")
                || (prefix.is_empty() && w.starts_with("ال"))
                || the
        })
}

/// Whether the first event word of a sentence is a definite noun ("ونفذت الضربة الجوية
/// صباح اليوم…", "the attack"): the sentence tells again an incident already named.
fn definite_first(text: &str, ents: &[&Entity]) -> bool {
    let first = ents.iter().find(|e| e.kind == EntityKind::Trigger);
    first.is_some_and(|e| {
        // A verb and its object matched as one phrase ("نفذت الضربة"): the noun decides.
        let noun_inside = text[e.src.clone()].split_whitespace().skip(1).any(|w| {
            let w = w.trim_start_matches(['و', 'ف', 'ب']);
            w.starts_with("ال") && w.chars().count() > 3
        });
        noun_inside || anaphoric(text, &[*e])
    })
}

/// Where the article's dateline ends, if it opens with one: up to four words, an optional
/// agency in brackets or quotes, then a dash or a colon.
fn dateline_end(text: &str) -> Option<usize> {
    static RX: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let rx = RX.get_or_init(|| {
        regex::Regex::new(
            r#"^\s*[\p{L}][\p{L}.'’]*(?:[ ,]+[\p{L}][\p{L}.'’]*){0,3}\s*(?:\([^)\n]{1,30}\)|[«"“][^»"”\n]{1,30}[»"”])?\s*[-–—:]+\s(?:\s*[«"“][^»"”\n]{1,30}[»"”]\s*[-–—:]+\s)?"#,
        )
        .expect("dateline pattern")
    });
    let cut = (0..=text.len().min(160))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let head = &text[..cut];
    // The Saudi Press Agency's own line: "بيروت 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م
    // واس", the place and the day of filing alone on the first line.
    let first = text.split('\n').next().unwrap_or("");
    let first_trim = first.trim_end();
    if (first_trim.ends_with("واس") || first_trim.ends_with("(واس)"))
        && first_trim.split_whitespace().count() <= 16
    {
        return Some(first.len());
    }
    rx.find(head).map(|m| m.end())
}

#[cfg(test)]
mod retelling_tests {
    use std::sync::Arc;

    use crate::{article, Extractor, ExtractorConfig};

    /// Short texts whose event word follows a two-letter word, "the" or nothing at all
    /// (the definite-article check once sliced inside a character there).
    #[test]
    fn definite_checks_take_any_text() {
        let x = Extractor::new(
            Arc::new(rasid_lexicon::Lexicon::bundled().unwrap()),
            ExtractorConfig::default(),
        );
        for text in [
            "ال هجوم",
            "ال\nالهجوم",
            "the attack",
            "THE attack",
            "هجوم",
            "ab the attack",
        ] {
            let mut a = article::from_txt("t", text, None);
            a.published = Some("2024-07-22".parse().unwrap());
            x.extract(&a);
        }
    }
}

#[cfg(test)]
mod dateline_tests {
    use super::dateline_end;

    #[test]
    fn datelines() {
        for (text, dateline) in [
            (
                "BEIRUT (Reuters) - Air strikes killed 12 people.",
                Some("BEIRUT (Reuters) - "),
            ),
            ("BEIRUT, Syria — Rebels said.", Some("BEIRUT, Syria — ")),
            ("دمشق - «الحياة»: قتل 12 شخصا", Some("دمشق - «الحياة»: ")),
            ("بيروت: قالت مصادر", Some("بيروت: ")),
            (
                "Air strikes killed 12 people in Aleppo on Monday - a monitor said.",
                None,
            ),
            ("قتل 12 شخصا في حلب - وفق المرصد", None),
            (
                "بيروت 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس\n ألقت قوات الأمن",
                Some("بيروت 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس"),
            ),
        ] {
            let got = dateline_end(text).map(|e| &text[..e]);
            assert_eq!(got, dateline, "{text}");
        }
    }
}

fn main_place(entities: &[Entity]) -> Option<&Entity> {
    let mut counts: HashMap<&str, (usize, &Entity)> = HashMap::new();
    for e in entities.iter().filter(|e| e.kind == EntityKind::Place) {
        if e.place
            .as_ref()
            .is_some_and(|p| p.feature != FeatureKind::Country)
        {
            counts.entry(e.id.as_str()).or_insert((0, e)).0 += 1;
        }
    }
    counts
        .into_values()
        .max_by_key(|(n, e)| (*n, std::cmp::Reverse(e.src.start)))
        .map(|(_, e)| e)
}

/// The same incident mentioned twice in one article is one event.
/// Sentences longer than this (in characters) are run-on text without full stops — several
/// reports strung together with commas — and are read one comma-separated part at a time.
const RUN_ON: usize = 250;

/// A sentence, or the comma-separated parts of a run-on one (each part at least a few
/// words long; shorter pieces stay with the part before them).
fn run_on_parts(text: &str, sr: Range<usize>) -> Vec<Range<usize>> {
    if text[sr.clone()].chars().count() <= RUN_ON {
        return vec![sr];
    }
    let mut parts = Vec::new();
    let mut start = sr.start;
    for (i, c) in text[sr.clone()].char_indices() {
        if c == '،' || c == ',' {
            let end = sr.start + i + c.len_utf8();
            if text[start..end].chars().count() >= 60 {
                parts.push(start..end);
                start = end;
            }
        }
    }
    if start < sr.end {
        match parts.last_mut() {
            Some(last) if text[start..sr.end].chars().count() < 60 => last.end = sr.end,
            _ => parts.push(start..sr.end),
        }
    }
    parts
}

/// `text` starts with the words `prefix`, ending at a word boundary.
fn starts_with_word(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
}

/// `b` says more precisely where `a` is: a finer place of the same country and province.
fn finer(a: Option<&Location>, b: Option<&Location>) -> bool {
    a.zip(b).is_some_and(|(a, b)| {
        b.geo_precision < a.geo_precision
            && a.country == b.country
            && (a.admin1.is_none() || a.admin1 == b.admin1)
    })
}

/// Places a few kilometres apart (a village and the town it is "south-west of"): one
/// incident told from either is one incident.
const ADJACENT_KM: f64 = 5.0;

/// Two locations at most [`ADJACENT_KM`] apart, both precise to a place.
fn adjacent(a: Option<&Location>, b: Option<&Location>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    match (a.lat, a.lon, b.lat, b.lon) {
        (Some(la), Some(lo), Some(lb), Some(lob)) => {
            a.geo_precision == 1
                && b.geo_precision == 1
                && rasid_lexicon::distance_km((la, lo), (lb, lob)) <= ADJACENT_KM
        }
        _ => false,
    }
}

/// The event a sentence tells, with what its words say of it.
struct Told {
    event: Event,
    retelling: Retelling,
    /// Events of their own that come with it: the same incident in the other places named
    /// with the first, and the claim of responsibility for it (CODEBOOK: Strategic
    /// developments/Other).
    also: Vec<Event>,
}

/// Clues that a sentence tells again an event already told.
#[derive(Default)]
struct Retelling {
    /// Its first event word is a definite noun.
    definite: bool,
    /// Its event word is a toll word.
    toll_only: bool,
}

fn merge(events: Vec<(Event, Retelling)>) -> Vec<Event> {
    // A place the sentence names itself, not the article's main place lent to it.
    let own_place = |e: &Event| {
        e.location
            .as_ref()
            .is_some_and(|l| l.span[0] >= e.evidence.span[0] && l.span[1] <= e.evidence.span[1])
    };
    let unnamed = |a: &Option<ActorRef>| a.as_ref().is_none_or(|a| a.id == "unidentified");
    let mut out: Vec<Event> = Vec::new();
    for (e, told) in events {
        let definite = told.definite;
        let same = out.iter_mut().find(|o| {
            let (ol, el) = (o.location.as_ref(), e.location.as_ref());
            let place = ol.and_then(|l| l.gazetteer_id.as_ref())
                == el.and_then(|l| l.gazetteer_id.as_ref())
                || ((!own_place(o) || !own_place(&e))
                    && ol.and_then(|l| l.admin1.as_ref()) == el.and_then(|l| l.admin1.as_ref()))
                || (adjacent(ol, el) && o.evidence.span != e.evidence.span);
            let actor = o.actor1.as_ref().map(|a| &a.id) == e.actor1.as_ref().map(|a| &a.id)
                || unnamed(&o.actor1)
                || unnamed(&e.actor1);
            o.kind == e.kind
                && o.sub_event_type == e.sub_event_type
                && o.date.start == e.date.start
                && o.date.end == e.date.end
                && place
                && actor
        });
        // A sentence that gives no date of its own and no other place, about an event of the
        // same type as one already told, tells that event again ("ونفذت الضربة الجوية في
        // منطقة…", "وقال مصدر طبي إن أربعة أشخاص قتلوا"): a new incident is introduced by
        // its own day or its own place.
        let same = match same {
            Some(o) => Some(o),
            None if e.kind == "event" && (e.date.span.is_none() || definite) => {
                out.iter_mut().rev().find(|o| {
                    let (ol, el) = (o.location.as_ref(), e.location.as_ref());
                    // The place told before was a region or a country's part: a town in
                    // the same country and province says where in it.
                    // Only a retelling says so ("ونفذت الضربة الجوية في منطقة…"): after "19
                    // killed in strikes on Idlib province", "a strike on Saraqib" is one of
                    // them, told apart.
                    let refines =
                        definite && ol.is_some_and(|l| l.geo_precision >= 3) && finer(ol, el);
                    let place = !own_place(&e)
                        || refines
                        || ol.and_then(|l| l.gazetteer_id.as_ref())
                            == el.and_then(|l| l.gazetteer_id.as_ref())
                        || ((!own_place(o) || definite)
                            && ol.and_then(|l| l.admin1.as_ref())
                                == el.and_then(|l| l.admin1.as_ref()));
                    // A definite noun refers back whoever else the sentence names, and
                    // wherever in the province it says the incident was.
                    let actor = definite
                        || unnamed(&e.actor1)
                        || o.actor1.as_ref().map(|a| &a.id) == e.actor1.as_ref().map(|a| &a.id)
                        || o.actor2.as_ref().map(|a| &a.id) == e.actor1.as_ref().map(|a| &a.id);
                    // A toll without an event word of its own ("وقتل جنديان آخران", "قال
                    // مصدر طبي إن أربعة أشخاص قتلوا") counts the victims of the violence
                    // just told, whatever its type.
                    // Likewise a definite noun ("وأسفر الهجوم الذي وقع في…") names the
                    // violence just told, whichever word the report first used for it.
                    let same_type = o.event_type == e.event_type
                        || ((told.toll_only || definite)
                            && violent(o.event_type)
                            && violent(e.event_type));
                    o.kind == "event"
                        && same_type
                        && o.date.start <= e.date.end
                        && e.date.start <= o.date.end
                        && place
                        && actor
                })
            }
            None => None,
        };
        match same {
            // The same incident told again: one event, completed from the retelling.
            Some(o) => {
                o.confidence = o.confidence.max(e.confidence);
                // ACLED's lowest figure between two tellings of the incident; a bare toll
                // sentence ("وقتل جنديان آخران") may count other victims, so it only fills
                // a toll the incident lacks.
                o.fatalities = match (o.fatalities, e.fatalities) {
                    (Some(a), Some(_)) if told.toll_only => Some(a),
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if unnamed(&o.actor1) && !unnamed(&e.actor1) {
                    o.actor1 = e.actor1.clone();
                }
                if o.actor2.is_none() {
                    o.actor2 = e.actor2.clone();
                }
                if (!own_place(o) || finer(o.location.as_ref(), e.location.as_ref()))
                    && own_place(&e)
                {
                    o.location = e.location.clone();
                }
            }
            None => out.push(e),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::run_on_parts;

    #[test]
    fn run_on_sentences_split_at_commas_into_whole_parts() {
        let short = "قتل ثلاثة مدنيين، وأصيب خمسة آخرون في قصف على المدينة.";
        assert_eq!(run_on_parts(short, 0..short.len()), vec![0..short.len()]);
        let part = "تظاهر المئات من أهالي المحافظة أمس احتجاجا على انقطاع الكهرباء والماء";
        let text = format!("{part}، {part}، {part}، {part}، قصير");
        let parts = run_on_parts(&text, 0..text.len());
        assert_eq!(parts.len(), 4, "{parts:?}");
        assert_eq!(parts[0].start, 0);
        assert_eq!(parts.last().unwrap().end, text.len());
        for w in parts.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        // The short tail stays with the last part.
        assert!(text[parts[3].clone()].ends_with("قصير"));
    }
}
