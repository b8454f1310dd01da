//! # Watching reverse mode happen
//!
//! This shows you how a tape records a function and how one backwards pass
//! over it (the reverse sweep) produces every partial derivative at once.
//!
//! Run it with:
//!
//! ```text
//! cargo run --example reverse_mode
//! ```
//!
//! We differentiate `f(x, y) = x·y + sin(x) · exp(y/3)` at `(x, y) = (2, 3)`.
//! First the tape is printed: each node, its parents and the *local
//! partials* `∂node/∂parent` its rule stored while recording. Then the
//! sweep runs and we print the adjoints `v̄ = ∂f/∂v` after every step: a
//! node's adjoint is final once every node that uses it has been visited,
//! which is why one backwards pass over a topologically ordered list is
//! enough.

use saddle::prelude::*;
use saddle::tape::{Entry, SweepStep};

fn main() {
    let tape = Tape::<f64>::new();

    // Record, naming every intermediate so the printout can refer to it.
    let mut names: Vec<(&str, f64)> = Vec::new();
    let x = named(&mut names, "x", tape.var(2.0));
    let y = named(&mut names, "y", tape.var(3.0));
    let xy = named(&mut names, "x·y", x * y);
    let s = named(&mut names, "sin x", x.sin());
    let y3 = named(&mut names, "y/3", y / 3.0);
    let e = named(&mut names, "exp(y/3)", y3.exp());
    let se = named(&mut names, "sin x·exp(y/3)", s * e);
    let f = named(&mut names, "f", xy + se);

    println!("f(x, y) = x·y + sin(x)·exp(y/3) at (x, y) = (2, 3)\n");
    println!(
        "The tape ({} nodes, {} bytes each on Tape<f64>):",
        tape.num_nodes(),
        Tape::<f64>::NODE_BYTES
    );
    println!(
        "{:>5}  {:<16} {:>12}   parents (slot: local partial ∂node/∂parent)",
        "slot", "node", "value"
    );
    for entry in tape.entries() {
        match entry {
            Entry::Leaf { slot } => {
                let (name, value) = names[slot];
                println!("{slot:>5}  {name:<16} {value:>12.6}   input");
            }
            Entry::Node { slot, parents } => {
                let (name, value) = names[slot];
                let ps: Vec<String> = parents
                    .iter()
                    .map(|(p, w)| format!("{} ({}): {:.6}", p, names[*p].0, w))
                    .collect();
                println!("{slot:>5}  {name:<16} {value:>12.6}   {}", ps.join(",  "));
            }
            Entry::Block { name, start, len } => {
                println!("{start:>5}  block {name} over {len} slots")
            }
        }
    }

    println!("\nThe reverse sweep: start with f̄ = 1, walk the tape backwards,");
    println!("and at each node push v̄ · (local partial) into its parents.\n");
    let header: Vec<String> = names
        .iter()
        .map(|(n, _)| format!("{:>9}", short(n)))
        .collect();
    println!("{:<22}{}", "step", header.join(""));
    let show = |label: String, adj: &[f64]| {
        let row: Vec<String> = adj.iter().map(|a| format!("{a:>9.4}")).collect();
        println!("{label:<22}{}", row.join(""));
    };
    let mut seed = vec![0.0; names.len()];
    seed[f.slot().unwrap()] = 1.0;
    show("seed f̄ = 1".into(), &seed);
    let grads = tape.backward_observed(f, 1.0, |step| {
        if let SweepStep::Node { slot, adjoints } = step {
            show(
                format!("visit {} ({})", slot, short(names[slot].0)),
                adjoints,
            );
        }
    });

    let (gx, gy) = (grads.wrt(x), grads.wrt(y));
    let ex = 3.0 + 2f64.cos() * 1f64.exp();
    let ey = 2.0 + 2f64.sin() * 1f64.exp() / 3.0;
    println!("\nWhen the sweep reaches the inputs their adjoints are final:");
    println!("  ∂f/∂x = {gx:.12}   (by hand: y + cos x · e^(y/3)     = {ex:.12})");
    println!("  ∂f/∂y = {gy:.12}   (by hand: x + sin x · e^(y/3) / 3 = {ey:.12})");
    println!(
        "  differences: {:.1e}, {:.1e}: reverse mode is exact up to rounding.",
        (gx - ex).abs(),
        (gy - ey).abs()
    );
}

/// Remembers a node's name and value (slots are handed out in order).
fn named<'t>(
    names: &mut Vec<(&'static str, f64)>,
    name: &'static str,
    v: Var<'t, f64>,
) -> Var<'t, f64> {
    names.push((name, v.value()));
    v
}

/// Shortens a node name for the adjoint table.
fn short(name: &str) -> String {
    name.chars().take(8).collect()
}
