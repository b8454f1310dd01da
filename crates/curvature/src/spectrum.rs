//! The spectral theorem made computable (docs/theory.md §8).
//!
//! A symmetric `H` has real eigenvalues and an orthonormal basis of
//! eigenvectors: `H = Q Λ Qᵀ`. In that basis the quadratic form has no
//! cross terms: `xᵀ H x = Σᵢ λᵢ (vᵢᵀ x)²`, where `λᵢ` is the curvature along
//! the principal direction `vᵢ` and `(vᵢᵀ x)²` is how much of `x` lies
//! along it.

use saddle_dual::Hessian;

use crate::eigenvalues::EigenOptions;
use crate::error::{check_vector, Error};
use crate::linalg::{parallelism, symmetric_eigen_par};

/// `Q(x) = xᵀ H x = Σᵢ Σⱼ hᵢⱼ xᵢ xⱼ`, computed directly from the entries.
///
/// # Errors
/// If `x` does not have `n` finite entries, or the sum overflows (or `H`
/// has non-finite entries).
pub fn quadratic_form(h: &Hessian, x: &[f64]) -> Result<f64, Error> {
    check_vector("x", x, h.n())?;
    let q = (0..h.n())
        .map(|j| x[j] * h.column(j).iter().zip(x).map(|(a, b)| a * b).sum::<f64>())
        .sum();
    finite_result("xᵀHx", q)
}

/// `Ok(v)` if `v` is finite, else an error saying that `what` overflowed (or
/// met a non-finite entry of `H`).
fn finite_result(what: &str, v: f64) -> Result<f64, Error> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::non_finite(format!(
            "{what} is {v}: it overflows f64, or H has non-finite entries"
        )))
    }
}

/// Checks a dense symmetric eigenproblem's input: `n ≥ 1`, `a` has `n²`
/// entries, all finite (the first bad one is named).
pub(crate) fn check_square(n: usize, a: &[f64]) -> Result<(), Error> {
    if n == 0 || n.checked_mul(n) != Some(a.len()) {
        return Err(Error::size(format!(
            "expected a nonempty n×n matrix, got {} entries for n = {n}",
            a.len()
        )));
    }
    if let Some(k) = a.iter().position(|v| !v.is_finite()) {
        return Err(Error::non_finite(format!(
            "entry ({}, {}) is {}: must be finite",
            k % n,
            k / n,
            a[k]
        )));
    }
    Ok(())
}

/// The eigendecomposition `H = Q Λ Qᵀ` of a symmetric matrix.
///
/// # Which spectral routine
///
/// - **All eigenvalues and all eigenvectors** (`Q` itself: principal
///   contributions, reconstruction, a basis to project on): [`Eigen::of`].
///   Dense: `O(n²)` memory for `Q` and about `9n³` flops.
/// - **Eigenvalues only** (inertia, definiteness, classification, condition
///   number, spectral densities): [`eigenvalues`](crate::eigenvalues()) and
///   [`classify_values`](crate::classify_values). It skips the eigenvectors
///   and their back-transformation: the Householder tridiagonalisation
///   (`4n³/3` flops) and an `O(n²)` tridiagonal solve, against several
///   `n³` more for the vectors (the `eigen` bench prints the ratio
///   values-only / full for `n` = 369, 1000, 2000).
/// - **A few extreme eigenpairs** (the sharpest or most negative directions
///   of a large model, to plot or to escape a saddle along):
///   [`extreme_eigenpairs`](crate::extreme_eigenpairs), Lanczos on `v ↦ Hv`.
///   It needs only Hessian–vector products, never the dense `H`.
///
/// Threads: [`Eigen::of_with`] and
/// [`eigenvalues_with`](crate::eigenvalues_with) take [`EigenOptions`].
#[derive(Clone, Debug, PartialEq)]
pub struct Eigen {
    n: usize,
    values: Vec<f64>,
    /// Column-major: eigenvector `i` is `vectors[i·n .. (i+1)·n]`.
    vectors: Vec<f64>,
}

impl Eigen {
    /// Decomposes a Hessian. Its rounding-level asymmetry is removed first
    /// (the decomposition of `(H + Hᵀ)/2`); measure it beforehand with
    /// [`Hessian::asymmetry`] if it matters.
    ///
    /// ```
    /// use saddle_curvature::Eigen;
    /// use saddle_dual::Hessian;
    /// let h = Hessian::from_column_major(2, vec![2.0, 1.0, 1.0, 2.0])?;
    /// let e = Eigen::of(&h)?;
    /// assert!((e.values()[0] - 1.0).abs() < 1e-14 && (e.values()[1] - 3.0).abs() < 1e-14);
    /// assert!(e.orthonormality_error() < 1e-14);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// If an entry is not finite, an eigenvalue overflows `f64` (possible
    /// only for entries near `f64::MAX`), or the decomposition fails to
    /// converge.
    pub fn of(h: &Hessian) -> Result<Eigen, Error> {
        Eigen::of_with(h, &EigenOptions::default())
    }

    /// [`Eigen::of`] with options (threads for faer's kernels).
    ///
    /// # Errors
    /// As [`Eigen::of`], and if `options` is invalid
    /// ([`EigenOptions::threads`]).
    pub fn of_with(h: &Hessian, options: &EigenOptions) -> Result<Eigen, Error> {
        let mut sym = h.clone();
        sym.symmetrize();
        Eigen::of_symmetric_with(h.n(), sym.as_column_major(), options)
    }

