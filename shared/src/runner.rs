//! The runner of every training chapter's command line (chapters 8 on):
//! the `main` wrapper, one-line errors, thread setup, the flags every run
//! takes ([`RunArgs`]), the hyperparameter flags every `train` command
//! shares ([`HyperArgs`]) and their value parsers; and [`Failure`], how
//! an error says whether it was a command-line mistake.
//!
//! Leaves out what a chapter teaches: its settings, its networks, its
//! training loop (chapter 8's `fit`). Chapters 1–7 use the smaller
//! [`crate::chapter`] runner.

use std::fmt::Display;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::figures::{create_figures_dir, default_figures_dir, workspace_root};

/// The `main` of a chapter's program: parses the command line `C` (help
/// and version print and succeed; a mistake is one line naming it, exit
/// status 2), sizes the thread pool, runs, and reports an error in one
/// line (exit status 2 for a [`Failure`] that is a usage mistake, else 1).
pub fn main_of<C: Parser, E: Failure>(
    name: &str,
    threads: impl FnOnce(&C) -> Option<u16>,
    run: impl FnOnce(C) -> Result<(), E>,
) -> ExitCode {
    main_with(C::command(), name, |_: &C| None, threads, run)
}

/// [`main_of`] for a chapter whose command line is a [`ChapterCli`]:
/// `about` is what `--help` says the program does.
pub fn main_of_chapter<S: Subcommand, E: Failure>(
    name: &'static str,
    about: &'static str,
    run: impl FnOnce(ChapterCli<S>) -> Result<(), E>,
) -> ExitCode {
    let command = ChapterCli::<S>::command().name(name).about(about);
    let threads = |cli: &ChapterCli<S>| cli.run.threads;
    let run = |cli: ChapterCli<S>| {
        if cli.run.quick && cli.command.is_none() {
            crate::say!(
                "(--quick: a small run that checks the code in seconds or \
                 minutes; its numbers are not the chapter's, which the full \
                 run prints)"
            );
        }
        run(cli)
    };
    main_with(command, name, ChapterCli::unused_flags, threads, run)
}

fn main_with<C: FromArgMatches, E: Failure>(
    command: clap::Command,
    name: &str,
    unused: impl FnOnce(&C) -> Option<String>,
    threads: impl FnOnce(&C) -> Option<u16>,
    run: impl FnOnce(C) -> Result<(), E>,
) -> ExitCode {
    use clap::error::ErrorKind;
    use std::io::IsTerminal as _;
    let parsed = command
        .try_get_matches()
        .and_then(|matches| C::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{name}: error: {} (try --help)", one_line(&e));
            return ExitCode::from(2);
        }
    };
    if let Some(flags) = unused(&cli) {
        eprintln!("{name}: error: {flags} (try --help)");
        return ExitCode::from(2);
    }
    if cfg!(debug_assertions) && std::io::stderr().is_terminal() {
        // Said to a person at a terminal (not to tests reading stderr).
        eprintln!(
            "{name}: note: a debug build, which trains many times slower \
             than a release build: `cargo run --release -p {name}`"
        );
    }
    if let Err(e) = use_threads(threads(&cli)) {
        eprintln!("{name}: error: {e}");
        return ExitCode::FAILURE;
    }
    let ran = run(cli);
    match (ran, stdout_error()) {
        (Ok(()), Some(lost)) => {
            eprintln!("{name}: error: <stdout>: {lost}");
            ExitCode::FAILURE
        }
        (Ok(()), None) => ExitCode::SUCCESS,
        (Err(e), _) => {
            eprintln!("{name}: error: {e}");
            match e.is_usage() {
                true => ExitCode::from(2),
                false => ExitCode::FAILURE,
            }
        }
    }
}

/// What stops a chapter's program: said in one line, and exit status 2
/// for a command-line mistake (settings that contradict each other), as
/// clap's own mistakes, or 1 for anything else.
pub trait Failure: Display {
    /// Whether this is a command-line mistake.
    fn is_usage(&self) -> bool {
        false
    }
}

