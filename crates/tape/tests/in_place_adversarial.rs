//! Adversarial checks of `Tape::record_block_in_place`: while the writer
//! runs, the tape's block-value store is lent to it and the recording
//! holds an empty one. Nothing a writer (or the operation it returns) can
//! do from safe code may sweep, read or record on that half-empty
//! recording: each attempt must panic with a message naming the in-place
//! write, and the tape must then be whole (same slots, values and
//! gradients as a tape recorded with `record_block`).

use std::cell::Cell;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_tape::prelude::*;
use saddle_tape::{BlockOp, Cotangents, Entry, Scalar, Slots};

/// `Y = 2X` for any scalar type.
struct Twice(Slots);

impl<T: Scalar> BlockOp<T> for Twice {
    fn name(&self) -> &'static str {
        "twice (test)"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.0.range()]
    }
    fn is_linear(&self) -> bool {
        true
    }
    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        if let Some(x_bar) = cot.adjoint(self.0) {
            x_bar.iter_mut().zip(y_bar).for_each(|(a, y)| *a += *y + *y);
        }
    }
}

/// `2X` written in place: `X` copied, then doubled where it lies.
fn twice_in_place<'t, T: Scalar>(x: &Block<'t, T>) -> Block<'t, T> {
    let xs = x.slots();
    x.tape()
        .record_block_in_place(x.rows(), x.cols(), |out| {
            out.extend_from_earlier(xs.value_range());
            out.split().1.iter_mut().for_each(|v| *v = *v + *v);
            Twice(xs)
        })
        .unwrap()
}

/// `2X` recorded from a buffer.
fn twice_copied<'t, T: Scalar>(x: &Block<'t, T>) -> Block<'t, T> {
    let values = x.values().into_iter().map(|v| v + v).collect();
    x.tape()
        .record_block(x.rows(), x.cols(), values, Twice(x.slots()))
        .unwrap()
}

