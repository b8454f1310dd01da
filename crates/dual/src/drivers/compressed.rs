//! The dense Hessian by compressed columns, when the function's structure
//! allows it.
//!
//! A dense Hessian needs `⌈n/K⌉` sweeps, one lane per column. But if
//! columns `j` and `k` share no structurally nonzero row, one lane seeded
//! `eⱼ + eₖ` yields both (see [`HessianColoring`]): a function with a
//! banded or block-diagonal Hessian needs as many lanes as it has colours,
//! not `n`. So before sweeping, the dense driver records `f` once, reads
//! the sparsity pattern off that tape (bounded work: a dense or too costly
//! pattern comes back dense at once), and takes the compressed route when
//! it needs at most half the dense sweeps; the result is the same dense
//! [`Hessian`], its structural zeros exact zeros.
//!
//! That first recording is seeded with the colouring `j mod K` (lane `k`
//! carries `Σ_{j ≡ k} eⱼ`; tangents do not change the structure). When the
//! pattern admits that colouring (every row's columns have distinct
//! residues mod `K`, as for any band of half-width below `K/2`), the
//! recording is swept as it is and no second one is made: `(H d_k)ᵢ = Hᵢⱼ`
//! for the one `j ≡ k` in row `i`. Otherwise the columns are coloured
//! greedily and swept on new recordings.
//!
//! If a compressed lane comes back with a non-finite entry, the point is
//! swept densely after all: there the dense sweeps give NaN (`0·∞`) in
//! structurally zero entries too, and the result must not depend on the
//! route.
//!
//! The cost when it does not pay: one recording of `f` and a pattern
//! analysis cut off at about one sweep's work — a dense pattern (an MLP's)
//! is given up on as soon as it grows past that.

use saddle_tape::{HessianPattern, Tape, Var};

use super::hessian::{Hessian, HessianOptions};
use super::sparse::HessianColoring;
use super::sweep::{directional_columns, zeroed, Rows};
use crate::dual::Dual;
use crate::error::{check_point, Error};

/// The sparsity pattern of `∇²f(x)` if it can be had for about the work of
/// one Hessian sweep, `None` otherwise: `f` is recorded once on a
/// `Tape<Dual<f64, K>>` with constant tangents, and the pattern analysis
/// ([`Tape::hessian_pattern_within`]) is cut off after about `32·L + 16·n`
/// element operations for a tape of `L` slots (a sweep does a few
/// operations on each of the `K` lanes of every slot), or as soon as one
/// operation couples more than half the inputs. [`hessian_with`](super::hessian_with)
/// runs the same analysis, with the same limit, before sweeping densely
/// (on a recording seeded with colours, which it can then sweep); a dense
/// pattern (an MLP's) is given up on as soon as it grows past the limit.
///
/// # Errors
/// If `x` is empty or not finite.
pub fn cheap_hessian_pattern<const K: usize, F>(
    f: &F,
    x: &[f64],
) -> Result<Option<HessianPattern>, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>>,
{
    check_point(x)?;
    let tape = Tape::<Dual<f64, K>>::new();
    let xs = tape.vars(&x.iter().map(|&a| Dual::constant(a)).collect::<Vec<_>>());
    let y = f(&xs);
    Ok(tape.hessian_pattern_within(&xs, y, pattern_budget(tape.len(), x.len())))
}

/// The work the pattern analysis may do on a tape of `slots` slots and `n`
/// inputs: about `32·L + 16·n` element operations (see
/// [`cheap_hessian_pattern`]).
fn pattern_budget(slots: usize, n: usize) -> usize {
    slots
        .saturating_mul(32)
        .saturating_add(n.saturating_mul(16))
        .saturating_add(1 << 16)
}

/// Whether the rows of every column of `pattern` fall in distinct residue
/// classes mod `K`, i.e. colouring column `j` with `j mod K` is valid (the
/// pattern is symmetric, so columns stand for rows). `K` is a constant so
/// that `i % K` is no division for the usual powers of two.
fn residues_are_distinct<const K: usize>(pattern: &HessianPattern) -> bool {
    let mut seen = [usize::MAX; K];
    (0..pattern.n()).all(|j| {
        pattern.column(j).iter().all(|&i| {
            // `seen[r] == j`: residue r already taken in column j.
            std::mem::replace(&mut seen[i % K], j) != j
        })
    })
}

