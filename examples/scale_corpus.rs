//! A large corpus the way a real stream grows, for bench/scale.sh: N messages
//! resampled (seeded) from a labeled corpus, written as `ham.mbox` and
//! `spam.mbox`, with a few percent of each body's words replaced by words drawn
//! from a heavy-tailed synthetic vocabulary, so that the vocabulary keeps
//! growing with N as a real one does (Heaps' law) instead of saturating at the
//! source corpus's.
//!
//! The synthetic word of rank k is drawn with probability proportional to
//! k^-(1 + a) (a discrete Pareto, i.e. Zipf's law with exponent 1 + a), by
//! inverting the continuous tail P(K >= k) = k^-a: k = floor(u^(-1/a)). Then n
//! draws hold about Gamma(1 - a) n^a distinct words (Karlin 1967, "Central
//! limit theorems for certain infinite urn schemes"): with a = 0.7 ten times
//! the messages give five times the new words.
//!
//! Usage: cargo run --release --example scale_corpus -- SOURCE OUT_DIR N [SEED]
//! (SOURCE: a folder of labeled sub-folders, e.g. corpora/spamassassin).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use sparsetext::corpus::{Corpus, Label};

/// The share of a body's words replaced by synthetic ones.
const REPLACED: f64 = 0.03;
/// The tail exponent a of the synthetic vocabulary (see the module docs).
const TAIL: f64 = 0.7;

/// SplitMix64 (Steele, Lea and Flood 2014): seeded, and the same on every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The synthetic word of rank `k`: consonant-vowel syllables, letters only, at
/// least four letters, so the analyzer keeps it as one word.
fn word(mut k: u64, out: &mut Vec<u8>) {
    const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    out.extend_from_slice(b"zy");
    loop {
        let syllable = (k % 70) as usize;
        out.push(CONSONANTS[syllable / 5]);
        out.push(VOWELS[syllable % 5]);
        k /= 70;
        if k == 0 {
            break;
        }
    }
}

/// A body word that may be replaced: 3 to 15 ASCII letters.
fn replaceable(token: &[u8]) -> bool {
    (3..=15).contains(&token.len()) && token.iter().all(u8::is_ascii_alphabetic)
}

/// `message` with its body's words replaced at rate [`REPLACED`], without a leading
/// `From ` envelope line, as one mboxrd entry (separator first, `>From ` quoted, a
/// blank line last).
fn write_entry(message: &[u8], rng: &mut SplitMix, out: &mut impl Write) -> std::io::Result<()> {
    let mut message = message;
    if message.starts_with(b"From ") {
        let end = memchr::memchr(b'\n', message).map_or(message.len(), |i| i + 1);
        message = &message[end..];
    }
    let body_at = memchr::memmem::find(message, b"\n\n").map_or(message.len(), |i| i + 2);
    let mut text = message[..body_at].to_vec();
    let body = &message[body_at..];
    let mut start = 0;
    while start < body.len() {
        let end = body[start..]
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .map_or(body.len(), |i| start + i);
        let token = &body[start..end];
        if replaceable(token) && rng.unit() < REPLACED {
            let rank = rng.unit().powf(-1.0 / TAIL).min(1e18) as u64;
            word(rank, &mut text);
        } else {
            text.extend_from_slice(token);
        }
        let next = body[end..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(body.len(), |i| end + i);
        text.extend_from_slice(&body[end..next]);
        start = next;
    }
    if !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    out.write_all(b"From scale@example.org Thu Jan  1 00:00:00 2026\n")?;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if line[quotes..].starts_with(b"From ") {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    out.write_all(b"\n")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, out_dir, n, rest @ ..] = args.as_slice() else {
        return Err("usage: scale_corpus SOURCE OUT_DIR N [SEED]".into());
    };
    let n: usize = n.parse()?;
    let seed: u64 = rest.first().map_or(Ok(1), |s| s.parse())?;
    let mut corpus = Corpus::default();
    corpus.add_labeled_root(source.as_ref())?;
    let (mut ham, mut spam) = (Vec::new(), Vec::new());
    for item in &corpus.items {
        if let Ok(bytes) = item.mail() {
            match item.label {
                Some(Label::Spam) => spam.push(bytes.to_vec()),
                _ => ham.push(bytes.to_vec()),
            }
        }
    }
    if ham.is_empty() || spam.is_empty() {
        return Err(format!("{source}: need both ham and spam").into());
    }
    let out_dir = PathBuf::from(out_dir);
    std::fs::create_dir_all(&out_dir)?;
    let mut ham_out = BufWriter::with_capacity(1 << 20, File::create(out_dir.join("ham.mbox"))?);
    let mut spam_out = BufWriter::with_capacity(1 << 20, File::create(out_dir.join("spam.mbox"))?);
    let mut rng = SplitMix(seed);
    // The source's spam share, message by message.
    let total = ham.len() + spam.len();
    for _ in 0..n {
        let k = rng.below(total);
        if k < spam.len() {
            write_entry(&spam[k], &mut rng, &mut spam_out)?;
        } else {
            write_entry(&ham[k - spam.len()], &mut rng, &mut ham_out)?;
        }
    }
    ham_out.flush()?;
    spam_out.flush()?;
    Ok(())
}