/// A tape where a scalar output lies *before* many later scalar nodes and
/// after a block, so that with the block values lent out the recording's
/// node count exceeds the output's slot: `(block 0..3, x, y = sin x, then
/// 3 more nodes)`. Returns the block, `x` and `y`.
fn scalar_output_before_more_nodes(
    tape: &Tape<f64>,
) -> (Block<'_, f64>, Var<'_, f64>, Var<'_, f64>) {
    let b = tape.input_block(1, 3, &[0.5, -1.0, 2.0]).unwrap();
    let x = tape.var(0.3);
    let y = x.sin();
    let z = y.sin();
    let w = z.sin();
    let _ = w.sin();
    (b, x, y)
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

const LENT: &str = "record_block_in_place";

/// Before the fix, `y.backward()` from the writer swept a recording whose
/// block values were lent out: the node run after the block was numbered
/// from the wrong slot, so the sweep read the wrong nodes and, in a
/// release build, wrote an adjoint past the end of the adjoint buffer
/// (`get_unchecked_mut` at a parent slot `≥` the lent length): undefined
/// behaviour from safe code. Now it panics with a message, the writer
/// catches it and finishes, and the tape is whole.
#[test]
fn a_sweep_from_the_writer_panics_instead_of_sweeping_the_lent_recording() {
    let tape = Tape::new();
    let (b, x, y) = scalar_output_before_more_nodes(&tape);
    let expected = y.backward().wrt(x);
    let len = tape.len();
    let mut messages = Vec::new();
    let bs = b.slots();
    let d = tape
        .record_block_in_place(1, 3, |out| {
            messages.push(panic_message(|| drop(y.backward())));
            messages.push(panic_message(|| drop(y.backward_wrt(&[x]))));
            out.extend_from_earlier(bs.value_range());
            out.split().1.iter_mut().for_each(|v| *v *= 2.0);
            Twice(bs)
        })
        .unwrap();
    for m in &messages {
        assert!(m.contains(LENT), "{m}");
    }
    assert_eq!(d.slots().range(), len..len + 3);
    assert_eq!(d.values(), vec![1.0, -2.0, 4.0]);
    assert_eq!(y.backward().wrt(x), expected);
    assert_eq!(y.backward_wrt(&[x]), vec![expected]);
    assert_eq!(d.sum().backward().wrt_block(&b), vec![2.0; 3]);
}

/// Every read of the tape from the writer (`len`, `entries`, block values
/// by any route, a block operation reading its input) panics with a
/// message rather than answering from the half-empty recording (`len`
/// said 5 for a tape of 8 slots, `Block::values` panicked with a bare
/// slice index), and every attempt to record panics before changing
/// anything. Caught inside the writer, none of them leaves a trace.
#[test]
fn every_use_of_the_tape_from_the_writer_panics_with_a_message_and_changes_nothing() {
    let tape = Tape::new();
    let (b, x, y) = scalar_output_before_more_nodes(&tape);
    let (len, entries) = (tape.len(), tape.entries());
    let bs = b.slots();
    let mut messages: Vec<(&str, String)> = Vec::new();
    let d = tape
        .record_block_in_place(1, 3, |out| {
            let mut attempt = |what, f: &mut dyn FnMut()| messages.push((what, panic_message(f)));
            attempt("len", &mut || {
                let _ = tape.len();
            });
            attempt("entries", &mut || drop(tape.entries()));
            attempt("num_nodes", &mut || {
                let _ = tape.num_nodes();
            });
            attempt("values", &mut || drop(b.values()));
            attempt("at", &mut || {
                let _ = b.at(0, 1);
            });
            attempt("vars", &mut || drop(b.vars()));
            attempt("with_block_values", &mut || {
                tape.with_block_values(|v| assert_eq!(v.len(), 3))
            });
            attempt("map", &mut || {
                let _ = b.tanh();
            });
            attempt("twice", &mut || {
                let _ = twice_in_place(&b);
            });
            attempt("var", &mut || {
                let _ = tape.var(1.0);
            });
            attempt("op", &mut || {
                let _ = x * y;
            });
            attempt("stack", &mut || drop(tape.stack(1, 1, &[x])));
            attempt("input", &mut || drop(tape.input_block(1, 1, &[1.0])));
            attempt("real", &mut || drop(tape.constant_block_real(1, 1, &[1.0])));
            out.extend_from_earlier(bs.value_range());
            Twice(bs)
        })
        .unwrap();
    assert_eq!(messages.len(), 14);
    for (what, m) in &messages {
        assert!(
            m.contains(LENT) || m.contains("cannot record on a tape while it is being read"),
            "{what}: {m}"
        );
        if [
            "len",
            "entries",
            "num_nodes",
            "values",
            "at",
            "vars",
            "with_block_values",
            "map",
        ]
        .contains(what)
        {
            assert!(m.contains(LENT), "{what}: {m}");
        }
    }
    // Nothing was recorded but the block (whose rule doubles, though its
    // values are a plain copy: the test wants a visible rule).
    assert_eq!(tape.len(), len + 3);
    let mut now = tape.entries();
    assert_eq!(
        now.pop(),
        Some(Entry::Block {
            name: "twice (test)",
            start: len,
            len: 3
        })
    );
    assert_eq!(now, entries);
    assert_eq!(d.values(), b.values());
    let (v, w) = (tape.var(1.5), tape.var(-0.5));
    assert_eq!(v.slot(), Some(len + 3));
    let g = (d.sum() * v * w).backward();
    assert_eq!(g.wrt_block(&b), vec![2.0 * 1.5 * -0.5; 3]);
    assert_eq!(g.wrt(v), 1.5 * -0.5);
    assert_eq!(g.wrt(w), 1.5 * 1.5);
}

/// A writer that starts another in-place block on the same tape gets a
/// message; on another tape it may (that tape is not lent).
#[test]
fn nested_in_place_writes_panic_on_the_same_tape_and_work_on_another() {
    let tape = Tape::new();
    let other = Tape::new();
    let a = tape.input_block(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let o = other.input_block(1, 2, &[5.0, 6.0]).unwrap();
    let mut inner = None;
    let mut message = String::new();
    let y = tape
        .record_block_in_place(2, 2, |out| {
            message = panic_message(|| {
                let _ = twice_in_place(&a);
            });
            inner = Some(twice_in_place(&o));
            out.extend_from_earlier(a.slots().value_range());
            Twice(a.slots())
        })
        .unwrap();
    assert!(
        message.contains("cannot record on a tape while it is being read"),
        "{message}"
    );
    let inner = inner.unwrap();
    assert_eq!(inner.values(), vec![10.0, 12.0]);
    assert_eq!(inner.sum().backward().wrt_block(&o), vec![2.0; 2]);
    assert_eq!(y.slots().range(), 4..8);
    assert_eq!(y.sum().backward().wrt_block(&a), vec![2.0; 4]);
}

thread_local! {
    /// The variable an operation's `Drop` recorded (see below).
    static RECORDED_IN_DROP: Cell<Option<Var<'static, f64>>> = const { Cell::new(None) };
}

/// An operation holding a (leaked, hence `'static`) tape, that records a
/// variable on it when dropped.
struct RecordsWhenDropped {
    tape: &'static Tape<f64>,
    x: Slots,
}

impl BlockOp<f64> for RecordsWhenDropped {
    fn name(&self) -> &'static str {
        "records when dropped (test)"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }
    fn vjp(&self, _: &mut Cotangents<'_, f64>) {}
}

impl Drop for RecordsWhenDropped {
    fn drop(&mut self) {
        let v = self.tape.var(2.0);
        RECORDED_IN_DROP.with(|r| r.set(Some(v)));
    }
}

/// When the writer appends the wrong number of values its operation is
/// dropped. Before the fix that happened while the store was still lent
/// and outside the read, so an operation whose `Drop` recorded on its
/// (leaked) tape recorded a leaf at the slot of the first block value
/// (`nodes + 0` instead of `nodes + 3`): the variable aliased the input
/// block's first entry and its gradient was the block entry's. Now the
/// operation is dropped after the store is back.
#[test]
fn an_operation_dropped_for_a_wrong_count_sees_the_whole_tape() {
    let tape: &'static Tape<f64> = Box::leak(Box::new(Tape::new()));
    let b = tape.input_block(1, 3, &[1.0, 2.0, 3.0]).unwrap();
    let len = tape.len();
    let err = tape.record_block_in_place(1, 3, |out| {
        out.extend_from_earlier(0..2);
        RecordsWhenDropped { tape, x: b.slots() }
    });
    assert!(err.is_err());
    let v = RECORDED_IN_DROP
        .with(|r| r.take())
        .expect("recorded in drop");
    assert_eq!(v.slot(), Some(len));
    assert_eq!(tape.entries().last(), Some(&Entry::Leaf { slot: len }));
    let f = v * v + b.at(0, 0) * 10.0;
    let g = f.backward();
    assert_eq!(g.wrt(v), 4.0);
    assert_eq!(g.wrt_block(&b), vec![10.0, 0.0, 0.0]);
}

/// The fast scalar push after an in-place block: its limit is derived
/// from the store the tape got back. Many scalar operations recorded past
/// the tape's capacity after in-place blocks (and after a failed one)
/// take the same slots and give the same gradients, bit for bit, as after
/// blocks recorded from buffers; likewise after `clear`.
#[test]
fn scalar_operations_after_in_place_blocks_match_those_after_copied_blocks() {
    fn record<'t>(
        tape: &'t Tape<f64>,
        block: fn(&Block<'t, f64>) -> Block<'t, f64>,
    ) -> (Vec<f64>, Vec<Entry<f64>>, usize) {
        let data: Vec<f64> = (0..6).map(|i| 0.3 * i as f64 - 0.7).collect();
        let x = tape.input_block(2, 3, &data).unwrap();
        let p = tape.vars(&[0.2, -0.4, 0.9]);
        let y = block(&x);
        // A failed in-place write in between (for both tapes).
        assert!(tape
            .record_block_in_place(1, 2, |out| {
                out.extend_from_slice(&[1.0]);
                Twice(x.slots())
            })
            .is_err());
        let z = block(&block(&y));
        let mut acc = z.at(1, 2) * p[0];
        for k in 0..700 {
            acc = (acc * p[k % 3]).sin() + z.at(k % 2, k % 3) * 0.01;
        }
        let g = acc.backward();
        let mut grads = g.wrt_block(&x);
        grads.extend(g.wrt_all(&p));
        (grads, tape.entries(), tape.len())
    }
    let mut a = Tape::with_capacity(8);
    let mut c = Tape::with_capacity(8);
    for _ in 0..2 {
        let (ga, ea, la) = record(&a, twice_in_place);
        let (gc, ec, lc) = record(&c, twice_copied);
        assert_eq!(la, lc);
        assert_eq!(ea, ec);
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ga), bits(&gc));
        assert!(ga.iter().all(|v| v.is_finite()) && ga.iter().any(|&v| v != 0.0));
        a.clear();
        c.clear();
    }
}

