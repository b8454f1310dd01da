//! Random expression trees mixing operators and functions: the tape's
//! gradient against central finite differences (default tolerance).
//!
//! The trees use operations that keep values well-scaled (bounded
//! functions, products of bounded values), so the finite-difference
//! reference stays accurate for any tree proptest builds.

use proptest::prelude::*;
use saddle_check::{check_gradient, strategies, Tolerance};
use saddle_tape::{Real, Tape};

const INPUTS: usize = 3;

#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    Const(f64),
    Unary(U, Box<Expr>),
    Binary(B, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug)]
enum U {
    Sin,
    Cos,
    Tanh,
    Atan,
    Sigmoid,
    SoftplusOfSin,
    ExpOfSin,
    SqrtOnePlusSquare,
    Square,
    Neg,
}

#[derive(Clone, Copy, Debug)]
enum B {
    Add,
    Sub,
    Mul,
    DivByOnePlusSquare,
    Hypot,
}

fn eval<S: Real>(e: &Expr, x: &[S]) -> S {
    match e {
        Expr::Input(i) => x[*i],
        Expr::Const(c) => S::cst(*c),
        Expr::Unary(u, a) => {
            let a = eval(a, x);
            match u {
                U::Sin => a.sin(),
                U::Cos => a.cos(),
                U::Tanh => a.tanh(),
                U::Atan => a.atan(),
                U::Sigmoid => (S::one() + (-a).exp()).recip(),
                U::SoftplusOfSin => a.sin().exp().ln_1p(),
                U::ExpOfSin => a.sin().exp(),
                U::SqrtOnePlusSquare => (a * a + 1.0).sqrt(),
                U::Square => a.tanh().powi(2) * 2.0,
                U::Neg => -a,
            }
        }
        Expr::Binary(b, l, r) => {
            let (l, r) = (eval(l, x), eval(r, x));
            match b {
                B::Add => l + r,
                B::Sub => l - r,
                B::Mul => l.tanh() * r,
                B::DivByOnePlusSquare => l / (r * r + 1.0),
                B::Hypot => l.hypot(r + 0.5),
            }
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0..INPUTS).prop_map(Expr::Input),
        (-2.0..2.0).prop_map(Expr::Const),
    ];
    let unary = prop_oneof![
        Just(U::Sin),
        Just(U::Cos),
        Just(U::Tanh),
        Just(U::Atan),
        Just(U::Sigmoid),
        Just(U::SoftplusOfSin),
        Just(U::ExpOfSin),
        Just(U::SqrtOnePlusSquare),
        Just(U::Square),
        Just(U::Neg),
    ];
    let binary = prop_oneof![
        Just(B::Add),
        Just(B::Sub),
        Just(B::Mul),
        Just(B::DivByOnePlusSquare),
        Just(B::Hypot)
    ];
    leaf.prop_recursive(5, 40, 2, move |inner| {
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

proptest! {
    #![proptest_config(strategies::config(256))]

    #[test]
    fn expression_gradient_matches_finite_differences(e in expr(), x0 in strategies::well_scaled(INPUTS)) {
        let tape = Tape::new();
        let x = tape.vars(&x0);
        let y = eval(&e, &x);
        prop_assert_eq!(y.value().to_bits(), eval(&e, &x0).to_bits());
        let g = y.backward().wrt_all(&x);
        let report = check_gradient(|v| eval(&e, v), &x0, &g, Tolerance::default());
        prop_assert!(report.passed(), "{}\n{:?}", report, e);
    }
}
