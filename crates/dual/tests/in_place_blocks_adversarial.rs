//! Adversarial review of the block operations that write their values
//! straight into the tape (`map` and every activation / `square`, `zip`,
//! `add`, `sub`, `mul`, `div`, `affine`, `slice`, `add_row`, `matmul` of two
//! tape blocks), of `add` / `sub` keeping their `±1` partials once, of the
//! eight running sums of block `sum` / `mean`, and of `powi(x, 2) = (x·x,
//! x + x)`.
//!
//! Most data here are small integers or powers of two, so that every
//! route's arithmetic is exact and results are compared bit for bit
//! (`to_bits`, which also tells `−0` from `+0`); where a route rounds
//! differently the tolerance is stated at the comparison.

use std::panic::{catch_unwind, AssertUnwindSafe};

use saddle_dual::{hessian, hvp, Dual};
use saddle_tape::prelude::*;
use saddle_tape::{rules, Entry, HessianPattern};

type D1 = Dual<f64>;
type D2 = Dual<D1>;

/// The bits of every number in a dual (value, then tangents).
fn bits1(v: &[D1]) -> Vec<u64> {
    v.iter()
        .flat_map(|d| [d.re.to_bits(), d.eps[0].to_bits()])
        .collect()
}

fn bits2(v: &[D2]) -> Vec<u64> {
    v.iter()
        .flat_map(|d| [d.re.re, d.re.eps[0], d.eps[0].re, d.eps[0].eps[0]])
        .map(f64::to_bits)
        .collect()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Names of the block entries recorded at or after slot `from`.
fn block_names<T: Scalar>(tape: &Tape<T>, from: usize) -> Vec<&'static str> {
    tape.entries()
        .into_iter()
        .filter_map(|e| match e {
            Entry::Block { name, start, .. } if start >= from => Some(name),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Block sums: eight running sums.

/// Defect: `sum_of` started its eight running sums at `+0`, so the block
/// sum (and mean) of entries that are all `−0` came out `+0`, where
/// IEEE addition, scalar code (`x₀ + x₁ + …`) and the block sum before
/// the change (`Iterator::sum`, which starts at `−0`) give `−0`. The sign
/// shows downstream: `1/sum` is `−∞`, not `+∞`.
#[test]
fn block_sum_of_negative_zeros_is_negative_zero() {
    for n in 1..=20usize {
        let tape = Tape::<f64>::new();
        let x = tape.input_block(1, n, &vec![-0.0; n]).unwrap();
        let scalar = x.vars().into_iter().reduce(|a, b| a + b).unwrap().value();
        assert_eq!(scalar.to_bits(), (-0.0f64).to_bits());
        assert_eq!(x.sum().value().to_bits(), scalar.to_bits(), "sum, n = {n}");
        assert_eq!(
            x.mean().value().to_bits(),
            scalar.to_bits(),
            "mean, n = {n}"
        );
        assert_eq!((1.0 / x.sum().value()), f64::NEG_INFINITY);
        // One `+0` anywhere makes the sum `+0`, in every order.
        for k in 0..n {
            let mut v = vec![-0.0; n];
            v[k] = 0.0;
            let y = tape.input_block(n, 1, &v).unwrap();
            assert_eq!(
                y.sum().value().to_bits(),
                0.0f64.to_bits(),
                "n = {n}, +0 at {k}"
            );
        }
    }
    // On duals the value and the tangent are summed alike.
    let tape = Tape::<D1>::new();
    let x = tape.input_block(3, 3, &[D1::new(-0.0, [-0.0]); 9]).unwrap();
    let s = x.sum().value();
    assert_eq!(bits1(&[s]), bits1(&[D1::new(-0.0, [-0.0])]));
}

/// Non-finite entries at every position of sums of every length around
/// the chunking of eight: a NaN anywhere gives NaN, one `+∞` among finite
/// entries gives `+∞`, `+∞` and `−∞` together give NaN; `f64::MAX` twice
/// or more overflows to `+∞` in any order.
#[test]
fn block_sums_with_nan_and_infinite_entries() {
    for n in 1..=20usize {
        let finite: Vec<f64> = (0..n).map(|k| k as f64 - 7.5).collect();
        for k in 0..n {
            let tape = Tape::<f64>::new();
            let mut v = finite.clone();
            v[k] = f64::NAN;
            assert!(tape.input_block(1, n, &v).unwrap().sum().value().is_nan());
            v[k] = f64::INFINITY;
            let b = tape.input_block(1, n, &v).unwrap();
            assert_eq!(b.sum().value(), f64::INFINITY, "n = {n}, ∞ at {k}");
            assert_eq!(b.mean().value(), f64::INFINITY);
            // Every entry's adjoint is still the weight.
            assert_eq!(b.mean().backward().wrt_block(&b), vec![1.0 / n as f64; n]);
            if n > 1 {
                v[(k + 1) % n] = f64::NEG_INFINITY;
                assert!(tape.input_block(1, n, &v).unwrap().sum().value().is_nan());
            }
        }
        let tape = Tape::<f64>::new();
        let big = tape.input_block(1, n, &vec![f64::MAX; n]).unwrap();
        let expect = if n == 1 { f64::MAX } else { f64::INFINITY };
        assert_eq!(big.sum().value(), expect, "n = {n}");
    }
}

/// Below one chunk (`n < 8`) the eight running sums are not used: the
/// block sum is the left-to-right sum of scalar code, bit for bit, for
/// any values (here ones whose sum rounds differently in other orders).
#[test]
fn block_sums_shorter_than_a_chunk_equal_scalar_code_bit_for_bit() {
    let data = [0.1, 1e16, -0.3, 1.0, 3.0e-17, -1e16, 0.7];
    for n in 1..8 {
        let tape = Tape::<f64>::new();
        let b = tape.input_block(n, 1, &data[..n]).unwrap();
        let scalar = b.vars().into_iter().reduce(|a, c| a + c).unwrap().value();
        assert_eq!(b.sum().value().to_bits(), scalar.to_bits(), "n = {n}");
    }
}

// ---------------------------------------------------------------------------
// powi(x, 2) and `square` on duals.

/// Defect: `powi(x, 2)` computed its value as `x·x`, which on dual numbers
/// is the product rule `ẋx + xẋ`: at an infinite (overflowed) value with a
/// zero tangent that is `0·∞ + ∞·0 = NaN`, where every unary rule on duals
/// (and `powi(x, 2)` before the change, through `Dual::powi`) keeps a zero
/// tangent exactly zero (the chain rule skips it: "this input does not
/// move in this direction"). In a forward-over-reverse sweep the NaN
/// appeared in lanes of variables the overflowed term does not depend on.
#[test]
fn square_on_duals_keeps_a_zero_tangent_zero_at_infinite_values() {
    for x in [f64::INFINITY, f64::NEG_INFINITY, 1e300] {
        let (v, d) = rules::powi(D1::new(x, [0.0]), 2);
        assert_eq!(v.re, f64::INFINITY);
        assert_eq!(v.eps[0].to_bits(), 0.0f64.to_bits(), "value tangent at {x}");
        // The same as any other power and as `Dual::powi` (the chain rule).
        assert_eq!(bits1(&[v]), bits1(&[D1::new(x, [0.0]).powi(2)]));
        assert_eq!(rules::powi(D1::new(x, [0.0]), 3).0.eps[0], 0.0);
        assert_eq!(d.eps[0], 0.0, "derivative tangent at {x}");
    }
    // Nested (third order): a zero tangent at every level stays zero.
    let zero = D1::new(0.0, [0.0]);
    for x in [f64::INFINITY, 1e300] {
        let v = rules::powi(D2::new(D1::new(x, [0.0]), [zero]), 2).0;
        assert_eq!(bits2(&[v])[1..], [0u64; 3], "D2 value tangents at {x}");
        let v = rules::powi(D2::new(D1::new(x, [1.0]), [zero]), 2).0;
        assert_eq!(bits2(&[v])[2..], [0u64; 2], "D2 outer tangent at {x}");
    }
    // f(x) = x₁·exp(−x₀⁴) at x₀ = 1e200, where x₀² = 1e400 overflows: f is
    // linear in x₁, so (H e₁)₁ = ∂²f/∂x₁² = 0 exactly, written with blocks
    // or with scalars.
    fn blocks<'t>(x: &[Var<'t, D1>]) -> Var<'t, D1> {
        let tape = x[0].tape().unwrap();
        let x = tape.stack(1, 2, x).unwrap();
        let (a, b) = (x.slice(0..1, 0..1).unwrap(), x.slice(0..1, 1..2).unwrap());
        let e = a.square().square().map("exp(−x)", |v| {
            let (e, d) = rules::exp(-v);
            (e, -d)
        });
        e.mul(&b).unwrap().sum()
    }
    fn scalars<S: Real>(x: &[S]) -> S {
        x[1] * (-x[0].powi(2).powi(2)).exp()
    }
    let at = [1e200, 0.5];
    for (route, hv) in [
        ("blocks", hvp(blocks, &at, &[0.0, 1.0]).unwrap().hv),
        ("scalars", hvp(|x| scalars(x), &at, &[0.0, 1.0]).unwrap().hv),
    ] {
        assert_eq!(hv[1], 0.0, "{route}: (H e₁)₁ = {}", hv[1]);
    }
    // And the dense Hessian's (1, 1) entry, lanes seeded together.
    let h = hessian(|x| scalars(x), &at).unwrap().to_row_major();
    assert_eq!(h[3], 0.0, "dense Hessian (1, 1)");
}

