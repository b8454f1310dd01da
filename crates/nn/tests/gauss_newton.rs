//! The Gauss-Newton matrix `G = Jᵀ H_z J` (issue 10, item 3), checked by
//! independent routes:
//!
//! - `G v` and the dense `G` against `Jᵀ H_z J` formed explicitly on a
//!   small network: `J` row by row from reverse-mode gradients of each
//!   output (saddle-dual `gradient`), `H_z` from saddle-dual `hessian` of
//!   the loss in the outputs alone. Tolerance 1e-12 relative to the
//!   largest entry: both routes add the same O(n) products of numbers of
//!   size ≤ ~10 in different orders (gemm vs. explicit loops), which moves
//!   results by a few `n·ε ≈ 1e-14`; a wrong term (a missing `H_z` entry,
//!   a wrong sign) moves them by ≥ 1e-3.
//! - `J v` itself against central differences of the plain forward pass
//!   (1e-6 relative: truncation ~h² = 1e-8 times third derivatives ≤ ~10,
//!   rounding ~ε/h ≈ 1e-12).
//! - PSD for convex losses: the smallest eigenvalue of the symmetrised `G`
//!   (faer, through saddle-curvature's `Eigen`) ≥ −1e-10·max|λ|. Exact
//!   arithmetic gives λ ≥ 0; a computed zero eigenvalue carries an error of
//!   ~n·ε·‖G‖ ≈ 1e-14·‖G‖, so 1e-10 leaves four digits of margin while any
//!   true negative curvature (as `H` has, tested below) is ≥ 1e-4·‖G‖.
//! - `H − G → 0` when the network interpolates its data under MSE (every
//!   residual zero, so `R = Σ rᵢ ∇²zᵢ = 0`).

use saddle_curvature::Eigen;
use saddle_dual::{gradient, hessian, Hessian, HessianOptions};
use saddle_nn::{
    Activation, Activations, BceWithLogits, Dataset, Error, Huber, Init, Loss, Matrix, Mlp, Mse,
    SoftmaxCrossEntropy,
};
use saddle_tape::{Block, Scalar, Var};

const N: usize = 5;
const D_IN: usize = 3;
const D_OUT: usize = 3;

fn inputs() -> Matrix {
    let x = (0..N * D_IN)
        .map(|k| (0.7 * k as f64 + 0.3).sin())
        .collect();
    Matrix::new(N, D_IN, x).unwrap()
}

fn net() -> Mlp {
    Mlp::new(
        &[D_IN, 4, D_OUT],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        11,
    )
    .unwrap()
}

fn regression_data() -> Dataset {
    let y = (0..N * D_OUT).map(|k| (1.3 * k as f64).cos()).collect();
    Dataset::new(inputs(), Matrix::new(N, D_OUT, y).unwrap()).unwrap()
}

fn binary_data() -> Dataset {
    let y = (0..N * D_OUT)
        .map(|k| ((k * 7) % 3 == 0) as u8 as f64)
        .collect();
    Dataset::new(inputs(), Matrix::new(N, D_OUT, y).unwrap()).unwrap()
}

fn class_data() -> Dataset {
    let labels: Vec<usize> = (0..N).map(|i| (2 * i + 1) % D_OUT).collect();
    Dataset::classification(inputs(), &labels).unwrap()
}

/// A user-defined loss: MSE written with block operations.
struct MyMse;

impl Loss for MyMse {
    fn name(&self) -> &'static str {
        "my-mse"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        Ok(p.sub(y)?.square().mean())
    }
}

fn direction(n: usize, seed: f64) -> Vec<f64> {
    (0..n).map(|i| (seed * i as f64 + 0.4).sin()).collect()
}

/// `J` (rows: outputs row-major, columns: parameters), row by row from
/// reverse-mode gradients of each output.
fn dense_jacobian(net: &Mlp, x: &Matrix) -> Vec<Vec<f64>> {
    let outputs = x.rows() * net.sizes().last().unwrap();
    let d = *net.sizes().last().unwrap();
    (0..outputs)
        .map(|r| {
            gradient(|p| net.forward_on_tape(p, x).at(r / d, r % d), net.params())
                .unwrap()
                .gradient
        })
        .collect()
}

