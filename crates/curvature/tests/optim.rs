//! Second-order optimizers on problems with known answers.

use saddle_curvature::{
    damped_newton, newton, newton_cg, saddle_free_newton, Function, Objective, Options, Smooth,
    Stop,
};
use saddle_tape::Real;

struct Rosenbrock;
impl Function for Rosenbrock {
    fn eval<S: Real>(&self, x: &[S]) -> S {
        x.windows(2)
            .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (S::one() - w[0]).powi(2))
            .sum()
    }
}

/// `x² − y² + y⁴/4`: a saddle at the origin, minima at `(0, ±√2)`.
struct SaddleWithMinima;
impl Function for SaddleWithMinima {
    fn eval<S: Real>(&self, p: &[S]) -> S {
        p[0] * p[0] - p[1] * p[1] + p[1].powi(4) * 0.25
    }
}

fn distance_to_ones(x: &[f64]) -> f64 {
    x.iter().map(|a| (a - 1.0).powi(2)).sum::<f64>().sqrt()
}

/// From the classic start (−1.2, 1), damped Newton reaches the minimum in
/// 21 iterations (measured) and its last steps converge quadratically. Near
/// the minimum `f ≈ ½ eᵀHe`, so quadratic convergence of the error,
/// `eₖ₊₁ ≤ C eₖ²`, shows as `fₖ₊₁ ≤ C' fₖ²`: measured `C' ≈ 14` for the
/// last step (f: 7.2e-7 → 7.3e-12); we require `C' ≤ 100`, which linear
/// convergence at any useful rate cannot meet.
#[test]
fn damped_newton_converges_quadratically_on_rosenbrock() {
    let out = damped_newton(&Smooth(Rosenbrock), &[-1.2, 1.0], &Options::default(), 1e-3).unwrap();
    assert_eq!(out.stop, Stop::GradientSmall);
    assert!(out.history.len() <= 25, "{} iterations", out.history.len());
    assert!(distance_to_ones(&out.x) < 1e-9, "{:?}", out.x);
    let f: Vec<f64> = out.history.iter().map(|it| it.value).collect();
    let (prev, last) = (f[f.len() - 2], f[f.len() - 1]);
    assert!(
        last <= 100.0 * prev * prev,
        "f went {prev:e} → {last:e}: not quadratic"
    );
    assert!(prev < 1e-5 && last < 1e-10);
    // The damping vanished with the gradient: the last step was Newton's.
    assert!(out.history.last().unwrap().parameter < 1e-5);
}

#[test]
fn newton_cg_minimises_a_ten_dimensional_rosenbrock_with_hvps_only() {
    let x0: Vec<f64> = (0..10).map(|i| 0.8 * (0.7 * i as f64).cos()).collect();
    let opts = Options {
        max_iter: 200,
        ..Options::default()
    };
    let out = newton_cg(&Smooth(Rosenbrock), &x0, &opts, 50).unwrap();
    assert_eq!(out.stop, Stop::GradientSmall, "{:?}", out.stop);
    assert!(distance_to_ones(&out.x) < 1e-8);
    assert!(out.history.iter().all(|it| it.hvps >= 1));
}

#[test]
fn newton_is_drawn_to_the_saddle_and_saddle_free_newton_leaves_it() {
    let start = [0.5, 0.05];
    let plain = newton(&Smooth(SaddleWithMinima), &start, &Options::default()).unwrap();
    assert_eq!(plain.stop, Stop::GradientSmall);
    assert!(
        plain.x.iter().all(|a| a.abs() < 1e-8),
        "Newton went to {:?}",
        plain.x
    );

    let sfn =
        saddle_free_newton(&Smooth(SaddleWithMinima), &start, &Options::default(), 1e-6).unwrap();
    assert_eq!(sfn.stop, Stop::GradientSmall);
    assert!(
        sfn.x[0].abs() < 1e-8 && (sfn.x[1] - 2f64.sqrt()).abs() < 1e-8,
        "SFN went to {:?}",
        sfn.x
    );
    assert!((sfn.value + 1.0).abs() < 1e-12); // f(0, √2) = −2 + 1
}

