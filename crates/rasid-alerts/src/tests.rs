use super::*;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn inc(id: i64, date: &str, actor: &str, admin1: &str, admin2: &str, fatalities: u64) -> Incident {
    Incident {
        id,
        date: day(date),
        time_precision: 1,
        event_type: "Battles".into(),
        sub_event_type: "Armed clash".into(),
        initiators: vec![actor.into()],
        targets: vec!["syria-military".into()],
        country: Some("SY".into()),
        admin1: Some(admin1.into()),
        admin2: Some(admin2.into()),
        location: None,
        fatalities,
        confidence: 0.8,
        evidence: format!("evidence {id}"),
    }
}

fn detector() -> Detector {
    let mut names = Names::default();
    names
        .actors
        .insert("isis".into(), ("ISIS".into(), "داعش".into()));
    names.areas.insert("Ar-Raqqa".into(), "الرقة".into());
    Detector::new(AlertConfig::default(), names).unwrap()
}

#[test]
fn quiet_series_raise_nothing() {
    // One incident every three weeks for a year.
    let start = day("2024-01-01");
    let incidents: Vec<Incident> = (0..17)
        .map(|i| {
            let d = start.checked_add((i * 21).days()).unwrap();
            inc(i, &d.to_string(), "isis", "Ar-Raqqa", "Ar-Raqqa", 0)
        })
        .collect();
    let alerts = detector().detect(&incidents, day("2024-12-20"));
    assert!(alerts.is_empty(), "{alerts:#?}");
}

#[test]
fn a_burst_is_one_alert_with_its_numbers() {
    let mut incidents = vec![
        inc(1, "2024-03-10", "isis", "Ar-Raqqa", "Ar-Raqqa", 0),
        inc(2, "2024-05-02", "isis", "Ar-Raqqa", "Ar-Raqqa", 1),
    ];
    for (i, d) in [
        "2024-07-10",
        "2024-07-12",
        "2024-07-15",
        "2024-07-18",
        "2024-07-20",
    ]
    .iter()
    .enumerate()
    {
        incidents.push(inc(10 + i as i64, d, "isis", "Ar-Raqqa", "Ar-Raqqa", 2));
    }
    let alerts = detector().detect(&incidents, day("2024-07-22"));
    // One alert: the army, the other side of every clash, is not counted.
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a.kind(), AlertKind::Rising);
    assert_eq!(a.key, "rising:isis:SY:Ar-Raqqa");
    assert_eq!(a.finding.observed, 5);
    assert_eq!(a.finding.baseline, 2);
    // (0.5 + 2) / 180 * 14
    assert!((a.finding.expected - 2.5 / 180.0 * 14.0).abs() < 1e-9);
    assert!(a.finding.probability < 1e-3);
    assert_eq!(a.window, [day("2024-07-09"), day("2024-07-22")]);
    assert_eq!(a.event_ids, vec![10, 11, 12, 13, 14]);
    assert_eq!(a.events[0].id, 14, "equal fatalities: newest first");
    assert!(
        a.finding
            .summary_en
            .starts_with("ISIS activity in Ar-Raqqa: 5 incidents in 14 days vs 0.2 expected"),
        "{}",
        a.finding.summary_en
    );
    assert!(
        a.finding
            .summary_ar
            .starts_with("نشاط داعش في الرقة: 5 حوادث خلال 14 يوماً مقابل 0.2 متوقعة"),
        "{}",
        a.finding.summary_ar
    );
    // The district and the family series say the same: details, not alerts.
    assert!(a
        .details
        .iter()
        .any(|d| d.family.as_deref() == Some("Battles")));
    let district = a
        .details
        .iter()
        .find(|d| d.area.as_ref().unwrap().admin2.is_some())
        .expect("a district finding");
    assert!(
        district
            .summary_en
            .starts_with("ISIS activity in Ar-Raqqa district: 5 incidents"),
        "{}",
        district.summary_en
    );
    assert!(
        district.summary_ar.starts_with("نشاط داعش في منطقة الرقة:"),
        "{}",
        district.summary_ar
    );
}

