//! The edge-point table (in the spirit of Stan's `test_ad`).
//!
//! The expectations are the table in the `saddle_tape::rules` module docs,
//! read from its source here, so the documented conventions and the tested
//! ones are one set of data. Every row gives a function of one variable
//! (a unary rule, or a binary rule with a constant in one position), a
//! point, and the expected value and first three derivatives there.
//!
//! Each row is checked along four routes:
//! - forward mode on `Dual<Dual<Dual<f64>>>` seeded `x + ε₁ + ε₂ + ε₃`:
//!   value, `f′`, `f″`, `f‴` (the `ε₁`, `ε₁ε₂`, `ε₁ε₂ε₃` parts);
//! - the `f64` tape: value and gradient;
//! - `saddle_dual::hvp` (forward-over-reverse on a tape of duals): `f′` and
//!   `f″`; at a non-finite point the driver must refuse with `Err`;
//! - a tape of `Dual<Dual<f64>>` seeded `x + ε₂ + ε₁(1 + 0ε₂)`: `f‴` as the
//!   `ε₁ε₂` part of the adjoint.
//!
//! All four routes must give the same numbers, including the NaN that
//! follows an infinite derivative (convention 3 of the rules docs).
//!
//! Comparison: both NaN, or the same infinity, or finite and within
//! `1e-13` relative (so an expected `0` must come out exactly `±0`). The
//! expectations are closed forms rounded to `f64`; `1e-13`
//! leaves room for the few ulps of libm's `exp`/`ln`/`sin` and the rounding
//! of the rule's formula (a product of at most four rounded factors), and
//! is far below any wrong-convention error (which is `O(1)`).

use saddle_dual::{hvp, Dual};
use saddle_tape::prelude::*;

type D1 = Dual<f64>;
type D2 = Dual<D1>;
type D3 = Dual<D2>;

/// The function a row names, on any `Real`; `None` for an unknown name.
fn eval<S: Real>(name: &str, x: S) -> Option<S> {
    let c = S::cst;
    Some(match name {
        "floor(x)" => x.floor(),
        "ceil(x)" => x.ceil(),
        "round(x)" => x.round(),
        "trunc(x)" => x.trunc(),
        "fract(x)" => x.fract(),
        "abs(x)" => x.abs(),
        "signum(x)" => x.signum(),
        "recip(x)" => x.recip(),
        "sqrt(x)" => x.sqrt(),
        "cbrt(x)" => x.cbrt(),
        "exp(x)" => x.exp(),
        "exp2(x)" => x.exp2(),
        "exp_m1(x)" => x.exp_m1(),
        "ln(x)" => x.ln(),
        "log2(x)" => x.log2(),
        "log10(x)" => x.log10(),
        "ln_1p(x)" => x.ln_1p(),
        "sin(x)" => x.sin(),
        "cos(x)" => x.cos(),
        "tan(x)" => x.tan(),
        "asin(x)" => x.asin(),
        "acos(x)" => x.acos(),
        "atan(x)" => x.atan(),
        "sinh(x)" => x.sinh(),
        "cosh(x)" => x.cosh(),
        "tanh(x)" => x.tanh(),
        "asinh(x)" => x.asinh(),
        "acosh(x)" => x.acosh(),
        "atanh(x)" => x.atanh(),
        "to_degrees(x)" => x.to_degrees(),
        "to_radians(x)" => x.to_radians(),
        "relu(x)" => x.relu(),
        "sigmoid(x)" => x.sigmoid(),
        "softplus(x)" => x.softplus(),
        "powi(x, 0)" => x.powi(0),
        "powi(x, 1)" => x.powi(1),
        "powi(x, 2)" => x.powi(2),
        "powi(x, -1)" => x.powi(-1),
        "powi(x, -2)" => x.powi(-2),
        "powi(x, i32::MAX)" => x.powi(i32::MAX),
        "powi(x, i32::MIN)" => x.powi(i32::MIN),
        "powf(x, 2)" => x.powf(c(2.0)),
        "powf(x, 3)" => x.powf(c(3.0)),
        "powf(x, 0.5)" => x.powf(c(0.5)),
        "powf(x, 0)" => x.powf(c(0.0)),
        "powf(x, -1)" => x.powf(c(-1.0)),
        "powf(0, x)" => c(0.0).powf(x),
        "powf(2, x)" => c(2.0).powf(x),
        "powf(-2, x)" => c(-2.0).powf(x),
        "log(x, 2)" => x.log(c(2.0)),
        "log(2, x)" => c(2.0).log(x),
        "max(x, 1)" => x.max(c(1.0)),
        "max(1, x)" => c(1.0).max(x),
        "min(x, 1)" => x.min(c(1.0)),
        "min(1, x)" => c(1.0).min(x),
        "max(x, x)" => x.max(x),
        "min(x, x)" => x.min(x),
        "abs_sub(x, 1)" => x.abs_sub(c(1.0)),
        "abs_sub(1, x)" => c(1.0).abs_sub(x),
        "hypot(x, 0)" => x.hypot(c(0.0)),
        "hypot(0, x)" => c(0.0).hypot(x),
        "hypot(x, 1)" => x.hypot(c(1.0)),
        "atan2(x, 0)" => x.atan2(c(0.0)),
        "atan2(x, 1)" => x.atan2(c(1.0)),
        "atan2(0, x)" => c(0.0).atan2(x),
        "atan2(1, x)" => c(1.0).atan2(x),
        "atan2(1e300, x)" => c(1e300).atan2(x),
        "copysign(x, 1)" => x.copysign(c(1.0)),
        "copysign(x, -1)" => x.copysign(c(-1.0)),
        "copysign(1, x)" => c(1.0).copysign(x),
        "x / 0" => x / c(0.0),
        "1 / x" => c(1.0) / x,
        "x % 2" => x % c(2.0),
        "x % 0" => x % c(0.0),
        "5 % x" => c(5.0) % x,
        _ => return None,
    })
}

