//! The dense Hessian of an MLP's loss by second-order backpropagation:
//! the forward-over-reverse sweep written out layer by layer on plain
//! numbers, with everything that does not depend on the direction computed
//! once.
//!
//! The generic route ([`saddle_dual::hessian_with`]) records the loss on a
//! tape of `K`-lane duals for every `K` columns: each sweep recomputes the
//! forward and reverse passes of the real parts, and carries `K + 1`
//! numbers through every entry even where the unit directions leave
//! tangents zero. Here the pass is the same algebra, by hand. With
//! `Z_l = A_l W_l + 1 b_lᵀ`, `A_{l+1} = f_l(Z_l)`, `S_l = f_l'(Z_l)`,
//! `T_l = f_l''(Z_l)`, `G_{l+1} = ∂L/∂A_{l+1}` and `δ_l = G_{l+1} ⊙ S_l`
//! (computed once), a direction `V = (Ẇ_l, ḃ_l)` gives
//!
//! - forward: `Ż_l = Ȧ_l W_l + A_l Ẇ_l + 1 ḃ_lᵀ`, `Ȧ_{l+1} = S_l ⊙ Ż_l`
//!   (`Ȧ_0 = 0`);
//! - at the loss: `Ġ_L = H_z Ȧ_L`, the loss's own Hessian-vector product
//!   (one sweep of the loss alone on `K`-lane duals, any [`Loss`]);
//! - reverse: `δ̇_l = Ġ_{l+1} ⊙ S_l + G_{l+1} ⊙ T_l ⊙ Ż_l`,
//!   `(HV)_{W_l} = Ȧ_lᵀ δ_l + A_lᵀ δ̇_l`, `(HV)_{b_l} = 1ᵀ δ̇_l`,
//!   `Ġ_l = δ̇_l W_lᵀ + δ_l Ẇ_lᵀ`.
//!
//! The columns of a dense Hessian are unit directions, and a unit
//! direction in layer `l₀` (entry `(i, j)` of `W`, or `b_j`) is as sparse
//! as it gets: `Ż_{l₀}` is the column `A_{l₀}[:, i]` (or ones) in column
//! `j` and zero elsewhere, so `Ȧ_{l₀+1}` has one nonzero column and the
//! next `Ż` is an outer product. Nothing before layer `l₀` moves, and only
//! the rows from the column's own index down are kept (the rest is the
//! mirror image of earlier columns), so the reverse pass stops at `l₀`.
//! Directions go `K` at a time: the tangents of a group are stored
//! `[sample][direction][unit]`, so that each product above is one matrix
//! product for the whole group (`N·K × d` against `W_l`, or `A_lᵀ` against
//! `N × K·d`).
//!
//! Work per column in layer `l₀`: about `N·d_{l₀}·d_{l₀+1}` multiply-adds
//! for `A_{l₀}ᵀ δ̇_{l₀}` (half of it on average: only rows from the
//! column's own on) plus a full tangent pass through the layers after it;
//! against a whole `K + 1`-number forward and reverse sweep of the network
//! per `K` columns.

use saddle_dual::{mirror_upper, run_sweeps, Dual, HessianOptions};
use saddle_tape::{pool, MatMut, MatRef, Scalar, Tape};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::activation::Activation;
use crate::data::Dataset;
use crate::dense::affine_into;
use crate::error::Error;
use crate::ggn::zeroed;
use crate::kernels;
use crate::loss::Loss;
use crate::mlp::{convert, take_failure, Mlp};

/// Directions per group: one sweep of the loss alone on `Dual<f64, K>`
/// gives `Ġ_L` for the whole group.
pub(crate) const K: usize = 8;

/// What every column needs, computed once (all row-major, `N` rows).
pub(crate) struct Primal {
    /// `A_l`, `l = 0..=L` (`A_0 = X`), `N × d_l`.
    pub(crate) a: Vec<Vec<f64>>,
    /// `S_l = f_l'(Z_l)` and `T_l = f_l''(Z_l)`, `N × d_{l+1}`.
    pub(crate) s: Vec<Vec<f64>>,
    pub(crate) t: Vec<Vec<f64>>,
    /// `G_{l+1} = ∂L/∂A_{l+1}` and `δ_l = G_{l+1} ⊙ S_l`, `N × d_{l+1}`.
    pub(crate) g: Vec<Vec<f64>>,
    pub(crate) delta: Vec<Vec<f64>>,
}

