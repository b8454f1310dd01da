//! The curvature operators (issue 10, items 4 and 5): loss Hessian,
//! Gauss-Newton and empirical Fisher over a dataset in mini-batches, their
//! per-layer blocks, and their use by saddle-curvature's Krylov methods.
//!
//! Tolerances, all relative to the largest entry of the compared vector
//! or matrix:
//! - 1e-13 between two exact routes that add the same O(100) products of
//!   O(1) numbers in a different grouping (batches of 7 vs. one batch,
//!   column-by-column vs. lanes): each regrouping moves a sum by a few ε,
//!   ≤ ~1e-14 here; a batch weighted wrongly (by 1/#batches instead of
//!   n_b/N) moves `apply` by ≥ 1e-2.
//! - 1e-6 for per-sample gradients against central differences
//!   (truncation ~h² = 1e-8 times third derivatives ≤ ~10, rounding ~ε/h).
//! - 1e-8 for Lanczos Ritz values against the dense eigenvalues: with as
//!   many steps as the dimension and full reorthogonalisation the extreme
//!   Ritz values converge to rounding (~1e-12 relative); 1e-8 allows for
//!   the loss of orthogonality on clustered eigenvalues.

use saddle_curvature::{lanczos, Eigen};
use saddle_dual::{FnOperator, Hessian, HessianOptions, LinearOperator};
use saddle_nn::{
    Activation, Activations, Dataset, EmpiricalFisher, Error, GaussNewtonOperator, HessianOperator,
    Init, Loss, Matrix, Mlp, Mse, SoftmaxCrossEntropy,
};

const N: usize = 23;

fn inputs() -> Matrix {
    Matrix::new(
        N,
        3,
        (0..N * 3).map(|k| (0.61 * k as f64 + 0.2).sin()).collect(),
    )
    .unwrap()
}

fn regression() -> Dataset {
    let y = (0..N * 2).map(|k| (0.9 * k as f64).cos()).collect();
    Dataset::new(inputs(), Matrix::new(N, 2, y).unwrap()).unwrap()
}

fn classes() -> Dataset {
    let labels: Vec<usize> = (0..N).map(|i| (i * 5 + 1) % 2).collect();
    Dataset::classification(inputs(), &labels).unwrap()
}

