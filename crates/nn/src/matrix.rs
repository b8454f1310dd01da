//! A plain row-major matrix of `f64`: inputs, targets, predictions.

use crate::error::Error;

/// An `rows × cols` matrix of `f64`, row-major. In saddle-nn a batch is a
/// matrix whose rows are samples (the seed's row-vector convention).
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
    /// If `data.len() != rows · cols` or the shape is empty.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, Error> {
        if rows == 0 || cols == 0 {
            return Err(Error::invalid(format!(
                "a matrix needs at least one row and column, got {rows}×{cols}"
            )));
        }
        if data.len() != rows * cols {
            return Err(Error::invalid(format!(
                "{} values for a {rows}×{cols} matrix (expected {})",
                data.len(),
                rows * cols
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
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// All entries, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let data = indices
            .iter()
            .flat_map(|&i| self.row(i).iter().copied())
            .collect();
        Matrix {
            rows: indices.len(),
            cols: self.cols,
            data,
        }
    }

    /// The first entry that is not finite, as `(row, col, value)`.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        self.data
            .iter()
            .position(|v| !v.is_finite())
            .map(|k| (k / self.cols, k % self.cols, self.data[k]))
    }
}
