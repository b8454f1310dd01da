//! The losses of issue 10: softmax cross-entropy, binary cross-entropy with
//! logits, Huber and user-defined losses, each checked by an independent
//! route:
//!
//! - gradients against central differences of the loss value, HVPs against
//!   central differences of the gradient (saddle-check's default
//!   tolerance, 1e-6: the truncation error of a central difference at
//!   these scales is ~1e-8, its rounding ~1e-10);
//! - HVPs against the columns of the Hessian, and user-defined losses
//!   against the built-in ones they equal: both exact routes, 1e-12
//!   relative (a handful of roundings in sums of ≤ 100 terms of size ~1);
//! - the Hessian of softmax cross-entropy with respect to the logits
//!   against its closed form `(diag(s) − s sᵀ)/N`, 1e-14 absolute
//!   (entries ≤ 1/N, a few roundings).

use proptest::prelude::*;
use saddle_check::{check_gradient, check_hvp, strategies, Report, Tolerance};
use saddle_dual::{Gradient, HessianOptions};
use saddle_nn::{
    datasets, pick, row_logsumexp, softmax_cross_entropy, train_with, Activation, Activations,
    BceWithLogits, CsvOptions, Dataset, Error, Header, Huber, Init, Loss, Matrix, Mlp, Mse,
    SoftmaxCrossEntropy, Targets, TrainOptions,
};
use saddle_tape::{Block, Scalar, Var};

const EXACT: Tolerance = Tolerance {
    abs: 1e-12,
    rel: 1e-12,
};

/// Which built-in loss a case uses (proptest picks one).
#[derive(Clone, Copy, Debug)]
enum Which {
    CrossEntropy,
    Bce,
    Huber,
}

/// A network `[2, 3, 3]` (tanh, identity output) and 5 samples whose
/// targets fit `which`.
fn case() -> impl Strategy<Value = (Which, Mlp, Dataset)> {
    (
        prop::sample::select(vec![Which::CrossEntropy, Which::Bce, Which::Huber]),
        any::<u64>(),
        strategies::well_scaled(10),
        strategies::vector(15, 0.0, 1.0),
        prop::collection::vec(0usize..3, 5),
    )
        .prop_map(|(which, seed, x, y, labels)| {
            let net = Mlp::new(
                &[2, 3, 3],
                Activations::hidden_output(Activation::Tanh, Activation::Identity),
                Init::Xavier,
                seed,
            )
            .unwrap();
            let x = Matrix::new(5, 2, x).unwrap();
            let data = match which {
                Which::CrossEntropy => Dataset::classification(x, &labels).unwrap(),
                // Probabilities in [0, 1]; Huber's residuals then straddle
                // δ = 0.5 in both pieces.
                Which::Bce | Which::Huber => {
                    Dataset::new(x, Matrix::new(5, 3, y).unwrap()).unwrap()
                }
            };
            (which, net, data)
        })
}

fn with_params(net: &Mlp, p: &[f64]) -> Mlp {
    let mut n = net.clone();
    n.set_params(p).unwrap();
    n
}

/// Runs `f` with the loss `which` stands for.
fn checks(which: Which, net: &Mlp, data: &Dataset, v: &[f64]) -> Result<(), TestCaseError> {
    match which {
        Which::CrossEntropy => check_loss(&SoftmaxCrossEntropy, net, data, v),
        Which::Bce => check_loss(&BceWithLogits, net, data, v),
        Which::Huber => check_loss(&Huber::new(0.5).unwrap(), net, data, v),
    }
}

fn check_loss(loss: &impl Loss, net: &Mlp, data: &Dataset, v: &[f64]) -> Result<(), TestCaseError> {
    let Gradient {
        value,
        gradient: grad,
    } = net.loss_and_gradient_with(data, loss).unwrap();
    prop_assert!(
        (value - net.loss_with(data, loss).unwrap()).abs() <= 1e-14 * value.abs().max(1.0)
    );
    let f = |p: &[f64]| with_params(net, p).loss_with(data, loss).unwrap();
    let r = check_gradient(f, net.params(), &grad, Tolerance::default());
    prop_assert!(r.passed(), "{} gradient: {}", loss.name(), r);
    let g = |p: &[f64]| {
        with_params(net, p)
            .loss_and_gradient_with(data, loss)
            .unwrap()
            .gradient
    };
    let hvp = net.hvp_with(data, loss, v).unwrap();
    prop_assert!((hvp.value - value).abs() <= 1e-14 * value.abs().max(1.0));
    let r = check_hvp(g, net.params(), v, &hvp.hv, Tolerance::default());
    prop_assert!(r.passed(), "{} hvp: {}", loss.name(), r);
    let h = net
        .hessian_with(data, loss, HessianOptions::default(), &|_| {})
        .unwrap();
    let n = h.n();
    let rows = h.to_row_major();
    let hv: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| rows[i * n + j] * v[j]).sum())
        .collect();
    let r = Report::compare("hvp vs H v", &hvp.hv, &hv, EXACT);
    prop_assert!(r.passed(), "{} hvp vs Hessian: {}", loss.name(), r);
    prop_assert!(h.relative_asymmetry() <= 1e-12);
    Ok(())
}

