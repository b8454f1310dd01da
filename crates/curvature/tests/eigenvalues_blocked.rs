//! The one-thread eigenvalues-only path (blocked Householder reduction and
//! root-free QL/QR, on x86-64 CPUs with AVX2 and FMA) against independent routes: faer's
//! full decomposition (`Eigen::of`: faer's own reduction, divide and
//! conquer), matrices of known spectrum, and closed forms.
//!
//! Tolerances: both routes are backward stable, so each computed eigenvalue
//! is within `c·n·ε·‖A‖₂` of the exact one (Weyl's inequality), `ε = 2⁻⁵²`.
//! The tests use `c = 4` (`tol(n, norm)`); the observed errors are at most
//! a third of `n·ε·‖A‖₂` (`known_spectra_random_orthogonal_similarity`
//! prints them: ≤ 1.1e-14 relative at n = 150), a margin of 12 or more,
//! while one wrong reflector or an unsorted or unconverged eigenvalue
//! misses by `O(‖A‖)`. Matrices built as
//! `Q diag(λ) Qᵀ` carry the same order of rounding from their construction,
//! which the same bound covers.

use saddle_curvature::{eigenvalues, eigenvalues_of_symmetric, Eigen, EigenOptions};
use saddle_dual::Hessian;

mod matrices;
use matrices::random_symmetric;

/// `c·n·ε·‖A‖₂` with `c = 4` (see the module doc), for `n ≥ 1`.
fn tol(n: usize, norm: f64) -> f64 {
    4.0 * n.max(1) as f64 * f64::EPSILON * norm
}

/// `Q diag(λ) Qᵀ` with `Q` the (dense, Haar-like) eigenvector matrix of a
/// seeded random symmetric matrix, as computed by faer: orthonormal to
/// `~n·ε`, so the spectrum of the result is `λ` up to `O(n ε max|λ|)`.
fn with_spectrum(lambda: &[f64], seed: u64) -> Hessian {
    let n = lambda.len();
    let e = Eigen::of(&random_symmetric(n, seed)).unwrap();
    let q: Vec<f64> = (0..n).flat_map(|k| e.vector(k).to_vec()).collect();
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let v: f64 = (0..n)
                .map(|k| lambda[k] * q[k * n + i] * q[k * n + j])
                .sum();
            a[j * n + i] = v;
            a[i * n + j] = v;
        }
    }
    Hessian::from_column_major(n, a).unwrap()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| m.max(x.abs()))
}

/// Asserts `got` ascending and within `tol(n, max|want|)` of `want` (sorted
/// here), returning the largest error relative to `max|want|` (0 if 0).
fn assert_close(what: &str, got: &[f64], want: &[f64]) -> f64 {
    let n = want.len();
    assert_eq!(got.len(), n, "{what}: length");
    assert!(
        got.windows(2).all(|w| w[0] <= w[1]),
        "{what}: not ascending"
    );
    let mut want = want.to_vec();
    want.sort_by(f64::total_cmp);
    let norm = max_abs(&want);
    let mut worst = 0.0_f64;
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        let err = (g - w).abs();
        assert!(
            err <= tol(n, norm),
            "{what}, λ_{k}: got {g:e}, want {w:e}, error {err:e} > {:e} (max|λ| = {norm:e})",
            tol(n, norm)
        );
        if norm > 0.0 {
            worst = worst.max(err / norm);
        }
    }
    worst
}

/// Sizes around the panel width (32) and the 4-column and 8/16-lane steps
/// of the kernels, against faer's full decomposition.
#[test]
fn blocked_values_match_faer_across_panel_boundaries() {
    for (n, seed) in [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (17, 6),
        (31, 7),
        (32, 8),
        (33, 9),
        (34, 10),
        (63, 11),
        (64, 12),
        (65, 13),
        (100, 14),
        (257, 15),
        (600, 16),
    ] {
        let h = random_symmetric(n, seed);
        let full = Eigen::of(&h).unwrap();
        assert_close(
            &format!("random n = {n}"),
            &eigenvalues(&h).unwrap(),
            full.values(),
        );
    }
}

/// Prescribed spectra under a random orthogonal similarity: spread,
/// clustered, repeated, indefinite, graded over 12 decades, and with a
/// zero block.
#[test]
fn known_spectra_random_orthogonal_similarity() {
    let n = 150;
    let spread: Vec<f64> = (0..n).map(|k| k as f64 - 40.0).collect();
    let clustered: Vec<f64> = (0..n)
        .map(|k| {
            if k < 100 {
                1.0 + 1e-10 * k as f64
            } else {
                -3.0
            }
        })
        .collect();
    let repeated: Vec<f64> = (0..n).map(|k| [2.0, -2.0, 0.5][k % 3]).collect();
    let graded: Vec<f64> = (0..n)
        .map(|k| {
            10f64.powf(-12.0 * k as f64 / (n - 1) as f64) * if k % 2 == 0 { 1.0 } else { -1.0 }
        })
        .collect();
    let zeros: Vec<f64> = (0..n)
        .map(|k| if k < 50 { 0.0 } else { k as f64 })
        .collect();
    for (name, lambda, seed) in [
        ("spread", &spread, 21),
        ("clustered", &clustered, 22),
        ("repeated", &repeated, 23),
        ("graded", &graded, 24),
        ("zero block", &zeros, 25),
    ] {
        let h = with_spectrum(lambda, seed);
        let worst = assert_close(name, &eigenvalues(&h).unwrap(), lambda);
        eprintln!(
            "{name}: max |Δλ| / max|λ| = {worst:.1e} (n ε = {:.1e})",
            n as f64 * f64::EPSILON
        );
    }
}

