//! Random expression trees: a proptest strategy for *functions*.
//!
//! An AD engine is only as good as its composition of rules. [`Expr`] trees
//! mix unary functions and binary operations over a few inputs; evaluate one
//! generically ([`Expr::eval`]) on your engine's number type and on `f64`,
//! and compare the derivatives with finite differences.
//!
//! Every operation keeps values well-scaled (bounded functions, products of
//! bounded values, denominators at least 1), so finite-difference references
//! stay accurate for any tree the strategy builds.

use num_traits::Float;
use proptest::prelude::*;

/// A unary operation of an expression tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    /// `sin a`
    Sin,
    /// `cos a`
    Cos,
    /// `tanh a`
    Tanh,
    /// `atan a`
    Atan,
    /// `1/(1 + e^{−a})`
    Sigmoid,
    /// `ln(1 + e^{sin a})`
    SoftplusOfSin,
    /// `e^{sin a}`
    ExpOfSin,
    /// `√(a² + 1)`
    SqrtOnePlusSquare,
    /// `2 tanh² a`
    TanhSquared,
    /// `−a`
    Neg,
}

/// A binary operation of an expression tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    /// `l + r`
    Add,
    /// `l − r`
    Sub,
    /// `tanh(l) · r`
    MulTanh,
    /// `l / (r² + 1)`
    DivOnePlusSquare,
    /// `√(l² + (r + ½)²)`
    Hypot,
}

/// An expression over inputs `x₀ … x_{n−1}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// The input `xᵢ`.
    Input(usize),
    /// A constant.
    Const(f64),
    /// A unary operation.
    Unary(Unary, Box<Expr>),
    /// A binary operation.
    Binary(Binary, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Evaluates the expression on any `Float` (`f64`, a tape variable, a
    /// dual number).
    pub fn eval<S: Float>(&self, x: &[S]) -> S {
        let c = |v: f64| S::from(v).expect("constant representable");
        match self {
            Expr::Input(i) => x[*i],
            Expr::Const(v) => c(*v),
            Expr::Unary(u, a) => {
                let a = a.eval(x);
                match u {
                    Unary::Sin => a.sin(),
                    Unary::Cos => a.cos(),
                    Unary::Tanh => a.tanh(),
                    Unary::Atan => a.atan(),
                    Unary::Sigmoid => (S::one() + (-a).exp()).recip(),
                    Unary::SoftplusOfSin => a.sin().exp().ln_1p(),
                    Unary::ExpOfSin => a.sin().exp(),
                    Unary::SqrtOnePlusSquare => (a * a + S::one()).sqrt(),
                    Unary::TanhSquared => a.tanh().powi(2) * c(2.0),
                    Unary::Neg => -a,
                }
            }
            Expr::Binary(b, l, r) => {
                let (l, r) = (l.eval(x), r.eval(x));
                match b {
                    Binary::Add => l + r,
                    Binary::Sub => l - r,
                    Binary::MulTanh => l.tanh() * r,
                    Binary::DivOnePlusSquare => l / (r * r + S::one()),
                    Binary::Hypot => l.hypot(r + c(0.5)),
                }
            }
        }
    }
}

/// Expression trees over `inputs` inputs, up to `depth` levels deep.
pub fn expr(inputs: usize, depth: u32) -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0..inputs).prop_map(Expr::Input),
        (-2.0..2.0).prop_map(Expr::Const)
    ];
    let unary = prop_oneof![
        Just(Unary::Sin),
        Just(Unary::Cos),
        Just(Unary::Tanh),
        Just(Unary::Atan),
        Just(Unary::Sigmoid),
        Just(Unary::SoftplusOfSin),
        Just(Unary::ExpOfSin),
        Just(Unary::SqrtOnePlusSquare),
        Just(Unary::TanhSquared),
        Just(Unary::Neg),
    ];
    let binary = prop_oneof![
        Just(Binary::Add),
        Just(Binary::Sub),
        Just(Binary::MulTanh),
        Just(Binary::DivOnePlusSquare),
        Just(Binary::Hypot),
    ];
    leaf.prop_recursive(depth, 8 * depth, 2, move |inner| {
        prop_oneof![
            (unary.clone(), inner.clone()).prop_map(|(u, a)| Expr::Unary(u, Box::new(a))),
            (binary.clone(), inner.clone(), inner).prop_map(|(b, l, r)| Expr::Binary(
                b,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}
