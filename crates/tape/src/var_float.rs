//! `num_traits::Float` for `Var`: every elementary function, each one the
//! rule of the same name in [`crate::rules`] recorded as a node.
//!
//! Predicates (`is_nan`, `is_sign_negative`, ...) look at the value;
//! constants (`nan()`, `max_value()`, ...) live on no tape.

use std::num::FpCategory;

use num_traits::{Float, Num, NumCast, ToPrimitive};

use crate::rules;
use crate::scalar::{Real, Scalar};
use crate::tape::Kind;
use crate::var::Var;

impl<T: Scalar> ToPrimitive for Var<'_, T> {
    fn to_i64(&self) -> Option<i64> {
        self.value().to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.value().to_u64()
    }
    fn to_f64(&self) -> Option<f64> {
        self.value().to_f64()
    }
}

/// Numbers converted into a `Var` are constants.
impl<T: Scalar> NumCast for Var<'_, T> {
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <T as NumCast>::from(n).map(Var::constant)
    }
}

impl<T: Scalar> Num for Var<'_, T> {
    type FromStrRadixErr = T::FromStrRadixErr;
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Var::constant)
    }
}

macro_rules! constants {
    ($($name:ident),*) => {
        $(
            #[inline(always)]
            fn $name() -> Self {
                Var::constant(T::$name())
            }
        )*
    };
}

macro_rules! predicates {
    ($($name:ident),*) => {
        $(
            #[inline(always)]
            fn $name(self) -> bool {
                self.value().$name()
            }
        )*
    };
}

macro_rules! binary {
    ($($name:ident),*) => {
        $(
            #[doc = concat!("See [`rules::", stringify!($name), "`].")]
            #[inline(always)]
            fn $name(self, other: Self) -> Self {
                self.apply2(other, rules::$name)
            }
        )*
    };
}

macro_rules! unary {
    ($($name:ident),*) => {
        $(
            #[doc = concat!("See [`rules::", stringify!($name), "`].")]
            #[inline(always)]
            fn $name(self) -> Self {
                self.apply(rules::$name)
            }
        )*
    };
}

/// `cst` and the functions `Float` lacks (one node each), from the same
/// list as `Real`'s provided methods.
impl<T: Scalar> Real for Var<'_, T> {
    #[inline(always)]
    fn cst(x: f64) -> Self {
        Var::constant(T::from_f64(x))
    }

    crate::real_rule_methods!(unary);
}

impl<T: Scalar> Float for Var<'_, T> {
    crate::float_rule_methods!(constants, predicates, unary, binary);

    fn classify(self) -> FpCategory {
        self.value().classify()
    }

    fn integer_decode(self) -> (u64, i16, i8) {
        self.value().integer_decode()
    }

    /// `self·a + b` with one rounding (the value is `T::mul_add`'s), recorded
    /// as a product node and a sum node with partials `(a, self)` and `(1, 1)`.
    fn mul_add(self, a: Self, b: Self) -> Self {
        let fused = self.value().mul_add(a.value(), b.value());
        let product = self * a;
        product.binary_with(b, fused, T::one(), T::one(), Kind::Linear)
    }

    /// `xⁿ`, see [`rules::powi`].
    fn powi(self, n: i32) -> Self {
        let (value, partial) = rules::powi(self.value(), n);
        self.unary_with(value, partial, Kind::Nonlinear)
    }

    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
}
