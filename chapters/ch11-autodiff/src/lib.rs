//! Chapter 11: automatic differentiation — the chain rule applied by the
//! computer.
//!
//! Covers a scalar engine (values that remember how they were made, the
//! computational graph, a topological order, gradients that accumulate);
//! forward mode with dual numbers, and why networks use reverse mode; a
//! tensor engine on ndarray (a tape of matrix operations, each with its
//! backward rule); chapter 3's network recorded on it, its gradients
//! proven equal to chapters 6 and 7's backprop; and chapter 8's network
//! trained on MNIST by it.

pub mod broken;
pub mod check;
pub mod cli;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
pub mod mlp;
pub mod run;
pub mod scalar;
pub mod tensor;

pub use error::Error;

#[cfg(test)]
mod tests;
