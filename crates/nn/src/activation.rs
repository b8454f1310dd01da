//! Activation functions `a = f(z)`, applied entrywise.

use saddle_tape::rules::{self, UnaryRule};
use saddle_tape::Scalar;

/// The activation of a layer. Each maps to a rule of
/// `saddle_tape::rules`, which holds the function and its derivative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `f(z) = z` (regression outputs).
    Identity,
    /// `f(z) = max(z, 0)`; `f'(z) = 1` for `z > 0`, else 0. Its second
    /// derivative is zero almost everywhere: a ReLU network's Hessian comes
    /// from the loss and the products of layers only.
    Relu,
    /// `f(z) = 1/(1 + e⁻ᶻ)`; `f' = f (1 − f)`.
    Sigmoid,
    /// `f(z) = tanh z`; `f' = 1 − f²`.
    Tanh,
    /// `f(z) = ln(1 + eᶻ)`, a smooth ReLU (nonzero curvature everywhere);
    /// `f' = σ(z)`.
    Softplus,
}

impl Activation {
    /// Every activation, for iteration in tests and argument parsing.
    pub const ALL: [Activation; 5] = [
        Activation::Identity,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softplus,
    ];

    /// The lower-case name (`"tanh"`), as printed on the tape.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softplus => "softplus",
        }
    }

    /// The activation with this name, if any.
    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The rule `z ↦ (f(z), f'(z))` on numbers of type `T`.
    pub fn rule<T: Scalar>(self) -> UnaryRule<T> {
        match self {
            Activation::Identity => rules::identity,
            Activation::Relu => rules::relu,
            Activation::Sigmoid => rules::sigmoid,
            Activation::Tanh => rules::tanh,
            Activation::Softplus => rules::softplus,
        }
    }

    /// Replaces every `zᵢ` by `f(zᵢ)` and returns the slopes `f'(zᵢ)`
    /// (empty for the identity, whose slope is 1 everywhere).
    ///
    /// Each arm names its rule as a function item, so the loop is compiled,
    /// with the rule inlined, once per activation: this is the hot loop of
    /// a dense layer.
    pub fn apply_with_slopes<T: Scalar>(self, z: &mut [T]) -> Vec<T> {
        fn each<T: Scalar>(z: &mut [T], rule: impl Fn(T) -> (T, T)) -> Vec<T> {
            z.iter_mut()
                .map(|zi| {
                    let (a, s) = rule(*zi);
                    *zi = a;
                    s
                })
                .collect()
        }
        match self {
            Activation::Identity => Vec::new(),
            Activation::Relu => each(z, rules::relu),
            Activation::Sigmoid => each(z, rules::sigmoid),
            Activation::Tanh => each(z, rules::tanh),
            Activation::Softplus => each(z, rules::softplus),
        }
    }

    /// `f(z)`.
    pub fn apply<T: Scalar>(self, z: T) -> T {
        (self.rule::<T>())(z).0
    }

    /// `f'(z)`.
    pub fn derivative<T: Scalar>(self, z: T) -> T {
        (self.rule::<T>())(z).1
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
