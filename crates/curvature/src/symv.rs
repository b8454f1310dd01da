//! AVX-512 kernels of the Householder tridiagonalisation ([`crate::tridiag`]):
//! the symmetric matrix–vector product that carries half of its flops and
//! nearly all of its memory traffic, and the dot products of its panel.
//!
//! Every function here requires AVX-512F; callers check it once with
//! [`available`] and otherwise use faer's reduction instead.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Whether this CPU runs the kernels of this module (AVX-512F, detected
/// at run time; false off x86-64).
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
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
/// The CPU must have AVX-512F ([`available`]).
///
/// # Panics
/// If `x` or `y` is shorter than `m`, or `a` than `(m − 1)·ld + m`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
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
        // SAFETY: rows start..m of columns j..j+4 lie inside `a` (asserted
        // length), and `x`, `y` have m entries; every access below is at
        // offset < len from these pointers or masked to it.
        unsafe {
            let c0 = a.as_ptr().add(j * ld + start);
            let c1 = c0.add(ld);
            let c2 = c1.add(ld);
            let c3 = c2.add(ld);
            let xp = x.as_ptr().add(start);
            let yp = y.as_mut_ptr().add(start);
            let (b0, b1, b2, b3) = (
                _mm512_set1_pd(x[j]),
                _mm512_set1_pd(x[j + 1]),
                _mm512_set1_pd(x[j + 2]),
                _mm512_set1_pd(x[j + 3]),
            );
            // Two accumulators per column hide the FMA latency.
            let mut acc = [_mm512_setzero_pd(); 8];
            let mut i = 0;
            while i + 16 <= len {
                for h in 0..2 {
                    let o = i + 8 * h;
                    let xv = _mm512_loadu_pd(xp.add(o));
                    let mut yv = _mm512_loadu_pd(yp.add(o));
                    let a0 = _mm512_loadu_pd(c0.add(o));
                    let a1 = _mm512_loadu_pd(c1.add(o));
                    let a2 = _mm512_loadu_pd(c2.add(o));
                    let a3 = _mm512_loadu_pd(c3.add(o));
                    yv = _mm512_fmadd_pd(a0, b0, yv);
                    yv = _mm512_fmadd_pd(a1, b1, yv);
                    yv = _mm512_fmadd_pd(a2, b2, yv);
                    yv = _mm512_fmadd_pd(a3, b3, yv);
                    acc[4 * h] = _mm512_fmadd_pd(a0, xv, acc[4 * h]);
                    acc[4 * h + 1] = _mm512_fmadd_pd(a1, xv, acc[4 * h + 1]);
                    acc[4 * h + 2] = _mm512_fmadd_pd(a2, xv, acc[4 * h + 2]);
                    acc[4 * h + 3] = _mm512_fmadd_pd(a3, xv, acc[4 * h + 3]);
                    _mm512_storeu_pd(yp.add(o), yv);
                }
                i += 16;
            }
            while i < len {
                let rem = (len - i).min(8);
                let mask: __mmask8 = ((1u32 << rem) - 1) as u8;
                let xv = _mm512_maskz_loadu_pd(mask, xp.add(i));
                let mut yv = _mm512_maskz_loadu_pd(mask, yp.add(i));
                let a0 = _mm512_maskz_loadu_pd(mask, c0.add(i));
                let a1 = _mm512_maskz_loadu_pd(mask, c1.add(i));
                let a2 = _mm512_maskz_loadu_pd(mask, c2.add(i));
                let a3 = _mm512_maskz_loadu_pd(mask, c3.add(i));
                yv = _mm512_fmadd_pd(a0, b0, yv);
                yv = _mm512_fmadd_pd(a1, b1, yv);
                yv = _mm512_fmadd_pd(a2, b2, yv);
                yv = _mm512_fmadd_pd(a3, b3, yv);
                acc[0] = _mm512_fmadd_pd(a0, xv, acc[0]);
                acc[1] = _mm512_fmadd_pd(a1, xv, acc[1]);
                acc[2] = _mm512_fmadd_pd(a2, xv, acc[2]);
                acc[3] = _mm512_fmadd_pd(a3, xv, acc[3]);
                _mm512_mask_storeu_pd(yp.add(i), mask, yv);
                i += rem;
            }
            for c in 0..4 {
                y[j + c] += _mm512_reduce_add_pd(_mm512_add_pd(acc[c], acc[4 + c]));
            }
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

/// `Σᵢ uᵢ vᵢ` over the common length, eight lanes at a time.
///
/// # Safety
/// The CPU must have AVX-512F ([`available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot(u: &[f64], v: &[f64]) -> f64 {
    let len = u.len().min(v.len());
    // SAFETY: every access is at offset < len or masked to it.
    unsafe {
        let (up, vp) = (u.as_ptr(), v.as_ptr());
        let mut acc = [_mm512_setzero_pd(); 2];
        let mut i = 0;
        while i + 16 <= len {
            acc[0] = _mm512_fmadd_pd(_mm512_loadu_pd(up.add(i)), _mm512_loadu_pd(vp.add(i)), acc[0]);
            acc[1] = _mm512_fmadd_pd(
                _mm512_loadu_pd(up.add(i + 8)),
                _mm512_loadu_pd(vp.add(i + 8)),
                acc[1],
            );
            i += 16;
        }
        while i < len {
            let rem = (len - i).min(8);
            let mask: __mmask8 = ((1u32 << rem) - 1) as u8;
            acc[0] = _mm512_fmadd_pd(
                _mm512_maskz_loadu_pd(mask, up.add(i)),
                _mm512_maskz_loadu_pd(mask, vp.add(i)),
                acc[0],
            );
            i += rem;
        }
        _mm512_reduce_add_pd(_mm512_add_pd(acc[0], acc[1]))
    }
}

/// `y ← y + s·x` over the common length (plain loop, vectorised by the
/// compiler under AVX-512).
///
/// # Safety
/// The CPU must have AVX-512F ([`available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn axpy(s: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += s * x;
    }
}
