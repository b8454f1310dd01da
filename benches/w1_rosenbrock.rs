//! W1 of BENCHMARKS.md: the extended Rosenbrock function, n ∈ {10, 100, 1000}.
//!
//! Compared in one run, so ratios are meaningful on a noisy machine:
//! plain `f64` evaluation, the tape gradient, the HVP by forward-over-reverse
//! (tape memory reused in both), the dense Hessian (8 lanes; one thread and
//! two), and the sparse Hessian with its colouring reused.
//!
//! Targets: gradient / f ≤ 25, HVP / gradient ≤ 2.5 and dense Hessian /
//! gradient ≤ 40 at n = 1000; gradient under 25 µs, HVP under 60 µs, dense
//! Hessian under 10 ms, sparse under 0.25 ms.
//!
//! After the group, the ratios these targets are stated in are printed from
//! the same run's medians (see `common`): gradient / f64, HVP / gradient,
//! dense Hessian / gradient, dense Hessian 1 thread / 2 threads, sparse /
//! dense Hessian, for each n.
//!
//! `cargo bench --bench w1_rosenbrock`; `benches/peers/run.sh` reads the ids
//! `w1/{f64,gradient,hvp,dense_hessian_8_lanes_1_threads,sparse_hessian}/<n>`
//! (keep them stable).

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::dual::{hessian_with, Dual, HessianColoring, HessianOptions};
use saddle::prelude::*;
use saddle::workloads::{rosenbrock, rosenbrock_blocks, w1_direction, w1_point};
use std::hint::black_box;

const SIZES: [usize; 3] = [10, 100, 1000];

fn w1(c: &mut Criterion) {
    let mut ratios = Ratios::new("W1 extended Rosenbrock");
    let mut group = c.benchmark_group("w1");
    for n in SIZES {
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

    // W1 written with block operations (`rosenbrock_blocks`), as a JAX
    // user writes it: ids `w1_block/{gradient,hvp,dense_hessian_8_lanes_1_threads}/n`.
    let mut group = c.benchmark_group("w1_block");
    for n in SIZES {
        let x0 = w1_point(n);
        let v0 = w1_direction(n);
        let mut tape = Tape::<f64>::new();
        group.bench_with_input(BenchmarkId::new("gradient", n), &x0, |b, x0| {
            b.iter(|| {
                tape.clear();
                let x = tape.input_block(1, n, black_box(x0)).unwrap();
                rosenbrock_blocks(&x).unwrap().backward().wrt_block(&x)
            })
        });
        let mut dual_tape = Tape::<Dual<f64>>::new();
        let seeded: Vec<Dual<f64>> = x0
            .iter()
            .zip(&v0)
            .map(|(&a, &b)| Dual::new(a, [b]))
            .collect();
        group.bench_with_input(BenchmarkId::new("hvp", n), &seeded, |b, seeded| {
            b.iter(|| {
                dual_tape.clear();
                let x = dual_tape.input_block(1, n, black_box(seeded)).unwrap();
                rosenbrock_blocks(&x).unwrap().backward().wrt_block(&x)
            })
        });
        let id = BenchmarkId::new("dense_hessian_8_lanes_1_threads", n);
        group.bench_with_input(id, &x0, |b, x0| {
            b.iter(|| {
                let opts = HessianOptions { threads: 1 };
                hessian_with::<8, _>(
                    |x| {
                        let t = x[0].tape().expect("the driver's inputs are on its tape");
                        rosenbrock_blocks(&t.stack(1, x.len(), x).unwrap()).unwrap()
                    },
                    black_box(x0),
                    opts,
                )
                .unwrap()
            })
        });
    }
    group.finish();
    for n in SIZES {
        let id = |g: &str, f: &str| format!("{g}/{f}/{n}");
        let at = |t: f64| {
            if n == 1000 {
                Target::AtMost(t)
            } else {
                Target::None
            }
        };
        ratios
            .ratio(
                &format!("n={n} block-written gradient / scalar-written"),
                &id("w1_block", "gradient"),
                &id("w1", "gradient"),
                Target::None,
            )
            .ratio(
                &format!("n={n} block-written HVP / block-written gradient"),
                &id("w1_block", "hvp"),
                &id("w1_block", "gradient"),
                at(2.5),
            )
            .ratio(
                &format!("n={n} block-written dense Hessian / block-written gradient"),
                &id("w1_block", "dense_hessian_8_lanes_1_threads"),
                &id("w1_block", "gradient"),
                Target::None,
            );
    }
    for n in SIZES {
        // The targets are stated at n = 1000 only.
        let at = |t: f64| {
            if n == 1000 {
                Target::AtMost(t)
            } else {
                Target::None
            }
        };
        let id = |f: &str| format!("w1/{f}/{n}");
        ratios
            .ratio(
                &format!("n={n} gradient / f64"),
                &id("gradient"),
                &id("f64"),
                at(25.0),
            )
            .ratio(
                &format!("n={n} HVP / gradient"),
                &id("hvp"),
                &id("gradient"),
                at(2.5),
            )
            .ratio(
                &format!("n={n} dense Hessian (1 thread) / gradient"),
                &id("dense_hessian_8_lanes_1_threads"),
                &id("gradient"),
                at(40.0),
            )
            .ratio(
                &format!("n={n} dense Hessian 1 thread / 2 threads"),
                &id("dense_hessian_8_lanes_1_threads"),
                &id("dense_hessian_8_lanes_2_threads"),
                Target::None,
            )
            .ratio(
                &format!("n={n} sparse / dense Hessian (1 thread)"),
                &id("sparse_hessian"),
                &id("dense_hessian_8_lanes_1_threads"),
                Target::None,
            );
    }
    ratios.print();
}

criterion_group!(benches, w1);
criterion_main!(benches);
