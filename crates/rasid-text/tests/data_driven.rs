//! Data-driven tests: the hand-written tables under `tests/data/` at the workspace root.
//!
//! Every table goes through one `check` helper that reads the TSV rows (with `\u{..}`,
//! `\t`, `\\` escapes), runs each case and reports every row that differs, with its file
//! and line, instead of stopping at the first.

use std::path::PathBuf;

use rasid_text::{
    candidates, CandidateConfig, Config, Level, Matcher, MatcherConfig, Normalizer, Technique,
};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

/// Undo the escapes used in the tables.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('u') if it.peek() == Some(&'{') => {
                it.next();
                let hex: String = it.by_ref().take_while(|&c| c != '}').collect();
                out.push(
                    char::from_u32(u32::from_str_radix(&hex, 16).expect("hex escape"))
                        .expect("scalar"),
                );
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn show(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || rasid_text::chars::is_format(c) {
                format!("\\u{{{:X}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Run `case` on every row of the table `name` with at least `min_cols` columns; `case`
/// returns `Err(explanation)` for a row that fails. Panics listing every failing row.
fn check(
    name: &str,
    min_cols: usize,
    min_rows: usize,
    case: impl Fn(&[String]) -> Result<(), String>,
) {
    let path = data(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut rows = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<String> = line.split('\t').map(unescape).collect();
        if cols.len() < min_cols {
            failures.push(format!(
                "{name}:{}: expected {min_cols} columns, found {}",
                i + 1,
                cols.len()
            ));
            continue;
        }
        rows += 1;
        if let Err(e) = case(&cols) {
            failures.push(format!("{name}:{}: {e}", i + 1));
        }
    }
    assert!(
        rows >= min_rows,
        "{name}: only {rows} rows, expected at least {min_rows}"
    );
    assert!(
        failures.is_empty(),
        "{} of {rows} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn normalize_table() {
    let display = Normalizer::new(Config {
        level: Level::Display,
        ..Config::default()
    });
    let matching = Normalizer::new(Config {
        level: Level::Match,
        ..Config::default()
    });
    check("normalize.tsv", 3, 150, |c| {
        let n = match c[0].as_str() {
            "display" => &display,
            "match" => &matching,
            other => return Err(format!("unknown level {other:?}")),
        };
        let expected = if c[2] == "=" {
            c[1].clone()
        } else {
            c[2].clone()
        };
        let got = n.normalize_str(&c[1]);
        if got == expected {
            Ok(())
        } else {
            Err(format!(
                "{} {}\n    input:    {}\n    expected: {}\n    got:      {}",
                c[0],
                c.get(3).map_or("", |s| s.as_str()),
                show(&c[1]),
                show(&expected),
                show(&got)
            ))
        }
    });
}

#[test]
fn candidates_table() {
    let cfg = CandidateConfig::default();
    check("candidates.tsv", 3, 50, |c| {
        let t =
            Technique::from_name(&c[0]).ok_or_else(|| format!("unknown technique {:?}", c[0]))?;
        let keys: Vec<(Technique, String)> = candidates(&c[1], &cfg)
            .into_iter()
            .map(|k| (k.technique, k.key))
            .collect();
        let want = if t == Technique::Rasm {
            rasid_text::chars::rasm_key(&c[2])
        } else {
            c[2].clone()
        };
        if keys.iter().any(|(kt, k)| *kt == t && *k == want) {
            Ok(())
        } else {
            Err(format!(
                "{} {}: no candidate {:?}; got {:?}",
                c[0],
                show(&c[1]),
                want,
                keys
            ))
        }
    });
}

#[test]
fn grep_table() {
    check("grep.tsv", 3, 60, |c| {
        let m = Matcher::new(&c[0], MatcherConfig::default()).map_err(|e| e.to_string())?;
        let got: Vec<&str> = m
            .find_all(&c[1])
            .into_iter()
            .map(|h| &c[1][h.src])
            .collect();
        let want: Vec<&str> = if c[2] == "-" {
            vec![]
        } else {
            c[2].split(" | ").collect()
        };
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "pattern {:?} in {}\n    expected: {:?}\n    got:      {:?}",
                c[0],
                show(&c[1]),
                want,
                got
            ))
        }
    });
}
