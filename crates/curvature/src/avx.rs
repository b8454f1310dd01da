//! Leaving the CPU as we found it after faer's SIMD kernels.
//!
//! faer dispatches at run time to AVX2 / AVX-512 kernels and can return with
//! the upper halves of the vector registers still "dirty". The Rust code
//! around it is compiled for baseline x86-64, i.e. legacy-SSE encodings, and
//! on recent Intel cores (measured on a Sapphire Rapids Xeon) every such
//! instruction then pays for the dirty upper state (a false dependency
//! on the full register): the caller's own scalar `f64` code ran 7–60× slower
//! until a `vzeroupper`. Compilers emit `vzeroupper` at the end of AVX
//! functions for exactly this reason; [`AvxClean`] does it at our boundary.

/// A guard that executes `vzeroupper` when dropped (on x86-64 CPUs with
/// AVX; a no-op elsewhere). Create one before calling into faer so that
/// every way out — result, error, unwind — cleans the upper state.
pub(crate) struct AvxClean;

impl Drop for AvxClean {
    #[inline]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: `vzeroupper` requires only the AVX feature, which
                // was just detected at run time. It zeroes bits 128 and up
                // of ymm/zmm0–15, which no live Rust value occupies here: a
                // drop point is a statement boundary, where the compiler
                // (building this function without AVX enabled) keeps at most
                // the low 128 bits (XMM) of those registers live, and those
                // are preserved.
                unsafe { std::arch::x86_64::_mm256_zeroupper() }
            }
        }
    }
}
