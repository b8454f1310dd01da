//! A plain row-major matrix of `f64`: inputs, targets, predictions.

use crate::error::Error;

/// An `rows × cols` matrix of `f64`, row-major. In saddle-nn a batch is a
/// matrix whose rows are samples (the row-vector convention of docs/theory.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A matrix from row-major data.
    ///
    /// # Errors
    /// If the shape is empty, `rows · cols` overflows `usize`, or
    /// `data.len() != rows · cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, Error> {
        if rows == 0 || cols == 0 {
            return Err(Error::invalid(format!(
                "a matrix needs at least one row and column, got {rows}×{cols}"
            )));
        }
        // Checked: in release builds `rows * cols` would wrap and a huge
        // shape could match a short `data`.
        let len = rows.checked_mul(cols).ok_or_else(|| {
            Error::invalid(format!(
                "a {rows}×{cols} matrix has more entries than usize can count"
            ))
        })?;
        if data.len() != len {
            return Err(Error::invalid(format!(
                "{} values for a {rows}×{cols} matrix (expected {len})",
                data.len(),
            )));
        }
        Ok(Matrix { rows, cols, data })
    }

    /// A matrix from rows of equal length.
    ///
    /// # Errors
    /// If there are no rows, a row is empty, or rows differ in length
    /// (the message names the first ragged row).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, Error> {
        let cols = rows.first().map_or(0, Vec::len);
        if let Some(i) = rows.iter().position(|r| r.len() != cols) {
            return Err(Error::invalid(format!(
                "row {i} has {} entries, row 0 has {cols}",
                rows[i].len()
            )));
        }
        Matrix::new(rows.len(), cols, rows.concat())
    }

    /// `n × 1` from a column of values.
    ///
    /// # Errors
    /// If `values` is empty.
    pub fn column(values: Vec<f64>) -> Result<Self, Error> {
        Matrix::new(values.len(), 1, values)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If `i ≥ rows` or `j ≥ cols` (an indexing bug, as for slices); the
    /// checked alternative is [`Matrix::try_get`].
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.try_get(i, j)
            .unwrap_or_else(|e| panic!("Matrix::get: {e}"))
    }

    /// Entry `(i, j)`, or an error naming the index and the shape.
    ///
    /// # Errors
    /// If `i ≥ rows` or `j ≥ cols`.
    pub fn try_get(&self, i: usize, j: usize) -> Result<f64, Error> {
        if i >= self.rows || j >= self.cols {
            return Err(Error::invalid(format!(
                "entry ({i}, {j}) is outside a {}×{} matrix",
                self.rows, self.cols
            )));
        }
        Ok(self.data[i * self.cols + j])
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i ≥ rows` (an indexing bug, as for slices); the checked
    /// alternative is [`Matrix::try_row`].
    pub fn row(&self, i: usize) -> &[f64] {
        self.try_row(i)
            .unwrap_or_else(|e| panic!("Matrix::row: {e}"))
    }

    /// Row `i`, or an error naming the index and the number of rows.
    ///
    /// # Errors
    /// If `i ≥ rows`.
    pub fn try_row(&self, i: usize) -> Result<&[f64], Error> {
        if i >= self.rows {
            return Err(Error::invalid(format!(
                "row {i} is outside a matrix with {} rows",
                self.rows
            )));
        }
        Ok(&self.data[i * self.cols..(i + 1) * self.cols])
    }

    /// All entries, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The rows at `indices`, in that order (repeats allowed).
    ///
    /// # Errors
    /// If `indices` is empty (a matrix has at least one row) or an index is
    /// out of range (the message names it and the number of rows).
    pub fn select_rows(&self, indices: &[usize]) -> Result<Matrix, Error> {
        if indices.is_empty() {
            return Err(Error::invalid(
                "no row indices given: a selection would be an empty matrix",
            ));
        }
        let mut data = Vec::with_capacity(indices.len().saturating_mul(self.cols));
        for (k, &i) in indices.iter().enumerate() {
            let row = self.try_row(i).map_err(|_| {
                Error::invalid(format!(
                    "index {k} of the selection is row {i}, but there are only {} rows",
                    self.rows
                ))
            })?;
            data.extend_from_slice(row);
        }
        Ok(Matrix {
            rows: indices.len(),
            cols: self.cols,
            data,
        })
    }

    /// The first entry that is not finite, as `(row, col, value)`.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        self.data
            .iter()
            .position(|v| !v.is_finite())
            .map(|k| (k / self.cols, k % self.cols, self.data[k]))
    }
}
