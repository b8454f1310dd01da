//! The Gauss-Newton split of a Hessian, `H = G + R`.
//!
//! For a loss `L(θ) = ℓ(f(θ))` of a model's outputs `z = f(θ)`, the chain
//! rule twice gives
//!
//! ```text
//! H = ∇²L = Jᵀ H_z J + Σₖ (∂ℓ/∂zₖ) ∇²fₖ = G + R,
//! ```
//!
//! `J = ∂z/∂θ`, `H_z = ∇²_z ℓ`. The Gauss-Newton part `G` is positive
//! semidefinite whenever `ℓ` is convex in `z` (MSE, cross-entropy, Huber:
//! `vᵀGv = (Jv)ᵀ H_z (Jv) ≥ 0`); the residual part `R` carries the model's
//! own curvature weighted by the loss's slope, and vanishes where the model
//! fits its data exactly. So every direction in which `H` curves down is one
//! in which `R` curves down more: for an eigenpair `H u = λ u`, `λ < 0`,
//!
//! ```text
//! λ = uᵀGu + uᵀRu,  uᵀGu ≥ 0  ⇒  uᵀRu = λ − uᵀGu ≤ λ < 0,
//! ```
//!
//! and by Weyl's inequalities the counts of negative eigenvalues satisfy
//! `n₋(H) ≤ n₋(G) + n₋(R)`. [`gauss_newton_split`] measures all of it from
//! the two dense matrices.

use saddle_dual::Hessian;

use crate::classify::{Inertia, Tolerances};
use crate::eigenvalues::eigenvalues;
use crate::error::Error;
use crate::spectrum::Eigen;

/// How `H`'s negative curvature divides between `G` and `R`: sums over the
/// eigenpairs `(λᵢ, uᵢ)` of `H` with `λᵢ` below `−threshold`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NegativeCurvature {
    /// How many eigenvalues of `H` are below `−threshold`.
    pub count: usize,
    /// `Σ λᵢ` over them (`≤ 0`).
    pub total: f64,
    /// `Σ uᵢᵀ G uᵢ` (`≥ 0` up to rounding when `G ⪰ 0`).
    pub from_g: f64,
    /// `Σ uᵢᵀ R uᵢ = total − from_g`.
    pub from_r: f64,
    /// How many of these directions have `uᵢᵀ R uᵢ < −threshold`: all of
    /// them when `G ⪰ 0`, since then `uᵢᵀRuᵢ ≤ λᵢ < −threshold`. (Against
    /// the same threshold as the inertias: with `G = H`, `uᵀRu` is rounding
    /// noise of either sign and must not count.)
    pub r_negative: usize,
}

/// The spectra of `H`, `G` and `R = H − G` side by side, and how `H`'s
/// negative curvature divides between `G` and `R` (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussNewtonSplit {
    /// Eigenvalues of `H`, ascending.
    pub h: Vec<f64>,
    /// Eigenvalues of `G`, ascending.
    pub g: Vec<f64>,
    /// Eigenvalues of `R = H − G`, ascending.
    pub r: Vec<f64>,
    /// One zero threshold for all three spectra, from `H`'s scale:
    /// `eigen_abs + eigen_rel · max|λ(H)|`, so the counts compare.
    pub threshold: f64,
    /// Inertia of `H` under `threshold`.
    pub inertia_h: Inertia,
    /// Inertia of `G` under `threshold` (`negative = 0` means `G` is PSD
    /// within the threshold).
    pub inertia_g: Inertia,
    /// Inertia of `R` under `threshold`.
    pub inertia_r: Inertia,
    /// `‖R‖_F / ‖H‖_F` (`0` when `H = 0`): how far the Hessian is from its
    /// Gauss-Newton part.
    pub residual_share: f64,
    /// `λmin(G) / max|λ(G)|` (`0` when `G = 0`): about `−1e-16` for a PSD
    /// `G` computed in `f64`, clearly negative when `G` is not PSD.
    pub g_min_relative: f64,
    /// `H`'s negative curvature, divided between `G` and `R`.
    pub negative: NegativeCurvature,
}

impl GaussNewtonSplit {
    /// The `k` largest eigenvalues of `H` and of `G`, largest first, as
    /// pairs `(λ(H), λ(G))` (fewer when `n < k`).
    pub fn top(&self, k: usize) -> Vec<(f64, f64)> {
        self.h
            .iter()
            .rev()
            .zip(self.g.iter().rev())
            .take(k)
            .map(|(&a, &b)| (a, b))
            .collect()
    }
}

