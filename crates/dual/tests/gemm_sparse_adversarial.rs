//! Adversarial inputs for the dual gemm's routes (skip / kernel / scatter
//! per product, staged lane products, one classification pass): every
//! result is compared with the definition `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ` (plus `C₀`
//! when accumulating) in dual arithmetic, entry by entry and component by
//! component, and every number of `C`'s storage outside the view must keep
//! its bits.
//!
//! Tolerance: the kernel, a scatter and the definition sum the same terms
//! in different orders. Each component of an entry is a sum of at most
//! `2k + 1` products of components (`k` the inner dimension, one term for
//! `C₀`; for a nested dual the products are themselves sums of at most 4
//! terms), so two such sums differ by at most `2·γ·M` with `γ = 4(2k + 1)·u`
//! and `M` the same sum over absolute values, computed here by running the
//! definition on component-wise absolute values. NaN must meet NaN, ±∞ the
//! same infinity; zeros compare equal whatever their sign (the routes
//! promise results "up to the sign of zero").

use saddle_dual::Dual;
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

/// The `f64` components of a (possibly nested) dual number, and its
/// component-wise absolute value.
trait Flat: Scalar {
    fn push(&self, out: &mut Vec<f64>);
    fn abs_parts(self) -> Self;
    fn components(&self) -> Vec<f64> {
        let mut v = Vec::new();
        self.push(&mut v);
        v
    }
}

impl Flat for f64 {
    fn push(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn abs_parts(self) -> Self {
        self.abs()
    }
}

impl<T: Flat, const K: usize> Flat for Dual<T, K> {
    fn push(&self, out: &mut Vec<f64>) {
        self.re.push(out);
        self.eps.iter().for_each(|e| e.push(out));
    }
    fn abs_parts(self) -> Self {
        Dual::new(self.re.abs_parts(), self.eps.map(Flat::abs_parts))
    }
}

/// A storage layout of an operand: row-major, read transposed, or
/// row-major inside a wider buffer (row stride `cols + pad`).
#[derive(Clone, Copy, Debug)]
enum Layout {
    Rows,
    Transposed,
    Padded(usize),
}

/// Storage for a `rows × cols` view in `layout`, filled with `fill(i, j)`
/// (padding holds `pad`), and the view's `(row_stride, col_stride)`.
fn store<D: Copy>(
    rows: usize,
    cols: usize,
    layout: Layout,
    pad: D,
    fill: impl Fn(usize, usize) -> D,
) -> (Vec<D>, usize, usize) {
    let (len, rs, cs) = match layout {
        Layout::Rows => (rows * cols, cols, 1),
        Layout::Transposed => (rows * cols, 1, rows),
        Layout::Padded(p) => ((rows * (cols + p)).max(1), cols + p, 1),
    };
    let mut data = vec![pad; len];
    for i in 0..rows {
        for j in 0..cols {
            data[i * rs + j * cs] = fill(i, j);
        }
    }
    (data, rs, cs)
}

/// One gemm case: `C (m×n, layout lc, starting as c0) ← A·B (+ C)`, with
/// `A` and `B` given by entry functions and layouts.
struct Case<'f, D> {
    shape: (usize, usize, usize),
    layouts: (Layout, Layout, Layout),
    a: &'f dyn Fn(usize, usize) -> D,
    b: &'f dyn Fn(usize, usize) -> D,
    c0: &'f dyn Fn(usize, usize) -> D,
}

