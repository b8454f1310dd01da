//! Adversarial checks of the compressed-column route of the dense Hessian
//! driver: for every function here, `hessian` (which may read the pattern
//! and seed one lane per colour) must equal the plain dense sweeps,
//! `hessian_matrix_product(f, x, I)`, entry by entry, and agree with
//! `sparse_hessian`.
//!
//! Functions are chosen where the pattern or the colouring could go wrong:
//! structure that depends on the point (branches, `max`, `abs`, relu at
//! ties), non-finite partials that a compressed lane could sum into another
//! column's entry (`0·∞ = NaN`), outputs that are constant or linear, block
//! operations mixed with scalar code, running sums feeding later products
//! (the pattern's `needed` liveness must keep their domains), divisions by
//! sums, `powf` at negative bases, and `n` just above `2·LANES`.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use saddle_check::expr::{expr, Expr};
use saddle_check::strategies;
use saddle_dual::{hessian, hessian_matrix_product, sparse_hessian, Dual, LANES};
use saddle_tape::prelude::*;

type D = Dual<f64, LANES>;

fn identity(n: usize) -> Vec<f64> {
    let mut e = vec![0.0; n * n];
    for i in 0..n {
        e[i * n + i] = 1.0;
    }
    e
}

/// Bitwise comparison that treats every NaN as equal to every NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Entry `(i, j)` of `hessian` against the plain sweeps: the same number,
/// or — when the dense route swept row `i` of column `j` out (`i` above
/// the first column of `j`'s sweep) and copied it by symmetry, which it
/// does only when every number is finite — the plain `(j, i)`.
fn matches_plain(
    h: &saddle_dual::Hessian,
    plain: &saddle_dual::ColumnMatrix,
    i: usize,
    j: usize,
) -> bool {
    let a = h.get(i, j);
    same(a, plain.get(i, j)) || (a.is_finite() && i < j / LANES * LANES && same(a, plain.get(j, i)))
}

/// `hessian` against the plain dense sweeps, entry by entry, and the number
/// of recordings `hessian` made (`1 + colours/LANES` on the compressed
/// route, `⌈n/LANES⌉` on the dense one).
///
/// Equality, not closeness: on the compressed route an entry is lane
/// `colour(j)` at row `i`, which adds to `Hᵢⱼ` only the structural zeros
/// `Hᵢₖ` of the other columns `k` of that colour — exact zeros, so the sum
/// is bit-identical to the dense lane's.
fn check<F>(f: F, x: &[f64]) -> usize
where
    F: for<'t> Fn(&[Var<'t, D>]) -> Var<'t, D> + Sync,
{
    let n = x.len();
    let calls = AtomicUsize::new(0);
    let h = hessian(
        |y| {
            calls.fetch_add(1, Ordering::Relaxed);
            f(y)
        },
        x,
    )
    .unwrap();
    let plain = hessian_matrix_product(&f, x, &identity(n)).unwrap();
    for j in 0..n {
        for i in 0..n {
            assert!(
                matches_plain(&h, &plain, i, j),
                "entry ({i}, {j}): hessian {} vs plain sweeps {}",
                h.get(i, j),
                plain.get(i, j)
            );
        }
    }
    calls.into_inner()
}

/// Also compares with `sparse_hessian` (its own colouring and recovery).
fn check_sparse<F>(f: F, x: &[f64]) -> usize
where
    F: for<'t> Fn(&[Var<'t, D>]) -> Var<'t, D> + Sync,
{
    let n = x.len();
    let h = hessian(&f, x).unwrap();
    let s = sparse_hessian(&f, x).unwrap();
    for j in 0..n {
        for i in 0..n {
            assert!(
                same(h.get(i, j), s.get(i, j)),
                "entry ({i}, {j}): dense driver {} vs sparse {}",
                h.get(i, j),
                s.get(i, j)
            );
        }
    }
    check(f, x)
}

fn point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect()
}