    /// Decomposes a symmetric `n × n` matrix given column by column (only
    /// the lower triangle is read).
    ///
    /// # Errors
    /// If `n` is zero, `a` is not `n²` finite numbers, an eigenvalue
    /// overflows `f64`, or the decomposition fails.
    pub fn of_symmetric(n: usize, a: &[f64]) -> Result<Eigen, Error> {
        Eigen::of_symmetric_with(n, a, &EigenOptions::default())
    }

    /// [`Eigen::of_symmetric`] with options (threads for faer's kernels).
    ///
    /// # Errors
    /// As [`Eigen::of_symmetric`], and if `options` is invalid
    /// ([`EigenOptions::threads`]).
    pub fn of_symmetric_with(n: usize, a: &[f64], options: &EigenOptions) -> Result<Eigen, Error> {
        check_square(n, a)?;
        let par = parallelism(options.threads)?;
        let (values, vectors) = symmetric_eigen_par(n, a, par)?;
        Ok(Eigen { n, values, vectors })
    }

    /// The dimension.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The eigenvalues `λ₁ ≤ … ≤ λₙ` (all real: docs/theory.md §8).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The unit eigenvector `vᵢ` of `λᵢ`.
    ///
    /// # Panics
    /// If `i ≥ n`; [`Eigen::try_vector`] is the checked form.
    pub fn vector(&self, i: usize) -> &[f64] {
        match self.try_vector(i) {
            Some(v) => v,
            None => panic!("Eigen::vector({i}) out of range for n = {}", self.n),
        }
    }

    /// The unit eigenvector `vᵢ`, or `None` if `i ≥ n`.
    pub fn try_vector(&self, i: usize) -> Option<&[f64]> {
        (i < self.n).then(|| &self.vectors[i * self.n..(i + 1) * self.n])
    }

    /// `maxᵢⱼ |(QᵀQ − I)ᵢⱼ|`: how far the eigenvectors are from orthonormal
    /// (docs/theory.md §8; rounding level for a symmetric input).
    pub fn orthonormality_error(&self) -> f64 {
        let mut worst = 0.0_f64;
        for i in 0..self.n {
            for j in 0..=i {
                let d: f64 = self
                    .vector(i)
                    .iter()
                    .zip(self.vector(j))
                    .map(|(a, b)| a * b)
                    .sum();
                worst = worst.max((d - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        worst
    }

    /// `maxᵢⱼ |(H − QΛQᵀ)ᵢⱼ|`: how well the decomposition rebuilds `h`.
    ///
    /// # Errors
    /// If `h` is not `n × n`.
    pub fn reconstruction_error(&self, h: &Hessian) -> Result<f64, Error> {
        let n = self.n;
        if h.n() != n {
            return Err(Error::size(format!(
                "reconstruction_error: the Hessian is {}×{}, the decomposition {n}×{n}",
                h.n(),
                h.n()
            )));
        }
        let mut worst = 0.0_f64;
        for i in 0..n {
            for j in 0..n {
                let qlq: f64 = (0..n)
                    .map(|k| self.values[k] * self.vector(k)[i] * self.vector(k)[j])
                    .sum();
                // `max` would skip a NaN difference; keep it.
                let d = (h.get(i, j) - qlq).abs();
                worst = if d.is_nan() { d } else { worst.max(d) };
            }
        }
        Ok(worst)
    }

    /// The principal contributions `(vᵢᵀ x)²`, one per eigenvalue.
    ///
    /// # Errors
    /// If `x` does not have `n` finite entries, or a contribution overflows.
    pub fn contributions(&self, x: &[f64]) -> Result<Vec<f64>, Error> {
        check_vector("x", x, self.n)?;
        (0..self.n)
            .map(|i| {
                let c = self
                    .vector(i)
                    .iter()
                    .zip(x)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .powi(2);
                finite_result("(vᵢᵀx)²", c)
            })
            .collect()
    }

    /// `Q(x) = Σᵢ λᵢ (vᵢᵀ x)²`: the quadratic form rebuilt from the spectrum,
    /// with no cross terms (docs/theory.md §8).
    ///
    /// # Errors
    /// If `x` does not have `n` finite entries, or the sum overflows.
    pub fn quadratic_form(&self, x: &[f64]) -> Result<f64, Error> {
        let q = self
            .contributions(x)?
            .iter()
            .zip(&self.values)
            .map(|(c, l)| c * l)
            .sum();
        finite_result("Σ λᵢ (vᵢᵀx)²", q)
    }

    /// `|λ|max / |λ|min`: `∞` when an eigenvalue is exactly zero.
    pub fn condition_number(&self) -> f64 {
        let abs = self.values.iter().map(|l| l.abs());
        let (lo, hi) = abs.fold((f64::INFINITY, 0.0_f64), |(lo, hi), a| {
            (lo.min(a), hi.max(a))
        });
        if lo == 0.0 {
            f64::INFINITY
        } else {
            hi / lo
        }
    }

    /// The smallest eigenvalue.
    pub fn min(&self) -> f64 {
        self.values[0]
    }

    /// The largest eigenvalue.
    pub fn max(&self) -> f64 {
        self.values[self.n - 1]
    }
}
