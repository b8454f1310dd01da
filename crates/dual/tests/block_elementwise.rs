//! The elementwise block operations write their values straight into the
//! tape, keep the `±1` partials of `add` / `sub` once instead of per
//! entry, and sum with eight running sums. Checked here against routes
//! that do none of that:
//! - `add` / `sub` against the general [`Block::zip`] with the same rules
//!   (partials stored per entry), bit for bit, on `f64` and on duals;
//! - a function written with slices, maps, zips, `affine` and sums against
//!   the same function written with scalar `Var`s: gradients, HVPs and
//!   dense Hessians (to `1e-13` relative: only the summation order
//!   differs, eight running sums against one);
//! - block sums of every length from 0 to 40 against exact sums.

use proptest::prelude::*;
use saddle_check::{strategies, Report, Tolerance};
use saddle_dual::{gradient, hessian, hvp, Dual};
use saddle_tape::prelude::*;
use saddle_tape::rules;

/// `f = Σ 100 (b − a²)² + Σ (1 − a)² + Σ a·b/(1 + b²) + mean(tanh(a + b))`
/// with `a = x[..n−1]`, `b = x[1..]`, written with block operations.
fn blocks<'t, T: Scalar>(x: &[Var<'t, T>]) -> Var<'t, T> {
    let n = x.len();
    let tape = x[0].tape().expect("inputs live on a tape");
    let x = tape.stack(1, n, x).unwrap();
    let (a, b) = (
        x.slice(0..1, 0..n - 1).unwrap(),
        x.slice(0..1, 1..n).unwrap(),
    );
    let d = b.sub(&a.square()).unwrap();
    let e = a.affine(-1.0, 1.0);
    let q = a
        .mul(&b)
        .unwrap()
        .div(&b.square().affine(1.0, 1.0))
        .unwrap();
    let t = a.add(&b).unwrap().tanh();
    d.square().sum() * 100.0 + e.square().sum() + q.sum() + t.mean()
}

/// [`blocks`] written as scalar code.
fn scalars<S: Real>(x: &[S]) -> S {
    let n = x.len();
    let (mut s1, mut s2, mut s3, mut s4) = (S::zero(), S::zero(), S::zero(), S::zero());
    for w in x.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = b - a * a;
        s1 += d * d;
        let e = S::one() - a;
        s2 += e * e;
        s3 += a * b / (b * b + S::one());
        s4 += (a + b).tanh();
    }
    s1 * S::cst(100.0) + s2 + s3 + s4 / S::cst((n - 1) as f64)
}

/// Values of `A + B` and `A − B`, then the adjoints of `A` and of `B`.
type Run<T> = (Vec<T>, Vec<T>, Vec<T>);

/// Same shapes, one summation order apart: `1e-13` relative to the
/// largest entry (each sum of up to 40 terms of size ≤ ~10³ loses at most
/// a few ulps of the total in either order).
fn close() -> Tolerance {
    Tolerance::new(1e-13, 1e-13)
}

proptest! {
    #![proptest_config(strategies::config(32))]

    #[test]
    fn block_code_matches_scalar_code_to_second_order(
        (x, v) in (3usize..40).prop_flat_map(|n| (strategies::well_scaled(n), strategies::direction(n)))
    ) {
        let gb = gradient(blocks, &x).unwrap().gradient;
        let gs = gradient(|x| scalars(x), &x).unwrap().gradient;
        let c = Report::compare("gradient, blocks vs scalars", &gb, &gs, close());
        prop_assert!(c.passed(), "{}", c);
        let hb = hvp(blocks, &x, &v).unwrap().hv;
        let hs = hvp(|x| scalars(x), &x, &v).unwrap().hv;
        let c = Report::compare("HVP, blocks vs scalars", &hb, &hs, close());
        prop_assert!(c.passed(), "{}", c);
        let hb = hessian(blocks, &x).unwrap().to_row_major();
        let hs = hessian(|x| scalars(x), &x).unwrap().to_row_major();
        let c = Report::compare("Hessian, blocks vs scalars", &hb, &hs, close());
        prop_assert!(c.passed(), "{}", c);
    }

    #[test]
    fn add_and_sub_equal_the_general_zip_bit_for_bit(
        (a, b, v) in (1usize..30).prop_flat_map(|n| (strategies::well_scaled(n), strategies::well_scaled(n), strategies::direction(n)))
    ) {
        let duals = |p: &[f64]| -> Vec<Dual<f64, 2>> {
            p.iter().zip(&v).map(|(&x, &t)| Dual::new(x, [t, -0.5 * t])).collect()
        };
        // On f64 and on duals: values and adjoints of both inputs.
        fn run<T: Scalar>(a: &[T], b: &[T], special: bool) -> Run<T> {
            let tape = Tape::<T>::new();
            let n = a.len();
            let (x, y) = (tape.input_block(1, n, a).unwrap(), tape.input_block(1, n, b).unwrap());
            let (s, d) = if special {
                (x.add(&y).unwrap(), x.sub(&y).unwrap())
            } else {
                (x.zip(&y, "add", rules::add).unwrap(), x.zip(&y, "sub", rules::sub).unwrap())
            };
            let f = s.mul(&d).unwrap().sum() + d.sum();
            let g = f.backward();
            let mut values = s.values();
            values.extend(d.values());
            (values, g.wrt_block(&x), g.wrt_block(&y))
        }
        prop_assert_eq!(run(&a, &b, true), run(&a, &b, false));
        let (da, db) = (duals(&a), duals(&b));
        let bits = |v: Run<Dual<f64, 2>>| {
            [v.0, v.1, v.2].concat().iter().flat_map(|d| [d.re, d.eps[0], d.eps[1]]).map(f64::to_bits).collect::<Vec<_>>()
        };
        prop_assert_eq!(bits(run(&da, &db, true)), bits(run(&da, &db, false)));
    }
}

/// Sums of every length around the eight running sums' chunking (no
/// remainder, every remainder, shorter than one chunk), of integers, whose
/// sum is exact in any order: a dropped or doubled entry shows.
#[test]
fn block_sums_of_every_length_are_exact_on_integers() {
    for n in 1..=40usize {
        let x: Vec<f64> = (0..n).map(|k| (k * k % 17) as f64 - 8.0).collect();
        let exact: f64 = x.iter().sum();
        let tape = Tape::<f64>::new();
        let b = tape.input_block(1, n, &x).unwrap();
        assert_eq!(b.sum().value(), exact, "sum of {n} entries");
        assert_eq!(
            b.mean().value(),
            exact * (1.0 / n as f64),
            "mean of {n} entries"
        );
        // And every entry's adjoint is the weight, once.
        assert_eq!(b.sum().backward().wrt_block(&b), vec![1.0; n], "n = {n}");
    }
}
