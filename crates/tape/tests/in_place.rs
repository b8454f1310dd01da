//! `Tape::record_block_in_place`: a block operation that writes its values
//! where the tape keeps them must record exactly what `record_block` with
//! the same values records, and every way of getting it wrong (a short or
//! long write, a panic, using the tape meanwhile, reading past the earlier
//! values) must leave the tape whole and say what happened.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_tape::prelude::*;
use saddle_tape::{BlockOp, Cotangents, Slots};

/// `Y = X + 1 bᵀ` (a row broadcast), `X` `n × m`, `b` `1 × m`.
struct AddRow {
    x: Slots,
    b: Slots,
}

impl BlockOp<f64> for AddRow {
    fn name(&self) -> &'static str {
        "add row (test)"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range(), self.b.range()]
    }
    fn is_linear(&self) -> bool {
        true
    }
    fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
        let y_bar = cot.output().to_vec();
        if let Some(x_bar) = cot.adjoint(self.x) {
            x_bar.iter_mut().zip(&y_bar).for_each(|(a, y)| *a += y);
        }
        let m = self.b.len();
        if let Some(b_bar) = cot.adjoint(self.b) {
            for row in y_bar.chunks_exact(m) {
                b_bar.iter_mut().zip(row).for_each(|(a, y)| *a += y);
            }
        }
    }
}

fn inputs(tape: &Tape<f64>) -> (Block<'_, f64>, Block<'_, f64>) {
    let x: Vec<f64> = (0..12).map(|i| (0.4 * i as f64).sin()).collect();
    let x = tape.input_block(4, 3, &x).unwrap();
    let b = tape.input_block(1, 3, &[0.5, -1.0, 2.0]).unwrap();
    (x, b)
}

/// `X + 1 bᵀ` written in place: the bias row appended `n` times, then `X`
/// added.
fn add_row_in_place<'t>(x: &Block<'t, f64>, b: &Block<'t, f64>) -> Block<'t, f64> {
    let (xs, bs) = (x.slots(), b.slots());
    x.tape()
        .record_block_in_place(x.rows(), x.cols(), |out| {
            out.extend_from_earlier(bs.value_range());
            while out.written().len() < xs.len() {
                let more = out.written().len().min(xs.len() - out.written().len());
                out.extend_from_written(0..more);
            }
            let (earlier, new) = out.split();
            new.iter_mut()
                .zip(&earlier[xs.value_range()])
                .for_each(|(y, x)| *y += x);
            AddRow { x: xs, b: bs }
        })
        .unwrap()
}

#[test]
fn a_block_written_in_place_is_the_block_recorded_from_a_buffer() {
    let in_place = Tape::new();
    let (x, b) = inputs(&in_place);
    let y = add_row_in_place(&x, &b);
    let copied = Tape::new();
    let (x2, b2) = inputs(&copied);
    let values: Vec<f64> = x2
        .values()
        .chunks(3)
        .flat_map(|row| {
            row.iter()
                .zip(b2.values())
                .map(|(x, b)| x + b)
                .collect::<Vec<_>>()
        })
        .collect();
    let op = AddRow {
        x: x2.slots(),
        b: b2.slots(),
    };
    let y2 = copied.record_block(4, 3, values, op).unwrap();
    assert_eq!(y.values(), y2.values());
    assert_eq!(y.slots().range(), y2.slots().range());
    assert_eq!(y.slots().value_range(), y2.slots().value_range());
    // Recording goes on after it, and the sweep runs its rule.
    let (l, l2) = (y.square().sum(), y2.square().sum());
    let (g, g2) = (l.backward(), l2.backward());
    assert_eq!(g.wrt_block(&x), g2.wrt_block(&x2));
    assert_eq!(g.wrt_block(&b), g2.wrt_block(&b2));
    assert_eq!(in_place.len(), copied.len());
}

#[test]
fn writing_the_wrong_number_of_values_is_an_error_and_records_nothing() {
    let tape = Tape::new();
    let (x, b) = inputs(&tape);
    let len = tape.len();
    for extra in [0usize, 2, 3, 5] {
        let err = tape
            .record_block_in_place(2, 2, |out| {
                out.extend_from_slice(&vec![1.0; extra]);
                AddRow {
                    x: x.slots(),
                    b: b.slots(),
                }
            })
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("record_block_in_place") && message.contains(&extra.to_string()),
            "{message}"
        );
        assert_eq!(tape.len(), len);
    }
    let err = tape.record_block_in_place(0, 3, |_| AddRow {
        x: x.slots(),
        b: b.slots(),
    });
    assert!(err.is_err(), "an empty shape is refused");
    // The tape is whole: the earlier values are there and a block after
    // these attempts is recorded where it belongs.
    let y = add_row_in_place(&x, &b);
    assert_eq!(y.slots().range().start, len);
    assert_eq!(
        y.values()[..3],
        [
            x.values()[0] + 0.5,
            x.values()[1] - 1.0,
            x.values()[2] + 2.0
        ]
    );
}

#[test]
fn a_panic_while_writing_leaves_the_tape_as_it_was() {
    let tape = Tape::new();
    let (x, b) = inputs(&tape);
    let (len, xv) = (tape.len(), x.values());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _ = tape.record_block_in_place(4, 3, |out| -> AddRow {
            out.extend_from_earlier(b.slots().value_range());
            panic!("the writer gave up");
        });
    }));
    assert!(caught.is_err());
    assert_eq!(tape.len(), len);
    assert_eq!(x.values(), xv);
    let y = add_row_in_place(&x, &b);
    assert_eq!(y.sum().backward().wrt_block(&b), vec![4.0; 3]);
}

#[test]
#[should_panic(expected = "cannot record on a tape while it is being read")]
fn recording_from_the_writer_panics_with_a_message() {
    let tape = Tape::new();
    let (x, b) = inputs(&tape);
    let _ = tape.record_block_in_place(1, 1, |out| {
        let _ = tape.var(1.0);
        out.extend_from_slice(&[0.0]);
        AddRow {
            x: x.slots(),
            b: b.slots(),
        }
    });
}

#[test]
#[should_panic(expected = "is not within the 15 earlier values")]
fn reading_past_the_earlier_values_panics_with_a_message() {
    let tape = Tape::new();
    let (x, b) = inputs(&tape);
    let _ = tape.record_block_in_place(1, 1, |out| {
        out.extend_from_earlier(14..16);
        AddRow {
            x: x.slots(),
            b: b.slots(),
        }
    });
}

#[test]
#[should_panic(expected = "is not within the 1 values written")]
fn copying_past_the_written_values_panics_with_a_message() {
    let tape = Tape::new();
    let (x, b) = inputs(&tape);
    let _ = tape.record_block_in_place(1, 2, |out| {
        out.extend_from_slice(&[1.0]);
        out.extend_from_written(0..2);
        AddRow {
            x: x.slots(),
            b: b.slots(),
        }
    });
}
