//! One interface for curvature operators: anything that maps a direction
//! `v ∈ ℝⁿ` to `A v` for a fixed symmetric `n × n` matrix `A` (a Hessian,
//! a Gauss-Newton matrix, an empirical Fisher, a block of one of them)
//! without necessarily forming `A`.
//!
//! The trait lives here, in saddle-dual, because of the crate graph:
//! `saddle-tape ← saddle-dual ← {saddle-nn, saddle-curvature} ← saddle`.
//! saddle-nn implements it (loss Hessian, Gauss-Newton, empirical Fisher of
//! a network on a dataset) and saddle-curvature consumes it (Lanczos,
//! Hutchinson, SLQ, CG); saddle-dual is the one crate both see.

use std::marker::PhantomData;

use crate::drivers::Hessian;
use crate::error::Error;

/// How many columns [`LinearOperator::to_dense`] asks for at once by
/// default: enough for lane-parallel implementations of
/// [`LinearOperator::apply_columns`] to fill their lanes and threads, few
/// enough that the identity block stays small (`n × 64` numbers).
const DENSE_CHUNK: usize = 64;

/// A linear map `v ↦ A v` on `ℝⁿ`, with `A` a fixed (usually symmetric)
/// `n × n` matrix that need not be formed.
///
/// Only [`dim`](LinearOperator::dim) and [`apply`](LinearOperator::apply)
/// are required. [`apply_columns`](LinearOperator::apply_columns) (`A V`
/// for several directions) and [`to_dense`](LinearOperator::to_dense)
/// (`A` itself, column `j` being `A eⱼ`) have column-by-column defaults
/// that implementations override when they can do better (lanes, threads).
///
/// The error type is the implementation's own (saddle-nn's operators use
/// `saddle_nn::Error`); it must accept this crate's [`Error`], which the
/// defaults use to report a result of the wrong length.
///
/// ```
/// use saddle_dual::{FnOperator, LinearOperator};
///
/// // A = [[2, 1], [1, 3]] as a closure.
/// let a = FnOperator::new(2, |v: &[f64]| {
///     Ok::<_, saddle_dual::Error>(vec![2.0 * v[0] + v[1], v[0] + 3.0 * v[1]])
/// });
/// assert_eq!(a.apply(&[1.0, 0.0])?, vec![2.0, 1.0]);
/// assert_eq!(a.to_dense()?.to_row_major(), vec![2.0, 1.0, 1.0, 3.0]);
/// # Ok::<(), saddle_dual::Error>(())
/// ```
pub trait LinearOperator {
    /// What `apply` reports when it cannot compute `A v`.
    type Error: From<Error>;

    /// The dimension `n`.
    fn dim(&self) -> usize;

    /// `A v` for `v` of length [`dim`](LinearOperator::dim).
    ///
    /// # Errors
    /// As the implementation documents (at least: `v` of the wrong length
    /// or not finite).
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Self::Error>;

    /// `A V` for `m` directions stored one after another in `directions`
    /// (`n × m`, column-major); the result is `n × m`, column-major. The
    /// default calls [`apply`](LinearOperator::apply) once per column.
    ///
    /// # Errors
    /// If `directions.len()` is not a multiple of `n`, an `apply` fails,
    /// or returns a vector whose length is not `n`.
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Self::Error> {
        let n = self.dim();
        check_directions(n, directions)?;
        let mut out = Vec::with_capacity(directions.len());
        for v in directions.chunks_exact(n) {
            let av = self.apply(v)?;
            check_result_len(n, av.len())?;
            out.extend_from_slice(&av);
        }
        Ok(out)
    }

    /// The dense matrix `A`, column `j` being `A eⱼ`, from
    /// [`apply_columns`](LinearOperator::apply_columns) on blocks of unit
    /// vectors (64 at a time, so the identity is never formed whole).
    ///
    /// # Errors
    /// If `n = 0`, the `n × n` result cannot be allocated, or
    /// `apply_columns` fails.
    fn to_dense(&self) -> Result<Hessian, Self::Error> {
        let n = self.dim();
        if n == 0 {
            return Err(Error::setting("to_dense", "the operator has dimension 0").into());
        }
        let total = n
            .checked_mul(n)
            .ok_or_else(|| Error::setting("to_dense", format!("n = {n}: n² overflows usize")))?;
        let mut data = Vec::new();
        data.try_reserve_exact(total).map_err(|_| {
            Error::setting(
                "to_dense",
                format!(
                    "an {n}×{n} matrix ({:.1e} bytes) cannot be allocated",
                    (n as f64) * (n as f64) * 8.0
                ),
            )
        })?;
        let mut first = 0;
        while first < n {
            let m = DENSE_CHUNK.min(n - first);
            let mut units = vec![0.0; n * m];
            for k in 0..m {
                units[k * n + first + k] = 1.0;
            }
            let cols = self.apply_columns(&units)?;
            check_result_len(n * m, cols.len())?;
            data.extend_from_slice(&cols);
            first += m;
        }
        Ok(Hessian::from_column_major(n, data)?)
    }
}

/// An operator borrowed is an operator.
impl<O: LinearOperator + ?Sized> LinearOperator for &O {
    type Error = O::Error;

    fn dim(&self) -> usize {
        (**self).dim()
    }

    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Self::Error> {
        (**self).apply(v)
    }

    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Self::Error> {
        (**self).apply_columns(directions)
    }

    fn to_dense(&self) -> Result<Hessian, Self::Error> {
        (**self).to_dense()
    }
}

/// A closure `v ↦ A v` of known dimension as a [`LinearOperator`], so
/// plain Hessian-vector-product closures work wherever an operator is
/// expected.
///
/// The closure's error type `E` becomes the operator's; it must accept
/// [`Error`] (as `saddle_dual::Error` itself and `saddle_nn::Error` do).
pub struct FnOperator<F, E = Error> {
    dim: usize,
    f: F,
    error: PhantomData<fn() -> E>,
}

impl<F, E> FnOperator<F, E>
where
    F: Fn(&[f64]) -> Result<Vec<f64>, E>,
    E: From<Error>,
{
    /// The operator `v ↦ f(v)` on `ℝ^dim`.
    pub fn new(dim: usize, f: F) -> Self {
        FnOperator {
            dim,
            f,
            error: PhantomData,
        }
    }
}

impl<F, E> LinearOperator for FnOperator<F, E>
where
    F: Fn(&[f64]) -> Result<Vec<f64>, E>,
    E: From<Error>,
{
    type Error = E;

    fn dim(&self) -> usize {
        self.dim
    }

    /// `f(v)`, after checking `v`'s length and the result's.
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, E> {
        if v.len() != self.dim {
            return Err(Error::setting(
                "FnOperator::apply",
                format!(
                    "v has {} entries but the operator has dimension {}",
                    v.len(),
                    self.dim
                ),
            )
            .into());
        }
        let av = (self.f)(v)?;
        check_result_len(self.dim, av.len())?;
        Ok(av)
    }
}

fn check_directions(n: usize, directions: &[f64]) -> Result<(), Error> {
    if n == 0 || directions.is_empty() || directions.len() % n != 0 {
        return Err(Error::setting(
            "apply_columns",
            format!(
                "directions hold {} numbers, not a positive multiple of n = {n}",
                directions.len()
            ),
        ));
    }
    Ok(())
}

fn check_result_len(expected: usize, got: usize) -> Result<(), Error> {
    if expected != got {
        return Err(Error::setting(
            "LinearOperator",
            format!("apply returned {got} numbers, expected {expected}"),
        ));
    }
    Ok(())
}
