//! Adversarial checks of the restricted reverse sweep (`Var::backward_wrt`)
//! and the adjoint buffer it reuses: the buffer comes from the thread's
//! pool *without* zeroing the slots of blocks that depend on no wanted
//! variable. Whatever such a buffer held — NaN poison of the same element
//! type, or the adjoints of an earlier sweep that left every slot nonzero —
//! must never reach a returned number. Checked on `f64`, `Dual<f64, 3>`
//! and `Dual<Dual<f64, 1>, 1>`, on seeded random functions mixing blocks
//! and scalars (wanted entries first, in the middle or last in blocks
//! recorded before and after the output; the output an entry of a block;
//! slices of stacked blocks; scalar nodes with a parent in a skipped
//! block), and through the dense Hessian driver, whose lower-triangle
//! sweeps are restricted, against `hessian_matrix_product` with the
//! identity, the pool re-poisoned before every sweep.
//!
//! The restricted and full sweeps add the same contributions to a wanted
//! adjoint in the same order, except exact zeros the full sweep adds from
//! skipped operations; results are compared with `==` per component (so
//! `-0 == +0`, and any NaN fails).

use std::sync::atomic::{AtomicUsize, Ordering};

use saddle_dual::{hessian_matrix_product_with, hessian_with_progress, Dual, HessianOptions};
use saddle_tape::prelude::*;
use saddle_tape::{pool, Block, BlockOp, Cotangents, Slots};

/// Every `f64` component of a number, in order, and a NaN in each.
trait Components: Scalar {
    fn components(&self, out: &mut Vec<f64>);
    fn poisoned() -> Self;
}

impl Components for f64 {
    fn components(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn poisoned() -> Self {
        f64::NAN
    }
}

impl<T: Components, const K: usize> Components for Dual<T, K> {
    fn components(&self, out: &mut Vec<f64>) {
        self.re.components(out);
        self.eps.iter().for_each(|e| e.components(out));
    }
    fn poisoned() -> Self {
        Dual::new(T::poisoned(), std::array::from_fn(|_| T::poisoned()))
    }
}

fn components<T: Components>(v: &[T]) -> Vec<f64> {
    let mut out = Vec::new();
    v.iter().for_each(|x| x.components(&mut out));
    out
}

/// Gives the pool buffers of NaNs of the type of the tape's numbers, of
/// lengths around `len` (the pool hands out the smallest that fits).
fn poison<T: Components>(len: usize) {
    for n in [len.saturating_sub(1), len, len + 1, len + 5, 2 * len] {
        pool::give(vec![T::poisoned(); n]);
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    fn values<T: Scalar>(&mut self, n: usize) -> Vec<T> {
        (0..n).map(|_| T::from_f64(self.uniform())).collect()
    }
}

/// A random function of scalar inputs and blocks, recorded on `tape`:
/// returns its output and the variables a sweep may be asked for (inputs,
/// entries of blocks before and after the output, intermediates, the
/// output itself, variables recorded after it).
fn random_case<'t, T: Components>(tape: &'t Tape<T>, seed: u64) -> (Var<'t, T>, Vec<Var<'t, T>>) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let p = tape.vars(&rng.values(8));
    // A block that depends on no input, and one computed from it only.
    let a = tape.input_block(2, 3, &rng.values(6)).unwrap();
    let e = a.tanh();
    // Inputs gathered into a block, then through block operations.
    let s = tape.stack(2, 2, &p[..4]).unwrap();
    let c = if rng.below(2) == 0 {
        s.tanh()
    } else {
        s.square()
    };
    let d = c.matmul(&a).unwrap();
    // A scalar node with a parent in a block no input reaches.
    let m = p[4] * p[5] + e.at(1, 1);
    let sl = d.slice(0..2, 1..3).unwrap();
    let g = sl.mul(&e.slice(0..2, 0..2).unwrap()).unwrap().sigmoid();
    let mut candidates = p.clone();
    candidates.extend([a.at(0, 0), a.at(0, 1), a.at(1, 2), e.at(0, 0), e.at(1, 1)]);
    candidates.extend(s.vars());
    candidates.extend([c.at(0, 1), d.at(0, 0), d.at(1, 2), m, sl.at(1, 0)]);
    candidates.extend(g.vars());
    let out = match rng.below(4) {
        0 => d.square().sum() * p[6] + m.sin() + e.at(0, 2) * p[7] + g.sum(),
        // The output an entry of a block: first, middle, last.
        1 => g.at(0, 0),
        2 => g.at(0, 1),
        _ => {
            let h = g.add_row(&tape.stack(1, 2, &[m, p[6]]).unwrap()).unwrap();
            candidates.extend(h.vars());
            h.at(1, 1) * p[7]
        }
    };
    // Recorded after the output: nothing of it can reach a gradient.
    let late = tape.var(T::from_f64(0.25));
    let after = tape.input_block(1, 3, &rng.values(3)).unwrap().tanh();
    let tail = after.sum() * late + out;
    candidates.extend([out, late, after.at(0, 0), after.at(0, 1), tail]);
    (out, candidates)
}

