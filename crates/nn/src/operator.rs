//! Curvature operators of a network on a whole dataset, behind
//! [`saddle_dual::LinearOperator`]: the loss Hessian, the Gauss-Newton
//! matrix and the empirical Fisher.
//!
//! Each loops over mini-batches of a given size (the samples in order,
//! the last batch possibly shorter), so memory is bounded by the batch,
//! not the dataset. The dataset loss is taken to be the mean of per-sample
//! terms, `L = (1/N) Σᵢ ℓᵢ` (true of every built-in loss), so a batch `b`
//! of `n_b` samples contributes with weight `n_b / N`:
//! `A v = Σ_b (n_b/N) A_b v`. With one batch (`batch_size ≥ N`) the
//! operators are exact for any loss.

use std::ops::Range;

use saddle_dual::{hessian_matrix_product, Hessian, HessianOptions, LinearOperator};
use saddle_tape::Tape;

use crate::data::Dataset;
use crate::error::Error;
use crate::ggn::{check_direction, zeroed};
use crate::hessian_product::check_directions;
use crate::loss::Loss;
use crate::mlp::{take_failure, Mlp};

/// The network, the data, the loss and how to batch: what every operator
/// here shares.
#[derive(Clone, Copy, Debug)]
struct Batched<'a, L> {
    net: &'a Mlp,
    data: &'a Dataset,
    loss: &'a L,
    batch_size: usize,
}

impl<'a, L: Loss> Batched<'a, L> {
    fn new(net: &'a Mlp, data: &'a Dataset, loss: &'a L, batch_size: usize) -> Result<Self, Error> {
        if batch_size == 0 {
            return Err(Error::invalid(
                "batch size 0: a batch needs at least one sample",
            ));
        }
        net.check_data(data, loss)?;
        Ok(Batched {
            net,
            data,
            loss,
            batch_size,
        })
    }

    /// Calls `f(batch, n_b / N)` for every mini-batch; the whole dataset is
    /// passed as is (no copy) when it is one batch.
    fn for_each_batch(
        &self,
        mut f: impl FnMut(&Dataset, f64) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let n = self.data.len();
        if self.batch_size >= n {
            return f(self.data, 1.0);
        }
        let mut start = 0;
        while start < n {
            let end = (start + self.batch_size).min(n);
            let indices: Vec<usize> = (start..end).collect();
            let batch = self.data.select(&indices)?;
            f(&batch, (end - start) as f64 / n as f64)?;
            start = end;
        }
        Ok(())
    }

    /// `Σ_b (n_b/N) f(batch)`, for `f` returning `len` numbers.
    fn weighted_sum(
        &self,
        len: usize,
        mut f: impl FnMut(&Dataset) -> Result<Vec<f64>, Error>,
    ) -> Result<Vec<f64>, Error> {
        let mut out = zeroed(len, 1)?;
        self.for_each_batch(|batch, w| {
            let part = f(batch)?;
            debug_assert_eq!(part.len(), len);
            out.iter_mut().zip(&part).for_each(|(o, p)| *o += w * p);
            Ok(())
        })?;
        Ok(out)
    }

    fn check_v(&self, v: &[f64]) -> Result<(), Error> {
        check_direction("v", v, self.net.num_params())
    }

    /// Checks `n × m` column-major directions; returns `m`.
    fn check_columns(&self, directions: &[f64]) -> Result<usize, Error> {
        check_directions(directions, self.net.num_params())
    }

    fn dense(&self, f: impl FnMut(&Dataset) -> Result<Vec<f64>, Error>) -> Result<Hessian, Error> {
        let n = self.net.num_params();
        let len = n
            .checked_mul(n)
            .ok_or_else(|| Error::invalid(format!("n = {n}: n² overflows usize")))?;
        Ok(Hessian::from_column_major(n, self.weighted_sum(len, f)?)?)
    }
}

/// The loss Hessian `∇²L(θ)` of a network on a dataset, as an operator:
/// `apply(v) = Σ_b (n_b/N) ∇²L_b v` by forward-over-reverse on each
/// mini-batch (the module docs give the batching).
#[derive(Clone, Copy, Debug)]
pub struct HessianOperator<'a, L> {
    on: Batched<'a, L>,
    options: HessianOptions,
}

