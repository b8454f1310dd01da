//! Matrix-free spectra against the dense route.
//!
//! - Lanczos with as many steps as the dimension reproduces every
//!   eigenvalue (1e-9 relative: full reorthogonalisation keeps the basis
//!   orthonormal to rounding); with fewer steps the extremes converge first,
//!   and each Ritz value lies within its residual of a true eigenvalue
//!   (the Kahan–Parlett bound, checked exactly).
//! - Hutchinson's estimate lies within 3 standard errors of the exact
//!   trace (deterministic seeds; for a random seed this holds 99.7% of the
//!   time, so a wrong estimator would not pass by luck).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
mod common;
use common::raw;

use saddle_curvature::{
    extreme_eigenpairs, hutchinson_trace, lanczos, spectral_density, DensityOptions, Eigen,
};
use saddle_dual::{Hessian, HessianOptions};
use saddle_nn::{datasets, Activation, Activations, Init, Mlp};

/// A random symmetric positive definite matrix `A Aᵀ/n + 0.1 I`, `A` with
/// entries uniform in [−1, 1] (seeded).
fn spd(n: usize, seed: u64) -> Hessian {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<f64> = (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let data = (0..n * n)
        .map(|idx| {
            let (i, j) = (idx % n, idx / n);
            (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>() / n as f64
                + if i == j { 0.1 } else { 0.0 }
        })
        .collect();
    Hessian::from_column_major(n, data).unwrap()
}

fn apply(h: &Hessian, v: &[f64]) -> Result<Vec<f64>, String> {
    let n = h.n();
    Ok((0..n)
        .map(|i| (0..n).map(|j| h.get(i, j) * v[j]).sum())
        .collect())
}

#[test]
fn full_lanczos_reproduces_the_dense_spectrum() {
    for seed in 0..3 {
        let h = spd(40, seed);
        let dense = Eigen::of(&h).unwrap();
        let r = lanczos(&raw(40, |v: &[f64]| apply(&h, v)), 40, seed).unwrap();
        assert_eq!(r.values.len(), 40);
        for (a, b) in r.values.iter().zip(dense.values()) {
            assert!((a - b).abs() <= 1e-9 * dense.max(), "{a} vs {b}");
        }
    }
}

#[test]
fn ritz_values_are_within_their_residuals_of_true_eigenvalues() {
    let h = spd(80, 7);
    let dense = Eigen::of(&h).unwrap();
    let r = lanczos(&raw(80, |v: &[f64]| apply(&h, v)), 25, 1).unwrap();
    for (theta, res) in r.values.iter().zip(&r.residuals) {
        let nearest = dense
            .values()
            .iter()
            .map(|l| (l - theta).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= res + 1e-10 * dense.max(),
            "θ = {theta}, distance {nearest}, residual {res}"
        );
    }
    let ex = extreme_eigenpairs(&raw(80, |v: &[f64]| apply(&h, v)), 3, 40, 1).unwrap();
    assert!((ex.largest[0].0 - dense.max()).abs() <= 1e-8 * dense.max());
    let v = &ex.largest[0].1;
    let hv = apply(&h, v).unwrap();
    let resid: f64 = hv
        .iter()
        .zip(v)
        .map(|(a, b)| (a - ex.largest[0].0 * b).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!(resid <= 1e-6 * dense.max(), "eigenvector residual {resid}");
}

#[test]
fn lanczos_on_an_mlp_hessian_matches_the_dense_extremes() {
    let data = datasets::noisy_sine(40, 0.1, 3).unwrap();
    let net = Mlp::new(
        &[1, 10, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        3,
    )
    .unwrap();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    let dense = Eigen::of(&h).unwrap();
    let n = net.num_params();
    let hvp = |v: &[f64]| net.hvp(&data, v).map(|r| r.hv);
    let ex = extreme_eigenpairs(&raw(n, hvp), 2, n, 5).unwrap();
    let scale = dense.max().abs().max(dense.min().abs());
    assert!(
        (ex.largest[0].0 - dense.max()).abs() <= 1e-8 * scale,
        "{} vs {}",
        ex.largest[0].0,
        dense.max()
    );
    assert!(
        (ex.smallest[0].0 - dense.min()).abs() <= 1e-8 * scale,
        "{} vs {}",
        ex.smallest[0].0,
        dense.min()
    );
}

#[test]
fn hutchinson_is_within_its_standard_error_of_the_trace() {
    for seed in 0..4 {
        let h = spd(50, seed);
        let exact: f64 = (0..50).map(|i| h.get(i, i)).sum();
        let t = hutchinson_trace(&raw(50, |v: &[f64]| apply(&h, v)), 200, seed).unwrap();
        assert!(
            (t.estimate - exact).abs() <= 3.0 * t.standard_error,
            "{t:?} vs exact {exact}"
        );
        assert!(t.standard_error > 0.0 && t.probes == 200);
    }
}

#[test]
fn slq_density_is_a_density_with_the_right_mean() {
    let h = spd(60, 2);
    let exact_mean: f64 = (0..60).map(|i| h.get(i, i)).sum::<f64>() / 60.0;
    let opts = DensityOptions {
        steps: 30,
        probes: 20,
        sigma: 0.05,
        points: 400,
        seed: 9,
    };
    let d = spectral_density(&raw(60, |v: &[f64]| apply(&h, v)), &opts).unwrap();
    let dx = d.grid[1] - d.grid[0];
    let mass: f64 = d.density.iter().sum::<f64>() * dx;
    assert!((mass - 1.0).abs() < 1e-3, "mass {mass}");
    let weights: f64 = d.nodes.iter().map(|n| n.1).sum();
    assert!((weights - 1.0).abs() < 1e-12);
    // Σ τθ estimates tr(H)/n (each probe's quadrature is exact for degree 1).
    let mean: f64 = d.nodes.iter().map(|(t, w)| t * w).sum();
    assert!(
        (mean - exact_mean).abs() < 0.1 * exact_mean,
        "{mean} vs {exact_mean}"
    );
}

#[test]
fn bad_settings_are_errors() {
    let ok = |v: &[f64]| Ok::<_, String>(v.to_vec());
    assert!(lanczos(&raw(0, ok), 5, 0).is_err());
    assert!(hutchinson_trace(&raw(3, ok), 1, 0).is_err());
    let e = lanczos(&raw(3, |_: &[f64]| Ok::<_, String>(vec![1.0])), 3, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the operator returned 1 entries for 1 vector(s) of 3 at Lanczos step 0"
    );
    let e = lanczos(&raw(3, |_: &[f64]| Err::<Vec<f64>, _>("boom")), 3, 0).unwrap_err();
    assert_eq!(e.to_string(), "the operator failed at Lanczos step 0: boom");
    let bad = DensityOptions {
        steps: 5,
        probes: 2,
        sigma: 0.0,
        points: 10,
        seed: 0,
    };
    assert!(spectral_density(&raw(3, ok), &bad).is_err());
}
