//! Feeds and pages over HTTP, end to end, against a fixture server on 127.0.0.1: feeds
//! followed to their pages, conditional GET, politeness, and servers and feeds that fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn rasid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args(args)
        .output()
        .expect("run rasid")
}

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(p)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rasid-web-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One request the server saw.
#[derive(Clone, Debug)]
struct Seen {
    at: Instant,
    path: String,
    headers: Vec<(String, String)>,
}

/// The fixture server: feeds and pages from `tests/data`, and misbehaving routes.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let (b, l) = (base.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (b, l) = (b.clone(), l.clone());
                std::thread::spawn(move || handle(stream, &b, &l));
            }
        });
        Server { base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn handle(stream: TcpStream, base: &str, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let if_none_match = header("if-none-match");
    log.lock().unwrap().push(Seen {
        at: Instant::now(),
        path: path.clone(),
        headers: headers.clone(),
    });
    let fixture = |p: &str| {
        String::from_utf8(std::fs::read(data(p)).unwrap())
            .unwrap()
            .replace("{base}", base)
            .into_bytes()
    };
    let (status, ctype, body): (u16, &str, Vec<u8>) = match path.as_str() {
        "/feeds/syria-ar.xml" if if_none_match.as_deref() == Some("\"v1\"") => {
            (304, "", Vec::new())
        }
        "/feeds/syria-ar.xml" => (200, "application/rss+xml", fixture("feeds/syria-ar.xml")),
        "/feeds/world-en.atom" => (
            200,
            "application/atom+xml; charset=utf-8",
            fixture("feeds/world-en.atom"),
        ),
        "/feeds/iraq-1256.xml" => (
            200,
            "text/xml",
            std::fs::read(data("feeds/iraq-1256.xml")).unwrap(),
        ),
        "/feeds/not-xml.xml" => (
            200,
            "application/rss+xml",
            b"<html><body><p>Service unavailable</p></body></html>".to_vec(),
        ),
        "/feeds/big.xml" => {
            let mut s = String::from(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>",
            );
            for i in 0..10_000 {
                s.push_str(&format!(
                    "<item><title>Item {i}</title><link>{base}/big/{i}</link>\
                     <description>Report number {i}: clashes were reported near Idlib.</description></item>"
                ));
            }
            s.push_str("</channel></rss>");
            (200, "application/rss+xml", s.into_bytes())
        }
        "/pages/deir-attack.html" => (
            200,
            "text/html; charset=utf-8",
            fixture("html/arabic-news.html"),
        ),
        "/pages/mosul.html" => (
            200,
            "text/html; charset=windows-1256",
            std::fs::read(data("html/legacy-1256.html")).unwrap(),
        ),
        "/pages/error.html" | "/always-500" => (500, "text/plain", b"boom".to_vec()),
        "/stall" => {
            std::thread::sleep(Duration::from_secs(6));
            return;
        }
        "/huge" => (200, "text/html", vec![b'a'; 3_000_000]),
        _ => (404, "text/plain", b"not found".to_vec()),
    };
    let mut out = stream;
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Error",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    if status == 200 {
        head.push_str(&format!("Content-Type: {ctype}\r\n"));
    }
    if path == "/feeds/syria-ar.xml" {
        head.push_str("ETag: \"v1\"\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&body);
    let _ = out.flush();
    // Drain what the client may still send, so that closing does not reset the connection.
    let _ = out.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = reader.read(&mut [0u8; 64]);
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn fast(db: &Path) -> Vec<String> {
    vec![
        "--db".into(),
        db.to_str().unwrap().into(),
        "--delay".into(),
        "0".into(),
        "--backoff".into(),
        "0.05".into(),
    ]
}

#[test]
fn a_feed_is_followed_to_its_pages_then_polled_conditionally() {
    let server = Server::start();
    let dir = temp_dir("follow");
    let db = dir.join("f.db");
    let feed = server.url("/feeds/syria-ar.xml");
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(fast(&db));
    args.push(feed.clone());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();

    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "one item fails: {out}\n{err}");
    assert!(out.contains(": 3 articles stored"), "{out}\n{err}");
    assert!(
        err.contains("/pages/error.html: HTTP 500 (after 3 attempt(s)) (an item of"),
        "the failing item is named with its feed: {err}"
    );
    assert_eq!(
        server.requests("/pages/error.html").len(),
        3,
        "a 500 is retried twice"
    );
    assert!(
        err.contains("/pages/gone.html: HTTP 404") && err.contains("the feed's own text is used"),
        "a missing page falls back to the feed's text: {err}"
    );

    // The stored articles: pages by the URL they were fetched from, with the page's metadata
    // (the windows-1256 page decoded by its HTTP charset), the fallback from the feed.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, Option<String>, Option<String>, String)> = conn
        .prepare("SELECT url, published, title, text FROM articles ORDER BY url")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let urls: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        urls,
        [
            server.url("/pages/deir-attack.html"),
            server.url("/pages/gone.html"),
            server.url("/pages/mosul.html"),
        ]
    );
    assert_eq!(rows[0].1.as_deref(), Some("2024-07-22"));
    assert!(rows[0].3.contains("قُتل أربعة عناصر من الفيلق الخامس"));
    assert!(!rows[0].3.contains("الأكثر قراءة"), "boilerplate is gone");
    assert_eq!(rows[1].1.as_deref(), Some("2024-07-23"), "the feed's date");
    assert_eq!(rows[1].2.as_deref(), Some("اشتباكات في ريف درعا الغربي"));
    assert!(rows[2].3.contains("تنظيم داعش"), "windows-1256 by header");
    let (status, etag, new_items): (String, String, i64) = conn
        .query_row(
            "SELECT status, etag, new_items FROM feeds WHERE url = ?1",
            [&feed],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(status, "HTTP 200: 4 items, 4 new");
    assert_eq!(etag, "\"v1\"");
    assert_eq!(new_items, 4);
    let events: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert!(events >= 2, "events were extracted: {events}");

    // Again: the server says 304, nothing is fetched or added.
    let before = server.log.lock().unwrap().len();
    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains(": 0 articles stored"), "{out}");
    let polls = server.requests("/feeds/syria-ar.xml");
    assert_eq!(polls.len(), 2);
    assert!(polls[1]
        .headers
        .iter()
        .any(|(k, v)| k == "if-none-match" && v == "\"v1\""));
    assert_eq!(server.log.lock().unwrap().len(), before + 1, "one request");
    let status: String = conn
        .query_row("SELECT status FROM feeds WHERE url = ?1", [&feed], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(status, "not modified");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn watch_polls_a_feeds_file_and_skips_stored_items() {
    let server = Server::start();
    let dir = temp_dir("watch");
    let db = dir.join("w.db");
    let feeds = dir.join("feeds.toml");
    std::fs::write(
        &feeds,
        format!(
            "interval = \"10m\"\n\n[[feed]]\nurl = \"{}\"\nname = \"wire\"\n\n[[feed]]\nurl = \"{}\"\n",
            server.url("/feeds/world-en.atom"),
            server.url("/feeds/iraq-1256.xml")
        ),
    )
    .unwrap();
    let mut args: Vec<String> = vec!["watch".into(), "--once".into(), "--no-follow".into()];
    args.extend(fast(&db));
    args.push(feeds.to_str().unwrap().into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("/feeds/world-en.atom: HTTP 200: 2 items, 2 new"),
        "{out}"
    );
    assert!(
        out.contains("/feeds/iraq-1256.xml: HTTP 200: 1 items, 1 new"),
        "{out}"
    );
    assert!(out.contains(" 3 articles stored"), "{out}");
    assert!(
        server.requests("/wire/aleppo-air-raid").is_empty(),
        "--no-follow"
    );

    // The windows-1256 feed is searchable in Arabic.
    let o = rasid(&["search", "--db", db.to_str().unwrap(), "--json", "كركوك"]);
    let (out, _) = text(&o);
    let hit: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(hit["published"], "2019-03-06");
    let o = rasid(&[
        "events",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
        "--admin1",
        "Aleppo",
    ]);
    let (out, _) = text(&o);
    assert!(out.contains("\"Aleppo\""), "the Atom items' events: {out}");

    // The Atom feed has no validators: polled again, its items are known and skipped.
    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("/feeds/world-en.atom: HTTP 200: 2 items, 0 new"),
        "{out}"
    );
    assert!(out.contains(" 0 articles stored"), "{out}");

    // A bad feeds file is named with its line.
    std::fs::write(&feeds, "[[feed]]\nurl = \"gopher://x\"\n").unwrap();
    let o = rasid(&argv);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("feeds.toml: feed 1 (gopher://x): url: not an http(s) URL"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failing_servers_and_feeds_are_per_item_errors_and_the_rest_is_stored() {
    let server = Server::start();
    let dir = temp_dir("bad");
    let db = dir.join("b.db");
    let good = dir.join("good.txt");
    std::fs::write(
        &good,
        "قتل ثلاثة مدنيين بقصف مدفعي على بلدة كفرنبل في ريف إدلب الجنوبي.\n",
    )
    .unwrap();
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(fast(&db));
    args.extend(
        [
            "--timeout",
            "1",
            "--retries",
            "1",
            "--max-bytes",
            "2000000",
            "--no-follow",
        ]
        .map(String::from),
    );
    for p in [
        "/stall",
        "/always-500",
        "/feeds/not-xml.xml",
        "/huge",
        "/feeds/big.xml",
    ] {
        args.push(server.url(p));
    }
    args.push(good.to_str().unwrap().into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains(&format!(
            "{}: timed out after 2 attempt(s)",
            server.url("/stall")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: HTTP 500 (after 2 attempt(s))",
            server.url("/always-500")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: not a readable RSS or Atom feed",
            server.url("/feeds/not-xml.xml")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: larger than the 2000000-byte limit",
            server.url("/huge")
        )),
        "{err}"
    );
    assert!(
        err.contains("the feed has 10000 items: the first 1000 are read, the other 9000 skipped"),
        "{err}"
    );
    // 1,000 feed items and the good file are stored.
    assert!(out.contains(": 1001 articles stored"), "{out}");
    assert!(out.contains("4 failed"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn requests_to_one_host_are_spaced_by_the_delay() {
    let server = Server::start();
    let dir = temp_dir("polite");
    let db = dir.join("p.db");
    let o = rasid(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--delay",
        "0.4",
        "--backoff",
        "0.05",
        &server.url("/feeds/syria-ar.xml"),
    ]);
    let (out, err) = text(&o);
    assert!(out.contains("articles stored"), "{out}\n{err}");
    let mut times: Vec<Instant> = server.log.lock().unwrap().iter().map(|s| s.at).collect();
    times.sort();
    assert!(times.len() >= 5, "the feed and its pages: {}", times.len());
    for w in times.windows(2) {
        // The server notes a request a little after the client sent it; allow for that.
        assert!(
            w[1] - w[0] >= Duration::from_millis(350),
            "requests {:?} apart",
            w[1] - w[0]
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn watch_judges_alerts_after_each_round() {
    let server = Server::start();
    let dir = temp_dir("watch-alerts");
    let db = dir.join("w.db");
    let feeds = dir.join("feeds.toml");
    std::fs::write(
        &feeds,
        format!(
            "[[feed]]\nurl = \"{}\"\n",
            server.url("/feeds/world-en.atom")
        ),
    )
    .unwrap();
    let alerts = dir.join("alerts.toml");
    std::fs::write(
        &alerts,
        format!("[[webhook]]\nurl = \"{}\"\n", server.url("/hook")),
    )
    .unwrap();
    let mut args: Vec<String> = vec!["watch".into(), "--once".into(), "--no-follow".into()];
    args.extend(fast(&db));
    args.extend(["--alerts".into(), alerts.to_str().unwrap().into()]);
    args.push(feeds.to_str().unwrap().into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    // The feed's items are years old: as of today nothing is rising, nothing is sent.
    assert!(
        out.contains("0 alerts as of") && out.contains("0 notifications sent"),
        "{out}"
    );
    assert!(server.requests("/hook").is_empty());

    // A broken alerts file stops watch before anything is polled, naming the file.
    std::fs::write(&alerts, "[detector]\nmax_probability = 5\n").unwrap();
    let before = server.requests("/feeds/world-en.atom").len();
    let o = rasid(&argv);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("alerts.toml") && err.contains("max_probability"),
        "{err}"
    );
    assert_eq!(server.requests("/feeds/world-en.atom").len(), before);
}
