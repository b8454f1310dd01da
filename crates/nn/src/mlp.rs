//! The multilayer perceptron: layers `z = a W + b`, `a = f(z)`.

use std::ops::Range;
use std::sync::Mutex;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use saddle_dual::{hessian_with_progress, Gradient, Hessian, HessianOptions, Hvp, LANES};
use saddle_tape::{pool, Block, Scalar, Tape, Var};

use crate::activation::Activation;
use crate::activations::Activations;
use crate::data::Dataset;
use crate::dense::affine_into;
use crate::dense::dense;
use crate::error::Error;
use crate::loss::{Loss, Mse};
use crate::matrix::Matrix;

/// How to initialise weights (biases start at zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot/Xavier uniform: `W ~ U(−a, a)`, `a = √(6/(fan_in + fan_out))`
    /// (for tanh and sigmoid layers).
    Xavier,
    /// He normal: `W ~ N(0, 2/fan_in)` (for ReLU layers).
    He,
}

/// A multilayer perceptron in the row-vector convention of the theory chapter: for
/// `l = 1..L`, `z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾` and `a⁽ˡ⁾ = fₗ(z⁽ˡ⁾)`, with
/// `a⁽⁰⁾` the input batch (one sample per row) and `W⁽ˡ⁾` of shape
/// `fan_in × fan_out`.
///
/// The parameters are one flat vector, layer by layer: `W⁽ˡ⁾` row-major,
/// then `b⁽ˡ⁾`. Every derivative is with respect to that vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    sizes: Vec<usize>,
    activations: Vec<Activation>,
    params: Vec<f64>,
}

/// One layer's values in a forward pass (docs/theory.md §1).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerTrace {
    /// `z = a_prev W + b`.
    pub z: Matrix,
    /// `a = f(z)`.
    pub a: Matrix,
}

impl Mlp {
    /// A network with layer sizes `sizes` (`[d_in, h₁, …, d_out]`) and
    /// the given [`Activations`] (hidden/output pair or one per layer),
    /// initialised with `init` from `seed` (reproducible).
    ///
    /// ```
    /// use saddle_nn::{Activation, Activations, Init, Mlp};
    /// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    /// let net = Mlp::new(&[2, 8, 1], act, Init::Xavier, 7)?;
    /// assert_eq!(net.num_params(), 2 * 8 + 8 + 8 * 1 + 1);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If there are fewer than two sizes, a size is zero, or per-layer
    /// activations do not number one per layer.
    pub fn new(
        sizes: &[usize],
        activations: impl Into<Activations>,
        init: Init,
        seed: u64,
    ) -> Result<Self, Error> {
        check_sizes(sizes)?;
        let activations = activations.into().for_layers(sizes.len() - 1)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let count = count_params(sizes);
        let mut params = Vec::new();
        params.try_reserve_exact(count).map_err(|e| {
            Error::invalid(format!(
                "cannot allocate {count} parameters for {sizes:?}: {e}"
            ))
        })?;
        for w in sizes.windows(2) {
            let (fan_in, fan_out) = (w[0], w[1]);
            match init {
                Init::Xavier => {
                    let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
                    params.extend((0..fan_in * fan_out).map(|_| rng.random_range(-a..a)));
                }
                Init::He => {
                    let normal = Normal::new(0.0, (2.0 / fan_in as f64).sqrt())
                        .expect("a positive variance");
                    params.extend((0..fan_in * fan_out).map(|_| normal.sample(&mut rng)));
                }
            }
            params.extend(std::iter::repeat_n(0.0, fan_out));
        }
        Ok(Mlp {
            sizes: sizes.to_vec(),
            activations,
            params,
        })
    }

    /// A network with the given [`Activations`] (as [`Mlp::new`]; a
    /// slice of one [`Activation`] per layer converts) and parameters (in
    /// the flat order described on [`Mlp`]).
    ///
    /// ```
    /// use saddle_nn::{Activation, Activations, Mlp};
    /// // [1, 1]: w = 2, b = 0.5, tanh output.
    /// let act = Activations::hidden_output(Activation::Identity, Activation::Tanh);
    /// let a = Mlp::from_params(&[1, 1], act, vec![2.0, 0.5])?;
    /// let b = Mlp::from_params(&[1, 1], [Activation::Tanh], vec![2.0, 0.5])?;
    /// assert_eq!(a, b);
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the sizes are invalid, per-layer activations do not number one
    /// per layer, or `params` has the wrong length or is not finite.
    pub fn from_params(
        sizes: &[usize],
        activations: impl Into<Activations>,
        params: Vec<f64>,
    ) -> Result<Self, Error> {
        check_sizes(sizes)?;
        let activations = activations.into().for_layers(sizes.len() - 1)?;
        let mut net = Mlp {
            sizes: sizes.to_vec(),
            activations,
            params: Vec::new(),
        };
        net.set_params(&params)?;
        Ok(net)
    }

