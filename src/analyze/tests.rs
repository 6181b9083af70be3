//! The analyzer's tests: tokens of each kind, notes, caches, and hostile
//! input.

use super::cache::{Caches, FeatureCache};
use super::emit::FeatureHits;
use super::test_util::{fixture, tokens, tokens_of_kinds, tokens_with};
use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

fn no_stem() -> AnalyzerConfig {
    AnalyzerConfig {
        stemmer: Stemmer::None,
        ..AnalyzerConfig::default()
    }
}

#[test]
fn header_words_are_tagged_and_distinct_from_body() {
    let t = tokens(b"Subject: free money\nX-Relay: from relay\n\nfree lunch\n");
    assert_eq!(t, ["subject:free", "subject:money", "free", "lunch"]);
}

#[test]
fn body_cannot_forge_a_tagged_token() {
    let t = tokens(b"Subject: x\n\nsubject:free\n");
    assert!(!t.iter().any(|t| t == "subject:free"), "{t:?}");
    assert!(t.contains(&"free".to_string()));
}

#[test]
fn header_fields_are_configurable() {
    let raw = b"Subject: hello\nX-Mailer: Bulk Blaster 3\nX-Relay: from relay.example.net\n\n";
    let (t, _) = tokens_with(no_stem(), raw);
    assert_eq!(t, ["subject:hello", "x-mailer:bulk", "x-mailer:blaster"]);
    let config = AnalyzerConfig {
        header_fields: vec!["x-relay".into()],
        ..no_stem()
    };
    let (t, _) = tokens_with(config, raw);
    assert_eq!(t, ["x-relay:from", "x-relay:relay.example.net"]);
}

#[test]
fn encoded_subject_is_decoded_before_tokenizing() {
    let t = tokens(&fixture("subject-latin1.eml"));
    assert!(t.contains(&"subject:café".to_string()), "{t:?}");
    assert!(t.contains(&"from:müller".to_string()), "{t:?}");
}

#[test]
fn content_type_gives_type_and_charset() {
    let t = tokens(b"Content-Type: text/plain; charset=\"GB2312\"; format=flowed\n\nhi there\n");
    assert_eq!(
        t,
        [
            "content-type:text/plain",
            "content-type:charset=gb2312",
            "hi",
            "there"
        ]
    );
}

#[test]
fn address_domains_with_suffixes() {
    let t = tokens(b"From: Deals <promo@mx1.deals.example.biz>\n\n");
    assert_eq!(
        t,
        [
            "from:deal",
            "from:promo",
            // UAX #29 breaks between a digit and '.' + letter.
            "from:mx1",
            "from:deals.example.biz",
            "from:@mx1.deals.example.biz",
            "from:@deals.example.biz",
            "from:@example.biz",
        ]
    );
    let config = AnalyzerConfig {
        address_domains: false,
        ..no_stem()
    };
    let (t, _) = tokens_with(config, b"From: promo@example.biz\n\n");
    assert_eq!(t, ["from:promo", "from:example.biz"]);
}

#[test]
fn word_pairs_join_adjacent_body_words_within_one_text() {
    let config = AnalyzerConfig {
        word_pairs: true,
        header_fields: vec![],
        ..no_stem()
    };
    let raw = b"Content-Type: multipart/alternative; boundary=b\n\n--b\n\
        Content-Type: text/plain\n\nclick here now\n--b\n\
        Content-Type: text/plain\n\nfree offer\n--b--\n";
    let (t, _) = tokens_with(config.clone(), raw);
    assert_eq!(
        t,
        [
            "click",
            "here",
            "click here",
            "now",
            "here now",
            "free",
            "offer",
            "free offer"
        ]
    );
    let (t, _) = tokens_with(
        AnalyzerConfig {
            word_pairs: false,
            ..config
        },
        raw,
    );
    assert!(!t.iter().any(|t| t.contains(' ')), "{t:?}");
}

#[test]
fn html_tags_tokens_name_the_markup() {
    let raw = b"Subject: x\nContent-Type: text/html\n\n\
        <html><body bgcolor=white><font COLOR=\"red\">Buy</font></body></html>\n";
    let config = AnalyzerConfig {
        html_tags: true,
        header_fields: vec![],
        ..no_stem()
    };
    let (t, _) = tokens_with(config.clone(), raw);
    assert_eq!(
        t,
        [
            "buy",
            "html:html",
            "html:body",
            "html:body.bgcolor",
            "html:font",
            "html:font.color"
        ]
    );
    let (t, _) = tokens_with(
        AnalyzerConfig {
            html_tags: false,
            ..config
        },
        raw,
    );
    assert_eq!(t, ["buy"]);
}