/// `square` on a tape of `Dual<Dual<f64>>` seeded `x + ε₂ + ε₁(1 + 0ε₂)`:
/// the adjoint of `Σ x²` is `2x + 2ε₂ + ε₁(2 + 0ε₂)` — `f′`, `f″` twice
/// and `f‴ = 0` — at edge points, equal bit for bit to scalar code
/// (`Var::powi(2)` and `x·x` on the same tape), and exactly the closed
/// form where it is finite.
#[test]
fn square_to_third_order_at_edge_points_matches_scalar_code() {
    let points = [
        0.0,
        -0.0,
        3.0,
        -2.5,
        1e200,   // x² overflows
        1.7e308, // 2x overflows
        1e-170,  // x² underflows
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let seed = |x: f64| D2::new(D1::new(x, [1.0]), [D1::new(1.0, [0.0])]);
    let xs: Vec<D2> = points.iter().map(|&x| seed(x)).collect();
    let n = xs.len();
    let run = |route: usize| -> (Vec<D2>, Vec<D2>) {
        let tape = Tape::<D2>::new();
        let b = tape.input_block(1, n, &xs).unwrap();
        let vars = b.vars();
        let (values, f) = match route {
            0 => {
                let s = b.square();
                (s.values(), s.sum())
            }
            1 => {
                let s: Vec<Var<'_, D2>> = vars.iter().map(|v| v.powi(2)).collect();
                let f = s.iter().copied().reduce(|a, c| a + c).unwrap();
                (s.iter().map(|v| v.value()).collect(), f)
            }
            _ => {
                let s = b.mul(&b).unwrap();
                (s.values(), s.sum())
            }
        };
        let g = f.backward();
        // Each entry's adjoint separately (a sum of the others' would mix
        // in their NaNs).
        (values, g.wrt_block(&b))
    };
    let (vb, gb) = run(0);
    let (vs, gs) = run(1);
    assert_eq!(
        bits2(&gb),
        bits2(&gs),
        "adjoints: block square vs Var::powi(2)"
    );
    assert_eq!(
        bits2(&vb),
        bits2(&vs),
        "values: block square vs Var::powi(2)"
    );
    // Against `x ⊙ x` (the Hadamard product of the block with itself):
    // the same adjoints wherever the value is finite (`2·round(xẋ)` and
    // `round(2x·ẋ)` agree outside the subnormal range).
    let (_, gm) = run(2);
    for (k, &x) in points.iter().enumerate() {
        if x.is_finite() && x.abs() < 1e300 && x.abs() > 1e-150 || x == 0.0 {
            assert_eq!(bits2(&gb[k..=k]), bits2(&gm[k..=k]), "x ⊙ x at {x}");
        }
    }
    for (k, &x) in points.iter().enumerate() {
        let g = gb[k];
        let (f1, f2a, f2b, f3) = (g.re.re, g.re.eps[0], g.eps[0].re, g.eps[0].eps[0]);
        if x.is_nan() {
            assert!(f1.is_nan(), "NaN value ⇒ NaN derivative");
            continue;
        }
        // (`==`: the adjoint of `−0` is `+0 + 2·(−0) = +0`.)
        assert_eq!(f1, 2.0 * x, "f′ at {x}");
        // Higher derivatives only where `f′ = 2x` has not overflowed: after
        // an overflow they are NaN (convention 3 of the rules docs: the
        // product with the cotangent meets `∞ · 0`).
        if (2.0 * x).is_finite() {
            assert_eq!((f2a, f2b, f3), (2.0, 2.0, 0.0), "f″, f‴ at {x}");
        }
    }
}

// ---------------------------------------------------------------------------
// A rule that panics or uses the tape: the tape is left whole.

/// `(len, entries)` of a tape, to compare before and after.
fn snapshot(tape: &Tape<f64>) -> (usize, Vec<Entry<f64>>) {
    (tape.len(), tape.entries())
}

#[test]
fn a_panicking_map_or_zip_rule_leaves_the_tape_whole_and_usable() {
    let tape = Tape::<f64>::new();
    let x = tape
        .input_block(2, 3, &[1.0, -2.0, 3.0, 0.5, 4.0, -1.0])
        .unwrap();
    let y = x.tanh();
    let before = snapshot(&tape);
    let boom = catch_unwind(AssertUnwindSafe(|| {
        x.map("boom", |v| {
            assert!(v < 3.5, "boom at {v}");
            (v, 1.0)
        })
    }));
    let message = boom
        .err()
        .and_then(|p| p.downcast::<String>().ok())
        .unwrap();
    assert_eq!(*message, "boom at 4");
    assert_eq!(snapshot(&tape), before, "after a panicking map rule");
    let boom = catch_unwind(AssertUnwindSafe(|| {
        x.zip(&y, "boom2", |a, b| {
            assert!(a < 0.0, "zip boom");
            (a + b, 1.0, 1.0)
        })
    }));
    assert!(boom.is_err());
    assert_eq!(snapshot(&tape), before, "after a panicking zip rule");
    // Still usable: the next operations get the next slots, and a gradient
    // through them and through `y` (recorded before the panics) is right.
    let z = x.mul(&y).unwrap();
    assert_eq!(z.slots().start(), before.0);
    let g = z.sum().backward().wrt_block(&x);
    let xv = x.values();
    for (k, &v) in xv.iter().enumerate() {
        let t = v.tanh();
        let expect = t + v * (1.0 - t * t);
        assert!(
            (g[k] - expect).abs() <= 1e-15 * expect.abs().max(1.0),
            "{k}"
        );
    }
}

/// A rule that reads or records on its own tape panics (while a block
/// writes in place the tape's store is lent out; before the change a
/// read from a rule worked, a recording panicked), with a message naming
/// the cause, and the tape is left as it was.
#[test]
fn a_map_rule_that_uses_the_tape_panics_and_leaves_it_whole() {
    let tape = Tape::<f64>::new();
    let x = tape.input_block(1, 3, &[1.0, 2.0, 3.0]).unwrap();
    let w = tape.input_block(1, 1, &[5.0]).unwrap();
    let before = snapshot(&tape);
    let reads = catch_unwind(AssertUnwindSafe(|| {
        x.map("reads", |v| (v * w.values()[0], w.values()[0]))
    }));
    let payload = reads.err().unwrap();
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(message.contains("cannot use a tape"), "{message}");
    assert_eq!(snapshot(&tape), before);
    let records = catch_unwind(AssertUnwindSafe(|| {
        x.zip(&x, "records", |a, b| {
            let _ = tape.var(a);
            (a * b, b, a)
        })
    }));
    assert!(records.is_err());
    assert_eq!(snapshot(&tape), before);
    // The values read before recording serve the rule instead.
    let w0 = w.values()[0];
    let y = x.map("scaled", |v| (v * w0, w0));
    assert_eq!(y.values(), vec![5.0, 10.0, 15.0]);
    assert_eq!(y.sum().backward().wrt_block(&x), vec![5.0; 3]);
}

// ---------------------------------------------------------------------------
// Real constants, constants, shapes, a block with itself.

/// Every in-place operation with real-constant operands (one or both),
/// against the same operation with the constant stored as `T`
/// (`constant_block`). Integer and power-of-two data: every product and
/// sum is exact, so the routes must agree bit for bit (values, and the
/// gradient of `Σ results²`).
/// Entries of the last two results of [`with_constants`]: products of
/// two real constants (`2×2` and `3×3`).
const BOTH_REAL_PRODUCTS: usize = 4 + 9;

fn with_constants<T: Scalar>(x: &[T], real: bool) -> (Vec<T>, Vec<T>) {
    let tape = Tape::<T>::new();
    let constant = |r: usize, c: usize, v: &[f64]| {
        if real {
            tape.constant_block_real(r, c, v).unwrap()
        } else {
            let v: Vec<T> = v.iter().map(|&e| T::from_f64(e)).collect();
            tape.constant_block(r, c, &v).unwrap()
        }
    };
    let xb = tape.input_block(2, 3, x).unwrap();
    let c = constant(2, 3, &[1.0, -2.0, 4.0, 0.5, -1.0, 2.0]);
    let row = constant(1, 3, &[2.0, -1.0, 0.5]);
    let col = constant(3, 1, &[1.0, 2.0, -1.0]);
    let m = constant(3, 2, &[1.0, 0.0, -2.0, 1.0, 0.5, 3.0]);
    let results = [
        c.tanh(),
        c.square(),
        c.affine(2.0, -1.0),
        xb.mul(&c).unwrap(),
        c.mul(&xb).unwrap(),
        c.sub(&xb).unwrap(),
        xb.add(&c).unwrap(),
        c.add(&c).unwrap(),
        c.mul(&c).unwrap(),
        xb.div(&c).unwrap(),
        c.slice(0..2, 1..3).unwrap(),
        c.slice(1..2, 0..3).unwrap().slice(0..1, 1..2).unwrap(),
        xb.add_row(&row).unwrap(),
        xb.add_row(&col).unwrap(),
        c.add_row(&xb.slice(1..2, 0..3).unwrap()).unwrap(),
        c.add_row(&row).unwrap(),
        row.add_row(&row).unwrap(),
        xb.matmul(&m).unwrap(),
        m.matmul(&xb).unwrap(),
        c.matmul(&m).unwrap(),
        m.matmul(&c).unwrap(),
    ];
    let mut values = Vec::new();
    let mut f: Option<Var<'_, T>> = None;
    for r in &results {
        values.extend(r.values());
        let s = r.mul(r).unwrap().sum();
        f = Some(f.map_or(s, |f| f + s));
    }
    (values, f.unwrap().backward().wrt_block(&xb))
}

#[test]
fn real_constant_operands_equal_stored_constants_bit_for_bit() {
    let x = [3.0, -1.0, 2.0, 0.5, -4.0, 1.0];
    let (vr, gr) = with_constants::<f64>(&x, true);
    let (vs, gs) = with_constants::<f64>(&x, false);
    assert_eq!(bits(&vr), bits(&vs), "values on f64");
    assert_eq!(bits(&gr), bits(&gs), "gradient on f64");
    let xd: Vec<D1> = x
        .iter()
        .enumerate()
        .map(|(k, &v)| D1::new(v, [k as f64 - 2.0]))
        .collect();
    let (vr, gr) = with_constants::<D1>(&xd, true);
    let (vs, gs) = with_constants::<D1>(&xd, false);
    // The last 13 values are products of two constants, neither in place
    // (the real-right gemm on a stored copy): their zero tangents come out
    // `−0` there and `+0` through the dual gemm, an older difference of
    // sign only, so they are compared as numbers.
    let k = vr.len() - BOTH_REAL_PRODUCTS;
    assert_eq!(bits1(&vr[..k]), bits1(&vs[..k]), "values on duals");
    for (a, b) in vr[k..].iter().zip(&vs[k..]) {
        assert!(a.re == b.re && a.eps == b.eps, "{a:?} vs {b:?}");
    }
    assert_eq!(bits1(&gr), bits1(&gs), "gradient (HVP lane) on duals");
    // f32 tapes go the same way.
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let (vr, gr) = with_constants::<f32>(&xf, true);
    let (vs, gs) = with_constants::<f32>(&xf, false);
    assert_eq!(vr, vs);
    assert_eq!(gr, gs);
}

/// A block combined with itself, against scalar code on the same values:
/// `x + x`, `x − x`, `x ⊙ x`, `x ⊘ x`, `add_row(x, x)` for a row and
/// `XᵀX`-like products `X·X` of a square block, on f64 and on duals with
/// tangents, values and gradients bit for bit (integer data: exact).
#[test]
fn a_block_combined_with_itself_matches_scalar_code_bit_for_bit() {
    fn run<T: Scalar>(x: &[T], blocks: bool) -> (Vec<T>, Vec<T>) {
        let tape = Tape::<T>::new();
        let b = tape.input_block(2, 2, x).unwrap();
        let v = b.vars();
        let r = tape.input_block(1, 2, &x[..2]).unwrap();
        let rv = r.vars();
        let outs: Vec<Vec<Var<'_, T>>> = if blocks {
            [
                b.add(&b).unwrap(),
                b.sub(&b).unwrap(),
                b.mul(&b).unwrap(),
                b.div(&b).unwrap(),
                b.zip(&b, "mul", rules::mul).unwrap(),
                r.add_row(&r).unwrap(),
                b.matmul(&b).unwrap(),
            ]
            .iter()
            .map(|o| o.vars())
            .collect()
        } else {
            let mm = |i: usize, j: usize| v[2 * i] * v[j] + v[2 * i + 1] * v[2 + j];
            vec![
                v.iter().map(|&a| a + a).collect(),
                v.iter().map(|&a| a - a).collect(),
                v.iter().map(|&a| a * a).collect(),
                v.iter().map(|&a| a / a).collect(),
                v.iter().map(|&a| a * a).collect(),
                rv.iter().map(|&a| a + a).collect(),
                vec![mm(0, 0), mm(0, 1), mm(1, 0), mm(1, 1)],
            ]
        };
        let mut values = Vec::new();
        let mut f = tape.var(T::zero());
        for (k, o) in outs.iter().enumerate() {
            for (j, &y) in o.iter().enumerate() {
                values.push(y.value());
                f += y * ((k + 2 * j) as f64 - 3.0);
            }
        }
        let g = f.backward();
        let mut grad = g.wrt_block(&b);
        grad.extend(g.wrt_block(&r));
        (values, grad)
    }
    let x = [2.0, -3.0, 0.5, 4.0];
    let (vb, gb) = run::<f64>(&x, true);
    let (vs, gs) = run::<f64>(&x, false);
    assert_eq!(bits(&vb), bits(&vs));
    assert_eq!(bits(&gb), bits(&gs));
    let xd: Vec<D1> = x.iter().map(|&v| D1::new(v, [v - 1.0])).collect();
    let (vb, gb) = run::<D1>(&xd, true);
    let (vs, gs) = run::<D1>(&xd, false);
    assert_eq!(bits1(&vb), bits1(&vs));
    assert_eq!(bits1(&gb), bits1(&gs));
}

