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

saddle_check::elementary_cases!(unary_checks);

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
