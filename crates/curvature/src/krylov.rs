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

use crate::error::{check_vector, Error};
use crate::linalg::symmetric_eigen;

/// A fallible Hessian-vector product `v ↦ H v`, checked: the right length
/// and finite. `at` names the step or probe for the error message (built
/// only on failure).
fn apply<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    hvp: &mut impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    v: &[f64],
    at: &dyn Fn() -> String,
) -> Result<Vec<f64>, Error> {
    let hv = hvp(v)
        .map_err(|e| Error::callback(format!("Hessian-vector product failed at {}", at()), e))?;
    if hv.len() != v.len() {
        return Err(Error::size(format!(
            "the HVP returned {} entries for a vector of {} at {}",
            hv.len(),
            v.len(),
            at()
        )));
    }
    if let Some(i) = hv.iter().position(|a| !a.is_finite()) {
        return Err(Error::non_finite(format!(
            "the HVP returned (Hv)[{i}] = {} at {}: H v must be finite",
            hv[i],
            at()
        )));
    }
    Ok(hv)
}

/// A vector of `n` entries from `entry`, or an error if `n` numbers cannot
/// be allocated (`vec!`/`collect` would abort the process on an absurd `n`).
fn vector_of(n: usize, what: &str, entry: impl FnMut() -> f64) -> Result<Vec<f64>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::size(format!(
            "{what}: a vector of n = {n} numbers cannot be allocated"
        ))
    })?;
    v.extend(std::iter::repeat_with(entry).take(n));
    Ok(v)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A Rademacher vector (entries ±1) scaled by `scale`.
