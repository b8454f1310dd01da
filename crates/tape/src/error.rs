//! The error type of fallible tape entry points.

use std::fmt;

/// What went wrong when building or combining blocks, checking matrix
/// views, or building a sparsity pattern.
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
    #[error("{op}: got {got} values for a {rows}×{cols} block (expected {})",
        rows.checked_mul(*cols).map_or("more than usize::MAX".to_string(), |n| n.to_string()))]
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
    #[error("gemm shapes: ({}×{})·({}×{}) into {}×{}", a.0, a.1, b.0, b.1, c.0, c.1)]
    GemmShapes {
        a: (usize, usize),
        b: (usize, usize),
        c: (usize, usize),
    },
    #[error(
        "{what}: a {}×{} view with strides ({}, {}) {} but its slice holds {len}",
        shape.0, shape.1, strides.0, strides.1,
        match last { Some(l) => format!("addresses index {l}"), None => "addresses an index beyond usize::MAX".to_string() }
    )]
    View {
        what: &'static str,
        shape: (usize, usize),
        strides: (usize, usize),
        len: usize,
        last: Option<usize>,
    },
    #[error("{op}: a {rows}×{cols} block has more than {limit} entries (rows·cols overflows or exceeds the tape's slot limit)")]
    TooLarge {
        op: &'static str,
        rows: usize,
        cols: usize,
        limit: usize,
    },
    #[error("HessianPattern: entry ({i}, {j}) outside {n}×{n}")]
    PatternEntry { i: usize, j: usize, n: usize },
    #[error("slice: rows {}..{} and columns {}..{} of a {}×{} block (each range must be non-empty and inside the block)",
        rows.start, rows.end, cols.start, cols.end, shape.0, shape.1)]
    Slice {
        shape: (usize, usize),
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
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

    pub(crate) fn gemm_shapes(a: (usize, usize), b: (usize, usize), c: (usize, usize)) -> Self {
        Error {
            kind: ErrorKind::GemmShapes { a, b, c },
        }
    }

    pub(crate) fn view(
        what: &'static str,
        shape: (usize, usize),
        strides: (usize, usize),
        len: usize,
        last: Option<usize>,
    ) -> Self {
        Error {
            kind: ErrorKind::View {
                what,
                shape,
                strides,
                len,
                last,
            },
        }
    }

    pub(crate) fn too_large(op: &'static str, rows: usize, cols: usize, limit: usize) -> Self {
        Error {
            kind: ErrorKind::TooLarge {
                op,
                rows,
                cols,
                limit,
            },
        }
    }

    pub(crate) fn pattern_entry(i: usize, j: usize, n: usize) -> Self {
        Error {
            kind: ErrorKind::PatternEntry { i, j, n },
        }
    }

    pub(crate) fn slice(
        shape: (usize, usize),
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
    ) -> Self {
        Error {
            kind: ErrorKind::Slice { shape, rows, cols },
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
