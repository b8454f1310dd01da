//! `num_traits::Float`, `Real` and `Scalar` for dual numbers: every
//! elementary function is the rule of the same name in
//! `saddle_tape::rules`, pushed through [`Dual::chain`]/[`Dual::chain2`].
//!
//! Because the rules are shared with the tape, a derivative formula is
//! written exactly once in saddle.

use std::cell::Cell;
use std::num::FpCategory;

use num_traits::{Float, Num, NumCast, ToPrimitive, Zero};
use saddle_tape::{
    check_gemm_shapes, check_mixed_gemm_shapes, pool, rules, MatMut, MatRef, Real, Scalar,
};

use crate::dual::Dual;

impl<T: Scalar, const K: usize> ToPrimitive for Dual<T, K> {
    fn to_i64(&self) -> Option<i64> {
        self.re.to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.re.to_u64()
    }
    fn to_f64(&self) -> Option<f64> {
        self.re.to_f64()
    }
}

/// Numbers converted into a dual are constants (zero tangents).
impl<T: Scalar, const K: usize> NumCast for Dual<T, K> {
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <T as NumCast>::from(n).map(Dual::constant)
    }
}

impl<T: Scalar, const K: usize> Num for Dual<T, K> {
    type FromStrRadixErr = T::FromStrRadixErr;
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Dual::constant)
    }
}

macro_rules! constants {
    ($($name:ident),*) => {
        $(
            #[inline]
            fn $name() -> Self {
                Dual::constant(T::$name())
            }
        )*
    };
}

macro_rules! predicates {
    ($($name:ident),*) => {
        $(
            #[inline]
            fn $name(self) -> bool {
                self.re.$name()
            }
        )*
    };
}

macro_rules! unary {
    ($($name:ident),*) => {
        $(
            #[inline]
            fn $name(self) -> Self {
                self.chain(rules::$name(self.re))
            }
        )*
    };
}

macro_rules! binary {
    ($($name:ident),*) => {
        $(
            #[inline]
            fn $name(self, other: Self) -> Self {
                self.chain2(other, rules::$name(self.re, other.re))
            }
        )*
    };
}

impl<T: Scalar, const K: usize> Float for Dual<T, K> {
    saddle_tape::float_rule_methods!(constants, predicates, unary, binary);

    fn classify(self) -> FpCategory {
        self.re.classify()
    }

    fn integer_decode(self) -> (u64, i16, i8) {
        self.re.integer_decode()
    }

    /// `self·a + b`, the value fused (one rounding), tangents by the
    /// product and sum rules.
    fn mul_add(self, a: Self, b: Self) -> Self {
        let mut r = self * a + b;
        r.re = self.re.mul_add(a.re, b.re);
        r
    }

    fn powi(self, n: i32) -> Self {
        self.chain(rules::powi(self.re, n))
    }

    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
}

impl<T: Scalar, const K: usize> Real for Dual<T, K> {
    #[inline]
    fn cst(x: f64) -> Self {
        Dual::constant(T::from_f64(x))
    }

    saddle_tape::real_rule_methods!(unary);
}

/// The `T` numbers of a dual slice, in memory order
/// (`re, eps[0], .., eps[K-1]` per element).
fn flat<T, const K: usize>(data: &[Dual<T, K>]) -> &[T] {
    // SAFETY: `Dual<T, K>` is `repr(C)` with fields `T` and `[T; K]`, so it
    // is exactly `K + 1` consecutive `T`s with no padding (checked below).
    const { assert!(std::mem::size_of::<Dual<u64, 3>>() == 4 * std::mem::size_of::<u64>()) };
    debug_assert_eq!(
        std::mem::size_of::<Dual<T, K>>(),
        (K + 1) * std::mem::size_of::<T>()
    );
    unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<T>(), data.len() * (K + 1)) }
}

fn flat_mut<T, const K: usize>(data: &mut [Dual<T, K>]) -> &mut [T] {
    debug_assert_eq!(
        std::mem::size_of::<Dual<T, K>>(),
        (K + 1) * std::mem::size_of::<T>()
    );
    // SAFETY: as in `flat`; the borrow is unique.
    unsafe { std::slice::from_raw_parts_mut(data.as_mut_ptr().cast::<T>(), data.len() * (K + 1)) }
}

