//! A smooth function's rule is smooth in its dual evaluation too: rules
//! that branch on their argument (`sigmoid`, `softplus` at 0) give exact
//! derivatives of every order at the branch point (issue: `softplus` was
//! evaluated through `max(x, 0)` and `|x|`, whose kinks leaked into the
//! value's tangent, and the Hessian of `softplus(x)²` at 0 came out
//! 1.3466 instead of 0.8466).
//!
//! Expected values are closed forms at 0 (σ(0) = ½, σ′ = ¼, σ″ = 0,
//! σ‴ = −⅛; softplus(0) = ln 2); tolerance `1e-15` relative, a few
//! roundings of numbers of order one. Away from 0 the derivatives are also
//! checked against central differences of the next lower order
//! (saddle-check's default tolerance, `1e-6`).

use saddle_check::{check_gradient, Tolerance};
use saddle_dual::{hessian, hvp, Dual};
use saddle_tape::prelude::*;

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-15 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

fn softplus_squared<S: Real>(x: &[S]) -> S {
    x[0].softplus().powi(2)
}

/// `(s²)″ = 2 s′² + 2 s s″` with `s = ln 2`, `s′ = ½`, `s″ = ¼` at 0:
/// `½ + ½ ln 2`.
#[test]
fn softplus_squared_hessian_at_zero() {
    let want = 0.5 + 0.5 * std::f64::consts::LN_2;
    let r = hvp(|x| softplus_squared(x), &[0.0], &[1.0]).unwrap();
    close(r.hv[0], want, "hvp");
    let h = hessian(|x| softplus_squared(x), &[0.0]).unwrap();
    close(h.get(0, 0), want, "hessian");
}

/// The same through a layer-like expression with zero bias and zero
/// input, as an `Mlp` with softplus meets it: `softplus(w·x + b)²` in
/// `(w, b)` at `x = 0`, `b = 0` has `∂²/∂b² = ½ + ½ ln 2` and every entry
/// involving `w` zero (`x = 0`).
#[test]
fn softplus_layer_hessian_at_zero_bias_and_input() {
    fn f<S: Real>(p: &[S]) -> S {
        (p[0] * 0.0 + p[1]).softplus().powi(2)
    }
    let h = hessian(|p| f(p), &[0.7, 0.0]).unwrap();
    close(h.get(1, 1), 0.5 + 0.5 * std::f64::consts::LN_2, "H[b][b]");
    for (i, j) in [(0, 0), (0, 1), (1, 0)] {
        close(h.get(i, j), 0.0, &format!("H[{i}][{j}]"));
    }
}

/// Value and three derivatives by forward mode on `Dual<Dual<Dual<f64>>>`.
fn third<F: Fn(Dual<Dual<Dual<f64>>>) -> Dual<Dual<Dual<f64>>>>(f: F, x: f64) -> [f64; 4] {
    let one = Dual::new(1.0, [0.0]);
    let zero = Dual::new(0.0, [0.0]);
    let y = f(Dual::new(
        Dual::new(Dual::new(x, [1.0]), [one]),
        [Dual::new(one, [zero])],
    ));
    [
        y.re.re.re,
        y.re.re.eps[0],
        y.re.eps[0].eps[0],
        y.eps[0].eps[0].eps[0],
    ]
}

#[test]
fn sigmoid_and_softplus_exact_to_third_order_at_their_branch_point() {
    for x0 in [0.0, -0.0] {
        let s = third(|x| x.sigmoid(), x0);
        for (k, want) in [0.5, 0.25, 0.0, -0.125].into_iter().enumerate() {
            close(s[k], want, &format!("sigmoid order {k} at {x0}"));
        }
        let p = third(|x| x.softplus(), x0);
        for (k, want) in [std::f64::consts::LN_2, 0.5, 0.25, 0.0]
            .into_iter()
            .enumerate()
        {
            close(p[k], want, &format!("softplus order {k} at {x0}"));
        }
    }
}

/// Every rule whose formula branches on its argument (or is smooth but
/// composed of several primitives), at the branch points and just beside
/// them: each order against central differences of the order below.
#[test]
fn smooth_rules_third_order_matches_differences_near_branch_points() {
    type F = fn(Dual<Dual<Dual<f64>>>) -> Dual<Dual<Dual<f64>>>;
    let cases: [(&str, F, &[f64]); 10] = [
        ("sigmoid", |x| x.sigmoid(), &[0.0, 1e-3, -1e-3, 30.0, -30.0]),
        (
            "softplus",
            |x| x.softplus(),
            &[0.0, 1e-3, -1e-3, 30.0, -30.0],
        ),
        ("tanh", |x| x.tanh(), &[0.0, 1e-3, 5.0]),
        ("ln_1p", |x| x.ln_1p(), &[0.0, -0.5, 1e-3]),
        ("exp_m1", |x| x.exp_m1(), &[0.0, 1e-3, -1e-3]),
        ("asinh", |x| x.asinh(), &[0.0, 1e-3, -2.0]),
        ("acosh", |x| x.acosh(), &[1.5, 3.0]),
        ("cbrt", |x| x.cbrt(), &[-1.0, 0.5]),
        (
            "hypot(x, 1)",
            |x| x.hypot(Real::cst(1.0)),
            &[0.0, 1e-3, -2.0],
        ),
        (
            "atan2(x, 1)",
            |x| x.atan2(Real::cst(1.0)),
            &[0.0, -1.0, 2.0],
        ),
    ];
    for (name, f, points) in cases {
        for &x0 in points {
            let d = third(f, x0);
            for (k, &dk) in d.iter().enumerate().skip(1) {
                let lower = |v: &[f64]| third(f, v[0])[k - 1];
                let r = check_gradient(lower, &[x0], &[dk], Tolerance::default());
                assert!(r.passed(), "{name} order {k} at {x0}: {r}");
            }
        }
    }
}
