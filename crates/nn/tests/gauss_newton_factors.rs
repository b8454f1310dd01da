//! The dense Gauss-Newton matrix formed from its factors (`G = Jᵀ (H_z J)`,
//! taken when the batch has no more outputs than the network has
//! parameters) against the independent route: one-lane products `G eⱼ`
//! (forward mode through the network, forward-over-reverse on the loss,
//! reverse mode back; no `J` is ever formed). Also: exact symmetry, the
//! same bits on any number of threads, a loss that couples samples (a
//! dense `H_z`), the swept route for batches with more outputs than
//! parameters, and a point where a factor is not finite.

mod common;

use common::{data, Singular, SquaredMean};

use saddle_dual::{HessianOptions, LANES};
use saddle_nn::{Activation, Activations, Dataset, Init, Loss, Mlp, Mse, SoftmaxCrossEntropy};

fn net(sizes: &[usize], seed: u64) -> Mlp {
    let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    Mlp::new(sizes, act, Init::Xavier, seed).unwrap()
}

/// Column `j` of `G` from a one-lane product with `eⱼ`, for every `j`.
fn product_columns(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Vec<Vec<f64>> {
    let n = net.num_params();
    (0..n)
        .map(|j| {
            let e: Vec<f64> = (0..n).map(|i| f64::from(i == j)).collect();
            net.ggn_vector_product_with(data, loss, &e).unwrap()
        })
        .collect()
}

/// The dense `G` equals the products entry by entry. Both routes form the
/// same products `J_ri (H_z J)_rj` and sum them over the `M` outputs in
/// different orders, so an entry may differ by a few roundings of the
/// largest terms: `1e-13` of the largest entry is ~500 ulps of it, far
/// below any wrong product (a missing term is of the order of the entry).
///
/// The factor route's `G` is exactly symmetric (its upper triangle is a
/// copy); the swept route's is outside its `K × K` diagonal blocks.
fn assert_matches_products(net: &Mlp, data: &Dataset, loss: &impl Loss, factors: bool) {
    let g = net
        .gauss_newton_with(data, loss, HessianOptions { threads: 1 })
        .unwrap();
    let columns = product_columns(net, data, loss);
    let scale = columns.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(scale > 0.0);
    for (j, column) in columns.iter().enumerate() {
        for (i, &want) in column.iter().enumerate() {
            let got = g.get(i, j);
            assert!(
                (got - want).abs() <= 1e-13 * scale,
                "{}: G[{i}][{j}] = {got} vs {want}",
                loss.name()
            );
            if factors || i / LANES != j / LANES {
                assert_eq!(got.to_bits(), g.get(j, i).to_bits(), "G not symmetric");
            }
        }
    }
}

#[test]
fn factor_route_matches_products_for_a_per_sample_loss() {
    // M = 40·3 = 120 outputs ≤ 191 parameters.
    let (net, data) = (net(&[4, 9, 7, 3], 5), data(40, 4, 3, true));
    assert!(40 * 3 <= net.num_params());
    assert_matches_products(&net, &data, &SoftmaxCrossEntropy, true);
    let data = self::data(40, 4, 3, false);
    assert_matches_products(&net, &data, &Mse, true);
}

#[test]
fn factor_route_matches_products_for_a_loss_coupling_every_output() {
    let (net, data) = (net(&[3, 8, 2], 2), data(20, 3, 2, false));
    assert!(20 * 2 <= net.num_params());
    assert_matches_products(&net, &data, &SquaredMean, true);
}

#[test]
fn the_swept_route_serves_batches_with_more_outputs_than_parameters() {
    // 200·2 = 400 outputs > 35 parameters.
    let (net, data) = (net(&[3, 5, 2], 4), data(200, 3, 2, true));
    assert!(200 * 2 > net.num_params());
    assert_matches_products(&net, &data, &SoftmaxCrossEntropy, false);
}

#[test]
fn several_jobs_and_row_blocks_give_the_same_bits_on_any_threads() {
    // 40 samples: three jobs of J; 782 parameters: two row blocks of G.
    let (net, data) = (net(&[3, 30, 20, 2], 7), data(40, 3, 2, false));
    assert!(net.num_params() > 512);
    let serial = net
        .gauss_newton_with(&data, &Mse, HessianOptions { threads: 1 })
        .unwrap();
    for threads in [2, 3, 0] {
        let g = net
            .gauss_newton_with(&data, &Mse, HessianOptions { threads })
            .unwrap();
        assert_eq!(
            g.as_column_major(),
            serial.as_column_major(),
            "threads {threads}"
        );
    }
    // Spot columns against products (all 782 would take a while).
    let n = net.num_params();
    let scale = serial
        .as_column_major()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for j in [0, 1, 95, 511, 512, 700, n - 1] {
        let e: Vec<f64> = (0..n).map(|i| f64::from(i == j)).collect();
        let column = net.ggn_vector_product_with(&data, &Mse, &e).unwrap();
        for (i, want) in column.iter().enumerate() {
            let got = serial.get(i, j);
            // As in `assert_matches_products`.
            assert!((got - want).abs() <= 1e-13 * scale, "G[{i}][{j}]");
        }
    }
}

#[test]
fn a_non_finite_factor_gives_what_the_products_give() {
    let (net, data) = (net(&[2, 4, 2], 1), data(6, 2, 2, false));
    let g = net
        .gauss_newton_with(&data, &Singular, HessianOptions { threads: 1 })
        .unwrap();
    let columns = product_columns(&net, &data, &Singular);
    let scale = columns
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let mut nan = 0;
    for (j, column) in columns.iter().enumerate() {
        for (i, &want) in column.iter().enumerate() {
            let got = g.get(i, j);
            if want.is_nan() {
                nan += 1;
                assert!(got.is_nan(), "G[{i}][{j}] = {got}, the product gives NaN");
            } else {
                // As in `assert_matches_products`.
                assert!(
                    (got - want).abs() <= 1e-13 * scale,
                    "G[{i}][{j}] = {got} vs {want}"
                );
            }
        }
    }
    assert!(nan > 0, "the loss must make some entry NaN");
    assert!(scale > 0.0, "and leave some entries numbers");
}