#[test]
fn bad_settings_are_errors() {
    let f = Smooth(Rosenbrock);
    assert!(damped_newton(&f, &[0.0, 0.0], &Options::default(), -1.0).is_err());
    assert!(newton_cg(&f, &[0.0, 0.0], &Options::default(), 0).is_err());
    assert!(saddle_free_newton(&f, &[0.0, 0.0], &Options::default(), 0.0).is_err());
    let e = newton(
        &f,
        &[0.0, 0.0],
        &Options {
            max_iter: 0,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("max_iter ≥ 1"), "{e}");
    assert!(newton(&f, &[], &Options::default()).is_err());
    assert!(newton(&f, &[f64::NAN, 0.0], &Options::default())
        .unwrap_err()
        .to_string()
        .contains("x0[0] is NaN"));
}

#[test]
fn iteration_limits_are_reported() {
    let out = damped_newton(
        &Smooth(Rosenbrock),
        &[-1.2, 1.0],
        &Options {
            max_iter: 3,
            ..Options::default()
        },
        1e-3,
    )
    .unwrap();
    assert_eq!((out.stop, out.history.len()), (Stop::MaxIterations, 3));
}

/// The truncated CG and Armijo search `newton_cg` ran inline before it
/// used the crate's `conjugate_gradient` recurrence, copied verbatim: the
/// next iterate from `x`.
fn inline_newton_cg_step(obj: &impl Objective, x: &[f64], cg_max: usize) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let saddle_dual::Gradient {
        value: f,
        gradient: g,
    } = obj.value_gradient(x).unwrap();
    let gn = dot(&g, &g).sqrt();
    let tol = gn.sqrt().min(0.5) * gn;
    let mut p = vec![0.0; x.len()];
    let mut r: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut d = r.clone();
    let mut rr = dot(&r, &r);
    let mut hvps = 0;
    for _ in 0..cg_max {
        let hd = obj.hvp(x, &d).unwrap();
        hvps += 1;
        let curvature = dot(&d, &hd);
        if curvature <= 1e-12 * dot(&d, &d) {
            if hvps == 1 {
                p = d.clone();
            }
            break;
        }
        let alpha = rr / curvature;
        p.iter_mut().zip(&d).for_each(|(a, b)| *a += alpha * b);
        r.iter_mut().zip(&hd).for_each(|(a, b)| *a -= alpha * b);
        let rr_new = dot(&r, &r);
        if rr_new.sqrt() <= tol {
            break;
        }
        let beta = rr_new / rr;
        rr = rr_new;
        d.iter_mut().zip(&r).for_each(|(a, b)| *a = b + beta * *a);
    }
    let slope = dot(&g, &p);
    assert!(slope < 0.0);
    let mut t = 1.0;
    loop {
        let trial: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + t * b).collect();
        if obj.value(&trial).unwrap() <= f + 1e-4 * t * slope {
            return trial;
        }
        t *= 0.5;
    }
}

/// `newton_cg` now runs `conjugate_gradient`'s recurrence: its iterates
/// are bit for bit those of the inline CG it replaced, on Rosenbrock
/// (positive curvature), and on `x² − y² + y⁴/4` where CG meets negative
/// curvature after one step (from (0.5, 0.05)) and at once (from
/// (0.01, 0.5), where the step is steepest descent).
#[test]
fn newton_cg_takes_the_steps_of_the_inline_cg_it_replaced() {
    fn check(obj: &impl Objective, x0: &[f64], steps: usize, cg_max: usize) {
        let mut x = x0.to_vec();
        for k in 1..=steps {
            let opts = Options {
                max_iter: k,
                gradient_tol: 0.0,
                step_tol: 0.0,
            };
            let out = newton_cg(obj, x0, &opts, cg_max).unwrap();
            let want = inline_newton_cg_step(obj, &x, cg_max);
            assert_eq!(out.x, want, "iterate {k} from {x0:?}");
            x = want;
        }
    }
    let x0: Vec<f64> = (0..10).map(|i| 0.8 * (0.7 * i as f64).cos()).collect();
    check(&Smooth(Rosenbrock), &x0, 6, 50);
    check(&Smooth(Rosenbrock), &x0, 3, 2); // truncated at cg_max
    check(&Smooth(SaddleWithMinima), &[0.5, 0.05], 3, 10);
    check(&Smooth(SaddleWithMinima), &[0.01, 0.5], 3, 10);
}
