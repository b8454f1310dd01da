//! The bad-input sweep for saddle-nn (issue 9): every public entry called
//! with empty, mismatched, non-finite and absurdly large inputs must return
//! an `Err` whose message names the problem — never panic, never `Ok`.
//!
//! Each case runs under `catch_unwind`, so one run lists *every* entry that
//! panicked, returned `Ok`, or gave an error not naming the problem.
//!
//! Panics that remain by design (documented under `# Panics`, each with a
//! checked alternative tested here): `Matrix::get`/`row` (→ `try_get`,
//! `try_row`), `Mlp::layer_ranges` (→ `try_layer_ranges`), and
//! `Mlp::forward_on_tape`/`loss_on_tape` (tape-level building blocks; the
//! `Mlp` methods check first). Mixing blocks of two tapes in `dense` panics
//! in saddle-tape.

use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_dual::HessianOptions;
use saddle_nn::{
    bce_with_logits, class_labels, datasets, delta_rules, dense, huber, mse, pick,
    softmax_cross_entropy, train, train_with, Activation, Activations, BceWithLogits, CsvOptions,
    Dataset, Error, Header, Huber, Init, Matrix, Mlp, SoftmaxCrossEntropy, Targets, TrainOptions,
};
use saddle_tape::Tape;

/// One entry called with one bad input: it must return `Err` with a
/// message containing `expect`.
struct Case {
    name: &'static str,
    expect: &'static str,
    run: Box<dyn Fn() -> Result<(), Error>>,
}

fn case<T>(
    name: &'static str,
    expect: &'static str,
    run: impl Fn() -> Result<T, Error> + 'static,
) -> Case {
    Case {
        name,
        expect,
        run: Box::new(move || run().map(|_| ())),
    }
}

/// Runs every case and returns one line per failure.
fn sweep(cases: Vec<Case>) -> Vec<String> {
    let mut failures = Vec::new();
    for c in &cases {
        match catch_unwind(AssertUnwindSafe(|| (c.run)())) {
            Err(_) => failures.push(format!("{}: panicked", c.name)),
            Ok(Ok(())) => failures.push(format!("{}: returned Ok", c.name)),
            Ok(Err(e)) if !e.to_string().contains(c.expect) => failures.push(format!(
                "{}: error {:?} does not name {:?}",
                c.name,
                e.to_string(),
                c.expect
            )),
            Ok(Err(_)) => {}
        }
    }
    failures
}

fn net() -> Mlp {
    Mlp::new(
        &[2, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        0,
    )
    .unwrap()
}

/// Three samples with two inputs and two targets: mismatched for `net()`.
fn two_targets() -> Dataset {
    Dataset::new(
        Matrix::new(3, 2, vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).unwrap(),
        Matrix::new(3, 2, vec![1.0; 6]).unwrap(),
    )
    .unwrap()
}

/// Three samples with three inputs: mismatched for `net()`.
fn three_inputs() -> Dataset {
    Dataset::new(
        Matrix::new(3, 3, vec![0.5; 9]).unwrap(),
        Matrix::new(3, 1, vec![1.0; 3]).unwrap(),
    )
    .unwrap()
}

fn matrix_cases() -> Vec<Case> {
    vec![
        case("Matrix::new 0 rows", "at least one row", || {
            Matrix::new(0, 3, vec![])
        }),
        case("Matrix::new short data", "3 values for a 2×2", || {
            Matrix::new(2, 2, vec![1.0; 3])
        }),
        case(
            "Matrix::new 2^32 x 2^32 (overflow)",
            "more entries than usize",
            || Matrix::new(1 << 32, 1 << 32, vec![]),
        ),
        case("Matrix::from_rows empty", "at least one row", || {
            Matrix::from_rows(&[])
        }),
        case("Matrix::from_rows ragged", "row 1 has 1 entries", || {
            Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]])
        }),
        case("Matrix::column empty", "at least one row", || {
            Matrix::column(vec![])
        }),
        case(
            "Matrix::try_get out of range",
            "entry (2, 0) is outside a 2×2",
            || Matrix::new(2, 2, vec![0.0; 4])?.try_get(2, 0),
        ),
        case("Matrix::try_row out of range", "row 7 is outside", || {
            Matrix::new(2, 2, vec![0.0; 4])?
                .try_row(7)
                .map(<[f64]>::to_vec)
        }),
        case("Matrix::select_rows empty", "no row indices", || {
            Matrix::new(2, 2, vec![0.0; 4])?.select_rows(&[])
        }),
        case("Matrix::select_rows out of range", "row 9", || {
            Matrix::new(2, 2, vec![0.0; 4])?.select_rows(&[0, 9])
        }),
    ]
}

