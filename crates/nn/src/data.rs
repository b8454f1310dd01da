//! Datasets: inputs and targets, validated (CSV files: [`crate::CsvOptions`]).

use crate::error::Error;
use crate::matrix::Matrix;

/// Inputs `X` (`N × d_in`, one sample per row) and targets `Y`
/// (`N × d_out`), checked to fit together and to be finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    inputs: Matrix,
    targets: Matrix,
}

impl Dataset {
    /// A dataset from inputs and targets.
    ///
    /// # Errors
    /// If the row counts differ, or any value is not finite (the message
    /// names the row and column).
    pub fn new(inputs: Matrix, targets: Matrix) -> Result<Self, Error> {
        // A `Matrix` has at least one row, so a dataset is never empty; the
        // check stays so that this invariant does not rest on `Matrix` alone.
        if inputs.rows() == 0 {
            return Err(Error::invalid("empty dataset: no samples"));
        }
        if inputs.rows() != targets.rows() {
            return Err(Error::invalid(format!(
                "inputs have {} rows but targets have {}",
                inputs.rows(),
                targets.rows()
            )));
        }
        if let Some((r, c, v)) = inputs.first_non_finite() {
            return Err(Error::non_finite("inputs", r, c, v));
        }
        if let Some((r, c, v)) = targets.first_non_finite() {
            return Err(Error::non_finite("targets", r, c, v));
        }
        Ok(Dataset { inputs, targets })
    }

    /// A classification dataset: inputs and one class index per sample,
    /// stored as a one-column target matrix (exact as `f64`) for
    /// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy), which checks
    /// the indices against the network's outputs.
    ///
    /// # Errors
    /// If the number of labels is not the number of rows, or as
    /// [`Dataset::new`].
    pub fn classification(inputs: Matrix, labels: &[usize]) -> Result<Self, Error> {
        if labels.len() != inputs.rows() {
            return Err(Error::invalid(format!(
                "{} labels for {} samples",
                labels.len(),
                inputs.rows()
            )));
        }
        let targets = Matrix::column(labels.iter().map(|&c| c as f64).collect())?;
        Dataset::new(inputs, targets)
    }

    /// Number of samples `N`.
    pub fn len(&self) -> usize {
        self.inputs.rows()
    }

    /// True if there are no samples. Every constructor (including
    /// [`Dataset::select`]) refuses to build an empty dataset, so this is
    /// false for every `Dataset` that exists; it reports the row count
    /// rather than assuming it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Input dimension `d_in`.
    pub fn input_dim(&self) -> usize {
        self.inputs.cols()
    }

    /// Output dimension `d_out`.
    pub fn output_dim(&self) -> usize {
        self.targets.cols()
    }

    /// The inputs `X`.
    pub fn inputs(&self) -> &Matrix {
        &self.inputs
    }

    /// The targets `Y`.
    pub fn targets(&self) -> &Matrix {
        &self.targets
    }

    /// The samples at `indices`, in that order (a mini-batch; repeats
    /// allowed).
    ///
    /// # Errors
    /// If `indices` is empty ("empty dataset": every method that takes data
    /// needs at least one sample, so the empty selection is refused here
    /// rather than at each use) or an index is out of range (naming it and
    /// the number of samples).
    pub fn select(&self, indices: &[usize]) -> Result<Dataset, Error> {
        if indices.is_empty() {
            return Err(Error::invalid(
                "empty dataset: no sample indices given to select",
            ));
        }
        let pick = |m: &Matrix| {
            m.select_rows(indices)
                .map_err(|e| Error::invalid(format!("select from {} samples: {e}", self.len())))
        };
        Ok(Dataset {
            inputs: pick(&self.inputs)?,
            targets: pick(&self.targets)?,
        })
    }
}
