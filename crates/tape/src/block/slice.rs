//! Sub-blocks: `Y = X[r₀..r₁, c₀..c₁]`, a copy of a rectangle of entries.
//!
//! Reverse: the cotangent goes back to the entries it came from,
//! `X̄[r₀ + i, c₀ + j] += Ȳ[i, j]`; entries outside the rectangle get
//! nothing. Slicing is linear, so it adds no second derivatives.
//!
//! This is what vectorised code written the NumPy/JAX way needs: the
//! extended Rosenbrock function is `Σ 100 (x[1..] − x[..n−1]²)² + (1 − x[..n−1])²`,
//! two slices of one `1 × n` block.

use std::ops::Range;

use super::{Block, BlockOp, Cotangents, EntryDependence, Slots};
use crate::error::Error;
use crate::scalar::Scalar;

struct Slice {
    x: Slots,
    /// First row and column of the rectangle in `x`.
    row0: usize,
    col0: usize,
    /// Rows and columns of the rectangle (the output's shape).
    rows: usize,
    width: usize,
}

impl<T: Scalar> BlockOp<T> for Slice {
    fn name(&self) -> &'static str {
        "slice"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }

    fn is_linear(&self) -> bool {
        true
    }

    /// `Y[i, j] = X[r₀ + i, c₀ + j]`: one entry of `X`, linearly.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        let (start, x_cols) = (self.x.start(), self.x.cols());
        for i in self.row0..self.row0 + self.rows {
            let at = start + i * x_cols + self.col0;
            entries.extend((at..at + self.width).map(|s| EntryDependence::Linear([s, s])));
        }
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        let x_cols = self.x.cols();
        if let Some(x_bar) = cot.adjoint(self.x) {
            for (i, y_row) in y_bar.chunks_exact(self.width).enumerate() {
                let at = (self.row0 + i) * x_cols + self.col0;
                x_bar[at..at + self.width]
                    .iter_mut()
                    .zip(y_row)
                    .for_each(|(x, y)| *x += *y);
            }
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// The sub-block `X[rows, cols]`: rows `rows.start..rows.end` and
    /// columns `cols.start..cols.end` of this block, as a new block.
    ///
    /// ```
    /// use saddle_tape::Tape;
    ///
    /// // Rosenbrock written on slices: Σ 100 (x[1..] − x[..n−1]²)² + (1 − x[..n−1])².
    /// let tape = Tape::<f64>::new();
    /// let n = 4;
    /// let x = tape.input_block(1, n, &[0.5, -0.2, 1.1, 0.9])?;
    /// let (head, tail) = (x.slice(0..1, 0..n - 1)?, x.slice(0..1, 1..n)?);
    /// let d = tail.sub(&head.square())?;
    /// let e = head.affine(-1.0, 1.0);
    /// let f = d.square().sum() * 100.0 + e.square().sum();
    /// let g = f.backward().wrt_block(&x);
    /// // ∂f/∂x₀ = −400 x₀ (x₁ − x₀²) − 2 (1 − x₀)
    /// assert!((g[0] - (-400.0 * 0.5 * (-0.2 - 0.25) - 2.0 * 0.5)).abs() < 1e-12);
    /// # Ok::<(), saddle_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// If a range is empty, reversed, or reaches past the block.
    pub fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Result<Block<'t, T>, Error> {
        let (m, n) = self.shape();
        if rows.start >= rows.end || rows.end > m || cols.start >= cols.end || cols.end > n {
            return Err(Error::slice(self.shape(), rows, cols));
        }
        let x = self.stored().slots();
        let width = cols.len();
        Ok(self.record_filled(rows.len(), width, |earlier, values| {
            let v = &earlier[x.value_range()];
            for (i, row) in rows.clone().zip(values.chunks_exact_mut(width)) {
                row.copy_from_slice(&v[i * n + cols.start..i * n + cols.end]);
            }
            Slice {
                x,
                row0: rows.start,
                col0: cols.start,
                rows: rows.len(),
                width,
            }
        }))
    }
}