fn dataset_cases() -> Vec<Case> {
    vec![
        case(
            "Dataset::new row mismatch",
            "inputs have 2 rows but targets have 1",
            || {
                Dataset::new(
                    Matrix::new(2, 1, vec![0.0; 2])?,
                    Matrix::new(1, 1, vec![0.0])?,
                )
            },
        ),
        case(
            "Dataset::new NaN input",
            "inputs: row 1, column 0 is NaN",
            || {
                Dataset::new(
                    Matrix::new(2, 1, vec![0.0, f64::NAN])?,
                    Matrix::new(2, 1, vec![0.0; 2])?,
                )
            },
        ),
        case(
            "Dataset::new inf target",
            "targets: row 0, column 0 is inf",
            || {
                Dataset::new(
                    Matrix::new(1, 1, vec![0.0])?,
                    Matrix::new(1, 1, vec![f64::INFINITY])?,
                )
            },
        ),
        case("Dataset::select empty", "empty dataset", || {
            datasets::bowl(4, 0)?.select(&[])
        }),
        case(
            "Dataset::select out of range",
            "row 4, but there are only 4 rows",
            || datasets::bowl(4, 0)?.select(&[1, 4]),
        ),
        case("Dataset::from_csv_reader empty", "has no lines", || {
            Dataset::from_csv_reader("".as_bytes(), &CsvOptions::default())
        }),
        case(
            "Dataset::from_csv_reader Last(0)",
            "last 0 of 2 columns",
            || {
                Dataset::from_csv_reader(
                    "1,2\n".as_bytes(),
                    &CsvOptions {
                        header: Header::Absent,
                        targets: Targets::Last(0),
                    },
                )
            },
        ),
        case(
            "Dataset::from_csv_reader Columns([])",
            "no target columns",
            || {
                Dataset::from_csv_reader(
                    "1,2\n".as_bytes(),
                    &CsvOptions {
                        header: Header::Absent,
                        targets: Targets::Columns(vec![]),
                    },
                )
            },
        ),
        case(
            "Dataset::from_csv_reader huge column",
            "target column 18446744073709551615 does not exist",
            || {
                Dataset::from_csv_reader(
                    "1,2\n".as_bytes(),
                    &CsvOptions {
                        header: Header::Absent,
                        targets: Targets::Columns(vec![usize::MAX]),
                    },
                )
            },
        ),
        case("Dataset::from_csv_path missing", "cannot read", || {
            Dataset::from_csv_path("/nonexistent/saddle.csv", &CsvOptions::default())
        }),
    ]
}

fn generator_cases() -> Vec<Case> {
    vec![
        case("datasets::noisy_sine n = 0", "at least one sample", || {
            datasets::noisy_sine(0, 0.1, 0)
        }),
        case(
            "datasets::noisy_sine NaN noise",
            "noise must be finite",
            || datasets::noisy_sine(4, f64::NAN, 0),
        ),
        case(
            "datasets::noisy_sine negative noise",
            "noise must be finite and ≥ 0, got -1",
            || datasets::noisy_sine(4, -1.0, 0),
        ),
        case(
            "datasets::noisy_sine n = usize::MAX",
            "cannot allocate",
            || datasets::noisy_sine(usize::MAX, 0.1, 0),
        ),
        case("datasets::bowl n = 0", "at least one sample", || {
            datasets::bowl(0, 0)
        }),
        case("datasets::bowl n = 2^60", "cannot allocate", || {
            datasets::bowl(1 << 60, 0)
        }),
        case("datasets::xor n = 0", "at least one sample", || {
            datasets::xor(0, 0)
        }),
        case("datasets::xor n = usize::MAX", "cannot allocate", || {
            datasets::xor(usize::MAX, 0)
        }),
    ]
}

