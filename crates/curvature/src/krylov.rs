//! Matrix-free spectra: the Hessian is only ever applied to vectors.
//!
//! - [`lanczos`]: `m` steps of the Lanczos process with full
//!   reorthogonalisation build an orthonormal basis `V` of the Krylov space
//!   `span{q, Hq, …, H^{m−1}q}` and the tridiagonal `T = VᵀHV`; the
//!   eigenvalues of `T` (Ritz values) approximate the extreme eigenvalues of
//!   `H` first and best.
//! - [`hutchinson_trace`]: `tr H = E[zᵀHz]` for Rademacher `z` (entries
//!   ±1); the mean over probes, with its standard error.
//! - [`spectral_density`]: stochastic Lanczos quadrature. For a unit probe
//!   `q`, `qᵀ g(H) q ≈ Σₖ τₖ g(θₖ)` with Ritz values `θₖ` and weights `τₖ`
//!   the squared first components of `T`'s eigenvectors; averaged over
//!   probes and smoothed with a Gaussian it estimates the eigenvalue density.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::Error;
use crate::linalg::symmetric_eigen;

/// A fallible Hessian-vector product `v ↦ H v`.
fn apply<E: std::fmt::Display>(
    hvp: &mut impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    v: &[f64],
) -> Result<Vec<f64>, Error> {
    let hv = hvp(v).map_err(|e| Error::new(format!("Hessian-vector product failed: {e}")))?;
    if hv.len() != v.len() {
        return Err(Error::new(format!(
            "the HVP returned {} entries for a vector of {}",
            hv.len(),
            v.len()
        )));
    }
    Ok(hv)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn rademacher(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// Ritz pairs from a Lanczos run.
#[derive(Clone, Debug, PartialEq)]
pub struct Ritz {
    /// Ritz values `θ₁ ≤ … ≤ θₘ` (eigenvalues of `T`).
    pub values: Vec<f64>,
    /// Ritz vectors `yₖ = V sₖ` (unit length), one per value.
    pub vectors: Vec<Vec<f64>>,
    /// Residual norms `‖H yₖ − θₖ yₖ‖ = |βₘ sₘₖ|`: small means converged.
    pub residuals: Vec<f64>,
    /// `τₖ = s₁ₖ²`, the quadrature weights of the start vector.
    pub weights: Vec<f64>,
}

/// `steps` Lanczos steps from the unit vector `start` (fewer if an invariant
/// subspace is found), with full reorthogonalisation.
fn lanczos_from<E: std::fmt::Display>(
    hvp: &mut impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    start: Vec<f64>,
    steps: usize,
) -> Result<Ritz, Error> {
    let n = start.len();
    let mut basis: Vec<Vec<f64>> = vec![start];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    loop {
        let j = basis.len() - 1;
        let mut w = apply(hvp, &basis[j])?;
        alpha.push(dot(&w, &basis[j]));
        // Full reorthogonalisation, twice ("twice is enough").
        for _ in 0..2 {
            for q in &basis {
                let c = dot(&w, q);
                w.iter_mut().zip(q).for_each(|(a, b)| *a -= c * b);
            }
        }
        let b = dot(&w, &w).sqrt();
        let scale = alpha
            .iter()
            .chain(&beta)
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(1.0);
        if basis.len() == steps.min(n) || b <= 1e-12 * scale {
            beta.push(b);
            break;
        }
        beta.push(b);
        basis.push(w.into_iter().map(|a| a / b).collect());
    }
    let m = alpha.len();
    let mut t = vec![0.0; m * m];
    for i in 0..m {
        t[i * m + i] = alpha[i];
        if i + 1 < m {
            t[i * m + i + 1] = beta[i];
            t[(i + 1) * m + i] = beta[i];
        }
    }
    let (values, s) = symmetric_eigen(m, &t)?;
    let last_beta = beta[m - 1];
    let vectors = (0..m)
        .map(|k| {
            let sk = &s[k * m..(k + 1) * m];
            (0..n)
                .map(|i| (0..m).map(|j| basis[j][i] * sk[j]).sum())
                .collect()
        })
        .collect();
    let residuals = (0..m)
        .map(|k| (last_beta * s[k * m + m - 1]).abs())
        .collect();
    let weights = (0..m).map(|k| s[k * m].powi(2)).collect();
    Ok(Ritz {
        values,
        vectors,
        residuals,
        weights,
    })
}

/// Runs `steps` Lanczos steps on the `n × n` operator `hvp` from a seeded
/// random start, with full reorthogonalisation (cost: `steps` HVPs and
/// `O(n·steps²)` arithmetic).
///
/// # Errors
/// If `n` or `steps` is zero, or the HVP fails or returns the wrong length.
pub fn lanczos<E: std::fmt::Display>(
    mut hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<Ritz, Error> {
    if n == 0 || steps == 0 {
        return Err(Error::new(format!(
            "lanczos needs n ≥ 1 and steps ≥ 1, got n = {n}, steps = {steps}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let z = rademacher(n, &mut rng);
    let norm = (n as f64).sqrt();
    lanczos_from(&mut hvp, z.into_iter().map(|v| v / norm).collect(), steps)
}

/// The `k` largest and `k` smallest eigenpairs, from one Lanczos run of
/// `steps` steps (take `steps` ≥ 3k or so for converged extremes; check
/// the residuals).
#[derive(Clone, Debug, PartialEq)]
pub struct ExtremeEigen {
    /// `(λ, v, residual)` from the smallest up.
    pub smallest: Vec<(f64, Vec<f64>, f64)>,
    /// `(λ, v, residual)` from the largest down.
    pub largest: Vec<(f64, Vec<f64>, f64)>,
}

/// The `k` largest and smallest eigenpairs of the operator by Lanczos.
///
/// # Errors
/// As [`lanczos`], or if `k` is zero.
pub fn extreme_eigenpairs<E: std::fmt::Display>(
    hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    k: usize,
    steps: usize,
    seed: u64,
) -> Result<ExtremeEigen, Error> {
    if k == 0 {
        return Err(Error::new("extreme_eigenpairs: k must be at least 1"));
    }
    let r = lanczos(hvp, n, steps, seed)?;
    let m = r.values.len();
    let pair = |i: usize| (r.values[i], r.vectors[i].clone(), r.residuals[i]);
    Ok(ExtremeEigen {
        smallest: (0..k.min(m)).map(pair).collect(),
        largest: (0..k.min(m)).map(|i| pair(m - 1 - i)).collect(),
    })
}

/// Hutchinson's estimate of `tr H`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceEstimate {
    /// The mean of `zᵀHz` over the probes.
    pub estimate: f64,
    /// The standard error of that mean, `s/√probes`.
    pub standard_error: f64,
    /// How many probes were used.
    pub probes: usize,
}

/// `tr H ≈ (1/m) Σ zᵢᵀ H zᵢ` with `m = probes` Rademacher vectors (an
/// unbiased estimator whose variance is `2 Σ_{i≠j} Hᵢⱼ²`).
///
/// # Errors
/// If `n` is zero, `probes < 2` (the standard error needs two), or the HVP
/// fails.
pub fn hutchinson_trace<E: std::fmt::Display>(
    mut hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    probes: usize,
    seed: u64,
) -> Result<TraceEstimate, Error> {
    if n == 0 || probes < 2 {
        return Err(Error::new(format!(
            "hutchinson_trace needs n ≥ 1 and probes ≥ 2, got {n} and {probes}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut samples = Vec::with_capacity(probes);
    for _ in 0..probes {
        let z = rademacher(n, &mut rng);
        samples.push(dot(&z, &apply(&mut hvp, &z)?));
    }
    let m = probes as f64;
    let mean = samples.iter().sum::<f64>() / m;
    let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (m - 1.0);
    Ok(TraceEstimate {
        estimate: mean,
        standard_error: (var / m).sqrt(),
        probes,
    })
}

/// A smoothed eigenvalue density on a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectralDensity {
    /// The grid points `t`.
    pub grid: Vec<f64>,
    /// The density `φ(t)` (integrates to 1 over the real line).
    pub density: Vec<f64>,
    /// The quadrature nodes `(θ, τ)` behind it, weights summing to 1.
    pub nodes: Vec<(f64, f64)>,
}

impl SpectralDensity {
    /// The density of known eigenvalues, each weighted `1/n` and smoothed
    /// with a Gaussian of width `sigma`, on `points` grid points spanning
    /// the eigenvalues ± 3σ.
    pub fn from_eigenvalues(values: &[f64], sigma: f64, points: usize) -> SpectralDensity {
        let w = 1.0 / values.len() as f64;
        Self::smooth(values.iter().map(|&v| (v, w)).collect(), sigma, points)
    }

    fn smooth(nodes: Vec<(f64, f64)>, sigma: f64, points: usize) -> SpectralDensity {
        let lo = nodes.iter().fold(f64::INFINITY, |m, n| m.min(n.0)) - 3.0 * sigma;
        let hi = nodes.iter().fold(f64::NEG_INFINITY, |m, n| m.max(n.0)) + 3.0 * sigma;
        let points = points.max(2);
        let grid: Vec<f64> = (0..points)
            .map(|i| lo + (hi - lo) * i as f64 / (points - 1) as f64)
            .collect();
        let norm = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        let density = grid
            .iter()
            .map(|&t| {
                nodes
                    .iter()
                    .map(|&(th, w)| w * norm * (-0.5 * ((t - th) / sigma).powi(2)).exp())
                    .sum()
            })
            .collect();
        SpectralDensity {
            grid,
            density,
            nodes,
        }
    }
}

/// Settings for [`spectral_density`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DensityOptions {
    /// Lanczos steps per probe.
    pub steps: usize,
    /// Number of random probes.
    pub probes: usize,
    /// Width of the Gaussian smoothing.
    pub sigma: f64,
    /// Grid points.
    pub points: usize,
    /// RNG seed.
    pub seed: u64,
}

/// Stochastic Lanczos quadrature: the eigenvalue density of the operator
/// from `probes × steps` HVPs.
///
/// # Errors
/// If a setting is zero or `sigma` is not positive, or the HVP fails.
pub fn spectral_density<E: std::fmt::Display>(
    mut hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    options: &DensityOptions,
) -> Result<SpectralDensity, Error> {
    let DensityOptions {
        steps,
        probes,
        sigma,
        points,
        seed,
    } = *options;
    if n == 0 || steps == 0 || probes == 0 || !(sigma > 0.0) || points < 2 {
        return Err(Error::new(format!(
            "spectral_density: bad settings {options:?} for n = {n}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut nodes = Vec::new();
    for _ in 0..probes {
        let z = rademacher(n, &mut rng);
        let norm = (n as f64).sqrt();
        let r = lanczos_from(&mut hvp, z.into_iter().map(|v| v / norm).collect(), steps)?;
        nodes.extend(
            r.values
                .iter()
                .zip(&r.weights)
                .map(|(&t, &w)| (t, w / probes as f64)),
        );
    }
    Ok(SpectralDensity::smooth(nodes, sigma, points))
}
