//! The store end to end: articles through the real extractor into a database, then read
//! back — idempotence, near copies, one event per incident, search through obfuscation,
//! whole batches or nothing.

use std::sync::{Arc, OnceLock};

use rasid_extract::{article, Article, Extraction, Extractor, ExtractorConfig};
use rasid_lexicon::Lexicon;
use rasid_store::{DedupConfig, EventQuery, NewArticle, Store, StoreError};

fn extractor() -> &'static Extractor {
    static X: OnceLock<Extractor> = OnceLock::new();
    X.get_or_init(|| {
        Extractor::new(
            Arc::new(Lexicon::bundled().unwrap()),
            ExtractorConfig::default(),
        )
    })
}

fn art(id: &str, published: &str, text: &str) -> Article {
    let mut a = article::from_txt(id, text, None);
    a.published = Some(article::parse_date(published).unwrap());
    a
}

fn ingest(store: &mut Store, arts: &[Article]) -> Result<rasid_store::BatchReport, StoreError> {
    let xs: Vec<Extraction> = arts.iter().map(|a| extractor().extract(a)).collect();
    let batch: Vec<NewArticle> = arts
        .iter()
        .zip(&xs)
        .map(|(a, x)| NewArticle {
            article: a,
            clean_text: &x.text,
            events: &x.events,
        })
        .collect();
    store.ingest(&batch, "2024-07-23T00:00:00Z")
}

fn seed() -> Article {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-raqqa.txt"),
    )
    .unwrap();
    art("seed-raqqa", "2024-07-22", &text)
}

#[test]
fn the_same_input_twice_adds_nothing() {
    let mut s = Store::open_in_memory(DedupConfig::default()).unwrap();
    let r1 = ingest(&mut s, &[seed()]).unwrap();
    assert_eq!(r1.new_articles, 1);
    assert!(r1.new_events >= 5, "{r1:?}");
    let before = s.counts().unwrap();
    let r2 = ingest(&mut s, &[seed()]).unwrap();
    assert_eq!(r2.new_articles, 0);
    assert_eq!(r2.skipped.len(), 1, "{r2:?}");
    assert!(r2.skipped[0].contains("same text"), "{r2:?}");
    assert_eq!(s.counts().unwrap(), before);
}

#[test]
fn two_reports_of_one_incident_are_one_event_with_two_sources() {
    let mut s = Store::open_in_memory(DedupConfig::default()).unwrap();
    let a = art(
        "a",
        "2024-03-05",
        "قتل خمسة جنود في هجوم شنه مسلحون من تنظيم داعش على حاجز للجيش قرب مدينة تكريت اليوم الثلاثاء.",
    );
    let b = art(
        "b",
        "2024-03-06",
        "أعلنت مصادر أمنية عراقية أن سبعة جنود قتلوا أمس الثلاثاء في هجوم لتنظيم داعش استهدف نقطة تفتيش للجيش العراقي في تكريت.",
    );
    let r = ingest(&mut s, &[a]).unwrap();
    assert_eq!(r.new_events, 1, "{r:?}");
    let r = ingest(&mut s, &[b]).unwrap();
    assert_eq!((r.new_events, r.merged_events), (0, 1), "{r:?}");
    let events = s.events(&EventQuery::default()).unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.sources.len(), 2, "{e:?}");
    assert_eq!(e.event["fatalities"], 5, "the lowest figure");
    assert_eq!(e.event["actor1"]["id"], "isis");
    let ids: Vec<&str> = e.sources.iter().map(|s| s.article.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(e.sources[1].fatalities, Some(7));
    // Another incident on another day is another event.
    let c = art(
        "c",
        "2024-03-20",
        "قتل ثلاثة جنود في هجوم شنه مسلحون من تنظيم داعش على حاجز للجيش قرب مدينة تكريت اليوم.",
    );
    let r = ingest(&mut s, &[c]).unwrap();
    assert_eq!(r.new_events, 1, "{r:?}");
}

#[test]
fn a_syndicated_copy_is_kept_as_a_near_duplicate() {
    let mut s = Store::open_in_memory(DedupConfig::default()).unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-raqqa.txt"),
    )
    .unwrap();
    let copy = art("copy", "2024-07-22", &format!("{text}\nالمصدر: وكالات"));
    ingest(&mut s, &[seed()]).unwrap();
    let (_, events_before) = s.counts().unwrap();
    let r = ingest(&mut s, &[copy]).unwrap();
    assert_eq!((r.new_articles, r.near_duplicates), (1, 1), "{r:?}");
    assert_eq!(r.new_events, 0, "its events are the same incidents: {r:?}");
    assert_eq!(s.counts().unwrap().1, events_before);
    // Search shows the story once.
    assert_eq!(s.search("الصوامع", 10).unwrap().len(), 1);
}

