//! Definiteness and critical points, with explicit tolerances.
//!
//! The three cases of docs/theory.md §7 — `xᵀHx > 0` for all `x ≠ 0`: minimum;
//! `< 0`: maximum; both signs: saddle — are not exhaustive. When some
//! eigenvalue is (numerically) zero and the others share a sign, the
//! second-order test is *inconclusive*: `x⁴ + y⁴` (a minimum), `x³ − 3xy²`
//! (a monkey saddle) and `−x⁴` (a maximum) all have a zero Hessian at the
//! origin. saddle calls such points **degenerate** and says so.
//!
//! "Numerically zero" needs a threshold: an eigenvalue counts as zero when
//! `|λ| ≤ eigen_abs + eigen_rel · maxⱼ |λⱼ|` ([`Tolerances`], which is all
//! [`inertia`] needs). Classifying a point needs one more number, separate
//! because it is about the gradient, not the spectrum: the point is
//! critical only when `‖∇f‖₂ ≤ gradient_tol` ([`GRADIENT_TOL`] by default).

use std::fmt;

use crate::error::{check_vector, Error};
use crate::spectrum::Eigen;

/// The default critical-point threshold of [`classify`]: a point is
/// critical when `‖∇f‖₂ ≤ 10⁻⁶`. Pass `f64::INFINITY` to classify the
/// Hessian alone (every point then counts as critical).
pub const GRADIENT_TOL: f64 = 1e-6;

/// When an eigenvalue counts as zero: `|λ| ≤ eigen_abs + eigen_rel ·
/// maxⱼ |λⱼ|`.
///
/// Valid tolerances ([`Tolerances::check`]) have `eigen_abs ≥ 0` finite and
/// `0 ≤ eigen_rel < 1`. A negative threshold would call eigenvalues of the
/// wrong sign positive or negative (with `eigen_abs = −10`, diag(−2, 3)
/// would be a "minimum"); `eigen_rel ≥ 1` would call every eigenvalue zero.
/// [`inertia`] and [`classify`] refuse invalid tolerances. (Whether a point
/// is critical is a separate threshold on the gradient: the `gradient_tol`
/// argument of [`classify`].)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// Absolute part of the zero-eigenvalue threshold.
    pub eigen_abs: f64,
    /// Relative part, times the largest `|λ|`.
    pub eigen_rel: f64,
}

impl Default for Tolerances {
    /// `eigen_rel = 1e-8`, `eigen_abs = 1e-12`.
    ///
    /// A symmetric eigensolver returns eigenvalues with absolute errors of
    /// about `n ε ‖H‖` (`≈ 2·10⁻¹³ ‖H‖` at `n = 1000`), and AD Hessians carry
    /// rounding of the same order; `10⁻⁸ ‖H‖` stays far above both, so an
    /// eigenvalue that is zero in exact arithmetic is never called nonzero,
    /// while a genuinely small curvature (relative `10⁻⁶`) still counts.
    fn default() -> Self {
        Tolerances {
            eigen_abs: 1e-12,
            eigen_rel: 1e-8,
        }
    }
}

impl Tolerances {
    /// Tolerances checked by [`Tolerances::check`].
    ///
    /// # Errors
    /// As [`Tolerances::check`].
    pub fn new(eigen_abs: f64, eigen_rel: f64) -> Result<Self, Error> {
        let t = Tolerances {
            eigen_abs,
            eigen_rel,
        };
        t.check()?;
        Ok(t)
    }

    /// Checks that the thresholds mean something: `eigen_abs` finite and
    /// `≥ 0`, `eigen_rel` in `[0, 1)`.
    ///
    /// # Errors
    /// Naming the first offending field and its value.
    pub fn check(&self) -> Result<(), Error> {
        let bad = |field: &str, value: f64, need: &str| {
            Err(Error::invalid(format!(
                "Tolerances::{field} is {value}: it must be {need}"
            )))
        };
        if !(self.eigen_abs >= 0.0 && self.eigen_abs.is_finite()) {
            return bad("eigen_abs", self.eigen_abs, "finite and ≥ 0");
        }
        if !(self.eigen_rel >= 0.0 && self.eigen_rel < 1.0) {
            return bad("eigen_rel", self.eigen_rel, "in [0, 1)");
        }
        Ok(())
    }

    /// The zero threshold `eigen_abs + eigen_rel · maxⱼ |λⱼ|` for the
    /// eigenvalues `values`: `|λ|` at most this counts as zero.
    ///
    /// # Errors
    /// If the tolerances are invalid ([`Tolerances::check`]), or `values`
    /// is empty or has a non-finite entry (named).
    pub fn zero_threshold(&self, values: &[f64]) -> Result<f64, Error> {
        self.check()?;
        check_values(values)?;
        let scale = values.iter().fold(0.0_f64, |m, l| m.max(l.abs()));
        Ok(self.eigen_abs + self.eigen_rel * scale)
    }
}

/// The critical-point threshold must be a number `≥ 0` (`+∞` allowed): a
/// NaN would make every point silently "not critical", a negative one too.
fn check_gradient_tol(gradient_tol: f64) -> Result<(), Error> {
    if gradient_tol >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "gradient_tol is {gradient_tol}: it must be ≥ 0 (+∞ allowed)"
        )))
    }
}

