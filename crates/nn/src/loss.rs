//! The mean squared error as one block operation.
//!
//! `L = (1/(N·m)) Σᵢⱼ (Pᵢⱼ − Yᵢⱼ)²` over all `N` samples and `m` outputs
//! (the seed's `(1/n) Σ (yᵢ − ŷᵢ)²` for one output; PyTorch's `MSELoss`
//! default for several). Reverse rule: `P̄ += (2/(N·m)) (P − Y) · L̄` — the
//! seed's `∂L/∂a^(L)`, the start of backpropagation.

use std::ops::Range;

use saddle_tape::{Block, BlockOp, Cotangents, Scalar, Slots, Var};

use crate::error::Error;

struct Mse<T> {
    prediction: Slots,
    /// `(2/(N·m)) (P − Y)`, the gradient with respect to `P`.
    scaled_residual: Vec<T>,
}

impl<T: Scalar> BlockOp<T> for Mse<T> {
    fn name(&self) -> &'static str {
        "mse"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.prediction.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let l_bar = cot.output()[0];
        if let Some(p_bar) = cot.adjoint(self.prediction) {
            for (p, r) in p_bar.iter_mut().zip(&self.scaled_residual) {
                *p += *r * l_bar;
            }
        }
    }
}

/// `L = mean((P − Y)²)` for predictions `P` on a tape and targets `Y`
/// (same shape, row-major), as one tape entry.
///
/// # Errors
/// If `targets.len()` differs from the number of predictions.
pub fn mse<'t, T: Scalar>(prediction: &Block<'t, T>, targets: &[T]) -> Result<Var<'t, T>, Error> {
    let p = prediction.values();
    if p.len() != targets.len() {
        return Err(Error::invalid(format!(
            "mse: {} predictions ({}×{}) but {} targets",
            p.len(),
            prediction.rows(),
            prediction.cols(),
            targets.len()
        )));
    }
    let scale = T::from_f64(2.0 / p.len() as f64);
    let residual: Vec<T> = p.iter().zip(targets).map(|(a, y)| *a - *y).collect();
    let loss = residual.iter().map(|r| *r * *r).sum::<T>() * T::from_f64(1.0 / p.len() as f64);
    let op = Mse {
        prediction: prediction.slots(),
        scaled_residual: residual.iter().map(|r| *r * scale).collect(),
    };
    Ok(prediction
        .tape()
        .record_block(1, 1, vec![loss], op)?
        .at(0, 0))
}