/// `H_z = ∂²L/∂z²` of the loss in the prediction block alone.
fn dense_loss_hessian(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Hessian {
    let z = net.forward(data.inputs()).unwrap();
    let (rows, cols) = (z.rows(), z.cols());
    let y = data.targets();
    hessian(
        |zs| {
            let tape = zs[0].tape().unwrap();
            let p = tape.stack(rows, cols, zs).unwrap();
            let yv: Vec<_> = y.as_slice().iter().map(|&v| Scalar::from_f64(v)).collect();
            let t = tape.constant_block(y.rows(), y.cols(), &yv).unwrap();
            loss.on_tape(&p, &t).unwrap()
        },
        z.as_slice(),
    )
    .unwrap()
}

/// `Jᵀ H_z J`, row-major `n × n`.
fn dense_ggn(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Vec<Vec<f64>> {
    let j = dense_jacobian(net, data.inputs());
    let hz = dense_loss_hessian(net, data, loss);
    let (m, n) = (j.len(), net.num_params());
    // H_z J (m × n)
    let hj: Vec<Vec<f64>> = (0..m)
        .map(|r| {
            (0..n)
                .map(|c| (0..m).map(|s| hz.get(r, s) * j[s][c]).sum())
                .collect()
        })
        .collect();
    (0..n)
        .map(|a| {
            (0..n)
                .map(|b| (0..m).map(|r| j[r][a] * hj[r][b]).sum())
                .collect()
        })
        .collect()
}

fn max_abs(v: impl IntoIterator<Item = f64>) -> f64 {
    v.into_iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn check_against_dense(data: &Dataset, loss: &impl Loss) {
    let net = net();
    let n = net.num_params();
    let g = dense_ggn(&net, data, loss);
    let scale = max_abs(g.iter().flatten().copied());
    assert!(
        scale > 1e-3,
        "{}: G is trivially small ({scale})",
        loss.name()
    );
    for seed in [0.3, 1.7, 2.9] {
        let v = direction(n, seed);
        let gv = net.ggn_vector_product_with(data, loss, &v).unwrap();
        let expected: Vec<f64> = g
            .iter()
            .map(|row| row.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        let err = max_abs(gv.iter().zip(&expected).map(|(a, b)| a - b));
        let vscale = max_abs(expected.iter().copied());
        assert!(
            err <= 1e-12 * vscale,
            "{}: G v off by {err:e} (scale {vscale:e})",
            loss.name()
        );
    }
    for threads in [1, 0] {
        let full = net
            .gauss_newton_with(data, loss, HessianOptions { threads })
            .unwrap();
        let err = max_abs(
            (0..n)
                .flat_map(|i| (0..n).map(move |j| (i, j)))
                .map(|(i, j)| full.get(i, j) - g[i][j]),
        );
        assert!(
            err <= 1e-12 * scale,
            "{}: dense G off by {err:e} (threads {threads})",
            loss.name()
        );
        assert!(
            full.relative_asymmetry() <= 1e-13,
            "{}: G asymmetric",
            loss.name()
        );
    }
}

#[test]
fn ggn_vector_product_matches_explicit_jt_hz_j_mse() {
    check_against_dense(&regression_data(), &Mse);
}

#[test]
fn ggn_vector_product_matches_explicit_jt_hz_j_cross_entropy() {
    check_against_dense(&class_data(), &SoftmaxCrossEntropy);
}

#[test]
fn ggn_vector_product_matches_explicit_jt_hz_j_bce() {
    check_against_dense(&binary_data(), &BceWithLogits);
}

#[test]
fn ggn_vector_product_matches_explicit_jt_hz_j_huber() {
    // δ = 0.5: some residuals fall in the linear part (H_z = 0 there).
    check_against_dense(&regression_data(), &Huber::new(0.5).unwrap());
}

#[test]
fn ggn_vector_product_matches_explicit_jt_hz_j_user_loss() {
    check_against_dense(&regression_data(), &MyMse);
    // and equals the built-in loss it coincides with (1e-12 relative).
    let (net, data) = (net(), regression_data());
    let v = direction(net.num_params(), 0.9);
    let a = net.ggn_vector_product_with(&data, &MyMse, &v).unwrap();
    let b = net.ggn_vector_product_with(&data, &Mse, &v).unwrap();
    let err = max_abs(a.iter().zip(&b).map(|(x, y)| x - y));
    assert!(err <= 1e-12 * max_abs(b.iter().copied()));
}

#[test]
fn jacobian_vector_product_matches_central_differences() {
    // The J used above, against the plain forward pass.
    let net = net();
    let x = inputs();
    let j = dense_jacobian(&net, &x);
    let v = direction(net.num_params(), 1.1);
    let h = 1e-4;
    let shifted = |s: f64| {
        let p: Vec<f64> = net
            .params()
            .iter()
            .zip(&v)
            .map(|(a, b)| a + s * b)
            .collect();
        let mut m = net.clone();
        m.set_params(&p).unwrap();
        m.forward(&x).unwrap()
    };
    let (up, down) = (shifted(h), shifted(-h));
    for (r, row) in j.iter().enumerate() {
        let jv: f64 = row.iter().zip(&v).map(|(a, b)| a * b).sum();
        let fd = (up.as_slice()[r] - down.as_slice()[r]) / (2.0 * h);
        assert!(
            (jv - fd).abs() <= 1e-6 * jv.abs().max(1.0),
            "row {r}: {jv} vs {fd}"
        );
    }
}

fn min_eigenvalue_ratio(h: &Hessian) -> f64 {
    let e = Eigen::of(h).unwrap();
    let norm = e.min().abs().max(e.max().abs());
    e.min() / norm
}

#[test]
fn ggn_is_psd_for_convex_losses_while_the_hessian_is_not() {
    let net = net();
    let opts = HessianOptions::default();
    let cases: Vec<(&str, Hessian, Hessian)> = vec![
        (
            "mse",
            net.gauss_newton_with(&regression_data(), &Mse, opts)
                .unwrap(),
            net.hessian_with(&regression_data(), &Mse, opts, &|_| {})
                .unwrap(),
        ),
        (
            "ce",
            net.gauss_newton_with(&class_data(), &SoftmaxCrossEntropy, opts)
                .unwrap(),
            net.hessian_with(&class_data(), &SoftmaxCrossEntropy, opts, &|_| {})
                .unwrap(),
        ),
        (
            "bce",
            net.gauss_newton_with(&binary_data(), &BceWithLogits, opts)
                .unwrap(),
            net.hessian_with(&binary_data(), &BceWithLogits, opts, &|_| {})
                .unwrap(),
        ),
        (
            "huber",
            net.gauss_newton_with(&regression_data(), &Huber::new(0.5).unwrap(), opts)
                .unwrap(),
            net.hessian_with(&regression_data(), &Huber::new(0.5).unwrap(), opts, &|_| {})
                .unwrap(),
        ),
    ];
    for (name, g, h) in cases {
        let rg = min_eigenvalue_ratio(&g);
        assert!(rg >= -1e-10, "{name}: G has λ_min/‖G‖ = {rg:e}");
        // The test can fail: H itself has clearly negative curvature here.
        let rh = min_eigenvalue_ratio(&h);
        assert!(
            rh < -1e-4,
            "{name}: H has λ_min/‖H‖ = {rh:e} (expected indefinite)"
        );
    }
}

#[test]
fn hessian_equals_ggn_when_the_network_interpolates_its_data() {
    // Targets = the network's own outputs: every residual is zero (up to
    // the rounding between the plain and the taped forward pass, ~1e-16),
    // so R = Σ rᵢ ∇²zᵢ vanishes and H = G. Tolerance 1e-12 relative to the
    // largest entry (R ~ 1e-16·‖∇²z‖ plus summation-order differences).
    let net = net();
    let x = inputs();
    let y = net.forward(&x).unwrap();
    let data = Dataset::new(x, y).unwrap();
    let opts = HessianOptions::default();
    let h = net.hessian(&data, opts).unwrap();
    let g = net.gauss_newton_with(&data, &Mse, opts).unwrap();
    let n = net.num_params();
    let diff = max_abs((0..n * n).map(|k| h.as_column_major()[k] - g.as_column_major()[k]));
    let scale = max_abs(g.as_column_major().iter().copied());
    assert!(
        diff <= 1e-12 * scale,
        "‖H − G‖max = {diff:e}, ‖G‖max = {scale:e}"
    );
    // With other targets R ≠ 0 and the same comparison fails clearly.
    let h2 = net.hessian(&regression_data(), opts).unwrap();
    let g2 = net
        .gauss_newton_with(&regression_data(), &Mse, opts)
        .unwrap();
    let diff2 = max_abs((0..n * n).map(|k| h2.as_column_major()[k] - g2.as_column_major()[k]));
    assert!(diff2 > 1e-3 * scale, "R should not vanish: {diff2:e}");
}

#[test]
fn ggn_vector_product_rejects_bad_directions() {
    let (net, data) = (net(), regression_data());
    let n = net.num_params();
    let e = net
        .ggn_vector_product_with(&data, &Mse, &vec![0.0; n - 1])
        .unwrap_err();
    assert!(e.to_string().contains(&format!("{} entries", n - 1)), "{e}");
    let mut v = vec![0.0; n];
    v[3] = f64::NAN;
    let e = net.ggn_vector_product_with(&data, &Mse, &v).unwrap_err();
    assert!(e.to_string().contains("v[3]"), "{e}");
}
