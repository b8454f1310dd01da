//! The drivers' result types: a sparse Hessian made dense equals the dense
//! driver's Hessian, traces, and `H V` as a typed column-major matrix.

use saddle_dual::{
    gradient, hessian, hessian_matrix_product, hvp, jvp, sparse_hessian, ColumnMatrix, Hessian,
};
use saddle_tape::prelude::*;

/// W1, the extended Rosenbrock function (as in the facade's workloads):
/// `f(x) = Σᵢ₌₀ⁿ⁻² [100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²]`, tridiagonal Hessian.
fn rosenbrock<S: Real>(x: &[S]) -> S {
    let mut total = S::zero();
    for w in x.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = b - a * a;
        let e = S::one() - a;
        total += d * d * 100.0 + e * e;
    }
    total
}

/// W1's point `xᵢ = 0.8 cos(0.7 i)`.
fn w1_point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect()
}

/// Rosenbrock's Hessian by hand (row-major), the independent route:
/// `∂²/∂xᵢ² = [i < n−1](1200 xᵢ² − 400 xᵢ₊₁ + 2) + [i > 0]·200`,
/// `∂²/∂xᵢ∂xᵢ₊₁ = −400 xᵢ`, zero elsewhere.
fn rosenbrock_hessian(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        if i + 1 < n {
            h[i * n + i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[i * n + i + 1] = -400.0 * x[i];
            h[(i + 1) * n + i] = -400.0 * x[i];
        }
        if i > 0 {
            h[i * n + i] += 200.0;
        }
    }
    h
}

/// A deterministic pseudo-random stream (SplitMix64), so the "random"
/// sparse function is the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [−1, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// `f(x) = Σₖ cₖ sin(x_{iₖ} x_{jₖ}) + Σᵢ dᵢ xᵢ³` over `pairs` random
/// index pairs: a Hessian with a random sparsity pattern.
struct RandomSparse {
    pairs: Vec<(usize, usize, f64)>,
    cubes: Vec<f64>,
}

impl RandomSparse {
    fn new(n: usize, pairs: usize, seed: u64) -> Self {
        let mut rng = SplitMix(seed);
        let pairs = (0..pairs)
            .map(|_| {
                let i = (rng.next() % n as u64) as usize;
                let j = (rng.next() % n as u64) as usize;
                (i, j, rng.unit())
            })
            .collect();
        let cubes = (0..n).map(|_| rng.unit()).collect();
        RandomSparse { pairs, cubes }
    }

    fn eval<S: Real>(&self, x: &[S]) -> S {
        let mut total = S::zero();
        for &(i, j, c) in &self.pairs {
            total += (x[i] * x[j]).sin() * c;
        }
        for (xi, &d) in x.iter().zip(&self.cubes) {
            total += xi.powi(3) * d;
        }
        total
    }
}

#[test]
fn sparse_to_dense_equals_dense_hessian_rosenbrock() {
    let x = w1_point(10);
    let sparse = sparse_hessian(|x| rosenbrock(x), &x).unwrap();
    let dense = hessian(|x| rosenbrock(x), &x).unwrap();
    // Bit for bit: every entry comes from the same tangent arithmetic (a
    // colour's other columns add exact zeros to a row outside their
    // pattern), and the conversion only moves numbers.
    assert_eq!(sparse.to_dense(), dense);
    assert_eq!(Hessian::from(&sparse), dense);
    assert_eq!(sparse.try_to_dense().unwrap(), dense);
    // Column-major, not transposed: against the row-major form too.
    assert_eq!(
        sparse.to_dense().to_row_major(),
        sparse.to_dense_row_major()
    );
    // The independent route: the Hessian by hand. Entries are O(10³)
    // computed in a handful of operations on both sides, so they agree to
    // a few ulps of the largest entry; 1e-12 relative leaves ample margin.
    let by_hand = rosenbrock_hessian(&x);
    let scale = by_hand.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
    for (k, (a, b)) in dense.to_row_major().iter().zip(&by_hand).enumerate() {
        assert!((a - b).abs() <= 1e-12 * scale, "entry {k}: {a} vs {b}");
    }
}

#[test]
fn sparse_to_dense_equals_dense_hessian_random_sparse() {
    for (n, pairs, seed) in [(12, 15, 1), (30, 40, 2), (7, 3, 3)] {
        let f = RandomSparse::new(n, pairs, seed);
        let mut rng = SplitMix(100 + seed);
        let x: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
        let sparse = sparse_hessian(|x| f.eval(x), &x).unwrap();
        let dense = hessian(|x| f.eval(x), &x).unwrap();
        assert!(
            sparse.nnz() < n * n,
            "n = {n}: the pattern should be sparse"
        );
        // Exact, as for Rosenbrock. A pair (i, i) gives sin(xᵢ²), whose
        // tangent arithmetic is the same in both drivers too.
        assert_eq!(sparse.to_dense(), dense, "n = {n}, seed {seed}");
        assert_eq!(sparse.trace(), dense.trace(), "n = {n}, seed {seed}");
    }
}

