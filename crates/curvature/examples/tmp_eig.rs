use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_curvature::{eigenvalues_of_symmetric, EigenOptions};
use std::time::Instant;
fn faer_vals(n: usize, a: &[f64]) -> Vec<f64> {
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let par = faer::Par::Seq;
    let mut buf = MemBuffer::new(self_adjoint_evd_scratch::<f64>(
        n,
        ComputeEigenvectors::No,
        par,
        Default::default(),
    ));
    self_adjoint_evd(
        m.as_ref(),
        s.as_mut(),
        None,
        par,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .unwrap();
    let s = s.column_vector();
    let r = (0..n).map(|i| s[i]).collect();
    unsafe { std::arch::x86_64::_mm256_zeroupper() };
    r
}
fn faer_full(n: usize, a: &[f64]) {
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let mut u = faer::Mat::<f64>::zeros(n, n);
    let par = faer::Par::Seq;
    let mut buf = MemBuffer::new(self_adjoint_evd_scratch::<f64>(
        n,
        ComputeEigenvectors::Yes,
        par,
        Default::default(),
    ));
    self_adjoint_evd(
        m.as_ref(),
        s.as_mut(),
        Some(u.as_mut()),
        par,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .unwrap();
    unsafe { std::arch::x86_64::_mm256_zeroupper() };
}
fn faer_tridiag(n: usize, a: &[f64]) {
    use faer::linalg::evd::tridiag::*;
    let mut m = faer::Mat::<f64>::from_fn(n, n, |i, j| a[j * n + i]);
    let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(n, n);
    let mut h = faer::Mat::<f64>::zeros(bs, n - 1);
    let par = faer::Par::Seq;
    let mut buf = MemBuffer::new(tridiag_in_place_scratch::<f64>(n, par, Default::default()));
    tridiag_in_place(
        m.as_mut(),
        h.as_mut(),
        par,
        MemStack::new(&mut buf),
        Default::default(),
    );
    unsafe { std::arch::x86_64::_mm256_zeroupper() };
}
fn main() {
    if std::env::var_os("PHASES").is_some() {
        for n in std::env::args()
            .skip(1)
            .map(|s| s.parse::<usize>().unwrap())
        {
            let a: Vec<f64> = (0..n * n)
                .map(|k| {
                    let (i, j) = (k % n, k / n);
                    ((i * 7 + j * 13 + i * j) % 17) as f64 / 17.0 - 0.5
                        + if i == j { 1.0 } else { 0.0 }
                })
                .collect();
            let t = Instant::now();
            faer_full(n, &a);
            let tf = t.elapsed().as_secs_f64();
            let t = Instant::now();
            faer_tridiag(n, &a);
            let tt = t.elapsed().as_secs_f64();
            let t = Instant::now();
            faer_vals(n, &a);
            let tv = t.elapsed().as_secs_f64();
            let t = Instant::now();
            eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
            let tb = t.elapsed().as_secs_f64();
            println!("n = {n}: faer full {tf:.3} s, faer tridiag alone {tt:.3} s, faer values-only {tv:.3} s, blocked values-only {tb:.3} s");
        }
        return;
    }
    for n in std::env::args()
        .skip(1)
        .map(|s| s.parse::<usize>().unwrap())
    {
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        let mut a = vec![0.0; n * n];
        for j in 0..n {
            for i in j..n {
                let v: f64 = rng.random_range(-1.0..1.0);
                a[j * n + i] = v;
                a[i * n + j] = v;
            }
        }
        let (mut best, mut bestf) = (f64::MAX, f64::MAX);
        let reps = if n > 1500 { 2 } else { 7 };
        for _ in 0..reps {
            let t = Instant::now();
            let l = eigenvalues_of_symmetric(n, &a, &EigenOptions::default()).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            std::hint::black_box(l);
            let t = Instant::now();
            let l = faer_vals(n, &a);
            bestf = bestf.min(t.elapsed().as_secs_f64());
            std::hint::black_box(l);
        }
        println!("n = {n}: values-only best of {reps}: blocked {best:.4} s, faer {bestf:.4} s, ratio {:.3}", best / bestf);
    }
}
