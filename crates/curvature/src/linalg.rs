//! The dense linear algebra saddle-curvature needs, from faer: symmetric
//! eigendecomposition and Cholesky solves. Kept in one place so the rest of
//! the crate speaks plain slices.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

use crate::error::Error;

/// Eigenvalues (ascending) and orthonormal eigenvectors (column-major,
/// column `i` for eigenvalue `i`) of the symmetric matrix `a` (`n × n`,
/// either storage order: only the lower triangle is read).
pub(crate) fn symmetric_eigen(n: usize, a: &[f64]) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let evd = m.self_adjoint_eigen(Side::Lower).map_err(|e| {
        Error::new(format!(
            "symmetric eigendecomposition of a {n}×{n} matrix failed: {e:?}"
        ))
    })?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let values = (0..n).map(|i| s[i]).collect();
    let vectors = (0..n * n).map(|k| u[(k % n, k / n)]).collect();
    Ok((values, vectors))
}

/// Solves `A x = b` for symmetric positive definite `A` (`n × n`, lower
/// triangle read) by Cholesky; `None` if `A` is not positive definite.
pub(crate) fn cholesky_solve(n: usize, a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
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
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let rhs = Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    let x = m.partial_piv_lu().solve(&rhs);
    let out: Vec<f64> = (0..n).map(|i| x[(i, 0)]).collect();
    out.iter().all(|v| v.is_finite()).then_some(out)
}
