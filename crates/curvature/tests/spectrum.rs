//! The spectral theorem, measured (docs/theory.md §8): matrices with known
//! spectra `H = Q diag(λ) Qᵀ` (Q a product of Householder reflections) are
//! decomposed, and every identity is checked to rounding level (1e-12
//! relative to ‖H‖ — the eigensolver is backward stable).

use proptest::prelude::*;
use saddle_check::strategies;
use saddle_curvature::{quadratic_form, Eigen};
use saddle_dual::Hessian;

/// `H = Q diag(λ) Qᵀ` with `Q = (I − 2uuᵀ)(I − 2wwᵀ)` for unit `u`, `w`.
fn with_spectrum(lambda: &[f64], u: &[f64], w: &[f64]) -> Hessian {
    let n = lambda.len();
    let unit = |v: &[f64]| {
        let s = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        v.iter().map(|a| a / s).collect::<Vec<f64>>()
    };
    let (u, w) = (unit(u), unit(w));
    let reflect = |v: &[f64], x: &mut Vec<f64>| {
        let d: f64 = v.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
        x.iter_mut().zip(v).for_each(|(a, b)| *a -= 2.0 * d * b);
    };
    // Column k of Q is Q e_k.
    let q: Vec<Vec<f64>> = (0..n)
        .map(|k| {
            let mut e = vec![0.0; n];
            e[k] = 1.0;
            reflect(&w, &mut e);
            reflect(&u, &mut e);
            e
        })
        .collect();
    let data = (0..n * n)
        .map(|idx| {
            (0..n)
                .map(|k| lambda[k] * q[k][idx % n] * q[k][idx / n])
                .sum()
        })
        .collect();
    Hessian::from_column_major(n, data).unwrap()
}

const N: usize = 6;

proptest! {
    #![proptest_config(strategies::config(64))]

    #[test]
    fn known_spectra_are_recovered(
        lambda in strategies::vector(N, -5.0, 5.0),
        u in strategies::direction(N),
        w in strategies::direction(N),
        x in strategies::well_scaled(N),
    ) {
        let h = with_spectrum(&lambda, &u, &w);
        let e = Eigen::of(&h).unwrap();
        let mut sorted = lambda.clone();
        sorted.sort_by(f64::total_cmp);
        let scale = 5.0;
        for (got, want) in e.values().iter().zip(&sorted) {
            prop_assert!((got - want).abs() <= 1e-12 * scale, "{} vs {}", got, want);
        }
        prop_assert!(e.values().windows(2).all(|p| p[0] <= p[1]), "ascending");
        prop_assert!(e.orthonormality_error() <= 1e-13);
        prop_assert!(e.reconstruction_error(&h).unwrap() <= 1e-12 * scale);
        // xᵀHx = Σ λᵢ (vᵢᵀx)²: no cross terms in the eigenbasis.
        let direct = quadratic_form(&h, &x).unwrap();
        let spectral = e.quadratic_form(&x).unwrap();
        let xx: f64 = x.iter().map(|a| a * a).sum();
        prop_assert!((direct - spectral).abs() <= 1e-12 * scale * xx.max(1.0), "{} vs {}", direct, spectral);
        // The contributions add up to ‖x‖² (Q is orthogonal).
        let c: f64 = e.contributions(&x).unwrap().iter().sum();
        prop_assert!((c - xx).abs() <= 1e-12 * xx.max(1.0));
    }
}

#[test]
fn repeated_eigenvalues_still_get_an_orthonormal_basis() {
    let h = with_spectrum(
        &[2.0, 2.0, 2.0, -1.0, -1.0, 5.0],
        &[1.0, 2.0, 0.5, -1.0, 0.3, 0.7],
        &[0.2, -0.4, 1.0, 0.1, 0.9, -0.6],
    );
    let e = Eigen::of(&h).unwrap();
    assert!(e.orthonormality_error() < 1e-13);
    assert!(e.reconstruction_error(&h).unwrap() < 1e-13);
    assert!((e.condition_number() - 5.0).abs() < 1e-12);
}

#[test]
fn bad_input_is_an_error() {
    let h = Hessian::from_column_major(2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
    assert_eq!(
        quadratic_form(&h, &[1.0]).unwrap_err().to_string(),
        "x has 1 entries, expected 2"
    );
    assert!(Eigen::of_symmetric(2, &[1.0, f64::NAN, 0.0, 1.0])
        .unwrap_err()
        .to_string()
        .contains("is NaN"));
    assert!(Eigen::of_symmetric(2, &[1.0]).is_err());
    let e = Eigen::of(&h).unwrap();
    assert!(e.contributions(&[f64::INFINITY, 0.0]).is_err());
}
