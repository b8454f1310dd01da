//! Softmax cross-entropy on logits with class-index targets, and the
//! row-wise log-sum-exp it is built on.
//!
//! For logits `Z` (`N × K`, one sample per row) and classes `cᵢ ∈ 0..K`:
//!
//! `L = (1/N) Σᵢ [lse(zᵢ) − zᵢ[cᵢ]]`, `lse(z) = m + ln Σₖ e^{zₖ − m}`,
//!
//! with `m = maxₖ zₖ` so that no exponential overflows. Any `m` gives the
//! same function, so choosing it by the real parts leaves the derivatives
//! on dual numbers exact (the max's kink never enters). The gradient is
//! `∂L/∂Z = (S − E)/N` with `S` the row-wise softmax and `E` the one-hot
//! targets; its derivative gives the Hessian with respect to each row of
//! logits, `(diag(sᵢ) − sᵢ sᵢᵀ)/N`.

use std::ops::Range;

use saddle_tape::{Block, BlockOp, Cotangents, Scalar, Slots, Var};

use crate::error::Error;
use crate::loss::{record_loss, Loss};
use crate::matrix::Matrix;

/// Softmax cross-entropy on logits with class-index targets (PyTorch's
/// `CrossEntropyLoss` with mean reduction): see the module formula. The
/// targets are one column of class indices `0..K` (a network with `K`
/// outputs, no softmax layer: the identity output activation). Training
/// reports the accuracy (arg-max of the logits = class).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl Loss for SoftmaxCrossEntropy {
    fn name(&self) -> &'static str {
        "softmax-cross-entropy"
    }

    fn check_targets(&self, targets: &Matrix, outputs: usize) -> Result<(), Error> {
        class_labels(targets, outputs).map(|_| ())
    }

    fn on_tape<'t, T: Scalar>(
        &self,
        prediction: &Block<'t, T>,
        targets: &Block<'t, T>,
    ) -> Result<Var<'t, T>, Error> {
        let labels = labels_of_block(targets, prediction.cols())?;
        softmax_cross_entropy(prediction, &labels)
    }

    fn accuracy(&self, prediction: &Matrix, targets: &Matrix) -> Option<f64> {
        let labels = class_labels(targets, prediction.cols()).ok()?;
        let hits = labels
            .iter()
            .enumerate()
            .filter(|&(i, &c)| argmax(prediction.row(i)) == c)
            .count();
        Some(hits as f64 / labels.len() as f64)
    }
}

/// The index of the largest entry (the first of ties).
fn argmax(row: &[f64]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
        .0
}

/// The class indices held by a one-column target matrix, checked to be
/// integers in `0..classes`.
///
/// # Errors
/// If there is not exactly one column, or a value is not an integer in
/// `0..classes` (naming the row and the value).
pub fn class_labels(targets: &Matrix, classes: usize) -> Result<Vec<usize>, Error> {
    if targets.cols() != 1 {
        return Err(Error::invalid(format!(
            "class-index targets need one column, got {}",
            targets.cols()
        )));
    }
    targets
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            label(v, classes).map_err(|e| Error::invalid(format!("target row {i}: {e}")))
        })
        .collect()
}

fn label(v: f64, classes: usize) -> Result<usize, String> {
    if !(v >= 0.0 && v.fract() == 0.0 && v < classes as f64) {
        return Err(format!(
            "{v} is not a class index (an integer in 0..{classes}, one per network output)"
        ));
    }
    Ok(v as usize)
}

fn labels_of_block<T: Scalar>(targets: &Block<'_, T>, classes: usize) -> Result<Vec<usize>, Error> {
    let values: Vec<f64> = targets.values().iter().map(Scalar::primal).collect();
    class_labels(
        &Matrix::new(targets.rows(), targets.cols(), values)?,
        classes,
    )
}

/// The softmax of one row and its log-sum-exp, stably (module docs).
fn softmax_row<T: Scalar>(z: &[T]) -> (Vec<T>, T) {
    // The shift: the entry with the largest real part (exactly any shift
    // gives the same function, so its derivative does not matter).
    let m = z
        .iter()
        .copied()
        .fold(z[0], |a, b| if b.primal() > a.primal() { b } else { a });
    let e: Vec<T> = z.iter().map(|&v| (v - m).exp()).collect();
    let sum: T = e.iter().copied().sum();
    let inv = sum.recip();
    (e.into_iter().map(|v| v * inv).collect(), m + sum.ln())
}

