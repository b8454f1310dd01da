//! Block operations: matrix-valued operations recorded as *one* tape entry.
//!
//! A block owns a contiguous range of slots holding an `rows × cols` matrix
//! (row-major). A block operation stores what its vector-Jacobian product
//! needs and, during the reverse sweep, receives the cotangent of its output
//! (`Ȳ = ∂L/∂Y`) and adds `Āᵢ = Ȳ · ∂Y/∂Aᵢ` into the adjoints of its
//! inputs. A matrix product is therefore one entry and two gemm calls in the
//! sweep, not `m·k·n` scalar nodes.
//!
//! The built-in operations live one per file: [`matmul`](Block::matmul),
//! [`add_row`](Block::add_row) (row broadcast), [`map`](Block::map) and
//! [`zip`](Block::zip) (elementwise, with any rule from [`crate::rules`]),
//! [`sum`](Block::sum) and [`mean`](Block::mean),
//! [`slice`](Block::slice) (a sub-block) and [`affine`](Block::affine)
//! (`αX + β`), and
//! [`Tape::stack`] (scalar `Var`s gathered into a block). Your own
//! operation is a type implementing [`BlockOp`], recorded with
//! [`Tape::record_block`] (its output in a buffer, copied in) or
//! [`Tape::record_block_in_place`] (its output written where the tape
//! keeps it).
//!
//! For Hessian sparsity detection an operation may also say which input
//! entries each output entry reads ([`BlockOp::entry_dependence`]): the
//! elementwise ones, slices, broadcasts and stacks do, so a banded function
//! written with slices (`x[1..] − x[..n−1]²`) keeps its band and its
//! Hessian takes a few compressed sweeps instead of `n / 8`.

mod broadcast;
mod elementwise;
mod gather;
mod in_place;
mod matmul;
mod reduce;
mod slice;

use std::ops::Range;

use crate::error::Error;
use crate::scalar::Scalar;
use crate::tape::Tape;
use crate::var::Var;

pub use in_place::BlockWriter;

/// Where a block lives on its tape: first slot, shape, and whether it is a
/// constant (its adjoint is never needed, so operations skip computing it).
///
/// A *real* constant ([`Tape::constant_block_real`]) is stored as plain
/// `f64`s in a store of its own and owns no slots: its [`range`](Slots::range)
/// is empty and its [`value_range`](Slots::value_range) indexes the real
/// store ([`Cotangents::real_value`]).
///
/// Block operations store `Slots` (not [`Block`]s, which borrow the tape)
/// to find their inputs during the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slots {
    start: u32,
    /// Where the values start in the tape's block-value store.
    offset: u32,
    rows: u32,
    cols: u32,
    constant: bool,
    /// Stored as `f64` in the real-value store (implies `constant`).
    real: bool,
}

impl Slots {
    /// The first slot.
    pub fn start(&self) -> usize {
        self.start as usize
    }
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows as usize
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols as usize
    }
    /// `rows · cols`.
    pub fn len(&self) -> usize {
        self.rows() * self.cols()
    }
    /// True for a block with no entries (never produced by the tape).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True if the block is a constant (no adjoint wanted).
    pub fn is_constant(&self) -> bool {
        self.constant
    }
    /// True if the block is a real constant: its values are `f64`s in the
    /// tape's real-value store, read with [`Cotangents::real_value`].
    pub fn is_real(&self) -> bool {
        self.real
    }
    /// The slot range `start .. start + len`; empty for a
    /// [real](Slots::is_real) constant, which owns no slots (nothing
    /// depends on it through the tape's dependency graph).
    pub fn range(&self) -> Range<usize> {
        if self.real {
            return self.start()..self.start();
        }
        self.start()..self.start() + self.len()
    }
    /// Where the values lie in the slice [`Tape::with_block_values`] and
    /// [`Cotangents::value`] read from — or, for a [real](Slots::is_real)
    /// constant, in the slice [`Cotangents::real_value`] reads from.
    pub fn value_range(&self) -> Range<usize> {
        self.offset as usize..self.offset as usize + self.len()
    }
    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows(), self.cols())
    }
}

/// A matrix of numbers on a tape: a `Copy` handle like [`Var`].
///
/// # Panics
/// Combining blocks (or a block and a `Var`) from two different tapes
/// panics with "Block: mixing blocks from two different tapes".
#[derive(Clone, Copy)]
pub struct Block<'t, T: Scalar> {
    tape: &'t Tape<T>,
    slots: Slots,
}

