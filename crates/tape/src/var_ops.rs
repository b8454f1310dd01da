//! Operators on `Var`: `+ − × ÷ %`, negation, compound assignment, with
//! `Var` or plain `f64` on either side; comparisons; sums and products.
//!
//! Each operator is the binary rule of the same name in [`crate::rules`]
//! applied through [`Var::apply2`]; an `f64` operand is a constant.

use std::cmp::Ordering;
use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::{One, Zero};

use crate::rules;
use crate::scalar::Scalar;
use crate::tape::Kind;
use crate::var::Var;

macro_rules! var_binop {
    ($Op:ident, $op:ident, $OpAssign:ident, $op_assign:ident, $rule:path, $kind:expr) => {
        impl<'t, T: Scalar> $Op for Var<'t, T> {
            type Output = Self;
            #[inline(always)]
            fn $op(self, rhs: Self) -> Self {
                self.apply2_kind(rhs, $rule, $kind)
            }
        }

        impl<'t, T: Scalar> $Op<f64> for Var<'t, T> {
            type Output = Self;
            #[inline(always)]
            fn $op(self, rhs: f64) -> Self {
                self.apply2_kind(Var::constant(T::from_f64(rhs)), $rule, $kind)
            }
        }

        impl<'t, T: Scalar> $Op<Var<'t, T>> for f64 {
            type Output = Var<'t, T>;
            #[inline(always)]
            fn $op(self, rhs: Var<'t, T>) -> Var<'t, T> {
                Var::constant(T::from_f64(self)).apply2_kind(rhs, $rule, $kind)
            }
        }

        impl<'t, T: Scalar> $OpAssign for Var<'t, T> {
            #[inline(always)]
            fn $op_assign(&mut self, rhs: Self) {
                *self = $Op::$op(*self, rhs);
            }
        }

        impl<'t, T: Scalar> $OpAssign<f64> for Var<'t, T> {
            #[inline(always)]
            fn $op_assign(&mut self, rhs: f64) {
                *self = $Op::$op(*self, rhs);
            }
        }
    };
}

var_binop!(Add, add, AddAssign, add_assign, rules::add, Kind::Linear);
var_binop!(Sub, sub, SubAssign, sub_assign, rules::sub, Kind::Linear);
var_binop!(Mul, mul, MulAssign, mul_assign, rules::mul, Kind::Bilinear);
var_binop!(Div, div, DivAssign, div_assign, rules::div, Kind::Nonlinear);
var_binop!(Rem, rem, RemAssign, rem_assign, rules::rem, Kind::Nonlinear);

impl<T: Scalar> Neg for Var<'_, T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.apply_kind(rules::neg, Kind::Linear)
    }
}

/// Equality compares values, as for the floats themselves (NaN ≠ NaN).
impl<T: Scalar> PartialEq for Var<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

/// Ordering compares values, as for the floats themselves.
impl<T: Scalar> PartialOrd for Var<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value().partial_cmp(&other.value())
    }
}

impl<T: Scalar> Zero for Var<'_, T> {
    fn zero() -> Self {
        Var::constant(T::zero())
    }
    fn is_zero(&self) -> bool {
        self.value().is_zero()
    }
}

impl<T: Scalar> One for Var<'_, T> {
    fn one() -> Self {
        Var::constant(T::one())
    }
}

/// A chain of additions (no leading `0 +` node); zero for an empty iterator.
impl<'t, T: Scalar> Sum for Var<'t, T> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.reduce(|a, b| a + b).unwrap_or_else(Zero::zero)
    }
}

impl<'a, 't, T: Scalar> Sum<&'a Var<'t, T>> for Var<'t, T> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

/// A chain of multiplications; one for an empty iterator.
impl<'t, T: Scalar> Product for Var<'t, T> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.reduce(|a, b| a * b).unwrap_or_else(One::one)
    }
}
