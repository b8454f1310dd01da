//! Dense Hessians, assembled column by column from Hessian-vector products.
//!
//! Column `j` of `H` is `H eⱼ`. With `K`-lane duals one recording seeds `K`
//! unit directions at once and returns `K` columns; recordings are
//! independent, so they also spread across threads, one tape per thread.

use saddle_tape::Var;

use super::column_matrix::ColumnMatrix;
use super::compressed::compressed_hessian;
use super::sweep::{directional_columns, Rows};
use super::LANES;
use crate::dual::Dual;
use crate::error::{check_point, check_vector, Error};

/// A dense `n × n` Hessian, stored column by column (column `j` is the
/// HVP `H eⱼ` that produced it).
#[derive(Clone, Debug, PartialEq)]
pub struct Hessian {
    n: usize,
    /// Column-major: entry `(i, j)` at `j·n + i`.
    data: Vec<f64>,
}

impl Hessian {
    /// Wraps `n × n` entries given column by column.
    ///
    /// # Errors
    /// If `n²` overflows `usize` or `data.len() != n²`.
    pub fn from_column_major(n: usize, data: Vec<f64>) -> Result<Self, Error> {
        // Checked: with a wrapping `n * n`, n = 2³² would "need" 0 entries.
        let Some(n2) = n.checked_mul(n) else {
            return Err(Error::setting(
                "Hessian",
                format!("n = {n}: n² overflows usize ({} entries given)", data.len()),
            ));
        };
        if data.len() != n2 {
            return Err(Error::setting(
                "Hessian",
                format!("{} entries for a {n}×{n} matrix (need {n2})", data.len()),
            ));
        }
        Ok(Hessian { n, data })
    }

    /// The dimension `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ` (row `i`, column `j`).
    ///
    /// # Panics
    /// If `i ≥ n` or `j ≥ n`; [`Hessian::try_get`] is the checked form.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self.try_get(i, j) {
            Some(v) => v,
            None => panic!("Hessian::get({i}, {j}) out of range for n = {}", self.n),
        }
    }

    /// `Hᵢⱼ`, or `None` if `i ≥ n` or `j ≥ n`.
    pub fn try_get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.n && j < self.n).then(|| self.data[j * self.n + i])
    }

    /// Column `j`: `H eⱼ`.
    ///
    /// # Panics
    /// If `j ≥ n`; [`Hessian::try_column`] is the checked form.
    pub fn column(&self, j: usize) -> &[f64] {
        match self.try_column(j) {
            Some(c) => c,
            None => panic!("Hessian::column({j}) out of range for n = {}", self.n),
        }
    }

    /// Column `j`, or `None` if `j ≥ n`.
    pub fn try_column(&self, j: usize) -> Option<&[f64]> {
        (j < self.n).then(|| &self.data[j * self.n..(j + 1) * self.n])
    }

    /// All entries, column by column.
    pub fn as_column_major(&self) -> &[f64] {
        &self.data
    }

    /// All entries, column by column, without a copy.
    pub fn into_column_major(self) -> Vec<f64> {
        self.data
    }

    /// All entries, row by row (a transposed copy).
    pub fn to_row_major(&self) -> Vec<f64> {
        let n = self.n;
        (0..n * n).map(|k| self.data[(k % n) * n + k / n]).collect()
    }

    /// The trace `tr H = Σᵢ Hᵢᵢ = Σᵢ λᵢ` (the sum of the eigenvalues), read
    /// off the diagonal: exact up to the rounding of the `n − 1` additions,
    /// unlike a Hutchinson estimate. A NaN or ±∞ on the diagonal propagates.
    ///
    /// ```
    /// use saddle_dual::Hessian;
    /// let h = Hessian::from_column_major(2, vec![2.0, 1.0, 1.0, -5.0])?;
    /// assert_eq!(h.trace(), -3.0);
    /// # Ok::<(), saddle_dual::Error>(())
    /// ```
    pub fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.data[i * self.n + i]).sum()
    }

    /// The measured asymmetry `maxᵢⱼ |Hᵢⱼ − Hⱼᵢ|`. Mixed partials of a `C²`
    /// function agree (Clairaut), so this is rounding error only: columns
    /// come from independent sweeps, and nothing forces them to agree bit
    /// for bit. (The dense driver copies the entries above the diagonal
    /// blocks of its sweeps from below, see [`hessian_with`]: there it
    /// measures the `K × K` diagonal blocks, whose entries both come from
    /// sweeps. A Hessian from [`hessian_matrix_product`] with the identity
    /// has every column swept.)
    ///
    /// If any entry is NaN or ±∞ the result is `+∞`: a non-finite matrix is
    /// never reported symmetric, so a check `asymmetry() <= tol` fails on
    /// it. (`f64::max` skips NaN, which used to make a NaN Hessian look
    /// perfectly symmetric.)
    pub fn asymmetry(&self) -> f64 {
        if self.data.iter().any(|a| !a.is_finite()) {
            return f64::INFINITY;
        }
        let mut worst = 0.0_f64;
        for j in 0..self.n {
            for i in 0..j {
                let (a, b) = (self.data[j * self.n + i], self.data[i * self.n + j]);
                // |a − b| of two finite numbers can overflow to +∞: that is
                // a (huge) asymmetry, and +∞ compares as such.
                worst = worst.max((a - b).abs());
            }
        }
        worst
    }

    /// [`Hessian::asymmetry`] relative to `maxᵢⱼ |Hᵢⱼ|` (0 for a zero
    /// matrix, `+∞` if any entry is not finite).
    pub fn relative_asymmetry(&self) -> f64 {
        let asymmetry = self.asymmetry();
        if !asymmetry.is_finite() {
            return f64::INFINITY;
        }
        let scale = self.data.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
        if scale == 0.0 {
            0.0
        } else {
            asymmetry / scale
        }
    }

    /// Replaces `H` by `(H + Hᵀ)/2`, removing the rounding asymmetry.
    ///
    /// Computed as `½Hᵢⱼ + ½Hⱼᵢ`, which cannot overflow for finite entries
    /// (`½(Hᵢⱼ + Hⱼᵢ)` overflows when both are near `f64::MAX`).
    pub fn symmetrize(&mut self) {
        let n = self.n;
        for j in 0..n {
            for i in 0..j {
                let m = 0.5 * self.data[j * n + i] + 0.5 * self.data[i * n + j];
                self.data[j * n + i] = m;
                self.data[i * n + j] = m;
            }
        }
    }
}

