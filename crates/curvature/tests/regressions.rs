//! Regression tests for defects of issue 9 in saddle-curvature, one named
//! for each (items 9 and 15; item 12 is in `avx_state.rs`).

mod common;
use common::raw;

use saddle_curvature::{
    classify, damped_newton, hutchinson_trace, inertia, lanczos, newton, newton_cg,
    saddle_free_newton, spectral_density, DensityOptions, Eigen, Error, Objective, Options,
    SpectralDensity, Tolerances, GRADIENT_TOL,
};
use saddle_dual::{Gradient, Hessian};

fn err_contains<T: std::fmt::Debug>(r: Result<T, Error>, needles: &[&str]) {
    let e = r.expect_err("expected an error");
    for n in needles {
        assert!(e.to_string().contains(n), "error {e:?} does not name {n:?}");
    }
}

/// `H = [[1, b], [b, 1]]` with `b = 1.5·10³⁰⁸`: finite, eigenvalues `1 ± b`
/// (which round to `±b`). `½(b + b)` overflowed while symmetrizing.
#[test]
fn eigen_of_entries_near_f64_max_is_ok() {
    let b = 1.5e308;
    let h = Hessian::from_column_major(2, vec![1.0, b, b, 1.0]).unwrap();
    let e = Eigen::of(&h).unwrap();
    // A backward-stable solver errs by a few ε‖H‖; 8ε relative is that.
    for (got, want) in e.values().iter().zip([-b, b]) {
        assert!(
            ((got - want) / want).abs() <= 8.0 * f64::EPSILON,
            "{got} vs {want}"
        );
    }
    assert!(e.orthonormality_error() <= 8.0 * f64::EPSILON);
}

/// `[[b, b], [b, b]]` with `b = 1.5·10³⁰⁸` has the eigenvalue `2b`, beyond
/// `f64::MAX`: that was `Ok(inf)`; now an error naming it.
#[test]
fn of_symmetric_overflowing_eigenvalue_is_err() {
    let b = 1.5e308;
    err_contains(
        Eigen::of_symmetric(2, &[b, b, b, b]),
        &["eigenvalue 1", "inf", "exceeds f64::MAX"],
    );
}

/// `eigen_abs = −10` made the zero band negative, so diag(−2, 3) counted
/// as a minimum; invalid tolerances are now refused.
#[test]
fn tolerances_negative_eigen_abs_is_err() {
    let h = Hessian::from_column_major(2, vec![-2.0, 0.0, 0.0, 3.0]).unwrap();
    let e = Eigen::of(&h).unwrap();
    let tol = Tolerances {
        eigen_abs: -10.0,
        ..Tolerances::default()
    };
    err_contains(
        classify(&[0.0, 0.0], &e, &tol, GRADIENT_TOL),
        &["eigen_abs is -10", "finite and ≥ 0"],
    );
    err_contains(inertia(&e, &tol), &["eigen_abs is -10"]);
    err_contains(Tolerances::new(-10.0, 1e-8), &["eigen_abs is -10"]);
    for rel in [f64::NAN, 1.0, -1e-8] {
        assert!(Tolerances::new(0.0, rel).is_err(), "rel {rel}");
    }
    // The critical-point threshold, now an argument of its own, is
    // checked as the gradient field of `Tolerances` was.
    for grad in [f64::NAN, -1.0] {
        err_contains(
            classify(&[0.0, 0.0], &e, &Tolerances::default(), grad),
            &[&format!("gradient_tol is {grad}"), "≥ 0"],
        );
    }
    // With valid tolerances the verdict is right.
    let c = classify(&[0.0, 0.0], &e, &Tolerances::default(), GRADIENT_TOL).unwrap();
    assert_eq!(c.kind, saddle_curvature::CriticalPoint::Saddle);
}

