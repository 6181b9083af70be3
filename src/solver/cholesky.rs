//! Cholesky factorization `A = R^T R` of the support's Gram matrix, built
//! from the last support's factor where the support changed little, and the
//! solve with it.
//!
//! Matrices are `m x m`, row-major, the upper triangle used (the lower is
//! left alone: the support's Gram keeps its entries there for the next
//! build). The kernels run compiled for AVX2 where the CPU has it
//! ([`with_avx2`]).

/// Defines `$name`, which calls the kernel `$kernel` compiled for AVX2 when
/// the CPU has it (four doubles per instruction instead of SSE2's two; the
/// same operations elementwise, no reassociation or fused multiply-add, so
/// the same results) and as compiled for the baseline otherwise. std caches
/// the CPU check.
macro_rules! with_avx2 {
    ($(#[$attr:meta])* $vis:vis fn $name:ident = $kernel:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $kernel($($arg),*)
                }
                // SAFETY: the CPU has AVX2 (checked just now).
                return unsafe { avx2($($arg),*) };
            }
            $kernel($($arg),*)
        }
    };
}

/// The factor of the last support, to build the next one from: `r`
/// (`m x m`, from [`cholesky_factor`], overwritten) factors a matrix whose
/// rows and columns `live` (ascending) are the new matrix's leading block.
pub(crate) struct OldFactor<'a> {
    pub r: &'a mut [f64],
    pub m: usize,
    pub live: &'a [u32],
}

/// [`cholesky_factor`] of `A` from the factor of a matrix that shares its
/// leading block, `old` (the support lost the members not in `old.live` and
/// gained those after them). Deleting member q from `R^T R` leaves the rows
/// before it as they are and changes the factor S of the rows after it by a
/// rank-one update, `S'^T S' = S^T S + x x^T` with x row q of R after the
/// diagonal (Golub & Van Loan, "Matrix Computations", 6.5.4 on updating
/// factorizations; the update by plane rotations, as LINPACK's `dchud`).
/// The new members' columns of the kept rows then follow from the
/// triangular solve `R_11^T R_12 = A_12`, and only the new rows are
/// factored. A support that loses d members and gains k costs
/// `O(m^2 (d + k))` instead of `O(m^3)`. A frozen row after the first
/// deletion (a singular direction the update could not keep singular)
/// falls back to refactoring from there. `frozen` must hold `old`'s flags.
pub(crate) fn cholesky_factor_from(
    a: &mut [f64],
    frozen: &mut Vec<bool>,
    m: usize,
    min_pivot: f64,
    old: OldFactor,
) {
    let OldFactor { r, m: om, live } = old;
    let kept = live.len();
    // Rows before the first deletion are the old rows as they are.
    let same = live
        .iter()
        .enumerate()
        .take_while(|&(i, &q)| q as usize == i)
        .count();
    let k0 = if frozen[same.min(om)..].iter().any(|&f| f) {
        same
    } else {
        // Delete, last first, the old members not kept.
        let mut x = Vec::new();
        let mut next = kept;
        for q in (same..om).rev() {
            if next > 0 && live[next - 1] as usize == q {
                next -= 1;
                continue;
            }
            // S: the kept rows after q, live[next..]; x: row q over them.
            let rows = &live[next..];
            x.clear();
            x.extend(rows.iter().map(|&c| r[q * om + c as usize]));
            for (k, &rk) in rows.iter().enumerate() {
                let rk = rk as usize;
                let skk = r[rk * om + rk];
                let h = skk.hypot(x[k]);
                let (c, s) = (h / skk, x[k] / skk);
                r[rk * om + rk] = h;
                for (j, &cj) in rows.iter().enumerate().skip(k + 1) {
                    let e = &mut r[rk * om + cj as usize];
                    *e = (*e + s * x[j]) / c;
                    x[j] = c * x[j] - s * *e;
                }
            }
        }
        kept
    };
    for i in 0..k0 {
        let qi = live[i] as usize;
        for j in i..k0 {
            a[i * m + j] = r[qi * om + live[j] as usize];
        }
    }
    // The kept rows' flags, in place (live ascends, live[i] >= i).
    for i in 0..k0 {
        frozen[i] = frozen[live[i] as usize];
    }
    frozen.truncate(k0);
    frozen.resize(m, false);
    // The kept rows' entries in the new columns: R_11^T R_12 = A_12.
    factor_rows(a, m, 0..k0, k0, |a, i| {
        let d = a[i * m + i];
        if frozen[i] {
            a[i * m + k0..(i + 1) * m].fill(0.0);
        } else {
            for x in &mut a[i * m + k0..(i + 1) * m] {
                *x /= d;
            }
        }
    });
    cholesky_rows(a, frozen, m, min_pivot, k0);
}