/// How [`hessian_with`] spreads its sweeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HessianOptions {
    /// The most sweeps that run at once.
    ///
    /// - `0` (the default): "all cores": rayon's current pool (the global
    ///   one unless called inside `ThreadPool::install`) when there are at
    ///   least four sweeps, else the calling thread.
    /// - `1`: the calling thread, one tape.
    /// - `t > 1`: the sweeps are split into `t` contiguous groups of
    ///   (nearly) equal size, one tape and one rayon job per group, on the
    ///   current pool. So at most `t` threads work on it and no thread is
    ///   ever created per call.
    ///
    /// Any `t` is accepted: values above the current pool's size or the
    /// number of sweeps are clamped to the smaller of the two (more jobs
    /// than threads or sweeps cannot run at once). `usize::MAX` therefore
    /// means "all of the pool". The result does not depend on `threads`:
    /// every column comes from the same arithmetic whichever thread runs it.
    pub threads: usize,
}

/// The dense Hessian `∇²f(x)` with [`LANES`] columns per sweep and
/// default threading. See [`hessian_with`].
///
/// ```
/// use saddle_dual::hessian;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[0] * x[1] + x[1].sin() }
/// let h = hessian(|x| f(x), &[1.0, 0.0])?;
/// assert_eq!(h.to_row_major(), vec![0.0, 2.0, 2.0, 0.0]); // [[2y, 2x], [2x, −sin y]]
/// assert_eq!(h.asymmetry(), 0.0);
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty or not finite.
pub fn hessian<F>(f: F, x: &[f64]) -> Result<Hessian, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, LANES>>]) -> Var<'t, Dual<f64, LANES>> + Sync,
{
    hessian_with::<LANES, F>(f, x, HessianOptions::default())
}

/// The dense Hessian with `K` lanes (columns per sweep) and the given
/// threading: `⌈n/K⌉` recordings of `f` on a `Tape<Dual<f64, K>>`, the
/// `k`-th lane of sweep `s` seeded with `e_{sK+k}` — or far fewer when the
/// Hessian is structurally sparse: `f` is recorded once to read its
/// sparsity pattern, and if a colouring of the columns needs at most half
/// the sweeps, each lane is seeded with the sum of the unit vectors of one
/// colour and the entries are scattered back (W1 at n = 1000: one
/// recording, swept once, instead of 125; a banded pattern reuses the
/// pattern's own recording, seeded with the colours `j mod K`). The result
/// is the same dense `Hessian` either way.
///
/// Without compression the sweeps take the lower triangle: the sweep of
/// columns `j₀ .. j₀ + K` computes rows `i ≥ j₀` only
/// ([`Var::backward_wrt`](saddle_tape::Var::backward_wrt) skips the work
/// that only the adjoints of earlier inputs need: in a network whose
/// parameters are numbered layer by layer, the reverse pass through the
/// earlier layers), and the rows above are copied from the earlier
/// columns, `Hᵢⱼ = Hⱼᵢ` ([`mirror_upper`](crate::mirror_upper)). So the
/// result is exactly symmetric outside the diagonal `K × K` blocks, where
/// [`Hessian::asymmetry`] still measures independent sweeps. If a swept
/// number is not finite, every row is swept instead (see below).
///
/// Two things to know at the edges:
/// - At a point where a partial derivative is infinite, an entry that is
///   `0·∞` in exact arithmetic can come out `∞` or NaN depending on `K`:
///   the reverse sweep skips nodes whose adjoint is zero in every lane, so
///   whether a lane's `0·∞` is evaluated depends on which columns share
///   the sweep. (It never depends on `threads`.) At such points nothing is
///   copied by symmetry: `0·∞` can make `Hᵢⱼ` NaN and not `Hⱼᵢ`, and every
///   entry is the one its own column's sweep gives.
/// - A constant made inside `f` from a variable's value must drop its
///   tangents: `Var::constant(Dual::constant(y.value().re))`, not
///   `Var::constant(y.value())`. The latter keeps `y`'s tangents, which the
///   sweeps see but the sparsity pattern (a constant depends on nothing)
///   does not, so the routes would disagree.
///
/// # Errors
/// If `x` is empty or not finite, `K = 0`, or the `n × n` result cannot be
/// allocated.
pub fn hessian_with<const K: usize, F>(
    f: F,
    x: &[f64],
    options: HessianOptions,
) -> Result<Hessian, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    hessian_with_progress::<K, F>(f, x, options, &|_| {})
}

