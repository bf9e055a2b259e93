//! Validation of lexicon data (`rasid lexicon check`): problems with file and line.

use std::collections::HashMap;

use crate::data::{Actor, Place};

/// One problem found in lexicon data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// `file:line` of the entry.
    pub origin: String,
    /// What is wrong.
    pub message: String,
    /// Errors make the check fail; warnings (alias conflicts) are reported only.
    pub error: bool,
}

/// Check actors and places: duplicate ids, unknown parents and affiliations, empty or
/// blank aliases, coordinates out of range, and aliases shared by two actors (shadowing).
/// `known_actors` are ids defined elsewhere (e.g. the bundled lexicon) that parents may
/// point to.
pub fn check(actors: &[Actor], places: &[Place], known_actors: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    let err = |origin: &str, message: String| Problem {
        origin: origin.to_string(),
        message,
        error: true,
    };
    let mut ids: HashMap<&str, &str> = HashMap::new();
    for a in actors {
        if a.id.trim().is_empty() {
            out.push(err(&a.origin, "actor with an empty id".into()));
        }
        if let Some(prev) = ids.insert(&a.id, &a.origin) {
            out.push(err(
                &a.origin,
                format!("duplicate actor id {:?} (first defined at {prev})", a.id),
            ));
        }
        if a.ar.is_empty() && a.en.is_empty() {
            out.push(err(&a.origin, format!("actor {:?} has no aliases", a.id)));
        }
        for alias in a.ar.iter().chain(&a.en) {
            if alias.trim().is_empty() {
                out.push(err(
                    &a.origin,
                    format!("actor {:?} has an empty alias", a.id),
                ));
            }
        }
        if !(1..=8).contains(&a.inter) {
            out.push(err(
                &a.origin,
                format!(
                    "actor {:?}: inter {} is not an ACLED code (1–8)",
                    a.id, a.inter
                ),
            ));
        }
    }
    let exists = |id: &str| ids.contains_key(id) || known_actors.iter().any(|k| k == id);
    for a in actors {
        if let Some(p) = &a.parent {
            if !exists(p) {
                out.push(err(
                    &a.origin,
                    format!("actor {:?}: unknown parent {p:?}", a.id),
                ));
            }
        }
        if let Some(e) = &a.elsewhere {
            if !exists(e) {
                out.push(err(
                    &a.origin,
                    format!("actor {:?}: unknown actor {e:?} for elsewhere", a.id),
                ));
            }
        }
        for f in &a.affiliated {
            if !exists(f) {
                out.push(err(
                    &a.origin,
                    format!("actor {:?}: unknown affiliated actor {f:?}", a.id),
                ));
            }
        }
    }
    // Aliases that name two actors: the second is shadowed.
    let norm = rasid_text::Normalizer::new(rasid_text::Config {
        level: rasid_text::Level::Match,
        fold_case: true,
        record_repairs: false,
    });
    let mut alias_owner: HashMap<String, &Actor> = HashMap::new();
    for a in actors {
        for alias in a.ar.iter().chain(&a.en) {
            let k = crate::normalize_key(&norm, alias);
            if k.is_empty() {
                continue;
            }
            if let Some(owner) = alias_owner.get(&k) {
                if owner.id != a.id {
                    out.push(Problem {
                        origin: a.origin.clone(),
                        message: format!(
                            "alias {alias:?} of {:?} is also an alias of {:?} ({})",
                            a.id, owner.id, owner.origin
                        ),
                        error: false,
                    });
                }
            } else {
                alias_owner.insert(k, a);
            }
        }
    }
    let mut pids: HashMap<&str, &str> = HashMap::new();
    for p in places {
        if let Some(prev) = pids.insert(&p.id, &p.origin) {
            out.push(err(
                &p.origin,
                format!("duplicate place id {:?} (first defined at {prev})", p.id),
            ));
        }
        if p.name_en.trim().is_empty() && p.name_ar.trim().is_empty() && p.names.is_empty() {
            out.push(err(&p.origin, format!("place {:?} has no name", p.id)));
        }
        let country = p.kind == crate::FeatureKind::Country;
        if !country && (!(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lon)) {
            out.push(err(
                &p.origin,
                format!("place {:?}: bad coordinates {}, {}", p.id, p.lat, p.lon),
            ));
        }
        if !(1..=3).contains(&p.precision) {
            out.push(err(
                &p.origin,
                format!(
                    "place {:?}: precision {} is not 1, 2 or 3",
                    p.id, p.precision
                ),
            ));
        }
        let spans_countries = p.country.is_empty()
            && matches!(
                p.kind,
                crate::FeatureKind::Region | crate::FeatureKind::NaturalFeature
            );
        if !spans_countries
            && (p.country.len() != 2 || !p.country.chars().all(|c| c.is_ascii_uppercase()))
        {
            out.push(err(
                &p.origin,
                format!(
                    "place {:?}: country {:?} is not an ISO alpha-2 code",
                    p.id, p.country
                ),
            ));
        }
    }
    out
}