with_avx2! {
    /// Row i of R, columns `from..m`: `a_i -= sum_{k in ks} R_ki R_k` (the
    /// up-looking Cholesky's update by the rows above, k < i).
    #[inline]
    fn subtract_rows = subtract_rows_any(
        a: &mut [f64],
        m: usize,
        i: usize,
        ks: std::ops::Range<usize>,
        from: usize,
    );
}

/// The kernel of [`subtract_rows`].
#[inline(always)]
fn subtract_rows_any(a: &mut [f64], m: usize, i: usize, ks: std::ops::Range<usize>, from: usize) {
    let (head, tail) = a.split_at_mut(i * m);
    let row = &mut tail[from..m];
    for k in ks {
        let rki = head[k * m + i];
        if rki != 0.0 {
            let rk = &head[k * m + from..(k + 1) * m];
            for (x, &r) in row.iter_mut().zip(rk) {
                *x -= rki * r;
            }
        }
    }
}

/// Rows of R in blocks of this many share each row above them as it
/// streams by (the factor of a support of a few hundred members outgrows
/// the L2 cache).
const BLOCK: usize = 4;

with_avx2! {
    /// [`subtract_rows`] for the `BLOCK` rows `i0..i0 + BLOCK` (row i from
    /// column `max(i, from)`), by all rows above the block, `k < i0`: each
    /// row k is read once for the block. The same operations in the same
    /// order as row by row, so the same results.
    fn subtract_rows_above_block = subtract_rows_above_block_any(
        a: &mut [f64],
        m: usize,
        i0: usize,
        from: usize,
    );
}

/// The kernel of [`subtract_rows_above_block`].
#[inline(always)]
fn subtract_rows_above_block_any(a: &mut [f64], m: usize, i0: usize, from: usize) {
    let (head, tail) = a.split_at_mut(i0 * m);
    let (r0, rest) = tail.split_at_mut(m);
    let (r1, rest) = rest.split_at_mut(m);
    let (r2, rest) = rest.split_at_mut(m);
    let r3 = &mut rest[..m];
    let start = |b: usize| (i0 + b).max(from);
    let shared = start(BLOCK - 1);
    for k in 0..i0 {
        let rk = &head[k * m..(k + 1) * m];
        let c = [rk[i0], rk[i0 + 1], rk[i0 + 2], rk[i0 + 3]];
        if c == [0.0; BLOCK] {
            continue;
        }
        for (b, row) in [&mut *r0, &mut *r1, &mut *r2].into_iter().enumerate() {
            if c[b] != 0.0 {
                for j in start(b)..shared {
                    row[j] -= c[b] * rk[j];
                }
            }
        }
        let rk = &rk[shared..];
        let (x0, x1, x2, x3) = (
            &mut r0[shared..],
            &mut r1[shared..],
            &mut r2[shared..],
            &mut r3[shared..],
        );
        for (j, &r) in rk.iter().enumerate() {
            x0[j] -= c[0] * r;
            x1[j] -= c[1] * r;
            x2[j] -= c[2] * r;
            x3[j] -= c[3] * r;
        }
    }
}

/// Factors a symmetric positive definite `A` (`m x m`, upper triangle
/// given, row-major) in place as `A = R^T R`, R upper triangular (Cholesky).
/// A direction whose pivot is below `min_pivot` (singular or nearly so: a
/// word found only in messages the fit already classifies with certainty) is
/// frozen: its row of R becomes the identity's, so the others solve the
/// system without it, and [`cholesky_apply`] sets its x to 0.
#[cfg(test)]
fn cholesky_factor(a: &mut [f64], frozen: &mut Vec<bool>, m: usize, min_pivot: f64) {
    frozen.clear();
    frozen.resize(m, false);
    cholesky_rows(a, frozen, m, min_pivot, 0);
}

/// Rows `from..m` of [`cholesky_factor`], the rows before them done.
fn cholesky_rows(a: &mut [f64], frozen: &mut [bool], m: usize, min_pivot: f64, from: usize) {
    factor_rows(a, m, from..m, 0, |a, i| {
        let d = a[i * m + i];
        if d.is_nan() || d <= min_pivot {
            a[i * m + i..(i + 1) * m].fill(0.0);
            a[i * m + i] = 1.0;
            frozen[i] = true;
            return;
        }
        let r = d.sqrt();
        for x in &mut a[i * m + i..(i + 1) * m] {
            *x /= r;
        }
    });
}

