//! Hessian-vector products `H V` of an MLP's loss for many directions at
//! once, layer by layer: the pass of `hessian_layers.rs` with dense
//! directions `V = (Ẇ_l, ḃ_l)`.
//!
//! With the primal quantities of that module (`A_l`, `S_l`, `T_l`, `G_l`,
//! `δ_l`, computed once for all directions), `K` directions at a time:
//!
//! ```text
//! forward:  Ż_l = Ȧ_l W_l + A_l Ẇ_l + 1 ḃ_lᵀ,    Ȧ_{l+1} = S_l ⊙ Ż_l      (Ȧ_0 = 0)
//! loss:     Ġ_L = H_z Ȧ_L
//! reverse:  δ̇_l = Ġ_{l+1} ⊙ S_l + G_{l+1} ⊙ T_l ⊙ Ż_l
//!           (HV)_{W_l} = A_lᵀ δ̇_l + Ȧ_lᵀ δ_l,       (HV)_{b_l} = 1ᵀ δ̇_l
//!           Ġ_l = δ̇_l W_lᵀ + δ_l Ẇ_lᵀ
//! ```
//!
//! Each line is one matrix product for the whole group: the tangents are
//! stored `[sample][direction][unit]`, which is both `N·K × d` (a product
//! with `W_l` on the right) and `N × K·d` (with `A_lᵀ` on the left); the
//! directions' weights are gathered `[row][direction][column]`, so that
//! `A_l Ẇ_l` for all of them is `A_l` times one `d_l × K·d_{l+1}` matrix.
//! Against forward-over-reverse on a tape of duals (`saddle_dual::hvp`),
//! the real parts are computed once for all directions, and no tape or
//! dual arithmetic is involved but the loss's own sweep.

use saddle_dual::{run_sweeps, Dual, HessianOptions};
use saddle_tape::{pool, MatMut, MatRef, Scalar, Tape};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::data::Dataset;
use crate::error::Error;
use crate::ggn::zeroed;
use crate::hessian_layers::{all_finite, loss_tangent, sized, Primal, K};
use crate::loss::Loss;
use crate::mlp::{take_failure, Mlp};

/// One thread's working memory.
struct Scratch {
    tape: Tape<Dual<f64, K>>,
    /// The group's `Ẇ_l` (`d_l × K × d_{l+1}`) and `ḃ_l` (`K × d_{l+1}`).
    w_dot: Vec<Vec<f64>>,
    b_dot: Vec<Vec<f64>>,
    /// `Ż_l` and `Ȧ_{l+1}` (`N × K × d_{l+1}`).
    z_dot: Vec<Vec<f64>>,
    a_dot: Vec<Vec<f64>>,
    /// `Ġ`, `δ̇` and products on the way.
    g_dot: Vec<f64>,
    delta_dot: Vec<f64>,
    work: Vec<f64>,
}

impl Mlp {
    /// `H V` for the `m` directions `V` (`P × m`, column-major), into a
    /// column-major `P × m` result; `None` if a number on the way is not finite (the swept
    /// routes then give each entry the `NaN` its own products give). The
    /// data and directions must have been checked.
    pub(crate) fn products_by_layers(
        &self,
        pr: &Primal,
        data: &Dataset,
        loss: &impl Loss,
        directions: &[f64],
        options: HessianOptions,
    ) -> Result<Option<Vec<f64>>, Error> {
        let p = self.num_params();
        let mut out = zeroed(p, directions.len() / p)?;
        let failure = Mutex::new(None);
        let finite = AtomicBool::new(true);
        run_sweeps(
            &mut out,
            K * p,
            options,
            || Scratch {
                tape: Tape::new(),
                w_dot: Vec::new(),
                b_dot: Vec::new(),
                z_dot: Vec::new(),
                a_dot: Vec::new(),
                g_dot: Vec::new(),
                delta_dot: Vec::new(),
                work: Vec::new(),
            },
            |scratch, (job, columns)| {
                let first = job * K;
                let v = &directions[first * p..first * p + columns.len()];
                match self.product_group(pr, data, loss, v, scratch, columns) {
                    Ok(()) if all_finite(columns) => {}
                    Ok(()) => finite.store(false, Ordering::Relaxed),
                    Err(e) => {
                        let mut slot = failure.lock().unwrap_or_else(|q| q.into_inner());
                        slot.get_or_insert(e);
                    }
                }
            },
        );
        take_failure(failure)?;
        Ok(finite.into_inner().then_some(out))
    }

