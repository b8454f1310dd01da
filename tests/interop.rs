//! Conversions to and from faer, nalgebra and ndarray. Run with
//! `cargo test --release --features faer,nalgebra,ndarray --test interop`.
//!
//! Every matrix is non-symmetric with distinct entries, so a transposition
//! (row-major read as column-major) changes some entry and fails. Copies
//! are exact: comparisons are `==`.

use saddle::dual::Hessian;
#[cfg(any(feature = "ndarray", feature = "faer", feature = "nalgebra"))]
use saddle::nn::Dataset;
use saddle::nn::Matrix;

/// `A[i][j] = 10 i + j + 1`: distinct entries, not symmetric.
fn entry(i: usize, j: usize) -> f64 {
    (10 * i + j + 1) as f64
}

fn hessian3() -> Hessian {
    // Column-major: column j holds entry(·, j).
    let data = (0..3)
        .flat_map(|j| (0..3).map(move |i| entry(i, j)))
        .collect();
    Hessian::from_column_major(3, data).unwrap()
}

fn matrix2x3() -> Matrix {
    Matrix::new(
        2,
        3,
        (0..2)
            .flat_map(|i| (0..3).map(move |j| entry(i, j)))
            .collect(),
    )
    .unwrap()
}

#[test]
fn fixtures_are_not_symmetric() {
    let h = hessian3();
    assert_eq!((h.get(0, 1), h.get(1, 0)), (2.0, 11.0));
    assert_eq!(matrix2x3().get(1, 2), 13.0);
}

#[cfg(feature = "faer")]
mod faer_tests {
    use super::*;
    use faer::Mat;
    use saddle::interop::{ToArray, TryFromArray};

    #[test]
    fn faer_hessian_and_matrix_keep_orientation() {
        let h = hessian3();
        let m: Mat<f64> = h.to_array();
        assert_eq!((m[(0, 1)], m[(1, 0)]), (2.0, 11.0));
        assert_eq!(Hessian::try_from_array(&m).unwrap(), h);
        let a = matrix2x3();
        let fa: Mat<f64> = a.to_array();
        assert_eq!((fa.nrows(), fa.ncols(), fa[(1, 2)]), (2, 3, 13.0));
        assert_eq!(Matrix::try_from_array(&fa).unwrap(), a);
        // A transposed view (faer strides) converts by index too.
        assert_eq!(
            Matrix::try_from_array(fa.transpose()).unwrap().get(2, 1),
            13.0
        );
    }

    #[test]
    fn faer_bad_shapes_are_errors() {
        let err = Hessian::try_from_array(&Mat::<f64>::zeros(2, 3)).unwrap_err();
        assert!(err.to_string().contains("2×3"), "{err}");
        assert!(Matrix::try_from_array(&Mat::<f64>::zeros(0, 3)).is_err());
        let x = Mat::from_fn(3, 2, entry);
        let y = Mat::from_fn(2, 1, |i, _| i as f64);
        let err = Dataset::try_from_array((&x, &y)).unwrap_err().to_string();
        assert!(err.contains('3') && err.contains('2'), "{err}");
        let y = Mat::from_fn(3, 1, |i, _| i as f64);
        let data = Dataset::try_from_array((&x, &y)).unwrap();
        assert_eq!(data.inputs().get(2, 1), 22.0);
    }
}

#[cfg(feature = "nalgebra")]
mod nalgebra_tests {
    use super::*;
    use nalgebra::DMatrix;
    use saddle::interop::{ToArray, TryFromArray};

    #[test]
    fn nalgebra_hessian_and_matrix_keep_orientation() {
        let h = hessian3();
        let m: DMatrix<f64> = h.to_array();
        assert_eq!((m[(0, 1)], m[(1, 0)]), (2.0, 11.0));
        assert_eq!(Hessian::try_from_array(&m).unwrap(), h);
        let a = matrix2x3();
        let na: DMatrix<f64> = a.to_array();
        // nalgebra's own row-major constructor agrees.
        assert_eq!(na, DMatrix::from_row_slice(2, 3, a.as_slice()));
        assert_eq!(Matrix::try_from_array(&na).unwrap(), a);
    }

