//! Sparse Hessians whose detection used to blow up (issue 9, item 4), the
//! exact patterns it must still find, and the checked accessors of item 15.

use proptest::prelude::*;
use saddle_check::expr::expr;
use saddle_check::strategies;
use saddle_dual::{hessian, sparse_hessian, Dual, HessianColoring, LANES};
use saddle_tape::prelude::*;
use saddle_tape::HessianPattern;

/// Population variance `(1/n) Σ (xᵢ − m)²`, `m = (1/n) Σ xᵢ`: every output
/// node depends on every input, the case that allocated 13 GB.
fn variance<S: Real>(x: &[S]) -> S {
    let n = x.len() as f64;
    let m = x.iter().copied().sum::<S>() / n;
    x.iter().map(|&v| (v - m) * (v - m)).sum::<S>() / n
}

/// `y ← sin(y·x₁) + 0.5·x₀`, 20 000 times from `y = x₀`: a long nonlinear
/// chain in two variables (the case that took 57 s: every node searched the
/// whole tape behind it).
fn chain<S: Real>(x: &[S]) -> S {
    let mut y = x[0];
    for _ in 0..20_000 {
        y = (y * x[1]).sin() + x[0] * 0.5;
    }
    y
}

fn rosenbrock<S: Real>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (S::one() - w[0]).powi(2))
        .sum()
}

#[test]
fn sparse_hessian_of_the_variance_of_800_numbers_completes_and_is_exact() {
    let n = 800;
    let x: Vec<f64> = (0..n).map(|i| (0.37 * i as f64).sin()).collect();
    let h = sparse_hessian(|v| variance(v), &x).unwrap();
    // ∇² var = (2/n)(I − 11ᵀ/n). The entries are sums of ~n terms of size
    // 2/n², each rounded once: an error of n·ε·(2/n) ≈ 4.4e-16 at most;
    // 1e-15 is a few ulps of the diagonal 2/n.
    let (nf, tol) = (n as f64, 1e-15);
    for j in 0..n {
        for i in 0..n {
            let exact = 2.0 / nf * (f64::from(i == j) - 1.0 / nf);
            let got = h.get(i, j);
            assert!(
                (got - exact).abs() <= tol,
                "H[{i}][{j}] = {got}, exact {exact}"
            );
        }
    }
    // The pattern is dense, so it is evaluated like the dense Hessian:
    // ⌈n/LANES⌉ sweeps, not one per column.
    assert_eq!(h.nnz(), n * n);
    assert_eq!(h.sweeps(), n.div_ceil(LANES));
    // The dense driver sweeps rows i ≥ ⌊j/LANES⌋·LANES of column j (the
    // same arithmetic as these sweeps) and copies the rows above from
    // their transposes.
    let dense = hessian(|v| variance(v), &x).unwrap();
    for j in 0..n {
        for i in 0..n {
            let swept = if i >= j / LANES * LANES {
                h.get(i, j)
            } else {
                h.get(j, i)
            };
            assert_eq!(dense.get(i, j).to_bits(), swept.to_bits(), "H[{i}][{j}]");
        }
    }
}

#[test]
fn sparse_hessian_of_a_20000_step_chain_in_two_variables_completes_and_agrees() {
    let x = [0.3, 0.7];
    let sparse = sparse_hessian(|v| chain(v), &x).unwrap();
    let dense = hessian(|v| chain(v), &x).unwrap();
    // Same arithmetic in the same order (one sweep, the same seeds in the
    // used lanes): equal to the last bit.
    assert_eq!(sparse.to_dense_row_major(), dense.to_row_major());
    assert_eq!(sparse.nnz(), 4);
    assert_eq!(sparse.sweeps(), 1);
}

#[test]
fn w1_tridiagonal_pattern_is_found_exactly_with_three_colours() {
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.3 * (i as f64).cos()).collect();
    let c = HessianColoring::detect(&|v: &[Var<'_, Dual<f64, LANES>>]| rosenbrock(v), &x).unwrap();
    let tridiagonal = HessianPattern::from_pairs(
        n,
        (0..n - 1).flat_map(|i| [(i, i), (i, i + 1), (i + 1, i + 1)]),
    )
    .unwrap();
    assert_eq!(c.pattern(), &tridiagonal);
    assert_eq!(c.num_colors(), 3);
    let sparse = c
        .hessian(&|v: &[Var<'_, Dual<f64, LANES>>]| rosenbrock(v), &x)
        .unwrap();
    let dense = hessian(|v| rosenbrock(v), &x).unwrap();
    // Different seeds per sweep, but each entry is the same single chain of
    // products: equal to the last bit.
    assert_eq!(sparse.to_dense_row_major(), dense.to_row_major());
}

const N: usize = 5;

proptest! {
    #![proptest_config(strategies::config(300))]

    /// On smooth random expressions the pattern is exactly the structural
    /// one, and holds every entry of the dense Hessian that is nonzero.
    #[test]
    fn pattern_of_random_expressions_is_the_structural_pattern(e in expr(N, 5), x in strategies::well_scaled(N)) {
        let tape = Tape::<f64>::new();
        let v = tape.vars(&x);
        let y = e.eval(&v);
        let p = tape.hessian_pattern(&v, y);
        prop_assert_eq!(&p, &HessianPattern::from_pairs(N, e.structural_hessian()).unwrap());
        let h = hessian(|w| e.eval(w), &x).unwrap();
        for j in 0..N {
            for i in 0..N {
                prop_assert!(h.get(i, j) == 0.0 || p.contains(i, j), "H[{}][{}] = {} outside the pattern", i, j, h.get(i, j));
            }
        }
    }
}

#[test]
fn hessian_pattern_from_pairs_names_the_bad_pair() {
    let e = HessianPattern::from_pairs(3, [(0, 1), (2, 3)]).unwrap_err();
    assert_eq!(e.to_string(), "HessianPattern: entry (2, 3) outside 3×3");
}

#[test]
fn sparse_hessian_get_out_of_range_has_a_checked_alternative() {
    let h = sparse_hessian(|v| v[0] * v[1], &[1.0, 2.0]).unwrap();
    assert_eq!(h.try_get(0, 1), Some(1.0));
    assert_eq!(h.try_get(0, 0), Some(0.0));
    assert_eq!(h.try_get(2, 0), None);
    assert_eq!(h.try_get(0, 2), None);
    assert!(h.try_column(2).is_none());
    let msg = std::panic::catch_unwind(|| h.get(0, 2))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert_eq!(
        *msg,
        "SparseHessian::get(0, 2) out of range for a 2×2 Hessian"
    );
}