/// `A = f(Z)`, `S = f'(Z)` and `T = f''(Z)` entrywise. The activation's
/// rule on a dual with unit tangent gives the value and the slope `f'`
/// whose tangent is `f''`: the formulas the tape itself differentiates.
/// `tanh` (the common case, and the slow one through libm) takes the SIMD
/// kernel of the dense layer and the same rule in closed form: slope
/// `s = 1 − a·a`, and its tangent in dual arithmetic `−(s·a + a·s)`.
fn activate(activation: Activation, z: Vec<f64>) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    match activation {
        Activation::Identity => {
            let (mut s, mut t) = (pool::take(z.len()), pool::take(z.len()));
            s.resize(z.len(), 1.0);
            t.resize(z.len(), 0.0);
            (z, s, t)
        }
        Activation::Tanh => {
            let mut a = z;
            kernels::tanh_in_place(&mut a);
            let (mut s, mut t) = (pool::take(a.len()), pool::take(a.len()));
            s.extend(a.iter().map(|a| 1.0 - a * a));
            t.extend(a.iter().zip(&s).map(|(a, s)| -(s * a + a * s)));
            (a, s, t)
        }
        _ => {
            let rule = activation.rule::<Dual<f64, 1>>();
            let (mut s, mut t) = (pool::take(z.len()), pool::take(z.len()));
            s.extend_from_slice(&z);
            t.extend_from_slice(&z);
            let mut a = z;
            for ((a, s), t) in a.iter_mut().zip(&mut s).zip(&mut t) {
                let (value, slope) = rule(Dual::new(*a, [1.0]));
                (*a, *s, *t) = (value.re, slope.re, slope.eps[0]);
            }
            (a, s, t)
        }
    }
}

/// One thread's working memory: the loss tape and the tangents of a group.
struct Scratch {
    tape: Tape<Dual<f64, K>>,
    /// `Ż_l` and `Ȧ_{l+1}` for each layer after the group's (indexed by
    /// layer; empty before it), `N × K × d_{l+1}`.
    z_dot: Vec<Vec<f64>>,
    a_dot: Vec<Vec<f64>>,
    /// `Ġ` and `δ̇` of the layer being reversed, `N × K × d`.
    g_dot: Vec<f64>,
    delta_dot: Vec<f64>,
    /// `(HV)_{W_l}` as `A_lᵀ δ̇_l`, `d_l × K × d_{l+1}`, and as `Ȧ_lᵀ δ_l`,
    /// `K × d_l × d_{l+1}`.
    hw: Vec<f64>,
    hw_dot: Vec<f64>,
}

