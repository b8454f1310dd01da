//! Index domains: a set of input indices, held in one `u64`.
//!
//! Most domains of scalar code have one or two elements (a term of a sum
//! of local terms depends on a few neighbours), so a set of at most two
//! indices is held inline and merging two of them is a few comparisons;
//! larger sets live in the analysis' arena and the `u64` names them. The
//! form is canonical: a set of at most two elements is always inline, so
//! an arena set has at least three.

/// No index (an empty half of an inline set). Indices are input positions,
/// below `ARENA`.
pub(super) const NONE: u32 = u32::MAX;
/// The low half of a domain that names an arena set (its id in the high
/// half).
const ARENA: u32 = u32::MAX - 1;

/// An index domain: `lo | hi << 32` with
/// - `{}`: `lo = hi = NONE`;
/// - `{i}`: `lo = i`, `hi = NONE`;
/// - `{i, j}`, `i < j`: `lo = i`, `hi = j`;
/// - arena set `k` (three elements or more): `lo = ARENA`, `hi = k`.
///
/// An inline set is therefore `[lo, hi]` sorted with `NONE` padding at the
/// end (`NONE` is above every index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Dom(pub(super) u64);

impl Dom {
    /// The empty set.
    pub(super) const EMPTY: Dom = Dom(u64::MAX);

    /// `{i}`.
    #[inline(always)]
    pub(super) fn one(i: u32) -> Dom {
        Dom(u64::from(NONE) << 32 | u64::from(i))
    }

    /// `{i, j}` for `i < j`.
    #[inline(always)]
    pub(super) fn two(i: u32, j: u32) -> Dom {
        debug_assert!(i < j && j < ARENA);
        Dom(u64::from(j) << 32 | u64::from(i))
    }

    /// Arena set `k`.
    #[inline(always)]
    pub(super) fn arena(k: u32) -> Dom {
        Dom(u64::from(k) << 32 | u64::from(ARENA))
    }

    #[inline(always)]
    pub(super) fn is_empty(self) -> bool {
        self == Dom::EMPTY
    }

    #[inline(always)]
    fn lo(self) -> u32 {
        self.0 as u32
    }

    #[inline(always)]
    fn hi(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// `[lo, hi]` of an inline set (`NONE`-padded), `None` for an arena set.
    #[inline(always)]
    pub(super) fn inline(self) -> Option<[u32; 2]> {
        (self.lo() != ARENA).then(|| [self.lo(), self.hi()])
    }

    /// The id of an arena set, `None` for an inline one.
    #[inline(always)]
    pub(super) fn arena_id(self) -> Option<usize> {
        (self.lo() == ARENA).then(|| self.hi() as usize)
    }

    /// The union of two inline sets if it has at most two elements (then
    /// it is one of them or a pair of two singletons), `None` if it has
    /// three or four.
    #[inline(always)]
    pub(super) fn inline_union(a: [u32; 2], b: [u32; 2]) -> Option<Dom> {
        let [a0, a1] = a;
        let [b0, b1] = b;
        if a1 == NONE && b1 == NONE {
            // Two singletons (equal ones were caught by the caller's
            // `a == b`, but the test is cheap).
            return Some(match a0.cmp(&b0) {
                std::cmp::Ordering::Less => Dom::two(a0, b0),
                std::cmp::Ordering::Equal => Dom::one(a0),
                std::cmp::Ordering::Greater => Dom::two(b0, a0),
            });
        }
        // b ⊆ a or a ⊆ b (a padding NONE is "contained" in anything).
        let in_a = |v: u32| v == NONE || v == a0 || v == a1;
        if in_a(b0) && in_a(b1) {
            return Some(Dom(u64::from(a1) << 32 | u64::from(a0)));
        }
        let in_b = |v: u32| v == NONE || v == b0 || v == b1;
        if in_b(a0) && in_b(a1) {
            return Some(Dom(u64::from(b1) << 32 | u64::from(b0)));
        }
        None
    }

    /// The set of sorted distinct `items` if it fits inline.
    #[inline]
    pub(super) fn from_small(items: &[u32]) -> Option<Dom> {
        match *items {
            [] => Some(Dom::EMPTY),
            [i] => Some(Dom::one(i)),
            [i, j] => Some(Dom::two(i, j)),
            _ => None,
        }
    }
}

/// The elements of `d`: an inline set copied into `buf`, an arena set
/// borrowed from `arena`.
#[inline]
pub(super) fn items<'a>(
    arena: &'a [u32],
    sets: &[(u32, u32)],
    d: Dom,
    buf: &'a mut [u32; 2],
) -> &'a [u32] {
    match d.arena_id() {
        Some(k) => {
            let (start, end) = sets[k];
            &arena[start as usize..end as usize]
        }
        None => {
            *buf = d.inline().unwrap_or([NONE; 2]);
            let len = buf.iter().filter(|&&v| v != NONE).count();
            &buf[..len]
        }
    }
}

