//! Elementwise operations: `Y = f(X)` for a unary rule (every activation),
//! and `C = f(A, B)` for a binary rule on equal shapes.
//!
//! The local partials are computed with the values in the forward pass and
//! stored; the reverse rule is then `X̄ += f'(X) ⊙ Ȳ` (and
//! `Ā += ∂f/∂a ⊙ C̄`, `B̄ += ∂f/∂b ⊙ C̄`).

use super::{Block, BlockOp, Cotangents, EntryDependence, Slots};
use crate::error::Error;
use crate::rules;
use std::ops::Range;

use crate::scalar::Scalar;

struct Map<T> {
    name: &'static str,
    x: Slots,
    partials: Vec<T>,
}

impl<T: Scalar> BlockOp<T> for Map<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }

    /// `Yₖ = f(Xₖ)`: entry `k` of `X` alone, nonlinearly.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        entries.extend(self.x.range().map(|s| EntryDependence::Nonlinear([s, s])));
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        if let Some(x_bar) = cot.adjoint(self.x) {
            for ((x, d), y) in x_bar.iter_mut().zip(&self.partials).zip(y_bar) {
                *x += *d * *y;
            }
        }
    }
}

/// `Y = αX + β`: linear, with `X̄ += α Ȳ`.
struct Affine<T> {
    x: Slots,
    alpha: T,
}

impl<T: Scalar> BlockOp<T> for Affine<T> {
    fn name(&self) -> &'static str {
        "affine"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }

    fn is_linear(&self) -> bool {
        true
    }

    /// `Yₖ = αXₖ + β`: entry `k` of `X`, linearly.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        entries.extend(self.x.range().map(|s| EntryDependence::Linear([s, s])));
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let y_bar = cot.output();
        if let Some(x_bar) = cot.adjoint(self.x) {
            for (x, y) in x_bar.iter_mut().zip(y_bar) {
                *x += self.alpha * *y;
            }
        }
    }
}

struct Zip<T> {
    name: &'static str,
    /// How `Cₖ` depends on `Aₖ` and `Bₖ`: linear (`add`, `sub`), bilinear
    /// (`mul`) or any rule.
    kind: ZipKind,
    a: Slots,
    b: Slots,
    da: Partials<T>,
    db: Partials<T>,
}

/// The local partials `∂Cₖ/∂Aₖ` (or `∂Cₖ/∂Bₖ`) of a binary rule: one per
/// entry, or one for all entries (the `±1` of a sum or difference).
enum Partials<T> {
    Each(Vec<T>),
    All(T),
}

/// The second-order class of a binary elementwise rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ZipKind {
    Linear,
    Bilinear,
    Nonlinear,
}