    #[test]
    fn nalgebra_bad_shapes_and_values_are_errors() {
        assert!(Hessian::try_from_array(&DMatrix::<f64>::zeros(3, 2)).is_err());
        let x = DMatrix::from_fn(2, 2, entry);
        let mut y = DMatrix::from_element(2, 1, 0.5);
        y[(1, 0)] = f64::NAN;
        let err = Dataset::try_from_array((&x, &y)).unwrap_err().to_string();
        assert!(err.contains("NaN"), "{err}");
    }
}

#[cfg(feature = "ndarray")]
mod ndarray_tests {
    use super::*;
    use ndarray::{array, Array1, Array2, ShapeBuilder};
    use saddle::interop::{ToArray, TryFromArray};

    #[test]
    fn ndarray_hessian_and_matrix_keep_orientation() {
        let h = hessian3();
        let m: Array2<f64> = h.to_array();
        assert_eq!((m[[0, 1]], m[[1, 0]]), (2.0, 11.0));
        assert_eq!(Hessian::try_from_array(m.view()).unwrap(), h);
        let a = matrix2x3();
        let na: Array2<f64> = a.to_array();
        assert_eq!(na, array![[1.0, 2.0, 3.0], [11.0, 12.0, 13.0]]);
        assert_eq!(Matrix::try_from_array(na.view()).unwrap(), a);
        // A Fortran-order array holds the same matrix with other strides.
        let f = Array2::from_shape_fn((2, 3).f(), |(i, j)| entry(i, j));
        assert_eq!(Matrix::try_from_array(f.view()).unwrap(), a);
    }

    #[test]
    fn ndarray_dataset_from_2d_and_1d_targets() {
        let x = array![[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]];
        let y1: Array1<f64> = array![1.0, -1.0, 0.5];
        let y2 = array![[1.0, 0.0], [-1.0, 0.0], [0.5, 2.0]];
        let d1 = Dataset::try_from_array((x.view(), y1.view())).unwrap();
        assert_eq!((d1.len(), d1.input_dim(), d1.output_dim()), (3, 2, 1));
        assert_eq!((d1.inputs().get(2, 1), d1.targets().get(1, 0)), (5.0, -1.0));
        let d2 = Dataset::try_from_array((x.view(), y2.view())).unwrap();
        assert_eq!((d2.output_dim(), d2.targets().get(2, 1)), (2, 2.0));
        let short = array![1.0, 2.0];
        assert!(Dataset::try_from_array((x.view(), short.view())).is_err());
        let mut bad = x.clone();
        bad[[1, 0]] = f64::INFINITY;
        let err = Dataset::try_from_array((bad.view(), y1.view()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("inf"), "{err}");
    }
}

/// The "done when" path: data from ndarray, train, save the
/// network, compute its Hessian and save it for NumPy; everything read
/// back exactly.
#[cfg(feature = "ndarray")]
#[test]
fn ndarray_data_to_trained_saved_network_and_saved_hessian() {
    use ndarray::Array2;
    use saddle::dual::HessianOptions;
    use saddle::interop::{ToArray, TryFromArray};
    use saddle::nn::{train, Activation, Activations, Init, Mlp, TrainOptions};

    let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64 / 10.0 - 1.0);
    let y = x.mapv(|v| (2.0 * v).sin());
    let data = Dataset::try_from_array((x.view(), y.view())).unwrap();
    let mut net = Mlp::new(
        &[1, 4, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap();
    let before = net.loss(&data).unwrap();
    let options = TrainOptions {
        learning_rate: 0.1,
        epochs: 50,
        batch_size: None,
        seed: 1,
    };
    train(&mut net, &data, &options, |_| {}).unwrap();
    assert!(net.loss(&data).unwrap() < before);

    let dir = std::env::temp_dir().join(format!("saddle_interop_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    net.save(dir.join("net.json")).unwrap();
    let net = Mlp::load(dir.join("net.json")).unwrap();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    saddle::io::save_hessian(dir.join("hessian.npy"), &h).unwrap();
    let back = saddle::io::load_hessian(dir.join("hessian.npy")).unwrap();
    assert_eq!(back, h);
    let as_ndarray: Array2<f64> = back.to_array();
    assert_eq!(as_ndarray[[0, 3]], h.get(0, 3));
}