proptest! {
    #![proptest_config(strategies::config(36))]

    #[test]
    fn cross_entropy_bce_huber_derivatives_match_differences_and_the_hessian(
        (which, net, data) in case(),
        v in strategies::direction(21),
    ) {
        checks(which, &net, &data, &v)?;
    }
}

/// MSE written by a user with block operations: `mean((P − Y)²)`.
struct UserMse;

impl Loss for UserMse {
    fn name(&self) -> &'static str {
        "user-mse"
    }
    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        Ok(p.sub(y)?.map("square", |r| (r * r, r + r)).mean())
    }
}

/// Softmax cross-entropy written by a user:
/// `mean(row_logsumexp(Z) − pick(Z, c))`.
struct UserCrossEntropy;

impl Loss for UserCrossEntropy {
    fn name(&self) -> &'static str {
        "user-cross-entropy"
    }
    fn check_targets(&self, targets: &Matrix, outputs: usize) -> Result<(), Error> {
        SoftmaxCrossEntropy.check_targets(targets, outputs)
    }
    fn on_tape<'t, T: Scalar>(
        &self,
        z: &Block<'t, T>,
        y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let labels: Vec<usize> = y.values().iter().map(|c| c.primal() as usize).collect();
        Ok(row_logsumexp(z)?.sub(&pick(z, &labels)?)?.mean())
    }
}

fn relative(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

/// Value, gradient and Hessian of two losses agree to 1e-12 relative.
fn same_loss(net: &Mlp, data: &Dataset, a: &impl Loss, b: &impl Loss) {
    let Gradient {
        value: la,
        gradient: ga,
    } = net.loss_and_gradient_with(data, a).unwrap();
    let Gradient {
        value: lb,
        gradient: gb,
    } = net.loss_and_gradient_with(data, b).unwrap();
    assert!((la - lb).abs() <= 1e-12 * lb.abs(), "{la} vs {lb}");
    assert!(
        relative(&ga, &gb) <= 1e-12,
        "gradient {}",
        relative(&ga, &gb)
    );
    let opts = HessianOptions::default();
    let ha = net.hessian_with(data, a, opts, &|_| {}).unwrap();
    let hb = net.hessian_with(data, b, opts, &|_| {}).unwrap();
    let rel = relative(ha.as_column_major(), hb.as_column_major());
    assert!(rel <= 1e-12, "Hessian {rel}");
}

#[test]
fn user_mse_from_block_ops_equals_builtin_mse() {
    let data = datasets::bowl(12, 5).unwrap();
    let net = Mlp::new(
        &[2, 5, 1],
        Activations::hidden_output(Activation::Softplus, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap();
    same_loss(&net, &data, &UserMse, &Mse);
    // The short form is the same loss.
    assert_eq!(
        net.loss_and_gradient(&data).unwrap(),
        net.loss_and_gradient_with(&data, &Mse).unwrap()
    );
    // And it trains with no other code.
    let mut trained = net.clone();
    let opts = TrainOptions {
        learning_rate: 0.1,
        epochs: 30,
        ..TrainOptions::default()
    };
    let h = train_with(&mut trained, &data, &UserMse, &opts, |_| {}).unwrap();
    assert!(h.loss.last().unwrap() < &h.loss[0]);
    assert!(h.accuracy.is_empty());
}

#[test]
fn user_cross_entropy_from_row_logsumexp_equals_builtin() {
    let data = datasets::spirals(6, 3, 0.1, 9).unwrap();
    let net = Mlp::new(
        &[2, 4, 3],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        9,
    )
    .unwrap();
    same_loss(&net, &data, &UserCrossEntropy, &SoftmaxCrossEntropy);
}

/// Softmax cross-entropy of `n × k` logits with labels `[2, 0, 3]`.
fn ce_of_logits<'t, T: Scalar>(zs: &[Var<'t, T>], n: usize, k: usize) -> Var<'t, T> {
    let tape = zs[0].tape().unwrap();
    let block = tape.stack(n, k, zs).unwrap();
    softmax_cross_entropy(&block, &[2, 0, 3]).unwrap()
}

