//! What a tape records, and the one way to walk it.
//!
//! Every recorded number has a *slot* (its index in recording order). A
//! slot is filled either by a scalar [`Node`] (a leaf, or a unary or binary
//! operation: its parents' slots and the local partials) or by one output
//! of a [block entry](BlockEntry) (a matrix-valued operation owning a
//! contiguous range of slots). In slot order the recording is therefore a
//! sequence of **segments**: runs of scalar nodes and single blocks,
//! alternating. [`Recording::segments`] is that sequence, forwards or
//! backwards; the reverse sweep, [`Tape::entries`](crate::Tape::entries)
//! and the sparsity analysis all walk the tape through it, so the mapping
//! from slots to their owners lives in this one place.
//!
//! The fields are private: nodes are built only by the constructors here,
//! which is what keeps the invariants the sweep relies on (parents recorded
//! before children, slots below [`MAX_SLOTS`], kind bits intact).

use std::ops::Range;

use crate::block::BlockOp;
use crate::scalar::Scalar;

/// Slot indices use the low 30 bits of a parent field; the top two bits of
/// the second parent hold the node's [`Kind`].
const SLOT_BITS: u32 = 30;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;

/// The most slots one recording can hold, `2³⁰ − 1`: a slot index must fit
/// in the 30 bits next to the kind bits.
pub(crate) const MAX_SLOTS: usize = SLOT_MASK as usize;

/// Converts a slot count or index to the 30-bit index nodes store.
///
/// # Panics
/// Past [`MAX_SLOTS`] (a 24 GiB tape of `f64` nodes), with a message: a
/// larger index would spill into the kind bits and silently corrupt the
/// recording.
#[inline(always)]
pub(crate) fn slot_index(n: usize) -> u32 {
    if n > MAX_SLOTS {
        slot_overflow(n);
    }
    n as u32
}

#[cold]
#[inline(never)]
pub(crate) fn slot_overflow(n: usize) -> ! {
    panic!("tape overflow: slot {n} is past the limit of {MAX_SLOTS} slots per recording")
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

/// A scalar node: its parents' slots and `∂(this)/∂(parent)`.
///
/// A unary node repeats its parent with a zero second partial (and a
/// binary operation on one variable twice, like `x·x`, is recorded as
/// unary); a leaf names itself as parent. For `f64` this is 24 bytes.
/// Scalar values are not kept on the tape at all: the `Var` handles carry
/// them, and the sweep needs only the partials.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Node<T> {
    parents: [u32; 2],
    partials: [T; 2],
}

impl<T: Scalar> Node<T> {
    /// The leaf at `slot`.
    #[inline(always)]
    fn leaf(slot: u32) -> Self {
        Node {
            parents: [slot, slot],
            partials: [T::zero(); 2],
        }
    }

    /// `f(parent)` with `∂f/∂parent = partial`.
    #[inline(always)]
    pub(crate) fn unary(parent: u32, partial: T, kind: Kind) -> Self {
        Node {
            parents: [parent, parent | (kind as u32) << SLOT_BITS],
            partials: [partial, T::zero()],
        }
    }

    /// `f(a, b)` with partials `(da, db)`, `a ≠ b`.
    #[inline(always)]
    pub(crate) fn binary(a: u32, b: u32, da: T, db: T, kind: Kind) -> Self {
        Node {
            parents: [a, b | (kind as u32) << SLOT_BITS],
            partials: [da, db],
        }
    }
}

impl<T> Node<T> {
    /// The two parent slots, without the kind bits.
    #[inline(always)]
    pub(crate) fn parent_slots(&self) -> [usize; 2] {
        [
            self.parents[0] as usize,
            (self.parents[1] & SLOT_MASK) as usize,
        ]
    }

    /// `[∂/∂p, ∂/∂q]` for the parents `[p, q]` of [`Node::parent_slots`].
    #[inline(always)]
    pub(crate) fn partials(&self) -> &[T; 2] {
        &self.partials
    }