fn mlp_cases() -> Vec<Case> {
    let t = Activation::Tanh;
    let id = Activation::Identity;
    vec![
        case(
            "Mlp::new no sizes",
            "at least an input and an output",
            move || Mlp::new(&[], Activations::hidden_output(t, id), Init::Xavier, 0),
        ),
        case(
            "Mlp::new one size",
            "at least an input and an output",
            move || Mlp::new(&[3], Activations::hidden_output(t, id), Init::Xavier, 0),
        ),
        case("Mlp::new zero width", "layer size 1 is zero", move || {
            Mlp::new(&[2, 0, 1], Activations::hidden_output(t, id), Init::He, 0)
        }),
        case(
            "Mlp::new overflowing sizes",
            "give more than 1073741823 parameters",
            move || {
                Mlp::new(
                    &[usize::MAX, 2],
                    Activations::hidden_output(t, id),
                    Init::Xavier,
                    0,
                )
            },
        ),
        case(
            "Mlp::new more params than a tape holds",
            "a tape holds at most",
            move || {
                Mlp::new(
                    &[1 << 16, 1 << 16],
                    Activations::hidden_output(t, id),
                    Init::Xavier,
                    0,
                )
            },
        ),
        case(
            "Mlp::from_params activations",
            "1 activations for 2 layers",
            move || Mlp::from_params(&[2, 3, 1], [t], vec![0.0; 13]),
        ),
        case(
            "Mlp::from_params length",
            "12 parameters given, the network has 13",
            move || Mlp::from_params(&[2, 3, 1], [t, id], vec![0.0; 12]),
        ),
        case("Mlp::from_params NaN", "parameter 4 is NaN", move || {
            let mut p = vec![0.0; 13];
            p[4] = f64::NAN;
            Mlp::from_params(&[2, 3, 1], [t, id], p)
        }),
        case(
            "Mlp::from_params overflowing sizes",
            "parameters",
            move || Mlp::from_params(&[1 << 40, 1 << 40], [t], vec![]),
        ),
        case("Mlp::set_params inf", "parameter 0 is inf", || {
            let mut n = net();
            let mut p = n.params().to_vec();
            p[0] = f64::INFINITY;
            n.set_params(&p)
        }),
        case(
            "Mlp::try_layer_ranges",
            "layer 2 does not exist: the network has 2 layers",
            || net().try_layer_ranges(2),
        ),
        case("Mlp::try_layer_ranges usize::MAX", "does not exist", || {
            net().try_layer_ranges(usize::MAX)
        }),
        case(
            "Mlp::forward wrong columns",
            "inputs have 3 columns but the network takes 2",
            || net().forward(&Matrix::new(1, 3, vec![0.0; 3])?),
        ),
        case(
            "Mlp::forward NaN input",
            "inputs: row 0, column 1 is NaN",
            || net().forward(&Matrix::new(1, 2, vec![0.0, f64::NAN])?),
        ),
        case("Mlp::forward_trace wrong columns", "3 columns", || {
            net().forward_trace(&Matrix::new(1, 3, vec![0.0; 3])?)
        }),
        case(
            "Mlp::loss wrong targets",
            "targets have 2 columns but the network has 1 outputs",
            || net().loss(&two_targets()),
        ),
        case("Mlp::loss wrong inputs", "inputs have 3 columns", || {
            net().loss(&three_inputs())
        }),
        case(
            "Mlp::loss_and_gradient wrong targets",
            "targets have 2 columns",
            || net().loss_and_gradient(&two_targets()),
        ),
        case("Mlp::hvp wrong targets", "targets have 2 columns", || {
            net().hvp(&two_targets(), &[0.0; 13])
        }),
        case(
            "Mlp::hvp short v",
            "v has 4 entries but the network has 13 parameters",
            || net().hvp(&datasets::bowl(3, 0)?, &[1.0; 4]),
        ),
        case("Mlp::hvp NaN v", "v[3] is NaN", || {
            let mut v = vec![1.0; 13];
            v[3] = f64::NAN;
            net().hvp(&datasets::bowl(3, 0)?, &v)
        }),
        case("Mlp::hessian wrong inputs", "inputs have 3 columns", || {
            net().hessian(&three_inputs(), HessianOptions::default())
        }),
        case(
            "Mlp::hessian_with_progress wrong targets",
            "targets have 2 columns",
            || net().hessian_with_progress(&two_targets(), HessianOptions::default(), &|_| {}),
        ),
        case(
            "delta_rules::loss_and_gradient wrong targets",
            "targets have 2 columns",
            || delta_rules::loss_and_gradient(&net(), &two_targets()),
        ),
    ]
}