/// Shapes `1×1`, `1×n`, `n×1`, slices of slices down to one entry,
/// `add_row` with a `1×1` and an `n×1` row, matrix products of a row and
/// a column both ways; every value and gradient against scalar code (on
/// integers: exact).
#[test]
fn thin_shapes_and_slices_of_slices_match_scalar_code() {
    let tape = Tape::<f64>::new();
    let data = [1.0, -2.0, 3.0, 5.0, -4.0];
    let row = tape.input_block(1, 5, &data).unwrap();
    let col = tape.input_block(5, 1, &data).unwrap();
    let one = tape.input_block(1, 1, &[7.0]).unwrap();
    // Slices of slices: [1..5] → [1..4] → [2..3] is entry 3 of the row.
    let s = row.slice(0..1, 1..5).unwrap().slice(0..1, 1..4).unwrap();
    let s = s.slice(0..1, 1..2).unwrap();
    assert_eq!(s.values(), vec![5.0]);
    let c = col.slice(1..5, 0..1).unwrap().slice(2..4, 0..1).unwrap();
    assert_eq!(c.values(), vec![5.0, -4.0]);
    let o = one
        .slice(0..1, 0..1)
        .unwrap()
        .square()
        .add_row(&one)
        .unwrap();
    assert_eq!(o.values(), vec![56.0]);
    let bc = col.add_row(&one).unwrap(); // 5×1 plus a 1×1 row
    assert_eq!(bc.values(), vec![8.0, 5.0, 10.0, 12.0, 3.0]);
    let br = row
        .slice(0..1, 0..2)
        .unwrap()
        .add_row(&col.slice(0..2, 0..1).unwrap())
        .unwrap();
    assert_eq!(br.values(), vec![2.0, -4.0]);
    let inner = row.matmul(&col).unwrap(); // 1×1
    assert_eq!(inner.values(), vec![55.0]);
    let outer = col.matmul(&row).unwrap(); // 5×5
    let ov = outer.values();
    for i in 0..5 {
        for j in 0..5 {
            assert_eq!(ov[5 * i + j], data[i] * data[j]);
        }
    }
    let f = s.sum() * 3.0
        + c.mul(&c).unwrap().sum()
        + o.sum()
        + bc.square().sum()
        + br.sum() * inner.sum()
        + outer.sum();
    let g = f.backward();
    let (gr, gc, g1) = (g.wrt_block(&row), g.wrt_block(&col), g.wrt_block(&one));
    // By hand: with r = c = data, S = Σ data = 3, and the 1×1 block t = 7.
    let sum: f64 = data.iter().sum();
    let dot: f64 = data.iter().map(|v| v * v).sum();
    let br_sum = data[0] + data[1] + data[0] + data[1];
    for k in 0..5 {
        // row: s picks entry 3; br uses entries 0, 1; inner = r·c; outer = S_r S_c.
        let mut er = if k == 3 { 3.0 } else { 0.0 };
        if k < 2 {
            er += dot;
        }
        er += br_sum * data[k] + sum;
        // col: c picks entries 3, 4 (squared); bc = col + t (squared);
        // br uses entries 0, 1; inner; outer.
        let mut ec = if k >= 3 { 2.0 * data[k] } else { 0.0 };
        ec += 2.0 * (data[k] + 7.0);
        if k < 2 {
            ec += dot;
        }
        ec += br_sum * data[k] + sum;
        assert_eq!(gr[k], er, "row entry {k}");
        assert_eq!(gc[k], ec, "column entry {k}");
    }
    let et = 2.0 * 7.0 + 1.0 + data.iter().map(|v| 2.0 * (v + 7.0)).sum::<f64>();
    assert_eq!(g1, vec![et]);
}

