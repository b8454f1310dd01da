//! Curvature on the W2 Hessians: dense symmetric eigendecomposition (faer)
//! and Lanczos for the 10 largest eigenvalues of W2-medium, matrix-free.
//!
//! Before measuring, the bench prints how well the Lanczos eigenvalues agree
//! with the dense ones (relative error and residual of each).
//!
//! `after_eigen` guards issue 9 item 12: the caller's own scalar work (a
//! 40-variable function in plain `f64` math) timed alone and right after an
//! `Eigen::of` (whose AVX-512 kernels used to leave the upper register state
//! dirty, making the legacy-SSE scalar code 7–60× slower). The ratio
//! after / alone is printed in the same run; target ≤ 1.1.
//!
//! `eigen/{full,values_only}/<n>` compare the full decomposition
//! ([`Eigen::of`]: faer's reduction, divide and conquer, back-transformation)
//! with the eigenvalues-only path ([`eigenvalues`]: on x86-64 with AVX2 and
//! FMA saddle-curvature's blocked reduction and root-free QL/QR) on the
//! W2-small Hessian (n = 369) and seeded random symmetric matrices of
//! n = 1000 and 2000 (entries uniform in [−1, 1]), one thread; the ratio
//! values-only / full is printed after the group. Each matrix is also
//! written to `target/eigen-peers/<n>.f64` (raw little-endian `f64`,
//! column-major, `n²` values) so that `benches/peers/eigh.py` times NumPy's
//! `eigh` / `eigvalsh` on the same matrices.
//!
//! With `EIGEN_W2_MEDIUM_ONCE=1` set, the bench first times one run each of
//! `Eigen::of` and `eigenvalues` on the W2-medium Hessian (n = 4801, tens of
//! seconds each) and writes it to `target/eigen-peers/4801.f64`.
//!
//! `cargo bench --bench curvature`

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle::curvature::{eigenvalues, extreme_eigenpairs, Eigen};
use saddle::dual::{FnOperator, Hessian, HessianOptions};
use saddle::workloads::{w1_point, w2_medium, w2_small};
use std::hint::black_box;
use std::time::{Duration, Instant};

const STEPS: usize = 80;

fn eigendecomposition(c: &mut Criterion) {
    let mut group = c.benchmark_group("eigendecomposition");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100));
    for (name, w) in [("w2_small", w2_small()), ("w2_medium", w2_medium())] {
        let h = w
            .net
            .hessian(&w.data, HessianOptions { threads: 2 })
            .unwrap();
        if name == "w2_medium" {
            group.measurement_time(Duration::from_secs(60));
        }
        group.bench_function(BenchmarkId::new("dense", name), |b| {
            b.iter(|| Eigen::of(black_box(&h)).unwrap())
        });
    }
    group.finish();
}

/// A seeded random symmetric `n × n` matrix, entries uniform in `[−1, 1]`.
fn random_symmetric(n: usize, seed: u64) -> Hessian {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let v: f64 = rng.random_range(-1.0..1.0);
            a[j * n + i] = v;
            a[i * n + j] = v;
        }
    }
    Hessian::from_column_major(n, a).unwrap()
}

/// Writes `h` as raw little-endian `f64` (column-major) to
/// `target/eigen-peers/<n>.f64`, for the NumPy side of the comparison.
fn write_for_peers(h: &Hessian) {
    let dir = common::criterion_dir()
        .parent()
        .map(|t| t.join("eigen-peers"))
        .expect("criterion's directory has a parent (the target directory)");
    std::fs::create_dir_all(&dir).unwrap();
    let bytes: Vec<u8> = h
        .as_column_major()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    std::fs::write(dir.join(format!("{}.f64", h.n())), bytes).unwrap();
}

/// One timed run each of the two paths on the W2-medium Hessian (4801),
/// only when `EIGEN_W2_MEDIUM_ONCE` is set: tens of seconds each.
fn w2_medium_once() {
    if std::env::var_os("EIGEN_W2_MEDIUM_ONCE").is_none() || !common::measuring() {
        return;
    }
    let w = w2_medium();
    let h = w
        .net
        .hessian(&w.data, HessianOptions { threads: 2 })
        .unwrap();
    write_for_peers(&h);
    let start = Instant::now();
    let values = black_box(eigenvalues(black_box(&h)).unwrap());
    let t_values = start.elapsed();
    let start = Instant::now();
    let full = black_box(Eigen::of(black_box(&h)).unwrap());
    let t_full = start.elapsed();
    let scale = full.values().iter().fold(0.0_f64, |m, l| m.max(l.abs()));
    let diff = values
        .iter()
        .zip(full.values())
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    println!(
        "\nW2-medium (n = {}), one run each, 1 thread: Eigen::of {:.2} s, eigenvalues {:.2} s, \
         ratio {:.3}; max |Δλ| / max |λ| = {:.1e}",
        h.n(),
        t_full.as_secs_f64(),
        t_values.as_secs_f64(),
        t_values.as_secs_f64() / t_full.as_secs_f64(),
        diff / scale
    );
}

