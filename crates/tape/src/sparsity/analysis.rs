//! The two passes over the recording: liveness backward, domains and
//! interactions forward (see the module doc of `sparsity` for the rules
//! and the bounds).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use super::domain::{items, merge_into, Dom, NONE};
use super::pairs::Pairs;
use super::HessianPattern;
use std::ops::Range;

use crate::block::{BlockOp, EntryDependence};
use crate::recording::{Kind, Recording, Segment};
use crate::scalar::Scalar;

/// The output depends on the slot.
const LIVE: u64 = 1;
/// The slot's index domain is needed: it feeds, through linear operations
/// only, a product or a nonlinear operation. The domain of a slot that
/// reaches the output only linearly (a running sum) never enters an
/// interaction, and merging it would cost `O(n)` per step of the sum,
/// `O(n²)` in all.
const NEEDED: u64 = 2;

/// The forward pass merges the slot's parents' domains: it is live, not a
/// leaf, and its domain is needed or it is a product or nonlinear (set by
/// [`liveness`], which has the node's kind at hand).
const VISIT: u64 = 4;
/// Some inputs were recorded at the slot: their indices join its domain.
const INPUT: u64 = 8;

/// The analysis ran past its budget: the answer is the dense pattern.
pub(super) struct OverBudget;

/// Index domains, the interactions found so far, and the work done.
pub(super) struct Analysis {
    /// Sets of three indices or more, back to back; arena set `k` is
    /// `arena[sets[k].0..sets[k].1]`.
    arena: Vec<u32>,
    sets: Vec<(u32, u32)>,
    /// Arena sets already squared, and pairs of domains (one of them an
    /// arena set) already crossed: the variance of 800 numbers squares its
    /// one 800-element domain once, not once per term. Interactions of
    /// inline sets are at most four entries and go straight to `pairs`.
    squared: Vec<bool>,
    crossed: HashSet<(u64, u64), BuildHasherDefault<PairHasher>>,
    pairs: Pairs,
    /// Work done and allowed, in element operations. The `O(1)` steps of
    /// inline sets are not counted: at most a few per slot, they cannot
    /// add up to more than the pass itself.
    work: usize,
    budget: usize,
    /// The most inputs one interaction may couple before the analysis
    /// gives up (`usize::MAX`: no limit).
    coupling_limit: usize,
    /// Scratch for unions of many sets: `mark[j] == epoch` if `j` is taken
    /// (allocated on the first block that needs it).
    mark: Vec<u32>,
    epoch: u32,
    /// Scratch for a merged arena set before it is known to be new.
    scratch: Vec<u32>,
    /// Scratch for a block operation's [`EntryDependence`]s.
    entries: Vec<EntryDependence>,
}

impl Analysis {
    /// The pattern of the slot `out` with respect to the inputs
    /// `(slot, index)` (sorted by slot), or `None` past the budget (the
    /// default budget when `max_work` is `None`).
    pub(super) fn run<T: Scalar>(
        rec: &Recording<T>,
        n: usize,
        input_slots: &[(usize, u32)],
        out: usize,
        max_work: Option<usize>,
    ) -> Option<HessianPattern> {
        let mut entries = Vec::new();
        let (mut state, live_count) = liveness(rec, input_slots, out, &mut entries);
        // The dense Hessian costs ⌈n/lanes⌉ sweeps of `lanes` tangents over
        // the tape, ~n·L, and fills n² entries; a floor keeps tiny problems
        // (where any analysis is instant) out of the fallback.
        let budget = max_work.unwrap_or_else(|| {
            n.saturating_mul(live_count)
                .saturating_mul(2)
                .saturating_add(n.saturating_mul(n))
                .saturating_add(1 << 20)
        });
        let mut a = Analysis {
            arena: Vec::new(),
            sets: Vec::new(),
            squared: Vec::new(),
            crossed: HashSet::default(),
            pairs: Pairs::new(n),
            work: 0,
            budget,
            coupling_limit: if max_work.is_some() {
                n / 2
            } else {
                usize::MAX
            },
            mark: Vec::new(),
            epoch: 0,
            scratch: Vec::new(),
            entries: Vec::new(),
        };
        a.entries = entries;
        match a.forward(rec, &mut state, input_slots, out) {
            Ok(()) => Some(a.pairs.finish()),
            Err(OverBudget) => None,
        }
    }

