//! Adversarial checks of the dual gemm (`impl Scalar for Dual`): the
//! all-components product `A.re·[B.re | B.ε]`, the B copied row-major
//! into a pooled buffer (C with ≥ 8 rows), the staged strided outputs of
//! `sum_of_products` (K ≥ 2), and the skipping of all-zero parts. Every
//! result is compared component by component with the definition
//! `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ` evaluated in dual arithmetic (no skipping), for
//! many lane counts, nested duals, layouts (transposed, padded and
//! column-strided sub-views), shapes (empty, 1×n, m×1, k = 1), both
//! accumulate modes over a garbage `C`, every zero pattern of the parts,
//! non-finite values, and a pool pre-filled with NaN buffers.

use saddle_dual::Dual;
use saddle_tape::prelude::*;
use saddle_tape::{pool, MatMut, MatRef};

/// A number made of `N` f64 components (f64: 1; `Dual<T, K>`: `(K+1)·T::N`,
/// part `p` = `re` for 0, `eps[p-1]` otherwise), read and written by
/// flat index so the tests can place zeros and non-finite values anywhere.
trait Comps: Scalar + Copy + std::fmt::Debug + 'static {
    const N: usize;
    /// Number of top-level parts (1 for f64, K + 1 for a dual).
    const PARTS: usize;
    fn get(&self, i: usize) -> f64;
    fn set(&mut self, i: usize, v: f64);
}

impl Comps for f64 {
    const N: usize = 1;
    const PARTS: usize = 1;
    fn get(&self, _: usize) -> f64 {
        *self
    }
    fn set(&mut self, _: usize, v: f64) {
        *self = v;
    }
}

impl<T: Comps, const K: usize> Comps for Dual<T, K> {
    const N: usize = (K + 1) * T::N;
    const PARTS: usize = K + 1;
    fn get(&self, i: usize) -> f64 {
        let (p, r) = (i / T::N, i % T::N);
        if p == 0 {
            self.re.get(r)
        } else {
            self.eps[p - 1].get(r)
        }
    }
    fn set(&mut self, i: usize, v: f64) {
        let (p, r) = (i / T::N, i % T::N);
        if p == 0 {
            self.re.set(r, v)
        } else {
            self.eps[p - 1].set(r, v)
        }
    }
}

/// How a `rows × cols` view sits in its storage.
#[derive(Clone, Copy, Debug)]
enum Layout {
    RowMajor,
    /// Stored as the transpose (column-major): col_stride = rows.
    ColMajor,
    /// A column slice of a wider row-major matrix: row_stride = cols + 3.
    Padded,
    /// Every other column of a wider matrix: col_stride 2 (B then is not
    /// row-contiguous, so the row-major copy path is exercised).
    Strided,
}

const LAYOUTS: [Layout; 4] = [
    Layout::RowMajor,
    Layout::ColMajor,
    Layout::Padded,
    Layout::Strided,
];

impl Layout {
    /// (row_stride, col_stride, storage length).
    fn strides(self, rows: usize, cols: usize) -> (usize, usize, usize) {
        let (rs, cs) = match self {
            Layout::RowMajor => (cols, 1),
            Layout::ColMajor => (1, rows),
            Layout::Padded => (cols + 3, 1),
            Layout::Strided => (2 * cols + 1, 2),
        };
        let len = if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * rs + (cols - 1) * cs + 1
        };
        // Slack after the view: garbage the gemm must neither read into the
        // result nor overwrite.
        (rs, cs, len + 2)
    }
}

/// A strided matrix in storage padded with a sentinel value.
struct Stored<D> {
    data: Vec<D>,
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<D: Comps> Stored<D> {
    fn new(
        rows: usize,
        cols: usize,
        layout: Layout,
        fill: impl Fn(usize, usize, usize) -> f64,
    ) -> Self {
        let (rs, cs, len) = layout.strides(rows, cols);
        let mut sentinel = D::zero();
        for c in 0..D::N {
            sentinel.set(c, -7.25e3);
        }
        let mut data = vec![sentinel; len];
        for i in 0..rows {
            for j in 0..cols {
                let x = &mut data[i * rs + j * cs];
                for c in 0..D::N {
                    x.set(c, fill(i, j, c));
                }
            }
        }
        Stored {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }
    fn at(&self, i: usize, j: usize) -> D {
        self.data[i * self.rs + j * self.cs]
    }
    fn view(&self) -> MatRef<'_, D> {
        MatRef {
            data: &self.data,
            rows: self.rows,
            cols: self.cols,
            row_stride: self.rs,
            col_stride: self.cs,
        }
    }
    fn view_mut(&mut self) -> MatMut<'_, D> {
        MatMut {
            data: &mut self.data,
            rows: self.rows,
            cols: self.cols,
            row_stride: self.rs,
            col_stride: self.cs,
        }
    }
    /// Is storage index `k` inside the view?
    fn inside(&self, k: usize) -> bool {
        (0..self.rows).any(|i| (0..self.cols).any(|j| i * self.rs + j * self.cs == k))
    }
}

