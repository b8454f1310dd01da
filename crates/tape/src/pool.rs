//! Buffers kept per thread between sweeps, so that repeated gradients do
//! not hand memory back to the operating system and fault it in again.
//!
//! Why: a reverse sweep allocates its adjoint vector (one entry per slot,
//! hundreds of KiB for a small MLP on a batch), and block rules allocate
//! buffers of a layer's size. glibc serves blocks that large from fresh
//! pages and returns them when they are freed, so a loop of gradients
//! page-faulted every one of them in again on every step: measured on the
//! W5 gradient, 244 faults a call and more than half its time on a loaded
//! machine. Buffers given back here are reused by the next [`take`] on the
//! same thread instead.
//!
//! The pool is bounded: it keeps at most [`MAX_BUFFERS`] buffers per thread
//! and [`MAX_BYTES`] in all, the most recently given back first; anything
//! else is freed as usual. Buffers are matched by element type, so any
//! `T: 'static` can use it. What it holds counts in
//! [`Tape::cached_memory`](crate::Tape::cached_memory), and
//! [`Tape::release_cached_memory`](crate::Tape::release_cached_memory) (or
//! [`release`]) frees it.
//!
//! ```
//! use saddle_tape::pool;
//!
//! let mut buf: Vec<f64> = pool::take(100_000);
//! assert!(buf.is_empty() && buf.capacity() >= 100_000);
//! buf.resize(100_000, 0.0);
//! pool::give(buf); // the next `take` on this thread reuses it
//! ```

use std::any::Any;
use std::cell::RefCell;

use crate::scalar::Scalar;

/// The most buffers one thread keeps. An MLP's layer-by-layer Hessian-
/// vector product holds five buffers a layer for its real parts and seven
/// for the tangents, about thirty for three layers: with room for fewer,
/// every call evicted (freed) some and faulted fresh ones in.
pub const MAX_BUFFERS: usize = 64;
/// The most bytes one thread keeps, over all its buffers (1 GiB, the limit
/// of the tape-storage cache).
pub const MAX_BYTES: usize = 1 << 30;

/// One kept buffer: a `Vec<T>` for some `T`, and its size in bytes.
struct Kept {
    bytes: usize,
    vec: Box<dyn Any>,
}

thread_local! {
    static POOL: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// An empty `Vec<T>` with room for at least `capacity` elements: the
/// smallest kept buffer of type `T` that is large enough but not wastefully
/// so (at most four times the request, or 64 KiB), else the largest kept
/// one that is too small (grown), else a new allocation. The bound keeps a
/// small request from carrying off, say, a big batch's adjoint vector,
/// which would then be neither reused nor counted.
///
/// # Panics
/// As [`Vec::with_capacity`]: if `capacity` elements of `T` exceed
/// `isize::MAX` bytes (the request itself is impossible).
pub fn take<T: 'static>(capacity: usize) -> Vec<T> {
    let mut v = take_kept(capacity);
    v.clear();
    v.reserve(capacity);
    v
}

/// The buffer [`take`] chooses, with the entries it held when it was given
/// back (or a new empty one).
pub(crate) fn take_kept<T: 'static>(capacity: usize) -> Vec<T> {
    let size = std::mem::size_of::<T>().max(1);
    let most = capacity.saturating_mul(4).max((64 << 10) / size);
    let found = POOL
        .try_with(|pool| {
            let mut pool = pool.try_borrow_mut().ok()?;
            // (index, capacity) of the kept buffers of type `T`; no
            // allocation here, `take` runs once per layer and sweep.
            let kept = || {
                pool.iter()
                    .enumerate()
                    .filter_map(|(i, k)| k.vec.downcast_ref::<Vec<T>>().map(|v| (i, v.capacity())))
            };
            let fits = kept()
                .filter(|&(_, c)| c >= capacity && c <= most)
                .min_by_key(|&(_, c)| c);
            let grows = || {
                kept()
                    .filter(|&(_, c)| c < capacity)
                    .max_by_key(|&(_, c)| c)
            };
            let (i, _) = fits.or_else(grows)?;
            // `remove`, not `swap_remove`: the order is the eviction order.
            pool.remove(i).vec.downcast::<Vec<T>>().ok().map(|b| *b)
        })
        .ok()
        .flatten();
    found.unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// `len` zeros, in a kept buffer of this thread if one fits (as
/// [`take`]): the buffer's old entries are overwritten by
/// [`Scalar::fill_zero`] (a `memset` for `f64` and its duals) rather than
/// cleared and pushed again one by one.
///
/// # Panics
/// As [`take`]: if `len` elements of `T` exceed `isize::MAX` bytes.
pub fn take_zeroed<T: Scalar>(len: usize) -> Vec<T> {
    let mut v: Vec<T> = take_kept(len);
    v.truncate(len);
    T::fill_zero(&mut v);
    v.resize(len, T::zero());
    v
}