/// BCE with logits of two logits, targets `[1, 0]`.
fn bce_two<'t, T: Scalar>(zs: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = zs[0].tape().unwrap();
    let block = tape.stack(1, 2, zs).unwrap();
    saddle_nn::bce_with_logits(&block, &[T::from_f64(1.0), T::from_f64(0.0)]).unwrap()
}

/// Huber (δ = 1) of two predictions against zero targets.
fn huber_two<'t, T: Scalar>(ps: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = ps[0].tape().unwrap();
    let block = tape.stack(1, 2, ps).unwrap();
    saddle_nn::huber(&block, &[T::zero(), T::zero()], 1.0).unwrap()
}

#[test]
fn softmax_cross_entropy_hessian_wrt_logits_is_diag_s_minus_s_st_over_n() {
    let (n, k) = (3, 4);
    let z: Vec<f64> = (0..n * k).map(|i| (0.7 * i as f64).sin() * 3.0).collect();
    let h = saddle_dual::hessian(|zs| ce_of_logits(zs, n, k), &z).unwrap();
    for i in 0..n {
        let row = &z[i * k..(i + 1) * k];
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = row.iter().map(|v| (v - m).exp()).collect();
        let sum: f64 = e.iter().sum();
        let s: Vec<f64> = e.iter().map(|v| v / sum).collect();
        for a in 0..n * k {
            for b in 0..n * k {
                let expected = if a / k == i && b / k == i {
                    let (p, q) = (a % k, b % k);
                    (if p == q { s[p] } else { 0.0 } - s[p] * s[q]) / n as f64
                } else if a / k == i || b / k == i {
                    0.0 // rows of logits do not interact
                } else {
                    continue;
                };
                let got = h.get(a, b);
                assert!(
                    (got - expected).abs() <= 1e-14,
                    "H[{a}][{b}] = {got}, expected {expected}"
                );
            }
        }
    }
}

#[test]
fn bce_with_logits_at_zero_logit_has_the_smooth_second_derivative() {
    // At z = 0 the stable form's |z| and max(z, 0) have kinks; on duals the
    // branch is taken by the real part with analytic formulas, so the
    // second derivative is the smooth one, σ(0)(1 − σ(0))/(N·m) = 1/8 for
    // two entries (and 0.25·e/(1+e)² … at z = 1).
    let h = saddle_dual::hessian(bce_two, &[0.0, 1.0]).unwrap();
    let s1 = 1.0 / (1.0 + (-1.0f64).exp());
    assert!((h.get(0, 0) - 0.125).abs() <= 1e-16, "{}", h.get(0, 0));
    assert!((h.get(1, 1) - 0.5 * s1 * (1.0 - s1)).abs() <= 1e-16);
    assert_eq!(h.get(0, 1), 0.0);
    let g = saddle_dual::gradient(bce_two, &[0.0, 1.0])
        .unwrap()
        .gradient;
    assert!((g[0] - 0.5 * (0.5 - 1.0)).abs() <= 1e-16);
    // Large logits do not overflow.
    let v = saddle_dual::gradient(bce_two, &[-800.0, 800.0])
        .unwrap()
        .value;
    assert!((v - 800.0).abs() <= 1e-9, "{v}");
}

#[test]
fn huber_threshold_is_validated_and_pieces_have_their_curvature() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = Huber::new(bad).unwrap_err().to_string();
        assert!(
            e.contains("Huber threshold δ must be positive and finite"),
            "{e}"
        );
    }
    // Residuals 0.2 (inside δ = 1) and 3 (outside): second derivatives
    // 1/2 and 0 (mean over two entries).
    let h = saddle_dual::hessian(huber_two, &[0.2, -3.0]).unwrap();
    assert_eq!((h.get(0, 0), h.get(1, 1), h.get(0, 1)), (0.5, 0.0, 0.0));
    let Gradient {
        value: v,
        gradient: g,
    } = saddle_dual::gradient(huber_two, &[0.2, -3.0]).unwrap();
    assert!((v - 0.5 * (0.5 * 0.04 + (3.0 - 0.5))).abs() <= 1e-15);
    assert_eq!(g, vec![0.1, -0.5]);
}

