//! `Mlp::hessian_matrix_product`: `H V`, four directions per sweep, each
//! column checked by independent routes on W2-small-like networks
//! (`[4, 16, 16, 1]`, batch 64, 369 parameters; tanh, ReLU and sigmoid
//! hidden layers; MSE and binary cross-entropy with logits):
//!
//! - against `Mlp::hvp_with` with the same direction (one lane, one sweep);
//! - against `H v` from the dense `Mlp::hessian_with`;
//! - against central differences of the gradient along `v`;
//! - for `m = 1, 7, 9, 20` directions (a partial last sweep unless `m` is
//!   a multiple of 4), and the same bits for every thread count;
//! - bad directions (none, wrong length, NaN, ±∞) rejected with the
//!   direction and entry named.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_dual::HessianOptions;
use saddle_nn::{Activation, Activations, BceWithLogits, Dataset, Loss, Matrix, Mlp, Mse};

const SIZES: [usize; 4] = [4, 16, 16, 1];
const BATCH: usize = 64;

/// A W2-small-like network: the given hidden activation, identity output,
/// parameters `0.5 sin(1.7 k + 0.3) / √fan_in`-like (deterministic, O(1)
/// pre-activations so no unit saturates or dies wholesale).
fn net(hidden: Activation) -> Mlp {
    let probe = Mlp::from_params(
        &SIZES,
        Activations::hidden_output(hidden, Activation::Identity),
        vec![0.0; 369],
    )
    .expect("369 parameters");
    let mut params = vec![0.0; probe.num_params()];
    for (l, &fan_in) in SIZES[..probe.num_layers()].iter().enumerate() {
        let (w, b) = probe.layer_ranges(l);
        let scale = 1.0 / (fan_in as f64).sqrt();
        for k in w {
            params[k] = 0.9 * scale * (1.7 * k as f64 + 0.3 + l as f64).sin();
        }
        for k in b {
            params[k] = 0.1 * (0.9 * k as f64 + l as f64).cos();
        }
    }
    Mlp::from_params(
        &SIZES,
        Activations::hidden_output(hidden, Activation::Identity),
        params,
    )
    .expect("finite parameters")
}

/// `X[i][j] = sin(0.37 (4i + j) + 0.1)`; targets in (0, 1) so both MSE and
/// binary cross-entropy accept them.
fn data() -> Dataset {
    let x = (0..BATCH * 4)
        .map(|k| (0.37 * k as f64 + 0.1).sin())
        .collect();
    let y = (0..BATCH)
        .map(|i| 0.5 + 0.4 * (0.23 * i as f64).cos())
        .collect();
    Dataset::new(
        Matrix::new(BATCH, 4, x).expect("shape"),
        Matrix::new(BATCH, 1, y).expect("shape"),
    )
    .expect("finite data")
}

/// `m` directions of `p` entries, uniform in [−1, 1), column-major.
fn directions(p: usize, m: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..p * m).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// `maxᵢ |aᵢ − bᵢ| / scaleᵢ`.
fn worst(a: &[f64], b: &[f64], scale: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(scale)
        .map(|((a, b), s)| (a - b).abs() / s)
        .fold(0.0, f64::max)
}

/// Runs every route for one loss on a network and directions.
type Routes = Box<dyn Fn(&Mlp, &[f64]) -> Outcome>;

/// The networks and losses every route is checked on.
fn cases() -> Vec<(&'static str, Mlp, Routes)> {
    fn with<L: Loss + 'static>(loss: L) -> Routes {
        Box::new(move |net, v| Outcome::of(net, &loss, v))
    }
    vec![
        ("tanh, MSE", net(Activation::Tanh), with(Mse)),
        ("relu, MSE", net(Activation::Relu), with(Mse)),
        ("sigmoid, MSE", net(Activation::Sigmoid), with(Mse)),
        ("tanh, BCE", net(Activation::Tanh), with(BceWithLogits)),
        (
            "sigmoid, BCE",
            net(Activation::Sigmoid),
            with(BceWithLogits),
        ),
    ]
}

/// What one case computes for directions `v` (`p × m`).
struct Outcome {
    /// `Mlp::hessian_matrix_product_with`, column-major.
    batched: Vec<f64>,
    /// `Mlp::hvp_with` once per direction, column-major.
    single: Vec<f64>,
    /// The dense Hessian, column-major `p × p`.
    dense: Vec<f64>,
}

