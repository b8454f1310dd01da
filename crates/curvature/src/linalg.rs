//! The dense linear algebra saddle-curvature needs, from faer: symmetric
//! eigendecomposition and Cholesky and LU solves. Kept in one place so the
//! rest of the crate speaks plain slices, and so that every call into faer
//! leaves the vector registers clean ([`AvxClean`]).

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::linalg::solvers::Solve;
use faer::{Mat, Par, Side};

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

/// faer's parallelism for `threads` threads: sequential for 1, its rayon
/// kernels (on rayon's global pool) for more.
///
/// # Errors
/// If `threads` is 0, or more than 1 without the `parallel` feature (faer
/// is then built without rayon).
pub(crate) fn parallelism(threads: usize) -> Result<Par, Error> {
    match threads {
        0 => Err(Error::invalid(
            "EigenOptions::threads is 0: it must be at least 1",
        )),
        1 => Ok(Par::Seq),
        #[cfg(feature = "parallel")]
        k => Ok(Par::rayon(k)),
        #[cfg(not(feature = "parallel"))]
        k => Err(Error::invalid(format!(
            "EigenOptions::threads is {k}: more than 1 thread needs saddle-curvature's \
             `parallel` feature (faer's rayon kernels)"
        ))),
    }
}

/// The symmetric eigensolver shared by the two paths below: scales `a` by
/// a power of two, runs faer's self-adjoint EVD with `par` (eigenvectors
/// into `u` when given), scales the eigenvalues back and checks them.
fn scaled_evd(n: usize, a: &[f64], u: Option<&mut Mat<f64>>, par: Par) -> Result<Vec<f64>, Error> {
    debug_assert!(a.iter().all(|v| v.is_finite()));
    let scale = power_of_two_scale(a);
    let want = if u.is_some() {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let _clean = AvxClean;
    let m = Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i] / scale);
    let mut s = Diag::<f64>::zeros(n);
    let mut buf = MemBuffer::new(self_adjoint_evd_scratch::<f64>(
        n,
        want,
        par,
        Default::default(),
    ));
    self_adjoint_evd(
        m.as_ref(),
        s.as_mut(),
        u.map(|u| u.as_mut()),
        par,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| {
        Error::eigen(format!(
            "symmetric eigendecomposition of a {n}×{n} matrix failed: {e:?}"
        ))
    })?;
    let s = s.column_vector();
    let values: Vec<f64> = (0..n).map(|i| s[i] * scale).collect();
    all_finite(n, a, values)
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
pub(crate) fn symmetric_eigen_par(
    n: usize,
    a: &[f64],
    par: Par,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let mut u = Mat::<f64>::zeros(n, n);
    let values = scaled_evd(n, a, Some(&mut u), par)?;
    let vectors: Vec<f64> = (0..n * n).map(|k| u[(k % n, k / n)]).collect();
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

/// [`symmetric_eigen_par`] on one thread (small matrices: Lanczos's
/// tridiagonal ones).
///
/// # Errors
/// As [`symmetric_eigen_par`].
pub(crate) fn symmetric_eigen(n: usize, a: &[f64]) -> Result<(Vec<f64>, Vec<f64>), Error> {
    symmetric_eigen_par(n, a, Par::Seq)
}

/// The eigenvalues alone (ascending) of the symmetric matrix `a`, under
/// the same contract as [`symmetric_eigen_par`]: reduction to tridiagonal
/// form (`4n³/3` flops, half of them in matrix–vector products) and an
/// `O(n²)` eigenvalue iteration on the tridiagonal matrix without rotating
/// any vectors, skipping the divide-and-conquer eigenvectors and the
/// back-transformation by the Householder reflectors (each another
/// `~2n³`–`4n³/3`+ flops). On one thread with AVX2 and FMA this is
/// [`blocked_eigenvalues`] (faster than faer 0.24's reduction and
/// implicit QR at every `n` measured, 50–2000: the `curvature` bench);
/// otherwise faer's.
///
/// # Errors
/// As [`symmetric_eigen_par`].
pub(crate) fn symmetric_eigenvalues(n: usize, a: &[f64], par: Par) -> Result<Vec<f64>, Error> {
    #[cfg(target_arch = "x86_64")]
    if matches!(par, Par::Seq) && crate::symv::available() {
        return blocked_eigenvalues(n, a);
    }
    scaled_evd(n, a, None, par)
}

/// The one-thread eigenvalues-only path on CPUs with AVX2 and FMA: the blocked
/// Householder reduction of [`crate::tridiag`] (rank-2k trailing updates by
/// matrix product instead of faer 0.24's rank-2 update per column), then
/// the root-free QL/QR of [`crate::sterf`]. Same contract and prescaling by
/// a power of two as [`symmetric_eigen_par`].
///
/// # Errors
/// As [`symmetric_eigen_par`].
#[cfg(target_arch = "x86_64")]
fn blocked_eigenvalues(n: usize, a: &[f64]) -> Result<Vec<f64>, Error> {
    debug_assert!(a.iter().all(|v| v.is_finite()));
    debug_assert_eq!(a.len(), n * n);
    let scale = power_of_two_scale(a);
    let mut m: Vec<f64> = a.iter().map(|v| v / scale).collect();
    let (d, e) = {
        let _clean = AvxClean;
        // SAFETY: the caller checked AVX2 and FMA (`symv::available`).
        unsafe { crate::tridiag::tridiagonalize(n, &mut m) }
    };
    let values: Vec<f64> = crate::sterf::tridiagonal_eigenvalues(d, e)?
        .into_iter()
        .map(|v| v * scale)
        .collect();
    all_finite(n, a, values)
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

/// `values` if every eigenvalue is finite (after scaling back, `|λ|` can
/// exceed `f64::MAX` only when the entries of `a` are near it); otherwise
/// an error naming the first one and the largest entry.
fn all_finite(n: usize, a: &[f64], values: Vec<f64>) -> Result<Vec<f64>, Error> {
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::eigen(format!(
            "eigenvalue {k} of the {n}×{n} matrix is {}: |λ| exceeds f64::MAX \
             (the largest entry is {:e})",
            values[k],
            a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
        )));
    }
    Ok(values)
}