#[test]
fn url_hosts_and_ip() {
    let (t, _) = tokens_with(
        AnalyzerConfig {
            min_token_len: 3,
            ..no_stem()
        },
        b"Subject: x\n\ngo http://a.b.example.com/p now or http://10.1.2.3/x\n",
    );
    let urls: Vec<_> = t.iter().filter(|t| t.starts_with("url:")).collect();
    assert_eq!(
        urls,
        [
            "url:a.b.example.com",
            "url:b.example.com",
            "url:example.com",
            "url:10.1.2.3",
            "url:[ip]"
        ]
    );
    let config = AnalyzerConfig {
        host_suffixes: false,
        ..no_stem()
    };
    let (t, _) = tokens_with(config, b"Subject: x\n\nhttp://a.b.example.com/\n");
    assert!(t.contains(&"url:a.b.example.com".to_string()));
    assert!(!t.contains(&"url:example.com".to_string()));
    let config = AnalyzerConfig {
        url_hosts: false,
        ..no_stem()
    };
    let (t, _) = tokens_with(config, b"Subject: x\n\nhttp://a.b.example.com/\n");
    assert!(!t.iter().any(|t| t.starts_with("url:")), "{t:?}");
}

#[test]
fn html_href_hosts_become_tokens() {
    let t = tokens(&fixture("html.eml"));
    for want in [
        "url:pills.example.biz",
        "url:unsubscribe.example.org",
        "cheap",
    ] {
        assert!(t.contains(&want.to_string()), "{want} not in {t:?}");
    }
    assert!(!t.iter().any(|t| t == "href" || t == "color"), "{t:?}");
}

#[test]
fn attachments_give_type_and_extension() {
    let t = tokens(&fixture("nested-multipart.eml"));
    assert!(t.contains(&"attach:image/gif".to_string()), "{t:?}");
    assert!(t.contains(&"attach:.gif".to_string()), "{t:?}");
    assert!(t.contains(&"forward".to_string()), "{t:?}");
    let config = AnalyzerConfig {
        attachment_tokens: false,
        ..AnalyzerConfig::default()
    };
    let (t, _) = tokens_with(config, &fixture("nested-multipart.eml"));
    assert!(!t.iter().any(|t| t.starts_with("attach:")));
}

#[test]
fn text_cap_truncates_and_says_so() {
    let mut raw = b"Subject: x\n\n".to_vec();
    raw.extend(b"spam ".repeat(1000));
    let config = AnalyzerConfig {
        max_text_bytes: Some(50),
        ..no_stem()
    };
    let (t, notes) = tokens_with(config.clone(), &raw);
    assert!(notes.truncated);
    assert_eq!(t.iter().filter(|t| *t == "spam").count(), 10);
    // The same cap applies to a message decoded without it.
    let analyzer = Analyzer::new(config);
    let mut again = Vec::new();
    let notes = analyzer.emit(
        &mail::parse(&raw),
        &analyzer.all_kinds,
        Caches::default(),
        &mut |t: &str| again.push(t.to_string()),
    );
    assert_eq!(again, t);
    assert!(notes.truncated);
    let (t, notes) = tokens_with(no_stem(), &raw);
    assert!(!notes.truncated);
    assert_eq!(t.len(), 1000);
}

#[test]
fn notes_report_charset_and_damage() {
    let (_, notes) = tokens_with(no_stem(), &fixture("unknown-charset.eml"));
    assert_eq!(notes.unknown_charsets, ["x-martian-7"]);
    let (_, notes) = tokens_with(no_stem(), &fixture("invalid-utf8.eml"));
    assert!(notes.damaged);
    let (t, notes) = tokens_with(no_stem(), &fixture("base64.eml"));
    assert_eq!(t[4..], ["hello", "from", "base64", "body"]);
    assert_eq!(t[3], "content-transfer-encoding:base64");
    assert_eq!(
        notes,
        Notes {
            tokens: 8,
            ..Notes::default()
        }
    );
}

