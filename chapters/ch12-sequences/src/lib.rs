//! Chapter 12: sequences — a network that reads text and predicts the
//! next character.
//!
//! From counting bigrams to a neural bigram, an MLP over a context of
//! characters (Bengio et al. 2003), a recurrent network trained by
//! backpropagation through time, and a gated cell (the GRU); each trained
//! on first names and on Shakespeare, and sampled.

pub mod bigram;
pub mod cli;
pub mod corpus;
pub mod count;
mod error;
// Your answers, compiled only when they are graded (`cargo exercises`
// turns on `my-answers`): a half-typed answer breaks its own grading and
// nothing else — not this chapter's run, not the later chapters, not
// `cargo test --workspace`.
#[cfg(feature = "my-answers")]
pub mod exercises;
pub mod fast;
pub mod figures;
pub mod gru;
pub mod language;
pub mod lookup;
pub mod mlp;
pub mod model;
pub mod rnn;
pub mod run;
pub mod sample;
pub mod train;

pub use corpus::{BOUNDARY, Corpus, Text, Vocab};
pub use error::{Error, read_model};

#[cfg(test)]
mod tests;
