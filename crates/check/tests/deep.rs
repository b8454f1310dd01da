//! Regression for issue 9 item 16: every walk over an expression tree is
//! iterative, so a tree 10⁶ levels deep (far past the 8 MiB main-thread and
//! 2 MiB test-thread stacks, at ~100 bytes per recursive frame) is built,
//! evaluated, cloned, compared, printed and dropped without overflowing.

use saddle_check::expr::{Binary, Expr, Unary};

const DEPTH: usize = 1_000_000;

/// `neg(neg(…neg(x0)…))` with `DEPTH` negations, inside an `add(…, 1)`
/// every 1000 levels so binary nodes are deep too.
fn deep_chain() -> Expr {
    let mut e = Expr::Input(0);
    for level in 1..DEPTH {
        e = if level % 1000 == 0 {
            Expr::Binary(Binary::Add, Box::new(e), Box::new(Expr::Const(1.0)))
        } else {
            Expr::Unary(Unary::Neg, Box::new(e))
        };
    }
    e
}

#[test]
fn expr_depth_one_million_evaluates_prints_and_drops() {
    let e = deep_chain();
    assert_eq!(e.depth(), DEPTH);
    assert_eq!(e.inputs(), 1);
    // 999 additions of 1 and an odd/even count of negations between them:
    // evaluate exactly in f64 by replaying the chain.
    let mut expected = 0.5_f64;
    for level in 1..DEPTH {
        expected = if level % 1000 == 0 {
            expected + 1.0
        } else {
            -expected
        };
    }
    assert_eq!(e.eval(&[0.5_f64]), expected);
    let copy = e.clone();
    assert!(copy == e);
    let text = e.to_string();
    assert!(text.starts_with("neg(neg("), "{}", &text[..40]);
    let additions = (DEPTH - 1) / 1000;
    assert_eq!(text.matches("add(").count(), additions);
    assert_eq!(text.matches("neg(").count(), DEPTH - 1 - additions);
    assert!(text.contains("neg(x0))") && text.contains(")), 1.0)"));
    assert_eq!(format!("{e:?}").len(), text.len());
    drop(copy);
    drop(e);
}

#[test]
fn display_is_function_notation() {
    let e = Expr::Binary(
        Binary::MulTanh,
        Box::new(Expr::Unary(Unary::Sin, Box::new(Expr::Input(1)))),
        Box::new(Expr::Const(-0.25)),
    );
    assert_eq!(e.to_string(), "mul_tanh(sin(x1), -0.25)");
    assert_eq!(format!("{e:?}"), "mul_tanh(sin(x1), -0.25)");
    assert_eq!((e.depth(), e.size(), e.inputs()), (3, 4, 2));
    assert!(e != Expr::Input(1));
}
