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
        let s = self
            .tape()
            .with_values(|v| v[x.value_range()].iter().copied().sum::<T>())
            * weight;
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
