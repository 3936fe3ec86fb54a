//! Everything that can stop chapter 11's run, each said in one line.

/// Anything that stops the run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be had.
    #[error(transparent)]
    Data(#[from] shared::data::DataError),
    /// Writing a figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
}

impl shared::runner::Failure for Error {}