/// Component `part` (0 = value, 1 + k = tangent k) of a dual matrix view,
/// as a strided view of `T`s.
fn part<'a, T, const K: usize>(
    m: &MatRef<'_, Dual<T, K>>,
    flat: &'a [T],
    part: usize,
) -> MatRef<'a, T> {
    MatRef {
        data: &flat[part..],
        rows: m.rows,
        cols: m.cols,
        row_stride: m.row_stride * (K + 1),
        col_stride: m.col_stride * (K + 1),
    }
}

impl<T: Scalar, const K: usize> Scalar for Dual<T, K> {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Dual::constant(T::from_f64(x))
    }

    #[inline]
    fn primal(&self) -> f64 {
        self.re.primal()
    }

    #[inline]
    fn is_exact_zero(&self) -> bool {
        self.re.is_exact_zero() && self.eps.iter().all(|e| e.is_exact_zero())
    }

    /// As one flat slice of `T` (for `f64` a `memset`; element by element
    /// a 72-byte `Dual<f64, 8>` was stored 16 bytes at a time).
    fn fill_zero(s: &mut [Self]) {
        T::fill_zero(flat_mut(s));
    }

    /// `C = A·B` on duals from products of `T` matrices:
    /// `C.re = A.re·B.re`, `C.εₖ = A.εₖ·B.re + A.re·B.εₖ`.
    ///
    /// - When the rows of `B` and `C` are contiguous runs of duals (or `B`
    ///   is copied so, for `C` with 8 rows or more), `A.re·B` over all
    ///   `K + 1` components is one `T` product into all of `C` (`C.re` and
    ///   every `A.re·B.εₖ`), then `C.εₖ += A.εₖ·B.re` for each lane: `K + 1`
    ///   calls. Taken only when `A.re`, `B.re` and every `B.εₖ` have a
    ///   nonzero entry.
    /// - Otherwise `2K + 1` calls, each reading its parts in place through
    ///   strides.
    ///
    /// A product into a component of `C` strided by 3 or more numbers both
    /// ways (`K ≥ 2`) is computed into a contiguous buffer from the thread's
    /// [`pool`] and added into `C` in one pass, because the kernel writes a
    /// strided `C` one number at a time. Products with an all-zero factor
    /// are skipped, and products with a sparse factor (a unit lane of a
    /// Hessian sweep) formed entry by entry from its nonzero entries (see
    /// `sum_of_products`).
    fn gemm(a: MatRef<'_, Self>, b: MatRef<'_, Self>, c: MatMut<'_, Self>, accumulate: bool) {
        check_gemm_shapes(&a, &b, &c);
        // Strides along dimensions of length ≤ 1 zeroed (see `tame`), so
        // that scaling them by `K + 1` below cannot overflow.
        let (a, b, c) = (tame_ref(a), tame_ref(b), tame_mut(c));
        let (rows, cols, rs, cs) = component_shape::<K, _>(&c);
        if rows == 0 || cols == 0 {
            return;
        }
        if a.cols == 0 {
            zero_unless_accumulating(c, accumulate);
            return;
        }
        let (fa, fb) = (flat(a.data), flat(b.data));
        let fc = flat_mut(c.data);
        let shape = (rows, cols, rs, cs);
        // A part of `A` scatters rows of `C` (`cols` wide), a part of `B`
        // its columns (`rows` long).
        let (a0, a_lanes) = parts(&a, fa, cols);
        let (b0, b_lanes) = parts(&b, fb, rows);
        let dense = |p: &Part<'_, T>| !p.zero && !p.sparse;
        // Rows of `B` and `C` contiguous in duals: a row of `B` is one run
        // of `(K + 1)·n` numbers, `re, ε₁, …, ε_K` per entry, and so is a
        // row of `C`. Then `A.re·B` over all components at once is one
        // product with a contiguous `B` and `C`, `C.re` and every
        // `A.re·B.εₖ` in place; only the `A.εₖ·B.re` remain. A `B` read
        // through other strides (a network's `δ·Wᵀ`) is copied row-major
        // first when `C` has 8 rows or more: `k·n` copied against `m·k·n`
        // multiply-adds. Taken when no factor of that product is all zero
        // (else skipping those products is cheaper: the zero real part of
        // a Gauss-Newton cotangent, the zero lanes of a Hessian sweep).
        let contiguous = |cols: usize, col_stride: usize| cols == 1 || col_stride == 1;
        let b_rows = contiguous(b.cols, b.col_stride);
        if K > 0
            && !a0.zero
            && dense(&b0)
            && contiguous(c.cols, c.col_stride)
            && (b_rows || rows >= 8)
            && b_lanes.iter().all(dense)
        {
            let copy: Option<Vec<Self>> = (!b_rows).then(|| {
                let mut copy = pool::take(b.rows * b.cols);
                for p in 0..b.rows {
                    copy.extend((0..b.cols).map(|j| b.data[p * b.row_stride + j * b.col_stride]));
                }
                copy
            });
            let width = b.cols * (K + 1);
            let b_all = match &copy {
                None => MatRef {
                    data: fb,
                    rows: b.rows,
                    cols: width,
                    row_stride: b.row_stride * (K + 1),
                    col_stride: 1,
                },
                Some(copy) => MatRef::row_major(flat(copy), b.rows, width),
            };
            let c_all = MatMut {
                data: &mut fc[..],
                rows,
                cols: cols * (K + 1),
                row_stride: rs,
                col_stride: 1,
            };
            T::gemm(a0.m, b_all, c_all, accumulate);
            if let Some(copy) = copy {
                pool::give(copy);
            }
            let lanes: Vec<_> = (1..=K)
                .zip(&a_lanes)
                .map(|(l, al)| (l, [(al, &b0)]))
                .collect();
            sum_of_products(&lanes, fc, shape, true);
            return;
        }
        sum_of_products(&[(0, [(&a0, &b0)])], fc, shape, accumulate);
        let lanes: Vec<_> = (1..=K)
            .zip(a_lanes.iter().zip(&b_lanes))
            .map(|(l, (al, bl))| (l, [(al, &b0), (&a0, bl)]))
            .collect();
        sum_of_products(&lanes, fc, shape, accumulate);
    }

    /// `C = R·B` for a real `R`: component by component,
    /// `C.re = R·B.re`, `C.εₖ = R·B.εₖ` — `K + 1` calls of `T`'s hook
    /// reading the components of `B` and `C` in place through strides.
    fn gemm_real_left(
        a: MatRef<'_, f64>,
        b: MatRef<'_, Self>,
        c: MatMut<'_, Self>,
        accumulate: bool,
    ) {
        check_mixed_gemm_shapes(&a, &b, &c);
        let (b, c) = (tame_ref(b), tame_mut(c));
        if c.rows == 0 || c.cols == 0 {
            return;
        }
        if a.cols == 0 {
            zero_unless_accumulating(c, accumulate);
            return;
        }
        let shape = component_shape::<K, _>(&c);
        let fb = flat(b.data);
        let fc = flat_mut(c.data);
        // Rows of `B` and `C` contiguous (in duals): each row of components
        // is one run of `n·(K + 1)` `T`s, so a single call with `R` packed
        // once does all components.
        let dense = |cols: usize, stride: usize| cols == 1 || stride == 1;
        if dense(b.cols, b.col_stride) && dense(c.cols, c.col_stride) {
            let width = c.cols * (K + 1);
            let bf = MatRef {
                data: fb,
                rows: b.rows,
                cols: width,
                row_stride: b.row_stride * (K + 1),
                col_stride: 1,
            };
            let cf = component(fc, 0, (c.rows, width, shape.2, 1));
            T::gemm_real_left(a, bf, cf, accumulate);
            return;
        }
        for p in 0..=K {
            T::gemm_real_left(a, part(&b, fb, p), component(fc, p, shape), accumulate);
        }
    }

    /// `C = A·R` for a real `R`: `C.re = A.re·R`, `C.εₖ = A.εₖ·R`, as in
    /// [`Scalar::gemm_real_left`].
    fn gemm_real_right(
        a: MatRef<'_, Self>,
        b: MatRef<'_, f64>,
        c: MatMut<'_, Self>,
        accumulate: bool,
    ) {
        check_mixed_gemm_shapes(&a, &b, &c);
        let (a, c) = (tame_ref(a), tame_mut(c));
        if c.rows == 0 || c.cols == 0 {
            return;
        }
        if a.cols == 0 {
            zero_unless_accumulating(c, accumulate);
            return;
        }
        let shape = component_shape::<K, _>(&c);
        let fa = flat(a.data);
        let fc = flat_mut(c.data);
        // One row (a vector times `R`): its `K + 1` components are the rows
        // of a `(K + 1) × k` matrix, so a single call with `R` packed once
        // does all components.
        if a.rows == 1 {
            let af = MatRef {
                data: fa,
                rows: K + 1,
                cols: a.cols,
                row_stride: 1,
                col_stride: a.col_stride * (K + 1),
            };
            let cf = component(fc, 0, (K + 1, c.cols, 1, shape.3));
            T::gemm_real_right(af, b, cf, accumulate);
            return;
        }
        for p in 0..=K {
            T::gemm_real_right(part(&a, fa, p), b, component(fc, p, shape), accumulate);
        }
    }
}