    /// How the node depends on its parents.
    pub(crate) fn kind(&self) -> Kind {
        Kind::from_bits(self.parents[1] >> SLOT_BITS)
    }
}

/// A block operation on the tape: its output slots `start .. start + len`
/// and the rule that pulls their cotangent back to its inputs (its values
/// are in the recording's block-value store).
pub(crate) struct BlockEntry<T: Scalar> {
    start: u32,
    len: u32,
    /// Where its values start in the block-value store.
    offset: u32,
    op: Box<dyn BlockOp<T>>,
}

impl<T: Scalar> BlockEntry<T> {
    /// The slots the block owns.
    #[inline(always)]
    pub(crate) fn slots(&self) -> Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }

    /// Its values' place in the block-value store.
    #[inline(always)]
    pub(crate) fn value_range(&self) -> Range<usize> {
        self.offset as usize..(self.offset + self.len) as usize
    }

    /// The operation (its name, inputs, linearity and VJP).
    #[inline(always)]
    pub(crate) fn op(&self) -> &dyn BlockOp<T> {
        &*self.op
    }
}

/// Everything recorded so far.
pub(crate) struct Recording<T: Scalar> {
    /// One node per scalar slot, in recording order (block slots have none).
    nodes: Vec<Node<T>>,
    /// The values of block slots, block after block (block operations read
    /// their inputs' values here in the sweep).
    block_values: Vec<T>,
    /// Block operations, in recording order.
    blocks: Vec<BlockEntry<T>>,
    /// The values of real constant blocks ([`Tape::constant_block_real`]),
    /// block after block. They own no slots and no entry: a constant has no
    /// adjoint, so the sweep never visits them, and a plain `f64` costs 8
    /// bytes where a `Dual<f64, K>` costs `8·(K + 1)`.
    ///
    /// [`Tape::constant_block_real`]: crate::Tape::constant_block_real
    real_values: Vec<f64>,
    /// One past the slot of the last leaf (0 if none): every scalar node at
    /// or after it is an operation, so the sweep need not test for leaves
    /// there (inputs are usually recorded first).
    leaves_end: usize,
    /// The first slot of the run of consecutive leaves that ends at
    /// `leaves_end` (0 if none): the sweep skips that run without visiting
    /// it, as a leaf's adjoint is final and goes nowhere (inputs recorded
    /// with [`Tape::vars`](crate::Tape::vars) are one such run).
    leaf_run_start: usize,
}

impl<T: Scalar> Recording<T> {
    /// An empty recording with room for `nodes` scalar nodes.
    pub(crate) fn with_capacity(nodes: usize) -> Self {
        Recording {
            nodes: Vec::with_capacity(nodes),
            block_values: Vec::new(),
            blocks: Vec::new(),
            real_values: Vec::new(),
            leaves_end: 0,
            leaf_run_start: 0,
        }
    }

