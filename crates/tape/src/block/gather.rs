//! Gathering scalar `Var`s into a block: `Yₖ = xₖ`, with `x̄ₖ += Ȳₖ`.
//!
//! This is how values computed with scalar operations enter matrix work.

use super::{check_shape, Block, BlockOp, Cotangents, EntryDependence};
use crate::error::Error;
use std::ops::Range;

use crate::scalar::Scalar;
use crate::tape::Tape;
use crate::var::Var;

/// Marks a constant entry (it has no slot to send a cotangent to).
const NO_SLOT: u32 = u32::MAX;

struct Stack {
    sources: Vec<u32>,
}

impl<T: Scalar> BlockOp<T> for Stack {
    fn name(&self) -> &'static str {
        "stack"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        self.sources
            .iter()
            .filter(|&&s| s != NO_SLOT)
            .map(|&s| s as usize..s as usize + 1)
            .collect()
    }

    fn is_linear(&self) -> bool {
        true
    }

    /// `Yₖ = xₖ`: one scalar slot (or a constant), linearly.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        entries.extend(self.sources.iter().map(|&s| match s {
            NO_SLOT => EntryDependence::Constant,
            s => EntryDependence::Linear([s as usize, s as usize]),
        }));
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        for (&s, &y) in self.sources.iter().zip(y_bar) {
            if s != NO_SLOT {
                cot.adjoints[s as usize] += y;
            }
        }
    }
}

impl<T: Scalar> Tape<T> {
    /// A `rows × cols` block whose entries are the given `Var`s (row-major).
    ///
    /// # Errors
    /// As [`Tape::input_block`], for `vars`.
    ///
    /// # Panics
    /// If a `Var` lives on another tape, or the tape would hold more than
    /// [`Tape::MAX_SLOTS`] slots.
    pub fn stack<'t>(
        &'t self,
        rows: usize,
        cols: usize,
        vars: &[Var<'t, T>],
    ) -> Result<Block<'t, T>, Error> {
        check_shape("stack", rows, cols, vars.len())?;
        let sources = vars
            .iter()
            .map(|v| v.slot_on(self).map_or(NO_SLOT, |s| s as u32))
            .collect();
        let values: Vec<T> = vars.iter().map(|v| v.value()).collect();
        Ok(self.push(rows, cols, &values, Box::new(Stack { sources }), false))
    }
}
