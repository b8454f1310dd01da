//! CSV files (issue 9, item 11): no row is ever dropped silently, the
//! header decision is reported, and every error names the file line
//! (1-based) and the column (0-based, with its header name) the same way.

use std::path::PathBuf;

use saddle_nn::{CsvData, CsvOptions, Dataset, Header, Targets};

/// A file under the system temp directory with a name unique to this test
/// process and `tag`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(tag: &str, contents: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("saddle-nn-csv-{}-{tag}.csv", std::process::id()));
        std::fs::write(&path, contents).expect("write a temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn opts(header: Header) -> CsvOptions {
    CsvOptions {
        header,
        targets: Targets::Last(1),
    }
}

#[test]
fn csv_without_header_keeps_first_row() {
    // The defect: 3 data lines were read as 2 samples (line 1 taken as a
    // header). The default now detects that line 1 is numeric.
    let file = TempFile::with("no-header", "1,2,3\n4,5,6\n7,8,9\n");
    let read = CsvData::from_path(&file.0, &CsvOptions::default()).unwrap();
    assert_eq!(read.header, None);
    assert_eq!(read.dataset.len(), 3);
    assert_eq!(read.dataset.inputs().as_slice(), &[1., 2., 4., 5., 7., 8.]);
    assert_eq!(read.dataset.targets().as_slice(), &[3., 6., 9.]);
    let d = Dataset::from_csv_path(&file.0, &opts(Header::Absent)).unwrap();
    assert_eq!(d.len(), 3);
}

#[test]
fn csv_header_auto_detects_a_named_header() {
    let file = TempFile::with("named", "x1, x2 ,y\n1,2,3\n4,5,6\n");
    let read = CsvData::from_path(&file.0, &CsvOptions::default()).unwrap();
    assert_eq!(
        read.header,
        Some(vec!["x1".to_string(), "x2".to_string(), "y".to_string()])
    );
    assert_eq!(read.dataset.len(), 2);
    assert_eq!(
        (read.input_columns, read.target_columns),
        (vec![0, 1], vec![2])
    );
}

#[test]
fn csv_header_present_takes_a_numeric_first_line_as_names() {
    // Explicit is explicit: the caller said line 1 names the columns.
    let file = TempFile::with("numeric-names", "1,2,3\n4,5,6\n");
    let read = CsvData::from_path(&file.0, &opts(Header::Present)).unwrap();
    assert_eq!(read.header.as_ref().map(Vec::len), Some(3));
    assert_eq!(read.dataset.len(), 1);
}

#[test]
fn csv_header_auto_refuses_a_mixed_first_line() {
    let file = TempFile::with("mixed", "1,b,3\n4,5,6\n");
    let e = Dataset::from_csv_path(&file.0, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with(
            "line 1: cannot tell whether this is a header: column 0 (\"1\") is a number but column 1 (\"b\") is not; set the header option to Present or Absent"
        ),
        "{e}"
    );
    assert!(e.starts_with(&format!("CSV {}: ", file.0.display())), "{e}");
    // Absent: line 1 is data, and "b" is then a bad number at line 1.
    let e = Dataset::from_csv_path(&file.0, &opts(Header::Absent))
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("line 1, column 1: \"b\" is not a number"),
        "{e}"
    );
}

#[test]
fn csv_nan_cell_error_names_file_line_and_column() {
    // Was "targets: row 0, column 0 is NaN": a matrix position, not a
    // place in the file.
    let file = TempFile::with("nan", "a,b,y\n1,2,3\n4,NaN,6\n");
    let e = Dataset::from_csv_path(&file.0, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "CSV {}: line 3, column 1 (\"b\"): \"NaN\" is not finite (data must be finite)",
            file.0.display()
        )
    );
    // Without a header the column has no name, and the line is still the
    // file's line.
    let e = Dataset::from_csv_reader("1,2\n3,inf\n".as_bytes(), &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "CSV line 2, column 1: \"inf\" is not finite (data must be finite)"
    );
}

#[test]
fn csv_directory_path_is_named_in_error() {
    let dir = std::env::temp_dir();
    let e = Dataset::from_csv_path(&dir, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("CSV {}: cannot read:", dir.display())),
        "{e}"
    );
}

#[test]
fn csv_parse_error_has_no_duplicate_prefix() {
    // Invalid UTF-8 reaches the csv crate's own error, whose text starts
    // with "CSV"; it used to print "CSV CSV parse error".
    let bytes: &[u8] = b"a,b\n1,\xff\n";
    let e = Dataset::from_csv_reader(bytes, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "CSV line 2: field 1 is not valid UTF-8");
    let ragged = Dataset::from_csv_reader("a,b\n1,2\n3\n".as_bytes(), &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(!ragged.contains("CSV CSV"), "{ragged}");
}

#[test]
fn csv_duplicate_target_columns_rejected() {
    let text = "a,b,y\n1,2,3\n4,5,6\n";
    let read = |targets| {
        Dataset::from_csv_reader(
            text.as_bytes(),
            &CsvOptions {
                header: Header::Auto,
                targets,
            },
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        read(Targets::Columns(vec![2, 2])),
        "CSV target column 2 (\"y\") given twice (entries 0 and 1 of the target list)"
    );
    assert_eq!(
        read(Targets::Names(vec!["y".into(), "a".into(), "y".into()])),
        "CSV target column 2 (\"y\") given twice (entries 0 and 2 of the target list)"
    );
    // A header that names two columns alike cannot pick a target by name.
    let e = Dataset::from_csv_reader(
        "y,b,y\n1,2,3\n".as_bytes(),
        &CsvOptions {
            header: Header::Auto,
            targets: Targets::Names(vec!["y".into()]),
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "CSV the header names columns 0 and 2 both \"y\": which is the target?"
    );
}

#[test]
fn csv_target_names_without_a_header_are_an_error() {
    let e = Dataset::from_csv_reader(
        "1,2\n3,4\n".as_bytes(),
        &CsvOptions {
            header: Header::Auto,
            targets: Targets::Names(vec!["y".into()]),
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "CSV targets are given by name ([\"y\"]) but the file has no header line"
    );
    let e = Dataset::from_csv_reader("".as_bytes(), &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "CSV has no lines");
}