/// A stride along a dimension of length ≤ 1 addresses nothing and may hold
/// any number: zeroed, so that scaling strides by `K + 1` cannot overflow.
/// Every remaining stride of a checked view is at most its extent, below
/// its length, and `len · (K + 1)` `T`s fit in memory, so the scaled
/// strides are exact.
fn tame(n: usize, stride: usize) -> usize {
    if n > 1 {
        stride
    } else {
        0
    }
}

fn tame_ref<T>(m: MatRef<'_, T>) -> MatRef<'_, T> {
    MatRef {
        row_stride: tame(m.rows, m.row_stride),
        col_stride: tame(m.cols, m.col_stride),
        ..m
    }
}

fn tame_mut<T>(m: MatMut<'_, T>) -> MatMut<'_, T> {
    MatMut {
        row_stride: tame(m.rows, m.row_stride),
        col_stride: tame(m.cols, m.col_stride),
        ..m
    }
}

/// An empty inner dimension: `C = 0`, or `C` unchanged when accumulating.
fn zero_unless_accumulating<D: Zero>(mut c: MatMut<'_, D>, accumulate: bool) {
    if !accumulate {
        for i in 0..c.rows {
            for j in 0..c.cols {
                *c.at(i, j) = D::zero();
            }
        }
    }
}

/// `(rows, cols, row_stride, col_stride)` of one component of a (tamed)
/// dual output view, in `T`s.
fn component_shape<const K: usize, D>(c: &MatMut<'_, D>) -> (usize, usize, usize, usize) {
    (
        c.rows,
        c.cols,
        c.row_stride * (K + 1),
        c.col_stride * (K + 1),
    )
}

/// Component `p` of a dual output view as a strided view of `T`s (checked
/// slicing; the callee's shape check bounds every index).
fn component<T>(fc: &mut [T], p: usize, shape: (usize, usize, usize, usize)) -> MatMut<'_, T> {
    let (rows, cols, row_stride, col_stride) = shape;
    MatMut {
        data: &mut fc[p..],
        rows,
        cols,
        row_stride,
        col_stride,
    }
}

/// A part with at most one nonzero entry in `SPARSE` is *sparse*: its
/// products are formed entry by entry (see [`scatter`]) instead of by the
/// kernel. A Hessian sweep seeds unit directions, so the tangent of a
/// weight matrix has one nonzero entry per lane, and so has, one layer on,
/// a column of the next tangent: a whole `m·k·n` product of which `m` or
/// `n` multiply-adds are not by zero.
const SPARSE: usize = 16;

/// One component matrix of a dual matrix, classified: every entry exactly
/// zero, or sparse (at most `1/SPARSE` of its entries nonzero, counted only
/// for parts of at least `4·SPARSE` entries whose products are at least 8
/// wide; the count stops once it is over, so a dense part costs a
/// sixteenth of a read), or neither. Whether every entry is finite is
/// scanned on first use and kept.
struct Part<'a, T> {
    m: MatRef<'a, T>,
    zero: bool,
    sparse: bool,
    finite: Cell<Option<bool>>,
}