/// A random selection (with repeats, in random order) of `candidates`,
/// and sometimes a contiguous slice of them, as the Hessian driver asks.
fn random_wanted<'t, T: Scalar>(candidates: &[Var<'t, T>], rng: &mut Rng) -> Vec<Var<'t, T>> {
    if rng.below(3) == 0 {
        let from = rng.below(candidates.len() as u64) as usize;
        return candidates[from..].to_vec();
    }
    let k = 1 + rng.below(8) as usize;
    (0..k)
        .map(|_| candidates[rng.below(candidates.len() as u64) as usize])
        .collect()
}

/// For many seeds: the restricted sweep after the pool was poisoned (and
/// after a sweep that leaves every slot nonzero) equals the full sweep.
fn restricted_equals_full<T: Components>(cases: u64) {
    let mut tape = Tape::<T>::new();
    let mut rng = Rng(0x5eed);
    for seed in 0..cases {
        tape.clear();
        let (out, candidates) = random_case(&tape, seed);
        // Every slot's adjoint nonzero: the buffer reused next is garbage
        // everywhere.
        let everything = candidates
            .iter()
            .fold(out, |acc, &v| acc + v * Var::constant(T::from_f64(0.125)));
        for round in 0..6 {
            let wanted = random_wanted(&candidates, &mut rng);
            let expected = components(&out.backward().wrt_all(&wanted));
            assert!(expected.iter().all(|v| v.is_finite()));
            match round % 3 {
                0 => poison::<T>(tape.len()),
                1 => drop(everything.backward()),
                _ => {}
            }
            let got = components(&out.backward_wrt(&wanted));
            assert_eq!(got, expected, "seed {seed}, round {round}");
        }
    }
}

#[test]
fn restricted_sweeps_on_f64_never_return_old_buffer_contents() {
    restricted_equals_full::<f64>(300);
}

#[test]
fn restricted_sweeps_on_duals_never_return_old_buffer_contents() {
    restricted_equals_full::<Dual<f64, 3>>(150);
}

#[test]
fn restricted_sweeps_on_nested_duals_never_return_old_buffer_contents() {
    restricted_equals_full::<Dual<Dual<f64, 1>, 1>>(150);
}

