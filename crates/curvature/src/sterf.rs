//! Eigenvalues of a symmetric tridiagonal matrix by the Pal–Walker–Kahan
//! root-free variant of implicit QL/QR (LAPACK's `dsterf`), `O(n²)`.
//!
//! On the unreduced block `d[l..=m]`, `e[l..m]` the iteration works on the
//! squares `e²` and needs one division and no square root per rotation;
//! each sweep chases the bulge of a Wilkinson-like shift `σ` (the
//! eigenvalue of the leading 2 × 2 nearer `d[l]`). QL runs from the bottom
//! up and QR top down, whichever end of the block has the smaller `|d|`
//! (the end that converges first). An off-diagonal counts as zero when
//! `|eᵢ| ≤ ε √|dᵢ| √|dᵢ₊₁|` (between sweeps: `eᵢ² ≤ ε²|dᵢ dᵢ₊₁|`), which
//! keeps the eigenvalues accurate to `O(ε)·‖T‖` (backward stable).

use crate::error::Error;

/// Sweeps allowed per eigenvalue before giving up (LAPACK's `MAXIT`).
const MAX_SWEEPS_PER_VALUE: usize = 30;

/// The eigenvalues `(rt1, rt2)`, `|rt1| ≥ |rt2|`, of `[[a, b], [b, c]]`
/// (LAPACK's `dlae2`): `rt1 = (a + c ± √((a − c)² + 4b²))/2` with the sign
/// of `a + c`, and `rt2 = (max·min − b²)/rt1` from the determinant, which
/// avoids the cancellation of the other root.
fn eig2(a: f64, b: f64, c: f64) -> (f64, f64) {
    let sm = a + c;
    let adf = (a - c).abs();
    let ab = (b + b).abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        adf * (1.0 + (ab / adf).powi(2)).sqrt()
    } else if adf < ab {
        ab * (1.0 + (adf / ab).powi(2)).sqrt()
    } else {
        ab * std::f64::consts::SQRT_2
    };
    if sm < 0.0 {
        let rt1 = 0.5 * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else if sm > 0.0 {
        let rt1 = 0.5 * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else {
        (0.5 * rt, -0.5 * rt)
    }
}

/// The power of two that brings `norm` into `[2⁻²⁵⁰, 2²⁵⁰]` (1 if it is
/// already there): the squares `e²` then neither overflow nor underflow
/// for the entries that matter. Exact, unlike `dlascl`'s ratio.
fn block_scale(norm: f64) -> f64 {
    const HI: f64 = 1.8092513943330656e75; // 2²⁵⁰
    const LO: f64 = 5.527147875260445e-76; // 2⁻²⁵⁰
    if !(LO..=HI).contains(&norm) {
        2.0_f64.powi(-(norm.log2().round() as i32))
    } else {
        1.0
    }
}

/// The eigenvalues, ascending, of the symmetric tridiagonal matrix with
/// diagonal `d` (`n`) and off-diagonal `e` (`n − 1`), both finite.
/// Consumes both.
///
/// # Errors
/// If the iteration has not converged after `30·n` sweeps in all (never
/// seen; the error counts the off-diagonals left).
///
/// # Panics
/// If `e.len() + 1 != d.len()` for non-empty `d`.
pub(crate) fn tridiagonal_eigenvalues(mut d: Vec<f64>, mut e: Vec<f64>) -> Result<Vec<f64>, Error> {
    let n = d.len();
    if n <= 1 {
        return Ok(d);
    }
    assert_eq!(e.len() + 1, n);
    let eps = f64::EPSILON / 2.0; // unit roundoff, LAPACK's DLAMCH('E')
    let eps2 = eps * eps;
    let max_sweeps = MAX_SWEEPS_PER_VALUE * n;
    let mut sweeps = 0;
    let mut l1 = 0;
    while l1 < n {
        if l1 > 0 {
            e[l1 - 1] = 0.0;
        }
        // The unreduced block l1..=m.
        let mut m = l1;
        while m + 1 < n {
            if e[m].abs() <= d[m].abs().sqrt() * d[m + 1].abs().sqrt() * eps {
                e[m] = 0.0;
                break;
            }
            m += 1;
        }
        let (lsv, lendsv) = (l1, m);
        l1 = m + 1;
        if lendsv == lsv {
            continue;
        }
        let norm = d[lsv..=lendsv]
            .iter()
            .chain(&e[lsv..lendsv])
            .fold(0.0_f64, |s, v| s.max(v.abs()));
        if norm == 0.0 {
            continue;
        }
        let scale = block_scale(norm);
        if scale != 1.0 {
            d[lsv..=lendsv].iter_mut().for_each(|v| *v *= scale);
            e[lsv..lendsv].iter_mut().for_each(|v| *v *= scale);
        }
        e[lsv..lendsv].iter_mut().for_each(|v| *v *= *v);
        let converged = if d[lendsv].abs() < d[lsv].abs() {
            qr_sweeps(&mut d, &mut e, lendsv, lsv, eps2, &mut sweeps, max_sweeps)
        } else {
            ql_sweeps(&mut d, &mut e, lsv, lendsv, eps2, &mut sweeps, max_sweeps)
        };
        if scale != 1.0 {
            d[lsv..=lendsv].iter_mut().for_each(|v| *v /= scale);
        }
        if !converged {
            let left = e.iter().filter(|v| **v != 0.0).count();
            return Err(Error::eigen(format!(
                "the tridiagonal QL/QR iteration did not converge in {max_sweeps} sweeps \
                 ({left} of {} off-diagonal entries left nonzero, n = {n})",
                n - 1
            )));
        }
    }
    d.sort_by(f64::total_cmp);
    Ok(d)
}

/// The shift: the eigenvalue nearer `p = d[l]` of the 2 × 2 block
/// `[[p, √e2], [√e2, d_next]]`.
fn shift(p: f64, d_next: f64, e2: f64) -> f64 {
    let rte = e2.sqrt();
    let sigma = (d_next - p) / (2.0 * rte);
    let r = sigma.hypot(1.0);
    p - rte / (sigma + r.copysign(sigma))
}

/// QL sweeps on the block `l..=lend` (`l < lend`, `e` squared), eigenvalues
/// deflating at the top (`l` moves down). False if the sweep budget ran out.
fn ql_sweeps(
    d: &mut [f64],
    e: &mut [f64],
    mut l: usize,
    lend: usize,
    eps2: f64,
    sweeps: &mut usize,
    max_sweeps: usize,
) -> bool {
    loop {
        let mut m = l;
        while m < lend {
            if e[m].abs() <= eps2 * (d[m] * d[m + 1]).abs() {
                break;
            }
            m += 1;
        }
        if m < lend {
            e[m] = 0.0;
        }
        let p = d[l];
        if m == l {
            // d[l] is an eigenvalue.
            l += 1;
            if l > lend {
                return true;
            }
            continue;
        }
        if m == l + 1 {
            let (rt1, rt2) = eig2(d[l], e[l].sqrt(), d[l + 1]);
            d[l] = rt1;
            d[l + 1] = rt2;
            e[l] = 0.0;
            l += 2;
            if l > lend {
                return true;
            }
            continue;
        }
        if *sweeps == max_sweeps {
            return false;
        }
        *sweeps += 1;
        let sigma = shift(p, d[l + 1], e[l]);
        let (mut c, mut s) = (1.0, 0.0);
        let mut gamma = d[m] - sigma;
        let mut p = gamma * gamma;
        for i in (l..m).rev() {
            let bb = e[i];
            let r = p + bb;
            if i != m - 1 {
                e[i + 1] = s * r;
            }
            let oldc = c;
            c = p / r;
            s = bb / r;
            let oldgam = gamma;
            let alpha = d[i];
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i + 1] = oldgam + (alpha - gamma);
            p = if c != 0.0 {
                gamma * gamma / c
            } else {
                oldc * bb
            };
        }
        e[l] = s * p;
        d[l] = sigma + gamma;
    }
}

