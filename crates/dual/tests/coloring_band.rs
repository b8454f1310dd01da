//! The colouring of banded patterns in one pass (`j mod (2b + 1)` when a
//! column fills its band) against the greedy colouring's guarantees:
//! a valid distance-2 colouring with the fewest colours a full column
//! allows.

use saddle_dual::HessianColoring;
use saddle_tape::HessianPattern;

/// True if no row holds two columns of one colour (what makes
/// `H (Σ_{colour c} eⱼ)` recover every entry).
fn is_distance_two(c: &HessianColoring) -> bool {
    let p = c.pattern();
    (0..p.n()).all(|i| {
        let mut seen = vec![false; c.num_colors()];
        p.column(i).iter().all(|&j| {
            let k = c.colors()[j];
            !std::mem::replace(&mut seen[k], true)
        })
    })
}

/// A symmetric pattern with `(i, j)` for `|i − j| ≤ b` where `keep(i, j)`.
fn band(n: usize, b: usize, keep: impl Fn(usize, usize) -> bool) -> HessianPattern {
    let pairs = (0..n).flat_map(|i| (i..(i + b + 1).min(n)).map(move |j| (i, j)));
    HessianPattern::from_pairs(n, pairs.filter(|&(i, j)| keep(i, j))).unwrap()
}

#[test]
fn full_bands_get_two_b_plus_one_colours() {
    // Large enough that the band holds at most half the entries (denser
    // patterns get one colour per column outright).
    for n in [12, 40, 101] {
        for b in 0..=2 {
            let c = HessianColoring::from_pattern(band(n, b, |_, _| true));
            assert!(is_distance_two(&c), "n = {n}, b = {b}");
            assert_eq!(c.num_colors(), 2 * b + 1, "n = {n}, b = {b}");
            assert!(c
                .colors()
                .iter()
                .enumerate()
                .all(|(j, &k)| k == j % (2 * b + 1)));
        }
    }
}

/// A band with holes everywhere but one full column still needs `2b + 1`
/// colours (that column's rows all differ); one with no full column goes
/// to the greedy pass, whose colouring must be valid too.
#[test]
fn bands_with_holes_are_coloured_validly() {
    let n = 60;
    let b = 3;
    // Keep the whole column 30 and a scattered half of the rest.
    let one_full = band(n, b, |i, j| i == 30 || j == 30 || (i * 7 + j * 3) % 2 == 0);
    let c = HessianColoring::from_pattern(one_full);
    assert!(is_distance_two(&c));
    assert_eq!(c.num_colors(), 2 * b + 1);
    let none_full = band(n, b, |i, j| i == j || (i + j) % 3 == 0);
    let c = HessianColoring::from_pattern(none_full);
    assert!(is_distance_two(&c));
    assert!(
        c.num_colors() <= 2 * b + 1,
        "greedy on a band: at most 2b + 1"
    );
}

#[test]
fn an_empty_pattern_needs_one_colour_at_most() {
    let c = HessianColoring::from_pattern(HessianPattern::from_pairs(4, []).unwrap());
    assert!(is_distance_two(&c));
    assert!(c.num_colors() <= 1);
}
