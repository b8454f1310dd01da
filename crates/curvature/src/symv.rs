//! AVX2 + FMA kernels of the Householder tridiagonalisation ([`crate::tridiag`]):
//! the symmetric matrix–vector product that carries half of its flops and
//! nearly all of its memory traffic, and the dot products of its panel.
//!
//! Every function here requires AVX2 and FMA; callers check it once with
//! [`available`] and otherwise use faer's reduction instead.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Whether this CPU runs the kernels of this module (AVX2 and FMA, detected
/// at run time; false off x86-64).
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `y = A x` for the symmetric `m × m` matrix `A` of which only the lower
/// triangle is read: entry `(i, j)`, `i ≥ j`, is `a[j·ld + i]`.
///
/// One pass over the triangle (the memory-bound part of the reduction),
/// four columns at a time: below the 4 × 4 diagonal block each loaded
/// entry `aᵢⱼ` is used twice, `yᵢ += aᵢⱼ xⱼ` and `yⱼ += aᵢⱼ xᵢ`, and `y` is
/// loaded and stored once per four columns.
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`available`]).
///
/// # Panics
/// If `x` or `y` is shorter than `m`, or `a` than `(m − 1)·ld + m`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn symv_lower(m: usize, a: &[f64], ld: usize, x: &[f64], y: &mut [f64]) {
    if m == 0 {
        return;
    }
    assert!(x.len() >= m && y.len() >= m && ld >= m && a.len() >= (m - 1) * ld + m);
    y[..m].fill(0.0);
    let mut j = 0;
    while j + 4 <= m {
        // The 4 × 4 diagonal block, scalar.
        for c in 0..4 {
            let xc = x[j + c];
            let col = &a[(j + c) * ld..];
            let mut s = col[j + c] * xc;
            for r in c + 1..4 {
                let v = col[j + r];
                y[j + r] += v * xc;
                s += v * x[j + r];
            }
            y[j + c] += s;
        }
        let start = j + 4;
        let len = m - start;
        let body = len / 8 * 8;
        // SAFETY: rows start..start+body of columns j..j+4 lie inside `a`
        // (asserted length), and `x`, `y` have m ≥ start + body entries;
        // every access below is at offset < body from these pointers.
        unsafe {
            let c0 = a.as_ptr().add(j * ld + start);
            let c1 = c0.add(ld);
            let c2 = c1.add(ld);
            let c3 = c2.add(ld);
            let xp = x.as_ptr().add(start);
            let yp = y.as_mut_ptr().add(start);
            let (b0, b1, b2, b3) = (
                _mm256_set1_pd(x[j]),
                _mm256_set1_pd(x[j + 1]),
                _mm256_set1_pd(x[j + 2]),
                _mm256_set1_pd(x[j + 3]),
            );
            // Two accumulators per column hide the FMA latency.
            let mut acc = [_mm256_setzero_pd(); 8];
            let mut i = 0;
            while i < body {
                for h in 0..2 {
                    let o = i + 4 * h;
                    let xv = _mm256_loadu_pd(xp.add(o));
                    let mut yv = _mm256_loadu_pd(yp.add(o));
                    let a0 = _mm256_loadu_pd(c0.add(o));
                    let a1 = _mm256_loadu_pd(c1.add(o));
                    let a2 = _mm256_loadu_pd(c2.add(o));
                    let a3 = _mm256_loadu_pd(c3.add(o));
                    yv = _mm256_fmadd_pd(a0, b0, yv);
                    yv = _mm256_fmadd_pd(a1, b1, yv);
                    yv = _mm256_fmadd_pd(a2, b2, yv);
                    yv = _mm256_fmadd_pd(a3, b3, yv);
                    acc[4 * h] = _mm256_fmadd_pd(a0, xv, acc[4 * h]);
                    acc[4 * h + 1] = _mm256_fmadd_pd(a1, xv, acc[4 * h + 1]);
                    acc[4 * h + 2] = _mm256_fmadd_pd(a2, xv, acc[4 * h + 2]);
                    acc[4 * h + 3] = _mm256_fmadd_pd(a3, xv, acc[4 * h + 3]);
                    _mm256_storeu_pd(yp.add(o), yv);
                }
                i += 8;
            }
            for c in 0..4 {
                y[j + c] += sum4(_mm256_add_pd(acc[c], acc[4 + c]));
            }
        }
        // The last len mod 8 rows of the four columns, scalar.
        for i in start + body..m {
            let mut yi = y[i];
            for c in 0..4 {
                let v = a[(j + c) * ld + i];
                yi += v * x[j + c];
                y[j + c] += v * x[i];
            }
            y[i] = yi;
        }
        j += 4;
    }
    // The last m mod 4 columns, scalar.
    while j < m {
        let xj = x[j];
        let col = &a[j * ld..j * ld + m];
        let mut s = col[j] * xj;
        for i in j + 1..m {
            y[i] += col[i] * xj;
            s += col[i] * x[i];
        }
        y[j] += s;
        j += 1;
    }
}

