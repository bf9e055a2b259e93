//! Measure normalizer throughput on a text file, in memory, single thread.
//!
//! `cargo run --release -p rasid-text --example throughput -- FILE [display|match]`
//! reads FILE, normalizes every line (offset map built), and prints MB/s. Used by
//! `bench/compare-camel.sh` next to CAMeL Tools on the same lines.

use std::time::Instant;

use rasid_text::{Config, Level, Normalizer};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: throughput FILE [display|match]");
    let level = match args.next().as_deref() {
        Some("display") => Level::Display,
        _ => Level::Match,
    };
    let text = std::fs::read_to_string(&path).expect("read the corpus (UTF-8)");
    let lines: Vec<&str> = text.lines().collect();
    let n = Normalizer::new(Config {
        level,
        fold_case: true,
        record_repairs: true,
    });
    let mut best = f64::MAX;
    let mut out_bytes = 0usize;
    for _ in 0..3 {
        let t = Instant::now();
        out_bytes = 0;
        let mut v = rasid_text::View::default();
        for l in &lines {
            n.normalize_into(l, &mut v);
            out_bytes += v.as_str().len() + v.map().anchor_count();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "rasid {} level: {:.1} MB in {:.3} s = {:.1} MB/s (best of 3; {} lines; checksum {})",
        level.as_str(),
        mb,
        best,
        mb / best,
        lines.len(),
        out_bytes
    );
}
