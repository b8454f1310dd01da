//! The tape: an append-only record of every operation, and the reverse
//! sweep that turns it into adjoints.
//!
//! Every recorded number gets a *slot* (its index in recording order).
//! A slot is filled either by a **scalar node** (a leaf, or the result of a
//! unary or binary operation, storing its parents' slots and the local
//! partials) or by one output of a **block operation** (a matrix-valued
//! operation that owns a contiguous range of slots and knows its own
//! vector-Jacobian product).
//!
//! Because parents are always recorded before their children, recording
//! order is already a topological order, and the reverse sweep is a single
//! backwards loop: no recursion, no graph search, any depth.

use std::cell::{Cell, UnsafeCell};

use crate::block::{BlockOp, Cotangents};
use crate::gradients::Gradients;
use crate::scalar::Scalar;
use crate::var::Var;

impl<T: Scalar> Recording<T> {
    /// Number of slots: one per scalar node plus one per block value.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len() + self.block_values.len()
    }
}

/// A scalar node: its parents' slots and `∂(this)/∂(parent)`.
///
/// A unary node repeats its parent with a zero second partial (and a
/// binary operation on one variable twice, like `x·x`, is recorded as
/// unary); a leaf names itself as parent. For `f64` this is 24 bytes. Scalar values are
/// not kept on the tape at all: the `Var` handles carry them, and the sweep
/// needs only the partials.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Node<T> {
    pub(crate) parents: [u32; 2],
    pub(crate) partials: [T; 2],
}

/// How a scalar node depends on its parents, for Hessian sparsity
/// detection: the only second-order information the tape keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `a ± b`, `−a`, `c·a`: no second derivatives.
    Linear = 0,
    /// `a·b`: only the mixed second derivative `∂²/∂a∂b = 1`.
    Bilinear = 1,
    /// Anything else (`sin a`, `a/b`, ...): any second derivative.
    Nonlinear = 2,
}

impl Kind {
    /// The kind of the operation once one operand is a constant.
    #[inline(always)]
    pub(crate) fn with_constant(self) -> Kind {
        match self {
            Kind::Bilinear => Kind::Linear,
            k => k,
        }
    }

    fn from_bits(bits: u32) -> Kind {
        match bits {
            0 => Kind::Linear,
            1 => Kind::Bilinear,
            _ => Kind::Nonlinear,
        }
    }
}

/// Slot indices use the low 30 bits of a parent field; the top two bits of
/// the second parent hold the node's [`Kind`].
pub(crate) const SLOT_BITS: u32 = 30;
pub(crate) const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;

impl<T> Node<T> {
    /// The two parent slots, without the kind bits.
    #[inline(always)]
    pub(crate) fn parent_slots(&self) -> [usize; 2] {
        [
            self.parents[0] as usize,
            (self.parents[1] & SLOT_MASK) as usize,
        ]
    }

    pub(crate) fn kind(&self) -> Kind {
        Kind::from_bits(self.parents[1] >> SLOT_BITS)
    }
}

/// A block operation on the tape: its output slots `start .. start + len`
/// and the rule that pulls their cotangent back to its inputs (its values
/// are in `Recording::block_values`).
pub(crate) struct BlockEntry<T: Scalar> {
    pub(crate) start: u32,
    pub(crate) len: u32,
    pub(crate) op: Box<dyn BlockOp<T>>,
}

/// Everything recorded so far.
pub(crate) struct Recording<T: Scalar> {
    /// One node per scalar slot, in recording order (block slots have none).
    pub(crate) nodes: Vec<Node<T>>,
    /// The values of block slots, block after block (block operations read
    /// their inputs' values here in the sweep).
    pub(crate) block_values: Vec<T>,
    /// Block operations, in recording order.
    pub(crate) blocks: Vec<BlockEntry<T>>,
}

/// A Wengert list of operations on numbers of type `T`.
///
/// Create variables with [`Tape::var`] / [`Tape::vars`] (or blocks with
/// [`Tape::input_block`]), compute with them as with ordinary numbers, then
/// call [`Var::backward`] on the result to get a [`Gradients`] value.
/// A tape can be swept any number of times; [`Tape::clear`] empties it for
/// the next recording and keeps its memory.
///
/// ```
/// use saddle_tape::prelude::*;
/// let tape = Tape::<f64>::new();
/// let x = tape.var(3.0);
/// let y = tape.var(2.0);
/// let f = x * x * y + y.sin(); // f = x²y + sin y
/// let g = f.backward();
/// assert_eq!(g.wrt(x), 2.0 * 3.0 * 2.0); // ∂f/∂x = 2xy
/// assert_eq!(g.wrt(y), 9.0 + 2f64.cos()); // ∂f/∂y = x² + cos y
/// ```
pub struct Tape<T: Scalar> {
    rec: UnsafeCell<Recording<T>>,
    /// How many [`Tape::read`] borrows are live. Recording is refused while
    /// any is, which is what makes the `UnsafeCell` sound (see `write`).
    readers: Cell<u32>,
}

