//! Dense Hessians, assembled column by column from Hessian-vector products.
//!
//! Column `j` of `H` is `H eⱼ`. With `K`-lane duals one recording seeds `K`
//! unit directions at once and returns `K` columns; recordings are
//! independent, so they also spread across threads, one tape per thread.

use rayon::prelude::*;
use saddle_tape::{Tape, Var};

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
    /// If `data.len() != n²`.
    pub fn from_column_major(n: usize, data: Vec<f64>) -> Result<Self, Error> {
        if data.len() != n * n {
            return Err(Error::setting(
                "Hessian",
                format!("{} entries for a {n}×{n} matrix", data.len()),
            ));
        }
        Ok(Hessian { n, data })
    }

    /// The dimension `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ` (row `i`, column `j`).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[j * self.n + i]
    }

    /// Column `j`: `H eⱼ`.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.data[j * self.n..(j + 1) * self.n]
    }

    /// All entries, column by column.
    pub fn as_column_major(&self) -> &[f64] {
        &self.data
    }

    /// All entries, row by row (a transposed copy).
    pub fn to_row_major(&self) -> Vec<f64> {
        let n = self.n;
        (0..n * n).map(|k| self.data[(k % n) * n + k / n]).collect()
    }

    /// The measured asymmetry `maxᵢⱼ |Hᵢⱼ − Hⱼᵢ|`. Mixed partials of a `C²`
    /// function agree (Clairaut), so this is rounding error only: columns
    /// come from independent sweeps, and nothing forces them to agree bit
    /// for bit.
    pub fn asymmetry(&self) -> f64 {
        let mut worst = 0.0_f64;
        for j in 0..self.n {
            for i in 0..j {
                worst = worst.max((self.get(i, j) - self.get(j, i)).abs());
            }
        }
        worst
    }

    /// [`Hessian::asymmetry`] relative to `maxᵢⱼ |Hᵢⱼ|` (0 for a zero matrix).
    pub fn relative_asymmetry(&self) -> f64 {
        let scale = self.data.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
        if scale == 0.0 {
            0.0
        } else {
            self.asymmetry() / scale
        }
    }

    /// Replaces `H` by `(H + Hᵀ)/2`, removing the rounding asymmetry.
    pub fn symmetrize(&mut self) {
        let n = self.n;
        for j in 0..n {
            for i in 0..j {
                let m = 0.5 * (self.data[j * n + i] + self.data[i * n + j]);
                self.data[j * n + i] = m;
                self.data[i * n + j] = m;
            }
        }
    }
}

/// How [`hessian_with`] spreads its sweeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HessianOptions {
    /// Threads: `1` runs on the calling thread, `t > 1` on a pool of `t`
    /// threads (rayon's global pool when it has `t`, else a new one), `0`
    /// (the default) on rayon's global pool when there are at least four
    /// sweeps, else on the calling thread.
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
/// `k`-th lane of sweep `s` seeded with `e_{sK+k}`.
///
/// # Errors
/// If `x` is empty or not finite, or a thread pool cannot be built.
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
    let n = x.len();
    let unit = |j: usize, i: usize| if i == j { 1.0 } else { 0.0 };
    let data = directional_columns::<K, F>(&f, x, n, &unit, options, progress)?;
    Ok(Hessian { n, data })
}

/// `H V` for a block of `m` directions: `directions` holds them one after
/// another (`n × m`, column-major); the result is `n × m`, column-major.
/// [`LANES`] directions per sweep.
///
/// # Errors
/// If `x` is empty or not finite, `directions` is empty or not a multiple of
/// `n` long, or not finite.
pub fn hessian_matrix_product<F>(f: F, x: &[f64], directions: &[f64]) -> Result<Vec<f64>, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, LANES>>]) -> Var<'t, Dual<f64, LANES>> + Sync,
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
    directional_columns::<LANES, F>(&f, x, m, &dir, HessianOptions::default(), &|_| {})
}

/// `H d_j` for `j < m`, where `dir(j, i)` is entry `i` of direction `j`;
/// returned column-major (`n × m`).
fn directional_columns<const K: usize, F>(
    f: &F,
    x: &[f64],
    m: usize,
    dir: &(dyn Fn(usize, usize) -> f64 + Sync),
    options: HessianOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<f64>, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    if K == 0 {
        return Err(Error::setting("lanes", "K must be at least 1"));
    }
    let n = x.len();
    let mut out = vec![0.0; n * m];
    let sweeps = m.div_ceil(K);
    let sweep = |tape: &mut Tape<Dual<f64, K>>, (s, chunk): (usize, &mut [f64])| {
        tape.clear();
        let first = s * K;
        let lanes = chunk.len() / n;
        let seeded: Vec<Dual<f64, K>> = (0..n)
            .map(|i| {
                Dual::new(
                    x[i],
                    std::array::from_fn(|k| if k < lanes { dir(first + k, i) } else { 0.0 }),
                )
            })
            .collect();
        let tape = &*tape;
        let xs = tape.vars(&seeded);
        let grads = f(&xs).backward();
        for (i, xi) in xs.iter().enumerate() {
            let a = grads.wrt(*xi);
            for k in 0..lanes {
                chunk[k * n + i] = a.eps[k];
            }
        }
        progress(lanes);
    };
    // The global pool serves "all cores" and any request it already
    // matches; building a pool costs tens of microseconds, more than a
    // small Hessian.
    let global = rayon::current_num_threads();
    match options.threads {
        0 if sweeps >= 4 => out
            .par_chunks_mut(K * n)
            .enumerate()
            .for_each_init(Tape::new, sweep),
        t if t > 1 && t == global => out
            .par_chunks_mut(K * n)
            .enumerate()
            .for_each_init(Tape::new, sweep),
        0 | 1 => {
            let mut tape = Tape::new();
            out.chunks_mut(K * n)
                .enumerate()
                .for_each(|c| sweep(&mut tape, c));
        }
        t => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::setting("threads", e.to_string()))?;
            pool.install(|| {
                out.par_chunks_mut(K * n)
                    .enumerate()
                    .for_each_init(Tape::new, sweep)
            });
        }
    }
    Ok(out)
}
