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
use std::sync::atomic::{AtomicU64, Ordering};

use crate::block::{BlockOp, Cotangents};
use crate::cache;
use crate::gradients::Gradients;
use crate::pool;
use crate::reach;
use crate::recording::{slot_overflow, Node, Recording, Segment, MAX_SLOTS};
use crate::scalar::Scalar;
use crate::var::Var;

pub(crate) use crate::recording::Kind;

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
    /// Scalar nodes may be pushed without further checks while the node
    /// count is below this ([`Tape::push_node`]): `0` while any `read`
    /// borrow is live, else [`Recording::fast_limit`] (spare capacity, and
    /// slots below [`MAX_SLOTS`]). One comparison thus stands for the
    /// reader check, the slot limit and the capacity check of every push.
    limit: Cell<usize>,
    /// True while the block-value store is lent to the writer of
    /// [`Tape::record_block_in_place`]: the recording then holds an empty
    /// store, so its slot count and block values are wrong, and every
    /// [`Tape::read`] panics instead of answering from it.
    lent: Cell<bool>,
    /// This recording's identity, unique in the process: [`Gradients`]
    /// compare it to tell a current `Var` from one of another recording.
    id: u64,
}

/// Source of recording identities (a `u64` does not wrap in practice: a
/// billion recordings a second for 584 years).
static NEXT_RECORDING: AtomicU64 = AtomicU64::new(1);

fn next_recording_id() -> u64 {
    NEXT_RECORDING.fetch_add(1, Ordering::Relaxed)
}

impl<T: Scalar> Drop for Tape<T> {
    /// Leaves the storage to the next tape of this thread (see
    /// [`Tape::with_capacity`]).
    fn drop(&mut self) {
        let rec = std::mem::replace(self.rec.get_mut(), Recording::with_capacity(0));
        cache::give(rec);
    }
}

/// Ends a [`Tape::read`] borrow, also when unwinding: one reader less,
/// and the fast-push limit the borrow set to 0 restored.
struct ReadGuard<'a> {
    readers: &'a Cell<u32>,
    limit: &'a Cell<usize>,
    saved_limit: usize,
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.readers.set(self.readers.get() - 1);
        self.limit.set(self.saved_limit);
    }
}

/// Ends [`Tape::while_lent`]'s refusal of reads, also when unwinding.
struct Unlend<'a>(&'a Cell<bool>);