/// Runs the case through `Dual::gemm` and checks it against the definition
/// (see the module comment); panics with `what` and the entry on failure.
fn check<D: Flat>(case: &Case<'_, D>, accumulate: bool, what: &str) {
    let (m, k, n) = case.shape;
    let (la, lb, lc) = case.layouts;
    let sentinel = D::from_f64(-1234.5);
    let (ad, ars, acs) = store(m, k, la, sentinel, case.a);
    let (bd, brs, bcs) = store(k, n, lb, sentinel, case.b);
    let (c0d, crs, ccs) = store(m, n, lc, sentinel, case.c0);
    let view = |data, rows, cols, row_stride, col_stride| MatRef {
        data,
        rows,
        cols,
        row_stride,
        col_stride,
    };
    let a = view(&ad[..], m, k, ars, acs);
    let b = view(&bd[..], k, n, brs, bcs);
    let mut cd = c0d.clone();
    D::gemm(
        a,
        b,
        MatMut {
            data: &mut cd,
            rows: m,
            cols: n,
            row_stride: crs,
            col_stride: ccs,
        },
        accumulate,
    );
    let u = f64::EPSILON / 2.0;
    let gamma = 4.0 * (2 * k + 1) as f64 * u;
    let mut inside = vec![false; cd.len()];
    for i in 0..m {
        for j in 0..n {
            let at = i * crs + j * ccs;
            inside[at] = true;
            let (mut want, mut mag) = (D::zero(), D::zero());
            if accumulate {
                want = c0d[at];
                mag = c0d[at].abs_parts();
            }
            for p in 0..k {
                let (x, y) = (*a.at(i, p), *b.at(p, j));
                want += x * y;
                mag += x.abs_parts() * y.abs_parts();
            }
            let got = cd[at];
            let parts = got
                .components()
                .into_iter()
                .zip(want.components())
                .zip(mag.components());
            for (q, ((g, w), mg)) in parts.enumerate() {
                let ok = if w.is_nan() {
                    g.is_nan()
                } else {
                    g == w || (g - w).abs() <= 2.0 * gamma * mg
                };
                assert!(
                    ok,
                    "{what}: {m}×{k}·{k}×{n}, layouts {:?}, accumulate {accumulate}: entry \
                     ({i}, {j}) component {q}: got {g:e}, want {w:e} (magnitude {mg:e})",
                    case.layouts
                );
            }
        }
    }
    for (at, (x, y)) in cd.iter().zip(&c0d).enumerate() {
        if !inside[at] {
            assert!(
                x.components()
                    .iter()
                    .zip(y.components())
                    .all(|(p, q)| p.to_bits() == q.to_bits()),
                "{what}: storage {at} outside C's view was written"
            );
        }
    }
}

/// Every pairing of layouts for `A`, `B` and `C`, with and without
/// accumulation.
fn every_layout<D: Flat>(
    shape: (usize, usize, usize),
    a: &dyn Fn(usize, usize) -> D,
    b: &dyn Fn(usize, usize) -> D,
    what: &str,
) {
    let c0 = |i: usize, j: usize| D::from_f64(0.25 + 0.1 * i as f64 - 0.05 * j as f64);
    let layouts = [Layout::Rows, Layout::Transposed, Layout::Padded(3)];
    for la in layouts {
        for lb in layouts {
            for lc in layouts {
                let case = Case {
                    shape,
                    layouts: (la, lb, lc),
                    a,
                    b,
                    c0: &c0,
                };
                check(&case, false, what);
                check(&case, true, what);
            }
        }
    }
}

/// A smooth, nonzero test value in `[-1.2, 1.0]` for entry `(i, j)` of
/// component `q` of a matrix `seed`.
fn value(seed: f64, i: usize, j: usize, q: usize) -> f64 {
    (seed + 1.37 * i as f64 + 0.61 * j as f64 + 0.9 * q as f64).sin() * 1.1 - 0.1
}

/// A `Dual<f64, K>` whose lane `l` is `lane(l, i, j)` (`None`: a smooth
/// value) and whose value is smooth.
fn dual<const K: usize>(
    seed: f64,
    i: usize,
    j: usize,
    lane: impl Fn(usize) -> Option<f64>,
) -> Dual<f64, K> {
    Dual::new(
        value(seed, i, j, 0),
        std::array::from_fn(|l| lane(l).unwrap_or_else(|| value(seed, i, j, l + 1))),
    )
}

// ---------------------------------------------------------------------------
// A defect, fixed: a scattered term followed by a kernel term in a staged
// lane (the kernel overwrote the scattered product).
// ---------------------------------------------------------------------------

