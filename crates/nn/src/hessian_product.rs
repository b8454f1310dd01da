//! Many Hessian-vector products of a network's loss at once: `H V`, layer
//! by layer (`tangent_products.rs`) for two directions or more, else (and
//! where a number is not finite) four directions per forward-over-reverse
//! sweep (`PRODUCT_LANES`).

use std::sync::Mutex;

use saddle_dual::{hessian_matrix_product_with, ColumnMatrix, HessianOptions};

use crate::data::Dataset;
use crate::error::Error;
use crate::loss::{Loss, Mse};
use crate::mlp::{take_failure, Mlp};

/// Directions per sweep of [`Mlp::hessian_matrix_product`]: 4, not the
/// dense Hessian's 8 ([`saddle_dual::LANES`]). Measured on W2 (20
/// directions, one thread, interleaved, minimum of 8 runs, two runs on a
/// loaded machine): 4 lanes took 0.82–0.86× (W2-small) and 0.93–0.98×
/// (W2-medium) the time of 20 single-lane HVPs, 8 lanes 0.87–0.88× and
/// 1.23–1.55×. An 8-lane dual is 72 bytes, so a W2-medium layer block
/// (256 × 64) is 1.2 MB and the taped blocks outgrow the core's 2 MB L2
/// (callgrind with that cache: 2.1 M L2 read misses for the 20 products at
/// 8 lanes, 0.54 M at 4, 0.24 M single-lane); 4 lanes also fill five
/// sweeps exactly where 8 leave the third half empty.
pub(crate) const PRODUCT_LANES: usize = 4;

impl Mlp {
    /// `H V` for the MSE: the Hessian-vector products `H vⱼ` for `m`
    /// directions at once, where `H = ∇²L(θ)` is the Hessian of the mean
    /// loss `L = (1/(N·d_out)) Σᵢₖ (a⁽ᴸ⁾ᵢₖ − Yᵢₖ)²` with respect to all
    /// `p` parameters θ (in the flat order described on [`Mlp`]).
    ///
    /// `directions` holds `v₀, …, v_{m−1}` one after another (the `p × m`
    /// matrix `V` column by column, `m ≥ 1`); column `j` of the result is
    /// `H vⱼ`. For two directions or more, by the layer-by-layer tangent
    /// pass (docs/theory.md §5): the forward and reverse passes of the real
    /// numbers once, then eight directions at a time, each step of the
    /// tangent pass one matrix product for all eight (`Ż = Ȧ W + A Ẇ + ḃ`
    /// forward, `(HV)_W = Aᵀ δ̇ + Ȧᵀ δ`, `Ġ = δ̇ Wᵀ + δ Ẇᵀ` back), the
    /// loss's part by one sweep of the loss alone on 8-lane duals. On W2
    /// medium, 20 products cost about 0.75× what forward-over-reverse on a
    /// tape of `K = 4`-lane duals cost (the route for one direction, as
    /// [`Mlp::hvp`], and for any point where a number on the way is not
    /// finite). Each column agrees with [`Mlp::hvp`] in that direction to
    /// rounding (the same products, summed in another order).
    ///
    /// `options` spreads the sweeps over threads as for [`Mlp::hessian`]
    /// ([`HessianOptions::threads`]: `0` uses rayon's pool from four
    /// groups of directions up, `1` the calling thread). The result does
    /// not depend on it.
    ///
    /// ```
    /// use saddle_dual::HessianOptions;
    /// use saddle_nn::{datasets, Activation, Activations, Init, Mlp};
    ///
    /// let data = datasets::noisy_sine(16, 0.1, 3)?;
    /// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    /// let net = Mlp::new(&[1, 4, 1], act, Init::Xavier, 3)?;
    /// let p = net.num_params(); // 13
    /// // Two directions: e₀ and the all-ones vector, stored one after the other.
    /// let mut v = vec![0.0; p];
    /// v[0] = 1.0;
    /// v.extend(std::iter::repeat_n(1.0, p));
    /// let hv = net.hessian_matrix_product(&data, &v, HessianOptions::default())?;
    /// assert_eq!((hv.rows(), hv.cols()), (p, 2));
    /// let single = net.hvp(&data, &v[p..])?.hv; // one direction, one sweep
    /// for (a, b) in hv.column(1).iter().zip(&single) {
    ///     assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
    /// }
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the data does not fit the network, `directions` is empty or its
    /// length is not a multiple of the parameter count, or an entry is not
    /// finite (the message names the direction and the entry).
    pub fn hessian_matrix_product(
        &self,
        data: &Dataset,
        directions: &[f64],
        options: HessianOptions,
    ) -> Result<ColumnMatrix, Error> {
        self.hessian_matrix_product_with(data, &Mse, directions, options)
    }

    /// [`Mlp::hessian_matrix_product`] for any [`Loss`]: column `j` is
    /// `∇²L(θ) vⱼ` with `L` that loss's value on `data`.
    ///
    /// # Errors
    /// If the data does not fit the network or the loss, or `directions`
    /// is empty, not a multiple of the parameter count long, or not
    /// finite.
    pub fn hessian_matrix_product_with(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        directions: &[f64],
        options: HessianOptions,
    ) -> Result<ColumnMatrix, Error> {
        self.check_data(data, loss)?;
        check_directions(directions, self.num_params())?;
        // Layer by layer when the real parts serve several directions (for
        // one, forward over reverse on the tape costs the same).
        let m = directions.len() / self.num_params();
        if m >= 2 {
            if let Some(pr) = self.primal(data, loss)? {
                if let Some(hv) = self.products_by_layers(&pr, data, loss, directions, options)? {
                    return Ok(ColumnMatrix::from_column_major(self.num_params(), m, hv)?);
                }
            }
        }
        let failure = Mutex::new(None);
        let result = hessian_matrix_product_with::<PRODUCT_LANES, _>(
            |p| self.recorded_or_kept(p, data, loss, &failure),
            self.params(),
            directions,
            options,
        );
        take_failure(failure)?;
        Ok(result?)
    }
}

/// Checks `p × m` column-major directions (`m ≥ 1`, every entry finite);
/// returns `m`. Checked here, not only by the driver, so the message is in
/// the network's terms (parameters, direction `j`, entry `i`).
pub(crate) fn check_directions(directions: &[f64], p: usize) -> Result<usize, Error> {
    if directions.is_empty() {
        return Err(Error::invalid(format!(
            "no directions given: directions must hold m ≥ 1 vectors of the {p} parameters"
        )));
    }
    if directions.len() % p != 0 {
        return Err(Error::invalid(format!(
            "directions hold {} numbers, not a positive multiple of the {p} parameters",
            directions.len()
        )));
    }
    if let Some(k) = directions.iter().position(|a| !a.is_finite()) {
        return Err(Error::invalid(format!(
            "entry {} of direction {} is {}: directions must be finite",
            k % p,
            k / p,
            directions[k]
        )));
    }
    Ok(directions.len() / p)
}
