//! The four operand cases of a binary operation on `Var`s, which the
//! recording dispatches with the "same tape" case first (one pointer
//! comparison): each must record exactly what it did before.
//!
//! - both constants: a constant, no node;
//! - a constant on either side: one unary node with the variable's partial;
//! - two variables of one tape: one binary node with both partials (one
//!   unary node with the summed partial when they are the same variable);
//! - variables of two tapes: a panic naming the mistake.
//!
//! Every partial checked here is exact in `f64` (products and sums of
//! small integers and halves), so the comparisons are `==`.

use saddle_tape::prelude::*;
use saddle_tape::Entry;

#[test]
fn both_constants_record_nothing() {
    let tape = Tape::<f64>::new();
    let _x = tape.var(1.0);
    let y = Var::<f64>::constant(3.0) * Var::constant(0.5);
    assert!(y.is_constant());
    assert_eq!(y.value(), 1.5);
    assert_eq!(tape.num_nodes(), 1);
}

#[test]
fn a_constant_on_either_side_records_one_unary_node() {
    let tape = Tape::<f64>::new();
    let x = tape.var(2.0);
    let left = Var::constant(3.0) * x; // (None, Some)
    let right = x / Var::constant(4.0); // (Some, None)
    assert_eq!(
        tape.entries()[1..],
        [
            Entry::Node {
                slot: 1,
                parents: vec![(0, 3.0)]
            },
            Entry::Node {
                slot: 2,
                parents: vec![(0, 0.25)]
            },
        ]
    );
    assert_eq!(left.value(), 6.0);
    assert_eq!(right.value(), 0.5);
    assert_eq!(left.backward().wrt(x), 3.0);
    assert_eq!(right.backward().wrt(x), 0.25);
}

#[test]
fn two_variables_of_one_tape_record_one_binary_node() {
    let tape = Tape::<f64>::new();
    let x = tape.var(2.0);
    let y = tape.var(-0.5);
    let z = x * y;
    let w = x * x; // one variable twice: unary, partials summed (2x = 4)
    assert_eq!(
        tape.entries()[2..],
        [
            Entry::Node {
                slot: 2,
                parents: vec![(0, -0.5), (1, 2.0)]
            },
            Entry::Node {
                slot: 3,
                parents: vec![(0, 4.0)]
            },
        ]
    );
    let g = (z + w).backward();
    assert_eq!(g.wrt(x), -0.5 + 4.0);
    assert_eq!(g.wrt(y), 2.0);
}

#[test]
#[should_panic(expected = "Var: mixing variables from two different tapes")]
fn variables_of_two_tapes_panic() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let _ = t1.var(1.0) + t2.var(2.0);
}
