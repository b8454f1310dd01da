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
//! A block operation that describes its entries
//! ([`BlockOp::entry_dependence`](crate::BlockOp::entry_dependence):
//! elementwise maps and zips, affine maps, slices, row broadcasts, stacks)
//! is read entry by entry, each output entry as a scalar node of its one
//! or two input entries. Any other block operation (matrix products, sums,
//! your own unless it says more) is taken whole: every output entry
//! depends on every input entry.
//!
//! ## The contract
//!
//! The pattern is the union of these interactions, so it holds every entry
//! that is nonzero at *any* point. It can hold more in two ways only:
//! (1) numerical zeros of structurally nonzero terms — an operation
//! classified nonlinear whose second derivative vanishes where it is
//! evaluated (`relu`, `abs`, `max` are nonlinear but piecewise linear), or
//! cancellation between terms (`(x+y)(x−y)` has `Hₓᵧ = 0` but the product
//! couples `x` and `y`); (2) block operations taken whole (a matrix
//! product couples all of its inputs, even where one output reads only
//! some). On scalar code, and block code made of operations described
//! entry by entry, without such coincidences the pattern is exactly the
//! nonzero structure of the Hessian.
//!
//! When the analysis would cost about as much as a dense Hessian (the
//! budget below), it stops and returns the full `n × n` pattern
//! ([`HessianPattern::is_dense`]): always a valid superset.
//!
//! ## The algorithm, and why it is bounded
//!
//! One backward pass marks the slots the output depends on, and among them
//! those whose domain is *needed* (they reach a product or a nonlinear
//! operation through linear ones: the domain of a running sum that reaches
//! the output only linearly is never formed). One forward pass gives each
//! needed slot its index domain, merged from its parents', and records the
//! interactions on the way; the two passes share one buffer (a slot's
//! flags until the forward pass reaches it, its domain after).
//!
//! Domains of at most two inputs — most of them in scalar code: a term of a
//! sum of local terms depends on a few neighbours — are held inline in one
//! word, and their merges and interactions are a few comparisons with no
//! bookkeeping. Larger domains are sorted sets in an arena, shared (a
//! unary node, or a merge that adds nothing, reuses its parent's set), and
//! each distinct arena set (or pair of sets, for products) is expanded
//! once: the variance of 800 numbers expands its one 800-element domain
//! once, not once per square. Interactions are kept once per unordered
//! pair (the pattern is symmetric) plus a flag per diagonal entry, in one
//! list filtered by a small cache of recent pairs and deduplicated in
//! batches (amortised linear); the pattern is laid out from the sorted
//! list in one pass. Every step that can grow counts its work; past a
//! budget proportional to the dense Hessian's own cost (`n` reverse sweeps
//! of the tape, plus its `n²` entries), the analysis gives up and returns
//! the full pattern. Time and memory are therefore `O(n·L + n²)` for a
//! tape of `L` slots, never the `O(L·n²)` of expanding every node.

mod analysis;
mod domain;
mod pairs;

use analysis::Analysis;

use crate::error::Error;
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

    /// The compressed-column layout: column `j` is
    /// `row_indices()[column_starts()[j]..column_starts()[j + 1]]`
    /// (`n + 1` starts, the last one `nnz`). For loops over every column
    /// without a bounds check per column.
    pub fn column_starts(&self) -> &[usize] {
        &self.col_ptr
    }

    /// The rows of all columns, column after column, each column sorted
    /// (see [`HessianPattern::column_starts`]).
    pub fn row_indices(&self) -> &[usize] {
        &self.rows
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
        // Input indices must stay below the two codes of an index domain
        // (`domain::NONE` and the arena tag); a pattern that large (n² ≥
        // 1.8·10¹⁹ entries) cannot be used anyway.
        if n >= (u32::MAX - 1) as usize {
            return None;
        }
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