impl<'a, T: Scalar> Part<'a, T> {
    /// `m` classified by its count of nonzero entries (exact up to
    /// `budget + 1`, see [`parts`]).
    fn counted(m: MatRef<'a, T>, nonzero: usize, budget: usize) -> Self {
        Part {
            m,
            zero: nonzero == 0,
            sparse: nonzero > 0 && nonzero <= budget,
            finite: Cell::new(None),
        }
    }

    /// Every entry finite in every component, so that a zero times it is
    /// exactly zero. Tested as `x·0 == 0` rather than `x.is_finite()`: for
    /// a nested dual `is_finite` reads only the innermost real part, and
    /// an infinite inner tangent times a zero part is `NaN` in dual
    /// arithmetic (`0·∞`), which skipping the product would lose.
    fn finite(&self) -> bool {
        if let Some(known) = self.finite.get() {
            return known;
        }
        let finite = self.m.all(|x| (x * T::zero()).is_exact_zero());
        self.finite.set(Some(finite));
        finite
    }
}

/// Every component of a dual matrix classified (see [`Part`]) in one pass
/// over its entries: component by component, the scan strode over the
/// whole matrix once per lane (a zero lane must be read to its end), `K + 1`
/// passes over memory where one does. `width` is the other operand's outer
/// dimension. The pass stops once every component is over its budget.
fn parts<'a, T: Scalar, const K: usize>(
    m: &MatRef<'_, Dual<T, K>>,
    flat: &'a [T],
    width: usize,
) -> (Part<'a, T>, [Part<'a, T>; K]) {
    let size = m.rows * m.cols;
    let budget = if width >= 8 && size >= 4 * SPARSE {
        size / SPARSE
    } else {
        0
    };
    // Per component: the count of nonzero entries, and `Σ x·0`, which is
    // exactly zero if and only if every entry is finite (`∞·0` and `NaN·0`
    // are `NaN`, and a `NaN` stays in the sum): the finiteness test of
    // `Part::finite` for free in the same pass, where a later scan of its
    // own read the matrix again (a layer's 9-number duals, strided).
    let mut re = (0usize, T::zero());
    let mut eps = [(0usize, T::zero()); K];
    let tally = |(count, probe): &mut (usize, T), x: T| {
        *count += <usize as From<bool>>::from(!x.is_exact_zero());
        *probe += x * T::zero();
    };
    let count = |re: &mut (usize, T), eps: &mut [(usize, T); K], d: &Dual<T, K>| {
        tally(re, d.re);
        for (t, &e) in eps.iter_mut().zip(&d.eps) {
            tally(t, e);
        }
    };
    let (outer, inner, outer_stride, inner_stride) = memory_order(m);
    let mut whole = true;
    for o in 0..outer {
        let start = o * outer_stride;
        // A contiguous run as a slice: no index arithmetic or bounds check
        // per entry.
        if inner_stride == 1 {
            for d in &m.data[start..start + inner] {
                count(&mut re, &mut eps, d);
            }
        } else {
            for i in 0..inner {
                count(&mut re, &mut eps, &m.data[start + i * inner_stride]);
            }
        }
        if o + 1 < outer && re.0 > budget && eps.iter().all(|&(count, _)| count > budget) {
            whole = false;
            break;
        }
    }
    let classified = |m: MatRef<'a, T>, (count, probe): (usize, T)| {
        let p = Part::counted(m, count, budget);
        if whole {
            p.finite.set(Some(probe.is_exact_zero()));
        }
        p
    };
    (
        classified(part(m, flat, 0), re),
        std::array::from_fn(|l| classified(part(m, flat, l + 1), eps[l])),
    )
}

