//! Saving and loading: `Mlp` as `saddle-mlp` JSON, arrays as `.npy`.
//! Round trips are exact (bit for bit), so every comparison here is `==` on
//! bits, not a tolerance.

use std::path::PathBuf;

use saddle::curvature::Eigen;
use saddle::dual::{Hessian, HessianOptions};
use saddle::io::{self, NpyArray};
use saddle::nn::{datasets, Activation, Activations, Init, Matrix, Mlp};

/// A fresh scratch directory per test (tests run in parallel).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("saddle_persist_{}_{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn trained_net() -> (Mlp, saddle::nn::Dataset) {
    let data = datasets::noisy_sine(24, 0.1, 3).unwrap();
    let mut net = Mlp::new(
        &[1, 5, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        11,
    )
    .unwrap();
    // A few gradient steps so the parameters are not the initial ones
    // (arbitrary bits, many digits).
    for _ in 0..5 {
        let g = net.loss_and_gradient(&data).unwrap().gradient;
        let p: Vec<f64> = net
            .params()
            .iter()
            .zip(&g)
            .map(|(p, g)| p - 0.1 * g)
            .collect();
        net.set_params(&p).unwrap();
    }
    (net, data)
}

#[test]
fn mlp_save_load_same_params_and_loss_bitwise() {
    let (net, data) = trained_net();
    let path = scratch("mlp").join("net.json");
    net.save(&path).unwrap();
    let back = Mlp::load(&path).unwrap();
    assert_eq!(back.sizes(), net.sizes());
    assert_eq!(back.activations(), net.activations());
    assert_eq!(bits(back.params()), bits(net.params()));
    assert_eq!(
        back.loss(&data).unwrap().to_bits(),
        net.loss(&data).unwrap().to_bits()
    );
}

#[test]
fn mlp_json_has_documented_fields() {
    let net = Mlp::from_params(&[1, 1], [Activation::Sigmoid], vec![0.5, -0.25]).unwrap();
    assert_eq!(
        net.to_json(),
        r#"{"format":"saddle-mlp","version":1,"layers":[1,1],"activations":["sigmoid"],"params":[0.5,-0.25]}"#
    );
}

/// Each corruption must give an error whose message names the problem.
#[test]
fn mlp_load_rejects_invalid_documents_with_named_errors() {
    let good = r#"{"format":"saddle-mlp","version":1,"layers":[2,1],"activations":["tanh"],"params":[1,2,3]}"#;
    assert!(Mlp::from_json(good).is_ok());
    let cases = [
        (good.replace("saddle-mlp", "other"), "format"),
        (good.replace("\"version\":1", "\"version\":2"), "version 2"),
        (good.replace("[2,1]", "[2]"), "at least"),
        (good.replace("[2,1]", "[2,0]"), "zero"),
        (good.replace("tanh", "gelu"), "gelu"),
        (
            good.replace("[\"tanh\"]", "[\"tanh\",\"tanh\"]"),
            "activations",
        ),
        (good.replace("[1,2,3]", "[1,2]"), "expected 3"),
        (
            good.replace("[1,2,3]", "[1,2,1e999]"),
            "out of range at line 1",
        ),
        (good.replace("[1,2,3]", "[1,2,null]"), "saddle-mlp"),
        (good.replace("\"params\"", "\"parms\""), "parms"),
        (good[..good.len() / 2].to_string(), "EOF"),
        (String::new(), "EOF"),
    ];
    for (text, needle) in cases {
        let err = Mlp::from_json(&text).expect_err(&text).to_string();
        assert!(err.contains(needle), "{text:?} → {err:?} lacks {needle:?}");
    }
    let missing = scratch("missing").join("none.json");
    let err = Mlp::load(&missing).unwrap_err().to_string();
    assert!(err.contains("none.json"), "{err}");
}

fn roundtrip(a: &NpyArray) -> NpyArray {
    let mut bytes = Vec::new();
    a.write_to(&mut bytes).unwrap();
    NpyArray::read_from(&bytes[..]).unwrap()
}

