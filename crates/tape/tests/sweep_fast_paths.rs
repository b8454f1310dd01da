//! The fast paths of recording inputs and reading gradients, each against
//! the path it replaces, bit for bit:
//!
//! - [`Tape::vars`] records all leaves in one step; it must record what
//!   [`Tape::var`] on each value in turn records.
//! - The sweep's adjoint vector is recycled from the last dropped
//!   [`Gradients`] of the thread; the recycled buffer holds the old sweep's
//!   numbers, so every slot the new sweep does not reach must read exactly
//!   zero, and results must not depend on what was recycled.
//! - [`Gradients::wrt_all`] checks each tape once, not each variable; it
//!   must answer as [`Gradients::wrt`] on each, and panic as it does.

use proptest::prelude::*;
use saddle_check::strategies;
use saddle_tape::prelude::*;
use saddle_tape::Gradients;

fn on_own_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f).join().unwrap();
}

/// A random expression over `x`: each step combines the running value
/// with an input chosen by `picks` through one of eight operations (some
/// with constants, some using one variable twice), so the tape holds
/// unary, binary, constant-operand and `x·x` nodes.
fn expression<'t>(x: &[Var<'t, f64>], picks: &[(usize, u8)]) -> Var<'t, f64> {
    let mut acc = x[0];
    for &(i, op) in picks {
        let v = x[i % x.len()];
        acc = match op % 8 {
            0 => acc + v,
            1 => acc * v,
            2 => (acc - v).sin(),
            3 => acc * acc + 1.0,
            4 => 2.0 - acc * 0.5,
            5 => (v * v).tanh() + acc,
            6 => acc / (v * v + 1.0),
            _ => acc.exp().min(v + 3.0),
        };
    }
    acc
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn vars_records_what_var_records_one_at_a_time() {
    let values = [0.5, -1.25, 3.0, 0.0, -0.0];
    let one = Tape::<f64>::new();
    let bulk = Tape::<f64>::new();
    // After a block and a node, so the first slot is not 0 and the leaves
    // follow an operation.
    for t in [&one, &bulk] {
        let b = t.input_block(1, 2, &[1.0, 2.0]).unwrap();
        let _ = b.sum() * 2.0;
    }
    let xs: Vec<_> = values.iter().map(|&v| one.var(v)).collect();
    let ys = bulk.vars(&values);
    assert_eq!(one.entries(), bulk.entries());
    let slots = |v: &[Var<'_, f64>]| v.iter().map(|x| x.slot()).collect::<Vec<_>>();
    assert_eq!(slots(&xs), slots(&ys));
    let vals = |v: &[Var<'_, f64>]| v.iter().map(|x| x.value().to_bits()).collect::<Vec<_>>();
    assert_eq!(vals(&xs), vals(&ys));
    // Operations after the bulk leaves see them as leaves (the sweep's
    // leaf test is placed by the last leaf: an infinite adjoint on the
    // last input must stay ∞, not become 0·∞ = NaN).
    let f = ys[4] * f64::INFINITY + ys[0] * ys[1];
    let g = f.backward();
    assert_eq!(g.wrt(ys[4]), f64::INFINITY);
    assert_eq!((g.wrt(ys[0]), g.wrt(ys[1])), (-1.25, 0.5));
    // No inputs, no nodes: only `f`'s three nodes were added since.
    assert!(bulk.vars(&[]).is_empty());
    assert_eq!(bulk.num_nodes(), one.num_nodes() + 3);
}

#[test]
fn a_recycled_adjoint_buffer_reads_zero_where_the_sweep_does_not_reach() {
    on_own_thread(|| {
        // A large sweep whose adjoints are all nonzero, dropped: its buffer
        // is kept for the next sweep.
        {
            let tape = Tape::<f64>::new();
            let x = tape.vars(&[0.7; 100]);
            let s: Var<'_, f64> = x.iter().map(|&v| v.sin()).sum();
            let g = s.backward();
            assert!(g.adjoints().iter().all(|a| *a != 0.0));
        }
        assert!(Tape::<f64>::cached_memory() >= 199 * 8);
        // A smaller tape where most slots do not reach the output, and an
        // output recorded before the last node.
        let tape = Tape::<f64>::new();
        let x = tape.vars(&[1.0, 2.0, 3.0, 4.0]);
        let y = x[1] * x[2];
        let _after = (x[3] * 5.0).exp();
        let g = y.backward();
        assert_eq!(g.adjoints().len(), tape.len());
        assert_eq!(
            bits(g.adjoints()),
            bits(&[0.0, 3.0, 2.0, 0.0, 1.0, 0.0, 0.0])
        );
        assert_eq!(g.wrt_all(&x), [0.0, 3.0, 2.0, 0.0]);
    });
}

#[test]
fn release_cached_memory_frees_the_adjoint_buffer() {
    on_own_thread(|| {
        let tape = Tape::<f64>::new();
        let x = tape.vars(&[0.5; 50]);
        let s: Var<'_, f64> = x.iter().copied().sum();
        let g = s.backward();
        let before = Tape::<f64>::cached_memory();
        drop(g);
        assert!(Tape::<f64>::cached_memory() >= before + 99 * 8);
        Tape::<f64>::release_cached_memory();
        assert_eq!(Tape::<f64>::cached_memory(), 0);
    });
}

/// `wrt_all` skips the full check only for a tape it has checked in the
/// same call: a variable of another tape after a checked one still panics.
#[test]
#[should_panic(expected = "the variable was recorded on a different tape")]
fn wrt_all_refuses_a_variable_of_another_tape_after_a_checked_one() {
    let a = Tape::<f64>::new();
    let b = Tape::<f64>::new();
    let x = a.var(1.0);
    let y = b.var(2.0);
    let g = (x * 3.0).backward();
    g.wrt_all(&[x, x, y]);
}

#[test]
#[should_panic(expected = "these gradients are stale")]
fn wrt_all_refuses_variables_of_a_cleared_recording() {
    let mut tape = Tape::<f64>::new();
    let g: Gradients<f64> = {
        let x = tape.var(1.0);
        (x * 3.0).backward()
    };
    tape.clear();
    let z = tape.vars(&[1.0, 2.0]);
    g.wrt_all(&z);
}

/// All variables on the swept tape (`wrt_all`'s gather path): each reads
/// what `wrt` reads, and one recorded after the output reads exactly zero.
/// The derivatives are exact (`f = 3x + xy`: `∂f/∂x = 3 + y = 5`,
/// `∂f/∂y = x = 1`).
#[test]
fn wrt_all_on_one_tape_reads_zero_past_the_output() {
    let tape = Tape::<f64>::new();
    let x = tape.vars(&[1.0, 2.0]);
    let f = x[0] * 3.0 + x[0] * x[1];
    let later = tape.var(4.0);
    let g = f.backward();
    let all = g.wrt_all(&[x[0], later, x[1], x[0]]);
    assert_eq!(bits(&all), bits(&[5.0, 0.0, 1.0, 5.0]));
    assert_eq!(g.wrt(later), 0.0);
}

proptest! {
    #![proptest_config(strategies::config(64))]

    /// Random expressions: gradients through a recycled buffer (dirty with
    /// another sweep's adjoints), through `wrt_all` and through `wrt` on
    /// each input, all bit for bit equal to the first sweep on a fresh
    /// buffer; constants mixed into `wrt_all` read zero.
    #[test]
    fn recycled_buffers_and_wrt_all_equal_the_fresh_paths(
        x0 in strategies::vector(6, -2.0, 2.0),
        picks in prop::collection::vec((0usize..6, 0u8..8), 1..40),
        other in prop::collection::vec((0usize..6, 0u8..8), 1..40),
    ) {
        let (fresh, recycled, each, constant) = std::thread::spawn(move || {
            let tape = Tape::<f64>::new();
            let x = tape.vars(&x0);
            let f = expression(&x, &picks);
            let fresh = f.backward().adjoints().to_vec();
            // Dirty the cached buffer with another expression's adjoints.
            {
                let t2 = Tape::<f64>::new();
                let z = t2.vars(&x0);
                let _ = expression(&z, &other).backward();
            }
            let g = f.backward();
            let recycled = g.adjoints().to_vec();
            let mut with_constant = x.clone();
            with_constant.push(Var::constant(1.0));
            let all = g.wrt_all(&with_constant);
            let each: Vec<f64> = x.iter().map(|&v| g.wrt(v)).collect();
            assert_eq!(bits(&all[..6]), bits(&each));
            (fresh, recycled, each, all[6])
        })
        .join()
        .unwrap();
        prop_assert_eq!(bits(&fresh), bits(&recycled));
        prop_assert_eq!(bits(&fresh[..6]), bits(&each));
        prop_assert_eq!(constant.to_bits(), 0.0f64.to_bits());
    }
}
