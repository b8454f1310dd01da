//! Arrays in NumPy's `.npy` format: Hessians, GGNs, spectra and gradients
//! that NumPy (`numpy.load`), JAX and most array tools read directly.
//!
//! # The format written
//!
//! NPY version 1.0 as specified by NumPy (`numpy.lib.format`):
//!
//! 1. the magic string `\x93NUMPY`, then the version bytes `1, 0`;
//! 2. the header length `HEADER_LEN` as a little-endian `u16`;
//! 3. the header, an ASCII Python dict literal
//!    `{'descr': '<f8', 'fortran_order': False, 'shape': (r, c), }`, padded
//!    with spaces and ended by `\n` so that `10 + HEADER_LEN` is a multiple
//!    of 64 (the data then starts aligned);
//! 4. the entries as little-endian IEEE-754 `f64` (`<f8`), in C order
//!    (row-major: the last index varies fastest).
//!
//! Values are stored bit for bit: NaN (with its payload), ±∞ and −0.0 come
//! back exactly as written, because a `.npy` file is a faithful dump, not a
//! validated model (the readers that build a [`Hessian`] or [`Matrix`]
//! check what those types need).
//!
//! Reading accepts versions 1.0, 2.0 and 3.0, `<f8` only (other dtypes are
//! an error that names the dtype), in C or Fortran order (Fortran-order
//! data is reordered to C order on reading).
//!
//! ```
//! use saddle::dual::Hessian;
//! use saddle::io::{self, NpyArray};
//! // H = [[1, 2], [3, 4]] (row i, column j), given column by column.
//! let h = Hessian::from_column_major(2, vec![1.0, 3.0, 2.0, 4.0])?;
//! let array = NpyArray::from(&h);
//! assert_eq!((array.shape(), array.data()), (&[2, 2][..], &[1.0, 2.0, 3.0, 4.0][..]));
//! let mut bytes = Vec::new();
//! array.write_to(&mut bytes)?;
//! assert_eq!(bytes.len() % 64, 32); // 64-byte header, then 4 × 8 bytes
//! let back = Hessian::try_from(NpyArray::read_from(&bytes[..])?)?;
//! assert_eq!(back, h);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In Python: `H = numpy.load("hessian.npy")`, and for a spectrum saved by
//! [`save_eigen`], `w = numpy.load("eigenvalues.npy")`,
//! `V = numpy.load("eigenvectors.npy")`, with `V[:, i]` the eigenvector of
//! `w[i]` (the convention of `numpy.linalg.eigh`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use saddle_curvature::Eigen;
use saddle_dual::Hessian;
use saddle_nn::Matrix;

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Magic, two version bytes and the `u16` header length.
const PREAMBLE_V1: usize = 10;
/// The data starts at a multiple of this many bytes.
const ALIGN: usize = 64;

/// What went wrong reading or writing a `.npy` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Reading from or writing to a stream failed.
    #[error("npy stream: {0}")]
    Stream(#[source] std::io::Error),
    /// The bytes are not a `.npy` file this module reads; the message says
    /// which part is wrong.
    #[error("not a valid .npy array: {0}")]
    Format(String),
    /// The array's shape does not fit what was asked for (a square matrix,
    /// a given length, …).
    #[error("{0}")]
    Shape(String),
    /// A file's bytes are not a valid `.npy` array (or not only one); the
    /// message names the file and what is wrong.
    #[error("{path}: not a valid .npy array: {reason}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn format_error(message: impl Into<String>) -> Error {
    Error::Format(message.into())
}

/// An n-dimensional array of `f64` in C (row-major) order, as stored in a
/// `.npy` file: entry `(i₀, …, i_{d−1})` is at
/// `Σₖ iₖ · Π_{m>k} shape[m]`.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    shape: Vec<usize>,
    data: Vec<f64>,
}

