//! The dual gemm with sparse tangent lanes. A component with at most one
//! nonzero entry in 16 (and at least 64 entries, in a product at least 8
//! wide) is multiplied entry by entry from its nonzero entries instead of
//! by the kernel: the unit lanes of a Hessian sweep. The result must still
//! be the definition `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ` in dual arithmetic, for sparse
//! lanes of `A` or of `B`, at the density where the route changes, in
//! every layout, with and without accumulation (a stale `C` overwritten),
//! with `0·∞` still `NaN`, and for nested duals.
//!
//! Tolerance: as in `gemm_lanes.rs`, 1e-13 relative to `max(1, |want|)`
//! (sums of at most 24 terms of size ≤ 1.5² in another association).

use proptest::prelude::*;
use saddle_dual::Dual;
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

/// How the tangent lanes of a test matrix are filled.
#[derive(Clone, Copy, Debug)]
enum Lanes {
    /// Every entry nonzero.
    Dense,
    /// Lane `l` has the single nonzero entry `1` at position `(7l + 3) mod
    /// len`: a unit seed, as a Hessian sweep has.
    Unit,
    /// Lane `l` has exactly `count` nonzero entries, at positions chosen by
    /// a hash of `(l, index)`.
    Count(usize),
    /// Lane `l`'s nonzero entries are column `l mod cols` (of `rows × cols`
    /// storage): the tangent one layer after a unit seed.
    Column,
}

/// A deterministic `rows × cols` dual matrix (row-major storage).
fn matrix<const L: usize>(rows: usize, cols: usize, seed: f64, lanes: Lanes) -> Vec<Dual<f64, L>> {
    let len = rows * cols;
    // The `count` positions of lane `l`: the first ones of a fixed
    // permutation of 0..len.
    let count = if let Lanes::Count(count) = lanes {
        count
    } else {
        0
    };
    let chosen: Vec<Vec<bool>> = (0..L)
        .map(|l| {
            let mut order: Vec<usize> = (0..len).collect();
            order.sort_by_key(|&p| (p * 2654435761 + l * 40503) % 1_000_003);
            let mut set = vec![false; len];
            order.iter().take(count).for_each(|&p| set[p] = true);
            set
        })
        .collect();
    (0..len)
        .map(|i| {
            let t = seed + 1.37 * i as f64;
            let eps = std::array::from_fn(|l| {
                let value = (0.7 * t + l as f64).cos() - 0.2;
                match lanes {
                    Lanes::Dense => value,
                    Lanes::Unit => f64::from(i == (7 * l + 3) % len),
                    Lanes::Count(_) => {
                        if chosen[l][i] {
                            value
                        } else {
                            0.0
                        }
                    }
                    Lanes::Column => {
                        if i % cols == l % cols {
                            value
                        } else {
                            0.0
                        }
                    }
                }
            });
            Dual::new((1.3 * t).sin() + 0.1, eps)
        })
        .collect()
}

fn close(x: f64, y: f64) -> bool {
    x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-13 * y.abs().max(1.0)
}

/// `C ← op(A)·op(B)` (or `C + op(A)·op(B)`) by the kernel and by the
/// definition, compared; `C` starts as `c0` (NaN-filled by default: a
/// stale output that must be overwritten).
#[allow(clippy::too_many_arguments)]
fn check<const L: usize>(
    (m, k, n): (usize, usize, usize),
    (ta, tb): (bool, bool),
    accumulate: bool,
    a: &[Dual<f64, L>],
    b: &[Dual<f64, L>],
    what: &str,
) {
    let stale = Dual::new(f64::NAN, [f64::NAN; L]);
    let c0: Vec<Dual<f64, L>> = if accumulate {
        matrix::<L>(m, n, 5.1, Lanes::Dense)
    } else {
        vec![stale; m * n]
    };
    // Storage: A is m×k (or k×m read transposed), B is k×n (or n×k).
    let a_view = if ta {
        MatRef::row_major(a, k, m).t()
    } else {
        MatRef::row_major(a, m, k)
    };
    let b_view = if tb {
        MatRef::row_major(b, n, k).t()
    } else {
        MatRef::row_major(b, k, n)
    };
    let mut c = c0.clone();
    Dual::gemm(a_view, b_view, MatMut::row_major(&mut c, m, n), accumulate);
    for i in 0..m {
        for j in 0..n {
            let sum = (0..k)
                .map(|p| *a_view.at(i, p) * *b_view.at(p, j))
                .fold(Dual::constant(0.0), |s, t| s + t);
            let want = if accumulate { c0[i * n + j] + sum } else { sum };
            let got = c[i * n + j];
            let pairs = std::iter::once((got.re, want.re)).chain(got.eps.into_iter().zip(want.eps));
            for (x, y) in pairs {
                assert!(
                    close(x, y),
                    "{what}: {m}×{k}·{k}×{n}, ta {ta}, tb {tb}, accumulate {accumulate}: \
                     entry ({i}, {j}): got {got:?}, want {want:?}"
                );
            }
        }
    }
}

/// Both operands' lane kinds, in every layout, with and without
/// accumulation.
fn every_layout<const L: usize>(shape: (usize, usize, usize), a_lanes: Lanes, b_lanes: Lanes) {
    let (m, k, n) = shape;
    let a = matrix::<L>(m, k, 0.3, a_lanes);
    let b = matrix::<L>(k, n, 2.9, b_lanes);
    for ta in [false, true] {
        for tb in [false, true] {
            for accumulate in [false, true] {
                let what = format!("K = {L}, A lanes {a_lanes:?}, B lanes {b_lanes:?}");
                check::<L>(shape, (ta, tb), accumulate, &a, &b, &what);
            }
        }
    }
}

