//! # saddle-nn: networks whose loss saddle can differentiate twice
//!
//! **The key design decision:** layers and the loss are *block operations*
//! on the tape, written once, generically in the scalar. On a `Tape<f64>`
//! the reverse sweep is ordinary backpropagation; on a tape of dual numbers
//! the same sweep yields Hessian-vector products of the loss with respect to
//! every parameter, and from them the full Hessian. The layers know nothing
//! about second derivatives. One shortcut does: the dense Hessian of an
//! [`Mlp`] is computed by second-order backpropagation written out layer by
//! layer (the same algebra on plain numbers, the real parts computed once;
//! docs/theory.md §5), and checked against the generic route in the tests.
//!
//! The conventions are those of docs/theory.md (row vectors): a batch is a matrix whose
//! rows are samples, `z = a W + b` with `W` of shape `fan_in × fan_out`,
//! `a = f(z)`. The loss is any [`Loss`]: the mean squared error ([`Mse`],
//! the short forms `loss`, `hvp`, `hessian`, [`train`]), softmax
//! cross-entropy, binary cross-entropy with logits, Huber, or your own
//! written with block operations (the `*_with` forms).
//! [`Mlp::hessian_matrix_product`] gives `H V` (column `j` is `∇²L vⱼ`) for
//! many directions at once, four per forward-over-reverse sweep.
//!
//! ```
//! use saddle_nn::{datasets, Activation, Activations, Init, Mlp};
//! use saddle_dual::HessianOptions;
//!
//! let data = datasets::noisy_sine(32, 0.1, 7)?;
//! let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
//! let net = Mlp::new(&[1, 6, 1], act, Init::Xavier, 7)?;
//! let g = net.loss_and_gradient(&data)?;                    // L and ∇L
//! let h = net.hessian(&data, HessianOptions::default())?;   // 19 × 19
//! assert_eq!((g.gradient.len(), h.n()), (19, 19));
//! assert!(g.value > 0.0 && h.relative_asymmetry() < 1e-12);
//! # Ok::<(), saddle_nn::Error>(())
//! ```
#![deny(missing_docs)]

mod activation;
mod activations;
mod cross_entropy;
mod csv_file;
mod data;
pub mod datasets;
pub mod delta_rules;
mod dense;
mod entrywise_losses;
mod error;
mod ggn;
mod ggn_jacobian;
mod hessian_layers;
mod hessian_product;
pub mod kernels;
mod layer_blocks;
mod loss;
mod matrix;
mod mlp;
mod operator;
#[cfg(feature = "serde")]
mod persist;
mod tangent_products;
mod train;

pub use activation::Activation;
pub use activations::Activations;
pub use cross_entropy::{
    class_labels, pick, row_logsumexp, softmax_cross_entropy, SoftmaxCrossEntropy,
};
pub use csv_file::{CsvData, CsvOptions, Header, Targets};
pub use data::Dataset;
pub use dense::dense;
pub use entrywise_losses::{bce_with_logits, huber, BceWithLogits, Huber};
pub use error::Error;
pub use layer_blocks::{BlockSummary, LayerBlock};
pub use loss::{mse, Loss, Mse};
pub use matrix::Matrix;
pub use mlp::{Init, LayerTrace, Mlp};
pub use operator::{EmpiricalFisher, GaussNewtonOperator, HessianOperator};
#[cfg(feature = "serde")]
pub use persist::{MLP_FORMAT, MLP_FORMAT_VERSION};
pub use train::{train, train_with, History, Step, TrainOptions};
