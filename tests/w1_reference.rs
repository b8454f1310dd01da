//! W1 of BENCHMARKS.md, the extended Rosenbrock function, against the
//! reference values published there (computed independently of saddle).
//! Every quantity must agree to 1e-12 relative: the inputs are reproduced
//! bit for bit, and only summation order and the platform's `sin`/`cos`
//! (correct to an ulp) can differ.

// The reference values are quoted digit for digit from BENCHMARKS.md.
#![allow(clippy::excessive_precision)]

use saddle::dual::{hessian_with, hvp, sparse_hessian, HessianOptions};
use saddle::workloads::{rosenbrock, w1_direction, w1_point};

/// `(n, f, ‖∇f‖₂, vᵀHv, trace H)` from BENCHMARKS.md.
const REFERENCE: [(usize, f64, f64, f64, f64); 3] = [
    (
        10,
        436.971366160762273,
        867.077288193687195,
        2502.18145032581242,
        5274.42566432292642,
    ),
    (
        100,
        4806.33186066181497,
        2878.46973763001051,
        29018.5422605203967,
        58031.5197049076451,
    ),
    (
        1000,
        48516.4772802216175,
        9146.20080372639495,
        292480.451508161961,
        585425.650971635943,
    ),
];

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs(),
        "{what}: {got} vs reference {want}"
    );
}

#[test]
fn values_gradients_hvps_and_traces_match_the_reference() {
    for (n, f, gnorm, vhv, trace) in REFERENCE {
        let (x, v) = (w1_point(n), w1_direction(n));
        close(rosenbrock(&x), f, "f (plain f64)");
        let r = hvp(|y| rosenbrock(y), &x, &v).unwrap();
        close(r.value, f, "f (tape)");
        close(
            r.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
            gnorm,
            "‖∇f‖",
        );
        close(r.hv.iter().zip(&v).map(|(a, b)| a * b).sum(), vhv, "vᵀHv");
        let h = sparse_hessian(|y| rosenbrock(y), &x).unwrap();
        assert_eq!(
            h.sweeps(),
            1,
            "a tridiagonal Hessian takes one sweep at n = {n}"
        );
        assert_eq!(h.nnz(), 3 * n - 2);
        close((0..n).map(|i| h.get(i, i)).sum(), trace, "trace H (sparse)");
    }
}

#[test]
fn dense_and_sparse_hessians_agree_on_w1() {
    let x = w1_point(100);
    let dense = hessian_with::<8, _>(|y| rosenbrock(y), &x, HessianOptions { threads: 2 }).unwrap();
    let sparse = sparse_hessian(|y| rosenbrock(y), &x).unwrap();
    assert_eq!(dense.to_row_major(), sparse.to_dense_row_major());
    assert_eq!(dense.asymmetry(), 0.0);
}