#[test]
fn every_fixture_yields_tokens() {
    let dir = format!("{}/tests/data/mail", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let (t, _) = tokens_with(AnalyzerConfig::default(), &std::fs::read(&path).unwrap());
        assert!(!t.is_empty(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 13);
}

#[test]
fn empty_input_yields_nothing() {
    let (t, notes) = tokens_with(AnalyzerConfig::default(), b"");
    assert!(t.is_empty());
    assert_eq!(notes, Notes::default());
}

/// Sample mails: a few fixtures and the first `n` bundled spam and ham.
fn sample_mails(n: usize) -> Vec<Vec<u8>> {
    let mut mails: Vec<Vec<u8>> = ["html.eml", "latin1.eml", "nested-multipart.eml"]
        .iter()
        .map(|name| fixture(name))
        .collect();
    for label in ["spam", "ham"] {
        let dir = format!("{}/corpora/sample/{label}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        mails.extend(names.iter().take(n).map(|p| std::fs::read(p).unwrap()));
    }
    mails
}

/// Features of `terms` (index = position) as a scorer looks them up.
fn feature_index(terms: &[String]) -> HashMap<&str, u32> {
    (terms.iter().enumerate())
        .map(|(j, t)| (t.as_str(), j as u32))
        .collect()
}

/// The feature hits with and without a feature `cache` are the features of
/// the tokens of the same kinds, in the same order, and count the same tokens.
fn assert_features_match_tokens(
    analyzer: &Analyzer,
    terms: &[String],
    raw: &[u8],
    cache: &mut FeatureCache,
) {
    let index = feature_index(terms);
    let lookup = |t: &str| index.get(t).copied();
    let kinds = analyzer.kinds_for(terms.iter().map(String::as_str));
    let mut expected = Vec::new();
    let notes = tokens_of_kinds(analyzer, raw, &kinds, &mut |t| {
        expected.extend(lookup(t));
    });
    let message = mail::parse_fields(raw, analyzer.config.max_text_bytes, &kinds.fields);
    for cache in [None, Some(&mut *cache)] {
        let cached = cache.is_some();
        let mut hits = Vec::new();
        let caches = Caches {
            stems: None,
            features: cache,
        };
        let hit = &mut |j| hits.push(j);
        let got = analyzer.emit(
            &message,
            &kinds,
            caches,
            &mut FeatureHits {
                lookup: &lookup,
                hit,
            },
        );
        assert_eq!(hits, expected, "cache {cached}");
        assert_eq!(got, notes, "cache {cached}");
    }
}

/// Terms of every kind from the sample mails: every `n`-th token.
fn sample_terms(analyzer: &Analyzer, mails: &[Vec<u8>], n: usize) -> Vec<String> {
    let mut all = Vec::new();
    for raw in mails {
        analyzer.tokenize(raw, &mut |t| all.push(t.to_string()));
    }
    all.sort();
    all.dedup();
    all.into_iter().step_by(n).collect()
}

/// The feature cache changes nothing: a warm cache replays what the chain
/// and the lookup would give, for every analyzer set-up (prefix-filtered or
/// not, word pairs, other stemmers, no folding).
#[test]
fn features_with_a_cache_match_tokens() {
    let mails = sample_mails(25);
    let configs = [
        AnalyzerConfig::default(),
        no_stem(),
        AnalyzerConfig {
            word_pairs: true,
            ..AnalyzerConfig::default()
        },
        AnalyzerConfig {
            stemmer: Stemmer::German,
            lowercase: false,
            min_token_len: 3,
            max_token_len: 12,
            ..AnalyzerConfig::default()
        },
    ];
    for config in configs {
        let analyzer = Analyzer::new(config);
        for n in [2, 5] {
            let terms = sample_terms(&analyzer, &mails, n);
            let mut cache = FeatureCache::default();
            // Twice over: the second round finds the words in the cache.
            for raw in mails.iter().chain(&mails) {
                assert_features_match_tokens(&analyzer, &terms, raw, &mut cache);
            }
        }
    }
}

#[test]
fn analyzer_is_shareable_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Analyzer>();
}

#[test]
fn clone_tokenizes_alike() {
    let a = Analyzer::new(AnalyzerConfig::default());
    let b = a.clone();
    let raw = fixture("html.eml");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.tokenize(&raw, &mut |t| x.push(t.to_string()));
    b.tokenize(&raw, &mut |t| y.push(t.to_string()));
    assert_eq!(x, y);
    assert_eq!(a.config(), b.config());
}

/// Bytes that look like mail often enough to reach the MIME code.
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"Subject: ".to_vec()),
        Just(b"From: a@b.example.com\r\n".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=b\n".to_vec()),
        Just(b"Content-Type: text/html; charset=koi8-r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\n".to_vec()),
        Just(b"Content-Transfer-Encoding: quoted-printable\n".to_vec()),
        Just(b"=?utf-8?b?w6k=?= =?iso-8859-1?q?=E9?=".to_vec()),
        Just(b"\n--b\n".to_vec()),
        Just(b"\n--b--\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"<a href=\"http://x.example.org/\">".to_vec()),
        Just("Grüße 日本語 İ ".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
        "[a-zA-Z0-9 .:/@<>=-]{0,40}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = tokens(&raw);
    }

    #[test]
    fn never_panics_on_mailish_bytes(raw in mailish()) {
        let _ = tokens(&raw);
    }

    #[test]
    fn features_with_a_warm_cache_match_tokens(raw in mailish()) {
        thread_local! {
            static SETUP: (Analyzer, Vec<String>, std::cell::RefCell<FeatureCache>) = {
                let analyzer = Analyzer::new(AnalyzerConfig::default());
                let mails = sample_mails(10);
                let terms = sample_terms(&analyzer, &mails, 3);
                let mut cache = FeatureCache::default();
                for raw in &mails {
                    assert_features_match_tokens(&analyzer, &terms, raw, &mut cache);
                }
                (analyzer, terms, std::cell::RefCell::new(cache))
            };
        }
        SETUP.with(|(analyzer, terms, cache)| {
            assert_features_match_tokens(analyzer, terms, &raw, &mut cache.borrow_mut());
        });
    }

    #[test]
    fn deterministic(raw in mailish()) {
        prop_assert_eq!(tokens(&raw), tokens(&raw));
    }

    #[test]
    fn no_empty_tokens(raw in mailish()) {
        prop_assert!(tokens(&raw).iter().all(|t| !t.is_empty()));
    }

    #[test]
    fn body_token_lengths_within_bounds(
        body in "\\PC{0,300}",
        min in 1usize..5,
        extra in 0usize..12,
        stem in any::<bool>(),
    ) {
        let config = AnalyzerConfig {
            stemmer: if stem { Stemmer::English } else { Stemmer::None },
            min_token_len: min,
            max_token_len: min + extra,
            header_fields: Vec::new(),
            url_hosts: false,
            attachment_tokens: false,
            ..AnalyzerConfig::default()
        };
        let raw = format!("Subject: x\n\n{body}");
        let (t, _) = tokens_with(config, raw.as_bytes());
        for token in t {
            let n = token.chars().count();
            prop_assert!((min..=min + extra).contains(&n), "{:?} has {} chars", token, n);
            prop_assert!(!token.contains(':'));
        }
    }
}

/// The SpamAssassin corpus: every message tokenizes, and how fast.
/// `cargo test --release --lib corpus_throughput -- --ignored --nocapture`
/// (`SPARSETEXT_CORPUS` overrides the directory).
#[test]
#[ignore = "needs the corpus; run in release mode"]
fn corpus_throughput() {
    let root = std::env::var("SPARSETEXT_CORPUS")
        .unwrap_or_else(|_| "/work/data/npm-spam-assassin".to_string());
    let mut mails = Vec::new();
    for folder in ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"] {
        let dir = std::path::Path::new(&root).join(folder);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        paths.sort();
        mails.extend(paths.into_iter().map(|p| (std::fs::read(&p).unwrap(), p)));
    }
    let bytes: usize = mails.iter().map(|(m, _)| m.len()).sum();
    let mb = bytes as f64 / 1e6;
    // Best of three passes, timed in this thread's CPU time
    // (/proc/thread-self/schedstat, ns on CPU) where Linux offers it,
    // since the machine may be shared.
    let cpu_time = || {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .map(std::time::Duration::from_nanos)
    };
    let best = |f: &dyn Fn() -> usize| {
        (0..3)
            .map(|_| {
                let (wall, cpu) = (std::time::Instant::now(), cpu_time());
                let n = f();
                let secs = match (cpu, cpu_time()) {
                    (Some(a), Some(b)) => (b - a).as_secs_f64(),
                    _ => wall.elapsed().as_secs_f64(),
                };
                (secs, n)
            })
            .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
    };
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let (parse_secs, texts) = best(&|| {
        mails
            .iter()
            .map(|(raw, _)| {
                mail::parse_limited(raw, analyzer.config().max_text_bytes)
                    .texts
                    .len()
            })
            .sum()
    });
    let unstemmed = Analyzer::new(AnalyzerConfig {
        stemmer: Stemmer::None,
        ..AnalyzerConfig::default()
    });
    let (unstemmed_secs, _) = best(&|| {
        let mut n = 0;
        for (raw, _) in &mails {
            unstemmed.tokenize(raw, &mut |_| n += 1);
        }
        n
    });
    let (secs, _) = best(&|| {
        let mut n = 0;
        for (raw, _) in &mails {
            analyzer.tokenize(raw, &mut |_| n += 1);
        }
        n
    });

    let (mut tokens, mut truncated, mut damaged, mut charsets) = (0, 0, 0, 0);
    let mut chars = 0;
    for (raw, path) in &mails {
        let mut n = 0;
        let notes = analyzer.tokenize(raw, &mut |t| {
            n += 1;
            chars += t.len();
        });
        assert!(n > 0, "no tokens from {}", path.display());
        tokens += n;
        truncated += usize::from(notes.truncated);
        damaged += usize::from(notes.damaged);
        charsets += usize::from(!notes.unknown_charsets.is_empty());
    }
    eprintln!(
        "{} messages, {mb:.1} MB, {texts} text parts: parse alone {:.1} MB/s; \
         parse+tokenize {secs:.2} s = {:.1} MB/s (unstemmed {:.1} MB/s), {tokens} tokens \
         ({:.0}/message, {:.1} bytes avg), {truncated} truncated, {damaged} damaged, \
         {charsets} with unknown charsets",
        mails.len(),
        mb / parse_secs,
        mb / secs,
        mb / unstemmed_secs,
        tokens as f64 / mails.len() as f64,
        chars as f64 / tokens as f64,
    );
    assert_eq!(mails.len(), 6046);
}