impl<S: Subcommand> ChapterCli<S> {
    /// Flags given that the command does not use, said in one line:
    /// `--quick` and `--no-figures` belong to the narrated run alone.
    pub fn unused_flags(&self) -> Option<String> {
        let flags: Vec<&str> = [
            (self.run.quick, "--quick"),
            (self.run.no_figures, "--no-figures"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        match self.command.is_some() && !flags.is_empty() {
            true => Some(format!(
                "{} only change{} the narrated run, not a subcommand",
                flags.join(" and "),
                if flags.len() == 1 { "s" } else { "" }
            )),
            false => None,
        }
    }
}

/// The command line of a chapter with a narrated run: without a
/// subcommand, the narrated run (with the [`RunArgs`]); with one, the
/// chapter's subcommand `S` (e.g. `train`).
#[derive(Debug, Parser)]
#[command(version)]
pub struct ChapterCli<S: Subcommand> {
    /// What to do; the narrated run is the default.
    #[command(subcommand)]
    pub command: Option<S>,
    /// --quick, --no-figures, --threads.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The first error writing to standard output, kept for `main_of`.
static STDOUT_ERROR: std::sync::Mutex<Option<std::io::Error>> =
    std::sync::Mutex::new(None);

/// Prints a line to standard output, as `println!` does, but a closed pipe
/// or a full disk does not stop the program (a run in progress finishes
/// and saves its work): the first such error is kept, and `main_of`
/// reports it in one line and exits with status 1 when the run is done.
pub fn say_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        let mut kept = STDOUT_ERROR.lock().unwrap_or_else(|e| e.into_inner());
        kept.get_or_insert(e);
    }
}

/// The first error [`say_line`] met, if any (and forgets it).
pub fn stdout_error() -> Option<std::io::Error> {
    STDOUT_ERROR
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
}

/// `println!` for the chapters' programs: see [`say_line`].
#[macro_export]
macro_rules! say {
    () => {
        $crate::runner::say_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::runner::say_line(format_args!($($arg)*))
    };
}

/// A command-line mistake in one line: clap explains at length; its first
/// paragraph, on one line, names what was wrong (the missing argument, the
/// valid values).
pub fn one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let first: Vec<&str> = text
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let first = first.join(" ");
    let first = first.strip_prefix("error: ").unwrap_or(&first);
    match first.is_empty() {
        true => "bad arguments".to_string(),
        false => first.to_string(),
    }
}

/// Sizes the global thread pool the fast path runs on: `threads` threads
/// (default: one per core). Call it before any parallel work; says why it
/// could not, if the pool already runs.
pub fn use_threads(threads: Option<u16>) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.map_or(0, usize::from))
        .thread_name(|i| format!("fastpath-{i}"))
        .build_global()
        .map_err(|e| format!("cannot size the thread pool: {e}"))
}

/// A progress bar over a training run's `epochs`, with the time left,
/// for the narrated runs' long rows: drawn on standard error and only at
/// a terminal (a log or a pasted output sees nothing), gone when
/// finished. Print an epoch's line with `bar.suspend(|| …)` so the line
/// lands above the bar.
#[cfg(feature = "data")]
pub fn epoch_bar(epochs: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(epochs as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "    training: epoch {pos}/{len} {wide_bar} about {eta} left",
        )
        .expect("a valid template"),
    );
    bar
}

/// The flags of a chapter's narrated run.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct RunArgs {
    /// Every experiment small (a few minutes; figures into target/, no
    /// model saved).
    #[arg(long)]
    pub quick: bool,
    /// Write no figures (and save no model).
    #[arg(long, conflicts_with = "figures_dir")]
    pub no_figures: bool,
    /// Write the figures into DIR instead of target/figures/
    /// (book/src/figures redraws the book's own).
    #[arg(long, value_name = "DIR")]
    pub figures_dir: Option<PathBuf>,
    /// Threads for training (default: every core). Any number gives the
    /// same numbers.
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

impl RunArgs {
    /// Where chapter `name`'s run writes its figures (created): DIR with
    /// `--figures-dir DIR`; `target/NAME-quick/` for a quick run;
    /// `target/figures/` otherwise; `None` with `--no-figures`.
    pub fn figures_dir(
        &self,
        name: &str,
    ) -> Result<Option<PathBuf>, crate::Error> {
        if self.no_figures {
            return Ok(None);
        }
        let dir = match (&self.figures_dir, self.quick) {
            (Some(dir), _) => dir.clone(),
            (None, false) => default_figures_dir(),
            (None, true) => workspace_root()
                .join("target")
                .join(format!("{name}-quick")),
        };
        create_figures_dir(&dir)?;
        Ok(Some(dir))
    }

