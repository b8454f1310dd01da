//! Adversarial cases for the layer-by-layer dense Hessian
//! (`Mlp::hessian_with`, hessian_layers.rs) and the layer-by-layer `H V`
//! (`Mlp::hessian_matrix_product_with` for m ≥ 2, tangent_products.rs),
//! each compared entry by entry with the generic routes of saddle-dual on
//! the loss recorded on a tape (`hessian_with::<8, _>` and
//! `hessian_matrix_product_with` on `loss_on_tape_with`): per-layer
//! activations, every activation as output under every built-in loss,
//! exact kinks, saturation at |z| ≈ 10³, extreme logits, tiny and straddling
//! shapes, a large batch, a zero loss gradient, user losses that ignore
//! targets or outputs or fail, non-finite directions, threads and progress.

use saddle_dual::{hessian_matrix_product_with, hessian_with, HessianOptions};
use saddle_nn::{
    Activation, Activations, BceWithLogits, Dataset, Error, Huber, Init, Loss, Matrix, Mlp, Mse,
    SoftmaxCrossEntropy,
};
use saddle_tape::{Block, Scalar, Var};
use std::sync::atomic::{AtomicUsize, Ordering};

fn inputs(n: usize, d_in: usize, scale: f64) -> Matrix {
    let x = (0..n * d_in)
        .map(|k| scale * (0.37 * k as f64 + 0.1).sin())
        .collect();
    Matrix::new(n, d_in, x).unwrap()
}

fn regression(n: usize, d_in: usize, d_out: usize) -> Dataset {
    let y = (0..n * d_out).map(|k| (0.23 * k as f64).cos()).collect();
    Dataset::new(inputs(n, d_in, 1.0), Matrix::new(n, d_out, y).unwrap()).unwrap()
}

fn classes(n: usize, d_in: usize, d_out: usize) -> Dataset {
    let labels: Vec<usize> = (0..n).map(|i| (3 * i + i / 7) % d_out).collect();
    Dataset::classification(inputs(n, d_in, 1.0), &labels).unwrap()
}

fn binary(n: usize, d_in: usize, d_out: usize) -> Dataset {
    let y = (0..n * d_out)
        .map(|k| f64::from(u8::from(k % 3 == 0)))
        .collect();
    Dataset::new(inputs(n, d_in, 1.0), Matrix::new(n, d_out, y).unwrap()).unwrap()
}

fn per_layer(sizes: &[usize], acts: &[Activation], seed: u64) -> Mlp {
    Mlp::new(
        sizes,
        Activations::per_layer(acts.to_vec()),
        Init::Xavier,
        seed,
    )
    .unwrap()
}

fn opts(threads: usize) -> HessianOptions {
    HessianOptions { threads }
}

/// `m` deterministic directions of `p` parameters, column-major.
fn directions(p: usize, m: usize) -> Vec<f64> {
    (0..p * m)
        .map(|k| (0.61 * k as f64 + 0.3).sin() * (1.0 + (k % 7) as f64 / 7.0))
        .collect()
}

fn generic_hessian(net: &Mlp, data: &Dataset, loss: &impl Loss) -> Vec<f64> {
    hessian_with::<8, _>(
        |p| net.loss_on_tape_with(p, data, loss).unwrap(),
        net.params(),
        opts(1),
    )
    .unwrap()
    .into_column_major()
}

fn generic_products(net: &Mlp, data: &Dataset, loss: &impl Loss, v: &[f64]) -> Vec<f64> {
    hessian_matrix_product_with::<8, _>(
        |p| net.loss_on_tape_with(p, data, loss).unwrap(),
        net.params(),
        v,
        opts(1),
    )
    .unwrap()
    .as_column_major()
    .to_vec()
}

/// Entrywise agreement: equal to `1e-12` of the largest finite magnitude
/// in `want` (at least 1) — both routes form the same products and sum
/// them in another order, so they differ by a few ulps of each sum — and
/// where `want` is not finite, the same non-finite value (any NaN for NaN).
fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want
        .iter()
        .filter(|v| v.is_finite())
        .fold(1.0f64, |m, v| m.max(v.abs()));
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_nan() {
            g.is_nan()
        } else if w.is_infinite() {
            g == w
        } else {
            (g - w).abs() <= 1e-12 * scale
        };
        assert!(
            ok,
            "{what}: entry {k}: {g} layered, {w} generic (scale {scale})"
        );
    }
}

