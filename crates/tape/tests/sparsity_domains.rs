//! The sparsity analysis holds index domains of at most two inputs inline
//! and larger ones in an arena; these tests check that the two forms (and
//! the moves between them) give the pattern worked out independently on
//! the expression tree, and that the budget still stops the analysis.

use proptest::prelude::*;
use saddle_check::expr::{expr, Binary, Expr};
use saddle_check::strategies;
use saddle_tape::prelude::*;
use saddle_tape::HessianPattern;

fn add(l: Expr, r: Expr) -> Expr {
    Expr::Binary(Binary::Add, Box::new(l), Box::new(r))
}

/// The tape's pattern of `e` at `x`.
fn tape_pattern(e: &Expr, x: &[f64]) -> HessianPattern {
    let tape = Tape::<f64>::new();
    let v = tape.vars(x);
    let y = e.eval(&v);
    tape.hessian_pattern(&v, y)
}

/// The pattern worked out on the tree itself (the independent route).
fn tree_route(e: &Expr, n: usize) -> HessianPattern {
    HessianPattern::from_pairs(n, e.structural_hessian()).unwrap()
}

const N: usize = 10;

proptest! {
    #![proptest_config(strategies::config(400))]

    /// Sums and `tanh`-products of random expressions over ten inputs, plus
    /// a running sum of every input (linear: its domain is never formed).
    /// Subexpressions have domains of one, two and more inputs, so
    /// inline ∪ inline (staying inline or moving to the arena), inline ∪
    /// arena, arena ∪ arena and the crossings of each meet; the pattern must
    /// be the tree's exactly.
    #[test]
    fn inline_and_arena_domains_give_the_tree_pattern(
        a in expr(N, 4),
        b in expr(N, 4),
        c in expr(N, 3),
        x in strategies::well_scaled(N),
    ) {
        let running = (1..N).fold(Expr::Input(0), |s, i| add(s, Expr::Input(i)));
        let e = add(add(a, Expr::Binary(Binary::MulTanh, Box::new(b), Box::new(c))), running);
        prop_assert_eq!(tape_pattern(&e, &x), tree_route(&e, N));
    }
}

/// `y ← sin(y·xₖ)` over k: the domain grows from one input (inline) to two
/// (inline) to three and more (the arena), and every step squares it, so
/// the pattern is the full block of the inputs used — and nothing of the
/// inputs not used.
#[test]
fn a_domain_growing_past_the_inline_size_keeps_every_entry() {
    let used = 6;
    let tape = Tape::<f64>::new();
    let x = tape.vars(&[0.3, -0.2, 0.5, 0.7, -0.4, 0.1, 0.9, 0.25]);
    let mut y = x[0];
    for &xk in &x[1..used] {
        y = (y * xk).sin();
    }
    let block = (0..used).flat_map(|i| (0..used).map(move |j| (i, j)));
    assert_eq!(
        tape.hessian_pattern(&x, y),
        HessianPattern::from_pairs(8, block).unwrap()
    );
}

/// Products of pairs of neighbours only ever meet inline domains; their
/// interactions are still counted, so a budget far below their number
/// stops the analysis, and one above it does not.
#[test]
fn the_budget_trips_on_inline_interactions() {
    let n = 2000;
    let tape = Tape::<f64>::new();
    let x = tape.vars(&vec![0.5; n]);
    let y = x
        .windows(2)
        .map(|w| (w[0] + w[1]).sin())
        .fold(Var::constant(0.0), |s, t| s + t);
    assert_eq!(tape.hessian_pattern_within(&x, y, 100), None);
    let p = tape.hessian_pattern_within(&x, y, 1 << 20).unwrap();
    assert_eq!(p.nnz(), n + 2 * (n - 1), "tridiagonal");
}

/// The variance couples every input through one arena domain: past the
/// coupling limit (half the inputs) the cheap analysis gives up even with
/// an unlimited budget, while the full analysis finds the dense pattern;
/// a budget below the domain's size stops the full analysis too.
#[test]
fn the_budget_and_the_coupling_limit_trip_on_arena_domains() {
    let n = 300;
    let tape = Tape::<f64>::new();
    let x = tape.vars(&(0..n).map(|i| (0.1 * i as f64).sin()).collect::<Vec<_>>());
    let m = x.iter().fold(Var::constant(0.0), |s, &v| s + v) / n as f64;
    let y = x
        .iter()
        .map(|&v| (v - m) * (v - m))
        .fold(Var::constant(0.0), |s, t| s + t);
    assert_eq!(tape.hessian_pattern_within(&x, y, usize::MAX), None);
    assert!(tape.hessian_pattern(&x, y).is_dense());
    assert_eq!(tape.hessian_pattern_within(&x, y, n / 2), None);
}

/// A leaf that is not an input (a parameter recorded with `tape.var`)
/// enters a product and a nonlinear operation: its domain is empty, so it
/// adds nothing. (The analysis keeps a slot's flags where its domain will
/// go; a needed leaf must get its empty domain written, not its flags read
/// as one.)
#[test]
fn a_recorded_leaf_that_is_not_an_input_adds_nothing() {
    let tape = Tape::<f64>::new();
    let x = tape.vars(&[0.3, -0.2, 0.5, 0.7]);
    let p = tape.var(2.0);
    let y = (x[0] * p).sin() + x[1] * x[1] + (p * p).exp() * x[3];
    assert_eq!(
        tape.hessian_pattern(&x, y),
        HessianPattern::from_pairs(4, [(0, 0), (1, 1)]).unwrap()
    );
}
