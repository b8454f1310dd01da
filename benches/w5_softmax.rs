//! W5 (issue 10, item 7): a 5-class softmax cross-entropy MLP
//! `[10, 64, 64, 5]` (tanh hidden, identity output = logits), batch 256,
//! 5189 parameters, defined once in `saddle::workloads::w5`.
//!
//! Rows: the loss on plain f64 (forward pass and a log-sum-exp per row, no
//! tape), the gradient, one HVP, one Gauss-Newton-vector product, the full
//! Hessian (`Mlp::hessian_with`, layer by layer, and the generic route it
//! falls back to, the loss swept on 8-lane duals) and the full Gauss-Newton
//! matrix (one thread; these take seconds, so their group samples 10
//! times). After the run the ratios HVP / gradient, GGNvp / gradient,
//! Hessian / gradient and Hessian by layers / swept are printed from the
//! same run's medians (see `common`).
//!
//! `cargo bench --bench w5_softmax`; scripts read the ids `w5/loss_f64`,
//! `w5/gradient`, `w5/hvp`, `w5/ggnvp`, `w5/hessian_1_threads` and
//! `w5/ggn_1_threads` (keep them stable).

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, Criterion};
use saddle::dual::{Dual, HessianOptions};
use saddle::nn::{Dataset, Mlp, SoftmaxCrossEntropy};
use saddle::prelude::*;
use std::hint::black_box;
use std::time::Duration;

/// The W5 network, data (with its labels) and direction.
fn w5() -> (Mlp, Dataset, Vec<usize>, Vec<f64>) {
    let w = saddle::workloads::w5();
    (w.net, w.data, w.labels, w.direction)
}

/// Mean softmax cross-entropy on plain f64: `mean_i (lse(zᵢ) − z_{i,yᵢ})`.
fn cross_entropy_f64(net: &Mlp, data: &Dataset, labels: &[usize]) -> f64 {
    let z = net.forward(data.inputs()).unwrap();
    let total: f64 = labels
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let row = z.row(i);
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + row.iter().map(|a| (a - m).exp()).sum::<f64>().ln();
            lse - row[y]
        })
        .sum();
    total / labels.len() as f64
}

fn products(c: &mut Criterion) {
    let (net, data, labels, v) = w5();
    let ce = SoftmaxCrossEntropy;
    let mut group = c.benchmark_group("w5");
    group.bench_function("loss_f64", |b| {
        b.iter(|| cross_entropy_f64(&net, black_box(&data), &labels))
    });
    let mut tape = Tape::<f64>::new();
    group.bench_function("gradient", |b| {
        b.iter(|| {
            tape.clear();
            let tape = &tape;
            let p = tape.vars(black_box(net.params()));
            net.loss_on_tape_with(&p, &data, &ce)
                .unwrap()
                .backward()
                .wrt_all(&p)
        })
    });
    let mut dual_tape = Tape::<Dual<f64>>::new();
    let seeded: Vec<Dual<f64>> = net
        .params()
        .iter()
        .zip(&v)
        .map(|(&p, &d)| Dual::new(p, [d]))
        .collect();
    group.bench_function("hvp", |b| {
        b.iter(|| {
            dual_tape.clear();
            let tape = &dual_tape;
            let p = tape.vars(black_box(&seeded));
            net.loss_on_tape_with(&p, &data, &ce)
                .unwrap()
                .backward()
                .wrt_all(&p)
        })
    });
    group.bench_function("ggnvp", |b| {
        b.iter(|| {
            net.ggn_vector_product_with(black_box(&data), &ce, &v)
                .unwrap()
        })
    });
    group.finish();
}

fn full_matrices(c: &mut Criterion) {
    let (net, data, _, _) = w5();
    let ce = SoftmaxCrossEntropy;
    let one = HessianOptions { threads: 1 };
    let mut group = c.benchmark_group("w5");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(40));
    group.bench_function("hessian_1_threads", |b| {
        b.iter(|| {
            net.hessian_with(black_box(&data), &ce, one, &|_| {})
                .unwrap()
        })
    });
    // The generic route `hessian_with` falls back to: the loss recorded on
    // a tape of 8-lane duals for every 8 columns.
    group.bench_function("hessian_swept_1_threads", |b| {
        b.iter(|| {
            saddle::dual::hessian_with::<{ saddle::dual::LANES }, _>(
                |p| net.loss_on_tape_with(p, &data, &ce).unwrap(),
                black_box(net.params()),
                one,
            )
            .unwrap()
        })
    });
    group.bench_function("ggn_1_threads", |b| {
        b.iter(|| net.gauss_newton_with(black_box(&data), &ce, one).unwrap())
    });
    group.finish();
    let mut ratios = Ratios::new("W5 softmax cross-entropy MLP");
    ratios
        .ratio("HVP / gradient", "w5/hvp", "w5/gradient", Target::None)
        .ratio("GGNvp / gradient", "w5/ggnvp", "w5/gradient", Target::None)
        .ratio(
            "Hessian (1 thread) / gradient",
            "w5/hessian_1_threads",
            "w5/gradient",
            Target::None,
        )
        .ratio(
            "Hessian by layers / swept (1 thread)",
            "w5/hessian_1_threads",
            "w5/hessian_swept_1_threads",
            Target::None,
        );
    ratios.print();
}

criterion_group!(benches, products, full_matrices);
criterion_main!(benches);
