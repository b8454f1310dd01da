//! Real constant blocks (`Tape::constant_block_real`) on dual tapes: stored
//! as `f64`, multiplied in real arithmetic, never swept. Second derivatives
//! through them against exact values, finite differences and the
//! all-`T` route.

use saddle_check::{check_gradient, check_hvp, Report, Tolerance};
use saddle_dual::{gradient, hessian, hessian_with, hvp, sparse_hessian, Dual, HessianOptions};
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

/// A deterministic, non-symmetric `n × n` matrix with entries in `[-1, 1)`
/// (a fixed linear congruential sequence: no RNG state to seed).
fn matrix(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n * n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

/// `xᵀ A x` with `A` a real constant on the right of the first product
/// (`(xᵀ A) x`) or on the left of it (`xᵀ (A x)`).
fn quadratic<'t, T: Scalar>(x: &[Var<'t, T>], a: &[f64], constant_left: bool) -> Var<'t, T> {
    let n = x.len();
    let tape = x[0].tape().expect("x lives on a tape");
    let a = tape.constant_block_real(n, n, a).unwrap();
    let row = tape.stack(1, n, x).unwrap();
    let col = tape.stack(n, 1, x).unwrap();
    let q = if constant_left {
        row.matmul(&a.matmul(&col).unwrap()).unwrap()
    } else {
        row.matmul(&a).unwrap().matmul(&col).unwrap()
    };
    q.sum()
}

/// `A + Aᵀ`, row-major: the Hessian of `xᵀ A x` for every `x`.
fn symmetrized(a: &[f64], n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|ij| a[ij] + a[(ij % n) * n + ij / n])
        .collect()
}

/// Exact, not merely close: the tangent of `x` along `eⱼ` has one nonzero
/// component, so every product in the real kernels is `1·Aᵢⱼ` (exact) or
/// `0·Aᵢₚ` (an exact zero added to it), and the adjoint of `xᵢ` receives
/// `Aᵢⱼ` and `Aⱼᵢ` and adds them once — the same single rounding as the
/// reference `Aᵢⱼ + Aⱼᵢ`.
fn assert_exact(h: &[f64], want: &[f64], what: &str) {
    for (k, (g, w)) in h.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: entry {k}: {g} vs {w}");
    }
}

#[test]
fn constant_block_quadratic_form_hessian_is_exact() {
    let n = 13; // not a multiple of the lanes: the last sweep is partial
    let a = matrix(n, 7);
    let want = symmetrized(&a, n);
    let x: Vec<f64> = (0..n).map(|i| 0.3 * i as f64 - 1.7).collect();
    for left in [false, true] {
        let h = hessian(|x| quadratic(x, &a, left), &x).unwrap();
        assert_exact(&h.to_row_major(), &want, &format!("K = 8, left = {left}"));
        let h = hessian_with::<4, _>(|x| quadratic(x, &a, left), &x, HessianOptions::default())
            .unwrap();
        assert_exact(&h.to_row_major(), &want, &format!("K = 4, left = {left}"));
        let h = hessian_with::<1, _>(|x| quadratic(x, &a, left), &x, HessianOptions::default())
            .unwrap();
        assert_exact(&h.to_row_major(), &want, &format!("K = 1, left = {left}"));
        let s = sparse_hessian(|x| quadratic(x, &a, left), &x).unwrap();
        assert_exact(
            &s.to_dense_row_major(),
            &want,
            &format!("sparse, left = {left}"),
        );
    }
}

