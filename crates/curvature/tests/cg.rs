//! Conjugate gradients (`conjugate_gradient`) and the damped Newton-type
//! step on a curvature operator (`damped_step`).
//!
//! Tolerances: a CG solution with relative residual `ρ` is within `κ ρ`
//! (relative) of the exact solution, `κ` the condition number; the tests
//! solve to `ρ = 1e-13` and allow `κ · 1e-12` (a factor 10 for the
//! rounding of the dense reference). Exact-arithmetic facts (CG ends in
//! as many iterations as `A` has distinct eigenvalues) are checked with
//! matrices whose products are exact in floating point.

mod common;

use common::raw;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_check::strategies;
use saddle_curvature::{
    conjugate_gradient, damped_step, CgOptions, CgStop, Eigen, Error as CurvatureError,
};
use saddle_dual::{FnOperator, Hessian, HessianOptions, LinearOperator};
use saddle_nn::{Activation, Activations, Dataset, GaussNewtonOperator, Init, Matrix, Mlp, Mse};

fn err_contains<T: std::fmt::Debug>(r: Result<T, CurvatureError>, needles: &[&str]) {
    let e = r.expect_err("expected an error");
    for n in needles {
        assert!(e.to_string().contains(n), "error {e} does not name {n:?}");
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    norm(&d) / norm(b)
}

/// `A Aᵀ/n + 0.1 I` for `A` uniform in [−1, 1] (seeded): SPD, κ ≈ 40.
fn spd(n: usize, seed: u64) -> Hessian {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<f64> = (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let data = (0..n * n)
        .map(|idx| {
            let (i, j) = (idx % n, idx / n);
            (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>() / n as f64
                + if i == j { 0.1 } else { 0.0 }
        })
        .collect();
    Hessian::from_column_major(n, data).unwrap()
}

fn dense_apply(a: &Hessian, v: &[f64]) -> Vec<f64> {
    let n = a.n();
    (0..n)
        .map(|i| (0..n).map(|j| a.get(i, j) * v[j]).sum())
        .collect()
}

fn operator(
    a: &Hessian,
) -> FnOperator<impl Fn(&[f64]) -> Result<Vec<f64>, saddle_dual::Error> + '_> {
    FnOperator::new(a.n(), move |v: &[f64]| Ok(dense_apply(a, v)))
}

/// Gaussian elimination with partial pivoting: the dense reference solve,
/// sharing nothing with CG.
fn gauss_solve(n: usize, a: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(row, bi)| row.iter().copied().chain([*bi]).collect())
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))
            .unwrap();
        m.swap(c, p);
        let (top, below) = m.split_at_mut(c + 1);
        let pivot = &top[c];
        for row in below {
            let f = row[c] / pivot[c];
            row[c..]
                .iter_mut()
                .zip(&pivot[c..])
                .for_each(|(a, b)| *a -= f * b);
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| m[r][k] * x[k]).sum();
        x[r] = (m[r][n] - s) / m[r][r];
    }
    x
}

#[test]
fn conjugate_gradient_matches_a_dense_solve() {
    for seed in 0..3 {
        let a = spd(40, seed);
        let b: Vec<f64> = (0..40).map(|i| (0.3 * i as f64).sin() + 0.1).collect();
        let options = CgOptions {
            tolerance: 1e-13,
            ..CgOptions::default()
        };
        let sol = conjugate_gradient(&operator(&a), &b, &options).unwrap();
        assert_eq!(sol.stop, CgStop::Converged);
        assert_eq!(sol.products, sol.iterations);
        assert_eq!(sol.residual_norms.len(), sol.iterations + 1);
        assert_eq!(sol.residual_norms[0], norm(&b));
        assert!(*sol.residual_norms.last().unwrap() <= 1e-13 * norm(&b));
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| (0..40).map(|j| a.get(i, j)).collect())
            .collect();
        let want = gauss_solve(40, &rows, &b);
        let e = Eigen::of(&a).unwrap();
        let kappa = e.max() / e.min();
        let err = rel_err(&sol.x, &want);
        assert!(
            err <= kappa * 1e-12,
            "seed {seed}: error {err:e}, κ = {kappa}"
        );
    }
}

