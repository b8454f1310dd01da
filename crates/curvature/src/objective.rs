//! What the optimizers minimise: a function that can report its value,
//! gradient, Hessian-vector products and (for small problems) Hessian.

use saddle_dual::{gradient, hessian, hvp, Gradient, Hessian};
use saddle_tape::Real;

use crate::error::{check_vector, Error};

/// A twice-differentiable objective `f: ℝⁿ → ℝ`.
///
/// Implement it for your own types (a network's loss over a dataset, for
/// instance), or wrap a function written once over [`Real`] in [`Smooth`].
pub trait Objective {
    /// `f(x)` and `∇f(x)`, as saddle-dual's [`Gradient`] (the type
    /// [`saddle_dual::gradient`] returns).
    ///
    /// # Errors
    /// If `f` cannot be evaluated at `x`.
    fn value_gradient(&self, x: &[f64]) -> Result<Gradient, Error>;

    /// `∇²f(x) v`.
    ///
    /// # Errors
    /// If `f` cannot be differentiated at `x`.
    fn hvp(&self, x: &[f64], v: &[f64]) -> Result<Vec<f64>, Error>;

    /// The dense Hessian. The default assembles it from `n` HVPs, one column
    /// each; override it with something faster when you have it.
    ///
    /// # Errors
    /// As [`Objective::hvp`], or if an HVP has the wrong length or the
    /// `n × n` matrix cannot be allocated.
    fn hessian(&self, x: &[f64]) -> Result<Hessian, Error> {
        let n = x.len();
        if n == 0 {
            return Err(Error::invalid("x is empty: need at least one input"));
        }
        let mut data = Vec::new();
        n.checked_mul(n)
            .and_then(|n2| data.try_reserve_exact(n2).ok())
            .ok_or_else(|| Error::size(format!("a dense {n}×{n} Hessian cannot be allocated")))?;
        let mut e = vec![0.0; n];
        for j in 0..n {
            e[j] = 1.0;
            let column = self.hvp(x, &e)?;
            if column.len() != n {
                return Err(Error::size(format!(
                    "the HVP returned {} entries for column {j}, x has {n}",
                    column.len()
                )));
            }
            data.extend(column);
            e[j] = 0.0;
        }
        Ok(Hessian::from_column_major(n, data)?)
    }

    /// `f(x)`; the default takes it from [`Objective::value_gradient`].
    ///
    /// # Errors
    /// If `f` cannot be evaluated at `x`.
    fn value(&self, x: &[f64]) -> Result<f64, Error> {
        Ok(self.value_gradient(x)?.value)
    }
}

/// A function written once, generically over [`Real`], so every driver of
/// saddle-dual can differentiate it.
pub trait Function: Sync {
    /// `f(x)`.
    fn eval<S: Real>(&self, x: &[S]) -> S;
}

/// Adapts a [`Function`] into an [`Objective`]: gradients by reverse mode,
/// HVPs by forward-over-reverse, Hessians with 8 lanes per sweep.
///
/// ```
/// use saddle_curvature::{Function, Objective, Smooth};
/// use saddle_tape::Real;
///
/// struct Bowl;
/// impl Function for Bowl {
///     fn eval<S: Real>(&self, x: &[S]) -> S { x[0] * x[0] + x[1] * x[1] * 3.0 }
/// }
/// let g = Smooth(Bowl).value_gradient(&[1.0, 1.0])?;
/// assert_eq!((g.value, g.gradient), (4.0, vec![2.0, 6.0]));
/// # Ok::<(), saddle_curvature::Error>(())
/// ```
pub struct Smooth<F>(pub F);

impl<F: Function> Objective for Smooth<F> {
    fn value_gradient(&self, x: &[f64]) -> Result<Gradient, Error> {
        Ok(gradient(|y| self.0.eval(y), x)?)
    }

    fn hvp(&self, x: &[f64], v: &[f64]) -> Result<Vec<f64>, Error> {
        check_vector("v", v, x.len())?;
        Ok(hvp(|y| self.0.eval(y), x, v)?.hv)
    }

    fn hessian(&self, x: &[f64]) -> Result<Hessian, Error> {
        Ok(hessian(|y| self.0.eval(y), x)?)
    }

    fn value(&self, x: &[f64]) -> Result<f64, Error> {
        // As the derivative drivers do: an empty or non-finite x is refused.
        if x.is_empty() {
            return Err(Error::invalid("x is empty: need at least one input"));
        }
        check_vector("x", x, x.len())?;
        Ok(self.0.eval(x))
    }
}
