//! The Gauss-Newton split `H = G + R` (`gauss_newton_split`): exact on
//! matrices whose answer is known by hand, and on a network whose `G` is
//! also applied matrix-free (an independent route for `uᵀGu`).

use saddle_curvature::{gauss_newton_split, Eigen, Tolerances};
use saddle_dual::{Hessian, HessianOptions};
use saddle_nn::{Activation, Activations, Dataset, Init, Matrix, Mlp, Mse, SoftmaxCrossEntropy};

fn dense(n: usize, row_major: &[f64]) -> Hessian {
    // Symmetric inputs: row- and column-major agree.
    Hessian::from_column_major(n, row_major.to_vec()).unwrap()
}

#[test]
fn split_of_a_rotated_pair_is_known_by_hand() {
    // Q = rotation by θ; H = Q diag(3, −1) Qᵀ, G = Q diag(3.5, 0.25) Qᵀ,
    // so R = Q diag(−0.5, −1.25) Qᵀ: H's one negative direction u = Q e₂
    // has uᵀGu = 0.25 and uᵀRu = −1.25.
    let (c, s) = (0.6_f64, 0.8_f64);
    let sym = |a: f64, b: f64| {
        vec![
            a * c * c + b * s * s,
            (a - b) * c * s,
            (a - b) * c * s,
            a * s * s + b * c * c,
        ]
    };
    let h = dense(2, &sym(3.0, -1.0));
    let g = dense(2, &sym(3.5, 0.25));
    let split =
        gauss_newton_split(&h, &Eigen::of(&h).unwrap(), &g, &Tolerances::default()).unwrap();
    // Entries are O(1) and every step is a handful of flops: 1e-14
    // absolute is ~50 ulp, far below any wrong term (≥ 0.25).
    let close = |a: f64, b: f64| (a - b).abs() < 1e-14;
    assert!(
        close(split.h[0], -1.0) && close(split.h[1], 3.0),
        "{:?}",
        split.h
    );
    assert!(
        close(split.g[0], 0.25) && close(split.g[1], 3.5),
        "{:?}",
        split.g
    );
    assert!(
        close(split.r[0], -1.25) && close(split.r[1], -0.5),
        "{:?}",
        split.r
    );
    assert_eq!(split.negative.count, 1);
    assert!(close(split.negative.total, -1.0));
    assert!(close(split.negative.from_g, 0.25));
    assert!(close(split.negative.from_r, -1.25));
    assert_eq!(split.negative.r_negative, 1);
    assert_eq!(
        (
            split.inertia_h.negative,
            split.inertia_g.negative,
            split.inertia_r.negative
        ),
        (1, 0, 2)
    );
    // ‖R‖_F² = 0.25 + 1.5625, ‖H‖_F² = 10.
    assert!(close(split.residual_share, (1.8125_f64 / 10.0).sqrt()));
    assert!(close(split.g_min_relative, 0.25 / 3.5));
    assert_eq!(
        split.top(5),
        vec![(split.h[1], split.g[1]), (split.h[0], split.g[0])]
    );
}