/// `K = 2`, 8×8·8×8. `A.ε₂` has one nonzero entry (sparse) and `B.ε₁` is
/// zero, so the product over all components is not taken and lane 2 is
/// `A.ε₂·B.re` (scattered from `A.ε₂`) plus `A.re·B.ε₂` (the kernel). With
/// `K ≥ 2` that lane is staged in a zeroed buffer; before the fix the
/// scatter added into it first, then the kernel, told nothing was written
/// yet, overwrote it, and `A.ε₂·B.re` was lost (row 0 of `C.ε₂` short by
/// `B.re[3, :]`).
#[test]
fn staged_lane_keeps_a_scattered_term_before_a_kernel_term() {
    let a =
        |i: usize, j: usize| dual::<2>(0.3, i, j, |l| (l == 1).then(|| f64::from(i * 8 + j == 3)));
    let b = |i: usize, j: usize| dual::<2>(2.9, i, j, |l| (l == 0).then_some(0.0));
    every_layout::<Dual<f64, 2>>((8, 8, 8), &a, &b, "A.ε₂ unit, B.ε₁ zero");
}

/// The same loss the other way round: `B.re` sparse (so the product over
/// all components is not taken) and dense lanes: each lane is `A.εₖ·B.re`
/// scattered from `B.re`, then `A.re·B.εₖ` by the kernel over it.
#[test]
fn staged_lane_keeps_a_scattered_sparse_value_term() {
    // 8×8 B (64 entries, budget 4): B.re has 4 nonzero entries.
    let a = |i: usize, j: usize| dual::<3>(0.3, i, j, |_| None);
    let b = |i: usize, j: usize| {
        let mut d = dual::<3>(2.9, i, j, |_| None);
        d.re = if (i * 8 + j) % 17 == 5 { 1.5 } else { 0.0 };
        d
    };
    let case = Case {
        shape: (8, 8, 8),
        layouts: (Layout::Rows, Layout::Rows, Layout::Rows),
        a: &a,
        b: &b,
        c0: &|_, _| Dual::constant(f64::NAN),
    };
    check(&case, false, "B.re sparse, dense lanes");
}

/// The Hessian-sweep shape of the same loss: unit lanes on both sides and
/// an infinity in `A.re`. Lane `k`'s `A.re·B.εₖ` must then run the kernel
/// (`∞·0` is NaN), while `A.εₖ·B.re` is scattered first: lost, so row 0 of
/// `C.ε` misses its (finite) term and rows through the ∞ are right.
#[test]
fn staged_lane_keeps_a_scattered_term_when_a_value_is_infinite() {
    let (m, k, n) = (8, 8, 8);
    let a = |i: usize, j: usize| {
        let mut d = dual::<4>(0.3, i, j, |l| Some(f64::from(i * k + j == 9 * l + 1)));
        if (i, j) == (5, 2) {
            d.re = f64::INFINITY;
        }
        d
    };
    let b = |i: usize, j: usize| dual::<4>(2.9, i, j, |l| Some(f64::from(i * n + j == 7 * l + 3)));
    every_layout::<Dual<f64, 4>>((m, k, n), &a, &b, "unit lanes, ∞ in A.re");
}

// ---------------------------------------------------------------------------
// Classification at its limits.
// ---------------------------------------------------------------------------

/// Lane `l` of an `r × c` matrix with exactly `count` nonzero entries
/// (positions by a fixed permutation), else zero.
fn counted(r: usize, c: usize, count: usize, l: usize, i: usize, j: usize) -> bool {
    let len = r * c;
    let rank = |p: usize| (p * 2654435761 + l * 40503) % 1_000_003;
    let mine = rank(i * c + j);
    (0..len).filter(|&p| rank(p) < mine).count() < count
}