fn rademacher(n: usize, scale: f64, rng: &mut ChaCha8Rng) -> Result<Vec<f64>, Error> {
    vector_of(n, "probe vector", || {
        if rng.random::<bool>() {
            scale
        } else {
            -scale
        }
    })
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
/// subspace is found), with full reorthogonalisation. `probe` names the run
/// in errors (spectral density runs one per probe).
fn lanczos_from<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    hvp: &mut impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    start: Vec<f64>,
    steps: usize,
    probe: Option<usize>,
) -> Result<Ritz, Error> {
    let n = start.len();
    let mut basis: Vec<Vec<f64>> = vec![start];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    loop {
        let j = basis.len() - 1;
        let at = || match probe {
            Some(p) => format!("Lanczos step {j} of probe {p}"),
            None => format!("Lanczos step {j}"),
        };
        let mut w = apply(hvp, &basis[j], &at)?;
        alpha.push(dot(&w, &basis[j]));
        // Full reorthogonalisation, twice ("twice is enough").
        for _ in 0..2 {
            for q in &basis {
                let c = dot(&w, q);
                w.iter_mut().zip(q).for_each(|(a, b)| *a -= c * b);
            }
        }
        let b = dot(&w, &w).sqrt();
        // Finite HVPs can still overflow αⱼ or βⱼ (entries near f64::MAX).
        if !(alpha[j].is_finite() && b.is_finite()) {
            return Err(Error::non_finite(format!(
                "Lanczos coefficients overflow at {}: α = {}, β = {b}",
                at(),
                alpha[j]
            )));
        }
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
/// If `n` or `steps` is zero, `n` numbers cannot be allocated, or the HVP
/// fails, returns the wrong length or a non-finite entry (the error names
/// the step). The closure's error may be any error type (it becomes the
/// [`source`](std::error::Error::source) of ours), or a `String` / `&str`.
pub fn lanczos<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    mut hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<Ritz, Error> {
    if n == 0 || steps == 0 {
        return Err(Error::invalid(format!(
            "lanczos needs n ≥ 1 and steps ≥ 1, got n = {n}, steps = {steps}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = rademacher(n, 1.0 / (n as f64).sqrt(), &mut rng)?;
    lanczos_from(&mut hvp, start, steps, None)
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
pub fn extreme_eigenpairs<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    k: usize,
    steps: usize,
    seed: u64,
) -> Result<ExtremeEigen, Error> {
    if k == 0 {
        return Err(Error::invalid("extreme_eigenpairs: k must be at least 1"));
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
/// fails, returns the wrong length or a non-finite entry (the error names
/// the probe).
pub fn hutchinson_trace<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    mut hvp: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
    n: usize,
    probes: usize,
    seed: u64,
) -> Result<TraceEstimate, Error> {
    if n == 0 || probes < 2 {
        return Err(Error::invalid(format!(
            "hutchinson_trace needs n ≥ 1 and probes ≥ 2, got {n} and {probes}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Welford's running mean and sum of squared deviations: no buffer of
    // `probes` samples (an absurd `probes` must not abort on allocation).
    let (mut mean, mut m2) = (0.0_f64, 0.0_f64);
    for p in 0..probes {
        let z = rademacher(n, 1.0, &mut rng)?;
        let sample = dot(
            &z,
            &apply(&mut hvp, &z, &|| format!("Hutchinson probe {p}"))?,
        );
        if !sample.is_finite() {
            return Err(Error::non_finite(format!(
                "Hutchinson probe {p}: zᵀHz = {sample} overflows f64"
            )));
        }
        let delta = sample - mean;
        mean += delta / (p + 1) as f64;
        m2 += delta * (sample - mean);
    }
    let m = probes as f64;
    let var = m2 / (m - 1.0);
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
    /// with a Gaussian of width `sigma`,
    /// `φ(t) = (1/n) Σᵢ exp(−(t − λᵢ)²/2σ²) / (σ√(2π))`, on `points` grid
    /// points spanning the eigenvalues ± 3σ.
    ///
    /// # Errors
    /// If `values` is empty or not finite, `sigma` is not positive and
    /// finite, `points < 2`, or the grid cannot be allocated or spanned in
    /// `f64`.
    pub fn from_eigenvalues(
        values: &[f64],
        sigma: f64,
        points: usize,
    ) -> Result<SpectralDensity, Error> {
        if values.is_empty() {
            return Err(Error::invalid(
                "SpectralDensity::from_eigenvalues: no eigenvalues given",
            ));
        }
        check_vector("eigenvalues", values, values.len())?;
        let w = 1.0 / values.len() as f64;
        Self::smooth(values.iter().map(|&v| (v, w)).collect(), sigma, points)
    }

    fn smooth(nodes: Vec<(f64, f64)>, sigma: f64, points: usize) -> Result<SpectralDensity, Error> {
        if !(sigma > 0.0 && sigma.is_finite()) || points < 2 {
            return Err(Error::invalid(format!(
                "spectral density: sigma = {sigma} must be positive and finite, \
                 points = {points} at least 2"
            )));
        }
        let lo = nodes.iter().fold(f64::INFINITY, |m, n| m.min(n.0)) - 3.0 * sigma;
        let hi = nodes.iter().fold(f64::NEG_INFINITY, |m, n| m.max(n.0)) + 3.0 * sigma;
        if !(hi - lo).is_finite() {
            return Err(Error::non_finite(format!(
                "spectral density: the grid [{lo:e}, {hi:e}] (eigenvalues ± 3σ) \
                 is wider than f64 can hold"
            )));
        }
        let mut i = 0;
        let grid = vector_of(points, "spectral density grid", || {
            let t = lo + (hi - lo) * i as f64 / (points - 1) as f64;
            i += 1;
            t
        })?;
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
        Ok(SpectralDensity {
            grid,
            density,
            nodes,
        })
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
/// If a setting is zero, `sigma` is not positive and finite, or the HVP
/// fails, returns the wrong length or a non-finite entry (the error names
/// the probe and Lanczos step).
pub fn spectral_density<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
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
    if n == 0 || steps == 0 || probes == 0 || !(sigma > 0.0 && sigma.is_finite()) || points < 2 {
        return Err(Error::invalid(format!(
            "spectral_density: bad settings {options:?} for n = {n}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut nodes = Vec::new();
    for p in 0..probes {
        let start = rademacher(n, 1.0 / (n as f64).sqrt(), &mut rng)?;
        let r = lanczos_from(&mut hvp, start, steps, Some(p))?;
        nodes.extend(
            r.values
                .iter()
                .zip(&r.weights)
                .map(|(&t, &w)| (t, w / probes as f64)),
        );
    }
    SpectralDensity::smooth(nodes, sigma, points)
}
