//! Regression tests for defects of issue 9 in the dense drivers, one named
//! for each.

use std::time::{Duration, Instant};

use saddle_dual::{hessian, hessian_with, Hessian, HessianOptions};
use saddle_tape::prelude::*;

fn f<S: Real>(x: &[S]) -> S {
    x.windows(2).map(|w| (w[0] * w[1]).sin()).sum::<S>() + x[0].powi(3)
}

/// Item 7: `f64::max` skips NaN, so a NaN Hessian reported asymmetry 0.
#[test]
fn nan_hessian_asymmetry_is_infinite_not_zero() {
    let h = Hessian::from_column_major(2, vec![1.0, f64::NAN, f64::NAN, 1.0]).unwrap();
    assert_eq!(h.asymmetry(), f64::INFINITY);
    assert_eq!(h.relative_asymmetry(), f64::INFINITY);
    // The way it is used as a check (`asymmetry() <= tol`) must fail.
    let symmetric_enough = h.asymmetry() <= 1e-12;
    assert!(!symmetric_enough);
    // A NaN from the function itself: sqrt(x₀ − 1) at x₀ = 1 has an
    // infinite second derivative, and the chain gives NaN/∞ entries.
    let h = hessian(|x| (x[0] - 1.0).sqrt() * x[1], &[1.0, 2.0]).unwrap();
    assert!(h.as_column_major().iter().any(|v| !v.is_finite()), "{h:?}");
    assert_eq!(h.asymmetry(), f64::INFINITY);
}

/// Item 7: a finite but hugely asymmetric matrix (|a − b| overflows) is
/// reported as +∞ asymmetric, not NaN or 0.
#[test]
fn asymmetry_overflowing_difference_is_infinite() {
    let h = Hessian::from_column_major(2, vec![0.0, f64::MAX, -f64::MAX, 0.0]).unwrap();
    assert_eq!(h.asymmetry(), f64::INFINITY);
}

/// Item 9 (the part in `Hessian`): `0.5·(a + b)` overflowed for entries near
/// `f64::MAX`, so `Eigen::of` refused a finite matrix.
#[test]
fn symmetrize_entries_near_f64_max_does_not_overflow() {
    let big = 1.5e308;
    let mut h = Hessian::from_column_major(2, vec![1.0, big, big, 1.0]).unwrap();
    h.symmetrize();
    // ½a + ½b is exact here (halving a normal number is exact).
    assert_eq!(h.as_column_major(), &[1.0, big, big, 1.0]);
}

/// Item 8: `threads: usize::MAX` tried to build a pool of usize::MAX threads
/// (minutes); now it is clamped to the pool and returns at once.
#[test]
fn huge_thread_count_returns_promptly() {
    let x: Vec<f64> = (0..40).map(|i| 0.05 * i as f64).collect();
    let start = Instant::now();
    let h = hessian_with::<8, _>(
        |y| f(y),
        &x,
        HessianOptions {
            threads: usize::MAX,
        },
    )
    .unwrap();
    let took = start.elapsed();
    // 5 sweeps of a 40-variable function: well under a millisecond each;
    // 2 s leaves room for a loaded machine and would not cover thread
    // creation at this scale.
    assert!(took < Duration::from_secs(2), "{took:?}");
    let serial = hessian_with::<8, _>(|y| f(y), &x, HessianOptions { threads: 1 }).unwrap();
    assert_eq!(h, serial);
}

/// Item 8: every thread count gives the same matrix bit for bit (each
/// column is the same arithmetic whichever thread runs it), including counts
/// above the pool size and above the number of sweeps.
#[test]
fn thread_counts_give_identical_hessians() {
    let x: Vec<f64> = (0..13).map(|i| 0.3 - 0.07 * i as f64).collect();
    let serial = hessian_with::<2, _>(|y| f(y), &x, HessianOptions { threads: 1 }).unwrap();
    for threads in [0, 2, 3, 7, 8, 64, usize::MAX] {
        let h = hessian_with::<2, _>(|y| f(y), &x, HessianOptions { threads }).unwrap();
        assert_eq!(h, serial, "threads = {threads}");
    }
}

/// Item 10: `n * n` wrapped in release builds, so n = 2³² "needed" zero
/// entries and an empty vector was accepted as a 2³² × 2³² Hessian.
#[test]
fn from_column_major_n_squared_overflow_is_err() {
    let e = Hessian::from_column_major(1 << 32, vec![]).unwrap_err();
    assert!(
        e.to_string().contains("n = 4294967296: n² overflows usize"),
        "{e}"
    );
}

/// Item 15: `get` out of range panics (documented); `try_get` is the
/// checked form.
#[test]
fn hessian_try_get_out_of_range_is_none() {
    let h = Hessian::from_column_major(2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(h.try_get(1, 0), Some(2.0));
    assert_eq!(h.try_get(0, 1), Some(3.0));
    assert_eq!(h.try_get(2, 0), None);
    assert_eq!(h.try_get(0, 2), None);
    assert_eq!(h.try_column(2), None);
}

#[test]
#[should_panic(expected = "Hessian::get(2, 0) out of range for n = 2")]
fn hessian_get_out_of_range_panics_as_documented() {
    let h = Hessian::from_column_major(2, vec![1.0; 4]).unwrap();
    let _ = h.get(2, 0);
}
