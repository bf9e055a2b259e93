//! Replay evaluation on synthetic series: the detector is run as of every day of years of
//! simulated incidents, as an analyst replaying history would, and its alerts are scored.
//!
//! * **Stationary series** (no change at all, rates from one incident a month to three a
//!   day): every alert episode is a false alarm. An episode is what a notification is:
//!   an alert whose key was not raised in the `recent_days` before.
//! * **Change points** (the rate multiplied at a known day, or a group appearing where it
//!   had none): a detection is an episode starting on the change day or within the recent
//!   window after it; its delay is the days between. Episodes before the change are false
//!   alarms of that series.
//!
//! `cargo test --release -p rasid-alerts --test replay -- --nocapture` prints the table
//! the README gives.

use jiff::civil::Date;
use jiff::ToSpan;
use rasid_alerts::{AlertConfig, Detector, Incident, Names};

/// SplitMix64: a small, fixed, seedable generator, so that the figures are the same on
/// every run.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A Poisson draw by multiplying uniforms (rates here are small).
    fn poisson(&mut self, rate: f64) -> u64 {
        let limit = (-rate).exp();
        let mut k = 0;
        let mut p = self.uniform();
        while p > limit {
            k += 1;
            p *= self.uniform();
        }
        k
    }
}

fn start() -> Date {
    "2015-01-01".parse().unwrap()
}

/// Incidents of one actor in one district, `rate(day)` a day, over `days` days; each
/// incident's fatalities are 0 (60%) or 1–5.
fn simulate(rng: &mut Rng, days: i64, rate: impl Fn(i64) -> f64) -> Vec<Incident> {
    let mut out = Vec::new();
    for d in 0..days {
        for _ in 0..rng.poisson(rate(d)) {
            let fatalities = if rng.uniform() < 0.6 {
                0
            } else {
                1 + rng.next_u64() % 5
            };
            out.push(Incident {
                id: out.len() as i64,
                date: start().checked_add(d.days()).unwrap(),
                time_precision: 1,
                event_type: "Battles".into(),
                sub_event_type: "Armed clash".into(),
                initiators: vec!["isis".into()],
                targets: Vec::new(),
                country: Some("SY".into()),
                admin1: Some("Ar-Raqqa".into()),
                admin2: Some("Ar-Raqqa".into()),
                location: None,
                fatalities,
                confidence: 0.8,
                evidence: String::new(),
            });
        }
    }
    out
}

/// The days (from `start`) on which a new alert episode begins, judged daily from `from`
/// to `to`.
fn episodes(detector: &Detector, incidents: &[Incident], from: i64, to: i64) -> Vec<i64> {
    let quiet = detector.config().recent_days as i64;
    let mut last_seen: Option<i64> = None;
    let mut starts = Vec::new();
    let mut lo = 0;
    for d in from..to {
        let as_of = start().checked_add(d.days()).unwrap();
        let first = detector.first_day(as_of);
        while lo < incidents.len() && incidents[lo].date < first {
            lo += 1;
        }
        let hi = incidents.partition_point(|i| i.date <= as_of);
        let raised = !detector.detect(&incidents[lo..hi], as_of).is_empty();
        if raised {
            if last_seen.is_none_or(|l| d - l > quiet) {
                starts.push(d);
            }
            last_seen = Some(d);
        }
    }
    starts
}

struct Row {
    label: String,
    series: usize,
    detected: usize,
    delays: Vec<i64>,
    false_alarms: usize,
    years: f64,
}

fn warm_up(config: &AlertConfig) -> i64 {
    (config.recent_days + config.baseline_days) as i64
}

/// Stationary series of a rate a day: false alarms per series-year.
fn stationary(detector: &Detector, (name, rate): (&str, f64), series: usize, seed: u64) -> Row {
    let mut rng = Rng(seed);
    let warm = warm_up(detector.config());
    let days = warm + 3 * 365;
    let mut false_alarms = 0;
    for _ in 0..series {
        let incidents = simulate(&mut rng, days, |_| rate);
        false_alarms += episodes(detector, &incidents, warm, days).len();
    }
    Row {
        label: format!("stationary, {name} a day"),
        series,
        detected: 0,
        delays: Vec::new(),
        false_alarms,
        years: series as f64 * 3.0,
    }
}

