//! Everything that can stop a chapter 9 command, each said in one line.

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be had.
    #[error(transparent)]
    Data(#[from] shared::data::DataError),
    /// A model file could not be saved.
    #[error(transparent)]
    Model(#[from] ch08_mnist::model::ModelError),
    /// Settings that contradict each other.
    #[error("{0}")]
    Usage(String),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
}

impl shared::runner::Failure for Error {
    fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}
