//! Hessian sparsity through block operations entry by entry
//! (`BlockOp::entry_dependence`): elementwise maps and zips, affine maps,
//! slices, row broadcasts and stacks couple only the entries they combine,
//! so block-written banded functions keep their band. Patterns are checked
//! against ones worked out by hand; operations that do not describe their
//! entries (matrix products, sums, malformed descriptions) still couple
//! their whole input.

use std::ops::Range;

use saddle_tape::prelude::*;
use saddle_tape::{BlockOp, Cotangents, EntryDependence, HessianPattern, Slots};

/// The pattern of `f` with respect to `n` inputs, recorded as one `1 × n`
/// input block (its entries are the inputs).
fn block_pattern(n: usize, f: impl for<'t> Fn(&Block<'t, f64>) -> Var<'t, f64>) -> HessianPattern {
    let tape = Tape::new();
    let data: Vec<f64> = (0..n).map(|i| 0.3 + 0.1 * i as f64).collect();
    let x = tape.input_block(1, n, &data).unwrap();
    let y = f(&x);
    tape.hessian_pattern(&x.vars(), y)
}

fn pairs(n: usize, p: impl IntoIterator<Item = (usize, usize)>) -> HessianPattern {
    HessianPattern::from_pairs(n, p).unwrap()
}

/// Every pair of `ids`, diagonal included.
fn full(ids: &[usize]) -> Vec<(usize, usize)> {
    ids.iter()
        .flat_map(|&i| ids.iter().map(move |&j| (i, j)))
        .collect()
}

#[test]
fn elementwise_map_is_diagonal() {
    let p = block_pattern(5, |x| x.tanh().sum());
    assert_eq!(p, pairs(5, (0..5).map(|i| (i, i))));
}

#[test]
fn affine_and_linear_zips_add_nothing() {
    let p = block_pattern(4, |x| {
        let (a, b) = (x.slice(0..1, 0..2).unwrap(), x.slice(0..1, 2..4).unwrap());
        a.add(&b).unwrap().sub(&a.affine(3.0, 1.0)).unwrap().sum()
    });
    assert_eq!(p.nnz(), 0);
}

#[test]
fn hadamard_product_couples_only_partners() {
    // (x₀x₂ + x₁x₃): only the mixed entries, no diagonal.
    let p = block_pattern(4, |x| {
        let (a, b) = (x.slice(0..1, 0..2).unwrap(), x.slice(0..1, 2..4).unwrap());
        a.mul(&b).unwrap().sum()
    });
    assert_eq!(p, pairs(4, [(0, 2), (1, 3)]));
    // a ⊙ a: the diagonal.
    let p = block_pattern(3, |x| x.mul(x).unwrap().sum());
    assert_eq!(p, pairs(3, (0..3).map(|i| (i, i))));
}

#[test]
fn a_product_that_is_needed_passes_its_domain_on() {
    // sin(x₀x₂) + sin(x₁x₃): each product's domain is squared by the map.
    let p = block_pattern(4, |x| {
        let (a, b) = (x.slice(0..1, 0..2).unwrap(), x.slice(0..1, 2..4).unwrap());
        a.mul(&b).unwrap().map("sin", saddle_tape::rules::sin).sum()
    });
    let mut expected = full(&[0, 2]);
    expected.extend(full(&[1, 3]));
    assert_eq!(p, pairs(4, expected));
}

#[test]
fn elementwise_division_couples_both_operands_fully() {
    let p = block_pattern(4, |x| {
        let (a, b) = (x.slice(0..1, 0..2).unwrap(), x.slice(0..1, 2..4).unwrap());
        a.div(&b).unwrap().sum()
    });
    let mut expected = full(&[0, 2]);
    expected.extend(full(&[1, 3]));
    assert_eq!(p, pairs(4, expected));
}

#[test]
fn two_dimensional_slices_follow_their_rectangle() {
    // X is 3 × 4 (inputs row-major); Σ X[1..3, 1..3]² touches entries
    // (1,1) (1,2) (2,1) (2,2) = inputs 5, 6, 9, 10.
    let tape = Tape::new();
    let data: Vec<f64> = (0..12).map(|i| 0.1 * i as f64).collect();
    let x = tape.input_block(3, 4, &data).unwrap();
    let y = x.slice(1..3, 1..3).unwrap().square().sum();
    let p = tape.hessian_pattern(&x.vars(), y);
    assert_eq!(p, pairs(12, [5, 6, 9, 10].map(|i| (i, i))));
}

