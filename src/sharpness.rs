//! Sharpness during training: full-batch gradient descent that measures
//! the largest Hessian eigenvalue `λmax(∇²L(θₜ))` every `k` steps.
//!
//! Why it matters: on a quadratic with curvature `λ`, the gradient step
//! `θ ← θ − η ∇L` multiplies the error along that eigenvector by `1 − ηλ`,
//! which is stable only while `λ < 2/η`. Full-batch gradient descent on a
//! network tends to push `λmax` up to about `2/η` (the "edge of
//! stability", Cohen et al. 2021); there the loss stops falling
//! monotonically and spikes. Recording `λmax` beside the loss shows it.
//!
//! `λmax` comes from [`saddle_curvature::lanczos`] on the network's exact
//! Hessian-vector products ([`Mlp::hvp`], forward-over-reverse): `m`
//! Lanczos steps cost `m` HVPs, and the largest Ritz value converges to
//! `λmax` first. Its residual `‖H y − θ y‖` is recorded: an eigenvalue of
//! `H` lies within that distance of the Ritz value `θ`.
//!
//! `saddle-nn` and `saddle-curvature` do not know each other, so the glue is
//! here. [`saddle_nn::train`]'s callback sees the loss, not the parameters,
//! so this calls `train` for `k` steps at a time and measures in between:
//! for full-batch gradient descent (no shuffling) that is the same
//! sequence of iterates as one call (tested below, bit for bit).

use std::fmt;
use std::time::{Duration, Instant};

use saddle_curvature::lanczos;
use saddle_dual::FnOperator;
use saddle_nn::{train, Dataset, History, Mlp, Step, TrainOptions};

/// Settings of the sharpness tracking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharpnessOptions {
    /// Measure `λmax` before the first step and after every `every` steps
    /// (and after the last).
    pub every: usize,
    /// Lanczos steps (HVPs) per measurement.
    pub lanczos_steps: usize,
    /// Seed of the Lanczos start vectors (each measurement uses
    /// `seed + step`, so runs are reproducible).
    pub seed: u64,
}

impl Default for SharpnessOptions {
    fn default() -> Self {
        SharpnessOptions {
            every: 200,
            lanczos_steps: 20,
            seed: 0,
        }
    }
}

/// One measurement of `λmax`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sharpness {
    /// Steps taken before the measurement.
    pub step: usize,
    /// The largest Ritz value, an estimate of `λmax(∇²L)` from below.
    pub lambda_max: f64,
    /// `‖H y − θ y‖` for its Ritz vector `y`: some eigenvalue of `H` lies
    /// within this distance of `lambda_max`.
    pub residual: f64,
}

/// The result of [`lambda_max`]: the top Ritz value and its residual.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LambdaMax {
    /// The largest Ritz value `θ`, an estimate of `λmax(∇²L)` from below.
    pub value: f64,
    /// `‖H y − θ y‖` for its Ritz vector `y`: some eigenvalue of `H` lies
    /// within this distance of `value`.
    pub residual: f64,
}

/// A training run with its sharpness record and what the tracking cost.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackedTraining {
    /// Loss and gradient norm before every step, as [`train`] returns them.
    pub history: History,
    /// `λmax` at step 0, every `every` steps, and at the end.
    pub sharpness: Vec<Sharpness>,
    /// Hessian-vector products spent on the tracking.
    pub hvps: usize,
    /// Wall time spent measuring `λmax`.
    pub tracking_time: Duration,
    /// Wall time of the whole run (training and tracking).
    pub total_time: Duration,
}

impl TrackedTraining {
    /// The fraction of the wall time spent measuring `λmax`.
    pub fn tracking_fraction(&self) -> f64 {
        self.tracking_time.as_secs_f64() / self.total_time.as_secs_f64().max(1e-12)
    }
}

