//! The dense driver takes the compressed-column route when the Hessian's
//! pattern allows it (one recording to read the pattern, then one lane per
//! colour) and the plain one otherwise — with the same dense result.
//!
//! Which route ran is observed by counting calls of `f`: the dense route
//! records `f` once per sweep (`⌈n/8⌉`) after the pattern's recording, the
//! compressed one only the pattern's recording when colouring `j mod 8`
//! fits the pattern (that recording is seeded with those colours and swept
//! as it is), else once more per sweep of colours. The reference for the values is
//! `hessian_matrix_product` with the identity as directions: the plain
//! dense sweeps, which the pattern never touches.

use std::sync::atomic::{AtomicUsize, Ordering};

use saddle_dual::{hessian, hessian_matrix_product, hessian_with_progress, HessianOptions, LANES};
use saddle_tape::prelude::*;

fn rosenbrock<S: Real>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| {
            let d = w[1] - w[0] * w[0];
            let e = S::one() - w[0];
            d * d * 100.0 + e * e
        })
        .sum()
}

/// Blocks of four variables coupled through a product and a sine.
fn block_diagonal<S: Real>(x: &[S]) -> S {
    x.chunks(4)
        .map(|c| (c[0] * c[1] + c[2]).sin() * c[3] + c[0] * c[0] * c[2])
        .sum()
}

/// Every pair coupled: `(Σ xᵢ)³`.
fn dense<S: Real>(x: &[S]) -> S {
    let s: S = x.iter().copied().sum();
    s * s * s
}

fn point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect()
}

fn identity(n: usize) -> Vec<f64> {
    let mut e = vec![0.0; n * n];
    for i in 0..n {
        e[i * n + i] = 1.0;
    }
    e
}

/// Checks `hessian` against the plain dense sweeps entry by entry and
/// returns how many times `hessian` recorded `f`.
fn recordings_and_check(n: usize, f: for<'t> fn(&[Var<'t, Dual8>]) -> Var<'t, Dual8>) -> usize {
    let x = point(n);
    let calls = AtomicUsize::new(0);
    let h = hessian(
        |y| {
            calls.fetch_add(1, Ordering::Relaxed);
            f(y)
        },
        &x,
    )
    .unwrap();
    let plain = hessian_matrix_product(f, &x, &identity(n)).unwrap();
    // Same arithmetic per entry (a compressed lane only adds structural
    // zeros of the other columns of its colour): equal, not just close.
    for (k, (a, b)) in h
        .as_column_major()
        .iter()
        .zip(plain.as_column_major())
        .enumerate()
    {
        assert!(a == b, "entry ({}, {}): {a} vs {b}", k % n, k / n);
    }
    calls.into_inner()
}

type Dual8 = saddle_dual::Dual<f64, LANES>;

#[test]
fn a_banded_hessian_takes_the_compressed_route_with_the_same_entries() {
    // Tridiagonal: colouring j mod 8 is valid, so the recording that read
    // the pattern (seeded with those colours) is the only sweep.
    assert_eq!(recordings_and_check(300, |y| rosenbrock(y)), 1);
}

#[test]
fn a_block_diagonal_hessian_takes_the_compressed_route() {
    // Blocks of four inside blocks of eight: j mod 8 is valid too.
    assert_eq!(recordings_and_check(64, |y| block_diagonal(y)), 1);
}

/// `xⱼ` coupled with `xⱼ₊₈`: column `j` has rows `j ± 8`, of one residue
/// mod 8, so the colouring `j mod 8` of the pattern's recording is not
/// valid; the greedy colouring (a few colours) is swept on a second
/// recording.
fn stride_eight<S: Real>(x: &[S]) -> S {
    x.iter().zip(&x[8..]).map(|(&a, &b)| (a * b).sin()).sum()
}

#[test]
fn a_pattern_that_defeats_the_modular_colouring_is_recorded_again() {
    assert_eq!(recordings_and_check(96, |y| stride_eight(y)), 2);
}

#[test]
fn a_dense_hessian_takes_the_dense_route_after_one_recording() {
    // 64 columns: 8 dense sweeps, plus the recording that read the pattern.
    assert_eq!(recordings_and_check(64, |y| dense(y)), 1 + 64 / LANES);
}

#[test]
fn small_problems_skip_the_pattern() {
    // Two dense sweeps at most: the pattern could not pay for itself.
    assert_eq!(recordings_and_check(16, |y| rosenbrock(y)), 2);
    assert_eq!(recordings_and_check(16, |y| dense(y)), 2);
}

#[test]
fn compressed_route_reports_progress_and_ignores_thread_count() {
    let x = point(500);
    let done = AtomicUsize::new(0);
    let h1 = hessian_with_progress::<LANES, _>(
        |y| rosenbrock(y),
        &x,
        HessianOptions { threads: 1 },
        &|c| {
            done.fetch_add(c, Ordering::Relaxed);
        },
    )
    .unwrap();
    assert_eq!(done.into_inner(), 500, "every column reported once");
    let h2 = hessian_with_progress::<LANES, _>(
        |y| rosenbrock(y),
        &x,
        HessianOptions { threads: 2 },
        &|_| {},
    )
    .unwrap();
    assert_eq!(h1, h2);
    // Structural zeros are exact zeros; the band is the band.
    assert_eq!(h1.get(0, 2), 0.0);
    assert_eq!(h1.get(0, 1), -400.0 * x[0]);
}
