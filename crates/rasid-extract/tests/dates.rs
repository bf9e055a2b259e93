//! The date table `tests/data/dates.tsv`, through one `check` helper that lists every row
//! that differs.

use rasid_extract::dates::find_dates;

#[test]
fn dates_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/dates.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut rows = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("published\t") || line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let c: Vec<&str> = line.split('\t').collect();
        let published = c[0]
            .parse()
            .unwrap_or_else(|e| panic!("dates.tsv:{}: {e}", n + 1));
        let got = find_dates(c[1], published)
            .first()
            .map(|d| format!("{} {} {}", d.start, d.end, d.precision))
            .unwrap_or_else(|| "- - -".into());
        let want = format!("{} {} {}", c[2], c[3], c[4]);
        if got != want {
            failures.push(format!(
                "dates.tsv:{}: {:?} (published {})\n    expected: {want}\n    got:      {got}",
                n + 1,
                c[1],
                c[0]
            ));
        }
    }
    assert!(rows >= 40, "only {rows} rows");
    assert!(
        failures.is_empty(),
        "{} of {rows} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The tabular Hijri calendar: 10 Muharram 1446 fell on 16 or 17 July 2024 depending on
/// the sighting; the tabular calendar may differ from it by a day.
#[test]
fn hijri_date() {
    let d = find_dates("في 10 محرم 1446 هـ", "2024-07-22".parse().unwrap());
    let d = d.first().expect("a Hijri date");
    let s = d.start.to_string();
    assert!(("2024-07-15".."2024-07-18").contains(&s.as_str()), "{s}");
}

proptest::proptest! {
    /// Any text, any publication date: no panic, spans inside the text, start ≤ end.
    #[test]
    fn never_panics(s in "\\PC{0,60}", days in 0i32..40_000) {
        let p = jiff::civil::date(1990, 1, 1).saturating_add(jiff::Span::new().days(days));
        for d in find_dates(&s, p) {
            proptest::prop_assert!(d.start <= d.end && d.span.end <= s.len());
            proptest::prop_assert!(s.is_char_boundary(d.span.start) && s.is_char_boundary(d.span.end));
        }
    }
}
