//! Sparse Hessians by column colouring.
//!
//! If no row has a structural nonzero in both column `j` and column `k`,
//! the two columns can share one HVP: `H (eⱼ + eₖ)` holds column `j` in the
//! rows of `j`'s pattern and column `k` in the rows of `k`'s. A greedy
//! distance-2 colouring of the columns groups them; one lane per colour
//! (and `LANES` colours per sweep) then recovers every entry directly. The
//! tridiagonal Hessian of the extended Rosenbrock function needs three
//! colours — one sweep — whatever `n` is.

use saddle_tape::{HessianPattern, Tape, Var};

use super::hessian::{Hessian, HessianOptions};
use super::sweep::{directional_columns, Rows};
use super::LANES;
use crate::dual::Dual;
use crate::error::{check_point, Error};

/// A sparse Hessian in compressed-column form (`column(j)` lists the rows
/// of the structural nonzeros of column `j` with their values).
#[derive(Clone, Debug, PartialEq)]
pub struct SparseHessian {
    n: usize,
    col_ptr: Vec<usize>,
    rows: Vec<usize>,
    values: Vec<f64>,
    sweeps: usize,
}

impl SparseHessian {
    /// The dimension `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of stored (structurally nonzero) entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// How many recordings and reverse sweeps it took.
    pub fn sweeps(&self) -> usize {
        self.sweeps
    }

    /// `Hᵢⱼ` (zero outside the pattern).
    ///
    /// # Panics
    /// If `i >= n` or `j >= n`; [`SparseHessian::try_get`] returns `None`
    /// instead.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.try_get(i, j).unwrap_or_else(|| {
            panic!(
                "SparseHessian::get({i}, {j}) out of range for a {n}×{n} Hessian",
                n = self.n
            )
        })
    }

    /// `Hᵢⱼ` (zero outside the pattern), or `None` if `i` or `j` is `≥ n`.
    pub fn try_get(&self, i: usize, j: usize) -> Option<f64> {
        if i >= self.n {
            return None;
        }
        let (rows, values) = self.try_column(j)?;
        Some(rows.binary_search(&i).map_or(0.0, |k| values[k]))
    }

    /// Column `j` as `(rows, values)`.
    ///
    /// # Panics
    /// If `j >= n`; [`SparseHessian::try_column`] returns `None` instead.
    pub fn column(&self, j: usize) -> (&[usize], &[f64]) {
        self.try_column(j).unwrap_or_else(|| {
            panic!(
                "SparseHessian::column({j}) out of range for a {n}×{n} Hessian",
                n = self.n
            )
        })
    }

    /// Column `j` as `(rows, values)`, or `None` if `j >= n`.
    pub fn try_column(&self, j: usize) -> Option<(&[usize], &[f64])> {
        if j >= self.n {
            return None;
        }
        let r = self.col_ptr[j]..self.col_ptr[j + 1];
        Some((&self.rows[r.clone()], &self.values[r]))
    }

    /// The dense [`Hessian`]: every stored entry at its place, zeros
    /// elsewhere (exactly the values of [`SparseHessian::get`]; no
    /// arithmetic, so nothing is rounded). Also `Hessian::from(&sparse)`.
    ///
    /// ```
    /// use saddle_dual::{sparse_hessian, Hessian};
    /// use saddle_tape::prelude::*;
    ///
    /// fn chain<S: Real>(x: &[S]) -> S { x.windows(2).map(|w| w[0] * w[1]).sum() }
    /// let sparse = sparse_hessian(|x| chain(x), &[1.0; 3])?;
    /// let dense: Hessian = sparse.to_dense();
    /// assert_eq!(dense.to_row_major(), vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    /// assert_eq!(dense, Hessian::from(&sparse));
    /// # Ok::<(), saddle_dual::Error>(())
    /// ```
    ///
    /// # Panics
    /// If the `n × n` matrix cannot be allocated (a sparse Hessian of
    /// `n = 10⁶` fits in memory, its dense form needs 8 TB);
    /// [`SparseHessian::try_to_dense`] returns an error instead.
    pub fn to_dense(&self) -> Hessian {
        self.try_to_dense()
            .unwrap_or_else(|e| panic!("SparseHessian::to_dense: {e}"))
    }

    /// [`SparseHessian::to_dense`], or an error naming `n` and the bytes
    /// needed if the `n × n` matrix cannot be allocated.
    ///
    /// # Errors
    /// If `n²` overflows or the allocation fails.
    pub fn try_to_dense(&self) -> Result<Hessian, Error> {
        let n = self.n;
        let too_big = || {
            Error::setting(
                "SparseHessian::to_dense",
                format!(
                    "a dense {n}×{n} Hessian ({:.1e} bytes) cannot be allocated",
                    (n as f64) * (n as f64) * 8.0
                ),
            )
        };
        let len = n.checked_mul(n).ok_or_else(too_big)?;
        let mut dense = Vec::new();
        dense.try_reserve_exact(len).map_err(|_| too_big())?;
        dense.resize(len, 0.0);
        // Column-major like `Hessian`: column j's entries go to j·n + i.
        for j in 0..n {
            let (rows, values) = self.column(j);
            for (&i, &v) in rows.iter().zip(values) {
                dense[j * n + i] = v;
            }
        }
        Hessian::from_column_major(n, dense)
    }

    /// The trace `tr H = Σᵢ Hᵢᵢ` from the stored diagonal entries (a
    /// diagonal entry outside the pattern is a structural zero), exact up
    /// to the rounding of the sum; equal to [`Hessian::trace`] of
    /// [`SparseHessian::to_dense`].
    pub fn trace(&self) -> f64 {
        (0..self.n).map(|j| self.get(j, j)).sum()
    }

    /// The dense `n × n` matrix, row-major.
    pub fn to_dense_row_major(&self) -> Vec<f64> {
        let n = self.n;
        let mut dense = vec![0.0; n * n];
        for j in 0..n {
            let (rows, values) = self.column(j);
            for (&i, &v) in rows.iter().zip(values) {
                dense[i * n + j] = v;
            }
        }
        dense
    }
}

