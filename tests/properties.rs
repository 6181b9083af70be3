//! Property tests across modules: the vectorizer gives a valid CSR with ids
//! in range and the same result at 1 and 2 threads; passthrough is the
//! input plus one line for arbitrary bytes; the byte cap keeps a prefix.
//! Per-module properties live beside their code: tokenizer
//! (src/analyze/tests.rs), CSR build (src/dataset.rs), model save/load
//! (src/model.rs), svmlight write/read (src/svmlight.rs), passthrough on
//! short inputs (src/passthrough.rs).

use proptest::prelude::*;
use sparsetext::analyze::{Analyzer, AnalyzerConfig};
use sparsetext::corpus::{Corpus, Item, Label};
use sparsetext::dataset::Scheme;
use sparsetext::passthrough::{LineEnding, Stamper, insert_header};
use sparsetext::vectorize;

/// Bytes that look like mail often enough to reach the MIME code, or not at all.
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"Subject: ".to_vec()),
        Just(b"From: a@b.example.com\r\n".to_vec()),
        Just(b"Content-Type: multipart/alternative; boundary=q\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\n".to_vec()),
        Just(b"\n--q\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"http://spam.example.net/win ".to_vec()),
        "[a-z ]{0,30}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..30),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn corpus_of(messages: &[(Vec<u8>, bool)]) -> Corpus {
    let mut corpus = Corpus::default();
    for (i, (bytes, spam)) in messages.iter().enumerate() {
        let label = if *spam { Label::Spam } else { Label::Ham };
        // A header first, so no message is skipped as "not mail".
        let mut raw = b"Subject: m\n".to_vec();
        raw.extend_from_slice(bytes);
        corpus
            .items
            .push(Item::from_bytes(format!("m{i}"), Some(label), raw));
    }
    corpus
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn vectorizer_gives_valid_csr_and_the_same_result_at_1_and_2_threads(
        messages in proptest::collection::vec((mailish(), any::<bool>()), 1..24),
        min_df in 1u32..3,
    ) {
        let corpus = corpus_of(&messages);
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let run = |threads| {
            pool(threads).install(|| {
                vectorize::analyze(&corpus, &analyzer, &|_| ())
                    .to_dataset(min_df, Scheme::default())
                    .unwrap()
            })
        };
        let (one, vocab_one) = run(1);
        let (two, vocab_two) = run(2);
        prop_assert_eq!(&one, &two);
        prop_assert_eq!(vocab_one.terms(), vocab_two.terms());

        let x = &one.x;
        prop_assert!(x.is_csr());
        prop_assert_eq!(x.rows(), messages.len());
        prop_assert_eq!(x.cols(), vocab_one.len());
        let indptr = x.indptr().to_proper().to_vec();
        prop_assert_eq!(indptr[0], 0);
        prop_assert_eq!(indptr[x.rows()], x.nnz());
        prop_assert!(indptr.windows(2).all(|w| w[0] <= w[1]));
        for row in x.outer_iterator() {
            let ids = row.indices();
            prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted, distinct ids");
            prop_assert!(ids.iter().all(|&id| (id as usize) < vocab_one.len()));
        }
        prop_assert!(x.data().iter().all(|v| v.is_finite() && *v > 0.0));
        // Every term kept occurs in at least min_df messages.
        for id in 0..vocab_one.len() as u32 {
            prop_assert!(vocab_one.df(id) >= min_df);
        }
    }

    #[test]
    fn passthrough_is_the_input_less_incoming_fields_plus_ours_for_any_bytes(
        message in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..4096),
            mailish(),
            forged(),
        ],
        chunk in 1usize..64,
    ) {
        let field = "X-Sparsetext: unsure; p=0.5000";
        let out = insert_header(&message, field);
        prop_assert_eq!(&out, &crate::util::stamped(&message, field));
        // Streamed in chunks, the same bytes.
        let mut streamed = Vec::new();
        let mut stamper = Stamper::new(&mut streamed, field, LineEnding::detect(&message));
        for piece in message.chunks(chunk) {
            stamper.write(piece).unwrap();
        }
        stamper.finish().unwrap();
        prop_assert_eq!(streamed, out);
    }

    #[test]
    fn the_byte_cap_keeps_a_prefix_and_flags_exactly_the_longer_messages(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        cap in 1u64..700,
    ) {
        let item = Item::from_bytes("m", None, bytes.clone()).with_max_bytes(cap);
        let read = item.bytes().unwrap();
        let kept = bytes.len().min(cap as usize);
        prop_assert_eq!(&*read, &bytes[..kept]);
        prop_assert_eq!(read.truncated, bytes.len() as u64 > cap);
        // Reading through a pipe-like reader agrees.
        let piped = sparsetext::corpus::read_capped(&bytes[..], cap).unwrap();
        prop_assert_eq!(&piped[..], &bytes[..bytes.len().min(cap as usize + 1)]);
    }
}

/// Mail-like text carrying forged `X-Sparsetext` fields in any case, some folded.
fn forged() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just("X-Sparsetext: spam; p=1".to_string()),
        Just("x-sparseTEXT :ham".to_string()),
        Just("X-Sparsetext-Other: kept".to_string()),
        Just("\tfolded".to_string()),
        Just(" p=0.1".to_string()),
        "[A-Za-z-]{1,12}: [ -~]{0,20}",
        Just(String::new()),
    ];
    let ending = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (proptest::collection::vec(line, 0..12), ending)
        .prop_map(|(lines, eol)| lines.join(eol).into_bytes())
}
