//! Helpers shared by the examples: where figures go, and how they are drawn.
//!
//! - [`svg`]: a minimal SVG writer and the Okabe–Ito colour-blind-safe palette;
//! - [`axis`]: linear, log and symmetric-log scales with round ticks;
//! - [`plot`]: line, scatter and area charts with the legend outside the data;
//! - [`heatmap`]: colour images of matrices and grids, colour bars, contours;
//! - [`net`]: the examples' default network and data, progress bars;
//! - [`figures`]: the figures the examples draw, as functions of plain data
//!   (so `tests/figures.rs` can draw each one cheaply and check it).

#![allow(dead_code)]

pub mod axis;
pub mod figures;
pub mod heatmap;
pub mod net;
pub mod plot;
pub mod svg;

use std::path::{Path, PathBuf};

/// The folder for an example's figures: `--out DIR` if given on the
/// command line, else `target/saddle-examples/<name>`. Created if missing.
///
/// # Panics
/// If `--out` has no value or the folder cannot be created (an example's
/// `main` has nothing better to do than stop with the message).
pub fn output_dir(name: &str) -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    let dir = match args.iter().position(|a| a == "--out") {
        Some(i) => PathBuf::from(
            args.get(i + 1)
                .unwrap_or_else(|| panic!("--out needs a folder: --out DIR")),
        ),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("saddle-examples")
            .join(name),
    };
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}
