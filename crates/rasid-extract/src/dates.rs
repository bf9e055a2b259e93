//! Dates in news text, resolved against the article's publication date.
//!
//! Relative expressions (اليوم، أمس، فجر الاثنين، الأسبوع الماضي، نهاية الأسبوع الفائت،
//! قبل نحو أسبوعين، قبل أسابيع، أواخر عام 2017، خلال الأشهر الستة الأولى من العام; today,
//! last week, two weeks ago, late 2017), explicit dates in digits or with Gregorian or Hijri
//! month names, each with a range and ACLED's time precision (1 day, 2 a few days or a
//! week, 3 a month) or 4 (coarser). Pure: the publication date is passed in; the clock is
//! never read.
//!
//! Matching runs on the match-level view of the text (one alef, ة → ه, ى → ي, ASCII
//! digits, no diacritics or tatweel), and spans are mapped back to the original. A bare
//! year ("لن ننسى أسرانا 2024") is not a date: a year counts after عام/سنة/in or with a
//! month.

use std::ops::Range;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use regex::Regex;

/// A date expression and the period it denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateExpr {
    /// First day of the period.
    pub start: Date,
    /// Last day of the period (inclusive).
    pub end: Date,
    /// 1 day, 2 a few days or a week, 3 a month, 4 coarser (ACLED's 1–3, plus our 4).
    pub precision: u8,
    /// Byte range in the original text.
    pub span: Range<usize>,
    /// The original text there.
    pub text: String,
}

fn days(d: Date, n: i64) -> Date {
    d.saturating_add(n.days())
}

fn months(d: Date, n: i64) -> Date {
    d.saturating_add(n.months())
}

