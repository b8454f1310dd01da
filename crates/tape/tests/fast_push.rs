//! The fast path of scalar recording: one comparison of the node count
//! against a limit stands for the reader check, the slot limit and the
//! capacity check. These tests pin down that it refuses everything the
//! checked path refused (recording while the tape is read, also from a
//! nested read and after a caught panic) and that growth, `clear` and
//! block slots keep every slot right.

use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_tape::prelude::*;

/// A unary node recorded from a sweep observer, with spare capacity (so
/// only the limit can refuse it), panics as a leaf always did.
#[test]
#[should_panic(expected = "cannot record on a tape while it is being read")]
fn unary_node_from_a_sweep_observer_panics_with_spare_capacity() {
    let tape = Tape::<f64>::with_capacity(1000);
    let x = tape.var(1.0);
    let y = x * 2.0;
    let _ = tape.backward_observed(y, 1.0, |_| {
        let _ = x * 3.0;
    });
}

/// The same for a binary node.
#[test]
#[should_panic(expected = "cannot record on a tape while it is being read")]
fn binary_node_from_a_sweep_observer_panics_with_spare_capacity() {
    let tape = Tape::<f64>::with_capacity(1000);
    let x = tape.var(1.0);
    let z = tape.var(2.0);
    let y = x * z;
    let _ = tape.backward_observed(y, 1.0, |_| {
        let _ = x + z;
    });
}

/// A nested read inside the observer (`tape.len()`) ends before the push:
/// it must leave the limit at 0 for the outer read, not restore the
/// recording's limit.
#[test]
#[should_panic(expected = "cannot record on a tape while it is being read")]
fn a_nested_read_does_not_reopen_recording() {
    let tape = Tape::<f64>::with_capacity(1000);
    let x = tape.var(1.0);
    let y = x.sin();
    let _ = tape.backward_observed(y, 1.0, |_| {
        assert!(!tape.is_empty());
        let _ = x.cos();
    });
}

/// After a refused push is caught, the sweep's read has ended and the tape
/// records again; the gradient of what is recorded next is exact.
#[test]
fn recording_resumes_after_a_refused_push_is_caught() {
    let tape = Tape::<f64>::with_capacity(1000);
    let x = tape.var(3.0);
    let y = x * x;
    let refused = catch_unwind(AssertUnwindSafe(|| {
        tape.backward_observed(y, 1.0, |_| {
            let _ = x * 5.0;
        })
    }));
    assert!(refused.is_err());
    let nodes = tape.num_nodes();
    let z = y * x + 1.0; // x³ + 1
    assert_eq!(tape.num_nodes(), nodes + 2);
    // d(x³ + 1)/dx = 3x² = 27, exactly in floating point.
    assert_eq!(z.backward().wrt(x), 27.0);
}

/// Growing from no capacity, node after node past many reallocations:
/// every slot is its recording index and the gradient of
/// `f(x) = x·1.001ⁿ` (n unary nodes) is `1.001ⁿ`, computed by the same
/// products in the same order, so exactly equal.
#[test]
fn growth_from_zero_capacity_keeps_slots_and_partials() {
    let tape = Tape::<f64>::new();
    let x = tape.var(0.5);
    let mut y = x;
    let mut want = 1.0;
    for k in 0..5000 {
        y *= 1.001;
        want *= 1.001;
        assert_eq!(y.slot(), Some(k + 1));
    }
    assert_eq!(tape.num_nodes(), 5001);
    assert_eq!(y.backward().wrt(x), want);
}

/// Scalar nodes after blocks take the slots after the block's values,
/// also when the capacity was reserved before the block (the limit must
/// account for block slots); after `clear` slots start at 0 again.
#[test]
fn scalar_slots_follow_block_slots_and_restart_after_clear() {
    let mut tape = Tape::<f64>::with_capacity(64);
    {
        let b = tape.input_block(1, 3, &[1.0, 2.0, 3.0]).unwrap(); // slots 0..3
        let x = tape.var(2.0); // slot 3
        let y = x * x; // slot 4
        assert_eq!((x.slot(), y.slot()), (Some(3), Some(4)));
        let s = b.sum() * y; // block sum at 5, product at 6
        assert_eq!(s.slot(), Some(6));
        let g = s.backward();
        // ∂(Σb · x²)/∂x = 2x·Σb = 24; ∂/∂bᵢ = x² = 4.
        assert_eq!(g.wrt(x), 24.0);
        assert_eq!(g.wrt_block(&b), vec![4.0; 3]);
    }
    tape.clear();
    let x = tape.var(1.5);
    let y = x.exp();
    assert_eq!((x.slot(), y.slot()), (Some(0), Some(1)));
    assert_eq!(y.backward().wrt(x), 1.5f64.exp());
}