impl From<&SparseHessian> for Hessian {
    /// [`SparseHessian::to_dense`].
    ///
    /// # Panics
    /// As [`SparseHessian::to_dense`] (use
    /// [`SparseHessian::try_to_dense`] for an error instead).
    fn from(sparse: &SparseHessian) -> Self {
        sparse.to_dense()
    }
}

/// A Hessian sparsity pattern and a colouring of its columns: computed once
/// (one recording), reused for every point with the same structure.
#[derive(Clone, Debug)]
pub struct HessianColoring {
    pattern: HessianPattern,
    colors: Vec<usize>,
    num_colors: usize,
}

/// The closures the sparse driver takes.
type LaneVar<'t> = Var<'t, Dual<f64, LANES>>;

impl HessianColoring {
    /// Records `f` at `x`, reads the Hessian's sparsity pattern off the tape
    /// and colours its columns greedily (distance-2). Both steps are bounded
    /// by the cost of a dense Hessian: a dense (or too costly) pattern comes
    /// back as one colour per column, so [`HessianColoring::hessian`] then
    /// does the dense Hessian's sweeps.
    ///
    /// # Errors
    /// If `x` is empty or not finite.
    pub fn detect<F>(f: &F, x: &[f64]) -> Result<Self, Error>
    where
        F: for<'t> Fn(&[LaneVar<'t>]) -> LaneVar<'t>,
    {
        check_point(x)?;
        let tape = Tape::new();
        let xs = tape.vars(&x.iter().map(|&a| Dual::constant(a)).collect::<Vec<_>>());
        let y = f(&xs);
        Ok(Self::from_pattern(tape.hessian_pattern(&xs, y)))
    }

    /// Colours a known pattern: column `j` gets the smallest colour not used
    /// by any column sharing a row with it (greedy distance-2 colouring).
    ///
    /// A banded pattern (`Hᵢⱼ = 0` for `|i − j| > b`) with some column
    /// holding all `2b + 1` rows of its band is coloured `j mod (2b + 1)` in
    /// one pass instead: two columns sharing a row are at most `2b` apart,
    /// so equal colours never conflict, and the full column needs `2b + 1`
    /// colours anyway, so no colouring has fewer (greedy finds the same
    /// number; W1's tridiagonal Hessian is the case).
    ///
    /// Greedy colouring costs `Σᵢ |column i|²`, cubic in `n` for a dense
    /// pattern, where it cannot beat one colour per column anyway. So a
    /// pattern with more than `n²/2` entries gets one colour per column
    /// outright (the evaluation is then the dense Hessian's: `⌈n/LANES⌉`
    /// sweeps), and the greedy pass stops at a budget of `16·n²` steps, the
    /// columns left each getting a fresh colour (still a valid colouring:
    /// a fresh colour conflicts with nothing).
    pub fn from_pattern(pattern: HessianPattern) -> Self {
        let n = pattern.n();
        if pattern.nnz().saturating_mul(2) > n.saturating_mul(n) {
            return HessianColoring {
                pattern,
                colors: (0..n).collect(),
                num_colors: n,
            };
        }
        if let Some(width) = full_band_width(&pattern) {
            return HessianColoring {
                colors: (0..n).map(|j| j % width).collect(),
                num_colors: width.min(n),
                pattern,
            };
        }
        let (starts, rows) = (pattern.column_starts(), pattern.row_indices());
        // Greedy colouring visits, for each column j and row i of it, all of
        // column i: Σⱼ Σ_{i ∈ col j} |col i| = Σᵢ |col i|² steps (symmetric
        // pattern). Within the budget as a whole (the common case), the
        // per-column accounting is skipped.
        let budget = 16usize.saturating_mul(n).saturating_mul(n);
        let total = starts
            .windows(2)
            .map(|w| (w[1] - w[0]).saturating_mul(w[1] - w[0]))
            .fold(0usize, usize::saturating_add);
        let mut left = (total > budget).then_some(budget);
        let mut colors = vec![usize::MAX; n];
        let mut forbidden_by = vec![usize::MAX; n + 1]; // colour -> last column that forbade it
        let mut num_colors = 0;
        for j in 0..n {
            let column = &rows[starts[j]..starts[j + 1]];
            if let Some(left) = &mut left {
                let work: usize = column.iter().map(|&i| starts[i + 1] - starts[i]).sum();
                if work > *left {
                    // Out of budget: every remaining column its own colour.
                    for (k, c) in colors.iter_mut().enumerate().skip(j) {
                        *c = num_colors + (k - j);
                    }
                    num_colors += n - j;
                    break;
                }
                *left -= work;
            }
            for &i in column {
                // Rows of column j; the pattern is symmetric, so row i's
                // columns are column i's rows. Column j itself is not
                // coloured yet (`usize::MAX`), so it forbids nothing.
                for &k in &rows[starts[i]..starts[i + 1]] {
                    let c = colors[k];
                    if c != usize::MAX {
                        forbidden_by[c] = j;
                    }
                }
            }
            // Colours of the ≤ n − 1 other columns forbid at most n − 1 of
            // the n + 1 entries: a free one exists.
            let mut c = 0;
            while forbidden_by[c] == j {
                c += 1;
            }
            colors[j] = c;
            num_colors = num_colors.max(c + 1);
        }
        HessianColoring {
            pattern,
            colors,
            num_colors,
        }
    }

    /// The sparsity pattern.
    pub fn pattern(&self) -> &HessianPattern {
        &self.pattern
    }

    /// The colour of each column (`0..num_colors()`).
    pub fn colors(&self) -> &[usize] {
        &self.colors
    }

    /// Number of colours (HVP lanes needed).
    pub fn num_colors(&self) -> usize {
        self.num_colors
    }

    /// Sweeps per Hessian: `⌈colours / LANES⌉`.
    pub fn sweeps(&self) -> usize {
        self.num_colors.div_ceil(LANES)
    }

    /// The Hessian at `x`: one lane per colour, every entry recovered
    /// directly, `Hᵢⱼ = (H d_{colour(j)})ᵢ`.
    ///
    /// # Errors
    /// If `x` does not have the pattern's length or is not finite.
    pub fn hessian<F>(&self, f: &F, x: &[f64]) -> Result<SparseHessian, Error>
    where
        F: for<'t> Fn(&[LaneVar<'t>]) -> LaneVar<'t> + Sync,
    {
        check_point(x)?;
        let n = self.pattern.n();
        if x.len() != n {
            return Err(Error::setting(
                "sparse Hessian",
                format!("x has {} entries, the pattern {n}", x.len()),
            ));
        }
        // compressed[c·n + i] = (H d_c)ᵢ, d_c the sum of the unit vectors
        // of colour c; one thread (a sparse Hessian is a few sweeps).
        let colors = &self.colors;
        let dir = |c: usize, i: usize| if colors[i] == c { 1.0 } else { 0.0 };
        let one_thread = HessianOptions { threads: 1 };
        let compressed = directional_columns::<LANES, F>(
            f,
            x,
            self.num_colors,
            &dir,
            one_thread,
            &|_| {},
            Rows::All,
        )?;
        let mut col_ptr = Vec::with_capacity(n + 1);
        let (mut rows, mut values) = (Vec::new(), Vec::new());
        col_ptr.push(0);
        for j in 0..n {
            let c = self.colors[j];
            for &i in self.pattern.column(j) {
                rows.push(i);
                values.push(compressed[c * n + i]);
            }
            col_ptr.push(rows.len());
        }
        Ok(SparseHessian {
            n,
            col_ptr,
            rows,
            values,
            sweeps: self.sweeps(),
        })
    }
}

