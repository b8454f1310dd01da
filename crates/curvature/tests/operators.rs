//! The Krylov routines, CG and `damped_step` on saddle-nn's curvature
//! operators (loss Hessian, Gauss-Newton, empirical Fisher of a small
//! seeded network on a 23-sample dataset, mini-batches of 7), checked
//! against the dense matrix of each operator (`to_dense`).
//!
//! Tolerances, relative to the largest |eigenvalue| `s` of the operator
//! (or the largest compared entry), and why:
//! - 1e-10 · s for Lanczos's extreme Ritz values after `n` steps with full
//!   reorthogonalisation: the basis stays orthonormal to ~nε, so `T` is
//!   `VᵀAV` to ~1e-14 · s; the rest is the difference between `apply` and
//!   `to_dense` (sums regrouped per batch, ~1e-14 · s).
//! - 1e-12 for identities that only regroup sums of O(30) products
//!   (Hutchinson's samples against `zᵀ A z` from the dense matrix; lanes
//!   against one product per probe).
//! - 1e-9 · s^j for the SLQ moments `Σ τ θʲ` (`j ≤ 2`) against
//!   `(1/P) Σ qᵀAʲq`: Gauss quadrature with `n` nodes is exact for degree
//!   ≤ 2n − 1, so only rounding in the eigenvectors of `T` remains.

use std::cell::RefCell;

use saddle_curvature::{
    conjugate_gradient, hutchinson_trace, lanczos, spectral_density, CgOptions, CgStop,
    DensityOptions, Eigen, PROBE_BLOCK,
};
use saddle_dual::{FnOperator, Hessian, HessianOptions, LinearOperator};
use saddle_nn::{
    Activation, Activations, Dataset, EmpiricalFisher, Error, GaussNewtonOperator, HessianOperator,
    Init, Matrix, Mlp, Mse,
};

const N: usize = 23;
const BATCH: usize = 7;

fn data() -> Dataset {
    let x = (0..N * 3).map(|k| (0.61 * k as f64 + 0.2).sin()).collect();
    let y = (0..N * 2).map(|k| (0.9 * k as f64).cos()).collect();
    Dataset::new(Matrix::new(N, 3, x).unwrap(), Matrix::new(N, 2, y).unwrap()).unwrap()
}

fn net() -> Mlp {
    Mlp::new(
        &[3, 4, 2],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap()
}

/// Runs `f(name, operator, dense)` for the three operators of the network.
fn each_operator(net: &Mlp, data: &Dataset, mut f: impl FnMut(&str, &dyn Op, &Hessian)) {
    let o = HessianOptions::default();
    let h = HessianOperator::new(net, data, &Mse, BATCH, o).unwrap();
    f("hessian", &h, &h.to_dense().unwrap());
    let g = GaussNewtonOperator::new(net, data, &Mse, BATCH, o).unwrap();
    f("ggn", &g, &g.to_dense().unwrap());
    let fi = EmpiricalFisher::new(net, data, &Mse, BATCH).unwrap();
    f("fisher", &fi, &fi.to_dense().unwrap());
}

/// The operators as trait objects (one error type: saddle-nn's).
trait Op: LinearOperator<Error = Error> {}
impl<T: LinearOperator<Error = Error>> Op for T {}

fn dense_apply(a: &Hessian, v: &[f64]) -> Vec<f64> {
    let n = a.n();
    (0..n)
        .map(|i| (0..n).map(|j| a.get(i, j) * v[j]).sum())
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn scale_of(e: &Eigen) -> f64 {
    e.max().abs().max(e.min().abs())
}

/// Forwards `apply` only, so `apply_columns` is the trait's default: one
/// product per direction (the one-at-a-time path).
struct OneAtATime<'a>(&'a dyn Op);

impl LinearOperator for OneAtATime<'_> {
    type Error = Error;
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Error> {
        self.0.apply(v)
    }
}

/// Forwards everything and records each call's directions.
struct Recorder<'a> {
    op: &'a dyn Op,
    calls: RefCell<Vec<Vec<f64>>>,
}

impl LinearOperator for Recorder<'_> {
    type Error = Error;
    fn dim(&self) -> usize {
        self.op.dim()
    }
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, Error> {
        self.calls.borrow_mut().push(v.to_vec());
        self.op.apply(v)
    }
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, Error> {
        self.calls.borrow_mut().push(directions.to_vec());
        self.op.apply_columns(directions)
    }
}

#[test]
fn lanczos_on_every_operator_matches_the_dense_extremes() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, dense| {
        let n = op.dim();
        let eig = Eigen::of(dense).unwrap();
        let s = scale_of(&eig);
        let ritz = lanczos(op, n, 3).unwrap();
        let (top, bottom) = (*ritz.values.last().unwrap(), ritz.values[0]);
        assert!(
            (top - eig.max()).abs() <= 1e-10 * s,
            "{name}: λmax {top} vs {}",
            eig.max()
        );
        assert!(
            (bottom - eig.min()).abs() <= 1e-10 * s,
            "{name}: λmin {bottom} vs {}",
            eig.min()
        );
    });
}