/// A small network mixing real constants, `T` constants and variables on
/// both sides of products: `L = Σ (tanh(X W + b) R)² + mean(W ⊙ C)`
/// with `X: 3×2` and `R: 3×2` real constants, `C: 2×3` a `T` constant, and
/// parameters `W: 2×3`, `b: 1×3`.
fn mixed<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = p[0].tape().expect("parameters live on a tape");
    let x = tape
        .constant_block_real(3, 2, &[0.5, -1.0, 0.25, 2.0, -0.75, 0.1])
        .unwrap();
    let r = tape
        .constant_block_real(3, 2, &[1.5, -0.5, 0.3, 0.8, -1.1, 0.2])
        .unwrap();
    let c: Vec<T> = [0.9, -0.4, 0.6, 0.2, 1.3, -0.7]
        .iter()
        .map(|&v| T::from_f64(v))
        .collect();
    let c = tape.constant_block(2, 3, &c).unwrap();
    let w = tape.stack(2, 3, &p[..6]).unwrap();
    let b = tape.stack(1, 3, &p[6..9]).unwrap();
    let h = x.matmul(&w).unwrap().add_row(&b).unwrap().tanh();
    let y = h.matmul(&r).unwrap().square().sum();
    y + w.mul(&c).unwrap().mean()
}

/// The same function with every constant a `T` constant block (the route
/// that existed before real constants).
fn mixed_all_t<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = p[0].tape().expect("parameters live on a tape");
    let t = |v: &[f64]| -> Vec<T> { v.iter().map(|&v| T::from_f64(v)).collect() };
    let x = tape
        .constant_block(3, 2, &t(&[0.5, -1.0, 0.25, 2.0, -0.75, 0.1]))
        .unwrap();
    let r = tape
        .constant_block(3, 2, &t(&[1.5, -0.5, 0.3, 0.8, -1.1, 0.2]))
        .unwrap();
    let c = tape
        .constant_block(2, 3, &t(&[0.9, -0.4, 0.6, 0.2, 1.3, -0.7]))
        .unwrap();
    let w = tape.stack(2, 3, &p[..6]).unwrap();
    let b = tape.stack(1, 3, &p[6..9]).unwrap();
    let h = x.matmul(&w).unwrap().add_row(&b).unwrap().tanh();
    let y = h.matmul(&r).unwrap().square().sum();
    y + w.mul(&c).unwrap().mean()
}

#[test]
fn constant_block_mixed_gradient_and_hvp_match_finite_differences() {
    let p = [0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.05, -0.1, 0.2];
    let v = [1.0, -0.5, 0.25, 0.3, 0.8, -0.6, 0.4, 0.1, -0.9];
    let r0 = gradient(mixed, &p).unwrap();
    let (value, g) = (r0.value, r0.gradient);
    // A plain-f64 evaluation of the same function through a fresh tape.
    let f = |q: &[f64]| gradient(mixed, q).unwrap().value;
    // Central differences with saddle_check's step: truncation and
    // rounding error near 1e-9 on O(1) values; the default tolerance
    // (absolute and relative 1e-6) leaves three orders of margin.
    let r = check_gradient(f, &p, &g, Tolerance::default());
    assert!(r.passed(), "{r}");
    let grad = |q: &[f64]| gradient(mixed, q).unwrap().gradient;
    let hv = hvp(mixed, &p, &v).unwrap().hv;
    let r = check_hvp(grad, &p, &v, &hv, Tolerance::default());
    assert!(r.passed(), "{r}");
    // Against the all-`T` route: the same arithmetic up to summation order
    // inside the kernels (real products vs dual products), so agreement to
    // a few ulps of O(1) values; 1e-14 is ~50 ulps.
    let r_t = gradient(mixed_all_t, &p).unwrap();
    let (value_t, g_t) = (r_t.value, r_t.gradient);
    let r = Report::compare("value", &[value], &[value_t], Tolerance::new(1e-14, 1e-14));
    assert!(r.passed(), "{r}");
    let r = Report::compare("gradient", &g, &g_t, Tolerance::new(1e-14, 1e-14));
    assert!(r.passed(), "{r}");
    let h = hessian(mixed, &p).unwrap().to_row_major();
    let h_t = hessian(mixed_all_t, &p).unwrap().to_row_major();
    let r = Report::compare("hessian", &h, &h_t, Tolerance::new(1e-14, 1e-14));
    assert!(r.passed(), "{r}");
    // The sparsity analysis sees through real constants (they own no slots).
    let s = sparse_hessian(mixed, &p).unwrap().to_dense_row_major();
    let r = Report::compare("sparse vs dense", &s, &h, Tolerance::new(1e-14, 1e-14));
    assert!(r.passed(), "{r}");
}