/// Value, `f′`, `f″`, `f‴` by forward mode on `Dual<Dual<Dual<f64>>>`.
fn forward(name: &str, x: f64) -> [f64; 4] {
    let one = D1::new(1.0, [0.0]);
    let zero = D1::new(0.0, [0.0]);
    let x2 = D2::new(D1::new(x, [1.0]), [one]);
    let x3 = D3::new(x2, [D2::new(one, [zero])]);
    let y = eval(name, x3).unwrap();
    [
        y.re.re.re,
        y.re.re.eps[0],
        y.re.eps[0].eps[0],
        y.eps[0].eps[0].eps[0],
    ]
}

/// One row of the table: the expression, the point, `[f, f′, f″, f‴]`
/// (`None` where the table says `—`, unspecified).
struct Row {
    name: String,
    x: f64,
    want: [Option<f64>; 4],
    line: String,
}

/// The table's rows, read from the rules module's source.
fn table() -> Vec<Row> {
    let src = include_str!("../../tape/src/rules/mod.rs");
    let rows: Vec<Row> = src
        .lines()
        .filter(|l| l.starts_with("//! | `"))
        .map(|line| {
            let cells: Vec<&str> = line
                .trim_start_matches("//!")
                .split('|')
                .map(str::trim)
                .collect();
            // cells[0] and cells[8] are the empty texts outside the bars; a
            // stray `|` in a note would shift the columns.
            assert_eq!(cells.len(), 9, "a row has seven cells: {line}");
            let num = |k: usize| -> f64 {
                cells[k]
                    .parse()
                    .unwrap_or_else(|_| panic!("cell {k} {:?} is not a number in {line}", cells[k]))
            };
            let want = |k: usize| (cells[k] != "—").then(|| num(k));
            Row {
                name: cells[1].trim_matches('`').to_string(),
                x: num(2),
                want: [want(3), want(4), want(5), want(6)],
                line: line.to_string(),
            }
        })
        .collect();
    assert!(rows.len() > 100, "the table has only {} rows", rows.len());
    rows
}

/// Unspecified, or both NaN, or equal (the same infinity, `0 == −0`), or
/// finite within `1e-13` relative.
fn same(got: f64, want: Option<f64>) -> bool {
    let Some(want) = want else { return true };
    (got.is_nan() && want.is_nan())
        || got == want
        || (got.is_finite() && want.is_finite() && (got - want).abs() <= 1e-13 * want.abs())
}

