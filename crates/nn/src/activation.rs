//! Activation functions `a = f(z)`, applied entrywise.

use std::any::{Any, TypeId};

use saddle_dual::Dual;
use saddle_tape::rules::{self, UnaryRule};
use saddle_tape::{pool, Scalar};

use crate::kernels;

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
    /// a dense layer. `tanh` on `f64` and on `Dual<f64, K>` (K = 1, 2, 4,
    /// 8, 16) runs the SIMD kernel of [`kernels::tanh_with_slopes`] instead
    /// (within 2 ulp of libm); the dual parts follow the same formulas as
    /// the rule on duals. `sigmoid` and `softplus` on `f64` run the SIMD
    /// kernels [`kernels::sigmoid_with_slopes`] and
    /// [`kernels::softplus_with_slopes`] (values within 2 ulp of the rules,
    /// slopes within 4); on duals they keep the generic rules, whose
    /// tangents carry the exact second derivatives.
    pub fn apply_with_slopes<T: Scalar>(self, z: &mut [T]) -> Vec<T> {
        if self == Activation::Tanh {
            if let Some(slopes) = tanh_kernel(z, true) {
                return slopes;
            }
        }
        if let Some(z) = same_type_mut::<T, f64>(z) {
            match self {
                Activation::Sigmoid => return into_same_type(kernels::sigmoid_with_slopes(z)),
                Activation::Softplus => return into_same_type(kernels::softplus_with_slopes(z)),
                _ => {}
            }
        }
        fn each<T: Scalar>(z: &mut [T], rule: impl Fn(T) -> (T, T)) -> Vec<T> {
            let mut slopes = pool::take(z.len());
            slopes.extend(z.iter_mut().map(|zi| {
                let (a, s) = rule(*zi);
                *zi = a;
                s
            }));
            slopes
        }
        match self {
            Activation::Identity => Vec::new(),
            Activation::Relu => each(z, rules::relu),
            Activation::Sigmoid => each(z, rules::sigmoid),
            Activation::Tanh => each(z, rules::tanh),
            Activation::Softplus => each(z, rules::softplus),
        }
    }

    /// Replaces every `zᵢ` by `f(zᵢ)` (no slopes): the forward pass on
    /// plain `f64`, with the SIMD kernels where [`Activation::apply_with_slopes`]
    /// uses them (`tanh` without computing `1 − tanh²`).
    pub fn apply_in_place(self, z: &mut [f64]) {
        match self {
            Activation::Identity => {}
            Activation::Tanh => kernels::tanh_in_place(z),
            Activation::Relu => z.iter_mut().for_each(|zi| *zi = rules::relu(*zi).0),
            Activation::Sigmoid | Activation::Softplus => {
                pool::give(self.apply_with_slopes(z));
            }
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

/// `z` as a slice of `U` when `T` is `U`.
fn same_type_mut<T: 'static, U: 'static>(z: &mut [T]) -> Option<&mut [U]> {
    if TypeId::of::<T>() == TypeId::of::<U>() {
        // SAFETY: `T` and `U` have the same `TypeId`, so they are the same
        // type: the pointer, length and borrow of `z` are valid for `[U]`.
        Some(unsafe { std::slice::from_raw_parts_mut(z.as_mut_ptr().cast::<U>(), z.len()) })
    } else {
        None
    }
}

/// A `Vec<U>` that is known to be a `Vec<T>` (same type), moved back.
fn into_same_type<U: 'static, T: 'static>(v: Vec<U>) -> Vec<T> {
    *(Box::new(v) as Box<dyn Any>)
        .downcast::<Vec<T>>()
        .expect("called only when T and U are the same type")
}

/// `tanh` by the SIMD kernel for the number types it serves (`f64` and
/// `Dual<f64, K>` for `K` = 1, 2, 4, 8, 16): `Some` of the slopes
/// `1 − tanh²` (empty unless `with_slopes`), `None` for other types, which
/// take the rule.
fn tanh_kernel<T: Scalar>(z: &mut [T], with_slopes: bool) -> Option<Vec<T>> {
    if let Some(z) = same_type_mut::<T, f64>(z) {
        if with_slopes {
            return Some(into_same_type(kernels::tanh_with_slopes(z)));
        }
        kernels::tanh_in_place(z);
        return Some(Vec::new());
    }
    macro_rules! duals {
        ($($k:literal),*) => {$(
            if let Some(z) = same_type_mut::<T, Dual<f64, $k>>(z) {
                let mut slopes = if with_slopes { pool::take(z.len()) } else { Vec::new() };
                tanh_dual(z, with_slopes.then_some(&mut slopes));
                return Some(into_same_type(slopes));
            }
        )*};
    }
    duals!(1, 2, 4, 8, 16);
    None
}

/// Whether [`tanh_kernel`] serves `T` (else `tanh` takes the rule).
pub(crate) fn tanh_kernel_serves<T: Scalar>() -> bool {
    tanh_kernel::<T>(&mut [], false).is_some()
}

/// `zᵢ ← tanh zᵢ` for any scalar type, without slopes: the SIMD kernel
/// where [`tanh_kernel`] serves the type, the rule otherwise. A dense
/// layer with `tanh` reads its slope `1 − tanh²` off its output in the
/// reverse sweep instead of keeping it.
pub(crate) fn tanh_values<T: Scalar>(z: &mut [T]) {
    if tanh_kernel(z, false).is_none() {
        z.iter_mut().for_each(|zi| *zi = rules::tanh(*zi).0);
    }
}

/// `tanh` on dual numbers: the real parts through the SIMD kernel, then the
/// chain rule exactly as `saddle_dual` applies `saddle_tape::rules::tanh`:
/// value `t + s ż ε` with `s = 1 − t²` (a zero tangent stays exactly zero),
/// and, if asked for, the slope `1 − t·t` in dual arithmetic, i.e.
/// `s − (ṫ t + t ṫ) ε`.
fn tanh_dual<const K: usize>(z: &mut [Dual<f64, K>], mut slopes: Option<&mut Vec<Dual<f64, K>>>) {
    // A chunk at a time, so the real parts stay in L1 between the gather,
    // the SIMD kernel and the tangent pass (a layer-sized buffer of them
    // went out to L2 and back: three passes over a layer instead of one).
    const CHUNK: usize = 512;
    let mut t = [0.0; CHUNK];
    for zc in z.chunks_mut(CHUNK) {
        let t = &mut t[..zc.len()];
        t.iter_mut().zip(zc.iter()).for_each(|(t, d)| *t = d.re);
        kernels::tanh_in_place(t);
        let value = |d: &Dual<f64, K>, t: f64| {
            let s = 1.0 - t * t;
            Dual::new(t, d.eps.map(|e| if e == 0.0 { 0.0 } else { s * e }))
        };
        match slopes.as_deref_mut() {
            Some(slopes) => slopes.extend(zc.iter_mut().zip(t.iter()).map(|(d, &t)| {
                *d = value(d, t);
                Dual::new(1.0 - t * t, d.eps.map(|te| 0.0 - (te * t + t * te)))
            })),
            None => zc
                .iter_mut()
                .zip(t.iter())
                .for_each(|(d, &t)| *d = value(d, t)),
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
