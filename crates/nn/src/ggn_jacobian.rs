//! The dense Gauss-Newton matrix from the Jacobian: `G = Jᵀ (H_z J)`.
//!
//! [`Mlp::gauss_newton_with`] could sweep `G eⱼ` for every parameter (`P`
//! unit directions, `P / K` sweeps of the network on `K`-lane duals, see
//! `ggn.rs`). When the network has no more outputs over the batch than
//! parameters (`M = N · d_out ≤ P`, as for any model worth a dense `G`), it
//! is cheaper to form the factors:
//!
//! 1. **`J`** (`M × P`), row by row: row `(i, c)` is `∂z_ic/∂θ`, the
//!    gradient of one output of one sample. The samples of a batch go
//!    through the network independently (every layer acts row by row), so
//!    each is recorded alone, on a tape of plain numbers, and swept once
//!    per output: `M` reverse sweeps of a one-sample tape. (Sweeping the
//!    batch's tape instead, one output at a time or `K` on dual lanes,
//!    pays for the whole batch in every sweep.)
//! 2. **`H_z`** (`M × M`), the Hessian of the loss with respect to the
//!    prediction alone: saddle-dual's dense Hessian of `z ↦ L(z, Y)` (a
//!    small tape; block diagonal for a loss that sums over samples, and
//!    found so when the loss's block operations describe their entries).
//! 3. **`U = H_z J`**: entry by entry over the nonzeros of `H_z` when at
//!    most one in 16 is nonzero (a per-sample loss: `d_out²` of `M²`),
//!    else one gemm.
//! 4. **`G = Jᵀ U`**, one gemm per block of rows, only on and above the
//!    diagonal, then mirrored: exactly symmetric.
//!
//! Work: `M` sweeps of one-sample tapes and `P² M / 2` multiply-adds in a
//! tuned kernel, against `P / K` sweeps of the network on the whole batch
//! (each a forward and a reverse pass on `K`-lane duals). The entries
//! agree with the swept ones to rounding: the same products, summed in
//! another order.

use std::sync::Mutex;

use saddle_dual::{hessian_with, mirror_upper, run_sweeps, Dual, HessianOptions, LANES};
use saddle_tape::{MatMut, MatRef, Scalar, Tape, Var};

use crate::data::Dataset;
use crate::error::Error;
use crate::ggn::zeroed;
use crate::loss::Loss;
use crate::matrix::Matrix;
use crate::mlp::{convert, take_failure, Mlp};

/// Rows of `G` (columns of the column-major result) per block of the final
/// product. Fixed, so that every entry comes out of the same kernel call
/// shape whatever the threading: the result does not depend on it.
const BLOCK_ROWS: usize = 512;

/// Samples per job of `J` (the unit spread over threads).
const SAMPLES_PER_JOB: usize = 16;

impl Mlp {
    /// The dense `G = Jᵀ H_z J` (column-major `P × P`) from its factors, if
    /// that route applies: `None` when the batch has more outputs than the
    /// network has parameters, or when a factor holds a number that is not
    /// finite (the swept route then gives each entry the `NaN` its own
    /// products give). The data must have been checked.
    pub(crate) fn gauss_newton_by_jacobian(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        options: HessianOptions,
    ) -> Result<Option<Vec<f64>>, Error> {
        let p = self.num_params();
        let m = data.inputs().rows() * self.sizes()[self.sizes().len() - 1];
        if m == 0 || m > p {
            return Ok(None);
        }
        let z = self.forward(data.inputs())?.as_slice().to_vec();
        let j = self.jacobian(data, m, options)?;
        let h = self.loss_hessian(data, loss, &z, options)?;
        if !(z.iter().chain(&j).chain(&h).all(|v| v.is_finite())) {
            return Ok(None);
        }
        let u = times_jacobian(&h, &j, m, p)?;
        let mut g = zeroed(p, p)?;
        // Row block `[a, a + BLOCK_ROWS)` of `Gᵀ = Uᵀ J` (the column-major
        // `G` read row-major), columns from `a` on: on and above the
        // diagonal.
        run_sweeps(
            &mut g,
            BLOCK_ROWS * p,
            options,
            || (),
            |_, (block, rows)| {
                let a = block * BLOCK_ROWS;
                let height = rows.len() / p;
                let ut = MatRef {
                    data: &u[a..],
                    rows: height,
                    cols: m,
                    row_stride: 1,
                    col_stride: p,
                };
                let js = MatRef {
                    data: &j[a..],
                    rows: m,
                    cols: p - a,
                    row_stride: p,
                    col_stride: 1,
                };
                let out = MatMut {
                    data: &mut rows[a..],
                    rows: height,
                    cols: p - a,
                    row_stride: p,
                    col_stride: 1,
                };
                f64::gemm(ut, js, out, false);
            },
        );
        mirror_upper(&mut g, p, 1);
        Ok(Some(g))
    }

