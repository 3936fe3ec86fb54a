//! Everything that can stop chapter 14's run, each said in one line.

use std::path::PathBuf;

/// Anything that stops the run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be had.
    #[error(transparent)]
    Data(#[from] shared::data::DataError),
    /// Chapter 12's texts could not be had.
    #[error(transparent)]
    Corpus(#[from] ch12_sequences::corpus::CorpusError),
    /// A model file (chapter 8's or 13's) could not be read or written.
    #[error(transparent)]
    Model(#[from] ch08_mnist::model::ModelError),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// A model file this chapter's network cannot be, or Burn cannot
    /// read.
    #[error("{}: {why}", path.display())]
    Unsupported {
        /// The model file.
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
    /// A setting chapter 13 refuses, or its model file that could not be
    /// written.
    #[error(transparent)]
    Sequences(#[from] ch12_sequences::Error),
    /// A setting this chapter cannot train.
    #[error("{0}")]
    Usage(String),
    /// The two processes of section 5 could not talk.
    #[error("two processes: {0}")]
    Link(String),
}

impl shared::runner::Failure for Error {}