impl NpyArray {
    /// An array of the given shape with entries in C order. A shape `[]`
    /// is a scalar (one entry); a zero in the shape means no entries.
    ///
    /// # Errors
    /// If `Π shape` overflows `usize` or is not `data.len()`.
    pub fn new(shape: Vec<usize>, data: Vec<f64>) -> Result<Self, Error> {
        let count = element_count(&shape)
            .ok_or_else(|| Error::Shape(format!("shape {shape:?} overflows usize")))?;
        if count != data.len() {
            return Err(Error::Shape(format!(
                "{} values for shape {shape:?} (expected {count})",
                data.len()
            )));
        }
        Ok(NpyArray { shape, data })
    }

    /// A one-dimensional array (shape `[n]`), e.g. a gradient.
    pub fn vector(values: &[f64]) -> Self {
        NpyArray {
            shape: vec![values.len()],
            data: values.to_vec(),
        }
    }

    /// The shape (dimensions, outermost first).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The entries in C order.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The entries in C order, by value.
    pub fn into_data(self) -> Vec<f64> {
        self.data
    }

    /// Writes the array in NPY 1.0 format (described in the [module
    /// documentation](self)).
    ///
    /// # Errors
    /// If writing fails, or the shape makes a header longer than NPY 1.0
    /// allows (65 535 bytes, thousands of dimensions).
    pub fn write_to<W: Write>(&self, mut writer: W) -> Result<(), Error> {
        let header = header_v1(&self.shape)?;
        let mut bytes = Vec::with_capacity(header.len() + 8 * self.data.len());
        bytes.extend_from_slice(&header);
        for v in &self.data {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        writer
            .write_all(&bytes)
            .and_then(|()| writer.flush())
            .map_err(Error::Stream)
    }

    /// Reads one array in NPY format (versions 1.0–3.0, dtype `<f8`, C or
    /// Fortran order) from `reader`, consuming exactly its bytes.
    ///
    /// # Errors
    /// If the bytes end early, the magic string, version, header or dtype is
    /// wrong (the message names which and what was found), or reading fails.
    pub fn read_from<R: Read>(mut reader: R) -> Result<Self, Error> {
        let mut preamble = [0u8; 8];
        read_exact(&mut reader, &mut preamble, "the magic string and version")?;
        if &preamble[..6] != MAGIC {
            return Err(format_error(format!(
                "the file starts with {:?}, not the magic string \\x93NUMPY",
                String::from_utf8_lossy(&preamble[..6])
            )));
        }
        let (major, minor) = (preamble[6], preamble[7]);
        let header_len = match (major, minor) {
            (1, 0) => {
                let mut len = [0u8; 2];
                read_exact(&mut reader, &mut len, "the header length")?;
                usize::from(u16::from_le_bytes(len))
            }
            (2, 0) | (3, 0) => {
                let mut len = [0u8; 4];
                read_exact(&mut reader, &mut len, "the header length")?;
                usize::try_from(u32::from_le_bytes(len))
                    .map_err(|_| format_error("the header length overflows usize"))?
            }
            _ => {
                return Err(format_error(format!(
                    "NPY version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)"
                )))
            }
        };
        let mut header = Vec::new();
        (&mut reader)
            .take(header_len as u64)
            .read_to_end(&mut header)
            .map_err(Error::Stream)?;
        if header.len() < header_len {
            return Err(format_error(format!(
                "truncated header: {} of {header_len} bytes",
                header.len()
            )));
        }
        // Versions 1 and 2 are Latin-1 (ASCII in practice), 3 is UTF-8.
        let header = std::str::from_utf8(&header)
            .map_err(|_| format_error("the header is not ASCII/UTF-8 text"))?;
        let fields = parse_header(header)?;
        if fields.descr != "<f8" {
            return Err(format_error(format!(
                "dtype {:?} is not supported: saddle reads little-endian float64 ('<f8') only",
                fields.descr
            )));
        }
        let count = element_count(&fields.shape)
            .ok_or_else(|| format_error(format!("shape {:?} overflows usize", fields.shape)))?;
        let bytes = count
            .checked_mul(8)
            .ok_or_else(|| format_error(format!("shape {:?} overflows usize", fields.shape)))?;
        // Read through `take` rather than preallocating: a corrupt header
        // may claim terabytes, and the vector then grows only with the
        // bytes that are really there.
        let mut raw = Vec::new();
        (&mut reader)
            .take(bytes as u64)
            .read_to_end(&mut raw)
            .map_err(Error::Stream)?;
        if raw.len() < bytes {
            return Err(format_error(format!(
                "truncated data: {} of {bytes} bytes for shape {:?}",
                raw.len(),
                fields.shape
            )));
        }
        let values: Vec<f64> = raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8 bytes")))
            .collect();
        let data = if fields.fortran_order {
            fortran_to_c(&fields.shape, &values)
        } else {
            values
        };
        Ok(NpyArray {
            shape: fields.shape,
            data,
        })
    }

    /// Saves the array to `path` (conventionally ending in `.npy`).
    ///
    /// # Errors
    /// If the file cannot be created or written (the error names the path).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::create(path).map_err(io)?;
        self.write_to(BufWriter::new(file)).map_err(|e| match e {
            Error::Stream(source) => io(source),
            other => other,
        })
    }

