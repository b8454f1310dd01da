//! The eigenvalues-only path against the full decomposition: same
//! spectrum, same classification, same input checks.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_curvature::{
    classify, classify_values, eigenvalues, eigenvalues_of_symmetric, eigenvalues_with, inertia,
    inertia_of_values, Eigen, EigenOptions, Tolerances, GRADIENT_TOL,
};
use saddle_dual::Hessian;

mod matrices;
use matrices::random_symmetric;

/// `Q diag(λ) Qᵀ` with `Q = I − 2uuᵀ` for a seeded random unit `u`: a
/// full matrix with exactly the spectrum `λ` (up to rounding).
fn with_spectrum(lambda: &[f64], seed: u64) -> Hessian {
    let n = lambda.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let u: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let s = u.iter().map(|a| a * a).sum::<f64>().sqrt();
    let u: Vec<f64> = u.iter().map(|a| a / s).collect();
    // Q_ik = δ_ik − 2 u_i u_k; H_ij = Σ_k λ_k Q_ik Q_jk.
    let q = |i: usize, k: usize| (if i == k { 1.0 } else { 0.0 }) - 2.0 * u[i] * u[k];
    let data = (0..n * n)
        .map(|idx| {
            let (i, j) = (idx % n, idx / n);
            (0..n).map(|k| lambda[k] * q(i, k) * q(j, k)).sum()
        })
        .collect();
    Hessian::from_column_major(n, data).unwrap()
}

/// Both routines reduce `(H + Hᵀ)/2` to tridiagonal form (on one thread
/// with AVX2 and FMA by different code: this crate's blocked reduction for
/// the values, faer's for `Eigen`) and then solve `T` differently (QL/QR
/// without vectors vs divide and conquer), each backward stable: each
/// eigenvalue is within `c·n·ε·‖H‖₂` of the exact one (Weyl), with a small
/// constant `c`. For `n ≤ 400` and entries in `[−1, 1]`, `n·ε ≈ 9·10⁻¹⁴`;
/// `1e-12 · max|λ|` (= `1e-12 ‖H‖₂`) leaves a margin of about 10 over
/// that, while a wrong or unsorted eigenvalue would miss by `O(‖H‖)`.
#[test]
fn values_only_equals_eigen_values_on_random_symmetric_matrices() {
    for (n, seed) in [(1, 1), (2, 2), (5, 3), (31, 4), (100, 5), (400, 6)] {
        let h = random_symmetric(n, seed);
        let full = Eigen::of(&h).unwrap();
        let vals = eigenvalues(&h).unwrap();
        assert_eq!(vals.len(), n);
        assert!(
            vals.windows(2).all(|w| w[0] <= w[1]),
            "n = {n}: not ascending"
        );
        let scale = full.values().iter().fold(0.0_f64, |m, l| m.max(l.abs()));
        for (k, (a, b)) in vals.iter().zip(full.values()).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * scale,
                "n = {n}, λ_{k}: values-only {a} vs Eigen {b} (max|λ| = {scale})"
            );
        }
    }
}

/// The asymmetric part is removed as in `Eigen::of`: the values-only path
/// sees `(H + Hᵀ)/2`, not the lower triangle.
#[test]
fn values_only_symmetrizes_like_eigen_of() {
    // H = [[2, 1], [3, 2]]: (H + Hᵀ)/2 = [[2, 2], [2, 2]] has spectrum {0, 4};
    // the lower triangle alone ([[2, 3], [3, 2]]) would give {−1, 5}.
    let h = Hessian::from_column_major(2, vec![2.0, 3.0, 1.0, 2.0]).unwrap();
    let l = eigenvalues(&h).unwrap();
    // Exact: 4 = 2 + 2 with tiny rounding in the 2×2 solver.
    assert!(l[0].abs() < 1e-15 && (l[1] - 4.0).abs() < 1e-14, "{l:?}");
}

/// Entries near `f64::MAX` work (the power-of-two scaling), and an
/// eigenvalue beyond `f64::MAX` is an error, not ∞.
#[test]
fn values_only_scales_and_reports_overflow() {
    let m = f64::MAX;
    let h = Hessian::from_column_major(2, vec![m / 2.0, 0.0, 0.0, -m / 2.0]).unwrap();
    let l = eigenvalues(&h).unwrap();
    assert_eq!(l, vec![-m / 2.0, m / 2.0]);
    // [[M, M], [M, M]] has eigenvalue 2M > f64::MAX.
    let h = Hessian::from_column_major(2, vec![m, m, m, m]).unwrap();
    let e = eigenvalues(&h).unwrap_err().to_string();
    assert!(e.contains("exceeds f64::MAX"), "{e}");
}