#[test]
fn search_sees_through_evasion_spellings() {
    let mut s = Store::open_in_memory(DedupConfig::default()).unwrap();
    ingest(&mut s, &[seed()]).unwrap();
    let other = art(
        "other",
        "2024-07-22",
        "افتتح الوزير معرضا للكتاب في عمان اليوم.",
    );
    ingest(&mut s, &[other]).unwrap();
    for q in ["تنظيم", "التنظيم", "تنـ.ـظيم", "حديقة البيضا", "قسد"]
    {
        let hits = s.search(q, 10).unwrap();
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!(hits[0].article, "seed-raqqa", "{q}");
    }
    assert!(
        s.search("معرض الكتاب داعش", 10).unwrap().is_empty(),
        "every word is required"
    );
    assert!(
        s.search("\" OR *", 10).unwrap().is_empty(),
        "operators are plain text"
    );
}

#[test]
fn filters() {
    let mut s = Store::open_in_memory(DedupConfig::default()).unwrap();
    ingest(&mut s, &[seed()]).unwrap();
    let q = |f: fn(&mut EventQuery)| {
        let mut q = EventQuery::default();
        f(&mut q);
        s.events(&q).unwrap()
    };
    let all = q(|_| {});
    assert!(all.len() >= 5);
    let sdf = q(|q| q.actor = Some("sdf".into()));
    assert!(!sdf.is_empty() && sdf.len() < all.len());
    for e in &sdf {
        assert!(e.event["actor1"]["id"] == "sdf" || e.event["actor2"]["id"] == "sdf");
    }
    let battles = q(|q| q.event_type = Some("battles".into()));
    assert!(battles.iter().all(|e| e.event["event_type"] == "Battles"));
    let aggregates = q(|q| q.kind = Some("aggregate".into()));
    assert_eq!(aggregates.len(), 1);
    let july = q(|q| {
        q.since = Some("2024-07-01".into());
        q.until = Some("2024-07-31".into());
        q.kind = Some("event".into());
    });
    assert!(july
        .iter()
        .all(|e| e.event["date"]["end"].as_str().unwrap() >= "2024-07-01"));
    let raqqa = q(|q| q.admin1 = Some("ar-raqqa".into()));
    assert!(!raqqa.is_empty());
    let placed = q(|q| q.place = Some("raqqa".into()));
    assert!(placed.len() >= raqqa.len());
}