impl Drop for Unlend<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The panic of [`Tape::read`] while the block values are lent out.
#[cold]
#[inline(never)]
fn lent_read() -> ! {
    panic!(
        "Tape: cannot use a tape while a block writes its values in place \
         (from the writer of record_block_in_place, which must not use the tape)"
    )
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
    ///
    /// A tape reuses the memory of the last large tape dropped on the same
    /// thread (the storage is kept, cleared, for the next tape), so a
    /// program that records big functions over and over does not pay the
    /// operating system's page faults on fresh memory each time: at 10⁷
    /// nodes that was 60% of the cost. At most 1 GiB per scalar type and
    /// thread is kept; [`Tape::release_cached_memory`] frees it.
    pub fn with_capacity(slots: usize) -> Self {
        let mut rec = cache::take::<T>();
        rec.reserve_nodes(slots);
        Tape {
            limit: Cell::new(rec.fast_limit()),
            rec: UnsafeCell::new(rec),
            readers: Cell::new(0),
            lent: Cell::new(false),
            id: next_recording_id(),
        }
    }

    /// Bytes of tape storage this thread keeps from dropped tapes for the
    /// next ones (of every scalar type), plus what the thread's buffer
    /// [`pool`](crate::pool) holds: the adjoint vectors of dropped
    /// [`Gradients`] and block buffers, reused by later sweeps (at most 16
    /// buffers and 1 GiB).
    pub fn cached_memory() -> usize {
        cache::held_bytes()
    }

    /// Frees the tape storage and pooled buffers this thread keeps (see
    /// [`Tape::with_capacity`], [`Tape::cached_memory`]); later tapes and
    /// sweeps allocate afresh.
    pub fn release_cached_memory() {
        cache::release();
    }

    /// Shared access to the recording, during which user code may run
    /// (rules, observers, block VJPs). Any attempt to record meanwhile panics.
    ///
    /// # Panics
    /// While a block writes its values in place ([`Tape::while_lent`]):
    /// the recording's block values are lent out, and a sweep of it (or
    /// its slot count, or a block's values) would be wrong.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Recording<T>) -> R) -> R {
        if self.lent.get() {
            lent_read();
        }
        self.readers.set(self.readers.get() + 1);
        // No fast push while the recording is borrowed: a push from user
        // code run by `f` takes `write`'s path and panics there. (Nothing
        // can be recorded meanwhile, so the saved limit stays right.)
        let _guard = ReadGuard {
            readers: &self.readers,
            limit: &self.limit,
            saved_limit: self.limit.replace(0),
        };
        // SAFETY: the mutable accesses are `write`, which refuses to run
        // while `readers > 0`, `push_node`'s fast path, which the zero
        // limit keeps off, and `clear`, which needs `&mut self`.
        f(unsafe { &*self.rec.get() })
    }

    /// Runs `f`, the writer of [`Tape::record_block_in_place`], while the
    /// block-value store is lent to it (between [`Tape::lend_block_values`]
    /// and [`Tape::return_block_values`]): as a read, so recording panics,
    /// and with every other read refused, so nothing sees the recording
    /// without its block values.
    pub(crate) fn while_lent<R>(&self, f: impl FnOnce() -> R) -> R {
        self.read(|_| {
            self.lent.set(true);
            let _lent = Unlend(&self.lent);
            f()
        })
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
            "Tape: cannot record on a tape while it is being read (from a sweep observer, a block rule or the writer of record_block_in_place)"
        );
        // SAFETY: no `read` borrow is live (checked above), `Tape` is not
        // `Sync`, and `f` is engine code that does not re-enter the tape.
        let rec = unsafe { &mut *self.rec.get() };
        let r = f(rec);
        // `f` may have grown the storage or added block slots.
        self.limit.set(rec.fast_limit());
        r
    }

    /// Appends a unary or binary scalar node; returns its slot.
    ///
    /// The fast path is one comparison against `limit`, which is nonzero
    /// only when no `read` borrow is live and the node fits in the spare
    /// capacity below [`MAX_SLOTS`]; otherwise [`Tape::make_room`] checks,
    /// grows and refreshes the limit (or panics, as recording always did).
    /// The node is then written in place (passing it to an out-of-line
    /// path instead would build it on the stack and copy it: 152 bytes
    /// for `Dual<f64, 8>`).
    ///
    /// # Panics
    /// As [`Tape::write`], or past [`MAX_SLOTS`] slots.
    #[inline(always)]
    fn push_node(&self, node: Node<T>) -> u32 {
        let rec = self.rec.get();
        // SAFETY: a read of the node count. No `&mut Recording` is live
        // here: `write` and `clear` hold one only inside engine code that
        // does not call back into the tape.
        if unsafe { (*rec).num_nodes() } >= self.limit.get() {
            self.make_room();
        }
        // SAFETY: `num_nodes() < limit` now (see `make_room`), and a nonzero
        // limit means no `read` borrow is live (`read` sets it to 0 for its
        // whole extent) while `Tape` is not `Sync`, so this is the only
        // access; `limit ≤ fast_limit()` gives `push_unchecked`'s
        // precondition, as every mutation of the recording (`write`,
        // `clear`, `with_capacity`) refreshes the limit.
        unsafe { (*rec).push_unchecked(node) }
    }

    /// The slow path of [`Tape::push_node`]: makes room for one node and
    /// refreshes the limit, so that `num_nodes() < limit` afterwards.
    ///
    /// # Panics
    /// During a [`Tape::read`] (as `write`), or if the next slot would be
    /// past [`MAX_SLOTS`].
    #[cold]
    #[inline(never)]
    fn make_room(&self) {
        self.write(|rec| rec.reserve_one());
        debug_assert!(
            // SAFETY: as in `push_node`.
            unsafe { (*self.rec.get()).num_nodes() } < self.limit.get()
        );
    }

    /// The identity of the current recording, unique in the process and
    /// renewed by [`Tape::clear`].
    #[inline]
    pub(crate) fn recording_id(&self) -> u64 {
        self.id
    }

    /// Forgets everything recorded and keeps the allocation; starts a new
    /// recording with a new identity.
    ///
    /// Taking `&mut self` means the borrow checker proves that no `Var` of
    /// the old recording is still alive; the new identity means that
    /// [`Gradients`] of the old recording refuse `Var`s of the new one
    /// instead of answering with stale adjoints.
    pub fn clear(&mut self) {
        self.id = next_recording_id();
        self.rec.get_mut().clear();
        self.limit.set(self.rec.get_mut().fast_limit());
    }

    /// The most slots one recording can hold, `2³⁰ − 1` (a slot index is
    /// stored in 30 bits, next to two bits of curvature kind). Recording
    /// past it panics with "tape overflow" rather than corrupting the
    /// recording; at 24 bytes a node that is a 24 GiB tape of `f64`s.
    pub const MAX_SLOTS: usize = MAX_SLOTS;

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
        self.read(|r| r.node_capacity())
    }

    /// True if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of scalar nodes (leaves included).
    pub fn num_nodes(&self) -> usize {
        self.read(|r| r.num_nodes())
    }

    /// Number of block operations (input blocks included).
    pub fn num_blocks(&self) -> usize {
        self.read(|r| r.num_blocks())
    }

    /// A new independent variable with value `value`.
    ///
    /// # Panics
    /// If the tape already holds [`Tape::MAX_SLOTS`] slots (as every
    /// recording operation).
    pub fn var(&self, value: T) -> Var<'_, T> {
        let slot = self.write(|rec| rec.push_leaf());
        Var::on_tape(self, slot, value)
    }

    /// One independent variable per value (the same as [`Tape::var`] on
    /// each in turn, recorded in one step).
    ///
    /// # Panics
    /// If the last one's slot would be past [`Tape::MAX_SLOTS`].
    pub fn vars(&self, values: &[T]) -> Vec<Var<'_, T>> {
        let first = self.write(|rec| rec.push_leaves(values.len()));
        // Slots `first .. first + len` were checked to be at most
        // `MAX_SLOTS < 2³²`, so `first + k` does not wrap.
        (first..)
            .zip(values)
            .map(|(slot, &v)| Var::on_tape(self, slot, v))
            .collect()
    }

    /// Records `value = f(parent)` with local partial `partial`.
    #[inline(always)]
    pub(crate) fn push_unary(&self, parent: u32, partial: T, value: T, kind: Kind) -> Var<'_, T> {
        let slot = self.push_node(Node::unary(parent, partial, kind));
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
        let slot = self.push_node(Node::binary(a, b, da, db, kind));
        Var::on_tape(self, slot, value)
    }

    /// Appends a block's output values and its entry; returns its first
    /// slot and where its values start in the block-value store.
    pub(crate) fn push_block(&self, values: &[T], op: Box<dyn BlockOp<T>>) -> (u32, u32) {
        self.write(|rec| rec.push_block(values, op))
    }

    /// The block-value store, lent out for a block to write its values in
    /// place (`Recording::lend_block_values`); the recording holds an
    /// empty one until [`Tape::return_block_values`].
    pub(crate) fn lend_block_values(&self) -> Vec<T> {
        self.write(|rec| rec.lend_block_values())
    }

    /// The lent store back, with a new block's values after `old` and its
    /// entry `op` (`Recording::return_block_values`).
    ///
    /// # Panics
    /// If the tape would hold more than [`Tape::MAX_SLOTS`] slots: after
    /// the store is back without the new values and the fast-push limit
    /// is derived from it.
    pub(crate) fn return_block_values(
        &self,
        store: Vec<T>,
        old: usize,
        op: Option<Box<dyn BlockOp<T>>>,
    ) -> Option<(u32, u32)> {
        self.write(|rec| rec.return_block_values(store, old, op))
            .unwrap_or_else(|slot| slot_overflow(slot))
    }

    /// Stores the values of a real constant block; returns the first slot
    /// a later entry would take (the block itself owns none) and where its
    /// values start in the real-value store.
    pub(crate) fn push_reals(&self, values: &[f64]) -> (u32, u32) {
        // `len() ≤ MAX_SLOTS < 2³²`: the cast is exact.
        self.write(|rec| (rec.len() as u32, rec.push_reals(values)))
    }

    /// Real constant values `offset .. offset + len`, copied out.
    pub(crate) fn reals_of(&self, offset: u32, len: usize) -> Vec<f64> {
        self.read(|rec| rec.real_values()[offset as usize..offset as usize + len].to_vec())
    }

    /// Runs `f` on the block-value store and the real-constant store
    /// together (a block operation with a real constant operand reads both).
    pub(crate) fn with_values_and_reals<R>(&self, f: impl FnOnce(&[T], &[f64]) -> R) -> R {
        self.read(|rec| f(rec.block_values(), rec.real_values()))
    }

    /// Block values `offset .. offset + len`, copied out.
    pub(crate) fn values_of(&self, offset: u32, len: usize) -> Vec<T> {
        self.read(|rec| rec.block_values()[offset as usize..offset as usize + len].to_vec())
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
        self.read(|rec| f(rec.block_values()))
    }

    /// The recording, entry by entry, for printing and teaching.
    pub fn entries(&self) -> Vec<Entry<T>> {
        self.read(|rec| Self::entries_of(rec))
    }

    fn entries_of(rec: &Recording<T>) -> Vec<Entry<T>> {
        let mut out = Vec::with_capacity(rec.len());
        for seg in rec.segments() {
            match seg {
                Segment::Block(b) => out.push(Entry::Block {
                    name: b.op().name(),
                    start: b.slots().start,
                    len: b.slots().len(),
                }),
                Segment::Nodes { slots, nodes } => {
                    out.extend(slots.zip(nodes).map(|(slot, n)| Self::entry_of(slot, n)))
                }
            }
        }
        out
    }

    fn entry_of(slot: usize, n: &Node<T>) -> Entry<T> {
        let [p, q] = n.parent_slots();
        let [dp, dq] = *n.partials();
        if p == slot {
            Entry::Leaf { slot }
        } else if p == q && dq.is_exact_zero() {
            Entry::Node {
                slot,
                parents: vec![(p, dp)],
            }
        } else {
            Entry::Node {
                slot,
                parents: vec![(p, dp), (q, dq)],
            }
        }
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
        self.read(|rec| Gradients::new(self, Self::sweep(rec, slot, seed, &mut observe, None)))
    }

    /// [`Var::backward_wrt`]: the sweep from `output` restricted to what
    /// depends on `wanted`.
    pub(crate) fn backward_wrt(&self, output: Var<'_, T>, wanted: &[Var<'_, T>]) -> Vec<T> {
        let Some(slot) = output.slot_on(self) else {
            return Gradients::<T>::of_constant().wrt_all(wanted);
        };
        let gradients = self.read(|rec| {
            let reach = reach::reach(rec, wanted.iter().filter_map(|v| v.slot_on(self)), slot);
            let adjoints = Self::sweep(rec, slot, T::one(), &mut |_| {}, Some(&reach));
            Gradients::new(self, adjoints)
        });
        gradients.wrt_all(wanted)
    }

    /// The reverse sweep over scalar nodes `run` owning slots `start ..
    /// start + run.len()`, last to first: `ā_p += (∂s/∂p) · ā_s` for each
    /// parent `p` of each node `s` whose adjoint is not exactly zero.
    /// `LEAVES` says whether `run` may hold leaves (a leaf's adjoint is
    /// final and goes nowhere).
    ///
    /// # Panics
    /// If the run's slots are not all inside `adj`.
    #[inline(always)]
    fn sweep_nodes<const LEAVES: bool>(
        run: &[Node<T>],
        start: usize,
        adj: &mut [T],
        observe: &mut impl FnMut(SweepStep<'_, T>),
    ) {
        let end = start + run.len();
        assert!(end <= adj.len(), "sweep: nodes past the adjoints");
        // Counting the slot down beside the iterator (rather than
        // enumerating) avoids recomputing it from the iterator's position,
        // a division by the node size.
        let mut s = end;
        for node in run.iter().rev() {
            s -= 1;
            // SAFETY: `s < end ≤ adj.len()` (asserted above).
            let a = unsafe { *adj.get_unchecked(s) };
            if a.is_exact_zero() {
                continue;
            }
            let [p, q] = node.parent_slots();
            if LEAVES && p == s {
                continue; // a leaf: its adjoint is final
            }
            debug_assert!(p < s && q < s, "slot {s}: parents {p}, {q}");
            // By reference: a unary node's second partial is never read
            // (for duals it is a wide value).
            let d = node.partials();
            // SAFETY: an operation's parents were recorded before it
            // (`Var`s of this recording name them; `Var`s of a cleared
            // recording cannot exist: `clear` takes `&mut self`), so `p, q
            // < s < adj.len()`; a leaf names itself, `p = q = s`, in
            // bounds too (it cannot occur when `LEAVES` is false: the
            // caller splits the run at the last leaf).
            unsafe {
                *adj.get_unchecked_mut(p) += d[0] * a;
                // A unary node repeats its parent; skipping the second
                // update avoids a read-modify-write of the slot just
                // written.
                if q != p {
                    *adj.get_unchecked_mut(q) += d[1] * a;
                }
            }
            observe(SweepStep::Node {
                slot: s,
                adjoints: adj,
            });
        }
    }

    /// The adjoint vector for a sweep from `slot` restricted by `reach`:
    /// zeros in every slot the sweep reads or writes (the scalar nodes',
    /// the blocks' that depend on a wanted variable, everything after
    /// `slot`), and whatever the reused buffer held in the slots of blocks
    /// that do not, which the sweep skips and whose adjoints are not
    /// returned (a rule never writes them: [`Cotangents::adjoint`] gives
    /// `None` for such inputs; a scalar node may, harmlessly). A Hessian
    /// sweep of an MLP's later layers skips its first layer: zeroing only
    /// the rest saves a pass over a large share of a wide-dual tape.
    fn restricted_adjoints(rec: &Recording<T>, slot: usize, reach: &[bool]) -> Vec<T> {
        let len = rec.len();
        let mut adj: Vec<T> = pool::take_kept(len);
        adj.truncate(len);
        adj.resize(len, T::zero());
        T::fill_zero(&mut adj[slot..]);
        for seg in rec.segments() {
            match seg {
                Segment::Nodes { slots, .. } => {
                    if slots.start > slot {
                        break;
                    }
                    T::fill_zero(&mut adj[slots.start..slots.end.min(slot)]);
                }
                Segment::Block(block) => {
                    let range = block.slots();
                    if range.start > slot {
                        break;
                    }
                    let range = range.start..range.end.min(slot);
                    if reach[range.start] {
                        T::fill_zero(&mut adj[range]);
                    } else {
                        // Not swept, but an entry of it may itself be
                        // wanted (marked alone): its adjoint is returned.
                        for s in range.filter(|&s| reach[s]) {
                            adj[s] = T::zero();
                        }
                    }
                }
            }
        }
        adj
    }

    /// The reverse sweep proper: returns every slot's adjoint. With
    /// `reach` (which slots depend on the wanted variables, for
    /// [`Var::backward_wrt`]), block operations whose outputs do not are
    /// skipped and rules skip such inputs; the adjoints of slots that do
    /// not are then incomplete and must not be read. Scalar nodes are swept
    /// as ever: skipping them would cost a test per node and save little.
    fn sweep(
        rec: &Recording<T>,
        slot: usize,
        seed: T,
        observe: &mut impl FnMut(SweepStep<'_, T>),
        reach: Option<&[bool]>,
    ) -> Vec<T> {
        // Recycled: see `cache` (a fresh vector faulted its pages in on
        // every sweep once it passed the allocator's trim threshold).
        let mut adj = match reach {
            None => cache::take_adjoints(rec.len()),
            Some(reach) => Self::restricted_adjoints(rec, slot, reach),
        };
        adj[slot] = seed;
        // Walk the tape backwards, a run of scalar nodes or a block at a
        // time. Nothing after the output can carry an adjoint.
        for seg in rec.segments().rev() {
            match seg {
                Segment::Nodes { slots, nodes } => {
                    if slots.start > slot {
                        continue;
                    }
                    let end = slots.end.min(slot + 1);
                    let run = &nodes[..end - slots.start];
                    // Past the last leaf no node needs the leaf test.
                    let split = rec.leaves_end().clamp(slots.start, end);
                    let (with_leaves, operations) = run.split_at(split - slots.start);
                    Self::sweep_nodes::<false>(operations, split, &mut adj, observe);
                    // The last run of leaves is not visited at all: a
                    // leaf's adjoint is final and goes nowhere (W1's
                    // inputs: 1000 leaves tested one by one for nothing).
                    let leaves = rec.leaf_run_start().clamp(slots.start, split);
                    let mixed = &with_leaves[..leaves - slots.start];
                    Self::sweep_nodes::<true>(mixed, slots.start, &mut adj, observe);
                }
                Segment::Block(block) => {
                    let range = block.slots();
                    if range.start > slot || reach.is_some_and(|r| !r[range.start]) {
                        continue;
                    }
                    let (before, rest) = adj.split_at_mut(range.start);
                    let out = &rest[..range.len()];
                    if !out.iter().all(|a| a.is_exact_zero()) {
                        let mut cot = Cotangents {
                            values: rec.block_values(),
                            reals: rec.real_values(),
                            output: out,
                            output_value: &rec.block_values()[block.value_range()],
                            adjoints: before,
                            reach,
                        };
                        block.op().vjp(&mut cot);
                        observe(SweepStep::Block {
                            name: block.op().name(),
                            start: range.start,
                            adjoints: &adj,
                        });
                    }
                }
            }
        }
        adj
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-place block past the slot limit panics when its store is
    /// given back; the fast-push limit must then be derived from the store
    /// as it is again, not left as computed while it was lent out (empty):
    /// that limit was `old` too large, so later scalar pushes skipped the
    /// slot check and could spill slot indices into the kind bits. The
    /// stores are zeroed allocations never written, so no page is touched;
    /// but they reserve about 14 GB of address space, which a machine with
    /// strict overcommit (or less memory) refuses by aborting the whole
    /// test binary: run by hand (`cargo test -p saddle-tape --release --lib
    /// -- --ignored`).
    #[test]
    #[ignore = "reserves ~14 GB of address space; run by hand"]
    fn a_block_past_the_slot_limit_leaves_the_fast_push_limit_right() {
        let old = 1 << 29;
        let tape = Tape::<f32>::with_capacity(old + 16);
        // A block of `old` values, given back through the same path.
        let store = tape.lend_block_values();
        assert!(store.is_empty());
        drop(store);
        assert!(tape
            .return_block_values(vec![0.0; old], 0, Some(Box::new(NoOp)))
            .is_some());
        let right = tape.read(|rec| rec.fast_limit());
        assert_eq!(right, MAX_SLOTS + 1 - old);
        // Now a block that would reach past the limit.
        let lent = tape.lend_block_values();
        assert_eq!(lent.len(), old);
        drop(lent);
        let store = vec![0.0; MAX_SLOTS + 1];
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tape.return_block_values(store, old, Some(Box::new(NoOp)))
        }));
        assert!(caught.is_err());
        assert_eq!(tape.len(), old);
        assert_eq!(tape.limit.get(), right);
    }

    struct NoOp;
    impl BlockOp<f32> for NoOp {
        fn name(&self) -> &'static str {
            "no-op"
        }
        fn inputs(&self) -> Vec<std::ops::Range<usize>> {
            Vec::new()
        }
        fn vjp(&self, _: &mut Cotangents<'_, f32>) {}
    }

    #[test]
    fn a_binary_f64_node_takes_24_bytes() {
        assert_eq!(Tape::<f64>::NODE_BYTES, 24);
        assert_eq!(Tape::<f32>::NODE_BYTES, 16);
    }
}
