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
    child.stdin.take().unwrap().write_all(stdin).unwrap();
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
