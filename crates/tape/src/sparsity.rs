//! Hessian sparsity detection from a recording.
//!
//! `Hᵢⱼ` can be nonzero only if some operation on the path to the output
//! is nonlinear in quantities that depend on `xᵢ` and `xⱼ`. Each slot `v`
//! the output depends on has an *index domain* `D(v)`, the inputs it
//! depends on; every such operation contributes its *nonlinear
//! interactions*:
//!
//! - linear (`a ± b`, `−a`, `c·a`, sums, broadcasts, stacking): none;
//! - bilinear (`a·b`): `D(a) × D(b)` and `D(b) × D(a)` (for `a·a`, `D(a)²`);
//! - nonlinear (`sin a`, `a/b`, any block operation not declared linear):
//!   `(D(a) ∪ D(b))²`.
//!
//! ## The contract
//!
//! The pattern is the union of these interactions, so it holds every entry
//! that is nonzero at *any* point. It can hold more in two ways only:
//! (1) numerical zeros of structurally nonzero terms — an operation
//! classified nonlinear whose second derivative vanishes where it is
//! evaluated (`relu`, `abs`, `max` are nonlinear but piecewise linear), or
//! cancellation between terms (`(x+y)(x−y)` has `Hₓᵧ = 0` but the product
//! couples `x` and `y`); (2) block operations, whose every output is taken
//! to depend on all of their inputs (an elementwise `tanh` of a block
//! couples the whole block). On scalar code without such coincidences the
//! pattern is exactly the nonzero structure of the Hessian.
//!
//! When the analysis would cost about as much as a dense Hessian (the
//! budget below), it stops and returns the full `n × n` pattern
//! ([`HessianPattern::is_dense`]): always a valid superset.
//!
//! ## The algorithm, and why it is bounded
//!
//! One backward pass marks the slots the output depends on. One forward
//! pass gives each of them its index domain as a sorted set, merged from
//! its parents' sets; sets are shared (a unary node, or a merge that adds
//! nothing, reuses its parent's set), so a long chain in two variables
//! stores one set, not one per node. Interactions are accumulated into one
//! adjacency list per input, deduplicated in batches (amortised linear),
//! and each distinct set (or pair of sets, for products) is expanded once:
//! the variance of 800 numbers expands its one 800-element domain once,
//! not once per square. Every step counts its work; past a budget
//! proportional to the dense Hessian's own cost (`n` reverse sweeps of the
//! tape, plus its `n²` entries), the analysis gives up and returns the full
//! pattern. Time and memory are therefore `O(n·L + n²)` for a tape of `L`
//! slots, never the `O(L·n²)` of expanding every node.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::error::Error;
use crate::recording::{Kind, Recording, Segment};
use crate::scalar::Scalar;
use crate::tape::Tape;
use crate::var::Var;

/// The structural sparsity pattern of a Hessian: for each column `j`, the
/// rows `i` where `Hᵢⱼ` may be nonzero (sorted). Symmetric by construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HessianPattern {
    n: usize,
    col_ptr: Vec<usize>,
    rows: Vec<usize>,
}

impl HessianPattern {
    /// Number of inputs (the Hessian is `n × n`).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of structurally nonzero entries.
    pub fn nnz(&self) -> usize {
        self.rows.len()
    }

    /// True if every entry is in the pattern (`nnz = n²`): a dense Hessian,
    /// or the answer of an analysis that stopped at its budget.
    pub fn is_dense(&self) -> bool {
        self.n.checked_mul(self.n) == Some(self.nnz())
    }

    /// The rows where column `j` may be nonzero, sorted.
    ///
    /// # Panics
    /// If `j >= n`; [`HessianPattern::try_column`] returns `None` instead.
    #[inline]
    pub fn column(&self, j: usize) -> &[usize] {
        self.try_column(j).unwrap_or_else(|| {
            panic!(
                "HessianPattern::column({j}) out of range for a {n}×{n} pattern",
                n = self.n
            )
        })
    }