    /// Whether the run saves its model: a full run that writes figures.
    pub fn saves_model(&self) -> bool {
        !self.quick && !self.no_figures
    }
}

/// The hyperparameters every chapter's `train` command takes, each
/// checked as it is read; `None` keeps the chapter's own setting.
#[derive(Clone, Debug, Default, PartialEq, clap::Args)]
pub struct HyperArgs {
    /// The learning rate η (at the start, if the schedule lowers it).
    #[arg(long, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// Momentum μ, from 0 (plain SGD) up to, not including, 1.
    #[arg(long, value_parser = momentum, value_name = "μ", allow_hyphen_values = true)]
    pub momentum: Option<f64>,
    /// Weight decay λ (L2 regularisation), 0 or more.
    #[arg(long, value_parser = non_negative, value_name = "λ", allow_hyphen_values = true)]
    pub weight_decay: Option<f64>,
    /// Samples per minibatch.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub batch_size: Option<u32>,
    /// Passes over the training images.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub epochs: Option<u32>,
    /// The seed of the first weights, the shuffles, masks and
    /// distortions.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save the model as data/models/NAME.safetensors.
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
    /// Also write each epoch's numbers to FILE, one JSON object per line,
    /// as the epoch ends (to plot your own curves).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<std::path::PathBuf>,
}

impl HyperArgs {
    /// The `--metrics` file, created, if one was asked for.
    pub fn metrics_file(
        &self,
    ) -> Result<Option<crate::metrics::Metrics>, crate::Error> {
        self.metrics
            .as_deref()
            .map(crate::metrics::Metrics::create)
            .transpose()
    }
}

/// Hidden layer widths, from `--hidden 512,512`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Widths(pub Vec<usize>);

/// Hidden layer widths: positive whole numbers separated by commas.
pub fn hidden_widths(text: &str) -> Result<Widths, String> {
    text.split(',')
        .map(|w| match w.trim().parse::<usize>() {
            Ok(0) => Err(format!("a hidden layer of width 0 in '{text}'")),
            Ok(n) if n > 100_000 => Err(format!(
                "a hidden layer of {n} in '{text}': at most 100000"
            )),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "'{w}' in '{text}' is not a layer width (e.g. 512,512)"
            )),
        })
        .collect::<Result<_, _>>()
        .map(Widths)
}

/// A finite number above 0.
pub fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{text} is not a number above 0")),
    }
}

/// A finite number, 0 or more.
pub fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{text} is not a number, 0 or more")),
    }
}

/// Momentum: from 0 up to, not including, 1 (at 1 the steps never shrink).
pub fn momentum(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!("{text} is not a momentum from 0 up to 1 (not 1)")),
    }
}

/// A dropout rate: from 0 up to, not including, 1 (at 1 every neuron is
/// dropped and nothing is learned).
pub fn dropout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{text} is not a dropout rate from 0 up to 1 (not 1)"
        )),
    }
}

/// A percentage: a finite number from 0 to 100.
pub fn percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text} is not a percentage from 0 to 100")),
    }
}

