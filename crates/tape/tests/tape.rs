//! The tape as a data structure: reuse after `clear`, deep chains, mixing
//! tapes, printing, seeds, and the sweep's observer.

use saddle_tape::prelude::*;
use saddle_tape::{Entry, SweepStep};

#[test]
fn clear_keeps_working_and_gives_the_same_gradient() {
    let mut tape = Tape::<f64>::new();
    let mut results = Vec::new();
    for _ in 0..3 {
        {
            let x = tape.var(1.5);
            let y = (x * x).sin() + x;
            results.push(y.backward().wrt(x));
        }
        assert!(!tape.is_empty());
        tape.clear();
        assert!(tape.is_empty());
        assert_eq!((tape.num_nodes(), tape.num_blocks()), (0, 0));
    }
    assert_eq!(results[0], 2.0 * 1.5 * (1.5f64 * 1.5).cos() + 1.0);
    // The memory stays for the next recording.
    {
        let t = &tape;
        let x = t.var(1.0);
        (0..10_000).fold(x, |acc, _| acc * 1.0001);
    }
    let grown = tape.capacity();
    assert!(grown >= 10_001);
    tape.clear();
    assert_eq!(tape.capacity(), grown);
    assert!(results.iter().all(|r| *r == results[0]));
}

/// One million chained nodes (24 MB on the tape): the sweep is a loop, so
/// depth costs memory, not stack. Ten million nodes would take ~240 MB and
/// behave the same.
#[test]
fn a_million_node_chain_does_not_overflow_the_stack() {
    let tape = Tape::<f64>::with_capacity(1_000_001);
    let x = tape.var(1.0);
    let mut y = x;
    for _ in 0..1_000_000 {
        y *= 1.0000001;
    }
    let g = y.backward().wrt(x);
    let exact = 1.0000001f64.powi(1_000_000);
    assert!((g - exact).abs() <= 1e-9 * exact, "{g} vs {exact}");
}

#[test]
#[should_panic(expected = "mixing variables from two different tapes")]
fn mixing_two_tapes_panics() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let _ = t1.var(1.0) + t2.var(2.0);
}

#[test]
#[should_panic(expected = "mixing blocks from two different tapes")]
fn mixing_blocks_of_two_tapes_panics() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let a = t1.input_block(1, 1, &[1.0]).unwrap();
    let b = t2.input_block(1, 1, &[1.0]).unwrap();
    let _ = a.matmul(&b);
}

#[test]
#[should_panic(expected = "recorded on a different tape")]
fn asking_gradients_for_a_variable_of_another_tape_panics() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let y = t1.var(1.0) * 2.0;
    let _ = y.backward().wrt(t2.var(1.0));
}

#[test]
fn constants_live_off_the_tape() {
    let tape = Tape::<f64>::new();
    let c: Var<f64> = num_traits::Zero::zero();
    let d = Var::constant(2.0) * c + 1.0;
    assert!(d.is_constant() && d.value() == 1.0);
    assert_eq!(tape.len(), 0);
    let x = tape.var(3.0);
    let y = x * d; // one node (unary: the constant is folded into the partial)
    assert_eq!(tape.num_nodes(), 2);
    assert_eq!(y.backward().wrt(x), 1.0);
    assert_eq!(d.backward().wrt(x), 0.0);
}

#[test]
fn entries_show_parents_and_local_partials() {
    let tape = Tape::<f64>::new();
    let x = tape.var(2.0);
    let y = tape.var(3.0);
    let z = x * y;
    let _ = z.sin();
    let e = tape.entries();
    assert_eq!(e[0], Entry::Leaf { slot: 0 });
    assert_eq!(
        e[2],
        Entry::Node {
            slot: 2,
            parents: vec![(0, 3.0), (1, 2.0)]
        }
    );
    assert_eq!(
        e[3],
        Entry::Node {
            slot: 3,
            parents: vec![(2, 6f64.cos())]
        }
    );
    let b = tape.input_block(1, 2, &[1.0, 2.0]).unwrap();
    let _ = b.tanh();
    let e = tape.entries();
    assert_eq!(
        e[4],
        Entry::Block {
            name: "input",
            start: 4,
            len: 2
        }
    );
    assert_eq!(
        e[5],
        Entry::Block {
            name: "tanh",
            start: 6,
            len: 2
        }
    );
}