/// Parts of odd sizes exactly at the budget (`⌊size/16⌋` nonzero entries:
/// sparse) and one over it (dense), products exactly 7 wide (never
/// sparse) and 8 wide (sparse allowed), on either side. The other
/// operand's lanes are zero so that no lane mixes a scattered and a
/// kernel term (the defect above has its own tests).
#[test]
fn sparse_parts_at_the_budget_for_odd_sizes_and_widths_7_and_8() {
    // (m, k, n): A is m×k, B is k×n; width of A's parts is n, of B's m.
    for (m, k, n) in [(5, 13, 8), (5, 13, 7), (8, 13, 5), (7, 13, 5), (9, 7, 9)] {
        let (a_budget, b_budget) = ((m * k) / 16, (k * n) / 16);
        for extra in [0, 1] {
            let ca = a_budget + extra;
            let a = move |i: usize, j: usize| {
                dual::<3>(0.3, i, j, |l| {
                    Some(if counted(m, k, ca, l, i, j) {
                        value(1.0, i, j, l)
                    } else {
                        0.0
                    })
                })
            };
            let b_zero = |i: usize, j: usize| dual::<3>(2.9, i, j, |_| Some(0.0));
            every_layout::<Dual<f64, 3>>((m, k, n), &a, &b_zero, &format!("A lanes {ca} nonzero"));
            let cb = b_budget + extra;
            let a_zero = |i: usize, j: usize| dual::<3>(0.3, i, j, |_| Some(0.0));
            let b = move |i: usize, j: usize| {
                dual::<3>(2.9, i, j, |l| {
                    Some(if counted(k, n, cb, l, i, j) {
                        value(2.0, i, j, l)
                    } else {
                        0.0
                    })
                })
            };
            every_layout::<Dual<f64, 3>>((m, k, n), &a_zero, &b, &format!("B lanes {cb} nonzero"));
        }
    }
}

/// The classification pass stops once every component is over its budget;
/// a NaN or ∞ stored after that point must still keep a skip or scatter
/// from being taken (the finiteness scan is separate). The operand with
/// the non-finite value stored last has dense lanes (so its pass stops
/// after a row or two) or zero lanes (so it reads to the end); its partner
/// has unit (sparse) lanes, or zero lanes with the sparse side swapped.
#[test]
fn a_non_finite_entry_after_the_classification_pass_stopped() {
    let (m, k, n) = (16, 12, 10);
    let c0 = |i: usize, j: usize| dual::<8>(4.0, i, j, |_| None);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for dense in [true, false] {
            let lanes = move |_: usize| if dense { None } else { Some(0.0) };
            for layout in [Layout::Rows, Layout::Transposed] {
                // The last stored entry of A: (m-1, k-1) row-major, the
                // same in the transposed layout (column-major storage).
                let a = move |i: usize, j: usize| {
                    let mut d = dual::<8>(0.3, i, j, lanes);
                    if (i, j) == (m - 1, k - 1) {
                        d.re = bad;
                    }
                    d
                };
                let b = |i: usize, j: usize| {
                    dual::<8>(2.9, i, j, |l| Some(f64::from(i * n + j == 11 * l + 2)))
                };
                for accumulate in [false, true] {
                    let case = Case {
                        shape: (m, k, n),
                        layouts: (layout, Layout::Rows, Layout::Rows),
                        a: &a,
                        b: &b,
                        c0: &c0,
                    };
                    let what = format!("A.re last entry {bad}, A lanes dense {dense}, B unit");
                    check(&case, accumulate, &what);
                }
                // A bad B value stored last, against unit lanes of A.
                let a = |i: usize, j: usize| {
                    dual::<8>(0.3, i, j, |l| Some(f64::from(i * k + j == 13 * l + 4)))
                };
                let b = move |i: usize, j: usize| {
                    let mut d = dual::<8>(2.9, i, j, lanes);
                    if (i, j) == (k - 1, n - 1) {
                        d.re = bad;
                    }
                    d
                };
                for accumulate in [false, true] {
                    let case = Case {
                        shape: (m, k, n),
                        layouts: (Layout::Rows, layout, Layout::Rows),
                        a: &a,
                        b: &b,
                        c0: &c0,
                    };
                    let what = format!("B.re last entry {bad}, B lanes dense {dense}, A unit");
                    check(&case, accumulate, &what);
                }
            }
        }
    }
}

