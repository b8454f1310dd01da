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

/// The last run of consecutive leaves is skipped by the sweep without a
/// visit; the leaves and the operation before it are still visited. Every
/// leaf keeps an infinite adjoint exactly (a leaf that passed `0 · ∞` on
/// would turn it into NaN), the operation between the runs still passes
/// its adjoint on (a skip reaching too far would leave `∂w/∂a = 0`), and
/// the finite derivatives are exact (products of small integers).
#[test]
fn the_last_leaf_run_is_skipped_and_keeps_infinite_adjoints() {
    let tape = Tape::<f64>::new();
    let a = tape.var(2.0); // slot 0
    let c = tape.var(7.0); // slot 1
    let a3 = a * 3.0; // slot 2: an operation between the runs
    let xs = tape.vars(&[1.0, -1.0, 4.0]); // slots 3..6, the last run
    let b = tape.var(5.0); // slot 6, continues the run
    let w = xs[0] * f64::INFINITY + c * f64::INFINITY + a3 * xs[1] + xs[2] * b;
    let g = w.backward();
    assert_eq!(g.wrt(xs[0]), f64::INFINITY);
    assert_eq!(g.wrt(c), f64::INFINITY);
    assert_eq!(g.wrt(a), -3.0); // 3 · x1
    assert_eq!(g.wrt(xs[1]), 6.0); // a3 = 6
    assert_eq!(g.wrt(xs[2]), 5.0);
    assert_eq!(g.wrt(b), 4.0);
    // An output that is itself a leaf of the run: its own adjoint only.
    let gb = b.backward();
    assert_eq!(gb.wrt(b), 1.0);
    assert_eq!(gb.wrt(xs[2]), 0.0);
    assert_eq!(gb.wrt(a), 0.0);
}

/// An observer sees one step per operation that passed its adjoint on,
/// and none for leaves, whether the leaves are in the last run (skipped)
/// or before it (visited and found to be leaves).
#[test]
fn an_observer_sees_no_leaf_steps() {
    let tape = Tape::<f64>::new();
    let a = tape.var(2.0); // slot 0
    let a2 = a * 3.0; // slot 1
    let xs = tape.vars(&[1.0, 4.0]); // slots 2, 3
    let w = a2 * xs[0] + xs[1]; // slots 4 (a2·x0), 5 (+ x1)
    let mut seen = Vec::new();
    let _ = tape.backward_observed(w, 1.0, |step| {
        if let saddle_tape::SweepStep::Node { slot, .. } = step {
            seen.push(slot)
        }
    });
    assert_eq!(seen, [5, 4, 1]);
}
