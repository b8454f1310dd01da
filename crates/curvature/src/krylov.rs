//! Matrix-free spectra: the operator is only ever applied to vectors.
//!
//! Every routine here takes any [`LinearOperator`] `A` (a Hessian, a
//! Gauss-Newton matrix, an empirical Fisher, a closure wrapped in
//! [`FnOperator`](saddle_dual::FnOperator)):
//!
//! - [`lanczos`]: `m` steps of the Lanczos process with full
//!   reorthogonalisation build an orthonormal basis `V` of the Krylov space
//!   `span{q, Aq, …, A^{m−1}q}` and the tridiagonal `T = VᵀAV`; the
//!   eigenvalues of `T` (Ritz values) approximate the extreme eigenvalues of
//!   `A` first and best.
//! - [`hutchinson_trace`]: `tr A = E[zᵀAz]` for Rademacher `z` (entries
//!   ±1); the mean over probes, with its standard error.
//! - [`spectral_density`]: stochastic Lanczos quadrature. For a unit probe
//!   `q`, `qᵀ g(A) q ≈ Σₖ τₖ g(θₖ)` with Ritz values `θₖ` and weights `τₖ`
//!   the squared first components of `T`'s eigenvectors; averaged over
//!   probes and smoothed with a Gaussian it estimates the eigenvalue density.
//!
//! Independent directions (Hutchinson probes, the SLQ runs of different
//! probes, which advance in lockstep) are applied [`PROBE_BLOCK`] at a time
//! through [`LinearOperator::apply_columns`], so operators that override it
//! with lanes or threads (saddle-nn's do) use them. The probes are drawn
//! from the seeded RNG in the same order either way, so the results equal
//! those of one [`LinearOperator::apply`] per probe up to the rounding of
//! the operator's own column products.

use std::error::Error as StdError;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_dual::LinearOperator;

use crate::error::{check_vector, Error};
use crate::linalg::symmetric_eigen;

/// How many independent directions (Hutchinson probes, SLQ runs) are
/// handed to [`LinearOperator::apply_columns`] at once: one sweep of
/// saddle-dual's lanes ([`saddle_dual::LANES`]). Memory is this many
/// vectors of length `n` for Hutchinson, this many Lanczos bases
/// (`steps × n` each) for [`spectral_density`].
pub const PROBE_BLOCK: usize = saddle_dual::LANES;

/// `A v` for the columns of `directions` (`n × m`, column-major), checked:
/// the operator's error becomes the [`source`](std::error::Error::source)
/// of ours, and a result of the wrong length or with a non-finite entry
/// is an error. One column goes through [`LinearOperator::apply`], more
/// through [`LinearOperator::apply_columns`]. `at(c)` names column `c`'s
/// step or probe, `at_all()` the block (built only on failure).
pub(crate) fn apply_checked<O>(
    op: &O,
    directions: &[f64],
    at: &dyn Fn(usize) -> String,
    at_all: &dyn Fn() -> String,
) -> Result<Vec<f64>, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let n = op.dim();
    let m = directions.len() / n;
    let av = if m == 1 {
        op.apply(directions)
            .map_err(|e| Error::callback(format!("the operator failed at {}", at(0)), e))?
    } else {
        op.apply_columns(directions)
            .map_err(|e| Error::callback(format!("the operator failed at {}", at_all()), e))?
    };
    if av.len() != directions.len() {
        return Err(Error::size(format!(
            "the operator returned {} entries for {m} vector(s) of {n} at {}",
            av.len(),
            at_all()
        )));
    }
    if let Some(k) = av.iter().position(|a| !a.is_finite()) {
        return Err(Error::non_finite(format!(
            "the operator returned (Av)[{}] = {} at {}: A v must be finite",
            k % n,
            av[k],
            at(k / n)
        )));
    }
    Ok(av)
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

