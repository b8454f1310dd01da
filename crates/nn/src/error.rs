//! The error type of saddle-nn.

use std::fmt;

/// What was wrong with a network, a dataset or a training setting.
///
/// Opaque on purpose; messages name rows, columns, steps and sizes. Where it
/// wraps a [`saddle_tape::Error`] or a [`saddle_dual::Error`],
/// [`std::error::Error::source`] returns it (and the dual error's own
/// `source()` continues the chain).
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
enum ErrorKind {
    #[error("{0}")]
    Invalid(String),
    #[error("{what}: row {row}, column {col} is {value} (data must be finite)")]
    NonFinite {
        what: &'static str,
        row: usize,
        col: usize,
        value: f64,
    },
    #[error("training diverged at step {step}: the loss is {loss}; try a smaller learning rate than {learning_rate}")]
    Diverged {
        step: usize,
        loss: f64,
        learning_rate: f64,
    },
    #[error("CSV {0}")]
    Csv(String),
    // Wrapped errors: the message is repeated so that printing only the top
    // error shows the numbers; `source()` returns the error itself.
    #[error("{0}")]
    Tape(#[source] saddle_tape::Error),
    #[error("{0}")]
    Dual(#[source] saddle_dual::Error),
}

impl Error {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Invalid(message.into()),
        }
    }

    pub(crate) fn non_finite(what: &'static str, row: usize, col: usize, value: f64) -> Self {
        Error {
            kind: ErrorKind::NonFinite {
                what,
                row,
                col,
                value,
            },
        }
    }

    pub(crate) fn diverged(step: usize, loss: f64, learning_rate: f64) -> Self {
        Error {
            kind: ErrorKind::Diverged {
                step,
                loss,
                learning_rate,
            },
        }
    }

    pub(crate) fn csv(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Csv(message.into()),
        }
    }

    /// The message without the "CSV" prefix (to prefix it with a path).
    pub(crate) fn csv_message(&self) -> String {
        match &self.kind {
            ErrorKind::Csv(m) => m.clone(),
            other => other.to_string(),
        }
    }
}

impl From<saddle_tape::Error> for Error {
    fn from(e: saddle_tape::Error) -> Self {
        Error {
            kind: ErrorKind::Tape(e),
        }
    }
}

impl From<saddle_dual::Error> for Error {
    fn from(e: saddle_dual::Error) -> Self {
        Error {
            kind: ErrorKind::Dual(e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    /// The tape's or the dual drivers' error, when one is wrapped.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}