/// Ends a [`Tape::read`] borrow, also when unwinding.
struct ReadGuard<'a>(&'a Cell<u32>);

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// One entry of the tape as [`Tape::entries`] shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry<T> {
    /// An input (independent variable) at `slot`.
    Leaf {
        /// Its slot.
        slot: usize,
    },
    /// A scalar operation at `slot` with up to two parents and the local
    /// partials `∂(slot)/∂(parent)`. (Its value lives in its `Var`.)
    Node {
        /// Its slot.
        slot: usize,
        /// `(parent slot, local partial)` pairs (one for unary operations).
        parents: Vec<(usize, T)>,
    },
    /// A block operation owning slots `start .. start + len`.
    Block {
        /// Its name (`"matmul"`, `"tanh"`, ...).
        name: &'static str,
        /// Its first output slot.
        start: usize,
        /// How many output slots it owns.
        len: usize,
    },
}

/// What the reverse sweep just did, shown to the observer of
/// [`Tape::backward_observed`].
#[derive(Debug)]
pub enum SweepStep<'a, T> {
    /// The adjoint of scalar node `slot` was pushed to its parents:
    /// `ā_p += (∂slot/∂p) · ā_slot` for each parent `p`.
    Node {
        /// The node whose adjoint was propagated.
        slot: usize,
        /// All adjoints after the step.
        adjoints: &'a [T],
    },
    /// A block's vector-Jacobian product ran.
    Block {
        /// Its name.
        name: &'static str,
        /// Its first output slot.
        start: usize,
        /// All adjoints after the step.
        adjoints: &'a [T],
    },
}

