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

    /// Element `(i, j)`.
    #[inline]
    pub fn at(&self, i: usize, j: usize) -> &T {
        &self.data[i * self.row_stride + j * self.col_stride]
    }

    /// Panics unless every index the view can address lies inside `data`.
    fn check_bounds(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride;
            assert!(
                last < self.data.len(),
                "MatRef addresses {last} but holds {}",
                self.data.len()
            );
        }
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

    /// Element `(i, j)`.
    #[inline]
    pub fn at(&mut self, i: usize, j: usize) -> &mut T {
        &mut self.data[i * self.row_stride + j * self.col_stride]
    }

    fn check_bounds(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride;
            assert!(
                last < self.data.len(),
                "MatMut addresses {last} but holds {}",
                self.data.len()
            );
        }
    }
}

/// Checks that `c = a · b` is dimensionally consistent and that every view
/// stays inside its storage, so kernels may use raw pointers.
///
/// # Panics
/// On a shape mismatch or an out-of-bounds view; both are engine bugs, not
/// user errors (user-facing shape checks return `Result` earlier).
pub fn check_gemm_shapes<T>(a: &MatRef<'_, T>, b: &MatRef<'_, T>, c: &MatMut<'_, T>) {
    assert!(
        a.cols == b.rows && c.rows == a.rows && c.cols == b.cols,
        "gemm shapes: ({}×{})·({}×{}) into {}×{}",
        a.rows,
        a.cols,
        b.rows,
        b.cols,
        c.rows,
        c.cols
    );
    a.check_bounds();
    b.check_bounds();
    c.check_bounds();
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
/// - `gemm`: the matrix-multiply hook used by block operations,
///   `C ← A·B` (or `C ← C + A·B` when `accumulate`). The default is a plain
///   triple loop, correct for any type; `f64` and `f32` map it to a tuned
///   kernel chosen at run time, and `Dual<T>` maps it to three calls of
///   `T`'s (`re = A.re·B.re`, `ε = A.ε·B.re + A.re·B.ε`).
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

    /// `C ← A·B`, or `C ← C + A·B` when `accumulate` is true.
    ///
    /// # Panics
    /// If the shapes do not chain or a view runs past its storage.
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
}

macro_rules! float_scalar {
    ($t:ty, $kernel:ident) => {
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
                let beta = if accumulate { 1.0 } else { 0.0 };
                // SAFETY: `check_gemm_shapes` verified that every index each
                // view can address lies inside its slice, and `c` is a unique
                // borrow, so the kernel reads and writes only owned memory.
                unsafe {
                    matrixmultiply::$kernel(
                        a.rows,
                        a.cols,
                        b.cols,
                        1.0,
                        a.data.as_ptr(),
                        a.row_stride as isize,
                        a.col_stride as isize,
                        b.data.as_ptr(),
                        b.row_stride as isize,
                        b.col_stride as isize,
                        beta,
                        c.data.as_mut_ptr(),
                        c.row_stride as isize,
                        c.col_stride as isize,
                    );
                }
            }
        }
    };
}

float_scalar!(f64, dgemm);
float_scalar!(f32, sgemm);

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
