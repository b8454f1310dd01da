//! Issue 9, item 12: after faer's eigensolver the caller's own scalar code
//! ran 7–60× slower, because faer's AVX-512 kernels returned with the upper
//! halves of the vector registers dirty (legacy-SSE instructions then pay a
//! false dependency on them). The crate now executes `vzeroupper` after
//! every faer call.
//!
//! A timing test would be flaky on a shared machine; this one reads the
//! processor's own record instead: `XGETBV` with `ECX = 1` returns
//! XINUSE, whose bit 2 (YMM_Hi128) and bit 6 (ZMM_Hi256) say whether the
//! upper halves of ymm0–15 / zmm0–15 are in use (dirty). The benchmark
//! `curvature` has the timing row (`after_eigen`).

#![cfg(target_arch = "x86_64")]

use std::arch::asm;
use std::arch::x86_64::{__cpuid_count, _xgetbv};

use saddle_curvature::{newton, Eigen, Function, Objective, Options, Smooth};
use saddle_dual::Hessian;
use saddle_tape::Real;

/// The upper-state bits of XINUSE (YMM_Hi128 | ZMM_Hi256), or `None` when
/// the CPU cannot report them (no AVX, or no `XGETBV(1)`).
fn dirty_upper_state() -> Option<u64> {
    if !std::arch::is_x86_feature_detected!("avx") || !std::arch::is_x86_feature_detected!("xsave")
    {
        return None;
    }
    // CPUID is always available on x86-64 (a safe intrinsic).
    let leaf = __cpuid_count(0xD, 1);
    if leaf.eax & (1 << 2) == 0 {
        return None; // XGETBV with ECX = 1 not supported
    }
    // SAFETY: XSAVE was detected and XGETBV(1) is supported (checked above).
    let xinuse = unsafe { xgetbv1() };
    Some(xinuse & ((1 << 2) | (1 << 6)))
}

#[target_feature(enable = "xsave")]
unsafe fn xgetbv1() -> u64 {
    _xgetbv(1)
}

/// Makes the upper state dirty on purpose (all-ones in ymm0's upper half),
/// to show that the probe can see it.
fn dirty_it() {
    // SAFETY: AVX is detected by the caller; ymm0 is declared clobbered.
    unsafe { asm!("vpcmpeqd ymm0, ymm0, ymm0", out("ymm0") _) };
}

fn matrix(n: usize) -> Hessian {
    Hessian::from_column_major(
        n,
        (0..n * n)
            .map(|k| 1.0 / (1.0 + (k % n) as f64 + (k / n) as f64))
            .collect(),
    )
    .unwrap()
}

#[test]
fn eigen_of_leaves_avx_upper_state_clean() {
    let Some(before) = dirty_upper_state() else {
        eprintln!("skipped: this CPU cannot report XINUSE");
        return;
    };
    // The probe works: dirty on purpose, then clean with vzeroupper.
    dirty_it();
    assert_ne!(
        dirty_upper_state(),
        Some(0),
        "probe cannot see a dirty ymm0"
    );
    // SAFETY: AVX was detected by dirty_upper_state.
    unsafe { std::arch::x86_64::_mm256_zeroupper() };
    assert_eq!(
        dirty_upper_state(),
        Some(0),
        "vzeroupper did not clean (before: {before})"
    );
    for n in [3, 40, 100] {
        let e = Eigen::of(&matrix(n)).unwrap();
        assert_eq!(
            dirty_upper_state(),
            Some(0),
            "dirty after Eigen::of, n = {n}"
        );
        assert!(e.values().iter().all(|v| v.is_finite()));
    }
}

/// The eigenvalues-only path is a separate faer call (no eigenvectors
/// requested): it must leave the state clean too.
#[test]
fn eigenvalues_only_leaves_avx_upper_state_clean() {
    if dirty_upper_state().is_none() {
        eprintln!("skipped: this CPU cannot report XINUSE");
        return;
    }
    for n in [3, 40, 100] {
        let l = saddle_curvature::eigenvalues(&matrix(n)).unwrap();
        assert_eq!(
            dirty_upper_state(),
            Some(0),
            "dirty after eigenvalues, n = {n}"
        );
        assert!(l.iter().all(|v| v.is_finite()));
    }
}

struct Bowl;
impl Function for Bowl {
    fn eval<S: Real>(&self, x: &[S]) -> S {
        x.iter()
            .enumerate()
            .map(|(i, v)| *v * *v * (i + 1) as f64)
            .sum::<S>()
            + (x[0] * x[1]).cos()
    }
}

#[test]
fn solvers_leave_avx_upper_state_clean() {
    if dirty_upper_state().is_none() {
        eprintln!("skipped: this CPU cannot report XINUSE");
        return;
    }
    let f = Smooth(Bowl);
    let x0 = vec![0.3; 40];
    // LU (newton), Cholesky (damped_newton) and the eigensolver
    // (saddle_free_newton) each go through faer.
    newton(&f, &x0, &Options::default()).unwrap();
    assert_eq!(dirty_upper_state(), Some(0), "dirty after newton (LU)");
    saddle_curvature::damped_newton(&f, &x0, &Options::default(), 1.0).unwrap();
    assert_eq!(
        dirty_upper_state(),
        Some(0),
        "dirty after damped_newton (Cholesky)"
    );
    saddle_curvature::saddle_free_newton(&f, &x0, &Options::default(), 1e-6).unwrap();
    assert_eq!(
        dirty_upper_state(),
        Some(0),
        "dirty after saddle_free_newton"
    );
    let _ = f.value(&x0);
}
