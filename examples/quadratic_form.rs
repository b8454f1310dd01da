//! # The quadratic form `xᵀHx` and its sign (docs/theory.md §7)
//!
//! This shows you how the sign of `Q(x) = xᵀHx` over many directions tells
//! the shape of a function near a critical point, and where that test runs
//! out: at a degenerate point the form vanishes in some directions.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example quadratic_form
//! ```

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle::curvature::{
    classify, quadratic_form, Eigen, Function, Objective, Smooth, Tolerances, GRADIENT_TOL,
};
use saddle::Real;

struct Bowl;
impl Function for Bowl {
    fn eval<S: Real>(&self, p: &[S]) -> S {
        p[0] * p[0] + p[1] * p[1] * 3.0 + p[0] * p[1]
    }
}

struct Saddle;
impl Function for Saddle {
    fn eval<S: Real>(&self, p: &[S]) -> S {
        p[0] * p[0] - p[1] * p[1]
    }
}

struct Valley;
impl Function for Valley {
    fn eval<S: Real>(&self, p: &[S]) -> S {
        (p[0] - p[1]).powi(2) + p[0].powi(4)
    }
}

fn survey(
    name: &str,
    f: &impl Objective,
    rng: &mut ChaCha8Rng,
) -> Result<(), Box<dyn std::error::Error>> {
    let origin = [0.0, 0.0];
    let h = f.hessian(&origin)?;
    let (mut pos, mut neg, mut zero) = (0, 0, 0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for _ in 0..1000 {
        let angle: f64 = rng.random_range(0.0..std::f64::consts::TAU);
        let x = [angle.cos(), angle.sin()];
        let q = quadratic_form(&h, &x)?;
        lo = lo.min(q);
        hi = hi.max(q);
        match q {
            q if q > 1e-12 => pos += 1,
            q if q < -1e-12 => neg += 1,
            _ => zero += 1,
        }
    }
    println!("{name}");
    println!(
        "  H = [[{:6.2}, {:6.2}], [{:6.2}, {:6.2}]]",
        h.get(0, 0),
        h.get(0, 1),
        h.get(1, 0),
        h.get(1, 1)
    );
    println!("  over 1000 unit directions x: Q(x) > 0 in {pos}, < 0 in {neg}, ≈ 0 in {zero}");
    println!("  Q ranges over [{lo:.4}, {hi:.4}]");
    let sampled = match (pos > 0, neg > 0) {
        (true, false) => "Q > 0 in every sampled direction: looks like a minimum",
        (false, true) => "Q < 0 in every sampled direction: looks like a maximum",
        (true, true) => "Q takes both signs: a saddle point (one direction of each sign proves it)",
        (false, false) => "Q ≈ 0 everywhere sampled",
    };
    println!("  sampling says: {sampled}");
    let g = f.value_gradient(&origin)?.gradient;
    let e = Eigen::of(&h)?;
    let c = classify(&g, &e, &Tolerances::default(), GRADIENT_TOL)?;
    println!(
        "  eigenvalues {:?} say: {:?}\n",
        e.values()
            .iter()
            .map(|v| (v * 1e6).round() / 1e6)
            .collect::<Vec<_>>(),
        c.kind
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("Q(x) = xᵀHx = Σᵢ hᵢᵢxᵢ² + 2 Σ_{{i<j}} hᵢⱼxᵢxⱼ at the origin, along random unit x.\n");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    survey("f = x² + 3y² + xy", &Smooth(Bowl), &mut rng)?;
    survey("f = x² − y²", &Smooth(Saddle), &mut rng)?;
    survey("f = (x − y)² + x⁴", &Smooth(Valley), &mut rng)?;
    println!("The last case is the trap: Q > 0 in every sampled direction, yet along x = y it is");
    println!("exactly 0 (an eigenvalue is 0), so the second-order test is inconclusive — the x⁴");
    println!("term decides. Sampling can prove a saddle (both signs seen) but never a minimum;");
    println!("the eigenvalues decide it (run `cargo run --release --example spectral_theorem`).");
    Ok(())
}
