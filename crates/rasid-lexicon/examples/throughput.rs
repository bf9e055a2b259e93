//! Lexicon load time and matching throughput on a text file (one document per line).
//!
//! `cargo run --release -p rasid-lexicon --example throughput -- FILE`

use std::time::Instant;

/// The allocator the `rasid` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).expect("usage: throughput FILE");
    let t = Instant::now();
    let lex = rasid_lexicon::Lexicon::bundled().expect("lexicon");
    let load = t.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&path).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let t = Instant::now();
    let mut n = 0usize;
    for l in &lines {
        n += lex.find(l).len();
    }
    let secs = t.elapsed().as_secs_f64();
    let mb = text.len() as f64 / 1e6;
    let t = Instant::now();
    let hits: usize = lines.iter().map(|l| lex.hits(l).len()).sum();
    let hits_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let raw: usize = lines.iter().map(|l| lex.raw_hit_count(l)).sum();
    let raw_secs = t.elapsed().as_secs_f64();
    println!(
        "trie walk (view, decoding, walks; keys inside words dropped): {:.1} MB/s ({raw} raw hits)",
        mb / raw_secs
    );
    println!(
        "matching (walk, rules, spans, candidate repairs, longest hits): {:.1} MB/s ({hits} hits)",
        mb / hits_secs
    );
    println!(
        "load {load:.3} s ({} keys); matched {mb:.1} MB in {secs:.2} s = {:.1} MB/s, {n} entities",
        lex.key_count(),
        mb / secs
    );
}
