//! svmlight / libsvm text format: write a labeled sparse matrix, read one back.
//!
//! One message per line: `LABEL IDX:VALUE IDX:VALUE ...`, labels `+1` spam and
//! `-1` ham (the reader also takes `1` / `0`), feature ids 1-based and strictly
//! increasing. The reader also accepts `qid:` pairs (ignored), `#` comments and
//! zero-based files (detected, as scikit-learn's `zero_based="auto"` does, by
//! the presence of id 0), so a matrix made by any tool can be trained on.
//!
//! Feature ids go up to [`MAX_FEATURE_ID`], but the matrix read has one column
//! per id that occurs ([`Svmlight::ids`] maps columns back to ids): a file whose
//! only ids are 1 and 1,000,000,000 gives two columns, so memory follows the
//! non-zeros of the file, never its largest id.
//!
//! ```
//! use sparsetext::svmlight;
//! let text = b"+1 1:1 3:2\n-1 2:1\n";
//! let data = svmlight::read_from(&text[..], "inline.svm".as_ref())?;
//! assert_eq!(data.x.rows(), 2);
//! assert_eq!(data.x.cols(), 3);
//! assert_eq!(data.y, vec![true, false]);
//! let mut out = Vec::new();
//! svmlight::write_to(&mut out, &data.x, &data.y)?;
//! assert_eq!(out, b"+1 1:1 3:2\n-1 2:1\n");
//! Ok::<(), sparsetext::Error>(())
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::dataset::Matrix;
use crate::error::{Error, Result};

/// The largest feature id the reader takes (`u32::MAX - 1`): ids index a
/// vocabulary's lines, and a column id must fit a `u32`.
pub const MAX_FEATURE_ID: u32 = u32::MAX - 1;

/// A labeled sparse matrix read from an svmlight file.
#[derive(Clone, Debug, PartialEq)]
pub struct Svmlight {
    /// Rows are messages (CSR); column `j` is the feature with id `ids[j]`.
    pub x: Matrix,
    /// `true` for spam (label > 0).
    pub y: Vec<bool>,
    /// The feature id of each column as written in the file, increasing: only
    /// the ids that occur with a non-zero value.
    pub ids: Vec<u32>,
    /// The file's first possible id: 1, or 0 for a zero-based file. Line N of a
    /// vocabulary is the term of id `N - 1 + first_id`.
    pub first_id: u32,
    /// The largest feature id in the file (0 without any), also of pairs whose
    /// value is 0.
    pub max_id: u32,
}

/// Reads an svmlight file.
pub fn read(path: &Path) -> Result<Svmlight> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    read_from(file, path)
}

/// Reads svmlight text from `reader`; `path` names it in errors.
pub fn read_from(reader: impl Read, path: &Path) -> Result<Svmlight> {
    let bad = |line: usize, reason: String| Error::Svmlight {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let mut reader = BufReader::new(reader);
    let mut indptr: Vec<usize> = vec![0];
    let mut indices: Vec<u32> = Vec::new();
    let mut data: Vec<f64> = Vec::new();
    let mut y = Vec::new();
    let mut saw_zero = false;
    let mut max_id = 0u32;
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        number += 1;
        let text = std::str::from_utf8(&line).map_err(|_| bad(number, "not UTF-8 text".into()))?;
        let text = text.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let mut fields = text.split_ascii_whitespace();
        let label = fields.next().unwrap_or_default();
        let label: f64 = label
            .parse()
            .map_err(|_| bad(number, format!("label {label:?} is not a number")))?;
        if !(label == 1.0 || label == -1.0 || label == 0.0) {
            return Err(bad(number, format!("label {label} is not +1, -1, 1 or 0")));
        }
        y.push(label > 0.0);
        let row_start = indices.len();
        for pair in fields {
            let (id, value) = pair
                .split_once(':')
                .ok_or_else(|| bad(number, format!("{pair:?} is not ID:VALUE")))?;
            if id == "qid" {
                continue;
            }
            let id: u64 = id
                .parse()
                .map_err(|_| bad(number, format!("feature id {id:?} is not a whole number")))?;
            let value: f64 = value
                .parse()
                .map_err(|_| bad(number, format!("value {value:?} is not a number")))?;
            if !value.is_finite() {
                return Err(bad(number, format!("value {value} is not finite")));
            }
            let id = match u32::try_from(id) {
                Ok(id) if id <= MAX_FEATURE_ID => id,
                _ => {
                    return Err(bad(
                        number,
                        format!("feature id {id} is too large (at most {MAX_FEATURE_ID})"),
                    ));
                }
            };
            if let Some(&last) = indices[row_start..].last()
                && id <= last
            {
                return Err(bad(
                    number,
                    format!("feature ids must increase: {id} after {last}"),
                ));
            }
            saw_zero |= id == 0;
            max_id = max_id.max(id);
            if value != 0.0 {
                indices.push(id);
                data.push(value);
            }
        }
        indptr.push(indices.len());
    }
    if y.is_empty() {
        return Err(bad(
            number,
            "no rows: the file holds no labeled line".into(),
        ));
    }
    let (ids, indices) = compact_columns(indices);
    let x = Matrix::new((y.len(), ids.len()), indptr, indices, data);
    Ok(Svmlight {
        x,
        y,
        ids,
        // One-based unless some id is 0 (scikit-learn's zero_based="auto").
        first_id: u32::from(!saw_zero),
        max_id,
    })
}

