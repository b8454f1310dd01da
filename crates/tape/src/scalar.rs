//! The number types a tape can hold.
//!
//! [`Scalar`] is what the engine needs of a value stored on the tape: the
//! full `num_traits::Float` surface (so every elementary function has a
//! meaning), thread safety (one tape per thread), and hooks for fast
//! kernels. `f32` and `f64` implement it here; the dual numbers of
//! `saddle-dual` implement it too, and that is the whole second-order
//! machinery: a tape of duals runs the ordinary reverse sweep in dual
//! arithmetic.
//!
//! [`Real`] is the bound for *user* code: a function written once as
//! `fn f<S: Real>(x: &[S]) -> S` runs on plain `f64`, on `Var`s of any tape,
//! and on dual numbers.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Sub, SubAssign};

use num_traits::Float;

use crate::error::Error;

/// A strided, read-only view of an `m × n` matrix: element `(i, j)` lives at
/// `data[offset + i·row_stride + j·col_stride]`.
///
/// Strides let one call read a transpose (swap the strides) or every second
/// number of an interleaved array (the real parts of a slice of duals)
/// without copying.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a, T> {
    /// The backing storage.
    pub data: &'a [T],
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Distance in `data` between `(i, j)` and `(i + 1, j)`.
    pub row_stride: usize,
    /// Distance in `data` between `(i, j)` and `(i, j + 1)`.
    pub col_stride: usize,
}

/// A strided, writable view of an `m × n` matrix; see [`MatRef`].
#[derive(Debug)]
pub struct MatMut<'a, T> {
    /// The backing storage.
    pub data: &'a mut [T],
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Distance in `data` between `(i, j)` and `(i + 1, j)`.
    pub row_stride: usize,
    /// Distance in `data` between `(i, j)` and `(i, j + 1)`.
    pub col_stride: usize,
}

impl<'a, T> MatRef<'a, T> {
    /// A dense row-major view of `data` as `rows × cols`.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        MatRef {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, as a view of the same storage (strides swapped).
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Element `(i, j)`, at `data[i·row_stride + j·col_stride]`.
    ///
    /// # Panics
    /// If `(i, j)` is outside the view, or its index overflows or lies
    /// outside `data`.
    #[inline]
    pub fn at(&self, i: usize, j: usize) -> &T {
        &self.data[element_index(i, j, self.rows, self.cols, self.row_stride, self.col_stride)]
    }

    /// Checks that every index the view can address lies inside `data`,
    /// in checked arithmetic (see [`view_extent`]).
    ///
    /// # Errors
    /// If `(rows − 1)·row_stride + (cols − 1)·col_stride` overflows `usize`
    /// or is not below `data.len()`.
    pub fn check(&self) -> Result<(), Error> {
        check_view(
            "MatRef",
            self.data.len(),
            self.rows,
            self.cols,
            self.row_stride,
            self.col_stride,
        )
    }
}