impl Mlp {
    /// The dense Hessian (column-major `P × P`) by second-order
    /// backpropagation, or `None` when a number on the way is not finite
    /// (the swept route then gives each entry the `NaN` its own products
    /// give). The data must have been checked.
    pub(crate) fn hessian_by_layers(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        options: HessianOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Option<Vec<f64>>, Error> {
        let Some(primal) = self.primal(data, loss)? else {
            return Ok(None);
        };
        let p = self.num_params();
        let mut h = zeroed(p, p)?;
        let failure = Mutex::new(None);
        let finite = AtomicBool::new(true);
        run_sweeps(
            &mut h,
            K * p,
            options,
            || Scratch {
                tape: Tape::new(),
                z_dot: Vec::new(),
                a_dot: Vec::new(),
                g_dot: Vec::new(),
                delta_dot: Vec::new(),
                hw: Vec::new(),
                hw_dot: Vec::new(),
            },
            |scratch, (job, columns)| {
                let count = columns.len() / p;
                let mut first = job * K;
                let mut done = 0;
                // A group stays within one layer: split at layer ends.
                while done < count {
                    let l0 = self.layer_of(first);
                    let (_, b) = self.layer_ranges(l0);
                    let run = (count - done).min(b.end - first);
                    let out = &mut columns[done * p..(done + run) * p];
                    if let Err(e) = self.group(&primal, data, loss, l0, first, run, scratch, out) {
                        let mut slot = failure.lock().unwrap_or_else(|q| q.into_inner());
                        slot.get_or_insert(e);
                    }
                    first += run;
                    done += run;
                }
                // Checked while the columns are in cache.
                if !all_finite(columns) {
                    finite.store(false, Ordering::Relaxed);
                }
                progress(count);
            },
        );
        take_failure(failure)?;
        if !finite.into_inner() {
            return Ok(None);
        }
        mirror_upper(&mut h, p, 1);
        Ok(Some(h))
    }

    /// The layer that parameter `q` belongs to.
    fn layer_of(&self, q: usize) -> usize {
        (0..self.num_layers())
            .find(|&l| q < self.layer_ranges(l).1.end)
            .expect("a parameter index below the parameter count")
    }

    /// The forward pass with slopes and second derivatives, the loss's
    /// gradient and the reverse pass, all on plain `f64`; `None` if a
    /// number is not finite.
    pub(crate) fn primal(&self, data: &Dataset, loss: &impl Loss) -> Result<Option<Primal>, Error> {
        let sizes = self.sizes();
        let n = data.inputs().rows();
        let layers = self.num_layers();
        let mut pr = Primal {
            a: vec![copied(data.inputs().as_slice())],
            s: Vec::with_capacity(layers),
            t: Vec::with_capacity(layers),
            g: vec![Vec::new(); layers],
            delta: vec![Vec::new(); layers],
        };
        for l in 0..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let mut z = pool::take(n * fan_out);
            let (w, b) = (&self.params()[wr], &self.params()[br]);
            affine_into(&pr.a[l], n, fan_in, w, b, fan_out, &mut z);
            let (a, s, t) = activate(self.activations()[l], z);
            pr.a.push(a);
            pr.s.push(s);
            pr.t.push(t);
        }
        // G_L = ∂L/∂A_L from the loss alone.
        let y = data.targets();
        let tape = Tape::<f64>::new();
        let prediction = tape.input_block(n, sizes[layers], &pr.a[layers])?;
        let targets = tape.constant_block(y.rows(), y.cols(), y.as_slice())?;
        let loss_value = loss.on_tape(&prediction, &targets)?;
        let mut g = loss_value.backward().wrt_block(&prediction);
        for l in (0..layers).rev() {
            let mut delta = pool::take(g.len());
            delta.extend(g.iter().zip(&pr.s[l]).map(|(g, s)| g * s));
            let below = if l > 0 {
                let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
                let w = &self.params()[self.layer_ranges(l).0];
                let mut below = Vec::new();
                sized(&mut below, n * fan_in);
                f64::gemm(
                    MatRef::row_major(&delta, n, fan_out),
                    MatRef::row_major(w, fan_in, fan_out).t(),
                    MatMut::row_major(&mut below, n, fan_in),
                    false,
                );
                below
            } else {
                Vec::new()
            };
            pr.g[l] = std::mem::replace(&mut g, below);
            pr.delta[l] = delta;
        }
        let finite = [&pr.a, &pr.s, &pr.t, &pr.g, &pr.delta]
            .iter()
            .all(|m| m.iter().all(|v| all_finite(v)));
        Ok(finite.then_some(pr))
    }

