//! The (generalised) Gauss-Newton matrix `G = Jᵀ H_z J` of a network and a
//! loss, as products `G v` without forming `J`, and as a dense matrix.
//!
//! With `z = a⁽ᴸ⁾(θ)` the prediction block (all `N · d_out` outputs),
//! `J = ∂z/∂θ` and `H_z = ∂²L/∂z²`, the loss Hessian splits as
//! `∇²L = Jᵀ H_z J + Σᵢ (∂L/∂zᵢ) ∇²zᵢ = G + R`. `G` keeps the curvature of
//! the loss and drops that of the network; it is positive semi-definite
//! whenever `H_z` is (every convex loss: MSE, cross-entropies, Huber).
//!
//! `G V` for `K` directions at once is one recording of the forward pass
//! and one reverse sweep, on `K`-lane duals:
//!
//! 1. **JVP.** Record [`Mlp::forward_on_tape`] on a `Tape<Dual<f64, K>>`
//!    with the parameters seeded `θ + Σₖ εₖ vₖ`: the prediction's values
//!    are `z + Σₖ εₖ J vₖ` (forward mode; nothing swept yet).
//! 2. **`H_z` on the loss alone.** Record the [`Loss`] on a second, small
//!    tape of duals over input variables holding exactly those values and
//!    sweep it: the adjoints are `∇_z L(z + ε J v) = ∇L + ε H_z J v`
//!    (forward-over-reverse on the loss only), so the tangents are
//!    `uₖ = H_z J vₖ`. Any loss written with block operations works,
//!    user-defined ones included.
//! 3. **VJP.** On the first tape record the linear functional
//!    `s = Σᵢ cᵢ zᵢ` with coefficients `cᵢ = 0 + Σₖ εₖ uₖᵢ` (one block
//!    operation) and sweep it. The parameters' adjoints are
//!    `(J + ε J̇)ᵀ (0 + ε u) = ε Jᵀ u` (as `ε² = 0`, and the zero real part
//!    of `c` kills the network's own second derivatives `J̇`): their
//!    tangents are `Jᵀ H_z J vₖ`.
//!
//! The cost is about that of one Hessian-vector product.
//!
//! The dense matrix ([`Mlp::gauss_newton_with`]) is formed from the factors
//! `J`, `H_z` when the batch has no more outputs than the network has
//! parameters (see `ggn_jacobian.rs`), and otherwise swept `K` unit
//! directions at a time as above.

use std::sync::Mutex;

use saddle_dual::{mirror_upper, run_sweeps, Dual, Hessian, HessianOptions, LANES};
use saddle_tape::Tape;

use crate::data::Dataset;
use crate::error::Error;
use crate::loss::{record_loss, Loss};
use crate::mlp::{convert, take_failure, Mlp};

/// A direction set: entry `i` of direction `j` is `dir(j, i)`.
pub(crate) type Directions<'a> = &'a (dyn Fn(usize, usize) -> f64 + Sync);

impl Mlp {
    /// `G v` for the Gauss-Newton matrix `G = Jᵀ H_z J` of the network
    /// and any [`Loss`] on `data` (`J = ∂z/∂θ` the Jacobian of the
    /// prediction block `z`, `H_z = ∂²L/∂z²`), without forming `J`: a JVP
    /// of the network on duals seeded with `v` gives `J v`; `H_z (J v)` by
    /// forward-over-reverse on the loss alone (recorded over inputs
    /// `z + ε J v`); one reverse sweep of the recorded forward pass seeded
    /// with the cotangent `ε H_z J v` gives `Jᵀ H_z J v`. About the cost
    /// of one [`Mlp::hvp_with`]. `∇²L = G + R` with
    /// `R = Σᵢ (∂L/∂zᵢ) ∇²zᵢ`; `G` is positive semi-definite when `H_z` is
    /// (every convex loss).
    ///
    /// ```
    /// use saddle_nn::{datasets, Activation, Activations, Init, Mlp, Mse};
    /// let data = datasets::bowl(12, 1)?;
    /// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    /// let net = Mlp::new(&[2, 5, 1], act, Init::Xavier, 1)?;
    /// let v: Vec<f64> = (0..net.num_params()).map(|i| (i as f64).sin()).collect();
    /// let gv = net.ggn_vector_product_with(&data, &Mse, &v)?;
    /// let vgv: f64 = v.iter().zip(&gv).map(|(a, b)| a * b).sum();
    /// assert!(vgv >= 0.0); // G is PSD for a convex loss
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the data does not fit the network or the loss, or `v` has the
    /// wrong length or is not finite.
    pub fn ggn_vector_product_with(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        v: &[f64],
    ) -> Result<Vec<f64>, Error> {
        self.check_data(data, loss)?;
        check_direction("v", v, self.num_params())?;
        let mut out = vec![0.0; self.num_params()];
        let mut tapes = (Tape::new(), Tape::new());
        self.ggn_sweep::<1>(&mut tapes, data, loss, &|_, i| v[i], 0, 0, &mut out)?;
        Ok(out)
    }

