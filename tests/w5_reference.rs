//! Workload W5: a 5-class softmax cross-entropy MLP
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

use saddle::dual::{Gradient, HessianOptions};
use saddle::nn::SoftmaxCrossEntropy;
use saddle::workloads::w5;

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
    let saddle::workloads::W5 {
        net,
        data,
        direction: v,
        ..
    } = w5();
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
    let saddle::workloads::W5 { net, data, .. } = w5();
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

#[test]
fn w5_vgv_reproduces_the_reference() {
    // The Gauss-Newton quadratic form, matrix-free (JVP, H_z, VJP).
    let saddle::workloads::W5 {
        net,
        data,
        direction: v,
        ..
    } = w5();
    let gv = net
        .ggn_vector_product_with(&data, &SoftmaxCrossEntropy, &v)
        .unwrap();
    assert_close("vᵀGv", dot(&v, &gv), 0.581243885950868);
}
