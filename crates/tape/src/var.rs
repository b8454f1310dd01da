//! `Var`: the number type users compute with.

use std::fmt;

use crate::gradients::Gradients;
use crate::scalar::Scalar;
use crate::tape::{Kind, Tape};

/// A number that records what is done with it on a [`Tape`].
///
/// A `Var` is a small `Copy` handle: the tape it lives on, its slot there,
/// and its value. A `Var` may also be a *constant* that lives on no tape
/// (`Var::constant(2.0)`, `Zero::zero()`, `Float::nan()`): operations on
/// constants only compute, and an operation with one constant records a
/// unary node. That is what lets `Var` implement `num_traits::Float`, so a
/// function written once for `S: Real` runs on `f64` and on the tape.
///
/// # Panics
/// Combining `Var`s recorded on two different tapes panics with
/// "Var: mixing variables from two different tapes" — a bug in the calling
/// code that no result type could repair.
#[derive(Clone, Copy)]
pub struct Var<'t, T: Scalar> {
    tape: Option<&'t Tape<T>>,
    slot: u32,
    value: T,
}

impl<'t, T: Scalar> Var<'t, T> {
    #[inline(always)]
    pub(crate) fn on_tape(tape: &'t Tape<T>, slot: u32, value: T) -> Self {
        Var {
            tape: Some(tape),
            slot,
            value,
        }
    }

    /// A constant: a number on no tape, with zero derivative.
    #[inline]
    pub fn constant(value: T) -> Self {
        Var {
            tape: None,
            slot: 0,
            value,
        }
    }

    /// The value this variable holds.
    #[inline]
    pub fn value(&self) -> T {
        self.value
    }

    /// True if this is a constant (on no tape).
    pub fn is_constant(&self) -> bool {
        self.tape.is_none()
    }

