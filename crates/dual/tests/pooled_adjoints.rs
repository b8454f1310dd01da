//! A reverse sweep takes its adjoint vector from the thread's buffer pool
//! and zeroes it in place (`Scalar::fill_zero`: for duals one flat fill of
//! their numbers), so a kept buffer's old entries must never leak into a
//! result. The pool is filled with NaN buffers of the sweep's element type,
//! shorter, as long as and longer than the tape; the gradients, HVPs and
//! third-order tangents must be bit for bit those of a clean pool.

use saddle_dual::Dual;
use saddle_tape::pool;
use saddle_tape::prelude::*;

fn f<S: Real>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (w[0].sin() - 1.0).powi(2))
        .sum()
}

/// `(∇f, tangents of ∇f)` on a tape of `D` at `x`, as flat numbers.
fn sweep<D: Scalar + Copy>(x: &[D], flat: impl Fn(&D) -> Vec<f64>) -> Vec<f64> {
    let tape = Tape::<D>::new();
    let v = tape.vars(x);
    let g = f(&v).backward();
    v.iter().flat_map(|&xi| flat(&g.wrt(xi))).collect()
}

fn poisoned<D: Scalar + Copy>(nan: D, len: usize) {
    for n in [1, len / 2, len, len + 1, 4 * len] {
        pool::give(vec![nan; n]);
    }
}

#[test]
fn poisoned_pool_buffers_do_not_reach_dual_adjoints() {
    let n = 40;
    // About 12 slots a term: lengths around the tape's.
    let len = 12 * n;
    let x8: Vec<Dual<f64, 8>> = (0..n)
        .map(|i| {
            Dual::new(
                0.3 * i as f64 - 1.0,
                std::array::from_fn(|l| f64::from(i % 8 == l)),
            )
        })
        .collect();
    let flat8 = |d: &Dual<f64, 8>| std::iter::once(d.re).chain(d.eps).collect::<Vec<_>>();
    Tape::<f64>::release_cached_memory();
    let clean = sweep(&x8, flat8);
    poisoned(Dual::new(f64::NAN, [f64::NAN; 8]), len);
    assert_eq!(sweep(&x8, flat8), clean);

    // Third order: a dual of duals, NaN in the inner tangents of the pool.
    type D3 = Dual<Dual<f64, 1>, 1>;
    let x3: Vec<D3> = (0..n)
        .map(|i| {
            let t = 0.3 * i as f64 - 1.0;
            Dual::new(Dual::new(t, [1.0]), [Dual::new((0.7 * t).sin(), [0.0])])
        })
        .collect();
    let flat3 = |d: &D3| vec![d.re.re, d.re.eps[0], d.eps[0].re, d.eps[0].eps[0]];
    Tape::<f64>::release_cached_memory();
    let clean = sweep(&x3, flat3);
    assert!(clean.iter().all(|v| v.is_finite()));
    poisoned(
        Dual::new(Dual::new(1.0, [f64::NAN]), [Dual::new(f64::NAN, [2.0])]),
        len,
    );
    assert_eq!(sweep(&x3, flat3), clean);
}

#[test]
fn fill_zero_of_duals_zeroes_every_component() {
    let mut v = vec![
        Dual::new(
            Dual::new(f64::NAN, [1.0, -2.0]),
            [Dual::new(3.0, [f64::INFINITY, 0.5])]
        );
        9
    ];
    Scalar::fill_zero(&mut v[2..7]);
    for (i, d) in v.iter().enumerate() {
        let zero = d.is_exact_zero();
        assert_eq!(zero, (2..7).contains(&i), "entry {i}: {d:?}");
    }
}
