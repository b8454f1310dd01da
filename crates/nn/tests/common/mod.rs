//! Fixtures shared by the tests of the Hessian and Gauss-Newton routes:
//! deterministic data, networks, and two losses that test the edges (one
//! coupling every output, one singular everywhere).

#![allow(dead_code)] // each test file uses what it needs

use saddle_nn::{Activation, Activations, Dataset, Error, Init, Loss, Matrix, Mlp};
use saddle_tape::{rules, Block, Scalar, Var};

/// `n` samples of `d_in` inputs (`sin` of a ramp) and `d_out` targets
/// (`cos` of a ramp), or `d_out` classes (`(3i + i/7) mod d_out`).
pub fn data(n: usize, d_in: usize, d_out: usize, classes: bool) -> Dataset {
    let x = (0..n * d_in)
        .map(|k| (0.37 * k as f64 + 0.1).sin())
        .collect();
    let x = Matrix::new(n, d_in, x).unwrap();
    if classes {
        let labels: Vec<usize> = (0..n).map(|i| (3 * i + i / 7) % d_out).collect();
        return Dataset::classification(x, &labels).unwrap();
    }
    let y = (0..n * d_out).map(|k| (0.23 * k as f64).cos()).collect();
    Dataset::new(x, Matrix::new(n, d_out, y).unwrap()).unwrap()
}

/// A Xavier-initialised network with the given hidden and output
/// activations.
pub fn net(sizes: &[usize], hidden: Activation, output: Activation, seed: u64) -> Mlp {
    let act = Activations::hidden_output(hidden, output);
    Mlp::new(sizes, act, Init::Xavier, seed).unwrap()
}

/// `L = (mean of all predictions − 0.3)²`: every pair of outputs is
/// coupled, so `H_z` is dense (`2/M²` everywhere).
pub struct SquaredMean;

impl Loss for SquaredMean {
    fn name(&self) -> &'static str {
        "squared-mean"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let m = p.mean() - Var::constant(T::from_f64(0.3));
        Ok(m * m)
    }
}

/// `L = Σᵢ √(zᵢ₀ − zᵢ₀) + Σᵢ zᵢ₁²`: the first output's terms are zero with
/// an infinite first and a non-finite second derivative at every point,
/// the second output's are smooth; so some entries of `H` (and `G`) are
/// NaN and others numbers.
pub struct Singular;

impl Loss for Singular {
    fn name(&self) -> &'static str {
        "singular"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        p: &Block<'t, T>,
        _y: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let rows = p.rows();
        let (a, b) = (p.slice(0..rows, 0..1)?, p.slice(0..rows, 1..2)?);
        Ok(a.sub(&a)?.map("sqrt", rules::sqrt).sum() + b.square().sum())
    }
}
