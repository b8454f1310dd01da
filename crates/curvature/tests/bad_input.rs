//! The bad-input sweep of saddle-curvature: every public entry point called
//! with empty, mismatched, non-finite and absurdly large inputs (lengths,
//! tolerances, settings) must return an `Err` whose message names the
//! problem, never panic and never hand back NaN.
//!
//! Each case runs under `catch_unwind`, so one panic does not hide the
//! others: the failure lists every case that panicked or answered wrongly.
//!
//! Panics that remain by design (programmer errors with a documented,
//! checked alternative):
//! - `Eigen::vector(i)` with `i ≥ n` (use `Eigen::try_vector`);
//! - `saddle_dual::Hessian::get` / `column` out of range (see saddle-dual);
//! - a panic inside the user's own `Objective`, `Function` or HVP closure
//!   propagates unchanged.
//!
//! Not guarded: memory that grows step by step with a legitimate but huge
//! request (a Lanczos basis of `steps × n` numbers, `probes` HVPs that take
//! forever) — each single allocation that can be refused up front is.

use std::panic::{catch_unwind, AssertUnwindSafe};

mod common;
use common::raw;

use saddle_curvature::{
    classify, conjugate_gradient, damped_newton, damped_step, extreme_eigenpairs, hutchinson_trace,
    inertia, lanczos, newton, newton_cg, quadratic_form, saddle_free_newton, spectral_density,
    CgOptions, DensityOptions, Eigen, Error, Function, Objective, Options, Smooth, SpectralDensity,
    Tolerances, GRADIENT_TOL,
};
use saddle_dual::{Gradient, Hessian};
use saddle_tape::Real;

type Case = (String, Box<dyn Fn() -> Result<(), String>>);

/// `Ok` if `r` is an `Err` whose message contains every needle.
fn expect_err<T: std::fmt::Debug>(r: Result<T, Error>, needles: &[&str]) -> Result<(), String> {
    match r {
        Ok(v) => Err(format!("returned Ok({v:?})")),
        Err(e) => {
            let msg = e.to_string();
            match needles.iter().find(|n| !msg.contains(*n)) {
                Some(n) => Err(format!("error {msg:?} does not name {n:?}")),
                None => Ok(()),
            }
        }
    }
}

fn case(name: impl Into<String>, check: impl Fn() -> Result<(), String> + 'static) -> Case {
    (name.into(), Box::new(check))
}

/// Runs every case, catching panics, and fails listing all that went wrong.
fn run(cases: Vec<Case>) {
    let mut panicked = Vec::new();
    let mut wrong = Vec::new();
    for (name, check) in &cases {
        match catch_unwind(AssertUnwindSafe(check)) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => wrong.push(format!("{name}: {why}")),
            Err(_) => panicked.push(name.as_str()),
        }
    }
    assert!(
        panicked.is_empty() && wrong.is_empty(),
        "{} of {} cases failed.\npanicked: {panicked:?}\nwrong answer:\n  {}",
        panicked.len() + wrong.len(),
        cases.len(),
        wrong.join("\n  ")
    );
}

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

fn h2() -> Hessian {
    Hessian::from_column_major(2, vec![2.0, 1.0, 1.0, 3.0]).unwrap()
}

fn e2() -> Eigen {
    Eigen::of(&h2()).unwrap()
}

/// `H v` for `H = diag(1, 2, …)`.
fn diag_hvp(v: &[f64]) -> Result<Vec<f64>, String> {
    Ok(v.iter()
        .enumerate()
        .map(|(i, a)| (i + 1) as f64 * a)
        .collect())
}

/// An HVP that answers `value` in every entry.
fn constant_hvp(value: f64) -> impl FnMut(&[f64]) -> Result<Vec<f64>, String> {
    move |v: &[f64]| Ok(vec![value; v.len()])
}

fn short_hvp(_: &[f64]) -> Result<Vec<f64>, String> {
    Ok(vec![1.0])
}

fn density(steps: usize, probes: usize, sigma: f64, points: usize) -> DensityOptions {
    DensityOptions {
        steps,
        probes,
        sigma,
        points,
        seed: 1,
    }
}