/// What went wrong in [`train_tracking_sharpness`].
#[derive(Debug)]
pub enum Error {
    /// A setting is invalid (the message names it and its value).
    Invalid(String),
    /// Training or an HVP failed.
    Network(saddle_nn::Error),
    /// The Lanczos iteration failed.
    Curvature(saddle_curvature::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(m) => write!(f, "{m}"),
            Error::Network(e) => write!(f, "{e}"),
            Error::Curvature(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    /// The message is the wrapped error's, so its source is the next one
    /// down the chain.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Invalid(_) => None,
            Error::Network(e) => e.source(),
            Error::Curvature(e) => e.source(),
        }
    }
}

impl From<saddle_nn::Error> for Error {
    fn from(e: saddle_nn::Error) -> Self {
        Error::Network(e)
    }
}

impl From<saddle_curvature::Error> for Error {
    fn from(e: saddle_curvature::Error) -> Self {
        Error::Curvature(e)
    }
}

/// `λmax(∇²L(θ))` of `net` on `data` by `steps` Lanczos steps from a
/// Rademacher start vector drawn with `seed`: the top Ritz value and its
/// residual.
///
/// # Errors
/// If `steps` is zero, or the data does not fit the network.
pub fn lambda_max(net: &Mlp, data: &Dataset, steps: usize, seed: u64) -> Result<LambdaMax, Error> {
    let hessian = FnOperator::new(net.num_params(), |v: &[f64]| net.hvp(data, v).map(|r| r.hv));
    let ritz = lanczos(&hessian, steps, seed)?;
    let k = ritz.values.len() - 1; // values ascend
    Ok(LambdaMax {
        value: ritz.values[k],
        residual: ritz.residuals[k],
    })
}

