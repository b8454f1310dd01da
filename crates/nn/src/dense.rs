//! The dense layer `A = f(X W + b)` as one fused block operation.
//!
//! Forward: `Z = X W + 1 bᵀ` (one gemm onto the broadcast bias), then
//! `A = f(Z)`, keeping `f'(Z)` (for `tanh` nothing is kept: the reverse
//! sweep reads `f'(Z) = 1 − A²` off the layer's output). Reverse, with `Ā`
//! the output cotangent — the delta rules of docs/theory.md §4 for one
//! layer:
//!
//! - `δ = Ā ⊙ f'(Z)`  (the layer's delta, `∂L/∂Z`),
//! - `W̄ += Xᵀ δ`,  `b̄ += Σᵢ δᵢ` (column sums over the batch),
//! - `X̄ += δ Wᵀ`  (`∂L/∂a⁽ˡ⁻¹⁾`, which becomes the previous layer's `Ā`).
//!
//! One tape entry per layer instead of three (matmul, add_row, activation)
//! halves the memory the recording touches, which is what bounds speed at
//! these sizes.

use std::ops::Range;

use saddle_tape::{pool, Block, BlockOp, BlockWriter, Cotangents, MatMut, MatRef, Scalar, Slots};

use crate::activation::{tanh_kernel_serves, tanh_values, Activation};
use crate::error::Error;
use std::any::TypeId;

struct Dense<T: Scalar> {
    x: Slots,
    w: Slots,
    b: Slots,
    slope: Slope<T>,
}

/// Where the reverse sweep finds `f'(Z)`.
enum Slope<T> {
    /// The identity: all ones.
    One,
    /// `tanh`: `1 − A²` from the layer's own output, the formula of the
    /// rule's slope in the same arithmetic (so the same bits); nothing is
    /// kept between the passes.
    FromTanhOutput,
    /// Kept from the forward pass.
    Kept(Vec<T>),
}

impl<T: Scalar> BlockOp<T> for Dense<T> {
    fn name(&self) -> &'static str {
        "dense"
    }

    fn inputs(&self) -> Vec<Range<usize>> {
        vec![self.x.range(), self.w.range(), self.b.range()]
    }

    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let (n, fan_in, fan_out) = (self.x.rows(), self.x.cols(), self.w.cols());
        let a_bar = cot.output();
        let mut delta: Vec<T> = pool::take(a_bar.len());
        // δ and b̄ += Σᵢ δᵢ in one pass, row by row: the row just written
        // is still in L1 (a second pass read a layer's δ from L2 again).
        if fan_out > 0 {
            let y = cot.output_value();
            let mut b_bar = cot.adjoint(self.b);
            for (i, a_row) in a_bar.chunks_exact(fan_out).enumerate() {
                let start = delta.len();
                let row = i * fan_out..(i + 1) * fan_out;
                match &self.slope {
                    Slope::One => delta.extend_from_slice(a_row),
                    Slope::FromTanhOutput => delta.extend(
                        a_row
                            .iter()
                            .zip(&y[row])
                            .map(|(a, y)| *a * (T::one() - *y * *y)),
                    ),
                    Slope::Kept(s) => delta.extend(a_row.iter().zip(&s[row]).map(|(a, s)| *a * *s)),
                }
                if let Some(b_bar) = b_bar.as_deref_mut() {
                    let row = &delta[start..];
                    b_bar.iter_mut().zip(row).for_each(|(b, r)| *b += *r);
                }
            }
        }
        let d = MatRef::row_major(&delta, n, fan_out);
        let x = MatRef::row_major(cot.value(self.x), n, fan_in);
        let w = MatRef::row_major(cot.value(self.w), fan_in, fan_out);
        if let Some(w_bar) = cot.adjoint(self.w) {
            T::gemm(x.t(), d, MatMut::row_major(w_bar, fan_in, fan_out), true);
        }
        if let Some(x_bar) = cot.adjoint(self.x) {
            T::gemm(d, w.t(), MatMut::row_major(x_bar, n, fan_in), true);
        }
        pool::give(delta);
    }
}

impl<T: Scalar> Drop for Dense<T> {
    /// The slopes go back to the thread's buffer pool: a training loop
    /// records and clears the same layers every step.
    fn drop(&mut self) {
        if let Slope::Kept(s) = &mut self.slope {
            pool::give(std::mem::take(s));
        }
    }
}

/// `z = a W + 1 bᵀ` for a batch `a` (`n × fan_in`, row-major) into `z`
/// (its old contents are dropped, its memory reused): the bias broadcast
/// to every row, then one gemm accumulating onto it.
pub(crate) fn affine_into<T: Scalar>(
    a: &[T],
    n: usize,
    fan_in: usize,
    w: &[T],
    b: &[T],
    fan_out: usize,
    z: &mut Vec<T>,
) {
    z.clear();
    z.reserve(n * fan_out);
    if n > 0 {
        z.extend_from_slice(b);
    }
    repeat_first_row(z, n, fan_out);
    add_product(a, n, fan_in, w, fan_out, z);
}