/// Rows `rows` of R, each from column `max(i, from)` on, one after the
/// other: [`subtract_rows`] by every row above (blocks of `BLOCK` rows
/// first take the rows above the block together), then `finish(a, i)`.
fn factor_rows(
    a: &mut [f64],
    m: usize,
    rows: std::ops::Range<usize>,
    from: usize,
    mut finish: impl FnMut(&mut [f64], usize),
) {
    let mut i0 = rows.start;
    while i0 < rows.end {
        let block = if i0 + BLOCK <= rows.end {
            subtract_rows_above_block(a, m, i0, from);
            BLOCK
        } else {
            subtract_rows(a, m, i0, 0..i0, i0.max(from));
            1
        };
        for i in i0..i0 + block {
            subtract_rows(a, m, i, i0..i, i.max(from));
            finish(a, i);
        }
        i0 += block;
    }
}

with_avx2! {
    /// Solves `R^T R x = b` in place for a factor from [`cholesky_factor`]
    /// (frozen directions get x = 0; their entries of R above the diagonal,
    /// set before they froze, are skipped that way). False if x is not finite.
    pub(crate) fn cholesky_apply = cholesky_apply_any(
        a: &[f64],
        frozen: &[bool],
        b: &mut [f64],
        m: usize,
    ) -> bool;
}

