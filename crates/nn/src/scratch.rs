//! Layer buffers for the plain `f64` forward pass, kept per thread between
//! calls.
//!
//! Why: one W2-medium layer (256 samples × 64 units) is 128 KiB, glibc's
//! threshold for handing freed memory back to the operating system. A
//! buffer freed at the end of one loss evaluation was returned, and the
//! next evaluation page-faulted it in again: 32 faults a call, about a
//! sixth of the plain loss's time. The two buffers of the forward pass
//! (the layer's input and its output) are therefore kept per thread.
//! Buffers that grew past [`RETAIN_MAX`] entries are freed as usual, so a
//! thread never keeps more than `2 · RETAIN_MAX` entries (16 MiB).

use std::cell::Cell;

/// The largest buffer (in `f64` entries, 8 MiB) kept between calls. Past
/// it a layer's own work dwarfs the cost of faulting its memory in.
const RETAIN_MAX: usize = 1 << 20;

thread_local! {
    static BUFFERS: Cell<[Vec<f64>; 2]> = const { Cell::new([Vec::new(), Vec::new()]) };
}

/// Runs `f` on this thread's two buffers (contents unspecified: `f` must
/// clear or overwrite them), then keeps them for the next call. A call made
/// from inside `f`, or during the thread's teardown, finds no buffers and
/// gets two empty ones; if `f` panics the buffers are simply dropped.
pub(crate) fn with_buffers<R>(f: impl FnOnce(&mut [Vec<f64>; 2]) -> R) -> R {
    let mut buffers = BUFFERS.try_with(Cell::take).unwrap_or_default();
    let result = f(&mut buffers);
    for b in &mut buffers {
        if b.capacity() > RETAIN_MAX {
            *b = Vec::new();
        }
    }
    // During teardown there is nowhere to keep them: dropped here.
    let _ = BUFFERS.try_with(|cell| cell.set(buffers));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buffers come back for the next call on the same thread, and a
    /// nested call gets fresh ones instead of aliasing them.
    #[test]
    fn buffers_are_kept_and_never_shared_by_nested_calls() {
        let first = with_buffers(|[a, _]| {
            a.clear();
            a.extend_from_slice(&[1.0; 100]);
            let nested = with_buffers(|[b, _]| b.capacity());
            assert_eq!(nested, 0, "a nested call must not see the outer buffers");
            a.as_ptr() as usize
        });
        let again = with_buffers(|[a, _]| (a.as_ptr() as usize, a.capacity()));
        assert_eq!(again.0, first, "the buffer was not kept");
        assert!(again.1 >= 100);
    }

    /// A buffer that grew past the limit is freed, not kept.
    #[test]
    fn oversized_buffers_are_freed() {
        with_buffers(|[a, _]| a.resize(RETAIN_MAX + 1, 0.0));
        assert_eq!(with_buffers(|[a, _]| a.capacity()), 0);
    }
}
