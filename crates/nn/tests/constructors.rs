//! One way to give activations to both `Mlp` constructors, and datasets
//! built from plain rows or flat slices: the results agree with the
//! long-hand forms, and bad input is an error naming the numbers.

use saddle_nn::{Activation, Activations, Dataset, Init, Matrix, Mlp};

const TANH: Activation = Activation::Tanh;
const ID: Activation = Activation::Identity;

#[test]
fn hidden_output_and_per_layer_build_the_same_network() {
    let sizes = [3, 5, 4, 2];
    let a = Mlp::new(
        &sizes,
        Activations::hidden_output(TANH, ID),
        Init::Xavier,
        9,
    )
    .unwrap();
    let b = Mlp::new(
        &sizes,
        Activations::per_layer([TANH, TANH, ID]),
        Init::Xavier,
        9,
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a.activations(), &[TANH, TANH, ID]);
    // from_params takes the same type, and a slice converts into it: a
    // network rebuilt from its own parts is itself.
    let c = Mlp::from_params(&sizes, a.activations(), a.params().to_vec()).unwrap();
    let d = Mlp::from_params(
        &sizes,
        Activations::hidden_output(TANH, ID),
        a.params().to_vec(),
    )
    .unwrap();
    assert_eq!((&c, &d), (&a, &a));
    // A one-layer network uses the output activation only.
    let one = Mlp::new(&[2, 1], Activations::hidden_output(TANH, ID), Init::He, 0).unwrap();
    assert_eq!(one.activations(), &[ID]);
}

#[test]
fn per_layer_activations_of_the_wrong_count_name_both_counts() {
    for list in [vec![TANH], vec![TANH, TANH, ID, ID]] {
        let k = list.len();
        let want = format!("{k} activations for 3 layers");
        let e = Mlp::new(&[3, 5, 4, 2], list.clone(), Init::Xavier, 1).unwrap_err();
        assert!(e.to_string().contains(&want), "{e}");
        let e = Mlp::from_params(&[3, 5, 4, 2], list, vec![0.0; 20 + 24 + 10]).unwrap_err();
        assert!(e.to_string().contains(&want), "{e}");
    }
    assert_eq!(
        Activations::per_layer(vec![TANH]).for_layers(1).unwrap(),
        vec![TANH]
    );
}

#[test]
fn from_rows_and_from_slices_equal_the_matrix_route() {
    let x = [[0.0, 1.0], [1.0, 1.0], [2.0, 0.5]];
    let y = [[1.0], [2.0], [2.5]];
    let long_hand = Dataset::new(
        Matrix::new(3, 2, vec![0.0, 1.0, 1.0, 1.0, 2.0, 0.5]).unwrap(),
        Matrix::new(3, 1, vec![1.0, 2.0, 2.5]).unwrap(),
    )
    .unwrap();
    assert_eq!(Dataset::from_rows(&x, &y).unwrap(), long_hand);
    // Vec rows and slice rows work too.
    let xv: Vec<Vec<f64>> = x.iter().map(|r| r.to_vec()).collect();
    let ys: Vec<&[f64]> = y.iter().map(|r| r.as_slice()).collect();
    assert_eq!(Dataset::from_rows(&xv, &ys).unwrap(), long_hand);
    let flat_x = [0.0, 1.0, 1.0, 1.0, 2.0, 0.5];
    let flat_y = [1.0, 2.0, 2.5];
    assert_eq!(
        Dataset::from_slices(&flat_x, 2, &flat_y, 1).unwrap(),
        long_hand
    );
    // Class indices.
    let labels = [2, 0, 1];
    let by_rows = Dataset::classification_from_rows(&x, &labels).unwrap();
    let by_slices = Dataset::classification_from_slices(&flat_x, 2, &labels).unwrap();
    let by_matrix =
        Dataset::classification(Matrix::new(3, 2, flat_x.to_vec()).unwrap(), &labels).unwrap();
    assert_eq!((&by_rows, &by_slices), (&by_matrix, &by_matrix));
    assert_eq!(by_rows.targets().as_slice(), &[2.0, 0.0, 1.0]);
}

fn err<T: std::fmt::Debug>(r: Result<T, saddle_nn::Error>) -> String {
    r.unwrap_err().to_string()
}

fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{text:?} should contain {p:?}");
    }
}

#[test]
fn from_rows_errors_name_the_problem() {
    let none: [[f64; 2]; 0] = [];
    contains_all(&err(Dataset::from_rows(&none, &none)), &["empty dataset"]);
    contains_all(
        &err(Dataset::from_rows(&[[1.0], [2.0]], &[[1.0]])),
        &["2 input rows", "1 target rows"],
    );
    let ragged = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0]];
    contains_all(
        &err(Dataset::from_rows(&ragged, &[[1.0], [2.0], [3.0]])),
        &["inputs row 2 has 1 entries", "row 0 has 2", "ragged"],
    );
    let ragged_t = vec![vec![1.0], vec![2.0, 3.0]];
    contains_all(
        &err(Dataset::from_rows(&[[1.0], [2.0]], &ragged_t)),
        &["targets row 1 has 2 entries", "row 0 has 1"],
    );
    let empty_rows: Vec<Vec<f64>> = vec![vec![], vec![]];
    contains_all(
        &err(Dataset::from_rows(&empty_rows, &[[1.0], [2.0]])),
        &["inputs row 0 is empty"],
    );
    contains_all(
        &err(Dataset::from_rows(&[[1.0, f64::NAN]], &[[1.0]])),
        &["inputs", "row 0, column 1 is NaN"],
    );
    contains_all(
        &err(Dataset::from_rows(&[[1.0]], &[[f64::INFINITY]])),
        &["targets", "row 0, column 0 is inf"],
    );
    contains_all(
        &err(Dataset::classification_from_rows(&[[1.0], [2.0]], &[0])),
        &["2 input rows", "1 target rows"],
    );
}

#[test]
fn from_slices_errors_name_the_problem() {
    contains_all(
        &err(Dataset::from_slices(&[1.0, 2.0, 3.0], 2, &[1.0], 1)),
        &["inputs hold 3 values", "multiple of 2"],
    );
    contains_all(
        &err(Dataset::from_slices(&[1.0, 2.0], 0, &[1.0], 1)),
        &["inputs: 0 values per sample"],
    );
    contains_all(
        &err(Dataset::from_slices(&[1.0, 2.0], 1, &[1.0, 2.0], 0)),
        &["targets: 0 values per sample"],
    );
    contains_all(
        &err(Dataset::from_slices(&[], 1, &[], 1)),
        &["empty dataset", "inputs"],
    );
    contains_all(
        &err(Dataset::from_slices(
            &[1.0, 2.0, 3.0, 4.0],
            2,
            &[1.0, 2.0, 3.0],
            1,
        )),
        &["2 input rows", "3 target rows"],
    );
    contains_all(
        &err(Dataset::from_slices(
            &[1.0, f64::NEG_INFINITY],
            1,
            &[1.0, 2.0],
            1,
        )),
        &["inputs", "row 1, column 0 is -inf"],
    );
    contains_all(
        &err(Dataset::classification_from_slices(
            &[1.0, 2.0],
            1,
            &[0, 1, 2],
        )),
        &["2 input rows", "3 target rows"],
    );
}
