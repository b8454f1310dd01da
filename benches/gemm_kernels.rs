//! The two `f64` gemm kernels the tape could call, on the shapes the W2 and
//! W5 networks run (batch 256): `matrixmultiply` 0.3 (AVX2/FMA kernels) and
//! the `gemm` crate 0.19 (faer's kernels, run-time AVX-512 dispatch through
//! its `x86-v4` feature), single-threaded (`Parallelism::None`).
//!
//! Each product is the one a dense layer `Z = X W + b` issues:
//! - `ab`: forward, `Z (+)= X·W` (`n × fan_in · fan_in × fan_out`);
//! - `atb`: reverse, `W̄ += Xᵀ·δ` (`X` read transposed through strides);
//! - `abt`: reverse, `X̄ += δ·Wᵀ` (`W` read transposed).
//!
//! and, for the dual tapes, the same products on interleaved storage:
//! - `dual1_*`: one HVP lane (`Dual<f64, 1>`): the real part of each
//!   operand read in place with column stride 2;
//! - `lanes8_*`: the 8-lane Hessian path packs the tangents, then calls
//!   `P·B.re` (`8n × k · k × m`, `B.re` at stride 9) and `A.re·Q`
//!   (`A.re` at stride 9 times `k × 8m`).
//!
//! Both kernels run back to back on each shape (interleaved), and after the
//! group the ratio `gemm / matrixmultiply` of the same run's medians is
//! printed per shape (below 1: the `gemm` crate is faster). Before timing,
//! each shape checks that both kernels agree (relative 1e-12: the sums have
//! at most 256 terms of size ≤ 1, so reassociation moves them by far less).
//!
//! `cargo bench --bench gemm_kernels`

mod common;

