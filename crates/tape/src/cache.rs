//! Reusing a dropped tape's memory for the next tape on the same thread.
//!
//! Why: a fresh allocation of hundreds of megabytes comes from the
//! operating system as untouched pages, and the first write to each 4 KiB
//! page is a page fault. Recording 10⁷ scalar nodes on a new tape and
//! sweeping it measured 36 ns a node, against 14 ns on the same tape reused
//! through [`Tape::clear`](crate::Tape::clear) and 11.5 ns at 10⁴ nodes,
//! where the allocator recycles the memory itself: the difference is the
//! kernel's page faults (1.6 s of system time against 0.8 s of user time
//! over a profile), not the copies of a growing vector (a large `Vec`
//! grows in place by remapping). Allocators return large blocks to the
//! system on `free`, so every new large tape paid the faults again.
//!
//! So a dropped tape leaves its cleared [`Recording`] here, one per scalar
//! type per thread, and the next [`Tape::new`](crate::Tape::new) on that
//! thread takes it: memory already mapped, no faults. A recording larger
//! than [`KEEP_AT_MOST`] bytes is freed instead, so the cache holds at most
//! that much per scalar type and thread; [`release`] frees it at once.
//!
//! The adjoint vector of a reverse sweep is recycled through the thread's
//! buffer [`pool`] ([`take_adjoints`]; dropped [`Gradients`] give it
//! back). Small as it is, it paid the faults on every sweep: W1's HVP at n = 1000 allocates 144 kB of `Dual<f64>` adjoints,
//! above the allocator's trim threshold, so each `free` returned the pages
//! to the system (`brk` down) and each sweep faulted them back in, 17 % of
//! the HVP's time.
//!
//! [`Gradients`]: crate::Gradients

use std::any::Any;
use std::cell::RefCell;

use crate::pool;
use crate::recording::Recording;
use crate::scalar::Scalar;

/// The largest recording (bytes of capacity) kept for reuse: 1 GiB, room
/// for about 4·10⁷ `f64` nodes. Larger tapes are rare enough that paying
/// their page faults again is the better trade than holding more memory.
pub(crate) const KEEP_AT_MOST: usize = 1 << 30;

/// A cached recording of some scalar type.
trait Cached {
    /// Bytes of capacity it holds.
    fn bytes(&self) -> usize;
    /// For the downcast back to `Recording<T>`.
    fn as_any(&self) -> &dyn Any;
    /// For the downcast back to `Recording<T>`, by value.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Scalar> Cached for Recording<T> {
    fn bytes(&self) -> usize {
        self.capacity_bytes()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

thread_local! {
    /// At most one cleared recording per scalar type.
    static CACHE: RefCell<Vec<Box<dyn Cached>>> = const { RefCell::new(Vec::new()) };
}

/// `len` zeros, in a buffer from the thread's [`pool`] (the last sweep's,
/// given back when its [`Gradients`] dropped).
pub(crate) fn take_adjoints<T: Scalar>(len: usize) -> Vec<T> {
    pool::take_zeroed(len)
}

/// A cleared recording for a new tape: the cached one of this thread if
/// there is one, else a new empty one.
pub(crate) fn take<T: Scalar>() -> Recording<T> {
    CACHE
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let k = c.iter().position(|r| r.as_any().is::<Recording<T>>())?;
            c.swap_remove(k).into_any().downcast::<Recording<T>>().ok()
        })
        .ok()
        .flatten()
        .map_or_else(|| Recording::with_capacity(0), |r| *r)
}

/// Keeps `rec` (cleared) for the next tape of this thread, replacing a
/// smaller cached one; frees it if it is the smaller or above
/// [`KEEP_AT_MOST`].
pub(crate) fn give<T: Scalar>(mut rec: Recording<T>) {
    let bytes = rec.capacity_bytes();
    if bytes == 0 || bytes > KEEP_AT_MOST {
        return;
    }
    rec.clear();
    // `try_with`: during thread teardown the cache may be gone already;
    // then the recording is simply freed.
    let _ = CACHE.try_with(|c| {
        let Ok(mut c) = c.try_borrow_mut() else {
            return;
        };
        match c.iter_mut().find(|r| r.as_any().is::<Recording<T>>()) {
            Some(slot) if slot.bytes() < bytes => *slot = Box::new(rec),
            Some(_) => {}
            None => c.push(Box::new(rec)),
        }
    });
}

/// Bytes of tape storage (recordings, and the buffer pool with the
/// adjoint vectors) this thread keeps for reuse.
pub(crate) fn held_bytes() -> usize {
    let recordings = CACHE
        .try_with(|c| {
            c.try_borrow()
                .map_or(0, |c| c.iter().map(|r| r.bytes()).sum())
        })
        .unwrap_or(0);
    recordings + pool::held_bytes()
}

/// Frees everything this thread keeps.
pub(crate) fn release() {
    let _ = CACHE.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.clear();
        }
    });
    pool::release();
}
