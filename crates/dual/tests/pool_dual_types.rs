//! `pool::take_zeroed` on dual element types: `Dual::fill_zero` zeroes a
//! kept buffer as one flat slice of its numbers, recursively for nested
//! duals, so every component of every entry (not only the value, not only
//! the first `len` numbers) must come back `+0.0`, for `K = 0` too; and a
//! buffer of another dual type (other `K`, other nesting, same byte size)
//! is never handed out.

use saddle_dual::Dual;
use saddle_tape::pool;

type Nested = Dual<Dual<f64, 2>, 3>;

/// Every `f64` of a nested dual.
fn numbers(d: &Nested) -> Vec<f64> {
    std::iter::once(&d.re)
        .chain(&d.eps)
        .flat_map(|x| std::iter::once(x.re).chain(x.eps))
        .collect()
}

/// A nested dual whose every number is a NaN with a payload or `−0.0`.
fn poison(i: usize) -> Nested {
    let bad = |k: usize| {
        if (i + k) % 2 == 0 {
            f64::from_bits(0x7ff8_0000_0bad_f00d)
        } else {
            -0.0
        }
    };
    Dual::new(
        Dual::new(bad(0), [bad(1), bad(2)]),
        std::array::from_fn(|l| Dual::new(bad(3 * l + 3), [bad(3 * l + 4), bad(3 * l + 5)])),
    )
}

#[test]
fn nested_duals_come_back_all_positive_zero() {
    pool::release();
    for (kept, len) in [(900, 300), (900, 900), (300, 900), (900, 0)] {
        pool::give((0..kept).map(poison).collect::<Vec<Nested>>());
        let v: Vec<Nested> = pool::take_zeroed(len);
        assert_eq!(v.len(), len);
        for (i, d) in v.iter().enumerate() {
            assert!(
                numbers(d).iter().all(|x| x.to_bits() == 0),
                "kept {kept}, len {len}: entry {i} is {d:?}"
            );
        }
        pool::release();
    }
}

#[test]
fn duals_without_lanes_come_back_zero() {
    pool::release();
    pool::give(vec![Dual::<f64, 0>::constant(f64::NAN); 700]);
    let v: Vec<Dual<f64, 0>> = pool::take_zeroed(500);
    assert_eq!(v.len(), 500);
    assert!(v.iter().all(|d| d.re.to_bits() == 0));
    pool::release();
}

/// `Dual<f64, 2>` and `Dual<Dual<f64, 0>, 2>` and `[f64; 3]` have the same
/// size: a NaN buffer of one is never zeroed and handed out as another.
#[test]
fn buffers_of_other_dual_types_of_the_same_size_are_not_reused() {
    pool::release();
    let nan = Dual::<f64, 2>::new(f64::NAN, [f64::NAN; 2]);
    let kept = vec![nan; 1000];
    let ptr = kept.as_ptr() as usize;
    pool::give(kept);
    let other: Vec<Dual<Dual<f64, 0>, 2>> = pool::take_zeroed(1000);
    assert_ne!(other.as_ptr() as usize, ptr);
    let lanes: Vec<Dual<f64, 3>> = pool::take_zeroed(750);
    assert_ne!(lanes.as_ptr() as usize, ptr);
    // The original type gets it back, zeroed.
    let same: Vec<Dual<f64, 2>> = pool::take_zeroed(1000);
    assert_eq!(same.as_ptr() as usize, ptr);
    assert!(same
        .iter()
        .all(|d| d.re.to_bits() == 0 && d.eps.iter().all(|e| e.to_bits() == 0)));
    pool::release();
}
