//! Gazetteer autocomplete: place names matched by prefix, in Arabic (folded as the
//! matcher folds them, so `الرقه` finds `الرقة`) or in Latin script (case-insensitive).

use rasid_lexicon::{FeatureKind, Lexicon};
use serde::Serialize;
use utoipa::ToSchema;

/// One suggestion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceOut {
    /// Gazetteer id.
    pub id: String,
    /// English name.
    pub name: String,
    /// Arabic name.
    pub name_ar: String,
    /// Feature kind (`governorate`, `city`, `village`…).
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Governorate / province (English).
    pub admin1: String,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
}

/// Keys of every place name, sorted for prefix search.
pub struct PlaceIndex {
    keys: Vec<(String, usize)>,
}

fn key(s: &str) -> String {
    rasid_text::match_view(s.trim()).as_str().to_lowercase()
}

/// Rank: administrative units and bigger places first.
fn rank(kind: FeatureKind) -> u8 {
    match kind {
        FeatureKind::Country => 0,
        FeatureKind::Governorate => 1,
        FeatureKind::District => 2,
        FeatureKind::City => 3,
        FeatureKind::SubDistrict | FeatureKind::Region => 4,
        FeatureKind::Town => 5,
        _ => 6,
    }
}

impl PlaceIndex {
    /// Index every name of every place.
    pub fn new(lex: &Lexicon) -> PlaceIndex {
        let mut keys = Vec::new();
        for (i, p) in lex.places().iter().enumerate() {
            for n in std::iter::once(&p.name_en)
                .chain(std::iter::once(&p.name_ar))
                .chain(p.names.iter())
            {
                let k = key(n);
                if !k.is_empty() {
                    keys.push((k, i));
                }
            }
        }
        keys.sort();
        keys.dedup();
        PlaceIndex { keys }
    }

    /// Up to `limit` places with a name starting with `q`, best first.
    pub fn suggest(&self, lex: &Lexicon, q: &str, limit: usize) -> Vec<PlaceOut> {
        let k = key(q);
        if k.is_empty() {
            return Vec::new();
        }
        let start = self.keys.partition_point(|(s, _)| s.as_str() < k.as_str());
        let mut found: Vec<usize> = self.keys[start..]
            .iter()
            .take_while(|(s, _)| s.starts_with(&k))
            .take(5000)
            .map(|(_, i)| *i)
            .collect();
        found.sort_unstable();
        found.dedup();
        let places = lex.places();
        found.sort_by_key(|&i| {
            let p = &places[i];
            (
                key(&p.name_en) != k && key(&p.name_ar) != k,
                rank(p.kind),
                std::cmp::Reverse(p.population),
            )
        });
        found
            .into_iter()
            .take(limit)
            .map(|i| {
                let p = &places[i];
                PlaceOut {
                    id: p.id.clone(),
                    name: p.name_en.clone(),
                    name_ar: p.name_ar.clone(),
                    kind: p.kind.as_str().to_string(),
                    country: p.country.clone(),
                    admin1: p.admin1_en.clone(),
                    lat: p.lat.is_finite().then_some(p.lat),
                    lon: p.lon.is_finite().then_some(p.lon),
                }
            })
            .collect()
    }
}
