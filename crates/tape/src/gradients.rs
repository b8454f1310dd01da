//! The result of a reverse sweep, kept apart from the tape.

use crate::block::Block;
use crate::scalar::Scalar;
use crate::tape::Tape;
use crate::var::Var;

/// The adjoints of one reverse sweep: `ā_s = ∂output/∂(slot s)` for every
/// slot of the tape.
///
/// Adjoints live here, not on the tape, so the same recording can be swept
/// many times (with different outputs or seeds). They are tied to the
/// *recording* that was swept, not only to the tape: each recording has a
/// process-wide unique identity that [`Tape::clear`] renews, so a `Var` of
/// a later recording (after `clear`, or on a new tape that happens to live
/// at the old one's address) is caught instead of being answered with an
/// old adjoint.
///
/// ```should_panic
/// use saddle_tape::Tape;
/// let mut tape = Tape::<f64>::new();
/// let g = {
///     let x = tape.var(3.0);
///     (x * 2.0).backward()
/// };
/// tape.clear();
/// let y = tape.var(100.0);
/// g.wrt(y); // panics: these gradients belong to the cleared recording
/// ```
#[derive(Clone, Debug)]
pub struct Gradients<T: Scalar> {
    adjoints: Vec<T>,
    /// The swept recording; `None` when the output was a constant (which
    /// depends on nothing, so every derivative is zero).
    swept: Option<Swept>,
}

/// Which recording a sweep read: its tape's address (to tell "another tape"
/// from "the same tape, cleared since" in messages) and its identity (what
/// is actually compared).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Swept {
    addr: usize,
    id: u64,
}

impl Swept {
    fn of<T: Scalar>(tape: &Tape<T>) -> Self {
        Swept {
            addr: tape as *const Tape<T> as usize,
            id: tape.recording_id(),
        }
    }
}

/// Why a `Var` or `Block` does not belong to the swept recording.
fn mismatch(what: &str, noun: &str, swept: Swept, other: Swept) -> String {
    if swept.addr == other.addr {
        format!(
            "Gradients::{what}: these gradients are stale: the tape was cleared (or a new tape \
             was created at the same address) after the sweep, so the {noun} belongs to a \
             newer recording (recording {} vs swept {})",
            other.id, swept.id
        )
    } else {
        format!(
            "Gradients::{what}: the {noun} was recorded on a different tape from the one \
             that was swept"
        )
    }
}

/// Leaves the adjoint buffer to the next sweep of this thread (see
/// [`Tape::cached_memory`]): allocating it afresh for every sweep cost
/// page faults once it passed the allocator's trim threshold.
impl<T: Scalar> Drop for Gradients<T> {
    fn drop(&mut self) {
        crate::pool::give(std::mem::take(&mut self.adjoints));
    }
}

impl<T: Scalar> Gradients<T> {
    pub(crate) fn new(tape: &Tape<T>, adjoints: Vec<T>) -> Self {
        Gradients {
            adjoints,
            swept: Some(Swept::of(tape)),
        }
    }

    /// The gradients of a constant output: zero with respect to everything.
    pub(crate) fn of_constant() -> Self {
        Gradients {
            adjoints: Vec::new(),
            swept: None,
        }
    }

    /// `Err(message)` unless `x` belongs to the swept recording (constants
    /// and the gradients of a constant fit everything).
    fn fits(&self, what: &str, noun: &str, tape: Option<Swept>) -> Result<(), String> {
        match (tape, self.swept) {
            (Some(t), Some(s)) if t != s => Err(mismatch(what, noun, s, t)),
            _ => Ok(()),
        }
    }

    /// `∂output/∂x`. Zero for a constant or for a variable the output does
    /// not depend on.
    ///
    /// # Panics
    /// If `x` was not recorded in the recording that was swept: on a
    /// different tape, or on this tape after [`Tape::clear`] (the gradients
    /// are stale). [`Gradients::try_wrt`] returns `None` instead.
    #[inline]
    pub fn wrt(&self, x: Var<'_, T>) -> T {
        match self.lookup(x) {
            Some(a) => a,
            None => self.wrt_mismatch(x),
        }
    }

