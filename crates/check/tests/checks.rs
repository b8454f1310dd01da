//! The checker itself: right derivatives pass, wrong ones fail, and the
//! report names the worst entry.

use proptest::prelude::*;
use saddle_check::*;

/// f(x) = x₀² x₁ + sin x₂, with its exact derivatives.
fn f(x: &[f64]) -> f64 {
    x[0] * x[0] * x[1] + x[2].sin()
}
fn grad(x: &[f64]) -> Vec<f64> {
    vec![2.0 * x[0] * x[1], x[0] * x[0], x[2].cos()]
}
fn hessian(x: &[f64]) -> Vec<f64> {
    vec![
        2.0 * x[1],
        2.0 * x[0],
        0.0,
        2.0 * x[0],
        0.0,
        0.0,
        0.0,
        0.0,
        -x[2].sin(),
    ]
}
fn hvp(x: &[f64], v: &[f64]) -> Vec<f64> {
    let h = hessian(x);
    (0..3)
        .map(|i| (0..3).map(|j| h[i * 3 + j] * v[j]).sum())
        .collect()
}

proptest! {
    #![proptest_config(strategies::config(64))]

    #[test]
    fn exact_derivatives_pass(x in strategies::well_scaled(3), v in strategies::direction(3)) {
        let tol = Tolerance::default();
        let r = check_gradient(f, &x, &grad(&x), tol);
        prop_assert!(r.passed(), "{}", r);
        let r = check_hvp(grad, &x, &v, &hvp(&x, &v), tol);
        prop_assert!(r.passed(), "{}", r);
        let r = check_hessian(grad, &x, &hessian(&x), tol);
        prop_assert!(r.passed(), "{}", r);
        let jv: f64 = grad(&x).iter().zip(&v).map(|(g, v)| g * v).sum();
        let r = check_jvp(|y| vec![f(y)], &x, &v, &[jv], tol);
        prop_assert!(r.passed(), "{}", r);
        // The finite-difference reference is far better than the tolerance.
        let r = check_gradient(f, &x, &grad(&x), Tolerance::new(1e-9, 1e-9));
        prop_assert!(r.passed(), "{}", r);
    }

    #[test]
    fn a_wrong_rule_fails_by_orders_of_magnitude(x in strategies::vector(3, 0.5, 2.0)) {
        // d/dx₂ sin x₂ claimed as −cos x₂: the sign mistake of a wrong rule.
        let mut g = grad(&x);
        g[2] = -g[2];
        prop_assume!(g[2].abs() > 1e-3);
        let r = check_gradient(f, &x, &g, Tolerance::default());
        prop_assert!(!r.passed());
        prop_assert_eq!(r.worst().unwrap().index, 2);
        prop_assert!(r.ratio() > 1e2, "{}", r);
    }
}

#[test]
fn a_wrong_hessian_entry_is_named() {
    let x = [0.3, -1.2, 0.7];
    let mut h = hessian(&x);
    h[5] += 1e-3; // H₁₂ off by 1e-3
    let r = check_hessian(grad, &x, &h, Tolerance::default());
    assert!(!r.passed());
    let w = r.worst().unwrap();
    assert_eq!(w.index, 5);
    assert!((w.abs_error - 1e-3).abs() < 1e-9, "{r}");
    assert!(
        r.to_string()
            .contains("hessian check FAILED over 9 entries; worst at index 5"),
        "{r}"
    );
}

#[test]
fn symmetry_and_dot_tests() {
    let x = [0.3, -1.2, 0.7];
    assert!(check_symmetry(&hessian(&x), 3, Tolerance::new(0.0, 0.0)).passed());
    let mut h = hessian(&x);
    h[1] += 0.5;
    let r = check_symmetry(&h, 3, Tolerance::default());
    assert!(!r.passed() && [1, 3].contains(&r.worst().unwrap().index));

    let (u, w) = ([1.0, 2.0, -1.0], [0.5, -0.3, 2.0]);
    let apply = |v: &[f64]| hvp(&x, v);
    assert!(dot_test(apply, apply, &u, &w, Tolerance::new(1e-14, 1e-14)).passed());
    // A "transpose" that is not one fails the dot test.
    let not_transposed = |v: &[f64]| {
        let mut out = hvp(&x, v);
        out[0] += v[1];
        out
    };
    assert!(!dot_test(apply, not_transposed, &u, &w, Tolerance::default()).passed());
}

#[test]
fn nan_and_length_mismatch_fail() {
    let r = Report::compare("x", &[1.0, f64::NAN], &[1.0, 2.0], Tolerance::default());
    assert!(!r.passed() && r.worst().unwrap().index == 1);
    let r = Report::compare("x", &[1.0], &[1.0, 2.0], Tolerance::default());
    assert!(!r.passed());
    assert!(r.to_string().contains("claimed has 1 entries, reference 2"));
}

#[test]
fn zero_direction_gives_zero_difference() {
    assert_eq!(fd_hvp(&grad, &[1.0, 2.0, 3.0], &[0.0; 3]), vec![0.0; 3]);
}
