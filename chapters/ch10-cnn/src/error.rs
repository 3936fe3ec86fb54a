//! Everything that can stop a chapter 10 command, each said in one line.

use std::path::PathBuf;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be had.
    #[error(transparent)]
    Data(#[from] shared::data::DataError),
    /// A model file could not be read or written.
    #[error(transparent)]
    Model(#[from] ch08_mnist::model::ModelError),
    /// An image could not be read.
    #[error(transparent)]
    Image(#[from] ch08_mnist::photo::ImageError),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// Settings that cannot make a network.
    #[error("{0}")]
    Usage(String),
    /// `predict` found no model file.
    #[error(
        "no model at {}: train one first with `cargo run --release -p \
         ch10-cnn`",
        .0.display()
    )]
    NoModel(PathBuf),
    /// `predict` was given a model that does not read digits.
    #[error(
        "{}: the model reads {side}×{side} images into {classes} classes; \
         digits need 28×28 into 10",
        path.display()
    )]
    NotDigits {
        /// The model file.
        path: PathBuf,
        /// Its image side.
        side: usize,
        /// Its number of classes.
        classes: usize,
    },
}

impl shared::runner::Failure for Error {
    fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}
