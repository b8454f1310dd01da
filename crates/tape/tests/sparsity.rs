//! Hessian sparsity patterns read off the tape, against patterns worked out
//! by hand.

use saddle_tape::prelude::*;
use saddle_tape::HessianPattern;

fn pattern(n: usize, f: impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>) -> HessianPattern {
    let tape = Tape::new();
    let x = tape.vars(&vec![0.7; n]);
    let y = f(&x);
    tape.hessian_pattern(&x, y)
}

#[test]
fn linear_functions_have_empty_patterns() {
    let p = pattern(4, |x| x.iter().sum::<Var<f64>>() * 3.0 - x[2] + 1.0);
    assert_eq!(p.nnz(), 0);
}

#[test]
fn a_product_gives_only_the_mixed_entry() {
    let p = pattern(3, |x| x[0] * x[1] + x[2]);
    assert_eq!(p, HessianPattern::from_pairs(3, [(0, 1)]).unwrap());
    let p = pattern(3, |x| x[0] * x[0]);
    assert_eq!(p, HessianPattern::from_pairs(3, [(0, 0)]).unwrap());
}

#[test]
fn nonlinear_functions_couple_their_whole_domain() {
    let p = pattern(4, |x| (x[0] + x[1]).sin() + x[2].exp() + x[3] * 2.0);
    assert_eq!(
        p,
        HessianPattern::from_pairs(4, [(0, 0), (0, 1), (1, 1), (2, 2)]).unwrap()
    );
}

#[test]
fn rosenbrock_is_tridiagonal() {
    let n = 50;
    let p = pattern(n, |x| saddle_rosenbrock(x));
    let tridiagonal =
        HessianPattern::from_pairs(n, (0..n).flat_map(|i| [(i, i), (i, (i + 1).min(n - 1))]))
            .unwrap();
    assert_eq!(p, tridiagonal);
}

fn saddle_rosenbrock<S: Real>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (S::one() - w[0]).powi(2))
        .sum()
}

#[test]
fn block_operations_are_followed() {
    let tape = Tape::new();
    let x = tape.vars(&[0.1, 0.2, 0.3, 0.4]);
    // [x0 x1] · [x2; 1]: matmul couples its inputs; x3 enters linearly via a sum.
    let a = tape.stack(1, 2, &x[..2]).unwrap();
    let b = tape.stack(2, 1, &[x[2], Var::constant(1.0)]).unwrap();
    let y = a.matmul(&b).unwrap().sum() + tape.stack(1, 1, &[x[3]]).unwrap().sum();
    let p = tape.hessian_pattern(&x, y);
    let all3 = (0..3).flat_map(|i| (0..3).map(move |j| (i, j)));
    assert_eq!(p, HessianPattern::from_pairs(4, all3).unwrap());
}

#[test]
fn work_the_output_does_not_depend_on_is_ignored() {
    let tape = Tape::new();
    let x = tape.vars(&[0.1, 0.2]);
    let _unused = x[0].sin() * x[1].cos();
    let y = x[0] * x[1];
    assert_eq!(
        tape.hessian_pattern(&x, y),
        HessianPattern::from_pairs(2, [(0, 1)]).unwrap()
    );
}
