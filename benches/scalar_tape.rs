//! Per-node cost of the scalar tape on two kinds of scalar code: W1
//! (Rosenbrock, short-range dependencies) and an MLP written as a generic
//! scalar function (every weight used once per sample, so its adjoint is
//! updated from nodes spread over the whole tape).
//!
//! The MLP: layers [8, 32, 32, 1] (1377 parameters), tanh hidden, identity
//! output, mean squared error over a batch of 100 samples, W2's inputs and
//! weights; about 2.8·10⁵ nodes, like W1 at n = 30 000. Rows
//! (`scalar_tape/gradient/<case>`): W1 at n = 1000 (~10⁴ nodes) and
//! n = 30 000, the MLP; each a gradient (record + sweep) on a cleared tape.
//! Printed after the group: nanoseconds per node of each row against W1
//! at n = 1000, so "the MLP costs more per node" is split into "a larger
//! tape costs more per node" (W1 30 000 against W1 1000) and "this code
//! shape costs more per node" (MLP against W1 30 000).
//!
//! `cargo bench --bench scalar_tape`.

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::prelude::*;
use saddle::workloads::{rosenbrock, w1_point, w2};
use std::hint::black_box;

const MLP_SIZES: [usize; 4] = [8, 32, 32, 1];
const BATCH: usize = 100;

/// The MLP's mean squared error as scalar code: `θ` holds each layer's
/// `W` (fan_in × fan_out, row-major) then `b`, as `Mlp` orders them.
fn mlp_loss<S: Real>(theta: &[S], x: &[f64], y: &[f64]) -> S {
    let d_out = MLP_SIZES[MLP_SIZES.len() - 1];
    let mut total = S::zero();
    for i in 0..BATCH {
        let mut a: Vec<S> = x[i * MLP_SIZES[0]..(i + 1) * MLP_SIZES[0]]
            .iter()
            .map(|&v| S::cst(v))
            .collect();
        let mut offset = 0;
        for (l, w) in MLP_SIZES.windows(2).enumerate() {
            let (fan_in, fan_out) = (w[0], w[1]);
            let (weights, biases) = (offset, offset + fan_in * fan_out);
            let mut z: Vec<S> = theta[biases..biases + fan_out].to_vec();
            for (j, &aj) in a.iter().enumerate() {
                for (k, zk) in z.iter_mut().enumerate() {
                    *zk += aj * theta[weights + j * fan_out + k];
                }
            }
            offset = biases + fan_out;
            a = if l + 2 == MLP_SIZES.len() {
                z
            } else {
                z.into_iter().map(|v| v.tanh()).collect()
            };
        }
        for (k, ak) in a.iter().enumerate() {
            let r = *ak - y[i * d_out + k];
            total += r * r;
        }
    }
    total / (BATCH * d_out) as f64
}

fn nodes_of(record: impl Fn(&Tape<f64>)) -> usize {
    let tape = Tape::<f64>::new();
    record(&tape);
    tape.len()
}

fn scalar_tape(c: &mut Criterion) {
    let mut ratios = Ratios::new("scalar tape: ns per node against W1 at n = 1000");
    let mut group = c.benchmark_group("scalar_tape");
    let mut tape = Tape::<f64>::new();

    let mut cases: Vec<(String, usize)> = Vec::new();
    for n in [1000, 30_000] {
        let x0 = w1_point(n);
        let record = |t: &Tape<f64>| {
            let x = t.vars(&x0);
            black_box(rosenbrock(&x).backward().wrt_all(&x));
        };
        cases.push((format!("w1_{n}"), nodes_of(record)));
        group.bench_with_input(
            BenchmarkId::new("gradient", format!("w1_{n}")),
            &x0,
            |b, x0| {
                b.iter(|| {
                    tape.clear();
                    let x = tape.vars(black_box(x0));
                    rosenbrock(&x).backward().wrt_all(&x)
                })
            },
        );
    }

    let w = w2(&MLP_SIZES, BATCH);
    let theta = w.net.params().to_vec();
    let (x, y) = (
        w.data.inputs().as_slice().to_vec(),
        w.data.targets().as_slice().to_vec(),
    );
    let record = |t: &Tape<f64>| {
        let p = t.vars(&theta);
        black_box(mlp_loss(&p, &x, &y).backward().wrt_all(&p));
    };
    cases.push(("mlp".to_string(), nodes_of(record)));
    group.bench_with_input(BenchmarkId::new("gradient", "mlp"), &theta, |b, theta| {
        b.iter(|| {
            tape.clear();
            let p = tape.vars(black_box(theta));
            mlp_loss(&p, &x, &y).backward().wrt_all(&p)
        })
    });
    group.finish();

    let base_nodes = cases[0].1 as f64;
    for (name, nodes) in &cases[1..] {
        ratios.scaled(
            &format!("{name} ({nodes} nodes) per node, against w1_1000 ({base_nodes} nodes)"),
            &format!("scalar_tape/gradient/{name}"),
            "scalar_tape/gradient/w1_1000",
            *nodes as f64 / base_nodes,
            if name == "mlp" {
                Target::AtMost(1.2)
            } else {
                Target::None
            },
        );
    }
    ratios.scaled(
        "mlp per node, against w1_30000 (same tape size)",
        "scalar_tape/gradient/mlp",
        "scalar_tape/gradient/w1_30000",
        cases[2].1 as f64 / cases[1].1 as f64,
        Target::None,
    );
    ratios.print();
}

criterion_group!(benches, scalar_tape);
criterion_main!(benches);
