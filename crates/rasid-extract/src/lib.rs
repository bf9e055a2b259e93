//! # rasid-extract
//!
//! An article in, ACLED-style events out, each field backed by the text that supports it:
//! event type and sub-type, initiator and target, associates, place with geo-precision,
//! date resolved against the publication date, fatalities, the evidence sentence and a
//! confidence. Arabic and English, one code path. Pure: the lexicon and the article are
//! passed in; nothing here reads files or the clock.

pub mod article;
pub mod dates;
pub mod event;
mod extract;

pub use article::{Article, ArticleError, Lang};
pub use event::{ActorRef, DateRange, Event, Evidence, Location};
pub use extract::{Extraction, Extractor, ExtractorConfig};
