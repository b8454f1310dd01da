//! Adversarial checks of tape storage reuse (a dropped tape leaves its
//! cleared recording in a per-thread cache for the next `Tape::new`):
//! stale `Gradients`, nested tapes, panics inside a sweep, tapes dropped
//! or created during thread teardown, scalar types sharing the cache, and
//! many threads at once. None may change a result or weaken a check.
//!
//! Each test runs on its own thread: the cache is per thread, and the test
//! harness may run other tests' tapes on a shared one.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_tape::prelude::*;

fn on_own_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f).join().unwrap();
}

/// `y = x₀²x₁ + sin x₁` over `steps` extra linear nodes (to grow the
/// storage); returns `(∂y/∂x₀, ∂y/∂x₁)`, exactly `(2x₀x₁, x₀² + cos x₁)`
/// up to the rounding of the chain's additions of zero (none: `+ 0·x₀`
/// adds an exact zero adjoint).
fn grad(tape: &Tape<f64>, x: [f64; 2], steps: usize) -> (f64, f64) {
    let x0 = tape.var(x[0]);
    let x1 = tape.var(x[1]);
    let mut pad = x0 * 0.0;
    for _ in 0..steps {
        pad += x0 * 0.0;
    }
    let y = x0 * x0 * x1 + x1.sin() + pad;
    let g = y.backward();
    (g.wrt(x0), g.wrt(x1))
}

fn exact(x: [f64; 2]) -> (f64, f64) {
    (2.0 * x[0] * x[1], x[0] * x[0] + x[1].cos())
}

#[test]
fn stale_gradients_refuse_a_variable_at_the_same_slot_of_the_reusing_tape() {
    on_own_thread(|| {
        let g = {
            let tape = Tape::<f64>::new();
            let x = tape.var(2.0);
            (x * x).backward()
        };
        // The new tape takes the dropped one's storage; its first variable
        // has the same slot (0) as the stale gradient's x.
        let tape = Tape::<f64>::new();
        let y = tape.var(5.0);
        assert_eq!(g.try_wrt(y), None);
        let msg = catch_unwind(AssertUnwindSafe(|| g.wrt(y)))
            .unwrap_err()
            .downcast::<String>()
            .unwrap();
        assert!(msg.contains("Gradients::wrt"), "{msg}");
    });
}

#[test]
fn nested_tapes_each_keep_their_own_recording() {
    on_own_thread(|| {
        // Warm the cache so the inner tape takes a used recording.
        drop(Tape::<f64>::new());
        grad(&Tape::new(), [0.5, 0.5], 1000);
        let outer = Tape::<f64>::new();
        let a = outer.var(1.5);
        let b = outer.var(-0.7);
        let partial = a * a * b;
        let inner_result = {
            let inner = Tape::<f64>::new();
            grad(&inner, [0.3, 1.1], 500)
        };
        // The inner tape dropped while the outer lives: the outer's nodes
        // are untouched and the next tape gets the inner's storage.
        let y = partial + b.sin();
        let g = y.backward();
        assert_eq!((g.wrt(a), g.wrt(b)), exact([1.5, -0.7]));
        assert_eq!(inner_result, exact([0.3, 1.1]));
        let again = Tape::<f64>::new();
        assert_eq!(grad(&again, [0.3, 1.1], 10), exact([0.3, 1.1]));
        assert_eq!(outer.len(), 6, "outer recorded x₀, x₁, a², a²b, sin b, +");
    });
}

#[test]
fn a_panic_in_a_sweep_observer_leaves_a_usable_cache() {
    on_own_thread(|| {
        let caught = catch_unwind(|| {
            let tape = Tape::<f64>::new();
            let x = tape.var(0.4);
            let y = (x * x).sin();
            tape.backward_observed(y, 1.0, |_| panic!("observer"));
        });
        assert!(caught.is_err());
        // The tape unwound through its drop: its storage is cached, and a
        // new tape on it records and sweeps normally.
        assert!(Tape::<f64>::cached_memory() > 0);
        let tape = Tape::<f64>::new();
        assert_eq!(tape.len(), 0);
        assert_eq!(grad(&tape, [0.9, 0.2], 100), exact([0.9, 0.2]));
    });
}