/// Every row's name is a function `eval` knows, and every function of
/// `Float` (each method in `float_rule_methods!`) and of `Real` has rows.
#[test]
fn the_table_covers_every_rule() {
    let rows = table();
    for r in &rows {
        assert!(
            eval(&r.name, 1.0_f64).is_some(),
            "unknown function in {}",
            r.line
        );
    }
    // The lists the number types expand from (`float_rule_methods!`,
    // `real_rule_methods!`), read from the same source: a function added
    // there without rows here fails.
    let src = include_str!("../../tape/src/rules/mod.rs");
    let list = |opener: &str| -> Vec<String> {
        src.match_indices(opener)
            .flat_map(|(at, _)| {
                let rest = &src[at + opener.len()..];
                rest[..rest.find(");").unwrap()]
                    .split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let mut unary = list("$unary!(");
    let binary = list("$binary!(");
    assert!(
        unary.len() > 30 && unary.contains(&"relu".to_string()),
        "{unary:?}"
    );
    assert!(binary.len() == 8, "{binary:?}");
    unary.push("powi".to_string());
    for f in unary.iter().chain(&binary) {
        let prefix = format!("{f}(");
        assert!(
            rows.iter().any(|r| r.name.starts_with(&prefix)),
            "no row for {f}"
        );
    }
    // A binary rule has rows with the variable in each position.
    for f in &binary {
        let first = rows.iter().any(|r| r.name.starts_with(&format!("{f}(x")));
        let second = rows.iter().any(|r| {
            r.name.starts_with(f)
                && r.name.ends_with("x)")
                && !r.name.starts_with(&format!("{f}(x"))
        });
        assert!(
            first && second,
            "{f}: rows need the variable in both positions"
        );
    }
    for op in ["/", "%"] {
        assert!(rows
            .iter()
            .any(|r| r.name.starts_with("x ") && r.name.contains(op)));
        assert!(rows.iter().any(|r| r.name.ends_with(&format!("{op} x"))));
    }
}

#[test]
fn forward_mode_to_third_order_matches_the_table() {
    let mut bad = Vec::new();
    for r in table() {
        let got = forward(&r.name, r.x);
        if !(0..4).all(|k| same(got[k], r.want[k])) {
            bad.push(format!("{}\n    got {:?}", r.line, got));
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_tape_gradient_matches_the_table() {
    let mut bad = Vec::new();
    for r in table() {
        let tape = Tape::new();
        let x = tape.var(r.x);
        let y = eval(&r.name, x).unwrap();
        let got = [y.value(), y.backward().wrt(x)];
        if !(0..2).all(|k| same(got[k], r.want[k])) {
            bad.push(format!("{}\n    got {:?}", r.line, got));
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// `hvp` by forward-over-reverse: gradient `f′` and `H·1 = f″`; a
/// non-finite point is refused.
#[test]
fn hvp_matches_the_table() {
    let mut bad = Vec::new();
    for r in table() {
        let res = hvp(|x| eval(&r.name, x[0]).unwrap(), &[r.x], &[1.0]);
        if !r.x.is_finite() {
            if res.is_ok() {
                bad.push(format!("{}\n    hvp accepted a non-finite point", r.line));
            }
            continue;
        }
        let h = res.unwrap();
        let got = [h.value, h.gradient[0], h.hv[0]];
        if !(0..3).all(|k| same(got[k], r.want[k])) {
            bad.push(format!("{}\n    got {:?}", r.line, got));
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Third order through the reverse sweep: a tape of `Dual<Dual<f64>>`
/// seeded `x + ε₂ + ε₁(1 + 0ε₂)`; the adjoint is
/// `f′ + ε₂ f″ + ε₁ f″ + ε₁ε₂ f‴`.
#[test]
fn third_order_through_the_sweep_matches_the_table() {
    let mut bad = Vec::new();
    for r in table() {
        let tape = Tape::<D2>::new();
        let x = tape.var(D2::new(D1::new(r.x, [1.0]), [D1::new(1.0, [0.0])]));
        let y = eval(&r.name, x).unwrap();
        let a = y.backward().wrt(x);
        let got = [y.value().re.re, a.re.re, a.eps[0].re, a.eps[0].eps[0]];
        if !(0..4).all(|k| same(got[k], r.want[k])) {
            bad.push(format!("{}\n    got {:?}", r.line, got));
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
