//! The benchmark workloads of `BENCHMARKS.md`, defined once.
//!
//! Every input is computed in `f64` in the order written there, so the
//! reference values in that file are reproduced bit for bit (up to the
//! platform's `sin`/`cos`).

use saddle_nn::{Activation, Dataset, Matrix, Mlp};
use saddle_tape::{Block, Real, Scalar, Var};

/// W1, the extended Rosenbrock function:
/// `f(x) = Σᵢ₌₀ⁿ⁻² [100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²]`.
///
/// Its Hessian is tridiagonal.
pub fn rosenbrock<S: Real>(x: &[S]) -> S {
    let mut total = S::zero();
    for w in x.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = b - a * a;
        let e = S::one() - a;
        total += d * d * 100.0 + e * e;
    }
    total
}

/// W1 written with block operations, the way NumPy or JAX code writes it:
/// with `a = x[..n−1]` and `b = x[1..]` (two slices of the `1 × n` block
/// `x`), `f = 100 Σ (b − a²)² + Σ (1 − a)²`. Seven block entries on the
/// tape instead of about `9n` scalar nodes; the same value as
/// [`rosenbrock`] up to summation order.
///
/// # Errors
/// If `x` is not a single row of at least two entries.
pub fn rosenbrock_blocks<'t, T: Scalar>(
    x: &Block<'t, T>,
) -> Result<Var<'t, T>, saddle_tape::Error> {
    let n = x.cols();
    let (a, b) = (x.slice(0..1, 0..n.saturating_sub(1))?, x.slice(0..1, 1..n)?);
    let d = b.sub(&a.square())?;
    let e = a.affine(-1.0, 1.0);
    Ok(d.square().sum() * 100.0 + e.square().sum())
}

/// W1's point: `xᵢ = 0.8 cos(0.7 i)`.
pub fn w1_point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect()
}

/// W1's direction: `vᵢ = sin(1.3 i + 0.5)`.
pub fn w1_direction(n: usize) -> Vec<f64> {
    (0..n).map(|i| (1.3 * i as f64 + 0.5).sin()).collect()
}

/// A W2 workload: the network (tanh hidden layers, identity output), its
/// data and the direction `v` of BENCHMARKS.md.
pub struct W2 {
    /// The network with the workload's parameters.
    pub net: Mlp,
    /// `X[i][j] = sin(0.37 (i d_in + j) + 0.1)`, `y[i] = 0.5 cos(0.23 i)`.
    pub data: Dataset,
    /// `v_p = sin(1.3 p + 0.5)`.
    pub direction: Vec<f64>,
}

/// W2 for layer sizes `sizes` and batch `n`:
/// `W[j][k] = 0.5 sin(1.7 (j fan_out + k) + l) / √fan_in`,
/// `b[k] = 0.1 cos(0.9 k + l)` for layer `l = 1..L`.
pub fn w2(sizes: &[usize], n: usize) -> W2 {
    let y: Vec<f64> = (0..n).map(|i| 0.5 * (0.23 * i as f64).cos()).collect();
    let (net, x) = (network(sizes), inputs(n, sizes[0]));
    W2 {
        direction: direction(net.num_params()),
        net,
        data: Dataset::new(x, Matrix::column(y).expect("W2 targets")).expect("W2 data is finite"),
    }
}

/// The network of W2 and W5: tanh hidden layers, identity output, the
/// parameters of [`w2`]'s formula in `Mlp` order.
fn network(sizes: &[usize]) -> Mlp {
    let mut params = Vec::new();
    for (l, w) in sizes.windows(2).enumerate() {
        let (fan_in, fan_out, layer) = (w[0], w[1], (l + 1) as f64);
        for j in 0..fan_in {
            for k in 0..fan_out {
                params.push(
                    0.5 * (1.7 * (j * fan_out + k) as f64 + layer).sin() / (fan_in as f64).sqrt(),
                );
            }
        }
        params.extend((0..fan_out).map(|k| 0.1 * (0.9 * k as f64 + layer).cos()));
    }
    let layers = sizes.len() - 1;
    let acts: Vec<Activation> = (0..layers)
        .map(|l| {
            if l + 1 == layers {
                Activation::Identity
            } else {
                Activation::Tanh
            }
        })
        .collect();
    Mlp::from_params(sizes, &acts, params).expect("workload parameters fit")
}

/// `X[i][j] = sin(0.37 (i d_in + j) + 0.1)`, `n × d_in`.
fn inputs(n: usize, d_in: usize) -> Matrix {
    let x = (0..n * d_in)
        .map(|k| (0.37 * k as f64 + 0.1).sin())
        .collect();
    Matrix::new(n, d_in, x).expect("workload inputs")
}

/// `v_p = sin(1.3 p + 0.5)`.
fn direction(len: usize) -> Vec<f64> {
    (0..len).map(|p| (1.3 * p as f64 + 0.5).sin()).collect()
}

/// W5: a 5-class softmax cross-entropy classifier.
pub struct W5 {
    /// Layers `[10, 64, 64, 5]` with W2's parameter formula (5189
    /// parameters); the outputs are the logits.
    pub net: Mlp,
    /// W2's inputs (`N = 256`) with class labels
    /// `cᵢ = (3i + ⌊i/7⌋) mod 5`.
    pub data: Dataset,
    /// The labels `cᵢ`, as in `data`.
    pub labels: Vec<usize>,
    /// `v_p = sin(1.3 p + 0.5)`.
    pub direction: Vec<f64>,
}

/// W5: `L = (1/N) Σᵢ [logsumexp(zᵢ) − zᵢ[cᵢ]]` on the network and data of
/// [`W5`] (use `saddle::nn::SoftmaxCrossEntropy`).
pub fn w5() -> W5 {
    const SIZES: [usize; 4] = [10, 64, 64, 5];
    const N: usize = 256;
    let labels: Vec<usize> = (0..N).map(|i| (3 * i + i / 7) % 5).collect();
    let net = network(&SIZES);
    W5 {
        direction: direction(net.num_params()),
        data: Dataset::classification(inputs(N, SIZES[0]), &labels).expect("W5 data"),
        net,
        labels,
    }
}

/// W2-small: layers `[4, 16, 16, 1]`, batch 64 (369 parameters).
pub fn w2_small() -> W2 {
    w2(&[4, 16, 16, 1], 64)
}

/// W2-medium: layers `[8, 64, 64, 1]`, batch 256 (4801 parameters).
pub fn w2_medium() -> W2 {
    w2(&[8, 64, 64, 1], 256)
}