/// Hands `v` back for reuse by a later [`take`] on this thread. Entries
/// of a type without drop glue (numbers) are kept until then, for
/// [`take_zeroed`] to overwrite in place; others are dropped here. Freed instead if it holds no memory or more than
/// [`MAX_BYTES`]; when the pool is full, its oldest buffers are freed to
/// make room.
pub fn give<T: 'static>(mut v: Vec<T>) {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    if bytes == 0 || bytes > MAX_BYTES {
        return;
    }
    // Entries that own something (an `Rc`, a row `Vec`) are dropped now:
    // kept, they would hold memory the pool neither counts nor bounds.
    // Plain numbers stay for `take_zeroed` to overwrite.
    if std::mem::needs_drop::<T>() {
        v.clear();
    }
    let _ = POOL.try_with(|pool| {
        let Ok(mut pool) = pool.try_borrow_mut() else {
            return;
        };
        // Oldest out first: buffers of a type no longer asked for (an HVP
        // loop after a gradient loop) must not keep the newer ones out.
        let mut held: usize = pool.iter().map(|k| k.bytes).sum();
        while !pool.is_empty() && (pool.len() >= MAX_BUFFERS || held + bytes > MAX_BYTES) {
            held -= pool.remove(0).bytes;
        }
        pool.push(Kept {
            bytes,
            vec: Box::new(v),
        });
    });
}

/// Bytes of capacity this thread's pool holds.
pub fn held_bytes() -> usize {
    POOL.try_with(|pool| {
        pool.try_borrow()
            .map_or(0, |p| p.iter().map(|k| k.bytes).sum())
    })
    .unwrap_or(0)
}

/// Frees every buffer this thread's pool holds.
pub fn release() {
    let _ = POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut() {
            pool.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: usize = 1 << 15; // f64 entries

    /// A given-back buffer is what the next `take` of its type returns.
    #[test]
    fn a_given_buffer_is_reused_by_the_next_take() {
        let v: Vec<f64> = take(BIG);
        let ptr = v.as_ptr();
        give(v);
        let again: Vec<f64> = take(BIG / 2);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty());
    }

    /// Buffers are matched by element type: a `Vec<u8>` is never handed
    /// out as a `Vec<f64>`.
    #[test]
    fn buffers_are_matched_by_type() {
        give(Vec::<u8>::with_capacity(1 << 15));
        let v: Vec<f64> = take(10);
        assert_eq!(
            v.capacity(),
            10,
            "an f64 request must not get the u8 buffer"
        );
        let w: Vec<u8> = take(10);
        assert!(w.capacity() >= 1 << 15);
    }

    /// Empty buffers are not kept, the pool never holds more than
    /// `MAX_BUFFERS` buffers, and when full it frees the oldest: a newly
    /// given buffer of another type still gets in. `release` empties it.
    #[test]
    fn the_pool_is_bounded_and_evicts_the_oldest() {
        give(Vec::<u16>::new());
        assert_eq!(held_bytes(), 0);
        for _ in 0..MAX_BUFFERS + 4 {
            give(Vec::<u32>::with_capacity(1000));
        }
        assert_eq!(POOL.with(|p| p.borrow().len()), MAX_BUFFERS);
        assert_eq!(held_bytes(), MAX_BUFFERS * 4000);
        let v: Vec<f32> = Vec::with_capacity(10);
        let ptr = v.as_ptr();
        give(v);
        let newest: Vec<f32> = take(1);
        assert_eq!(newest.as_ptr(), ptr, "the newest buffer was not kept");
        release();
        assert_eq!(held_bytes(), 0);
    }

    /// A small request does not carry off a much larger buffer: it stays
    /// in the pool, counted, for a request of its size.
    #[test]
    fn a_small_request_leaves_a_big_buffer_in_the_pool() {
        let big: Vec<f64> = Vec::with_capacity(1 << 22);
        let ptr = big.as_ptr();
        give(big);
        let small: Vec<f64> = take(10);
        assert!(small.capacity() < 1 << 22);
        assert_eq!(held_bytes(), 8 << 22);
        let again: Vec<f64> = take(1 << 21);
        assert_eq!(again.as_ptr(), ptr);
    }

    /// `take_zeroed` reuses a given-back buffer and overwrites what it
    /// held: a buffer of NaN comes back as exact zeros, shorter, equal and
    /// longer than before, and `take` still hands it out empty.
    #[test]
    fn take_zeroed_overwrites_old_entries() {
        for len in [0, 7, BIG / 2, BIG, 2 * BIG] {
            let old = vec![f64::NAN; BIG];
            let ptr = old.as_ptr();
            give(old);
            let v: Vec<f64> = take_zeroed(len);
            assert_eq!(v.len(), len);
            assert!(v.iter().all(|&x| x == 0.0 && x.is_sign_positive()));
            // (A small request leaves the big buffer alone; see `take`.)
            if (BIG / 2..=BIG).contains(&len) {
                assert_eq!(v.as_ptr(), ptr, "len {len}: the kept buffer is reused");
            }
            give(v);
            let empty: Vec<f64> = take(1);
            assert!(empty.is_empty());
            release();
        }
    }

    /// A request larger than every kept buffer grows the largest one.
    #[test]
    fn a_larger_request_gets_room() {
        give(Vec::<i64>::with_capacity(BIG));
        let v: Vec<i64> = take(4 * BIG);
        assert!(v.capacity() >= 4 * BIG);
    }
}
