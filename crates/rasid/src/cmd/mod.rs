//! Subcommands.

pub mod grep;
pub mod normalize;
