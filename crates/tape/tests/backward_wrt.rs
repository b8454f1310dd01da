//! `Var::backward_wrt`: gradients with respect to some variables only, from
//! a reverse sweep that skips the block operations none of whose inputs
//! depends on them. The numbers must be those of the full sweep, bit for
//! bit (the same additions in the same order reach every wanted adjoint);
//! the skipping must actually happen.

use std::cell::Cell;
use std::ops::Range;
use std::rc::Rc;

use proptest::prelude::*;
use saddle_tape::prelude::*;
use saddle_tape::{BlockOp, Cotangents, Slots};

/// A layer `tanh(X W)` recorded from blocks: two entries (matmul, map).
fn layer<'t>(x: &Block<'t, f64>, w: &Block<'t, f64>) -> Block<'t, f64> {
    x.matmul(w).unwrap().tanh()
}

/// A three-layer network's loss with its parameters as scalar variables
/// numbered layer by layer (as `saddle-nn` numbers them).
fn network<'t>(tape: &'t Tape<f64>, p: &[Var<'t, f64>]) -> Var<'t, f64> {
    let data: Vec<f64> = (0..12).map(|i| (0.37 * i as f64).sin()).collect();
    let x = tape.constant_block(4, 3, &data).unwrap();
    let w1 = tape.stack(3, 2, &p[0..6]).unwrap();
    let w2 = tape.stack(2, 2, &p[6..10]).unwrap();
    let w3 = tape.stack(2, 1, &p[10..12]).unwrap();
    let out = layer(&layer(&layer(&x, &w1), &w2), &w3);
    // A block of a scalar product: it depends on p₉ through the product's
    // second operand.
    let mixed = tape.stack(1, 1, &[p[5] * p[9]]).unwrap().tanh().sum();
    out.square().sum() + p[11] * p[0] + mixed
}

fn params() -> Vec<f64> {
    (0..12)
        .map(|i| 0.5 * (1.3 * i as f64 + 0.2).cos())
        .collect()
}

#[test]
fn gradients_of_a_suffix_of_the_parameters_match_the_full_sweep_bit_for_bit() {
    let tape = Tape::new();
    let p = tape.vars(&params());
    let y = network(&tape, &p);
    let full = y.backward().wrt_all(&p);
    for from in 0..=p.len() {
        assert_eq!(
            y.backward_wrt(&p[from..]),
            full[from..].to_vec(),
            "from {from}"
        );
    }
}

#[test]
fn any_subset_and_intermediates_can_be_wanted() {
    let tape = Tape::new();
    let p = tape.vars(&params());
    let mid = p[3] * p[4];
    let y = network(&tape, &p) + mid.sin();
    let wanted = [p[7], mid, p[2], Var::constant(3.0), p[7]];
    let full = y.backward();
    let expected: Vec<f64> = wanted.iter().map(|&v| full.wrt(v)).collect();
    assert_eq!(y.backward_wrt(&wanted), expected);
    assert_eq!(y.backward_wrt(&[]), Vec::<f64>::new());
    // A constant output: zero for everything.
    assert_eq!(Var::constant(2.0).backward_wrt(&p[..2]), vec![0.0, 0.0]);
}

/// A restricted sweep reuses an adjoint buffer and zeroes only the slots
/// it reads or returns: whatever the buffer held (here NaN) must never
/// reach a result — not for an entry in the middle of a block that is not
/// swept, nor for a variable recorded after the output.
#[test]
fn old_contents_of_a_reused_adjoint_buffer_never_reach_a_result() {
    let poison = || {
        for _ in 0..4 {
            saddle_tape::pool::give(vec![f64::NAN; 4096]);
        }
    };
    let tape = Tape::new();
    let p = tape.vars(&params());
    // `c` depends on p₀..p₂ only; its middle entry is wanted by itself.
    let c = tape.stack(1, 3, &p[..3]).unwrap().tanh();
    let y = network(&tape, &p) + c.at(0, 1) * p[11];
    let late = tape.var(2.0);
    let wanted = [c.at(0, 1), p[11], p[10], late];
    let full = y.backward();
    let expected: Vec<f64> = wanted.iter().map(|&v| full.wrt(v)).collect();
    drop(full);
    assert_eq!(expected[3], 0.0);
    // A sweep after which every slot holds a nonzero adjoint; its buffer
    // (the smallest that fits) is the one reused next.
    let everything = y * late + c.sum() * late;
    let garbage = || drop(everything.backward());
    for _ in 0..3 {
        poison();
        assert_eq!(y.backward_wrt(&wanted), expected);
        garbage();
        assert_eq!(y.backward_wrt(&wanted), expected);
        poison();
        assert_eq!(y.backward_wrt(&p[6..]), y.backward().wrt_all(&p[6..]));
    }
}

#[test]
#[should_panic(expected = "tape")]
fn wanting_a_variable_of_another_tape_panics_with_a_message() {
    let (a, b) = (Tape::<f64>::new(), Tape::<f64>::new());
    let x = a.var(1.0);
    let z = b.var(2.0);
    let _ = (x * x).backward_wrt(&[z]);
}

/// `Y = X` that counts its reverse-rule calls and the inputs it was asked
/// to pull back to.
struct Counted {
    x: Slots,
    calls: Rc<Cell<usize>>,
    pulled: Rc<Cell<usize>>,
}

impl BlockOp<f64> for Counted {
    fn name(&self) -> &'static str {
        "counted"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }
    fn is_linear(&self) -> bool {
        true
    }
    fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
        self.calls.set(self.calls.get() + 1);
        let out = cot.output();
        if let Some(a) = cot.adjoint(self.x) {
            self.pulled.set(self.pulled.get() + 1);
            a.iter_mut().zip(out).for_each(|(a, y)| *a += y);
        }
    }
}

