//! Whole-driver checks of the dual gemm's sparse routes: dense Hessians of
//! functions with matrix products of *variable* blocks, whose sweeps give
//! the gemm unit lanes (sparse), dense lanes and the empty lanes of a
//! partial last sweep side by side. Each Hessian (8 lanes a sweep) is
//! compared with
//! - its columns as single-lane HVPs (`K = 1`: the gemm never stages a
//!   lane then, so a different code path), to 1e-12 relative to
//!   `max(1, |H|∞)` — both routes sum the same few (≤ 2·8 + 1 per gemm
//!   entry, entries of size ≤ 3) terms in different orders, so rounding
//!   is ~1e-15 per product, far inside; and
//! - Richardson central differences of the gradient, to the `saddle-check`
//!   default 1e-6 (absolute and relative): the error of that difference
//!   is `O(h⁴)` with `h = 1e-3` on a function with derivatives of order 1.

use saddle_check::{check_hessian, Tolerance};
use saddle_dual::{gradient, hessian, hvp, Dual};
use saddle_tape::prelude::*;

/// `L(s, W, X) = Σ tanh(X·W)² + s²`, parameters in the order `s` (1),
/// `W` (8×8, row-major), `X` (8×8): 129 of them, so the 17th and last
/// sweep of an 8-lane Hessian seeds only `X₇₇` and its other 7 lanes are
/// empty. In that sweep `W̄ += Xᵀ·C̄` has a sparse lane of `Xᵀ` (one
/// entry) against a dense lane of `C̄` beside 7 zero lanes of `C̄`.
fn two_variable_blocks<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = p[0].tape().expect("parameters live on a tape");
    let w = tape.stack(8, 8, &p[1..65]).expect("8×8 W");
    let x = tape.stack(8, 8, &p[65..129]).expect("8×8 X");
    let h = x.matmul(&w).expect("8×8 · 8×8").tanh();
    h.square().sum() + p[0] * p[0]
}

fn point() -> Vec<f64> {
    (0..129)
        .map(|i| 0.45 * (0.37 * i as f64 + 0.2).sin())
        .collect()
}

/// The Hessian column by column from single-lane HVPs (row-major result).
fn hessian_by_hvps<F>(f: F, x: &[f64]) -> Vec<f64>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64>>]) -> Var<'t, Dual<f64>> + Copy,
{
    let n = x.len();
    let mut h = vec![0.0; n * n];
    for j in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(i == j)).collect();
        let col = hvp(f, x, &e).expect("finite point").hv;
        for (i, c) in col.into_iter().enumerate() {
            h[i * n + j] = c;
        }
    }
    h
}

/// The 8-lane Hessian `h` (row-major `n × n`) against the single-lane
/// HVP columns, to 1e-12 relative to their largest entry.
fn assert_matches(h: &[f64], by_hvps: &[f64], n: usize) {
    let scale = by_hvps.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    for i in 0..n {
        for j in 0..n {
            let (got, want) = (h[i * n + j], by_hvps[i * n + j]);
            assert!(
                (got - want).abs() <= 1e-12 * scale,
                "H[{i}, {j}]: 8 lanes {got}, single-lane HVP {want}"
            );
        }
    }
}

/// The 8-lane Hessian of `two_variable_blocks` against single-lane HVPs
/// and differences of gradients. Column 128 (`X₇₇`, the partial last
/// sweep) lost the direct term `∂Xᵀ/∂X₇₇ · C̄` of `W̄` before the staged-lane
/// fix: its `W` rows came out wrong (see `gemm_sparse_adversarial.rs`,
/// `staged_lane_keeps_a_scattered_term_before_a_kernel_term`).
#[test]
fn hessian_of_a_product_of_variable_blocks_with_a_partial_last_sweep() {
    let x = point();
    let n = x.len();
    let h = hessian(two_variable_blocks, &x)
        .expect("finite point")
        .to_row_major();
    assert_matches(&h, &hessian_by_hvps(two_variable_blocks, &x), n);
    let grad = |y: &[f64]| gradient(two_variable_blocks, y).expect("finite").gradient;
    let report = check_hessian(grad, &x, &h, Tolerance::default());
    assert!(report.passed(), "{report}");
}