/// The reverse-mode rule of a block operation.
///
/// `vjp` receives the output cotangent `Ȳ` through [`Cotangents::output`]
/// and must *add* (never assign) `Ȳ · ∂Y/∂A` into
/// [`Cotangents::adjoint`] for each input `A` that is not constant. It is
/// written once, generically in `T`, and therefore also runs on dual
/// numbers — which is how block operations get their second derivatives.
///
/// Inputs are named by the [`Slots`] of blocks recorded on the same tape
/// *before* this operation; naming slots of another tape is a logic error
/// (caught by bounds checks at the latest).
///
/// ```
/// use saddle_tape::{Block, BlockOp, Cotangents, Scalar, Slots, Tape};
///
/// /// Y = 3·A: the VJP is Ā += 3·Ȳ.
/// struct Triple(Slots);
///
/// impl<T: Scalar> BlockOp<T> for Triple {
///     fn name(&self) -> &'static str { "triple" }
///     fn inputs(&self) -> Vec<std::ops::Range<usize>> { vec![self.0.range()] }
///     fn is_linear(&self) -> bool { true }
///     fn vjp(&self, cot: &mut Cotangents<'_, T>) {
///         let out = cot.output();
///         if let Some(a) = cot.adjoint(self.0) {
///             for (a, y) in a.iter_mut().zip(out) { *a += *y * T::from_f64(3.0); }
///         }
///     }
/// }
///
/// let tape = Tape::<f64>::new();
/// let a = tape.input_block(1, 2, &[1.0, 2.0])?;
/// let values: Vec<f64> = a.values().iter().map(|v| 3.0 * v).collect();
/// let y = tape.record_block(1, 2, values, Triple(a.slots()))?;
/// let g = y.sum().backward();
/// assert_eq!(g.wrt_block(&a), vec![3.0, 3.0]);
/// # Ok::<(), saddle_tape::Error>(())
/// ```
pub trait BlockOp<T: Scalar>: 'static {
    /// A short name, shown when the tape is printed.
    fn name(&self) -> &'static str;

    /// The slot ranges this operation reads (`Slots::range()` of each input
    /// block): the dependency graph that Hessian sparsity detection walks.
    fn inputs(&self) -> Vec<Range<usize>>;

    /// True if every output is a linear function of the inputs (a sum, a
    /// broadcast, a copy), so the operation adds no second derivatives.
    /// The default, `false`, is always safe.
    fn is_linear(&self) -> bool {
        false
    }

    /// Entry by entry, which input slots each output entry depends on and
    /// how, for Hessian sparsity detection: an operation whose every output
    /// entry is a function of at most two input entries pushes one
    /// [`EntryDependence`] per output entry (row-major) into `entries` and
    /// returns `true`.
    ///
    /// The default returns `false`: every output entry is then taken to
    /// depend on every input entry (nonlinearly unless
    /// [`is_linear`](BlockOp::is_linear)). That is always safe but as
    /// coarse as can be: an elementwise `tanh` of a `1 × n` block would
    /// couple all `n` entries, and the Hessian driver would sweep `n`
    /// directions where three would do for a banded function.
    ///
    /// The description must hold at *every* point (a superset of the true
    /// dependence, like `is_linear`): an entry declared linear that is not
    /// gives a sparse Hessian with silently missing entries. If the
    /// description is not one entry per output, or names a slot that is
    /// not recorded before the operation, it is ignored (the default
    /// applies).
    ///
    /// ```
    /// use saddle_tape::{BlockOp, Cotangents, EntryDependence, Slots};
    ///
    /// /// Yₖ = Xₖ³: output k depends on input entry k alone, nonlinearly.
    /// struct Cube(Slots);
    ///
    /// impl BlockOp<f64> for Cube {
    ///     fn name(&self) -> &'static str { "cube" }
    ///     fn inputs(&self) -> Vec<std::ops::Range<usize>> { vec![self.0.range()] }
    ///     fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
    ///         entries.extend(self.0.range().map(|s| EntryDependence::Nonlinear([s, s])));
    ///         true
    ///     }
    ///     fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
    ///         let (out, x) = (cot.output(), cot.value(self.0));
    ///         if let Some(a) = cot.adjoint(self.0) {
    ///             for ((a, y), x) in a.iter_mut().zip(out).zip(x) { *a += 3.0 * x * x * y; }
    ///         }
    ///     }
    /// }
    /// ```
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        let _ = entries;
        false
    }

    /// Adds this operation's input cotangents into `cot`.
    fn vjp(&self, cot: &mut Cotangents<'_, T>);
}