#[test]
fn a_failing_batch_leaves_the_database_as_it_was() {
    let dir = std::env::temp_dir().join(format!("rasid-store-tx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.db");
    let _ = std::fs::remove_file(&path);
    let mut s = Store::open(&path, DedupConfig::default()).unwrap();
    ingest(&mut s, &[seed()]).unwrap();
    let before = s.counts().unwrap();
    // A poison article: the database refuses it (as a full disk or a crash would).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.ext_id = 'poison' \
         BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
    )
    .unwrap();
    let good = art(
        "good",
        "2024-07-22",
        "قتل خمسة مدنيين في قصف على مدينة إدلب اليوم.",
    );
    let poison = art(
        "poison",
        "2024-07-22",
        "قتل جنديان في هجوم على حاجز قرب درعا اليوم.",
    );
    let err = ingest(&mut s, &[good.clone(), poison]).unwrap_err();
    assert!(err.to_string().contains("poisoned"), "{err}");
    assert_eq!(s.counts().unwrap(), before, "nothing of the batch stayed");
    let r = ingest(&mut s, &[good]).unwrap();
    assert_eq!(r.new_articles, 1);
    drop(s);
    // Reopening runs no migration twice; a newer schema is refused with the file named.
    let s = Store::open(&path, DedupConfig::default()).unwrap();
    assert_eq!(s.counts().unwrap().0, before.0 + 1);
    drop(s);
    conn.pragma_update(None, "user_version", 99).unwrap();
    let err = Store::open(&path, DedupConfig::default()).err().unwrap();
    assert!(
        err.to_string().contains("t.db") && err.to_string().contains("newer"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn feed_states_are_kept_and_replaced() {
    let mut store = Store::open_in_memory(DedupConfig::default()).unwrap();
    let url = "http://127.0.0.1:1/feed.xml";
    assert_eq!(store.feed_state(url).unwrap(), None);
    let mut s = rasid_store::FeedState {
        url: url.into(),
        etag: Some("\"v1\"".into()),
        last_modified: None,
        polled_at: "2024-07-23T00:00:00Z".into(),
        status: "200: 2 items, 2 new".into(),
        ok: true,
        items: 2,
        new_items: 2,
    };
    store.save_feed_state(&s).unwrap();
    assert_eq!(store.feed_state(url).unwrap().as_ref(), Some(&s));
    s.status = "not modified".into();
    s.new_items = 0;
    store.save_feed_state(&s).unwrap();
    assert_eq!(store.feed_states().unwrap(), vec![s]);

    let mut seed = seed();
    seed.url = Some("http://127.0.0.1:1/raqqa.html".into());
    assert!(!store.has_url("http://127.0.0.1:1/raqqa.html").unwrap());
    ingest(&mut store, &[seed]).unwrap();
    assert!(store.has_url("http://127.0.0.1:1/raqqa.html").unwrap());
}

/// The ids of `q`'s events read two at a time by cursor (each cursor's token read back).
fn pages(store: &Store, q: EventQuery) -> Vec<i64> {
    use rasid_store::Cursor;
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .events(&EventQuery {
                limit: Some(2),
                after: after.clone(),
                ..q.clone()
            })
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(Cursor::after(last, q.sort));
        let token = after.as_ref().unwrap().encode();
        assert_eq!(Cursor::decode(&token).as_ref(), after.as_ref(), "{token}");
        paged.extend(page.iter().map(|e| e.id));
    }
    paged
}

#[test]
fn pages_by_cursor_bbox_timeseries_and_lookups() {
    use rasid_store::{Cursor, EventSort, GroupBy, Interval};
    let mut store = Store::open_in_memory(DedupConfig::default()).unwrap();
    ingest(&mut store, &[seed()]).unwrap();
    for sort in [EventSort::Newest, EventSort::Oldest, EventSort::Fatalities] {
        let all = store
            .events(&EventQuery {
                sort,
                ..EventQuery::default()
            })
            .unwrap();
        assert!(all.len() >= 4, "{}", all.len());
        let paged = pages(
            &store,
            EventQuery {
                sort,
                ..EventQuery::default()
            },
        );
        let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
        assert_eq!(paged, ids, "{sort:?}: pages are the whole list, in order");
        if sort == EventSort::Fatalities {
            assert_eq!(all[0].event["fatalities"], 4, "the deadliest first");
        }
    }
    assert_eq!(Cursor::decode("2024-07-22_x"), None);
    assert_eq!(Cursor::decode("'; drop_1"), None);

    // Raqqa city (39.0 E, 35.95 N) is inside this box, Deir ez-Zor's desert is not.
    let raqqa = store
        .events(&EventQuery {
            bbox: Some([38.8, 35.8, 39.2, 36.1]),
            ..EventQuery::default()
        })
        .unwrap();
    assert!(!raqqa.is_empty());
    for e in &raqqa {
        let lon = e.event["location"]["lon"].as_f64().unwrap();
        assert!((38.8..=39.2).contains(&lon), "{}", e.event);
    }

    let weeks = store
        .timeseries(&EventQuery::default(), GroupBy::EventType, Interval::Week)
        .unwrap();
    let total: u64 = weeks.iter().map(|b| b.events).sum();
    assert_eq!(total as usize, store.counts().unwrap().1);
    for b in &weeks {
        let d = jiff::civil::Date::strptime("%Y-%m-%d", &b.period).unwrap();
        assert_eq!(d.weekday(), jiff::civil::Weekday::Monday, "{b:?}");
    }
    let days = store
        .timeseries(&EventQuery::default(), GroupBy::Admin1, Interval::Day)
        .unwrap();
    assert!(days.iter().any(|b| b.key.as_deref() == Some("Ar-Raqqa")));

    let first = &store.events(&EventQuery::default()).unwrap()[0];
    let again = store.event(first.id).unwrap().unwrap();
    assert_eq!(again.event, first.event);
    assert_eq!(store.event(999_999).unwrap().map(|e| e.id), None);
    let art = store.article(first.sources[0].article_id).unwrap().unwrap();
    assert_eq!(art.article, "seed-raqqa");
    assert!(art.events.contains(&first.id));
    let [s, e] = first.sources[0].span;
    let evidence: String = art.clean_text.chars().skip(s).take(e - s).collect();
    assert_eq!(
        evidence, first.sources[0].evidence,
        "spans are code points into the clean text"
    );
    assert!(store.article(0).unwrap().is_none());
}

#[test]
fn an_actor_on_either_side_pages_in_order() {
    use rasid_store::EventSort;
    let mut store = Store::open_in_memory(DedupConfig::default()).unwrap();
    ingest(&mut store, &[seed()]).unwrap();
    let all = store.events(&EventQuery::default()).unwrap();
    let side = |e: &rasid_store::StoredEvent, k: &str| e.event[k]["id"].as_str() == Some("isis");
    // The seed has ISIS as actor 1 and as actor 2 (the army's campaign against it).
    assert!(all.iter().any(|e| side(e, "actor1")));
    assert!(all.iter().any(|e| side(e, "actor2")));
    for sort in [EventSort::Newest, EventSort::Oldest, EventSort::Fatalities] {
        let mut want: Vec<&rasid_store::StoredEvent> = all
            .iter()
            .filter(|e| side(e, "actor1") || side(e, "actor2"))
            .collect();
        want.sort_by(|a, b| match sort {
            EventSort::Newest => (&b.date_start, b.id).cmp(&(&a.date_start, a.id)),
            EventSort::Oldest => (&a.date_start, a.id).cmp(&(&b.date_start, b.id)),
            EventSort::Fatalities => {
                (b.fatalities.unwrap_or(-1), b.id).cmp(&(a.fatalities.unwrap_or(-1), a.id))
            }
        });
        let want: Vec<i64> = want.iter().map(|e| e.id).collect();
        let paged = pages(
            &store,
            EventQuery {
                actor: Some("isis".into()),
                sort,
                ..EventQuery::default()
            },
        );
        assert_eq!(paged, want, "{sort:?}");
    }
}
