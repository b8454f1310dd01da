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

    /// A dataset from one row per sample: `inputs[k]` is sample `k`'s
    /// input `x⁽ᵏ⁾` (length `d_in`), `targets[k]` its target `y⁽ᵏ⁾`
    /// (length `d_out`). Anything that is a slice of `f64` works as a row
    /// (`[f64; d]`, `Vec<f64>`, `&[f64]`).
    ///
    /// ```
    /// use saddle_nn::Dataset;
    /// // y = x₀ + x₁ on three samples.
    /// let data = Dataset::from_rows(&[[0.0, 1.0], [1.0, 1.0], [2.0, 0.5]], &[[1.0], [2.0], [2.5]])?;
    /// assert_eq!((data.len(), data.input_dim(), data.output_dim()), (3, 2, 1));
    /// assert_eq!(data.inputs().row(2), &[2.0, 0.5]);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If there are no samples, a row is empty, the rows of `inputs` (or of
    /// `targets`) differ in length (naming the first ragged row), the two
    /// have different numbers of rows, or a value is not finite (naming its
    /// row and column).
    pub fn from_rows<I: AsRef<[f64]>, T: AsRef<[f64]>>(
        inputs: &[I],
        targets: &[T],
    ) -> Result<Self, Error> {
        check_sample_counts(inputs.len(), targets.len())?;
        Dataset::new(
            rows_to_matrix("inputs", inputs)?,
            rows_to_matrix("targets", targets)?,
        )
    }

    /// A dataset from flat row-major slices: sample `k`'s input is
    /// `inputs[k·n_inputs .. (k+1)·n_inputs]`, its target
    /// `targets[k·n_targets .. (k+1)·n_targets]` (the layout of a NumPy
    /// `(N, d)` C-order array, or of any `Vec` filled sample by sample).
    ///
    /// ```
    /// use saddle_nn::Dataset;
    /// // Three samples of two inputs, one target each.
    /// let data = Dataset::from_slices(&[0.0, 1.0, 1.0, 1.0, 2.0, 0.5], 2, &[1.0, 2.0, 2.5], 1)?;
    /// assert_eq!(data.targets().row(1), &[2.0]);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If `n_inputs` or `n_targets` is zero, a slice is empty or not a
    /// multiple of its row length, the two give different numbers of
    /// samples (all lengths named), or a value is not finite.
    pub fn from_slices(
        inputs: &[f64],
        n_inputs: usize,
        targets: &[f64],
        n_targets: usize,
    ) -> Result<Self, Error> {
        let n = samples_in("inputs", inputs.len(), n_inputs)?;
        let m = samples_in("targets", targets.len(), n_targets)?;
        check_sample_counts(n, m)?;
        Dataset::new(
            Matrix::new(n, n_inputs, inputs.to_vec())?,
            Matrix::new(m, n_targets, targets.to_vec())?,
        )
    }

    /// [`Dataset::classification`] from one input row per sample and one
    /// class index per sample (for
    /// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy)).
    ///
    /// ```
    /// use saddle_nn::Dataset;
    /// let data = Dataset::classification_from_rows(&[[0.0, 1.0], [1.0, 0.0]], &[1, 0])?;
    /// assert_eq!(data.targets().as_slice(), &[1.0, 0.0]);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Dataset::from_rows`] for the inputs, and if the number of
    /// labels is not the number of rows.
    pub fn classification_from_rows<I: AsRef<[f64]>>(
        inputs: &[I],
        labels: &[usize],
    ) -> Result<Self, Error> {
        check_sample_counts(inputs.len(), labels.len())?;
        Dataset::classification(rows_to_matrix("inputs", inputs)?, labels)
    }

    /// [`Dataset::classification`] from a flat row-major input slice
    /// (`n_inputs` per sample) and one class index per sample.
    ///
    /// # Errors
    /// As [`Dataset::from_slices`] for the inputs, and if the number of
    /// labels is not the number of samples.
    pub fn classification_from_slices(
        inputs: &[f64],
        n_inputs: usize,
        labels: &[usize],
    ) -> Result<Self, Error> {
        let n = samples_in("inputs", inputs.len(), n_inputs)?;
        check_sample_counts(n, labels.len())?;
        Dataset::classification(Matrix::new(n, n_inputs, inputs.to_vec())?, labels)
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

/// Inputs and targets (or labels) must describe the same samples, and at
/// least one.
fn check_sample_counts(inputs: usize, targets: usize) -> Result<(), Error> {
    if inputs == 0 {
        return Err(Error::invalid("empty dataset: no input rows given"));
    }
    if inputs != targets {
        return Err(Error::invalid(format!(
            "{inputs} input rows but {targets} target rows (one each per sample)"
        )));
    }
    Ok(())
}

/// Rows of equal, nonzero length as one row-major matrix.
fn rows_to_matrix<R: AsRef<[f64]>>(what: &str, rows: &[R]) -> Result<Matrix, Error> {
    let cols = rows.first().map_or(0, |r| r.as_ref().len());
    if cols == 0 {
        return Err(Error::invalid(format!(
            "{what} row 0 is empty: every sample needs at least one value"
        )));
    }
    if let Some(i) = rows.iter().position(|r| r.as_ref().len() != cols) {
        return Err(Error::invalid(format!(
            "{what} row {i} has {} entries, row 0 has {cols} (ragged rows)",
            rows[i].as_ref().len()
        )));
    }
    let mut flat = Vec::with_capacity(rows.len() * cols);
    for r in rows {
        flat.extend_from_slice(r.as_ref());
    }
    Matrix::new(rows.len(), cols, flat)
}

/// How many samples a flat slice of `len` numbers holds at `width` per
/// sample.
fn samples_in(what: &str, len: usize, width: usize) -> Result<usize, Error> {
    if width == 0 {
        return Err(Error::invalid(format!(
            "{what}: 0 values per sample; each sample needs at least one"
        )));
    }
    if len == 0 {
        return Err(Error::invalid(format!("empty dataset: no {what} given")));
    }
    if len % width != 0 {
        return Err(Error::invalid(format!(
            "{what} hold {len} values, not a multiple of {width} per sample"
        )));
    }
    Ok(len / width)
}
