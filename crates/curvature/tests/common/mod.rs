//! A test operator that passes a closure's answers through unchecked, so
//! the checks under test are saddle-curvature's own (saddle-dual's
//! `FnOperator` would catch a wrong length first).

use std::cell::RefCell;
use std::error::Error;

use saddle_dual::LinearOperator;

/// `v ↦ f(v)` on `ℝⁿ`, unchecked; `f` may keep state (call counters).
pub struct Raw<F> {
    n: usize,
    f: RefCell<F>,
}

/// The operator `v ↦ f(v)` of dimension `n`.
pub fn raw<F, E>(n: usize, f: F) -> Raw<F>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    Raw {
        n,
        f: RefCell::new(f),
    }
}

impl<F, E> LinearOperator for Raw<F>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    type Error = Box<dyn Error + Send + Sync>;

    fn dim(&self) -> usize {
        self.n
    }

    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Self::Error> {
        (self.f.borrow_mut())(v).map_err(Into::into)
    }
}