#[test]
fn an_old_spike_does_not_mask_a_rise() {
    let mut incidents = Vec::new();
    // A massacre week in the baseline: 30 incidents in one week.
    for i in 0..30 {
        incidents.push(inc(i, "2024-03-05", "isis", "Ar-Raqqa", "Ar-Raqqa", 0));
    }
    incidents.push(inc(100, "2024-04-20", "isis", "Ar-Raqqa", "Ar-Raqqa", 0));
    for i in 0..6 {
        incidents.push(inc(
            200 + i,
            "2024-07-15",
            "isis",
            "Ar-Raqqa",
            "Ar-Raqqa",
            0,
        ));
    }
    let alerts = detector().detect(&incidents, day("2024-07-22"));
    let a = alerts.iter().find(|a| a.actor == "isis").expect("a rise");
    assert_eq!(a.kind(), AlertKind::Rising);
    assert_eq!(a.finding.baseline, 31);

    // Without the spike rule the massacre week would hide it.
    let config = AlertConfig {
        spike_bins: 0,
        ..AlertConfig::default()
    };
    let plain = Detector::new(config, Names::default()).unwrap();
    assert!(plain
        .detect(&incidents, day("2024-07-22"))
        .iter()
        .all(|a| a.actor != "isis"));
}

#[test]
fn first_activity_needs_two_incidents() {
    let one = vec![inc(1, "2024-07-20", "isis", "Homs", "Tadmor", 0)];
    assert!(detector().detect(&one, day("2024-07-22")).is_empty());
    let two = vec![
        inc(1, "2024-07-20", "isis", "Homs", "Tadmor", 0),
        inc(2, "2024-07-21", "isis", "Homs", "Tadmor", 0),
    ];
    let alerts = detector().detect(&two, day("2024-07-22"));
    let a = alerts.iter().find(|a| a.actor == "isis").unwrap();
    assert_eq!(a.kind(), AlertKind::FirstActivity);
    assert_eq!(a.key, "first_activity:isis:SY:Homs");
    assert_eq!(
        a.finding.summary_en,
        "First ISIS activity in Homs in 180 days: 2 incidents in the last 14 days"
    );
    assert_eq!(
        a.finding.summary_ar,
        "داعش في Homs: أول نشاط منذ 180 يوماً، حادثتان خلال 14 يوماً"
    );
}

#[test]
fn spread_to_new_districts() {
    let mut incidents = vec![inc(1, "2024-04-01", "hts", "Idleb", "Idleb", 0)];
    for (i, d) in ["Harim", "Jisr-Ash-Shugur", "Ariha", "Al Ma'ra"]
        .iter()
        .enumerate()
    {
        incidents.push(inc(10 + i as i64, "2024-07-20", "hts", "Idleb", d, 0));
    }
    let alerts = detector().detect(&incidents, day("2024-07-22"));
    let spread = alerts
        .iter()
        .find(|a| a.kind() == AlertKind::Spread && a.actor == "hts")
        .expect("spread");
    assert_eq!(spread.finding.observed, 4);
    assert_eq!(spread.event_ids, vec![10, 11, 12, 13]);
    assert_eq!(spread.key, "spread:hts");
}

#[test]
fn fatalities_are_scored_apart() {
    // Same number of incidents as the baseline rate, but far deadlier.
    let mut incidents = Vec::new();
    for w in 0..26 {
        let d = day("2024-01-10").checked_add((w * 7).days()).unwrap();
        incidents.push(inc(
            w,
            &d.to_string(),
            "isis",
            "Deir-ez-Zor",
            "Al Mayadin",
            1,
        ));
    }
    incidents.push(inc(
        100,
        "2024-07-14",
        "isis",
        "Deir-ez-Zor",
        "Al Mayadin",
        40,
    ));
    incidents.push(inc(
        101,
        "2024-07-20",
        "isis",
        "Deir-ez-Zor",
        "Al Mayadin",
        35,
    ));
    let alerts = detector().detect(&incidents, day("2024-07-22"));
    let a = alerts.iter().find(|a| a.actor == "isis").expect("an alert");
    assert_eq!(a.kind(), AlertKind::Fatalities, "{a:#?}");
    assert_eq!(a.finding.observed, 75);
    assert_eq!(a.events[0].id, 100);
}

