//! # Curvature pays: Newton's method against gradient descent
//!
//! This shows you what optimising with the Hessian (docs/theory.md §10) buys.
//! On Rosenbrock's banana valley, gradient descent (docs/theory.md §3,
//! `θ ← θ − η∇f`) must take tiny steps because the valley's walls are steep
//! (large `λmax`) while its floor is nearly flat (small `λmin`); a Newton
//! step `H⁻¹∇f` rescales every direction by its own curvature.
//!
//! Run it with (`--out DIR` chooses the output folder, default
//! `target/saddle-examples/newton_vs_gradient_descent`):
//!
//! ```text
//! cargo run --release --example newton_vs_gradient_descent
//! cargo run --release --example newton_vs_gradient_descent -- --out figures
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{figures, output_dir};
use saddle::curvature::{
    classify, damped_newton, newton_cg, saddle_free_newton, Eigen, Function, Objective, Options,
    Outcome, Smooth, Tolerances, GRADIENT_TOL,
};
use saddle::dual::Gradient;
use saddle::Real;

struct Rosenbrock;
impl Function for Rosenbrock {
    fn eval<S: Real>(&self, p: &[S]) -> S {
        (S::one() - p[0]).powi(2) + (p[1] - p[0] * p[0]).powi(2) * 100.0
    }
}

fn curve(out: &Outcome) -> Vec<(f64, f64)> {
    out.history
        .iter()
        .map(|it| it.value)
        .chain([out.value])
        .enumerate()
        .map(|(i, v)| (i as f64, v.max(1e-30)))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = output_dir("newton_vs_gradient_descent");
    let f = Smooth(Rosenbrock);
    let x0 = [-1.2, 1.0];
    let e = Eigen::of(&f.hessian(&[1.0, 1.0])?)?;
    println!(
        "f(x, y) = (1 − x)² + 100 (y − x²)², from (−1.2, 1). At the minimum (1, 1) the Hessian has"
    );
    println!(
        "eigenvalues {:.4} and {:.1}: condition number {:.0}.\n",
        e.min(),
        e.max(),
        e.condition_number()
    );

    // Gradient descent with the largest stable constant step for this
    // valley (η ≈ 1/λmax near the path), 20 000 steps.
    let eta = 1.0e-3;
    let mut x = x0.to_vec();
    let mut gd = Vec::new();
    for step in 0..20_000 {
        let Gradient {
            value: v,
            gradient: g,
        } = f.value_gradient(&x)?;
        gd.push((step as f64, v.max(1e-30)));
        x.iter_mut().zip(&g).for_each(|(a, b)| *a -= eta * b);
    }
    let Gradient {
        value: gd_value,
        gradient: gd_grad,
    } = f.value_gradient(&x)?;
    println!(
        "gradient descent, η = {eta}: after 20000 steps f = {gd_value:.3e}, ‖∇f‖ = {:.3e}",
        norm(&gd_grad)
    );

    let opts = Options {
        gradient_tol: 1e-10,
        max_iter: 200,
        ..Options::default()
    };
    let runs = [
        (
            "damped Newton (Levenberg–Marquardt)",
            damped_newton(&f, &x0, &opts, 1e-3)?,
        ),
        ("Newton-CG (HVPs only)", newton_cg(&f, &x0, &opts, 10)?),
        (
            "saddle-free Newton",
            saddle_free_newton(&f, &x0, &opts, 1e-6)?,
        ),
    ];
    for (name, r) in &runs {
        println!(
            "{name}: {} steps, f = {:.3e}, ‖∇f‖ = {:.3e}, stopped: {:?}",
            r.history.len(),
            r.value,
            r.grad_norm,
            r.stop
        );
    }
    let best = &runs[0].1;
    let g = f.value_gradient(&best.x)?.gradient;
    let verdict = classify(
        &g,
        &Eigen::of(&f.hessian(&best.x)?)?,
        &Tolerances::default(),
        GRADIENT_TOL,
    )?;
    println!(
        "\nDamped Newton ended at ({:.12}, {:.12}), {verdict}",
        best.x[0], best.x[1]
    );

    let mut series = vec![("gradient descent, η = 0.001", gd)];
    for (name, r) in &runs {
        series.push((name, curve(r)));
    }
    // Newton's curves end within tens of steps: show the first 200 steps of all.
    for s in &mut series {
        s.1.retain(|p| p.0 <= 200.0);
    }
    let path = out_dir.join("newton_vs_gd.svg");
    figures::convergence(&path, "Rosenbrock: objective per iteration", &series)?;
    println!("Plot (first 200 iterations, log scale): {}", path.display());
    Ok(())
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}
