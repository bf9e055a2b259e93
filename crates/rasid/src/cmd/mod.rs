//! Subcommands.

pub mod alerts;
pub mod clean;
pub mod entities;
pub mod eval;
pub mod eval_labels;
pub mod eval_ner;
pub mod extract;
pub mod grep;
pub mod lexicon;
pub mod normalize;
pub mod serve;
pub mod store;
pub mod worker;
