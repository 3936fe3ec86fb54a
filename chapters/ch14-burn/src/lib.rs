//! Chapter 14: where next — chapter 8's network on a real engine (Burn),
//! and how training grows past one machine.
//!
//! Covers chapter 8's MLP written as a Burn module; chapter 8's model file
//! loaded by Burn's own safetensors store, with the same answers on all
//! 10,000 test images; Burn's autodiff gradients against chapter 7's
//! backprop; chapter 8's recipe trained by Burn beside chapter 8's code;
//! chapter 13's GPT read by Burn from chapter 13's file, with the same
//! logits and gradients; data parallelism by hand (threads and an
//! all-reduce) and by Burn (one model copy per device, gradients summed
//! by the optimizer).
//!
//! A workspace of its own (Burn takes minutes to build): run it with
//! `cargo run --release` from `chapters/ch14-burn`.

pub mod cli;
pub mod compare;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod figures;
pub mod gpt;
pub mod gpt_train;
pub mod model;
pub mod multinode;
pub mod parallel;
pub mod run;
pub mod train;

pub use error::Error;

/// The Burn release this chapter is written against (pinned in
/// `Cargo.toml`; Burn's API changes between releases).
pub const BURN_VERSION: &str = "0.22.0";