    /// Layer sizes `[d_in, h₁, …, d_out]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Activations, one per layer.
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// Number of layers `L` (weight matrices).
    pub fn num_layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// Number of parameters `Σₗ (fan_in + 1) fan_out`.
    pub fn num_params(&self) -> usize {
        count_params(&self.sizes)
    }

    /// The flat parameter vector.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// Replaces the parameters.
    ///
    /// # Errors
    /// If `params` has the wrong length or a value is not finite.
    pub fn set_params(&mut self, params: &[f64]) -> Result<(), Error> {
        let want = count_params(&self.sizes);
        if params.len() != want {
            return Err(Error::invalid(format!(
                "{} parameters given, the network has {want}",
                params.len()
            )));
        }
        if let Some(k) = params.iter().position(|p| !p.is_finite()) {
            return Err(Error::invalid(format!(
                "parameter {k} is {}: parameters must be finite",
                params[k]
            )));
        }
        self.params = params.to_vec();
        Ok(())
    }

    /// Where layer `l`'s `W` (row-major) and `b` sit in the flat vector
    /// (`l` from 0).
    ///
    /// # Panics
    /// If `l ≥ num_layers()` (an indexing bug, as for slices); the checked
    /// alternative is [`Mlp::try_layer_ranges`].
    pub fn layer_ranges(&self, l: usize) -> (Range<usize>, Range<usize>) {
        self.try_layer_ranges(l)
            .unwrap_or_else(|e| panic!("Mlp::layer_ranges: {e}"))
    }

    /// [`Mlp::layer_ranges`], or an error if there is no layer `l`.
    ///
    /// # Errors
    /// If `l ≥ num_layers()` (the message names both).
    pub fn try_layer_ranges(&self, l: usize) -> Result<(Range<usize>, Range<usize>), Error> {
        if l >= self.num_layers() {
            return Err(Error::invalid(format!(
                "layer {l} does not exist: the network has {} layers (0..{})",
                self.num_layers(),
                self.num_layers()
            )));
        }
        // No overflow: `check_sizes` bounded the total parameter count.
        let off = count_params(&self.sizes[..=l]);
        let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
        Ok((
            off..off + fan_in * fan_out,
            off + fan_in * fan_out..off + (fan_in + 1) * fan_out,
        ))
    }

    fn check_inputs(&self, x: &Matrix) -> Result<(), Error> {
        if x.cols() != self.sizes[0] {
            return Err(Error::invalid(format!(
                "inputs have {} columns but the network takes {}",
                x.cols(),
                self.sizes[0]
            )));
        }
        if let Some((r, c, v)) = x.first_non_finite() {
            return Err(Error::non_finite("inputs", r, c, v));
        }
        Ok(())
    }

    /// Checks that `data` fits the network and `loss` (the loss checks
    /// the targets).
    pub(crate) fn check_data(&self, data: &Dataset, loss: &impl Loss) -> Result<(), Error> {
        if data.is_empty() {
            return Err(Error::invalid(
                "empty dataset: the loss needs at least one sample",
            ));
        }
        self.check_inputs(data.inputs())?;
        let out = *self.sizes.last().expect("sizes checked");
        loss.check_targets(data.targets(), out)
    }

    /// The forward pass on plain `f64` (no tape), keeping every layer's
    /// `z` and `a`.
    ///
    /// # Errors
    /// If `x` has the wrong number of columns or is not finite.
    pub fn forward_trace(&self, x: &Matrix) -> Result<Vec<LayerTrace>, Error> {
        self.check_inputs(x)?;
        let n = x.rows();
        let mut a = x.as_slice().to_vec();
        let mut trace = Vec::with_capacity(self.num_layers());
        for l in 0..self.num_layers() {
            let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let z = affine(&a, n, fan_in, &self.params[wr], &self.params[br], fan_out);
            a = z.clone();
            self.activations[l].apply_with_slopes(&mut a);
            trace.push(LayerTrace {
                z: Matrix::new(n, fan_out, z)?,
                a: Matrix::new(n, fan_out, a.clone())?,
            });
        }
        Ok(trace)
    }

    /// The prediction `a⁽ᴸ⁾` on plain `f64`.
    ///
    /// # Errors
    /// As [`Mlp::forward_trace`].
    pub fn forward(&self, x: &Matrix) -> Result<Matrix, Error> {
        self.check_inputs(x)?;
        let out = *self.sizes.last().expect("sizes checked");
        let a = self.forward_with(x, |a| a.to_vec());
        Matrix::new(x.rows(), out, a)
    }

