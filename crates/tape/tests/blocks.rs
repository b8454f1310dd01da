//! Block operations against the same computation built from scalar `Var`
//! operations: values and gradients agree to 1e-12 relative (both routes
//! are exact up to summation order, so only a few ulps may differ).

use proptest::prelude::*;
use saddle_check::strategies::{self, config};
use saddle_tape::prelude::*;
use saddle_tape::{rules, BlockOp, Cotangents, Slots};

/// `|a − b| ≤ 1e-12 · max(1, |a|, |b|)` for every entry.
fn assert_close(block: &[f64], scalar: &[f64], what: &str) {
    assert_eq!(block.len(), scalar.len(), "{what}: lengths");
    for (i, (a, b)) in block.iter().zip(scalar).enumerate() {
        let scale = 1f64.max(a.abs()).max(b.abs());
        assert!(
            (a - b).abs() <= 1e-12 * scale,
            "{what}[{i}]: block {a} vs scalar {b}"
        );
    }
}

/// `A·B` from scalar operations.
fn scalar_matmul<'t>(
    a: &[Var<'t, f64>],
    b: &[Var<'t, f64>],
    m: usize,
    k: usize,
    n: usize,
) -> Vec<Var<'t, f64>> {
    let mut c = Vec::with_capacity(m * n);
    for i in 0..m {
        for j in 0..n {
            c.push((0..k).map(|p| a[i * k + p] * b[p * n + j]).sum());
        }
    }
    c
}

/// Weights for a scalar loss `Σ wᵢ yᵢ` that makes every output cotangent
/// different (a plain sum would hide transposition mistakes).
fn weights(len: usize) -> Vec<f64> {
    (0..len).map(|i| 0.3 + (i as f64 * 0.7).sin()).collect()
}

fn weighted<'t>(y: &[Var<'t, f64>]) -> Var<'t, f64> {
    y.iter().zip(weights(y.len())).map(|(v, w)| *v * w).sum()
}

fn weighted_block<'t>(tape: &'t Tape<f64>, y: &Block<'t, f64>) -> Var<'t, f64> {
    let w = tape
        .constant_block(y.rows(), y.cols(), &weights(y.slots().len()))
        .unwrap();
    y.mul(&w).unwrap().sum()
}