/// On `f32` the in-place block is the copied one, values and gradients
/// bit for bit.
#[test]
fn in_place_on_f32_equals_record_block() {
    let a = Tape::<f32>::new();
    let c = Tape::<f32>::new();
    let data: Vec<f32> = (0..8).map(|i| (0.3 * i as f32).cos()).collect();
    let (xa, xc) = (
        a.input_block(2, 4, &data).unwrap(),
        c.input_block(2, 4, &data).unwrap(),
    );
    let (ya, yc) = (twice_in_place(&xa).tanh(), twice_copied(&xc).tanh());
    assert_eq!(ya.values(), yc.values());
    let (ga, gc) = (ya.sum().backward(), yc.sum().backward());
    assert_eq!(ga.wrt_block(&xa), gc.wrt_block(&xc));
    assert_eq!(a.entries(), c.entries());
}

/// An operation that names its own output (or later slots) as an input is
/// refused by the sweep with the message `record_block` gives.
#[test]
#[should_panic(expected = "are not recorded before the operation")]
fn an_in_place_operation_naming_its_own_slots_as_input_panics_in_the_sweep() {
    let tape = Tape::<f64>::new();
    let x = tape.input_block(1, 2, &[1.0, 2.0]).unwrap();
    let own = tape
        .record_block_in_place(1, 2, |out| {
            out.extend_from_earlier(x.slots().value_range());
            Twice(x.slots())
        })
        .unwrap()
        .slots();
    // A second block whose rule writes into the first one's successor:
    // itself.
    let y = tape
        .record_block_in_place(1, 2, |out| {
            out.extend_from_slice(&[0.0, 0.0]);
            let me = tape_slots_after(own);
            Twice(me)
        })
        .unwrap();
    let _ = y.sum().backward();
}