#[test]
fn unit_and_column_lanes_give_the_definition() {
    // Shapes big enough for the sparse route (≥ 64 entries, ≥ 8 wide),
    // and one too small for it.
    for shape in [(20, 12, 16), (9, 16, 24), (32, 8, 8), (4, 5, 6)] {
        for (a_lanes, b_lanes) in [
            (Lanes::Dense, Lanes::Unit),
            (Lanes::Unit, Lanes::Dense),
            (Lanes::Column, Lanes::Dense),
            (Lanes::Dense, Lanes::Column),
            (Lanes::Unit, Lanes::Unit),
            (Lanes::Count(0), Lanes::Unit),
        ] {
            every_layout::<1>(shape, a_lanes, b_lanes);
            every_layout::<3>(shape, a_lanes, b_lanes);
            every_layout::<8>(shape, a_lanes, b_lanes);
        }
    }
}

#[test]
fn the_density_where_the_route_changes_gives_the_definition() {
    // 16 × 12 = 192 entries: 12 nonzero entries are sparse, 13 are not.
    let shape = (10, 16, 12);
    for count in [1, 11, 12, 13, 14, 40] {
        every_layout::<2>(shape, Lanes::Dense, Lanes::Count(count));
        every_layout::<2>(shape, Lanes::Count(count), Lanes::Dense);
        every_layout::<8>(shape, Lanes::Count(count), Lanes::Count(count));
    }
}

#[test]
fn a_sparse_lane_times_an_infinity_is_still_nan() {
    // B's lanes are unit seeds and A's value has an infinity: every zero
    // of a lane times ∞ is NaN in dual arithmetic, so row 3 of every lane
    // of C must be NaN, as the definition gives (the kernel runs then).
    let (m, k, n) = (12, 10, 16);
    let mut a = matrix::<4>(m, k, 0.3, Lanes::Count(0));
    a[3 * k + 2].re = f64::INFINITY;
    let b = matrix::<4>(k, n, 2.9, Lanes::Unit);
    check::<4>((m, k, n), (false, false), false, &a, &b, "∞ in A.re");
    let mut c = vec![Dual::<f64, 4>::constant(0.0); m * n];
    Dual::gemm(
        MatRef::row_major(&a, m, k),
        MatRef::row_major(&b, k, n),
        MatMut::row_major(&mut c, m, n),
        false,
    );
    assert!(
        (0..n).all(|j| c[3 * n + j].eps.iter().all(|e| e.is_nan())),
        "{c:?}"
    );
    // The other way round: a NaN in B's value meets a sparse lane of A.
    let a = matrix::<4>(m, k, 0.3, Lanes::Column);
    let mut b = matrix::<4>(k, n, 2.9, Lanes::Count(0));
    b[5 * n + 7].re = f64::NAN;
    check::<4>((m, k, n), (false, false), false, &a, &b, "NaN in B.re");
}

#[test]
fn nested_duals_with_unit_lanes_give_the_definition() {
    // Dual<Dual<f64, 1>, 2>: the outer lanes are unit seeds, the inner
    // tangents dense; an infinite inner tangent of A's value times a zero
    // entry of a lane is NaN.
    type D = Dual<Dual<f64, 1>, 2>;
    let (m, k, n) = (12, 9, 10);
    let inner = |x: f64, s: f64| Dual::new(x, [(1.7 * x + s).sin()]);
    let outer = |rows: usize, cols: usize, seed: f64, unit: bool| -> Vec<D> {
        (0..rows * cols)
            .map(|i| {
                let t = seed + 1.37 * i as f64;
                let eps = std::array::from_fn(|l| {
                    if unit {
                        Dual::constant(f64::from(i == (5 * l + 1) % (rows * cols)))
                    } else {
                        inner((0.7 * t + l as f64).cos(), t)
                    }
                });
                D::new(inner((1.3 * t).sin() + 0.1, seed), eps)
            })
            .collect()
    };
    let run = |a: &[D], b: &[D]| {
        let mut c = vec![D::constant(Dual::constant(0.0)); m * n];
        Dual::gemm(
            MatRef::row_major(a, m, k),
            MatRef::row_major(b, k, n),
            MatMut::row_major(&mut c, m, n),
            false,
        );
        for i in 0..m {
            for j in 0..n {
                let want = (0..k)
                    .map(|p| a[i * k + p] * b[p * n + j])
                    .fold(D::constant(Dual::constant(0.0)), |s, t| s + t);
                let got = c[i * n + j];
                let flat = |d: D| {
                    let mut v = vec![d.re.re, d.re.eps[0]];
                    d.eps.iter().for_each(|e| v.extend([e.re, e.eps[0]]));
                    v
                };
                for (x, y) in flat(got).into_iter().zip(flat(want)) {
                    assert!(close(x, y), "({i}, {j}): got {got:?}, want {want:?}");
                }
            }
        }
    };
    let a = outer(m, k, 0.3, false);
    let b = outer(k, n, 2.9, true);
    run(&a, &b);
    let mut a_inf = a.clone();
    a_inf[2 * k + 4].re.eps[0] = f64::INFINITY;
    run(&a_inf, &b);
}

proptest! {
    #![proptest_config(saddle_check::strategies::config(64))]

    #[test]
    fn random_sparse_lanes(
        m in 1usize..24, k in 1usize..20, n in 1usize..24,
        ta in any::<bool>(), tb in any::<bool>(), accumulate in any::<bool>(),
        a_count in 0usize..40, b_count in 0usize..40,
    ) {
        let a = matrix::<8>(m, k, 0.3, Lanes::Count(a_count));
        let b = matrix::<8>(k, n, 2.9, Lanes::Count(b_count));
        check::<8>((m, k, n), (ta, tb), accumulate, &a, &b, "random counts");
    }
}
