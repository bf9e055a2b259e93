//! The SQL of event filters, written once for both databases: their dialects differ in
//! placeholders, case-insensitive comparison and a few functions, not in meaning.

use crate::{Bucket, EventQuery, EventSort, Interval, StoreError, StoredEvent};

/// Which database a statement is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound value (never spliced into the SQL), bound the same way by both databases.
#[derive(Clone, Debug)]
pub(crate) enum Param {
    Text(String),
    Real(f64),
    Int(i64),
    Null,
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::Text(s.to_string())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Param {
        Param::Text(s)
    }
}

impl From<i64> for Param {
    fn from(i: i64) -> Param {
        Param::Int(i)
    }
}

impl From<f64> for Param {
    fn from(x: f64) -> Param {
        Param::Real(x)
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Param {
        v.map_or(Param::Null, Into::into)
    }
}

impl Dialect {
    /// `col` equal to a parameter, ignoring (ASCII) case.
    fn nocase_eq(self, col: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{col} = ? COLLATE NOCASE"),
            Dialect::Postgres => format!("lower({col}) = lower(?)"),
        }
    }

    /// `expr` containing a parameter, ignoring case.
    fn contains(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("instr(lower({expr}), lower(?)) > 0"),
            Dialect::Postgres => format!("strpos(lower({expr}), lower(?)) > 0"),
        }
    }

    /// `col` differing from a parameter, NULL counting as a value.
    fn distinct(self, col: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{col} IS NOT ?"),
            Dialect::Postgres => format!("{col} IS DISTINCT FROM ?"),
        }
    }

    /// An integer aggregate as a 64-bit integer (PostgreSQL sums integers as numerics).
    pub fn int(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => expr.to_string(),
            Dialect::Postgres => format!("({expr})::bigint"),
        }
    }

    /// The statement with its placeholders in this dialect's form (`$1`, `$2` … for
    /// PostgreSQL). The statements written here hold no `?` but placeholders.
    pub fn finish(self, sql: &str) -> String {
        match self {
            Dialect::Sqlite => sql.to_string(),
            Dialect::Postgres => {
                let mut out = String::with_capacity(sql.len() + 16);
                let mut n = 0;
                for c in sql.chars() {
                    if c == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// An event row: id, data, start date, fatalities.
pub(crate) type EventRow = (i64, String, String, Option<i64>);

/// Which side the actor filter looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Actor 1 or actor 2.
    Either,
    /// Actor 1.
    First,
    /// Actor 2, when actor 1 is another.
    SecondOnly,
}

/// `select` with the WHERE clause of `q`'s filters, and their bound values.
pub(crate) fn filter_sql(
    d: Dialect,
    q: &EventQuery,
    select: &str,
    side: Side,
) -> (String, Vec<Param>) {
    let mut sql = format!("{select} WHERE 1=1");
    let mut args: Vec<Param> = Vec::new();
    let and = |sql: &mut String, clause: &str| {
        sql.push_str(" AND ");
        sql.push_str(clause);
    };
    if let Some(a) = &q.actor {
        match side {
            Side::Either => {
                and(&mut sql, "(actor1 = ? OR actor2 = ?)");
                args.push(Param::Text(a.clone()));
            }
            Side::First => and(&mut sql, "actor1 = ?"),
            Side::SecondOnly => {
                and(
                    &mut sql,
                    &format!("actor2 = ? AND {}", d.distinct("actor1")),
                );
                args.push(Param::Text(a.clone()));
            }
        }
        args.push(Param::Text(a.clone()));
    }
    if let Some(t) = &q.event_type {
        // A known type or sub-type in its canonical spelling: one exact comparison, which
        // an index serves; anything else is compared both ways, ignoring case.
        let types = rasid_lexicon::SUB_EVENT_TYPES;
        if let Some((_, ty)) = types.iter().find(|(_, ty)| ty.eq_ignore_ascii_case(t)) {
            and(&mut sql, "event_type = ?");
            args.push(Param::Text(ty.to_string()));
        } else if let Some((sub, _)) = types.iter().find(|(sub, _)| sub.eq_ignore_ascii_case(t)) {
            // (the sub-type index is case-insensitive)
            and(&mut sql, &d.nocase_eq("sub_event_type"));
            args.push(Param::Text(sub.to_string()));
        } else {
            let either = format!(
                "({} OR {})",
                d.nocase_eq("event_type"),
                d.nocase_eq("sub_event_type")
            );
            and(&mut sql, &either);
            args.push(Param::Text(t.clone()));
            args.push(Param::Text(t.clone()));
        }
    }
    if let Some(t) = &q.sub_event_type {
        and(&mut sql, &d.nocase_eq("sub_event_type"));
        args.push(Param::Text(t.clone()));
    }
    if let Some(a) = &q.admin1 {
        and(&mut sql, &d.nocase_eq("admin1"));
        args.push(Param::Text(a.clone()));
    }
    if let Some(p) = &q.place {
        and(
            &mut sql,
            &d.contains(
                "coalesce(location,'') || '|' || coalesce(admin1,'') || '|' || coalesce(admin2,'')",
            ),
        );
        args.push(Param::Text(p.clone()));
    }
    if let Some([w, s, e, n]) = q.bbox {
        and(&mut sql, "lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?");
        args.extend([w, e, s, n].map(Param::Real));
    }
    if let Some(s) = &q.since {
        and(&mut sql, "date_end >= ?");
        args.push(Param::Text(s.clone()));
    }
    if let Some(u) = &q.until {
        and(&mut sql, "date_start <= ?");
        args.push(Param::Text(u.clone()));
    }
    if let Some(k) = &q.kind {
        and(&mut sql, "kind = ?");
        args.push(Param::Text(k.clone()));
    }
    if let Some(c) = q.min_confidence {
        and(&mut sql, "confidence >= ?");
        args.push(Param::Real(c as f64));
    }
    (sql, args)
}

/// The statement of [`crate::Storage::events`] rows for one side of the actor filter:
/// filters, then the cursor, the order and the limit.
pub(crate) fn event_rows_sql(d: Dialect, q: &EventQuery, side: Side) -> (String, Vec<Param>) {
    let (mut sql, mut args) = filter_sql(
        d,
        q,
        "SELECT id, data, date_start, fatalities FROM events",
        side,
    );
    let (order, key_expr, cmp) = match q.sort {
        EventSort::Newest => ("date_start DESC, id DESC", "date_start", "<"),
        EventSort::Oldest => ("date_start ASC, id ASC", "date_start", ">"),
        EventSort::Fatalities => (
            "coalesce(fatalities, -1) DESC, id DESC",
            "coalesce(fatalities, -1)",
            "<",
        ),
    };
    if let Some(c) = &q.after {
        sql.push_str(&format!(
            " AND ({key_expr} {cmp} ? OR ({key_expr} = ? AND id {cmp} ?))"
        ));
        let key = match q.sort {
            EventSort::Fatalities => Param::Int(c.key.parse::<i64>().unwrap_or(-1)),
            _ => Param::Text(c.key.clone()),
        };
        args.push(key.clone());
        args.push(key);
        args.push(Param::Int(c.id));
    }
    sql.push_str(&format!(" ORDER BY {order}"));
    if let Some(n) = q.limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    (sql, args)
}

/// The rows of [`crate::Storage::events`]: an actor as either side, in date order, is two
/// index scans (actor 1, then actor 2 of the others) merged, rather than one scan of every
/// event of the actor sorted.
fn event_rows(
    q: &EventQuery,
    mut rows: impl FnMut(Side) -> Result<Vec<EventRow>, StoreError>,
) -> Result<Vec<EventRow>, StoreError> {
    if q.actor.is_none() || q.sort == EventSort::Fatalities {
        return rows(Side::Either);
    }
    let mut out = rows(Side::First)?;
    out.extend(rows(Side::SecondOnly)?);
    out.sort_by(|a, b| {
        let o = (&a.2, a.0).cmp(&(&b.2, b.0));
        if q.sort == EventSort::Newest {
            o.reverse()
        } else {
            o
        }
    });
    if let Some(n) = q.limit {
        out.truncate(n);
    }
    Ok(out)
}

/// The events of [`crate::Storage::events`]: the rows, each with its sources.
pub(crate) fn events(
    q: &EventQuery,
    rows: impl FnMut(Side) -> Result<Vec<EventRow>, StoreError>,
    sources: impl Fn(i64) -> Result<Vec<crate::EventSource>, StoreError>,
) -> Result<Vec<StoredEvent>, StoreError> {
    event_rows(q, rows)?
        .into_iter()
        .map(|row| {
            let s = sources(row.0)?;
            stored_event(row, s)
        })
        .collect()
}

/// An event read back: its JSON parsed, its sources attached.
pub(crate) fn stored_event(
    row: EventRow,
    sources: Vec<crate::EventSource>,
) -> Result<StoredEvent, StoreError> {
    let (id, data, date_start, fatalities) = row;
    let event = serde_json::from_str(&data).map_err(|source| StoreError::Json { id, source })?;
    Ok(StoredEvent {
        id,
        date_start,
        fatalities,
        event,
        sources,
    })
}

/// The statement of the daily counts behind [`crate::Storage::timeseries`]: grouped by
/// day in SQL (a covering index serves it), folded into weeks by [`fold`]: the date
/// arithmetic per row costs more than the scan.
pub(crate) fn series_sql(
    d: Dialect,
    q: &EventQuery,
    group: crate::GroupBy,
) -> (String, Vec<Param>) {
    let key = match group {
        crate::GroupBy::Actor => "actor1",
        crate::GroupBy::Admin1 => "admin1",
        crate::GroupBy::EventType => "event_type",
    };
    let (mut sql, args) = filter_sql(
        d,
        q,
        &format!(
            "SELECT substr(date_start, 1, 10) AS p, {key} AS k, {}, {} FROM events",
            d.int("count(*)"),
            d.int("sum(coalesce(fatalities, 0))")
        ),
        Side::Either,
    );
    sql.push_str(" GROUP BY p, k");
    (sql, args)
}

/// Daily buckets (in any order) as the series asked for: by period, then group (none
/// first, then in byte order), days folded into Monday-named weeks.
pub(crate) fn fold(mut days: Vec<Bucket>, interval: Interval) -> Vec<Bucket> {
    let key = |b: &Bucket| (b.period.clone(), b.key.clone());
    match interval {
        Interval::Day => {
            days.sort_by_key(key);
            days
        }
        Interval::Week => {
            let mut weeks: std::collections::BTreeMap<(String, Option<String>), Bucket> =
                std::collections::BTreeMap::new();
            for b in days {
                let monday = week_of(&b.period);
                let w = weeks
                    .entry((monday.clone(), b.key.clone()))
                    .or_insert_with(|| Bucket {
                        period: monday,
                        key: b.key.clone(),
                        events: 0,
                        fatalities: 0,
                    });
                w.events += b.events;
                w.fatalities += b.fatalities;
            }
            weeks.into_values().collect()
        }
    }
}

/// The Monday of the week of an ISO day (the day itself when it does not parse).
fn week_of(day: &str) -> String {
    match day.parse::<jiff::civil::Date>() {
        Ok(d) => {
            let back = d.weekday().to_monday_zero_offset() as i64;
            d.checked_sub(jiff::Span::new().days(back))
                .unwrap_or(d)
                .to_string()
        }
        Err(_) => day.to_string(),
    }
}

/// The distinct match-level words of a text, sorted: what search looks up (it asks for
/// words, never phrases or positions).
pub(crate) fn word_set(match_text: &str) -> Vec<&str> {
    let mut w: Vec<&str> = words(match_text).collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// The match-level words of a text, as search compares them (letters and digits; the
/// match view has already folded case, marks and letter variants).
pub(crate) fn words(match_text: &str) -> impl Iterator<Item = &str> {
    match_text
        .split(|c: char| !rasid_text::chars::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        assert_eq!(
            Dialect::Postgres.finish("a = ? AND (b = ? OR c = ?)"),
            "a = $1 AND (b = $2 OR c = $3)"
        );
        assert_eq!(Dialect::Sqlite.finish("a = ?"), "a = ?");
    }

    #[test]
    fn both_dialects_bind_the_same_values() {
        let q = EventQuery {
            actor: Some("isis".into()),
            event_type: Some("air/drone strike".into()),
            admin1: Some("Aleppo".into()),
            place: Some("raqqa".into()),
            bbox: Some([35.0, 32.0, 42.0, 37.5]),
            since: Some("2024-01-01".into()),
            ..EventQuery::default()
        };
        for side in [Side::Either, Side::First, Side::SecondOnly] {
            let (s, a) = filter_sql(Dialect::Sqlite, &q, "SELECT id FROM events", side);
            let (p, b) = filter_sql(Dialect::Postgres, &q, "SELECT id FROM events", side);
            assert_eq!(s.matches('?').count(), a.len(), "{s}");
            assert_eq!(p.matches('?').count(), b.len(), "{p}");
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }

    #[test]
    fn weeks_are_named_by_their_monday() {
        assert_eq!(week_of("2024-07-21"), "2024-07-15");
        assert_eq!(week_of("2024-07-22"), "2024-07-22");
        assert_eq!(week_of("not a day"), "not a day");
    }
}
