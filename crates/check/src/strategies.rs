//! Proptest strategies for inputs, and a deterministic configuration.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// A proptest configuration with `cases` cases and a fixed RNG seed, so a
/// suite runs the same inputs on every machine and every run (a flaky test
/// is a failing test). Failures are persisted next to the test source in
/// `proptest-regressions/`; commit those files.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5add1e),
        ..Config::default()
    }
}

/// Vectors of `len` entries uniform in `[lo, hi]`.
///
/// # Panics
/// When sampled, if `lo > hi` or either is not finite (proptest rejects
/// the range: a mistake in the test, not in the code under test).
pub fn vector(len: usize, lo: f64, hi: f64) -> impl Strategy<Value = Vec<f64>> {
    vec(lo..=hi, len)
}

/// Vectors of `len` entries in `[−2, 2]`: the scale at which
/// finite-difference references are most accurate.
pub fn well_scaled(len: usize) -> impl Strategy<Value = Vec<f64>> {
    vector(len, -2.0, 2.0)
}

/// Vectors of `len` entries in `[0.1, 3]`, for functions defined only for
/// positive arguments (`ln`, `sqrt`, `powf`).
pub fn positive(len: usize) -> impl Strategy<Value = Vec<f64>> {
    vector(len, 0.1, 3.0)
}

/// Directions: `len` entries in `[−1, 1]` with at least one of magnitude
/// `≥ 0.1` (so differences along them are not all rounding noise).
///
/// # Panics
/// When sampled with `len = 0`: no empty vector is a direction, so the
/// filter rejects every candidate and proptest gives up.
pub fn direction(len: usize) -> impl Strategy<Value = Vec<f64>> {
    vector(len, -1.0, 1.0).prop_filter("direction too short", |v| v.iter().any(|a| a.abs() >= 0.1))
}
