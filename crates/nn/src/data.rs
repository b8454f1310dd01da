//! Datasets: inputs and targets, validated, from memory or CSV.

use std::io::Read;
use std::path::Path;

use crate::error::Error;
use crate::matrix::Matrix;

/// Inputs `X` (`N × d_in`, one sample per row) and targets `Y`
/// (`N × d_out`), checked to fit together and to be finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    inputs: Matrix,
    targets: Matrix,
}

impl Dataset {
    /// A dataset from inputs and targets.
    ///
    /// # Errors
    /// If the row counts differ, or any value is not finite (the message
    /// names the row and column).
    pub fn new(inputs: Matrix, targets: Matrix) -> Result<Self, Error> {
        if inputs.rows() != targets.rows() {
            return Err(Error::invalid(format!(
                "inputs have {} rows but targets have {}",
                inputs.rows(),
                targets.rows()
            )));
        }
        if let Some((r, c, v)) = inputs.first_non_finite() {
            return Err(Error::non_finite("inputs", r, c, v));
        }
        if let Some((r, c, v)) = targets.first_non_finite() {
            return Err(Error::non_finite("targets", r, c, v));
        }
        Ok(Dataset { inputs, targets })
    }

    /// Number of samples `N`.
    pub fn len(&self) -> usize {
        self.inputs.rows()
    }

    /// Always false: a dataset has at least one sample.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Input dimension `d_in`.
    pub fn input_dim(&self) -> usize {
        self.inputs.cols()
    }

    /// Output dimension `d_out`.
    pub fn output_dim(&self) -> usize {
        self.targets.cols()
    }

    /// The inputs `X`.
    pub fn inputs(&self) -> &Matrix {
        &self.inputs
    }

    /// The targets `Y`.
    pub fn targets(&self) -> &Matrix {
        &self.targets
    }

    /// The samples at `indices` (a mini-batch).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            inputs: self.inputs.select_rows(indices),
            targets: self.targets.select_rows(indices),
        }
    }

    /// Reads a CSV file; see [`Dataset::from_csv_reader`].
    ///
    /// # Errors
    /// If the file cannot be read, or as [`Dataset::from_csv_reader`].
    pub fn from_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)
            .map_err(|e| Error::csv(format!("{}: {e}", path.display())))?;
        Self::from_csv_reader(file, options)
    }

    /// Reads numeric CSV: every column is a number; the columns named by
    /// `options.targets` are targets, the rest inputs.
    ///
    /// ```
    /// use saddle_nn::{CsvOptions, Dataset, Targets};
    /// let csv = "x1,x2,y\n0.5,1.0,2.0\n1.5,-1.0,0.25\n";
    /// let d = Dataset::from_csv_reader(csv.as_bytes(), &CsvOptions { has_header: true, targets: Targets::Last(1) })?;
    /// assert_eq!((d.len(), d.input_dim(), d.output_dim()), (2, 2, 1));
    /// assert_eq!(d.targets().get(1, 0), 0.25);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If a row has a different number of fields than the first (naming the
    /// line), a field is not a number (naming line, column and text), the
    /// target columns do not exist, or there are no data rows.
    pub fn from_csv_reader(reader: impl Read, options: &CsvOptions) -> Result<Self, Error> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(options.has_header)
            .from_reader(reader);
        let header: Vec<String> = if options.has_header {
            csv.headers()
                .map_err(|e| Error::csv(e.to_string()))?
                .iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for record in csv.records() {
            let record = record.map_err(|e| match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => Error::csv(format!(
                    "line {}: ragged row with {len} fields, expected {expected_len}",
                    pos.as_ref().map_or(0, |p| p.line())
                )),
                _ => Error::csv(e.to_string()),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let row = record
                .iter()
                .enumerate()
                .map(|(col, field)| {
                    field.trim().parse::<f64>().map_err(|_| {
                        Error::csv(format!(
                            "line {line}, column {}: {field:?} is not a number",
                            col + 1
                        ))
                    })
                })
                .collect::<Result<Vec<f64>, Error>>()?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(Error::csv("has no data rows".to_string()));
        }
        let width = rows[0].len();
        let target_cols = options.targets.resolve(width, &header)?;
        let input_cols: Vec<usize> = (0..width).filter(|c| !target_cols.contains(c)).collect();
        if input_cols.is_empty() {
            return Err(Error::csv(format!(
                "every one of the {width} columns is a target: no inputs left"
            )));
        }
        let pick = |cols: &[usize]| -> Vec<Vec<f64>> {
            rows.iter()
                .map(|r| cols.iter().map(|&c| r[c]).collect())
                .collect()
        };
        Dataset::new(
            Matrix::from_rows(&pick(&input_cols))?,
            Matrix::from_rows(&pick(&target_cols))?,
        )
    }
}

/// How to read a CSV file into a [`Dataset`].
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Whether the first line names the columns.
    pub has_header: bool,
    /// Which columns are targets.
    pub targets: Targets,
}

impl Default for CsvOptions {
    /// A header line, and the last column as the target.
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            targets: Targets::Last(1),
        }
    }
}

/// Which CSV columns are targets.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// The last `k` columns.
    Last(usize),
    /// These columns (0-based).
    Columns(Vec<usize>),
    /// The columns with these header names.
    Names(Vec<String>),
}

impl Targets {
    fn resolve(&self, width: usize, header: &[String]) -> Result<Vec<usize>, Error> {
        let cols = match self {
            Targets::Last(k) if *k == 0 || *k > width => {
                return Err(Error::csv(format!(
                    "cannot take the last {k} of {width} columns as targets"
                )))
            }
            Targets::Last(k) => (width - k..width).collect(),
            Targets::Columns(c) => c.clone(),
            Targets::Names(names) => names
                .iter()
                .map(|n| {
                    header.iter().position(|h| h == n).ok_or_else(|| {
                        Error::csv(format!(
                            "no column named {n:?} (columns: {})",
                            header.join(", ")
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        if let Some(c) = cols.iter().find(|&&c| c >= width) {
            return Err(Error::csv(format!(
                "target column {c} does not exist: rows have {width} columns"
            )));
        }
        if cols.is_empty() {
            return Err(Error::csv("no target columns given".to_string()));
        }
        Ok(cols)
    }
}