fn train_cases() -> Vec<Case> {
    let with = |o: TrainOptions| move || train(&mut net(), &datasets::bowl(4, 0)?, &o, |_| {});
    let d = TrainOptions::default();
    vec![
        case(
            "train learning rate NaN",
            "learning rate must be positive and finite, got NaN",
            with(TrainOptions {
                learning_rate: f64::NAN,
                ..d
            }),
        ),
        case(
            "train learning rate negative",
            "got -0.5",
            with(TrainOptions {
                learning_rate: -0.5,
                ..d
            }),
        ),
        case(
            "train learning rate 0",
            "got 0",
            with(TrainOptions {
                learning_rate: 0.0,
                ..d
            }),
        ),
        case(
            "train learning rate inf",
            "got inf",
            with(TrainOptions {
                learning_rate: f64::INFINITY,
                ..d
            }),
        ),
        case(
            "train epochs 0",
            "epochs must be at least 1",
            with(TrainOptions { epochs: 0, ..d }),
        ),
        case(
            "train batch 0",
            "batch size must be at least 1",
            with(TrainOptions {
                batch_size: Some(0),
                ..d
            }),
        ),
        case(
            "train epochs × batches overflow",
            "overflow the step count",
            with(TrainOptions {
                epochs: usize::MAX,
                batch_size: Some(1),
                ..d
            }),
        ),
        case(
            "train epochs usize::MAX full batch",
            "cannot hold the history of 18446744073709551615 steps",
            with(TrainOptions {
                epochs: usize::MAX,
                ..d
            }),
        ),
        case(
            "train mismatched data",
            "targets have 2 columns",
            move || train(&mut net(), &two_targets(), &d, |_| {}),
        ),
    ]
}

fn block_cases() -> Vec<Case> {
    vec![
        case(
            "dense shape mismatch",
            "dense: X is 2×3, W is 2×2",
            || {
                let tape = Tape::<f64>::new();
                let x = tape.input_block(2, 3, &[0.0; 6])?;
                let w = tape.input_block(2, 2, &[0.0; 4])?;
                let b = tape.input_block(1, 2, &[0.0; 2])?;
                dense(&x, &w, &b, Activation::Tanh).map(|_| ())
            },
        ),
        case(
            "mse target length",
            "mse: 4 predictions (2×2) but 3 targets",
            || {
                let tape = Tape::<f64>::new();
                let p = tape.input_block(2, 2, &[0.0; 4])?;
                mse(&p, &[0.0; 3]).map(|_| ())
            },
        ),
    ]
}

/// A 3-class network and data for it.
fn classifier() -> Mlp {
    Mlp::new(
        &[2, 3, 3],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        0,
    )
    .unwrap()
}

fn labels(values: Vec<f64>) -> Result<Dataset, Error> {
    Dataset::new(
        Matrix::new(values.len(), 2, vec![0.1; 2 * values.len()])?,
        Matrix::column(values)?,
    )
}

