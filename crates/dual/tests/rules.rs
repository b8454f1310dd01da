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

saddle_check::elementary_cases!(rule_checks);

// Compound assignment with `f64` on the right, only for `Real` types.
rule_checks! {
    arithmetic in 0.3..3.0 => |x| { let mut y = x * x / (x + 1.0) - x % S::cst(3.5); y += 2.0; y *= x; y /= 3.0; y -= x; y };
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