/// How one output entry `y` of a block operation depends on the entries in
/// input slots `[a, b]` ([`BlockOp::entry_dependence`]); a function of one
/// entry names it twice, `[a, a]`. The classes are those of scalar nodes:
///
/// - `Linear`: `y = α a + β b + γ` — no second derivatives;
/// - `Bilinear`: `y = α a b + (linear)` — only `∂²y/∂a∂b` (for `[a, a]`,
///   `α a²`: `∂²y/∂a²`);
/// - `Nonlinear`: any `y = f(a, b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryDependence {
    /// `y` is a constant: it depends on no slot.
    Constant,
    /// `y` is affine in the two slots.
    Linear([usize; 2]),
    /// `y` is a product of the two slots plus affine terms.
    Bilinear([usize; 2]),
    /// `y` is any function of the two slots.
    Nonlinear([usize; 2]),
}

/// What a [`BlockOp::vjp`] reads and writes during the sweep.
pub struct Cotangents<'a, T> {
    pub(crate) values: &'a [T],
    pub(crate) reals: &'a [f64],
    pub(crate) output: &'a [T],
    pub(crate) output_value: &'a [T],
    pub(crate) adjoints: &'a mut [T],
    /// For a sweep asked for only some gradients ([`Var::backward_wrt`]):
    /// which slots depend on the wanted variables (see `reach`).
    pub(crate) reach: Option<&'a [bool]>,
}

impl<'a, T> Cotangents<'a, T> {
    /// `Ȳ`: the cotangent of the operation's output, row-major.
    pub fn output(&self) -> &'a [T] {
        self.output
    }

    /// `Y`: the operation's own recorded output, row-major. A rule whose
    /// derivative is a function of its output (`tanh′ = 1 − y²`) can read
    /// it here instead of keeping a copy of the derivative.
    pub fn output_value(&self) -> &'a [T] {
        self.output_value
    }

    /// The recorded values of an input block, row-major.
    ///
    /// # Panics
    /// If `input` is a [real](Slots::is_real) constant, whose values are
    /// `f64`s: read those with [`Cotangents::real_value`].
    pub fn value(&self, input: Slots) -> &'a [T] {
        assert!(
            !input.real,
            "Cotangents::value: block {:?} is a real constant; read it with Cotangents::real_value",
            input.value_range()
        );
        &self.values[input.value_range()]
    }

    /// The values of a [real](Slots::is_real) constant input, row-major;
    /// `None` for any other block (read those with [`Cotangents::value`]).
    pub fn real_value(&self, input: Slots) -> Option<&'a [f64]> {
        input.real.then(|| &self.reals[input.value_range()])
    }

    /// The adjoint of an input block, to add into; `None` for a constant,
    /// and for an input that does not depend on the variables a sweep was
    /// asked for ([`Var::backward_wrt`]): its adjoint would reach none of
    /// them, so the rule skips computing it.
    ///
    /// # Panics
    /// If `input` does not lie before the operation's output, i.e. it is not
    /// an earlier block of this tape.
    pub fn adjoint(&mut self, input: Slots) -> Option<&mut [T]> {
        assert!(
            input.range().end <= self.adjoints.len(),
            "BlockOp input slots {:?} are not recorded before the operation",
            input.range()
        );
        let wanted = self
            .reach
            .is_none_or(|reach| reach[input.range()].contains(&true));
        (!input.constant && wanted).then(|| &mut self.adjoints[input.range()])
    }
}

/// A leaf block: inputs and constants. Nothing to pull back.
struct Input;

impl<T: Scalar> BlockOp<T> for Input {
    fn name(&self) -> &'static str {
        "input"
    }
    fn inputs(&self) -> Vec<Range<usize>> {
        Vec::new()
    }
    fn is_linear(&self) -> bool {
        true
    }
    fn vjp(&self, _: &mut Cotangents<'_, T>) {}
}

/// The most entries one block may hold: a tape has at most this many slots
/// in all ([`Tape::MAX_SLOTS`]).
const MAX_ENTRIES: usize = crate::recording::MAX_SLOTS;

/// `rows · cols` for a new block, in checked arithmetic (an unchecked
/// product wraps in release builds: 2³² × 2³² would pass as 0 entries).
///
/// # Errors
/// If the shape is empty, or the product overflows or exceeds the slot
/// limit.
pub(crate) fn checked_entries(op: &'static str, rows: usize, cols: usize) -> Result<usize, Error> {
    if rows == 0 || cols == 0 {
        return Err(Error::empty(op, rows, cols));
    }
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ENTRIES => Ok(n),
        _ => Err(Error::too_large(op, rows, cols, MAX_ENTRIES)),
    }
}