/// Entry-wise tests over a view, indexed with plain arithmetic (exact: the
/// caller's `gemm` checked the view's extent) rather than `MatRef::at`.
trait Entries<T> {
    fn all(&self, test: impl FnMut(T) -> bool) -> bool;
}

impl<T: Copy> Entries<T> for MatRef<'_, T> {
    fn all(&self, mut test: impl FnMut(T) -> bool) -> bool {
        let (outer, inner, outer_stride, inner_stride) = memory_order(self);
        (0..outer).all(|o| {
            let start = o * outer_stride;
            (0..inner).all(|i| test(self.data[start + i * inner_stride]))
        })
    }
}

/// `(outer, inner, outer stride, inner stride)`: the view's dimensions in
/// the order that walks its storage forwards, for scans whose result does
/// not depend on the order. A transposed view read row by row jumps a
/// whole row of storage per entry, a cache miss each: a twelfth of an
/// 8-lane Hessian sweep went to such scans.
fn memory_order<T>(m: &MatRef<'_, T>) -> (usize, usize, usize, usize) {
    if m.row_stride >= m.col_stride {
        (m.rows, m.cols, m.row_stride, m.col_stride)
    } else {
        (m.cols, m.rows, m.col_stride, m.row_stride)
    }
}

/// How one product `X·Y` of [`sum_of_products`] is formed.
#[derive(Clone, Copy, PartialEq)]
enum Route {
    /// Not at all: a factor is all zero and its partner all finite.
    Skip,
    /// By the kernel.
    Kernel,
    /// Entry by entry from the nonzero entries of `X` (`Left`) or `Y`.
    ScatterLeft,
    ScatterRight,
}