/// Spectra with positive, negative and (exactly) zero eigenvalues, so that
/// every definiteness and kind occurs; the classification from the values
/// alone must agree with the one from the full decomposition in every
/// discrete field, and in the numbers to rounding (1e-12 relative: the
/// spectra agree to that level, see the test above).
#[test]
fn classification_via_values_equals_classification_via_eigen() {
    let spectra: [&[f64]; 7] = [
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[-1.0, -2.0, -3.0, -4.0, -5.0],
        &[-1.0, 2.0, 3.0, 4.0, 5.0],
        &[0.0, 2.0, 3.0, 4.0, 5.0],
        &[0.0, -2.0, -3.0, -4.0, -5.0],
        &[0.0, 0.0, 0.0, 0.0, 0.0],
        &[1e-10, 2.0, -3.0, 4.0, 5.0],
    ];
    let tol = Tolerances::default();
    for (seed, lambda) in spectra.iter().enumerate() {
        let h = with_spectrum(lambda, seed as u64 + 10);
        let e = Eigen::of(&h).unwrap();
        let v = eigenvalues(&h).unwrap();
        for g in [vec![0.0; 5], vec![1.0; 5]] {
            let a = classify(&g, &e, &tol, GRADIENT_TOL).unwrap();
            let b = classify_values(&g, &v, &tol, GRADIENT_TOL).unwrap();
            assert_eq!(a.kind, b.kind, "λ = {lambda:?}");
            assert_eq!(a.definiteness, b.definiteness, "λ = {lambda:?}");
            assert_eq!(a.inertia, b.inertia, "λ = {lambda:?}");
            assert_eq!(a.gradient_norm, b.gradient_norm);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * (1.0 + x.abs().max(y.abs()));
            assert!(close(a.min_eigenvalue, b.min_eigenvalue), "{a:?} vs {b:?}");
            assert!(close(a.max_eigenvalue, b.max_eigenvalue), "{a:?} vs {b:?}");
            assert!(close(a.zero_threshold, b.zero_threshold), "{a:?} vs {b:?}");
        }
        assert_eq!(
            inertia(&e, &tol).unwrap(),
            inertia_of_values(&v, &tol).unwrap()
        );
    }
}

/// Unsorted values give the same verdict (the functions fold, not index).
#[test]
fn classify_values_does_not_need_sorted_values() {
    let tol = Tolerances::default();
    let c = classify_values(&[0.0; 3], &[3.0, -1.0, 2.0], &tol, GRADIENT_TOL).unwrap();
    assert_eq!(c.min_eigenvalue, -1.0);
    assert_eq!(c.max_eigenvalue, 3.0);
    assert_eq!(c.condition_number, 3.0);
    assert_eq!(c.kind, saddle_curvature::CriticalPoint::Saddle);
}

#[test]
fn values_only_refuses_non_finite_input() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut a = random_symmetric(4, 7).as_column_major().to_vec();
        a[4 + 2] = bad; // entry (2, 1)
        let h = Hessian::from_column_major(4, a.clone()).unwrap();
        let e = eigenvalues(&h).unwrap_err().to_string();
        // Symmetrizing averages (2,1) with (1,2): still non-finite; the
        // message names the first non-finite entry of (H + Hᵀ)/2.
        assert!(e.contains("must be finite"), "{e}");
        assert!(
            e.contains(&format!("{}", bad.abs())) || e.contains("NaN"),
            "{e}"
        );
        let e = eigenvalues_of_symmetric(4, &a, &EigenOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("entry (2, 1)"), "{e}");
    }
    let e = eigenvalues_of_symmetric(3, &[1.0; 8], &EigenOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("8 entries for n = 3"), "{e}");
}

#[test]
fn values_classification_refuses_bad_spectra() {
    let tol = Tolerances::default();
    let e = inertia_of_values(&[], &tol).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = inertia_of_values(&[1.0, f64::NAN], &tol)
        .unwrap_err()
        .to_string();
    assert!(e.contains("eigenvalues[1] is NaN"), "{e}");
    let e = classify_values(&[0.0], &[1.0, 2.0], &tol, GRADIENT_TOL)
        .unwrap_err()
        .to_string();
    assert!(e.contains("gradient has 1 entries, expected 2"), "{e}");
}

#[test]
fn thread_count_is_checked() {
    let h = random_symmetric(3, 8);
    let e = eigenvalues_with(&h, &EigenOptions { threads: 0 })
        .unwrap_err()
        .to_string();
    assert!(e.contains("threads is 0"), "{e}");
    let two = eigenvalues_with(&h, &EigenOptions { threads: 2 });
    if cfg!(feature = "parallel") {
        // Rounding-level agreement with one thread (see the first test).
        let one = eigenvalues(&h).unwrap();
        for (a, b) in two.unwrap().iter().zip(&one) {
            assert!((a - b).abs() <= 1e-12 * 3.0, "{a} vs {b}");
        }
    } else {
        let e = two.unwrap_err().to_string();
        assert!(e.contains("`parallel` feature"), "{e}");
    }
}

/// Two threads, if allowed, on a matrix large enough for faer to split its
/// blocked kernels: same spectrum as one thread, and `Eigen::of_with`
/// likewise.
#[cfg(feature = "parallel")]
#[test]
fn parallel_values_and_vectors_match_one_thread() {
    let h = random_symmetric(300, 9);
    let opts = EigenOptions { threads: 2 };
    let one = eigenvalues(&h).unwrap();
    let two = eigenvalues_with(&h, &opts).unwrap();
    let full = Eigen::of_with(&h, &opts).unwrap();
    let scale = one.iter().fold(0.0_f64, |m, l| m.max(l.abs()));
    for k in 0..300 {
        assert!((one[k] - two[k]).abs() <= 1e-12 * scale);
        assert!((one[k] - full.values()[k]).abs() <= 1e-12 * scale);
    }
    // Backward stable: orthonormal to rounding (300 ε ≈ 7e-14).
    assert!(full.orthonormality_error() < 1e-12);
}
