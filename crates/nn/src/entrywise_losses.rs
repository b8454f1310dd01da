//! Losses that are a mean of one term per prediction entry: binary
//! cross-entropy with logits, and Huber.
//!
//! Both have branches. On dual numbers a branch is chosen by the *real*
//! part and each branch is evaluated with its own analytic formula, so that
//! no `|x|` or `max` kink leaks into the tangents: the derivatives are those
//! of the smooth function (BCE), or of the piece the point lies in (Huber).

use saddle_tape::{Block, Scalar, Var};

use crate::error::Error;
use crate::loss::{check_len, record_loss, Loss};
use crate::matrix::Matrix;

/// Binary cross-entropy on logits (PyTorch's `BCEWithLogitsLoss`, mean
/// over all entries): for logits `z` and targets `y ∈ [0, 1]`,
///
/// `ℓ(z, y) = max(z, 0) − z y + ln(1 + e^{−|z|})`  (`= −y ln σ(z) − (1−y) ln(1−σ(z))`),
///
/// `L = (1/(N·m)) Σ ℓ`, `∂L/∂z = (σ(z) − y)/(N·m)`. Evaluated per branch
/// of the real part: `z(1 − y) + ln(1 + e^{−z})` for `z ≥ 0`,
/// `−z y + ln(1 + eᶻ)` for `z < 0` — both the same analytic function and
/// neither overflowing. Training reports the accuracy
/// (`z > 0` ⇔ `y > ½`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BceWithLogits;

impl Loss for BceWithLogits {
    fn name(&self) -> &'static str {
        "bce-with-logits"
    }

    fn check_targets(&self, targets: &Matrix, outputs: usize) -> Result<(), Error> {
        if targets.cols() != outputs {
            return Err(Error::invalid(format!(
                "bce-with-logits: targets have {} columns but the network has {outputs} outputs",
                targets.cols()
            )));
        }
        if let Some(k) = targets
            .as_slice()
            .iter()
            .position(|y| !(0.0..=1.0).contains(y))
        {
            return Err(Error::invalid(format!(
                "bce-with-logits: target row {}, column {} is {}, not a probability in [0, 1]",
                k / outputs,
                k % outputs,
                targets.as_slice()[k]
            )));
        }
        Ok(())
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        prediction: &Block<'t, T>,
        targets: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        bce_with_logits(prediction, &targets.values())
    }

    fn accuracy(&self, prediction: &Matrix, targets: &Matrix) -> Option<f64> {
        let p = prediction.as_slice();
        let y = targets.as_slice();
        if p.len() != y.len() || p.is_empty() {
            return None;
        }
        let hits = p
            .iter()
            .zip(y)
            .filter(|(z, y)| (**z > 0.0) == (**y > 0.5))
            .count();
        Some(hits as f64 / p.len() as f64)
    }
}

/// `(ℓ(z, y), σ(z))` for one entry, branch by the real part of `z`.
fn bce_term<T: Scalar>(z: T, y: T) -> (T, T) {
    let one = T::one();
    if z.primal() >= 0.0 {
        let e = (-z).exp();
        (z * (one - y) + e.ln_1p(), (one + e).recip())
    } else {
        let e = z.exp();
        (-z * y + e.ln_1p(), e / (one + e))
    }
}

/// Binary cross-entropy with logits (see [`BceWithLogits`]) for logits on
/// a tape and targets of the same shape (row-major), as one tape entry.
///
/// # Errors
/// If `targets.len()` differs from the number of logits.
pub fn bce_with_logits<'t, T: Scalar>(
    logits: &Block<'t, T>,
    targets: &[T],
) -> Result<Var<'t, T>, Error> {
    check_len("bce_with_logits", logits, targets.len())?;
    let z = logits.values();
    let inv = T::from_f64(1.0 / z.len() as f64);
    let mut loss = T::zero();
    let mut gradient = Vec::with_capacity(z.len());
    for (&zi, &yi) in z.iter().zip(targets) {
        let (l, s) = bce_term(zi, yi);
        loss += l;
        gradient.push((s - yi) * inv);
    }
    record_loss("bce_with_logits", logits, loss * inv, gradient)
}

/// The Huber loss with threshold `δ > 0` (PyTorch's `HuberLoss`, mean over
/// all entries): with `r = P − Y`,
///
/// `ℓ(r) = ½ r²` for `|r| ≤ δ`, `δ (|r| − ½ δ)` otherwise;
///
/// `L = (1/(N·m)) Σ ℓ`, `∂L/∂r = r` inside, `δ·sign(r)` outside, over
/// `N·m`. The second derivative is 1 inside and 0 outside; at `|r| = δ`
/// exactly it is taken from the inside piece (1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber {
    delta: f64,
}

impl Huber {
    /// The Huber loss with threshold `delta`.
    ///
    /// # Errors
    /// If `delta` is not positive and finite.
    pub fn new(delta: f64) -> Result<Self, Error> {
        if !(delta.is_finite() && delta > 0.0) {
            return Err(Error::invalid(format!(
                "the Huber threshold δ must be positive and finite, got {delta}"
            )));
        }
        Ok(Huber { delta })
    }

    /// The threshold `δ`.
    pub fn delta(&self) -> f64 {
        self.delta
    }
}

impl Loss for Huber {
    fn name(&self) -> &'static str {
        "huber"
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        prediction: &Block<'t, T>,
        targets: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        huber(prediction, &targets.values(), self.delta)
    }
}

/// The Huber loss (see [`Huber`]) of predictions on a tape and targets of
/// the same shape (row-major), as one tape entry.
///
/// # Errors
/// If `targets.len()` differs from the number of predictions, or `delta`
/// is not positive and finite.
pub fn huber<'t, T: Scalar>(
    prediction: &Block<'t, T>,
    targets: &[T],
    delta: f64,
) -> Result<Var<'t, T>, Error> {
    Huber::new(delta)?;
    check_len("huber", prediction, targets.len())?;
    let p = prediction.values();
    let inv = T::from_f64(1.0 / p.len() as f64);
    let (d, half) = (T::from_f64(delta), T::from_f64(0.5));
    let mut loss = T::zero();
    let mut gradient = Vec::with_capacity(p.len());
    for (&pi, &yi) in p.iter().zip(targets) {
        let r = pi - yi;
        let (l, g) = if r.primal().abs() <= delta {
            (half * r * r, r)
        } else if r.primal() > 0.0 {
            (d * (r - half * d), d)
        } else {
            (d * (-r - half * d), -d)
        };
        loss += l;
        gradient.push(g * inv);
    }
    record_loss("huber", prediction, loss * inv, gradient)
}
