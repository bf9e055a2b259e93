//! Events for other tools: ACLED's CSV (its columns, in its order, so that notebooks and
//! QGIS read it unchanged) and GeoJSON points. Shared by the CLI and the HTTP API.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::StoredEvent;

/// The string at `path` in `v`, or "".
pub fn field<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().fold(v, |v, k| &v[*k]).as_str().unwrap_or("")
}
use field as s;

/// ACLED's CSV columns, in ACLED's order.
pub const ACLED_COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// ACLED's disorder type of an event type.
fn disorder_type(event_type: &str) -> &'static str {
    match event_type {
        "Protests" | "Riots" => "Demonstrations",
        "Strategic developments" => "Strategic developments",
        _ => "Political violence",
    }
}

/// The CSV of events: ACLED's columns (`acled`: incidents with a date precise to the month
/// or better, as ACLED publishes) or the same columns for every stored event.
pub fn write_csv(out: &mut dyn Write, events: &[StoredEvent], acled_only: bool) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(ACLED_COLUMNS)?;
    for e in events {
        let v = &e.event;
        let precision = v["date"]["time_precision"].as_u64().unwrap_or(4);
        if acled_only && (v["kind"] != "event" || precision > 3) {
            continue;
        }
        let actor_name = |k: &str| s(v, &[k, "name"]).to_string();
        let assoc = |k: &str| {
            v[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x["name"].as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default()
        };
        let date = s(v, &["date", "start"]);
        let sources: Vec<String> = {
            let mut names: Vec<String> = e
                .sources
                .iter()
                .map(|x| x.source.clone().unwrap_or_else(|| x.article.clone()))
                .collect();
            names.dedup();
            names
        };
        let notes = e
            .sources
            .first()
            .map(|x| x.evidence.clone())
            .unwrap_or_default();
        let civilian = if s(v, &["actor2", "id"]).starts_with("civilians") {
            "Civilian targeting"
        } else {
            ""
        };
        let num = |x: &Value| x.as_f64().map(|f| f.to_string()).unwrap_or_default();
        w.write_record([
            format!("RASID{}", e.id),
            date.to_string(),
            date.get(..4).unwrap_or("").to_string(),
            precision.min(3).to_string(),
            disorder_type(s(v, &["event_type"])).to_string(),
            s(v, &["event_type"]).to_string(),
            s(v, &["sub_event_type"]).to_string(),
            actor_name("actor1"),
            assoc("assoc_actor_1"),
            String::new(),
            actor_name("actor2"),
            assoc("assoc_actor_2"),
            String::new(),
            String::new(),
            civilian.to_string(),
            String::new(),
            String::new(),
            s(v, &["location", "country"]).to_string(),
            s(v, &["location", "admin1"]).to_string(),
            s(v, &["location", "admin2"]).to_string(),
            s(v, &["location", "admin3"]).to_string(),
            s(v, &["location", "name"]).to_string(),
            num(&v["location"]["lat"]),
            num(&v["location"]["lon"]),
            v["location"]["geo_precision"]
                .as_u64()
                .map_or(String::new(), |p| p.to_string()),
            sources.join("; "),
            String::new(),
            notes,
            v["fatalities"].as_u64().unwrap_or(0).to_string(),
            String::new(),
            String::new(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A GeoJSON FeatureCollection: one Point feature per placed event (events without
/// coordinates are left out), properties flat as in the CSV.
pub fn write_geojson(out: &mut dyn Write, events: &[StoredEvent]) -> io::Result<()> {
    let features: Vec<Value> = events
        .iter()
        .filter_map(|e| {
            let v = &e.event;
            let (lat, lon) = (
                v["location"]["lat"].as_f64()?,
                v["location"]["lon"].as_f64()?,
            );
            Some(json!({
                "type": "Feature",
                "id": e.id,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": e.id,
                    "kind": v["kind"],
                    "event_type": v["event_type"],
                    "sub_event_type": v["sub_event_type"],
                    "actor1": v["actor1"]["id"],
                    "actor2": v["actor2"]["id"],
                    "date_start": v["date"]["start"],
                    "date_end": v["date"]["end"],
                    "time_precision": v["date"]["time_precision"],
                    "location": v["location"]["name"],
                    "admin1": v["location"]["admin1"],
                    "country": v["location"]["country"],
                    "geo_precision": v["location"]["geo_precision"],
                    "fatalities": v["fatalities"],
                    "confidence": v["confidence"],
                    "sources": e.sources.len(),
                    "evidence": e.sources.first().map(|s| s.evidence.clone()),
                }
            }))
        })
        .collect();
    serde_json::to_writer(
        &mut *out,
        &json!({"type": "FeatureCollection", "features": features}),
    )?;
    writeln!(out)?;
    Ok(())
}
