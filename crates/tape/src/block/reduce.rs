//! Reductions of a block to a scalar: `s = Σᵢⱼ Xᵢⱼ` and the mean `s/(m·n)`.
//!
//! Reverse: every entry receives the output's cotangent times the weight
//! (`1`, or `1/(m·n)` for the mean): `X̄ᵢⱼ += w·s̄`.

use super::{Block, BlockOp, Cotangents, Slots};
use std::ops::Range;

use crate::scalar::Scalar;
use crate::var::Var;

struct WeightedSum<T> {
    name: &'static str,
    x: Slots,
    weight: T,
}

impl<T: Scalar> BlockOp<T> for WeightedSum<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range()]
    }

    fn is_linear(&self) -> bool {
        true
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let g = cot.output()[0] * self.weight;
        if let Some(x_bar) = cot.adjoint(self.x) {
            x_bar.iter_mut().for_each(|x| *x += g);
        }
    }
}

impl<'t, T: Scalar> Block<'t, T> {
    fn weighted_sum(&self, name: &'static str, weight: T) -> Var<'t, T> {
        let x = self.stored().slots();
        let s = self.tape().with_values(|v| sum_of(&v[x.value_range()])) * weight;
        self.record(1, 1, &[s], WeightedSum { name, x, weight })
            .at(0, 0)
    }

    /// `Σᵢⱼ Xᵢⱼ` as a scalar `Var`.
    pub fn sum(&self) -> Var<'t, T> {
        self.weighted_sum("sum", T::one())
    }

    /// `(1/(m·n)) Σᵢⱼ Xᵢⱼ` as a scalar `Var`.
    pub fn mean(&self) -> Var<'t, T> {
        self.weighted_sum("mean", T::from_f64(self.slots().len() as f64).recip())
    }
}

/// `Σ xs` with eight running sums, one per residue of the index mod 8
/// (on `f64`, one vector register): the additions no longer wait on each
/// other, and the rounding error grows as `n/8` terms, not `n`.
///
/// The sums start at `−0`, the neutral element of IEEE addition (as
/// `Iterator::sum` of floats does): `−0 + x = x` for every `x`, so a sum
/// of negative zeros is `−0`, as in scalar code (from `+0` it was `+0`).
fn sum_of<T: Scalar>(xs: &[T]) -> T {
    let mut acc = [-T::zero(); 8];
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &x) in acc.iter_mut().zip(chunk) {
            *a += x;
        }
    }
    let [a0, a1, a2, a3, a4, a5, a6, a7] = acc;
    let mut s = ((a0 + a4) + (a1 + a5)) + ((a2 + a6) + (a3 + a7));
    for &x in rest {
        s += x;
    }
    s
}
