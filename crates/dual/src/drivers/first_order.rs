//! First derivatives: reverse mode (gradient) and forward mode (JVP).

use saddle_tape::{Tape, Var};

use crate::dual::Dual;
use crate::error::{check_point, check_vector, Error};

/// `(f(x), ∇f(x))` by reverse mode: one recording on a `Tape<f64>`, one
/// sweep.
///
/// ```
/// use saddle_dual::gradient;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[1].exp() }
/// let (value, g) = gradient(|x| f(x), &[2.0, 0.0])?;
/// assert_eq!((value, g), (2.0, vec![1.0, 2.0]));
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty or not finite.
pub fn gradient<F>(f: F, x: &[f64]) -> Result<(f64, Vec<f64>), Error>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    check_point(x)?;
    let tape = Tape::with_capacity(16 * x.len());
    let xs = tape.vars(x);
    let y = f(&xs);
    Ok((y.value(), y.backward().wrt_all(&xs)))
}

/// `(f(x), ∇f(x)·v)` by forward mode: `f` evaluated once on dual numbers
/// `x + ε v`; no tape.
///
/// ```
/// use saddle_dual::jvp;
/// use saddle_tape::prelude::*;
///
/// fn f<S: Real>(x: &[S]) -> S { x[0] * x[1].exp() }
/// let (value, d) = jvp(|x| f(x), &[2.0, 0.0], &[1.0, 1.0])?;
/// assert_eq!((value, d), (2.0, 3.0)); // ∇f·v = 1 + 2
/// # Ok::<(), saddle_dual::Error>(())
/// ```
///
/// # Errors
/// If `x` is empty, `v` has another length, or either is not finite.
pub fn jvp<F>(f: F, x: &[f64], v: &[f64]) -> Result<(f64, f64), Error>
where
    F: Fn(&[Dual<f64>]) -> Dual<f64>,
{
    check_point(x)?;
    check_vector("v", v, x.len())?;
    let xs: Vec<Dual<f64>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, [b])).collect();
    let y = f(&xs);
    Ok((y.re, y.eps[0]))
}