/// The kernel of [`cholesky_apply`].
#[inline(always)]
fn cholesky_apply_any(a: &[f64], frozen: &[bool], b: &mut [f64], m: usize) -> bool {
    // R^T y = b by rows of R: y_k = b_k / R_kk, then b_i -= R_ki y_k for
    // i > k (row k read in order, not column i across the rows).
    for k in 0..m {
        if frozen[k] {
            b[k] = 0.0;
            continue;
        }
        let yk = b[k] / a[k * m + k];
        b[k] = yk;
        if yk != 0.0 {
            for (bi, &r) in b[k + 1..].iter_mut().zip(&a[k * m + k + 1..(k + 1) * m]) {
                *bi -= r * yk;
            }
        }
    }
    // R x = y, row by row from the last.
    for i in (0..m).rev() {
        if frozen[i] {
            continue;
        }
        let row = &a[i * m + i + 1..(i + 1) * m];
        let v = b[i] - row.iter().zip(&b[i + 1..]).map(|(r, x)| r * x).sum::<f64>();
        b[i] = v / a[i * m + i];
    }
    b.iter().all(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_and_freezes_singular_directions() {
        // A = [[4, 2, 0], [2, 3, 0], [0, 0, 0]] (upper triangle given): the
        // third direction is singular, its step is 0 and the rest is exact.
        let mut a = vec![4.0, 2.0, 0.0, 9.0, 3.0, 0.0, 9.0, 9.0, 0.0];
        let mut b = vec![2.0, 5.0, 7.0];
        let mut frozen = Vec::new();
        cholesky_factor(&mut a, &mut frozen, 3, 1e-12);
        assert_eq!(frozen, vec![false, false, true]);
        assert!(cholesky_apply(&a, &frozen, &mut b, 3));
        // [[4, 2], [2, 3]] x = [2, 5]: x = (-0.5, 2).
        assert!(
            (b[0] + 0.5).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14,
            "{b:?}"
        );
        assert_eq!(b[2], 0.0);
        // Not positive definite: the pivot is negative, frozen too.
        let mut a = vec![1.0, 2.0, 0.0, 1.0];
        let mut b = vec![1.0, 1.0];
        cholesky_factor(&mut a, &mut frozen, 2, 1e-12);
        assert!(cholesky_apply(&a, &frozen, &mut b, 2));
        assert_eq!(b, vec![1.0, 0.0]);
    }

    /// The Cholesky by blocks of rows gives `R^T R = A` and leaves the
    /// lower triangle alone.
    #[test]
    fn blocked_cholesky_reproduces_the_matrix() {
        // A = B^T B + I, 11 x 11 (two blocks of rows and three single rows).
        let m = 11;
        let b: Vec<f64> = (0..m * 14)
            .map(|t| ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3))
            .collect();
        let full: Vec<f64> = (0..m * m)
            .map(|t| {
                let (i, j) = (t / m, t % m);
                (0..14).map(|k| b[k * m + i] * b[k * m + j]).sum::<f64>()
                    + if i == j { 1.0 } else { 0.0 }
            })
            .collect();
        let mut r = full.clone();
        let mut frozen = Vec::new();
        cholesky_factor(&mut r, &mut frozen, m, 1e-12);
        assert!(frozen.iter().all(|&f| !f));
        for i in 0..m {
            for j in i..m {
                let rtr: f64 = (0..=i).map(|k| r[k * m + i] * r[k * m + j]).sum();
                let want = full[i * m + j];
                assert!(
                    (rtr - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "({i}, {j})"
                );
            }
            // The lower triangle (the Gram kept for the next build) untouched.
            for j in 0..i {
                assert_eq!(r[i * m + j], full[i * m + j]);
            }
        }
    }

    /// The Cholesky kernels compiled for AVX2 (the ones this machine runs
    /// if it has it) give the baseline versions' results bit for bit.
    #[test]
    fn cholesky_kernels_agree_with_their_baseline_versions() {
        let m = 23;
        let a: Vec<f64> = (0..m * m)
            .map(|t| {
                ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3)
                    + if t % (m + 1) == 0 { 9.0 } else { 0.0 }
            })
            .collect();
        let (mut x, mut y) = (a.clone(), a.clone());
        subtract_rows_above_block(&mut x, m, 8, 10);
        subtract_rows_above_block_any(&mut y, m, 8, 10);
        subtract_rows(&mut x, m, 13, 2..13, 13);
        subtract_rows_any(&mut y, m, 13, 2..13, 13);
        assert!(x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()));
        let mut frozen = vec![false; m];
        frozen[5] = true;
        let mut b: Vec<f64> = (0..m).map(|i| (i as f64).sin()).collect();
        let mut c = b.clone();
        assert!(cholesky_apply(&a, &frozen, &mut b, m));
        assert!(cholesky_apply_any(&a, &frozen, &mut c, m));
        assert!(b.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()));
    }

    /// Building a factor from the last one (members dropped by rank-one
    /// updates, new members appended) gives the factor computed afresh, also
    /// when a singular direction forces the fallback.
    #[test]
    fn factor_from_the_last_one_matches_a_fresh_factor() {
        // M = B^T B + I (15 x 15), B pseudo-random; with `dup`, column 6
        // repeats column 5 and the identity is left out there: singular.
        let spd = |dup: bool| -> Vec<f64> {
            let b: Vec<f64> = (0..15 * 20)
                .map(|t| ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3))
                .collect();
            let col = |j: usize| if dup && j == 6 { 5 } else { j };
            let mut mm = vec![0.0; 225];
            for i in 0..15 {
                for j in 0..15 {
                    let (ci, cj) = (col(i), col(j));
                    mm[i * 15 + j] = (0..20)
                        .map(|k| b[k * 15 + ci] * b[k * 15 + cj])
                        .sum::<f64>()
                        + if i == j && !(dup && (i == 5 || i == 6)) {
                            1.0
                        } else {
                            0.0
                        };
                }
            }
            mm
        };
        let pick = |mm: &[f64], idx: &[usize]| -> Vec<f64> {
            let k = idx.len();
            let mut out = vec![0.0; k * k];
            for a in 0..k {
                for b in a..k {
                    out[a * k + b] = mm[idx[a] * 15 + idx[b]];
                }
            }
            out
        };
        for dup in [false, true] {
            let mm = spd(dup);
            let old_idx: Vec<usize> = (0..12).collect();
            let mut old = pick(&mm, &old_idx);
            let mut frozen = Vec::new();
            cholesky_factor(&mut old, &mut frozen, 12, 1e-9);
            assert_eq!(frozen.iter().any(|&f| f), dup);
            let live: Vec<u32> = vec![0, 1, 3, 4, 5, 6, 7, 8, 9];
            let mut new_idx: Vec<usize> = live.iter().map(|&q| q as usize).collect();
            new_idx.extend([12, 13, 14]);
            let m = new_idx.len();
            let mut fresh = pick(&mm, &new_idx);
            let mut fresh_frozen = Vec::new();
            cholesky_factor(&mut fresh, &mut fresh_frozen, m, 1e-9);
            let mut from = pick(&mm, &new_idx);
            let old = OldFactor {
                r: &mut old,
                m: 12,
                live: &live,
            };
            cholesky_factor_from(&mut from, &mut frozen, m, 1e-9, old);
            assert_eq!(frozen, fresh_frozen, "dup {dup}");
            for a in 0..m {
                for b in a..m {
                    let (x, y) = (from[a * m + b], fresh[a * m + b]);
                    assert!(
                        (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                        "dup {dup}, R[{a}][{b}]: {x} vs {y}"
                    );
                }
            }
        }
    }
}
