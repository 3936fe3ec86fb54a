//! Everything that can stop a chapter 13 command, each said in one line.

use std::path::PathBuf;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A corpus could not be had.
    #[error(transparent)]
    Corpus(#[from] ch12_sequences::corpus::CorpusError),
    /// A model file could not be read or written.
    #[error(transparent)]
    Model(#[from] ch08_mnist::model::ModelError),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// Settings that cannot make a model, or a prompt it cannot read.
    #[error("{0}")]
    Usage(String),
    /// `sample` found no model file.
    #[error(
        "no model at {}: train one first with `cargo run --release -p \
         ch13-transformer` (or its `train` command)",
        .0.display()
    )]
    NoModel(PathBuf),
}

impl shared::runner::Failure for Error {
    fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}