/// A NaN gradient made the point silently "not critical".
#[test]
fn classify_nan_gradient_is_err() {
    let e = Eigen::of(&Hessian::from_column_major(1, vec![1.0]).unwrap()).unwrap();
    err_contains(
        classify(&[f64::NAN], &e, &Tolerances::default(), GRADIENT_TOL),
        &["gradient[0] is NaN"],
    );
    err_contains(
        classify(&[0.0, 0.0], &e, &Tolerances::default(), GRADIENT_TOL),
        &["gradient has 2 entries"],
    );
}

/// An HVP closure that returns `H v` for `H = diag(1..n)` until call
/// `bad_call`, and NaN in entry 1 from then on.
fn nan_after(bad_call: usize) -> impl FnMut(&[f64]) -> Result<Vec<f64>, String> {
    let mut calls = 0;
    move |v: &[f64]| {
        let mut hv: Vec<f64> = v
            .iter()
            .enumerate()
            .map(|(i, a)| (i + 1) as f64 * a)
            .collect();
        if calls >= bad_call {
            hv[1] = f64::NAN;
        }
        calls += 1;
        Ok(hv)
    }
}

/// `lanczos` returned `Ok` with NaN Ritz values.
#[test]
fn lanczos_nan_hvp_is_err_naming_step() {
    err_contains(
        lanczos(&raw(6, nan_after(2)), 6, 1),
        &["Lanczos step 2", "(Av)[1] = NaN"],
    );
}

/// `hutchinson_trace` returned `Ok(NaN)`.
#[test]
fn hutchinson_nan_hvp_is_err_naming_probe() {
    err_contains(
        hutchinson_trace(&raw(6, nan_after(3)), 10, 1),
        &["Hutchinson probe 3", "NaN"],
    );
    // Finite HVPs whose zᵀHz overflows are an error too, not Ok(inf).
    let huge = |v: &[f64]| Ok::<_, String>(v.iter().map(|a| a * f64::MAX).collect());
    err_contains(
        hutchinson_trace(&raw(4, huge), 2, 1),
        &["Hutchinson probe 0", "overflows"],
    );
}

/// Welford's update agrees with the two-pass formula it replaced (the
/// buffer of samples was dropped so an absurd probe count cannot abort on
/// allocation): H = diag(1, 2, 3) + off-diagonal 0.5 gives zᵀHz = 6 + Σ
/// ±1, and the estimate is the mean of those samples.
#[test]
fn hutchinson_welford_matches_two_pass() {
    let h = [[1.0, 0.5, 0.5], [0.5, 2.0, 0.5], [0.5, 0.5, 3.0]];
    let mut zs = Vec::new();
    let hvp = |v: &[f64]| {
        zs.push(v.to_vec());
        Ok::<_, String>(
            (0..3)
                .map(|i| (0..3).map(|j| h[i][j] * v[j]).sum())
                .collect(),
        )
    };
    let t = hutchinson_trace(&raw(3, hvp), 7, 42).unwrap();
    let samples: Vec<f64> = zs
        .iter()
        .map(|z| {
            (0..3)
                .map(|i| (0..3).map(|j| z[i] * h[i][j] * z[j]).sum::<f64>())
                .sum()
        })
        .collect();
    let mean = samples.iter().sum::<f64>() / 7.0;
    let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 6.0;
    // Samples are small integers: both orders of summation are exact to a
    // few ulps.
    assert!(
        (t.estimate - mean).abs() <= 1e-14,
        "{} vs {mean}",
        t.estimate
    );
    assert!((t.standard_error - (var / 7.0).sqrt()).abs() <= 1e-14);
}

/// `spectral_density` returned NaN densities.
#[test]
fn spectral_density_nan_hvp_is_err_naming_probe() {
    let options = DensityOptions {
        steps: 4,
        probes: 3,
        sigma: 0.1,
        points: 50,
        seed: 7,
    };
    // The 3 probes advance in lockstep, one call per probe and step (the
    // operator's column-by-column `apply_columns`): calls 0–2 are step 0,
    // …, call 9 is step 3 of probe 0.
    err_contains(
        spectral_density(&raw(6, nan_after(9)), &options),
        &["Lanczos step 3 of probe 0", "NaN"],
    );
}

