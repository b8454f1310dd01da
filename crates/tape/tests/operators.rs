//! Operators `+ − × ÷ %`, negation and compound assignment, with `Var` and
//! `f64` on either side, and the binary functions, against finite
//! differences of plain `f64` (default tolerance, see `elementary.rs`).

use proptest::prelude::*;
use saddle_check::{check_gradient, strategies::config, Tolerance};
use saddle_tape::{Real, Tape};

macro_rules! binary_checks {
    ($($name:ident in ($alo:literal .. $ahi:literal, $blo:literal .. $bhi:literal) => |$a:ident, $b:ident| $body:expr;)*) => {
        $(
            proptest! {
                #![proptest_config(config(48))]
                #[test]
                fn $name(a0 in ($alo..$ahi as f64), b0 in ($blo..$bhi as f64)) {
                    fn f<S: Real>($a: S, $b: S) -> S { $body }
                    let tape = Tape::new();
                    let (a, b) = (tape.var(a0), tape.var(b0));
                    let y = f(a, b);
                    prop_assert_eq!(y.value().to_bits(), f(a0, b0).to_bits());
                    let g = y.backward();
                    let claimed = [g.wrt(a), g.wrt(b)];
                    let report = check_gradient(|v| f(v[0], v[1]), &[a0, b0], &claimed, Tolerance::default());
                    prop_assert!(report.passed(), "{}", report);
                }
            }
        )*
    };
}

binary_checks! {
    add in (-3.0..3.0, -3.0..3.0) => |a, b| a + b;
    sub in (-3.0..3.0, -3.0..3.0) => |a, b| a - b;
    mul in (-3.0..3.0, -3.0..3.0) => |a, b| a * b;
    div in (-3.0..3.0, 0.3..3.0) => |a, b| a / b;
    rem in (0.1..0.9, 1.0..3.0) => |a, b| a % b;
    square_by_mul in (-3.0..3.0, -1.0..1.0) => |a, b| a * a + b;
    powf in (0.2..3.0, -2.0..2.0) => |a, b| a.powf(b);
    atan2 in (-3.0..3.0, 0.3..3.0) => |a, b| a.atan2(b);
    hypot in (0.2..3.0, -3.0..3.0) => |a, b| a.hypot(b);
    log in (0.2..3.0, 1.5..4.0) => |a, b| a.log(b);
    max_a_wins in (1.0..3.0, -3.0..0.5) => |a, b| a.max(b);
    max_b_wins in (-3.0..0.5, 1.0..3.0) => |a, b| a.max(b);
    min_a_wins in (-3.0..0.5, 1.0..3.0) => |a, b| a.min(b);
    min_b_wins in (1.0..3.0, -3.0..0.5) => |a, b| a.min(b);
    abs_sub in (1.0..3.0, -3.0..0.5) => |a, b| a.abs_sub(b);
    mul_add in (-3.0..3.0, -3.0..3.0) => |a, b| a.mul_add(b, a);
    const_left in (-3.0..3.0, 0.3..3.0) => |a, b| S::cst(2.0) / b + S::cst(3.0) * a - S::cst(1.0);
    const_right in (-3.0..3.0, 0.3..3.0) => |a, b| (a + 2.0) * 3.0 - b / 2.0 + (a - 1.0);
    compound in (-3.0..3.0, 0.3..3.0) => |a, b| { let mut y = a; y += b; y *= a; y -= 2.0; y /= b; y *= 1.5; y += 0.5; y /= 2.0; y -= b; y };
    sums in (-3.0..3.0, -3.0..3.0) => |a, b| [a, b, a * b].iter().copied().sum::<S>();
}

/// `f64` on the left of a `Var` (not expressible through `Real`).
#[test]
fn f64_on_the_left() {
    let tape = Tape::new();
    let x = tape.var(2.0_f64);
    let y = 3.0 * x + 1.0 - x / 4.0 + 8.0 / x - (10.0 - x) + 7.0 % x;
    let g = y.backward().wrt(x);
    // d/dx [3x + 1 − x/4 + 8/x − 10 + x + 7 mod x] at x = 2, where 7 mod x = 7 − 3x:
    assert_eq!(g, 3.0 - 0.25 - 8.0 / 4.0 + 1.0 - 3.0);
}
