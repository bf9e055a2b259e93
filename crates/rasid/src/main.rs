//! `rasid`: reads conflict news in Arabic and English and turns it into an event dataset.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod batches;
mod cmd;
mod feeds;
mod input;
mod queue;
mod web;

/// Building the lexicon makes many small allocations; mimalloc makes start-up markedly
/// faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// rasid (راصد, "the observer"): Arabic-first conflict news reader.
#[derive(Parser, Debug)]
#[command(name = "rasid", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Normalize(cmd::normalize::Args),
    Grep(cmd::grep::Args),
    Entities(cmd::entities::Args),
    Extract(cmd::extract::Args),
    Eval(cmd::eval::Args),
    #[command(subcommand)]
    Lexicon(cmd::lexicon::Command),
    EvalNer(cmd::eval_ner::Args),
    EvalSentences(cmd::eval_labels::SentencesArgs),
    EvalAdmin1(cmd::eval_labels::Admin1Args),
    Clean(cmd::clean::Args),
    Ingest(cmd::store::IngestArgs),
    Events(cmd::store::EventsArgs),
    Search(cmd::store::SearchArgs),
    Export(cmd::store::ExportArgs),
    Watch(cmd::store::WatchArgs),
    Serve(cmd::serve::Args),
    Alerts(cmd::alerts::Args),
    Worker(cmd::worker::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(a) => cmd::normalize::run(a),
        Command::Grep(a) => cmd::grep::run(a),
        Command::Entities(a) => cmd::entities::run(a),
        Command::Extract(a) => cmd::extract::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Lexicon(c) => cmd::lexicon::run(c),
        Command::EvalNer(a) => cmd::eval_ner::run(a),
        Command::EvalSentences(a) => cmd::eval_labels::sentences(a),
        Command::EvalAdmin1(a) => cmd::eval_labels::admin1(a),
        Command::Clean(a) => cmd::clean::run(a),
        Command::Ingest(a) => cmd::store::ingest(a),
        Command::Events(a) => cmd::store::events(a),
        Command::Search(a) => cmd::store::search(a),
        Command::Export(a) => cmd::store::export(a),
        Command::Watch(a) => cmd::store::watch(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Alerts(a) => cmd::alerts::run(a),
        Command::Worker(a) => cmd::worker::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("rasid: {e:#}");
            ExitCode::from(2)
        }
    }
}
