//! The error type of saddle-curvature.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// A boxed error from code outside this crate (a linear operator, an
/// [`Objective`](crate::Objective)); shared so [`Error`] stays `Clone`.
type Foreign = Arc<dyn StdError + Send + Sync + 'static>;

/// What went wrong: bad settings, bad shapes, a failed factorisation, a
/// non-finite result, or an error from the function being analysed.
///
/// Opaque on purpose (match on the message, not on variants, so checks can
/// be added without breaking callers); every message carries the numbers.
/// Where the failure came from another error (a [`saddle_dual::Error`], or
/// the error of a linear operator or [`Objective`](crate::Objective)),
/// [`std::error::Error::source`] returns it, so a reporter can walk the
/// chain down to the innermost cause.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Clone, Debug)]
enum ErrorKind {
    /// An argument or setting out of its domain; the message names it and
    /// its value.
    Invalid(String),
    /// A length or size that does not match, or cannot be allocated.
    Size(String),
    /// A result (or a user callback's result) that is NaN or ±∞; the message
    /// names the step, probe or entry.
    NonFinite(String),
    /// The symmetric eigensolver failed or returned non-finite values.
    Eigen(String),
    /// A derivative driver of saddle-dual refused its input.
    Dual(saddle_dual::Error),
    /// An error raised outside this crate, with context; `source` is the
    /// original error when there is one.
    External {
        context: String,
        source: Option<Foreign>,
    },
}

impl Error {
    /// An invalid argument or setting; `message` names it and its value.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Invalid(message.into()),
        }
    }

    /// A size mismatch or an allocation that cannot be made.
    pub(crate) fn size(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Size(message.into()),
        }
    }

    /// A non-finite value where a finite one is needed.
    pub(crate) fn non_finite(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::NonFinite(message.into()),
        }
    }

    /// A failure of the eigensolver.
    pub(crate) fn eigen(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Eigen(message.into()),
        }
    }

    /// A user callback failed: `context` says where (`"Hessian-vector
    /// product failed at Lanczos step 3"`), `source` is its error.
    pub(crate) fn callback(
        context: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Error {
            kind: ErrorKind::External {
                context: context.into(),
                source: Some(Arc::from(source.into())),
            },
        }
    }

    /// An error raised by code outside this crate (an [`Objective`]
    /// implementation, say), carrying its message only.
    ///
    /// Prefer [`Error::wrap`], which keeps the original error as the
    /// [`source`](std::error::Error::source).
    ///
    /// [`Objective`]: crate::Objective
    pub fn external(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::External {
                context: message.into(),
                source: None,
            },
        }
    }

    /// Wraps an error raised by code outside this crate (an [`Objective`]
    /// implementation, say): the message is the error's message, and
    /// [`source`](std::error::Error::source) returns the error itself.
    ///
    /// ```
    /// use std::error::Error as _;
    /// let e = saddle_curvature::Error::wrap(std::fmt::Error);
    /// assert!(e.source().unwrap().is::<std::fmt::Error>());
    /// ```
    ///
    /// [`Objective`]: crate::Objective
    pub fn wrap(error: impl StdError + Send + Sync + 'static) -> Self {
        Error {
            kind: ErrorKind::External {
                context: String::new(),
                source: Some(Arc::new(error)),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A wrapped error's message is repeated in ours, so that printing
        // only the top error (as most programs do) still shows the numbers.
        match &self.kind {
            ErrorKind::Invalid(m)
            | ErrorKind::Size(m)
            | ErrorKind::NonFinite(m)
            | ErrorKind::Eigen(m) => f.write_str(m),
            ErrorKind::Dual(e) => e.fmt(f),
            ErrorKind::External { context, source } => match source {
                Some(s) if context.is_empty() => s.fmt(f),
                Some(s) => write!(f, "{context}: {s}"),
                None => f.write_str(context),
            },
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            ErrorKind::Dual(e) => Some(e),
            ErrorKind::External {
                source: Some(s), ..
            } => Some(&**s),
            _ => None,
        }
    }
}

/// Two errors are equal when they are of the same kind and say the same
/// (wrapped foreign errors are compared by message: they need not be
/// `PartialEq`).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        use ErrorKind::*;
        match (&self.kind, &other.kind) {
            (Invalid(a), Invalid(b))
            | (Size(a), Size(b))
            | (NonFinite(a), NonFinite(b))
            | (Eigen(a), Eigen(b)) => a == b,
            (Dual(a), Dual(b)) => a == b,
            (External { source: sa, .. }, External { source: sb, .. }) => {
                sa.is_some() == sb.is_some() && self.to_string() == other.to_string()
            }
            _ => false,
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

/// Checks a vector's length against the dimension and that it is finite.
pub(crate) fn check_vector(what: &str, v: &[f64], n: usize) -> Result<(), Error> {
    if v.len() != n {
        return Err(Error::size(format!(
            "{what} has {} entries, expected {n}",
            v.len()
        )));
    }
    if let Some(i) = v.iter().position(|a| !a.is_finite()) {
        return Err(Error::invalid(format!(
            "{what}[{i}] is {}: must be finite",
            v[i]
        )));
    }
    Ok(())
}