    /// The dense Gauss-Newton matrix `G = Jᵀ H_z J` of any [`Loss`]
    /// (column `j` is `G eⱼ`), work spread over threads as `options` says
    /// (the rules of the Hessian, with rayon; the result does not depend
    /// on them). Two routes, whichever costs less:
    ///
    /// - **From the factors**, when the batch's `M = N · d_out` outputs
    ///   are at most the `P` parameters: `J` (`M × P`) by a reverse sweep
    ///   per output of one-sample tapes, `H_z` (`M × M`) as the dense
    ///   Hessian of the loss alone, then `G = Jᵀ (H_z J)` by gemm — `P² M
    ///   / 2` multiply-adds for the upper triangle, mirrored (exactly
    ///   symmetric).
    /// - **By sweeps** otherwise, or where a factor is not finite:
    ///   [`LANES`] columns `G eⱼ` per sweep (as
    ///   [`Mlp::hessian_with`]), each computed from its first row down
    ///   and the rest copied (exactly symmetric outside the `LANES ×
    ///   LANES` diagonal blocks), every row swept where a number is not
    ///   finite.
    ///
    /// Both give the same entries up to rounding (the same products
    /// summed in another order).
    ///
    /// # Errors
    /// If the data does not fit the network or the loss, or the `n × n`
    /// result cannot be allocated.
    pub fn gauss_newton_with(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        options: HessianOptions,
    ) -> Result<Hessian, Error> {
        self.check_data(data, loss)?;
        let n = self.num_params();
        if let Some(g) = self.gauss_newton_by_jacobian(data, loss, options)? {
            return Ok(Hessian::from_column_major(n, g)?);
        }
        let unit = |j: usize, i: usize| if i == j { 1.0 } else { 0.0 };
        // G is symmetric: each sweep computes its columns from their first
        // row down, the rest is copied — unless a number is not finite,
        // where a copy could put a number in place of the NaN the column's
        // own sweep gives (as saddle-dual's dense Hessian does).
        let mut columns = self.ggn_columns(data, loss, n, &unit, options, true)?;
        if columns.iter().all(|g| g.is_finite()) {
            mirror_upper(&mut columns, n, LANES);
        } else {
            columns = self.ggn_columns(data, loss, n, &unit, options, false)?;
        }
        Ok(Hessian::from_column_major(n, columns)?)
    }

    /// `G dⱼ` for `j < m` (column-major `n × m`), [`LANES`] per sweep.
    /// The data must have been checked. With `lower` (unit directions,
    /// `m = n`), sweep `s` computes rows `i ≥ s·LANES` only and leaves the
    /// rest zero for [`mirror_upper`]: its reverse sweep then skips the
    /// layers that only earlier parameters depend on.
    pub(crate) fn ggn_columns(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        m: usize,
        dir: Directions<'_>,
        options: HessianOptions,
        lower: bool,
    ) -> Result<Vec<f64>, Error> {
        let n = self.num_params();
        let mut out = zeroed(n, m)?;
        let failure = Mutex::new(None);
        type Tapes = (Tape<Dual<f64, LANES>>, Tape<Dual<f64, LANES>>);
        let sweep = |tapes: &mut Tapes, (s, chunk): (usize, &mut [f64])| {
            let from = if lower { s * LANES } else { 0 };
            if let Err(e) = self.ggn_sweep::<LANES>(tapes, data, loss, dir, s * LANES, from, chunk)
            {
                let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
            }
        };
        // The threading rules of `saddle_dual::hessian_with`.
        run_sweeps(
            &mut out,
            LANES * n,
            options,
            || (Tape::new(), Tape::new()),
            sweep,
        );
        take_failure(failure)?;
        Ok(out)
    }