/// Appends to `out` the sorted union of the sorted sets `a` and `b`.
pub(super) fn merge_into(out: &mut Vec<u32>, a: &[u32], b: &[u32]) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn inline_of(s: &BTreeSet<u32>) -> Dom {
        let v: Vec<u32> = s.iter().copied().collect();
        Dom::from_small(&v).expect("at most two elements")
    }

    /// Every pair of inline sets over `{0, 1, 2, 3}`: `inline_union` is the
    /// set union when it has at most two elements and `None` otherwise
    /// (checked against `BTreeSet`).
    #[test]
    fn inline_union_is_the_set_union_or_none() {
        let small: Vec<BTreeSet<u32>> = (0u32..16)
            .map(|bits| {
                (0..4)
                    .filter(|b| bits >> b & 1 == 1)
                    .collect::<BTreeSet<u32>>()
            })
            .filter(|s| !s.is_empty() && s.len() <= 2)
            .collect();
        for a in &small {
            for b in &small {
                let want: BTreeSet<u32> = a.union(b).copied().collect();
                let (da, db) = (inline_of(a), inline_of(b));
                let got = Dom::inline_union(da.inline().unwrap(), db.inline().unwrap());
                if want.len() <= 2 {
                    assert_eq!(got, Some(inline_of(&want)), "{a:?} ∪ {b:?}");
                } else {
                    assert_eq!(got, None, "{a:?} ∪ {b:?}");
                }
            }
        }
    }

    /// `merge_into` appends exactly the sorted union, whatever the overlap.
    #[test]
    fn merge_into_appends_the_sorted_union() {
        let sets: [&[u32]; 6] = [&[], &[3], &[0, 2, 4], &[1, 2, 3], &[0, 1, 2, 3, 4], &[5, 9]];
        for a in sets {
            for b in sets {
                let mut out = vec![7u32]; // something before the union
                merge_into(&mut out, a, b);
                let want: Vec<u32> = a
                    .iter()
                    .chain(b)
                    .copied()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                assert_eq!(&out[1..], want.as_slice(), "{a:?} ∪ {b:?}");
            }
        }
    }

    /// The encodings do not collide: an inline pair, a singleton, the empty
    /// set and an arena id are told apart.
    #[test]
    fn encodings_are_distinct() {
        assert_eq!(Dom::one(5).inline(), Some([5, NONE]));
        assert_eq!(Dom::two(1, 5).inline(), Some([1, 5]));
        assert_eq!(Dom::EMPTY.inline(), Some([NONE, NONE]));
        assert_eq!(Dom::arena(5).inline(), None);
        assert_eq!(Dom::arena(5).arena_id(), Some(5));
        assert_eq!(Dom::one(5).arena_id(), None);
        let mut buf = [0; 2];
        assert_eq!(items(&[], &[], Dom::two(1, 5), &mut buf), &[1, 5]);
        let mut buf = [0; 2];
        assert_eq!(items(&[], &[], Dom::EMPTY, &mut buf), &[] as &[u32]);
        let mut buf = [0; 2];
        assert_eq!(
            items(&[4, 6, 8, 9], &[(1, 4)], Dom::arena(0), &mut buf),
            &[6, 8, 9]
        );
    }
}
