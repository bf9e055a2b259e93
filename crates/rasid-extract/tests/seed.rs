//! The acceptance test: the seed report's events, against a golden file reviewed by hand
//! (`tests/data/extract/seed-raqqa.expected.json`), and the output against the event schema.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rasid_extract::{article, Event, Extraction, Extractor, ExtractorConfig};
use rasid_lexicon::Lexicon;
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn extract_seed() -> &'static (article::Article, Extraction) {
    static X: OnceLock<(article::Article, Extraction)> = OnceLock::new();
    X.get_or_init(|| {
        let lex = Arc::new(Lexicon::bundled().unwrap());
        let text = std::fs::read_to_string(root().join("tests/data/seed-raqqa.txt")).unwrap();
        let mut a = article::from_txt("seed-raqqa", &text, None);
        a.published = Some("2024-07-22".parse().unwrap());
        let x = Extractor::new(lex, ExtractorConfig::default()).extract(&a);
        (a, x)
    })
}

/// What differs between an expected event and an extracted one (empty: it matches).
fn differences(want: &Value, got: &Event) -> Vec<String> {
    let mut d = Vec::new();
    let mut check = |field: &str, ok: bool, shown: String| {
        if !ok {
            d.push(format!("{field}: {shown}"));
        }
    };
    check("kind", want["kind"] == got.kind, got.kind.into());
    if let Some(s) = want["sub_event_type"].as_str() {
        check(
            "sub_event_type",
            s == got.sub_event_type,
            got.sub_event_type.into(),
        );
    }
    for (key, actor) in [("actor1", &got.actor1), ("actor2", &got.actor2)] {
        match &want[key] {
            Value::Null if want.get(key).is_some() => {
                check(key, actor.is_none(), format!("{actor:?}"))
            }
            Value::Object(o) => {
                let ok = actor.as_ref().is_some_and(|a| {
                    o.get("id").is_none_or(|id| id == &a.id)
                        && o.get("suspected").is_none_or(|s| *s == a.suspected)
                });
                check(
                    key,
                    ok,
                    format!("{:?}", actor.as_ref().map(|a| (&a.id, a.suspected))),
                );
            }
            _ => {}
        }
    }
    if let Some(ids) = want["assoc_actor_1"].as_array() {
        let got_ids: Vec<&str> = got.assoc_actor_1.iter().map(|a| a.id.as_str()).collect();
        check(
            "assoc_actor_1",
            ids.iter()
                .all(|i| got_ids.contains(&i.as_str().unwrap_or(""))),
            format!("{got_ids:?}"),
        );
    }
    if let Some(l) = want["location"].as_object() {
        let ok = got.location.as_ref().is_some_and(|g| {
            l.get("country")
                .is_none_or(|c| Some(c.as_str().unwrap_or("")) == g.country.as_deref())
                && l.get("admin1")
                    .is_none_or(|c| Some(c.as_str().unwrap_or("")) == g.admin1.as_deref())
                && l.get("geo_precision")
                    .and_then(Value::as_array)
                    .is_none_or(|p| p.iter().any(|x| x == &json!(g.geo_precision)))
        });
        check(
            "location",
            ok,
            format!(
                "{:?}",
                got.location
                    .as_ref()
                    .map(|g| (&g.text, &g.admin1, g.geo_precision))
            ),
        );
    }
    if let Some(dt) = want["date"].as_object() {
        let (s, e) = (got.date.start.as_str(), got.date.end.as_str());
        let mut ok = true;
        if let Some(w) = dt.get("within").and_then(Value::as_array) {
            ok &= w[0].as_str().unwrap() <= s && e <= w[1].as_str().unwrap();
        }
        if let Some(c) = dt.get("contains").and_then(Value::as_str) {
            ok &= s <= c && c <= e;
        }
        for k in ["start", "end"] {
            if let Some(v) = dt.get(k).and_then(Value::as_str) {
                ok &= v == if k == "start" { s } else { e };
            }
        }
        if let Some(p) = dt.get("time_precision").and_then(Value::as_array) {
            ok &= p.iter().any(|x| x == &json!(got.date.time_precision));
        }
        check("date", ok, format!("{s}..{e} p{}", got.date.time_precision));
    }
    if want.get("fatalities").is_some() {
        check(
            "fatalities",
            want["fatalities"] == json!(got.fatalities),
            format!("{:?}", got.fatalities),
        );
    }
    if let Some(c) = want["count"].as_u64() {
        check(
            "count",
            Some(c as u32) == got.count,
            format!("{:?}", got.count),
        );
    }
    d
}

#[test]
fn seed_report_events() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/extract/seed-raqqa.expected.json"))
            .unwrap(),
    )
    .unwrap();
    let (_, x) = extract_seed();
    let mut used = vec![false; x.events.len()];
    let mut failures = Vec::new();
    for want in golden["events"].as_array().unwrap() {
        let matches: Vec<usize> = (0..x.events.len())
            .filter(|&i| !used[i] && differences(want, &x.events[i]).is_empty())
            .collect();
        match matches.first() {
            Some(&i) => used[i] = true,
            None => {
                let closest: Vec<String> = x
                    .events
                    .iter()
                    .map(|g| differences(want, g))
                    .min_by_key(|d| d.len())
                    .unwrap_or_default();
                failures.push(format!(
                    "{}: no event matches; closest differs in {closest:?}",
                    want["what"]
                ));
            }
        }
    }
    for (i, e) in x.events.iter().enumerate() {
        if !used[i] && e.kind == "event" {
            failures.push(format!(
                "extra incident: {} «{}»",
                e.sub_event_type, e.evidence.text
            ));
        }
    }
    // Nothing from the headline question or the boilerplate lines.
    for e in &x.events {
        assert!(
            !e.evidence.text.contains("تابعونا")
                && !e.evidence.text.contains("شاهد أيضاً")
                && !e.evidence.text.ends_with("؟!")
        );
        assert!(
            e.date.start != "2024-01-01" || e.kind == "aggregate",
            "a year in a slogan is not a date"
        );
    }
    assert!(
        !x.text.contains("تابعونا عبر فيسبوك") && !x.text.contains("شاهد أيضاً"),
        "boilerplate kept"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every field's evidence: spans are code points of the clean text and say what they claim.
#[test]
fn spans_point_into_the_clean_text() {
    let (_, x) = extract_seed();
    let chars: Vec<char> = x.text.chars().collect();
    let at = |s: [usize; 2]| chars[s[0]..s[1]].iter().collect::<String>();
    for e in &x.events {
        assert_eq!(at(e.evidence.span), e.evidence.text);
        for a in e
            .actor1
            .iter()
            .chain(e.actor2.iter())
            .chain(e.assoc_actor_1.iter())
        {
            assert_eq!(at(a.span), a.text);
        }
        if let Some(l) = &e.location {
            assert_eq!(at(l.span), l.text);
        }
        if let (Some(s), Some(t)) = (e.date.span, &e.date.text) {
            assert_eq!(&at(s), t);
        }
    }
}

/// The output validates against the project's `event.schema.json`.
#[test]
fn output_validates_against_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/event.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let (a, x) = extract_seed();
    let doc = json!({
        "article": {"id": a.id, "source": a.source, "url": a.url, "published": a.published.map(|d| d.to_string()), "lang": a.lang, "title": a.title, "text": x.text},
        "events": x.events,
    });
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(!x.events.is_empty());
}
