//! Criterion benchmarks of the lexicon: building it, and finding entities in news text
//! (the SaudiNewsNet corpus beside the project when present — it is not shipped — else
//! the bundled seed report).

use std::io::Read;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasid_lexicon::{Lexicon, LexiconBuilder};

/// The allocator the `rasid` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let gz = root.join("../shared/data/news/saudinewsnet.part1.jsonl.gz");
    if let Ok(f) = std::fs::File::open(&gz) {
        let mut s = String::new();
        if flate2::read::GzDecoder::new(f)
            .read_to_string(&mut s)
            .is_ok()
        {
            let docs: Vec<String> = s
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["text"].as_str().map(String::from))
                .take(2000)
                .collect();
            if !docs.is_empty() {
                return docs;
            }
        }
    }
    vec![std::fs::read_to_string(root.join("tests/data/seed-raqqa.txt")).expect("seed"); 100]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lexicon");
    g.sample_size(10);
    g.bench_function("build", |b| {
        b.iter(|| {
            LexiconBuilder::bundled()
                .unwrap()
                .build()
                .unwrap()
                .key_count()
        })
    });
    let lex = Lexicon::bundled().unwrap();
    let docs = corpus();
    g.throughput(Throughput::Bytes(docs.iter().map(|d| d.len() as u64).sum()));
    // The trie walk: normalization and every key at a word start or after a proclitic
    // chain, before suffix rules, repairs and place resolution.
    g.bench_function("walk", |b| {
        b.iter(|| docs.iter().map(|d| lex.raw_hit_count(d)).sum::<usize>())
    });
    // The matcher: the walk, the suffix and key rules, original spans, candidate repairs
    // confirmed, and the longest hits kept; before place resolution.
    g.bench_function("hits", |b| {
        b.iter(|| docs.iter().map(|d| lex.hits(d).len()).sum::<usize>())
    });
    g.bench_function("find", |b| {
        b.iter(|| docs.iter().map(|d| lex.find(d).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