/// The sum of the four lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn sum4(v: __m256d) -> f64 {
    let mut lanes = [0.0; 4];
    // SAFETY: `lanes` holds four f64 (unaligned store).
    unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), v) };
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// `Σᵢ uᵢ vᵢ` over the common length, four lanes and two accumulators.
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn dot(u: &[f64], v: &[f64]) -> f64 {
    let len = u.len().min(v.len());
    let body = len / 8 * 8;
    // SAFETY: every access is at offset < body ≤ len of both slices.
    let mut s = unsafe {
        let (up, vp) = (u.as_ptr(), v.as_ptr());
        let mut acc = [_mm256_setzero_pd(); 2];
        let mut i = 0;
        while i < body {
            acc[0] = _mm256_fmadd_pd(
                _mm256_loadu_pd(up.add(i)),
                _mm256_loadu_pd(vp.add(i)),
                acc[0],
            );
            acc[1] = _mm256_fmadd_pd(
                _mm256_loadu_pd(up.add(i + 4)),
                _mm256_loadu_pd(vp.add(i + 4)),
                acc[1],
            );
            i += 8;
        }
        sum4(_mm256_add_pd(acc[0], acc[1]))
    };
    for i in body..len {
        s += u[i] * v[i];
    }
    s
}

/// `y ← y + s·x` over the common length (plain loop, vectorised by the
/// compiler under AVX2 + FMA).
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn axpy(s: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += s * x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic matrix with distinct entries (lower triangle used).
    fn entry(i: usize, j: usize) -> f64 {
        ((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5
    }

    /// `symv_lower` against the plain double loop over the symmetric
    /// matrix, for every `m` up to 40 (the 4-column blocks, the 16-row
    /// loop, the masked tails and the scalar last columns) with `ld > m`.
    /// The sums differ only in order: `|Δ| ≤ 2·m·ε·Σⱼ|aᵢⱼ xⱼ|`, and with
    /// `|aᵢⱼ|, |xⱼ| ≤ 1` that is `≤ 2m²ε`; the entries above the diagonal
    /// are set to NaN to show they are never read.
    #[test]
    fn symv_lower_matches_naive_product() {
        if !available() {
            eprintln!("skipped: no AVX2 and FMA");
            return;
        }
        for m in 0..=40 {
            let ld = m + 3;
            let mut a = vec![f64::NAN; ld * m.max(1)];
            for j in 0..m {
                for i in j..m {
                    a[j * ld + i] = entry(i, j);
                }
            }
            let x: Vec<f64> = (0..m).map(|i| 1.0 - 0.03 * i as f64).collect();
            let mut y = vec![f64::NAN; m];
            // SAFETY: AVX2 and FMA checked above.
            unsafe { symv_lower(m, &a, ld, &x, &mut y) };
            for (i, yi) in y.iter().enumerate() {
                let want: f64 = (0..m).map(|j| entry(i.max(j), i.min(j)) * x[j]).sum();
                let tol = 2.0 * (m * m) as f64 * f64::EPSILON;
                assert!((yi - want).abs() <= tol, "m = {m}, y[{i}] = {yi} vs {want}");
            }
        }
    }

    /// `dot` for every length up to 40 against the plain sum; the values
    /// are small integers, so every partial sum is exact and the result
    /// must be too.
    #[test]
    fn dot_exact_on_integers() {
        if !available() {
            eprintln!("skipped: no AVX2 and FMA");
            return;
        }
        for len in 0..=40 {
            let u: Vec<f64> = (0..len).map(|i| (i % 7) as f64 - 3.0).collect();
            let v: Vec<f64> = (0..len).map(|i| (i % 5) as f64).collect();
            let want: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
            // SAFETY: AVX2 and FMA checked above.
            assert_eq!(unsafe { dot(&u, &v[..]) }, want, "len = {len}");
            // Unequal lengths: the common prefix.
            // SAFETY: as above.
            assert_eq!(
                unsafe { dot(&u, &v[..len / 2]) },
                u[..len / 2].iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
            );
        }
    }
}