#[test]
fn row_broadcast_couples_an_entry_with_its_column_bias() {
    // Z = X + 1bᵀ with X 2 × 2 (inputs 0..4), b (inputs 4, 5); Σ Z²:
    // Z[i, j] couples X[i, j] with b[j].
    let tape = Tape::new();
    let inputs = tape.vars(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    let x = tape.stack(2, 2, &inputs[..4]).unwrap();
    let b = tape.stack(1, 2, &inputs[4..]).unwrap();
    let y = x.add_row(&b).unwrap().square().sum();
    let p = tape.hessian_pattern(&inputs, y);
    let mut expected = Vec::new();
    for (xi, bj) in [(0, 4), (1, 5), (2, 4), (3, 5)] {
        expected.extend(full(&[xi, bj]));
    }
    assert_eq!(p, pairs(6, expected));
}

#[test]
fn stacked_constants_and_unused_entries_add_nothing() {
    let tape = Tape::new();
    let x = tape.vars(&[0.1, 0.2, 0.3]);
    // [x₀, 2, x₂] squared; only entry 0 reaches the output through `at`.
    let s = tape
        .stack(1, 3, &[x[0], Var::constant(2.0), x[2]])
        .unwrap()
        .square();
    let y = s.at(0, 0) + s.at(0, 1) * 3.0;
    let p = tape.hessian_pattern(&x, y);
    assert_eq!(p, pairs(3, [(0, 0)]));
}

#[test]
fn block_written_rosenbrock_is_tridiagonal() {
    let n = 40;
    let p = block_pattern(n, |x| {
        let (a, b) = (
            x.slice(0..1, 0..n - 1).unwrap(),
            x.slice(0..1, 1..n).unwrap(),
        );
        let d = b.sub(&a.square()).unwrap();
        d.square().sum() * 100.0 + a.affine(-1.0, 1.0).square().sum()
    });
    let tridiagonal = pairs(
        n,
        (0..n - 1).flat_map(|i| [(i, i), (i, i + 1), (i + 1, i + 1)]),
    );
    assert_eq!(p, tridiagonal);
}

#[test]
fn matrix_products_still_couple_their_whole_inputs() {
    // x[0..2] · x[2..4]ᵀ as a 1×2 by 2×1 product: the default (whole-block)
    // rule couples all four inputs.
    let p = block_pattern(4, |x| {
        let a = x.slice(0..1, 0..2).unwrap();
        let b = x.slice(0..1, 2..4).unwrap();
        let tape = x.tape();
        let bt = tape.stack(2, 1, &b.vars()).unwrap();
        a.matmul(&bt).unwrap().sum()
    });
    assert_eq!(p, pairs(4, full(&[0, 1, 2, 3])));
}

/// `Yₖ = Xₖ²` with a description given by the test (possibly malformed).
struct Described {
    x: Slots,
    describe: fn(Range<usize>, &mut Vec<EntryDependence>),
}

impl BlockOp<f64> for Described {
    fn name(&self) -> &'static str {
        "described"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        (self.describe)(self.x.range(), entries);
        true
    }
    fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
        let (out, x) = (cot.output(), cot.value(self.x));
        if let Some(a) = cot.adjoint(self.x) {
            for ((a, y), x) in a.iter_mut().zip(out).zip(x) {
                *a += 2.0 * x * y;
            }
        }
    }
}

fn described_pattern(describe: fn(Range<usize>, &mut Vec<EntryDependence>)) -> HessianPattern {
    let tape = Tape::new();
    let x = tape.input_block(1, 3, &[0.5, 0.6, 0.7]).unwrap();
    let values: Vec<f64> = x.values().iter().map(|v| v * v).collect();
    let y = tape
        .record_block(
            1,
            3,
            values,
            Described {
                x: x.slots(),
                describe,
            },
        )
        .unwrap();
    tape.hessian_pattern(&x.vars(), y.sum())
}

#[test]
fn a_user_operation_that_describes_its_entries_is_followed() {
    let p = described_pattern(|r, e| e.extend(r.map(|s| EntryDependence::Nonlinear([s, s]))));
    assert_eq!(p, pairs(3, (0..3).map(|i| (i, i))));
}

#[test]
fn a_malformed_description_falls_back_to_the_whole_block() {
    let all = pairs(3, full(&[0, 1, 2]));
    // One entry short.
    let p =
        described_pattern(|r, e| e.extend(r.skip(1).map(|s| EntryDependence::Nonlinear([s, s]))));
    assert_eq!(p, all);
    // A slot at or after the operation's own output.
    let p = described_pattern(|r, e| {
        let end = r.end;
        e.extend(r.map(|_| EntryDependence::Nonlinear([end, end])))
    });
    assert_eq!(p, all);
}
