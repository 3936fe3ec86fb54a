//! Chapter 9: generalisation — doing well on digits the network has never
//! seen.
//!
//! Covers the validation split and choosing on it; overfitting, seen on
//! 1,000 images; the regularisers (L2 weight decay, dropout, data
//! augmentation with shifts, rotations and elastic distortions); better
//! inputs (mean subtraction, normalisation, PCA, whitening); better starts
//! (the initial weights' scale) and steps (momentum, Adam, schedules);
//! tuning by grid, random and Bayesian search; and an ablation of the
//! refinements on the full MNIST, which gives the chapter's model.
//!
//! The lesson code (`regularise`, `augment`, `inputs`, `init`, `optim`,
//! `tune`) reads like the math; training runs on chapter 7's fast path
//! with chapter 8's optimizer, and the tests show the two agree.

pub mod augment;
pub mod cli;
pub mod diagnose;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
pub mod init;
pub mod inputs;
pub mod optim;
pub mod regularise;
pub mod run;
pub mod train;
pub mod tune;

pub use ch07_minibatches::{Activation, Cost, Gradients, Init, Network};
pub use error::Error;
pub use train::{Method, Record, Settings, train};

#[cfg(test)]
mod tests;