impl Outcome {
    fn of(net: &Mlp, loss: &impl Loss, v: &[f64]) -> Outcome {
        let d = data();
        let p = net.num_params();
        let hv = net
            .hessian_matrix_product_with(&d, loss, v, HessianOptions { threads: 1 })
            .expect("valid directions");
        assert_eq!((hv.rows(), hv.cols()), (p, v.len() / p));
        let single = v
            .chunks(p)
            .flat_map(|vj| net.hvp_with(&d, loss, vj).expect("valid direction").hv)
            .collect();
        let dense = net
            .hessian_with(&d, loss, HessianOptions { threads: 1 }, &|_| {})
            .expect("data fits")
            .into_column_major();
        Outcome {
            batched: hv.into_column_major(),
            single,
            dense,
        }
    }
}

#[test]
fn columns_match_single_hvps_and_the_dense_hessian_for_every_partial_sweep() {
    for (name, net, run) in cases() {
        let p = net.num_params();
        for (m, seed) in [(1, 11), (7, 12), (9, 13), (20, 14)] {
            let v = directions(p, m, seed);
            let out = run(&net, &v);
            for j in 0..m {
                let col = &out.batched[j * p..(j + 1) * p];
                let vj = &v[j * p..(j + 1) * p];
                // H v from the dense Hessian, and Σₖ |Hᵢₖ vₖ|: the size of
                // the terms the entry sums, the natural scale of its
                // rounding error.
                let (mut hv, mut terms) = (vec![0.0; p], vec![0.0; p]);
                for (k, &vk) in vj.iter().enumerate() {
                    for i in 0..p {
                        let t = out.dense[k * p + i] * vk;
                        hv[i] += t;
                        terms[i] += t.abs();
                    }
                }
                let scale: Vec<f64> = terms.iter().map(|t| t.max(1e-300)).collect();
                // Same direction, one lane vs lane j mod 4 of a 4-lane
                // sweep: the same formulas, but the lane-stacked gemm may
                // sum each dot product (64 samples × ≤ 16 units) in another
                // order (25 of the 185 columns here differ in some bit).
                // Reordering a sum of k terms moves it by at most
                // k·u·Σ|terms| (u = 1.1e-16), and the forward-over-reverse
                // chain composes a few such sums; 1e-13 of Σₖ |Hᵢₖ vₖ| is
                // that with room (observed: at most 3.5e-16).
                let single = &out.single[j * p..(j + 1) * p];
                let e = worst(col, single, &scale);
                assert!(e <= 1e-13, "{name}, m = {m}, column {j}: vs hvp {e:.2e}");
                // The dense route sums p = 369 products Hᵢₖ vₖ after
                // computing each Hᵢₖ in its own sweep: up to p·u ≈ 4e-14 of
                // Σₖ |Hᵢₖ vₖ| for the sum, plus the entries' own rounding;
                // 1e-12 (observed: at most 2.2e-15).
                let e = worst(col, &hv, &scale);
                assert!(e <= 1e-12, "{name}, m = {m}, column {j}: vs H v {e:.2e}");
            }
        }
    }
}

#[test]
fn columns_match_central_differences_of_the_gradient() {
    // (∇L(θ + h v) − ∇L(θ − h v)) / 2h = H v + (h²/6) ∇³L[v, v, ·] + O(h⁴),
    // plus the gradients' rounding divided by 2h. The truncation term was
    // measured: at h = 1e-4 the worst entry was 1.9e-7 off, so
    // |∇³L[v, v, ·]|/6 ≲ 19 here, and at h = 1e-5 it is ≲ 1.9e-9. The
    // gradient (entries ≲ 1, rounding ~1e-15) adds ~1e-15/2e-5 = 5e-11.
    // 1e-7·max(1, |Hv|ᵢ) bounds both with a factor 50 to spare (observed:
    // at most 1.85e-9). ReLU is left out: a difference step can cross a
    // kink, where the gradient jumps.
    let d = data();
    for hidden in [Activation::Tanh, Activation::Sigmoid] {
        let net = net(hidden);
        let p = net.num_params();
        let v = directions(p, 9, 21);
        let hv = net
            .hessian_matrix_product(&d, &v, HessianOptions::default())
            .expect("valid directions");
        let gradient = |theta: &[f64]| {
            let mut moved = net.clone();
            moved.set_params(theta).expect("finite parameters");
            moved.loss_and_gradient(&d).expect("data fits").gradient
        };
        let h = 1e-5;
        for (j, vj) in v.chunks(p).enumerate() {
            let step = |sign: f64| -> Vec<f64> {
                let theta: Vec<f64> = net
                    .params()
                    .iter()
                    .zip(vj)
                    .map(|(t, v)| t + sign * h * v)
                    .collect();
                gradient(&theta)
            };
            let (plus, minus) = (step(1.0), step(-1.0));
            for (i, got) in hv.column(j).iter().enumerate() {
                let fd = (plus[i] - minus[i]) / (2.0 * h);
                let e = (got - fd).abs() / fd.abs().max(1.0);
                assert!(
                    e <= 1e-7,
                    "{hidden:?}, column {j}, entry {i}: {got} vs differences {fd} ({e:.2e})"
                );
            }
        }
    }
}

