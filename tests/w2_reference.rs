//! W2 of BENCHMARKS.md (MLP regression losses) against the reference values
//! published there. Tolerance 1e-12 relative: the parameters and data are
//! reproduced bit for bit; only summation order and the platform's
//! `sin`/`cos`/`tanh` (correct to an ulp or so) can differ.

// The reference values are quoted digit for digit from BENCHMARKS.md.
#![allow(clippy::excessive_precision)]

use saddle::dual::{Gradient, HessianOptions};
use saddle::workloads::{w2_medium, w2_small, W2};

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs(),
        "{what}: {got} vs reference {want}"
    );
}

fn check_first_and_second_order(w: &W2, f: f64, gnorm: f64, vhv: f64) {
    close(w.net.loss(&w.data).unwrap(), f, "loss (plain f64)");
    let r = w.net.hvp(&w.data, &w.direction).unwrap();
    close(r.value, f, "loss (tape of duals)");
    close(
        r.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        gnorm,
        "‖∇L‖",
    );
    close(
        r.hv.iter().zip(&w.direction).map(|(a, b)| a * b).sum(),
        vhv,
        "vᵀHv",
    );
    let Gradient {
        value: loss,
        gradient: grad,
    } = w.net.loss_and_gradient(&w.data).unwrap();
    close(loss, f, "loss (tape)");
    close(
        grad.iter().map(|g| g * g).sum::<f64>().sqrt(),
        gnorm,
        "‖∇L‖ (f64 tape)",
    );
}

#[test]
fn w2_small_matches_the_reference() {
    let w = w2_small();
    assert_eq!(w.net.num_params(), 369);
    check_first_and_second_order(
        &w,
        0.138317210377813110,
        0.296683577708078128,
        3.27245034409413016,
    );
    let h = w.net.hessian(&w.data, HessianOptions::default()).unwrap();
    close(
        (0..h.n()).map(|i| h.get(i, i)).sum(),
        3.06563020972173783,
        "trace H",
    );
    assert!(
        h.relative_asymmetry() < 1e-12,
        "asymmetry {}",
        h.relative_asymmetry()
    );
}

#[test]
fn w2_medium_matches_the_reference() {
    let w = w2_medium();
    assert_eq!(w.net.num_params(), 4801);
    check_first_and_second_order(
        &w,
        0.134622710295607295,
        0.285382229292418299,
        1.25863652295648998,
    );
    // The full 4801 × 4801 Hessian (184 MB; a few seconds on two threads).
    let h = w
        .net
        .hessian(&w.data, HessianOptions { threads: 2 })
        .unwrap();
    close(
        (0..h.n()).map(|i| h.get(i, i)).sum(),
        7.65649938037956446,
        "trace H",
    );
    assert!(
        h.relative_asymmetry() < 1e-12,
        "asymmetry {}",
        h.relative_asymmetry()
    );
}
