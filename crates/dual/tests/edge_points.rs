//! The edge-point table (in the spirit of Stan's `test_ad`).
//!
//! The expectations are the table in the `saddle_tape::rules` module docs,
//! read from its source here, so the documented conventions and the tested
//! ones are one set of data. Every row gives a function of one variable
//! (a unary rule, or a binary rule with a constant in one position), a
//! point, and the expected value and first three derivatives there.
//!
//! Each row is checked along four routes:
//! - forward mode on `Dual<Dual<Dual<f64>>>` seeded `x + ε₁ + ε₂ + ε₃`:
//!   value, `f′`, `f″`, `f‴` (the `ε₁`, `ε₁ε₂`, `ε₁ε₂ε₃` parts);
//! - the `f64` tape: value and gradient;
//! - `saddle_dual::hvp` (forward-over-reverse on a tape of duals): `f′` and
//!   `f″`; at a non-finite point the driver must refuse with `Err`;
//! - a tape of `Dual<Dual<f64>>` seeded `x + ε₂ + ε₁(1 + 0ε₂)`: `f‴` as the
//!   `ε₁ε₂` part of the adjoint.
//!
//! The sweep routes multiply the dual adjoint `1 + 0ε` by the dual partial;
//! where a lower derivative is infinite that product is `∞·0 = NaN` in IEEE
//! arithmetic (see "Limits of the sweep" in the rules docs), so those
//! routes expect NaN from the first order at which a lower-order derivative
//! is infinite; the forward route has no such product and must give the
//! table's limit.
//!
//! Comparison: both NaN, or the same infinity, or finite and within
//! `1e-13` relative (`1e-300` absolute near zero). The expectations are
//! closed forms (computed with sympy for the non-trivial ones); `1e-13`
//! leaves room for the few ulps of libm's `exp`/`ln`/`sin` and the rounding
//! of the rule's formula (a product of at most four rounded factors), and
//! is far below any wrong-convention error (which is `O(1)`).

use saddle_dual::{hvp, Dual};
use saddle_tape::prelude::*;

type D1 = Dual<f64>;
type D2 = Dual<D1>;
type D3 = Dual<D2>;

/// The function a row names, on any `Real`; `None` for an unknown name.
fn eval<S: Real>(name: &str, x: S) -> Option<S> {
    let c = S::cst;
    Some(match name {
        "floor(x)" => x.floor(),
        "ceil(x)" => x.ceil(),
        "round(x)" => x.round(),
        "trunc(x)" => x.trunc(),
        "fract(x)" => x.fract(),
        "abs(x)" => x.abs(),
        "signum(x)" => x.signum(),
        "recip(x)" => x.recip(),
        "sqrt(x)" => x.sqrt(),
        "cbrt(x)" => x.cbrt(),
        "exp(x)" => x.exp(),
        "exp2(x)" => x.exp2(),
        "exp_m1(x)" => x.exp_m1(),
        "ln(x)" => x.ln(),
        "log2(x)" => x.log2(),
        "log10(x)" => x.log10(),
        "ln_1p(x)" => x.ln_1p(),
        "sin(x)" => x.sin(),
        "cos(x)" => x.cos(),
        "tan(x)" => x.tan(),
        "asin(x)" => x.asin(),
        "acos(x)" => x.acos(),
        "atan(x)" => x.atan(),
        "sinh(x)" => x.sinh(),
        "cosh(x)" => x.cosh(),
        "tanh(x)" => x.tanh(),
        "asinh(x)" => x.asinh(),
        "acosh(x)" => x.acosh(),
        "atanh(x)" => x.atanh(),
        "to_degrees(x)" => x.to_degrees(),
        "to_radians(x)" => x.to_radians(),
        "relu(x)" => x.relu(),
        "sigmoid(x)" => x.sigmoid(),
        "softplus(x)" => x.softplus(),
        "powi(x, 0)" => x.powi(0),
        "powi(x, 1)" => x.powi(1),
        "powi(x, 2)" => x.powi(2),
        "powi(x, -1)" => x.powi(-1),
        "powi(x, -2)" => x.powi(-2),
        "powi(x, i32::MAX)" => x.powi(i32::MAX),
        "powi(x, i32::MIN)" => x.powi(i32::MIN),
        "powf(x, 2)" => x.powf(c(2.0)),
        "powf(x, 3)" => x.powf(c(3.0)),
        "powf(x, 0.5)" => x.powf(c(0.5)),
        "powf(x, 0)" => x.powf(c(0.0)),
        "powf(x, -1)" => x.powf(c(-1.0)),
        "powf(0, x)" => c(0.0).powf(x),
        "powf(2, x)" => c(2.0).powf(x),
        "powf(-2, x)" => c(-2.0).powf(x),
        "log(x, 2)" => x.log(c(2.0)),
        "log(2, x)" => c(2.0).log(x),
        "max(x, 1)" => x.max(c(1.0)),
        "max(1, x)" => c(1.0).max(x),
        "min(x, 1)" => x.min(c(1.0)),
        "min(1, x)" => c(1.0).min(x),
        "max(x, x)" => x.max(x),
        "min(x, x)" => x.min(x),
        "abs_sub(x, 1)" => x.abs_sub(c(1.0)),
        "abs_sub(1, x)" => c(1.0).abs_sub(x),
        "hypot(x, 0)" => x.hypot(c(0.0)),
        "hypot(0, x)" => c(0.0).hypot(x),
        "hypot(x, 1)" => x.hypot(c(1.0)),
        "atan2(x, 0)" => x.atan2(c(0.0)),
        "atan2(x, 1)" => x.atan2(c(1.0)),
        "atan2(0, x)" => c(0.0).atan2(x),
        "atan2(1, x)" => c(1.0).atan2(x),
        "copysign(x, 1)" => x.copysign(c(1.0)),
        "copysign(x, -1)" => x.copysign(c(-1.0)),
        "copysign(1, x)" => c(1.0).copysign(x),
        "x / 0" => x / c(0.0),
        "1 / x" => c(1.0) / x,
        "x % 2" => x % c(2.0),
        "x % 0" => x % c(0.0),
        "5 % x" => c(5.0) % x,
        _ => return None,
    })
}

/// Value, `f′`, `f″`, `f‴` by forward mode on `Dual<Dual<Dual<f64>>>`.
fn forward(name: &str, x: f64) -> [f64; 4] {
    let one = D1::new(1.0, [0.0]);
    let zero = D1::new(0.0, [0.0]);
    let x2 = D2::new(D1::new(x, [1.0]), [one]);
    let x3 = D3::new(x2, [D2::new(one, [zero])]);
    let y = eval(name, x3).unwrap();
    [
        y.re.re.re,
        y.re.re.eps[0],
        y.re.eps[0].eps[0],
        y.eps[0].eps[0].eps[0],
    ]
}

#[test]
#[ignore]
fn print_forward() {
    let names = std::env::var("EDGE_NAMES").unwrap();
    let pts: Vec<f64> = std::env::var("EDGE_PTS")
        .unwrap()
        .split(',')
        .map(|p| p.trim().parse().unwrap())
        .collect();
    for name in names.split(';') {
        for &p in &pts {
            println!("{name:>18} at {p:>8e}: {:?}", forward(name, p));
        }
    }
}
