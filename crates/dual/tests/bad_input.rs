//! The bad-input sweep of saddle-dual: every public entry point (the sparse
//! driver's own sweep lives with it) called with empty, mismatched,
//! non-finite and absurdly large inputs must return an `Err` whose message
//! names the problem, never panic and never hand back NaN.
//!
//! Each case runs under `catch_unwind`, so one panic does not hide the
//! others: the failure lists every case that panicked or answered wrongly.
//!
//! Panics that remain by design (programmer errors with a documented,
//! checked alternative):
//! - `Hessian::get(i, j)` with `i ≥ n` or `j ≥ n` (use `Hessian::try_get`);
//! - `Hessian::column(j)` with `j ≥ n` (use `Hessian::try_column`);
//! - a panic inside the user's own closure propagates unchanged.
//!
//! Not a runtime input: the lane count `K` is a const generic; `K = 0` is an
//! error at run time (below), and an absurd `K` (millions of lanes) is a
//! stack-size problem of the `Dual<f64, K>` values the caller asks for.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use saddle_dual::{
    gradient, hessian, hessian_matrix_product, hessian_with, hessian_with_progress, hvp, jvp,
    Hessian, HessianOptions,
};
use saddle_tape::prelude::*;

fn f<S: Real>(x: &[S]) -> S {
    x.iter().map(|v| v.powi(2)).sum::<S>() + x[0] * x[x.len() - 1]
}

type Case = (String, Box<dyn Fn() -> Result<(), String>>);

/// `Ok` if `r` is an `Err` whose message contains every needle.
fn expect_err<T: std::fmt::Debug, E: std::fmt::Display>(
    r: Result<T, E>,
    needles: &[&str],
) -> Result<(), String> {
    match r {
        Ok(v) => Err(format!("returned Ok({v:?})")),
        Err(e) => {
            let msg = e.to_string();
            match needles.iter().find(|n| !msg.contains(*n)) {
                Some(n) => Err(format!("error {msg:?} does not name {n:?}")),
                None => Ok(()),
            }
        }
    }
}

fn case(name: impl Into<String>, check: impl Fn() -> Result<(), String> + 'static) -> Case {
    (name.into(), Box::new(check))
}