#[test]
fn operations_that_reach_no_wanted_variable_are_skipped() {
    let tape = Tape::new();
    let p = tape.vars(&[0.3, 0.4, 0.5]);
    let (calls, pulled) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let counted = |b: Block<'_, f64>| {
        let op = Counted {
            x: b.slots(),
            calls: calls.clone(),
            pulled: pulled.clone(),
        };
        tape.record_block(b.rows(), b.cols(), b.values(), op)
            .unwrap()
    };
    // `early` depends on p₀ only, `late` on p₀ and p₂.
    let early = counted(tape.stack(1, 1, &p[..1]).unwrap());
    let late = counted(tape.stack(1, 2, &[early.at(0, 0), p[2]]).unwrap());
    let y = late.square().sum() + p[1];
    // Wanting p₁, p₂: `early` reaches neither (skipped); `late` runs, and
    // its input reaches p₂ (pulled back).
    let g = y.backward_wrt(&p[1..]);
    assert_eq!(g, y.backward().wrt_all(&p[1..]));
    assert_eq!(
        (calls.get(), pulled.get()),
        (1 + 2, 1 + 2),
        "one run in the restricted sweep, two in the full one"
    );
    // Wanting p₁ only: neither counted block reaches it.
    calls.set(0);
    pulled.set(0);
    assert_eq!(y.backward_wrt(&p[1..2]), vec![1.0]);
    assert_eq!((calls.get(), pulled.get()), (0, 0));
}

proptest! {
    #![proptest_config(saddle_check::strategies::config(200))]

    /// Random parameters and random wanted suffixes and subsets of the
    /// network: the restricted sweep equals the full one bit for bit.
    #[test]
    fn restricted_sweeps_equal_full_sweeps(
        values in proptest::collection::vec(-2.0f64..2.0, 12),
        from in 0usize..12,
        pick in proptest::collection::vec(0usize..12, 0..6),
    ) {
        let tape = Tape::new();
        let p = tape.vars(&values);
        let y = network(&tape, &p);
        let full = y.backward().wrt_all(&p);
        prop_assert_eq!(y.backward_wrt(&p[from..]), full[from..].to_vec());
        let wanted: Vec<Var<'_, f64>> = pick.iter().map(|&i| p[i]).collect();
        let expected: Vec<f64> = pick.iter().map(|&i| full[i]).collect();
        prop_assert_eq!(y.backward_wrt(&wanted), expected);
    }
}

/// `Y = X` that claims to read `bad` (slots at or after its own).
struct Malformed {
    bad: Range<usize>,
}

impl BlockOp<f64> for Malformed {
    fn name(&self) -> &'static str {
        "malformed"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.bad.clone()]
    }
    fn vjp(&self, _cot: &mut Cotangents<'_, f64>) {}
}

#[test]
#[should_panic(expected = "block operation 'malformed' at slot 1 names inputs 1..9")]
fn a_block_naming_later_slots_as_inputs_panics_with_a_message() {
    let tape = Tape::new();
    let x = tape.var(0.5);
    let b = tape
        .record_block(1, 2, vec![1.0, 2.0], Malformed { bad: 1..9 })
        .unwrap();
    let y = b.sum() * x;
    let _ = y.backward_wrt(&[x]);
}
