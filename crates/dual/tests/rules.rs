//! Every `Dual` rule: the value is bit-identical to `f64`, the tangent
//! matches central finite differences (default tolerance `abs = rel = 1e-6`,
//! see saddle-check) and equals the tape's gradient (`∇f·v = jvp`, to
//! 1e-15 relative: the same rule evaluated on the same value). Nested duals
//! give the second derivative, checked against differences of the first.

use proptest::prelude::*;
use saddle_check::{check_gradient, strategies::config, Tolerance};
use saddle_dual::Dual;
use saddle_tape::prelude::*;

macro_rules! rule_checks {
    ($($name:ident in $lo:literal .. $hi:literal => |$x:ident| $body:expr;)*) => {
        $(
            proptest! {
                #![proptest_config(config(32))]
                #[test]
                fn $name(x0 in ($lo..$hi as f64)) {
                    fn f<S: Real>($x: S) -> S { $body }
                    // Forward mode.
                    let y = f(Dual::<f64>::new(x0, [1.0]));
                    prop_assert_eq!(y.re.to_bits(), f(x0).to_bits(), "value differs from f64");
                    let report = check_gradient(|v| f(v[0]), &[x0], &[y.eps[0]], Tolerance::default());
                    prop_assert!(report.passed(), "{}", report);
                    // The tape agrees.
                    let tape = Tape::new();
                    let x = tape.var(x0);
                    let g = f(x).backward().wrt(x);
                    prop_assert!((g - y.eps[0]).abs() <= 1e-15 * g.abs().max(1.0), "tape {} vs dual {}", g, y.eps[0]);
                    // Second derivative: nested duals against differences of the first.
                    let z = f(Dual::<Dual<f64>>::new(Dual::new(x0, [1.0]), [Dual::new(1.0, [0.0])]));
                    let first = |v: &[f64]| f(Dual::<f64>::new(v[0], [1.0])).eps[0];
                    let report = check_gradient(first, &[x0], &[z.eps[0].eps[0]], Tolerance::default());
                    prop_assert!(report.passed(), "second derivative: {}", report);
                }
            }
        )*
    };
}

rule_checks! {
    exp in -3.0..3.0 => |x| x.exp();
    exp2 in -3.0..3.0 => |x| x.exp2();
    exp_m1 in -3.0..3.0 => |x| x.exp_m1();
    ln in 0.05..5.0 => |x| x.ln();
    log2 in 0.05..5.0 => |x| x.log2();
    log10 in 0.05..5.0 => |x| x.log10();
    ln_1p in -0.9..5.0 => |x| x.ln_1p();
    sqrt in 0.05..5.0 => |x| x.sqrt();
    cbrt in 0.05..5.0 => |x| x.cbrt();
    recip in 0.1..5.0 => |x| x.recip();
    powi_3 in -3.0..3.0 => |x| x.powi(3);
    powi_neg2 in 0.2..3.0 => |x| x.powi(-2);
    powf_exponent in 0.1..3.0 => |x| x.powf(S::cst(2.5));
    powf_base in -2.0..2.0 => |x| S::cst(1.7).powf(x);
    powf_both in 0.2..3.0 => |x| x.powf(x.sin());
    sin in -4.0..4.0 => |x| x.sin();
    cos in -4.0..4.0 => |x| x.cos();
    tan in -1.3..1.3 => |x| x.tan();
    asin in -0.95..0.95 => |x| x.asin();
    acos in -0.95..0.95 => |x| x.acos();
    atan in -4.0..4.0 => |x| x.atan();
    sinh in -3.0..3.0 => |x| x.sinh();
    cosh in -3.0..3.0 => |x| x.cosh();
    tanh in -3.0..3.0 => |x| x.tanh();
    asinh in -3.0..3.0 => |x| x.asinh();
    acosh in 1.05..5.0 => |x| x.acosh();
    atanh in -0.95..0.95 => |x| x.atanh();
    abs in 0.05..3.0 => |x| (x - 1.5).abs();
    to_degrees in -3.0..3.0 => |x| x.to_degrees();
    to_radians in -3.0..3.0 => |x| x.to_radians();
    neg in -3.0..3.0 => |x| -x;
    hypot in -3.0..3.0 => |x| x.hypot(x * 0.5 + 1.0);
    atan2 in -3.0..3.0 => |x| (x * x).atan2(x + 4.0);
    log_base in 0.1..5.0 => |x| x.log(x + 2.0);
    max in -3.0..3.0 => |x| x.max(S::cst(3.5) - x * x);
    min in -3.0..3.0 => |x| x.min(x * x - S::cst(3.5));
    mul_add in -3.0..3.0 => |x| x.mul_add(x, x.sin());
    arithmetic in 0.3..3.0 => |x| { let mut y = x * x / (x + 1.0) - x % S::cst(3.5); y += 2.0; y *= x; y /= 3.0; y -= x; y };
    quotient in 0.3..3.0 => |x| x.sin() / x + (x * 2.0) % x.exp();
}

#[test]
fn activations_on_duals() {
    use saddle_tape::rules;
    for x0 in [-2.5, -0.3, 0.4, 1.7] {
        for rule in [rules::sigmoid, rules::softplus, rules::relu, rules::tanh] {
            let y = Dual::<f64>::new(x0, [1.0]).chain_rule(rule);
            let (v, d) = rule(x0);
            assert_eq!((y.re, y.eps[0]), (v, d));
        }
    }
}

#[test]
fn multi_lane_duals_carry_independent_tangents() {
    let x = Dual::<f64, 3>::new(0.7, [1.0, 2.0, -1.0]);
    let y = (x * x).sin();
    let d = 2.0 * 0.7 * (0.49f64).cos();
    for (got, want) in y.eps.iter().zip([d, 2.0 * d, -d]) {
        assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
    }
    assert_eq!(format!("{}", Dual::<f64>::new(1.5, [2.0])), "1.5 + 2ε");
}
