use std::io::Write;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let lex = rasid_lexicon::Lexicon::bundled().unwrap();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for (i, l) in text.lines().enumerate() {
        for e in lex.find(l) {
            writeln!(
                out,
                "{i}\t{}\t{}\t{:?}\t{:?}\t{:?}",
                e.kind.as_str(),
                e.id,
                e.src,
                e.technique,
                e.place
                    .as_ref()
                    .map(|p| (p.geo_precision, p.feature, p.phrase.clone()))
            )
            .unwrap();
        }
    }
}
