//! Blocked Householder reduction of a symmetric matrix to tridiagonal form,
//! for the eigenvalues-only path ([`crate::eigenvalues()`]).
//!
//! `A = Q T Qᵀ` with `Q = H₀ H₁ ⋯ H_{n−3}`, `Hⱼ = I − τⱼ vⱼ vⱼᵀ`, is built as
//! LAPACK's `dsytrd` / `dlatrd` (lower triangle) do it: columns are reduced
//! in panels of [`BLOCK`]; inside a panel each reflector needs the product
//! of the *not yet updated* trailing matrix with `vⱼ` ([`symv_lower`], one
//! pass over the triangle, memory-bound), corrected by the panel's earlier
//! reflectors through `W`; after the panel the trailing matrix takes the
//! rank-`2·BLOCK` update `A₂₂ ← A₂₂ − V Wᵀ − W Vᵀ` in one matrix product
//! (faer's, lower triangle only), which runs at matrix-multiply speed. faer
//! 0.24's own reduction instead reads *and writes* the whole trailing
//! triangle for every column (a rank-2 update fused with the product), twice
//! the memory traffic. Only `T` is kept: the eigenvalues-only path never
//! needs `Q`.

use faer::linalg::matmul::triangular::{matmul, BlockStructure};
use faer::{Accum, MatMut, MatRef, Par};

use crate::symv::{axpy, dot, symv_lower};

/// Panel width: LAPACK's `dsytrd` default (32).
const BLOCK: usize = 32;

/// The reflector `H = I − τ v vᵀ`, `v₀ = 1`, with `H (α, x)ᵀ = (β, 0)ᵀ`
/// (LAPACK's `dlarfg`): `β = −sign(α)·‖(α, x)‖`, `τ = (β − α)/β`, and `x`
/// overwritten by `v₁… = x/(α − β)`. Returns `(β, τ)`; `τ = 0` (`H = I`)
/// when `‖x‖² = 0`.
///
/// No rescaling loop as in `dlarfg`: the caller's matrix has entries in
/// `[−2, 2]` (power-of-two prescaling), so `‖x‖²` cannot overflow, and if
/// it underflows to 0 the `x` left in place are below `1e−154` — an error
/// `≤ √n·1e−154`, far under `ε‖A‖` for `‖A‖ ≥ 1/2`.
///
/// # Safety
/// AVX2 and FMA (for [`dot`]).
#[target_feature(enable = "avx2,fma")]
unsafe fn householder(alpha: f64, x: &mut [f64]) -> (f64, f64) {
    // SAFETY: the caller guarantees AVX2 and FMA.
    let xx = unsafe { dot(x, x) };
    if xx == 0.0 {
        return (alpha, 0.0);
    }
    let beta = -alpha.hypot(xx.sqrt()).copysign(alpha);
    let tau = (beta - alpha) / beta;
    let s = 1.0 / (alpha - beta);
    for v in x.iter_mut() {
        *v *= s;
    }
    (beta, tau)
}

/// Reduces the symmetric `n × n` matrix in `a` (column-major, lower
/// triangle read and overwritten) to tridiagonal `T` with the same
/// eigenvalues; returns `T`'s diagonal `d` (`n`) and subdiagonal `e`
/// (`n − 1`, empty for `n = 0`).
///
/// Backward stable: `T = Qᵀ (A + δA) Q` with `‖δA‖₂ ≤ c·n·ε·‖A‖₂`, like any
/// Householder reduction.
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`crate::symv::available`]).
///
/// # Panics
/// If `a.len() != n²`.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn tridiagonalize(n: usize, a: &mut [f64]) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n);
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n.saturating_sub(1)];
    // W of the current panel: rows p..n of the trailing matrix (row i at
    // i − p), BLOCK columns; t: the panel's small products Wᵀv and Vᵀv.
    let mut w = vec![0.0; n * BLOCK];
    let mut t = [0.0; BLOCK];
    let mut p = 0;
    while p < n {
        let m = n - p;
        let nb = BLOCK.min(m);
        // SAFETY: AVX2 and FMA as guaranteed by the caller.
        unsafe { panel(n, a, p, nb, &mut w[..m * nb], &mut t, &mut d, &mut e) };
        if nb < m {
            trailing_update(n, a, p, nb, &w[..m * nb]);
        }
        p += nb;
    }
    (d, e)
}