#[test]
fn conjugate_gradient_ends_after_as_many_iterations_as_distinct_eigenvalues() {
    // A = diag(1, 1, 2, 2, 4, 4): three distinct eigenvalues, so the
    // Krylov space of b has dimension 3 and CG is exact after 3 steps
    // (dyadic numbers: the arithmetic is nearly exact, the residual ~ε).
    let d = [1.0, 1.0, 2.0, 2.0, 4.0, 4.0];
    let a = FnOperator::new(6, |v: &[f64]| {
        Ok::<_, saddle_dual::Error>(v.iter().zip(&d).map(|(x, di)| x * di).collect())
    });
    let b = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let sol = conjugate_gradient(&a, &b, &CgOptions::default()).unwrap();
    assert_eq!((sol.stop.clone(), sol.iterations), (CgStop::Converged, 3));
    for i in 0..6 {
        assert!((sol.x[i] - b[i] / d[i]).abs() <= 1e-14, "{:?}", sol.x);
    }
}

#[test]
fn conjugate_gradient_stops_at_max_iter_and_on_zero_b() {
    let a = spd(30, 4);
    let b = vec![1.0; 30];
    let options = CgOptions {
        max_iter: 3,
        ..CgOptions::default()
    };
    let sol = conjugate_gradient(&operator(&a), &b, &options).unwrap();
    assert_eq!(sol.stop, CgStop::MaxIterations);
    assert_eq!((sol.iterations, sol.products), (3, 3));
    assert_eq!(sol.residual_norms.len(), 4);
    // The recorded residual is the true one, b − A x.
    let r: Vec<f64> = dense_apply(&a, &sol.x)
        .iter()
        .zip(&b)
        .map(|(ax, bi)| bi - ax)
        .collect();
    assert!((norm(&r) - sol.residual_norms[3]).abs() <= 1e-12 * norm(&b));
    // b = 0: x = 0 exactly, no product spent.
    let sol = conjugate_gradient(&operator(&a), &[0.0; 30], &options).unwrap();
    assert_eq!((sol.stop, sol.products), (CgStop::Converged, 0));
    assert_eq!(sol.x, vec![0.0; 30]);
}

#[test]
fn conjugate_gradient_refuses_bad_input_with_named_errors() {
    let ok = |v: &[f64]| Ok::<_, String>(v.to_vec());
    let o = CgOptions::default();
    err_contains(
        conjugate_gradient(&raw(3, ok), &[1.0; 2], &o),
        &["b has 2 entries, expected 3"],
    );
    err_contains(
        conjugate_gradient(&raw(3, ok), &[1.0, f64::NAN, 0.0], &o),
        &["b[1] is NaN"],
    );
    err_contains(conjugate_gradient(&raw(0, ok), &[], &o), &["dimension 0"]);
    for bad in [
        CgOptions { max_iter: 0, ..o },
        CgOptions {
            tolerance: -1.0,
            ..o
        },
        CgOptions {
            tolerance: f64::NAN,
            ..o
        },
        CgOptions {
            curvature_tol: f64::INFINITY,
            ..o
        },
    ] {
        err_contains(
            conjugate_gradient(&raw(3, ok), &[1.0; 3], &bad),
            &["bad CG options"],
        );
    }
    err_contains(
        conjugate_gradient(
            &raw(3, |_: &[f64]| Err::<Vec<f64>, _>("no product")),
            &[1.0; 3],
            &o,
        ),
        &["the operator failed at CG iteration 0: no product"],
    );
    err_contains(
        conjugate_gradient(
            &raw(3, |_: &[f64]| Ok::<_, String>(vec![1.0])),
            &[1.0; 3],
            &o,
        ),
        &["returned 1 entries for 1 vector(s) of 3 at CG iteration 0"],
    );
    // A product that turns NaN at the second call: named with its iteration.
    let mut calls = 0;
    let nan_later = move |v: &[f64]| {
        calls += 1;
        let mut av: Vec<f64> = v
            .iter()
            .enumerate()
            .map(|(i, x)| (i + 1) as f64 * x)
            .collect();
        if calls == 2 {
            av[2] = f64::NAN;
        }
        Ok::<_, String>(av)
    };
    err_contains(
        conjugate_gradient(&raw(3, nan_later), &[1.0; 3], &o),
        &["(Av)[2] = NaN at CG iteration 1"],
    );
    // Finite products whose dᵀAd overflows are an error, not NaN iterates.
    let huge = |v: &[f64]| Ok::<_, String>(v.iter().map(|x| x * f64::MAX).collect());
    err_contains(
        conjugate_gradient(&raw(3, huge), &[1.0; 3], &o),
        &["CG iteration 0", "overflows"],
    );
}