// ---------------------------------------------------------------------------
// Sparsity, printing, second order against scalar code.

fn pattern_of(
    n: usize,
    x: &[f64],
    f: impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
) -> HessianPattern {
    let tape = Tape::<f64>::new();
    let xs = tape.vars(&x[..n]);
    let y = f(&xs);
    tape.hessian_pattern(&xs, y)
}

/// `Σ (x[k+2] − x[k]·x[k+1])² + Σ (x² + 2x)`, the first term through
/// slices of a slice, the second through a block zipped with itself.
fn banded_blocks<'t, T: Scalar>(x: &[Var<'t, T>]) -> Var<'t, T> {
    let n = x.len();
    let tape = x[0].tape().unwrap();
    let b = tape.stack(1, n, x).unwrap();
    let inner = b.slice(0..1, 1..n).unwrap();
    let tail = inner.slice(0..1, 1..n - 1).unwrap();
    let head = b.slice(0..1, 0..n - 2).unwrap();
    let mid = inner.slice(0..1, 0..n - 2).unwrap();
    let d = tail.sub(&head.mul(&mid).unwrap()).unwrap();
    let s = b.mul(&b).unwrap().add(&b.add(&b).unwrap()).unwrap();
    d.square().sum() + s.sum()
}

fn banded_scalars<S: Real>(x: &[S]) -> S {
    let mut f = S::zero();
    for w in x.windows(3) {
        let d = w[2] - w[0] * w[1];
        f += d * d;
    }
    for &v in x {
        f += v * v + (v + v);
    }
    f
}