    /// One sweep: `chunk` (`n × lanes`, column-major, `lanes ≤ K`) receives
    /// rows `from..n` of `G dⱼ` for `j = first .. first + lanes`.
    #[allow(clippy::too_many_arguments)]
    fn ggn_sweep<const K: usize>(
        &self,
        tapes: &mut (Tape<Dual<f64, K>>, Tape<Dual<f64, K>>),
        data: &Dataset,
        loss: &impl Loss,
        dir: Directions<'_>,
        first: usize,
        from: usize,
        chunk: &mut [f64],
    ) -> Result<(), Error> {
        let n = self.num_params();
        let lanes = chunk.len() / n;
        tapes.0.clear();
        tapes.1.clear();
        let (tape, loss_tape) = (&tapes.0, &tapes.1);
        // 1. JVP: the prediction's tangents are J dⱼ.
        let seeded: Vec<Dual<f64, K>> = self
            .params()
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                Dual::new(
                    p,
                    std::array::from_fn(|k| if k < lanes { dir(first + k, i) } else { 0.0 }),
                )
            })
            .collect();
        let params = tape.vars(&seeded);
        let prediction = self.forward_on_tape(&params, data.inputs());
        let z = prediction.values();
        // 2. H_z (J dⱼ): forward-over-reverse on the loss alone.
        let zs = loss_tape.vars(&z);
        let z_block = loss_tape.stack(prediction.rows(), prediction.cols(), &zs)?;
        let y = data.targets();
        let targets = loss_tape.constant_block(y.rows(), y.cols(), &convert(y))?;
        let l = loss.on_tape(&z_block, &targets)?;
        let adjoints = l.backward().wrt_all(&zs);
        // 3. VJP: sweep s = Σ cᵢ zᵢ with c = 0 + ε H_z J d.
        let c: Vec<Dual<f64, K>> = adjoints.iter().map(|a| Dual::new(0.0, a.eps)).collect();
        let value = z
            .iter()
            .zip(&c)
            .fold(Dual::constant(0.0), |acc, (a, b)| acc + *a * *b);
        let s = record_loss("ggn-cotangent", &prediction, value, c)?;
        let back = if from == 0 {
            s.backward().wrt_all(&params)
        } else {
            s.backward_wrt(&params[from.min(n)..])
        };
        for (i, a) in (from.min(n)..n).zip(&back) {
            for k in 0..lanes {
                chunk[k * n + i] = a.eps[k];
            }
        }
        Ok(())
    }
}

/// Checks a direction: length `n` and finite.
pub(crate) fn check_direction(what: &str, v: &[f64], n: usize) -> Result<(), Error> {
    if v.len() != n {
        return Err(Error::invalid(format!(
            "{what} has {} entries but the network has {n} parameters",
            v.len()
        )));
    }
    if let Some(k) = v.iter().position(|a| !a.is_finite()) {
        return Err(Error::invalid(format!(
            "{what}[{k}] is {}: directions must be finite",
            v[k]
        )));
    }
    Ok(())
}

/// An `n × m` block of zeros, or an error naming its size (a dense matrix
/// of a million parameters needs 8 TB; `vec!` would abort instead).
pub(crate) fn zeroed(n: usize, m: usize) -> Result<Vec<f64>, Error> {
    let too_big = || {
        Error::invalid(format!(
            "an {n}×{m} result ({:.1e} bytes) cannot be allocated",
            (n as f64) * (m as f64) * 8.0
        ))
    };
    let len = n.checked_mul(m).ok_or_else(too_big)?;
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| too_big())?;
    out.resize(len, 0.0);
    Ok(out)
}
