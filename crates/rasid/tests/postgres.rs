//! The same corpus on SQLite and on PostgreSQL: every command that reads or writes a
//! database (`ingest`, `events`, `search`, `export`, `alerts`, `serve`) gives the same
//! answers on both. Needs a PostgreSQL server (see `common/mod.rs`).

mod common;

use common::{data, rasid};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn ok(args: &[&str]) -> String {
    let o = rasid(args);
    assert!(
        o.status.success(),
        "rasid {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The summary line without the database's name and the time taken.
fn summary(out: &str, db: &str) -> String {
    let line = out.lines().next().unwrap_or_default();
    let line = line.strip_prefix(db).unwrap_or(line);
    line.rsplit_once(" (").map_or(line, |(s, _)| s).to_string()
}

/// Names the first line that differs.
fn same(what: &str, sqlite: &str, postgres: &str) {
    if sqlite == postgres {
        return;
    }
    let (i, (a, b)) = sqlite
        .lines()
        .chain(std::iter::repeat("<end>"))
        .zip(postgres.lines().chain(std::iter::repeat("<end>")))
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap();
    panic!(
        "{what}: line {} differs\n  SQLite:     {a}\n  PostgreSQL: {b}",
        i + 1
    );
}

#[test]
fn sqlite_and_postgres_hold_and_answer_the_same() {
    let Some(pg) = common::postgres_database("same") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("rasid-pg-same-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("same.db").to_str().unwrap().to_string();
    let corpus = [
        data("tests/data/seed-raqqa.txt"),
        data("data/sample"),
        data("tests/data/alerts/raqqa-return.jsonl"),
    ];
    let ingest = |db: &str| {
        let mut args = vec!["ingest", "--db", db, "--published", "2024-07-22"];
        args.extend(corpus.iter().map(String::as_str));
        let first = summary(&ok(&args), db);
        let again = summary(&ok(&args), db);
        (first, again)
    };
    let (s1, s2) = ingest(&sqlite);
    let (p1, p2) = ingest(&pg);
    assert!(s1.contains("new events"), "{s1}");
    same("the ingest summary", &s1, &p1);
    same("the summary of the same input again", &s2, &p2);
    assert!(
        s2.contains(": 0 articles stored"),
        "nothing added again: {s2}"
    );

    let events = |db: &str, extra: &[&str]| {
        let mut args = vec!["events", "--db", db, "--limit", "100000"];
        args.extend(extra);
        ok(&args)
    };
    let all = events(&sqlite, &["--format", "jsonl"]);
    assert!(all.lines().count() > 1000, "{} events", all.lines().count());
    let queries: &[&[&str]] = &[
        &["--format", "jsonl"],
        &["--format", "csv"],
        &["--format", "geojson"],
        &["--format", "acled"],
        &["--actor", "isis"],
        &["--actor", "sdf", "--sort", "oldest", "--format", "jsonl"],
        &["--admin1", "ALEPPO", "--format", "jsonl"],
        &[
            "--type",
            "battles",
            "--since",
            "2017-01-01",
            "--until",
            "2018-12-31",
        ],
        &["--type", "air/drone strike"],
        &["--place", "raqqa", "--sort", "fatalities"],
        &["--bbox", "38,35,40,37", "--min-confidence", "0.6"],
        &["--kind", "aggregate", "--format", "jsonl"],
    ];
    for q in queries {
        let what = format!("rasid events {}", q.join(" "));
        let (a, b) = (events(&sqlite, q), events(&pg, q));
        assert!(!a.trim().is_empty(), "{what}: nothing");
        same(&what, &a, &b);
    }
    for format in ["acled-csv", "geojson", "jsonl"] {
        let a = ok(&["export", "--db", &sqlite, "--format", format]);
        let b = ok(&["export", "--db", &pg, "--format", format]);
        same(&format!("rasid export --format {format}"), &a, &b);
    }
    // Obfuscated and plain spellings, Arabic and English, one word and several.
    for q in [
        "التـ.ـنظيم",
        "تنظيم",
        "داعش",
        "قسد الرقة",
        "Aleppo",
        "air strike",
    ] {
        let a = ok(&["search", "--db", &sqlite, q]);
        let b = ok(&["search", "--db", &pg, q]);
        assert!(
            !a.trim().is_empty() || q == "air strike",
            "search {q}: nothing"
        );
        same(&format!("rasid search {q}"), &a, &b);
    }
    for format in ["table", "jsonl"] {
        let args = |db| {
            [
                "alerts", "--db", db, "--as-of", "latest", "--format", format,
            ]
        };
        let (a, b) = (ok(&args(&sqlite)), ok(&args(&pg)));
        assert!(!a.trim().is_empty(), "no alerts");
        same(&format!("rasid alerts --format {format}"), &a, &b);
    }

    // The HTTP API over each, reading and writing.
    let token = "a-test-token-of-some-length";
    let paths = [
        "/api/events?limit=50",
        "/api/events?actor=isis&limit=20",
        "/api/stats/timeseries?group=admin1&interval=week",
        "/api/search?q=%D8%AA%D9%86%D8%B8%D9%8A%D9%85",
        "/api/alerts?as_of=2024-07-22",
        "/api/events/1",
        "/api/articles/1",
    ];
    let mut answers = Vec::new();
    for db in [&sqlite, &pg] {
        let (mut server, addr) = serve(db, token);
        let mut got: Vec<String> = paths
            .iter()
            .map(|p| http(&addr, "GET", p, "", ""))
            .collect();
        got.push(http(
            &addr,
            "POST",
            "/api/articles",
            token,
            r#"{"id":"posted-1","published":"2024-07-23","text":"قتل ثلاثة عناصر من قوات النظام في هجوم لتنظيم داعش على حاجز في بادية دير الزور أمس."}"#,
        ));
        got.push(http(&addr, "GET", "/api/events?limit=3", "", ""));
        server.kill().unwrap();
        server.wait().unwrap();
        answers.push(got);
    }
    for (i, (a, b)) in answers[0].iter().zip(&answers[1]).enumerate() {
        assert!(a.starts_with("HTTP/1.1 200"), "{a}");
        let what = paths
            .get(i)
            .copied()
            .unwrap_or("POST /api/articles, then GET");
        same(what, a, b);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rasid serve` on a free loopback port: the process and its address.
fn serve(db: &str, token: &str) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .env("RASID_TOKEN", token)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rasid serve");
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

/// The status line and body of a request (headers that vary, such as the date, left out).
fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    format!("{}\n{body}", head.lines().next().unwrap_or_default())
}