/// Wanted variables that are entries of a block no input reaches: a
/// middle and the last entry (the block is not swept; only those entries
/// are zeroed, the rest keep the poison), or its first entry too (the
/// block is then swept whole, from zeroed adjoints). With
/// `y = (e₀ + e₂ e₃)·p₀ + p₁²`, `e = tanh(a)` and `a` constant-valued,
/// each adjoint is one product, so every number is exact.
#[test]
fn lone_wanted_entries_of_a_skipped_block_are_exact() {
    let tape = Tape::<Dual<f64, 2>>::new();
    let p = tape.vars(&[Dual::new(0.5, [1.0, 0.0]), Dual::new(-0.3, [0.0, 1.0])]);
    let a = tape
        .input_block(1, 4, &[0.1, 0.2, 0.3, 0.4].map(Dual::constant))
        .unwrap();
    let e = a.tanh();
    let y = (e.at(0, 0) + e.at(0, 2) * e.at(0, 3)) * p[0] + p[1] * p[1];
    let (e2, e3) = (e.at(0, 2).value().re, e.at(0, 3).value().re);
    // ∂y/∂eₖ and ∂y/∂p₁; lane 0 is d/dp₀, lane 1 is d/dp₁.
    let d_e0 = (0.5, [1.0, 0.0]);
    let d_e1 = (0.0, [0.0, 0.0]);
    let d_e2 = (e3 * 0.5, [e3, 0.0]);
    let d_e3 = (e2 * 0.5, [e2, 0.0]);
    let d_p1 = (-0.6, [0.0, 2.0]);
    let cases = [
        (
            vec![e.at(0, 2), e.at(0, 3), p[1], e.at(0, 1)],
            vec![d_e2, d_e3, d_p1, d_e1],
        ),
        (
            vec![e.at(0, 3), e.at(0, 0), e.at(0, 1)],
            vec![d_e3, d_e0, d_e1],
        ),
    ];
    for (wanted, want) in cases {
        for _ in 0..3 {
            poison::<Dual<f64, 2>>(tape.len());
            let got = y.backward_wrt(&wanted);
            for (k, (g, (re, eps))) in got.iter().zip(&want).enumerate() {
                assert_eq!((g.re, g.eps), (*re, *eps), "wanted {k}");
            }
        }
    }
}

/// A three-layer network on seeded random data and weights, numbered
/// layer by layer, plus scalar terms coupling first and last parameters:
/// a dense Hessian, so the driver takes its lower-triangle route.
fn network<'t, T: Scalar>(p: &[Var<'t, T>], seed: u64) -> Var<'t, T> {
    let tape = p[0].tape().expect("the driver's inputs are on its tape");
    let mut rng = Rng(seed | 1);
    let x = tape.constant_block(4, 3, &rng.values(12)).unwrap();
    let w1 = tape.stack(3, 3, &p[0..9]).unwrap();
    let w2 = tape.stack(3, 2, &p[9..15]).unwrap();
    let w3 = tape.stack(2, 1, &p[15..17]).unwrap();
    let a1 = x.matmul(&w1).unwrap().tanh();
    let a2 = a1.matmul(&w2).unwrap();
    let a2 = if seed % 2 == 0 {
        a2.tanh()
    } else {
        a2.sigmoid()
    };
    let out = a2.matmul(&w3).unwrap();
    let extra: Block<'t, T> = tape.stack(1, 3, &p[17..20]).unwrap().square();
    out.square().sum() + p[19] * p[0] + (p[18] * p[16]).sin() + extra.sum() * p[1]
}

const N: usize = 20;

/// `f` as the drivers take it (for every tape lifetime).
fn higher_ranked<const K: usize, F>(f: F) -> F
where
    F: for<'t> Fn(&[Var<'t, Dual<f64, K>>]) -> Var<'t, Dual<f64, K>> + Sync + Copy,
{
    f
}

/// The dense Hessian's restricted sweeps with the pool poisoned before
/// every sweep (from the progress callback, on the sweeping thread):
/// computed rows equal `hessian_matrix_product` with the identity bit for
/// bit, copied rows are their transposes.
#[test]
fn dense_hessians_from_restricted_sweeps_match_full_sweeps_on_a_poisoned_pool() {
    const K: usize = 3;
    let identity: Vec<f64> = (0..N * N).map(|k| f64::from(k % (N + 1) == 0)).collect();
    for seed in 0..6u64 {
        let f = higher_ranked::<K, _>(move |p| network(p, seed));
        let x: Vec<f64> = {
            let mut rng = Rng(seed + 11);
            (0..N).map(|_| rng.uniform()).collect()
        };
        let one = HessianOptions { threads: 1 };
        let full = hessian_matrix_product_with::<K, _>(f, &x, &identity, one).unwrap();
        let sweeps = AtomicUsize::new(0);
        let repoison = |_| {
            sweeps.fetch_add(1, Ordering::Relaxed);
            // Larger than any of these tapes, and a few smaller ones.
            for n in [64, 256, 1024, 4096] {
                pool::give(vec![Dual::<f64, K>::poisoned(); n]);
            }
        };
        repoison(0);
        let h = hessian_with_progress::<K, _>(f, &x, one, &repoison).unwrap();
        assert_eq!(sweeps.load(Ordering::Relaxed), 1 + N.div_ceil(K));
        for j in 0..N {
            let first = j / K * K;
            for i in 0..N {
                let expected = if i >= first {
                    full.get(i, j)
                } else {
                    full.get(j, i)
                };
                assert!(expected.is_finite());
                assert_eq!(
                    h.get(i, j).to_bits(),
                    expected.to_bits(),
                    "seed {seed}: H[{i}][{j}] = {} vs {expected}",
                    h.get(i, j)
                );
            }
        }
    }
}

