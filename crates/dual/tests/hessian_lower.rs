//! The dense Hessian driver sweeps each group of unit columns `j ≥ j₀`
//! for rows `i ≥ j₀` only (a reverse sweep that skips what only the
//! earlier inputs need) and copies the rows above from the earlier
//! columns. Checked against `hessian_matrix_product` with the identity,
//! which sweeps every row of the same lanes: the rows computed must be the
//! same numbers bit for bit, the rows copied must be their transposes, for
//! every threading and a partial last sweep.

use saddle_dual::{hessian_matrix_product, hessian_with, Dual, HessianOptions, LANES};
use saddle_tape::prelude::*;

/// A three-layer `tanh` network's squared output on fixed data, its
/// parameters numbered layer by layer (so later columns skip the first
/// layers' reverse pass), plus scalar terms coupling the first and last
/// parameters.
fn network<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = p[0].tape().expect("the driver's inputs are on its tape");
    let data: Vec<T> = (0..15)
        .map(|i| T::from_f64((0.37 * i as f64).sin()))
        .collect();
    let x = tape.constant_block(5, 3, &data).unwrap();
    let w1 = tape.stack(3, 4, &p[0..12]).unwrap();
    let w2 = tape.stack(4, 4, &p[12..28]).unwrap();
    let w3 = tape.stack(4, 1, &p[28..32]).unwrap();
    let a1 = x.matmul(&w1).unwrap().tanh();
    let a2 = a1.matmul(&w2).unwrap().tanh();
    let out = a2.matmul(&w3).unwrap();
    out.square().sum() + p[34] * p[0] + (p[33] * p[32]).sin()
}

/// 35 parameters: four full sweeps of 8 and a partial one of 3.
const N: usize = 35;

fn point() -> Vec<f64> {
    (0..N).map(|i| 0.6 * (1.1 * i as f64 + 0.3).cos()).collect()
}

#[test]
fn computed_rows_match_full_sweeps_and_copied_rows_are_their_transposes() {
    let x = point();
    let identity: Vec<f64> = (0..N * N).map(|k| f64::from(k % (N + 1) == 0)).collect();
    let full = hessian_matrix_product(network, &x, &identity).unwrap();
    for threads in [1, 2, 0] {
        let h = hessian_with::<LANES, _>(network, &x, HessianOptions { threads }).unwrap();
        for j in 0..N {
            let first = j / LANES * LANES;
            for i in 0..N {
                let expected = if i >= first {
                    full.get(i, j)
                } else {
                    full.get(j, i)
                };
                assert_eq!(
                    h.get(i, j).to_bits(),
                    expected.to_bits(),
                    "threads {threads}: H[{i}][{j}] = {} vs {expected}",
                    h.get(i, j)
                );
            }
        }
        // Symmetric exactly outside the diagonal blocks of one sweep.
        for j in 0..N {
            for i in 0..j / LANES * LANES {
                assert_eq!(h.get(i, j).to_bits(), h.get(j, i).to_bits());
            }
        }
    }
}

#[test]
fn other_lane_counts_agree_to_rounding() {
    let x = point();
    let reference = hessian_with::<LANES, _>(network, &x, HessianOptions { threads: 1 }).unwrap();
    let scale = reference
        .as_column_major()
        .iter()
        .fold(0.0f64, |m, h| m.max(h.abs()));
    // The same rules in other lane positions, and other rows copied: the
    // entries differ by the rounding of a few sums of O(1) products, a few
    // ulps of the largest entry.
    let tol = 1e-13 * scale.max(1.0);
    let check = |h: saddle_dual::Hessian, k: usize| {
        for j in 0..N {
            for i in 0..N {
                let (a, b) = (h.get(i, j), reference.get(i, j));
                assert!((a - b).abs() <= tol, "K = {k}: H[{i}][{j}] = {a} vs {b}");
            }
        }
    };
    check(
        hessian_with::<1, _>(network, &x, HessianOptions { threads: 1 }).unwrap(),
        1,
    );
    check(
        hessian_with::<3, _>(network, &x, HessianOptions { threads: 2 }).unwrap(),
        3,
    );
}

#[test]
fn hessian_agrees_with_differences_of_gradients() {
    // Central differences of the exact gradient (a K = 1 dual tape's real
    // part): error h²·|∂⁴f|/6 + ε|∇f|/h, with h = 1e-5 and O(1) derivatives
    // of this network ≈ 1e-10 + 1e-11; 1e-7 leaves room for larger
    // fourth derivatives without hiding a wrong entry (those are O(0.1)).
    let x = point();
    let h = hessian_with::<LANES, _>(network, &x, HessianOptions { threads: 1 }).unwrap();
    let gradient = |x: &[f64]| -> Vec<f64> {
        let tape = Tape::<Dual<f64, 1>>::new();
        let seeded: Vec<Dual<f64, 1>> = x.iter().map(|&v| Dual::new(v, [0.0])).collect();
        let p = tape.vars(&seeded);
        network(&p)
            .backward()
            .wrt_all(&p)
            .iter()
            .map(|a| a.re)
            .collect()
    };
    let step = 1e-5;
    for j in 0..N {
        let (mut up, mut down) = (x.clone(), x.clone());
        up[j] += step;
        down[j] -= step;
        let (gu, gd) = (gradient(&up), gradient(&down));
        for i in 0..N {
            let fd = (gu[i] - gd[i]) / (2.0 * step);
            assert!(
                (h.get(i, j) - fd).abs() <= 1e-7,
                "H[{i}][{j}] = {} vs {fd}",
                h.get(i, j)
            );
        }
    }
}

#[test]
fn at_a_non_finite_point_every_row_is_swept_as_by_the_full_sweeps() {
    // √p₂₀ at p₂₀ = 0: an infinite first derivative, and 0·∞ makes NaN in
    // some lanes and not in their transposes. The driver must not copy:
    // it equals the full sweeps entry by entry, NaN where they have NaN.
    fn f<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
        network(p) + p[20].sqrt() * p[3] + p[30] * p[20]
    }
    let mut x = point();
    x[20] = 0.0;
    let identity: Vec<f64> = (0..N * N).map(|k| f64::from(k % (N + 1) == 0)).collect();
    let full = hessian_matrix_product(f, &x, &identity).unwrap();
    let h = hessian_with::<LANES, _>(f, &x, HessianOptions { threads: 1 }).unwrap();
    assert!(h.as_column_major().iter().any(|v| !v.is_finite()));
    for j in 0..N {
        for i in 0..N {
            let (a, b) = (h.get(i, j), full.get(i, j));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "H[{i}][{j}] = {a} vs {b}"
            );
        }
    }
}
