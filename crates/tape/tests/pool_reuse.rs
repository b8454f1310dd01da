//! The thread's buffer pool under reuse: `give` keeps a buffer's entries,
//! `take` clears them, `take_zeroed` overwrites them with zeros. Adversarial
//! uses: buffers of another type of the same size, lengths 0 and
//! impossible, element types whose `Drop` calls back into the pool (while
//! it is borrowed), element types that own memory, and sweeps whose
//! adjoint buffer held the last sweep's adjoints.
//!
//! Each test starts from an empty pool (`release`) because the pool is per
//! thread and the test harness may run two tests on one thread in turn.

use std::cell::Cell;
use std::panic::catch_unwind;
use std::rc::Rc;

use saddle_tape::pool;
use saddle_tape::prelude::*;

/// A buffer of `u64` holding the bits of NaN, given back, is never handed
/// out as `f64` (same size, other type): `take_zeroed::<f64>` allocates
/// and is all `+0.0`, and `take::<f64>` gets a new buffer too.
#[test]
fn a_buffer_of_another_type_of_the_same_size_is_not_reused() {
    pool::release();
    let bits = vec![f64::NAN.to_bits(); 1 << 12];
    let ptr = bits.as_ptr() as usize;
    pool::give(bits);
    let z: Vec<f64> = pool::take_zeroed(1 << 12);
    assert_ne!(z.as_ptr() as usize, ptr);
    assert!(z.iter().all(|x| x.to_bits() == 0));
    let t: Vec<f64> = pool::take(1 << 12);
    assert_ne!(t.as_ptr() as usize, ptr);
    // f32 and f64 are not confused either.
    pool::give(vec![f32::NAN; 1 << 13]);
    let z: Vec<f64> = pool::take_zeroed(1 << 12);
    assert!(z.iter().all(|x| x.to_bits() == 0));
    // The u64 buffer is still there for a u64 request, entries cleared.
    let u: Vec<u64> = pool::take(1 << 12);
    assert_eq!(u.as_ptr() as usize, ptr);
    assert!(u.is_empty());
    pool::release();
}

/// `take_zeroed(0)` is an empty vector whether or not a buffer is kept;
/// a kept buffer it takes comes back empty (its NaNs not exposed).
#[test]
fn take_zeroed_of_length_zero() {
    pool::release();
    let v: Vec<f64> = pool::take_zeroed(0);
    assert!(v.is_empty());
    pool::give(vec![f64::NAN; 100]);
    let v: Vec<f64> = pool::take_zeroed(0);
    assert!(v.is_empty());
    pool::give(v);
    let w: Vec<f64> = pool::take_zeroed(100);
    assert_eq!(w.len(), 100);
    assert!(w.iter().all(|x| x.to_bits() == 0));
    pool::release();
}

/// A kept buffer longer than the request (within the 4× reuse bound):
/// exactly `len` entries, all `+0.0`; shorter (grown): the old entries
/// and the new ones all `+0.0`. `−0.0` and NaN payloads in the old
/// entries do not survive.
#[test]
fn take_zeroed_over_negative_zeros_and_payloads() {
    pool::release();
    let poison = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| match i % 3 {
                0 => -0.0,
                1 => f64::from_bits(0x7ff8_0000_dead_beef),
                _ => -1.5,
            })
            .collect()
    };
    for (kept, len) in [(4000, 1000), (4000, 3999), (4000, 4000), (1000, 3000)] {
        pool::give(poison(kept));
        let v: Vec<f64> = pool::take_zeroed(len);
        assert_eq!(v.len(), len);
        assert!(
            v.iter().all(|x| x.to_bits() == 0),
            "kept {kept}, len {len}: a nonzero or −0.0 entry survived"
        );
        pool::release();
    }
}

/// An impossible length (more bytes than `isize::MAX`) panics as
/// `Vec::with_capacity` does, with or without a kept buffer, and leaves
/// the pool usable (no borrow is held across the panic).
#[test]
fn take_zeroed_of_an_impossible_length_panics_and_the_pool_survives() {
    pool::release();
    for kept in [false, true] {
        if kept {
            pool::give(vec![1.0_f64; 1000]);
        }
        let r = catch_unwind(|| pool::take_zeroed::<f64>(usize::MAX));
        assert!(
            r.is_err(),
            "kept {kept}: usize::MAX f64s must not be granted"
        );
        pool::give(vec![f64::NAN; 2000]);
        let v: Vec<f64> = pool::take_zeroed(2000);
        assert!(v.iter().all(|x| x.to_bits() == 0));
        assert_eq!(pool::held_bytes(), 0);
        pool::give(v);
        assert_eq!(pool::held_bytes(), 2000 * 8);
        pool::release();
    }
}