impl<'a, T> MatMut<'a, T> {
    /// A dense row-major view of `data` as `rows × cols`.
    pub fn row_major(data: &'a mut [T], rows: usize, cols: usize) -> Self {
        MatMut {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// Element `(i, j)`; see [`MatRef::at`].
    ///
    /// # Panics
    /// As [`MatRef::at`].
    #[inline]
    pub fn at(&mut self, i: usize, j: usize) -> &mut T {
        let k = element_index(i, j, self.rows, self.cols, self.row_stride, self.col_stride);
        &mut self.data[k]
    }

    /// Checks that every index the view can address lies inside `data`;
    /// see [`MatRef::check`].
    ///
    /// # Errors
    /// As [`MatRef::check`].
    pub fn check(&self) -> Result<(), Error> {
        check_view(
            "MatMut",
            self.data.len(),
            self.rows,
            self.cols,
            self.row_stride,
            self.col_stride,
        )
    }
}

/// The largest index a `rows × cols` view with these strides addresses,
/// `(rows − 1)·row_stride + (cols − 1)·col_stride`, or `None` if that
/// overflows `usize` (for an empty view, `Some(0)`: it addresses nothing).
///
/// Unchecked arithmetic here is what let a view with
/// `row_stride = 6148914691236517206` over three numbers wrap around to a
/// small "last index" and pass the bounds check, so every step is checked.
pub fn view_extent(
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
) -> Option<usize> {
    if rows == 0 || cols == 0 {
        return Some(0);
    }
    (rows - 1)
        .checked_mul(row_stride)?
        .checked_add((cols - 1).checked_mul(col_stride)?)
}

fn check_view(
    what: &'static str,
    len: usize,
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
) -> Result<(), Error> {
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    match view_extent(rows, cols, row_stride, col_stride) {
        Some(last) if last < len => Ok(()),
        last => Err(Error::view(
            what,
            (rows, cols),
            (row_stride, col_stride),
            len,
            last,
        )),
    }
}

/// The strides a kernel may use: those of a checked view, with 0 for a
/// dimension of length at most one (and both for an empty view). Such a
/// stride never addresses anything but may hold any number, and a huge one
/// must not reach a kernel's pointer arithmetic. Every other stride is at
/// most the view's extent, below its slice's length ≤ `isize::MAX`, so the
/// casts are exact.
fn kernel_strides(
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
) -> (isize, isize) {
    if rows == 0 || cols == 0 {
        return (0, 0);
    }
    let s = |n: usize, st: usize| if n > 1 { st as isize } else { 0 };
    (s(rows, row_stride), s(cols, col_stride))
}

/// `i·row_stride + j·col_stride`, checked: element `(i, j)` of a view.
#[inline]
fn element_index(
    i: usize,
    j: usize,
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
) -> usize {
    assert!(
        i < rows && j < cols,
        "view element ({i}, {j}) outside a {rows}×{cols} view"
    );
    i.checked_mul(row_stride)
        .and_then(|a| a.checked_add(j.checked_mul(col_stride)?))
        .unwrap_or_else(|| {
            panic!(
                "view element ({i}, {j}) with strides ({row_stride}, {col_stride}) overflows usize"
            )
        })
}

/// Checks that `c = a · b` is dimensionally consistent and that every view
/// stays inside its storage (in checked arithmetic), so kernels may use raw
/// pointers.
///
/// # Errors
/// On a shape mismatch, or a view whose extent overflows `usize` or runs
/// past its slice; the message names the shapes and strides.
pub fn try_check_gemm_shapes<T>(
    a: &MatRef<'_, T>,
    b: &MatRef<'_, T>,
    c: &MatMut<'_, T>,
) -> Result<(), Error> {
    try_check_mixed_gemm_shapes(a, b, c)
}

/// [`try_check_gemm_shapes`] for operands of different number types (a
/// real constant times a matrix of duals, see [`Scalar::gemm_real_left`]).
///
/// # Errors
/// As [`try_check_gemm_shapes`].
pub fn try_check_mixed_gemm_shapes<A, B, C>(
    a: &MatRef<'_, A>,
    b: &MatRef<'_, B>,
    c: &MatMut<'_, C>,
) -> Result<(), Error> {
    if a.cols != b.rows || c.rows != a.rows || c.cols != b.cols {
        return Err(Error::gemm_shapes(
            (a.rows, a.cols),
            (b.rows, b.cols),
            (c.rows, c.cols),
        ));
    }
    a.check()?;
    b.check()?;
    c.check()
}

/// [`try_check_gemm_shapes`], panicking: what every [`Scalar::gemm`] calls
/// before it touches memory.
///
/// # Panics
/// On a shape mismatch or a view that overflows or runs past its storage,
/// with the message of [`try_check_gemm_shapes`]'s error. Inside the engine
/// both are bugs, not user errors (user-facing shape checks return `Result`
/// earlier); callers building views from their own numbers should call
/// [`try_check_gemm_shapes`] first.
#[track_caller]
pub fn check_gemm_shapes<T>(a: &MatRef<'_, T>, b: &MatRef<'_, T>, c: &MatMut<'_, T>) {
    check_mixed_gemm_shapes(a, b, c);
}

/// [`try_check_mixed_gemm_shapes`], panicking: what every
/// [`Scalar::gemm_real_left`] and [`Scalar::gemm_real_right`] calls before
/// it touches memory.
///
/// # Panics
/// As [`check_gemm_shapes`].
#[track_caller]
pub fn check_mixed_gemm_shapes<A, B, C>(a: &MatRef<'_, A>, b: &MatRef<'_, B>, c: &MatMut<'_, C>) {
    if let Err(e) = try_check_mixed_gemm_shapes(a, b, c) {
        panic!("gemm: {e}");
    }
}

/// A number the tape can store and differentiate through.
///
/// Besides `Float`, it asks for:
/// - `from_f64`: embed an `f64` constant (rounding for `f32`; a dual number
///   with zero tangent for `Dual<T>`);
/// - `primal`: the ordinary real number this value stands for (`self` for
///   floats, the innermost real part for duals), for printing and checks;
/// - `is_exact_zero`: true only when *every* component is zero. The reverse
///   sweep skips nodes whose adjoint is exactly zero; for a dual, a zero real
///   part alone is not enough, because the tangent still carries `H v`;
/// - `fill_zero`: zero a slice (the default fills with `zero()`; a type
///   made of floats can make it one `memset`, as duals do);
/// - `gemm`: the matrix-multiply hook used by block operations,
///   `C ← A·B` (or `C ← C + A·B` when `accumulate`). The default is a plain
///   triple loop, correct for any type; `f64` and `f32` map it to the
///   `gemm` crate's kernels (AVX-512, AVX2 or generic, chosen at run time),
///   and `Dual<T>` maps it to three calls of
///   `T`'s (`re = A.re·B.re`, `ε = A.ε·B.re + A.re·B.ε`);
/// - `gemm_real_left` / `gemm_real_right`: the same product with one
///   operand a plain real matrix (a constant: zero tangents), `C ← R·B` or
///   `C ← A·R`. The default converts each real with `from_f64`; `f64` maps
///   it to its kernel, and `Dual<T, K>` to `K + 1` calls of `T`'s, one per
///   component (`C.re = R·B.re`, `C.εₖ = R·B.εₖ`) — no product of a zero
///   tangent is ever formed.
pub trait Scalar:
    Float
    + Send
    + Sync
    + Debug
    + Display
    + Default
    + 'static
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
{
    /// Embeds an `f64` constant.
    fn from_f64(x: f64) -> Self;

    /// The real number this value stands for (for duals: the real part).
    fn primal(&self) -> f64;

    /// True only when every component of the number is exactly zero.
    fn is_exact_zero(&self) -> bool;

    /// Sets every entry of `s` to zero. The default is `s.fill(zero)`;
    /// `Dual<T, K>` fills its numbers as one flat slice of `T`, which for
    /// `f64` is a `memset` (a sweep's adjoint vector is zeroed this way).
    fn fill_zero(s: &mut [Self]) {
        s.fill(Self::zero());
    }

    /// `C ← A·B`, or `C ← C + A·B` when `accumulate` is true.
    ///
    /// Every implementation must call [`check_gemm_shapes`] before reading
    /// or writing: the views are plain data a caller can fill with any
    /// numbers, and this is a safe function.
    ///
    /// # Panics
    /// If the shapes do not chain, or a view's extent overflows `usize` or
    /// runs past its storage (see [`try_check_gemm_shapes`] to check first).
    fn gemm(a: MatRef<'_, Self>, b: MatRef<'_, Self>, mut c: MatMut<'_, Self>, accumulate: bool) {
        check_gemm_shapes(&a, &b, &c);
        for i in 0..c.rows {
            for j in 0..c.cols {
                let mut acc = if accumulate {
                    *c.at(i, j)
                } else {
                    Self::zero()
                };
                for p in 0..a.cols {
                    acc += *a.at(i, p) * *b.at(p, j);
                }
                *c.at(i, j) = acc;
            }
        }
    }

    /// `C ← R·B`, or `C ← C + R·B` when `accumulate`, for a real matrix
    /// `R`: `Cᵢⱼ = Σₚ from_f64(Rᵢₚ)·Bₚⱼ`.
    ///
    /// Every implementation must call [`check_mixed_gemm_shapes`] first.
    ///
    /// # Panics
    /// As [`Scalar::gemm`].
    fn gemm_real_left(
        a: MatRef<'_, f64>,
        b: MatRef<'_, Self>,
        mut c: MatMut<'_, Self>,
        accumulate: bool,
    ) {
        check_mixed_gemm_shapes(&a, &b, &c);
        for i in 0..c.rows {
            for j in 0..c.cols {
                let mut acc = if accumulate {
                    *c.at(i, j)
                } else {
                    Self::zero()
                };
                for p in 0..a.cols {
                    acc += Self::from_f64(*a.at(i, p)) * *b.at(p, j);
                }
                *c.at(i, j) = acc;
            }
        }
    }

    /// `C ← A·R`, or `C ← C + A·R` when `accumulate`, for a real matrix
    /// `R`: `Cᵢⱼ = Σₚ Aᵢₚ·from_f64(Rₚⱼ)`.
    ///
    /// Every implementation must call [`check_mixed_gemm_shapes`] first.
    ///
    /// # Panics
    /// As [`Scalar::gemm`].
    fn gemm_real_right(
        a: MatRef<'_, Self>,
        b: MatRef<'_, f64>,
        mut c: MatMut<'_, Self>,
        accumulate: bool,
    ) {
        check_mixed_gemm_shapes(&a, &b, &c);
        for i in 0..c.rows {
            for j in 0..c.cols {
                let mut acc = if accumulate {
                    *c.at(i, j)
                } else {
                    Self::zero()
                };
                for p in 0..a.cols {
                    acc += *a.at(i, p) * Self::from_f64(*b.at(p, j));
                }
                *c.at(i, j) = acc;
            }
        }
    }
}

macro_rules! float_scalar {
    ($t:ty $(, $extra:item)*) => {
        impl Scalar for $t {
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn primal(&self) -> f64 {
                *self as f64
            }
            #[inline]
            fn is_exact_zero(&self) -> bool {
                *self == 0.0
            }
            fn gemm(
                a: MatRef<'_, Self>,
                b: MatRef<'_, Self>,
                c: MatMut<'_, Self>,
                accumulate: bool,
            ) {
                check_gemm_shapes(&a, &b, &c);
                if c.rows == 0 || c.cols == 0 {
                    return;
                }
                if a.cols == 0 {
                    // An empty sum: `C ← 0`, or `C` unchanged.
                    if !accumulate {
                        let mut c = c;
                        for i in 0..c.rows {
                            for j in 0..c.cols {
                                *c.at(i, j) = 0.0;
                            }
                        }
                    }
                    return;
                }
                let (ars, acs) = kernel_strides(a.rows, a.cols, a.row_stride, a.col_stride);
                let (brs, bcs) = kernel_strides(b.rows, b.cols, b.row_stride, b.col_stride);
                let (crs, ccs) = kernel_strides(c.rows, c.cols, c.row_stride, c.col_stride);
                // SAFETY: `check_gemm_shapes` verified, in checked
                // arithmetic, that every index each view can address lies
                // inside its slice, and `c` is a unique borrow, so the kernel
                // reads and writes only owned memory. `gemm` computes
                // `dst ← α·dst + β·lhs·rhs`, reading `dst` only when told to.
                unsafe {
                    gemm::gemm(
                        c.rows,
                        c.cols,
                        a.cols,
                        c.data.as_mut_ptr(),
                        ccs,
                        crs,
                        accumulate,
                        a.data.as_ptr(),
                        acs,
                        ars,
                        b.data.as_ptr(),
                        bcs,
                        brs,
                        1.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    );
                }
            }
            $($extra)*
        }
    };
}

float_scalar!(
    f64,
    /// A real operand is already an `f64`: the ordinary kernel.
    fn gemm_real_left(
        a: MatRef<'_, f64>,
        b: MatRef<'_, f64>,
        c: MatMut<'_, f64>,
        accumulate: bool,
    ) {
        Self::gemm(a, b, c, accumulate)
    },
    /// As `gemm_real_left`: the ordinary kernel.
    fn gemm_real_right(
        a: MatRef<'_, f64>,
        b: MatRef<'_, f64>,
        c: MatMut<'_, f64>,
        accumulate: bool,
    ) {
        Self::gemm(a, b, c, accumulate)
    }
);
// `f32` keeps the converting defaults: its real constants stay `f64` (as
// given) and are rounded entry by entry.
float_scalar!(f32);

/// Writes `Real`'s provided method for each rule named: the rule's value,
/// computed with `Float` operations (right for `f64`; `Var` and the duals
/// override it to record one node or apply one chain rule).
macro_rules! real_provided {
    ($($name:ident),*) => {
        $(
            #[doc = concat!("See [`rules::", stringify!($name), "`](crate::rules::",
                stringify!($name), "), which states the formula and its derivative.")]
            #[inline]
            fn $name(self) -> Self {
                crate::rules::$name(self).0
            }
        )*
    };
}
/// The bound for user functions: any number that behaves like a real,
/// including mixed arithmetic with plain `f64` constants on the right
/// (`x * 100.0`, `x - 1.0`).
///
/// Implemented automatically for `f64`, for `Var<'t, T>` and for the dual
/// numbers, so one generic function serves every driver:
///
/// ```
/// use saddle_tape::Real;
/// fn rosenbrock<S: Real>(x: &[S]) -> S {
///     x.windows(2)
///         .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (S::one() - w[0]).powi(2))
///         .sum()
/// }
/// assert_eq!(rosenbrock(&[1.0, 1.0, 1.0]), 0.0);
/// ```
pub trait Real:
    Float
    + Debug
    + Sum
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign<f64>
    + SubAssign<f64>
    + MulAssign<f64>
    + DivAssign<f64>
{
    /// Embeds an `f64` constant (no tape involved).
    fn cst(x: f64) -> Self;

    // The functions `Float` lacks, one method per entry of
    // `real_rule_methods!`; `Var` and the duals override them from the same
    // list (see "Adding a function" in `crate::rules`).
    crate::real_rule_methods!(real_provided);
}

impl Real for f64 {
    #[inline]
    fn cst(x: f64) -> Self {
        x
    }
}
