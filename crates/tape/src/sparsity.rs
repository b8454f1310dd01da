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
    pub fn column(&self, j: usize) -> &[usize] {
        self.try_column(j).unwrap_or_else(|| {
            panic!(
                "HessianPattern::column({j}) out of range for a {n}×{n} pattern",
                n = self.n
            )
        })
    }

    /// The rows where column `j` may be nonzero, or `None` if `j >= n`.
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
    /// Pending (unsorted, possibly repeated) neighbours of each input, and
    /// how many entries all lists hold together.
    adj: Vec<Vec<u32>>,
    held: usize,
    /// Entries held right after the last deduplication.
    after_dedup: usize,
    /// Sets already squared, and pairs of sets already crossed.
    squared: Vec<bool>,
    crossed: HashSet<(u32, u32)>,
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
            arena: Vec::new(),
            sets: Vec::new(),
            singleton: Vec::with_capacity(n),
            adj: vec![Vec::new(); n],
            held: 0,
            after_dedup: 0,
            squared: Vec::new(),
            crossed: HashSet::new(),
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
        let merged = merge(self.set(a), self.set(b));
        if merged.len() == lb {
            return Ok(big);
        }
        Ok(self.new_set(&merged))
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
        } else if !self.crossed.insert((a.min(b), a.max(b))) {
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
        for k in ra.clone() {
            let i = self.arena[k] as usize;
            self.adj[i].extend_from_slice(&self.arena[rb.clone()]);
        }
        if a != b {
            for k in rb {
                let i = self.arena[k] as usize;
                self.adj[i].extend_from_slice(&self.arena[ra.clone()]);
            }
        }
        self.held += pushes;
        // Deduplicate once the lists have doubled since the last time, so
        // repeats never hold more than twice the pattern's memory and the
        // sorting is amortised over the pushes.
        if self.held > 2 * self.after_dedup + self.n {
            self.dedup()?;
        }
        Ok(())
    }

    fn dedup(&mut self) -> Result<(), OverBudget> {
        self.charge(self.held)?;
        let mut held = 0;
        for list in &mut self.adj {
            list.sort_unstable();
            list.dedup();
            held += list.len();
        }
        self.held = held;
        self.after_dedup = held;
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
        let mut inputs = input_slots.iter().peekable();
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

    /// `d`, plus the indices of the inputs recorded at slot `s`.
    fn with_own_index<'a>(
        &mut self,
        mut d: u32,
        s: usize,
        inputs: &mut std::iter::Peekable<impl Iterator<Item = &'a (usize, u32)>>,
    ) -> Result<u32, OverBudget> {
        while inputs.peek().is_some_and(|&&(slot, _)| slot < s) {
            inputs.next();
        }
        while let Some(&(_, j)) = inputs.next_if(|&&(slot, _)| slot == s) {
            d = self.union(d, self.singleton[j as usize])?;
        }
        Ok(d)
    }

    fn finish(mut self) -> HessianPattern {
        let cols = std::mem::take(&mut self.adj)
            .into_iter()
            .map(|c| c.into_iter().map(|i| i as usize).collect())
            .collect();
        HessianPattern::from_columns(self.n, cols)
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

/// The union of two sorted sets.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
