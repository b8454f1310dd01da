//! The reverse sweep tests for leaves only up to the last leaf recorded;
//! past it every node is an operation. A leaf must never pass its adjoint
//! on: a leaf's stored partial is 0, and `0 · ∞` would turn an infinite
//! gradient into NaN. These tests put leaves after operations, and infinite
//! adjoints on them, so a sweep that skipped the test in the wrong place
//! would answer NaN instead of ∞.

use saddle_tape::prelude::*;

/// A leaf recorded after an operation, with an infinite adjoint: exactly
/// `+∞` (and the earlier input's derivative exact).
#[test]
fn a_leaf_recorded_after_operations_keeps_an_infinite_adjoint() {
    let tape = Tape::<f64>::new();
    let x = tape.var(1.0);
    let y = x * 2.0; // an operation before the next leaf
    let z = tape.var(1.0); // leaf at slot 2
    let w = z * f64::INFINITY + y; // ∂w/∂z = ∞, ∂w/∂x = 2
    let g = w.backward();
    assert_eq!(g.wrt(z), f64::INFINITY);
    assert_eq!(g.wrt(x), 2.0);
}

/// Sweeping from an output recorded before the last leaf: the leaf test
/// still applies to the leaves below the output.
#[test]
fn sweeping_from_an_output_before_the_last_leaf() {
    let tape = Tape::<f64>::new();
    let x = tape.var(0.5);
    let y = x * f64::INFINITY; // ∂y/∂x = ∞
    let _later_leaf = tape.var(3.0);
    let _later_op = y * 2.0;
    assert_eq!(y.backward().wrt(x), f64::INFINITY);
}

/// `clear` forgets where the last leaf was: leaves of the new recording
/// at the slots where the old one had operations still stop the sweep.
#[test]
fn clear_resets_the_last_leaf() {
    let mut tape = Tape::<f64>::new();
    {
        let x = tape.var(1.0);
        let _ = (x * 2.0).sin();
    }
    tape.clear();
    let a = tape.var(1.0);
    let b = tape.var(2.0);
    let c = tape.var(3.0); // slot 2: an operation in the old recording
    let w = c * f64::INFINITY + a * b;
    let g = w.backward();
    assert_eq!(g.wrt(c), f64::INFINITY);
    assert_eq!((g.wrt(a), g.wrt(b)), (2.0, 1.0));
}

/// Leaves after a block: slot runs start after the block's values, and the
/// leaf test covers the later leaf.
#[test]
fn a_leaf_after_a_block_keeps_an_infinite_adjoint() {
    let tape = Tape::<f64>::new();
    let b = tape.input_block(1, 2, &[1.0, 2.0]).unwrap(); // slots 0..2
    let s = b.sum(); // block slot 2
    let z = tape.var(1.0); // leaf at slot 3
    let w = z * f64::INFINITY + s * 3.0;
    let g = w.backward();
    assert_eq!(g.wrt(z), f64::INFINITY);
    assert_eq!(g.wrt_block(&b), vec![3.0, 3.0]);
}
