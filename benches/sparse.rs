//! Sparse vs dense Hessians, in one run so the ratios are meaningful on a
//! noisy machine: two functions whose Hessian pattern is dense (where the
//! sparse path must fall back to the dense evaluation and cost at most
//! ~2× the dense Hessian plus detection) and W1 at n = 1000 (tridiagonal,
//! where it must win by far).
//!
//! - `variance/800`: `(1/n) Σ (xᵢ − m)²` — detection used to abort
//!   allocating 13 GB;
//! - `chain/20000`: `y ← sin(y·x₁) + 0.5·x₀`, 20 000 times, two variables —
//!   detection used to take 57 s;
//! - `w1/1000`: the extended Rosenbrock function of `saddle::workloads`.
//!
//! `sparse` includes detection and colouring (the full `sparse_hessian`
//! call); `dense` is `hessian_with::<8>` on one thread. After the criterion
//! group, each pair is timed again with `std::time::Instant` (the median
//! of five calls each) and the ratio sparse/dense is printed.
//!
//! `cargo bench --bench sparse` (add `-- --quick` for a short run)

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::dual::{hessian_with, sparse_hessian, HessianOptions};
use saddle::prelude::*;
use saddle::workloads::{rosenbrock, w1_point};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn variance<S: Real>(x: &[S]) -> S {
    let n = x.len() as f64;
    let m = x.iter().copied().sum::<S>() / n;
    x.iter().map(|&v| (v - m) * (v - m)).sum::<S>() / n
}

fn chain<S: Real>(x: &[S]) -> S {
    let mut y = x[0];
    for _ in 0..20_000 {
        y = (y * x[1]).sin() + x[0] * 0.5;
    }
    y
}

/// A case: its name, size, point, and the two ways to its Hessian.
struct Case {
    name: &'static str,
    n: usize,
    x: Vec<f64>,
    sparse: fn(&[f64]) -> usize,
    dense: fn(&[f64]) -> usize,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "variance",
            n: 800,
            x: (0..800).map(|i| (0.37 * i as f64).sin()).collect(),
            sparse: |x| sparse_hessian(|v| variance(v), x).unwrap().nnz(),
            dense: |x| {
                hessian_with::<8, _>(|v| variance(v), x, HessianOptions { threads: 1 })
                    .unwrap()
                    .n()
            },
        },
        Case {
            name: "chain",
            n: 20_000,
            x: vec![0.3, 0.7],
            sparse: |x| sparse_hessian(|v| chain(v), x).unwrap().nnz(),
            dense: |x| {
                hessian_with::<8, _>(|v| chain(v), x, HessianOptions { threads: 1 })
                    .unwrap()
                    .n()
            },
        },
        Case {
            name: "w1",
            n: 1000,
            x: w1_point(1000),
            sparse: |x| sparse_hessian(|v| rosenbrock(v), x).unwrap().nnz(),
            dense: |x| {
                hessian_with::<8, _>(|v| rosenbrock(v), x, HessianOptions { threads: 1 })
                    .unwrap()
                    .n()
            },
        },
    ]
}

fn median_time(f: impl Fn() -> usize, reps: usize) -> Duration {
    let mut t: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    t.sort();
    t[reps / 2]
}

fn sparse_vs_dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("sparse_vs_dense");
    group.sample_size(10);
    for case in cases() {
        let (sparse, dense) = (case.sparse, case.dense);
        group.bench_with_input(
            BenchmarkId::new(format!("{}_sparse", case.name), case.n),
            &case.x,
            |b, x| b.iter(|| sparse(black_box(x))),
        );
        group.bench_with_input(
            BenchmarkId::new(format!("{}_dense", case.name), case.n),
            &case.x,
            |b, x| b.iter(|| dense(black_box(x))),
        );
    }
    group.finish();
    println!("\nsparse / dense (median of 5 calls each, std::time::Instant):");
    for case in cases() {
        let s = median_time(|| (case.sparse)(&case.x), 5);
        let d = median_time(|| (case.dense)(&case.x), 5);
        println!(
            "  {:>8}/{:<6} sparse {:>10.3?}  dense {:>10.3?}  ratio {:.3}",
            case.name,
            case.n,
            s,
            d,
            s.as_secs_f64() / d.as_secs_f64()
        );
    }
}

criterion_group!(benches, sparse_vs_dense);
criterion_main!(benches);