/// NaN payloads, ±∞, −0.0 and subnormals survive: `.npy` is a faithful dump.
#[test]
fn npy_roundtrip_identical_bits_including_nan() {
    let odd = [
        f64::from_bits(0x7ff8_0000_dead_beef),
        f64::NEG_INFINITY,
        f64::INFINITY,
        -0.0,
        f64::MIN_POSITIVE / 3.0,
        std::f64::consts::PI,
    ];
    let a = NpyArray::new(vec![2, 3], odd.to_vec()).unwrap();
    let b = roundtrip(&a);
    assert_eq!(b.shape(), &[2, 3]);
    assert_eq!(bits(b.data()), bits(&odd));
}

#[test]
fn npy_shapes_empty_row_column_and_header_alignment() {
    for shape in [
        vec![0, 0],
        vec![1, 7],
        vec![7, 1],
        vec![0],
        vec![],
        vec![2, 0, 3],
        vec![3],
    ] {
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n).map(|k| k as f64 * 0.1 - 1.0).collect();
        let a = NpyArray::new(shape.clone(), data.clone()).unwrap();
        let mut bytes = Vec::new();
        a.write_to(&mut bytes).unwrap();
        // The NPY spec: data starts at a multiple of 64 bytes.
        assert_eq!((bytes.len() - 8 * n) % 64, 0, "shape {shape:?}");
        let b = NpyArray::read_from(&bytes[..]).unwrap();
        assert_eq!((b.shape(), bits(b.data())), (&shape[..], bits(&data)));
    }
}

