//! Sparse and compressed Hessians of functions written with block
//! operations, whose sparsity is now read entry by entry
//! (`BlockOp::entry_dependence`). The danger of a finer pattern is an entry
//! it misses: the compressed Hessian would then add two columns into one
//! lane and read a wrong number without any sign. Random programs of
//! elementwise maps and zips, slices, affine maps, row broadcasts, stacks
//! and entry reads are checked against the Hessian swept with unit
//! directions one column at a time (`hessian_matrix_product` with the
//! identity: no pattern involved).

use proptest::prelude::*;
use saddle_check::strategies;
use saddle_dual::{hessian, hessian_matrix_product, sparse_hessian, HessianColoring};
use saddle_tape::prelude::*;

/// Number of inputs of the random programs.
const N: usize = 7;

/// One step of a random program: an operation code and three operand
/// choices (taken modulo what exists).
type Step = (u8, u8, u8, u8);

/// The block of `pool` picked by `k`, cut to at most `w` columns starting
/// at a column picked by `at` (every pool block is `1 × m`).
fn cut<'t, T: Scalar>(b: &Block<'t, T>, w: usize, at: u8) -> Block<'t, T> {
    let m = b.cols();
    let w = w.min(m);
    let c0 = at as usize % (m - w + 1);
    b.slice(0..1, c0..c0 + w).unwrap()
}

/// Runs the program on the inputs `x` (stacked into a `1 × N` block) and
/// returns a scalar touching every block made.
fn run<'t, T: Scalar>(steps: &[Step], x: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = x[0].tape().expect("inputs are on a tape");
    let mut pool = vec![tape.stack(1, x.len(), x).unwrap()];
    for &(op, i, j, k) in steps {
        let a = pool[i as usize % pool.len()];
        let b = pool[j as usize % pool.len()];
        let w = a.cols().min(b.cols());
        let (a2, b2) = (cut(&a, w, k), cut(&b, w, k / 3));
        let next = match op % 9 {
            0 => a.map("sin", saddle_tape::rules::sin),
            1 => a.square(),
            2 => a.affine(-0.7, 0.3),
            3 => a2.add(&b2).unwrap(),
            4 => a2.sub(&b2).unwrap(),
            5 => a2.mul(&b2).unwrap(),
            // A denominator in [1, ∞): no pole near the random points.
            6 => a2.div(&b2.square().affine(1.0, 1.0)).unwrap(),
            7 => cut(&a, (k as usize % a.cols()).max(1), j),
            _ => {
                // Two rows [a2; b2] plus a broadcast row of a2, then one
                // entry of it through a scalar product, stacked back.
                let rows: Vec<Var<'t, T>> = a2.vars().into_iter().chain(b2.vars()).collect();
                let m = tape.stack(2, w, &rows).unwrap().add_row(&a2).unwrap();
                let e = m.at(1, k as usize % w) * m.at(0, 0);
                let mut row = m.slice(1..2, 0..w).unwrap().vars();
                row[0] = e;
                tape.stack(1, w, &row).unwrap()
            }
        };
        pool.push(next);
    }
    // Blocks made at odd steps enter linearly (so a product's pattern is
    // its own: only the mixed entries), the others squared.
    pool[1..]
        .iter()
        .enumerate()
        .map(|(k, b)| {
            if k % 2 == 0 {
                b.sum()
            } else {
                b.square().sum()
            }
        })
        .fold(pool[0].at(0, 0) * 0.0, |s, t| s + t)
}

fn step() -> impl Strategy<Value = Step> {
    (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
}

proptest! {
    #![proptest_config(strategies::config(200))]

    /// The sparse Hessian (read through the entry-wise pattern and its
    /// colouring) and the dense driver agree with the Hessian swept one unit
    /// direction at a time, and every entry outside the pattern is exactly
    /// zero there.
    ///
    /// Tolerance: the three routes run the same forward-over-reverse
    /// arithmetic; a compressed lane adds columns that are structurally zero
    /// in the rows read (exact zeros), so only the order of the tangent
    /// sums can differ: a few ulps of the largest entry, 1e-13 · max|H|
    /// with room (entries here are O(1)–O(10³)).
    #[test]
    fn block_programs_have_exact_sparse_hessians(
        steps in proptest::collection::vec(step(), 1..8),
        x in strategies::well_scaled(N),
    ) {
        let identity: Vec<f64> = (0..N * N).map(|k| f64::from(k % (N + 1) == 0)).collect();
        let by_columns = hessian_matrix_product(|v| run(&steps, v), &x, &identity).unwrap();
        let scale = by_columns.as_column_major().iter().fold(1.0f64, |m, h| m.max(h.abs()));
        let tol = 1e-13 * scale;
        let pattern = HessianColoring::detect(&|v: &[Var<'_, _>]| run(&steps, v), &x).unwrap();
        let sparse = sparse_hessian(|v| run(&steps, v), &x).unwrap();
        let dense = hessian(|v| run(&steps, v), &x).unwrap();
        for j in 0..N {
            for i in 0..N {
                let want = by_columns.get(i, j);
                prop_assert!(
                    pattern.pattern().contains(i, j) || want == 0.0,
                    "H[{}][{}] = {} outside the pattern", i, j, want
                );
                prop_assert!((sparse.get(i, j) - want).abs() <= tol,
                    "sparse H[{}][{}] = {} vs {}", i, j, sparse.get(i, j), want);
                prop_assert!((dense.get(i, j) - want).abs() <= tol,
                    "dense H[{}][{}] = {} vs {}", i, j, dense.get(i, j), want);
            }
        }
    }
}

/// W1 written with block slices has the scalar version's tridiagonal
/// pattern: three colours, and the same Hessian bit for bit (the same
/// operations in the same order on every entry).
#[test]
fn block_written_rosenbrock_hessian_is_compressed_and_matches_scalar_code() {
    fn scalar<S: Real>(x: &[S]) -> S {
        x.windows(2)
            .map(|w| {
                (w[1] - w[0] * w[0]) * (w[1] - w[0] * w[0]) * 100.0
                    + (S::one() - w[0]) * (S::one() - w[0])
            })
            .sum()
    }
    fn blocks<'t, T: Scalar>(v: &[Var<'t, T>]) -> Var<'t, T> {
        let n = v.len();
        let x = v[0].tape().unwrap().stack(1, n, v).unwrap();
        let (a, b) = (
            x.slice(0..1, 0..n - 1).unwrap(),
            x.slice(0..1, 1..n).unwrap(),
        );
        let d = b.sub(&a.square()).unwrap();
        d.square().sum() * 100.0 + a.affine(-1.0, 1.0).square().sum()
    }
    let n = 300;
    let x: Vec<f64> = (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect();
    let coloring = HessianColoring::detect(&|v: &[Var<'_, _>]| blocks(v), &x).unwrap();
    assert_eq!(coloring.num_colors(), 3);
    let h = hessian(blocks, &x).unwrap();
    let reference = hessian(|v| scalar(v), &x).unwrap();
    // Entry (i, i) of both is 1200 xᵢ² − 400 xᵢ₊₁ + 2 (+ 200 for i > 0) and
    // (i, i+1) is −400 xᵢ, each summed in the same order: equal to the last
    // bit would be too strong (the scalar version rounds `d·d·100` where
    // the block one rounds `Σ d²` then multiplies), so a few ulps of the
    // largest entry (~10³): 1e-12.
    for j in 0..n {
        for i in 0..n {
            let (a, b) = (h.get(i, j), reference.get(i, j));
            assert!((a - b).abs() <= 1e-12, "H[{i}][{j}] = {a} vs {b}");
        }
    }
}