/// Diagonal matrices are already reduced: the eigenvalues are the
/// diagonal, exactly (no rotation touches them; sorting only).
#[test]
fn diagonal_matrices_give_their_diagonal_exactly() {
    for n in [1, 2, 5, 40, 77] {
        let diag: Vec<f64> = (0..n).map(|k| ((k * 37) % 11) as f64 - 5.5).collect();
        let mut a = vec![0.0; n * n];
        for k in 0..n {
            a[k * n + k] = diag[k];
        }
        let got = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
        let mut want = diag.clone();
        want.sort_by(f64::total_cmp);
        assert_eq!(got, want, "n = {n}");
    }
}

/// The second-difference matrix `tridiag(−1, 2, −1)`: eigenvalues
/// `2 − 2 cos(kπ/(n + 1))`, `k = 1…n` (closed form); given dense, and
/// as a block-diagonal pair (a zero off-diagonal splits it: two unreduced
/// blocks in the tridiagonal solver).
#[test]
fn second_difference_matrix_closed_form() {
    for n in [2, 3, 10, 33, 200] {
        let mut a = vec![0.0; n * n];
        for k in 0..n {
            a[k * n + k] = 2.0;
            if k + 1 < n {
                a[k * n + k + 1] = -1.0;
                a[(k + 1) * n + k] = -1.0;
            }
        }
        let want: Vec<f64> = (1..=n)
            .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
            .collect();
        let got = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
        assert_close(&format!("second difference n = {n}"), &got, &want);
        // Two copies on the diagonal: every eigenvalue twice.
        let m = 2 * n;
        let mut b = vec![0.0; m * m];
        for j in 0..n {
            for i in 0..n {
                b[j * m + i] = a[j * n + i];
                b[(j + n) * m + i + n] = a[j * n + i];
            }
        }
        let twice: Vec<f64> = want.iter().chain(&want).copied().collect();
        let got = eigenvalues_of_symmetric(m, &b, &EigenOptions::default()).unwrap();
        assert_close(&format!("two blocks n = {n}"), &got, &twice);
    }
}

/// Wilkinson's `W₂₁⁺` (diagonal `|10 − i|`, off-diagonal 1): its largest
/// eigenvalues come in pairs agreeing to ~14 digits, a classic test of a
/// tridiagonal QL/QR. Against faer's full decomposition.
#[test]
fn wilkinson_w21_close_pairs() {
    let n = 21;
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        a[i * n + i] = (10.0 - i as f64).abs();
        if i + 1 < n {
            a[i * n + i + 1] = 1.0;
            a[(i + 1) * n + i] = 1.0;
        }
    }
    let h = Hessian::from_column_major(n, a).unwrap();
    let full = Eigen::of(&h).unwrap();
    let got = eigenvalues(&h).unwrap();
    assert_close("W21+", &got, full.values());
    // The top pair agrees to ~14 digits (10.7461941829033…, Wilkinson):
    // both found, neither lost nor duplicated into the next pair (9.21…).
    for k in [19, 20] {
        assert!(
            (got[k] - 10.7461941829033).abs() < 1e-11,
            "λ_{k} = {}",
            got[k]
        );
    }
    assert!(got[18] < 9.3, "λ_18 = {}", got[18]);
}

/// Entries of `±1e300` and `±1e-300` magnitude: the power-of-two scaling
/// makes the spectrum scale exactly with the matrix (`λ(sA) = s·λ(A)` for
/// `s` a power of two, bit for bit, since every operation is scaled
/// exactly), and for other `s` to rounding.
#[test]
fn huge_and_tiny_scales() {
    let n = 70;
    let base = random_symmetric(n, 31);
    let ref_vals = eigenvalues(&base).unwrap();
    let scaled = |s: f64| {
        let a: Vec<f64> = base.as_column_major().iter().map(|v| v * s).collect();
        eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap()
    };
    for s in [2f64.powi(900), 2f64.powi(-900), 2f64.powi(-960)] {
        let got = scaled(s);
        let want: Vec<f64> = ref_vals.iter().map(|v| v * s).collect();
        assert_eq!(got, want, "scale {s:e}");
    }
    for s in [1e300, -1e300, 1e-300, 3.7e-305] {
        let got = scaled(s);
        let want: Vec<f64> = ref_vals.iter().map(|v| v * s).collect();
        assert_close(&format!("scale {s:e}"), &got, &want);
    }
}

/// The zero matrix (zero norm: the tridiagonal solver skips it) and a
/// rank-one matrix `u uᵀ` (eigenvalues 0, …, 0, ‖u‖²).
#[test]
fn zero_and_rank_one() {
    for n in [1, 3, 50] {
        let got = eigenvalues_of_symmetric(n, &vec![0.0; n * n], &EigenOptions::default()).unwrap();
        assert_eq!(got, vec![0.0; n]);
        let u: Vec<f64> = (0..n).map(|k| 1.0 + k as f64 / n as f64).collect();
        let a: Vec<f64> = (0..n * n).map(|k| u[k % n] * u[k / n]).collect();
        let mut want = vec![0.0; n];
        want[n - 1] = u.iter().map(|x| x * x).sum();
        let got = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
        assert_close(&format!("rank one n = {n}"), &got, &want);
    }
}

/// Only the lower triangle is read: garbage (even NaN is rejected by the
/// input check, so large finite values) above the diagonal changes
/// nothing.
#[test]
fn only_the_lower_triangle_is_read() {
    let n = 45;
    let h = random_symmetric(n, 41);
    let mut a = h.as_column_major().to_vec();
    let clean = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
    for j in 1..n {
        for i in 0..j {
            a[j * n + i] = 1e10 * (i + j) as f64;
        }
    }
    let got = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
    assert_eq!(got, clean);
}