/// The dense route for `n = 24` takes `⌈24/8⌉ = 3` recordings; the
/// compressed one `1 + ⌈colours/8⌉ ≤ 2`.
const N: usize = 24;

#[test]
fn branch_on_the_point_selects_a_different_structure_per_term() {
    // Positive entries couple with the next, others take a sine: the
    // pattern read at x is the one every sweep at x records.
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0] * 0.0;
        for i in 0..x.len() - 1 {
            s += if x[i].value().re > 0.0 {
                x[i] * x[i + 1]
            } else {
                x[i].sin()
            };
        }
        s
    }
    assert!(check_sparse(f, &point(N)) < 3);
}

#[test]
fn max_abs_relu_at_ties_and_kinks() {
    // Every xᵢ is 0 or ±1: max and abs evaluated at ties and at their kinks.
    let x: Vec<f64> = (0..N).map(|i| [0.0, 1.0, -1.0][i % 3]).collect();
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0] * 0.0;
        for w in x.windows(3) {
            s += (w[0] * w[1]).abs() + w[1].max(w[2]) * w[0] + (w[2] * w[2] - w[0]).relu();
        }
        s
    }
    check_sparse(f, &x);
}

fn sqrt_chain<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
    let mut s = x[0] * 0.0;
    for i in 0..x.len() - 1 {
        s += x[i].sqrt() * 0.5 + x[i] * x[i + 1];
    }
    s
}

/// Defect found here: at a point where `f` has non-finite partials (√x at
/// x = 0, where the slope is +∞, and at x < 0, where it is NaN) the plain
/// dense sweeps put NaN (`0·∞`, `NaN·0`) into structurally zero entries of
/// the affected rows, while the compressed route left exact zeros there:
/// `H[3][0]` was `0` by one route and NaN by the other, so the result
/// depended on `n`, `K` and the colouring. Fixed by sweeping densely when
/// a compressed lane comes back non-finite.
#[test]
fn compressed_route_non_finite_partials_match_the_dense_sweeps() {
    // 0.8·cos(0.7 i) is negative at i = 3..6, 12..15, 21, 22; zeros at
    // multiples of 5 add infinite slopes.
    let mut x = point(N);
    for i in (0..N).step_by(5) {
        x[i] = 0.0;
    }
    check(sqrt_chain, &x);
    let h = hessian(sqrt_chain, &x).unwrap();
    // x₃ < 0: √x₃ is NaN, and the dense sweeps spread it over row 3.
    assert!(h.get(3, 0).is_nan());
}

#[test]
fn sqrt_at_positive_points_still_takes_the_compressed_route() {
    // The fallback costs nothing where every partial is finite.
    let x: Vec<f64> = (0..N).map(|i| 0.5 + 0.1 * i as f64).collect();
    assert!(check(sqrt_chain, &x) < 3);
}

#[test]
fn linear_output_has_an_all_zero_hessian() {
    // No interaction at all: the pattern is empty.
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0] * 2.0;
        for (i, &v) in x.iter().enumerate() {
            s += v * (i as f64);
        }
        s
    }
    let calls = check(f, &point(N));
    assert!(calls < 3, "{calls} recordings");
}

#[test]
fn constant_output_has_an_all_zero_hessian() {
    fn f<'t>(_: &[Var<'t, D>]) -> Var<'t, D> {
        Var::constant(D::constant(3.0))
    }
    let calls = check(f, &point(N));
    assert!(calls < 3, "{calls} recordings");
}

#[test]
fn output_that_is_one_input() {
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        x[7]
    }
    check(f, &point(N));
}

#[test]
fn running_sum_feeding_a_later_product_keeps_its_domain() {
    // s₆ = x₀ + … + x₆ reaches the output linearly (through the total) and
    // also through s₆·x₁₀: the `needed` liveness must keep s₆'s domain.
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0];
        let mut total = x[0] * 0.0;
        let mut kept = x[0];
        for (i, &v) in x.iter().enumerate().skip(1) {
            s += v;
            total += s;
            if i == 6 {
                kept = s;
            }
        }
        total + kept * x[10] + x[20] * x[21]
    }
    check_sparse(f, &point(N));
}