/// An infinite or NaN *tangent* entry of `A` stored last (in a lane the
/// pass classified dense) whose partner `B.re` is all zero (the zero real
/// part of a Gauss-Newton cotangent): the product `A.εₖ·B.re` must not be
/// skipped, since `∞·0` is NaN.
#[test]
fn a_non_finite_tangent_stored_last_meets_a_zero_value() {
    let (m, k, n) = (12, 10, 9);
    for bad in [f64::NAN, f64::INFINITY] {
        let a = move |i: usize, j: usize| {
            dual::<3>(0.3, i, j, |l| {
                ((i, j, l) == (m - 1, k - 1, 1)).then_some(bad)
            })
        };
        let b = |i: usize, j: usize| {
            let mut d = dual::<3>(2.9, i, j, |_| None);
            d.re = 0.0;
            d
        };
        every_layout::<Dual<f64, 3>>(
            (m, k, n),
            &a,
            &b,
            &format!("A.ε₂ last entry {bad}, B.re zero"),
        );
    }
}

// ---------------------------------------------------------------------------
// Routes and layouts.
// ---------------------------------------------------------------------------

/// The product over all components is taken only when every lane of `B`
/// is dense: one unit lane of `B` among dense ones sends the call to the
/// lane-by-lane route, where that lane scatters `A.re·B.εₖ` after the
/// kernel's `A.εₖ·B.re` (the order that is right).
#[test]
fn one_sparse_b_lane_among_dense_ones() {
    let (m, k, n) = (10, 16, 12);
    let a = |i: usize, j: usize| dual::<8>(0.3, i, j, |_| None);
    for sparse in [0, 4, 7] {
        let b = move |i: usize, j: usize| {
            dual::<8>(2.9, i, j, |l| {
                (l == sparse).then(|| f64::from(i * n + j == 37))
            })
        };
        every_layout::<Dual<f64, 8>>((m, k, n), &a, &b, &format!("B lane {sparse} unit"));
    }
}

/// Scatter-only lanes (unit lanes on both sides: no kernel product in any
/// lane), accumulated into padded and transposed outputs whose padding
/// must keep its bits; `K = 1` (unstaged) and `K = 3`, `8`.
#[test]
fn scatter_only_lanes_accumulate_into_strided_outputs() {
    let (m, k, n) = (12, 9, 16);
    let a1 = |i: usize, j: usize| dual::<1>(0.3, i, j, |l| Some(f64::from(i * k + j == 5 + l)));
    let b1 = |i: usize, j: usize| dual::<1>(2.9, i, j, |l| Some(f64::from(i * n + j == 40 + l)));
    every_layout::<Dual<f64, 1>>((m, k, n), &a1, &b1, "K = 1 unit lanes");
    let a3 = |i: usize, j: usize| dual::<3>(0.3, i, j, |l| Some(f64::from(i * k + j == 7 * l + 5)));
    let b3 =
        |i: usize, j: usize| dual::<3>(2.9, i, j, |l| Some(f64::from(i * n + j == 9 * l + 40)));
    every_layout::<Dual<f64, 3>>((m, k, n), &a3, &b3, "K = 3 unit lanes");
    let a8 = |i: usize, j: usize| dual::<8>(0.3, i, j, |l| Some(f64::from(i * k + j == 7 * l + 5)));
    let b8 =
        |i: usize, j: usize| dual::<8>(2.9, i, j, |l| Some(f64::from(i * n + j == 9 * l + 40)));
    every_layout::<Dual<f64, 8>>((m, k, n), &a8, &b8, "K = 8 unit lanes");
}

/// Empty dimensions: nothing is read, `C` is zeroed (`k = 0`) or kept
/// (`accumulate`), and a padded `C`'s padding is untouched.
#[test]
fn empty_dimensions() {
    for shape in [(0, 5, 8), (8, 5, 0), (8, 0, 9), (0, 0, 0), (1, 0, 1)] {
        let a = |i: usize, j: usize| dual::<3>(0.3, i, j, |_| None);
        let b = |i: usize, j: usize| dual::<3>(2.9, i, j, |_| None);
        every_layout::<Dual<f64, 3>>(shape, &a, &b, "empty");
    }
}