#[test]
fn a_panic_in_an_observer_does_not_lock_the_tape_that_survives() {
    on_own_thread(|| {
        let tape = Tape::<f64>::new();
        let x = tape.var(0.4);
        let y = x * x;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            tape.backward_observed(y, 1.0, |_| panic!("observer"));
        }));
        assert!(caught.is_err());
        // The read borrow ended while unwinding: recording works again.
        let z = y * x;
        assert_eq!(z.backward().wrt(x), 3.0 * 0.4 * 0.4);
    });
}

thread_local! {
    static HELD: RefCell<Option<Tape<f64>>> = const { RefCell::new(None) };
}

struct MakesATapeOnDrop;

impl Drop for MakesATapeOnDrop {
    fn drop(&mut self) {
        // Runs during thread teardown, possibly after the cache is gone.
        let tape = Tape::<f64>::new();
        assert_eq!(grad(&tape, [1.0, 2.0], 10), exact([1.0, 2.0]));
    }
}

thread_local! {
    static MAKER: RefCell<Option<MakesATapeOnDrop>> = const { RefCell::new(None) };
}

#[test]
fn tapes_dropped_and_created_during_thread_teardown() {
    // Thread-local destructors run in an unspecified order: whichever way,
    // the cache must neither panic nor abort (it is skipped once gone).
    for _ in 0..4 {
        std::thread::spawn(|| {
            let tape = Tape::<f64>::new();
            grad(&tape, [0.1, 0.2], 1000);
            HELD.with(|h| *h.borrow_mut() = Some(tape));
            MAKER.with(|m| *m.borrow_mut() = Some(MakesATapeOnDrop));
        })
        .join()
        .unwrap();
    }
}

#[test]
fn f32_and_f64_tapes_never_take_each_others_storage() {
    on_own_thread(|| {
        // The sweep's adjoint buffer is cached when its gradients drop, the
        // recording when its tape does.
        let adjoints_f32 = {
            let t = Tape::<f32>::new();
            let x = t.var(1.0f32);
            let mut y = x;
            for _ in 0..5000 {
                y = y * 1.0001 + x;
            }
            let _ = y.backward();
            Tape::<f64>::cached_memory()
        };
        let held_f32 = Tape::<f64>::cached_memory();
        assert!(adjoints_f32 > 0 && held_f32 > adjoints_f32);
        assert!(held_f32 > 0);
        // A new f64 tape finds no f64 recording: the f32 one stays cached.
        let t = Tape::<f64>::new();
        assert_eq!(Tape::<f64>::cached_memory(), held_f32);
        assert_eq!(grad(&t, [0.25, -3.0], 100), exact([0.25, -3.0]));
        drop(t);
        // Now both are held; a new f32 tape takes exactly the f32 one (and
        // leaves the f32 adjoint buffer to the next f32 sweep).
        let both = Tape::<f64>::cached_memory();
        assert!(both > held_f32);
        let t32 = Tape::<f32>::new();
        assert_eq!(
            Tape::<f64>::cached_memory(),
            both - (held_f32 - adjoints_f32)
        );
        let x = t32.var(2.0f32);
        assert_eq!((x * x).backward().wrt(x), 4.0f32);
    });
}

#[test]
fn the_cache_holds_at_most_one_recording_per_scalar_type() {
    on_own_thread(|| {
        // Three tapes of growing size alive at once, then dropped: only the
        // largest is kept, so the cache never grows with the tape count.
        let tapes: Vec<Tape<f64>> = (0..3).map(|_| Tape::new()).collect();
        for (k, t) in tapes.iter().enumerate() {
            grad(t, [0.5, 0.5], 1000 * (k + 1));
        }
        drop(tapes);
        let held = Tape::<f64>::cached_memory();
        let largest = {
            let t = Tape::<f64>::new();
            grad(&t, [0.5, 0.5], 3000);
            t.len() * Tape::<f64>::NODE_BYTES
        };
        assert!(held >= largest, "held {held} < {largest}");
        // Besides the recording, the adjoint buffer of the largest sweep
        // (8 of the 24 bytes a slot) is kept.
        assert!(
            held < 2 * largest + largest / 3 + 4096,
            "held {held}: more than one tape's worth"
        );
    });
}

#[test]
fn many_threads_reusing_storage_get_the_exact_gradients() {
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                for round in 0..20 {
                    let x = [0.1 * t as f64 + 0.3, 0.05 * round as f64 - 0.4];
                    let tape = Tape::<f64>::new();
                    assert_eq!(grad(&tape, x, 200 * (round % 3)), exact(x));
                }
            });
        }
    });
}
