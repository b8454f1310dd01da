//! The one routine every Hessian driver sweeps with: `H d_j` for a set of
//! directions, `K` of them per recording.
//!
//! Recording `f` on a tape of `Dual<f64, K>` numbers seeded
//! `xᵢ + Σₖ (d_{sK+k})ᵢ εₖ` and sweeping once gives, in lane `k` of every
//! input's adjoint, `(H d_{sK+k})ᵢ` (forward-over-reverse). The dense
//! Hessian takes the unit vectors as directions, the compressed (coloured)
//! Hessian the sums of unit vectors of one colour,
//! `hessian_matrix_product` the caller's directions.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use saddle_tape::{Tape, Var};

use super::hessian::HessianOptions;
use crate::dual::Dual;
use crate::error::Error;

/// Which rows of its columns a sweep computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Every row.
    All,
    /// For the unit directions of a dense Hessian: sweep `s` (columns
    /// `j ≥ sK`) computes rows `i ≥ sK` only, by a reverse sweep that skips
    /// what only the earlier inputs' adjoints need
    /// ([`Var::backward_wrt`]); the rows above are the earlier columns'
    /// entries by symmetry (`Hᵢⱼ = Hⱼᵢ`), copied by [`mirror_upper`].
    ///
    /// Unless a number swept (an adjoint's value or a lane) is not finite:
    /// at such a point `0·∞` can make `Hᵢⱼ` NaN in one column's sweep and
    /// not `Hⱼᵢ` in the other's, so a copy would put a number where the
    /// full sweeps put NaN (or the reverse). Every row is then swept, as
    /// the compressed route falls back to dense sweeps for the same reason.
    /// Sweep 0 wants every input, so the whole gradient is checked.
    Lower,
}

/// `H d_j` for `j < m`, where `dir(j, i)` is entry `i` of direction `j`;
/// returned column-major (`n × m`). With [`Rows::Lower`] (unit directions,
/// `m = n`) the rows above each sweep's first column are copied from the
/// earlier columns (or, at a non-finite point, swept like the rest).
pub(crate) fn directional_columns<const K: usize, F>(
    f: &F,
    x: &[f64],
    m: usize,
    dir: &(dyn Fn(usize, usize) -> f64 + Sync),
    options: HessianOptions,
    progress: &(dyn Fn(usize) + Sync),
    rows: Rows,
) -> Result<Vec<f64>, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    if K == 0 {
        return Err(Error::setting("lanes", "K must be at least 1"));
    }
    let n = x.len();
    let mut out = zeroed(n, m)?;
    let non_finite = AtomicBool::new(false);
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
        let y = f(&xs);
        let from = match rows {
            Rows::Lower => first.min(n),
            Rows::All => 0,
        };
        let adjoints = if from == 0 {
            y.backward().wrt_all(&xs)
        } else {
            y.backward_wrt(&xs[from..])
        };
        if rows == Rows::Lower
            && !adjoints
                .iter()
                .all(|a| a.re.is_finite() && a.eps.iter().all(|e| e.is_finite()))
        {
            non_finite.store(true, Ordering::Relaxed);
        }
        for (i, a) in (from..n).zip(adjoints) {
            for k in 0..lanes {
                chunk[k * n + i] = a.eps[k];
            }
        }
        progress(lanes);
    };
    run_sweeps(&mut out, K * n, options, Tape::new, sweep);
    if rows == Rows::Lower {
        if non_finite.into_inner() {
            // Progress was reported once for every column already.
            return directional_columns::<K, F>(f, x, m, dir, options, &|_| {}, Rows::All);
        }
        mirror_upper(&mut out, n, K);
    }
    Ok(out)
}

