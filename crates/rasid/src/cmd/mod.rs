//! Subcommands.

pub mod entities;
pub mod eval_ner;
pub mod grep;
pub mod lexicon;
pub mod normalize;
