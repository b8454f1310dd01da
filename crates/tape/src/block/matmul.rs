//! Matrix product `C = A·B`.
//!
//! Forward: one gemm. Reverse (`C̄ = ∂L/∂C`):
//! `Ā += C̄·Bᵀ` and `B̄ += Aᵀ·C̄` — two gemm calls reading transposes
//! through strides, so nothing is copied. All three run on the
//! [`Scalar::gemm`] hook: a tuned kernel for `f64`, three of them for duals.
//!
//! A [real](Slots::is_real) constant operand `R` is multiplied in real
//! arithmetic ([`Scalar::gemm_real_left`], [`Scalar::gemm_real_right`]) and
//! needs no cotangent: `C = R·B` pulls back only `B̄ += Rᵀ·C̄`, and
//! `C = A·R` only `Ā += C̄·Rᵀ`.

use super::{checked_entries, Block, BlockOp, Cotangents, Slots};
use crate::error::Error;
use std::ops::Range;

use crate::scalar::{MatMut, MatRef, Scalar};

/// Both operands stored as `T` (either may still be a `T` constant).
struct MatMul {
    a: Slots,
    b: Slots,
}

/// `C = R·B` with `R` a real constant.
struct RealLeft {
    r: Slots,
    b: Slots,
}

/// `C = A·R` with `R` a real constant.
struct RealRight {
    a: Slots,
    r: Slots,
}

/// The values of a real constant input (its `Slots` say so by construction).
fn reals<'a, T>(cot: &Cotangents<'a, T>, r: Slots) -> &'a [f64] {
    cot.real_value(r)
        .expect("matmul: a real-constant operand is recorded as such")
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

impl<T: Scalar> BlockOp<T> for RealLeft {
    fn name(&self) -> &'static str {
        "matmul (real left)"
    }

    /// `R·B` (or `A·R`) is linear in the one variable operand: no second
    /// derivatives.
    fn is_linear(&self) -> bool {
        true
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.b.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let (m, k, n) = (self.r.rows(), self.r.cols(), self.b.cols());
        let c_bar = MatRef::row_major(cot.output(), m, n);
        let r = MatRef::row_major(reals(cot, self.r), m, k);
        if let Some(b_bar) = cot.adjoint(self.b) {
            T::gemm_real_left(r.t(), c_bar, MatMut::row_major(b_bar, k, n), true);
        }
    }
}

impl<T: Scalar> BlockOp<T> for RealRight {
    fn name(&self) -> &'static str {
        "matmul (real right)"
    }

    /// `R·B` (or `A·R`) is linear in the one variable operand: no second
    /// derivatives.
    fn is_linear(&self) -> bool {
        true
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.a.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let (m, k, n) = (self.a.rows(), self.a.cols(), self.r.cols());
        let c_bar = MatRef::row_major(cot.output(), m, n);
        let r = MatRef::row_major(reals(cot, self.r), k, n);
        if let Some(a_bar) = cot.adjoint(self.a) {
            T::gemm_real_right(c_bar, r.t(), MatMut::row_major(a_bar, m, k), true);
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// The matrix product `self · rhs` (`m×k` times `k×n` gives `m×n`):
    /// `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ`, one tape entry.
    ///
    /// With one operand a real constant ([`Tape::constant_block_real`]) the
    /// product runs in real arithmetic on the other's components and the
    /// sweep computes no cotangent for the constant. With both real, the
    /// left one is read as `T` (a `T` constant copy) and the right one stays
    /// real.
    ///
    /// # Errors
    /// If `self.cols() != rhs.rows()`, or the `m × n` result would exceed
    /// [`Tape::MAX_SLOTS`](crate::Tape::MAX_SLOTS) entries (checked before
    /// anything is allocated).
    ///
    /// # Panics
    /// If the blocks live on different tapes, or the tape would hold more
    /// than [`Tape::MAX_SLOTS`](crate::Tape::MAX_SLOTS) slots.
    ///
    /// [`Tape::constant_block_real`]: crate::Tape::constant_block_real
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
        if a.is_real() && !b.is_real() {
            let mut c = vec![T::zero(); len];
            tape.with_values_and_reals(|v, r| {
                T::gemm_real_left(
                    MatRef::row_major(&r[a.value_range()], m, k),
                    MatRef::row_major(&v[b.value_range()], k, n),
                    MatMut::row_major(&mut c, m, n),
                    false,
                )
            });
            return Ok(self.record(m, n, &c, RealLeft { r: a, b }));
        }
        let a = self.stored().slots();
        if b.is_real() {
            let mut c = vec![T::zero(); len];
            tape.with_values_and_reals(|v, r| {
                T::gemm_real_right(
                    MatRef::row_major(&v[a.value_range()], m, k),
                    MatRef::row_major(&r[b.value_range()], k, n),
                    MatMut::row_major(&mut c, m, n),
                    false,
                )
            });
            return Ok(self.record(m, n, &c, RealRight { a, r: b }));
        }
        // Both operands on the tape: the product is written where the tape
        // keeps it.
        Ok(self.record_filled(m, n, |v, c| {
            T::gemm(
                MatRef::row_major(&v[a.value_range()], m, k),
                MatRef::row_major(&v[b.value_range()], k, n),
                MatMut::row_major(c, m, n),
                false,
            );
            MatMul { a, b }
        }))
    }
}
