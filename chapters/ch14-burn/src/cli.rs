//! The command line of `cargo run --release` in `chapters/ch14-burn`.

use ch13_transformer::cli::TrainArgs;
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
    /// Train chapter 13's GPT with Burn instead (see `train-gpt --help`).
    #[command(subcommand)]
    pub command: Option<Command>,
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

/// What else the program does.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Train a GPT with Burn, with chapter 13's recipe and chapter 13's
    /// flags, on the CPU or, built with `--features cuda` or `wgpu`, on
    /// GPUs; saved in chapter 13's format (`ch13-transformer sample
    /// --model` reads it).
    TrainGpt(TrainGptArgs),
}

/// `train-gpt`'s settings: chapter 13's `train` flags, and the devices.
#[derive(Debug, clap::Args)]
pub struct TrainGptArgs {
    /// Chapter 13's settings (`--save-as` default: ch14-gpt).
    #[command(flatten)]
    pub train: TrainArgs,
    /// Devices to train on, data-parallel (1 to 64): GPUs with `--features
    /// cuda` or `wgpu`, otherwise copies on the CPU.
    #[arg(long, default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub devices: u16,
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    if let Some(address) = &cli.worker_of {
        return crate::run::worker(address, cli.worker_gpt);
    }
    if let Some(Command::TrainGpt(args)) = &cli.command {
        return crate::run::train_gpt(&args.train, usize::from(args.devices));
    }
    let scale = match cli.run.quick {
        true => Scale::QUICK,
        false => Scale::FULL,
    };
    let figures = cli.run.figures_dir("ch14")?;
    narrated(scale, usize::from(cli.workers), figures.as_deref())
}