#[test]
fn running_sum_used_nonlinearly_only_after_more_linear_steps() {
    // The product consumes a sum that a later linear step extends: the
    // domain must survive two linear hops back from the product.
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let a = x[0] + x[1];
        let b = a * 3.0 - x[2];
        let c = -b + x[3];
        c.sin() + x[4] * x[5] + x[23] * x[22]
    }
    check_sparse(f, &point(N));
}

#[test]
fn divisions_by_sums() {
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0] * 0.0;
        for w in x.windows(3) {
            s += w[0] / (w[1] + w[2] + 3.0);
        }
        s
    }
    assert!(check_sparse(f, &point(N)) < 3);
}

#[test]
fn powf_at_negative_bases_with_constant_and_variable_exponents() {
    let x: Vec<f64> = (0..N).map(|i| -1.5 + 0.1 * i as f64).collect();
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0] * 0.0;
        for w in x.chunks(2) {
            s += w[0].powf(x[0] * 0.0 + 3.0) + w[1].powi(3) * w[0];
        }
        s
    }
    check(f, &x);
}

#[test]
fn n_just_above_two_lane_widths() {
    for n in [2 * LANES + 1, 2 * LANES + 2, 3 * LANES - 1, 3 * LANES + 1] {
        fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
            let mut s = x[0] * 0.0;
            for w in x.windows(2) {
                s += (w[0] * w[1]).sin();
            }
            s
        }
        check_sparse(f, &point(n));
    }
}

#[test]
fn block_operations_mixed_with_scalar_code() {
    // A stacked block through a constant matmul (linear) and an elementwise
    // tanh (nonlinear: couples the whole block), sliced, then scalar code.
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let tape = x[0].tape().unwrap();
        let b = tape.stack(2, 2, &x[0..4]).unwrap();
        let c = tape
            .constant_block_real(2, 2, &[1.0, -2.0, 0.5, 3.0])
            .unwrap();
        let m = c.matmul(&b).unwrap();
        let t = m.slice(0..1, 0..2).unwrap().tanh().sum();
        let lin = c
            .matmul(&tape.stack(2, 2, &x[4..8]).unwrap())
            .unwrap()
            .sum();
        let mut s = t + lin * x[9];
        for w in x[10..].windows(2) {
            s += w[0] * w[1];
        }
        s
    }
    check_sparse(f, &point(N));
}

#[test]
fn intermediate_products_reused_by_many_terms() {
    fn f<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let p = x[3] * x[4];
        let mut s = p * p;
        for &v in &x[10..] {
            s += p * 0.1 + v.exp();
        }
        s
    }
    check_sparse(f, &point(N));
}

/// Blocks of four inputs, each through the same random expression tree:
/// block-diagonal, so the compressed route is taken at `n = 24`.
fn blocks_of(e: &Expr) -> impl for<'t> Fn(&[Var<'t, D>]) -> Var<'t, D> + Sync + '_ {
    move |x| {
        let mut s = x[0] * 0.0;
        for c in x.chunks(4) {
            s += e.eval(c);
        }
        s
    }
}

proptest! {
    #![proptest_config(strategies::config(48))]

    /// Random smooth expressions per block of four: the compressed driver
    /// equals the plain dense sweeps bit for bit.
    #[test]
    fn random_block_diagonal_expressions_match_the_dense_sweeps(
        e in expr(4, 4),
        x in strategies::well_scaled(N),
    ) {
        let f = blocks_of(&e);
        let n = x.len();
        let h = hessian(&f, &x).unwrap();
        let plain = hessian_matrix_product(&f, &x, &identity(n)).unwrap();
        for (k, (a, b)) in h.as_column_major().iter().zip(plain.as_column_major()).enumerate() {
            prop_assert!(same(*a, *b), "entry ({}, {}): {} vs {}", k % n, k / n, a, b);
        }
    }
}