/// Below this many dense sweeps the detection cannot pay for itself.
const MIN_DENSE_SWEEPS: usize = 3;

/// The Hessian by compressed columns if the pattern of `f` at `x` needs at
/// most half the dense sweeps; `None` (after one recording) otherwise.
pub(crate) fn compressed_hessian<const K: usize, F>(
    f: &F,
    x: &[f64],
    options: HessianOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Option<Hessian>, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync,
{
    let n = x.len();
    let dense_sweeps = n.div_ceil(K.max(1));
    if K == 0 || dense_sweeps < MIN_DENSE_SWEEPS {
        return Ok(None);
    }
    // One recording, seeded so that it is also a compressed sweep: lane k
    // carries d_k = Σ_{j ≡ k (mod K)} eⱼ. Tangents do not change the
    // structure the pattern is read from. (`x` was checked by the caller.)
    let tape = Tape::<Dual<f64, K>>::new();
    let seeds: Vec<Dual<f64, K>> = x
        .iter()
        .enumerate()
        .map(|(j, &a)| {
            Dual::new(
                a,
                std::array::from_fn(|k| if j % K == k { 1.0 } else { 0.0 }),
            )
        })
        .collect();
    let xs = tape.vars(&seeds);
    let y = f(&xs);
    let Some(pattern) = tape.hessian_pattern_within(&xs, y, pattern_budget(tape.len(), n)) else {
        return Ok(None);
    };
    if residues_are_distinct::<K>(&pattern) {
        // Colour j mod K is valid: (H d_k)ᵢ = Hᵢⱼ for the one j ≡ k in row
        // i's pattern. The recording is swept as it is, and the entries are
        // read straight from its lanes (lane k of input i is (H d_k)ᵢ).
        let lanes = y.backward().wrt_all(&xs);
        let finite = lanes.iter().all(|d| d.eps.iter().all(|e| e.is_finite()));
        return scatter(
            &pattern,
            finite,
            |i, c| lanes[i].eps[c],
            |j| j % K,
            progress,
        );
    }
    let coloring = HessianColoring::from_pattern(pattern);
    let colors = coloring.num_colors();
    if colors.div_ceil(K) * 2 > dense_sweeps {
        return Ok(None);
    }
    // Direction c is the sum of the unit vectors of colour c.
    let color_of = coloring.colors();
    let dir = |c: usize, i: usize| if color_of[i] == c { 1.0 } else { 0.0 };
    let compressed = directional_columns::<K, F>(f, x, colors, &dir, options, &|_| {}, Rows::All)?;
    let finite = compressed.iter().all(|v| v.is_finite());
    let entry = |i: usize, c: usize| compressed[c * n + i];
    scatter(coloring.pattern(), finite, entry, |j| color_of[j], progress)
}

/// The dense Hessian from compressed columns (`entry(i, c)` is `(H d_c)ᵢ`,
/// the sum of the columns of colour `c` at row `i`): `Hᵢⱼ =
/// entry(i, colour(j))` for `i` in the pattern of column `j`, zero
/// elsewhere. `None` if a compressed entry is not finite (`finite` is
/// false): a non-finite partial (√x at 0, a NaN from outside the domain)
/// makes the dense sweeps put NaN (0·∞) into entries that are structurally
/// zero, where the compressed lanes would leave exact zeros, so that the
/// result never depends on the route such a point is swept densely.
fn scatter(
    pattern: &HessianPattern,
    finite: bool,
    entry: impl Fn(usize, usize) -> f64,
    colour: impl Fn(usize) -> usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Option<Hessian>, Error> {
    if !finite {
        return Ok(None);
    }
    let n = pattern.n();
    let mut data = zeroed(n, n)?;
    for (j, column) in data.chunks_exact_mut(n).enumerate() {
        let c = colour(j);
        for &i in pattern.column(j) {
            column[i] = entry(i, c);
        }
    }
    progress(n);
    Ok(Some(Hessian::from_column_major(n, data)?))
}