#[test]
fn hutchinson_on_every_operator_is_the_mean_of_exact_quadratic_forms() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, dense| {
        // 19 probes: two full blocks and a partial one.
        let probes = 2 * PROBE_BLOCK + 3;
        let rec = Recorder {
            op,
            calls: RefCell::new(Vec::new()),
        };
        let t = hutchinson_trace(&rec, probes, 11).unwrap();
        let n = op.dim();
        let calls = rec.calls.into_inner();
        // The probes went through apply_columns a block at a time.
        let widths: Vec<usize> = calls.iter().map(|c| c.len() / n).collect();
        assert_eq!(widths, vec![PROBE_BLOCK, PROBE_BLOCK, 3], "{name}");
        let zs: Vec<&[f64]> = calls.iter().flat_map(|c| c.chunks_exact(n)).collect();
        assert!(zs.iter().all(|z| z.iter().all(|a| a.abs() == 1.0)));
        let samples: Vec<f64> = zs.iter().map(|z| dot(z, &dense_apply(dense, z))).collect();
        let mean = samples.iter().sum::<f64>() / probes as f64;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (probes - 1) as f64;
        let s = samples.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        assert!(
            (t.estimate - mean).abs() <= 1e-12 * s,
            "{name}: {} vs {mean}",
            t.estimate
        );
        let se = (var / probes as f64).sqrt();
        assert!(
            (t.standard_error - se).abs() <= 1e-12 * s,
            "{name}: standard error {} vs {se}",
            t.standard_error
        );
        // With every probe, the estimate is unbiased: E[zzᵀ] = I makes
        // E[zᵀAz] = tr A. The exact trace is within a few standard errors
        // here; asserted loosely (10 SE) only to catch a wrong scaling.
        let trace: f64 = (0..n).map(|i| dense.get(i, i)).sum();
        assert!(
            (t.estimate - trace).abs() <= 10.0 * se + 1e-12 * s,
            "{name}"
        );
    });
}

#[test]
fn hutchinson_in_blocks_equals_one_probe_at_a_time() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, _| {
        let blocks = hutchinson_trace(op, 19, 4).unwrap();
        let single = hutchinson_trace(&OneAtATime(op), 19, 4).unwrap();
        let s = blocks.estimate.abs().max(blocks.standard_error);
        assert!(
            (blocks.estimate - single.estimate).abs() <= 1e-12 * s,
            "{name}: {} vs {}",
            blocks.estimate,
            single.estimate
        );
        assert!(
            (blocks.standard_error - single.standard_error).abs() <= 1e-12 * s,
            "{name}"
        );
    });
}

#[test]
fn spectral_density_on_every_operator_matches_dense_moments() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, dense| {
        let n = op.dim();
        let eig = Eigen::of(dense).unwrap();
        let s = scale_of(&eig);
        let options = DensityOptions {
            steps: n,
            probes: PROBE_BLOCK + 2,
            sigma: 0.05 * s,
            points: 50,
            seed: 9,
        };
        let rec = Recorder {
            op,
            calls: RefCell::new(Vec::new()),
        };
        let d = spectral_density(&rec, &options).unwrap();
        // The probes are the recorded directions with every entry ±1/√n
        // (the Lanczos vectors after them are not).
        let unit = 1.0 / (n as f64).sqrt();
        let calls = rec.calls.into_inner();
        let probes: Vec<&[f64]> = calls
            .iter()
            .flat_map(|c| c.chunks_exact(n))
            .filter(|q| q.iter().all(|a| a.abs() == unit))
            .collect();
        assert_eq!(probes.len(), options.probes, "{name}");
        // Every node is an eigenvalue (full-dimension Lanczos).
        for &(theta, _) in &d.nodes {
            let nearest = eig
                .values()
                .iter()
                .map(|l| (l - theta).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(nearest <= 1e-9 * s, "{name}: node {theta} is {nearest} off");
        }
        // Moments j = 0, 1, 2 against (1/P) Σ qᵀAʲq from the dense matrix.
        let p = probes.len() as f64;
        let m1 = probes
            .iter()
            .map(|q| dot(q, &dense_apply(dense, q)))
            .sum::<f64>()
            / p;
        let m2 = probes
            .iter()
            .map(|q| {
                let aq = dense_apply(dense, q);
                dot(&aq, &aq)
            })
            .sum::<f64>()
            / p;
        let moment = |j: i32| d.nodes.iter().map(|(t, w)| w * t.powi(j)).sum::<f64>();
        assert!(
            (moment(0) - 1.0).abs() <= 1e-12,
            "{name}: Σ τ = {}",
            moment(0)
        );
        assert!(
            (moment(1) - m1).abs() <= 1e-9 * s,
            "{name}: Σ τθ = {} vs {m1}",
            moment(1)
        );
        assert!(
            (moment(2) - m2).abs() <= 1e-9 * s * s,
            "{name}: Σ τθ² = {} vs {m2}",
            moment(2)
        );
    });
}

