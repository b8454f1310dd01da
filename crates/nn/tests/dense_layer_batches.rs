//! One dense layer `A = f(X W + b)` (`saddle_nn::dense`) differentiated with
//! respect to all of `X`, `W` and `b`, for batch sizes 1, 3, 7, 64, 65 (the
//! bias broadcast by doubling must give exactly `n` rows; the VJP adds each
//! row of `δ` into `b̄` as it computes it) and `fan_out` 1 and 5:
//!
//! - the gradient on `Tape<f64>` against central differences of the loss;
//! - the HVP on `Tape<Dual<f64, 1>>` (the `hvp` driver) against central
//!   differences of that gradient;
//! - four HVPs at once on `Tape<Dual<f64, 4>>` (the staged 4-lane gemm
//!   paths) against the one-lane HVPs (an independent run of different
//!   kernels: 1e-12) and its real part against the gradient.
//!
//! Finite-difference tolerance: saddle-check's default 1e-6 (abs and rel),
//! justified in its crate doc for central differences of smooth functions
//! with O(1) values; the loss is a mean, so its value, gradient and
//! Hessian entries stay O(1) at every batch size.

use saddle_check::{check_gradient, check_hvp, Report, Tolerance};
use saddle_dual::{gradient, hvp, Dual};
use saddle_nn::{dense, Activation};
use saddle_tape::prelude::*;

const FAN_IN: usize = 3;

/// `mean(A ⊙ C) + mean(A²)` for `A = f(X W + b)`, the parameters
/// `p = [X (n × 3), W (3 × fan_out), b (fan_out)]` row-major.
fn loss<'t, T: Scalar>(p: &[Var<'t, T>], n: usize, fan_out: usize, act: Activation) -> Var<'t, T> {
    let tape = p[0].tape().expect("parameters are tape variables");
    let (nx, nw) = (n * FAN_IN, FAN_IN * fan_out);
    let x = tape.stack(n, FAN_IN, &p[..nx]).unwrap();
    let w = tape.stack(FAN_IN, fan_out, &p[nx..nx + nw]).unwrap();
    let b = tape.stack(1, fan_out, &p[nx + nw..]).unwrap();
    let a = dense(&x, &w, &b, act).unwrap();
    let c: Vec<T> = (0..n * fan_out)
        .map(|i| T::from_f64((0.9 * i as f64).cos()))
        .collect();
    let c = tape.constant_block(n, fan_out, &c).unwrap();
    a.mul(&c).unwrap().mean() + a.square().mean()
}

fn point(len: usize, seed: f64) -> Vec<f64> {
    (0..len)
        .map(|i| 0.8 * (seed + 1.37 * i as f64).sin())
        .collect()
}

fn assert_report(r: Report, what: &str) {
    assert!(r.passed(), "{what}: {r}");
}

fn check(n: usize, fan_out: usize, act: Activation) {
    let len = n * FAN_IN + FAN_IN * fan_out + fan_out;
    let what = format!("n {n}, fan_out {fan_out}, {act}");
    let x = point(len, 0.4);
    let f = |x: &[f64]| gradient(|p| loss(p, n, fan_out, act), x).unwrap().value;
    let grad = |x: &[f64]| gradient(|p| loss(p, n, fan_out, act), x).unwrap().gradient;
    let g = grad(&x);
    assert_report(check_gradient(f, &x, &g, Tolerance::default()), &what);

    let dirs: Vec<Vec<f64>> = (0..4).map(|l| point(len, 2.0 + l as f64)).collect();
    let mut one_lane = vec![];
    for v in &dirs {
        let h = hvp(|p| loss(p, n, fan_out, act), &x, v).unwrap();
        assert_report(check_hvp(grad, &x, v, &h.hv, Tolerance::default()), &what);
        one_lane.push(h.hv);
    }

    // Four directions in the lanes of one tape of `Dual<f64, 4>`.
    let tape: Tape<Dual<f64, 4>> = Tape::new();
    let seeded: Vec<Dual<f64, 4>> = (0..len)
        .map(|i| Dual::new(x[i], std::array::from_fn(|l| dirs[l][i])))
        .collect();
    let xs = tape.vars(&seeded);
    let y = loss(&xs, n, fan_out, act);
    let adj = y.backward().wrt_all(&xs);
    // Same gradient and HVPs up to rounding: 1e-12 relative to max(1, |x|),
    // entries O(1) summed over at most 65·5 terms in another order.
    let exact = Tolerance {
        abs: 1e-12,
        rel: 1e-12,
    };
    let re: Vec<f64> = adj.iter().map(|d| d.re).collect();
    assert_report(Report::compare("4-lane gradient", &re, &g, exact), &what);
    for (l, want) in one_lane.iter().enumerate() {
        let lane: Vec<f64> = adj.iter().map(|d| d.eps[l]).collect();
        assert_report(
            Report::compare("4-lane HVP", &lane, want, exact),
            &format!("{what}, lane {l}"),
        );
    }
}

#[test]
fn dense_layer_gradient_and_hvp_match_finite_differences_for_every_batch_size() {
    for n in [1, 3, 7, 64, 65] {
        for fan_out in [1, 5] {
            for act in [Activation::Tanh, Activation::Identity, Activation::Sigmoid] {
                check(n, fan_out, act);
            }
        }
    }
}