    /// `J = ∂z/∂θ`, row-major `M × P` (row `i · d_out + c` is
    /// `∂z_ic/∂θ`), sample by sample (jobs of [`SAMPLES_PER_JOB`] samples
    /// spread over threads as `options` says; the rows do not depend on
    /// it).
    fn jacobian(
        &self,
        data: &Dataset,
        m: usize,
        options: HessianOptions,
    ) -> Result<Vec<f64>, Error> {
        let (p, d_out) = (self.num_params(), m / data.inputs().rows());
        let mut j = zeroed(m, p)?;
        let failure = Mutex::new(None);
        run_sweeps(
            &mut j,
            SAMPLES_PER_JOB * d_out * p,
            options,
            Tape::<f64>::new,
            |tape, (job, rows)| {
                let first = job * SAMPLES_PER_JOB;
                for (i, sample) in rows.chunks_mut(d_out * p).enumerate() {
                    if let Err(e) = self.sample_jacobian(tape, data.inputs().row(first + i), sample)
                    {
                        let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                        slot.get_or_insert(e);
                    }
                }
            },
        );
        take_failure(failure)?;
        Ok(j)
    }

    /// `∂z_c/∂θ` for every output `c` of the network on one input `x`, into
    /// `rows` (`d_out × P`, row-major): one recording, a reverse sweep per
    /// output.
    fn sample_jacobian(
        &self,
        tape: &mut Tape<f64>,
        x: &[f64],
        rows: &mut [f64],
    ) -> Result<(), Error> {
        tape.clear();
        let tape = &*tape;
        let params = tape.vars(self.params());
        let x = Matrix::new(1, x.len(), x.to_vec())?;
        let z = self.forward_on_tape(&params, &x);
        for (c, row) in rows.chunks_exact_mut(self.num_params()).enumerate() {
            let gradient = z.at(0, c).backward().wrt_all(&params);
            row.copy_from_slice(&gradient);
        }
        Ok(())
    }

    /// `H_z = ∂²L/∂z²` at the prediction `z` (column-major `M × M`), by
    /// saddle-dual's dense Hessian of the loss alone.
    fn loss_hessian(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        z: &[f64],
        options: HessianOptions,
    ) -> Result<Vec<f64>, Error> {
        let y = data.targets();
        let (rows, cols) = (data.inputs().rows(), z.len() / data.inputs().rows());
        let targets: Vec<Dual<f64, LANES>> = convert(y);
        let failure = Mutex::new(None);
        let h = hessian_with::<LANES, _>(
            |zs| {
                let recorded = (|| {
                    let tape = zs[0].tape().expect("the driver's variables are on a tape");
                    let block = tape.stack(rows, cols, zs)?;
                    let targets = tape.constant_block(y.rows(), y.cols(), &targets)?;
                    loss.on_tape(&block, &targets)
                })();
                recorded.unwrap_or_else(|e| {
                    let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                    slot.get_or_insert(e);
                    Var::constant(Dual::constant(0.0))
                })
            },
            z,
            options,
        );
        take_failure(failure)?;
        Ok(h?.into_column_major())
    }
}

/// `U = H J` for `H` (`M × M`, column-major) and `J` (`M × P`, row-major),
/// row-major `M × P`. When at most one entry of `H` in 16 is nonzero (the
/// block-diagonal `H_z` of a per-sample loss), `U_r += H_rs J_s` for each
/// nonzero `H_rs`; otherwise one gemm.
fn times_jacobian(h: &[f64], j: &[f64], m: usize, p: usize) -> Result<Vec<f64>, Error> {
    let mut u = zeroed(m, p)?;
    let nonzero = h.iter().filter(|v| **v != 0.0).count();
    if nonzero <= m * m / 16 {
        for (s, column) in h.chunks_exact(m).enumerate() {
            let js = &j[s * p..(s + 1) * p];
            for (r, &hrs) in column.iter().enumerate() {
                if hrs != 0.0 {
                    let ur = &mut u[r * p..(r + 1) * p];
                    ur.iter_mut().zip(js).for_each(|(o, x)| *o += hrs * x);
                }
            }
        }
    } else {
        let hm = MatRef {
            data: h,
            rows: m,
            cols: m,
            row_stride: 1,
            col_stride: m,
        };
        f64::gemm(
            hm,
            MatRef::row_major(j, m, p),
            MatMut::row_major(&mut u, m, p),
            false,
        );
    }
    Ok(u)
}