#[test]
fn spectral_density_in_blocks_equals_one_probe_at_a_time() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, _| {
        // 8 steps of 26: no run ends early, so both paths take the same
        // number of steps and the nodes pair up.
        let options = DensityOptions {
            steps: 8,
            probes: PROBE_BLOCK + 3,
            sigma: 0.1,
            points: 20,
            seed: 2,
        };
        let blocks = spectral_density(op, &options).unwrap();
        let single = spectral_density(&OneAtATime(op), &options).unwrap();
        assert_eq!(blocks.nodes.len(), single.nodes.len(), "{name}");
        let s = single.nodes.iter().fold(0.0_f64, |m, n| m.max(n.0.abs()));
        // Lanes vs. one product per probe differ by regrouped sums
        // (~1e-15 relative); 8 Lanczos steps amplify that by the
        // conditioning of the small Ritz problems, well below 1e-9.
        for (a, b) in blocks.nodes.iter().zip(&single.nodes) {
            assert!((a.0 - b.0).abs() <= 1e-9 * s, "{name}: θ {a:?} vs {b:?}");
            assert!((a.1 - b.1).abs() <= 1e-9, "{name}: τ {a:?} vs {b:?}");
        }
    });
}

/// `x = Σᵢ vᵢ (vᵢᵀb)/λᵢ` from the eigendecomposition: a route to `A⁻¹b`
/// that shares nothing with CG.
fn eigen_solve(e: &Eigen, shift: f64, b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut x = vec![0.0; n];
    for i in 0..n {
        let v = e.vector(i);
        let c = dot(v, b) / (e.values()[i] + shift);
        x.iter_mut().zip(v).for_each(|(a, vi)| *a += c * vi);
    }
    x
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let d = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
    (d / dot(b, b)).sqrt()
}

#[test]
fn conjugate_gradient_on_every_operator_matches_a_dense_solve() {
    let (net, data) = (net(), data());
    each_operator(&net, &data, |name, op, dense| {
        let n = op.dim();
        let eig = Eigen::of(dense).unwrap();
        let s = scale_of(&eig);
        // A + λI with λ = s/10 is positive definite for the PSD G and F
        // and for H only if λmin(H) > −s/10; shift past λmin to be sure.
        let shift = 0.1 * s + (-eig.min()).max(0.0);
        let shifted = FnOperator::new(n, |v: &[f64]| {
            let mut av = op.apply(v)?;
            av.iter_mut().zip(v).for_each(|(a, x)| *a += shift * x);
            Ok::<_, Error>(av)
        });
        let b: Vec<f64> = (0..n).map(|i| (0.37 * i as f64 + 0.5).cos()).collect();
        let options = CgOptions {
            tolerance: 1e-13,
            ..CgOptions::default()
        };
        let sol = conjugate_gradient(&shifted, &b, &options).unwrap();
        assert_eq!(sol.stop, CgStop::Converged, "{name}");
        assert!(
            sol.iterations <= 2 * n,
            "{name}: {} iterations",
            sol.iterations
        );
        assert_eq!(sol.residual_norms.len(), sol.iterations + 1);
        // The condition number κ = (λmax + shift)/(λmin + shift) ≤ 11 + …
        // bounds the error by κ times the relative residual 1e-13.
        let kappa = (eig.max() + shift) / (eig.min() + shift);
        let want = eigen_solve(&eig, shift, &b);
        let err = rel_err(&sol.x, &want);
        assert!(
            err <= kappa * 1e-12,
            "{name}: relative error {err:e}, κ = {kappa}"
        );
        // The last residual norm is ‖b − (A + λI) x‖, computed densely.
        let mut r = dense_apply(dense, &sol.x);
        r.iter_mut()
            .zip(&sol.x)
            .zip(&b)
            .for_each(|((a, x), bi)| *a = bi - *a - shift * x);
        let last = *sol.residual_norms.last().unwrap();
        assert!(
            (dot(&r, &r).sqrt() - last).abs() <= 1e-12 * dot(&b, &b).sqrt() * kappa,
            "{name}: residual {last} vs {}",
            dot(&r, &r).sqrt()
        );
    });
}

#[test]
fn conjugate_gradient_reports_the_negative_curvature_of_the_hessian() {
    let (net, data) = (net(), data());
    let h = HessianOperator::new(&net, &data, &Mse, BATCH, HessianOptions::default()).unwrap();
    let eig = Eigen::of(&h.to_dense().unwrap()).unwrap();
    assert!(eig.min() < 0.0, "the untrained network's H is indefinite");
    // b along the most negative eigenvector: d₀ = b has d₀ᵀHd₀ = λmin < 0.
    let b = eig.vector(0).to_vec();
    let sol = conjugate_gradient(&h, &b, &CgOptions::default()).unwrap();
    let CgStop::NegativeCurvature {
        direction,
        curvature,
    } = &sol.stop
    else {
        panic!("expected negative curvature, got {:?}", sol.stop)
    };
    assert_eq!((sol.iterations, sol.products), (0, 1));
    assert_eq!(direction, &b);
    assert!(sol.x.iter().all(|&v| v == 0.0));
    let s = scale_of(&eig);
    assert!(
        (curvature - eig.min()).abs() <= 1e-12 * s,
        "{curvature} vs {}",
        eig.min()
    );
}
