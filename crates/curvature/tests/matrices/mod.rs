//! Seeded test matrices shared by the eigenvalue suites.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_dual::Hessian;

/// A seeded random symmetric matrix with entries uniform in `[−1, 1]`.
pub fn random_symmetric(n: usize, seed: u64) -> Hessian {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        for i in j..n {
            let v: f64 = rng.random_range(-1.0..1.0);
            a[j * n + i] = v;
            a[i * n + j] = v;
        }
    }
    Hessian::from_column_major(n, a).unwrap()
}