/// `z += a W` for `a` (`n × fan_in`) and `W` (`fan_in × fan_out`), all
/// row-major: one gemm.
fn add_product<T: Scalar>(a: &[T], n: usize, fan_in: usize, w: &[T], fan_out: usize, z: &mut [T]) {
    T::gemm(
        MatRef::row_major(a, n, fan_in),
        MatRef::row_major(w, fan_in, fan_out),
        MatMut::row_major(z, n, fan_out),
        true,
    );
}

/// A row-major matrix being appended to: a buffer, or a block written in
/// place on its tape.
trait Rows {
    /// Values appended so far.
    fn appended(&self) -> usize;
    /// Appends a copy of the appended values `range`.
    fn repeat(&mut self, range: Range<usize>);
}

impl<T: Clone> Rows for Vec<T> {
    fn appended(&self) -> usize {
        self.len()
    }
    fn repeat(&mut self, range: Range<usize>) {
        self.extend_from_within(range);
    }
}

impl<T: Scalar> Rows for BlockWriter<'_, T> {
    fn appended(&self) -> usize {
        self.written().len()
    }
    fn repeat(&mut self, range: Range<usize>) {
        self.extend_from_written(range);
    }
}

/// With one row (`fan_out` values) appended, appends copies of it until
/// there are `n`: by doubling, a copy of everything appended so far at a
/// time. A copy per row was a `memmove` call per 512 bytes on W2's layers,
/// 10 % of a forward pass; doubling makes log₂ n calls. (Not `flat_map`:
/// that collect did not vectorise at all.)
fn repeat_first_row(z: &mut impl Rows, n: usize, fan_out: usize) {
    while z.appended() < n * fan_out {
        let more = z.appended().min(n * fan_out - z.appended());
        z.repeat(0..more);
    }
}

/// The dense layer `A = f(X W + b)` for a batch `X` (`n × fan_in`, one
/// sample per row), weights `W` (`fan_in × fan_out`) and bias `b`
/// (`1 × fan_out`), recorded as one block operation. `Z` is computed where
/// the tape keeps the layer's values ([`Tape::record_block_in_place`]):
/// the bias broadcast, the product added onto it, the activation applied,
/// with no copy. On a tape of `Dual<f64, K>`, a layer none of whose
/// operands carries a tangent (identity or `tanh`) is computed on plain
/// `f64` with the same kernels, so the same numbers come out without
/// carrying `K` zero tangents through every entry: in a Hessian sweep,
/// every layer before the sweep's lanes. An operand given as a real constant
/// ([`Tape::constant_block_real`]) is first copied onto the tape as a
/// constant block of `T`.
///
/// # Errors
/// If the shapes do not fit together.
///
/// # Panics
/// If the blocks live on different tapes.
///
/// [`Tape::record_block_in_place`]: saddle_tape::Tape::record_block_in_place
/// [`Tape::constant_block_real`]: saddle_tape::Tape::constant_block_real
pub fn dense<'t, T: Scalar>(
    x: &Block<'t, T>,
    w: &Block<'t, T>,
    b: &Block<'t, T>,
    activation: Activation,
) -> Result<Block<'t, T>, Error> {
    let (n, fan_in) = x.shape();
    let fan_out = w.cols();
    if w.rows() != fan_in || b.slots().len() != fan_out {
        return Err(Error::invalid(format!(
            "dense: X is {n}×{fan_in}, W is {}×{}, b has {} entries (need W {fan_in}×k and b with k entries)",
            w.rows(),
            w.cols(),
            b.slots().len()
        )));
    }
    let tape = x.tape();
    assert!(
        std::ptr::eq(tape, w.tape()) && std::ptr::eq(tape, b.tape()),
        "dense: mixing blocks from two different tapes"
    );
    let (x, w, b) = (in_block_store(x), in_block_store(w), in_block_store(b));
    let (xs, ws, bs) = (x.slots(), w.slots(), b.slots());
    let block = tape.record_block_in_place(n, fan_out, |out| {
        let shape = (n, fan_in, fan_out);
        if let Some(z) = tangent_free_layer(out.earlier(), [xs, ws, bs], shape, activation) {
            out.extend(z.iter().map(|&v| T::from_f64(v)));
            pool::give(z);
            let slope = match activation {
                Activation::Tanh => Slope::FromTanhOutput,
                _ => Slope::One,
            };
            return Dense {
                x: xs,
                w: ws,
                b: bs,
                slope,
            };
        }
        if n > 0 {
            out.extend_from_earlier(bs.value_range());
        }
        repeat_first_row(out, n, fan_out);
        let (values, z) = out.split();
        let (x, w) = (&values[xs.value_range()], &values[ws.value_range()]);
        add_product(x, n, fan_in, w, fan_out, z);
        let slope = match activation {
            Activation::Identity => Slope::One,
            Activation::Tanh => {
                tanh_values(z);
                Slope::FromTanhOutput
            }
            _ => Slope::Kept(activation.apply_with_slopes(z)),
        };
        Dense {
            x: xs,
            w: ws,
            b: bs,
            slope,
        }
    })?;
    Ok(block)
}