    #[inline(always)]
    fn charge(&mut self, w: usize) -> Result<(), OverBudget> {
        self.work = self.work.saturating_add(w);
        if self.work > self.budget {
            Err(OverBudget)
        } else {
            Ok(())
        }
    }

    /// A set from sorted distinct `items`: inline if it fits.
    fn new_set(&mut self, items: &[u32]) -> Dom {
        if let Some(d) = Dom::from_small(items) {
            return d;
        }
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(items);
        self.push_arena_range(start)
    }

    /// Registers `arena[start..]` as a new arena set.
    fn push_arena_range(&mut self, start: u32) -> Dom {
        self.sets.push((start, self.arena.len() as u32));
        self.squared.push(false);
        Dom::arena((self.sets.len() - 1) as u32)
    }

    fn len(&self, d: Dom) -> usize {
        match d.arena_id() {
            Some(k) => (self.sets[k].1 - self.sets[k].0) as usize,
            None => d
                .inline()
                .map_or(0, |s| s.iter().filter(|&&v| v != NONE).count()),
        }
    }

    /// `D(a) ∪ D(b)`, reusing either set when the union adds nothing to it.
    #[inline(always)]
    fn union(&mut self, a: Dom, b: Dom) -> Result<Dom, OverBudget> {
        if a == b || b.is_empty() {
            return Ok(a);
        }
        if a.is_empty() {
            return Ok(b);
        }
        if let (Some(x), Some(y)) = (a.inline(), b.inline()) {
            if let Some(d) = Dom::inline_union(x, y) {
                return Ok(d);
            }
        }
        self.union_slow(a, b)
    }

    /// [`Analysis::union`] when the result is an arena set.
    #[inline(never)]
    fn union_slow(&mut self, a: Dom, b: Dom) -> Result<Dom, OverBudget> {
        let (la, lb) = (self.len(a), self.len(b));
        let (big, small, lbig, lsmall) = if la >= lb {
            (a, b, la, lb)
        } else {
            (b, a, lb, la)
        };
        let (mut bb, mut bs) = ([NONE; 2], [NONE; 2]);
        // A small set inside a big one (`x_i − mean`): binary searches.
        if lsmall.saturating_mul(16) <= lbig {
            self.charge(lsmall * (usize::BITS - lbig.leading_zeros()) as usize)?;
            let sb = items(&self.arena, &self.sets, big, &mut bb);
            let ss = items(&self.arena, &self.sets, small, &mut bs);
            if ss.iter().all(|x| sb.binary_search(x).is_ok()) {
                return Ok(big);
            }
        }
        self.charge(lbig + lsmall)?;
        // Merged into scratch first: the arena cannot lend its sets while
        // growing, and a union that adds nothing is dropped.
        let mut merged = std::mem::take(&mut self.scratch);
        merged.clear();
        merge_into(
            &mut merged,
            items(&self.arena, &self.sets, big, &mut bb),
            items(&self.arena, &self.sets, small, &mut bs),
        );
        let d = if merged.len() == lbig && big.arena_id().is_some() {
            big
        } else {
            self.new_set(&merged)
        };
        self.scratch = merged;
        Ok(d)
    }

    /// The union of many sets (a block's inputs), each distinct set once.
    fn union_many(&mut self, ids: impl Iterator<Item = Dom>) -> Result<Dom, OverBudget> {
        let mut distinct: Vec<u64> = ids.filter(|d| !d.is_empty()).map(|d| d.0).collect();
        self.charge(distinct.len())?;
        distinct.sort_unstable();
        distinct.dedup();
        match distinct.as_slice() {
            [] => return Ok(Dom::EMPTY),
            [one] => return Ok(Dom(*one)),
            _ => {}
        }
        if self.mark.len() < self.pairs.n() {
            self.mark = vec![0; self.pairs.n()];
        }
        self.epoch += 1;
        let mut all = Vec::new();
        for &d in &distinct {
            let mut buf = [NONE; 2];
            let set = items(&self.arena, &self.sets, Dom(d), &mut buf);
            self.work = self.work.saturating_add(set.len());
            for &j in set {
                if self.mark[j as usize] != self.epoch {
                    self.mark[j as usize] = self.epoch;
                    all.push(j);
                }
            }
        }
        self.charge(0)?;
        all.sort_unstable();
        Ok(self.new_set(&all))
    }