#[test]
fn npy_header_is_numpy_v1_text() {
    let mut bytes = Vec::new();
    NpyArray::new(vec![2, 3], vec![0.0; 6])
        .unwrap()
        .write_to(&mut bytes)
        .unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    // 10-byte preamble + 60-byte dict + '\\n' rounded up to 64 bytes.
    assert_eq!(10 + len, 128);
    let header = std::str::from_utf8(&bytes[10..10 + len]).unwrap();
    assert!(header.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"));
    assert!(header.ends_with('\n'));
}

/// A non-symmetric matrix, so a row/column-major slip cannot pass.
#[test]
fn npy_hessian_and_matrix_keep_orientation() {
    // H = [[1, 2], [3, 4]] given column by column.
    let h = Hessian::from_column_major(2, vec![1.0, 3.0, 2.0, 4.0]).unwrap();
    let a = NpyArray::from(&h);
    assert_eq!(a.data(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(Hessian::try_from(roundtrip(&a)).unwrap(), h);

    let m = Matrix::new(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let back = Matrix::try_from(roundtrip(&NpyArray::from(&m))).unwrap();
    assert_eq!(back, m);
    let err = Hessian::try_from(NpyArray::from(&m))
        .unwrap_err()
        .to_string();
    assert!(err.contains("square") && err.contains("[2, 3]"), "{err}");
}

#[test]
fn npy_fortran_order_file_is_read_in_c_order() {
    // numpy.save of a Fortran-ordered 2×3 array [[1,2,3],[4,5,6]] stores the
    // columns: 1 4 2 5 3 6.
    let dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let len = 128 - 10;
    bytes.extend_from_slice(&(len as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes.extend(std::iter::repeat_n(b' ', len - dict.len() - 1));
    bytes.push(b'\n');
    for v in [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let a = NpyArray::read_from(&bytes[..]).unwrap();
    assert_eq!(a.data(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

/// Every prefix of a valid file and a set of corrupted headers give an
/// error, never a panic; claimed sizes far beyond the bytes present do not
/// allocate them.
#[test]
fn npy_corrupted_or_truncated_files_are_errors() {
    let mut good = Vec::new();
    NpyArray::new(vec![3, 2], (0..6).map(f64::from).collect())
        .unwrap()
        .write_to(&mut good)
        .unwrap();
    for cut in 0..good.len() {
        let err = NpyArray::read_from(&good[..cut]).unwrap_err().to_string();
        assert!(err.contains("not a valid .npy"), "cut {cut}: {err}");
    }
    let header = |dict: &str| {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        b.extend_from_slice(dict.as_bytes());
        b
    };
    let cases = [
        (b"\x93NUMPZ\x01\x00\x00\x00".to_vec(), "magic"),
        (b"\x93NUMPY\x09\x00\x00\x00".to_vec(), "version 9.0"),
        (
            header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"),
            "<f4",
        ),
        (
            header("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }"),
            ">f8",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, }"),
            "shape",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': maybe, 'shape': (1,), }"),
            "True or False",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"),
            "non-negative",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}"),
            "unknown header key",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }"),
            "usize",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"),
            "overflows",
        ),
        (
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"),
            "truncated data: 0 of 8000000000000 bytes",
        ),
    ];
    for (bytes, needle) in cases {
        let err = NpyArray::read_from(&bytes[..]).unwrap_err().to_string();
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    }
    // Trailing bytes in a file: not one array.
    let path = scratch("trailing").join("t.npy");
    let mut extra = good.clone();
    extra.push(0);
    std::fs::write(&path, &extra).unwrap();
    let err = NpyArray::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("t.npy") && err.contains("1 unexpected bytes"),
        "{err}"
    );
}

/// The whole path of the issue: a network's Hessian and spectrum saved for
/// NumPy and read back exactly.
#[test]
fn npy_hessian_gradient_and_spectrum_files_round_trip() {
    let (net, data) = trained_net();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    let g = net.loss_and_gradient(&data).unwrap().gradient;
    let e = Eigen::of(&h).unwrap();
    let dir = scratch("spectrum");
    io::save_hessian(dir.join("hessian.npy"), &h).unwrap();
    io::save_vector(dir.join("gradient.npy"), &g).unwrap();
    io::save_eigen(&dir, &e).unwrap();
    assert_eq!(io::load_hessian(dir.join("hessian.npy")).unwrap(), h);
    assert_eq!(
        bits(&io::load_vector(dir.join("gradient.npy")).unwrap()),
        bits(&g)
    );
    assert_eq!(
        bits(&io::load_vector(dir.join("eigenvalues.npy")).unwrap()),
        bits(e.values())
    );
    let v = NpyArray::load(dir.join("eigenvectors.npy")).unwrap();
    let n = e.n();
    for i in 0..n {
        let column: Vec<f64> = (0..n).map(|r| v.data()[r * n + i]).collect();
        assert_eq!(bits(&column), bits(e.vector(i)), "eigenvector {i}");
    }
}

/// NumPy itself reads our files (and we read NumPy's). Skipped, with a
/// note, where python3 with numpy is absent (`pip install numpy` provides it).
#[test]
fn npy_files_load_in_numpy() {
    let has_numpy = std::process::Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_numpy {
        eprintln!("npy_files_load_in_numpy: skipped, python3 with numpy not available");
        return;
    }
    let dir = scratch("numpy");
    // Non-symmetric, with values whose repr is exact.
    let a = NpyArray::new(vec![2, 3], vec![0.1, -2.5, 3.0e-300, 4.0, f64::NAN, -0.0]).unwrap();
    a.save(dir.join("ours.npy")).unwrap();
    let script = "import numpy as np, sys\n\
        d = sys.argv[1]\n\
        a = np.load(d + '/ours.npy')\n\
        assert a.dtype == np.float64 and a.shape == (2, 3), (a.dtype, a.shape)\n\
        want = np.array([[0.1, -2.5, 3.0e-300], [4.0, np.nan, -0.0]])\n\
        assert np.array_equal(a[0], want[0])\n\
        assert a[1,0] == 4.0 and np.isnan(a[1,1]) and np.signbit(a[1,2])\n\
        np.save(d + '/theirs.npy', np.arange(6.0).reshape(2, 3) / 7)\n\
        np.save(d + '/theirs_f.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3) / 7))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Vec<f64> = (0..6).map(|k| f64::from(k) / 7.0).collect();
    for name in ["theirs.npy", "theirs_f.npy"] {
        let b = NpyArray::load(dir.join(name)).unwrap();
        assert_eq!(
            (b.shape(), bits(b.data())),
            (&[2, 3][..], bits(&want)),
            "{name}"
        );
    }
}