/// `Z = X + 1bᵀ` for `X` `2×3` and `b` the last three inputs, squared and
/// summed, plus `b` added to itself (`add_row` of a row to itself).
fn broadcast_blocks<'t, T: Scalar>(x: &[Var<'t, T>]) -> Var<'t, T> {
    let tape = x[0].tape().unwrap();
    let xb = tape.stack(2, 3, &x[..6]).unwrap();
    let b = tape.stack(1, 3, &x[6..9]).unwrap();
    xb.add_row(&b).unwrap().square().sum() + b.add_row(&b).unwrap().tanh().sum()
}

fn broadcast_scalars<S: Real>(x: &[S]) -> S {
    let mut f = S::zero();
    for i in 0..2 {
        for j in 0..3 {
            let z = x[3 * i + j] + x[6 + j];
            f += z * z;
        }
    }
    for j in 0..3 {
        f += (x[6 + j] + x[6 + j]).tanh();
    }
    f
}

#[test]
fn hessian_patterns_of_in_place_block_code_equal_those_of_scalar_code() {
    let x: Vec<f64> = (0..12).map(|k| 0.3 * k as f64 - 1.1).collect();
    for n in [3, 4, 9, 12] {
        let pb = pattern_of(n, &x, banded_blocks);
        let ps = pattern_of(n, &x, |x| banded_scalars(x));
        for j in 0..n {
            assert_eq!(pb.column(j), ps.column(j), "banded, n = {n}, column {j}");
            for i in 0..n {
                assert_eq!(pb.contains(i, j), i.abs_diff(j) <= 2, "banded ({i}, {j})");
            }
        }
    }
    let pb = pattern_of(9, &x, broadcast_blocks);
    let ps = pattern_of(9, &x, |x| broadcast_scalars(x));
    for j in 0..9 {
        assert_eq!(pb.column(j), ps.column(j), "broadcast, column {j}");
    }
    assert!(pb.contains(0, 6) && pb.contains(3, 6) && !pb.contains(0, 7) && !pb.contains(0, 3));
}

