//! One stage of matching alone over a text file (one document per line), timed: for
//! comparing two builds run at the same time, one on each core, on a machine whose speed
//! moves with its neighbours' load (see README, Performance).
//!
//! `cargo run --release -p rasid-lexicon --example matching -- FILE [hits|walk|view]`
//!
//! `hits` (the default) is `Lexicon::hits` on every line; `walk` the view, its decoding
//! and the trie walks with no rules; `view` the normalization to the match view. Prints
//! the stage, a count (so that no work is optimized away) and the seconds.

use std::time::Instant;

/// The allocator the `rasid` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: matching FILE [hits|walk|view]");
    let stage = args.next().unwrap_or_else(|| "hits".into());
    let lex = rasid_lexicon::Lexicon::bundled().expect("lexicon");
    let text = std::fs::read_to_string(&path).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let t = Instant::now();
    let n: usize = match stage.as_str() {
        "hits" => lines.iter().map(|l| lex.hits(l).len()).sum(),
        "walk" => lines.iter().map(|l| lex.raw_hit_count(l)).sum(),
        "view" => lines
            .iter()
            .map(|l| rasid_lexicon::Lexicon::view(l).as_str().len())
            .sum(),
        other => panic!("unknown stage {other:?}: hits, walk or view"),
    };
    println!("{stage} {n} {:.3} s", t.elapsed().as_secs_f64());
}