/// QR sweeps on the block `lend..=l` (`l > lend`, `e` squared), eigenvalues
/// deflating at the bottom (`l` moves up). False if the sweep budget ran out.
fn qr_sweeps(
    d: &mut [f64],
    e: &mut [f64],
    mut l: usize,
    lend: usize,
    eps2: f64,
    sweeps: &mut usize,
    max_sweeps: usize,
) -> bool {
    loop {
        let mut m = l;
        while m > lend {
            if e[m - 1].abs() <= eps2 * (d[m] * d[m - 1]).abs() {
                break;
            }
            m -= 1;
        }
        if m > lend {
            e[m - 1] = 0.0;
        }
        let p = d[l];
        if m == l {
            if l == lend {
                return true;
            }
            l -= 1;
            continue;
        }
        if m + 1 == l {
            let (rt1, rt2) = eig2(d[l], e[l - 1].sqrt(), d[l - 1]);
            d[l] = rt1;
            d[l - 1] = rt2;
            e[l - 1] = 0.0;
            if l < lend + 2 {
                return true;
            }
            l -= 2;
            continue;
        }
        if *sweeps == max_sweeps {
            return false;
        }
        *sweeps += 1;
        let sigma = shift(p, d[l - 1], e[l - 1]);
        let (mut c, mut s) = (1.0, 0.0);
        let mut gamma = d[m] - sigma;
        let mut p = gamma * gamma;
        for i in m..l {
            let bb = e[i];
            let r = p + bb;
            if i != m {
                e[i - 1] = s * r;
            }
            let oldc = c;
            c = p / r;
            s = bb / r;
            let oldgam = gamma;
            let alpha = d[i + 1];
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i] = oldgam + (alpha - gamma);
            p = if c != 0.0 {
                gamma * gamma / c
            } else {
                oldc * bb
            };
        }
        e[l - 1] = s * p;
        d[l] = sigma + gamma;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[[2, 1], [1, 2]]`: eigenvalues 3 and 1, exact in binary.
    #[test]
    fn eig2_exact() {
        assert_eq!(eig2(2.0, 1.0, 2.0), (3.0, 1.0));
        assert_eq!(eig2(-2.0, 1.0, -2.0), (-3.0, -1.0));
        assert_eq!(eig2(1.0, 1.0, -1.0).0, std::f64::consts::SQRT_2);
    }
}
