//! Which activation each layer of an [`Mlp`](crate::Mlp) applies: one
//! argument type for both constructors.

use crate::activation::Activation;
use crate::error::Error;

/// The activations `f₁, …, f_L` of an `L`-layer network, in the form the
/// caller thinks of them: [`Mlp::new`](crate::Mlp::new) and
/// [`Mlp::from_params`](crate::Mlp::from_params) both take one.
///
/// - [`Activations::hidden_output`]`(h, o)`: `fₗ = h` for `l < L`,
///   `f_L = o` (the usual regression or classification net);
/// - [`Activations::per_layer`]`(vec)`: `fₗ = vec[l − 1]`, which must
///   have exactly `L` entries (checked when the network is built, the
///   error naming both counts).
///
/// A slice, array or `Vec` of [`Activation`] converts into the per-layer
/// form, so `Mlp::from_params(sizes, net.activations(), params)` works.
///
/// ```
/// use saddle_nn::{Activation, Activations, Init, Mlp};
/// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
/// let a = Mlp::new(&[2, 8, 8, 1], act, Init::Xavier, 1)?;
/// let per_layer = Activations::per_layer([Activation::Tanh, Activation::Tanh, Activation::Identity]);
/// let b = Mlp::new(&[2, 8, 8, 1], per_layer, Init::Xavier, 1)?;
/// assert_eq!(a, b);
/// // Two activations for a three-layer network:
/// let e = Mlp::new(&[2, 8, 8, 1], [Activation::Tanh, Activation::Identity], Init::Xavier, 1);
/// assert!(e.unwrap_err().to_string().contains("2 activations for 3 layers"));
/// # Ok::<(), saddle_nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activations {
    /// `hidden` on every hidden layer, `output` on the last.
    HiddenOutput {
        /// The activation of layers `1..L−1`.
        hidden: Activation,
        /// The activation of layer `L`.
        output: Activation,
    },
    /// One activation per layer, first to last.
    PerLayer(Vec<Activation>),
}

impl Activations {
    /// `hidden` on every hidden layer, `output` on the last (a one-layer
    /// network uses `output` only).
    pub fn hidden_output(hidden: Activation, output: Activation) -> Self {
        Activations::HiddenOutput { hidden, output }
    }

    /// One activation per layer, first to last.
    pub fn per_layer(activations: impl Into<Vec<Activation>>) -> Self {
        Activations::PerLayer(activations.into())
    }

    /// The activation of every layer of a `layers`-layer network, first to
    /// last.
    ///
    /// # Errors
    /// If the per-layer form does not have `layers` entries (the message
    /// names both counts).
    pub fn for_layers(&self, layers: usize) -> Result<Vec<Activation>, Error> {
        match self {
            Activations::HiddenOutput { hidden, output } => Ok((0..layers)
                .map(|l| if l + 1 == layers { *output } else { *hidden })
                .collect()),
            Activations::PerLayer(list) if list.len() == layers => Ok(list.clone()),
            Activations::PerLayer(list) => Err(Error::invalid(format!(
                "{} activations for {layers} layers: give one per layer, or use Activations::hidden_output",
                list.len()
            ))),
        }
    }
}

impl From<Vec<Activation>> for Activations {
    fn from(list: Vec<Activation>) -> Self {
        Activations::PerLayer(list)
    }
}

impl From<&Vec<Activation>> for Activations {
    fn from(list: &Vec<Activation>) -> Self {
        Activations::PerLayer(list.clone())
    }
}

impl From<&[Activation]> for Activations {
    fn from(list: &[Activation]) -> Self {
        Activations::PerLayer(list.to_vec())
    }
}

impl<const L: usize> From<[Activation; L]> for Activations {
    fn from(list: [Activation; L]) -> Self {
        Activations::PerLayer(list.to_vec())
    }
}

impl<const L: usize> From<&[Activation; L]> for Activations {
    fn from(list: &[Activation; L]) -> Self {
        Activations::PerLayer(list.to_vec())
    }
}
