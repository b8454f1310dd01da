//! The dual gemm skips products with an all-zero component (zero tangents
//! of constant inputs, the zero real part of a Gauss-Newton cotangent).
//! Skipping must change no number: the results equal the definition
//! `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ` in dual arithmetic, and a `0·∞` or `0·NaN` still
//! gives the `NaN` that arithmetic gives.

use saddle_dual::Dual;
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

const M: usize = 6;
const K: usize = 5;
const N: usize = 4;

/// The definition, in dual arithmetic (one product per term, no skipping).
fn naive(a: &[Dual<f64>], b: &[Dual<f64>]) -> Vec<Dual<f64>> {
    (0..M * N)
        .map(|ij| {
            (0..K)
                .map(|p| a[(ij / N) * K + p] * b[p * N + ij % N])
                .sum()
        })
        .collect()
}

/// A fixed, irregular matrix of duals; `re_zero` / `eps_zero` clear a
/// whole component.
fn matrix(len: usize, seed: f64, re_zero: bool, eps_zero: bool) -> Vec<Dual<f64>> {
    (0..len)
        .map(|i| {
            let t = seed + i as f64;
            let re = if re_zero { 0.0 } else { (1.3 * t).sin() + 0.1 };
            let eps = if eps_zero { 0.0 } else { (0.7 * t).cos() - 0.2 };
            Dual::new(re, [eps])
        })
        .collect()
}

fn product(a: &[Dual<f64>], b: &[Dual<f64>], c0: &[Dual<f64>], accumulate: bool) -> Vec<Dual<f64>> {
    let mut c = c0.to_vec();
    Dual::gemm(
        MatRef::row_major(a, M, K),
        MatRef::row_major(b, K, N),
        MatMut::row_major(&mut c, M, N),
        accumulate,
    );
    c
}

/// Same numbers (equal infinities included), or both NaN. Tolerance 1e-14 relative: sums of 5 terms of
/// size ≤ 1.2² in a different order differ by a few ulps.
fn assert_same(got: &[Dual<f64>], want: &[Dual<f64>], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (x, y) in [(g.re, w.re), (g.eps[0], w.eps[0])] {
            let ok =
                x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-14 * y.abs().max(1.0);
            assert!(ok, "{what}: entry {i}: got {g:?}, want {w:?}");
        }
    }
}

#[test]
fn zero_components_give_the_definition_values() {
    let c0 = matrix(M * N, 0.3, false, false);
    for (a_re0, a_eps0, b_re0, b_eps0) in [
        (false, true, false, false), // constant inputs times parameters
        (false, false, false, true), // parameters times constant
        (true, false, false, false), // zero real part (Gauss-Newton cotangent)
        (false, false, true, false),
        (true, true, false, false), // an all-zero matrix
        (false, true, false, true), // both constant: zero tangent result
    ] {
        let a = matrix(M * K, 1.0, a_re0, a_eps0);
        let b = matrix(K * N, 2.0, b_re0, b_eps0);
        let want = naive(&a, &b);
        let what = format!("A re0 {a_re0} eps0 {a_eps0}, B re0 {b_re0} eps0 {b_eps0}");
        assert_same(&product(&a, &b, &c0, false), &want, &what);
        let acc: Vec<_> = c0.iter().zip(&want).map(|(x, y)| *x + *y).collect();
        assert_same(
            &product(&a, &b, &c0, true),
            &acc,
            &format!("{what}, accumulating"),
        );
    }
}

#[test]
fn skipped_component_is_overwritten_not_left_stale() {
    // Both tangent terms vanish: C.ε must become 0, not keep C₀.ε.
    let a = matrix(M * K, 1.0, false, true);
    let b = matrix(K * N, 2.0, false, true);
    let c0 = matrix(M * N, 0.3, false, false);
    for d in product(&a, &b, &c0, false) {
        assert_eq!(d.eps[0], 0.0);
    }
}

#[test]
fn zero_tangent_times_non_finite_value_is_still_nan() {
    // A's tangent is zero, B's real part holds ∞ and NaN: in dual
    // arithmetic 0·∞ = NaN reaches C.ε, and the skip must not hide it.
    let a = matrix(M * K, 1.0, false, true);
    let mut b = matrix(K * N, 2.0, false, false);
    b[3].re = f64::INFINITY;
    b[9].re = f64::NAN;
    let want = naive(&a, &b);
    assert!(want.iter().any(|d| d.eps[0].is_nan()));
    assert_same(
        &product(&a, &b, &[Dual::default(); M * N], false),
        &want,
        "non-finite B.re",
    );
    // A zero real part against an infinite tangent of B: 0·∞ in C.ε.
    let a = matrix(M * K, 1.0, true, false);
    let mut b = matrix(K * N, 2.0, false, false);
    b[0].eps[0] = f64::INFINITY;
    let want = naive(&a, &b);
    assert_same(
        &product(&a, &b, &[Dual::default(); M * N], false),
        &want,
        "infinite B.ε",
    );
}