/// Splits `H = G + R` and compares the three spectra.
///
/// `h` is the loss Hessian, `g` its Gauss-Newton part `Jᵀ H_z J` (e.g.
/// `Mlp::gauss_newton_with` in saddle-nn), and `eigen_h` the
/// eigendecomposition of `h` (`Eigen::of(h)`, which a caller that
/// classified the point has already): its eigenvectors give the negative-
/// curvature sums `uᵀGu`, `uᵀRu`. `G` and `R` need only their eigenvalues.
/// The zero threshold is `tol.eigen_abs + tol.eigen_rel · max|λ(H)|`.
/// All three matrices are read as their symmetric parts `(A + Aᵀ)/2` (as
/// [`Eigen::of`] reads `H`), which is what a rounding-level asymmetry of AD
/// Hessians calls for: `uᵀGu` ignores the antisymmetric part anyway, and
/// the norms in `residual_share` are those of the symmetric parts.
///
/// ```
/// use saddle_curvature::{gauss_newton_split, Eigen, Tolerances};
/// use saddle_dual::Hessian;
///
/// // H = diag(2, −1), G = diag(2, 0.5): R = diag(0, −1.5).
/// let h = Hessian::from_column_major(2, vec![2.0, 0.0, 0.0, -1.0])?;
/// let g = Hessian::from_column_major(2, vec![2.0, 0.0, 0.0, 0.5])?;
/// let s = gauss_newton_split(&h, &Eigen::of(&h)?, &g, &Tolerances::default())?;
/// assert_eq!((s.inertia_h.negative, s.inertia_g.negative, s.inertia_r.negative), (1, 0, 1));
/// assert!((s.negative.from_g - 0.5).abs() < 1e-15 && (s.negative.from_r + 1.5).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// If `h`, `g` and `eigen_h` differ in size, a matrix has a non-finite
/// entry, `tol` is invalid, or an eigensolver fails.
pub fn gauss_newton_split(
    h: &Hessian,
    eigen_h: &Eigen,
    g: &Hessian,
    tol: &Tolerances,
) -> Result<GaussNewtonSplit, Error> {
    tol.check()?;
    let n = h.n();
    if g.n() != n || eigen_h.n() != n {
        return Err(Error::size(format!(
            "gauss_newton_split: H is {n}×{n}, G is {0}×{0} and the eigendecomposition of H has {1} eigenvalues; they must agree",
            g.n(),
            eigen_h.n()
        )));
    }
    let r_entries: Vec<f64> = h
        .as_column_major()
        .iter()
        .zip(g.as_column_major())
        .map(|(a, b)| a - b)
        .collect();
    if let Some(k) = r_entries.iter().position(|x| !x.is_finite()) {
        let (a, b) = (h.as_column_major()[k], g.as_column_major()[k]);
        // Finite H and G can still overflow in H − G (1e308 − (−1e308)).
        let why = if a.is_finite() && b.is_finite() {
            format!("H − G overflows ({a:e} − {b:e})")
        } else {
            format!("H = {a}, G = {b}; H and G must be finite")
        };
        return Err(Error::non_finite(format!(
            "gauss_newton_split: H − G has a non-finite entry at ({}, {}): {why}",
            k % n.max(1),
            k / n.max(1)
        )));
    }
    let r = Hessian::from_column_major(n, r_entries)?;
    let (hv, gv, rv) = (eigen_h.values().to_vec(), eigenvalues(g)?, eigenvalues(&r)?);

    let max_abs = |v: &[f64]| v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let threshold = tol.eigen_abs + tol.eigen_rel * max_abs(&hv);
    let inertia = |v: &[f64]| Inertia {
        negative: v.iter().filter(|&&x| x < -threshold).count(),
        zero: v.iter().filter(|&&x| x.abs() <= threshold).count(),
        positive: v.iter().filter(|&&x| x > threshold).count(),
    };

    // ‖A‖_F² = Σ λᵢ² for symmetric A: the Frobenius norms come free. As
    // `m·√Σ(λᵢ/m)²`, `m = max|λᵢ|`, kept apart: λᵢ² overflows above
    // ~1.3e154, and ∞/∞ would be a NaN share for finite matrices.
    let frobenius = |v: &[f64]| {
        let m = max_abs(v);
        let s = if m > 0.0 {
            v.iter().map(|x| (x / m) * (x / m)).sum::<f64>().sqrt()
        } else {
            0.0
        };
        (m, s)
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let norm_ratio = |(ma, sa): (f64, f64), (mb, sb): (f64, f64)| {
        if mb > 0.0 {
            (ma / mb) * (sa / sb)
        } else {
            0.0
        }
    };

    let mut negative = NegativeCurvature {
        count: 0,
        total: 0.0,
        from_g: 0.0,
        from_r: 0.0,
        r_negative: 0,
    };
    let mut gu = vec![0.0; n];
    for (i, &lambda) in hv.iter().enumerate() {
        if lambda >= -threshold {
            break; // ascending: the rest are not negative
        }
        let u = eigen_h.vector(i);
        mat_vec(g, u, &mut gu);
        let ugu: f64 = u.iter().zip(&gu).map(|(a, b)| a * b).sum();
        negative.count += 1;
        negative.total += lambda;
        negative.from_g += ugu;
        negative.from_r += lambda - ugu;
        if lambda - ugu < -threshold {
            negative.r_negative += 1;
        }
    }

    Ok(GaussNewtonSplit {
        inertia_h: inertia(&hv),
        inertia_g: inertia(&gv),
        inertia_r: inertia(&rv),
        residual_share: norm_ratio(frobenius(&rv), frobenius(&hv)),
        g_min_relative: ratio(gv.first().copied().unwrap_or(0.0), max_abs(&gv)),
        threshold,
        negative,
        h: hv,
        g: gv,
        r: rv,
    })
}

/// `out = A u` for a dense column-major `A`.
fn mat_vec(a: &Hessian, u: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for (j, &uj) in u.iter().enumerate() {
        for (o, aij) in out.iter_mut().zip(a.column(j)) {
            *o += aij * uj;
        }
    }
}
