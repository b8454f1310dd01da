//! The error type of fallible tape entry points.

use std::fmt;

/// What went wrong when building or combining blocks.
///
/// Opaque on purpose: match on the message, not on variants, so new checks
/// can be added without breaking callers. Every message carries the
/// offending numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum ErrorKind {
    #[error("{op}: got {got} values for a {rows}×{cols} block (expected {})", rows * cols)]
    DataLength {
        op: &'static str,
        got: usize,
        rows: usize,
        cols: usize,
    },
    #[error("{op}: shapes {}×{} and {}×{} do not fit ({why})", a.0, a.1, b.0, b.1)]
    Shapes {
        op: &'static str,
        a: (usize, usize),
        b: (usize, usize),
        why: &'static str,
    },
    #[error("{op}: a block needs at least one row and one column, got {rows}×{cols}")]
    Empty {
        op: &'static str,
        rows: usize,
        cols: usize,
    },
}

impl Error {
    pub(crate) fn data_length(op: &'static str, got: usize, rows: usize, cols: usize) -> Self {
        Error {
            kind: ErrorKind::DataLength {
                op,
                got,
                rows,
                cols,
            },
        }
    }

    pub(crate) fn shapes(
        op: &'static str,
        a: (usize, usize),
        b: (usize, usize),
        why: &'static str,
    ) -> Self {
        Error {
            kind: ErrorKind::Shapes { op, a, b, why },
        }
    }

    pub(crate) fn empty(op: &'static str, rows: usize, cols: usize) -> Self {
        Error {
            kind: ErrorKind::Empty { op, rows, cols },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {}