#[test]
fn in_place_blocks_print_under_their_names() {
    let tape = Tape::<f64>::new();
    let x = tape.input_block(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let r = tape.constant_block_real(1, 2, &[1.0, 2.0]).unwrap();
    let from = tape.len();
    let y = x.square().tanh().affine(2.0, 1.0);
    let z = y
        .add(&x)
        .unwrap()
        .sub(&x)
        .unwrap()
        .mul(&y)
        .unwrap()
        .div(&x)
        .unwrap();
    let z = z
        .slice(0..2, 0..1)
        .unwrap()
        .add_row(&x.slice(0..1, 0..1).unwrap())
        .unwrap();
    let p = x.matmul(&z).unwrap();
    let _ = x.mul(&r.add_row(&r).unwrap()); // shape error: 2×2 ⊙ 1×2
    let _ = p.sum();
    assert_eq!(
        block_names(&tape, from),
        [
            "square", "tanh", "affine", "add", "sub", "mul", "div", "slice", "slice", "add_row",
            "matmul",
            // `r.add_row(&r)`: the real operands' stored copies, then the op.
            "input", "input", "add_row", "sum"
        ]
    );
    // And every in-place block's slots follow each other without gaps.
    let mut next = from;
    for e in tape.entries() {
        if let Entry::Block { start, len, .. } = e {
            if start >= from {
                assert_eq!(start, next);
                next = start + len;
            }
        }
    }
    assert_eq!(next, tape.len());
}

/// Block code with `add_row` and `matmul` of two tape blocks, inside
/// `tanh` and a slice, against the same function in scalar code:
/// gradient and HVP. The matrix products sum in gemm's order, scalar code
/// left to right: `1e-13` relative (three-term dot products of `O(1)`
/// numbers differ by a few ulps; a wrong entry or partial is `O(1)`).
#[test]
fn layer_written_with_in_place_blocks_matches_scalar_code_to_second_order() {
    fn blocks<'t, T: Scalar>(x: &[Var<'t, T>]) -> Var<'t, T> {
        let tape = x[0].tape().unwrap();
        let w = tape.stack(2, 3, &x[..6]).unwrap();
        let a = tape.stack(3, 2, &x[6..12]).unwrap();
        let b = tape.stack(1, 2, &x[12..14]).unwrap();
        let h = w.matmul(&a).unwrap().add_row(&b).unwrap().tanh();
        let o = h.matmul(&h.slice(0..2, 1..2).unwrap()).unwrap();
        o.square().mean() + h.mul(&h).unwrap().sum()
    }
    fn scalars<S: Real>(x: &[S]) -> S {
        let mut h = [[S::zero(); 2]; 2];
        for (i, hi) in h.iter_mut().enumerate() {
            for (j, hij) in hi.iter_mut().enumerate() {
                let mut s = x[3 * i] * x[6 + j];
                s += x[3 * i + 1] * x[8 + j];
                s += x[3 * i + 2] * x[10 + j];
                *hij = (s + x[12 + j]).tanh();
            }
        }
        let mut f = S::zero();
        for hi in &h {
            let o = hi[0] * h[0][1] + hi[1] * h[1][1];
            f += o * o * S::cst(0.5);
        }
        for hi in &h {
            for &v in hi {
                f += v * v;
            }
        }
        f
    }
    let x: Vec<f64> = (0..14).map(|k| ((k * 7 % 11) as f64 - 5.0) / 6.0).collect();
    let v: Vec<f64> = (0..14).map(|k| ((k * 5 % 13) as f64 - 6.0) / 4.0).collect();
    let close = |a: &[f64], b: &[f64], what: &str| {
        let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (k, (p, q)) in a.iter().zip(b).enumerate() {
            assert!((p - q).abs() <= 1e-13 * scale, "{what}[{k}]: {p} vs {q}");
        }
    };
    let gb = saddle_dual::gradient(blocks, &x).unwrap().gradient;
    let gs = saddle_dual::gradient(|x| scalars(x), &x).unwrap().gradient;
    close(&gb, &gs, "gradient");
    let hb = hvp(blocks, &x, &v).unwrap().hv;
    let hs = hvp(|x| scalars(x), &x, &v).unwrap().hv;
    close(&hb, &hs, "HVP");
}