struct Bowl;
impl Function for Bowl {
    fn eval<S: Real>(&self, x: &[S]) -> S {
        x.iter().map(|v| *v * *v).sum()
    }
}

/// An objective whose derivatives come back with the wrong sizes or
/// non-finite: gradient of length `grad_len`, Hessian `hess_n × hess_n`
/// filled with `hess_value`, HVPs of length `hvp_len` filled with
/// `hvp_value`.
#[derive(Clone, Copy)]
struct Broken {
    grad_len: usize,
    hess_n: usize,
    hess_value: f64,
    hvp_len: usize,
    hvp_value: f64,
}

const HONEST: Broken = Broken {
    grad_len: 2,
    hess_n: 2,
    hess_value: 1.0,
    hvp_len: 2,
    hvp_value: 1.0,
};

impl Objective for Broken {
    fn value_gradient(&self, _x: &[f64]) -> Result<Gradient, Error> {
        Ok(Gradient {
            value: 1.0,
            gradient: vec![1.0; self.grad_len],
        })
    }
    fn hvp(&self, _x: &[f64], _v: &[f64]) -> Result<Vec<f64>, Error> {
        Ok(vec![self.hvp_value; self.hvp_len])
    }
    fn hessian(&self, _x: &[f64]) -> Result<Hessian, Error> {
        let n = self.hess_n;
        Ok(Hessian::from_column_major(n, vec![self.hess_value; n * n])?)
    }
}

/// Default `Objective::hessian`, assembled from (possibly broken) HVPs.
struct ByHvp(usize);
impl Objective for ByHvp {
    fn value_gradient(&self, x: &[f64]) -> Result<Gradient, Error> {
        Ok(Gradient {
            value: 0.0,
            gradient: x.to_vec(),
        })
    }
    fn hvp(&self, _x: &[f64], _v: &[f64]) -> Result<Vec<f64>, Error> {
        Ok(vec![0.0; self.0])
    }
}

/// Every optimizer, by name, for the cases they share.
type Optimizer = fn(&Broken, &[f64], &Options) -> Result<saddle_curvature::Outcome, Error>;
const OPTIMIZERS: [(&str, Optimizer); 4] = [
    ("newton", |o, x, p| newton(o, x, p)),
    ("damped_newton", |o, x, p| damped_newton(o, x, p, 1.0)),
    ("newton_cg", |o, x, p| newton_cg(o, x, p, 10)),
    ("saddle_free_newton", |o, x, p| {
        saddle_free_newton(o, x, p, 1e-6)
    }),
];

