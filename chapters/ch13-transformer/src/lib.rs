//! Chapter 13: attention and the Transformer — a small GPT from scratch.
//!
//! Self-attention (queries, keys, values, the causal mask, several heads),
//! LayerNorm, residual connections and an MLP with GELU, stacked into a
//! GPT; every backward rule written beside its forward rule and checked by
//! finite differences; trained on chapter 12's names and Shakespeare and
//! sampled, with a key-value cache.

pub mod bpe;
pub mod cli;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod fast;
pub mod figures;
pub mod gpt;
pub mod model;
pub mod ops;
pub mod run;
pub mod sample;
pub mod web;

/// Everything that can stop a command: chapter 12's errors (a corpus, a
/// model file, a figure, a setting, a missing model).
pub use ch12_sequences::Error;

#[cfg(test)]
mod tests;
