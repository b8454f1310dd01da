//! Element-wise `f64` kernels for dense layers, vectorised by the compiler
//! and chosen at run time (AVX-512 / AVX2 / baseline x86-64 or any other
//! target).
//!
//! Each kernel is written once as branch-free scalar code (both sides of
//! every branch are computed and one is selected), which LLVM turns into
//! SIMD loops. The loop is compiled three times, once per instruction set,
//! and [`tanh_with_slopes`] picks the widest the CPU supports. No fused
//! multiply-adds are formed (Rust never contracts `a * b + c`), so every
//! variant returns the same bits: results do not depend on the machine.
//!
//! # Accuracy
//! [`tanh_f64`] is within 2 ulp of the correctly rounded `tanh` over the
//! whole `f64` domain, measured against the platform libm on millions of
//! points in `crates/nn/tests/kernels.rs` (which prints the largest error).

/// `|x|` below which `tanh` uses the rational approximation (Cephes'
/// `tanh.c`): there `1 − 2/(e²ˣ + 1)` would cancel.
const SMALL: f64 = 0.625;
/// `|x|` above which `tanh x` rounds to `±1` (`1 − tanh 22 ≈ 1.6·10⁻¹⁹`, below
/// half an ulp of 1).
const BIG: f64 = 22.0;
/// Numerator of `tanh x = x + x³ P(x²)/Q(x²)` on `|x| ≤ 0.625` (Cephes,
/// relative error ≈ 2.5·10⁻¹⁷).
const P: [f64; 3] = [
    -9.643_991_794_250_523e-1,
    -9.928_772_310_019_186e1,
    -1.614_687_684_417_084_5e3,
];
/// Denominator (monic) of the rational above.
const Q: [f64; 3] = [
    1.128_116_784_916_329_3e2,
    2.235_488_390_601_004_5e3,
    4.844_063_053_251_255e3,
];
/// `1.5 · 2⁵²`: adding it rounds a number below 2⁵¹ to an integer kept in
/// the low mantissa bits (round-to-nearest-even, no conversion instruction).
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// `ln 2` split so that `k · LN2_HI` is exact for `|k| < 2²⁰` (fdlibm).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-1
/// `ln 2 − LN2_HI`.
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10
const SIGN: u64 = 1 << 63;

use std::mem::MaybeUninit;

/// `eʸ` for `0 ≤ y ≤ 44` (about 1 ulp): `y = k ln 2 + r` with `|r| ≤ ln2/2`
/// (Cody–Waite), `eʳ` by its Taylor polynomial of degree 13 (truncation
/// `r¹⁴/14! < 5·10⁻¹⁸`), then `2ᵏ eʳ` with `2ᵏ` built from its bits.
#[inline(always)]
fn exp_small_range(y: f64) -> f64 {
    let v = y * std::f64::consts::LOG2_E + SHIFT;
    let k = v - SHIFT;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    // 1/n! for n = 13 down to 2.
    const C: [f64; 12] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let mut p = C[0];
    for c in &C[1..] {
        p = p * r + c;
    }
    let er = 1.0 + r * (1.0 + r * p);
    // The low mantissa bits of `v` hold `k` (0 ≤ k ≤ 64 here); `(k + 1023)
    // << 52` is the bit pattern of 2ᵏ, and the shift drops `SHIFT`'s bits.
    let two_k = f64::from_bits(v.to_bits().wrapping_add(1023) << 52);
    er * two_k
}

