//! The custom-loss example's loss, checked the way a user's suite would:
//! gradient, HVP and Hessian against finite differences (saddle-check
//! defaults, 1e-6), and symmetry to rounding (1e-14).

#[path = "../examples/common/log_cosh.rs"]
#[allow(dead_code)]
mod log_cosh;

use log_cosh::{log_cosh_loss, sample_data};
use proptest::prelude::*;
use saddle::dual::{gradient, hessian, hvp, Gradient};
use saddle_check::{
    check_gradient, check_hessian, check_hvp, check_symmetry, strategies, Tolerance,
};

proptest! {
    #![proptest_config(strategies::config(64))]

    #[test]
    fn log_cosh_derivatives_match_finite_differences(t in strategies::well_scaled(3), v in strategies::direction(3)) {
        let data = sample_data();
        let f = |x: &[f64]| log_cosh_loss(x, &data);
        let grad = |x: &[f64]| gradient(|p| log_cosh_loss(p, &data), x).unwrap().gradient;
        let r = hvp(|p| log_cosh_loss(p, &data), &t, &v).unwrap();
        let h = hessian(|p| log_cosh_loss(p, &data), &t).unwrap().to_row_major();
        for report in [
            check_gradient(f, &t, &r.gradient, Tolerance::default()),
            check_hvp(grad, &t, &v, &r.hv, Tolerance::default()),
            check_hessian(grad, &t, &h, Tolerance::default()),
            check_symmetry(&h, 3, Tolerance::new(1e-14, 1e-14)),
        ] {
            prop_assert!(report.passed(), "{}", report);
        }
    }
}

#[test]
fn log_cosh_does_not_overflow_for_huge_residuals() {
    let data = sample_data();
    let far = [1e6, 0.0, 0.0];
    let Gradient { value, gradient: g } = gradient(|p| log_cosh_loss(p, &data), &far).unwrap();
    assert!(value.is_finite() && g.iter().all(|v| v.is_finite()));
}