fn check_both(net: &Mlp, data: &Dataset, loss: &impl Loss, what: &str) {
    let h = net.hessian_with(data, loss, opts(1), &|_| {}).unwrap();
    assert_close(
        h.as_column_major(),
        &generic_hessian(net, data, loss),
        &format!("{what}: hessian"),
    );
    let p = net.num_params();
    // 11 directions: one full group of 8 and a partial group of 3.
    let v = directions(p, 11);
    let hv = net
        .hessian_matrix_product_with(data, loss, &v, opts(1))
        .unwrap();
    assert_close(
        hv.as_column_major(),
        &generic_products(net, data, loss, &v),
        &format!("{what}: products"),
    );
}

#[test]
fn per_layer_activations_with_every_output_and_loss() {
    use Activation::*;
    let hidden = [[Relu, Sigmoid], [Softplus, Tanh], [Identity, Relu]];
    for (s, h) in hidden.iter().enumerate() {
        for output in Activation::ALL {
            let acts = [h[0], h[1], output];
            let sizes = [3, 4, 3, 2];
            let net = per_layer(&sizes, &acts, 40 + s as u64);
            let what = format!("{acts:?}");
            check_both(&net, &regression(6, 3, 2), &Mse, &format!("{what} mse"));
            check_both(
                &net,
                &regression(6, 3, 2),
                &Huber::new(0.3).unwrap(),
                &format!("{what} huber"),
            );
            check_both(
                &net,
                &classes(6, 3, 2),
                &SoftmaxCrossEntropy,
                &format!("{what} softmax"),
            );
            check_both(
                &net,
                &binary(6, 3, 2),
                &BceWithLogits,
                &format!("{what} bce"),
            );
        }
    }
}

#[test]
fn exact_kinks_of_relu_and_identity_layers() {
    use Activation::*;
    // Integer-valued inputs and weights in {-1, 0, 1} with zero biases:
    // many pre-activations are exactly 0 (relu's kink, slope 0 there).
    let net0 = per_layer(&[3, 4, 4, 2], &[Relu, Identity, Relu], 1);
    let p = net0.num_params();
    let params: Vec<f64> = (0..p).map(|k| ((k % 3) as f64) - 1.0).collect();
    let mut net = net0.clone();
    net.set_params(&params).unwrap();
    let x = Matrix::new(4, 3, vec![0., 0., 0., 1., -1., 0., 1., 1., 1., -1., 0., 1.]).unwrap();
    let y = Matrix::new(4, 2, vec![0.5, -0.5, 1.0, 0.0, -1.0, 2.0, 0.25, 0.75]).unwrap();
    let d = Dataset::new(x, y).unwrap();
    check_both(&net, &d, &Mse, "kinks, mse");
    let labels = Dataset::classification(d.inputs().clone(), &[0, 1, 1, 0]).unwrap();
    check_both(&net, &labels, &SoftmaxCrossEntropy, "kinks, softmax");
}

#[test]
fn saturated_sigmoid_softplus_tanh_at_a_thousand() {
    use Activation::*;
    // Inputs of magnitude 10³ through a first layer with weights 1 make
    // |z| ≈ 10³: sigmoid' and softplus'' underflow to exactly 0 (or to
    // subnormals), softplus ≈ z. Both routes must agree on the zeros.
    for first in [Sigmoid, Softplus, Tanh] {
        for output in [Sigmoid, Softplus, Identity] {
            let mut net = per_layer(&[2, 3, 2], &[first, output], 7);
            let mut params = net.params().to_vec();
            let (w, _) = net.layer_ranges(0);
            for (k, v) in params[w].iter_mut().enumerate() {
                *v = if k % 2 == 0 { 1.0 } else { -1.0 };
            }
            net.set_params(&params).unwrap();
            let y = (0..10).map(|k| (0.3 * k as f64).sin()).collect();
            let d = Dataset::new(inputs(5, 2, 1e3), Matrix::new(5, 2, y).unwrap()).unwrap();
            check_both(&net, &d, &Mse, &format!("{first}/{output} at 1e3"));
        }
    }
}