/// A run's name: letters, digits, '-' and '_' (it names files).
pub fn run_name(text: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !text.is_empty() && text.len() <= 64 && text.chars().all(ok) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not a run name (letters, digits, - and _)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        hyper: HyperArgs,
        #[arg(long, value_parser = hidden_widths)]
        hidden: Option<Widths>,
        #[arg(long, value_parser = dropout)]
        dropout: Option<f64>,
    }

    fn parse(args: &[&str]) -> Result<Cli, String> {
        let all = std::iter::once("test").chain(args.iter().copied());
        Cli::try_parse_from(all).map_err(|e| one_line(&e))
    }

    #[test]
    fn every_shared_flag_reads_its_value() {
        let cli = parse(&[
            "--quick",
            "--threads",
            "3",
            "--learning-rate",
            "0.5",
            "--momentum",
            "0.8",
            "--weight-decay",
            "0",
            "--batch-size",
            "32",
            "--epochs",
            "4",
            "--seed",
            "7",
            "--save-as",
            "mine",
            "--hidden",
            "30,20",
            "--dropout",
            "0.5",
        ])
        .unwrap();
        assert!(cli.run.quick && !cli.run.no_figures);
        assert_eq!(cli.run.threads, Some(3));
        let h = &cli.hyper;
        assert_eq!((h.learning_rate, h.momentum), (Some(0.5), Some(0.8)));
        assert_eq!((h.weight_decay, h.batch_size), (Some(0.0), Some(32)));
        assert_eq!((h.epochs, h.seed), (Some(4), Some(7)));
        assert_eq!(h.save_as.as_deref(), Some("mine"));
        assert_eq!(cli.hidden, Some(Widths(vec![30, 20])));
        assert_eq!(cli.dropout, Some(0.5));
    }

    #[test]
    fn bad_values_are_one_line_naming_the_problem() {
        for (args, expected) in [
            (&["--learning-rate", "0"][..], "not a number above 0"),
            (&["--learning-rate", "nan"], "not a number above 0"),
            (&["--momentum", "1"], "not a momentum"),
            (&["--momentum", "-0.1"], "not a momentum"),
            (&["--weight-decay", "-1"], "0 or more"),
            (&["--dropout", "1"], "not a dropout rate"),
            (&["--hidden", "30,0"], "width 0"),
            (&["--hidden", "30,x"], "not a layer width"),
            (&["--hidden", "200000"], "at most 100000"),
            (&["--save-as", "../x"], "not a run name"),
            (&["--batch-size", "0"], "--batch-size"),
            (&["--epochs", "1001"], "--epochs"),
            (&["--threads", "0"], "--threads"),
            (&["--nonsense"], "--nonsense"),
        ] {
            let e = parse(args).unwrap_err();
            assert!(e.contains(expected), "{args:?}: {e}");
            assert!(!e.contains('\n'), "{args:?}: {e}");
        }
    }

    #[test]
    fn percentages_are_from_0_to_100() {
        assert_eq!(percent("98.5"), Ok(98.5));
        assert!(percent("100.1").is_err() && percent("-1").is_err());
    }

    #[test]
    fn a_quick_run_writes_its_figures_under_target() {
        let quick = RunArgs {
            quick: true,
            ..RunArgs::default()
        };
        let dir = quick.figures_dir("ch00-test").unwrap().unwrap();
        assert!(dir.ends_with("target/ch00-test-quick") && dir.is_dir());
        assert!(!quick.saves_model());
        let none = RunArgs {
            no_figures: true,
            ..RunArgs::default()
        };
        assert_eq!(none.figures_dir("ch00-test").unwrap(), None);
        let full = RunArgs::default();
        assert_eq!(full.figures_dir("x").unwrap(), Some(default_figures_dir()));
        assert!(full.saves_model());
        let asked = RunArgs {
            figures_dir: Some(std::env::temp_dir().join("nnfs-figures-x")),
            ..RunArgs::default()
        };
        let dir = asked.figures_dir("x").unwrap().unwrap();
        assert!(dir.ends_with("nnfs-figures-x") && dir.is_dir());
    }

    #[derive(Debug, Subcommand)]
    enum Sub {
        Train,
    }

    #[test]
    fn narrated_run_flags_with_a_subcommand_are_refused() {
        let parse = |args: &[&str]| {
            let all = std::iter::once("test").chain(args.iter().copied());
            ChapterCli::<Sub>::try_parse_from(all).unwrap()
        };
        assert_eq!(parse(&["--quick"]).unused_flags(), None);
        assert_eq!(parse(&["train"]).unused_flags(), None);
        let said = parse(&["--quick", "train"]).unused_flags().unwrap();
        assert_eq!(
            said,
            "--quick only changes the narrated run, not a subcommand"
        );
        let both = parse(&["--no-figures", "--quick", "train"]);
        assert!(
            both.unused_flags()
                .unwrap()
                .contains("--quick and --no-figures")
        );
    }
}
