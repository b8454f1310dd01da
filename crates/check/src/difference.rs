//! Richardson-extrapolated central differences.

/// The base step factor, `≈ ε^{1/5}` for `f64` (see the crate doc).
const STEP: f64 = 1e-3;

/// The derivative of `t ↦ g(x + t v)` at `t = 0`, for a vector-valued `g`,
/// by a Richardson-extrapolated central difference:
/// `(4 D(h/2) − D(h)) / 3` with `D(h) = (g(x + h v) − g(x − h v)) / 2h`.
///
/// The step is `h = 10⁻³ · max(1, |x|∞) / |v|∞`. Returns zeros for `v = 0`.
/// Non-finite entries of `x` or `v` give NaN entries (the `check_*`
/// functions refuse them with a failed [`crate::Report`] instead).
///
/// # Panics
/// If `v.len() != x.len()`: a mis-call of this low-level helper (the
/// `check_*` functions check lengths and report instead).
pub fn central_difference(g: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    assert_eq!(
        x.len(),
        v.len(),
        "central_difference: x has {} entries, v has {}",
        x.len(),
        v.len()
    );
    let vmax = v.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
    if vmax == 0.0 {
        return vec![0.0; g(x).len()];
    }
    let xmax = x.iter().fold(1.0_f64, |m, a| m.max(a.abs()));
    let h = STEP * xmax / vmax;
    let d = |h: f64| -> Vec<f64> {
        let shifted = |t: f64| -> Vec<f64> { x.iter().zip(v).map(|(a, b)| a + t * b).collect() };
        let (plus, minus) = (g(&shifted(h)), g(&shifted(-h)));
        plus.iter()
            .zip(&minus)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect()
    };
    let (coarse, fine) = (d(h), d(h / 2.0));
    fine.iter()
        .zip(&coarse)
        .map(|(f, c)| (4.0 * f - c) / 3.0)
        .collect()
}

/// `∇f(x)` by central differences along each coordinate.
pub fn fd_gradient(f: &impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let g = |y: &[f64]| vec![f(y)];
    (0..x.len())
        .map(|j| central_difference(&g, x, &unit(x.len(), j))[0])
        .collect()
}

/// `J v` for `F: ℝⁿ → ℝᵐ` by central differences along `v`.
///
/// # Panics
/// If `v.len() != x.len()` (see [`central_difference`]).
pub fn fd_jvp(f: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    central_difference(f, x, v)
}

/// `H v` by central differences of the gradient along `v`.
///
/// # Panics
/// If `v.len() != x.len()` (see [`central_difference`]).
pub fn fd_hvp(grad: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    central_difference(grad, x, v)
}

/// The Hessian (`n × n`, row-major) by central differences of the gradient:
/// column `j` is `∂∇f/∂xⱼ`.
pub fn fd_hessian(grad: &impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut h = vec![0.0; n * n];
    for j in 0..n {
        let col = central_difference(grad, x, &unit(n, j));
        for (i, c) in col.into_iter().enumerate() {
            h[i * n + j] = c;
        }
    }
    h
}

fn unit(n: usize, j: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[j] = 1.0;
    e
}