    /// Forgets everything, keeping the allocations.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.block_values.clear();
        self.blocks.clear();
        self.real_values.clear();
        self.leaves_end = 0;
        self.leaf_run_start = 0;
    }

    /// Number of slots: one per scalar node plus one per block value.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len() + self.block_values.len()
    }

    /// Number of scalar nodes.
    #[inline(always)]
    pub(crate) fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Number of block entries.
    pub(crate) fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Bytes of storage allocated (capacity, not length).
    pub(crate) fn capacity_bytes(&self) -> usize {
        use std::mem::size_of;
        self.nodes.capacity() * size_of::<Node<T>>()
            + self.block_values.capacity() * size_of::<T>()
            + self.blocks.capacity() * size_of::<BlockEntry<T>>()
            + self.real_values.capacity() * size_of::<f64>()
    }

    /// Makes room for at least `nodes` scalar nodes in all.
    pub(crate) fn reserve_nodes(&mut self, nodes: usize) {
        self.nodes.reserve(nodes.saturating_sub(self.nodes.len()));
    }

    /// How many scalar nodes fit before the storage grows.
    pub(crate) fn node_capacity(&self) -> usize {
        self.nodes.capacity()
    }

    /// The values of every block, block after block.
    #[inline(always)]
    pub(crate) fn block_values(&self) -> &[T] {
        &self.block_values
    }

    /// The values of every real constant block, block after block.
    #[inline(always)]
    pub(crate) fn real_values(&self) -> &[f64] {
        &self.real_values
    }

    /// Appends the values of a real constant block; returns where they
    /// start in the real-value store.
    ///
    /// # Panics
    /// If the store would hold more than [`MAX_SLOTS`] values (the same
    /// limit as the slots, so offsets fit the `u32` of [`Slots`]).
    ///
    /// [`Slots`]: crate::Slots
    pub(crate) fn push_reals(&mut self, values: &[f64]) -> u32 {
        let offset = slot_index(self.real_values.len());
        slot_index(self.real_values.len().saturating_add(values.len()));
        self.real_values.extend_from_slice(values);
        offset
    }

    /// Records a leaf; returns its slot.
    ///
    /// # Panics
    /// Past [`MAX_SLOTS`] slots.
    #[inline(always)]
    pub(crate) fn push_leaf(&mut self) -> u32 {
        let slot = slot_index(self.len());
        self.nodes.push(Node::leaf(slot));
        self.extend_leaf_run(slot as usize, 1);
        slot
    }

    /// Records `n` leaves at once; returns the slot of the first (the
    /// slot the next node would take when `n = 0`).
    ///
    /// One check and one reservation for all of them: recording inputs one
    /// [`Recording::push_leaf`] at a time re-derived the fast-push limit
    /// after each (about 40 instructions a leaf against 10).
    ///
    /// # Panics
    /// If the last leaf's slot would be past [`MAX_SLOTS`] (checked before
    /// anything is allocated or recorded).
    pub(crate) fn push_leaves(&mut self, n: usize) -> u32 {
        let first = slot_index(self.len());
        if n == 0 {
            return first;
        }
        // The last slot, `len + n − 1`, must fit too.
        slot_index(self.len().saturating_add(n - 1));
        self.nodes.reserve(n);
        // `first + n − 1 ≤ MAX_SLOTS < 2³²`: the slots below do not wrap.
        self.nodes
            .extend((0..n as u32).map(|k| Node::leaf(first + k)));
        self.extend_leaf_run(first as usize, n);
        first
    }

    /// Notes `n ≥ 1` leaves recorded at slots `first ..`: they continue
    /// the last run of leaves if it ended just before `first`, else start
    /// a new one.
    #[inline(always)]
    fn extend_leaf_run(&mut self, first: usize, n: usize) {
        // `leaves_end = 0` with `first = 0` is the first run of a
        // recording, starting at 0 as `leaf_run_start` already says.
        if first != self.leaves_end {
            self.leaf_run_start = first;
        }
        self.leaves_end = first + n;
    }

    /// The first slot of the run of consecutive leaves ending at
    /// [`Recording::leaves_end`]: every slot in `leaf_run_start() ..
    /// leaves_end()` is a leaf (the range is empty if there are none).
    #[inline(always)]
    pub(crate) fn leaf_run_start(&self) -> usize {
        self.leaf_run_start
    }

    /// One past the slot of the last leaf: no scalar node at or after it
    /// is a leaf.
    #[inline(always)]
    pub(crate) fn leaves_end(&self) -> usize {
        self.leaves_end
    }

    /// Makes room for one more scalar node.
    ///
    /// # Panics
    /// If its slot would be past [`MAX_SLOTS`].
    pub(crate) fn reserve_one(&mut self) {
        slot_index(self.len());
        self.nodes.reserve(1);
    }

    /// How many scalar nodes the recording can hold with no check but
    /// `num_nodes() < fast_limit()`: the spare capacity, and no more than
    /// keeps every slot index at most [`MAX_SLOTS`].
    #[inline]
    pub(crate) fn fast_limit(&self) -> usize {
        self.nodes
            .capacity()
            .min((MAX_SLOTS + 1).saturating_sub(self.block_values.len()))
    }

    /// [`Recording::push_node`] without its checks.
    ///
    /// # Safety
    /// `self.num_nodes() < self.fast_limit()`: the node fits in the
    /// allocated capacity, and its slot `num_nodes() + block values` is at
    /// most [`MAX_SLOTS`].
    #[inline(always)]
    pub(crate) unsafe fn push_unchecked(&mut self, node: Node<T>) -> u32 {
        let len = self.nodes.len();
        debug_assert!(len < self.fast_limit());
        let slot = (len + self.block_values.len()) as u32;
        debug_assert!(node.parent_slots().iter().all(|&p| p < slot as usize));
        // SAFETY: `len < capacity` (the precondition), so the write stays in
        // the allocation and `set_len` covers initialised elements only.
        unsafe {
            self.nodes.as_mut_ptr().add(len).write(node);
            self.nodes.set_len(len + 1);
        }
        slot
    }

    /// Appends a block's output values and its entry; returns its first
    /// slot and where its values start in the block-value store.
    ///
    /// # Panics
    /// If the recording would hold more than [`MAX_SLOTS`] slots.
    pub(crate) fn push_block(&mut self, values: &[T], op: Box<dyn BlockOp<T>>) -> (u32, u32) {
        let start = slot_index(self.len());
        let offset = slot_index(self.block_values.len());
        // The block's last slot must be addressable too.
        slot_index(self.len().saturating_add(values.len()));
        self.block_values.extend_from_slice(values);
        self.blocks.push(BlockEntry {
            start,
            len: values.len() as u32,
            offset,
            op,
        });
        (start, offset)
    }

    /// Lends the block-value store out (the recording holds an empty one
    /// meanwhile), for a block to write its values in place
    /// ([`Tape::record_block_in_place`]). Give it back with
    /// [`Recording::return_block_values`] before anything else is recorded.
    ///
    /// [`Tape::record_block_in_place`]: crate::Tape::record_block_in_place
    pub(crate) fn lend_block_values(&mut self) -> Vec<T> {
        std::mem::take(&mut self.block_values)
    }

    /// Takes the lent store back: its old values (`..old`) and then those
    /// of a new block. With `op`, records the block's entry and returns its
    /// first slot and value offset; with `None` the new values are dropped.
    ///
    /// # Errors
    /// The slot past [`MAX_SLOTS`] the block would reach (the new values
    /// are dropped, so the recording stays whole): the caller panics with
    /// [`slot_overflow`] once it has refreshed what depends on the store
    /// (the tape's fast-push limit; panicking here skipped that, leaving
    /// a limit computed without the lent values).
    pub(crate) fn return_block_values(
        &mut self,
        store: Vec<T>,
        old: usize,
        op: Option<Box<dyn BlockOp<T>>>,
    ) -> Result<Option<(u32, u32)>, usize> {
        self.block_values = store;
        let written = self.block_values.len() - old;
        let start = self.nodes.len() + old;
        let Some(op) = op else {
            self.block_values.truncate(old);
            return Ok(None);
        };
        // The block's last slot must be addressable too (`old ≤ start`).
        if start.saturating_add(written) > MAX_SLOTS {
            self.block_values.truncate(old);
            return Err(start.saturating_add(written));
        }
        let (start, offset) = (start as u32, old as u32);
        self.blocks.push(BlockEntry {
            start,
            len: written as u32,
            offset,
            op,
        });
        Ok(Some((start, offset)))
    }

    /// The recording as runs of scalar nodes and single blocks, in slot
    /// order (reverse it for the sweep).
    #[inline]
    pub(crate) fn segments(&self) -> Segments<'_, T> {
        Segments {
            rec: self,
            front: Cursor {
                slot: 0,
                node: 0,
                block: 0,
            },
            back: Cursor {
                slot: self.len(),
                node: self.nodes.len(),
                block: self.blocks.len(),
            },
        }
    }
}

