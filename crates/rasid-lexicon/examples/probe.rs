fn main() {
    let lex = rasid_lexicon::Lexicon::bundled().unwrap();
    for w in std::env::args().skip(1) {
        println!("{w}: {:?}", lex.lookup(&w));
        for e in lex.find(&w) {
            println!("   {:?} {} {}", e.kind, e.id, e.text);
        }
    }
}
