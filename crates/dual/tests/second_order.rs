//! Second derivatives, each checked by an independent route:
//!
//! - HVP against central differences of the tape's gradient (saddle-check,
//!   default tolerance 1e-6: the Richardson reference is good to ~1e-10);
//! - HVP against the Hessian's columns, Hessian symmetry, and the dot test
//!   `uᵀ(Hv) = vᵀ(Hu)` (all exact up to rounding: 1e-12);
//! - the Hessian against num-dual's hyper-dual numbers, an independent
//!   implementation used only here as an oracle (1e-12);
//! - lanes, threads and sparsity change how the work is grouped, not the
//!   arithmetic of each column: results agree to 1e-14.

use num_dual::{DualNum, HyperDual64};
use proptest::prelude::*;
use saddle_check::expr::{expr, Binary, Expr, Unary};
use saddle_check::{check_hvp, check_symmetry, dot_test, strategies, Report, Tolerance};
use saddle_dual::{gradient, hessian, hessian_with, hvp, sparse_hessian, HessianOptions};

const N: usize = 4;
const EXACT: Tolerance = Tolerance {
    abs: 1e-12,
    rel: 1e-12,
};
const SAME_ARITHMETIC: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-14,
};

/// The same expression on num-dual's hyper-dual numbers.
fn eval_hyper(e: &Expr, x: &[HyperDual64]) -> HyperDual64 {
    let c = HyperDual64::from_re;
    match e {
        Expr::Input(i) => x[*i],
        Expr::Const(v) => c(*v),
        Expr::Unary(u, a) => {
            let a = eval_hyper(a, x);
            match u {
                Unary::Sin => a.sin(),
                Unary::Cos => a.cos(),
                Unary::Tanh => a.tanh(),
                Unary::Atan => a.atan(),
                Unary::Sigmoid => (c(1.0) + (-a).exp()).recip(),
                Unary::SoftplusOfSin => a.sin().exp().ln_1p(),
                Unary::ExpOfSin => a.sin().exp(),
                Unary::SqrtOnePlusSquare => (a * a + c(1.0)).sqrt(),
                Unary::TanhSquared => a.tanh().powi(2) * c(2.0),
                Unary::Neg => -a,
            }
        }
        Expr::Binary(b, l, r) => {
            let (l, r) = (eval_hyper(l, x), eval_hyper(r, x));
            match b {
                Binary::Add => l + r,
                Binary::Sub => l - r,
                Binary::MulTanh => l.tanh() * r,
                Binary::DivOnePlusSquare => l / (r * r + c(1.0)),
                Binary::Hypot => (l * l + (r + c(0.5)) * (r + c(0.5))).sqrt(),
            }
        }
    }
}

/// The Hessian by num-dual: `Hᵢⱼ` is the `ε₁ε₂` part of `f(x + ε₁eᵢ + ε₂eⱼ)`.
fn oracle_hessian(e: &Expr, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let xs: Vec<HyperDual64> = (0..n)
                .map(|k| {
                    let (e1, e2) = (
                        if k == i { 1.0 } else { 0.0 },
                        if k == j { 1.0 } else { 0.0 },
                    );
                    HyperDual64::new(x[k], e1, e2, 0.0)
                })
                .collect();
            h[i * n + j] = eval_hyper(e, &xs).eps1eps2;
        }
    }
    h
}

fn tape_gradient(e: &Expr, x: &[f64]) -> Vec<f64> {
    gradient(|v| e.eval(v), x).unwrap().gradient
}

fn check(r: Report) -> Result<(), TestCaseError> {
    prop_assert!(r.passed(), "{}", r);
    Ok(())
}