fn ymd(y: i64, m: i64, d: i64) -> Option<Date> {
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// Monday of the week holding `d`.
fn monday(d: Date) -> Date {
    days(d, -(d.weekday().to_monday_zero_offset() as i64))
}

const AR_WEEKDAYS: [(&str, Weekday); 7] = [
    ("الاثنين", Weekday::Monday),
    ("الثلاثاء", Weekday::Tuesday),
    ("الاربعاء", Weekday::Wednesday),
    ("الخميس", Weekday::Thursday),
    ("الجمعه", Weekday::Friday),
    ("السبت", Weekday::Saturday),
    ("الاحد", Weekday::Sunday),
];
const EN_WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

/// Gregorian month names at match level: Levantine, Egyptian/Gulf, English.
const MONTHS: [&[&str]; 12] = [
    &["كانون الثاني", "يناير", "january", "jan"],
    &["شباط", "فبراير", "february", "feb"],
    &["اذار", "مارس", "march"],
    &["نيسان", "ابريل", "april", "apr"],
    &["ايار", "مايو", "may"],
    &["حزيران", "يونيو", "يونيه", "june", "jun"],
    &["تموز", "يوليو", "يوليه", "july", "jul"],
    &["اب", "اغسطس", "أغسطس", "august", "aug"],
    &["ايلول", "سبتمبر", "september", "sept", "sep"],
    &["تشرين الاول", "اكتوبر", "october", "oct"],
    &["تشرين الثاني", "نوفمبر", "november", "nov"],
    &["كانون الاول", "ديسمبر", "december", "dec"],
];

/// Hijri month names at match level.
const HIJRI: [&[&str]; 12] = [
    &["محرم"],
    &["صفر"],
    &["ربيع الاول"],
    &["ربيع الثاني", "ربيع الاخر"],
    &["جمادي الاولي", "جمادي الاول"],
    &["جمادي الثانيه", "جمادي الاخره", "جمادي الاخر"],
    &["رجب"],
    &["شعبان"],
    &["رمضان"],
    &["شوال"],
    &["ذو القعده", "ذي القعده"],
    &["ذو الحجه", "ذي الحجه"],
];

const NUMBER_WORDS: [(&str, i64); 12] = [
    ("يوم", 1),
    ("يومين", 2),
    ("ثلاثه", 3),
    ("اربعه", 4),
    ("خمسه", 5),
    ("سته", 6),
    ("سبعه", 7),
    ("ثمانيه", 8),
    ("تسعه", 9),
    ("عشره", 10),
    ("two", 2),
    ("three", 3),
];

fn month_alternation(list: &[&[&str]; 12]) -> String {
    let mut all: Vec<&str> = list.iter().flat_map(|m| m.iter().copied()).collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    all.join("|")
}

fn month_number(list: &[&[&str]; 12], name: &str) -> Option<i64> {
    list.iter()
        .position(|m| m.contains(&name))
        .map(|i| i as i64 + 1)
}

/// Gregorian date of a day of the tabular Islamic calendar (civil epoch, 16 July 622).
fn hijri_to_gregorian(year: i64, month: i64, day: i64) -> Option<Date> {
    if !(1..=12).contains(&month) || !(1..=30).contains(&day) || year < 1 {
        return None;
    }
    let jdn = day
        + ((29.5 * (month - 1) as f64).ceil() as i64)
        + (year - 1) * 354
        + (3 + 11 * year) / 30
        + 1_948_439;
    // Julian day number to Gregorian (Fliegel–Van Flandern).
    let l = jdn + 68_569;
    let n = 4 * l / 146_097;
    let l = l - (146_097 * n + 3) / 4;
    let i = 4000 * (l + 1) / 1_461_001;
    let l = l - 1461 * i / 4 + 31;
    let j = 80 * l / 2447;
    let d = l - 2447 * j / 80;
    let l = j / 11;
    let m = j + 2 - 12 * l;
    let y = 100 * (n - 49) + i + l;
    ymd(y, m, d)
}

struct Patterns {
    list: Vec<(Regex, Rule)>,
    /// All the patterns in one automaton: one pass tells which of them can match at all.
    set: regex::RegexSet,
}

#[derive(Clone, Copy, Debug)]
enum Rule {
    Today,
    Yesterday,
    DayBeforeYesterday,
    Weekday,
    LastWeek,
    EndOfLastWeek,
    ThisWeek,
    AgoDays,
    AgoWeeks,
    AgoMonths,
    SomeDaysAgo,
    SomeWeeksAgo,
    SomeMonthsAgo,
    LastMonth,
    ThisMonth,
    DayMonth,
    MonthOnly,
    Numeric,
    Iso,
    YearPart,
    LastYear,
    ThisYear,
    FirstMonthsOfYear,
    HijriDay,
}

/// The lazy DFA's cache per pattern and thread: big enough that Arabic text does not keep
/// flushing and rebuilding its states.
const DFA_CACHE: usize = 8 << 20;

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let months = month_alternation(&MONTHS);
        let hijri = month_alternation(&HIJRI);
        let ar_wd = "الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|الاحد";
        let en_wd = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
        let about = r"(?:(?:نحو|حوالي|قرابه|زهاء|ما يقارب|اكثر من|almost|about|nearly|some) )?";
        let last = "(?:الماضي|الفائت|المنصرم|السابق|المنقضي)";
        // The month's other name in brackets or after a slash or dash: "مارس (آذار) 2014",
        // "تموز/يوليو".
        let alt = format!(r" ?[(/-] ?(?:{months}) ?\)?");
        // A conjunction or preposition may be attached (وقبل، وفي، بالأمس).
        // The word boundary after the expression is a consumed non-word character (or the
        // end), the one before it is checked by `find_dates`: a Unicode `\b` would keep the
        // regex engine off its DFA for Arabic text, at a tenth of the speed.
        let rx = |s: &str| {
            regex::RegexBuilder::new(&format!(r"(?:وب|ول|فب|و|ف|ب|ل)?({s})(?:\W|$)"))
                .dfa_size_limit(DFA_CACHE)
                .build()
                .expect("date pattern")
        };
        let list = vec![
            // "اليوم (الاثنين)"، "أمس الأحد", "today (Monday)": the weekday decides, since a
            // report is often dated the day after the wire story it carries.
            (rx(&format!(r"(?:(?:فجر|صباح|ظهر|عصر|مساء|ليله) )?(?:اليوم|امس|البارحه) ?[(،,-]? ?(?:يوم )?(?:{ar_wd})|(?:today|yesterday) ?[(,]? ?(?:{en_wd})")), Rule::Weekday),
            (rx(&format!(r"(?:(?:يوم )?(?:فجر|صباح|ظهر|عصر|مساء|ليله|ليل|منتصف ليله) )?(?:يوم )?(?:{ar_wd})(?: الماضي| الفائت)?|(?:last |on )?(?:{en_wd})")), Rule::Weekday),
            (rx(r"اول امس|اول من امس|the day before yesterday"), Rule::DayBeforeYesterday),
            (rx(r"(?:(?:فجر|صباح|ظهر|عصر|مساء|ليله|ليل|مساء يوم|صباح يوم) )?(?:امس|البارحه)|yesterday|last night|الليله الماضيه"), Rule::Yesterday),
            (rx(r"(?:(?:فجر|صباح|ظهر|عصر|مساء|ليله) )?اليوم|today|this morning|earlier today"), Rule::Today),
            (rx(&format!(r"(?:نهايه|عطله|اواخر) (?:الاسبوع {last}|نهايه الاسبوع {last})|(?:last|past) weekend|(?:the )?end of last week")), Rule::EndOfLastWeek),
            (rx(&format!(r"(?:خلال |في )?الاسبوع {last}|last week|the previous week|the past week")), Rule::LastWeek),
            (rx(r"(?:هذا الاسبوع|الاسبوع الحالي|الاسبوع الجاري|this week|earlier this week)"), Rule::ThisWeek),
            (rx(&format!(r"قبل {about}(?:(\d+|يومين|ثلاثه|اربعه|خمسه|سته|سبعه|ثمانيه|تسعه|عشره) (?:ايام|يوما|يوم)|يومين)|{about}(\d+|two|three|four|five|six|seven|eight|nine|ten) days ago")), Rule::AgoDays),
            (rx(&format!(r"قبل {about}(?:(\d+|ثلاثه|اربعه|خمسه|سته) اسابيع|اسبوعين|اسبوع)|{about}(?:(\d+|two|three|four|five|six|a|one) weeks? ago)")), Rule::AgoWeeks),
            (rx(&format!(r"قبل {about}(?:(\d+|ثلاثه|اربعه|خمسه|سته|سبعه|ثمانيه|تسعه|عشره) (?:اشهر|شهور)|شهرين|شهر)|{about}(?:(\d+|two|three|four|five|six|a|one) months? ago)")), Rule::AgoMonths),
            (rx(r"قبل ايام|منذ ايام|a few days ago|days ago|قبل بضعه ايام"), Rule::SomeDaysAgo),
            (rx(r"قبل اسابيع|منذ اسابيع|weeks ago|a few weeks ago|قبل بضعه اسابيع"), Rule::SomeWeeksAgo),
            (rx(r"قبل اشهر|منذ اشهر|قبل شهور|months ago|a few months ago|خلال الاشهر (?:الماضيه|الفائته|الاخيره)|in recent months|in the past few months"), Rule::SomeMonthsAgo),
            (rx(&format!(r"الشهر {last}|last month|the previous month")), Rule::LastMonth),
            (rx(r"هذا الشهر|الشهر الحالي|الشهر الجاري|this month|earlier this month"), Rule::ThisMonth),
            (rx(&format!(r"(\d{{1,2}}) (?:من )?(?:شهر )?({months})(?:{alt})?(?:,? (?:من )?(?:عام |سنه )?(\d{{4}}))?|({months}) (\d{{1,2}})(?:,? (\d{{4}}))?")), Rule::DayMonth),
            (rx(&format!(r"(?:(?:في|خلال|منذ|مطلع|اوائل|اواخر|منتصف|نهايه|بدايه) )?شهر ({months})(?:{alt})?(?: (?:من )?(?:عام |سنه )?(\d{{4}}))?|(?:in |during |since )?({months})(?:{alt})? (?:(?:من )?(?:عام |سنه )?(\d{{4}}))|in ({months})|(?:في|خلال|منذ) ({months})(?:{alt})?(?: (?:من )?(?:عام |سنه )?(\d{{4}}))?(?: (?:الماضي|المنصرم|الفائت|الجاري|الحالي))?")), Rule::MonthOnly),
            (rx(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), Rule::Numeric),
            (rx(r"(\d{4})-(\d{2})-(\d{2})"), Rule::Iso),
            (rx(r"(?:(اواخر|نهايه|اواسط|منتصف|مطلع|اوائل|بدايه|late|early|mid|the end of|the beginning of) )?(?:(?:عام|سنه|العام) |in )?(\d{4})(?: م)?"), Rule::YearPart),
            (rx(r"العام الماضي|السنه الماضيه|العام المنصرم|last year"), Rule::LastYear),
            (rx(r"(?:منذ بدايه |منذ مطلع )?(?:هذا العام|العام الجاري|العام الحالي|هذه السنه)|منذ (?:بدايه|مطلع) (?:العام|السنه)|this year|earlier this year|since the beginning of the year"), Rule::ThisYear),
            (rx(r"(?:خلال |في )?(?:الاشهر|الشهور) (الثلاثه|الاربعه|الخمسه|السته|السبعه|الثمانيه|التسعه|العشره) الاولي (?:من|من هذا) (?:العام|السنه)|(?:خلال |في )?النصف الاول من (?:العام|هذا العام|السنه)|(?:in |during )?the first (three|four|five|six|seven|eight|nine|ten) months of (?:the|this) year|(?:in )?the first half of (?:the|this) year"), Rule::FirstMonthsOfYear),
            (rx(&format!(r"(\d{{1,2}}) ({hijri})(?: (?:من )?(?:عام |سنه )?(\d{{4}})(?: ?ه)?)?")), Rule::HijriDay),
        ];
        let set = regex::RegexSetBuilder::new(list.iter().map(|(r, _)| r.as_str()))
            .dfa_size_limit(4 * DFA_CACHE)
            .build()
            .expect("date patterns");
        Patterns { list, set }
    })
}

