//! Curvature on the W2 Hessians: dense symmetric eigendecomposition (faer)
//! and Lanczos for the 10 largest eigenvalues of W2-medium, matrix-free.
//!
//! Before measuring, the bench prints how well the Lanczos eigenvalues agree
//! with the dense ones (relative error and residual of each).
//!
//! `cargo bench --bench curvature`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::curvature::{extreme_eigenpairs, Eigen};
use saddle::dual::HessianOptions;
use saddle::workloads::{w2_medium, w2_small};
use std::hint::black_box;
use std::time::Duration;

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

fn lanczos_top10(c: &mut Criterion) {
    let w = w2_medium();
    let n = w.net.num_params();
    let hvp = |v: &[f64]| w.net.hvp(&w.data, v).map(|r| r.hv);
    let dense = Eigen::of(
        &w.net
            .hessian(&w.data, HessianOptions { threads: 2 })
            .unwrap(),
    )
    .unwrap();
    let ex = extreme_eigenpairs(hvp, n, 10, STEPS, 1).unwrap();
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
        b.iter(|| extreme_eigenpairs(hvp, n, 10, STEPS, 1).unwrap())
    });
    group.finish();
}

criterion_group!(benches, eigendecomposition, lanczos_top10);
criterion_main!(benches);
