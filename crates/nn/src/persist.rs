//! Saving and loading a trained [`Mlp`] as JSON (feature `serde`).
//!
//! # The format (`saddle-mlp`, version 1)
//!
//! One JSON object with exactly these fields:
//!
//! ```json
//! {
//!   "format": "saddle-mlp",
//!   "version": 1,
//!   "layers": [2, 8, 1],
//!   "activations": ["tanh", "identity"],
//!   "params": [0.12, -0.5, ...]
//! }
//! ```
//!
//! - `layers`: the sizes `[d_in, h₁, …, d_out]` (at least two, none zero);
//! - `activations`: one lower-case [`Activation::name`] per layer
//!   (`identity`, `relu`, `sigmoid`, `tanh`, `softplus`);
//! - `params`: the flat parameter vector in the order of [`Mlp`]: for each
//!   layer `W` row-major (`fan_in × fan_out`), then `b`; its length is
//!   `Σₗ (fan_in + 1) fan_out`, every value finite.
//!
//! Numbers are written in the shortest decimal form that reads back to the
//! same `f64` and are parsed exactly, so `load(save(net))` has the same
//! parameters bit for bit. Unknown fields are rejected (a misspelt field
//! is an error, not a silent default). A later incompatible change will
//! raise `version`; this build reads version 1 only and says so.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::Error;
use crate::mlp::Mlp;

/// The value of the `format` field.
pub const MLP_FORMAT: &str = "saddle-mlp";
/// The format version this build writes and reads.
pub const MLP_FORMAT_VERSION: u32 = 1;

/// The file's fields, exactly as stored (validated only in [`Mlp::from_json`]).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedMlp {
    format: String,
    version: u32,
    layers: Vec<usize>,
    activations: Vec<String>,
    params: Vec<f64>,
}

impl Mlp {
    /// The network as a `saddle-mlp` version 1 JSON document (the format is
    /// described on [`Mlp::save`]).
    pub fn to_json(&self) -> String {
        // Serialising strings, integers and finite floats cannot fail.
        serde_json::to_string(&self.saved()).expect("a saddle-mlp value always serialises")
    }

    /// Writes [`Mlp::to_json`] to `writer`.
    ///
    /// # Errors
    /// If writing fails (the message carries the I/O error).
    pub fn write_json<W: Write>(&self, mut writer: W) -> Result<(), Error> {
        writer
            .write_all(self.to_json().as_bytes())
            .and_then(|()| writer.flush())
            .map_err(|e| Error::invalid(format!("cannot write the network: {e}")))
    }