fn num(s: &str) -> Option<i64> {
    s.parse()
        .ok()
        .or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == s).map(|(_, n)| *n))
        .or_else(|| {
            [
                "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten",
            ]
            .iter()
            .position(|w| *w == s)
            .map(|i| i as i64)
            .or_else(|| (s == "a").then_some(1))
        })
}

fn group<'t>(c: &regex::Captures<'t>, from: usize) -> Option<&'t str> {
    (from..c.len()).find_map(|i| c.get(i)).map(|m| m.as_str())
}

/// Resolve one match to a period.
fn resolve(rule: Rule, c: &regex::Captures, whole: &str, p: Date) -> Option<(Date, Date, u8)> {
    let prev_week_monday = days(monday(p), -7);
    Some(match rule {
        Rule::Today => (p, p, 1),
        Rule::Yesterday => (days(p, -1), days(p, -1), 1),
        Rule::DayBeforeYesterday => (days(p, -2), days(p, -2), 1),
        Rule::Weekday => {
            let wd = AR_WEEKDAYS
                .iter()
                .chain(EN_WEEKDAYS.iter())
                .find(|(w, _)| whole.contains(w))
                .map(|(_, d)| *d)?;
            // The most recent such day on or before publication.
            let back = (p.weekday().to_monday_zero_offset() - wd.to_monday_zero_offset())
                .rem_euclid(7) as i64;
            let back = if back == 0 && (whole.contains("الماضي") || whole.contains("last")) {
                7
            } else {
                back
            };
            let d = days(p, -back);
            (d, d, 1)
        }
        Rule::LastWeek => (prev_week_monday, days(prev_week_monday, 6), 2),
        // Thursday to Sunday: the weekend both where it is Friday–Saturday and Saturday–Sunday.
        Rule::EndOfLastWeek => (days(prev_week_monday, 3), days(prev_week_monday, 6), 2),
        Rule::ThisWeek => (monday(p), p, 2),
        Rule::AgoDays => {
            let n = group(c, 2).and_then(num).unwrap_or(2);
            let d = days(p, -n);
            (d, d, 1)
        }
        Rule::AgoWeeks => {
            let n = if whole.contains("اسبوعين") {
                2
            } else {
                group(c, 2).and_then(num).unwrap_or(1)
            };
            let d = days(p, -7 * n);
            (days(d, -3), days(d, 3), 2)
        }
        Rule::AgoMonths => {
            let n = if whole.contains("شهرين") {
                2
            } else {
                group(c, 2).and_then(num).unwrap_or(1)
            };
            let d = months(p, -n);
            (d.first_of_month(), d.last_of_month(), 3)
        }
        Rule::SomeDaysAgo => (days(p, -6), days(p, -2), 2),
        Rule::SomeWeeksAgo => (days(p, -42), days(p, -14), 3),
        Rule::SomeMonthsAgo => (months(p, -6), days(p, -14), 4),
        Rule::LastMonth => {
            let d = months(p.first_of_month(), -1);
            (d, d.last_of_month(), 3)
        }
        Rule::ThisMonth => (p.first_of_month(), p, 3),
        Rule::DayMonth => {
            let (day, name, year) = if let Some(d) = c.get(2) {
                (d.as_str(), c.get(3)?.as_str(), c.get(4).map(|y| y.as_str()))
            } else {
                (
                    c.get(6)?.as_str(),
                    c.get(5)?.as_str(),
                    c.get(7).map(|y| y.as_str()),
                )
            };
            let m = month_number(&MONTHS, name)?;
            let day: i64 = day.parse().ok()?;
            let y = match year {
                Some(y) => y.parse().ok()?,
                None => infer_year(p, m, day),
            };
            let d = ymd(y, m, day)?;
            (d, d, 1)
        }
        Rule::MonthOnly => {
            let name = group(c, 2).filter(|g| month_number(&MONTHS, g).is_some())?;
            let m = month_number(&MONTHS, name)?;
            let year = (2..c.len())
                .filter_map(|i| c.get(i))
                .map(|g| g.as_str())
                .find(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_digit()));
            let y = match year {
                Some(y) => y.parse().ok()?,
                None => infer_year(p, m, 1),
            };
            let d = ymd(y, m, 1)?;
            (d, d.last_of_month(), 3)
        }
        Rule::Numeric => {
            let d = ymd(
                c.get(4)?.as_str().parse().ok()?,
                c.get(3)?.as_str().parse().ok()?,
                c.get(2)?.as_str().parse().ok()?,
            )?;
            (d, d, 1)
        }
        Rule::Iso => {
            let d = ymd(
                c.get(2)?.as_str().parse().ok()?,
                c.get(3)?.as_str().parse().ok()?,
                c.get(4)?.as_str().parse().ok()?,
            )?;
            (d, d, 1)
        }
        Rule::YearPart => {
            let part = c.get(2).map(|m| m.as_str());
            // A bare year is a date only after عام/سنة/العام/in or with a part of it.
            if part.is_none()
                && !["عام", "سنه", "العام", "in "]
                    .iter()
                    .any(|w| whole.contains(w))
            {
                return None;
            }
            let y: i64 = c.get(3)?.as_str().parse().ok()?;
            if !(1900..=2100).contains(&y) {
                return None;
            }
            let (a, b) = match part {
                Some("اواخر" | "نهايه" | "late" | "the end of") => (9, 12),
                Some("اواسط" | "منتصف" | "mid") => (5, 8),
                Some("مطلع" | "اوائل" | "بدايه" | "early" | "the beginning of") => {
                    (1, 4)
                }
                _ => (1, 12),
            };
            let start = ymd(y, a, 1)?;
            (start, ymd(y, b, 1)?.last_of_month(), 4)
        }
        Rule::LastYear => {
            let y = p.year() as i64 - 1;
            (ymd(y, 1, 1)?, ymd(y, 12, 31)?, 4)
        }
        Rule::ThisYear => (p.first_of_year(), p, 4),
        Rule::FirstMonthsOfYear => {
            let n = match group(c, 2) {
                Some(w) => [
                    "الثلاثه",
                    "الاربعه",
                    "الخمسه",
                    "السته",
                    "السبعه",
                    "الثمانيه",
                    "التسعه",
                    "العشره",
                ]
                .iter()
                .position(|x| *x == w)
                .map(|i| i as i64 + 3)
                .or_else(|| num(w))?,
                None => 6,
            };
            let end = ymd(p.year() as i64, n, 1)?.last_of_month();
            (p.first_of_year(), end, 4)
        }
        Rule::HijriDay => {
            let day: i64 = c.get(2)?.as_str().parse().ok()?;
            let m = month_number(&HIJRI, c.get(3)?.as_str())?;
            let year: i64 = match c.get(4) {
                Some(y) => y.as_str().parse().ok()?,
                // The current Hijri year at publication.
                None => ((p.year() as i64 - 622) as f64 * 1.030_684) as i64 + 1,
            };
            let d = hijri_to_gregorian(year, m, day)?;
            let d = if c.get(4).is_none() && d > p {
                hijri_to_gregorian(year - 1, m, day)?
            } else {
                d
            };
            (d, d, 1)
        }
    })
}

