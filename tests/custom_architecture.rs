//! The residual block of `examples/custom_architecture.rs`, written with
//! block operations, against the same function as scalar code (an
//! independent route: no block operation involved) and against central
//! finite differences.

#[path = "../examples/common/residual.rs"]
mod residual;

use residual::Residual;
use saddle::dual::{gradient, hessian, hvp};

/// `max |a − b| / max |b|`.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    diff / scale
}

/// Both routes compute the same exact derivatives and differ only in the
/// order of floating-point additions (gemm blocking vs loops, `mean` vs
/// `sum / (n d)`). Each entry is a sum of at most n·h·d = 64·8·4 ≈ 2000
/// products of O(1) terms, so the worst-case forward error bound is about
/// 2000·u ≈ 2.2e-13 of the largest entry; 1e-12 keeps a factor ~5 above it.
const ROUTE_TOL: f64 = 1e-12;

fn model() -> (Residual, Vec<f64>) {
    let m = Residual::sample(64, 4, 8);
    let p = m.params();
    (m, p)
}

#[test]
fn residual_block_loss_matches_scalar_route() {
    let (m, p) = model();
    let (a, b) = (
        gradient(|t| m.loss_blocks(t), &p).unwrap().value,
        m.loss_scalar(&p),
    );
    assert!(((a - b) / b).abs() < ROUTE_TOL, "{a} vs {b}");
}

#[test]
fn residual_block_gradient_matches_scalar_route_and_finite_differences() {
    let (m, p) = model();
    let g_block = gradient(|t| m.loss_blocks(t), &p).unwrap().gradient;
    let g_scalar = gradient(|t| m.loss_scalar(t), &p).unwrap().gradient;
    let r = relative(&g_block, &g_scalar);
    assert!(r < ROUTE_TOL, "block vs scalar gradient: {r:e}");
    // Central differences, step 1e-5: truncation h²·|f'''|/6 ≈ 1e-11 and
    // rounding u·|f|/h ≈ 1e-11 for |f|, |f'''| = O(1); 1e-7 relative leaves
    // a wide margin while catching any wrong derivative (errors of O(1)).
    let step = 1e-5;
    let fd: Vec<f64> = (0..p.len())
        .map(|k| {
            let (mut up, mut down) = (p.clone(), p.clone());
            up[k] += step;
            down[k] -= step;
            (m.loss_scalar(&up) - m.loss_scalar(&down)) / (2.0 * step)
        })
        .collect();
    let r = relative(&g_block, &fd);
    assert!(r < 1e-7, "block gradient vs finite differences: {r:e}");
}

#[test]
fn residual_block_hessian_and_hvp_match_scalar_route_and_finite_differences() {
    let (m, p) = model();
    let h_block = hessian(|t| m.loss_blocks(t), &p).unwrap();
    let h_scalar = hessian(|t| m.loss_scalar(t), &p).unwrap();
    let r = relative(h_block.as_column_major(), h_scalar.as_column_major());
    assert!(r < ROUTE_TOL, "block vs scalar Hessian: {r:e}");

    let v: Vec<f64> = (0..p.len()).map(|k| (k as f64).cos()).collect();
    let hv_block = hvp(|t| m.loss_blocks(t), &p, &v).unwrap().hv;
    let hv_scalar = hvp(|t| m.loss_scalar(t), &p, &v).unwrap().hv;
    assert!(relative(&hv_block, &hv_scalar) < ROUTE_TOL);
    // H v from the dense Hessian agrees with the HVP driver (same rounding
    // argument, n = 72 terms per entry).
    let n = h_block.n();
    let hv_dense: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h_block.get(i, j) * v[j]).sum())
        .collect();
    assert!(relative(&hv_dense, &hv_block) < ROUTE_TOL);

    // H v by central differences of the (exact) block gradient along v:
    // (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, ε = 1e-5; truncation ε²·|∇⁴L|·|v|³
    // and rounding u/ε are both ≈ 1e-10 here; 1e-6 relative is a safe bound.
    let eps = 1e-5;
    let shifted = |s: f64| {
        let q: Vec<f64> = p.iter().zip(&v).map(|(a, b)| a + s * b).collect();
        gradient(|t| m.loss_blocks(t), &q).unwrap().gradient
    };
    let (gp, gm) = (shifted(eps), shifted(-eps));
    let fd: Vec<f64> = gp
        .iter()
        .zip(&gm)
        .map(|(a, b)| (a - b) / (2.0 * eps))
        .collect();
    let r = relative(&hv_block, &fd);
    assert!(r < 1e-6, "block HVP vs finite differences: {r:e}");
}