/// The sparse Hessian driver colours the columns by the pattern the
/// entry dependences give and sweeps compressed lanes through the
/// in-place blocks (slices of a slice, a block times itself): against the
/// dense Hessian of the scalar code, `1e-13` relative to the largest
/// entry (the block sums add in eight running sums, scalar code left to
/// right: a few ulps of sums of `O(10)` terms; a lost entry is `O(1)`).
#[test]
fn sparse_hessian_of_sliced_block_code_matches_the_scalar_hessian() {
    let n = 20;
    let x: Vec<f64> = (0..n).map(|k| ((k * 7 % 9) as f64 - 4.0) / 3.0).collect();
    let sparse = saddle_dual::sparse_hessian(banded_blocks, &x).unwrap();
    let dense = hessian(|x| banded_scalars(x), &x).unwrap().to_row_major();
    let got = sparse.to_dense_row_major();
    let scale = dense.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (got[i * n + j], dense[i * n + j]);
            assert!((a - b).abs() <= 1e-13 * scale, "({i}, {j}): {a} vs {b}");
            if i.abs_diff(j) > 2 {
                assert_eq!(a, 0.0, "outside the band ({i}, {j})");
            }
        }
    }
}

/// A rectangle of a rectangle of a `4×5` block, `add_row` of a column
/// slice, and scalar nodes recorded between the in-place blocks (a block
/// then starts after them): values and gradient against scalar code,
/// exact on integers.
#[test]
fn two_dimensional_slices_between_scalar_nodes_match_scalar_code() {
    let data: Vec<f64> = (0..20).map(|k| (k % 7) as f64 - 3.0).collect();
    let tape = Tape::<f64>::new();
    let x = tape.input_block(4, 5, &data).unwrap();
    let xv = x.vars();
    let v = xv[6] * xv[13]; // a scalar node between blocks
    let inner = x.slice(1..4, 1..5).unwrap(); // rows 1..4, columns 1..5
    let s = inner.slice(1..3, 2..4).unwrap(); // rows 2..4, columns 3..5 of x
    assert_eq!(s.slots().start(), v.slot().unwrap() + 1 + 12);
    let w = v * v; // another
    let col = x.slice(0..2, 4..5).unwrap(); // a 2×1 column as the row
    let z = s.square().add_row(&col).unwrap();
    let expect_s = [data[13], data[14], data[18], data[19]];
    assert_eq!(s.values(), expect_s);
    let zv = z.values();
    for i in 0..2 {
        for j in 0..2 {
            assert_eq!(zv[2 * i + j], expect_s[2 * i + j].powi(2) + data[5 * j + 4]);
        }
    }
    let f = z.sum() * w + z.mul(&z).unwrap().sum();
    let g = f.backward().wrt_block(&x);
    // The same in scalar code.
    let tape2 = Tape::<f64>::new();
    let y = tape2.vars(&data);
    let (v2, mut f2) = (y[6] * y[13], tape2.var(0.0));
    let w2 = v2 * v2;
    let mut zsum = tape2.var(0.0);
    for r in [2usize, 3] {
        for (j, c) in [3usize, 4].into_iter().enumerate() {
            let z = y[5 * r + c] * y[5 * r + c] + y[5 * j + 4];
            zsum += z;
            f2 += z * z;
        }
    }
    let f2 = zsum * w2 + f2;
    assert_eq!(f.value(), f2.value());
    assert_eq!(g, f2.backward().wrt_all(&y));
}

/// A sweep asked for some gradients only (`backward_wrt`) skips the
/// adjoints of inputs that do not reach them, also through `add` / `sub`
/// with their partials kept once, slices and `add_row`: the wanted
/// gradients equal those of the full sweep, bit for bit, on duals.
#[test]
fn restricted_sweeps_through_in_place_blocks_equal_full_ones() {
    let tape = Tape::<D1>::new();
    let xs: Vec<D1> = (0..6)
        .map(|k| D1::new(k as f64 - 2.5, [0.5 * k as f64]))
        .collect();
    let x = tape.input_block(2, 3, &xs).unwrap();
    let other = tape.input_block(2, 3, &xs).unwrap(); // not wanted
    let xv = x.vars();
    let y = x.sub(&other).unwrap().add(&other.square()).unwrap();
    let z = y
        .slice(0..2, 1..3)
        .unwrap()
        .add_row(&other.slice(1..2, 0..2).unwrap())
        .unwrap();
    let f = z.mul(&x.slice(0..2, 0..2).unwrap()).unwrap().tanh().sum() + y.sum();
    let full = f.backward().wrt_all(&xv);
    let some = f.backward_wrt(&xv);
    assert_eq!(bits1(&some), bits1(&full));
}