/// Whether the words just before a date make it the page's own stamp.
fn is_stamp(before: &str) -> bool {
    let b = before.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '|'));
    let b = b.strip_suffix(" on").unwrap_or(b);
    [
        "published",
        "updated",
        "posted",
        "last updated",
        "first published",
        "تاريخ النشر",
        "نشر في",
        "نشر بتاريخ",
        "اخر تحديث",
        "تم النشر",
        "تاريخ التحديث",
    ]
    .iter()
    .any(|w| {
        b.ends_with(w)
            && b[..b.len() - w.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word_char(c))
    })
}

/// A character of a word for the boundary before a date: a letter or mark (as the
/// normalizer counts them) or a digit.
fn is_word_char(c: char) -> bool {
    rasid_text::chars::is_word_char(c) || c.is_numeric() || c == '_'
}

/// The year of a day-and-month without a year: the latest one not after publication.
fn infer_year(p: Date, month: i64, day: i64) -> i64 {
    let y = p.year() as i64;
    match ymd(y, month, day.max(1)) {
        Some(d) if d > p => y - 1,
        _ => y,
    }
}

/// Every date expression of `text`, resolved against `published`, in order, without overlaps
/// (the longer expression wins).
pub fn find_dates(text: &str, published: Date) -> Vec<DateExpr> {
    find_dates_in(text, &rasid_text::match_view(text), published)
}

