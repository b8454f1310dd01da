//! Critical points classified from AD Hessians, including the degenerate
//! cases the three-way test of the quadratic form misses.

use saddle_curvature::{
    classify, CriticalPoint, Definiteness, Eigen, Function, Inertia, Objective, Smooth, Tolerances,
    GRADIENT_TOL,
};
use saddle_tape::Real;

fn verdict(f: &impl Objective, x: &[f64]) -> saddle_curvature::Classification {
    let g = f.value_gradient(x).unwrap().gradient;
    classify(
        &g,
        &Eigen::of(&f.hessian(x).unwrap()).unwrap(),
        &Tolerances::default(),
        GRADIENT_TOL,
    )
    .unwrap()
}

macro_rules! function {
    ($name:ident, |$p:ident| $body:expr) => {
        struct $name;
        impl Function for $name {
            fn eval<S: Real>(&self, $p: &[S]) -> S {
                $body
            }
        }
    };
}

function!(SaddleXY, |p| p[0] * p[0] - p[1] * p[1]);
function!(Monkey, |p| p[0].powi(3) - p[0] * p[1] * p[1] * 3.0);
function!(Quartic, |p| p[0].powi(4) + p[1].powi(4));
function!(Bowl, |p| p[0] * p[0] + p[1] * p[1] * 2.0);
function!(Cap, |p| -(p[0] * p[0]) - p[1] * p[1] * 0.5);
function!(Valley, |p| p[0] * p[0]);
function!(Rosenbrock, |p| (S::one() - p[0]).powi(2)
    + (p[1] - p[0] * p[0]).powi(2) * 100.0);

#[test]
fn the_seeds_three_cases() {
    let c = verdict(&Smooth(Bowl), &[0.0, 0.0]);
    assert_eq!(
        (c.kind, c.definiteness),
        (CriticalPoint::Minimum, Definiteness::PositiveDefinite)
    );
    let c = verdict(&Smooth(Cap), &[0.0, 0.0]);
    assert_eq!(
        (c.kind, c.definiteness),
        (CriticalPoint::Maximum, Definiteness::NegativeDefinite)
    );
    let c = verdict(&Smooth(SaddleXY), &[0.0, 0.0]);
    assert_eq!(
        (c.kind, c.definiteness),
        (CriticalPoint::Saddle, Definiteness::Indefinite)
    );
    assert_eq!(
        c.inertia,
        Inertia {
            negative: 1,
            zero: 0,
            positive: 1
        }
    );
    assert_eq!((c.min_eigenvalue, c.max_eigenvalue), (-2.0, 2.0));
}

#[test]
fn degenerate_points_are_reported_as_inconclusive() {
    // x⁴ + y⁴ is a minimum and x³ − 3xy² a monkey saddle, but both Hessians
    // vanish at the origin: no second-order test can tell them apart.
    for f in [&Smooth(Quartic) as &dyn ObjectiveDyn, &Smooth(Monkey)] {
        let c = f.verdict(&[0.0, 0.0]);
        assert_eq!(c.kind, CriticalPoint::Degenerate);
        assert_eq!(c.definiteness, Definiteness::Zero);
        assert_eq!(
            c.inertia,
            Inertia {
                negative: 0,
                zero: 2,
                positive: 0
            }
        );
    }
    // x² in the plane: a valley of minima, semidefinite.
    let c = verdict(&Smooth(Valley), &[0.0, 3.0]);
    assert_eq!(
        (c.kind, c.definiteness),
        (
            CriticalPoint::Degenerate,
            Definiteness::PositiveSemidefinite
        )
    );
    assert!(c.condition_number.is_infinite());
    assert!(c.to_string().contains("inconclusive"), "{c}");
}

#[test]
fn rosenbrocks_minimum_is_positive_definite() {
    let c = verdict(&Smooth(Rosenbrock), &[1.0, 1.0]);
    assert_eq!(c.kind, CriticalPoint::Minimum);
    assert_eq!(c.gradient_norm, 0.0);
    // H = [[802, −400], [−400, 200]]: λ = 501 ± √250601.
    let (lo, hi) = (501.0 - 250601f64.sqrt(), 501.0 + 250601f64.sqrt());
    assert!((c.min_eigenvalue - lo).abs() < 1e-10 && (c.max_eigenvalue - hi).abs() < 1e-10);
    assert!((c.condition_number - hi / lo).abs() < 1e-6 * hi / lo);
}

