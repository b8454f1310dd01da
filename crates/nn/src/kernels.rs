//! Element-wise `f64` kernels for dense layers, vectorised by the compiler
//! and chosen at run time (AVX-512 / AVX2 / baseline x86-64 or any other
//! target).
//!
//! Each kernel is written once as branch-free scalar code (both sides of
//! every branch are computed and one is selected), which LLVM turns into
//! SIMD loops. The one branch is per group of 8 entries: `tanh` skips its
//! exponential when all 8 lie in its rational branch's range. The loop is
//! compiled three times, once per instruction set, and
//! [`tanh_with_slopes`] (likewise [`sigmoid_with_slopes`],
//! [`softplus_with_slopes`]) picks the widest the CPU supports. Every
//! multiply-add is written as an explicit fused `mul_add` (one rounding):
//! the AVX-512 and AVX2 variants, which require the FMA extension, turn it
//! into one instruction, the baseline variant into libm's exact `fma`
//! (slower, same result). So every variant returns the same bits: results
//! do not depend on the machine. (Rust never contracts `a * b + c` on its
//! own, so the fusing is the code's choice, not the compiler's.)
//!
//! # Accuracy
//! [`tanh_f64`] is within 2 ulp of the correctly rounded `tanh` over the
//! whole `f64` domain, measured against the platform libm on millions of
//! points in `crates/nn/tests/kernels.rs` (which prints the largest error).
//! [`sigmoid_and_slope`] and [`softplus_and_slope`] are within 2 ulp of the
//! scalar rules of `saddle_tape::rules` (which call libm) in value, and 2
//! (softplus) and 4 (sigmoid) ulp in slope, measured the same way.

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

use saddle_tape::pool;

