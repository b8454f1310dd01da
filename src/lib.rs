//! saddle
pub use saddle_tape as tape;
