//! Losses: the [`Loss`] trait, and the mean squared error as one block
//! operation.
//!
//! Every built-in loss is one tape entry whose forward pass computes, in
//! the scalar type `T`, both the value `L` and its gradient `G = ∂L/∂P`
//! with respect to the prediction block, and whose reverse rule is
//! `P̄ += G · L̄`. Because `G` is computed with `T` arithmetic, on a tape of
//! dual numbers it carries its own directional derivative, and the sweep
//! returns exact Hessian-vector products — nothing here knows about second
//! derivatives.
//!
//! MSE: `L = (1/(N·m)) Σᵢⱼ (Pᵢⱼ − Yᵢⱼ)²` over all `N` samples and `m`
//! outputs (the `(1/n) Σ (yᵢ − ŷᵢ)²` of docs/theory.md §2 for one output;
//! PyTorch's `MSELoss` default for several), `G = (2/(N·m)) (P − Y)` — the
//! `∂L/∂a^(L)` that starts backpropagation (§4).

use std::ops::Range;

use saddle_tape::{Block, BlockOp, Cotangents, Scalar, Slots, Var};

use crate::error::Error;
use crate::matrix::Matrix;

/// A loss `L(P, Y)` of a network's prediction block `P` (`N × d_out`, one
/// sample per row) and the targets `Y` of a [`Dataset`](crate::Dataset).
///
/// Written once, generically in the scalar `T`, with block operations: on
/// a `Tape<f64>` it gives the value and the gradient, on a tape of dual
/// numbers Hessian-vector products and Hessians — so a user-defined loss
/// gets [`Mlp::loss_with`](crate::Mlp::loss_with),
/// [`loss_and_gradient_with`](crate::Mlp::loss_and_gradient_with),
/// [`hvp_with`](crate::Mlp::hvp_with),
/// [`hessian_with`](crate::Mlp::hessian_with) and
/// [`train_with`](crate::train_with) with no other code:
///
/// ```
/// use saddle_nn::{datasets, Activation, Activations, Init, Loss, Mlp, Mse};
/// use saddle_tape::{Block, Scalar, Var};
///
/// /// The mean absolute error, smoothed: mean(√((P − Y)² + ε²)).
/// struct SmoothL1;
///
/// impl Loss for SmoothL1 {
///     fn name(&self) -> &'static str { "smooth-l1" }
///     fn on_tape<'t, T: Scalar>(&self, p: &Block<'t, T>, y: &Block<'t, T>)
///         -> Result<Var<'t, T>, saddle_nn::Error> {
///         let eps2 = T::from_f64(1e-2);
///         let r = p.sub(y)?.square();
///         Ok(r.map("sqrt(r+e)", |x| { let s = (x + eps2).sqrt(); (s, (s + s).recip()) }).mean())
///     }
/// }
///
/// let data = datasets::bowl(16, 3)?;
/// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
/// let net = Mlp::new(&[2, 4, 1], act, Init::Xavier, 3)?;
/// let g = net.loss_and_gradient_with(&data, &SmoothL1)?;
/// let h = net.hessian_with(&data, &SmoothL1, Default::default(), &|_| {})?;
/// assert_eq!((g.gradient.len(), h.n()), (net.num_params(), net.num_params()));
/// assert!(g.value > 0.0 && h.relative_asymmetry() < 1e-12);
/// # Ok::<(), saddle_nn::Error>(())
/// ```
pub trait Loss: Sync {
    /// A short name for messages and printouts.
    fn name(&self) -> &'static str;

    /// Checks that `targets` fit a network with `outputs` outputs. The
    /// default wants one target per output (`targets.cols() == outputs`).
    ///
    /// # Errors
    /// If they do not fit (the message names both shapes).
    fn check_targets(&self, targets: &Matrix, outputs: usize) -> Result<(), Error> {
        if targets.cols() != outputs {
            return Err(Error::invalid(format!(
                "{}: targets have {} columns but the network has {outputs} outputs",
                self.name(),
                targets.cols()
            )));
        }
        Ok(())
    }

    /// Records `L(P, Y)` on `P`'s tape; `targets` is a constant block on
    /// the same tape holding `Y` (as given to the dataset).
    ///
    /// # Errors
    /// If the shapes do not fit (as block operations report them).
    fn on_tape<'t, T: Scalar>(
        &self,
        prediction: &Block<'t, T>,
        targets: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error>;

    /// The fraction of samples classified correctly, for classification
    /// losses (reported by training); `None` (the default) otherwise.
    fn accuracy(&self, _prediction: &Matrix, _targets: &Matrix) -> Option<f64> {
        None
    }
}

/// The mean squared error `mean((P − Y)²)` (the module docs give the
/// gradient): the loss of [`Mlp::loss`](crate::Mlp::loss) and the other
/// short forms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

impl Loss for Mse {
    fn name(&self) -> &'static str {
        "mse"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        prediction: &Block<'t, T>,
        targets: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        mse(prediction, &targets.values())
    }
}

/// A loss recorded as one entry: `P̄ += G · L̄` with the stored gradient
/// `G = ∂L/∂P`.
struct Reduced<T> {
    name: &'static str,
    prediction: Slots,
    gradient: Vec<T>,
}

impl<T: Scalar> BlockOp<T> for Reduced<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.prediction.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let l_bar = cot.output()[0];
        if let Some(p_bar) = cot.adjoint(self.prediction) {
            for (p, g) in p_bar.iter_mut().zip(&self.gradient) {
                *p += *g * l_bar;
            }
        }
    }
}

/// Records a scalar loss `value` of `prediction` whose gradient with
/// respect to the prediction is `gradient` (row-major, same shape).
pub(crate) fn record_loss<'t, T: Scalar>(
    name: &'static str,
    prediction: &Block<'t, T>,
    value: T,
    gradient: Vec<T>,
) -> Result<Var<'t, T>, Error> {
    debug_assert_eq!(gradient.len(), prediction.slots().len());
    let op = Reduced {
        name,
        prediction: prediction.slots(),
        gradient,
    };
    Ok(prediction
        .tape()
        .record_block(1, 1, vec![value], op)?
        .at(0, 0))
}

/// Checks that there is one target per prediction.
pub(crate) fn check_len<T: Scalar>(
    name: &str,
    prediction: &Block<'_, T>,
    targets: usize,
) -> Result<(), Error> {
    let n = prediction.slots().len();
    if n != targets {
        return Err(Error::invalid(format!(
            "{name}: {n} predictions ({}×{}) but {targets} targets",
            prediction.rows(),
            prediction.cols(),
        )));
    }
    Ok(())
}

/// `L = mean((P − Y)²)` for predictions `P` on a tape and targets `Y`
/// (same shape, row-major), as one tape entry.
///
/// # Errors
/// If `targets.len()` differs from the number of predictions.
pub fn mse<'t, T: Scalar>(prediction: &Block<'t, T>, targets: &[T]) -> Result<Var<'t, T>, Error> {
    check_len("mse", prediction, targets.len())?;
    let p = prediction.values();
    let inv = T::from_f64(1.0 / p.len() as f64);
    let scale = inv + inv;
    let residual: Vec<T> = p.iter().zip(targets).map(|(a, y)| *a - *y).collect();
    let loss = residual.iter().map(|r| *r * *r).sum::<T>() * inv;
    let gradient = residual.iter().map(|r| *r * scale).collect();
    record_loss("mse", prediction, loss, gradient)
}