/// How many eigenvalues are negative, zero and positive (Sylvester's
/// inertia), under the given threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inertia {
    /// `λ < −threshold`.
    pub negative: usize,
    /// `|λ| ≤ threshold`.
    pub zero: usize,
    /// `λ > threshold`.
    pub positive: usize,
}

/// The definiteness of a symmetric matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Definiteness {
    /// Every eigenvalue positive: `xᵀHx > 0` for all `x ≠ 0`.
    PositiveDefinite,
    /// None negative, some zero.
    PositiveSemidefinite,
    /// Every eigenvalue negative.
    NegativeDefinite,
    /// None positive, some zero.
    NegativeSemidefinite,
    /// Both signs: `xᵀHx` takes both signs.
    Indefinite,
    /// Every eigenvalue zero.
    Zero,
}

/// What kind of point the gradient and Hessian describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriticalPoint {
    /// Critical, Hessian positive definite: a strict local minimum.
    Minimum,
    /// Critical, Hessian negative definite: a strict local maximum.
    Maximum,
    /// Critical, Hessian indefinite: a saddle point (whatever the zero
    /// eigenvalues do, some direction goes down and another up).
    Saddle,
    /// Critical, Hessian semidefinite with zero eigenvalues: the second-order
    /// test is inconclusive; higher derivatives decide.
    Degenerate,
    /// The gradient is not small: not a critical point at all.
    NotCritical,
}

/// The verdict on a point, with the numbers behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// The kind of point.
    pub kind: CriticalPoint,
    /// The Hessian's definiteness.
    pub definiteness: Definiteness,
    /// Counts of negative, zero and positive eigenvalues.
    pub inertia: Inertia,
    /// `‖∇f‖₂`.
    pub gradient_norm: f64,
    /// The smallest eigenvalue.
    pub min_eigenvalue: f64,
    /// The largest eigenvalue.
    pub max_eigenvalue: f64,
    /// `|λ|max / |λ|min`.
    pub condition_number: f64,
    /// The threshold under which an eigenvalue counted as zero.
    pub zero_threshold: f64,
}

/// The inertia of a spectrum under `tol`: `|λ| ≤ eigen_abs + eigen_rel ·
/// maxⱼ |λⱼ|` ([`Tolerances::zero_threshold`]) counts as zero.
/// [`inertia_of_values`] on `eigen.values()`.
///
/// # Errors
/// If `tol` is invalid ([`Tolerances::check`]).
pub fn inertia(eigen: &Eigen, tol: &Tolerances) -> Result<Inertia, Error> {
    inertia_of_values(eigen.values(), tol)
}

/// The inertia of the eigenvalues `values` (any order; from
/// [`eigenvalues`](crate::eigenvalues()), say, when no eigenvectors are
/// needed) under `tol`: `|λ| ≤ eigen_abs + eigen_rel · maxⱼ |λⱼ|`
/// ([`Tolerances::zero_threshold`]) counts as zero.
///
/// ```
/// use saddle_curvature::{inertia_of_values, Inertia, Tolerances};
/// let i = inertia_of_values(&[-2.0, 1e-15, 3.0], &Tolerances::default())?;
/// assert_eq!(i, Inertia { negative: 1, zero: 1, positive: 1 });
/// # Ok::<(), saddle_curvature::Error>(())
/// ```
///
/// # Errors
/// If `tol` is invalid ([`Tolerances::check`]), or `values` is empty or
/// has a non-finite entry (named).
pub fn inertia_of_values(values: &[f64], tol: &Tolerances) -> Result<Inertia, Error> {
    let threshold = tol.zero_threshold(values)?;
    let mut i = Inertia {
        negative: 0,
        zero: 0,
        positive: 0,
    };
    for &l in values {
        if l > threshold {
            i.positive += 1;
        } else if l < -threshold {
            i.negative += 1;
        } else {
            i.zero += 1;
        }
    }
    Ok(i)
}

/// A spectrum must be nonempty and finite (a NaN would count as "zero").
fn check_values(values: &[f64]) -> Result<(), Error> {
    if values.is_empty() {
        return Err(Error::invalid(
            "the eigenvalues are empty: a spectrum needs n ≥ 1",
        ));
    }
    check_vector("eigenvalues", values, values.len())
}

/// The definiteness implied by an inertia.
pub fn definiteness(i: Inertia) -> Definiteness {
    match (i.negative > 0, i.zero > 0, i.positive > 0) {
        (true, _, true) => Definiteness::Indefinite,
        (false, false, true) => Definiteness::PositiveDefinite,
        (false, true, true) => Definiteness::PositiveSemidefinite,
        (true, false, false) => Definiteness::NegativeDefinite,
        (true, true, false) => Definiteness::NegativeSemidefinite,
        (false, _, false) => Definiteness::Zero,
    }
}