    /// The rows where column `j` may be nonzero, or `None` if `j >= n`.
    #[inline]
    pub fn try_column(&self, j: usize) -> Option<&[usize]> {
        (j < self.n).then(|| &self.rows[self.col_ptr[j]..self.col_ptr[j + 1]])
    }

    /// True if `(i, j)` is in the pattern (false outside `n × n`).
    pub fn contains(&self, i: usize, j: usize) -> bool {
        self.try_column(j)
            .is_some_and(|c| c.binary_search(&i).is_ok())
    }

    /// The full `n × n` pattern.
    pub fn dense(n: usize) -> Self {
        HessianPattern {
            n,
            col_ptr: (0..=n).map(|j| j * n).collect(),
            rows: (0..n).flat_map(|_| 0..n).collect(),
        }
    }

    /// Builds a symmetric pattern from `(i, j)` pairs (both orders are
    /// added; repeats are merged).
    ///
    /// # Errors
    /// If a pair has an index `≥ n`; the message names the pair.
    pub fn from_pairs(
        n: usize,
        pairs: impl IntoIterator<Item = (usize, usize)>,
    ) -> Result<Self, Error> {
        let mut cols: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, j) in pairs {
            if i >= n || j >= n {
                return Err(Error::pattern_entry(i, j, n));
            }
            cols[j].push(i);
            cols[i].push(j);
        }
        Ok(Self::from_columns(n, cols))
    }

    /// Sorts and deduplicates each column (`cols[j]` holds rows of `j`,
    /// all `< n`, already symmetric).
    fn from_columns(n: usize, cols: Vec<Vec<usize>>) -> Self {
        let mut col_ptr = Vec::with_capacity(n + 1);
        let mut rows = Vec::with_capacity(cols.iter().map(Vec::len).sum());
        col_ptr.push(0);
        for mut c in cols {
            c.sort_unstable();
            c.dedup();
            rows.extend(c);
            col_ptr.push(rows.len());
        }
        HessianPattern { n, col_ptr, rows }
    }
}