/// Trains `net` by full-batch gradient descent, `θ ← θ − η∇L(θ)`, exactly
/// as [`train`] does, and measures `λmax(∇²L)` before the first step, after
/// every `sharp.every` steps and after the last step. `on_step` sees every
/// step (with its global step number).
///
/// Cost: `sharp.lanczos_steps` HVPs per measurement, about
/// `epochs / every + 2` measurements; both counts and the wall-time share
/// are in the result.
///
/// # Errors
/// If `options.batch_size` is set (mini-batch shuffles restart with each
/// call of `train`, so chunked training would not be the same run), if
/// `sharp.every` or `sharp.lanczos_steps` is zero, or if training or an HVP
/// fails (see [`train`]).
pub fn train_tracking_sharpness(
    net: &mut Mlp,
    data: &Dataset,
    options: &TrainOptions,
    sharp: &SharpnessOptions,
    mut on_step: impl FnMut(&Step),
) -> Result<TrackedTraining, Error> {
    if let Some(b) = options.batch_size {
        return Err(Error::Invalid(format!(
            "sharpness tracking needs full-batch gradient descent (batch_size: None), got batch_size = Some({b})"
        )));
    }
    if sharp.every == 0 || sharp.lanczos_steps == 0 {
        return Err(Error::Invalid(format!(
            "sharpness tracking needs every ≥ 1 and lanczos_steps ≥ 1, got every = {}, lanczos_steps = {}",
            sharp.every, sharp.lanczos_steps
        )));
    }
    let start = Instant::now();
    let mut tracking_time = Duration::ZERO;
    let mut record = TrackedTraining {
        history: History::default(),
        sharpness: Vec::new(),
        hvps: 0,
        tracking_time,
        total_time: Duration::ZERO,
    };
    let mut measure = |net: &Mlp, step: usize, record: &mut TrackedTraining| -> Result<(), Error> {
        let t = Instant::now();
        let LambdaMax { value, residual } = lambda_max(
            net,
            data,
            sharp.lanczos_steps,
            sharp.seed.wrapping_add(step as u64),
        )?;
        tracking_time += t.elapsed();
        record.hvps += sharp.lanczos_steps.min(net.num_params());
        record.sharpness.push(Sharpness {
            step,
            lambda_max: value,
            residual,
        });
        Ok(())
    };
    measure(&*net, 0, &mut record)?;
    let total = options.epochs;
    let mut done = 0;
    while done < total {
        let chunk = sharp.every.min(total - done);
        let opts = TrainOptions {
            epochs: chunk,
            ..*options
        };
        let offset = done;
        let h = train(net, data, &opts, |s| {
            on_step(&Step {
                step: s.step + offset,
                epoch: s.epoch + offset,
                total_steps: total,
                ..*s
            })
        })?;
        record.history.loss.extend(h.loss);
        record.history.grad_norm.extend(h.grad_norm);
        done += chunk;
        measure(&*net, done, &mut record)?;
    }
    record.tracking_time = tracking_time;
    record.total_time = start.elapsed();
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use saddle_curvature::Eigen;
    use saddle_dual::HessianOptions;
    use saddle_nn::{datasets, Activation, Activations, Init};

    fn setup() -> (Mlp, Dataset) {
        let data = datasets::noisy_sine(32, 0.1, 3).unwrap();
        let net = Mlp::new(
            &[1, 6, 1],
            Activations::hidden_output(Activation::Tanh, Activation::Identity),
            Init::Xavier,
            3,
        )
        .unwrap();
        (net, data)
    }

    #[test]
    fn chunked_training_is_the_same_run_as_one_call() {
        let (net, data) = setup();
        let opts = TrainOptions {
            learning_rate: 0.05,
            epochs: 57,
            batch_size: None,
            seed: 1,
        };
        let (mut a, mut b) = (net.clone(), net);
        let one = train(&mut a, &data, &opts, |_| {}).unwrap();
        let mut steps = vec![];
        let sharp = SharpnessOptions {
            every: 10,
            lanczos_steps: 5,
            seed: 0,
        };
        let tracked =
            train_tracking_sharpness(&mut b, &data, &opts, &sharp, |s| steps.push(s.step)).unwrap();
        // Same arithmetic in the same order: bit-for-bit equal.
        assert_eq!(one, tracked.history);
        assert_eq!(a.params(), b.params());
        assert_eq!(steps, (0..57).collect::<Vec<_>>());
        let at: Vec<usize> = tracked.sharpness.iter().map(|s| s.step).collect();
        assert_eq!(at, [0, 10, 20, 30, 40, 50, 57]);
        assert_eq!(tracked.hvps, 7 * 5);
    }

    #[test]
    fn lambda_max_matches_the_dense_eigendecomposition() {
        let (net, data) = setup();
        let n = net.num_params(); // 19
        let h = net.hessian(&data, HessianOptions::default()).unwrap();
        let exact = Eigen::of(&h).unwrap().max();
        // n Lanczos steps with full reorthogonalisation span the whole
        // space: T is H in another basis, so the top Ritz value equals
        // λmax up to rounding, O(n ε ‖H‖).
        let full = lambda_max(&net, &data, n, 7).unwrap().value;
        assert!(
            (full - exact).abs() <= 1e-10 * exact.abs().max(1.0),
            "{full} vs {exact}"
        );
        // With fewer steps the top Ritz value is a lower bound on λmax
        // (Cauchy interlacing), and some eigenvalue lies within the residual
        // of it (the residual bound for symmetric matrices).
        let e = Eigen::of(&h).unwrap();
        let LambdaMax {
            value: few,
            residual: res,
        } = lambda_max(&net, &data, 8, 7).unwrap();
        assert!(
            few <= exact + 1e-10 * exact.abs().max(1.0),
            "{few} > {exact}"
        );
        let nearest = e
            .values()
            .iter()
            .map(|l| (l - few).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= res + 1e-10 * exact.abs().max(1.0),
            "{nearest} > residual {res}"
        );
    }

    #[test]
    fn sharpness_tracking_rejects_mini_batches_and_zero_settings() {
        let (mut net, data) = setup();
        let opts = TrainOptions {
            batch_size: Some(8),
            ..TrainOptions::default()
        };
        let e =
            train_tracking_sharpness(&mut net, &data, &opts, &SharpnessOptions::default(), |_| {})
                .unwrap_err()
                .to_string();
        assert!(e.contains("batch_size = Some(8)"), "{e}");
        let zero = SharpnessOptions {
            every: 0,
            ..SharpnessOptions::default()
        };
        let e = train_tracking_sharpness(&mut net, &data, &TrainOptions::default(), &zero, |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("every = 0"), "{e}");
    }
}
