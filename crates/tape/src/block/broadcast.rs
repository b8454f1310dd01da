//! Row broadcast `Z = X + 1·bᵀ`: the bias of a dense layer added to every
//! row (sample) of a batch.
//!
//! Reverse: `X̄ += Z̄` and `b̄ⱼ += Σᵢ Z̄ᵢⱼ` (column sums, the delta rules'
//! "dL/db = column sums of δ").

use super::{Block, BlockOp, Cotangents, EntryDependence, Slots};
use crate::error::Error;
use std::ops::Range;

use crate::scalar::Scalar;

struct AddRow {
    x: Slots,
    row: Slots,
}

impl<T: Scalar> BlockOp<T> for AddRow {
    fn name(&self) -> &'static str {
        "add_row"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range(), self.row.range()]
    }

    fn is_linear(&self) -> bool {
        true
    }

    /// `Z[i, j] = X[i, j] + b[j]`: two entries, linearly.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        let (x, b) = (self.x.range(), self.row.range());
        let n = self.x.cols();
        entries.extend(
            x.enumerate()
                .map(|(k, s)| EntryDependence::Linear([s, b.start + k % n])),
        );
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let z_bar = cot.output();
        let n = self.x.cols();
        if let Some(x_bar) = cot.adjoint(self.x) {
            x_bar.iter_mut().zip(z_bar).for_each(|(x, z)| *x += *z);
        }
        if let Some(b_bar) = cot.adjoint(self.row) {
            for row in z_bar.chunks_exact(n) {
                b_bar.iter_mut().zip(row).for_each(|(b, z)| *b += *z);
            }
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// `Zᵢⱼ = Xᵢⱼ + bⱼ`: adds the `1×n` (or `n×1`) block `row` to every row
    /// of this `m×n` block.
    ///
    /// # Errors
    /// If `row` does not hold exactly one entry per column.
    ///
    /// # Panics
    /// If the blocks live on different tapes.
    pub fn add_row(&self, row: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        self.same_tape(row);
        let (m, n) = self.shape();
        if row.slots().len() != n || (row.rows() != 1 && row.cols() != 1) {
            return Err(Error::shapes(
                "add_row",
                self.shape(),
                row.shape(),
                "need a 1×n row",
            ));
        }
        let (x, r) = (self.stored().slots(), row.stored().slots());
        Ok(self.record_filled(m, n, |v, z| {
            let b = &v[r.value_range()];
            for (zr, xr) in z
                .chunks_exact_mut(n)
                .zip(v[x.value_range()].chunks_exact(n))
            {
                for ((z, a), c) in zr.iter_mut().zip(xr).zip(b) {
                    *z = *a + *c;
                }
            }
            AddRow { x, row: r }
        }))
    }
}