use common::{Ratios, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;

/// One product `C (+)= A·B` with `A` `m × k`, `B` `k × n`, given as strided
/// views into three buffers (strides in elements, as both crates take them).
#[derive(Clone)]
struct Case {
    name: String,
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f64>,
    ars: isize,
    acs: isize,
    b: Vec<f64>,
    brs: isize,
    bcs: isize,
    c: Vec<f64>,
    crs: isize,
    ccs: isize,
}

/// Deterministic values in [−1, 1) (no RNG needed for timing).
fn fill(len: usize, salt: f64) -> Vec<f64> {
    (0..len)
        .map(|i| ((i as f64 + salt) * 0.618_033_988_749_895).fract() * 2.0 - 1.0)
        .collect()
}

/// A row-major `rows × cols` matrix stored every `spread` numbers (the real
/// parts of duals with `spread − 1` tangent lanes): `(row_stride,
/// col_stride)` and a buffer that holds it.
fn spread(rows: usize, cols: usize, spread: usize, salt: f64) -> (Vec<f64>, isize, isize) {
    (
        fill(rows * cols * spread, salt),
        (cols * spread) as isize,
        spread as isize,
    )
}

impl Case {
    /// `C = A·B`, `A` `m × k` and `B` `k × n` row-major, each spread by
    /// `sa`, `sb`; `C` dense row-major.
    fn ab(name: String, m: usize, k: usize, n: usize, sa: usize, sb: usize) -> Case {
        let (a, ars, acs) = spread(m, k, sa, 0.1);
        let (b, brs, bcs) = spread(k, n, sb, 0.3);
        Case {
            name,
            m,
            k,
            n,
            a,
            ars,
            acs,
            b,
            brs,
            bcs,
            c: fill(m * n, 0.7),
            crs: n as isize,
            ccs: 1,
        }
    }

    /// `C = Aᵀ·B` with `A` stored `k × m` (spread `sa`): the transpose read
    /// through swapped strides.
    fn atb(name: String, m: usize, k: usize, n: usize, sa: usize, sb: usize) -> Case {
        let mut c = Case::ab(name, m, k, n, sa, sb);
        let (a, rs, cs) = spread(k, m, sa, 0.1);
        (c.a, c.ars, c.acs) = (a, cs, rs);
        c
    }

    /// `C = A·Bᵀ` with `B` stored `n × k` (spread `sb`).
    fn abt(name: String, m: usize, k: usize, n: usize, sa: usize, sb: usize) -> Case {
        let mut c = Case::ab(name, m, k, n, sa, sb);
        let (b, rs, cs) = spread(n, k, sb, 0.3);
        (c.b, c.brs, c.bcs) = (b, cs, rs);
        c
    }

    /// `C += A·B` by `matrixmultiply::dgemm`.
    fn matrixmultiply(&mut self) {
        // SAFETY: every view was built above to lie inside its buffer, and
        // `c` is not aliased.
        unsafe {
            matrixmultiply::dgemm(
                self.m,
                self.k,
                self.n,
                1.0,
                self.a.as_ptr(),
                self.ars,
                self.acs,
                self.b.as_ptr(),
                self.brs,
                self.bcs,
                1.0,
                self.c.as_mut_ptr(),
                self.crs,
                self.ccs,
            )
        }
    }

    /// `C += A·B` by `gemm::gemm` (`dst := α·dst + β·lhs·rhs`, α = β = 1).
    fn gemm(&mut self) {
        // SAFETY: as in `matrixmultiply`.
        unsafe {
            gemm::gemm(
                self.m,
                self.n,
                self.k,
                self.c.as_mut_ptr(),
                self.ccs,
                self.crs,
                true,
                self.a.as_ptr(),
                self.acs,
                self.ars,
                self.b.as_ptr(),
                self.bcs,
                self.brs,
                1.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            )
        }
    }
}

/// The dense-layer products of one network at `batch` (`in → out` per
/// layer); the first layer's input is data, so it has no `X̄` product.
fn layer_cases(net: &str, batch: usize, layers: &[(usize, usize)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (l, &(fi, fo)) in layers.iter().enumerate() {
        let tag = |kind: &str| format!("{net}_{kind}_{batch}x{fi}x{fo}");
        cases.push(Case::ab(tag("ab"), batch, fi, fo, 1, 1));
        cases.push(Case::atb(tag("atb"), fi, batch, fo, 1, 1));
        if l > 0 {
            cases.push(Case::abt(tag("abt"), batch, fo, fi, 1, 1));
        }
    }
    cases
}

fn cases() -> Vec<Case> {
    let mut cases = layer_cases("w2", 256, &[(8, 64), (64, 64), (64, 1)]);
    // W5's middle layer is W2's: only the layers that differ.
    cases.extend(
        layer_cases("w5", 256, &[(10, 64), (64, 64), (64, 5)])
            .into_iter()
            .filter(|c| !c.name.contains("x64x64")),
    );
    // One HVP lane, the 64 × 64 layer: real parts at stride 2.
    cases.push(Case::ab("dual1_ab_256x64x64".into(), 256, 64, 64, 2, 2));
    cases.push(Case::atb("dual1_atb_256x64x64".into(), 64, 256, 64, 2, 2));
    cases.push(Case::abt("dual1_abt_256x64x64".into(), 256, 64, 64, 2, 2));
    // Eight Hessian lanes, the 64 × 64 layer's forward product: `P·B.re`
    // and `A.re·Q` (packed operands dense, real parts at stride 9).
    cases.push(Case::ab("lanes8_pb_2048x64x64".into(), 2048, 64, 64, 1, 9));
    cases.push(Case::ab("lanes8_aq_256x64x512".into(), 256, 64, 512, 9, 1));
    cases
}

fn kernels(c: &mut Criterion) {
    let mut ratios = Ratios::new("f64 gemm kernels (gemm crate / matrixmultiply)");
    let mut group = c.benchmark_group("gemm_kernels");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for case in cases() {
        let (mut x, mut y) = (case.clone(), case.clone());
        x.matrixmultiply();
        y.gemm();
        for (p, q) in x.c.iter().zip(&y.c) {
            assert!(
                (p - q).abs() <= 1e-12 * p.abs().max(1.0),
                "{}: matrixmultiply {p} vs gemm {q}",
                case.name
            );
        }
        // Accumulating into the same `C` grows it linearly with the
        // iteration count; harmless for timing (no overflow in 10⁹ steps).
        group.bench_function(BenchmarkId::new("matrixmultiply", &case.name), |b| {
            b.iter(|| black_box(&mut x).matrixmultiply())
        });
        group.bench_function(BenchmarkId::new("gemm", &case.name), |b| {
            b.iter(|| black_box(&mut y).gemm())
        });
        ratios.ratio(
            &case.name,
            &format!("gemm_kernels/gemm/{}", case.name),
            &format!("gemm_kernels/matrixmultiply/{}", case.name),
            Target::None,
        );
    }
    group.finish();
    ratios.print();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
