//! First derivatives: reverse mode (gradient) and forward mode (JVP).

use saddle_tape::{Tape, Var};

use crate::dual::Dual;
use crate::error::{check_point, check_vector, Error};

/// The result of [`gradient`]: `f(x)` and `∇f(x)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    /// `f(x)`.
    pub value: f64,
    /// `∇f(x)`, entry `i` being `∂f/∂xᵢ`.
    pub gradient: Vec<f64>,
}

/// The result of [`jvp`]: `f(x)` and the directional derivative along `v`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jvp {
    /// `f(x)`.
    pub value: f64,
    /// `∇f(x)·v = d/dt f(x + t v) at t = 0`.
    pub derivative: f64,
}

/// `f(x)` and `∇f(x)` by reverse mode: one recording on a `Tape<f64>`, one
/// sweep.
///
/// ```
/// use saddle_dual::gradient;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[1].exp() }
/// let g = gradient(|x| f(x), &[2.0, 0.0])?;
/// assert_eq!(g.value, 2.0);
/// assert_eq!(g.gradient, vec![1.0, 2.0]); // [eʸ, x eʸ]
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty or not finite.
pub fn gradient<F>(f: F, x: &[f64]) -> Result<Gradient, Error>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    check_point(x)?;
    let tape = Tape::with_capacity(16 * x.len());
    let xs = tape.vars(x);
    let y = f(&xs);
    Ok(Gradient {
        value: y.value(),
        gradient: y.backward().wrt_all(&xs),
    })
}

/// `f(x)` and `∇f(x)·v` by forward mode: `f` evaluated once on dual numbers
/// `x + ε v`; no tape.
///
/// ```
/// use saddle_dual::jvp;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[1].exp() }
/// let r = jvp(|x| f(x), &[2.0, 0.0], &[1.0, 1.0])?;
/// assert_eq!((r.value, r.derivative), (2.0, 3.0)); // ∇f·v = 1 + 2
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty, `v` has another length, or either is not finite.
pub fn jvp<F>(f: F, x: &[f64], v: &[f64]) -> Result<Jvp, Error>
where
    F: Fn(&[Dual<f64>]) -> Dual<f64>,
{
    check_point(x)?;
    check_vector("v", v, x.len())?;
    let xs: Vec<Dual<f64>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, [b])).collect();
    let y = f(&xs);
    Ok(Jvp {
        value: y.re,
        derivative: y.eps[0],
    })
}