/// `eʳ` for `|r| ≤ ln2/2` by its Taylor polynomial of degree 13
/// (truncation `r¹⁴/14! < 5·10⁻¹⁸`): `1 + r(1 + r p(r))` with
/// `p(r) = Σₖ₌₀¹¹ rᵏ/(k+2)!`.
///
/// `p` is evaluated by Estrin's scheme (pairs `cₖ + cₖ₊₁r`, then combined
/// with `r²`, `r⁴`, `r⁸`): four multiply-adds deep instead of Horner's
/// eleven. The kernels are bound by this chain's latency, not by their
/// number of operations. The last two steps stay in Horner form, so the
/// result rounds as before: `p`'s own rounding enters multiplied by
/// `r² ≤ 0.12`.
#[inline(always)]
fn exp_reduced(r: f64) -> f64 {
    // 1/n! for n = 2 up to 13.
    const C: [f64; 12] = [
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let pair = |k: usize| C[k + 1].mul_add(r, C[k]);
    let lo = pair(2).mul_add(r2, pair(0));
    let mid = pair(6).mul_add(r2, pair(4));
    let hi = pair(10).mul_add(r2, pair(8));
    let p = hi.mul_add(r8, mid.mul_add(r4, lo));
    r.mul_add(r.mul_add(p, 1.0), 1.0)
}

/// `eʸ` for `0 ≤ y ≤ 44` (about 1 ulp): `y = k ln 2 + r` with `|r| ≤ ln2/2`
/// (Cody–Waite), `eʳ` by its Taylor polynomial of degree 13 (truncation
/// `r¹⁴/14! < 5·10⁻¹⁸`), then `2ᵏ eʳ` with `2ᵏ` built from its bits.
#[inline(always)]
fn exp_small_range(y: f64) -> f64 {
    let v = y.mul_add(std::f64::consts::LOG2_E, SHIFT);
    let k = v - SHIFT;
    let r = (-k).mul_add(LN2_LO, (-k).mul_add(LN2_HI, y));
    let er = exp_reduced(r);
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
    let (small_num, small_den) = small_branch(a);
    // Clamp so that the unused branch stays finite (NaN is caught below).
    let y = if a < BIG { a + a } else { 2.0 * BIG };
    let e = exp_small_range(y);
    // Both branches have the shape `base + base·(num/den)`: `a + a·(x²P/Q)`
    // and `1 + (−2)/(e²ˣ + 1)`. Selecting the operands before the one
    // division gives the same bits as dividing on both sides and selecting
    // after, at half the divisions.
    let is_small = a < SMALL;
    let base = if is_small { a } else { 1.0 };
    let num = if is_small { small_num } else { -2.0 };
    let den = if is_small { small_den } else { e + 1.0 };
    let r = base.mul_add(num / den, base);
    let r = if a > BIG { 1.0 } else { r };
    let r = f64::from_bits(r.to_bits() | (x.to_bits() & SIGN));
    if x.is_nan() {
        x
    } else {
        r
    }
}

/// The rational branch of [`tanh_f64`] for `a = |x|`: `(x²P(x²), Q(x²))`,
/// so that `tanh a = a + a·num/den` for `a < 0.625`.
#[inline(always)]
fn small_branch(a: f64) -> (f64, f64) {
    let a2 = a * a;
    let p = P[0].mul_add(a2, P[1]).mul_add(a2, P[2]);
    let q = (a2 + Q[0]).mul_add(a2, Q[1]).mul_add(a2, Q[2]);
    (a2 * p, q)
}

/// [`tanh_f64`] for `|x| < 0.625` only, where it gives the same bits: the
/// rational branch alone, without the exponential the branch-free
/// [`tanh_f64`] also evaluates.
#[inline(always)]
fn tanh_small(x: f64) -> f64 {
    let a = x.abs();
    let (num, den) = small_branch(a);
    let r = a.mul_add(num / den, a);
    f64::from_bits(r.to_bits() | (x.to_bits() & SIGN))
}

/// Entries tested together for the small range: one SIMD register of
/// AVX-512, two of AVX2.
const GROUP: usize = 8;

/// Whether every entry of `g` is in the rational branch's range (`NaN` is
/// not).
#[inline(always)]
fn all_small(g: &[f64]) -> bool {
    g.iter().fold(true, |all, x| all & (x.abs() < SMALL))
}

/// `e⁻ᵃ` for every `a ≥ 0` (about 1 ulp, subnormal results included; `+∞`
/// and every `a ≥ 746` give 0, NaN gives 0 and is handled by the caller).
///
/// `−a = k ln 2 + r` with `|r| ≤ ln2/2` (Cody–Waite), `eʳ` by
/// [`exp_reduced`], then `2ᵏ eʳ` as `(eʳ·2ᵏ¹)·2ᵏ²` with `k₁ = round(k/2)`,
/// `k₂ = k − k₁`: both powers are normal numbers (`k ≥ −1077`), the first
/// product is exact and the second rounds once, also into the subnormals.
#[inline(always)]
fn exp_neg(a: f64) -> f64 {
    // e⁻⁷⁴⁶ < 2⁻¹⁰⁷⁵ (half the smallest subnormal): the clamp changes no
    // result and keeps k in range (NaN compares false and is clamped too).
    let y = if a < 746.0 { -a } else { -746.0 };
    let k = y.mul_add(std::f64::consts::LOG2_E, SHIFT) - SHIFT;
    let r = (-k).mul_add(LN2_LO, (-k).mul_add(LN2_HI, y));
    let k1 = k.mul_add(0.5, SHIFT) - SHIFT;
    let k2 = k - k1;
    exp_reduced(r) * pow2(k1) * pow2(k2)
}

/// `2ᵏ` for an integer-valued `k` with `−1022 ≤ k ≤ 1023`, from its bits:
/// `k + SHIFT` holds `k` in its low mantissa bits (two's complement
/// against bit 51), so `(bits + 1023) << 52` keeps exactly the biased
/// exponent `k + 1023` and drops `SHIFT`'s bits.
#[inline(always)]
fn pow2(k: f64) -> f64 {
    f64::from_bits((k + SHIFT).to_bits().wrapping_add(1023) << 52)
}

/// Coefficients of fdlibm's `e_log.c`: `ln m = 2 atanh s`, `s = f/(2 + f)`,
/// approximated as `2s + s·R(s²)` with `R` of degree 14 in `s`, error below
/// `2⁻⁵⁸·⁴⁵` on `√2/2 ≤ m ≤ √2`.
const LG: [f64; 7] = [
    f64::from_bits(0x3fe5_5555_5555_5593), // 6.666666666666735130e-01
    f64::from_bits(0x3fd9_9999_9997_fa04), // 3.999999999940941908e-01
    f64::from_bits(0x3fd2_4924_9422_9359), // 2.857142874366239149e-01
    f64::from_bits(0x3fcc_71c5_1d8e_78af), // 2.222219843214978396e-01
    f64::from_bits(0x3fc7_4664_96cb_03de), // 1.818357216161805012e-01
    f64::from_bits(0x3fc3_9a09_d078_c69f), // 1.531383769920937332e-01
    f64::from_bits(0x3fc2_f112_df3e_5244), // 1.479819860511658591e-01
];

/// `ln(1 + e)` for `0 ≤ e ≤ 1` (about 1 ulp), the softplus tail.
///
/// `u = 1 + e` rounds; its error `c = e − (u − 1)` is exact (both
/// subtractions are exact for `u ∈ [1, 2]`) and enters as `c/u`, the
/// first-order term of `ln(u + c) − ln u`. Then `ln u` as fdlibm's `log`:
/// `u = 2ᵏ m` with `k ∈ {0, 1}` and `√2/2 ≤ m ≤ √2`, `f = m − 1` (exact),
/// `ln m = f − ½f² + s(½f² + R)`, and `k ln 2` split in two parts so the
/// large ones add without error.
#[inline(always)]
fn ln_1p_unit(e: f64) -> f64 {
    let u = 1.0 + e;
    let c = e - (u - 1.0);
    let big = u > std::f64::consts::SQRT_2;
    let m = if big { u * 0.5 } else { u };
    let k = if big { 1.0 } else { 0.0 };
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c / u))) - f)
}