#[test]
fn softmax_cross_entropy_with_extreme_logits() {
    use Activation::*;
    // Output biases ±10³ (and a softplus output at +10³): the softmax is
    // one-hot to the last bit, its Hessian exactly 0 or subnormal.
    for output in [Identity, Softplus] {
        let mut net = per_layer(&[3, 4, 3], &[Tanh, output], 2);
        let mut params = net.params().to_vec();
        let (_, b) = net.layer_ranges(1);
        let b = b.start;
        params[b] = 1e3;
        params[b + 1] = -1e3;
        params[b + 2] = 0.5;
        net.set_params(&params).unwrap();
        check_both(
            &net,
            &classes(7, 3, 3),
            &SoftmaxCrossEntropy,
            &format!("{output}"),
        );
    }
}

#[test]
fn tiny_and_straddling_shapes() {
    use Activation::*;
    // P < 8; width-1 layers; one layer; P not a multiple of 8 with groups
    // whose columns span a layer's last weights, its biases and the next
    // layer's first weights.
    for sizes in [
        vec![1, 1],
        vec![2, 1],
        vec![1, 1, 1],
        vec![1, 2, 1, 1],
        vec![3, 1, 3],
        vec![2, 3, 2],
        vec![4, 3],
        vec![2, 5, 1, 3, 2],
    ] {
        let layers = sizes.len() - 1;
        let acts: Vec<Activation> = (0..layers).map(|l| Activation::ALL[(l + 1) % 5]).collect();
        let net = per_layer(&sizes, &acts, 3 + layers as u64);
        let (d_in, d_out) = (sizes[0], sizes[layers]);
        check_both(
            &net,
            &regression(3, d_in, d_out),
            &Mse,
            &format!("{sizes:?} mse"),
        );
        if d_out >= 2 {
            check_both(
                &net,
                &classes(5, d_in, d_out),
                &SoftmaxCrossEntropy,
                &format!("{sizes:?} softmax"),
            );
        }
        let one_sample = regression(1, d_in, d_out);
        let tanh = per_layer(&sizes, &vec![Tanh; layers], 9);
        check_both(&tanh, &one_sample, &Mse, &format!("{sizes:?} one sample"));
    }
}

#[test]
fn a_large_batch_on_a_small_net() {
    use Activation::*;
    let net = per_layer(&[2, 3, 2], &[Tanh, Identity], 5);
    check_both(&net, &regression(2000, 2, 2), &Mse, "N = 2000 mse");
    check_both(
        &net,
        &classes(2000, 2, 2),
        &SoftmaxCrossEntropy,
        "N = 2000 softmax",
    );
}

#[test]
fn targets_that_make_the_loss_gradient_exactly_zero() {
    use Activation::*;
    // Targets equal to the network's own predictions: G = 0 exactly, so
    // only the Gauss-Newton part remains.
    let net = per_layer(&[3, 4, 2], &[Sigmoid, Tanh], 6);
    let x = inputs(5, 3, 1.0);
    let y = net.forward(&x).unwrap();
    let d = Dataset::new(x, y).unwrap();
    assert!(net
        .loss_and_gradient_with(&d, &Mse)
        .unwrap()
        .gradient
        .iter()
        .all(|g| *g == 0.0));
    check_both(&net, &d, &Mse, "zero gradient");
}

/// A loss that ignores its targets: `Σ z₀²·z₁` over the first two outputs
/// only (a third output, if any, unused).
struct SomeOutputs;

impl Loss for SomeOutputs {
    fn name(&self) -> &'static str {
        "some-outputs"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let rows = p.rows();
        let (a, b) = (p.slice(0..rows, 0..1)?, p.slice(0..rows, 1..2)?);
        Ok(a.square().mul(&b)?.sum())
    }
}

/// A loss that does not depend on the prediction at all.
struct Constant;

impl Loss for Constant {
    fn name(&self) -> &'static str {
        "constant"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        _p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        Ok(Var::constant(T::from_f64(2.5)))
    }
}

