//! Bad input at every public entry of saddle-check: empty, mismatched,
//! non-finite and absurdly large inputs, and invalid tolerances. Every
//! `check_*` function and `Report::compare` must return a *failed* report
//! whose message names the problem; none may panic. Panics are caught with
//! `catch_unwind` so one run lists every entry that panicked.
//!
//! Panics that remain by design (documented under `# Panics`):
//! - `central_difference`, `fd_jvp`, `fd_hvp` with `v.len() != x.len()`:
//!   low-level helpers that return a plain `Vec`; the `check_*` functions
//!   validate first and report instead.
//! - `strategies::vector` with `lo > hi` or a non-finite bound, and
//!   `strategies::direction(0)`: proptest rejects the strategy when sampled
//!   (a mistake in the test setup).
//! - `Expr::eval` with fewer inputs than the tree uses (`Tree::inputs`
//!   says how many it needs).

use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_check::expr::Expr;
use saddle_check::*;

fn f(x: &[f64]) -> f64 {
    x.iter().map(|a| a * a).sum()
}
fn grad(x: &[f64]) -> Vec<f64> {
    x.iter().map(|a| 2.0 * a).collect()
}
fn id(v: &[f64]) -> Vec<f64> {
    v.to_vec()
}

/// A named call and the words its failed report must contain.
type Probe<'a> = (&'a str, Box<dyn FnOnce() -> Report + 'a>, &'a [&'a str]);

/// Runs every probe; each must return a failed report whose message
/// contains the expected words. Lists every probe that panicked or did not.
fn sweep<'a>(probes: Vec<Probe<'a>>) {
    let mut wrong = Vec::new();
    for (name, probe, words) in probes {
        match catch_unwind(AssertUnwindSafe(probe)) {
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                wrong.push(format!("{name}: PANICKED: {msg}"));
            }
            Ok(report) => {
                let text = report.to_string();
                if report.passed() {
                    wrong.push(format!("{name}: passed: {text}"));
                } else if let Some(w) = words.iter().find(|w| !text.contains(*w)) {
                    wrong.push(format!("{name}: message lacks {w:?}: {text}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} entries wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

const TOL: Tolerance = Tolerance {
    abs: 1e-6,
    rel: 1e-6,
};

#[test]
fn every_check_reports_bad_input_instead_of_panicking() {
    let x = [1.0, 2.0, 3.0];
    let v = [1.0, 0.0, 0.0];
    let g = grad(&x);
    let h: Vec<f64> = (0..9).map(|k| if k % 4 == 0 { 2.0 } else { 0.0 }).collect();
    sweep(vec![
        // check_gradient
        (
            "check_gradient, empty x",
            Box::new(|| check_gradient(f, &[], &[], TOL)),
            &["x is empty"],
        ),
        (
            "check_gradient, claimed too short",
            Box::new(|| check_gradient(f, &x, &g[..2], TOL)),
            &["claimed gradient has 2 entries but x has 3"],
        ),
        (
            "check_gradient, NaN in x",
            Box::new(|| check_gradient(f, &[1.0, f64::NAN], &[2.0, 0.0], TOL)),
            &["x[1] = NaN is not finite"],
        ),
        (
            "check_gradient, infinite x",
            Box::new(|| check_gradient(f, &[f64::INFINITY], &[0.0], TOL)),
            &["x[0] = inf is not finite"],
        ),
        (
            "check_gradient, NaN claim",
            Box::new(|| check_gradient(f, &x, &[2.0, f64::NAN, 6.0], TOL)),
            &["index 1", "NaN"],
        ),
        (
            "check_gradient, negative tolerance",
            Box::new(|| check_gradient(f, &x, &[0.0; 3], Tolerance::new(-1.0, 0.0))),
            &["tolerance abs = -1 is not a finite number ≥ 0"],
        ),
        (
            "check_gradient, NaN tolerance",
            Box::new(|| check_gradient(f, &x, &g, Tolerance::new(0.0, f64::NAN))),
            &["tolerance rel = NaN"],
        ),
        (
            "check_gradient, infinite tolerance",
            Box::new(|| check_gradient(f, &x, &g, Tolerance::new(f64::INFINITY, 0.0))),
            &["tolerance abs = inf"],
        ),
        // check_jvp
        (
            "check_jvp, empty x",
            Box::new(|| check_jvp(|y| vec![f(y)], &[], &[], &[0.0], TOL)),
            &["x is empty"],
        ),
        (
            "check_jvp, v too long",
            Box::new(|| check_jvp(|y| vec![f(y)], &x, &[1.0; 4], &[2.0], TOL)),
            &["v has 4 entries but x has 3"],
        ),
        (
            "check_jvp, NaN in v",
            Box::new(|| check_jvp(|y| vec![f(y)], &x, &[f64::NAN, 0.0, 0.0], &[2.0], TOL)),
            &["v[0] = NaN is not finite"],
        ),
        (
            "check_jvp, claim longer than F's output",
            Box::new(|| check_jvp(|y| vec![f(y)], &x, &v, &[2.0, 0.0], TOL)),
            &["claimed has 2 entries, reference 1"],
        ),
        // check_hvp
        (
            "check_hvp, empty x",
            Box::new(|| check_hvp(grad, &[], &[], &[], TOL)),
            &["x is empty"],
        ),
        (
            "check_hvp, v too short",
            Box::new(|| check_hvp(grad, &x, &[1.0], &[2.0, 0.0, 0.0], TOL)),
            &["v has 1 entries but x has 3"],
        ),
        (
            "check_hvp, claim too short",
            Box::new(|| check_hvp(grad, &x, &v, &[2.0], TOL)),
            &["claimed H·v has 1 entries but x has 3"],
        ),
        (
            "check_hvp, gradient of the wrong length",
            Box::new(|| check_hvp(|_| vec![0.0], &x, &v, &[2.0, 0.0, 0.0], TOL)),
            &["claimed has 3 entries, reference 1"],
        ),
        // check_hessian
        (
            "check_hessian, empty x",
            Box::new(|| check_hessian(grad, &[], &[], TOL)),
            &["x is empty"],
        ),
        (
            "check_hessian, claim not n²",
            Box::new(|| check_hessian(grad, &x, &h[..8], TOL)),
            &["claimed Hessian has 8 entries, not 3×3 = 9"],
        ),
        (
            "check_hessian, -inf in x",
            Box::new(|| check_hessian(grad, &[f64::NEG_INFINITY], &[2.0], TOL)),
            &["x[0] = -inf is not finite"],
        ),
        // check_symmetry
        (
            "check_symmetry, n = 0",
            Box::new(|| check_symmetry(&[], 0, TOL)),
            &["0×0"],
        ),
        (
            "check_symmetry, wrong length",
            Box::new(|| check_symmetry(&h, 2, TOL)),
            &["matrix has 9 entries, not 2×2 = 4"],
        ),
        (
            "check_symmetry, n² overflows",
            Box::new(|| check_symmetry(&[], 1 << 32, TOL)),
            &["n = 4294967296 is too large (n² overflows)"],
        ),
        (
            "check_symmetry, n = usize::MAX",
            Box::new(|| check_symmetry(&h, usize::MAX, TOL)),
            &["n² overflows"],
        ),
        (
            "check_symmetry, NaN entry",
            Box::new(|| check_symmetry(&[1.0, f64::NAN, f64::NAN, 1.0], 2, TOL)),
            &["index 1", "NaN"],
        ),
        // dot_test
        (
            "dot_test, empty u",
            Box::new(|| dot_test(id, id, &[], &[1.0], TOL)),
            &["u is empty"],
        ),
        (
            "dot_test, J·u does not match w",
            Box::new(|| dot_test(id, id, &[1.0, 2.0], &[1.0], TOL)),
            &["J·u has 2 entries but x has 1"],
        ),
        (
            "dot_test, NaN in w",
            Box::new(|| dot_test(id, id, &[1.0], &[f64::NAN], TOL)),
            &["w[0] = NaN is not finite"],
        ),
        // Report::compare
        (
            "Report::compare, lengths differ",
            Box::new(|| Report::compare("x", &[1.0], &[], TOL)),
            &["claimed has 1 entries, reference 0"],
        ),
        (
            "Report::compare, negative relative tolerance",
            Box::new(|| Report::compare("x", &[1.0], &[5.0], Tolerance::new(0.0, -2.0))),
            &["tolerance rel = -2"],
        ),
        (
            "Report::compare, infinite entries of opposite sign",
            Box::new(|| Report::compare("x", &[f64::INFINITY], &[f64::NEG_INFINITY], TOL)),
            &["index 0"],
        ),
    ]);
}

#[test]
fn invalid_report_says_why_and_fails() {
    let r = check_gradient(f, &[], &[], TOL);
    assert_eq!(r.problem(), Some("x is empty: nothing to check"));
    assert_eq!(
        r.to_string(),
        "gradient check FAILED: x is empty: nothing to check"
    );
    assert!(!r.passed() && r.worst().is_none() && r.entries() == 0);
    assert!(catch_unwind(|| r.assert_passed()).is_err());
    // A valid check has no problem.
    assert_eq!(check_gradient(f, &[1.0], &[2.0], TOL).problem(), None);
}

#[test]
fn huge_points_do_not_panic() {
    // |x| near the largest finite f64: the step overflows to infinity and
    // the differences are NaN; the report fails, naming the entry.
    let x = [f64::MAX, 1.0];
    let r = check_gradient(f, &x, &grad(&x), TOL);
    assert!(!r.passed(), "{r}");
    let r = check_hessian(grad, &x, &[2.0, 0.0, 0.0, 2.0], TOL);
    assert!(!r.passed(), "{r}");
}

#[test]
fn strategies_with_no_inputs_build_constant_trees() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(strategies::config(1));
    let strategy = expr::expr(0, 3);
    for _ in 0..50 {
        let e: Expr = strategy.new_tree(&mut runner).unwrap().current();
        assert_eq!(e.inputs(), 0, "{e}");
        assert!(e.eval::<f64>(&[]).is_finite(), "{e}");
    }
}

#[test]
fn low_level_helpers_panic_on_mismatched_lengths_by_design() {
    // Documented under `# Panics`: these return a plain Vec.
    let g = |y: &[f64]| y.to_vec();
    assert!(catch_unwind(|| central_difference(&g, &[1.0, 2.0], &[1.0])).is_err());
    assert!(catch_unwind(|| fd_hvp(&g, &[1.0], &[1.0, 2.0])).is_err());
    // Empty input is not a mismatch: an empty gradient, no panic.
    assert!(fd_gradient(&|_: &[f64]| 0.0, &[]).is_empty());
    assert!(fd_hessian(&g, &[]).is_empty());
}
