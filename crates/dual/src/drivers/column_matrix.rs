//! A rectangular matrix stored column by column: the shape of `H V`.

use crate::error::Error;

/// An `rows × cols` matrix of `f64`, stored column by column (entry
/// `(i, j)` at `j·rows + i`). [`hessian_matrix_product`] returns one:
/// column `j` of `H V` is `H vⱼ`, the product for the `j`-th direction.
///
/// Why a type of its own: [`Hessian`] is square (and symmetric in
/// meaning: it has [`asymmetry`](crate::Hessian::asymmetry) and
/// [`trace`](crate::Hessian::trace)), while `H V` is `n × m`; saddle-nn's
/// `Matrix` is row-major (rows are samples) and lives in a crate above
/// this one. Column-major is the order the lanes produce, so no copy is
/// made, and it is the order of [`LinearOperator::apply_columns`]
/// (whose raw `Vec` [`ColumnMatrix::from_column_major`] wraps).
///
/// [`hessian_matrix_product`]: crate::hessian_matrix_product
/// [`Hessian`]: crate::Hessian
/// [`LinearOperator::apply_columns`]: crate::LinearOperator::apply_columns
///
/// ```
/// use saddle_dual::ColumnMatrix;
/// // [[1, 3], [2, 4]]
/// let m = ColumnMatrix::from_column_major(2, 2, vec![1.0, 2.0, 3.0, 4.0])?;
/// assert_eq!(m.get(0, 1), 3.0);
/// assert_eq!(m.column(1), &[3.0, 4.0]);
/// assert_eq!(m.try_get(2, 0), None);
/// # Ok::<(), saddle_dual::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnMatrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl ColumnMatrix {
    /// Wraps `rows × cols` entries given column by column.
    ///
    /// # Errors
    /// If `rows · cols` overflows `usize` or `data.len() != rows · cols`
    /// (both numbers named).
    pub fn from_column_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, Error> {
        let Some(len) = rows.checked_mul(cols) else {
            return Err(Error::setting(
                "ColumnMatrix",
                format!(
                    "{rows}×{cols} overflows usize ({} entries given)",
                    data.len()
                ),
            ));
        };
        if data.len() != len {
            return Err(Error::setting(
                "ColumnMatrix",
                format!(
                    "{} entries for a {rows}×{cols} matrix (need {len})",
                    data.len()
                ),
            ));
        }
        Ok(ColumnMatrix { rows, cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Entry `(i, j)`: row `i`, column `j`.
    ///
    /// # Panics
    /// If `i ≥ rows` or `j ≥ cols`; [`ColumnMatrix::try_get`] is the
    /// checked form.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self.try_get(i, j) {
            Some(v) => v,
            None => panic!(
                "ColumnMatrix::get({i}, {j}) out of range for a {}×{} matrix",
                self.rows, self.cols
            ),
        }
    }

    /// Entry `(i, j)`, or `None` if `i ≥ rows` or `j ≥ cols`.
    pub fn try_get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.rows && j < self.cols).then(|| self.data[j * self.rows + i])
    }

    /// Column `j`.
    ///
    /// # Panics
    /// If `j ≥ cols`; [`ColumnMatrix::try_column`] is the checked form.
    pub fn column(&self, j: usize) -> &[f64] {
        match self.try_column(j) {
            Some(c) => c,
            None => panic!(
                "ColumnMatrix::column({j}) out of range for a {}×{} matrix",
                self.rows, self.cols
            ),
        }
    }

    /// Column `j`, or `None` if `j ≥ cols`.
    pub fn try_column(&self, j: usize) -> Option<&[f64]> {
        (j < self.cols).then(|| &self.data[j * self.rows..(j + 1) * self.rows])
    }

    /// The columns in order.
    pub fn columns(&self) -> impl Iterator<Item = &[f64]> {
        (0..self.cols).map(|j| &self.data[j * self.rows..(j + 1) * self.rows])
    }

    /// All entries, column by column.
    pub fn as_column_major(&self) -> &[f64] {
        &self.data
    }

    /// All entries, column by column, without a copy.
    pub fn into_column_major(self) -> Vec<f64> {
        self.data
    }

    /// All entries, row by row (a transposed copy).
    pub fn to_row_major(&self) -> Vec<f64> {
        let (r, c) = (self.rows, self.cols);
        (0..r * c).map(|k| self.data[(k % c) * r + k / c]).collect()
    }
}
