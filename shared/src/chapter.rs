//! The command line every chapter binary shares.
//!
//! `cargo run -p chNN-name` prints the chapter's walk-through and writes its
//! figures into `target/figures/`. Options:
//!
//! - `--figures-dir DIR` (or `--figures-dir=DIR`): write the figures
//!   somewhere else (`book/src/figures` redraws the book's own);
//! - `--no-figures`: only print;
//! - `--help`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::Error;
use crate::figures::{
    Figure, create_figures_dir, default_figures_dir, display_path,
};

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
    /// Usage text to print instead of running (for `--help`).
    pub help: Option<String>,
}

/// The options every chapter binary takes.
#[derive(Debug, clap::Parser)]
#[command(about = "Prints the chapter's walk-through and writes its figures \
             (default: target/figures/).")]
struct Args {
    /// Write the figures into DIR instead of target/figures/
    /// (book/src/figures redraws the book's own).
    #[arg(long, value_name = "DIR", conflicts_with = "no_figures")]
    figures_dir: Option<PathBuf>,
    /// Only print the walk-through; write no figures.
    #[arg(long)]
    no_figures: bool,
}

/// Parses the arguments after the program name of chapter `name`.
pub fn parse_args<A: Into<std::ffi::OsString>>(
    name: &'static str,
    args: impl IntoIterator<Item = A>,
) -> Result<Options, Error> {
    use clap::{CommandFactory, FromArgMatches};
    let command = Args::command()
        .name(name)
        .bin_name(format!("cargo run -p {name} --"));
    let all = std::iter::once(std::ffi::OsString::from(name))
        .chain(args.into_iter().map(Into::into));
    let matches = match command.try_get_matches_from(all) {
        Ok(matches) => matches,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            return Ok(Options {
                figures_dir: None,
                help: Some(e.to_string()),
            });
        }
        Err(e) => {
            return Err(Error::Usage(crate::runner::one_line(&e)));
        }
    };
    let args = Args::from_arg_matches(&matches)
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(Options {
        figures_dir: match (args.no_figures, args.figures_dir) {
            (true, _) => None,
            (false, dir) => Some(dir.unwrap_or_else(default_figures_dir)),
        },
        help: None,
    })
}

/// Runs a chapter with the given arguments, printing to `out`.
pub fn run<A: Into<std::ffi::OsString>>(
    chapter: &Chapter,
    args: impl IntoIterator<Item = A>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let stdout_error = |source| Error::Io {
        path: "<stdout>".into(),
        source,
    };
    let options = parse_args(chapter.name, args)?;
    if let Some(help) = options.help {
        write!(out, "{help}").map_err(stdout_error)?;
        return Ok(());
    }
    (chapter.walkthrough)(out).map_err(stdout_error)?;
    if let Some(dir) = options.figures_dir {
        writeln!(out).map_err(stdout_error)?;
        create_figures_dir(&dir)?;
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
    // Arguments as the system gives them: one that is not UTF-8 is named
    // by clap in one line, not a panic.
    match run(&chapter, std::env::args_os().skip(1), &mut stdout.lock()) {
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

    fn parse(list: &[&str]) -> Result<Options, Error> {
        parse_args("ch00-test", list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_to_figures_under_target_not_the_books() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.figures_dir, Some(default_figures_dir()));
        assert!(default_figures_dir().ends_with("target/figures"));
        assert!(options.help.is_none());
    }

    #[test]
    fn reads_every_option_in_both_spellings() {
        let o = parse(&["--figures-dir", "/tmp/x"]).unwrap();
        assert_eq!(o.figures_dir, Some(PathBuf::from("/tmp/x")));
        let o = parse(&["--figures-dir=/tmp/y"]).unwrap();
        assert_eq!(o.figures_dir, Some(PathBuf::from("/tmp/y")));
        assert_eq!(parse(&["--no-figures"]).unwrap().figures_dir, None);
        let help = parse(&["--help"]).unwrap().help.unwrap();
        assert!(help.contains("--figures-dir <DIR>"), "{help}");
        assert!(help.contains("cargo run -p ch00-test --"), "{help}");
    }

    #[cfg(unix)]
    #[test]
    fn an_argument_that_is_not_utf8_is_one_line() {
        use std::os::unix::ffi::OsStringExt;
        let odd = std::ffi::OsString::from_vec(vec![b'-', b'-', 0xff]);
        let e = parse_args("ch00-test", [odd]).unwrap_err().to_string();
        assert!(e.ends_with("(try --help)") && !e.contains('\n'), "{e}");
        // A folder whose name is not UTF-8 is still a folder.
        let dir = std::ffi::OsString::from_vec(vec![b'd', 0xff]);
        let args = [std::ffi::OsString::from("--figures-dir"), dir.clone()];
        let options = parse_args("ch00-test", args).unwrap();
        assert_eq!(options.figures_dir, Some(PathBuf::from(dir)));
    }

    #[test]
    fn rejects_bad_arguments_in_one_line() {
        let e = parse(&["--figures"]).unwrap_err().to_string();
        assert!(e.contains("--figures"), "{e}");
        assert!(e.ends_with("(try --help)") && !e.contains('\n'), "{e}");
        let e = parse(&["--figures-dir"]).unwrap_err().to_string();
        assert!(e.contains("value is required"), "{e}");
        let e = parse(&["--no-figures", "--figures-dir", "x"]);
        assert!(e.is_err(), "the two contradict each other");
    }
}
