//! Every entity of every line of a text file (one document per line), one per output
//! line: line number, kind, id, source span, technique, and for places the precision,
//! feature and wider phrase. Two versions of the lexicon give outputs that `diff`
//! compares: a change to the matcher that should not change what is found is checked so.
//!
//! `cargo run --release -p rasid-lexicon --example dump -- FILE > entities.tsv`

use std::io::Write;

fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    let lex = rasid_lexicon::Lexicon::bundled().expect("lexicon");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, l) in text.lines().enumerate() {
        for e in lex.find(l) {
            let place = e
                .place
                .as_ref()
                .map(|p| (p.geo_precision, p.feature, p.phrase.clone()));
            writeln!(
                out,
                "{i}\t{}\t{}\t{:?}\t{:?}\t{:?}",
                e.kind.as_str(),
                e.id,
                e.src,
                e.technique,
                place
            )
            .expect("write");
        }
    }
}