impl<T: Scalar> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty tape with room for `slots` values and scalar nodes.
    pub fn with_capacity(slots: usize) -> Self {
        Tape {
            rec: UnsafeCell::new(Recording {
                nodes: Vec::with_capacity(slots),
                block_values: Vec::new(),
                blocks: Vec::new(),
            }),
            readers: Cell::new(0),
        }
    }

    /// Shared access to the recording, during which user code may run
    /// (rules, observers, block VJPs). Any attempt to record meanwhile panics.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Recording<T>) -> R) -> R {
        self.readers.set(self.readers.get() + 1);
        let _guard = ReadGuard(&self.readers);
        // SAFETY: the only mutable access is `write`, which refuses to run
        // while `readers > 0`, and `clear`, which needs `&mut self`.
        f(unsafe { &*self.rec.get() })
    }

    /// Exclusive access to the recording. Callers pass only engine code that
    /// neither reads the tape nor runs user code, so no other reference to
    /// the recording exists while `f` runs.
    ///
    /// # Panics
    /// If called during a [`Tape::read`] (recording from inside a sweep
    /// observer or a block rule).
    #[inline(always)]
    fn write<R>(&self, f: impl FnOnce(&mut Recording<T>) -> R) -> R {
        assert!(
            self.readers.get() == 0,
            "Tape: cannot record on a tape while it is being read (from a sweep observer or a block rule)"
        );
        // SAFETY: no `read` borrow is live (checked above), `Tape` is not
        // `Sync`, and `f` is engine code that does not re-enter the tape.
        f(unsafe { &mut *self.rec.get() })
    }

    /// Forgets everything recorded and keeps the allocation.
    ///
    /// Taking `&mut self` means the borrow checker proves that no `Var` of
    /// the old recording is still alive.
    pub fn clear(&mut self) {
        let rec = self.rec.get_mut();
        rec.nodes.clear();
        rec.block_values.clear();
        rec.blocks.clear();
    }

    /// Bytes one scalar node takes on the tape: two `u32` parent slots and
    /// two partials of type `T` (24 for `f64`; values live in the `Var`s).
    pub const NODE_BYTES: usize = std::mem::size_of::<Node<T>>();

    /// Number of slots (recorded numbers, scalar or inside blocks).
    pub fn len(&self) -> usize {
        self.read(|r| r.len())
    }

    /// How many scalar nodes fit before the tape must grow its storage
    /// (unchanged by [`Tape::clear`]).
    pub fn capacity(&self) -> usize {
        self.read(|r| r.nodes.capacity())
    }

    /// True if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of scalar nodes (leaves included).
    pub fn num_nodes(&self) -> usize {
        self.read(|r| r.nodes.len())
    }

    /// Number of block operations (input blocks included).
    pub fn num_blocks(&self) -> usize {
        self.read(|r| r.blocks.len())
    }

    /// A new independent variable with value `value`.
    pub fn var(&self, value: T) -> Var<'_, T> {
        let slot = self.push_node(|s| Node {
            parents: [s, s],
            partials: [T::zero(); 2],
        });
        Var::on_tape(self, slot, value)
    }

    /// One independent variable per value.
    pub fn vars(&self, values: &[T]) -> Vec<Var<'_, T>> {
        values.iter().map(|&v| self.var(v)).collect()
    }

    /// Records a scalar node; `make` receives the new slot.
    #[inline(always)]
    fn push_node(&self, make: impl FnOnce(u32) -> Node<T>) -> u32 {
        self.write(|rec| {
            let slot = slot_index(rec.len());
            rec.nodes.push(make(slot));
            slot
        })
    }

    /// Records `value = f(parent)` with local partial `partial`.
    #[inline(always)]
    pub(crate) fn push_unary(&self, parent: u32, partial: T, value: T, kind: Kind) -> Var<'_, T> {
        let slot = self.push_node(|_| Node {
            parents: [parent, parent | (kind as u32) << SLOT_BITS],
            partials: [partial, T::zero()],
        });
        Var::on_tape(self, slot, value)
    }

    /// Records `value = f(a, b)` with local partials `(da, db)`. When both
    /// operands are the same variable (`x·x`), the node is unary with the
    /// summed partial, so every node whose parents coincide is unary and the
    /// sweep can skip its second update.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_binary(
        &self,
        a: u32,
        b: u32,
        da: T,
        db: T,
        value: T,
        kind: Kind,
    ) -> Var<'_, T> {
        if a == b {
            return self.push_unary(a, da + db, value, kind);
        }
        let slot = self.push_node(|_| Node {
            parents: [a, b | (kind as u32) << SLOT_BITS],
            partials: [da, db],
        });
        Var::on_tape(self, slot, value)
    }

    /// Appends a block's output values and its entry; returns its first
    /// slot and where its values start in the block-value store.
    pub(crate) fn push_block(&self, values: &[T], op: Box<dyn BlockOp<T>>) -> (u32, u32) {
        self.write(|rec| {
            let start = slot_index(rec.len());
            let offset = slot_index(rec.block_values.len());
            slot_index(rec.len() + values.len());
            slot_index(rec.block_values.len() + values.len());
            rec.block_values.extend_from_slice(values);
            rec.blocks.push(BlockEntry {
                start,
                len: values.len() as u32,
                op,
            });
            (start, offset)
        })
    }

    /// Block values `offset .. offset + len`, copied out.
    pub(crate) fn values_of(&self, offset: u32, len: usize) -> Vec<T> {
        self.read(|rec| rec.block_values[offset as usize..offset as usize + len].to_vec())
    }

    /// Runs `f` on the values of every block recorded so far, without
    /// copying them: block `b`'s values are `values[b.value_range()]`.
    /// This is how a block operation reads its inputs when recording.
    ///
    /// # Panics
    /// If `f` records on this tape (it is being read).
    pub fn with_block_values<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        self.with_values(f)
    }

    /// Runs `f` on the block-value store (to read block inputs without a copy).
    pub(crate) fn with_values<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        self.read(|rec| f(&rec.block_values))
    }

    /// The recording, entry by entry, for printing and teaching.
    pub fn entries(&self) -> Vec<Entry<T>> {
        self.read(|rec| Self::entries_of(rec))
    }

    fn entries_of(rec: &Recording<T>) -> Vec<Entry<T>> {
        let mut out = Vec::new();
        let mut node = 0;
        let mut slot = 0;
        let mut block_iter = rec.blocks.iter().peekable();
        while slot < rec.len() {
            if let Some(b) = block_iter.next_if(|b| b.start as usize == slot) {
                out.push(Entry::Block {
                    name: b.op.name(),
                    start: slot,
                    len: b.len as usize,
                });
                slot += b.len as usize;
                continue;
            }
            let n = &rec.nodes[node];
            let [p, q] = n.parent_slots();
            out.push(if p == slot {
                Entry::Leaf { slot }
            } else if p == q && n.partials[1].is_exact_zero() {
                Entry::Node {
                    slot,
                    parents: vec![(p, n.partials[0])],
                }
            } else {
                Entry::Node {
                    slot,
                    parents: vec![(p, n.partials[0]), (q, n.partials[1])],
                }
            });
            node += 1;
            slot += 1;
        }
        out
    }

    /// The reverse sweep from `output` with seed `seed` (`ā_output = seed`).
    ///
    /// Ordinarily called through [`Var::backward`]; a seed other than one
    /// computes `seed · ∇output`.
    ///
    /// # Panics
    /// If `output` belongs to another tape.
    pub fn backward_seeded(&self, output: Var<'_, T>, seed: T) -> Gradients<T> {
        self.backward_observed(output, seed, |_| {})
    }

    /// The reverse sweep, calling `observe` after every step: how a student
    /// watches the adjoints fill in. See [`Tape::backward_seeded`].
    ///
    /// # Panics
    /// If `output` belongs to another tape.
    pub fn backward_observed(
        &self,
        output: Var<'_, T>,
        seed: T,
        mut observe: impl FnMut(SweepStep<'_, T>),
    ) -> Gradients<T> {
        let Some(slot) = output.slot_on(self) else {
            // A constant does not depend on anything on this tape.
            return Gradients::of_constant();
        };
        self.read(|rec| Gradients::new(self, Self::sweep(rec, slot, seed, &mut observe)))
    }

    /// The reverse sweep proper: returns every slot's adjoint.
    fn sweep(
        rec: &Recording<T>,
        slot: usize,
        seed: T,
        observe: &mut impl FnMut(SweepStep<'_, T>),
    ) -> Vec<T> {
        let mut adj = vec![T::zero(); rec.len()];
        adj[slot] = seed;
        // Walk the tape backwards as alternating runs of scalar nodes and
        // blocks. A scalar run occupies slots `run_lo .. slot_hi` and the
        // nodes `node_hi - (slot_hi - run_lo) .. node_hi`.
        let mut slot_hi = rec.len();
        let mut node_hi = rec.nodes.len();
        let mut blocks = rec.blocks.iter().rev();
        loop {
            let block = blocks.next();
            let run_lo = block.map_or(0, |b| (b.start + b.len) as usize);
            let node_lo = node_hi - (slot_hi - run_lo);
            // Nothing after the output can carry an adjoint.
            let top = slot_hi.min(slot + 1);
            for s in (run_lo..top).rev() {
                let a = adj[s];
                if a.is_exact_zero() {
                    continue;
                }
                let node = &rec.nodes[node_lo + (s - run_lo)];
                let [p, q] = node.parent_slots();
                if p == s {
                    continue; // a leaf: its adjoint is final
                }
                debug_assert!(p < s && q < s);
                // SAFETY: a node's parents were recorded before it, so
                // `p, q < s < adj.len()` (`Var`s of a cleared recording cannot
                // exist: `clear` takes `&mut self`).
                unsafe {
                    *adj.get_unchecked_mut(p) += node.partials[0] * a;
                    // A unary node repeats its parent; skipping the second
                    // update avoids a read-modify-write of the slot just
                    // written.
                    if q != p {
                        *adj.get_unchecked_mut(q) += node.partials[1] * a;
                    }
                }
                observe(SweepStep::Node {
                    slot: s,
                    adjoints: &adj,
                });
            }
            let Some(block) = block else { break };
            let (start, end) = (block.start as usize, run_lo);
            if start <= slot {
                let (before, rest) = adj.split_at_mut(start);
                let out = &rest[..end - start];
                if !out.iter().all(|a| a.is_exact_zero()) {
                    let mut cot = Cotangents {
                        values: &rec.block_values,
                        output: out,
                        adjoints: before,
                    };
                    block.op.vjp(&mut cot);
                    observe(SweepStep::Block {
                        name: block.op.name(),
                        start,
                        adjoints: &adj,
                    });
                }
            }
            slot_hi = start;
            node_hi = node_lo;
        }
        adj
    }
}

/// Converts a slot count to the 30-bit index nodes store.
///
/// # Panics
/// Past 2³⁰ − 1 slots (a 24 GiB tape of f64 nodes).
#[inline(always)]
fn slot_index(n: usize) -> u32 {
    if n > SLOT_MASK as usize {
        panic!("tape overflow: more than {SLOT_MASK} slots");
    }
    n as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_f64_node_takes_24_bytes() {
        assert_eq!(Tape::<f64>::NODE_BYTES, 24);
        assert_eq!(Tape::<f32>::NODE_BYTES, 16);
    }
}
