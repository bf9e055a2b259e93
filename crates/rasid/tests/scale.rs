//! Scale-out against a real `nats-server` (JetStream) on 127.0.0.1: articles published by
//! `rasid ingest --nats`, processed by several `rasid worker` processes sharing one
//! database; a worker killed mid-run; a poison message.
//!
//! These tests need `nats-server` (Debian: `apt-get install nats-server`), and those on
//! PostgreSQL a server (see `common/mod.rs`). Without them they are skipped with a
//! message, unless `RASID_REQUIRE_SERVERS=1` (CI sets it), which turns the absence into a
//! failure.

mod common;

use common::{data, rasid};

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rasid-scale-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A throw-away JetStream server, stopped when dropped.
struct Nats {
    child: Child,
    port: u16,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nats {
    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts one, or says why the test is skipped.
    fn start(dir: &Path) -> Option<Nats> {
        let bin = [
            "nats-server",
            "/usr/sbin/nats-server",
            "/usr/bin/nats-server",
        ]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok());
        let Some(bin) = bin else {
            assert!(
                std::env::var("RASID_REQUIRE_SERVERS").is_err(),
                "nats-server is not installed, and RASID_REQUIRE_SERVERS is set"
            );
            eprintln!("skipped: nats-server is not installed (apt-get install nats-server)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = dir.join("jetstream");
        let child = Command::new(bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        let nats = Nats { child, port };
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(nats)
    }

    /// A request over the plain NATS protocol (no client library): publishes `payload`
    /// to `subject` and returns the reply, if `reply` is asked for.
    fn request(&self, subject: &str, payload: &[u8], reply: bool) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap(); // INFO
        let mut cmd = b"CONNECT {\"verbose\":false}\r\nSUB _INBOX.t 1\r\n".to_vec();
        cmd.extend(format!("PUB {subject} _INBOX.t {}\r\n", payload.len()).as_bytes());
        cmd.extend(payload);
        cmd.extend(b"\r\nPING\r\n");
        s.write_all(&cmd).unwrap();
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line.starts_with("MSG") {
                let n: usize = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
                let mut body = vec![0; n + 2];
                r.read_exact(&mut body).unwrap();
                return String::from_utf8_lossy(&body[..n]).into_owned();
            }
            if line.starts_with("PONG") && !reply {
                return String::new();
            }
        }
    }

    /// Messages in a stream.
    fn stream_messages(&self, stream: &str) -> u64 {
        let info = self.request(&format!("$JS.API.STREAM.INFO.{stream}"), b"", true);
        let v: serde_json::Value = serde_json::from_str(&info).unwrap();
        v["state"]["messages"]
            .as_u64()
            .unwrap_or_else(|| panic!("{info}"))
    }
}

/// The inputs: the Raqqa scenario and the bundled FA-KES sample (325 articles).
fn corpus() -> Vec<String> {
    vec![
        data("tests/data/alerts/raqqa-return.jsonl"),
        data("data/sample/fakes-syria-en.jsonl"),
    ]
}

/// What a database holds: the ids of the articles that report events, and the incidents,
/// each as the set of reports it groups.
fn contents(db: &str) -> (Vec<String>, BTreeMap<String, usize>) {
    let o = rasid(&[
        "events", "--db", db, "--format", "jsonl", "--limit", "100000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut events = BTreeMap::new();
    let mut articles = std::collections::BTreeSet::new();
    for line in String::from_utf8(o.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let e = &v["event"];
        let key = format!(
            "{} | {} | {} | {} | {}",
            e["event_type"],
            e["sub_event_type"],
            e["date"]["start"],
            e["location"]["admin1"],
            e["actor1"]["id"]
        );
        let _ = key;
        // The incident as the set of reports it groups (article and evidence): which report
        // came first, and so which one's fields are the canonical event's, depends on the
        // order the workers took the articles in; the grouping must not.
        let mut reports: Vec<String> = v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("{} @{:?}", s["article"].as_str().unwrap(), s["span"]))
            .collect();
        reports.sort();
        *events.entry(reports.join(" + ")).or_insert(0) += 1;
        for s in v["sources"].as_array().unwrap() {
            articles.insert(s["article"].as_str().unwrap().to_string());
        }
    }
    (articles.into_iter().collect(), events)
}

fn reference(dir: &Path) -> (Vec<String>, BTreeMap<String, usize>, String) {
    let db = dir.join("single.db");
    let mut args = vec![
        "ingest".to_string(),
        "--db".into(),
        db.to_str().unwrap().into(),
    ];
    args.extend(corpus());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, e) = contents(db.to_str().unwrap());
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    (a, e, summary)
}

fn publish(nats: &Nats) {
    let mut args = vec!["ingest".to_string(), "--nats".into(), nats.url()];
    args.extend(corpus());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Three of the sample's articles are the same text: the stream keeps one of each.
    assert!(out.contains("322 articles published, 3 already"), "{out}");
}

fn worker(nats: &Nats, db: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args(["worker", "--nats", &nats.url(), "--db", db])
        .args(["--metrics-addr", "127.0.0.1:0", "-j", "1"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rasid worker")
}

fn finish(child: Child) -> String {
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "worker failed: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn three_workers_store_every_article_and_event_once() {
    let dir = temp_dir("three");
    let db = dir.join("shared.db");
    three_workers(&dir, db.to_str().unwrap());
}

#[test]
fn three_workers_on_postgres_store_every_article_and_event_once() {
    let dir = temp_dir("three-pg");
    if let Some(db) = common::postgres_database("three") {
        three_workers(&dir, &db);
    }
}

fn three_workers(dir: &Path, db: &str) {
    let Some(nats) = Nats::start(dir) else {
        return;
    };
    let (want_articles, want_events, summary) = reference(dir);
    publish(&nats);
    // Published again: the stream drops the copies within its window.
    let mut args = vec!["ingest".to_string(), "--nats".into(), nats.url()];
    args.extend(corpus());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = rasid(&argv);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("0 articles published, 325 already"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let workers: Vec<Child> = (0..3)
        .map(|_| worker(&nats, db, &["--until-empty", "--batch", "16"]))
        .collect();
    let outs: Vec<String> = workers.into_iter().map(finish).collect();
    let messages: u64 = outs
        .iter()
        .map(|o| o.split_whitespace().next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(messages, 322, "every message processed once: {outs:?}");
    let stored: u64 = outs
        .iter()
        .map(|o| {
            o.split(", ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert!(
        summary.contains(&format!(": {stored} articles stored")),
        "as many articles stored as by one process: {stored} vs {summary}"
    );
    assert!(
        outs.iter().filter(|o| !o.starts_with("0 messages")).count() >= 2,
        "the work was shared: {outs:?}"
    );
    let (articles, events) = contents(db);
    assert_eq!(articles, want_articles, "the same articles as one process");
    // The same incidents as one process taking the articles in the order the workers
    // committed them (the store's article ids): concurrency adds no duplicate and loses
    // no report. (Which report of an incident arrives first can decide, at the margin,
    // how a chain of similar reports is grouped; the file order need not be the
    // workers' order.)
    let replayed = replay_in_commit_order(dir, db);
    same_events(&events, &replayed);
    assert_eq!(reports(&events), reports(&want_events), "every report once");
}

/// A single process ingesting the articles of `db` in the order they were stored (their
/// ids: batches are written one at a time, so ids follow the commits).
fn replay_in_commit_order(dir: &Path, db: &str) -> BTreeMap<String, usize> {
    let store = rasid_store::Store::connect(db, rasid_store::DedupConfig::default()).unwrap();
    let (n, _) = store.counts().unwrap();
    let mut lines = Vec::new();
    // (Ids of batches rolled back on PostgreSQL are skipped, not reused.)
    let mut id = 0;
    while lines.len() < n {
        id += 1;
        assert!(id <= 100 * n as i64, "{n} articles not found by id");
        let Some(a) = store.article(id).unwrap() else {
            continue;
        };
        lines.push(
            serde_json::json!({
                "id": a.article,
                "text": a.text,
                "published": a.published,
                "title": a.title,
                "lang": a.lang,
                "url": a.url,
                "source": a.source,
            })
            .to_string(),
        );
    }
    let ordered = dir.join("ordered.jsonl");
    std::fs::write(&ordered, lines.join("\n") + "\n").unwrap();
    let seq = dir.join("sequential.db");
    let _ = std::fs::remove_file(&seq);
    let o = rasid(&[
        "ingest",
        "--db",
        seq.to_str().unwrap(),
        ordered.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    contents(seq.to_str().unwrap()).1
}

/// How many reports the incidents group.
fn reports(events: &BTreeMap<String, usize>) -> usize {
    events.keys().map(|k| k.split(" + ").count()).sum()
}

/// Compares event tables, naming only what differs.
fn same_events(got: &BTreeMap<String, usize>, want: &BTreeMap<String, usize>) {
    let mut diffs = Vec::new();
    for (k, n) in want {
        if got.get(k) != Some(n) {
            diffs.push(format!("{k}: expected {n} source(s), got {:?}", got.get(k)));
        }
    }
    for (k, n) in got {
        if !want.contains_key(k) {
            diffs.push(format!("{k}: not expected, got {n} source(s)"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} of {} events differ:\n{}",
        diffs.len(),
        want.len(),
        diffs.join("\n")
    );
}

#[test]
fn a_killed_worker_s_messages_are_delivered_again() {
    let dir = temp_dir("kill");
    let db = dir.join("shared.db");
    killed_worker(&dir, db.to_str().unwrap());
}

#[test]
fn a_killed_worker_s_messages_are_delivered_again_on_postgres() {
    let dir = temp_dir("kill-pg");
    if let Some(db) = common::postgres_database("kill") {
        killed_worker(&dir, &db);
    }
}

fn killed_worker(dir: &Path, db: &str) {
    let Some(nats) = Nats::start(dir) else {
        return;
    };
    let (want_articles, want_events, _) = reference(dir);
    publish(&nats);
    // Small batches and a short ack wait: killed mid-run, its unacknowledged messages
    // come back within seconds.
    let mut doomed = worker(&nats, db, &["--batch", "4", "--ack-wait", "2"]);
    // Its health and metrics, at the address its first log line gives.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = doomed.stderr.take().unwrap();
    std::thread::spawn(move || {
        // The first line to the test, the rest drained (a closed pipe would kill it).
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let metrics = first
        .split("metrics=\"http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no metrics address in {first:?}"))
        .to_string();
    let health = http_get(&metrics, "/healthz");
    assert!(
        health.starts_with("HTTP/1.1 200") && health.ends_with("ok\n"),
        "{health}"
    );
    let t = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if stored(db) >= 40 || t.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    let page = http_get(&metrics, "/metrics");
    for name in [
        "rasid_worker_articles_total",
        "rasid_worker_messages_total",
        "rasid_worker_pending",
        "rasid_worker_articles_per_second",
        "rasid_worker_dead_letters_total",
    ] {
        assert!(
            page.contains(&format!("# TYPE {name} ")),
            "{name} missing:\n{page}"
        );
    }
    doomed.kill().unwrap(); // SIGKILL
    doomed.wait().unwrap();
    let done = stored(db);
    assert!(
        done > 0 && done < want_articles.len(),
        "killed mid-run: {done} of {} articles stored",
        want_articles.len()
    );
    let out = finish(worker(&nats, db, &["--until-empty", "--ack-wait", "2"]));
    assert!(!out.starts_with("0 messages"), "{out}");
    let (articles, events) = contents(db);
    assert_eq!(articles, want_articles, "no article lost, none twice");
    // Redelivered messages come after the others: compare with one process taking the
    // articles in the order they were committed.
    same_events(&events, &replay_in_commit_order(dir, db));
    assert_eq!(reports(&events), reports(&want_events), "every report once");
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Articles stored so far that report an event (the progress of a run).
fn stored(db: &str) -> usize {
    if !rasid_store::is_postgres_url(db) && !Path::new(db).exists() {
        return 0;
    }
    contents(db).0.len()
}

#[test]
fn a_poison_message_is_a_dead_letter_and_the_rest_go_on() {
    let dir = temp_dir("poison");
    let Some(nats) = Nats::start(&dir) else {
        return;
    };
    publish(&nats);
    // Not an article: raw bytes published straight to the stream's subject.
    let ack = nats.request("rasid.articles.broken", b"{\"id\": 7, \"text\": ", true);
    assert!(ack.contains("\"stream\":\"RASID\""), "{ack}");
    let db = dir.join("shared.db");
    let db = db.to_str().unwrap();
    let out = finish(worker(&nats, db, &["--until-empty"]));
    assert!(out.starts_with("323 messages"), "{out}");
    assert!(out.contains("1 dead letters"), "{out}");
    assert_eq!(nats.stream_messages("RASID_DEAD"), 1);
    let (articles, _) = contents(db);
    assert!(
        articles.len() > 100,
        "the good articles were stored: {}",
        articles.len()
    );
}

/// Serves one file over HTTP on 127.0.0.1 (every request gets it).
fn serve_file(path: &str, content_type: &'static str) -> String {
    let body = std::fs::read(path).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/feed.xml", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut r = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    });
    url
}

#[test]
fn watch_publishes_feed_items_for_the_workers() {
    let dir = temp_dir("watch");
    let Some(nats) = Nats::start(&dir) else {
        return;
    };
    let feed = serve_file(
        &data("tests/data/feeds/syria-ar.xml"),
        "application/rss+xml",
    );
    let feeds = dir.join("feeds.toml");
    std::fs::write(&feeds, format!("[[feed]]\nurl = \"{feed}\"\n")).unwrap();
    let state = dir.join("state.db");
    let o = rasid(&[
        "watch",
        "--once",
        "--no-follow",
        "--delay",
        "0",
        "--db",
        state.to_str().unwrap(),
        "--nats",
        &nats.url(),
        feeds.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    // One item of the fixture feed has no text of its own: named, the others go on.
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("the feed item has no text"), "{err}");
    assert!(
        out.contains("HTTP 200: 4 items, 4 new"),
        "the poll is reported: {out}"
    );
    let published: usize = out
        .lines()
        .find_map(|l| {
            l.split(" articles published")
                .next()?
                .rsplit(' ')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(published, 3, "{out}");
    assert_eq!(nats.stream_messages("RASID"), published as u64);
    let db = dir.join("shared.db");
    let db = db.to_str().unwrap();
    let done = finish(worker(&nats, db, &["--until-empty"]));
    assert!(done.starts_with(&format!("{published} messages")), "{done}");
    assert!(stored(db) >= 1, "the feed's reports are stored");
}
