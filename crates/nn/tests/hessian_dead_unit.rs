//! `Mlp::hessian` through the dual gemm's sparse routes: a ReLU network
//! `[3, 16, 8, 1]` on 8 samples with one dead hidden unit (unit 3 of layer
//! 1: `z < 0` on every sample, so `f' = 0` there). The first sweep seeds
//! `W₁[0, 0..8]`: lane 3 (the dead unit) is then zero everywhere, and the
//! other lanes of the first hidden layer's output are single columns
//! (sparse). `W̄₂ += H₁ᵀ·δ₂` meets a sparse lane of `H₁ᵀ` against a dense
//! lane of `δ₂`, beside the zero lane 3.
//!
//! Reference: the Hessian column by column from single-lane HVPs
//! (`Mlp::hvp`, `K = 1`, which never stages a lane), to 1e-12 relative to
//! `max(1, |H|∞)` (the same terms summed in other orders: each entry is a
//! sum of at most a few hundred products of numbers ≤ 10, rounding
//! ~1e-14), and central differences of the gradient to 1e-6 (the
//! `saddle-check` default; every live pre-activation is at least 0.1 from
//! the kink, far beyond the difference step of 5·10⁻³, so the loss is
//! smooth — piecewise quadratic in `W₂, W₃` — around the point).

use saddle_check::{check_hessian, Tolerance};
use saddle_dual::HessianOptions;
use saddle_nn::{Activation, Activations, Dataset, Mlp};

fn network() -> (Mlp, Dataset) {
    let sizes = [3, 16, 8, 1];
    let mut params = Vec::new();
    // W₁ (3×16), b₁ (16): unit 3 dead (bias −5, small weights), the others
    // alive with pre-activations ≥ 0.1 on the data below.
    for i in 0..3 {
        for j in 0..16 {
            params.push(if j == 3 {
                0.05
            } else {
                0.2 + 0.03 * ((i * 16 + j) % 7) as f64
            });
        }
    }
    params.extend((0..16).map(|j| if j == 3 { -5.0 } else { 0.3 }));
    // W₂ (16×8), b₂ (8): all of layer 2 alive (positive weights and bias
    // on non-negative inputs).
    params.extend((0..128).map(|p| 0.05 + 0.01 * (p % 5) as f64));
    params.extend([0.2; 8]);
    // W₃ (8×1), b₃.
    params.extend((0..8).map(|p| 0.3 - 0.07 * p as f64));
    params.push(0.1);
    let act = Activations::hidden_output(Activation::Relu, Activation::Identity);
    let net = Mlp::from_params(&sizes, act, params).expect("valid network");
    let inputs: Vec<f64> = (0..24)
        .map(|p| 0.5 + 0.4 * (0.9 * p as f64).sin())
        .collect();
    let targets: Vec<f64> = (0..8).map(|p| (0.3 * p as f64).cos()).collect();
    let data = Dataset::from_slices(&inputs, 3, &targets, 1).expect("valid data");
    (net, data)
}

#[test]
fn relu_network_with_a_dead_unit_hessian() {
    let (net, data) = network();
    let n = net.num_params();
    let h = net
        .hessian(&data, HessianOptions::default())
        .expect("data fits")
        .to_row_major();
    let mut by_hvps = vec![0.0; n * n];
    for j in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(i == j)).collect();
        let col = net.hvp(&data, &e).expect("data fits").hv;
        for (i, c) in col.into_iter().enumerate() {
            by_hvps[i * n + j] = c;
        }
    }
    let scale = by_hvps.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    for i in 0..n {
        for j in 0..n {
            let (got, want) = (h[i * n + j], by_hvps[i * n + j]);
            assert!(
                (got - want).abs() <= 1e-12 * scale,
                "H[{i}, {j}]: Mlp::hessian {got}, single-lane HVP {want}"
            );
        }
    }
    let grad = |p: &[f64]| {
        let mut m = net.clone();
        m.set_params(p).expect("finite");
        m.loss_and_gradient(&data).expect("data fits").gradient
    };
    let report = check_hessian(grad, net.params(), &h, Tolerance::default());
    assert!(report.passed(), "{report}");
}

/// The data really has the shape described: unit 3 of layer 1 is dead on
/// every sample and every live pre-activation is at least 0.1 from the
/// kink (else the test above would not test what it says).
#[test]
fn the_dead_unit_is_dead_and_the_live_ones_clear_of_the_kink() {
    let (net, data) = network();
    let trace = net.forward_trace(data.inputs()).expect("data fits");
    for (l, layer) in trace.iter().take(2).enumerate() {
        let z = layer.z.as_slice();
        let width = layer.z.cols();
        for (p, &v) in z.iter().enumerate() {
            if l == 0 && p % width == 3 {
                assert!(v < -4.0, "unit 3 not dead: z = {v}");
            } else {
                assert!(
                    v >= 0.1,
                    "layer {l} entry {p}: z = {v} near or below the kink"
                );
            }
        }
    }
}