/// `σ(x) = 1/(1 + e⁻ˣ)` and its slope `σ'(x) = σ(x)(1 − σ(x))`, by the
/// formulas of `saddle_tape::rules::sigmoid` without its branch: with
/// `e = e^{−|x|}` and `r = 1/(1 + e)`, `σ = r` for `x ≥ 0` and `e·r` for
/// `x < 0` (no overflow, no cancellation on either side), and the slope is
/// `e·r²` on both. `±∞` give `(1, 0)` and `(0, 0)`, NaN gives `(NaN, NaN)`.
///
/// Within 2 ulp of the scalar rule (libm `exp`) in value and 4 ulp in slope
/// (the slope `e·r²` passes the `exp` difference on undamped), measured
/// over 1.48·10⁶ points in `crates/nn/tests/kernels.rs` (which prints the
/// largest errors).
#[inline(always)]
pub fn sigmoid_and_slope(x: f64) -> (f64, f64) {
    let e = exp_neg(x.abs());
    let r = 1.0 / (1.0 + e);
    let v = if x >= 0.0 { r } else { e * r };
    let d = e * r * r;
    if x.is_nan() {
        (x, x)
    } else {
        (v, d)
    }
}

/// `softplus x = ln(1 + eˣ)` and its slope `σ(x)`, by the formulas of
/// `saddle_tape::rules::softplus` without its branch: with `e = e^{−|x|}`,
/// the value is `max(x, 0) + ln(1 + e)` (`x + ln(1 + e⁻ˣ)` for `x ≥ 0`,
/// `ln(1 + eˣ)` for `x < 0`) and the slope is `σ(x)` as in
/// [`sigmoid_and_slope`], sharing `e`. `+∞` gives `(∞, 1)`, `−∞` gives
/// `(0, 0)`, NaN gives `(NaN, NaN)`.
///
/// Within 2 ulp of the scalar rule (libm `exp`, `ln_1p`) in value and
/// slope, measured over 1.48·10⁶ points in `crates/nn/tests/kernels.rs`.
#[inline(always)]
pub fn softplus_and_slope(x: f64) -> (f64, f64) {
    let e = exp_neg(x.abs());
    let r = 1.0 / (1.0 + e);
    let d = if x >= 0.0 { r } else { e * r };
    let v = if x >= 0.0 { x } else { 0.0 } + ln_1p_unit(e);
    if x.is_nan() {
        (x, x)
    } else {
        (v, d)
    }
}