    /// Loads an array saved by [`NpyArray::save`] or by `numpy.save`.
    ///
    /// # Errors
    /// As [`NpyArray::read_from`], and if bytes follow the array (the file
    /// is then not one `.npy` array); errors name the path.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let in_file = |reason: String| Error::InFile {
            path: path.to_path_buf(),
            reason,
        };
        let mut reader = BufReader::new(File::open(path).map_err(io)?);
        let array = NpyArray::read_from(&mut reader).map_err(|e| match e {
            Error::Stream(source) => io(source),
            Error::Format(reason) => in_file(reason),
            other => other,
        })?;
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).map_err(io)?;
        if !rest.is_empty() {
            return Err(in_file(format!(
                "{} unexpected bytes after the data of shape {:?}",
                rest.len(),
                array.shape
            )));
        }
        Ok(array)
    }
}

/// `H` as an `n × n` array, row `i` column `j` = `Hᵢⱼ` (C order).
impl From<&Hessian> for NpyArray {
    fn from(h: &Hessian) -> Self {
        NpyArray {
            shape: vec![h.n(), h.n()],
            data: h.to_row_major(),
        }
    }
}

/// A matrix (a GGN, a batch of predictions, …) as a `rows × cols` array.
impl From<&Matrix> for NpyArray {
    fn from(m: &Matrix) -> Self {
        NpyArray {
            shape: vec![m.rows(), m.cols()],
            data: m.as_slice().to_vec(),
        }
    }
}

/// A square `n × n` array as a Hessian, `Hᵢⱼ` = row `i`, column `j`.
/// Non-finite entries are kept (a Hessian may hold them; check with
/// `saddle_curvature` before decomposing).
impl TryFrom<NpyArray> for Hessian {
    type Error = Error;

    fn try_from(a: NpyArray) -> Result<Self, Error> {
        let n = match a.shape[..] {
            [r, c] if r == c => r,
            _ => {
                return Err(Error::Shape(format!(
                    "a Hessian needs a square 2-D array, got shape {:?}",
                    a.shape
                )))
            }
        };
        // Column-major storage of H is row-major storage of Hᵀ.
        let mut cm = vec![0.0; a.data.len()];
        for i in 0..n {
            for j in 0..n {
                cm[j * n + i] = a.data[i * n + j];
            }
        }
        Hessian::from_column_major(n, cm)
            .map_err(|e| Error::Shape(format!("cannot build the Hessian: {e}")))
    }
}

