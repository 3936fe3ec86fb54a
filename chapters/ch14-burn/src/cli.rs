//! The command line of `cargo run --release` in `chapters/ch14-burn`.

use clap::Parser;
use shared::runner::RunArgs;

use crate::Error;
use crate::run::{Scale, narrated};

/// Chapter 14: chapter 8's network on Burn. The narrated run: Burn loads
/// chapter 8's model (same answers), Burn's autodiff against chapter 7's
/// backprop (same gradients), chapter 8's recipe trained by both side by
/// side, and data-parallel training by hand and by Burn.
#[derive(Debug, Parser)]
#[command(name = "ch14-burn", version)]
pub struct Cli {
    /// --quick (5,000 images, 1 epoch, chapter 8's quick model),
    /// --no-figures, --threads.
    #[command(flatten)]
    pub run: RunArgs,
    /// Workers for the data-parallel epoch (1 to 64).
    #[arg(long, default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
    /// Run as the second process of section 5, connecting to rank 0 at
    /// this address (the run starts it itself).
    #[arg(long, hide = true, value_name = "ADDRESS")]
    pub worker_of: Option<String>,
    /// As the second process: section 8's GPT instead of section 5's
    /// network.
    #[arg(long, hide = true, requires = "worker_of")]
    pub worker_gpt: bool,
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    if let Some(address) = &cli.worker_of {
        return crate::run::worker(address, cli.worker_gpt);
    }
    let scale = match cli.run.quick {
        true => Scale::QUICK,
        false => Scale::FULL,
    };
    let figures = cli.run.figures_dir("ch14")?;
    narrated(scale, usize::from(cli.workers), figures.as_deref())
}