/// `Y = X ⊙ X` for any scalar type (a rule the tape does not have, so
/// the block is recorded by the caller).
struct Squared(Slots);

impl<T: Scalar> BlockOp<T> for Squared {
    fn name(&self) -> &'static str {
        "squared (test)"
    }
    fn inputs(&self) -> Vec<std::ops::Range<usize>> {
        vec![self.0.range()]
    }
    fn vjp(&self, cot: &mut Cotangents<'_, T>) {
        let (y_bar, x) = (cot.output(), cot.value(self.0));
        if let Some(x_bar) = cot.adjoint(self.0) {
            for ((a, y), x) in x_bar.iter_mut().zip(y_bar).zip(x) {
                *a += (*x + *x) * *y;
            }
        }
    }
}

/// A block written in place (`Tape::record_block_in_place`) on a tape of
/// duals is the block recorded from a buffer: the same values, entries
/// and tangents, full and restricted sweeps on a poisoned pool alike.
#[test]
fn in_place_blocks_on_duals_equal_copied_blocks_under_restricted_sweeps() {
    type D = Dual<f64, 3>;
    fn record<'t>(tape: &'t Tape<D>, in_place: bool) -> (Var<'t, D>, Vec<Var<'t, D>>) {
        let mut rng = Rng(77);
        let p = tape.vars(
            &(0..6)
                .map(|k| {
                    Dual::new(
                        rng.uniform(),
                        std::array::from_fn(|l| f64::from(l == k % 3)),
                    )
                })
                .collect::<Vec<D>>(),
        );
        let a = tape.input_block(2, 3, &rng.values::<D>(6)).unwrap();
        let s = tape.stack(2, 3, &p).unwrap();
        let sq = |x: &Block<'t, D>| {
            let xs = x.slots();
            if in_place {
                tape.record_block_in_place(2, 3, |out| {
                    out.extend_from_earlier(xs.value_range());
                    out.split().1.iter_mut().for_each(|v| *v = *v * *v);
                    Squared(xs)
                })
                .unwrap()
            } else {
                let values = x.values().iter().map(|v| *v * *v).collect();
                tape.record_block(2, 3, values, Squared(xs)).unwrap()
            }
        };
        let (sa, ss) = (sq(&a), sq(&s));
        let y = ss.mul(&sa.tanh()).unwrap().sum() + sa.at(1, 2) * p[0];
        let mut wanted = vec![sa.at(0, 1), ss.at(1, 0), a.at(0, 0)];
        wanted.extend(&p[2..]);
        (y, wanted)
    }
    let (t1, t2) = (Tape::<D>::new(), Tape::<D>::new());
    let ((y1, w1), (y2, w2)) = (record(&t1, true), record(&t2, false));
    assert_eq!(t1.entries().len(), t2.entries().len());
    assert_eq!(components(&[y1.value()]), components(&[y2.value()]));
    let full = components(&y2.backward().wrt_all(&w2));
    assert!(full.iter().all(|v| v.is_finite()) && full.iter().any(|&v| v != 0.0));
    assert_eq!(components(&y1.backward().wrt_all(&w1)), full);
    for _ in 0..3 {
        poison::<D>(t1.len());
        assert_eq!(components(&y1.backward_wrt(&w1)), full);
        assert_eq!(components(&y1.backward_wrt(&w1[3..])), full[3 * 4..]);
    }
}
