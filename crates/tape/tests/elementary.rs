//! Every elementary function of `Float` (and the activations) on the tape:
//! the value equals plain `f64`, and the gradient matches central finite
//! differences (saddle-check, default tolerance `abs = rel = 1e-6`; the
//! Richardson reference is good to ~1e-10 on these well-scaled domains).
//!
//! Domains keep each function away from its singularities, where a finite
//! difference straddling the singularity would be meaningless.

use proptest::prelude::*;
use saddle_check::{check_gradient, strategies::config, Tolerance};
use saddle_tape::{Real, Tape};

macro_rules! unary_checks {
    ($($name:ident in $lo:literal .. $hi:literal => |$x:ident| $body:expr;)*) => {
        $(
            proptest! {
                #![proptest_config(config(48))]
                #[test]
                fn $name(x0 in ($lo..$hi as f64)) {
                    fn f<S: Real>($x: S) -> S { $body }
                    let tape = Tape::new();
                    let x = tape.var(x0);
                    let y = f(x);
                    prop_assert_eq!(y.value().to_bits(), f(x0).to_bits(), "value differs from plain f64");
                    let g = y.backward().wrt(x);
                    let report = check_gradient(|v| f(v[0]), &[x0], &[g], Tolerance::default());
                    prop_assert!(report.passed(), "{}", report);
                }
            }
        )*
    };
}

unary_checks! {
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
    powf_const_exponent in 0.1..3.0 => |x| x.powf(S::cst(2.5));
    powf_const_base in -2.0..2.0 => |x| S::cst(1.7).powf(x);
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
    fract_away_from_jumps in 0.1..0.9 => |x| (x + 2.0).fract();
    neg in -3.0..3.0 => |x| -x;
    hypot_with_const in -3.0..3.0 => |x| x.hypot(S::cst(0.7));
    atan2_y in -3.0..3.0 => |x| x.atan2(S::cst(0.7));
    atan2_x in -3.0..3.0 => |x| S::cst(0.7).atan2(x);
    log_base in 0.1..5.0 => |x| x.log(S::cst(3.0));
    mul_add in -3.0..3.0 => |x| x.mul_add(x, S::cst(2.0));
    sin_cos in -3.0..3.0 => |x| { let (s, c) = x.sin_cos(); s * c };
}

/// The activations, which are not part of `Float`, checked on `Var` and
/// against their own `f64` rule values.
mod activations {
    use super::*;
    use saddle_tape::{rules, Var};

    proptest! {
        #![proptest_config(config(48))]
        #[test]
        fn relu_sigmoid_softplus(x0 in -6.0..6.0_f64) {
            prop_assume!(x0.abs() > 1e-2); // relu's kink
            type Case = (for<'t> fn(Var<'t, f64>) -> Var<'t, f64>, fn(f64) -> (f64, f64));
            let cases: [Case; 3] = [
                (|x| x.relu(), rules::relu),
                (|x| x.sigmoid(), rules::sigmoid),
                (|x| x.softplus(), rules::softplus),
            ];
            for (on_tape, rule) in cases {
                let tape = Tape::new();
                let x = tape.var(x0);
                let y = on_tape(x);
                prop_assert_eq!(y.value(), rule(x0).0);
                let g = y.backward().wrt(x);
                let report = check_gradient(|v| rule(v[0]).0, &[x0], &[g], Tolerance::default());
                prop_assert!(report.passed(), "{}", report);
            }
        }
    }
}