fn loss_cases() -> Vec<Case> {
    let ce = SoftmaxCrossEntropy;
    vec![
        case("Huber::new 0", "positive and finite, got 0", || {
            Huber::new(0.0)
        }),
        case("Huber::new -1", "got -1", || Huber::new(-1.0)),
        case("Huber::new NaN", "got NaN", || Huber::new(f64::NAN)),
        case("Huber::new inf", "got inf", || Huber::new(f64::INFINITY)),
        case(
            "Mlp::loss_with CE label = K",
            "target row 1: 3 is not a class index",
            move || classifier().loss_with(&labels(vec![0.0, 3.0])?, &ce),
        ),
        case(
            "Mlp::loss_and_gradient_with CE label 0.5",
            "0.5 is not a class index",
            move || classifier().loss_and_gradient_with(&labels(vec![0.5])?, &ce),
        ),
        case(
            "Mlp::hvp_with CE label 1e300",
            "is not a class index",
            move || classifier().hvp_with(&labels(vec![1e300])?, &ce, &[0.0; 21]),
        ),
        case(
            "Mlp::hvp_with short v",
            "v has 2 entries but the network has 21",
            move || classifier().hvp_with(&labels(vec![1.0])?, &ce, &[0.0; 2]),
        ),
        case(
            "Mlp::hessian_with CE two target columns",
            "class-index targets need one column, got 3",
            move || {
                classifier().hessian_with(
                    &Dataset::new(
                        Matrix::new(1, 2, vec![0.0; 2])?,
                        Matrix::new(1, 3, vec![0.0; 3])?,
                    )?,
                    &ce,
                    HessianOptions::default(),
                    &|_| {},
                )
            },
        ),
        case(
            "Mlp::loss_with BCE target 2",
            "target row 0, column 0 is 2, not a probability",
            || net().loss_with(&labels(vec![2.0])?, &BceWithLogits),
        ),
        case(
            "Mlp::loss_with Huber wrong targets",
            "targets have 2 columns",
            || net().loss_with(&two_targets(), &Huber::new(1.0)?),
        ),
        case(
            "train_with CE bad label",
            "target row 0: -1 is not a class index",
            move || {
                train_with(
                    &mut classifier(),
                    &labels(vec![-1.0])?,
                    &ce,
                    &TrainOptions::default(),
                    |_| {},
                )
            },
        ),
        case("train_with CE NaN rate", "learning rate", move || {
            let o = TrainOptions {
                learning_rate: f64::NAN,
                ..TrainOptions::default()
            };
            train_with(&mut classifier(), &labels(vec![1.0])?, &ce, &o, |_| {})
        }),
        case("class_labels two columns", "need one column, got 2", || {
            class_labels(&Matrix::new(1, 2, vec![0.0; 2])?, 3)
        }),
        case(
            "Dataset::classification label count",
            "3 labels for 2 samples",
            || Dataset::classification(Matrix::new(2, 1, vec![0.0; 2])?, &[0, 1, 2]),
        ),
        case(
            "datasets::spirals 1 class",
            "at least 2 classes, got 1",
            || datasets::spirals(4, 1, 0.1, 0),
        ),
        case(
            "datasets::spirals 0 per class",
            "at least one sample",
            || datasets::spirals(0, 3, 0.1, 0),
        ),
        case(
            "datasets::spirals overflow",
            "overflow the sample count",
            || datasets::spirals(usize::MAX, 3, 0.1, 0),
        ),
        case(
            "datasets::spirals NaN noise",
            "noise must be finite",
            || datasets::spirals(3, 3, f64::NAN, 0),
        ),
        case(
            "softmax_cross_entropy label count",
            "1 labels for 2 rows",
            || {
                let tape = Tape::<f64>::new();
                let z = tape.input_block(2, 3, &[0.0; 6])?;
                softmax_cross_entropy(&z, &[0]).map(|_| ())
            },
        ),
        case(
            "softmax_cross_entropy label out of range",
            "label 3 of row 1 is not a class of 3",
            || {
                let tape = Tape::<f64>::new();
                let z = tape.input_block(2, 3, &[0.0; 6])?;
                softmax_cross_entropy(&z, &[0, 3]).map(|_| ())
            },
        ),
        case(
            "pick out of range",
            "column 5 of row 0 is outside 3 columns",
            || {
                let tape = Tape::<f64>::new();
                let z = tape.input_block(1, 3, &[0.0; 3])?;
                pick(&z, &[5]).map(|_| ())
            },
        ),
        case("pick count", "2 column indices for 1 rows", || {
            let tape = Tape::<f64>::new();
            let z = tape.input_block(1, 3, &[0.0; 3])?;
            pick(&z, &[0, 1]).map(|_| ())
        }),
        case(
            "bce_with_logits length",
            "bce_with_logits: 3 predictions (1×3) but 2 targets",
            || {
                let tape = Tape::<f64>::new();
                let z = tape.input_block(1, 3, &[0.0; 3])?;
                bce_with_logits(&z, &[0.0; 2]).map(|_| ())
            },
        ),
        case("huber length", "huber: 3 predictions", || {
            let tape = Tape::<f64>::new();
            let z = tape.input_block(1, 3, &[0.0; 3])?;
            huber(&z, &[0.0; 2], 1.0).map(|_| ())
        }),
        case("huber delta NaN", "got NaN", || {
            let tape = Tape::<f64>::new();
            let z = tape.input_block(1, 3, &[0.0; 3])?;
            huber(&z, &[0.0; 3], f64::NAN).map(|_| ())
        }),
    ]
}