/// The same function with the parameters ordered so that every sweep that
/// seeds `X` is full (`X` first, then `W`, then `s`): the partial last
/// sweep seeds only `s`, and no lane of the gemm mixes a scattered and a
/// kernel term. The Hessian must match the HVPs and the differences.
#[test]
fn hessian_of_a_product_of_variable_blocks_with_full_sweeps() {
    fn f<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
        let mut q = Vec::with_capacity(129);
        q.push(p[128]);
        q.extend_from_slice(&p[64..128]); // W
        q.extend_from_slice(&p[..64]); // X
        two_variable_blocks(&q)
    }
    let x = point();
    let n = x.len();
    let h = hessian(f, &x).expect("finite point").to_row_major();
    assert_matches(&h, &hessian_by_hvps(f, &x), n);
    let grad = |y: &[f64]| gradient(f, y).expect("finite").gradient;
    let report = check_hessian(grad, &x, &h, Tolerance::default());
    assert!(report.passed(), "{report}");
}

/// Data of `non_finite_data`: 8×8, entry `(2, 5)` is `bad`.
fn data(bad: f64) -> Vec<f64> {
    (0..64)
        .map(|p| {
            if p == 2 * 8 + 5 {
                bad
            } else {
                0.3 * (0.7 * p as f64).cos()
            }
        })
        .collect()
}

/// `L(W, X) = Σ tanh(X·W + D·W)²` through block products (`W`, `X`
/// variable 8×8 blocks, `D` a constant block holding `bad`).
fn with_data_blocks<'t, T: Scalar>(p: &[Var<'t, T>], bad: f64) -> Var<'t, T> {
    let tape = p[0].tape().expect("parameters live on a tape");
    let d: Vec<T> = data(bad).iter().map(|&v| T::from_f64(v)).collect();
    let d = tape.constant_block(8, 8, &d).expect("8×8 D");
    let w = tape.stack(8, 8, &p[..64]).expect("8×8 W");
    let x = tape.stack(8, 8, &p[64..128]).expect("8×8 X");
    let xw = x.matmul(&w).expect("X·W");
    let dw = d.matmul(&w).expect("D·W");
    xw.add(&dw).expect("same shape").tanh().square().sum()
}

/// The same `L` entry by entry with scalar `Var` arithmetic: the plain
/// definition, no gemm hook.
fn with_data_scalars<'t, T: Scalar>(p: &[Var<'t, T>], bad: f64) -> Var<'t, T> {
    let d = data(bad);
    let mut sum = Var::constant(T::zero());
    for i in 0..8 {
        for j in 0..8 {
            let mut xw = Var::constant(T::zero());
            let mut dw = Var::constant(T::zero());
            for q in 0..8 {
                xw += p[64 + i * 8 + q] * p[q * 8 + j];
                dw += Var::constant(T::from_f64(d[i * 8 + q])) * p[q * 8 + j];
            }
            let t = (xw + dw).tanh();
            sum += t * t;
        }
    }
    sum
}

/// With `±∞` or NaN in the data, the 8-lane Hessian through the routed
/// gemm is NaN (and ±∞) in exactly the entries where the plain definition
/// (scalar arithmetic, 8 lanes) and single-lane HVPs through the gemm are,
/// and the finite entries agree to 1e-12 relative to the largest finite
/// entry (as above: the same terms in other orders). About half the
/// entries are NaN here, so the pattern is not trivial.
#[test]
fn non_finite_data_gives_nan_where_the_definition_does() {
    let x: Vec<f64> = point()[..128].to_vec();
    let n = x.len();
    let class = |v: f64| {
        if v.is_nan() {
            "NaN"
        } else if v.is_infinite() {
            "inf"
        } else {
            "finite"
        }
    };
    for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let blocks = hessian(|p| with_data_blocks(p, bad), &x)
            .expect("finite point")
            .to_row_major();
        let scalars = hessian(|p| with_data_scalars(p, bad), &x)
            .expect("finite point")
            .to_row_major();
        let by_hvps = hessian_by_hvps(|p| with_data_blocks(p, bad), &x);
        let nan = blocks.iter().filter(|v| v.is_nan()).count();
        assert!(nan > 0 && nan < n * n, "bad {bad}: {nan} NaN entries");
        let scale = scalars
            .iter()
            .filter(|v| v.is_finite())
            .fold(1.0_f64, |m, v| m.max(v.abs()));
        for k in 0..n * n {
            let (got, plain, hv) = (blocks[k], scalars[k], by_hvps[k]);
            assert!(
                class(got) == class(plain) && class(got) == class(hv),
                "bad {bad}: H[{}, {}]: blocks {got}, scalars {plain}, HVP {hv}",
                k / n,
                k % n
            );
            if got.is_finite() {
                assert!(
                    (got - plain).abs() <= 1e-12 * scale && (got - hv).abs() <= 1e-12 * scale,
                    "bad {bad}: H[{}, {}]: blocks {got}, scalars {plain}, HVP {hv}",
                    k / n,
                    k % n
                );
            }
        }
    }
}