/// A rate multiplied by `factor` from a change day on.
fn change(
    detector: &Detector,
    (name, before): (&str, f64),
    after: f64,
    series: usize,
    seed: u64,
) -> Row {
    let mut rng = Rng(seed);
    let warm = warm_up(detector.config());
    let window = detector.config().recent_days as i64;
    let change = warm + 180;
    let days = change + 60;
    let mut row = Row {
        label: format!("{name} → {after} a day"),
        series,
        detected: 0,
        delays: Vec::new(),
        false_alarms: 0,
        years: 0.0,
    };
    for _ in 0..series {
        let incidents = simulate(&mut rng, days, |d| if d < change { before } else { after });
        let starts = episodes(detector, &incidents, warm, change + window);
        row.years += (change - warm) as f64 / 365.0;
        let mut found = false;
        for s in starts {
            if s < change {
                row.false_alarms += 1;
            } else if !found {
                found = true;
                row.detected += 1;
                row.delays.push(s - change);
            }
        }
    }
    row
}

fn median(v: &mut [i64]) -> Option<i64> {
    v.sort_unstable();
    (!v.is_empty()).then(|| v[v.len() / 2])
}

#[test]
fn replay_figures() {
    let detector = Detector::new(AlertConfig::default(), Names::default()).unwrap();
    // Debug builds are slow: fewer series there, the full set with --release.
    let n = if cfg!(debug_assertions) { 4 } else { 40 };
    let mut rows = Vec::new();
    let rates = [
        ("1/30", 1.0 / 30.0),
        ("1/7", 1.0 / 7.0),
        ("0.5", 0.5),
        ("1", 1.0),
        ("3", 3.0),
    ];
    for (i, rate) in rates.iter().enumerate() {
        rows.push(stationary(&detector, *rate, n, 11 + i as u64));
    }
    // Before, after, and the share of series in which the change must be found (the bar
    // for regressions: small changes of rare series are found less often, by design).
    let changes = [
        (("0", 0.0), 0.3, 0.85),
        (("1/30", 1.0 / 30.0), 0.3, 0.4),
        (("1/7", 1.0 / 7.0), 0.5, 0.3),
        (("1/7", 1.0 / 7.0), 1.0, 0.85),
        (("0.5", 0.5), 1.5, 0.8),
        (("1", 1.0), 3.0, 0.9),
    ];
    let mut bars = Vec::new();
    for (i, (before, after, bar)) in changes.iter().enumerate() {
        rows.push(change(&detector, *before, *after, n * 2, 101 + i as u64));
        bars.push(*bar);
    }

    println!("| series | n | detected | median delay (days) | false alarms per series-year |");
    println!("|---|---:|---:|---:|---:|");
    let mut total_fa = 0;
    let mut total_years = 0.0;
    let mut total_detected = 0;
    let mut total_changes = 0;
    for r in &mut rows {
        let detected = if r.label.starts_with("stationary") {
            "–".to_string()
        } else {
            total_detected += r.detected;
            total_changes += r.series;
            format!("{}/{}", r.detected, r.series)
        };
        let delay = median(&mut r.delays).map_or("–".into(), |d| d.to_string());
        total_fa += r.false_alarms;
        total_years += r.years;
        println!(
            "| {} | {} | {} | {} | {:.2} |",
            r.label,
            r.series,
            detected,
            delay,
            r.false_alarms as f64 / r.years
        );
    }
    let fa_rate = total_fa as f64 / total_years;
    let recall = total_detected as f64 / total_changes as f64;
    println!("overall: recall {recall:.2}, false alarms {fa_rate:.2} per series-year");

    // The bars the defaults are chosen for (debug builds run too few series to hold
    // them to more than the overall figures).
    assert!(recall >= 0.7, "recall {recall:.2} below 0.7");
    assert!(
        fa_rate <= 0.25,
        "false alarms {fa_rate:.2} per series-year above 0.25"
    );
    if !cfg!(debug_assertions) {
        let changed = rows.iter().filter(|r| !r.label.starts_with("stationary"));
        for (r, bar) in changed.zip(bars) {
            let share = r.detected as f64 / r.series as f64;
            assert!(
                share >= bar,
                "{}: found in {share:.2} of series, bar {bar}",
                r.label
            );
        }
    }
}