/// A linear model `ŷ = W x + c` (an `Mlp` with no hidden layer) and 23
/// samples: its outputs are linear in the parameters, so the Jacobian is
/// exact column by column, `J eₚ = ŷ(θ = eₚ)`.
fn linear_model() -> (Mlp, Dataset) {
    let n = 23;
    let x = (0..n * 3).map(|k| (0.61 * k as f64 + 0.2).sin()).collect();
    let y = (0..n * 2).map(|k| (0.9 * k as f64).cos()).collect();
    let data = Dataset::new(Matrix::new(n, 3, x).unwrap(), Matrix::new(n, 2, y).unwrap()).unwrap();
    let net = Mlp::new(
        &[3, 2],
        Activations::hidden_output(Activation::Identity, Activation::Identity),
        Init::Xavier,
        1,
    )
    .unwrap();
    (net, data)
}

#[test]
fn damped_step_with_the_ggn_equals_the_dense_gauss_newton_step() {
    let (net, data) = linear_model();
    let n = net.num_params();
    let outputs = |theta: &[f64]| {
        let mut m = net.clone();
        m.set_params(theta).unwrap();
        m.forward(data.inputs()).unwrap().as_slice().to_vec()
    };
    // J (rows: the N·2 outputs; columns: parameters), formed explicitly.
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|p| outputs(&(0..n).map(|q| (p == q) as u8 as f64).collect::<Vec<_>>()))
        .collect();
    let rows = columns[0].len();
    // MSE = mean over the N·2 entries of (ŷ − y)²: ∇ = (2/(N·2)) Jᵀr and
    // the Gauss-Newton matrix is (2/(N·2)) JᵀJ.
    let c = 2.0 / rows as f64;
    let r: Vec<f64> = outputs(net.params())
        .iter()
        .zip(data.targets().as_slice())
        .map(|(a, y)| a - y)
        .collect();
    let g: Vec<f64> = columns.iter().map(|j| c * dot(j, &r)).collect();
    let tape_g = net.loss_and_gradient_with(&data, &Mse).unwrap().gradient;
    assert!(
        rel_err(&tape_g, &g) <= 1e-13,
        "the tape's gradient is (2/(2N)) Jᵀr"
    );
    let lambda = 1e-3;
    let a: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| c * dot(&columns[i], &columns[j]) + if i == j { lambda } else { 0.0 })
                .collect()
        })
        .collect();
    let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
    let want = gauss_solve(n, &a, &minus_g);

    let ggn = GaussNewtonOperator::new(&net, &data, &Mse, 7, HessianOptions::default()).unwrap();
    let options = CgOptions {
        tolerance: 1e-13,
        ..CgOptions::default()
    };
    let step = damped_step(&ggn, &g, lambda, &options).unwrap();
    assert_eq!(step.cg.stop, CgStop::Converged);
    assert_eq!(step.step, step.cg.x);
    let dense = ggn.to_dense().unwrap();
    let e = Eigen::of(&dense).unwrap();
    let kappa = (e.max() + lambda) / (e.min() + lambda);
    let err = rel_err(&step.step, &want);
    assert!(err <= kappa * 1e-12, "error {err:e}, κ = {kappa}");
}

#[test]
fn damped_steps_with_the_ggn_decrease_the_loss_of_a_network() {
    let (_, data) = linear_model();
    let mut net = Mlp::new(
        &[3, 5, 2],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        3,
    )
    .unwrap();
    let options = CgOptions {
        tolerance: 1e-8,
        ..CgOptions::default()
    };
    let mut losses = vec![net.loss(&data).unwrap()];
    for _ in 0..5 {
        let g = net.loss_and_gradient_with(&data, &Mse).unwrap().gradient;
        let ggn =
            GaussNewtonOperator::new(&net, &data, &Mse, 7, HessianOptions::default()).unwrap();
        let step = damped_step(&ggn, &g, 1e-2, &options).unwrap();
        // G + λI is positive definite: CG converges and the step descends.
        assert_eq!(step.cg.stop, CgStop::Converged);
        assert!(dot(&g, &step.step) < 0.0);
        let next: Vec<f64> = net
            .params()
            .iter()
            .zip(&step.step)
            .map(|(a, b)| a + b)
            .collect();
        net.set_params(&next).unwrap();
        losses.push(net.loss(&data).unwrap());
    }
    for w in losses.windows(2) {
        assert!(w[1] < w[0], "the loss rose: {losses:?}");
    }
    assert!(
        losses[5] < 0.5 * losses[0],
        "too little progress: {losses:?}"
    );
}

