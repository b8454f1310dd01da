//! Conversions between saddle's matrices ([`Hessian`], [`Matrix`],
//! [`Dataset`]) and the matrix types of faer (`Mat<f64>`, feature `faer`),
//! nalgebra (`DMatrix<f64>`, feature `nalgebra`) and ndarray (`Array2<f64>`,
//! `Array1<f64>`, feature `ndarray`).
//!
//! Every conversion copies entry by entry through `(row, column)` indices,
//! so the storage orders (saddle's [`Matrix`] row-major, [`Hessian`]
//! column-major, faer and nalgebra column-major, ndarray any) cannot be
//! confused: entry `(i, j)` of the result is entry `(i, j)` of the source.
//!
//! The two traits mirror `From`/`TryFrom`, which Rust's orphan rule does not
//! allow here (neither `Hessian` nor `Mat` is defined in this crate):
//!
//! - [`ToArray`]: infallible, saddle → ecosystem
//!   (`let m: nalgebra::DMatrix<f64> = h.to_array();`);
//! - [`TryFromArray`]: saddle ← ecosystem, with an [`Error`] where the
//!   shape is wrong (a Hessian must be square, a [`Matrix`] nonempty, a
//!   [`Dataset`]'s inputs and targets need as many rows) or, for a
//!   [`Dataset`], a value is not finite.
//!
//! ```
//! # #[cfg(feature = "ndarray")] {
//! use ndarray::{array, Array2};
//! use saddle::interop::{ToArray, TryFromArray};
//! use saddle::nn::Dataset;
//! let x = array![[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]];
//! let y = array![1.0, -1.0, 0.5];
//! let data = Dataset::try_from_array((x.view(), y.view()))?;
//! assert_eq!((data.len(), data.input_dim(), data.output_dim()), (3, 2, 1));
//! let back: Array2<f64> = data.inputs().to_array();
//! assert_eq!(back, x);
//! # }
//! # Ok::<(), saddle::interop::Error>(())
//! ```

use saddle_dual::Hessian;
use saddle_nn::{Dataset, Matrix};

/// Why an array could not become a saddle type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The array's shape is wrong for the target (the message has both).
    #[error("{0}")]
    Shape(String),
    /// saddle-nn rejected the data (non-finite value, mismatched rows, …).
    #[error(transparent)]
    Nn(#[from] saddle_nn::Error),
}

/// Infallible conversion of a saddle matrix into another library's type
/// `A`: `A[(i, j)] = self(i, j)`.
pub trait ToArray<A> {
    /// The converted copy.
    fn to_array(&self) -> A;
}

/// Fallible conversion of another library's matrix into a saddle type:
/// `self(i, j) = a[(i, j)]`.
pub trait TryFromArray<A>: Sized {
    /// The converted copy.
    ///
    /// # Errors
    /// If the shape does not fit (a [`Hessian`] needs a square matrix, a
    /// [`Matrix`] at least one row and column, a [`Dataset`] inputs and
    /// targets with the same number of rows) or, for a [`Dataset`], a value
    /// is not finite.
    fn try_from_array(a: A) -> Result<Self, Error>;
}

/// `H` from `n × n` entries given by `entry(i, j)`.
fn hessian_from_fn(
    rows: usize,
    cols: usize,
    entry: impl Fn(usize, usize) -> f64,
) -> Result<Hessian, Error> {
    if rows != cols {
        return Err(Error::Shape(format!(
            "a Hessian needs a square matrix, got {rows}×{cols}"
        )));
    }
    let n = rows;
    // Column-major, as Hessian stores it: entry (i, j) at j·n + i.
    let data = (0..n)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| entry(i, j))
        .collect();
    Hessian::from_column_major(n, data)
        .map_err(|e| Error::Shape(format!("cannot build a {n}×{n} Hessian: {e}")))
}