/// Runs `sweep(state, (s, chunk))` for every `stride`-long chunk `s` of
/// `out` (the last may be shorter), threaded as [`HessianOptions::threads`]
/// says: `0` is rayon's current pool when there are at least four sweeps,
/// `1` the calling thread, `t > 1` at most `t` contiguous groups of sweeps
/// (clamped to the pool and the sweep count). Each thread makes its own
/// `state` with `init` (a tape, say) and reuses it across its sweeps.
///
/// The threading rules of every driver that sweeps directions (the
/// Hessian drivers here, the Gauss-Newton matrix in saddle-nn); the result
/// does not depend on the threading when `sweep` depends only on `s`.
///
/// # Panics
/// If `stride` is 0 and `out` is not empty.
pub fn run_sweeps<S>(
    out: &mut [f64],
    stride: usize,
    options: HessianOptions,
    init: impl Fn() -> S + Sync + Send,
    sweep: impl Fn(&mut S, (usize, &mut [f64])) + Sync + Send,
) {
    let sweeps = out.len().div_ceil(stride.max(1));
    let serial = |out: &mut [f64], first_sweep: usize| {
        let mut state = init();
        out.chunks_mut(stride)
            .enumerate()
            .for_each(|(s, c)| sweep(&mut state, (first_sweep + s, c)));
    };
    match options.threads {
        0 if sweeps >= 4 => out
            .par_chunks_mut(stride)
            .enumerate()
            .for_each_init(&init, &sweep),
        0 | 1 => serial(out, 0),
        t => {
            // Never more jobs than the pool has threads or there are sweeps:
            // the extra ones could not run at once. Clamping (rather than
            // building a pool of `t` threads) keeps `usize::MAX` prompt and
            // avoids a new pool, tens of microseconds, on every call.
            let jobs = t.min(rayon::current_num_threads()).min(sweeps);
            if jobs <= 1 {
                serial(out, 0);
            } else {
                let per_job = sweeps.div_ceil(jobs);
                out.par_chunks_mut(per_job * stride)
                    .enumerate()
                    .for_each(|(g, group)| serial(group, g * per_job));
            }
        }
    }
}

/// Completes a symmetric `n × n` matrix (column-major) swept `k` unit
/// columns at a time with only the rows from each sweep's first column
/// down: sets `Hᵢⱼ = Hⱼᵢ` for every `i` above the first column of `j`'s
/// sweep, `i < ⌊j/k⌋·k`. Column `i`'s own sweep started at or before
/// `i < j`, so it computed row `j`. The dense Hessian driver sweeps this
/// way (its reverse sweeps skip what only earlier inputs need, see
/// [`Var::backward_wrt`](saddle_tape::Var::backward_wrt)), and so does the
/// dense Gauss-Newton matrix of saddle-nn.
///
/// Copied in square tiles, so that the strided side of the copy stays in
/// cache.
///
/// # Panics
/// If `h` holds fewer than `n²` numbers, or `k` is 0 while `n > 0`.
pub fn mirror_upper(h: &mut [f64], n: usize, k: usize) {
    assert!(
        h.len() >= n * n,
        "mirror_upper: {} numbers for an {n}×{n} matrix",
        h.len()
    );
    const TILE: usize = 64;
    for j0 in (0..n).step_by(TILE) {
        for i0 in (0..j0 + TILE).step_by(TILE) {
            for j in j0..(j0 + TILE).min(n) {
                let above = (j / k * k).min(i0 + TILE);
                for i in i0..above {
                    h[j * n + i] = h[i * n + j];
                }
            }
        }
    }
}

/// An `n × m` block of zeros, or an error naming its size if it cannot be
/// had: a dense Hessian of a million variables needs 8 TB, and `vec!` would
/// abort the process instead of returning.
pub(crate) fn zeroed(n: usize, m: usize) -> Result<Vec<f64>, Error> {
    let too_big = || {
        Error::setting(
            "Hessian",
            format!(
                "an {n}×{m} result ({:.1e} bytes) cannot be allocated",
                (n as f64) * (m as f64) * 8.0
            ),
        )
    };
    let len = n.checked_mul(m).ok_or_else(too_big)?;
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| too_big())?;
    out.resize(len, 0.0);
    Ok(out)
}
