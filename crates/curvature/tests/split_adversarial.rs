//! Adversarial checks of `gauss_newton_split`: the smallest size, zero
//! matrices, `G = H` (so `R = 0`), non-symmetric input, huge entries, and
//! non-finite input. Every expected value is known by hand.

use saddle_curvature::{gauss_newton_split, Eigen, Tolerances};
use saddle_dual::Hessian;

fn matrix(n: usize, column_major: &[f64]) -> Hessian {
    Hessian::from_column_major(n, column_major.to_vec()).unwrap()
}

/// `Q diag(d) Qᵀ` for the 3×3 rotation `Q` of angle 0.7 about (1, 1, 1)/√3
/// (entries not exactly representable, so rounding is present).
fn rotated(d: [f64; 3]) -> Hessian {
    let (c, s) = (0.7f64.cos(), 0.7f64.sin());
    let k = 1.0 / 3f64.sqrt();
    let u = [k, k, k];
    // Rodrigues: Q = cI + s[u]ₓ + (1 − c)uuᵀ.
    let cross = [[0.0, -u[2], u[1]], [u[2], 0.0, -u[0]], [-u[1], u[0], 0.0]];
    let q = |i: usize, j: usize| f64::from(i == j) * c + s * cross[i][j] + (1.0 - c) * u[i] * u[j];
    let mut a = vec![0.0; 9];
    for j in 0..3 {
        for i in 0..3 {
            a[j * 3 + i] = (0..3).map(|k| q(i, k) * d[k] * q(j, k)).sum();
        }
    }
    // Exactly symmetric: copy the lower triangle up.
    for j in 0..3 {
        for i in 0..j {
            a[j * 3 + i] = a[i * 3 + j];
        }
    }
    matrix(3, &a)
}

fn split(h: &Hessian, g: &Hessian) -> saddle_curvature::GaussNewtonSplit {
    gauss_newton_split(h, &Eigen::of(h).unwrap(), g, &Tolerances::default()).unwrap()
}

#[test]
fn one_by_one() {
    // H = −2, G = 1, R = −3: all exact in f64.
    let s = split(&matrix(1, &[-2.0]), &matrix(1, &[1.0]));
    assert_eq!(
        (s.h.clone(), s.g.clone(), s.r.clone()),
        (vec![-2.0], vec![1.0], vec![-3.0])
    );
    assert_eq!(s.negative.count, 1);
    assert_eq!(
        (s.negative.total, s.negative.from_g, s.negative.from_r),
        (-2.0, 1.0, -3.0)
    );
    assert_eq!(s.negative.r_negative, 1);
    assert_eq!(s.residual_share, 1.5);
    assert_eq!(s.g_min_relative, 1.0);
    assert_eq!(s.top(5), vec![(-2.0, 1.0)]);
}

#[test]
fn zero_hessian_and_zero_gauss_newton_part() {
    let z = matrix(3, &[0.0; 9]);
    let s = split(&z, &z);
    assert_eq!(s.threshold, Tolerances::default().eigen_abs);
    assert_eq!(
        (s.inertia_h.zero, s.inertia_g.zero, s.inertia_r.zero),
        (3, 3, 3)
    );
    assert_eq!(s.residual_share, 0.0);
    assert_eq!(s.g_min_relative, 0.0);
    assert_eq!(s.negative.count, 0);
}

/// Defect found here: with `G = H` (the model fits its data, `R = 0`) the
/// count of negative directions with `uᵀRu < 0` took the sign of rounding
/// noise (`λ − uᵀGu` is `±1e-16`), so it could report that `R` carries
/// negative curvature it does not have. It now counts `uᵀRu` below
/// `−threshold`, the same zero threshold as the inertias (for `G ⪰ 0`,
/// `uᵀRu ≤ λ < −threshold` still counts every direction).
#[test]
fn split_r_negative_ignores_rounding_noise_when_g_equals_h() {
    for d in [[-2.0, 1.0, 3.0], [-1.0, -0.3, 2.0], [-5.0, -4.0, -3.0]] {
        let h = rotated(d);
        let s = split(&h, &h);
        let negatives = d.iter().filter(|&&x| x < 0.0).count();
        assert_eq!(s.negative.count, negatives);
        assert_eq!(s.inertia_r.zero, 3);
        assert_eq!(s.residual_share, 0.0);
        assert_eq!(s.negative.r_negative, 0, "{:?}", s.negative);
        // uᵀGu = uᵀHu = λ up to rounding: ‖H‖ ≤ 5, so a few ulps of 5.
        assert!((s.negative.from_g - s.negative.total).abs() < 1e-14);
    }
}