#[test]
fn a_point_with_a_large_gradient_is_not_critical() {
    let c = verdict(&Smooth(Rosenbrock), &[0.0, 0.0]);
    assert_eq!(c.kind, CriticalPoint::NotCritical);
    assert!((c.gradient_norm - 2.0).abs() < 1e-14);
}

#[test]
fn the_tolerances_decide_what_counts_as_zero() {
    // Eigenvalues 1 and 1e-10: zero under the default (1e-8 relative),
    // positive under a stricter threshold.
    let h = saddle_dual::Hessian::from_column_major(2, vec![1.0, 0.0, 0.0, 1e-10]).unwrap();
    let e = Eigen::of(&h).unwrap();
    assert_eq!(
        classify(&[0.0, 0.0], &e, &Tolerances::default(), GRADIENT_TOL)
            .unwrap()
            .kind,
        CriticalPoint::Degenerate
    );
    let strict = Tolerances {
        eigen_rel: 1e-12,
        eigen_abs: 0.0,
    };
    assert_eq!(
        classify(&[0.0, 0.0], &e, &strict, GRADIENT_TOL)
            .unwrap()
            .kind,
        CriticalPoint::Minimum
    );
}

/// Object-safe helper so the degenerate cases can share one loop.
trait ObjectiveDyn {
    fn verdict(&self, x: &[f64]) -> saddle_curvature::Classification;
}

impl<F: Function> ObjectiveDyn for Smooth<F> {
    fn verdict(&self, x: &[f64]) -> saddle_curvature::Classification {
        verdict(self, x)
    }
}

/// The critical-point threshold is classify's own argument, apart from the
/// eigenvalue tolerances: it decides "critical" and nothing else.
#[test]
fn gradient_tol_decides_criticality_and_nothing_else() {
    let h = saddle_dual::Hessian::from_column_major(2, vec![2.0, 0.0, 0.0, -3.0]).unwrap();
    let e = Eigen::of(&h).unwrap();
    let tol = Tolerances::default();
    let g = [3e-4, 4e-4]; // ‖g‖₂ = 5e-4: above 1e-6, below 1e-3
    let loose = classify(&g, &e, &tol, 1e-3).unwrap();
    let strict = classify(&g, &e, &tol, GRADIENT_TOL).unwrap();
    assert_eq!(loose.kind, CriticalPoint::Saddle);
    assert_eq!(strict.kind, CriticalPoint::NotCritical);
    // Everything spectral is the same under both thresholds.
    assert_eq!(loose.inertia, strict.inertia);
    assert_eq!(loose.zero_threshold, strict.zero_threshold);
    assert_eq!(loose.definiteness, Definiteness::Indefinite);
    // +∞ classifies the Hessian alone.
    let any = classify(&[1e300, 1e300], &e, &tol, f64::INFINITY).unwrap();
    assert_eq!(any.kind, CriticalPoint::Saddle);
}

/// `Tolerances::zero_threshold` is `eigen_abs + eigen_rel · max|λ|`, the
/// number `classify` reports and `inertia` counts with.
#[test]
fn zero_threshold_is_the_documented_formula() {
    let tol = Tolerances::new(1e-3, 1e-2).unwrap();
    let values = [-5.0, 0.04, 2.0];
    // 1e-3 + 1e-2 · 5 = 0.051: the middle eigenvalue (0.04) is "zero".
    let t = tol.zero_threshold(&values).unwrap();
    assert_eq!(t, 1e-3 + 1e-2 * 5.0);
    let c = saddle_curvature::classify_values(&[0.0; 3], &values, &tol, GRADIENT_TOL).unwrap();
    assert_eq!(c.zero_threshold, t);
    assert_eq!(
        saddle_curvature::inertia_of_values(&values, &tol).unwrap(),
        Inertia {
            negative: 1,
            zero: 1,
            positive: 1
        }
    );
    assert!(tol.zero_threshold(&[]).is_err());
    assert!(tol.zero_threshold(&[1.0, f64::NAN]).is_err());
}