thread_local! {
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

/// An element whose `Drop` uses the pool. Since `give` keeps entries, they
/// are dropped when the pool evicts or releases the buffer, while the
/// pool is borrowed: the nested calls must be refused quietly (the nested
/// `give` frees its buffer, `take` allocates), never panic. (Not zero-sized:
/// a buffer of a zero-sized type holds no memory and is never kept.)
struct Reentrant(#[allow(dead_code)] u64);

impl Drop for Reentrant {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
        pool::give(vec![0u8; 256]);
        let v: Vec<u8> = pool::take(16);
        assert!(v.capacity() >= 16);
        let _ = pool::held_bytes();
        pool::release();
    }
}

#[test]
fn drops_that_call_the_pool_during_eviction_and_release() {
    pool::release();
    DROPS.with(|d| d.set(0));
    // Eviction: fill the pool past MAX_BUFFERS with buffers of Reentrant.
    for _ in 0..pool::MAX_BUFFERS + 3 {
        pool::give((0..4).map(Reentrant).collect::<Vec<_>>());
    }
    assert!(pool::held_bytes() > 0);
    // `release` drops the rest, inside its borrow too.
    pool::release();
    assert_eq!(pool::held_bytes(), 0);
    // Every element was dropped exactly once, and `take` still clears.
    assert_eq!(DROPS.with(Cell::get), 4 * (pool::MAX_BUFFERS + 3));
    pool::give(vec![Reentrant(1), Reentrant(2)]);
    let v: Vec<Reentrant> = pool::take(2);
    assert!(v.is_empty());
    assert_eq!(DROPS.with(Cell::get), 4 * (pool::MAX_BUFFERS + 3) + 2);
    pool::release();
}

thread_local! {
    static ROWS_FREED: Cell<usize> = const { Cell::new(0) };
}

/// A row of numbers that counts its own drop.
struct Row(#[allow(dead_code)] Vec<f64>);

impl Drop for Row {
    fn drop(&mut self) {
        ROWS_FREED.with(|d| d.set(d.get() + 1));
    }
}

/// Elements that own memory or other values: what a given-back buffer
/// keeps alive must be freed, or bounded and counted like the buffer
/// itself (`MAX_BYTES`, `held_bytes`, `Tape::cached_memory`). Since
/// entries are kept until reuse, a buffer of one 8 MiB row given back
/// keeps the 8 MiB alive while `held_bytes` counts 24 bytes, and an `Rc`
/// given back keeps its referent alive (strong count 2) until some later
/// `take` of that type or `release`.
#[test]
fn entries_that_own_memory_are_not_kept_alive_uncounted() {
    pool::release();
    let shared = Rc::new(0.5_f64);
    pool::give(vec![Rc::clone(&shared)]);
    assert_eq!(
        Rc::strong_count(&shared),
        1,
        "the pool keeps an Rc given back inside a buffer alive"
    );
    ROWS_FREED.with(|d| d.set(0));
    pool::give(vec![Row(vec![0.0_f64; 1 << 20])]);
    let freed = ROWS_FREED.with(Cell::get) == 1;
    let counted = pool::held_bytes() >= 8 << 20;
    assert!(
        freed || counted,
        "an 8 MiB row is kept alive in the pool and not counted: held_bytes = {}",
        pool::held_bytes()
    );
    pool::release();
}

/// A sweep's adjoint buffer comes from the last sweep's, which held that
/// sweep's (nonzero) adjoints: a later sweep of a shorter and a longer
/// recording must give exactly the adjoints of a fresh buffer, including
/// exact zeros for slots the output does not depend on.
#[test]
fn a_sweep_after_a_sweep_starts_from_zeros() {
    fn sweep(tape: &Tape<f64>, n: usize, depends: usize) -> Vec<f64> {
        let xs: Vec<_> = (0..n).map(|i| tape.var(0.1 + 0.01 * i as f64)).collect();
        // Only the first `depends` inputs reach the output.
        let y = xs[..depends]
            .iter()
            .fold(Var::constant(1.0), |s, &x| s * (x + 1.0) + x.sin());
        // Unused intermediate nodes: their slots must read zero too.
        let _unused: Vec<_> = xs[depends..].iter().map(|&x| x * x).collect();
        y.backward().wrt_all(&xs)
    }
    pool::release();
    let reference = |n: usize, d: usize| {
        pool::release();
        let tape = Tape::new();
        let g = sweep(&tape, n, d);
        pool::release();
        g
    };
    let want_short = reference(500, 300);
    let want_long = reference(3000, 10);
    let tape = Tape::new();
    // A long sweep leaves a buffer full of nonzero adjoints...
    let _ = sweep(&tape, 3000, 3000);
    let mut tape = tape;
    tape.clear();
    // ...which the shorter sweep reuses, then the longer one grows.
    let got_short = sweep(&tape, 500, 300);
    tape.clear();
    let got_long = sweep(&tape, 3000, 10);
    let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
    assert!(
        same(&got_short, &want_short),
        "shorter sweep over a used buffer"
    );
    assert!(
        same(&got_long, &want_long),
        "longer sweep over a used buffer"
    );
    assert!(got_long[10..].iter().all(|x| x.to_bits() == 0));
    pool::release();
}

/// Buffers given back while a sweep's `Gradients` is alive (another sweep
/// in between, a block rule's scratch) do not alias it: two live sweeps of
/// one recording hold their own adjoints.
#[test]
fn live_gradients_are_not_reused_by_a_later_sweep() {
    pool::release();
    let tape = Tape::<f64>::new();
    let xs: Vec<_> = (0..64).map(|i| tape.var(0.2 * i as f64 - 3.0)).collect();
    let block = tape.stack(8, 8, &xs).expect("8×8");
    let y1 = block.matmul(&block).expect("8×8·8×8").tanh().sum();
    let y2 = block.square().sum();
    let g1 = y1.backward();
    let first: Vec<f64> = xs.iter().map(|&x| g1.wrt(x)).collect();
    // A second sweep while g1 lives, and scratch given back meanwhile.
    pool::give(vec![f64::NAN; 1 << 12]);
    let g2 = y2.backward();
    let again: Vec<f64> = xs.iter().map(|&x| g1.wrt(x)).collect();
    assert_eq!(
        first.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        again.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    for (i, &x) in xs.iter().enumerate() {
        // ∂(Σ x²)/∂x = 2x, exact in floating point.
        assert_eq!(g2.wrt(x), 2.0 * x.value(), "entry {i}");
    }
    drop((g1, g2));
    pool::release();
}
