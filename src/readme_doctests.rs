//! The README's code blocks, compiled and run as doctests.
#![doc = include_str!("../README.md")]