impl<T: Scalar> Tape<T> {
    /// The structural sparsity pattern of `∇²output` with respect to
    /// `inputs` (see the module doc for the rules and the contract). An
    /// input need not be a leaf: an intermediate `Var` counts as an index
    /// of its own, on top of what it depends on.
    ///
    /// Costs `O(n·L + n²)` time and memory at most for `n` inputs and a
    /// tape of `L` slots; when the analysis would cost more than a dense
    /// Hessian it returns [`HessianPattern::dense`].
    ///
    /// # Panics
    /// If `output` or an input lives on another tape.
    pub fn hessian_pattern(&self, inputs: &[Var<'_, T>], output: Var<'_, T>) -> HessianPattern {
        let n = inputs.len();
        self.pattern_with_budget(inputs, output, None)
            .unwrap_or_else(|| HessianPattern::dense(n))
    }

    /// [`Tape::hessian_pattern`] for callers that want a pattern only when
    /// it is cheap and sparse: the pattern if the analysis finishes within
    /// `max_work` element operations (a few nanoseconds each), `None` if it
    /// would take more or as soon as one operation couples more than `n/2`
    /// inputs with each other (such a pattern needs more than `n/2` colours,
    /// so a coloured Hessian could not save half the sweeps). The dense
    /// Hessian driver tries it, at the cost of about one sweep, before
    /// sweeping densely.
    ///
    /// # Panics
    /// If `output` or an input lives on another tape.
    pub fn hessian_pattern_within(
        &self,
        inputs: &[Var<'_, T>],
        output: Var<'_, T>,
        max_work: usize,
    ) -> Option<HessianPattern> {
        self.pattern_with_budget(inputs, output, Some(max_work))
    }

    /// The pattern, or `None` past the budget (the default budget when
    /// `max_work` is `None`).
    fn pattern_with_budget(
        &self,
        inputs: &[Var<'_, T>],
        output: Var<'_, T>,
        max_work: Option<usize>,
    ) -> Option<HessianPattern> {
        let n = inputs.len();
        let mut input_slots: Vec<(usize, u32)> = inputs
            .iter()
            .enumerate()
            .filter_map(|(j, x)| x.slot_on(self).map(|s| (s, j as u32)))
            .collect();
        input_slots.sort_unstable();
        let Some(out) = output.slot_on(self) else {
            return Some(HessianPattern::from_columns(n, vec![Vec::new(); n]));
        };
        self.read(|rec| Analysis::run(rec, n, &input_slots, out, max_work))
    }
}

/// No set: the slot depends on no input.
const NONE: u32 = u32::MAX;

/// The analysis ran past its budget: the answer is the dense pattern.
struct OverBudget;

/// Index domains as shared sorted sets, and the interactions found so far.
struct Analysis {
    n: usize,
    /// All sets, back to back; set `k` is `arena[sets[k]]`.
    arena: Vec<u32>,
    sets: Vec<Range<usize>>,
    /// `singleton[j]`: the set `{j}`.
    singleton: Vec<u32>,
    /// Pending (unsorted, possibly repeated) entries `(column << 32) | row`
    /// of the pattern, in one list: one allocation instead of one growing
    /// list per input (their reallocations were a third of the analysis
    /// of W1), and sorting it orders the entries column by column, as the
    /// pattern stores them.
    entries: Vec<u64>,
    /// Entries held right after the last deduplication.
    after_dedup: usize,
    /// Sets already squared, and pairs of sets already crossed.
    squared: Vec<bool>,
    crossed: HashSet<u64, BuildHasherDefault<PairHasher>>,
    /// Work done and allowed, in element operations.
    work: usize,
    budget: usize,
    /// The most inputs one interaction may couple before the analysis
    /// gives up (`usize::MAX`: no limit).
    coupling_limit: usize,
    /// Scratch for unions of many sets: `mark[j] == epoch` if `j` is taken.
    mark: Vec<u32>,
    epoch: u32,
}

impl Analysis {
    fn run<T: Scalar>(
        rec: &Recording<T>,
        n: usize,
        input_slots: &[(usize, u32)],
        out: usize,
        max_work: Option<usize>,
    ) -> Option<HessianPattern> {
        let Liveness { live, needed } = live_slots(rec, out);
        let live_count = live.iter().filter(|&&l| l).count();
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
            n,
            // Room for one set per input and per live slot (at most one new
            // set each), so the common case never reallocates.
            arena: Vec::with_capacity(n + live_count),
            sets: Vec::with_capacity(n + live_count),
            singleton: Vec::with_capacity(n),
            entries: Vec::new(),
            after_dedup: 0,
            squared: Vec::with_capacity(n + live_count),
            crossed: HashSet::default(),
            work: 0,
            budget,
            coupling_limit: if max_work.is_some() {
                n / 2
            } else {
                usize::MAX
            },
            mark: vec![0; n],
            epoch: 0,
        };
        for j in 0..n as u32 {
            let s = a.new_set(&[j]);
            a.singleton.push(s);
        }
        match a.forward(rec, &live, &needed, input_slots, out) {
            Ok(()) => Some(a.finish()),
            Err(OverBudget) => None,
        }
    }

    fn charge(&mut self, w: usize) -> Result<(), OverBudget> {
        self.work = self.work.saturating_add(w);
        if self.work > self.budget {
            Err(OverBudget)
        } else {
            Ok(())
        }
    }

    fn new_set(&mut self, items: &[u32]) -> u32 {
        let start = self.arena.len();
        self.arena.extend_from_slice(items);
        self.sets.push(start..self.arena.len());
        self.squared.push(false);
        (self.sets.len() - 1) as u32
    }

    fn set(&self, k: u32) -> &[u32] {
        &self.arena[self.sets[k as usize].clone()]
    }

    /// `D(a) ∪ D(b)`, reusing either set when the union adds nothing to it.
    fn union(&mut self, a: u32, b: u32) -> Result<u32, OverBudget> {
        if a == b || b == NONE {
            return Ok(a);
        }
        if a == NONE {
            return Ok(b);
        }
        let (big, small) = if self.set(a).len() >= self.set(b).len() {
            (a, b)
        } else {
            (b, a)
        };
        let (lb, ls) = (self.set(big).len(), self.set(small).len());
        // A small set inside a big one (`x_i − mean`): binary searches.
        if ls.saturating_mul(16) <= lb {
            self.charge(ls * (usize::BITS - lb.leading_zeros()) as usize)?;
            let (bs, ss) = (self.set(big), self.set(small));
            if ss.iter().all(|x| bs.binary_search(x).is_ok()) {
                return Ok(big);
            }
        }
        self.charge(lb + ls)?;
        // Merged straight onto the end of the arena (no temporary set);
        // taken back if it adds nothing to `big`.
        let start = self.arena.len();
        merge_into(
            &mut self.arena,
            self.sets[a as usize].clone(),
            self.sets[b as usize].clone(),
        );
        if self.arena.len() - start == lb {
            self.arena.truncate(start);
            return Ok(big);
        }
        self.sets.push(start..self.arena.len());
        self.squared.push(false);
        Ok((self.sets.len() - 1) as u32)
    }

    /// The union of many sets (a block's inputs), each distinct set once.
    fn union_many(&mut self, ids: impl Iterator<Item = u32>) -> Result<u32, OverBudget> {
        let mut distinct: Vec<u32> = ids.filter(|&d| d != NONE).collect();
        self.charge(distinct.len())?;
        distinct.sort_unstable();
        distinct.dedup();
        match distinct.as_slice() {
            [] => return Ok(NONE),
            [one] => return Ok(*one),
            _ => {}
        }
        self.epoch += 1;
        let mut items = Vec::new();
        for &d in &distinct {
            let r = self.sets[d as usize].clone();
            self.charge(r.len())?;
            for k in r {
                let j = self.arena[k];
                if self.mark[j as usize] != self.epoch {
                    self.mark[j as usize] = self.epoch;
                    items.push(j);
                }
            }
        }
        items.sort_unstable();
        Ok(self.new_set(&items))
    }

    /// Adds `D(a) × D(b)` (and its transpose) to the interactions.
    fn interact(&mut self, a: u32, b: u32) -> Result<(), OverBudget> {
        if a == NONE || b == NONE {
            return Ok(());
        }
        if a == b {
            if std::mem::replace(&mut self.squared[a as usize], true) {
                return Ok(());
            }
        } else if !self
            .crossed
            .insert(u64::from(a.min(b)) << 32 | u64::from(a.max(b)))
        {
            return Ok(());
        }
        let (ra, rb) = (self.sets[a as usize].clone(), self.sets[b as usize].clone());
        // Every column of D(a) meets every row of D(b): at least
        // max(|D(a)|, |D(b)|) colours.
        if ra.len().max(rb.len()) > self.coupling_limit {
            return Err(OverBudget);
        }
        let pushes = ra.len() * rb.len() * if a == b { 1 } else { 2 };
        self.charge(pushes)?;
        self.entries.reserve(pushes);
        let (da, db) = (&self.arena[ra], &self.arena[rb]);
        for &i in da {
            let col = u64::from(i) << 32;
            self.entries.extend(db.iter().map(|&j| col | u64::from(j)));
        }
        if a != b {
            for &i in db {
                let col = u64::from(i) << 32;
                self.entries.extend(da.iter().map(|&j| col | u64::from(j)));
            }
        }
        // Deduplicate once the list has doubled since the last time, so
        // repeats never hold more than twice the pattern's memory and the
        // sorting is amortised over the pushes.
        if self.entries.len() > 2 * self.after_dedup + self.n {
            self.dedup()?;
        }
        Ok(())
    }

    fn dedup(&mut self) -> Result<(), OverBudget> {
        self.charge(self.entries.len())?;
        self.entries.sort_unstable();
        self.entries.dedup();
        self.after_dedup = self.entries.len();
        Ok(())
    }

    /// Index domains forward over the live slots, interactions on the way.
    fn forward<T: Scalar>(
        &mut self,
        rec: &Recording<T>,
        live: &[bool],
        needed: &[bool],
        input_slots: &[(usize, u32)],
        out: usize,
    ) -> Result<(), OverBudget> {
        let mut dom = vec![NONE; out + 1];
        let mut inputs = InputCursor {
            slots: input_slots,
            next: 0,
        };
        for seg in rec.segments() {
            match seg {
                Segment::Nodes { slots, nodes } => {
                    for (s, node) in slots.zip(nodes) {
                        if s > out {
                            return Ok(());
                        }
                        let mut d = NONE;
                        let kind = node.kind();
                        // A linear node whose domain nobody needs adds no
                        // interaction: skip its union.
                        if live[s] && (needed[s] || kind != Kind::Linear) {
                            let [p, q] = node.parent_slots();
                            if p != s {
                                d = self.union(dom[p], dom[q])?;
                                match kind {
                                    Kind::Linear => {}
                                    Kind::Bilinear => self.interact(dom[p], dom[q])?,
                                    Kind::Nonlinear => self.interact(d, d)?,
                                }
                            }
                        }
                        dom[s] = self.with_own_index(d, s, &mut inputs)?;
                    }
                }
                Segment::Block(entry) => {
                    let range = entry.slots();
                    if range.start > out {
                        return Ok(());
                    }
                    let mut d = NONE;
                    let outputs = range.start..range.end.min(out + 1);
                    let op = entry.op();
                    if live[outputs.clone()].contains(&true)
                        && (!op.is_linear() || needed[outputs].contains(&true))
                    {
                        let from = op.inputs();
                        self.charge(from.iter().map(|r| r.len()).sum())?;
                        d = self.union_many(from.into_iter().flatten().map(|p| dom[p]))?;
                        if !op.is_linear() {
                            self.interact(d, d)?;
                        }
                    }
                    let end = range.end.min(out + 1);
                    for (s, slot_dom) in dom[range.start..end].iter_mut().enumerate() {
                        *slot_dom = self.with_own_index(d, range.start + s, &mut inputs)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `d`, plus the indices of the inputs recorded at slot `s` (slots
    /// are visited in increasing order). Inlined: for most slots it is one
    /// comparison with the next input's slot.
    #[inline]
    fn with_own_index(
        &mut self,
        d: u32,
        s: usize,
        inputs: &mut InputCursor<'_>,
    ) -> Result<u32, OverBudget> {
        match inputs.slots.get(inputs.next) {
            Some(&(slot, _)) if slot <= s => self.add_own_indices(d, s, inputs),
            _ => Ok(d),
        }
    }

    /// The slow path of [`Analysis::with_own_index`]: skips inputs of
    /// slots not visited, adds those of slot `s`.
    fn add_own_indices(
        &mut self,
        mut d: u32,
        s: usize,
        inputs: &mut InputCursor<'_>,
    ) -> Result<u32, OverBudget> {
        while let Some(&(slot, j)) = inputs.slots.get(inputs.next) {
            if slot > s {
                break;
            }
            if slot == s {
                d = self.union(d, self.singleton[j as usize])?;
            }
            inputs.next += 1;
        }
        Ok(d)
    }

    /// The pattern: the entries sorted (column, then row) and
    /// deduplicated, cut into columns. Symmetric because every interaction
    /// pushed both `(i, j)` and `(j, i)`.
    fn finish(mut self) -> HessianPattern {
        self.entries.sort_unstable();
        self.entries.dedup();
        let mut col_ptr = Vec::with_capacity(self.n + 1);
        col_ptr.push(0);
        let mut rows = Vec::with_capacity(self.entries.len());
        for &e in &self.entries {
            let col = (e >> 32) as usize;
            while col_ptr.len() <= col {
                col_ptr.push(rows.len());
            }
            rows.push((e & u64::from(u32::MAX)) as usize);
        }
        col_ptr.resize(self.n + 1, rows.len());
        HessianPattern {
            n: self.n,
            col_ptr,
            rows,
        }
    }
}

/// Which slots up to `out` the output depends on (only they contribute).
fn live_slots<T: Scalar>(rec: &Recording<T>, out: usize) -> Liveness {
    let mut live = vec![false; out + 1];
    let mut needed = vec![false; out + 1];
    live[out] = true;
    for seg in rec.segments().rev() {
        match seg {
            Segment::Nodes { slots, nodes } => {
                if slots.start > out {
                    continue;
                }
                let lo = slots.start;
                for s in (lo..slots.end.min(out + 1)).rev() {
                    if live[s] {
                        let node = &nodes[s - lo];
                        let [p, q] = node.parent_slots();
                        if p != s {
                            live[p] = true;
                            live[q] = true;
                            if needed[s] || node.kind() != Kind::Linear {
                                needed[p] = true;
                                needed[q] = true;
                            }
                        }
                    }
                }
            }
            Segment::Block(entry) => {
                let range = entry.slots();
                let outputs = range.start..range.end.min(out + 1);
                if range.start > out || !live[outputs.clone()].contains(&true) {
                    continue;
                }
                let need = !entry.op().is_linear() || needed[outputs].contains(&true);
                for r in entry.op().inputs() {
                    live[r.clone()].iter_mut().for_each(|l| *l = true);
                    if need {
                        needed[r].iter_mut().for_each(|l| *l = true);
                    }
                }
            }
        }
    }
    Liveness { live, needed }
}

/// The inputs `(slot, index)` sorted by slot, and the first one whose slot
/// the forward pass has not reached.
struct InputCursor<'a> {
    slots: &'a [(usize, u32)],
    next: usize,
}

/// Which slots matter to the analysis, from one backward pass.
struct Liveness {
    /// The output depends on the slot.
    live: Vec<bool>,
    /// The slot's index domain is needed: it feeds, through linear
    /// operations only, a product or a nonlinear operation. The domain of a
    /// slot that reaches the output only linearly (a running sum) never
    /// enters an interaction, and merging it would cost `O(n)` per step of
    /// the sum, `O(n²)` in all.
    needed: Vec<bool>,
}

/// Appends to `arena` the union of its sorted sets `arena[a]` and
/// `arena[b]` (both before its end).
fn merge_into(arena: &mut Vec<u32>, a: Range<usize>, b: Range<usize>) {
    arena.reserve(a.len() + b.len());
    let (mut i, mut j) = (a.start, b.start);
    while i < a.end && j < b.end {
        let (x, y) = (arena[i], arena[j]);
        arena.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    arena.extend_from_within(i..a.end);
    arena.extend_from_within(j..b.end);
}

/// The hasher of the set of crossed pairs: a multiplicative hash of the
/// `u64` key (the pair of set ids). The keys are not chosen by an
/// adversary, so the default SipHash's protection only cost time: a third
/// of [`Analysis::interact`] on W1.
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

    /// `merge_into` appends exactly the sorted union, whatever the overlap
    /// (checked against a `BTreeSet` on every pair of small sets).
    #[test]
    fn merge_into_appends_the_sorted_union() {
        let sets: [&[u32]; 6] = [&[], &[3], &[0, 2, 4], &[1, 2, 3], &[0, 1, 2, 3, 4], &[5, 9]];
        for a in sets {
            for b in sets {
                let mut arena = vec![7u32]; // something before the sets
                arena.extend_from_slice(a);
                arena.extend_from_slice(b);
                let (ra, rb) = (1..1 + a.len(), 1 + a.len()..1 + a.len() + b.len());
                let end = arena.len();
                merge_into(&mut arena, ra, rb);
                let want: Vec<u32> = a
                    .iter()
                    .chain(b)
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                assert_eq!(&arena[end..], want.as_slice(), "{a:?} ∪ {b:?}");
            }
        }
    }

    /// The pair hasher spreads consecutive pairs over the low bits the
    /// table uses (a constant or identity hash would pile them up).
    #[test]
    fn pair_hasher_spreads_consecutive_keys() {
        let low_bits: std::collections::HashSet<u64> = (0..64u64)
            .map(|k| {
                let mut h = PairHasher::default();
                h.write_u64(k << 32 | (k + 1));
                h.finish() & 63
            })
            .collect();
        // 64 keys into 64 buckets: a decent hash fills well over half.
        assert!(low_bits.len() > 32, "{} buckets used", low_bits.len());
    }
}