    /// The forward pass on checked inputs, handing the prediction (row
    /// major, `N × d_out`) to `f`. Only the current layer is kept, activated
    /// in place without slopes, in two buffers from the thread's
    /// [`pool`]: a W2-medium layer is 128 KiB, and when such buffers were
    /// freed after every call, glibc returned them to the system and the
    /// next call page-faulted them in again (32 faults, a sixth of the
    /// plain loss's time).
    fn forward_with<R>(&self, x: &Matrix, f: impl FnOnce(&[f64]) -> R) -> R {
        let n = x.rows();
        let widest = n * self.sizes[1..].iter().copied().max().unwrap_or(0);
        let (mut a, mut z) = (pool::take(widest), pool::take(widest));
        for l in 0..self.num_layers() {
            let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let input = if l == 0 { x.as_slice() } else { &a[..] };
            let (w, b) = (&self.params[wr], &self.params[br]);
            affine_into(input, n, fan_in, w, b, fan_out, &mut z);
            self.activations[l].apply_in_place(&mut z);
            std::mem::swap(&mut a, &mut z);
        }
        let result = f(&a);
        pool::give(a);
        pool::give(z);
        result
    }

    /// The loss `L = mean((a⁽ᴸ⁾ − Y)²)` ([`Mse`]) on plain `f64`.
    ///
    /// # Errors
    /// If the data does not fit the network.
    pub fn loss(&self, data: &Dataset) -> Result<f64, Error> {
        self.check_data(data, &Mse)?;
        let y = data.targets().as_slice();
        Ok(self.forward_with(data.inputs(), |p| {
            p.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len() as f64
        }))
    }

    /// The value of any [`Loss`] `L(a⁽ᴸ⁾, Y)` (recorded on a tape of `f64`).
    ///
    /// # Errors
    /// If the data does not fit the network or the loss.
    pub fn loss_with(&self, data: &Dataset, loss: &impl Loss) -> Result<f64, Error> {
        self.check_data(data, loss)?;
        let tape = Tape::new();
        let p = tape.vars(&self.params);
        Ok(self.loss_on_tape_with(&p, data, loss)?.value())
    }

