//! A dense layer none of whose operands carries a tangent (every layer
//! before a Hessian sweep's lanes) is evaluated on plain numbers for the
//! identity and `tanh`. The claim that makes this invisible: the dual
//! route computes the real parts of its values with the same kernels as a
//! plain tape, so the values are the plain tape's bit for bit whether the
//! layer takes the plain route (no tangent) or the dual one (a tangent in
//! `W`), and for activations that never take the plain route: which route
//! a layer takes changes no number downstream. (The reverse sweep is the
//! same rule either way; the dual gemm groups its products otherwise than
//! the plain one, so the real parts of the gradients agree to rounding.)

use saddle_dual::Dual;
use saddle_nn::{dense, Activation};
use saddle_tape::prelude::*;

const N: usize = 7;
const FAN_IN: usize = 5;
const FAN_OUT: usize = 6;

fn numbers(len: usize, seed: f64) -> Vec<f64> {
    (0..len)
        .map(|i| (seed * i as f64 + 0.3).sin() * 1.7)
        .collect()
}

/// The layer's values and the gradient of `Σ (A ⊙ A)` with respect to
/// `X`, `W` and `b`, on a plain tape.
fn plain(activation: Activation) -> (Vec<f64>, Vec<f64>) {
    let tape = Tape::<f64>::new();
    let x = tape
        .input_block(N, FAN_IN, &numbers(N * FAN_IN, 0.7))
        .unwrap();
    let w = tape
        .input_block(FAN_IN, FAN_OUT, &numbers(FAN_IN * FAN_OUT, 1.3))
        .unwrap();
    let b = tape
        .input_block(1, FAN_OUT, &numbers(FAN_OUT, 2.1))
        .unwrap();
    let a = dense(&x, &w, &b, activation).unwrap();
    let g = a.square().sum().backward();
    let mut grads = g.wrt_block(&x);
    grads.extend(g.wrt_block(&w));
    grads.extend(g.wrt_block(&b));
    (a.values(), grads)
}

/// The same on a tape of two-lane duals, `W` seeded with `tangent` in
/// lane 0 (zero: the plain route; nonzero: the dual route).
fn dual(activation: Activation, tangent: f64) -> (Vec<Dual<f64, 2>>, Vec<Dual<f64, 2>>) {
    let tape = Tape::<Dual<f64, 2>>::new();
    let constant =
        |v: Vec<f64>| -> Vec<Dual<f64, 2>> { v.into_iter().map(Dual::constant).collect() };
    let seeded: Vec<Dual<f64, 2>> = numbers(FAN_IN * FAN_OUT, 1.3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| Dual::new(v, [tangent * (i as f64 + 1.0), 0.0]))
        .collect();
    let x = tape
        .input_block(N, FAN_IN, &constant(numbers(N * FAN_IN, 0.7)))
        .unwrap();
    let w = tape.input_block(FAN_IN, FAN_OUT, &seeded).unwrap();
    let b = tape
        .input_block(1, FAN_OUT, &constant(numbers(FAN_OUT, 2.1)))
        .unwrap();
    let a = dense(&x, &w, &b, activation).unwrap();
    let g = a.square().sum().backward();
    let mut grads = g.wrt_block(&x);
    grads.extend(g.wrt_block(&w));
    grads.extend(g.wrt_block(&b));
    (a.values(), grads)
}

#[test]
fn real_parts_equal_the_plain_tape_bit_for_bit_on_either_route() {
    for activation in [Activation::Identity, Activation::Tanh, Activation::Sigmoid] {
        let (values, grads) = plain(activation);
        for tangent in [0.0, 0.25] {
            let (dv, dg) = dual(activation, tangent);
            let re = |d: &[Dual<f64, 2>]| d.iter().map(|d| d.re.to_bits()).collect::<Vec<_>>();
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                re(&dv),
                bits(&values),
                "{activation} values, tangent {tangent}"
            );
            // Sums of at most max(N, FAN_OUT) = 7 products in another
            // order: a few ulps of the largest gradient entry.
            let scale = grads.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            for (d, g) in dg.iter().zip(&grads) {
                assert!(
                    (d.re - g).abs() <= 1e-14 * scale,
                    "{activation} gradient, tangent {tangent}: {} vs {g}",
                    d.re
                );
            }
            if tangent == 0.0 {
                assert!(
                    dv.iter().chain(&dg).all(|d| d.eps == [0.0, 0.0]),
                    "{activation}: no tangent in, none out"
                );
            } else {
                assert!(dv.iter().any(|d| d.eps[0] != 0.0), "{activation}");
            }
        }
    }
}
