//! Matrix product `C = A·B`.
//!
//! Forward: one gemm. Reverse (`C̄ = ∂L/∂C`):
//! `Ā += C̄·Bᵀ` and `B̄ += Aᵀ·C̄` — two gemm calls reading transposes
//! through strides, so nothing is copied. All three run on the
//! [`Scalar::gemm`] hook: a tuned kernel for `f64`, three of them for duals.

use super::{checked_entries, Block, BlockOp, Cotangents, Slots};
use crate::error::Error;
use std::ops::Range;

use crate::scalar::{MatMut, MatRef, Scalar};

struct MatMul {
    a: Slots,
    b: Slots,
}

impl<T: Scalar> BlockOp<T> for MatMul {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.a.range(), self.b.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let (m, k, n) = (self.a.rows(), self.a.cols(), self.b.cols());
        let c_bar = MatRef::row_major(cot.output(), m, n);
        let a = MatRef::row_major(cot.value(self.a), m, k);
        let b = MatRef::row_major(cot.value(self.b), k, n);
        if let Some(a_bar) = cot.adjoint(self.a) {
            T::gemm(c_bar, b.t(), MatMut::row_major(a_bar, m, k), true);
        }
        if let Some(b_bar) = cot.adjoint(self.b) {
            T::gemm(a.t(), c_bar, MatMut::row_major(b_bar, k, n), true);
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// The matrix product `self · rhs` (`m×k` times `k×n` gives `m×n`):
    /// `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ`, one tape entry.
    ///
    /// # Errors
    /// If `self.cols() != rhs.rows()`, or the `m × n` result would exceed
    /// [`Tape::MAX_SLOTS`](crate::Tape::MAX_SLOTS) entries (checked before
    /// anything is allocated).
    ///
    /// # Panics
    /// If the blocks live on different tapes, or the tape would hold more
    /// than [`Tape::MAX_SLOTS`](crate::Tape::MAX_SLOTS) slots.
    pub fn matmul(&self, rhs: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        let tape = self.same_tape(rhs);
        let (m, k, n) = (self.rows(), self.cols(), rhs.cols());
        if k != rhs.rows() {
            return Err(Error::shapes(
                "matmul",
                self.shape(),
                rhs.shape(),
                "inner dimensions differ",
            ));
        }
        let len = checked_entries("matmul", m, n)?;
        let (a, b) = (self.slots(), rhs.slots());
        let mut c = vec![T::zero(); len];
        tape.with_values(|v| {
            T::gemm(
                MatRef::row_major(&v[a.value_range()], m, k),
                MatRef::row_major(&v[b.value_range()], k, n),
                MatMut::row_major(&mut c, m, n),
                false,
            )
        });
        Ok(self.record(m, n, &c, MatMul { a, b }))
    }
}
