//! A constant operand contributes nothing to a derivative, even where its
//! own partial is not finite (issue: `powf` with a constant exponent gave
//! NaN HVPs at a negative base, because `∂(aᵇ)/∂b = aᵇ ln a` is NaN there
//! and the dual chain rule computed `NaN · 0`).
//!
//! Every expected value is a closed form; the tolerance is `1e-14`
//! relative (a handful of roundings in a product of at most four factors)
//! unless stated.

use saddle_dual::{gradient, hessian, hvp, jvp, Dual};
use saddle_tape::prelude::*;

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-14 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

fn square_by_powf<S: Real>(x: &[S]) -> S {
    x[0].powf(S::cst(2.0))
}

#[test]
fn powf_constant_exponent_negative_base_value_and_gradient() {
    let r = gradient(|x| square_by_powf(x), &[-2.0]).unwrap();
    close(r.value, 4.0, "value");
    close(r.gradient[0], -4.0, "gradient");
}

#[test]
fn powf_constant_exponent_negative_base_jvp() {
    let r = jvp(square_by_powf, &[-2.0], &[1.0]).unwrap();
    close(r.value, 4.0, "value");
    close(r.derivative, -4.0, "jvp");
}

#[test]
fn powf_constant_exponent_negative_base_hvp() {
    let r = hvp(|x| square_by_powf(x), &[-2.0], &[1.0]).unwrap();
    close(r.value, 4.0, "value");
    close(r.gradient[0], -4.0, "gradient");
    close(r.hv[0], 2.0, "hv");
    // A cube: (x³)″ = 6x = −12 at −2.
    let r = hvp(|x| x[0].powf(Real::cst(3.0)), &[-2.0], &[1.0]).unwrap();
    close(r.hv[0], -12.0, "hv of x^3");
}

#[test]
fn powf_constant_exponent_negative_base_third_order() {
    // Forward mode on Dual<Dual<Dual<f64>>>: (x³)‴ = 6 at every x.
    type D1 = Dual<f64>;
    type D3 = Dual<Dual<D1>>;
    let one = D1::new(1.0, [0.0]);
    let zero = D1::new(0.0, [0.0]);
    let x = D3::new(
        Dual::new(D1::new(-2.0, [1.0]), [one]),
        [Dual::new(one, [zero])],
    );
    let y = x.powf(D3::cst(3.0));
    close(y.re.re.re, -8.0, "value");
    close(y.re.re.eps[0], 12.0, "f'");
    close(y.re.eps[0].eps[0], -12.0, "f''");
    close(y.eps[0].eps[0].eps[0], 6.0, "f'''");
    // Through the reverse sweep on a tape of Dual<Dual<f64>>.
    let tape = Tape::<Dual<D1>>::new();
    let xv = tape.var(Dual::new(D1::new(-2.0, [1.0]), [one]));
    let a = xv.powf(Var::cst(3.0)).backward().wrt(xv);
    close(a.re.re, 12.0, "sweep f'");
    close(a.eps[0].re, -12.0, "sweep f''");
    close(a.eps[0].eps[0], 6.0, "sweep f'''");
}

/// Least squares `Σ (aᵢ·x₀ + x₁ − bᵢ)²` with the square written as
/// `powf(2.0)` and every residual negative: the Hessian is `2 JᵀJ` with
/// `J = [aᵢ, 1]`, exactly.
#[test]
fn least_squares_with_powf_at_negative_residuals_hessian() {
    const A: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
    const B: [f64; 4] = [10.0, 20.0, 30.0, 40.0];
    fn loss<S: Real>(x: &[S]) -> S {
        A.iter()
            .zip(B)
            .map(|(&a, b)| (x[0] * a + x[1] - b).powf(S::cst(2.0)))
            .sum()
    }
    let x = [0.5, -1.0];
    let h = hessian(|v| loss(v), &x).unwrap();
    let sa: f64 = A.iter().sum();
    let saa: f64 = A.iter().map(|a| a * a).sum();
    let want = [[2.0 * saa, 2.0 * sa], [2.0 * sa, 2.0 * A.len() as f64]];
    for (i, row) in want.iter().enumerate() {
        for (j, &w) in row.iter().enumerate() {
            close(h.get(i, j), w, &format!("H[{i}][{j}]"));
        }
    }
    let r = hvp(|v| loss(v), &x, &[1.0, -2.0]).unwrap();
    close(r.hv[0], want[0][0] - 2.0 * want[0][1], "hv[0]");
    close(r.hv[1], want[1][0] - 2.0 * want[1][1], "hv[1]");
}

/// `√(x/c)` with `x = 1`, `c = 10⁻¹⁶⁰`: the quotient `10¹⁶⁰` is finite
/// but its partial `−q/c` with respect to the constant overflows to `−∞`.
/// `f = x^{1/2} c^{−1/2}`: `f′ = ½ c^{−1/2} = ½·10⁸⁰`,
/// `f″ = −¼ c^{−1/2} = −¼·10⁸⁰` at `x = 1`.
#[test]
fn div_by_constant_with_overflowing_partial_hvp() {
    fn f<S: Real>(v: &[S]) -> S {
        (v[0] / S::cst(1e-160)).sqrt()
    }
    let r = hvp(|v| f(v), &[1.0], &[1.0]).unwrap();
    let rel = |got: f64, want: f64| (got - want).abs() <= 1e-14 * want.abs();
    assert!(rel(r.gradient[0], 0.5e80), "gradient {}", r.gradient[0]);
    assert!(rel(r.hv[0], -0.25e80), "hv {}", r.hv[0]);
}

/// `(x % c)²` with a tiny constant `c`: `∂(x % c)/∂c = −trunc(x/c)` is
/// `−∞`, but `c` is constant, so `f″ = 2 (∂(x % c)/∂x)² = 2`.
#[test]
fn rem_by_tiny_constant_hvp() {
    fn f<S: Real>(v: &[S]) -> S {
        (v[0] % S::cst(3e-300)).powi(2)
    }
    let r = hvp(|v| f(v), &[1e10], &[1.0]).unwrap();
    close(r.hv[0], 2.0, "hv");
}

/// `(0ˣ + x)²` at `x = ½`: `∂(aᵇ)/∂a = b aᵇ⁻¹ = +∞` at the constant base
/// `a = 0`. With `g = 0ˣ + x = ½`, `g′ = 1`, `g″ = 0`: `f″ = 2 g′² = 2`.
#[test]
fn powf_zero_constant_base_hvp() {
    fn f<S: Real>(v: &[S]) -> S {
        (S::cst(0.0).powf(v[0]) + v[0]).powi(2)
    }
    let r = hvp(|v| f(v), &[0.5], &[1.0]).unwrap();
    close(r.gradient[0], 1.0, "gradient");
    close(r.hv[0], 2.0, "hv");
}

/// Lanes are independent: `x₀^{x₁}` at `x₀ = −2`, `x₁ = 2`, whose
/// exponent partial is NaN. In the lane along `e₀` the exponent does not
/// move, so that partial is skipped and `∂/∂x₀ = x₁ x₀^{x₁−1} = −4` is
/// exact; the lane along `e₁` moves the exponent at a negative base, where
/// the derivative does not exist: NaN.
#[test]
fn zero_tangent_lane_skips_a_nan_partial() {
    let x = Dual::<f64, 2>::new(-2.0, [1.0, 0.0]);
    let y = Dual::<f64, 2>::new(2.0, [0.0, 1.0]);
    let z = x.powf(y);
    close(z.eps[0], -4.0, "lane 0");
    assert!(
        z.eps[1].is_nan(),
        "lane 1 moves the exponent at a negative base"
    );
}