const M: usize = 3;
const K: usize = 4;
const N: usize = 2;

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn slice_matches_scalar_ops(
        x0 in strategies::well_scaled(4 * 5),
        r0 in 0usize..4, r_len in 1usize..5, c0 in 0usize..5, c_len in 1usize..6,
    ) {
        let (r1, c1) = ((r0 + r_len).min(4), (c0 + c_len).min(5));
        prop_assume!(r0 < r1 && c0 < c1);
        let tape = Tape::new();
        let x = tape.input_block(4, 5, &x0).unwrap();
        let y = x.slice(r0..r1, c0..c1).unwrap();
        assert_eq!(y.shape(), (r1 - r0, c1 - c0));
        // A nonlinear use of the slice, so the cotangents differ per entry.
        let g = weighted_block(&tape, &y.square()).backward();

        let scalar_tape = Tape::new();
        let sx = scalar_tape.vars(&x0);
        let sy: Vec<_> = (r0..r1)
            .flat_map(|i| (c0..c1).map(move |j| (i, j)))
            .map(|(i, j)| sx[i * 5 + j] * sx[i * 5 + j])
            .collect();
        let sg = weighted(&sy).backward();
        assert_close(&y.square().values(), &sy.iter().map(|v| v.value()).collect::<Vec<_>>(), "slice value");
        // Entries outside the rectangle get exactly zero.
        assert_close(&g.wrt_block(&x), &sg.wrt_all(&sx), "slice dX");
    }

    #[test]
    fn affine_matches_scalar_ops(x0 in strategies::well_scaled(6), alpha in -3.0f64..3.0, beta in -3.0f64..3.0) {
        let tape = Tape::new();
        let x = tape.input_block(2, 3, &x0).unwrap();
        let y = x.affine(alpha, beta);
        let g = weighted_block(&tape, &y.square()).backward();

        let scalar_tape = Tape::new();
        let sx = scalar_tape.vars(&x0);
        let sy: Vec<_> = sx.iter().map(|&v| { let a = v * alpha + beta; a * a }).collect();
        let sg = weighted(&sy).backward();
        assert_close(&y.square().values(), &sy.iter().map(|v| v.value()).collect::<Vec<_>>(), "affine value");
        assert_close(&g.wrt_block(&x), &sg.wrt_all(&sx), "affine dX");
    }

    #[test]
    fn matmul_matches_scalar_ops(a0 in strategies::well_scaled(M * K), b0 in strategies::well_scaled(K * N)) {
        let tape = Tape::new();
        let (a, b) = (tape.input_block(M, K, &a0).unwrap(), tape.input_block(K, N, &b0).unwrap());
        let c = a.matmul(&b).unwrap();
        let g = weighted_block(&tape, &c).backward();

        let scalar_tape = Tape::new();
        let (sa, sb) = (scalar_tape.vars(&a0), scalar_tape.vars(&b0));
        let sc = scalar_matmul(&sa, &sb, M, K, N);
        let sg = weighted(&sc).backward();

        assert_close(&c.values(), &sc.iter().map(|v| v.value()).collect::<Vec<_>>(), "matmul value");
        assert_close(&g.wrt_block(&a), &sg.wrt_all(&sa), "matmul dA");
        assert_close(&g.wrt_block(&b), &sg.wrt_all(&sb), "matmul dB");
    }

    #[test]
    fn add_row_matches_scalar_ops(x0 in strategies::well_scaled(M * N), b0 in strategies::well_scaled(N)) {
        let tape = Tape::new();
        let (x, b) = (tape.input_block(M, N, &x0).unwrap(), tape.input_block(1, N, &b0).unwrap());
        let z = x.add_row(&b).unwrap();
        let g = weighted_block(&tape, &z).backward();

        let st = Tape::new();
        let (sx, sb) = (st.vars(&x0), st.vars(&b0));
        let sz: Vec<_> = (0..M * N).map(|k| sx[k] + sb[k % N]).collect();
        let sg = weighted(&sz).backward();

        assert_close(&z.values(), &sz.iter().map(|v| v.value()).collect::<Vec<_>>(), "add_row value");
        assert_close(&g.wrt_block(&x), &sg.wrt_all(&sx), "add_row dX");
        assert_close(&g.wrt_block(&b), &sg.wrt_all(&sb), "add_row db");
    }

    #[test]
    fn every_activation_matches_scalar_ops(x0 in strategies::well_scaled(M * N)) {
        type Act = (&'static str, fn(f64) -> (f64, f64));
        let acts: [Act; 6] = [
            ("identity", rules::identity),
            ("relu", rules::relu),
            ("sigmoid", rules::sigmoid),
            ("tanh", rules::tanh),
            ("softplus", rules::softplus),
            ("square", |x| rules::powi(x, 2)),
        ];
        for (name, rule) in acts {
            let tape = Tape::new();
            let x = tape.input_block(M, N, &x0).unwrap();
            let y = x.map(name, rule);
            let g = weighted_block(&tape, &y).backward();

            let st = Tape::new();
            let sx = st.vars(&x0);
            let sy: Vec<_> = sx.iter().map(|v| v.apply(rule)).collect();
            let sg = weighted(&sy).backward();

            assert_close(&y.values(), &sy.iter().map(|v| v.value()).collect::<Vec<_>>(), name);
            assert_close(&g.wrt_block(&x), &sg.wrt_all(&sx), name);
        }
    }

    #[test]
    fn elementwise_binary_matches_scalar_ops(a0 in strategies::well_scaled(M * N), b0 in strategies::positive(M * N)) {
        type Op = (
            &'static str,
            for<'t> fn(&Block<'t, f64>, &Block<'t, f64>) -> Block<'t, f64>,
            for<'t> fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>,
        );
        let ops: [Op; 4] = [
            ("add", |a, b| a.add(b).unwrap(), |a, b| a + b),
            ("sub", |a, b| a.sub(b).unwrap(), |a, b| a - b),
            ("mul", |a, b| a.mul(b).unwrap(), |a, b| a * b),
            ("div", |a, b| a.div(b).unwrap(), |a, b| a / b),
        ];
        for (name, block_op, scalar_op) in ops {
            let tape = Tape::new();
            let (a, b) = (tape.input_block(M, N, &a0).unwrap(), tape.input_block(M, N, &b0).unwrap());
            let c = block_op(&a, &b);
            let g = weighted_block(&tape, &c).backward();

            let st = Tape::new();
            let (sa, sb) = (st.vars(&a0), st.vars(&b0));
            let sc: Vec<_> = sa.iter().zip(&sb).map(|(x, y)| scalar_op(*x, *y)).collect();
            let sg = weighted(&sc).backward();

            assert_close(&c.values(), &sc.iter().map(|v| v.value()).collect::<Vec<_>>(), name);
            assert_close(&g.wrt_block(&a), &sg.wrt_all(&sa), name);
            assert_close(&g.wrt_block(&b), &sg.wrt_all(&sb), name);
        }
    }

    #[test]
    fn sum_mean_and_reading_back_match_scalar_ops(x0 in strategies::well_scaled(M * N)) {
        let tape = Tape::new();
        let x = tape.input_block(M, N, &x0).unwrap();
        // L = sum(X)² + 3·mean(X) + X₁₀·X₀₁ (entries read back as Vars)
        let y = x.sum().powi(2) + x.mean() * 3.0 + x.at(1, 0) * x.at(0, 1);
        let g = y.backward();

        let st = Tape::new();
        let sx = st.vars(&x0);
        let s: Var<f64> = sx.iter().sum();
        let sy = s.powi(2) + s / (M * N) as f64 * 3.0 + sx[N] * sx[1];
        let sg = sy.backward();

        assert_close(&[y.value()], &[sy.value()], "sum/mean value");
        assert_close(&g.wrt_block(&x), &sg.wrt_all(&sx), "sum/mean gradient");
        assert_close(&x.vars().iter().map(|v| g.wrt(*v)).collect::<Vec<_>>(), &g.wrt_block(&x), "vars()");
    }

    #[test]
    fn stack_then_block_ops_matches_scalar_ops(x0 in strategies::well_scaled(M * K), w0 in strategies::well_scaled(K)) {
        // Scalar Vars (computed, plus a constant) gathered into a block, then a matmul.
        let tape = Tape::new();
        let xs = tape.vars(&x0);
        let mut entries: Vec<_> = xs.iter().map(|v| v.sin()).collect();
        entries[0] = Var::constant(0.5);
        let x = tape.stack(M, K, &entries).unwrap();
        let w = tape.input_block(K, 1, &w0).unwrap();
        let g = weighted_block(&tape, &x.matmul(&w).unwrap().tanh()).backward();

        let st = Tape::new();
        let (sxs, sw) = (st.vars(&x0), st.vars(&w0));
        let mut se: Vec<_> = sxs.iter().map(|v| v.sin()).collect();
        se[0] = Var::constant(0.5);
        let sy: Vec<_> = scalar_matmul(&se, &sw, M, K, 1).into_iter().map(|v| v.tanh()).collect();
        let sg = weighted(&sy).backward();

        assert_close(&g.wrt_all(&xs), &sg.wrt_all(&sxs), "stack dX");
        assert_close(&g.wrt_block(&w), &sg.wrt_all(&sw), "stack dW");
    }
}

