//! The HTTP API end to end on 127.0.0.1: a database made from the seed report and a few
//! more articles, a server on a free port, and requests good and bad.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rasid_extract::{article, Extractor, ExtractorConfig};
use rasid_lexicon::Lexicon;
use rasid_server::{AppState, ServerConfig};
use rasid_store::{DedupConfig, NewArticle, Store};
use serde_json::{json, Value};

const TOKEN: &str = "test-token-0123456789abcdef";

fn extractor() -> Extractor {
    static LEX: OnceLock<Arc<Lexicon>> = OnceLock::new();
    let lex = LEX.get_or_init(|| Arc::new(Lexicon::bundled().unwrap()));
    Extractor::new(lex.clone(), ExtractorConfig::default())
}

fn seed_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rasid-api-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("api.db");
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-raqqa.txt"),
    )
    .unwrap();
    let mut a = article::from_txt("seed-raqqa", &text, None);
    a.published = article::parse_date("2024-07-22");
    let x = extractor().extract(&a);
    let mut store = Store::open(&db, DedupConfig::default()).unwrap();
    store
        .ingest(
            &[NewArticle {
                article: &a,
                clean_text: &x.text,
                events: &x.events,
            }],
            "2024-07-23T00:00:00Z",
        )
        .unwrap();
    db
}

/// A server on a free loopback port, running on its own thread.
struct Running {
    base: String,
}

