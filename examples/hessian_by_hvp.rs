//! # Second derivatives from first-order machinery
//!
//! This shows you how a Hessian-vector product comes out of an ordinary
//! reverse sweep run on dual numbers (forward-over-reverse), and how a
//! Hessian is assembled from such products, one column at a time.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example hessian_by_hvp
//! ```
//!
//! The function is `f(x, y, z) = x²y + sin(yz) + eˣ z`. We
//! 1. record it on a tape of dual numbers seeded `x + εv` and sweep once:
//!    the real parts of the adjoints are `∇f`, the `ε` parts are `H v`;
//! 2. check `H v` against a finite difference of gradients;
//! 3. build `H` column by column (column `j` is `H eⱼ`) and measure how far
//!    it is from symmetric (docs/theory.md §6: `Hᵢⱼ = Hⱼᵢ` by Clairaut).

use saddle::dual::{gradient, hessian_with, Dual, HessianOptions};
use saddle::prelude::*;
use saddle_check::fd_hvp;

fn f<S: Real>(p: &[S]) -> S {
    let (x, y, z) = (p[0], p[1], p[2]);
    x * x * y + (y * z).sin() + x.exp() * z
}

/// The Hessian worked out by hand, for comparison.
fn exact_hessian(p: &[f64]) -> [[f64; 3]; 3] {
    let (x, y, z) = (p[0], p[1], p[2]);
    let s = (y * z).sin();
    let c = (y * z).cos();
    [
        [2.0 * y + x.exp() * z, 2.0 * x, x.exp()],
        [2.0 * x, -z * z * s, c - y * z * s],
        [x.exp(), c - y * z * s, -y * y * s],
    ]
}

fn main() {
    let p = [0.5, -1.2, 0.8];
    let v = [1.0, 2.0, -1.0];
    println!("f(x, y, z) = x²y + sin(yz) + eˣz   at (x, y, z) = {p:?}\n");

    // 1. One recording on a tape of duals, seeded x + εv, one reverse sweep.
    let tape = Tape::<Dual<f64>>::new();
    let seeded: Vec<Dual<f64>> = p.iter().zip(&v).map(|(&a, &b)| Dual::new(a, [b])).collect();
    let xs = tape.vars(&seeded);
    let y = f(&xs);
    let adjoints = y.backward().wrt_all(&xs);
    println!(
        "Recorded {} nodes of Dual<f64>; the output is {}",
        tape.num_nodes(),
        y.value()
    );
    println!("(its ε part is the directional derivative ∇f·v).\n");
    println!("After one reverse sweep in dual arithmetic, each adjoint is ∇f + ε (H v):");
    for (name, a) in ["x", "y", "z"].iter().zip(&adjoints) {
        println!(
            "  adjoint of {name} = {:>12.8} + {:>12.8} ε",
            a.re, a.eps[0]
        );
    }
    let hv: Vec<f64> = adjoints.iter().map(|a| a.eps[0]).collect();

    // 2. The same product from differences of gradients (a different route).
    let grad = |q: &[f64]| gradient(|x| f(x), q).unwrap().gradient;
    let fd = fd_hvp(&grad, &p, &v);
    let h = exact_hessian(&p);
    println!("\nH v three ways:");
    println!(
        "  {:>14} {:>14} {:>14}",
        "ε part (AD)", "∇f differences", "by hand"
    );
    for i in 0..3 {
        let by_hand: f64 = (0..3).map(|j| h[i][j] * v[j]).sum();
        println!("  {:>14.10} {:>14.10} {:>14.10}", hv[i], fd[i], by_hand);
    }
    let worst = (0..3).map(|i| (hv[i] - fd[i]).abs()).fold(0.0, f64::max);
    println!("  largest difference AD vs differences: {worst:.1e} (the differences' own error)");

    // 3. The Hessian, column by column: column j is H e_j. One lane per
    //    column here, so three recordings; the drivers use 8 lanes.
    let hess = hessian_with::<1, _>(|x| f(x), &p, HessianOptions { threads: 1 }).unwrap();
    println!("\nThe Hessian, assembled from H e₁, H e₂, H e₃ (one sweep each):");
    for i in 0..3 {
        let row: Vec<String> = (0..3)
            .map(|j| format!("{:>13.9}", hess.get(i, j)))
            .collect();
        println!("  [{} ]", row.join(""));
    }
    let err = (0..9)
        .map(|k| (hess.get(k / 3, k % 3) - h[k / 3][k % 3]).abs())
        .fold(0.0, f64::max);
    println!("  largest difference from the hand-derived Hessian: {err:.1e}");
    println!(
        "  measured asymmetry max|Hᵢⱼ − Hⱼᵢ| = {:.1e}: the columns came from separate sweeps,",
        hess.asymmetry()
    );
    println!(
        "  yet agree with their transposes, as Clairaut's theorem (docs/theory.md §6) says they must."
    );
}