#[test]
fn seeded_sweep_scales_and_observer_sees_every_step() {
    let tape = Tape::<f64>::new();
    let x = tape.var(0.5);
    let b = tape.stack(1, 2, &[x, x * 2.0]).unwrap();
    let y = b.tanh().sum() * 3.0;
    let mut steps = Vec::new();
    let g = tape.backward_observed(y, 2.0, |s| {
        steps.push(match s {
            SweepStep::Node { slot, .. } => format!("node {slot}"),
            SweepStep::Block { name, .. } => name.to_string(),
        })
    });
    let expected = 2.0 * 3.0 * ((1.0 - 0.5f64.tanh().powi(2)) + 2.0 * (1.0 - 1f64.tanh().powi(2)));
    assert!((g.wrt(x) - expected).abs() < 1e-15);
    assert_eq!(steps, ["node 7", "sum", "tanh", "stack", "node 1"]);
    assert_eq!(tape.backward_seeded(y, 1.0).wrt(x) * 2.0, g.wrt(x));
}

#[test]
fn a_sweep_from_an_earlier_output_ignores_later_work() {
    let tape = Tape::<f64>::new();
    let x = tape.var(2.0);
    let y = x * x;
    let later = tape
        .input_block(1, 1, &[1.0])
        .unwrap()
        .matmul(&tape.input_block(1, 1, &[2.0]).unwrap())
        .unwrap();
    let _ = later.sum() * y;
    assert_eq!(y.backward().wrt(x), 4.0);
}

#[test]
fn f32_tapes_work_too() {
    let tape = Tape::<f32>::new();
    let x = tape.var(1.0f32);
    let a = tape.input_block(1, 2, &[1.0f32, 2.0]).unwrap();
    let w = tape.input_block(2, 1, &[3.0f32, 4.0]).unwrap();
    let y = a.matmul(&w).unwrap().sum() * x;
    let g = y.backward();
    assert_eq!(g.wrt(x), 11.0);
    assert_eq!(g.wrt_block(&w), vec![1.0, 2.0]);
}

#[test]
#[should_panic(expected = "cannot record on a tape while it is being read")]
fn recording_from_a_sweep_observer_panics() {
    let tape = Tape::<f64>::new();
    let x = tape.var(1.0);
    let y = x * 2.0;
    let _ = tape.backward_observed(y, 1.0, |_| {
        let _ = tape.var(3.0);
    });
}

/// The reported case: `g` of `x²` at 3 is 6; after `clear`, a new `x` at
/// 150 has derivative 300, and `g.wrt(new x)` used to answer 6 because the
/// gradients only knew the tape's address.
#[test]
fn stale_gradients_after_clear_are_refused() {
    let mut tape = Tape::<f64>::new();
    let g = {
        let x = tape.var(3.0);
        let g = (x * x).backward();
        assert_eq!(g.wrt(x), 6.0);
        g
    };
    tape.clear();
    let x = tape.var(150.0);
    let fresh = (x * x).backward();
    assert_eq!(fresh.wrt(x), 300.0);
    assert_eq!(g.try_wrt(x), None);
    assert_eq!(fresh.try_wrt(x), Some(300.0));
    let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.wrt(x)))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(msg.contains("stale"), "{msg}");
}

/// A new tape written over the old one's place (same address) starts a
/// new recording: the old gradients refuse its variables.
#[test]
fn stale_gradients_of_a_tape_at_the_same_address_are_refused() {
    let mut place = Tape::<f64>::new();
    let old_addr = &place as *const Tape<f64> as usize;
    let g = {
        let x = place.var(3.0);
        (x * x).backward()
    };
    place = Tape::new();
    assert_eq!(&place as *const Tape<f64> as usize, old_addr);
    let x = place.var(150.0);
    assert_eq!(g.try_wrt(x), None);
    let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.wrt(x)))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(msg.contains("stale"), "{msg}");
    // Blocks are checked the same way.
    let b = place.input_block(1, 1, &[1.0]).unwrap();
    let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.wrt_block(&b)))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(msg.contains("stale") && msg.contains("block"), "{msg}");
}

#[test]
#[should_panic(expected = "recorded on a different tape from the one that was swept")]
fn gradients_of_another_tape_are_refused() {
    let (t1, t2) = (Tape::<f64>::new(), Tape::<f64>::new());
    let g = (t1.var(1.0) * 2.0).backward();
    g.wrt(t2.var(1.0));
}
