//! The interactions found so far, and the pattern they make.
//!
//! The pattern is symmetric, so an off-diagonal interaction is kept once,
//! as the pair `(i, j)` with `i < j`, and the diagonal as one flag per
//! input: half the entries of a list holding both orders, and no sorting
//! for the diagonal at all. Pairs are appended to one list, with two cheap
//! filters against repeats: a small direct-mapped cache of the pairs seen
//! last (a long chain in two variables squares the same domain at every
//! step; without it each step would append a copy), and, only when the
//! list has doubled since the last time, a sort and deduplication, so
//! repeats that get past the cache never hold more than twice the
//! pattern's memory. At the end the sorted pairs are laid out column by
//! column in one pass.

use super::HessianPattern;

/// Entries of the cache of recent pairs (a power of two).
const RECENT: usize = 64;
/// A key no pair has (`i < j` means the two halves differ).
const NO_PAIR: u64 = u64::MAX;

/// The diagonal flags and the list of off-diagonal pairs.
pub(super) struct Pairs {
    n: usize,
    /// `diag[i]`: `(i, i)` is in the pattern.
    diag: Vec<bool>,
    /// Pairs `i << 32 | j`, `i < j`, possibly repeated.
    off: Vec<u64>,
    /// Pairs held right after the last deduplication.
    after_dedup: usize,
    /// `recent[hash(key)]`: the last pair appended with that hash.
    recent: [u64; RECENT],
}

impl Pairs {
    pub(super) fn new(n: usize) -> Self {
        Pairs {
            n,
            diag: vec![false; n],
            // A banded or local pattern has about one pair per input: room
            // for that up front instead of growing through small sizes
            // (capped: an analysis that gives up early allocates little).
            off: Vec::with_capacity(n.min(1 << 14)),
            after_dedup: 0,
            recent: [NO_PAIR; RECENT],
        }
    }

    /// Adds `(i, i)`.
    #[inline(always)]
    pub(super) fn diagonal(&mut self, i: u32) {
        self.diag[i as usize] = true;
    }

    /// Adds `(i, j)` and `(j, i)`, `i ≠ j`. Returns the work done: the
    /// elements held by a deduplication that ran, else 0.
    #[inline(always)]
    pub(super) fn pair(&mut self, i: u32, j: u32) -> usize {
        let key = u64::from(i.min(j)) << 32 | u64::from(i.max(j));
        // Fibonacci hashing: the top bits of the product mix all the key's.
        let h =
            (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT.trailing_zeros())) as usize;
        if self.recent[h] == key {
            return 0;
        }
        self.recent[h] = key;
        self.off.push(key);
        if self.off.len() > 2 * self.after_dedup + 4 * self.n + 1024 {
            return self.dedup();
        }
        0
    }

    /// Sorts and deduplicates the pairs; returns how many it went through.
    #[cold]
    fn dedup(&mut self) -> usize {
        let work = self.off.len();
        self.off.sort_unstable();
        self.off.dedup();
        self.after_dedup = self.off.len();
        work
    }

    /// Number of inputs.
    pub(super) fn n(&self) -> usize {
        self.n
    }

    /// The pattern. Column `c` is laid out as: the rows `i < c` of the
    /// pairs `(i, c)`, then `c` if its diagonal is set, then the rows
    /// `k > c` of the pairs `(c, k)`. With the pairs sorted (first index,
    /// then second) one pass in that order writes every column sorted: all
    /// pairs `(i, c)` with `i < c` come before those starting at `c`.
    pub(super) fn finish(mut self) -> HessianPattern {
        let n = self.n;
        self.off.sort_unstable();
        self.off.dedup();
        // col_ptr[c + 1] counts column c, then (prefix sums) is where its
        // next row goes, and after the pass is the end of column c.
        let mut col_ptr = vec![0usize; n + 1];
        for &key in &self.off {
            let (i, j) = split(key);
            col_ptr[i + 1] += 1;
            col_ptr[j + 1] += 1;
        }
        for (c, &d) in self.diag.iter().enumerate() {
            col_ptr[c + 1] += usize::from(d);
        }
        let mut start = 0;
        for p in &mut col_ptr[1..] {
            let len = *p;
            *p = start;
            start += len;
        }
        let mut rows = vec![0usize; start];
        let mut next = self.off.iter().map(|&k| split(k)).peekable();
        for c in 0..n {
            if self.diag[c] {
                rows[col_ptr[c + 1]] = c;
                col_ptr[c + 1] += 1;
            }
            while let Some((i, j)) = next.next_if(|&(i, _)| i == c) {
                rows[col_ptr[j + 1]] = i;
                col_ptr[j + 1] += 1;
                rows[col_ptr[i + 1]] = j;
                col_ptr[i + 1] += 1;
            }
        }
        HessianPattern { n, col_ptr, rows }
    }
}

/// `(i, j)` of a key.
#[inline(always)]
fn split(key: u64) -> (usize, usize) {
    ((key >> 32) as usize, (key & u64::from(u32::MAX)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs in any order and with repeats (more than the cache and the
    /// deduplication threshold hold) make the same pattern as
    /// `HessianPattern::from_pairs` (the independent route: per-column
    /// sort and dedup).
    #[test]
    fn finish_matches_from_pairs_whatever_the_order_and_repeats() {
        let n = 37;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move |m: u64| {
            // xorshift64*: deterministic.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) % m
        };
        let mut pairs = Pairs::new(n);
        let mut want = Vec::new();
        for _ in 0..20_000 {
            let (i, j) = (rand(n as u64) as u32, rand(n as u64) as u32);
            if i == j {
                pairs.diagonal(i);
            } else {
                pairs.pair(i, j);
            }
            want.push((i as usize, j as usize));
        }
        assert!(pairs.after_dedup > 0, "the periodic deduplication ran");
        let want = HessianPattern::from_pairs(n, want).unwrap();
        assert_eq!(pairs.finish(), want);
    }

    #[test]
    fn no_pairs_is_the_empty_pattern() {
        let p = Pairs::new(3).finish();
        assert_eq!(p, HessianPattern::from_pairs(3, []).unwrap());
    }
}
