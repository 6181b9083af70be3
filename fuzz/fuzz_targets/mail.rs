//! Mail parsing + tokenizing: any bytes give tokens, never a panic; tokens are
//! non-empty, counted in the notes, and the same on a second run.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sparsetext::analyze::{Analyzer, AnalyzerConfig};
use sparsetext::corpus::looks_like_mail;

static ANALYZER: LazyLock<Analyzer> = LazyLock::new(|| Analyzer::new(AnalyzerConfig::default()));

fuzz_target!(|raw: &[u8]| {
    let _ = looks_like_mail(raw);
    let mut tokens = Vec::new();
    let notes = ANALYZER.tokenize(raw, &mut |t| tokens.push(t.to_owned()));
    assert_eq!(notes.tokens, tokens.len());
    for t in &tokens {
        assert!(!t.is_empty(), "empty token");
    }
    let mut again = Vec::new();
    ANALYZER.tokenize(raw, &mut |t| again.push(t.to_owned()));
    assert_eq!(tokens, again, "tokenizing is deterministic");
});