/// `L = (1/N) Σᵢ [lse(zᵢ) − zᵢ[cᵢ]]` for logits `Z` (`N × K`) on a tape
/// and one class index per row, as one tape entry with gradient
/// `(S − E)/N`.
///
/// # Errors
/// If there is not one label per row or a label is `≥ K`.
pub fn softmax_cross_entropy<'t, T: Scalar>(
    logits: &Block<'t, T>,
    labels: &[usize],
) -> Result<Var<'t, T>, Error> {
    let (n, k) = logits.shape();
    if labels.len() != n {
        return Err(Error::invalid(format!(
            "softmax_cross_entropy: {} labels for {n} rows of logits",
            labels.len()
        )));
    }
    if let Some((i, c)) = labels.iter().enumerate().find(|(_, &c)| c >= k) {
        return Err(Error::invalid(format!(
            "softmax_cross_entropy: label {c} of row {i} is not a class of {k} logits"
        )));
    }
    let z = logits.values();
    let inv_n = T::from_f64(1.0 / n as f64);
    let mut loss = T::zero();
    let mut gradient = Vec::with_capacity(n * k);
    for (row, &c) in z.chunks_exact(k).zip(labels) {
        let (s, lse) = softmax_row(row);
        loss += lse - row[c];
        gradient.extend(s.into_iter().enumerate().map(|(j, sj)| {
            if j == c {
                (sj - T::one()) * inv_n
            } else {
                sj * inv_n
            }
        }));
    }
    record_loss("softmax_cross_entropy", logits, loss * inv_n, gradient)
}

/// `yᵢ = lse(zᵢ)`: the row-wise log-sum-exp of an `N × K` block, an
/// `N × 1` block. Reverse: `Z̄ᵢₖ += ȳᵢ · softmax(zᵢ)ₖ`.
struct RowLogSumExp<T> {
    z: Slots,
    softmax: Vec<T>,
}

impl<T: Scalar> BlockOp<T> for RowLogSumExp<T> {
    fn name(&self) -> &'static str {
        "row_logsumexp"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.z.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        let k = self.z.cols();
        if let Some(z_bar) = cot.adjoint(self.z) {
            for ((zr, sr), y) in z_bar
                .chunks_exact_mut(k)
                .zip(self.softmax.chunks_exact(k))
                .zip(y_bar)
            {
                zr.iter_mut().zip(sr).for_each(|(z, s)| *z += *s * *y);
            }
        }
    }
}

/// The row-wise log-sum-exp `yᵢ = ln Σₖ e^{Zᵢₖ}` of a block (`N × K` →
/// `N × 1`), stable as in the module docs: a block operation for
/// user-defined losses (softmax cross-entropy is
/// `mean(row_logsumexp(Z) − pick(Z, c))`).
///
/// # Errors
/// Never for a block recorded on a tape (kept fallible for the tape's
/// shape check).
pub fn row_logsumexp<'t, T: Scalar>(z: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
    let (n, k) = z.shape();
    let values = z.values();
    let mut softmax = Vec::with_capacity(n * k);
    let mut out = Vec::with_capacity(n);
    for row in values.chunks_exact(k) {
        let (s, lse) = softmax_row(row);
        softmax.extend(s);
        out.push(lse);
    }
    let op = RowLogSumExp {
        z: z.slots(),
        softmax,
    };
    Ok(z.tape().record_block(n, 1, out, op)?)
}

/// `yᵢ = Zᵢ,cᵢ`: one entry per row (`N × K` → `N × 1`). Reverse:
/// `Z̄ᵢ,cᵢ += ȳᵢ` (linear).
struct Pick {
    z: Slots,
    columns: Vec<usize>,
}

impl<T: Scalar> BlockOp<T> for Pick {
    fn name(&self) -> &'static str {
        "pick"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.z.range()]
    }

    fn is_linear(&self) -> bool {
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        let k = self.z.cols();
        if let Some(z_bar) = cot.adjoint(self.z) {
            for (i, (&c, y)) in self.columns.iter().zip(y_bar).enumerate() {
                z_bar[i * k + c] += *y;
            }
        }
    }
}

/// `yᵢ = Zᵢ,cᵢ`: the entry in column `cᵢ` of each row (`N × K` → `N × 1`),
/// e.g. the logit of each sample's class.
///
/// # Errors
/// If there is not one column index per row or an index is `≥ K`.
pub fn pick<'t, T: Scalar>(z: &Block<'t, T>, columns: &[usize]) -> Result<Block<'t, T>, Error> {
    let (n, k) = z.shape();
    if columns.len() != n {
        return Err(Error::invalid(format!(
            "pick: {} column indices for {n} rows",
            columns.len()
        )));
    }
    if let Some((i, c)) = columns.iter().enumerate().find(|(_, &c)| c >= k) {
        return Err(Error::invalid(format!(
            "pick: column {c} of row {i} is outside {k} columns"
        )));
    }
    let values = z.values();
    let out = columns
        .iter()
        .enumerate()
        .map(|(i, &c)| values[i * k + c])
        .collect();
    let op = Pick {
        z: z.slots(),
        columns: columns.to_vec(),
    };
    Ok(z.tape().record_block(n, 1, out, op)?)
}
