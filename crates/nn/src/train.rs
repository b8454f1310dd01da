//! Gradient descent, exactly as docs/theory.md writes it (§3):
//! `θ ← θ − η ∇L(θ)`.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use saddle_tape::Tape;

use crate::data::Dataset;
use crate::error::Error;
use crate::loss::{Loss, Mse};
use crate::mlp::Mlp;

/// Settings for [`train`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// The step size `η`.
    pub learning_rate: f64,
    /// Passes over the data.
    pub epochs: usize,
    /// Samples per step; `None` for full-batch gradient descent (one step
    /// per epoch). Mini-batches are drawn from a shuffle of the data each
    /// epoch.
    pub batch_size: Option<usize>,
    /// Seed of the shuffles (training is reproducible).
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            learning_rate: 0.05,
            epochs: 100,
            batch_size: None,
            seed: 0,
        }
    }
}

/// What one step did, passed to the progress callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Step number, from 0.
    pub step: usize,
    /// Epoch number, from 0.
    pub epoch: usize,
    /// Total number of steps this training will take.
    pub total_steps: usize,
    /// The (mini-batch) loss before the step.
    pub loss: f64,
    /// `‖∇L‖₂` before the step.
    pub grad_norm: f64,
    /// The (mini-batch) accuracy before the step, for classification
    /// losses ([`Loss::accuracy`]); `None` otherwise.
    pub accuracy: Option<f64>,
}

/// The loss and gradient norm of every step, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The (mini-batch) loss before each step.
    pub loss: Vec<f64>,
    /// `‖∇L‖₂` before each step.
    pub grad_norm: Vec<f64>,
    /// The accuracy before each step, for classification losses (empty
    /// otherwise).
    pub accuracy: Vec<f64>,
}

/// Trains `net` on `data` by gradient descent, `θ ← θ − η ∇L(θ)`, calling
/// `on_step` after every step (for progress bars and logging).
///
/// ```
/// use saddle_nn::{datasets, train, Activation, Activations, Init, Mlp, TrainOptions};
/// let data = datasets::bowl(64, 1)?;
/// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
/// let mut net = Mlp::new(&[2, 8, 1], act, Init::Xavier, 1)?;
/// let opts = TrainOptions { learning_rate: 0.1, epochs: 200, ..TrainOptions::default() };
/// let history = train(&mut net, &data, &opts, |_| {})?;
/// assert!(history.loss.last().unwrap() < &history.loss[0]);
/// # Ok::<(), saddle_nn::Error>(())
/// ```
///
/// # Errors
/// If the settings are invalid (non-positive or non-finite learning rate,
/// zero epochs or batch size, a step count `epochs · ⌈N / batch⌉` that
/// overflows or whose history cannot be allocated), the data does not fit the network, or the
/// loss becomes non-finite (the error names the step and suggests a smaller
/// learning rate; the parameters are left as they were before that step).
pub fn train(
    net: &mut Mlp,
    data: &Dataset,
    options: &TrainOptions,
    on_step: impl FnMut(&Step),
) -> Result<History, Error> {
    train_with(net, data, &Mse, options, on_step)
}

/// [`train`] with any [`Loss`]; for classification losses every step also
/// reports the accuracy.
///
/// ```
/// use saddle_nn::{
///     datasets, train_with, Activation, Activations, Init, Mlp, SoftmaxCrossEntropy, TrainOptions,
/// };
/// let data = datasets::spirals(30, 3, 0.0, 2)?;
/// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
/// let mut net = Mlp::new(&[2, 16, 3], act, Init::Xavier, 2)?;
/// let opts = TrainOptions { learning_rate: 0.5, epochs: 50, ..TrainOptions::default() };
/// let h = train_with(&mut net, &data, &SoftmaxCrossEntropy, &opts, |_| {})?;
/// assert!(h.loss.last().unwrap() < &h.loss[0]);
/// assert_eq!(h.accuracy.len(), 50);
/// # Ok::<(), saddle_nn::Error>(())
/// ```
///
/// # Errors
/// As [`train`], and if the targets do not fit the loss.
pub fn train_with(
    net: &mut Mlp,
    data: &Dataset,
    loss: &impl Loss,
    options: &TrainOptions,
    mut on_step: impl FnMut(&Step),
) -> Result<History, Error> {
    let eta = options.learning_rate;
    if !(eta.is_finite() && eta > 0.0) {
        return Err(Error::invalid(format!(
            "the learning rate must be positive and finite, got {eta}"
        )));
    }
    if options.epochs == 0 {
        return Err(Error::invalid("epochs must be at least 1"));
    }
    let batch = options.batch_size.unwrap_or(data.len());
    if batch == 0 {
        return Err(Error::invalid("the batch size must be at least 1"));
    }
    net.loss_with(data, loss)?; // shape checks, once
    let steps_per_epoch = data.len().div_ceil(batch);
    // Checked: the product wraps in release builds for huge epoch counts.
    let total_steps = steps_per_epoch.checked_mul(options.epochs).ok_or_else(|| {
        Error::invalid(format!(
            "{} epochs of {steps_per_epoch} steps each overflow the step count",
            options.epochs
        ))
    })?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut tape = Tape::new();
    let mut history = History::default();
    // The history holds every step: claim its memory now, so that an absurd
    // step count is an error here rather than an abort later.
    for v in [
        &mut history.loss,
        &mut history.grad_norm,
        &mut history.accuracy,
    ] {
        v.try_reserve_exact(total_steps).map_err(|e| {
            Error::invalid(format!(
                "cannot hold the history of {total_steps} steps ({} epochs): {e}",
                options.epochs
            ))
        })?;
    }
    let mut params = net.params().to_vec();
    for epoch in 0..options.epochs {
        if options.batch_size.is_some() {
            order.shuffle(&mut rng);
        }
        for chunk in order.chunks(batch) {
            let step = history.loss.len();
            let (value, grad, accuracy) = if options.batch_size.is_some() {
                net.gradient_on(&mut tape, &data.select(chunk)?, loss)?
            } else {
                net.gradient_on(&mut tape, data, loss)?
            };
            let grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
            if !value.is_finite() || !grad_norm.is_finite() {
                return Err(Error::diverged(step, value, eta));
            }
            for (p, g) in params.iter_mut().zip(&grad) {
                *p -= eta * g;
            }
            net.set_params(&params)
                .map_err(|_| Error::diverged(step + 1, f64::NAN, eta))?;
            history.loss.push(value);
            history.grad_norm.push(grad_norm);
            history.accuracy.extend(accuracy);
            on_step(&Step {
                step,
                epoch,
                total_steps,
                loss: value,
                grad_norm,
                accuracy,
            });
        }
    }
    Ok(history)
}
