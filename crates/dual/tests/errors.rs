//! Bad input to the drivers is an error that says what was wrong.

use saddle_dual::{
    gradient, hessian, hessian_matrix_product, hvp, jvp, sparse_hessian, HessianColoring,
};
use saddle_tape::prelude::*;

fn f<S: Real>(x: &[S]) -> S {
    x.iter().map(|v| v.powi(2)).sum()
}

#[test]
fn empty_input() {
    let e = gradient(|x| f(x), &[]).unwrap_err();
    assert_eq!(e.to_string(), "x is empty: need at least one input");
    assert!(hessian(|x| f(x), &[]).is_err());
    assert!(sparse_hessian(|x| f(x), &[]).is_err());
}

#[test]
fn length_mismatch() {
    let e = hvp(|x| f(x), &[1.0, 2.0], &[1.0]).unwrap_err();
    assert_eq!(e.to_string(), "v has 1 entries but x has 2");
    let e = jvp(f, &[1.0], &[1.0, 2.0]).unwrap_err();
    assert_eq!(e.to_string(), "v has 2 entries but x has 1");
    let e = hessian_matrix_product(|x| f(x), &[1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap_err();
    assert!(
        e.to_string()
            .contains("3 numbers, not a positive multiple of n = 2"),
        "{e}"
    );
    let coloring = HessianColoring::detect(&|x: &[Var<'_, _>]| f(x), &[1.0, 2.0]).unwrap();
    let e = coloring
        .hessian(&|x: &[Var<'_, _>]| f(x), &[1.0])
        .unwrap_err();
    assert!(
        e.to_string().contains("x has 1 entries, the pattern 2"),
        "{e}"
    );
}

#[test]
fn non_finite_input() {
    let e = gradient(|x| f(x), &[1.0, f64::NAN]).unwrap_err();
    assert_eq!(e.to_string(), "x[1] is NaN: inputs must be finite");
    let e = hvp(|x| f(x), &[1.0, 2.0], &[f64::INFINITY, 0.0]).unwrap_err();
    assert_eq!(e.to_string(), "v[0] is inf: inputs must be finite");
}

#[test]
fn hessian_matrix_product_is_h_times_each_direction() {
    // f = Σ xᵢ², H = 2I: H V = 2V.
    let v = [1.0, 2.0, 3.0, -1.0, 0.5, 0.0];
    let hv = hessian_matrix_product(|x| f(x), &[0.3, 0.1, 0.2], &v).unwrap();
    assert_eq!((hv.rows(), hv.cols()), (3, 2));
    assert_eq!(hv.as_column_major(), v.map(|a| 2.0 * a));
}
