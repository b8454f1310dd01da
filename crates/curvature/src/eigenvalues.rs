//! The spectrum without the eigenvectors.
//!
//! Inertia, definiteness, classification, condition numbers and spectral
//! densities need `λ₁ ≤ … ≤ λₙ` only. A dense symmetric eigensolver spends
//! most of its time on the vectors: after the Householder reduction
//! `H = P T Pᵀ` to tridiagonal `T` (`4n³/3` flops), the eigenvalues of `T`
//! cost `O(n²)`, while its eigenvectors (divide and conquer) and their
//! back-transformation by `P` cost several `n³` more. [`eigenvalues`] stops
//! after `T`'s eigenvalues.
//!
//! On one thread and an x86-64 CPU with AVX2 and FMA the reduction is this crate's own
//! blocked one (LAPACK `dsytrd`'s scheme: half the flops as rank-`2k`
//! matrix products, half in one read-only pass over the trailing triangle
//! per column) followed by root-free QL/QR on `T` (`dsterf`'s); faer 0.24's
//! reduction reads and writes the trailing triangle for every column, about
//! twice the memory traffic. Elsewhere (more threads, other CPUs) faer's
//! reduction and implicit QR run.

use saddle_dual::Hessian;

use crate::error::Error;
use crate::linalg::{parallelism, symmetric_eigenvalues};
use crate::spectrum::check_square;

/// Settings of the dense symmetric eigensolvers ([`eigenvalues_with`],
/// [`Eigen::of_with`](crate::Eigen::of_with)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EigenOptions {
    /// How many threads faer's kernels may use (at least 1).
    ///
    /// The default is **1**: a Hessian is usually analysed inside a larger
    /// computation (a training loop, a sweep over points, a test harness
    /// running in parallel) that owns the cores, and one thread gives
    /// results that are bitwise reproducible from run to run. With `k ≥ 2`
    /// (needs this crate's `parallel` feature, which turns on faer's rayon
    /// kernels) faer splits its blocked reductions and matrix products
    /// over `k` threads of rayon's global pool; the eigenvalues then agree
    /// with the one-thread ones to rounding level, not bitwise. (On one
    /// thread with AVX2 and FMA, [`eigenvalues`] runs this crate's blocked
    /// reduction instead of faer's; see the module docs.)
    pub threads: usize,
}

impl Default for EigenOptions {
    /// One thread (see [`EigenOptions::threads`]).
    fn default() -> Self {
        EigenOptions { threads: 1 }
    }
}

/// The eigenvalues `λ₁ ≤ … ≤ λₙ` of a Hessian, without eigenvectors: the
/// spectrum of `(H + Hᵀ)/2`, as in [`Eigen::of`](crate::Eigen::of) (its
/// rounding-level asymmetry removed first), on one thread.
///
/// The matrix is divided by a power of two `2ᵏ ≥ maxᵢⱼ |hᵢⱼ|` (exact) so
/// the solver's intermediate sums cannot overflow, and the eigenvalues are
/// multiplied back.
///
/// ```
/// use saddle_curvature::{eigenvalues, Eigen};
/// use saddle_dual::Hessian;
/// let h = Hessian::from_column_major(2, vec![2.0, 1.0, 1.0, 2.0])?;
/// let l = eigenvalues(&h)?;
/// assert!((l[0] - 1.0).abs() < 1e-14 && (l[1] - 3.0).abs() < 1e-14);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// If an entry is not finite (the entry is named), an eigenvalue overflows
/// `f64` (possible only for entries near `f64::MAX`), or the solver fails
/// to converge.
pub fn eigenvalues(h: &Hessian) -> Result<Vec<f64>, Error> {
    eigenvalues_with(h, &EigenOptions::default())
}

/// [`eigenvalues`] with options (threads for faer's kernels).
///
/// # Errors
/// As [`eigenvalues`], and if `options` is invalid
/// ([`EigenOptions::threads`]).
pub fn eigenvalues_with(h: &Hessian, options: &EigenOptions) -> Result<Vec<f64>, Error> {
    let mut sym = h.clone();
    sym.symmetrize();
    eigenvalues_of_symmetric(h.n(), sym.as_column_major(), options)
}

/// The eigenvalues (ascending) of a symmetric `n × n` matrix given column
/// by column (only the lower triangle is read).
///
/// # Errors
/// If `n` is zero, `a` is not `n²` finite numbers, `options` is invalid,
/// an eigenvalue overflows `f64`, or the solver fails.
pub fn eigenvalues_of_symmetric(
    n: usize,
    a: &[f64],
    options: &EigenOptions,
) -> Result<Vec<f64>, Error> {
    check_square(n, a)?;
    let par = parallelism(options.threads)?;
    symmetric_eigenvalues(n, a, par)
}