impl Route {
    /// IEEE arithmetic makes a product with an all-zero factor exactly zero
    /// (up to the sign of zero) when its partner is finite, and a sum over
    /// the nonzero entries of a factor the same sum without its zero terms;
    /// with a non-finite partner the kernel runs, so `0·∞` still gives its
    /// `NaN`. (The finiteness scans run only when they can change the route.)
    fn of<T: Scalar>(x: &Part<'_, T>, y: &Part<'_, T>) -> Self {
        if (x.zero && y.finite()) || (y.zero && x.finite()) {
            Route::Skip
        } else if x.sparse && y.finite() {
            Route::ScatterLeft
        } else if y.sparse && x.finite() {
            Route::ScatterRight
        } else {
            Route::Kernel
        }
    }

    /// For a scattered product, whether the sparse factor is the left one.
    fn scatter_left(self) -> Option<bool> {
        match self {
            Route::ScatterLeft => Some(true),
            Route::ScatterRight => Some(false),
            Route::Skip | Route::Kernel => None,
        }
    }
}

/// `C += X·Y` entry by entry from the nonzero entries of the sparse factor
/// (`X` when `left`): `C[i, :] += X[i, r]·Y[r, :]` for each nonzero
/// `X[i, r]`, or `C[:, j] += X[:, r]·Y[r, j]` for each nonzero `Y[r, j]`.
/// Entry `(i, j)` receives its nonzero terms in the order of `r`.
fn scatter<T: Scalar>(x: &MatRef<'_, T>, y: &MatRef<'_, T>, c: &mut MatMut<'_, T>, left: bool) {
    // Plain index arithmetic: every view was checked by the caller's gemm.
    let xi = |i: usize, r: usize| x.data[i * x.row_stride + r * x.col_stride];
    let yi = |r: usize, j: usize| y.data[r * y.row_stride + j * y.col_stride];
    let (crs, ccs) = (c.row_stride, c.col_stride);
    if left {
        for i in 0..x.rows {
            for r in 0..x.cols {
                let v = xi(i, r);
                if !v.is_exact_zero() {
                    for j in 0..y.cols {
                        let o = &mut c.data[i * crs + j * ccs];
                        *o += v * yi(r, j);
                    }
                }
            }
        }
    } else {
        for r in 0..y.rows {
            for j in 0..y.cols {
                let v = yi(r, j);
                if !v.is_exact_zero() {
                    for i in 0..x.rows {
                        let o = &mut c.data[i * crs + j * ccs];
                        *o += xi(i, r) * v;
                    }
                }
            }
        }
    }
}

