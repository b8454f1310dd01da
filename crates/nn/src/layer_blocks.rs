//! Per-layer diagonal blocks of a curvature operator: `A_ll`, the rows and
//! columns of layer `l`'s parameters (its `W` and `b`, contiguous in the
//! flat vector), as an operator of its own, with its trace and extreme
//! eigenvalues — without forming the full matrix.

use std::ops::Range;

use faer::{Mat, Side};
use saddle_dual::{Hessian, LinearOperator};

use crate::error::Error;
use crate::mlp::Mlp;

/// The diagonal block `A_ll = P_l A P_lᵀ` of an operator `A` on the
/// parameters `range` (`P_l` the restriction): `apply(v_l)` embeds `v_l`
/// in a full direction that is zero outside the range, applies `A`, and
/// keeps the result's entries in the range. Works for any
/// [`LinearOperator`]: [`HessianOperator`](crate::HessianOperator) (`H_ll`),
/// [`GaussNewtonOperator`](crate::GaussNewtonOperator) (`G_ll`),
/// [`EmpiricalFisher`](crate::EmpiricalFisher).
#[derive(Clone, Debug)]
pub struct LayerBlock<O> {
    op: O,
    range: Range<usize>,
}

/// What [`LayerBlock::summary`] reports about a block.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockSummary {
    /// The block's dimension (number of parameters of the layer).
    pub dim: usize,
    /// `tr A_ll = Σᵢ (A_ll)ᵢᵢ`, exact (from the dense block).
    pub trace: f64,
    /// The smallest eigenvalue of the (symmetrised) block.
    pub min_eigenvalue: f64,
    /// The largest eigenvalue of the (symmetrised) block.
    pub max_eigenvalue: f64,
}

impl<O: LinearOperator> LayerBlock<O> {
    /// The block of `op` on the parameters `range`.
    ///
    /// # Errors
    /// If `range` is empty or reaches past `op.dim()`.
    pub fn new(op: O, range: Range<usize>) -> Result<Self, Error> {
        if range.is_empty() || range.end > op.dim() {
            return Err(Error::invalid(format!(
                "parameter range {range:?} is empty or outside 0..{}",
                op.dim()
            )));
        }
        Ok(LayerBlock { op, range })
    }

    /// The parameters this block covers.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// `V` (block dimension × m, column-major) embedded in the full space.
    fn embed(&self, directions: &[f64]) -> Vec<f64> {
        let (n, d) = (self.op.dim(), self.range.len());
        let mut full = vec![0.0; n * (directions.len() / d)];
        for (src, dst) in directions.chunks_exact(d).zip(full.chunks_exact_mut(n)) {
            dst[self.range.clone()].copy_from_slice(src);
        }
        full
    }

    /// The block's rows of full-space columns.
    fn restrict(&self, full: &[f64]) -> Vec<f64> {
        full.chunks_exact(self.op.dim())
            .flat_map(|c| c[self.range.clone()].iter().copied())
            .collect()
    }
}

impl<O: LinearOperator> LinearOperator for LayerBlock<O> {
    type Error = O::Error;

    fn dim(&self) -> usize {
        self.range.len()
    }

    /// `P_l A P_lᵀ v` (one application of the full operator).
    fn apply(&self, v: &[f64]) -> Result<Vec<f64>, O::Error> {
        if v.len() != self.dim() {
            // The full operator names the wrong length in its own terms.
            return self.op.apply(v);
        }
        let av = self.op.apply(&self.embed(v))?;
        Ok(self.restrict(&av))
    }

    /// `P_l A P_lᵀ V`, through the full operator's `apply_columns`.
    fn apply_columns(&self, directions: &[f64]) -> Result<Vec<f64>, O::Error> {
        let d = self.dim();
        if directions.is_empty() || directions.len() % d != 0 {
            return self.op.apply_columns(directions);
        }
        let av = self.op.apply_columns(&self.embed(directions))?;
        Ok(self.restrict(&av))
    }
}

