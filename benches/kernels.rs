//! Element-wise block kernels of `saddle-nn` against libm, on the size of
//! one W2-medium hidden layer's pre-activations (256 × 64 = 16 384) times
//! two layers: 32 768 `f64`s, the `tanh` calls of one W2-medium forward pass.
//!
//! Rows: `kernels/tanh/{simd,libm}` (values only) and
//! `kernels/tanh_with_slopes/{simd,libm}` (values and `1 − tanh²`, as a
//! dense layer needs). The ratio SIMD / libm is printed after the group.
//! `kernels/{sigmoid,softplus}_with_slopes/{simd,scalar}`: the fused SIMD
//! kernels against the scalar rules the layer used before (libm `exp`,
//! `ln_1p`), ratio SIMD / scalar printed after the group.
//!
//! `cargo bench --bench kernels`

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use saddle::nn::kernels;
use std::hint::black_box;

fn inputs() -> Vec<f64> {
    // Pre-activations of a trained-ish tanh layer: mostly in [−3, 3], a
    // deterministic sweep (no RNG needed for timing).
    (0..32_768)
        .map(|i| ((i as f64) * 0.618_033_988_749_895).fract() * 6.0 - 3.0)
        .collect()
}

fn tanh(c: &mut Criterion) {
    // Created first: it records the run's start, and only estimates written
    // after it count as this run's.
    let mut ratios = Ratios::new("tanh kernel");
    let x = inputs();
    let mut group = c.benchmark_group("kernels");
    let mut z = x.clone();
    group.bench_function(BenchmarkId::new("tanh", "simd"), |b| {
        b.iter(|| {
            z.copy_from_slice(black_box(&x));
            kernels::tanh_in_place(&mut z);
            black_box(&z);
        })
    });
    group.bench_function(BenchmarkId::new("tanh", "libm"), |b| {
        b.iter(|| {
            z.copy_from_slice(black_box(&x));
            z.iter_mut().for_each(|v| *v = v.tanh());
            black_box(&z);
        })
    });
    group.bench_function(BenchmarkId::new("tanh_with_slopes", "simd"), |b| {
        b.iter(|| {
            z.copy_from_slice(black_box(&x));
            black_box(kernels::tanh_with_slopes(&mut z))
        })
    });
    group.bench_function(BenchmarkId::new("tanh_with_slopes", "libm"), |b| {
        b.iter(|| {
            z.copy_from_slice(black_box(&x));
            let s: Vec<f64> = z
                .iter_mut()
                .map(|v| {
                    let t = v.tanh();
                    *v = t;
                    1.0 - t * t
                })
                .collect();
            black_box(s)
        })
    });
    group.finish();
    ratios
        .ratio(
            "tanh: SIMD / libm (32 768 f64)",
            "kernels/tanh/simd",
            "kernels/tanh/libm",
            Target::AtMost(1.0),
        )
        .ratio(
            "tanh with slopes: SIMD / libm",
            "kernels/tanh_with_slopes/simd",
            "kernels/tanh_with_slopes/libm",
            Target::AtMost(1.0),
        );
    ratios.print();
}

/// `sigmoid` and `softplus` with slopes, as a dense layer needs them: the
/// SIMD kernels against the scalar rules of `saddle_tape::rules` (what the
/// layer ran before), on the same 32 768 pre-activations.
fn logistic(c: &mut Criterion) {
    let mut ratios = Ratios::new("sigmoid / softplus kernels");
    let x = inputs();
    let mut group = c.benchmark_group("kernels");
    let mut z = x.clone();
    type Kernel = fn(&mut [f64]) -> Vec<f64>;
    type Rule = fn(f64) -> (f64, f64);
    let cases: [(&str, Kernel, Rule); 2] = [
        (
            "sigmoid_with_slopes",
            kernels::sigmoid_with_slopes,
            saddle::tape::rules::sigmoid::<f64>,
        ),
        (
            "softplus_with_slopes",
            kernels::softplus_with_slopes,
            saddle::tape::rules::softplus::<f64>,
        ),
    ];
    for (name, kernel, rule) in cases {
        group.bench_function(BenchmarkId::new(name, "simd"), |b| {
            b.iter(|| {
                z.copy_from_slice(black_box(&x));
                black_box(kernel(&mut z))
            })
        });
        group.bench_function(BenchmarkId::new(name, "scalar"), |b| {
            b.iter(|| {
                z.copy_from_slice(black_box(&x));
                let s: Vec<f64> = z
                    .iter_mut()
                    .map(|v| {
                        let (a, d) = rule(*v);
                        *v = a;
                        d
                    })
                    .collect();
                black_box(s)
            })
        });
        ratios.ratio(
            &format!("{name}: SIMD / scalar rule (32 768 f64)"),
            &format!("kernels/{name}/simd"),
            &format!("kernels/{name}/scalar"),
            Target::AtMost(1.0),
        );
    }
    group.finish();
    ratios.print();
}

criterion_group!(benches, tanh, logistic);
criterion_main!(benches);