impl<'a, L: Loss> HessianOperator<'a, L> {
    /// The Hessian of `loss` for `net` on `data`, `batch_size` samples per
    /// recording; `options` threads the many-column products
    /// (`to_dense`).
    ///
    /// # Errors
    /// If `batch_size` is 0 or the data does not fit the network or the loss.
    pub fn new(
        net: &'a Mlp,
        data: &'a Dataset,
        loss: &'a L,
        batch_size: usize,
        options: HessianOptions,
    ) -> Result<Self, Error> {
        Ok(HessianOperator {
            on: Batched::new(net, data, loss, batch_size)?,
            options,
        })
    }
}

impl<L: Loss> LinearOperator for HessianOperator<'_, L> {
    type Error = Error;

    fn dim(&self) -> usize {
        self.on.net.num_params()
    }

    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Error> {
        self.on.check_v(v)?;
        let (net, loss) = (self.on.net, self.on.loss);
        self.on
            .weighted_sum(v.len(), |batch| Ok(net.hvp_with(batch, loss, v)?.hv))
    }

    /// `H V`, [`saddle_dual::LANES`] directions per sweep per batch.
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Error> {
        self.on.check_columns(directions)?;
        let (net, loss) = (self.on.net, self.on.loss);
        self.on.weighted_sum(directions.len(), |batch| {
            let failure = std::sync::Mutex::new(None);
            let hv = hessian_matrix_product(
                |p| net.recorded_or_kept(p, batch, loss, &failure),
                net.params(),
                directions,
            );
            take_failure(failure)?;
            Ok(hv?.into_column_major())
        })
    }

    /// The dense Hessian, [`Mlp::hessian_with`] per batch.
    fn to_dense(&self) -> Result<Hessian, Error> {
        let (net, loss, options) = (self.on.net, self.on.loss, self.options);
        self.on.dense(|batch| {
            let h = net.hessian_with(batch, loss, options, &|_| {})?;
            Ok(h.as_column_major().to_vec())
        })
    }
}

/// The Gauss-Newton matrix `G = Jᵀ H_z J` of a network on a dataset
/// ([`Mlp::ggn_vector_product_with`] per mini-batch, weighted as the module
/// docs say). Positive semi-definite for convex losses.
#[derive(Clone, Copy, Debug)]
pub struct GaussNewtonOperator<'a, L> {
    on: Batched<'a, L>,
    options: HessianOptions,
}

impl<'a, L: Loss> GaussNewtonOperator<'a, L> {
    /// `G` of `loss` for `net` on `data`, `batch_size` samples per
    /// recording; `options` threads the many-column products.
    ///
    /// # Errors
    /// If `batch_size` is 0 or the data does not fit the network or the loss.
    pub fn new(
        net: &'a Mlp,
        data: &'a Dataset,
        loss: &'a L,
        batch_size: usize,
        options: HessianOptions,
    ) -> Result<Self, Error> {
        Ok(GaussNewtonOperator {
            on: Batched::new(net, data, loss, batch_size)?,
            options,
        })
    }
}

impl<L: Loss> LinearOperator for GaussNewtonOperator<'_, L> {
    type Error = Error;

    fn dim(&self) -> usize {
        self.on.net.num_params()
    }

    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Error> {
        self.on.check_v(v)?;
        let (net, loss) = (self.on.net, self.on.loss);
        self.on
            .weighted_sum(v.len(), |batch| net.ggn_vector_product_with(batch, loss, v))
    }

    /// `G V`, [`saddle_dual::LANES`] directions per sweep per batch.
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Error> {
        let m = self.on.check_columns(directions)?;
        let n = self.dim();
        let (net, loss, options) = (self.on.net, self.on.loss, self.options);
        let dir = |j: usize, i: usize| directions[j * n + i];
        self.on.weighted_sum(directions.len(), |batch| {
            net.ggn_columns(batch, loss, m, &dir, options, false)
        })
    }

    /// The dense `G`, [`Mlp::gauss_newton_with`] per batch.
    fn to_dense(&self) -> Result<Hessian, Error> {
        let (net, loss, options) = (self.on.net, self.on.loss, self.options);
        self.on.dense(|batch| {
            Ok(net
                .gauss_newton_with(batch, loss, options)?
                .as_column_major()
                .to_vec())
        })
    }
}