/// Classifies a point from its gradient and the spectrum of its Hessian:
/// critical when `‖∇f‖₂ ≤ gradient_tol` ([`GRADIENT_TOL`] is the usual
/// choice), then minimum, maximum, saddle or degenerate by the inertia
/// under `tol`.
///
/// ```
/// use saddle_curvature::{classify, CriticalPoint, Eigen, Tolerances, GRADIENT_TOL};
/// use saddle_dual::Hessian;
/// // f = x² − y² at the origin: gradient 0, H = diag(2, −2).
/// let h = Hessian::from_column_major(2, vec![2.0, 0.0, 0.0, -2.0])?;
/// let c = classify(&[0.0, 0.0], &Eigen::of(&h)?, &Tolerances::default(), GRADIENT_TOL)?;
/// assert_eq!(c.kind, CriticalPoint::Saddle);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// If `tol` is invalid ([`Tolerances::check`]), `gradient_tol` is NaN or
/// negative, or `gradient` does not have the spectrum's `n` finite entries
/// (a NaN gradient would otherwise make the point silently "not
/// critical").
pub fn classify(
    gradient: &[f64],
    eigen: &Eigen,
    tol: &Tolerances,
    gradient_tol: f64,
) -> Result<Classification, Error> {
    classify_values(gradient, eigen.values(), tol, gradient_tol)
}

/// Classifies a point from its gradient and the eigenvalues of its Hessian
/// alone: [`classify`] without eigenvectors, for use with
/// [`eigenvalues`](crate::eigenvalues()) (which skips computing them).
/// `values` may be in any order.
///
/// ```
/// use saddle_curvature::{classify_values, eigenvalues, CriticalPoint, Tolerances, GRADIENT_TOL};
/// use saddle_dual::Hessian;
/// // f = x² − y² at the origin: gradient 0, H = diag(2, −2).
/// let h = Hessian::from_column_major(2, vec![2.0, 0.0, 0.0, -2.0])?;
/// let c = classify_values(&[0.0, 0.0], &eigenvalues(&h)?, &Tolerances::default(), GRADIENT_TOL)?;
/// assert_eq!(c.kind, CriticalPoint::Saddle);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// If `tol` is invalid ([`Tolerances::check`]), `gradient_tol` is NaN or
/// negative, `values` is empty or not finite, or `gradient` does not have
/// `values.len()` finite entries.
pub fn classify_values(
    gradient: &[f64],
    values: &[f64],
    tol: &Tolerances,
    gradient_tol: f64,
) -> Result<Classification, Error> {
    check_gradient_tol(gradient_tol)?;
    check_vector("gradient", gradient, values.len())?;
    // ‖g‖₂ scaled by its largest entry, so that a finite gradient of huge
    // entries does not overflow to +∞ (it is "not critical" either way, but
    // the reported norm should be right).
    let big = gradient.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
    let gradient_norm = if big == 0.0 {
        0.0
    } else {
        big * gradient
            .iter()
            .map(|g| (g / big).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let zero_threshold = tol.zero_threshold(values)?;
    let inertia = inertia_of_values(values, tol)?;
    let definiteness = definiteness(inertia);
    let kind = if !(gradient_norm <= gradient_tol) {
        CriticalPoint::NotCritical
    } else {
        match definiteness {
            Definiteness::PositiveDefinite => CriticalPoint::Minimum,
            Definiteness::NegativeDefinite => CriticalPoint::Maximum,
            Definiteness::Indefinite => CriticalPoint::Saddle,
            _ => CriticalPoint::Degenerate,
        }
    };
    Ok(Classification {
        kind,
        definiteness,
        inertia,
        gradient_norm,
        min_eigenvalue: values.iter().copied().fold(f64::INFINITY, f64::min),
        max_eigenvalue: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        condition_number: condition_number(values),
        zero_threshold,
    })
}

/// `|λ|max / |λ|min` of a spectrum: `∞` when an eigenvalue is exactly zero
/// (as [`Eigen::condition_number`]).
fn condition_number(values: &[f64]) -> f64 {
    let (lo, hi) = values.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), l| {
        (lo.min(l.abs()), hi.max(l.abs()))
    });
    if lo == 0.0 {
        f64::INFINITY
    } else {
        hi / lo
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CriticalPoint::Minimum => "a strict local minimum (Hessian positive definite)",
            CriticalPoint::Maximum => "a strict local maximum (Hessian negative definite)",
            CriticalPoint::Saddle => "a saddle point (the Hessian has eigenvalues of both signs)",
            CriticalPoint::Degenerate => {
                "degenerate: the Hessian is semidefinite with zero eigenvalues, so the second-order test is inconclusive"
            }
            CriticalPoint::NotCritical => "not a critical point (the gradient is not small)",
        };
        writeln!(f, "{what}")?;
        writeln!(f, "  ‖∇f‖ = {:.3e}", self.gradient_norm)?;
        writeln!(
            f,
            "  eigenvalues: {} negative, {} zero (|λ| ≤ {:.1e}), {} positive",
            self.inertia.negative, self.inertia.zero, self.zero_threshold, self.inertia.positive
        )?;
        write!(
            f,
            "  λmin = {:.6e}, λmax = {:.6e}, condition number {:.3e}",
            self.min_eigenvalue, self.max_eigenvalue, self.condition_number
        )
    }
}
