//! Behaviour at 0, ±∞ and NaN: the value is what `f64` gives, and the
//! derivative is the documented one (see `saddle_tape::rules`). Nothing
//! panics; NaN propagates.

use saddle_tape::prelude::*;

/// `(value, derivative)` of `f` at `x0` through the tape.
fn at(
    x0: f64,
    f: impl for<'t> Fn(saddle_tape::Var<'t, f64>) -> saddle_tape::Var<'t, f64>,
) -> (f64, f64) {
    let tape = Tape::new();
    let x = tape.var(x0);
    let y = f(x);
    (y.value(), y.backward().wrt(x))
}

#[test]
fn kinks_take_the_zero_subgradient() {
    assert_eq!(at(0.0, |x| x.abs()), (0.0, 0.0));
    assert_eq!(at(0.0, |x| x.relu()), (0.0, 0.0));
    assert_eq!(at(0.0, |x| x.hypot(x * 0.0)), (0.0, 0.0));
}

#[test]
fn ties_of_max_and_min_go_to_the_first_argument() {
    let tape = Tape::new();
    let (a, b) = (tape.var(1.0), tape.var(1.0));
    let g = a.max(b).backward();
    assert_eq!((g.wrt(a), g.wrt(b)), (1.0, 0.0));
    let g = a.min(b).backward();
    assert_eq!((g.wrt(a), g.wrt(b)), (1.0, 0.0));
}

#[test]
fn singular_points_give_infinite_derivatives() {
    assert_eq!(at(0.0, |x| x.sqrt()), (0.0, f64::INFINITY));
    assert_eq!(at(0.0, |x| x.cbrt()), (0.0, f64::INFINITY));
    assert_eq!(at(0.0, |x| x.ln()), (f64::NEG_INFINITY, f64::INFINITY));
    assert_eq!(at(1.0, |x| x.atanh()), (f64::INFINITY, f64::INFINITY));
}

#[test]
fn powf_at_zero_base_has_zero_exponent_partial() {
    let tape = Tape::new();
    let (a, b) = (tape.var(0.0), tape.var(2.0));
    let g = a.powf(b).backward();
    assert_eq!((g.wrt(a), g.wrt(b)), (0.0, 0.0));
}

#[test]
fn infinities_saturate_smooth_activations() {
    assert_eq!(at(f64::INFINITY, |x| x.tanh()), (1.0, 0.0));
    assert_eq!(at(f64::NEG_INFINITY, |x| x.tanh()), (-1.0, 0.0));
    assert_eq!(at(f64::INFINITY, |x| x.sigmoid()), (1.0, 0.0));
    assert_eq!(at(f64::NEG_INFINITY, |x| x.sigmoid()), (0.0, 0.0));
    assert_eq!(at(f64::NEG_INFINITY, |x| x.softplus()), (0.0, 0.0));
    assert_eq!(
        at(f64::INFINITY, |x| x.exp()),
        (f64::INFINITY, f64::INFINITY)
    );
    assert_eq!(at(f64::NEG_INFINITY, |x| x.exp()), (0.0, 0.0));
    assert_eq!(
        at(f64::INFINITY, |x| x.atan()),
        (std::f64::consts::FRAC_PI_2, 0.0)
    );
}

#[test]
fn large_arguments_do_not_overflow_the_activations() {
    let (v, d) = at(800.0, |x| x.softplus());
    assert_eq!((v, d), (800.0, 1.0));
    let (v, d) = at(-800.0, |x| x.sigmoid());
    assert_eq!((v, d), (0.0, 0.0));
}

#[test]
fn nan_propagates_to_value_and_derivative() {
    let cases: [for<'t> fn(Var<'t, f64>) -> Var<'t, f64>; 7] = [
        |x| x.exp(),
        |x| x.sin(),
        |x| x.tanh(),
        |x| x * x,
        |x| x.sqrt(),
        |x| x.sigmoid(),
        |x| x.powi(3),
    ];
    for f in cases {
        let (v, d) = at(f64::NAN, f);
        assert!(v.is_nan() && d.is_nan(), "value {v}, derivative {d}");
    }
}

#[test]
fn outside_the_domain_is_nan_not_a_panic() {
    // The formula 1/x would give −1 here; outside the domain the derivative
    // is NaN like the value (the convention of the rules table).
    let (v, d) = at(-1.0, |x| x.ln());
    assert!(
        v.is_nan() && d.is_nan(),
        "ln(−1): value {v}, derivative {d}"
    );
    let (v, d) = at(2.0, |x| x.asin());
    assert!(v.is_nan() && d.is_nan());
    let (v, _) = at(-1.0, |x| x.sqrt());
    assert!(v.is_nan());
}

#[test]
fn max_ignores_a_nan_like_f64_does() {
    let tape = Tape::new();
    let (a, b) = (tape.var(f64::NAN), tape.var(2.0));
    let y = a.max(b);
    assert_eq!(y.value(), 2.0);
    let g = y.backward();
    assert_eq!(g.wrt(b), 1.0);
    assert_eq!(g.wrt(a), 0.0);
}

/// `d/dx xⁿ = n xⁿ⁻¹` for `n = i32::MIN`, where `n − 1` does not exist in
/// `i32` (it wrapped to `i32::MAX` in release builds: `x^MAX` instead of
/// `x^(MIN−1)`). At `x = 1 + 2⁻³⁰` the two differ by a factor `e⁴`.
/// Reference: `n · exp((n − 1) ln(1 + 2⁻³⁰))`. Tolerance `1e-6` relative:
/// `powi` squares 31 times, and each squaring doubles the relative error
/// of the previous one, so its result is good to `≈ 2³¹ · 2⁻⁵³ ≈ 2.4e-7`.
#[test]
fn powi_i32_min_derivative() {
    let x0 = 1.0 + 2f64.powi(-30);
    for n in [i32::MIN, i32::MAX] {
        let (_, d) = at(x0, |x| x.powi(n));
        let want = n as f64 * ((n as f64 - 1.0) * 2f64.powi(-30).ln_1p()).exp();
        assert!(
            (d - want).abs() <= 1e-6 * want.abs(),
            "n = {n}: got {d}, want {want}"
        );
    }
    // Exact points: ±1, and the pole at 0 with both signs of zero.
    assert_eq!(at(1.0, |x| x.powi(i32::MIN)), (1.0, i32::MIN as f64));
    assert_eq!(at(-1.0, |x| x.powi(i32::MIN)), (1.0, -(i32::MIN as f64)));
    assert_eq!(
        at(0.0, |x| x.powi(i32::MIN)),
        (f64::INFINITY, f64::NEG_INFINITY)
    );
    assert_eq!(
        at(-0.0, |x| x.powi(i32::MIN)),
        (f64::INFINITY, f64::INFINITY)
    );
    // n = 1, n = 0, and negative n at 0.
    assert_eq!(at(0.0, |x| x.powi(1)), (0.0, 1.0));
    assert_eq!(at(0.0, |x| x.powi(0)), (1.0, 0.0));
    assert_eq!(at(0.0, |x| x.powi(-1)), (f64::INFINITY, f64::NEG_INFINITY));
    assert_eq!(at(0.0, |x| x.powi(-2)), (f64::INFINITY, f64::NEG_INFINITY));
    assert_eq!(
        at(-0.0, |x| x.powi(-3)),
        (f64::NEG_INFINITY, f64::NEG_INFINITY)
    );
}
