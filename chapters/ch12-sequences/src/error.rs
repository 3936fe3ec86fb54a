//! Everything that can stop a chapter 12 command, each said in one line.

use std::path::{Path, PathBuf};

use ch08_mnist::model::ModelError;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A corpus could not be had.
    #[error(transparent)]
    Corpus(#[from] crate::corpus::CorpusError),
    /// A model file could not be read or written.
    #[error(transparent)]
    Model(#[from] ch08_mnist::model::ModelError),
    /// Writing a file or figure failed.
    #[error(transparent)]
    Write(#[from] shared::Error),
    /// Settings that cannot make a model, or a prompt it cannot read.
    #[error("{0}")]
    Usage(String),
    /// `sample` found no model file: train one first with `chapter`.
    #[error(
        "no model at {}: train one first with `cargo run --release -p \
         {chapter}` (or its `train` command)",
        path.display()
    )]
    NoModel {
        /// Where the model was looked for.
        path: PathBuf,
        /// The chapter whose run trains one.
        chapter: &'static str,
    },
}

/// Reads a model file with `load`; a file that is not there is
/// [`Error::NoModel`], naming the chapter that trains one (chapters 12
/// and 13 share this).
pub fn read_model<S>(
    path: &Path,
    chapter: &'static str,
    load: impl FnOnce(&Path) -> Result<S, ModelError>,
) -> Result<S, Error> {
    match load(path) {
        Err(ModelError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Err(Error::NoModel {
                path: path.to_path_buf(),
                chapter,
            })
        }
        other => Ok(other?),
    }
}

impl shared::runner::Failure for Error {
    fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}