    /// The panic of [`Gradients::wrt`], out of line so that the lookup
    /// inlines into loops such as [`Gradients::wrt_all`].
    #[cold]
    #[inline(never)]
    fn wrt_mismatch(&self, x: Var<'_, T>) -> ! {
        match self.fits("wrt", "variable", x.tape().map(Swept::of)) {
            Err(msg) => panic!("{msg}"),
            Ok(()) => unreachable!("Gradients::wrt: a lookup failed on a fitting variable"),
        }
    }

    /// `∂output/∂x`, or `None` if `x` belongs to another recording (another
    /// tape, or this tape after [`Tape::clear`]).
    #[inline]
    pub fn try_wrt(&self, x: Var<'_, T>) -> Option<T> {
        self.lookup(x)
    }

    /// The adjoint of `x`, or `None` exactly when [`Gradients::fits`]
    /// refuses it: `x` and the sweep both have a recording and they
    /// differ. Constants, and every variable for the gradients of a
    /// constant, get zero.
    #[inline]
    fn lookup(&self, x: Var<'_, T>) -> Option<T> {
        if let (Some(tape), Some(swept)) = (x.tape(), self.swept) {
            if Swept::of(tape) != swept {
                return None;
            }
        }
        if x.is_constant() {
            return Some(T::zero());
        }
        Some(self.adjoint_at(x.raw_slot()))
    }

    /// `∂output/∂x_i` for every `x_i`, in order.
    ///
    /// # Panics
    /// As [`Gradients::wrt`], for any `x_i`.
    pub fn wrt_all(&self, xs: &[Var<'_, T>]) -> Vec<T> {
        // The full check of `wrt` (tape address and recording identity)
        // once per tape rather than once per variable: `xs` borrows its
        // tapes, so none can be cleared meanwhile, and a tape that passed
        // the check once passes it again. Inputs usually share one tape.
        let adjoints = self.adjoints.as_slice();
        // The usual call first: every variable on one tape, the swept
        // recording (checked on the first). Testing that in a pass of its
        // own leaves the lookups a plain gather.
        if let Some(first) = xs.first() {
            let tape = first.tape_ptr();
            if !tape.is_null()
                && self.try_wrt(*first).is_some()
                && xs.iter().all(|x| x.tape_ptr() == tape)
            {
                return xs
                    .iter()
                    .map(|x| adjoints.get(x.raw_slot()).copied().unwrap_or_else(T::zero))
                    .collect();
            }
        }
        let mut checked: *const Tape<T> = std::ptr::null();
        xs.iter()
            .map(|x| {
                let tape = x.tape_ptr();
                // The usual case first: a variable of the tape checked
                // already (`checked` is null only before the first check).
                if tape == checked && !tape.is_null() {
                    // Zero past the swept slots (recorded after the output).
                    return adjoints.get(x.raw_slot()).copied().unwrap_or_else(T::zero);
                }
                if tape.is_null() {
                    return T::zero();
                }
                let a = self.wrt(*x);
                checked = tape;
                a
            })
            .collect()
    }

    /// The adjoint of slot `s` (zero past the swept slots).
    #[inline(always)]
    fn adjoint_at(&self, s: usize) -> T {
        self.adjoints.get(s).copied().unwrap_or_else(T::zero)
    }

    /// `∂output/∂B`, row-major, for every entry of block `b` (zeros for a
    /// constant block or one recorded after the output).
    ///
    /// # Panics
    /// If `b` was not recorded in the recording that was swept (another
    /// tape, or this tape after [`Tape::clear`]).
    pub fn wrt_block(&self, b: &Block<'_, T>) -> Vec<T> {
        if let Err(msg) = self.fits("wrt_block", "block", Some(Swept::of(b.tape()))) {
            panic!("{msg}");
        }
        let s = b.slots();
        // A real constant owns no slots (its range is empty): its adjoint
        // is zero, like every constant's.
        if self.adjoints.is_empty() || s.is_real() {
            return vec![T::zero(); s.len()];
        }
        // Slots recorded after the swept output have no adjoint entry: the
        // output does not depend on them, so theirs is zero too.
        let r = s.range();
        (r.start..r.end)
            .map(|k| self.adjoints.get(k).copied().unwrap_or_else(T::zero))
            .collect()
    }

    /// Every slot's adjoint, in recording order.
    pub fn adjoints(&self) -> &[T] {
        &self.adjoints
    }
}