/// `f(X W + b)` on plain `f64` when no operand carries a tangent and the
/// numbers' real parts are `f64`s that the plain kernels compute exactly
/// as the dual route does (the gemm on the real parts, the SIMD `tanh`):
/// for the identity and `tanh`, on `Dual<f64, K>` tapes. A Hessian sweep
/// whose lanes are all in later layers meets such a layer in every sweep;
/// on plain numbers it skips the `K` zero tangents of each entry through
/// the dual gemm and activation. `None` otherwise (plain tapes, other
/// activations and scalar types, or a tangent somewhere).
fn tangent_free_layer<T: Scalar>(
    values: &[T],
    [x, w, b]: [Slots; 3],
    (n, fan_in, fan_out): (usize, usize, usize),
    activation: Activation,
) -> Option<Vec<f64>> {
    let plain_type =
        TypeId::of::<T>() == TypeId::of::<f64>() || TypeId::of::<T>() == TypeId::of::<f32>();
    let served = match activation {
        Activation::Identity => true,
        Activation::Tanh => tanh_kernel_serves::<T>(),
        _ => false,
    };
    // Real parts that are `f64`s (not `f32`s): `0.1` survives the trip.
    if plain_type || !served || T::from_f64(0.1).primal() != 0.1 {
        return None;
    }
    // The operands' real parts, or `None` at the first tangent (the small
    // `W` and `b` first: where a tangent is seeded, it is usually there).
    let real_parts = |s: Slots| -> Option<Vec<f64>> {
        let mut out = pool::take(s.len());
        for v in &values[s.value_range()] {
            let p = v.primal();
            if !(*v - T::from_f64(p)).is_exact_zero() {
                pool::give(out);
                return None;
            }
            out.push(p);
        }
        Some(out)
    };
    let w = real_parts(w)?;
    let b = real_parts(b)?;
    let x = real_parts(x)?;
    let mut z = pool::take(n * fan_out);
    affine_into(&x, n, fan_in, &w, &b, fan_out, &mut z);
    if activation == Activation::Tanh {
        tanh_values(&mut z);
    }
    for v in [x, w, b] {
        pool::give(v);
    }
    Some(z)
}

/// `block`, or for a [real](Slots::is_real) constant (whose value range
/// indexes the tape's store of reals, not the block values the layer and
/// its rule read) the same numbers as a constant block of `T`, as the
/// tape's own block operations read such operands.
fn in_block_store<'t, T: Scalar>(block: &Block<'t, T>) -> Block<'t, T> {
    if !block.slots().is_real() {
        return *block;
    }
    block
        .tape()
        .constant_block(block.rows(), block.cols(), &block.values())
        .expect("the shape of a recorded block")
}

#[cfg(test)]
mod tests {
    use super::affine_into;

    #[test]
    fn affine_into_matches_the_definition_for_every_batch_size() {
        // The bias broadcast doubles what it has written: batch sizes that
        // are not powers of two must still get exactly n rows.
        for n in [0, 1, 2, 3, 5, 8, 37] {
            for (fan_in, fan_out) in [(1, 1), (3, 4), (2, 0), (4, 7)] {
                let a: Vec<f64> = (0..n * fan_in).map(|i| (0.3 * i as f64).sin()).collect();
                let w: Vec<f64> = (0..fan_in * fan_out)
                    .map(|i| (0.7 * i as f64).cos())
                    .collect();
                let b: Vec<f64> = (0..fan_out).map(|j| j as f64 - 1.5).collect();
                let mut z = vec![9.0; 3];
                affine_into(&a, n, fan_in, &w, &b, fan_out, &mut z);
                assert_eq!(z.len(), n * fan_out);
                for i in 0..n {
                    for j in 0..fan_out {
                        let want = b[j]
                            + (0..fan_in)
                                .map(|p| a[i * fan_in + p] * w[p * fan_out + j])
                                .sum::<f64>();
                        let got = z[i * fan_out + j];
                        assert!(
                            (got - want).abs() <= 1e-14,
                            "n {n}, ({i}, {j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