/// `tanh x`, within 2 ulp of the correctly rounded value for every `f64`
/// (`±0`, subnormals, `±∞` → `±1`, NaN → NaN).
///
/// - `|x| < 0.625`: `x + x³ P(x²)/Q(x²)` (no cancellation: the correction is
///   at most 13 % of `x`);
/// - `0.625 ≤ |x| ≤ 22`: `1 − 2/(e²ˣ + 1)` (the subtracted term is below
///   0.45, so the error of `e²ˣ` is damped);
/// - `|x| > 22`: `±1`.
///
/// The sign is taken from `x` at the end, so `tanh(−0) = −0`.
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let a = x.abs();
    let a2 = a * a;
    let p = (P[0] * a2 + P[1]) * a2 + P[2];
    let q = ((a2 + Q[0]) * a2 + Q[1]) * a2 + Q[2];
    let small = a + a * (a2 * p / q);
    // Clamp so that the unused branch stays finite (NaN is caught below).
    let y = if a < BIG { a + a } else { 2.0 * BIG };
    let large = 1.0 - 2.0 / (exp_small_range(y) + 1.0);
    let r = if a < SMALL { small } else { large };
    let r = if a > BIG { 1.0 } else { r };
    let r = f64::from_bits(r.to_bits() | (x.to_bits() & SIGN));
    if x.is_nan() {
        x
    } else {
        r
    }
}

/// The loop every instruction-set variant compiles: `zᵢ ← tanh zᵢ`,
/// `sᵢ ← 1 − tanh² zᵢ` (the formula of `saddle_tape::rules::tanh`).
///
/// A plain loop over two slices, not `collect`: the collecting code is a
/// separate generic function that is not compiled with the caller's target
/// features, so it would not vectorise.
#[inline(always)]
fn tanh_with_slopes_body(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
    for (zi, si) in z.iter_mut().zip(s.iter_mut()) {
        let t = tanh_f64(*zi);
        *zi = t;
        si.write(1.0 - t * t);
    }
}

#[inline(always)]
fn tanh_body(z: &mut [f64]) {
    z.iter_mut().for_each(|zi| *zi = tanh_f64(*zi));
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::mem::MaybeUninit;

    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    pub fn tanh_with_slopes_avx512(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::tanh_with_slopes_body(z, s)
    }
    #[target_feature(enable = "avx2")]
    pub fn tanh_with_slopes_avx2(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::tanh_with_slopes_body(z, s)
    }
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    pub fn tanh_avx512(z: &mut [f64]) {
        super::tanh_body(z)
    }
    #[target_feature(enable = "avx2")]
    pub fn tanh_avx2(z: &mut [f64]) {
        super::tanh_body(z)
    }
}

/// Replaces every `zᵢ` by `tanh zᵢ` ([`tanh_f64`]) and returns the slopes
/// `1 − tanh² zᵢ`, in one sweep, with the widest SIMD the CPU has.
///
/// The slope inherits the absolute (not relative) accuracy of `tanh`: near
/// `|z| ≥ 19` it is 0 where `sech² z` is a tiny positive number, exactly as
/// the scalar rule it replaces.
pub fn tanh_with_slopes(z: &mut [f64]) -> Vec<f64> {
    let mut s = Vec::with_capacity(z.len());
    tanh_with_slopes_into(z, &mut s.spare_capacity_mut()[..z.len()]);
    // SAFETY: `tanh_with_slopes_into` wrote every one of the first
    // `z.len()` entries (the loop zips `z` with a slice of that length).
    unsafe { s.set_len(z.len()) };
    s
}

/// Dispatch for [`tanh_with_slopes`]; writes `s[i]` for every `i < z.len()`
/// (`s` has exactly that length). The slopes go to uninitialised memory:
/// zeroing them first cost a memset per layer.
fn tanh_with_slopes_into(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the three features the function enables were detected
            // on this CPU just above.
            return unsafe { x86::tanh_with_slopes_avx512(z, s) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 was detected on this CPU just above.
            return unsafe { x86::tanh_with_slopes_avx2(z, s) };
        }
    }
    tanh_with_slopes_body(z, s)
}

/// Replaces every `zᵢ` by `tanh zᵢ` ([`tanh_f64`]), with the widest SIMD the
/// CPU has.
pub fn tanh_in_place(z: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the three features the function enables were detected
            // on this CPU just above.
            return unsafe { x86::tanh_avx512(z) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 was detected on this CPU just above.
            return unsafe { x86::tanh_avx2(z) };
        }
    }
    tanh_body(z)
}

/// The same loop without any run-time dispatch (baseline instruction set),
/// so tests can check that every variant returns the same bits.
pub fn tanh_in_place_baseline(z: &mut [f64]) {
    tanh_body(z)
}
