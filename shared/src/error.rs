//! The error type for everything that comes from outside the program.

use std::path::PathBuf;

/// Something from outside went wrong: a file, an argument, a figure.
///
/// Each message is one line that names what was wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A figure could not be drawn.
    #[error("figure `{name}`: {message}")]
    Figure {
        /// The figure's file name, without `.svg`.
        name: String,
        /// What plotters said.
        message: String,
    },
    /// The command line made no sense.
    #[error("{0} (try --help)")]
    Usage(String),
}
