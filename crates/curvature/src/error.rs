//! The error type of saddle-curvature.

use std::fmt;

/// What went wrong: bad settings, bad shapes, a failed factorisation, or an
/// error from the function being analysed.
///
/// Opaque on purpose; messages carry the numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    message: String,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }

    /// An error raised by code outside this crate (an [`Objective`]
    /// implementation, say), carrying its message.
    ///
    /// [`Objective`]: crate::Objective
    pub fn external(message: impl Into<String>) -> Self {
        Error::new(message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<saddle_dual::Error> for Error {
    fn from(e: saddle_dual::Error) -> Self {
        Error::new(e.to_string())
    }
}

/// Checks a vector's length against the dimension and that it is finite.
pub(crate) fn check_vector(what: &str, v: &[f64], n: usize) -> Result<(), Error> {
    if v.len() != n {
        return Err(Error::new(format!(
            "{what} has {} entries, expected {n}",
            v.len()
        )));
    }
    if let Some(i) = v.iter().position(|a| !a.is_finite()) {
        return Err(Error::new(format!(
            "{what}[{i}] is {}: must be finite",
            v[i]
        )));
    }
    Ok(())
}
