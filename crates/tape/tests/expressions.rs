//! Random expression trees mixing operators and functions: the tape's
//! gradient against central finite differences (default tolerance), and the
//! recorded value bit-identical to plain `f64`.

use proptest::prelude::*;
use saddle_check::{check_gradient, expr::expr, strategies, Tolerance};
use saddle_tape::Tape;

const INPUTS: usize = 3;

proptest! {
    #![proptest_config(strategies::config(256))]

    #[test]
    fn expression_gradient_matches_finite_differences(e in expr(INPUTS, 5), x0 in strategies::well_scaled(INPUTS)) {
        let tape = Tape::new();
        let x = tape.vars(&x0);
        let y = e.eval(&x);
        prop_assert_eq!(y.value().to_bits(), e.eval(&x0).to_bits());
        let g = y.backward().wrt_all(&x);
        let report = check_gradient(|v| e.eval(v), &x0, &g, Tolerance::default());
        prop_assert!(report.passed(), "{}\n{:?}", report, e);
    }
}
