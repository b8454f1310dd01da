//! The result of a reverse sweep, kept apart from the tape.

use crate::block::Block;
use crate::scalar::Scalar;
use crate::tape::Tape;
use crate::var::Var;

/// The adjoints of one reverse sweep: `ā_s = ∂output/∂(slot s)` for every
/// slot of the tape.
///
/// Adjoints live here, not on the tape, so the same recording can be swept
/// many times (with different outputs or seeds).
#[derive(Clone, Debug)]
pub struct Gradients<T> {
    adjoints: Vec<T>,
    /// The swept tape's address; `None` when the output was a constant
    /// (which depends on nothing, so every derivative is zero).
    tape: Option<usize>,
}

impl<T: Scalar> Gradients<T> {
    pub(crate) fn new(tape: &Tape<T>, adjoints: Vec<T>) -> Self {
        Gradients {
            adjoints,
            tape: Some(tape as *const Tape<T> as usize),
        }
    }

    /// The gradients of a constant output: zero with respect to everything.
    pub(crate) fn of_constant() -> Self {
        Gradients {
            adjoints: Vec::new(),
            tape: None,
        }
    }

    /// `∂output/∂x`. Zero for a constant or for a variable the output does
    /// not depend on.
    ///
    /// # Panics
    /// If `x` was recorded on a different tape from the one swept.
    pub fn wrt(&self, x: Var<'_, T>) -> T {
        match (x.tape_addr(), self.tape) {
            (None, _) | (_, None) => T::zero(),
            (Some(addr), Some(tape)) => {
                assert_eq!(
                    addr, tape,
                    "Gradients::wrt: the variable was recorded on a different tape from the one that was swept"
                );
                self.adjoints
                    .get(x.raw_slot())
                    .copied()
                    .unwrap_or_else(T::zero)
            }
        }
    }

    /// `∂output/∂x_i` for every `x_i`, in order.
    ///
    /// # Panics
    /// If any `x_i` was recorded on a different tape from the one swept.
    pub fn wrt_all(&self, xs: &[Var<'_, T>]) -> Vec<T> {
        xs.iter().map(|&x| self.wrt(x)).collect()
    }

    /// `∂output/∂B`, row-major, for every entry of block `b`.
    ///
    /// # Panics
    /// If `b` was recorded on a different tape from the one swept.
    pub fn wrt_block(&self, b: &Block<'_, T>) -> Vec<T> {
        assert!(
            self.tape.is_none_or(|t| t == b.tape_addr()),
            "Gradients::wrt_block: the block was recorded on a different tape from the one that was swept"
        );
        let s = b.slots();
        if self.adjoints.is_empty() {
            return vec![T::zero(); s.len()];
        }
        self.adjoints[s.range()].to_vec()
    }

    /// Every slot's adjoint, in recording order.
    pub fn adjoints(&self) -> &[T] {
        &self.adjoints
    }
}