    /// Columns `first .. first + count` of the Hessian (all in layer `l0`)
    /// into `out` (`count` columns of `P`, column-major): their rows from
    /// layer `l0` on.
    #[allow(clippy::too_many_arguments)]
    fn group(
        &self,
        pr: &Primal,
        data: &Dataset,
        loss: &impl Loss,
        l0: usize,
        first: usize,
        count: usize,
        sc: &mut Scratch,
        out: &mut [f64],
    ) -> Result<(), Error> {
        let sizes = self.sizes();
        let layers = self.num_layers();
        let p = self.num_params();
        let n = data.inputs().rows();
        let (wr0, br0) = self.layer_ranges(l0);
        let (fan_in0, fan_out0) = (sizes[l0], sizes[l0 + 1]);
        // Direction k: entry (i_k, j_k) of W_{l0} (i_k = fan_in0 for a bias)
        // and the column u_k that its Ż carries in column j_k.
        let seeds: Vec<(usize, usize)> = (first..first + count)
            .map(|q| {
                if q < wr0.end {
                    ((q - wr0.start) / fan_out0, (q - wr0.start) % fan_out0)
                } else {
                    (fan_in0, q - br0.start)
                }
            })
            .collect();
        let u = |k: usize, r: usize| -> f64 {
            let (i, _) = seeds[k];
            if i < fan_in0 {
                pr.a[l0][r * fan_in0 + i]
            } else {
                1.0
            }
        };
        // ȧ_k = S_{l0}[:, j_k] ⊙ u_k: the one nonzero column of Ȧ_{l0+1},
        // stored K × N (rows of unused lanes zero).
        let mut seed_a = Vec::new();
        sized(&mut seed_a, K * n);
        for (k, &(_, j)) in seeds.iter().enumerate() {
            for r in 0..n {
                seed_a[k * n + r] = pr.s[l0][r * fan_out0 + j] * u(k, r);
            }
        }

        // Forward: Ż_l and Ȧ_{l+1} for every layer after l0.
        sc.z_dot.resize_with(layers, Vec::new);
        sc.a_dot.resize_with(layers, Vec::new);
        for l in l0 + 1..layers {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let w = &self.params()[self.layer_ranges(l).0];
            // Every entry is written below (a product, or the outer products
            // and zeros): old contents need no zeroing.
            let mut zd = std::mem::take(&mut sc.z_dot[l]);
            sized(&mut zd, n * K * fan_out);
            if l == l0 + 1 {
                // Ȧ_l has one nonzero column per direction: Ż_l = ȧ_k ⊗ W_l[j_k, :].
                for (r, zr) in zd.chunks_exact_mut(K * fan_out).enumerate() {
                    for (k, row) in zr.chunks_exact_mut(fan_out).enumerate() {
                        match seeds.get(k) {
                            Some(&(_, j)) => {
                                let (a, w_row) = (seed_a[k * n + r], &w[j * fan_out..][..fan_out]);
                                row.iter_mut().zip(w_row).for_each(|(z, w)| *z = a * w);
                            }
                            None => row.fill(0.0),
                        }
                    }
                }
            } else {
                f64::gemm(
                    MatRef::row_major(&sc.a_dot[l - 1], n * K, fan_in),
                    MatRef::row_major(w, fan_in, fan_out),
                    MatMut::row_major(&mut zd, n * K, fan_out),
                    false,
                );
            }
            let mut ad = std::mem::take(&mut sc.a_dot[l]);
            ad.clear();
            let s = &pr.s[l];
            ad.extend(zd.chunks_exact(fan_out).enumerate().flat_map(|(rk, zr)| {
                let sr = &s[(rk / K) * fan_out..][..fan_out];
                zr.iter().zip(sr).map(|(z, s)| s * z)
            }));
            sc.z_dot[l] = zd;
            sc.a_dot[l] = ad;
        }

        // At the loss: Ġ_L = H_z Ȧ_L, one K-lane sweep of the loss alone.
        let d_out = sizes[layers];
        let a_last = &pr.a[layers];
        let lane = |r: usize, c: usize, k: usize| -> f64 {
            if l0 + 1 < layers {
                sc.a_dot[layers - 1][(r * K + k) * d_out + c]
            } else if k < count && seeds[k].1 == c {
                seed_a[k * n + r]
            } else {
                0.0
            }
        };
        let mut g_dot = std::mem::take(&mut sc.g_dot);
        loss_tangent(&mut sc.tape, data, loss, a_last, K, lane, &mut g_dot)?;

        // Reverse, from the last layer down to l0.
        let mut delta_dot = std::mem::take(&mut sc.delta_dot);
        for l in (l0..layers).rev() {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let (s, t, g) = (&pr.s[l], &pr.t[l], &pr.g[l]);
            // δ̇_l = Ġ_{l+1} ⊙ S_l + G_{l+1} ⊙ T_l ⊙ Ż_l (every entry
            // written: the buffer's old contents need no zeroing).
            sized(&mut delta_dot, n * K * fan_out);
            for (r, (dd, gd)) in delta_dot
                .chunks_exact_mut(K * fan_out)
                .zip(g_dot.chunks_exact(K * fan_out))
                .enumerate()
            {
                let row = r * fan_out..(r + 1) * fan_out;
                let (sr, tr, gr) = (&s[row.clone()], &t[row.clone()], &g[row]);
                let lanes = dd.chunks_exact_mut(fan_out).zip(gd.chunks_exact(fan_out));
                if l > l0 {
                    let zd = &sc.z_dot[l][r * K * fan_out..(r + 1) * K * fan_out];
                    for ((dd, gd), zd) in lanes.zip(zd.chunks_exact(fan_out)) {
                        for ((((d, g_dot), z_dot), s), (g, t)) in
                            dd.iter_mut().zip(gd).zip(zd).zip(sr).zip(gr.iter().zip(tr))
                        {
                            *d = g_dot * s + g * t * z_dot;
                        }
                    }
                } else {
                    for (k, (dd, gd)) in lanes.enumerate() {
                        dd.iter_mut()
                            .zip(gd)
                            .zip(sr)
                            .for_each(|((d, g), s)| *d = g * s);
                        // Ż_{l0} is u_k in column j_k alone.
                        if k < count {
                            let j = seeds[k].1;
                            dd[j] += gr[j] * tr[j] * u(k, r);
                        }
                    }
                }
            }
            // (HV)_{W_l} = A_lᵀ δ̇_l (+ Ȧ_lᵀ δ_l after l0), rows from
            // `i_min` on: in layer l0 the rows before the group's first
            // column are the mirror image of earlier columns.
            let i_min = if l == l0 { seeds[0].0.min(fan_in) } else { 0 };
            let rows = fan_in - i_min;
            let mut hw = std::mem::take(&mut sc.hw);
            sized(&mut hw, rows * K * fan_out);
            if rows > 0 {
                let a_cols = MatRef {
                    data: &pr.a[l][i_min..],
                    rows: n,
                    cols: rows,
                    row_stride: fan_in,
                    col_stride: 1,
                };
                f64::gemm(
                    a_cols.t(),
                    MatRef::row_major(&delta_dot, n, K * fan_out),
                    MatMut::row_major(&mut hw, rows, K * fan_out),
                    false,
                );
            }
            // Ȧ_lᵀ δ_l: after the group's layer only. Right after it Ȧ_l has
            // one nonzero column per direction (row j_k of the product);
            // further on it is dense (`K × d_l × d_{l+1}`).
            let mut hw_dot = std::mem::take(&mut sc.hw_dot);
            if l == l0 + 1 {
                sized(&mut hw_dot, K * fan_out);
                f64::gemm(
                    MatRef::row_major(&seed_a, K, n),
                    MatRef::row_major(&pr.delta[l], n, fan_out),
                    MatMut::row_major(&mut hw_dot, K, fan_out),
                    false,
                );
            } else if l > l0 + 1 {
                sized(&mut hw_dot, K * fan_in * fan_out);
                f64::gemm(
                    MatRef::row_major(&sc.a_dot[l - 1], n, K * fan_in).t(),
                    MatRef::row_major(&pr.delta[l], n, fan_out),
                    MatMut::row_major(&mut hw_dot, K * fan_in, fan_out),
                    false,
                );
            }
            // (HV)_{b_l} = 1ᵀ δ̇_l, all lanes in one pass over δ̇.
            let mut hb = [0.0; K].repeat(fan_out);
            for dd in delta_dot.chunks_exact(K * fan_out) {
                hb.iter_mut().zip(dd).for_each(|(b, d)| *b += d);
            }
            for k in 0..count {
                let column = &mut out[k * p..(k + 1) * p];
                for i in i_min..fan_in {
                    let to = &mut column[wr.start + i * fan_out..][..fan_out];
                    let from = &hw[((i - i_min) * K + k) * fan_out..][..fan_out];
                    to.copy_from_slice(from);
                    if l == l0 + 1 && i == seeds[k].1 {
                        let extra = &hw_dot[k * fan_out..][..fan_out];
                        to.iter_mut().zip(extra).for_each(|(h, e)| *h += e);
                    } else if l > l0 + 1 {
                        let extra = &hw_dot[(k * fan_in + i) * fan_out..][..fan_out];
                        to.iter_mut().zip(extra).for_each(|(h, e)| *h += e);
                    }
                }
                column[br.clone()].copy_from_slice(&hb[k * fan_out..(k + 1) * fan_out]);
            }
            sc.hw = hw;
            sc.hw_dot = hw_dot;
            // Ġ_l = δ̇_l W_lᵀ for the layer below (the `δ_l Ẇ_lᵀ` term
            // belongs to layer l0, where the pass stops).
            if l > l0 {
                let w = &self.params()[wr];
                sized(&mut g_dot, n * K * fan_in);
                f64::gemm(
                    MatRef::row_major(&delta_dot, n * K, fan_out),
                    MatRef::row_major(w, fan_in, fan_out).t(),
                    MatMut::row_major(&mut g_dot, n * K, fan_in),
                    false,
                );
            }
        }
        sc.g_dot = g_dot;
        sc.delta_dot = delta_dot;
        Ok(())
    }
}