    /// The forward pass recorded on a tape: the prediction block
    /// `a⁽ᴸ⁾` (`N × d_out`) for inputs `x`, as a function of the parameters
    /// `params` (scalar variables on one tape, in the flat order). Each
    /// layer is one [`dense`](crate::dense) block.
    ///
    /// # Panics
    /// If `params` has the wrong length or does not live on a tape, or `x`
    /// has the wrong number of columns (the fallible methods check first).
    pub fn forward_on_tape<'t, T: Scalar>(
        &self,
        params: &[Var<'t, T>],
        x: &Matrix,
    ) -> Block<'t, T> {
        assert_eq!(
            params.len(),
            self.num_params(),
            "forward_on_tape: wrong number of parameters"
        );
        let tape: &'t Tape<T> = params
            .iter()
            .find_map(|p| p.tape())
            .expect("forward_on_tape: parameters on a tape");
        let shape_error = "forward_on_tape: inputs do not fit the network";
        let mut a = tape
            .constant_block(x.rows(), self.sizes[0], &convert(x))
            .expect(shape_error);
        for l in 0..self.num_layers() {
            let (fan_in, fan_out) = (self.sizes[l], self.sizes[l + 1]);
            let (wr, br) = self.layer_ranges(l);
            let w = tape.stack(fan_in, fan_out, &params[wr]).expect(shape_error);
            let b = tape.stack(1, fan_out, &params[br]).expect(shape_error);
            a = dense(&a, &w, &b, self.activations[l]).expect(shape_error);
        }
        a
    }

    /// The loss recorded on a tape: [`Mlp::forward_on_tape`] then one
    /// [`mse`](crate::mse) block. Generic in the scalar, so every driver of
    /// saddle-dual can differentiate it with respect to `params`.
    ///
    /// # Panics
    /// As [`Mlp::forward_on_tape`], or if the targets do not fit (the
    /// checked form is [`Mlp::loss_on_tape_with`]).
    pub fn loss_on_tape<'t, T: Scalar>(&self, params: &[Var<'t, T>], data: &Dataset) -> Var<'t, T> {
        self.loss_on_tape_with(params, data, &Mse)
            .unwrap_or_else(|e| panic!("loss_on_tape: {e}"))
    }

    /// Any [`Loss`] recorded on a tape: [`Mlp::forward_on_tape`], the
    /// targets as a constant block, then [`Loss::on_tape`].
    ///
    /// # Errors
    /// If the loss rejects the shapes.
    ///
    /// # Panics
    /// As [`Mlp::forward_on_tape`].
    pub fn loss_on_tape_with<'t, T: Scalar>(
        &self,
        params: &[Var<'t, T>],
        data: &Dataset,
        loss: &impl Loss,
    ) -> Result<Var<'t, T>, Error> {
        let prediction = self.forward_on_tape(params, data.inputs());
        let y = data.targets();
        let targets = prediction
            .tape()
            .constant_block(y.rows(), y.cols(), &convert(y))?;
        loss.on_tape(&prediction, &targets)
    }

    /// The MSE `L` and `∇L` with respect to every parameter, by reverse
    /// mode, as a [`Gradient`] (`value` is `L`).
    ///
    /// # Errors
    /// If the data does not fit the network.
    pub fn loss_and_gradient(&self, data: &Dataset) -> Result<Gradient, Error> {
        self.loss_and_gradient_with(data, &Mse)
    }

    /// Any [`Loss`] `L` and `∇L` with respect to every parameter, by
    /// reverse mode, as a [`Gradient`] (`value` is `L`).
    ///
    /// # Errors
    /// If the data does not fit the network or the loss.
    pub fn loss_and_gradient_with(
        &self,
        data: &Dataset,
        loss: &impl Loss,
    ) -> Result<Gradient, Error> {
        self.check_data(data, loss)?;
        let mut tape = Tape::new();
        let (value, gradient, _) = self.gradient_on(&mut tape, data, loss)?;
        Ok(Gradient { value, gradient })
    }

    /// [`Mlp::loss_and_gradient_with`] on a caller's tape (cleared first),
    /// so training reuses one allocation; also the loss's accuracy.
    pub(crate) fn gradient_on(
        &self,
        tape: &mut Tape<f64>,
        data: &Dataset,
        loss: &impl Loss,
    ) -> Result<(f64, Vec<f64>, Option<f64>), Error> {
        tape.clear();
        let tape = &*tape;
        let p = tape.vars(&self.params);
        let prediction = self.forward_on_tape(&p, data.inputs());
        let y = data.targets();
        let targets = tape.constant_block(y.rows(), y.cols(), y.as_slice())?;
        let l = loss.on_tape(&prediction, &targets)?;
        let accuracy = loss.accuracy(
            &Matrix::new(prediction.rows(), prediction.cols(), prediction.values())?,
            y,
        );
        Ok((l.value(), l.backward().wrt_all(&p), accuracy))
    }

    /// Value, gradient and Hessian-vector product `∇²L v` of the MSE, by
    /// forward-over-reverse (one sweep on a tape of duals).
    ///
    /// # Errors
    /// If the data does not fit, or `v` has the wrong length or is not finite.
    pub fn hvp(&self, data: &Dataset, v: &[f64]) -> Result<Hvp, Error> {
        self.hvp_with(data, &Mse, v)
    }

    /// [`Mlp::hvp`] for any [`Loss`].
    ///
    /// # Errors
    /// If the data does not fit the network or the loss, or `v` has the
    /// wrong length or is not finite.
    pub fn hvp_with(&self, data: &Dataset, loss: &impl Loss, v: &[f64]) -> Result<Hvp, Error> {
        self.check_data(data, loss)?;
        if v.len() != self.num_params() {
            return Err(Error::invalid(format!(
                "v has {} entries but the network has {} parameters",
                v.len(),
                self.num_params()
            )));
        }
        let failure = Mutex::new(None);
        let result = saddle_dual::hvp(
            |p| self.recorded_or_kept(p, data, loss, &failure),
            &self.params,
            v,
        );
        take_failure(failure)?;
        Ok(result?)
    }

    /// The loss on a tape; an error is kept in `failure` (the drivers take
    /// closures that return a `Var`) and a constant returned in its place.
    pub(crate) fn recorded_or_kept<'t, T: Scalar>(
        &self,
        p: &[Var<'t, T>],
        data: &Dataset,
        loss: &impl Loss,
        failure: &Mutex<Option<Error>>,
    ) -> Var<'t, T> {
        self.loss_on_tape_with(p, data, loss).unwrap_or_else(|e| {
            let mut slot = failure.lock().unwrap_or_else(|poison| poison.into_inner());
            slot.get_or_insert(e);
            Var::constant(T::zero())
        })
    }

    /// The full Hessian `∇²L` of the MSE with respect to every parameter,
    /// with the given threading (see [`Mlp::hessian_with`] for how).
    ///
    /// # Errors
    /// If the data does not fit the network.
    pub fn hessian(&self, data: &Dataset, options: HessianOptions) -> Result<Hessian, Error> {
        self.hessian_with(data, &Mse, options, &|_| {})
    }

    /// [`Mlp::hessian`], calling `progress(columns)` after every sweep with
    /// the number of columns it finished (for progress bars).
    ///
    /// # Errors
    /// If the data does not fit the network.
    pub fn hessian_with_progress(
        &self,
        data: &Dataset,
        options: HessianOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Hessian, Error> {
        self.hessian_with(data, &Mse, options, progress)
    }

    /// The full Hessian of any [`Loss`] with respect to every parameter
    /// (as [`Mlp::hessian_with_progress`]; pass `&|_| {}` for no progress).
    ///
    /// Column by column by second-order backpropagation through the layers
    /// (docs/theory.md §5): with the forward pass, the slopes
    /// `f'`, `f''`, the loss gradient and the reverse pass computed once,
    /// a unit direction `eⱼ` in layer `l₀` costs a tangent pass through the
    /// layers from `l₀` on, eight directions at a time as single matrix
    /// products, the loss's part `H_z Ȧ` by one 8-lane sweep of the loss
    /// alone (so any [`Loss`] works); only the rows from each column's own
    /// index down are computed, the rest mirrored (exactly symmetric). If a
    /// number on the way is not finite, the columns are swept instead with
    /// [`saddle_dual::hessian_with_progress`] ([`LANES`] per sweep, the loss
    /// recorded on a tape of duals), which gives each entry the `NaN` its
    /// own products give; `progress` then counts the columns a second time.
    /// The two routes agree to rounding (the same products, summed in
    /// another order).
    ///
    /// # Errors
    /// If the data does not fit the network or the loss.
    pub fn hessian_with(
        &self,
        data: &Dataset,
        loss: &impl Loss,
        options: HessianOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Hessian, Error> {
        self.check_data(data, loss)?;
        if let Some(h) = self.hessian_by_layers(data, loss, options, progress)? {
            return Ok(Hessian::from_column_major(self.num_params(), h)?);
        }
        let failure = Mutex::new(None);
        let result = hessian_with_progress::<LANES, _>(
            |p| self.recorded_or_kept(p, data, loss, &failure),
            &self.params,
            options,
            progress,
        );
        take_failure(failure)?;
        Ok(result?)
    }
}

/// The first error a loss reported inside a driver's closure, if any.
pub(crate) fn take_failure(failure: Mutex<Option<Error>>) -> Result<(), Error> {
    match failure
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner())
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A matrix of `f64` as numbers of type `T`.
pub(crate) fn convert<T: Scalar>(m: &Matrix) -> Vec<T> {
    m.as_slice().iter().map(|&v| T::from_f64(v)).collect()
}

/// `z = a W + b` for a batch `a` (`n × fan_in`) on plain numbers, through
/// the gemm hook.
fn affine<T: Scalar>(a: &[T], n: usize, fan_in: usize, w: &[T], b: &[T], fan_out: usize) -> Vec<T> {
    let mut z = Vec::with_capacity(n * fan_out);
    affine_into(a, n, fan_in, w, b, fan_out, &mut z);
    z
}

/// The most parameters a network may have: every parameter is one slot on
/// a tape, and a saddle-tape holds at most 2³⁰ − 1 slots.
pub(crate) const MAX_PARAMS: usize = (1 << 30) - 1;

fn check_sizes(sizes: &[usize]) -> Result<(), Error> {
    if sizes.len() < 2 {
        return Err(Error::invalid(format!(
            "an MLP needs at least an input and an output size, got {sizes:?}"
        )));
    }
    if let Some(l) = sizes.iter().position(|&s| s == 0) {
        return Err(Error::invalid(format!(
            "layer size {l} is zero in {sizes:?}"
        )));
    }
    // Checked: `(fan_in + 1)·fan_out` and the sum wrap in release builds.
    let count = sizes.windows(2).try_fold(0usize, |acc, w| {
        w[0].checked_add(1)
            .and_then(|f| f.checked_mul(w[1]))
            .and_then(|p| acc.checked_add(p))
    });
    match count {
        Some(c) if c <= MAX_PARAMS => Ok(()),
        _ => Err(Error::invalid(format!(
            "sizes {sizes:?} give more than {MAX_PARAMS} parameters (a tape holds at most that many variables)"
        ))),
    }
}

/// `Σₗ (fan_in + 1) fan_out` (sizes checked by `check_sizes`).
fn count_params(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|w| (w[0] + 1) * w[1]).sum()
}
