//! `Mlp::hessian_matrix_product_with` by the layer-by-layer tangent pass
//! against the independent route: saddle-dual's forward-over-reverse on the
//! loss recorded on a tape of duals (`hessian_matrix_product_with` on
//! `loss_on_tape_with`).
//! Every activation, several losses (one coupling every output), depths 1
//! to 3, one sample, direction counts that are not a multiple of the group
//! size, threads bit for bit, and a non-finite point (the swept route's
//! answer, `NaN`s included).

mod common;

use common::{data, net, Singular, SquaredMean};

use saddle_dual::{hessian_matrix_product_with, HessianOptions, LANES};
use saddle_nn::{Activation, Dataset, Huber, Loss, Mlp, Mse, SoftmaxCrossEntropy};

/// `m` directions of `p` parameters, column-major, deterministic.
fn directions(p: usize, m: usize) -> Vec<f64> {
    (0..p * m)
        .map(|k| (0.61 * k as f64 + 0.3).sin() * (1.0 + (k % 7) as f64 / 7.0))
        .collect()
}

/// Agreement to `1e-12` of the largest entry of `want` (at least 1): the
/// same products summed in another order (sums of at most a few hundred
/// terms, a few ulps each).
fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * scale,
            "{what}: entry {k}: {g} by layers, {w} independent (scale {scale})"
        );
    }
}

fn check_products(net: &Mlp, d: &Dataset, loss: &impl Loss, m: usize, what: &str) {
    let v = directions(net.num_params(), m);
    let one = HessianOptions { threads: 1 };
    let got = net.hessian_matrix_product_with(d, loss, &v, one).unwrap();
    let want = hessian_matrix_product_with::<LANES, _>(
        |q| net.loss_on_tape_with(q, d, loss).unwrap(),
        net.params(),
        &v,
        one,
    )
    .unwrap();
    assert_close(
        got.as_column_major(),
        want.as_column_major(),
        &format!("{what}: H V, {m} directions"),
    );
}

#[test]
fn every_activation_matches_the_independent_routes() {
    let d = data(7, 3, 2, false);
    for (s, hidden) in Activation::ALL.into_iter().enumerate() {
        for output in [Activation::Identity, Activation::Sigmoid, Activation::Tanh] {
            let net = net(&[3, 5, 4, 2], hidden, output, 21 + s as u64);
            check_products(&net, &d, &Mse, 3, &format!("{hidden}/{output}"));
        }
    }
}

#[test]
fn losses_and_shapes_match_the_independent_routes() {
    let reg = data(9, 4, 3, false);
    let cls = data(9, 4, 3, true);
    let n = net(&[4, 6, 5, 3], Activation::Tanh, Activation::Identity, 5);
    check_products(&n, &cls, &SoftmaxCrossEntropy, 11, "softmax cross-entropy");
    check_products(&n, &reg, &Huber::new(0.5).unwrap(), 8, "huber");
    check_products(&n, &reg, &SquaredMean, 9, "a loss coupling every output");
    for (sizes, rows) in [(vec![3, 2], 5), (vec![5, 3, 2], 1), (vec![1, 7, 1], 3)] {
        let d = data(rows, sizes[0], *sizes.last().unwrap(), false);
        let net = net(&sizes, Activation::Softplus, Activation::Identity, 3);
        check_products(&net, &d, &Mse, 17, &format!("{sizes:?}, N = {rows}"));
    }
}

#[test]
fn any_number_of_threads_gives_the_same_bits() {
    let d = data(11, 4, 3, true);
    let net = net(&[4, 9, 7, 3], Activation::Tanh, Activation::Identity, 9);
    let v = directions(net.num_params(), 29);
    let run = |threads| {
        net.hessian_matrix_product_with(&d, &SoftmaxCrossEntropy, &v, HessianOptions { threads })
            .unwrap()
            .as_column_major()
            .to_vec()
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
fn a_non_finite_number_on_the_way_gives_what_the_swept_route_gives() {
    let d = data(3, 2, 2, false);
    let net = net(&[2, 3, 2], Activation::Tanh, Activation::Identity, 8);
    let v = directions(net.num_params(), 3);
    let one = HessianOptions { threads: 1 };
    let got = net
        .hessian_matrix_product_with(&d, &Singular, &v, one)
        .unwrap();
    let want = hessian_matrix_product_with::<LANES, _>(
        |q| net.loss_on_tape_with(q, &d, &Singular).unwrap(),
        net.params(),
        &v,
        one,
    )
    .unwrap();
    let (got, want) = (got.as_column_major(), want.as_column_major());
    assert!(got.iter().any(|x| x.is_nan()), "the point is singular");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "entry {k}: {g} vs {w}"
        );
    }
}