#[test]
fn excluded_loosely_dated_and_future_incidents_are_ignored() {
    let mut incidents = Vec::new();
    for i in 0..5 {
        incidents.push(inc(
            i,
            "2024-07-20",
            "civilians",
            "Aleppo",
            "Jebel Saman",
            0,
        ));
        let mut m = inc(10 + i, "2024-07-20", "isis", "Aleppo", "Jebel Saman", 0);
        m.time_precision = 3;
        incidents.push(m);
        incidents.push(inc(20 + i, "2024-07-25", "hts", "Aleppo", "Jebel Saman", 0));
    }
    assert!(detector().detect(&incidents, day("2024-07-22")).is_empty());
}

#[test]
fn config_from_toml() {
    let c =
        AlertConfig::from_toml("[detector]\nrecent_days = 7\nmax_probability = 0.01\n").unwrap();
    assert_eq!(c.recent_days, 7);
    assert_eq!(c.baseline_days, 180);
    assert_eq!(AlertConfig::from_toml("").unwrap(), AlertConfig::default());
    let e = AlertConfig::from_toml("[detector]\nrecent_dayz = 7\n").unwrap_err();
    assert!(e.to_string().contains("recent_dayz"), "{e}");
    let f = AlertsFile::from_toml(
        "[[webhook]]\nurl = \"http://127.0.0.1:9/h\"\nkinds = [\"rising\"]\nmin_score = 3.0\n",
    )
    .unwrap();
    assert_eq!(f.webhook[0].kinds, vec![AlertKind::Rising]);
    let e = AlertsFile::from_toml("[[webhook]]\nurl = \"ftp://x\"\n").unwrap_err();
    assert!(e.to_string().contains("webhook 1"), "{e}");
    let e = AlertConfig::from_toml("[detector]\nmax_probability = 2.0\n").unwrap_err();
    assert!(e.to_string().contains("max_probability"), "{e}");
}

#[test]
fn short_names() {
    assert_eq!(short_name("Islamic State (ISIS/ISIL/Daesh)"), "ISIS");
    assert_eq!(
        short_name("Military Forces of Iran (incl. IRGC)"),
        "Military Forces of Iran"
    );
    assert_eq!(short_name("Islamic State Khorasan Province (ISKP)"), "ISKP");
    assert_eq!(short_name("Haqqani Network (Taliban)"), "Haqqani Network");
    assert_eq!(
        short_name("Syrian Democratic Forces"),
        "Syrian Democratic Forces"
    );
}

#[test]
fn a_burst_is_news_once() {
    let mut incidents = Vec::new();
    for i in 0..4 {
        incidents.push(inc(i, "2024-07-15", "isis", "Homs", "Tadmor", 0));
    }
    let d = detector();
    let a = d.detect(&incidents, day("2024-07-16")).remove(0);
    assert!(a.is_news(None, 14));
    // Told yesterday with the same count: not news.
    assert!(!a.is_news(Some((day("2024-07-15"), 4)), 14));
    // Told three weeks ago: news again.
    assert!(a.is_news(Some((day("2024-06-25"), 4)), 14));
    // The count has doubled since: news.
    assert!(a.is_news(Some((day("2024-07-15"), 2)), 14));
}

#[test]
fn targets_count_when_asked() {
    let incidents: Vec<Incident> = (0..4)
        .map(|i| inc(i, "2024-07-20", "isis", "Homs", "Tadmor", 0))
        .collect();
    let d = detector();
    assert!(d
        .detect(&incidents, day("2024-07-22"))
        .iter()
        .all(|a| a.actor == "isis"));
    let config = AlertConfig {
        count_targets: true,
        ..AlertConfig::default()
    };
    let both = Detector::new(config, Names::default()).unwrap();
    let alerts = both.detect(&incidents, day("2024-07-22"));
    assert!(
        alerts.iter().any(|a| a.actor == "syria-military"),
        "{alerts:#?}"
    );
}