fn values_only(c: &mut Criterion) {
    let mut ratios = Ratios::new("eigen (1 thread)");
    w2_medium_once();
    let w = w2_small();
    let matrices = [
        w.net
            .hessian(&w.data, HessianOptions { threads: 2 })
            .unwrap(),
        random_symmetric(1000, 1000),
        random_symmetric(2000, 2000),
    ];
    let mut group = c.benchmark_group("eigen");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100));
    for h in &matrices {
        let n = h.n();
        if common::measuring() {
            write_for_peers(h);
        }
        group.measurement_time(Duration::from_secs(if n > 1000 { 30 } else { 5 }));
        group.bench_function(BenchmarkId::new("full", n), |b| {
            b.iter(|| Eigen::of(black_box(h)).unwrap())
        });
        group.bench_function(BenchmarkId::new("values_only", n), |b| {
            b.iter(|| eigenvalues(black_box(h)).unwrap())
        });
        ratios.ratio(
            &format!("values_only / full, n = {n}"),
            &format!("eigen/values_only/{n}"),
            &format!("eigen/full/{n}"),
            Target::None,
        );
    }
    group.finish();
    ratios.print();
}

fn lanczos_top10(c: &mut Criterion) {
    let w = w2_medium();
    let n = w.net.num_params();
    let hvp = FnOperator::new(n, |v: &[f64]| w.net.hvp(&w.data, v).map(|r| r.hv));
    let dense = Eigen::of(
        &w.net
            .hessian(&w.data, HessianOptions { threads: 2 })
            .unwrap(),
    )
    .unwrap();
    let ex = extreme_eigenpairs(&hvp, 10, STEPS, 1).unwrap();
    println!("\nW2-medium, 10 largest eigenvalues: Lanczos ({STEPS} steps, {STEPS} HVPs) vs dense");
    println!(
        "{:>3} {:>22} {:>22} {:>10} {:>10}",
        "k", "Lanczos", "dense", "rel. err", "residual"
    );
    for (k, (value, _, residual)) in ex.largest.iter().enumerate() {
        let exact = dense.values()[n - 1 - k];
        println!(
            "{k:>3} {value:>22.14e} {exact:>22.14e} {:>10.2e} {residual:>10.2e}",
            ((value - exact) / exact).abs()
        );
    }
    let mut group = c.benchmark_group("lanczos");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(10));
    group.bench_function(BenchmarkId::new("top10_w2_medium", STEPS), |b| {
        b.iter(|| extreme_eigenpairs(&hvp, 10, STEPS, 1).unwrap())
    });
    group.finish();
}

/// The scalar work of the `after_eigen` rows: plain `f64` math, a
/// 40-variable function built from `sin`, `exp` and `ln_1p` (libm code,
/// compiled as legacy SSE like all baseline x86-64 code), evaluated 20×.
fn scalar_work(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for k in 0..20 {
        let shift = 0.01 * k as f64;
        total += x
            .windows(2)
            .map(|w| (w[0] + shift).sin() * (0.5 * w[1]).exp() + (w[0] * w[1]).abs().ln_1p())
            .sum::<f64>();
    }
    total
}

/// A 40 × 40 symmetric matrix (a Hilbert-like one) for the eigensolver.
fn hilbert(n: usize) -> Hessian {
    let entries = (0..n * n)
        .map(|k| 1.0 / (1.0 + (k % n) as f64 + (k / n) as f64))
        .collect();
    Hessian::from_column_major(n, entries).unwrap()
}

/// Total time of `reps` runs of the scalar work, each preceded by `before`
/// and one untimed run of the scalar work. That run absorbs the cold caches
/// and branch predictors `before` leaves behind (a one-off cost, not what
/// this row is about); a dirty upper register state survives it, so the
/// timed run still pays for that.
fn timed(reps: u64, x: &[f64], before: &mut impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..reps {
        before();
        black_box(scalar_work(x));
        let start = Instant::now();
        black_box(scalar_work(x));
        total += start.elapsed();
    }
    total
}

fn after_eigen(c: &mut Criterion) {
    let x = w1_point(40);
    let h = hilbert(40);
    let mut nothing = || {};
    let mut eigen = || {
        black_box(Eigen::of(black_box(&h)).unwrap());
    };
    // Interleaved rounds, best of each: on a shared machine the minimum is
    // the least disturbed estimate of both.
    let (mut alone, mut after) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        alone = alone.min(timed(400, &x, &mut nothing) / 400);
        after = after.min(timed(400, &x, &mut eigen) / 400);
    }
    println!(
        "\nscalar work (plain f64, 40 variables): alone {alone:?}, after Eigen::of {after:?}, \
         ratio {:.3} (target ≤ 1.1)",
        after.as_secs_f64() / alone.as_secs_f64()
    );
    let mut group = c.benchmark_group("after_eigen");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("scalar_40_alone", |b| {
        b.iter_custom(|iters| timed(iters, &x, &mut nothing))
    });
    group.bench_function("scalar_40_after_eigen", |b| {
        b.iter_custom(|iters| timed(iters, &x, &mut eigen))
    });
    group.finish();
}

criterion_group!(
    benches,
    values_only,
    after_eigen,
    eigendecomposition,
    lanczos_top10
);
criterion_main!(benches);
