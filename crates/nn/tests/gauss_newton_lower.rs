//! The dense Gauss-Newton matrix is swept for the rows from each sweep's
//! first column down and completed by symmetry (`G = Jᵀ H_z J` is
//! symmetric): the computed rows must be those of `G v` with the unit
//! vectors, the copied ones their transposes, whatever the threading.

use saddle_dual::{HessianOptions, LANES};
use saddle_nn::{Activation, Activations, Dataset, Init, Matrix, Mlp, SoftmaxCrossEntropy};

fn problem() -> (Mlp, Dataset) {
    let (n, d_in, d_out) = (12, 3, 4);
    let x = (0..n * d_in)
        .map(|k| (0.7 * k as f64 + 0.3).sin())
        .collect();
    // Class indices, one column.
    let y = (0..n).map(|i| (i % d_out) as f64).collect();
    let data = Dataset::new(
        Matrix::new(n, d_in, x).unwrap(),
        Matrix::new(n, 1, y).unwrap(),
    )
    .unwrap();
    let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    (
        Mlp::new(&[d_in, 6, 5, d_out], act, Init::Xavier, 3).unwrap(),
        data,
    )
}

#[test]
fn dense_gauss_newton_rows_match_unit_products_and_copies_are_transposes() {
    let (net, data) = problem();
    let n = net.num_params();
    assert!(n % LANES != 0, "a partial last sweep is part of the test");
    let loss = SoftmaxCrossEntropy;
    // Column j of G from a one-lane product with e_j: every row computed.
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let e: Vec<f64> = (0..n).map(|i| f64::from(i == j)).collect();
            net.ggn_vector_product_with(&data, &loss, &e).unwrap()
        })
        .collect();
    let scale = columns.iter().flatten().fold(0.0f64, |m, g| m.max(g.abs()));
    // One lane against eight: the same products summed in other lane
    // positions of the dual gemm, a few ulps of the largest entry.
    let tol = 1e-13 * scale;
    let serial = net
        .gauss_newton_with(&data, &loss, HessianOptions { threads: 1 })
        .unwrap();
    for (j, column) in columns.iter().enumerate() {
        for (i, &want) in column.iter().enumerate() {
            let got = serial.get(i, j);
            assert!((got - want).abs() <= tol, "G[{i}][{j}] = {got} vs {want}");
            if i < j / LANES * LANES {
                assert_eq!(
                    got.to_bits(),
                    serial.get(j, i).to_bits(),
                    "G[{i}][{j}] not copied"
                );
            }
        }
    }
    for threads in [2, 0] {
        let g = net
            .gauss_newton_with(&data, &loss, HessianOptions { threads })
            .unwrap();
        assert_eq!(
            g.as_column_major(),
            serial.as_column_major(),
            "threads {threads}"
        );
    }
}