#[test]
fn damped_step_falls_back_to_steepest_descent_on_negative_curvature() {
    // C = diag(−1, 2), g = (1, 0): d₀ = −g has curvature −1 < 0 at once.
    let c = FnOperator::new(2, |v: &[f64]| {
        Ok::<_, saddle_dual::Error>(vec![-v[0], 2.0 * v[1]])
    });
    let step = damped_step(&c, &[1.0, 0.0], 0.0, &CgOptions::default()).unwrap();
    assert_eq!(step.step, vec![-1.0, 0.0]);
    assert!(
        matches!(step.cg.stop, CgStop::NegativeCurvature { curvature, .. } if curvature == -1.0)
    );
    // Damping λ = 2 makes C + λI = diag(1, 4) positive definite: the
    // Newton step −(C + λI)⁻¹ g = (−1, 0) exactly.
    let step = damped_step(&c, &[1.0, 0.0], 2.0, &CgOptions::default()).unwrap();
    assert_eq!(step.cg.stop, CgStop::Converged);
    assert_eq!(step.step, vec![-1.0, 0.0]);
    let step = damped_step(&c, &[0.0, 1.0], 2.0, &CgOptions::default()).unwrap();
    assert_eq!(step.step, vec![0.0, -0.25]);
}

#[test]
fn damped_step_refuses_bad_input_with_named_errors() {
    let c = FnOperator::new(2, |v: &[f64]| Ok::<_, saddle_dual::Error>(v.to_vec()));
    let o = CgOptions::default();
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        err_contains(
            damped_step(&c, &[1.0, 0.0], bad, &o),
            &[&format!("damping must be finite and ≥ 0, got {bad}")],
        );
    }
    err_contains(
        damped_step(&c, &[1.0], 0.1, &o),
        &["gradient has 1 entries, expected 2"],
    );
    err_contains(
        damped_step(&c, &[1.0, f64::INFINITY], 0.1, &o),
        &["gradient[1] is inf"],
    );
    assert_eq!(c.dim(), 2);
}

proptest! {
    #![proptest_config(strategies::config(64))]

    /// For random SPD `A = M Mᵀ/n + ½ I` (κ ≤ 2n + 1 since ‖M Mᵀ‖ ≤ n²)
    /// and random `b`, CG's solution matches Gaussian elimination to
    /// `κ · 1e-12` (solved to relative residual 1e-13), and `damped_step`
    /// with `C = A`, `g = −b`, `λ = 0` is the same solve.
    #[test]
    fn conjugate_gradient_matches_elimination_on_random_spd_systems(
        (n, m, b) in (1usize..12).prop_flat_map(|n| {
            (Just(n), strategies::vector(n * n, -1.0, 1.0), strategies::vector(n, -1.0, 1.0))
        })
    ) {
        prop_assume!(norm(&b) > 1e-3);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum::<f64>() / n as f64
                            + if i == j { 0.5 } else { 0.0 }
                    })
                    .collect()
            })
            .collect();
        let a = FnOperator::new(n, |v: &[f64]| {
            Ok::<_, saddle_dual::Error>(rows.iter().map(|r| dot(r, v)).collect())
        });
        let options = CgOptions { tolerance: 1e-13, ..CgOptions::default() };
        let sol = conjugate_gradient(&a, &b, &options).unwrap();
        prop_assert_eq!(&sol.stop, &CgStop::Converged);
        let want = gauss_solve(n, &rows, &b);
        let kappa = 2.0 * n as f64 + 1.0;
        prop_assert!(rel_err(&sol.x, &want) <= kappa * 1e-12, "error {:e}", rel_err(&sol.x, &want));
        let minus_b: Vec<f64> = b.iter().map(|v| -v).collect();
        let step = damped_step(&a, &minus_b, 0.0, &options).unwrap();
        prop_assert_eq!(step.step, sol.x);
    }
}