/// The distinct ids of `indices`, increasing, and `indices` turned into
/// positions among them: columns for the ids present only, in the same order.
fn compact_columns(mut indices: Vec<u32>) -> (Vec<u32>, Vec<u32>) {
    let mut ids = indices.clone();
    ids.sort_unstable();
    ids.dedup();
    ids.shrink_to_fit();
    match (ids.first(), ids.last()) {
        // Ids 1..=n without a gap (every file `vectorize` writes): a subtraction.
        (Some(&first), Some(&last)) if (last - first) as usize + 1 == ids.len() => {
            indices.iter_mut().for_each(|i| *i -= first);
        }
        _ => indices.iter_mut().for_each(|i| {
            *i = ids.binary_search(i).expect("every index is among the ids") as u32;
        }),
    }
    (ids, indices)
}

/// Writes `x` (CSR, sorted indices) with labels `y` (`true` = spam, `+1`) to `path`,
/// atomically: a temporary file renamed into place, so a failed write leaves no
/// partial file (and an earlier file at `path` untouched).
pub fn write(path: &Path, x: &Matrix, y: &[bool]) -> Result<()> {
    crate::atomic::write_atomic(path, |file| {
        let mut out = BufWriter::new(file);
        write_to(&mut out, x, y).map_err(|e| match e {
            Error::Io { source, .. } => source,
            other => std::io::Error::other(other.to_string()),
        })?;
        out.flush()
    })
}

/// Writes svmlight text to `out`.
///
/// Rows are formatted in parallel, in blocks of 256, and
/// written in order.
pub fn write_to(out: &mut impl Write, x: &Matrix, y: &[bool]) -> Result<()> {
    assert!(x.is_csr(), "svmlight::write_to needs a CSR matrix");
    assert_eq!(x.rows(), y.len(), "one label per row");
    let io = |e| Error::io("<output>", e);
    let starts: Vec<usize> = (0..x.rows()).step_by(WRITE_BLOCK_ROWS).collect();
    let blocks: Vec<Vec<u8>> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + WRITE_BLOCK_ROWS).min(x.rows());
            let mut text = Vec::new();
            for (row, &spam) in y.iter().enumerate().take(end).skip(start) {
                format_row(&mut text, x, row, spam);
            }
            text
        })
        .collect();
    for block in blocks {
        out.write_all(&block).map_err(io)?;
    }
    Ok(())
}

/// Rows per block formatted by one task in [`write_to`].
const WRITE_BLOCK_ROWS: usize = 256;

/// Appends row `row` of `x` as one svmlight line (column `c` is id `c + 1`).
fn format_row(text: &mut Vec<u8>, x: &Matrix, row: usize, spam: bool) {
    text.extend_from_slice(if spam { b"+1" } else { b"-1" });
    let line = x.outer_view(row).expect("row in bounds");
    for (&col, &value) in line.indices().iter().zip(line.data()) {
        text.push(b' ');
        push_decimal(text, u64::from(col) + 1);
        // Binary matrices are the common case: skip float formatting for 1.
        if value == 1.0 {
            text.extend_from_slice(b":1");
        } else {
            write!(text, ":{value}").expect("writing to a Vec cannot fail");
        }
    }
    text.push(b'\n');
}

