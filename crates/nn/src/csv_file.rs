//! Reading numeric CSV into a [`Dataset`], never dropping a row silently.
//!
//! Every error names the place in the file the same way: **lines** are the
//! file's line numbers, 1-based (what an editor shows); **columns** are
//! 0-based indices, the same numbers [`Targets::Columns`] takes, followed
//! by the header name when the file has a header, e.g.
//! `line 3, column 1 ("y")`.

use std::io::Read;
use std::path::Path;

use crate::data::Dataset;
use crate::error::Error;
use crate::matrix::Matrix;

/// Whether the first line of a CSV file names the columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Header {
    /// Decide from the first line: it is a header if *none* of its fields
    /// is a number, data if *all* are. A first line mixing numbers and text
    /// is an error (set [`Header::Present`] or [`Header::Absent`]), never a
    /// guess that could drop a data row. [`CsvData::header`] says what was
    /// found.
    #[default]
    Auto,
    /// The first line is a header (even if it looks numeric).
    Present,
    /// Every line is data.
    Absent,
}

/// How to read a CSV file into a [`Dataset`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsvOptions {
    /// Whether the first line names the columns (default: detect).
    pub header: Header,
    /// Which columns are targets (default: the last one).
    pub targets: Targets,
}

/// Which CSV columns are targets; the others are inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// The last `k` columns.
    Last(usize),
    /// These columns (0-based), each at most once.
    Columns(Vec<usize>),
    /// The columns with these header names, each at most once (needs a
    /// header).
    Names(Vec<String>),
}

impl Default for Targets {
    /// The last column.
    fn default() -> Self {
        Targets::Last(1)
    }
}

/// A CSV file read into a [`Dataset`], with what the reader decided.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvData {
    /// The samples: one per data line.
    pub dataset: Dataset,
    /// The column names if the first line was a header, `None` if every
    /// line was read as data.
    pub header: Option<Vec<String>>,
    /// The columns (0-based) that became inputs, in order.
    pub input_columns: Vec<usize>,
    /// The columns (0-based) that became targets, in order.
    pub target_columns: Vec<usize>,
}

impl CsvData {
    /// Reads a CSV file; see [`CsvData::from_reader`].
    ///
    /// # Errors
    /// If the file cannot be read (the message names the path), or as
    /// [`CsvData::from_reader`] (prefixed with the path).
    pub fn from_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        // Read whole first: a directory opens fine on Unix and only fails
        // on reading, and this way every error carries the path.
        let bytes = std::fs::read(path)
            .map_err(|e| Error::csv(format!("{}: cannot read: {e}", path.display())))?;
        Self::from_reader(bytes.as_slice(), options)
            .map_err(|e| Error::csv(format!("{}: {}", path.display(), e.csv_message())))
    }

    /// Reads numeric CSV: every field is a finite number (surrounding
    /// spaces allowed); the columns named by `options.targets` are targets,
    /// the others inputs.
    ///
    /// ```
    /// use saddle_nn::{CsvData, CsvOptions, Header, Targets};
    /// // No header line: all three lines are samples.
    /// let csv = "0.5,1.0,2.0\n1.5,-1.0,0.25\n2,3,4\n";
    /// let read = CsvData::from_reader(csv.as_bytes(), &CsvOptions::default())?;
    /// assert_eq!(read.header, None);
    /// assert_eq!(read.dataset.len(), 3);
    /// let named = "x1,x2,y\n0.5,1.0,2.0\n";
    /// let read = CsvData::from_reader(named.as_bytes(), &CsvOptions {
    ///     header: Header::Auto,
    ///     targets: Targets::Names(vec!["y".into()]),
    /// })?;
    /// assert_eq!(read.header.as_deref(), Some(&["x1".to_string(), "x2".into(), "y".into()][..]));
    /// assert_eq!((read.dataset.len(), read.target_columns), (1, vec![2]));
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// Each naming the line (and column) as described in the module docs:
    /// a row with a different number of fields than the first, a field that
    /// is not a number or not finite, a first line that is neither all
    /// numbers nor all text under [`Header::Auto`], no data lines, target
    /// columns that do not exist, repeat, or leave no inputs, and target
    /// names without a header.
    pub fn from_reader(reader: impl Read, options: &CsvOptions) -> Result<Self, Error> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(reader);
        let mut records = Vec::new();
        for record in csv.records() {
            records.push(record.map_err(csv_error)?);
        }
        let mut records = records.into_iter().peekable();
        let header = match records.peek() {
            None => return Err(Error::csv("has no lines")),
            Some(first) => match options.header {
                Header::Present => Some(first),
                Header::Absent => None,
                Header::Auto => detect_header(first)?,
            }
            .map(|r| r.iter().map(|f| f.trim().to_string()).collect::<Vec<_>>()),
        };
        if header.is_some() {
            records.next();
        }
        let names = header.as_deref().unwrap_or(&[]);
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for record in records {
            let line = line_of(&record);
            let row = record
                .iter()
                .enumerate()
                .map(|(col, field)| parse_field(field, line, col, names))
                .collect::<Result<Vec<f64>, Error>>()?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(Error::csv("has no data lines (only a header line)"));
        }
        let width = rows[0].len();
        let target_columns = options.targets.resolve(width, header.as_deref())?;
        let input_columns: Vec<usize> =
            (0..width).filter(|c| !target_columns.contains(c)).collect();
        if input_columns.is_empty() {
            return Err(Error::csv(format!(
                "every one of the {width} columns is a target: no inputs left"
            )));
        }
        let pick = |cols: &[usize]| -> Vec<Vec<f64>> {
            rows.iter()
                .map(|r| cols.iter().map(|&c| r[c]).collect())
                .collect()
        };
        let dataset = Dataset::new(
            Matrix::from_rows(&pick(&input_columns))?,
            Matrix::from_rows(&pick(&target_columns))?,
        )?;
        Ok(CsvData {
            dataset,
            header,
            input_columns,
            target_columns,
        })
    }
}