#[test]
fn threads_do_not_change_a_bit() {
    // 40 directions: ten sweeps, so the default (0) takes rayon's pool
    // and two threads split the sweeps 5 + 5. Every column comes from the
    // same sweep arithmetic wherever it runs: equal bit for bit.
    let (net, d) = (net(Activation::Tanh), data());
    let v = directions(net.num_params(), 40, 31);
    let one = net
        .hessian_matrix_product(&d, &v, HessianOptions { threads: 1 })
        .expect("valid directions");
    for threads in [0, 2, usize::MAX] {
        let other = net
            .hessian_matrix_product(&d, &v, HessianOptions { threads })
            .expect("valid directions");
        assert_eq!(one, other, "threads = {threads}");
    }
}

#[test]
fn scaled_directions_give_scaled_products() {
    // The benchmark's directions (i + 1)·v, i = 0..19: H is linear, so
    // column i is (i + 1)·H v. Multiplying the seed by an integer ≤ 20 and
    // the products through the sweep rounds differently from scaling the
    // result, hence 1e-13 relative to the column's largest entry (a few
    // roundings of u = 1.1e-16 each, magnified by no cancellation the
    // unscaled column does not already have; observed: at most 8.9e-16).
    let (net, d) = (net(Activation::Tanh), data());
    let p = net.num_params();
    let v = directions(p, 1, 41);
    let scaled: Vec<f64> = (0..20)
        .flat_map(|i| v.iter().map(move |x| (i as f64 + 1.0) * x))
        .collect();
    let hv = net
        .hessian_matrix_product(&d, &scaled, HessianOptions::default())
        .expect("valid directions");
    let base = hv.column(0);
    let size = base.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    for i in 1..20 {
        let k = i as f64 + 1.0;
        for (a, b) in hv.column(i).iter().zip(base) {
            assert!(
                (a - k * b).abs() <= 1e-13 * k * size,
                "column {i}: {a} vs {k}·{b}"
            );
        }
    }
}

/// The message of an `Err`, or a panic naming the unexpected `Ok`.
fn message<T: std::fmt::Debug>(r: Result<T, saddle_nn::Error>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_directions_are_rejected_with_the_direction_and_entry_named() {
    let (net, d) = (net(Activation::Tanh), data());
    let p = net.num_params();
    let run = |v: &[f64]| message(net.hessian_matrix_product(&d, v, HessianOptions::default()));
    let empty = run(&[]);
    assert!(
        empty.contains("no directions given") && empty.contains("369 parameters"),
        "{empty}"
    );
    let long = run(&vec![0.5; p + 1]);
    assert!(
        long.contains("370 numbers, not a positive multiple of the 369 parameters"),
        "{long}"
    );
    let short = run(&vec![0.5; p - 1]);
    assert!(short.contains("368 numbers"), "{short}");
    for (bad, shown) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        let mut v = directions(p, 3, 51);
        v[2 * p + 5] = bad;
        let m = run(&v);
        assert!(
            m.contains(&format!("entry 5 of direction 2 is {shown}")),
            "{m}"
        );
    }
    // The loss's own checks come first and keep their message.
    let labels = Dataset::new(
        Matrix::new(2, 4, vec![0.0; 8]).expect("shape"),
        Matrix::new(2, 1, vec![0.0, 2.0]).expect("shape"),
    )
    .expect("finite data");
    let m = message(net.hessian_matrix_product_with(
        &labels,
        &BceWithLogits,
        &directions(p, 1, 61),
        HessianOptions::default(),
    ));
    assert!(m.contains("target row 1, column 0 is 2"), "{m}");
}