/// The slots of the block recorded right after `b` with `b`'s shape (the
/// slots type cannot be built directly: take them from a block on a
/// scratch tape laid out the same way).
fn tape_slots_after(b: Slots) -> Slots {
    thread_local! {
        static SCRATCH: &'static Tape<f64> = Box::leak(Box::new(Tape::new()));
    }
    SCRATCH.with(|t| {
        // Fill a scratch tape up to the same slot and store offset.
        let filler = t
            .input_block(1, b.range().end, &vec![0.0; b.range().end])
            .unwrap();
        let next = t
            .input_block(b.rows(), b.cols(), &vec![0.0; b.len()])
            .unwrap();
        assert_eq!(filler.slots().range().end, next.slots().start());
        next.slots()
    })
}

/// `extend_from_written` with a range so large that the new block's
/// offset plus it wraps around: it added the offset first, so in a
/// release build `MAX − 14 .. MAX − 12` past a start of 15 became `0 .. 2`
/// and passed the bounds check, copying two values of the *earlier*
/// block into the new one. Now it is refused with the message.
#[test]
fn a_written_range_that_wraps_around_is_refused_with_a_message() {
    let tape = Tape::<f64>::new();
    let x = tape.input_block(3, 5, &[7.0; 15]).unwrap();
    let mut copied = None;
    let message = panic_message(|| {
        let _ = tape.record_block_in_place(1, 3, |out| {
            out.extend_from_slice(&[1.0]);
            out.extend_from_written(usize::MAX - 14..usize::MAX - 12);
            copied = Some(out.written().to_vec());
            Twice(x.slots())
        });
    });
    assert_eq!(copied, None, "copied {copied:?}");
    assert!(
        message.contains("is not within the 1 values written"),
        "{message}"
    );
    assert_eq!(tape.len(), 15);
    assert_eq!(twice_in_place(&x).values(), vec![14.0; 15]);
}