/// Checks a shape and data length for a new block.
fn check_shape(op: &'static str, rows: usize, cols: usize, len: usize) -> Result<(), Error> {
    if len != checked_entries(op, rows, cols)? {
        return Err(Error::data_length(op, len, rows, cols));
    }
    Ok(())
}

impl<T: Scalar> Tape<T> {
    /// A block of independent variables (`rows × cols`, `data` row-major).
    ///
    /// # Errors
    /// If the shape is empty, `rows · cols` overflows or exceeds
    /// [`Tape::MAX_SLOTS`], or `data.len() != rows · cols`.
    ///
    /// # Panics
    /// If the tape would hold more than [`Tape::MAX_SLOTS`] slots.
    pub fn input_block(&self, rows: usize, cols: usize, data: &[T]) -> Result<Block<'_, T>, Error> {
        check_shape("input_block", rows, cols, data.len())?;
        Ok(self.push(rows, cols, data, Box::new(Input), false))
    }

    /// A block of constants (data, targets): its adjoint is never computed.
    ///
    /// The values are stored as `T` and own slots, so on a tape of
    /// `Dual<f64, K>` each entry costs `8·(K + 1)` bytes (plus its unused
    /// adjoint) and products with it run in dual arithmetic. That is needed
    /// only when the entries carry tangents or a [`BlockOp`] reads them with
    /// [`Cotangents::value`]; for plain data use
    /// [`Tape::constant_block_real`] (8 bytes an entry, real products).
    ///
    /// # Errors
    /// As [`Tape::input_block`].
    ///
    /// # Panics
    /// As [`Tape::input_block`].
    pub fn constant_block(
        &self,
        rows: usize,
        cols: usize,
        data: &[T],
    ) -> Result<Block<'_, T>, Error> {
        check_shape("constant_block", rows, cols, data.len())?;
        Ok(self.push(rows, cols, data, Box::new(Input), true))
    }

    /// A block of constants given as plain reals, stored as `f64` on any
    /// tape: 8 bytes an entry where [`Tape::constant_block`] on a tape of
    /// `Dual<f64, K>` stores `8·(K + 1)`, and nothing in the reverse sweep
    /// (it owns no slots, hence no adjoints). [`Block::matmul`] with a real
    /// constant operand multiplies in real arithmetic
    /// ([`Scalar::gemm_real_left`]); the other operations read it as `T`
    /// through [`Scalar::from_f64`] (`Tᵢ = xᵢ` with zero tangent).
    ///
    /// On an `f32` tape the values are still kept as `f64` (exactly as
    /// given) and rounded where an operation needs them as `f32`.
    ///
    /// ```
    /// use saddle_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant_block_real(2, 2, &[1.0, 2.0, 3.0, 4.0])?;
    /// let x = tape.input_block(1, 2, &[1.0, 1.0])?;
    /// let y = x.matmul(&a)?; // [4, 6]
    /// assert_eq!(y.values(), vec![4.0, 6.0]);
    /// assert!(a.slots().is_real() && a.slots().range().is_empty());
    /// # Ok::<(), saddle_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Tape::input_block`].
    ///
    /// # Panics
    /// If the tape's real-value store would hold more than
    /// [`Tape::MAX_SLOTS`] values.
    pub fn constant_block_real(
        &self,
        rows: usize,
        cols: usize,
        data: &[f64],
    ) -> Result<Block<'_, T>, Error> {
        check_shape("constant_block_real", rows, cols, data.len())?;
        let (start, offset) = self.push_reals(data);
        Ok(Block {
            tape: self,
            slots: Slots {
                start,
                offset,
                rows: rows as u32,
                cols: cols as u32,
                constant: true,
                real: true,
            },
        })
    }

    /// Records a user-defined block operation with output `values`
    /// (`rows × cols`, row-major) and reverse rule `op`. The values are
    /// copied into the tape and their buffer goes to the thread's
    /// [`pool`](crate::pool), where the next `pool::take` finds it.
    ///
    /// # Errors
    /// As [`Tape::input_block`], for `values`.
    ///
    /// # Panics
    /// As [`Tape::input_block`].
    pub fn record_block(
        &self,
        rows: usize,
        cols: usize,
        values: Vec<T>,
        op: impl BlockOp<T>,
    ) -> Result<Block<'_, T>, Error> {
        check_shape("record_block", rows, cols, values.len())?;
        let block = self.push(rows, cols, &values, Box::new(op), false);
        // Copied into the tape: the buffer can serve the next layer.
        crate::pool::give(values);
        Ok(block)
    }

    fn push(
        &self,
        rows: usize,
        cols: usize,
        values: &[T],
        op: Box<dyn BlockOp<T>>,
        constant: bool,
    ) -> Block<'_, T> {
        let (start, offset) = self.push_block(values, op);
        Block {
            tape: self,
            slots: Slots {
                start,
                offset,
                rows: rows as u32,
                cols: cols as u32,
                constant,
                real: false,
            },
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// Where the block lives on its tape.
    pub fn slots(&self) -> Slots {
        self.slots
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        self.slots.shape()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.slots.rows()
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.slots.cols()
    }

    /// The values, row-major, copied out of the tape (a real constant's
    /// converted by [`Scalar::from_f64`]).
    pub fn values(&self) -> Vec<T> {
        if self.slots.real {
            let reals = self.tape.reals_of(self.slots.offset, self.slots.len());
            return reals.into_iter().map(T::from_f64).collect();
        }
        self.tape.values_of(self.slots.offset, self.slots.len())
    }

    /// This block as one whose values live in the block-value store as `T`:
    /// `self`, or for a real constant a `T` copy of it (a constant block,
    /// so still without adjoint). Operations without a real fast path read
    /// their operands through it.
    pub(crate) fn stored(&self) -> Block<'t, T> {
        if !self.slots.real {
            return *self;
        }
        let values = self.values();
        self.tape
            .push(self.rows(), self.cols(), &values, Box::new(Input), true)
    }

    /// Entry `(i, j)` as a scalar `Var` (the block's own slot: no new node).
    /// For a constant block the entry is a constant `Var`.
    ///
    /// # Panics
    /// If `(i, j)` is out of bounds.
    pub fn at(&self, i: usize, j: usize) -> Var<'t, T> {
        assert!(
            i < self.rows() && j < self.cols(),
            "Block::at({i}, {j}) out of bounds for a {}×{} block",
            self.rows(),
            self.cols()
        );
        let k = (i * self.cols() + j) as u32;
        if self.slots.real {
            let x = self.tape.reals_of(self.slots.offset + k, 1)[0];
            return Var::constant(T::from_f64(x));
        }
        let (slot, value) = (
            self.slots.start + k,
            self.tape.values_of(self.slots.offset + k, 1)[0],
        );
        if self.slots.constant {
            Var::constant(value)
        } else {
            Var::on_tape(self.tape, slot, value)
        }
    }

    /// Every entry as a scalar `Var`, row-major.
    pub fn vars(&self) -> Vec<Var<'t, T>> {
        let values = self.values();
        if self.slots.constant {
            return values.into_iter().map(Var::constant).collect();
        }
        values
            .into_iter()
            .enumerate()
            .map(|(k, v)| Var::on_tape(self.tape, self.slots.start + k as u32, v))
            .collect()
    }

    /// The tape the block lives on (to record further operations on it).
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// The common tape of `self` and `other`.
    ///
    /// # Panics
    /// If they live on different tapes.
    pub(crate) fn same_tape(&self, other: &Block<'t, T>) -> &'t Tape<T> {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "Block: mixing blocks from two different tapes"
        );
        self.tape
    }

    /// Records the result of an operation on this block's tape.
    pub(crate) fn record(
        &self,
        rows: usize,
        cols: usize,
        values: &[T],
        op: impl BlockOp<T>,
    ) -> Block<'t, T> {
        self.tape.push(rows, cols, values, Box::new(op), false)
    }

    /// Records the operation `fill` returns, its `rows × cols` values
    /// written by `fill(earlier, out)` straight into the tape's store
    /// (`earlier`: the values of the blocks recorded before, where the
    /// inputs are; `out`: the new values, zeroed): no buffer, no copy.
    ///
    /// # Panics
    /// If `rows · cols` is zero or too large (callers pass the shape of an
    /// existing block or of a checked rectangle of one).
    pub(crate) fn record_filled<O: BlockOp<T>>(
        &self,
        rows: usize,
        cols: usize,
        fill: impl FnOnce(&[T], &mut [T]) -> O,
    ) -> Block<'t, T> {
        self.tape
            .record_block_in_place(rows, cols, |w| {
                w.extend(std::iter::repeat_n(T::zero(), rows * cols));
                let (earlier, out) = w.split();
                fill(earlier, out)
            })
            .expect("the shape of an existing block is valid")
    }
}

impl<T: Scalar> std::fmt::Debug for Block<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Block({}×{} @ slots {:?}{})",
            self.rows(),
            self.cols(),
            self.slots.range(),
            match (self.slots.real, self.slots.constant) {
                (true, _) => ", real constant",
                (false, true) => ", constant",
                (false, false) => "",
            }
        )
    }
}
