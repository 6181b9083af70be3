//! sparsetext: sparse (L1 / Elastic-Net) logistic regression text classifiers,
//! and a spam filter built on them.
//!
//! A sparse model keeps only the words that carry evidence, each with one weight: it is
//! small, fast to apply, and every decision can be explained as a sum of its words'
//! contributions. Each fit carries a duality gap that certifies how close to the optimum
//! it is ([`solver`]).
//!
//! Data flows one way, each stage in the module named for it:
//!
//! ```text
//! &[u8] -mail::parse-> Message -Analyzer-> tokens
//!   -Vocabulary-> ids -Dataset-> CSR (+ labels)        (vectorize: a corpus in parallel)
//!   -train (solver: path, CV | fixed lambda, certificate)-> Model
//!   -save/load-> Model -Scorer-> p(spam) -> Verdict
//! ```
//!
//! # Example
//!
//! Train on the bundled sample corpus at a fixed lambda, then classify a message (the
//! same as a program: `cargo run --example train_and_classify`):
//!
//! ```
//! use sparsetext::Error;
//! use sparsetext::corpus::Corpus;
//! use sparsetext::model::{Scorer, Verdict};
//! use sparsetext::train::{TrainParams, TrainingSet};
//!
//! let mut corpus = Corpus::default();
//! corpus.add_labeled_root("corpora/sample".as_ref())?;
//! // A fixed lambda is one fit; without it, 10-fold cross-validation chooses one.
//! let params = TrainParams::new().lambda(Some(3e-3)).check()?;
//! let set = TrainingSet::from_corpus(&corpus, &params)?;
//! let trained = set.train(&params)?;
//! assert!(trained.fit.converged);
//!
//! let scorer = Scorer::new(trained.model);
//! let message = b"Subject: Re: the 2002 conference\r\n\
//!                 Content-Type: text/plain\r\n\r\n\
//!                 Are you at the meeting? I can bring the list.\r\n";
//! let score = scorer.score(message);
//! assert_eq!(scorer.model().verdict(score.p_spam), Verdict::Ham);
//! for (word, contribution) in scorer.explain(message, 3) {
//!     println!("{word}: {contribution:+.3}");
//! }
//! Ok::<(), Error>(())
//! ```

pub mod analyze;
pub mod atomic;
pub mod corpus;
pub mod dataset;
pub mod error;
pub mod learn;
pub mod mail;
pub mod metrics;
pub mod model;
pub mod online;
pub mod passthrough;
pub mod report;
pub mod serve;
pub mod shards;
pub mod solver;
pub mod store;
pub mod svmlight;
pub mod train;
pub mod vectorize;
pub mod vocab;

pub use error::{Error, Result};