/// A deterministic irregular value in [-1, 1] (never exactly zero).
fn val(seed: usize, i: usize, j: usize, c: usize) -> f64 {
    let t = (seed * 7919 + i * 131 + j * 31 + c * 17) as f64;
    0.9 * (1.37 * t).sin() + 0.05
}

/// Which top-level parts are zero: bit `p` of a mask zeros part `p`
/// (0 = re, 1 + l = lane l) in every entry.
fn filler(seed: usize, zero_mask: u64, n_inner: usize) -> impl Fn(usize, usize, usize) -> f64 {
    move |i, j, c| {
        let p = c / n_inner;
        if zero_mask >> p & 1 == 1 {
            0.0
        } else {
            val(seed, i, j, c)
        }
    }
}

/// Same bits class: both NaN, or equal (infinities), or finite within
/// 1e-12 absolute. Every input component is at most 1 in magnitude and
/// every output component is a sum of at most `4·k ≤ 36` products (two
/// nesting levels, k ≤ 9) plus the initial C (≤ 1): another association
/// of the sum moves it by at most 36·37·2⁻⁵³ ≈ 1.5e-13.
fn same(x: f64, y: f64) -> bool {
    (x.is_nan() && y.is_nan())
        || x == y
        || (x.is_finite() && y.is_finite() && (x - y).abs() <= 1e-12)
}

/// Runs the dual gemm on the stored views and compares with the definition.
fn check<D: Comps>(a: &Stored<D>, b: &Stored<D>, c0: &Stored<D>, accumulate: bool, what: &str) {
    let (m, n, k) = (c0.rows, c0.cols, a.cols);
    let mut c = Stored {
        data: c0.data.clone(),
        rows: m,
        cols: n,
        rs: c0.rs,
        cs: c0.cs,
    };
    D::gemm(a.view(), b.view(), c.view_mut(), accumulate);
    for i in 0..m {
        for j in 0..n {
            let mut want = if accumulate { c0.at(i, j) } else { D::zero() };
            for p in 0..k {
                want += a.at(i, p) * b.at(p, j);
            }
            let got = c.at(i, j);
            for comp in 0..D::N {
                assert!(
                    same(got.get(comp), want.get(comp)),
                    "{what}: C[{i}][{j}] component {comp}: got {}, want {} (m {m} k {k} n {n}, accumulate {accumulate})",
                    got.get(comp),
                    want.get(comp)
                );
            }
        }
    }
    // Storage outside C's view is untouched.
    for (s, (g, w)) in c.data.iter().zip(&c0.data).enumerate() {
        if !c.inside(s) {
            for comp in 0..D::N {
                assert!(
                    g.get(comp).to_bits() == w.get(comp).to_bits(),
                    "{what}: storage {s} outside C was written"
                );
            }
        }
    }
}

/// Fills the pool with NaN buffers of several sizes and of the element
/// types the gemm stages into (f64, the inner scalar and the dual), so a
/// buffer that is not fully (re)written would show up as NaN.
fn poison_pool<D: Comps>() {
    for n in [1, 3, 17, 64, 200, 1000] {
        pool::give(vec![f64::NAN; n]);
        let mut nan = D::zero();
        for c in 0..D::N {
            nan.set(c, f64::NAN);
        }
        pool::give(vec![nan; n]);
    }
}

const SHAPES: [(usize, usize, usize); 14] = [
    (1, 1, 1),
    (1, 5, 7),
    (7, 5, 1),
    (1, 4, 1),
    (3, 1, 4),
    (9, 1, 5),
    (8, 3, 5),
    (11, 7, 9),
    (4, 6, 3),
    (9, 4, 1),
    (0, 3, 4),
    (3, 0, 4),
    (3, 4, 0),
    (2, 9, 2),
];

