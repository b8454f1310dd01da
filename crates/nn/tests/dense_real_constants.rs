//! `dense` with a real constant operand (`Tape::constant_block_real`: plain
//! `f64`s in a store of their own, whose value range indexes that store and
//! not the block-value store). Before the fix the layer read such an
//! operand at its real-store offset in the block-value store — other
//! blocks' values, silently (and so did the version before the in-place
//! write) — and its rule then panicked on `Cotangents::value`. Now it must
//! equal the layer with the same numbers as an ordinary constant block,
//! bit for bit, values and gradients; and blocks of another tape are
//! refused with the message the documentation promises.

use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_nn::{dense, Activation};
use saddle_tape::prelude::*;

const N: usize = 3;
const FAN_IN: usize = 4;
const FAN_OUT: usize = 2;

fn data(len: usize, scale: f64) -> Vec<f64> {
    (0..len)
        .map(|i| scale * (0.7 * i as f64 + 0.2).sin())
        .collect()
}

/// Which operand of the layer is given as a real constant.
#[derive(Clone, Copy, Debug)]
enum Real {
    X,
    W,
    B,
}

/// `sum(dense(X, W, b)²)` with one operand a constant (real or stored)
/// and the others inputs; returns the layer's values and the gradients
/// with respect to the inputs, in the order X, W, b (the constant's
/// skipped).
fn layer(real: Real, as_real: bool, activation: Activation) -> (Vec<f64>, Vec<f64>) {
    let tape = Tape::<f64>::new();
    // Blocks recorded before the layer, so that the real store's offsets
    // name other values in the block store.
    let _before = tape.input_block(1, 5, &data(5, 9.0)).unwrap();
    let _reals_before = tape.constant_block_real(1, 3, &data(3, -7.0)).unwrap();
    let make = |is: bool, rows, cols, values: &[f64]| {
        if is {
            if as_real {
                tape.constant_block_real(rows, cols, values).unwrap()
            } else {
                tape.constant_block(rows, cols, values).unwrap()
            }
        } else {
            tape.input_block(rows, cols, values).unwrap()
        }
    };
    let x = make(matches!(real, Real::X), N, FAN_IN, &data(N * FAN_IN, 1.0));
    let w = make(
        matches!(real, Real::W),
        FAN_IN,
        FAN_OUT,
        &data(FAN_IN * FAN_OUT, 0.5),
    );
    let b = make(matches!(real, Real::B), 1, FAN_OUT, &data(FAN_OUT, 0.3));
    let a = dense(&x, &w, &b, activation).unwrap();
    let g = a.square().sum().backward();
    let mut grads = Vec::new();
    for (which, block) in [(Real::X, &x), (Real::W, &w), (Real::B, &b)] {
        if std::mem::discriminant(&which) != std::mem::discriminant(&real) {
            grads.extend(g.wrt_block(block));
        }
    }
    (a.values(), grads)
}

#[test]
fn dense_with_a_real_constant_operand_equals_dense_with_a_stored_constant() {
    for real in [Real::X, Real::W, Real::B] {
        for activation in [Activation::Identity, Activation::Tanh, Activation::Sigmoid] {
            let (va, ga) = layer(real, true, activation);
            let (vb, gb) = layer(real, false, activation);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&va), bits(&vb), "{real:?} {activation:?}: values");
            assert_eq!(bits(&ga), bits(&gb), "{real:?} {activation:?}: gradients");
            assert_eq!(va.len(), N * FAN_OUT);
            assert!(ga.iter().any(|&v| v != 0.0));
        }
    }
    // One value by hand: row 0, column 1 of the identity layer.
    let (v, _) = layer(Real::W, true, Activation::Identity);
    let (x, w, b) = (
        data(N * FAN_IN, 1.0),
        data(FAN_IN * FAN_OUT, 0.5),
        data(FAN_OUT, 0.3),
    );
    let want = b[1] + (0..FAN_IN).map(|p| x[p] * w[p * FAN_OUT + 1]).sum::<f64>();
    // A 4-term dot product: its rounding, a few ulps of terms ≤ 1.
    assert!((v[1] - want).abs() <= 1e-15, "{} vs {want}", v[1]);
}

#[test]
fn dense_with_blocks_of_two_tapes_panics_with_a_message() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let x = t1.input_block(1, 2, &[1.0, 2.0]).unwrap();
    let w = t2.input_block(2, 1, &[3.0, 4.0]).unwrap();
    let b = t1.input_block(1, 1, &[0.5]).unwrap();
    let b2 = t2.input_block(1, 1, &[0.5]).unwrap();
    let w1 = t1.input_block(2, 1, &[3.0, 4.0]).unwrap();
    for (w, b) in [(&w, &b), (&w1, &b2)] {
        let err = catch_unwind(AssertUnwindSafe(|| {
            let _ = dense(&x, w, b, Activation::Identity);
        }))
        .expect_err("blocks of two tapes");
        let message = err.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(message.contains("two different tapes"), "{message}");
    }
}