    /// `H v` for up to `K` directions `v` (`count × P`, one after another)
    /// into `out` (`count` columns of `P`).
    #[allow(clippy::too_many_arguments)]
    fn product_group(
        &self,
        pr: &Primal,
        data: &Dataset,
        loss: &impl Loss,
        v: &[f64],
        sc: &mut Scratch,
        out: &mut [f64],
    ) -> Result<(), Error> {
        let sizes = self.sizes();
        let layers = self.num_layers();
        let p = self.num_params();
        let n = data.inputs().rows();
        let count = v.len() / p;
        // Lanes of this group: a single product (an HVP) is one lane, not
        // `K` with zeros.
        let kk = count;
        sc.w_dot.resize_with(layers, Vec::new);
        sc.b_dot.resize_with(layers, Vec::new);
        sc.z_dot.resize_with(layers, Vec::new);
        sc.a_dot.resize_with(layers, Vec::new);

        // The directions' weights, `[row][direction][column]`, and biases
        // (lanes past `count` zero).
        for l in 0..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let (wd, bd) = (&mut sc.w_dot[l], &mut sc.b_dot[l]);
            wd.clear();
            sized(wd, fan_in * kk * fan_out);
            bd.clear();
            sized(bd, kk * fan_out);
            for (k, vk) in v.chunks_exact(p).enumerate() {
                for i in 0..fan_in {
                    let from = &vk[wr.start + i * fan_out..][..fan_out];
                    wd[(i * kk + k) * fan_out..][..fan_out].copy_from_slice(from);
                }
                bd[k * fan_out..(k + 1) * fan_out].copy_from_slice(&vk[br.clone()]);
            }
        }