/// The loop every instruction-set variant of a fused kernel compiles:
/// `(zᵢ, sᵢ) ← f(zᵢ)`. Inlined into each `#[target_feature]` caller
/// together with `f`, so `f` is vectorised for that instruction set.
#[inline(always)]
fn with_slopes_body(z: &mut [f64], s: &mut [MaybeUninit<f64>], f: impl Fn(f64) -> (f64, f64)) {
    for (zi, si) in z.iter_mut().zip(s.iter_mut()) {
        let (v, d) = f(*zi);
        *zi = v;
        si.write(d);
    }
}

/// The loop every instruction-set variant compiles: `zᵢ ← tanh zᵢ`,
/// `sᵢ ← 1 − tanh² zᵢ` (the formula of `saddle_tape::rules::tanh`).
///
/// A group of [`GROUP`] entries that all lie in the rational branch's range
/// skips the exponential (the pre-activations of a network at a usual
/// scale mostly do: 1.7× faster on W2's layers); the bits are those of
/// [`tanh_f64`] either way.
///
/// Plain loops over slices, not `collect`: the collecting code is a
/// separate generic function that is not compiled with the caller's target
/// features, so it would not vectorise.
#[inline(always)]
fn tanh_with_slopes_body(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
    #[inline(always)]
    fn each(z: &mut [f64], s: &mut [MaybeUninit<f64>], tanh: impl Fn(f64) -> f64) {
        for (zi, si) in z.iter_mut().zip(s.iter_mut()) {
            let t = tanh(*zi);
            *zi = t;
            si.write(1.0 - t * t);
        }
    }
    let whole = z.len() - z.len() % GROUP;
    let (z, z_rest) = z.split_at_mut(whole);
    let (s, s_rest) = s.split_at_mut(whole);
    for (zg, sg) in z.chunks_exact_mut(GROUP).zip(s.chunks_exact_mut(GROUP)) {
        if all_small(zg) {
            each(zg, sg, tanh_small);
        } else {
            each(zg, sg, tanh_f64);
        }
    }
    each(z_rest, s_rest, tanh_f64);
}

