//! The `tanh` kernels test each group of 8 entries for the rational
//! branch's range (`|x| < 0.625`) and then skip the exponential. Claim
//! under test: every entry gets exactly the bits of [`tanh_f64`], whatever
//! its neighbours, its position in the slice (group or tail), the slice's
//! length and the dispatched instruction set; and the dual path
//! (`Activation::Tanh.apply_with_slopes` on `Dual<f64, K>`, in chunks of
//! 512) gives exactly the bits of the dual chain rule built on
//! [`tanh_f64`]. All comparisons are bit for bit (no tolerance): the claim
//! is bit identity.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saddle_dual::Dual;
use saddle_nn::kernels::{tanh_f64, tanh_in_place, tanh_in_place_baseline, tanh_with_slopes};
use saddle_nn::Activation;

/// Values at and around every edge of the kernel: the branch point ±0.625
/// and its neighbours, signed zeros, subnormals, the smallest normal, the
/// saturation point 22 and its neighbours, huge values, infinities and
/// NaNs of both signs (one with a payload).
fn specials() -> Vec<f64> {
    let e = 0.625f64;
    let mut v = vec![
        e,
        up(e),
        down(e),
        down(down(e)),
        0.0,
        -0.0,
        5e-324,
        1e-310,
        f64::MIN_POSITIVE,
        down(f64::MIN_POSITIVE),
        1e-8,
        0.3,
        0.624,
        0.626,
        1.0,
        19.0,
        22.0,
        up(22f64),
        down(22f64),
        700.0,
        1e300,
        f64::MAX,
        f64::INFINITY,
        f64::NAN,
        f64::from_bits(0x7ff8_0000_0000_1234),
    ];
    let neg: Vec<f64> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

/// Checks the three entry points against `tanh_f64`, bit for bit, value by
/// value (and the slope `1 − t·t` of `tanh_with_slopes`).
fn check(x: &[f64], what: &str) {
    let mut a = x.to_vec();
    tanh_in_place(&mut a);
    let mut b = x.to_vec();
    tanh_in_place_baseline(&mut b);
    let mut c = x.to_vec();
    let s = tanh_with_slopes(&mut c);
    assert_eq!(s.len(), x.len(), "{what}: slope count");
    for (i, &v) in x.iter().enumerate() {
        let t = tanh_f64(v);
        let slope = 1.0 - t * t;
        assert_eq!(
            a[i].to_bits(),
            t.to_bits(),
            "{what}: dispatched, entry {i}, x = {v:e}"
        );
        assert_eq!(
            b[i].to_bits(),
            t.to_bits(),
            "{what}: baseline, entry {i}, x = {v:e}"
        );
        assert_eq!(
            c[i].to_bits(),
            t.to_bits(),
            "{what}: with slopes, entry {i}, x = {v:e}"
        );
        assert_eq!(
            s[i].to_bits(),
            slope.to_bits(),
            "{what}: slope, entry {i}, x = {v:e}"
        );
    }
}

#[test]
fn every_special_value_at_every_position_of_every_length_gets_the_bits_of_tanh_f64() {
    // Each special value placed at each position of slices of length
    // 0..=20 (full groups, tails, one and two groups), the other entries
    // all small (so the group would take the rational branch if the
    // special value were ignored), or all at a branch edge, or mixed.
    let fills: [&dyn Fn(usize) -> f64; 4] = [
        &|i| 0.05 * i as f64 - 0.5,
        &|_| down(0.625),
        &|_| -down(0.625),
        &|i| {
            if i % 3 == 0 {
                0.9
            } else {
                -0.1 * i as f64 / 20.0
            }
        },
    ];
    for (f, fill) in fills.iter().enumerate() {
        for len in 0..=20usize {
            let base: Vec<f64> = (0..len).map(fill).collect();
            check(&base, &format!("fill {f}, len {len}"));
            for pos in 0..len {
                for &v in &specials() {
                    let mut x = base.clone();
                    x[pos] = v;
                    check(&x, &format!("fill {f}, len {len}, x[{pos}] = {v:e}"));
                }
            }
        }
    }
}

#[test]
fn slices_of_only_the_branch_edge_and_its_neighbours_get_the_bits_of_tanh_f64() {
    // Whole groups made of nothing but the values just inside the branch
    // (taken by the rational branch alone) and just outside (full kernel),
    // each also at a non-zero offset of the same buffer (groups start at
    // the slice's start, so an offset regroups every entry).
    let e = 0.625f64;
    for v in [
        e,
        down(e),
        up(e),
        -e,
        -down(e),
        -up(e),
        0.0,
        -0.0,
        5e-324,
        -5e-324,
    ] {
        let x = vec![v; 41];
        for off in 0..8 {
            check(&x[off..], &format!("all {v:e}, offset {off}"));
        }
    }
}

#[test]
fn random_group_mixing_gets_the_bits_of_tanh_f64() {
    // Seeded random slices whose entries are drawn from classes (small,
    // medium, large, special) with random class probabilities per slice,
    // so some groups are all small, some have one outsider, some none.
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let sp = specials();
    for case in 0..4000 {
        let len = rng.random_range(0..70usize);
        let p_small: f64 = rng.random_range(0.5..1.0);
        let x: Vec<f64> = (0..len)
            .map(|_| {
                let u: f64 = rng.random_range(0.0..1.0);
                if u < p_small {
                    rng.random_range(-0.625..0.625)
                } else if u < p_small + (1.0 - p_small) / 3.0 {
                    rng.random_range(-25.0..25.0)
                } else if u < p_small + 2.0 * (1.0 - p_small) / 3.0 {
                    sp[rng.random_range(0..sp.len())]
                } else {
                    f64::from_bits(rng.random::<u64>())
                }
            })
            .collect();
        check(&x, &format!("case {case}, len {len}"));
    }
}

/// The dual path against the dual chain rule on `tanh_f64`, bit for bit:
/// value `tanh(z) = z.chain_rule(tanh_f64, 1 − t²)` (zero tangents exactly
/// zero, as `saddle_dual` applies rules), slope `1 − t·t` in dual
/// arithmetic.
fn check_dual<const K: usize>(len: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sp = specials();
    let z: Vec<Dual<f64, K>> = (0..len)
        .map(|i| {
            // Mostly small real parts (whole small groups), some specials
            // and large values, and some zero tangent lanes.
            let re = match rng.random_range(0..10) {
                0 => sp[rng.random_range(0..sp.len())],
                1 => rng.random_range(-5.0..5.0),
                _ => rng.random_range(-0.6..0.6),
            };
            let eps = std::array::from_fn(|l| {
                if (i + l) % 5 == 0 {
                    0.0
                } else {
                    rng.random_range(-2.0..2.0)
                }
            });
            Dual::new(re, eps)
        })
        .collect();
    let mut got = z.clone();
    let slopes = Activation::Tanh.apply_with_slopes(&mut got);
    assert_eq!(slopes.len(), len);
    for i in 0..len {
        let t = z[i].chain_rule(|re| {
            let t = tanh_f64(re);
            (t, 1.0 - t * t)
        });
        let s = Dual::constant(1.0) - t * t;
        let what = format!("K {K}, len {len}, entry {i}, z = {:?}", z[i]);
        assert_eq!(got[i].re.to_bits(), t.re.to_bits(), "{what}: value");
        assert_eq!(slopes[i].re.to_bits(), s.re.to_bits(), "{what}: slope");
        for l in 0..K {
            assert_eq!(
                got[i].eps[l].to_bits(),
                t.eps[l].to_bits(),
                "{what}: value lane {l}"
            );
            assert_eq!(
                slopes[i].eps[l].to_bits(),
                s.eps[l].to_bits(),
                "{what}: slope lane {l}"
            );
        }
    }
}

#[test]
fn dual_tanh_over_chunk_boundaries_gets_the_bits_of_the_chain_rule_on_tanh_f64() {
    // Lengths around the 512-entry chunk: below, at, just over (a tail
    // chunk of 1), odd lengths over one and two chunks, and tails that
    // are not a multiple of the 8-entry group.
    for (n, len) in [0usize, 1, 7, 511, 512, 513, 519, 1023, 1025, 1031, 1547]
        .into_iter()
        .enumerate()
    {
        let seed = 100 + n as u64;
        check_dual::<1>(len, seed);
        check_dual::<2>(len, seed);
        check_dual::<4>(len, seed);
        check_dual::<8>(len, seed);
        check_dual::<16>(len, seed);
    }
}

/// The next `f64` above a positive finite `x` (`f64::next_up` is newer
/// than the crate's MSRV).
fn up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

/// The next `f64` below a positive nonzero `x`.
fn down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}
