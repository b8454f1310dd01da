//! Arithmetic on dual numbers: `+ − × ÷ %`, negation, compound
//! assignment, with `Dual` or `f64` on the right; comparisons on the value.
//!
//! - `(a + ȧε) + (b + ḃε) = (a + b) + (ȧ + ḃ)ε`
//! - `(a + ȧε) · (b + ḃε) = ab + (ȧb + aḃ)ε`
//! - division and remainder use the rules in `saddle_tape::rules`.

use std::cmp::Ordering;
use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::{One, Zero};
use saddle_tape::{rules, Scalar};

use crate::dual::Dual;

impl<T: Scalar, const K: usize> Add for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Dual {
            re: self.re + rhs.re,
            eps: std::array::from_fn(|k| self.eps[k] + rhs.eps[k]),
        }
    }
}

impl<T: Scalar, const K: usize> Sub for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Dual {
            re: self.re - rhs.re,
            eps: std::array::from_fn(|k| self.eps[k] - rhs.eps[k]),
        }
    }
}

impl<T: Scalar, const K: usize> Mul for Dual<T, K> {
    type Output = Self;
    /// The product rule: `(ȧb + aḃ)` is a sum by design.
    #[inline(always)]
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn mul(self, rhs: Self) -> Self {
        Dual {
            re: self.re * rhs.re,
            eps: std::array::from_fn(|k| self.eps[k] * rhs.re + self.re * rhs.eps[k]),
        }
    }
}

impl<T: Scalar, const K: usize> Div for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        self.chain2(rhs, rules::div(self.re, rhs.re))
    }
}

impl<T: Scalar, const K: usize> Rem for Dual<T, K> {
    type Output = Self;
    #[inline]
    fn rem(self, rhs: Self) -> Self {
        self.chain2(rhs, rules::rem(self.re, rhs.re))
    }
}

impl<T: Scalar, const K: usize> Neg for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual {
            re: -self.re,
            eps: self.eps.map(|e| -e),
        }
    }
}

/// Operations with an `f64` constant: `x + c` shifts the value, `x · c`
/// and `x / c` scale value and tangents, `x % c` keeps the tangents.
impl<T: Scalar, const K: usize> Add<f64> for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: f64) -> Self {
        Dual {
            re: self.re + T::from_f64(rhs),
            eps: self.eps,
        }
    }
}

impl<T: Scalar, const K: usize> Sub<f64> for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: f64) -> Self {
        Dual {
            re: self.re - T::from_f64(rhs),
            eps: self.eps,
        }
    }
}

impl<T: Scalar, const K: usize> Mul<f64> for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: f64) -> Self {
        let c = T::from_f64(rhs);
        Dual {
            re: self.re * c,
            eps: self.eps.map(|e| e * c),
        }
    }
}

impl<T: Scalar, const K: usize> Div<f64> for Dual<T, K> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: f64) -> Self {
        let c = T::from_f64(rhs);
        Dual {
            re: self.re / c,
            eps: self.eps.map(|e| e / c),
        }
    }
}

impl<T: Scalar, const K: usize> Rem<f64> for Dual<T, K> {
    type Output = Self;
    #[inline]
    fn rem(self, rhs: f64) -> Self {
        self % Dual::constant(T::from_f64(rhs))
    }
}

macro_rules! assign_ops {
    ($($OpAssign:ident $op_assign:ident $op:tt),*) => {
        $(
            impl<T: Scalar, const K: usize> $OpAssign for Dual<T, K> {
                #[inline(always)]
                fn $op_assign(&mut self, rhs: Self) {
                    *self = *self $op rhs;
                }
            }
            impl<T: Scalar, const K: usize> $OpAssign<f64> for Dual<T, K> {
                #[inline(always)]
                fn $op_assign(&mut self, rhs: f64) {
                    *self = *self $op rhs;
                }
            }
        )*
    };
}

assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /, RemAssign rem_assign %);

/// Equality of values (tangents are not compared), consistent with the
/// ordering; NaN values are unequal, as for floats.
impl<T: Scalar, const K: usize> PartialEq for Dual<T, K> {
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

/// Ordering of values.
impl<T: Scalar, const K: usize> PartialOrd for Dual<T, K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<T: Scalar, const K: usize> Zero for Dual<T, K> {
    fn zero() -> Self {
        Dual::constant(T::zero())
    }
    /// True when the value is zero (as `==` compares values).
    fn is_zero(&self) -> bool {
        self.re.is_zero()
    }
}

impl<T: Scalar, const K: usize> One for Dual<T, K> {
    fn one() -> Self {
        Dual::constant(T::one())
    }
}

impl<T: Scalar, const K: usize> Sum for Dual<T, K> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Zero::zero(), |a, b| a + b)
    }
}

impl<'a, T: Scalar, const K: usize> Sum<&'a Dual<T, K>> for Dual<T, K> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

impl<T: Scalar, const K: usize> Product for Dual<T, K> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(One::one(), |a, b| a * b)
    }
}
