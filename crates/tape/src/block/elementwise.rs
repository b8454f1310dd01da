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
    da: Vec<T>,
    db: Vec<T>,
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
            if let Some(bar) = cot.adjoint(input) {
                for ((x, d), c) in bar.iter_mut().zip(partials).zip(c_bar) {
                    *x += *d * *c;
                }
            }
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    /// `Yᵢⱼ = f(Xᵢⱼ)` for a rule `x ↦ (f(x), f'(x))` from [`crate::rules`]
    /// (or your own); `name` labels the entry when the tape is printed.
    pub fn map(&self, name: &'static str, rule: impl Fn(T) -> (T, T)) -> Block<'t, T> {
        let x = self.stored().slots();
        let (mut values, mut partials) = (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()));
        self.tape().with_values(|v| {
            for &xi in &v[x.value_range()] {
                let (y, d) = rule(xi);
                values.push(y);
                partials.push(d);
            }
        });
        self.record(x.rows(), x.cols(), &values, Map { name, x, partials })
    }

    /// `Cᵢⱼ = f(Aᵢⱼ, Bᵢⱼ)` for a rule `(a, b) ↦ (f, ∂f/∂a, ∂f/∂b)`.
    ///
    /// # Errors
    /// If the shapes differ.
    ///
    /// # Panics
    /// If the blocks live on different tapes.
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
        let tape = self.same_tape(other);
        if self.shape() != other.shape() {
            return Err(Error::shapes(
                name,
                self.shape(),
                other.shape(),
                "elementwise needs equal shapes",
            ));
        }
        let (a, b) = (self.stored().slots(), other.stored().slots());
        let n = a.len();
        let (mut values, mut da, mut db) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        tape.with_values(|v| {
            for (&ai, &bi) in v[a.value_range()].iter().zip(&v[b.value_range()]) {
                let (c, pa, pb) = rule(ai, bi);
                values.push(c);
                da.push(pa);
                db.push(pb);
            }
        });
        Ok(self.record(
            a.rows(),
            a.cols(),
            &values,
            Zip {
                name,
                kind,
                a,
                b,
                da,
                db,
            },
        ))
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
        let values: Vec<T> = self
            .tape()
            .with_values(|v| v[x.value_range()].iter().map(|&xi| a * xi + b).collect());
        self.record(x.rows(), x.cols(), &values, Affine { x, alpha: a })
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