impl<T: Scalar> BlockOp<T> for Zip<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.a.range(), self.b.range()]
    }

    fn is_linear(&self) -> bool {
        self.kind == ZipKind::Linear
    }

    /// `Cₖ = f(Aₖ, Bₖ)`: entry `k` of each input, in the rule's class.
    fn entry_dependence(&self, entries: &mut Vec<EntryDependence>) -> bool {
        let class = match self.kind {
            ZipKind::Linear => EntryDependence::Linear,
            ZipKind::Bilinear => EntryDependence::Bilinear,
            ZipKind::Nonlinear => EntryDependence::Nonlinear,
        };
        entries.extend(
            self.a
                .range()
                .zip(self.b.range())
                .map(|(a, b)| class([a, b])),
        );
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let c_bar = cot.output();
        for (input, partials) in [(self.a, &self.da), (self.b, &self.db)] {
            match (cot.adjoint(input), partials) {
                (Some(bar), Partials::Each(d)) => {
                    for ((x, d), c) in bar.iter_mut().zip(d).zip(c_bar) {
                        *x += *d * *c;
                    }
                }
                (Some(bar), &Partials::All(d)) => {
                    for (x, c) in bar.iter_mut().zip(c_bar) {
                        *x += d * *c;
                    }
                }
                (None, _) => {}
            }
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// `Yᵢⱼ = f(Xᵢⱼ)` for a rule `x ↦ (f(x), f'(x))` from [`crate::rules`]
    /// (or your own); `name` labels the entry when the tape is printed.
    ///
    /// # Panics
    /// If `rule` panics, or uses the tape (reads it, e.g. with
    /// [`Block::values`], or records on it): the rule runs while the
    /// results are written into the tape's store, which is lent out
    /// meanwhile. Either way nothing is recorded and the tape is left as
    /// it was; read what the rule needs before calling `map`.
    pub fn map(&self, name: &'static str, rule: impl Fn(T) -> (T, T)) -> Block<'t, T> {
        let x = self.stored().slots();
        self.record_filled(x.rows(), x.cols(), |earlier, values| {
            let mut partials = vec![T::zero(); x.len()];
            for ((y, d), &xi) in values
                .iter_mut()
                .zip(&mut partials)
                .zip(&earlier[x.value_range()])
            {
                (*y, *d) = rule(xi);
            }
            Map { name, x, partials }
        })
    }

    /// `Cᵢⱼ = f(Aᵢⱼ, Bᵢⱼ)` for a rule `(a, b) ↦ (f, ∂f/∂a, ∂f/∂b)`.
    ///
    /// # Errors
    /// If the shapes differ.
    ///
    /// # Panics
    /// If the blocks live on different tapes, or as [`Block::map`] if
    /// `rule` panics or uses the tape.
    pub fn zip(
        &self,
        other: &Block<'t, T>,
        name: &'static str,
        rule: impl Fn(T, T) -> (T, T, T),
    ) -> Result<Block<'t, T>, Error> {
        self.zip_with(other, name, rule, ZipKind::Nonlinear)
    }

    fn zip_with(
        &self,
        other: &Block<'t, T>,
        name: &'static str,
        rule: impl Fn(T, T) -> (T, T, T),
        kind: ZipKind,
    ) -> Result<Block<'t, T>, Error> {
        self.same_tape(other);
        if self.shape() != other.shape() {
            return Err(Error::shapes(
                name,
                self.shape(),
                other.shape(),
                "elementwise needs equal shapes",
            ));
        }
        let (a, b) = (self.stored().slots(), other.stored().slots());
        Ok(self.record_filled(a.rows(), a.cols(), |earlier, values| {
            let inputs = earlier[a.value_range()]
                .iter()
                .zip(&earlier[b.value_range()]);
            let (da, db) = if kind == ZipKind::Linear {
                // A linear rule's partials are the same constants at every
                // entry: kept once.
                for (c, (&ai, &bi)) in values.iter_mut().zip(inputs) {
                    *c = rule(ai, bi).0;
                }
                let (_, pa, pb) = rule(T::zero(), T::zero());
                (Partials::All(pa), Partials::All(pb))
            } else {
                let (mut da, mut db) = (vec![T::zero(); a.len()], vec![T::zero(); a.len()]);
                for (((c, pa), pb), (&ai, &bi)) in
                    values.iter_mut().zip(&mut da).zip(&mut db).zip(inputs)
                {
                    (*c, *pa, *pb) = rule(ai, bi);
                }
                (Partials::Each(da), Partials::Each(db))
            };
            Zip {
                name,
                kind,
                a,
                b,
                da,
                db,
            }
        }))
    }

    /// `A + B` elementwise. Errors as [`Block::zip`].
    pub fn add(&self, other: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        self.zip_with(other, "add", rules::add, ZipKind::Linear)
    }

    /// `A − B` elementwise. Errors as [`Block::zip`].
    pub fn sub(&self, other: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        self.zip_with(other, "sub", rules::sub, ZipKind::Linear)
    }

    /// `A ⊙ B` (Hadamard product). Errors as [`Block::zip`].
    pub fn mul(&self, other: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        self.zip_with(other, "mul", rules::mul, ZipKind::Bilinear)
    }

    /// `A ⊘ B` elementwise. Errors as [`Block::zip`].
    pub fn div(&self, other: &Block<'t, T>) -> Result<Block<'t, T>, Error> {
        self.zip(other, "div", rules::div)
    }

    /// `Yᵢⱼ = α Xᵢⱼ + β` for constants `α`, `β` (`1 − X` is
    /// `affine(-1.0, 1.0)`); linear, so it adds no second derivatives.
    pub fn affine(&self, alpha: f64, beta: f64) -> Block<'t, T> {
        let x = self.stored().slots();
        let (a, b) = (T::from_f64(alpha), T::from_f64(beta));
        self.record_filled(x.rows(), x.cols(), |earlier, values| {
            for (y, &xi) in values.iter_mut().zip(&earlier[x.value_range()]) {
                *y = a * xi + b;
            }
            Affine { x, alpha: a }
        })
    }

    /// `tanh` of every entry.
    pub fn tanh(&self) -> Block<'t, T> {
        self.map("tanh", rules::tanh)
    }

    /// `relu` of every entry.
    pub fn relu(&self) -> Block<'t, T> {
        self.map("relu", rules::relu)
    }

    /// `σ` (logistic sigmoid) of every entry.
    pub fn sigmoid(&self) -> Block<'t, T> {
        self.map("sigmoid", rules::sigmoid)
    }

    /// `softplus` of every entry.
    pub fn softplus(&self) -> Block<'t, T> {
        self.map("softplus", rules::softplus)
    }

    /// Every entry squared: `Yᵢⱼ = Xᵢⱼ²`, `X̄ += 2X ⊙ Ȳ`.
    pub fn square(&self) -> Block<'t, T> {
        self.map("square", |x| rules::powi(x, 2))
    }
}