/// Every shape × layout of A, B, C × accumulate × zero pattern of the parts
/// (A.re, A lanes, B.re, B lanes none / one / all), with a garbage C and
/// a NaN-poisoned pool.
fn every_case<D: Comps>(name: &str) {
    let n_inner = D::N / D::PARTS;
    let lanes = D::PARTS - 1;
    let all_lanes: u64 = ((1u64 << D::PARTS) - 1) & !1;
    let one_lane: u64 = if lanes > 0 { 1 << lanes } else { 0 };
    let mut masks = vec![];
    for a_re in [false, true] {
        for a_lanes in [0, all_lanes] {
            for b_re in [false, true] {
                for b_lanes in [0, one_lane, all_lanes] {
                    masks.push((a_re as u64 | a_lanes, b_re as u64 | b_lanes));
                }
            }
        }
    }
    for &(m, k, n) in &SHAPES {
        for (li, &la) in LAYOUTS.iter().enumerate() {
            for (lj, &lb) in LAYOUTS.iter().enumerate() {
                for &lc in &LAYOUTS {
                    // All zero patterns on a rotating subset of the layouts,
                    // the plain pattern on all of them (keeps the run short).
                    let rotate = (li + lj) % 4 == 0;
                    for (mi, &(ma, mb)) in masks.iter().enumerate() {
                        if mi > 0 && !rotate {
                            continue;
                        }
                        let a = Stored::<D>::new(m, k, la, filler(1, ma, n_inner));
                        let b = Stored::<D>::new(k, n, lb, filler(2, mb, n_inner));
                        let c0 = Stored::<D>::new(m, n, lc, |i, j, c| val(3, i, j, c));
                        for accumulate in [false, true] {
                            poison_pool::<D>();
                            let what = format!(
                                "{name} A {la:?} mask {ma:#b}, B {lb:?} mask {mb:#b}, C {lc:?}"
                            );
                            check(&a, &b, &c0, accumulate, &what);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn every_lane_count_layout_shape_and_zero_pattern_gives_the_definition() {
    every_case::<Dual<f64, 1>>("K=1");
    every_case::<Dual<f64, 2>>("K=2");
    every_case::<Dual<f64, 3>>("K=3");
    every_case::<Dual<f64, 4>>("K=4");
    every_case::<Dual<f64, 8>>("K=8");
    every_case::<Dual<f64, 16>>("K=16");
}

#[test]
fn nested_duals_give_the_definition() {
    every_case::<Dual<Dual<f64, 1>, 2>>("Dual<Dual<f64,1>,2>");
    every_case::<Dual<Dual<f64, 2>, 1>>("Dual<Dual<f64,2>,1>");
}

/// One non-finite value (∞, −∞ or NaN) in every single component of one
/// entry of A or of B, over every zero pattern of the other parts: where
/// the definition multiplies it by an exact zero the result must be NaN,
/// exactly as in dual arithmetic (a zero product may be skipped only when
/// its partner is finite in every component).
fn non_finite_cases<D: Comps>(name: &str) {
    let n_inner = D::N / D::PARTS;
    let all_lanes: u64 = ((1u64 << D::PARTS) - 1) & !1;
    let one_lane: u64 = if D::PARTS > 1 { 1 << (D::PARTS - 1) } else { 0 };
    let masks = [0, 1, all_lanes, one_lane, 1 | one_lane, 1 | all_lanes];
    for &(m, k, n, la, lb) in &[
        (3, 4, 5, Layout::RowMajor, Layout::RowMajor),
        (9, 3, 4, Layout::RowMajor, Layout::ColMajor),
        (1, 2, 1, Layout::Padded, Layout::Strided),
    ] {
        for &ma in &masks {
            for &mb in &masks {
                for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
                    for comp in 0..D::N {
                        for in_a in [true, false] {
                            let mut a = Stored::<D>::new(m, k, la, filler(1, ma, n_inner));
                            let mut b = Stored::<D>::new(k, n, lb, filler(2, mb, n_inner));
                            if in_a {
                                let s = (m - 1) * a.rs + (k - 1) * a.cs;
                                a.data[s].set(comp, bad);
                            } else {
                                let s = (k - 1) * b.rs;
                                b.data[s].set(comp, bad);
                            }
                            let c0 =
                                Stored::<D>::new(m, n, Layout::RowMajor, |i, j, c| val(3, i, j, c));
                            for accumulate in [false, true] {
                                let what = format!(
                                    "{name} {bad} in {} comp {comp}, masks A {ma:#b} B {mb:#b}",
                                    if in_a { "A" } else { "B" }
                                );
                                check(&a, &b, &c0, accumulate, &what);
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn non_finite_values_times_zero_parts_give_nan_as_dual_arithmetic() {
    non_finite_cases::<Dual<f64, 1>>("K=1");
    non_finite_cases::<Dual<f64, 2>>("K=2");
    non_finite_cases::<Dual<f64, 3>>("K=3");
    non_finite_cases::<Dual<f64, 8>>("K=8");
}

#[test]
fn nested_dual_infinite_inner_tangent_times_zero_part_is_nan() {
    non_finite_cases::<Dual<Dual<f64, 1>, 2>>("Dual<Dual<f64,1>,2>");
    non_finite_cases::<Dual<Dual<f64, 2>, 1>>("Dual<Dual<f64,2>,1>");
}
