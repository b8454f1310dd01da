//! The loss's derivatives with respect to every parameter, each checked by
//! an independent route:
//!
//! - the tape's gradient against hand-written backprop with the delta
//!   rules (`saddle_nn::delta_rules`): both exact, 1e-12;
//! - the block-op network against the same network built from scalar `Var`
//!   operations: 1e-12;
//! - the Hessian against central differences of the gradient (default
//!   saddle-check tolerance, 1e-6), and HVPs against Hessian columns (1e-12).

use proptest::prelude::*;
use saddle_check::{check_hessian, strategies, Report, Tolerance};
use saddle_dual::{Gradient, HessianOptions};
use saddle_nn::{delta_rules, Activation, Activations, Dataset, Init, Matrix, Mlp};
use saddle_tape::prelude::*;

const EXACT: Tolerance = Tolerance {
    abs: 1e-12,
    rel: 1e-12,
};

fn activation() -> impl Strategy<Value = Activation> {
    prop::sample::select(Activation::ALL.to_vec())
}

/// A small network `[2, 3, 2]` and a batch of 5 samples.
fn case() -> impl Strategy<Value = (Mlp, Dataset)> {
    (
        activation(),
        activation(),
        any::<u64>(),
        strategies::well_scaled(10),
        strategies::well_scaled(10),
    )
        .prop_map(|(hidden, out, seed, x, y)| {
            let net = Mlp::new(
                &[2, 3, 2],
                Activations::hidden_output(hidden, out),
                Init::Xavier,
                seed,
            )
            .unwrap();
            let data =
                Dataset::new(Matrix::new(5, 2, x).unwrap(), Matrix::new(5, 2, y).unwrap()).unwrap();
            (net, data)
        })
}

/// The same loss from scalar operations only: no blocks.
fn scalar_loss<'t, T: Scalar>(net: &Mlp, p: &[Var<'t, T>], data: &Dataset) -> Var<'t, T> {
    let sizes = net.sizes();
    let mut a: Vec<Vec<Var<'t, T>>> = (0..data.len())
        .map(|i| {
            data.inputs()
                .row(i)
                .iter()
                .map(|&v| Var::constant(T::from_f64(v)))
                .collect()
        })
        .collect();
    for l in 0..net.num_layers() {
        let (wr, br) = net.layer_ranges(l);
        let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
        let act = net.activations()[l];
        a = a
            .iter()
            .map(|row| {
                (0..fan_out)
                    .map(|j| {
                        let z = (0..fan_in)
                            .map(|q| row[q] * p[wr.start + q * fan_out + j])
                            .sum::<Var<'t, T>>()
                            + p[br.start + j];
                        z.apply(act.rule())
                    })
                    .collect()
            })
            .collect();
    }
    let m = (data.len() * sizes[net.num_layers()]) as f64;
    let mut total = Var::constant(T::zero());
    for (i, row) in a.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let r = *v - data.targets().get(i, j);
            total += r * r;
        }
    }
    total / m
}

proptest! {
    #![proptest_config(strategies::config(48))]

    #[test]
    fn tape_gradient_equals_the_delta_rules((net, data) in case()) {
        let Gradient { value: loss, gradient: grad } = net.loss_and_gradient(&data).unwrap();
        let Gradient { value: hand_loss, gradient: hand } =
            delta_rules::loss_and_gradient(&net, &data).unwrap();
        prop_assert!((loss - hand_loss).abs() <= 1e-12 * loss.abs().max(1.0));
        let r = Report::compare("tape vs delta rules", &grad, &hand, EXACT);
        prop_assert!(r.passed(), "{}", r);
    }

    #[test]
    fn block_network_equals_scalar_network((net, data) in case()) {
        let tape = Tape::new();
        let p = tape.vars(net.params());
        let block = net.loss_on_tape(&p, &data);
        let g_block = block.backward().wrt_all(&p);
        let scalar_tape = Tape::new();
        let q = scalar_tape.vars(net.params());
        let scalar = scalar_loss(&net, &q, &data);
        let g_scalar = scalar.backward().wrt_all(&q);
        prop_assert!((block.value() - scalar.value()).abs() <= 1e-12 * scalar.value().abs().max(1.0));
        let r = Report::compare("blocks vs scalars", &g_block, &g_scalar, EXACT);
        prop_assert!(r.passed(), "{}", r);
    }

    #[test]
    fn hessian_matches_differences_of_the_gradient_and_hvps((net, data) in case(), v in strategies::direction(17)) {
        // Kinks of ReLU make finite differences meaningless near them.
        prop_assume!(!net.activations().contains(&Activation::Relu));
        let h = net.hessian(&data, HessianOptions::default()).unwrap();
        let grad = |p: &[f64]| {
            let mut n = net.clone();
            n.set_params(p).unwrap();
            n.loss_and_gradient(&data).unwrap().gradient
        };
        let r = check_hessian(grad, net.params(), &h.to_row_major(), Tolerance::default());
        prop_assert!(r.passed(), "{}", r);
        let hv = net.hvp(&data, &v).unwrap().hv;
        let rows = h.to_row_major();
        let n = h.n();
        let from_h: Vec<f64> = (0..n).map(|i| (0..n).map(|j| rows[i * n + j] * v[j]).sum()).collect();
        let r = Report::compare("hvp vs H v", &hv, &from_h, EXACT);
        prop_assert!(r.passed(), "{}", r);
        prop_assert!(h.relative_asymmetry() <= 1e-12);
    }
}

#[test]
fn relu_network_hessian_against_the_scalar_network() {
    // Away from kinks a ReLU network's Hessian is well defined; compare the
    // block route with the scalar route, both through saddle-dual.
    let net = Mlp::new(
        &[2, 4, 1],
        Activations::hidden_output(Activation::Relu, Activation::Identity),
        Init::He,
        3,
    )
    .unwrap();
    let x = Matrix::new(4, 2, vec![0.3, -0.7, 1.1, 0.4, -0.5, 0.9, 0.2, 0.8]).unwrap();
    let data = Dataset::new(x, Matrix::column(vec![0.1, -0.2, 0.4, 0.0]).unwrap()).unwrap();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    let s = saddle_dual::hessian(|p| scalar_loss(&net, p, &data), net.params()).unwrap();
    let r = Report::compare(
        "relu hessian",
        h.as_column_major(),
        s.as_column_major(),
        EXACT,
    );
    assert!(r.passed(), "{r}");
}

#[test]
fn forward_on_tape_equals_the_plain_forward_pass() {
    let data = saddle_nn::datasets::bowl(7, 4).unwrap();
    let net = Mlp::new(
        &[2, 5, 3, 1],
        Activations::hidden_output(Activation::Sigmoid, Activation::Tanh),
        Init::Xavier,
        4,
    )
    .unwrap();
    let tape = Tape::new();
    let p = tape.vars(net.params());
    let on_tape = net.forward_on_tape(&p, data.inputs()).values();
    let plain = net.forward(data.inputs()).unwrap();
    let r = Report::compare("forward", &on_tape, plain.as_slice(), EXACT);
    assert!(r.passed(), "{r}");
}