fn net() -> Mlp {
    Mlp::new(
        &[3, 4, 2],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap()
}

fn direction(n: usize, seed: f64) -> Vec<f64> {
    (0..n).map(|i| (seed * i as f64 + 0.1).cos()).collect()
}

fn max_abs(v: impl IntoIterator<Item = f64>) -> f64 {
    v.into_iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn assert_close(what: &str, a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let err = max_abs(a.iter().zip(b).map(|(x, y)| x - y));
    let scale = max_abs(b.iter().copied());
    assert!(scale > 0.0, "{what}: all zero");
    assert!(
        err <= rel * scale,
        "{what}: off by {err:e} (scale {scale:e})"
    );
}

/// The three operators of `loss`, with batch size `b`.
fn each_operator<L: Loss>(
    net: &Mlp,
    data: &Dataset,
    loss: &L,
    b: usize,
    mut f: impl FnMut(&str, &dyn Fn(&[f64]) -> Result<Vec<f64>, Error>, Hessian),
) {
    let o = HessianOptions::default();
    let h = HessianOperator::new(net, data, loss, b, o).unwrap();
    f("hessian", &|v| h.apply(v), h.to_dense().unwrap());
    let g = GaussNewtonOperator::new(net, data, loss, b, o).unwrap();
    f("ggn", &|v| g.apply(v), g.to_dense().unwrap());
    let fi = EmpiricalFisher::new(net, data, loss, b).unwrap();
    f("fisher", &|v| fi.apply(v), fi.to_dense().unwrap());
}

fn batch_size_does_not_change_the_operator(data: &Dataset, loss: &impl Loss) {
    let net = net();
    let v = direction(net.num_params(), 0.7);
    let mut full = Vec::new();
    each_operator(&net, data, loss, N, |name, apply, dense| {
        full.push((name.to_string(), apply(&v).unwrap(), dense))
    });
    let mut k = 0;
    each_operator(&net, data, loss, 7, |name, apply, dense| {
        let (_, av, d) = &full[k];
        assert_close(
            &format!("{name} apply, batch 7 vs N"),
            &apply(&v).unwrap(),
            av,
            1e-13,
        );
        assert_close(
            &format!("{name} dense, batch 7 vs N"),
            dense.as_column_major(),
            d.as_column_major(),
            1e-13,
        );
        // The dense form agrees with its own apply (column j = A eⱼ).
        let col3 = apply(
            &(0..v.len())
                .map(|i| (i == 3) as u8 as f64)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_close(&format!("{name} column 3"), dense.column(3), &col3, 1e-13);
        k += 1;
    });
}

#[test]
fn batch_7_and_batch_n_give_the_same_operators_mse() {
    batch_size_does_not_change_the_operator(&regression(), &Mse);
}

#[test]
fn batch_7_and_batch_n_give_the_same_operators_cross_entropy() {
    batch_size_does_not_change_the_operator(&classes(), &SoftmaxCrossEntropy);
}

#[test]
fn operators_agree_with_the_network_methods() {
    let (net, data) = (net(), classes());
    let ce = SoftmaxCrossEntropy;
    let o = HessianOptions::default();
    let v = direction(net.num_params(), 1.3);
    let h = HessianOperator::new(&net, &data, &ce, N, o).unwrap();
    assert_eq!(
        h.apply(&v).unwrap(),
        net.hvp_with(&data, &ce, &v).unwrap().hv
    );
    let dense = net.hessian_with(&data, &ce, o, &|_| {}).unwrap();
    assert_eq!(h.to_dense().unwrap(), dense);
    // apply_columns (lanes) against column-by-column apply.
    let n = net.num_params();
    let vs: Vec<f64> = (0..3 * n).map(|k| (0.37 * k as f64).sin()).collect();
    let by_lanes = h.apply_columns(&vs).unwrap();
    let g = GaussNewtonOperator::new(&net, &data, &ce, 7, o).unwrap();
    let g_lanes = g.apply_columns(&vs).unwrap();
    for j in 0..3 {
        let col = &vs[j * n..(j + 1) * n];
        assert_close(
            "H apply_columns",
            &by_lanes[j * n..(j + 1) * n],
            &h.apply(col).unwrap(),
            1e-13,
        );
        assert_close(
            "G apply_columns",
            &g_lanes[j * n..(j + 1) * n],
            &g.apply(col).unwrap(),
            1e-13,
        );
    }
    let g1 = GaussNewtonOperator::new(&net, &data, &ce, N, o).unwrap();
    assert_eq!(
        g1.apply(&v).unwrap(),
        net.ggn_vector_product_with(&data, &ce, &v).unwrap()
    );
}

/// Per-sample gradients by central differences of the one-sample loss.
fn fd_sample_gradients(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Vec<Vec<f64>> {
    let h = 1e-5;
    (0..data.len())
        .map(|i| {
            let one = data.select(&[i]).unwrap();
            (0..net.num_params())
                .map(|p| {
                    let at = |s: f64| {
                        let mut m = net.clone();
                        let mut q = net.params().to_vec();
                        q[p] += s;
                        m.set_params(&q).unwrap();
                        m.loss_with(&one, loss).unwrap()
                    };
                    (at(h) - at(-h)) / (2.0 * h)
                })
                .collect()
        })
        .collect()
}

#[test]
fn empirical_fisher_matches_outer_products_of_finite_difference_gradients() {
    let (net, data) = (net(), classes());
    let ce = SoftmaxCrossEntropy;
    let gs = fd_sample_gradients(&net, &data, &ce);
    let n = net.num_params();
    let mut f = vec![0.0; n * n];
    for g in &gs {
        for j in 0..n {
            for i in 0..n {
                f[j * n + i] += g[i] * g[j] / N as f64;
            }
        }
    }
    let op = EmpiricalFisher::new(&net, &data, &ce, 7).unwrap();
    assert_close(
        "F vs FD",
        op.to_dense().unwrap().as_column_major(),
        &f,
        1e-6,
    );
    // The per-sample losses average to the dataset loss, so their
    // gradients average to its gradient (1e-6: the FD tolerance above).
    let mean: Vec<f64> = (0..n)
        .map(|p| gs.iter().map(|g| g[p]).sum::<f64>() / N as f64)
        .collect();
    let g = net.loss_and_gradient_with(&data, &ce).unwrap().gradient;
    assert_close("mean of per-sample gradients", &mean, &g, 1e-6);
    // vᵀFv = (1/N) Σ (gᵢᵀv)² ≥ 0.
    let v = direction(n, 2.1);
    let fv = op.apply(&v).unwrap();
    assert!(v.iter().zip(&fv).map(|(a, b)| a * b).sum::<f64>() > 0.0);
}

#[test]
fn lanczos_runs_on_every_operator_today() {
    let (net, data) = (net(), classes());
    each_operator(
        &net,
        &data,
        &SoftmaxCrossEntropy,
        7,
        |name, apply, dense| {
            let n = dense.n();
            let ritz = lanczos(&FnOperator::new(n, apply), n, 3).unwrap();
            let eig = Eigen::of(&dense).unwrap();
            let scale = eig.max().abs().max(eig.min().abs());
            let top = *ritz.values.last().unwrap();
            let bottom = ritz.values[0];
            assert!(
                (top - eig.max()).abs() <= 1e-8 * scale,
                "{name}: top {top} vs {}",
                eig.max()
            );
            assert!(
                (bottom - eig.min()).abs() <= 1e-8 * scale,
                "{name}: bottom {bottom} vs {}",
                eig.min()
            );
        },
    );
}

#[test]
fn fn_operator_wraps_an_hvp_closure() {
    let (net, data) = (net(), regression());
    let op = FnOperator::new(net.num_params(), |v: &[f64]| {
        Ok::<_, Error>(net.hvp(&data, v)?.hv)
    });
    let dense = op.to_dense().unwrap();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    assert_close(
        "FnOperator dense",
        dense.as_column_major(),
        h.as_column_major(),
        1e-13,
    );
    let e = op.apply(&[1.0]).unwrap_err();
    assert!(e.to_string().contains("1 entries"), "{e}");
}

/// The block of a dense matrix on `range`, column-major.
fn block_of(a: &Hessian, r: std::ops::Range<usize>) -> Vec<f64> {
    r.clone()
        .flat_map(|j| r.clone().map(move |i| a.get(i, j)))
        .collect()
}

#[test]
fn layer_blocks_equal_the_blocks_of_the_full_matrices() {
    let (net, data) = (net(), classes());
    let ce = SoftmaxCrossEntropy;
    let o = HessianOptions::default();
    let h = HessianOperator::new(&net, &data, &ce, 7, o).unwrap();
    let g = GaussNewtonOperator::new(&net, &data, &ce, 7, o).unwrap();
    for (name, full, summaries) in [
        ("H", h.to_dense().unwrap(), net.layer_summaries(&h).unwrap()),
        ("G", g.to_dense().unwrap(), net.layer_summaries(&g).unwrap()),
    ] {
        assert_eq!(summaries.len(), net.num_layers());
        for (l, s) in summaries.iter().enumerate() {
            let (w, b) = net.layer_ranges(l);
            let r = w.start..b.end;
            let expected = block_of(&full, r.clone());
            let block = if name == "H" {
                net.layer_block(&h, l).unwrap().to_dense().unwrap()
            } else {
                net.layer_block(&g, l).unwrap().to_dense().unwrap()
            };
            assert_close(
                &format!("{name} block {l}"),
                block.as_column_major(),
                &expected,
                1e-13,
            );
            let trace: f64 = r.clone().map(|i| full.get(i, i)).sum();
            let eig = Eigen::of_symmetric(r.len(), &expected).unwrap();
            let scale = eig.max().abs().max(eig.min().abs());
            assert_eq!(s.dim, r.len());
            assert!(
                (s.trace - trace).abs() <= 1e-13 * scale * r.len() as f64,
                "{name} {l} trace"
            );
            assert!(
                (s.max_eigenvalue - eig.max()).abs() <= 1e-12 * scale,
                "{name} {l} max"
            );
            assert!(
                (s.min_eigenvalue - eig.min()).abs() <= 1e-12 * scale,
                "{name} {l} min"
            );
            if name == "G" {
                assert!(s.min_eigenvalue >= -1e-10 * scale, "G block {l} not PSD");
            }
        }
    }
}

#[test]
fn operators_reject_bad_input() {
    let (net, data) = (net(), classes());
    let ce = SoftmaxCrossEntropy;
    let e = GaussNewtonOperator::new(&net, &data, &ce, 0, HessianOptions::default()).unwrap_err();
    assert!(e.to_string().contains("batch size 0"), "{e}");
    let h = HessianOperator::new(&net, &data, &ce, 5, HessianOptions::default()).unwrap();
    let e = net.layer_block(&h, 2).unwrap_err();
    assert!(e.to_string().contains("layer 2"), "{e}");
    let e = h.apply(&[0.0; 3]).unwrap_err();
    assert!(e.to_string().contains("3 entries"), "{e}");
    let e = h
        .apply_columns(&vec![0.0; net.num_params() + 1])
        .unwrap_err();
    assert!(e.to_string().contains("multiple"), "{e}");
    let wrong = Dataset::new(inputs(), Matrix::new(N, 3, vec![0.0; 3 * N]).unwrap()).unwrap();
    assert!(EmpiricalFisher::new(&net, &wrong, &Mse, 4).is_err());
}
