//! The command line every chapter binary shares.
//!
//! `cargo run -p chNN-name` prints the chapter's walk-through and writes its
//! figures into `book/src/figures/`. Options:
//!
//! - `--figures-dir DIR`: write the figures somewhere else;
//! - `--no-figures`: only print;
//! - `--help`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::Error;
use crate::figures::{Figure, book_figures_dir, display_path};

/// What a chapter binary runs.
pub struct Chapter {
    /// The crate's name, e.g. `ch01-neuron`.
    pub name: &'static str,
    /// Prints the narrated walk-through.
    pub walkthrough: fn(&mut dyn Write) -> io::Result<()>,
    /// The chapter's figures.
    pub figures: fn() -> Vec<Figure>,
}

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// Where to write figures; `None` means do not write them.
    pub figures_dir: Option<PathBuf>,
    /// Print usage and stop.
    pub help: bool,
}

/// Parses the arguments after the program name.
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
) -> Result<Options, Error> {
    let mut options = Options {
        figures_dir: Some(book_figures_dir()),
        help: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--figures-dir" => {
                let dir = args.next().ok_or_else(|| {
                    Error::Usage("--figures-dir needs a directory".into())
                })?;
                options.figures_dir = Some(PathBuf::from(dir));
            }
            "--no-figures" => options.figures_dir = None,
            "-h" | "--help" => options.help = true,
            other => {
                return Err(Error::Usage(format!(
                    "unknown argument `{other}`"
                )));
            }
        }
    }
    Ok(options)
}

/// Runs a chapter with the given arguments, printing to `out`.
pub fn run(
    chapter: &Chapter,
    args: impl IntoIterator<Item = String>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let stdout_error = |source| Error::Io {
        path: "<stdout>".into(),
        source,
    };
    let options = parse_args(args)?;
    if options.help {
        writeln!(
            out,
            "usage: cargo run -p {} -- [--figures-dir DIR] [--no-figures]\n\
             Prints the chapter's walk-through and writes its figures \
             (default: book/src/figures/).",
            chapter.name
        )
        .map_err(stdout_error)?;
        return Ok(());
    }
    (chapter.walkthrough)(out).map_err(stdout_error)?;
    if let Some(dir) = options.figures_dir {
        writeln!(out).map_err(stdout_error)?;
        for figure in (chapter.figures)() {
            let path = figure.write_into(&dir)?;
            writeln!(out, "wrote {}", display_path(&path))
                .map_err(stdout_error)?;
        }
    }
    Ok(())
}

/// The whole `main` of a chapter binary: run, and on error print one line
/// to stderr and exit with status 1 (2 for a bad command line).
pub fn main(chapter: Chapter) -> ExitCode {
    let stdout = io::stdout();
    match run(&chapter, std::env::args().skip(1), &mut stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: error: {e}", chapter.name);
            match e {
                Error::Usage(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_to_the_book_figures() {
        let options = parse_args(args(&[])).unwrap();
        assert_eq!(options.figures_dir, Some(book_figures_dir()));
        assert!(!options.help);
    }

    #[test]
    fn reads_every_option() {
        let o = parse_args(args(&["--figures-dir", "/tmp/x"])).unwrap();
        assert_eq!(o.figures_dir, Some(PathBuf::from("/tmp/x")));
        assert_eq!(
            parse_args(args(&["--no-figures"])).unwrap().figures_dir,
            None
        );
        assert!(parse_args(args(&["--help"])).unwrap().help);
    }

    #[test]
    fn rejects_bad_arguments_in_one_line() {
        let e = parse_args(args(&["--figures"])).unwrap_err().to_string();
        assert_eq!(e, "unknown argument `--figures` (try --help)");
        let e = parse_args(args(&["--figures-dir"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs a directory"), "{e}");
    }
}
