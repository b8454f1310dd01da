//! W2 of BENCHMARKS.md: MLP regression losses (block operations).
//!
//! W2-small: layers [4, 16, 16, 1], batch 64 (369 parameters);
//! W2-medium: layers [8, 64, 64, 1], batch 256 (4801 parameters).
//! Measured in one run: the loss on plain f64, the gradient, one HVP, 20
//! HVPs (sequential single-lane sweeps, and batched: `H((i+1) v)` for
//! i = 0..19 through `Mlp::hessian_matrix_product`, 4 lanes per sweep, one
//! thread — the work of JAX's 20-HVP loop), and the full Hessian
//! (`Mlp::hessian`, layer by layer, one thread and two; and the generic
//! route it falls back to, the loss swept on 8-lane duals, one thread:
//! ids `…hessian_swept…` / `w2_medium_hessian/swept/1`). The W2-medium
//! Hessian takes seconds, so its group samples few times.
//!
//! Targets: W2-medium gradient < 0.45 ms, HVP < 0.6 ms, 20 HVPs < 12 ms,
//! Hessian < 3 s on one thread and < 1.8 s on two; W2-small Hessian < 6 ms.
//! Targets stated against JAX (loss, gradient, HVP, 20 HVPs ≤ 1.0× JAX, one
//! thread) are checked only by `benches/peers/run.sh`, which times both in
//! one run on one machine; JAX figures from another run are not compared.
//!
//! After each group, the ratios are printed from the same run's medians (see
//! `common`): gradient / plain f64 loss, HVP / gradient, 20 HVPs / (20 × one
//! HVP), 20 HVPs batched / 20 sequential, full Hessian / gradient, Hessian
//! 1 thread / 2 threads, Hessian by layers / swept, pattern detection /
//! swept Hessian.
//!
//! `cargo bench --bench w2_mlp`; `benches/peers/run.sh` reads the ids
//! `w2/{loss_f64,gradient,hvp,20_hvps,20_hvps_batched}/{small,medium}`,
//! `w2/hessian_1_threads/small` and `w2_medium_hessian/threads/1` (keep them
//! stable).

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::dual::{cheap_hessian_pattern, Dual, HessianOptions, LANES};
use saddle::prelude::*;
use saddle::workloads::{w2_medium, w2_small, W2};
use std::hint::black_box;
use std::time::Duration;

