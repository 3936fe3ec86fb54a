//! The workspace's toolkit: what every chapter needs but no chapter teaches.
//!
//! - [`Real`]: the float type the network code is generic over (f32, f64).
//! - [`rng`]: seeded random numbers, so every run prints the same numbers.
//! - [`gradcheck`]: the finite-difference gradient checker (chapter 5
//!   explains how it works; every chapter uses it).
//! - [`figures`]: one figure style, SVG output, the 28×28 heat map.
//! - [`files`]: writing files atomically.
//! - [`chapter`]: the command line of chapters 1–7's binaries.
//! - [`runner`]: the command line of the training chapters (8 on): the
//!   `main` wrapper, threads, the shared flags and their parsers.
//! - `idx` and `data` (feature `data`): the IDX file reader, and finding,
//!   downloading and verifying MNIST and Fashion-MNIST.
//! - `testing` (feature `testing`): proptest inputs for gradient
//!   checks, the fixed-seed runner the exercise graders use, and the
//!   check that exercise stubs fail.
//!
//! Nothing here depends on a chapter. The fast path's primitives (the
//! matrix product, threads, SIMD) are a crate of their own beside this
//! one: `shared/fastpath`.

pub mod chapter;
#[cfg(feature = "data")]
pub mod data;
pub mod error;
pub mod figures;
pub mod files;
pub mod gradcheck;
#[cfg(feature = "data")]
pub mod idx;
pub mod metrics;
pub mod plot;
pub mod real;
pub mod rng;
pub mod runner;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::Error;
pub use real::Real;
