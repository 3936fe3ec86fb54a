//! Chapter 10: convolutional networks — a filter sliding over the image,
//! pooling, and a network that reads digits by their strokes.
//!
//! Covers the convolution (stride, padding, channels, the output size),
//! as a loop and as one matrix product (im2col); max and average pooling;
//! backprop through both, gradient-checked; the network conv → ReLU →
//! pool → conv → ReLU → pool → fully connected → softmax; and its training
//! on MNIST with chapter 9's refinements, on a fast path of its own.

pub mod cli;
pub mod conv;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod fast;
pub mod figures;
pub mod model;
pub mod net;
pub mod pool;
pub mod run;
pub mod train;

pub use error::Error;
pub use net::{Architecture, Cnn};
pub use train::{Record, Settings, train};

#[cfg(test)]
mod tests;
