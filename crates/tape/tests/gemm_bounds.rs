//! `Scalar::gemm` is a safe function over views whose shapes and strides
//! are plain public numbers: whatever they hold, it must either compute the
//! product or panic with its documented message before the kernel runs —
//! never read or write outside the slices (issue 9, item 3).

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use saddle_tape::{try_check_gemm_shapes, view_extent, MatMut, MatRef, Scalar};

/// Dimensions: small ones (the product is computed and compared) and huge
/// ones, near `usize::MAX` and at 2³², where unchecked products wrap.
fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..5,
        1 => Just(usize::MAX),
        1 => Just(1usize << 32),
        1 => (usize::MAX - 4)..=usize::MAX,
        1 => any::<usize>(),
    ]
}

/// Strides, including the one from the issue (`3 · s` wraps to 2).
fn stride() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..7,
        1 => Just(6_148_914_691_236_517_206usize),
        1 => Just(usize::MAX),
        1 => (usize::MAX - 4)..=usize::MAX,
        1 => Just(1usize << 63),
        1 => any::<usize>(),
    ]
}

#[derive(Clone, Debug)]
struct View {
    len: usize,
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

fn view() -> impl Strategy<Value = View> {
    (0usize..30, dim(), dim(), stride(), stride()).prop_map(|(len, rows, cols, rs, cs)| View {
        len,
        rows,
        cols,
        rs,
        cs,
    })
}

/// Integer-valued data, so the kernel and the reference loop agree exactly.
fn data(len: usize, salt: usize) -> Vec<f64> {
    (0..len)
        .map(|i| ((i * 7 + salt * 3) % 11) as f64 - 5.0)
        .collect()
}

fn mat_ref<'a>(d: &'a [f64], v: &View) -> MatRef<'a, f64> {
    MatRef {
        data: d,
        rows: v.rows,
        cols: v.cols,
        row_stride: v.rs,
        col_stride: v.cs,
    }
}

/// True if no two elements of the (checked, small) view share an index.
fn injective(v: &View) -> bool {
    let mut seen: Vec<usize> = (0..v.rows)
        .flat_map(|i| (0..v.cols).map(move |j| i * v.rs + j * v.cs))
        .collect();
    let n = seen.len();
    seen.sort_unstable();
    seen.dedup();
    seen.len() == n
}

fn run(a: &View, b: &View, c: &View, accumulate: bool) -> Result<(), TestCaseError> {
    let (da, db) = (data(a.len, 1), data(b.len, 2));
    let mut dc = data(c.len, 3);
    let (ra, rb) = (mat_ref(&da, a), mat_ref(&db, b));
    let checked = {
        let mc = MatMut {
            data: &mut dc,
            rows: c.rows,
            cols: c.cols,
            row_stride: c.rs,
            col_stride: c.cs,
        };
        try_check_gemm_shapes(&ra, &rb, &mc)
    };
    let before = dc.clone();
    // A valid view may be huge (a billion rows of stride 0 over one
    // number): such a product is legal but would run for ever, so valid
    // views are multiplied only when the work is small.
    let work = c.rows.saturating_mul(c.cols).saturating_mul(a.cols.max(1));
    let empty = c.rows == 0 || c.cols == 0;
    if checked.is_ok() && work > 1_000 {
        return Ok(());
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mc = MatMut {
            data: &mut dc,
            rows: c.rows,
            cols: c.cols,
            row_stride: c.rs,
            col_stride: c.cs,
        };
        f64::gemm(ra, rb, mc, accumulate);
    }));
    match checked {
        Err(e) => {
            // Rejected: gemm must panic with the checker's message and must
            // not have written anything.
            let payload = outcome.expect_err("an invalid view reached the kernel");
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            prop_assert_eq!(msg, format!("gemm: {e}"));
            prop_assert_eq!(&dc, &before);
        }
        Ok(()) => {
            prop_assert!(outcome.is_ok(), "a valid view was rejected");
            // Only compare where the work is small and the output view does
            // not alias itself (a self-aliasing output is memory-safe but
            // has no single right answer).
            if !empty && c.rows <= 1_000 && c.cols <= 1_000 && injective(c) {
                for i in 0..c.rows {
                    for j in 0..c.cols {
                        let mut want = if accumulate {
                            before[i * c.rs + j * c.cs]
                        } else {
                            0.0
                        };
                        for p in 0..a.cols {
                            want += da[i * a.rs + p * a.cs] * db[p * b.rs + j * b.cs];
                        }
                        prop_assert_eq!(dc[i * c.rs + j * c.cs], want);
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(saddle_check::strategies::config(3000))]

    /// Arbitrary views, shapes chained half of the time (so the bounds
    /// checks, not only the shape check, are exercised).
    #[test]
    fn gemm_never_reaches_the_kernel_with_an_invalid_view(
        a in view(), b in view(), c in view(), chain in any::<bool>(), accumulate in any::<bool>()
    ) {
        let (mut b, mut c) = (b, c);
        if chain {
            b.rows = a.cols;
            c.rows = a.rows;
            c.cols = b.cols;
        }
        std::panic::set_hook(Box::new(|_| {}));
        let r = run(&a, &b, &c, accumulate);
        let _ = std::panic::take_hook();
        r?;
    }
}

/// The reported case: `3 · 6148914691236517206` wraps to 2, so the old
/// check saw "last index 2" over a 3-element slice and let the kernel read
/// far outside it.
#[test]
fn gemm_wrapping_stride_is_rejected_not_ub() {
    let (a, b) = ([1.0, 2.0, 3.0], [1.0; 3]);
    let mut c = [0.0; 4];
    let bad = MatRef {
        data: &a,
        rows: 4,
        cols: 1,
        row_stride: 6_148_914_691_236_517_206,
        col_stride: 1,
    };
    assert_eq!(view_extent(4, 1, 6_148_914_691_236_517_206, 1), None);
    let b = MatRef::row_major(&b, 1, 1);
    let err = try_check_gemm_shapes(&bad, &b, &MatMut::row_major(&mut c, 4, 1)).unwrap_err();
    assert!(err.to_string().contains("beyond usize::MAX"), "{err}");
    let payload = catch_unwind(AssertUnwindSafe(|| {
        f64::gemm(bad, b, MatMut::row_major(&mut c, 4, 1), false)
    }))
    .unwrap_err();
    let msg = payload.downcast_ref::<String>().unwrap();
    assert!(
        msg.starts_with("gemm: MatRef: a 4×1 view with strides (6148914691236517206, 1)"),
        "{msg}"
    );
    assert_eq!(c, [0.0; 4]);
}

/// `MatRef::at` computes its index in checked arithmetic too.
#[test]
#[should_panic(expected = "overflows usize")]
fn mat_ref_at_with_a_wrapping_index_panics() {
    let d = [1.0, 2.0, 3.0];
    let m = MatRef {
        data: &d,
        rows: 4,
        cols: 1,
        row_stride: 6_148_914_691_236_517_206,
        col_stride: 1,
    };
    let _ = m.at(3, 0);
}