/// A 2-D array as a [`Matrix`] (which needs at least one row and column).
impl TryFrom<NpyArray> for Matrix {
    type Error = Error;

    fn try_from(a: NpyArray) -> Result<Self, Error> {
        let [rows, cols] = a.shape[..] else {
            return Err(Error::Shape(format!(
                "a Matrix needs a 2-D array, got shape {:?}",
                a.shape
            )));
        };
        Matrix::new(rows, cols, a.data)
            .map_err(|e| Error::Shape(format!("cannot build the Matrix: {e}")))
    }
}

/// Saves a Hessian (or any square matrix held as one, e.g. a GGN) to `path`
/// as an `n × n` array.
///
/// # Errors
/// As [`NpyArray::save`].
pub fn save_hessian(path: impl AsRef<Path>, h: &Hessian) -> Result<(), Error> {
    NpyArray::from(h).save(path)
}

/// Loads an `n × n` array saved by [`save_hessian`] or `numpy.save`.
///
/// # Errors
/// As [`NpyArray::load`], or if the array is not square and 2-D.
pub fn load_hessian(path: impl AsRef<Path>) -> Result<Hessian, Error> {
    Hessian::try_from(NpyArray::load(path)?)
}

/// Saves a vector (a gradient, a parameter vector, eigenvalues) as a
/// one-dimensional array.
///
/// # Errors
/// As [`NpyArray::save`].
pub fn save_vector(path: impl AsRef<Path>, values: &[f64]) -> Result<(), Error> {
    NpyArray::vector(values).save(path)
}

/// Loads a one-dimensional array.
///
/// # Errors
/// As [`NpyArray::load`], or if the array is not one-dimensional.
pub fn load_vector(path: impl AsRef<Path>) -> Result<Vec<f64>, Error> {
    let a = NpyArray::load(path)?;
    if a.shape.len() != 1 {
        return Err(Error::Shape(format!(
            "expected a 1-D array, got shape {:?}",
            a.shape
        )));
    }
    Ok(a.data)
}

/// The eigenvectors of `e` as an `n × n` array `V` whose column `i` is the
/// unit eigenvector of `e.values()[i]` (`numpy.linalg.eigh`'s convention),
/// so `H = V diag(λ) Vᵀ`.
pub fn eigenvectors(e: &Eigen) -> NpyArray {
    let n = e.n();
    let mut data = vec![0.0; n * n];
    for i in 0..n {
        for (r, &v) in e.vector(i).iter().enumerate() {
            data[r * n + i] = v;
        }
    }
    NpyArray {
        shape: vec![n, n],
        data,
    }
}

/// Saves a spectrum into directory `dir` as `eigenvalues.npy` (shape `[n]`,
/// ascending) and `eigenvectors.npy` (`n × n`, column `i` the eigenvector of
/// eigenvalue `i`, see [`eigenvectors`]).
///
/// # Errors
/// If a file cannot be written (the error names it).
pub fn save_eigen(dir: impl AsRef<Path>, e: &Eigen) -> Result<(), Error> {
    let dir = dir.as_ref();
    save_vector(dir.join("eigenvalues.npy"), e.values())?;
    eigenvectors(e).save(dir.join("eigenvectors.npy"))
}

fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

fn read_exact<R: Read>(reader: &mut R, buf: &mut [u8], what: &str) -> Result<(), Error> {
    reader.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            format_error(format!("the file ends before {what}"))
        } else {
            Error::Stream(e)
        }
    })
}

/// The NPY 1.0 preamble and header for `<f8`, C order, `shape`, padded so
/// the data starts at a multiple of 64 bytes.
fn header_v1(shape: &[usize]) -> Result<Vec<u8>, Error> {
    // Python's tuple syntax: `()`, `(n,)`, `(r, c)`.
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {tuple}, }}");
    // Pad with spaces, end with '\n': total = PREAMBLE_V1 + header ≡ 0 (mod 64).
    let unpadded = PREAMBLE_V1 + dict.len() + 1;
    let padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    let header_len = dict.len() + padding + 1;
    let len = u16::try_from(header_len).map_err(|_| {
        Error::Shape(format!(
            "a {}-dimensional shape needs a {header_len}-byte header, more than NPY 1.0 allows",
            shape.len()
        ))
    })?;
    let mut out = Vec::with_capacity(PREAMBLE_V1 + header_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', padding));
    out.push(b'\n');
    Ok(out)
}

