//! `rasid alerts` end to end: a scenario of real-looking reports through extraction, the
//! store and the detector, checked against a hand-written expectation; and webhooks, to a
//! receiver on 127.0.0.1, delivered once across runs, retried when they fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

fn rasid(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rasid"));
    c.args(args)
        .env_remove("RASID_ALERTS")
        .env_remove("RASID_DB");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run rasid")
}

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(p)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rasid-alerts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database holding the Raqqa scenario.
fn scenario_db(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let db = dir.join("scenario.db");
    let o = rasid(
        &[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            data("alerts/raqqa-return.jsonl").to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, db)
}

fn alerts_json(db: &Path, as_of: &str) -> Vec<Value> {
    let o = rasid(
        &[
            "alerts",
            "--db",
            db.to_str().unwrap(),
            "--as-of",
            as_of,
            "--format",
            "json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap()
}

/// Compares an alert with its expectation; every difference is named.
fn check(got: &Value, want: &Value, diffs: &mut Vec<String>) {
    let key = want["key"].as_str().unwrap_or("?");
    for field in [
        "key",
        "kind",
        "actor",
        "area",
        "window",
        "baseline_window",
        "observed",
        "baseline",
        "summary_en",
        "summary_ar",
    ] {
        if got[field] != want[field] {
            diffs.push(format!(
                "{key}: {field}: expected {}, got {}",
                want[field], got[field]
            ));
        }
    }
    let (ge, we) = (got["expected"].as_f64(), want["expected"].as_f64());
    if !matches!((ge, we), (Some(g), Some(w)) if (g - w).abs() < 0.005) {
        diffs.push(format!("{key}: expected: expected {we:?}, got {ge:?}"));
    }
    let p = got["probability"].as_f64().unwrap_or(1.0);
    let bound = want["probability_below"].as_f64().unwrap();
    if p >= bound {
        diffs.push(format!("{key}: probability {p} is not below {bound}"));
    }
    let events = got["events"].as_array().cloned().unwrap_or_default();
    let wanted = want["events"].as_array().unwrap();
    if events.len() != wanted.len() {
        diffs.push(format!(
            "{key}: {} events listed, expected {}",
            events.len(),
            wanted.len()
        ));
    }
    for (i, (g, w)) in events.iter().zip(wanted).enumerate() {
        for field in ["date", "sub_event_type", "fatalities"] {
            if g[field] != w[field] {
                diffs.push(format!(
                    "{key}: event {i}: {field}: expected {}, got {}",
                    w[field], g[field]
                ));
            }
        }
        let has = w["evidence_has"].as_str().unwrap();
        if !g["evidence"].as_str().unwrap_or("").contains(has) {
            diffs.push(format!(
                "{key}: event {i}: evidence {:?} lacks {has:?}",
                g["evidence"]
            ));
        }
    }
}

#[test]
fn the_raqqa_scenario_raises_exactly_one_alert_with_its_explanation() {
    let (_dir, db) = scenario_db("scenario");
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(data("alerts/raqqa-return.expected.json")).unwrap(),
    )
    .unwrap();
    let got = alerts_json(&db, want["as_of"].as_str().unwrap());
    let wanted = want["alerts"].as_array().unwrap();
    let mut diffs = Vec::new();
    if got.len() != wanted.len() {
        diffs.push(format!(
            "{} alerts, expected {}: {:?}",
            got.len(),
            wanted.len(),
            got.iter().map(|a| &a["key"]).collect::<Vec<_>>()
        ));
    }
    for (g, w) in got.iter().zip(wanted) {
        check(g, w, &mut diffs);
    }
    for day in want["quiet_days"].as_array().unwrap() {
        let day = day.as_str().unwrap();
        let quiet = alerts_json(&db, day);
        if !quiet.is_empty() {
            diffs.push(format!(
                "as of {day}: expected no alert, got {:?}",
                quiet.iter().map(|a| &a["key"]).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn alerts_table_and_errors() {
    let (dir, db) = scenario_db("table");
    let o = rasid(
        &[
            "alerts",
            "--db",
            db.to_str().unwrap(),
            "--as-of",
            "2024-07-22",
        ],
        &[],
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("1 alerts as of 2024-07-22"), "{out}");
    assert!(out.contains("سجن الصوامع"), "the evidence is shown: {out}");

    // `latest`: the newest event's day (2024-07-21 here).
    assert_eq!(alerts_json(&db, "latest").len(), 1);

    let o = rasid(
        &[
            "alerts",
            "--db",
            db.to_str().unwrap(),
            "--as-of",
            "22/07/2024",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--as-of"));

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[detector]\nrecent_days = 0\n").unwrap();
    let o = rasid(
        &[
            "alerts",
            "--db",
            db.to_str().unwrap(),
            "--config",
            bad.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("recent_days"),
        "{err}"
    );

    let o = rasid(
        &["alerts", "--db", dir.join("none.db").to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no database"));
}

/// A body received, with its headers (names in lower case).
type Delivery = (String, Vec<(String, String)>);

/// A webhook receiver: records each POST's body and headers; the first `fail_first`
/// requests get a 500.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<Delivery>>>,
    hits: Arc<AtomicUsize>,
}

impl Hook {
    fn start(fail_first: usize) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (b, h) = (bodies.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let n = h.fetch_add(1, Ordering::SeqCst);
                receive(stream, n < fail_first, &b);
            }
        });
        Hook { url, bodies, hits }
    }

    fn delivered(&self) -> Vec<Delivery> {
        self.bodies.lock().unwrap().clone()
    }
}

fn receive(stream: TcpStream, fail: bool, bodies: &Mutex<Vec<Delivery>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let mut stream = stream;
    if fail {
        let _ = stream
            .write_all(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    bodies
        .lock()
        .unwrap()
        .push((String::from_utf8_lossy(&body).into_owned(), headers));
    let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

fn notify(db: &Path, config: &Path, as_of: &str) -> Output {
    rasid(
        &[
            "alerts",
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--as-of",
            as_of,
            "--format",
            "jsonl",
            "--notify",
        ],
        &[("HOOK_TOKEN", "hook-secret-token-1234")],
    )
}

#[test]
fn webhooks_get_each_alert_once_across_runs() {
    let (dir, db) = scenario_db("hook-once");
    let hook = Hook::start(0);
    let config = dir.join("alerts.toml");
    std::fs::write(
        &config,
        format!(
            "[[webhook]]\nurl = \"{}\"\ntoken_env = \"HOOK_TOKEN\"\n",
            hook.url
        ),
    )
    .unwrap();

    let o = notify(&db, &config, "2024-07-22");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sent = hook.delivered();
    assert_eq!(sent.len(), 1);
    let body: Value = serde_json::from_str(&sent[0].0).unwrap();
    assert_eq!(body["key"], "rising:isis:SY:Ar-Raqqa");
    assert_eq!(body["observed"], 5);
    assert!(sent[0].1.contains(&(
        "authorization".into(),
        "Bearer hook-secret-token-1234".into()
    )));
    assert!(sent[0]
        .1
        .contains(&("content-type".into(), "application/json".into())));

    // Run again, the same day and the next: a new process, nothing sent twice.
    for day in ["2024-07-22", "2024-07-23"] {
        let o = notify(&db, &config, day);
        assert!(o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("0 sent, 1 sent before"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(hook.delivered().len(), 1);

    // A webhook that wants only first activity gets nothing.
    std::fs::write(
        &config,
        format!(
            "[[webhook]]\nurl = \"{}/other\"\nkinds = [\"first_activity\"]\n",
            hook.url
        ),
    )
    .unwrap();
    assert!(notify(&db, &config, "2024-07-22").status.success());
    assert_eq!(hook.delivered().len(), 1);
}

#[test]
fn failed_webhooks_are_retried_and_then_again_next_run() {
    let (dir, db) = scenario_db("hook-retry");
    // Fails the first two attempts: the run's retries deliver it.
    let hook = Hook::start(2);
    let config = dir.join("alerts.toml");
    std::fs::write(&config, format!("[[webhook]]\nurl = \"{}\"\n", hook.url)).unwrap();
    let o = notify(&db, &config, "2024-07-22");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(hook.hits.load(Ordering::SeqCst), 3);
    assert_eq!(hook.delivered().len(), 1);

    // A receiver that is down: the run fails (exit 2, the alert named), the next one with
    // the receiver up delivers it.
    let down = Hook::start(usize::MAX);
    std::fs::write(&config, format!("[[webhook]]\nurl = \"{}\"\n", down.url)).unwrap();
    let o = notify(&db, &config, "2024-07-22");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rising:isis:SY:Ar-Raqqa") && err.contains("500"),
        "{err}"
    );
    assert!(down.delivered().is_empty());
    let o = notify(&db, &config, "2024-07-22");
    assert_eq!(o.status.code(), Some(2), "still down: tried again");
    assert!(down.hits.load(Ordering::SeqCst) >= 8);
}
