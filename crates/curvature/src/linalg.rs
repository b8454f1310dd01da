//! The dense linear algebra saddle-curvature needs, from faer: symmetric
//! eigendecomposition and Cholesky and LU solves. Kept in one place so the
//! rest of the crate speaks plain slices, and so that every call into faer
//! leaves the vector registers clean ([`AvxClean`]).

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

use crate::avx::AvxClean;
use crate::error::Error;

/// The power of two `2ᵏ` nearest above `maxᵢⱼ |aᵢⱼ|` (1 for a zero matrix):
/// dividing by it is exact and brings every entry into `[−1, 1]`, so the
/// eigensolver's intermediate sums (norms, shifts) cannot overflow for any
/// finite input.
fn power_of_two_scale(a: &[f64]) -> f64 {
    let max = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if max == 0.0 {
        1.0
    } else {
        // exp2 of an integer in [−1074, 1024]: representable except 2¹⁰²⁴,
        // so cap at 2¹⁰²³ (entries then lie in [−2, 2], still safe).
        2.0_f64.powi(max.log2().ceil().clamp(-1022.0, 1023.0) as i32)
    }
}

/// Eigenvalues (ascending) and orthonormal eigenvectors (column-major,
/// column `i` for eigenvalue `i`) of the symmetric matrix `a` (`n × n`,
/// either storage order: only the lower triangle is read). `a` must be
/// finite (the callers check, naming the entry).
///
/// The matrix is scaled by a power of two before the decomposition and the
/// eigenvalues scaled back, so entries near `f64::MAX` work.
///
/// # Errors
/// If faer does not converge, or an eigenvalue overflows `f64` when scaled
/// back (|λ| > `f64::MAX` is possible: diag blocks of `MAX/2` entries).
pub(crate) fn symmetric_eigen(n: usize, a: &[f64]) -> Result<(Vec<f64>, Vec<f64>), Error> {
    debug_assert!(a.iter().all(|v| v.is_finite()));
    let scale = power_of_two_scale(a);
    let _clean = AvxClean;
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i] / scale);
    let evd = m.self_adjoint_eigen(Side::Lower).map_err(|e| {
        Error::eigen(format!(
            "symmetric eigendecomposition of a {n}×{n} matrix failed: {e:?}"
        ))
    })?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let values: Vec<f64> = (0..n).map(|i| s[i] * scale).collect();
    let vectors: Vec<f64> = (0..n * n).map(|k| u[(k % n, k / n)]).collect();
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::eigen(format!(
            "eigenvalue {k} of the {n}×{n} matrix is {}: |λ| exceeds f64::MAX \
             (the largest entry is {:e})",
            values[k],
            a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
        )));
    }
    if let Some(k) = vectors.iter().position(|v| !v.is_finite()) {
        return Err(Error::eigen(format!(
            "the eigensolver returned a non-finite eigenvector entry ({}, {}) = {} \
             for a finite {n}×{n} matrix",
            k % n,
            k / n,
            vectors[k]
        )));
    }
    Ok((values, vectors))
}

/// Solves `A x = b` for symmetric positive definite `A` (`n × n`, lower
/// triangle read) by Cholesky; `None` if `A` is not positive definite.
pub(crate) fn cholesky_solve(n: usize, a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let _clean = AvxClean;
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let llt = m.llt(Side::Lower).ok()?;
    let rhs = Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    let x = llt.solve(&rhs);
    let out: Vec<f64> = (0..n).map(|i| x[(i, 0)]).collect();
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// Solves the general square system `A x = b` by LU with partial pivoting;
/// `None` if the solution is not finite (a singular `A`).
pub(crate) fn lu_solve(n: usize, a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let _clean = AvxClean;
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let rhs = Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    let x = m.partial_piv_lu().solve(&rhs);
    let out: Vec<f64> = (0..n).map(|i| x[(i, 0)]).collect();
    out.iter().all(|v| v.is_finite()).then_some(out)
}
