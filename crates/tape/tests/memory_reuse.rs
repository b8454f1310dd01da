//! A dropped tape's storage is reused by the next tape on the same thread
//! (no page faults on fresh memory for each large recording), without
//! changing any result or weakening the stale-variable checks.
//!
//! Each test runs on its own thread: the cache is per thread, and the test
//! harness may run other tests' tapes on a shared one.

use saddle_tape::prelude::*;

/// `n` nodes of `x ← (x·0.5 + x₀)·x₀`, swept; returns `∂/∂x₀`.
fn chain(tape: &Tape<f64>, steps: usize) -> f64 {
    let x0 = tape.var(0.3);
    let mut x = x0;
    for _ in 0..steps {
        x = (x * 0.5 + x0) * x0;
    }
    x.backward().wrt(x0)
}

fn on_own_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f).join().unwrap();
}

#[test]
fn a_new_tape_takes_the_storage_of_the_last_dropped_one() {
    on_own_thread(|| {
        assert_eq!(Tape::<f64>::cached_memory(), 0);
        let first = {
            let tape = Tape::<f64>::new();
            let d = chain(&tape, 30_000);
            assert!(tape.capacity() >= 90_001);
            d
        };
        // 90 001 nodes of 24 bytes are kept.
        let held = Tape::<f64>::cached_memory();
        assert!(held >= 90_001 * Tape::<f64>::NODE_BYTES, "{held}");
        let tape = Tape::<f64>::new();
        assert!(tape.is_empty());
        assert!(tape.capacity() >= 90_001, "{}", tape.capacity());
        // Taken, not copied: what stays is the sweep's adjoint buffer (8
        // bytes a slot, kept for the next sweep), not a recording.
        let rest = Tape::<f64>::cached_memory();
        assert!(rest < 90_001 * Tape::<f64>::NODE_BYTES, "{rest}");
        // The same computation on reused storage gives the same bits.
        assert_eq!(chain(&tape, 30_000).to_bits(), first.to_bits());
    });
}

#[test]
fn release_frees_the_cache_and_other_scalar_types_keep_their_own() {
    on_own_thread(|| {
        {
            let t64 = Tape::<f64>::new();
            chain(&t64, 1000);
            let t32 = Tape::<f32>::new();
            let x = t32.var(1.5f32);
            let y = (x * x).sin();
            assert!((y.backward().wrt(x) - 3.0 * 2.25f32.cos()).abs() < 1e-6);
        }
        let both = Tape::<f64>::cached_memory();
        assert!(both >= 3001 * Tape::<f64>::NODE_BYTES + 2 * Tape::<f32>::NODE_BYTES);
        // Taking the f64 storage leaves the f32 one.
        let t = Tape::<f64>::new();
        assert!(t.capacity() >= 3001);
        let rest = Tape::<f64>::cached_memory();
        assert!(rest > 0 && rest < both);
        Tape::<f64>::release_cached_memory();
        assert_eq!(Tape::<f64>::cached_memory(), 0);
        drop(t);
        assert!(Tape::<f64>::cached_memory() > 0);
    });
}

#[test]
fn the_larger_storage_is_kept_when_two_tapes_drop() {
    on_own_thread(|| {
        let small = Tape::<f64>::new();
        chain(&small, 10);
        let large = Tape::<f64>::new();
        chain(&large, 10_000);
        drop(large);
        let held = Tape::<f64>::cached_memory();
        drop(small); // smaller: freed, the large one stays
        assert_eq!(Tape::<f64>::cached_memory(), held);
        assert!(Tape::<f64>::new().capacity() >= 30_001);
    });
}

#[test]
fn gradients_of_a_dropped_tape_refuse_variables_of_the_tape_that_reuses_its_storage() {
    on_own_thread(|| {
        let grads = {
            let tape = Tape::<f64>::new();
            let x = tape.var(2.0);
            (x * x).backward()
        };
        let tape = Tape::<f64>::new(); // same storage, maybe the same address
        let y = tape.var(2.0);
        assert_eq!(grads.try_wrt(y), None);
    });
}
