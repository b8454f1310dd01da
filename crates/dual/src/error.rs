//! The error type of the drivers.

use std::fmt;

/// Why a driver refused its input.
///
/// Opaque on purpose; the message names what was wrong, with the numbers.
/// Where it wraps a [`saddle_tape::Error`] (converted with `?` or
/// [`From`]), [`std::error::Error::source`] returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
enum ErrorKind {
    #[error("{what} is empty: need at least one input")]
    Empty { what: &'static str },
    #[error("{what} has {got} entries but x has {expected}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{what}[{index}] is {value}: inputs must be finite")]
    NonFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    #[error("{what}: {why}")]
    Setting { what: &'static str, why: String },
    // The message is repeated so that printing only the top error shows the
    // numbers; `source()` returns the tape's error itself.
    #[error("{0}")]
    Tape(#[source] saddle_tape::Error),
}

impl Error {
    pub(crate) fn setting(what: &'static str, why: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Setting {
                what,
                why: why.into(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    /// The tape's error, when a block operation inside the function failed.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// A block operation of the tape failed inside a differentiated function;
/// [`std::error::Error::source`] returns it.
impl From<saddle_tape::Error> for Error {
    fn from(e: saddle_tape::Error) -> Self {
        Error {
            kind: ErrorKind::Tape(e),
        }
    }
}

/// Checks the point `x`: non-empty and finite.
pub(crate) fn check_point(x: &[f64]) -> Result<(), Error> {
    if x.is_empty() {
        return Err(Error {
            kind: ErrorKind::Empty { what: "x" },
        });
    }
    check_finite("x", x)
}

/// Checks a direction (or any vector that must match `x`): length and finite.
pub(crate) fn check_vector(what: &'static str, v: &[f64], n: usize) -> Result<(), Error> {
    if v.len() != n {
        return Err(Error {
            kind: ErrorKind::Length {
                what,
                expected: n,
                got: v.len(),
            },
        });
    }
    check_finite(what, v)
}

fn check_finite(what: &'static str, v: &[f64]) -> Result<(), Error> {
    match v.iter().position(|a| !a.is_finite()) {
        Some(index) => Err(Error {
            kind: ErrorKind::NonFinite {
                what,
                index,
                value: v[index],
            },
        }),
        None => Ok(()),
    }
}