proptest! {
    #![proptest_config(strategies::config(128))]

    #[test]
    fn hvp_matches_differences_of_the_gradient(e in expr(N, 5), x in strategies::well_scaled(N), v in strategies::direction(N)) {
        let r = hvp(|y| e.eval(y), &x, &v).unwrap();
        prop_assert_eq!(r.value.to_bits(), e.eval(&x).to_bits());
        check(Report::compare("gradient", &r.gradient, &tape_gradient(&e, &x), EXACT))?;
        check(check_hvp(|y| tape_gradient(&e, y), &x, &v, &r.hv, Tolerance::default()))?;
    }

    #[test]
    fn hessian_is_symmetric_and_consistent_with_hvps(e in expr(N, 5), x in strategies::well_scaled(N), u in strategies::direction(N), v in strategies::direction(N)) {
        let h = hessian(|y| e.eval(y), &x).unwrap();
        let rows = h.to_row_major();
        check(check_symmetry(&rows, N, EXACT))?;
        prop_assert!(h.relative_asymmetry() <= 1e-12);
        let apply = |w: &[f64]| hvp(|y| e.eval(y), &x, w).unwrap().hv;
        check(dot_test(apply, apply, &u, &v, EXACT))?;
        let hv: Vec<f64> = (0..N).map(|i| (0..N).map(|j| rows[i * N + j] * v[j]).sum()).collect();
        check(Report::compare("H·v vs hvp", &hv, &apply(&v), EXACT))?;
        for j in 0..N {
            let mut ej = vec![0.0; N];
            ej[j] = 1.0;
            check(Report::compare("column vs hvp", h.column(j), &apply(&ej), SAME_ARITHMETIC))?;
        }
    }

    #[test]
    fn hessian_matches_num_dual(e in expr(N, 5), x in strategies::well_scaled(N)) {
        let h = hessian(|y| e.eval(y), &x).unwrap();
        check(Report::compare("hessian vs num-dual", &h.to_row_major(), &oracle_hessian(&e, &x), EXACT))?;
    }

    #[test]
    fn lanes_threads_and_sparsity_do_not_change_the_result(e in expr(N, 4), x in strategies::well_scaled(N)) {
        let f8 = hessian(|y| e.eval(y), &x).unwrap().to_row_major();
        let one = HessianOptions { threads: 1 };
        let two = HessianOptions { threads: 2 };
        let f1 = hessian_with::<1, _>(|y| e.eval(y), &x, one).unwrap().to_row_major();
        let f3 = hessian_with::<3, _>(|y| e.eval(y), &x, two).unwrap().to_row_major();
        let sparse = sparse_hessian(|y| e.eval(y), &x).unwrap().to_dense_row_major();
        check(Report::compare("1 lane vs 8", &f1, &f8, SAME_ARITHMETIC))?;
        check(Report::compare("3 lanes, 2 threads vs 8", &f3, &f8, SAME_ARITHMETIC))?;
        check(Report::compare("sparse vs dense", &sparse, &f8, SAME_ARITHMETIC))?;
    }
}

/// Threads and lanes on a bigger problem, where every code path (pool,
/// several sweeps per thread, a partial last sweep) is taken.
#[test]
fn threaded_hessian_equals_single_threaded() {
    fn f<S: saddle_tape::Real>(x: &[S]) -> S {
        let s: S = x.iter().map(|v| v.sin()).sum();
        x.windows(3)
            .map(|w| w[0] * w[1].tanh() + w[2].cos() * s)
            .sum()
    }
    let x: Vec<f64> = (0..37).map(|i| (0.3 * i as f64).cos()).collect();
    let serial = hessian_with::<4, _>(|y| f(y), &x, HessianOptions { threads: 1 }).unwrap();
    for threads in [0, 2, 3] {
        let parallel = hessian_with::<4, _>(|y| f(y), &x, HessianOptions { threads }).unwrap();
        assert_eq!(serial, parallel, "threads = {threads}");
    }
    let eight = hessian(|y| f(y), &x).unwrap();
    let r = Report::compare(
        "4 vs 8 lanes",
        eight.as_column_major(),
        serial.as_column_major(),
        SAME_ARITHMETIC,
    );
    assert!(r.passed(), "{r}");
}

/// The progress callback sees every column exactly once, whatever the
/// threading, and does not change the result.
#[test]
fn progress_reports_every_column_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    fn f<S: saddle_tape::Real>(x: &[S]) -> S {
        x.iter().map(|v| v.sin() * *v).sum::<S>() * x[0]
    }
    let x: Vec<f64> = (0..29).map(|i| 0.1 * i as f64).collect();
    for threads in [1, 2] {
        let seen = AtomicUsize::new(0);
        let calls = AtomicUsize::new(0);
        let report = |cols: usize| {
            seen.fetch_add(cols, Ordering::Relaxed);
            calls.fetch_add(1, Ordering::Relaxed);
        };
        let h = saddle_dual::hessian_with_progress::<8, _>(
            |y| f(y),
            &x,
            HessianOptions { threads },
            &report,
        )
        .unwrap();
        assert_eq!(seen.load(Ordering::Relaxed), 29);
        assert_eq!(calls.load(Ordering::Relaxed), 4); // ⌈29/8⌉ sweeps
        assert_eq!(
            h,
            hessian_with::<8, _>(|y| f(y), &x, HessianOptions { threads: 1 }).unwrap()
        );
    }
}
