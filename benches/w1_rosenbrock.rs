//! W1 of BENCHMARKS.md: the extended Rosenbrock function, n ∈ {10, 100, 1000}.
//!
//! Compared in one run, so ratios are meaningful on a noisy machine:
//! plain `f64` evaluation, the tape gradient, the HVP by forward-over-reverse
//! (tape memory reused in both), the dense Hessian (8 lanes; one thread and
//! two), and the sparse Hessian with its colouring reused.
//!
//! Targets: gradient / f ≤ 25 and HVP / gradient ≤ 2.5 at n = 1000; gradient
//! under 25 µs, HVP under 60 µs, dense Hessian under 10 ms, sparse under
//! 0.25 ms.
//!
//! `cargo bench --bench w1_rosenbrock`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::dual::{hessian_with, Dual, HessianColoring, HessianOptions};
use saddle::prelude::*;
use saddle::workloads::{rosenbrock, w1_direction, w1_point};
use std::hint::black_box;

fn w1(c: &mut Criterion) {
    let mut group = c.benchmark_group("w1");
    for n in [10, 100, 1000] {
        let x0 = w1_point(n);
        let v0 = w1_direction(n);
        group.bench_with_input(BenchmarkId::new("f64", n), &x0, |b, x0| {
            b.iter(|| rosenbrock(black_box(x0.as_slice())))
        });
        let mut tape = Tape::<f64>::with_capacity(10 * n);
        group.bench_with_input(BenchmarkId::new("gradient", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let tape = &tape;
                let x = tape.vars(black_box(x0));
                rosenbrock(&x).backward().wrt_all(&x)
            })
        });
        let mut dual_tape = Tape::<Dual<f64>>::with_capacity(10 * n);
        let seeded: Vec<Dual<f64>> = x0
            .iter()
            .zip(&v0)
            .map(|(&a, &b)| Dual::new(a, [b]))
            .collect();
        group.bench_with_input(BenchmarkId::new("hvp", n), &seeded, |b, seeded| {
            b.iter(|| {
                dual_tape.clear();
                let tape = &dual_tape;
                let x = tape.vars(black_box(seeded));
                rosenbrock(&x).backward().wrt_all(&x)
            })
        });
        for threads in [1, 2] {
            let id = BenchmarkId::new(format!("dense_hessian_8_lanes_{threads}_threads"), n);
            group.bench_with_input(id, &x0, |b, x0| {
                b.iter(|| {
                    let opts = HessianOptions { threads };
                    hessian_with::<8, _>(|x| rosenbrock(x), black_box(x0), opts).unwrap()
                })
            });
        }
        let coloring = HessianColoring::detect(&|x: &[Var<'_, _>]| rosenbrock(x), &x0).unwrap();
        group.bench_with_input(BenchmarkId::new("sparse_hessian", n), &x0, |b, x0| {
            b.iter(|| {
                coloring
                    .hessian(&|x: &[Var<'_, _>]| rosenbrock(x), black_box(x0))
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, w1);
criterion_main!(benches);