#[test]
fn user_losses_that_ignore_targets_or_outputs() {
    use Activation::*;
    let net = per_layer(&[3, 4, 3], &[Softplus, Tanh], 8);
    check_both(&net, &regression(4, 3, 3), &SomeOutputs, "some outputs");
    let h = net
        .hessian_with(&regression(4, 3, 3), &Constant, opts(1), &|_| {})
        .unwrap();
    assert!(h.as_column_major().iter().all(|v| *v == 0.0));
    check_both(&net, &regression(4, 3, 3), &Constant, "constant");
}

/// A loss that fails on duals only (the primal pass on `f64` succeeds).
struct FailsOnDuals;

impl Loss for FailsOnDuals {
    fn name(&self) -> &'static str {
        "fails-on-duals"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        if std::any::type_name::<T>() != "f64" {
            // Columns past the end: a shape error of the tape.
            p.slice(0..p.rows(), 0..p.cols() + 1)?;
        }
        saddle_nn::mse(p, &y.values())
    }
}

/// A loss that always fails.
struct AlwaysFails;

impl Loss for AlwaysFails {
    fn name(&self) -> &'static str {
        "always-fails"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        p.slice(0..p.rows() + 1, 0..1)?;
        Ok(p.sum())
    }
}

#[test]
fn a_loss_that_errors_propagates_its_error() {
    use Activation::*;
    let net = per_layer(&[3, 4, 2], &[Tanh, Identity], 9);
    let d = regression(4, 3, 2);
    let v = directions(net.num_params(), 3);
    // The tape's own message for each slice, as the loss reports it.
    let message = |rows: usize, cols: usize| {
        let tape = saddle_tape::Tape::<f64>::new();
        let b = tape.input_block(4, 2, &[0.0; 8]).unwrap();
        Error::from(b.slice(0..rows, 0..cols).unwrap_err()).to_string()
    };
    let (always, on_duals) = (message(5, 1), message(4, 3));
    for threads in [1, 2] {
        let e = net.hessian_with(&d, &AlwaysFails, opts(threads), &|_| {});
        assert_eq!(e.unwrap_err().to_string(), always);
        let e = net.hessian_with(&d, &FailsOnDuals, opts(threads), &|_| {});
        assert_eq!(e.unwrap_err().to_string(), on_duals);
        let e = net.hessian_matrix_product_with(&d, &AlwaysFails, &v, opts(threads));
        assert_eq!(e.unwrap_err().to_string(), always);
        let e = net.hessian_matrix_product_with(&d, &FailsOnDuals, &v, opts(threads));
        assert_eq!(e.unwrap_err().to_string(), on_duals);
    }
}

#[test]
fn non_finite_directions_are_an_error() {
    use Activation::*;
    let net = per_layer(&[3, 4, 2], &[Tanh, Identity], 10);
    let d = regression(4, 3, 2);
    let p = net.num_params();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for m in [1, 2, 9] {
            let mut v = directions(p, m);
            v[(m - 1) * p + 3] = bad;
            let e = net.hessian_matrix_product_with(&d, &Mse, &v, opts(1));
            let msg = format!("{}", e.unwrap_err());
            assert!(
                msg.contains(&format!("entry 3 of direction {}", m - 1)),
                "{msg}"
            );
        }
    }
}

#[test]
fn threads_give_identical_bits() {
    use Activation::*;
    let net = per_layer(&[4, 5, 3, 3], &[Softplus, Relu, Identity], 11);
    let d = classes(9, 4, 3);
    let v = directions(net.num_params(), 13);
    let run = |threads| {
        let h = net
            .hessian_with(&d, &SoftmaxCrossEntropy, opts(threads), &|_| {})
            .unwrap()
            .into_column_major();
        let hv = net
            .hessian_matrix_product_with(&d, &SoftmaxCrossEntropy, &v, opts(threads))
            .unwrap();
        (h, hv.as_column_major().to_vec())
    };
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let (h1, hv1) = run(1);
    for threads in [0, 2, usize::MAX] {
        let (h, hv) = run(threads);
        assert_eq!(bits(&h), bits(&h1), "hessian, {threads} threads");
        assert_eq!(bits(&hv), bits(&hv1), "products, {threads} threads");
    }
}