    /// Adds `D(d) × D(d)` to the interactions.
    #[inline(always)]
    fn square(&mut self, d: Dom) -> Result<(), OverBudget> {
        match d.inline() {
            Some([i, j]) if self.coupling_limit >= 2 => {
                if i != NONE {
                    self.pairs.diagonal(i);
                    if j != NONE {
                        self.pairs.diagonal(j);
                        let w = 1 + self.pairs.pair(i, j);
                        self.charge(w)?;
                    }
                }
                Ok(())
            }
            _ => self.interact_slow(d, d),
        }
    }

    /// Adds `D(a) × D(b)` (and its transpose) to the interactions.
    #[inline(always)]
    fn interact(&mut self, a: Dom, b: Dom) -> Result<(), OverBudget> {
        if a == b {
            return self.square(a);
        }
        if a.is_empty() || b.is_empty() {
            return Ok(());
        }
        match (a.inline(), b.inline()) {
            (Some(x), Some(y)) if self.coupling_limit >= 2 => {
                // At most four entries: no bookkeeping of what was crossed.
                let mut w = 0;
                for &i in x.iter().filter(|&&i| i != NONE) {
                    for &j in y.iter().filter(|&&j| j != NONE) {
                        if i == j {
                            self.pairs.diagonal(i);
                        } else {
                            w += 1 + self.pairs.pair(i, j);
                        }
                    }
                }
                self.charge(w)
            }
            _ => self.interact_slow(a, b),
        }
    }

    /// [`Analysis::interact`] when a set is in the arena (or the coupling
    /// limit is below two).
    #[inline(never)]
    fn interact_slow(&mut self, a: Dom, b: Dom) -> Result<(), OverBudget> {
        if a.is_empty() || b.is_empty() {
            return Ok(());
        }
        if a == b {
            if let Some(k) = a.arena_id() {
                if std::mem::replace(&mut self.squared[k], true) {
                    return Ok(());
                }
            }
        } else if (a.arena_id().is_some() || b.arena_id().is_some())
            && !self.crossed.insert((a.0.min(b.0), a.0.max(b.0)))
        {
            return Ok(());
        }
        let (la, lb) = (self.len(a), self.len(b));
        // Every column of D(a) meets every row of D(b): at least
        // max(|D(a)|, |D(b)|) colours.
        if la.max(lb) > self.coupling_limit {
            return Err(OverBudget);
        }
        self.charge(la * lb)?;
        let (mut ba, mut bb) = ([NONE; 2], [NONE; 2]);
        let da = items(&self.arena, &self.sets, a, &mut ba);
        let db = items(&self.arena, &self.sets, b, &mut bb);
        let mut w = 0;
        if a == b {
            // Sorted and distinct: each pair once, i < j.
            for (k, &i) in da.iter().enumerate() {
                self.pairs.diagonal(i);
                for &j in &da[k + 1..] {
                    w += self.pairs.pair(i, j);
                }
            }
        } else {
            for &i in da {
                for &j in db {
                    if i == j {
                        self.pairs.diagonal(i);
                    } else {
                        w += self.pairs.pair(i, j);
                    }
                }
            }
        }
        self.charge(w)
    }

    /// Index domains forward over the slots, interactions on the way.
    /// `state[s]` holds the flags of slot `s` from [`liveness`] until the
    /// pass reaches `s`, and its domain (a [`Dom`]) from then on: one
    /// buffer for both, read once each.
    fn forward<T: Scalar>(
        &mut self,
        rec: &Recording<T>,
        state: &mut [u64],
        input_slots: &[(usize, u32)],
        out: usize,
    ) -> Result<(), OverBudget> {
        let mut inputs = InputCursor {
            slots: input_slots,
            next: 0,
        };
        for seg in rec.segments() {
            match seg {
                Segment::Nodes { slots, nodes } => {
                    if slots.start > out {
                        return Ok(());
                    }
                    let lo = slots.start;
                    let hi = slots.end.min(out + 1);
                    for (s, node) in (lo..hi).zip(&nodes[..hi - lo]) {
                        let flags = state[s];
                        let mut d = Dom::EMPTY;
                        if flags & VISIT != 0 {
                            d = self.visit(flags, node.parent_slots(), node.kind(), state)?;
                        }
                        if flags & INPUT != 0 {
                            d = self.own_indices(d, s, &mut inputs)?;
                        }
                        state[s] = d.0;
                    }
                }
                Segment::Block(entry) => {
                    let range = entry.slots();
                    if range.start > out {
                        return Ok(());
                    }
                    let end = range.end.min(out + 1);
                    if entry_dependence(entry.op(), &range, &mut self.entries) {
                        // Entry by entry, exactly as scalar nodes.
                        let entries = std::mem::take(&mut self.entries);
                        for (s, e) in (range.start..end).zip(&entries) {
                            let flags = state[s];
                            let mut d = Dom::EMPTY;
                            if flags & VISIT != 0 {
                                if let Some((parents, kind)) = as_node(e) {
                                    d = self.visit(flags, parents, kind, state)?;
                                }
                            }
                            if flags & INPUT != 0 {
                                d = self.own_indices(d, s, &mut inputs)?;
                            }
                            state[s] = d.0;
                        }
                        self.entries = entries;
                        continue;
                    }
                    let mut d = Dom::EMPTY;
                    let outputs = &state[range.start..end];
                    let op = entry.op();
                    if outputs.iter().any(|&f| f & LIVE != 0)
                        && (!op.is_linear() || outputs.iter().any(|&f| f & NEEDED != 0))
                    {
                        let from = op.inputs();
                        self.charge(from.iter().map(|r| r.len()).sum())?;
                        d = self.union_many(from.into_iter().flatten().map(|p| Dom(state[p])))?;
                        if !op.is_linear() {
                            self.square(d)?;
                        }
                    }
                    for (s, f) in (range.start..end).zip(&mut state[range.start..end]) {
                        *f = if *f & INPUT != 0 {
                            self.own_indices(d, s, &mut inputs)?.0
                        } else {
                            d.0
                        };
                    }
                }
            }
        }
        Ok(())
    }