/// `Dual` real-operand hooks against the converting default (the generic
/// triple loop over `from_f64(r)·b`), with accumulation and a transposed
/// real operand read through strides.
#[test]
fn constant_block_dual_real_gemm_matches_the_converting_loop() {
    fn duals<const K: usize>(v: &[f64]) -> Vec<Dual<f64, K>> {
        v.chunks(K + 1)
            .map(|c| Dual::new(c[0], std::array::from_fn(|k| c[k + 1])))
            .collect()
    }
    fn naive<const K: usize>(
        a: &[Dual<f64, K>],
        b: &[Dual<f64, K>],
        (m, k, n): (usize, usize, usize),
    ) -> Vec<Dual<f64, K>> {
        (0..m * n)
            .map(|ij| {
                (0..k)
                    .map(|p| a[(ij / n) * k + p] * b[p * n + ij % n])
                    .sum()
            })
            .collect()
    }
    let (m, k, n) = (5, 4, 3);
    let r_left = matrix(m, 11)[..m * k].to_vec(); // m×k
    let r_right = matrix(k, 12)[..k * n].to_vec(); // k×n
    let b = duals::<3>(&matrix(k * n, 13)[..k * n * 4]); // k×n
    let a = duals::<3>(&matrix(m * k, 14)[..m * k * 4]); // m×k
    let c0 = duals::<3>(&matrix(m * n, 15)[..m * n * 4]);
    let lift = |v: &[f64]| -> Vec<Dual<f64, 3>> { v.iter().map(|&x| Dual::from_f64(x)).collect() };
    // Exact up to summation order of the same products: 1e-14 on O(1)
    // values (at most k = 4 terms).
    let tol = Tolerance::new(1e-14, 1e-14);
    let flat = |v: &[Dual<f64, 3>]| -> Vec<f64> {
        v.iter()
            .flat_map(|d| std::iter::once(d.re).chain(d.eps))
            .collect()
    };
    for accumulate in [false, true] {
        let mut c = c0.clone();
        Dual::gemm_real_left(
            MatRef::row_major(&r_left, m, k),
            MatRef::row_major(&b, k, n),
            MatMut::row_major(&mut c, m, n),
            accumulate,
        );
        let mut want = naive(&lift(&r_left), &b, (m, k, n));
        if accumulate {
            want = want.iter().zip(&c0).map(|(w, c)| *w + *c).collect();
        }
        let rep = Report::compare("real left", &flat(&c), &flat(&want), tol);
        assert!(rep.passed(), "{rep}");
        // `A · Rᵀ` with `R` stored n×k and read transposed.
        let rt: Vec<f64> = (0..n * k).map(|q| r_right[(q % k) * n + q / k]).collect();
        let mut c = c0.clone();
        Dual::gemm_real_right(
            MatRef::row_major(&a, m, k),
            MatRef::row_major(&rt, n, k).t(),
            MatMut::row_major(&mut c, m, n),
            accumulate,
        );
        let mut want = naive(&a, &lift(&r_right), (m, k, n));
        if accumulate {
            want = want.iter().zip(&c0).map(|(w, c)| *w + *c).collect();
        }
        let rep = Report::compare("real right", &flat(&c), &flat(&want), tol);
        assert!(rep.passed(), "{rep}");
        // `R · B` with `B` read transposed (columns strided: the
        // component-by-component path), and a single row times `R` (the
        // one-call path of the right product).
        let b_t: Vec<_> = (0..n * k).map(|q| b[(q % k) * n + q / k]).collect();
        let mut c = c0.clone();
        Dual::gemm_real_left(
            MatRef::row_major(&r_left, m, k),
            MatRef::row_major(&b_t, n, k).t(),
            MatMut::row_major(&mut c, m, n),
            accumulate,
        );
        let mut want = naive(&lift(&r_left), &b, (m, k, n));
        if accumulate {
            want = want.iter().zip(&c0).map(|(w, c)| *w + *c).collect();
        }
        let rep = Report::compare("real left, strided", &flat(&c), &flat(&want), tol);
        assert!(rep.passed(), "{rep}");
        let mut c = c0[..n].to_vec();
        Dual::gemm_real_right(
            MatRef::row_major(&a[..k], 1, k),
            MatRef::row_major(&r_right, k, n),
            MatMut::row_major(&mut c, 1, n),
            accumulate,
        );
        let mut want = naive(&a[..k], &lift(&r_right), (1, k, n));
        if accumulate {
            want = want.iter().zip(&c0).map(|(w, c)| *w + *c).collect();
        }
        let rep = Report::compare("real right, one row", &flat(&c), &flat(&want), tol);
        assert!(rep.passed(), "{rep}");
    }
}