#[test]
fn full_budget_pattern_holds_every_nonzero_of_a_running_sum_product() {
    // After the `needed` change, `hessian_pattern` must stay a superset.
    let x = point(N);
    fn f<'t>(x: &[Var<'t, f64>]) -> Var<'t, f64> {
        let mut s = x[0];
        let mut total = x[0] * 0.0;
        for &v in &x[1..12] {
            s += v;
            total += s * 2.0;
        }
        total + s * x[12] + (x[13] + x[14]).sin() * x[15]
    }
    let tape = Tape::<f64>::new();
    let v = tape.vars(&x);
    let y = f(&v);
    let p = tape.hessian_pattern(&v, y);
    fn g<'t>(x: &[Var<'t, D>]) -> Var<'t, D> {
        let mut s = x[0];
        let mut total = x[0] * 0.0;
        for &v in &x[1..12] {
            s += v;
            total += s * 2.0;
        }
        total + s * x[12] + (x[13] + x[14]).sin() * x[15]
    }
    let h = hessian_matrix_product(g, &x, &identity(N)).unwrap();
    for j in 0..N {
        for i in 0..N {
            let hij = h.get(i, j);
            assert!(
                hij == 0.0 || p.contains(i, j),
                "H[{i}][{j}] = {hij} outside the pattern"
            );
        }
    }
    // x₀ … x₁₁ each couple with x₁₂ through s·x₁₂.
    assert!((0..12).all(|i| p.contains(i, 12) && p.contains(12, i)));
}

/// A random expression over all `N` inputs, plus a running sum that
/// reaches the output linearly and, at step 5, through a product.
fn with_running_sum<S: Real>(e: &Expr, x: &[S]) -> S {
    let mut s = x[0];
    let mut total = x[0] * 0.0;
    let mut kept = x[0];
    for (i, &v) in x.iter().enumerate().skip(1) {
        s += v;
        total += s;
        if i == 5 {
            kept = s;
        }
    }
    e.eval(x) + total + kept * x[7]
}

proptest! {
    #![proptest_config(strategies::config(48))]

    /// Random expressions over all 24 inputs (few inputs per tree, so the
    /// pattern is usually sparse) with a running sum: the driver equals
    /// the plain dense sweeps, `sparse_hessian` agrees, and the full-budget
    /// `hessian_pattern` holds every nonzero entry.
    #[test]
    fn random_expressions_with_running_sums_match_dense_and_sparse(
        e in expr(N, 5),
        x in strategies::well_scaled(N),
    ) {
        // With this seed 47 of the 48 cases take the compressed route (2
        // recordings), one the dense route (1 + 3).
        let h = hessian(|v| with_running_sum(&e, v), &x).unwrap();
        let plain = hessian_matrix_product(|v| with_running_sum(&e, v), &x, &identity(N)).unwrap();
        let s = sparse_hessian(|v| with_running_sum(&e, v), &x).unwrap();
        let tape = Tape::<f64>::new();
        let v = tape.vars(&x);
        let p = tape.hessian_pattern(&v, with_running_sum(&e, &v));
        for j in 0..N {
            for i in 0..N {
                let (a, b) = (h.get(i, j), plain.get(i, j));
                prop_assert!(matches_plain(&h, &plain, i, j), "({}, {}): {} vs dense {}", i, j, a, b);
                let copied = a.is_finite() && i < j / LANES * LANES && same(a, s.get(j, i));
                prop_assert!(same(a, s.get(i, j)) || copied, "({}, {}): {} vs sparse {}", i, j, a, s.get(i, j));
                prop_assert!(b == 0.0 || p.contains(i, j), "H[{}][{}] = {} outside the pattern", i, j, b);
            }
        }
    }
}