/// `Ġ_L = H_z Ȧ_L` for `lanes ≤ K` lanes at once, into `g_dot`
/// (`N × lanes × d_out`):
/// the loss alone recorded on `tape` over the prediction `a_last + Σₖ
/// lane(r, c, k) εₖ` and swept once (forward over reverse on the loss, so
/// any [`Loss`]); lane `k` of the prediction's adjoint is row `k` of
/// `H_z Ȧ`.
pub(crate) fn loss_tangent(
    tape: &mut Tape<Dual<f64, K>>,
    data: &Dataset,
    loss: &impl Loss,
    a_last: &[f64],
    lanes: usize,
    lane: impl Fn(usize, usize, usize) -> f64,
    g_dot: &mut Vec<f64>,
) -> Result<(), Error> {
    let y = data.targets();
    let (n, d_out) = (y.rows(), a_last.len() / y.rows());
    let seeded: Vec<Dual<f64, K>> = (0..n * d_out)
        .map(|m| {
            let (r, c) = (m / d_out, m % d_out);
            Dual::new(
                a_last[m],
                std::array::from_fn(|k| if k < lanes { lane(r, c, k) } else { 0.0 }),
            )
        })
        .collect();
    tape.clear();
    let tape = &*tape;
    let prediction = tape.input_block(n, d_out, &seeded)?;
    let targets = tape.constant_block(y.rows(), y.cols(), &convert(y))?;
    let g_lanes = loss
        .on_tape(&prediction, &targets)?
        .backward()
        .wrt_block(&prediction);
    sized(g_dot, n * lanes * d_out);
    for (m, d) in g_lanes.iter().enumerate() {
        let (r, c) = (m / d_out, m % d_out);
        for (k, e) in d.eps[..lanes].iter().enumerate() {
            g_dot[(r * lanes + k) * d_out + c] = *e;
        }
    }
    Ok(())
}