/// `L = Σᵢ √(zᵢ₀ − zᵢ₀) + Σᵢ zᵢ₁²`: non-finite derivatives everywhere.
struct Singular;

impl Loss for Singular {
    fn name(&self) -> &'static str {
        "singular"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let rows = p.rows();
        let (a, b) = (p.slice(0..rows, 0..1)?, p.slice(0..rows, 1..2)?);
        Ok(a.sub(&a)?.map("sqrt", saddle_tape::rules::sqrt).sum() + b.square().sum())
    }
}

#[test]
fn progress_counts_columns_once_on_the_layered_route() {
    use Activation::*;
    for (sizes, threads) in [(vec![3, 5, 2], 1), (vec![2, 3, 4, 1], 2), (vec![1, 1], 1)] {
        let layers = sizes.len() - 1;
        let net = per_layer(&sizes, &vec![Tanh; layers], 12);
        let d = regression(3, sizes[0], sizes[layers]);
        let done = AtomicUsize::new(0);
        let count = |c: usize| {
            done.fetch_add(c, Ordering::Relaxed);
        };
        net.hessian_with(&d, &Mse, opts(threads), &count).unwrap();
        assert_eq!(done.into_inner(), net.num_params(), "{sizes:?}");
    }
    // A non-finite point: the documented double count (layers, then swept),
    // and the swept route's answer, NaNs included.
    let net = per_layer(&[2, 3, 2], &[Tanh, Identity], 13);
    let d = regression(3, 2, 2);
    let done = AtomicUsize::new(0);
    let count = |c: usize| {
        done.fetch_add(c, Ordering::Relaxed);
    };
    let h = net.hessian_with(&d, &Singular, opts(1), &count).unwrap();
    let counted = done.into_inner();
    let p = net.num_params();
    assert!(counted == p || counted == 2 * p, "counted {counted} of {p}");
    assert_close(
        h.as_column_major(),
        &generic_hessian(&net, &d, &Singular),
        "singular",
    );
    assert!(h.as_column_major().iter().any(|v| v.is_nan()));
}

#[test]
fn pre_activations_that_overflow_to_infinity() {
    use Activation::*;
    // Inputs of 1e300 against first-layer weights of ±1e10: z = ±∞ while
    // tanh, sigmoid (and relu at -∞) keep a, f' and f'' finite, so the
    // layered pass does not fall back on its own; the generic route's
    // answer (whatever NaN or ∞ its products make) is the reference.
    for first in [Tanh, Sigmoid, Relu] {
        let mut net = per_layer(&[2, 3, 2], &[first, Identity], 14);
        let mut params = net.params().to_vec();
        let (w, _) = net.layer_ranges(0);
        for v in &mut params[w] {
            *v = -1e10;
        }
        net.set_params(&params).unwrap();
        let x = Matrix::new(3, 2, vec![1e300, 2e300, 0.5, 1e300, 3e300, 1e300]).unwrap();
        let y = Matrix::new(3, 2, vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).unwrap();
        let d = Dataset::new(x, y).unwrap();
        check_both(&net, &d, &Mse, &format!("{first} at z = -inf"));
    }
}

#[test]
fn finite_directions_whose_products_overflow() {
    use Activation::*;
    // Directions of 1.5e308 in every entry: finite, so accepted, but the
    // tangents (sums of several such terms) overflow on the way; the layered pass must fall back and give the generic
    // route's ∞ and NaN entry for entry.
    let net = per_layer(&[3, 4, 2], &[Softplus, Identity], 15);
    let d = regression(4, 3, 2);
    let p = net.num_params();
    let v = vec![1.5e308; 3 * p];
    let hv = net
        .hessian_matrix_product_with(&d, &Mse, &v, opts(1))
        .unwrap();
    let got = hv.as_column_major();
    assert!(got.iter().any(|x| !x.is_finite()), "the products overflow");
    assert_close(
        got,
        &generic_products(&net, &d, &Mse, &v),
        "1.5e308 directions",
    );
}
