//! The dual gemm with several tangent lanes. For `K ≥ 2` each component
//! product goes through a contiguous buffer that is then added into the
//! strided component of `C` (the kernel reads and writes a strided `C` one
//! number at a time); for `K = 1` the products write `C` directly. Either
//! way the result is the definition `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ` in dual arithmetic,
//! for any layout of the operands (transposed views), with and without
//! accumulation, with all-zero lanes skipped, and with `0·∞` still `NaN`.

use proptest::prelude::*;
use saddle_dual::Dual;
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

/// A deterministic irregular dual matrix (`rows × cols`, row-major);
/// lanes listed in `zero_lanes` are exactly zero.
fn matrix<const L: usize>(
    rows: usize,
    cols: usize,
    seed: f64,
    zero_lanes: &[usize],
) -> Vec<Dual<f64, L>> {
    (0..rows * cols)
        .map(|i| {
            let t = seed + 1.37 * i as f64;
            let eps = std::array::from_fn(|l| {
                if zero_lanes.contains(&l) {
                    0.0
                } else {
                    (0.7 * t + l as f64).cos() - 0.2
                }
            });
            Dual::new((1.3 * t).sin() + 0.1, eps)
        })
        .collect()
}

/// `op(X)[i][j]`: `X` stored row-major as `r × c` (`transposed`: read as its
/// transpose, `c × r`).
fn at<const L: usize>(
    x: &[Dual<f64, L>],
    c: usize,
    transposed: bool,
    i: usize,
    j: usize,
) -> Dual<f64, L> {
    if transposed {
        x[j * c + i]
    } else {
        x[i * c + j]
    }
}

/// Same numbers, or both NaN; otherwise within 1e-13 relative to
/// max(1, |want|): sums of at most 40 terms of size ≤ 1.5² added in
/// another association differ by a few tens of ulps at most.
fn assert_close<const L: usize>(got: &[Dual<f64, L>], want: &[Dual<f64, L>], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let pairs = std::iter::once((g.re, w.re)).chain(g.eps.iter().copied().zip(w.eps));
        for (x, y) in pairs {
            let ok =
                x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-13 * y.abs().max(1.0);
            assert!(ok, "{what}: entry {i}: got {g:?}, want {w:?}");
        }
    }
}

/// `C ← op(A)·op(B)` (or `C + op(A)·op(B)`) by the kernel and by the
/// definition, compared.
#[allow(clippy::too_many_arguments)]
fn check<const L: usize>(
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
    accumulate: bool,
    a_zero: &[usize],
    b_zero: &[usize],
) {
    let a = matrix::<L>(m, k, 0.3, a_zero);
    let b = matrix::<L>(k, n, 2.9, b_zero);
    let c0 = matrix::<L>(m, n, 5.1, &[]);
    // Storage: A is m×k (or k×m read transposed), B is k×n (or n×k).
    let (a_view, a_cols) = if ta {
        (MatRef::row_major(&a, k, m).t(), m)
    } else {
        (MatRef::row_major(&a, m, k), k)
    };
    let (b_view, b_cols) = if tb {
        (MatRef::row_major(&b, n, k).t(), k)
    } else {
        (MatRef::row_major(&b, k, n), n)
    };
    let mut c = c0.clone();
    Dual::gemm(a_view, b_view, MatMut::row_major(&mut c, m, n), accumulate);
    let want: Vec<Dual<f64, L>> = (0..m * n)
        .map(|ij| {
            let (i, j) = (ij / n, ij % n);
            let sum: Dual<f64, L> = (0..k)
                .map(|p| at(&a, a_cols, ta, i, p) * at(&b, b_cols, tb, p, j))
                .fold(Dual::constant(0.0), |s, t| s + t);
            if accumulate {
                c0[ij] + sum
            } else {
                sum
            }
        })
        .collect();
    let what = format!("K = {L}, {m}×{k}·{k}×{n}, ta {ta}, tb {tb}, accumulate {accumulate}, zero lanes {a_zero:?} {b_zero:?}");
    assert_close(&c, &want, &what);
}

#[test]
fn every_layout_and_lane_count_gives_the_definition() {
    for (m, k, n) in [
        (7, 5, 6),
        (2, 9, 3),
        (16, 3, 17),
        (1, 4, 5),
        (5, 4, 1),
        (3, 1, 4),
    ] {
        for ta in [false, true] {
            for tb in [false, true] {
                for accumulate in [false, true] {
                    check::<1>(m, k, n, ta, tb, accumulate, &[], &[]);
                    check::<2>(m, k, n, ta, tb, accumulate, &[], &[1]);
                    check::<3>(m, k, n, ta, tb, accumulate, &[0, 2], &[2]);
                    check::<8>(m, k, n, ta, tb, accumulate, &[], &[]);
                    check::<8>(m, k, n, ta, tb, accumulate, &[0, 1, 2, 3, 4, 5, 6, 7], &[3]);
                }
            }
        }
    }
}

#[test]
fn all_zero_tangents_overwrite_a_stale_output() {
    // Nothing to multiply in any lane: without accumulation the lanes of C
    // must become exact zeros, not keep what was there.
    let all = [0, 1, 2];
    let a = matrix::<3>(4, 5, 0.3, &all);
    let b = matrix::<3>(5, 6, 2.9, &all);
    let mut c = matrix::<3>(4, 6, 5.1, &[]);
    Dual::gemm(
        MatRef::row_major(&a, 4, 5),
        MatRef::row_major(&b, 5, 6),
        MatMut::row_major(&mut c, 4, 6),
        false,
    );
    assert!(c.iter().all(|d| d.eps == [0.0; 3]), "{c:?}");
    let mut c2 = matrix::<3>(4, 6, 5.1, &[]);
    let before = c2.clone();
    Dual::gemm(
        MatRef::row_major(&a, 4, 5),
        MatRef::row_major(&b, 5, 6),
        MatMut::row_major(&mut c2, 4, 6),
        true,
    );
    for (g, w) in c2.iter().zip(&before) {
        assert_eq!(
            g.eps, w.eps,
            "accumulating zero products leaves C's lanes as they were"
        );
    }
}

#[test]
fn a_zero_lane_times_an_infinity_is_still_nan() {
    // Lane 1 of A is all zero, B's value has an infinity: 0·∞ = NaN in
    // that lane, as dual arithmetic gives, through the staged buffer.
    let a = matrix::<4>(3, 4, 0.3, &[1]);
    let mut b = matrix::<4>(4, 5, 2.9, &[]);
    b[6].re = f64::INFINITY;
    let mut c = vec![Dual::<f64, 4>::constant(0.0); 15];
    Dual::gemm(
        MatRef::row_major(&a, 3, 4),
        MatRef::row_major(&b, 4, 5),
        MatMut::row_major(&mut c, 3, 5),
        false,
    );
    // b[6] is row 1, column 1 of B: column 1 of C meets it.
    assert!((0..3).all(|i| c[i * 5 + 1].eps[1].is_nan()), "{c:?}");
}

proptest! {
    #![proptest_config(saddle_check::strategies::config(64))]

    #[test]
    fn random_shapes_with_eight_lanes(
        m in 1usize..12, k in 1usize..10, n in 1usize..12,
        ta in any::<bool>(), tb in any::<bool>(), accumulate in any::<bool>(),
        a_zero in proptest::collection::vec(0usize..8, 0..8),
        b_zero in proptest::collection::vec(0usize..8, 0..8),
    ) {
        check::<8>(m, k, n, ta, tb, accumulate, &a_zero, &b_zero);
    }
}