/// Reduces columns `p..p + nb` (LAPACK's `dlatrd`, lower): column `j`
/// first receives the panel's earlier reflectors,
/// `A[j.., j] −= A[j.., p..j]·W[j, ..]ᵀ + W[j.., ..]·A[j, p..j]ᵀ`, which
/// makes `d[j]` final; then (if `j < n − 1`) its reflector `vⱼ` is formed
/// below the subdiagonal and
/// `wⱼ = τ(A₀ v − V(Wᵀv) − W(Vᵀv)) − ½τ²(vᵀ(…))v` from the original trailing
/// `A₀`, so that the trailing matrix after the panel's reflectors is
/// `A₀ − V Wᵀ − W Vᵀ`. `v`'s unit entry is stored at `A[j + 1, j]`
/// (`e[j]` keeps `β`) as the rank-2k update needs.
///
/// # Safety
/// AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn panel(
    n: usize,
    a: &mut [f64],
    p: usize,
    nb: usize,
    w: &mut [f64],
    t: &mut [f64; BLOCK],
    d: &mut [f64],
    e: &mut [f64],
) {
    let m = n - p;
    for jj in 0..nb {
        let j = p + jj;
        // Update A[j.., j] by the panel's earlier reflectors.
        {
            let (left, right) = a.split_at_mut(j * n);
            let col = &mut right[j..n];
            for k in 0..jj {
                let vk = &left[(p + k) * n + j..(p + k) * n + n];
                let wk = &w[k * m + (j - p)..k * m + m];
                let (s_w, s_v) = (w[k * m + (j - p)], left[(p + k) * n + j]);
                // SAFETY: AVX2 and FMA as guaranteed by the caller.
                unsafe {
                    axpy(-s_w, vk, col);
                    axpy(-s_v, wk, col);
                }
            }
        }
        d[j] = a[j * n + j];
        if j + 1 == n {
            break;
        }
        let r = n - j - 1;
        let (left, right) = a.split_at_mut((j + 1) * n);
        let v = &mut left[j * n + j + 1..j * n + n];
        // SAFETY: AVX2 and FMA.
        let (beta, tau) = unsafe { householder(v[0], &mut v[1..]) };
        e[j] = beta;
        v[0] = 1.0;
        let v = &left[j * n + j + 1..j * n + n];
        let (w_prev, w_rest) = w.split_at_mut(jj * m);
        let wj = &mut w_rest[j + 1 - p..m];
        // SAFETY: AVX2 and FMA; the trailing matrix starts at (j+1, j+1),
        // i.e. offset j + 1 into `right`, with leading dimension n and r
        // rows and columns inside it.
        unsafe { symv_lower(r, &right[j + 1..], n, v, wj) };
        // wj −= V (Wᵀv) + W (Vᵀv) over the earlier panel columns.
        for k in 0..jj {
            let wk = &w_prev[k * m + (j + 1 - p)..k * m + m];
            // SAFETY: AVX2 and FMA.
            t[k] = unsafe { dot(wk, v) };
        }
        for k in 0..jj {
            let vk = &left[(p + k) * n + j + 1..(p + k) * n + n];
            // SAFETY: AVX2 and FMA.
            unsafe { axpy(-t[k], vk, wj) };
        }
        for k in 0..jj {
            let vk = &left[(p + k) * n + j + 1..(p + k) * n + n];
            // SAFETY: AVX2 and FMA.
            t[k] = unsafe { dot(vk, v) };
        }
        for k in 0..jj {
            let wk = &w_prev[k * m + (j + 1 - p)..k * m + m];
            // SAFETY: AVX2 and FMA.
            unsafe { axpy(-t[k], wk, wj) };
        }
        for x in wj.iter_mut() {
            *x *= tau;
        }
        // SAFETY: AVX2 and FMA.
        let alpha = -0.5 * tau * unsafe { dot(wj, v) };
        // SAFETY: AVX2 and FMA.
        unsafe { axpy(alpha, v, wj) };
        debug_assert_eq!(wj.len(), r);
    }
}

/// `A[p+nb.., p+nb..] −= V Wᵀ + W Vᵀ` on the lower triangle, as one
/// product `[V W]·[W V]ᵀ` of inner dimension `2·nb` (faer's triangular
/// matmul computes only the lower half of the destination).
fn trailing_update(n: usize, a: &mut [f64], p: usize, nb: usize, w: &[f64]) {
    let m = n - p;
    let r = m - nb;
    let q = p + nb;
    // P = [V | W], Q = [W | V], each r × 2nb, column-major.
    let mut pm = vec![0.0; r * 2 * nb];
    let mut qm = vec![0.0; r * 2 * nb];
    for k in 0..nb {
        let v = &a[(p + k) * n + q..(p + k) * n + n];
        let wk = &w[k * m + nb..k * m + m];
        pm[k * r..(k + 1) * r].copy_from_slice(v);
        pm[(nb + k) * r..(nb + k + 1) * r].copy_from_slice(wk);
        qm[k * r..(k + 1) * r].copy_from_slice(wk);
        qm[(nb + k) * r..(nb + k + 1) * r].copy_from_slice(v);
    }
    let lhs = MatRef::from_column_major_slice(&pm, r, 2 * nb);
    let rhs = MatRef::from_column_major_slice(&qm, r, 2 * nb);
    let dst = MatMut::from_column_major_slice_with_stride_mut(&mut a[q * n + q..], r, r, n);
    matmul(
        dst,
        BlockStructure::TriangularLower,
        Accum::Add,
        lhs,
        BlockStructure::Rectangular,
        rhs.transpose(),
        BlockStructure::Rectangular,
        -1.0,
        Par::Seq,
    );
}