#[test]
fn every_entry_refuses_bad_input_with_a_named_error() {
    let mut cases: Vec<Case> = vec![
        // Eigen
        case("Eigen::of_symmetric n = 0", || {
            expect_err(Eigen::of_symmetric(0, &[]), &["n = 0"])
        }),
        case("Eigen::of_symmetric n² overflows", || {
            expect_err(
                Eigen::of_symmetric(1 << 32, &[]),
                &["0 entries for n = 4294967296"],
            )
        }),
        case("Eigen::of_symmetric wrong count", || {
            expect_err(Eigen::of_symmetric(2, &[1.0; 3]), &["3 entries for n = 2"])
        }),
        case("Eigen::of_symmetric eigenvalue overflows", || {
            let b = 1.5e308;
            expect_err(Eigen::of_symmetric(2, &[b; 4]), &["exceeds f64::MAX"])
        }),
        case("Eigen::of huge finite entries are fine", || {
            let b = f64::MAX;
            let h = Hessian::from_column_major(2, vec![0.0, b, b, 0.0]).unwrap();
            match Eigen::of(&h) {
                Ok(e) if e.values() == [-b, b] => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }),
        case("Eigen::try_vector out of range is None", || {
            let e = e2();
            match (e.try_vector(2), e.try_vector(usize::MAX), e.try_vector(1)) {
                (None, None, Some(v)) if v.len() == 2 => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }),
        case("Eigen::contributions wrong length", || {
            expect_err(e2().contributions(&[1.0]), &["x has 1 entries, expected 2"])
        }),
        case("Eigen::contributions overflow", || {
            expect_err(e2().contributions(&[1e300, 1e300]), &["overflows"])
        }),
        case("Eigen::quadratic_form wrong length", || {
            expect_err(e2().quadratic_form(&[1.0; 3]), &["x has 3 entries"])
        }),
        case("Eigen::quadratic_form overflow", || {
            expect_err(e2().quadratic_form(&[1e200, -1e200]), &["overflows"])
        }),
        case("Eigen::reconstruction_error wrong size", || {
            let h3 = Hessian::from_column_major(3, vec![0.0; 9]).unwrap();
            expect_err(
                e2().reconstruction_error(&h3),
                &["Hessian is 3×3, the decomposition 2×2"],
            )
        }),
        case("quadratic_form wrong length", || {
            expect_err(quadratic_form(&h2(), &[]), &["x has 0 entries, expected 2"])
        }),
        case("quadratic_form overflow", || {
            expect_err(quadratic_form(&h2(), &[1e200, 1e200]), &["overflows"])
        }),
        // Classification
        case("classify gradient of the wrong length", || {
            expect_err(
                classify(&[0.0; 3], &e2(), &Tolerances::default(), GRADIENT_TOL),
                &["gradient has 3 entries, expected 2"],
            )
        }),
        case("classify empty gradient", || {
            expect_err(
                classify(&[], &e2(), &Tolerances::default(), GRADIENT_TOL),
                &["gradient has 0 entries"],
            )
        }),
        case(
            "Tolerances::new eigen_abs huge is fine, infinite is not",
            || {
                Tolerances::new(1e300, 0.0).map_err(|e| e.to_string())?;
                expect_err(Tolerances::new(f64::INFINITY, 0.0), &["eigen_abs is inf"])
            },
        ),
        case("classify gradient_tol = +inf is allowed", || {
            let t = Tolerances::new(0.0, 1e-8).map_err(|e| e.to_string())?;
            classify(&[1e300, 1e300], &e2(), &t, f64::INFINITY)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        // Krylov
        case("lanczos n = 0", || {
            expect_err(lanczos(&raw(0, diag_hvp), 5, 0), &["n = 0"])
        }),
        case("lanczos steps = 0", || {
            expect_err(lanczos(&raw(3, diag_hvp), 0, 0), &["steps = 0"])
        }),
        case("lanczos n = usize::MAX", || {
            expect_err(
                lanczos(&raw(usize::MAX, diag_hvp), 5, 0),
                &["cannot be allocated"],
            )
        }),
        // 2⁴⁵ numbers are 256 TB, beyond x86-64's 128 TB user address
        // space: refused whatever the kernel's overcommit policy.
        case("lanczos n = 2⁴⁵ (256 TB)", || {
            expect_err(
                lanczos(&raw(1 << 45, diag_hvp), 5, 0),
                &["cannot be allocated"],
            )
        }),
        case("lanczos steps = usize::MAX is capped by n", || {
            lanczos(&raw(4, diag_hvp), usize::MAX, 0)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        case("lanczos short HVP", || {
            expect_err(
                lanczos(&raw(3, short_hvp), 3, 0),
                &["returned 1 entries for 1 vector(s) of 3 at Lanczos step 0"],
            )
        }),
        case("lanczos HVP error", || {
            expect_err(
                lanczos(&raw(3, |_: &[f64]| Err::<Vec<f64>, _>("no")), 3, 0),
                &["failed at Lanczos step 0: no"],
            )
        }),
        case("lanczos α overflows", || {
            expect_err(
                lanczos(&raw(4, constant_hvp(f64::MAX)), 3, 0),
                &["overflow"],
            )
        }),
        case("extreme_eigenpairs k = 0", || {
            expect_err(
                extreme_eigenpairs(&raw(3, diag_hvp), 0, 3, 0),
                &["k must be at least 1"],
            )
        }),
        case("extreme_eigenpairs k = usize::MAX is capped", || {
            extreme_eigenpairs(&raw(3, diag_hvp), usize::MAX, 3, 0)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        case("hutchinson_trace n = 0", || {
            expect_err(hutchinson_trace(&raw(0, diag_hvp), 5, 0), &["got 0 and 5"])
        }),
        case("hutchinson_trace one probe", || {
            expect_err(hutchinson_trace(&raw(3, diag_hvp), 1, 0), &["probes ≥ 2"])
        }),
        case("hutchinson_trace n = usize::MAX", || {
            expect_err(
                hutchinson_trace(&raw(usize::MAX, diag_hvp), 2, 0),
                &["cannot be allocated"],
            )
        }),
        case("hutchinson_trace probes = usize::MAX, failing HVP", || {
            expect_err(
                hutchinson_trace(&raw(3, short_hvp), usize::MAX, 0),
                &[
                    "at Hutchinson probes 0–7",
                    "apply returned 1 numbers, expected 3",
                ],
            )
        }),
        case("spectral_density n = 0", || {
            expect_err(
                spectral_density(&raw(0, diag_hvp), &density(3, 2, 0.1, 10)),
                &["n = 0"],
            )
        }),
        case("spectral_density steps = 0", || {
            expect_err(
                spectral_density(&raw(3, diag_hvp), &density(0, 2, 0.1, 10)),
                &["steps: 0"],
            )
        }),
        case("spectral_density probes = 0", || {
            expect_err(
                spectral_density(&raw(3, diag_hvp), &density(3, 0, 0.1, 10)),
                &["probes: 0"],
            )
        }),
        case("spectral_density points = 1", || {
            expect_err(
                spectral_density(&raw(3, diag_hvp), &density(3, 2, 0.1, 1)),
                &["points: 1"],
            )
        }),
        case("spectral_density points = usize::MAX", || {
            expect_err(
                spectral_density(&raw(3, diag_hvp), &density(3, 2, 0.1, usize::MAX)),
                &["cannot be allocated"],
            )
        }),
        case("spectral_density short HVP", || {
            expect_err(
                spectral_density(&raw(3, short_hvp), &density(3, 2, 0.1, 10)),
                &["Lanczos step 0 of probes [0, 1]"],
            )
        }),
        case("conjugate_gradient b of the wrong length", || {
            expect_err(
                conjugate_gradient(&raw(3, diag_hvp), &[1.0; 4], &CgOptions::default()),
                &["b has 4 entries, expected 3"],
            )
        }),
        case("conjugate_gradient max_iter = 0", || {
            let o = CgOptions {
                max_iter: 0,
                ..CgOptions::default()
            };
            expect_err(
                conjugate_gradient(&raw(3, diag_hvp), &[1.0; 3], &o),
                &["max_iter: 0"],
            )
        }),
        case("conjugate_gradient short product", || {
            expect_err(
                conjugate_gradient(&raw(3, short_hvp), &[1.0; 3], &CgOptions::default()),
                &["1 entries for 1 vector(s) of 3 at CG iteration 0"],
            )
        }),
        case("damped_step gradient of the wrong length", || {
            expect_err(
                damped_step(&raw(3, diag_hvp), &[1.0; 2], 0.1, &CgOptions::default()),
                &["gradient has 2 entries, expected 3"],
            )
        }),
        case("damped_step negative damping", || {
            expect_err(
                damped_step(&raw(3, diag_hvp), &[1.0; 3], -0.1, &CgOptions::default()),
                &["damping must be finite and ≥ 0, got -0.1"],
            )
        }),
        case("SpectralDensity::from_eigenvalues empty", || {
            expect_err(
                SpectralDensity::from_eigenvalues(&[], 1.0, 10),
                &["no eigenvalues"],
            )
        }),
        case("SpectralDensity::from_eigenvalues points = 0", || {
            expect_err(
                SpectralDensity::from_eigenvalues(&[1.0], 1.0, 0),
                &["points = 0"],
            )
        }),
        case(
            "SpectralDensity::from_eigenvalues points = usize::MAX",
            || {
                expect_err(
                    SpectralDensity::from_eigenvalues(&[1.0], 1.0, usize::MAX),
                    &["cannot be allocated"],
                )
            },
        ),
        case(
            "SpectralDensity::from_eigenvalues grid wider than f64",
            || {
                expect_err(
                    SpectralDensity::from_eigenvalues(&[-f64::MAX, f64::MAX], 1.0, 10),
                    &["wider than f64"],
                )
            },
        ),
        // Objectives and optimizers
        case("Smooth::value empty", || {
            expect_err(Smooth(Bowl).value(&[]), &["x is empty"])
        }),
        case("Smooth::value_gradient empty", || {
            expect_err(Smooth(Bowl).value_gradient(&[]), &["x is empty"])
        }),
        case("Smooth::hvp v of the wrong length", || {
            expect_err(
                Smooth(Bowl).hvp(&[1.0, 2.0], &[1.0]),
                &["v has 1 entries, expected 2"],
            )
        }),
        case("Smooth::hessian empty", || {
            expect_err(Smooth(Bowl).hessian(&[]), &["x is empty"])
        }),
        case("Objective::hessian (default) empty x", || {
            expect_err(ByHvp(0).hessian(&[]), &["x is empty"])
        }),
        case("Objective::hessian (default) short HVP", || {
            expect_err(
                ByHvp(1).hessian(&[1.0, 2.0]),
                &["1 entries for column 0, x has 2"],
            )
        }),
        case("damped_newton initial_damping < 0", || {
            expect_err(
                damped_newton(&HONEST, &[1.0, 2.0], &Options::default(), -1.0),
                &["initial_damping", "-1"],
            )
        }),
        case("newton_cg cg_max = 0", || {
            expect_err(
                newton_cg(&HONEST, &[1.0, 2.0], &Options::default(), 0),
                &["cg_max must be at least 1"],
            )
        }),
        case("saddle_free_newton damping = 0", || {
            expect_err(
                saddle_free_newton(&HONEST, &[1.0, 2.0], &Options::default(), 0.0),
                &["damping must be positive", "got 0"],
            )
        }),
    ];
    for bad in NON_FINITE {
        cases.extend([
            case(format!("Eigen::of entry {bad}"), move || {
                let h = Hessian::from_column_major(2, vec![1.0, 0.0, 0.0, bad]).unwrap();
                expect_err(Eigen::of(&h), &[&format!("entry (1, 1) is {bad}")])
            }),
            case(format!("Eigen::of_symmetric entry {bad}"), move || {
                expect_err(
                    Eigen::of_symmetric(2, &[1.0, bad, 0.0, 1.0]),
                    &[&format!("entry (1, 0) is {bad}")],
                )
            }),
            case(format!("Eigen::contributions x = {bad}"), move || {
                expect_err(
                    e2().contributions(&[bad, 0.0]),
                    &[&format!("x[0] is {bad}")],
                )
            }),
            case(format!("Eigen::quadratic_form x = {bad}"), move || {
                expect_err(
                    e2().quadratic_form(&[0.0, bad]),
                    &[&format!("x[1] is {bad}")],
                )
            }),
            case(format!("quadratic_form x = {bad}"), move || {
                expect_err(
                    quadratic_form(&h2(), &[0.0, bad]),
                    &[&format!("x[1] is {bad}")],
                )
            }),
            case(format!("quadratic_form H entry {bad}"), move || {
                let h = Hessian::from_column_major(2, vec![1.0, 0.0, 0.0, bad]).unwrap();
                expect_err(
                    quadratic_form(&h, &[1.0, 1.0]),
                    &["H has non-finite entries"],
                )
            }),
            case(format!("classify gradient {bad}"), move || {
                expect_err(
                    classify(&[0.0, bad], &e2(), &Tolerances::default(), GRADIENT_TOL),
                    &[&format!("gradient[1] is {bad}")],
                )
            }),
            case(format!("Tolerances eigen_abs = {bad}"), move || {
                let t = Tolerances {
                    eigen_abs: bad,
                    ..Tolerances::default()
                };
                expect_err(
                    classify(&[0.0; 2], &e2(), &t, GRADIENT_TOL),
                    &[&format!("eigen_abs is {bad}")],
                )
            }),
            case(format!("Tolerances eigen_rel = {bad}"), move || {
                let t = Tolerances {
                    eigen_rel: bad,
                    ..Tolerances::default()
                };
                expect_err(inertia(&e2(), &t), &[&format!("eigen_rel is {bad}")])
            }),
            case(format!("lanczos HVP {bad}"), move || {
                expect_err(
                    lanczos(&raw(3, constant_hvp(bad)), 3, 0),
                    &[&format!("(Av)[0] = {bad}"), "Lanczos step 0"],
                )
            }),
            case(format!("extreme_eigenpairs HVP {bad}"), move || {
                expect_err(
                    extreme_eigenpairs(&raw(3, constant_hvp(bad)), 1, 3, 0),
                    &[&format!("(Av)[0] = {bad}")],
                )
            }),
            case(format!("hutchinson_trace HVP {bad}"), move || {
                expect_err(
                    hutchinson_trace(&raw(3, constant_hvp(bad)), 4, 0),
                    &[&format!("(Av)[0] = {bad}"), "Hutchinson probe 0"],
                )
            }),
            case(format!("spectral_density HVP {bad}"), move || {
                expect_err(
                    spectral_density(&raw(3, constant_hvp(bad)), &density(3, 2, 0.1, 10)),
                    &[&format!("(Av)[0] = {bad}"), "probe 0"],
                )
            }),
            case(format!("conjugate_gradient product {bad}"), move || {
                expect_err(
                    conjugate_gradient(
                        &raw(3, constant_hvp(bad)),
                        &[1.0; 3],
                        &CgOptions::default(),
                    ),
                    &[&format!("(Av)[0] = {bad} at CG iteration 0")],
                )
            }),
            case(format!("conjugate_gradient b {bad}"), move || {
                expect_err(
                    conjugate_gradient(&raw(3, diag_hvp), &[1.0, bad, 1.0], &CgOptions::default()),
                    &[&format!("b[1] is {bad}")],
                )
            }),
            case(format!("CgOptions tolerance = {bad}"), move || {
                let o = CgOptions {
                    tolerance: bad,
                    ..CgOptions::default()
                };
                expect_err(
                    conjugate_gradient(&raw(3, diag_hvp), &[1.0; 3], &o),
                    &["bad CG options"],
                )
            }),
            case(format!("damped_step damping = {bad}"), move || {
                expect_err(
                    damped_step(&raw(3, diag_hvp), &[1.0; 3], bad, &CgOptions::default()),
                    &[&format!("got {bad}")],
                )
            }),
            case(format!("damped_step gradient {bad}"), move || {
                expect_err(
                    damped_step(
                        &raw(3, diag_hvp),
                        &[bad, 1.0, 1.0],
                        0.1,
                        &CgOptions::default(),
                    ),
                    &[&format!("gradient[0] is {bad}")],
                )
            }),
            case(format!("spectral_density sigma = {bad}"), move || {
                expect_err(
                    spectral_density(&raw(3, diag_hvp), &density(3, 2, bad, 10)),
                    &["sigma"],
                )
            }),
            case(
                format!("SpectralDensity::from_eigenvalues sigma = {bad}"),
                move || {
                    expect_err(
                        SpectralDensity::from_eigenvalues(&[1.0], bad, 10),
                        &[&format!("sigma = {bad}")],
                    )
                },
            ),
            case(
                format!("SpectralDensity::from_eigenvalues value {bad}"),
                move || {
                    expect_err(
                        SpectralDensity::from_eigenvalues(&[1.0, bad], 1.0, 10),
                        &[&format!("eigenvalues[1] is {bad}")],
                    )
                },
            ),
            case(format!("Smooth::value x = {bad}"), move || {
                expect_err(Smooth(Bowl).value(&[bad]), &[&format!("x[0] is {bad}")])
            }),
            case(format!("Smooth::hvp v = {bad}"), move || {
                expect_err(
                    Smooth(Bowl).hvp(&[1.0], &[bad]),
                    &[&format!("v[0] is {bad}")],
                )
            }),
            case(
                format!("damped_newton initial_damping = {bad}"),
                move || {
                    expect_err(
                        damped_newton(&HONEST, &[1.0, 2.0], &Options::default(), bad),
                        &["initial_damping"],
                    )
                },
            ),
            case(format!("saddle_free_newton damping = {bad}"), move || {
                expect_err(
                    saddle_free_newton(&HONEST, &[1.0, 2.0], &Options::default(), bad),
                    &["damping must be positive"],
                )
            }),
        ]);
    }
    for (name, optimize) in OPTIMIZERS {
        let o = Options::default();
        cases.extend([
            case(format!("{name} x0 empty"), move || {
                expect_err(optimize(&HONEST, &[], &o), &["x0 is empty"])
            }),
            case(format!("{name} max_iter = 0"), move || {
                let bad = Options { max_iter: 0, ..o };
                expect_err(optimize(&HONEST, &[1.0, 2.0], &bad), &["max_iter ≥ 1"])
            }),
            case(format!("{name} gradient of the wrong length"), move || {
                let f = Broken {
                    grad_len: 3,
                    ..HONEST
                };
                expect_err(
                    optimize(&f, &[1.0, 2.0], &o),
                    &["gradient has 3 entries at iteration 0, x has 2"],
                )
            }),
        ]);
        for bad in NON_FINITE {
            cases.extend([
                case(format!("{name} x0 = {bad}"), move || {
                    expect_err(
                        optimize(&HONEST, &[1.0, bad], &o),
                        &[&format!("x0[1] is {bad}")],
                    )
                }),
                case(format!("{name} gradient_tol = {bad}"), move || {
                    let opts = Options {
                        gradient_tol: bad,
                        ..o
                    };
                    if bad == f64::INFINITY {
                        // +∞ is a valid (if lax) tolerance: stop at once.
                        return optimize(&HONEST, &[1.0, 2.0], &opts)
                            .map(|_| ())
                            .map_err(|e| e.to_string());
                    }
                    expect_err(optimize(&HONEST, &[1.0, 2.0], &opts), &["gradient_tol"])
                }),
            ]);
        }
    }
    // Wrong sizes and non-finite curvature from the objective itself.
    for (name, optimize) in OPTIMIZERS.into_iter().filter(|(n, _)| *n != "newton_cg") {
        let o = Options::default();
        for hess_n in [1, 3] {
            cases.push(case(
                format!("{name} Hessian {hess_n}×{hess_n} for n = 2"),
                move || {
                    let f = Broken { hess_n, ..HONEST };
                    expect_err(
                        optimize(&f, &[1.0, 2.0], &o),
                        &[&format!("Hessian is {hess_n}×{hess_n} but x has 2 entries")],
                    )
                },
            ));
        }
        for bad in NON_FINITE {
            cases.push(case(format!("{name} Hessian entries {bad}"), move || {
                let f = Broken {
                    hess_value: bad,
                    ..HONEST
                };
                expect_err(
                    optimize(&f, &[1.0, 2.0], &o),
                    &[&format!("Hessian has entry (0, 0) = {bad}")],
                )
            }));
        }
    }
    for hvp_len in [0, 1, 3] {
        cases.push(case(
            format!("newton_cg HVP of length {hvp_len}"),
            move || {
                let f = Broken { hvp_len, ..HONEST };
                expect_err(
                    newton_cg(&f, &[1.0, 2.0], &Options::default(), 10),
                    &[&format!("HVP returned {hvp_len} entries, x has 2")],
                )
            },
        ));
    }
    for bad in NON_FINITE {
        cases.push(case(format!("newton_cg HVP {bad}"), move || {
            let f = Broken {
                hvp_value: bad,
                ..HONEST
            };
            expect_err(
                newton_cg(&f, &[1.0, 2.0], &Options::default(), 10),
                &[&format!("(Hv)[0] = {bad}")],
            )
        }));
    }
    run(cases);
}

#[test]
#[should_panic(expected = "Eigen::vector(2) out of range for n = 2")]
fn eigen_vector_out_of_range_panics_as_documented() {
    let _ = e2().vector(2);
}

/// The harness itself: a panicking case and a wrongly-`Ok` case are both
/// reported, by name, and neither hides the other.
#[test]
fn the_sweep_reports_every_panic_and_wrong_answer() {
    let cases = vec![
        case("panics", || panic!("boom")),
        case("answers Ok", || Err("returned Ok(1.0)".to_string())),
        case("fine", || Ok(())),
    ];
    let report = catch_unwind(AssertUnwindSafe(|| run(cases))).unwrap_err();
    let report = report.downcast_ref::<String>().unwrap();
    assert!(report.contains("2 of 3 cases failed"), "{report}");
    assert!(report.contains("panicked: [\"panics\"]"), "{report}");
    assert!(report.contains("answers Ok: returned Ok(1.0)"), "{report}");
}
