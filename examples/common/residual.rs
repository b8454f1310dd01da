//! A residual block `y = a + tanh(a W₁ + b₁) W₂` with the MSE loss, written
//! twice: with the tape's block operations (fast) and as scalar code (the
//! reference). Shared by `examples/custom_architecture.rs` and
//! `tests/custom_architecture.rs`.
//!
//! Shapes: a batch `a` of `n` samples of dimension `d` (`n × d`, one sample
//! per row), `W₁: d × h`, `b₁: 1 × h`, `W₂: h × d`, targets `t: n × d`. The
//! loss is `L = (1/(n d)) Σᵢⱼ (yᵢⱼ − tᵢⱼ)²`. The parameters are one flat
//! vector `θ = [W₁ row-major, b₁, W₂ row-major]`.

use saddle::tape::{Scalar, Var};
use saddle::Real;

/// The data and the hidden width: everything but the parameters.
pub struct Residual {
    /// Samples.
    pub n: usize,
    /// Input (= output) dimension.
    pub d: usize,
    /// Hidden width.
    pub h: usize,
    /// Inputs `a`, `n × d` row-major.
    pub inputs: Vec<f64>,
    /// Targets `t`, `n × d` row-major.
    pub targets: Vec<f64>,
}

impl Residual {
    /// A deterministic problem: smooth inputs and targets, no RNG.
    pub fn sample(n: usize, d: usize, h: usize) -> Residual {
        let inputs = (0..n * d)
            .map(|k| ((k / d) as f64 * 0.37 + (k % d) as f64 * 1.3).sin())
            .collect();
        let targets = (0..n * d)
            .map(|k| 0.5 * ((k / d) as f64 * 0.21 - (k % d) as f64 * 0.7).cos())
            .collect();
        Residual {
            n,
            d,
            h,
            inputs,
            targets,
        }
    }

    /// `d·h + h + h·d`.
    pub fn num_params(&self) -> usize {
        2 * self.d * self.h + self.h
    }

    /// A deterministic, non-symmetric starting point.
    pub fn params(&self) -> Vec<f64> {
        (0..self.num_params())
            .map(|k| 0.3 * (k as f64 * 0.77 + 0.1).sin())
            .collect()
    }

    /// The loss recorded with block operations: five matrix-sized tape
    /// entries (two products, a row broadcast, tanh, the residual sum)
    /// plus the loss, whatever `n`, `d`, `h`. Generic in the tape's number
    /// type `T`, so on `Tape<f64>` backward gives the gradient and on a
    /// tape of duals it gives Hessian-vector products.
    ///
    /// # Panics
    /// If `theta` does not hold [`Residual::num_params`] variables of one
    /// tape (a programming error: the drivers pass exactly `x.len()`).
    pub fn loss_blocks<'t, T: Scalar>(&self, theta: &[Var<'t, T>]) -> Var<'t, T> {
        let (n, d, h) = (self.n, self.d, self.h);
        assert_eq!(
            theta.len(),
            self.num_params(),
            "residual: wrong parameter count"
        );
        let tape = theta[0]
            .tape()
            .expect("residual: parameters live on a tape");
        let shapes = "residual: shapes fixed by construction";
        let constant = |rows, cols, v: &[f64]| {
            let v: Vec<T> = v.iter().map(|&x| T::from_f64(x)).collect();
            tape.constant_block(rows, cols, &v).expect(shapes)
        };
        let a = constant(n, d, &self.inputs);
        let t = constant(n, d, &self.targets);
        // Gather the flat parameters into blocks (one tape entry each).
        let (w1, rest) = theta.split_at(d * h);
        let (b1, w2) = rest.split_at(h);
        let w1 = tape.stack(d, h, w1).expect(shapes);
        let b1 = tape.stack(1, h, b1).expect(shapes);
        let w2 = tape.stack(h, d, w2).expect(shapes);
        // y = a + tanh(a W₁ + b₁) W₂
        let hidden = a
            .matmul(&w1)
            .and_then(|z| z.add_row(&b1))
            .expect(shapes)
            .tanh();
        let y = hidden.matmul(&w2).and_then(|r| a.add(&r)).expect(shapes);
        // L = mean((y − t)²)
        y.sub(&t).expect(shapes).square().mean()
    }

    /// The same loss as plain scalar code, for any `S: Real` (`f64`, a tape
    /// variable, a dual number): the independent reference.
    pub fn loss_scalar<S: Real>(&self, theta: &[S]) -> S {
        let (n, d, h) = (self.n, self.d, self.h);
        let w1 = |i: usize, j: usize| theta[i * h + j];
        let b1 = |j: usize| theta[d * h + j];
        let w2 = |i: usize, j: usize| theta[d * h + h + i * d + j];
        let mut total = S::cst(0.0);
        for s in 0..n {
            let a = &self.inputs[s * d..(s + 1) * d];
            let hidden: Vec<S> = (0..h)
                .map(|j| {
                    let mut z = b1(j);
                    for (i, &ai) in a.iter().enumerate() {
                        z += w1(i, j) * ai;
                    }
                    z.tanh()
                })
                .collect();
            for (k, &ak) in a.iter().enumerate() {
                let mut y = S::cst(ak);
                for (j, &hj) in hidden.iter().enumerate() {
                    y += hj * w2(j, k);
                }
                let e = y - self.targets[s * d + k];
                total += e * e;
            }
        }
        total / (n * d) as f64
    }
}