/// `from_eigenvalues` accepted σ ≤ 0 (a NaN or infinite density) and empty
/// input (weights 1/0).
#[test]
fn from_eigenvalues_nonpositive_sigma_and_empty_are_err() {
    err_contains(
        SpectralDensity::from_eigenvalues(&[], 0.1, 10),
        &["no eigenvalues"],
    );
    for sigma in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        err_contains(
            SpectralDensity::from_eigenvalues(&[1.0, 2.0], sigma, 10),
            &[&format!("sigma = {sigma}")],
        );
    }
    err_contains(
        SpectralDensity::from_eigenvalues(&[1.0], 0.1, 1),
        &["points = 1"],
    );
    err_contains(
        SpectralDensity::from_eigenvalues(&[1.0, f64::NAN], 0.1, 10),
        &["eigenvalues[1] is NaN"],
    );
    // The density still integrates to 1 (trapezoid on a fine grid).
    let d = SpectralDensity::from_eigenvalues(&[-1.0, 0.0, 2.0], 0.2, 2001).unwrap();
    let dt = d.grid[1] - d.grid[0];
    let integral: f64 = d.density.windows(2).map(|w| 0.5 * (w[0] + w[1]) * dt).sum();
    // ±3σ tails hold 0.27 % of each Gaussian's mass; the trapezoid error is
    // far below that.
    assert!((integral - 1.0).abs() < 3e-3, "{integral}");
}

/// An objective with configurable lies about its derivatives' sizes:
/// f = ½‖x‖², honest gradient, but a Hessian of size `hessian_n` and HVPs of
/// length `hvp_len`.
struct Liar {
    hessian_n: usize,
    hvp_len: usize,
}

impl Objective for Liar {
    fn value_gradient(&self, x: &[f64]) -> Result<Gradient, Error> {
        Ok(Gradient {
            value: 0.5 * x.iter().map(|a| a * a).sum::<f64>(),
            gradient: x.to_vec(),
        })
    }
    fn hvp(&self, _x: &[f64], v: &[f64]) -> Result<Vec<f64>, Error> {
        Ok(v.iter().copied().cycle().take(self.hvp_len).collect())
    }
    fn hessian(&self, _x: &[f64]) -> Result<Hessian, Error> {
        let n = self.hessian_n;
        let eye = (0..n * n).map(|k| if k % (n + 1) == 0 { 1.0 } else { 0.0 });
        Ok(Hessian::from_column_major(n, eye.collect())?)
    }
}

/// A 3×3 Hessian for 2 variables indexed out of bounds (or silently used a
/// sub-block) inside the solvers.
#[test]
fn newton_wrong_size_hessian_is_err() {
    let o = Options::default();
    for hessian_n in [1, 3] {
        let f = Liar {
            hessian_n,
            hvp_len: 2,
        };
        let sizes = format!("Hessian is {hessian_n}×{hessian_n} but x has 2 entries");
        err_contains(newton(&f, &[1.0, 2.0], &o), &[&sizes]);
        err_contains(damped_newton(&f, &[1.0, 2.0], &o, 1.0), &[&sizes]);
        err_contains(saddle_free_newton(&f, &[1.0, 2.0], &o, 1e-6), &[&sizes]);
    }
    // The honest version converges in one Newton step.
    let f = Liar {
        hessian_n: 2,
        hvp_len: 2,
    };
    assert_eq!(newton(&f, &[1.0, 2.0], &o).unwrap().x, vec![0.0, 0.0]);
}

/// A wrong-length HVP was silently truncated by CG's zips.
#[test]
fn newton_cg_wrong_length_hvp_is_err() {
    for hvp_len in [1, 3] {
        let f = Liar {
            hessian_n: 2,
            hvp_len,
        };
        err_contains(
            newton_cg(&f, &[1.0, 2.0], &Options::default(), 10),
            &[&format!("HVP returned {hvp_len} entries, x has 2")],
        );
    }
}