/// Appends the decimal digits of `n` (what `{}` writes, without the
/// formatting machinery).
fn push_decimal(text: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    text.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Svmlight> {
        read_from(text.as_bytes(), Path::new("t.svm"))
    }

    #[test]
    fn blocks_are_written_in_row_order_with_std_formatting() {
        // 600 rows span three blocks; ids up to 6 digits, values binary and not.
        let rows = 600;
        let mut indptr = vec![0];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for r in 0..rows {
            for c in [r % 7, 10 + r, 99_990 + r] {
                indices.push(c as u32);
                data.push(if r % 3 == 0 { 1.0 } else { 0.25 + r as f64 });
            }
            indptr.push(indices.len());
        }
        let x = Matrix::new((rows, 100_600), indptr, indices, data);
        let y: Vec<bool> = (0..rows).map(|r| r % 2 == 0).collect();
        let mut expected = String::new();
        for (row, spam) in x.outer_iterator().zip(&y) {
            expected.push_str(if *spam { "+1" } else { "-1" });
            for (col, value) in row.iter() {
                if *value == 1.0 {
                    expected.push_str(&format!(" {}:1", col + 1));
                } else {
                    expected.push_str(&format!(" {}:{}", col + 1, value));
                }
            }
            expected.push('\n');
        }
        let mut out = Vec::new();
        write_to(&mut out, &x, &y).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn reads_zero_one_labels_comments_and_qid() {
        let data = parse("1 qid:3 2:0.5 # spam\n0 1:1\n\n# only a comment\n").unwrap();
        assert_eq!(data.y, vec![true, false]);
        assert_eq!(data.x.cols(), 2);
        assert_eq!(data.x.get(0, 1), Some(&0.5));
        assert_eq!(data.x.get(1, 0), Some(&1.0));
    }

    #[test]
    fn zero_based_files_are_detected() {
        let data = parse("+1 0:1 4:1\n").unwrap();
        assert_eq!((data.first_id, data.max_id), (0, 4));
        assert_eq!(data.ids, [0, 4]);
        assert_eq!(data.x.get(0, 0), Some(&1.0));
        assert_eq!(data.x.get(0, 1), Some(&1.0));
    }

    #[test]
    fn columns_are_the_ids_present_whatever_the_largest() {
        // Memory follows the non-zeros, not the largest id.
        let data = parse("+1 1000000000:1\n-1 1:1 7:0.5\n").unwrap();
        assert_eq!(data.x.cols(), 3);
        assert_eq!(data.ids, [1, 7, 1_000_000_000]);
        assert_eq!((data.first_id, data.max_id), (1, 1_000_000_000));
        assert_eq!(data.x.get(0, 2), Some(&1.0));
        assert_eq!(data.x.get(1, 1), Some(&0.5));
        let data = parse("+1 4294967294:1\n").unwrap();
        assert_eq!(data.ids, [MAX_FEATURE_ID]);
        let err = parse("+1 1:1\n-1 4294967295:1\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "t.svm:2: feature id 4294967295 is too large (at most 4294967294)"
        );
        assert!(parse("+1 99999999999999999999999:1\n").is_err());
    }

    #[test]
    fn explicit_zero_values_are_dropped() {
        let data = parse("+1 1:0 2:3\n").unwrap();
        assert_eq!(data.x.nnz(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("+1 1:1\n-1 3:1 2:1\n").unwrap_err().to_string();
        assert_eq!(err, "t.svm:2: feature ids must increase: 2 after 3");
        let err = parse("+1 1:1\nspam 2:1\n").unwrap_err().to_string();
        assert!(err.starts_with("t.svm:2: label"), "{err}");
        assert!(parse("2 1:1\n").is_err());
        assert!(parse("+1 1\n").is_err());
        assert!(parse("+1 x:1\n").is_err());
        assert!(parse("+1 1:nan\n").is_err());
        assert!(parse("").is_err());
        assert!(read_from(&b"+1 1:1\xff\n"[..], Path::new("t.svm")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn write_then_read_is_identity(
            rows in proptest::collection::vec(
                (proptest::bool::ANY, proptest::collection::btree_map(0u32..50, 1u32..5, 0..8)),
                1..20,
            )
        ) {
            let mut indptr: Vec<usize> = vec![0];
            let mut indices: Vec<u32> = Vec::new();
            let mut data = Vec::new();
            let mut y = Vec::new();
            for (spam, row) in &rows {
                y.push(*spam);
                for (&col, &value) in row {
                    indices.push(col);
                    data.push(f64::from(value) / 3.0);
                }
                indptr.push(indices.len());
            }
            let cols = indices.iter().max().map_or(0, |&m| m as usize + 1);
            let x = Matrix::new((rows.len(), cols), indptr, indices, data);
            let mut text = Vec::new();
            write_to(&mut text, &x, &y).unwrap();
            let back = read_from(&text[..], Path::new("t.svm")).unwrap();
            proptest::prop_assert_eq!(back.y, y);
            // Columns come back as the ids present; written ids are columns + 1.
            proptest::prop_assert_eq!(back.x.indptr().to_proper().to_vec(), x.indptr().to_proper().to_vec());
            let ids: Vec<u32> = back.x.indices().iter().map(|&c| back.ids[c as usize] - 1).collect();
            proptest::prop_assert_eq!(&ids[..], x.indices());
            proptest::prop_assert_eq!(back.x.data(), x.data());
        }
    }
}