/// A small tanh network with enough parameters to have negative
/// curvature away from a fit: [3, 6, 2], 38 parameters, 7 samples.
fn network() -> (Mlp, Matrix) {
    let net = Mlp::new(
        &[3, 6, 2],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap();
    let x = (0..21).map(|k| (0.9 * k as f64 + 0.2).sin()).collect();
    (net, Matrix::new(7, 3, x).unwrap())
}

/// Checks a split of a network's loss Hessian against the matrix-free
/// Gauss-Newton product: for every negative eigenvector u of H,
/// `uᵀ(G u)` with `G u` from `ggn_vector_product_with`.
fn check_network_split(net: &Mlp, data: &Dataset, loss: &impl saddle_nn::Loss) {
    let h = net
        .hessian_with(data, loss, HessianOptions::default(), &|_| {})
        .unwrap();
    let g = net
        .gauss_newton_with(data, loss, HessianOptions::default())
        .unwrap();
    let e = Eigen::of(&h).unwrap();
    let split = gauss_newton_split(&h, &e, &g, &Tolerances::default()).unwrap();
    let scale = split.h.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    // Rounding: H and G come from sweeps accurate to ~1e-15 relative and
    // the eigensolver adds ~n·ε·‖H‖ ≈ 1e-14·‖H‖ at n = 38; 1e-11·‖H‖ is
    // far above both and far below the curvatures compared (≥ 1e-4·‖H‖).
    let tol = 1e-11 * scale;
    assert!(
        split.negative.count > 0,
        "the test needs negative curvature: {:?}",
        &split.h[..3]
    );
    let (mut from_g, mut total) = (0.0, 0.0);
    for i in 0..split.negative.count {
        let u = e.vector(i);
        let gu = net.ggn_vector_product_with(data, loss, u).unwrap();
        from_g += u.iter().zip(&gu).map(|(a, b)| a * b).sum::<f64>();
        total += e.values()[i];
    }
    assert!(
        (split.negative.from_g - from_g).abs() <= tol,
        "{} vs {from_g}",
        split.negative.from_g
    );
    assert!((split.negative.total - total).abs() <= tol);
    assert!((split.negative.from_g + split.negative.from_r - total).abs() <= tol);
    // Convex losses: G is PSD, so every negative direction of H is one of R.
    assert!(split.negative.from_g >= -tol);
    assert!(
        split.g_min_relative >= -1e-11,
        "G not PSD: {}",
        split.g_min_relative
    );
    assert_eq!(split.inertia_g.negative, 0);
    assert_eq!(split.negative.r_negative, split.negative.count);
    // Weyl: n₋(H) ≤ n₋(G) + n₋(R).
    assert!(split.inertia_h.negative <= split.inertia_g.negative + split.inertia_r.negative);
    // ‖R‖_F from the spectrum equals ‖H − G‖_F from the entries.
    let direct: f64 = h
        .as_column_major()
        .iter()
        .zip(g.as_column_major())
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    let hf: f64 = h
        .as_column_major()
        .iter()
        .map(|a| a * a)
        .sum::<f64>()
        .sqrt();
    assert!((split.residual_share - direct / hf).abs() <= 1e-12);
}

#[test]
fn network_split_under_mse_agrees_with_the_matrix_free_gauss_newton_product() {
    let (net, x) = network();
    let y = (0..14).map(|k| 2.0 * (1.1 * k as f64).cos()).collect();
    let data = Dataset::new(x, Matrix::new(7, 2, y).unwrap()).unwrap();
    check_network_split(&net, &data, &Mse);
}

#[test]
fn network_split_under_cross_entropy_agrees_with_the_matrix_free_gauss_newton_product() {
    let (net, x) = network();
    let data = Dataset::classification(x, &[0, 1, 1, 0, 1, 0, 0]).unwrap();
    check_network_split(&net, &data, &SoftmaxCrossEntropy);
}

#[test]
fn split_rejects_mismatched_sizes_and_non_finite_entries() {
    let h = dense(2, &[1.0, 0.0, 0.0, 1.0]);
    let g3 = dense(3, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let e = Eigen::of(&h).unwrap();
    let err = gauss_newton_split(&h, &e, &g3, &Tolerances::default()).unwrap_err();
    assert!(err.to_string().contains("G is 3×3"), "{err}");
    let g_inf = dense(2, &[f64::INFINITY, 0.0, 0.0, 1.0]);
    let err = gauss_newton_split(&h, &e, &g_inf, &Tolerances::default()).unwrap_err();
    assert!(
        err.to_string().contains("non-finite entry at (0, 0)"),
        "{err}"
    );
    let bad = Tolerances {
        eigen_rel: 2.0,
        ..Tolerances::default()
    };
    assert!(gauss_newton_split(&h, &e, &h, &bad).is_err());
}
