//! Hessian sparsity detection from a recording.
//!
//! `Hᵢⱼ` can be nonzero only if some operation on the path to the output
//! is nonlinear in quantities that depend on `xᵢ` and `xⱼ`. Walking the
//! tape, each node's *index domain* `D(v)` (the inputs it depends on) is
//! found by a backwards search, and every operation the output depends on
//! contributes its *nonlinear interactions*:
//!
//! - linear (`a ± b`, `−a`, `c·a`): none;
//! - bilinear (`a·b`): `D(a) × D(b)` and `D(b) × D(a)`;
//! - nonlinear (`sin a`, `a/b`, any block operation not declared linear):
//!   `(D(a) ∪ D(b))²`.
//!
//! The result is a structural pattern: a superset of the entries that can be
//! nonzero at any point (a value that happens to be zero stays in it).

use std::collections::HashMap;
use std::ops::Range;

use crate::scalar::Scalar;
use crate::tape::{Kind, Recording, Tape};
use crate::var::Var;

/// The structural sparsity pattern of a Hessian: for each column `j`, the
/// rows `i` where `Hᵢⱼ` may be nonzero (sorted). Symmetric by construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HessianPattern {
    n: usize,
    col_ptr: Vec<usize>,
    rows: Vec<usize>,
}

impl HessianPattern {
    /// Number of inputs (the Hessian is `n × n`).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of structurally nonzero entries.
    pub fn nnz(&self) -> usize {
        self.rows.len()
    }

    /// The rows where column `j` may be nonzero, sorted.
    pub fn column(&self, j: usize) -> &[usize] {
        &self.rows[self.col_ptr[j]..self.col_ptr[j + 1]]
    }

    /// Builds a symmetric pattern from `(i, j)` pairs (both orders are added).
    pub fn from_pairs(n: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut cols: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, j) in pairs {
            assert!(
                i < n && j < n,
                "HessianPattern: entry ({i}, {j}) outside {n}×{n}"
            );
            cols[j].push(i);
            cols[i].push(j);
        }
        let mut col_ptr = Vec::with_capacity(n + 1);
        let mut rows = Vec::new();
        col_ptr.push(0);
        for mut c in cols {
            c.sort_unstable();
            c.dedup();
            rows.extend(c);
            col_ptr.push(rows.len());
        }
        HessianPattern { n, col_ptr, rows }
    }
}

/// A node's predecessors: the parents of a scalar node, or the input ranges
/// of the block that owns a slot.
struct Graph<'a, T: Scalar> {
    rec: &'a Recording<T>,
    /// For each slot: `Ok(node index)` for scalar slots, `Err(block index)`.
    owner: Vec<Result<u32, u32>>,
    /// Each block's input slot ranges, asked of its operation once.
    block_inputs: Vec<Vec<Range<usize>>>,
}

impl<'a, T: Scalar> Graph<'a, T> {
    fn new(rec: &'a Recording<T>) -> Self {
        let mut owner = Vec::with_capacity(rec.len());
        let mut blocks = rec.blocks.iter().enumerate().peekable();
        let mut node = 0u32;
        while owner.len() < rec.len() {
            let slot = owner.len();
            if let Some((b, entry)) = blocks.next_if(|(_, e)| e.start as usize == slot) {
                owner.extend(std::iter::repeat_n(Err(b as u32), entry.len as usize));
            } else {
                owner.push(Ok(node));
                node += 1;
            }
        }
        let block_inputs = rec.blocks.iter().map(|b| b.op.inputs()).collect();
        Graph {
            rec,
            owner,
            block_inputs,
        }
    }

    /// Calls `visit` with every predecessor slot of `slot`.
    fn predecessors(&self, slot: usize, mut visit: impl FnMut(usize)) {
        match self.owner[slot] {
            Ok(node) => {
                let [p, q] = self.rec.nodes[node as usize].parent_slots();
                if p != slot {
                    visit(p);
                    if q != p {
                        visit(q);
                    }
                }
            }
            Err(block) => {
                for r in &self.block_inputs[block as usize] {
                    r.clone().for_each(&mut visit);
                }
            }
        }
    }
}

impl<T: Scalar> Tape<T> {
    /// The structural sparsity pattern of `∇²output` with respect to
    /// `inputs` (see the module doc for the rules).
    ///
    /// # Panics
    /// If `output` or an input lives on another tape.
    pub fn hessian_pattern(&self, inputs: &[Var<'_, T>], output: Var<'_, T>) -> HessianPattern {
        let n = inputs.len();
        let input_of: HashMap<usize, usize> = inputs
            .iter()
            .enumerate()
            .filter_map(|(j, x)| x.slot_on(self).map(|s| (s, j)))
            .collect();
        let Some(out) = output.slot_on(self) else {
            return HessianPattern::from_pairs(n, []);
        };
        self.read(|rec| {
            let graph = Graph::new(rec);
            // Which slots the output depends on (only they can contribute).
            let mut live = vec![false; out + 1];
            live[out] = true;
            for s in (0..=out).rev() {
                if live[s] {
                    graph.predecessors(s, |p| live[p] = true);
                }
            }
            let mut stamp = vec![0u32; rec.len()];
            let mut epoch = 0u32;
            let mut domain = |from: &[usize]| -> Vec<usize> {
                epoch += 1;
                let mut found = Vec::new();
                let mut stack: Vec<usize> = from.to_vec();
                while let Some(s) = stack.pop() {
                    if stamp[s] == epoch {
                        continue;
                    }
                    stamp[s] = epoch;
                    if let Some(&j) = input_of.get(&s) {
                        found.push(j);
                    }
                    graph.predecessors(s, |p| stack.push(p));
                }
                found
            };
            let mut pairs = Vec::new();
            let square = |d: &[usize], pairs: &mut Vec<(usize, usize)>| {
                for &i in d {
                    pairs.extend(d.iter().map(|&j| (i, j)));
                }
            };
            for (b, entry) in rec.blocks.iter().enumerate() {
                let start = entry.start as usize;
                if start > out
                    || !live[start..(start + entry.len as usize).min(out + 1)]
                        .iter()
                        .any(|&l| l)
                {
                    continue;
                }
                if !entry.op.is_linear() {
                    let from: Vec<usize> =
                        graph.block_inputs[b].iter().cloned().flatten().collect();
                    square(&domain(&from), &mut pairs);
                }
            }
            for (s, &is_live) in live.iter().enumerate() {
                let Ok(node) = graph.owner[s] else { continue };
                if !is_live {
                    continue;
                }
                let node = &rec.nodes[node as usize];
                let [p, q] = node.parent_slots();
                if p == s {
                    continue;
                }
                match node.kind() {
                    Kind::Linear => {}
                    Kind::Bilinear => {
                        let (dp, dq) = (domain(&[p]), domain(&[q]));
                        for &i in &dp {
                            pairs.extend(dq.iter().map(|&j| (i, j)));
                        }
                    }
                    Kind::Nonlinear => square(&domain(&[p, q]), &mut pairs),
                }
            }
            HessianPattern::from_pairs(n, pairs)
        })
    }
}