/// A [`Matrix`] from `rows × cols` entries given by `entry(i, j)`.
fn matrix_from_fn(
    rows: usize,
    cols: usize,
    entry: impl Fn(usize, usize) -> f64,
) -> Result<Matrix, Error> {
    // Row-major, as Matrix stores it.
    let data = (0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .map(|(i, j)| entry(i, j))
        .collect();
    Ok(Matrix::new(rows, cols, data)?)
}

#[cfg(feature = "faer")]
mod with_faer {
    use faer::{Mat, MatRef};

    use super::*;

    impl ToArray<Mat<f64>> for Hessian {
        fn to_array(&self) -> Mat<f64> {
            Mat::from_fn(self.n(), self.n(), |i, j| self.get(i, j))
        }
    }

    impl ToArray<Mat<f64>> for Matrix {
        fn to_array(&self) -> Mat<f64> {
            Mat::from_fn(self.rows(), self.cols(), |i, j| self.get(i, j))
        }
    }

    impl TryFromArray<MatRef<'_, f64>> for Hessian {
        fn try_from_array(a: MatRef<'_, f64>) -> Result<Self, Error> {
            hessian_from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
        }
    }

    impl TryFromArray<&Mat<f64>> for Hessian {
        fn try_from_array(a: &Mat<f64>) -> Result<Self, Error> {
            Hessian::try_from_array(a.as_ref())
        }
    }

    impl TryFromArray<MatRef<'_, f64>> for Matrix {
        fn try_from_array(a: MatRef<'_, f64>) -> Result<Self, Error> {
            matrix_from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
        }
    }

    impl TryFromArray<&Mat<f64>> for Matrix {
        fn try_from_array(a: &Mat<f64>) -> Result<Self, Error> {
            Matrix::try_from_array(a.as_ref())
        }
    }

    /// `(inputs, targets)`, one sample per row.
    impl TryFromArray<(&Mat<f64>, &Mat<f64>)> for Dataset {
        fn try_from_array((x, y): (&Mat<f64>, &Mat<f64>)) -> Result<Self, Error> {
            Ok(Dataset::new(
                Matrix::try_from_array(x)?,
                Matrix::try_from_array(y)?,
            )?)
        }
    }
}

#[cfg(feature = "nalgebra")]
mod with_nalgebra {
    use nalgebra::DMatrix;

    use super::*;

    impl ToArray<DMatrix<f64>> for Hessian {
        fn to_array(&self) -> DMatrix<f64> {
            DMatrix::from_fn(self.n(), self.n(), |i, j| self.get(i, j))
        }
    }

    impl ToArray<DMatrix<f64>> for Matrix {
        fn to_array(&self) -> DMatrix<f64> {
            DMatrix::from_fn(self.rows(), self.cols(), |i, j| self.get(i, j))
        }
    }

    impl TryFromArray<&DMatrix<f64>> for Hessian {
        fn try_from_array(a: &DMatrix<f64>) -> Result<Self, Error> {
            hessian_from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
        }
    }

    impl TryFromArray<&DMatrix<f64>> for Matrix {
        fn try_from_array(a: &DMatrix<f64>) -> Result<Self, Error> {
            matrix_from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)])
        }
    }

    /// `(inputs, targets)`, one sample per row.
    impl TryFromArray<(&DMatrix<f64>, &DMatrix<f64>)> for Dataset {
        fn try_from_array((x, y): (&DMatrix<f64>, &DMatrix<f64>)) -> Result<Self, Error> {
            Ok(Dataset::new(
                Matrix::try_from_array(x)?,
                Matrix::try_from_array(y)?,
            )?)
        }
    }
}

#[cfg(feature = "ndarray")]
mod with_ndarray {
    use ndarray::{Array2, ArrayView1, ArrayView2};

    use super::*;

    impl ToArray<Array2<f64>> for Hessian {
        fn to_array(&self) -> Array2<f64> {
            Array2::from_shape_fn((self.n(), self.n()), |(i, j)| self.get(i, j))
        }
    }

    impl ToArray<Array2<f64>> for Matrix {
        fn to_array(&self) -> Array2<f64> {
            Array2::from_shape_fn((self.rows(), self.cols()), |(i, j)| self.get(i, j))
        }
    }

    impl TryFromArray<ArrayView2<'_, f64>> for Hessian {
        fn try_from_array(a: ArrayView2<'_, f64>) -> Result<Self, Error> {
            hessian_from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
        }
    }

    impl TryFromArray<ArrayView2<'_, f64>> for Matrix {
        fn try_from_array(a: ArrayView2<'_, f64>) -> Result<Self, Error> {
            matrix_from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
        }
    }

    /// Inputs `n × d_in`, targets `n × d_out`, one sample per row.
    impl TryFromArray<(ArrayView2<'_, f64>, ArrayView2<'_, f64>)> for Dataset {
        fn try_from_array(
            (x, y): (ArrayView2<'_, f64>, ArrayView2<'_, f64>),
        ) -> Result<Self, Error> {
            Ok(Dataset::new(
                Matrix::try_from_array(x)?,
                Matrix::try_from_array(y)?,
            )?)
        }
    }

    /// Inputs `n × d_in` and one scalar target per sample (`d_out = 1`).
    impl TryFromArray<(ArrayView2<'_, f64>, ArrayView1<'_, f64>)> for Dataset {
        fn try_from_array(
            (x, y): (ArrayView2<'_, f64>, ArrayView1<'_, f64>),
        ) -> Result<Self, Error> {
            let targets = matrix_from_fn(y.len(), 1, |i, _| y[i])?;
            Ok(Dataset::new(Matrix::try_from_array(x)?, targets)?)
        }
    }
}
