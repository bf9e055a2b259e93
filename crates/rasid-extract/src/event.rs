//! Output types, following the project's event codebook and `event.schema.json`: field
//! names, enums and code-point spans.

use serde::Serialize;

/// `[start, end)` in Unicode code points of the article's clean text.
pub type Span = [usize; 2];

/// An actor of an event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActorRef {
    /// Canonical id (the top-level actor: the Fifth Corps is `syria-military`).
    pub id: String,
    /// ACLED-style name.
    pub name: String,
    /// The words of the text that name it.
    pub text: String,
    /// Where.
    pub span: Span,
    /// The source hedges ("يُعتقد أنهم", "رجحت مصادر", "believed to be").
    pub suspected: bool,
}

/// Where an event happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Location {
    /// English name.
    pub name: String,
    /// Arabic name.
    pub name_ar: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Admin 1 (English).
    pub admin1: Option<String>,
    /// Admin 2 (English).
    pub admin2: Option<String>,
    /// Admin 3 (English).
    pub admin3: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// ACLED geo_precision.
    pub geo_precision: u8,
    /// The words of the text that name it.
    pub text: String,
    /// Where.
    pub span: Span,
    /// Gazetteer id.
    pub gazetteer_id: Option<String>,
}

/// When an event happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DateRange {
    /// First day (ISO).
    pub start: String,
    /// Last day (ISO).
    pub end: String,
    /// ACLED time_precision (1–3) or 4 (coarser).
    pub time_precision: u8,
    /// The words of the text that give it, if any (else the publication date was used).
    pub text: Option<String>,
    /// Where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The sentence that supports an event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// Its text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// `event` (one incident) or `aggregate` (a count over a period).
    pub kind: &'static str,
    /// ACLED event type.
    pub event_type: &'static str,
    /// ACLED sub-event type.
    pub sub_event_type: &'static str,
    /// Initiator.
    pub actor1: Option<ActorRef>,
    /// Target or opponent.
    pub actor2: Option<ActorRef>,
    /// Associated with actor 1 (a supporting force).
    pub assoc_actor_1: Vec<ActorRef>,
    /// Associated with actor 2.
    pub assoc_actor_2: Vec<ActorRef>,
    /// Where.
    pub location: Option<Location>,
    /// When.
    pub date: DateRange,
    /// Deaths (lowest reported figure), if the text gives any.
    pub fatalities: Option<u32>,
    /// Injuries, if given.
    pub injured: Option<u32>,
    /// For aggregates: the number of incidents.
    pub count: Option<u32>,
    /// The supporting sentence.
    pub evidence: Evidence,
    /// 0..1; see `Extractor` for how it is computed.
    pub confidence: f32,
}