        // Forward: Ż_l = Ȧ_l W_l + A_l Ẇ_l + 1 ḃ_lᵀ, Ȧ_{l+1} = S_l ⊙ Ż_l.
        for l in 0..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let mut zd = std::mem::take(&mut sc.z_dot[l]);
            sized(&mut zd, n * kk * fan_out);
            f64::gemm(
                MatRef::row_major(&pr.a[l], n, fan_in),
                MatRef::row_major(&sc.w_dot[l], fan_in, kk * fan_out),
                MatMut::row_major(&mut zd, n, kk * fan_out),
                false,
            );
            if l > 0 {
                let w = &self.params()[self.layer_ranges(l).0];
                f64::gemm(
                    MatRef::row_major(&sc.a_dot[l - 1], n * kk, fan_in),
                    MatRef::row_major(w, fan_in, fan_out),
                    MatMut::row_major(&mut zd, n * kk, fan_out),
                    true,
                );
            }
            let bd = &sc.b_dot[l];
            for zr in zd.chunks_exact_mut(kk * fan_out) {
                zr.iter_mut().zip(bd).for_each(|(z, b)| *z += b);
            }
            let mut ad = std::mem::take(&mut sc.a_dot[l]);
            sized(&mut ad, n * kk * fan_out);
            let s = &pr.s[l];
            for (r, (ar, zr)) in ad
                .chunks_exact_mut(kk * fan_out)
                .zip(zd.chunks_exact(kk * fan_out))
                .enumerate()
            {
                let sr = &s[r * fan_out..(r + 1) * fan_out];
                for (a, z) in ar.chunks_exact_mut(fan_out).zip(zr.chunks_exact(fan_out)) {
                    a.iter_mut()
                        .zip(z)
                        .zip(sr)
                        .for_each(|((a, z), s)| *a = s * z);
                }
            }
            sc.z_dot[l] = zd;
            sc.a_dot[l] = ad;
        }

        // At the loss: Ġ_L = H_z Ȧ_L.
        let d_out = sizes[layers];
        let a_last = &sc.a_dot[layers - 1];
        let lane = |r: usize, c: usize, k: usize| a_last[(r * kk + k) * d_out + c];
        let mut g_dot = std::mem::take(&mut sc.g_dot);
        loss_tangent(
            &mut sc.tape,
            data,
            loss,
            &pr.a[layers],
            kk,
            lane,
            &mut g_dot,
        )?;

        // Reverse.
        let mut delta_dot = std::mem::take(&mut sc.delta_dot);
        let mut work = std::mem::take(&mut sc.work);
        for l in (0..layers).rev() {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            // δ̇_l = Ġ_{l+1} ⊙ S_l (+ G_{l+1} ⊙ T_l ⊙ Ż_l).
            sized(&mut delta_dot, n * kk * fan_out);
            let (s, t, g) = (&pr.s[l], &pr.t[l], &pr.g[l]);
            for (r, (dd, gd)) in delta_dot
                .chunks_exact_mut(kk * fan_out)
                .zip(g_dot.chunks_exact(kk * fan_out))
                .enumerate()
            {
                let row = r * fan_out..(r + 1) * fan_out;
                let (sr, tr, gr) = (&s[row.clone()], &t[row.clone()], &g[row]);
                let zd = &sc.z_dot[l][r * kk * fan_out..(r + 1) * kk * fan_out];
                let lanes = dd.chunks_exact_mut(fan_out).zip(gd.chunks_exact(fan_out));
                for ((dd, gd), zd) in lanes.zip(zd.chunks_exact(fan_out)) {
                    for ((((d, g_dot), z_dot), s), (g, t)) in
                        dd.iter_mut().zip(gd).zip(zd).zip(sr).zip(gr.iter().zip(tr))
                    {
                        *d = g_dot * s + g * t * z_dot;
                    }
                }
            }
            // (HV)_{W_l} = A_lᵀ δ̇_l (`[row][direction][column]`, added
            // direction by direction) + Ȧ_lᵀ δ_l (`[direction][row]
            // [column]`, straight into the columns).
            sized(&mut work, fan_in * kk * fan_out);
            f64::gemm(
                MatRef::row_major(&pr.a[l], n, fan_in).t(),
                MatRef::row_major(&delta_dot, n, kk * fan_out),
                MatMut::row_major(&mut work, fan_in, kk * fan_out),
                false,
            );
            for k in 0..count {
                let column = &mut out[k * p..(k + 1) * p];
                for i in 0..fan_in {
                    column[wr.start + i * fan_out..][..fan_out]
                        .copy_from_slice(&work[(i * kk + k) * fan_out..][..fan_out]);
                }
            }
            if l > 0 {
                sized(&mut work, kk * fan_in * fan_out);
                f64::gemm(
                    MatRef::row_major(&sc.a_dot[l - 1], n, kk * fan_in).t(),
                    MatRef::row_major(&pr.delta[l], n, fan_out),
                    MatMut::row_major(&mut work, kk * fan_in, fan_out),
                    false,
                );
                for k in 0..count {
                    let to = &mut out[k * p + wr.start..k * p + wr.end];
                    let from = &work[k * fan_in * fan_out..(k + 1) * fan_in * fan_out];
                    to.iter_mut().zip(from).for_each(|(h, e)| *h += e);
                }
            }
            // (HV)_{b_l} = 1ᵀ δ̇_l.
            work.clear();
            sized(&mut work, kk * fan_out);
            for dd in delta_dot.chunks_exact(kk * fan_out) {
                work.iter_mut().zip(dd).for_each(|(b, d)| *b += d);
            }
            for k in 0..count {
                out[k * p + br.start..k * p + br.end]
                    .copy_from_slice(&work[k * fan_out..(k + 1) * fan_out]);
            }
            if l == 0 {
                break;
            }
            // Ġ_l = δ̇_l W_lᵀ (+ δ_l Ẇ_lᵀ, computed `[sample][row]
            // [direction]` and added transposed).
            let w = &self.params()[wr];
            sized(&mut g_dot, n * kk * fan_in);
            f64::gemm(
                MatRef::row_major(&delta_dot, n * kk, fan_out),
                MatRef::row_major(w, fan_in, fan_out).t(),
                MatMut::row_major(&mut g_dot, n * kk, fan_in),
                false,
            );
            sized(&mut work, n * fan_in * kk);
            // Ẇ stacked as `fan_out × (fan_in·kk)`: entry `(c, i·kk + k)`
            // is `Ẇ⁽ᵏ⁾[i, c]`.
            let w_stack = MatRef {
                data: &sc.w_dot[l],
                rows: fan_out,
                cols: fan_in * kk,
                row_stride: 1,
                col_stride: fan_out,
            };
            f64::gemm(
                MatRef::row_major(&pr.delta[l], n, fan_out),
                w_stack,
                MatMut::row_major(&mut work, n, fan_in * kk),
                false,
            );
            for (gr, wr) in g_dot
                .chunks_exact_mut(kk * fan_in)
                .zip(work.chunks_exact(fan_in * kk))
            {
                for (k, g) in gr.chunks_exact_mut(fan_in).enumerate() {
                    for (i, g) in g.iter_mut().enumerate() {
                        *g += wr[i * kk + k];
                    }
                }
            }
        }
        sc.g_dot = g_dot;
        sc.delta_dot = delta_dot;
        sc.work = work;
        Ok(())
    }
}

impl Drop for Scratch {
    /// The buffers go back to the thread's pool for the next call.
    fn drop(&mut self) {
        for list in [
            &mut self.w_dot,
            &mut self.b_dot,
            &mut self.z_dot,
            &mut self.a_dot,
        ] {
            list.drain(..).for_each(pool::give);
        }
        for v in [&mut self.g_dot, &mut self.delta_dot, &mut self.work] {
            pool::give(std::mem::take(v));
        }
    }
}
