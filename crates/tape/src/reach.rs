//! Which slots of a recording depend on a chosen set of variables: what a
//! reverse sweep asked for only some gradients may skip.
//!
//! The adjoint of a variable `x` is a sum over the paths from the output
//! back to `x` of the products of the local partials along them
//! (`x̄ = Σ_paths Π ∂s/∂p`). Every slot on such a path depends on `x`. So if
//! only the adjoints of a set `W` of variables are wanted, an operation
//! none of whose inputs depends on a member of `W` contributes to no wanted
//! adjoint, and the sweep can skip it; an operation that does still skips
//! the inputs that do not (its rule is told they are not needed, as for
//! constants).
//!
//! One forward pass marks the slots: a wanted variable is marked; a scalar
//! node is marked if a parent is; a block operation's outputs are all
//! marked if any entry of any of its inputs is (block operations are taken
//! whole). Time `O(L)` for `L` slots, plus the block inputs read once each.
//!
//! A block operation whose [`inputs`](crate::BlockOp::inputs) name slots at
//! or after its own is malformed: the pass panics, naming it.

use crate::recording::{Recording, Segment};
use crate::scalar::Scalar;

/// `reach[s]` for every slot `s ≤ out`: true if slot `s` depends on one of
/// the slots `wanted` (or is one of them).
pub(crate) fn reach<T: Scalar>(
    rec: &Recording<T>,
    wanted: impl IntoIterator<Item = usize>,
    out: usize,
) -> Vec<bool> {
    let mut reach = vec![false; out + 1];
    for s in wanted {
        if s <= out {
            reach[s] = true;
        }
    }
    for seg in rec.segments() {
        match seg {
            Segment::Nodes { slots, nodes } => {
                if slots.start > out {
                    break;
                }
                let hi = slots.end.min(out + 1);
                for (s, node) in (slots.start..hi).zip(nodes) {
                    let [p, q] = node.parent_slots();
                    // A leaf names itself: it keeps its own mark.
                    if p != s {
                        reach[s] |= reach[p] | reach[q];
                    }
                }
            }
            Segment::Block(entry) => {
                let range = entry.slots();
                if range.start > out {
                    break;
                }
                let depends = entry.op().inputs().into_iter().any(|r| {
                    assert!(
                        r.start <= r.end && r.end <= range.start,
                        "block operation '{}' at slot {} names inputs {r:?}: an operation reads only slots recorded before it",
                        entry.op().name(),
                        range.start
                    );
                    reach[r].contains(&true)
                });
                if depends {
                    reach[range.start..range.end.min(out + 1)].fill(true);
                }
            }
        }
    }
    reach
}
