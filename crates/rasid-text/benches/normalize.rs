//! Criterion benchmark of the normalizer at both levels.
//!
//! Uses the SaudiNewsNet corpus from `../shared/data/news/` beside the project when it is
//! there (it is not shipped: non-commercial licence), else the bundled seed report.

use std::io::Read;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rasid_text::{candidates, CandidateConfig, Config, Level, Matcher, MatcherConfig, Normalizer};

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let gz = root.join("../shared/data/news/saudinewsnet.part1.jsonl.gz");
    if let Ok(f) = std::fs::File::open(&gz) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(f)
            .read_to_string(&mut s)
            .expect("gzip");
        let mut out = Vec::new();
        let mut bytes = 0;
        for line in s.lines() {
            let start = line
                .find("\"text\": \"")
                .or_else(|| line.find("\"text\":\""));
            if let Some(st) = start {
                // A cheap field extraction is enough for a benchmark corpus.
                let rest = &line[st..];
                let body = rest.split_once(":").map(|x| x.1).unwrap_or("");
                let t = body.trim_start().trim_start_matches('"');
                let t = t.split("\", \"").next().unwrap_or(t);
                bytes += t.len();
                out.push(t.replace("\\n", "\n"));
            }
            if bytes > 8_000_000 {
                break;
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    let seed = std::fs::read_to_string(root.join("tests/data/seed-raqqa.txt")).expect("seed");
    vec![seed; 200]
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    for level in [Level::Display, Level::Match] {
        let n = Normalizer::new(Config {
            level,
            ..Config::default()
        });
        g.bench_function(level.as_str(), |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| n.normalize(d).as_str().len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
    let small: Vec<&String> = docs.iter().take(200).collect();
    let sb: usize = small.iter().map(|d| d.len()).sum();
    let mut g = c.benchmark_group("search");
    g.throughput(Throughput::Bytes(sb as u64));
    g.sample_size(10);
    let cfg = CandidateConfig::default();
    g.bench_function("candidates", |b| {
        b.iter(|| {
            small
                .iter()
                .map(|d| candidates(d, &cfg).len())
                .sum::<usize>()
        })
    });
    let m = Matcher::new("تنظيم", MatcherConfig::default()).unwrap();
    g.bench_function("grep", |b| {
        b.iter(|| small.iter().map(|d| m.find_all(d).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
