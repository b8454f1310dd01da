//! Recording a block operation whose output is written straight into the
//! tape's value store ([`Tape::record_block_in_place`]).
//!
//! [`Tape::record_block`] takes the output as a `Vec` and copies it in:
//! for a dense layer on wide duals (a Hessian sweep's 9-number values)
//! that copy was 7 % of the sweep, a whole extra pass over the layer's
//! output. Here the operation appends its values where the tape keeps
//! them and may update them there, reading its inputs from the same store.

use std::ops::Range;

use super::{checked_entries, Block, BlockOp, Slots};
use crate::error::Error;
use crate::scalar::Scalar;
use crate::tape::Tape;

/// The tape's block-value store while a block writes its values in place
/// ([`Tape::record_block_in_place`]): the values of every block recorded
/// before (read-only, where its inputs are) and the new block's values,
/// appended in row-major order. Nothing before the new block can be
/// changed.
pub struct BlockWriter<'a, T> {
    store: &'a mut Vec<T>,
    start: usize,
}

impl<T: Scalar> BlockWriter<'_, T> {
    /// The values of the blocks recorded before: block `b`'s are
    /// `earlier()[b.slots().value_range()]`, as in
    /// [`Tape::with_block_values`]. A [real](Slots::is_real) constant's
    /// values are not here (its value range indexes the tape's store of
    /// reals): read those with [`Block::values`] before recording.
    pub fn earlier(&self) -> &[T] {
        &self.store[..self.start]
    }

    /// The new block's values written so far.
    pub fn written(&self) -> &[T] {
        &self.store[self.start..]
    }

    /// Appends `values` to the new block.
    pub fn extend_from_slice(&mut self, values: &[T]) {
        self.store.extend_from_slice(values);
    }

    /// Appends `values` (computed elsewhere, e.g. from plain numbers) to
    /// the new block.
    pub fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        self.store.extend(values);
    }

    /// Appends the values `range` of the blocks recorded before (an input
    /// copied, e.g. a bias row to broadcast).
    ///
    /// # Panics
    /// If `range` reaches past the earlier values.
    pub fn extend_from_earlier(&mut self, range: Range<usize>) {
        assert!(
            range.start <= range.end && range.end <= self.start,
            "BlockWriter::extend_from_earlier: {range:?} is not within the {} earlier values",
            self.start
        );
        self.store.extend_from_within(range);
    }

    /// Appends a copy of the new block's values `range` (relative to the
    /// new block: `0` is its first value).
    ///
    /// # Panics
    /// If `range` reaches past what has been written.
    pub fn extend_from_written(&mut self, range: Range<usize>) {
        let written = self.store.len() - self.start;
        // Checked against the count written, not as offsets into the
        // store: `start + range.start` can wrap for a huge range, and the
        // wrapped range named earlier blocks' values.
        assert!(
            range.start <= range.end && range.end <= written,
            "BlockWriter::extend_from_written: {range:?} is not within the {written} values written",
        );
        self.store
            .extend_from_within(self.start + range.start..self.start + range.end);
    }

    /// The earlier values to read and the new block's values so far to
    /// update in place, at once (e.g. a product of two inputs accumulated
    /// onto a broadcast bias).
    pub fn split(&mut self) -> (&[T], &mut [T]) {
        let (earlier, new) = self.store.split_at_mut(self.start);
        (earlier, new)
    }
}

impl<T: Scalar> Tape<T> {
    /// Records a block operation whose `rows × cols` output values `write`
    /// appends to the tape's value store itself (through a
    /// [`BlockWriter`], which also holds the values of the operation's
    /// inputs), returning the operation's reverse rule. Nothing is copied:
    /// [`Tape::record_block`] with the output in a buffer costs one more
    /// pass over it.
    ///
    /// ```
    /// use saddle_tape::{BlockOp, Cotangents, Slots, Tape};
    ///
    /// /// `Y = 2X`.
    /// struct Twice(Slots);
    /// impl BlockOp<f64> for Twice {
    ///     fn name(&self) -> &'static str { "twice" }
    ///     fn inputs(&self) -> Vec<std::ops::Range<usize>> { vec![self.0.range()] }
    ///     fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
    ///         let y_bar = cot.output().to_vec();
    ///         if let Some(x_bar) = cot.adjoint(self.0) {
    ///             x_bar.iter_mut().zip(&y_bar).for_each(|(a, y)| *a += 2.0 * y);
    ///         }
    ///     }
    /// }
    ///
    /// let tape = Tape::<f64>::new();
    /// let x = tape.input_block(1, 3, &[1.0, 2.0, 3.0])?;
    /// let y = tape.record_block_in_place(1, 3, |w| {
    ///     w.extend_from_earlier(x.slots().value_range());
    ///     w.split().1.iter_mut().for_each(|v| *v *= 2.0);
    ///     Twice(x.slots())
    /// })?;
    /// assert_eq!(y.values(), vec![2.0, 4.0, 6.0]);
    /// assert_eq!(y.sum().backward().wrt_block(&x), vec![2.0; 3]);
    /// # Ok::<(), saddle_tape::Error>(())
    /// ```
    ///
    /// `write` must not use the tape: while it runs the tape's store is
    /// lent to the writer, and recording on the tape or reading it
    /// (sweeps, [`Tape::len`], [`Block::values`], block operations)
    /// panics.
    ///
    /// # Errors
    /// If the shape is empty or too large (as [`Tape::input_block`]), or
    /// `write` appended other than `rows · cols` values (they are dropped
    /// and nothing is recorded).
    ///
    /// # Panics
    /// If the tape would hold more than [`Tape::MAX_SLOTS`] slots, if
    /// `write` panics (the tape is left as it was), or if `write` uses the
    /// tape (with a message; caught inside `write`, such a panic leaves
    /// no trace).
    pub fn record_block_in_place<O: BlockOp<T>>(
        &self,
        rows: usize,
        cols: usize,
        write: impl FnOnce(&mut BlockWriter<'_, T>) -> O,
    ) -> Result<Block<'_, T>, Error> {
        let len = checked_entries("record_block_in_place", rows, cols)?;
        let store = self.lend_block_values();
        let start = store.len();
        let mut lent = Lent {
            tape: self,
            store: Some(store),
            start,
        };
        let store = lent.store.as_mut().expect("lent above");
        // Recording from `write` is refused, and so is reading the tape
        // (without its block values it would answer wrongly), with messages.
        let op = self.while_lent(|| write(&mut BlockWriter { store, start }));
        let written = store.len() - start;
        let (op, refused) = if written == len {
            (Some(Box::new(op) as Box<dyn BlockOp<T>>), None)
        } else {
            (None, Some(op))
        };
        let store = lent.store.take().expect("lent above");
        let recorded = self.return_block_values(store, start, op);
        // Dropped only now that the tape is whole again: its `Drop` is
        // user code, which may use the tape.
        drop(refused);
        let Some((first, offset)) = recorded else {
            return Err(Error::data_length(
                "record_block_in_place",
                written,
                rows,
                cols,
            ));
        };
        Ok(Block {
            tape: self,
            slots: Slots {
                start: first,
                offset,
                rows: rows as u32,
                cols: cols as u32,
                constant: false,
                real: false,
            },
        })
    }
}

/// The tape's value store while it is lent to a writer: given back by
/// `Drop` (without the new values) if `write` panics.
struct Lent<'t, T: Scalar> {
    tape: &'t Tape<T>,
    store: Option<Vec<T>>,
    start: usize,
}

impl<T: Scalar> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            self.tape.return_block_values(store, self.start, None);
        }
    }
}