impl<O: LinearOperator<Error = Error>> LayerBlock<O> {
    /// Trace and extreme eigenvalues of the block, from its dense form
    /// (`dim` operator columns, [`LinearOperator::to_dense`]) and a
    /// symmetric eigendecomposition (faer) of `(A_ll + A_llᵀ)/2`. Exact up
    /// to rounding; the cost is `dim` products with the full operator plus
    /// `O(dim³)`, so it suits layers of up to a few thousand parameters
    /// (for larger ones use Lanczos on the block operator).
    ///
    /// # Errors
    /// If the operator fails, or the eigendecomposition does not converge
    /// or meets a non-finite entry.
    pub fn summary(&self) -> Result<BlockSummary, Error> {
        let dense = self.to_dense()?;
        let values = symmetric_eigenvalues(&dense)?;
        let d = dense.n();
        Ok(BlockSummary {
            dim: d,
            trace: (0..d).map(|i| dense.get(i, i)).sum(),
            min_eigenvalue: values.iter().copied().fold(f64::INFINITY, f64::min),
            max_eigenvalue: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

impl Mlp {
    /// The diagonal block of `op` for layer `l`'s parameters (`W⁽ˡ⁾` and
    /// `b⁽ˡ⁾` together, `l` from 0).
    ///
    /// # Errors
    /// If there is no layer `l`, or `op`'s dimension is not the number of
    /// parameters.
    pub fn layer_block<O: LinearOperator>(&self, op: O, l: usize) -> Result<LayerBlock<O>, Error> {
        if op.dim() != self.num_params() {
            return Err(Error::invalid(format!(
                "the operator has dimension {} but the network has {} parameters",
                op.dim(),
                self.num_params()
            )));
        }
        let (w, b) = self.try_layer_ranges(l)?;
        LayerBlock::new(op, w.start..b.end)
    }

    /// [`LayerBlock::summary`] for every layer's block of `op`, in layer
    /// order: traces and extreme eigenvalues of `A_11, …, A_LL`.
    ///
    /// # Errors
    /// As [`Mlp::layer_block`] and [`LayerBlock::summary`].
    pub fn layer_summaries<O: LinearOperator<Error = Error>>(
        &self,
        op: &O,
    ) -> Result<Vec<BlockSummary>, Error> {
        (0..self.num_layers())
            .map(|l| self.layer_block(op, l)?.summary())
            .collect()
    }
}

/// The eigenvalues of `(A + Aᵀ)/2` (faer's self-adjoint solver).
fn symmetric_eigenvalues(a: &Hessian) -> Result<Vec<f64>, Error> {
    let n = a.n();
    if let Some(k) = a.as_column_major().iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(format!(
            "entry ({}, {}) of the block is {}: cannot take eigenvalues",
            k % n,
            k / n,
            a.as_column_major()[k]
        )));
    }
    let _clean = AvxClean;
    let m = Mat::<f64>::from_fn(n, n, |i, j| 0.5 * (a.get(i, j) + a.get(j, i)));
    m.self_adjoint_eigenvalues(Side::Lower).map_err(|e| {
        Error::invalid(format!(
            "symmetric eigendecomposition of a {n}×{n} block failed: {e:?}"
        ))
    })
}

/// Executes `vzeroupper` when dropped (x86-64 with AVX; a no-op elsewhere).
/// faer's AVX kernels can return with the upper register halves dirty,
/// which slows the caller's baseline-SSE code many-fold until cleared
/// (the same guard as saddle-curvature's, measured there).
struct AvxClean;

impl Drop for AvxClean {
    #[inline]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: `vzeroupper` needs only AVX, detected at run time.
                // At a drop point (a statement boundary) the compiler, which
                // builds this function without AVX, keeps at most the low
                // 128 bits of the vector registers live; those are preserved.
                unsafe { std::arch::x86_64::_mm256_zeroupper() }
            }
        }
    }
}