/// One component of `C` and the products summed into it: `(p, [(X, Y), …])`
/// for `C.p ← Σ X·Y` (see [`sum_of_products`]).
type Job<'p, 'm, T, const N: usize> = (usize, [(&'p Part<'m, T>, &'p Part<'m, T>); N]);

/// For each job `(p, terms)`: component `p` of `C` (in the flat storage
/// `fc`, with the component shape `shape`) `← Σ Xᵢ·Yᵢ` over its terms (or
/// `C.p + Σ Xᵢ·Yᵢ` when `accumulate`), each product by its [`Route`]: skipped when a factor is all zero, scattered from the
/// nonzero entries of a sparse factor, else by the kernel. The zero parts
/// are common: the inputs of a network are constants (zero tangents), and
/// the cotangent of a Gauss-Newton product has a zero real part; the
/// sparse ones are the unit lanes of a Hessian sweep. Skipping and
/// scattering save whole matrix products.
fn sum_of_products<T: Scalar, const N: usize>(
    jobs: &[Job<'_, '_, T, N>],
    fc: &mut [T],
    shape: (usize, usize, usize, usize),
    accumulate: bool,
) {
    let (rows, cols, rs, cs) = shape;
    // A component of a dual output is strided both ways (every (K+1)-th
    // number), and the kernel then reads and writes `C` one number at a
    // time: a third of its time on the 8-lane Hessian sweeps. So for
    // strides of 3 and more (K ≥ 2) kernel products go to contiguous
    // buffers, and all of them are added to `C` in one pass at the end (a
    // pass per component stored into every cache line of `C` once per
    // lane). At stride 2 (K = 1, HVPs) the extra pass cost more than it
    // saved (1.05×), so those products write `C` directly, and so do
    // scattered products (a few entries each, no kernel).
    let stage = rows > 1 && cols > 1 && rs > 2 && cs > 2;
    let mut staged: Vec<(usize, Vec<T>)> = Vec::new();
    for (p, terms) in jobs {
        let routes = terms.map(|(x, y)| Route::of(x, y));
        if stage && routes.contains(&Route::Kernel) {
            let mut buffer: Vec<T> = pool::take(rows * cols);
            buffer.resize(rows * cols, T::zero());
            // Kernel products first (the first one overwrites), then the
            // scattered ones add into them: a kernel product after a
            // scatter would overwrite the scattered terms.
            let mut written = false;
            for ((x, y), &route) in terms.iter().zip(&routes) {
                if route == Route::Kernel {
                    T::gemm(
                        x.m,
                        y.m,
                        MatMut::row_major(&mut buffer, rows, cols),
                        written,
                    );
                    written = true;
                }
            }
            for ((x, y), &route) in terms.iter().zip(&routes) {
                if let Some(left) = route.scatter_left() {
                    scatter(
                        &x.m,
                        &y.m,
                        &mut MatMut::row_major(&mut buffer, rows, cols),
                        left,
                    );
                }
            }
            staged.push((*p, buffer));
            continue;
        }
        let mut written = accumulate;
        for ((x, y), &route) in terms.iter().zip(&routes) {
            if route == Route::Kernel {
                T::gemm(x.m, y.m, component(fc, *p, shape), written);
                written = true;
            }
        }
        if !written {
            let mut c = component(fc, *p, shape);
            for i in 0..rows {
                for j in 0..cols {
                    *c.at(i, j) = T::zero();
                }
            }
        }
        for ((x, y), &route) in terms.iter().zip(&routes) {
            if let Some(left) = route.scatter_left() {
                scatter(&x.m, &y.m, &mut component(fc, *p, shape), left);
            }
        }
    }
    if staged.is_empty() {
        return;
    }
    for i in 0..rows {
        for j in 0..cols {
            let entry = i * rs + j * cs;
            for (p, buffer) in &staged {
                let (o, t) = (&mut fc[entry + p], buffer[i * cols + j]);
                *o = if accumulate { *o + t } else { t };
            }
        }
    }
    for (_, buffer) in staged {
        pool::give(buffer);
    }
}