    /// The domain of a visited slot with parents `[p, q]` of the given
    /// kind (its domain is needed, or it is a product or nonlinear), and
    /// the interactions it adds.
    #[inline(always)]
    fn visit(
        &mut self,
        flags: u64,
        [p, q]: [usize; 2],
        kind: Kind,
        state: &[u64],
    ) -> Result<Dom, OverBudget> {
        let (dp, dq) = (Dom(state[p]), Dom(state[q]));
        match kind {
            Kind::Linear => self.union(dp, dq),
            Kind::Bilinear => {
                self.interact(dp, dq)?;
                if flags & NEEDED != 0 {
                    self.union(dp, dq)
                } else {
                    Ok(Dom::EMPTY)
                }
            }
            Kind::Nonlinear => {
                let d = self.union(dp, dq)?;
                self.square(d)?;
                Ok(d)
            }
        }
    }

    /// `d`, plus the indices of the inputs recorded at slot `s`: inline
    /// for the common case of a leaf that is one input.
    #[inline(always)]
    fn own_indices(
        &mut self,
        d: Dom,
        s: usize,
        inputs: &mut InputCursor<'_>,
    ) -> Result<Dom, OverBudget> {
        if d.is_empty() {
            if let [(slot, j), rest @ ..] = &inputs.slots[inputs.next..] {
                if *slot == s && rest.first().is_none_or(|&(t, _)| t != s) {
                    inputs.next += 1;
                    return Ok(Dom::one(*j));
                }
            }
        }
        self.add_own_indices(d, s, inputs)
    }

    /// `d`, plus the indices of the inputs recorded at slot `s` (slots
    /// are visited in increasing order; the cursor skips inputs of slots
    /// past the output, which are never visited).
    #[inline(never)]
    fn add_own_indices(
        &mut self,
        mut d: Dom,
        s: usize,
        inputs: &mut InputCursor<'_>,
    ) -> Result<Dom, OverBudget> {
        while let Some(&(slot, j)) = inputs.slots.get(inputs.next) {
            if slot > s {
                break;
            }
            if slot == s {
                d = self.union(d, Dom::one(j))?;
            }
            inputs.next += 1;
        }
        Ok(d)
    }
}

