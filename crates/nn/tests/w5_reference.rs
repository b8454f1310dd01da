//! Workload W5 (issue 10, item 7): a 5-class softmax cross-entropy MLP
//! `[10, 64, 64, 5]` (tanh hidden, identity output = logits), batch
//! `N = 256`, 5189 parameters, reproducing the reference values of its
//! definition.
//!
//! Tolerance 1e-12 relative: every quantity is a sum of at most a few
//! million products of numbers of size ≤ 10 computed in `f64`, by a
//! different implementation than the reference; the summation orders differ
//! (gemm blocking, lanes), which moves results by ~n·ε ≈ 1e-13 relative in
//! the worst case seen for these sizes, and the values are O(1) with no
//! catastrophic cancellation (`f = 1.61`, `vᵀHv = 0.65`); the errors
//! observed are ≤ 5.1e-16 (printed with `--nocapture`), so 1e-12 leaves a
//! wide margin for other gemm kernels while catching any wrong term (a single wrong entry of
//! `W`, a wrong label, a mean over the wrong count each shift the values
//! by ≥ 1e-4).

use saddle_dual::{Gradient, HessianOptions};
use saddle_nn::{Activation, Dataset, Matrix, Mlp, SoftmaxCrossEntropy};

const SIZES: [usize; 4] = [10, 64, 64, 5];
const N: usize = 256;

/// The W5 network, data and direction, exactly as the workload defines
/// them (see the module docs).
fn w5() -> (Mlp, Dataset, Vec<f64>) {
    let d_in = SIZES[0];
    let x: Vec<f64> = (0..N * d_in)
        .map(|k| {
            let (i, j) = (k / d_in, k % d_in);
            (0.37 * (i * 10 + j) as f64 + 0.1).sin()
        })
        .collect();
    let labels: Vec<usize> = (0..N).map(|i| (3 * i + i / 7) % 5).collect();
    let mut params = Vec::new();
    for (l0, w) in SIZES.windows(2).enumerate() {
        let l = (l0 + 1) as f64;
        let (fan_in, fan_out) = (w[0], w[1]);
        for j in 0..fan_in {
            for k in 0..fan_out {
                params.push(
                    0.5 * (1.7 * (j * fan_out + k) as f64 + l).sin() / (fan_in as f64).sqrt(),
                );
            }
        }
        params.extend((0..fan_out).map(|k| 0.1 * (0.9 * k as f64 + l).cos()));
    }
    let net = Mlp::from_params(
        &SIZES,
        [Activation::Tanh, Activation::Tanh, Activation::Identity],
        params,
    )
    .unwrap();
    let data = Dataset::classification(Matrix::new(N, d_in, x).unwrap(), &labels).unwrap();
    let v = (0..net.num_params())
        .map(|p| (1.3 * p as f64 + 0.5).sin())
        .collect();
    (net, data, v)
}

fn assert_close(name: &str, got: f64, reference: f64) {
    let rel = (got - reference).abs() / reference.abs();
    eprintln!("W5 {name}: relative error {rel:.1e}");
    assert!(
        rel <= 1e-12,
        "{name}: {got:.17} vs reference {reference:.17} (relative {rel:.2e})"
    );
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn w5_loss_gradient_and_hvp_reproduce_the_reference() {
    let (net, data, v) = w5();
    assert_eq!(net.num_params(), 5189);
    let Gradient {
        value: f,
        gradient: g,
    } = net
        .loss_and_gradient_with(&data, &SoftmaxCrossEntropy)
        .unwrap();
    assert_close("f", f, 1.6129753562745837);
    assert_close("‖g‖", dot(&g, &g).sqrt(), 0.04420699623310858);
    assert_close("gᵀv", dot(&g, &v), 0.04532049644412157);
    let r = net.hvp_with(&data, &SoftmaxCrossEntropy, &v).unwrap();
    assert_close("f (hvp)", r.value, 1.6129753562745837);
    assert_close("vᵀHv", dot(&v, &r.hv), 0.6508839895578975);
    assert_close("‖Hv‖", dot(&r.hv, &r.hv).sqrt(), 0.5822922578944741);
}

#[test]
fn w5_hessian_trace_reproduces_the_reference() {
    // The full 5189 × 5189 Hessian: 649 sweeps of 8 lanes.
    let (net, data, _) = w5();
    let h = net
        .hessian_with(
            &data,
            &SoftmaxCrossEntropy,
            HessianOptions::default(),
            &|_| {},
        )
        .unwrap();
    let trace: f64 = (0..h.n()).map(|i| h.get(i, i)).sum();
    assert_close("trace H", trace, 1.2658068778431744);
}
