//! Everything that can stop a chapter 8 command, each said in one line.

use crate::model::ModelError;
use crate::photo::ImageError;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be had.
    #[error(transparent)]
    Data(#[from] shared::data::DataError),
    /// A model file problem.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// An image problem.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// Settings that contradict each other.
    #[error("{0}")]
    Usage(String),
    /// The run fell short of `--min-accuracy`.
    #[error(
        "validation accuracy {accuracy:.2} % is below the required {min} %; \
         the model was not saved"
    )]
    BelowTarget {
        /// The best epoch's validation accuracy, in percent.
        accuracy: f64,
        /// The required accuracy, in percent.
        min: f64,
    },
    /// Something else, said in one line.
    #[error("{0}")]
    Other(String),
}

impl shared::runner::Failure for Error {
    fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}