#[test]
fn trace_is_the_diagonal_sum_and_the_exact_value() {
    let x = w1_point(10);
    let dense = hessian(|x| rosenbrock(x), &x).unwrap();
    let sparse = sparse_hessian(|x| rosenbrock(x), &x).unwrap();
    let diagonal: f64 = (0..10).map(|i| dense.get(i, i)).sum();
    assert_eq!(dense.trace(), diagonal);
    // Same diagonal values summed in the same order: identical.
    assert_eq!(sparse.trace(), dense.trace());
    // Exact trace by hand: Σᵢ<ₙ₋₁ (1200 xᵢ² − 400 xᵢ₊₁ + 2) + 200 (n − 1).
    // Ten O(10³) terms, each a few roundings: 1e-12 relative is generous.
    let exact: f64 = (0..9)
        .map(|i| 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0)
        .sum::<f64>()
        + 200.0 * 9.0;
    assert!(
        (dense.trace() - exact).abs() <= 1e-12 * exact.abs(),
        "trace {} vs exact {exact}",
        dense.trace()
    );
    // A matrix given by hand: tr = 2 − 5.
    let h = Hessian::from_column_major(2, vec![2.0, 1.0, 1.0, -5.0]).unwrap();
    assert_eq!(h.trace(), -3.0);
}

#[test]
fn hessian_matrix_product_is_a_column_matrix_of_hvps() {
    let x = w1_point(10);
    let mut rng = SplitMix(7);
    let m = 11; // two sweeps of LANES = 8, the second one partial
    let directions: Vec<f64> = (0..10 * m).map(|_| rng.unit()).collect();
    let hv = hessian_matrix_product(|x| rosenbrock(x), &x, &directions).unwrap();
    assert_eq!((hv.rows(), hv.cols()), (10, m));
    assert_eq!(hv.columns().count(), m);
    let h = rosenbrock_hessian(&x);
    let scale = h.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
    for j in 0..m {
        let v = &directions[j * 10..(j + 1) * 10];
        let single = hvp(|x| rosenbrock(x), &x, v).unwrap();
        // The same product by a one-lane sweep, and by the hand Hessian
        // times v: |v|∞ ≤ 1 and three nonzeros per row of O(10³), so the
        // rounding is a few ulps of 3·scale; 1e-12·scale is generous.
        for i in 0..10 {
            let by_hand: f64 = (0..10).map(|k| h[i * 10 + k] * v[k]).sum();
            let got = hv.get(i, j);
            assert!((got - single.hv[i]).abs() <= 1e-12 * scale, "({i}, {j})");
            assert!((got - by_hand).abs() <= 1e-12 * scale, "({i}, {j})");
        }
        assert_eq!(hv.column(j), hv.try_column(j).unwrap());
    }
    assert_eq!(hv.try_get(10, 0), None);
    assert_eq!(hv.try_get(0, m), None);
    assert_eq!(hv.try_column(m), None);
    let row_major = hv.to_row_major();
    assert_eq!(row_major[3 * m + 5], hv.get(3, 5));
    assert_eq!(hv.clone().into_column_major(), hv.as_column_major());
}

#[test]
fn column_matrix_rejects_a_wrong_length_naming_both_numbers() {
    let e = ColumnMatrix::from_column_major(2, 3, vec![0.0; 5]).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("5 entries") && text.contains("2×3"), "{text}");
    let e = ColumnMatrix::from_column_major(usize::MAX, 2, vec![]).unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
}

#[test]
#[should_panic(expected = "ColumnMatrix::get(2, 0) out of range for a 2×1 matrix")]
fn column_matrix_get_out_of_range_panics_naming_the_shape() {
    ColumnMatrix::from_column_major(2, 1, vec![1.0, 2.0])
        .unwrap()
        .get(2, 0);
}

#[test]
fn gradient_and_jvp_named_fields_agree_with_hvp() {
    let x = w1_point(6);
    let v: Vec<f64> = (0..6).map(|i| (1.3 * i as f64 + 0.5).sin()).collect();
    let g = gradient(|x| rosenbrock(x), &x).unwrap();
    let d = jvp(rosenbrock, &x, &v).unwrap();
    let r = hvp(|x| rosenbrock(x), &x, &v).unwrap();
    // Three routes to f and ∇f (reverse on f64, forward on duals, reverse on
    // duals): the value is the same arithmetic, so identical; the gradient
    // from reverse mode on f64 and on duals' real parts is too.
    assert_eq!(g.value, r.value);
    assert_eq!(d.value, r.value);
    assert_eq!(g.gradient, r.gradient);
    // ∇f·v by forward mode against the dot product of the reverse gradient:
    // different summation orders over O(10²) terms; 1e-12 relative.
    let dot: f64 = g.gradient.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((d.derivative - dot).abs() <= 1e-12 * dot.abs().max(1.0));
}