    /// The tape this variable lives on, or `None` for a constant: how
    /// scalar code reaches the tape to build blocks ([`Tape::stack`]).
    pub fn tape(&self) -> Option<&'t Tape<T>> {
        self.tape
    }

    /// The slot on its tape, or `None` for a constant.
    pub fn slot(&self) -> Option<usize> {
        self.tape.map(|_| self.slot as usize)
    }

    /// The tape's address, null for a constant (one word to compare).
    #[inline(always)]
    pub(crate) fn tape_ptr(&self) -> *const Tape<T> {
        self.tape.map_or(std::ptr::null(), |t| t as *const Tape<T>)
    }

    #[inline(always)]
    pub(crate) fn raw_slot(&self) -> usize {
        self.slot as usize
    }

    /// The slot of `self` if it lives on `tape`; `None` for a constant.
    ///
    /// # Panics
    /// If `self` lives on another tape.
    pub(crate) fn slot_on(&self, tape: &Tape<T>) -> Option<usize> {
        let own = self.tape?;
        assert!(
            std::ptr::eq(own, tape),
            "Var: mixing variables from two different tapes"
        );
        Some(self.slot as usize)
    }

    /// The reverse sweep: `∂self/∂x` for every `x` recorded before `self`.
    ///
    /// ```
    /// use saddle_tape::prelude::*;
    /// let tape = Tape::new();
    /// let x = tape.var(0.5_f64);
    /// let y = x.tanh();
    /// assert!((y.backward().wrt(x) - (1.0 - 0.5f64.tanh().powi(2))).abs() < 1e-15);
    /// ```
    pub fn backward(&self) -> Gradients<T> {
        match self.tape {
            Some(tape) => tape.backward_seeded(*self, T::one()),
            None => Gradients::of_constant(),
        }
    }

    /// `∂self/∂xᵢ` for the given `xᵢ` only, in order: the numbers of
    /// `self.backward().wrt_all(wanted)`, from a reverse sweep that skips
    /// the work no wanted adjoint needs. A wanted adjoint `x̄` sums products
    /// of partials along the paths from `self` back to `x`, and every slot
    /// on such a path depends on `x`; so a block operation none of whose
    /// inputs depends on a wanted variable is skipped, and one that is run
    /// skips the inputs that do not (as it skips constants).
    ///
    /// This is how the dense Hessian driver computes only the lower
    /// triangle: for columns `j ≥ j₀` it wants rows `i ≥ j₀` only, and in a
    /// network whose parameters are numbered layer by layer the backward
    /// pass through the earlier layers is then skipped entirely.
    ///
    /// ```
    /// use saddle_tape::prelude::*;
    /// let tape = Tape::new();
    /// let x = tape.vars(&[1.0_f64, 2.0, 3.0]);
    /// let y = x[0] * x[1] + x[2].sin();
    /// let g = y.backward_wrt(&x[1..]);
    /// assert_eq!(g, y.backward().wrt_all(&x[1..]));
    /// assert_eq!(g, vec![1.0, 3.0_f64.cos()]);
    /// ```
    ///
    /// # Panics
    /// As [`Gradients::wrt_all`]: if a wanted variable lives on another
    /// tape than `self`. If a user block operation names inputs at or
    /// after its own slots (a malformed [`BlockOp::inputs`]), with a
    /// message naming it.
    ///
    /// [`BlockOp::inputs`]: crate::BlockOp::inputs
    pub fn backward_wrt(&self, wanted: &[Var<'t, T>]) -> Vec<T> {
        match self.tape {
            Some(tape) => tape.backward_wrt(*self, wanted),
            None => Gradients::<T>::of_constant().wrt_all(wanted),
        }
    }

    /// Applies a unary rule `x ↦ (f(x), f'(x))` (one of [`crate::rules`] or
    /// your own), recording one node.
    #[inline(always)]
    pub fn apply(self, rule: impl FnOnce(T) -> (T, T)) -> Self {
        self.apply_kind(rule, Kind::Nonlinear)
    }

    #[inline(always)]
    pub(crate) fn apply_kind(self, rule: impl FnOnce(T) -> (T, T), kind: Kind) -> Self {
        let (value, partial) = rule(self.value);
        self.unary_with(value, partial, kind)
    }

    /// Applies a binary rule `(a, b) ↦ (f, ∂f/∂a, ∂f/∂b)`, recording one
    /// node (or none if both are constants).
    ///
    /// # Panics
    /// If `self` and `other` live on two different tapes.
    #[inline(always)]
    pub fn apply2(self, other: Self, rule: impl FnOnce(T, T) -> (T, T, T)) -> Self {
        self.apply2_kind(other, rule, Kind::Nonlinear)
    }

    #[inline(always)]
    pub(crate) fn apply2_kind(
        self,
        other: Self,
        rule: impl FnOnce(T, T) -> (T, T, T),
        kind: Kind,
    ) -> Self {
        let (value, da, db) = rule(self.value, other.value);
        self.binary_with(other, value, da, db, kind)
    }

    /// Records `value` with local partials `(da, db)` with respect to
    /// `(self, other)`; a constant operand drops its partial.
    ///
    /// # Panics
    /// If `self` and `other` live on two different tapes.
    #[inline(always)]
    pub(crate) fn binary_with(self, other: Self, value: T, da: T, db: T, kind: Kind) -> Self {
        // The usual case first, with one comparison for "same tape" and
        // one for "not constants" (matching on the pair of options tested
        // each for `None`, then compared the two: 8 instructions a node).
        if std::ptr::eq(self.tape_ptr(), other.tape_ptr()) {
            return match self.tape {
                Some(t) => t.push_binary(self.slot, other.slot, da, db, value, kind),
                None => Var::constant(value),
            };
        }
        match (self.tape, other.tape) {
            (Some(t), None) => t.push_unary(self.slot, da, value, kind.with_constant()),
            (None, Some(t)) => t.push_unary(other.slot, db, value, kind.with_constant()),
            // Both constants, or both on one tape, were handled above;
            // the full match stays anyway: with these two arms replaced by
            // a cold panic, W1's recording took 4% more instructions
            // (163 against 156 thousand at n = 1000: another layout).
            (None, None) => Var::constant(value),
            (Some(t), Some(u)) => {
                assert!(
                    std::ptr::eq(t, u),
                    "Var: mixing variables from two different tapes"
                );
                t.push_binary(self.slot, other.slot, da, db, value, kind)
            }
        }
    }

    /// Records `value` with the given local partial with respect to `self`
    /// (for rules that take extra non-differentiated arguments, like `powi`).
    #[inline(always)]
    pub(crate) fn unary_with(self, value: T, partial: T, kind: Kind) -> Self {
        match self.tape {
            None => Var::constant(value),
            Some(t) => t.push_unary(self.slot, partial, value, kind),
        }
    }
}

impl<T: Scalar> fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tape {
            Some(_) => write!(f, "Var({:?} @ slot {})", self.value, self.slot),
            None => write!(f, "Var({:?}, constant)", self.value),
        }
    }
}

impl<T: Scalar> fmt::Display for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}