/// One piece of a recording in slot order.
pub(crate) enum Segment<'a, T: Scalar> {
    /// Scalar nodes filling `slots`: `nodes[k]` owns slot `slots.start + k`.
    Nodes {
        /// The slots of the run.
        slots: Range<usize>,
        /// One node per slot.
        nodes: &'a [Node<T>],
    },
    /// A block entry (owning `entry.slots()`).
    Block(&'a BlockEntry<T>),
}

/// A position between segments: the next slot, node and block.
#[derive(Clone, Copy)]
struct Cursor {
    slot: usize,
    node: usize,
    block: usize,
}

/// The iterator of [`Recording::segments`]: double-ended, one step per
/// segment (never per node), so walking it costs nothing on top of the
/// work done inside each segment.
pub(crate) struct Segments<'a, T: Scalar> {
    rec: &'a Recording<T>,
    front: Cursor,
    back: Cursor,
}

impl<'a, T: Scalar> Iterator for Segments<'a, T> {
    type Item = Segment<'a, T>;

    #[inline]
    fn next(&mut self) -> Option<Segment<'a, T>> {
        let (f, b) = (self.front, self.back);
        if f.slot >= b.slot {
            return None;
        }
        let blocks = &self.rec.blocks[f.block..b.block];
        if let Some(e) = blocks.first().filter(|e| e.start as usize == f.slot) {
            self.front.slot += e.len as usize;
            self.front.block += 1;
            return Some(Segment::Block(e));
        }
        let end = blocks.first().map_or(b.slot, |e| e.start as usize);
        let len = end - f.slot;
        self.front.slot = end;
        self.front.node += len;
        Some(Segment::Nodes {
            slots: f.slot..end,
            nodes: &self.rec.nodes[f.node..f.node + len],
        })
    }
}

