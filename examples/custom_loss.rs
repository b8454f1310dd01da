//! # Your own loss, differentiated twice and checked
//!
//! This shows you how to write a loss once, generically over `S: Real`, and
//! get from saddle: its value on plain `f64`, its gradient (reverse mode),
//! Hessian-vector products (forward-over-reverse) and the full Hessian —
//! then check all of them against finite differences in a proptest run with
//! saddle-check, as you would in your own test suite.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example custom_loss
//! ```
//!
//! The loss is log-cosh regression (see `examples/common/log_cosh.rs`).

#[path = "common/log_cosh.rs"]
mod log_cosh;

use log_cosh::{log_cosh_loss, sample_data};
use proptest::test_runner::TestRunner;
use saddle::curvature::{damped_newton, Function, Options, Smooth};
use saddle::dual::{gradient, hessian, hvp, Gradient};
use saddle::Real;
use saddle_check::{
    check_gradient, check_hessian, check_hvp, check_symmetry, strategies, Tolerance,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = sample_data();
    let theta = [0.5, 0.5, 0.0];

    // 1. Plain f64: no AD at all.
    println!(
        "log-cosh loss of a linear model on {} samples (3 outliers)",
        data.y.len()
    );
    println!(
        "  L(θ) at θ = {theta:?}: {:.10}",
        log_cosh_loss(&theta, &data)
    );

    // 2. Derivatives: the same function handed to each driver.
    let Gradient { value, gradient: g } = gradient(|t| log_cosh_loss(t, &data), &theta)?;
    let r = hvp(|t| log_cosh_loss(t, &data), &theta, &[1.0, 0.0, 0.0])?;
    let h = hessian(|t| log_cosh_loss(t, &data), &theta)?;
    println!("  value {value:.10}, gradient {g:.6?}");
    println!("  H e₁ (one HVP)       {:.6?}", r.hv);
    println!(
        "  first Hessian column {:.6?}  (asymmetry {:.1e})",
        h.column(0),
        h.asymmetry()
    );

    // 3. Minimise it with Newton's method: Hessians make this quick.
    struct LogCosh<'a>(&'a log_cosh::Data);
    impl Function for LogCosh<'_> {
        fn eval<S: Real>(&self, x: &[S]) -> S {
            log_cosh_loss(x, self.0)
        }
    }
    let fit = damped_newton(&Smooth(LogCosh(&data)), &theta, &Options::default(), 1e-3)?;
    println!(
        "  Newton: {} steps to θ = {:.4?} (true 2, −1, 0.5; the outliers barely pull), ‖∇L‖ = {:.1e}\n",
        fit.history.len(),
        fit.x,
        fit.grad_norm
    );

    // 4. A proptest run, as in a test suite: random θ, random directions.
    println!("Checking against finite differences at 64 random points (saddle-check):");
    // No failure file for a one-off run outside a test suite.
    let config = proptest::test_runner::Config {
        failure_persistence: None,
        ..strategies::config(64)
    };
    let mut runner = TestRunner::new(config);
    let strategy = (strategies::well_scaled(3), strategies::direction(3));
    let worst = std::cell::Cell::new([0.0_f64; 4]);
    let result = runner.run(&strategy, |(t, v)| {
        let f = |x: &[f64]| log_cosh_loss(x, &data);
        let grad = |x: &[f64]| gradient(|p| log_cosh_loss(p, &data), x).unwrap().gradient;
        let tol = Tolerance::default();
        let r = hvp(|p| log_cosh_loss(p, &data), &t, &v).unwrap();
        let h = hessian(|p| log_cosh_loss(p, &data), &t).unwrap();
        let reports = [
            check_gradient(f, &t, &r.gradient, tol),
            check_hvp(grad, &t, &v, &r.hv, tol),
            check_hessian(grad, &t, &h.to_row_major(), tol),
            check_symmetry(&h.to_row_major(), 3, Tolerance::new(1e-14, 1e-14)),
        ];
        let mut w = worst.get();
        for (w, report) in w.iter_mut().zip(&reports) {
            *w = w.max(report.ratio());
            proptest::prop_assert!(report.passed(), "{}", report);
        }
        worst.set(w);
        Ok(())
    });
    for (name, w) in ["gradient", "HVP", "Hessian", "symmetry"]
        .iter()
        .zip(worst.get())
    {
        println!("  {name:<9} worst error / allowed = {w:.2e}");
    }
    match result {
        Ok(()) => println!("All 64 cases passed (tolerance: saddle-check's default, 1e-6)."),
        Err(e) => return Err(format!("a derivative check failed: {e}").into()),
    }
    Ok(())
}
