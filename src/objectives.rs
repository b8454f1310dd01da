//! Glue between the sibling crates: a network's loss as an optimisation
//! [`Objective`], so curvature's analysis and optimizers apply to it.
//! (`saddle-nn` and `saddle-curvature` do not know each other.)

use saddle_curvature::{Error, Objective};
use saddle_dual::{Gradient, Hessian, HessianOptions};
use saddle_nn::{Dataset, Mlp};

/// The loss of `net`'s architecture on `data`, as a function of the flat
/// parameter vector.
pub struct NetworkLoss<'a> {
    net: Mlp,
    data: &'a Dataset,
    options: HessianOptions,
}

impl<'a> NetworkLoss<'a> {
    /// The loss of networks shaped like `net` on `data`; Hessians use
    /// `options` (lanes are 8; threads as given).
    pub fn new(net: &Mlp, data: &'a Dataset, options: HessianOptions) -> Self {
        NetworkLoss {
            net: net.clone(),
            data,
            options,
        }
    }

    fn at(&self, params: &[f64]) -> Result<Mlp, Error> {
        let mut net = self.net.clone();
        net.set_params(params).map_err(Error::wrap)?;
        Ok(net)
    }
}

/// The network's error, kept as the [`source`](std::error::Error::source).
fn external(e: saddle_nn::Error) -> Error {
    Error::wrap(e)
}

impl Objective for NetworkLoss<'_> {
    fn value_gradient(&self, x: &[f64]) -> Result<Gradient, Error> {
        self.at(x)?.loss_and_gradient(self.data).map_err(external)
    }

    fn hvp(&self, x: &[f64], v: &[f64]) -> Result<Vec<f64>, Error> {
        Ok(self.at(x)?.hvp(self.data, v).map_err(external)?.hv)
    }

    fn hessian(&self, x: &[f64]) -> Result<Hessian, Error> {
        self.at(x)?
            .hessian(self.data, self.options)
            .map_err(external)
    }

    fn value(&self, x: &[f64]) -> Result<f64, Error> {
        self.at(x)?.loss(self.data).map_err(external)
    }
}