/// Resizes `v` to `len` (new entries zero), growing into a buffer of the
/// thread's [`pool`]: these buffers are as big as a layer's tangents (a
/// W2-medium layer is 128 KiB), and fresh ones from the allocator
/// page-faulted on every call of an HVP.
pub(crate) fn sized(v: &mut Vec<f64>, len: usize) {
    if v.capacity() < len {
        let mut grown = pool::take(len);
        grown.extend_from_slice(v);
        pool::give(std::mem::replace(v, grown));
    }
    v.resize(len, 0.0);
}

/// `values` in a buffer of the thread's pool.
fn copied(values: &[f64]) -> Vec<f64> {
    let mut v = pool::take(values.len());
    v.extend_from_slice(values);
    v
}

impl Drop for Primal {
    /// The buffers go back to the thread's pool for the next call.
    fn drop(&mut self) {
        for list in [
            &mut self.a,
            &mut self.s,
            &mut self.t,
            &mut self.g,
            &mut self.delta,
        ] {
            list.drain(..).for_each(pool::give);
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.z_dot.drain(..).for_each(pool::give);
        self.a_dot.drain(..).for_each(pool::give);
        for v in [
            &mut self.g_dot,
            &mut self.delta_dot,
            &mut self.hw,
            &mut self.hw_dot,
        ] {
            pool::give(std::mem::take(v));
        }
    }
}

/// Whether every entry is finite: `Σ x·0` over eight running sums is zero
/// exactly when no entry is `±∞` or `NaN` (`∞·0` is `NaN`, and a `NaN`
/// stays). Branch-free, so it runs at memory speed where a test per entry
/// (`is_finite`) took a tenth of an HVP.
pub(crate) fn all_finite(v: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, x) in acc.iter_mut().zip(chunk) {
            *a += x * 0.0;
        }
    }
    acc.iter().chain(rest).all(|x| x * 0.0 == 0.0)
}