/// A broadcast operand (row stride 0: every row the same storage) with a
/// sparse lane: the classification counts each stored entry once per row
/// it appears in, as the definition reads it.
#[test]
fn a_broadcast_operand_with_a_sparse_lane() {
    let (m, k, n) = (12, 8, 10);
    let row: Vec<Dual<f64, 3>> = (0..n)
        .map(|j| dual::<3>(2.9, 0, j, |l| Some(f64::from(l == 1 && j == 4))))
        .collect();
    let ad: Vec<Dual<f64, 3>> = (0..m * k)
        .map(|p| dual::<3>(0.3, p / k, p % k, |_| None))
        .collect();
    let a = MatRef::row_major(&ad, m, k);
    let b = MatRef {
        data: &row[..],
        rows: k,
        cols: n,
        row_stride: 0,
        col_stride: 1,
    };
    let mut c = vec![Dual::<f64, 3>::constant(f64::NAN); m * n];
    Dual::gemm(a, b, MatMut::row_major(&mut c, m, n), false);
    for i in 0..m {
        for j in 0..n {
            let want = (0..k).fold(Dual::constant(0.0), |s, p| s + *a.at(i, p) * *b.at(p, j));
            let got = c[i * n + j];
            for (g, w) in got.components().into_iter().zip(want.components()) {
                // 2k + 1 = 17 terms of size ≤ 1.2²: see the module comment.
                assert!(
                    (g - w).abs() <= 1e-13,
                    "({i}, {j}): got {got:?}, want {want:?}"
                );
            }
        }
    }
}

/// `Dual<f64, 0>`: no lanes at all (only the value product).
#[test]
fn no_lanes() {
    let a = |i: usize, j: usize| Dual::<f64, 0>::constant(value(0.3, i, j, 0));
    let b = |i: usize, j: usize| Dual::<f64, 0>::constant(value(2.9, i, j, 0));
    every_layout::<Dual<f64, 0>>((9, 16, 8), &a, &b, "K = 0");
}

/// Nested duals `Dual<Dual<f64, 2>, 3>`: outer unit lanes with dense inner
/// tangents, and dense outer lanes whose inner tangents are sparse (the
/// inner gemm classifies and scatters those), with an infinite inner
/// tangent in one case. Outer `B` lanes are zero where `A`'s are sparse,
/// so no outer lane mixes a scattered and a kernel term.
#[test]
fn nested_duals_with_sparse_inner_or_outer_parts() {
    type In = Dual<f64, 2>;
    type D = Dual<In, 3>;
    let (m, k, n) = (16, 8, 12);
    let inner = |s: f64, i: usize, j: usize, unit: Option<usize>| -> In {
        Dual::new(
            value(s, i, j, 0),
            std::array::from_fn(|q| match unit {
                Some(at) => f64::from(i * 31 + j == at + q),
                None => value(s, i, j, q + 1),
            }),
        )
    };
    // Outer unit lanes in A, zero outer lanes in B; inner tangents dense.
    let a = |i: usize, j: usize| -> D {
        Dual::new(
            inner(0.3, i, j, None),
            std::array::from_fn(|l| In::constant(f64::from(i * k + j == 5 * l + 3))),
        )
    };
    let b = |i: usize, j: usize| -> D { Dual::new(inner(2.9, i, j, None), [In::constant(0.0); 3]) };
    every_layout::<D>((m, k, n), &a, &b, "outer unit lanes");
    // Dense outer parts whose inner tangents are unit-sparse.
    let a = |i: usize, j: usize| -> D {
        Dual::new(
            inner(0.3, i, j, Some(7)),
            std::array::from_fn(|l| inner(1.0 + l as f64, i, j, Some(3 * l))),
        )
    };
    let b = |i: usize, j: usize| -> D {
        Dual::new(
            inner(2.9, i, j, None),
            std::array::from_fn(|l| inner(4.0 + l as f64, i, j, None)),
        )
    };
    every_layout::<D>((m, k, n), &a, &b, "inner unit tangents");
    // An infinite inner tangent of B's value where A's outer lanes are
    // unit seeds: every zero outer entry times it is NaN in dual arithmetic.
    let b_inf = |i: usize, j: usize| -> D {
        let mut d = b(i, j);
        d.eps = [In::constant(0.0); 3];
        if (i, j) == (k - 1, n - 1) {
            d.re.eps[1] = f64::INFINITY;
        }
        d
    };
    let a_unit = |i: usize, j: usize| -> D {
        Dual::new(
            inner(0.3, i, j, None),
            std::array::from_fn(|l| In::constant(f64::from(i * k + j == 5 * l + 3))),
        )
    };
    every_layout::<D>((m, k, n), &a_unit, &b_inf, "∞ inner tangent of B.re");
}