#[test]
fn every_public_entry_rejects_bad_input_with_an_error() {
    let cases: Vec<Case> = [
        matrix_cases(),
        dataset_cases(),
        generator_cases(),
        mlp_cases(),
        train_cases(),
        block_cases(),
        loss_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let total = cases.len();
    let failures = sweep(cases);
    assert!(
        failures.is_empty(),
        "{} of {total} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn empty_dataset_selection_is_an_error_not_a_panic() {
    // Issue 9, item 5: `select(&[])` built a 0-row dataset whose
    // `is_empty()` said false, and the loss methods panicked on it.
    let data = datasets::bowl(4, 0).unwrap();
    let e = data.select(&[]).unwrap_err().to_string();
    assert!(e.contains("empty dataset"), "{e}");
    assert!(!data.is_empty());
    assert_eq!(data.select(&[3, 0, 3]).unwrap().len(), 3);
}

#[test]
fn matrix_new_huge_shape_overflow_is_an_error() {
    // Issue 9, item 10: 2³² × 2³² wrapped to 0 in release builds and an
    // empty `data` matched it.
    let e = Matrix::new(1 << 32, 1 << 32, vec![])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "a 4294967296×4294967296 matrix has more entries than usize can count"
    );
}

#[test]
fn train_step_count_overflow_is_an_error() {
    // Issue 9, item 10: epochs × batches per epoch wrapped.
    let data = datasets::bowl(4, 0).unwrap();
    let opts = TrainOptions {
        epochs: usize::MAX / 2,
        batch_size: Some(1),
        ..TrainOptions::default()
    };
    let mut n = net();
    let before = n.clone();
    let e = train(&mut n, &data, &opts, |_| {}).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{} epochs of 4 steps each overflow the step count",
            usize::MAX / 2
        )
    );
    assert_eq!(n, before, "a refused training leaves the network untouched");
}

#[test]
fn layer_ranges_out_of_range_is_an_error_from_the_checked_form() {
    // Issue 9, item 15: `layer_ranges(l)` panicked without a documented
    // alternative. The checked form errs; the unchecked one panics with a
    // message naming the layer (documented under `# Panics`).
    let n = net();
    assert_eq!(n.try_layer_ranges(1).unwrap(), (9..12, 12..13));
    assert!(n.try_layer_ranges(2).is_err());
    let panic = catch_unwind(|| n.layer_ranges(2)).unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("layer 2 does not exist"), "{message}");
}

#[test]
fn dataset_select_out_of_range_is_an_error() {
    // Issue 9, item 15: `select` indexed past the end and panicked.
    let data = datasets::bowl(4, 0).unwrap();
    let e = data.select(&[0, 7]).unwrap_err().to_string();
    assert_eq!(
        e,
        "select from 4 samples: index 1 of the selection is row 7, but there are only 4 rows"
    );
}