/// [`find_dates`] over a match-level, case-folded view of `text` the caller already has.
pub fn find_dates_in(text: &str, view: &rasid_text::View, published: Date) -> Vec<DateExpr> {
    let v = view.as_str();
    let mut found: Vec<(Range<usize>, Date, Date, u8)> = Vec::new();
    // "اليوم (الاثنين)", "today (Monday)" naming a day just before publication: the report
    // was written that day and carried later, so every relative date counts from it.
    let mut written: Option<Date> = None;
    let patterns = patterns();
    for i in patterns.set.matches(v).iter() {
        let (rx, rule) = &patterns.list[i];
        let mut at = 0;
        while let Some(c) = rx.captures_at(v, at) {
            let whole = c.get(0).expect("group 0 is the match");
            if v[..whole.start()]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
            {
                // Inside a word: try again from the next character.
                at = whole.start() + v[whole.start()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            at = whole.end().max(whole.start() + 1);
            let m = c.get(1).expect("group 1 is the expression");
            let r = m.start()..m.end();
            if found
                .iter()
                .any(|f| f.0.start <= r.start && r.end <= f.0.end)
            {
                continue;
            }
            if let Some((s, e, p)) = resolve(*rule, &c, m.as_str(), published) {
                if matches!(rule, Rule::Weekday)
                    && (m.as_str().contains("اليوم") || m.as_str().contains("today"))
                    && s < published
                    && s >= days(published, -3)
                {
                    written.get_or_insert(s);
                }
                found.retain(|f| !(r.start <= f.0.start && f.0.end <= r.end));
                if !found.iter().any(|f| f.0.start < r.end && r.start < f.0.end) {
                    found.push((r, s, e, p));
                }
            }
        }
    }
    // A stamp of the page ("Published July 2 2016", "آخر تحديث: 12 مارس") dates the
    // report, not an event.
    found.retain(|f| !is_stamp(&v[..f.0.start]));
    if let Some(day) = written {
        // Against that day the expression is "today" itself, so this runs once.
        return find_dates_in(text, view, day);
    }
    found.sort_by_key(|f| f.0.start);
    found
        .into_iter()
        .map(|(r, start, end, precision)| {
            let span = view.to_source(r);
            DateExpr {
                start,
                end,
                precision,
                text: text[span.clone()].to_string(),
                span,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, published: &str) -> Option<(String, String, u8, String)> {
        let p: Date = published.parse().unwrap();
        find_dates(text, p)
            .into_iter()
            .next()
            .map(|d| (d.start.to_string(), d.end.to_string(), d.precision, d.text))
    }

    #[test]
    fn a_report_written_the_day_before_it_was_carried() {
        // Carried on Tuesday 2015-07-21, written on "today (Monday)": its "today" and
        // "yesterday" count from Monday, without a weekday of their own.
        let p: Date = "2015-07-21".parse().unwrap();
        let text = "قتل 14 جنديا اليوم (الاثنين). ونفذت الضربة صباح اليوم، بعد هجوم أمس.";
        let got: Vec<(String, String)> = find_dates(text, p)
            .into_iter()
            .map(|d| (d.text, d.start.to_string()))
            .collect();
        let want = [
            ("اليوم (الاثنين", "2015-07-20"),
            ("صباح اليوم", "2015-07-20"),
            ("أمس", "2015-07-19"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
        // A month with its other name: "مارس (اذار) 2014" is March 2014, not 2014.
        let march = one("وقع في مارس (اذار) 2014 في ولاية لوغار", "2015-07-21").unwrap();
        assert_eq!(
            (march.0.as_str(), march.1.as_str(), march.2),
            ("2014-03-01", "2014-03-31", 3)
        );
        let july = one("في 7 تموز/يوليو الجاري", "2015-07-21").unwrap();
        assert_eq!(july.0, "2015-07-07");
        // A month without its year: the last one up to publication.
        let last_march = one("قتل خمسة جنود في مارس الماضي", "2015-08-05").unwrap();
        assert_eq!((last_march.0.as_str(), last_march.2), ("2015-03-01", 3));
        let in_july = one("وقع الهجوم في يوليو", "2015-08-05").unwrap();
        assert_eq!(in_july.0, "2015-07-01");
        // A weekday named with "today" that is the publication day changes nothing.
        let same = find_dates("اليوم (الثلاثاء) وأمس", p);
        assert_eq!(same[1].start.to_string(), "2015-07-20");
    }

    #[test]
    fn seed_expressions() {
        // Published Monday 2024-07-22.
        let p = "2024-07-22";
        assert_eq!(
            one("وقام مجهولون نهاية الأسبوع الفائت بكتابة", p).unwrap().0,
            "2024-07-18"
        );
        let two_weeks = one("وقبل نحو أسبوعين، هاجم مسلحون", p).unwrap();
        assert!(two_weeks.0.as_str() <= "2024-07-08" && "2024-07-08" <= two_weeks.1.as_str());
        let late = one("وفي أواخر عام 2017، سيطرت", p).unwrap();
        assert_eq!(
            (late.0.as_str(), late.1.as_str(), late.2),
            ("2017-09-01", "2017-12-31", 4)
        );
        let six = one("خلال الأشهر الستة الأولى من العام", p).unwrap();
        assert_eq!(
            (six.0.as_str(), six.1.as_str(), six.2),
            ("2024-01-01", "2024-06-30", 4)
        );
        assert!(one("“لن ننسى أسرانا 2024″", p).is_none());
    }
}