impl<'a, T: Scalar> DoubleEndedIterator for Segments<'a, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Segment<'a, T>> {
        let (f, b) = (self.front, self.back);
        if f.slot >= b.slot {
            return None;
        }
        let blocks = &self.rec.blocks[f.block..b.block];
        if let Some(e) = blocks
            .last()
            .filter(|e| (e.start + e.len) as usize == b.slot)
        {
            self.back.slot = e.start as usize;
            self.back.block -= 1;
            return Some(Segment::Block(e));
        }
        let start = blocks.last().map_or(f.slot, |e| (e.start + e.len) as usize);
        let len = b.slot - start;
        self.back.slot = start;
        self.back.node -= len;
        Some(Segment::Nodes {
            slots: start..b.slot,
            nodes: &self.rec.nodes[b.node - len..b.node],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "tape overflow: slot 1073741824 is past the limit of 1073741823")]
    fn slot_index_past_30_bits_panics_instead_of_corrupting_the_kind_bits() {
        // Recording 2³⁰ real nodes would take 24 GiB; the check every push
        // goes through is this function.
        slot_index(MAX_SLOTS + 1);
    }

    #[test]
    #[should_panic(expected = "tape overflow: slot 1073741824 is past the limit of 1073741823")]
    fn push_leaves_past_the_slot_limit_panics_before_allocating() {
        // 2³⁰ leaves would need 24 GiB; the check comes before `reserve`,
        // so this panics at once instead of failing to allocate.
        let mut r = Recording::<f64>::with_capacity(0);
        r.push_leaf();
        r.push_leaves(MAX_SLOTS + 1);
    }

    /// The bulk path records exactly what leaf-by-leaf recording does.
    #[test]
    fn push_leaves_equals_push_leaf_repeated() {
        let mut one = Recording::<f64>::with_capacity(0);
        let mut bulk = Recording::<f64>::with_capacity(0);
        one.push_block(&[1.0, 2.0], Box::new(Noop));
        bulk.push_block(&[1.0, 2.0], Box::new(Noop));
        let singles: Vec<u32> = (0..5).map(|_| one.push_leaf()).collect();
        assert_eq!(bulk.push_leaves(0), 2);
        assert_eq!(bulk.leaves_end(), 0);
        assert_eq!(bulk.push_leaves(5), 2);
        assert_eq!(singles, [2, 3, 4, 5, 6]);
        assert_eq!(bulk.len(), one.len());
        assert_eq!(bulk.leaves_end(), one.leaves_end());
        for (a, b) in one.nodes.iter().zip(&bulk.nodes) {
            assert_eq!(a.parents, b.parents);
            assert_eq!(a.partials, b.partials);
        }
    }

    /// `leaf_run_start .. leaves_end` is the last run of consecutive
    /// leaves: extended by leaves that follow it directly, restarted by a
    /// leaf after an operation or a block, reset by `clear`.
    #[test]
    fn the_last_leaf_run_is_tracked() {
        let mut r = Recording::<f64>::with_capacity(0);
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (0, 0));
        r.push_leaves(3); // 0..3
        r.push_leaf(); // 3
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (0, 4));
        r.reserve_one();
        // SAFETY: `reserve_one` made room below the slot limit.
        unsafe { r.push_unchecked(Node::unary(1, 2.0, Kind::Linear)) }; // 4
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (0, 4));
        r.push_leaf(); // 5: a new run
        r.push_leaves(2); // 6..8
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (5, 8));
        r.push_block(&[1.0, 2.0], Box::new(Noop)); // 8..10
        r.push_leaves(2); // 10..12: after a block, a new run
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (10, 12));
        r.clear();
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (0, 0));
        r.push_block(&[1.0], Box::new(Noop)); // 0..1
        r.push_leaf(); // 1
        assert_eq!((r.leaf_run_start(), r.leaves_end()), (1, 2));
    }

    #[test]
    fn the_largest_slot_keeps_its_kind() {
        let s = slot_index(MAX_SLOTS);
        let n = Node::<f64>::binary(s - 1, s, 1.0, 2.0, Kind::Nonlinear);
        assert_eq!(n.parent_slots(), [MAX_SLOTS - 1, MAX_SLOTS]);
        assert_eq!(n.kind(), Kind::Nonlinear);
    }

    struct Noop;
    impl BlockOp<f64> for Noop {
        fn name(&self) -> &'static str {
            "noop"
        }
        fn inputs(&self) -> Vec<Range<usize>> {
            Vec::new()
        }
        fn vjp(&self, _: &mut crate::block::Cotangents<'_, f64>) {}
    }

    /// Segments in both directions cover every slot once, in order, with
    /// node runs and blocks alternating as recorded.
    #[test]
    fn segments_walk_both_ways() {
        let mut r = Recording::<f64>::with_capacity(0);
        r.push_block(&[1.0, 2.0], Box::new(Noop)); // slots 0..2
        r.push_block(&[3.0], Box::new(Noop)); // 2..3
        let a = r.push_leaf(); // 3
        r.reserve_one();
        // SAFETY: `reserve_one` made room below the slot limit.
        unsafe { r.push_unchecked(Node::unary(a, 1.0, Kind::Linear)) }; // 4
        r.push_block(&[4.0; 3], Box::new(Noop)); // 5..8
        r.push_leaf(); // 8
        let describe = |s: Segment<'_, f64>| match s {
            Segment::Nodes { slots, nodes } => {
                assert_eq!(slots.len(), nodes.len());
                ('n', slots)
            }
            Segment::Block(e) => ('b', e.slots()),
        };
        let fwd: Vec<_> = r.segments().map(describe).collect();
        assert_eq!(
            fwd,
            [
                ('b', 0..2),
                ('b', 2..3),
                ('n', 3..5),
                ('b', 5..8),
                ('n', 8..9)
            ]
        );
        let mut bwd: Vec<_> = r.segments().rev().map(describe).collect();
        bwd.reverse();
        assert_eq!(bwd, fwd);
        // Meeting in the middle.
        let mut it = r.segments();
        assert!(matches!(it.next(), Some(Segment::Block(_))));
        assert!(matches!(it.next_back(), Some(Segment::Nodes { .. })));
        assert_eq!(it.count(), 3);
        assert_eq!(Recording::<f64>::with_capacity(0).segments().count(), 0);
    }
}