#[test]
fn slice_out_of_range_or_empty_is_an_error_naming_the_ranges() {
    let tape = Tape::<f64>::new();
    let x = tape.input_block(2, 3, &[1.0; 6]).unwrap();
    for (rows, cols) in [(0..3, 0..1), (0..1, 2..4), (1..1, 0..1), (0..1, 2..2)] {
        let err = x.slice(rows.clone(), cols.clone()).unwrap_err().to_string();
        let want = format!(
            "slice: rows {}..{} and columns {}..{} of a 2×3 block",
            rows.start, rows.end, cols.start, cols.end
        );
        assert!(err.starts_with(&want), "{err}");
    }
    // Slicing a real constant block reads its f64 store.
    let c = tape
        .constant_block_real(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        .unwrap();
    assert_eq!(c.slice(1..2, 1..3).unwrap().values(), vec![5.0, 6.0]);
}

#[test]
fn a_matmul_is_one_tape_entry() {
    let tape = Tape::new();
    let a = tape.input_block(64, 64, &vec![0.5; 64 * 64]).unwrap();
    let b = tape.input_block(64, 64, &vec![0.25; 64 * 64]).unwrap();
    let before = (tape.num_blocks(), tape.num_nodes());
    let c = a.matmul(&b).unwrap();
    assert_eq!(
        (tape.num_blocks(), tape.num_nodes()),
        (before.0 + 1, before.1)
    );
    assert_eq!(c.values()[0], 64.0 * 0.125);
}

#[test]
fn constant_blocks_get_no_adjoint_but_feed_the_others() {
    let tape = Tape::new();
    let x = tape.constant_block(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let w = tape.input_block(2, 1, &[0.5, -1.0]).unwrap();
    let g = x.matmul(&w).unwrap().sum().backward();
    assert_eq!(g.wrt_block(&w), vec![4.0, 6.0]); // column sums of X
    assert_eq!(g.wrt_block(&x), vec![0.0; 4]);
    assert!(x.at(0, 0).is_constant());
}

#[test]
fn shape_errors_carry_the_numbers() {
    let tape = Tape::<f64>::new();
    let e = tape.input_block(2, 3, &[1.0; 5]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "input_block: got 5 values for a 2×3 block (expected 6)"
    );
    let e = tape.input_block(0, 3, &[]).unwrap_err();
    assert!(
        e.to_string()
            .contains("at least one row and one column, got 0×3"),
        "{e}"
    );
    let a = tape.input_block(2, 3, &[1.0; 6]).unwrap();
    let b = tape.input_block(2, 3, &[1.0; 6]).unwrap();
    let e = a.matmul(&b).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: shapes 2×3 and 2×3 do not fit (inner dimensions differ)"
    );
    let e = a
        .add_row(&tape.input_block(1, 2, &[1.0; 2]).unwrap())
        .unwrap_err();
    assert!(
        e.to_string().starts_with("add_row: shapes 2×3 and 1×2"),
        "{e}"
    );
    let e = a
        .mul(&tape.input_block(3, 2, &[1.0; 6]).unwrap())
        .unwrap_err();
    assert!(
        e.to_string().contains("elementwise needs equal shapes"),
        "{e}"
    );
    let e = tape.stack(2, 2, &tape.vars(&[1.0; 3])).unwrap_err();
    assert!(
        e.to_string().contains("got 3 values for a 2×2 block"),
        "{e}"
    );
}

/// `rows · cols` used to be computed unchecked: 2³² × 2³² wrapped to 0 in
/// release builds and an empty data slice passed as a 2³²×2³² block.
#[test]
fn block_shape_overflow_is_an_error_naming_the_shape() {
    let tape = Tape::<f64>::new();
    let big = 1usize << 32;
    for e in [
        tape.input_block(big, big, &[]).unwrap_err(),
        tape.constant_block(big, big, &[]).unwrap_err(),
        tape.stack(big, big, &[]).unwrap_err(),
    ] {
        assert!(
            e.to_string()
                .contains("4294967296×4294967296 block has more than 1073741823 entries"),
            "{e}"
        );
    }
    // Fits in usize but not on a tape (2³⁰ − 1 slots at most).
    let e = tape.input_block(1 << 15, 1 << 15, &[]).unwrap_err();
    assert!(e.to_string().contains("32768×32768"), "{e}");
    assert!(tape.is_empty(), "nothing may be recorded by a failed call");
}

/// A product whose result would exceed the slot limit is refused before
/// its `m·n` values are allocated.
#[test]
fn matmul_result_too_large_is_an_error_before_allocating() {
    let tape = Tape::<f64>::new();
    let col = tape.input_block(1 << 16, 1, &vec![1.0; 1 << 16]).unwrap();
    let row = tape.input_block(1, 1 << 16, &vec![1.0; 1 << 16]).unwrap();
    let e = col.matmul(&row).unwrap_err();
    assert!(
        e.to_string()
            .contains("matmul: a 65536×65536 block has more than"),
        "{e}"
    );
}

/// The data-length message computes the expected count in checked
/// arithmetic too.
#[test]
fn data_length_message_for_a_mismatched_block() {
    let tape = Tape::<f64>::new();
    let e = tape.input_block(2, 3, &[1.0; 5]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "input_block: got 5 values for a 2×3 block (expected 6)"
    );
}

/// A matrix for the real-constant tests (entries of both signs, non-symmetric).
fn reals(len: usize) -> Vec<f64> {
    (0..len).map(|i| (i as f64 * 1.3).cos() - 0.2).collect()
}

/// `Tape::constant_block_real` must act exactly like `constant_block` with
/// the same values: on `f64` the real hooks are the same kernel, so values
/// and gradients agree bit for bit, with the constant on either side and
/// feeding every other block operation.
#[test]
fn constant_block_real_matches_t_constants_bitwise() {
    let run = |real: bool| -> (Vec<f64>, Vec<f64>, f64) {
        let tape = Tape::<f64>::new();
        let c = |r, k, v: &[f64]| {
            if real {
                tape.constant_block_real(r, k, v).unwrap()
            } else {
                tape.constant_block(r, k, v).unwrap()
            }
        };
        let x = tape.input_block(M, K, &reals(M * K)[..]).unwrap();
        let left = c(N, M, &reals(N * M));
        let right = c(K, N, &reals(K * N));
        let row = c(1, N, &reals(N));
        let y = left.matmul(&x).unwrap(); // N×K, constant on the left
        let z = x.matmul(&right).unwrap().add_row(&row).unwrap(); // M×N, on the right
        let e = c(M, N, &reals(M * N)).mul(&z).unwrap().tanh();
        let s = y.square().sum() + e.sum() + right.map("tanh", rules::tanh).mean() + right.sum();
        let g = s.backward();
        (g.wrt_block(&x), e.values(), s.value())
    };
    let (gx, e, s) = run(true);
    let (gx_t, e_t, s_t) = run(false);
    assert_eq!(s.to_bits(), s_t.to_bits());
    for (a, b) in gx.iter().zip(&gx_t).chain(e.iter().zip(&e_t)) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

/// A real constant owns no slots and no adjoint; reading it back gives the
/// values as given.
#[test]
fn constant_block_real_owns_no_slots() {
    let tape = Tape::<f64>::new();
    let w = tape.input_block(2, 1, &[0.5, -1.0]).unwrap();
    let (slots_before, blocks_before) = (tape.len(), tape.num_blocks());
    let x = tape
        .constant_block_real(2, 2, &[1.0, 2.0, 3.0, 4.0])
        .unwrap();
    assert_eq!(
        (tape.len(), tape.num_blocks()),
        (slots_before, blocks_before)
    );
    assert!(x.slots().is_real() && x.slots().is_constant() && x.slots().range().is_empty());
    assert_eq!(x.values(), vec![1.0, 2.0, 3.0, 4.0]);
    assert!(x.at(1, 0).is_constant() && x.at(1, 0).value() == 3.0);
    assert!(x.vars().iter().all(|v| v.is_constant()));
    let g = x.matmul(&w).unwrap().sum().backward();
    assert_eq!(g.wrt_block(&w), vec![4.0, 6.0]); // column sums of X
    assert_eq!(g.wrt_block(&x), vec![0.0; 4]);
}

/// On an `f32` tape the constant stays `f64` and is rounded where used:
/// the product equals the one with the constant given as `f32`.
#[test]
fn constant_block_real_on_f32_tape_rounds_where_used() {
    let a = [0.1, 0.2, 0.3, 0.4];
    let tape = Tape::<f32>::new();
    let x = tape.input_block(1, 2, &[1.5f32, -2.0]).unwrap();
    let r = tape.constant_block_real(2, 2, &a).unwrap();
    let t = tape.constant_block(2, 2, &a.map(|v| v as f32)).unwrap();
    let (yr, yt) = (x.matmul(&r).unwrap(), x.matmul(&t).unwrap());
    assert_eq!(yr.values(), yt.values());
    // x̄ = 2·(row sums of A) in f32; the two routes add their terms in
    // different orders (the converting loop accumulates into the adjoint),
    // so allow a few f32 roundings: 4·ε₃₂ relative.
    let g = (yr.sum() + yt.sum()).backward().wrt_block(&x);
    for (got, want) in g.iter().zip([2.0 * (0.1f32 + 0.2), 2.0 * (0.3f32 + 0.4)]) {
        assert!(
            (got - want).abs() <= 4.0 * f32::EPSILON * want.abs(),
            "{got} vs {want}"
        );
    }
}

#[test]
fn constant_block_real_shape_errors_name_the_numbers() {
    let tape = Tape::<f64>::new();
    let e = tape.constant_block_real(2, 3, &[1.0; 5]).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("constant_block_real") && msg.contains('5'),
        "{msg}"
    );
    assert!(tape.constant_block_real(0, 3, &[]).is_err());
    let x = tape.input_block(1, 2, &[1.0, 2.0]).unwrap();
    let r = tape.constant_block_real(3, 1, &[1.0; 3]).unwrap();
    assert!(x.matmul(&r).is_err());
}

/// A user operation reading a real constant as `T` is told where to look.
#[test]
#[should_panic(expected = "read it with Cotangents::real_value")]
fn constant_block_real_read_as_t_in_a_vjp_panics_with_directions() {
    struct ReadsValue(Slots, Slots);
    impl BlockOp<f64> for ReadsValue {
        fn name(&self) -> &'static str {
            "reads value"
        }
        fn inputs(&self) -> Vec<std::ops::Range<usize>> {
            vec![self.0.range(), self.1.range()]
        }
        fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
            assert_eq!(cot.real_value(self.1), Some(&[2.0][..]));
            assert!(cot.real_value(self.0).is_none());
            let _ = cot.value(self.1);
        }
    }
    let tape = Tape::<f64>::new();
    let x = tape.input_block(1, 1, &[1.0]).unwrap();
    let r = tape.constant_block_real(1, 1, &[2.0]).unwrap();
    let y = tape
        .record_block(1, 1, vec![2.0], ReadsValue(x.slots(), r.slots()))
        .unwrap();
    let _ = y.sum().backward();
}