/// `2b + 1` if the pattern lies in the band `|i − j| ≤ b` (the smallest
/// such `b`) and some column holds `2b + 1` rows, `None` otherwise; one pass
/// over the columns' first and last rows.
fn full_band_width(pattern: &HessianPattern) -> Option<usize> {
    let (starts, rows) = (pattern.column_starts(), pattern.row_indices());
    let (mut half, mut longest) = (0usize, 0usize);
    for (j, w) in starts.windows(2).enumerate() {
        if w[1] > w[0] {
            // Rows are sorted: the first and last bound the column.
            let (first, last) = (rows[w[0]], rows[w[1] - 1]);
            half = half
                .max(j.saturating_sub(first))
                .max(last.saturating_sub(j));
            longest = longest.max(w[1] - w[0]);
        }
    }
    (longest > 0 && longest == 2 * half + 1).then_some(longest)
}

/// The sparse Hessian `∇²f(x)`: detect the pattern, colour, evaluate
/// (one recording for the pattern, `⌈colours / LANES⌉` sweeps). To evaluate
/// many points with one structure, keep the [`HessianColoring`].
///
/// ```
/// use saddle_dual::sparse_hessian;
/// use saddle_tape::prelude::*;
///
/// fn chain<S: Real>(x: &[S]) -> S { x.windows(2).map(|w| (w[0] * w[1]).sin()).sum() }
/// let h = sparse_hessian(|x| chain(x), &[0.1; 100])?;
/// assert_eq!(h.nnz(), 100 + 2 * 99); // tridiagonal
/// assert_eq!(h.sweeps(), 1);
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty or not finite.
pub fn sparse_hessian<F>(f: F, x: &[f64]) -> Result<SparseHessian, Error>
where
    F: for<'t> Fn(&[LaneVar<'t>]) -> LaneVar<'t> + Sync,
{
    HessianColoring::detect(&f, x)?.hessian(&f, x)
}
