//! One-line summaries of alerts, in English and Arabic.

/// An English count with its noun: `1 incident`, `9 incidents`.
pub(crate) fn en_count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// An Arabic count with its noun as Arabic grammar wants it: the noun alone with واحد/ة
/// for one, the dual for two, the plural for 3–10, the singular accusative for 11–99 and
/// the singular for hundreds (`حادثة واحدة`, `حادثتان`, `9 حوادث`, `14 يوماً`, `100 حادثة`).
pub(crate) fn ar_count(n: u64, noun: &ArNoun) -> String {
    match n {
        0 => format!("0 {}", noun.plural),
        1 => format!("{} {}", noun.singular, noun.one),
        2 => noun.dual.to_string(),
        _ => match n % 100 {
            3..=10 => format!("{n} {}", noun.plural),
            11..=99 => format!("{n} {}", noun.accusative),
            _ => format!("{n} {}", noun.singular),
        },
    }
}

/// The forms of an Arabic noun counted.
pub(crate) struct ArNoun {
    pub singular: &'static str,
    pub one: &'static str,
    pub dual: &'static str,
    pub plural: &'static str,
    pub accusative: &'static str,
}

pub(crate) const INCIDENT: ArNoun = ArNoun {
    singular: "حادثة",
    one: "واحدة",
    dual: "حادثتان",
    plural: "حوادث",
    accusative: "حادثة",
};

pub(crate) const DAY: ArNoun = ArNoun {
    singular: "يوم",
    one: "واحد",
    dual: "يومان",
    plural: "أيام",
    accusative: "يوماً",
};

pub(crate) const KILLED: ArNoun = ArNoun {
    singular: "قتيل",
    one: "واحد",
    dual: "قتيلان",
    plural: "قتلى",
    accusative: "قتيلاً",
};

pub(crate) const AREA: ArNoun = ArNoun {
    singular: "منطقة",
    one: "واحدة",
    dual: "منطقتان",
    plural: "مناطق",
    accusative: "منطقة",
};

/// "خلال" + a count of days: `خلال يومين` for two (the dual after a preposition).
pub(crate) fn ar_within_days(n: u64) -> String {
    if n == 2 {
        "خلال يومين".to_string()
    } else {
        format!("خلال {}", ar_count(n, &DAY))
    }
}

/// An expected figure to one decimal (`1.2`), or `<0.1`.
pub(crate) fn expected(x: f64) -> String {
    if x < 0.05 {
        "<0.1".to_string()
    } else {
        format!("{x:.1}")
    }
}

/// A probability in scientific notation with two digits (`3.1e-6`), or from its natural
/// log when it underflows.
pub(crate) fn probability(ln_p: f64) -> String {
    let p = ln_p.exp();
    if p > 0.0 {
        if p >= 0.01 {
            format!("{p:.2}")
        } else {
            format!("{p:.1e}")
        }
    } else {
        format!("1e{:.0}", ln_p / std::f64::consts::LN_10)
    }
}

/// The Arabic name of an ACLED event type (the event family), or the English one.
pub(crate) fn family_ar(family: &str) -> &str {
    match family {
        "Battles" => "معارك",
        "Explosions/Remote violence" => "انفجارات وعنف عن بعد",
        "Violence against civilians" => "عنف ضد المدنيين",
        "Protests" => "احتجاجات",
        "Riots" => "أعمال شغب",
        "Strategic developments" => "تطورات استراتيجية",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_counts_agree_with_their_number() {
        let cases = [
            (1, "حادثة واحدة"),
            (2, "حادثتان"),
            (3, "3 حوادث"),
            (10, "10 حوادث"),
            (11, "11 حادثة"),
            (99, "99 حادثة"),
            (100, "100 حادثة"),
            (103, "103 حوادث"),
            (153, "153 حادثة"),
        ];
        for (n, want) in cases {
            assert_eq!(ar_count(n, &INCIDENT), want, "n = {n}");
        }
        assert_eq!(ar_count(14, &DAY), "14 يوماً");
        assert_eq!(ar_count(7, &DAY), "7 أيام");
        assert_eq!(ar_within_days(2), "خلال يومين");
    }

    #[test]
    fn english_counts() {
        assert_eq!(en_count(1, "incident", "incidents"), "1 incident");
        assert_eq!(en_count(9, "incident", "incidents"), "9 incidents");
    }

    #[test]
    fn probabilities_print_readably() {
        assert_eq!(probability((0.25f64).ln()), "0.25");
        assert_eq!(probability((3.14e-6f64).ln()), "3.1e-6");
        assert_eq!(probability(-1000.0), "1e-434");
        assert_eq!(expected(1.23), "1.2");
        assert_eq!(expected(0.01), "<0.1");
    }
}
