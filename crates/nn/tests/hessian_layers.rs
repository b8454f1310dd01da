//! `Mlp::hessian_with` by second-order backpropagation through the layers
//! against the independent route: saddle-dual's dense Hessian of the loss
//! recorded on a tape (`hessian_with` on `loss_on_tape_with`, forward over
//! reverse through the generic block operations; it shares no code with
//! the layer-by-layer pass but the activation and loss rules). Every
//! activation, hidden and output; MSE, softmax cross-entropy, Huber,
//! logistic, and a user loss that couples every output; depths 1 to 4;
//! layers of width 1; one sample; parameter counts that are not a multiple
//! of the group size; `relu` exactly at its kink. Also: exact symmetry, the
//! same bits on any number of threads, and a point where a number on the
//! way is not finite (the swept route's answer, `NaN`s included).

mod common;

use common::{data, net, Singular, SquaredMean};

use saddle_dual::{hessian_with, HessianOptions, LANES};
use saddle_nn::{
    Activation, BceWithLogits, Dataset, Huber, Loss, Matrix, Mlp, Mse, SoftmaxCrossEntropy,
};

fn one_thread() -> HessianOptions {
    HessianOptions { threads: 1 }
}

/// The dense Hessian by the generic route (column-major).
fn generic(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Vec<f64> {
    hessian_with::<LANES, _>(
        |p| net.loss_on_tape_with(p, data, loss).unwrap(),
        net.params(),
        one_thread(),
    )
    .unwrap()
    .into_column_major()
}

/// Both routes agree to `1e-12` of the largest entry (at least 1): the
/// same products summed in another order, a few ulps of each sum of up to
/// a few hundred terms; and the layer route is exactly symmetric.
fn assert_matches_generic(net: &Mlp, data: &Dataset, loss: &impl Loss, what: &str) {
    let h = net.hessian_with(data, loss, one_thread(), &|_| {}).unwrap();
    let want = generic(net, data, loss);
    let got = h.as_column_major();
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        let (i, j) = (k % h.n(), k / h.n());
        assert!(
            (g - w).abs() <= 1e-12 * scale,
            "{what}: H[{i}, {j}] = {g} by layers, {w} swept (scale {scale})"
        );
    }
    assert_eq!(h.asymmetry(), 0.0, "{what}: exactly symmetric");
}

#[test]
fn every_activation_hidden_and_output_matches_the_generic_route() {
    let d = data(7, 3, 2, false);
    for (s, hidden) in Activation::ALL.into_iter().enumerate() {
        for output in Activation::ALL {
            let net = net(&[3, 5, 4, 2], hidden, output, 11 + s as u64);
            assert_matches_generic(&net, &d, &Mse, &format!("{hidden}/{output}"));
        }
    }
}

#[test]
fn every_loss_matches_the_generic_route() {
    let sizes = [4, 6, 5, 3];
    let reg = data(9, 4, 3, false);
    let cls = data(9, 4, 3, true);
    let n = net(&sizes, Activation::Tanh, Activation::Identity, 5);
    assert_matches_generic(&n, &reg, &Mse, "mse");
    assert_matches_generic(&n, &cls, &SoftmaxCrossEntropy, "softmax cross-entropy");
    assert_matches_generic(&n, &reg, &Huber::new(0.5).unwrap(), "huber");
    assert_matches_generic(&n, &reg, &SquaredMean, "a loss coupling every output");
    let bin = {
        let x = reg.inputs().clone();
        let y: Vec<f64> = (0..9).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        Dataset::new(x, Matrix::new(9, 1, y).unwrap()).unwrap()
    };
    let n1 = net(&[4, 6, 1], Activation::Sigmoid, Activation::Identity, 6);
    assert_matches_generic(&n1, &bin, &BceWithLogits, "logistic");
}

#[test]
fn shapes_at_the_edges_match_the_generic_route() {
    // One layer; deep and narrow; a layer of width 1; one sample; a
    // parameter count that is not a multiple of the group of 8 (and groups
    // that straddle layer ends).
    for (sizes, n) in [
        (vec![3, 2], 5),
        (vec![2, 1, 1, 2], 4),
        (vec![3, 4, 3, 4, 2], 6),
        (vec![5, 3, 2], 1),
        (vec![1, 7, 1], 3),
    ] {
        let d = data(n, sizes[0], *sizes.last().unwrap(), false);
        let net = net(&sizes, Activation::Softplus, Activation::Tanh, 3);
        assert_matches_generic(&net, &d, &Mse, &format!("{sizes:?}, N = {n}"));
    }
}

#[test]
fn relu_at_its_kink_matches_the_generic_route() {
    // All parameters zero: every z is exactly 0, where relu' = 0 and
    // relu'' = 0 by the rule's convention; the only curvature is the
    // loss's through the output layer's bias.
    let d = data(4, 3, 2, false);
    let mut n = net(&[3, 4, 2], Activation::Relu, Activation::Relu, 1);
    n.set_params(&vec![0.0; n.num_params()]).unwrap();
    assert_matches_generic(&n, &d, &Mse, "relu at 0");
    // And a network whose first layer is at its kink for one sample.
    let mut n = net(&[3, 4, 2], Activation::Relu, Activation::Identity, 2);
    let mut p = n.params().to_vec();
    let (_, b) = n.layer_ranges(0);
    p[b].fill(0.0);
    n.set_params(&p).unwrap();
    let x = Matrix::new(2, 3, vec![0.0, 0.0, 0.0, 0.4, -0.2, 0.9]).unwrap();
    let y = Matrix::new(2, 2, vec![0.1, -0.3, 0.5, 0.2]).unwrap();
    assert_matches_generic(
        &n,
        &Dataset::new(x, y).unwrap(),
        &Mse,
        "relu kink, one sample",
    );
}

#[test]
fn any_number_of_threads_gives_the_same_bits() {
    let d = data(11, 4, 3, true);
    let net = net(&[4, 9, 7, 3], Activation::Tanh, Activation::Identity, 9);
    let run = |threads| {
        net.hessian_with(
            &d,
            &SoftmaxCrossEntropy,
            HessianOptions { threads },
            &|_| {},
        )
        .unwrap()
        .into_column_major()
    };
    let one = run(1);
    for threads in [2, 3, usize::MAX] {
        assert!(
            one.iter()
                .zip(run(threads))
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{threads} threads"
        );
    }
}

#[test]
fn progress_counts_every_column_once() {
    let d = data(5, 3, 2, false);
    let net = net(&[3, 6, 2], Activation::Tanh, Activation::Identity, 4);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let count = |c: usize| {
        done.fetch_add(c, std::sync::atomic::Ordering::Relaxed);
    };
    net.hessian_with(&d, &Mse, one_thread(), &count).unwrap();
    assert_eq!(done.into_inner(), net.num_params());
}

#[test]
fn a_non_finite_number_on_the_way_gives_what_the_swept_route_gives() {
    let d = data(3, 2, 2, false);
    let net = net(&[2, 3, 2], Activation::Tanh, Activation::Identity, 8);
    let got = net
        .hessian_with(&d, &Singular, one_thread(), &|_| {})
        .unwrap()
        .into_column_major();
    let want = generic(&net, &d, &Singular);
    assert!(got.iter().any(|v| v.is_nan()), "the point is singular");
    assert!(got.iter().any(|v| v.is_finite()), "and not everywhere");
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "entry {k}: {g} vs {w}"
        );
    }
}