/// `count` Rademacher vectors (entries ±`scale`), drawn from `rng` one
/// after another, so a block of probes is the same as the probes drawn
/// one at a time; stored `n × count`, column-major.
fn rademacher_block(
    n: usize,
    count: usize,
    scale: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<f64>, Error> {
    let total = n.checked_mul(count).ok_or_else(|| {
        Error::size(format!(
            "{count} probe vectors of n = {n} numbers cannot be allocated (n·{count} overflows usize)"
        ))
    })?;
    vector_of(total, "probe vectors", || {
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
    /// Residual norms `‖A yₖ − θₖ yₖ‖ = |βₘ sₘₖ|`: small means converged.
    pub residuals: Vec<f64>,
    /// `τₖ = s₁ₖ²`, the quadrature weights of the start vector.
    pub weights: Vec<f64>,
}

/// One Lanczos run in progress: its basis and the entries of `T`.
struct Run {
    basis: Vec<Vec<f64>>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    done: bool,
}

impl Run {
    /// Step `j = basis.len() − 1` given `w = A qⱼ`: `αⱼ`, full
    /// reorthogonalisation, `βⱼ`, and the next basis vector unless the run
    /// has reached `steps` (or `n`) vectors or an invariant subspace.
    fn advance(
        &mut self,
        mut w: Vec<f64>,
        steps: usize,
        at: &dyn Fn() -> String,
    ) -> Result<(), Error> {
        let j = self.basis.len() - 1;
        let n = w.len();
        self.alpha.push(dot(&w, &self.basis[j]));
        // Full reorthogonalisation, twice ("twice is enough").
        for _ in 0..2 {
            for q in &self.basis {
                let c = dot(&w, q);
                w.iter_mut().zip(q).for_each(|(a, b)| *a -= c * b);
            }
        }
        let b = dot(&w, &w).sqrt();
        // Finite products can still overflow αⱼ or βⱼ (entries near f64::MAX).
        if !(self.alpha[j].is_finite() && b.is_finite()) {
            return Err(Error::non_finite(format!(
                "Lanczos coefficients overflow at {}: α = {}, β = {b}",
                at(),
                self.alpha[j]
            )));
        }
        let scale = self
            .alpha
            .iter()
            .chain(&self.beta)
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(1.0);
        self.beta.push(b);
        if self.basis.len() == steps.min(n) || b <= 1e-12 * scale {
            self.done = true;
        } else {
            self.basis.push(w.into_iter().map(|a| a / b).collect());
        }
        Ok(())
    }

    /// The Ritz pairs: eigenpairs of `T`, lifted by the basis.
    fn ritz(self) -> Result<Ritz, Error> {
        let Run {
            basis, alpha, beta, ..
        } = self;
        let n = basis[0].len();
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
}

/// Lanczos runs from the unit vectors `starts`, `steps` steps each (fewer
/// if an invariant subspace is found), with full reorthogonalisation,
/// advanced in lockstep so that each step applies the operator to all
/// unfinished runs at once. `probes` numbers the runs in errors (`None`:
/// a single run, unnumbered).
fn lanczos_runs<O>(
    op: &O,
    starts: Vec<Vec<f64>>,
    steps: usize,
    probes: Option<usize>,
) -> Result<Vec<Ritz>, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let name = |j: usize, r: usize| match probes {
        Some(first) => format!("Lanczos step {j} of probe {}", first + r),
        None => format!("Lanczos step {j}"),
    };
    let mut runs: Vec<Run> = starts
        .into_iter()
        .map(|q| Run {
            basis: vec![q],
            alpha: Vec::new(),
            beta: Vec::new(),
            done: false,
        })
        .collect();
    loop {
        let active: Vec<usize> = (0..runs.len()).filter(|&r| !runs[r].done).collect();
        let Some(&first) = active.first() else { break };
        let j = runs[first].basis.len() - 1; // the same for every active run
        let directions: Vec<f64> = active
            .iter()
            .flat_map(|&r| runs[r].basis[j].iter().copied())
            .collect();
        let at = |c: usize| name(j, active[c]);
        let at_all = || match active.len() {
            1 => name(j, active[0]),
            _ => format!(
                "Lanczos step {j} of probes {:?}",
                active
                    .iter()
                    .map(|r| probes.unwrap_or(0) + r)
                    .collect::<Vec<_>>()
            ),
        };
        let av = apply_checked(op, &directions, &at, &at_all)?;
        let n = op.dim();
        for (c, &r) in active.iter().enumerate() {
            let w = av[c * n..(c + 1) * n].to_vec();
            runs[r].advance(w, steps, &|| name(j, r))?;
        }
    }
    runs.into_iter().map(Run::ritz).collect()
}

/// Runs `steps` Lanczos steps on the `n × n` operator `op` (`n =
/// op.dim()`) from a seeded random start, with full reorthogonalisation
/// (cost: `steps` products `A v` and `O(n·steps²)` arithmetic).
///
/// A closure `v ↦ A v` works through [`FnOperator`](saddle_dual::FnOperator):
///
/// ```
/// use saddle_curvature::lanczos;
/// use saddle_dual::FnOperator;
///
/// // A = diag(1, 2, 3).
/// let a = FnOperator::new(3, |v: &[f64]| {
///     Ok::<_, saddle_dual::Error>(vec![v[0], 2.0 * v[1], 3.0 * v[2]])
/// });
/// let ritz = lanczos(&a, 3, 7)?;
/// assert!((ritz.values[2] - 3.0).abs() < 1e-12);
/// # Ok::<(), saddle_curvature::Error>(())
/// ```
///
/// # Errors
/// If `n` or `steps` is zero, `n` numbers cannot be allocated, or the
/// operator fails, returns the wrong length or a non-finite entry (the
/// error names the step). The operator's error may be any error type that
/// converts into `Box<dyn Error + Send + Sync>` (saddle-dual's, saddle-nn's,
/// a boxed error of your own); it becomes the
/// [`source`](std::error::Error::source) of ours.
pub fn lanczos<O>(op: &O, steps: usize, seed: u64) -> Result<Ritz, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let n = op.dim();
    if n == 0 || steps == 0 {
        return Err(Error::invalid(format!(
            "lanczos needs n ≥ 1 and steps ≥ 1, got n = {n}, steps = {steps}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = rademacher_block(n, 1, 1.0 / (n as f64).sqrt(), &mut rng)?;
    let mut runs = lanczos_runs(op, vec![start], steps, None)?;
    Ok(runs.remove(0))
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

/// The `k` largest and smallest eigenpairs of the operator by [`lanczos`].
///
/// # Errors
/// As [`lanczos`], or if `k` is zero.
pub fn extreme_eigenpairs<O>(
    op: &O,
    k: usize,
    steps: usize,
    seed: u64,
) -> Result<ExtremeEigen, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    if k == 0 {
        return Err(Error::invalid("extreme_eigenpairs: k must be at least 1"));
    }
    let r = lanczos(op, steps, seed)?;
    let m = r.values.len();
    let pair = |i: usize| (r.values[i], r.vectors[i].clone(), r.residuals[i]);
    Ok(ExtremeEigen {
        smallest: (0..k.min(m)).map(pair).collect(),
        largest: (0..k.min(m)).map(|i| pair(m - 1 - i)).collect(),
    })
}

/// Hutchinson's estimate of `tr A`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceEstimate {
    /// The mean of `zᵀAz` over the probes.
    pub estimate: f64,
    /// The standard error of that mean, `s/√probes`.
    pub standard_error: f64,
    /// How many probes were used.
    pub probes: usize,
}

/// `tr A ≈ (1/m) Σ zᵢᵀ A zᵢ` with `m = probes` Rademacher vectors (an
/// unbiased estimator whose variance is `2 Σ_{i≠j} Aᵢⱼ²`), the probes
/// applied [`PROBE_BLOCK`] at a time.
///
/// # Errors
/// If `n = op.dim()` is zero, `probes < 2` (the standard error needs two),
/// or the operator fails, returns the wrong length or a non-finite entry
/// (the error names the probe).
pub fn hutchinson_trace<O>(op: &O, probes: usize, seed: u64) -> Result<TraceEstimate, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let n = op.dim();
    if n == 0 || probes < 2 {
        return Err(Error::invalid(format!(
            "hutchinson_trace needs n ≥ 1 and probes ≥ 2, got {n} and {probes}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Welford's running mean and sum of squared deviations: no buffer of
    // `probes` samples (an absurd `probes` must not abort on allocation).
    let (mut mean, mut m2) = (0.0_f64, 0.0_f64);
    let mut first = 0;
    while first < probes {
        let count = PROBE_BLOCK.min(probes - first);
        let directions = rademacher_block(n, count, 1.0, &mut rng)?;
        let az = apply_checked(
            op,
            &directions,
            &|c| format!("Hutchinson probe {}", first + c),
            &|| match count {
                1 => format!("Hutchinson probe {first}"),
                _ => format!("Hutchinson probes {first}–{}", first + count - 1),
            },
        )?;
        for (c, z) in directions.chunks_exact(n).enumerate() {
            let p = first + c;
            let sample = dot(z, &az[c * n..(c + 1) * n]);
            if !sample.is_finite() {
                return Err(Error::non_finite(format!(
                    "Hutchinson probe {p}: zᵀAz = {sample} overflows f64"
                )));
            }
            let delta = sample - mean;
            mean += delta / (p + 1) as f64;
            m2 += delta * (sample - mean);
        }
        first += count;
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
/// from `probes × steps` products `A v`. The probes' Lanczos runs advance
/// in lockstep, [`PROBE_BLOCK`] at a time, each step applying the operator
/// to all of them with one [`LinearOperator::apply_columns`] (memory:
/// `PROBE_BLOCK` bases of `steps` vectors of length `n`).
///
/// # Errors
/// If a setting is zero, `sigma` is not positive and finite, or the
/// operator fails, returns the wrong length or a non-finite entry (the
/// error names the probe and Lanczos step).
pub fn spectral_density<O>(op: &O, options: &DensityOptions) -> Result<SpectralDensity, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let DensityOptions {
        steps,
        probes,
        sigma,
        points,
        seed,
    } = *options;
    let n = op.dim();
    if n == 0 || steps == 0 || probes == 0 || !(sigma > 0.0 && sigma.is_finite()) || points < 2 {
        return Err(Error::invalid(format!(
            "spectral_density: bad settings {options:?} for n = {n}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut nodes = Vec::new();
    let mut first = 0;
    while first < probes {
        let count = PROBE_BLOCK.min(probes - first);
        let starts = rademacher_block(n, count, 1.0 / (n as f64).sqrt(), &mut rng)?;
        let starts = starts.chunks_exact(n).map(<[f64]>::to_vec).collect();
        for r in lanczos_runs(op, starts, steps, Some(first))? {
            nodes.extend(
                r.values
                    .iter()
                    .zip(&r.weights)
                    .map(|(&t, &w)| (t, w / probes as f64)),
            );
        }
        first += count;
    }
    SpectralDensity::smooth(nodes, sigma, points)
}