#[test]
fn psd_g_every_negative_direction_is_in_r() {
    // G = Q diag(1, 0, 2) Qᵀ ⪰ 0, H = Q diag(−2, −1, 3) Qᵀ: uᵀRu ≤ λ < 0.
    let h = rotated([-2.0, -1.0, 3.0]);
    let g = rotated([1.0, 0.0, 2.0]);
    let s = split(&h, &g);
    assert_eq!(s.negative.count, 2);
    assert_eq!(s.negative.r_negative, 2);
    // Same eigenvectors: Σ uᵀGu = 1 + 0, Σ uᵀRu = −3 − 1. O(1) entries,
    // a few dozen flops: 1e-14 is ~50 ulp.
    assert!((s.negative.from_g - 1.0).abs() < 1e-14, "{:?}", s.negative);
    assert!((s.negative.from_r + 4.0).abs() < 1e-14, "{:?}", s.negative);
}

#[test]
fn non_symmetric_input_is_read_as_its_symmetric_part() {
    // H = [[1, 3], [−1, −2]] has symmetric part [[1, 1], [1, −2]]; G = 0.
    // The spectra are those of the symmetric parts, and uᵀGu ignores the
    // antisymmetric part of G = [[0, 1], [−1, 0]].
    let h = matrix(2, &[1.0, -1.0, 3.0, -2.0]);
    let hs = matrix(2, &[1.0, 1.0, 1.0, -2.0]);
    let g = matrix(2, &[0.0, -1.0, 1.0, 0.0]);
    let zero = matrix(2, &[0.0; 4]);
    let a = gauss_newton_split(&h, &Eigen::of(&h).unwrap(), &g, &Tolerances::default()).unwrap();
    let b =
        gauss_newton_split(&hs, &Eigen::of(&hs).unwrap(), &zero, &Tolerances::default()).unwrap();
    assert_eq!(a.h, b.h);
    assert_eq!(a.r, b.r);
    assert_eq!(a.negative, b.negative);
    assert_eq!(a.residual_share, b.residual_share);
}

/// Defect found here: `‖R‖_F / ‖H‖_F` summed squared eigenvalues, which
/// overflow to `+∞` for eigenvalues above ~1.3e154, and `∞/∞` returned a
/// silent NaN for perfectly finite matrices. The norms are now scaled.
#[test]
fn split_residual_share_of_huge_matrices_is_not_nan() {
    // H = diag(−4e200, 2e200), G = diag(0, 2e200): R = diag(−4e200, 0),
    // ‖R‖_F/‖H‖_F = 4/√20 = 2/√5.
    let h = matrix(2, &[-4e200, 0.0, 0.0, 2e200]);
    let g = matrix(2, &[0.0, 0.0, 0.0, 2e200]);
    let s = split(&h, &g);
    let exact = 2.0 / 5f64.sqrt();
    // Two divisions by powers of two and one sqrt: a few ulps.
    assert!(
        (s.residual_share - exact).abs() < 4.0 * f64::EPSILON,
        "{}",
        s.residual_share
    );
    assert_eq!(s.g_min_relative, 0.0);
}

#[test]
fn non_finite_or_mismatched_input_is_an_error_naming_it() {
    let h = matrix(2, &[1.0, 0.0, 0.0, 1.0]);
    let e = Eigen::of(&h).unwrap();
    let tol = Tolerances::default();
    let g_nan = matrix(2, &[1.0, f64::NAN, 0.0, 1.0]);
    let msg = gauss_newton_split(&h, &e, &g_nan, &tol)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("(1, 0)"), "{msg}");
    let g3 = matrix(3, &[0.0; 9]);
    let msg = gauss_newton_split(&h, &e, &g3, &tol)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("G is 3×3"), "{msg}");
}

/// Defect found here: `H − G` of two finite matrices can overflow
/// (`1e308 − (−1e308)`); the error then said "H and G must be finite",
/// which they were. It now says that the difference overflows.
#[test]
fn split_overflowing_difference_is_named_as_such() {
    let h = matrix(1, &[1e308]);
    let g = matrix(1, &[-1e308]);
    let msg = gauss_newton_split(&h, &Eigen::of(&h).unwrap(), &g, &Tolerances::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("overflows"), "{msg}");
}