/// Signed zeros: `−0.0` lane entries count as zero for the routes, and
/// `−0.0` values with unit lanes. The values must equal the definition
/// (zeros of either sign equal, as the routes promise).
#[test]
fn negative_zero_entries_count_as_zero() {
    let (m, k, n) = (10, 16, 12);
    let a = |i: usize, j: usize| {
        let mut d = dual::<4>(0.3, i, j, |l| {
            Some(if i * k + j == 6 * l + 1 { 1.0 } else { -0.0 })
        });
        if (i + j) % 3 == 0 {
            d.re = -0.0;
        }
        d
    };
    let b = |i: usize, j: usize| dual::<4>(2.9, i, j, |_| Some(-0.0));
    every_layout::<Dual<f64, 4>>((m, k, n), &a, &b, "−0.0 lanes");
}

/// A NaN with a payload in a lane (or the value) is NaN in the result
/// wherever the definition gives NaN, whichever route ran.
#[test]
fn nan_payloads_propagate() {
    let payload = f64::from_bits(0x7ff8_0000_dead_beef);
    let (m, k, n) = (9, 16, 10);
    // In a sparse lane of A (the scatter multiplies it) and in B's value.
    let a = move |i: usize, j: usize| {
        dual::<3>(0.3, i, j, |l| {
            Some(match (l, i * k + j) {
                (0, 17) => payload,
                (_, p) if p == 5 * l + 40 => 1.0,
                _ => 0.0,
            })
        })
    };
    let b = move |i: usize, j: usize| {
        let mut d = dual::<3>(2.9, i, j, |_| Some(0.0));
        if (i, j) == (3, 4) {
            d.re = -payload;
        }
        d
    };
    every_layout::<Dual<f64, 3>>((m, k, n), &a, &b, "NaN payloads");
}

// ---------------------------------------------------------------------------
// Random mixtures of lane kinds.
// ---------------------------------------------------------------------------

/// What one lane of a random operand holds.
fn lane_kind(kind: u8, seed: f64, i: usize, j: usize, cols: usize, l: usize) -> f64 {
    match kind % 4 {
        0 => 0.0,
        1 => f64::from(i * cols + j == 5 * l + 2),
        2 => {
            if j == l % cols {
                value(seed, i, j, l + 1)
            } else {
                0.0
            }
        }
        _ => value(seed, i, j, l + 1),
    }
}

proptest::proptest! {
    #![proptest_config(saddle_check::strategies::config(96))]

    /// Shapes around the sparse thresholds, every layout, and a kind per
    /// lane (zero, unit, one column, dense) on each side, so that lanes of
    /// one call take different routes. Failed on the staged-lane defect
    /// above (fixed) whenever a lane scattered its first term and ran the
    /// kernel for its second.
    #[test]
    fn random_lane_kinds(
        m in 1usize..20, k in 1usize..18, n in 1usize..20,
        a_kinds in proptest::array::uniform8(0u8..4), b_kinds in proptest::array::uniform8(0u8..4),
        layouts in proptest::array::uniform3(0u8..3), accumulate in proptest::bool::ANY,
    ) {
        let layout = |c: u8| [Layout::Rows, Layout::Transposed, Layout::Padded(2)][c as usize];
        let a = move |i: usize, j: usize| dual::<8>(0.3, i, j, |l| Some(lane_kind(a_kinds[l], 0.3, i, j, k, l)));
        let b = move |i: usize, j: usize| dual::<8>(2.9, i, j, |l| Some(lane_kind(b_kinds[l], 2.9, i, j, n, l)));
        let case = Case {
            shape: (m, k, n),
            layouts: (layout(layouts[0]), layout(layouts[1]), layout(layouts[2])),
            a: &a,
            b: &b,
            c0: &|i, j| dual::<8>(4.0, i, j, |_| None),
        };
        check(&case, accumulate, "random lane kinds");
    }
}