#[test]
fn class_targets_are_validated_against_the_network() {
    let net = Mlp::new(
        &[2, 3, 3],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        1,
    )
    .unwrap();
    let x = Matrix::new(2, 2, vec![0.1, 0.2, 0.3, 0.4]).unwrap();
    let bad = |labels: Vec<f64>| {
        let d = Dataset::new(x.clone(), Matrix::column(labels).unwrap()).unwrap();
        net.loss_and_gradient_with(&d, &SoftmaxCrossEntropy)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        bad(vec![0.0, 3.0]),
        "target row 1: 3 is not a class index (an integer in 0..3, one per network output)"
    );
    assert!(bad(vec![1.5, 0.0]).starts_with("target row 0: 1.5 is not a class index"));
    assert!(bad(vec![-1.0, 0.0]).starts_with("target row 0: -1 is not a class index"));
    let e = Dataset::classification(x.clone(), &[0])
        .unwrap_err()
        .to_string();
    assert_eq!(e, "1 labels for 2 samples");
    let e = net
        .loss_with(
            &Dataset::new(x.clone(), Matrix::new(2, 1, vec![0.5, 2.0]).unwrap()).unwrap(),
            &BceWithLogits,
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("targets have 1 columns but the network has 3 outputs"),
        "{e}"
    );
}

#[test]
fn csv_with_an_integer_class_label_column_trains_with_cross_entropy() {
    let mut text = String::from("x1,x2,class\n");
    let data = datasets::spirals(10, 3, 0.05, 4).unwrap();
    for i in 0..data.len() {
        let r = data.inputs().row(i);
        text += &format!("{},{},{}\n", r[0], r[1], data.targets().get(i, 0));
    }
    let read = Dataset::from_csv_reader(
        text.as_bytes(),
        &CsvOptions {
            header: Header::Auto,
            targets: Targets::Names(vec!["class".into()]),
        },
    )
    .unwrap();
    assert_eq!(read, data, "labels survive the CSV round trip exactly");
    let mut net = Mlp::new(
        &[2, 16, 3],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        4,
    )
    .unwrap();
    let opts = TrainOptions {
        learning_rate: 1.0,
        epochs: 300,
        ..TrainOptions::default()
    };
    let h = train_with(&mut net, &read, &SoftmaxCrossEntropy, &opts, |_| {}).unwrap();
    assert_eq!(h.accuracy.len(), 300);
    // 3 classes: chance is 1/3; a trained net separates most of 30 points.
    assert!(h.accuracy[0] < 0.6, "{}", h.accuracy[0]);
    assert!(*h.accuracy.last().unwrap() > 0.8, "{:?}", h.accuracy.last());
    assert!(h.loss.last().unwrap() < &(0.5 * h.loss[0]));
}

#[test]
fn spirals_are_deterministic_and_shaped() {
    let a = datasets::spirals(7, 4, 0.2, 11).unwrap();
    assert_eq!(a, datasets::spirals(7, 4, 0.2, 11).unwrap());
    assert_ne!(a, datasets::spirals(7, 4, 0.2, 12).unwrap());
    assert_eq!((a.len(), a.input_dim(), a.output_dim()), (28, 2, 1));
    let labels = saddle_nn::class_labels(a.targets(), 4).unwrap();
    assert_eq!(labels.iter().filter(|&&c| c == 3).count(), 7);
    assert!(datasets::spirals(5, 1, 0.1, 0).is_err());
    assert!(datasets::spirals(usize::MAX, 2, 0.1, 0).is_err());
}

/// A user loss with a bug: it subtracts blocks of different shapes.
struct Misshapen;

impl Loss for Misshapen {
    fn name(&self) -> &'static str {
        "misshapen"
    }
    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let other = p.tape().constant_block(1, 1, &[T::zero()])?;
        Ok(p.sub(&other)?.mean())
    }
}

#[test]
fn a_user_loss_error_is_returned_by_every_entry_not_a_panic() {
    // The drivers take closures returning a `Var`; an error inside one is
    // kept and returned after the driver finishes.
    let data = datasets::bowl(4, 1).unwrap();
    let net = Mlp::new(
        &[2, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        1,
    )
    .unwrap();
    let v = vec![1.0; net.num_params()];
    let errors = [
        net.loss_with(&data, &Misshapen).unwrap_err(),
        net.loss_and_gradient_with(&data, &Misshapen).unwrap_err(),
        net.hvp_with(&data, &Misshapen, &v).unwrap_err(),
        net.hessian_with(&data, &Misshapen, HessianOptions::default(), &|_| {})
            .unwrap_err(),
        train_with(
            &mut net.clone(),
            &data,
            &Misshapen,
            &TrainOptions::default(),
            |_| {},
        )
        .unwrap_err(),
    ];
    for e in errors {
        let e = e.to_string();
        assert_eq!(
            e,
            "sub: shapes 4×1 and 1×1 do not fit (elementwise needs equal shapes)"
        );
    }
}