fn first_order_and_hvp(c: &mut Criterion) {
    let mut ratios = Ratios::new("W2 MLP regression");
    let mut group = c.benchmark_group("w2");
    for (name, w) in [("small", w2_small()), ("medium", w2_medium())] {
        let W2 {
            net,
            data,
            direction,
        } = &w;
        group.bench_function(BenchmarkId::new("loss_f64", name), |b| {
            b.iter(|| net.loss(black_box(data)).unwrap())
        });
        let mut tape = Tape::<f64>::new();
        group.bench_function(BenchmarkId::new("gradient", name), |b| {
            b.iter(|| {
                tape.clear();
                let tape = &tape;
                let p = tape.vars(black_box(net.params()));
                net.loss_on_tape(&p, data).backward().wrt_all(&p)
            })
        });
        let mut dual_tape = Tape::<Dual<f64>>::new();
        let seeded: Vec<Dual<f64>> = net
            .params()
            .iter()
            .zip(direction)
            .map(|(&p, &v)| Dual::new(p, [v]))
            .collect();
        group.bench_function(BenchmarkId::new("hvp", name), |b| {
            b.iter(|| {
                dual_tape.clear();
                let tape = &dual_tape;
                let p = tape.vars(black_box(&seeded));
                net.loss_on_tape(&p, data).backward().wrt_all(&p)
            })
        });
        group.bench_function(BenchmarkId::new("20_hvps", name), |b| {
            b.iter(|| {
                for _ in 0..20 {
                    dual_tape.clear();
                    let tape = &dual_tape;
                    let p = tape.vars(black_box(&seeded));
                    black_box(net.loss_on_tape(&p, data).backward().wrt_all(&p));
                }
            })
        });
        // The same 20 products as JAX's loop, H((i+1) v) for i = 0..19, in
        // five 4-lane sweeps; the directions are built once.
        let directions: Vec<f64> = (0..20)
            .flat_map(|i| direction.iter().map(move |v| (i as f64 + 1.0) * v))
            .collect();
        group.bench_function(BenchmarkId::new("20_hvps_batched", name), |b| {
            b.iter(|| {
                net.hessian_matrix_product(
                    black_box(data),
                    black_box(&directions),
                    HessianOptions { threads: 1 },
                )
                .unwrap()
            })
        });
        // What the dense driver spends before sweeping: one recording with
        // constant tangents and the sparsity analysis cut off at about one
        // sweep's work (an MLP's pattern is dense: it gives up, then sweeps
        // densely).
        group.bench_function(BenchmarkId::new("pattern_detection", name), |b| {
            b.iter(|| {
                cheap_hessian_pattern::<LANES, _>(
                    &|p| net.loss_on_tape(p, data),
                    black_box(net.params()),
                )
                .unwrap()
            })
        });
        if name == "small" {
            for threads in [1, 2] {
                let id = BenchmarkId::new(format!("hessian_{threads}_threads"), name);
                group.bench_function(id, |b| {
                    b.iter(|| {
                        net.hessian(black_box(data), HessianOptions { threads })
                            .unwrap()
                    })
                });
            }
            group.bench_function(BenchmarkId::new("hessian_swept_1_threads", name), |b| {
                b.iter(|| swept_hessian(net, black_box(data)))
            });
        }
    }
    group.finish();
    for name in ["small", "medium"] {
        let id = |f: &str| format!("w2/{f}/{name}");
        ratios
            .ratio(
                &format!("{name} gradient / loss (plain f64)"),
                &id("gradient"),
                &id("loss_f64"),
                Target::None,
            )
            .ratio(
                &format!("{name} HVP / gradient"),
                &id("hvp"),
                &id("gradient"),
                Target::None,
            )
            .scaled(
                &format!("{name} 20 HVPs / (20 × one HVP)"),
                &id("20_hvps"),
                &id("hvp"),
                20.0,
                Target::None,
            )
            .ratio(
                &format!("{name} 20 HVPs batched / 20 sequential"),
                &id("20_hvps_batched"),
                &id("20_hvps"),
                Target::None,
            );
    }
    ratios
        .ratio(
            "small Hessian (1 thread) / gradient",
            "w2/hessian_1_threads/small",
            "w2/gradient/small",
            Target::None,
        )
        .ratio(
            "small Hessian 1 thread / 2 threads",
            "w2/hessian_1_threads/small",
            "w2/hessian_2_threads/small",
            Target::None,
        )
        .ratio(
            "small Hessian by layers / swept (1 thread)",
            "w2/hessian_1_threads/small",
            "w2/hessian_swept_1_threads/small",
            Target::None,
        )
        .ratio(
            "small pattern detection / swept Hessian (1 thread)",
            "w2/pattern_detection/small",
            "w2/hessian_swept_1_threads/small",
            Target::AtMost(0.05),
        );
    ratios.print();
}

fn medium_hessian(c: &mut Criterion) {
    let mut ratios = Ratios::new("W2-medium Hessian");
    let mut group = c.benchmark_group("w2_medium_hessian");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(20));
    let w = w2_medium();
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                w.net
                    .hessian(black_box(&w.data), HessianOptions { threads })
                    .unwrap()
            })
        });
    }
    group.bench_function(BenchmarkId::new("swept", 1), |b| {
        b.iter(|| swept_hessian(&w.net, black_box(&w.data)))
    });
    group.finish();
    ratios
        .ratio(
            "medium Hessian (1 thread) / gradient",
            "w2_medium_hessian/threads/1",
            "w2/gradient/medium",
            Target::None,
        )
        .ratio(
            "medium Hessian 1 thread / 2 threads",
            "w2_medium_hessian/threads/1",
            "w2_medium_hessian/threads/2",
            Target::None,
        )
        .ratio(
            "medium Hessian by layers / swept (1 thread)",
            "w2_medium_hessian/threads/1",
            "w2_medium_hessian/swept/1",
            Target::None,
        )
        .ratio(
            "medium pattern detection / swept Hessian (1 thread)",
            "w2/pattern_detection/medium",
            "w2_medium_hessian/swept/1",
            Target::AtMost(0.05),
        );
    ratios.print();
}

criterion_group!(benches, first_order_and_hvp, medium_hessian);
criterion_main!(benches);

/// The dense Hessian by the generic route: the loss recorded on a tape of
/// `LANES`-lane duals for every `LANES` columns (what `Mlp::hessian`
/// falls back to), one thread.
fn swept_hessian(net: &saddle::nn::Mlp, data: &saddle::nn::Dataset) -> saddle::dual::Hessian {
    saddle::dual::hessian_with::<LANES, _>(
        |p| net.loss_on_tape(p, data),
        net.params(),
        HessianOptions { threads: 1 },
    )
    .unwrap()
}
