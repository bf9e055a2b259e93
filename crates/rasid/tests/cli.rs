//! End-to-end tests of the `rasid` binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn rasid(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rasid");
    // A command may exit (a bad pattern, a missing database) before reading its input.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn seed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-raqqa.txt")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn grep_finds_the_issue_example() {
    let o = rasid(&["grep", "تنظيم"], "خلايا التـ.ـنظيم\n".as_bytes());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "خلايا التـ.ـنظيم\n");
}

#[test]
fn grep_exit_codes() {
    assert_eq!(
        rasid(&["grep", "داعش"], "لا شيء هنا\n".as_bytes())
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        rasid(&["grep", "داعش", "/nonexistent/file"], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(rasid(&["grep", " "], b"x\n").status.code(), Some(2));
}

#[test]
fn every_seed_spelling_is_found_with_positions() {
    let o = rasid(&["grep", "--json", "تنظيم", seed().to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(seed()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for l in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        for k in ["path", "line", "start", "end", "text", "technique"] {
            assert!(v.get(k).is_some(), "missing {k} in {l}");
        }
        let line = lines[v["line"].as_u64().unwrap() as usize - 1];
        let chars: Vec<char> = line.chars().collect();
        let (s, e) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        let at: String = chars[s..e].iter().collect();
        assert_eq!(at, v["text"].as_str().unwrap(), "code-point span of {l}");
        found.push(at);
    }
    for spelling in ["تنـ.ـظيم", "تنظـ.ـيم", "تـ.ـنظيم", "تنــ.ـظيم", "تنـ.ـظيم"]
    {
        assert!(
            found.iter().any(|f| f == spelling),
            "{spelling} not found in {found:?}"
        );
    }
    // Every obfuscated mention in the seed: 15 of them, plus the plain one.
    let expected = text.matches("ـ.ـ").count() + text.matches("تنظيم").count();
    assert_eq!(found.len(), expected, "{found:?}");
}

#[test]
fn count_and_paths() {
    let o = rasid(&["grep", "-c", "قسد", seed().to_str().unwrap()], b"");
    assert_eq!(stdout(&o).trim(), "6");
    let s = seed();
    let o = rasid(
        &["grep", "-c", "قسد", s.to_str().unwrap(), "-"],
        "قسد\n".as_bytes(),
    );
    let out = stdout(&o);
    assert!(out.contains("seed-raqqa.txt:6"), "{out}");
    assert!(out.contains("<stdin>:1"), "{out}");
}

#[test]
fn normalize_levels() {
    let o = rasid(&["normalize"], "عودة “تنـ.ـظيم الدولة” رسمياً\n".as_bytes());
    assert_eq!(stdout(&o), "عودة “تنظيم الدولة” رسمياً\n");
    let o = rasid(
        &["normalize", "--level", "match"],
        "أعلن التنظيم مسؤوليته عن ١٥٣ هجوماً\n".as_bytes(),
    );
    assert_eq!(stdout(&o), "اعلن التنظيم مسؤوليته عن 153 هجوما\n");
}

#[test]
fn invalid_utf8_is_reported_with_file_line_and_offset() {
    let dir = std::env::temp_dir().join(format!("rasid-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.txt");
    std::fs::write(
        &f,
        b"\xd8\xaa\xd9\x86\xd9\x80.\xd9\x80\xd8\xb8\xd9\x8a\xd9\x85\nok \xff line\nlast\n",
    )
    .unwrap();
    let o = rasid(&["normalize", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "تنظيم\nlast\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.txt") && err.contains("line 2") && err.contains("byte offset 19"),
        "{err}"
    );
    let o = rasid(&["normalize", "--lossy", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "تنظيم\nok \u{FFFD} line\nlast\n");
    let o = rasid(&["grep", "line", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn help_everywhere() {
    for args in [
        &["--help"][..],
        &["normalize", "--help"],
        &["grep", "--help"],
    ] {
        let o = rasid(args, b"");
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(stdout(&o).contains("Usage"));
    }
}

fn entities(args: &[&str], stdin: &[u8]) -> Vec<serde_json::Value> {
    let o = rasid(args, stdin);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The lexicon issue's acceptance list, on the seed report as one document.
#[test]
fn entities_on_the_seed_report() {
    let docs = entities(&["entities", seed().to_str().unwrap()], b"");
    assert_eq!(docs.len(), 1);
    let text = std::fs::read_to_string(seed()).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let ents = docs[0]["entities"].as_array().unwrap();
    let has = |kind: &str, id: &str, surface: &str| {
        ents.iter().any(|e| {
            e["kind"] == kind
                && e["id"] == id
                && e["text"].as_str().is_some_and(|t| t.contains(surface))
        })
    };
    // Every spelling of the group, obfuscated or generic, is ISIS, at its exact span.
    let isis: Vec<(usize, usize)> = ents
        .iter()
        .filter(|e| e["kind"] == "actor" && e["id"] == "isis")
        .map(|e| {
            (
                e["span"][0].as_u64().unwrap() as usize,
                e["span"][1].as_u64().unwrap() as usize,
            )
        })
        .collect();
    for (s, e) in &isis {
        let at: String = chars[*s..*e].iter().collect();
        assert!(
            at.contains("ظيم") || at.contains("ـ"),
            "span {s}..{e} is {at:?}"
        );
    }
    let obfuscated = text.matches("ـ.ـ").count();
    assert!(
        isis.len() >= obfuscated,
        "{} ISIS mentions for {obfuscated} obfuscated spellings",
        isis.len()
    );
    assert!(has("actor", "sdf", "قسد"));
    assert!(has("actor", "syria-fifth-corps", "الفيلق الخامس"));
    assert!(has("actor", "syria-military", "الجيش السوري"));
    assert!(has("actor", "russia-military", "الطائرات الروسية"));
    let place = |surface: &str, feature: &str, admin1: Option<&str>| {
        ents.iter().any(|e| {
            e["kind"] == "place"
                && e["text"].as_str().is_some_and(|t| t.contains(surface))
                && e["feature"] == feature
                && admin1.is_none_or(|a| e["admin1"] == a)
        })
    };
    assert!(place("الرقة", "city", Some("Ar-Raqqa")));
    assert!(place("البيضا", "landmark", Some("Ar-Raqqa")));
    assert!(place("بادية دير الزور", "region", Some("Deir-ez-Zor")));
    assert!(place("ريف حمص الشرقي", "region", Some("Homs")));
    assert!(place("الحدود السورية العراقية", "border", None));
    assert!(place("سجن الصوامع", "prison", Some("Ar-Raqqa")));
    // The Fifth Corps' table row names its parent.
    let o = rasid(
        &["entities", "--format", "table", "--kind", "actor"],
        "هاجمت خلايا داعش نقطة للفيلق الخامس\n".as_bytes(),
    );
    assert!(stdout(&o).contains("→ syria-military"), "{}", stdout(&o));
}

#[test]
fn entities_per_line_with_user_lexicon() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/lexicon-user");
    let out = entities(
        &[
            "entities",
            "--lines",
            "--lexicon",
            dir.to_str().unwrap(),
            "--kind",
            "actor",
        ],
        "لا شيء هنا\nاشتبك عناصر لواء التجربة مع قسد\n".as_bytes(),
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["line"], 1);
    assert!(out[0]["entities"].as_array().unwrap().is_empty());
    let ids: Vec<&str> = out[1]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["liwa-al-test-brigade", "sdf"]);
}

#[test]
fn lexicon_check_names_file_and_line() {
    let bad = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/lexicon-bad");
    let o = rasid(&["lexicon", "check", bad.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("broken.toml:8: duplicate actor id \"dup-actor\""),
        "{out}"
    );
    assert!(
        out.contains("broken.toml:32: place \"user:nowhere\": bad coordinates"),
        "{out}"
    );
    let good = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/lexicon-user");
    let o = rasid(&["lexicon", "check", good.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn extract_reads_gzip_jsonl_in_order_and_names_bad_lines() {
    use std::io::Write as _;
    let dir = std::env::temp_dir().join(format!("rasid-extract-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pool.jsonl.gz");
    let mut lines = String::new();
    for i in 0..1100 {
        lines.push_str(&format!(
            "{{\"id\":\"a{i}\",\"date\":\"2024-07-22\",\"text\":\"قتل {} مدنيين في قصف على الرقة أمس.\"}}\n",
            i % 7 + 2
        ));
        if i == 600 {
            lines.push_str("{\"id\": \"broken\"\n");
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.as_bytes()).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let o = rasid(
        &[
            "extract",
            "-j",
            "2",
            "--format",
            "jsonl",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "a bad line makes the exit status 2"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pool.jsonl.gz:602"),
        "stderr names file and line: {err}"
    );
    let ids: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["article"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    let want: Vec<String> = (0..1100).map(|i| format!("a{i}")).collect();
    assert_eq!(ids, want, "every article once, in input order");
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["events"][0]["fatalities"], 2, "{first}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn labelled_corpora_are_scored() {
    let dir = std::env::temp_dir().join(format!("rasid-eval-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sentences = dir.join("gsr.jsonl");
    std::fs::write(
        &sentences,
        concat!(
            r#"{"id":"s1","date":"2008-01-10","category":"ASSAULT","text":"قتل خمسة جنود في هجوم شنه مسلحون من تنظيم داعش على حاجز قرب مدينة تكريت.","events":[{"source_text":"مسلحون من تنظيم داعش","target_text":"جنود"}]}"#,
            "\n",
            r#"{"id":"s2","date":"2008-01-10","category":"PROTEST","text":"تظاهر مئات الطلاب أمس أمام مبنى البرلمان في بغداد.","events":[]}"#,
            "\n",
            r#"{"id":"s3","date":"2008-01-10","category":"PROTEST","text":"وصل الوزير إلى بغداد أمس.","events":[]}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = rasid(&["eval-sentences", sentences.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("type family accuracy: 0.667 (2/3)"), "{out}");
    assert!(out.contains("1 without any incident"), "{out}");
    let articles = dir.join("fakes.jsonl");
    std::fs::write(
        &articles,
        concat!(
            r#"{"id":"f1","date":"2016-07-02","fakes_location":"aleppo","text":"At least 16 civilians were killed on Friday in an air raid by Syrian regime warplanes on the city of Aleppo."}"#,
            "\n",
            r#"{"id":"f2","date":"2016-07-02","fakes_location":"damascus","text":"Regime air strikes killed 12 people in Douma in the Eastern Ghouta on Friday."}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = rasid(&["eval-admin1", articles.to_str().unwrap()], b"");
    assert!(stdout(&o).contains("label: 0.500 (1/2)"), "{}", stdout(&o));
    let o = rasid(
        &[
            "eval-admin1",
            "--alias",
            "damascus=Rural Damascus",
            articles.to_str().unwrap(),
        ],
        b"",
    );
    assert!(stdout(&o).contains("label: 1.000 (2/2)"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rasid-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ingest_events_search_and_exports_read_back() {
    let dir = temp_dir("store");
    let db = dir.join("r.db");
    let db = db.to_str().unwrap();
    let pool = dir.join("more.jsonl");
    std::fs::write(
        &pool,
        concat!(
            r#"{"id":"x1","date":"2024-07-23","source":"site-a","text":"قتل أربعة عناصر من الفيلق الخامس أمس في هجوم شنه مسلحون يعتقد أنهم من خلايا تنظيم داعش على نقطة عسكرية في بادية دير الزور."}"#,
            "\n",
            "{not json\n",
            r#"{"id":"x2","date":"2024-07-23","text":""}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = rasid(
        &[
            "ingest",
            "--db",
            db,
            "--published",
            "2024-07-22",
            seed().to_str().unwrap(),
            pool.to_str().unwrap(),
        ],
        b"",
    );
    let out = stdout(&o);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(
        o.status.code(),
        Some(2),
        "failures make status 2: {out}{err}"
    );
    assert!(
        out.contains("2 articles stored") && out.contains("2 failed"),
        "{out}"
    );
    assert!(
        err.contains("more.jsonl:2") && err.contains("x2: empty article"),
        "{err}"
    );
    // Again: nothing new.
    let o = rasid(
        &[
            "ingest",
            "--db",
            db,
            "--published",
            "2024-07-22",
            seed().to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        stdout(&o).contains("0 articles stored") && stdout(&o).contains("1 already there"),
        "{}",
        stdout(&o)
    );

    let o = rasid(
        &["events", "--db", db, "--actor", "isis", "--format", "jsonl"],
        b"",
    );
    assert_eq!(o.status.code(), Some(0));
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() >= 4, "{}", stdout(&o));
    // The desert attack told by the seed report (about two weeks before) and the one of
    // x1 (yesterday) are two incidents; each event lists its own sources.
    for e in &events {
        assert!(!e["sources"].as_array().unwrap().is_empty());
    }
    let o = rasid(&["events", "--db", db, "--admin1", "Ar-Raqqa"], b"");
    assert!(stdout(&o).contains("al-Sawami"), "{}", stdout(&o));

    let o = rasid(&["search", "--db", db, "--json", "التـ.ـنظيم"], b"");
    assert_eq!(o.status.code(), Some(0));
    let hit: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(hit["article"], "seed-raqqa");
    assert!(hit["snippets"][0].as_str().unwrap().contains('«'));
    let o = rasid(&["search", "--db", db, "كلمةغيرموجودة"], b"");
    assert_eq!(o.status.code(), Some(1), "no hit: status 1");

    // ACLED CSV: ACLED's header, one row per incident dated to the month or better.
    let csv_path = dir.join("events.csv");
    let o = rasid(
        &[
            "export",
            "--db",
            db,
            "--format",
            "acled-csv",
            "--out",
            csv_path.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..8],
        [
            "event_id_cnty",
            "event_date",
            "year",
            "time_precision",
            "disorder_type",
            "event_type",
            "sub_event_type",
            "actor1"
        ]
    );
    assert_eq!(header.len(), 31);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(rows.len() >= 4);
    for row in &rows {
        assert_eq!(row.len(), 31);
        assert!(matches!(&row[3], "1" | "2" | "3"), "{row:?}");
        assert_ne!(
            &row[1][..4],
            "2017",
            "precision-4 events (late 2017) are left out: {row:?}"
        );
    }
    // GeoJSON: a FeatureCollection of points, [lon, lat].
    let o = rasid(&["export", "--db", db, "--format", "geojson"], b"");
    let g: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let f = &g["features"][0];
    assert_eq!(f["geometry"]["type"], "Point");
    let lon = f["geometry"]["coordinates"][0].as_f64().unwrap();
    let lat = f["geometry"]["coordinates"][1].as_f64().unwrap();
    assert!(
        (35.0..43.0).contains(&lon) && (32.0..38.0).contains(&lat),
        "Syria, lon first: {f}"
    );

    // Reading commands never create a database.
    let missing = dir.join("missing.db");
    let o = rasid(&["events", "--db", missing.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.db"));
    assert!(!missing.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killing_an_ingest_loses_no_committed_batch_and_corrupts_nothing() {
    let dir = temp_dir("kill");
    let db = dir.join("k.db");
    let input = dir.join("many.jsonl");
    let mut lines = String::new();
    let places = [
        "حلب",
        "إدلب",
        "درعا",
        "حمص",
        "الرقة",
        "دير الزور",
        "حماة",
        "اللاذقية",
    ];
    for i in 0..6000 {
        lines.push_str(&format!(
            "{{\"id\":\"k{i}\",\"date\":\"2024-07-{:02}\",\"text\":\"قتل {} مدنيين في قصف على مدينة {} صباح اليوم وفق مصادر محلية، رقم البلاغ {i}.\"}}\n",
            1 + i % 28,
            2 + i % 9,
            places[i % places.len()]
        ));
    }
    std::fs::write(&input, lines).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args([
            "ingest",
            "--db",
            db.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first committed batch, then kill without warning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let n: i64 = rusqlite::Connection::open(&db)
            .ok()
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
                    .ok()
            })
            .unwrap_or(0);
        if n > 0 {
            break;
        }
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no batch committed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let articles: i64 = c
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert!(
        articles > 0 && articles % 512 == 0 || articles == 6000,
        "whole batches only: {articles}"
    );
    let orphans: i64 = c
        .query_row(
            "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = e.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "every event has a source");
    drop(c);
    // The rerun completes the job and adds nothing twice.
    let o = rasid(
        &[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let articles: i64 = c
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(articles, 6000);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn html_pages_are_cleaned_and_ingested() {
    let html = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/html");
    let o = rasid(
        &[
            "clean",
            "--format",
            "json",
            html.join("legacy-1256.html").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["published"], "2019-03-04");
    assert!(
        v["text"].as_str().unwrap().contains("تنظيم داعش"),
        "windows-1256 decoded: {v}"
    );
    let dir = temp_dir("html");
    let db = dir.join("h.db");
    let o = rasid(
        &[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            html.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout(&o).contains("3 articles stored"),
        "the .json files beside the pages are not articles: {}",
        stdout(&o)
    );
    let o = rasid(
        &["search", "--db", db.to_str().unwrap(), "--json", "الزنجيلي"],
        b"",
    );
    let hit: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(hit["article"], "legacy-1256");
    assert_eq!(hit["published"], "2019-03-04");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_200_mb_file_is_refused_by_name_and_the_rest_is_stored() {
    let dir = temp_dir("huge");
    let huge = dir.join("huge.txt");
    // Sparse: 200 MB of nothing, without writing them.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let db = dir.join("h.db");
    let o = rasid(
        &[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            "--published",
            "2024-07-22",
            huge.to_str().unwrap(),
            seed().to_str().unwrap(),
        ],
        b"",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("huge.txt: larger than 16 MB, the limit for one article or page"),
        "{err}"
    );
    assert!(stdout(&o).contains(": 1 articles stored"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `eval-ner` reads every nesting layer of a Wojood-style file: the town inside the
/// municipality's name is a place the lexicon must find, and finds.
#[test]
fn eval_ner_reads_nested_layers() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/ner/nested.conll");
    let o = rasid(&["eval-ner", file.to_str().unwrap()], b"");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    let loc = out
        .lines()
        .find(|l| l.starts_with("LOC:"))
        .expect("a LOC line");
    assert!(loc.contains("(tp 3, fp 0, fn 0)"), "{out}");
}