/// A user operation whose derivative is a function of its output reads the
/// output in its VJP: `Y = exp(X)` entrywise with `X̄ += Ȳ ⊙ Y`. Its
/// gradient equals that of `map("exp", rules::exp)`, which keeps the slope
/// `exp x` instead, bit for bit (the same products), on a block recorded between others so that the output's
/// place in the value store is not the first.
#[test]
fn a_user_vjp_reads_its_own_output_value() {
    struct ExpBlock(Slots);
    impl BlockOp<f64> for ExpBlock {
        fn name(&self) -> &'static str {
            "exp (user)"
        }
        fn inputs(&self) -> Vec<std::ops::Range<usize>> {
            vec![self.0.range()]
        }
        fn vjp(&self, cot: &mut Cotangents<'_, f64>) {
            let (y_bar, y) = (cot.output(), cot.output_value());
            assert_eq!(y.len(), y_bar.len());
            if let Some(x_bar) = cot.adjoint(self.0) {
                for ((xb, yb), yv) in x_bar.iter_mut().zip(y_bar).zip(y) {
                    *xb += *yb * *yv;
                }
            }
        }
    }
    let xs = [0.3, -1.2, 2.5, 0.0, -0.7, 1.1];
    let gradient = |user: bool| {
        let tape = Tape::<f64>::new();
        let x = tape.input_block(2, 3, &xs).unwrap();
        let before = x.affine(2.0, 0.0);
        let y = if user {
            let values: Vec<f64> = before.values().iter().map(|v| v.exp()).collect();
            tape.record_block(2, 3, values, ExpBlock(before.slots()))
                .unwrap()
        } else {
            before.map("exp", rules::exp)
        };
        let z = y.mul(&before).unwrap().sum();
        z.backward().wrt_block(&x)
    };
    let (user, built_in) = (gradient(true), gradient(false));
    for (u, b) in user.iter().zip(&built_in) {
        assert_eq!(u.to_bits(), b.to_bits(), "{user:?} vs {built_in:?}");
    }
}