    /// Saves the network to `path` as JSON in the stable `saddle-mlp`
    /// format, version 1:
    /// `{"format": "saddle-mlp", "version": 1, "layers": [d_in, …, d_out],
    /// "activations": ["tanh", …], "params": [...]}` with `params` in the
    /// flat order of [`Mlp`] (per layer `W` row-major, then `b`).
    ///
    /// ```
    /// use saddle_nn::{Activation, Activations, Init, Mlp};
    /// let act = Activations::hidden_output(Activation::Tanh, Activation::Identity);
    /// let net = Mlp::new(&[2, 3, 1], act, Init::Xavier, 1)?;
    /// let path = std::env::temp_dir().join("saddle_nn_doc_save.json");
    /// net.save(&path)?;
    /// assert_eq!(Mlp::load(&path)?, net);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), saddle_nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// If the file cannot be created or written (the message names the path).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let file = File::create(path)
            .map_err(|e| Error::invalid(format!("cannot create {}: {e}", path.display())))?;
        self.write_json(BufWriter::new(file))
            .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))
    }

    /// Reads a network saved by [`Mlp::save`] from `path`.
    ///
    /// # Errors
    /// If the file cannot be read or is not a valid `saddle-mlp` file; see
    /// [`Mlp::from_json`] (the message names the path).
    pub fn load(path: impl AsRef<Path>) -> Result<Mlp, Error> {
        let path = path.as_ref();
        let file = File::open(path)
            .map_err(|e| Error::invalid(format!("cannot open {}: {e}", path.display())))?;
        Mlp::read_json(BufReader::new(file))
            .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))
    }

    /// Reads a `saddle-mlp` JSON document from `reader`.
    ///
    /// # Errors
    /// As [`Mlp::from_json`], or if reading fails.
    pub fn read_json<R: Read>(mut reader: R) -> Result<Mlp, Error> {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| Error::invalid(format!("cannot read the network: {e}")))?;
        Mlp::from_json(&text)
    }

    /// Parses and validates a `saddle-mlp` JSON document.
    ///
    /// # Errors
    /// With a message naming what is wrong if the text is not JSON of the
    /// format's shape (missing, mistyped or unknown field, with line and
    /// column), `format` is not `"saddle-mlp"`, `version` is not 1, a
    /// layer size is zero or there are fewer than two, an activation name
    /// is unknown or their number is not the number of layers, or `params`
    /// has the wrong length or a non-finite value.
    pub fn from_json(text: &str) -> Result<Mlp, Error> {
        let saved: SavedMlp = serde_json::from_str(text)
            .map_err(|e| Error::invalid(format!("not a valid saddle-mlp document: {e}")))?;
        saved.validate()
    }

    fn saved(&self) -> SavedMlp {
        SavedMlp {
            format: MLP_FORMAT.to_owned(),
            version: MLP_FORMAT_VERSION,
            layers: self.sizes().to_vec(),
            activations: self
                .activations()
                .iter()
                .map(|a| a.name().to_owned())
                .collect(),
            params: self.params().to_vec(),
        }
    }
}

impl SavedMlp {
    /// Checks every field, in file order, before building the network, so
    /// the first problem is the one reported.
    fn validate(self) -> Result<Mlp, Error> {
        if self.format != MLP_FORMAT {
            return Err(Error::invalid(format!(
                "format is {:?}, expected {MLP_FORMAT:?}",
                self.format
            )));
        }
        if self.version != MLP_FORMAT_VERSION {
            return Err(Error::invalid(format!(
                "saddle-mlp version {} is not supported (this build reads version {MLP_FORMAT_VERSION})",
                self.version
            )));
        }
        if self.layers.len() < 2 {
            return Err(Error::invalid(format!(
                "layers {:?}: need at least an input and an output size",
                self.layers
            )));
        }
        if let Some(k) = self.layers.iter().position(|&s| s == 0) {
            return Err(Error::invalid(format!(
                "layers {:?}: size {k} is zero",
                self.layers
            )));
        }
        let activations = self
            .activations
            .iter()
            .enumerate()
            .map(|(l, name)| {
                Activation::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
                    Error::invalid(format!("activation {l} is {name:?}, not one of {known:?}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let layers = self.layers.len() - 1;
        if activations.len() != layers {
            return Err(Error::invalid(format!(
                "{} activations for {layers} layers {:?}",
                activations.len(),
                self.layers
            )));
        }
        let want = param_count(&self.layers).ok_or_else(|| {
            Error::invalid(format!(
                "layers {:?}: the parameter count overflows usize",
                self.layers
            ))
        })?;
        if self.params.len() != want {
            return Err(Error::invalid(format!(
                "{} params for layers {:?} (expected {want})",
                self.params.len(),
                self.layers
            )));
        }
        // JSON has no NaN or infinity, but a huge literal such as 1e999
        // parses to infinity.
        if let Some(k) = self.params.iter().position(|p| !p.is_finite()) {
            return Err(Error::invalid(format!(
                "param {k} is {}: parameters must be finite",
                self.params[k]
            )));
        }
        Mlp::from_params(&self.layers, &activations, self.params)
    }
}

/// `Σₗ (fan_in + 1) fan_out`, or `None` on overflow (a corrupt file can
/// claim any sizes).
fn param_count(sizes: &[usize]) -> Option<usize> {
    sizes.windows(2).try_fold(0usize, |acc, w| {
        w[0].checked_add(1)?
            .checked_mul(w[1])
            .and_then(|n| acc.checked_add(n))
    })
}