/// Huge inputs stay bounded: a 50 MB message with a big attachment and a
/// big text part, and a 100 MB single line.
/// `cargo test --release --lib huge_inputs -- --ignored --nocapture`
#[test]
#[ignore = "allocates ~300 MB; run in release mode"]
fn huge_inputs() {
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let mut big = b"Subject: big\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\
                    Content-Type: text/plain\n\n"
        .to_vec();
    big.extend(b"lorem ipsum dolor sit amet\n".repeat(1_000_000));
    big.extend(b"--zz\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n\n");
    big.extend(
        b"UEsDBBQAAAAIAAAAIQBQSwMEFAAAAAgAAAAhAFBLAwQUAAAACAAAACEAUEsDBBQAAAAI\n".repeat(350_000),
    );
    big.extend(b"--zz--\n");
    let line = vec![b'a'; 100_000_000];
    let mut line_words = b"Subject: one line\n\n".to_vec();
    line_words.extend(b"word ".repeat(20_000_000));
    for (name, raw) in [
        ("50 MB mime", &big),
        ("100 MB line", &line),
        ("100 MB body line", &line_words),
    ] {
        let start = std::time::Instant::now();
        let mut n = 0;
        let notes = analyzer.tokenize(raw, &mut |_| n += 1);
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{name}: {} MB, {secs:.2} s, {n} tokens, {notes:?}",
            raw.len() / 1_000_000
        );
        assert!(secs < 10.0, "{name} took {secs} s");
        assert!(n <= DEFAULT_MAX_TEXT_BYTES, "{name}: cap not applied");
    }
}

/// Prints the tokens of the mail files named in `SPARSETEXT_DUMP`
/// (separated by ':'), for eyeballing what the analyzer makes of them.
#[test]
#[ignore = "diagnostic: set SPARSETEXT_DUMP"]
fn dump_tokens() {
    let Ok(paths) = std::env::var("SPARSETEXT_DUMP") else {
        return;
    };
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    for path in paths.split(':') {
        let raw = std::fs::read(path).unwrap();
        let mut out = Vec::new();
        let notes = analyzer.tokenize(&raw, &mut |t| out.push(t.to_string()));
        eprintln!("== {path}: {notes:?}\n{}", out.join(" "));
    }
}