/// Runs every case, catching panics, and fails listing all that went wrong.
fn run(cases: Vec<Case>) {
    let mut panicked = Vec::new();
    let mut wrong = Vec::new();
    for (name, check) in &cases {
        match catch_unwind(AssertUnwindSafe(check)) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => wrong.push(format!("{name}: {why}")),
            Err(_) => panicked.push(name.as_str()),
        }
    }
    assert!(
        panicked.is_empty() && wrong.is_empty(),
        "{} of {} cases failed.\npanicked: {panicked:?}\nwrong answer:\n  {}",
        panicked.len() + wrong.len(),
        cases.len(),
        wrong.join("\n  ")
    );
}

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn every_entry_refuses_bad_input_with_a_named_error() {
    let mut cases: Vec<Case> = vec![
        case("gradient empty", || {
            expect_err(gradient(|x| f(x), &[]), &["x is empty"])
        }),
        case("jvp empty", || {
            expect_err(jvp(f, &[], &[]), &["x is empty"])
        }),
        case("jvp v too long", || {
            expect_err(jvp(f, &[1.0], &[1.0, 2.0]), &["v has 2", "x has 1"])
        }),
        case("hvp empty", || {
            expect_err(hvp(|x| f(x), &[], &[]), &["x is empty"])
        }),
        case("hvp v too short", || {
            expect_err(hvp(|x| f(x), &[1.0, 2.0], &[1.0]), &["v has 1", "x has 2"])
        }),
        case("hessian empty", || {
            expect_err(hessian(|x| f(x), &[]), &["x is empty"])
        }),
        case("hessian_with K = 0", || {
            expect_err(
                hessian_with::<0, _>(|x| f(x), &[1.0], HessianOptions::default()),
                &["K must be at least 1"],
            )
        }),
        case("hessian_with_progress empty", || {
            expect_err(
                hessian_with_progress::<2, _>(|x| f(x), &[], HessianOptions::default(), &|_| {}),
                &["x is empty"],
            )
        }),
        case("hessian_matrix_product empty x", || {
            expect_err(
                hessian_matrix_product(|x| f(x), &[], &[1.0]),
                &["x is empty"],
            )
        }),
        case("hessian_matrix_product no directions", || {
            expect_err(
                hessian_matrix_product(|x| f(x), &[1.0, 2.0], &[]),
                &["0 numbers", "n = 2"],
            )
        }),
        case("hessian_matrix_product ragged directions", || {
            expect_err(
                hessian_matrix_product(|x| f(x), &[1.0, 2.0], &[1.0, 2.0, 3.0]),
                &["3 numbers", "n = 2"],
            )
        }),
        case(
            "Hessian::from_column_major n² overflows (n = 2³²)",
            || {
                expect_err(
                    Hessian::from_column_major(1 << 32, vec![]),
                    &["n = 4294967296", "overflows"],
                )
            },
        ),
        case("Hessian::from_column_major n = usize::MAX", || {
            expect_err(
                Hessian::from_column_major(usize::MAX, vec![1.0]),
                &["overflows"],
            )
        }),
        // 2²³ variables (a 64 MB x) ask for a 2⁴⁶-entry, 512 TB Hessian:
        // beyond x86-64's 128 TB user address space, so refused whatever
        // the kernel's overcommit policy; `vec!` used to abort the process.
        case("hessian of 2²³ variables (512 TB)", || {
            let x = vec![0.5; 1 << 23];
            expect_err(
                hessian(|x| x[0] * x[1], &x),
                &["an 8388608×8388608 result", "cannot be allocated"],
            )
        }),
        case("Hessian::from_column_major wrong count", || {
            expect_err(
                Hessian::from_column_major(3, vec![0.0; 4]),
                &["4 entries for a 3×3", "need 9"],
            )
        }),
        case("Hessian::try_get out of range is None", || {
            let h = Hessian::from_column_major(2, vec![1.0; 4]).unwrap();
            match (h.try_get(2, 0), h.try_get(0, usize::MAX), h.try_get(1, 1)) {
                (None, None, Some(1.0)) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }),
        case("Hessian::try_column out of range is None", || {
            let h = Hessian::from_column_major(2, vec![1.0; 4]).unwrap();
            match (h.try_column(2), h.try_column(1)) {
                (None, Some(c)) if c == [1.0, 1.0] => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }),
    ];
    // Non-finite points and directions, in every position that matters.
    for bad in NON_FINITE {
        let x1 = move || format!("x[1] is {bad}");
        let v0 = move || format!("v[0] is {bad}");
        cases.extend([
            case(format!("gradient x = {bad}"), move || {
                expect_err(gradient(|x| f(x), &[1.0, bad]), &[&x1()])
            }),
            case(format!("jvp x = {bad}"), move || {
                expect_err(jvp(f, &[1.0, bad], &[1.0, 1.0]), &[&x1()])
            }),
            case(format!("jvp v = {bad}"), move || {
                expect_err(jvp(f, &[1.0, 1.0], &[bad, 1.0]), &[&v0()])
            }),
            case(format!("hvp x = {bad}"), move || {
                expect_err(hvp(|x| f(x), &[1.0, bad], &[1.0, 1.0]), &[&x1()])
            }),
            case(format!("hvp v = {bad}"), move || {
                expect_err(hvp(|x| f(x), &[1.0, 1.0], &[bad, 1.0]), &[&v0()])
            }),
            case(format!("hessian x = {bad}"), move || {
                expect_err(hessian(|x| f(x), &[1.0, bad]), &[&x1()])
            }),
            case(format!("hessian_with x = {bad}"), move || {
                let o = HessianOptions { threads: 2 };
                expect_err(hessian_with::<1, _>(|x| f(x), &[1.0, bad], o), &[&x1()])
            }),
            case(format!("hessian_matrix_product x = {bad}"), move || {
                expect_err(
                    hessian_matrix_product(|x| f(x), &[1.0, bad], &[1.0, 0.0]),
                    &[&x1()],
                )
            }),
            case(
                format!("hessian_matrix_product direction = {bad}"),
                move || {
                    expect_err(
                        hessian_matrix_product(|x| f(x), &[1.0, 2.0], &[1.0, bad]),
                        &[&format!("direction[1] is {bad}")],
                    )
                },
            ),
            case(
                format!("Hessian::asymmetry with an entry {bad}"),
                move || {
                    let h = Hessian::from_column_major(2, vec![1.0, 2.0, 2.0, bad]).unwrap();
                    match (h.asymmetry(), h.relative_asymmetry()) {
                        (a, r) if a == f64::INFINITY && r == f64::INFINITY => Ok(()),
                        other => Err(format!("asymmetry {other:?}, expected +∞ (not symmetric)")),
                    }
                },
            ),
        ]);
    }
    run(cases);
}

/// Absurd thread counts are clamped to the pool (documented on
/// `HessianOptions::threads`), so they are not errors: they must return
/// promptly with the serial answer.
#[test]
fn absurd_thread_counts_are_clamped_not_errors() {
    let x: Vec<f64> = (0..20).map(|i| 0.1 * i as f64).collect();
    let serial = hessian_with::<2, _>(|y| f(y), &x, HessianOptions { threads: 1 }).unwrap();
    for threads in [usize::MAX, 1 << 40, 10_000] {
        let r = catch_unwind(|| {
            let start = Instant::now();
            let h = hessian_with::<2, _>(|y| f(y), &x, HessianOptions { threads }).unwrap();
            (h, start.elapsed())
        });
        let (h, took) = r.unwrap_or_else(|_| panic!("threads = {threads} panicked"));
        assert_eq!(h, serial, "threads = {threads}");
        // Spawning even 10 000 threads takes seconds; clamped, the 10
        // sweeps take microseconds. 2 s leaves room for a loaded machine.
        assert!(
            took < Duration::from_secs(2),
            "threads = {threads}: {took:?}"
        );
    }
}

/// The harness itself: a panicking case and a wrongly-`Ok` case are both
/// reported, by name, and neither hides the other.
#[test]
fn the_sweep_reports_every_panic_and_wrong_answer() {
    let cases = vec![
        case("panics", || panic!("boom")),
        case("answers Ok", || Err("returned Ok(1.0)".to_string())),
        case("fine", || Ok(())),
    ];
    let report = catch_unwind(AssertUnwindSafe(|| run(cases))).unwrap_err();
    let report = report.downcast_ref::<String>().unwrap();
    assert!(report.contains("2 of 3 cases failed"), "{report}");
    assert!(report.contains("panicked: [\"panics\"]"), "{report}");
    assert!(report.contains("answers Ok: returned Ok(1.0)"), "{report}");
}