/// The flags of each slot up to `out` ([`LIVE`], [`NEEDED`], [`VISIT`],
/// [`INPUT`]) from one backward pass, and how many are live.
fn liveness<T: Scalar>(
    rec: &Recording<T>,
    input_slots: &[(usize, u32)],
    out: usize,
    entries: &mut Vec<EntryDependence>,
) -> (Vec<u64>, usize) {
    let mut state = vec![0u64; out + 1];
    for &(s, _) in input_slots {
        if s <= out {
            state[s] = INPUT;
        }
    }
    state[out] |= LIVE;
    let mut live_count = 0;
    for seg in rec.segments().rev() {
        match seg {
            Segment::Nodes { slots, nodes } => {
                if slots.start > out {
                    continue;
                }
                let lo = slots.start;
                let hi = slots.end.min(out + 1);
                for (s, node) in (lo..hi).zip(&nodes[..hi - lo]).rev() {
                    let flags = state[s];
                    if flags & LIVE != 0 {
                        live_count += 1;
                        let parents = node.parent_slots();
                        if parents[0] != s {
                            mark_parents(&mut state, s, flags, parents, node.kind());
                        }
                    }
                }
            }
            Segment::Block(entry) => {
                let range = entry.slots();
                if range.start > out {
                    continue;
                }
                if entry_dependence(entry.op(), &range, entries) {
                    let end = range.end.min(out + 1);
                    for (s, e) in (range.start..end).zip(entries.iter()).rev() {
                        let flags = state[s];
                        if flags & LIVE != 0 {
                            live_count += 1;
                            if let Some((parents, kind)) = as_node(e) {
                                mark_parents(&mut state, s, flags, parents, kind);
                            }
                        }
                    }
                    continue;
                }
                let outputs = &state[range.start..range.end.min(out + 1)];
                let live = outputs.iter().filter(|&&f| f & LIVE != 0).count();
                if live == 0 {
                    continue;
                }
                live_count += live;
                let need = !entry.op().is_linear() || outputs.iter().any(|&f| f & NEEDED != 0);
                let give = if need { LIVE | NEEDED } else { LIVE };
                for r in entry.op().inputs() {
                    state[r].iter_mut().for_each(|f| *f |= give);
                }
            }
        }
    }
    (state, live_count)
}

/// Marks the parents `[p, q]` of the live slot `s` live, and needed when
/// `s` is needed or the operation is a product or nonlinear; `s` is then
/// visited by the forward pass (it merges its parents' domains).
#[inline(always)]
fn mark_parents(state: &mut [u64], s: usize, flags: u64, [p, q]: [usize; 2], kind: Kind) {
    let give = if flags & NEEDED != 0 || kind != Kind::Linear {
        LIVE | NEEDED
    } else {
        LIVE
    };
    state[p] |= give;
    state[q] |= give;
    if give & NEEDED != 0 {
        state[s] = flags | VISIT;
    }
}

/// Fills `entries` with the operation's [`EntryDependence`]s and returns
/// `true` if it gives them, one per output slot of `range`, each naming
/// slots recorded before the operation; otherwise (the operation's
/// default, or a malformed description) `false`, and the operation is taken
/// as a whole.
fn entry_dependence<T: Scalar>(
    op: &dyn BlockOp<T>,
    range: &Range<usize>,
    entries: &mut Vec<EntryDependence>,
) -> bool {
    entries.clear();
    op.entry_dependence(entries)
        && entries.len() == range.len()
        && entries
            .iter()
            .all(|e| as_node(e).is_none_or(|([p, q], _)| p < range.start && q < range.start))
}

/// An entry as a scalar node: its parents and kind (`None` for a constant).
#[inline(always)]
fn as_node(e: &EntryDependence) -> Option<([usize; 2], Kind)> {
    match *e {
        EntryDependence::Constant => None,
        EntryDependence::Linear(p) => Some((p, Kind::Linear)),
        EntryDependence::Bilinear(p) => Some((p, Kind::Bilinear)),
        EntryDependence::Nonlinear(p) => Some((p, Kind::Nonlinear)),
    }
}

/// The inputs `(slot, index)` sorted by slot, and the first one whose slot
/// the forward pass has not reached.
struct InputCursor<'a> {
    slots: &'a [(usize, u32)],
    next: usize,
}

/// The hasher of the set of crossed pairs: a multiplicative hash of the
/// two `u64` keys. The keys are not chosen by an adversary, so the default
/// SipHash's protection only cost time.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, k: u64) {
        // Fibonacci hashing; the rotation brings the well-mixed high bits
        // down to the low bits the table indexes with.
        self.0 = (self.0 ^ k)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pair hasher spreads consecutive pairs over the low bits the
    /// table uses (a constant or identity hash would pile them up).
    #[test]
    fn pair_hasher_spreads_consecutive_keys() {
        let low_bits: HashSet<u64> = (0..64u64)
            .map(|k| {
                let mut h = PairHasher::default();
                h.write_u64(k);
                h.write_u64(k + 1);
                h.finish() & 63
            })
            .collect();
        // 64 keys into 64 buckets: a decent hash fills well over half.
        assert!(low_bits.len() > 32, "{} buckets used", low_bits.len());
    }
}
