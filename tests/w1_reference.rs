//! W1 of BENCHMARKS.md, the extended Rosenbrock function, against the
//! reference values published there (computed independently of saddle).
//! Every quantity must agree to 1e-12 relative: the inputs are reproduced
//! bit for bit, and only summation order and the platform's `sin`/`cos`
//! (correct to an ulp) can differ.

// The reference values are quoted digit for digit from BENCHMARKS.md.
#![allow(clippy::excessive_precision)]

use saddle::dual::{hessian_with, hvp, sparse_hessian, HessianOptions};
use saddle::workloads::{rosenbrock, rosenbrock_blocks, w1_direction, w1_point};

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

/// W1 through block operations (two slices of one `1 × n` block, see
/// `rosenbrock_blocks`): the driver's scalar inputs are stacked into a
/// block first.
fn rosenbrock_via_blocks<'t, T: saddle::tape::Scalar>(
    x: &[saddle::tape::Var<'t, T>],
) -> saddle::tape::Var<'t, T> {
    let tape = x[0].tape().expect("driver inputs live on its tape");
    rosenbrock_blocks(&tape.stack(1, x.len(), x).unwrap()).unwrap()
}

#[test]
fn w1_written_with_blocks_matches_the_reference_and_the_scalar_hessian() {
    for (n, f, gnorm, vhv, trace) in REFERENCE {
        let (x, v) = (w1_point(n), w1_direction(n));
        let r = hvp(rosenbrock_via_blocks, &x, &v).unwrap();
        close(r.value, f, "f (blocks)");
        close(
            r.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
            gnorm,
            "‖∇f‖ (blocks)",
        );
        close(
            r.hv.iter().zip(&v).map(|(a, b)| a * b).sum(),
            vhv,
            "vᵀHv (blocks)",
        );
        if n <= 100 {
            let opts = HessianOptions { threads: 2 };
            let blocks = hessian_with::<8, _>(rosenbrock_via_blocks, &x, opts).unwrap();
            let scalar = hessian_with::<8, _>(|y| rosenbrock(y), &x, opts).unwrap();
            close(
                (0..n).map(|i| blocks.get(i, i)).sum(),
                trace,
                "trace H (blocks)",
            );
            // Each entry is a sum of at most three O(10³) terms in either
            // route, in different orders: 1e-12 relative to the largest entry.
            let scale = scalar
                .as_column_major()
                .iter()
                .fold(0.0_f64, |m, a| m.max(a.abs()));
            for (a, b) in blocks
                .as_column_major()
                .iter()
                .zip(scalar.as_column_major())
            {
                assert!((a - b).abs() <= 1e-12 * scale, "{a} vs {b}");
            }
        }
    }
}