impl Dataset {
    /// Reads a CSV file; see [`CsvData::from_reader`] (which also reports
    /// whether a header line was found).
    ///
    /// # Errors
    /// As [`CsvData::from_path`].
    pub fn from_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self, Error> {
        CsvData::from_path(path, options).map(|d| d.dataset)
    }

    /// Reads numeric CSV; see [`CsvData::from_reader`].
    ///
    /// # Errors
    /// As [`CsvData::from_reader`].
    pub fn from_csv_reader(reader: impl Read, options: &CsvOptions) -> Result<Self, Error> {
        CsvData::from_reader(reader, options).map(|d| d.dataset)
    }
}

/// The 1-based file line a record starts on.
fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

/// `column 2 ("y")`, or `column 2` without a header.
fn column(col: usize, names: &[String]) -> String {
    match names.get(col) {
        Some(name) => format!("column {col} ({name:?})"),
        None => format!("column {col}"),
    }
}

fn parse_field(field: &str, line: u64, col: usize, names: &[String]) -> Result<f64, Error> {
    let place = || format!("line {line}, {}", column(col, names));
    let value = field
        .trim()
        .parse::<f64>()
        .map_err(|_| Error::csv(format!("{}: {field:?} is not a number", place())))?;
    if !value.is_finite() {
        return Err(Error::csv(format!(
            "{}: {field:?} is not finite (data must be finite)",
            place()
        )));
    }
    Ok(value)
}

/// Under [`Header::Auto`]: the first record if it is a header, `None` if it
/// is data, an error if it is both.
fn detect_header(first: &csv::StringRecord) -> Result<Option<&csv::StringRecord>, Error> {
    let numeric: Vec<bool> = first
        .iter()
        .map(|f| f.trim().parse::<f64>().is_ok())
        .collect();
    if numeric.iter().all(|&n| n) {
        Ok(None)
    } else if numeric.iter().all(|&n| !n) {
        Ok(Some(first))
    } else {
        let k = numeric.iter().position(|&n| n).unwrap_or(0);
        let j = numeric.iter().position(|&n| !n).unwrap_or(0);
        Err(Error::csv(format!(
            "line {}: cannot tell whether this is a header: column {k} ({:?}) is a number but column {j} ({:?}) is not; set the header option to Present or Absent",
            line_of(first),
            &first[k],
            &first[j]
        )))
    }
}

/// A csv-crate error in this module's words (its own text starts with
/// "CSV", which would double our prefix).
fn csv_error(e: csv::Error) -> Error {
    let line = |pos: Option<&csv::Position>| pos.map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Error::csv(format!(
            "line {}: ragged row with {len} fields, expected {expected_len} (as on the first line)",
            line(pos.as_ref())
        )),
        csv::ErrorKind::Utf8 { pos, err } => Error::csv(format!(
            "line {}: field {} is not valid UTF-8",
            line(pos.as_ref()),
            err.field()
        )),
        csv::ErrorKind::Io(io) => Error::csv(format!("cannot read: {io}")),
        _ => Error::csv(format!("cannot read: {e}")),
    }
}

impl Targets {
    /// The target columns, checked against the width and the header.
    fn resolve(&self, width: usize, header: Option<&[String]>) -> Result<Vec<usize>, Error> {
        let names = header.unwrap_or(&[]);
        let cols = match self {
            Targets::Last(k) if *k == 0 || *k > width => {
                return Err(Error::csv(format!(
                    "cannot take the last {k} of {width} columns as targets"
                )))
            }
            Targets::Last(k) => (width - k..width).collect(),
            Targets::Columns(c) => c.clone(),
            Targets::Names(wanted) => {
                let Some(header) = header else {
                    return Err(Error::csv(format!(
                        "targets are given by name ({wanted:?}) but the file has no header line"
                    )));
                };
                wanted
                    .iter()
                    .map(|n| {
                        let mut at = header.iter().enumerate().filter(|(_, h)| *h == n);
                        match (at.next(), at.next()) {
                            (Some((c, _)), None) => Ok(c),
                            (Some((a, _)), Some((b, _))) => Err(Error::csv(format!(
                                "the header names columns {a} and {b} both {n:?}: which is the target?"
                            ))),
                            _ => Err(Error::csv(format!(
                                "no column named {n:?} (columns: {})",
                                header.join(", ")
                            ))),
                        }
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        if cols.is_empty() {
            return Err(Error::csv("no target columns given"));
        }
        if let Some(c) = cols.iter().find(|&&c| c >= width) {
            return Err(Error::csv(format!(
                "target column {c} does not exist: rows have {width} columns"
            )));
        }
        if let Some((k, c)) = cols
            .iter()
            .enumerate()
            .find(|(k, c)| cols[..*k].contains(c))
        {
            return Err(Error::csv(format!(
                "target {} given twice (entries {} and {k} of the target list)",
                column(*c, names),
                cols.iter().position(|x| x == c).unwrap_or(0)
            )));
        }
        Ok(cols)
    }
}