/// Measurement, not a check: `hessian` of `xᵀ A x` with a constant
/// `n × n` `A` (`SADDLE_CONST_N`, default 300), stored as real constants
/// (`SADDLE_CONST_MODE=real`, the default) or as `T` constants
/// (`SADDLE_CONST_MODE=t`, the route before real constants). Run alone
/// under `/usr/bin/time -v` for peak memory:
/// `cargo test --release -p saddle-dual --test constant_blocks -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; run by hand"]
fn constant_block_quadratic_form_timing() {
    let n: usize = std::env::var("SADDLE_CONST_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let real = std::env::var("SADDLE_CONST_MODE").map_or(true, |m| m != "t");
    let a = matrix(n, 7);
    let x: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let start = std::time::Instant::now();
    let h = if real {
        hessian(|x| quadratic(x, &a, false), &x).unwrap()
    } else {
        hessian(
            |x| {
                let tape = x[0].tape().unwrap();
                let at: Vec<_> = a.iter().map(|&v| Scalar::from_f64(v)).collect();
                let a = tape.constant_block(n, n, &at).unwrap();
                let row = tape.stack(1, n, x).unwrap();
                let col = tape.stack(n, 1, x).unwrap();
                row.matmul(&a).unwrap().matmul(&col).unwrap().sum()
            },
            &x,
        )
        .unwrap()
    };
    let secs = start.elapsed().as_secs_f64();
    let want = symmetrized(&a, n);
    assert_exact(&h.to_row_major(), &want, "timing run");
    println!(
        "n = {n}, constants as {}: hessian in {secs:.3} s",
        if real { "f64" } else { "T" }
    );
}

/// A real operand whose bound arithmetic would wrap is refused before any
/// kernel runs (the hooks check their views like `gemm`).
#[test]
fn constant_block_real_gemm_rejects_a_wrapping_view() {
    let r = [1.0; 3];
    let bad = MatRef {
        data: &r[..],
        rows: 4,
        cols: 1,
        row_stride: 6148914691236517206,
        col_stride: 1,
    };
    let b = vec![Dual::<f64, 2>::from_f64(1.0); 1];
    let mut c = vec![Dual::<f64, 2>::default(); 4];
    let left = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Dual::gemm_real_left(
            bad,
            MatRef::row_major(&b, 1, 1),
            MatMut::row_major(&mut c, 4, 1),
            false,
        )
    }));
    assert!(left.is_err());
    let a = vec![Dual::<f64, 2>::from_f64(1.0); 4];
    let mut c = vec![Dual::<f64, 2>::default(); 4];
    let right = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Dual::gemm_real_right(
            MatRef::row_major(&a, 4, 1),
            bad.t(),
            MatMut::row_major(&mut c, 4, 4),
            false,
        )
    }));
    assert!(right.is_err());
    let mut c = vec![0.0; 4];
    let plain = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        f64::gemm_real_left(
            bad,
            MatRef::row_major(&[1.0], 1, 1),
            MatMut::row_major(&mut c, 4, 1),
            false,
        )
    }));
    assert!(plain.is_err());
}