/// The empirical Fisher (uncentred gradient covariance)
/// `F = (1/N) Σᵢ gᵢ gᵢᵀ`, `gᵢ = ∇ℓᵢ(θ)` the gradient of the loss on sample
/// `i` alone: `F v = (1/N) Σᵢ gᵢ (gᵢᵀ v)`, one reverse sweep per sample,
/// a mini-batch of samples at a time. Positive semi-definite by
/// construction; rank at most `N`.
#[derive(Clone, Copy, Debug)]
pub struct EmpiricalFisher<'a, L> {
    on: Batched<'a, L>,
}

impl<'a, L: Loss> EmpiricalFisher<'a, L> {
    /// `F` of `loss` for `net` on `data`, the per-sample gradients of
    /// `batch_size` samples held at a time.
    ///
    /// # Errors
    /// If `batch_size` is 0 or the data does not fit the network or the loss.
    pub fn new(
        net: &'a Mlp,
        data: &'a Dataset,
        loss: &'a L,
        batch_size: usize,
    ) -> Result<Self, Error> {
        Ok(EmpiricalFisher {
            on: Batched::new(net, data, loss, batch_size)?,
        })
    }

    /// The per-sample gradients of `batch` (one sweep each, one tape).
    fn gradients(&self, batch: &Dataset) -> Result<Vec<Vec<f64>>, Error> {
        let mut tape = Tape::new();
        let range: Range<usize> = 0..batch.len();
        range
            .map(|i| {
                let one = batch.select(&[i])?;
                Ok(self.on.net.gradient_on(&mut tape, &one, self.on.loss)?.1)
            })
            .collect()
    }

    /// `Σᵢ∈batch gᵢ (gᵢᵀ dⱼ)` for each direction, divided by the batch size
    /// (the batch weight `n_b / N` then makes it `1/N`).
    fn batch_columns(&self, batch: &Dataset, directions: &[f64]) -> Result<Vec<f64>, Error> {
        let n = self.dim();
        let mut out = vec![0.0; directions.len()];
        let inv = 1.0 / batch.len() as f64;
        for g in self.gradients(batch)? {
            for (d, o) in directions.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
                let gd: f64 = g.iter().zip(d).map(|(a, b)| a * b).sum::<f64>() * inv;
                o.iter_mut().zip(&g).for_each(|(o, gi)| *o += gi * gd);
            }
        }
        Ok(out)
    }
}

impl<L: Loss> LinearOperator for EmpiricalFisher<'_, L> {
    type Error = Error;

    fn dim(&self) -> usize {
        self.on.net.num_params()
    }

    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Error> {
        self.on.check_v(v)?;
        self.on
            .weighted_sum(v.len(), |batch| self.batch_columns(batch, v))
    }

    /// `F V`: the per-sample gradients once per batch for all directions.
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Error> {
        self.on.check_columns(directions)?;
        self.on.weighted_sum(directions.len(), |batch| {
            self.batch_columns(batch, directions)
        })
    }

    /// `F = (1/N) Σᵢ gᵢ gᵢᵀ` accumulated from the outer products.
    fn to_dense(&self) -> Result<Hessian, Error> {
        let n = self.dim();
        self.on.dense(|batch| {
            let mut out = zeroed(n, n)?;
            let inv = 1.0 / batch.len() as f64;
            for g in self.gradients(batch)? {
                for (j, col) in out.chunks_exact_mut(n).enumerate() {
                    let gj = g[j] * inv;
                    col.iter_mut().zip(&g).for_each(|(c, gi)| *c += gi * gj);
                }
            }
            Ok(out)
        })
    }
}