/// [`hessian_with`], calling `progress(columns)` after every sweep with the
/// number of columns it finished (from whichever thread ran it), for
/// progress bars over long Hessians.
///
/// # Errors
/// As [`hessian_with`].
pub fn hessian_with_progress<const K: usize, F>(
    f: F,
    x: &[f64],
    options: HessianOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Hessian, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    check_point(x)?;
    if let Some(h) = compressed_hessian::<K, F>(&f, x, options, progress)? {
        return Ok(h);
    }
    let n = x.len();
    let unit = |j: usize, i: usize| if i == j { 1.0 } else { 0.0 };
    let data = directional_columns::<K, F>(&f, x, n, &unit, options, progress, Rows::Lower)?;
    Ok(Hessian { n, data })
}

/// `H V` for a block of `m` directions: `directions` holds them one after
/// another (`n × m`, column-major); the result is the `n × m` matrix whose
/// column `j` is `H vⱼ` ([`ColumnMatrix`]). [`LANES`] directions per sweep,
/// default threading (see [`hessian_matrix_product_with`]).
///
/// ```
/// use saddle_dual::hessian_matrix_product;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[0] * x[1] } // H = [[2y, 2x], [2x, 0]]
/// // V = [e₀, e₀ + e₁] at (1, 3): H V = [[6, 8], [2, 2]]
/// let hv = hessian_matrix_product(|x| f(x), &[1.0, 3.0], &[1.0, 0.0, 1.0, 1.0])?;
/// assert_eq!((hv.rows(), hv.cols()), (2, 2));
/// assert_eq!(hv.column(1), &[8.0, 2.0]);
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty or not finite, `directions` is empty or not a multiple of
/// `n` long, or not finite.
pub fn hessian_matrix_product<F>(f: F, x: &[f64], directions: &[f64]) -> Result<ColumnMatrix, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, LANES>>]) -> Var<'t, Dual<f64, LANES>> + Sync,
{
    hessian_matrix_product_with::<LANES, F>(f, x, directions, HessianOptions::default())
}

/// [`hessian_matrix_product`] with `K` lanes and the given threading: the
/// `⌈m/K⌉` sweeps (directions `sK .. sK + K` in sweep `s`, a short last one
/// when `m` is not a multiple of `K`) are spread as
/// [`HessianOptions::threads`] says, exactly as for [`hessian_with`]. The
/// result does not depend on `threads`; `K` changes only which columns
/// share a sweep (so the rounding of the lane-stacked products, and at
/// infinite partials the `0·∞` of [`hessian_with`]).
///
/// Fewer lanes than [`LANES`] can be faster when the taped blocks are
/// large: a `Dual<f64, K>` is `8(K + 1)` bytes, and an MLP layer's blocks
/// at 8 lanes can outgrow the core's cache (saddle-nn's
/// `Mlp::hessian_matrix_product` uses 4).
///
/// # Errors
/// As [`hessian_matrix_product`], or if `K = 0`.
pub fn hessian_matrix_product_with<const K: usize, F>(
    f: F,
    x: &[f64],
    directions: &[f64],
    options: HessianOptions,
) -> Result<ColumnMatrix, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    check_point(x)?;
    let n = x.len();
    if directions.is_empty() || directions.len() % n != 0 {
        return Err(Error::setting(
            "hessian_matrix_product",
            format!(
                "directions hold {} numbers, not a positive multiple of n = {n}",
                directions.len()
            ),
        ));
    }
    for d in directions.chunks(n) {
        check_vector("direction", d, n)?;
    }
    let m = directions.len() / n;
    let dir = |j: usize, i: usize| directions[j * n + i];
    let data = directional_columns::<K, F>(&f, x, m, &dir, options, &|_| {}, Rows::All)?;
    ColumnMatrix::from_column_major(n, m, data)
}
