//! One error type for programs that use several of saddle's crates.

use std::error::Error as StdError;
use std::fmt;

/// Any error of saddle's crates, so `?` works across them in a function
/// returning `Result<_, saddle::Error>`:
///
/// ```
/// # #[cfg(feature = "curvature")] {
/// use saddle::curvature::Eigen;
/// use saddle::dual::hessian;
/// use saddle::prelude::*;
///
/// fn smallest_eigenvalue(x: &[f64]) -> Result<f64, saddle::Error> {
///     let h = hessian(|p| p[0] * p[0] * p[1] + p[1].sin(), x)?; // saddle_dual::Error
///     let e = Eigen::of(&h)?; // saddle_curvature::Error
///     Ok(e.values()[0])
/// }
/// assert!(smallest_eigenvalue(&[1.0, 0.5]).is_ok());
/// let e = smallest_eigenvalue(&[]).unwrap_err();
/// assert_eq!(e.origin(), saddle::Origin::Dual);
/// # }
/// ```
///
/// The message is the crate's message (with its numbers); [`Error::origin`]
/// says which crate failed, [`StdError::source`] is forwarded (a network's
/// error wrapping a driver's error wrapping a tape's error walks down to
/// the tape's), and the `as_*` methods give the crate's own error back.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    inner: Inner,
}

/// Which of saddle's crates an [`Error`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// `saddle-tape`: building or combining blocks.
    Tape,
    /// `saddle-dual`: a derivative driver refused its input.
    Dual,
    /// `saddle-nn`: a network, a dataset or a training setting.
    Nn,
    /// `saddle-curvature`: settings, shapes, factorisations, optimizers.
    Curvature,
    /// This facade itself (a setting of `sharpness` tracking).
    Saddle,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Tape => "saddle-tape",
            Origin::Dual => "saddle-dual",
            Origin::Nn => "saddle-nn",
            Origin::Curvature => "saddle-curvature",
            Origin::Saddle => "saddle",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Inner {
    Tape(saddle_tape::Error),
    Dual(saddle_dual::Error),
    #[cfg(feature = "nn")]
    Nn(saddle_nn::Error),
    #[cfg(feature = "curvature")]
    Curvature(saddle_curvature::Error),
    /// A facade setting refused; the message names it and its value.
    #[cfg_attr(not(all(feature = "nn", feature = "curvature")), allow(dead_code))]
    Saddle(String),
}

impl Error {
    /// The crate that failed.
    pub fn origin(&self) -> Origin {
        match &self.inner {
            Inner::Tape(_) => Origin::Tape,
            Inner::Dual(_) => Origin::Dual,
            #[cfg(feature = "nn")]
            Inner::Nn(_) => Origin::Nn,
            #[cfg(feature = "curvature")]
            Inner::Curvature(_) => Origin::Curvature,
            Inner::Saddle(_) => Origin::Saddle,
        }
    }

    /// The tape's error, if the tape failed.
    pub fn as_tape(&self) -> Option<&saddle_tape::Error> {
        match &self.inner {
            Inner::Tape(e) => Some(e),
            _ => None,
        }
    }

    /// The driver's error, if a driver of saddle-dual failed.
    pub fn as_dual(&self) -> Option<&saddle_dual::Error> {
        match &self.inner {
            Inner::Dual(e) => Some(e),
            _ => None,
        }
    }

    /// The network's error, if saddle-nn failed.
    #[cfg(feature = "nn")]
    #[cfg_attr(docsrs, doc(cfg(feature = "nn")))]
    pub fn as_nn(&self) -> Option<&saddle_nn::Error> {
        match &self.inner {
            Inner::Nn(e) => Some(e),
            _ => None,
        }
    }

    /// The curvature error, if saddle-curvature failed.
    #[cfg(feature = "curvature")]
    #[cfg_attr(docsrs, doc(cfg(feature = "curvature")))]
    pub fn as_curvature(&self) -> Option<&saddle_curvature::Error> {
        match &self.inner {
            Inner::Curvature(e) => Some(e),
            _ => None,
        }
    }

    fn crate_error(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.inner {
            Inner::Tape(e) => Some(e),
            Inner::Dual(e) => Some(e),
            #[cfg(feature = "nn")]
            Inner::Nn(e) => Some(e),
            #[cfg(feature = "curvature")]
            Inner::Curvature(e) => Some(e),
            Inner::Saddle(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner, self.crate_error()) {
            (Inner::Saddle(m), _) => f.write_str(m),
            (_, Some(e)) => fmt::Display::fmt(e, f),
            (_, None) => unreachable!("every crate variant has its error"),
        }
    }
}

/// Transparent: the message is the crate error's, so `source()` is the
/// crate error's source (the next error down the chain), not the crate
/// error again.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.crate_error().and_then(StdError::source)
    }
}

impl From<saddle_tape::Error> for Error {
    fn from(e: saddle_tape::Error) -> Self {
        Error {
            inner: Inner::Tape(e),
        }
    }
}

impl From<saddle_dual::Error> for Error {
    fn from(e: saddle_dual::Error) -> Self {
        Error {
            inner: Inner::Dual(e),
        }
    }
}

#[cfg(feature = "nn")]
#[cfg_attr(docsrs, doc(cfg(feature = "nn")))]
impl From<saddle_nn::Error> for Error {
    fn from(e: saddle_nn::Error) -> Self {
        Error {
            inner: Inner::Nn(e),
        }
    }
}

#[cfg(feature = "curvature")]
#[cfg_attr(docsrs, doc(cfg(feature = "curvature")))]
impl From<saddle_curvature::Error> for Error {
    fn from(e: saddle_curvature::Error) -> Self {
        Error {
            inner: Inner::Curvature(e),
        }
    }
}

#[cfg(all(feature = "nn", feature = "curvature"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "nn", feature = "curvature"))))]
impl From<crate::sharpness::Error> for Error {
    fn from(e: crate::sharpness::Error) -> Self {
        use crate::sharpness::Error as S;
        Error {
            inner: match e {
                S::Invalid(m) => Inner::Saddle(m),
                S::Network(e) => Inner::Nn(e),
                S::Curvature(e) => Inner::Curvature(e),
            },
        }
    }
}
