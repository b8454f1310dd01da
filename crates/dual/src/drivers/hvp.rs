//! Hessian-vector products by forward-over-reverse.

use saddle_tape::{Tape, Var};

use crate::dual::Dual;
use crate::error::{check_point, check_vector, Error};

/// The result of [`hvp`]: value, gradient and Hessian-vector product, all
/// from one sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Hvp {
    /// `f(x)`.
    pub value: f64,
    /// `∇f(x)`.
    pub gradient: Vec<f64>,
    /// `∇²f(x) · v`.
    pub hv: Vec<f64>,
}

/// `H v` by forward-over-reverse (`jvp(grad f)` in JAX's words).
///
/// The function is recorded on a `Tape<Dual<f64>>` with inputs seeded
/// `x + ε v`. Every value and stored partial then carries a tangent, and the
/// ordinary reverse sweep, done in dual arithmetic, returns adjoints
/// `∇f(x + εv) = ∇f(x) + ε ∇²f(x) v`: the real parts are the gradient, the
/// `ε` parts are `H v`. Cost: a small constant times one gradient.
///
/// ```
/// use saddle_dual::hvp;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[0] * x[1] } // H = [[2y, 2x], [2x, 0]]
/// let r = hvp(|x| f(x), &[1.0, 3.0], &[1.0, 0.0])?;
/// assert_eq!(r.gradient, vec![6.0, 1.0]);
/// assert_eq!(r.hv, vec![6.0, 2.0]); // first column of H
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty, `v` has another length, or either is not finite.
pub fn hvp<F>(f: F, x: &[f64], v: &[f64]) -> Result<Hvp, Error>
where
    F: for<'t> Fn(&[Var<'t, Dual<f64>>]) -> Var<'t, Dual<f64>>,
{
    check_point(x)?;
    check_vector("v", v, x.len())?;
    let tape = Tape::with_capacity(16 * x.len());
    let seeded: Vec<Dual<f64>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, [b])).collect();
    let xs = tape.vars(&seeded);
    let y = f(&xs);
    let adjoints = y.backward().wrt_all(&xs);
    Ok(Hvp {
        value: y.value().re,
        gradient: adjoints.iter().map(|a| a.re).collect(),
        hv: adjoints.iter().map(|a| a.eps[0]).collect(),
    })
}
