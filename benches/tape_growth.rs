//! Per-node cost of recording and sweeping a scalar tape as it grows
//! (issue: flat per-node cost from 10⁴ to 10⁷ nodes without `with_capacity`).
//!
//! Each iteration builds a fresh `Tape` (no capacity hint, as a user
//! writes it), records a chain of `n` nodes `xₖ₊₁ = (xₖ·c + x₀)·x₀` (three
//! nodes per step, all cheap arithmetic, so the tape's own cost dominates), and sweeps it back
//! once. Criterion's throughput is in nodes, so the reports read as
//! nodes/s; after the group, the per-node ratio of each size against 10⁴
//! is printed (target: at most 2 at 10⁷).
//!
//! `cargo bench --bench tape_growth`; ids `tape_growth/record_and_sweep/<nodes>`.

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use saddle::prelude::*;
use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 4] = [10_000, 100_000, 1_000_000, 10_000_000];

/// Records `n` nodes (a leaf, then steps of three nodes) on a fresh tape
/// and sweeps.
fn record_and_sweep(n: usize) -> f64 {
    chain(&Tape::<f64>::new(), n)
}

/// The chain on `tape`, swept once.
fn chain(tape: &Tape<f64>, n: usize) -> f64 {
    let x0 = tape.var(0.3);
    let mut x = x0;
    for _ in 0..(n - 1) / 3 {
        // mul by a constant, add, mul: one node each.
        x = (x * 0.5 + x0) * x0;
    }
    let g = x.backward();
    g.wrt(x0)
}

fn growth(c: &mut Criterion) {
    let mut ratios = Ratios::new("tape growth: per-node cost against 10⁴ nodes");
    let mut group = c.benchmark_group("tape_growth");
    group.warm_up_time(Duration::from_secs(1));
    for &n in &SIZES {
        if n >= 1_000_000 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("record_and_sweep", n), &n, |b, &n| {
            b.iter(|| black_box(record_and_sweep(black_box(n))))
        });
    }
    // Where the time goes at 10⁷: the same work with the node storage
    // reserved up front, and on one tape reused through `clear` (no fresh
    // memory at all).
    let n = *SIZES.last().unwrap();
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_with_input(BenchmarkId::new("with_capacity", n), &n, |b, &n| {
        b.iter(|| black_box(chain(&Tape::with_capacity(n), black_box(n))))
    });
    let mut reused = Tape::<f64>::new();
    group.bench_with_input(BenchmarkId::new("reused_tape", n), &n, |b, &n| {
        b.iter(|| {
            reused.clear();
            black_box(chain(&reused, black_box(n)))
        })
    });
    group.finish();
    let base = format!("tape_growth/record_and_sweep/{}", SIZES[0]);
    for &n in &SIZES[1..] {
        let target = if n == 10_000_000 {
            Target::AtMost(2.0)
        } else {
            Target::None
        };
        ratios.scaled(
            &format!("per node, {n} against {} nodes", SIZES[0]),
            &format!("tape_growth/record_and_sweep/{n}"),
            &base,
            (n / SIZES[0]) as f64,
            target,
        );
    }
    ratios.print();
}

criterion_group!(benches, growth);
criterion_main!(benches);
