//! Third order by nesting: a tape of `Dual<Dual<f64>>` seeded
//! `x + ε₂ w + ε₁ (v + 0 ε₂)` sweeps to adjoints whose `ε₁ε₂` part is
//! `∂³f[v, w, ·]` — the derivative along `w` of `H v`. Checked against
//! central differences of the HVP (default tolerance).

use proptest::prelude::*;
use saddle_check::expr::expr;
use saddle_check::{check_jvp, strategies, Tolerance};
use saddle_dual::{hvp, Dual};
use saddle_tape::Tape;

const N: usize = 3;

proptest! {
    #![proptest_config(strategies::config(64))]

    #[test]
    fn third_directional_derivative_matches_differences_of_hvps(
        e in expr(N, 4),
        x in strategies::well_scaled(N),
        v in strategies::direction(N),
        w in strategies::direction(N),
    ) {
        let tape = Tape::<Dual<Dual<f64>>>::new();
        let seeded: Vec<_> = (0..N)
            .map(|i| Dual::new(Dual::new(x[i], [w[i]]), [Dual::new(v[i], [0.0])]))
            .collect();
        let xs = tape.vars(&seeded);
        let g = e.eval(&xs).backward();
        let third: Vec<f64> = xs.iter().map(|xi| g.wrt(*xi).eps[0].eps[0]).collect();
        let hv_at = |y: &[f64]| hvp(|z| e.eval(z), y, &v).unwrap().hv;
        let r = check_jvp(hv_at, &x, &w, &third, Tolerance::default());
        prop_assert!(r.passed(), "{}\n{:?}", r, e);
        // The other parts are the lower orders.
        let h = hvp(|z| e.eval(z), &x, &v).unwrap();
        for (i, xi) in xs.iter().enumerate() {
            let a = g.wrt(*xi);
            prop_assert!((a.re.re - h.gradient[i]).abs() <= 1e-13 * h.gradient[i].abs().max(1.0));
            prop_assert!((a.eps[0].re - h.hv[i]).abs() <= 1e-13 * h.hv[i].abs().max(1.0));
        }
    }
}