/// `zᵢ ← tanh zᵢ`, by groups as [`tanh_with_slopes_body`].
#[inline(always)]
fn tanh_body(z: &mut [f64]) {
    let mut groups = z.chunks_exact_mut(GROUP);
    for g in &mut groups {
        if all_small(g) {
            g.iter_mut().for_each(|zi| *zi = tanh_small(*zi));
        } else {
            g.iter_mut().for_each(|zi| *zi = tanh_f64(*zi));
        }
    }
    groups
        .into_remainder()
        .iter_mut()
        .for_each(|zi| *zi = tanh_f64(*zi));
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::mem::MaybeUninit;

    #[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
    pub fn tanh_with_slopes_avx512(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::tanh_with_slopes_body(z, s)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn tanh_with_slopes_avx2(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::tanh_with_slopes_body(z, s)
    }
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
    pub fn sigmoid_with_slopes_avx512(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::with_slopes_body(z, s, super::sigmoid_and_slope)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn sigmoid_with_slopes_avx2(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::with_slopes_body(z, s, super::sigmoid_and_slope)
    }
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
    pub fn softplus_with_slopes_avx512(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::with_slopes_body(z, s, super::softplus_and_slope)
    }
    #[target_feature(enable = "avx2,fma")]
    pub fn softplus_with_slopes_avx2(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
        super::with_slopes_body(z, s, super::softplus_and_slope)
    }
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
    pub fn tanh_avx512(z: &mut [f64]) {
        super::tanh_body(z)
    }
    #[target_feature(enable = "avx2,fma")]
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
    collect_slopes(z, tanh_with_slopes_into)
}

/// Dispatch for [`tanh_with_slopes`]; writes `s[i]` for every `i < z.len()`
/// (`s` has exactly that length). The slopes go to uninitialised memory:
/// zeroing them first cost a memset per layer.
fn tanh_with_slopes_into(z: &mut [f64], s: &mut [MaybeUninit<f64>]) {
    #[cfg(target_arch = "x86_64")]
    match isa() {
        // SAFETY: `isa` detected the features each variant enables.
        Isa::Avx512 => return unsafe { x86::tanh_with_slopes_avx512(z, s) },
        Isa::Avx2 => return unsafe { x86::tanh_with_slopes_avx2(z, s) },
        Isa::Baseline => {}
    }
    tanh_with_slopes_body(z, s)
}

/// Replaces every `zᵢ` by `tanh zᵢ` ([`tanh_f64`]), with the widest SIMD the
/// CPU has.
pub fn tanh_in_place(z: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    match isa() {
        // SAFETY: `isa` detected the features each variant enables.
        Isa::Avx512 => return unsafe { x86::tanh_avx512(z) },
        Isa::Avx2 => return unsafe { x86::tanh_avx2(z) },
        Isa::Baseline => {}
    }
    tanh_body(z)
}

/// The same loop without any run-time dispatch (baseline instruction set),
/// so tests can check that every variant returns the same bits.
pub fn tanh_in_place_baseline(z: &mut [f64]) {
    tanh_body(z)
}

/// The instruction set the dispatched kernels run on this CPU.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isa {
    Avx512,
    Avx2,
    Baseline,
}

#[cfg(target_arch = "x86_64")]
fn isa() -> Isa {
    let fma = std::is_x86_feature_detected!("fma");
    if std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
        && fma
    {
        Isa::Avx512
    } else if std::is_x86_feature_detected!("avx2") && fma {
        Isa::Avx2
    } else {
        Isa::Baseline
    }
}

/// Runs `fill` on `z` and the uninitialised slopes, which it must write
/// entirely, and returns the slopes. Their buffer comes from the thread's
/// [`pool`] (a dense layer gives it back when its tape entry is dropped),
/// and is not zeroed first: that cost a memset per layer.
fn collect_slopes(
    z: &mut [f64],
    fill: impl FnOnce(&mut [f64], &mut [MaybeUninit<f64>]),
) -> Vec<f64> {
    let mut s = pool::take(z.len());
    fill(z, &mut s.spare_capacity_mut()[..z.len()]);
    // SAFETY: every `fill` passed here is a `with_slopes_body` loop or
    // `tanh_with_slopes_into`, which write each of the first `z.len()`
    // entries (they zip `z` with a slice of that length).
    unsafe { s.set_len(z.len()) };
    s
}

/// Replaces every `zᵢ` by `σ(zᵢ)` and returns the slopes `σ'(zᵢ)`
/// ([`sigmoid_and_slope`]), in one sweep, with the widest SIMD the CPU has.
pub fn sigmoid_with_slopes(z: &mut [f64]) -> Vec<f64> {
    collect_slopes(z, |z, s| {
        #[cfg(target_arch = "x86_64")]
        match isa() {
            // SAFETY: `isa` detected the features each variant enables.
            Isa::Avx512 => return unsafe { x86::sigmoid_with_slopes_avx512(z, s) },
            Isa::Avx2 => return unsafe { x86::sigmoid_with_slopes_avx2(z, s) },
            Isa::Baseline => {}
        }
        with_slopes_body(z, s, sigmoid_and_slope)
    })
}

/// Replaces every `zᵢ` by `softplus zᵢ` and returns the slopes `σ(zᵢ)`
/// ([`softplus_and_slope`]), in one sweep, with the widest SIMD the CPU has.
pub fn softplus_with_slopes(z: &mut [f64]) -> Vec<f64> {
    collect_slopes(z, |z, s| {
        #[cfg(target_arch = "x86_64")]
        match isa() {
            // SAFETY: `isa` detected the features each variant enables.
            Isa::Avx512 => return unsafe { x86::softplus_with_slopes_avx512(z, s) },
            Isa::Avx2 => return unsafe { x86::softplus_with_slopes_avx2(z, s) },
            Isa::Baseline => {}
        }
        with_slopes_body(z, s, softplus_and_slope)
    })
}

/// [`sigmoid_with_slopes`] without run-time dispatch (baseline instruction
/// set), so tests can check that every variant returns the same bits.
pub fn sigmoid_with_slopes_baseline(z: &mut [f64]) -> Vec<f64> {
    collect_slopes(z, |z, s| with_slopes_body(z, s, sigmoid_and_slope))
}

/// [`softplus_with_slopes`] without run-time dispatch.
pub fn softplus_with_slopes_baseline(z: &mut [f64]) -> Vec<f64> {
    collect_slopes(z, |z, s| with_slopes_body(z, s, softplus_and_slope))
}
