//! Block operations on dual tapes: the gemm hook of `Dual<T, K>` (three
//! kinds of real-kernel calls through strides) against the generic triple
//! loop, and second derivatives through block operations against
//! differences of gradients.

use proptest::prelude::*;
use saddle_check::{check_hvp, strategies, Report, Tolerance};
use saddle_dual::{gradient, hessian, hvp, sparse_hessian, Dual};
use saddle_tape::prelude::*;
use saddle_tape::{MatMut, MatRef};

/// The definition: `Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ`, in dual arithmetic.
fn naive<T: Scalar>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    (0..m * n)
        .map(|ij| {
            (0..k)
                .map(|p| a[(ij / n) * k + p] * b[p * n + ij % n])
                .sum()
        })
        .collect()
}

fn duals<const K: usize>(v: &[f64]) -> Vec<Dual<f64, K>> {
    v.chunks(K + 1)
        .map(|c| Dual::new(c[0], std::array::from_fn(|k| c[k + 1])))
        .collect()
}

fn flat<const K: usize>(v: &[Dual<f64, K>]) -> Vec<f64> {
    v.iter()
        .flat_map(|d| std::iter::once(d.re).chain(d.eps))
        .collect()
}

proptest! {
    #![proptest_config(strategies::config(32))]

    #[test]
    fn dual_gemm_matches_the_definition(a in strategies::well_scaled(5 * 4 * 4), b in strategies::well_scaled(4 * 3 * 4), c0 in strategies::well_scaled(5 * 3 * 4)) {
        let (a, b, c0) = (duals::<3>(&a), duals::<3>(&b), duals::<3>(&c0));
        let want = naive(&a, &b, 5, 4, 3);
        let mut c = c0.clone();
        Dual::gemm(MatRef::row_major(&a, 5, 4), MatRef::row_major(&b, 4, 3), MatMut::row_major(&mut c, 5, 3), false);
        let r = Report::compare("gemm", &flat(&c), &flat(&want), Tolerance::new(1e-13, 1e-13));
        prop_assert!(r.passed(), "{}", r);
        // Accumulating, and reading Bᵀ through strides.
        let bt: Vec<_> = (0..12).map(|k| b[(k % 4) * 3 + k / 4]).collect();
        let mut c = c0.clone();
        Dual::gemm(MatRef::row_major(&a, 5, 4), MatRef::row_major(&bt, 3, 4).t(), MatMut::row_major(&mut c, 5, 3), true);
        let want: Vec<_> = c0.iter().zip(&want).map(|(x, y)| *x + *y).collect();
        let r = Report::compare("gemm accumulate", &flat(&c), &flat(&want), Tolerance::new(1e-13, 1e-13));
        prop_assert!(r.passed(), "{}", r);
    }

    #[test]
    fn nested_dual_gemm_matches_the_definition(a in strategies::well_scaled(3 * 2 * 4), b in strategies::well_scaled(2 * 2 * 4)) {
        let nest = |v: &[f64]| -> Vec<Dual<Dual<f64>>> {
            v.chunks(4).map(|c| Dual::new(Dual::new(c[0], [c[1]]), [Dual::new(c[2], [c[3]])])).collect()
        };
        let (a, b) = (nest(&a), nest(&b));
        let want = naive(&a, &b, 3, 2, 2);
        let mut c = vec![Dual::default(); 6];
        Dual::gemm(MatRef::row_major(&a, 3, 2), MatRef::row_major(&b, 2, 2), MatMut::row_major(&mut c, 3, 2), false);
        for (x, y) in c.iter().zip(&want) {
            for (p, q) in [(x.re.re, y.re.re), (x.re.eps[0], y.re.eps[0]), (x.eps[0].re, y.eps[0].re), (x.eps[0].eps[0], y.eps[0].eps[0])] {
                prop_assert!((p - q).abs() <= 1e-13 * q.abs().max(1.0));
            }
        }
    }

    #[test]
    fn hvp_through_block_operations(p in strategies::well_scaled(2 * 3 + 3 + 3), v in strategies::direction(12)) {
        let r = hvp(two_layer, &p, &v).unwrap();
        let grad = |y: &[f64]| gradient(two_layer, y).unwrap().gradient;
        let c = check_hvp(grad, &p, &v, &r.hv, Tolerance::default());
        prop_assert!(c.passed(), "{}", c);
        // The dense Hessian and the sparse driver (which must see through
        // block operations) agree.
        let dense = hessian(two_layer, &p).unwrap().to_row_major();
        let sparse = sparse_hessian(two_layer, &p).unwrap().to_dense_row_major();
        let c = Report::compare("sparse vs dense", &sparse, &dense, Tolerance::new(1e-14, 1e-14));
        prop_assert!(c.passed(), "{}", c);
    }
}

/// A tiny network on the tape: `L = mean(tanh(X W + b) · u)²`, parameters
/// `(W: 2×3, b: 3, u: 3)`.
fn two_layer<'t, T: Scalar>(p: &[Var<'t, T>]) -> Var<'t, T> {
    let x = [0.5, -1.0, 0.25, 2.0, -0.75, 0.1];
    let xs: Vec<T> = x.iter().map(|&a| T::from_f64(a)).collect();
    // The parameters are scalar Vars; gather them into blocks.
    let tape = p[0].tape().expect("parameters live on a tape");
    let x = tape.constant_block(3, 2, &xs).unwrap();
    let w = tape.stack(2, 3, &p[..6]).unwrap();
    let b = tape.stack(1, 3, &p[6..9]).unwrap();
    let u = tape.stack(3, 1, &p[9..12]).unwrap();
    let h = x.matmul(&w).unwrap().add_row(&b).unwrap().tanh();
    h.matmul(&u).unwrap().square().mean()
}