fn start(db: PathBuf, token: Option<&str>, max_body: usize) -> Running {
    let config = ServerConfig {
        token: token.map(str::to_string),
        max_body,
        ..ServerConfig::new(db.to_str().unwrap())
    };
    let state = Arc::new(AppState::new(config, extractor()).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            rasid_server::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    Running {
        base: format!("http://{addr}"),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// GET: status and JSON body.
fn get(r: &Running, path: &str) -> (u16, Value) {
    let mut resp = agent().get(&format!("{}{path}", r.base)).call().unwrap();
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap();
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, v)
}

fn post(r: &Running, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = agent()
        .post(&format!("{}{path}", r.base))
        .header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn reads_events_detail_search_series_places_and_exports() {
    let r = start(seed_db("reads"), None, 1 << 20);
    let (s, health) = get(&r, "/healthz");
    assert_eq!(s, 200);
    assert_eq!(health["articles"], 1);
    assert_eq!(health["writes"], false);

    let (s, page) = get(&r, "/api/events?limit=2");
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["events"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let (_, next) = get(
        &r,
        &format!("/api/events?limit=100&cursor={}", enc(&cursor)),
    );
    let all = get(&r, "/api/events").1["events"].as_array().unwrap().len();
    assert_eq!(
        next["events"].as_array().unwrap().len(),
        all - 2,
        "the rest"
    );
    assert!(next["next_cursor"].is_null(), "last page");

    // The prison escape: the evidence in Arabic, right to left, the actors, the place and
    // the evasion spelling marked.
    let (_, raqqa) = get(
        &r,
        "/api/events?admin1=Ar-Raqqa&type=Strategic%20developments",
    );
    let escape = raqqa["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["sources"][0]["evidence"]
                .as_str()
                .unwrap()
                .contains("الصوامع")
        })
        .expect("the prison escape is an event");
    let (s, d) = get(&r, &format!("/api/events/{}", escape["id"]));
    assert_eq!(s, 200);
    let src = &d["sources"][0];
    assert_eq!(src["rtl"], true);
    let marks = src["marks"].as_array().unwrap();
    let kinds: Vec<&str> = marks.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    for k in ["actor1", "place", "repair"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let repair = marks.iter().find(|m| m["kind"] == "repair").unwrap();
    let ev: Vec<char> = src["evidence"].as_str().unwrap().chars().collect();
    let word: String = ev
        [repair["start"].as_u64().unwrap() as usize..repair["end"].as_u64().unwrap() as usize]
        .iter()
        .collect();
    assert_eq!(
        (word.as_str(), repair["label"].as_str().unwrap()),
        ("التنـ.ـظيم", "التنظيم")
    );
    let (s, art) = get(&r, &format!("/api/articles/{}", src["article_id"]));
    assert_eq!(s, 200);
    assert_eq!(art["article"], "seed-raqqa");

    let (s, hits) = get(&r, &format!("/api/search?q={}", enc("تنظيم")));
    assert_eq!(s, 200);
    let parts = &hits["hits"][0]["snippets"][0];
    assert!(
        parts
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hit"] == true && p["text"].as_str().unwrap().contains("ـ.ـ")),
        "the obfuscated spelling is the hit: {parts}"
    );

    let (s, series) = get(&r, "/api/stats/timeseries?group=admin1&interval=week");
    assert_eq!(s, 200);
    let total: u64 = series["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["events"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, all);

    let (_, actors) = get(&r, "/api/actors");
    let isis = actors
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "isis")
        .unwrap();
    assert!(isis["events"].as_u64().unwrap() >= 2);
    let (_, places) = get(&r, &format!("/api/places?q={}&limit=3", enc("الرقه")));
    assert_eq!(places[0]["admin1"], "Ar-Raqqa", "{places}");

    let mut csv = agent()
        .get(&format!("{}/api/export.csv", r.base))
        .call()
        .unwrap();
    let csv = csv.body_mut().read_to_string().unwrap();
    assert!(csv.starts_with("event_id_cnty,event_date,year,time_precision"));
    let (s, geo) = get(&r, "/api/export.geojson?admin1=Ar-Raqqa");
    assert_eq!(s, 200);
    assert_eq!(geo["type"], "FeatureCollection");

    let (s, doc) = get(&r, "/api/openapi.json");
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/events",
        "/api/events/{id}",
        "/api/search",
        "/api/stats/timeseries",
        "/api/articles",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }

    let (s, page) = get(&r, "/");
    assert_eq!(s, 200);
    assert!(page.as_str().unwrap().contains("/assets/app.js"));
}

#[test]
fn bad_requests_get_json_errors_with_the_right_status() {
    let r = start(seed_db("bad"), Some(TOKEN), 4096);
    for (path, status, needle) in [
        ("/api/events?limit=abc", 400, "limit"),
        ("/api/events?limit=0", 400, "limit: between 1 and 1000"),
        ("/api/events?since=yesterday", 400, "since: not a date"),
        ("/api/events?bbox=1,2,3", 400, "bbox"),
        ("/api/events?sort=random", 400, "sort"),
        ("/api/events?cursor=x", 400, "cursor"),
        ("/api/events?nope=1", 400, "unknown field `nope`"),
        ("/api/events?min_confidence=2", 400, "min_confidence"),
        ("/api/stats/timeseries?group=colour", 400, "group"),
        ("/api/search", 400, "q"),
        ("/api/places?q=x&limit=500", 400, "limit"),
        ("/api/events/abc", 400, "abc"),
        ("/api/events/424242", 404, "no event 424242"),
        ("/api/articles/424242", 404, "no article 424242"),
        ("/api/nowhere", 404, "/api/nowhere"),
    ] {
        let (s, body) = get(&r, path);
        assert_eq!(s, status, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(needle),
            "{path}: {body}"
        );
    }
    let long = format!("/api/events?place={}", "a".repeat(5000));
    assert_eq!(get(&r, &long).0, 414);
    // SQL in a parameter is a value, nothing more.
    let (s, body) = get(&r, &format!("/api/events?actor={}", enc("isis' OR '1'='1")));
    assert_eq!((s, body["events"].as_array().unwrap().len()), (200, 0));
    let (_, health) = get(&r, "/healthz");
    assert_eq!(health["articles"], 1);

    // Writes: no token, a wrong one, an oversize body, a bad article.
    let one = json!({"id": "w1", "text": "قتل مدنيان بقصف على بلدة كفرنبل في ريف إدلب.", "published": "2024-07-24"});
    assert_eq!(post(&r, "/api/articles", None, &one.to_string()).0, 401);
    assert_eq!(
        post(
            &r,
            "/api/articles",
            Some("wrong-token-0123456789ab"),
            &one.to_string()
        )
        .0,
        401
    );
    let big = json!({"id": "big", "text": "x".repeat(10_000)});
    let (s, body) = post(&r, "/api/articles", Some(TOKEN), &big.to_string());
    assert_eq!(s, 413, "{body}");
    let (s, body) = post(&r, "/api/articles", Some(TOKEN), r#"{"id": "x"}"#);
    assert_eq!(s, 400);
    assert!(body["detail"].as_str().unwrap().contains("text"), "{body}");
    let (s, body) = post(&r, "/api/articles", Some(TOKEN), "{not json");
    assert_eq!(s, 400, "{body}");
    assert_eq!(get(&r, "/healthz").1["articles"], 1, "nothing stored");

    // A good write returns the events found; an article with markup is stored as text.
    let (s, body) = post(&r, "/api/articles", Some(TOKEN), &one.to_string());
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["new_articles"], 1);
    assert!(
        !body["articles"][0]["events"].as_array().unwrap().is_empty(),
        "{body}"
    );
    let xss = json!([{"id": "xss", "text": "<script>alert(1)</script> قتل ثلاثة مدنيين بقصف على مدينة إدلب.", "published": "2024-07-25"}]);
    let (s, _) = post(&r, "/api/articles", Some(TOKEN), &xss.to_string());
    assert_eq!(s, 200);
    let (_, again) = post(&r, "/api/articles", Some(TOKEN), &one.to_string());
    assert_eq!(again["new_articles"], 0);
    assert_eq!(again["already_stored"].as_array().unwrap().len(), 1);
}

#[test]
fn writes_are_disabled_without_a_token() {
    let r = start(seed_db("notoken"), None, 1 << 20);
    let (s, body) = post(&r, "/api/articles", Some(TOKEN), r#"{"id":"a","text":"b"}"#);
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["error"], "writes disabled");
}

#[test]
fn reads_go_on_while_an_ingest_writes() {
    let db = seed_db("wal");
    let r = start(db.clone(), None, 1 << 20);
    let writer = std::thread::spawn(move || {
        let mut store = Store::open(&db, DedupConfig::default()).unwrap();
        let x = extractor();
        for i in 0..40 {
            let a = article::from_txt(
                &format!("w{i}"),
                &format!("قتل {} مدنيين بقصف جوي على بلدة معرة النعمان في ريف إدلب الجنوبي اليوم، رقم {i}.", i % 9 + 2),
                None,
            );
            let e = x.extract(&a);
            store
                .ingest(
                    &[NewArticle {
                        article: &a,
                        clean_text: &e.text,
                        events: &e.events,
                    }],
                    "2024-07-23T00:00:00Z",
                )
                .unwrap();
        }
    });
    let mut answered = 0;
    while !writer.is_finished() || answered < 20 {
        let (s, body) = get(&r, "/api/events?limit=50");
        assert_eq!(s, 200, "{body}");
        answered += 1;
    }
    writer.join().unwrap();
    assert_eq!(get(&r, "/healthz").1["articles"], 41);
}

#[test]
fn alerts_as_of_a_day() {
    let r = start(seed_db("alerts"), None, 1 << 20);
    // The seed report's two ISIS incidents in Ar-Raqqa, where the six months before had
    // none: first activity.
    let (status, body) = get(&r, "/api/alerts?as_of=2024-07-22");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], "2024-07-22");
    assert_eq!(body["recent_days"], 14);
    let alerts = body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{body}");
    let a = &alerts[0];
    assert_eq!(a["key"], "first_activity:isis:SY:Ar-Raqqa");
    assert_eq!(a["kind"], "first_activity");
    assert_eq!(a["area"]["admin1"], "Ar-Raqqa");
    assert_eq!(a["observed"], 2);
    assert_eq!(a["window"], json!(["2024-07-09", "2024-07-22"]));
    assert!(a["summary_ar"].as_str().unwrap().contains("الرقة"), "{a}");
    assert_eq!(a["event_ids"].as_array().unwrap().len(), 2);
    let evidence = a["events"][0]["evidence"].as_str().unwrap();
    assert!(evidence.contains("الصوامع"), "{evidence}");
    // `latest` is the newest event's day; a month later the window is empty.
    let (_, latest) = get(&r, "/api/alerts?as_of=latest");
    assert_eq!(latest["as_of"], "2024-07-22");
    let (_, later) = get(&r, "/api/alerts?as_of=2024-08-30");
    assert_eq!(later["alerts"], json!([]));
    // Bad days and unknown parameters are 400s that say what is wrong.
    let (status, err) = get(&r, "/api/alerts?as_of=yesterday");
    assert_eq!(status, 400);
    assert!(err["detail"].as_str().unwrap().contains("as_of"), "{err}");
    let (status, _) = get(&r, "/api/alerts?asof=2024-07-22");
    assert_eq!(status, 400);
}
