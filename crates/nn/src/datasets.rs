//! Small synthetic regression sets, generated deterministically from a seed.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::data::Dataset;
use crate::error::Error;
use crate::matrix::Matrix;

fn build(inputs: Vec<Vec<f64>>, targets: Vec<f64>) -> Result<Dataset, Error> {
    Dataset::new(Matrix::from_rows(&inputs)?, Matrix::column(targets)?)
}

/// Checks `n ≥ 1` and that `n` samples of `width` numbers (inputs and
/// targets) can be allocated, so that an absurd `n` is an error rather
/// than an abort.
fn check_n(n: usize, width: usize) -> Result<(), Error> {
    if n == 0 {
        return Err(Error::invalid(
            "a synthetic dataset needs at least one sample",
        ));
    }
    let too_many = || {
        Error::invalid(format!(
            "cannot allocate a synthetic dataset of {n} samples"
        ))
    };
    // Twice: the rows are built, then copied into the matrices.
    let entries = n
        .checked_mul(width)
        .and_then(|e| e.checked_mul(2))
        .ok_or_else(too_many)?;
    Vec::<f64>::new()
        .try_reserve_exact(entries)
        .map_err(|_| too_many())
}

/// `y = sin x + noise·ε`, `x` uniform in `[−π, π]`, `ε ~ N(0, 1)`:
/// one input, one output.
///
/// # Errors
/// If `n = 0` or too large to allocate, or `noise` is negative or not finite.
pub fn noisy_sine(n: usize, noise: f64, seed: u64) -> Result<Dataset, Error> {
    check_n(n, 2)?;
    let bad_noise = || Error::invalid(format!("noise must be finite and ≥ 0, got {noise}"));
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(bad_noise());
    }
    let normal = Normal::new(0.0, noise).map_err(|_| bad_noise())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let xs: Vec<f64> = (0..n)
        .map(|_| rng.random_range(-std::f64::consts::PI..std::f64::consts::PI))
        .collect();
    let ys = xs
        .iter()
        .map(|x| x.sin() + normal.sample(&mut rng))
        .collect();
    build(xs.into_iter().map(|x| vec![x]).collect(), ys)
}

/// A bowl, `y = x₁² + x₂²` on `[−1, 1]²`: two inputs, one output, no noise.
///
/// # Errors
/// If `n = 0` or too large to allocate.
pub fn bowl(n: usize, seed: u64) -> Result<Dataset, Error> {
    check_n(n, 3)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let xs: Vec<Vec<f64>> = (0..n)
        .map(|_| vec![rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)])
        .collect();
    let ys = xs.iter().map(|x| x[0] * x[0] + x[1] * x[1]).collect();
    build(xs, ys)
}

/// XOR-like: `y = 1` when `x₁` and `x₂` have different signs, else `0`,
/// on `[−1, 1]²`. Not linearly separable: a network needs a hidden layer.
///
/// # Errors
/// If `n = 0` or too large to allocate.
pub fn xor(n: usize, seed: u64) -> Result<Dataset, Error> {
    check_n(n, 3)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let xs: Vec<Vec<f64>> = (0..n)
        .map(|_| vec![rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)])
        .collect();
    let ys = xs
        .iter()
        .map(|x| {
            if (x[0] > 0.0) != (x[1] > 0.0) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    build(xs, ys)
}

/// `K` interleaved spiral arms in the plane, one class each (the classic
/// CS231n set): for class `k` and `i = 0..n`, with `r = i/n` and
/// `t = 4k + 4 i/n + noise·ε`, `ε ~ N(0, 1)`, the sample is
/// `(r sin t, r cos t)` with label `k`. Two inputs; the target is one
/// column of class indices, for [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy).
/// Not linearly separable for `K ≥ 2`.
///
/// # Errors
/// If `n_per_class = 0`, `classes < 2`, the total is too large to
/// allocate, or `noise` is negative or not finite.
pub fn spirals(
    n_per_class: usize,
    classes: usize,
    noise: f64,
    seed: u64,
) -> Result<Dataset, Error> {
    if classes < 2 {
        return Err(Error::invalid(format!(
            "a classification set needs at least 2 classes, got {classes}"
        )));
    }
    let n = n_per_class.checked_mul(classes).ok_or_else(|| {
        Error::invalid(format!(
            "{n_per_class} samples × {classes} classes overflow the sample count"
        ))
    })?;
    check_n(n, 3)?;
    let bad_noise = || Error::invalid(format!("noise must be finite and ≥ 0, got {noise}"));
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(bad_noise());
    }
    let normal = Normal::new(0.0, noise).map_err(|_| bad_noise())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut xs = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for k in 0..classes {
        for i in 0..n_per_class {
            let r = i as f64 / n_per_class as f64;
            let t = 4.0 * k as f64 + 4.0 * r + normal.sample(&mut rng);
            xs.push(vec![r * t.sin(), r * t.cos()]);
            labels.push(k);
        }
    }
    Dataset::classification(Matrix::from_rows(&xs)?, &labels)
}