struct HeaderFields {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Parses the header dict: exactly the keys `descr` (a string),
/// `fortran_order` (`True`/`False`) and `shape` (a tuple of integers), in
/// any order, as NumPy writes them.
fn parse_header(text: &str) -> Result<HeaderFields, Error> {
    let mut p = Parser {
        s: text.trim_end_matches(['\n', ' ', '\0']).as_bytes(),
        i: 0,
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect(b'{')?;
    loop {
        p.skip_ws();
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        match key.as_str() {
            "descr" => descr = Some(p.string()?),
            "fortran_order" => fortran = Some(p.boolean()?),
            "shape" => shape = Some(p.tuple()?),
            other => return Err(format_error(format!("unknown header key {other:?}"))),
        }
        p.skip_ws();
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(format_error(format!(
            "unexpected text after the header dict: {:?}",
            String::from_utf8_lossy(&p.s[p.i..])
        )));
    }
    let missing = |k: &str| format_error(format!("the header has no {k:?} key"));
    Ok(HeaderFields {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

/// A cursor over the header's Python literal.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Error> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format_error(format!(
                "header: expected {:?} at byte {}, found {:?}",
                c as char,
                self.i,
                self.s.get(self.i).map(|&b| b as char)
            )))
        }
    }

    fn string(&mut self) -> Result<String, Error> {
        self.skip_ws();
        let quote = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            other => {
                return Err(format_error(format!(
                    "header: expected a quoted string at byte {}, found {:?}",
                    self.i,
                    other.map(|&b| b as char)
                )))
            }
        };
        let start = self.i + 1;
        let len = self.s[start..]
            .iter()
            .position(|&b| b == quote)
            .ok_or_else(|| format_error("header: unterminated string"))?;
        self.i = start + len + 1;
        Ok(String::from_utf8_lossy(&self.s[start..start + len]).into_owned())
    }

    fn boolean(&mut self) -> Result<bool, Error> {
        self.skip_ws();
        for (word, value) in [("True", true), ("False", false)] {
            if self.s[self.i..].starts_with(word.as_bytes()) {
                self.i += word.len();
                return Ok(value);
            }
        }
        Err(format_error(format!(
            "header: fortran_order must be True or False (at byte {})",
            self.i
        )))
    }

    fn tuple(&mut self) -> Result<Vec<usize>, Error> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(dims);
            }
            self.skip_ws();
            let start = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
            let d = digits.parse::<usize>().map_err(|_| {
                format_error(format!(
                    "header: shape entry at byte {start} is not a non-negative integer that fits usize"
                ))
            })?;
            dims.push(d);
            if !self.eat(b',') {
                self.expect(b')')?;
                return Ok(dims);
            }
        }
    }
}

/// Reorders Fortran-order data (first index fastest) to C order.
fn fortran_to_c(shape: &[usize], f: &[f64]) -> Vec<f64> {
    let d = shape.len();
    if d < 2 {
        return f.to_vec();
    }
    // Strides of the Fortran layout.
    let mut fstride = vec![1usize; d];
    for k in 1..d {
        fstride[k] = fstride[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(f.len());
    let mut index = vec![0usize; d];
    for _ in 0..f.len() {
        out.push(
            f[index
                .iter()
                .zip(&fstride)
                .map(|(i, s)| i * s)
                .sum::<usize>()],
        );
        // Advance the C-order multi-index (last index fastest).
        for k in (0..d).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}
