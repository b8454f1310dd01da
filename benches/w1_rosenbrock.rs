//! W1 of BENCHMARKS.md: the extended Rosenbrock function, n ∈ {10, 100, 1000}.
//!
//! Compare, in one run: plain `f64` evaluation against the tape gradient
//! (record + reverse sweep, tape memory reused). Target: gradient / f ≤ 25
//! at n = 1000, and the gradient under 25 µs.
//!
//! `cargo bench --bench w1_rosenbrock`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::prelude::*;
use saddle::workloads::{rosenbrock, w1_point};
use std::hint::black_box;

fn w1(c: &mut Criterion) {
    let mut group = c.benchmark_group("w1");
    for n in [10, 100, 1000] {
        let x0 = w1_point(n);
        group.bench_with_input(BenchmarkId::new("f64", n), &x0, |b, x0| {
            b.iter(|| rosenbrock(black_box(x0.as_slice())))
        });
        let mut tape = Tape::<f64>::with_capacity(10 * n);
        group.bench_with_input(BenchmarkId::new("record", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let tape = &tape;
                let x = tape.vars(black_box(x0));
                rosenbrock(&x).value()
            })
        });
        group.bench_with_input(BenchmarkId::new("gradient", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let tape = &tape;
                let x = tape.vars(black_box(x0));
                let g = rosenbrock(&x).backward();
                g.wrt_all(&x)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, w1);
criterion_main!(benches);
