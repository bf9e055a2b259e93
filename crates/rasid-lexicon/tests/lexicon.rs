//! Whole-lexicon properties and user extension.

use std::sync::OnceLock;

use rasid_lexicon::{check, EntityKind, EntryRef, Lexicon, LexiconBuilder};

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| Lexicon::bundled().expect("bundled lexicon"))
}

fn data(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every actor alias, searched on its own, finds its own actor — unless `check` lists it
/// as shared with another actor (then the first keeps it), or it is under three letters
/// (not indexed: such words are names far less often than words).
#[test]
fn every_actor_alias_finds_its_actor() {
    let lex = lexicon();
    let b = LexiconBuilder::bundled().unwrap();
    let shared: Vec<String> = check(b.actors(), &[], &[])
        .into_iter()
        .filter(|p| !p.error)
        .map(|p| p.message)
        .collect();
    let mut failures = Vec::new();
    let mut tried = 0;
    for a in lex.actors() {
        for alias in a.ar.iter().chain(&a.en) {
            let letters = alias.chars().filter(|c| c.is_alphabetic()).count();
            if letters < 3 || shared.iter().any(|m| m.contains(&format!("{alias:?}"))) {
                continue;
            }
            tried += 1;
            let found = lex.find(alias);
            if !found
                .iter()
                .any(|e| e.kind == EntityKind::Actor && e.id == a.id)
            {
                let got: Vec<String> = found
                    .iter()
                    .map(|e| format!("{}:{}", e.kind.as_str(), e.id))
                    .collect();
                failures.push(format!("{} ({}): {alias:?} -> {got:?}", a.id, a.origin));
            }
        }
    }
    assert!(tried > 3000, "only {tried} aliases tried");
    assert!(
        failures.is_empty(),
        "{} of {tried} aliases do not find their actor:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every place name is a match key that leads back to the place.
#[test]
fn every_place_name_is_a_key_of_its_place() {
    let lex = lexicon();
    let mut failures = Vec::new();
    let mut tried = 0;
    for (i, p) in lex.places().iter().enumerate() {
        for name in [&p.name_en, &p.name_ar].into_iter().chain(&p.names) {
            let letters = name
                .chars()
                .filter(|c| c.is_alphabetic() && !rasid_text::chars::is_arabic_mark(*c))
                .count();
            if letters < 3 {
                continue;
            }
            tried += 1;
            if !lex.lookup(name).contains(&EntryRef::Place(i as u32)) {
                failures.push(format!("{} ({}): {name:?}", p.id, p.origin));
            }
        }
    }
    assert!(tried > 20_000, "only {tried} names tried");
    assert!(
        failures.is_empty(),
        "{} names are not keys of their place:\n{}",
        failures.len(),
        failures
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The bundled data has no errors (warnings — aliases shared by two actors — are listed
/// by `rasid lexicon check` for review).
#[test]
fn bundled_data_checks_clean() {
    let b = LexiconBuilder::bundled().unwrap();
    let problems = check(b.actors(), b.places(), &[]);
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.error)
        .map(|p| format!("{}: {}", p.origin, p.message))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The lexicon's promised size: at least 20k place names, 3k actor aliases.
#[test]
fn sizes() {
    let lex = lexicon();
    let counts = lex.alias_counts();
    assert!(counts["place"] >= 20_000, "{counts:?}");
    assert!(counts["actor"] >= 3_000, "{counts:?}");
    assert!(lex.actor("isis").is_some() && lex.actor("syria-military").is_some());
    for id in [
        "isis",
        "al-qaeda",
        "aqap",
        "hts",
        "sna",
        "sdf",
        "ypg",
        "asayish",
        "pkk",
        "syria-military",
        "syria-police",
        "russia-military",
        "iran-military",
        "iran-backed-militias",
        "hezbollah",
        "us-military",
        "coalition",
        "turkey-military",
        "iraq-military",
        "iraq-police",
        "pmf",
        "peshmerga",
        "houthis",
        "saleh-forces",
        "yemen-military",
        "yemen-resistance",
        "saudi-coalition",
        "saudi-military",
        "israel-military",
        "hamas",
        "pij",
        "taliban",
        "afghanistan-military",
        "unidentified",
        "civilians",
        "protesters",
        "rioters",
    ] {
        assert!(lex.actor(id).is_some(), "canonical id {id} missing");
    }
}

/// A user's TOML adds actors and places that `find` then reports, parent included.
#[test]
fn user_extension() {
    let lex = LexiconBuilder::bundled()
        .unwrap()
        .toml("local.toml", &data("lexicon-user/local.toml"))
        .unwrap()
        .build()
        .unwrap();
    let found = lex.find("اشتبك عناصر لواء التجربة مع مسلحين قرب قرية تل التجربة");
    let actor = found
        .iter()
        .find(|e| e.kind == EntityKind::Actor && e.id == "liwa-al-test-brigade")
        .expect("user actor");
    assert_eq!(lex.root_actor(&actor.id), "syria-military");
    let place = found
        .iter()
        .find(|e| e.kind == EntityKind::Place && e.id == "user:tal-al-tajriba")
        .expect("user place");
    assert_eq!(place.place.as_ref().unwrap().admin1, "Deir-ez-Zor");
}

/// `check` names the file and line of every mistake.
#[test]
fn check_reports_file_and_line() {
    let b = LexiconBuilder::new()
        .toml("broken.toml", &data("lexicon-bad/broken.toml"))
        .unwrap();
    let problems = check(b.actors(), b.places(), &["syria-military".to_string()]);
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.origin, p.message))
        .collect();
    let has = |origin: &str, needle: &str| {
        text.iter()
            .any(|t| t.starts_with(origin) && t.contains(needle))
    };
    assert!(
        has("broken.toml:8:", "duplicate actor id \"dup-actor\""),
        "{text:#?}"
    );
    assert!(
        has("broken.toml:14:", "unknown parent \"no-such-parent\""),
        "{text:#?}"
    );
    assert!(has("broken.toml:21:", "has no aliases"), "{text:#?}");
    assert!(has("broken.toml:26:", "empty alias"), "{text:#?}");
    assert!(has("broken.toml:26:", "inter 12"), "{text:#?}");
    assert!(has("broken.toml:32:", "bad coordinates"), "{text:#?}");
    assert!(
        has(
            "broken.toml:40:",
            "unknown actor \"no-such-actor\" for elsewhere"
        ),
        "{text:#?}"
    );
}

/// A TOML syntax error is reported with its line.
#[test]
fn toml_errors_name_the_line() {
    let e = LexiconBuilder::new()
        .toml(
            "x.toml",
            "[[actor]]\nid = \"a\"\nname = \"A\"\ninter = \"three\"\n",
        )
        .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("x.toml", 4), "{e}");
}

/// Wire-service spellings of places resolve to their governorate
/// (`tests/data/entities/spellings.tsv`; every row must pass, each failure named).
#[test]
fn news_spellings_resolve_to_their_governorate() {
    check_resolution("spellings.tsv");
}

/// Names that other places share resolve to the place of the story, and namesakes abroad
/// are not reported (`tests/data/entities/resolution.tsv`).
#[test]
fn shared_names_resolve_in_context() {
    check_resolution("resolution.tsv");
}

/// Rows of (sentence, name, admin1 or `-` for no place): every row must pass.
fn check_resolution(file: &str) {
    let lex = lexicon();
    let mut failures = Vec::new();
    let text = data(&format!("entities/{file}"));
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [sentence, name, admin1] = cols[..] else {
            panic!("{file}:{}: expected three columns", n + 1);
        };
        let got: Vec<String> = lex
            .find(sentence)
            .into_iter()
            .filter(|e| e.kind == EntityKind::Place)
            .filter_map(|e| {
                let p = e.place?;
                sentence[e.src.clone()]
                    .contains(name)
                    .then(|| p.admin1.clone())
            })
            .collect();
        let ok = if admin1 == "-" {
            got.is_empty()
        } else {
            got.iter().any(|a| a == admin1)
        };
        if !ok {
            failures.push(format!(
                "{file}:{}: {name:?} expected in {admin1}, found {got:?}",
                n + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, .. Default::default() })]
    /// Names, clitics, quote marks, evasion characters and other scripts in any order:
    /// `find` never panics, every entity is a range of whole characters of the text with
    /// that text, and every place is resolved.
    #[test]
    fn find_takes_any_text(
        v in proptest::collection::vec(
            proptest::sample::select(vec![
                "داعش", "الرقة", "قسد", "التنظيم", "قوات", "سوريا", "الديمقراطية", "حمص",
                "ريف", "الشرقي", "مقتل", "هجوم", "شعاد", "و", "ال", "لل", "ب", "ين", "ي", "ه",
                "«", "»", "\"", "“", "”", " ", "  ", "\n", "ـ", ".", "-", "،", "3", "l",
                "Raqqa", "ISIS", "Deir ez-Zor", "😀", "ٮ", "\u{200c}", "\u{64e}", "١٢",
            ]),
            0..30,
        )
    ) {
        let text: String = v.concat();
        for e in lexicon().find(&text) {
            proptest::prop_assert!(e.src.start < e.src.end && e.src.end <= text.len(), "{:?} in {:?}", e, text);
            proptest::prop_assert!(text.is_char_boundary(e.src.start) && text.is_char_boundary(e.src.end));
            proptest::prop_assert_eq!(&e.text, &text[e.src.clone()]);
            if e.kind == rasid_lexicon::EntityKind::Place {
                let p = e.place.as_ref().expect("a place entity is resolved");
                proptest::prop_assert!((1..=3).contains(&p.geo_precision));
            }
        }
    }
}

/// The matcher's own output: each hit with its original span, class and entries, an
/// ambiguous name with all of its places, an evasion spelling with its technique.
#[test]
fn hits_carry_span_class_and_entries() {
    let lex = lexicon();
    let text = "قصف بالرقة وهجوم لـ\"قسد\" ومقاتلو دا3ش";
    let hits = lex.hits(text);
    let name = |s: &str| {
        hits.iter()
            .find(|h| h.class == rasid_lexicon::HitClass::Name && &text[h.src.clone()] == s)
            .unwrap_or_else(|| panic!("no name hit {s:?} in {hits:?}"))
    };
    let raqqa = name("الرقة");
    let places = lex
        .hit_entries(raqqa)
        .filter(|e| matches!(e, EntryRef::Place(_)))
        .count();
    assert!(
        places >= 2,
        "الرقة is the city and the governorate: {places}"
    );
    let sdf = name("قسد");
    assert!(lex.hit_entries(sdf).any(|e| match e {
        EntryRef::Actor(i) => lex.actors()[i as usize].id == "sdf",
        _ => false,
    }));
    let isis = name("دا3ش");
    assert_eq!(isis.technique, Some(rasid_text::Technique::Arabizi));
    assert!(hits
        .iter()
        .any(|h| h.class == rasid_lexicon::HitClass::Trigger && &text[h.src.clone()] == "قصف"));
    // In order of position, and no two hits of one class overlap.
    assert!(hits.windows(2).all(|w| w[0].src.start <= w[1].src.start));
    for (i, a) in hits.iter().enumerate() {
        for b in &hits[i + 1..] {
            assert!(
                a.class != b.class || a.src.end <= b.src.start || b.src.end <= a.src.start,
                "{a:?} and {b:?} overlap"
            );
        }
    }
}

/// Countries and conflict regions far from the Middle East resolve to their entry
/// (`tests/data/entities/world.tsv`; every row must pass, each failure named).
#[test]
fn world_places_resolve_to_their_entry() {
    let lex = lexicon();
    let text = data("entities/world.tsv");
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [sentence, name, id] = cols[..] else {
            panic!("world.tsv:{}: expected three columns", n + 1);
        };
        let got: Vec<String> = lex
            .find(sentence)
            .into_iter()
            .filter(|e| e.kind == EntityKind::Place && sentence[e.src.clone()].contains(name))
            .map(|e| e.id)
            .collect();
        if !got.iter().any(|g| g == id) {
            failures.push(format!(
                "world.tsv:{}: {name:?} expected {id}, found {got:?}",
                n + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
